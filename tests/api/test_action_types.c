/* test_action_types.c — seed 000 "Action Types", every route and rule. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "helpers.h"
#include "suites.h"

#define SCHEMA "{\"type\":\"object\",\"properties\":{\"amount\":{\"type\":\"integer\"," \
	"\"minimum\":1,\"maximum\":10000}},\"required\":[\"amount\"]}"

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

/* Registers an action type; returns the response status, id in id_out. */
static long
register_type(const char *key, const char *name, const char *provider, const char *domain,
    char *id_out, size_t idlen, char *secret_out, size_t secretlen)
{
	struct resp r;
	long status;

	api(&r, "POST", "/api/external/action-types", key,
	    "{\"name\":\"%s\",\"description\":\"Grant loyalty points\",\"provider\":\"%s\","
	    "\"parameters_schema\":" SCHEMA ",\"delivery_webhook\":\"https://hooks.example.com/x\","
	    "\"domain\":\"%s\",\"estimated_cost_usd\":\"0.05\"}", name, provider, domain);
	status = r.status;
	if (id_out)
		snprintf(id_out, idlen, "%s", nz(jstr(&r, "action_type.id")));
	if (secret_out)
		snprintf(secret_out, secretlen, "%s",
		    nz(jstr(&r, "action_type.webhook_secret")));
	resp_free(&r);
	return status;
}

static const struct {
	const char *field;
	const char *body;
} missing[] = {
	{ "name", "{\"description\":\"d\",\"provider\":\"p\",\"parameters_schema\":{},"
	    "\"delivery_webhook\":\"https://h.example.com/\"}" },
	{ "description", "{\"name\":\"a_b\",\"provider\":\"p\",\"parameters_schema\":{},"
	    "\"delivery_webhook\":\"https://h.example.com/\"}" },
	{ "provider", "{\"name\":\"a_b\",\"description\":\"d\",\"parameters_schema\":{},"
	    "\"delivery_webhook\":\"https://h.example.com/\"}" },
	{ "parameters_schema", "{\"name\":\"a_b\",\"description\":\"d\",\"provider\":\"p\","
	    "\"delivery_webhook\":\"https://h.example.com/\"}" },
	{ "delivery_webhook", "{\"name\":\"a_b\",\"description\":\"d\",\"provider\":\"p\","
	    "\"parameters_schema\":{}}" },
};

static const struct {
	const char *desc, *field, *body;
} malformed[] = {
	{ "camelCase name", "name", "{\"name\":\"grantPoints\",\"description\":\"d\",\"provider\":\"p\","
	    "\"parameters_schema\":{},\"delivery_webhook\":\"https://h.example.com/\"}" },
	{ "name not a string", "name", "{\"name\":5,\"description\":\"d\",\"provider\":\"p\","
	    "\"parameters_schema\":{},\"delivery_webhook\":\"https://h.example.com/\"}" },
	{ "ftp webhook", "delivery_webhook", "{\"name\":\"a_b\",\"description\":\"d\",\"provider\":\"p\","
	    "\"parameters_schema\":{},\"delivery_webhook\":\"ftp://h.example.com/\"}" },
	{ "relative webhook", "delivery_webhook", "{\"name\":\"a_b\",\"description\":\"d\","
	    "\"provider\":\"p\",\"parameters_schema\":{},\"delivery_webhook\":\"/hook\"}" },
	{ "schema not an object", "parameters_schema", "{\"name\":\"a_b\",\"description\":\"d\","
	    "\"provider\":\"p\",\"parameters_schema\":\"object\",\"delivery_webhook\":\"https://h.example.com/\"}" },
	{ "schema with a bad type", "parameters_schema", "{\"name\":\"a_b\",\"description\":\"d\","
	    "\"provider\":\"p\",\"parameters_schema\":{\"type\":\"strin\"},"
	    "\"delivery_webhook\":\"https://h.example.com/\"}" },
	{ "schema with a bad minimum", "parameters_schema", "{\"name\":\"a_b\",\"description\":\"d\","
	    "\"provider\":\"p\",\"parameters_schema\":{\"properties\":{\"a\":{\"minimum\":\"x\"}}},"
	    "\"delivery_webhook\":\"https://h.example.com/\"}" },
	{ "cost as a number", "estimated_cost_usd", "{\"name\":\"a_b\",\"description\":\"d\","
	    "\"provider\":\"p\",\"parameters_schema\":{},\"delivery_webhook\":\"https://h.example.com/\","
	    "\"estimated_cost_usd\":0.05}" },
	{ "cost not decimal", "estimated_cost_usd", "{\"name\":\"a_b\",\"description\":\"d\","
	    "\"provider\":\"p\",\"parameters_schema\":{},\"delivery_webhook\":\"https://h.example.com/\","
	    "\"estimated_cost_usd\":\"five\"}" },
	{ "provider with a space", "provider", "{\"name\":\"a_b\",\"description\":\"d\","
	    "\"provider\":\"smile io\",\"parameters_schema\":{},\"delivery_webhook\":\"https://h.example.com/\"}" },
	{ "unknown field", "webhook", "{\"name\":\"a_b\",\"description\":\"d\",\"provider\":\"p\","
	    "\"parameters_schema\":{},\"delivery_webhook\":\"https://h.example.com/\",\"webhook\":1}" },
	{ "empty description", "description", "{\"name\":\"a_b\",\"description\":\"\",\"provider\":\"p\","
	    "\"parameters_schema\":{},\"delivery_webhook\":\"https://h.example.com/\"}" },
};

