/*
 * test_activities_dispatch.c — the activities suite's second half: the
 * activity settings routes, creation-time target and attribute resolution
 * (rules, fallbacks, upfront policies, caller overrides, UNRESOLVED), and
 * retivo-activities driven with --now together with retivo-dispatch and
 * the loopback receiver: due READY activities become signed
 * activity.dispatched deliveries and DISPATCHED, dispatch-time targets and
 * attributes (commerce attributes, the latest event) are resolved, a
 * canceled one is left alone, an unresolvable one becomes UNRESOLVED and
 * returns through READY once its commerce is fixed, a job killed after
 * its claim leaves the work to the next run, two job hosts at once
 * dispatch each activity once, a finally failing delivery makes the
 * activity FAILED, and the provider's results finish the lifecycle.
 *
 * Times come from the first activity's createdAt, so the job's --now
 * moves with the real clock and nothing sleeps.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "activities_helpers.h"
#include "client.h"
#include "helpers.h"
#include "receiver_client.h"
#include "suites.h"
#include "timeutil.h"

static const struct fixture *F;
static char c_shop[64], c_unres[64];

/* The activity's status (static buffer; "" when it cannot be read). */
static const char *
status_of(const char *key, const char *id)
{
	char path[128];

	snprintf(path, sizeof(path), "/api/activities/%s", id);
	return api_get_field(key, path, "status");
}
static void
check_settings(const struct fixture *g)
{
	struct resp r;

	api(&r, "GET", "/api/activities/settings", F->key, NULL);
	ok(r.status == 200 && strcmp(jstr(&r, "settings.resolution_time"), "dispatch") == 0 &&
	    json_object_array_length(jget(&r, "settings.provider.endpoint_ids")) == 0 &&
	    json_object_array_length(jget(&r, "settings.attribute_policies")) == 0,
	    "settings: defaults (resolution at dispatch, no policies, no provider), not shadowed "
	    "by /api/activities/:id (%s)", r.body);
	resp_free(&r);
	api(&r, "PUT", "/api/activities/settings", F->key, "{\"resolution_time\":\"later\"}");
	ok(r.status == 400 && strcmp(jstr(&r, "field"), "resolution_time") == 0,
	    "settings: a bad resolution_time is 400 naming it (%ld)", r.status);
	resp_free(&r);
	api(&r, "PUT", "/api/activities/settings", F->key, "{\"attribute_policies\":[{\"key\":"
	    "\"k\",\"source\":\"event_data\"}]}");
	ok(r.status == 400 && strcmp(jstr(&r, "field"), "attribute_policies[0].path") == 0,
	    "settings: a policy without path is 400 naming it (%s)", r.body);
	resp_free(&r);
	api(&r, "PUT", "/api/activities/settings", F->key, "{\"target_criteria\":[{\"type\":"
	    "\"owner\"}]}");
	ok(r.status == 200 && strcmp(jstr(&r, "settings.target_criteria.0.type"), "owner") == 0,
	    "settings: PUT replaces the keys given (%ld)", r.status);
	resp_free(&r);
	api(&r, "PATCH", "/api/activities/settings", F->key, "{\"target_criteria\":[]}");
	ok(r.status == 200 && json_object_array_length(jget(&r, "settings.target_criteria")) == 0,
	    "settings: PATCH too (%ld)", r.status);
	resp_free(&r);
	api(&r, "GET", "/api/activities/settings", g->key, NULL);
	ok(r.status == 200 && json_object_array_length(jget(&r, "settings.target_criteria")) == 0,
	    "settings: per tenant (%ld)", r.status);
	resp_free(&r);
}

#define CONTACTS "\"contacts\":[{\"id\":\"c-ana\",\"name\":\"Ana\",\"role\":\"manager\"," \
	"\"channels\":{\"whatsapp\":\"+51911\"},\"last_contacted_at\":{\"whatsapp\":" \
	"\"2026-03-01T10:00:00Z\"}},{\"id\":\"c-beto\",\"name\":\"Beto\",\"role\":\"seller\"," \
	"\"is_sales_rep\":true,\"channels\":{\"phone\":\"+51922\"}},{\"id\":\"c-cora\"," \
	"\"name\":\"Cora\",\"is_owner\":true,\"channels\":{\"email\":\"cora@sol.pe\"}}]"

