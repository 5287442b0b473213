/*
 * test_evaluate.c — unit tests for the pure rules of lib/evaluate.c: the
 * status a matched playbook's intervention is created in (holdout before
 * shadow mode before approval), the confidence of a message playbook from
 * its record, and the verdict names the dry-run shows.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "evaluate.h"
#include "tap.h"

struct status_case {
	const char	*desc;
	int		 holdout, shadow, approval;
	const char	*want;
};

static const struct status_case status_cases[] = {
	{ "plain, no approval: approved", 0, 0, 0, "approved" },
	{ "approval required: pending_approval", 0, 0, 1, "pending_approval" },
	{ "shadow mode: shadow, approval or not", 0, 1, 1, "shadow" },
	{ "shadow mode without approval: shadow", 0, 1, 0, "shadow" },
	{ "holdout member: control", 1, 0, 0, "control" },
	{ "holdout wins over approval", 1, 0, 1, "control" },
	{ "holdout wins over shadow mode", 1, 1, 1, "control" },
};

struct conf_case {
	const char	*desc;
	long long	 treated, converted;
	double		 want;
};

static const struct conf_case conf_cases[] = {
	{ "no evidence: the uniform prior's 0.5", 0, 0, 0.5 },
	{ "1 of 1 converted: 2/3", 1, 1, 2.0 / 3.0 },
	{ "0 of 1: 1/3", 1, 0, 1.0 / 3.0 },
	{ "30 of 100: 31/102", 100, 30, 31.0 / 102.0 },
	{ "all 1000 converted: near but under 1", 1000, 1000, 1001.0 / 1002.0 },
	{ "more conversions than treated: clamped to treated", 10, 15, 11.0 / 12.0 },
	{ "negative counts read as 0", -5, -1, 0.5 },
	{ "conversions without treated users: clamped to 0", 0, 3, 0.5 },
};

struct verdict_case {
	enum eval_verdict	 v;
	const char		*want;
};

static const struct verdict_case verdict_cases[] = {
	{ EVAL_MATCHED, "matched" },
	{ EVAL_NO_ENTRY, "no_entry" },
	{ EVAL_EXITED, "exited" },
	{ EVAL_NO_WINBACK, "no_winback" },
	{ EVAL_COOLDOWN, "cooldown" },
	{ EVAL_CAPPED, "capped" },
	{ EVAL_NO_ACTION, "no_action" },
	{ (enum eval_verdict)99, "unknown" },
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

int
main(void)
{
	size_t i;
	double got;

	for (i = 0; i < N(status_cases); i++) {
		const struct status_case *c = &status_cases[i];
		const char *s = eval_created_status(c->holdout, c->shadow, c->approval);

		ok(strcmp(s, c->want) == 0, "status: %s (%s)", c->desc, s);
	}
	for (i = 0; i < N(conf_cases); i++) {
		const struct conf_case *c = &conf_cases[i];

		got = eval_message_confidence(c->treated, c->converted);
		ok(fabs(got - c->want) < 1e-12 && got > 0 && got < 1, "confidence: %s (%.6f)",
		    c->desc, got);
	}
	for (i = 0; i < N(verdict_cases); i++)
		ok(strcmp(eval_verdict_name(verdict_cases[i].v), verdict_cases[i].want) == 0,
		    "verdict name %s", verdict_cases[i].want);
	return tap_done();
}
