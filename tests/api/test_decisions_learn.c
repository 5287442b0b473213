/*
 * test_decisions_learn.c — the second half of API suite "decisions":
 * learning through the API and the list over what it logged, linking an
 * external action to its decision, the dry-run that writes nothing, the
 * partner pool and the behaviour credit of the scores job.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "decisions_helpers.h"
#include "suites.h"
#include "timeutil.h"

/* Learning: grant_points always completes, send_email is always rejected
 * (bucket recovered/medium/eng_mid), then grant_points wins most calls. */
void
decisions_learning(void)
{
	struct resp r;
	char id[64];
	int i, wins = 0, posted = 0;

	for (i = 0; i < 40; i++) {
		d_recommend(&r, d_ft.key, "u-learn", "\"grant_points\",\"send_email\"");
		snprintf(id, sizeof(id), "%s", nz(jstr(&r, "decision_id")));
		if (r.status == 200 && d_outcome(d_ft.key, id,
		    strcmp(nz(jstr(&r, "recommendation.action")), "grant_points") == 0 ?
		    "completed" : "rejected") == 200)
			posted++;
		resp_free(&r);
	}
	ok(posted == 40, "40 decisions with outcomes (%d)", posted);
	for (i = 0; i < 50; i++) {
		d_recommend(&r, d_ft.key, "u-learn", "\"grant_points\",\"send_email\"");
		if (strcmp(nz(jstr(&r, "recommendation.action")), "grant_points") == 0)
			wins++;
		resp_free(&r);
	}
	ok(wins >= 40, "after learning, grant_points is recommended in %d of 50 calls", wins);
	ok(sql_int("SELECT COUNT(*) FROM decision_arms WHERE tenant_id = '%s' AND bucket = "
	    "'recovered/medium/eng_mid' AND action_name = 'grant_points' AND succ > 0 AND n > 0 "
	    "AND JSON_LENGTH(param_stats) > 0", d_ft.tenant_id) == 1,
	    "the arm holds succ, n and param_stats");

	/* The list over those 90 decisions. */
	api(&r, "GET", "/api/decisions?user_id=u-learn&limit=100", d_ft.key, NULL);
	ok(r.status == 200 && jlen(&r, "decisions") == 90 && jget(&r, "has_more") &&
	    !json_object_get_boolean(jget(&r, "has_more")), "list by user: 90 decisions");
	resp_free(&r);
	api(&r, "GET", "/api/decisions?user_id=u-learn&has_outcome=true&limit=100", d_ft.key, NULL);
	ok(r.status == 200 && jlen(&r, "decisions") == 40 &&
	    jstr(&r, "decisions.0.outcome_status") != NULL, "has_outcome=true: the 40 reported");
	resp_free(&r);
	api(&r, "GET", "/api/decisions?user_id=u-learn&has_outcome=false&limit=100", d_ft.key, NULL);
	ok(r.status == 200 && jlen(&r, "decisions") == 50 &&
	    d_null(&r, "decisions.0", "outcome_status"), "has_outcome=false: the 50 others");
	resp_free(&r);
	api(&r, "GET", "/api/decisions?user_id=u-learn&action=send_email&limit=100", d_ft.key, NULL);
	ok(r.status == 200 && (long long)jlen(&r, "decisions") == sql_int("SELECT COUNT(*) "
	    "FROM decisions WHERE tenant_id = '%s' AND user_id = 'u-learn' AND action_name = "
	    "'send_email'", d_ft.tenant_id) && (jlen(&r, "decisions") == 0 ||
	    strcmp(nz(jstr(&r, "decisions.0.action")), "send_email") == 0),
	    "action=send_email lists exactly those");
	resp_free(&r);
	api(&r, "GET", "/api/decisions?user_id=u-learn&limit=30", d_ft.key, NULL);
	snprintf(id, sizeof(id), "%s", nz(jstr(&r, "next_cursor")));
	ok(r.status == 200 && jlen(&r, "decisions") == 30 &&
	    json_object_get_boolean(jget(&r, "has_more")) &&
	    strcmp(id, nz(jstr(&r, "decisions.29.id"))) == 0, "first page of 30, has_more");
	resp_free(&r);
	{
		char path[160];

		snprintf(path, sizeof(path), "/api/decisions?user_id=u-learn&limit=100&cursor=%s", id);
		api(&r, "GET", path, d_ft.key, NULL);
		ok(r.status == 200 && jlen(&r, "decisions") == 60, "the cursor gives the other 60");
		resp_free(&r);
	}
	api(&r, "GET", "/api/decisions?since=2099-01-01T00:00:00Z", d_ft.key, NULL);
	ok(r.status == 200 && jlen(&r, "decisions") == 0, "since in the future: none");
	resp_free(&r);
	api(&r, "GET", "/api/decisions?cursor=dec_nope", d_ft.key, NULL);
	ok(r.status == 400 && strcmp(nz(jstr(&r, "field")), "cursor") == 0, "a bad cursor: 400");
	resp_free(&r);
	api(&r, "GET", "/api/decisions?limit=0", d_ft.key, NULL);
	ok(r.status == 400, "limit=0: 400");
	resp_free(&r);
	api(&r, "GET", "/api/decisions?has_outcome=maybe", d_ft.key, NULL);
	ok(r.status == 400, "has_outcome=maybe: 400");
	resp_free(&r);
	api(&r, "GET", "/api/decisions?user_id=u-learn", d_fo.key, NULL);
	ok(r.status == 200 && jlen(&r, "decisions") == 0, "another tenant lists none of them");
	resp_free(&r);
}

