/*
 * test_team.c — seed 003 teams: sign-in and sessions (cookie attributes,
 * CSRF, expiry, sign-out), invitations (seats, expiry, reuse), members and
 * roles (the last admin), and the permission table for editor and viewer
 * sessions on the routes it covers.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "client.h"
#include "helpers.h"
#include "session_client.h"
#include "suites.h"

/* A request by a session with its CSRF token. */
#define S(r, m, p, s, ...) api_session(r, m, p, s, (s)->csrf, NULL, __VA_ARGS__)

static void
team_sessions(const struct fixture *f, struct session *admin)
{
	struct session bad, fresh;
	struct resp r;
	const char *c;

	api(&r, "POST", "/api/auth/login", NULL, "{\"email\":\"%s\",\"password\":\"wrong-password-123\"}",
	    admin->email);
	ok(is_error(&r, 401, "invalid email or password") &&
	    strcmp(jstr(&r, "code"), "invalid_credentials") == 0, "login: wrong password 401 (%s)", r.body);
	ok(resp_header(&r, "Set-Cookie") == NULL, "login: no cookie on failure");
	resp_free(&r);
	api(&r, "POST", "/api/auth/login", NULL,
	    "{\"email\":\"nobody-%s\",\"password\":\"wrong-password-123\"}", admin->email);
	ok(is_error(&r, 401, "invalid email or password"), "login: unknown email, the same 401");
	resp_free(&r);
	api(&r, "POST", "/api/auth/login", NULL, "{\"email\":\"%s\"}", admin->email);
	ok(is_error(&r, 400, "password") && strcmp(jstr(&r, "field"), "password") == 0,
	    "login: missing password 400 naming it");
	resp_free(&r);

	api(&r, "POST", "/api/auth/login", NULL, "{\"email\":\"%s\",\"password\":\"%s\"}",
	    admin->email, TEST_PASSWORD);
	c = resp_header(&r, "Set-Cookie");
	ok(r.status == 200 && jstr(&r, "member.id") && jstr(&r, "member.role") &&
	    strcmp(jstr(&r, "member.role"), "admin") == 0 && jstr(&r, "member.tenant_id") &&
	    strcmp(jstr(&r, "member.tenant_id"), f->tenant_id) == 0 && jstr(&r, "member.email") &&
	    jstr(&r, "csrf_token") && strlen(jstr(&r, "csrf_token")) >= 32,
	    "login: 200 {member:{id,email,role,tenant_id}, csrf_token} (%s)", r.body);
	ok(c != NULL && strncmp(c, "retivo_session=", 15) == 0 && strstr(c, "HttpOnly") &&
	    strstr(c, "SameSite=Lax") && strstr(c, "Path=/") && !strstr(c, "Secure"),
	    "login: cookie HttpOnly, SameSite=Lax, Path=/, not Secure over HTTP (%s)", c ? c : "none");
	ok(strstr(r.body, "password") == NULL && strstr(r.body, "pbkdf2") == NULL,
	    "login: no password hash in the answer");
	resp_free(&r);
	api_session(&r, "POST", "/api/auth/login", NULL, NULL, "X-Forwarded-Proto: https",
	    "{\"email\":\"%s\",\"password\":\"%s\"}", admin->email, TEST_PASSWORD);
	c = resp_header(&r, "Set-Cookie");
	ok(r.status == 200 && c != NULL && strstr(c, "; Secure") != NULL,
	    "login: Secure cookie behind a TLS proxy on loopback (X-Forwarded-Proto)");
	resp_free(&r);

	api_session(&r, "GET", "/api/auth/me", admin, NULL, NULL, NULL);
	ok(r.status == 200 && jstr(&r, "actor_type") && strcmp(jstr(&r, "actor_type"), "member") == 0 &&
	    jstr(&r, "member.id") && strcmp(jstr(&r, "member.id"), admin->member_id) == 0 &&
	    jstr(&r, "scopes.0") && strcmp(jstr(&r, "scopes.0"), "full") == 0,
	    "me: the session's member and the admin scopes (%s)", r.body);
	ok(resp_header(&r, "X-RateLimit-Limit") && strcmp(resp_header(&r, "X-RateLimit-Limit"), "1000") == 0,
	    "session: rate limit headers of the tenant's plan");
	resp_free(&r);
	api(&r, "GET", "/api/auth/me", f->key, NULL);
	ok(r.status == 200 && strcmp(jstr(&r, "actor_type"), "api_key") == 0 && jstr(&r, "key_id"),
	    "me: with a key, the key");
	resp_free(&r);

	/* CSRF: a write with the cookie alone is what a forged form sends. */
	api_session(&r, "PUT", "/api/users/pause", admin, NULL, NULL, "{\"user_ids\":[\"u1\"]}");
	ok(is_error(&r, 403, "CSRF") && strcmp(jstr(&r, "code"), "csrf_failed") == 0,
	    "csrf: a write without X-CSRF-Token is 403 csrf_failed (%s)", r.body);
	resp_free(&r);
	api_session(&r, "PUT", "/api/users/pause", admin, "x" "0123456789abcdef0123456789abcdef0123456789",
	    NULL, "{\"user_ids\":[\"u1\"]}");
	ok(is_error(&r, 403, NULL) && strcmp(jstr(&r, "code"), "csrf_failed") == 0,
	    "csrf: a wrong token is 403");
	resp_free(&r);
	S(&r, "PUT", "/api/users/pause", admin, "{\"user_ids\":[\"u1\"]}");
	ok(r.status == 200, "csrf: the right token passes (%ld %s)", r.status, r.body);
	resp_free(&r);

	memset(&bad, 0, sizeof(bad));
	snprintf(bad.cookie, sizeof(bad.cookie), "retivo_session=%s", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	api_session(&r, "GET", "/api/team/members", &bad, NULL, NULL, NULL);
	ok(is_error(&r, 401, "sign in") && strcmp(jstr(&r, "code"), "invalid_session") == 0,
	    "session: unknown cookie 401 invalid_session");
	resp_free(&r);
	api(&r, "GET", "/api/team/members", NULL, NULL);
	ok(r.status == 401, "no key, no cookie: 401");
	resp_free(&r);

	/* Expiry, by moving the session's clock in the database. */
	if (!ok(session_login(&fresh, admin->email, TEST_PASSWORD) == 200, "second session"))
		return;
	api_session(&r, "GET", "/api/team/members", &fresh, NULL, NULL, NULL);
	ok(r.status == 200, "session: works before expiry");
	resp_free(&r);
	sql_query(NULL, 0, "UPDATE member_sessions SET last_seen_at = UTC_TIMESTAMP() - INTERVAL 13 HOUR "
	    "WHERE member_id = '%s' AND created_at >= UTC_TIMESTAMP() - INTERVAL 1 MINUTE "
	    "AND token_hash = SHA2('%s', 256)", fresh.member_id, fresh.cookie + 15);
	api_session(&r, "GET", "/api/team/members", &fresh, NULL, NULL, NULL);
	ok(is_error(&r, 401, NULL) && strcmp(jstr(&r, "code"), "invalid_session") == 0,
	    "session: 12 h idle ends it (401)");
	resp_free(&r);
	session_login(&fresh, admin->email, TEST_PASSWORD);
	sql_query(NULL, 0, "UPDATE member_sessions SET expires_at = UTC_TIMESTAMP() - INTERVAL 1 SECOND "
	    "WHERE token_hash = SHA2('%s', 256)", fresh.cookie + 15);
	api_session(&r, "GET", "/api/team/members", &fresh, NULL, NULL, NULL);
	ok(is_error(&r, 401, NULL), "session: past its absolute expiry, 401");
	resp_free(&r);
	ok(sql_int("SELECT COUNT(*) FROM member_sessions WHERE token_hash = '%s'", fresh.cookie + 15) == 0,
	    "session: the cookie token itself is not stored (only its hash)");
	{
		char out[512];

		ok(admin_run(out, sizeof(out), "gc") == 0 && strstr(out, "sessions_deleted") &&
		    sql_int("SELECT COUNT(*) FROM member_sessions WHERE token_hash = SHA2('%s', 256)",
		    fresh.cookie + 15) == 0, "gc: retivo-admin gc prunes expired sessions (%s)", out);
	}

	/* Sign-out ends that session only. */
	session_login(&fresh, admin->email, TEST_PASSWORD);
	api_session(&r, "POST", "/api/auth/logout", &fresh, NULL, NULL, NULL);
	ok(is_error(&r, 403, NULL), "logout: needs the CSRF token too");
	resp_free(&r);
	S(&r, "POST", "/api/auth/logout", &fresh, NULL);
	c = resp_header(&r, "Set-Cookie");
	ok(r.status == 200 && c && strstr(c, "Max-Age=0"), "logout: 200 and the cookie cleared");
	resp_free(&r);
	api_session(&r, "GET", "/api/auth/me", &fresh, NULL, NULL, NULL);
	ok(r.status == 401, "logout: the session no longer works");
	resp_free(&r);
	api_session(&r, "GET", "/api/auth/me", admin, NULL, NULL, NULL);
	ok(r.status == 200, "logout: other sessions of the member live on");
	resp_free(&r);
	api(&r, "POST", "/api/auth/logout", f->key, "{}");
	ok(is_error(&r, 400, NULL), "logout with a key: 400, nothing to sign out");
	resp_free(&r);
}

static void
team_invitations(const struct fixture *f, const struct fixture *g, struct session *admin)
{
	struct resp r;
	struct session joined;
	char token[128], token2[128], inv2[64], path[160], email[128];

	S(&r, "POST", "/api/team/invite", admin, "{\"email\":\"Alice-%s@Example.com\",\"role\":\"editor\"}",
	    f->tenant_id);
	ok(r.status == 201 && jstr(&r, "invitation.id") && strncmp(jstr(&r, "invitation.id"), "inv_", 4) == 0 &&
	    jstr(&r, "invitation.role") && strcmp(jstr(&r, "invitation.role"), "editor") == 0 &&
	    jstr(&r, "invitation.expires_at") && jstr(&r, "token") && strlen(jstr(&r, "token")) == 43,
	    "invite: 201 {invitation:{id,email,role,expires_at}, token} (%s)", r.body);
	snprintf(email, sizeof(email), "alice-%s@example.com", f->tenant_id);
	ok(jstr(&r, "invitation.email") && strcmp(jstr(&r, "invitation.email"), email) == 0,
	    "invite: email stored lowercase");
	snprintf(token, sizeof(token), "%s", nz(jstr(&r, "token")));
	resp_free(&r);
	ok(sql_int("SELECT TIMESTAMPDIFF(HOUR, created_at, expires_at) FROM invitations "
	    "WHERE tenant_id = '%s' AND email = '%s'", f->tenant_id, email) == 168,
	    "invite: expires after 7 days");
	ok(sql_int("SELECT COUNT(*) FROM invitations WHERE token_hash = '%s'", token) == 0,
	    "invite: the token is stored only as a hash");

	S(&r, "POST", "/api/team/invite", admin, "{\"email\":\"%s\",\"role\":\"viewer\"}", email);
	ok(is_error(&r, 409, NULL) && strcmp(jstr(&r, "code"), "already_invited") == 0,
	    "invite: a second pending invitation for the email is 409");
	resp_free(&r);
	api(&r, "POST", "/api/team/invite", f->key, "{\"email\":\"not-an-email\",\"role\":\"viewer\"}");
	ok(is_error(&r, 400, "email") && strcmp(jstr(&r, "field"), "email") == 0, "invite: bad email 400");
	resp_free(&r);
	api(&r, "POST", "/api/team/invite", f->key, "{\"email\":\"b@example.com\",\"role\":\"owner\"}");
	ok(is_error(&r, 400, NULL) && strcmp(jstr(&r, "field"), "role") == 0, "invite: unknown role 400");
	resp_free(&r);
	api(&r, "POST", "/api/team/invite", f->key, "{\"email\":\"bob-%s@example.com\",\"role\":\"viewer\"}",
	    f->tenant_id);
	ok(r.status == 201, "invite: by a full key too (%s)", r.body);
	snprintf(token2, sizeof(token2), "%s", nz(jstr(&r, "token")));
	snprintf(inv2, sizeof(inv2), "%s", nz(jstr(&r, "invitation.id")));
	resp_free(&r);

	/* Starter: 3 seats = the admin and two pending invitations. */
	api(&r, "POST", "/api/team/invite", f->key, "{\"email\":\"carol@example.com\",\"role\":\"viewer\"}");
	ok(r.status == 402 && jstr(&r, "code") && strcmp(jstr(&r, "code"), "seat_limit") == 0 &&
	    jint(&r, "current") == 3 && jint(&r, "limit") == 3 && jstr(&r, "upgrade_to") &&
	    strcmp(jstr(&r, "upgrade_to"), "growth") == 0 && jstr(&r, "error"),
	    "invite: the starter plan's 4th seat is 402 {error, code, current, limit, upgrade_to} (%s)", r.body);
	resp_free(&r);

	api(&r, "GET", "/api/team/invitations", f->key, NULL);
	ok(r.status == 200 && json_object_array_length(jget(&r, "invitations")) == 2 &&
	    jstr(&r, "invitations.0.status") && strcmp(jstr(&r, "invitations.0.status"), "pending") == 0 &&
	    strstr(r.body, token) == NULL && strstr(r.body, "token") == NULL,
	    "invitations: both pending, never the token (%s)", r.body);
	resp_free(&r);

	/* Accept. */
	api(&r, "POST", "/api/team/accept", NULL, "{\"token\":\"%s\",\"password\":\"short\"}", token);
	ok(is_error(&r, 400, "12") && strcmp(jstr(&r, "field"), "password") == 0,
	    "accept: a password under 12 characters is 400");
	resp_free(&r);
	api(&r, "POST", "/api/team/accept", NULL, "{\"token\":\"nope\",\"password\":\"%s\"}", TEST_PASSWORD);
	ok(is_error(&r, 400, "token") && strcmp(jstr(&r, "field"), "token") == 0,
	    "accept: an unknown token is 400 naming token");
	resp_free(&r);
	api(&r, "POST", "/api/team/accept", NULL,
	    "{\"token\":\"%s\",\"name\":\"Alice\",\"password\":\"%s\"}", token, TEST_PASSWORD);
	ok(r.status == 201 && jstr(&r, "member.id") && strncmp(jstr(&r, "member.id"), "mem_", 4) == 0 &&
	    strcmp(jstr(&r, "member.role"), "editor") == 0 && strcmp(jstr(&r, "member.email"), email) == 0 &&
	    strcmp(jstr(&r, "member.name"), "Alice") == 0 &&
	    strcmp(jstr(&r, "member.tenant_id"), f->tenant_id) == 0,
	    "accept: 201 the member with the invited role (%s)", r.body);
	resp_free(&r);
	api(&r, "POST", "/api/team/accept", NULL, "{\"token\":\"%s\",\"password\":\"%s\"}", token,
	    TEST_PASSWORD);
	ok(is_error(&r, 400, "token") && strcmp(jstr(&r, "code"), "token_used") == 0 &&
	    strcmp(jstr(&r, "field"), "token") == 0, "accept: reused token 400 token_used (%s)", r.body);
	resp_free(&r);
	ok(session_login(&joined, email, TEST_PASSWORD) == 200, "accept: the new member can sign in");

	sql_query(NULL, 0, "UPDATE invitations SET expires_at = UTC_TIMESTAMP() - INTERVAL 1 SECOND "
	    "WHERE id = '%s'", inv2);
	api(&r, "POST", "/api/team/accept", NULL, "{\"token\":\"%s\",\"password\":\"%s\"}", token2,
	    TEST_PASSWORD);
	ok(is_error(&r, 400, "expired") && strcmp(jstr(&r, "code"), "token_expired") == 0 &&
	    strcmp(jstr(&r, "field"), "token") == 0, "accept: after 7 days 400 token_expired (%s)", r.body);
	resp_free(&r);
	api(&r, "GET", "/api/team/invitations", f->key, NULL);
	ok(r.status == 200 && strcmp(jstr(&r, "invitations.0.status"), "expired") == 0 &&
	    strcmp(jstr(&r, "invitations.1.status"), "accepted") == 0, "invitations: expired, accepted");
	resp_free(&r);

	/* An expired invitation frees its seat: admin + alice = 2 of 3. */
	api(&r, "POST", "/api/team/invite", f->key, "{\"email\":\"dave-%s@example.com\",\"role\":\"viewer\"}",
	    f->tenant_id);
	ok(r.status == 201, "seats: an expired invitation no longer holds a seat");
	snprintf(path, sizeof(path), "/api/team/invitations/%s",
	    jstr(&r, "invitation.id") ? jstr(&r, "invitation.id") : "x");
	resp_free(&r);
	api(&r, "DELETE", path, g->key, NULL);
	ok(is_error(&r, 404, NULL), "revoke: another tenant's invitation is 404");
	resp_free(&r);
	api(&r, "DELETE", path, f->key, NULL);
	ok(r.status == 200 && strcmp(jstr(&r, "invitation.status"), "revoked") == 0, "revoke: 200 revoked");
	resp_free(&r);
	api(&r, "DELETE", path, f->key, NULL);
	ok(is_error(&r, 404, NULL), "revoke: twice is 404");
	resp_free(&r);
}

/*
 * The rows of seed 003's permission table that have routes today, with the
 * status each role gets (-1: not tried, e.g. it would use a seat). The
 * interventions (approve/reject) and playbooks rows belong to routes of
 * other branches; their scope is manage, which editors hold.
 */
static const struct {
	const char *row, *method, *path, *body;
	int admin, editor, viewer;
} seed003[] = {
	{ "View dashboard, customers, analytics", "GET", "/api/customers", NULL, 200, 200, 200 },
	{ "View dashboard, customers, analytics", "GET", "/api/customers/stats", NULL, 200, 200, 200 },
	{ "View dashboard, customers, analytics", "GET", "/api/settings", NULL, 200, 200, 200 },
	{ "Batch pause/unpause users", "PUT", "/api/users/pause", "{\"user_ids\":[\"u1\"]}", 200, 200, 403 },
	{ "Batch pause/unpause users", "PUT", "/api/users/unpause", "{\"user_ids\":[\"u1\"]}", 200, 200, 403 },
	{ "Manage team members", "POST", "/api/team/invite",
	  "{\"email\":\"seed003@example.com\",\"role\":\"viewer\"}", -1, 403, 403 },
	{ "Manage team members", "GET", "/api/team/members", NULL, 200, 200, 200 },
	{ "Toggle kill switch / shadow mode", "PUT", "/api/settings/kill-switch", "{\"active\":false}",
	  200, 403, 403 },
	{ "Toggle kill switch / shadow mode", "PATCH", "/api/settings", "{\"shadow_mode\":false}",
	  200, 403, 403 },
	{ "(other settings are editing)", "PATCH", "/api/settings", "{\"winback_days\":[5,30,60]}",
	  200, 200, 403 },
	{ "Manage billing", "PUT", "/api/billing/plan", "{\"plan_tier\":\"starter\"}", 200, 403, 403 },
	{ "Manage billing", "GET", "/api/billing", NULL, 200, 200, 200 },
	{ "View audit logs", "GET", "/api/audit-logs", NULL, 200, 403, 403 },
	{ "Manage API keys", "POST", "/api/keys", "{\"mode\":\"test\",\"scopes\":[\"read\"]}",
	  201, 403, 403 },
	{ "Manage API keys", "GET", "/api/keys", NULL, 200, 403, 403 },
};

static void
team_members(const struct fixture *f, const struct fixture *g, struct session *admin)
{
	struct resp r;
	struct session ed, vw;
	char path[160], rolepath[160];
	size_t i, j;

	if (!ok(fixture_member(&ed, f->tenant_id, "editor") == 0 &&
	    fixture_member(&vw, f->tenant_id, "viewer") == 0, "members: editor and viewer fixtures"))
		return;
	api_session(&r, "GET", "/api/team/members", &vw, NULL, NULL, NULL);
	ok(r.status == 200 && json_object_array_length(jget(&r, "members")) >= 3 &&
	    strstr(r.body, ed.member_id) && strstr(r.body, admin->member_id) &&
	    strstr(r.body, "pbkdf2") == NULL, "members: a viewer sees the team, no hashes");
	resp_free(&r);
	api(&r, "GET", "/api/team/members?limit=1", f->key, NULL);
	ok(r.status == 200 && json_object_array_length(jget(&r, "members")) == 1 &&
	    json_object_get_boolean(jget(&r, "has_more")), "members: paginated");
	resp_free(&r);
	api(&r, "GET", "/api/team/members", g->key, NULL);
	ok(r.status == 200 && strstr(r.body, ed.member_id) == NULL, "members: not another tenant's");
	resp_free(&r);

	snprintf(rolepath, sizeof(rolepath), "/api/team/members/%s/role", ed.member_id);
	S(&r, "PUT", rolepath, &ed, "{\"role\":\"admin\"}");
	ok(is_error(&r, 403, "role") && strcmp(jstr(&r, "code"), "insufficient_role") == 0,
	    "role: an editor cannot promote itself (%s)", r.body);
	resp_free(&r);
	api(&r, "PUT", rolepath, g->key, "{\"role\":\"viewer\"}");
	ok(is_error(&r, 404, NULL), "role: another tenant's key 404");
	resp_free(&r);
	api(&r, "PUT", "/api/team/members/mem_000000000000000000000000/role", f->key, "{\"role\":\"viewer\"}");
	ok(is_error(&r, 404, NULL), "role: unknown member 404");
	resp_free(&r);
	S(&r, "PUT", rolepath, admin, "{\"role\":\"boss\"}");
	ok(is_error(&r, 400, NULL) && strcmp(jstr(&r, "field"), "role") == 0, "role: unknown role 400");
	resp_free(&r);
	S(&r, "PUT", rolepath, admin, "{\"role\":\"viewer\"}");
	ok(r.status == 200 && strcmp(jstr(&r, "member.role"), "viewer") == 0, "role: admin demotes editor");
	resp_free(&r);
	S(&r, "PUT", "/api/users/pause", &ed, "{\"user_ids\":[\"u1\"]}");
	ok(is_error(&r, 403, NULL), "role: the change applies to the open session at once");
	resp_free(&r);
	S(&r, "PUT", rolepath, admin, "{\"role\":\"editor\"}");
	resp_free(&r);

	snprintf(path, sizeof(path), "/api/team/members/%s/role", admin->member_id);
	S(&r, "PUT", path, admin, "{\"role\":\"editor\"}");
	ok(is_error(&r, 409, "last admin") && strcmp(jstr(&r, "code"), "last_admin") == 0,
	    "role: the last admin cannot be demoted (409)");
	resp_free(&r);
	snprintf(path, sizeof(path), "/api/team/members/%s", admin->member_id);
	api(&r, "DELETE", path, f->key, NULL);
	ok(is_error(&r, 409, NULL), "delete: nor removed");
	resp_free(&r);

	/* Seed 003's permission table, row by row, for each role. */
	for (i = 0; i < sizeof(seed003) / sizeof(seed003[0]); i++) {
		const struct session *who[3] = { admin, &ed, &vw };
		const int want[3] = { seed003[i].admin, seed003[i].editor, seed003[i].viewer };
		const char *names[3] = { "admin", "editor", "viewer" };

		for (j = 0; j < 3; j++) {
			if (want[j] < 0)
				continue;
			api_session(&r, seed003[i].method, seed003[i].path, who[j], who[j]->csrf, NULL,
			    seed003[i].body ? "%s" : NULL, seed003[i].body);
			ok(r.status == want[j] && (want[j] != 403 ||
			    strcmp(nz(jstr(&r, "code")), "insufficient_role") == 0),
			    "seed 003 \"%s\": %s %s %s as %s: %d (%ld %.120s)", seed003[i].row,
			    seed003[i].method, seed003[i].path, seed003[i].body ? seed003[i].body : "",
			    names[j], want[j], r.status, r.body);
			resp_free(&r);
		}
	}

	snprintf(path, sizeof(path), "/api/team/members/%s", vw.member_id);
	api(&r, "DELETE", path, g->key, NULL);
	ok(is_error(&r, 404, NULL), "delete: another tenant's key 404");
	resp_free(&r);
	S(&r, "DELETE", path, admin, NULL);
	ok(r.status == 200 && json_object_get_boolean(jget(&r, "deleted")), "delete: admin removes a viewer");
	resp_free(&r);
	api_session(&r, "GET", "/api/auth/me", &vw, NULL, NULL, NULL);
	ok(r.status == 401, "delete: the removed member's session ends");
	resp_free(&r);
	ok(session_login(&vw, vw.email, TEST_PASSWORD) == 401, "delete: and it cannot sign in");
}

static void
team_lockout(struct session *admin)
{
	struct resp r;
	struct session s;
	int i;

	for (i = 0; i < 10; i++) {
		api(&r, "POST", "/api/auth/login", NULL, "{\"email\":\"%s\",\"password\":\"wrong-password-%d\"}",
		    admin->email, i);
		resp_free(&r);
	}
	ok(session_login(&s, admin->email, TEST_PASSWORD) == 429,
	    "login: after 10 failures in 15 minutes even the right password is 429");
}

void
suite_team(void)
{
	struct fixture f, g;
	struct session admin;

	if (!ok(fixture_tenant(&f, "starter", "standalone") == 0 &&
	    fixture_tenant(&g, "growth", "standalone") == 0 &&
	    fixture_member(&admin, f.tenant_id, "admin") == 0, "team: fixtures (tenant, admin member)"))
		return;
	team_sessions(&f, &admin);
	team_invitations(&f, &g, &admin);
	team_members(&f, &g, &admin);
	team_lockout(&admin);
}
