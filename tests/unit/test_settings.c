/* test_settings.c — settings_apply() and settings_brand_apply(): every rule. */
#include "config.h"

#include <string.h>

#include <json-c/json.h>

#include "settings.h"
#include "tap.h"

#define M(key, events) "{\"key\":\"" key "\",\"name\":\"N\",\"events\":" events "}"
#define M5(p) M(p "1", "[\"a\"]") "," M(p "2", "[\"a\"]") "," M(p "3", "[\"a\"]") "," \
	M(p "4", "[\"a\"]") "," M(p "5", "[\"a\"]")
#define M20 M5("a") "," M5("b") "," M5("c") "," M5("d")
#define S(key) "{\"key\":\"" key "\",\"event\":\"e\"}"
#define S5(p) S(p "1") "," S(p "2") "," S(p "3") "," S(p "4") "," S(p "5")
#define X100 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
#define X201 X100 X100 "x"

/* field NULL: the patch is accepted. Otherwise it fails naming field. */
static const struct {
	const char *desc, *patch, *field;
} settings_rows[] = {
	{ "empty patch", "{}", NULL },
	{ "shadow mode on", "{\"shadow_mode\":true}", NULL },
	{ "shadow mode as a string", "{\"shadow_mode\":\"yes\"}", "shadow_mode" },
	{ "shadow mode null", "{\"shadow_mode\":null}", "shadow_mode" },
	{ "winback ascending", "{\"winback_days\":[3,14,45,90,365]}", NULL },
	{ "winback single day", "{\"winback_days\":[1]}", NULL },
	{ "winback descending", "{\"winback_days\":[30,7]}", "winback_days[1]" },
	{ "winback duplicate", "{\"winback_days\":[7,30,30]}", "winback_days[2]" },
	{ "winback zero", "{\"winback_days\":[0,7]}", "winback_days[0]" },
	{ "winback negative", "{\"winback_days\":[-7]}", "winback_days[0]" },
	{ "winback 366", "{\"winback_days\":[7,366]}", "winback_days[1]" },
	{ "winback fractional", "{\"winback_days\":[7.5]}", "winback_days[0]" },
	{ "winback string item", "{\"winback_days\":[\"7\"]}", "winback_days[0]" },
	{ "winback boolean item", "{\"winback_days\":[true]}", "winback_days[0]" },
	{ "winback empty", "{\"winback_days\":[]}", "winback_days" },
	{ "winback six steps", "{\"winback_days\":[1,2,3,4,5,6]}", "winback_days" },
	{ "winback not an array", "{\"winback_days\":7}", "winback_days" },
	{ "thresholds: partial", "{\"lifecycle_thresholds\":{\"churn_days\":45}}", NULL },
	{ "thresholds: all", "{\"lifecycle_thresholds\":{\"onboarding_activation\":0.1,"
	    "\"active_activation\":0.5,\"active_engagement\":0.25,\"at_risk_engagement\":0.1,"
	    "\"at_risk_days\":5,\"churn_days\":20,\"recovered_days\":10}}", NULL },
	{ "thresholds: score above 1", "{\"lifecycle_thresholds\":{\"active_activation\":1.5}}",
	    "lifecycle_thresholds.active_activation" },
	{ "thresholds: 0 days", "{\"lifecycle_thresholds\":{\"at_risk_days\":0}}",
	    "lifecycle_thresholds.at_risk_days" },
	{ "thresholds: churn before risk", "{\"lifecycle_thresholds\":{\"at_risk_days\":30,"
	    "\"churn_days\":20}}", "lifecycle_thresholds.churn_days" },
	{ "thresholds: unknown member", "{\"lifecycle_thresholds\":{\"churn\":20}}",
	    "lifecycle_thresholds.churn" },
	{ "thresholds: not an object", "{\"lifecycle_thresholds\":30}", "lifecycle_thresholds" },
	{ "thresholds: string number", "{\"lifecycle_thresholds\":{\"churn_days\":\"30\"}}",
	    "lifecycle_thresholds.churn_days" },
	{ "window 1", "{\"engagement_window_days\":1}", NULL },
	{ "window 90", "{\"engagement_window_days\":90}", NULL },
	{ "window 0", "{\"engagement_window_days\":0}", "engagement_window_days" },
	{ "window 91", "{\"engagement_window_days\":91}", "engagement_window_days" },
	{ "window as a string", "{\"engagement_window_days\":\"14\"}", "engagement_window_days" },
	{ "window fractional", "{\"engagement_window_days\":14.5}", "engagement_window_days" },
	{ "unknown key", "{\"winback\":[7]}", "winback" },
	{ "milestones ok", "{\"onboarding_milestones\":[" M("first_report", "[\"report_created\","
	    "\"report_shared\"]") "," M("invited", "[\"member_invited\"]") "]}", NULL },
	{ "twenty milestones", "{\"onboarding_milestones\":[" M20 "]}", NULL },
	{ "twenty-one milestones", "{\"onboarding_milestones\":[" M20 "," M("e", "[\"a\"]") "]}",
	    "onboarding_milestones" },
	{ "milestone without events", "{\"onboarding_milestones\":[{\"key\":\"a\",\"name\":\"A\"}]}",
	    "onboarding_milestones[0].events" },
	{ "milestone with no events", "{\"onboarding_milestones\":[" M("a", "[]") "]}",
	    "onboarding_milestones[0].events" },
	{ "milestone with 11 events", "{\"onboarding_milestones\":[" M("a", "[\"1\",\"2\",\"3\","
	    "\"4\",\"5\",\"6\",\"7\",\"8\",\"9\",\"10\",\"11\"]") "]}",
	    "onboarding_milestones[0].events" },
	{ "milestone event not a string", "{\"onboarding_milestones\":[" M("a", "[\"x\",5]") "]}",
	    "onboarding_milestones[0].events[1]" },
	{ "milestone event too long", "{\"onboarding_milestones\":[" M("a", "[\"" X201 "\"]") "]}",
	    "onboarding_milestones[0].events[0]" },
	{ "milestone without key", "{\"onboarding_milestones\":[{\"name\":\"A\",\"events\":[\"e\"]}]}",
	    "onboarding_milestones[0].key" },
	{ "milestone key not snake_case", "{\"onboarding_milestones\":[" M("FirstReport", "[\"e\"]")
	    "]}", "onboarding_milestones[0].key" },
	{ "milestone without name", "{\"onboarding_milestones\":[{\"key\":\"a\",\"events\":[\"e\"]}]}",
	    "onboarding_milestones[0].name" },
	{ "milestone name of 101", "{\"onboarding_milestones\":[{\"key\":\"a\",\"name\":\"" X100 "y\","
	    "\"events\":[\"e\"]}]}", "onboarding_milestones[0].name" },
	{ "milestone duplicate keys", "{\"onboarding_milestones\":[" M("a", "[\"e\"]") ","
	    M("b", "[\"e\"]") "," M("a", "[\"f\"]") "]}", "onboarding_milestones[2].key" },
	{ "milestone unknown field", "{\"onboarding_milestones\":[{\"key\":\"a\",\"name\":\"A\","
	    "\"events\":[\"e\"],\"weight\":1}]}", "onboarding_milestones[0].weight" },
	{ "milestone not an object", "{\"onboarding_milestones\":[\"a\"]}", "onboarding_milestones[0]" },
	{ "retention milestones ok", "{\"retention_milestones\":[" M("weekly_report", "[\"r\"]") "]}",
	    NULL },
	{ "retention milestone without events", "{\"retention_milestones\":[{\"key\":\"a\","
	    "\"name\":\"A\",\"events\":null}]}", "retention_milestones[0].events" },
	{ "event signal", "{\"expansion_signals\":[{\"key\":\"gate\",\"event\":\"feature_gate_hit\","
	    "\"weight\":0.5}]}", NULL },
	{ "trait signal", "{\"expansion_signals\":[{\"key\":\"seats\",\"trait\":\"seats_used\","
	    "\"threshold\":10}]}", NULL },
	{ "weight 0 and 1", "{\"expansion_signals\":[{\"key\":\"a\",\"event\":\"e\",\"weight\":0},"
	    "{\"key\":\"b\",\"event\":\"e\",\"weight\":1}]}", NULL },
	{ "weight above 1", "{\"expansion_signals\":[{\"key\":\"a\",\"event\":\"e\",\"weight\":1.5}]}",
	    "expansion_signals[0].weight" },
	{ "weight negative", "{\"expansion_signals\":[" S("a") ",{\"key\":\"b\",\"event\":\"e\","
	    "\"weight\":-0.1}]}", "expansion_signals[1].weight" },
	{ "weight as a string", "{\"expansion_signals\":[{\"key\":\"a\",\"event\":\"e\","
	    "\"weight\":\"0.5\"}]}", "expansion_signals[0].weight" },
	{ "signal with neither event nor trait", "{\"expansion_signals\":[{\"key\":\"a\"}]}",
	    "expansion_signals[0].event" },
	{ "signal with both", "{\"expansion_signals\":[{\"key\":\"a\",\"event\":\"e\","
	    "\"trait\":\"t\",\"threshold\":1}]}", "expansion_signals[0].trait" },
	{ "trait without threshold", "{\"expansion_signals\":[{\"key\":\"a\",\"trait\":\"t\"}]}",
	    "expansion_signals[0].threshold" },
	{ "threshold zero", "{\"expansion_signals\":[{\"key\":\"a\",\"trait\":\"t\","
	    "\"threshold\":0}]}", "expansion_signals[0].threshold" },
	{ "threshold on an event", "{\"expansion_signals\":[{\"key\":\"a\",\"event\":\"e\","
	    "\"threshold\":5}]}", "expansion_signals[0].threshold" },
	{ "signal duplicate keys", "{\"expansion_signals\":[" S("a") "," S("a") "]}",
	    "expansion_signals[1].key" },
	{ "signal unknown field", "{\"expansion_signals\":[{\"key\":\"a\",\"event\":\"e\","
	    "\"score\":1}]}", "expansion_signals[0].score" },
	{ "twenty signals", "{\"expansion_signals\":[" S5("a") "," S5("b") "," S5("c") ","
	    S5("d") "]}", NULL },
	{ "twenty-one signals", "{\"expansion_signals\":[" S5("a") "," S5("b") "," S5("c") ","
	    S5("d") "," S("e") "]}",
	    "expansion_signals" },
	{ "timezone", "{\"timezone_default\":\"America/Argentina/Buenos_Aires\"}", NULL },
	{ "timezone with a space", "{\"timezone_default\":\"Europe/ Paris\"}", "timezone_default" },
	{ "timezone empty", "{\"timezone_default\":\"\"}", "timezone_default" },
	{ "timezone as a number", "{\"timezone_default\":1}", "timezone_default" },
	{ "first bad key wins, settings untouched", "{\"engagement_window_days\":30,"
	    "\"winback_days\":[9,8]}", "winback_days[1]" },
};

