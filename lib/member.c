/* member.c — see member.h. */
#include "config.h"

#include "member.h"

int
member_placeholder(void)
{
	return 0;
}
