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
 * waited for; the scores job is driven with --now.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client.h"
#include "jsonschema.h"
#include "suites.h"
#include "timeutil.h"

#define DAY 86400

/* Nothing listens on the discard port; the suite fails these deliveries. */
#define HOOK "http://127.0.0.1:9/decisions-suite"

#define SCHEMA_POINTS "{\"type\":\"object\",\"properties\":{\"amount\":{\"type\":\"integer\"," \
	"\"minimum\":50,\"maximum\":1000,\"multipleOf\":50}},\"required\":[\"amount\"]}"
#define SCHEMA_EMAIL "{\"type\":\"object\",\"properties\":{\"template\":{\"type\":\"string\"," \
	"\"enum\":[\"winback\",\"tips\",\"survey\"]}},\"required\":[\"template\"]}"
#define SCHEMA_DISCOUNT "{\"type\":\"object\",\"properties\":{\"percent\":{\"type\":\"number\"," \
	"\"minimum\":5,\"maximum\":40},\"code\":{\"type\":\"string\",\"default\":\"SAVE\"}}," \
	"\"required\":[\"percent\"]}"

static struct fixture ft, fo;	/* the suite's tenant, another tenant */
static int64_t now0;

static const char *
nz(const char *s)
{
	return s != NULL ? s : "";
}

static double
dbl(const struct resp *r, const char *path)
{
	struct json_object *o = jget(r, path);

	return o != NULL && (json_object_is_type(o, json_type_double) ||
	    json_object_is_type(o, json_type_int)) ? json_object_get_double(o) : -999;
}

static size_t
len_of(const struct resp *r, const char *path)
{
	struct json_object *a = jget(r, path);

	return a != NULL && json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 9999;
}

/* 1 when the object at parent (NULL: the root) has key, with value null. */
static int
is_null(const struct resp *r, const char *parent, const char *key)
{
	struct json_object *o = parent != NULL ? jget(r, parent) : r->json, *v;

	return o != NULL && json_object_object_get_ex(o, key, &v) && v == NULL;
}

static long
register_type(const char *key, const char *name, const char *domain, const char *schema,
    char *id_out, size_t idlen)
{
	struct resp r;
	long status;

	api(&r, "POST", "/api/external/action-types", key,
	    "{\"name\":\"%s\",\"description\":\"d\",\"provider\":\"test\",\"domain\":\"%s\","
	    "\"parameters_schema\":%s,\"delivery_webhook\":\"" HOOK "\"}", name, domain, schema);
	status = r.status;
	if (id_out != NULL)
		snprintf(id_out, idlen, "%s", nz(jstr(&r, "action_type.id")));
	if (status != 201)
		diag("register %s: %ld %s", name, status, r.body);
	resp_free(&r);
	return status;
}

/* Creates user (one event at t) and sets its row's stage, risk and engagement. */
static int
make_user(const struct fixture *f, const char *user, int64_t t, const char *stage,
    const char *risk, double engagement)
{
	char iso[TIME_ISO8601_SIZE];
	struct resp r;
	int rc;

	time_format_iso8601(t, iso);
	api(&r, "POST", "/api/events", f->key,
	    "{\"user_id\":\"%s\",\"event\":\"page_viewed\",\"timestamp\":\"%s\"}", user, iso);
	rc = r.status >= 200 && r.status < 300 ? 0 : -1;
	resp_free(&r);
	if (rc == 0 && sql_query(NULL, 0, "UPDATE users SET lifecycle_stage = '%s', risk_level = "
	    "'%s', engagement_score = %f, activation_score = 0.5 WHERE tenant_id = '%s' AND "
	    "user_id = '%s'", stage, risk, engagement, f->tenant_id, user) != 0)
		rc = -1;
	if (rc != 0)
		diag("make_user %s failed", user);
	return rc;
}

/* POST /api/decisions/recommend for user over actions (a JSON array's inside). */
static long
recommend(struct resp *r, const char *key, const char *user, const char *actions)
{
	api(r, "POST", "/api/decisions/recommend", key,
	    "{\"user_id\":\"%s\",\"available_actions\":[%s]}", user, actions);
	return r->status;
}

static long
outcome(const char *key, const char *id, const char *status)
{
	char path[200];
	struct resp r;
	long s;

	snprintf(path, sizeof(path), "/api/decisions/%s/outcome", id);
	api(&r, "POST", path, key, "{\"status\":\"%s\"}", status);
	s = r.status;
	resp_free(&r);
	return s;
}

/* 1 when params validates against schema text. */
static int
valid_params(struct json_object *params, const char *schema_text)
{
	struct json_object *schema = json_tokener_parse(schema_text);
	char err[256];
	int ok = schema != NULL && params != NULL &&
	    jsonschema_validate(schema, params, err, sizeof(err)) == 1;

	if (!ok)
		diag("parameters %s against %s: %s", params ? json_object_to_json_string(params) : "null",
		    schema_text, err);
	json_object_put(schema);
	return ok;
}

