/*
 * team_auth.c — /api/auth (members signing in to the dashboard) and
 * /api/team/accept (joining a team with an invitation token). These are
 * the routes a person reaches without a key, so they record their own
 * audit events, including failed sign-ins, and refuse a sign-in after
 * LOGIN_MAX_FAILURES failures of the same account in LOGIN_WINDOW.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "http.h"
#include "jsonin.h"
#include "log.h"
#include "member.h"
#include "password.h"
#include "session.h"
#include "team.h"
#include "timeutil.h"

#define LOGIN_MAX_FAILURES	10
#define LOGIN_WINDOW		(15 * 60)

static const char *const login_fields[] = { "email", "password", NULL };
static const char *const accept_fields[] = { "token", "name", "password", NULL };

void
team_audit_event(struct http_req *r, const char *tenant_id, const char *actor_type,
    const char *actor_id, const char *action, int status)
{
	struct audit_entry e;

	memset(&e, 0, sizeof(e));
	e.tenant_id = tenant_id;
	e.actor_type = actor_type;
	e.actor_id = actor_id;
	e.action = action;
	e.object_id = actor_id;
	e.status = status;
	e.remote_addr = r->remote_addr;
	e.user_agent = r->user_agent;
	e.request_id = r->request_id;
	e.now = r->now;
	audit_record(&e);
}

/*
 * A hash to verify against when the email is unknown, so that an unknown
 * email costs as long as a wrong password and timing reveals no accounts.
 */
static const char *
login_dummy_hash(void)
{
	static char dummy[PASSWORD_HASH_MAX];

	if (dummy[0] == '\0' && password_hash("retivo-no-such-account", PASSWORD_ITERATIONS,
	    dummy) != 0)
		return "";
	return dummy;
}

void
auth_login(struct http_req *r)
{
	struct in v;
	struct member_login m;
	struct json_object *member, *out;
	const char *email_in, *password, *dk;
	char email[MEMBER_EMAIL_MAX + 1], token[SESSION_TOKEN_LEN + 1], csrf[SESSION_TOKEN_LEN + 1];
	char cookie[256], fresh[PASSWORD_HASH_MAX], exp[21];
	long long failures;
	int found, match;

	in_init(&v, r->body, NULL);
	in_only(&v, login_fields);
	email_in = in_str(&v, "email", IN_REQUIRED, 1, MEMBER_EMAIL_MAX);
	password = in_str(&v, "password", IN_REQUIRED, 1, PASSWORD_MAX_LEN);
	if (in_reject(&v, r))
		return;
	member_email_normalize(email_in, email, sizeof(email));
	if ((found = member_login_lookup(email, &m)) < 0) {
		http_internal(r);
		return;
	}
	if (found == 1) {
		failures = audit_count_since(m.tenant_id, m.id, "auth.login_failed",
		    r->now - LOGIN_WINDOW);
		if (failures >= LOGIN_MAX_FAILURES) {
			http_header(r, "Retry-After", "900");
			http_error(r, 429, "too_many_failures",
			    "too many failed sign-ins for this account; retry in 15 minutes");
			return;
		}
	}
	dk = found == 1 ? m.password_hash : login_dummy_hash();
	match = password_verify(password, dk);
	if (match < 0)
		log_err("auth: stored password hash of %s is malformed", found == 1 ? m.id : "dummy");
	if (found != 1 || match != 1) {
		if (found == 1)
			team_audit_event(r, m.tenant_id, "member", m.id, "auth.login_failed", 401);
		http_error(r, 401, "invalid_credentials", "invalid email or password");
		return;
	}
	/* Raise the cost of an old hash while the password is at hand. */
	if (password_needs_rehash(m.password_hash) &&
	    password_hash(password, PASSWORD_ITERATIONS, fresh) == 0)
		member_login_touch(m.id, fresh, r->now);
	else
		member_login_touch(m.id, NULL, r->now);
	if (session_create(m.tenant_id, m.id, r->now, token, csrf) != 0 ||
	    (member = member_get_json(m.tenant_id, m.id)) == NULL) {
		http_internal(r);
		return;
	}
	team_audit_event(r, m.tenant_id, "member", m.id, "auth.login", 200);
	session_cookie_format(token, http_is_https(r), cookie, sizeof(cookie));
	http_header(r, "Set-Cookie", cookie);
	out = json_object_new_object();
	json_object_object_add(out, "member", member);
	json_object_object_add(out, "csrf_token", json_object_new_string(csrf));
	time_format_iso8601(r->now + SESSION_ABSOLUTE_TTL, exp);
	json_object_object_add(out, "expires_at", json_object_new_string(exp));
	http_json(r, 200, out);
}

