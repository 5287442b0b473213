/*
 * invitation.c — team invitations (declared in member.h): created under a
 * lock of the tenant row so the plan's seats cannot be overrun, listed
 * with a derived status, revoked, and accepted once within 7 days.
 *
 * The token is 43 base62 characters (~256 bits) shown once; the row keeps
 * only its SHA-256, so a database dump cannot be used to join a team.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "crypto.h"
#include "db.h"
#include "ids.h"
#include "jsonout.h"
#include "log.h"
#include "member.h"
#include "page.h"
#include "timeutil.h"

#define INV_STATUS \
    "CASE WHEN accepted_at IS NOT NULL THEN 'accepted' WHEN revoked_at IS NOT NULL THEN 'revoked' " \
    "WHEN expires_at <= ? THEN 'expired' ELSE 'pending' END"
#define INV_COLS "id, email, role, " INV_STATUS ", invited_by, created_at, expires_at, accepted_at, member_id"

static struct db_stmt inv_lock_tenant = DB_STMT(
    "SELECT id FROM tenants WHERE id = ? FOR UPDATE");
static struct db_stmt inv_member_exists = DB_STMT(
    "SELECT COUNT(*) FROM members WHERE tenant_id = ? AND email = ?");
static struct db_stmt inv_pending_exists = DB_STMT(
    "SELECT COUNT(*) FROM invitations WHERE tenant_id = ? AND email = ? AND accepted_at IS NULL "
    "AND revoked_at IS NULL AND expires_at > ?");
static struct db_stmt inv_insert = DB_STMT(
    "INSERT INTO invitations (id, tenant_id, email, role, token_hash, invited_by, created_at, "
    "  expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
static struct db_stmt inv_select = DB_STMT(
    "SELECT " INV_COLS " FROM invitations WHERE tenant_id = ? AND id = ?");
static struct db_stmt inv_page = DB_STMT(
    "SELECT " INV_COLS " FROM invitations WHERE tenant_id = ? "
    "AND (? IS NULL OR seq < (SELECT c.seq FROM invitations c WHERE c.tenant_id = ? AND c.id = ?)) "
    "ORDER BY seq DESC LIMIT ?");
static struct db_stmt inv_revoke = DB_STMT(
    "UPDATE invitations SET revoked_at = ? WHERE tenant_id = ? AND id = ? "
    "AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > ?");
static struct db_stmt inv_by_token = DB_STMT(
    "SELECT id, tenant_id, email, role, expires_at <= ?, accepted_at IS NOT NULL, "
    "  revoked_at IS NOT NULL FROM invitations WHERE token_hash = ? FOR UPDATE");
static struct db_stmt inv_mark_accepted = DB_STMT(
    "UPDATE invitations SET accepted_at = ?, member_id = ? WHERE id = ?");
static struct db_stmt inv_member_insert = DB_STMT(
    "INSERT INTO members (id, tenant_id, email, name, role, password_hash, created_at, updated_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");

static struct json_object *
inv_row_json(const struct db_stmt *s)
{
	struct json_object *o = json_object_new_object();

	jo_str(o, "id", db_col(s, 0));
	jo_str(o, "email", db_col(s, 1));
	jo_str(o, "role", db_col(s, 2));
	jo_str(o, "status", db_col(s, 3));
	jo_str(o, "invited_by", db_col(s, 4));
	jo_time(o, "created_at", db_col(s, 5));
	jo_time(o, "expires_at", db_col(s, 6));
	jo_time(o, "accepted_at", db_col(s, 7));
	jo_str(o, "member_id", db_col(s, 8));
	return o;
}

/* 1 when the single-value count statement s, executed, yields > 0; -1 on error. */
static int
inv_count_positive(struct db_stmt *s)
{
	int rc = -1;

	if (db_fetch(s) == 1)
		rc = db_col_int(s, 0) > 0;
	db_done(s);
	return rc;
}

enum member_invite_result
member_invite(const char *tenant_id, const char *plan, const char *email, const char *role,
    const char *invited_by, int64_t now, char token_out[MEMBER_TOKEN_LEN + 1],
    struct json_object **json_out, long long *used, long long *limit)
{
	char id[48], hash[65], ts[20], exp[20];
	enum member_invite_result rc = INVITE_ERROR;
	int n;

