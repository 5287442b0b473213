/*
 * customer.c — reading and changing rows of table `users` for the
 * customers API. Every statement carries tenant_id = ?, so a tenant can
 * never name another's user; lists page by users.seq through the indexes
 * users_list, users_stage and users_risk, with one statement per filter
 * combination rather than "? IS NULL OR" guards the optimizer cannot use.
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "customer.h"
#include "db.h"
#include "jsonout.h"
#include "log.h"
#include "page.h"
#include "settings.h"
#include "timeutil.h"

const char *const customer_stages[] = { "new", "onboarding", "active", "at_risk", "churned",
	"recovered", NULL };
const char *const customer_risks[] = { "low", "medium", "high", NULL };

#define CUSTOMER_NSTAGES	6
#define CUSTOMER_NRISKS		3

/* The list columns; the full object adds traits (column CUSTOMER_NCOLS). */
#define CUSTOMER_COLS "user_id, email, name, plan, company, lifecycle_stage, stage_changed_at, " \
	"activation_score, engagement_score, expansion_score, risk_level, opted_out, " \
	"opted_out_at, paused, paused_at, event_count, first_seen_at, last_activity_at, created_at"
#define CUSTOMER_NCOLS 19

static struct db_stmt customer_select = DB_STMT(
    "SELECT " CUSTOMER_COLS ", traits FROM users WHERE tenant_id = ? AND user_id = ?");

static struct db_stmt customer_exists_stmt = DB_STMT(
    "SELECT 1 FROM users WHERE tenant_id = ? AND user_id = ?");

static struct db_stmt customer_cursor_seq = DB_STMT(
    "SELECT seq FROM users WHERE tenant_id = ? AND user_id = ?");

/* Pages: every one takes tenant_id, [stage], [risk], seq bound, limit. */
static struct db_stmt customer_page_all = DB_STMT(
    "SELECT " CUSTOMER_COLS " FROM users WHERE tenant_id = ? AND seq < ? "
    "ORDER BY seq DESC LIMIT ?");
static struct db_stmt customer_page_stage = DB_STMT(
    "SELECT " CUSTOMER_COLS " FROM users WHERE tenant_id = ? AND lifecycle_stage = ? "
    "AND seq < ? ORDER BY seq DESC LIMIT ?");
static struct db_stmt customer_page_risk = DB_STMT(
    "SELECT " CUSTOMER_COLS " FROM users WHERE tenant_id = ? AND risk_level = ? "
    "AND seq < ? ORDER BY seq DESC LIMIT ?");
static struct db_stmt customer_page_stage_risk = DB_STMT(
    "SELECT " CUSTOMER_COLS " FROM users WHERE tenant_id = ? AND lifecycle_stage = ? "
    "AND risk_level = ? AND seq < ? ORDER BY seq DESC LIMIT ?");

static struct db_stmt customer_stats_stmt = DB_STMT(
    "SELECT lifecycle_stage, risk_level, COUNT(*), SUM(opted_out), SUM(paused) "
    "FROM users WHERE tenant_id = ? GROUP BY lifecycle_stage, risk_level ORDER BY NULL");

/* The newest stage changes (index stage_transitions_user) and the win-back
 * entries of the user, newest churn first. */
static struct db_stmt customer_history = DB_STMT(
    "SELECT from_stage, to_stage, reason, transitioned_at FROM stage_transitions "
    "WHERE tenant_id = ? AND user_id = ? ORDER BY id DESC LIMIT 20");
static struct db_stmt customer_winback = DB_STMT(
    "SELECT churned_at, offset_days, due_at, status FROM winback_entries "
    "WHERE tenant_id = ? AND user_id = ? ORDER BY churned_at DESC, offset_days LIMIT 20");

/* "Does the user have an event of this name": events_user or events_name. */
static struct db_stmt customer_has_event = DB_STMT(
    "SELECT 1 FROM events WHERE tenant_id = ? AND user_id = ? AND name = ? LIMIT 1");

/*
 * The changes: each touches a row only when it changes state, so with
 * CLIENT_FOUND_ROWS one affected row means one user changed. The first
 * two placeholders of pause and opt-out are both `now`.
 */
