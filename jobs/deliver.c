/*
 * deliver.c — retivo-deliver. Placeholder.
 */
#include "config.h"

#include <stdio.h>

int
main(void)
{
	printf("{\"job\":\"deliver\"}\n");
	return 0;
}
