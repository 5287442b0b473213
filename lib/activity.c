/*
 * activity.c — activities: creation with idempotency, the JSON views,
 * listing, cancel, results, the tenant's activity settings and one
 * resolution pass shared with the dispatch (lib/activity_dispatch.c).
 *
 * Idempotency rests on the UNIQUE (tenant_id, idempotency_key) index
 * alone: of two concurrent creates with one key, InnoDB lets one insert
 * and gives the other a duplicate-key error, answered 409.
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "activity.h"
#include "activity_int.h"
#include "commerce.h"
#include "db.h"
#include "ids.h"
#include "jsonout.h"
#include "log.h"
#include "page.h"
#include "timeutil.h"

const char *const activity_types[] = { "TASK", "MESSAGE", NULL };
const char *const activity_statuses[] = { "READY", "UNRESOLVED", "DISPATCHED", "COMPLETED",
	"FAILED", "CANCELED", NULL };
const char *const activity_results[] = { "completed", "not_executed", "canceled",
	"transferred", NULL };

static struct db_stmt ac_insert = DB_STMT(
    "INSERT INTO activities (id, tenant_id, commerce_id, type, channel, status, reason, "
    "  idempotency_key, scheduled_at, suggested_execution_time, user_status, score, "
    "  assignment_reason, target_criteria, attribute_keys, caller_attributes, targets, "
    "  attributes, unresolved, targets_resolved, created_at, updated_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");

static struct db_stmt ac_get = DB_STMT(
    "SELECT " ACT_COLS "FROM activities WHERE tenant_id = ? AND id = ?");

static struct db_stmt ac_cursor = DB_STMT(
    "SELECT seq FROM activities WHERE tenant_id = ? AND id = ?");

static struct db_stmt ac_page = DB_STMT(
    "SELECT " ACT_COLS "FROM activities WHERE tenant_id = ? "
    "AND (? IS NULL OR status = ?) AND (? IS NULL OR type = ?) "
    "AND (? IS NULL OR channel = ?) AND (? IS NULL OR commerce_id = ?) "
    "AND (? IS NULL OR scheduled_at >= ?) AND (? IS NULL OR scheduled_at <= ?) "
    "AND seq < ? ORDER BY seq DESC LIMIT ?");

static struct db_stmt ac_cancel = DB_STMT(
    "UPDATE activities SET status = 'CANCELED', finished_at = ?, updated_at = ?, "
    "  claim_owner = NULL, claim_until = NULL "
    "WHERE tenant_id = ? AND id = ? AND status IN ('READY', 'UNRESOLVED')");

static struct db_stmt ac_report = DB_STMT(
    "UPDATE activities SET status = ?, result = ?, result_notes = ?, finished_at = ?, "
    "  updated_at = ? WHERE tenant_id = ? AND id = ? AND status = 'DISPATCHED' "
    "AND result IS NULL");

static struct db_stmt ac_reached = DB_STMT(
    "SELECT commerce_id, channel, targets FROM activities WHERE tenant_id = ? AND id = ?");

static struct db_stmt ac_contacts = DB_STMT(
    "SELECT contacts FROM commerces WHERE tenant_id = ? AND id = ? FOR UPDATE");

static struct db_stmt ac_contacts_put = DB_STMT(
    "UPDATE commerces SET contacts = ?, updated_at = ? WHERE tenant_id = ? AND id = ?");

static struct db_stmt ac_exists = DB_STMT(
    "SELECT 1 FROM activities WHERE tenant_id = ? AND id = ?");

static struct db_stmt ac_settings_get = DB_STMT(
    "SELECT settings FROM activity_settings WHERE tenant_id = ?");

static struct db_stmt ac_settings_put = DB_STMT(
    "INSERT INTO activity_settings (tenant_id, settings, updated_at) VALUES (?, ?, ?) "
    "ON DUPLICATE KEY UPDATE settings = VALUES(settings), updated_at = VALUES(updated_at)");

/* The latest event of a user (the commerce's external_id, else its id). */
static struct db_stmt ac_event = DB_STMT(
    "SELECT properties FROM events WHERE tenant_id = ? AND user_id = ? "
    "AND (? IS NULL OR name = ?) ORDER BY occurred_at DESC, id DESC LIMIT 1");

