/*
 * test_evaluate.c — retivo-evaluate and the playbook part of the dry-run,
 * driven with --now (never by sleeping).
 *
 * The journey: one user walks through onboarding (an onboarding playbook
 * fires once, not again on a rerun), activity, at-risk (a churn-prevention
 * playbook that needs approval) and churn, then the three win-back steps
 * at 7, 30 and 60 days as the real retivo-scores and retivo-winback jobs
 * move the stage and the entries; each step creates exactly one
 * intervention of the right playbook and takes its entry.
 *
 * The gates, on a second tenant whose users' stages and scores are set in
 * SQL the way the scores job writes them: the frequency cap holds across
 * playbooks, a cooldown after a rejected intervention, quiet hours in the
 * user's time zone, a holdout near 10% over 200 users that matches an
 * independent SHA-256 bucket computed in SQL, shadow mode, test-mode
 * users, the escalation channel, a failed quality check flags the
 * intervention, paused and opted-out users never get one, a rerun at the
 * same --now creates nothing, a held tenant lock makes a run step aside,
 * and the dry-run reports every playbook's verdict without writing.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "client.h"
#include "suites.h"
#include "timeutil.h"

#define DAY 86400

static struct fixture ft;	/* the journey */
static struct fixture fg;	/* the gates */
static struct fixture fo;	/* another tenant */

static const char *
nz(const char *s)
{
	return s != NULL ? s : "";
}

/* Posts one event of user at t with key (properties: JSON text or NULL). */
static int
post_event(const char *key, const char *user, const char *event, int64_t t, const char *props)
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
static int
run_at(const char *name, int64_t t, const char *extra)
{
	char iso[TIME_ISO8601_SIZE];
	int rc;

	time_format_iso8601(t, iso);
	rc = job_run(name, "--now %s %s", iso, extra != NULL ? extra : "");
	if (rc != 0)
		diag("retivo-%s --now %s %s exited %d: %s", name, iso, nz(extra), rc, job_output());
	return rc;
}

/* retivo-evaluate for the tenant at t; exit status. */
static int
evaluate_at(const struct fixture *f, int64_t t)
{
	char extra[64];

	snprintf(extra, sizeof(extra), "--tenant %s", f->tenant_id);
	return run_at("evaluate", t, extra);
}

/* The summary's integer field, -1 when absent. */
static long long
out_int(const char *key)
{
	char needle[64];
	const char *p;

	snprintf(needle, sizeof(needle), "\"%s\":", key);
	if ((p = strstr(job_output(), needle)) == NULL)
		return -1;
	return strtoll(p + strlen(needle), NULL, 10);
}

