/*
 * test_jsonschema.c — unit tests for lib/jsonschema.c, plus a run of the
 * official JSON-Schema-Test-Suite (draft 7) for every keyword the module
 * claims, so that a claim in the header is backed by the suite's verdict.
 *
 * The suite is read from $JSON_SCHEMA_TEST_SUITE, by default where the
 * Debian package json-schema-test-suite installs it.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "jsonschema.h"
#include "tap.h"

#define SUITE_DEFAULT	"/usr/share/json-schema-test-suite/tests/draft7"
#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

/* Parses one JSON text; unlike json_tokener_parse() tells null from error. */
static struct json_object *
parse(const char *text, int *okp)
{
	enum json_tokener_error jerr;
	struct json_object *o;

	o = json_tokener_parse_verbose(text, &jerr);
	*okp = jerr == json_tokener_success;
	if (!*okp)
		diag("test bug: cannot parse %s: %s", text,
		    json_tokener_error_desc(jerr));
	return o;
}

static const struct {
	const char	*desc;
	const char	*schema;
	const char	*err;		/* expected err prefix, NULL: valid */
} check_cases[] = {
	{ "empty schema", "{}", NULL },
	{ "boolean schema", "false", NULL },
	{ "request schema", "{\"type\":\"object\",\"required\":[\"amount\"],"
	    "\"properties\":{\"amount\":{\"type\":\"integer\",\"minimum\":1,"
	    "\"maximum\":1000},\"memo\":{\"type\":[\"string\",\"null\"],"
	    "\"maxLength\":140,\"pattern\":\"^[\\\\w .,-]*$\"}},"
	    "\"additionalProperties\":false}", NULL },
	{ "local refs and unknown keywords", "{\"definitions\":{\"a~b\":"
	    "{\"x-doc\":1}},\"items\":[{\"$ref\":\"#/definitions/a~0b\"}]}",
	    NULL },
	{ "meta-schema ref", "{\"$ref\":"
	    "\"http://json-schema.org/draft-07/schema#\"}", NULL },
	{ "misspelt type", "{\"type\":\"strin\"}", "/type: unknown type" },
	{ "minimum not a number",
	    "{\"properties\":{\"a\":{\"minimum\":\"x\"}}}",
	    "/properties/a/minimum: must be a number" },
	{ "required not an array", "{\"required\":\"a\"}", "/required: " },
	{ "pattern does not compile", "{\"pattern\":\"(\"}", "/pattern: " },
	{ "negative minLength", "{\"minLength\":-1}", "/minLength: " },
	{ "fractional maxItems", "{\"maxItems\":1.5}", "/maxItems: " },
	{ "schema is a number", "3", "/: " },
	{ "empty type array", "{\"type\":[]}", "/type: " },
	{ "repeated type", "{\"type\":[\"string\",\"string\"]}", "/type/1: " },
	{ "repeated required", "{\"required\":[\"a\",\"a\"]}",
	    "/required/1: " },
	{ "multipleOf zero", "{\"multipleOf\":0}", "/multipleOf: " },
	{ "empty anyOf", "{\"anyOf\":[]}", "/anyOf: " },
	{ "bad schema in allOf", "{\"allOf\":[{},{\"type\":1}]}",
	    "/allOf/1/type: " },
	{ "bad tuple item", "{\"items\":[{},5]}", "/items/1: " },
	{ "bad patternProperties key",
	    "{\"patternProperties\":{\"(\":{}}}", "/patternProperties/(: " },
	{ "escaped key in path",
	    "{\"properties\":{\"a/b\":{\"maxLength\":\"x\"}}}",
	    "/properties/a~1b/maxLength: " },
	{ "dangling $ref", "{\"$ref\":\"#/definitions/nope\"}", "/$ref: " },
	{ "remote $ref", "{\"$ref\":\"http://example.com/s.json\"}",
	    "/$ref: " },
	{ "look-ahead pattern", "{\"pattern\":\"a(?=b)\"}", "/pattern: " },
	{ "not is an array", "{\"not\":[]}", "/not: " },
	{ "enum not an array", "{\"enum\":1}", "/enum: " },
	{ "dependency list of numbers", "{\"dependencies\":{\"a\":[1]}}",
	    "/dependencies/a/0: " },
};

