/*
 * message.h — composing an intervention message.
 *
 * Placeholder: filled in by the issue that owns it.
 */
#ifndef RETIVO_MESSAGE_H
#define RETIVO_MESSAGE_H

int message_placeholder(void);

#endif
