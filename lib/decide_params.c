/* decide_params.c — see decide.h. Placeholder. */
#include "config.h"

#include "decide.h"
