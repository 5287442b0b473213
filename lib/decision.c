/*
 * decision.c — the reads of the decision engine and its log: the user's
 * context, the candidates with their arms and the partner pool, inserting
 * a decision, and getting and listing decisions. The learning writes
 * (outcomes, links, behaviour credit) are in decision_learn.c.
 */
#include "config.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "decision.h"
#include "ids.h"
#include "jsonout.h"
#include "log.h"
#include "page.h"
#include "timeutil.h"

/* The previous stage and the tenant's partner ride along as subqueries, so
 * the user's context is one round trip (index stage_transitions_user). */
static struct db_stmt dc_user = DB_STMT(
    "SELECT u.lifecycle_stage, u.risk_level, u.activation_score, u.engagement_score, "
    " u.expansion_score, u.engagement_prev, u.last_activity_at, u.stage_changed_at, "
    " u.opted_out, u.paused, "
    " (SELECT s.from_stage FROM stage_transitions s WHERE s.tenant_id = u.tenant_id "
    "  AND s.user_id = u.user_id ORDER BY s.id DESC LIMIT 1), "
    " (SELECT t.parent_tenant_id FROM tenants t WHERE t.id = u.tenant_id) "
    "FROM users u WHERE u.tenant_id = ? AND u.user_id = ?");

/* Every action type of the tenant with its arm and pool row for the
 * bucket: a tenant has few types, and filtering the request's list here
 * keeps the SQL static. Folding dc_user into this statement (the bucket
 * computed in SQL, the user's columns on every row) was tried and
 * measured: one statement fewer, but with ORDER BY it costs a temporary
 * table and a filesort, and even without it MariaDB spent more CPU per
 * request than on the two statements (tests/bench/recommend.sh, 100,000
 * users: 0.48-0.66 ms against 0.42-0.46 ms), so it was not kept. */
static struct db_stmt dc_cands = DB_STMT(
    "SELECT at.name, at.domain, at.active, at.parameters_schema, a.succ, a.fail, a.n, "
    " a.param_stats, p.succ, p.fail "
    "FROM action_types at "
    "LEFT JOIN decision_arms a ON a.tenant_id = at.tenant_id AND a.bucket = ? "
    " AND a.action_name = at.name "
    "LEFT JOIN decision_pool p ON p.partner_tenant_id = ? AND p.bucket = ? "
    " AND p.action_name = at.name "
    "WHERE at.tenant_id = ? ORDER BY at.seq");

static struct db_stmt dc_insert = DB_STMT(
    "INSERT INTO decisions (id, tenant_id, user_id, domain, bucket, action_name, parameters, "
    " confidence, propensity, explored, reasoning, candidates, context, created_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");

#define DC_COLS "id, user_id, domain, bucket, action_name, parameters, confidence, propensity, " \
	"explored, reasoning, candidates, context, action_id, outcome_status, reward, " \
	"behaviour_reward, created_at, outcome_at "

static struct db_stmt dc_select = DB_STMT(
    "SELECT " DC_COLS "FROM decisions WHERE tenant_id = ? AND id = ?");
static struct db_stmt dc_cursor_seq = DB_STMT(
    "SELECT seq FROM decisions WHERE tenant_id = ? AND id = ?");
/* One statement for every filter combination, as the actions list does. */
static struct db_stmt dc_page = DB_STMT(
    "SELECT " DC_COLS "FROM decisions WHERE tenant_id = ? "
    "AND (? IS NULL OR user_id = ?) AND (? IS NULL OR action_name = ?) "
    "AND (? IS NULL OR created_at >= ?) "
    "AND (? IS NULL OR (outcome_status IS NOT NULL) = ?) "
    "AND seq < ? ORDER BY seq DESC LIMIT ?");

static int64_t
dc_time(const char *sql)
{
	int64_t t;

	return sql != NULL && time_parse_sql(sql, &t) == 0 ? t : 0;
}