/* Creation-time resolution on tenant c. */
static void
check_creation_time(const struct fixture *c)
{
	struct resp r;
	char shop[64], empty[64], id[64];

	api(&r, "PUT", "/api/activities/settings", c->key, "{\"resolution_time\":\"creation\","
	    "\"attribute_policies\":[{\"key\":\"city\",\"source\":\"commerce_attribute\",\"path\":"
	    "\"address.city\",\"resolve\":\"upfront\"},{\"key\":\"zone\",\"source\":"
	    "\"commerce_attribute\",\"path\":\"zone\",\"resolve\":\"upfront\"},{\"key\":\"promo\","
	    "\"source\":\"static\",\"value\":\"SPRING\",\"resolve\":\"upfront\"}]}");
	ok(r.status == 200, "creation: settings stored (%ld)", r.status);
	resp_free(&r);
	if (commerce_fixture(c->key, "{\"name\":\"Sol\",\"attributes\":{\"address\":{\"city\":"
	    "\"Lima\"}}," CONTACTS "}", shop) != 0 ||
	    commerce_fixture(c->key, "{\"name\":\"Nobody\"}", empty) != 0) {
		ok(0, "creation: commerces");
		return;
	}
	snprintf(c_shop, sizeof(c_shop), "%s", shop);
	api(&r, "POST", "/api/activities", c->key, "{\"type\":\"MESSAGE\",\"reason\":\"r\","
	    "\"channel\":\"WHATSAPP\",\"commerce_id\":\"%s\",\"idempotency_key\":\"cr-1\","
	    "\"scheduled_at\":\"2030-01-01T00:00:00Z\",\"target_criteria\":[{\"type\":\"role\","
	    "\"config\":{\"role\":\"MANAGER\"}}],\"attribute_keys\":[\"city\",\"promo\"]}", shop);
	ok(r.status == 201 && strcmp(jstr(&r, "status"), "READY") == 0 &&
	    strcmp(jstr(&r, "targets.0.contactId"), "c-ana") == 0 &&
	    strcmp(jstr(&r, "targets.0.rule"), "role") == 0 &&
	    strcmp(jstr(&r, "targets.0.address"), "+51911") == 0 &&
	    strcmp(jstr(&r, "attributes.city"), "Lima") == 0 &&
	    strcmp(jstr(&r, "attributes.promo"), "SPRING") == 0 && jget(&r, "unresolved") == NULL,
	    "creation: role rule picks the manager; upfront commerce and static policies (%s)", r.body);
	resp_free(&r);
	api(&r, "POST", "/api/activities", c->key, "{\"type\":\"TASK\",\"reason\":\"r\","
	    "\"channel\":\"CALLCENTER\",\"commerce_id\":\"%s\",\"idempotency_key\":\"cr-2\","
	    "\"scheduled_at\":\"2030-01-01T00:00:00Z\",\"target_criteria\":[{\"type\":\"role\","
	    "\"config\":{\"role\":\"ceo\"}}]}", shop);
	ok(r.status == 201 && strcmp(jstr(&r, "targets.0.contactId"), "c-beto") == 0 &&
	    strcmp(jstr(&r, "targets.0.rule"), "fallback_sales_rep") == 0,
	    "creation: no role match falls back to the sales rep (%s)", r.body);
	resp_free(&r);
	api(&r, "POST", "/api/activities", c->key, "{\"type\":\"MESSAGE\",\"reason\":\"r\","
	    "\"channel\":\"EMAIL\",\"commerce_id\":\"%s\",\"idempotency_key\":\"cr-3\","
	    "\"scheduled_at\":\"2030-01-01T00:00:00Z\"}", shop);
	ok(r.status == 201 && strcmp(jstr(&r, "targets.0.contactId"), "c-cora") == 0 &&
	    strcmp(jstr(&r, "targets.0.rule"), "fallback_owner") == 0,
	    "creation: sales rep unreachable by email: the owner (%s)", r.body);
	resp_free(&r);
	api(&r, "POST", "/api/activities", c->key, "{\"type\":\"MESSAGE\",\"reason\":\"r\","
	    "\"channel\":\"WHATSAPP\",\"commerce_id\":\"%s\",\"idempotency_key\":\"cr-4\","
	    "\"scheduled_at\":\"2030-01-01T00:00:00Z\",\"target_criteria\":[{\"type\":"
	    "\"last_contacted_channel\"}]}", shop);
	ok(r.status == 201 && strcmp(jstr(&r, "targets.0.contactId"), "c-ana") == 0 &&
	    strcmp(jstr(&r, "targets.0.rule"), "last_contacted_channel") == 0,
	    "creation: last contacted on the same channel (%s)", r.body);
	resp_free(&r);
	api(&r, "POST", "/api/activities", c->key, "{\"type\":\"MESSAGE\",\"reason\":\"r\","
	    "\"channel\":\"PUSH\",\"commerce_id\":\"%s\",\"idempotency_key\":\"cr-5\","
	    "\"scheduled_at\":\"2030-01-01T00:00:00Z\"}", shop);
	ok(r.status == 201 && strcmp(jstr(&r, "status"), "UNRESOLVED") == 0 &&
	    strcmp(jstr(&r, "unresolved.0.kind"), "target") == 0 &&
	    json_object_array_length(jget(&r, "targets")) == 0,
	    "creation: nobody reachable by push: 201 UNRESOLVED with reasons (%s)", r.body);
	resp_free(&r);
	api(&r, "POST", "/api/activities", c->key, "{\"type\":\"TASK\",\"reason\":\"r\","
	    "\"channel\":\"SALESMAN\",\"commerce_id\":\"%s\",\"idempotency_key\":\"cr-6\","
	    "\"scheduled_at\":\"2030-01-01T00:00:00Z\",\"attribute_keys\":[\"zone\"]}", shop);
	ok(r.status == 201 && strcmp(jstr(&r, "status"), "UNRESOLVED") == 0 &&
	    strcmp(jstr(&r, "unresolved.0.kind"), "attribute") == 0 &&
	    strcmp(jstr(&r, "unresolved.0.key"), "zone") == 0,
	    "creation: an upfront key without value or fallback: UNRESOLVED listing it (%s)", r.body);
	snprintf(c_unres, sizeof(c_unres), "%s", nz(jstr(&r, "id")));
	resp_free(&r);
	api(&r, "POST", "/api/activities", c->key, "{\"type\":\"TASK\",\"reason\":\"r\","
	    "\"channel\":\"SALESMAN\",\"commerce_id\":\"%s\",\"idempotency_key\":\"cr-7\","
	    "\"scheduled_at\":\"2030-01-01T00:00:00Z\",\"attribute_keys\":[\"zone\",\"city\"],"
	    "\"attributes\":[{\"key\":\"zone\",\"fallback\":\"north\"},{\"key\":\"city\","
	    "\"value\":\"Cusco\"}]}", shop);
	ok(r.status == 201 && strcmp(jstr(&r, "status"), "READY") == 0 &&
	    strcmp(jstr(&r, "attributes.zone"), "north") == 0 &&
	    strcmp(jstr(&r, "attributes.city"), "Cusco") == 0,
	    "creation: caller value and caller fallback win over policies (%s)", r.body);
	resp_free(&r);
	if (activity_fixture(c->key, empty, "cr-8", "\"type\":\"TASK\",\"channel\":\"SALESMAN\","
	    "\"scheduled_at\":\"2030-01-01T00:00:00Z\"", id, NULL) == 0)
		ok(strcmp(status_of(c->key, id), "UNRESOLVED") == 0,
		    "creation: a commerce without contacts: UNRESOLVED");
}

