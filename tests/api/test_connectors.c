/*
 * test_connectors.c — POST /api/connectors/segment, /posthog and /mixpanel
 * with the payloads those tools document (see tests/unit/test_connector.c
 * for where each comes from), checked through the answer
 * {"accepted", "duplicates"} and, with RETIVO_SQL, the rows they leave:
 * the user, its merged traits and the stored events.
 *
 * Bodies are written with ' for " and sent with the quotes swapped back.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "suites.h"


/* POSTs body (with ' for ") to /api/connectors/tool; returns the status. */
static long
post(struct resp *r, const char *tool, const char *key, const char *body)
{
	char path[64], *b = strdup(body), *p;

	snprintf(path, sizeof(path), "/api/connectors/%s", tool);
	for (p = b; p != NULL && *p; p++)
		if (*p == '\'')
			*p = '"';
	api_raw(r, "POST", path, key, "application/json", b ? b : "", b ? strlen(b) : 0);
	free(b);
	return r->status;
}

/* 200 with the given counts. */
static int
counts(const struct resp *r, long long accepted, long long duplicates)
{
	return r->status == 200 && jint(r, "accepted") == accepted &&
	    jint(r, "duplicates") == duplicates;
}

/* One database check: the query's first row must read want. */
__attribute__((format(printf, 3, 4)))
static void
db_is(const char *want, const char *desc, const char *fmt, ...)
{
	char got[1024];
	va_list ap;
	int status;

	va_start(ap, fmt);
	status = sql_vquery(got, sizeof(got), fmt, ap);
	va_end(ap);
	if (status < 0) {
		diag("skipped: %s needs RETIVO_SQL (database command)", desc);
		return;
	}
	got[strcspn(got, "\n")] = '\0';
	ok(strcmp(got, want) == 0, "%s (%s)", desc, got);
}

/* A validation failure: 400 whose "field" is field and whose message
 * starts with it. */
static void
rejects(const char *tool, const char *key, const char *desc, const char *body,
    const char *field)
{
	struct resp r;
	const char *e;

	post(&r, tool, key, body);
	e = jstr(&r, "error");
	ok(is_error(&r, 400, NULL) && jstr(&r, "field") && strcmp(jstr(&r, "field"), field) == 0 &&
	    e != NULL && strncmp(e, field, strlen(field)) == 0,
	    "%s %s: 400 naming %s (%s)", tool, desc, field, r.body);
	resp_free(&r);
}

/* {"batch": [...]} of n Segment track calls; the caller frees it. */
static char *
segment_batch(size_t n)
{
	static const char one[] = "{'type': 'track', 'event': 'e', 'userId': 'cap'}";
	size_t len = 16 + n * sizeof(one), used, i;
	char *b = malloc(len);

	if (b == NULL)
		return NULL;
	used = (size_t)snprintf(b, len, "{'batch': [");
	for (i = 0; i < n; i++)
		used += (size_t)snprintf(b + used, len - used, "%s%s", i ? "," : "", one);
	snprintf(b + used, len - used, "]}");
	return b;
}

