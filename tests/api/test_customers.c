/* test_customers.c — placeholder: being written. */
#include "config.h"

#include "client.h"
#include "suites.h"

void
suite_customers(void)
{
}
