/*
 * escalation.c — the escalations table (see escalation.h): opening a case
 * (inside the caller's transaction when there is one), reading, listing,
 * and the two guarded moves, handle and delegate.
 */
#include "config.h"

#include <limits.h>
#include <stddef.h>
#include <stdio.h>

#include "db.h"
#include "escalation.h"
#include "ids.h"
#include "jsonout.h"
#include "log.h"
#include "page.h"
#include "timeutil.h"

const char *const escalation_severities[] = { "low", "medium", "high", "critical", NULL };
const char *const escalation_statuses[] = { "open", "handled", "delegated", NULL };

static struct db_stmt esc_insert = DB_STMT(
    "INSERT INTO escalations (id, tenant_id, user_id, playbook_id, intervention_id, severity, "
    "  reason, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?, ?)");

#define ESC_COLS "id, user_id, playbook_id, intervention_id, severity, reason, status, " \
	"action_taken, delegated_to, delegate_note, handled_at, created_at, updated_at "

static struct db_stmt esc_select = DB_STMT(
    "SELECT " ESC_COLS "FROM escalations WHERE tenant_id = ? AND id = ?");
static struct db_stmt esc_cursor_seq = DB_STMT(
    "SELECT seq FROM escalations WHERE tenant_id = ? AND id = ?");
static struct db_stmt esc_page = DB_STMT(
    "SELECT " ESC_COLS "FROM escalations WHERE tenant_id = ? AND (? IS NULL OR status = ?) "
    "AND seq < ? ORDER BY seq DESC LIMIT ?");
static struct db_stmt esc_status = DB_STMT(
    "SELECT status FROM escalations WHERE tenant_id = ? AND id = ?");

/* Guarded moves: a handled escalation is final. */
static struct db_stmt esc_to_handled = DB_STMT(
    "UPDATE escalations SET status = 'handled', action_taken = ?, handled_at = ?, "
    "  updated_at = ? WHERE tenant_id = ? AND id = ? AND status IN ('open', 'delegated')");
static struct db_stmt esc_to_delegated = DB_STMT(
    "UPDATE escalations SET status = 'delegated', delegated_to = ?, delegate_note = ?, "
    "  updated_at = ? WHERE tenant_id = ? AND id = ? AND status IN ('open', 'delegated')");

int
escalation_create(const struct escalation_new *n, int64_t now, char id_out[48])
{
	char nowsql[TIME_SQL_SIZE];

	if (id_new("esc", id_out, 48) != 0) {
		log_err("escalation: cannot make an id");
		return -1;
	}
	time_format_sql(now, nowsql);
	if (db_exec(&esc_insert, "sssssssss", id_out, n->tenant_id, n->user_id, n->playbook_id,
	    n->intervention_id, n->severity, n->reason, nowsql, nowsql) != 0) {
		log_err("escalation: insert for user %s of tenant %s failed", n->user_id,
		    n->tenant_id);
		return -1;
	}
	db_done(&esc_insert);
	return 0;
}

/* The API form of the current row of s (ESC_COLS). */
static struct json_object *
esc_row_json(const struct db_stmt *s)
{
	struct json_object *o = json_object_new_object();

	jo_str(o, "id", db_col(s, 0));
	jo_str(o, "user_id", db_col(s, 1));
	jo_str(o, "playbook_id", db_col(s, 2));
	jo_str(o, "intervention_id", db_col(s, 3));
	jo_str(o, "severity", db_col(s, 4));
	jo_str(o, "reason", db_col(s, 5));
	jo_str(o, "status", db_col(s, 6));
	jo_str(o, "action_taken", db_col(s, 7));
	jo_str(o, "delegated_to", db_col(s, 8));
	jo_str(o, "delegate_note", db_col(s, 9));
	jo_time(o, "handled_at", db_col(s, 10));
	jo_time(o, "created_at", db_col(s, 11));
	jo_time(o, "updated_at", db_col(s, 12));
	return o;
}

struct json_object *
escalation_get_json(const char *tenant_id, const char *id, int *found)
{
	return page_row_by_id(&esc_select, tenant_id, id, found, esc_row_json);
}

struct json_object *
escalation_list(const char *tenant_id, const char *status, int limit, const char *cursor,
    int *has_more, int *bad_cursor)
{
	long long before = LLONG_MAX;

	if (page_cursor(&esc_cursor_seq, tenant_id, cursor, &before, has_more, bad_cursor) != 0)
		return NULL;
	if (db_exec(&esc_page, "sssii", tenant_id, status, status, before,
	    (long long)limit + 1) != 0)
		return NULL;
	return page_rows(&esc_page, limit, has_more, esc_row_json);
}

/* After a guarded UPDATE moved nothing: why (not found, or its status). */
static int
esc_why_not(const char *tenant_id, const char *id, char current[16])
{
	int found;

	if (db_exec(&esc_status, "ss", tenant_id, id) != 0)
		return -1;
	if ((found = db_fetch(&esc_status) == 1) && current != NULL)
		snprintf(current, 16, "%s", db_col(&esc_status, 0));
	db_done(&esc_status);
	return found ? ESCALATION_INVALID : ESCALATION_NOT_FOUND;
}

int
escalation_handle(const char *tenant_id, const char *id, const char *action_taken,
    int64_t now, char current[16])
{
	char nowsql[TIME_SQL_SIZE];
	int moved;

	time_format_sql(now, nowsql);
	if (db_exec(&esc_to_handled, "sssss", action_taken, nowsql, nowsql, tenant_id, id) != 0)
		return -1;
	moved = db_affected(&esc_to_handled) == 1;
	db_done(&esc_to_handled);
	return moved ? ESCALATION_OK : esc_why_not(tenant_id, id, current);
}

int
escalation_delegate(const char *tenant_id, const char *id, const char *to, const char *note,
    int64_t now, char current[16])
{
	char nowsql[TIME_SQL_SIZE];
	int moved;

	time_format_sql(now, nowsql);
	if (db_exec(&esc_to_delegated, "sssss", to, note, nowsql, tenant_id, id) != 0)
		return -1;
	moved = db_affected(&esc_to_delegated) == 1;
	db_done(&esc_to_delegated);
	return moved ? ESCALATION_OK : esc_why_not(tenant_id, id, current);
}