int
decision_user_load(const char *tenant_id, const char *user_id, struct decision_user *du)
{
	struct db_stmt *s = &dc_user;
	int rc = 1;

	memset(du, 0, sizeof(*du));
	if (db_exec(s, "ss", tenant_id, user_id) != 0)
		return -1;
	if (db_fetch(s) == 1) {
		db_col_copy(s, 0, du->stage, sizeof(du->stage));
		db_col_copy(s, 1, du->risk, sizeof(du->risk));
		du->u.activation = db_col_double(s, 2);
		du->u.engagement = db_col_double(s, 3);
		du->u.expansion = db_col_double(s, 4);
		du->u.has_engagement_prev = db_col(s, 5) != NULL;
		du->u.engagement_prev = db_col_double(s, 5);
		du->u.last_activity_at = dc_time(db_col(s, 6));
		du->u.stage_changed_at = dc_time(db_col(s, 7));
		du->opted_out = (int)db_col_int(s, 8);
		du->paused = (int)db_col_int(s, 9);
		db_col_copy(s, 10, du->prev_stage, sizeof(du->prev_stage));
		db_col_copy(s, 11, du->partner, sizeof(du->partner));
		du->u.stage = du->stage;
		du->u.risk = du->risk;
		du->u.prev_stage = du->prev_stage[0] != '\0' ? du->prev_stage : NULL;
		rc = 0;
	}
	db_done(s);
	return rc;
}

long long
decision_days_idle(const struct decide_user *u, int64_t now)
{
	if (u->last_activity_at <= 0)
		return -1;
	return now > u->last_activity_at ? (long long)((now - u->last_activity_at) / 86400) : 0;
}

void
decision_cands_free(struct decision_cands *cs)
{
	int i;

	for (i = 0; i < cs->n; i++) {
		free(cs->c[i].domain);
		free(cs->c[i].schema_text);
		free(cs->c[i].param_stats_text);
		if (cs->c[i].schema != NULL)
			json_object_put(cs->c[i].schema);
		if (cs->c[i].param_stats != NULL)
			json_object_put(cs->c[i].param_stats);
	}
	free(cs->c);
	memset(cs, 0, sizeof(*cs));
}

/* Fills c from the current row of dc_cands; the JSON columns are copied
 * as text for decision_cand_ready(). 0 or -1. */
static int
dc_cand_row(const struct db_stmt *s, struct decision_cand *c)
{
	const char *schema = db_col(s, 3), *ps = db_col(s, 7);

	db_col_copy(s, 0, c->name, sizeof(c->name));
	if (db_col(s, 1) != NULL && (c->domain = strdup(db_col(s, 1))) == NULL)
		return -1;
	c->active = (int)db_col_int(s, 2);
	if ((schema != NULL && (c->schema_text = strdup(schema)) == NULL) ||
	    (ps != NULL && (c->param_stats_text = strdup(ps)) == NULL))
		return -1;
	c->own.succ = db_col_double(s, 4);
	c->own.fail = db_col_double(s, 5);
	c->outcomes = db_col_int(s, 6);
	/* The pool holds this tenant's own mass too: the prior is the rest. */
	if (db_col(s, 8) != NULL) {
		c->pooled.succ = fmax(0, db_col_double(s, 8) - c->own.succ);
		c->pooled.fail = fmax(0, db_col_double(s, 9) - c->own.fail);
	}
	return 0;
}

int
decision_cand_ready(struct decision_cand *c, const char *tenant_id)
{
	if (c->parsed)
		return c->schema != NULL;
	c->parsed = 1;
	if (c->schema_text == NULL || (c->schema = json_tokener_parse(c->schema_text)) == NULL ||
	    !json_object_is_type(c->schema, json_type_object)) {
		/* Checked when the type was saved; a row that fails now is unusable, not fatal. */
		log_warn("decision: parameters_schema of action type %s of tenant %s does not parse",
		    c->name, tenant_id);
		if (c->schema != NULL)
			json_object_put(c->schema);
		c->schema = NULL;
		return 0;
	}
	if (c->param_stats_text != NULL &&
	    (c->param_stats = json_tokener_parse(c->param_stats_text)) != NULL &&
	    !json_object_is_type(c->param_stats, json_type_object)) {
		json_object_put(c->param_stats);
		c->param_stats = NULL;
	}
	return 1;
}

int
decision_cands_load(const char *tenant_id, const char *partner, const char *bucket,
    struct decision_cands *out)
{
	struct db_stmt *s = &dc_cands;
	struct decision_cand *grown;
	size_t cap = 0;
	int rc = 0, f;

