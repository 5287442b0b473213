/*
 * test_connector.c — connector_map() over the payloads Segment, PostHog
 * and Mixpanel document. Each row is one payload as the tool's public docs
 * show it (the source is named above the row; "common fields removed" in
 * a doc means we add the userId the real call carries), the events it must
 * map to, or the field its error must name.
 *
 * Payloads are written with ' for " to keep them readable in C; q() swaps
 * them back before parsing (no payload here needs a literal ').
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "connector.h"
#include "tap.h"

#define S CONNECTOR_SEGMENT
#define P CONNECTOR_POSTHOG
#define M CONNECTOR_MIXPANEL

#define X10 "xxxxxxxxxx"
#define X100 X10 X10 X10 X10 X10 X10 X10 X10 X10 X10
#define X256 X100 X100 X10 X10 X10 X10 X10 "xxxxxx"

struct row {
	const char		*desc;
	enum connector_kind	 kind;
	const char		*payload;
	int			 n;		/* events, or -1: an error */
	const char		*name;		/* event 0 */
	const char		*user;
	const char		*mid;		/* NULL: must be NULL */
	long long		 ts;		/* 0: not given */
	const char		*key, *val;	/* event 0's properties[key], as text */
	const char		*absent;	/* a key event 0's properties lack */
	const char		*name1;		/* event 1, when n > 1 */
	const char		*field;		/* the error's field, when n == -1 */
};

#define ROW(d, k, p, n, name, user, mid, ts, key, val, absent, name1) \
	{ d, k, p, n, name, user, mid, ts, key, val, absent, name1, NULL }
#define NONE(d, k, p)	{ .desc = d, .kind = k, .payload = p, .n = 0 }
#define ERR(d, k, p, f)	{ .desc = d, .kind = k, .payload = p, .n = -1, .field = f }

