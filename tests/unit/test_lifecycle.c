/*
 * test_lifecycle.c — every transition and non-transition of the stage
 * machine (doc/scoring.md "Lifecycle stages"), the reason sentences, the
 * stage names, and that repeated steps on unchanged inputs settle.
 *
 * Default thresholds unless a row says otherwise: onboarding on any event
 * (activation >= 0), active bar activation >= 0.6 and engagement >= 0.3
 * and idle < 7 days, at risk when engagement < 0.15 or idle >= 7 days,
 * churned when idle >= 30 days, recovered → active after 14 days.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "lifecycle.h"
#include "tap.h"

#define NEVER	(-1.0)	/* days_inactive: no event on record */

enum tweak {
	T_DEFAULT,
	T_CHURN_60,		/* churn_days 60 */
	T_ONBOARD_HALF,		/* onboarding_activation 0.5 */
	T_RECOVERED_0,		/* recovered_days 0 */
	T_INVERTED,		/* active_engagement 0.1 below at_risk_engagement 0.2 */
	T_NULL			/* thresholds pointer NULL: the defaults */
};

static const struct {
	const char	*desc;
	enum stage	 from;
	double		 activation, engagement, idle, in_stage;
	int		 returned;
	enum tweak	 tweak;
	enum stage	 to;
	const char	*reason;	/* substring of the reason; NULL: no change */
} rows[] = {
	/* new */
	{ "new: no event yet stays new", STAGE_NEW, 0, 0, NEVER, 5, 0, T_DEFAULT,
	  STAGE_NEW, NULL },
	{ "new: first event starts onboarding", STAGE_NEW, 0, 0.41, 0, 0, 0, T_DEFAULT,
	  STAGE_ONBOARDING, "first activity (activation 0.00)" },
	{ "new: fully activated still goes to onboarding first", STAGE_NEW, 1, 0.9, 0, 0, 0,
	  T_DEFAULT, STAGE_ONBOARDING, "first activity (activation 1.00)" },
	{ "new: an old unscored event still means onboarding", STAGE_NEW, 0.5, 0, 40, 40, 0,
	  T_DEFAULT, STAGE_ONBOARDING, "first activity" },
	{ "new: NaN inactivity is no event", STAGE_NEW, 0, 0, NAN, 0, 0, T_DEFAULT,
	  STAGE_NEW, NULL },
	{ "new: activation below a raised onboarding bar stays new", STAGE_NEW, 0.25, 0.5, 0,
	  2, 0, T_ONBOARD_HALF, STAGE_NEW, NULL },
	{ "new: activation at a raised onboarding bar", STAGE_NEW, 0.5, 0.5, 0, 2, 0,
	  T_ONBOARD_HALF, STAGE_ONBOARDING, "first activity (activation 0.50)" },

	/* onboarding */
	{ "onboarding: activation below the bar stays", STAGE_ONBOARDING, 0.4, 0.5, 1, 3, 0,
	  T_DEFAULT, STAGE_ONBOARDING, NULL },
	{ "onboarding: activation 0.6, engagement 0.3 (inclusive) → active",
	  STAGE_ONBOARDING, 0.6, 0.3, 0, 3, 0, T_DEFAULT, STAGE_ACTIVE,
	  "activation 0.60 >= 0.60 and engagement 0.30 >= 0.30, last activity 0 days ago" },
	{ "onboarding: engagement 0.29 stays", STAGE_ONBOARDING, 0.6, 0.29, 0, 3, 0, T_DEFAULT,
	  STAGE_ONBOARDING, NULL },
	{ "onboarding: idle 7 days blocks active", STAGE_ONBOARDING, 0.8, 0.5, 7, 9, 0,
	  T_DEFAULT, STAGE_ONBOARDING, NULL },
	{ "onboarding: idle 6.9 days → active", STAGE_ONBOARDING, 0.8, 0.5, 6.9, 9, 0,
	  T_DEFAULT, STAGE_ACTIVE, "last activity 6.9 days ago" },
	{ "onboarding: idle 29.9 days stays", STAGE_ONBOARDING, 0.2, 0, 29.9, 31, 0, T_DEFAULT,
	  STAGE_ONBOARDING, NULL },
	{ "onboarding: idle 30 days → churned", STAGE_ONBOARDING, 0.2, 0, 30, 31, 0, T_DEFAULT,
	  STAGE_CHURNED, "no activity for 30 days (churn after 30 days)" },
	{ "onboarding: no event on record → churned", STAGE_ONBOARDING, 0, 0, NEVER, 1, 0,
	  T_DEFAULT, STAGE_CHURNED, "no activity on record" },

	/* active */
	{ "active: healthy stays", STAGE_ACTIVE, 1, 0.6, 1, 20, 0, T_DEFAULT, STAGE_ACTIVE,
	  NULL },
	{ "active: engagement 0.15 (inclusive) stays", STAGE_ACTIVE, 1, 0.15, 2, 20, 0,
	  T_DEFAULT, STAGE_ACTIVE, NULL },
	{ "active: engagement 0.14 → at_risk", STAGE_ACTIVE, 1, 0.14, 2, 20, 0, T_DEFAULT,
	  STAGE_AT_RISK, "engagement 0.14 below 0.15" },
	{ "active: idle 6.5 days stays", STAGE_ACTIVE, 1, 0.4, 6.5, 20, 0, T_DEFAULT,
	  STAGE_ACTIVE, NULL },
	{ "active: idle 7 days → at_risk", STAGE_ACTIVE, 1, 0.4, 7, 20, 0, T_DEFAULT,
	  STAGE_AT_RISK, "no activity for 7 days (at risk after 7 days)" },
	{ "active: activation falling (new milestones) does not demote", STAGE_ACTIVE, 0.3,
	  0.5, 1, 20, 0, T_DEFAULT, STAGE_ACTIVE, NULL },
	{ "active: idle 30 days → churned", STAGE_ACTIVE, 1, 0, 30, 30, 0, T_DEFAULT,
	  STAGE_CHURNED, "no activity for 30 days" },
	{ "active: idle 45 days (job missed at_risk) → churned directly", STAGE_ACTIVE, 1, 0,
	  45, 45, 0, T_DEFAULT, STAGE_CHURNED, "no activity for 45 days" },
	{ "active: churn_days 60, idle 45 → at_risk", STAGE_ACTIVE, 1, 0, 45, 45, 0,
	  T_CHURN_60, STAGE_AT_RISK, "engagement 0.00 below 0.15" },
	{ "active: NULL thresholds are the defaults", STAGE_ACTIVE, 1, 0.4, 7, 20, 0, T_NULL,
	  STAGE_AT_RISK, "at risk after 7 days" },

	/* at_risk */
	{ "at_risk: engagement 0.2, between the lines, stays", STAGE_AT_RISK, 1, 0.2, 3, 4, 0,
	  T_DEFAULT, STAGE_AT_RISK, NULL },
	{ "at_risk: back to the bar → active", STAGE_AT_RISK, 0.8, 0.3, 0, 4, 0, T_DEFAULT,
	  STAGE_ACTIVE, "back above the bar: activation 0.80 >= 0.60 and engagement 0.30" },
	{ "at_risk: engaged but not activated stays", STAGE_AT_RISK, 0.5, 0.5, 0, 4, 0,
	  T_DEFAULT, STAGE_AT_RISK, NULL },
	{ "at_risk: engaged but idle 8 days stays", STAGE_AT_RISK, 1, 0.5, 8, 4, 0, T_DEFAULT,
	  STAGE_AT_RISK, NULL },
	{ "at_risk: idle 29 days stays", STAGE_AT_RISK, 1, 0, 29, 22, 0, T_DEFAULT,
	  STAGE_AT_RISK, NULL },
	{ "at_risk: idle 30 days → churned", STAGE_AT_RISK, 1, 0, 30, 23, 0, T_DEFAULT,
	  STAGE_CHURNED, "no activity for 30 days (churn after 30 days)" },
	{ "at_risk: inverted thresholds do not bounce back", STAGE_AT_RISK, 1, 0.15, 0, 1, 0,
	  T_INVERTED, STAGE_AT_RISK, NULL },

	/* churned */
	{ "churned: good scores without a return stay churned", STAGE_CHURNED, 1, 0.8, 0, 10,
	  0, T_DEFAULT, STAGE_CHURNED, NULL },
	{ "churned: still silent stays churned", STAGE_CHURNED, 1, 0, 100, 70, 0, T_DEFAULT,
	  STAGE_CHURNED, NULL },
	{ "churned: return → recovered", STAGE_CHURNED, 1, 0.38, 0, 45, 1, T_DEFAULT,
	  STAGE_RECOVERED, "returned after 45 days churned" },
	{ "churned: return with low engagement still recovers", STAGE_CHURNED, 0, 0.05, 0, 2.5,
	  1, T_DEFAULT, STAGE_RECOVERED, "returned after 2.5 days churned" },

	/* recovered */
	{ "recovered: healthy on day 3 stays", STAGE_RECOVERED, 1, 0.4, 1, 3, 0, T_DEFAULT,
	  STAGE_RECOVERED, NULL },
	{ "recovered: healthy on day 13.5 stays", STAGE_RECOVERED, 1, 0.4, 1, 13.5, 0,
	  T_DEFAULT, STAGE_RECOVERED, NULL },
	{ "recovered: healthy on day 14 → active", STAGE_RECOVERED, 1, 0.4, 1, 14, 0,
	  T_DEFAULT, STAGE_ACTIVE, "healthy 14 days after recovery: activation 1.00 >= 0.60" },
	{ "recovered: not activated on day 20 stays", STAGE_RECOVERED, 0.5, 0.4, 1, 20, 0,
	  T_DEFAULT, STAGE_RECOVERED, NULL },
	{ "recovered: engagement 0.25 on day 20 stays (below the active bar)",
	  STAGE_RECOVERED, 1, 0.25, 1, 20, 0, T_DEFAULT, STAGE_RECOVERED, NULL },
	{ "recovered: engagement 0.1 → at_risk", STAGE_RECOVERED, 1, 0.1, 2, 20, 0, T_DEFAULT,
	  STAGE_AT_RISK, "engagement 0.10 below 0.15" },
	{ "recovered: idle 8 days → at_risk", STAGE_RECOVERED, 1, 0.3, 8, 9, 0, T_DEFAULT,
	  STAGE_AT_RISK, "no activity for 8 days" },
	{ "recovered: idle 30 days → churned", STAGE_RECOVERED, 1, 0, 30, 31, 0, T_DEFAULT,
	  STAGE_CHURNED, "no activity for 30 days" },
	{ "recovered: recovered_days 0 → active at once", STAGE_RECOVERED, 1, 0.4, 0, 0, 0,
	  T_RECOVERED_0, STAGE_ACTIVE, "healthy 0 days after recovery" },
	{ "recovered: negative days in stage count as 0", STAGE_RECOVERED, 1, 0.4, 0, -5, 0,
	  T_DEFAULT, STAGE_RECOVERED, NULL },

	/* inverted thresholds: the active bar is raised to the at-risk line */
	{ "active: inverted thresholds, engagement 0.15 → at_risk", STAGE_ACTIVE, 1, 0.15, 0,
	  5, 0, T_INVERTED, STAGE_AT_RISK, "engagement 0.15 below 0.20" },
	{ "onboarding: inverted thresholds, engagement 0.2 → active", STAGE_ONBOARDING, 1, 0.2,
	  0, 5, 0, T_INVERTED, STAGE_ACTIVE, "engagement 0.20 >= 0.20" },
};