static void
segment(const struct fixture *f)
{
	const char *t = f->tenant_id;
	struct resp r;
	char *big;

	/* Spec: Identify */
	post(&r, "segment", f->key, "{'type': 'identify', 'traits': {'name': 'Peter Gibbons',"
	    " 'email': 'peter@example.com', 'plan': 'premium', 'logins': 5}, 'userId': '97980cfea0067'}");
	ok(counts(&r, 1, 0), "segment identify: 200, 1 accepted (%s)", r.body);
	resp_free(&r);
	db_is("peter@example.com\tpremium", "segment identify: the user with email and plan",
	    "SELECT email, plan FROM users WHERE tenant_id = '%s' AND user_id = '97980cfea0067'", t);
	db_is("$identify\tsegment", "segment identify: stored as $identify from segment",
	    "SELECT name, source FROM events WHERE tenant_id = '%s' AND user_id = '97980cfea0067'", t);

	/* A later identify merges into the traits. */
	post(&r, "segment", f->key, "{'type': 'identify', 'traits': {'plan': 'enterprise'},"
	    " 'userId': '97980cfea0067'}");
	ok(counts(&r, 1, 0), "segment identify again: 200 (%s)", r.body);
	resp_free(&r);
	db_is("peter@example.com\tenterprise\t5", "segment identify: traits merged",
	    "SELECT JSON_VALUE(traits, '$.email'), JSON_VALUE(traits, '$.plan'),"
	    " JSON_VALUE(traits, '$.logins') FROM users WHERE tenant_id = '%s'"
	    " AND user_id = '97980cfea0067'", t);

	/* Spec: Track, with the common fields */
	post(&r, "segment", f->key, "{'anonymousId': '507f191e810c19729de860ea', 'context': {'ip':"
	    " '8.8.8.8'}, 'messageId': '022bb90c-bbac-11e4-8dfc-aa07a5b093db', 'timestamp':"
	    " '2015-02-23T22:28:55.111Z', 'type': 'track', 'event': 'User Registered', 'properties':"
	    " {'plan': 'Pro Annual', 'accountType': 'Facebook'}, 'userId': '97980cfea0067'}");
	ok(counts(&r, 1, 0), "segment track: 200, 1 accepted (%s)", r.body);
	resp_free(&r);
	db_is("User Registered\tPro Annual\t2015-02-23 22:28:55",
	    "segment track: name, properties and the payload's time",
	    "SELECT name, JSON_VALUE(properties, '$.plan'), occurred_at FROM events"
	    " WHERE tenant_id = '%s' AND dedupe_key = '022bb90c-bbac-11e4-8dfc-aa07a5b093db'", t);

	/* The same messageId again: counted as a duplicate, stored once. */
	post(&r, "segment", f->key, "{'messageId': '022bb90c-bbac-11e4-8dfc-aa07a5b093db', 'type':"
	    " 'track', 'event': 'User Registered', 'userId': '97980cfea0067'}");
	ok(counts(&r, 0, 1), "segment track replayed: 200, 1 duplicate (%s)", r.body);
	resp_free(&r);
	db_is("1", "segment track replayed: one row",
	    "SELECT COUNT(*) FROM events WHERE tenant_id = '%s'"
	    " AND dedupe_key = '022bb90c-bbac-11e4-8dfc-aa07a5b093db'", t);

	/* Spec: Page, anonymous */
	post(&r, "segment", f->key, "{'type': 'page', 'category': 'Docs', 'name': 'Home', 'properties':"
	    " {'title': 'Welcome | Initech', 'url': 'http://www.example.com'}, 'anonymousId':"
	    " '507f191e810c19729de860ea'}");
	ok(counts(&r, 1, 0), "segment page: 200 (%s)", r.body);
	resp_free(&r);
	db_is("page_viewed\tHome\tDocs\thttp://www.example.com",
	    "segment page: page_viewed with name, category and properties",
	    "SELECT name, JSON_VALUE(properties, '$.name'), JSON_VALUE(properties, '$.category'),"
	    " JSON_VALUE(properties, '$.url') FROM events WHERE tenant_id = '%s'"
	    " AND user_id = '507f191e810c19729de860ea'", t);

	/* HTTP Tracking API batch */
	post(&r, "segment", f->key, "{'batch': [{'type': 'identify', 'userId': '019mr8mf4r', 'traits':"
	    " {'email': 'jake@yahoo.com', 'name': 'Jake Peterson', 'age': 26}}, {'type': 'track',"
	    " 'userId': '019mr8mf4r', 'event': 'Song Played', 'properties': {'name': 'Fallin for You'}},"
	    " {'type': 'screen', 'userId': '019mr8mf4r', 'name': 'Home'}]}");
	ok(counts(&r, 2, 0), "segment batch: 2 of 3 accepted, the screen ignored (%s)", r.body);
	resp_free(&r);
	db_is("2\tJake Peterson", "segment batch: both events and the user's name",
	    "SELECT (SELECT COUNT(*) FROM events WHERE tenant_id = '%s' AND user_id = '019mr8mf4r'),"
	    " name FROM users WHERE tenant_id = '%s' AND user_id = '019mr8mf4r'", t, t);

	post(&r, "segment", f->key, "{'type': 'alias', 'previousId': 'a', 'userId': 'b'}");
	ok(counts(&r, 0, 0), "segment alias: 200, nothing accepted (%s)", r.body);
	resp_free(&r);

	rejects("segment", f->key, "without a user", "{'type': 'track', 'event': 'x'}", "userId");
	rejects("segment", f->key, "batch item without a user", "{'batch': [{'type': 'track',"
	    " 'event': 'x', 'userId': 'u'}, {'type': 'page'}]}", "batch[1].userId");
	rejects("segment", f->key, "with a bad timestamp", "{'type': 'track', 'event': 'x',"
	    " 'userId': 'u', 'timestamp': 'yesterday'}", "timestamp");
	rejects("segment", f->key, "with an unknown type", "{'type': 'purchase', 'userId': 'u'}",
	    "type");
	if ((big = segment_batch(101)) != NULL)
		rejects("segment", f->key, "with 101 events", big, "batch");
	free(big);
	db_is("0", "segment: nothing of a refused batch is stored",
	    "SELECT COUNT(*) FROM events WHERE tenant_id = '%s' AND user_id IN ('u', 'cap')", t);
}

