/* test_events.c — product and custom event ingestion (seed 000, SPEC.md). */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "suites.h"

/* The output of a query through RETIVO_SQL (static), NULL without it. */
static const char *
sql1(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static const char *
sql1(const char *fmt, ...)
{
	static char out[4096];
	va_list ap;

	if (getenv("RETIVO_SQL") == NULL)
		return NULL;
	va_start(ap, fmt);
	sql_vquery(out, sizeof(out), fmt, ap);
	va_end(ap);
	return out;
}

/* Writes {"events": [n custom events over 7 users]} into body. */
static void
custom_batch(char *body, int n)
{
	char *p = body + sprintf(body, "{\"events\":[");
	int i;

	for (i = 0; i < n; i++)
		p += sprintf(p, "%s{\"type\":\"custom.bulk.e\",\"user_id\":\"bulk-%d\","
		    "\"data\":{\"i\":%d}}", i ? "," : "", i % 7, i);
	sprintf(p, "]}");
}

void
suite_events(void)
{
	struct fixture f, g, s;
	struct resp r;
	char read_key[64], ingest_key[64], test_key[64], body[40000], *p;
	int i;

	if (!ok(fixture_tenant(&f, "growth", "standalone") == 0 &&
	    fixture_tenant(&g, "growth", "standalone") == 0 &&
	    fixture_tenant(&s, "starter", "standalone") == 0 &&
	    fixture_key(f.tenant_id, "live", "read", read_key, sizeof(read_key)) == 0 &&
	    fixture_key(f.tenant_id, "live", "ingest", ingest_key, sizeof(ingest_key)) == 0 &&
	    fixture_key(f.tenant_id, "test", "ingest", test_key, sizeof(test_key)) == 0,
	    "events: fixtures"))
		return;

	/* Product events. */
	api(&r, "POST", "/api/events", ingest_key,
	    "{\"user_id\":\"user-1\",\"event\":\"project_created\",\"properties\":{\"plan\":\"pro\"},"
	    "\"timestamp\":\"2026-04-26T10:30:00Z\"}");
	ok(r.status == 200 && jint(&r, "accepted") == 1 && jint(&r, "duplicates") == 0,
	    "product event: 200 accepted 1 (%s)", r.body);
	ok(resp_header(&r, "X-RateLimit-Remaining") != NULL &&
	    strtoll(resp_header(&r, "X-RateLimit-Remaining"), NULL, 10) == 9999,
	    "product event: counts against the track limit (9999 left)");
	resp_free(&r);
	ok(sql_int("SELECT COUNT(*) FROM events WHERE tenant_id='%s' AND user_id='%s' "
	    "AND name='project_created' AND occurred_at='2026-04-26 10:30:00' AND kind='product'",
	    f.tenant_id, "user-1") == 1, "product event: stored with its timestamp");
	api(&r, "GET", "/api/customers/user-1", f.key, NULL);
	ok(r.status == 200 && jstr(&r, "customer.user_id") &&
	    strcmp(jstr(&r, "customer.user_id"), "user-1") == 0,
	    "the user exists right after its first event (%ld)", r.status);
	resp_free(&r);

	api(&r, "POST", "/api/events", ingest_key,
	    "{\"events\":[{\"user_id\":\"user-2\",\"event\":\"$identify\",\"properties\":"
	    "{\"email\":\"ann@example.com\",\"name\":\"Ann\",\"plan\":\"growth\",\"company\":\"Acme\","
	    "\"seats\":4}},{\"user_id\":\"user-2\",\"event\":\"page_viewed\"},"
	    "{\"user_id\":\"user-3\",\"event\":\"signed_up\"}]}");
	ok(r.status == 200 && jint(&r, "accepted") == 3, "product batch of 3: accepted (%s)", r.body);
	resp_free(&r);
	ok(strcmp(sql1("SELECT CONCAT_WS('|', email, name, plan, company, event_count, "
	    "JSON_VALUE(traits, '$.seats')) FROM users WHERE tenant_id='%s' AND user_id='user-2'",
	    f.tenant_id), "ann@example.com|Ann|growth|Acme|2|4") == 0,
	    "$identify sets traits and columns: %s", sql1("SELECT traits FROM users "
	    "WHERE tenant_id='%s' AND user_id='user-2'", f.tenant_id));
	api(&r, "POST", "/api/events", ingest_key,
	    "{\"user_id\":\"user-2\",\"event\":\"$identify\",\"properties\":{\"plan\":\"scale\"}}");
	resp_free(&r);
	ok(strcmp(sql1("SELECT CONCAT_WS('|', email, plan, JSON_VALUE(traits, '$.seats'), "
	    "JSON_VALUE(traits, '$.plan')) FROM users WHERE tenant_id='%s' AND user_id='user-2'",
	    f.tenant_id), "ann@example.com|scale|4|scale") == 0,
	    "a later $identify merges traits: %s", sql1("SELECT traits FROM users WHERE "
	    "tenant_id='%s' AND user_id='user-2'", f.tenant_id));

	/* Validation of product events. */
	api(&r, "POST", "/api/events", ingest_key, "{\"event\":\"x\"}");
	ok(is_error(&r, 400, "user_id") && strcmp(jstr(&r, "field"), "user_id") == 0,
	    "missing user_id: 400 naming it");
	resp_free(&r);
	api(&r, "POST", "/api/events", ingest_key, "{\"user_id\":\"u\"}");
	ok(is_error(&r, 400, "event"), "missing event: 400 naming it");
	resp_free(&r);
	api(&r, "POST", "/api/events", ingest_key,
	    "{\"user_id\":\"u\",\"event\":\"x\",\"timestamp\":\"yesterday\"}");
	ok(is_error(&r, 400, "timestamp"), "malformed timestamp: 400 naming it");
	resp_free(&r);
	api(&r, "POST", "/api/events", ingest_key,
	    "{\"user_id\":\"u\",\"event\":\"x\",\"properties\":[1]}");
	ok(is_error(&r, 400, "properties"), "properties not an object: 400");
	resp_free(&r);
	api(&r, "POST", "/api/events", ingest_key, "{\"events\":[]}");
	ok(is_error(&r, 400, "events"), "empty batch: 400");
	resp_free(&r);

	/* Custom events: seed 000. */
	api(&r, "POST", "/api/external/events", ingest_key,
	    "{\"events\":[{\"type\":\"custom.reward.redeemed\",\"user_id\":\"user-123\","
	    "\"data\":{\"reward_type\":\"discount\",\"value\":20},\"timestamp\":\"2026-04-26T10:30:00Z\"}]}");
	ok(r.status == 200 && jint(&r, "accepted") == 1, "custom batch (seed example): 200 (%s)", r.body);
	resp_free(&r);
	ok(strcmp(sql1("SELECT CONCAT_WS('|', kind, source, JSON_VALUE(properties, '$.value')) "
	    "FROM events WHERE tenant_id='%s' AND name='custom.reward.redeemed'", f.tenant_id),
	    "custom|external|20") == 0, "custom event lands in the same store with its data");
	api(&r, "POST", "/api/external/events/emit", ingest_key,
	    "{\"type\":\"custom.level.up\",\"user_id\":\"user-123\",\"data\":{\"level\":3}}");
	ok(r.status == 200 && jint(&r, "accepted") == 1, "emit: 200");
	resp_free(&r);
	api(&r, "POST", "/api/external/events/emit", ingest_key,
	    "{\"type\":\"reward.redeemed\",\"user_id\":\"u\"}");
	ok(is_error(&r, 400, "custom.") && strcmp(jstr(&r, "field"), "type") == 0,
	    "emit without the custom. prefix: 400 naming type");
	resp_free(&r);
	api(&r, "POST", "/api/external/events/emit", ingest_key,
	    "{\"type\":\"custom.Reward\",\"user_id\":\"u\"}");
	ok(is_error(&r, 400, "type"), "uppercase custom type: 400");
	resp_free(&r);
	api(&r, "POST", "/api/external/events/emit", ingest_key,
	    "{\"type\":\"custom.a..b\",\"user_id\":\"u\"}");
	ok(is_error(&r, 400, "type"), "empty dot segment: 400");
	resp_free(&r);
	api(&r, "POST", "/api/external/events/emit", ingest_key, "{\"type\":\"custom.a\"}");
	ok(is_error(&r, 400, "user_id"), "emit without user_id: 400");
	resp_free(&r);
	api(&r, "POST", "/api/external/events/emit", ingest_key,
	    "{\"type\":\"custom.a\",\"user_id\":\"u\",\"timestamp\":\"2026-13-01T00:00:00Z\"}");
	ok(is_error(&r, 400, "timestamp"), "emit with a malformed timestamp: 400");
	resp_free(&r);
	api(&r, "POST", "/api/external/events/emit", ingest_key,
	    "{\"type\":\"custom.a\",\"user_id\":\"u\",\"data\":\"x\"}");
	ok(is_error(&r, 400, "data"), "data not an object: 400");
	resp_free(&r);

	/* A batch is validated whole: one bad event stores nothing. */
	api(&r, "POST", "/api/external/events", ingest_key,
	    "{\"events\":[{\"type\":\"custom.a\",\"user_id\":\"atomic-1\"},"
	    "{\"type\":\"custom.b\",\"user_id\":\"atomic-2\"},{\"type\":\"bad\",\"user_id\":\"atomic-3\"}]}");
	ok(is_error(&r, 400, "events[2].type") && strcmp(jstr(&r, "field"), "events[2].type") == 0,
	    "bad third event: 400 naming events[2].type (%s)", r.body);
	resp_free(&r);
	ok(sql_int("SELECT COUNT(*) FROM events WHERE tenant_id='%s' AND user_id LIKE '%s'",
	    f.tenant_id, "atomic-%") == 0 &&
	    sql_int("SELECT COUNT(*) FROM users WHERE tenant_id='%s' AND user_id LIKE '%s'",
	    f.tenant_id, "atomic-%") == 0, "nothing from the bad batch was stored");

	/* 100 events pass, 101 do not. */
	custom_batch(body, 101);
	api(&r, "POST", "/api/external/events", ingest_key, "%s", body);
	ok(is_error(&r, 400, "at most 100"), "101 events: 400 (%s)", r.body);
	resp_free(&r);
	custom_batch(body, 100);
	api(&r, "POST", "/api/external/events", ingest_key, "%s", body);
	ok(r.status == 200 && jint(&r, "accepted") == 100, "100 events: accepted (%s)", r.body);
	resp_free(&r);
	ok(sql_int("SELECT COUNT(*) FROM events WHERE tenant_id='%s' AND name='%s'", f.tenant_id,
	    "custom.bulk.e") == 100 &&
	    sql_int("SELECT SUM(event_count) FROM users WHERE tenant_id='%s' AND user_id LIKE '%s'",
	    f.tenant_id, "bulk-%") == 100, "100 events stored, 7 users counting them");
	ok(sql_int("SELECT COUNT(*) FROM event_outbox o JOIN events e ON e.outbox_id = o.id "
	    "WHERE o.tenant_id='%s' AND e.name='%s'", f.tenant_id, "custom.bulk.e") == 100,
	    "the batch has its outbox row for the broadcaster");

	/* Dedupe by message_id. */
	api(&r, "POST", "/api/events", ingest_key,
	    "{\"user_id\":\"dup\",\"event\":\"x\",\"message_id\":\"m-1\"}");
	resp_free(&r);
	api(&r, "POST", "/api/events", ingest_key,
	    "{\"events\":[{\"user_id\":\"dup\",\"event\":\"x\",\"message_id\":\"m-1\"},"
	    "{\"user_id\":\"dup\",\"event\":\"y\",\"message_id\":\"m-2\"}]}");
	ok(r.status == 200 && jint(&r, "accepted") == 1 && jint(&r, "duplicates") == 1,
	    "a repeated message_id is a duplicate, not a second event (%s)", r.body);
	resp_free(&r);

	/* Test mode keys store test events. */
	api(&r, "POST", "/api/events", test_key, "{\"user_id\":\"t-user\",\"event\":\"x\"}");
	ok(r.status == 200 && sql_int("SELECT test_mode FROM events WHERE tenant_id='%s' AND "
	    "user_id='%s'", f.tenant_id, "t-user") == 1, "rt_test_ events are marked test_mode");
	resp_free(&r);

	/* Scopes and isolation. */
	api(&r, "POST", "/api/events", read_key, "{\"user_id\":\"u\",\"event\":\"x\"}");
	ok(is_error(&r, 403, "scope"), "a read key cannot ingest: 403");
	resp_free(&r);
	api(&r, "POST", "/api/external/events/emit", NULL, "{\"type\":\"custom.a\",\"user_id\":\"u\"}");
	ok(r.status == 401, "no key: 401");
	resp_free(&r);
	api(&r, "POST", "/api/events", f.key, "{\"user_id\":\"user-1\",\"event\":\"x\"}");
	ok(r.status == 200, "a full key can ingest");
	resp_free(&r);
	api(&r, "GET", "/api/customers/user-1", g.key, NULL);
	ok(r.status == 404, "another tenant's user id: 404");
	resp_free(&r);

	/* The tracked-user limit: a clear error, nothing stored. */
	sql1("UPDATE tenants SET tracked_user_limit = 3 WHERE id = '%s'", s.tenant_id);
	api(&r, "POST", "/api/events", s.key, "{\"events\":[{\"user_id\":\"a\",\"event\":\"x\"},"
	    "{\"user_id\":\"b\",\"event\":\"x\"}]}");
	ok(r.status == 200, "2 of 3 tracked users");
	resp_free(&r);
	api(&r, "POST", "/api/events", s.key, "{\"events\":[{\"user_id\":\"a\",\"event\":\"y\"},"
	    "{\"user_id\":\"c\",\"event\":\"x\"},{\"user_id\":\"d\",\"event\":\"x\"}]}");
	ok(r.status == 402 && strcmp(jstr(&r, "code"), "tracked_user_limit") == 0 &&
	    jint(&r, "current") == 2 && jint(&r, "limit") == 3 &&
	    strcmp(jstr(&r, "upgrade_to"), "growth") == 0,
	    "a batch past the limit: 402 with current, limit, upgrade_to (%s)", r.body);
	resp_free(&r);
	ok(sql_int("SELECT COUNT(*) FROM events WHERE tenant_id='%s' AND name='%s'", s.tenant_id,
	    "y") == 0 && sql_int("SELECT tracked_users FROM tenants WHERE id='%s'", s.tenant_id)
	    == 2, "nothing from the refused batch was stored");
	api(&r, "POST", "/api/events", s.key, "{\"events\":[{\"user_id\":\"a\",\"event\":\"y\"},"
	    "{\"user_id\":\"c\",\"event\":\"x\"}]}");
	ok(r.status == 200, "exactly at the limit is fine");
	resp_free(&r);
	api(&r, "POST", "/api/events", s.key, "{\"user_id\":\"b\",\"event\":\"z\"}");
	ok(r.status == 200, "known users keep sending past the limit");
	resp_free(&r);

	/* The hourly track limit (starter: 1,000 events). */
	sql1("UPDATE rate_counters SET count = 995 WHERE tenant_id = '%s' AND bucket = 'track'",
	    s.tenant_id);
	p = body + sprintf(body, "{\"events\":[");
	for (i = 0; i < 10; i++)
		p += sprintf(p, "%s{\"user_id\":\"a\",\"event\":\"burst\"}", i ? "," : "");
	sprintf(p, "]}");
	api(&r, "POST", "/api/events", s.key, "%s", body);
	ok(r.status == 429 && strcmp(jstr(&r, "code"), "track_limit_exceeded") == 0 &&
	    resp_header(&r, "Retry-After") != NULL, "10 events past the 1,000/h track limit: 429 (%s)",
	    r.body);
	resp_free(&r);
	api(&r, "POST", "/api/events", s.key, "{\"user_id\":\"a\",\"event\":\"burst\"}");
	ok(r.status == 200, "a refused batch does not use up the quota: 1 more fits");
	resp_free(&r);
	api(&r, "GET", "/api/keys", s.key, NULL);
	ok(r.status == 200, "the API request limit is separate from the track limit");
	resp_free(&r);
}
