/*
 * test_platforms.c — seed 000 "Pre-Built Platform Connectors": the
 * catalogue, connect (validation, sealed credentials, registered action
 * types, conflicts, reconnect), disconnect, the admin-only rule and the
 * independence of tenants.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "helpers.h"
#include "suites.h"

#define PL_PATH "/api/external/platforms"
#define API_KEY "sk_live_4wV9secretSMILE"

/* The listing entry of platform id in a GET /api/external/platforms answer. */
static struct json_object *
pl_entry(const struct resp *r, const char *id)
{
	struct json_object *arr = jget(r, "platforms"), *e, *v;
	size_t i;

	for (i = 0; arr != NULL && i < json_object_array_length(arr); i++) {
		e = json_object_array_get_idx(arr, i);
		if (json_object_object_get_ex(e, "id", &v) && strcmp(json_object_get_string(v), id) == 0)
			return e;
	}
	return NULL;
}

static int
pl_connected(const char *key, const char *id)
{
	struct json_object *e, *v = NULL;
	struct resp r;
	int c;

	api(&r, "GET", PL_PATH, key, NULL);
	e = pl_entry(&r, id);
	c = e != NULL && json_object_object_get_ex(e, "connected", &v) && json_object_get_boolean(v);
	resp_free(&r);
	return c;
}

/* How many of the tenant's action types have this provider and active flag. */
static long long
types_of(const char *key, const char *provider, const char *active)
{
	struct resp r;
	char path[160];
	long long n;

	snprintf(path, sizeof(path), "/api/external/action-types?provider=%s&active=%s", provider,
	    active);
	api(&r, "GET", path, key, NULL);
	n = r.status == 200 ? (long long)json_object_array_length(jget(&r, "action_types")) : -1;
	resp_free(&r);
	return n;
}

static int
is_hex64(const char *s)
{
	size_t i;

	if (s == NULL || strlen(s) != 64)
		return 0;
	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

static const struct {
	const char *desc, *platform, *field, *body;
} invalid[] = {
	{ "no credentials", "smile-io", "credentials", "{}" },
	{ "credentials not an object", "smile-io", "credentials", "{\"credentials\":\"k\"}" },
	{ "no api_key", "smile-io", "credentials.api_key", "{\"credentials\":{}}" },
	{ "an empty api_key", "smile-io", "credentials.api_key",
	    "{\"credentials\":{\"api_key\":\"\"}}" },
	{ "api_key not a string", "smile-io", "credentials.api_key",
	    "{\"credentials\":{\"api_key\":42}}" },
	{ "an unknown credential", "smile-io", "credentials.apikey",
	    "{\"credentials\":{\"api_key\":\"k\",\"apikey\":\"k\"}}" },
	{ "half of loyaltylion's credentials", "loyaltylion", "credentials.secret",
	    "{\"credentials\":{\"token\":\"t\"}}" },
	{ "yotpo without guid", "yotpo", "credentials.guid",
	    "{\"credentials\":{\"api_key\":\"k\"}}" },
	{ "an ftp delivery_webhook", "smile-io", "delivery_webhook",
	    "{\"credentials\":{\"api_key\":\"k\"},\"delivery_webhook\":\"ftp://x.example.com/\"}" },
	{ "an unknown field", "smile-io", "api_key", "{\"credentials\":{\"api_key\":\"k\"},"
	    "\"api_key\":\"k\"}" },
};

static void
platforms_validation(const struct fixture *f)
{
	struct resp r;
	char path[160];
	size_t i;

	for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		snprintf(path, sizeof(path), PL_PATH "/%s/connect", invalid[i].platform);
		api(&r, "POST", path, f->key, "%s", invalid[i].body);
		ok(is_error(&r, 400, invalid[i].field) && jstr(&r, "field") &&
		    strcmp(jstr(&r, "field"), invalid[i].field) == 0,
		    "connect with %s: 400 naming %s (%s)", invalid[i].desc, invalid[i].field, r.body);
		resp_free(&r);
	}
	/* The dev/test stack allows every target (allow_private_targets=yes:
	 * nothing is even resolved), so the target refusal cannot be seen here;
	 * tests/unit/test_url_ssrf.c covers url_target_allowed() itself. */
	diag("skipped: delivery_webhook target refusal needs a stack with "
	    "allow_private_targets=no");
	ok(!pl_connected(f->key, "smile-io") && types_of(f->key, "smile-io", "true") == 0,
	    "a refused connect stores nothing");
	api(&r, "POST", PL_PATH "/shopify-plus/connect", f->key, "{\"credentials\":{}}");
	ok(is_error(&r, 404, "platform"), "connect: an unknown platform is 404");
	resp_free(&r);
	api(&r, "POST", PL_PATH "/shopify-plus/disconnect", f->key, "{}");
	ok(is_error(&r, 404, "platform"), "disconnect: an unknown platform is 404");
	resp_free(&r);
	api(&r, "POST", PL_PATH "/smile-io/disconnect", f->key, "{}");
	ok(r.status == 409 && strcmp(jstr(&r, "code"), "not_connected") == 0,
	    "disconnect: a platform never connected is 409");
	resp_free(&r);
}

