/*
 * audit.h — the audit log of every state change.
 *
 * Placeholder: filled in by the issue that owns it.
 */
#ifndef RETIVO_AUDIT_H
#define RETIVO_AUDIT_H

int audit_placeholder(void);

#endif
