/* quality.c — see quality.h. */
#include "config.h"

#include "quality.h"

int
quality_placeholder(void)
{
	return 0;
}
