/*
 * test_webhooks.c — /api/webhooks/endpoints (SPEC.md): CRUD with every
 * validation error, scopes, another tenant's ids; then, against the test
 * receiver and the dispatch job, the test ping, the broadcast of custom
 * events to subscribed endpoints only (product events never), signatures,
 * the automatic disabling after 5 days of failures and the re-enable, and
 * a delete that stops the endpoint's pending deliveries.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "helpers.h"
#include "receiver_client.h"
#include "suites.h"
#include "timeutil.h"

#define EP_PATH "/api/webhooks/endpoints"

/* Creates an endpoint; returns the status, its id and secret in the outs. */
static long
ep_create(const char *key, const char *url, const char *events, const char *extra,
    char *id, size_t idlen, char *secret, size_t secretlen)
{
	struct resp r;
	long status;

	api(&r, "POST", EP_PATH, key, "{\"url\":\"%s\",\"subscribed_events\":%s%s}", url, events,
	    extra ? extra : "");
	status = r.status;
	if (id)
		snprintf(id, idlen, "%s", nz(jstr(&r, "endpoint.id")));
	if (secret)
		snprintf(secret, secretlen, "%s", nz(jstr(&r, "secret")));
	resp_free(&r);
	return status;
}

static const struct {
	const char *desc, *field, *body;
} invalid[] = {
	{ "no url", "url", "{\"subscribed_events\":[\"*\"]}" },
	{ "an ftp url", "url", "{\"url\":\"ftp://hooks.example.com/x\",\"subscribed_events\":[\"*\"]}" },
	{ "a relative url", "url", "{\"url\":\"/hook\",\"subscribed_events\":[\"*\"]}" },
	{ "credentials in the url", "url",
	    "{\"url\":\"https://u:p@hooks.example.com/\",\"subscribed_events\":[\"*\"]}" },
	{ "url not a string", "url", "{\"url\":5,\"subscribed_events\":[\"*\"]}" },
	{ "no subscribed_events", "subscribed_events", "{\"url\":\"http://127.0.0.1:9/x\"}" },
	{ "empty subscribed_events", "subscribed_events",
	    "{\"url\":\"http://127.0.0.1:9/x\",\"subscribed_events\":[]}" },
	{ "subscribed_events not an array", "subscribed_events",
	    "{\"url\":\"http://127.0.0.1:9/x\",\"subscribed_events\":\"*\"}" },
	{ "a type without custom.", "subscribed_events[1]",
	    "{\"url\":\"http://127.0.0.1:9/x\",\"subscribed_events\":[\"*\",\"reward.redeemed\"]}" },
	{ "an uppercase type", "subscribed_events[0]",
	    "{\"url\":\"http://127.0.0.1:9/x\",\"subscribed_events\":[\"custom.Reward\"]}" },
	{ "a wildcard in the middle", "subscribed_events[0]",
	    "{\"url\":\"http://127.0.0.1:9/x\",\"subscribed_events\":[\"custom.*.redeemed\"]}" },
	{ "a product event name", "subscribed_events[0]",
	    "{\"url\":\"http://127.0.0.1:9/x\",\"subscribed_events\":[\"page_viewed\"]}" },
	{ "a number as a type", "subscribed_events[0]",
	    "{\"url\":\"http://127.0.0.1:9/x\",\"subscribed_events\":[7]}" },
	{ "active not a boolean", "active",
	    "{\"url\":\"http://127.0.0.1:9/x\",\"subscribed_events\":[\"*\"],\"active\":\"yes\"}" },
	{ "description not a string", "description",
	    "{\"url\":\"http://127.0.0.1:9/x\",\"subscribed_events\":[\"*\"],\"description\":1}" },
	{ "an unknown field", "secret",
	    "{\"url\":\"http://127.0.0.1:9/x\",\"subscribed_events\":[\"*\"],\"secret\":\"x\"}" },
};

