/* smtp.c — see smtp.h. */
#include "config.h"

#include "smtp.h"

int
smtp_placeholder(void)
{
	return 0;
}
