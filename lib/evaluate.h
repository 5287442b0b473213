/*
 * evaluate.h — matching users to playbooks and creating interventions.
 *
 * Placeholder: filled in by the issue that owns it.
 */
#ifndef RETIVO_EVALUATE_H
#define RETIVO_EVALUATE_H

int evaluate_placeholder(void);

#endif
