/*
 * test_interventions.c — seed 001 "Interventions", every route but the
 * dry-run (suite decisions): manual creation and its validation, the
 * state machine over HTTP (each verb's legal move, 409 invalid_transition
 * naming the current status, the history rows), reject's required
 * reason, flag, list filters and cursor, test-mode keys, shadow mode,
 * scopes and roles (a viewer may not approve, an editor may), another
 * tenant's ids (404); two approvals at once and the signed rollback
 * dispatch are in test_interventions_more.c.
 *
 * Playbooks are inserted with SQL so the suite does not depend on the
 * playbooks routes; a delivered intervention is made by moving a row with
 * SQL, since delivering is suite deliver's.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "interventions_helpers.h"
#include "session_client.h"
#include "suites.h"
#include "timeutil.h"

struct fixture iv_f, iv_o;	/* the suite's tenant, another tenant */
static char pb_auto[48], pb_other[48], pb_quiet[48];

/* A well-formed playbook id ("pb_" + 24 base62) made of tag and the
 * tenant's hex digits, so reruns on a fresh tenant never collide. */
static void
pb_id(char out[48], const char *tag, const char *tenant_id)
{
	size_t n = 0;
	const char *p;

	n = (size_t)snprintf(out, 48, "pb_%s", tag);
	for (p = tenant_id; *p != '\0' && n < 3 + 24; p++)
		if (*p != '-')
			out[n++] = *p;
	out[n] = '\0';
}

/* Inserts an active playbook with constraints (JSON text). 0 or -1. */
static int
make_playbook(const struct fixture *f, const char *id, const char *name, const char *constraints)
{
	return sql_query(NULL, 0, "INSERT INTO playbooks (id, tenant_id, name, lifecycle_area, status, "
	    "entry_conditions, exit_conditions, constraints, strategy_hints, created_at, updated_at) "
	    "VALUES ('%s', '%s', '%s', 'retention', 'active', '{}', '{}', '%s', "
	    "'{\"template\":\"Hi {{user.user_id}}, see what is new.\"}', UTC_TIMESTAMP(), "
	    "UTC_TIMESTAMP())", id, f->tenant_id, name, constraints);
}

/* POST /api/interventions with body; the status, the new id in id. */
long
iv_create(const char *key, char id[64], const char *fmt_body)
{
	return api_create("/api/interventions", key, "id", id, 64, "%s", fmt_body);
}

/* PUT /api/interventions/{id}/{verb} with body (NULL: none); r filled. */
long
iv_verb(struct resp *r, const char *key, const char *id, const char *v, const char *body)
{
	char path[160];

	snprintf(path, sizeof(path), "/api/interventions/%s/%s", id, v);
	if (body != NULL)
		api(r, "PUT", path, key, "%s", body);
	else
		api(r, "PUT", path, key, NULL);
	return r->status;
}

/* The intervention's field as key sees it (static copy), "null" when null
 * or absent, "HTTP n" when the GET fails. */
static const char *
field_as(const char *key, const char *id, const char *name)
{
	static char out[512];
	struct json_object *o;
	struct resp r;
	char path[160];

	snprintf(path, sizeof(path), "/api/interventions/%s", id);
	api(&r, "GET", path, key, NULL);
	o = jget(&r, name);
	if (r.status != 200)
		snprintf(out, sizeof(out), "HTTP %ld", r.status);
	else if (o == NULL)
		snprintf(out, sizeof(out), "null");
	else
		snprintf(out, sizeof(out), "%s", json_object_get_string(o));
	resp_free(&r);
	return out;
}

const char *
iv_field(const char *id, const char *name)
{
	return field_as(iv_f.key, id, name);
}

