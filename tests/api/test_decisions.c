/*
 * test_decisions.c — the decision engine over HTTP (issue 6): every field
 * and error of POST /api/decisions/recommend, the response's shape
 * (parameters valid against the type's schema, reasoning that depends on
 * the user), the decision log and its list, outcomes (409 twice, another
 * tenant's id 404), learning through the API (an action that keeps
 * succeeding in a bucket wins most later calls there), linking a dispatched
 * external action to its decision so the action's outcome lands on it, the
 * dry-run that writes nothing, the partner pool (one customer's outcomes
 * shift another's prior, never exposing it) and the behaviour credit the
 * scores job gives when a user's stage improves.
 *
 * Users are put in stages with SQL (test-only), so buckets are chosen, not
 * waited for; the scores job is driven with --now. This file holds the
 * fixtures, validation, scopes, the response shape, the log and outcomes;
 * test_decisions_learn.c the rest, decisions_helpers.c what both use.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client.h"
#include "decisions_helpers.h"
#include "suites.h"
#include "timeutil.h"

static const struct {
	const char *desc, *field, *body;
} bad[] = {
	{ "without user_id", "user_id", "{\"available_actions\":[\"grant_points\"]}" },
	{ "with user_id a number", "user_id", "{\"user_id\":5,\"available_actions\":[\"grant_points\"]}" },
	{ "with an empty user_id", "user_id", "{\"user_id\":\"\",\"available_actions\":[\"grant_points\"]}" },
	{ "without available_actions", "available_actions", "{\"user_id\":\"u-a\"}" },
	{ "with available_actions empty", "available_actions", "{\"user_id\":\"u-a\",\"available_actions\":[]}" },
	{ "with available_actions a string", "available_actions",
	    "{\"user_id\":\"u-a\",\"available_actions\":\"grant_points\"}" },
	{ "with a number among the actions", "available_actions[1]",
	    "{\"user_id\":\"u-a\",\"available_actions\":[\"grant_points\",7]}" },
	{ "with a duplicate action", "available_actions[1]",
	    "{\"user_id\":\"u-a\",\"available_actions\":[\"grant_points\",\"grant_points\"]}" },
	{ "with an unknown action", "available_actions[1]",
	    "{\"user_id\":\"u-a\",\"available_actions\":[\"grant_points\",\"no_such\"]}" },
	{ "with an inactive action", "available_actions[0]",
	    "{\"user_id\":\"u-a\",\"available_actions\":[\"retired\"]}" },
	{ "with another tenant's action", "available_actions[0]",
	    "{\"user_id\":\"u-a\",\"available_actions\":[\"other_only\"]}" },
	{ "with an action of another domain", "available_actions[1]",
	    "{\"user_id\":\"u-a\",\"domain\":\"loyalty\",\"available_actions\":[\"grant_points\",\"send_email\"]}" },
	{ "with context not an object", "context",
	    "{\"user_id\":\"u-a\",\"available_actions\":[\"grant_points\"],\"context\":[1]}" },
	{ "with domain not a string", "domain",
	    "{\"user_id\":\"u-a\",\"available_actions\":[\"grant_points\"],\"domain\":3}" },
	{ "with an unknown field", "priority",
	    "{\"user_id\":\"u-a\",\"available_actions\":[\"grant_points\"],\"priority\":1}" },
};

static void
test_validation(void)
{
	char body[12000], *p;
	struct resp r;
	size_t i;
	int k;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		api(&r, "POST", "/api/decisions/recommend", d_ft.key, "%s", bad[i].body);
		ok(r.status == 400 && strcmp(nz(jstr(&r, "field")), bad[i].field) == 0 &&
		    jstr(&r, "code") != NULL, "recommend %s: 400 naming %s (%s)", bad[i].desc,
		    bad[i].field, r.body);
		resp_free(&r);
	}
	/* 33 actions: one over the cap. */
	p = body + snprintf(body, sizeof(body), "{\"user_id\":\"u-a\",\"available_actions\":[");
	for (k = 0; k < 33; k++)
		p += sprintf(p, "%s\"a%d\"", k ? "," : "", k);
	sprintf(p, "]}");
	api(&r, "POST", "/api/decisions/recommend", d_ft.key, "%s", body);
	ok(r.status == 400 && strcmp(nz(jstr(&r, "field")), "available_actions") == 0,
	    "recommend with 33 actions: 400 (%s)", r.body);
	resp_free(&r);
	/* A context over 8 KiB. */
	p = body + snprintf(body, sizeof(body), "{\"user_id\":\"u-a\",\"available_actions\":"
	    "[\"grant_points\"],\"context\":{\"pad\":\"");
	memset(p, 'x', 8300);
	sprintf(p + 8300, "\"}}");
	api(&r, "POST", "/api/decisions/recommend", d_ft.key, "%s", body);
	ok(r.status == 400 && strcmp(nz(jstr(&r, "field")), "context") == 0,
	    "recommend with a 8.3 KiB context: 400 naming context");
	resp_free(&r);
	d_recommend(&r, d_ft.key, "u-nobody", "\"grant_points\"");
	ok(r.status == 404 && strcmp(nz(jstr(&r, "code")), "user_not_found") == 0,
	    "recommend for an unknown user: 404 user_not_found (%s)", r.body);
	resp_free(&r);
	/* A schema no value can satisfy without a default: 422, and the dry-run skips. */
	ok(d_register_type(d_fo.key, "code_only", "loyalty", "{\"type\":\"object\",\"properties\":"
	    "{\"x\":{\"type\":\"string\",\"pattern\":\"^[0-9]{3}$\"}},\"required\":[\"x\"]}", NULL,
	    0) == 201, "a type whose parameters cannot be built");
	d_recommend(&r, d_fo.key, "u-a", "\"code_only\"");
	ok(r.status == 422 && strcmp(nz(jstr(&r, "code")), "no_usable_action") == 0 &&
	    strstr(nz(jstr(&r, "error")), "code_only") != NULL,
	    "recommend with no usable action: 422 no_usable_action naming it (%s)", r.body);
	resp_free(&r);
	api(&r, "POST", "/api/interventions/dry-run", d_fo.key,
	    "{\"user_id\":\"u-a\",\"available_actions\":[\"code_only\"]}");
	ok(r.status == 200 && strcmp(nz(jstr(&r, "decision.action")), "skip") == 0 &&
	    strcmp(nz(jstr(&r, "decision.reason")), "no_valid_parameters") == 0 &&
	    jlen(&r, "rules.candidates") == 0, "dry-run with no usable action: skip (%s)", r.body);
	ok(r.status == 200 && jlen(&r, "rules.playbooks") == 0 &&
	    jint(&r, "context.matched_playbooks") == 0 && jget(&r, "decision.playbook_id") == NULL,
	    "a tenant without playbooks: rules.playbooks [], matched_playbooks 0, playbook_id null");
	resp_free(&r);
	d_recommend(&r, d_fo.key, "u-idle", "\"other_only\"");
	ok(r.status == 404, "another tenant cannot recommend for this tenant's user (%ld)", r.status);
	resp_free(&r);
}

