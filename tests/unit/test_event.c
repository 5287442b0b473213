/* test_event.c — event-type, name, user id and timestamp validation. */
#include "config.h"

#include <string.h>

#include "event.h"
#include "jsonin.h"
#include "tap.h"

static const struct {
	const char *desc, *s;
	int valid;
} types[] = {
	{ "seed example", "custom.reward.redeemed", 1 },
	{ "one segment", "custom.signup", 1 },
	{ "digits and underscore", "custom.level_2.up", 1 },
	{ "no prefix", "reward.redeemed", 0 },
	{ "prefix only", "custom.", 0 },
	{ "bare custom", "custom", 0 },
	{ "uppercase", "custom.Reward", 0 },
	{ "empty segment", "custom.a..b", 0 },
	{ "trailing dot", "custom.a.", 0 },
	{ "hyphen", "custom.a-b", 0 },
	{ "space", "custom.a b", 0 },
	{ "uppercase prefix", "Custom.a", 0 },
};

static const struct {
	const char *desc, *s;
	int valid;
} names[] = {
	{ "snake case", "project_created", 1 },
	{ "identify", "$identify", 1 },
	{ "spaces and capitals", "Signed Up", 1 },
	{ "unicode", "caf\xc3\xa9 ordered", 1 },
	{ "empty", "", 0 },
	{ "newline", "a\nb", 0 },
	{ "tab", "a\tb", 0 },
	{ "DEL", "a\x7f", 0 },
};

static const struct {
	const char *desc, *body;
	int valid;
	const char *field;
	long long ts;
} reads[] = {
	{ "full product event", "{\"user_id\":\"u\",\"event\":\"x\",\"properties\":{},"
	    "\"timestamp\":\"2026-04-26T10:30:00Z\",\"message_id\":\"m\"}", 1, NULL, 1777199400 },
	{ "timestamp defaults to now", "{\"user_id\":\"u\",\"event\":\"x\"}", 1, NULL, 1000 },
	{ "offset timestamp is UTC", "{\"user_id\":\"u\",\"event\":\"x\","
	    "\"timestamp\":\"2026-04-26T12:30:00+02:00\"}", 1, NULL, 1777199400 },
	{ "null properties", "{\"user_id\":\"u\",\"event\":\"x\",\"properties\":null}", 1, NULL, 1000 },
	{ "malformed timestamp", "{\"user_id\":\"u\",\"event\":\"x\",\"timestamp\":\"26/04/2026\"}",
	    0, "timestamp", 0 },
	{ "timestamp as a number", "{\"user_id\":\"u\",\"event\":\"x\",\"timestamp\":1777199400}",
	    0, "timestamp", 0 },
	{ "user id too long", "{\"user_id\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"event\":\"x\"}", 0, "user_id", 0 },
	{ "user id as a number", "{\"user_id\":42,\"event\":\"x\"}", 0, "user_id", 0 },
	{ "unknown field", "{\"user_id\":\"u\",\"event\":\"x\",\"userId\":\"u\"}", 0, "userId", 0 },
	{ "message id too long", "{\"user_id\":\"u\",\"event\":\"x\",\"message_id\":\"aaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}",
	    0, "message_id", 0 },
};

int
main(void)
{
	size_t i;
	struct in v;
	struct event_in ev;
	struct json_object *o;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		ok(event_custom_type_valid(types[i].s) == types[i].valid, "custom type: %s", types[i].desc);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		ok(event_name_valid(names[i].s) == names[i].valid, "event name: %s", names[i].desc);
	ok(event_user_id_valid("user@example.com") && !event_user_id_valid("") &&
	    !event_user_id_valid("a\rb"), "user ids");
	for (i = 0; i < sizeof(reads) / sizeof(reads[0]); i++) {
		o = json_tokener_parse(reads[i].body);
		in_init(&v, o, "events[0].");
		event_read_product(&v, &ev, 1000);
		if (reads[i].valid)
			ok(!v.failed && ev.occurred_at == reads[i].ts, "read: %s (%lld)", reads[i].desc,
			    (long long)ev.occurred_at);
		else
			ok(v.failed && strncmp(v.field, "events[0].", 10) == 0 &&
			    strcmp(v.field + 10, reads[i].field) == 0, "read: %s fails on %s (%s)",
			    reads[i].desc, reads[i].field, v.msg);
		json_object_put(o);
	}
	o = json_tokener_parse("{\"type\":\"custom.a\",\"user_id\":\"u\",\"data\":{\"k\":1}}");
	in_init(&v, o, NULL);
	ok(event_read_custom(&v, &ev, 5) == 0 && ev.kind == EVENT_CUSTOM && ev.properties != NULL &&
	    ev.occurred_at == 5, "read custom: data becomes the properties");
	json_object_put(o);
	o = json_tokener_parse("{\"type\":\"custom.a\",\"user_id\":\"u\",\"event\":\"x\"}");
	in_init(&v, o, NULL);
	ok(event_read_custom(&v, &ev, 5) != 0 && strcmp(v.field, "event") == 0,
	    "read custom: product fields are unknown there");
	json_object_put(o);
	ev.kind = EVENT_PRODUCT;
	ev.name = "$identify";
	ok(event_is_identify(&ev), "$identify carries traits");
	ev.kind = EVENT_CUSTOM;
	ok(!event_is_identify(&ev), "a custom event never does");
	return tap_done();
}
