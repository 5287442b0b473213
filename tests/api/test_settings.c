/* test_settings.c — placeholder: being written. */
#include "config.h"

#include "client.h"
#include "suites.h"

void
suite_settings(void)
{
}
