/*
 * platforms.c — /api/external/platforms: seed 000's pre-built platform
 * connectors. Listing needs read, manage or full; connecting and
 * disconnecting are for admins (seed 000 "Admin role"), which for an API
 * key means the full scope. Credentials go in sealed and never come out.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "crypto.h"
#include "http.h"
#include "jsonin.h"
#include "log.h"
#include "platform.h"
#include "reply.h"
#include "url.h"

static void platforms_list(struct http_req *);
static void platforms_connect(struct http_req *);
static void platforms_disconnect(struct http_req *);

enum route {
	ROUTE_PLATFORMS_LIST,
	ROUTE_PLATFORMS_CONNECT,
	ROUTE_PLATFORMS_DISCONNECT,
	ROUTE__MAX
};

#define READ (SCOPE_READ | SCOPE_MANAGE | SCOPE_FULL)

static const struct http_route routes[ROUTE__MAX] = {
	[ROUTE_PLATFORMS_LIST] = { "GET", "/api/external/platforms", READ, platforms_list },
	[ROUTE_PLATFORMS_CONNECT] = { "POST", "/api/external/platforms/:id/connect", SCOPE_FULL,
	    platforms_connect },
	[ROUTE_PLATFORMS_DISCONNECT] = { "POST", "/api/external/platforms/:id/disconnect",
	    SCOPE_FULL, platforms_disconnect },
};

#define CREDENTIAL_MAX 500

static void
platforms_list(struct http_req *r)
{
	struct json_object *arr, *out;

	if ((arr = platform_list_json(r->auth.tenant_id)) == NULL) {
		http_internal(r);
		return;
	}
	out = json_object_new_object();
	json_object_object_add(out, "platforms", arr);
	http_json(r, 200, out);
}

/* The catalogue entry of the path's id, or NULL having answered 404. */
static const struct platform *
platform_of_path(struct http_req *r)
{
	const struct platform *p = platform_find(r->params[0]);

	if (p == NULL)
		http_error(r, 404, "not_found", "platform not found: %.64s; GET "
		    "/api/external/platforms lists the available ones", r->params[0]);
	return p;
}

/*
 * Reads {"credentials": {<exactly the platform's fields>}, "delivery_webhook"?}
 * into a new JSON text of the credentials (*creds_text, caller frees) and
 * the webhook (borrowed, NULL when absent). Returns 0, or -1 with the
 * failure in v.
 */
static int
connect_read(struct in *v, const struct platform *p, char **creds_text, const char **hook)
{
	static const char *const fields[] = { "credentials", "delivery_webhook", NULL };
	const struct conf *c = conf_get();
	struct json_object *creds, *clean;
	const char *val;
	struct in cv;
	char err[256];
	size_t i;

	*creds_text = NULL;
	in_only(v, fields);
	creds = in_obj(v, "credentials", IN_REQUIRED);
	*hook = in_str(v, "delivery_webhook", 0, 1, 2048);
	if (*hook != NULL && !url_http_valid(*hook, err, sizeof(err)))
		in_fail(v, "delivery_webhook", "invalid_field", "%s", err);
	if (v->failed)
		return -1;
	in_init(&cv, creds, "credentials.");
	in_only(&cv, p->credentials);
	clean = json_object_new_object();
	for (i = 0; p->credentials[i] != NULL; i++) {
		val = in_str(&cv, p->credentials[i], IN_REQUIRED, 1, CREDENTIAL_MAX);
		if (val != NULL)
			json_object_object_add(clean, p->credentials[i], json_object_new_string(val));
	}
	if (cv.failed) {
		/* Carry the nested failure (its field named credentials.x) over to v. */
		*v = cv;
		json_object_put(clean);
		return -1;
	}
	*creds_text = strdup(json_object_to_json_string_ext(clean, JSON_C_TO_STRING_PLAIN));
	json_object_put(clean);
	if (*creds_text == NULL) {
		in_fail(v, "credentials", "invalid_field", "could not be read");
		return -1;
	}
	if (*hook != NULL && c != NULL &&
	    !url_target_allowed(*hook, c->allow_private_targets, err, sizeof(err))) {
		in_fail(v, "delivery_webhook", "invalid_field", "%s", err);
		return -1;
	}
	return 0;
}

static void
platforms_connect(struct http_req *r)
{
	const unsigned char *key;
	const struct platform *p;
	struct json_object *registered = NULL, *entry, *out;
	struct in v;
	const char *hook;
	char *creds = NULL, *sealed = NULL, conflict[65];
	int rc;

	if ((p = platform_of_path(r)) == NULL)
		return;
	in_init(&v, r->body, NULL);
	if (connect_read(&v, p, &creds, &hook) != 0) {
		in_reject(&v, r);
		goto out;
	}
	if ((key = reply_master_key(r, "store platform credentials")) == NULL)
		goto out;
	if ((sealed = crypto_seal(key, creds, strlen(creds))) == NULL) {
		log_err("cannot seal platform credentials");
		http_internal(r);
		goto out;
	}
	rc = platform_connect(r->auth.tenant_id, p, sealed, hook, key, r->now,
	    &registered, conflict);
	if (rc == 1) {
		http_error(r, 409, "duplicate", "%s: an action type with this name already exists "
		    "and does not belong to %s; rename it to connect the platform", conflict, p->id);
		goto out;
	}
	if (rc != 0 || (entry = platform_json(r->auth.tenant_id, p)) == NULL) {
		http_internal(r);
		goto out;
	}
	out = json_object_new_object();
	json_object_object_add(out, "platform", entry);
	json_object_object_add(out, "action_types_registered",
	    json_object_new_int64((int64_t)json_object_array_length(registered)));
	/* The webhook secrets are in this response and nowhere else, ever. */
	json_object_object_add(out, "action_types", registered);
	registered = NULL;
	http_json(r, 200, out);
out:
	json_object_put(registered);
	if (creds != NULL)
		memset(creds, 0, strlen(creds));
	free(creds);
	free(sealed);
}

static void
platforms_disconnect(struct http_req *r)
{
	static const char *const no_fields[] = { NULL };
	const struct platform *p;
	struct json_object *entry, *out;
	struct in v;
	long long n;
	int rc;

	if ((p = platform_of_path(r)) == NULL)
		return;
	in_init(&v, r->body, NULL);
	in_only(&v, no_fields);
	if (in_reject(&v, r))
		return;
	rc = platform_disconnect(r->auth.tenant_id, p, r->now, &n);
	if (rc == 1) {
		http_error(r, 409, "not_connected", "platform %s is not connected", p->id);
		return;
	}
	if (rc != 0 || (entry = platform_json(r->auth.tenant_id, p)) == NULL) {
		http_internal(r);
		return;
	}
	out = json_object_new_object();
	json_object_object_add(out, "platform", entry);
	json_object_object_add(out, "action_types_deactivated", json_object_new_int64(n));
	http_json(r, 200, out);
}

int
main(int argc, char **argv)
{
	return http_serve(argc, argv, "retivo-platforms", routes, ROUTE__MAX);
}