static const struct {
	const char	*desc;
	const char	*schema;
	const char	*instance;
	int		 expect;
	const char	*err;		/* substring expected in err */
} validate_cases[] = {
	{ "over maximum names the member",
	    "{\"properties\":{\"amount\":{\"type\":\"integer\","
	    "\"maximum\":1000}}}", "{\"amount\":5000}", 0,
	    "/amount: must be <= 1000 (maximum)" },
	{ "at maximum", "{\"properties\":{\"amount\":{\"maximum\":1000}}}",
	    "{\"amount\":1000}", 1, "" },
	{ "root is \"/\"", "{\"type\":\"object\"}", "[]", 0,
	    "/: must be of type object (type)" },
	{ "missing required member", "{\"required\":[\"amount\"]}", "{}", 0,
	    "/amount: is a required property (required)" },
	{ "extra member", "{\"properties\":{\"a\":{}},"
	    "\"additionalProperties\":false}", "{\"a\":1,\"b\":2}", 0,
	    "/b: is not an allowed property (additionalProperties)" },
	{ "nested array path", "{\"properties\":{\"lines\":{\"items\":"
	    "{\"properties\":{\"qty\":{\"minimum\":1}}}}}}",
	    "{\"lines\":[{\"qty\":1},{\"qty\":0}]}", 0,
	    "/lines/1/qty: must be >= 1 (minimum)" },
	{ "escaped instance path",
	    "{\"properties\":{\"a/b~c\":{\"type\":\"string\"}}}",
	    "{\"a/b~c\":1}", 0, "/a~1b~0c: must be of type string" },
	{ "anyOf summary", "{\"anyOf\":[{\"type\":\"string\"},"
	    "{\"type\":\"null\"}]}", "1", 0, "/: must match at least one" },
	{ "oneOf names both matches", "{\"oneOf\":[{\"type\":\"integer\"},"
	    "{\"minimum\":0}]}", "1", 0, "matches 0 and 1 (oneOf)" },
	{ "false subschema", "{\"properties\":{\"x\":false}}", "{\"x\":1}", 0,
	    "/x: no value is allowed here" },
	{ "dependency names missing member",
	    "{\"dependencies\":{\"card\":[\"cvv\"]}}", "{\"card\":\"4111\"}",
	    0, "/cvv: is required when \"card\" is present" },
	{ "propertyNames", "{\"propertyNames\":{\"maxLength\":3}}",
	    "{\"abcd\":1}", 0, "property name \"abcd\"" },
	{ "maxLength counts code points", "{\"maxLength\":2}",
	    "\"\\u00e9\\u20ac\"", 1, "" },
	{ "minLength counts code points", "{\"minLength\":3}",
	    "\"\\u00e9\\u20ac\"", 0, "at least 3 characters long (minLength)" },
	{ "1.0 is an integer", "{\"type\":\"integer\"}", "1.0", 1, "" },
	{ "1.5 is not an integer", "{\"type\":\"integer\"}", "1.5", 0,
	    "(type)" },
	{ "type list named", "{\"type\":[\"string\",\"null\"]}", "1", 0,
	    "/: must be of type string or null (type)" },
	{ "enum: 1 equals 1.0", "{\"enum\":[1.0]}", "1", 1, "" },
	{ "const: true is not 1", "{\"const\":true}", "1", 0, "(const)" },
	{ "const: null", "{\"const\":null}", "null", 1, "" },
	{ "null instance", "{\"type\":\"null\"}", "null", 1, "" },
	{ "multipleOf 0.0001", "{\"multipleOf\":0.0001}", "0.0075", 1, "" },
	{ "multipleOf 0.01 money", "{\"multipleOf\":0.01}", "19.99", 1, "" },
	{ "multipleOf 0.01 rejects", "{\"multipleOf\":0.01}", "19.999", 0,
	    "must be a multiple of 0.01" },
	{ "multipleOf big quotient", "{\"multipleOf\":1.5}", "10000000001",
	    0, "(multipleOf)" },
	{ "multipleOf tiny quotient", "{\"multipleOf\":1}", "1e-20", 0,
	    "(multipleOf)" },
	{ "multipleOf overflow", "{\"type\":\"integer\","
	    "\"multipleOf\":0.123456789}", "1e308", 0, "(multipleOf)" },
	{ "integers beyond 2^53 compare exactly",
	    "{\"maximum\":9007199254740992}", "9007199254740993", 0,
	    "(maximum)" },
	{ "uint64 range", "{\"minimum\":9223372036854775808}",
	    "18446744073709551615", 1, "" },
	{ "int vs fraction", "{\"exclusiveMaximum\":2.5}", "2", 1, "" },
	{ "pattern \\d", "{\"pattern\":\"^\\\\d{3}-\\\\d{4}$\"}",
	    "\"555-1234\"", 1, "" },
	{ "pattern \\d rejects", "{\"pattern\":\"^\\\\d{3}-\\\\d{4}$\"}",
	    "\"555-12a4\"", 0, "(pattern)" },
	{ "pattern class with \\w", "{\"pattern\":"
	    "\"^[\\\\w.-]+@[\\\\w-]+\\\\.[a-z]{2,}$\"}",
	    "\"jo.doe@ex-ample.org\"", 1, "" },
	{ "pattern \\S", "{\"pattern\":\"^\\\\S+$\"}", "\"a b\"", 0,
	    "(pattern)" },
	{ "pattern is not anchored", "{\"pattern\":\"b+\"}", "\"abbc\"", 1,
	    "" },
	{ "lazy quantifier", "{\"pattern\":\"^a+?b$\"}", "\"aab\"", 1, "" },
	{ "non-capturing group", "{\"pattern\":\"^(?:ab)+$\"}", "\"abab\"",
	    1, "" },
	{ "dot stops at newline", "{\"pattern\":\"^a.b$\"}", "\"a\\nb\"", 0,
	    "(pattern)" },
	{ "escaped ] [ ^ - in a class", "{\"pattern\":"
	    "\"^[\\\\]\\\\[^-]+$\"}", "\"][^-\"", 1, "" },
	{ "negated class", "{\"pattern\":\"^[^\\\\d]+$\"}", "\"ab1\"", 0,
	    "(pattern)" },
	{ "literal braces", "{\"pattern\":\"^{a}$\"}", "\"{a}\"", 1, "" },
	{ "\\u escape", "{\"pattern\":\"^\\\\u00e9$\"}", "\"\\u00e9\"", 1,
	    "" },
	{ "quantified non-ASCII literal", "{\"pattern\":\"^\\u00e9+$\"}",
	    "\"\\u00e9\\u00e9\"", 1, "" },
	{ "dot takes a whole character", "{\"pattern\":\"^.$\"}",
	    "\"\\u20ac\"", 1, "" },
	{ "negated class takes a whole character",
	    "{\"pattern\":\"^[^a]\\\\D$\"}", "\"\\u00e9\\u20ac\"", 1, "" },
	{ "backreference", "{\"pattern\":\"^(a|b)\\\\1$\"}", "\"ab\"", 0,
	    "(pattern)" },
	{ "$ref into definitions", "{\"definitions\":{\"pos\":"
	    "{\"minimum\":1}},\"properties\":{\"n\":"
	    "{\"$ref\":\"#/definitions/pos\"}}}", "{\"n\":0}", 0,
	    "/n: must be >= 1" },
	{ "meta-schema $ref", "{\"$ref\":"
	    "\"http://json-schema.org/draft-07/schema#\"}",
	    "{\"minLength\":-1}", 0, "not a valid draft-07 schema" },
	{ "$ref cycle is capped", "{\"$ref\":\"#\"}", "1", -1, "deeper" },
	{ "cycle under not is still an error",
	    "{\"definitions\":{\"a\":{\"not\":{\"$ref\":\"#/definitions/a\"}}},"
	    "\"$ref\":\"#/definitions/a\"}", "1", -1, "deeper" },
	{ "remote $ref", "{\"$ref\":\"http://example.com/x\"}", "1", -1,
	    "not supported" },
	{ "malformed schema", "{\"minimum\":\"x\"}", "1", -1,
	    "invalid schema: /minimum: must be a number" },
};

