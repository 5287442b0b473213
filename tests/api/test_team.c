/* test_team.c — placeholder. */
#include "config.h"

#include "suites.h"

void
suite_team(void)
{
}
