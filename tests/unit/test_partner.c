/*
 * test_partner.c — the Partner API's pure rules: event mapping names,
 * reading an integration body (templates validated like action-type
 * registration, mappings {from, to}), and renaming a batch of events.
 */
#include "config.h"

#include <string.h>

#include "event.h"
#include "jsonin.h"
#include "partner.h"
#include "tap.h"

static const struct {
	const char *desc, *s;
	int valid;
} names[] = {
	{ "snake case", "order_completed", 1 },
	{ "spaces and capitals", "Order Completed", 1 },
	{ "a posthog-style name", "$pageview", 1 },
	{ "identify carries traits", "$identify", 0 },
	{ "a custom type", "custom.reward.redeemed", 0 },
	{ "empty", "", 0 },
	{ "a newline", "a\nb", 0 },
};

#define TPL(extra) "{\"name\":\"grant_points\",\"description\":\"d\"," \
	"\"parameters_schema\":{\"type\":\"object\"}," \
	"\"delivery_webhook\":\"https://hooks.example.com/p\"" extra "}"
#define BODY(extra) "{\"provider\":\"acme-loyalty\",\"display_name\":\"Acme\"" extra "}"

static const struct {
	const char *desc, *body, *field;	/* field NULL: valid */
	size_t ntemplates, nmappings;
} bodies[] = {
	{ "minimal", BODY(""), NULL, 0, 0 },
	{ "everything", BODY(",\"domain\":\"loyalty\",\"active\":false,\"action_type_templates\":["
	    TPL(",\"estimated_cost_usd\":\"0.05\"") "],\"event_mappings\":[{\"from\":"
	    "\"order_completed\",\"to\":\"purchase\"},{\"from\":\"Signed Up\",\"to\":\"signup\"}]"),
	    NULL, 1, 2 },
	{ "null domain and lists", BODY(",\"domain\":null,\"action_type_templates\":null,"
	    "\"event_mappings\":null"), NULL, 0, 0 },
	{ "no provider", "{\"display_name\":\"Acme\"}", "provider", 0, 0 },
	{ "provider with a space", "{\"provider\":\"acme loyalty\",\"display_name\":\"A\"}",
	    "provider", 0, 0 },
	{ "no display_name", "{\"provider\":\"acme\"}", "display_name", 0, 0 },
	{ "an unknown field", BODY(",\"secret\":\"x\""), "secret", 0, 0 },
	{ "templates not an array", BODY(",\"action_type_templates\":{}"), "action_type_templates",
	    0, 0 },
	{ "a template not an object", BODY(",\"action_type_templates\":[1]"),
	    "action_type_templates[0]", 0, 0 },
	{ "a template name in camelCase", BODY(",\"action_type_templates\":[{\"name\":\"grantPoints\","
	    "\"description\":\"d\",\"parameters_schema\":{},\"delivery_webhook\":\"https://h.example/\"}]"),
	    "action_type_templates[0].name", 0, 0 },
	{ "a template without description", BODY(",\"action_type_templates\":[{\"name\":\"a\","
	    "\"parameters_schema\":{},\"delivery_webhook\":\"https://h.example/\"}]"),
	    "action_type_templates[0].description", 0, 0 },
	{ "an invalid JSON Schema", BODY(",\"action_type_templates\":[{\"name\":\"a\","
	    "\"description\":\"d\",\"parameters_schema\":{\"type\":\"colour\"},"
	    "\"delivery_webhook\":\"https://h.example/\"}]"),
	    "action_type_templates[0].parameters_schema", 0, 0 },
	{ "an ftp webhook", BODY(",\"action_type_templates\":[{\"name\":\"a\",\"description\":\"d\","
	    "\"parameters_schema\":{},\"delivery_webhook\":\"ftp://h.example/\"}]"),
	    "action_type_templates[0].delivery_webhook", 0, 0 },
	{ "a bad cost", BODY(",\"action_type_templates\":[" TPL(",\"estimated_cost_usd\":\"five\"")
	    "]"), "action_type_templates[0].estimated_cost_usd", 0, 0 },
	{ "an unknown template field", BODY(",\"action_type_templates\":[" TPL(",\"active\":true")
	    "]"), "action_type_templates[0].active", 0, 0 },
	{ "the second template repeats the name", BODY(",\"action_type_templates\":[" TPL("") ","
	    TPL("") "]"), "action_type_templates[1].name", 0, 0 },
	{ "a mapping without to", BODY(",\"event_mappings\":[{\"from\":\"a\"}]"),
	    "event_mappings[0].to", 0, 0 },
	{ "a mapping as a string", BODY(",\"event_mappings\":[\"a:b\"]"), "event_mappings[0]", 0, 0 },
	{ "a mapping to $identify", BODY(",\"event_mappings\":[{\"from\":\"a\",\"to\":\"$identify\"}]"),
	    "event_mappings[0].to", 0, 0 },
	{ "a mapping from a custom type", BODY(",\"event_mappings\":[{\"from\":\"custom.a\","
	    "\"to\":\"b\"}]"), "event_mappings[0].from", 0, 0 },
	{ "a mapping onto itself", BODY(",\"event_mappings\":[{\"from\":\"a\",\"to\":\"a\"}]"),
	    "event_mappings[0].to", 0, 0 },
	{ "two mappings of one event", BODY(",\"event_mappings\":[{\"from\":\"a\",\"to\":\"b\"},"
	    "{\"from\":\"a\",\"to\":\"c\"}]"), "event_mappings[1].from", 0, 0 },
	{ "a mapping with an extra key", BODY(",\"event_mappings\":[{\"from\":\"a\",\"to\":\"b\","
	    "\"when\":1}]"), "event_mappings[0].when", 0, 0 },
	{ "active as a string", BODY(",\"active\":\"yes\""), "active", 0, 0 },
};

