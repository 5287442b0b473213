/*
 * test_actions.c — seed 000 "Actions (Dispatch Log)" and SPEC.md's
 * POST /api/external/actions: validation, the stored action and its queued
 * delivery, get and list with every filter, outcomes (including two at
 * once), scopes, another tenant's ids, and the budget on the action-type
 * list. Sending is suite "dispatch"'s.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "helpers.h"
#include "suites.h"
#include "timeutil.h"

#define SCHEMA "{\"type\":\"object\",\"properties\":{\"amount\":{\"type\":\"integer\"," \
	"\"minimum\":1,\"maximum\":10000},\"reason\":{\"type\":\"string\"}}," \
	"\"required\":[\"amount\"]}"

/* Nothing listens on the discard port: these deliveries are never sent
 * here, and the suite fails them at the end so no later run tries. */
#define HOOK "http://127.0.0.1:9/actions-suite"

static long
register_type(const char *key, const char *name, const char *provider, const char *cost,
    char *id_out, size_t idlen)
{
	return api_create("/api/external/action-types", key, "action_type.id", id_out, idlen,
	    "{\"name\":\"%s\",\"description\":\"d\",\"provider\":\"%s\",\"parameters_schema\":"
	    SCHEMA ",\"delivery_webhook\":\"" HOOK "\",\"estimated_cost_usd\":\"%s\"}",
	    name, provider, cost);
}

/* Dispatches; returns the status, the action id in id_out. */
static long
dispatch(const char *key, const char *type, const char *user, int amount, char *id_out,
    size_t idlen)
{
	return api_create("/api/external/actions", key, "action.id", id_out, idlen,
	    "{\"action_type\":\"%s\",\"user_id\":\"%s\",\"parameters\":{\"amount\":%d}}", type,
	    user, amount);
}

static const struct {
	const char *desc, *field, *body;
} bad_dispatch[] = {
	{ "without action_type", "action_type", "{\"user_id\":\"u\",\"parameters\":{\"amount\":1}}" },
	{ "without user_id", "user_id", "{\"action_type\":\"grant_points\",\"parameters\":{\"amount\":1}}" },
	{ "without parameters", "parameters", "{\"action_type\":\"grant_points\",\"user_id\":\"u\"}" },
	{ "with parameters not an object", "parameters",
	    "{\"action_type\":\"grant_points\",\"user_id\":\"u\",\"parameters\":[1]}" },
	{ "with an empty user_id", "user_id",
	    "{\"action_type\":\"grant_points\",\"user_id\":\"\",\"parameters\":{\"amount\":1}}" },
	{ "with a control character in user_id", "user_id",
	    "{\"action_type\":\"grant_points\",\"user_id\":\"a\\u0001\",\"parameters\":{\"amount\":1}}" },
	{ "with confidence above 1", "confidence", "{\"action_type\":\"grant_points\",\"user_id\":\"u\","
	    "\"parameters\":{\"amount\":1},\"confidence\":1.5}" },
	{ "with confidence as a string", "confidence", "{\"action_type\":\"grant_points\","
	    "\"user_id\":\"u\",\"parameters\":{\"amount\":1},\"confidence\":\"0.8\"}" },
	{ "with reasoning not a string", "reasoning", "{\"action_type\":\"grant_points\","
	    "\"user_id\":\"u\",\"parameters\":{\"amount\":1},\"reasoning\":5}" },
	{ "with an unknown field", "priority", "{\"action_type\":\"grant_points\",\"user_id\":\"u\","
	    "\"parameters\":{\"amount\":1},\"priority\":1}" },
	{ "with an unknown action type", "action_type",
	    "{\"action_type\":\"no_such_type\",\"user_id\":\"u\",\"parameters\":{\"amount\":1}}" },
	{ "with the inactive type", "action_type",
	    "{\"action_type\":\"retired_type\",\"user_id\":\"u\",\"parameters\":{\"amount\":1}}" },
	{ "with amount above the schema's maximum", "parameters",
	    "{\"action_type\":\"grant_points\",\"user_id\":\"u\",\"parameters\":{\"amount\":20000}}" },
	{ "with amount of the wrong type", "parameters",
	    "{\"action_type\":\"grant_points\",\"user_id\":\"u\",\"parameters\":{\"amount\":\"5\"}}" },
	{ "without the schema's required amount", "parameters",
	    "{\"action_type\":\"grant_points\",\"user_id\":\"u\",\"parameters\":{\"reason\":\"x\"}}" },
};