static void
test_scopes(void)
{
	char ingest[64], readk[64], decide[64], manage[64];
	struct resp r;
	const char *id;
	char path[128];

	ok(fixture_key(d_ft.tenant_id, "live", "ingest", ingest, sizeof(ingest)) == 0 &&
	    fixture_key(d_ft.tenant_id, "live", "read", readk, sizeof(readk)) == 0 &&
	    fixture_key(d_ft.tenant_id, "live", "decide", decide, sizeof(decide)) == 0 &&
	    fixture_key(d_ft.tenant_id, "live", "manage", manage, sizeof(manage)) == 0,
	    "scope keys created");
	ok(d_recommend(&r, ingest, "u-a", "\"grant_points\"") == 403, "ingest key: recommend 403");
	resp_free(&r);
	ok(d_recommend(&r, readk, "u-a", "\"grant_points\"") == 403, "read key: recommend 403");
	resp_free(&r);
	ok(d_recommend(&r, manage, "u-a", "\"grant_points\"") == 403, "manage key: recommend 403");
	resp_free(&r);
	api(&r, "POST", "/api/interventions/dry-run", ingest, "{\"user_id\":\"u-a\"}");
	ok(r.status == 403, "ingest key: dry-run 403");
	resp_free(&r);
	api(&r, "GET", "/api/decisions", ingest, NULL);
	ok(r.status == 403, "ingest key: list 403");
	resp_free(&r);
	api(&r, "GET", "/api/decisions", readk, NULL);
	ok(r.status == 200, "read key: list 200");
	resp_free(&r);
	ok(d_recommend(&r, decide, "u-a", "\"grant_points\"") == 200 &&
	    (id = jstr(&r, "decision_id")) != NULL, "decide key: recommend 200 (%s)", r.body);
	snprintf(path, sizeof(path), "%s", nz(jstr(&r, "decision_id")));
	resp_free(&r);
	ok(d_outcome(ingest, path, "completed") == 403 && d_outcome(readk, path, "completed") == 403,
	    "ingest and read keys: outcome 403");
	ok(d_outcome(manage, path, "ignored") == 200, "manage key: outcome 200");
}

