/* test_partners.c — placeholder. */
#include "config.h"

#include "suites.h"

void
suite_partners(void)
{
}
