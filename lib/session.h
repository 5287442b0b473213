/*
 * session.h — dashboard sessions of team members.
 *
 * Signing in creates a random 43-character token sent as the cookie
 * retivo_session (HttpOnly, SameSite=Lax, Path=/, Secure over HTTPS) and a
 * separate CSRF token returned in the JSON body; the row keeps the SHA-256
 * of the cookie token only. A session ends at logout, after
 * SESSION_IDLE_TTL without a request, or SESSION_ABSOLUTE_TTL after
 * sign-in, whichever comes first. lib/http.c accepts a session wherever a
 * Bearer key is absent, with the member's role mapped to scopes
 * (member.h), and requires X-CSRF-Token on every request that is not GET.
 */
#ifndef RETIVO_SESSION_H
#define RETIVO_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "auth.h"

#define SESSION_COOKIE		"retivo_session"
#define SESSION_TOKEN_LEN	43
#define SESSION_IDLE_TTL	(12 * 3600)
#define SESSION_ABSOLUTE_TTL	(7 * 86400)

/*
 * Finds the value of cookie name in a Cookie header ("a=1; b=2") and
 * copies it into out. Returns 1 when found and it fits, else 0. Pure.
 */
int session_cookie_value(const char *header, const char *name, char *out, size_t outlen);

/*
 * Formats the Set-Cookie value for token (NULL: one that clears the
 * cookie) into out. Pure.
 */
void session_cookie_format(const char *token, int secure, char *out, size_t outlen);

/*
 * Starts a session for the member. Writes the cookie token and the CSRF
 * token (each SESSION_TOKEN_LEN + 1 bytes). Returns 0 or -1.
 */
int session_create(const char *tenant_id, const char *member_id, int64_t now,
    char token_out[SESSION_TOKEN_LEN + 1], char csrf_out[SESSION_TOKEN_LEN + 1]);

/* Ends the session whose SHA-256 is hash (as auth.session_hash). 0 or -1. */
int session_destroy(const char *hash);

/*
 * Resolves a Cookie header to a live session and fills out as
 * auth_authenticate() does for a key (tenant, plan limits, scopes of the
 * member's role, member id and role, CSRF token). Returns AUTH_OK,
 * AUTH_MISSING (no session cookie), AUTH_UNKNOWN (unknown, expired or idle
 * session) or AUTH_ERROR. Touches last_seen_at at most once a minute.
 */
enum auth_result session_authenticate(const char *cookie_header, int64_t now, struct auth *out);

#endif