static struct {
	struct db_stmt	stmt;
	int		two_times;
} customer_changes[CUSTOMER_CHANGE__MAX] = {
	[CUSTOMER_PAUSE] = { DB_STMT(
	    "UPDATE users SET paused = 1, paused_at = ?, updated_at = ? "
	    "WHERE tenant_id = ? AND user_id = ? AND paused = 0"), 1 },
	[CUSTOMER_UNPAUSE] = { DB_STMT(
	    "UPDATE users SET paused = 0, paused_at = NULL, updated_at = ? "
	    "WHERE tenant_id = ? AND user_id = ? AND paused = 1"), 0 },
	[CUSTOMER_RESUBSCRIBE] = { DB_STMT(
	    "UPDATE users SET opted_out = 0, opted_out_at = NULL, updated_at = ? "
	    "WHERE tenant_id = ? AND user_id = ? AND opted_out = 1"), 0 },
};

static struct db_stmt customer_opt_out_stmt = DB_STMT(
    "UPDATE users SET opted_out = 1, opted_out_at = ?, updated_at = ? "
    "WHERE tenant_id = ? AND user_id = ? AND opted_out = 0");

#define CUSTOMER_DEADLOCK_TRIES 3

/* Adds a 0–1 score with six significant digits (json-c would print 17). */
static void
customer_score(struct json_object *o, const char *key, double val)
{
	char text[32];

	if (!(val >= 0))
		val = 0;
	if (val > 1)
		val = 1;
	snprintf(text, sizeof(text), "%.6g", val);
	json_object_object_add(o, key, json_object_new_double_s(strtod(text, NULL), text));
}

/* The list form of the current row of s (CUSTOMER_COLS). */
static struct json_object *
customer_row_json(const struct db_stmt *s)
{
	struct json_object *o = json_object_new_object();

	jo_str(o, "user_id", db_col(s, 0));
	jo_str(o, "email", db_col(s, 1));
	jo_str(o, "name", db_col(s, 2));
	jo_str(o, "plan", db_col(s, 3));
	jo_str(o, "company", db_col(s, 4));
	jo_str(o, "lifecycle_stage", db_col(s, 5));
	jo_time(o, "stage_changed_at", db_col(s, 6));
	customer_score(o, "activation_score", db_col_double(s, 7));
	customer_score(o, "engagement_score", db_col_double(s, 8));
	customer_score(o, "expansion_score", db_col_double(s, 9));
	jo_str(o, "risk_level", db_col(s, 10));
	jo_bool(o, "opted_out", (int)db_col_int(s, 11));
	jo_time(o, "opted_out_at", db_col(s, 12));
	jo_bool(o, "paused", (int)db_col_int(s, 13));
	jo_time(o, "paused_at", db_col(s, 14));
	jo_int(o, "event_count", db_col_int(s, 15));
	jo_time(o, "first_seen_at", db_col(s, 16));
	jo_time(o, "last_activity_at", db_col(s, 17));
	jo_time(o, "created_at", db_col(s, 18));
	return o;
}

struct json_object *
customer_list(const char *tenant_id, const char *stage, const char *risk, int limit,
    const char *cursor, int *has_more, int *bad_cursor)
{
	struct db_stmt *s;
	long long before = LLONG_MAX, lim = (long long)limit + 1;
	int rc;

	if (page_cursor(&customer_cursor_seq, tenant_id, cursor, &before, has_more,
	    bad_cursor) != 0)
		return NULL;
	if (stage != NULL && risk != NULL) {
		s = &customer_page_stage_risk;
		rc = db_exec(s, "sssii", tenant_id, stage, risk, before, lim);
	} else if (stage != NULL) {
		s = &customer_page_stage;
		rc = db_exec(s, "ssii", tenant_id, stage, before, lim);
	} else if (risk != NULL) {
		s = &customer_page_risk;
		rc = db_exec(s, "ssii", tenant_id, risk, before, lim);
	} else {
		s = &customer_page_all;
		rc = db_exec(s, "sii", tenant_id, before, lim);
	}
	if (rc != 0)
		return NULL;
	return page_rows(s, limit, has_more, customer_row_json);
}

