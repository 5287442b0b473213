/*
 * activity.h — activities (TASK/MESSAGE) for commerces: storage, lifecycle, dispatch.
 *
 * Placeholder: filled in by the issue that owns it.
 */
#ifndef RETIVO_ACTIVITY_H
#define RETIVO_ACTIVITY_H

int activity_placeholder(void);

#endif
