/* test_deliver.c — placeholder. */
#include "config.h"

#include "suites.h"

void
suite_deliver(void)
{
}
