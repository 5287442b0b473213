/*
 * test_evaluate_more.c — the second half of the evaluate suite (see
 * test_evaluate.c): paused and opted-out users, the dry-run's verdicts,
 * a held tenant lock, reruns, the escalation channel and the quality flag;
 * the external_action channel through the decision engine; two runs at
 * once.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "client.h"
#include "evaluate_helpers.h"
#include "suites.h"
#include "timeutil.h"

/* The string member key of o, "" when absent. */
static const char *
field(struct json_object *o, const char *key)
{
	return nz(json_object_get_string(json_object_object_get(o, key)));
}

/* Paused and opted-out users; the dry-run; rerun; lock; escalation; quality. */
void
ev_test_skips_dry_run(int64_t t)
{
	char p[48], esc[48], bad[48], other[48];
	long long before;
	struct resp r;
	pid_t pid;
	int status, i;

	ev_playbook(&ev_fg, "Active check-in", "retention", ACTIVE, NO_EXIT,
	    "{\"approval_required\":true,\"holdout_percent\":0}", "{}", p);
	ev_playbook(&ev_fg, "Churned only", "churn_prevention", "{\"stages\":[\"churned\"]}",
	    NO_EXIT, "{\"holdout_percent\":0}", "{}", other);
	if (!ok(p[0] && other[0], "two playbooks"))
		return;
	ok(post_event(ev_fg.key, "u-pau", "login", t, NULL) == 0 &&
	    post_event(ev_fg.key, "u-opt", "login", t, NULL) == 0 &&
	    post_event(ev_fg.key, "u-dry", "login", t, NULL) == 0 &&
	    ev_set_user(&ev_fg, "u-pau", "active", t - 9 * DAY, 0.5, 0) == 0 &&
	    ev_set_user(&ev_fg, "u-opt", "active", t - 9 * DAY, 0.5, 0) == 0 &&
	    ev_set_user(&ev_fg, "u-dry", "active", t - 9 * DAY, 0.5, 0) == 0, "three active users");
	api(&r, "PUT", "/api/users/pause", ev_fg.key, "{\"user_ids\":[\"u-pau\"]}");
	ok(r.status == 200, "u-pau paused: %ld", r.status);
	resp_free(&r);
	sql_query(NULL, 0, "UPDATE users SET opted_out = 1, opted_out_at = NOW() WHERE "
	    "tenant_id = '%s' AND user_id = 'u-opt'", ev_fg.tenant_id);

	/* Dry-run first: says what would happen, writes nothing. */
	before = sql_int("SELECT COUNT(*) FROM interventions WHERE tenant_id = '%s'",
	    ev_fg.tenant_id);
	api(&r, "POST", "/api/interventions/dry-run", ev_fg.key, "{\"user_id\":\"u-dry\"}");
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
			if (strcmp(field(e, "playbook_id"), other) == 0 &&
			    strcmp(field(e, "verdict"), "no_entry") == 0 &&
			    strstr(field(e, "why"), "stage") != NULL &&
			    !json_object_get_boolean(json_object_object_get(e, "matched")))
				seen = 1;
		}
		ok(seen, "rules.playbooks says why the churned-only playbook did not match");
	}
	resp_free(&r);
	ok(post_event(ev_fg.key, "u-new", "login", t, NULL) == 0 &&
	    ev_set_user(&ev_fg, "u-new", "new", t - DAY, 0, 0) == 0, "u-new is new");
	api(&r, "POST", "/api/interventions/dry-run", ev_fg.key, "{\"user_id\":\"u-new\"}");
	ok(r.status == 200 && strcmp(nz(jstr(&r, "decision.action")), "skip") == 0 &&
	    strcmp(nz(jstr(&r, "decision.reason")), "no_playbook_matched") == 0 &&
	    jget(&r, "decision.playbook_id") == NULL &&
	    jint(&r, "context.matched_playbooks") == 0 &&
	    json_object_array_length(jget(&r, "rules.playbooks")) == 2,
	    "dry-run with no matching playbook: skip, no_playbook_matched (%s)", r.body);
	resp_free(&r);
	api(&r, "POST", "/api/interventions/dry-run", ev_fg.key, "{\"user_id\":\"u-pau\"}");
	ok(r.status == 200 && strcmp(nz(jstr(&r, "decision.action")), "skip") == 0 &&
	    strcmp(nz(jstr(&r, "decision.reason")), "user_paused") == 0 &&
	    jint(&r, "context.matched_playbooks") == 0, "dry-run of a paused user: skip (%s)",
	    r.body);
	resp_free(&r);
	api(&r, "POST", "/api/interventions/dry-run", ev_fo.key, "{\"user_id\":\"u-dry\"}");
	ok(r.status == 404, "another tenant's key: 404 (%ld)", r.status);
	resp_free(&r);
	ok(sql_int("SELECT COUNT(*) FROM interventions WHERE tenant_id = '%s'", ev_fg.tenant_id) ==
	    before, "the dry-runs wrote nothing");

	/* A held tenant lock: the run steps aside. */
	fflush(NULL);
	if ((pid = fork()) == 0)
		_exit(sql_query(NULL, 0, "SELECT GET_LOCK('retivo_evaluate:%s', 0), SLEEP(3)",
		    ev_fg.tenant_id) == 0 ? 0 : 1);
	for (i = 0; i < 100 && sql_int("SELECT IS_USED_LOCK('retivo_evaluate:%s') IS NOT NULL",
	    ev_fg.tenant_id) != 1; i++)
		usleep(20000);	/* waiting for the other session, not for a schedule */
	ok(ev_evaluate_at(&ev_fg, t) == 0 && job_out_int("tenants_busy") == 1 &&
	    job_out_int("created") == 0,
	    "a held tenant lock: the run steps aside: %s", job_output());
	waitpid(pid, &status, 0);

	ok(ev_evaluate_at(&ev_fg, t) == 0 &&
	    ev_count_iv(&ev_fg, "u-dry", p, "pending_approval") == 1 &&
	    ev_count_iv(&ev_fg, "u-pau", NULL, NULL) == 0 &&
	    ev_count_iv(&ev_fg, "u-opt", NULL, NULL) == 0,
	    "u-dry gets one, paused and opted-out users none: %s", job_output());
	ok(ev_evaluate_at(&ev_fg, t) == 0 && job_out_int("created") == 0, "a rerun creates nothing");
	ev_retire(&ev_fg, p);

	/* Escalation channel; a template with an unknown variable is flagged. */
	ev_playbook(&ev_fg, "Call them", "churn_prevention", "{\"stages\":[\"at_risk\"]}", NO_EXIT,
	    "{\"channel\":\"escalation\",\"severity\":\"high\",\"approval_required\":false,"
	    "\"holdout_percent\":0}", "{}", esc);
	ev_playbook(&ev_fg, "Broken template", "churn_prevention", "{\"stages\":[\"at_risk\"]}",
	    NO_EXIT, "{\"channel\":\"webhook\",\"approval_required\":false,"
	    "\"holdout_percent\":0}",
	    "{\"template\":\"Hello {{user.no_such_thing}}\"}", bad);
	ok(esc[0] && bad[0], "escalation and broken-template playbooks");
	ok(post_event(ev_fg.key, "u-risk", "login", t, NULL) == 0 &&
	    ev_set_user(&ev_fg, "u-risk", "at_risk", t - 3 * DAY, 0.1, 0) == 0, "u-risk at risk");
	ok(ev_evaluate_at(&ev_fg, t + 60) == 0 && sql_int("SELECT COUNT(*) FROM interventions "
	    "WHERE tenant_id = '%s' AND user_id = 'u-risk' AND playbook_id = '%s' AND channel = "
	    "'escalation' AND status = 'approved' AND parameters = '{\"severity\":\"high\"}'",
	    ev_fg.tenant_id, esc) == 1, "the escalation playbook plans an escalation-channel "
	    "intervention with its severity: %s", job_output());
	ok(sql_int("SELECT COUNT(*) FROM escalations WHERE tenant_id = '%s' AND user_id = 'u-risk'",
	    ev_fg.tenant_id) == 0, "the case itself is the deliver job's to open, once approved");
	ok(sql_int("SELECT COUNT(*) FROM interventions WHERE tenant_id = '%s' AND playbook_id = "
	    "'%s' AND flagged = 1 AND flag_reason IS NOT NULL", ev_fg.tenant_id, bad) == 1,
	    "an unfilled placeholder flags the intervention");
	ev_retire(&ev_fg, esc);
	ev_retire(&ev_fg, bad);
	ev_retire(&ev_fg, other);
}

