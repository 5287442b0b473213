/*
 * decision.h — decisions in the database: user context, arm posteriors, the decision log and outcomes.
 *
 * Placeholder: filled in by the issue that owns it.
 */
#ifndef RETIVO_DECISION_H
#define RETIVO_DECISION_H

int decision_placeholder(void);

#endif
