/* test_audit.c — placeholder. */
#include "config.h"

#include "suites.h"

void
suite_audit(void)
{
}
