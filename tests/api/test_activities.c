/*
 * test_activities.c — POST /api/activities exactly as seed 004 (the 201
 * shape, every field, each 400 naming its field, 404
 * commerce_not_found, 409 idempotency_conflict also for requests sent at
 * the same moment), the x-tenant-id header and scopes, get and list with
 * every filter and paging, cancel, results, the activity settings routes,
 * and creation-time target and attribute resolution. The dispatch job is
 * exercised by test_activities_dispatch.c, called at the end.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "activities_helpers.h"
#include "client.h"
#include "suites.h"

static struct fixture F, G;
static char commerce[64], g_commerce[64];

#define SEED "{\"type\":\"MESSAGE\",\"reason\":\"Monthly promotion\",\"channel\":\"WHATSAPP\"," \
	"\"commerce_id\":\"%s\",\"idempotency_key\":\"%s\"," \
	"\"scheduled_at\":\"2025-01-16T09:00:00.000Z\",\"attribute_keys\":[\"commerce_info\"]}"

static void
check_seed_shape(void)
{
	static const char *const keys[] = { "id", "type", "channel", "status", "idempotencyKey",
		"scheduledAt", "commerceAssignment", "targets", "attributes", NULL };
	struct resp r;
	char path[128];
	size_t i;
	int have = 1;

	api(&r, "POST", "/api/activities", F.key, SEED, commerce, "msg-2025-01-15-001");
	for (i = 0; keys[i] != NULL; i++)
		have &= jget(&r, keys[i]) != NULL;
	ok(r.status == 201 && have && json_object_object_length(r.json) == 9 &&
	    strlen(jstr(&r, "id")) == 36 && strcmp(jstr(&r, "type"), "MESSAGE") == 0 &&
	    strcmp(jstr(&r, "channel"), "WHATSAPP") == 0 && strcmp(jstr(&r, "status"), "READY") == 0 &&
	    strcmp(jstr(&r, "idempotencyKey"), "msg-2025-01-15-001") == 0 &&
	    strcmp(jstr(&r, "scheduledAt"), "2025-01-16T09:00:00.000Z") == 0 &&
	    strcmp(jstr(&r, "commerceAssignment.commerceId"), commerce) == 0 &&
	    json_object_array_length(jget(&r, "targets")) == 0,
	    "create: the seed's example on a commerce with no contacts is 201 READY, exactly the "
	    "seed's keys plus targets and attributes (%s)", r.body);
	snprintf(path, sizeof(path), "/api/activities/%s", jstr(&r, "id") ? jstr(&r, "id") : "x");
	resp_free(&r);
	api(&r, "GET", path, F.key, NULL);
	ok(r.status == 200 && strcmp(jstr(&r, "reason"), "Monthly promotion") == 0 &&
	    strcmp(jstr(&r, "attributeKeys.0"), "commerce_info") == 0 &&
	    jstr(&r, "createdAt") != NULL && jget(&r, "result") == NULL,
	    "get: the full view (%s)", r.body);
	resp_free(&r);
	api(&r, "GET", path, G.key, NULL);
	ok(r.status == 404, "get: another tenant's activity is 404 (%ld)", r.status);
	resp_free(&r);
	api(&r, "GET", "/api/activities/ee0e8400-e29b-41d4-a716-446655440000", F.key, NULL);
	ok(r.status == 404, "get: an unknown id is 404 (%ld)", r.status);
	resp_free(&r);
}

static void
check_every_field(void)
{
	struct resp r;
	char path[128];

	api(&r, "POST", "/api/activities", F.key, "{\"type\":\"TASK\",\"reason\":\"visit\","
	    "\"channel\":\"SALESMAN\",\"commerce_id\":\"%s\",\"idempotency_key\":\"full-1\","
	    "\"scheduled_at\":\"2030-02-01T08:00:00Z\",\"suggested_execution_time\":"
	    "\"2030-02-01T10:30:00+01:00\",\"user_status\":\"at_risk\",\"score\":87,"
	    "\"assignment_reason\":\"territory\",\"target_criteria\":[{\"type\":\"role\","
	    "\"config\":{\"role\":\"manager\"},\"priority\":1}],\"attribute_keys\":[\"tier\"],"
	    "\"attributes\":[{\"key\":\"greeting\",\"value\":\"Hola\"},{\"key\":\"tier\","
	    "\"fallback\":\"silver\"}]}", commerce);
	ok(r.status == 201 && strcmp(jstr(&r, "type"), "TASK") == 0 &&
	    strcmp(jstr(&r, "attributes.greeting"), "Hola") == 0 &&
	    jget(&r, "attributes.tier") == NULL,
	    "create: every optional field; a caller value resolves at once, a dispatch-time key "
	    "waits (%s)", r.body);
	snprintf(path, sizeof(path), "/api/activities/%s", jstr(&r, "id") ? jstr(&r, "id") : "x");
	resp_free(&r);
	api(&r, "GET", path, F.key, NULL);
	ok(r.status == 200 && strcmp(jstr(&r, "suggestedExecutionTime"), "2030-02-01T09:30:00.000Z") == 0 &&
	    strcmp(jstr(&r, "userStatus"), "at_risk") == 0 && jint(&r, "score") == 87 &&
	    strcmp(jstr(&r, "assignmentReason"), "territory") == 0 &&
	    strcmp(jstr(&r, "targetCriteria.0.type"), "role") == 0 &&
	    strcmp(jstr(&r, "scheduledAt"), "2030-02-01T08:00:00.000Z") == 0,
	    "get: every field stored (times in UTC) (%s)", r.body);
	resp_free(&r);
}

static const struct {
	const char *desc, *body, *field;
} bad[] = {
	{ "no type", "{\"reason\":\"r\",\"channel\":\"SMS\",\"commerce_id\":\"@C\","
	  "\"idempotency_key\":\"v\",\"scheduled_at\":\"2030-01-01T00:00:00Z\"}", "type" },
	{ "type not TASK/MESSAGE", "{\"type\":\"CALL\",\"reason\":\"r\",\"channel\":\"SMS\","
	  "\"commerce_id\":\"@C\",\"idempotency_key\":\"v\",\"scheduled_at\":\"2030-01-01T00:00:00Z\"}",
	  "type" },
	{ "no reason", "{\"type\":\"TASK\",\"channel\":\"SMS\",\"commerce_id\":\"@C\","
	  "\"idempotency_key\":\"v\",\"scheduled_at\":\"2030-01-01T00:00:00Z\"}", "reason" },
	{ "unknown channel", "{\"type\":\"TASK\",\"reason\":\"r\",\"channel\":\"FAX\","
	  "\"commerce_id\":\"@C\",\"idempotency_key\":\"v\",\"scheduled_at\":\"2030-01-01T00:00:00Z\"}",
	  "channel" },
	{ "no commerce_id", "{\"type\":\"TASK\",\"reason\":\"r@C\",\"channel\":\"SMS\","
	  "\"idempotency_key\":\"v\",\"scheduled_at\":\"2030-01-01T00:00:00Z\"}", "commerce_id" },
	{ "commerce_id not a UUID", "{\"type\":\"TASK\",\"reason\":\"r\",\"channel\":\"SMS\","
	  "\"commerce_id\":\"shop-1@C\",\"idempotency_key\":\"v\","
	  "\"scheduled_at\":\"2030-01-01T00:00:00Z\"}", "commerce_id" },
	{ "no idempotency_key", "{\"type\":\"TASK\",\"reason\":\"r\",\"channel\":\"SMS\","
	  "\"commerce_id\":\"@C\",\"scheduled_at\":\"2030-01-01T00:00:00Z\"}", "idempotency_key" },
	{ "no scheduled_at", "{\"type\":\"TASK\",\"reason\":\"r\",\"channel\":\"SMS\","
	  "\"commerce_id\":\"@C\",\"idempotency_key\":\"v\"}", "scheduled_at" },
	{ "scheduled_at not a time", "{\"type\":\"TASK\",\"reason\":\"r\",\"channel\":\"SMS\","
	  "\"commerce_id\":\"@C\",\"idempotency_key\":\"v\",\"scheduled_at\":\"tomorrow\"}",
	  "scheduled_at" },
	{ "suggested_execution_time not a time", "{\"type\":\"TASK\",\"reason\":\"r\","
	  "\"channel\":\"SMS\",\"commerce_id\":\"@C\",\"idempotency_key\":\"v\","
	  "\"scheduled_at\":\"2030-01-01T00:00:00Z\",\"suggested_execution_time\":5}",
	  "suggested_execution_time" },
	{ "score not an integer", "{\"type\":\"TASK\",\"reason\":\"r\",\"channel\":\"SMS\","
	  "\"commerce_id\":\"@C\",\"idempotency_key\":\"v\",\"scheduled_at\":\"2030-01-01T00:00:00Z\","
	  "\"score\":\"high\"}", "score" },
	{ "criterion of an unknown type", "{\"type\":\"TASK\",\"reason\":\"r\",\"channel\":\"SMS\","
	  "\"commerce_id\":\"@C\",\"idempotency_key\":\"v\",\"scheduled_at\":\"2030-01-01T00:00:00Z\","
	  "\"target_criteria\":[{\"type\":\"luck\"}]}", "target_criteria[0].type" },
	{ "attribute key not a string", "{\"type\":\"TASK\",\"reason\":\"r\",\"channel\":\"SMS\","
	  "\"commerce_id\":\"@C\",\"idempotency_key\":\"v\",\"scheduled_at\":\"2030-01-01T00:00:00Z\","
	  "\"attribute_keys\":[1]}", "attribute_keys[0]" },
	{ "attribute without key", "{\"type\":\"TASK\",\"reason\":\"r\",\"channel\":\"SMS\","
	  "\"commerce_id\":\"@C\",\"idempotency_key\":\"v\",\"scheduled_at\":\"2030-01-01T00:00:00Z\","
	  "\"attributes\":[{\"value\":1}]}", "attributes[0].key" },
	{ "attribute with an unknown field", "{\"type\":\"TASK\",\"reason\":\"r\",\"channel\":"
	  "\"SMS\",\"commerce_id\":\"@C\",\"idempotency_key\":\"v\",\"scheduled_at\":"
	  "\"2030-01-01T00:00:00Z\",\"attributes\":[{\"key\":\"k\",\"default\":1}]}",
	  "attributes[0].default" },
	{ "unknown field", "{\"type\":\"TASK\",\"reason\":\"r\",\"channel\":\"SMS\","
	  "\"commerce_id\":\"@C\",\"idempotency_key\":\"v\",\"scheduled_at\":\"2030-01-01T00:00:00Z\","
	  "\"priority\":1}", "priority" },
};

/* Copies tmpl into out with "@C" replaced by the commerce id. */
static void
with_commerce(const char *tmpl, char *out, size_t len)
{
	const char *at = strstr(tmpl, "@C");

	if (at == NULL)
		snprintf(out, len, "%s", tmpl);
	else
		snprintf(out, len, "%.*s%s%s", (int)(at - tmpl), tmpl, commerce, at + 2);
}

