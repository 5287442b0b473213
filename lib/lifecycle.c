/*
 * lifecycle.c — the stage machine of seed 003 as one pure step function.
 *
 * The machine (doc/scoring.md "Lifecycle stages" has the thresholds):
 *
 *   new        → onboarding  on the first event
 *   onboarding → churned     idle churn_days;   → active on the active bar
 *   active     → churned     idle churn_days;   → at_risk when at risk
 *   at_risk    → churned     idle churn_days;   → active on the active bar
 *   churned    → recovered   only when the user returns
 *   recovered  → churned     idle churn_days;   → at_risk when at risk;
 *                → active on the active bar after recovered_days
 *
 * Each call takes at most one step, so every stage the user passes through
 * gets its own history row. A caller that wants the stage a user settles in
 * now calls again with days_in_stage 0 and returned_since_change 0 until
 * the stage stops changing; with the threshold normalisation below that
 * takes at most two steps (new → onboarding → active or → churned).
 */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lifecycle.h"
#include "names.h"

static const char *const stage_names[STAGE__MAX] = {
	[STAGE_NEW] = "new",
	[STAGE_ONBOARDING] = "onboarding",
	[STAGE_ACTIVE] = "active",
	[STAGE_AT_RISK] = "at_risk",
	[STAGE_CHURNED] = "churned",
	[STAGE_RECOVERED] = "recovered",
};

void
lifecycle_defaults(struct lifecycle_thresholds *t)
{
	t->onboarding_activation = 0;
	t->active_activation = 0.6;
	t->active_engagement = 0.3;
	t->at_risk_engagement = 0.15;
	t->at_risk_days = 7;
	t->churn_days = 30;
	t->recovered_days = 14;
}

const char *
lifecycle_stage_name(enum stage s)
{
	return names_at(stage_names, STAGE__MAX, (int)s);
}

int
lifecycle_stage_parse(const char *name)
{
	return names_index(stage_names, STAGE__MAX, name);
}

/* x, or `otherwise` when x is NaN. */
static double
or_if_nan(double x, double otherwise)
{
	return isnan(x) ? otherwise : x;
}

/*
 * The inputs of one step with the defensive rules applied: NaN scores are
 * 0, NaN or negative inactivity means "no event on record", a NaN or
 * negative time in stage is 0, and thresholds are made consistent so the
 * machine cannot oscillate between two stages on the same inputs.
 */
struct step {
	double	activation, engagement;
	double	idle;		/* days since the last event; < 0: none on record */
	double	in_stage;	/* days in the current stage */
	int	returned;
	struct lifecycle_thresholds t;
};

static void
step_init(struct step *st, const struct scores *s, double days_inactive, double days_in_stage,
    int returned_since_change, const struct lifecycle_thresholds *t)
{
	st->activation = s != NULL ? or_if_nan(s->activation, 0) : 0;
	st->engagement = s != NULL ? or_if_nan(s->engagement, 0) : 0;
	st->idle = days_inactive >= 0 ? days_inactive : -1;
	st->in_stage = days_in_stage >= 0 ? days_in_stage : 0;
	st->returned = returned_since_change != 0;
	if (t != NULL)
		st->t = *t;
	else
		lifecycle_defaults(&st->t);
	/*
	 * The active bar must sit at or above the at-risk line, otherwise an
	 * engagement between the two would move active → at_risk → active on
	 * successive calls with nothing changing.
	 */
	if (!(st->t.active_engagement >= st->t.at_risk_engagement))
		st->t.active_engagement = or_if_nan(st->t.at_risk_engagement, 0);
}

/* Has the user been without events for at least `days` (none on record counts)? */
static int
idle_for(const struct step *st, double days)
{
	return st->idle < 0 || st->idle >= days;
}

/* Below the at-risk engagement line or idle for at_risk_days. */
static int
at_risk(const struct step *st)
{
	return st->engagement < st->t.at_risk_engagement || idle_for(st, st->t.at_risk_days);
}

/* The bar for active: activated, engaged and not at risk. */
static int
active_bar(const struct step *st)
{
	return st->activation >= st->t.active_activation &&
	    st->engagement >= st->t.active_engagement && !at_risk(st);
}

/* Days for a reason sentence: "3", "2.5", "never". */
static void
fmt_days(char *buf, size_t len, double d)
{
	if (d < 0)
		snprintf(buf, len, "never");
	else if (d == floor(d) && d < 1e9)
		snprintf(buf, len, "%.0f", d);
	else
		snprintf(buf, len, "%.1f", d);
}

