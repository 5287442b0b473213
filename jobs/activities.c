/*
 * activities.c — retivo-activities: hands due READY activities to the
 * tenant's provider. Placeholder.
 */
#include "config.h"

#include <stdio.h>

int
main(void)
{
	printf("{\"job\":\"activities\",\"dispatched\":0}\n");
	return 0;
}