static const struct row rows[] = {
	/* ---- Segment ---- */
	/* twilio.com/docs/segment/connections/spec/identify: "the payload of a
	 * typical Identify call with most common fields removed" */
	ROW("segment: Spec identify", S,
	    "{'type': 'identify', 'traits': {'name': 'Peter Gibbons', 'email': 'peter@example.com',"
	    " 'plan': 'premium', 'logins': 5}, 'userId': '97980cfea0067'}",
	    1, "$identify", "97980cfea0067", NULL, 0, "email", "peter@example.com", NULL, NULL),
	ROW("segment: identify traits keep their JSON types", S,
	    "{'type': 'identify', 'traits': {'name': 'Peter Gibbons', 'email': 'peter@example.com',"
	    " 'plan': 'premium', 'logins': 5}, 'userId': '97980cfea0067'}",
	    1, "$identify", "97980cfea0067", NULL, 0, "logins", "5", NULL, NULL),
	/* analytics.js identify before login (userId null), as captured in
	 * gist.github.com/malchak/5bb94f034715b8cff73a5ee73bbceceb */
	ROW("segment: anonymous identify from analytics.js", S,
	    "{'integrations': {}, 'context': {'page': {'path': '/', 'referrer': '', 'search': '',"
	    " 'url': 'https://www.surfline.com/'}, 'library': {'name': 'analytics.js',"
	    " 'version': '3.9.0'}}, 'traits': {'crossDomainId': '41a1c8f6-3f05-4664-99ea-f83ade351826'},"
	    " 'userId': null, 'messageId': 'ajs-1927dbe0bfa3380e80647d673440ba63',"
	    " 'anonymousId': '4abe8c58-3c84-404b-8f56-f4c259f610ed',"
	    " 'timestamp': '2019-08-15T16:27:08.353Z', 'type': 'identify',"
	    " 'sentAt': '2019-08-15T16:27:08.365Z'}",
	    1, "$identify", "4abe8c58-3c84-404b-8f56-f4c259f610ed",
	    "ajs-1927dbe0bfa3380e80647d673440ba63", 1565886428,
	    "crossDomainId", "41a1c8f6-3f05-4664-99ea-f83ade351826", NULL, NULL),
	/* twilio.com/docs/segment/connections/spec/track: typical Track call */
	ROW("segment: Spec track", S,
	    "{'type': 'track', 'event': 'User Registered', 'properties': {'plan': 'Pro Annual',"
	    " 'accountType' : 'Facebook'}, 'userId': '97980cfea0067'}",
	    1, "User Registered", "97980cfea0067", NULL, 0, "accountType", "Facebook", NULL, NULL),
	/* Spec: Common fields — messageId, timestamps and ids of the complete example */
	ROW("segment: track with the common fields", S,
	    "{'anonymousId': '507f191e810c19729de860ea', 'context': {'ip': '8.8.8.8',"
	    " 'library': {'name': 'analytics.js', 'version': '2.11.1'}, 'locale': 'en-US'},"
	    " 'integrations': {'All': true, 'Mixpanel': false, 'Salesforce': false},"
	    " 'messageId': '022bb90c-bbac-11e4-8dfc-aa07a5b093db', 'receivedAt': '2015-02-23T22:28:55.387Z',"
	    " 'sentAt': '2015-02-23T22:28:55.111Z', 'timestamp': '2015-02-23T22:28:55.111Z',"
	    " 'type': 'track', 'event': 'User Registered', 'properties': {'plan': 'Pro Annual'},"
	    " 'userId': '97980cfea0067', 'version': '1.1'}",
	    1, "User Registered", "97980cfea0067", "022bb90c-bbac-11e4-8dfc-aa07a5b093db",
	    1424730535, "plan", "Pro Annual", NULL, NULL),
	/* twilio.com/docs/segment/connections/spec/page: the complete Page example */
	ROW("segment: Spec page", S,
	    "{'anonymousId': '507f191e810c19729de860ea', 'channel': 'browser', 'context': {'ip': '8.8.8.8',"
	    " 'userAgent': 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_5)'}, 'integrations': {'All': true,"
	    " 'Mixpanel': false, 'Salesforce': false}, 'messageId': '022bb90c-bbac-11e4-8dfc-aa07a5b093db',"
	    " 'name': 'Home', 'properties': {'title': 'Welcome | Initech', 'url': 'http://www.example.com'},"
	    " 'receivedAt': '2015-02-23T22:28:55.387Z', 'sentAt': '2015-02-23T22:28:55.111Z',"
	    " 'timestamp': '2015-02-23T22:28:55.111Z', 'type': 'page', 'userId': '97980cfea0067',"
	    " 'version': '1.1'}",
	    1, "page_viewed", "97980cfea0067", "022bb90c-bbac-11e4-8dfc-aa07a5b093db", 1424730535,
	    "name", "Home", NULL, NULL),
	ROW("segment: page keeps its properties", S,
	    "{'type': 'page', 'name': 'Home', 'properties': {'title': 'Welcome | Initech',"
	    " 'url': 'http://www.example.com'}, 'userId': '97980cfea0067'}",
	    1, "page_viewed", "97980cfea0067", NULL, 0, "url", "http://www.example.com", NULL, NULL),
	/* Spec: Page — analytics.page("Retail Page", "Home"): "category ... added
	 * to the properties object" */
	ROW("segment: page category joins the properties", S,
	    "{'type': 'page', 'category': 'Retail Page', 'name': 'Home', 'properties': {'title':"
	    " 'Welcome | Initech'}, 'anonymousId': '507f191e810c19729de860ea'}",
	    1, "page_viewed", "507f191e810c19729de860ea", NULL, 0, "category", "Retail Page", NULL, NULL),
	ROW("segment: page without name or properties", S,
	    "{'type': 'page', 'userId': 'u1'}",
	    1, "page_viewed", "u1", NULL, 0, NULL, NULL, "name", NULL),
	/* Spec: Screen, Group, Alias — well-formed, nothing we track */
	NONE("segment: screen is ignored", S,
	    "{'type': 'screen', 'name': 'Home', 'properties': {'Feed Type': 'private'}, 'userId': 'u1'}"),
	NONE("segment: group is ignored", S,
	    "{'type': 'group', 'groupId': '0e8c78ea9d97a7b8185e8632', 'traits': {'name': 'Initech',"
	    " 'industry': 'Technology'}, 'userId': 'u1'}"),
	NONE("segment: alias is ignored", S,
	    "{'type': 'alias', 'previousId': '39239-239239-239239-23923', 'userId': '507f191e81'}"),
	ROW("segment: originalTimestamp when timestamp is absent", S,
	    "{'type': 'track', 'event': 'Signed Up', 'userId': 'u1',"
	    " 'originalTimestamp': '2015-02-23T22:28:55.111Z'}",
	    1, "Signed Up", "u1", NULL, 1424730535, NULL, NULL, NULL, NULL),
	ROW("segment: a timestamp with an offset", S,
	    "{'type': 'track', 'event': 'Signed Up', 'userId': 'u1',"
	    " 'timestamp': '2015-02-23T23:28:55+01:00'}",
	    1, "Signed Up", "u1", NULL, 1424730535, NULL, NULL, NULL, NULL),
	/* segment.com HTTP Tracking API, Batch: {"batch": [...]} */
	ROW("segment: HTTP API batch", S,
	    "{'batch': [{'type': 'identify', 'userId': '019mr8mf4r', 'traits': {'email': 'jake@yahoo.com',"
	    " 'name': 'Jake Peterson', 'age': 26}, 'timestamp': '2012-12-02T00:30:08.276Z'},"
	    " {'type': 'track', 'userId': '019mr8mf4r', 'event': 'Song Played', 'properties':"
	    " {'name': 'Fallin for You', 'artist': 'Dierks Bentley'}, 'timestamp':"
	    " '2012-12-02T00:30:12.984Z'}], 'context':"
	    " {'device': {'type': 'phone', 'name': 'Apple iPhone 6'}}}",
	    2, "$identify", "019mr8mf4r", NULL, 1354408208, "age", "26", NULL, "Song Played" ),
	/* Webhooks (Actions) with batching on posts a JSON array of events */
	ROW("segment: a JSON array", S,
	    "[{'type': 'track', 'event': 'Signed Up', 'userId': 'u1'}, {'type': 'page', 'name': 'Home',"
	    " 'userId': 'u1'}]",
	    2, "Signed Up", "u1", NULL, 0, NULL, NULL, NULL, "page_viewed" ),
	NONE("segment: a batch of ignored types", S,
	    "{'batch': [{'type': 'screen', 'userId': 'u1'}, {'type': 'alias', 'userId': 'u1'}]}"),
	NONE("segment: an empty batch", S, "{'batch': []}"),
	ROW("segment: an integer userId", S,
	    "{'type': 'track', 'event': 'Signed Up', 'userId': 42}",
	    1, "Signed Up", "42", NULL, 0, NULL, NULL, NULL, NULL),
	ROW("segment: an empty userId falls back to anonymousId", S,
	    "{'type': 'track', 'event': 'Signed Up', 'userId': '', 'anonymousId': 'a1'}",
	    1, "Signed Up", "a1", NULL, 0, NULL, NULL, NULL, NULL),
	ERR("segment: no userId nor anonymousId", S,
	    "{'type': 'track', 'event': 'Signed Up', 'properties': {}}",
	    "userId"),
	ERR("segment: batch[2] without a user", S,
	    "{'batch': [{'type': 'track', 'event': 'a', 'userId': 'u1'}, {'type': 'screen'},"
	    " {'type': 'track', 'event': 'b'}]}",
	    "batch[2].userId"),
	ERR("segment: array[1] without a user", S,
	    "[{'type': 'track', 'event': 'a', 'userId': 'u1'}, {'type': 'page'}]",
	    "[1].userId"),
	ERR("segment: track without event", S,
	    "{'type': 'track', 'userId': 'u1'}",
	    "event"),
	ERR("segment: track with an empty event", S,
	    "{'type': 'track', 'event': '', 'userId': 'u1'}",
	    "event"),
	ERR("segment: a 201-character event", S,
	    "{'type': 'track', 'event': '" X100 X100 "x', 'userId': 'u1'}",
	    "event"),
	ROW("segment: a 200-character event", S,
	    "{'type': 'track', 'event': '" X100 X100 "', 'userId': 'u1'}",
	    1, X100 X100, "u1", NULL, 0, NULL, NULL, NULL, NULL),
	ERR("segment: an event with a newline", S,
	    "{'type': 'track', 'event': 'a\\nb', 'userId': 'u1'}",
	    "event"),
	ERR("segment: properties not an object", S,
	    "{'type': 'track', 'event': 'a', 'userId': 'u1', 'properties': 'plan=pro'}",
	    "properties"),
	ERR("segment: traits not an object", S,
	    "{'type': 'identify', 'userId': 'u1', 'traits': ['a']}",
	    "traits"),
	ERR("segment: an unparseable timestamp", S,
	    "{'type': 'track', 'event': 'a', 'userId': 'u1', 'timestamp': 'yesterday'}",
	    "timestamp"),
	ERR("segment: an unparseable originalTimestamp", S,
	    "{'type': 'track', 'event': 'a', 'userId': 'u1', 'originalTimestamp': '2015-02-30T00:00:00Z'}",
	    "originalTimestamp"),
	ERR("segment: an unknown type", S,
	    "{'type': 'purchase', 'userId': 'u1'}",
	    "type"),
	ERR("segment: no type", S, "{'event': 'a', 'userId': 'u1'}",
	    "type"),
	ERR("segment: userId an object", S,
	    "{'type': 'track', 'event': 'a', 'userId': {'id': 1}}",
	    "userId"),
	ERR("segment: a 256-character userId", S,
	    "{'type': 'track', 'event': 'a', 'userId': '" X256 "'}",
	    "userId"),
	ERR("segment: a 101-character messageId", S,
	    "{'type': 'track', 'event': 'a', 'userId': 'u1', 'messageId': '" X100 "x'}",
	    "messageId"),
	ERR("segment: batch not an array", S, "{'batch': {'type': 'track'}}",
	    "batch"),
	ERR("segment: a batch item not an object", S, "{'batch': [1]}",
	    "batch[0]"),
	ERR("segment: a JSON string", S, "'track'",
	    "body"),

	/* ---- PostHog ---- */
	/* posthog.com/docs/api/capture: "Single event" */
	ROW("posthog: capture a single event", P,
	    "{'api_key': '<ph_project_api_key>', 'event': 'event name', 'distinct_id': 'user distinct id',"
	    " 'properties': {'account_type': 'pro'}, 'timestamp': '2024-03-15T14:30:00.000Z'}",
	    1, "event name", "user distinct id", NULL, 1710513000, "account_type", "pro", NULL, NULL),
	/* posthog.com/docs/api/capture: "Batch events" — distinct_id in
	 * properties, and timestamps without a zone */
	ROW("posthog: the batch endpoint", P,
	    "{'api_key': '<ph_project_api_key>', 'historical_migration': false, 'batch': [{'event':"
	    " 'batched_event_name_1', 'properties': {'distinct_id': 'user distinct id', 'account_type':"
	    " 'pro'}, 'timestamp': '2020-08-16T09:03:11.913767'}, {'event': 'batched_event_name_2',"
	    " 'properties': {'distinct_id': 'user distinct id', 'account_type': 'pro'}}]}",
	    2, "batched_event_name_1", "user distinct id", NULL, 1597568591, "account_type", "pro",
	    "distinct_id",
	    "batched_event_name_2"),
	/* posthog.com/tutorials/api-capture-events: a space for the T */
	ROW("posthog: tutorial timestamp with a space", P,
	    "{'api_key': '<ph_project_api_key>', 'properties': {'request_size': 'big', 'api_request':"
	    " true}, 'timestamp': '2022-09-21 09:03:11.913767', 'distinct_id': 'ian@posthog.com',"
	    " 'event': 'big request'}",
	    1, "big request", "ian@posthog.com", NULL, 1663750991, "api_request", "true", NULL, NULL),
	/* posthog.com/docs/cdp/destinations/customizing-destinations: the
	 * event and person a webhook destination templates ("{event}", "{person}") */
	ROW("posthog: webhook destination $pageview", P,
	    "{'event': {'event': '$pageview', 'distinct_id': '1234', 'timestamp': '2024-01-01T12:00:00',"
	    " 'properties': {'$current_url': 'https://posthog.com'}}, 'person': {'name': 'max@posthog.com',"
	    " 'properties': {'email': 'max@posthog.com', 'first_name': 'Max', 'last_name':"
	    " 'the Hedgehog'}}}",
	    1, "page_viewed", "1234", NULL, 1704110400, "$current_url", "https://posthog.com", NULL, NULL),
	ROW("posthog: webhook event with uuid", P,
	    "{'event': {'uuid': '018f3e5c-5a4b-7c2d-9e1f-0a1b2c3d4e5f', 'event': 'user_signed_up',"
	    " 'distinct_id': 'u-9', 'properties': {'plan': 'pro'}, 'elements_chain': '',"
	    " 'timestamp': '2024-05-22T17:09:29.220Z', 'url': 'https://us.posthog.com/events/x'},"
	    " 'person': {'id': 'p1', 'properties': {}, 'name': 'u-9', 'url':"
	    " 'https://us.posthog.com/person/u-9'}}",
	    1, "user_signed_up", "u-9", "018f3e5c-5a4b-7c2d-9e1f-0a1b2c3d4e5f", 1716397769,
	    "plan", "pro", NULL, NULL),
	/* posthog.com/docs/product-analytics/identify (identify's person
	 * properties) sent as the capture API's $identify with $anon_distinct_id */
	ROW("posthog: $identify", P,
	    "{'api_key': '<ph_project_api_key>', 'event': '$identify', 'distinct_id': 'distinct_id',"
	    " 'properties': {'$anon_distinct_id': '018f3e5c-anon', '$set': {'email':"
	    " 'max@hedgehogmail.com', 'name': 'Max Hedgehog'}}}",
	    1, "$identify", "distinct_id", NULL, 0, "email", "max@hedgehogmail.com",
	    "$anon_distinct_id", NULL),
	/* posthog.com/docs/product-analytics/person-properties: "send a $set
	 * event with a $set property" (Node.js example) */
	ROW("posthog: $set event", P,
	    "{'distinct_id': 'distinct_id', 'event': '$set', 'properties': {'$set': {'name':"
	    " 'Max Hedgehog'}, '$set_once': {'initial_url': '/blog'}}}",
	    1, "$identify", "distinct_id", NULL, 0, "initial_url", "/blog", NULL, NULL),
	ROW("posthog: $set wins over $set_once", P,
	    "{'distinct_id': 'd1', 'event': '$identify', 'properties': {'$set_once': {'plan': 'free'},"
	    " '$set': {'plan': 'pro'}}}",
	    1, "$identify", "d1", NULL, 0, "plan", "pro", NULL, NULL),
	/* person-properties docs: posthog.capture('event_name', {$set: {...},
	 * $set_once: {...}}) — the event, plus an $identify with the traits */
	ROW("posthog: custom event carrying $set", P,
	    "{'distinct_id': 'd1', 'event': 'event_name', 'uuid': '0190b5c7-1111-7000-8000-000000000001',"
	    " 'properties': {'$set': {'name': 'Max Hedgehog'}, '$set_once': {'initial_url': '/blog'},"
	    " 'plan': 'pro'}}",
	    2, "event_name", "d1", "0190b5c7-1111-7000-8000-000000000001", 0, "plan", "pro", "$set",
	    "$identify" ),
	/* posthog-node CaptureEvent: $set / $set_once beside properties */
	ROW("posthog: top-level $set", P,
	    "{'distinct_id': 'd1', 'event': 'plan_upgraded', 'properties': {'to': 'pro'},"
	    " '$set': {'plan': 'pro'}}",
	    2, "plan_upgraded", "d1", NULL, 0, "to", "pro", NULL, "$identify" ),
	ROW("posthog: an empty $set adds nothing", P,
	    "{'distinct_id': 'd1', 'event': 'x', 'properties': {'$set': {}}}",
	    1, "x", "d1", NULL, 0, NULL, NULL, "$set", NULL),
	NONE("posthog: $create_alias is ignored", P,
	    "{'distinct_id': 'd1', 'event': '$create_alias', 'properties': {'alias': 'a1'}}"),
	NONE("posthog: $groupidentify is ignored", P,
	    "{'distinct_id': 'd1', 'event': '$groupidentify', 'properties': {'$group_type':"
	    " 'company', '$group_key': 'c1'}}"),
	ROW("posthog: a JSON array", P,
	    "[{'distinct_id': 'd1', 'event': '$pageview', 'properties': {'$current_url': '/a'}},"
	    " {'distinct_id': 'd2', 'event': 'clicked'}]",
	    2, "page_viewed", "d1", NULL, 0, "$current_url", "/a", NULL, "clicked" ),
	ERR("posthog: no distinct_id", P,
	    "{'event': 'x', 'properties': {'a': 1}}",
	    "distinct_id"),
	ERR("posthog: batch[1] without distinct_id", P,
	    "{'api_key': 'k', 'batch': [{'event': 'a', 'distinct_id': 'd'}, {'event': 'b',"
	    " 'properties': {}}]}",
	    "batch[1].distinct_id"),
	ERR("posthog: no event", P, "{'distinct_id': 'd1'}",
	    "event"),
	ERR("posthog: a bad timestamp", P,
	    "{'distinct_id': 'd1', 'event': 'x', 'timestamp': '2024-13-01T00:00:00Z'}",
	    "timestamp"),
	ERR("posthog: a bad timestamp in the webhook shape", P,
	    "{'event': {'event': 'x', 'distinct_id': 'd1', 'timestamp': 'soon'}, 'person': {}}",
	    "event.timestamp"),
	ERR("posthog: properties not an object", P,
	    "{'distinct_id': 'd1', 'event': 'x', 'properties': [1, 2]}",
	    "properties"),
	ERR("posthog: $set not an object", P,
	    "{'distinct_id': 'd1', 'event': 'x', 'properties': {'$set': 'pro'}}",
	    "properties.$set"),
	ERR("posthog: distinct_id a boolean", P,
	    "{'distinct_id': true, 'event': 'x'}",
	    "distinct_id"),
	ERR("posthog: a 92-character uuid", P,
	    "{'distinct_id': 'd1', 'event': 'x', 'uuid': '" X10 X10 X10 X10 X10 X10 X10 X10 X10 "xx'}",
	    "uuid"),

	/* ---- Mixpanel ---- */
	/* docs.mixpanel.com/reference/import-events: the JSON request body */
	ROW("mixpanel: /import example", M,
	    "[{'event': 'Signup', 'properties': {'time': 1618716477000, 'distinct_id':"
	    " '91304156-cafc-4673-a237-623d1129c801', '$insert_id': '29fc2962-6d9c-455d-95ad-95b84f09b9e4',"
	    " 'Referred by': 'Friend', 'URL': 'mixpanel.com/signup'}}, {'event': 'Purchase', 'properties':"
	    " {'time': 1618716477000, 'distinct_id': '91304156-cafc-4673-a237-623d1129c801', '$insert_id':"
	    " '935d87b1-00cd-41b7-be34-b9d98dd08b42', 'Item': 'Coffee', 'Amount': 5.0}}]",
	    2, "Signup", "91304156-cafc-4673-a237-623d1129c801", "29fc2962-6d9c-455d-95ad-95b84f09b9e4",
	    1618716477, "Referred by", "Friend", "$insert_id",
	    "Purchase"),
	ROW("mixpanel: /import drops time and distinct_id", M,
	    "[{'event': 'Signup', 'properties': {'time': 1618716477000, 'distinct_id':"
	    " '91304156-cafc-4673-a237-623d1129c801', '$insert_id': '29fc2962-6d9c-455d-95ad-95b84f09b9e4',"
	    " 'Referred by': 'Friend', 'URL': 'mixpanel.com/signup'}}]",
	    1, "Signup", "91304156-cafc-4673-a237-623d1129c801", "29fc2962-6d9c-455d-95ad-95b84f09b9e4",
	    1618716477, "URL", "mixpanel.com/signup", "time", NULL),
	/* mintlify.com/mixpanel/docs/data-ingestion/api-ingestion: /track body */
	ROW("mixpanel: /track with token", M,
	    "[{'event': 'Sign Up', 'properties': {'token': 'YOUR_PROJECT_TOKEN', 'distinct_id':"
	    " 'user_123', 'time': 1618716477000, '$insert_id': 'unique_event_id_123', 'plan': 'premium',"
	    " 'source': 'landing_page'}}]",
	    1, "Sign Up", "user_123", "unique_event_id_123", 1618716477, "plan", "premium", "token", NULL),
	/* gist.github.com/jbwyme/f01f0a6f6f8b8db2472cb8771f7a505c: Mixpanel Event
	 * Schema example, time in seconds */
	ROW("mixpanel: a single event, time in seconds", M,
	    "{'event': 'Played Song', 'properties': {'token': '6972694d809c7390676a138834f8c890',"
	    " 'time': 1601412131, 'ip': '203.0.113.9', '$insert_id': '5d958f87-542d-4c10-9422-0ed75893dc81',"
	    " 'distinct_id': 'john.doe@gmail.com', 'artist': 'Drake', 'song': 'Laugh Now Cry Later'}}",
	    1, "Played Song", "john.doe@gmail.com", "5d958f87-542d-4c10-9422-0ed75893dc81", 1601412131,
	    "artist", "Drake", "token", NULL),
	ROW("mixpanel: fractional seconds as the JS SDK sends", M,
	    "{'event': 'x', 'properties': {'distinct_id': 'd1', 'time': 1618716477.123}}",
	    1, "x", "d1", NULL, 1618716477, NULL, NULL, NULL, NULL),
	/* docs.mixpanel.com/reference/create-identity */
	ROW("mixpanel: $identify", M,
	    "{'event': '$identify', 'properties': {'$identified_id': 'ORIGINAL_ID', '$anon_id': 'NEW_ID',"
	    " 'token': 'YOUR_PROJECT_TOKEN'}}",
	    1, "$identify", "ORIGINAL_ID", NULL, 0, NULL, NULL, "$anon_id", NULL),
	ROW("mixpanel: $identify keeps other properties as traits", M,
	    "{'event': '$identify', 'properties': {'distinct_id': 'u1', '$identified_id': 'u1',"
	    " '$anon_id': 'a1', 'token': 't', 'plan': 'pro'}}",
	    1, "$identify", "u1", NULL, 0, "plan", "pro", "$identified_id", NULL),
	/* docs.mixpanel.com/reference/identity-create-alias */
	NONE("mixpanel: $create_alias is ignored", M,
	    "{'event': '$create_alias', 'properties': {'distinct_id': 'other_distinct_id', 'alias':"
	    " 'your_id', 'token': 'YOUR_PROJECT_TOKEN'}}"),
	/* docs.mixpanel.com/reference/import-events: Merge Identities */
	NONE("mixpanel: $merge is ignored", M,
	    "[{'event': '$merge', 'properties': {'$distinct_ids': ['a', 'b']}}]"),
	/* mintlify.com/mixpanel/docs/api-reference/ingestion/user-profiles: Set
	 * Property (the page shows the e-mail obfuscated; a plain one here) */
	ROW("mixpanel: /engage $set", M,
	    "[{'$token': 'YOUR_PROJECT_TOKEN', '$distinct_id': 'user123', '$set': {'$email':"
	    " 'john@example.com', '$name': 'John Doe', 'plan': 'premium', 'credits': 100}}]",
	    1, "$identify", "user123", NULL, 0, "plan", "premium", "$token", NULL),
	/* docs.mixpanel.com/reference/profile-set, with $set_once */
	ROW("mixpanel: /engage $set_once", M,
	    "{'$token': 'YOUR_PROJECT_TOKEN', '$distinct_id': '13793', '$set_once': {'First login date':"
	    " '2013-04-01T13:20:00'}}",
	    1, "$identify", "13793", NULL, 0, "First login date", "2013-04-01T13:20:00", NULL, NULL),
	NONE("mixpanel: /engage $unset is ignored", M,
	    "{'$token': 'YOUR_PROJECT_TOKEN', '$distinct_id': '13793', '$unset': ['Days Overdue']}"),
	ROW("mixpanel: /engage $time in milliseconds", M,
	    "{'$token': 't', '$distinct_id': '13793', '$time': 1618716477000, '$set': {'plan': 'pro'}}",
	    1, "$identify", "13793", NULL, 1618716477, "plan", "pro", NULL, NULL),
	ROW("mixpanel: mp_page_view", M,
	    "{'event': 'mp_page_view', 'properties': {'distinct_id': 'd1', 'current_url_path': '/pricing'}}",
	    1, "page_viewed", "d1", NULL, 0, "current_url_path", "/pricing", NULL, NULL),
	ROW("mixpanel: $mp_web_page_view", M,
	    "{'event': '$mp_web_page_view', 'properties': {'distinct_id': 'd1', 'current_page_title':"
	    " 'Pricing'}}", 1, "page_viewed", "d1", NULL, 0, "current_page_title", "Pricing", NULL, NULL),
	/* docs.mixpanel.com/troubleshooting/errors/server-side-events-without-a-user:
	 * distinct_id "" is an event of no user */
	NONE("mixpanel: an event of no user is ignored", M,
	    "{'event': 'Cron Ran', 'properties': {'distinct_id': '', 'time': 1618716477}}"),
	/* Simplified ID Merge: distinct_id derived from $user_id, else $device_id */
	ROW("mixpanel: $user_id over $device_id", M,
	    "{'event': 'Signup', 'properties': {'$device_id': 'dev-1', '$user_id': 'u-42'}}",
	    1, "Signup", "u-42", NULL, 0, NULL, NULL, NULL, NULL),
	ROW("mixpanel: $device_id alone", M,
	    "{'event': 'Viewed', 'properties': {'$device_id': 'dev-1'}}",
	    1, "Viewed", "dev-1", NULL, 0, NULL, NULL, NULL, NULL),
	ERR("mixpanel: no distinct_id", M,
	    "{'event': 'Signup', 'properties': {'time': 1618716477}}",
	    "properties.distinct_id"),
	ERR("mixpanel: [1] without distinct_id", M,
	    "[{'event': 'a', 'properties': {'distinct_id': 'd'}}, {'event': 'b', 'properties': {}}]",
	    "[1].properties.distinct_id"),
	ERR("mixpanel: time as text", M,
	    "[{'event': 'a', 'properties': {'distinct_id': 'd', 'time': 'yesterday'}}]",
	    "[0].properties.time"),
	ERR("mixpanel: negative time", M,
	    "{'event': 'a', 'properties': {'distinct_id': 'd', 'time': -5}}",
	    "properties.time"),
	ERR("mixpanel: no properties", M, "{'event': 'a'}",
	    "properties"),
	ERR("mixpanel: no event", M, "{'properties': {'distinct_id': 'd'}}",
	    "event"),
	ERR("mixpanel: /engage $set not an object", M,
	    "{'$distinct_id': 'd', '$set': 'pro'}",
	    "$set"),
	ERR("mixpanel: a 101-character $insert_id", M,
	    "{'event': 'a', 'properties': {'distinct_id': 'd', '$insert_id': '" X100 "x'}}",
	    "properties.$insert_id"),
};