static const char *
schema_of(const char *action)
{
	if (strcmp(nz(action), "grant_points") == 0)
		return SCHEMA_POINTS;
	if (strcmp(nz(action), "send_email") == 0)
		return SCHEMA_EMAIL;
	return SCHEMA_DISCOUNT;
}

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
		api(&r, "POST", "/api/decisions/recommend", ft.key, "%s", bad[i].body);
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
	api(&r, "POST", "/api/decisions/recommend", ft.key, "%s", body);
	ok(r.status == 400 && strcmp(nz(jstr(&r, "field")), "available_actions") == 0,
	    "recommend with 33 actions: 400 (%s)", r.body);
	resp_free(&r);
	/* A context over 8 KiB. */
	p = body + snprintf(body, sizeof(body), "{\"user_id\":\"u-a\",\"available_actions\":"
	    "[\"grant_points\"],\"context\":{\"pad\":\"");
	memset(p, 'x', 8300);
	sprintf(p + 8300, "\"}}");
	api(&r, "POST", "/api/decisions/recommend", ft.key, "%s", body);
	ok(r.status == 400 && strcmp(nz(jstr(&r, "field")), "context") == 0,
	    "recommend with a 8.3 KiB context: 400 naming context");
	resp_free(&r);
	recommend(&r, ft.key, "u-nobody", "\"grant_points\"");
	ok(r.status == 404 && strcmp(nz(jstr(&r, "code")), "user_not_found") == 0,
	    "recommend for an unknown user: 404 user_not_found (%s)", r.body);
	resp_free(&r);
	recommend(&r, fo.key, "u-idle", "\"other_only\"");
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

	ok(fixture_key(ft.tenant_id, "live", "ingest", ingest, sizeof(ingest)) == 0 &&
	    fixture_key(ft.tenant_id, "live", "read", readk, sizeof(readk)) == 0 &&
	    fixture_key(ft.tenant_id, "live", "decide", decide, sizeof(decide)) == 0 &&
	    fixture_key(ft.tenant_id, "live", "manage", manage, sizeof(manage)) == 0,
	    "scope keys created");
	ok(recommend(&r, ingest, "u-a", "\"grant_points\"") == 403, "ingest key: recommend 403");
	resp_free(&r);
	ok(recommend(&r, readk, "u-a", "\"grant_points\"") == 403, "read key: recommend 403");
	resp_free(&r);
	ok(recommend(&r, manage, "u-a", "\"grant_points\"") == 403, "manage key: recommend 403");
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
	ok(recommend(&r, decide, "u-a", "\"grant_points\"") == 200 &&
	    (id = jstr(&r, "decision_id")) != NULL, "decide key: recommend 200 (%s)", r.body);
	snprintf(path, sizeof(path), "%s", nz(jstr(&r, "decision_id")));
	resp_free(&r);
	ok(outcome(ingest, path, "completed") == 403 && outcome(readk, path, "completed") == 403,
	    "ingest and read keys: outcome 403");
	ok(outcome(manage, path, "ignored") == 200, "manage key: outcome 200");
}