/* CRUD, validation, scopes and isolation; no delivery is sent here. */
static void
webhooks_crud(const struct fixture *f, const struct fixture *g)
{
	struct resp r;
	char id[64], id2[64], secret[96], path[160], read_key[64], ingest_key[64], out[512];
	size_t i;

	if (!ok(fixture_key(f->tenant_id, "live", "read", read_key, sizeof(read_key)) == 0 &&
	    fixture_key(f->tenant_id, "live", "ingest", ingest_key, sizeof(ingest_key)) == 0,
	    "webhooks: scoped keys"))
		return;

	api(&r, "POST", EP_PATH, f->key, "{\"url\":\"http://127.0.0.1:9/hook\",\"description\":"
	    "\"CRM sync\",\"subscribed_events\":[\"custom.reward.redeemed\",\"custom.level.*\"]}");
	ok(r.status == 201, "create: 201 (%s)", r.body);
	snprintf(id, sizeof(id), "%s", nz(jstr(&r, "endpoint.id")));
	snprintf(secret, sizeof(secret), "%s", nz(jstr(&r, "secret")));
	ok(strncmp(id, "wh_", 3) == 0, "create: a wh_ id");
	ok(strncmp(secret, "whsec_", 6) == 0 && strlen(secret) == 50,
	    "create: a whsec_ secret of 32 random bytes in base64 (%s)", secret);
	ok(jstr(&r, "endpoint.url") && strcmp(jstr(&r, "endpoint.url"), "http://127.0.0.1:9/hook") == 0 &&
	    strcmp(jstr(&r, "endpoint.description"), "CRM sync") == 0 &&
	    strcmp(jstr(&r, "endpoint.subscribed_events.1"), "custom.level.*") == 0 &&
	    json_object_get_boolean(jget(&r, "endpoint.active")) &&
	    jget(&r, "endpoint.disabled_reason") == NULL && jget(&r, "endpoint.failing_since") == NULL &&
	    jget(&r, "endpoint.last_success_at") == NULL && jstr(&r, "endpoint.created_at") != NULL &&
	    jstr(&r, "endpoint.updated_at") != NULL, "create: the endpoint's fields");
	ok(jget(&r, "endpoint.secret") == NULL, "create: the secret sits beside the endpoint");
	resp_free(&r);
	if (sql_query(out, sizeof(out), "SELECT secret_enc FROM webhook_endpoints WHERE id = '%s'",
	    id) == 0)
		ok(strncmp(out, "v1:", 3) == 0 && strstr(out, secret + 6) == NULL,
		    "the secret is stored sealed (%.12s...)", out);
	else
		diag("skipped: secret-at-rest check needs RETIVO_SQL");

	snprintf(path, sizeof(path), EP_PATH "/%s", id);
	api(&r, "GET", path, f->key, NULL);
	ok(r.status == 200 && jstr(&r, "endpoint.id") && strcmp(jstr(&r, "endpoint.id"), id) == 0,
	    "get: 200");
	ok(strstr(r.body, "whsec_") == NULL && strstr(r.body, "secret") == NULL,
	    "get: the secret is never shown again");
	resp_free(&r);

	ok(ep_create(f->key, "https://127.0.0.1:9/two", "[\"*\",\"custom.a.*\",\"*\"]",
	    ",\"active\":false", id2, sizeof(id2), NULL, 0) == 201, "create: a second endpoint");
	snprintf(out, sizeof(out), EP_PATH "/%s", id2);
	api(&r, "GET", out, f->key, NULL);
	ok(r.status == 200 && json_object_array_length(jget(&r, "endpoint.subscribed_events")) == 2 &&
	    !json_object_get_boolean(jget(&r, "endpoint.active")) &&
	    jget(&r, "endpoint.description") == NULL, "create: repeats dropped, inactive, no description");
	resp_free(&r);

	for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		api(&r, "POST", EP_PATH, f->key, "%s", invalid[i].body);
		ok(is_error(&r, 400, invalid[i].field) && jstr(&r, "field") &&
		    strcmp(jstr(&r, "field"), invalid[i].field) == 0,
		    "create with %s: 400 naming %s (%s)", invalid[i].desc, invalid[i].field, r.body);
		resp_free(&r);
	}

	/* The dev/test stack allows every target (allow_private_targets=yes:
	 * nothing is even resolved), so the SSRF refusal at registration cannot
	 * be seen here; tests/unit/test_url_ssrf.c covers url_target_allowed(). */
	diag("skipped: url target refusal needs a stack with allow_private_targets=no");

	api(&r, "GET", EP_PATH, f->key, NULL);
	ok(r.status == 200 && json_object_array_length(jget(&r, "endpoints")) == 2 &&
	    strcmp(jstr(&r, "endpoints.0.id"), id2) == 0 && strstr(r.body, "whsec_") == NULL,
	    "list: newest first, no secrets");
	resp_free(&r);
	api(&r, "GET", EP_PATH "?limit=1", f->key, NULL);
	ok(r.status == 200 && json_object_array_length(jget(&r, "endpoints")) == 1 &&
	    json_object_get_boolean(jget(&r, "has_more")) && jstr(&r, "next_cursor") &&
	    strcmp(jstr(&r, "next_cursor"), id2) == 0, "list: limit and cursor");
	resp_free(&r);
	snprintf(out, sizeof(out), EP_PATH "?limit=1&cursor=%s", id2);
	api(&r, "GET", out, f->key, NULL);
	ok(r.status == 200 && json_object_array_length(jget(&r, "endpoints")) == 1 &&
	    strcmp(jstr(&r, "endpoints.0.id"), id) == 0 && !json_object_get_boolean(jget(&r, "has_more")),
	    "list: the next page");
	resp_free(&r);
	api(&r, "GET", EP_PATH "?limit=101", f->key, NULL);
	ok(is_error(&r, 400, "limit"), "list: limit 101 is 400 naming limit");
	resp_free(&r);

	api(&r, "PUT", path, f->key, "{\"description\":null,\"subscribed_events\":[\"custom.x\"]}");
	ok(r.status == 200 && jget(&r, "endpoint.description") == NULL &&
	    json_object_array_length(jget(&r, "endpoint.subscribed_events")) == 1 &&
	    strcmp(jstr(&r, "endpoint.url"), "http://127.0.0.1:9/hook") == 0 &&
	    json_object_get_boolean(jget(&r, "endpoint.active")),
	    "update: only the fields sent change (%s)", r.body);
	resp_free(&r);
	api(&r, "PUT", path, f->key, "{\"url\":\"gopher://x\"}");
	ok(is_error(&r, 400, "url"), "update: a bad url is 400 naming it");
	resp_free(&r);
	api(&r, "PUT", path, f->key, "{\"subscribed_events\":[\"custom.\"]}");
	ok(is_error(&r, 400, "subscribed_events[0]"), "update: a bad pattern is 400 naming it");
	resp_free(&r);
	api(&r, "PUT", path, f->key, "{\"active\":false}");
	ok(r.status == 200 && !json_object_get_boolean(jget(&r, "endpoint.active")) &&
	    jget(&r, "endpoint.disabled_reason") == NULL, "update: deactivated by the tenant");
	resp_free(&r);
	api(&r, "PUT", path, f->key, "{\"active\":true,\"url\":\"http://127.0.0.1:9/new\"}");
	ok(r.status == 200 && json_object_get_boolean(jget(&r, "endpoint.active")) &&
	    strcmp(jstr(&r, "endpoint.url"), "http://127.0.0.1:9/new") == 0, "update: reactivated");
	resp_free(&r);

	api(&r, "GET", path, g->key, NULL);
	ok(is_error(&r, 404, "webhook endpoint"), "another tenant's endpoint: GET 404");
	resp_free(&r);
	api(&r, "PUT", path, g->key, "{\"url\":\"http://127.0.0.1:9/steal\"}");
	ok(is_error(&r, 404, "webhook endpoint"), "another tenant's endpoint: PUT 404");
	resp_free(&r);
	api(&r, "DELETE", path, g->key, NULL);
	ok(is_error(&r, 404, "webhook endpoint"), "another tenant's endpoint: DELETE 404");
	resp_free(&r);
	snprintf(out, sizeof(out), "%s/ping", path);
	api(&r, "POST", out, g->key, "{}");
	ok(is_error(&r, 404, "webhook endpoint"), "another tenant's endpoint: ping 404");
	resp_free(&r);
	api(&r, "GET", EP_PATH, g->key, NULL);
	ok(r.status == 200 && json_object_array_length(jget(&r, "endpoints")) == 0,
	    "another tenant lists none of them");
	resp_free(&r);
	api(&r, "GET", path, f->key, NULL);
	ok(r.status == 200 && strcmp(jstr(&r, "endpoint.url"), "http://127.0.0.1:9/new") == 0,
	    "another tenant's attempts changed nothing");
	resp_free(&r);
	api(&r, "GET", EP_PATH "/wh_nope", f->key, NULL);
	ok(is_error(&r, 404, NULL), "a malformed id: 404");
	resp_free(&r);

	api(&r, "GET", EP_PATH, read_key, NULL);
	ok(r.status == 200, "a read key may list");
	resp_free(&r);
	api(&r, "GET", path, read_key, NULL);
	ok(r.status == 200, "a read key may get");
	resp_free(&r);
	api(&r, "POST", EP_PATH, read_key, "{}");
	ok(is_error(&r, 403, "scope"), "a read key may not create: 403");
	resp_free(&r);
	api(&r, "PUT", path, read_key, "{}");
	ok(is_error(&r, 403, "scope"), "a read key may not update: 403");
	resp_free(&r);
	snprintf(out, sizeof(out), "%s/ping", path);
	api(&r, "POST", out, read_key, "{}");
	ok(is_error(&r, 403, "scope"), "a read key may not ping: 403");
	resp_free(&r);
	api(&r, "GET", EP_PATH, ingest_key, NULL);
	ok(is_error(&r, 403, "scope"), "an ingest key may not list: 403");
	resp_free(&r);
	api(&r, "DELETE", path, ingest_key, NULL);
	ok(is_error(&r, 403, "scope"), "an ingest key may not delete: 403");
	resp_free(&r);

	api(&r, "DELETE", path, f->key, NULL);
	ok(r.status == 200 && json_object_get_boolean(jget(&r, "deleted")) &&
	    strcmp(jstr(&r, "id"), id) == 0, "delete: 200 (%s)", r.body);
	resp_free(&r);
	api(&r, "GET", path, f->key, NULL);
	ok(is_error(&r, 404, NULL), "delete: gone");
	resp_free(&r);
	api(&r, "DELETE", path, f->key, NULL);
	ok(is_error(&r, 404, NULL), "delete: a second delete is 404");
	resp_free(&r);
}

