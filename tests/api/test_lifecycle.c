/*
 * test_lifecycle.c — the scores and winback jobs, driven with --now (time
 * never passes by sleeping): a user goes new → onboarding → active as
 * onboarding milestones land, active → at_risk → churned as days pass
 * without events, churned → recovered on return; the win-back entries
 * become due on days 7, 30 and 60 after the churn, never for an opted-out
 * or paused user, and are cancelled when the user recovers. Also: the
 * incremental run touches nobody when nothing happened, two runs at once
 * record no transition twice, a held lock makes a run step aside, and
 * GET /api/customers/{id} shows "stage_history" and "winback".
 *
 * The daily pass scores every tenant's users, so counts are checked on
 * this suite's own tenant through RETIVO_SQL, not on the summary totals.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "client.h"
#include "helpers.h"
#include "suites.h"
#include "timeutil.h"

#define DAY 86400

static struct fixture ft;

/* GET /api/customers/{user} into r; its status. */
static long
get_customer(struct resp *r, const char *user, const char *key)
{
	char path[256];

	snprintf(path, sizeof(path), "/api/customers/%s", user);
	api(r, "GET", path, key, NULL);
	return r->status;
}

/* The user's stage as the API shows it (static copy), "" when unknown. */
static const char *
stage_of(const char *user)
{
	static char out[32];
	struct resp r;

	out[0] = '\0';
	if (get_customer(&r, user, ft.key) == 200 && jstr(&r, "customer.lifecycle_stage"))
		snprintf(out, sizeof(out), "%s", jstr(&r, "customer.lifecycle_stage"));
	else
		diag("GET customer %s: %ld %s", user, r.status, r.body);
	resp_free(&r);
	return out;
}

/* Stage transitions rows of the suite tenant's user. */
static long long
transitions_of(const char *user)
{
	return sql_int("SELECT COUNT(*) FROM stage_transitions WHERE tenant_id = '%s' "
	    "AND user_id = '%s'", ft.tenant_id, user);
}

/* The win-back entry of user at offset: its status, "none" when absent. */
static const char *
entry_status(const char *user, int offset)
{
	static char out[64];

	if (sql_query(out, sizeof(out), "SELECT status FROM winback_entries WHERE "
	    "tenant_id = '%s' AND user_id = '%s' AND offset_days = %d ORDER BY churned_at DESC "
	    "LIMIT 1", ft.tenant_id, user, offset) != 0 || out[0] == '\0')
		snprintf(out, sizeof(out), "none");
	return out;
}

static void
test_arguments(void)
{
	ok(job_run("scores", "--batch 0") == 2, "retivo-scores --batch 0 is refused");
	ok(job_run("scores", "--batch 501") == 2, "retivo-scores --batch 501 is refused");
	ok(job_run("scores", "--now yesterday") == 2, "retivo-scores --now must be ISO-8601");
	ok(job_run("winback", "--now 2031-13-01") == 2, "retivo-winback --now must be ISO-8601");
	ok(job_run("winback", "--bogus") == 2, "retivo-winback refuses an unknown option");
}

/* The journey of u-main (and u-opt, u-pause alongside). Returns the churn
 * instant of u-main, or -1. */
