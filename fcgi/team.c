/*
 * team.c — retivo-team.fcgi: /api/team (members, invitations, roles),
 * /api/auth (sessions, in team_auth.c), /api/audit-logs and /api/billing.
 *
 * Seed 003's permission table: managing the team, billing and reading the
 * audit log need an admin (a full-scope key, or a member with the admin
 * role); any key or member that may read sees the team and the billing
 * object.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "billing.h"
#include "http.h"
#include "ids.h"
#include "jsonin.h"
#include "log.h"
#include "member.h"
#include "page.h"
#include "reply.h"
#include "team.h"
#include "tenant.h"
#include "timeutil.h"

static void team_invite(struct http_req *);
static void team_members(struct http_req *);
static void team_member_role(struct http_req *);
static void team_member_delete(struct http_req *);
static void team_invitations(struct http_req *);
static void team_invitation_revoke(struct http_req *);
static void audit_logs(struct http_req *);
static void billing_get(struct http_req *);
static void billing_plan(struct http_req *);

enum route {
	ROUTE_AUTH_LOGIN,
	ROUTE_AUTH_LOGOUT,
	ROUTE_AUTH_ME,
	ROUTE_TEAM_INVITE,
	ROUTE_TEAM_ACCEPT,
	ROUTE_TEAM_MEMBERS,
	ROUTE_TEAM_MEMBER_ROLE,
	ROUTE_TEAM_MEMBER_DELETE,
	ROUTE_TEAM_INVITATIONS,
	ROUTE_TEAM_INVITATION_REVOKE,
	ROUTE_AUDIT_LOGS,
	ROUTE_BILLING_GET,
	ROUTE_BILLING_PLAN,
	ROUTE__MAX
};

#define ADMIN (SCOPE_FULL)
#define READ (SCOPE_READ | SCOPE_MANAGE | SCOPE_FULL)
#define ANY (SCOPE_FULL | SCOPE_MANAGE | SCOPE_INGEST | SCOPE_DECIDE | SCOPE_READ | SCOPE_PARTNER)

static const struct http_route routes[ROUTE__MAX] = {
	[ROUTE_AUTH_LOGIN] = { "POST", "/api/auth/login", 0, auth_login, HTTP_NO_AUDIT },
	[ROUTE_AUTH_LOGOUT] = { "POST", "/api/auth/logout", ANY, auth_logout, HTTP_NO_AUDIT },
	[ROUTE_AUTH_ME] = { "GET", "/api/auth/me", ANY, auth_me },
	[ROUTE_TEAM_INVITE] = { "POST", "/api/team/invite", ADMIN, team_invite },
	[ROUTE_TEAM_ACCEPT] = { "POST", "/api/team/accept", 0, team_accept, HTTP_NO_AUDIT },
	[ROUTE_TEAM_MEMBERS] = { "GET", "/api/team/members", READ, team_members },
	[ROUTE_TEAM_MEMBER_ROLE] = { "PUT", "/api/team/members/:id/role", ADMIN, team_member_role },
	[ROUTE_TEAM_MEMBER_DELETE] = { "DELETE", "/api/team/members/:id", ADMIN,
	    team_member_delete },
	[ROUTE_TEAM_INVITATIONS] = { "GET", "/api/team/invitations", READ, team_invitations },
	[ROUTE_TEAM_INVITATION_REVOKE] = { "DELETE", "/api/team/invitations/:id", ADMIN,
	    team_invitation_revoke },
	[ROUTE_AUDIT_LOGS] = { "GET", "/api/audit-logs", ADMIN, audit_logs },
	[ROUTE_BILLING_GET] = { "GET", "/api/billing", READ, billing_get },
	[ROUTE_BILLING_PLAN] = { "PUT", "/api/billing/plan", ADMIN, billing_plan },
};

static const char *const invite_fields[] = { "email", "role", NULL };
static const char *const role_fields[] = { "role", NULL };
static const char *const plan_fields[] = { "plan_tier", "limits", NULL };
static const char *const limit_fields[] = { "api_per_hour", "track_per_hour", NULL };
static const char *const plan_names[] = { "starter", "growth", "scale", "custom", NULL };
static const char *const actor_types[] = { "api_key", "member", "anonymous", NULL };
static const char *const methods[] = { "POST", "PUT", "PATCH", "DELETE", NULL };
static const char *const audit_fields[] = { "actor", "actor_type", "action", "method", "object",
	"since", "until", "limit", "cursor", NULL };

/* The acting key or member, for invited_by. */
static const char *
team_actor(const struct http_req *r)
{
	return r->auth.session ? r->auth.member_id : r->auth.key_id;
}

