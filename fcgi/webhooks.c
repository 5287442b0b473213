/*
 * webhooks.c — /api/webhooks/endpoints: the tenant's subscriptions to
 * pushed custom events (SPEC.md), and a test ping per endpoint.
 *
 * Endpoint URLs are checked twice at registration: the form (absolute
 * http(s), no credentials) and the target (the host must resolve, and in
 * production not to a loopback, private, link-local or metadata address;
 * the dispatcher checks again at send time since DNS can change). The
 * signing secret is in the create response and nowhere else, ever.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "crypto.h"
#include "endpoint.h"
#include "http.h"
#include "ids.h"
#include "jsonin.h"
#include "log.h"
#include "page.h"
#include "reply.h"
#include "url.h"

static void endpoint_create(struct http_req *);
static void endpoint_list_route(struct http_req *);
static void endpoint_get(struct http_req *);
static void endpoint_update_route(struct http_req *);
static void endpoint_delete_route(struct http_req *);
static void endpoint_ping_route(struct http_req *);

enum route {
	ROUTE_EP_CREATE,
	ROUTE_EP_LIST,
	ROUTE_EP_GET,
	ROUTE_EP_UPDATE,
	ROUTE_EP_DELETE,
	ROUTE_EP_PING,
	ROUTE__MAX
};

#define MANAGE (SCOPE_MANAGE | SCOPE_FULL)
#define READ (SCOPE_READ | SCOPE_MANAGE | SCOPE_FULL)

static const struct http_route routes[ROUTE__MAX] = {
	[ROUTE_EP_CREATE] = { "POST", "/api/webhooks/endpoints", MANAGE, endpoint_create },
	[ROUTE_EP_LIST] = { "GET", "/api/webhooks/endpoints", READ, endpoint_list_route },
	[ROUTE_EP_GET] = { "GET", "/api/webhooks/endpoints/:id", READ, endpoint_get },
	[ROUTE_EP_UPDATE] = { "PUT", "/api/webhooks/endpoints/:id", MANAGE,
	    endpoint_update_route },
	[ROUTE_EP_DELETE] = { "DELETE", "/api/webhooks/endpoints/:id", MANAGE,
	    endpoint_delete_route },
	[ROUTE_EP_PING] = { "POST", "/api/webhooks/endpoints/:id/ping", MANAGE,
	    endpoint_ping_route },
};

static const char *const ep_fields[] = { "url", "description", "subscribed_events", "active",
	NULL };

/*
 * Reads subscribed_events (1..100 patterns, endpoint_pattern_valid) into a
 * new JSON text with repeats dropped; NULL when absent or invalid (the
 * failure is in v). The caller frees the text.
 */
static char *
ep_read_events(struct in *v, int flags)
{
	struct json_object *arr, *item, *clean;
	const char *p;
	char field[48], *text = NULL;
	size_t i, j, n;
	int repeat;

	if ((arr = in_arr(v, "subscribed_events", flags, 1, ENDPOINT_MAX_EVENTS)) == NULL)
		return NULL;
	clean = json_object_new_array();
	n = json_object_array_length(arr);
	for (i = 0; i < n; i++) {
		item = json_object_array_get_idx(arr, i);
		snprintf(field, sizeof(field), "subscribed_events[%zu]", i);
		if (!json_object_is_type(item, json_type_string)) {
			in_fail(v, field, "invalid_field", "must be a string");
			goto out;
		}
		p = json_object_get_string(item);
		if (!endpoint_pattern_valid(p)) {
			in_fail(v, field, "invalid_field",
			    "must be a custom event type (custom.reward.redeemed), a prefix "
			    "wildcard (custom.reward.*) or \"*\" for every custom event");
			goto out;
		}
		for (repeat = 0, j = 0; j < json_object_array_length(clean); j++)
			if (strcmp(json_object_get_string(json_object_array_get_idx(clean, j)),
			    p) == 0)
				repeat = 1;
		if (!repeat)
			json_object_array_add(clean, json_object_new_string(p));
	}
	text = strdup(json_object_to_json_string_ext(clean, JSON_C_TO_STRING_PLAIN));
	if (text == NULL)
		in_fail(v, "subscribed_events", "invalid_field", "could not be read");
out:
	json_object_put(clean);
	return text;
}

/*
 * Reads the fields of a create (url and subscribed_events required) or an
 * update (any subset) into in; *events_text is the caller's to free.
 * Returns 0, or -1 with the failure in v.
 */
static int
ep_read_fields(struct in *v, struct endpoint_input *in, char **events_text, int creating)
{
	const struct conf *c = conf_get();
	int req = creating ? IN_REQUIRED : 0;
	char err[256];

	memset(in, 0, sizeof(*in));
	*events_text = NULL;
	in_only(v, ep_fields);
	in->url = in_str(v, "url", req, 1, 2048);
	if (in->url != NULL && !url_http_valid(in->url, err, sizeof(err)))
		in_fail(v, "url", "invalid_field", "%s", err);
	in->description = in_str(v, "description", IN_NULLABLE, 0, 500);
	in->set_description = json_object_object_get_ex(v->obj, "description", NULL);
	*events_text = ep_read_events(v, req);
	in->subscribed_events = *events_text;
	in->active = in_bool(v, "active", 0, creating ? 1 : -1);
	/* The target is resolved last: a malformed body never costs a DNS lookup. */
	if (!v->failed && in->url != NULL && c != NULL &&
	    !url_target_allowed(in->url, c->allow_private_targets, err, sizeof(err)))
		in_fail(v, "url", "invalid_field", "%s", err);
	return v->failed ? -1 : 0;
}

