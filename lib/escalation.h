/*
 * escalation.h — escalations: cases for a human.
 *
 * Placeholder: filled in by the issue that owns it.
 */
#ifndef RETIVO_ESCALATION_H
#define RETIVO_ESCALATION_H

int escalation_placeholder(void);

#endif