/* Adds key: the seed's time form "…T09:00:00.000Z", or null. */
static void
ac_time(struct json_object *o, const char *key, const char *sqltime)
{
	char iso[TIME_ISO8601_SIZE], ms[32];

	if (sqltime == NULL || jo_iso_from_sql(sqltime, iso) != 0) {
		json_object_object_add(o, key, NULL);
		return;
	}
	snprintf(ms, sizeof(ms), "%.19s.000Z", iso);
	json_object_object_add(o, key, json_object_new_string(ms));
}

struct json_object *
act_row_json(const struct db_stmt *s)
{
	struct json_object *o = json_object_new_object(), *ca = json_object_new_object();

	jo_str(o, "id", db_col(s, AC_ID));
	jo_str(o, "type", db_col(s, AC_TYPE));
	jo_str(o, "channel", db_col(s, AC_CHANNEL));
	jo_str(o, "status", db_col(s, AC_STATUS));
	jo_str(o, "idempotencyKey", db_col(s, AC_IDEM));
	ac_time(o, "scheduledAt", db_col(s, AC_SCHEDULED));
	jo_str(ca, "commerceId", db_col(s, AC_COMMERCE));
	json_object_object_add(o, "commerceAssignment", ca);
	jo_raw(o, "targets", db_col(s, AC_TARGETS));
	jo_raw(o, "attributes", db_col(s, AC_ATTRS));
	if (db_col(s, AC_UNRESOLVED) != NULL)
		jo_raw(o, "unresolved", db_col(s, AC_UNRESOLVED));
	jo_str(o, "reason", db_col(s, AC_REASON));
	ac_time(o, "suggestedExecutionTime", db_col(s, AC_SUGGESTED));
	jo_str(o, "userStatus", db_col(s, AC_USER_STATUS));
	jo_col_int(o, "score", s, AC_SCORE);
	jo_str(o, "assignmentReason", db_col(s, AC_ASSIGN));
	jo_raw(o, "targetCriteria", db_col(s, AC_CRITERIA));
	jo_raw(o, "attributeKeys", db_col(s, AC_KEYS));
	jo_str(o, "result", db_col(s, AC_RESULT));
	jo_str(o, "resultNotes", db_col(s, AC_NOTES));
	ac_time(o, "createdAt", db_col(s, AC_CREATED));
	ac_time(o, "updatedAt", db_col(s, AC_UPDATED));
	ac_time(o, "dispatchedAt", db_col(s, AC_DISPATCHED));
	ac_time(o, "finishedAt", db_col(s, AC_FINISHED));
	return o;
}

/* The create view: the seed's keys plus targets, attributes, unresolved. */
static struct json_object *
ac_create_view(struct json_object *full)
{
	static const char *const keys[] = { "id", "type", "channel", "status", "idempotencyKey",
		"scheduledAt", "commerceAssignment", "targets", "attributes", "unresolved", NULL };
	struct json_object *o = json_object_new_object(), *v;
	size_t i;

	for (i = 0; keys[i] != NULL; i++)
		if (json_object_object_get_ex(full, keys[i], &v))
			json_object_object_add(o, keys[i], json_object_get(v));
	return o;
}

void
act_reason(struct json_object *arr, const char *kind, const char *reason)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "kind", json_object_new_string(kind));
	json_object_object_add(o, "reason", json_object_new_string(reason));
	json_object_array_add(arr, o);
}

struct ac_event_ctx {
	const char	*tenant_id;
	const char	*user_id;
	int		 failed;
};

/* resolve_event_fn over the events table. */
static struct json_object *
ac_event_data(void *arg, const char *event)
{
	struct ac_event_ctx *c = arg;
	struct json_object *o = NULL;

	if (db_exec(&ac_event, "ssss", c->tenant_id, c->user_id, event, event) != 0) {
		c->failed = 1;
		return NULL;
	}
	if (db_fetch(&ac_event) == 1 && db_col(&ac_event, 0) != NULL)
		o = json_tokener_parse(db_col(&ac_event, 0));
	db_done(&ac_event);
	return o;
}

