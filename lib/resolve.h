/*
 * resolve.h — target and attribute resolution for activities (pure).
 *
 * Placeholder: filled in by the issue that owns it.
 */
#ifndef RETIVO_RESOLVE_H
#define RETIVO_RESOLVE_H

int resolve_placeholder(void);

#endif