/* A dispatched action carries decision_id; its outcome lands on the decision. */
void
decisions_link(void)
{
	struct resp r, a;
	char dec[64], dec2[64], ea[64], path[128];
	const char *params;

	d_recommend(&r, d_ft.key, "u-a", "\"send_email\"");
	snprintf(dec, sizeof(dec), "%s", nz(jstr(&r, "decision_id")));
	params = json_object_to_json_string(jget(&r, "recommendation.parameters"));
	api(&a, "POST", "/api/external/actions", d_ft.key, "{\"action_type\":\"send_email\","
	    "\"user_id\":\"u-idle\",\"parameters\":%s,\"decision_id\":\"%s\"}", params, dec);
	ok(a.status == 400 && strcmp(nz(jstr(&a, "field")), "decision_id") == 0,
	    "decision_id of another user's decision: 400 (%s)", a.body);
	resp_free(&a);
	api(&a, "POST", "/api/external/actions", d_fo.key, "{\"action_type\":\"other_only\","
	    "\"user_id\":\"u-a\",\"parameters\":{\"template\":\"tips\"},\"decision_id\":\"%s\"}", dec);
	ok(a.status == 400 && strcmp(nz(jstr(&a, "field")), "decision_id") == 0,
	    "decision_id of another tenant's decision: 400 (%s)", a.body);
	resp_free(&a);
	api(&a, "POST", "/api/external/actions", d_ft.key, "{\"action_type\":\"send_email\","
	    "\"user_id\":\"u-a\",\"parameters\":%s,\"decision_id\":\"bogus\"}", params);
	ok(a.status == 400 && strcmp(nz(jstr(&a, "field")), "decision_id") == 0,
	    "a malformed decision_id: 400");
	resp_free(&a);
	api(&a, "POST", "/api/external/actions", d_ft.key, "{\"action_type\":\"send_email\","
	    "\"user_id\":\"u-a\",\"parameters\":%s,\"decision_id\":\"%s\"}", params, dec);
	snprintf(ea, sizeof(ea), "%s", nz(jstr(&a, "action.id")));
	ok(a.status == 201 && strncmp(ea, "ea_", 3) == 0, "dispatch with decision_id: 201 (%s)",
	    a.body);
	resp_free(&a);
	api(&a, "POST", "/api/external/actions", d_ft.key, "{\"action_type\":\"send_email\","
	    "\"user_id\":\"u-a\",\"parameters\":%s,\"decision_id\":\"%s\"}", params, dec);
	ok(a.status == 400 && strstr(nz(jstr(&a, "error")), "already linked") != NULL,
	    "a second dispatch of the same decision: 400 already linked (%s)", a.body);
	resp_free(&a);
	resp_free(&r);
	snprintf(path, sizeof(path), "/api/decisions/%s", dec);
	api(&r, "GET", path, d_ft.key, NULL);
	ok(strcmp(nz(jstr(&r, "decision.action_id")), ea) == 0, "the decision names its action");
	resp_free(&r);
	snprintf(path, sizeof(path), "/api/external/actions/%s/outcome", ea);
	api(&a, "POST", path, d_ft.key, "{\"status\":\"rejected\"}");
	ok(a.status == 200, "the action's outcome: 200");
	resp_free(&a);
	snprintf(path, sizeof(path), "/api/decisions/%s", dec);
	api(&r, "GET", path, d_ft.key, NULL);
	ok(strcmp(nz(jstr(&r, "decision.outcome_status")), "rejected") == 0 &&
	    jnum(&r, "decision.reward") == -0.5, "the action's outcome lands on the decision (%s)",
	    r.body);
	resp_free(&r);
	ok(d_outcome(d_ft.key, dec, "completed") == 409, "and a direct outcome after it is 409");

	/* A decision with its own outcome keeps it when the action reports later. */
	d_recommend(&r, d_ft.key, "u-a", "\"send_email\"");
	snprintf(dec2, sizeof(dec2), "%s", nz(jstr(&r, "decision_id")));
	api(&a, "POST", "/api/external/actions", d_ft.key, "{\"action_type\":\"send_email\","
	    "\"user_id\":\"u-a\",\"parameters\":%s,\"decision_id\":\"%s\"}",
	    json_object_to_json_string(jget(&r, "recommendation.parameters")), dec2);
	snprintf(ea, sizeof(ea), "%s", nz(jstr(&a, "action.id")));
	resp_free(&a);
	resp_free(&r);
	ok(d_outcome(d_ft.key, dec2, "ignored") == 200, "direct outcome first");
	snprintf(path, sizeof(path), "/api/external/actions/%s/outcome", ea);
	api(&a, "POST", path, d_ft.key, "{\"status\":\"completed\"}");
	ok(a.status == 200, "then the action's outcome: 200");
	resp_free(&a);
	ok(sql_int("SELECT COUNT(*) FROM decisions WHERE tenant_id = '%s' AND id = '%s' AND "
	    "outcome_status = 'ignored' AND reward = 0", d_ft.tenant_id, dec2) == 1,
	    "the decision keeps its first outcome");
}