static void
run_validate_cases(const char *locale)
{
	struct json_object *s, *x;
	char err[256];
	size_t i;
	int sok, xok, r;

	for (i = 0; i < NITEMS(validate_cases); i++) {
		s = parse(validate_cases[i].schema, &sok);
		x = parse(validate_cases[i].instance, &xok);
		r = jsonschema_validate(s, x, err, sizeof(err));
		if (!ok(sok && xok && r == validate_cases[i].expect &&
		    strstr(err, validate_cases[i].err) != NULL &&
		    (r != 1 || err[0] == '\0'), "validate (%s): %s", locale,
		    validate_cases[i].desc))
			diag("  got %d \"%s\", want %d \"%s\"", r, err,
			    validate_cases[i].expect, validate_cases[i].err);
		json_object_put(s);
		json_object_put(x);
	}
}

static void
run_unit_cases(void)
{
	struct json_object *s, *x, *deep, *o;
	char err[256], big[1024];
	const char *want;
	size_t i;
	int sok, xok, r;

	for (i = 0; i < NITEMS(check_cases); i++) {
		want = check_cases[i].err;
		s = parse(check_cases[i].schema, &sok);
		r = jsonschema_check(s, err, sizeof(err));
		if (!ok(sok && (want == NULL ? r == 0 && err[0] == '\0' :
		    r == -1 && strncmp(err, want, strlen(want)) == 0),
		    "check %s %s", want == NULL ? "accepts" : "rejects",
		    check_cases[i].desc))
			diag("  got %d \"%s\"", r, err);
		json_object_put(s);
	}
	run_validate_cases("C");

	/* Hostile nesting: 100 levels of "not" are refused, not recursed. */
	deep = json_object_new_object();
	for (i = 0; i < 100; i++) {
		o = json_object_new_object();
		json_object_object_add(o, "not", deep);
		deep = o;
	}
	r = jsonschema_check(deep, big, sizeof(big));
	ok(r == -1 && strstr(big, "deeper") != NULL,
	    "check refuses 100 nested schemas");
	ok(jsonschema_validate(deep, NULL, err, sizeof(err)) == -1,
	    "validate refuses 100 nested schemas");
	json_object_put(deep);

	/*
	 * A recursive schema must follow a deep (programmatically built)
	 * instance some way, then stop with -1 rather than exhaust the stack.
	 */
	s = parse("{\"type\":\"object\",\"properties\":{\"next\":"
	    "{\"$ref\":\"#\"}},\"additionalProperties\":false}", &sok);
	deep = o = json_object_new_object();
	for (i = 0; i < 1000; i++) {
		r = jsonschema_validate(s, deep, big, sizeof(big));
		if (r != 1)
			break;
		json_object_object_add(o, "next", json_object_new_object());
		json_object_object_get_ex(o, "next", &o);
	}
	ok(r == -1 && strstr(big, "deeper") != NULL && i > 32,
	    "recursive schema follows %zu levels of instance, then -1", i);
	json_object_put(deep);
	json_object_put(s);

	/* err is optional and always NUL-terminated when short. */
	s = parse("{\"properties\":{\"amount\":{\"maximum\":1}}}", &sok);
	x = parse("{\"amount\":2}", &xok);
	ok(jsonschema_validate(s, x, NULL, 0) == 0, "validate with err NULL");
	memset(err, 'x', sizeof(err));
	r = jsonschema_validate(s, x, err, 8);
	ok(r == 0 && strcmp(err, "/amount") == 0,
	    "err truncated to errlen and NUL-terminated");
	json_object_put(s);
	json_object_put(x);
}

