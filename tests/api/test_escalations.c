/*
 * test_escalations.c — /api/escalations (SPEC.md): create and its
 * validation, get, list with the status filter and cursor, handle (final:
 * a second handle or a delegate after it is 409 invalid_transition),
 * delegate to an e-mail or a member of the team (not of another team),
 * another tenant's ids (404), scopes, and the escalation a manual
 * intervention on the escalation channel opens.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "client.h"
#include "helpers.h"
#include "session_client.h"
#include "suites.h"

static struct fixture F, O;

/* Opens an escalation for user; the status, its id in id. */
static long
open_esc(const char *key, const char *user, const char *severity, char id[64])
{
	return api_create("/api/escalations", key, "escalation.id", id, 64, "{\"user_id\":\"%s\","
	    "\"severity\":\"%s\",\"reason\":\"asked for a call\"}", user, severity);
}

static long
put(struct resp *r, const char *key, const char *id, const char *what, const char *body)
{
	char path[160];

	snprintf(path, sizeof(path), "/api/escalations/%s/%s", id, what);
	api(r, "PUT", path, key, "%s", body);
	return r->status;
}

static void
test_create(void)
{
	static const struct {
		const char *body, *field, *why;
	} bad[] = {
		{ "{\"severity\":\"low\",\"reason\":\"r\"}", "user_id", "user_id is required" },
		{ "{\"user_id\":\"esc-u1\",\"reason\":\"r\"}", "severity", "severity is required" },
		{ "{\"user_id\":\"esc-u1\",\"severity\":\"urgent\",\"reason\":\"r\"}", "severity",
		  "severity urgent is not one of low, medium, high, critical" },
		{ "{\"user_id\":\"esc-u1\",\"severity\":\"low\"}", "reason", "reason is required" },
		{ "{\"user_id\":\"esc-u1\",\"severity\":\"low\",\"reason\":\"\"}", "reason",
		  "an empty reason" },
		{ "{\"user_id\":\"esc-u1\",\"severity\":\"low\",\"reason\":\"r\",\"owner\":1}", "owner",
		  "an unknown field" },
	};
	struct resp r;
	char id[64], path[128];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		api(&r, "POST", "/api/escalations", F.key, "%s", bad[i].body);
		ok(r.status == 400 && streq(jstr(&r, "field"), bad[i].field),
		    "create: %s → 400 naming %s (%s)", bad[i].why, bad[i].field, r.body);
		resp_free(&r);
	}
	api(&r, "POST", "/api/escalations", F.key, "{\"user_id\":\"nobody\",\"severity\":\"low\","
	    "\"reason\":\"r\"}");
	ok(r.status == 404 && streq(jstr(&r, "code"), "user_not_found"),
	    "create: an unknown user is 404 user_not_found");
	resp_free(&r);
	api(&r, "POST", "/api/escalations", F.key, "{\"user_id\":\"esc-u1\",\"severity\":\"low\","
	    "\"reason\":\"r\",\"playbook_id\":\"pb_nothere\"}");
	ok(r.status == 404, "create: an unknown playbook is 404");
	resp_free(&r);

	api(&r, "POST", "/api/escalations", F.key, "{\"user_id\":\"esc-u1\",\"severity\":\"high\","
	    "\"reason\":\"threatened to cancel\"}");
	ok(r.status == 201 && strncmp(nz(jstr(&r, "escalation.id")),
	    "esc_", 4) == 0 && streq(jstr(&r, "escalation.status"), "open") &&
	    streq(jstr(&r, "escalation.severity"), "high") &&
	    streq(jstr(&r, "escalation.user_id"), "esc-u1") &&
	    streq(jstr(&r, "escalation.reason"), "threatened to cancel") &&
	    jstr(&r, "escalation.created_at") != NULL,
	    "create: 201 {escalation: {id esc_…, status open, severity, user_id, reason}} (%s)",
	    r.body);
	snprintf(id, sizeof(id), "%s", nz(jstr(&r, "escalation.id")));
	resp_free(&r);
	snprintf(path, sizeof(path), "/api/escalations/%s", id);
	api(&r, "GET", path, F.key, NULL);
	ok(r.status == 200 && streq(jstr(&r, "escalation.id"), id), "get: 200");
	resp_free(&r);
	api(&r, "GET", path, O.key, NULL);
	ok(r.status == 404, "get: another tenant's id is 404");
	resp_free(&r);
}