static const struct {
	const char *desc, *patch, *field;
} brand_rows[] = {
	{ "every field", "{\"company_name\":\"Acme\",\"product_name\":\"Acme Reports\","
	    "\"voice\":\"friendly\",\"tone\":\"warm, concise\",\"things_to_avoid\":[\"discounts\","
	    "\"slang\"],\"sender_name\":\"Ana\",\"sender_email\":\"ana@acme.example.com\","
	    "\"website\":\"https://acme.example.com\",\"signature\":\"Ana, Acme\"}", NULL },
	{ "null clears", "{\"company_name\":null,\"things_to_avoid\":null}", NULL },
	{ "company name of 101", "{\"company_name\":\"" X100 "y\"}", "company_name" },
	{ "empty voice", "{\"voice\":\"\"}", "voice" },
	{ "tone as a number", "{\"tone\":3}", "tone" },
	{ "email without @", "{\"sender_email\":\"ana.acme.com\"}", "sender_email" },
	{ "email without domain dot", "{\"sender_email\":\"ana@localhost\"}", "sender_email" },
	{ "email with a space", "{\"sender_email\":\"a na@acme.com\"}", "sender_email" },
	{ "email with two @", "{\"sender_email\":\"a@b@acme.com\"}", "sender_email" },
	{ "website ftp", "{\"website\":\"ftp://acme.example.com\"}", "website" },
	{ "website relative", "{\"website\":\"/about\"}", "website" },
	{ "things_to_avoid not an array", "{\"things_to_avoid\":\"slang\"}", "things_to_avoid" },
	{ "things_to_avoid item not a string", "{\"things_to_avoid\":[\"a\",1]}",
	    "things_to_avoid[1]" },
	{ "things_to_avoid item too long", "{\"things_to_avoid\":[\"" X201 "\"]}",
	    "things_to_avoid[0]" },
	{ "twenty-one things to avoid", "{\"things_to_avoid\":[\"1\",\"2\",\"3\",\"4\",\"5\",\"6\","
	    "\"7\",\"8\",\"9\",\"10\",\"11\",\"12\",\"13\",\"14\",\"15\",\"16\",\"17\",\"18\",\"19\","
	    "\"20\",\"21\"]}", "things_to_avoid" },
	{ "unknown field", "{\"logo\":\"x\"}", "logo" },
};