/* The message must also say where in the parameters it failed. */
static const char *const bad_dispatch_needle[] = {
	[10] = "no active action type named no_such_type", [11] = "inactive", [12] = "/amount", [13] = "/amount", [14] = "amount",
};

static void
check_validation(const char *key)
{
	struct resp r;
	size_t i;
	const char *needle;

	for (i = 0; i < sizeof(bad_dispatch) / sizeof(bad_dispatch[0]); i++) {
		api(&r, "POST", "/api/external/actions", key, "%s", bad_dispatch[i].body);
		needle = i < sizeof(bad_dispatch_needle) / sizeof(bad_dispatch_needle[0]) &&
		    bad_dispatch_needle[i] != NULL ? bad_dispatch_needle[i] : bad_dispatch[i].field;
		ok(is_error(&r, 400, bad_dispatch[i].field) && str_is(&r, "field", bad_dispatch[i].field) &&
		    strstr(jstr(&r, "error"), needle) != NULL &&
		    strncmp(jstr(&r, "error"), bad_dispatch[i].field, strlen(bad_dispatch[i].field)) == 0,
		    "dispatch %s: 400 naming %s (%s)", bad_dispatch[i].desc, bad_dispatch[i].field, r.body);
		resp_free(&r);
	}
}

/* The queued delivery of the action, read from the database. */
static void
check_delivery_row(const char *tenant_id, const char *id, int test_mode)
{
	char out[4096];
	struct json_object *body = NULL, *v;

	if (getenv("RETIVO_SQL") == NULL) {
		diag("skipped: the queued-delivery check needs RETIVO_SQL");
		return;
	}
	ok(sql_int("SELECT COUNT(*) FROM deliveries d JOIN action_types t ON t.tenant_id = d.tenant_id "
	    "AND t.name = 'grant_points' WHERE d.tenant_id = '%s' AND d.action_id = '%s' "
	    "AND d.msg_id = '%s' AND d.kind = 'action' AND d.state = 'pending' AND d.attempts = 0 "
	    "AND d.url = t.delivery_webhook AND d.secret_enc = t.webhook_secret_enc", tenant_id, id, id)
	    == 1, "dispatch: one pending delivery to the type's webhook with its sealed secret");
	sql_query(out, sizeof(out), "SELECT body FROM deliveries WHERE action_id = '%s'", id);
	body = json_tokener_parse(out);
	ok(body != NULL && json_object_object_get_ex(body, "action_id", &v) &&
	    strcmp(json_object_get_string(v), id) == 0 &&
	    json_object_object_get_ex(body, "tenant_id", &v) &&
	    strcmp(json_object_get_string(v), tenant_id) == 0 &&
	    json_object_object_get_ex(body, "test_mode", &v) &&
	    json_object_is_type(v, json_type_boolean) && json_object_get_boolean(v) == test_mode &&
	    json_object_object_get_ex(body, "timestamp", &v) &&
	    json_object_object_get_ex(body, "parameters", &v),
	    "dispatch: the queued body carries action_id, tenant_id, parameters, timestamp and "
	    "test_mode=%d (%s)", test_mode, out);
	json_object_put(body);
}

/* Two outcome reports at the same moment: exactly one 200 and one 409. */
static void
check_concurrent_outcome(const char *key, const char *id)
{
	char path[512];
	struct api_call call = { path, "{\"status\":\"completed\"}" };
	long st[2];
	int n200, n409;

	snprintf(path, sizeof(path), "/api/external/actions/%s/outcome", id);
	if (api_together(st, 2, "POST", key, &call, 1) != 0) {
		ok(0, "concurrent outcome: requests sent");
		return;
	}
	n200 = status_count(st, 2, 200);
	n409 = status_count(st, 2, 409);
	ok(n200 == 1 && n409 == 1,
	    "concurrent outcomes for %s: one 200 and one 409 (200s %d, 409s %d, other %d)", id,
	    n200, n409, 2 - n200 - n409);
}