static void
test_shape(void)
{
	struct resp r, g;
	struct json_object *alts, *a;
	char id[64], path[128], reason_fresh[700];
	size_t i;
	double c;

	d_recommend(&r, d_ft.key, "u-a", "\"grant_points\",\"send_email\",\"discount\"");
	c = jnum(&r, "recommendation.confidence");
	ok(r.status == 200 && strncmp(nz(jstr(&r, "decision_id")), "dec_", 4) == 0 &&
	    strcmp(nz(jstr(&r, "user_id")), "u-a") == 0 && d_null(&r, NULL, "domain") &&
	    jstr(&r, "recommendation.action") != NULL && c >= 0 && c <= 1 &&
	    strlen(nz(jstr(&r, "recommendation.reasoning"))) > 20,
	    "recommend: 200 with decision_id, user_id, domain null, action, confidence, "
	    "reasoning (%s)", r.body);
	ok(d_valid_params(jget(&r, "recommendation.parameters"),
	    d_schema_of(jstr(&r, "recommendation.action"))),
	    "recommend: parameters validate against the action type's schema");
	alts = jget(&r, "alternatives");
	ok(alts != NULL && json_object_array_length(alts) == 2, "recommend: two alternatives");
	for (i = 0; alts != NULL && i < json_object_array_length(alts); i++) {
		struct json_object *act, *par, *conf, *why;

		a = json_object_array_get_idx(alts, i);
		ok(json_object_object_get_ex(a, "action", &act) &&
		    strcmp(json_object_get_string(act), nz(jstr(&r, "recommendation.action"))) != 0 &&
		    json_object_object_get_ex(a, "parameters", &par) &&
		    d_valid_params(par, d_schema_of(json_object_get_string(act))) &&
		    json_object_object_get_ex(a, "confidence", &conf) &&
		    json_object_get_double(conf) >= 0 && json_object_get_double(conf) <= 1 &&
		    json_object_object_get_ex(a, "reasoning", &why) &&
		    strlen(json_object_get_string(why)) > 20,
		    "alternative %zu has action, valid parameters, confidence and reasoning", i);
	}
	ok(strcmp(nz(jstr(&r, "user_context.lifecycle_stage")), "active") == 0 &&
	    strcmp(nz(jstr(&r, "user_context.risk_level")), "low") == 0 &&
	    jnum(&r, "user_context.engagement_score") > 0.69 &&
	    jnum(&r, "user_context.engagement_score") < 0.71 &&
	    jnum(&r, "user_context.activation_score") >= 0 &&
	    jnum(&r, "user_context.expansion_score") >= 0 &&
	    jint(&r, "user_context.days_since_last_activity") == 0 &&
	    strcmp(nz(jstr(&r, "user_context.bucket")), "active/low/eng_high") == 0,
	    "user_context: stage, scores 0..1, risk, days idle, bucket (%s)", r.body);
	snprintf(reason_fresh, sizeof(reason_fresh), "%s", nz(jstr(&r, "recommendation.reasoning")));
	resp_free(&r);

	/* Domain and context; the log row keeps both. */
	api(&r, "POST", "/api/decisions/recommend", d_ft.key, "{\"user_id\":\"u-a\",\"domain\":"
	    "\"loyalty\",\"available_actions\":[\"grant_points\",\"discount\"],\"context\":"
	    "{\"cart_value\":120,\"page\":\"checkout\"}}");
	ok(r.status == 200 && strcmp(nz(jstr(&r, "domain")), "loyalty") == 0 &&
	    jlen(&r, "alternatives") == 1, "recommend in domain loyalty: 200 (%s)", r.body);
	snprintf(id, sizeof(id), "%s", nz(jstr(&r, "decision_id")));
	snprintf(path, sizeof(path), "/api/decisions/%s", id);
	api(&g, "GET", path, d_ft.key, NULL);
	ok(g.status == 200 && strcmp(nz(jstr(&g, "decision.id")), id) == 0 &&
	    strcmp(nz(jstr(&g, "decision.user_id")), "u-a") == 0 &&
	    strcmp(nz(jstr(&g, "decision.domain")), "loyalty") == 0 &&
	    strcmp(nz(jstr(&g, "decision.bucket")), "active/low/eng_high") == 0 &&
	    strcmp(nz(jstr(&g, "decision.action")), nz(jstr(&r, "recommendation.action"))) == 0 &&
	    jnum(&g, "decision.propensity") > 0 && jnum(&g, "decision.propensity") <= 1 &&
	    jnum(&g, "decision.confidence") == jnum(&r, "recommendation.confidence") &&
	    jget(&g, "decision.explored") != NULL &&
	    strcmp(nz(jstr(&g, "decision.reasoning")), nz(jstr(&r, "recommendation.reasoning"))) == 0 &&
	    jlen(&g, "decision.candidates") == 2 && jstr(&g, "decision.candidates.0.action") &&
	    jnum(&g, "decision.candidates.0.mean") >= 0 && jnum(&g, "decision.candidates.0.p_best") >= 0 &&
	    jint(&g, "decision.context.cart_value") == 120 &&
	    strcmp(nz(jstr(&g, "decision.context.page")), "checkout") == 0 &&
	    d_null(&g, "decision", "action_id") && d_null(&g, "decision", "outcome_status") &&
	    d_null(&g, "decision", "reward") && d_null(&g, "decision", "behaviour_reward") &&
	    d_null(&g, "decision", "outcome_at") && jstr(&g, "decision.created_at") != NULL,
	    "GET the decision: the log row with propensity, candidates, context (%s)", g.body);
	resp_free(&g);
	ok(sql_int("SELECT COUNT(*) FROM decisions WHERE tenant_id = '%s' AND id = '%s' AND "
	    "propensity > 0 AND propensity <= 1 AND JSON_LENGTH(candidates) = 2 AND "
	    "JSON_VALUE(context, '$.cart_value') = 120", d_ft.tenant_id, id) == 1,
	    "the decisions row stores propensity, candidates and context");
	resp_free(&r);

	/* Another tenant's id: 404 on get and outcome; a malformed id: 404. */
	api(&g, "GET", path, d_fo.key, NULL);
	ok(g.status == 404, "another tenant's decision: GET 404");
	resp_free(&g);
	ok(d_outcome(d_fo.key, id, "completed") == 404, "another tenant's decision: outcome 404");
	ok(d_outcome(d_ft.key, "dec_nosuchdecision", "completed") == 404 &&
	    d_outcome(d_ft.key, "ea_x", "completed") == 404, "unknown decision ids: outcome 404");
	api(&g, "GET", "/api/decisions/nope", d_ft.key, NULL);
	ok(g.status == 404, "GET a malformed decision id: 404");
	resp_free(&g);

	/* Outcomes: invalid status, first report, second report. */
	snprintf(path, sizeof(path), "/api/decisions/%s/outcome", id);
	api(&g, "POST", path, d_ft.key, "{\"status\":\"done\"}");
	ok(g.status == 400 && strcmp(nz(jstr(&g, "field")), "status") == 0,
	    "outcome with an invalid status: 400 naming status");
	resp_free(&g);
	api(&g, "POST", path, d_ft.key, "{\"result\":{}}");
	ok(g.status == 400 && strcmp(nz(jstr(&g, "field")), "status") == 0,
	    "outcome without status: 400");
	resp_free(&g);
	api(&g, "POST", path, d_ft.key, "{\"status\":\"partial\",\"result\":[1]}");
	ok(g.status == 400 && strcmp(nz(jstr(&g, "field")), "result") == 0,
	    "outcome with result not an object: 400");
	resp_free(&g);
	api(&g, "POST", path, d_ft.key, "{\"status\":\"partial\",\"result\":{\"points\":5}}");
	ok(g.status == 200 && jget(&g, "recorded") && json_object_get_boolean(jget(&g, "recorded")) &&
	    strcmp(nz(jstr(&g, "decision_id")), id) == 0 &&
	    strcmp(nz(jstr(&g, "outcome_status")), "partial") == 0 && jnum(&g, "reward") == 0.5,
	    "outcome partial: 200 recorded, reward 0.5 (%s)", g.body);
	resp_free(&g);
	api(&g, "POST", path, d_ft.key, "{\"status\":\"completed\"}");
	ok(g.status == 409 && strcmp(nz(jstr(&g, "code")), "outcome_exists") == 0,
	    "a second outcome: 409 outcome_exists");
	resp_free(&g);
	snprintf(path, sizeof(path), "/api/decisions/%s", id);
	api(&g, "GET", path, d_ft.key, NULL);
	ok(strcmp(nz(jstr(&g, "decision.outcome_status")), "partial") == 0 &&
	    jnum(&g, "decision.reward") == 0.5 && jstr(&g, "decision.outcome_at") != NULL,
	    "the decision shows its outcome");
	resp_free(&g);

	/* Reasoning depends on the situation: an idle at-risk user reads differently. */
	d_recommend(&r, d_ft.key, "u-idle", "\"grant_points\",\"send_email\",\"discount\"");
	ok(r.status == 200 && strlen(nz(jstr(&r, "recommendation.reasoning"))) > 20 &&
	    strcmp(nz(jstr(&r, "recommendation.reasoning")), reason_fresh) != 0 &&
	    jint(&r, "user_context.days_since_last_activity") == 20 &&
	    strcmp(nz(jstr(&r, "user_context.bucket")), "at_risk/high/eng_low") == 0,
	    "reasoning differs for an idle at-risk user: \"%s\" vs \"%s\"",
	    nz(jstr(&r, "recommendation.reasoning")), reason_fresh);
	resp_free(&r);
}