/* The payload with every ' turned into ", parsed; NULL if malformed. */
static struct json_object *
q(const char *s)
{
	char *buf = strdup(s), *p;
	struct json_object *o;

	if (buf == NULL)
		return NULL;
	for (p = buf; *p; p++)
		if (*p == '\'')
			*p = '"';
	o = json_tokener_parse(buf);
	free(buf);
	return o;
}

static int
same(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* Compares one mapping with its row; why it differs, or NULL. */
static const char *
check_row(const struct row *r, int n, const struct connector_event *ev, const char *field)
{
	struct json_object *v;

	if (n != r->n)
		return "event count";
	if (n < 0)
		return same(field, r->field) ? NULL : "error field";
	if (n == 0)
		return NULL;
	if (!same(ev[0].name, r->name))
		return "name";
	if (!same(ev[0].user_id, r->user))
		return "user";
	if (!same(ev[0].message_id, r->mid))
		return "message_id";
	if (ev[0].timestamp != r->ts)
		return "timestamp";
	if (ev[0].properties == NULL || !json_object_is_type(ev[0].properties, json_type_object))
		return "properties not an object";
	if (r->key != NULL && (!json_object_object_get_ex(ev[0].properties, r->key, &v) ||
	    !same(json_object_get_string(v), r->val)))
		return "property value";
	if (r->absent != NULL && json_object_object_get_ex(ev[0].properties, r->absent, NULL))
		return "a property that should be gone";
	if (n > 1 && r->name1 != NULL && !same(ev[1].name, r->name1))
		return "event 1 name";
	return NULL;
}

static void
test_rows(void)
{
	struct connector_event ev[CONNECTOR_MAX_EVENTS];
	char field[128], err[256];
	struct json_object *payload;
	const char *why;
	size_t i;
	int n;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		if ((payload = q(rows[i].payload)) == NULL) {
			ok(0, "%s: the test payload parses", rows[i].desc);
			continue;
		}
		field[0] = err[0] = '\0';
		n = connector_map(rows[i].kind, payload, ev, CONNECTOR_MAX_EVENTS, field,
		    sizeof(field), err, sizeof(err));
		why = check_row(&rows[i], n, ev, field);
		ok(why == NULL, "%s", rows[i].desc);
		if (why != NULL)
			diag("%s: n=%d field=%s err=%s name=%s user=%s mid=%s ts=%lld", why, n, field,
			    err, n > 0 ? ev[0].name : "-", n > 0 ? ev[0].user_id : "-",
			    n > 0 && ev[0].message_id ? ev[0].message_id : "(null)",
			    n > 0 ? (long long)ev[0].timestamp : 0LL);
		if (n < 0)
			ok(err[0] != '\0' && strncmp(err, field, strlen(field)) != 0,
			    "%s: a message without the field prefix (%s)", rows[i].desc, err);
		if (n > 0)
			connector_clear(ev, (size_t)n);
		json_object_put(payload);
	}
}