static void
check_outcomes(const struct fixture *f, const struct fixture *g, const char *id,
    const char *const *race_ids, size_t nrace)
{
	struct resp r;
	char path[160];
	size_t i;

	snprintf(path, sizeof(path), "/api/external/actions/%s/outcome", id);
	api(&r, "POST", path, g->key, "{\"status\":\"completed\"}");
	ok(is_error(&r, 404, "action"), "outcome on another tenant's action: 404");
	resp_free(&r);
	api(&r, "POST", path, f->key, "{\"status\":\"done\"}");
	ok(is_error(&r, 400, "status") && str_is(&r, "field", "status") &&
	    strstr(jstr(&r, "error"), "completed, ignored, rejected, partial") != NULL,
	    "outcome with an unknown status: 400 naming status (%s)", r.body);
	resp_free(&r);
	api(&r, "POST", path, f->key, "{}");
	ok(is_error(&r, 400, "status") && str_is(&r, "code", "missing_field"),
	    "outcome without status: 400");
	resp_free(&r);
	api(&r, "POST", path, f->key, "{\"status\":\"partial\",\"result\":\"yes\"}");
	ok(is_error(&r, 400, "result") && str_is(&r, "field", "result"),
	    "outcome with result not an object: 400 naming result");
	resp_free(&r);
	api(&r, "POST", path, f->key, "{\"status\":\"partial\",\"result\":{\"points\":250}}");
	ok(r.status == 200 && json_object_get_boolean(jget(&r, "recorded")) &&
	    str_is(&r, "action_id", id) && str_is(&r, "outcome_status", "partial"),
	    "outcome: 200 {recorded, action_id, outcome_status} (%s)", r.body);
	resp_free(&r);
	api(&r, "POST", path, f->key, "{\"status\":\"completed\"}");
	ok(is_error(&r, 409, "already"), "a second outcome: 409 (%s)", r.body);
	resp_free(&r);
	snprintf(path, sizeof(path), "/api/external/actions/%s", id);
	api(&r, "GET", path, f->key, NULL);
	ok(r.status == 200 && str_is(&r, "action.status", "completed") &&
	    jstr(&r, "action.completed_at") != NULL && str_is(&r, "action.outcome.status", "partial") &&
	    jint(&r, "action.outcome.result.points") == 250 &&
	    jstr(&r, "action.outcome.reported_at") != NULL,
	    "the action is completed and shows the first outcome (%s)", r.body);
	resp_free(&r);
	api(&r, "POST", "/api/external/actions/ea_nope/outcome", f->key, "{\"status\":\"completed\"}");
	ok(is_error(&r, 404, NULL), "outcome on an unknown id: 404");
	resp_free(&r);
	for (i = 0; i < nrace; i++)
		check_concurrent_outcome(f->key, race_ids[i]);
}

