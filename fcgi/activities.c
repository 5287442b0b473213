/*
 * activities.c — /api/commerces and /api/activities (seed 004, SPEC.md):
 * commerces CRUD, activity creation with idempotency, list and get,
 * cancel, the provider's result, and the tenant's activity settings.
 *
 * Permission CREATE_ACTIVITY (and every write here) is the manage or full
 * key scope — what editor and admin members hold; reads also admit read.
 * An `x-tenant-id` header, when sent, must be a UUID (400) naming the
 * key's own tenant (403 tenant_mismatch): the key decides the tenant, the
 * header only guards against sending to the wrong one.
 *
 * /api/activities/settings is listed before /api/activities/:id, since
 * the first matching route wins (and "settings" is no UUID either).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcgiapp.h>

#include "activity.h"
#include "commerce.h"
#include "http.h"
#include "ids.h"
#include "jsonin.h"
#include "log.h"
#include "page.h"
#include "reply.h"
#include "resolve.h"

static void commerce_create(struct http_req *);
static void commerce_list_route(struct http_req *);
static void commerce_get(struct http_req *);
static void commerce_update_route(struct http_req *);
static void commerce_delete_route(struct http_req *);
static void settings_get(struct http_req *);
static void settings_put(struct http_req *);
static void activity_create_route(struct http_req *);
static void activity_list_route(struct http_req *);
static void activity_get(struct http_req *);
static void activity_cancel_route(struct http_req *);
static void activity_result_route(struct http_req *);

enum route {
	ROUTE_CM_CREATE, ROUTE_CM_LIST, ROUTE_CM_GET, ROUTE_CM_PUT, ROUTE_CM_PATCH, ROUTE_CM_DELETE,
	ROUTE_SET_GET, ROUTE_SET_PUT, ROUTE_SET_PATCH,
	ROUTE_AC_CREATE, ROUTE_AC_LIST, ROUTE_AC_GET, ROUTE_AC_CANCEL, ROUTE_AC_RESULT,
	ROUTE__MAX
};

#define MANAGE (SCOPE_MANAGE | SCOPE_FULL)
#define READ (SCOPE_READ | SCOPE_MANAGE | SCOPE_FULL)

static const struct http_route routes[ROUTE__MAX] = {
	[ROUTE_CM_CREATE] = { "POST", "/api/commerces", MANAGE, commerce_create },
	[ROUTE_CM_LIST] = { "GET", "/api/commerces", READ, commerce_list_route },
	[ROUTE_CM_GET] = { "GET", "/api/commerces/:id", READ, commerce_get },
	[ROUTE_CM_PUT] = { "PUT", "/api/commerces/:id", MANAGE, commerce_update_route },
	[ROUTE_CM_PATCH] = { "PATCH", "/api/commerces/:id", MANAGE, commerce_update_route },
	[ROUTE_CM_DELETE] = { "DELETE", "/api/commerces/:id", MANAGE, commerce_delete_route },
	[ROUTE_SET_GET] = { "GET", "/api/activities/settings", READ, settings_get },
	[ROUTE_SET_PUT] = { "PUT", "/api/activities/settings", MANAGE, settings_put },
	[ROUTE_SET_PATCH] = { "PATCH", "/api/activities/settings", MANAGE, settings_put },
	[ROUTE_AC_CREATE] = { "POST", "/api/activities", MANAGE, activity_create_route },
	[ROUTE_AC_LIST] = { "GET", "/api/activities", READ, activity_list_route },
	[ROUTE_AC_GET] = { "GET", "/api/activities/:id", READ, activity_get },
	[ROUTE_AC_CANCEL] = { "POST", "/api/activities/:id/cancel", MANAGE, activity_cancel_route },
	[ROUTE_AC_RESULT] = { "POST", "/api/activities/:id/result", MANAGE, activity_result_route },
};

static const char *const cm_fields[] = { "name", "external_id", "contacts", "attributes", NULL };
static const char *const cm_list_fields[] = { "external_id", "limit", "cursor", NULL };
static const char *const ac_fields[] = { "type", "reason", "channel", "commerce_id",
	"idempotency_key", "scheduled_at", "suggested_execution_time", "user_status", "score",
	"assignment_reason", "target_criteria", "attribute_keys", "attributes", NULL };
static const char *const ac_list_fields[] = { "status", "type", "channel", "commerce_id",
	"scheduled_from", "scheduled_to", "limit", "cursor", NULL };
static const char *const ac_result_fields[] = { "result", "notes", NULL };
static const char *const ac_attr_fields[] = { "key", "value", "fallback", NULL };

/* Checks the x-tenant-id header; 0, or -1 having answered. */
static int
tenant_header(struct http_req *r)
{
	FCGX_Request *f = r->fcgi;
	const char *h = FCGX_GetParam("HTTP_X_TENANT_ID", f->envp);

	if (h == NULL)
		return 0;
	if (!id_is_uuid(h)) {
		http_error_field(r, 400, "invalid_field", "x-tenant-id",
		    "x-tenant-id: must be the tenant's UUID (lowercase 8-4-4-4-12)");
		return -1;
	}
	if (strcmp(h, r->auth.tenant_id) != 0) {
		http_error(r, 403, "tenant_mismatch",
		    "x-tenant-id names another tenant than the API key's");
		return -1;
	}
	return 0;
}