/* Answers with {"endpoint": ...} for the id, or 404. */
static void
ep_respond(struct http_req *r, const char *id, int status)
{
	reply_by_id(r, status, "endpoint", "webhook endpoint", endpoint_get_json, id);
}

static void
endpoint_create(struct http_req *r)
{
	const unsigned char *key;
	struct endpoint_input in;
	struct json_object *o, *out;
	struct in v;
	char *events = NULL, *sealed = NULL, secret[ENDPOINT_SECRET_SIZE], id[48];
	int found;

	in_init(&v, r->body, NULL);
	if (ep_read_fields(&v, &in, &events, 1) != 0) {
		in_reject(&v, r);
		goto out;
	}
	if ((key = reply_master_key(r, "store webhook secrets")) == NULL)
		goto out;
	if (endpoint_secret_new(secret) != 0 ||
	    (sealed = crypto_seal(key, secret, strlen(secret))) == NULL) {
		log_err("cannot create an endpoint secret");
		http_internal(r);
		goto out;
	}
	if (endpoint_insert(r->auth.tenant_id, &in, sealed, r->now, id) != 0 ||
	    (o = endpoint_get_json(r->auth.tenant_id, id, &found)) == NULL) {
		http_internal(r);
		goto out;
	}
	out = json_object_new_object();
	json_object_object_add(out, "endpoint", o);
	json_object_object_add(out, "secret", json_object_new_string(secret));
	http_json(r, 201, out);
out:
	memset(secret, 0, sizeof(secret));
	free(sealed);
	free(events);
}

static void
endpoint_list_route(struct http_req *r)
{
	struct json_object *arr;
	const char *cursor;
	int limit, has_more;

	if (reply_page_query(r, 0, &limit, &cursor) != 0)
		return;
	arr = endpoint_list(r->auth.tenant_id, limit, cursor, &has_more);
	reply_page(r, "endpoints", NULL, arr, has_more, 0);
}

static void
endpoint_get(struct http_req *r)
{
	if (!id_has_prefix(r->params[0], "wh")) {
		http_not_found(r, "webhook endpoint");
		return;
	}
	ep_respond(r, r->params[0], 200);
}

static void
endpoint_update_route(struct http_req *r)
{
	struct endpoint_input in;
	struct in v;
	char *events = NULL;
	int rc;

	if (!id_has_prefix(r->params[0], "wh")) {
		http_not_found(r, "webhook endpoint");
		return;
	}
	in_init(&v, r->body, NULL);
	if (ep_read_fields(&v, &in, &events, 0) != 0) {
		in_reject(&v, r);
		goto out;
	}
	if ((rc = endpoint_update(r->auth.tenant_id, r->params[0], &in, r->now)) != 0) {
		if (rc == 1)
			http_not_found(r, "webhook endpoint");
		else
			http_internal(r);
		goto out;
	}
	ep_respond(r, r->params[0], 200);
out:
	free(events);
}

static void
endpoint_delete_route(struct http_req *r)
{
	struct json_object *out;
	long long cancelled;
	int rc;

	if (!id_has_prefix(r->params[0], "wh")) {
		http_not_found(r, "webhook endpoint");
		return;
	}
	if ((rc = endpoint_delete(r->auth.tenant_id, r->params[0], r->now, &cancelled)) != 0) {
		if (rc == 1)
			http_not_found(r, "webhook endpoint");
		else
			http_internal(r);
		return;
	}
	out = json_object_new_object();
	json_object_object_add(out, "id", json_object_new_string(r->params[0]));
	json_object_object_add(out, "deleted", json_object_new_boolean(1));
	json_object_object_add(out, "deliveries_cancelled", json_object_new_int64(cancelled));
	http_json(r, 200, out);
}

static void
endpoint_ping_route(struct http_req *r)
{
	static const char *const no_fields[] = { NULL };
	struct json_object *delivery, *out;
	struct in v;
	int rc;

	if (!id_has_prefix(r->params[0], "wh")) {
		http_not_found(r, "webhook endpoint");
		return;
	}
	in_init(&v, r->body, NULL);
	in_only(&v, no_fields);
	if (in_reject(&v, r))
		return;
	rc = endpoint_ping(r->auth.tenant_id, r->params[0], r->auth.test_mode, r->now, &delivery);
	if (rc != 0) {
		if (rc == 1)
			http_not_found(r, "webhook endpoint");
		else
			http_internal(r);
		return;
	}
	out = json_object_new_object();
	json_object_object_add(out, "queued", json_object_new_boolean(1));
	json_object_object_add(out, "delivery", delivery);
	http_json(r, 202, out);
}

int
main(int argc, char **argv)
{
	return http_serve(argc, argv, "retivo-webhooks", routes, ROUTE__MAX);
}
