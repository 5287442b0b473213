/*
 * action.c — the actions and action_outcomes tables: dispatching an
 * action (the row and its delivery in one transaction), reading and
 * listing them, recording outcomes, and the forward-only status moves.
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "action.h"
#include "db.h"
#include "decision.h"
#include "delivery.h"
#include "ids.h"
#include "intervention_send.h"
#include "jsonout.h"
#include "log.h"
#include "page.h"
#include "timeutil.h"

const char *const action_statuses[] = { "pending", "dispatched", "delivered", "completed",
	"failed", "expired", NULL };
const char *const action_outcome_statuses[] = { "completed", "ignored", "rejected", "partial",
	NULL };

/* DECIMAL(14,6): at most 8 digits before the point. */
#define ACTION_COST_INT_DIGITS	8

#define ACTION_OUTCOME_TRIES	4	/* attempts of an outcome hitting a deadlock */

/* The action type by name: a dispatch names the type as the webhook body
 * does, so this lookup lives with dispatching (unique key tenant, name). */
static struct db_stmt act_target = DB_STMT(
    "SELECT id, provider, parameters_schema, delivery_webhook, webhook_secret_enc, "
    "  estimated_cost_usd, ttl_seconds, active "
    "FROM action_types WHERE tenant_id = ? AND name = ?");

static struct db_stmt act_insert = DB_STMT(
    "INSERT INTO actions (id, tenant_id, action_type_id, action_type, provider, user_id, "
    "  parameters, reasoning, confidence, status, test_mode, estimated_cost_usd, expires_at, "
    "  created_at, updated_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?)");

#define ACT_COLS "a.id, a.action_type, a.action_type_id, a.provider, a.user_id, a.parameters, " \
	"a.reasoning, a.confidence, a.status, a.test_mode, a.estimated_cost_usd, a.created_at, " \
	"a.dispatched_at, a.delivered_at, a.completed_at, a.expires_at, o.status, o.result, " \
	"o.reported_at, (SELECT COALESCE(SUM(d.attempts), 0) FROM deliveries d " \
	"  WHERE d.action_id = a.id AND d.tenant_id = a.tenant_id) "
#define ACT_FROM "FROM actions a LEFT JOIN action_outcomes o " \
	"ON o.action_id = a.id AND o.tenant_id = a.tenant_id "

static struct db_stmt act_select = DB_STMT(
    "SELECT " ACT_COLS ACT_FROM "WHERE a.tenant_id = ? AND a.id = ?");

static struct db_stmt act_cursor_seq = DB_STMT(
    "SELECT seq FROM actions WHERE tenant_id = ? AND id = ?");

/* One statement for every filter combination: four filters would be
 * sixteen statements, and pull reconciliation is not a hot path. */
static struct db_stmt act_page = DB_STMT(
    "SELECT " ACT_COLS ACT_FROM "WHERE a.tenant_id = ? "
    "AND (? IS NULL OR a.status = ?) AND (? IS NULL OR a.provider = ?) "
    "AND (? IS NULL OR a.user_id = ?) AND (? IS NULL OR a.created_at >= ?) "
    "AND a.seq < ? ORDER BY a.seq DESC LIMIT ?");

static struct db_stmt act_status = DB_STMT(
    "SELECT status FROM actions WHERE tenant_id = ? AND id = ?");

static struct db_stmt act_outcome_insert = DB_STMT(
    "INSERT INTO action_outcomes (action_id, tenant_id, status, result, reported_at) "
    "VALUES (?, ?, ?, ?, ?)");

/* The moves. Each names the statuses it may leave (see action.h). */
static struct db_stmt act_to_completed = DB_STMT(
    "UPDATE actions SET status = 'completed', completed_at = ?, updated_at = ? "
    "WHERE tenant_id = ? AND id = ? AND status IN ('pending', 'dispatched', 'delivered')");
static struct db_stmt act_to_dispatched = DB_STMT(
    "UPDATE actions SET status = 'dispatched', dispatched_at = ?, updated_at = ? "
    "WHERE tenant_id = ? AND id = ? AND status = 'pending'");
static struct db_stmt act_to_delivered = DB_STMT(
    "UPDATE actions SET status = 'delivered', dispatched_at = COALESCE(dispatched_at, ?), "
    "  delivered_at = ?, updated_at = ? "
    "WHERE tenant_id = ? AND id = ? AND status IN ('pending', 'dispatched')");
static struct db_stmt act_to_failed = DB_STMT(
    "UPDATE actions SET status = 'failed', updated_at = ? "
    "WHERE tenant_id = ? AND id = ? AND status IN ('pending', 'dispatched')");
static struct db_stmt act_to_expired = DB_STMT(
    "UPDATE actions SET status = 'expired', updated_at = ? "
    "WHERE tenant_id = ? AND id = ? AND status IN ('pending', 'dispatched')");