/* Moves a resolve_err into v. */
static void
fail_resolve(struct in *v, const struct resolve_err *e)
{
	size_t n = strlen(e->field);
	const char *msg = e->msg;

	/* in_fail puts "field: " in front itself. */
	if (strncmp(msg, e->field, n) == 0 && strncmp(msg + n, ": ", 2) == 0)
		msg += n + 2;
	in_fail(v, e->field, "invalid_field", "%s", msg);
}

/* Answers with {"commerce": ...} for the id, or 404. */
static void
cm_respond(struct http_req *r, const char *id, int status)
{
	reply_by_id(r, status, "commerce", "commerce", commerce_get_json, id);
}

/*
 * Reads a commerce body over base (the current commerce on an update,
 * NULL on a create) and writes the texts of the row into *contacts and
 * *attrs (the caller frees them). 0, or -1 with the failure in v.
 */
static int
cm_read(struct in *v, struct json_object *base, struct commerce_row *row, char **contacts,
    char **attrs)
{
	struct json_object *arr, *obj, *norm = NULL;
	struct resolve_err e;
	const char *plain;
	int creating = base == NULL;

	*contacts = *attrs = NULL;
	in_only(v, cm_fields);
	row->name = in_str(v, "name", creating ? IN_REQUIRED : 0, 1, 255);
	row->external_id = in_str(v, "external_id", IN_NULLABLE, 1, 255);
	arr = in_arr(v, "contacts", IN_NULLABLE, 0, RESOLVE_MAX_CONTACTS);
	obj = in_obj(v, "attributes", IN_NULLABLE);
	if (v->failed)
		return -1;
	if (!creating) {
		if (row->name == NULL)
			row->name = json_object_get_string(json_object_object_get(base, "name"));
		if (!json_object_object_get_ex(v->obj, "external_id", NULL))
			row->external_id = json_object_get_string(
			    json_object_object_get(base, "external_id"));
		if (!json_object_object_get_ex(v->obj, "contacts", NULL))
			arr = json_object_object_get(base, "contacts");
		if (!json_object_object_get_ex(v->obj, "attributes", NULL))
			obj = json_object_object_get(base, "attributes");
	}
	if ((norm = resolve_contacts_normalize(arr, "contacts", &e)) == NULL) {
		fail_resolve(v, &e);
		return -1;
	}
	plain = NULL;
	if (commerce_assign_contact_ids(norm) == 0)
		plain = json_object_to_json_string_ext(norm, JSON_C_TO_STRING_PLAIN |
		    JSON_C_TO_STRING_NOSLASHESCAPE);
	*contacts = plain != NULL ? strdup(plain) : NULL;
	json_object_put(norm);
	*attrs = strdup(obj != NULL ? json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE) : "{}");
	row->contacts = *contacts;
	row->attributes = *attrs;
	return 0;
}

static void
commerce_create(struct http_req *r)
{
	struct commerce_row row;
	struct in v;
	char *contacts = NULL, *attrs = NULL, id[37];
	int rc;

	if (tenant_header(r) != 0)
		return;
	in_init(&v, r->body, NULL);
	if (cm_read(&v, NULL, &row, &contacts, &attrs) != 0) {
		in_reject(&v, r);
		goto out;
	}
	if (contacts == NULL || attrs == NULL) {
		http_internal(r);
		goto out;
	}
	rc = commerce_insert(r->auth.tenant_id, &row, r->now, id);
	if (rc == COMMERCE_DUPLICATE)
		http_error_field(r, 409, "external_id_exists", "external_id",
		    "external_id: another commerce of the tenant has it");
	else if (rc != COMMERCE_OK)
		http_internal(r);
	else
		cm_respond(r, id, 201);
out:
	free(contacts);
	free(attrs);
}

