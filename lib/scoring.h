/*
 * scoring.h — the three scores of seed 003 (activation, engagement,
 * expansion, each 0–1) and the risk level, as pure functions of a user's
 * aggregated events and the tenant's settings. The formulas, their inputs
 * and weights are written down in doc/scoring.md.
 *
 * The caller (the scores job, the customers API, dry-run, recommendations)
 * aggregates the inputs with set-based SQL; nothing here reads a clock or
 * a database.
 */
#ifndef RETIVO_SCORING_H
#define RETIVO_SCORING_H

enum risk_level {
	RISK_LOW,
	RISK_MEDIUM,
	RISK_HIGH
};

struct score_input {
	/* Activation: onboarding milestones of the tenant's settings. */
	unsigned	milestones_total;	/* 0: no milestones configured */
	unsigned	milestones_done;
	int		has_any_event;		/* ever, for the no-milestones case */

	/* Engagement: the rolling window (settings engagement_window_days). */
	unsigned	window_days;		/* >= 1 */
	long long	events_in_window;	/* occurred in (now - window, now] */
	unsigned	active_days_in_window;	/* distinct UTC days with events */
	unsigned	types_in_window;	/* distinct event names */
	unsigned	types_total;		/* distinct names the tenant's users use
						 * (breadth reference), >= 1 when known */
	double		days_since_last;	/* since the last event at or before now;
						 * < 0 when none */
	unsigned	retention_total;	/* retention milestones configured */
	unsigned	retention_done;		/* done within the window */

	/* Expansion. */
	double		limit_ratio;		/* max over trait signals of
						 * value/threshold; < 0 when none */
	double		signal_weight_done;	/* sum of weights of event signals seen
						 * in the window */
	double		signal_weight_total;	/* sum of weights of event signals */

	/* Trend: the engagement score the last computation stored; < 0 if none. */
	double		previous_engagement;
};

struct scores {
	double		activation;
	double		engagement;
	double		expansion;
	enum risk_level	risk;
};

/* Computes the scores and risk from in. Pure; every output is in 0..1. */
void scoring_compute(const struct score_input *in, struct scores *out);

/* "low", "medium", "high". */
const char *scoring_risk_name(enum risk_level r);

#endif
