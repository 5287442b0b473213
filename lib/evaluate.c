/* evaluate.c — see evaluate.h. */
#include "config.h"

#include "evaluate.h"

int
evaluate_placeholder(void)
{
	return 0;
}