static void
commerce_list_route(struct http_req *r)
{
	struct json_object *arr;
	struct in v;
	const char *cursor, *ext;
	int limit, has_more, bad_cursor;

	if (tenant_header(r) != 0)
		return;
	in_init(&v, r->query, NULL);
	in_only(&v, cm_list_fields);
	ext = in_str(&v, "external_id", IN_QUERY, 1, 255);
	page_params(&v, &limit, &cursor);
	if (in_reject(&v, r))
		return;
	arr = commerce_list(r->auth.tenant_id, ext, limit, cursor, &has_more, &bad_cursor);
	reply_page(r, "commerces", "a commerce", arr, has_more, bad_cursor);
}

static void
commerce_get(struct http_req *r)
{
	if (tenant_header(r) == 0)
		cm_respond(r, r->params[0], 200);
}

static void
commerce_update_route(struct http_req *r)
{
	struct json_object *base;
	struct commerce_row row;
	struct in v;
	char *contacts = NULL, *attrs = NULL;
	int found, rc;

	if (tenant_header(r) != 0)
		return;
	base = commerce_get_json(r->auth.tenant_id, r->params[0], &found);
	if (reply_missing(r, base, found, "commerce"))
		return;
	in_init(&v, r->body, NULL);
	if (cm_read(&v, base, &row, &contacts, &attrs) != 0) {
		in_reject(&v, r);
		goto out;
	}
	if (contacts == NULL || attrs == NULL) {
		http_internal(r);
		goto out;
	}
	rc = commerce_update(r->auth.tenant_id, r->params[0], &row, r->now);
	if (rc == COMMERCE_DUPLICATE)
		http_error_field(r, 409, "external_id_exists", "external_id",
		    "external_id: another commerce of the tenant has it");
	else if (rc == COMMERCE_NOT_FOUND)
		http_not_found(r, "commerce");
	else if (rc != COMMERCE_OK)
		http_internal(r);
	else
		cm_respond(r, r->params[0], 200);
out:
	free(contacts);
	free(attrs);
	json_object_put(base);
}

static void
commerce_delete_route(struct http_req *r)
{
	struct json_object *out;
	int rc;

	if (tenant_header(r) != 0)
		return;
	rc = id_is_uuid(r->params[0]) ? commerce_delete(r->auth.tenant_id, r->params[0]) :
	    COMMERCE_NOT_FOUND;
	if (rc == COMMERCE_NOT_FOUND)
		http_not_found(r, "commerce");
	else if (rc == COMMERCE_IN_USE)
		http_error(r, 409, "commerce_in_use",
		    "the commerce has activities; it cannot be deleted");
	else if (rc != COMMERCE_OK)
		http_internal(r);
	else {
		out = json_object_new_object();
		json_object_object_add(out, "deleted", json_object_new_boolean(1));
		json_object_object_add(out, "id", json_object_new_string(r->params[0]));
		http_json(r, 200, out);
	}
}

static void
settings_respond(struct http_req *r, struct json_object *s)
{
	struct json_object *out = json_object_new_object();

	json_object_object_add(out, "settings", s);
	http_json(r, 200, out);
}

static void
settings_get(struct http_req *r)
{
	struct json_object *s;

	if (tenant_header(r) != 0)
		return;
	if ((s = activity_settings_load(r->auth.tenant_id)) == NULL)
		http_internal(r);
	else
		settings_respond(r, s);
}

/* PUT and PATCH: the keys given replace the stored ones (lib/resolve.h). */
static void
settings_put(struct http_req *r)
{
	struct json_object *cur, *next;
	struct resolve_err e;
	struct in v;

	if (tenant_header(r) != 0)
		return;
	if ((cur = activity_settings_load(r->auth.tenant_id)) == NULL) {
		http_internal(r);
		return;
	}
	if ((next = resolve_settings_merge(cur, r->body, &e)) == NULL) {
		in_init(&v, r->body, NULL);
		fail_resolve(&v, &e);
		in_reject(&v, r);
	} else if (activity_settings_save(r->auth.tenant_id, next, r->now) != 0) {
		http_internal(r);
		json_object_put(next);
	} else
		settings_respond(r, next);
	json_object_put(cur);
}

