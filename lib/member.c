/*
 * member.c — members and invitations as rows, and the pure team rules
 * (see member.h). Every statement on a tenant's rows carries tenant_id = ?;
 * only sign-in looks a member up by email alone, and accepting looks an
 * invitation up by its token, since neither request has a tenant yet.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "crypto.h"
#include "db.h"
#include "ids.h"
#include "jsonout.h"
#include "log.h"
#include "member.h"
#include "page.h"
#include "timeutil.h"

const char *const member_roles[] = { "admin", "editor", "viewer", NULL };

unsigned
member_role_scopes(const char *role)
{
	if (role == NULL)
		return 0;
	if (strcmp(role, "admin") == 0)
		return SCOPE_FULL | SCOPE_MANAGE | SCOPE_DECIDE | SCOPE_READ | SCOPE_INGEST;
	if (strcmp(role, "editor") == 0)
		return SCOPE_MANAGE | SCOPE_DECIDE | SCOPE_READ | SCOPE_INGEST;
	if (strcmp(role, "viewer") == 0)
		return SCOPE_READ;
	return 0;
}

static const struct {
	const char *plan;
	long long seats;
	const char *next;
} member_plans[] = {
	{ "starter", 3, "growth" },
	{ "growth", 10, "scale" },
	{ "scale", 50, "custom" },
	{ "custom", -1, NULL },
};

long long
member_seat_limit(const char *plan)
{
	size_t i;

	for (i = 0; plan != NULL && i < sizeof(member_plans) / sizeof(member_plans[0]); i++)
		if (strcmp(member_plans[i].plan, plan) == 0)
			return member_plans[i].seats;
	return member_plans[0].seats;	/* an unknown plan gets the smallest */
}

const char *
member_upgrade_to(const char *plan)
{
	size_t i;

	for (i = 0; plan != NULL && i < sizeof(member_plans) / sizeof(member_plans[0]); i++)
		if (strcmp(member_plans[i].plan, plan) == 0)
			return member_plans[i].next;
	return member_plans[0].next;
}

int
member_email_valid(const char *email)
{
	const char *at, *dot, *p;
	size_t len;

	if (email == NULL || (len = strlen(email)) < 3 || len > MEMBER_EMAIL_MAX)
		return 0;
	for (p = email; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || *p == '<' || *p == '>' || *p == ',' || *p == ';')
			return 0;
	if ((at = strchr(email, '@')) == NULL || at == email || strchr(at + 1, '@') != NULL)
		return 0;
	dot = strrchr(at + 1, '.');
	return dot != NULL && dot > at + 1 && dot[1] != '\0';
}

void
member_email_normalize(const char *email, char *out, size_t outlen)
{
	size_t i;

	if (outlen == 0)
		return;
	for (i = 0; email[i] != '\0' && i + 1 < outlen; i++)
		out[i] = (char)tolower((unsigned char)email[i]);
	out[i] = '\0';
}

#define MEMBER_COLS "id, email, name, role, tenant_id, created_at, updated_at, last_login_at"

static struct db_stmt member_by_email = DB_STMT(
    "SELECT id, tenant_id, role, password_hash FROM members WHERE email = ?");
static struct db_stmt member_touch = DB_STMT(
    "UPDATE members SET last_login_at = ?, password_hash = IFNULL(?, password_hash) WHERE id = ?");