/* The receiver's request for activity id on path, or NULL (new ref). */
static struct json_object *
received(const char *path, const char *id, int *count)
{
	struct json_object *log = receiver_log(path), *e, *body, *found = NULL;
	const char *text;
	size_t i;

	*count = 0;
	for (i = 0; log != NULL && i < json_object_array_length(log); i++) {
		e = json_object_array_get_idx(log, i);
		text = json_object_get_string(json_object_object_get(e, "body"));
		if (text == NULL || (body = json_tokener_parse(text)) == NULL)
			continue;
		if (strcmp(json_object_get_string(json_object_object_get(
		    json_object_object_get(body, "data"), "id")), id) == 0) {
			(*count)++;
			json_object_object_add(body, "_signature_ok", json_object_get(
			    json_object_object_get(e, "signature_ok")));
			json_object_put(found);
			found = body;
		} else
			json_object_put(body);
	}
	json_object_put(log);
	return found;
}

static long long
deliveries_of(const char *id)
{
	return sql_int("SELECT COUNT(*) FROM deliveries WHERE kind = 'activity' AND action_id = '%s'",
	    id);
}

/* A tenant with a provider endpoint at the receiver's path; 0 or -1. */
static int
provider(const struct fixture *t, const char *path, const char *more_settings)
{
	struct resp r;
	char wh[64];
	int rc;

	api(&r, "POST", "/api/webhooks/endpoints", t->key, "{\"url\":\"%s\","
	    "\"subscribed_events\":[\"*\"]}", receiver_url(path));
	if (r.status != 201 || jstr(&r, "secret") == NULL ||
	    receiver_secret(path, jstr(&r, "secret")) != 0) {
		diag("provider: %ld %s", r.status, r.body);
		resp_free(&r);
		return -1;
	}
	snprintf(wh, sizeof(wh), "%s", jstr(&r, "endpoint.id"));
	resp_free(&r);
	api(&r, "PUT", "/api/activities/settings", t->key, "{\"provider\":{\"endpoint_ids\":"
	    "[\"%s\"]}%s}", wh, more_settings);
	rc = r.status == 200 ? 0 : -1;
	if (rc != 0)
		diag("provider settings: %ld %s", r.status, r.body);
	resp_free(&r);
	return rc;
}

