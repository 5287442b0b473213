/*
 * playbook_store.c — see playbook.h: the `playbooks` table (CRUD and the
 * API object), the active playbooks the evaluate job walks, a user as
 * conditions see it, and the conversions of the uplift report.
 *
 * success_rate and the report both count conversions from
 * playbook_conversions, which only ever records an exit condition observed
 * to hold after the user's intervention (playbook_conversions_refresh):
 * the report refreshes its playbook first, each evaluate run refreshes the
 * tenant, so the list's success_rate is as fresh as the last run.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "ids.h"
#include "jsonout.h"
#include "log.h"
#include "page.h"
#include "playbook.h"
#include "timeutil.h"

/* success_rate's two counts ride along every read as subqueries: the
 * playbook's delivered interventions, and those whose user converted. */
#define PB_COLS "p.id, p.name, p.lifecycle_area, p.status, p.entry_conditions, " \
	"p.exit_conditions, p.constraints, p.strategy_hints, p.starter_key, " \
	"p.created_at, p.updated_at, " \
	"(SELECT COUNT(*) FROM interventions i WHERE i.tenant_id = p.tenant_id " \
	"  AND i.playbook_id = p.id AND i.delivered_at IS NOT NULL), " \
	"(SELECT COUNT(*) FROM interventions i JOIN playbook_conversions c " \
	"  ON c.tenant_id = i.tenant_id AND c.playbook_id = i.playbook_id " \
	"  AND c.user_id = i.user_id AND c.grp = 'treated' " \
	"  WHERE i.tenant_id = p.tenant_id AND i.playbook_id = p.id " \
	"  AND i.delivered_at IS NOT NULL)"

static struct db_stmt pb_insert = DB_STMT(
    "INSERT INTO playbooks (id, tenant_id, name, lifecycle_area, status, entry_conditions, "
    "  exit_conditions, constraints, strategy_hints, starter_key, created_at, updated_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");

static struct db_stmt pb_update = DB_STMT(
    "UPDATE playbooks SET name = ?, lifecycle_area = ?, status = ?, entry_conditions = ?, "
    "  exit_conditions = ?, constraints = ?, strategy_hints = ?, updated_at = ? "
    "WHERE tenant_id = ? AND id = ?");

static struct db_stmt pb_archive = DB_STMT(
    "UPDATE playbooks SET status = 'archived', updated_at = ? WHERE tenant_id = ? AND id = ?");

static struct db_stmt pb_select = DB_STMT(
    "SELECT " PB_COLS " FROM playbooks p WHERE p.tenant_id = ? AND p.id = ?");

static struct db_stmt pb_page = DB_STMT(
    "SELECT " PB_COLS " FROM playbooks p WHERE p.tenant_id = ? "
    "AND (? IS NULL OR p.lifecycle_area = ?) AND (? IS NULL OR p.status = ?) "
    "AND (? IS NULL OR p.seq < "
    "  (SELECT c.seq FROM playbooks c WHERE c.tenant_id = ? AND c.id = ?)) "
    "ORDER BY p.seq DESC LIMIT ?");

static struct db_stmt pb_starters = DB_STMT(
    "SELECT " PB_COLS " FROM playbooks p WHERE p.tenant_id = ? AND p.starter_key IS NOT NULL "
    "ORDER BY p.seq");

#define PB_RULE_COLS "id, name, lifecycle_area, status, entry_conditions, exit_conditions, " \
	"constraints, strategy_hints, starter_key, created_at, updated_at"

static struct db_stmt pb_load = DB_STMT(
    "SELECT " PB_RULE_COLS " FROM playbooks WHERE tenant_id = ? AND id = ?");

static struct db_stmt pb_active = DB_STMT(
    "SELECT " PB_RULE_COLS " FROM playbooks WHERE tenant_id = ? AND status = 'active' "
    "ORDER BY seq LIMIT 1000");

static struct db_stmt pb_events = DB_STMT(
    "SELECT COUNT(*) FROM events WHERE tenant_id = ? AND user_id = ? AND name = ? "
    "AND occurred_at > ? AND occurred_at <= ?");

static struct db_stmt pb_user = DB_STMT(
    "SELECT lifecycle_stage, risk_level, activation_score, engagement_score, "
    "  expansion_score, traits, first_seen_at, last_activity_at, stage_changed_at "
    "FROM users WHERE tenant_id = ? AND user_id = ?");

