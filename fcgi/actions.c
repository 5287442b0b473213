/*
 * actions.c — /api/external/actions: dispatching an action to the
 * platform behind an action type, the dispatch log for pull
 * reconciliation, and outcomes (seed 000 "Actions (Dispatch Log)",
 * SPEC.md "POST /api/external/actions").
 *
 * Scopes: dispatching and reporting outcomes change state, so they take
 * manage or full (seed 000 lists "Report outcome: manage or full" and
 * does not list dispatch; it sits with action-type CRUD). Reading takes
 * read, manage or full. A test-mode key's actions are recorded and
 * dispatched like any other, with "test_mode": true in the webhook body,
 * so the receiving platform knows not to act on a real user.
 *
 * A dispatch may carry "decision_id" (issue 6): the tenant's decision for
 * the same user that this action carries out. It is linked in the
 * dispatch's transaction, and the action's outcome is then recorded on
 * the decision too (lib/action.c, lib/decision.h), so the engine learns
 * from platforms that report on actions rather than on decisions.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "action.h"
#include "decision.h"
#include "event.h"
#include "http.h"
#include "ids.h"
#include "jsonin.h"
#include "jsonschema.h"
#include "log.h"
#include "page.h"
#include "reply.h"

static void actions_dispatch(struct http_req *);
static void actions_list(struct http_req *);
static void actions_get(struct http_req *);
static void actions_outcome(struct http_req *);

enum route {
	ROUTE_ACTIONS_DISPATCH,
	ROUTE_ACTIONS_LIST,
	ROUTE_ACTIONS_GET,
	ROUTE_ACTIONS_OUTCOME,
	ROUTE__MAX
};

#define MANAGE (SCOPE_MANAGE | SCOPE_FULL)
#define READ (SCOPE_READ | SCOPE_MANAGE | SCOPE_FULL)

static const struct http_route routes[ROUTE__MAX] = {
	[ROUTE_ACTIONS_DISPATCH] = { "POST", "/api/external/actions", MANAGE, actions_dispatch },
	[ROUTE_ACTIONS_LIST] = { "GET", "/api/external/actions", READ, actions_list },
	[ROUTE_ACTIONS_GET] = { "GET", "/api/external/actions/:id", READ, actions_get },
	[ROUTE_ACTIONS_OUTCOME] = { "POST", "/api/external/actions/:id/outcome", MANAGE,
	    actions_outcome },
};

static const char *const dispatch_fields[] = { "action_type", "user_id", "parameters",
	"reasoning", "confidence", "decision_id", NULL };
static const char *const list_fields[] = { "status", "provider", "user_id", "since", "limit",
	"cursor", NULL };
static const char *const outcome_fields[] = { "status", "result", NULL };

/* Reads confidence, a number from 0 to 1; 0 when absent (*present says).
 * lib/jsonin.h has no accessor for a fractional number yet; this is one in
 * its manner (presence through in_has, failure through in_fail). */
static double
read_confidence(struct in *v, int *present)
{
	struct json_object *o;
	double d;

	*present = 0;
	if (v->failed || !in_has(v, "confidence"))
		return 0;
	json_object_object_get_ex(v->obj, "confidence", &o);
	if (!json_object_is_type(o, json_type_double) && !json_object_is_type(o, json_type_int)) {
		in_fail(v, "confidence", "invalid_field", "must be a number from 0 to 1");
		return 0;
	}
	d = json_object_get_double(o);
	if (!(d >= 0 && d <= 1)) {
		in_fail(v, "confidence", "invalid_field", "must be a number from 0 to 1");
		return 0;
	}
	*present = 1;
	return d;
}

/* Checks the parameters against the type's schema; failures land in v. */
static int
check_parameters(struct in *v, const struct action_target *t, struct json_object *params)
{
	struct json_object *schema;
	char err[300];
	int ok;

	if ((schema = json_tokener_parse(t->parameters_schema)) == NULL) {
		log_err("actions: stored parameters_schema of %s does not parse", t->id);
		return -1;
	}
	ok = jsonschema_validate(schema, params, err, sizeof(err));
	json_object_put(schema);
	if (ok == 1)
		return 0;
	if (ok == 0)
		in_fail(v, "parameters", "invalid_field", "%s", err);
	else
		in_fail(v, "parameters", "invalid_field", "cannot be checked against the action "
		    "type's parameters_schema: %s", err);
	return 0;
}

/* Checks the optional decision_id: the tenant's decision for the same
 * user, not yet linked to an action. Failures land in v; -1 on error. */
static int
check_decision(struct in *v, struct http_req *r, const struct action_new *a)
{
	int rc = DECISION_LINK_NOT_FOUND;

	if (id_has_prefix(a->decision_id, "dec") &&
	    (rc = decision_link_check(r->auth.tenant_id, a->decision_id, a->user_id)) < 0)
		return -1;
	if (rc == DECISION_LINK_NOT_FOUND)
		in_fail(v, "decision_id", "invalid_field", "no decision %s for user %s",
		    a->decision_id, a->user_id);
	else if (rc == DECISION_LINK_TAKEN)
		in_fail(v, "decision_id", "invalid_field", "the decision %s is already linked to "
		    "an action", a->decision_id);
	return 0;
}