int
act_resolve(struct act_resolution *r)
{
	struct json_object *contacts = NULL, *attrs = NULL, *reasons, *missing, *targets, *m, *v;
	struct json_object *criteria = r->criteria;
	struct resolve_attr_input in;
	struct ac_event_ctx ev;
	size_t i;

	r->unresolved = json_object_new_array();
	json_object_object_get_ex(r->commerce, "contacts", &contacts);
	json_object_object_get_ex(r->commerce, "attributes", &attrs);
	if (r->resolve_targets) {
		if (criteria == NULL)
			json_object_object_get_ex(r->settings, "target_criteria", &criteria);
		reasons = json_object_new_array();
		targets = resolve_targets(contacts, r->channel, criteria, reasons);
		if (json_object_array_length(targets) == 0)
			for (i = 0; i < json_object_array_length(reasons); i++)
				act_reason(r->unresolved, "target", json_object_get_string(
				    json_object_array_get_idx(reasons, i)));
		json_object_put(reasons);
		json_object_put(r->targets);
		r->targets = targets;
	}
	memset(&in, 0, sizeof(in));
	ev.tenant_id = r->tenant_id;
	v = NULL;
	json_object_object_get_ex(r->commerce, "external_id", &v);
	ev.user_id = v != NULL ? json_object_get_string(v) :
	    json_object_get_string(json_object_object_get(r->commerce, "id"));
	ev.failed = 0;
	in.keys = r->keys;
	in.caller = r->caller;
	json_object_object_get_ex(r->settings, "attribute_policies", &in.policies);
	in.commerce_attrs = attrs;
	in.event_data = ac_event_data;
	in.event_ctx = &ev;
	in.phase = r->phase;
	missing = json_object_new_array();
	resolve_attributes(&in, r->values, missing);
	for (i = 0; i < json_object_array_length(missing); i++) {
		m = json_object_array_get_idx(missing, i);
		json_object_object_add(m, "kind", json_object_new_string("attribute"));
		json_object_array_add(r->unresolved, json_object_get(m));
	}
	json_object_put(missing);
	if (ev.failed) {
		log_err("activity: cannot read event data for tenant %s", r->tenant_id);
		return -1;
	}
	return 0;
}

/* JSON text of o (NULL: NULL), in a new string the caller frees. */
static char *
ac_text(struct json_object *o)
{
	if (o == NULL)
		return NULL;
	return strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE));
}

int
activity_create(const char *tenant_id, const struct activity_input *in, int64_t now,
    struct json_object **out)
{
	struct act_resolution res;
	struct json_object *commerce = NULL, *settings = NULL, *full, *empty_keys = NULL;
	struct json_object *empty_caller = NULL;
	char id[37], ts[TIME_SQL_SIZE], sched[TIME_SQL_SIZE], sugg[TIME_SQL_SIZE];
	char *t_crit = NULL, *t_keys = NULL, *t_caller = NULL, *t_targets = NULL, *t_attrs = NULL;
	char *t_unres = NULL;
	const char *rt;
	int found, rc = -1, by_creation;

