/* test_interventions.c — placeholder. */
#include "config.h"

#include "suites.h"

void
suite_interventions(void)
{
}
