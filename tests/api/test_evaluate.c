/* test_evaluate.c — placeholder. */
#include "config.h"

#include "suites.h"

void
suite_evaluate(void)
{
}