static void
test_create(void)
{
	struct resp r;
	char id[64], tid[64], path[160];
	const char *code;

	api(&r, "POST", "/api/interventions", iv_f.key, "{}");
	ok(is_error(&r, 400, "user_id") && streq(jstr(&r, "field"), "user_id"),
	    "create: no body is 400 naming user_id (%s)", r.body);
	resp_free(&r);
	api(&r, "POST", "/api/interventions", iv_f.key, "{\"user_id\":\"iv-u1\",\"colour\":1}");
	ok(is_error(&r, 400, "colour") && streq(jstr(&r, "code"), "unknown_field"),
	    "create: an unknown field is 400 unknown_field");
	resp_free(&r);
	api(&r, "POST", "/api/interventions", iv_f.key, "{\"user_id\":\"iv-u1\",\"channel\":\"sms\"}");
	ok(is_error(&r, 400, "channel") && streq(jstr(&r, "field"), "channel"),
	    "create: channel sms is 400 naming channel");
	resp_free(&r);
	api(&r, "POST", "/api/interventions", iv_f.key, "{\"user_id\":\"nobody-here\"}");
	ok(r.status == 404 && streq(jstr(&r, "code"), "user_not_found"),
	    "create: an unknown user is 404 user_not_found (%s)", r.body);
	resp_free(&r);
	api(&r, "POST", "/api/interventions", iv_f.key, "{\"user_id\":\"iv-opt\"}");
	ok(r.status == 409 && streq(jstr(&r, "code"), "user_opted_out"),
	    "create: an opted-out user is 409 user_opted_out (%s)", r.body);
	resp_free(&r);
	api(&r, "POST", "/api/interventions", iv_f.key, "{\"user_id\":\"iv-pause\"}");
	ok(r.status == 409 && streq(jstr(&r, "code"), "user_paused"),
	    "create: a paused user is 409 user_paused");
	resp_free(&r);
	api(&r, "POST", "/api/interventions", iv_f.key, "{\"user_id\":\"iv-u1\",\"playbook_id\":\"%s\"}",
	    pb_other);
	ok(r.status == 404, "create: another tenant's playbook is 404 (%s)", r.body);
	resp_free(&r);
	api(&r, "POST", "/api/interventions", iv_f.key,
	    "{\"user_id\":\"iv-u1\",\"channel\":\"external_action\"}");
	ok(is_error(&r, 400, "action_type") && streq(jstr(&r, "code"), "missing_field"),
	    "create: external_action without an action type is 400 naming action_type");
	resp_free(&r);

	api(&r, "POST", "/api/interventions", iv_f.key, "{\"user_id\":\"iv-u1\",\"channel\":\"email\"}");
	ok(r.status == 201 && strncmp(nz(jstr(&r, "id")), "int_", 4) == 0 &&
	    streq(jstr(&r, "status"), "pending_approval") && streq(jstr(&r, "channel"), "email") &&
	    jstr(&r, "planned_at") != NULL && strlen(jstr(&r, "planned_at")) == 20,
	    "create: 201 {id int_…, status pending_approval, channel, planned_at} (%s)", r.body);
	snprintf(id, sizeof(id), "%s", nz(jstr(&r, "id")));
	resp_free(&r);
	snprintf(path, sizeof(path), "/api/interventions/%s", id);
	api(&r, "GET", path, iv_f.key, NULL);
	ok(r.status == 200 && streq(jstr(&r, "user_id"), "iv-u1") &&
	    streq(jstr(&r, "source"), "manual") && jstr(&r, "message_body") != NULL &&
	    strlen(jstr(&r, "message_body")) > 0 && jget(&r, "quality_checks") != NULL &&
	    json_object_is_type(jget(&r, "quality_checks"), json_type_array) &&
	    json_object_is_type(jget(&r, "test_mode"), json_type_boolean) &&
	    !json_object_get_boolean(jget(&r, "test_mode")) &&
	    json_object_is_type(jget(&r, "flagged"), json_type_boolean) &&
	    jstr(&r, "reasoning") != NULL && jstr(&r, "created_at") != NULL,
	    "get: the seed's fields, source manual, a composed body and quality checks (%s)",
	    r.body);
	resp_free(&r);
	ok(sql_int("SELECT COUNT(*) FROM intervention_history WHERE intervention_id = '%s' AND "
	    "from_status IS NULL AND to_status = 'pending_approval'", id) == 1,
	    "create: the first history row");

	ok(iv_create(iv_f.key, id, "{\"user_id\":\"iv-u1\",\"playbook_id\":\"" "PBAUTO" "\"}") == 404,
	    "create: a malformed playbook id is 404");
	snprintf(path, sizeof(path), "{\"user_id\":\"iv-u1\",\"playbook_id\":\"%s\"}", pb_auto);
	api(&r, "POST", "/api/interventions", iv_f.key, "%s", path);
	ok(r.status == 201 && streq(jstr(&r, "status"), "approved") &&
	    streq(jstr(&r, "channel"), "webhook"),
	    "create: a playbook without approval gives approved, on the playbook's channel (%s)",
	    r.body);
	snprintf(tid, sizeof(tid), "%s", nz(jstr(&r, "id")));
	resp_free(&r);
	ok(streq(iv_field(tid, "playbook_id"), pb_auto), "create: playbook_id is stored");

	/* Quiet from 00:00 to 23:59 UTC (the user has no zone, the tenant's
	 * default is UTC): the one allowed minute is 23:59. */
	snprintf(path, sizeof(path), "{\"user_id\":\"iv-u1\",\"playbook_id\":\"%s\"}", pb_quiet);
	api(&r, "POST", "/api/interventions", iv_f.key, "%s", path);
	{
		char iso[TIME_ISO8601_SIZE];
		int64_t now = time_now();

		time_format_iso8601(now, iso);
		ok(r.status == 201 && jstr(&r, "planned_at") != NULL &&
		    (strcmp(jstr(&r, "planned_at") + 10, "T23:59:00Z") == 0 ||
		    strncmp(iso + 10, "T23:59", 6) == 0) &&
		    strncmp(jstr(&r, "planned_at"), iso, 10) == 0,
		    "create: planned_at moved out of the playbook's quiet hours (%s)", r.body);
	}
	resp_free(&r);

	code = NULL;
	{
		char tkey[64];
		const char *test_user = NULL;

		if (fixture_key(iv_f.tenant_id, "test", "manage,ingest", tkey, sizeof(tkey)) == 0 &&
		    iv_create(tkey, tid, "{\"user_id\":\"iv-u1\"}") == 201)
			code = iv_field(tid, "test_mode");
		ok(streq(code, "true"), "create: a test key's intervention is test_mode");
		/* A user known only through the test key: test data even with a live key. */
		api(&r, "POST", "/api/events", tkey, "{\"user_id\":\"iv-testonly\",\"event\":"
		    "\"page_viewed\"}");
		resp_free(&r);
		if (iv_create(iv_f.key, tid, "{\"user_id\":\"iv-testonly\"}") == 201)
			test_user = iv_field(tid, "test_mode");
		ok(streq(test_user, "true"), "create: a test-only user's intervention is test_mode, "
		    "even with a live key");
	}
}