static void
actions_dispatch(struct http_req *r)
{
	struct action_target t;
	struct action_new a;
	struct in v;
	struct json_object *o, *out;
	char id[48];
	int rc, found;

	memset(&t, 0, sizeof(t));
	memset(&a, 0, sizeof(a));
	in_init(&v, r->body, NULL);
	in_only(&v, dispatch_fields);
	a.action_type = in_str(&v, "action_type", IN_REQUIRED, 1, 64);
	a.user_id = in_str(&v, "user_id", IN_REQUIRED, 1, ACTION_USER_ID_MAX);
	if (a.user_id != NULL && !event_user_id_valid(a.user_id))
		in_fail(&v, "user_id", "invalid_field", "must not contain control characters");
	a.parameters = in_obj(&v, "parameters", IN_REQUIRED);
	a.reasoning = in_str(&v, "reasoning", IN_NULLABLE, 0, ACTION_REASONING_MAX);
	a.confidence = read_confidence(&v, &a.has_confidence);
	a.decision_id = in_str(&v, "decision_id", IN_NULLABLE, 1, 40);
	a.test_mode = r->auth.test_mode;
	if (in_reject(&v, r))
		return;
	if ((rc = action_target_load(r->auth.tenant_id, a.action_type, &t)) < 0) {
		http_internal(r);
		goto out;
	}
	if (rc == 1) {
		in_fail(&v, "action_type", "invalid_field", "no active action type named %s",
		    a.action_type);
		goto reject;
	}
	if (!t.active) {
		in_fail(&v, "action_type", "invalid_field",
		    "the action type %s is inactive; reactivate it with PUT "
		    "/api/external/action-types/%s {\"active\": true}", a.action_type, t.id);
		goto reject;
	}
	if (check_parameters(&v, &t, a.parameters) != 0) {
		http_internal(r);
		goto out;
	}
	if (!v.failed && a.decision_id != NULL && check_decision(&v, r, &a) != 0) {
		http_internal(r);
		goto out;
	}
	if (v.failed)
		goto reject;
	if ((rc = action_create(r->auth.tenant_id, &t, &a, r->now, id)) ==
	    ACTION_CREATE_LINK_FAILED) {
		in_fail(&v, "decision_id", "invalid_field", "the decision %s was linked to another "
		    "action meanwhile, or is not a decision for user %s", a.decision_id, a.user_id);
		goto reject;
	}
	if (rc != 0 || (o = action_get_json(r->auth.tenant_id, id, &found)) == NULL) {
		http_internal(r);
		goto out;
	}
	out = json_object_new_object();
	json_object_object_add(out, "action", o);
	http_json(r, 201, out);
	goto out;
reject:
	in_reject(&v, r);
out:
	action_target_clear(&t);
}

static void
actions_list(struct http_req *r)
{
	struct action_filter f;
	struct json_object *arr;
	struct in v;
	const char *cursor;
	int status, limit, has_more, bad_cursor;

	memset(&f, 0, sizeof(f));
	in_init(&v, r->query, NULL);
	in_only(&v, list_fields);
	status = in_enum(&v, "status", IN_QUERY, action_statuses);
	f.provider = in_str(&v, "provider", IN_QUERY, 1, 100);
	f.user_id = in_str(&v, "user_id", IN_QUERY, 1, ACTION_USER_ID_MAX);
	f.since = in_time(&v, "since", IN_QUERY, &f.has_since);
	page_params(&v, &limit, &cursor);
	if (in_reject(&v, r))
		return;
	f.status = status >= 0 ? action_statuses[status] : NULL;
	arr = action_list(r->auth.tenant_id, &f, limit, cursor, &has_more, &bad_cursor);
	reply_page(r, "actions", "an action", arr, has_more, bad_cursor);
}

static void
actions_get(struct http_req *r)
{
	reply_get(r, "ea", "action", "action", action_get_json);
}

static void
actions_outcome(struct http_req *r)
{
	struct json_object *result, *out;
	struct in v;
	const char *text = NULL;
	int status, rc;

	if (!id_has_prefix(r->params[0], "ea")) {
		http_not_found(r, "action");
		return;
	}
	in_init(&v, r->body, NULL);
	in_only(&v, outcome_fields);
	status = in_enum(&v, "status", IN_REQUIRED, action_outcome_statuses);
	result = in_obj(&v, "result", IN_NULLABLE);
	if (in_reject(&v, r))
		return;
	if (result != NULL)
		text = json_object_to_json_string_ext(result,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	rc = action_outcome_record(r->auth.tenant_id, r->params[0],
	    action_outcome_statuses[status], text, r->now);
	if (rc == ACTION_OUTCOME_NOT_FOUND) {
		http_not_found(r, "action");
		return;
	}
	if (rc == ACTION_OUTCOME_DUPLICATE) {
		http_error(r, 409, "outcome_exists",
		    "an outcome was already reported for action %s", r->params[0]);
		return;
	}
	if (rc != ACTION_OUTCOME_OK) {
		http_internal(r);
		return;
	}
	out = json_object_new_object();
	json_object_object_add(out, "recorded", json_object_new_boolean(1));
	json_object_object_add(out, "action_id", json_object_new_string(r->params[0]));
	json_object_object_add(out, "outcome_status",
	    json_object_new_string(action_outcome_statuses[status]));
	http_json(r, 200, out);
}

int
main(int argc, char **argv)
{
	return http_serve(argc, argv, "retivo-actions", routes, ROUTE__MAX);
}
