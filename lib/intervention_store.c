/*
 * intervention_store.c — the interventions and intervention_history
 * tables: creating a row (inside the caller's transaction), reading and
 * listing, the guarded status moves of the API verbs with their history
 * row, flagging, and the signed rollback dispatch of an external action.
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "action.h"
#include "db.h"
#include "delivery.h"
#include "ids.h"
#include "intervention.h"
#include "jsonout.h"
#include "log.h"
#include "page.h"
#include "timeutil.h"

static struct db_stmt iv_insert = DB_STMT(
    "INSERT INTO interventions (id, tenant_id, user_id, playbook_id, status, channel, source, "
    "  subject, message_body, message_html, action_type, parameters, reasoning, confidence, "
    "  decision_id, quality_checks, test_mode, shadow, holdout, winback_offset, planned_at, "
    "  next_attempt_at, flagged, flag_reason, created_at, updated_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");

static struct db_stmt iv_user = DB_STMT(
    "SELECT opted_out, paused FROM users WHERE tenant_id = ? AND user_id = ?");

/* As lib/evaluate_run.c decides test data (intervention_test_data()). */
static struct db_stmt iv_test_data = DB_STMT(
    "SELECT NOT EXISTS (SELECT 1 FROM api_keys WHERE tenant_id = ? AND mode = 'live' "
    "  AND revoked_at IS NULL), "
    "EXISTS (SELECT 1 FROM events WHERE tenant_id = ? AND user_id = ? AND test_mode = 1) "
    "AND NOT EXISTS (SELECT 1 FROM events WHERE tenant_id = ? AND user_id = ? "
    "  AND test_mode = 0)");

static struct db_stmt iv_history = DB_STMT(
    "INSERT INTO intervention_history (intervention_id, from_status, to_status, actor, reason, at) "
    "VALUES (?, ?, ?, ?, ?, ?)");

#define IV_COLS "id, user_id, playbook_id, status, channel, source, subject, message_body, " \
	"message_html, action_type, parameters, reasoning, confidence, decision_id, " \
	"quality_checks, flagged, flag_reason, reject_reason, rollback_reason, test_mode, " \
	"shadow, holdout, winback_offset, planned_at, approved_at, sent_at, delivered_at, " \
	"failed_at, attempts, next_attempt_at, last_error, external_ref, created_at, updated_at "

static struct db_stmt iv_select = DB_STMT(
    "SELECT " IV_COLS "FROM interventions WHERE tenant_id = ? AND id = ?");

static struct db_stmt iv_cursor_seq = DB_STMT(
    "SELECT seq FROM interventions WHERE tenant_id = ? AND id = ?");

/* One statement for every filter combination, as lib/action.c does. */
static struct db_stmt iv_page = DB_STMT(
    "SELECT " IV_COLS "FROM interventions WHERE tenant_id = ? "
    "AND (? IS NULL OR status = ?) AND (? IS NULL OR user_id = ?) "
    "AND (? IS NULL OR playbook_id = ?) AND (? IS NULL OR channel = ?) "
    "AND (? < 0 OR flagged = ?) AND (? IS NULL OR created_at >= ?) "
    "AND seq < ? ORDER BY seq DESC LIMIT ?");

static struct db_stmt iv_lock = DB_STMT(
    "SELECT status, channel, action_type, user_id, external_ref FROM interventions "
    "WHERE tenant_id = ? AND id = ? FOR UPDATE");

/* The moves of the API verbs; each names the status it leaves. */
static struct db_stmt iv_to_approved = DB_STMT(
    "UPDATE interventions SET status = 'approved', approved_at = ?, updated_at = ? "
    "WHERE tenant_id = ? AND id = ? AND status = ?");
static struct db_stmt iv_to_plain = DB_STMT(
    "UPDATE interventions SET status = ?, updated_at = ? "
    "WHERE tenant_id = ? AND id = ? AND status = ?");
static struct db_stmt iv_to_rejected = DB_STMT(
    "UPDATE interventions SET status = 'rejected', reject_reason = ?, updated_at = ? "
    "WHERE tenant_id = ? AND id = ? AND status = ?");
static struct db_stmt iv_to_rolled_back = DB_STMT(
    "UPDATE interventions SET status = 'rolled_back', rollback_reason = ?, updated_at = ? "
    "WHERE tenant_id = ? AND id = ? AND status = ?");

static struct db_stmt iv_flag = DB_STMT(
    "UPDATE interventions SET flagged = 1, flag_reason = ?, updated_at = ? "
    "WHERE tenant_id = ? AND id = ?");
static struct db_stmt iv_exists = DB_STMT(
    "SELECT 1 FROM interventions WHERE tenant_id = ? AND id = ?");