static void
platforms_scopes(const struct fixture *f)
{
	struct resp r;
	char read_key[64], manage_key[64], ingest_key[64];

	if (!ok(fixture_key(f->tenant_id, "live", "read", read_key, sizeof(read_key)) == 0 &&
	    fixture_key(f->tenant_id, "live", "manage", manage_key, sizeof(manage_key)) == 0 &&
	    fixture_key(f->tenant_id, "live", "ingest", ingest_key, sizeof(ingest_key)) == 0,
	    "platforms: scoped keys"))
		return;
	api(&r, "GET", PL_PATH, read_key, NULL);
	ok(r.status == 200, "a read key may list");
	resp_free(&r);
	api(&r, "GET", PL_PATH, manage_key, NULL);
	ok(r.status == 200, "a manage key may list");
	resp_free(&r);
	api(&r, "GET", PL_PATH, ingest_key, NULL);
	ok(is_error(&r, 403, "scope"), "an ingest key may not list: 403");
	resp_free(&r);
	api(&r, "POST", PL_PATH "/smile-io/connect", manage_key,
	    "{\"credentials\":{\"api_key\":\"k\"}}");
	ok(is_error(&r, 403, "scope"), "a manage key may not connect: 403 (admin only)");
	resp_free(&r);
	api(&r, "POST", PL_PATH "/smile-io/connect", read_key, "{\"credentials\":{\"api_key\":\"k\"}}");
	ok(is_error(&r, 403, "scope"), "a read key may not connect: 403");
	resp_free(&r);
	api(&r, "POST", PL_PATH "/smile-io/disconnect", manage_key, "{}");
	ok(is_error(&r, 403, "scope"), "a manage key may not disconnect: 403");
	resp_free(&r);
}