static void
test_transitions(void)
{
	struct resp r;
	char id[64];

	if (iv_create(iv_f.key, id, "{\"user_id\":\"iv-u1\"}") != 201) {
		ok(0, "transitions: create");
		return;
	}
	iv_verb(&r, iv_f.key, id, "approve", NULL);
	ok(r.status == 200 && streq(jstr(&r, "id"), id) &&
	    streq(jstr(&r, "status"), "approved"), "approve: pending_approval -> approved (%s)",
	    r.body);
	resp_free(&r);
	ok(strlen(iv_field(id, "approved_at")) == 20, "approve: approved_at set");
	iv_verb(&r, iv_f.key, id, "approve", NULL);
	ok(r.status == 409 &&
	    streq(jstr(&r, "code"), "invalid_transition") && is_error(&r, 409, "approved"),
	    "approve twice: 409 invalid_transition naming approved (%s)", r.body);
	resp_free(&r);
	iv_verb(&r, iv_f.key, id, "pause", "{}");
	ok(r.status == 200 && streq(jstr(&r, "status"), "paused"),
	    "pause: approved -> paused");
	resp_free(&r);
	iv_verb(&r, iv_f.key, id, "pause", NULL);
	ok(r.status == 409 && is_error(&r, 409, "paused"),
	    "pause twice: 409 naming paused");
	resp_free(&r);
	iv_verb(&r, iv_f.key, id, "approve", NULL);
	ok(r.status == 200 && streq(jstr(&r, "status"), "approved"),
	    "approve: paused -> approved (resume)");
	resp_free(&r);
	iv_verb(&r, iv_f.key, id, "approve", "{\"reason\":\"x\"}");
	ok(r.status == 400 &&
	    streq(jstr(&r, "code"), "unknown_field"), "approve takes no reason: 400");
	resp_free(&r);
	iv_verb(&r, iv_f.key, id, "reject", NULL);
	ok(r.status == 400 && streq(jstr(&r, "field"), "reason") &&
	    streq(jstr(&r, "code"), "missing_field"), "reject without a body: 400 naming reason");
	resp_free(&r);
	iv_verb(&r, iv_f.key, id, "reject", "{\"reason\":\"\"}");
	ok(r.status == 400 &&
	    streq(jstr(&r, "field"), "reason"), "reject with an empty reason: 400");
	resp_free(&r);
	iv_verb(&r, iv_f.key, id, "reject", "{\"reason\":\"off brand\"}");
	ok(r.status == 200 &&
	    streq(jstr(&r, "status"), "rejected"), "reject: approved -> rejected");
	resp_free(&r);
	ok(streq(iv_field(id, "reject_reason"), "off brand"), "reject: reason stored");
	iv_verb(&r, iv_f.key, id, "approve", NULL);
	ok(r.status == 409 && is_error(&r, 409, "rejected"),
	    "approve a rejected one: 409 naming rejected (%s)", r.body);
	resp_free(&r);
	iv_verb(&r, iv_f.key, id, "rollback", NULL);
	ok(r.status == 409 && is_error(&r, 409, "rejected") &&
	    streq(jstr(&r, "code"), "invalid_transition"),
	    "rollback of a rejected one: 409 invalid_transition");
	resp_free(&r);
	ok(sql_int("SELECT COUNT(*) FROM intervention_history WHERE intervention_id = '%s'", id) == 5,
	    "history: creation plus four moves, refusals add nothing");
	ok(sql_int("SELECT COUNT(*) FROM intervention_history WHERE intervention_id = '%s' AND "
	    "from_status = 'approved' AND to_status = 'rejected' AND reason = 'off brand' AND "
	    "actor LIKE 'key:%%'", id) == 1, "history: the reject row has its reason and actor");

	/* A delivered email (delivery is suite deliver's; the row is moved here). */
	if (iv_create(iv_f.key, id, "{\"user_id\":\"iv-u1\"}") != 201 ||
	    sql_query(NULL, 0, "UPDATE interventions SET status = 'delivered', sent_at = "
	    "UTC_TIMESTAMP(), delivered_at = UTC_TIMESTAMP() WHERE id = '%s'", id) != 0) {
		ok(0, "rollback: a delivered intervention");
		return;
	}
	iv_verb(&r, iv_f.key, id, "pause", NULL);
	ok(r.status == 409 && is_error(&r, 409, "delivered"),
	    "pause a delivered one: 409 naming delivered");
	resp_free(&r);
	iv_verb(&r, iv_f.key, id, "rollback", "{\"reason\":\"wrong segment\"}");
	ok(r.status == 200 &&
	    streq(jstr(&r, "status"), "rolled_back"), "rollback: delivered -> rolled_back (%s)",
	    r.body);
	resp_free(&r);
	ok(streq(iv_field(id, "rollback_reason"), "wrong segment"), "rollback: reason stored");
	iv_verb(&r, iv_f.key, id, "rollback", NULL);
	ok(r.status == 409 && is_error(&r, 409, "rolled_back"),
	    "rollback twice: 409 naming rolled_back");
	resp_free(&r);
	ok(sql_int("SELECT COUNT(*) FROM deliveries WHERE tenant_id = '%s' AND kind = 'rollback'",
	    iv_f.tenant_id) == 0, "rollback of an email queues no dispatch");
	if (iv_create(iv_f.key, id, "{\"user_id\":\"iv-u1\"}") == 201 &&
	    sql_query(NULL, 0, "UPDATE interventions SET status = 'delivered' WHERE id = '%s'",
	    id) == 0) {
		iv_verb(&r, iv_f.key, id, "rollback", NULL);
		ok(r.status == 200 &&
		    streq(iv_field(id, "rollback_reason"), "null"), "rollback: the reason is optional");
		resp_free(&r);
	} else
		ok(0, "rollback without reason: setup");
}