	memset(out, 0, sizeof(*out));
	if (db_exec(s, "ssss", bucket, partner != NULL && *partner ? partner : NULL, bucket,
	    tenant_id) != 0)
		return -1;
	while ((f = db_fetch(s)) == 1) {
		if ((size_t)out->n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((grown = realloc(out->c, cap * sizeof(*grown))) == NULL) {
				rc = -1;
				break;
			}
			out->c = grown;
		}
		memset(&out->c[out->n], 0, sizeof(out->c[out->n]));
		out->n++;
		if (dc_cand_row(s, &out->c[out->n - 1]) != 0) {
			rc = -1;
			break;
		}
	}
	if (f < 0)
		rc = -1;
	db_done(s);
	if (rc != 0) {
		log_err("decision: cannot load the action types of tenant %s", tenant_id);
		decision_cands_free(out);
	}
	return rc;
}

int
decision_cands_find(const struct decision_cands *cs, const char *name)
{
	int i;

	for (i = 0; i < cs->n; i++)
		if (strcmp(cs->c[i].name, name) == 0)
			return i;
	return -1;
}

int
decision_insert(const char *tenant_id, const struct decision_new *d, int64_t now,
    char id_out[48])
{
	char nowsql[TIME_SQL_SIZE];

	if (id_new("dec", id_out, 48) != 0) {
		log_err("decision: cannot make an id");
		return -1;
	}
	time_format_sql(now, nowsql);
	if (db_exec(&dc_insert, "sssssssddissss", id_out, tenant_id, d->user_id, d->domain,
	    d->bucket, d->action, d->parameters, d->confidence, d->propensity,
	    (long long)(d->explored != 0), d->reasoning, d->candidates, d->context, nowsql) != 0)
		return -1;
	db_done(&dc_insert);
	return 0;
}

/* The API form of the current row of s (DC_COLS). */
static struct json_object *
dc_row_json(const struct db_stmt *s)
{
	struct json_object *o = json_object_new_object();

	jo_str(o, "id", db_col(s, 0));
	jo_str(o, "user_id", db_col(s, 1));
	jo_str(o, "domain", db_col(s, 2));
	jo_str(o, "bucket", db_col(s, 3));
	jo_str(o, "action", db_col(s, 4));
	jo_raw(o, "parameters", db_col(s, 5));
	jo_double(o, "confidence", db_col_double(s, 6));
	jo_double(o, "propensity", db_col_double(s, 7));
	jo_bool(o, "explored", (int)db_col_int(s, 8));
	jo_str(o, "reasoning", db_col(s, 9));
	jo_raw(o, "candidates", db_col(s, 10));
	jo_raw(o, "context", db_col(s, 11));
	jo_str(o, "action_id", db_col(s, 12));
	jo_str(o, "outcome_status", db_col(s, 13));
	jo_col_double(o, "reward", s, 14);
	jo_col_double(o, "behaviour_reward", s, 15);
	jo_time(o, "created_at", db_col(s, 16));
	jo_time(o, "outcome_at", db_col(s, 17));
	return o;
}

struct json_object *
decision_get_json(const char *tenant_id, const char *id, int *found)
{
	return page_row_by_id(&dc_select, tenant_id, id, found, dc_row_json);
}

struct json_object *
decision_list(const char *tenant_id, const struct decision_filter *f, int limit,
    const char *cursor, int *has_more, int *bad_cursor)
{
	struct db_stmt *s = &dc_page;
	long long before = LLONG_MAX, with = f->has_outcome > 0;
	char since[TIME_SQL_SIZE];
	const char *since_p = NULL;
	const long long *with_p = f->has_outcome >= 0 ? &with : NULL;

	if (page_cursor(&dc_cursor_seq, tenant_id, cursor, &before, has_more, bad_cursor) != 0)
		return NULL;
	if (f->has_since) {
		time_format_sql(f->since, since);
		since_p = since;
	}
	if (db_exec(s, "sssssssnnii", tenant_id, f->user_id, f->user_id, f->action, f->action,
	    since_p, since_p, with_p, with_p, before, (long long)limit + 1) != 0)
		return NULL;
	return page_rows(s, limit, has_more, dc_row_json);
}