static const struct partner_mapping maps[] = {
	{ "order_completed", "purchase" },
	{ "purchase", "never_chained" },
	{ "order_completed", "second_loses" },
	{ "Signed Up", "signup" },
};

static const struct {
	const char *desc, *name, *want;
	enum event_kind kind;
} renames[] = {
	{ "a mapped event", "order_completed", "purchase", EVENT_PRODUCT },
	{ "renaming is one step", "purchase", "never_chained", EVENT_PRODUCT },
	{ "an unmapped event", "page_viewed", "page_viewed", EVENT_PRODUCT },
	{ "names match exactly (case)", "Order_Completed", "Order_Completed", EVENT_PRODUCT },
	{ "names with spaces", "Signed Up", "signup", EVENT_PRODUCT },
	{ "a custom event is never renamed", "order_completed", "order_completed", EVENT_CUSTOM },
};

int
main(void)
{
	static struct partner_integration pi;
	struct event_in ev[sizeof(renames) / sizeof(renames[0])];
	struct json_object *o;
	struct in v;
	size_t i, n;
	int rc;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		ok(partner_mapping_name_valid(names[i].s) == names[i].valid, "mapping name: %s",
		    names[i].desc);
	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		o = json_tokener_parse(bodies[i].body);
		if (!ok(o != NULL, "body parses: %s", bodies[i].desc))
			continue;
		in_init(&v, o, NULL);
		rc = partner_integration_read(&v, &pi);
		if (bodies[i].field == NULL)
			ok(rc == 0 && !v.failed && pi.ntemplates == bodies[i].ntemplates &&
			    pi.nmappings == bodies[i].nmappings, "integration: %s is valid (%s)",
			    bodies[i].desc, v.msg);
		else
			ok(rc != 0 && strcmp(v.field, bodies[i].field) == 0,
			    "integration: %s fails on %s (%s)", bodies[i].desc, bodies[i].field,
			    v.msg);
		if (i == 1)
			ok(!pi.active && strcmp(pi.domain, "loyalty") == 0 &&
			    strcmp(pi.templates[0].parameters_schema, "{\"type\":\"object\"}") == 0 &&
			    strcmp(pi.templates[0].estimated_cost_usd, "0.05") == 0 &&
			    strcmp(pi.mappings[1].to, "signup") == 0,
			    "integration: fields as given (schema compact text)");
		if (i == 0)
			ok(pi.active == 1 && pi.domain == NULL, "integration: active by default");
		json_object_put(o);
	}
	n = sizeof(renames) / sizeof(renames[0]);
	memset(ev, 0, sizeof(ev));
	for (i = 0; i < n; i++) {
		ev[i].name = renames[i].name;
		ev[i].kind = renames[i].kind;
		ev[i].user_id = "u";
	}
	ok(partner_mappings_apply(maps, sizeof(maps) / sizeof(maps[0]), ev, n) == 3,
	    "rename: three of the batch renamed");
	for (i = 0; i < n; i++)
		ok(strcmp(ev[i].name, renames[i].want) == 0, "rename: %s (%s)", renames[i].desc,
		    ev[i].name);
	ok(partner_mappings_apply(NULL, 0, ev, n) == 0, "rename: no mappings, nothing renamed");
	return tap_done();
}
