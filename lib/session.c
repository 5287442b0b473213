/*
 * session.c — member sessions as rows (see session.h).
 *
 * The cookie carries ~256 random bits, so its SHA-256 is the right stored
 * form (as for API keys): a leaked table cannot be replayed, and looking a
 * session up costs one indexed read per request.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "crypto.h"
#include "db.h"
#include "log.h"
#include "member.h"
#include "session.h"
#include "timeutil.h"

int
session_cookie_value(const char *header, const char *name, char *out, size_t outlen)
{
	const char *p = header, *end;
	size_t nl = strlen(name), vl;

	while (p != NULL && *p != '\0') {
		while (*p == ' ' || *p == ';')
			p++;
		end = strchr(p, ';');
		if (end == NULL)
			end = p + strlen(p);
		if ((size_t)(end - p) > nl && strncmp(p, name, nl) == 0 && p[nl] == '=') {
			vl = (size_t)(end - p) - nl - 1;
			while (vl > 0 && p[nl + vl] == ' ')
				vl--;
			if (vl == 0 || vl >= outlen)
				return 0;
			memcpy(out, p + nl + 1, vl);
			out[vl] = '\0';
			return 1;
		}
		p = end;
	}
	return 0;
}

void
session_cookie_format(const char *token, int secure, char *out, size_t outlen)
{
	if (token != NULL)
		snprintf(out, outlen, SESSION_COOKIE "=%s; Path=/; Max-Age=%d; HttpOnly; "
		    "SameSite=Lax%s", token, SESSION_ABSOLUTE_TTL, secure ? "; Secure" : "");
	else
		snprintf(out, outlen, SESSION_COOKIE "=; Path=/; Max-Age=0; HttpOnly; "
		    "SameSite=Lax%s", secure ? "; Secure" : "");
}

static struct db_stmt session_insert = DB_STMT(
    "INSERT INTO member_sessions (token_hash, tenant_id, member_id, csrf_token, created_at, "
    "  last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
static struct db_stmt session_delete = DB_STMT(
    "DELETE FROM member_sessions WHERE token_hash = ?");
static struct db_stmt session_lookup = DB_STMT(
    "SELECT s.member_id, s.tenant_id, s.csrf_token, m.role, "
    "  s.last_seen_at < ? - INTERVAL 60 SECOND, "
    "  t.role, IFNULL(t.parent_tenant_id, ''), t.plan_tier, "
    "  t.api_limit_override, t.track_limit_override "
    "FROM member_sessions s JOIN members m ON m.id = s.member_id AND m.tenant_id = s.tenant_id "
    "JOIN tenants t ON t.id = s.tenant_id "
    "WHERE s.token_hash = ? AND s.expires_at > ? AND s.last_seen_at > ?");
static struct db_stmt session_touch = DB_STMT(
    "UPDATE member_sessions SET last_seen_at = ? WHERE token_hash = ?");

int
session_create(const char *tenant_id, const char *member_id, int64_t now,
    char token_out[SESSION_TOKEN_LEN + 1], char csrf_out[SESSION_TOKEN_LEN + 1])
{
	char hash[65], ts[20], exp[20];

	if (crypto_random_base62(token_out, SESSION_TOKEN_LEN) != 0 ||
	    crypto_random_base62(csrf_out, SESSION_TOKEN_LEN) != 0)
		return -1;
	crypto_sha256_hex(token_out, strlen(token_out), hash);
	time_format_sql(now, ts);
	time_format_sql(now + SESSION_ABSOLUTE_TTL, exp);
	if (db_exec(&session_insert, "sssssss", hash, tenant_id, member_id, csrf_out, ts, ts,
	    exp) != 0)
		return -1;
	db_done(&session_insert);
	return 0;
}

int
session_destroy(const char *hash)
{
	if (db_exec(&session_delete, "s", hash) != 0)
		return -1;
	db_done(&session_delete);
	return 0;
}

enum auth_result
session_authenticate(const char *cookie_header, int64_t now, struct auth *out)
{
	struct db_stmt *s = &session_lookup;
	char token[SESSION_TOKEN_LEN + 8], ts[20], idle[20];
	int stale, found;

	memset(out, 0, sizeof(*out));
	if (!session_cookie_value(cookie_header, SESSION_COOKIE, token, sizeof(token)))
		return AUTH_MISSING;
	if (strlen(token) != SESSION_TOKEN_LEN)
		return AUTH_UNKNOWN;
	crypto_sha256_hex(token, strlen(token), out->session_hash);
	time_format_sql(now, ts);
	time_format_sql(now - SESSION_IDLE_TTL, idle);
	if (db_exec(s, "ssss", ts, out->session_hash, ts, idle) != 0)
		return AUTH_ERROR;
	if ((found = db_fetch(s)) != 1) {
		db_done(s);
		out->session_hash[0] = '\0';
		return found == 0 ? AUTH_UNKNOWN : AUTH_ERROR;
	}
	snprintf(out->member_id, sizeof(out->member_id), "%s", db_col(s, 0));
	snprintf(out->tenant_id, sizeof(out->tenant_id), "%s", db_col(s, 1));
	snprintf(out->csrf, sizeof(out->csrf), "%s", db_col(s, 2));
	snprintf(out->member_role, sizeof(out->member_role), "%s", db_col(s, 3));
	stale = (int)db_col_int(s, 4);
	snprintf(out->tenant_role, sizeof(out->tenant_role), "%s", db_col(s, 5));
	snprintf(out->parent_tenant_id, sizeof(out->parent_tenant_id), "%s", db_col(s, 6));
	snprintf(out->plan, sizeof(out->plan), "%s", db_col(s, 7));
	auth_set_limits(out, db_col(s, 8), db_col(s, 9));
	db_done(s);
	out->scopes = member_role_scopes(out->member_role);
	out->session = 1;
	if (stale && db_exec(&session_touch, "ss", ts, out->session_hash) == 0)
		db_done(&session_touch);
	return AUTH_OK;
}