/* The external_action channel: the decision engine picks the parameters
 * and the decision is logged; the dry-run previews them. */
void
ev_test_external_action(int64_t t)
{
	char x[48];
	struct json_object *pts;
	struct resp r;
	long long p;

	api(&r, "POST", "/api/external/action-types", ev_fg.key,
	    "{\"name\":\"grant_points\",\"description\":\"d\",\"provider\":\"loyalty\","
	    "\"parameters_schema\":{\"type\":\"object\",\"properties\":{\"points\":"
	    "{\"type\":\"integer\",\"enum\":[50,100,200]}},\"required\":[\"points\"]},"
	    "\"delivery_webhook\":\"http://127.0.0.1:9/evaluate-suite\","
	    "\"estimated_cost_usd\":\"0.10\"}");
	ok(r.status == 201, "an action type: %ld %s", r.status, r.body);
	resp_free(&r);
	ev_playbook(&ev_fg, "Points for returning", "retention", "{\"stages\":[\"recovered\"]}",
	    NO_EXIT, "{\"channel\":\"external_action\",\"action_type\":\"grant_points\","
	    "\"approval_required\":false,\"holdout_percent\":0}", "{}", x);
	if (!ok(x[0] != '\0', "an external_action playbook"))
		return;
	ok(post_event(ev_fg.key, "u-ext", "login", t, NULL) == 0 &&
	    ev_set_user(&ev_fg, "u-ext", "recovered", t - DAY, 0.4, 0) == 0, "u-ext recovered");
	api(&r, "POST", "/api/interventions/dry-run", ev_fg.key, "{\"user_id\":\"u-ext\"}");
	pts = jget(&r, "decision.parameters.points");
	p = pts != NULL ? json_object_get_int64(pts) : -1;
	ok(r.status == 200 && strcmp(nz(jstr(&r, "decision.playbook_id")), x) == 0 &&
	    strcmp(nz(jstr(&r, "decision.channel")), "external_action") == 0 &&
	    strcmp(nz(jstr(&r, "decision.action_type")), "grant_points") == 0 &&
	    (p == 50 || p == 100 || p == 200), "dry-run: the action and its parameters (%s)",
	    r.body);
	resp_free(&r);
	ok(ev_evaluate_at(&ev_fg, t + 60) == 0 && sql_int("SELECT COUNT(*) FROM interventions i "
	    "JOIN decisions d ON d.id = i.decision_id AND d.tenant_id = i.tenant_id WHERE "
	    "i.tenant_id = '%s' AND i.user_id = 'u-ext' AND i.playbook_id = '%s' AND "
	    "i.channel = 'external_action' AND i.action_type = 'grant_points' AND "
	    "i.parameters LIKE '{\"points\":%%}' AND d.action_name = 'grant_points' AND "
	    "d.parameters = i.parameters AND i.confidence = d.confidence", ev_fg.tenant_id, x) == 1,
	    "the intervention carries the decision's action, parameters and confidence: %s",
	    job_output());
	ev_retire(&ev_fg, x);
}

