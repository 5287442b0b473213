/* test_commerces.c — placeholder. */
#include "config.h"

#include "suites.h"

void
suite_commerces(void)
{
}
