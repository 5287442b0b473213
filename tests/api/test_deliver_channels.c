/*
 * test_deliver_channels.c — the deliver job's other channels: webhook
 * (one signed delivery of kind "intervention" per endpoint subscribed to
 * intervention.delivered, sent by retivo-dispatch, which then marks the
 * intervention delivered), external action (an action created through
 * the dispatch engine; delivered with it) and escalation (an open case
 * for the team). Also: no subscribed endpoint, an unknown action type, a
 * user who no longer exists. Part of suite_deliver().
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "client.h"
#include "deliver_helpers.h"
#include "helpers.h"
#include "mail_client.h"
#include "receiver_client.h"
#include "suites.h"

#define DC_SCHEMA "{\"type\":\"object\",\"properties\":{\"points\":{\"type\":\"integer\"}}," \
	"\"required\":[\"points\"]}"

/* The receiver's requests on path: how many, and the last body parsed. */
static int
dc_received(const char *path, struct json_object **last_body)
{
	struct json_object *log = receiver_log(path), *b;
	int n;

	*last_body = NULL;
	if (log == NULL)
		return -1;
	n = (int)json_object_array_length(log);
	if (n > 0 && json_object_object_get_ex(json_object_array_get_idx(log, (size_t)n - 1),
	    "body", &b))
		*last_body = json_tokener_parse(json_object_get_string(b));
	json_object_put(log);
	return n;
}

static void
dc_webhook(const struct fixture *a)
{
	struct resp r;
	struct json_object *body = NULL;
	char id[48], id2[48], user[64], secret[128] = "";

	snprintf(user, sizeof(user), "u-hook-%s", dh_suffix());
	dh_user(a->tenant_id, user, NULL);

	/* No endpoint subscribed yet: nothing to send to, failed at once. */
	dh_int(id, a->tenant_id, user, "webhook", "2030-02-01 00:00:00", 0, 0);
	job_run("deliver", "--now 2030-02-01T00:00:00Z");
	ok(strcmp(dh_col(id, "status"), "failed") == 0 &&
	    strstr(dh_col(id, "last_error"), "intervention.delivered") != NULL,
	    "webhook with no subscribed endpoint: failed (%s)", dh_col(id, "last_error"));

	api(&r, "POST", "/api/webhooks/endpoints", a->key,
	    "{\"url\":\"%s\",\"subscribed_events\":[\"intervention.delivered\"]}",
	    receiver_url("/dl-hook"));
	ok(r.status == 201, "an endpoint subscribed to intervention.delivered");
	snprintf(secret, sizeof(secret), "%s", jstr(&r, "endpoint.secret") ?
	    jstr(&r, "endpoint.secret") : nz(jstr(&r, "secret")));
	resp_free(&r);
	api(&r, "POST", "/api/webhooks/endpoints", a->key,
	    "{\"url\":\"%s\",\"subscribed_events\":[\"user.stage_changed\"]}",
	    receiver_url("/dl-other"));
	resp_free(&r);
	if (secret[0])
		receiver_secret("/dl-hook", secret);

	dh_int(id2, a->tenant_id, user, "webhook", "2030-02-01 00:01:00", 0, 0);
	job_run("deliver", "--now 2030-02-01T00:01:00Z");
	ok(strcmp(dh_col(id2, "status"), "sent") == 0 &&
	    strncmp(dh_col(id2, "external_ref"), id2, strlen(id2)) == 0,
	    "webhook: handed to the outbox, sent (external_ref %s)", dh_col(id2, "external_ref"));
	ok(sql_int("SELECT COUNT(*) FROM deliveries WHERE tenant_id = '%s' AND kind = "
	    "'intervention' AND action_id = '%s';", a->tenant_id, id2) == 1,
	    "one delivery, to the subscribed endpoint only");
	job_run("dispatch", "--now 2030-02-01T00:01:00Z");
	ok(dc_received("/dl-other", &body) == 0, "the endpoint of another event got nothing");
	json_object_put(body);
	ok(dc_received("/dl-hook", &body) == 1, "the subscribed endpoint got it once");
	ok(obj_str(body, "type") && strcmp(obj_str(body, "type"), "intervention.delivered") == 0 &&
	    obj_str(body, "intervention_id") && strcmp(obj_str(body, "intervention_id"), id2) == 0 &&
	    obj_str(body, "message") && strstr(obj_str(body, "message"), "here is a tip"),
	    "body: type, intervention_id, message");
	json_object_put(body);
	ok(strcmp(dh_col(id2, "status"), "delivered") == 0 &&
	    strcmp(dh_col(id2, "delivered_at"), "2030-02-01 00:01:00") == 0,
	    "the dispatch engine's success makes it delivered");
	ok(dh_moves(id2, "sent", "delivered") == 1, "history: sent -> delivered by dispatch");
}