static void
test_moves(void)
{
	struct session member, stranger;
	struct resp r;
	char id[64], id2[64], body[160];

	if (open_esc(F.key, "esc-u1", "medium", id) != 201 ||
	    open_esc(F.key, "esc-u1", "low", id2) != 201) {
		ok(0, "moves: setup");
		return;
	}
	put(&r, F.key, id, "handle", "{}");
	ok(r.status == 400 && streq(jstr(&r, "field"), "action_taken"),
	    "handle without action_taken: 400 naming it");
	resp_free(&r);
	put(&r, O.key, id, "handle", "{\"action_taken\":\"x\"}");
	ok(r.status == 404,
	    "handle: another tenant's id is 404");
	resp_free(&r);
	put(&r, O.key, id, "delegate", "{\"to\":\"a@example.com\"}");
	ok(r.status == 404,
	    "delegate: another tenant's id is 404");
	resp_free(&r);
	put(&r, F.key, id, "delegate", "{\"to\":\"not an address\"}");
	ok(r.status == 400 &&
	    streq(jstr(&r, "field"), "to"), "delegate to garbage: 400 naming to");
	resp_free(&r);
	put(&r, F.key, id, "delegate", "{}");
	ok(r.status == 400 && streq(jstr(&r, "field"), "to"),
	    "delegate without to: 400");
	resp_free(&r);
	put(&r, F.key, id, "delegate", "{\"to\":\"csm@example.com\",\"note\":\"VIP\"}");
	ok(r.status == 200 &&
	    streq(jstr(&r, "escalation.status"), "delegated") &&
	    streq(jstr(&r, "escalation.delegated_to"), "csm@example.com") &&
	    streq(jstr(&r, "escalation.delegate_note"), "VIP"),
	    "delegate to an e-mail: delegated, to and note kept (%s)", r.body);
	resp_free(&r);
	if (fixture_member(&member, F.tenant_id, "editor") == 0 &&
	    fixture_member(&stranger, O.tenant_id, "editor") == 0) {
		snprintf(body, sizeof(body), "{\"to\":\"%s\"}", stranger.member_id);
		put(&r, F.key, id, "delegate", body);
		ok(r.status == 400 && streq(jstr(&r, "field"), "to"),
		    "delegate to another team's member: 400 (%s)", r.body);
		resp_free(&r);
		snprintf(body, sizeof(body), "{\"to\":\"%s\"}", member.member_id);
		put(&r, F.key, id, "delegate", body);
		ok(r.status == 200 &&
		    streq(jstr(&r, "escalation.delegated_to"), member.member_id),
		    "re-delegate to a member of the team: 200");
		resp_free(&r);
	} else
		ok(0, "members");
	put(&r, F.key, id, "handle", "{\"action_taken\":\"called them, offered a pause\"}");
	ok(r.status == 200 &&
	    streq(jstr(&r, "escalation.status"), "handled") &&
	    streq(jstr(&r, "escalation.action_taken"), "called them, offered a pause") &&
	    jstr(&r, "escalation.handled_at") != NULL, "handle: handled, action and time kept");
	resp_free(&r);
	put(&r, F.key, id, "handle", "{\"action_taken\":\"again\"}");
	ok(r.status == 409 &&
	    streq(jstr(&r, "code"), "invalid_transition") && is_error(&r, 409, "handled"),
	    "handle twice: 409 invalid_transition naming handled");
	resp_free(&r);
	put(&r, F.key, id, "delegate", "{\"to\":\"b@example.com\"}");
	ok(r.status == 409 &&
	    is_error(&r, 409, "handled"), "delegate a handled one: 409");
	resp_free(&r);
	put(&r, F.key, id2, "handle", "{\"action_taken\":\"emailed\"}");
	ok(r.status == 200,
	    "handle straight from open: 200");
	resp_free(&r);
}