static void
posthog(const struct fixture *f)
{
	const char *t = f->tenant_id;
	struct resp r;

	/* The webhook destination's default body {"event": "{event}", "person": "{person}"} */
	post(&r, "posthog", f->key, "{'event': {'uuid': '0190b5c7-0000-7000-8000-00000000aa01', 'event':"
	    " '$pageview', 'distinct_id': 'ph-1234', 'timestamp': '2024-01-01T12:00:00', 'properties':"
	    " {'$current_url': 'https://posthog.com'}}, 'person': {'name': 'max@posthog.com',"
	    " 'properties': {'email': 'max@posthog.com'}}}");
	ok(counts(&r, 1, 0), "posthog $pageview: 200 (%s)", r.body);
	resp_free(&r);
	db_is("page_viewed\tposthog\thttps://posthog.com\t2024-01-01 12:00:00",
	    "posthog $pageview: page_viewed with $current_url at the event's time",
	    "SELECT name, source, JSON_VALUE(properties, '$.\"$current_url\"'), occurred_at"
	    " FROM events WHERE tenant_id = '%s' AND user_id = 'ph-1234'", t);

	/* Capture API $identify with person properties */
	post(&r, "posthog", f->key, "{'api_key': '<ph_project_api_key>', 'event': '$identify',"
	    " 'distinct_id': 'ph-max', 'properties': {'$anon_distinct_id': 'ph-anon', '$set': {'email':"
	    " 'max@hedgehogmail.com', 'name': 'Max Hedgehog'}}}");
	ok(counts(&r, 1, 0), "posthog $identify: 200 (%s)", r.body);
	resp_free(&r);
	db_is("max@hedgehogmail.com\tMax Hedgehog", "posthog $identify: the user's traits",
	    "SELECT email, name FROM users WHERE tenant_id = '%s' AND user_id = 'ph-max'", t);

	/* A custom event carrying $set: the event, plus the traits */
	post(&r, "posthog", f->key, "{'distinct_id': 'ph-max', 'event': 'plan_upgraded', 'uuid':"
	    " '0190b5c7-0000-7000-8000-00000000aa02', 'properties': {'to': 'pro', '$set': {'plan':"
	    " 'pro'}, '$set_once': {'initial_url': '/blog'}}}");
	ok(counts(&r, 2, 0), "posthog event with $set: 200, 2 accepted (%s)", r.body);
	resp_free(&r);
	db_is("pro\t/blog\tmax@hedgehogmail.com", "posthog event with $set: traits merged",
	    "SELECT plan, JSON_VALUE(traits, '$.initial_url'), email FROM users"
	    " WHERE tenant_id = '%s' AND user_id = 'ph-max'", t);
	db_is("pro\t0", "posthog event with $set: the event keeps its properties, not $set",
	    "SELECT JSON_VALUE(properties, '$.to'), JSON_CONTAINS_PATH(properties, 'one',"
	    " '$.\"$set\"') FROM events WHERE tenant_id = '%s' AND name = 'plan_upgraded'", t);
	post(&r, "posthog", f->key, "{'distinct_id': 'ph-max', 'event': 'plan_upgraded', 'uuid':"
	    " '0190b5c7-0000-7000-8000-00000000aa02', 'properties': {'to': 'pro', '$set': {'plan':"
	    " 'pro'}}}");
	ok(counts(&r, 0, 2), "posthog event with $set replayed: both duplicates (%s)", r.body);
	resp_free(&r);

	/* The /batch endpoint, distinct_id in properties */
	post(&r, "posthog", f->key, "{'api_key': '<ph_project_api_key>', 'historical_migration': false,"
	    " 'batch': [{'event': 'batched_event_name_1', 'properties': {'distinct_id': 'ph-batch',"
	    " 'account_type': 'pro'}, 'timestamp': '2020-08-16T09:03:11.913767'}, {'event':"
	    " 'batched_event_name_2', 'properties': {'distinct_id': 'ph-batch', 'account_type': 'pro'}}]}");
	ok(counts(&r, 2, 0), "posthog batch: 200, 2 accepted (%s)", r.body);
	resp_free(&r);
	db_is("2", "posthog batch: two events",
	    "SELECT COUNT(*) FROM events WHERE tenant_id = '%s' AND user_id = 'ph-batch'", t);

	rejects("posthog", f->key, "without distinct_id", "{'event': 'x', 'properties': {}}",
	    "distinct_id");
	rejects("posthog", f->key, "batch item without distinct_id", "{'api_key': 'k', 'batch':"
	    " [{'event': 'a', 'distinct_id': 'd'}, {'event': 'b'}]}", "batch[1].distinct_id");
	rejects("posthog", f->key, "webhook with a bad timestamp", "{'event': {'event': 'x',"
	    " 'distinct_id': 'd', 'timestamp': 'soon'}, 'person': {}}", "event.timestamp");
	rejects("posthog", f->key, "$set not an object", "{'event': 'x', 'distinct_id': 'd',"
	    " 'properties': {'$set': 'pro'}}", "properties.$set");
}