	memset(&res, 0, sizeof(res));
	*out = NULL;
	if ((commerce = commerce_get_json(tenant_id, in->commerce_id, &found)) == NULL) {
		rc = found ? -1 : ACTIVITY_NOT_FOUND;
		goto out;
	}
	if ((settings = activity_settings_load(tenant_id)) == NULL)
		goto out;
	rt = json_object_get_string(json_object_object_get(settings, "resolution_time"));
	by_creation = rt != NULL && strcmp(rt, "creation") == 0;
	empty_keys = json_object_new_array();
	empty_caller = json_object_new_array();
	res.tenant_id = tenant_id;
	res.commerce = commerce;
	res.settings = settings;
	res.channel = in->channel;
	res.criteria = in->criteria;
	res.keys = in->keys != NULL ? in->keys : empty_keys;
	res.caller = in->caller != NULL ? in->caller : empty_caller;
	res.phase = RESOLVE_CREATION;
	res.resolve_targets = by_creation;
	res.targets = json_object_new_array();
	res.values = json_object_new_object();
	if (act_resolve(&res) != 0)
		goto out;
	if (id_uuid4(id) != 0) {
		log_err("activity: cannot make an id");
		goto out;
	}
	t_crit = ac_text(in->criteria);
	t_keys = ac_text(res.keys);
	t_caller = ac_text(res.caller);
	t_targets = ac_text(res.targets);
	t_attrs = ac_text(res.values);
	if (json_object_array_length(res.unresolved) > 0)
		t_unres = ac_text(res.unresolved);
	if (t_keys == NULL || t_caller == NULL || t_targets == NULL || t_attrs == NULL) {
		log_err("activity: out of memory");
		goto out;
	}
	time_format_sql(now, ts);
	time_format_sql(in->scheduled_at, sched);
	time_format_sql(in->suggested_at, sugg);
	if (db_exec(&ac_insert, "sssssssssssnsssssssiss", id, tenant_id, in->commerce_id,
	    in->type, in->channel, t_unres != NULL ? "UNRESOLVED" : "READY", in->reason,
	    in->idempotency_key, sched, in->has_suggested ? sugg : NULL, in->user_status,
	    in->has_score ? &in->score : NULL, in->assignment_reason, t_crit, t_keys, t_caller,
	    t_targets, t_attrs, t_unres, (long long)by_creation, ts, ts) != 0) {
		/* 1452: the commerce was deleted since it was read. */
		rc = db_errno() == DB_ER_DUP_ENTRY ? ACTIVITY_DUPLICATE :
		    db_errno() == 1452 ? ACTIVITY_NOT_FOUND : -1;
		goto out;
	}
	db_done(&ac_insert);
	if ((full = activity_get_json(tenant_id, id, &found)) == NULL)
		goto out;
	*out = ac_create_view(full);
	json_object_put(full);
	rc = ACTIVITY_OK;
out:
	free(t_crit);
	free(t_keys);
	free(t_caller);
	free(t_targets);
	free(t_attrs);
	free(t_unres);
	json_object_put(res.targets);
	json_object_put(res.values);
	json_object_put(res.unresolved);
	json_object_put(empty_keys);
	json_object_put(empty_caller);
	json_object_put(settings);
	json_object_put(commerce);
	return rc;
}

struct json_object *
activity_get_json(const char *tenant_id, const char *id, int *found)
{
	*found = 0;
	if (!id_is_uuid(id))
		return NULL;
	return page_row_by_id(&ac_get, tenant_id, id, found, act_row_json);
}

struct json_object *
activity_list(const char *tenant_id, const struct activity_filter *f, int limit,
    const char *cursor, int *has_more, int *bad_cursor)
{
	long long before = LLONG_MAX;
	char from[TIME_SQL_SIZE], to[TIME_SQL_SIZE];

	if (page_cursor(&ac_cursor, tenant_id, cursor, &before, has_more, bad_cursor) != 0)
		return NULL;
	time_format_sql(f->from, from);
	time_format_sql(f->to, to);
	if (db_exec(&ac_page, "sssssssssssssii", tenant_id, f->status, f->status, f->type, f->type,
	    f->channel, f->channel, f->commerce_id, f->commerce_id,
	    f->has_from ? from : NULL, f->has_from ? from : NULL,
	    f->has_to ? to : NULL, f->has_to ? to : NULL, before, (long long)limit + 1) != 0)
		return NULL;
	return page_rows(&ac_page, limit, has_more, act_row_json);
}

/* After a guarded UPDATE changed nothing: _NOT_FOUND or _BAD_STATUS, or -1. */
static int
ac_why_not(const char *tenant_id, const char *id)
{
	int exists;

	if (db_exec(&ac_exists, "ss", tenant_id, id) != 0)
		return -1;
	exists = db_fetch(&ac_exists) == 1;
	db_done(&ac_exists);
	return exists ? ACTIVITY_BAD_STATUS : ACTIVITY_NOT_FOUND;
}

int
activity_cancel(const char *tenant_id, const char *id, int64_t now)
{
	char ts[TIME_SQL_SIZE];
	unsigned long long n;

	if (!id_is_uuid(id))
		return ACTIVITY_NOT_FOUND;
	time_format_sql(now, ts);
	if (db_exec(&ac_cancel, "ssss", ts, ts, tenant_id, id) != 0)
		return -1;
	n = db_affected(&ac_cancel);
	db_done(&ac_cancel);
	return n > 0 ? ACTIVITY_OK : ac_why_not(tenant_id, id);
}

/*
 * After a completed or transferred result: stamps last_contacted_at of the
 * activity's targets on its channel in the commerce's contacts, so the
 * last-contacted rules learn from what was done. In the caller's
 * transaction (activities row, then commerces row). 0 or -1.
 */