static void
team_invite(struct http_req *r)
{
	struct in v;
	struct json_object *inv = NULL, *out, *err;
	const char *email_in, *upgrade;
	char email[MEMBER_EMAIL_MAX + 1], token[MEMBER_TOKEN_LEN + 1];
	long long used = 0, limit = 0;
	int role;

	in_init(&v, r->body, NULL);
	in_only(&v, invite_fields);
	email_in = in_str(&v, "email", IN_REQUIRED, 3, MEMBER_EMAIL_MAX);
	if (email_in != NULL && !member_email_valid(email_in))
		in_fail(&v, "email", "invalid_field", "email: not an email address");
	role = in_enum(&v, "role", IN_REQUIRED, member_roles);
	if (in_reject(&v, r))
		return;
	member_email_normalize(email_in, email, sizeof(email));
	switch (member_invite(r->auth.tenant_id, r->auth.plan, email, member_roles[role],
	    team_actor(r), r->now, token, &inv, &used, &limit)) {
	case INVITE_OK:
		break;
	case INVITE_SEAT_LIMIT:
		err = json_object_new_object();
		upgrade = member_upgrade_to(r->auth.plan);
		json_object_object_add(err, "error", json_object_new_string(
		    "seat limit of the plan reached: members and pending invitations use every "
		    "seat; upgrade the plan or remove a member"));
		json_object_object_add(err, "code", json_object_new_string("seat_limit"));
		json_object_object_add(err, "current", json_object_new_int64(used));
		json_object_object_add(err, "limit", json_object_new_int64(limit));
		json_object_object_add(err, "upgrade_to",
		    upgrade ? json_object_new_string(upgrade) : NULL);
		http_json(r, 402, err);
		return;
	case INVITE_ALREADY_MEMBER:
		http_error(r, 409, "already_member", "%s is already a member of this team", email);
		return;
	case INVITE_ALREADY_PENDING:
		http_error(r, 409, "already_invited",
		    "%s already has a pending invitation; revoke it to send a new one", email);
		return;
	default:
		http_internal(r);
		return;
	}
	out = json_object_new_object();
	json_object_object_add(out, "invitation", inv);
	json_object_object_add(out, "token", json_object_new_string(token));
	http_json(r, 201, out);
}

static void
team_members(struct http_req *r)
{
	struct json_object *arr;
	const char *cursor;
	int limit, has_more;

	if (reply_page_query(r, 1, &limit, &cursor) != 0)
		return;
	arr = member_list(r->auth.tenant_id, limit, cursor, &has_more);
	reply_page(r, "members", NULL, arr, has_more, 0);
}

static void
team_member_role(struct http_req *r)
{
	struct in v;
	struct json_object *member, *out;
	int role;

	if (!id_has_prefix(r->params[0], "mem")) {
		http_not_found(r, "member");
		return;
	}
	in_init(&v, r->body, NULL);
	in_only(&v, role_fields);
	role = in_enum(&v, "role", IN_REQUIRED, member_roles);
	if (in_reject(&v, r))
		return;
	switch (member_set_role(r->auth.tenant_id, r->params[0], member_roles[role], r->now)) {
	case 0:
		break;
	case 1:
		http_not_found(r, "member");
		return;
	case 2:
		http_error(r, 409, "last_admin",
		    "the team's last admin cannot be demoted; make another member admin first");
		return;
	default:
		http_internal(r);
		return;
	}
	if ((member = member_get_json(r->auth.tenant_id, r->params[0])) == NULL) {
		http_internal(r);
		return;
	}
	out = json_object_new_object();
	json_object_object_add(out, "member", member);
	http_json(r, 200, out);
}

static void
team_member_delete(struct http_req *r)
{
	struct json_object *member, *out;

	if (!id_has_prefix(r->params[0], "mem") ||
	    (member = member_get_json(r->auth.tenant_id, r->params[0])) == NULL) {
		http_not_found(r, "member");
		return;
	}
	switch (member_set_role(r->auth.tenant_id, r->params[0], NULL, r->now)) {
	case 0:
		break;
	case 1:
		json_object_put(member);
		http_not_found(r, "member");
		return;
	case 2:
		json_object_put(member);
		http_error(r, 409, "last_admin",
		    "the team's last admin cannot be removed; make another member admin first");
		return;
	default:
		json_object_put(member);
		http_internal(r);
		return;
	}
	out = json_object_new_object();
	json_object_object_add(out, "member", member);
	json_object_object_add(out, "deleted", json_object_new_boolean(1));
	http_json(r, 200, out);
}