static struct json_object *
pb_row_json(const struct db_stmt *s)
{
	struct json_object *o = json_object_new_object();
	long long delivered = db_col_int(s, 11), converted = db_col_int(s, 12);

	jo_str(o, "id", db_col(s, 0));
	jo_str(o, "name", db_col(s, 1));
	jo_str(o, "lifecycle_area", db_col(s, 2));
	jo_str(o, "status", db_col(s, 3));
	jo_raw(o, "entry_conditions", db_col(s, 4));
	jo_raw(o, "exit_conditions", db_col(s, 5));
	jo_raw(o, "constraints", db_col(s, 6));
	jo_raw(o, "strategy_hints", db_col(s, 7));
	if (delivered > 0)
		jo_double(o, "success_rate", (double)converted / (double)delivered);
	else
		json_object_object_add(o, "success_rate", NULL);
	jo_str(o, "starter_key", db_col(s, 8));
	jo_time(o, "created_at", db_col(s, 9));
	jo_time(o, "updated_at", db_col(s, 10));
	return o;
}

int
playbook_insert(const char *tenant_id, struct playbook_row *r, int64_t now)
{
	char ts[TIME_SQL_SIZE];

	if (id_new("pb", r->id, sizeof(r->id)) != 0) {
		log_err("playbook: cannot make an id");
		return -1;
	}
	time_format_sql(now, ts);
	if (db_exec(&pb_insert, "ssssssssssss", r->id, tenant_id, r->name,
	    pb_area_name(r->area), pb_status_name(r->status), r->entry_conditions,
	    r->exit_conditions, r->constraints, r->strategy_hints, r->starter_key, ts, ts) != 0)
		return db_errno() == DB_ER_DUP_ENTRY && r->starter_key != NULL ? 1 : -1;
	db_done(&pb_insert);
	return 0;
}

int
playbook_save(const char *tenant_id, const struct playbook_row *r, int64_t now)
{
	char ts[TIME_SQL_SIZE];
	unsigned long long n;

	time_format_sql(now, ts);
	if (db_exec(&pb_update, "ssssssssss", r->name, pb_area_name(r->area),
	    pb_status_name(r->status), r->entry_conditions, r->exit_conditions, r->constraints,
	    r->strategy_hints, ts, tenant_id, r->id) != 0)
		return -1;
	n = db_affected(&pb_update);	/* matched rows (CLIENT_FOUND_ROWS) */
	db_done(&pb_update);
	return n == 0 ? 1 : 0;
}

int
playbook_archive(const char *tenant_id, const char *id, int64_t now)
{
	char ts[TIME_SQL_SIZE];
	unsigned long long n;

	time_format_sql(now, ts);
	if (db_exec(&pb_archive, "sss", ts, tenant_id, id) != 0)
		return -1;
	n = db_affected(&pb_archive);
	db_done(&pb_archive);
	return n == 0 ? 1 : 0;
}

struct json_object *
playbook_get_json(const char *tenant_id, const char *id, int *found)
{
	return page_row_by_id(&pb_select, tenant_id, id, found, pb_row_json);
}

struct json_object *
playbook_list_json(const char *tenant_id, const char *area, const char *status, int limit,
    const char *cursor, int *has_more)
{
	*has_more = 0;
	if (db_exec(&pb_page, "ssssssssi", tenant_id, area, area, status, status, cursor,
	    tenant_id, cursor, (long long)limit + 1) != 0)
		return NULL;
	return page_rows(&pb_page, limit, has_more, pb_row_json);
}

struct json_object *
playbook_list_starter_json(const char *tenant_id)
{
	struct json_object *arr;
	int f;

	if (db_exec(&pb_starters, "s", tenant_id) != 0)
		return NULL;
	arr = json_object_new_array();
	while ((f = db_fetch(&pb_starters)) == 1)
		json_object_array_add(arr, pb_row_json(&pb_starters));
	db_done(&pb_starters);
	if (f != 0) {
		json_object_put(arr);
		return NULL;
	}
	return arr;
}

/* Parses a stored JSON text; NULL (logged) when it does not parse. */
static struct json_object *
parse_stored(const char *text, const char *what, const char *id)
{
	struct json_object *o = text != NULL ? json_tokener_parse(text) : NULL;

	if (o == NULL)
		log_err("playbook %s: stored %s does not parse", id, what);
	return o;
}

