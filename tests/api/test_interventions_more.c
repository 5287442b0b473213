/*
 * test_interventions_more.c — the rest of API suite "interventions": four
 * approvals of one intervention at the same moment (one wins, one history
 * row), and the rollback of a delivered external action, whose signed
 * rollback dispatch retivo-dispatch delivers to retivo-receiver.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "interventions_helpers.h"
#include "receiver_client.h"
#include "suites.h"
#include "timeutil.h"

/* Four approvals of one intervention at the same moment: one 200, three
 * 409, one history row. */
void
interventions_concurrent_approve(void)
{
	char id[64], path[128];
	struct api_call call = { path, NULL };
	long st[4];
	int n200, n409;

	if (iv_create(iv_f.key, id, "{\"user_id\":\"iv-u1\"}") != 201) {
		ok(0, "concurrent approve: setup");
		return;
	}
	snprintf(path, sizeof(path), "/api/interventions/%s/approve", id);
	if (api_together(st, 4, "PUT", iv_f.key, &call, 1) != 0) {
		ok(0, "concurrent approve: requests sent");
		return;
	}
	n200 = status_count(st, 4, 200);
	n409 = status_count(st, 4, 409);
	ok(n200 == 1 && n409 == 3, "four approvals at once: one 200, three 409 (%d, %d, "
	    "other %d)", n200, n409, 4 - n200 - n409);
	ok(sql_int("SELECT COUNT(*) FROM intervention_history WHERE intervention_id = '%s' AND "
	    "to_status = 'approved'", id) == 1, "four approvals at once: one history row");
}

/* A delivered external action rolled back: a signed rollback dispatch
 * reaches the action type's webhook through retivo-dispatch. */
void
interventions_rollback_dispatch(void)
{
	struct json_object *log = NULL, *req, *x, *body = NULL;
	struct resp r;
	char id[64], iso[TIME_ISO8601_SIZE];
	int sent = 0;

	if (!ok(receiver_start() > 0 && receiver_reset() == 0, "rollback: the receiver runs"))
		return;
	api(&r, "POST", "/api/external/action-types", iv_f.key,
	    "{\"name\":\"iv_points\",\"description\":\"d\",\"provider\":\"receiver\","
	    "\"parameters_schema\":{\"type\":\"object\",\"properties\":{\"amount\":{\"type\":"
	    "\"integer\"}},\"required\":[\"amount\"]},\"delivery_webhook\":\"%s\"}",
	    receiver_url("/iv-rb"));
	if (!ok(r.status == 201 && jstr(&r, "action_type.webhook_secret") != NULL &&
	    receiver_secret("/iv-rb", jstr(&r, "action_type.webhook_secret")) == 0,
	    "rollback: an action type on the receiver (%s)", r.body)) {
		resp_free(&r);
		return;
	}
	resp_free(&r);
	api(&r, "POST", "/api/interventions", iv_f.key, "{\"user_id\":\"iv-u1\",\"channel\":"
	    "\"external_action\",\"action_type\":\"iv_points\",\"parameters\":{\"amount\":\"x\"}}");
	ok(is_error(&r, 400, "parameters") && streq(jstr(&r, "field"), "parameters"),
	    "create external_action: parameters checked against the type's schema");
	resp_free(&r);
	if (iv_create(iv_f.key, id, "{\"user_id\":\"iv-u1\",\"channel\":\"external_action\","
	    "\"action_type\":\"iv_points\",\"parameters\":{\"amount\":50}}") != 201 ||
	    sql_query(NULL, 0, "UPDATE interventions SET status = 'delivered', external_ref = "
	    "'ea_ivrollback1' WHERE id = '%s'", id) != 0) {
		ok(0, "rollback: a delivered external action");
		return;
	}
	ok(streq(iv_field(id, "parameters.amount"), "50") && streq(iv_field(id, "action_type"),
	    "iv_points"), "external_action: action type and parameters stored");
	iv_verb(&r, iv_f.key, id, "rollback", "{\"reason\":\"granted by mistake\"}");
	ok(r.status == 200 &&
	    streq(jstr(&r, "status"), "rolled_back"), "rollback of the external action: 200");
	resp_free(&r);
	ok(sql_int("SELECT COUNT(*) FROM deliveries WHERE tenant_id = '%s' AND kind = 'rollback' "
	    "AND state = 'pending'", iv_f.tenant_id) == 1, "rollback: one dispatch queued");
	time_format_iso8601(time_now() + 5, iso);
	if (job_run("dispatch", "--now %s", iso) != 0)
		diag("retivo-dispatch: %s", job_output());
	if ((log = receiver_log("/iv-rb")) != NULL)
		sent = (int)json_object_array_length(log);
	ok(sent == 1, "rollback: the receiver got one request (%d)", sent);
	req = sent == 1 ? json_object_array_get_idx(log, 0) : NULL;
	if (req != NULL && json_object_object_get_ex(req, "body", &x))
		body = json_tokener_parse(json_object_get_string(x));
	ok(req != NULL && json_object_object_get_ex(req, "signature_ok", &x) &&
	    json_object_get_boolean(x), "rollback: signed with the type's secret");
	ok(body != NULL && json_object_object_get_ex(body, "type", &x) &&
	    streq(json_object_get_string(x), "rollback") &&
	    json_object_object_get_ex(body, "intervention_id", &x) &&
	    streq(json_object_get_string(x), id) &&
	    json_object_object_get_ex(body, "action_id", &x) &&
	    streq(json_object_get_string(x), "ea_ivrollback1") &&
	    json_object_object_get_ex(body, "reason", &x) &&
	    streq(json_object_get_string(x), "granted by mistake"),
	    "rollback: the body names the intervention, the action and the reason");
	json_object_put(body);
	json_object_put(log);
	ok(sql_int("SELECT COUNT(*) FROM deliveries WHERE tenant_id = '%s' AND kind = 'rollback' "
	    "AND state = 'succeeded'", iv_f.tenant_id) == 1, "rollback: the delivery succeeded");
}
