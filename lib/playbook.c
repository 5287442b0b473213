/* playbook.c — see playbook.h. */
#include "config.h"

#include "playbook.h"

int
playbook_placeholder(void)
{
	return 0;
}