struct json_object *
playbook_load_fields(const char *tenant_id, const char *id, int *found)
{
	static const char *const names[] = { "entry_conditions", "exit_conditions",
	    "constraints", "strategy_hints" };
	struct json_object *o = NULL, *v;
	int i, bad = 0;

	*found = 0;
	if (db_exec(&pb_load, "ss", tenant_id, id) != 0) {
		*found = 1;
		return NULL;
	}
	if (db_fetch(&pb_load) == 1) {
		*found = 1;
		o = json_object_new_object();
		jo_str(o, "name", db_col(&pb_load, 1));
		jo_str(o, "lifecycle_area", db_col(&pb_load, 2));
		jo_str(o, "status", db_col(&pb_load, 3));
		for (i = 0; i < 4; i++) {
			if ((v = parse_stored(db_col(&pb_load, 4 + (unsigned)i), names[i], id)) == NULL)
				bad = 1;
			json_object_object_add(o, names[i], v);
		}
	}
	db_done(&pb_load);
	if (bad) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

void
playbook_clear(struct playbook *p)
{
	if (p == NULL)
		return;
	free(p->name);
	free(p->starter_key);
	pb_cond_free(p->entry);
	pb_cond_free(p->exit);
	json_object_put(p->hints);
	memset(p, 0, sizeof(*p));
}

void
playbook_free_array(struct playbook *arr, size_t n)
{
	size_t i;

	for (i = 0; arr != NULL && i < n; i++)
		playbook_clear(&arr[i]);
	free(arr);
}

/* Fills p from the current row of a PB_RULE_COLS statement: 0 or -1. */
static int
pb_from_row(const struct db_stmt *s, struct playbook *p)
{
	struct json_object *j;
	char field[128], msg[300];
	const char *id = db_col(s, 0);
	int rc = -1;

	memset(p, 0, sizeof(*p));
	snprintf(p->id, sizeof(p->id), "%s", id);
	p->name = strdup(db_col(s, 1));
	p->starter_key = db_col(s, 8) != NULL ? strdup(db_col(s, 8)) : NULL;
	if (p->name == NULL || pb_area_parse(db_col(s, 2), &p->area) != 0 ||
	    pb_status_parse(db_col(s, 3), &p->status) != 0)
		goto out;
	if ((j = parse_stored(db_col(s, 4), "entry_conditions", id)) == NULL)
		goto out;
	p->entry = pb_cond_parse(j, field, sizeof(field), msg, sizeof(msg));
	json_object_put(j);
	if ((j = parse_stored(db_col(s, 5), "exit_conditions", id)) == NULL)
		goto out;
	p->exit = pb_cond_parse(j, field, sizeof(field), msg, sizeof(msg));
	json_object_put(j);
	if ((j = parse_stored(db_col(s, 6), "constraints", id)) == NULL)
		goto out;
	if (pb_constraints_parse(j, p->area, &p->constraints, field, sizeof(field), msg,
	    sizeof(msg)) != 0) {
		json_object_put(j);
		log_err("playbook %s: stored constraints no longer valid: %s: %s", id, field, msg);
		goto out;
	}
	json_object_put(j);
	if ((p->hints = parse_stored(db_col(s, 7), "strategy_hints", id)) == NULL ||
	    p->entry == NULL || p->exit == NULL)
		goto out;
	if (time_parse_sql(db_col(s, 9), &p->created_at) != 0 ||
	    time_parse_sql(db_col(s, 10), &p->updated_at) != 0)
		goto out;
	rc = 0;
out:
	if (rc != 0) {
		log_err("playbook %s: stored row cannot be read", id);
		playbook_clear(p);
	}
	return rc;
}

int
playbook_load(const char *tenant_id, const char *id, struct playbook *p)
{
	int rc = 1;

	memset(p, 0, sizeof(*p));
	if (db_exec(&pb_load, "ss", tenant_id, id) != 0)
		return -1;
	if (db_fetch(&pb_load) == 1)
		rc = pb_from_row(&pb_load, p);
	db_done(&pb_load);
	return rc;
}

int
playbook_list_active(const char *tenant_id, struct playbook **out, size_t *n)
{
	struct playbook *arr = NULL, *grown;
	size_t cap = 0;
	int f, rc = -1;

	*out = NULL;
	*n = 0;
	if (db_exec(&pb_active, "s", tenant_id) != 0)
		return -1;
	while ((f = db_fetch(&pb_active)) == 1) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			if ((grown = realloc(arr, cap * sizeof(*arr))) == NULL) {
				log_err("playbook: out of memory");
				goto out;
			}
			arr = grown;
		}
		/* A row that cannot be read is logged and skipped: one bad
		 * playbook must not stop the tenant's others. */
		if (pb_from_row(&pb_active, &arr[*n]) == 0)
			(*n)++;
	}
	if (f == 0)
		rc = 0;