enum support { REQUIRED, EXTRA, SKIPPED, INFO };

static const struct {
	const char	*file;
	enum support	 support;
	const char	*why;		/* why a file is skipped */
} suite_files[] = {
	{ "type.json", REQUIRED, NULL },
	{ "properties.json", REQUIRED, NULL },
	{ "required.json", REQUIRED, NULL },
	{ "additionalProperties.json", REQUIRED, NULL },
	{ "enum.json", REQUIRED, NULL },
	{ "const.json", REQUIRED, NULL },
	{ "minimum.json", REQUIRED, NULL },
	{ "maximum.json", REQUIRED, NULL },
	{ "exclusiveMinimum.json", REQUIRED, NULL },
	{ "exclusiveMaximum.json", REQUIRED, NULL },
	{ "multipleOf.json", REQUIRED, NULL },
	{ "minLength.json", REQUIRED, NULL },
	{ "maxLength.json", REQUIRED, NULL },
	{ "pattern.json", REQUIRED, NULL },
	{ "items.json", REQUIRED, NULL },
	{ "minItems.json", REQUIRED, NULL },
	{ "maxItems.json", REQUIRED, NULL },
	{ "uniqueItems.json", REQUIRED, NULL },
	{ "allOf.json", REQUIRED, NULL },
	{ "anyOf.json", REQUIRED, NULL },
	{ "oneOf.json", REQUIRED, NULL },
	{ "not.json", REQUIRED, NULL },
	{ "additionalItems.json", EXTRA, NULL },
	{ "boolean_schema.json", EXTRA, NULL },
	{ "contains.json", EXTRA, NULL },
	{ "minProperties.json", EXTRA, NULL },
	{ "maxProperties.json", EXTRA, NULL },
	{ "propertyNames.json", EXTRA, NULL },
	{ "patternProperties.json", EXTRA, NULL },
	{ "dependencies.json", EXTRA, NULL },
	{ "if-then-else.json", EXTRA, NULL },
	{ "default.json", EXTRA, NULL },
	{ "definitions.json", EXTRA, NULL },
	{ "ref.json", EXTRA, NULL },
	{ "refRemote.json", SKIPPED, "remote $ref not supported" },
};