#define RACE_N	6	/* decisions, each reported twice at once */

/* RACE_N decisions on one new arm, each reported twice at the same moment:
 * one 200 and one 409 each, and the arm counts each outcome once (the
 * first insert of the arm row races too). */
void
decisions_concurrent_outcomes(void)
{
	char paths[RACE_N][160];
	struct api_call calls[RACE_N];
	long st[2 * RACE_N];
	int i, n200, n409;
	struct resp r;

	ok(d_make_user(&d_ft, "u-race", d_now0 - 60, "onboarding", "medium", 0.2) == 0,
	    "race: a user in a fresh bucket");
	for (i = 0; i < RACE_N; i++) {
		d_recommend(&r, d_ft.key, "u-race", "\"send_email\"");
		snprintf(paths[i], sizeof(paths[i]), "/api/decisions/%s/outcome",
		    nz(jstr(&r, "decision_id")));
		calls[i].path = paths[i];
		calls[i].body = "{\"status\":\"completed\"}";
		resp_free(&r);
	}
	if (api_together(st, 2 * RACE_N, "POST", d_ft.key, calls, RACE_N) != 0) {
		ok(0, "race: requests sent");
		return;
	}
	n200 = status_count(st, 2 * RACE_N, 200);
	n409 = status_count(st, 2 * RACE_N, 409);
	ok(n200 == RACE_N && n409 == RACE_N, "race: %d outcomes at once: %d 200s, %d 409s, "
	    "%d other", 2 * RACE_N, n200, n409, 2 * RACE_N - n200 - n409);
	ok(sql_int("SELECT n FROM decision_arms WHERE tenant_id = '%s' AND bucket = "
	    "'onboarding/medium/eng_low' AND action_name = 'send_email' AND ABS(succ - %d) < 0.001",
	    d_ft.tenant_id, RACE_N) == RACE_N, "race: the arm counts each outcome once");
}