/* Creates an active playbook; its id into id (40), "" on failure. */
static void
playbook(const struct fixture *f, const char *name, const char *area, const char *entry,
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
static void
retire(const struct fixture *f, const char *id)
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
static long long
count_iv(const struct fixture *f, const char *user, const char *pb, const char *status)
{
	return sql_int("SELECT COUNT(*) FROM interventions WHERE tenant_id = '%s' AND "
	    "user_id = '%s' AND playbook_id %s '%s' AND status %s '%s'", f->tenant_id, user,
	    pb != NULL ? "=" : "<>", nz(pb), status != NULL ? "=" : "<>", nz(status));
}

/* Sets the user's stage (since `since`) and scores as the scores job writes them. */
static int
set_user(const struct fixture *f, const char *user, const char *stage, int64_t since,
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

static void
test_arguments(void)
{
	ok(job_run("evaluate", "--now yesterday") == 2, "retivo-evaluate --now must be ISO-8601");
	ok(job_run("evaluate", "--bogus") == 2, "retivo-evaluate refuses an unknown option");
	ok(job_run("evaluate", "--tenant %s", "0123456789012345678901234567890123456789") == 2,
	    "retivo-evaluate refuses a --tenant that is no tenant id");
}

#define NO_EXIT "{}"
#define EMAIL_NOW "{\"channel\":\"email\",\"approval_required\":false,\"cooldown_days\":3," \
	"\"holdout_percent\":0}"

/* Walks u-walk from sign-up to the last win-back step. */
static void
test_journey(int64_t t0)
{
	char onb[48], churn_pb[48], wb[3][48], extra[64];
	static const int offsets[3] = { 7, 30, 60 };
	int64_t last, churn;
	struct resp r;
	int i;

	api(&r, "PATCH", "/api/settings", ft.key,
	    "{\"onboarding_milestones\":[{\"key\":\"created_project\",\"name\":\"Created a project\","
	    "\"events\":[\"project_created\"]},{\"key\":\"invited_teammate\","
	    "\"name\":\"Invited a teammate\",\"events\":[\"teammate_invited\"]}]}");
	ok(r.status == 200, "milestones configured: %ld %s", r.status, r.body);
	resp_free(&r);
	playbook(&ft, "Finish setup", "onboarding",
	    "{\"stages\":[\"onboarding\"],\"rules\":[\"days_in_stage >= 2\"]}",
	    "{\"stages\":[\"active\"]}", EMAIL_NOW, "{\"tone\":\"friendly\"}", onb);
	playbook(&ft, "Save the account", "churn_prevention", "{\"stages\":[\"at_risk\"]}",
	    NO_EXIT, "{\"channel\":\"email\",\"approval_required\":true,\"cooldown_days\":14,"
	    "\"holdout_percent\":0}", "{}", churn_pb);
	for (i = 0; i < 3; i++) {
		char name[32], k[200];

		snprintf(name, sizeof(name), "Win-back day %d", offsets[i]);
		snprintf(k, sizeof(k), "{\"channel\":\"email\",\"approval_required\":false,"
		    "\"cooldown_days\":1,\"holdout_percent\":0,\"winback_day_offset\":%d}",
		    offsets[i]);
		playbook(&ft, name, "winback", "{\"stages\":[\"churned\"]}", NO_EXIT, k, "{}", wb[i]);
	}
	if (!ok(onb[0] && churn_pb[0] && wb[0][0] && wb[1][0] && wb[2][0],
	    "five active playbooks created"))
		return;

	/* Day 0: signs up. */
	ok(post_event(ft.key, "u-walk", "$identify", t0 - 7200,
	    "{\"email\":\"walk@example.com\",\"name\":\"Wanda Walker\"}") == 0 &&
	    post_event(ft.key, "u-walk", "project_created", t0 - 3600, NULL) == 0,
	    "day 0 events accepted");
	ok(run_at("scores", t0, NULL) == 0, "scores at day 0");
	ok(evaluate_at(&ft, t0 + 60) == 0 && out_int("created") == 0 &&
	    count_iv(&ft, "u-walk", NULL, NULL) == 0,
	    "day 0: onboarding but not for 2 days yet, nothing created: %s", job_output());

	/* Day 2: still onboarding, the nudge goes out (no approval needed). */
	ok(evaluate_at(&ft, t0 + 2 * DAY + 60) == 0 && out_int("created") == 1 &&
	    out_int("approved") == 1, "day 2: one intervention created: %s", job_output());
	ok(count_iv(&ft, "u-walk", onb, "approved") == 1, "it is the onboarding playbook's, approved");
	ok(sql_int("SELECT COUNT(*) FROM interventions WHERE tenant_id = '%s' AND user_id = "
	    "'u-walk' AND channel = 'email' AND source = 'playbook' AND reasoning LIKE "
	    "'%%Finish setup%%days_in_stage%%' AND confidence BETWEEN 0.49 AND 0.51 AND "
	    "quality_checks LIKE '[%%' AND message_body <> '' AND planned_at = '%s'",
	    ft.tenant_id, (time_format_sql(t0 + 2 * DAY + 60, extra), extra)) == 1,
	    "with reasoning naming the playbook and the clause, confidence 0.5 (no record yet), "
	    "quality checks, a body, planned now");
	ok(evaluate_at(&ft, t0 + 2 * DAY + 60) == 0 && out_int("created") == 0 &&
	    count_iv(&ft, "u-walk", NULL, NULL) == 1, "a rerun at the same --now creates nothing");
	ok(evaluate_at(&ft, t0 + 2 * DAY + 3600) == 0 && out_int("created") == 0 &&
	    out_int("cooldown") == 1, "an hour later: held back, the first is still approved: %s",
	    job_output());

	/* Days 1-5: the second milestone and daily use: active, the exit holds. */
	ok(post_event(ft.key, "u-walk", "teammate_invited", t0 + DAY, NULL) == 0,
	    "second milestone");
	for (i = 1; i <= 5; i++)
		post_event(ft.key, "u-walk", i % 2 ? "report_viewed" : "dashboard_opened",
		    t0 + i * DAY, NULL);
	last = t0 + 5 * DAY + 3600;
	post_event(ft.key, "u-walk", "report_viewed", last, NULL);
	ok(run_at("scores", last + 60, NULL) == 0 && sql_int("SELECT COUNT(*) FROM users WHERE "
	    "tenant_id = '%s' AND user_id = 'u-walk' AND lifecycle_stage = 'active'",
	    ft.tenant_id) == 1, "u-walk is active on day 5");
	ok(sql_query(NULL, 0, "UPDATE interventions SET status = 'delivered', delivered_at = '%s' "
	    "WHERE tenant_id = '%s' AND user_id = 'u-walk'", (time_format_sql(last, extra), extra),
	    ft.tenant_id) == 0, "the nudge was delivered (as the deliver job records it)");
	ok(evaluate_at(&ft, last + 3 * DAY) == 0 && out_int("created") == 0,
	    "active: no playbook matches (%s)", job_output());

	/* Eight quiet days: at risk, the save needs approval. */
	ok(run_at("scores", last + 8 * DAY, NULL) == 0 && sql_int("SELECT COUNT(*) FROM users "
	    "WHERE tenant_id = '%s' AND user_id = 'u-walk' AND lifecycle_stage = 'at_risk'",
	    ft.tenant_id) == 1, "at_risk after 8 idle days");
	ok(evaluate_at(&ft, last + 8 * DAY + 60) == 0 && out_int("created") == 1 &&
	    out_int("pending_approval") == 1 && count_iv(&ft, "u-walk", churn_pb,
	    "pending_approval") == 1, "the churn save waits for approval: %s", job_output());

	/* Churned after 31 quiet days; the win-back steps at 7, 30 and 60 days. */
	churn = last + 31 * DAY;
	ok(run_at("scores", churn, NULL) == 0 && sql_int("SELECT COUNT(*) FROM users WHERE "
	    "tenant_id = '%s' AND user_id = 'u-walk' AND lifecycle_stage = 'churned'",
	    ft.tenant_id) == 1, "churned after 31 idle days");
	ok(run_at("winback", churn + 60, NULL) == 0 && evaluate_at(&ft, churn + 120) == 0 &&
	    out_int("created") == 0 && out_int("no_winback") == 3,
	    "churn day: no entry is due, every win-back playbook waits: %s", job_output());
	for (i = 0; i < 3; i++) {
		int64_t at = churn + offsets[i] * DAY + 600;

		ok(run_at("winback", at, NULL) == 0 && evaluate_at(&ft, at + 60) == 0 &&
		    out_int("created") == 1 && count_iv(&ft, "u-walk", wb[i], "approved") == 1,
		    "day %d after churn: the step-%d playbook fires: %s", offsets[i], i + 1,
		    job_output());
		ok(sql_int("SELECT COUNT(*) FROM interventions WHERE tenant_id = '%s' AND "
		    "playbook_id = '%s' AND source = 'winback' AND winback_offset = %d",
		    ft.tenant_id, wb[i], offsets[i]) == 1 &&
		    sql_int("SELECT COUNT(*) FROM winback_entries WHERE tenant_id = '%s' AND "
		    "user_id = 'u-walk' AND offset_days = %d AND status = 'taken'", ft.tenant_id,
		    offsets[i]) == 1, "source winback, offset %d, its entry taken", offsets[i]);
		ok(evaluate_at(&ft, at + 2 * DAY) == 0 && out_int("created") == 0,
		    "two days later nothing more for step %d (%s)", i + 1, job_output());
	}
	ok(count_iv(&ft, "u-walk", NULL, NULL) == 5, "five interventions in the journey");
	ok(sql_int("SELECT COUNT(*) FROM intervention_history h JOIN interventions i ON "
	    "i.id = h.intervention_id WHERE i.tenant_id = '%s' AND h.from_status IS NULL AND "
	    "h.actor = 'evaluate'", ft.tenant_id) == 5, "each has its creation in the history");
	/* Without --tenant the job finds the tenant itself. */
	ok(run_at("evaluate", churn + 62 * DAY, NULL) == 0 && out_int("tenants") >= 1,
	    "a run over every tenant: %s", job_output());
	ok(count_iv(&ft, "u-walk", NULL, NULL) == 5, "and creates nothing new for u-walk");
}

/* ---- the gates ------------------------------------------------------ */

#define ACTIVE "{\"stages\":[\"active\"]}"

/* Cap across playbooks; cooldown after a rejection. */
static void
test_cap_cooldown(int64_t t)
{
	char ret[48], up[48], path[96], id[48];
	struct resp r;

	playbook(&fg, "Keep going", "retention", ACTIVE, NO_EXIT,
	    "{\"approval_required\":false,\"cooldown_days\":0,\"holdout_percent\":0,"
	    "\"frequency_cap\":{\"max\":1,\"per_days\":7}}", "{}", ret);
	playbook(&fg, "Plan limit", "upsell",
	    "{\"stages\":[\"active\"],\"rules\":[\"expansion_score >= 0.7\"]}", NO_EXIT,
	    "{\"approval_required\":false,\"cooldown_days\":5,\"holdout_percent\":0,"
	    "\"frequency_cap\":{\"max\":1,\"per_days\":7}}", "{}", up);
	if (!ok(ret[0] && up[0], "retention and upsell playbooks"))
		return;
	ok(post_event(fg.key, "u-cap", "login", t - DAY, NULL) == 0 &&
	    set_user(&fg, "u-cap", "active", t - 20 * DAY, 0.7, 0.9) == 0, "u-cap is active");
	ok(evaluate_at(&fg, t) == 0 && out_int("created") == 1 && out_int("capped") == 1 &&
	    count_iv(&fg, "u-cap", ret, NULL) == 1 && count_iv(&fg, "u-cap", up, NULL) == 0,
	    "both match; the cap (1 per 7 days) holds across them: %s", job_output());
	/* Eight days on the window has passed: the retention one is still open
	 * (held back), the upsell gets its turn. */
	ok(evaluate_at(&fg, t + 8 * DAY) == 0 && out_int("created") == 1 &&
	    count_iv(&fg, "u-cap", up, NULL) == 1, "8 days later the upsell goes out: %s",
	    job_output());
	ok(sql_query(id, sizeof(id), "SELECT id FROM interventions WHERE tenant_id = '%s' AND "
	    "playbook_id = '%s'", fg.tenant_id, up) == 0 && id[0] != '\0', "its id");
	snprintf(path, sizeof(path), "/api/interventions/%s/reject", id);
	api(&r, "PUT", path, fg.key, "{\"reason\":\"not now\"}");
	ok(r.status == 200, "the upsell is rejected: %ld %s", r.status, r.body);
	resp_free(&r);
	sql_query(NULL, 0, "UPDATE interventions SET status = 'cancelled' WHERE tenant_id = '%s' "
	    "AND playbook_id = '%s'", fg.tenant_id, ret);
	ok(evaluate_at(&fg, t + 10 * DAY) == 0 && count_iv(&fg, "u-cap", up, NULL) == 1 &&
	    out_int("cooldown") >= 1, "2 days after it: the upsell's 5-day cooldown holds: %s",
	    job_output());
	/* The retention one (cooldown 0) went out again at +10 days; without it
	 * the upsell's turn comes once its cooldown has passed. */
	retire(&fg, ret);
	sql_query(NULL, 0, "UPDATE interventions SET status = 'cancelled' WHERE tenant_id = '%s' "
	    "AND playbook_id = '%s'", fg.tenant_id, ret);
	ok(evaluate_at(&fg, t + 16 * DAY) == 0 && count_iv(&fg, "u-cap", up, NULL) == 2,
	    "8 days after it: the upsell again (%s)", job_output());
	retire(&fg, up);
}

/* Quiet hours 22:00-08:00 in the user's zone. */
static void
test_quiet_hours(void)
{
	char q[48], at[TIME_SQL_SIZE];
	int64_t t;

	if (time_parse_iso8601("2034-01-10T04:00:00Z", &t) != 0)
		return;
	playbook(&fg, "Evening-safe", "retention", ACTIVE, NO_EXIT,
	    "{\"approval_required\":false,\"holdout_percent\":0,"
	    "\"quiet_hours\":{\"start\":\"22:00\",\"end\":\"08:00\"}}", "{}", q);
	if (!ok(q[0] != '\0', "a playbook with quiet hours"))
		return;
	ok(post_event(fg.key, "u-ny", "$identify", t - DAY,
	    "{\"timezone\":\"America/New_York\"}") == 0 &&
	    post_event(fg.key, "u-utc", "login", t - DAY, NULL) == 0 &&
	    post_event(fg.key, "u-tokyo", "$identify", t - DAY,
	    "{\"timezone\":\"Asia/Tokyo\"}") == 0 &&
	    set_user(&fg, "u-ny", "active", t - 9 * DAY, 0.5, 0) == 0 &&
	    set_user(&fg, "u-utc", "active", t - 9 * DAY, 0.5, 0) == 0 &&
	    set_user(&fg, "u-tokyo", "active", t - 9 * DAY, 0.5, 0) == 0, "three users");
	ok(evaluate_at(&fg, t) == 0 && out_int("created") >= 3, "evaluated at 04:00Z: %s",
	    job_output());
	/* 23:00 in New York (EST): planned for 08:00 there, 13:00Z. */
	ok(sql_query(at, sizeof(at), "SELECT planned_at FROM interventions WHERE tenant_id = "
	    "'%s' AND user_id = 'u-ny' AND playbook_id = '%s'", fg.tenant_id, q) == 0 &&
	    strcmp(at, "2034-01-10 13:00:00") == 0, "New York: planned at 08:00 EST (%s)", at);
	ok(sql_query(at, sizeof(at), "SELECT planned_at FROM interventions WHERE tenant_id = "
	    "'%s' AND user_id = 'u-utc' AND playbook_id = '%s'", fg.tenant_id, q) == 0 &&
	    strcmp(at, "2034-01-10 08:00:00") == 0, "no zone (UTC): planned at 08:00Z (%s)", at);
	/* 13:00 in Tokyo: outside the quiet hours, now. */
	ok(sql_query(at, sizeof(at), "SELECT planned_at FROM interventions WHERE tenant_id = "
	    "'%s' AND user_id = 'u-tokyo' AND playbook_id = '%s'", fg.tenant_id, q) == 0 &&
	    strcmp(at, "2034-01-10 04:00:00") == 0, "Tokyo (13:00 there): planned now (%s)", at);
	retire(&fg, q);
}

#define HOLDOUT_USERS 200

/* 200 users, the default 10% holdout; shadow mode; test-mode users. */
static void
test_holdout_shadow(int64_t t)
{
	char h[48], body[16384], iso[TIME_ISO8601_SIZE], test_key[64];
	long long control, total, expect;
	size_t len;
	struct resp r;
	int b, i;

	playbook(&fg, "Everyone active", "retention", ACTIVE, NO_EXIT,
	    "{\"approval_required\":false}", "{}", h);
	if (!ok(h[0] != '\0', "a playbook with the default holdout"))
		return;
	time_format_iso8601(t - DAY, iso);
	for (b = 0; b < HOLDOUT_USERS / 100; b++) {
		len = (size_t)snprintf(body, sizeof(body), "{\"events\":[");
		for (i = 0; i < 100; i++)
			len += (size_t)snprintf(body + len, sizeof(body) - len,
			    "%s{\"user_id\":\"h-%03d\",\"event\":\"login\",\"timestamp\":\"%s\"}",
			    i ? "," : "", b * 100 + i, iso);
		snprintf(body + len, sizeof(body) - len, "]}");
		api(&r, "POST", "/api/events", fg.key, "%s", body);
		ok(r.status >= 200 && r.status < 300, "100 users tracked: %ld", r.status);
		resp_free(&r);
	}
	ok(sql_query(NULL, 0, "UPDATE users SET lifecycle_stage = 'active', engagement_score = 0.5 "
	    "WHERE tenant_id = '%s' AND user_id LIKE 'h-%%'", fg.tenant_id) == 0, "all active");
	ok(evaluate_at(&fg, t) == 0, "evaluated: %s", job_output());
	total = sql_int("SELECT COUNT(*) FROM interventions WHERE tenant_id = '%s' AND "
	    "playbook_id = '%s' AND user_id LIKE 'h-%%'", fg.tenant_id, h);
	control = sql_int("SELECT COUNT(*) FROM interventions WHERE tenant_id = '%s' AND "
	    "playbook_id = '%s' AND user_id LIKE 'h-%%' AND status = 'control' AND holdout = 1",
	    fg.tenant_id, h);
	ok(total == HOLDOUT_USERS, "one intervention per user (%lld)", total);
	ok(control >= HOLDOUT_USERS * 5 / 100 && control <= HOLDOUT_USERS * 16 / 100,
	    "the control group is near 10%%: %lld of %lld", control, total);
	/* The bucket, independently: first 8 bytes of SHA-256(playbook "\n" user) mod 100. */
	expect = sql_int("SELECT COUNT(*) FROM users WHERE tenant_id = '%s' AND user_id LIKE "
	    "'h-%%' AND CAST(CONV(LEFT(SHA2(CONCAT('%s', '\\n', user_id), 256), 16), 16, 10) "
	    "AS DECIMAL(20,0)) %% 100 < 10", fg.tenant_id, h);
	ok(control == expect, "exactly the users whose SHA-256 bucket is under 10 (%lld, %lld)",
	    control, expect);
	ok(sql_int("SELECT COUNT(*) FROM interventions WHERE tenant_id = '%s' AND playbook_id = "
	    "'%s' AND status = 'approved' AND holdout = 0 AND user_id LIKE 'h-%%'", fg.tenant_id,
	    h) == total - control, "the others are approved");

	/* Shadow mode: created, marked shadow. */
	api(&r, "PATCH", "/api/settings", fg.key, "{\"shadow_mode\":true}");
	ok(r.status == 200, "shadow mode on: %ld %s", r.status, r.body);
	resp_free(&r);
	ok(post_event(fg.key, "u-shadow", "login", t, NULL) == 0 &&
	    set_user(&fg, "u-shadow", "active", t - 9 * DAY, 0.5, 0) == 0, "u-shadow");
	ok(evaluate_at(&fg, t + 60) == 0 && out_int("created") == 1 && out_int("shadow") ==
	    (count_iv(&fg, "u-shadow", h, "control") == 1 ? 0 : 1), "one more: %s", job_output());
	ok(count_iv(&fg, "u-shadow", h, "shadow") + count_iv(&fg, "u-shadow", h, "control") == 1 &&
	    sql_int("SELECT COUNT(*) FROM interventions WHERE tenant_id = '%s' AND user_id = "
	    "'u-shadow' AND (shadow = 1 OR holdout = 1)", fg.tenant_id) == 1,
	    "in shadow mode it is created as shadow (or control)");
	api(&r, "PATCH", "/api/settings", fg.key, "{\"shadow_mode\":false}");
	resp_free(&r);

	/* A user known only through a test key: test_mode, never reaches them. */
	ok(fixture_key(fg.tenant_id, "test", "full", test_key, sizeof(test_key)) == 0 &&
	    post_event(test_key, "u-testmode", "login", t, NULL) == 0 &&
	    set_user(&fg, "u-testmode", "active", t - 9 * DAY, 0.5, 0) == 0, "a test-key user");
	ok(evaluate_at(&fg, t + 120) == 0 && sql_int("SELECT COUNT(*) FROM interventions WHERE "
	    "tenant_id = '%s' AND user_id = 'u-testmode' AND test_mode = 1", fg.tenant_id) == 1 &&
	    sql_int("SELECT COUNT(*) FROM interventions WHERE tenant_id = '%s' AND user_id = "
	    "'u-shadow' AND test_mode = 0", fg.tenant_id) == 1,
	    "its intervention is test_mode, a live user's is not");
	retire(&fg, h);
}

/* Paused and opted-out users; the dry-run; rerun; lock; escalation; quality. */
static void
test_skips_dry_run(int64_t t)
{
	char p[48], esc[48], bad[48], other[48];
	long long before;
	struct resp r;
	pid_t pid;
	int status, i;

	playbook(&fg, "Active check-in", "retention", ACTIVE, NO_EXIT,
	    "{\"approval_required\":true,\"holdout_percent\":0}", "{}", p);
	playbook(&fg, "Churned only", "churn_prevention", "{\"stages\":[\"churned\"]}", NO_EXIT,
	    "{\"holdout_percent\":0}", "{}", other);
	if (!ok(p[0] && other[0], "two playbooks"))
		return;
	ok(post_event(fg.key, "u-pau", "login", t, NULL) == 0 &&
	    post_event(fg.key, "u-opt", "login", t, NULL) == 0 &&
	    post_event(fg.key, "u-dry", "login", t, NULL) == 0 &&
	    set_user(&fg, "u-pau", "active", t - 9 * DAY, 0.5, 0) == 0 &&
	    set_user(&fg, "u-opt", "active", t - 9 * DAY, 0.5, 0) == 0 &&
	    set_user(&fg, "u-dry", "active", t - 9 * DAY, 0.5, 0) == 0, "three active users");
	api(&r, "PUT", "/api/users/pause", fg.key, "{\"user_ids\":[\"u-pau\"]}");
	ok(r.status == 200, "u-pau paused: %ld", r.status);
	resp_free(&r);
	sql_query(NULL, 0, "UPDATE users SET opted_out = 1, opted_out_at = NOW() WHERE "
	    "tenant_id = '%s' AND user_id = 'u-opt'", fg.tenant_id);

	/* Dry-run first: says what would happen, writes nothing. */
	before = sql_int("SELECT COUNT(*) FROM interventions WHERE tenant_id = '%s'", fg.tenant_id);
	api(&r, "POST", "/api/interventions/dry-run", fg.key, "{\"user_id\":\"u-dry\"}");
	ok(r.status == 200 && strcmp(nz(jstr(&r, "decision.action")), "intervene") == 0 &&
	    strcmp(nz(jstr(&r, "decision.playbook_id")), p) == 0 &&
	    strcmp(nz(jstr(&r, "decision.channel")), "email") == 0 &&
	    strcmp(nz(jstr(&r, "decision.status")), "pending_approval") == 0 &&
	    strstr(nz(jstr(&r, "decision.reasoning")), "Active check-in") != NULL &&
	    jint(&r, "context.matched_playbooks") == 1, "dry-run: the matched playbook is the "
	    "decision, one match: %s", r.body);
	{
		struct json_object *pbs = jget(&r, "rules.playbooks"), *e;
		int seen = 0;

		for (i = 0; pbs != NULL && i < (int)json_object_array_length(pbs); i++) {
			e = json_object_array_get_idx(pbs, (size_t)i);
			if (strcmp(nz(json_object_get_string(json_object_object_get(e,
			    "playbook_id"))), other) == 0 &&
			    strcmp(nz(json_object_get_string(json_object_object_get(e, "verdict"))),
			    "no_entry") == 0 && strstr(nz(json_object_get_string(
			    json_object_object_get(e, "why"))), "stage") != NULL &&
			    !json_object_get_boolean(json_object_object_get(e, "matched")))
				seen = 1;
		}
		ok(seen, "rules.playbooks says why the churned-only playbook did not match");
	}
	resp_free(&r);
	ok(post_event(fg.key, "u-new", "login", t, NULL) == 0 &&
	    set_user(&fg, "u-new", "new", t - DAY, 0, 0) == 0, "u-new is new");
	api(&r, "POST", "/api/interventions/dry-run", fg.key, "{\"user_id\":\"u-new\"}");
	ok(r.status == 200 && strcmp(nz(jstr(&r, "decision.action")), "skip") == 0 &&
	    strcmp(nz(jstr(&r, "decision.reason")), "no_playbook_matched") == 0 &&
	    jget(&r, "decision.playbook_id") == NULL && jint(&r, "context.matched_playbooks") == 0 &&
	    json_object_array_length(jget(&r, "rules.playbooks")) == 2,
	    "dry-run with no matching playbook: skip, no_playbook_matched (%s)", r.body);
	resp_free(&r);
	api(&r, "POST", "/api/interventions/dry-run", fg.key, "{\"user_id\":\"u-pau\"}");
	ok(r.status == 200 && strcmp(nz(jstr(&r, "decision.action")), "skip") == 0 &&
	    strcmp(nz(jstr(&r, "decision.reason")), "user_paused") == 0 &&
	    jint(&r, "context.matched_playbooks") == 0, "dry-run of a paused user: skip (%s)",
	    r.body);
	resp_free(&r);
	api(&r, "POST", "/api/interventions/dry-run", fo.key, "{\"user_id\":\"u-dry\"}");
	ok(r.status == 404, "another tenant's key: 404 (%ld)", r.status);
	resp_free(&r);
	ok(sql_int("SELECT COUNT(*) FROM interventions WHERE tenant_id = '%s'", fg.tenant_id) ==
	    before, "the dry-runs wrote nothing");

	/* A held tenant lock: the run steps aside. */
	fflush(NULL);
	if ((pid = fork()) == 0)
		_exit(sql_query(NULL, 0, "SELECT GET_LOCK('retivo_evaluate:%s', 0), SLEEP(3)",
		    fg.tenant_id) == 0 ? 0 : 1);
	for (i = 0; i < 100 && sql_int("SELECT IS_USED_LOCK('retivo_evaluate:%s') IS NOT NULL",
	    fg.tenant_id) != 1; i++)
		usleep(20000);	/* waiting for the other session, not for a schedule */
	ok(evaluate_at(&fg, t) == 0 && out_int("tenants_busy") == 1 && out_int("created") == 0,
	    "a held tenant lock: the run steps aside: %s", job_output());
	waitpid(pid, &status, 0);

	ok(evaluate_at(&fg, t) == 0 && count_iv(&fg, "u-dry", p, "pending_approval") == 1 &&
	    count_iv(&fg, "u-pau", NULL, NULL) == 0 && count_iv(&fg, "u-opt", NULL, NULL) == 0,
	    "u-dry gets one, paused and opted-out users none: %s", job_output());
	ok(evaluate_at(&fg, t) == 0 && out_int("created") == 0, "a rerun creates nothing");
	retire(&fg, p);

	/* Escalation channel; a template with an unknown variable is flagged. */
	playbook(&fg, "Call them", "churn_prevention", "{\"stages\":[\"at_risk\"]}", NO_EXIT,
	    "{\"channel\":\"escalation\",\"severity\":\"high\",\"approval_required\":false,"
	    "\"holdout_percent\":0}", "{}", esc);
	playbook(&fg, "Broken template", "churn_prevention", "{\"stages\":[\"at_risk\"]}", NO_EXIT,
	    "{\"channel\":\"webhook\",\"approval_required\":false,\"holdout_percent\":0}",
	    "{\"template\":\"Hello {{user.no_such_thing}}\"}", bad);
	ok(esc[0] && bad[0], "escalation and broken-template playbooks");
	ok(post_event(fg.key, "u-risk", "login", t, NULL) == 0 &&
	    set_user(&fg, "u-risk", "at_risk", t - 3 * DAY, 0.1, 0) == 0, "u-risk at risk");
	ok(evaluate_at(&fg, t + 60) == 0 && count_iv(&fg, "u-risk", esc, NULL) == 1 &&
	    sql_int("SELECT COUNT(*) FROM escalations WHERE tenant_id = '%s' AND user_id = "
	    "'u-risk' AND playbook_id = '%s' AND severity = 'high' AND status = 'open' AND "
	    "intervention_id IS NOT NULL", fg.tenant_id, esc) == 1,
	    "the escalation playbook opens a high-severity escalation: %s", job_output());
	ok(sql_int("SELECT COUNT(*) FROM interventions WHERE tenant_id = '%s' AND playbook_id = "
	    "'%s' AND flagged = 1 AND flag_reason IS NOT NULL", fg.tenant_id, bad) == 1,
	    "an unfilled placeholder flags the intervention");
	retire(&fg, esc);
	retire(&fg, bad);
	retire(&fg, other);
}

/* The external_action channel: the decision engine picks the parameters
 * and the decision is logged; the dry-run previews them. */
static void
test_external_action(int64_t t)
{
	char x[48];
	struct json_object *pts;
	struct resp r;
	long long p;

	api(&r, "POST", "/api/external/action-types", fg.key,
	    "{\"name\":\"grant_points\",\"description\":\"d\",\"provider\":\"loyalty\","
	    "\"parameters_schema\":{\"type\":\"object\",\"properties\":{\"points\":"
	    "{\"type\":\"integer\",\"enum\":[50,100,200]}},\"required\":[\"points\"]},"
	    "\"delivery_webhook\":\"http://127.0.0.1:9/evaluate-suite\","
	    "\"estimated_cost_usd\":\"0.10\"}");
	ok(r.status == 201, "an action type: %ld %s", r.status, r.body);
	resp_free(&r);
	playbook(&fg, "Points for returning", "retention", "{\"stages\":[\"recovered\"]}",
	    NO_EXIT, "{\"channel\":\"external_action\",\"action_type\":\"grant_points\","
	    "\"approval_required\":false,\"holdout_percent\":0}", "{}", x);
	if (!ok(x[0] != '\0', "an external_action playbook"))
		return;
	ok(post_event(fg.key, "u-ext", "login", t, NULL) == 0 &&
	    set_user(&fg, "u-ext", "recovered", t - DAY, 0.4, 0) == 0, "u-ext recovered");
	api(&r, "POST", "/api/interventions/dry-run", fg.key, "{\"user_id\":\"u-ext\"}");
	pts = jget(&r, "decision.parameters.points");
	p = pts != NULL ? json_object_get_int64(pts) : -1;
	ok(r.status == 200 && strcmp(nz(jstr(&r, "decision.playbook_id")), x) == 0 &&
	    strcmp(nz(jstr(&r, "decision.channel")), "external_action") == 0 &&
	    strcmp(nz(jstr(&r, "decision.action_type")), "grant_points") == 0 &&
	    (p == 50 || p == 100 || p == 200), "dry-run: the action and its parameters (%s)",
	    r.body);
	resp_free(&r);
	ok(evaluate_at(&fg, t + 60) == 0 && sql_int("SELECT COUNT(*) FROM interventions i "
	    "JOIN decisions d ON d.id = i.decision_id AND d.tenant_id = i.tenant_id WHERE "
	    "i.tenant_id = '%s' AND i.user_id = 'u-ext' AND i.playbook_id = '%s' AND "
	    "i.channel = 'external_action' AND i.action_type = 'grant_points' AND "
	    "i.parameters LIKE '{\"points\":%%}' AND d.action_name = 'grant_points' AND "
	    "d.parameters = i.parameters AND i.confidence = d.confidence", fg.tenant_id, x) == 1,
	    "the intervention carries the decision's action, parameters and confidence: %s",
	    job_output());
	retire(&fg, x);
}

/* Two runs at once (two hosts with the same crontab): each exits 0, no
 * user gets the playbook twice. */
static void
test_concurrent(int64_t t)
{
	char c[48];
	long long users;
	pid_t pid[2];
	int i, status, fine = 1;

	playbook(&fg, "Concurrent", "retention", ACTIVE, NO_EXIT,
	    "{\"approval_required\":false,\"holdout_percent\":0}", "{}", c);
	if (!ok(c[0] != '\0', "a playbook for every active user"))
		return;
	for (i = 0; i < 2; i++) {
		fflush(NULL);
		if ((pid[i] = fork()) == 0)
			_exit(evaluate_at(&fg, t));
	}
	for (i = 0; i < 2; i++)
		if (pid[i] < 0 || waitpid(pid[i], &status, 0) != pid[i] || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0)
			fine = 0;
	ok(fine, "two evaluate runs at once both exit 0");
	users = sql_int("SELECT COUNT(*) FROM users WHERE tenant_id = '%s' AND lifecycle_stage = "
	    "'active' AND opted_out = 0 AND paused = 0", fg.tenant_id);
	ok(users >= HOLDOUT_USERS && sql_int("SELECT COUNT(*) FROM interventions WHERE tenant_id = "
	    "'%s' AND playbook_id = '%s'", fg.tenant_id, c) == users &&
	    sql_int("SELECT COUNT(DISTINCT user_id) FROM interventions WHERE tenant_id = '%s' AND "
	    "playbook_id = '%s'", fg.tenant_id, c) == users,
	    "each of the %lld active users got it exactly once", users);
	retire(&fg, c);
}

void
suite_evaluate(void)
{
	int64_t t0, tg;

	if (fixture_tenant(&ft, "growth", "standalone") != 0 ||
	    fixture_tenant(&fg, "scale", "standalone") != 0 ||
	    fixture_tenant(&fo, "growth", "standalone") != 0) {
		ok(0, "fixtures");
		return;
	}
	test_arguments();
	/* Days far from the wall clock and from the lifecycle suite's. */
	if (time_parse_iso8601("2033-05-03T10:00:00Z", &t0) != 0 ||
	    time_parse_iso8601("2033-09-01T10:00:00Z", &tg) != 0)
		return;
	test_journey(t0);
	test_cap_cooldown(tg);
	test_quiet_hours();
	test_holdout_shadow(tg + 40 * DAY);
	test_skips_dry_run(tg + 50 * DAY);
	test_external_action(tg + 60 * DAY);
	test_concurrent(tg + 70 * DAY);
	/* Nothing of this suite's (planned years ahead) is left for a later
	 * deliver run to find. */
	sql_query(NULL, 0, "UPDATE interventions SET status = 'cancelled' WHERE tenant_id IN "
	    "('%s', '%s') AND status IN ('pending_approval', 'approved', 'paused')", ft.tenant_id,
	    fg.tenant_id);
}
