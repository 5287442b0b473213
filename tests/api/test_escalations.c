/* test_escalations.c — placeholder. */
#include "config.h"

#include "suites.h"

void
suite_escalations(void)
{
}