static long long
count_rows(const char *tenant)
{
	return sql_int("SELECT (SELECT COUNT(*) FROM decisions WHERE tenant_id = '%s') * 1000000 + "
	    "(SELECT COUNT(*) FROM decision_arms WHERE tenant_id = '%s') * 1000 + "
	    "(SELECT IFNULL(SUM(n), 0) FROM decision_arms WHERE tenant_id = '%s')", tenant, tenant,
	    tenant);
}

void
decisions_dry_run(void)
{
	struct fixture fe;
	struct resp r;
	long long before = count_rows(d_ft.tenant_id);
	struct json_object *c;
	size_t i;
	int retired = 0;

	api(&r, "POST", "/api/interventions/dry-run", d_ft.key, "{\"user_id\":\"u-learn\"}");
	ok(r.status == 200 && jget(&r, "dry_run") && json_object_get_boolean(jget(&r, "dry_run")) &&
	    strcmp(nz(jstr(&r, "decision.action")), "intervene") == 0 &&
	    jstr(&r, "decision.action_type") != NULL &&
	    d_valid_params(jget(&r, "decision.parameters"), d_schema_of(jstr(&r, "decision.action_type"))) &&
	    d_null(&r, "decision", "playbook_id") &&
	    strcmp(nz(jstr(&r, "decision.channel")), "external_action") == 0 &&
	    jnum(&r, "decision.confidence") >= 0 && jnum(&r, "decision.confidence") <= 1 &&
	    strlen(nz(jstr(&r, "decision.reasoning"))) > 20 && jstr(&r, "decision.reason") != NULL &&
	    strcmp(nz(jstr(&r, "rules.lifecycle_stage")), "recovered") == 0 &&
	    strcmp(nz(jstr(&r, "rules.bucket")), "recovered/medium/eng_mid") == 0 &&
	    jget(&r, "rules.opted_out") && !json_object_get_boolean(jget(&r, "rules.opted_out")) &&
	    jget(&r, "rules.paused") && jlen(&r, "rules.playbooks") == 0 &&
	    jlen(&r, "rules.candidates") == 3 && jint(&r, "rules.candidates.0.outcomes") >= 0 &&
	    jnum(&r, "rules.candidates.0.mean") >= 0 && jnum(&r, "rules.candidates.0.p_best") >= 0 &&
	    strcmp(nz(jstr(&r, "context.lifecycle_stage")), "recovered") == 0 &&
	    strcmp(nz(jstr(&r, "context.risk_level")), "medium") == 0 &&
	    jnum(&r, "context.activation_score") >= 0 && jnum(&r, "context.engagement_score") >= 0 &&
	    jint(&r, "context.matched_playbooks") == 0,
	    "dry-run over every active type: the decision, rules and context (%s)", r.body);
	for (i = 0; i < jlen(&r, "rules.candidates") && i < 10; i++) {
		c = json_object_array_get_idx(jget(&r, "rules.candidates"), i);
		if (strstr(json_object_to_json_string(c), "retired") != NULL)
			retired = 1;
	}
	ok(!retired, "the inactive type is not a candidate");
	resp_free(&r);
	api(&r, "POST", "/api/interventions/dry-run", d_ft.key,
	    "{\"user_id\":\"u-learn\",\"available_actions\":[\"discount\"]}");
	ok(r.status == 200 && strcmp(nz(jstr(&r, "decision.action_type")), "discount") == 0 &&
	    jlen(&r, "rules.candidates") == 1, "dry-run over one listed action");
	resp_free(&r);
	api(&r, "POST", "/api/interventions/dry-run", d_ft.key,
	    "{\"user_id\":\"u-learn\",\"available_actions\":[\"retired\"]}");
	ok(r.status == 400 && strcmp(nz(jstr(&r, "field")), "available_actions[0]") == 0,
	    "dry-run with an inactive action: 400");
	resp_free(&r);
	api(&r, "POST", "/api/interventions/dry-run", d_ft.key, "{\"user_id\":\"u-opt\"}");
	ok(r.status == 200 && strcmp(nz(jstr(&r, "decision.action")), "skip") == 0 &&
	    strcmp(nz(jstr(&r, "decision.reason")), "user_opted_out") == 0 &&
	    d_null(&r, "decision", "action_type") &&
	    json_object_get_boolean(jget(&r, "rules.opted_out")),
	    "dry-run for an opted-out user: skip, user_opted_out (%s)", r.body);
	resp_free(&r);
	api(&r, "POST", "/api/interventions/dry-run", d_ft.key, "{\"user_id\":\"u-pause\"}");
	ok(r.status == 200 && strcmp(nz(jstr(&r, "decision.reason")), "user_paused") == 0,
	    "dry-run for a paused user: skip, user_paused");
	resp_free(&r);
	api(&r, "POST", "/api/interventions/dry-run", d_ft.key, "{\"user_id\":\"u-nobody\"}");
	ok(r.status == 404, "dry-run for an unknown user: 404");
	resp_free(&r);
	api(&r, "POST", "/api/interventions/dry-run", d_ft.key, "{}");
	ok(r.status == 400 && strcmp(nz(jstr(&r, "field")), "user_id") == 0,
	    "dry-run without user_id: 400");
	resp_free(&r);
	ok(count_rows(d_ft.tenant_id) == before, "dry-runs wrote no decision and no arm");

	ok(fixture_tenant(&fe, "starter", "standalone") == 0 &&
	    d_make_user(&fe, "u-e", d_now0 - 60, "active", "low", 0.5) == 0, "a tenant without types");
	api(&r, "POST", "/api/interventions/dry-run", fe.key, "{\"user_id\":\"u-e\"}");
	ok(r.status == 200 && strcmp(nz(jstr(&r, "decision.action")), "skip") == 0 &&
	    strcmp(nz(jstr(&r, "decision.reason")), "no_active_action_types") == 0,
	    "dry-run with no action types: skip, no_active_action_types (%s)", r.body);
	resp_free(&r);
}