static void
thresholds(enum tweak tw, struct lifecycle_thresholds *t)
{
	lifecycle_defaults(t);
	switch (tw) {
	case T_CHURN_60:
		t->churn_days = 60;
		break;
	case T_ONBOARD_HALF:
		t->onboarding_activation = 0.5;
		break;
	case T_RECOVERED_0:
		t->recovered_days = 0;
		break;
	case T_INVERTED:
		t->active_engagement = 0.1;
		t->at_risk_engagement = 0.2;
		break;
	case T_DEFAULT:
	case T_NULL:
		break;
	}
}

/*
 * From every stage, on a grid of scores and inactivity, a first step (20
 * days in stage, a return since) followed by steps with days_in_stage 0 and
 * no return (the stage has just begun) changes the stage at most twice in
 * all, then never again. Returns 1 when it always does.
 */
static int
settles(enum stage from, enum tweak tw)
{
	static const double acts[] = { 0, 0.3, 0.6, 1 };
	static const double engs[] = { 0, 0.1, 0.15, 0.2, 0.3, 0.5, 1 };
	static const double idles[] = { NEVER, 0, 3, 7, 20, 30, 100 };
	struct lifecycle_thresholds t;
	struct scores s;
	enum stage cur, next;
	size_t a, e, d;
	int calls, changes;
	char reason[300];

	thresholds(tw, &t);
	memset(&s, 0, sizeof(s));
	for (a = 0; a < sizeof(acts) / sizeof(acts[0]); a++)
		for (e = 0; e < sizeof(engs) / sizeof(engs[0]); e++)
			for (d = 0; d < sizeof(idles) / sizeof(idles[0]); d++) {
				s.activation = acts[a];
				s.engagement = engs[e];
				cur = from;
				changes = 0;
				for (calls = 0; calls < 4; calls++) {
					/* The first call: a while in stage, a return since. */
					next = lifecycle_next(cur, &s, idles[d], calls ? 0 : 20,
					    calls ? 0 : 1, &t, reason, sizeof(reason));
					if (next != cur)
						changes++;
					cur = next;
				}
				if (changes > 2 || lifecycle_next(cur, &s, idles[d], 0, 0, &t, reason,
				    sizeof(reason)) != cur) {
					diag("%s a=%g e=%g d=%g: %d changes, does not settle",
					    lifecycle_stage_name(from), acts[a], engs[e], idles[d], changes);
					return 0;
				}
			}
	return 1;
}