/*
 * Deleting the only provider endpoint while an activity's delivery is
 * still pending fails that activity (it would otherwise stay DISPATCHED
 * for ever), the same move as a delivery that finally failed.
 */
static void
check_endpoint_deleted(void)
{
	struct fixture T;
	struct resp r;
	char shop[64], id[64], wh[64], path[160];

	if (!ok(fixture_tenant(&T, "scale", "standalone") == 0 && provider(&T, "/del", "") == 0 &&
	    commerce_fixture(T.key, "{\"name\":\"Del\"," CONTACTS "}", shop) == 0 &&
	    activity_fixture(T.key, shop, "del", "\"type\":\"TASK\",\"channel\":\"SALESMAN\","
	    "\"scheduled_at\":\"2020-01-01T00:00:00Z\"", id, NULL) == 0,
	    "endpoint deleted: tenant, provider, commerce and a due activity"))
		return;
	job_run("activities", "--now 2030-01-01T00:00:00Z");
	ok(strcmp(status_of(T.key, id), "DISPATCHED") == 0 && deliveries_of(id) == 1,
	    "endpoint deleted: the activity is DISPATCHED with one pending delivery (%s)",
	    job_output());
	api(&r, "GET", "/api/activities/settings", T.key, NULL);
	snprintf(wh, sizeof(wh), "%s", nz(jstr(&r, "settings.provider.endpoint_ids.0")));
	resp_free(&r);
	snprintf(path, sizeof(path), "/api/webhooks/endpoints/%s", wh);
	api(&r, "DELETE", path, T.key, NULL);
	ok(r.status == 200, "endpoint deleted: DELETE %s (%ld %s)", path, r.status, r.body);
	resp_free(&r);
	ok(strcmp(status_of(T.key, id), "FAILED") == 0,
	    "endpoint deleted: its pending delivery failed, so did the activity (%s)",
	    status_of(T.key, id));
}