/* Uses the index actions_expiry (status, expires_at). */
static struct db_stmt act_due_expiry = DB_STMT(
    "SELECT tenant_id, id FROM actions WHERE status IN ('pending', 'dispatched') "
    "AND expires_at < ? ORDER BY expires_at LIMIT ?");

void
action_target_clear(struct action_target *t)
{
	free(t->provider);
	free(t->parameters_schema);
	free(t->delivery_webhook);
	free(t->secret_sealed);
	free(t->estimated_cost_usd);
	memset(t, 0, sizeof(*t));
}

static char *
act_dup(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

int
action_target_load(const char *tenant_id, const char *name, struct action_target *t)
{
	struct db_stmt *s = &act_target;
	int rc = 1;

	memset(t, 0, sizeof(*t));
	if (db_exec(s, "ss", tenant_id, name) != 0)
		return -1;
	if (db_fetch(s) == 1) {
		snprintf(t->id, sizeof(t->id), "%s", db_col(s, 0));
		t->provider = act_dup(db_col(s, 1));
		t->parameters_schema = act_dup(db_col(s, 2));
		t->delivery_webhook = act_dup(db_col(s, 3));
		t->secret_sealed = act_dup(db_col(s, 4));
		t->estimated_cost_usd = act_dup(db_col(s, 5));
		t->ttl_seconds = db_col_int(s, 6);
		t->active = (int)db_col_int(s, 7);
		rc = 0;
		if (!t->provider || !t->parameters_schema || !t->delivery_webhook ||
		    !t->secret_sealed) {
			log_err("action: out of memory");
			action_target_clear(t);
			rc = -1;
		}
	}
	db_done(s);
	return rc;
}

void
action_decimal_format(const char *in, char *out, size_t outlen)
{
	const char *dot;
	size_t len, keep;

	if (in == NULL || *in == '\0') {
		snprintf(out, outlen, "0.00");
		return;
	}
	len = strlen(in);
	if ((dot = strchr(in, '.')) == NULL) {
		snprintf(out, outlen, "%s.00", in);
		return;
	}
	/* Drop trailing zeros, but keep two decimals. */
	keep = len;
	while (keep > (size_t)(dot - in) + 3 && in[keep - 1] == '0')
		keep--;
	if (keep - (size_t)(dot - in) - 1 < 2)
		snprintf(out, outlen, "%.*s%.*s", (int)keep, in,
		    (int)(2 - (keep - (size_t)(dot - in) - 1)), "00");
	else
		snprintf(out, outlen, "%.*s", (int)keep, in);
}

char *
action_dispatch_body(const char *action_id, const struct action_new *a,
    const char *tenant_id, int64_t now)
{
	struct json_object *o = json_object_new_object();
	char iso[TIME_ISO8601_SIZE], raw[64], conf[64], *text;

	if (o == NULL)
		return NULL;
	time_format_iso8601(now, iso);
	json_object_object_add(o, "action_id", json_object_new_string(action_id));
	json_object_object_add(o, "action_type", json_object_new_string(a->action_type));
	json_object_object_add(o, "user_id", json_object_new_string(a->user_id));
	json_object_object_add(o, "parameters", json_object_get(a->parameters));
	jo_str(o, "reasoning", a->reasoning);
	if (a->has_confidence) {
		/* Seed 000 sends confidence as a string: "0.82". */
		snprintf(raw, sizeof(raw), "%.6f", a->confidence);
		action_decimal_format(raw, conf, sizeof(conf));
		json_object_object_add(o, "confidence", json_object_new_string(conf));
	} else
		json_object_object_add(o, "confidence", NULL);
	json_object_object_add(o, "tenant_id", json_object_new_string(tenant_id));
	json_object_object_add(o, "timestamp", json_object_new_string(iso));
	json_object_object_add(o, "test_mode", json_object_new_boolean(a->test_mode));
	text = act_dup(json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return text;
}

/* The type's cost when it fits the actions column, else NULL (logged). */
static const char *
act_cost(const struct action_target *t)
{
	const char *c = t->estimated_cost_usd, *dot;
	size_t ints;

	if (c == NULL)
		return NULL;
	dot = strchr(c, '.');
	ints = dot != NULL ? (size_t)(dot - c) : strlen(c);
	if (ints > ACTION_COST_INT_DIGITS) {
		log_warn("action: cost %s of action type %s is too large to sum; not recorded",
		    c, t->id);
		return NULL;
	}
	return c;
}

int
action_create(const char *tenant_id, const struct action_target *t,
    const struct action_new *a, int64_t now, char id_out[48])
{
	char nowsql[TIME_SQL_SIZE], expsql[TIME_SQL_SIZE], conf[32], *body = NULL;
	const char *params;
	int rc = -1;

	if (id_new("ea", id_out, 48) != 0) {
		log_err("action: cannot make an id");
		return -1;
	}
	if ((body = action_dispatch_body(id_out, a, tenant_id, now)) == NULL) {
		log_err("action: out of memory");
		return -1;
	}
	time_format_sql(now, nowsql);
	time_format_sql(now + t->ttl_seconds, expsql);
	if (a->has_confidence)
		snprintf(conf, sizeof(conf), "%.6f", a->confidence);
	params = json_object_to_json_string_ext(a->parameters,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (db_begin() != 0)
		goto out;
	if (db_exec(&act_insert, "sssssssssissss", id_out, tenant_id, t->id, a->action_type,
	    t->provider, a->user_id, params, a->reasoning, a->has_confidence ? conf : NULL,
	    (long long)(a->test_mode != 0), act_cost(t), expsql, nowsql, nowsql) != 0)
		goto fail;
	db_done(&act_insert);
	if (a->decision_id != NULL) {
		if ((rc = decision_link(tenant_id, a->decision_id, a->user_id, id_out)) != 0) {
			db_rollback();
			rc = rc > 0 ? ACTION_CREATE_LINK_FAILED : -1;
			goto out;
		}
		rc = -1;
	}
	if (delivery_enqueue(tenant_id, "action", id_out, NULL, id_out, t->delivery_webhook,
	    t->secret_sealed, body, now, now) != 0)
		goto fail;
	if (db_commit() != 0)
		goto out;
	rc = 0;
	goto out;
fail:
	db_rollback();
out:
	free(body);
	return rc;
}

/* The API form of the current row of s (ACT_COLS). */
static struct json_object *
act_row_json(const struct db_stmt *s)
{
	struct json_object *o = json_object_new_object(), *oc;
	char cost[40];

	jo_str(o, "id", db_col(s, 0));
	jo_str(o, "action_type", db_col(s, 1));
	jo_str(o, "action_type_id", db_col(s, 2));
	jo_str(o, "provider", db_col(s, 3));
	jo_str(o, "user_id", db_col(s, 4));
	jo_raw(o, "parameters", db_col(s, 5));
	jo_str(o, "reasoning", db_col(s, 6));
	jo_col_double(o, "confidence", s, 7);
	jo_str(o, "status", db_col(s, 8));
	jo_bool(o, "test_mode", (int)db_col_int(s, 9));
	if (db_col(s, 10) != NULL) {
		action_decimal_format(db_col(s, 10), cost, sizeof(cost));
		jo_str(o, "estimated_cost_usd", cost);
	} else
		json_object_object_add(o, "estimated_cost_usd", NULL);
	jo_time(o, "created_at", db_col(s, 11));
	jo_time(o, "dispatched_at", db_col(s, 12));
	jo_time(o, "delivered_at", db_col(s, 13));
	jo_time(o, "completed_at", db_col(s, 14));
	jo_time(o, "expires_at", db_col(s, 15));
	if (db_col(s, 16) != NULL) {
		oc = json_object_new_object();
		jo_str(oc, "status", db_col(s, 16));
		jo_raw(oc, "result", db_col(s, 17));
		jo_time(oc, "reported_at", db_col(s, 18));
		json_object_object_add(o, "outcome", oc);
	} else
		json_object_object_add(o, "outcome", NULL);
	jo_int(o, "attempts", db_col_int(s, 19));
	return o;
}

struct json_object *
action_get_json(const char *tenant_id, const char *id, int *found)
{
	return page_row_by_id(&act_select, tenant_id, id, found, act_row_json);
}

struct json_object *
action_list(const char *tenant_id, const struct action_filter *f, int limit,
    const char *cursor, int *has_more, int *bad_cursor)
{
	struct db_stmt *s = &act_page;
	long long before = LLONG_MAX;
	char since[TIME_SQL_SIZE];
	const char *since_p = NULL;

	if (page_cursor(&act_cursor_seq, tenant_id, cursor, &before, has_more, bad_cursor) != 0)
		return NULL;
	if (f->has_since) {
		time_format_sql(f->since, since);
		since_p = since;
	}
	if (db_exec(s, "sssssssssii", tenant_id, f->status, f->status, f->provider, f->provider,
	    f->user_id, f->user_id, since_p, since_p, before, (long long)limit + 1) != 0)
		return NULL;
	return page_rows(s, limit, has_more, act_row_json);
}

/* One attempt of action_outcome_record(). */
static int
act_outcome_once(const char *tenant_id, const char *action_id, const char *status,
    const char *result, int64_t now)
{
	char nowsql[TIME_SQL_SIZE];
	int found;

	time_format_sql(now, nowsql);
	if (db_begin() != 0)
		return -1;
	if (db_exec(&act_status, "ss", tenant_id, action_id) != 0)
		goto fail;
	found = db_fetch(&act_status) == 1;
	db_done(&act_status);
	if (!found) {
		db_rollback();
		return ACTION_OUTCOME_NOT_FOUND;
	}
	if (db_exec(&act_outcome_insert, "sssss", action_id, tenant_id, status, result,
	    nowsql) != 0) {
		if (db_errno() == DB_ER_DUP_ENTRY) {
			db_rollback();
			return ACTION_OUTCOME_DUPLICATE;
		}
		goto fail;
	}
	db_done(&act_outcome_insert);
	/* Failed and expired stay as they are: the outcome is kept all the same. */
	if (db_exec(&act_to_completed, "ssss", nowsql, nowsql, tenant_id, action_id) != 0)
		goto fail;
	db_done(&act_to_completed);
	if (decision_outcome_from_action(tenant_id, action_id, status, result, now) != 0)
		goto fail;
	return db_commit() == 0 ? ACTION_OUTCOME_OK : -1;
fail:
	db_rollback();
	return -1;
}

int
action_outcome_record(const char *tenant_id, const char *action_id, const char *status,
    const char *result, int64_t now)
{
	unsigned err;
	int try, rc;

	/* The linked decision's arm is a row other outcomes update too: a
	 * deadlock there rolls the whole outcome back, and it is redone. */
	for (try = 1; ; try++) {
		if ((rc = act_outcome_once(tenant_id, action_id, status, result, now)) >= 0)
			return rc;
		err = db_errno();
		if (!db_err_retryable(err) ||
		    try == ACTION_OUTCOME_TRIES)
			return -1;
		log_warn("action: deadlock recording the outcome of %s, retrying", action_id);
	}
}

int
action_mark_dispatched(const char *tenant_id, const char *action_id, int64_t now)
{
	char nowsql[TIME_SQL_SIZE];

	time_format_sql(now, nowsql);
	if (db_exec(&act_to_dispatched, "ssss", nowsql, nowsql, tenant_id, action_id) != 0)
		return -1;
	db_done(&act_to_dispatched);
	return 0;
}

int
action_mark_delivered(const char *tenant_id, const char *action_id, int64_t now)
{
	char nowsql[TIME_SQL_SIZE];

	time_format_sql(now, nowsql);
	if (db_exec(&act_to_delivered, "sssss", nowsql, nowsql, nowsql, tenant_id,
	    action_id) != 0)
		return -1;
	db_done(&act_to_delivered);
	return 0;
}

int
action_mark_failed(const char *tenant_id, const char *action_id, int64_t now)
{
	char nowsql[TIME_SQL_SIZE];

	time_format_sql(now, nowsql);
	if (db_exec(&act_to_failed, "sss", nowsql, tenant_id, action_id) != 0)
		return -1;
	db_done(&act_to_failed);
	return 0;
}

int
action_expire(const char *tenant_id, const char *action_id, int64_t now)
{
	char nowsql[TIME_SQL_SIZE];
	int moved;

	time_format_sql(now, nowsql);
	if (db_begin() != 0)
		return -1;
	if (db_exec(&act_to_expired, "sss", nowsql, tenant_id, action_id) != 0)
		goto fail;
	moved = db_affected(&act_to_expired) > 0;
	db_done(&act_to_expired);
	if (moved && delivery_fail_action(tenant_id, action_id, "expired", now) != 0)
		goto fail;
	/* An intervention that created the action fails with it, as when the
	 * platform refuses it, rather than staying "sent" for ever. */
	if (moved && isend_action_failed(tenant_id, action_id, now) != 0)
		goto fail;
	return db_commit() == 0 ? moved : -1;
fail:
	db_rollback();
	return -1;
}

long long
action_expire_due(int64_t now, int limit)
{
	struct db_stmt *s = &act_due_expiry;
	char nowsql[TIME_SQL_SIZE], (*ids)[2][48];
	long long moved = 0;
	int n = 0, i, rc;

	if (limit <= 0)
		return 0;
	if ((ids = calloc((size_t)limit, sizeof(*ids))) == NULL) {
		log_err("action: out of memory");
		return -1;
	}
	time_format_sql(now, nowsql);
	/* Read the batch first: the moves run their own transactions. */
	if (db_exec(s, "si", nowsql, (long long)limit) != 0) {
		free(ids);
		return -1;
	}
	while (n < limit && db_fetch(s) == 1) {
		snprintf(ids[n][0], sizeof(ids[n][0]), "%s", db_col(s, 0));
		snprintf(ids[n][1], sizeof(ids[n][1]), "%s", db_col(s, 1));
		n++;
	}
	db_done(s);
	for (i = 0; i < n; i++) {
		if ((rc = action_expire(ids[i][0], ids[i][1], now)) < 0) {
			moved = -1;
			break;
		}
		moved += rc;
	}
	free(ids);
	return moved;
}
