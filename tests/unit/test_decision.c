/*
 * test_decision.c — the pure rules of lib/decision.h: which stage moves
 * earn the behaviour reward (the improving ones only, never a move down or
 * sideways) and the days-since-last-activity the recommend response shows.
 */
#include "config.h"

#include <string.h>

#include "decision.h"
#include "tap.h"

static const struct {
	const char	*desc, *from, *to;
	int		 improved;
} moves[] = {
	{ "at_risk -> active earns the credit", "at_risk", "active", 1 },
	{ "churned -> recovered earns the credit", "churned", "recovered", 1 },
	{ "onboarding -> active earns the credit", "onboarding", "active", 1 },
	{ "new -> onboarding earns the credit", "new", "onboarding", 1 },
	{ "active -> at_risk does not", "active", "at_risk", 0 },
	{ "at_risk -> churned does not", "at_risk", "churned", 0 },
	{ "recovered -> at_risk does not", "recovered", "at_risk", 0 },
	{ "recovered -> active does not (the return was credited already)", "recovered",
	    "active", 0 },
	{ "active -> churned does not", "active", "churned", 0 },
	{ "a stage to itself does not", "active", "active", 0 },
	{ "reversed active -> onboarding does not", "active", "onboarding", 0 },
	{ "an unknown stage does not", "lost", "active", 0 },
	{ "a NULL from does not", NULL, "active", 0 },
	{ "a NULL to does not", "at_risk", NULL, 0 },
	{ "case matters: AT_RISK -> active does not", "AT_RISK", "active", 0 },
};

static const struct {
	const char	*desc;
	int64_t		 last, now;
	long long	 days;
} idle[] = {
	{ "never active: -1", 0, 1700000000, -1 },
	{ "active a minute ago: 0", 1700000000 - 60, 1700000000, 0 },
	{ "23h59m ago: still 0", 1700000000 - 86399, 1700000000, 0 },
	{ "exactly a day ago: 1", 1700000000 - 86400, 1700000000, 1 },
	{ "20 days and an hour ago: 20", 1700000000 - 20 * 86400 - 3600, 1700000000, 20 },
	{ "activity after now (clock skew): 0", 1700000100, 1700000000, 0 },
};

int
main(void)
{
	struct decide_user u;
	size_t i;

	for (i = 0; i < sizeof(moves) / sizeof(moves[0]); i++)
		ok(decision_stage_improved(moves[i].from, moves[i].to) == moves[i].improved, "%s",
		    moves[i].desc);
	for (i = 0; i < sizeof(idle) / sizeof(idle[0]); i++) {
		memset(&u, 0, sizeof(u));
		u.last_activity_at = idle[i].last;
		ok(decision_days_idle(&u, idle[i].now) == idle[i].days, "days idle, %s",
		    idle[i].desc);
	}
	return tap_done();
}
