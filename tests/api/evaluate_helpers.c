/*
 * evaluate_helpers.c — what the evaluate suites (test_evaluate.c,
 * test_evaluate_more.c) share: their tenants, retivo-evaluate at a --now,
 * playbooks, intervention counts and users set up as the scores job writes
 * them (events and other jobs at a --now: helpers.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "evaluate_helpers.h"
#include "suites.h"
#include "timeutil.h"

struct fixture ev_ft, ev_fg, ev_fo;

/* retivo-evaluate for the tenant at t; exit status. */
int
ev_evaluate_at(const struct fixture *f, int64_t t)
{
	char extra[64];

	snprintf(extra, sizeof(extra), "--tenant %s", f->tenant_id);
	return job_run_at("evaluate", t, extra);
}

/* Creates an active playbook; its id into id (40), "" on failure. */
void
ev_playbook(const struct fixture *f, const char *name, const char *area, const char *entry,
    const char *exit_c, const char *constraints, const char *hints, char id[48])
{
	struct resp r;

	api(&r, "POST", "/api/playbooks", f->key,
	    "{\"name\":\"%s\",\"lifecycle_area\":\"%s\",\"status\":\"active\","
	    "\"entry_conditions\":%s,\"exit_conditions\":%s,\"constraints\":%s,"
	    "\"strategy_hints\":%s}", name, area, entry, exit_c, constraints, hints);
	snprintf(id, 48, "%s", r.status == 201 ? nz(jstr(&r, "playbook.id")) : "");
	if (id[0] == '\0')
		diag("POST /api/playbooks %s: %ld %s", name, r.status, r.body);
	resp_free(&r);
}

/* Archives a playbook (so later checks on the tenant do not meet it). */
void
ev_retire(const struct fixture *f, const char *id)
{
	char path[96];
	struct resp r;

	snprintf(path, sizeof(path), "/api/playbooks/%s", id);
	api(&r, "DELETE", path, f->key, NULL);
	if (r.status != 200)
		diag("DELETE %s: %ld %s", path, r.status, r.body);
	resp_free(&r);
}

/* Interventions of the tenant's user (and playbook, when not NULL) in status
 * (NULL: any). */
long long
ev_count_iv(const struct fixture *f, const char *user, const char *pb, const char *status)
{
	return sql_int("SELECT COUNT(*) FROM interventions WHERE tenant_id = '%s' AND "
	    "user_id = '%s' AND playbook_id %s '%s' AND status %s '%s'", f->tenant_id, user,
	    pb != NULL ? "=" : "<>", nz(pb), status != NULL ? "=" : "<>", nz(status));
}

/* Sets the user's stage (since `since`) and scores as the scores job writes them. */
int
ev_set_user(const struct fixture *f, const char *user, const char *stage, int64_t since,
    double engagement, double expansion)
{
	char at[TIME_SQL_SIZE];

	time_format_sql(since, at);
	return sql_query(NULL, 0, "UPDATE users SET lifecycle_stage = '%s', stage_changed_at = "
	    "'%s', last_activity_at = '%s', engagement_score = %.2f, expansion_score = %.2f "
	    "WHERE tenant_id = '%s' AND user_id = '%s'", stage, at, at, engagement, expansion,
	    f->tenant_id, user);
}

/* ---- the journey ---------------------------------------------------- */