static void
test_flag(void)
{
	struct resp r;
	char id[64], path[160];
	struct json_object *a;

	if (iv_create(iv_f.key, id, "{\"user_id\":\"iv-u2\"}") != 201) {
		ok(0, "flag: create");
		return;
	}
	iv_verb(&r, iv_f.key, id, "flag", NULL);
	ok(r.status == 400 && streq(jstr(&r, "field"), "reason"),
	    "flag without a reason: 400 naming reason");
	resp_free(&r);
	iv_verb(&r, iv_f.key, id, "flag", "{\"reason\":\"tone is off\"}");
	ok(r.status == 200 &&
	    streq(jstr(&r, "id"), id) && jget(&r, "flagged") != NULL &&
	    json_object_get_boolean(jget(&r, "flagged")), "flag: 200 {id, flagged: true} (%s)",
	    r.body);
	resp_free(&r);
	ok(streq(iv_field(id, "flagged"), "true") && streq(iv_field(id, "flag_reason"), "tone is off") &&
	    streq(iv_field(id, "status"), "pending_approval"),
	    "flag: stored with its reason, the status untouched");
	api(&r, "GET", "/api/interventions?flagged=true", iv_f.key, NULL);
	a = jget(&r, "interventions");
	ok(r.status == 200 && a != NULL && json_object_array_length(a) >= 1 &&
	    streq(jstr(&r, "interventions.0.id"), id) &&
	    streq(json_object_get_string(jget(&r, "interventions.0.flagged")), "true"),
	    "list flagged=true: the flagged one first");
	resp_free(&r);
	snprintf(path, sizeof(path), "/api/interventions?flagged=false&user_id=iv-u2");
	api(&r, "GET", path, iv_f.key, NULL);
	ok(r.status == 200 && (a = jget(&r, "interventions")) != NULL &&
	    json_object_array_length(a) == 0, "list flagged=false: it is not there");
	resp_free(&r);
}