static void
check_validation(void)
{
	struct resp r;
	char body[1024];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		with_commerce(bad[i].body, body, sizeof(body));
		api(&r, "POST", "/api/activities", F.key, "%s", body);
		ok(r.status == 400 && jstr(&r, "field") != NULL &&
		    strcmp(jstr(&r, "field"), bad[i].field) == 0 &&
		    strstr(jstr(&r, "error"), bad[i].field) != NULL,
		    "validation: %s is 400 naming %s (%ld %s)", bad[i].desc, bad[i].field, r.status,
		    r.body);
		resp_free(&r);
	}
	api(&r, "POST", "/api/activities", F.key, SEED, "ee0e8400-e29b-41d4-a716-446655440000",
	    "nf-1");
	ok(r.status == 404 && strcmp(jstr(&r, "code"), "commerce_not_found") == 0,
	    "create: an unknown commerce is 404 commerce_not_found (%s)", r.body);
	resp_free(&r);
	api(&r, "POST", "/api/activities", F.key, SEED, g_commerce, "nf-2");
	ok(r.status == 404 && strcmp(jstr(&r, "code"), "commerce_not_found") == 0,
	    "create: another tenant's commerce is 404 commerce_not_found (%ld)", r.status);
	resp_free(&r);
}

static void
check_idempotency(void)
{
	struct resp r;
	char body[512];
	struct api_call call = { "/api/activities", body };
	long st[4];

	api(&r, "POST", "/api/activities", F.key, SEED, commerce, "idem-1");
	ok(r.status == 201, "idempotency: first create 201 (%ld)", r.status);
	resp_free(&r);
	api(&r, "POST", "/api/activities", F.key, SEED, commerce, "idem-1");
	ok(r.status == 409 && strcmp(jstr(&r, "code"), "idempotency_conflict") == 0 &&
	    strcmp(jstr(&r, "field"), "idempotency_key") == 0,
	    "idempotency: a repeat is 409 idempotency_conflict (%s)", r.body);
	resp_free(&r);
	api(&r, "POST", "/api/activities", G.key, SEED, g_commerce, "idem-1");
	ok(r.status == 201, "idempotency: keys are per tenant (%ld)", r.status);
	resp_free(&r);
	snprintf(body, sizeof(body), SEED, commerce, "idem-race");
	if (api_together(st, 4, "POST", F.key, &call, 1) != 0) {
		ok(0, "idempotency: concurrent requests sent");
		return;
	}
	ok(status_count(st, 4, 201) == 1 && status_count(st, 4, 409) == 3,
	    "idempotency: four concurrent creates with one key: one 201, three 409 (%ld %ld %ld %ld)",
	    st[0], st[1], st[2], st[3]);
	ok(sql_int("SELECT COUNT(*) FROM activities WHERE tenant_id = '%s' AND idempotency_key = "
	    "'idem-race'", F.tenant_id) == 1, "idempotency: one row stored");
}

