/* test_activities.c — placeholder. */
#include "config.h"

#include "suites.h"

void
suite_activities(void)
{
}