static void
check_list(const struct fixture *f, const struct fixture *g, const char *const *ids, size_t n)
{
	struct resp r;
	char path[256], cursor[64] = "";
	static const struct {
		const char *query, *field;
	} bad[] = {
		{ "limit=0", "limit" }, { "limit=101", "limit" }, { "limit=ten", "limit" },
		{ "since=yesterday", "since" }, { "since=2026-13-01T00:00:00Z", "since" },
		{ "status=sent", "status" }, { "state=pending", "state" },
		{ "cursor=ea_AAAAAAAAAAAAAAAAAAAAAAAA", "cursor" },
	};
	size_t i;

	api(&r, "GET", "/api/external/actions", f->key, NULL);
	ok(r.status == 200 && jlen(&r, "actions") == n && str_is(&r, "actions.0.id", ids[n - 1]) &&
	    str_is(&r, "actions.1.id", ids[n - 2]), "list: the tenant's %zu actions, newest first", n);
	resp_free(&r);
	api(&r, "GET", "/api/external/actions?provider=badgeville", f->key, NULL);
	ok(r.status == 200 && jlen(&r, "actions") == 1 &&
	    str_is(&r, "actions.0.action_type", "award_badge"), "list: provider filter");
	resp_free(&r);
	api(&r, "GET", "/api/external/actions?user_id=user-2", f->key, NULL);
	ok(r.status == 200 && jlen(&r, "actions") == 2 && str_is(&r, "actions.0.user_id", "user-2") &&
	    str_is(&r, "actions.1.user_id", "user-2"), "list: user_id filter");
	resp_free(&r);
	api(&r, "GET", "/api/external/actions?status=completed", f->key, NULL);
	ok(r.status == 200 && jlen(&r, "actions") == 0, "list: status=completed before any outcome");
	resp_free(&r);
	api(&r, "GET", "/api/external/actions?status=pending&provider=smile-io&user_id=user-2",
	    f->key, NULL);
	ok(r.status == 200 && jlen(&r, "actions") == 1, "list: filters combine");
	resp_free(&r);
	api(&r, "GET", "/api/external/actions?since=2000-01-01T00:00:00Z", f->key, NULL);
	ok(r.status == 200 && jlen(&r, "actions") == n, "list: since in the past keeps all");
	resp_free(&r);
	api(&r, "GET", "/api/external/actions?since=2999-01-01T00:00:00Z", f->key, NULL);
	ok(r.status == 200 && jlen(&r, "actions") == 0, "list: since in the future keeps none");
	resp_free(&r);
	api(&r, "GET", "/api/external/actions?limit=2", f->key, NULL);
	ok(r.status == 200 && jlen(&r, "actions") == 2 && json_object_get_boolean(jget(&r, "has_more")) &&
	    str_is(&r, "next_cursor", ids[n - 2]), "list: limit=2 pages with a cursor");
	snprintf(cursor, sizeof(cursor), "%s", nz(jstr(&r, "next_cursor")));
	resp_free(&r);
	snprintf(path, sizeof(path), "/api/external/actions?limit=2&cursor=%s", cursor);
	api(&r, "GET", path, f->key, NULL);
	ok(r.status == 200 && jlen(&r, "actions") == 2 && str_is(&r, "actions.0.id", ids[n - 3]),
	    "list: the next page follows the cursor");
	resp_free(&r);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(path, sizeof(path), "/api/external/actions?%s", bad[i].query);
		api(&r, "GET", path, f->key, NULL);
		ok(is_error(&r, 400, bad[i].field) && str_is(&r, "field", bad[i].field),
		    "list with %s: 400 naming %s (%s)", bad[i].query, bad[i].field, r.body);
		resp_free(&r);
	}
	api(&r, "GET", "/api/external/actions", g->key, NULL);
	ok(r.status == 200 && jlen(&r, "actions") == 0, "list: another tenant sees none of them");
	resp_free(&r);
	snprintf(path, sizeof(path), "/api/external/actions?cursor=%s", ids[0]);
	api(&r, "GET", path, g->key, NULL);
	ok(is_error(&r, 400, "cursor"), "list: another tenant's id as cursor is 400");
	resp_free(&r);
}

static void
check_get(const struct fixture *f, const struct fixture *g, const char *id)
{
	struct resp r;
	char path[160];
	int64_t created, expires;

	snprintf(path, sizeof(path), "/api/external/actions/%s", id);
	api(&r, "GET", path, f->key, NULL);
	ok(r.status == 200 && str_is(&r, "action.id", id), "get: 200");
	ok(jstr(&r, "action.created_at") && jstr(&r, "action.expires_at") &&
	    time_parse_iso8601(jstr(&r, "action.created_at"), &created) == 0 &&
	    time_parse_iso8601(jstr(&r, "action.expires_at"), &expires) == 0 &&
	    expires - created == 86400, "get: expires_at is created_at + the type's ttl (1 day)");
	resp_free(&r);
	api(&r, "GET", path, g->key, NULL);
	ok(is_error(&r, 404, "action"), "get: another tenant's action is 404");
	resp_free(&r);
	api(&r, "GET", "/api/external/actions/ea_AAAAAAAAAAAAAAAAAAAAAAAA", f->key, NULL);
	ok(is_error(&r, 404, "action"), "get: an unknown id is 404");
	resp_free(&r);
	api(&r, "GET", "/api/external/actions/at_AAAAAAAAAAAAAAAAAAAAAAAA", f->key, NULL);
	ok(is_error(&r, 404, "action"), "get: a malformed id is 404");
	resp_free(&r);
}