int
intervention_history_add(const char *intervention_id, const char *from, const char *to,
    const char *actor, const char *reason, int64_t now)
{
	char nowsql[TIME_SQL_SIZE];

	time_format_sql(now, nowsql);
	if (db_exec(&iv_history, "ssssss", intervention_id, from, to, actor, reason, nowsql) != 0) {
		log_err("intervention: history row of %s not stored", intervention_id);
		return -1;
	}
	db_done(&iv_history);
	return 0;
}

int
intervention_user_state(const char *tenant_id, const char *user_id, int *opted_out,
    int *paused)
{
	int found;

	*opted_out = *paused = 0;
	if (db_exec(&iv_user, "ss", tenant_id, user_id) != 0)
		return -1;
	if ((found = db_fetch(&iv_user) == 1)) {
		*opted_out = db_col_int(&iv_user, 0) != 0;
		*paused = db_col_int(&iv_user, 1) != 0;
	}
	db_done(&iv_user);
	return found ? 0 : 1;
}

int
intervention_test_data(const char *tenant_id, const char *user_id)
{
	int test = 0;

	if (db_exec(&iv_test_data, "sssss", tenant_id, tenant_id, user_id, tenant_id,
	    user_id) != 0) {
		log_err("intervention: cannot tell whether user %s of tenant %s is test data",
		    user_id, tenant_id);
		return -1;
	}
	if (db_fetch(&iv_test_data) == 1)
		test = db_col_int(&iv_test_data, 0) != 0 || db_col_int(&iv_test_data, 1) != 0;
	db_done(&iv_test_data);
	return test;
}

int
intervention_create(const struct intervention_new *n, int64_t now, char id_out[48])
{
	char nowsql[TIME_SQL_SIZE], plansql[TIME_SQL_SIZE], conf[32];
	int64_t planned = n->planned_at != 0 ? n->planned_at : now;

	if (id_new("int", id_out, 48) != 0) {
		log_err("intervention: cannot make an id");
		return -1;
	}
	time_format_sql(now, nowsql);
	time_format_sql(planned, plansql);
	if (n->has_confidence)
		snprintf(conf, sizeof(conf), "%.6f", n->confidence);
	if (db_exec(&iv_insert, "ssssssssssssssssiiinssisss", id_out, n->tenant_id, n->user_id,
	    n->playbook_id, n->status, n->channel, n->source != NULL ? n->source : "playbook",
	    n->subject, n->message_body != NULL ? n->message_body : "", n->message_html,
	    n->action_type, n->parameters, n->reasoning, n->has_confidence ? conf : NULL,
	    n->decision_id, n->quality_checks, (long long)(n->test_mode != 0),
	    (long long)(n->shadow != 0), (long long)(n->holdout != 0), n->winback_offset,
	    plansql, plansql, (long long)(n->flag_reason != NULL), n->flag_reason, nowsql,
	    nowsql) != 0) {
		log_err("intervention: insert for user %s of tenant %s failed", n->user_id,
		    n->tenant_id);
		return -1;
	}
	db_done(&iv_insert);
	return intervention_history_add(id_out, NULL, n->status, n->actor, NULL, now);
}

/* The API form of the current row of s (IV_COLS). */
static struct json_object *
iv_row_json(const struct db_stmt *s)
{
	struct json_object *o = json_object_new_object();

	jo_str(o, "id", db_col(s, 0));
	jo_str(o, "user_id", db_col(s, 1));
	jo_str(o, "playbook_id", db_col(s, 2));
	jo_str(o, "status", db_col(s, 3));
	jo_str(o, "channel", db_col(s, 4));
	jo_str(o, "source", db_col(s, 5));
	jo_str(o, "subject", db_col(s, 6));
	jo_str(o, "message_body", db_col(s, 7));
	jo_str(o, "message_html", db_col(s, 8));
	jo_str(o, "action_type", db_col(s, 9));
	jo_raw(o, "parameters", db_col(s, 10));
	jo_str(o, "reasoning", db_col(s, 11));
	jo_col_double(o, "confidence", s, 12);
	jo_str(o, "decision_id", db_col(s, 13));
	jo_raw(o, "quality_checks", db_col(s, 14));
	jo_bool(o, "flagged", (int)db_col_int(s, 15));
	jo_str(o, "flag_reason", db_col(s, 16));
	jo_str(o, "reject_reason", db_col(s, 17));
	jo_str(o, "rollback_reason", db_col(s, 18));
	jo_bool(o, "test_mode", (int)db_col_int(s, 19));
	jo_bool(o, "shadow", (int)db_col_int(s, 20));
	jo_bool(o, "holdout", (int)db_col_int(s, 21));
	jo_col_int(o, "winback_offset", s, 22);
	jo_time(o, "planned_at", db_col(s, 23));
	jo_time(o, "approved_at", db_col(s, 24));
	jo_time(o, "sent_at", db_col(s, 25));
	jo_time(o, "delivered_at", db_col(s, 26));
	jo_time(o, "failed_at", db_col(s, 27));
	jo_int(o, "attempts", db_col_int(s, 28));
	jo_time(o, "next_attempt_at", db_col(s, 29));
	jo_str(o, "last_error", db_col(s, 30));
	jo_str(o, "external_ref", db_col(s, 31));
	jo_time(o, "created_at", db_col(s, 32));
	jo_time(o, "updated_at", db_col(s, 33));
	return o;
}

