/* commerce.c — see commerce.h. */
#include "config.h"

#include "commerce.h"

int
commerce_placeholder(void)
{
	return 0;
}