static void
dc_action(const struct fixture *a)
{
	struct resp r;
	struct json_object *body = NULL;
	char id[48], id2[48], user[64], ref[64];

	receiver_reset();
	api(&r, "POST", "/api/external/action-types", a->key,
	    "{\"name\":\"dl_points\",\"description\":\"Grant points\",\"provider\":\"loyalty\","
	    "\"parameters_schema\":" DC_SCHEMA ",\"delivery_webhook\":\"%s\","
	    "\"domain\":\"loyalty\",\"estimated_cost_usd\":\"0.05\"}", receiver_url("/dl-act"));
	ok(r.status == 201, "an action type (%ld)", r.status);
	resp_free(&r);
	snprintf(user, sizeof(user), "u-act-%s", dh_suffix());
	dh_user(a->tenant_id, user, NULL);
	dh_int(id, a->tenant_id, user, "external_action", "2030-02-02 00:00:00", 0, 0);
	sql_query(NULL, 0, "UPDATE interventions SET action_type = 'dl_points', parameters = "
	    "'{\"points\": 50}' WHERE id = '%s';", id);
	dh_int(id2, a->tenant_id, user, "external_action", "2030-02-02 00:00:00", 0, 0);
	sql_query(NULL, 0, "UPDATE interventions SET action_type = 'no_such_type' WHERE id = '%s';",
	    id2);
	job_run("deliver", "--now 2030-02-02T00:00:00Z");
	snprintf(ref, sizeof(ref), "%s", dh_col(id, "external_ref"));
	ok(strcmp(dh_col(id, "status"), "sent") == 0 && strncmp(ref, "ea_", 3) == 0,
	    "external action: created through the dispatch engine (%s)", ref);
	ok(sql_int("SELECT COUNT(*) FROM actions WHERE tenant_id = '%s' AND id = '%s' AND "
	    "user_id = '%s' AND action_type = 'dl_points' AND reasoning = 'test reasoning';",
	    a->tenant_id, ref, user) == 1, "the action carries the user, type and reasoning");
	ok(strcmp(dh_col(id2, "status"), "failed") == 0 &&
	    strstr(dh_col(id2, "last_error"), "no_such_type") != NULL,
	    "an unknown action type: failed (%s)", dh_col(id2, "last_error"));
	job_run("dispatch", "--now 2030-02-02T00:00:00Z");
	ok(dc_received("/dl-act", &body) == 1 && obj_str(body, "action_id") &&
	    strcmp(obj_str(body, "action_id"), ref) == 0, "the platform received the action");
	json_object_put(body);
	ok(strcmp(dh_col(id, "status"), "delivered") == 0 &&
	    strcmp(dh_col(id, "delivered_at"), "2030-02-02 00:00:00") == 0,
	    "the action delivered: the intervention is delivered");

	/* The platform answers 410 Gone: the action fails, and so does the
	 * intervention. */
	api(&r, "POST", "/api/external/action-types", a->key,
	    "{\"name\":\"dl_gone\",\"description\":\"Gone\",\"provider\":\"loyalty\","
	    "\"parameters_schema\":" DC_SCHEMA ",\"delivery_webhook\":\"%s\","
	    "\"domain\":\"loyalty\"}", receiver_url("/dl-gone"));
	resp_free(&r);
	receiver_script("/dl-gone", "[{\"status\":410}]");
	dh_int(id2, a->tenant_id, user, "external_action", "2030-02-02 00:10:00", 0, 0);
	sql_query(NULL, 0, "UPDATE interventions SET action_type = 'dl_gone', parameters = "
	    "'{\"points\": 5}' WHERE id = '%s';", id2);
	job_run("deliver", "--now 2030-02-02T00:10:00Z");
	job_run("dispatch", "--now 2030-02-02T00:10:00Z");
	ok(strcmp(dh_col(id2, "status"), "failed") == 0 && dh_moves(id2, "sent", "failed") == 1,
	    "the platform refused the action (410): the intervention failed (%s)",
	    dh_col(id2, "last_error"));

	/* The action expires undelivered (its type's one-day TTL passes with
	 * no dispatch run): the intervention fails with it. */
	dh_int(id2, a->tenant_id, user, "external_action", "2030-02-02 00:20:00", 0, 0);
	sql_query(NULL, 0, "UPDATE interventions SET action_type = 'dl_points', parameters = "
	    "'{\"points\": 7}' WHERE id = '%s';", id2);
	job_run("deliver", "--now 2030-02-02T00:20:00Z");
	ok(strcmp(dh_col(id2, "status"), "sent") == 0, "expiry: the intervention's action is sent");
	job_run("expire", "--now 2030-02-04T00:00:00Z");
	ok(strcmp(dh_col(id2, "status"), "failed") == 0 && dh_moves(id2, "sent", "failed") == 1,
	    "expiry: the action expired undelivered, the intervention failed (%s; %s)",
	    dh_col(id2, "status"), job_output());
}

