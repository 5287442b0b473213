/*
 * external.c — /api/external/...: the External Actions API of seed 000.
 * This issue serves action types (register, list, get, update, deactivate);
 * dispatch, outcomes, custom events and platform connectors join this
 * table in later issues.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actiontype.h"
#include "conf.h"
#include "crypto.h"
#include "http.h"
#include "ids.h"
#include "jsonin.h"
#include "jsonschema.h"
#include "log.h"
#include "page.h"
#include "reply.h"
#include "url.h"

static void action_type_create(struct http_req *);
static void action_type_list(struct http_req *);
static void action_type_get(struct http_req *);
static void action_type_update(struct http_req *);
static void action_type_delete(struct http_req *);

enum route {
	ROUTE_AT_CREATE,
	ROUTE_AT_LIST,
	ROUTE_AT_GET,
	ROUTE_AT_UPDATE,
	ROUTE_AT_DELETE,
	ROUTE__MAX
};

#define MANAGE (SCOPE_MANAGE | SCOPE_FULL)
#define READ (SCOPE_READ | SCOPE_MANAGE | SCOPE_FULL)

static const struct http_route routes[ROUTE__MAX] = {
	[ROUTE_AT_CREATE] = { "POST", "/api/external/action-types", MANAGE, action_type_create },
	[ROUTE_AT_LIST] = { "GET", "/api/external/action-types", READ, action_type_list },
	[ROUTE_AT_GET] = { "GET", "/api/external/action-types/:id", READ, action_type_get },
	[ROUTE_AT_UPDATE] = { "PUT", "/api/external/action-types/:id", MANAGE, action_type_update },
	[ROUTE_AT_DELETE] = { "DELETE", "/api/external/action-types/:id", MANAGE,
	    action_type_delete },
};

static const char *const at_fields[] = { "name", "description", "provider",
	"parameters_schema", "delivery_webhook", "domain", "estimated_cost_usd", "active", NULL };

/* Replaces *dst with a copy of src when src is not NULL. */
static void
at_set(char **dst, const char *src)
{
	if (src == NULL)
		return;
	free(*dst);
	*dst = strdup(src);
}

/*
 * Reads the fields of a create (every required field) or an update (any
 * subset) from the body into a. Returns 0, or -1 with the failure in v.
 */
static int
at_read_fields(struct in *v, struct actiontype *a, int creating)
{
	int req = creating ? IN_REQUIRED : 0;
	const char *name, *desc, *provider, *hook, *domain, *cost;
	struct json_object *schema;
	char err[256];
	int active;

	in_only(v, at_fields);
	name = in_str(v, "name", req, 1, 64);
	if (name != NULL && !actiontype_name_valid(name))
		in_fail(v, "name", "invalid_field",
		    "must be snake_case (lowercase letters, digits and single underscores, "
		    "starting with a letter), e.g. grant_points");
	desc = in_str(v, "description", req, 1, 2000);
	provider = in_str(v, "provider", req, 1, 100);
	if (provider != NULL && !actiontype_provider_valid(provider))
		in_fail(v, "provider", "invalid_field",
		    "must be letters, digits, '-', '_' or '.', e.g. smile-io");
	schema = in_obj(v, "parameters_schema", req);
	if (schema != NULL && jsonschema_check(schema, err, sizeof(err)) != 0)
		in_fail(v, "parameters_schema", "invalid_field", "is not a valid JSON Schema: %s",
		    err);
	hook = in_str(v, "delivery_webhook", req, 1, 2048);
	if (hook != NULL && !url_http_valid(hook, err, sizeof(err)))
		in_fail(v, "delivery_webhook", "invalid_field", "%s", err);
	domain = in_str(v, "domain", IN_NULLABLE, 1, 100);
	cost = in_str(v, "estimated_cost_usd", IN_NULLABLE, 1, 20);
	if (cost != NULL && !actiontype_cost_valid(cost))
		in_fail(v, "estimated_cost_usd", "invalid_field",
		    "must be a decimal string such as \"0.05\"");
	active = in_bool(v, "active", 0, -1);
	if (creating && active == 0)
		in_fail(v, "active", "invalid_field", "a new action type is always active");
	if (v->failed)
		return -1;
	at_set(&a->name, name);
	at_set(&a->description, desc);
	at_set(&a->provider, provider);
	at_set(&a->delivery_webhook, hook);
	if (schema != NULL)
		at_set(&a->parameters_schema,
		    json_object_to_json_string_ext(schema, JSON_C_TO_STRING_PLAIN));
	/* domain and estimated_cost_usd may be cleared with an explicit null. */
	if (json_object_object_get_ex(v->obj, "domain", NULL)) {
		free(a->domain);
		a->domain = domain ? strdup(domain) : NULL;
	}
	if (json_object_object_get_ex(v->obj, "estimated_cost_usd", NULL)) {
		free(a->estimated_cost_usd);
		a->estimated_cost_usd = cost ? strdup(cost) : NULL;
	}
	if (active >= 0)
		a->active = active;
	return 0;
}

/*
 * The registration half of the SSRF guard: where private targets are not
 * allowed (production), a webhook whose host resolves to a loopback,
 * private, link-local or metadata address is refused; the dispatcher
 * checks again as it connects. Answers 400 and returns 1 when refused.
 */