/* Filters and the cursor over a user of its own. */
static void
test_list(void)
{
	struct resp r;
	char ids[5][64], path[256], cursor[64] = "";
	struct json_object *a;
	int i, pages = 0, seen = 0, order_ok = 1;
	int64_t now = time_now();
	char since[TIME_ISO8601_SIZE];

	for (i = 0; i < 5; i++)
		if (iv_create(iv_f.key, ids[i], i == 4 ? "{\"user_id\":\"iv-list\",\"channel\":\"webhook\"}" :
		    "{\"user_id\":\"iv-list\"}") != 201) {
			ok(0, "list: setup");
			return;
		}
	iv_verb(&r, iv_f.key, ids[1], "approve", NULL);
	resp_free(&r);
	do {
		snprintf(path, sizeof(path), "/api/interventions?user_id=iv-list&limit=2%s%s",
		    cursor[0] ? "&cursor=" : "", cursor);
		api(&r, "GET", path, iv_f.key, NULL);
		a = jget(&r, "interventions");
		if (r.status != 200 || a == NULL)
			break;
		for (i = 0; i < (int)json_object_array_length(a); i++, seen++) {
			const char *got = json_object_get_string(json_object_object_get(
			    json_object_array_get_idx(a, (size_t)i), "id"));

			order_ok &= streq(got, ids[4 - seen]);
		}
		pages++;
		snprintf(cursor, sizeof(cursor), "%s", nz(jstr(&r, "next_cursor")));
		if (!json_object_get_boolean(jget(&r, "has_more")))
			cursor[0] = '\0';
		resp_free(&r);
	} while (cursor[0] != '\0' && pages < 10);
	ok(pages == 3 && seen == 5 && order_ok, "list: limit 2 walks 5 in 3 pages, newest first");
	api(&r, "GET", "/api/interventions?user_id=iv-list&status=approved", iv_f.key, NULL);
	ok(r.status == 200 && json_object_array_length(jget(&r, "interventions")) == 1 &&
	    streq(jstr(&r, "interventions.0.id"), ids[1]), "list status=approved");
	resp_free(&r);
	api(&r, "GET", "/api/interventions?user_id=iv-list&channel=webhook", iv_f.key, NULL);
	ok(r.status == 200 && json_object_array_length(jget(&r, "interventions")) == 1 &&
	    streq(jstr(&r, "interventions.0.id"), ids[4]), "list channel=webhook");
	resp_free(&r);
	snprintf(path, sizeof(path), "/api/interventions?playbook_id=%s", pb_auto);
	api(&r, "GET", path, iv_f.key, NULL);
	ok(r.status == 200 && json_object_array_length(jget(&r, "interventions")) >= 1 &&
	    streq(jstr(&r, "interventions.0.playbook_id"), pb_auto), "list playbook_id");
	resp_free(&r);
	time_format_iso8601(now + 3600, since);
	snprintf(path, sizeof(path), "/api/interventions?since=%s", since);
	api(&r, "GET", path, iv_f.key, NULL);
	ok(r.status == 200 && json_object_array_length(jget(&r, "interventions")) == 0,
	    "list since an hour ahead: empty");
	resp_free(&r);
	api(&r, "GET", "/api/interventions?status=done", iv_f.key, NULL);
	ok(is_error(&r, 400, "status"), "list: an unknown status is 400");
	resp_free(&r);
	api(&r, "GET", "/api/interventions?cursor=int_nope", iv_f.key, NULL);
	ok(is_error(&r, 400, "cursor"), "list: a cursor naming nothing is 400");
	resp_free(&r);
	api(&r, "GET", "/api/interventions?limit=101", iv_f.key, NULL);
	ok(is_error(&r, 400, "limit"), "list: limit 101 is 400");
	resp_free(&r);
	api(&r, "GET", "/api/interventions", iv_o.key, NULL);
	ok(r.status == 200 && json_object_array_length(jget(&r, "interventions")) == 0,
	    "list: another tenant sees none of ours");
	resp_free(&r);
	snprintf(path, sizeof(path), "/api/interventions?cursor=%s", ids[2]);
	api(&r, "GET", path, iv_o.key, NULL);
	ok(is_error(&r, 400, "cursor"), "list: our id as another tenant's cursor is 400");
	resp_free(&r);
}