static int64_t
test_journey(int64_t t0)
{
	struct resp r;
	int64_t last, churn;
	struct json_object *h;
	const char *reason;

	/* Day 0: the first milestone; u-opt and u-pause start too. */
	ok(post_event(ft.key, "u-main", "project_created", t0 - 3600, NULL) == 0 &&
	    post_event(ft.key, "u-opt", "project_created", t0 - 3600, NULL) == 0 &&
	    post_event(ft.key, "u-pause", "project_created", t0 - 3600, NULL) == 0,
	    "day 0 events accepted");
	ok(job_run_at("scores", t0, "") == 0 && strstr(job_output(), "\"users_scanned\":") != NULL,
	    "scores at day 0 runs: %s", job_output());
	ok(strcmp(stage_of("u-main"), "onboarding") == 0,
	    "new -> onboarding after the first milestone (%s)", stage_of("u-main"));
	ok(transitions_of("u-main") == 1, "one transition recorded");
	get_customer(&r, "u-main", ft.key);
	ok(r.status == 200 &&
	    json_object_array_length(jget(&r, "customer.stage_history")) == 1 &&
	    strcmp(nz(jstr(&r, "customer.stage_history.0.from")), "new") == 0 &&
	    strcmp(nz(jstr(&r, "customer.stage_history.0.to")), "onboarding") == 0 &&
	    jstr(&r, "customer.stage_history.0.reason") != NULL &&
	    jstr(&r, "customer.stage_history.0.at") != NULL &&
	    json_object_array_length(jget(&r, "customer.winback")) == 0,
	    "stage_history shows new -> onboarding, winback is empty: %s", r.body);
	resp_free(&r);

	/* Days 1-5: the second milestone and daily use of three features. */
	ok(post_event(ft.key, "u-main", "teammate_invited", t0 + DAY, NULL) == 0,
	    "second milestone accepted");
	for (int d = 1; d <= 5; d++)
		post_event(ft.key, "u-main", d % 2 ? "report_viewed" : "dashboard_opened",
		    t0 + d * DAY, NULL);
	last = t0 + 5 * DAY + 3600;
	post_event(ft.key, "u-main", "report_viewed", last, NULL);
	ok(job_run_at("scores", last + 60, "") == 0, "scores at day 5 runs");
	ok(strcmp(stage_of("u-main"), "active") == 0,
	    "onboarding -> active with all milestones and enough activity (%s)",
	    stage_of("u-main"));
	get_customer(&r, "u-main", ft.key);
	ok(r.status == 200 &&
	    strcmp(nz(jstr(&r, "customer.stage_history.0.to")), "active") == 0 &&
	    strcmp(nz(jstr(&r, "customer.stage_history.1.to")), "onboarding") == 0 &&
	    jget(&r, "customer.milestones.progress") != NULL &&
	    json_object_get_double(jget(&r, "customer.milestones.progress")) == 1,
	    "history newest first, milestones complete: %s", r.body);
	resp_free(&r);

	/* Same day, nothing new: the incremental run scores nobody. */
	ok(job_run_at("scores", last + 120, "") == 0 && strstr(job_output(), "\"full\":false") &&
	    job_out_int("users_scanned") == 0 && job_out_int("users_updated") == 0 &&
	    job_out_int("transitions") == 0,
	    "a run with no new events updates nobody: %s", job_output());
	/* One new event: exactly its user is scored. */
	post_event(ft.key, "u-main", "dashboard_opened", last + 130, NULL);
	last += 130;
	ok(job_run_at("scores", last + 60, "") == 0 && strstr(job_output(), "\"full\":false") &&
	    job_out_int("users_scanned") == 1,
	    "an incremental run scores only the user with a new event: %s", job_output());
	ok(job_run_at("scores", last + 90, "--full") == 0 && strstr(job_output(), "\"full\":true") &&
	    job_out_int("users_scanned") >= 3, "--full scores every user: %s", job_output());

	/* Eight quiet days: at risk (the daily pass notices without events). */
	ok(job_run_at("scores", last + 8 * DAY, "") == 0 && strstr(job_output(), "\"full\":true"),
	    "the first run of a new day is the full pass: %s", job_output());
	ok(strcmp(stage_of("u-main"), "at_risk") == 0, "active -> at_risk after 8 idle days (%s)",
	    stage_of("u-main"));
	ok(sql_int("SELECT COUNT(*) FROM users WHERE tenant_id = '%s' AND user_id = 'u-main' "
	    "AND risk_level <> 'low'", ft.tenant_id) == 1, "risk is raised");

	/* Thirty-one quiet days: churned, with the reason and the time. */
	churn = last + 31 * DAY;
	ok(job_run_at("scores", churn, "") == 0, "scores at day 31 runs");
	ok(strcmp(stage_of("u-main"), "churned") == 0, "at_risk -> churned after 31 idle days");
	ok(strcmp(stage_of("u-opt"), "churned") == 0 && strcmp(stage_of("u-pause"), "churned") == 0,
	    "u-opt and u-pause churned too");
	get_customer(&r, "u-main", ft.key);
	ok(r.status == 200 &&
	    strcmp(nz(jstr(&r, "customer.stage_history.0.from")), "at_risk") == 0 &&
	    strcmp(nz(jstr(&r, "customer.stage_history.0.to")), "churned") == 0 &&
	    (reason = jstr(&r, "customer.stage_history.0.reason")) != NULL &&
	    strstr(reason, "no activity") != NULL && (h = jget(&r, "customer.stage_history")) &&
	    json_object_array_length(h) == 4, "churn recorded with its reason: %s", r.body);
	{
		char iso[TIME_ISO8601_SIZE];

		time_format_iso8601(churn, iso);
		ok(strcmp(nz(jstr(&r, "customer.stage_changed_at")), iso) == 0 &&
		    strcmp(nz(jstr(&r, "customer.stage_history.0.at")), iso) == 0,
		    "stage_changed_at and the history say when (%s)", iso);
	}
	resp_free(&r);
	ok(sql_int("SELECT COUNT(*) FROM users WHERE tenant_id = '%s' AND user_id = 'u-main' "
	    "AND scored_at IS NOT NULL AND risk_level = 'high'", ft.tenant_id) == 1,
	    "the users row is scored, risk high");
	return churn;
}