static const char *
str_at(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) && v ? json_object_get_string(v) : NULL;
}

static void
test_rows(void)
{
	struct json_object *obj, *patch, *before;
	char field[128], err[512];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(settings_rows) / sizeof(settings_rows[0]); i++) {
		obj = settings_defaults();
		before = NULL;
		json_object_deep_copy(obj, &before, NULL);
		patch = json_tokener_parse(settings_rows[i].patch);
		field[0] = err[0] = '\0';
		rc = settings_apply(obj, patch, field, sizeof(field), err, sizeof(err));
		if (settings_rows[i].field == NULL)
			ok(patch != NULL && rc == 0, "settings: %s (%s)", settings_rows[i].desc, err);
		else
			ok(patch != NULL && rc == -1 && strcmp(field, settings_rows[i].field) == 0 &&
			    strncmp(err, field, strlen(field)) == 0 &&
			    json_object_equal(obj, before),
			    "settings: %s fails naming %s, unchanged (%s | %s)", settings_rows[i].desc,
			    settings_rows[i].field, field, err);
		json_object_put(patch);
		json_object_put(before);
		json_object_put(obj);
	}
	for (i = 0; i < sizeof(brand_rows) / sizeof(brand_rows[0]); i++) {
		obj = settings_brand_defaults();
		patch = json_tokener_parse(brand_rows[i].patch);
		field[0] = err[0] = '\0';
		rc = settings_brand_apply(obj, patch, field, sizeof(field), err, sizeof(err));
		if (brand_rows[i].field == NULL)
			ok(patch != NULL && rc == 0, "brand: %s (%s)", brand_rows[i].desc, err);
		else
			ok(patch != NULL && rc == -1 && strcmp(field, brand_rows[i].field) == 0 &&
			    strncmp(err, field, strlen(field)) == 0,
			    "brand: %s fails naming %s (%s | %s)", brand_rows[i].desc,
			    brand_rows[i].field, field, err);
		json_object_put(patch);
		json_object_put(obj);
	}
}