/* The requests the receiver got on path; an empty array when it has none. */
static struct json_object *
rlog(const char *path)
{
	struct json_object *log = receiver_log(path);

	return log ? log : json_object_new_array();
}

/* Request i's body parsed (caller puts), or NULL. */
static struct json_object *
req_body(struct json_object *log, size_t i)
{
	struct json_object *req = json_object_array_get_idx(log, i), *b = NULL;

	if (req != NULL && json_object_object_get_ex(req, "body", &b) && b != NULL)
		return json_tokener_parse(json_object_get_string(b));
	return NULL;
}

static int
obj_bool(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	return o != NULL && json_object_object_get_ex(o, key, &v) && json_object_get_boolean(v);
}

/* How many requests of the log carry a body of this type. */
static int
count_type(struct json_object *log, const char *type)
{
	struct json_object *b;
	size_t i;
	int n = 0;

	for (i = 0; i < json_object_array_length(log); i++) {
		b = req_body(log, i);
		if (obj_str(b, "type") && strcmp(obj_str(b, "type"), type) == 0)
			n++;
		json_object_put(b);
	}
	return n;
}

/* 1 when every request passed both signature checks. */
static int
all_signed(struct json_object *log)
{
	struct json_object *req;
	size_t i;

	for (i = 0; i < json_object_array_length(log); i++) {
		req = json_object_array_get_idx(log, i);
		if (!obj_bool(req, "signature_ok") || !obj_bool(req, "standard_signature_ok"))
			return 0;
	}
	return json_object_array_length(log) > 0;
}

