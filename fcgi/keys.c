/*
 * keys.c — /api/keys: create, list and revoke the tenant's API keys.
 * Managing keys needs a `full` key (seed 003: admins manage keys).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "apikey.h"
#include "http.h"
#include "ids.h"
#include "jsonin.h"
#include "log.h"
#include "page.h"
#include "reply.h"

static void keys_create(struct http_req *);
static void keys_list(struct http_req *);
static void keys_revoke(struct http_req *);

enum route {
	ROUTE_KEYS_CREATE,
	ROUTE_KEYS_LIST,
	ROUTE_KEYS_REVOKE,
	ROUTE__MAX
};

static const struct http_route routes[ROUTE__MAX] = {
	[ROUTE_KEYS_CREATE] = { "POST", "/api/keys", SCOPE_FULL, keys_create },
	[ROUTE_KEYS_LIST] = { "GET", "/api/keys", SCOPE_FULL, keys_list },
	[ROUTE_KEYS_REVOKE] = { "DELETE", "/api/keys/:id", SCOPE_FULL, keys_revoke },
};

static const char *const key_modes[] = { "live", "test", NULL };
static const char *const key_fields[] = { "label", "mode", "scopes", NULL };

static void
keys_create(struct http_req *r)
{
	struct in v;
	struct json_object *scopes, *item, *key = NULL, *out;
	const char *label, *name;
	char secret[AUTH_KEY_LEN + 1], field[32];
	unsigned bits = 0, bit;
	int mode;
	size_t i;

	in_init(&v, r->body, NULL);
	in_only(&v, key_fields);
	label = in_str(&v, "label", 0, 0, 200);
	mode = in_enum(&v, "mode", IN_REQUIRED, key_modes);
	scopes = in_arr(&v, "scopes", IN_REQUIRED, 1, 6);
	for (i = 0; !v.failed && scopes != NULL && i < json_object_array_length(scopes); i++) {
		item = json_object_array_get_idx(scopes, i);
		snprintf(field, sizeof(field), "scopes[%zu]", i);
		if (!json_object_is_type(item, json_type_string)) {
			in_fail(&v, field, "invalid_field", "must be a string");
			break;
		}
		name = json_object_get_string(item);
		if ((bit = auth_scope_bit(name)) == 0) {
			in_fail(&v, field, "invalid_field",
			    "unknown scope \"%.40s\"; use full, manage, ingest, decide, read or partner",
			    name);
			break;
		}
		if (bit == SCOPE_PARTNER && strcmp(r->auth.tenant_role, "partner") != 0) {
			in_fail(&v, field, "invalid_field",
			    "the partner scope is only for partner tenants");
			break;
		}
		bits |= bit;
	}
	if (in_reject(&v, r))
		return;
	if (apikey_create(r->auth.tenant_id, label, mode == 1, bits, r->now, secret, &key) != 0) {
		http_internal(r);
		return;
	}
	out = json_object_new_object();
	json_object_object_add(out, "key", key);
	json_object_object_add(out, "api_key", json_object_new_string(secret));
	http_json(r, 201, out);
}

static void
keys_list(struct http_req *r)
{
	struct json_object *arr;
	const char *cursor;
	int limit, has_more;

	if (reply_page_query(r, 0, &limit, &cursor) != 0)
		return;
	arr = apikey_list(r->auth.tenant_id, limit, cursor, &has_more);
	reply_page(r, "keys", NULL, arr, has_more, 0);
}

static void
keys_revoke(struct http_req *r)
{
	struct json_object *key, *out;
	int found;

	if (!id_has_prefix(r->params[0], "key")) {
		http_not_found(r, "API key");
		return;
	}
	key = apikey_revoke(r->auth.tenant_id, r->params[0], r->now, &found);
	if (reply_missing(r, key, found, "API key"))
		return;
	out = json_object_new_object();
	json_object_object_add(out, "key", key);
	json_object_object_add(out, "revoked", json_object_new_boolean(1));
	http_json(r, 200, out);
}

int
main(int argc, char **argv)
{
	return http_serve(argc, argv, "retivo-keys", routes, ROUTE__MAX);
}