static void
check_sealed(const char *id, const char *secret)
{
	const char *sql = getenv("RETIVO_SQL");
	char cmd[1024], out[1024] = "";
	FILE *p;
	size_t n;

	if (sql == NULL) {
		diag("skipped: secret-at-rest check needs RETIVO_SQL (database command)");
		return;
	}
	snprintf(cmd, sizeof(cmd), "%s -e \"SELECT webhook_secret_enc FROM action_types WHERE id='%s'\"",
	    sql, id);
	if ((p = popen(cmd, "r")) != NULL) {
		n = fread(out, 1, sizeof(out) - 1, p);
		out[n] = '\0';
		pclose(p);
	}
	ok(strncmp(out, "v1:", 3) == 0 && strstr(out, secret) == NULL,
	    "webhook secret is stored sealed, not in clear (%.20s...)", out);
}

void
suite_action_types(void)
{
	struct fixture f, g;
	struct resp r;
	char id[64], id2[64], secret[80], path[160], read_key[64], ingest_key[64];
	size_t i;

	if (!ok(fixture_tenant(&f, "growth", "standalone") == 0 &&
	    fixture_tenant(&g, "growth", "standalone") == 0 &&
	    fixture_key(f.tenant_id, "live", "read", read_key, sizeof(read_key)) == 0 &&
	    fixture_key(f.tenant_id, "live", "ingest", ingest_key, sizeof(ingest_key)) == 0,
	    "action types: fixtures"))
		return;

	api(&r, "POST", "/api/external/action-types", f.key,
	    "{\"name\":\"grant_points\",\"description\":\"Grant loyalty points\","
	    "\"provider\":\"smile-io\",\"parameters_schema\":" SCHEMA ","
	    "\"delivery_webhook\":\"https://hooks.example.com/smile\",\"domain\":\"loyalty\","
	    "\"estimated_cost_usd\":\"0.05\"}");
	ok(r.status == 201, "register: 201 (%s)", r.body);
	ok(jstr(&r, "action_type.id") && strncmp(jstr(&r, "action_type.id"), "at_", 3) == 0,
	    "register: at_ id");
	ok(jstr(&r, "action_type.name") && strcmp(jstr(&r, "action_type.name"), "grant_points") == 0,
	    "register: name echoed");
	ok(is_hex64(jstr(&r, "action_type.webhook_secret")), "register: 64-hex webhook_secret");
	snprintf(id, sizeof(id), "%s", nz(jstr(&r, "action_type.id")));
	snprintf(secret, sizeof(secret), "%s",
	    nz(jstr(&r, "action_type.webhook_secret")));
	resp_free(&r);
	check_sealed(id, secret);

	snprintf(path, sizeof(path), "/api/external/action-types/%s", id);
	api(&r, "GET", path, f.key, NULL);
	ok(r.status == 200 && jstr(&r, "action_type.id") && strcmp(jstr(&r, "action_type.id"), id) == 0,
	    "get: 200");
	ok(strstr(r.body, "webhook_secret") == NULL && strstr(r.body, secret) == NULL,
	    "get: the secret is never shown again");
	ok(jint(&r, "action_type.parameters_schema.properties.amount.maximum") == 10000,
	    "get: parameters_schema comes back as JSON");
	ok(json_object_get_boolean(jget(&r, "action_type.active")) &&
	    strcmp(jstr(&r, "action_type.domain"), "loyalty") == 0 &&
	    strcmp(jstr(&r, "action_type.estimated_cost_usd"), "0.05") == 0 &&
	    strcmp(jstr(&r, "action_type.provider"), "smile-io") == 0,
	    "get: active, domain, cost, provider");
	resp_free(&r);

	ok(register_type(f.key, "grant_points", "smile-io", "loyalty", NULL, 0, NULL, 0) == 409,
	    "register: a duplicate name is 409");
	ok(register_type(g.key, "grant_points", "smile-io", "loyalty", NULL, 0, NULL, 0) == 201,
	    "register: another tenant may use the same name");
	ok(register_type(f.key, "award_badge", "badgeville", "gamification", id2, sizeof(id2), NULL, 0)
	    == 201, "register: a second type");

	for (i = 0; i < sizeof(missing) / sizeof(missing[0]); i++) {
		api(&r, "POST", "/api/external/action-types", f.key, "%s", missing[i].body);
		ok(is_error(&r, 400, missing[i].field) && jstr(&r, "field") &&
		    strcmp(jstr(&r, "field"), missing[i].field) == 0 &&
		    strcmp(jstr(&r, "code"), "missing_field") == 0,
		    "register without %s: 400 naming it (%s)", missing[i].field, r.body);
		resp_free(&r);
	}
	for (i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
		api(&r, "POST", "/api/external/action-types", f.key, "%s", malformed[i].body);
		ok(is_error(&r, 400, malformed[i].field) && jstr(&r, "field") &&
		    strcmp(jstr(&r, "field"), malformed[i].field) == 0,
		    "register with %s: 400 naming %s (%s)", malformed[i].desc, malformed[i].field, r.body);
		resp_free(&r);
	}

	api(&r, "GET", "/api/external/action-types", f.key, NULL);
	ok(r.status == 200 && json_object_array_length(jget(&r, "action_types")) == 2,
	    "list: the tenant's two types only");
	ok(strstr(r.body, "webhook_secret") == NULL, "list: no secrets");
	resp_free(&r);
	api(&r, "GET", "/api/external/action-types?provider=smile-io", f.key, NULL);
	ok(r.status == 200 && json_object_array_length(jget(&r, "action_types")) == 1 &&
	    strcmp(jstr(&r, "action_types.0.name"), "grant_points") == 0, "list: provider filter");
	resp_free(&r);
	api(&r, "GET", "/api/external/action-types?domain=gamification", f.key, NULL);
	ok(r.status == 200 && json_object_array_length(jget(&r, "action_types")) == 1 &&
	    strcmp(jstr(&r, "action_types.0.name"), "award_badge") == 0, "list: domain filter");
	resp_free(&r);
	api(&r, "GET", "/api/external/action-types?provider=smile-io&domain=gamification", f.key, NULL);
	ok(r.status == 200 && json_object_array_length(jget(&r, "action_types")) == 0,
	    "list: filters combine");
	resp_free(&r);
	api(&r, "GET", "/api/external/action-types?limit=1", f.key, NULL);
	ok(r.status == 200 && json_object_array_length(jget(&r, "action_types")) == 1 &&
	    json_object_get_boolean(jget(&r, "has_more")) &&
	    strcmp(jstr(&r, "action_types.0.id"), id2) == 0, "list: newest first, paged");
	resp_free(&r);

	api(&r, "PUT", path, f.key, "{\"description\":\"Grant points (v2)\",\"domain\":null}");
	ok(r.status == 200 && strcmp(jstr(&r, "action_type.description"), "Grant points (v2)") == 0 &&
	    jget(&r, "action_type.domain") == NULL &&
	    strcmp(jstr(&r, "action_type.name"), "grant_points") == 0,
	    "update: changes only the fields sent (%s)", r.body);
	resp_free(&r);
	api(&r, "PUT", path, f.key, "{\"name\":\"award_badge\"}");
	ok(r.status == 409, "update: renaming onto an existing name is 409");
	resp_free(&r);
	api(&r, "PUT", path, f.key, "{\"delivery_webhook\":\"gopher://x\"}");
	ok(is_error(&r, 400, "delivery_webhook"), "update: a bad field is 400 naming it");
	resp_free(&r);
	api(&r, "PUT", path, f.key, "{\"parameters_schema\":{\"type\":\"object\",\"properties\":"
	    "{\"amount\":{\"type\":\"integer\",\"maximum\":500}}}}");
	ok(r.status == 200 && jint(&r, "action_type.parameters_schema.properties.amount.maximum") == 500,
	    "update: a new schema");
	resp_free(&r);

	api(&r, "GET", path, g.key, NULL);
	ok(is_error(&r, 404, "action type"), "another tenant's type: GET 404");
	resp_free(&r);
	api(&r, "PUT", path, g.key, "{\"description\":\"hijack\"}");
	ok(is_error(&r, 404, "action type"), "another tenant's type: PUT 404");
	resp_free(&r);
	api(&r, "DELETE", path, g.key, NULL);
	ok(is_error(&r, 404, "action type"), "another tenant's type: DELETE 404");
	resp_free(&r);
	api(&r, "GET", path, f.key, NULL);
	ok(r.status == 200 && strcmp(jstr(&r, "action_type.description"), "Grant points (v2)") == 0 &&
	    json_object_get_boolean(jget(&r, "action_type.active")),
	    "another tenant's attempts changed nothing");
	resp_free(&r);
	api(&r, "GET", "/api/external/action-types/at_nope", f.key, NULL);
	ok(is_error(&r, 404, NULL), "unknown id: 404");
	resp_free(&r);

	api(&r, "GET", "/api/external/action-types", read_key, NULL);
	ok(r.status == 200, "a read key may list");
	resp_free(&r);
	api(&r, "POST", "/api/external/action-types", read_key, "{}");
	ok(is_error(&r, 403, "scope"), "a read key may not register: 403");
	resp_free(&r);
	api(&r, "DELETE", path, read_key, NULL);
	ok(is_error(&r, 403, "scope"), "a read key may not delete: 403");
	resp_free(&r);
	api(&r, "GET", "/api/external/action-types", ingest_key, NULL);
	ok(is_error(&r, 403, "scope"), "an ingest key may not list: 403");
	resp_free(&r);

	api(&r, "DELETE", path, f.key, NULL);
	ok(r.status == 200 && !json_object_get_boolean(jget(&r, "action_type.active")),
	    "delete: soft, active becomes false");
	resp_free(&r);
	api(&r, "GET", path, f.key, NULL);
	ok(r.status == 200, "delete: the type is still readable");
	resp_free(&r);
	api(&r, "GET", "/api/external/action-types?active=true", f.key, NULL);
	ok(r.status == 200 && json_object_array_length(jget(&r, "action_types")) == 1 &&
	    strcmp(jstr(&r, "action_types.0.id"), id2) == 0, "list: active=true hides it");
	resp_free(&r);
	api(&r, "GET", "/api/external/action-types?active=false", f.key, NULL);
	ok(r.status == 200 && json_object_array_length(jget(&r, "action_types")) == 1 &&
	    strcmp(jstr(&r, "action_types.0.id"), id) == 0, "list: active=false shows it");
	resp_free(&r);
	api(&r, "PUT", path, f.key, "{\"active\":true}");
	ok(r.status == 200 && json_object_get_boolean(jget(&r, "action_type.active")),
	    "update: active=true reactivates");
	resp_free(&r);
}
