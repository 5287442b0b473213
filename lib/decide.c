/* decide.c — see decide.h. Placeholder until the decision issue fills it. */
#include "config.h"

#include "decide.h"