static void
check_scopes(const char *tenant_id, const char *id)
{
	char read_key[64], ingest_key[64], manage_key[64], path[160];
	struct resp r;

	if (!ok(fixture_key(tenant_id, "live", "read", read_key, sizeof(read_key)) == 0 &&
	    fixture_key(tenant_id, "live", "ingest", ingest_key, sizeof(ingest_key)) == 0 &&
	    fixture_key(tenant_id, "live", "manage", manage_key, sizeof(manage_key)) == 0,
	    "scopes: keys"))
		return;
	api(&r, "POST", "/api/external/actions", read_key,
	    "{\"action_type\":\"grant_points\",\"user_id\":\"u\",\"parameters\":{\"amount\":1}}");
	ok(is_error(&r, 403, "scope"), "a read key may not dispatch: 403");
	resp_free(&r);
	snprintf(path, sizeof(path), "/api/external/actions/%s/outcome", id);
	api(&r, "POST", path, read_key, "{\"status\":\"completed\"}");
	ok(is_error(&r, 403, "scope"), "a read key may not report an outcome: 403");
	resp_free(&r);
	api(&r, "GET", "/api/external/actions", read_key, NULL);
	ok(r.status == 200, "a read key may list");
	resp_free(&r);
	snprintf(path, sizeof(path), "/api/external/actions/%s", id);
	api(&r, "GET", path, read_key, NULL);
	ok(r.status == 200, "a read key may get one");
	resp_free(&r);
	api(&r, "GET", "/api/external/actions", ingest_key, NULL);
	ok(is_error(&r, 403, "scope"), "an ingest key may not list: 403");
	resp_free(&r);
	api(&r, "POST", "/api/external/actions", ingest_key,
	    "{\"action_type\":\"grant_points\",\"user_id\":\"u\",\"parameters\":{\"amount\":1}}");
	ok(is_error(&r, 403, "scope"), "an ingest key may not dispatch: 403");
	resp_free(&r);
	ok(dispatch(manage_key, "grant_points", "user-9", 9, NULL, 0) == 201,
	    "a manage key may dispatch");
}

/* Budget after 6 live grant_points (0.05), 1 live award_badge (0.10), 1 test grant_points. */
static void
check_budget(const struct fixture *f, const struct fixture *g)
{
	struct resp r;
	char today[TIME_ISO8601_SIZE];

	time_format_iso8601(time_now(), today);
	today[10] = '\0';
	api(&r, "GET", "/api/external/action-types", f->key, NULL);
	ok(r.status == 200 && jget(&r, "action_types") != NULL && jget(&r, "has_more") != NULL,
	    "budget: the list keeps its keys");
	ok(str_is(&r, "budget.date", today), "budget: today's UTC date (%s)", r.body);
	ok(str_is(&r, "budget.spent_usd", "0.40") &&
	    str_is(&r, "budget.by_action_type.grant_points", "0.30") &&
	    str_is(&r, "budget.by_action_type.award_badge", "0.10") &&
	    str_is(&r, "budget.test_mode_spent_usd", "0.05"),
	    "budget: 6 x 0.05 + 1 x 0.10 live, 0.05 in test mode (%s)",
	    json_object_to_json_string(jget(&r, "budget")));
	resp_free(&r);
	api(&r, "GET", "/api/external/action-types", g->key, NULL);
	ok(r.status == 200 && str_is(&r, "budget.spent_usd", "0.00") &&
	    json_object_object_length(jget(&r, "budget.by_action_type")) == 0,
	    "budget: another tenant's spend is its own");
	resp_free(&r);
}

