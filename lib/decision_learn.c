/*
 * decision_learn.c — the learning writes of the decision engine: an
 * outcome reported on a decision (directly, or through the external action
 * it was linked to), the link itself, and the behaviour credit the scores
 * job gives when a user's stage improves. Each reward goes to the arm's
 * succ/fail and param_stats and, for a partner's customer, to the pool, in
 * the transaction that records it (see decision.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "decision.h"
#include "log.h"
#include "timeutil.h"

#define DL_DEADLOCK_TRIES	4
#define DL_CREDIT_MAX		200	/* decisions credited per transition */

static struct db_stmt dl_lock_id = DB_STMT(
    "SELECT id, bucket, action_name, parameters, outcome_status FROM decisions "
    "WHERE tenant_id = ? AND id = ? FOR UPDATE");
static struct db_stmt dl_lock_action = DB_STMT(
    "SELECT id, bucket, action_name, parameters, outcome_status FROM decisions "
    "WHERE tenant_id = ? AND action_id = ? AND outcome_status IS NULL FOR UPDATE");
static struct db_stmt dl_set_outcome = DB_STMT(
    "UPDATE decisions SET outcome_status = ?, outcome_result = ?, reward = ?, outcome_at = ? "
    "WHERE tenant_id = ? AND id = ?");
/* A plain (non-locking) read: the partner changes rarely and is not ours to lock. */
static struct db_stmt dl_partner = DB_STMT(
    "SELECT parent_tenant_id FROM tenants WHERE id = ?");
static struct db_stmt dl_arm_add = DB_STMT(
    "INSERT INTO decision_arms (tenant_id, bucket, action_name, succ, fail, n, param_stats, "
    " updated_at) VALUES (?, ?, ?, ?, ?, 1, '{}', ?) "
    "ON DUPLICATE KEY UPDATE succ = succ + VALUES(succ), fail = fail + VALUES(fail), "
    " n = n + 1, updated_at = VALUES(updated_at)");
/* The upsert above holds the row's lock; this reads the latest version. */
static struct db_stmt dl_arm_params = DB_STMT(
    "SELECT param_stats FROM decision_arms WHERE tenant_id = ? AND bucket = ? "
    "AND action_name = ? FOR UPDATE");
static struct db_stmt dl_arm_params_set = DB_STMT(
    "UPDATE decision_arms SET param_stats = ? WHERE tenant_id = ? AND bucket = ? "
    "AND action_name = ?");
static struct db_stmt dl_pool_add = DB_STMT(
    "INSERT INTO decision_pool (partner_tenant_id, bucket, action_name, succ, fail, updated_at) "
    "VALUES (?, ?, ?, ?, ?, ?) "
    "ON DUPLICATE KEY UPDATE succ = succ + VALUES(succ), fail = fail + VALUES(fail), "
    " updated_at = VALUES(updated_at)");
static struct db_stmt dl_link_read = DB_STMT(
    "SELECT user_id, action_id FROM decisions WHERE tenant_id = ? AND id = ?");
static struct db_stmt dl_link = DB_STMT(
    "UPDATE decisions SET action_id = ? WHERE tenant_id = ? AND id = ? AND user_id = ? "
    "AND action_id IS NULL");
static struct db_stmt dl_credit_read = DB_STMT(
    "SELECT id, bucket, action_name, parameters FROM decisions "
    "WHERE tenant_id = ? AND user_id = ? AND created_at >= ? AND created_at <= ? "
    "AND behaviour_reward IS NULL ORDER BY created_at LIMIT ? FOR UPDATE");
static struct db_stmt dl_credit_set = DB_STMT(
    "UPDATE decisions SET behaviour_reward = 1 WHERE tenant_id = ? AND id = ?");

/* The decision row being rewarded. */
struct dl_row {
	char	 id[48];
	char	 bucket[DECIDE_BUCKET_LEN];
	char	 action[65];
	char	*parameters;
	int	 has_outcome;
};

static int
dl_row_read(const struct db_stmt *s, struct dl_row *d)
{
	snprintf(d->id, sizeof(d->id), "%s", db_col(s, 0));
	snprintf(d->bucket, sizeof(d->bucket), "%s", db_col(s, 1));
	snprintf(d->action, sizeof(d->action), "%s", db_col(s, 2));
	if ((d->parameters = strdup(db_col(s, 3) ? db_col(s, 3) : "{}")) == NULL) {
		log_err("decision: out of memory");
		return -1;
	}
	return 0;
}

/* The tenant's partner into out ("" when none). 0 or -1. */
static int
dl_partner_of(const char *tenant_id, char out[40])
{
	out[0] = '\0';
	if (db_exec(&dl_partner, "s", tenant_id) != 0)
		return -1;
	if (db_fetch(&dl_partner) == 1 && db_col(&dl_partner, 0) != NULL)
		snprintf(out, 40, "%s", db_col(&dl_partner, 0));
	db_done(&dl_partner);
	return 0;
}

