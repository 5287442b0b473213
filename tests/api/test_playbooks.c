/* test_playbooks.c — placeholder. */
#include "config.h"

#include "suites.h"

void
suite_playbooks(void)
{
}
