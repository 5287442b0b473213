/* activity.c — see activity.h. */
#include "config.h"

#include "activity.h"

int
activity_placeholder(void)
{
	return 0;
}