/* Runs the dispatch job at now + offset seconds with extra arguments;
 * 0 when it succeeded. */
static int
dispatch_with(long long offset, const char *extra)
{
	char iso[TIME_ISO8601_SIZE];

	time_format_iso8601((int64_t)time(NULL) + offset, iso);
	return job_run("dispatch", "--now %s %s", iso, extra);
}

static int
dispatch_at(long long offset)
{
	return dispatch_with(offset, "");
}

/* An endpoint on the receiver's path, with the receiver told its secret. */
static int
ep_on_receiver(const char *key, const char *rpath, const char *events, const char *extra,
    char *id, size_t idlen)
{
	char url[128], secret[96];

	snprintf(url, sizeof(url), "%s", receiver_url(rpath));
	if (ep_create(key, url, events, extra, id, idlen, secret, sizeof(secret)) != 201)
		return -1;
	return receiver_secret(rpath, secret);
}

static long long
ep_seen(const char *key, const char *id, const char *what)
{
	struct resp r;
	char path[160];
	long long v;

	snprintf(path, sizeof(path), EP_PATH "/%s", id);
	api(&r, "GET", path, key, NULL);
	if (strcmp(what, "active") == 0)
		v = json_object_get_boolean(jget(&r, "endpoint.active"));
	else
		v = jget(&r, what) != NULL;
	resp_free(&r);
	return v;
}

