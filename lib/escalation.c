/* escalation.c — see escalation.h. */
#include "config.h"

#include "escalation.h"

int
escalation_placeholder(void)
{
	return 0;
}