static void
test_shape(void)
{
	struct resp r, g;
	struct json_object *alts, *a;
	char id[64], path[128], reason_fresh[700];
	size_t i;
	double c;

	recommend(&r, ft.key, "u-a", "\"grant_points\",\"send_email\",\"discount\"");
	c = dbl(&r, "recommendation.confidence");
	ok(r.status == 200 && strncmp(nz(jstr(&r, "decision_id")), "dec_", 4) == 0 &&
	    strcmp(nz(jstr(&r, "user_id")), "u-a") == 0 && is_null(&r, NULL, "domain") &&
	    jstr(&r, "recommendation.action") != NULL && c >= 0 && c <= 1 &&
	    strlen(nz(jstr(&r, "recommendation.reasoning"))) > 20,
	    "recommend: 200 with decision_id, user_id, domain null, action, confidence, "
	    "reasoning (%s)", r.body);
	ok(valid_params(jget(&r, "recommendation.parameters"),
	    schema_of(jstr(&r, "recommendation.action"))),
	    "recommend: parameters validate against the action type's schema");
	alts = jget(&r, "alternatives");
	ok(alts != NULL && json_object_array_length(alts) == 2, "recommend: two alternatives");
	for (i = 0; alts != NULL && i < json_object_array_length(alts); i++) {
		struct json_object *act, *par, *conf, *why;

		a = json_object_array_get_idx(alts, i);
		ok(json_object_object_get_ex(a, "action", &act) &&
		    strcmp(json_object_get_string(act), nz(jstr(&r, "recommendation.action"))) != 0 &&
		    json_object_object_get_ex(a, "parameters", &par) &&
		    valid_params(par, schema_of(json_object_get_string(act))) &&
		    json_object_object_get_ex(a, "confidence", &conf) &&
		    json_object_get_double(conf) >= 0 && json_object_get_double(conf) <= 1 &&
		    json_object_object_get_ex(a, "reasoning", &why) &&
		    strlen(json_object_get_string(why)) > 20,
		    "alternative %zu has action, valid parameters, confidence and reasoning", i);
	}
	ok(strcmp(nz(jstr(&r, "user_context.lifecycle_stage")), "active") == 0 &&
	    strcmp(nz(jstr(&r, "user_context.risk_level")), "low") == 0 &&
	    dbl(&r, "user_context.engagement_score") > 0.69 &&
	    dbl(&r, "user_context.engagement_score") < 0.71 &&
	    dbl(&r, "user_context.activation_score") >= 0 &&
	    dbl(&r, "user_context.expansion_score") >= 0 &&
	    jint(&r, "user_context.days_since_last_activity") == 0 &&
	    strcmp(nz(jstr(&r, "user_context.bucket")), "active/low/eng_high") == 0,
	    "user_context: stage, scores 0..1, risk, days idle, bucket (%s)", r.body);
	snprintf(reason_fresh, sizeof(reason_fresh), "%s", nz(jstr(&r, "recommendation.reasoning")));
	resp_free(&r);

	/* Domain and context; the log row keeps both. */
	api(&r, "POST", "/api/decisions/recommend", ft.key, "{\"user_id\":\"u-a\",\"domain\":"
	    "\"loyalty\",\"available_actions\":[\"grant_points\",\"discount\"],\"context\":"
	    "{\"cart_value\":120,\"page\":\"checkout\"}}");
	ok(r.status == 200 && strcmp(nz(jstr(&r, "domain")), "loyalty") == 0 &&
	    len_of(&r, "alternatives") == 1, "recommend in domain loyalty: 200 (%s)", r.body);
	snprintf(id, sizeof(id), "%s", nz(jstr(&r, "decision_id")));
	snprintf(path, sizeof(path), "/api/decisions/%s", id);
	api(&g, "GET", path, ft.key, NULL);
	ok(g.status == 200 && strcmp(nz(jstr(&g, "decision.id")), id) == 0 &&
	    strcmp(nz(jstr(&g, "decision.user_id")), "u-a") == 0 &&
	    strcmp(nz(jstr(&g, "decision.domain")), "loyalty") == 0 &&
	    strcmp(nz(jstr(&g, "decision.bucket")), "active/low/eng_high") == 0 &&
	    strcmp(nz(jstr(&g, "decision.action")), nz(jstr(&r, "recommendation.action"))) == 0 &&
	    dbl(&g, "decision.propensity") > 0 && dbl(&g, "decision.propensity") <= 1 &&
	    dbl(&g, "decision.confidence") == dbl(&r, "recommendation.confidence") &&
	    jget(&g, "decision.explored") != NULL &&
	    strcmp(nz(jstr(&g, "decision.reasoning")), nz(jstr(&r, "recommendation.reasoning"))) == 0 &&
	    len_of(&g, "decision.candidates") == 2 && jstr(&g, "decision.candidates.0.action") &&
	    dbl(&g, "decision.candidates.0.mean") >= 0 && dbl(&g, "decision.candidates.0.p_best") >= 0 &&
	    jint(&g, "decision.context.cart_value") == 120 &&
	    strcmp(nz(jstr(&g, "decision.context.page")), "checkout") == 0 &&
	    is_null(&g, "decision", "action_id") && is_null(&g, "decision", "outcome_status") &&
	    is_null(&g, "decision", "reward") && is_null(&g, "decision", "behaviour_reward") &&
	    is_null(&g, "decision", "outcome_at") && jstr(&g, "decision.created_at") != NULL,
	    "GET the decision: the log row with propensity, candidates, context (%s)", g.body);
	resp_free(&g);
	ok(sql_int("SELECT COUNT(*) FROM decisions WHERE tenant_id = '%s' AND id = '%s' AND "
	    "propensity > 0 AND propensity <= 1 AND JSON_LENGTH(candidates) = 2 AND "
	    "JSON_VALUE(context, '$.cart_value') = 120", ft.tenant_id, id) == 1,
	    "the decisions row stores propensity, candidates and context");
	resp_free(&r);

	/* Another tenant's id: 404 on get and outcome; a malformed id: 404. */
	api(&g, "GET", path, fo.key, NULL);
	ok(g.status == 404, "another tenant's decision: GET 404");
	resp_free(&g);
	ok(outcome(fo.key, id, "completed") == 404, "another tenant's decision: outcome 404");
	ok(outcome(ft.key, "dec_nosuchdecision", "completed") == 404 &&
	    outcome(ft.key, "ea_x", "completed") == 404, "unknown decision ids: outcome 404");
	api(&g, "GET", "/api/decisions/nope", ft.key, NULL);
	ok(g.status == 404, "GET a malformed decision id: 404");
	resp_free(&g);

	/* Outcomes: invalid status, first report, second report. */
	snprintf(path, sizeof(path), "/api/decisions/%s/outcome", id);
	api(&g, "POST", path, ft.key, "{\"status\":\"done\"}");
	ok(g.status == 400 && strcmp(nz(jstr(&g, "field")), "status") == 0,
	    "outcome with an invalid status: 400 naming status");
	resp_free(&g);
	api(&g, "POST", path, ft.key, "{\"result\":{}}");
	ok(g.status == 400 && strcmp(nz(jstr(&g, "field")), "status") == 0,
	    "outcome without status: 400");
	resp_free(&g);
	api(&g, "POST", path, ft.key, "{\"status\":\"partial\",\"result\":[1]}");
	ok(g.status == 400 && strcmp(nz(jstr(&g, "field")), "result") == 0,
	    "outcome with result not an object: 400");
	resp_free(&g);
	api(&g, "POST", path, ft.key, "{\"status\":\"partial\",\"result\":{\"points\":5}}");
	ok(g.status == 200 && jget(&g, "recorded") && json_object_get_boolean(jget(&g, "recorded")) &&
	    strcmp(nz(jstr(&g, "decision_id")), id) == 0 &&
	    strcmp(nz(jstr(&g, "outcome_status")), "partial") == 0 && dbl(&g, "reward") == 0.5,
	    "outcome partial: 200 recorded, reward 0.5 (%s)", g.body);
	resp_free(&g);
	api(&g, "POST", path, ft.key, "{\"status\":\"completed\"}");
	ok(g.status == 409 && strcmp(nz(jstr(&g, "code")), "outcome_exists") == 0,
	    "a second outcome: 409 outcome_exists");
	resp_free(&g);
	snprintf(path, sizeof(path), "/api/decisions/%s", id);
	api(&g, "GET", path, ft.key, NULL);
	ok(strcmp(nz(jstr(&g, "decision.outcome_status")), "partial") == 0 &&
	    dbl(&g, "decision.reward") == 0.5 && jstr(&g, "decision.outcome_at") != NULL,
	    "the decision shows its outcome");
	resp_free(&g);

	/* Reasoning depends on the situation: an idle at-risk user reads differently. */
	recommend(&r, ft.key, "u-idle", "\"grant_points\",\"send_email\",\"discount\"");
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
	    ft.tenant_id);
	struct resp r;

	recommend(&r, ft.key, "u-opt", "\"grant_points\"");
	ok(r.status == 200 && is_null(&r, NULL, "recommendation") &&
	    len_of(&r, "alternatives") == 0 &&
	    strcmp(nz(jstr(&r, "reason")), "user_opted_out") == 0,
	    "opted-out user: 200, recommendation null, reason user_opted_out (%s)", r.body);
	resp_free(&r);
	recommend(&r, ft.key, "u-pause", "\"grant_points\"");
	ok(r.status == 200 && is_null(&r, NULL, "recommendation") &&
	    strcmp(nz(jstr(&r, "reason")), "user_paused") == 0,
	    "paused user: 200, recommendation null, reason user_paused (%s)", r.body);
	resp_free(&r);
	recommend(&r, ft.key, "u-opt", "\"no_such\"");
	ok(r.status == 400, "opted-out user with an unknown action: still 400");
	resp_free(&r);
	ok(sql_int("SELECT COUNT(*) FROM decisions WHERE tenant_id = '%s'", ft.tenant_id) == before,
	    "nothing logged for opted-out or paused users");
}

