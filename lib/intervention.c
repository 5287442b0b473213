/* intervention.c — see intervention.h. */
#include "config.h"

#include "intervention.h"

int
intervention_placeholder(void)
{
	return 0;
}
