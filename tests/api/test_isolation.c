/* test_isolation.c — placeholder. */
#include "config.h"

#include "suites.h"

void
suite_isolation(void)
{
}
