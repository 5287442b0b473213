/*
 * test_commerces.c — /api/commerces (SPEC.md): create with a name alone
 * and with every field, validation naming the field, external_id unique
 * per tenant (409), get, list with paging and the external_id filter,
 * PUT and PATCH, delete, scopes, the x-tenant-id header, and another
 * tenant's key on every id-taking route (404).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "activities_helpers.h"
#include "client.h"
#include "suites.h"

#define FULL "{\"name\":\"Bodega Sol\",\"external_id\":\"ext-%s\",\"attributes\":" \
	"{\"tier\":\"gold\",\"address\":{\"city\":\"Lima\"}},\"contacts\":[" \
	"{\"id\":\"c-ana\",\"name\":\"Ana\",\"role\":\"manager\",\"channels\":{\"email\":" \
	"\"ana@sol.pe\",\"whatsapp\":\"+51911\"},\"last_contacted_at\":{\"WHATSAPP\":" \
	"\"2026-03-01T10:00:00Z\"}},{\"name\":\"Beto\",\"role\":\"seller\",\"is_sales_rep\":true," \
	"\"channels\":{\"phone\":\"+51922\"}},{\"name\":\"Cora\",\"is_owner\":true}]}"

static struct fixture F, G;

static void
check_create(void)
{
	struct resp r;
	const char *cid;

	api(&r, "POST", "/api/commerces", F.key, "{\"name\":\"Kiosko\"}");
	ok(r.status == 201 && jstr(&r, "commerce.id") != NULL && strlen(jstr(&r, "commerce.id")) == 36 &&
	    json_object_array_length(jget(&r, "commerce.contacts")) == 0 &&
	    json_object_object_length(jget(&r, "commerce.attributes")) == 0 &&
	    jget(&r, "commerce.external_id") == NULL && jstr(&r, "commerce.created_at") != NULL,
	    "create: a name alone is enough (201, UUID id, no contacts) — %ld %s", r.status, r.body);
	resp_free(&r);
	api(&r, "POST", "/api/commerces", F.key, FULL, "one");
	cid = jstr(&r, "commerce.contacts.1.id");
	ok(r.status == 201 && strcmp(jstr(&r, "commerce.external_id"), "ext-one") == 0 &&
	    strcmp(jstr(&r, "commerce.contacts.0.id"), "c-ana") == 0 &&
	    cid != NULL && strncmp(cid, "ct_", 3) == 0 &&
	    strcmp(jstr(&r, "commerce.sales_rep_contact_id"), cid) == 0 &&
	    strncmp(jstr(&r, "commerce.owner_contact_id"), "ct_", 3) == 0 &&
	    strcmp(jstr(&r, "commerce.contacts.0.last_contacted_at.whatsapp"),
	    "2026-03-01T10:00:00Z") == 0 &&
	    strcmp(jstr(&r, "commerce.attributes.address.city"), "Lima") == 0 &&
	    strcmp(jstr(&r, "commerce.contacts.2.name"), "Cora") == 0,
	    "create: every field (ids kept or given ct_…, sales rep and owner, channel times) — %s",
	    r.body);
	resp_free(&r);
	api(&r, "POST", "/api/commerces", F.key, FULL, "one");
	ok(r.status == 409 && strcmp(jstr(&r, "code"), "external_id_exists") == 0,
	    "create: a repeated external_id is 409 external_id_exists (%ld)", r.status);
	resp_free(&r);
	api(&r, "POST", "/api/commerces", G.key, FULL, "one");
	ok(r.status == 201, "create: another tenant may use the same external_id (%ld)", r.status);
	resp_free(&r);
}

static const struct {
	const char *desc, *body, *field;
} bad[] = {
	{ "no name", "{\"external_id\":\"x\"}", "name" },
	{ "empty name", "{\"name\":\"\"}", "name" },
	{ "name not a string", "{\"name\":5}", "name" },
	{ "unknown field", "{\"name\":\"a\",\"colour\":\"red\"}", "colour" },
	{ "contacts not an array", "{\"name\":\"a\",\"contacts\":{}}", "contacts" },
	{ "contact without a name", "{\"name\":\"a\",\"contacts\":[{\"role\":\"x\"}]}",
	  "contacts[0].name" },
	{ "contact with an unknown channel", "{\"name\":\"a\",\"contacts\":[{\"name\":\"b\","
	  "\"channels\":{\"telex\":\"1\"}}]}", "contacts[0].channels.telex" },
	{ "contact last contacted on no channel", "{\"name\":\"a\",\"contacts\":[{\"name\":\"b\","
	  "\"last_contacted_at\":{\"pigeon\":\"2026-01-01T00:00:00Z\"}}]}",
	  "contacts[0].last_contacted_at" },
	{ "contact flag not boolean", "{\"name\":\"a\",\"contacts\":[{\"name\":\"b\","
	  "\"is_owner\":1}]}", "contacts[0].is_owner" },
	{ "attributes not an object", "{\"name\":\"a\",\"attributes\":[1]}", "attributes" },
	{ "external_id empty", "{\"name\":\"a\",\"external_id\":\"\"}", "external_id" },
};

static void
check_validation(void)
{
	struct resp r;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		api(&r, "POST", "/api/commerces", F.key, "%s", bad[i].body);
		ok(r.status == 400 && jstr(&r, "field") != NULL &&
		    strcmp(jstr(&r, "field"), bad[i].field) == 0 &&
		    strstr(jstr(&r, "error"), bad[i].field) != NULL,
		    "validation: %s is 400 naming %s (%ld %s)", bad[i].desc, bad[i].field, r.status,
		    r.body);
		resp_free(&r);
	}
}

static void
check_read_update_delete(void)
{
	struct resp r;
	char a[64], b[64], c[64], path[128];
	const char *cursor;

	if (commerce_fixture(F.key, "{\"name\":\"A\",\"external_id\":\"page-a\"}", a) != 0 ||
	    commerce_fixture(F.key, "{\"name\":\"B\",\"external_id\":\"page-b\"}", b) != 0 ||
	    commerce_fixture(F.key, "{\"name\":\"C\"}", c) != 0) {
		ok(0, "fixtures for reads");
		return;
	}
	snprintf(path, sizeof(path), "/api/commerces/%s", a);
	api(&r, "GET", path, F.key, NULL);
	ok(r.status == 200 && strcmp(jstr(&r, "commerce.name"), "A") == 0, "get: 200 (%ld)",
	    r.status);
	resp_free(&r);
	api(&r, "GET", path, G.key, NULL);
	ok(r.status == 404, "get: another tenant's commerce is 404 (%ld)", r.status);
	resp_free(&r);
	api(&r, "GET", "/api/commerces/not-a-uuid", F.key, NULL);
	ok(r.status == 404, "get: a malformed id is 404 (%ld)", r.status);
	resp_free(&r);

	api(&r, "GET", "/api/commerces?limit=2", F.key, NULL);
	ok(r.status == 200 && json_object_array_length(jget(&r, "commerces")) == 2 &&
	    strcmp(jstr(&r, "commerces.0.id"), c) == 0 &&
	    json_object_get_boolean(jget(&r, "has_more")) && jstr(&r, "next_cursor") != NULL,
	    "list: newest first, limit 2, has_more and next_cursor (%s)", r.body);
	cursor = jstr(&r, "next_cursor");
	snprintf(path, sizeof(path), "/api/commerces?limit=2&cursor=%s", cursor ? cursor : "x");
	resp_free(&r);
	api(&r, "GET", path, F.key, NULL);
	ok(r.status == 200 && strcmp(jstr(&r, "commerces.0.id"), a) == 0,
	    "list: the next page starts after the cursor (%ld)", r.status);
	resp_free(&r);
	api(&r, "GET", "/api/commerces?external_id=page-b", F.key, NULL);
	ok(r.status == 200 && json_object_array_length(jget(&r, "commerces")) == 1 &&
	    strcmp(jstr(&r, "commerces.0.id"), b) == 0, "list: external_id filter (%ld)", r.status);
	resp_free(&r);
	api(&r, "GET", "/api/commerces?external_id=page-b", G.key, NULL);
	ok(r.status == 200 && json_object_array_length(jget(&r, "commerces")) == 0,
	    "list: another tenant sees none of them (%ld)", r.status);
	resp_free(&r);
	api(&r, "GET", "/api/commerces?cursor=nope", F.key, NULL);
	ok(r.status == 400 && strcmp(jstr(&r, "field"), "cursor") == 0, "list: unknown cursor is 400");
	resp_free(&r);
	api(&r, "GET", "/api/commerces?limit=0", F.key, NULL);
	ok(r.status == 400 && strcmp(jstr(&r, "field"), "limit") == 0, "list: limit 0 is 400");
	resp_free(&r);

	snprintf(path, sizeof(path), "/api/commerces/%s", a);
	api(&r, "PUT", path, F.key, "{\"name\":\"A2\",\"attributes\":{\"k\":1}}");
	ok(r.status == 200 && strcmp(jstr(&r, "commerce.name"), "A2") == 0 &&
	    strcmp(jstr(&r, "commerce.external_id"), "page-a") == 0 &&
	    jint(&r, "commerce.attributes.k") == 1,
	    "put: the fields given change, the others stay (%s)", r.body);
	resp_free(&r);
	api(&r, "PATCH", path, F.key, "{\"contacts\":[{\"name\":\"Zed\",\"is_owner\":true}],"
	    "\"external_id\":null}");
	ok(r.status == 200 && strcmp(jstr(&r, "commerce.contacts.0.name"), "Zed") == 0 &&
	    jget(&r, "commerce.external_id") == NULL && jstr(&r, "commerce.owner_contact_id") != NULL &&
	    strcmp(jstr(&r, "commerce.name"), "A2") == 0,
	    "patch: contacts replaced whole, external_id cleared with null (%s)", r.body);
	resp_free(&r);
	api(&r, "PATCH", path, F.key, "{\"external_id\":\"page-b\"}");
	ok(r.status == 409 && strcmp(jstr(&r, "code"), "external_id_exists") == 0,
	    "patch: taking another commerce's external_id is 409 (%ld)", r.status);
	resp_free(&r);
	api(&r, "PATCH", path, F.key, "{\"name\":\"\"}");
	ok(r.status == 400 && strcmp(jstr(&r, "field"), "name") == 0, "patch: empty name is 400");
	resp_free(&r);
	api(&r, "PUT", path, G.key, "{\"name\":\"stolen\"}");
	ok(r.status == 404, "put: another tenant's commerce is 404 (%ld)", r.status);
	resp_free(&r);

	api(&r, "DELETE", path, G.key, NULL);
	ok(r.status == 404, "delete: another tenant's commerce is 404 (%ld)", r.status);
	resp_free(&r);
	api(&r, "DELETE", path, F.key, NULL);
	ok(r.status == 200 && json_object_get_boolean(jget(&r, "deleted")), "delete: 200 (%ld)",
	    r.status);
	resp_free(&r);
	api(&r, "GET", path, F.key, NULL);
	ok(r.status == 404, "delete: gone afterwards (%ld)", r.status);
	resp_free(&r);
	api(&r, "DELETE", path, F.key, NULL);
	ok(r.status == 404, "delete: twice is 404 (%ld)", r.status);
	resp_free(&r);
}

static void
check_scopes_and_tenant_header(void)
{
	struct resp r;
	char readkey[64], ingest[64], manage[64], other[64];

	if (fixture_key(F.tenant_id, "live", "read", readkey, sizeof(readkey)) != 0 ||
	    fixture_key(F.tenant_id, "live", "ingest", ingest, sizeof(ingest)) != 0 ||
	    fixture_key(F.tenant_id, "live", "manage", manage, sizeof(manage)) != 0) {
		ok(0, "scope keys");
		return;
	}
	api(&r, "GET", "/api/commerces", readkey, NULL);
	ok(r.status == 200, "scopes: read lists (%ld)", r.status);
	resp_free(&r);
	api(&r, "POST", "/api/commerces", readkey, "{\"name\":\"x\"}");
	ok(r.status == 403, "scopes: read cannot create (%ld)", r.status);
	resp_free(&r);
	api(&r, "GET", "/api/commerces", ingest, NULL);
	ok(r.status == 403, "scopes: ingest cannot read (%ld)", r.status);
	resp_free(&r);
	api(&r, "POST", "/api/commerces", manage, "{\"name\":\"x\"}");
	ok(r.status == 201, "scopes: manage creates (%ld)", r.status);
	resp_free(&r);
	api(&r, "GET", "/api/commerces", NULL, NULL);
	ok(r.status == 401, "no key is 401 (%ld)", r.status);
	resp_free(&r);

	api_tenant(&r, "POST", "/api/commerces", F.key, F.tenant_id, "{\"name\":\"hdr\"}");
	ok(r.status == 201, "x-tenant-id: the key's own tenant is accepted (%ld)", r.status);
	resp_free(&r);
	api_tenant(&r, "GET", "/api/commerces", F.key, "tenant-1", NULL);
	ok(r.status == 400 && strcmp(jstr(&r, "field"), "x-tenant-id") == 0,
	    "x-tenant-id: not a UUID is 400 naming x-tenant-id (%s)", r.body);
	resp_free(&r);
	snprintf(other, sizeof(other), "%s", G.tenant_id);
	api_tenant(&r, "POST", "/api/commerces", F.key, other, "{\"name\":\"hdr\"}");
	ok(r.status == 403 && strcmp(jstr(&r, "code"), "tenant_mismatch") == 0,
	    "x-tenant-id: another tenant is 403 tenant_mismatch (%s)", r.body);
	resp_free(&r);
}

void
suite_commerces(void)
{
	if (fixture_tenant(&F, "scale", "standalone") != 0 ||
	    fixture_tenant(&G, "scale", "standalone") != 0) {
		ok(0, "commerces: fixtures");
		return;
	}
	check_create();
	check_validation();
	check_read_update_delete();
	check_scopes_and_tenant_header();
}
