/*
 * test_resolve.c — the pure rules of activities (lib/resolve.h): target
 * resolution by role, last contact (any channel, same channel), sales rep
 * and owner with the fallbacks and reachability per channel; attribute
 * resolution through policies, caller values and fallbacks at creation
 * and at dispatch; and the validation of contacts, criteria, policies and
 * settings. One row per case.
 */
#include "config.h"

#include <string.h>

#include <json-c/json.h>

#include "resolve.h"
#include "tap.h"

/* Ann: manager, whatsapp, contacted on whatsapp in March. Bob: sales rep,
 * email only, contacted by email in May. Cid: owner, phone, never
 * contacted. Dee: manager with no address at all. */
#define CONTACTS "[" \
	"{\"id\":\"ann\",\"name\":\"Ann\",\"role\":\"Manager\",\"channels\":{\"whatsapp\":\"+1555\"}," \
	" \"is_sales_rep\":false,\"is_owner\":false," \
	" \"last_contacted_at\":{\"whatsapp\":\"2026-03-01T00:00:00Z\"}}," \
	"{\"id\":\"bob\",\"name\":\"Bob\",\"role\":\"rep\",\"channels\":{\"email\":\"b@x.io\"}," \
	" \"is_sales_rep\":true,\"is_owner\":false," \
	" \"last_contacted_at\":{\"email\":\"2026-05-01T00:00:00Z\"}}," \
	"{\"id\":\"cid\",\"name\":\"Cid\",\"role\":\"owner\",\"channels\":{\"phone\":\"+1666\"}," \
	" \"is_sales_rep\":false,\"is_owner\":true,\"last_contacted_at\":{}}," \
	"{\"id\":\"dee\",\"name\":\"Dee\",\"role\":\"manager\",\"channels\":{}," \
	" \"is_sales_rep\":false,\"is_owner\":false,\"last_contacted_at\":{}}]"

static const struct {
	const char *desc, *contacts, *channel, *criteria;
	const char *want;	/* "id:rule,id:rule" or "" for nobody */
} targets[] = {
	{ "role match, case-insensitive, reachable only", CONTACTS, "SALESMAN",
	  "[{\"type\":\"role\",\"config\":{\"role\":\"manager\"}}]", "ann:role,dee:role" },
	{ "role match skips a contact without the channel's address", CONTACTS, "WHATSAPP",
	  "[{\"type\":\"role\",\"config\":{\"role\":\"manager\"}}]", "ann:role" },
	{ "roles list", CONTACTS, "SALESMAN",
	  "[{\"type\":\"role\",\"config\":{\"roles\":[\"rep\",\"owner\"]}}]", "bob:role,cid:role" },
	{ "last contacted on any channel", CONTACTS, "SALESMAN",
	  "[{\"type\":\"last_contacted\"}]", "bob:last_contacted" },
	{ "last contacted on the same channel", CONTACTS, "SALESMAN",
	  "[{\"type\":\"last_contacted_channel\",\"config\":{\"channel\":\"WHATSAPP\"}}]",
	  "ann:last_contacted_channel" },
	{ "last contacted on the activity's channel", CONTACTS, "EMAIL",
	  "[{\"type\":\"last_contacted_channel\"}]", "bob:last_contacted_channel" },
	{ "priority orders criteria", CONTACTS, "SALESMAN",
	  "[{\"type\":\"owner\",\"priority\":5},{\"type\":\"last_contacted\",\"priority\":1}]",
	  "bob:last_contacted" },
	{ "unmatched role falls back to the sales rep", CONTACTS, "EMAIL",
	  "[{\"type\":\"role\",\"config\":{\"role\":\"ceo\"}}]", "bob:fallback_sales_rep" },
	{ "no criteria: sales rep", CONTACTS, "SALESMAN", NULL, "bob:fallback_sales_rep" },
	{ "sales rep unreachable on SMS: owner", CONTACTS, "SMS", "[]", "cid:fallback_owner" },
	{ "nobody reachable by push", CONTACTS, "PUSH", NULL, "" },
	{ "no contacts", "[]", "SALESMAN", NULL, "" },
	{ "whatsapp falls back to the phone", CONTACTS, "WHATSAPP",
	  "[{\"type\":\"owner\"}]", "cid:owner" },
};