static void
test_isolation_and_scopes(void)
{
	static const char *const verbs[] = { "approve", "pause", "reject", "rollback", "flag", NULL };
	struct session viewer, editor;
	struct resp r;
	char id[64], path[160], readk[64];
	int i;

	if (iv_create(iv_f.key, id, "{\"user_id\":\"iv-u1\"}") != 201) {
		ok(0, "isolation: create");
		return;
	}
	snprintf(path, sizeof(path), "/api/interventions/%s", id);
	api(&r, "GET", path, iv_o.key, NULL);
	ok(r.status == 404, "get: another tenant's id is 404");
	resp_free(&r);
	for (i = 0; verbs[i] != NULL; i++) {
		/* approve and pause take no body: a reason there would be a 400 first. */
		iv_verb(&r, iv_o.key, id, verbs[i], i < 2 ? NULL : "{\"reason\":\"x\"}");
		ok(r.status == 404,
		    "%s: another tenant's id is 404", verbs[i]);
		resp_free(&r);
	}
	ok(streq(iv_field(id, "status"), "pending_approval") && streq(iv_field(id, "flagged"), "false"),
	    "another tenant changed nothing");
	api(&r, "GET", "/api/interventions/int_doesnotexist", iv_f.key, NULL);
	ok(r.status == 404, "get: an unknown id is 404");
	resp_free(&r);
	api(&r, "GET", "/api/interventions/ea_123", iv_f.key, NULL);
	ok(r.status == 404, "get: another kind of id is 404");
	resp_free(&r);

	ok(fixture_key(iv_f.tenant_id, "live", "read", readk, sizeof(readk)) == 0, "a read key");
	api(&r, "GET", path, readk, NULL);
	ok(r.status == 200, "read key: get 200");
	resp_free(&r);
	api(&r, "POST", "/api/interventions", readk, "{\"user_id\":\"iv-u1\"}");
	ok(r.status == 403, "read key: create 403");
	resp_free(&r);
	iv_verb(&r, readk, id, "approve", NULL);
	ok(r.status == 403, "read key: approve 403");
	resp_free(&r);

	if (fixture_member(&viewer, iv_f.tenant_id, "viewer") != 0 ||
	    fixture_member(&editor, iv_f.tenant_id, "editor") != 0) {
		ok(0, "members");
		return;
	}
	snprintf(path, sizeof(path), "/api/interventions/%s/approve", id);
	api_session(&r, "PUT", path, &viewer, viewer.csrf, NULL, NULL);
	ok(r.status == 403, "viewer session: approve 403 (%s)", r.body);
	resp_free(&r);
	snprintf(path, sizeof(path), "/api/interventions/%s", id);
	api_session(&r, "GET", path, &viewer, viewer.csrf, NULL, NULL);
	ok(r.status == 200, "viewer session: get 200");
	resp_free(&r);
	snprintf(path, sizeof(path), "/api/interventions/%s/reject", id);
	api_session(&r, "PUT", path, &viewer, viewer.csrf, NULL, "{\"reason\":\"no\"}");
	ok(r.status == 403, "viewer session: reject 403");
	resp_free(&r);
	snprintf(path, sizeof(path), "/api/interventions/%s/approve", id);
	api_session(&r, "PUT", path, &editor, editor.csrf, NULL, NULL);
	ok(r.status == 200 && streq(jstr(&r, "status"), "approved"),
	    "editor session: approve 200 (%s)", r.body);
	resp_free(&r);
	ok(sql_int("SELECT COUNT(*) FROM intervention_history WHERE intervention_id = '%s' AND "
	    "to_status = 'approved' AND actor = 'member:%s'", id, editor.member_id) == 1,
	    "history: the editor is the actor");
}