/* Learning: grant_points always completes, send_email is always rejected
 * (bucket recovered/medium/eng_mid), then grant_points wins most calls. */
static void
test_learning(void)
{
	struct resp r;
	char id[64];
	int i, wins = 0, posted = 0;

	for (i = 0; i < 40; i++) {
		recommend(&r, ft.key, "u-learn", "\"grant_points\",\"send_email\"");
		snprintf(id, sizeof(id), "%s", nz(jstr(&r, "decision_id")));
		if (r.status == 200 && outcome(ft.key, id,
		    strcmp(nz(jstr(&r, "recommendation.action")), "grant_points") == 0 ?
		    "completed" : "rejected") == 200)
			posted++;
		resp_free(&r);
	}
	ok(posted == 40, "40 decisions with outcomes (%d)", posted);
	for (i = 0; i < 50; i++) {
		recommend(&r, ft.key, "u-learn", "\"grant_points\",\"send_email\"");
		if (strcmp(nz(jstr(&r, "recommendation.action")), "grant_points") == 0)
			wins++;
		resp_free(&r);
	}
	ok(wins >= 40, "after learning, grant_points is recommended in %d of 50 calls", wins);
	ok(sql_int("SELECT COUNT(*) FROM decision_arms WHERE tenant_id = '%s' AND bucket = "
	    "'recovered/medium/eng_mid' AND action_name = 'grant_points' AND succ > 0 AND n > 0 "
	    "AND JSON_LENGTH(param_stats) > 0", ft.tenant_id) == 1,
	    "the arm holds succ, n and param_stats");

	/* The list over those 90 decisions. */
	api(&r, "GET", "/api/decisions?user_id=u-learn&limit=100", ft.key, NULL);
	ok(r.status == 200 && len_of(&r, "decisions") == 90 && jget(&r, "has_more") &&
	    !json_object_get_boolean(jget(&r, "has_more")), "list by user: 90 decisions");
	resp_free(&r);
	api(&r, "GET", "/api/decisions?user_id=u-learn&has_outcome=true&limit=100", ft.key, NULL);
	ok(r.status == 200 && len_of(&r, "decisions") == 40 &&
	    jstr(&r, "decisions.0.outcome_status") != NULL, "has_outcome=true: the 40 reported");
	resp_free(&r);
	api(&r, "GET", "/api/decisions?user_id=u-learn&has_outcome=false&limit=100", ft.key, NULL);
	ok(r.status == 200 && len_of(&r, "decisions") == 50 &&
	    is_null(&r, "decisions.0", "outcome_status"), "has_outcome=false: the 50 others");
	resp_free(&r);
	api(&r, "GET", "/api/decisions?user_id=u-learn&action=send_email&limit=100", ft.key, NULL);
	ok(r.status == 200 && (long long)len_of(&r, "decisions") == sql_int("SELECT COUNT(*) "
	    "FROM decisions WHERE tenant_id = '%s' AND user_id = 'u-learn' AND action_name = "
	    "'send_email'", ft.tenant_id) && (len_of(&r, "decisions") == 0 ||
	    strcmp(nz(jstr(&r, "decisions.0.action")), "send_email") == 0),
	    "action=send_email lists exactly those");
	resp_free(&r);
	api(&r, "GET", "/api/decisions?user_id=u-learn&limit=30", ft.key, NULL);
	snprintf(id, sizeof(id), "%s", nz(jstr(&r, "next_cursor")));
	ok(r.status == 200 && len_of(&r, "decisions") == 30 &&
	    json_object_get_boolean(jget(&r, "has_more")) &&
	    strcmp(id, nz(jstr(&r, "decisions.29.id"))) == 0, "first page of 30, has_more");
	resp_free(&r);
	{
		char path[160];

		snprintf(path, sizeof(path), "/api/decisions?user_id=u-learn&limit=100&cursor=%s", id);
		api(&r, "GET", path, ft.key, NULL);
		ok(r.status == 200 && len_of(&r, "decisions") == 60, "the cursor gives the other 60");
		resp_free(&r);
	}
	api(&r, "GET", "/api/decisions?since=2099-01-01T00:00:00Z", ft.key, NULL);
	ok(r.status == 200 && len_of(&r, "decisions") == 0, "since in the future: none");
	resp_free(&r);
	api(&r, "GET", "/api/decisions?cursor=dec_nope", ft.key, NULL);
	ok(r.status == 400 && strcmp(nz(jstr(&r, "field")), "cursor") == 0, "a bad cursor: 400");
	resp_free(&r);
	api(&r, "GET", "/api/decisions?limit=0", ft.key, NULL);
	ok(r.status == 400, "limit=0: 400");
	resp_free(&r);
	api(&r, "GET", "/api/decisions?has_outcome=maybe", ft.key, NULL);
	ok(r.status == 400, "has_outcome=maybe: 400");
	resp_free(&r);
	api(&r, "GET", "/api/decisions?user_id=u-learn", fo.key, NULL);
	ok(r.status == 200 && len_of(&r, "decisions") == 0, "another tenant lists none of them");
	resp_free(&r);
}