/* Two runs at once (two hosts with the same crontab): each exits 0, no
 * user gets the playbook twice. */
void
ev_test_concurrent(int64_t t)
{
	char c[48], extra[64];
	long long users;

	ev_playbook(&ev_fg, "Concurrent", "retention", ACTIVE, NO_EXIT,
	    "{\"approval_required\":false,\"holdout_percent\":0}", "{}", c);
	if (!ok(c[0] != '\0', "a playbook for every active user"))
		return;
	snprintf(extra, sizeof(extra), "--tenant %s", ev_fg.tenant_id);
	ok(job_run_together(2, "evaluate", t, extra) == 2, "two evaluate runs at once both exit 0");
	users = sql_int("SELECT COUNT(*) FROM users WHERE tenant_id = '%s' AND lifecycle_stage = "
	    "'active' AND opted_out = 0 AND paused = 0", ev_fg.tenant_id);
	ok(users >= HOLDOUT_USERS && sql_int("SELECT COUNT(*) FROM interventions WHERE tenant_id = "
	    "'%s' AND playbook_id = '%s'", ev_fg.tenant_id, c) == users &&
	    sql_int("SELECT COUNT(DISTINCT user_id) FROM interventions WHERE tenant_id = '%s' AND "
	    "playbook_id = '%s'", ev_fg.tenant_id, c) == users,
	    "each of the %lld active users got it exactly once", users);
	ev_retire(&ev_fg, c);
}
