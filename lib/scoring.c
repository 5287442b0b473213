/*
 * scoring.c — the activation, engagement and expansion scores and the risk
 * level of doc/scoring.md, computed from the aggregates in struct
 * score_input. Pure arithmetic: no clock, no database, no allocation.
 *
 * Inputs come from SQL aggregates and settings, so they are trusted to be
 * roughly consistent, but never to be sane: a NaN, a negative count or a
 * ratio above one is clamped rather than allowed to leak a score outside
 * 0..1 into the users table and the playbook conditions that read it.
 */
#include "config.h"

#include "scoring.h"

/* Engagement weights (sum 1). */
#define W_FREQUENCY	0.35
#define W_BREADTH	0.25
#define W_RECENCY	0.25
#define W_RETENTION	0.15

/* Active on every other day of the window counts as fully engaged. */
#define FREQUENCY_FULL_SHARE	0.5
/* Ten distinct event types count as full breadth, however many exist. */
#define BREADTH_CAP		10

/* Expansion weights (sum 1). */
#define W_LIMIT		0.5
#define W_SIGNALS	0.5

/* Risk thresholds. */
#define RISK_HIGH_BELOW		0.15
#define RISK_HIGH_DROP		0.30
#define RISK_MEDIUM_BELOW	0.35
#define RISK_MEDIUM_DROP	0.15

/*
 * Boundaries are inclusive ("dropped by 0.3 or more"); a drop of 0.5 - 0.2
 * computes as 0.29999999999999999 in binary, so comparisons allow this
 * much slack to keep the documented boundaries exact.
 */
#define EPSILON		1e-9

/* x clamped to 0..1; NaN becomes 0. */
static double
clamp01(double x)
{
	if (!(x > 0))	/* also catches NaN */
		return 0;
	return x > 1 ? 1 : x;
}

/* num / den clamped to 0..1; 0 when den is not positive. */
static double
share(double num, double den)
{
	if (!(den > 0))
		return 0;
	return clamp01(num / den);
}

/* Activation: the share of onboarding milestones done, or any event at all. */
static double
scoring_activation(const struct score_input *in)
{
	if (in->milestones_total == 0)
		return in->has_any_event ? 1 : 0;
	return share(in->milestones_done, in->milestones_total);
}

/*
 * Recency: 1 for an event just now, falling linearly to 0 at the window's
 * far edge; 0 for a user with no event (negative or NaN days_since_last).
 */
static double
scoring_recency(double days_since_last, double window)
{
	if (!(days_since_last >= 0))
		return 0;
	return clamp01(1 - days_since_last / window);
}

/*
 * Engagement: the weighted mix of frequency, breadth, recency and retention
 * over the window. Without retention milestones their weight is shared
 * among the other three in proportion, so such a tenant's users can still
 * reach 1.
 */
static double
scoring_engagement(const struct score_input *in)
{
	double window, frequency, breadth, recency, retention, sum, weights;
	unsigned ref;

	window = in->window_days >= 1 ? in->window_days : 1;
	frequency = share(in->active_days_in_window, window * FREQUENCY_FULL_SHARE);

	/*
	 * The breadth reference is the tenant's type count capped at ten; an
	 * unknown (0) or stale count below the user's own is replaced by the
	 * user's own, so the share never exceeds 1 by accident.
	 */
	ref = in->types_total > in->types_in_window ? in->types_total : in->types_in_window;
	if (ref > BREADTH_CAP)
		ref = BREADTH_CAP;
	breadth = share(in->types_in_window, ref);

	recency = scoring_recency(in->days_since_last, window);

	sum = W_FREQUENCY * frequency + W_BREADTH * breadth + W_RECENCY * recency;
	weights = W_FREQUENCY + W_BREADTH + W_RECENCY;
	if (in->retention_total > 0) {
		retention = share(in->retention_done, in->retention_total);
		sum += W_RETENTION * retention;
		weights += W_RETENTION;
	}
	return clamp01(sum / weights);
}

/*
 * Expansion: plan-limit proximity and the share of signal weight seen, each
 * half; when only one kind is configured it carries the whole score, when
 * neither is the score is 0 (nothing suggests an upsell).
 */
static double
scoring_expansion(const struct score_input *in)
{
	double sum = 0, weights = 0;

	if (in->limit_ratio >= 0) {	/* false for NaN: no trait signal */
		sum += W_LIMIT * clamp01(in->limit_ratio);
		weights += W_LIMIT;
	}
	if (in->signal_weight_total > 0) {
		sum += W_SIGNALS * share(in->signal_weight_done, in->signal_weight_total);
		weights += W_SIGNALS;
	}
	return weights > 0 ? clamp01(sum / weights) : 0;
}

/*
 * Risk from the level of engagement and its fall since the last stored
 * computation (none when previous_engagement is negative or NaN).
 */
static enum risk_level
scoring_risk(const struct score_input *in, const struct scores *s)
{
	double drop = 0;
	enum risk_level r;

	if (in->previous_engagement >= 0)
		drop = clamp01(in->previous_engagement) - s->engagement;

	if (s->engagement < RISK_HIGH_BELOW - EPSILON || drop >= RISK_HIGH_DROP - EPSILON)
		r = RISK_HIGH;
	else if (s->engagement < RISK_MEDIUM_BELOW - EPSILON ||
	    drop >= RISK_MEDIUM_DROP - EPSILON)
		r = RISK_MEDIUM;
	else
		r = RISK_LOW;

	/* Not yet activated and silent for the whole window: never "low". */
	if (r == RISK_LOW && s->activation < 1 && in->events_in_window <= 0)
		r = RISK_MEDIUM;
	return r;
}

void
scoring_compute(const struct score_input *in, struct scores *out)
{
	out->activation = scoring_activation(in);
	out->engagement = scoring_engagement(in);
	out->expansion = scoring_expansion(in);
	out->risk = scoring_risk(in, out);
}

const char *
scoring_risk_name(enum risk_level r)
{
	switch (r) {
	case RISK_LOW:
		return "low";
	case RISK_MEDIUM:
		return "medium";
	case RISK_HIGH:
		return "high";
	}
	return "low";
}