/* A dispatched action carries decision_id; its outcome lands on the decision. */
static void
test_link(void)
{
	struct resp r, a;
	char dec[64], dec2[64], ea[64], path[128];
	const char *params;

	recommend(&r, ft.key, "u-a", "\"send_email\"");
	snprintf(dec, sizeof(dec), "%s", nz(jstr(&r, "decision_id")));
	params = json_object_to_json_string(jget(&r, "recommendation.parameters"));
	api(&a, "POST", "/api/external/actions", ft.key, "{\"action_type\":\"send_email\","
	    "\"user_id\":\"u-idle\",\"parameters\":%s,\"decision_id\":\"%s\"}", params, dec);
	ok(a.status == 400 && strcmp(nz(jstr(&a, "field")), "decision_id") == 0,
	    "decision_id of another user's decision: 400 (%s)", a.body);
	resp_free(&a);
	api(&a, "POST", "/api/external/actions", fo.key, "{\"action_type\":\"other_only\","
	    "\"user_id\":\"u-a\",\"parameters\":{\"template\":\"tips\"},\"decision_id\":\"%s\"}", dec);
	ok(a.status == 400 && strcmp(nz(jstr(&a, "field")), "decision_id") == 0,
	    "decision_id of another tenant's decision: 400 (%s)", a.body);
	resp_free(&a);
	api(&a, "POST", "/api/external/actions", ft.key, "{\"action_type\":\"send_email\","
	    "\"user_id\":\"u-a\",\"parameters\":%s,\"decision_id\":\"bogus\"}", params);
	ok(a.status == 400 && strcmp(nz(jstr(&a, "field")), "decision_id") == 0,
	    "a malformed decision_id: 400");
	resp_free(&a);
	api(&a, "POST", "/api/external/actions", ft.key, "{\"action_type\":\"send_email\","
	    "\"user_id\":\"u-a\",\"parameters\":%s,\"decision_id\":\"%s\"}", params, dec);
	snprintf(ea, sizeof(ea), "%s", nz(jstr(&a, "action.id")));
	ok(a.status == 201 && strncmp(ea, "ea_", 3) == 0, "dispatch with decision_id: 201 (%s)",
	    a.body);
	resp_free(&a);
	api(&a, "POST", "/api/external/actions", ft.key, "{\"action_type\":\"send_email\","
	    "\"user_id\":\"u-a\",\"parameters\":%s,\"decision_id\":\"%s\"}", params, dec);
	ok(a.status == 400 && strstr(nz(jstr(&a, "error")), "already linked") != NULL,
	    "a second dispatch of the same decision: 400 already linked (%s)", a.body);
	resp_free(&a);
	resp_free(&r);
	snprintf(path, sizeof(path), "/api/decisions/%s", dec);
	api(&r, "GET", path, ft.key, NULL);
	ok(strcmp(nz(jstr(&r, "decision.action_id")), ea) == 0, "the decision names its action");
	resp_free(&r);
	snprintf(path, sizeof(path), "/api/external/actions/%s/outcome", ea);
	api(&a, "POST", path, ft.key, "{\"status\":\"rejected\"}");
	ok(a.status == 200, "the action's outcome: 200");
	resp_free(&a);
	snprintf(path, sizeof(path), "/api/decisions/%s", dec);
	api(&r, "GET", path, ft.key, NULL);
	ok(strcmp(nz(jstr(&r, "decision.outcome_status")), "rejected") == 0 &&
	    dbl(&r, "decision.reward") == -0.5, "the action's outcome lands on the decision (%s)",
	    r.body);
	resp_free(&r);
	ok(outcome(ft.key, dec, "completed") == 409, "and a direct outcome after it is 409");

	/* A decision with its own outcome keeps it when the action reports later. */
	recommend(&r, ft.key, "u-a", "\"send_email\"");
	snprintf(dec2, sizeof(dec2), "%s", nz(jstr(&r, "decision_id")));
	api(&a, "POST", "/api/external/actions", ft.key, "{\"action_type\":\"send_email\","
	    "\"user_id\":\"u-a\",\"parameters\":%s,\"decision_id\":\"%s\"}",
	    json_object_to_json_string(jget(&r, "recommendation.parameters")), dec2);
	snprintf(ea, sizeof(ea), "%s", nz(jstr(&a, "action.id")));
	resp_free(&a);
	resp_free(&r);
	ok(outcome(ft.key, dec2, "ignored") == 200, "direct outcome first");
	snprintf(path, sizeof(path), "/api/external/actions/%s/outcome", ea);
	api(&a, "POST", path, ft.key, "{\"status\":\"completed\"}");
	ok(a.status == 200, "then the action's outcome: 200");
	resp_free(&a);
	ok(sql_int("SELECT COUNT(*) FROM decisions WHERE tenant_id = '%s' AND id = '%s' AND "
	    "outcome_status = 'ignored' AND reward = 0", ft.tenant_id, dec2) == 1,
	    "the decision keeps its first outcome");
}

