/* test_decisions.c — placeholder. */
#include "config.h"

#include "suites.h"

void
suite_decisions(void)
{
}