static int
ac_mark_reached(const char *tenant_id, const char *id, int64_t now)
{
	struct json_object *targets = NULL, *contacts = NULL;
	char commerce_id[40] = "", channel[16] = "", ts[TIME_SQL_SIZE];
	int rc = -1;

	if (db_exec(&ac_reached, "ss", tenant_id, id) != 0)
		return -1;
	if (db_fetch(&ac_reached) == 1) {
		snprintf(commerce_id, sizeof(commerce_id), "%s", db_col(&ac_reached, 0));
		snprintf(channel, sizeof(channel), "%s", db_col(&ac_reached, 1));
		targets = json_tokener_parse(db_col(&ac_reached, 2) ? db_col(&ac_reached, 2) : "[]");
	}
	db_done(&ac_reached);
	if (targets == NULL || json_object_array_length(targets) == 0) {
		rc = 0;
		goto out;
	}
	if (db_exec(&ac_contacts, "ss", tenant_id, commerce_id) != 0)
		goto out;
	if (db_fetch(&ac_contacts) == 1 && db_col(&ac_contacts, 0) != NULL)
		contacts = json_tokener_parse(db_col(&ac_contacts, 0));
	db_done(&ac_contacts);
	if (contacts == NULL || resolve_mark_contacted(contacts, targets, channel, now) == 0) {
		rc = 0;		/* the contacts changed meanwhile: nobody to stamp */
		goto out;
	}
	time_format_sql(now, ts);
	if (db_exec(&ac_contacts_put, "ssss", json_object_to_json_string_ext(contacts,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE), ts, tenant_id,
	    commerce_id) != 0)
		goto out;
	db_done(&ac_contacts_put);
	rc = 0;
out:
	json_object_put(targets);
	json_object_put(contacts);
	return rc;
}

int
activity_report(const char *tenant_id, const char *id, const char *result, const char *notes,
    int64_t now)
{
	const char *status;
	char ts[TIME_SQL_SIZE];
	unsigned long long n;

	if (!id_is_uuid(id))
		return ACTIVITY_NOT_FOUND;
	if (strcmp(result, "not_executed") == 0)
		status = "FAILED";
	else if (strcmp(result, "canceled") == 0)
		status = "CANCELED";
	else
		status = "COMPLETED";	/* completed, transferred */
	time_format_sql(now, ts);
	if (db_begin() != 0)
		return -1;
	if (db_exec(&ac_report, "sssssss", status, result, notes, ts, ts, tenant_id, id) != 0)
		goto fail;
	n = db_affected(&ac_report);
	db_done(&ac_report);
	if (n == 0) {
		db_rollback();
		return ac_why_not(tenant_id, id);
	}
	if (strcmp(status, "COMPLETED") == 0 && ac_mark_reached(tenant_id, id, now) != 0)
		goto fail;
	if (db_commit() != 0)
		return -1;
	return ACTIVITY_OK;
fail:
	db_rollback();
	return -1;
}

struct json_object *
activity_settings_load(const char *tenant_id)
{
	struct json_object *stored = NULL, *out;
	struct resolve_err e;

	if (db_exec(&ac_settings_get, "s", tenant_id) != 0)
		return NULL;
	if (db_fetch(&ac_settings_get) == 1 && db_col(&ac_settings_get, 0) != NULL)
		stored = json_tokener_parse(db_col(&ac_settings_get, 0));
	db_done(&ac_settings_get);
	if (stored == NULL)
		return resolve_settings_default();
	/* Defaults under what is stored, so a key added later reads as its default. */
	out = resolve_settings_merge(NULL, stored, &e);
	if (out == NULL) {
		log_err("activity: stored settings of tenant %s no longer validate (%s); "
		    "using the defaults", tenant_id, e.msg);
		out = resolve_settings_default();
	}
	json_object_put(stored);
	return out;
}

int
activity_settings_save(const char *tenant_id, struct json_object *settings, int64_t now)
{
	char ts[TIME_SQL_SIZE];

	time_format_sql(now, ts);
	if (db_exec(&ac_settings_put, "sss", tenant_id, json_object_to_json_string_ext(settings,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE), ts) != 0)
		return -1;
	db_done(&ac_settings_put);
	return 0;
}