static void
test_defaults(void)
{
	struct json_object *s = settings_defaults(), *b = settings_brand_defaults(), *v;

	ok(s != NULL && b != NULL, "defaults: built");
	v = json_object_object_get(s, "winback_days");
	ok(json_object_array_length(v) == 3 &&
	    json_object_get_int(json_object_array_get_idx(v, 0)) == 7 &&
	    json_object_get_int(json_object_array_get_idx(v, 1)) == 30 &&
	    json_object_get_int(json_object_array_get_idx(v, 2)) == 60, "defaults: winback 7, 30, 60");
	ok(json_object_get_int(json_object_object_get(s, "engagement_window_days")) == 14,
	    "defaults: window 14 days");
	ok(!json_object_get_boolean(json_object_object_get(s, "shadow_mode")),
	    "defaults: shadow mode off");
	ok(json_object_array_length(json_object_object_get(s, "onboarding_milestones")) == 0 &&
	    json_object_array_length(json_object_object_get(s, "retention_milestones")) == 0 &&
	    json_object_array_length(json_object_object_get(s, "expansion_signals")) == 0,
	    "defaults: no milestones or signals");
	ok(str_at(s, "timezone_default") && strcmp(str_at(s, "timezone_default"), "UTC") == 0,
	    "defaults: UTC");
	ok(json_object_object_length(b) == 9 && json_object_object_get_ex(b, "voice", &v) &&
	    v == NULL && json_object_array_length(json_object_object_get(b, "things_to_avoid")) == 0,
	    "brand defaults: keys null, things_to_avoid []");
	json_object_put(s);
	json_object_put(b);
}

