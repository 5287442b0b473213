/*
 * evaluate.c — retivo-evaluate. Placeholder.
 */
#include "config.h"

#include <stdio.h>

int
main(void)
{
	printf("{\"job\":\"evaluate\"}\n");
	return 0;
}
