/* resolve.c — see resolve.h. */
#include "config.h"

#include "resolve.h"

int
resolve_placeholder(void)
{
	return 0;
}
