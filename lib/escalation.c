/* escalation.c — storage of escalations (see escalation.h). */
#include "config.h"

#include <stddef.h>

#include "escalation.h"

const char *const escalation_severities[] = { "low", "medium", "high", "critical", NULL };
const char *const escalation_statuses[] = { "open", "handled", "delegated", NULL };