/* Two customers of one partner: the first's outcomes shift the second's prior. */
void
decisions_partner_pool(void)
{
	struct fixture p, c1, c2;
	struct resp r;
	double ma = -1, mb = -1, m;
	char id[64];
	size_t i;
	int k;

	ok(fixture_tenant(&p, "scale", "partner") == 0 && fixture_tenant(&c1, "growth", "customer") == 0 &&
	    fixture_tenant(&c2, "growth", "customer") == 0 &&
	    sql_query(NULL, 0, "UPDATE tenants SET parent_tenant_id = '%s' WHERE id IN ('%s', '%s')",
	    p.tenant_id, c1.tenant_id, c2.tenant_id) == 0, "a partner with two customers");
	ok(d_register_type(c1.key, "offer_a", "loyalty", SCHEMA_EMAIL, NULL, 0) == 201 &&
	    d_register_type(c1.key, "offer_b", "loyalty", SCHEMA_EMAIL, NULL, 0) == 201 &&
	    d_register_type(c2.key, "offer_a", "loyalty", SCHEMA_EMAIL, NULL, 0) == 201 &&
	    d_register_type(c2.key, "offer_b", "loyalty", SCHEMA_EMAIL, NULL, 0) == 201 &&
	    d_make_user(&c1, "pu", d_now0 - 60, "active", "low", 0.7) == 0 &&
	    d_make_user(&c2, "pu", d_now0 - 60, "active", "low", 0.7) == 0, "types and users in both");
	for (k = 0; k < 30; k++) {
		d_recommend(&r, c1.key, "pu", "\"offer_a\",\"offer_b\"");
		snprintf(id, sizeof(id), "%s", nz(jstr(&r, "decision_id")));
		d_outcome(c1.key, id, strcmp(nz(jstr(&r, "recommendation.action")), "offer_a") == 0 ?
		    "completed" : "rejected");
		resp_free(&r);
	}
	api(&r, "POST", "/api/interventions/dry-run", c2.key, "{\"user_id\":\"pu\"}");
	for (i = 0; i < jlen(&r, "rules.candidates") && i < 2; i++) {
		struct json_object *c = json_object_array_get_idx(jget(&r, "rules.candidates"), i), *v;

		json_object_object_get_ex(c, "mean", &v);
		m = json_object_get_double(v);
		json_object_object_get_ex(c, "action", &v);
		if (strcmp(json_object_get_string(v), "offer_a") == 0)
			ma = m;
		else
			mb = m;
	}
	ok(r.status == 200 && ma > 0.7 && mb >= 0 && ma > mb + 0.3 &&
	    jint(&r, "rules.candidates.0.outcomes") == 0,
	    "the second customer starts from the pooled prior: offer_a %.3f, offer_b %.3f", ma, mb);
	ok(strstr(r.body, c1.tenant_id) == NULL && strstr(r.body, "dec_") == NULL,
	    "nothing of the first customer is exposed");
	resp_free(&r);
	api(&r, "GET", "/api/decisions", c2.key, NULL);
	ok(r.status == 200 && jlen(&r, "decisions") == 0, "the second customer's log is its own");
	resp_free(&r);
	ok(sql_int("SELECT COUNT(*) FROM decision_arms WHERE tenant_id = '%s'", c2.tenant_id) == 0 &&
	    sql_int("SELECT COUNT(*) FROM decision_pool WHERE partner_tenant_id = '%s'",
	    p.tenant_id) >= 1, "the pool holds sums under the partner; the second has no arm");
	/* A standalone tenant with the same types sees no prior. */
	ok(d_make_user(&d_ft, "u-flat", d_now0 - 60, "onboarding", "low", 0.5) == 0, "a user in a fresh bucket");
	api(&r, "POST", "/api/interventions/dry-run", d_ft.key,
	    "{\"user_id\":\"u-flat\",\"available_actions\":[\"offer_a\",\"discount\"]}");
	ok(r.status == 400, "offer_a is not this tenant's type (%ld)", r.status);
	resp_free(&r);
	api(&r, "POST", "/api/interventions/dry-run", d_ft.key,
	    "{\"user_id\":\"u-flat\",\"available_actions\":[\"discount\"]}");
	ok(r.status == 200 && jnum(&r, "rules.candidates.0.mean") == 0.5,
	    "a tenant outside the partner keeps the flat prior (%s)", r.body);
	resp_free(&r);
}

