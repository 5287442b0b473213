/*
 * auth.h — API keys to tenant, mode and scopes.
 *
 * A key is "rt_live_" or "rt_test_" followed by 32 base62 characters. Only
 * its SHA-256 is stored; a request's key is hashed and looked up, so a
 * database dump yields no usable key.
 */
#ifndef RETIVO_AUTH_H
#define RETIVO_AUTH_H

#include <stddef.h>
#include <stdint.h>

#define SCOPE_FULL	0x01u
#define SCOPE_MANAGE	0x02u
#define SCOPE_INGEST	0x04u
#define SCOPE_DECIDE	0x08u
#define SCOPE_READ	0x10u
#define SCOPE_PARTNER	0x20u

#define AUTH_KEY_RANDOM_LEN	32
#define AUTH_KEY_LEN		(8 + AUTH_KEY_RANDOM_LEN)	/* "rt_live_" + random */
#define AUTH_PREFIX_LEN		12				/* shown in lists */

struct auth {
	char		key_id[48];
	char		tenant_id[40];
	char		tenant_role[16];	/* standalone, partner, customer */
	char		parent_tenant_id[40];
	char		plan[16];		/* starter, growth, scale, custom */
	long long	api_limit;		/* requests per hour for this tenant */
	long long	track_limit;		/* tracked events per hour */
	unsigned	scopes;
	int		test_mode;
	/* Set instead of key_id when a member's session cookie authenticated
	 * the request (lib/session.c): scopes then come from the role. */
	int		session;
	char		member_id[48];
	char		member_role[16];	/* admin, editor, viewer */
	char		csrf[48];		/* the session's X-CSRF-Token */
	char		session_hash[65];	/* SHA-256 of the cookie token */
};

enum auth_result {
	AUTH_OK = 0,
	AUTH_MISSING,		/* no Authorization header or not Bearer */
	AUTH_MALFORMED,		/* not an rt_live_/rt_test_ key */
	AUTH_UNKNOWN,		/* well formed, not ours */
	AUTH_REVOKED,
	AUTH_ERROR		/* database trouble, already logged */
};

/* Scope name to bit, 0 when unknown. */
unsigned auth_scope_bit(const char *name);

/*
 * Parses a comma-separated scope list ("full,read") into bits. Returns -1
 * when a name is unknown (its index in *bad when bad is not NULL).
 */
int auth_scopes_parse(const char *csv, unsigned *out, int *bad);

/* Writes the canonical comma-separated list of scope bits into buf. */
void auth_scopes_format(unsigned scopes, char *buf, size_t len);

/* 1 when key has the rt_live_/rt_test_ shape (test mode in *test_mode). */
int auth_key_wellformed(const char *key, int *test_mode);

/* Creates a new random key of the mode into out (AUTH_KEY_LEN + 1 bytes). */
int auth_key_generate(int test_mode, char *out);

/*
 * Resolves the Authorization header value (may be NULL) to a key and its
 * tenant. Also stamps the key's last_used_at (at most once a minute, so a
 * busy key is not one UPDATE per request).
 */
/*
 * Sets out->api_limit and track_limit from the plan in out->plan and the
 * tenant's override columns (NULL when unset), as both keys and sessions
 * need.
 */
void auth_set_limits(struct auth *out, const char *api_override, const char *track_override);

enum auth_result auth_authenticate(const char *authorization, int64_t now, struct auth *out);

#endif
