/* test_jsonin.c — typed input accessors and the field-naming errors. */
#include "config.h"

#include <string.h>

#include "jsonin.h"
#include "tap.h"

static struct json_object *
parse(const char *s)
{
	return json_tokener_parse(s);
}

int
main(void)
{
	struct in v;
	struct json_object *o;
	static const char *const modes[] = { "live", "test", NULL };
	static const char *const allowed[] = { "a", "b", NULL };
	int present;

	o = parse("{\"name\":\"x\",\"n\":5,\"b\":true,\"mode\":\"test\"}");
	in_init(&v, o, NULL);
	ok(strcmp(in_str(&v, "name", IN_REQUIRED, 1, 10), "x") == 0, "str: present");
	ok(in_int(&v, "n", IN_REQUIRED, 1, 10, 0) == 5, "int: in range");
	ok(in_bool(&v, "b", 0, 0) == 1, "bool: true");
	ok(in_enum(&v, "mode", IN_REQUIRED, modes) == 1, "enum: index of value");
	ok(!v.failed, "no failure on valid input");
	json_object_put(o);

	o = parse("{}");
	in_init(&v, o, NULL);
	in_str(&v, "label", 0, 0, 10);
	ok(!v.failed, "optional absent field is fine");
	in_str(&v, "name", IN_REQUIRED, 1, 10);
	ok(v.failed && strcmp(v.field, "name") == 0 && strcmp(v.code, "missing_field") == 0 &&
	    strstr(v.msg, "name: is required"), "missing required field is named: %s", v.msg);
	in_str(&v, "other", IN_REQUIRED, 1, 10);
	ok(strcmp(v.field, "name") == 0, "first failure is kept");
	json_object_put(o);

	o = parse("{\"name\":5}");
	in_init(&v, o, NULL);
	in_str(&v, "name", IN_REQUIRED, 1, 10);
	ok(v.failed && strstr(v.msg, "must be a string"), "wrong type: %s", v.msg);
	json_object_put(o);

	o = parse("{\"name\":\"\"}");
	in_init(&v, o, NULL);
	in_str(&v, "name", IN_REQUIRED, 1, 10);
	ok(v.failed && strstr(v.msg, "must not be empty"), "empty string: %s", v.msg);
	json_object_put(o);

	o = parse("{\"name\":\"abcdefghijk\"}");
	in_init(&v, o, NULL);
	in_str(&v, "name", IN_REQUIRED, 1, 10);
	ok(v.failed && strstr(v.msg, "at most 10"), "too long: %s", v.msg);
	json_object_put(o);

	o = parse("{\"n\":500}");
	in_init(&v, o, NULL);
	in_int(&v, "n", 0, 1, 100, 50);
	ok(v.failed && strstr(v.msg, "between 1 and 100"), "int out of range: %s", v.msg);
	json_object_put(o);

	o = parse("{\"limit\":\"12\",\"bad\":\"1x\",\"active\":\"false\"}");
	in_init(&v, o, NULL);
	ok(in_int(&v, "limit", IN_QUERY, 1, 100, 50) == 12, "query int from string");
	ok(in_bool(&v, "active", IN_QUERY, -1) == 0, "query bool from string");
	in_int(&v, "bad", IN_QUERY, 1, 100, 50);
	ok(v.failed && strcmp(v.field, "bad") == 0, "query int garbage fails");
	json_object_put(o);

	o = parse("{\"mode\":\"prod\"}");
	in_init(&v, o, NULL);
	in_enum(&v, "mode", IN_REQUIRED, modes);
	ok(v.failed && strstr(v.msg, "one of: live, test"), "enum lists choices: %s", v.msg);
	json_object_put(o);

	o = parse("{\"a\":1,\"c\":2}");
	in_init(&v, o, NULL);
	in_only(&v, allowed);
	ok(v.failed && strcmp(v.field, "c") == 0 && strcmp(v.code, "unknown_field") == 0,
	    "unknown field is named: %s", v.msg);
	json_object_put(o);

	o = parse("{\"t\":\"2026-04-26T10:30:00Z\",\"u\":\"yesterday\"}");
	in_init(&v, o, NULL);
	ok(in_time(&v, "t", 0, &present) == 1777199400 && present, "time parses");
	in_time(&v, "u", 0, &present);
	ok(v.failed && !present && strstr(v.msg, "ISO-8601"), "bad time: %s", v.msg);
	json_object_put(o);

	o = parse("{\"d\":null}");
	in_init(&v, o, "events[3].");
	in_str(&v, "d", IN_NULLABLE, 1, 5);
	ok(!v.failed, "nullable null is absent");
	in_str(&v, "d", 0, 1, 5);
	ok(v.failed && strcmp(v.field, "events[3].d") == 0, "null where not allowed, with prefix: %s",
	    v.msg);
	json_object_put(o);

	o = parse("{\"arr\":[1,2,3]}");
	in_init(&v, o, NULL);
	ok(in_arr(&v, "arr", 0, 1, 5) != NULL, "array within bounds");
	in_arr(&v, "arr", 0, 1, 2);
	ok(v.failed && strstr(v.msg, "at most 2"), "array too long: %s", v.msg);
	json_object_put(o);
	return tap_done();
}