void
activities_dispatch_checks(const struct fixture *f, const struct fixture *g)
{
	struct fixture C, D, E;
	struct json_object *got;
	struct resp r;
	char shop[64], bare[64], gone[64], k[64], a[64], b[64], c[64], d[64], e[64], path[160];
	char many[6][64], idem[32];
	int64_t t;
	int n, i, st;

	F = f;
	check_settings(g);
	if (fixture_tenant(&C, "scale", "standalone") != 0 ||
	    fixture_tenant(&D, "scale", "standalone") != 0 ||
	    fixture_tenant(&E, "scale", "standalone") != 0) {
		ok(0, "dispatch: fixtures");
		return;
	}
	check_creation_time(&C);
	if (!ok(receiver_start() > 0, "dispatch: the receiver runs") ||
	    !ok(provider(&D, "/act", ",\"attribute_policies\":[{\"key\":\"tier\",\"source\":"
	    "\"commerce_attribute\",\"path\":\"tier\"},{\"key\":\"last_total\",\"source\":"
	    "\"event_data\",\"path\":\"total\",\"event\":\"order\"}]") == 0 &&
	    provider(&E, "/gone", "") == 0 && receiver_script("/gone", "[{\"status\":410}]") == 0,
	    "dispatch: provider endpoints configured") ||
	    commerce_fixture(D.key, "{\"name\":\"Sol\",\"external_id\":\"shop-d-1\",\"attributes\":"
	    "{\"tier\":\"gold\"}," CONTACTS "}", shop) != 0 ||
	    commerce_fixture(D.key, "{\"name\":\"Bare\"}", bare) != 0 ||
	    commerce_fixture(E.key, "{\"name\":\"Gone\"," CONTACTS "}", gone) != 0)
		return;
	api(&r, "POST", "/api/events", D.key, "{\"user_id\":\"shop-d-1\",\"event\":\"order\","
	    "\"properties\":{\"total\":42}}");
	ok(r.status == 200, "dispatch: an order event for the commerce (%ld)", r.status);
	resp_free(&r);

	/* A job killed right after its claim: the next run within the lease
	 * leaves the row alone, a run after it dispatches it once. */
	if (activity_fixture(D.key, shop, "k", "\"type\":\"TASK\",\"channel\":\"SALESMAN\","
	    "\"scheduled_at\":\"2020-01-01T00:00:00Z\"", k, NULL) != 0)
		return;
	snprintf(path, sizeof(path), "/api/activities/%s", k);
	api(&r, "GET", path, D.key, NULL);
	if (r.status != 200 || jstr(&r, "createdAt") == NULL ||
	    time_parse_iso8601(jstr(&r, "createdAt"), &t) != 0) {
		ok(0, "dispatch: first activity (%s)", r.body);
		resp_free(&r);
		return;
	}
	resp_free(&r);
	st = job_run_at("activities", t, "--exit-after-claim");
	ok(st == 0 && strcmp(status_of(D.key, k), "READY") == 0 &&
	    sql_int("SELECT claim_owner IS NOT NULL FROM activities WHERE id = '%s'", k) == 1,
	    "killed job: claimed, still READY (%s)", job_output());
	job_run_at("activities", t + 10, NULL);
	ok(strcmp(status_of(D.key, k), "READY") == 0 && deliveries_of(k) == 0,
	    "killed job: another run within the lease leaves it (%s)", job_output());

	if (activity_fixture(D.key, shop, "a", "\"type\":\"MESSAGE\",\"channel\":\"WHATSAPP\","
	    "\"scheduled_at\":\"2020-01-01T00:00:00Z\",\"attribute_keys\":[\"tier\",\"last_total\"],"
	    "\"attributes\":[{\"key\":\"greeting\",\"value\":\"Hola\"}]", a, NULL) != 0 ||
	    activity_fixture(D.key, shop, "b", "\"type\":\"TASK\",\"channel\":\"SALESMAN\","
	    "\"scheduled_at\":\"2099-01-01T00:00:00Z\"", b, NULL) != 0 ||
	    activity_fixture(D.key, shop, "c", "\"type\":\"TASK\",\"channel\":\"SALESMAN\","
	    "\"scheduled_at\":\"2020-01-01T00:00:00Z\"", c, NULL) != 0 ||
	    activity_fixture(D.key, bare, "d", "\"type\":\"TASK\",\"channel\":\"SALESMAN\","
	    "\"scheduled_at\":\"2020-01-01T00:00:00Z\"", d, NULL) != 0 ||
	    activity_fixture(E.key, gone, "e", "\"type\":\"TASK\",\"channel\":\"SALESMAN\","
	    "\"scheduled_at\":\"2020-01-01T00:00:00Z\"", e, NULL) != 0)
		return;
	snprintf(path, sizeof(path), "/api/activities/%s/cancel", c);
	api(&r, "POST", path, D.key, "{}");
	resp_free(&r);
	st = job_run_at("activities", t + 120, NULL);
	ok(st == 0 && strcmp(status_of(D.key, k), "DISPATCHED") == 0 && deliveries_of(k) == 1,
	    "killed job: the run after the lease dispatches it, once (%s)", job_output());
	ok(strcmp(status_of(D.key, a), "DISPATCHED") == 0 && deliveries_of(a) == 1,
	    "job: a due READY activity is DISPATCHED with one delivery");
	ok(strcmp(status_of(D.key, b), "READY") == 0 && deliveries_of(b) == 0,
	    "job: one scheduled later is left READY");
	ok(strcmp(status_of(D.key, c), "CANCELED") == 0 && deliveries_of(c) == 0,
	    "job: a canceled one is not dispatched");
	snprintf(path, sizeof(path), "/api/activities/%s", d);
	api(&r, "GET", path, D.key, NULL);
	ok(strcmp(jstr(&r, "status"), "UNRESOLVED") == 0 &&
	    strcmp(jstr(&r, "unresolved.0.kind"), "target") == 0 && deliveries_of(d) == 0,
	    "job: a commerce without contacts at dispatch: UNRESOLVED with the reason (%s)", r.body);
	resp_free(&r);
	snprintf(path, sizeof(path), "/api/activities/%s/cancel", a);
	api(&r, "POST", path, D.key, "{}");
	ok(r.status == 409, "cancel: a DISPATCHED activity is 409 (%ld)", r.status);
	resp_free(&r);

	st = job_run_at("dispatch", t + 120, NULL);
	/* The provider answering 410: the delivery fails for good, so does the activity. */
	ok(strcmp(status_of(E.key, e), "FAILED") == 0,
	    "failure: a finally failed delivery makes the activity FAILED (%s)", job_output());
	got = received("/act", a, &n);
	ok(st == 0 && got != NULL && n == 1 &&
	    json_object_get_boolean(json_object_object_get(got, "_signature_ok")) &&
	    strcmp(json_object_get_string(json_object_object_get(got, "type")),
	    "activity.dispatched") == 0,
	    "delivery: one signed activity.dispatched request for the activity (%s)", job_output());
	if (got != NULL) {
		struct json_object *data = json_object_object_get(got, "data"), *t0, *attrs;

		t0 = json_object_array_get_idx(json_object_object_get(data, "targets"), 0);
		attrs = json_object_object_get(data, "attributes");
		ok(t0 != NULL && strcmp(json_object_get_string(json_object_object_get(t0, "contactId")),
		    "c-beto") == 0 && strcmp(json_object_get_string(json_object_object_get(t0,
		    "rule")), "fallback_sales_rep") == 0 &&
		    strcmp(json_object_get_string(json_object_object_get(attrs, "tier")), "gold") == 0 &&
		    json_object_get_int(json_object_object_get(attrs, "last_total")) == 42 &&
		    strcmp(json_object_get_string(json_object_object_get(attrs, "greeting")), "Hola") == 0 &&
		    strcmp(json_object_get_string(json_object_object_get(data, "status")),
		    "DISPATCHED") == 0 &&
		    strcmp(json_object_get_string(json_object_object_get(json_object_object_get(data,
		    "commerce"), "external_id")), "shop-d-1") == 0,
		    "delivery: dispatch-time targets (whatsapp via the sales rep's phone) and "
		    "attributes (commerce, latest event, caller) (%s)", json_object_to_json_string(data));
		json_object_put(got);
	}
	snprintf(path, sizeof(path), "/api/activities/%s/result", a);
	api(&r, "POST", path, D.key, "{\"result\":\"completed\",\"notes\":\"sent\"}");
	ok(r.status == 200 && strcmp(jstr(&r, "status"), "COMPLETED") == 0 &&
	    strcmp(jstr(&r, "result"), "completed") == 0 && strcmp(jstr(&r, "resultNotes"), "sent") == 0,
	    "result: completed -> COMPLETED (%s)", r.body);
	resp_free(&r);
	api(&r, "POST", path, D.key, "{\"result\":\"canceled\"}");
	ok(r.status == 409, "result: a second result is 409 (%ld)", r.status);
	resp_free(&r);
	snprintf(path, sizeof(path), "/api/commerces/%s", shop);
	api(&r, "GET", path, D.key, NULL);
	ok(r.status == 200 && jstr(&r, "commerce.contacts.1.last_contacted_at.whatsapp") != NULL &&
	    jstr(&r, "commerce.contacts.0.last_contacted_at.whatsapp") != NULL &&
	    strcmp(jstr(&r, "commerce.contacts.0.last_contacted_at.whatsapp"),
	    "2026-03-01T10:00:00Z") == 0,
	    "result: completed stamps the target's last_contacted_at on the channel (%s)", r.body);
	resp_free(&r);
	snprintf(path, sizeof(path), "/api/activities/%s/result", k);
	api(&r, "POST", path, D.key, "{\"result\":\"not_executed\"}");
	ok(r.status == 200 && strcmp(jstr(&r, "status"), "FAILED") == 0,
	    "result: not_executed -> FAILED (%ld)", r.status);
	resp_free(&r);

	/* UNRESOLVED -> READY -> DISPATCHED once the commerce has a contact,
	 * retried no sooner than five minutes later. */
	snprintf(path, sizeof(path), "/api/commerces/%s", bare);
	api(&r, "PATCH", path, D.key, "{\"contacts\":[{\"name\":\"Rep\",\"is_sales_rep\":true}]}");
	resp_free(&r);
	job_run_at("activities", t + 200, NULL);
	ok(strcmp(status_of(D.key, d), "UNRESOLVED") == 0, "retry: not before five minutes");
	job_run_at("activities", t + 500, NULL);
	ok(strcmp(status_of(D.key, d), "DISPATCHED") == 0 && deliveries_of(d) == 1,
	    "retry: UNRESOLVED returns and is dispatched once resolvable (%s)", job_output());

	/* Two job hosts at once: each activity is dispatched once. */
	for (i = 0; i < 6; i++) {
		snprintf(idem, sizeof(idem), "many-%d", i);
		if (activity_fixture(D.key, shop, idem, "\"type\":\"TASK\",\"channel\":\"SALESMAN\","
		    "\"scheduled_at\":\"2020-01-01T00:00:00Z\"", many[i], NULL) != 0)
			return;
	}
	n = job_run_together(2, "activities", t + 600, NULL);
	for (i = 0, st = 0; i < 6; i++)
		st += deliveries_of(many[i]) == 1 && strcmp(status_of(D.key, many[i]), "DISPATCHED") == 0;
	ok(n == 2 && st == 6, "two concurrent job runs: each of 6 activities dispatched once "
	    "(%d runs ok, %d right)", n, st);

	/* UNRESOLVED, not yet due, back to READY once its key resolves. */
	snprintf(path, sizeof(path), "/api/commerces/%s", c_shop);
	api(&r, "PATCH", path, C.key, "{\"attributes\":{\"address\":{\"city\":\"Lima\"},"
	    "\"zone\":\"south\"}}");
	resp_free(&r);
	/* Without a provider: UNRESOLVED naming it. */
	if (activity_fixture(C.key, c_shop, "noprov", "\"type\":\"TASK\",\"channel\":\"SALESMAN\","
	    "\"scheduled_at\":\"2020-01-01T00:00:00Z\"", e, NULL) != 0)
		return;
	job_run_at("activities", t + 1000, NULL);
	snprintf(path, sizeof(path), "/api/activities/%s", e);
	api(&r, "GET", path, C.key, NULL);
	ok(strcmp(jstr(&r, "status"), "UNRESOLVED") == 0 &&
	    strcmp(jstr(&r, "unresolved.0.kind"), "provider") == 0,
	    "job: no provider endpoint configured: UNRESOLVED naming the provider (%s)", r.body);
	resp_free(&r);
	snprintf(path, sizeof(path), "/api/activities/%s", c_unres);
	api(&r, "GET", path, C.key, NULL);
	ok(strcmp(jstr(&r, "status"), "READY") == 0 && jget(&r, "unresolved") == NULL &&
	    strcmp(jstr(&r, "attributes.zone"), "south") == 0 && deliveries_of(c_unres) == 0,
	    "retry: an UNRESOLVED activity not yet due returns to READY when it resolves (%s)",
	    r.body);
	resp_free(&r);
	check_endpoint_deleted();
}