/* Checks attribute_keys: strings of 1..64, no repeats. */
static void
ac_check_keys(struct in *v, struct json_object *keys)
{
	struct json_object *k;
	char f[48];
	size_t i, j, len;

	for (i = 0; keys != NULL && i < json_object_array_length(keys); i++) {
		k = json_object_array_get_idx(keys, i);
		snprintf(f, sizeof(f), "attribute_keys[%zu]", i);
		len = json_object_is_type(k, json_type_string) ? (size_t)json_object_get_string_len(k) : 0;
		if (len == 0 || len > RESOLVE_KEY_MAX) {
			in_fail(v, f, "invalid_field", "must be a string of 1 to %d characters",
			    RESOLVE_KEY_MAX);
			return;
		}
		for (j = 0; j < i; j++)
			if (strcmp(json_object_get_string(json_object_array_get_idx(keys, j)),
			    json_object_get_string(k)) == 0) {
				in_fail(v, f, "invalid_field", "repeats a key");
				return;
			}
	}
}

/* Checks attributes: [{key (1..64, unique), value?, fallback?}]. */
static void
ac_check_attrs(struct in *v, struct json_object *attrs)
{
	struct json_object *a;
	struct in sub;
	const char *key;
	char prefix[48];
	size_t i, j;

	for (i = 0; attrs != NULL && i < json_object_array_length(attrs) && !v->failed; i++) {
		a = json_object_array_get_idx(attrs, i);
		snprintf(prefix, sizeof(prefix), "attributes[%zu].", i);
		if (!json_object_is_type(a, json_type_object)) {
			snprintf(prefix, sizeof(prefix), "attributes[%zu]", i);
			in_fail(v, prefix, "invalid_field", "must be an object with key, value, "
			    "fallback");
			return;
		}
		in_init(&sub, a, prefix);
		in_only(&sub, ac_attr_fields);
		key = in_str(&sub, "key", IN_REQUIRED, 1, RESOLVE_KEY_MAX);
		for (j = 0; key != NULL && j < i; j++)
			if (strcmp(json_object_get_string(json_object_object_get(
			    json_object_array_get_idx(attrs, j), "key")), key) == 0)
				in_fail(&sub, "key", "invalid_field", "repeats the key of attributes[%zu]", j);
		if (sub.failed) {
			/* The nested failure already names its full path. */
			v->failed = 1;
			memcpy(v->field, sub.field, sizeof(v->field));
			memcpy(v->code, sub.code, sizeof(v->code));
			memcpy(v->msg, sub.msg, sizeof(v->msg));
			return;
		}
	}
}

static void
activity_create_route(struct http_req *r)
{
	struct activity_input a;
	struct json_object *out = NULL;
	struct resolve_err e;
	struct in v;
	int t, ch, rc, present;

	if (tenant_header(r) != 0)
		return;
	memset(&a, 0, sizeof(a));
	in_init(&v, r->body, NULL);
	in_only(&v, ac_fields);
	t = in_enum(&v, "type", IN_REQUIRED, activity_types);
	a.reason = in_str(&v, "reason", IN_REQUIRED, 1, 500);
	ch = in_enum(&v, "channel", IN_REQUIRED, resolve_channels);
	a.commerce_id = in_str(&v, "commerce_id", IN_REQUIRED, 1, 64);
	if (a.commerce_id != NULL && !id_is_uuid(a.commerce_id))
		in_fail(&v, "commerce_id", "invalid_field", "must be a UUID");
	a.idempotency_key = in_str(&v, "idempotency_key", IN_REQUIRED, 1, 255);
	a.scheduled_at = in_time(&v, "scheduled_at", IN_REQUIRED, &present);
	a.suggested_at = in_time(&v, "suggested_execution_time", IN_NULLABLE, &a.has_suggested);
	a.user_status = in_str(&v, "user_status", IN_NULLABLE, 1, 100);
	a.has_score = in_has(&v, "score");
	a.score = in_int(&v, "score", IN_NULLABLE, -1000000000LL, 1000000000LL, 0);
	a.assignment_reason = in_str(&v, "assignment_reason", IN_NULLABLE, 1, 500);
	a.criteria = in_arr(&v, "target_criteria", IN_NULLABLE, 0, RESOLVE_MAX_CRITERIA);
	if (a.criteria != NULL && !v.failed && resolve_criteria_check(a.criteria, "target_criteria",
	    &e) != 0)
		fail_resolve(&v, &e);
	a.keys = in_arr(&v, "attribute_keys", IN_NULLABLE, 0, RESOLVE_MAX_KEYS);
	if (!v.failed)
		ac_check_keys(&v, a.keys);
	a.caller = in_arr(&v, "attributes", IN_NULLABLE, 0, RESOLVE_MAX_KEYS);
	if (!v.failed)
		ac_check_attrs(&v, a.caller);
	if (in_reject(&v, r))
		return;
	a.type = activity_types[t];
	a.channel = resolve_channels[ch];
	rc = activity_create(r->auth.tenant_id, &a, r->now, &out);
	if (rc == ACTIVITY_NOT_FOUND)
		http_error_field(r, 404, "commerce_not_found", "commerce_id",
		    "commerce_id: no such commerce");
	else if (rc == ACTIVITY_DUPLICATE)
		http_error_field(r, 409, "idempotency_conflict", "idempotency_key",
		    "idempotency_key: an activity with this key exists already");
	else if (rc != ACTIVITY_OK)
		http_internal(r);
	else
		http_json(r, 201, out);
}