static void
dc_escalation(const struct fixture *a)
{
	char id[48], id2[48], user[64];

	snprintf(user, sizeof(user), "u-esc-%s", dh_suffix());
	dh_user(a->tenant_id, user, NULL);
	dh_int(id, a->tenant_id, user, "escalation", "2030-02-03 00:00:00", 0, 0);
	sql_query(NULL, 0, "UPDATE interventions SET parameters = '{\"severity\": \"high\"}' "
	    "WHERE id = '%s';", id);
	dh_int(id2, a->tenant_id, "u-nobody-here", "email", "2030-02-03 00:00:00", 0, 0);
	job_run("deliver", "--now 2030-02-03T00:00:00Z");
	ok(strcmp(dh_col(id, "status"), "delivered") == 0 &&
	    strncmp(dh_col(id, "external_ref"), "esc_", 4) == 0,
	    "escalation channel: an escalation opened, delivered");
	ok(sql_int("SELECT COUNT(*) FROM escalations WHERE tenant_id = '%s' AND user_id = '%s' "
	    "AND intervention_id = '%s' AND status = 'open' AND severity = 'high';", a->tenant_id,
	    user, id) == 1, "the escalation is open for the team, names the intervention and "
	    "has the playbook's severity");
	ok(strcmp(dh_col(id2, "status"), "failed") == 0 &&
	    strstr(dh_col(id2, "last_error"), "no longer exists") != NULL,
	    "a user who does not exist: failed");
}

/* POST /api/interventions as key for user with the playbook; id into id. */
static long
dc_create(const char *key, const char *user, const char *pb, char id[64])
{
	struct resp r;
	long st;

	api(&r, "POST", "/api/interventions", key,
	    "{\"user_id\":\"%s\",\"playbook_id\":\"%s\",\"channel\":\"email\"}", user, pb);
	st = r.status;
	snprintf(id, 64, "%s", nz(jstr(&r, "id")));
	resp_free(&r);
	return st;
}

static long
dc_approve(const char *key, const char *id)
{
	struct resp r;
	char path[160];
	long st;

	snprintf(path, sizeof(path), "/api/interventions/%s/approve", id);
	api(&r, "PUT", path, key, NULL);
	st = r.status;
	resp_free(&r);
	return st;
}

/* End to end: a playbook's message composed at creation, approved through
 * the API, sent by the job; the same with a test key reaches nobody. */
static void
dc_through_api(const struct fixture *a)
{
	struct resp r;
	struct mail m;
	char pb[64] = "", id[64], user[64], email[128], tuser[64], temail[128], tkey[64], path[160];
	const char *p;
	int links = 0;

	api(&r, "POST", "/api/playbooks/starter", a->key, "{}");
	resp_free(&r);
	sql_query(pb, sizeof(pb), "SELECT id FROM playbooks WHERE tenant_id = '%s' AND "
	    "starter_key = 'churn_save';", a->tenant_id);
	snprintf(user, sizeof(user), "u-e2e-%s", dh_suffix());
	snprintf(email, sizeof(email), "e2e-%s@example.com", dh_suffix());
	dh_user(a->tenant_id, user, email);
	ok(pb[0] != '\0' && dc_create(a->key, user, pb, id) == 201,
	    "manual intervention of the starter churn_save playbook: 201");
	job_run("deliver", "--now 2030-02-04T00:00:00Z");
	ok(strcmp(dh_col(id, "status"), "pending_approval") == 0 && mail_count(email) == 0,
	    "pending approval: not sent");
	ok(dc_approve(a->key, id) == 200, "approved through the API");
	job_run("deliver", "--now 2030-02-04T00:00:00Z");
	snprintf(path, sizeof(path), "/api/interventions/%s", id);
	api(&r, "GET", path, a->key, NULL);
	ok(r.status == 200 && jstr(&r, "status") && strcmp(jstr(&r, "status"), "delivered") == 0,
	    "GET /api/interventions/{id}: delivered");
	resp_free(&r);
	ok(mail_count(email) == 1 && mail_find(email, &m) == 1, "the composed email arrived");
	for (p = m.text; p && (p = strstr(p, "/unsubscribe?token=")) != NULL; p++)
		links++;
	ok(links == 1, "the composed body carries the same link once (%d)", links);
	mail_free(&m);

	snprintf(tuser, sizeof(tuser), "u-e2e-test-%s", dh_suffix());
	snprintf(temail, sizeof(temail), "e2e-test-%s@example.com", dh_suffix());
	dh_user(a->tenant_id, tuser, temail);
	ok(fixture_key(a->tenant_id, "test", "full", tkey, sizeof(tkey)) == 0 &&
	    dc_create(tkey, tuser, pb, id) == 201 && dc_approve(tkey, id) == 200,
	    "created and approved with a test key");
	job_run("deliver", "--now 2030-02-04T00:00:00Z");
	ok(strcmp(dh_col(id, "status"), "sent") == 0 && strcmp(dh_col(id, "test_mode"), "1") == 0 &&
	    mail_count(temail) == 0, "test key: recorded as sent, nothing at the SMTP server");
}

void
deliver_channels(const struct fixture *a)
{
	dc_through_api(a);
	if (receiver_start() < 0) {
		ok(0, "receiver starts");
		return;
	}
	receiver_reset();
	dc_webhook(a);
	dc_action(a);
	dc_escalation(a);
	receiver_stop();
}
