/*
 * deliver_helpers.h — what the deliver suite's files share
 * (test_deliver.c, test_deliver_channels.c): users and approved
 * interventions made directly in the database through RETIVO_SQL (the
 * deliver job is under test, not how interventions come to be approved),
 * and readers of an intervention's columns.
 */
#ifndef RETIVO_TEST_DELIVER_HELPERS_H
#define RETIVO_TEST_DELIVER_HELPERS_H

#include <stddef.h>

/* A per-run suffix for addresses and user ids ("p12345"). */
const char *dh_suffix(void);

/* Makes a user with an email address (NULL: none). 0 or -1. */
int dh_user(const char *tenant, const char *user_id, const char *email);

/*
 * Makes an approved intervention (subject with a non-ASCII letter, a text
 * and an HTML body without the unsubscribe link) planned and due at
 * `planned` ("2030-01-01 00:00:00"), with the flags given; id into id
 * (48 bytes). 0 or -1.
 */
int dh_int(char *id, const char *tenant, const char *user_id, const char *channel,
    const char *planned, int test_mode, int shadow);

/* One column of an intervention as text ("NULL" for NULL), static buffer. */
const char *dh_col(const char *id, const char *col);

/* The number of history rows of id moving from -> to (from "" = any). */
long long dh_moves(const char *id, const char *from, const char *to);

/* PUT /api/settings/kill-switch {"active": on}; the status. */
long dh_kill(const char *key, int on);

struct fixture;

/* The webhook, external-action and escalation channels
 * (test_deliver_channels.c), run by suite_deliver() on its tenant. */
void deliver_channels(const struct fixture *a);

#endif
