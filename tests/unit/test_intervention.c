/*
 * test_intervention.c — the pure parts of lib/intervention.c: the state
 * machine, checked on every (status, verb) pair against the table of
 * legal moves written out here independently of the implementation, the
 * refusals of words that are not statuses or verbs, and the body of the
 * rollback dispatch.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "intervention.h"
#include "tap.h"

/* Every legal move, one row each, with why it is legal. */
static const struct legal {
	const char	*from, *verb, *to, *why;
} legal[] = {
	{ "pending_approval", "approve", "approved", "an editor approves a draft" },
	{ "paused", "approve", "approved", "approving a paused one resumes it" },
	{ "pending_approval", "pause", "paused", "a draft can be put aside" },
	{ "approved", "pause", "paused", "an approved one can be held before sending" },
	{ "pending_approval", "reject", "rejected", "a draft can be rejected" },
	{ "approved", "reject", "rejected", "approved but unsent can still be rejected" },
	{ "paused", "reject", "rejected", "a paused one can be rejected" },
	{ "pending_approval", "cancel", "cancelled", "user opted out before approval" },
	{ "approved", "cancel", "cancelled", "user opted out before sending" },
	{ "paused", "cancel", "cancelled", "user opted out while paused" },
	{ "delivered", "rollback", "rolled_back", "only a delivered one is rolled back" },
	{ "approved", "claim", "sending", "the deliver job claims an approved one" },
	{ "sending", "retry", "approved", "a failed attempt goes back for a retry" },
	{ "sending", "sent", "sent", "handed off (webhook, external action)" },
	{ "sending", "deliver", "delivered", "accepted at once (SMTP)" },
	{ "sent", "deliver", "delivered", "the hand-off was confirmed" },
	{ "sending", "fail", "failed", "retries used up" },
	{ "sent", "fail", "failed", "the dispatch finally failed" },
};

/* The row for (from, verb), or NULL when the move is illegal. */
static const struct legal *
find_legal(const char *from, const char *verb)
{
	size_t i;

	for (i = 0; i < sizeof(legal) / sizeof(legal[0]); i++)
		if (strcmp(legal[i].from, from) == 0 && strcmp(legal[i].verb, verb) == 0)
			return &legal[i];
	return NULL;
}

/* Words that are not what they are passed as. */
static const struct bad {
	const char	*from, *verb;
	int		 want;
	const char	*why;
} bad[] = {
	{ "approved", "send", INTERVENTION_BAD_VERB, "send is not a verb (claim is)" },
	{ "approved", "", INTERVENTION_BAD_VERB, "the empty verb" },
	{ "approved", NULL, INTERVENTION_BAD_VERB, "a NULL verb" },
	{ "Approved", "pause", INTERVENTION_BAD_STATUS, "statuses are case-sensitive" },
	{ "draft", "approve", INTERVENTION_BAD_STATUS, "draft is a playbook status" },
	{ NULL, "approve", INTERVENTION_BAD_STATUS, "a NULL status" },
	{ "approved", "approved", INTERVENTION_BAD_VERB, "a status is not a verb" },
};

static void
test_matrix(void)
{
	const struct legal *l;
	const char *to;
	size_t s, v;
	int rc;

	for (s = 0; intervention_statuses[s] != NULL; s++) {
		for (v = 0; intervention_verbs[v] != NULL; v++) {
			to = NULL;
			rc = intervention_transition(intervention_statuses[s],
			    intervention_verbs[v], &to);
			l = find_legal(intervention_statuses[s], intervention_verbs[v]);
			if (l != NULL)
				ok(rc == 0 && to != NULL && strcmp(to, l->to) == 0,
				    "%s + %s -> %s: %s", l->from, l->verb, l->to, l->why);
			else
				ok(rc == INTERVENTION_NOT_ALLOWED && to == NULL,
				    "%s + %s refused", intervention_statuses[s],
				    intervention_verbs[v]);
		}
	}
}

static void
test_bad_words(void)
{
	const char *to = NULL;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(intervention_transition(bad[i].from, bad[i].verb, &to) == bad[i].want &&
		    to == NULL, "refused: %s", bad[i].why);
}

/* The lists match the schema's ENUMs in size (a missing word would make
 * every API filter on it a 400). */
static void
test_lists(void)
{
	size_t n;

	for (n = 0; intervention_statuses[n] != NULL; n++)
		;
	ok(n == 12, "twelve statuses (schema ENUM)");
	for (n = 0; intervention_channels[n] != NULL; n++)
		;
	ok(n == 4, "four channels");
	ok(intervention_word_in(intervention_statuses, "rolled_back"), "rolled_back is a status");
	ok(!intervention_word_in(intervention_statuses, "rolled-back"), "rolled-back is not");
	ok(!intervention_word_in(intervention_channels, NULL), "NULL is no word");
}

static void
test_terminal(void)
{
	static const char *const terminal[] = { "rejected", "failed", "rolled_back", "shadow",
		"control", "cancelled", NULL };
	const char *to;
	size_t s, v;
	int moves;

	for (s = 0; terminal[s] != NULL; s++) {
		moves = 0;
		for (v = 0; intervention_verbs[v] != NULL; v++)
			moves += intervention_transition(terminal[s], intervention_verbs[v], &to) == 0;
		ok(moves == 0, "%s is terminal: no verb moves it", terminal[s]);
	}
}

static void
test_rollback_body(void)
{
	struct json_object *o, *x;
	char *text;

	/* 2026-01-02T03:04:05Z */
	text = intervention_rollback_body("int_1", "ea_9", "loyalty_points", "u\"1",
	    "sent twice", 1767323045);
	o = text != NULL ? json_tokener_parse(text) : NULL;
	ok(o != NULL, "the rollback body is JSON");
	ok(o != NULL && json_object_object_get_ex(o, "type", &x) &&
	    strcmp(json_object_get_string(x), "rollback") == 0, "type is rollback");
	ok(o != NULL && json_object_object_get_ex(o, "action_id", &x) &&
	    strcmp(json_object_get_string(x), "ea_9") == 0, "carries the action id");
	ok(o != NULL && json_object_object_get_ex(o, "user_id", &x) &&
	    strcmp(json_object_get_string(x), "u\"1") == 0, "a quote in the user id survives");
	ok(o != NULL && json_object_object_get_ex(o, "timestamp", &x) &&
	    strcmp(json_object_get_string(x), "2026-01-02T03:04:05Z") == 0, "ISO-8601 timestamp");
	json_object_put(o);
	free(text);
	text = intervention_rollback_body("int_2", NULL, "x", "u", NULL, 0);
	o = text != NULL ? json_tokener_parse(text) : NULL;
	ok(o != NULL && json_object_object_get_ex(o, "reason", &x) && x == NULL &&
	    json_object_object_get_ex(o, "action_id", &x) && x == NULL,
	    "no reason and no action id are null");
	json_object_put(o);
	free(text);
}

int
main(void)
{
	test_matrix();
	test_bad_words();
	test_lists();
	test_terminal();
	test_rollback_body();
	return tap_done();
}