/* A JSON array of n Segment track calls. */
static struct json_object *
segment_tracks(size_t n)
{
	struct json_object *arr = json_object_new_array(), *o;
	size_t i;

	for (i = 0; i < n; i++) {
		o = q("{'type': 'track', 'event': 'Signed Up', 'userId': 'u1'}");
		json_object_array_add(arr, o);
	}
	return arr;
}

static void
test_limits(void)
{
	struct connector_event ev[CONNECTOR_MAX_EVENTS];
	char field[128], err[256];
	struct json_object *p;
	int n;

	p = segment_tracks(CONNECTOR_MAX_EVENTS);
	n = connector_map(S, p, ev, CONNECTOR_MAX_EVENTS, field, sizeof(field), err, sizeof(err));
	ok(n == CONNECTOR_MAX_EVENTS, "a batch of exactly 100 events maps (%d)", n);
	if (n > 0)
		connector_clear(ev, (size_t)n);
	json_object_put(p);

	p = segment_tracks(CONNECTOR_MAX_EVENTS + 1);
	n = connector_map(S, p, ev, CONNECTOR_MAX_EVENTS, field, sizeof(field), err, sizeof(err));
	ok(n == -1 && strcmp(field, "batch") == 0 && strcmp(err, "at most 100 events") == 0,
	    "101 events: \"batch: at most 100 events\" (%s: %s)", field, err);
	json_object_put(p);

	/* One PostHog event with $set is two events: past a cap of 1, nothing
	 * is left allocated (ASan checks) and the error names the batch. */
	p = q("{'distinct_id': 'd1', 'event': 'e', 'properties': {'$set': {'plan': 'pro'}}}");
	n = connector_map(P, p, ev, 1, field, sizeof(field), err, sizeof(err));
	ok(n == -1 && strcmp(field, "batch") == 0 && strcmp(err, "at most 1 events") == 0,
	    "the $identify a $set adds counts against the cap (%s: %s)", field, err);
	json_object_put(p);

	/* An error after some events were mapped frees them. */
	p = q("{'batch': [{'type': 'track', 'event': 'a', 'userId': 'u1'},"
	    " {'type': 'track', 'event': 'b'}]}");
	n = connector_map(S, p, ev, CONNECTOR_MAX_EVENTS, field, sizeof(field), err, sizeof(err));
	ok(n == -1 && strcmp(field, "batch[1].userId") == 0 &&
	    strcmp(err, "is required (or anonymousId)") == 0,
	    "a later error names its item and says what is wrong (%s: %s)", field, err);
	json_object_put(p);
}

