/*
 * decisions_helpers.c — the helpers of API suite "decisions" (see
 * decisions_helpers.h).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "decisions_helpers.h"
#include "jsonschema.h"
#include "suites.h"

struct fixture d_ft, d_fo;
int64_t d_now0;

/* 1 when the object at parent (NULL: the root) has key, with value null. */
int
d_null(const struct resp *r, const char *parent, const char *key)
{
	struct json_object *o = parent != NULL ? jget(r, parent) : r->json, *v;

	return o != NULL && json_object_object_get_ex(o, key, &v) && v == NULL;
}

long
d_register_type(const char *key, const char *name, const char *domain, const char *schema,
    char *id_out, size_t idlen)
{
	return api_create("/api/external/action-types", key, "action_type.id", id_out, idlen,
	    "{\"name\":\"%s\",\"description\":\"d\",\"provider\":\"test\",\"domain\":\"%s\","
	    "\"parameters_schema\":%s,\"delivery_webhook\":\"" HOOK "\"}", name, domain, schema);
}

/* Creates user (one event at t) and sets its row's stage, risk and engagement. */
int
d_make_user(const struct fixture *f, const char *user, int64_t t, const char *stage,
    const char *risk, double engagement)
{
	int rc;

	rc = post_event(f->key, user, "page_viewed", t, NULL);
	if (rc == 0 && sql_query(NULL, 0, "UPDATE users SET lifecycle_stage = '%s', risk_level = "
	    "'%s', engagement_score = %f, activation_score = 0.5 WHERE tenant_id = '%s' AND "
	    "user_id = '%s'", stage, risk, engagement, f->tenant_id, user) != 0)
		rc = -1;
	if (rc != 0)
		diag("make_user %s failed", user);
	return rc;
}

/* POST /api/decisions/recommend for user over actions (a JSON array's inside). */
long
d_recommend(struct resp *r, const char *key, const char *user, const char *actions)
{
	api(r, "POST", "/api/decisions/recommend", key,
	    "{\"user_id\":\"%s\",\"available_actions\":[%s]}", user, actions);
	return r->status;
}

long
d_outcome(const char *key, const char *id, const char *status)
{
	char path[200];
	struct resp r;
	long s;

	snprintf(path, sizeof(path), "/api/decisions/%s/outcome", id);
	api(&r, "POST", path, key, "{\"status\":\"%s\"}", status);
	s = r.status;
	resp_free(&r);
	return s;
}

/* 1 when params validates against schema text. */
int
d_valid_params(struct json_object *params, const char *schema_text)
{
	struct json_object *schema = json_tokener_parse(schema_text);
	char err[256];
	int ok = schema != NULL && params != NULL &&
	    jsonschema_validate(schema, params, err, sizeof(err)) == 1;

	if (!ok)
		diag("parameters %s against %s: %s", params ? json_object_to_json_string(params) : "null",
		    schema_text, err);
	json_object_put(schema);
	return ok;
}

const char *
d_schema_of(const char *action)
{
	if (strcmp(nz(action), "grant_points") == 0)
		return SCHEMA_POINTS;
	if (strcmp(nz(action), "send_email") == 0)
		return SCHEMA_EMAIL;
	return SCHEMA_DISCOUNT;
}