/* Broadcast, ping, auto-disable and delete, through the real dispatch job. */
static void
webhooks_deliveries(const struct fixture *h)
{
	struct json_object *log, *b;
	struct resp r;
	char exact[64], prefix[64], all[64], off[64], failing[64], path[160], msg_id[64];
	char test_key[64], ts[TIME_SQL_SIZE];

	if (receiver_start() < 0 || receiver_reset() != 0) {
		ok(0, "webhooks: the test receiver starts");
		return;
	}
	if (!ok(fixture_key(h->tenant_id, "test", "full", test_key, sizeof(test_key)) == 0 &&
	    ep_on_receiver(h->key, "/exact", "[\"custom.reward.redeemed\"]", NULL, exact,
	    sizeof(exact)) == 0 &&
	    ep_on_receiver(h->key, "/prefix", "[\"custom.reward.*\"]", NULL, prefix,
	    sizeof(prefix)) == 0 &&
	    ep_on_receiver(h->key, "/all", "[\"*\"]", NULL, all, sizeof(all)) == 0 &&
	    ep_on_receiver(h->key, "/off", "[\"*\"]", ",\"active\":false", off, sizeof(off)) == 0,
	    "broadcast: endpoints on the receiver"))
		return;
	(void)off;

	api(&r, "POST", "/api/external/events", h->key, "{\"events\":["
	    "{\"type\":\"custom.reward.redeemed\",\"user_id\":\"u-1\",\"data\":{\"value\":20}},"
	    "{\"type\":\"custom.level.up\",\"user_id\":\"u-1\"}]}");
	ok(r.status == 200 && jint(&r, "accepted") == 2, "broadcast: two custom events pushed");
	resp_free(&r);
	api(&r, "POST", "/api/events", h->key, "{\"user_id\":\"u-1\",\"event\":\"page_viewed\"}");
	ok(r.status == 200, "broadcast: a product event tracked");
	resp_free(&r);
	api(&r, "POST", "/api/external/events/emit", test_key,
	    "{\"type\":\"custom.reward.claimed\",\"user_id\":\"u-2\"}");
	ok(r.status == 200, "broadcast: a test-mode custom event");
	resp_free(&r);
	ok(dispatch_at(0) == 0, "broadcast: the dispatch job ran");

	log = rlog("/exact");
	ok(json_object_array_length(log) == 1 && count_type(log, "custom.reward.redeemed") == 1,
	    "broadcast: the exact subscription got its one type only (%zu)",
	    json_object_array_length(log));
	ok(all_signed(log), "broadcast: both signatures verify with the endpoint's secret");
	b = req_body(log, 0);
	ok(obj_str(b, "user_id") && strcmp(obj_str(b, "user_id"), "u-1") == 0 &&
	    obj_str(b, "tenant_id") && strcmp(obj_str(b, "tenant_id"), h->tenant_id) == 0 &&
	    obj_str(b, "event_id") && strncmp(obj_str(b, "event_id"), "evt_", 4) == 0 &&
	    obj_str(b, "timestamp") && !obj_bool(b, "test_mode") &&
	    strstr(obj_str(json_object_array_get_idx(log, 0), "body"), "\"data\":{\"value\":20}"),
	    "broadcast: the body carries the event (%s)", json_object_to_json_string(b));
	ok(obj_str(json_object_array_get_idx(log, 0), "msg_id") &&
	    strncmp(obj_str(json_object_array_get_idx(log, 0), "msg_id"), "msg_", 4) == 0,
	    "broadcast: a msg_ webhook-id");
	json_object_put(b);
	json_object_put(log);
	log = rlog("/prefix");
	ok(json_object_array_length(log) == 2 && count_type(log, "custom.reward.redeemed") == 1 &&
	    count_type(log, "custom.reward.claimed") == 1 && all_signed(log),
	    "broadcast: the prefix wildcard got both reward events");
	b = req_body(log, 1);
	ok(obj_bool(b, "test_mode"), "broadcast: a test key's event says test_mode true");
	json_object_put(b);
	json_object_put(log);
	log = rlog("/all");
	ok(json_object_array_length(log) == 3 && count_type(log, "custom.level.up") == 1 &&
	    count_type(log, "page_viewed") == 0, "broadcast: \"*\" got every custom event, "
	    "no product event (%zu)", json_object_array_length(log));
	json_object_put(log);
	log = rlog("/off");
	ok(json_object_array_length(log) == 0, "broadcast: an inactive endpoint got nothing");
	json_object_put(log);
	ok(ep_seen(h->key, exact, "endpoint.last_success_at") == 1 &&
	    ep_seen(h->key, exact, "endpoint.failing_since") == 0,
	    "broadcast: a success is recorded on the endpoint");
	ok(dispatch_at(0) == 0, "broadcast: the job ran again");
	log = rlog("/exact");
	ok(json_object_array_length(log) == 1, "broadcast: nothing is broadcast twice");
	json_object_put(log);

	snprintf(path, sizeof(path), EP_PATH "/%s/ping", exact);
	api(&r, "POST", path, h->key, "{}");
	ok(r.status == 202 && json_object_get_boolean(jget(&r, "queued")) &&
	    jstr(&r, "delivery.msg_id") != NULL, "ping: 202 queued (%s)", r.body);
	snprintf(msg_id, sizeof(msg_id), "%s", nz(jstr(&r, "delivery.msg_id")));
	resp_free(&r);
	api(&r, "POST", path, h->key, "{\"x\":1}");
	ok(is_error(&r, 400, "x"), "ping: an unknown field is 400 naming it");
	resp_free(&r);
	ok(dispatch_at(0) == 0, "ping: the dispatch job ran");
	log = rlog("/exact");
	b = req_body(log, 1);
	ok(json_object_array_length(log) == 2 && obj_str(b, "type") &&
	    strcmp(obj_str(b, "type"), "webhook.ping") == 0 &&
	    strcmp(obj_str(b, "endpoint_id"), exact) == 0 && all_signed(log) &&
	    strcmp(obj_str(json_object_array_get_idx(log, 1), "msg_id"), msg_id) == 0,
	    "ping: the receiver got a signed webhook.ping");
	json_object_put(b);
	json_object_put(log);

	/* Auto-disable: a failure starts the clock; 5 days on, the next failure disables. */
	if (!ok(ep_on_receiver(h->key, "/fail", "[\"custom.fail.test\"]", NULL, failing,
	    sizeof(failing)) == 0 && receiver_script("/fail", "[{\"status\":500},{\"status\":500}]")
	    == 0, "disable: a failing endpoint"))
		return;
	api(&r, "POST", "/api/external/events/emit", h->key,
	    "{\"type\":\"custom.fail.test\",\"user_id\":\"u-1\"}");
	resp_free(&r);
	ok(dispatch_at(0) == 0, "disable: the job ran");
	log = rlog("/fail");
	ok(json_object_array_length(log) == 1, "disable: one failed attempt");
	json_object_put(log);
	ok(ep_seen(h->key, failing, "active") == 1 &&
	    ep_seen(h->key, failing, "endpoint.failing_since") == 1,
	    "disable: one failure sets failing_since and keeps the endpoint active");
	time_format_sql((int64_t)time(NULL) - 6 * 86400, ts);
	ok(sql_query(NULL, 0, "UPDATE webhook_endpoints SET failing_since = '%s' WHERE id = '%s'",
	    ts, failing) == 0, "disable: failing since 6 days (set in the database)");
	ok(dispatch_at(60) == 0, "disable: the retry ran");
	log = rlog("/fail");
	ok(json_object_array_length(log) == 2, "disable: the retry failed too");
	json_object_put(log);
	snprintf(path, sizeof(path), EP_PATH "/%s", failing);
	api(&r, "GET", path, h->key, NULL);
	ok(r.status == 200 && !json_object_get_boolean(jget(&r, "endpoint.active")) &&
	    jstr(&r, "endpoint.disabled_reason") &&
	    strstr(jstr(&r, "endpoint.disabled_reason"), "5 days") != NULL,
	    "disable: the endpoint is disabled with a reason (%s)", r.body);
	resp_free(&r);
	api(&r, "POST", "/api/external/events/emit", h->key,
	    "{\"type\":\"custom.fail.test\",\"user_id\":\"u-1\"}");
	resp_free(&r);
	ok(dispatch_at(90) == 0 && sql_int("SELECT COUNT(*) FROM deliveries WHERE endpoint_id = '%s'",
	    failing) == 1, "disable: a disabled endpoint gets no new broadcast");
	api(&r, "PUT", path, h->key, "{\"active\":true}");
	ok(r.status == 200 && json_object_get_boolean(jget(&r, "endpoint.active")) &&
	    jget(&r, "endpoint.disabled_reason") == NULL && jget(&r, "endpoint.failing_since") == NULL,
	    "re-enable: active, reason and failing_since cleared (%s)", r.body);
	resp_free(&r);

	/* A delete stops what is still queued for the endpoint. */
	snprintf(path, sizeof(path), EP_PATH "/%s/ping", prefix);
	api(&r, "POST", path, h->key, "{}");
	resp_free(&r);
	snprintf(path, sizeof(path), EP_PATH "/%s", prefix);
	api(&r, "DELETE", path, h->key, NULL);
	ok(r.status == 200 && jint(&r, "deliveries_cancelled") == 1,
	    "delete: the queued ping is cancelled (%s)", r.body);
	resp_free(&r);
	ok(sql_int("SELECT COUNT(*) FROM deliveries WHERE endpoint_id = '%s' AND state = 'failed' "
	    "AND last_error = 'endpoint deleted'", prefix) == 1 &&
	    sql_int("SELECT COUNT(*) FROM deliveries WHERE endpoint_id = '%s' AND state = 'pending'",
	    prefix) == 0, "delete: the delivery is failed with \"endpoint deleted\"");
	ok(dispatch_at(0) == 0, "delete: the job ran");
	log = rlog("/prefix");
	ok(json_object_array_length(log) == 2, "delete: nothing more reached the deleted endpoint");
	json_object_put(log);
}

