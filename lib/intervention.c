/*
 * intervention.c — the pure state machine of interventions (see
 * intervention.h); storage is in intervention_store.c.
 */
#include "config.h"

#include <string.h>

#include "intervention.h"
#include "names.h"

const char *const intervention_statuses[] = {
	"pending_approval", "approved", "paused", "rejected", "sending", "sent",
	"delivered", "failed", "rolled_back", "shadow", "control", "cancelled", NULL
};
const char *const intervention_channels[] = {
	"email", "webhook", "external_action", "escalation", NULL
};
const char *const intervention_sources[] = { "playbook", "manual", "winback", NULL };
const char *const intervention_verbs[] = {
	"approve", "pause", "reject", "cancel", "rollback",
	"claim", "retry", "sent", "deliver", "fail", NULL
};

/*
 * The table: one row per legal move. Anything not listed is refused, so a
 * new status is terminal until a row says otherwise.
 */
static const struct move {
	const char	*verb;
	const char	*from;
	const char	*to;
} moves[] = {
	{ "approve",	"pending_approval",	"approved" },
	{ "approve",	"paused",		"approved" },
	{ "pause",	"pending_approval",	"paused" },
	{ "pause",	"approved",		"paused" },
	{ "reject",	"pending_approval",	"rejected" },
	{ "reject",	"approved",		"rejected" },
	{ "reject",	"paused",		"rejected" },
	{ "cancel",	"pending_approval",	"cancelled" },
	{ "cancel",	"approved",		"cancelled" },
	{ "cancel",	"paused",		"cancelled" },
	{ "rollback",	"delivered",		"rolled_back" },
	{ "claim",	"approved",		"sending" },
	{ "retry",	"sending",		"approved" },
	{ "sent",	"sending",		"sent" },
	{ "deliver",	"sending",		"delivered" },
	{ "deliver",	"sent",			"delivered" },
	{ "fail",	"sending",		"failed" },
	{ "fail",	"sent",			"failed" },
};

int
intervention_word_in(const char *const *list, const char *s)
{
	return names_find(list, s) >= 0;
}

int
intervention_transition(const char *from, const char *verb, const char **to)
{
	size_t i;

	if (!intervention_word_in(intervention_verbs, verb))
		return INTERVENTION_BAD_VERB;
	if (!intervention_word_in(intervention_statuses, from))
		return INTERVENTION_BAD_STATUS;
	for (i = 0; i < sizeof(moves) / sizeof(moves[0]); i++) {
		if (strcmp(moves[i].verb, verb) == 0 && strcmp(moves[i].from, from) == 0) {
			*to = moves[i].to;
			return 0;
		}
	}
	return INTERVENTION_NOT_ALLOWED;
}