static long long
count_rows(const char *tenant)
{
	return sql_int("SELECT (SELECT COUNT(*) FROM decisions WHERE tenant_id = '%s') * 1000000 + "
	    "(SELECT COUNT(*) FROM decision_arms WHERE tenant_id = '%s') * 1000 + "
	    "(SELECT IFNULL(SUM(n), 0) FROM decision_arms WHERE tenant_id = '%s')", tenant, tenant,
	    tenant);
}

static void
test_dry_run(void)
{
	struct fixture fe;
	struct resp r;
	long long before = count_rows(ft.tenant_id);
	struct json_object *c;
	size_t i;
	int retired = 0;

	api(&r, "POST", "/api/interventions/dry-run", ft.key, "{\"user_id\":\"u-learn\"}");
	ok(r.status == 200 && jget(&r, "dry_run") && json_object_get_boolean(jget(&r, "dry_run")) &&
	    strcmp(nz(jstr(&r, "decision.action")), "intervene") == 0 &&
	    jstr(&r, "decision.action_type") != NULL &&
	    valid_params(jget(&r, "decision.parameters"), schema_of(jstr(&r, "decision.action_type"))) &&
	    is_null(&r, "decision", "playbook_id") &&
	    strcmp(nz(jstr(&r, "decision.channel")), "external_action") == 0 &&
	    dbl(&r, "decision.confidence") >= 0 && dbl(&r, "decision.confidence") <= 1 &&
	    strlen(nz(jstr(&r, "decision.reasoning"))) > 20 && jstr(&r, "decision.reason") != NULL &&
	    strcmp(nz(jstr(&r, "rules.lifecycle_stage")), "recovered") == 0 &&
	    strcmp(nz(jstr(&r, "rules.bucket")), "recovered/medium/eng_mid") == 0 &&
	    jget(&r, "rules.opted_out") && !json_object_get_boolean(jget(&r, "rules.opted_out")) &&
	    jget(&r, "rules.paused") && len_of(&r, "rules.playbooks") == 0 &&
	    len_of(&r, "rules.candidates") == 3 && jint(&r, "rules.candidates.0.outcomes") >= 0 &&
	    dbl(&r, "rules.candidates.0.mean") >= 0 && dbl(&r, "rules.candidates.0.p_best") >= 0 &&
	    strcmp(nz(jstr(&r, "context.lifecycle_stage")), "recovered") == 0 &&
	    strcmp(nz(jstr(&r, "context.risk_level")), "medium") == 0 &&
	    dbl(&r, "context.activation_score") >= 0 && dbl(&r, "context.engagement_score") >= 0 &&
	    jint(&r, "context.matched_playbooks") == 0,
	    "dry-run over every active type: the decision, rules and context (%s)", r.body);
	for (i = 0; i < len_of(&r, "rules.candidates") && i < 10; i++) {
		c = json_object_array_get_idx(jget(&r, "rules.candidates"), i);
		if (strstr(json_object_to_json_string(c), "retired") != NULL)
			retired = 1;
	}
	ok(!retired, "the inactive type is not a candidate");
	resp_free(&r);
	api(&r, "POST", "/api/interventions/dry-run", ft.key,
	    "{\"user_id\":\"u-learn\",\"available_actions\":[\"discount\"]}");
	ok(r.status == 200 && strcmp(nz(jstr(&r, "decision.action_type")), "discount") == 0 &&
	    len_of(&r, "rules.candidates") == 1, "dry-run over one listed action");
	resp_free(&r);
	api(&r, "POST", "/api/interventions/dry-run", ft.key,
	    "{\"user_id\":\"u-learn\",\"available_actions\":[\"retired\"]}");
	ok(r.status == 400 && strcmp(nz(jstr(&r, "field")), "available_actions[0]") == 0,
	    "dry-run with an inactive action: 400");
	resp_free(&r);
	api(&r, "POST", "/api/interventions/dry-run", ft.key, "{\"user_id\":\"u-opt\"}");
	ok(r.status == 200 && strcmp(nz(jstr(&r, "decision.action")), "skip") == 0 &&
	    strcmp(nz(jstr(&r, "decision.reason")), "user_opted_out") == 0 &&
	    is_null(&r, "decision", "action_type") &&
	    json_object_get_boolean(jget(&r, "rules.opted_out")),
	    "dry-run for an opted-out user: skip, user_opted_out (%s)", r.body);
	resp_free(&r);
	api(&r, "POST", "/api/interventions/dry-run", ft.key, "{\"user_id\":\"u-pause\"}");
	ok(r.status == 200 && strcmp(nz(jstr(&r, "decision.reason")), "user_paused") == 0,
	    "dry-run for a paused user: skip, user_paused");
	resp_free(&r);
	api(&r, "POST", "/api/interventions/dry-run", ft.key, "{\"user_id\":\"u-nobody\"}");
	ok(r.status == 404, "dry-run for an unknown user: 404");
	resp_free(&r);
	api(&r, "POST", "/api/interventions/dry-run", ft.key, "{}");
	ok(r.status == 400 && strcmp(nz(jstr(&r, "field")), "user_id") == 0,
	    "dry-run without user_id: 400");
	resp_free(&r);
	ok(count_rows(ft.tenant_id) == before, "dry-runs wrote no decision and no arm");

	ok(fixture_tenant(&fe, "starter", "standalone") == 0 &&
	    make_user(&fe, "u-e", now0 - 60, "active", "low", 0.5) == 0, "a tenant without types");
	api(&r, "POST", "/api/interventions/dry-run", fe.key, "{\"user_id\":\"u-e\"}");
	ok(r.status == 200 && strcmp(nz(jstr(&r, "decision.action")), "skip") == 0 &&
	    strcmp(nz(jstr(&r, "decision.reason")), "no_active_action_types") == 0,
	    "dry-run with no action types: skip, no_active_action_types (%s)", r.body);
	resp_free(&r);
}

