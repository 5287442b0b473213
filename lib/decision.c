/* decision.c — see decision.h. */
#include "config.h"

#include "decision.h"

int
decision_placeholder(void)
{
	return 0;
}