struct tally {
	const char	*file;
	int		 pass, fail, unsupported, total;
};

/*
 * Runs every case of one suite file.  Outside REQUIRED files a case the
 * module declines with "not supported" is counted apart, not as a failure;
 * in REQUIRED files, and for any other error, it is a failure.  INFO files
 * (optional/) only report.
 */
static int
run_suite_file(const char *dir, const char *name, enum support support,
    struct tally *t)
{
	struct json_object *root, *group, *schema, *tests, *test, *data;
	const char *gdesc, *tdesc;
	char path[4096], err[512];
	size_t g, i;
	int r, valid;

	memset(t, 0, sizeof(*t));
	t->file = name;
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((root = json_object_from_file(path)) == NULL ||
	    !json_object_is_type(root, json_type_array)) {
		diag("cannot read %s: %s", path, json_util_get_last_err());
		json_object_put(root);
		return -1;
	}
	for (g = 0; g < json_object_array_length(root); g++) {
		group = json_object_array_get_idx(root, g);
		json_object_object_get_ex(group, "schema", &schema);
		json_object_object_get_ex(group, "tests", &tests);
		gdesc = json_object_get_string(json_object_object_get(group,
		    "description"));
		for (i = 0; i < json_object_array_length(tests); i++) {
			test = json_object_array_get_idx(tests, i);
			json_object_object_get_ex(test, "data", &data);
			valid = json_object_get_boolean(
			    json_object_object_get(test, "valid"));
			tdesc = json_object_get_string(
			    json_object_object_get(test, "description"));
			r = jsonschema_validate(schema, data, err, sizeof(err));
			t->total++;
			if (r == valid)
				t->pass++;
			else if (r == -1 && support != REQUIRED &&
			    strstr(err, "not supported") != NULL) {
				t->unsupported++;
				diag("  unsupported %s: %s / %s: %s", name,
				    gdesc, tdesc, err);
			} else {
				t->fail++;
				diag("  %s %s: %s / %s: want %s, got %d "
				    "\"%s\"; data %s",
				    support == INFO ? "miss" : "FAIL",
				    name, gdesc, tdesc,
				    valid ? "valid" : "invalid", r, err,
				    json_object_to_json_string_ext(data,
				    JSON_C_TO_STRING_PLAIN));
			}
		}
	}
	json_object_put(root);
	return 0;
}

