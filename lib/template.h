/*
 * template.h — the message template engine (pure).
 *
 * Placeholder: filled in by the issue that owns it.
 */
#ifndef RETIVO_TEMPLATE_H
#define RETIVO_TEMPLATE_H

int template_placeholder(void);

#endif