/*
 * Adds reward to the arm of (tenant, bucket, action), to its param_stats
 * for the decision's parameters (JSON text), and to the partner's pool.
 * Inside the caller's transaction. 0 or -1.
 */
static int
dl_arm_reward(const char *tenant_id, const char *partner, const char *bucket,
    const char *action, const char *params_text, double reward, const char *nowsql)
{
	struct decide_stats d = { 0, 0 };
	struct json_object *ps = NULL, *params = NULL;
	const char *text;
	int rc = -1, found;

	decide_stats_add(&d, reward);
	if (db_exec(&dl_arm_add, "sssdds", tenant_id, bucket, action, d.succ, d.fail, nowsql) != 0)
		return -1;
	db_done(&dl_arm_add);
	if (db_exec(&dl_arm_params, "sss", tenant_id, bucket, action) != 0)
		return -1;
	found = db_fetch(&dl_arm_params) == 1;
	if (found && db_col(&dl_arm_params, 0) != NULL)
		ps = json_tokener_parse(db_col(&dl_arm_params, 0));
	db_done(&dl_arm_params);
	if (!found) {
		log_err("decision: arm %s/%s of tenant %s vanished inside its transaction", bucket,
		    action, tenant_id);
		return -1;
	}
	if (ps == NULL || !json_object_is_type(ps, json_type_object)) {
		if (ps != NULL)
			json_object_put(ps);
		if ((ps = json_object_new_object()) == NULL)
			goto out;
	}
	params = params_text != NULL ? json_tokener_parse(params_text) : NULL;
	if (params != NULL && json_object_is_type(params, json_type_object)) {
		decide_param_stats_add(ps, params, reward);
		text = json_object_to_json_string_ext(ps, JSON_C_TO_STRING_PLAIN |
		    JSON_C_TO_STRING_NOSLASHESCAPE);
		if (db_exec(&dl_arm_params_set, "ssss", text, tenant_id, bucket, action) != 0)
			goto out;
		db_done(&dl_arm_params_set);
	}
	if (partner != NULL && *partner != '\0') {
		if (db_exec(&dl_pool_add, "sssdds", partner, bucket, action, d.succ, d.fail,
		    nowsql) != 0)
			goto out;
		db_done(&dl_pool_add);
	}
	rc = 0;
out:
	if (params != NULL)
		json_object_put(params);
	if (ps != NULL)
		json_object_put(ps);
	return rc;
}

/* Records status on the locked row d and rewards its arm. 0 or -1. */
static int
dl_apply(const char *tenant_id, const struct dl_row *d, const char *status,
    const char *result, double reward, int64_t now)
{
	char nowsql[TIME_SQL_SIZE], partner[40];

	time_format_sql(now, nowsql);
	if (db_exec(&dl_set_outcome, "ssdsss", status, result, reward, nowsql, tenant_id,
	    d->id) != 0)
		return -1;
	db_done(&dl_set_outcome);
	if (dl_partner_of(tenant_id, partner) != 0)
		return -1;
	return dl_arm_reward(tenant_id, partner, d->bucket, d->action, d->parameters, reward,
	    nowsql);
}

/* One attempt of decision_outcome_record(): DECISION_OUTCOME_* or -1. */
static int
dl_outcome_once(const char *tenant_id, const char *id, const char *status, const char *result,
    double reward, int64_t now)
{
	struct dl_row d;
	int rc = -1, found;

	memset(&d, 0, sizeof(d));
	if (db_begin() != 0)
		return -1;
	if (db_exec(&dl_lock_id, "ss", tenant_id, id) != 0)
		goto fail;
	found = db_fetch(&dl_lock_id) == 1;
	if (found) {
		d.has_outcome = db_col(&dl_lock_id, 4) != NULL;
		if (dl_row_read(&dl_lock_id, &d) != 0) {
			db_done(&dl_lock_id);
			goto fail;
		}
	}
	db_done(&dl_lock_id);
	if (!found || d.has_outcome) {
		db_rollback();
		rc = found ? DECISION_OUTCOME_DUPLICATE : DECISION_OUTCOME_NOT_FOUND;
		goto out;
	}
	if (dl_apply(tenant_id, &d, status, result, reward, now) != 0)
		goto fail;
	rc = db_commit() == 0 ? DECISION_OUTCOME_OK : -1;
	goto out;
fail:
	db_rollback();
out:
	free(d.parameters);
	return rc;
}