struct json_object *
intervention_get_json(const char *tenant_id, const char *id, int *found)
{
	return page_row_by_id(&iv_select, tenant_id, id, found, iv_row_json);
}

struct json_object *
intervention_list(const char *tenant_id, const struct intervention_filter *f, int limit,
    const char *cursor, int *has_more, int *bad_cursor)
{
	long long before = LLONG_MAX, flagged = f->flagged;
	char since[TIME_SQL_SIZE];
	const char *since_p = NULL;

	if (page_cursor(&iv_cursor_seq, tenant_id, cursor, &before, has_more, bad_cursor) != 0)
		return NULL;
	if (f->has_since) {
		time_format_sql(f->since, since);
		since_p = since;
	}
	if (db_exec(&iv_page, "sssssssssiissii", tenant_id, f->status, f->status, f->user_id,
	    f->user_id, f->playbook_id, f->playbook_id, f->channel, f->channel, flagged, flagged,
	    since_p, since_p, before, (long long)limit + 1) != 0)
		return NULL;
	return page_rows(&iv_page, limit, has_more, iv_row_json);
}

char *
intervention_rollback_body(const char *intervention_id, const char *action_id,
    const char *action_type, const char *user_id, const char *reason, int64_t now)
{
	struct json_object *o = json_object_new_object();
	char iso[TIME_ISO8601_SIZE], *text = NULL;
	const char *s;

	if (o == NULL)
		return NULL;
	time_format_iso8601(now, iso);
	json_object_object_add(o, "type", json_object_new_string("rollback"));
	jo_str(o, "intervention_id", intervention_id);
	jo_str(o, "action_id", action_id);
	jo_str(o, "action_type", action_type);
	jo_str(o, "user_id", user_id);
	jo_str(o, "reason", reason);
	json_object_object_add(o, "timestamp", json_object_new_string(iso));
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
	if (s != NULL)
		text = strdup(s);
	json_object_put(o);
	return text;
}

/* The locked row of intervention_apply(). */
struct iv_locked {
	char	status[INTERVENTION_STATUS_MAX];
	char	channel[24];
	char	action_type[65];
	char	user_id[INTERVENTION_USER_ID_MAX + 1];
	char	external_ref[256];
	int	has_action_type, has_ref;
};

static void
iv_copy(char *dst, size_t len, const char *src, int *present)
{
	if (present != NULL)
		*present = src != NULL;
	snprintf(dst, len, "%s", src != NULL ? src : "");
}

/*
 * Queues the signed rollback dispatch of an external-action intervention
 * to its action type's webhook (lib/delivery.h, kind "rollback"). The
 * delivery carries no action_id: the dispatch job treats a delivery whose
 * action has passed its TTL as expired, and a rollback must still go out
 * after that; the action id travels in the body. A type that no longer
 * exists is logged and skipped: the rollback is still recorded. 0 or -1.
 */
static int
iv_rollback_dispatch(const char *tenant_id, const char *id, const struct iv_locked *l,
    const char *reason, int64_t now)
{
	struct action_target t;
	char msg_id[48], *body = NULL;
	int rc = -1, found;

	memset(&t, 0, sizeof(t));
	if (!l->has_action_type) {
		log_warn("intervention: %s has no action type; rollback recorded, nobody told", id);
		return 0;
	}
	if ((found = action_target_load(tenant_id, l->action_type, &t)) < 0)
		return -1;
	if (found == 1 || t.delivery_webhook == NULL || t.secret_sealed == NULL) {
		log_warn("intervention: action type %s of %s is gone; rollback recorded, nobody "
		    "told", l->action_type, id);
		rc = 0;
		goto out;
	}
	if (id_new("rb", msg_id, sizeof(msg_id)) != 0 ||
	    (body = intervention_rollback_body(id, l->has_ref ? l->external_ref : NULL,
	    l->action_type, l->user_id, reason, now)) == NULL) {
		log_err("intervention: cannot build the rollback of %s", id);
		goto out;
	}
	rc = delivery_enqueue(tenant_id, "rollback", NULL, NULL, msg_id, t.delivery_webhook,
	    t.secret_sealed, body, now, now);
out:
	free(body);
	action_target_clear(&t);
	return rc;
}

