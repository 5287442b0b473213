/*
 * lifecycle.h — the stage machine of seed 003: new → onboarding → active
 * → at_risk → churned → recovered (and recovered → active, at_risk again,
 * …). A pure transition function; thresholds come from tenant settings
 * with the defaults below. Every transition carries a reason sentence.
 */
#ifndef RETIVO_LIFECYCLE_H
#define RETIVO_LIFECYCLE_H

#include <stddef.h>

#include "scoring.h"

enum stage {
	STAGE_NEW,
	STAGE_ONBOARDING,
	STAGE_ACTIVE,
	STAGE_AT_RISK,
	STAGE_CHURNED,
	STAGE_RECOVERED,
	STAGE__MAX
};

struct lifecycle_thresholds {
	double	onboarding_activation;	/* any event and activation >= this:
					 * onboarding (default 0) */
	double	active_activation;	/* activation >= this ... (default 0.6) */
	double	active_engagement;	/* ... and engagement >= this: active (0.3) */
	double	at_risk_engagement;	/* engagement below this: at risk (0.15) */
	double	at_risk_days;		/* or this many days inactive: at risk (7) */
	double	churn_days;		/* this many days inactive: churned (30) */
	double	recovered_days;		/* recovered becomes active after (14) */
};

/* The defaults above. */
void lifecycle_defaults(struct lifecycle_thresholds *t);

/* "new", "onboarding", ...; NULL for an invalid value. */
const char *lifecycle_stage_name(enum stage s);

/* The stage for a name, or -1. */
int lifecycle_stage_parse(const char *name);

/*
 * The next stage for a user now in `current`, given fresh scores, the days
 * since the last event (< 0: never), whether the user did something since
 * the stage began (returned_since_change: for churned → recovered), and the
 * days spent in the current stage. Writes a one-sentence reason into
 * reason (reasonlen bytes) when the stage changes. Pure.
 */
enum stage lifecycle_next(enum stage current, const struct scores *s, double days_inactive,
    double days_in_stage, int returned_since_change, const struct lifecycle_thresholds *t,
    char *reason, size_t reasonlen);

#endif