int
decision_outcome_record(const char *tenant_id, const char *id, const char *status,
    const char *result, int64_t now, double *reward)
{
	unsigned err;
	int try, rc;

	if (decide_reward(status, reward) != 0) {
		log_err("decision: unknown outcome status %s", status);
		return -1;
	}
	for (try = 1; ; try++) {
		if ((rc = dl_outcome_once(tenant_id, id, status, result, *reward, now)) >= 0)
			return rc;
		err = db_errno();
		if (!db_err_retryable(err) ||
		    try == DL_DEADLOCK_TRIES)
			return -1;
		log_warn("decision: deadlock recording an outcome of %s, retrying", id);
	}
}

int
decision_outcome_from_action(const char *tenant_id, const char *action_id,
    const char *status, const char *result, int64_t now)
{
	struct dl_row d;
	double reward;
	int found, rc = -1;

	memset(&d, 0, sizeof(d));
	if (decide_reward(status, &reward) != 0) {
		log_err("decision: unknown outcome status %s", status);
		return -1;
	}
	if (db_exec(&dl_lock_action, "ss", tenant_id, action_id) != 0)
		return -1;
	found = db_fetch(&dl_lock_action) == 1;
	if (found && dl_row_read(&dl_lock_action, &d) != 0) {
		db_done(&dl_lock_action);
		return -1;
	}
	db_done(&dl_lock_action);
	rc = found ? dl_apply(tenant_id, &d, status, result, reward, now) : 0;
	free(d.parameters);
	return rc;
}

/* Classifies a failed or pending link. DECISION_LINK_* or -1. */
static int
dl_link_state(const char *tenant_id, const char *decision_id, const char *user_id)
{
	int rc = DECISION_LINK_NOT_FOUND;

	if (db_exec(&dl_link_read, "ss", tenant_id, decision_id) != 0)
		return -1;
	if (db_fetch(&dl_link_read) == 1 && db_col(&dl_link_read, 0) != NULL &&
	    strcmp(db_col(&dl_link_read, 0), user_id) == 0)
		rc = db_col(&dl_link_read, 1) != NULL ? DECISION_LINK_TAKEN : DECISION_LINK_OK;
	db_done(&dl_link_read);
	return rc;
}

int
decision_link_check(const char *tenant_id, const char *decision_id, const char *user_id)
{
	return dl_link_state(tenant_id, decision_id, user_id);
}

int
decision_link(const char *tenant_id, const char *decision_id, const char *user_id,
    const char *action_id)
{
	unsigned long long n;
	int rc;

	if (db_exec(&dl_link, "ssss", action_id, tenant_id, decision_id, user_id) != 0)
		return -1;
	n = db_affected(&dl_link);
	db_done(&dl_link);
	if (n == 1)
		return DECISION_LINK_OK;
	rc = dl_link_state(tenant_id, decision_id, user_id);
	return rc == DECISION_LINK_OK ? DECISION_LINK_TAKEN : rc;
}

int
decision_stage_improved(const char *from, const char *to)
{
	static const char *const up[][2] = {
		{ "at_risk", "active" }, { "churned", "recovered" }, { "onboarding", "active" },
		{ "new", "onboarding" },
	};
	size_t i;

	if (from == NULL || to == NULL)
		return 0;
	for (i = 0; i < sizeof(up) / sizeof(up[0]); i++)
		if (strcmp(from, up[i][0]) == 0 && strcmp(to, up[i][1]) == 0)
			return 1;
	return 0;
}

long long
decision_behaviour_credit(const char *tenant_id, const char *user_id, int64_t now)
{
	struct db_stmt *s = &dl_credit_read;
	struct dl_row *rows = NULL;
	char nowsql[TIME_SQL_SIZE], fromsql[TIME_SQL_SIZE], partner[40];
	long long n = 0, i, rc = -1;

	time_format_sql(now, nowsql);
	time_format_sql(now - (int64_t)DECISION_CREDIT_DAYS * 86400, fromsql);
	if ((rows = calloc(DL_CREDIT_MAX, sizeof(*rows))) == NULL) {
		log_err("decision: out of memory");
		return -1;
	}
	if (db_exec(s, "ssssi", tenant_id, user_id, fromsql, nowsql, (long long)DL_CREDIT_MAX) != 0)
		goto out;
	while (n < DL_CREDIT_MAX && db_fetch(s) == 1) {
		if (dl_row_read(s, &rows[n]) != 0) {
			db_done(s);
			goto out;
		}
		n++;
	}
	db_done(s);
	if (n > 0 && dl_partner_of(tenant_id, partner) != 0)
		goto out;
	for (i = 0; i < n; i++) {
		if (db_exec(&dl_credit_set, "ss", tenant_id, rows[i].id) != 0)
			goto out;
		db_done(&dl_credit_set);
		if (dl_arm_reward(tenant_id, partner, rows[i].bucket, rows[i].action,
		    rows[i].parameters, 1.0, nowsql) != 0)
			goto out;
	}
	rc = n;
out:
	for (i = 0; i < DL_CREDIT_MAX; i++)
		free(rows[i].parameters);
	free(rows);
	return rc;
}