static int
at_target_refused(struct http_req *r, const char *hook)
{
	const struct conf *c = conf_get();
	char err[256], msg[400];

	if (hook == NULL || c == NULL || c->allow_private_targets ||
	    url_target_allowed(hook, 0, err, sizeof(err)))
		return 0;
	snprintf(msg, sizeof(msg), "delivery_webhook: %s", err);
	http_error_field(r, 400, "invalid_field", "delivery_webhook", msg);
	return 1;
}

static void
action_type_create(struct http_req *r)
{
	const unsigned char *key;
	struct actiontype a;
	struct in v;
	struct json_object *o, *out;
	char secret[65], *sealed = NULL;
	int rc, found;

	memset(&a, 0, sizeof(a));
	in_init(&v, r->body, NULL);
	if (at_read_fields(&v, &a, 1) != 0) {
		in_reject(&v, r);
		goto out;
	}
	if (at_target_refused(r, a.delivery_webhook))
		goto out;
	if ((key = reply_master_key(r, "store webhook secrets")) == NULL)
		goto out;
	if (crypto_sealed_secret(key, secret, &sealed) != 0) {
		log_err("cannot create a webhook secret");
		http_internal(r);
		goto out;
	}
	rc = actiontype_insert(r->auth.tenant_id, &a, sealed, r->now);
	if (rc == 1) {
		http_error_field(r, 409, "duplicate", "name",
		    "name: an action type with this name already exists");
		goto out;
	}
	if (rc != 0 || (o = actiontype_get_json(r->auth.tenant_id, a.id, &found)) == NULL) {
		http_internal(r);
		goto out;
	}
	/* The secret is in this response and nowhere else, ever. */
	json_object_object_add(o, "webhook_secret", json_object_new_string(secret));
	out = json_object_new_object();
	json_object_object_add(out, "action_type", o);
	http_json(r, 201, out);
out:
	free(sealed);
	actiontype_clear(&a);
}

static void
action_type_list(struct http_req *r)
{
	struct in v;
	struct json_object *arr, *budget, *out;
	const char *provider, *domain, *cursor;
	int active, limit, has_more;

	in_init(&v, r->query, NULL);
	provider = in_str(&v, "provider", IN_QUERY, 1, 100);
	domain = in_str(&v, "domain", IN_QUERY, 1, 100);
	active = in_bool(&v, "active", IN_QUERY, -1);
	page_params(&v, &limit, &cursor);
	if (in_reject(&v, r))
		return;
	arr = actiontype_list(r->auth.tenant_id, provider, domain, active, limit, cursor,
	    &has_more);
	if (arr == NULL) {
		http_internal(r);
		return;
	}
	/* Today's estimated spend rides along (issue 4: "shown on the list"). */
	if ((budget = actiontype_budget(r->auth.tenant_id, r->now)) == NULL) {
		json_object_put(arr);
		http_internal(r);
		return;
	}
	out = page_response("action_types", arr, has_more);
	json_object_object_add(out, "budget", budget);
	http_json(r, 200, out);
}

/* Answers with {"action_type": ...} for the id, or 404. */
static void
at_respond(struct http_req *r, const char *id)
{
	reply_by_id(r, 200, "action_type", "action type", actiontype_get_json, id);
}

static void
action_type_get(struct http_req *r)
{
	reply_get(r, "at", "action_type", "action type", actiontype_get_json);
}

static void
action_type_update(struct http_req *r)
{
	struct actiontype a;
	struct in v;
	int rc;

	memset(&a, 0, sizeof(a));
	if (!id_has_prefix(r->params[0], "at")) {
		http_not_found(r, "action type");
		return;
	}
	/* Validate before reading, so a bad body never costs a query. */
	in_init(&v, r->body, NULL);
	if (at_read_fields(&v, &a, 0) != 0) {
		in_reject(&v, r);
		goto out;
	}
	if (at_target_refused(r, a.delivery_webhook))
		goto out;
	actiontype_clear(&a);
	if ((rc = actiontype_load(r->auth.tenant_id, r->params[0], &a)) != 0) {
		if (rc == 1)
			http_not_found(r, "action type");
		else
			http_internal(r);
		goto out;
	}
	in_init(&v, r->body, NULL);
	if (at_read_fields(&v, &a, 0) != 0) {
		in_reject(&v, r);
		goto out;
	}
	rc = actiontype_save(r->auth.tenant_id, &a, r->now);
	if (rc == 1) {
		http_error_field(r, 409, "duplicate", "name",
		    "name: an action type with this name already exists");
		goto out;
	}
	if (rc == 2) {
		http_not_found(r, "action type");
		goto out;
	}
	if (rc != 0) {
		http_internal(r);
		goto out;
	}
	at_respond(r, a.id);
out:
	actiontype_clear(&a);
}

static void
action_type_delete(struct http_req *r)
{
	struct actiontype a;
	int rc;

	if (!id_has_prefix(r->params[0], "at")) {
		http_not_found(r, "action type");
		return;
	}
	if ((rc = actiontype_load(r->auth.tenant_id, r->params[0], &a)) != 0) {
		if (rc == 1)
			http_not_found(r, "action type");
		else
			http_internal(r);
		return;
	}
	a.active = 0;
	rc = actiontype_save(r->auth.tenant_id, &a, r->now);
	if (rc == 0)
		at_respond(r, a.id);
	else if (rc == 2)
		http_not_found(r, "action type");
	else
		http_internal(r);
	actiontype_clear(&a);
}

int
main(int argc, char **argv)
{
	return http_serve(argc, argv, "retivo-external", routes, ROUTE__MAX);
}