out:
	db_done(&pb_active);
	if (rc != 0) {
		playbook_free_array(arr, *n);
		*n = 0;
	} else
		*out = arr;
	return rc;
}

long long
playbook_user_event_count(const char *tenant_id, const char *user_id, const char *event,
    int64_t since, int64_t now)
{
	char a[TIME_SQL_SIZE], b[TIME_SQL_SIZE];
	long long n = -1;

	time_format_sql(since, a);
	time_format_sql(now, b);
	if (db_exec(&pb_events, "sssss", tenant_id, user_id, event, a, b) != 0)
		return -1;
	if (db_fetch(&pb_events) == 1)
		n = db_col_int(&pb_events, 0);
	db_done(&pb_events);
	return n;
}

long long
playbook_event_count_cb(void *ctx, const char *event, int within_days)
{
	const struct playbook_event_ctx *c = ctx;

	return playbook_user_event_count(c->tenant_id, c->user_id, event,
	    c->now - (int64_t)within_days * 86400, c->now);
}

/* Days from the DATETIME text t to now, -1 when t is NULL or malformed. */
static double
days_since(const char *t, int64_t now)
{
	int64_t v;

	if (t == NULL || time_parse_sql(t, &v) != 0)
		return -1;
	return v > now ? 0 : (double)(now - v) / 86400.0;
}

int
playbook_user_load(const char *tenant_id, const char *user_id, int64_t now,
    struct pb_user *u, struct playbook_event_ctx *ctx, struct json_object **holder)
{
	struct json_object *h = NULL, *traits, *v;
	int rc = 1;

	memset(u, 0, sizeof(*u));
	*holder = NULL;
	if (db_exec(&pb_user, "ss", tenant_id, user_id) != 0)
		return -1;
	if (db_fetch(&pb_user) == 1) {
		h = json_object_new_object();
		jo_str(h, "user_id", user_id);
		jo_str(h, "stage", db_col(&pb_user, 0));
		jo_str(h, "risk_level", db_col(&pb_user, 1));
		traits = db_col(&pb_user, 5) ? json_tokener_parse(db_col(&pb_user, 5)) : NULL;
		if (traits != NULL && !json_object_is_type(traits, json_type_object)) {
			json_object_put(traits);
			traits = NULL;
		}
		json_object_object_add(h, "traits", traits);
		u->activation_score = db_col_double(&pb_user, 2);
		u->engagement_score = db_col_double(&pb_user, 3);
		u->expansion_score = db_col_double(&pb_user, 4);
		u->days_since_first_seen = days_since(db_col(&pb_user, 6), now);
		u->days_since_last_activity = days_since(db_col(&pb_user, 7), now);
		/* A user whose stage never changed has been in it since first seen. */
		u->days_in_stage = db_col(&pb_user, 8) != NULL ?
		    days_since(db_col(&pb_user, 8), now) : u->days_since_first_seen;
		rc = 0;
	}
	db_done(&pb_user);
	if (rc != 0)
		return rc;
	json_object_object_get_ex(h, "user_id", &v);
	u->user_id = json_object_get_string(v);
	json_object_object_get_ex(h, "stage", &v);
	u->stage = json_object_get_string(v);
	json_object_object_get_ex(h, "risk_level", &v);
	u->risk_level = json_object_get_string(v);
	json_object_object_get_ex(h, "traits", &u->traits);
	ctx->tenant_id = tenant_id;
	ctx->user_id = u->user_id;
	ctx->now = now;
	u->event_count = playbook_event_count_cb;
	u->event_ctx = ctx;
	*holder = h;
	return 0;
}