/* Two dispatch jobs draining the same outbox at once broadcast each event once. */
static void
webhooks_concurrent(const struct fixture *h)
{
	struct json_object *log, *req;
	struct resp r;
	char id[64], seen[20][48];
	size_t i, j, n;
	int accepted = 0, status = -1, dup = 0;
	pid_t pid;

	if (!ok(ep_on_receiver(h->key, "/burst", "[\"custom.burst.*\"]", NULL, id, sizeof(id)) == 0,
	    "concurrent: an endpoint"))
		return;
	for (i = 0; i < 20; i++) {
		api(&r, "POST", "/api/external/events/emit", h->key,
		    "{\"type\":\"custom.burst.n%zu\",\"user_id\":\"u-%zu\"}", i, i);
		accepted += r.status == 200;
		resp_free(&r);
	}
	ok(accepted == 20, "concurrent: 20 batches pushed");
	/* Two rounds of two jobs side by side, each draining 5 outbox rows. */
	fflush(NULL);
	if ((pid = fork()) == 0)	/* _exit: not the parent's atexit handlers */
		_exit(dispatch_with(0, "--limit 5") == 0 && dispatch_with(0, "--limit 5") == 0 ?
		    0 : 1);
	ok(dispatch_with(0, "--limit 5") == 0 && dispatch_with(0, "--limit 5") == 0 && pid > 0 &&
	    waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "concurrent: two jobs ran at once");
	ok(sql_int("SELECT COUNT(*) FROM event_outbox WHERE tenant_id = '%s'", h->tenant_id) == 0,
	    "concurrent: the outbox is drained");
	ok(dispatch_at(0) == 0, "concurrent: a last run sends what is left");
	log = rlog("/burst");
	n = json_object_array_length(log);
	for (i = 0; i < n && i < 20; i++) {
		req = json_object_array_get_idx(log, i);
		snprintf(seen[i], sizeof(seen[i]), "%s", obj_str(req, "msg_id") ? obj_str(req, "msg_id") : "");
		for (j = 0; j < i; j++)
			dup += strcmp(seen[i], seen[j]) == 0;
	}
	ok(n == 20 && dup == 0 && all_signed(log),
	    "concurrent: each event delivered once (%zu requests, %d repeats)", n, dup);
	json_object_put(log);
}

void
suite_webhooks(void)
{
	struct fixture f, g, h;

	if (!ok(fixture_tenant(&f, "growth", "standalone") == 0 &&
	    fixture_tenant(&g, "growth", "standalone") == 0 &&
	    fixture_tenant(&h, "growth", "standalone") == 0, "webhooks: fixtures"))
		return;
	webhooks_crud(&f, &g);
	webhooks_deliveries(&h);
	webhooks_concurrent(&h);
}
