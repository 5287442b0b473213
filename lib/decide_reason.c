/* decide_reason.c — see decide.h. Placeholder. */
#include "config.h"

#include "decide.h"