static void
test_winback(int64_t churn)
{
	struct resp r;

	ok(sql_query(NULL, 0, "UPDATE users SET opted_out = 1, opted_out_at = NOW() "
	    "WHERE tenant_id = '%s' AND user_id = 'u-opt'", ft.tenant_id) == 0, "u-opt opts out");
	api(&r, "PUT", "/api/users/pause", ft.key, "{\"user_ids\":[\"u-pause\"]}");
	ok(r.status == 200, "u-pause paused: %ld %s", r.status, r.body);
	resp_free(&r);

	ok(job_run_at("winback", churn + 6 * DAY, "") == 0 && job_out_int("entries_scheduled") >= 3,
	    "winback schedules the sequence: %s", job_output());
	ok(strcmp(entry_status("u-main", 7), "scheduled") == 0 &&
	    strcmp(entry_status("u-main", 30), "scheduled") == 0 &&
	    strcmp(entry_status("u-main", 60), "scheduled") == 0, "day 6: 7, 30, 60 scheduled");
	ok(job_run_at("winback", churn + 7 * DAY, "") == 0 &&
	    strcmp(entry_status("u-main", 7), "due") == 0 &&
	    strcmp(entry_status("u-main", 30), "scheduled") == 0, "day 7: the first entry is due");
	ok(sql_int("SELECT COUNT(*) FROM winback_entries WHERE tenant_id = '%s' "
	    "AND user_id IN ('u-opt', 'u-pause')", ft.tenant_id) == 0,
	    "opted-out and paused users get no entries");
	ok(sql_int("SELECT COUNT(*) FROM winback_entries WHERE tenant_id = '%s' "
	    "AND user_id = 'u-main'", ft.tenant_id) == 3, "a rerun adds no entry");
	ok(job_run_at("winback", churn + 30 * DAY, "") == 0 &&
	    strcmp(entry_status("u-main", 30), "due") == 0 &&
	    strcmp(entry_status("u-main", 7), "cancelled") == 0,
	    "day 30: the second is due, the first expired past its band");
	ok(job_run_at("winback", churn + 60 * DAY, "") == 0 &&
	    strcmp(entry_status("u-main", 60), "due") == 0, "day 60: the third is due");
	get_customer(&r, "u-main", ft.key);
	ok(r.status == 200 &&
	    json_object_array_length(jget(&r, "customer.winback")) == 3 &&
	    jint(&r, "customer.winback.2.offset_days") == 60 &&
	    strcmp(nz(jstr(&r, "customer.winback.2.status")), "due") == 0 &&
	    jstr(&r, "customer.winback.0.due_at") != NULL, "the customer shows winback: %s", r.body);
	resp_free(&r);

	/* The user comes back: recovered, and the sequence is cancelled. */
	ok(post_event(ft.key, "u-main", "report_viewed", churn + 61 * DAY, NULL) == 0,
	    "a return event");
	ok(job_run_at("scores", churn + 61 * DAY + 60, "") == 0 &&
	    strcmp(stage_of("u-main"), "recovered") == 0, "churned -> recovered on return");
	ok(job_run_at("winback", churn + 61 * DAY + 120, "") == 0 &&
	    strcmp(entry_status("u-main", 60), "cancelled") == 0 &&
	    sql_int("SELECT COUNT(*) FROM winback_entries WHERE tenant_id = '%s' AND "
	    "user_id = 'u-main' AND cancel_reason = 'recovered'", ft.tenant_id) == 1,
	    "the recovered user's open entry is cancelled");
}

