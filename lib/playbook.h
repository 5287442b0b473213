/*
 * playbook.h — playbooks: conditions, constraints and hints (pure), storage, starter set.
 *
 * Placeholder: filled in by the issue that owns it.
 */
#ifndef RETIVO_PLAYBOOK_H
#define RETIVO_PLAYBOOK_H

int playbook_placeholder(void);

#endif
