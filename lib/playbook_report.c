/*
 * playbook_report.c — see playbook.h: conversions and the uplift report.
 *
 * Groups: a playbook's treated users are those with an intervention of it
 * that was delivered (delivered_at set; test-mode and shadow ones never
 * are); its control users those with an intervention held back as the
 * holdout (holdout = 1, live mode). A conversion is the playbook's exit
 * condition observed to hold after that intervention: refreshing looks
 * at every grouped user without a conversion yet and records one at now
 * when the exit condition holds, so a conversion is never inferred for
 * the past, and both groups are observed by the same rule at the same
 * moments — which is what makes their rates comparable. Only
 * interventions of the last PB_CONVERSION_WINDOW_DAYS are looked at: a
 * conversion is one observed within that window of the intervention, and
 * a user who never converts stops costing a check after it.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "jsonout.h"
#include "log.h"
#include "playbook.h"
#include "timeutil.h"

#define REFRESH_BATCH 500	/* users looked at per query */

/* Grouped users without a conversion, oldest intervention per user. */
static struct db_stmt rp_pending = DB_STMT(
    "SELECT i.user_id, MIN(i.id), MAX(i.holdout) FROM interventions i "
    "LEFT JOIN playbook_conversions c ON c.tenant_id = i.tenant_id "
    "  AND c.playbook_id = i.playbook_id AND c.user_id = i.user_id "
    "WHERE i.tenant_id = ? AND i.playbook_id = ? AND c.user_id IS NULL "
    "AND ((i.delivered_at IS NOT NULL AND i.holdout = 0) OR (i.holdout = 1 AND i.test_mode = 0)) "
    "AND i.created_at <= ? AND i.created_at > ? AND i.user_id > ? "
    "GROUP BY i.user_id ORDER BY i.user_id LIMIT ?");

static struct db_stmt rp_convert = DB_STMT(
    "INSERT IGNORE INTO playbook_conversions (tenant_id, playbook_id, user_id, grp, "
    "  intervention_id, converted_at) VALUES (?, ?, ?, ?, ?, ?)");

static struct db_stmt rp_playbooks = DB_STMT(
    "SELECT id FROM playbooks WHERE tenant_id = ? AND status <> 'draft' ORDER BY seq");

static struct db_stmt rp_counts = DB_STMT(
    "SELECT "
    "(SELECT COUNT(DISTINCT user_id) FROM interventions WHERE tenant_id = ? "
    "  AND playbook_id = ? AND delivered_at IS NOT NULL AND holdout = 0), "
    "(SELECT COUNT(*) FROM playbook_conversions WHERE tenant_id = ? AND playbook_id = ? "
    "  AND grp = 'treated'), "
    "(SELECT COUNT(DISTINCT user_id) FROM interventions WHERE tenant_id = ? "
    "  AND playbook_id = ? AND holdout = 1 AND test_mode = 0), "
    "(SELECT COUNT(*) FROM playbook_conversions WHERE tenant_id = ? AND playbook_id = ? "
    "  AND grp = 'control')");

struct pending {
	char	*user_id;
	char	 intervention_id[48];
	int	 control;
};

/* Refreshes one loaded playbook: 0 or -1. */
static int
refresh_one(const char *tenant_id, const struct playbook *p, int64_t now)
{
	struct pending batch[REFRESH_BATCH];
	struct playbook_event_ctx ctx;
	struct json_object *holder;
	struct pb_user u;
	char ts[TIME_SQL_SIZE], since[TIME_SQL_SIZE], after[256] = "";
	size_t i, n;
	int f, rc = -1, held, err;

	if (pb_cond_empty(p->exit))
		return 0;	/* nothing to meet: nobody converts */
	time_format_sql(now, ts);
	time_format_sql(now - (int64_t)PB_CONVERSION_WINDOW_DAYS * 86400, since);
	do {
		if (db_exec(&rp_pending, "sssssi", tenant_id, p->id, ts, since, after,
		    (long long)REFRESH_BATCH) != 0)
			return -1;
		/* The rows are copied out first: the evaluation below runs
		 * statements of its own. */
		for (n = 0; n < REFRESH_BATCH && (f = db_fetch(&rp_pending)) == 1; n++) {
			batch[n].user_id = strdup(db_col(&rp_pending, 0));
			snprintf(batch[n].intervention_id, sizeof(batch[n].intervention_id), "%s",
			    db_col(&rp_pending, 1));
			batch[n].control = db_col_int(&rp_pending, 2) != 0;
		}
		db_done(&rp_pending);
		for (i = 0; i < n; i++) {
			if (batch[i].user_id == NULL)
				goto fail;
			snprintf(after, sizeof(after), "%s", batch[i].user_id);
			if ((f = playbook_user_load(tenant_id, batch[i].user_id, now, &u, &ctx,
			    &holder)) < 0)
				goto fail;
			if (f == 1)
				continue;	/* user deleted since */
			held = pb_cond_eval(p->exit, &u, NULL, 0, &err);
			json_object_put(holder);
			if (err)
				goto fail;
			if (held && db_exec(&rp_convert, "ssssss", tenant_id, p->id,
			    batch[i].user_id, batch[i].control ? "control" : "treated",
			    batch[i].intervention_id, ts) != 0)
				goto fail;
			if (held)
				db_done(&rp_convert);
		}
		for (i = 0; i < n; i++)
			free(batch[i].user_id);
	} while (n == REFRESH_BATCH);
	return 0;
fail:
	for (i = 0; i < n; i++)
		free(batch[i].user_id);
	return rc;
}