/* The guarded UPDATE of one API verb: 1 moved, 0 not (a concurrent move), -1. */
static int
iv_move(const char *tenant_id, const char *id, const char *verb, const char *from,
    const char *to, const char *reason, int64_t now)
{
	char nowsql[TIME_SQL_SIZE];
	struct db_stmt *s;
	int rc;

	time_format_sql(now, nowsql);
	if (strcmp(verb, "approve") == 0) {
		s = &iv_to_approved;
		rc = db_exec(s, "sssss", nowsql, nowsql, tenant_id, id, from);
	} else if (strcmp(verb, "reject") == 0) {
		s = &iv_to_rejected;
		rc = db_exec(s, "sssss", reason, nowsql, tenant_id, id, from);
	} else if (strcmp(verb, "rollback") == 0) {
		s = &iv_to_rolled_back;
		rc = db_exec(s, "sssss", reason, nowsql, tenant_id, id, from);
	} else {
		s = &iv_to_plain;
		rc = db_exec(s, "sssss", to, nowsql, tenant_id, id, from);
	}
	if (rc != 0)
		return -1;
	rc = db_affected(s) == 1;
	db_done(s);
	return rc;
}

int
intervention_apply(const char *tenant_id, const char *id, const char *verb,
    const char *reason, const char *actor, int64_t now,
    char current[INTERVENTION_STATUS_MAX], char new_status[INTERVENTION_STATUS_MAX])
{
	struct iv_locked l;
	const char *to = NULL;
	int rc, found;

	memset(&l, 0, sizeof(l));
	if (db_begin() != 0)
		return -1;
	if (db_exec(&iv_lock, "ss", tenant_id, id) != 0)
		goto fail;
	if ((found = db_fetch(&iv_lock) == 1)) {
		iv_copy(l.status, sizeof(l.status), db_col(&iv_lock, 0), NULL);
		iv_copy(l.channel, sizeof(l.channel), db_col(&iv_lock, 1), NULL);
		iv_copy(l.action_type, sizeof(l.action_type), db_col(&iv_lock, 2),
		    &l.has_action_type);
		iv_copy(l.user_id, sizeof(l.user_id), db_col(&iv_lock, 3), NULL);
		iv_copy(l.external_ref, sizeof(l.external_ref), db_col(&iv_lock, 4), &l.has_ref);
	}
	db_done(&iv_lock);
	if (!found) {
		db_rollback();
		return INTERVENTION_NOT_FOUND;
	}
	if (current != NULL)
		snprintf(current, INTERVENTION_STATUS_MAX, "%s", l.status);
	if ((rc = intervention_transition(l.status, verb, &to)) != 0) {
		db_rollback();
		if (rc == INTERVENTION_NOT_ALLOWED)
			return INTERVENTION_INVALID;
		log_err("intervention: apply of verb %s to %s (status %s) refused: %d", verb, id,
		    l.status, rc);
		return -1;
	}
	/* The row is locked, so the guard can only fail on a programming error. */
	if ((rc = iv_move(tenant_id, id, verb, l.status, to, reason, now)) != 1) {
		if (rc == 0)
			log_err("intervention: %s of %s moved nothing under its lock", verb, id);
		goto fail;
	}
	if (intervention_history_add(id, l.status, to, actor, reason, now) != 0)
		goto fail;
	if (strcmp(verb, "rollback") == 0 && strcmp(l.channel, "external_action") == 0 &&
	    iv_rollback_dispatch(tenant_id, id, &l, reason, now) != 0)
		goto fail;
	if (db_commit() != 0)
		return -1;
	if (new_status != NULL)
		snprintf(new_status, INTERVENTION_STATUS_MAX, "%s", to);
	return INTERVENTION_OK;
fail:
	db_rollback();
	return -1;
}

int
intervention_flag(const char *tenant_id, const char *id, const char *reason, int64_t now)
{
	char nowsql[TIME_SQL_SIZE];
	int found;

	time_format_sql(now, nowsql);
	if (db_exec(&iv_flag, "ssss", reason, nowsql, tenant_id, id) != 0)
		return -1;
	db_done(&iv_flag);
	/* affected is 0 both when absent and when flagged again with the same
	 * reason in the same second, so existence is asked separately. */
	if (db_exec(&iv_exists, "ss", tenant_id, id) != 0)
		return -1;
	found = db_fetch(&iv_exists) == 1;
	db_done(&iv_exists);
	return found ? INTERVENTION_OK : INTERVENTION_NOT_FOUND;
}
