/*
 * member.h — team members, invitations, passwords and dashboard sessions.
 *
 * Placeholder: filled in by the issue that owns it.
 */
#ifndef RETIVO_MEMBER_H
#define RETIVO_MEMBER_H

int member_placeholder(void);

#endif