/* Index of name in the NULL-terminated list, or -1. */
static int
customer_index(const char *const *list, const char *name)
{
	int i;

	for (i = 0; name != NULL && list[i] != NULL; i++)
		if (strcmp(list[i], name) == 0)
			return i;
	return -1;
}

struct json_object *
customer_stats(const char *tenant_id)
{
	struct db_stmt *s = &customer_stats_stmt;
	long long by_stage[CUSTOMER_NSTAGES] = { 0 }, by_risk[CUSTOMER_NRISKS] = { 0 };
	long long total = 0, opted_out = 0, paused = 0, n;
	struct json_object *o, *stages, *risks, *stats;
	int i, rc;

	if (db_exec(s, "s", tenant_id) != 0)
		return NULL;
	while ((rc = db_fetch(s)) == 1) {
		n = db_col_int(s, 2);
		total += n;
		if ((i = customer_index(customer_stages, db_col(s, 0))) >= 0)
			by_stage[i] += n;
		if ((i = customer_index(customer_risks, db_col(s, 1))) >= 0)
			by_risk[i] += n;
		opted_out += db_col_int(s, 3);
		paused += db_col_int(s, 4);
	}
	db_done(s);
	if (rc < 0)
		return NULL;
	stages = json_object_new_object();
	for (i = 0; i < CUSTOMER_NSTAGES; i++)
		jo_int(stages, customer_stages[i], by_stage[i]);
	risks = json_object_new_object();
	for (i = 0; i < CUSTOMER_NRISKS; i++)
		jo_int(risks, customer_risks[i], by_risk[i]);
	stats = json_object_new_object();
	jo_int(stats, "total", total);
	jo_int(stats, "active", by_stage[customer_index(customer_stages, "active")]);
	jo_int(stats, "at_risk", by_stage[customer_index(customer_stages, "at_risk")]);
	jo_int(stats, "churned", by_stage[customer_index(customer_stages, "churned")]);
	json_object_object_add(stats, "by_stage", stages);
	json_object_object_add(stats, "by_risk", risks);
	jo_int(stats, "opted_out", opted_out);
	jo_int(stats, "paused", paused);
	o = json_object_new_object();
	json_object_object_add(o, "stats", stats);
	return o;
}

struct json_object *
customer_milestones(struct json_object *settings,
    int (*has_event)(void *arg, const char *name), void *arg)
{
	struct json_object *list = NULL, *m, *key, *events, *ev, *completed, *o;
	size_t i, j, nlist;
	int total = 0, done = 0, hit;
	char text[32];

	completed = json_object_new_array();
	if (settings != NULL && json_object_object_get_ex(settings, "onboarding_milestones", &list)
	    && json_object_is_type(list, json_type_array))
		nlist = json_object_array_length(list);
	else
		nlist = 0;
	for (i = 0; i < nlist && total < CUSTOMER_MILESTONES_MAX; i++) {
		m = json_object_array_get_idx(list, i);
		if (!json_object_is_type(m, json_type_object) ||
		    !json_object_object_get_ex(m, "key", &key) ||
		    !json_object_is_type(key, json_type_string) ||
		    !json_object_object_get_ex(m, "events", &events) ||
		    !json_object_is_type(events, json_type_array))
			continue;
		total++;
		for (j = 0, hit = 0; !hit && j < json_object_array_length(events); j++) {
			ev = json_object_array_get_idx(events, j);
			if (!json_object_is_type(ev, json_type_string))
				continue;
			if ((hit = has_event(arg, json_object_get_string(ev))) < 0) {
				json_object_put(completed);
				return NULL;
			}
		}
		if (hit) {
			done++;
			json_object_array_add(completed, json_object_get(key));
		}
	}
	o = json_object_new_object();
	json_object_object_add(o, "completed", completed);
	jo_int(o, "total", total);
	snprintf(text, sizeof(text), "%.4g", total ? (double)done / total : 0.0);
	json_object_object_add(o, "progress", json_object_new_double_s(strtod(text, NULL), text));
	return o;
}

struct customer_event_probe {
	const char		*tenant_id;
	const char		*user_id;
	struct json_object	*seen;		/* event name: 0/1, so each is asked once */
};

