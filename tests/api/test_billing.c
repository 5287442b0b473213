/* test_billing.c — placeholder. */
#include "config.h"

#include "suites.h"

void
suite_billing(void)
{
}