static void
test_opted_out(void)
{
	long long before = sql_int("SELECT COUNT(*) FROM decisions WHERE tenant_id = '%s'",
	    d_ft.tenant_id);
	struct resp r;

	d_recommend(&r, d_ft.key, "u-opt", "\"grant_points\"");
	ok(r.status == 200 && d_null(&r, NULL, "recommendation") &&
	    jlen(&r, "alternatives") == 0 &&
	    strcmp(nz(jstr(&r, "reason")), "user_opted_out") == 0,
	    "opted-out user: 200, recommendation null, reason user_opted_out (%s)", r.body);
	resp_free(&r);
	d_recommend(&r, d_ft.key, "u-pause", "\"grant_points\"");
	ok(r.status == 200 && d_null(&r, NULL, "recommendation") &&
	    strcmp(nz(jstr(&r, "reason")), "user_paused") == 0,
	    "paused user: 200, recommendation null, reason user_paused (%s)", r.body);
	resp_free(&r);
	d_recommend(&r, d_ft.key, "u-opt", "\"no_such\"");
	ok(r.status == 400, "opted-out user with an unknown action: still 400");
	resp_free(&r);
	ok(sql_int("SELECT COUNT(*) FROM decisions WHERE tenant_id = '%s'", d_ft.tenant_id) == before,
	    "nothing logged for opted-out or paused users");
}