/* Two runs at once: each exits 0, no transition is recorded twice. */
static void
test_concurrency(int64_t t)
{
	char user[32];
	pid_t pid;
	int i, status;

	for (i = 0; i < 40; i++) {
		snprintf(user, sizeof(user), "u-c%02d", i);
		post_event(ft.key, user, "project_created", t - 60, NULL);
	}
	ok(job_run_together(2, "scores", t, "--full --batch 3") == 2,
	    "two scores runs at once both exit 0");
	ok(sql_int("SELECT COUNT(*) FROM stage_transitions WHERE tenant_id = '%s' "
	    "AND user_id LIKE 'u-c%%'", ft.tenant_id) == 40 &&
	    sql_int("SELECT COUNT(DISTINCT user_id) FROM stage_transitions WHERE tenant_id = '%s' "
	    "AND user_id LIKE 'u-c%%'", ft.tenant_id) == 40,
	    "one transition per user, none twice");

	/* A held lock: the run steps aside. */
	fflush(NULL);
	if ((pid = fork()) == 0)
		_exit(sql_query(NULL, 0, "SELECT GET_LOCK('retivo_scores', 0), SLEEP(3)") == 0 ? 0 : 1);
	for (i = 0; i < 100 && sql_int("SELECT IS_USED_LOCK('retivo_scores') IS NOT NULL") != 1;
	    i++)
		usleep(20000);	/* waiting for the other session, not for a schedule */
	ok(job_run_at("scores", t, "") == 0 && strstr(job_output(), "another scores run is in progress"),
	    "a second run sees the lock held and exits 0: %s", job_output());
	waitpid(pid, &status, 0);
}

void
suite_lifecycle(void)
{
	struct resp r;
	struct fixture other;
	int64_t t0, churn;

	if (fixture_tenant(&ft, "growth", "standalone") != 0 || fixture_tenant(&other, "growth",
	    "standalone") != 0) {
		ok(0, "fixtures");
		return;
	}
	test_arguments();
	api(&r, "PATCH", "/api/settings", ft.key,
	    "{\"onboarding_milestones\":[{\"key\":\"created_project\",\"name\":\"Created a project\","
	    "\"events\":[\"project_created\"]},{\"key\":\"invited_teammate\","
	    "\"name\":\"Invited a teammate\",\"events\":[\"teammate_invited\"]}]}");
	ok(r.status == 200, "milestones configured: %ld %s", r.status, r.body);
	resp_free(&r);

	/* A fixed day far from the wall clock, so nothing else's events fall
	 * into the windows; each run moves --now forward. */
	if (time_parse_iso8601("2031-03-02T10:00:00Z", &t0) != 0)
		return;
	if ((churn = test_journey(t0)) > 0)
		test_winback(churn);

	get_customer(&r, "u-main", other.key);
	ok(r.status == 404,
	    "another tenant's key: 404 for the user (%ld)", r.status);
	resp_free(&r);
	test_concurrency(churn + 90 * DAY);
}