static void
test_merge(void)
{
	struct json_object *s = settings_defaults(), *b = settings_brand_defaults(), *p, *v;
	char field[128], err[512];

	p = json_tokener_parse("{\"winback_days\":[10,20]}");
	settings_apply(s, p, field, sizeof(field), err, sizeof(err));
	json_object_put(p);
	p = json_tokener_parse("{\"engagement_window_days\":30}");
	settings_apply(s, p, field, sizeof(field), err, sizeof(err));
	json_object_put(p);
	v = json_object_object_get(s, "winback_days");
	ok(json_object_array_length(v) == 2 &&
	    json_object_get_int(json_object_array_get_idx(v, 1)) == 20 &&
	    json_object_get_int(json_object_object_get(s, "engagement_window_days")) == 30,
	    "merge: a second patch keeps the first one's keys; arrays replaced whole");

	p = json_tokener_parse("{\"expansion_signals\":[{\"key\":\"gate\",\"event\":\"e\"}]}");
	settings_apply(s, p, field, sizeof(field), err, sizeof(err));
	json_object_put(p);
	v = json_object_array_get_idx(json_object_object_get(s, "expansion_signals"), 0);
	ok(v && json_object_get_double(json_object_object_get(v, "weight")) == 1.0,
	    "merge: a signal's weight defaults to 1");

	p = json_tokener_parse("{\"company_name\":\"Acme\",\"voice\":\"friendly\","
	    "\"things_to_avoid\":[\"slang\"]}");
	settings_brand_apply(b, p, field, sizeof(field), err, sizeof(err));
	json_object_put(p);
	p = json_tokener_parse("{\"company_name\":null,\"things_to_avoid\":null}");
	ok(settings_brand_apply(b, p, field, sizeof(field), err, sizeof(err)) == 0 &&
	    json_object_object_get_ex(b, "company_name", &v) && v == NULL &&
	    str_at(b, "voice") && strcmp(str_at(b, "voice"), "friendly") == 0 &&
	    json_object_array_length(json_object_object_get(b, "things_to_avoid")) == 0,
	    "brand: null clears a field and leaves the others");
	json_object_put(p);
	json_object_put(s);
	json_object_put(b);
}

static void
test_messages(void)
{
	struct json_object *s = settings_defaults(), *p;
	char field[128], err[512];

	p = json_tokener_parse("{\"winback_days\":[7,30,20]}");
	settings_apply(s, p, field, sizeof(field), err, sizeof(err));
	ok(strcmp(err, "winback_days[2]: must be greater than 30") == 0,
	    "message: winback order names the previous day (%s)", err);
	json_object_put(p);
	p = json_tokener_parse("{\"engagement_window_days\":0}");
	settings_apply(s, p, field, sizeof(field), err, sizeof(err));
	ok(strcmp(err, "engagement_window_days: must be between 1 and 90") == 0,
	    "message: window range (%s)", err);
	json_object_put(p);
	p = json_tokener_parse("[1]");
	ok(settings_apply(s, p, field, sizeof(field), err, sizeof(err)) == -1,
	    "a patch that is not an object fails (%s)", err);
	json_object_put(p);
	json_object_put(s);
}

int
main(void)
{
	test_rows();
	test_defaults();
	test_merge();
	test_messages();
	return tap_done();
}