__attribute__((format(printf, 3, 4)))
static void
say(char *reason, size_t reasonlen, const char *fmt, ...)
{
	va_list ap;

	if (reason == NULL || reasonlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(reason, reasonlen, fmt, ap);
	va_end(ap);
}

/* The churn sentence: how long the user has been silent. */
static void
say_churned(const struct step *st, char *reason, size_t reasonlen)
{
	char idle[32], limit[32];

	fmt_days(limit, sizeof(limit), st->t.churn_days);
	if (st->idle < 0) {
		say(reason, reasonlen, "no activity on record (churn after %s days)", limit);
		return;
	}
	fmt_days(idle, sizeof(idle), st->idle);
	say(reason, reasonlen, "no activity for %s days (churn after %s days)", idle, limit);
}

/* The at-risk sentence: low engagement or days without events. */
static void
say_at_risk(const struct step *st, char *reason, size_t reasonlen)
{
	char idle[32], limit[32];

	if (st->engagement < st->t.at_risk_engagement) {
		say(reason, reasonlen, "engagement %.2f below %.2f", st->engagement,
		    st->t.at_risk_engagement);
		return;
	}
	fmt_days(idle, sizeof(idle), st->idle);
	fmt_days(limit, sizeof(limit), st->t.at_risk_days);
	say(reason, reasonlen, "no activity for %s days (at risk after %s days)", idle, limit);
}

/* The active sentence: the scores that met the bar. */
static void
say_active(const struct step *st, const char *lead, char *reason, size_t reasonlen)
{
	char idle[32];

	fmt_days(idle, sizeof(idle), st->idle);
	say(reason, reasonlen,
	    "%sactivation %.2f >= %.2f and engagement %.2f >= %.2f, last activity %s days ago",
	    lead, st->activation, st->t.active_activation, st->engagement,
	    st->t.active_engagement, idle);
}

enum stage
lifecycle_next(enum stage current, const struct scores *s, double days_inactive,
    double days_in_stage, int returned_since_change, const struct lifecycle_thresholds *t,
    char *reason, size_t reasonlen)
{
	struct step st;
	enum stage next = current;
	char days[32], lead[64];

	say(reason, reasonlen, "%s", "");
	step_init(&st, s, days_inactive, days_in_stage, returned_since_change, t);

	/* From any stage a user has reached, long enough idle is churn, first. */
	if ((current == STAGE_ONBOARDING || current == STAGE_ACTIVE || current == STAGE_AT_RISK ||
	    current == STAGE_RECOVERED) && idle_for(&st, st.t.churn_days)) {
		say_churned(&st, reason, reasonlen);
		return STAGE_CHURNED;
	}

	switch (current) {
	case STAGE_NEW:
		/* Any event starts onboarding; never straight to active. */
		if (st.idle >= 0 && st.activation >= st.t.onboarding_activation) {
			next = STAGE_ONBOARDING;
			say(reason, reasonlen, "first activity (activation %.2f)", st.activation);
		}
		break;
	case STAGE_ONBOARDING:
		if (active_bar(&st)) {
			next = STAGE_ACTIVE;
			say_active(&st, "", reason, reasonlen);
		}
		break;
	case STAGE_ACTIVE:
		if (at_risk(&st)) {
			next = STAGE_AT_RISK;
			say_at_risk(&st, reason, reasonlen);
		}
		break;
	case STAGE_AT_RISK:
		if (active_bar(&st)) {
			next = STAGE_ACTIVE;
			say_active(&st, "back above the bar: ", reason, reasonlen);
		}
		break;
	case STAGE_CHURNED:
		/* Only a return leaves churned: scores alone never do. */
		if (st.returned) {
			next = STAGE_RECOVERED;
			fmt_days(days, sizeof(days), st.in_stage);
			say(reason, reasonlen, "returned after %s days churned", days);
		}
		break;
	case STAGE_RECOVERED:
		if (at_risk(&st)) {
			next = STAGE_AT_RISK;
			say_at_risk(&st, reason, reasonlen);
		} else if (st.in_stage >= st.t.recovered_days && active_bar(&st)) {
			next = STAGE_ACTIVE;
			fmt_days(days, sizeof(days), st.in_stage);
			snprintf(lead, sizeof(lead), "healthy %s days after recovery: ", days);
			say_active(&st, lead, reason, reasonlen);
		}
		break;
	case STAGE__MAX:
	default:
		break;
	}
	return next;
}
