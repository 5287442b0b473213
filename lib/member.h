/*
 * member.h — team members and invitations (seed 003), and the pure rules
 * behind them: which scopes a role carries, how many seats a plan has.
 *
 * Roles map onto the API's scopes so the one scope check of lib/http.c
 * enforces the seed's permission table for sessions and keys alike:
 *   admin  = full, manage, decide, read, ingest (never partner)
 *   editor = manage, decide, read, ingest (approve/reject, playbooks,
 *            pause/unpause; not keys, kill switch, shadow mode, billing,
 *            audit logs or team management, which need full)
 *   viewer = read
 */
#ifndef RETIVO_MEMBER_H
#define RETIVO_MEMBER_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#define MEMBER_INVITE_TTL	(7 * 86400)	/* invitations expire after 7 days */
#define MEMBER_TOKEN_LEN	43		/* base62 characters, ~256 bits */
#define MEMBER_EMAIL_MAX	254

/* NULL-terminated list of role names, in the order of the ENUM. */
extern const char *const member_roles[];

/* The scope bits a role carries; 0 for an unknown role. Pure. */
unsigned member_role_scopes(const char *role);

/* Seats of a plan (members + pending invitations); -1 = unlimited. Pure. */
long long member_seat_limit(const char *plan);

/* The next plan up, for a seat-limit error; NULL for custom. Pure. */
const char *member_upgrade_to(const char *plan);

/* 1 when email looks like local@domain.tld (no spaces, ≤ 254). Pure. */
int member_email_valid(const char *email);

/* Copies email lowercased (ASCII) into out. Pure. */
void member_email_normalize(const char *email, char *out, size_t outlen);

/* What member_login_lookup() finds for an email. */
struct member_login {
	char	id[48];
	char	tenant_id[40];
	char	role[16];
	char	password_hash[128];
};

/* 1 found (filled), 0 no such email, -1 error. */
int member_login_lookup(const char *email, struct member_login *out);

/* Stamps last_login_at and, when given, a fresh password hash. */
int member_login_touch(const char *id, const char *new_hash, int64_t now);

/*
 * Creates a member directly (retivo-admin member create). Returns 0 with
 * the id in id_out, 1 when the email already has an account, -1 on error.
 */
int member_create(const char *tenant_id, const char *email, const char *name, const char *role,
    const char *password_hash, int64_t now, char id_out[48]);

/* The member as JSON (new object), or NULL when absent in the tenant. */
struct json_object *member_get_json(const char *tenant_id, const char *id);

/* A page of the tenant's members, newest first (page.h conventions). */
struct json_object *member_list(const char *tenant_id, int limit, const char *cursor,
    int *has_more);

/* Members plus pending invitations of the tenant; -1 on error. */
long long member_seats_used(const char *tenant_id, int64_t now);

/*
 * Changes a member's role, or removes the member (role NULL), in one
 * transaction that keeps at least one admin. Returns 0, 1 when no such
 * member in the tenant, 2 when it would leave the tenant without an admin,
 * -1 on error.
 */
int member_set_role(const char *tenant_id, const char *id, const char *role, int64_t now);

/* Result of member_invite(). */
enum member_invite_result {
	INVITE_OK = 0,
	INVITE_SEAT_LIMIT,	/* *used and *limit say how many */
	INVITE_ALREADY_MEMBER,	/* the email is a member of this tenant */
	INVITE_ALREADY_PENDING,	/* a pending invitation for the email exists */
	INVITE_ERROR
};

/*
 * Invites email with role, checking the plan's seats under a lock of the
 * tenant row so two invitations cannot both take the last seat. On success
 * the token (shown once) is in token_out and the invitation in *json_out.
 */
enum member_invite_result member_invite(const char *tenant_id, const char *plan,
    const char *email, const char *role, const char *invited_by, int64_t now,
    char token_out[MEMBER_TOKEN_LEN + 1], struct json_object **json_out, long long *used,
    long long *limit);

/* A page of the tenant's invitations with their status. */
struct json_object *member_invitation_list(const char *tenant_id, int64_t now, int limit,
    const char *cursor, int *has_more);

/* One invitation as JSON (new object), or NULL when absent in the tenant. */
struct json_object *member_invitation_get(const char *tenant_id, const char *id, int64_t now);

/* Revokes a pending invitation: 0, 1 when none such pending, -1. */
int member_invitation_revoke(const char *tenant_id, const char *id, int64_t now);

enum member_accept_result {
	ACCEPT_OK = 0,
	ACCEPT_UNKNOWN,		/* no invitation has this token (or it was revoked) */
	ACCEPT_EXPIRED,
	ACCEPT_USED,
	ACCEPT_EMAIL_TAKEN,	/* the email already has an account */
	ACCEPT_ERROR
};

/*
 * Accepts the invitation of token: creates the member with password_hash
 * and marks the invitation used, atomically. On ACCEPT_OK *member_out is
 * the new member and tenant_out its tenant.
 */
enum member_accept_result member_accept(const char *token, const char *name,
    const char *password_hash, int64_t now, struct json_object **member_out,
    char tenant_out[40]);

#endif
