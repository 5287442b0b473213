/* test_llm.c — placeholder. */
#include "config.h"

#include "suites.h"

void
suite_llm(void)
{
}