/* has_event for customer_milestones(): one indexed lookup per name. */
static int
customer_probe(void *arg, const char *name)
{
	struct customer_event_probe *p = arg;
	struct json_object *known;
	int rc;

	if (json_object_object_get_ex(p->seen, name, &known))
		return json_object_get_int(known);
	if (db_exec(&customer_has_event, "sss", p->tenant_id, p->user_id, name) != 0)
		return -1;
	rc = db_fetch(&customer_has_event);
	db_done(&customer_has_event);
	if (rc >= 0)
		json_object_object_add(p->seen, name, json_object_new_int(rc));
	return rc;
}

/*
 * Adds "stage_history" [{from, to, reason, at}] (newest first, at most 20)
 * and "winback" [{churned_at, offset_days, due_at, status}] (the user's
 * win-back entries, newest churn first, at most 20; [] when none) to o.
 * 0, or -1 (logged).
 */
static int
customer_add_history(struct json_object *o, const char *tenant_id, const char *user_id)
{
	struct db_stmt *s = &customer_history;
	struct json_object *arr, *item;
	int rc;

	if (db_exec(s, "ss", tenant_id, user_id) != 0)
		return -1;
	arr = json_object_new_array();
	while ((rc = db_fetch(s)) == 1) {
		item = json_object_new_object();
		jo_str(item, "from", db_col(s, 0));
		jo_str(item, "to", db_col(s, 1));
		jo_str(item, "reason", db_col(s, 2));
		jo_time(item, "at", db_col(s, 3));
		json_object_array_add(arr, item);
	}
	db_done(s);
	json_object_object_add(o, "stage_history", arr);
	if (rc < 0)
		return -1;
	s = &customer_winback;
	if (db_exec(s, "ss", tenant_id, user_id) != 0)
		return -1;
	arr = json_object_new_array();
	while ((rc = db_fetch(s)) == 1) {
		item = json_object_new_object();
		jo_time(item, "churned_at", db_col(s, 0));
		jo_int(item, "offset_days", db_col_int(s, 1));
		jo_time(item, "due_at", db_col(s, 2));
		jo_str(item, "status", db_col(s, 3));
		json_object_array_add(arr, item);
	}
	db_done(s);
	json_object_object_add(o, "winback", arr);
	return rc < 0 ? -1 : 0;
}