/* Shadow mode: a manual intervention is created as shadow and stays so. */
static void
test_shadow(void)
{
	struct resp r;
	char id[64];

	api(&r, "PATCH", "/api/settings", iv_o.key, "{\"shadow_mode\":true}");
	if (!ok(r.status == 200, "shadow: the other tenant turns shadow mode on (%s)", r.body)) {
		resp_free(&r);
		return;
	}
	resp_free(&r);
	ok(iv_create(iv_o.key, id, "{\"user_id\":\"iv-o1\"}") == 201 &&
	    streq(field_as(iv_o.key, id, "status"), "shadow") &&
	    streq(field_as(iv_o.key, id, "shadow"), "true"), "shadow mode: created as shadow");
	iv_verb(&r, iv_o.key, id, "approve", NULL);
	ok(r.status == 409 && is_error(&r, 409, "shadow"),
	    "shadow: approve is 409 naming shadow");
	resp_free(&r);
}

void
suite_interventions(void)
{
	if (fixture_tenant(&iv_f, "growth", "standalone") != 0 ||
	    fixture_tenant(&iv_o, "growth", "standalone") != 0) {
		ok(0, "interventions: fixtures");
		return;
	}
	pb_id(pb_auto, "ivauto", iv_f.tenant_id);
	pb_id(pb_other, "ivother", iv_o.tenant_id);
	pb_id(pb_quiet, "ivquiet", iv_f.tenant_id);
	ok(post_event(iv_f.key, "iv-u1", "page_viewed", 0, NULL) == 0 &&
	    post_event(iv_f.key, "iv-u2", "page_viewed", 0, NULL) == 0 &&
	    post_event(iv_f.key, "iv-list", "page_viewed", 0, NULL) == 0 &&
	    post_event(iv_f.key, "iv-opt", "page_viewed", 0, NULL) == 0 &&
	    post_event(iv_f.key, "iv-pause", "page_viewed", 0, NULL) == 0 &&
	    post_event(iv_o.key, "iv-o1", "page_viewed", 0, NULL) == 0 &&
	    sql_query(NULL, 0, "UPDATE users SET opted_out = 1 WHERE tenant_id = '%s' AND user_id = "
	    "'iv-opt'", iv_f.tenant_id) == 0 &&
	    sql_query(NULL, 0, "UPDATE users SET paused = 1 WHERE tenant_id = '%s' AND user_id = "
	    "'iv-pause'", iv_f.tenant_id) == 0 &&
	    make_playbook(&iv_f, pb_auto, "Auto webhook",
	    "{\"channel\":\"webhook\",\"approval_required\":false}") == 0 &&
	    make_playbook(&iv_o, pb_other, "Theirs", "{}") == 0 &&
	    make_playbook(&iv_f, pb_quiet, "Quiet all day",
	    "{\"quiet_hours\":{\"start\":\"00:00\",\"end\":\"23:59\"}}") == 0,
	    "interventions: users and playbooks");
	test_create();
	test_transitions();
	test_flag();
	test_list();
	test_isolation_and_scopes();
	interventions_concurrent_approve();
	interventions_rollback_dispatch();
	test_shadow();
	/* Nothing of this suite is for the deliver job to send. */
	if (sql_query(NULL, 0, "UPDATE interventions SET status = 'cancelled' WHERE tenant_id IN "
	    "('%s', '%s') AND status IN ('approved', 'pending_approval', 'paused')", iv_f.tenant_id,
	    iv_o.tenant_id) != 0)
		diag("could not cancel the suite's interventions");
}