/* Two customers of one partner: the first's outcomes shift the second's prior. */
static void
test_partner_pool(void)
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
	ok(register_type(c1.key, "offer_a", "loyalty", SCHEMA_EMAIL, NULL, 0) == 201 &&
	    register_type(c1.key, "offer_b", "loyalty", SCHEMA_EMAIL, NULL, 0) == 201 &&
	    register_type(c2.key, "offer_a", "loyalty", SCHEMA_EMAIL, NULL, 0) == 201 &&
	    register_type(c2.key, "offer_b", "loyalty", SCHEMA_EMAIL, NULL, 0) == 201 &&
	    make_user(&c1, "pu", now0 - 60, "active", "low", 0.7) == 0 &&
	    make_user(&c2, "pu", now0 - 60, "active", "low", 0.7) == 0, "types and users in both");
	for (k = 0; k < 30; k++) {
		recommend(&r, c1.key, "pu", "\"offer_a\",\"offer_b\"");
		snprintf(id, sizeof(id), "%s", nz(jstr(&r, "decision_id")));
		outcome(c1.key, id, strcmp(nz(jstr(&r, "recommendation.action")), "offer_a") == 0 ?
		    "completed" : "rejected");
		resp_free(&r);
	}
	api(&r, "POST", "/api/interventions/dry-run", c2.key, "{\"user_id\":\"pu\"}");
	for (i = 0; i < len_of(&r, "rules.candidates") && i < 2; i++) {
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
	ok(r.status == 200 && len_of(&r, "decisions") == 0, "the second customer's log is its own");
	resp_free(&r);
	ok(sql_int("SELECT COUNT(*) FROM decision_arms WHERE tenant_id = '%s'", c2.tenant_id) == 0 &&
	    sql_int("SELECT COUNT(*) FROM decision_pool WHERE partner_tenant_id = '%s'",
	    p.tenant_id) >= 1, "the pool holds sums under the partner; the second has no arm");
	/* A standalone tenant with the same types sees no prior. */
	ok(make_user(&ft, "u-flat", now0 - 60, "onboarding", "low", 0.5) == 0, "a user in a fresh bucket");
	api(&r, "POST", "/api/interventions/dry-run", ft.key,
	    "{\"user_id\":\"u-flat\",\"available_actions\":[\"offer_a\",\"discount\"]}");
	ok(r.status == 400, "offer_a is not this tenant's type (%ld)", r.status);
	resp_free(&r);
	api(&r, "POST", "/api/interventions/dry-run", ft.key,
	    "{\"user_id\":\"u-flat\",\"available_actions\":[\"discount\"]}");
	ok(r.status == 200 && dbl(&r, "rules.candidates.0.mean") == 0.5,
	    "a tenant outside the partner keeps the flat prior (%s)", r.body);
	resp_free(&r);
}

