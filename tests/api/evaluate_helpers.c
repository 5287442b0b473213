/*
 * evaluate_helpers.c — what the evaluate suites (test_evaluate.c,
 * test_evaluate_more.c) share: events, jobs at a --now, playbooks,
 * intervention counts and users set up as the scores job writes them.
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

const char *
ev_nz(const char *s)
{
	return s != NULL ? s : "";
}

/* Posts one event of user at t with key (properties: JSON text or NULL). */
int
ev_post_event(const char *key, const char *user, const char *event, int64_t t, const char *props)
{
	char iso[TIME_ISO8601_SIZE];
	struct resp r;
	int rc;

	time_format_iso8601(t, iso);
	api(&r, "POST", "/api/events", key,
	    "{\"user_id\":\"%s\",\"event\":\"%s\",\"timestamp\":\"%s\"%s%s}", user, event, iso,
	    props != NULL ? ",\"properties\":" : "", props != NULL ? props : "");
	rc = r.status >= 200 && r.status < 300 ? 0 : -1;
	if (rc != 0)
		diag("POST /api/events %s %s: %ld %s", user, event, r.status, r.body);
	resp_free(&r);
	return rc;
}

/* Runs retivo-NAME --now t [extra]; its exit status (output: job_output()). */
int
ev_run_at(const char *name, int64_t t, const char *extra)
{
	char iso[TIME_ISO8601_SIZE];
	int rc;

	time_format_iso8601(t, iso);
	rc = job_run(name, "--now %s %s", iso, extra != NULL ? extra : "");
	if (rc != 0)
		diag("retivo-%s --now %s %s exited %d: %s", name, iso, ev_nz(extra), rc,
		    job_output());
	return rc;
}

/* retivo-evaluate for the tenant at t; exit status. */
int
ev_evaluate_at(const struct fixture *f, int64_t t)
{
	char extra[64];

	snprintf(extra, sizeof(extra), "--tenant %s", f->tenant_id);
	return ev_run_at("evaluate", t, extra);
}

/* The summary's integer field, -1 when absent. */
long long
ev_out_int(const char *key)
{
	char needle[64];
	const char *p;

	snprintf(needle, sizeof(needle), "\"%s\":", key);
	if ((p = strstr(job_output(), needle)) == NULL)
		return -1;
	return strtoll(p + strlen(needle), NULL, 10);
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
	snprintf(id, 48, "%s", r.status == 201 ? ev_nz(jstr(&r, "playbook.id")) : "");
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
	    pb != NULL ? "=" : "<>", ev_nz(pb), status != NULL ? "=" : "<>", ev_nz(status));
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
