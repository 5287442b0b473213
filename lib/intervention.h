/*
 * intervention.h — interventions: the state machine (pure) and storage.
 *
 * Placeholder: filled in by the issue that owns it.
 */
#ifndef RETIVO_INTERVENTION_H
#define RETIVO_INTERVENTION_H

int intervention_placeholder(void);

#endif
