/* template.c — see template.h. */
#include "config.h"

#include "template.h"

int
template_placeholder(void)
{
	return 0;
}
