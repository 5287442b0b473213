/* partner.c — see partner.h. */
#include "config.h"

#include "partner.h"

int
partner_placeholder(void)
{
	return 0;
}