	*json_out = NULL;
	*limit = member_seat_limit(plan);
	*used = 0;
	if (id_new("inv", id, sizeof(id)) != 0 ||
	    crypto_random_base62(token_out, MEMBER_TOKEN_LEN) != 0)
		return INVITE_ERROR;
	crypto_sha256_hex(token_out, strlen(token_out), hash);
	time_format_sql(now, ts);
	time_format_sql(now + MEMBER_INVITE_TTL, exp);
	if (db_begin() != 0)
		return INVITE_ERROR;
	if (db_exec(&inv_lock_tenant, "s", tenant_id) != 0)
		goto out;
	db_done(&inv_lock_tenant);
	if (db_exec(&inv_member_exists, "ss", tenant_id, email) != 0 ||
	    (n = inv_count_positive(&inv_member_exists)) < 0)
		goto out;
	if (n) {
		rc = INVITE_ALREADY_MEMBER;
		goto out;
	}
	if (db_exec(&inv_pending_exists, "sss", tenant_id, email, ts) != 0 ||
	    (n = inv_count_positive(&inv_pending_exists)) < 0)
		goto out;
	if (n) {
		rc = INVITE_ALREADY_PENDING;
		goto out;
	}
	if ((*used = member_seats_used(tenant_id, now)) < 0)
		goto out;
	if (*limit >= 0 && *used >= *limit) {
		rc = INVITE_SEAT_LIMIT;
		goto out;
	}
	if (db_exec(&inv_insert, "ssssssss", id, tenant_id, email, role, hash, invited_by, ts,
	    exp) != 0)
		goto out;
	db_done(&inv_insert);
	if (db_commit() != 0)
		return INVITE_ERROR;
	if (db_exec(&inv_select, "sss", ts, tenant_id, id) != 0)
		return INVITE_ERROR;
	if (db_fetch(&inv_select) == 1)
		*json_out = inv_row_json(&inv_select);
	db_done(&inv_select);
	return *json_out != NULL ? INVITE_OK : INVITE_ERROR;
out:
	db_rollback();
	return rc;
}

struct json_object *
member_invitation_list(const char *tenant_id, int64_t now, int limit, const char *cursor,
    int *has_more)
{
	char ts[20];

	*has_more = 0;
	time_format_sql(now, ts);
	if (db_exec(&inv_page, "sssssi", ts, tenant_id, cursor, tenant_id, cursor,
	    (long long)limit + 1) != 0)
		return NULL;
	return page_rows(&inv_page, limit, has_more, inv_row_json);
}

struct json_object *
member_invitation_get(const char *tenant_id, const char *id, int64_t now)
{
	struct json_object *o = NULL;
	char ts[20];

	time_format_sql(now, ts);
	if (db_exec(&inv_select, "sss", ts, tenant_id, id) != 0)
		return NULL;
	if (db_fetch(&inv_select) == 1)
		o = inv_row_json(&inv_select);
	db_done(&inv_select);
	return o;
}

int
member_invitation_revoke(const char *tenant_id, const char *id, int64_t now)
{
	char ts[20];
	unsigned long long n;

	time_format_sql(now, ts);
	if (db_exec(&inv_revoke, "ssss", ts, tenant_id, id, ts) != 0)
		return -1;
	n = db_affected(&inv_revoke);
	db_done(&inv_revoke);
	return n == 0 ? 1 : 0;
}

enum member_accept_result
member_accept(const char *token, const char *name, const char *password_hash, int64_t now,
    struct json_object **member_out, char tenant_out[40])
{
	struct db_stmt *s = &inv_by_token;
	char hash[65], ts[20], inv_id[48], email[MEMBER_EMAIL_MAX + 1], role[16], mem_id[48];
	enum member_accept_result rc = ACCEPT_ERROR;
	int expired, used, revoked, found;

	*member_out = NULL;
	tenant_out[0] = '\0';
	crypto_sha256_hex(token, strlen(token), hash);
	time_format_sql(now, ts);
	if (id_new("mem", mem_id, sizeof(mem_id)) != 0 || db_begin() != 0)
		return ACCEPT_ERROR;
	if (db_exec(s, "ss", ts, hash) != 0)
		goto out;
	if ((found = db_fetch(s)) != 1) {
		db_done(s);
		rc = found == 0 ? ACCEPT_UNKNOWN : ACCEPT_ERROR;
		goto out;
	}
	snprintf(inv_id, sizeof(inv_id), "%s", db_col(s, 0));
	snprintf(tenant_out, 40, "%s", db_col(s, 1));
	snprintf(email, sizeof(email), "%s", db_col(s, 2));
	snprintf(role, sizeof(role), "%s", db_col(s, 3));
	expired = (int)db_col_int(s, 4);
	used = (int)db_col_int(s, 5);
	revoked = (int)db_col_int(s, 6);
	db_done(s);
	if (used || revoked || expired) {
		rc = used ? ACCEPT_USED : revoked ? ACCEPT_UNKNOWN : ACCEPT_EXPIRED;
		goto out;
	}
	if (db_exec(&inv_member_insert, "ssssssss", mem_id, tenant_out, email, name, role,
	    password_hash, ts, ts) != 0) {
		rc = db_errno() == DB_ER_DUP_ENTRY ? ACCEPT_EMAIL_TAKEN : ACCEPT_ERROR;
		goto out;
	}
	db_done(&inv_member_insert);
	if (db_exec(&inv_mark_accepted, "sss", ts, mem_id, inv_id) != 0)
		goto out;
	db_done(&inv_mark_accepted);
	if (db_commit() != 0)
		return ACCEPT_ERROR;
	if ((*member_out = member_get_json(tenant_out, mem_id)) == NULL)
		return ACCEPT_ERROR;
	return ACCEPT_OK;
out:
	/* tenant_out stays set for a known token, so the refusal can be audited. */
	db_rollback();
	return rc;
}