void
suite_decisions(void)
{
	char retired[64], path[128];
	struct resp r;

	d_now0 = (int64_t)time(NULL);
	if (fixture_tenant(&d_ft, "growth", "standalone") != 0 ||
	    fixture_tenant(&d_fo, "growth", "standalone") != 0) {
		ok(0, "decisions: fixtures");
		return;
	}
	ok(d_register_type(d_ft.key, "grant_points", "loyalty", SCHEMA_POINTS, NULL, 0) == 201 &&
	    d_register_type(d_ft.key, "send_email", "messaging", SCHEMA_EMAIL, NULL, 0) == 201 &&
	    d_register_type(d_ft.key, "discount", "loyalty", SCHEMA_DISCOUNT, NULL, 0) == 201 &&
	    d_register_type(d_ft.key, "retired", "loyalty", SCHEMA_POINTS, retired, sizeof(retired)) == 201 &&
	    d_register_type(d_fo.key, "other_only", "loyalty", SCHEMA_EMAIL, NULL, 0) == 201,
	    "decisions: action types");
	snprintf(path, sizeof(path), "/api/external/action-types/%s", retired);
	api(&r, "DELETE", path, d_ft.key, NULL);
	resp_free(&r);
	ok(d_make_user(&d_ft, "u-a", d_now0 - 60, "active", "low", 0.7) == 0 &&
	    d_make_user(&d_ft, "u-idle", d_now0 - 20 * DAY - 3600, "at_risk", "high", 0.1) == 0 &&
	    d_make_user(&d_ft, "u-learn", d_now0 - 60, "recovered", "medium", 0.45) == 0 &&
	    d_make_user(&d_ft, "u-opt", d_now0 - 60, "active", "low", 0.7) == 0 &&
	    d_make_user(&d_ft, "u-pause", d_now0 - 60, "active", "low", 0.7) == 0 &&
	    d_make_user(&d_fo, "u-a", d_now0 - 60, "active", "low", 0.7) == 0 &&
	    sql_query(NULL, 0, "UPDATE users SET opted_out = 1 WHERE tenant_id = '%s' AND user_id = "
	    "'u-opt'", d_ft.tenant_id) == 0 &&
	    sql_query(NULL, 0, "UPDATE users SET paused = 1 WHERE tenant_id = '%s' AND user_id = "
	    "'u-pause'", d_ft.tenant_id) == 0, "decisions: users in their stages");
	test_validation();
	test_scopes();
	test_shape();
	test_opted_out();
	decisions_learning();
	decisions_link();
	decisions_concurrent_outcomes();
	decisions_dry_run();
	decisions_partner_pool();
	decisions_behaviour_credit();
	if (sql_query(NULL, 0, "UPDATE deliveries SET state = 'failed', last_error = 'test cleanup' "
	    "WHERE tenant_id = '%s' AND state = 'pending'", d_ft.tenant_id) != 0)
		diag("could not fail the suite's deliveries");
}