static void
activity_list_route(struct http_req *r)
{
	struct activity_filter f;
	struct json_object *arr;
	struct in v;
	const char *cursor;
	int st, ty, ch, limit, has_more, bad_cursor;

	if (tenant_header(r) != 0)
		return;
	memset(&f, 0, sizeof(f));
	in_init(&v, r->query, NULL);
	in_only(&v, ac_list_fields);
	st = in_enum(&v, "status", IN_QUERY, activity_statuses);
	ty = in_enum(&v, "type", IN_QUERY, activity_types);
	ch = in_enum(&v, "channel", IN_QUERY, resolve_channels);
	f.commerce_id = in_str(&v, "commerce_id", IN_QUERY, 1, 64);
	if (f.commerce_id != NULL && !id_is_uuid(f.commerce_id))
		in_fail(&v, "commerce_id", "invalid_field", "must be a UUID");
	f.from = in_time(&v, "scheduled_from", IN_QUERY, &f.has_from);
	f.to = in_time(&v, "scheduled_to", IN_QUERY, &f.has_to);
	page_params(&v, &limit, &cursor);
	if (in_reject(&v, r))
		return;
	f.status = st >= 0 ? activity_statuses[st] : NULL;
	f.type = ty >= 0 ? activity_types[ty] : NULL;
	f.channel = ch >= 0 ? resolve_channels[ch] : NULL;
	arr = activity_list(r->auth.tenant_id, &f, limit, cursor, &has_more, &bad_cursor);
	reply_page(r, "activities", "an activity", arr, has_more, bad_cursor);
}

/* Answers with the activity's full view, or 404. */
static void
ac_respond(struct http_req *r, const char *id)
{
	reply_by_id(r, 200, NULL, "activity", activity_get_json, id);
}

static void
activity_get(struct http_req *r)
{
	if (tenant_header(r) == 0)
		ac_respond(r, r->params[0]);
}

/* Answers a lifecycle move's outcome. */
static void
ac_moved(struct http_req *r, int rc, const char *what)
{
	if (rc == ACTIVITY_NOT_FOUND)
		http_not_found(r, "activity");
	else if (rc == ACTIVITY_BAD_STATUS)
		http_error(r, 409, "invalid_status", "%s", what);
	else if (rc != ACTIVITY_OK)
		http_internal(r);
	else
		ac_respond(r, r->params[0]);
}

static void
activity_cancel_route(struct http_req *r)
{
	if (tenant_header(r) != 0)
		return;
	ac_moved(r, activity_cancel(r->auth.tenant_id, r->params[0], r->now),
	    "only a READY or UNRESOLVED activity can be canceled");
}

static void
activity_result_route(struct http_req *r)
{
	struct in v;
	const char *notes;
	int res;

	if (tenant_header(r) != 0)
		return;
	in_init(&v, r->body, NULL);
	in_only(&v, ac_result_fields);
	res = in_enum(&v, "result", IN_REQUIRED, activity_results);
	notes = in_str(&v, "notes", IN_NULLABLE, 0, 2000);
	if (in_reject(&v, r))
		return;
	ac_moved(r, activity_report(r->auth.tenant_id, r->params[0], activity_results[res], notes,
	    r->now), "a result is accepted once, for a DISPATCHED activity");
}

int
main(int argc, char **argv)
{
	return http_serve(argc, argv, "retivo-activities", routes, ROUTE__MAX);
}