void
suite_actions(void)
{
	struct fixture f, g;
	struct resp r;
	char type_id[64], retired[64], test_key[64], ids[8][64], tid[64], race[3][64], path[160];
	const char *race_ids[3] = { race[0], race[1], race[2] };

	if (!ok(fixture_tenant(&f, "growth", "standalone") == 0 &&
	    fixture_tenant(&g, "growth", "standalone") == 0 &&
	    fixture_key(f.tenant_id, "test", "full", test_key, sizeof(test_key)) == 0,
	    "actions: fixtures"))
		return;
	ok(register_type(f.key, "grant_points", "smile-io", "0.05", type_id, sizeof(type_id)) == 201 &&
	    register_type(f.key, "award_badge", "badgeville", "0.10", NULL, 0) == 201 &&
	    register_type(f.key, "retired_type", "smile-io", "1.00", retired, sizeof(retired)) == 201,
	    "actions: three action types");
	snprintf(path, sizeof(path), "/api/external/action-types/%s", retired);
	api(&r, "DELETE", path, f.key, NULL);
	ok(r.status == 200, "actions: one type deactivated");
	resp_free(&r);

	check_validation(f.key);
	ok(dispatch(g.key, "grant_points", "u", 1, NULL, 0) == 400,
	    "dispatch naming another tenant's type: 400");

	api(&r, "POST", "/api/external/actions", f.key,
	    "{\"action_type\":\"grant_points\",\"user_id\":\"user-1\",\"parameters\":"
	    "{\"amount\":500,\"reason\":\"re-engagement bonus\"},\"reasoning\":\"quiet for 14 days\","
	    "\"confidence\":0.82}");
	ok(r.status == 201, "dispatch: 201 (%s)", r.body);
	snprintf(ids[0], sizeof(ids[0]), "%s", nz(jstr(&r, "action.id")));
	ok(strncmp(ids[0], "ea_", 3) == 0 && str_is(&r, "action.status", "pending") &&
	    str_is(&r, "action.action_type", "grant_points") &&
	    str_is(&r, "action.action_type_id", type_id) && str_is(&r, "action.provider", "smile-io") &&
	    str_is(&r, "action.user_id", "user-1") && jint(&r, "action.parameters.amount") == 500 &&
	    str_is(&r, "action.reasoning", "quiet for 14 days") &&
	    json_object_get_double(jget(&r, "action.confidence")) == 0.82 &&
	    json_object_is_type(jget(&r, "action.test_mode"), json_type_boolean) &&
	    !json_object_get_boolean(jget(&r, "action.test_mode")) &&
	    str_is(&r, "action.estimated_cost_usd", "0.05") && jget(&r, "action.outcome") == NULL &&
	    jget(&r, "action.dispatched_at") == NULL && jint(&r, "action.attempts") == 0,
	    "dispatch: the action as stored (%s)", r.body);
	resp_free(&r);
	check_delivery_row(f.tenant_id, ids[0], 0);

	ok(dispatch(test_key, "grant_points", "user-t", 3, tid, sizeof(tid)) == 201,
	    "dispatch with a test key: 201");
	api(&r, "GET", "/api/external/actions?user_id=user-t", f.key, NULL);
	ok(r.status == 200 && json_object_get_boolean(jget(&r, "actions.0.test_mode")),
	    "a test key's action is marked test_mode");
	resp_free(&r);
	check_delivery_row(f.tenant_id, tid, 1);

	/* ids[0..5]: user-1 grant, user-2 badge, user-2 grant, then three more. */
	ok(dispatch(f.key, "award_badge", "user-2", 2, ids[1], sizeof(ids[1])) == 201 &&
	    dispatch(f.key, "grant_points", "user-2", 3, ids[2], sizeof(ids[2])) == 201 &&
	    dispatch(f.key, "grant_points", "user-3", 4, race[0], sizeof(race[0])) == 201 &&
	    dispatch(f.key, "grant_points", "user-3", 5, race[1], sizeof(race[1])) == 201 &&
	    dispatch(f.key, "grant_points", "user-3", 6, race[2], sizeof(race[2])) == 201,
	    "dispatch: five more actions");
	/* In list order (oldest first), the test-mode one included. */
	{
		const char *order[8] = { ids[0], tid, ids[1], ids[2], race[0], race[1], race[2] };

		check_list(&f, &g, order, 7);
	}
	check_get(&f, &g, ids[0]);
	check_outcomes(&f, &g, ids[0], race_ids, 3);
	api(&r, "GET", "/api/external/actions?status=completed", f.key, NULL);
	ok(r.status == 200 && jlen(&r, "actions") == 4, "list: status=completed after outcomes");
	resp_free(&r);
	check_scopes(f.tenant_id, ids[1]);
	check_budget(&f, &g);

	/* Leave nothing for the dispatch suite's runs to send. */
	if (sql_query(NULL, 0, "UPDATE deliveries SET state = 'failed', last_error = 'test cleanup' "
	    "WHERE tenant_id IN ('%s', '%s') AND state = 'pending'", f.tenant_id, g.tenant_id) != 0)
		diag("could not fail the suite's deliveries");
}