int
playbook_conversions_refresh(const char *tenant_id, const char *playbook_id, int64_t now)
{
	struct playbook p;
	char (*ids)[48] = NULL, (*grown)[48];
	size_t n = 0, cap = 0, i;
	int f, rc = -1;

	if (playbook_id != NULL) {
		if ((f = playbook_load(tenant_id, playbook_id, &p)) != 0)
			return f == 1 ? 0 : -1;
		rc = refresh_one(tenant_id, &p, now);
		playbook_clear(&p);
		return rc;
	}
	if (db_exec(&rp_playbooks, "s", tenant_id) != 0)
		return -1;
	while ((f = db_fetch(&rp_playbooks)) == 1) {
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((grown = realloc(ids, cap * sizeof(*ids))) == NULL) {
				db_done(&rp_playbooks);
				goto out;
			}
			ids = grown;
		}
		snprintf(ids[n++], sizeof(ids[0]), "%s", db_col(&rp_playbooks, 0));
	}
	db_done(&rp_playbooks);
	if (f != 0)
		goto out;
	for (i = 0; i < n; i++) {
		if ((f = playbook_load(tenant_id, ids[i], &p)) < 0)
			goto out;
		if (f == 1)
			continue;
		f = refresh_one(tenant_id, &p, now);
		playbook_clear(&p);
		if (f != 0)
			goto out;
	}
	rc = 0;
out:
	free(ids);
	return rc;
}

/* {"users", "conversions", "rate"} of one group. */
static struct json_object *
group_json(long long users, long long conv, double rate)
{
	struct json_object *o = json_object_new_object();

	jo_int(o, "users", users);
	jo_int(o, "conversions", conv);
	if (users > 0)
		jo_double(o, "rate", rate);
	else
		json_object_object_add(o, "rate", NULL);
	return o;
}

struct json_object *
playbook_report_json(const char *tenant_id, const char *id, int64_t now, int *found)
{
	struct json_object *o, *ci;
	struct playbook p;
	struct pb_uplift up;
	long long tu = 0, tc = 0, cu = 0, cc = 0;
	char iso[TIME_ISO8601_SIZE];
	int f;

	*found = 1;
	if ((f = playbook_load(tenant_id, id, &p)) != 0) {
		*found = f == 1 ? 0 : 1;
		return NULL;
	}
	f = refresh_one(tenant_id, &p, now);
	playbook_clear(&p);
	if (f != 0)
		return NULL;
	if (db_exec(&rp_counts, "ssssssss", tenant_id, id, tenant_id, id, tenant_id, id,
	    tenant_id, id) != 0)
		return NULL;
	if (db_fetch(&rp_counts) == 1) {
		tu = db_col_int(&rp_counts, 0);
		tc = db_col_int(&rp_counts, 1);
		cu = db_col_int(&rp_counts, 2);
		cc = db_col_int(&rp_counts, 3);
	}
	db_done(&rp_counts);
	pb_uplift_compute(tu, tc, cu, cc, &up);
	o = json_object_new_object();
	jo_str(o, "playbook_id", id);
	json_object_object_add(o, "treated", group_json(tu, tc, up.treated_rate));
	json_object_object_add(o, "control", group_json(cu, cc, up.control_rate));
	if (up.defined) {
		jo_double(o, "difference", up.difference);
		ci = json_object_new_array();
		json_object_array_add(ci, json_object_new_double(up.ci_lo));
		json_object_array_add(ci, json_object_new_double(up.ci_hi));
		json_object_object_add(o, "ci95", ci);
	} else {
		json_object_object_add(o, "difference", NULL);
		json_object_object_add(o, "ci95", NULL);
	}
	jo_str(o, "method", "two-proportion normal approximation");
	jo_str(o, "conversion", "the playbook's exit conditions observed to hold after the "
	    "user's delivered (treated) or held-back (control) intervention");
	time_format_iso8601(now, iso);
	jo_str(o, "as_of", iso);
	return o;
}