void
auth_logout(struct http_req *r)
{
	struct json_object *out;
	char cookie[256];

	if (!r->auth.session) {
		http_error(r, 400, "not_a_session",
		    "this request is authenticated by an API key, not a session; nothing to sign out");
		return;
	}
	if (session_destroy(r->auth.session_hash) != 0) {
		http_internal(r);
		return;
	}
	team_audit_event(r, r->auth.tenant_id, "member", r->auth.member_id, "auth.logout", 200);
	session_cookie_format(NULL, http_is_https(r), cookie, sizeof(cookie));
	http_header(r, "Set-Cookie", cookie);
	out = json_object_new_object();
	json_object_object_add(out, "logged_out", json_object_new_boolean(1));
	http_json(r, 200, out);
}

void
auth_me(struct http_req *r)
{
	struct json_object *out = json_object_new_object(), *member = NULL, *scopes;
	char csv[96], *p, *save = NULL;

	if (r->auth.session && (member = member_get_json(r->auth.tenant_id,
	    r->auth.member_id)) == NULL) {
		json_object_put(out);
		http_internal(r);
		return;
	}
	json_object_object_add(out, "actor_type",
	    json_object_new_string(r->auth.session ? "member" : "api_key"));
	json_object_object_add(out, "member", member);
	json_object_object_add(out, "key_id",
	    r->auth.session ? NULL : json_object_new_string(r->auth.key_id));
	json_object_object_add(out, "tenant_id", json_object_new_string(r->auth.tenant_id));
	json_object_object_add(out, "plan_tier", json_object_new_string(r->auth.plan));
	scopes = json_object_new_array();
	auth_scopes_format(r->auth.scopes, csv, sizeof(csv));
	for (p = strtok_r(csv, ",", &save); p != NULL; p = strtok_r(NULL, ",", &save))
		json_object_array_add(scopes, json_object_new_string(p));
	json_object_object_add(out, "scopes", scopes);
	/* A reloaded dashboard page gets its CSRF token back (same-origin only). */
	if (r->auth.session)
		json_object_object_add(out, "csrf_token", json_object_new_string(r->auth.csrf));
	http_json(r, 200, out);
}

void
team_accept(struct http_req *r)
{
	struct in v;
	struct json_object *member = NULL, *out, *id;
	const char *token, *name, *password, *why;
	char hash[PASSWORD_HASH_MAX], tenant[40];

	in_init(&v, r->body, NULL);
	in_only(&v, accept_fields);
	token = in_str(&v, "token", IN_REQUIRED, 1, 128);
	name = in_str(&v, "name", IN_NULLABLE, 0, 200);
	password = in_str(&v, "password", IN_REQUIRED, 0, PASSWORD_MAX_LEN + 1);
	if (!v.failed && (why = password_policy(password)) != NULL)
		in_fail(&v, "password", "invalid_field", "%s", why);
	if (in_reject(&v, r))
		return;
	if (password_hash(password, PASSWORD_ITERATIONS, hash) != 0) {
		http_internal(r);
		return;
	}
	switch (member_accept(token, name, hash, r->now, &member, tenant)) {
	case ACCEPT_OK:
		break;
	case ACCEPT_UNKNOWN:
		http_error_field(r, 400, "invalid_token", "token",
		    "token: no pending invitation has this token");
		return;
	case ACCEPT_EXPIRED:
		http_error_field(r, 400, "token_expired", "token",
		    "token: the invitation has expired (invitations last 7 days); ask for a new one");
		return;
	case ACCEPT_USED:
		http_error_field(r, 400, "token_used", "token",
		    "token: the invitation has already been accepted");
		return;
	case ACCEPT_EMAIL_TAKEN:
		http_error(r, 409, "email_taken",
		    "an account with the invited email already exists; sign in instead");
		return;
	default:
		http_internal(r);
		return;
	}
	if (json_object_object_get_ex(member, "id", &id))
		team_audit_event(r, tenant, "member", json_object_get_string(id), "team.accept", 201);
	out = json_object_new_object();
	json_object_object_add(out, "member", member);
	http_json(r, 201, out);
}