static void
test_ownership(void)
{
	struct connector_event ev[CONNECTOR_MAX_EVENTS];
	char field[128], err[256], name[sizeof(ev[0].name)];
	struct json_object *p, *v;
	int n;

	/* Properties outlive the payload: they are the caller's objects. */
	p = q("{'type': 'identify', 'userId': 'u1', 'traits': {'email': 'peter@example.com',"
	    " 'address': {'city': 'Austin'}}}");
	n = connector_map(S, p, ev, CONNECTOR_MAX_EVENTS, field, sizeof(field), err, sizeof(err));
	snprintf(name, sizeof(name), "%s", n == 1 ? ev[0].name : "");
	json_object_put(p);
	ok(n == 1 && strcmp(name, "$identify") == 0 &&
	    json_object_object_get_ex(ev[0].properties, "address", &v) &&
	    json_object_object_get_ex(v, "city", &v) &&
	    strcmp(json_object_get_string(v), "Austin") == 0,
	    "traits stay readable after the payload is released");
	if (n > 0) {
		connector_clear(ev, (size_t)n);
		ok(ev[0].properties == NULL, "connector_clear leaves no dangling properties");
	}

	/* The payload is left as it was: mapping drops keys from copies only. */
	p = q("{'event': 'Signup', 'properties': {'distinct_id': 'd', 'token': 't', 'time': 1601412131}}");
	n = connector_map(M, p, ev, CONNECTOR_MAX_EVENTS, field, sizeof(field), err, sizeof(err));
	ok(n == 1 && json_object_object_get_ex(p, "properties", &v) &&
	    json_object_object_get_ex(v, "token", NULL) &&
	    !json_object_object_get_ex(ev[0].properties, "token", NULL),
	    "the payload keeps the keys its events drop");
	if (n > 0)
		connector_clear(ev, (size_t)n);
	json_object_put(p);

	/* The $identify a PostHog $set adds has its own dedupe key, derived
	 * from the event's uuid, and its traits are the $set ones only. */
	p = q("{'distinct_id': 'd1', 'event': 'e', 'uuid': '0190b5c7-1111-7000-8000-000000000001',"
	    " 'timestamp': '2024-01-01T12:00:00Z', 'properties': {'plan': 'pro', '$set_once':"
	    " {'initial_url': '/blog'}}}");
	n = connector_map(P, p, ev, CONNECTOR_MAX_EVENTS, field, sizeof(field), err, sizeof(err));
	ok(n == 2 && strcmp(ev[1].user_id, "d1") == 0, "the derived $identify has the event's user");
	/* Its message id is the traits' own: it outlives the payload too. */
	json_object_put(p);
	ok(n == 2 && ev[1].message_id != NULL &&
	    strcmp(ev[1].message_id, "0190b5c7-1111-7000-8000-000000000001:identify") == 0,
	    "the derived $identify is deduplicated by uuid:identify (%s)",
	    n == 2 && ev[1].message_id ? ev[1].message_id : "(null)");
	ok(n == 2 && ev[1].timestamp == 1704110400 &&
	    json_object_object_get_ex(ev[1].properties, "initial_url", NULL) &&
	    !json_object_object_get_ex(ev[1].properties, "plan", NULL),
	    "the derived $identify has the event's time, and the traits alone");
	if (n > 0)
		connector_clear(ev, (size_t)n);
}

int
main(void)
{
	test_rows();
	test_limits();
	test_ownership();
	return tap_done();
}