static void
mixpanel(const struct fixture *f)
{
	const char *t = f->tenant_id;
	struct resp r;

	/* A /track event object, time in seconds */
	post(&r, "mixpanel", f->key, "{'event': 'Played Song', 'properties': {'token':"
	    " '6972694d809c7390676a138834f8c890', 'time': 1601412131, 'ip': '203.0.113.9', '$insert_id':"
	    " '5d958f87-542d-4c10-9422-0ed75893dc81', 'distinct_id': 'john.doe@gmail.com', 'artist':"
	    " 'Drake', 'song': 'Laugh Now Cry Later'}}");
	ok(counts(&r, 1, 0), "mixpanel track: 200 (%s)", r.body);
	resp_free(&r);
	db_is("Played Song\tmixpanel\tDrake\t0\t2020-09-29 20:42:11",
	    "mixpanel track: name, properties without token, the event's time",
	    "SELECT name, source, JSON_VALUE(properties, '$.artist'), JSON_CONTAINS_PATH(properties,"
	    " 'one', '$.token'), occurred_at FROM events WHERE tenant_id = '%s'"
	    " AND dedupe_key = '5d958f87-542d-4c10-9422-0ed75893dc81'", t);

	/* An /engage profile update */
	post(&r, "mixpanel", f->key, "{'$token': 'YOUR_PROJECT_TOKEN', '$distinct_id': 'john.doe@gmail.com',"
	    " '$set': {'$email': 'john@example.com', 'plan': 'premium', 'credits': 100}}");
	ok(counts(&r, 1, 0), "mixpanel engage $set: 200 (%s)", r.body);
	resp_free(&r);
	db_is("premium\t100", "mixpanel engage $set: traits",
	    "SELECT plan, JSON_VALUE(traits, '$.credits') FROM users WHERE tenant_id = '%s'"
	    " AND user_id = 'john.doe@gmail.com'", t);

	/* /import's body is a JSON array: its own example */
	post(&r, "mixpanel", f->key, "[{'event': 'Signup', 'properties': {'time': 1618716477000,"
	    " 'distinct_id': '91304156-cafc-4673-a237-623d1129c801', '$insert_id':"
	    " '29fc2962-6d9c-455d-95ad-95b84f09b9e4', 'Referred by': 'Friend', 'URL': 'mixpanel.com/signup'}},"
	    " {'event': 'Purchase', 'properties': {'time': 1618716477000, 'distinct_id':"
	    " '91304156-cafc-4673-a237-623d1129c801', '$insert_id': '935d87b1-00cd-41b7-be34-b9d98dd08b42',"
	    " 'Item': 'Coffee', 'Amount': 5.0}}]");
	ok(counts(&r, 2, 0), "mixpanel import (a JSON array body): 200, 2 accepted (%s)", r.body);
	resp_free(&r);
	db_is("2\t2021-04-18 03:27:57", "mixpanel import: both events, milliseconds read",
	    "SELECT COUNT(*), MIN(occurred_at) FROM events WHERE tenant_id = '%s'"
	    " AND user_id = '91304156-cafc-4673-a237-623d1129c801'", t);

	rejects("mixpanel", f->key, "without distinct_id", "{'event': 'Signup', 'properties':"
	    " {'time': 1618716477}}", "properties.distinct_id");
	rejects("mixpanel", f->key, "with time as text", "{'event': 'Signup', 'properties':"
	    " {'distinct_id': 'd', 'time': 'yesterday'}}", "properties.time");
	rejects("mixpanel", f->key, "without properties", "{'event': 'Signup'}", "properties");
}