struct json_object *
customer_get_json(const char *tenant_id, const char *user_id, int *found)
{
	struct customer_event_probe probe = { tenant_id, user_id, NULL };
	struct tenant_settings ts;
	struct json_object *o = NULL, *traits, *milestones;
	int have_settings;

	*found = 1;
	if (db_exec(&customer_select, "ss", tenant_id, user_id) != 0)
		return NULL;
	if (db_fetch(&customer_select) == 1) {
		o = customer_row_json(&customer_select);
		traits = json_tokener_parse(db_col(&customer_select, CUSTOMER_NCOLS) ?
		    db_col(&customer_select, CUSTOMER_NCOLS) : "{}");
		if (!json_object_is_type(traits, json_type_object)) {
			log_warn("customer: traits of a user of tenant %s are not an object",
			    tenant_id);
			json_object_put(traits);
			traits = json_object_new_object();
		}
		json_object_object_add(o, "traits", traits);
	} else
		*found = 0;
	db_done(&customer_select);
	if (o == NULL)
		return NULL;

	/* Settings trouble must not hide the customer: it reads as no milestones. */
	memset(&ts, 0, sizeof(ts));
	have_settings = settings_load(tenant_id, &ts) == 0;
	if (!have_settings)
		log_warn("customer: settings of tenant %s unavailable; no milestones", tenant_id);
	probe.seen = json_object_new_object();
	milestones = customer_milestones(have_settings ? ts.settings : NULL, customer_probe, &probe);
	json_object_put(probe.seen);
	if (have_settings)
		settings_clear(&ts);
	if (milestones == NULL) {
		json_object_put(o);
		return NULL;
	}
	json_object_object_add(o, "milestones", milestones);
	if (customer_add_history(o, tenant_id, user_id) != 0) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

int
customer_exists(const char *tenant_id, const char *user_id)
{
	return db_exists(&customer_exists_stmt, tenant_id, user_id);
}

/*
 * Applies op to one user: 1 when its state changed, 0 when it was already
 * so (or does not exist: *exists says which), -1 on error.
 */
static int
customer_change_one(const char *tenant_id, enum customer_change op, const char *user_id,
    const char *ts, int *exists)
{
	struct db_stmt *s = &customer_changes[op].stmt;
	unsigned long long n;
	int rc;

	if (customer_changes[op].two_times)
		rc = db_exec(s, "ssss", ts, ts, tenant_id, user_id);
	else
		rc = db_exec(s, "sss", ts, tenant_id, user_id);
	if (rc != 0)
		return -1;
	n = db_affected(s);
	db_done(s);
	if (n > 0) {
		*exists = 1;
		return 1;
	}
	if ((rc = customer_exists(tenant_id, user_id)) < 0)
		return -1;
	*exists = rc;
	return 0;
}

struct customer_item {
	const char	*user_id;
	size_t		 pos;		/* index in the request */
};

static int
customer_item_cmp(const void *a, const void *b)
{
	const struct customer_item *x = a, *y = b;
	int c = strcmp(x->user_id, y->user_id);

	return c != 0 ? c : (x->pos < y->pos ? -1 : x->pos > y->pos);
}

int
customer_change_batch(const char *tenant_id, enum customer_change op,
    const char *const *user_ids, size_t n, int64_t now, long long *changed,
    struct json_object **not_found)
{
	struct customer_item *items = NULL;
	signed char *exists = NULL;	/* per request index; -1 for a repeat */
	char ts[TIME_SQL_SIZE];
	size_t i;
	int try, rc = -1, one, ex;
	unsigned err;

	*changed = 0;
	*not_found = NULL;
	if ((unsigned)op >= CUSTOMER_CHANGE__MAX)
		return -1;
	if (n > 0 && ((items = calloc(n, sizeof(*items))) == NULL ||
	    (exists = calloc(n, sizeof(*exists))) == NULL)) {
		log_err("customer: out of memory for a batch of %zu", n);
		goto out;
	}
	for (i = 0; i < n; i++) {
		items[i].user_id = user_ids[i];
		items[i].pos = i;
	}
	if (n > 0)
		qsort(items, n, sizeof(*items), customer_item_cmp);
	time_format_sql(now, ts);
	for (try = 1; ; try++) {
		*changed = 0;
		if (db_begin() != 0)
			goto out;
		for (i = 0; i < n; i++) {
			if (i > 0 && strcmp(items[i].user_id, items[i - 1].user_id) == 0) {
				exists[items[i].pos] = -1;
				continue;
			}
			ex = 0;
			if ((one = customer_change_one(tenant_id, op, items[i].user_id, ts, &ex)) < 0)
				break;
			*changed += one;
			exists[items[i].pos] = (signed char)ex;
		}
		if (i == n && db_commit() == 0)
			break;
		err = db_errno();
		db_rollback();
		if (err != DB_ER_LOCK_DEADLOCK || try == CUSTOMER_DEADLOCK_TRIES) {
			*changed = 0;
			goto out;
		}
		log_warn("customer: deadlock in a batch for tenant %s, retrying", tenant_id);
	}
	*not_found = json_object_new_array();
	for (i = 0; i < n; i++)
		if (exists[i] == 0)
			json_object_array_add(*not_found, json_object_new_string(user_ids[i]));
	rc = 0;
out:
	free(exists);
	free(items);
	return rc;
}

int
customer_opt_out(const char *tenant_id, const char *user_id, int64_t now)
{
	struct db_stmt *s = &customer_opt_out_stmt;
	char ts[TIME_SQL_SIZE];
	unsigned long long n;
	int rc;

	time_format_sql(now, ts);
	if (db_exec(s, "ssss", ts, ts, tenant_id, user_id) != 0)
		return -1;
	n = db_affected(s);
	db_done(s);
	if (n > 0)
		return CUSTOMER_OPTED_OUT;
	if ((rc = customer_exists(tenant_id, user_id)) < 0)
		return -1;
	return rc ? CUSTOMER_ALREADY : CUSTOMER_UNKNOWN;
}