static void
check_header_and_scopes(void)
{
	struct resp r;
	char body[512], readkey[64];

	snprintf(body, sizeof(body), SEED, commerce, "hdr-1");
	api_tenant(&r, "POST", "/api/activities", F.key, F.tenant_id, body);
	ok(r.status == 201, "x-tenant-id: own tenant 201 (%ld)", r.status);
	resp_free(&r);
	snprintf(body, sizeof(body), SEED, commerce, "hdr-2");
	api_tenant(&r, "POST", "/api/activities", F.key, "acme", body);
	ok(r.status == 400 && strcmp(jstr(&r, "field"), "x-tenant-id") == 0,
	    "x-tenant-id: not a UUID is 400 naming it (%ld)", r.status);
	resp_free(&r);
	api_tenant(&r, "POST", "/api/activities", F.key, G.tenant_id, body);
	ok(r.status == 403 && strcmp(jstr(&r, "code"), "tenant_mismatch") == 0,
	    "x-tenant-id: another tenant is 403 tenant_mismatch (%ld)", r.status);
	resp_free(&r);
	api_tenant(&r, "GET", "/api/activities", F.key, G.tenant_id, NULL);
	ok(r.status == 403, "x-tenant-id: checked on reads too (%ld)", r.status);
	resp_free(&r);
	if (fixture_key(F.tenant_id, "live", "read", readkey, sizeof(readkey)) != 0) {
		ok(0, "read key");
		return;
	}
	api(&r, "POST", "/api/activities", readkey, SEED, commerce, "hdr-3");
	ok(r.status == 403, "CREATE_ACTIVITY: a read key cannot create (%ld)", r.status);
	resp_free(&r);
	api(&r, "GET", "/api/activities", readkey, NULL);
	ok(r.status == 200, "a read key lists (%ld)", r.status);
	resp_free(&r);
}