static void
check_targets(void)
{
	struct json_object *contacts, *criteria, *reasons, *got, *t;
	char buf[256];
	size_t i, j;

	for (i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
		contacts = json_tokener_parse(targets[i].contacts);
		criteria = targets[i].criteria ? json_tokener_parse(targets[i].criteria) : NULL;
		reasons = json_object_new_array();
		got = resolve_targets(contacts, targets[i].channel, criteria, reasons);
		buf[0] = '\0';
		for (j = 0; j < json_object_array_length(got); j++) {
			t = json_object_array_get_idx(got, j);
			snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s:%s", j ? "," : "",
			    json_object_get_string(json_object_object_get(t, "contactId")),
			    json_object_get_string(json_object_object_get(t, "rule")));
		}
		ok(strcmp(buf, targets[i].want) == 0 &&
		    (targets[i].want[0] != '\0' || json_object_array_length(reasons) > 0),
		    "targets: %s (got \"%s\", %zu reasons)", targets[i].desc, buf,
		    json_object_array_length(reasons));
		json_object_put(got);
		json_object_put(reasons);
		json_object_put(criteria);
		json_object_put(contacts);
	}
}

#define POLICIES "[" \
	"{\"key\":\"city\",\"source\":\"commerce_attribute\",\"path\":\"address.city\"," \
	" \"resolve\":\"upfront\"}," \
	"{\"key\":\"tier\",\"source\":\"commerce_attribute\",\"path\":\"tier\",\"fallback\":\"basic\"}," \
	"{\"key\":\"last_order\",\"source\":\"event_data\",\"path\":\"total\",\"event\":\"order\"}," \
	"{\"key\":\"promo\",\"source\":\"static\",\"value\":\"SPRING\",\"resolve\":\"upfront\"}," \
	"{\"key\":\"zone\",\"source\":\"commerce_attribute\",\"path\":\"zone\",\"resolve\":\"upfront\"}]"

static struct json_object *
fake_event(void *ctx, const char *event)
{
	(void)ctx;
	if (event != NULL && strcmp(event, "order") == 0)
		return json_tokener_parse("{\"total\":42}");
	return NULL;
}

static const struct {
	const char *desc, *keys, *caller, *attrs;
	enum resolve_phase phase;
	const char *want;	/* the values object as JSON text */
	int missing;
} attrs[] = {
	{ "upfront policy from a nested commerce attribute", "[\"city\"]", NULL,
	  "{\"address\":{\"city\":\"Lima\"}}", RESOLVE_CREATION, "{ \"city\": \"Lima\" }", 0 },
	{ "dispatch-time policy deferred at creation", "[\"tier\",\"last_order\"]", NULL, "{}",
	  RESOLVE_CREATION, "{ }", 0 },
	{ "no policy: deferred at creation (seed: commerce_info)", "[\"commerce_info\"]", NULL,
	  "{}", RESOLVE_CREATION, "{ }", 0 },
	{ "no policy: the commerce attribute of that name at dispatch", "[\"commerce_info\"]", NULL,
	  "{\"commerce_info\":\"big\"}", RESOLVE_DISPATCH, "{ \"commerce_info\": \"big\" }", 0 },
	{ "policy fallback at dispatch", "[\"tier\"]", NULL, "{}", RESOLVE_DISPATCH,
	  "{ \"tier\": \"basic\" }", 0 },
	{ "event data at dispatch", "[\"last_order\"]", NULL, "{}", RESOLVE_DISPATCH,
	  "{ \"last_order\": 42 }", 0 },
	{ "static value upfront", "[\"promo\"]", NULL, "{}", RESOLVE_CREATION,
	  "{ \"promo\": \"SPRING\" }", 0 },
	{ "caller value wins over the policy", "[\"promo\"]",
	  "[{\"key\":\"promo\",\"value\":\"MINE\"}]", "{}", RESOLVE_CREATION,
	  "{ \"promo\": \"MINE\" }", 0 },
	{ "caller-only key with a value", NULL, "[{\"key\":\"greeting\",\"value\":\"hi\"}]", "{}",
	  RESOLVE_CREATION, "{ \"greeting\": \"hi\" }", 0 },
	{ "caller fallback before the policy's", "[\"zone\"]",
	  "[{\"key\":\"zone\",\"fallback\":\"north\"}]", "{}", RESOLVE_CREATION,
	  "{ \"zone\": \"north\" }", 0 },
	{ "upfront key missing without fallback", "[\"zone\"]", NULL, "{}", RESOLVE_CREATION,
	  "{ }", 1 },
	{ "dispatch: missing key without policy", "[\"nothing\",\"tier\"]", NULL, "{}",
	  RESOLVE_DISPATCH, "{ \"tier\": \"basic\" }", 1 },
};

