/* message.c — see message.h. */
#include "config.h"

#include "message.h"

int
message_placeholder(void)
{
	return 0;
}