static void
test_rows(void)
{
	struct lifecycle_thresholds t;
	struct scores s;
	enum stage got;
	size_t i;
	char reason[300];
	int fine;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		thresholds(rows[i].tweak, &t);
		memset(&s, 0, sizeof(s));
		s.activation = rows[i].activation;
		s.engagement = rows[i].engagement;
		memset(reason, 'x', sizeof(reason));
		got = lifecycle_next(rows[i].from, &s, rows[i].idle, rows[i].in_stage,
		    rows[i].returned, rows[i].tweak == T_NULL ? NULL : &t, reason,
		    sizeof(reason));
		if (rows[i].reason == NULL)
			fine = got == rows[i].to && reason[0] == '\0';
		else
			fine = got == rows[i].to && strstr(reason, rows[i].reason) != NULL &&
			    strlen(reason) < 200;
		if (!ok(fine, "%s", rows[i].desc))
			diag("got %s, reason \"%.299s\"", lifecycle_stage_name(got), reason);
	}
}

static void
test_names(void)
{
	static const char *const names[STAGE__MAX] = { "new", "onboarding", "active",
	    "at_risk", "churned", "recovered" };
	struct lifecycle_thresholds t;
	int i, fine = 1;

	for (i = 0; i < STAGE__MAX; i++)
		fine = fine && lifecycle_stage_name((enum stage)i) != NULL &&
		    strcmp(lifecycle_stage_name((enum stage)i), names[i]) == 0 &&
		    lifecycle_stage_parse(names[i]) == i;
	ok(fine, "names and parse agree with the schema's ENUM");
	ok(lifecycle_stage_name(STAGE__MAX) == NULL &&
	    lifecycle_stage_name((enum stage)-1) == NULL, "no name for an invalid stage");
	ok(lifecycle_stage_parse("Active") == -1 && lifecycle_stage_parse("") == -1 &&
	    lifecycle_stage_parse("at-risk") == -1 && lifecycle_stage_parse(NULL) == -1,
	    "parse rejects unknown names");

	lifecycle_defaults(&t);
	ok(t.onboarding_activation == 0 && t.active_activation == 0.6 &&
	    t.active_engagement == 0.3 && t.at_risk_engagement == 0.15 && t.at_risk_days == 7 &&
	    t.churn_days == 30 && t.recovered_days == 14, "documented defaults");
}