static int
known_file(const char *name)
{
	size_t i;

	for (i = 0; i < NITEMS(suite_files); i++)
		if (strcmp(suite_files[i].file, name) == 0)
			return 1;
	return 0;
}

static int
is_json(const char *name)
{
	size_t n = strlen(name);

	return n > 5 && strcmp(name + n - 5, ".json") == 0;
}

/* optional/ is informational: diag lines only, no test points. */
static void
run_optional(const char *dir)
{
	char sub[4096];
	struct dirent *de;
	struct tally t;
	DIR *d;

	snprintf(sub, sizeof(sub), "%s/optional", dir);
	if ((d = opendir(sub)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (!is_json(de->d_name)) {
			diag("skipped draft7/optional/%s: format is an "
			    "annotation here, not asserted", de->d_name);
			continue;
		}
		if (run_suite_file(sub, de->d_name, INFO, &t) == 0)
			diag("optional draft7/optional/%s: %d/%d (not counted)",
			    de->d_name, t.pass, t.total);
	}
	closedir(d);
}

static void
run_suite(void)
{
	struct tally tallies[NITEMS(suite_files)], *t;
	struct dirent *de;
	struct stat st;
	const char *dir;
	size_t i, n = 0;
	DIR *d;
	int rc, pass = 0, total = 0;

	if ((dir = getenv("JSON_SCHEMA_TEST_SUITE")) == NULL || *dir == '\0')
		dir = SUITE_DEFAULT;
	if (stat(dir, &st) == -1 || !S_ISDIR(st.st_mode)) {
		ok(0, "JSON-Schema-Test-Suite draft7 not found at %s: install "
		    "the Debian package json-schema-test-suite or set "
		    "JSON_SCHEMA_TEST_SUITE", dir);
		return;
	}
	for (i = 0; i < NITEMS(suite_files); i++) {
		if (suite_files[i].support == SKIPPED) {
			diag("skipped draft7/%s: %s", suite_files[i].file,
			    suite_files[i].why);
			continue;
		}
		t = &tallies[n++];
		rc = run_suite_file(dir, suite_files[i].file,
		    suite_files[i].support, t);
		if (t->unsupported > 0)
			ok(rc == 0 && t->fail == 0 && t->pass > 0,
			    "suite draft7/%s: %d/%d (%d not supported)",
			    t->file, t->pass, t->total, t->unsupported);
		else
			ok(rc == 0 && t->fail == 0 && t->total > 0,
			    "suite draft7/%s: %d/%d", t->file, t->pass,
			    t->total);
	}
	/* A newer suite may add keywords; say so rather than ignore them. */
	if ((d = opendir(dir)) != NULL) {
		while ((de = readdir(d)) != NULL)
			if (is_json(de->d_name) && !known_file(de->d_name))
				diag("skipped draft7/%s: keyword not handled "
				    "by lib/jsonschema.c", de->d_name);
		closedir(d);
	}
	run_optional(dir);

	diag("%-28s %6s %6s %6s", "draft7 file", "pass", "total", "unsup");
	for (i = 0; i < n; i++) {
		diag("%-28s %6d %6d %6d", tallies[i].file, tallies[i].pass,
		    tallies[i].total, tallies[i].unsupported);
		pass += tallies[i].pass;
		total += tallies[i].total;
	}
	diag("%-28s %6d %6d", "all", pass, total);
}

int
main(void)
{
	run_unit_cases();
	run_suite();
	/*
	 * Patterns are translated differently when regexec() understands
	 * UTF-8, so the same expectations must hold in a UTF-8 locale.
	 */
	if (setlocale(LC_CTYPE, "C.UTF-8") != NULL)
		run_validate_cases("C.UTF-8");
	else
		diag("skipped the C.UTF-8 rerun: locale not available");
	return tap_done();
}
