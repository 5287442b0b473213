/*
 * test_audit.c — GET /api/audit-logs: every successful write by a key or a
 * member is recorded (who, what, which object, when, from where), reads,
 * failures and ingestion are not, sign-in events are, and the filters,
 * pagination and the admin-only rule hold.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "client.h"
#include "helpers.h"
#include "session_client.h"
#include "suites.h"

#define UA "User-Agent: retivo-audit-test/1.0"

/* Entries of the tenant, straight from the table. */
static long long
audit_count(const char *tenant_id)
{
	return sql_int("SELECT COUNT(*) FROM audit_logs WHERE tenant_id = '%s'", tenant_id);
}

void
suite_audit(void)
{
	struct fixture f, g;
	struct session admin, ed;
	struct resp r;
	char key_id[64], new_key[64], reqid[40], path[256], cursor[64];
	long long before;

	if (!ok(fixture_tenant(&f, "growth", "standalone") == 0 &&
	    fixture_tenant(&g, "growth", "standalone") == 0 &&
	    fixture_member(&admin, f.tenant_id, "admin") == 0 &&
	    fixture_member(&ed, f.tenant_id, "editor") == 0, "audit: fixtures"))
		return;
	api(&r, "GET", "/api/auth/me", f.key, NULL);
	snprintf(key_id, sizeof(key_id), "%s", nz(jstr(&r, "key_id")));
	resp_free(&r);

	/* A key's write. */
	api_session(&r, "POST", "/api/keys", NULL, NULL, UA, "{\"mode\":\"live\",\"scopes\":[\"read\"]}");
	ok(r.status == 401, "a write without credentials is refused (and not audited)");
	resp_free(&r);
	before = audit_count(f.tenant_id);
	{
		char auth[256];

		snprintf(auth, sizeof(auth), "Authorization: Bearer %s\n" UA, f.key);
		api_session(&r, "POST", "/api/keys", NULL, NULL, auth,
		    "{\"label\":\"audited\",\"mode\":\"live\",\"scopes\":[\"read\"]}");
	}
	ok(r.status == 201, "key write: created a key");
	snprintf(new_key, sizeof(new_key), "%s", nz(jstr(&r, "key.id")));
	snprintf(reqid, sizeof(reqid), "%s", resp_header(&r, "X-Request-Id") ? resp_header(&r, "X-Request-Id") : "");
	resp_free(&r);
	ok(audit_count(f.tenant_id) == before + 1, "key write: one audit row");
	api(&r, "GET", "/api/audit-logs?limit=1", f.key, NULL);
	ok(r.status == 200 && jstr(&r, "audit_logs.0.action") &&
	    strcmp(jstr(&r, "audit_logs.0.action"), "POST /api/keys") == 0 &&
	    strcmp(jstr(&r, "audit_logs.0.method"), "POST") == 0 &&
	    strcmp(jstr(&r, "audit_logs.0.route"), "/api/keys") == 0 &&
	    jint(&r, "audit_logs.0.status") == 201,
	    "entry: action, method, route pattern, status (%s)", r.body);
	ok(jstr(&r, "audit_logs.0.actor.type") && strcmp(jstr(&r, "audit_logs.0.actor.type"), "api_key") == 0 &&
	    jstr(&r, "audit_logs.0.actor.id") && strcmp(jstr(&r, "audit_logs.0.actor.id"), key_id) == 0,
	    "entry: the actor is the key");
	ok(jstr(&r, "audit_logs.0.object_id") && strcmp(jstr(&r, "audit_logs.0.object_id"), new_key) == 0,
	    "entry: the object is the created key's id");
	ok(jstr(&r, "audit_logs.0.remote_addr") && strcmp(jstr(&r, "audit_logs.0.remote_addr"), "127.0.0.1") == 0 &&
	    jstr(&r, "audit_logs.0.user_agent") &&
	    strcmp(jstr(&r, "audit_logs.0.user_agent"), "retivo-audit-test/1.0") == 0 &&
	    jstr(&r, "audit_logs.0.request_id") && strcmp(jstr(&r, "audit_logs.0.request_id"), reqid) == 0 &&
	    jstr(&r, "audit_logs.0.created_at") && jstr(&r, "audit_logs.0.id") &&
	    strncmp(jstr(&r, "audit_logs.0.id"), "aud_", 4) == 0,
	    "entry: from where (address, user agent), request id, time");
	resp_free(&r);

	/* Path ids are the object of a write on an id route. */
	snprintf(path, sizeof(path), "/api/keys/%s", new_key);
	api(&r, "DELETE", path, f.key, NULL);
	resp_free(&r);
	snprintf(path, sizeof(path), "/api/audit-logs?object=%s&method=DELETE", new_key);
	api(&r, "GET", path, f.key, NULL);
	ok(r.status == 200 && json_object_array_length(jget(&r, "audit_logs")) == 1 &&
	    strcmp(jstr(&r, "audit_logs.0.route"), "/api/keys/:id") == 0,
	    "filter object+method: the revocation (%s)", r.body);
	resp_free(&r);

	/* Not recorded: reads, refusals, ingestion. */
	before = audit_count(f.tenant_id);
	api(&r, "GET", "/api/keys", f.key, NULL);
	resp_free(&r);
	api(&r, "POST", "/api/keys", f.key, "{\"mode\":\"bogus\",\"scopes\":[\"read\"]}");
	ok(r.status == 400, "a refused write (400)");
	resp_free(&r);
	api(&r, "POST", "/api/events", f.key, "{\"user_id\":\"u1\",\"event\":\"page_viewed\"}");
	ok(r.status == 200 || r.status == 201 || r.status == 202, "an event is ingested (%ld)", r.status);
	resp_free(&r);
	ok(audit_count(f.tenant_id) == before, "reads, refused writes and ingestion are not recorded");

	/* A member's write and sign-in events. */
	api_session(&r, "PUT", "/api/settings/kill-switch", &admin, admin.csrf, UA, "{\"active\":false}");
	ok(r.status == 200, "member write: kill switch");
	resp_free(&r);
	snprintf(path, sizeof(path), "/api/audit-logs?actor=%s&action=PUT%%20/api/settings/kill-switch",
	    admin.member_id);
	api(&r, "GET", path, f.key, NULL);
	ok(r.status == 200 && json_object_array_length(jget(&r, "audit_logs")) == 1 &&
	    strcmp(jstr(&r, "audit_logs.0.actor.type"), "member") == 0 &&
	    strcmp(jstr(&r, "audit_logs.0.actor.id"), admin.member_id) == 0,
	    "filter actor+action: the member's write, actor type member (%s)", r.body);
	resp_free(&r);
	api(&r, "POST", "/api/auth/login", NULL, "{\"email\":\"%s\",\"password\":\"not-the-password\"}",
	    ed.email);
	resp_free(&r);
	snprintf(path, sizeof(path), "/api/audit-logs?actor=%s", ed.member_id);
	api(&r, "GET", path, f.key, NULL);
	ok(r.status == 200 && strcmp(jstr(&r, "audit_logs.0.action"), "auth.login_failed") == 0 &&
	    jint(&r, "audit_logs.0.status") == 401 &&
	    strcmp(jstr(&r, "audit_logs.1.action"), "auth.login") == 0,
	    "events: sign-in and failed sign-in (%s)", r.body);
	resp_free(&r);
	api_session(&r, "POST", "/api/auth/logout", &ed, ed.csrf, NULL, NULL);
	resp_free(&r);
	api(&r, "GET", path, f.key, NULL);
	ok(r.status == 200 && strcmp(jstr(&r, "audit_logs.0.action"), "auth.logout") == 0,
	    "events: sign-out");
	resp_free(&r);
	api(&r, "GET", "/api/audit-logs?action=POST%20/api/auth/logout", f.key, NULL);
	ok(r.status == 200 && json_object_array_length(jget(&r, "audit_logs")) == 0,
	    "events: sign-out is recorded once, as the event");
	resp_free(&r);

	/* Time window and pagination. */
	api(&r, "GET", "/api/audit-logs?since=2000-01-01T00:00:00Z&until=2000-01-02T00:00:00Z", f.key, NULL);
	ok(r.status == 200 && json_object_array_length(jget(&r, "audit_logs")) == 0, "until: nothing in 2000");
	resp_free(&r);
	api(&r, "GET", "/api/audit-logs?since=2000-01-01T00:00:00Z", f.key, NULL);
	ok(r.status == 200 && json_object_array_length(jget(&r, "audit_logs")) >= 5, "since: everything since 2000");
	resp_free(&r);
	api(&r, "GET", "/api/audit-logs?limit=2", f.key, NULL);
	ok(r.status == 200 && json_object_array_length(jget(&r, "audit_logs")) == 2 &&
	    json_object_get_boolean(jget(&r, "has_more")) && jstr(&r, "next_cursor"), "limit: a page of 2");
	snprintf(cursor, sizeof(cursor), "%s", nz(jstr(&r, "next_cursor")));
	resp_free(&r);
	snprintf(path, sizeof(path), "/api/audit-logs?limit=2&cursor=%s", cursor);
	api(&r, "GET", path, f.key, NULL);
	ok(r.status == 200 && jstr(&r, "audit_logs.0.id") && strcmp(jstr(&r, "audit_logs.0.id"), cursor) != 0,
	    "cursor: the next page");
	resp_free(&r);
	api(&r, "GET", "/api/audit-logs?method=GET", f.key, NULL);
	ok(is_error(&r, 400, NULL) && strcmp(jstr(&r, "field"), "method") == 0, "filter: bad method 400");
	resp_free(&r);
	api(&r, "GET", "/api/audit-logs?since=yesterday", f.key, NULL);
	ok(is_error(&r, 400, NULL) && strcmp(jstr(&r, "field"), "since") == 0, "filter: bad since 400");
	resp_free(&r);
	api(&r, "GET", "/api/audit-logs?actr=x", f.key, NULL);
	ok(is_error(&r, 400, NULL), "filter: a misspelt filter is 400, not ignored");
	resp_free(&r);

	/* Who may read it. */
	api_session(&r, "GET", "/api/audit-logs", &admin, NULL, NULL, NULL);
	ok(r.status == 200, "an admin session reads the log");
	resp_free(&r);
	session_login(&ed, ed.email, TEST_PASSWORD);
	api_session(&r, "GET", "/api/audit-logs", &ed, NULL, NULL, NULL);
	ok(is_error(&r, 403, NULL), "an editor session may not (403)");
	resp_free(&r);
	{
		char rkey[64];

		if (fixture_key(f.tenant_id, "live", "read,manage", rkey, sizeof(rkey)) == 0) {
			api(&r, "GET", "/api/audit-logs", rkey, NULL);
			ok(is_error(&r, 403, "scope"), "a read/manage key may not (403)");
			resp_free(&r);
		}
	}
	api(&r, "GET", "/api/audit-logs", g.key, NULL);
	ok(r.status == 200 && strstr(r.body, new_key) == NULL && strstr(r.body, admin.member_id) == NULL,
	    "another tenant sees none of these entries");
	resp_free(&r);
}
