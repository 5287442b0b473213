/* test_output.c — JSON rendering of database values and list envelopes. */
#include "config.h"

#include <string.h>

#include "jsonin.h"
#include "jsonout.h"
#include "page.h"
#include "tap.h"

static const char *
str(struct json_object *o, const char *k)
{
	struct json_object *v;

	return json_object_object_get_ex(o, k, &v) && v ? json_object_get_string(v) : NULL;
}

int
main(void)
{
	struct json_object *o = json_object_new_object(), *items, *q, *it;
	struct in v;
	char iso[21];
	int limit, i;
	const char *cursor;

	jo_time(o, "t", "2026-04-26 10:30:00");
	ok(str(o, "t") && strcmp(str(o, "t"), "2026-04-26T10:30:00Z") == 0, "time: DATETIME to ISO-8601");
	jo_time(o, "u", NULL);
	ok(json_object_object_get_ex(o, "u", NULL) && str(o, "u") == NULL, "time: NULL is null");
	jo_time(o, "w", "garbage");
	ok(str(o, "w") == NULL, "time: malformed is null");
	ok(jo_iso_from_sql("2026-04-26 10:30:00.123456", iso) == 0 &&
	    strcmp(iso, "2026-04-26T10:30:00Z") == 0, "time: fractions dropped");
	jo_str(o, "s", NULL);
	ok(json_object_object_get_ex(o, "s", NULL) && str(o, "s") == NULL, "str: NULL is null");
	jo_raw(o, "schema", "{\"type\":\"object\"}");
	ok(json_object_is_type(json_object_object_get(o, "schema"), json_type_object),
	    "raw: stored JSON text becomes a value");
	json_object_put(o);

	items = json_object_new_array();
	for (i = 0; i < 3; i++) {
		it = json_object_new_object();
		jo_str(it, "id", i == 2 ? "at_last" : "at_x");
		json_object_array_add(items, it);
	}
	o = page_response("action_types", items, 1);
	ok(json_object_get_boolean(json_object_object_get(o, "has_more")) &&
	    str(o, "next_cursor") && strcmp(str(o, "next_cursor"), "at_last") == 0,
	    "page: next_cursor is the last id when there is more");
	json_object_put(o);
	o = page_response("keys", json_object_new_array(), 0);
	ok(!json_object_get_boolean(json_object_object_get(o, "has_more")) &&
	    str(o, "next_cursor") == NULL, "page: no cursor on the last page");
	json_object_put(o);

	q = json_tokener_parse("{}");
	in_init(&v, q, NULL);
	page_params(&v, &limit, &cursor);
	ok(!v.failed && limit == 50 && cursor == NULL, "page: default limit 50");
	json_object_put(q);
	q = json_tokener_parse("{\"limit\":\"100\",\"cursor\":\"at_x\"}");
	in_init(&v, q, NULL);
	page_params(&v, &limit, &cursor);
	ok(!v.failed && limit == 100 && strcmp(cursor, "at_x") == 0, "page: limit 100 and cursor");
	json_object_put(q);
	q = json_tokener_parse("{\"limit\":\"101\"}");
	in_init(&v, q, NULL);
	page_params(&v, &limit, &cursor);
	ok(v.failed && strcmp(v.field, "limit") == 0, "page: limit 101 refused");
	json_object_put(q);
	return tap_done();
}