static void
check_list(void)
{
	struct resp r;
	char other[64], a1[64], a2[64], a3[64], path[256];
	const char *cursor;

	if (commerce_fixture(F.key, "{\"name\":\"List shop\"}", other) != 0 ||
	    activity_fixture(F.key, other, "list-1", "\"type\":\"TASK\",\"channel\":\"SALESMAN\","
	    "\"scheduled_at\":\"2031-05-01T00:00:00Z\"", a1, NULL) != 0 ||
	    activity_fixture(F.key, other, "list-2", "\"type\":\"MESSAGE\",\"channel\":\"EMAIL\","
	    "\"scheduled_at\":\"2031-06-01T00:00:00Z\"", a2, NULL) != 0 ||
	    activity_fixture(F.key, other, "list-3", "\"type\":\"MESSAGE\",\"channel\":\"SMS\","
	    "\"scheduled_at\":\"2031-07-01T00:00:00Z\"", a3, NULL) != 0) {
		ok(0, "list fixtures");
		return;
	}
	snprintf(path, sizeof(path), "/api/activities?commerce_id=%s", other);
	api(&r, "GET", path, F.key, NULL);
	ok(r.status == 200 && json_object_array_length(jget(&r, "activities")) == 3 &&
	    strcmp(jstr(&r, "activities.0.id"), a3) == 0 && !json_object_get_boolean(jget(&r, "has_more")),
	    "list: commerce_id filter, newest first (%ld)", r.status);
	resp_free(&r);
	snprintf(path, sizeof(path), "/api/activities?commerce_id=%s&type=MESSAGE&channel=EMAIL", other);
	api(&r, "GET", path, F.key, NULL);
	ok(r.status == 200 && json_object_array_length(jget(&r, "activities")) == 1 &&
	    strcmp(jstr(&r, "activities.0.id"), a2) == 0, "list: type and channel filters");
	resp_free(&r);
	snprintf(path, sizeof(path), "/api/activities?commerce_id=%s&scheduled_from=2031-05-15T00:00:00Z"
	    "&scheduled_to=2031-06-15T00:00:00Z", other);
	api(&r, "GET", path, F.key, NULL);
	ok(r.status == 200 && json_object_array_length(jget(&r, "activities")) == 1 &&
	    strcmp(jstr(&r, "activities.0.id"), a2) == 0, "list: scheduled_from/scheduled_to");
	resp_free(&r);
	snprintf(path, sizeof(path), "/api/activities?commerce_id=%s&limit=2", other);
	api(&r, "GET", path, F.key, NULL);
	cursor = jstr(&r, "next_cursor");
	ok(r.status == 200 && json_object_array_length(jget(&r, "activities")) == 2 &&
	    json_object_get_boolean(jget(&r, "has_more")) && cursor != NULL, "list: limit and has_more");
	snprintf(path, sizeof(path), "/api/activities?commerce_id=%s&limit=2&cursor=%s", other,
	    cursor ? cursor : "x");
	resp_free(&r);
	api(&r, "GET", path, F.key, NULL);
	ok(r.status == 200 && json_object_array_length(jget(&r, "activities")) == 1 &&
	    strcmp(jstr(&r, "activities.0.id"), a1) == 0, "list: the cursor's next page");
	resp_free(&r);
	snprintf(path, sizeof(path), "/api/activities/%s/cancel", a1);
	api(&r, "POST", path, G.key, "{}");
	ok(r.status == 404, "cancel: another tenant's activity is 404 (%ld)", r.status);
	resp_free(&r);
	api(&r, "POST", path, F.key, "{}");
	ok(r.status == 200 && strcmp(jstr(&r, "status"), "CANCELED") == 0 &&
	    jstr(&r, "finishedAt") != NULL, "cancel: READY -> CANCELED (%s)", r.body);
	resp_free(&r);
	api(&r, "POST", path, F.key, "{}");
	ok(r.status == 409 && strcmp(jstr(&r, "code"), "invalid_status") == 0,
	    "cancel: twice is 409 invalid_status (%ld)", r.status);
	resp_free(&r);
	snprintf(path, sizeof(path), "/api/activities?commerce_id=%s&status=CANCELED", other);
	api(&r, "GET", path, F.key, NULL);
	ok(r.status == 200 && json_object_array_length(jget(&r, "activities")) == 1 &&
	    strcmp(jstr(&r, "activities.0.id"), a1) == 0, "list: status filter");
	resp_free(&r);
	snprintf(path, sizeof(path), "/api/activities/%s/result", a2);
	api(&r, "POST", path, F.key, "{\"result\":\"completed\"}");
	ok(r.status == 409 && strcmp(jstr(&r, "code"), "invalid_status") == 0,
	    "result: on a READY activity is 409 (%ld)", r.status);
	resp_free(&r);
	api(&r, "POST", path, F.key, "{\"result\":\"done\"}");
	ok(r.status == 400 && strcmp(jstr(&r, "field"), "result") == 0, "result: unknown is 400");
	resp_free(&r);
	api(&r, "POST", path, G.key, "{\"result\":\"completed\"}");
	ok(r.status == 404, "result: another tenant's activity is 404 (%ld)", r.status);
	resp_free(&r);
	snprintf(path, sizeof(path), "/api/commerces/%s", other);
	api(&r, "DELETE", path, F.key, NULL);
	ok(r.status == 409 && strcmp(jstr(&r, "code"), "commerce_in_use") == 0,
	    "commerce delete: one with activities is 409 commerce_in_use (%ld)", r.status);
	resp_free(&r);
	api(&r, "GET", "/api/activities?status=DONE", F.key, NULL);
	ok(r.status == 400 && strcmp(jstr(&r, "field"), "status") == 0, "list: bad status is 400");
	resp_free(&r);
	api(&r, "GET", "/api/activities?scheduled_from=soon", F.key, NULL);
	ok(r.status == 400 && strcmp(jstr(&r, "field"), "scheduled_from") == 0,
	    "list: bad scheduled_from is 400");
	resp_free(&r);
	api(&r, "GET", "/api/activities?cursor=ee0e8400-e29b-41d4-a716-446655440000", F.key, NULL);
	ok(r.status == 400 && strcmp(jstr(&r, "field"), "cursor") == 0, "list: unknown cursor is 400");
	resp_free(&r);
}

void
suite_activities(void)
{
	if (fixture_tenant(&F, "scale", "standalone") != 0 ||
	    fixture_tenant(&G, "scale", "standalone") != 0 ||
	    commerce_fixture(F.key, "{\"name\":\"Empty shop\"}", commerce) != 0 ||
	    commerce_fixture(G.key, "{\"name\":\"G shop\"}", g_commerce) != 0) {
		ok(0, "activities: fixtures");
		return;
	}
	check_seed_shape();
	check_every_field();
	check_validation();
	check_idempotency();
	check_header_and_scopes();
	check_list();
	activities_dispatch_checks(&F, &G);
}