void
suite_platforms(void)
{
	struct fixture f, g;
	struct json_object *e;
	struct resp r;
	char first_id[64], first_secret[80], out[1024];
	const char *s;

	if (!ok(fixture_tenant(&f, "growth", "standalone") == 0 &&
	    fixture_tenant(&g, "growth", "standalone") == 0, "platforms: fixtures"))
		return;

	api(&r, "GET", PL_PATH, f.key, NULL);
	ok(r.status == 200 && json_object_array_length(jget(&r, "platforms")) >= 3,
	    "list: at least three platforms (%s)", r.body);
	e = pl_entry(&r, "smile-io");
	ok(e != NULL && pl_entry(&r, "loyaltylion") != NULL && pl_entry(&r, "yotpo") != NULL,
	    "list: smile-io, loyaltylion and yotpo");
	if (e != NULL) {
		s = json_object_to_json_string_ext(e, JSON_C_TO_STRING_PLAIN);
		ok(strstr(s, "\"credentials_required\":[\"api_key\"]") &&
		    strstr(s, "\"grant_points\"") && strstr(s, "\"domain\":\"loyalty\"") &&
		    strstr(s, "\"connected\":false") && strstr(s, "\"connected_at\":null") &&
		    strstr(s, "\"name\":\"Smile.io\""), "list: smile-io's entry (%s)", s);
	}
	resp_free(&r);

	platforms_scopes(&f);
	platforms_validation(&f);

	api(&r, "POST", PL_PATH "/smile-io/connect", f.key, "{\"credentials\":{\"api_key\":\""
	    API_KEY "\"},\"delivery_webhook\":\"http://127.0.0.1:9/smile\"}");
	ok(r.status == 200 && json_object_get_boolean(jget(&r, "platform.connected")) &&
	    jstr(&r, "platform.connected_at") != NULL && jint(&r, "action_types_registered") == 2 &&
	    json_object_array_length(jget(&r, "action_types")) == 2, "connect: 200 (%s)", r.body);
	ok(jstr(&r, "action_types.0.id") && strncmp(jstr(&r, "action_types.0.id"), "at_", 3) == 0 &&
	    strcmp(jstr(&r, "action_types.0.name"), "grant_points") == 0 &&
	    is_hex64(jstr(&r, "action_types.0.webhook_secret")) &&
	    is_hex64(jstr(&r, "action_types.1.webhook_secret")),
	    "connect: each registered type with its webhook secret, shown once");
	ok(strstr(r.body, API_KEY) == NULL, "connect: the credentials are not echoed");
	snprintf(first_id, sizeof(first_id), "%s", jstr(&r, "action_types.0.id") ?
	    jstr(&r, "action_types.0.id") : "");
	snprintf(first_secret, sizeof(first_secret), "%s",
	    nz(jstr(&r, "action_types.0.webhook_secret")));
	resp_free(&r);

	api(&r, "GET", "/api/external/action-types?provider=smile-io", f.key, NULL);
	ok(r.status == 200 && json_object_array_length(jget(&r, "action_types")) == 2 &&
	    strcmp(jstr(&r, "action_types.0.delivery_webhook"), "http://127.0.0.1:9/smile") == 0 &&
	    json_object_get_boolean(jget(&r, "action_types.0.active")) &&
	    jint(&r, "action_types.1.parameters_schema.properties.amount.maximum") == 100000 &&
	    strcmp(jstr(&r, "action_types.1.domain"), "loyalty") == 0,
	    "connect: the template's types are listed with provider smile-io (%s)", r.body);
	resp_free(&r);
	if (sql_query(out, sizeof(out), "SELECT credentials_enc FROM platform_connections "
	    "WHERE tenant_id = '%s' AND platform_id = 'smile-io'", f.tenant_id) == 0)
		ok(strncmp(out, "v1:", 3) == 0 && strstr(out, API_KEY) == NULL &&
		    strstr(out, "api_key") == NULL, "connect: credentials stored sealed (%.12s...)", out);
	else
		diag("skipped: credentials-at-rest check needs RETIVO_SQL");
	ok(sql_int("SELECT COUNT(*) FROM action_types WHERE tenant_id = '%s' AND "
	    "platform_id = 'smile-io'", f.tenant_id) == 2, "connect: the types carry platform_id");
	api(&r, "GET", PL_PATH, f.key, NULL);
	ok(r.status == 200 && pl_connected(f.key, "smile-io") && strstr(r.body, API_KEY) == NULL,
	    "list: smile-io connected, no credentials shown");
	resp_free(&r);

	api(&r, "POST", PL_PATH "/smile-io/connect", f.key,
	    "{\"credentials\":{\"api_key\":\"sk_live_rotated\"}}");
	ok(r.status == 200 && jstr(&r, "action_types.0.id") &&
	    strcmp(jstr(&r, "action_types.0.id"), first_id) == 0 &&
	    strcmp(jstr(&r, "action_types.0.webhook_secret"), first_secret) != 0,
	    "reconnect: the same types, fresh secrets (%s)", r.body);
	resp_free(&r);
	api(&r, "GET", "/api/external/action-types?provider=smile-io", f.key, NULL);
	ok(r.status == 200 && json_object_array_length(jget(&r, "action_types")) == 2 &&
	    strstr(jstr(&r, "action_types.0.delivery_webhook"), "smile.io") != NULL,
	    "reconnect without delivery_webhook: the platform's default URL");
	resp_free(&r);

	api(&r, "POST", "/api/external/action-types", f.key, "{\"name\":\"issue_voucher\","
	    "\"description\":\"Our own\",\"provider\":\"in-house\",\"parameters_schema\":{},"
	    "\"delivery_webhook\":\"https://127.0.0.1:9/own\"}");
	ok(r.status == 201, "conflict: the tenant's own issue_voucher type");
	resp_free(&r);
	api(&r, "POST", PL_PATH "/loyaltylion/connect", f.key,
	    "{\"credentials\":{\"token\":\"t\",\"secret\":\"s\"}}");
	ok(is_error(&r, 409, "issue_voucher"), "conflict: connecting loyaltylion is 409 naming "
	    "issue_voucher (%s)", r.body);
	resp_free(&r);
	ok(!pl_connected(f.key, "loyaltylion") && types_of(f.key, "loyaltylion", "true") == 0 &&
	    types_of(f.key, "in-house", "true") == 1, "conflict: nothing registered, ours untouched");

	api(&r, "POST", PL_PATH "/yotpo/connect", f.key,
	    "{\"credentials\":{\"api_key\":\"y\",\"guid\":\"g\"}}");
	ok(r.status == 200 && jint(&r, "action_types_registered") == 2, "connect: yotpo too");
	resp_free(&r);
	api(&r, "POST", PL_PATH "/gameball/connect", f.key,
	    "{\"credentials\":{\"api_key\":\"a\",\"secret_key\":\"b\"}}");
	ok(r.status == 200 && jint(&r, "action_types_registered") == 2 &&
	    strcmp(jstr(&r, "platform.domain"), "gamification") == 0, "connect: gameball too");
	resp_free(&r);

	api(&r, "POST", PL_PATH "/smile-io/disconnect", f.key, "{}");
	ok(r.status == 200 && !json_object_get_boolean(jget(&r, "platform.connected")) &&
	    jstr(&r, "platform.disconnected_at") != NULL && jint(&r, "action_types_deactivated") == 2,
	    "disconnect: 200, two types deactivated (%s)", r.body);
	resp_free(&r);
	ok(types_of(f.key, "smile-io", "true") == 0 && types_of(f.key, "smile-io", "false") == 2 &&
	    types_of(f.key, "yotpo", "true") == 2, "disconnect: only that platform's types");
	ok(sql_int("SELECT LENGTH(credentials_enc) FROM platform_connections WHERE tenant_id = '%s' "
	    "AND platform_id = 'smile-io'", f.tenant_id) == 0, "disconnect: credentials forgotten");
	api(&r, "POST", PL_PATH "/smile-io/disconnect", f.key, "{}");
	ok(r.status == 409, "disconnect: twice is 409");
	resp_free(&r);
	api(&r, "POST", PL_PATH "/smile-io/connect", f.key, "{\"credentials\":{\"api_key\":\"k2\"}}");
	ok(r.status == 200 && strcmp(jstr(&r, "action_types.0.id"), first_id) == 0 &&
	    types_of(f.key, "smile-io", "true") == 2, "reconnect after disconnect: reactivated");
	resp_free(&r);

	ok(!pl_connected(g.key, "smile-io") && types_of(g.key, "smile-io", "true") == 0,
	    "another tenant: not connected, no types");
	api(&r, "POST", PL_PATH "/smile-io/connect", g.key, "{\"credentials\":{\"api_key\":\"g\"}}");
	ok(r.status == 200 && jstr(&r, "action_types.0.id") &&
	    strcmp(jstr(&r, "action_types.0.id"), first_id) != 0, "another tenant connects its own");
	resp_free(&r);
	api(&r, "POST", PL_PATH "/smile-io/disconnect", g.key, "{}");
	ok(r.status == 200, "another tenant disconnects");
	resp_free(&r);
	ok(pl_connected(f.key, "smile-io") && types_of(f.key, "smile-io", "true") == 2,
	    "another tenant's disconnect leaves ours connected");
}
