/*
 * session_client.h — what the team, audit, billing and isolation suites
 * need beyond client.h: requests with a session cookie and a CSRF token
 * (or any extra header), members made with retivo-admin, and sign-in.
 */
#ifndef RETIVO_TEST_SESSION_CLIENT_H
#define RETIVO_TEST_SESSION_CLIENT_H

#include "client.h"

/* A signed-in member: the cookie value and the CSRF token from sign-in. */
struct session {
	char member_id[64];
	char email[128];
	char cookie[128];	/* "retivo_session=…", ready for a Cookie header */
	char csrf[64];
};

#define TEST_PASSWORD "correct-horse-battery-staple"

/*
 * As api(), but sends s's cookie (when s is not NULL), the CSRF header
 * csrf (NULL: none) and extra header lines separated by '\n' (NULL: none)
 * instead of a key. A POST or PUT without a body goes with an empty one
 * (Content-Length: 0).
 */
int api_session(struct resp *r, const char *method, const char *path, const struct session *s,
    const char *csrf, const char *header, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

/*
 * Creates a member of tenant with role through retivo-admin (password
 * TEST_PASSWORD, a random email) and signs it in. Returns 0 or -1.
 */
int fixture_member(struct session *s, const char *tenant_id, const char *role);

/* Signs in email with password into s. Returns the HTTP status (200). */
long session_login(struct session *s, const char *email, const char *password);

#endif