static void
test_edges(void)
{
	struct lifecycle_thresholds t;
	struct scores s = { .activation = 1, .engagement = 0.5 };
	char small[12];
	int i;

	lifecycle_defaults(&t);
	ok(lifecycle_next(STAGE_ACTIVE, &s, 40, 40, 0, &t, NULL, 0) == STAGE_CHURNED,
	    "NULL reason buffer");
	ok(lifecycle_next(STAGE_ACTIVE, &s, 40, 40, 0, &t, small, sizeof(small)) ==
	    STAGE_CHURNED && strlen(small) == sizeof(small) - 1 &&
	    strncmp(small, "no activity", 11) == 0, "reason truncated to the buffer");
	ok(lifecycle_next(STAGE_ONBOARDING, NULL, 0, 0, 0, &t, small, sizeof(small)) ==
	    STAGE_ONBOARDING && small[0] == '\0', "NULL scores count as zero");
	s.engagement = NAN;
	ok(lifecycle_next(STAGE_ACTIVE, &s, 1, 1, 0, &t, small, sizeof(small)) ==
	    STAGE_AT_RISK, "NaN engagement counts as zero");
	ok(lifecycle_next(STAGE__MAX, &s, 1, 1, 1, &t, small, sizeof(small)) == STAGE__MAX &&
	    small[0] == '\0', "an invalid stage is returned unchanged");
	for (i = 0; i < STAGE__MAX; i++) {
		ok(settles((enum stage)i, T_DEFAULT) && settles((enum stage)i, T_INVERTED) &&
		    settles((enum stage)i, T_RECOVERED_0), "from %s: settles within two steps",
		    lifecycle_stage_name((enum stage)i));
	}
}

int
main(void)
{
	test_rows();
	test_names();
	test_edges();
	return tap_done();
}