/* A churned user returns: the scores job credits the recent decision. */
static void
test_behaviour_credit(void)
{
	char iso[TIME_ISO8601_SIZE], dec[64];
	struct resp r;
	double succ_before;
	char out[64];

	ok(make_user(&ft, "u-back", now0 - 45 * DAY, "churned", "high", 0.9) == 0 &&
	    sql_query(NULL, 0, "UPDATE users SET stage_changed_at = '%s', scored_at = "
	    "stage_changed_at WHERE tenant_id = '%s' AND user_id = 'u-back'",
	    (time_format_sql(now0 - 40 * DAY, iso), iso), ft.tenant_id) == 0,
	    "a churned user, 40 days ago");
	recommend(&r, ft.key, "u-back", "\"send_email\"");
	snprintf(dec, sizeof(dec), "%s", nz(jstr(&r, "decision_id")));
	ok(r.status == 200 && strcmp(nz(jstr(&r, "user_context.lifecycle_stage")), "churned") == 0,
	    "a decision for the churned user");
	resp_free(&r);
	sql_query(out, sizeof(out), "SELECT IFNULL(SUM(succ), 0) FROM decision_arms WHERE "
	    "tenant_id = '%s' AND bucket = 'churned/high/eng_high' AND action_name = 'send_email'",
	    ft.tenant_id);
	succ_before = strtod(out, NULL);
	time_format_iso8601(now0 - 30, iso);
	api(&r, "POST", "/api/events", ft.key,
	    "{\"user_id\":\"u-back\",\"event\":\"page_viewed\",\"timestamp\":\"%s\"}", iso);
	resp_free(&r);
	time_format_iso8601(now0 + 120, iso);
	ok(job_run("scores", "--now %s", iso) == 0 &&
	    strstr(job_output(), "\"decisions_credited\":") != NULL,
	    "scores runs: %s", job_output());
	ok(sql_int("SELECT COUNT(*) FROM stage_transitions WHERE tenant_id = '%s' AND user_id = "
	    "'u-back' AND from_stage = 'churned' AND to_stage = 'recovered'", ft.tenant_id) == 1,
	    "the user recovered");
	ok(sql_int("SELECT COUNT(*) FROM users WHERE tenant_id = '%s' AND user_id = 'u-back' AND "
	    "ABS(engagement_prev - 0.9) < 0.000001 AND ABS(engagement_score - 0.9) > 0.000001",
	    ft.tenant_id) == 1, "engagement_prev keeps the old engagement 0.9");
	ok(sql_int("SELECT COUNT(*) FROM decisions WHERE tenant_id = '%s' AND id = '%s' AND "
	    "behaviour_reward = 1", ft.tenant_id, dec) == 1,
	    "the decision got its behaviour reward");
	sql_query(out, sizeof(out), "SELECT IFNULL(SUM(succ), 0) FROM decision_arms WHERE "
	    "tenant_id = '%s' AND bucket = 'churned/high/eng_high' AND action_name = 'send_email'",
	    ft.tenant_id);
	ok(strtod(out, NULL) >= succ_before + 0.999, "its arm gained a success (%.2f -> %s)",
	    succ_before, out);
	ok(job_run("scores", "--now %s --full", iso) == 0 &&
	    sql_int("SELECT COUNT(*) FROM decisions WHERE tenant_id = '%s' AND id = '%s' AND "
	    "behaviour_reward = 1", ft.tenant_id, dec) == 1, "a rerun credits nothing twice");
	{
		char path[128];

		snprintf(path, sizeof(path), "/api/decisions/%s", dec);
		api(&r, "GET", path, ft.key, NULL);
		ok(dbl(&r, "decision.behaviour_reward") == 1, "the API shows behaviour_reward 1");
		resp_free(&r);
	}
}

void
suite_decisions(void)
{
	char retired[64], path[128];
	struct resp r;

	now0 = (int64_t)time(NULL);
	if (fixture_tenant(&ft, "growth", "standalone") != 0 ||
	    fixture_tenant(&fo, "growth", "standalone") != 0) {
		ok(0, "decisions: fixtures");
		return;
	}
	ok(register_type(ft.key, "grant_points", "loyalty", SCHEMA_POINTS, NULL, 0) == 201 &&
	    register_type(ft.key, "send_email", "messaging", SCHEMA_EMAIL, NULL, 0) == 201 &&
	    register_type(ft.key, "discount", "loyalty", SCHEMA_DISCOUNT, NULL, 0) == 201 &&
	    register_type(ft.key, "retired", "loyalty", SCHEMA_POINTS, retired, sizeof(retired)) == 201 &&
	    register_type(fo.key, "other_only", "loyalty", SCHEMA_EMAIL, NULL, 0) == 201,
	    "decisions: action types");
	snprintf(path, sizeof(path), "/api/external/action-types/%s", retired);
	api(&r, "DELETE", path, ft.key, NULL);
	resp_free(&r);
	ok(make_user(&ft, "u-a", now0 - 60, "active", "low", 0.7) == 0 &&
	    make_user(&ft, "u-idle", now0 - 20 * DAY - 3600, "at_risk", "high", 0.1) == 0 &&
	    make_user(&ft, "u-learn", now0 - 60, "recovered", "medium", 0.45) == 0 &&
	    make_user(&ft, "u-opt", now0 - 60, "active", "low", 0.7) == 0 &&
	    make_user(&ft, "u-pause", now0 - 60, "active", "low", 0.7) == 0 &&
	    make_user(&fo, "u-a", now0 - 60, "active", "low", 0.7) == 0 &&
	    sql_query(NULL, 0, "UPDATE users SET opted_out = 1 WHERE tenant_id = '%s' AND user_id = "
	    "'u-opt'", ft.tenant_id) == 0 &&
	    sql_query(NULL, 0, "UPDATE users SET paused = 1 WHERE tenant_id = '%s' AND user_id = "
	    "'u-pause'", ft.tenant_id) == 0, "decisions: users in their stages");
	test_validation();
	test_scopes();
	test_shape();
	test_opted_out();
	test_learning();
	test_link();
	test_dry_run();
	test_partner_pool();
	test_behaviour_credit();
	if (sql_query(NULL, 0, "UPDATE deliveries SET state = 'failed', last_error = 'test cleanup' "
	    "WHERE tenant_id = '%s' AND state = 'pending'", ft.tenant_id) != 0)
		diag("could not fail the suite's deliveries");
}