static struct db_stmt member_insert = DB_STMT(
    "INSERT INTO members (id, tenant_id, email, name, role, password_hash, created_at, updated_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
static struct db_stmt member_select = DB_STMT(
    "SELECT " MEMBER_COLS " FROM members WHERE tenant_id = ? AND id = ?");
static struct db_stmt member_page = DB_STMT(
    "SELECT " MEMBER_COLS " FROM members WHERE tenant_id = ? "
    "AND (? IS NULL OR seq < (SELECT c.seq FROM members c WHERE c.tenant_id = ? AND c.id = ?)) "
    "ORDER BY seq DESC LIMIT ?");
static struct db_stmt member_seats = DB_STMT(
    "SELECT (SELECT COUNT(*) FROM members WHERE tenant_id = ?) + "
    "  (SELECT COUNT(*) FROM invitations WHERE tenant_id = ? AND accepted_at IS NULL "
    "   AND revoked_at IS NULL AND expires_at > ?)");
static struct db_stmt member_lock_role = DB_STMT(
    "SELECT role FROM members WHERE tenant_id = ? AND id = ? FOR UPDATE");
static struct db_stmt member_count_admins = DB_STMT(
    "SELECT COUNT(*) FROM members WHERE tenant_id = ? AND role = 'admin' FOR UPDATE");
static struct db_stmt member_update_role = DB_STMT(
    "UPDATE members SET role = ?, updated_at = ? WHERE tenant_id = ? AND id = ?");
static struct db_stmt member_delete = DB_STMT(
    "DELETE FROM members WHERE tenant_id = ? AND id = ?");

static struct json_object *
member_row_json(const struct db_stmt *s)
{
	struct json_object *o = json_object_new_object();

	jo_str(o, "id", db_col(s, 0));
	jo_str(o, "email", db_col(s, 1));
	jo_str(o, "name", db_col(s, 2));
	jo_str(o, "role", db_col(s, 3));
	jo_str(o, "tenant_id", db_col(s, 4));
	jo_time(o, "created_at", db_col(s, 5));
	jo_time(o, "updated_at", db_col(s, 6));
	jo_time(o, "last_login_at", db_col(s, 7));
	return o;
}

int
member_login_lookup(const char *email, struct member_login *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if (db_exec(&member_by_email, "s", email) != 0)
		return -1;
	if ((rc = db_fetch(&member_by_email)) == 1) {
		db_col_copy(&member_by_email, 0, out->id, sizeof(out->id));
		db_col_copy(&member_by_email, 1, out->tenant_id, sizeof(out->tenant_id));
		db_col_copy(&member_by_email, 2, out->role, sizeof(out->role));
		db_col_copy(&member_by_email, 3, out->password_hash, sizeof(out->password_hash));
	}
	db_done(&member_by_email);
	return rc;
}

int
member_login_touch(const char *id, const char *new_hash, int64_t now)
{
	char ts[20];

	time_format_sql(now, ts);
	if (db_exec(&member_touch, "sss", ts, new_hash, id) != 0)
		return -1;
	db_done(&member_touch);
	return 0;
}

int
member_create(const char *tenant_id, const char *email, const char *name, const char *role,
    const char *password_hash, int64_t now, char id_out[48])
{
	char ts[20];

	if (id_new("mem", id_out, 48) != 0)
		return -1;
	time_format_sql(now, ts);
	if (db_exec(&member_insert, "ssssssss", id_out, tenant_id, email, name, role,
	    password_hash, ts, ts) != 0)
		return db_errno() == DB_ER_DUP_ENTRY ? 1 : -1;
	db_done(&member_insert);
	return 0;
}

struct json_object *
member_get_json(const char *tenant_id, const char *id)
{
	struct json_object *o = NULL;

	if (db_exec(&member_select, "ss", tenant_id, id) != 0)
		return NULL;
	if (db_fetch(&member_select) == 1)
		o = member_row_json(&member_select);
	db_done(&member_select);
	return o;
}

struct json_object *
member_list(const char *tenant_id, int limit, const char *cursor, int *has_more)
{
	return page_list(&member_page, tenant_id, cursor, limit, has_more, member_row_json);
}

long long
member_seats_used(const char *tenant_id, int64_t now)
{
	char ts[20];
	long long n = -1;

	time_format_sql(now, ts);
	if (db_exec(&member_seats, "sss", tenant_id, tenant_id, ts) != 0)
		return -1;
	if (db_fetch(&member_seats) == 1)
		n = db_col_int(&member_seats, 0);
	db_done(&member_seats);
	return n;
}

int
member_set_role(const char *tenant_id, const char *id, const char *role, int64_t now)
{
	char ts[20], current[16] = "";
	long long admins = 0;
	int rc = -1, found;

	time_format_sql(now, ts);
	if (db_begin() != 0)
		return -1;
	/* Lock the tenant's admins first, so two demotions cannot both pass. */
	if (db_exec(&member_count_admins, "s", tenant_id) != 0)
		goto out;
	if (db_fetch(&member_count_admins) == 1)
		admins = db_col_int(&member_count_admins, 0);
	db_done(&member_count_admins);
	if (db_exec(&member_lock_role, "ss", tenant_id, id) != 0)
		goto out;
	if ((found = db_fetch(&member_lock_role)) == 1)
		db_col_copy(&member_lock_role, 0, current, sizeof(current));
	db_done(&member_lock_role);
	if (found != 1) {
		rc = found == 0 ? 1 : -1;
		goto out;
	}
	if (strcmp(current, "admin") == 0 && admins <= 1 &&
	    (role == NULL || strcmp(role, "admin") != 0)) {
		rc = 2;
		goto out;
	}
	if (role != NULL ? db_exec(&member_update_role, "ssss", role, ts, tenant_id, id) :
	    db_exec(&member_delete, "ss", tenant_id, id))
		goto out;
	db_done(role != NULL ? &member_update_role : &member_delete);
	if (db_commit() != 0)
		return -1;
	return 0;
out:
	db_rollback();
	return rc;
}
