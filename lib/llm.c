/* llm.c — see llm.h. */
#include "config.h"

#include "llm.h"

int
llm_placeholder(void)
{
	return 0;
}