static void
check_attributes(void)
{
	struct resolve_attr_input in;
	struct json_object *values, *missing;
	const char *got;
	size_t i;
	int n;

	for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
		memset(&in, 0, sizeof(in));
		in.keys = attrs[i].keys ? json_tokener_parse(attrs[i].keys) : NULL;
		in.caller = attrs[i].caller ? json_tokener_parse(attrs[i].caller) : NULL;
		in.policies = json_tokener_parse(POLICIES);
		in.commerce_attrs = json_tokener_parse(attrs[i].attrs);
		in.event_data = fake_event;
		in.phase = attrs[i].phase;
		values = json_object_new_object();
		missing = json_object_new_array();
		n = resolve_attributes(&in, values, missing);
		got = json_object_to_json_string(values);
		ok(strcmp(got, attrs[i].want) == 0 && n == attrs[i].missing &&
		    (int)json_object_array_length(missing) == n,
		    "attributes: %s (got %s, %d missing)", attrs[i].desc, got, n);
		json_object_put(values);
		json_object_put(missing);
		json_object_put(in.keys);
		json_object_put(in.caller);
		json_object_put(in.policies);
		json_object_put(in.commerce_attrs);
	}
}

static const struct {
	const char *desc, *json, *field;	/* field NULL: valid */
} contacts[] = {
	{ "full contact", "[{\"name\":\"A\",\"role\":\"r\",\"channels\":{\"email\":\"a@b.c\"},"
	  "\"is_owner\":true,\"last_contacted_at\":{\"EMAIL\":\"2026-01-01T10:00:00Z\"}}]", NULL },
	{ "name alone", "[{\"name\":\"A\"}]", NULL },
	{ "missing name", "[{\"role\":\"r\"}]", "contacts[0].name" },
	{ "unknown field", "[{\"name\":\"A\",\"mail\":\"x\"}]", "contacts[0].mail" },
	{ "unknown channel address", "[{\"name\":\"A\",\"channels\":{\"fax\":\"1\"}}]",
	  "contacts[0].channels.fax" },
	{ "bad last_contacted channel", "[{\"name\":\"A\",\"last_contacted_at\":{\"fax\":"
	  "\"2026-01-01T00:00:00Z\"}}]", "contacts[0].last_contacted_at" },
	{ "bad time", "[{\"name\":\"A\",\"last_contacted_at\":{\"sms\":\"yesterday\"}}]",
	  "contacts[0].last_contacted_at" },
	{ "flag not boolean", "[{\"name\":\"A\",\"is_owner\":\"yes\"}]", "contacts[0].is_owner" },
	{ "repeated id", "[{\"id\":\"x\",\"name\":\"A\"},{\"id\":\"x\",\"name\":\"B\"}]",
	  "contacts[1].id" },
	{ "not an array", "{}", "contacts" },
};

static const struct {
	const char *desc, *json, *field;
} criteria[] = {
	{ "every type", "[{\"type\":\"role\",\"config\":{\"role\":\"m\"},\"priority\":1},"
	  "{\"type\":\"last_contacted\"},{\"type\":\"last_contacted_channel\",\"config\":"
	  "{\"channel\":\"SMS\"}},{\"type\":\"sales_rep\"},{\"type\":\"owner\"}]", NULL },
	{ "unknown type", "[{\"type\":\"random\"}]", "target_criteria[0].type" },
	{ "missing type", "[{\"priority\":1}]", "target_criteria[0].type" },
	{ "role without config", "[{\"type\":\"role\"}]", "target_criteria[0].config" },
	{ "negative priority", "[{\"type\":\"owner\",\"priority\":-1}]",
	  "target_criteria[0].priority" },
	{ "bad channel", "[{\"type\":\"last_contacted_channel\",\"config\":{\"channel\":\"FAX\"}}]",
	  "target_criteria[0].config.channel" },
	{ "extra field", "[{\"type\":\"owner\",\"weight\":1}]", "target_criteria[0].weight" },
};

static const struct {
	const char *desc, *json, *field;
} settings[] = {
	{ "every key", "{\"target_criteria\":[{\"type\":\"owner\"}],\"resolution_time\":\"creation\","
	  "\"attribute_policies\":" POLICIES ",\"provider\":{\"endpoint_ids\":[\"wh_x\"]}}", NULL },
	{ "empty patch", "{}", NULL },
	{ "bad resolution_time", "{\"resolution_time\":\"later\"}", "resolution_time" },
	{ "unknown key", "{\"colour\":1}", "colour" },
	{ "policy without path", "{\"attribute_policies\":[{\"key\":\"k\",\"source\":"
	  "\"commerce_attribute\"}]}", "attribute_policies[0].path" },
	{ "static policy without value", "{\"attribute_policies\":[{\"key\":\"k\",\"source\":"
	  "\"static\"}]}", "attribute_policies[0].value" },
	{ "repeated policy key", "{\"attribute_policies\":[{\"key\":\"k\",\"source\":\"static\","
	  "\"value\":1},{\"key\":\"k\",\"source\":\"static\",\"value\":2}]}",
	  "attribute_policies[1].key" },
	{ "bad resolve", "{\"attribute_policies\":[{\"key\":\"k\",\"source\":\"static\","
	  "\"value\":1,\"resolve\":\"never\"}]}", "attribute_policies[0].resolve" },
	{ "bad source", "{\"attribute_policies\":[{\"key\":\"k\",\"source\":\"crm\"}]}",
	  "attribute_policies[0].source" },
	{ "provider not an object", "{\"provider\":[]}", "provider" },
	{ "provider ids not strings", "{\"provider\":{\"endpoint_ids\":[1]}}",
	  "provider.endpoint_ids" },
};