void
suite_connectors(void)
{
	static const char *const tools[] = { "segment", "posthog", "mixpanel" };
	static const char *const bodies[] = {
		"{'type': 'track', 'event': 'x', 'userId': 'scope'}",
		"{'event': 'x', 'distinct_id': 'scope'}",
		"{'event': 'x', 'properties': {'distinct_id': 'scope'}}",
	};
	struct fixture f, g;
	char read_key[64], ingest_key[64];
	struct resp r;
	size_t i;

	if (!ok(fixture_tenant(&f, "growth", "standalone") == 0 &&
	    fixture_tenant(&g, "growth", "standalone") == 0 &&
	    fixture_key(f.tenant_id, "live", "read", read_key, sizeof(read_key)) == 0 &&
	    fixture_key(f.tenant_id, "live", "ingest", ingest_key, sizeof(ingest_key)) == 0,
	    "connectors: fixtures"))
		return;

	segment(&f);
	posthog(&f);
	mixpanel(&f);

	for (i = 0; i < sizeof(tools) / sizeof(tools[0]); i++) {
		post(&r, tools[i], ingest_key, bodies[i]);
		ok(counts(&r, 1, 0), "%s: an ingest key is enough (%s)", tools[i], r.body);
		resp_free(&r);
		post(&r, tools[i], read_key, bodies[i]);
		ok(is_error(&r, 403, NULL), "%s: a read key is 403 (%s)", tools[i], r.body);
		resp_free(&r);
		post(&r, tools[i], NULL, bodies[i]);
		ok(is_error(&r, 401, NULL), "%s: no key is 401 (%s)", tools[i], r.body);
		resp_free(&r);
	}
	db_is("3", "the ingest key's three events, none from the refused keys",
	    "SELECT COUNT(*) FROM events WHERE tenant_id = '%s' AND user_id = 'scope'", f.tenant_id);

	/* Dedupe keys are per tenant: f's messageId is new to g. */
	post(&r, "segment", g.key, "{'messageId': '022bb90c-bbac-11e4-8dfc-aa07a5b093db', 'type':"
	    " 'track', 'event': 'User Registered', 'userId': '97980cfea0067'}");
	ok(counts(&r, 1, 0), "another tenant's same messageId is its own event (%s)", r.body);
	resp_free(&r);
	db_is("1\tenterprise", "another tenant sees its event only, f's user keeps its traits",
	    "SELECT (SELECT COUNT(*) FROM events WHERE tenant_id = '%s'), plan FROM users"
	    " WHERE tenant_id = '%s' AND user_id = '97980cfea0067'", g.tenant_id, f.tenant_id);

	/* The customer the connectors created, through the API. */
	api(&r, "GET", "/api/customers/97980cfea0067", f.key, NULL);
	ok(r.status == 200 && strstr(r.body, "97980cfea0067") != NULL,
	    "GET /api/customers/{user_id}: the connector's user (%s)", r.body);
	resp_free(&r);
	api(&r, "GET", "/api/customers/ph-max", g.key, NULL);
	ok(is_error(&r, 404, NULL), "GET /api/customers/{user_id}: another tenant's is 404 (%s)",
	    r.body);
	resp_free(&r);
}
