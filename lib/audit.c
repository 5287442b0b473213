/*
 * audit.c — audit rows: written by lib/http.c and the sign-in handlers,
 * read by GET /api/audit-logs. Filters are bound as "(? IS NULL OR col = ?)"
 * so the one static statement serves every combination.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "audit.h"
#include "db.h"
#include "ids.h"
#include "jsonout.h"
#include "log.h"
#include "page.h"
#include "timeutil.h"

static struct db_stmt audit_insert = DB_STMT(
    "INSERT INTO audit_logs (id, tenant_id, actor_type, actor_id, action, method, route, "
    "  object_id, status, remote_addr, user_agent, request_id, created_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, LEFT(?, 512), ?, ?)");

#define AUDIT_COLS "id, actor_type, actor_id, action, method, route, object_id, status, " \
    "remote_addr, user_agent, request_id, created_at"

static struct db_stmt audit_page = DB_STMT(
    "SELECT " AUDIT_COLS " FROM audit_logs WHERE tenant_id = ? "
    "AND (? IS NULL OR actor_id = ?) AND (? IS NULL OR actor_type = ?) "
    "AND (? IS NULL OR action = ?) AND (? IS NULL OR method = ?) "
    "AND (? IS NULL OR object_id = ?) "
    "AND (? IS NULL OR created_at >= ?) AND (? IS NULL OR created_at < ?) "
    "AND (? IS NULL OR seq < (SELECT c.seq FROM audit_logs c WHERE c.tenant_id = ? AND c.id = ?)) "
    "ORDER BY seq DESC LIMIT ?");

static struct db_stmt audit_count = DB_STMT(
    "SELECT COUNT(*) FROM audit_logs WHERE tenant_id = ? AND actor_id = ? AND action = ? "
    "AND created_at >= ?");

long long
audit_count_since(const char *tenant_id, const char *actor_id, const char *action, int64_t since)
{
	char ts[20];
	long long n = -1;

	time_format_sql(since, ts);
	if (db_exec(&audit_count, "ssss", tenant_id, actor_id, action, ts) != 0)
		return -1;
	if (db_fetch(&audit_count) == 1)
		n = db_col_int(&audit_count, 0);
	db_done(&audit_count);
	return n;
}

int
audit_record(const struct audit_entry *e)
{
	char id[48], ts[20];

	if (id_new("aud", id, sizeof(id)) != 0)
		return -1;
	time_format_sql(e->now, ts);
	if (db_exec(&audit_insert, "ssssssssissss", id, e->tenant_id, e->actor_type, e->actor_id,
	    e->action, e->method, e->route, e->object_id, (long long)e->status, e->remote_addr,
	    e->user_agent, e->request_id, ts) != 0) {
		log_err("audit: cannot record %s for tenant %s", e->action, e->tenant_id);
		return -1;
	}
	db_done(&audit_insert);
	return 0;
}

int
audit_object_of_response(struct json_object *resp, char *out, size_t outlen)
{
	struct json_object *id;

	if (resp == NULL || !json_object_is_type(resp, json_type_object))
		return 0;
	if (json_object_object_get_ex(resp, "id", &id) && json_object_is_type(id, json_type_string))
		goto found;
	json_object_object_foreach(resp, k, v) {
		(void)k;
		if (v != NULL && json_object_is_type(v, json_type_object) &&
		    json_object_object_get_ex(v, "id", &id) &&
		    json_object_is_type(id, json_type_string))
			goto found;
	}
	return 0;
found:
	snprintf(out, outlen, "%s", json_object_get_string(id));
	return 1;
}

static struct json_object *
audit_row_json(const struct db_stmt *s)
{
	struct json_object *o = json_object_new_object(), *actor = json_object_new_object();

	jo_str(o, "id", db_col(s, 0));
	jo_str(actor, "type", db_col(s, 1));
	jo_str(actor, "id", db_col(s, 2));
	json_object_object_add(o, "actor", actor);
	jo_str(o, "action", db_col(s, 3));
	jo_str(o, "method", db_col(s, 4));
	jo_str(o, "route", db_col(s, 5));
	jo_str(o, "object_id", db_col(s, 6));
	jo_int(o, "status", db_col_int(s, 7));
	jo_str(o, "remote_addr", db_col(s, 8));
	jo_str(o, "user_agent", db_col(s, 9));
	jo_str(o, "request_id", db_col(s, 10));
	jo_time(o, "created_at", db_col(s, 11));
	return o;
}

struct json_object *
audit_list(const char *tenant_id, const struct audit_filter *f, int limit, const char *cursor,
    int *has_more)
{
	*has_more = 0;
	if (db_exec(&audit_page, "ssssssssssssssssssi", tenant_id,
	    f->actor, f->actor, f->actor_type, f->actor_type, f->action, f->action,
	    f->method, f->method, f->object, f->object, f->since, f->since, f->until, f->until,
	    cursor, tenant_id, cursor, (long long)limit + 1) != 0)
		return NULL;
	return page_rows(&audit_page, limit, has_more, audit_row_json);
}