static void
check_validation(void)
{
	struct json_object *o, *r;
	struct resolve_err e;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(contacts) / sizeof(contacts[0]); i++) {
		o = json_tokener_parse(contacts[i].json);
		r = resolve_contacts_normalize(o, "contacts", &e);
		ok(contacts[i].field == NULL ? r != NULL :
		    r == NULL && strcmp(e.field, contacts[i].field) == 0,
		    "contacts: %s (field \"%s\": %s)", contacts[i].desc, e.field, e.msg);
		json_object_put(r);
		json_object_put(o);
	}
	for (i = 0; i < sizeof(criteria) / sizeof(criteria[0]); i++) {
		o = json_tokener_parse(criteria[i].json);
		rc = resolve_criteria_check(o, "target_criteria", &e);
		ok(criteria[i].field == NULL ? rc == 0 :
		    rc != 0 && strcmp(e.field, criteria[i].field) == 0,
		    "criteria: %s (field \"%s\": %s)", criteria[i].desc, e.field, e.msg);
		json_object_put(o);
	}
	for (i = 0; i < sizeof(settings) / sizeof(settings[0]); i++) {
		o = json_tokener_parse(settings[i].json);
		r = resolve_settings_merge(NULL, o, &e);
		ok(settings[i].field == NULL ? r != NULL :
		    r == NULL && strcmp(e.field, settings[i].field) == 0,
		    "settings: %s (field \"%s\": %s)", settings[i].desc, e.field, e.msg);
		json_object_put(r);
		json_object_put(o);
	}
}

static void
check_normalized(void)
{
	struct json_object *o, *r, *c;
	struct resolve_err e;

	o = json_tokener_parse("[{\"name\":\"A\",\"last_contacted_at\":{\"WhatsApp\":"
	    "\"2026-01-01T10:00:00.250+02:00\"}}]");
	r = resolve_contacts_normalize(o, "contacts", &e);
	c = r ? json_object_array_get_idx(r, 0) : NULL;
	ok(c != NULL && strcmp(json_object_get_string(json_object_object_get(c, "id")), "") == 0 &&
	    !json_object_get_boolean(json_object_object_get(c, "is_owner")) &&
	    json_object_object_get(c, "role") == NULL &&
	    strcmp(json_object_get_string(json_object_object_get(json_object_object_get(c,
	    "last_contacted_at"), "whatsapp")), "2026-01-01T08:00:00Z") == 0,
	    "contacts: normalized (flags false, role null, channel lower case, time in UTC)");
	json_object_put(r);
	json_object_put(o);
	o = resolve_settings_default();
	c = json_object_new_object();
	r = resolve_settings_merge(o, c, &e);
	json_object_put(c);
	ok(r != NULL && strcmp(json_object_get_string(json_object_object_get(r, "resolution_time")),
	    "dispatch") == 0, "settings: resolution at dispatch by default");
	json_object_put(r);
	json_object_put(o);
}

static void
check_mark_contacted(void)
{
	struct json_object *people = json_tokener_parse(CONTACTS), *chosen, *reasons, *lc;
	int n;

	reasons = json_object_new_array();
	chosen = resolve_targets(people, "SALESMAN", NULL, reasons);
	n = resolve_mark_contacted(people, chosen, "SMS", 1780000000);
	lc = json_object_object_get(json_object_array_get_idx(people, 1), "last_contacted_at");
	ok(n == 1 && strcmp(json_object_get_string(json_object_object_get(lc, "sms")),
	    "2026-05-28T20:26:40Z") == 0 &&
	    strcmp(json_object_get_string(json_object_object_get(lc, "email")),
	    "2026-05-01T00:00:00Z") == 0,
	    "mark contacted: the target's channel time set, the others kept");
	json_object_put(chosen);
	json_object_put(reasons);
	json_object_put(people);
}

int
main(void)
{
	check_targets();
	check_attributes();
	check_validation();
	check_normalized();
	check_mark_contacted();
	return tap_done();
}