/* A churned user returns: the scores job credits the recent decision. */
void
decisions_behaviour_credit(void)
{
	char iso[TIME_ISO8601_SIZE], dec[64], old[64];
	struct resp r;
	double succ_before;
	char out[64];

	ok(d_make_user(&d_ft, "u-back", d_now0 - 45 * DAY, "churned", "high", 0.9) == 0 &&
	    sql_query(NULL, 0, "UPDATE users SET stage_changed_at = '%s', scored_at = "
	    "stage_changed_at WHERE tenant_id = '%s' AND user_id = 'u-back'",
	    (time_format_sql(d_now0 - 40 * DAY, iso), iso), d_ft.tenant_id) == 0,
	    "a churned user, 40 days ago");
	d_recommend(&r, d_ft.key, "u-back", "\"send_email\"");
	snprintf(dec, sizeof(dec), "%s", nz(jstr(&r, "decision_id")));
	ok(r.status == 200 && strcmp(nz(jstr(&r, "user_context.lifecycle_stage")), "churned") == 0,
	    "a decision for the churned user");
	resp_free(&r);
	/* One older than the credit window, which must stay without credit. */
	d_recommend(&r, d_ft.key, "u-back", "\"discount\"");
	snprintf(old, sizeof(old), "%s", nz(jstr(&r, "decision_id")));
	resp_free(&r);
	ok(sql_query(NULL, 0, "UPDATE decisions SET created_at = created_at - INTERVAL 15 DAY "
	    "WHERE tenant_id = '%s' AND id = '%s'", d_ft.tenant_id, old) == 0,
	    "a second decision, moved 15 days back");
	sql_query(out, sizeof(out), "SELECT IFNULL(SUM(succ), 0) FROM decision_arms WHERE "
	    "tenant_id = '%s' AND bucket = 'churned/high/eng_high' AND action_name = 'send_email'",
	    d_ft.tenant_id);
	succ_before = strtod(out, NULL);
	time_format_iso8601(d_now0 - 30, iso);
	api(&r, "POST", "/api/events", d_ft.key,
	    "{\"user_id\":\"u-back\",\"event\":\"page_viewed\",\"timestamp\":\"%s\"}", iso);
	resp_free(&r);
	time_format_iso8601(d_now0 + 120, iso);
	ok(job_run("scores", "--now %s", iso) == 0 &&
	    strstr(job_output(), "\"decisions_credited\":") != NULL,
	    "scores runs: %s", job_output());
	ok(sql_int("SELECT COUNT(*) FROM stage_transitions WHERE tenant_id = '%s' AND user_id = "
	    "'u-back' AND from_stage = 'churned' AND to_stage = 'recovered'", d_ft.tenant_id) == 1,
	    "the user recovered");
	ok(sql_int("SELECT COUNT(*) FROM users WHERE tenant_id = '%s' AND user_id = 'u-back' AND "
	    "ABS(engagement_prev - 0.9) < 0.000001 AND ABS(engagement_score - 0.9) > 0.000001",
	    d_ft.tenant_id) == 1, "engagement_prev keeps the old engagement 0.9");
	ok(sql_int("SELECT COUNT(*) FROM decisions WHERE tenant_id = '%s' AND id = '%s' AND "
	    "behaviour_reward = 1", d_ft.tenant_id, dec) == 1,
	    "the decision got its behaviour reward");
	ok(sql_int("SELECT COUNT(*) FROM decisions WHERE tenant_id = '%s' AND id = '%s' AND "
	    "behaviour_reward IS NULL", d_ft.tenant_id, old) == 1,
	    "the one older than 14 days did not");
	ok(sql_int("SELECT COUNT(*) FROM decisions d WHERE d.tenant_id = '%s' AND "
	    "d.behaviour_reward IS NOT NULL AND NOT EXISTS (SELECT 1 FROM stage_transitions s WHERE "
	    "s.tenant_id = d.tenant_id AND s.user_id = d.user_id AND (s.from_stage, s.to_stage) IN "
	    "(('at_risk', 'active'), ('churned', 'recovered'), ('onboarding', 'active'), "
	    "('new', 'onboarding')))", d_ft.tenant_id) == 0 &&
	    sql_int("SELECT COUNT(*) FROM decisions WHERE tenant_id = '%s' AND user_id = 'u-learn' "
	    "AND behaviour_reward IS NOT NULL", d_ft.tenant_id) == 0,
	    "no decision of a user without an improving move was credited");
	sql_query(out, sizeof(out), "SELECT IFNULL(SUM(succ), 0) FROM decision_arms WHERE "
	    "tenant_id = '%s' AND bucket = 'churned/high/eng_high' AND action_name = 'send_email'",
	    d_ft.tenant_id);
	ok(strtod(out, NULL) >= succ_before + 0.999, "its arm gained a success (%.2f -> %s)",
	    succ_before, out);
	ok(job_run("scores", "--now %s --full", iso) == 0 &&
	    sql_int("SELECT COUNT(*) FROM decisions WHERE tenant_id = '%s' AND id = '%s' AND "
	    "behaviour_reward = 1", d_ft.tenant_id, dec) == 1, "a rerun credits nothing twice");
	{
		char path[128];

		snprintf(path, sizeof(path), "/api/decisions/%s", dec);
		api(&r, "GET", path, d_ft.key, NULL);
		ok(jnum(&r, "decision.behaviour_reward") == 1, "the API shows behaviour_reward 1");
		resp_free(&r);
	}
}