static void
team_invitations(struct http_req *r)
{
	struct json_object *arr;
	const char *cursor;
	int limit, has_more;

	if (reply_page_query(r, 1, &limit, &cursor) != 0)
		return;
	arr = member_invitation_list(r->auth.tenant_id, r->now, limit, cursor, &has_more);
	reply_page(r, "invitations", NULL, arr, has_more, 0);
}

static void
team_invitation_revoke(struct http_req *r)
{
	struct json_object *inv, *out;
	int rc;

	if (!id_has_prefix(r->params[0], "inv") ||
	    (rc = member_invitation_revoke(r->auth.tenant_id, r->params[0], r->now)) == 1) {
		http_not_found(r, "pending invitation");
		return;
	}
	if (rc != 0 || (inv = member_invitation_get(r->auth.tenant_id, r->params[0],
	    r->now)) == NULL) {
		http_internal(r);
		return;
	}
	out = json_object_new_object();
	json_object_object_add(out, "invitation", inv);
	json_object_object_add(out, "revoked", json_object_new_boolean(1));
	http_json(r, 200, out);
}

static void
audit_logs(struct http_req *r)
{
	struct in v;
	struct audit_filter f;
	struct json_object *arr;
	const char *cursor;
	char since[20], until[20];
	int64_t t_since, t_until;
	int limit, has_more, have_since, have_until, type, method;

	memset(&f, 0, sizeof(f));
	in_init(&v, r->query, NULL);
	in_only(&v, audit_fields);
	page_params(&v, &limit, &cursor);
	f.actor = in_str(&v, "actor", IN_QUERY, 1, 40);
	type = in_enum(&v, "actor_type", IN_QUERY, actor_types);
	f.action = in_str(&v, "action", IN_QUERY, 1, 240);
	method = in_enum(&v, "method", IN_QUERY, methods);
	f.object = in_str(&v, "object", IN_QUERY, 1, 255);
	t_since = in_time(&v, "since", IN_QUERY, &have_since);
	t_until = in_time(&v, "until", IN_QUERY, &have_until);
	if (in_reject(&v, r))
		return;
	f.actor_type = type >= 0 ? actor_types[type] : NULL;
	f.method = method >= 0 ? methods[method] : NULL;
	if (have_since) {
		time_format_sql(t_since, since);
		f.since = since;
	}
	if (have_until) {
		time_format_sql(t_until, until);
		f.until = until;
	}
	arr = audit_list(r->auth.tenant_id, &f, limit, cursor, &has_more);
	reply_page(r, "audit_logs", NULL, arr, has_more, 0);
}

static void
billing_get(struct http_req *r)
{
	struct json_object *o;

	if ((o = billing_get_json(r->auth.tenant_id, r->now)) == NULL) {
		http_internal(r);
		return;
	}
	http_json(r, 200, o);
}

static void
billing_plan(struct http_req *r)
{
	struct in v, lv;
	struct json_object *limits, *o;
	long long api = 0, track = 0;
	int plan;

	in_init(&v, r->body, NULL);
	in_only(&v, plan_fields);
	plan = in_enum(&v, "plan_tier", IN_REQUIRED, plan_names);
	limits = in_obj(&v, "limits", 0);
	if (!v.failed && plan == 3 && limits == NULL)
		in_fail(&v, "limits", "required",
		    "limits: a custom plan needs {\"api_per_hour\", \"track_per_hour\"}");
	if (!v.failed && plan != 3 && limits != NULL)
		in_fail(&v, "limits", "invalid_field",
		    "limits: only a custom plan takes limits; %s has fixed ones", plan_names[plan]);
	if (!v.failed && limits != NULL) {
		in_init(&lv, limits, "limits.");
		in_only(&lv, limit_fields);
		api = in_int(&lv, "api_per_hour", IN_REQUIRED, 1, BILLING_CUSTOM_MAX_LIMIT, 0);
		track = in_int(&lv, "track_per_hour", IN_REQUIRED, 1, BILLING_CUSTOM_MAX_LIMIT, 0);
		if (lv.failed && in_reject(&lv, r))
			return;
	}
	if (in_reject(&v, r))
		return;
	/* The seam for a payment processor: charge or confirm here first. */
	if (billing_set_plan(r->auth.tenant_id, plan_names[plan], api, track, r->now) != 0 ||
	    (o = billing_get_json(r->auth.tenant_id, r->now)) == NULL) {
		http_internal(r);
		return;
	}
	log_info("billing: tenant %s moved from %s to %s", r->auth.tenant_id, r->auth.plan,
	    plan_names[plan]);
	http_json(r, 200, o);
}

int
main(int argc, char **argv)
{
	return http_serve(argc, argv, "retivo-team", routes, ROUTE__MAX);
}
