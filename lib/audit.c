/* audit.c — see audit.h. */
#include "config.h"

#include "audit.h"

int
audit_placeholder(void)
{
	return 0;
}