static void
test_list(void)
{
	struct resp r;
	char ids[3][64], path[160], readk[64];
	int i;

	for (i = 0; i < 3; i++)
		if (open_esc(F.key, "esc-u2", "critical", ids[i]) != 201) {
			ok(0, "list: setup");
			return;
		}
	api(&r, "GET", "/api/escalations?status=open&limit=2", F.key, NULL);
	ok(r.status == 200 && json_object_array_length(jget(&r, "escalations")) == 2 &&
	    streq(jstr(&r, "escalations.0.id"), ids[2]) &&
	    streq(jstr(&r, "escalations.1.id"), ids[1]) &&
	    json_object_get_boolean(jget(&r, "has_more")) &&
	    streq(jstr(&r, "next_cursor"), ids[1]), "list open, limit 2: newest first, has_more");
	resp_free(&r);
	snprintf(path, sizeof(path), "/api/escalations?status=open&limit=2&cursor=%s", ids[1]);
	api(&r, "GET", path, F.key, NULL);
	ok(r.status == 200 && streq(jstr(&r, "escalations.0.id"), ids[0]),
	    "list: the cursor continues");
	resp_free(&r);
	api(&r, "GET", "/api/escalations?status=handled", F.key, NULL);
	ok(r.status == 200 && json_object_array_length(jget(&r, "escalations")) == 2 &&
	    streq(jstr(&r, "escalations.0.status"), "handled"), "list status=handled: the two");
	resp_free(&r);
	api(&r, "GET", "/api/escalations?status=closed", F.key, NULL);
	ok(is_error(&r, 400, "status"), "list: an unknown status is 400");
	resp_free(&r);
	api(&r, "GET", "/api/escalations", O.key, NULL);
	ok(r.status == 200 && json_object_array_length(jget(&r, "escalations")) == 0,
	    "list: another tenant sees none");
	resp_free(&r);
	if (fixture_key(F.tenant_id, "live", "read", readk, sizeof(readk)) != 0) {
		ok(0, "read key");
		return;
	}
	api(&r, "GET", "/api/escalations", readk, NULL);
	ok(r.status == 200, "read key: list 200");
	resp_free(&r);
	api(&r, "POST", "/api/escalations", readk, "{\"user_id\":\"esc-u1\",\"severity\":\"low\","
	    "\"reason\":\"r\"}");
	ok(r.status == 403, "read key: create 403");
	resp_free(&r);
	put(&r, readk, ids[0], "handle", "{\"action_taken\":\"x\"}");
	ok(r.status == 403,
	    "read key: handle 403");
	resp_free(&r);
}

/* A manual intervention on the escalation channel opens a linked case. */
static void
test_from_intervention(void)
{
	struct resp r;
	char iid[64];

	api(&r, "POST", "/api/interventions", F.key, "{\"user_id\":\"esc-u3\",\"channel\":"
	    "\"escalation\"}");
	snprintf(iid, sizeof(iid), "%s", nz(jstr(&r, "id")));
	ok(r.status == 201 && streq(jstr(&r, "channel"), "escalation"),
	    "intervention on the escalation channel: 201 (%s)", r.body);
	resp_free(&r);
	ok(sql_int("SELECT COUNT(*) FROM escalations WHERE tenant_id = '%s' AND user_id = 'esc-u3' "
	    "AND intervention_id = '%s' AND severity = 'medium' AND status = 'open'", F.tenant_id,
	    iid) == 1, "it opened one escalation linked to it (severity medium)");
	api(&r, "GET", "/api/escalations?status=open&limit=1", F.key, NULL);
	ok(streq(jstr(&r, "escalations.0.intervention_id"), iid),
	    "the escalation shows its intervention_id");
	resp_free(&r);
	sql_query(NULL, 0, "UPDATE interventions SET status = 'cancelled' WHERE id = '%s'", iid);
}

void
suite_escalations(void)
{
	if (fixture_tenant(&F, "growth", "standalone") != 0 ||
	    fixture_tenant(&O, "growth", "standalone") != 0 ||
	    post_event(F.key, "esc-u1", "page_viewed", 0, NULL) != 0 ||
	    post_event(F.key, "esc-u2", "page_viewed", 0, NULL) != 0 ||
	    post_event(F.key, "esc-u3", "page_viewed", 0, NULL) != 0) {
		ok(0, "escalations: fixtures");
		return;
	}
	test_create();
	test_moves();
	test_list();
	test_from_intervention();
}
