/* test_keys.c — /api/keys: create, list, revoke, scopes and isolation. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "client.h"
#include "helpers.h"
#include "suites.h"

void
suite_keys(void)
{
	struct fixture f, g;
	struct resp r;
	char key[64], id[64], test_key[64], path[128], manage_key[64];
	struct json_object *arr;

	if (!ok(fixture_tenant(&f, "growth", "standalone") == 0 &&
	    fixture_tenant(&g, "growth", "standalone") == 0, "keys: fixture tenants"))
		return;

	api(&r, "POST", "/api/keys", f.key,
	    "{\"label\":\"ci\",\"mode\":\"live\",\"scopes\":[\"read\",\"ingest\"]}");
	ok(r.status == 201, "create key: 201 (%s)", r.body);
	ok(jstr(&r, "api_key") && strncmp(jstr(&r, "api_key"), "rt_live_", 8) == 0 &&
	    strlen(jstr(&r, "api_key")) == 40, "create key: api_key is rt_live_ + 32");
	ok(jstr(&r, "key.id") && strncmp(jstr(&r, "key.id"), "key_", 4) == 0, "create key: key_ id");
	ok(jstr(&r, "key.prefix") && jstr(&r, "api_key") &&
	    strncmp(jstr(&r, "api_key"), jstr(&r, "key.prefix"), strlen(jstr(&r, "key.prefix"))) == 0,
	    "create key: prefix is the start of the key");
	ok(jstr(&r, "key.scopes.0") && strcmp(jstr(&r, "key.scopes.0"), "ingest") == 0 &&
	    strcmp(jstr(&r, "key.scopes.1"), "read") == 0, "create key: scopes echoed");
	ok(jstr(&r, "key.label") && strcmp(jstr(&r, "key.label"), "ci") == 0 &&
	    jstr(&r, "key.mode") && strcmp(jstr(&r, "key.mode"), "live") == 0 &&
	    jstr(&r, "key.created_at") != NULL, "create key: label, mode, created_at");
	snprintf(key, sizeof(key), "%s", nz(jstr(&r, "api_key")));
	snprintf(id, sizeof(id), "%s", nz(jstr(&r, "key.id")));
	resp_free(&r);

	api(&r, "GET", "/api/external/action-types", key, NULL);
	ok(r.status == 200, "new read key works at once: %ld", r.status);
	resp_free(&r);
	api(&r, "GET", "/api/keys", key, NULL);
	ok(is_error(&r, 403, "scope"), "a read key cannot manage keys: 403 (%s)", r.body);
	resp_free(&r);

	api(&r, "POST", "/api/keys", f.key, "{\"mode\":\"test\",\"scopes\":[\"full\"]}");
	ok(r.status == 201 && jstr(&r, "api_key") &&
	    strncmp(jstr(&r, "api_key"), "rt_test_", 8) == 0, "test-mode key is rt_test_");
	snprintf(test_key, sizeof(test_key), "%s", nz(jstr(&r, "api_key")));
	resp_free(&r);
	api(&r, "GET", "/api/keys", test_key, NULL);
	ok(r.status == 200, "test key authenticates");
	resp_free(&r);

	api(&r, "GET", "/api/keys", f.key, NULL);
	ok(r.status == 200 && (arr = jget(&r, "keys")) && json_object_array_length(arr) == 3,
	    "list: the tenant's three keys (%s)", r.body);
	ok(strstr(r.body, key) == NULL && strstr(r.body, test_key) == NULL && strstr(r.body, "api_key") == NULL && strstr(r.body, "hash") == NULL,
	    "list: never shows a secret or hash");
	ok(jstr(&r, "keys.0.last_used_at") != NULL || jstr(&r, "keys.1.last_used_at") != NULL,
	    "list: last_used_at is set on used keys");
	resp_free(&r);

	api(&r, "GET", "/api/keys?limit=1", f.key, NULL);
	ok(r.status == 200 && json_object_array_length(jget(&r, "keys")) == 1 &&
	    json_object_get_boolean(jget(&r, "has_more")) && jstr(&r, "next_cursor"),
	    "list: limit=1 has more with a cursor");
	snprintf(path, sizeof(path), "/api/keys?limit=1&cursor=%s",
	    nz(jstr(&r, "next_cursor")));
	snprintf(manage_key, sizeof(manage_key), "%s", nz(jstr(&r, "keys.0.id")));
	resp_free(&r);
	api(&r, "GET", path, f.key, NULL);
	ok(r.status == 200 && jstr(&r, "keys.0.id") && strcmp(jstr(&r, "keys.0.id"), manage_key) != 0,
	    "list: the cursor moves to the next page");
	resp_free(&r);

	api(&r, "POST", "/api/keys", f.key, "{\"scopes\":[\"read\"]}");
	ok(is_error(&r, 400, "mode") && strcmp(jstr(&r, "field"), "mode") == 0,
	    "missing mode: 400 naming mode (%s)", r.body);
	resp_free(&r);
	api(&r, "POST", "/api/keys", f.key, "{\"mode\":\"live\"}");
	ok(is_error(&r, 400, "scopes"), "missing scopes: 400 naming scopes");
	resp_free(&r);
	api(&r, "POST", "/api/keys", f.key, "{\"mode\":\"live\",\"scopes\":[]}");
	ok(is_error(&r, 400, "scopes"), "empty scopes: 400");
	resp_free(&r);
	api(&r, "POST", "/api/keys", f.key, "{\"mode\":\"prod\",\"scopes\":[\"read\"]}");
	ok(is_error(&r, 400, "live, test"), "bad mode: 400 listing modes");
	resp_free(&r);
	api(&r, "POST", "/api/keys", f.key, "{\"mode\":\"live\",\"scopes\":[\"read\",\"admin\"]}");
	ok(is_error(&r, 400, "scopes[1]") && strcmp(jstr(&r, "field"), "scopes[1]") == 0,
	    "unknown scope: 400 naming scopes[1] (%s)", r.body);
	resp_free(&r);
	api(&r, "POST", "/api/keys", f.key, "{\"mode\":\"live\",\"scopes\":[\"partner\"]}");
	ok(is_error(&r, 400, "partner"), "partner scope on a standalone tenant: 400");
	resp_free(&r);
	api(&r, "POST", "/api/keys", f.key, "{\"mode\":\"live\",\"scopes\":[\"read\"],\"owner\":\"x\"}");
	ok(is_error(&r, 400, "owner"), "unknown field: 400 naming it");
	resp_free(&r);

	snprintf(path, sizeof(path), "/api/keys/%s", id);
	api(&r, "DELETE", path, g.key, NULL);
	ok(is_error(&r, 404, NULL), "another tenant's key: 404");
	resp_free(&r);
	api(&r, "GET", "/api/external/action-types", key, NULL);
	ok(r.status == 200, "the key still works after the foreign delete");
	resp_free(&r);
	api(&r, "DELETE", "/api/keys/key_doesnotexist", f.key, NULL);
	ok(is_error(&r, 404, NULL), "unknown key id: 404");
	resp_free(&r);

	api(&r, "DELETE", path, f.key, NULL);
	ok(r.status == 200 && jstr(&r, "key.revoked_at") != NULL, "revoke: 200 with revoked_at");
	resp_free(&r);
	api(&r, "GET", "/api/external/action-types", key, NULL);
	ok(is_error(&r, 401, "revoked") && strcmp(jstr(&r, "code"), "key_revoked") == 0,
	    "a revoked key gets 401 from then on (%s)", r.body);
	resp_free(&r);
	api(&r, "DELETE", path, f.key, NULL);
	ok(r.status == 200, "revoking twice is idempotent");
	resp_free(&r);
}
