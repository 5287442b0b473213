/*
 * settings.c — /api/settings: the tenant's configuration, brand context
 * and kill switch (lib/settings.h has the fields and their rules).
 *
 * Reading needs read, manage or full. Editing settings and brand needs
 * manage or full, but seed 003 reserves the kill switch and shadow mode to
 * admins, which for an API key means a `full` key. Every write is a
 * read-modify-write under the row's lock, so two PATCHes of different keys
 * both survive.
 */
#include "config.h"

#include <string.h>

#include "http.h"
#include "jsonin.h"
#include "settings.h"

static void settings_get(struct http_req *);
static void settings_patch(struct http_req *);
static void settings_patch_brand(struct http_req *);
static void settings_put_kill_switch(struct http_req *);

enum route {
	ROUTE_SETTINGS_GET,
	ROUTE_SETTINGS_PATCH,
	ROUTE_SETTINGS_BRAND,
	ROUTE_SETTINGS_KILL_SWITCH,
	ROUTE__MAX
};

#define ADMIN (SCOPE_FULL)
#define MANAGE (SCOPE_MANAGE | SCOPE_FULL)
#define READ (SCOPE_READ | SCOPE_MANAGE | SCOPE_FULL)

static const struct http_route routes[ROUTE__MAX] = {
	[ROUTE_SETTINGS_GET] = { "GET", "/api/settings", READ, settings_get },
	[ROUTE_SETTINGS_PATCH] = { "PATCH", "/api/settings", MANAGE, settings_patch },
	[ROUTE_SETTINGS_BRAND] = { "PATCH", "/api/settings/brand", MANAGE, settings_patch_brand },
	[ROUTE_SETTINGS_KILL_SWITCH] = { "PUT", "/api/settings/kill-switch", ADMIN,
	    settings_put_kill_switch },
};

static const char *const kill_switch_fields[] = { "active", NULL };

/* Answers 200 {"settings": ...} for ts. */
static void
settings_respond(struct http_req *r, const struct tenant_settings *ts)
{
	struct json_object *o, *out;

	if ((o = settings_to_json(ts)) == NULL) {
		http_internal(r);
		return;
	}
	out = json_object_new_object();
	json_object_object_add(out, "settings", o);
	http_json(r, 200, out);
}

static void
settings_get(struct http_req *r)
{
	struct tenant_settings ts;

	if (settings_load(r->auth.tenant_id, &ts) != 0) {
		http_internal(r);
		return;
	}
	settings_respond(r, &ts);
	settings_clear(&ts);
}

/* Stores an already validated change (see settings_update()) and answers
 * with the whole settings. */
static void
settings_write(struct http_req *r, struct json_object *settings_patch,
    struct json_object *brand_patch, int kill_switch)
{
	struct tenant_settings ts;

	if (settings_update(r->auth.tenant_id, settings_patch, brand_patch, kill_switch, r->now,
	    &ts) != 0) {
		http_internal(r);
		return;
	}
	settings_respond(r, &ts);
	settings_clear(&ts);
}

static void
settings_patch(struct http_req *r)
{
	struct json_object *patch;
	struct in v;

	in_init(&v, r->body, NULL);
	/* Before validation: a manage key learns it may not, whatever the value. */
	if (in_has(&v, "shadow_mode") && !(r->auth.scopes & SCOPE_FULL)) {
		/* Seed 003: toggling shadow mode is an admin's, for keys and members alike. */
		http_error_field(r, 403, r->auth.session ? "insufficient_role" : "insufficient_scope",
		    "shadow_mode", r->auth.session ?
		    "shadow_mode: only an admin may change shadow mode" :
		    "shadow_mode: only a full-scope (admin) key may change shadow mode");
		return;
	}
	if ((patch = settings_check(&v)) == NULL) {
		in_reject(&v, r);
		return;
	}
	settings_write(r, patch, NULL, -1);
	json_object_put(patch);
}

static void
settings_patch_brand(struct http_req *r)
{
	struct json_object *patch;
	struct in v;

	in_init(&v, r->body, NULL);
	if ((patch = settings_brand_check(&v)) == NULL) {
		in_reject(&v, r);
		return;
	}
	settings_write(r, NULL, patch, -1);
	json_object_put(patch);
}

static void
settings_put_kill_switch(struct http_req *r)
{
	struct in v;
	int active;

	in_init(&v, r->body, NULL);
	in_only(&v, kill_switch_fields);
	active = in_bool(&v, "active", IN_REQUIRED, 0);
	if (in_reject(&v, r))
		return;
	settings_write(r, NULL, NULL, active);
}

int
main(int argc, char **argv)
{
	return http_serve(argc, argv, "retivo-settings", routes, ROUTE__MAX);
}
