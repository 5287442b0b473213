/*
 * quality.h — quality checks of a rendered message (pure).
 *
 * Placeholder: filled in by the issue that owns it.
 */
#ifndef RETIVO_QUALITY_H
#define RETIVO_QUALITY_H

int quality_placeholder(void);

#endif
