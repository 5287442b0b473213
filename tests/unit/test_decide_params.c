/*
 * test_decide_params.c — the parameters of a decision (lib/decide_params.c,
 * doc/decisions.md): a table of schemas, one per keyword or shape, each run
 * with 25 seeds and every object returned checked with
 * jsonschema_validate(); the reasons given when no parameters can exist;
 * every schema of the JSON-Schema-Test-Suite (draft 7: the combinators,
 * $ref, if/then/else, ... far beyond what action types use), which must
 * give either valid parameters or a reason, never a crash; and learning: a rewarded enum value becomes the usual choice, and
 * decide_param_stats_add() keeps the shape the server stores.
 */
#include "config.h"

#include <sys/stat.h>

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decide.h"
#include "jsonschema.h"
#include "tap.h"

/* --------------------------------------------------------- parameters */

#define ABSENT	"(absent)"

/*
 * One row per schema keyword or shape. ok: parameters expected; key and
 * want: a property to look at and its expected JSON text (NULL: present
 * with any value, ABSENT: not there); errsub: part of the reason when no
 * parameters can exist. Each row runs with many seeds, and every object
 * returned is checked with jsonschema_validate().
 */
static const struct {
	const char	*desc, *schema;
	int		 ok;
	const char	*key, *want, *errsub;
} param_rows[] = {
	{ "no schema at all: {}", NULL, 1, "x", ABSENT, NULL },
	{ "empty schema: {}", "{}", 1, "x", ABSENT, NULL },
	{ "missing properties, nothing required", "{\"type\":\"object\"}", 1, "x", ABSENT, NULL },
	{ "required enum gets one of its values",
	  "{\"type\":\"object\",\"properties\":{\"tier\":{\"enum\":[\"gold\",\"silver\"]}},"
	  "\"required\":[\"tier\"]}", 1, "tier", NULL, NULL },
	{ "optional enum is filled (the schema offers values)",
	  "{\"properties\":{\"tier\":{\"type\":\"string\",\"enum\":[\"gold\"]}}}",
	  1, "tier", "\"gold\"", NULL },
	{ "const", "{\"properties\":{\"v\":{\"const\":3}},\"required\":[\"v\"]}", 1, "v", "3", NULL },
	{ "integer within minimum/maximum",
	  "{\"properties\":{\"points\":{\"type\":\"integer\",\"minimum\":10,\"maximum\":500}},"
	  "\"required\":[\"points\"]}", 1, "points", NULL, NULL },
	{ "integer with exclusive bounds",
	  "{\"properties\":{\"n\":{\"type\":\"integer\",\"exclusiveMinimum\":0,"
	  "\"exclusiveMaximum\":3}},\"required\":[\"n\"]}", 1, "n", NULL, NULL },
	{ "number, exclusive minimum, multipleOf 0.05",
	  "{\"properties\":{\"pct\":{\"type\":\"number\",\"exclusiveMinimum\":0,\"maximum\":0.5,"
	  "\"multipleOf\":0.05}},\"required\":[\"pct\"]}", 1, "pct", NULL, NULL },
	{ "integer multipleOf 25 from a minimum only",
	  "{\"properties\":{\"credit\":{\"type\":\"integer\",\"minimum\":10,\"multipleOf\":25}},"
	  "\"required\":[\"credit\"]}", 1, "credit", NULL, NULL },
	{ "optional integer with one bound is left out",
	  "{\"properties\":{\"uses\":{\"type\":\"integer\",\"minimum\":1}}}", 1, "uses", ABSENT, NULL },
	{ "optional bounded number is filled",
	  "{\"properties\":{\"days\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":30}}}",
	  1, "days", NULL, NULL },
	{ "integer range beyond int64 (levels as doubles, still integers)",
	  "{\"properties\":{\"big\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":1e20}},"
	  "\"required\":[\"big\"]}", 1, "big", NULL, NULL },
	{ "unbounded required number",
	  "{\"properties\":{\"n\":{\"type\":\"number\"}},\"required\":[\"n\"]}", 1, "n", "0", NULL },
	{ "no multiple of 5 between 1 and 3",
	  "{\"properties\":{\"n\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":3,"
	  "\"multipleOf\":5}},\"required\":[\"n\"]}", 0, NULL, NULL, "\"n\"" },
	{ "required boolean", "{\"properties\":{\"b\":{\"type\":\"boolean\"}},\"required\":[\"b\"]}",
	  1, "b", NULL, NULL },
	{ "optional boolean with a default takes it",
	  "{\"properties\":{\"notify\":{\"type\":\"boolean\",\"default\":false}}}",
	  1, "notify", "false", NULL },
	{ "optional boolean without default is left out",
	  "{\"properties\":{\"b\":{\"type\":\"boolean\"}}}", 1, "b", ABSENT, NULL },
	{ "required string within minLength/maxLength",
	  "{\"properties\":{\"code\":{\"type\":\"string\",\"minLength\":3,\"maxLength\":10}},"
	  "\"required\":[\"code\"]}", 1, "code", NULL, NULL },
	{ "required free string is empty",
	  "{\"properties\":{\"note\":{\"type\":\"string\"}},\"required\":[\"note\"]}",
	  1, "note", "\"\"", NULL },
	{ "optional string with default",
	  "{\"properties\":{\"channel\":{\"type\":\"string\",\"default\":\"email\"}}}",
	  1, "channel", "\"email\"", NULL },
	{ "optional string with examples takes one",
	  "{\"properties\":{\"tone\":{\"type\":\"string\",\"examples\":[\"warm\",\"brief\"]}}}",
	  1, "tone", NULL, NULL },
	{ "optional free string is left out",
	  "{\"properties\":{\"note\":{\"type\":\"string\"}}}", 1, "note", ABSENT, NULL },
	{ "pattern with a matching default",
	  "{\"properties\":{\"code\":{\"type\":\"string\",\"pattern\":\"^[A-Z]{4}$\","
	  "\"default\":\"SAVE\"}},\"required\":[\"code\"]}", 1, "code", "\"SAVE\"", NULL },
	{ "pattern no value can be made for",
	  "{\"properties\":{\"code\":{\"type\":\"string\",\"pattern\":\"^[A-Z]{4}$\"}},"
	  "\"required\":[\"code\"]}", 0, NULL, NULL, "pattern" },
	{ "additionalProperties false, only listed properties",
	  "{\"type\":\"object\",\"additionalProperties\":false,\"properties\":{\"a\":"
	  "{\"enum\":[1,2]}},\"required\":[\"a\"]}", 1, "a", NULL, NULL },
	{ "additionalProperties false with an unlisted required name",
	  "{\"type\":\"object\",\"required\":[\"a\"],\"additionalProperties\":false}",
	  0, NULL, NULL, "additionalProperties" },
	{ "required name described by additionalProperties",
	  "{\"required\":[\"k\"],\"additionalProperties\":{\"type\":\"integer\",\"minimum\":5,"
	  "\"maximum\":5}}", 1, "k", "5", NULL },
	{ "required without properties", "{\"required\":[\"anything\"]}", 1, "anything", NULL, NULL },
	{ "nested object recursed",
	  "{\"properties\":{\"o\":{\"type\":\"object\",\"properties\":{\"x\":{\"type\":\"integer\","
	  "\"minimum\":3,\"maximum\":4}},\"required\":[\"x\"]}},\"required\":[\"o\"]}",
	  1, "o", NULL, NULL },
	{ "optional nested object without default left out",
	  "{\"properties\":{\"o\":{\"type\":\"object\",\"properties\":{\"x\":{\"type\":\"integer\"}}}}}",
	  1, "o", ABSENT, NULL },
	{ "local $ref into definitions",
	  "{\"definitions\":{\"pct\":{\"type\":\"integer\",\"minimum\":5,\"maximum\":50,"
	  "\"multipleOf\":5}},\"properties\":{\"off\":{\"$ref\":\"#/definitions/pct\"}},"
	  "\"required\":[\"off\"]}", 1, "off", NULL, NULL },
	{ "type array [integer, null]",
	  "{\"properties\":{\"n\":{\"type\":[\"integer\",\"null\"],\"minimum\":1,\"maximum\":2}},"
	  "\"required\":[\"n\"]}", 1, "n", NULL, NULL },
	{ "required array of minItems from an enum",
	  "{\"properties\":{\"tags\":{\"type\":\"array\",\"minItems\":2,\"uniqueItems\":true,"
	  "\"items\":{\"enum\":[\"a\",\"b\",\"c\"]}}},\"required\":[\"tags\"]}", 1, "tags", NULL, NULL },
	{ "anyOf branches", "{\"properties\":{\"v\":{\"anyOf\":[{\"type\":\"string\","
	  "\"pattern\":\"^z+$\"},{\"type\":\"integer\",\"minimum\":7,\"maximum\":7}]}},"
	  "\"required\":[\"v\"]}", 1, "v", "7", NULL },
	{ "minProperties fills optional properties on the second pass",
	  "{\"minProperties\":2,\"properties\":{\"a\":{\"type\":\"boolean\"},\"b\":{\"type\":"
	  "\"string\"}}}", 1, "b", NULL, NULL },
	{ "not an object schema", "{\"type\":\"string\"}", 0, NULL, NULL, "object" },
	{ "the schema false", "false", 0, NULL, NULL, "false" },
	{ "malformed type and required arrays", "{\"type\":[\"object\",5],\"required\":[null,3],"
	  "\"properties\":{\"a\":{\"type\":[null],\"enum\":7,\"examples\":3,\"minLength\":\"x\"}}}",
	  0, NULL, NULL, "malformed" },
	{ "a malformed schema", "{\"properties\":{\"n\":{\"type\":\"integer\",\"minimum\":\"x\"}},"
	  "\"required\":[\"n\"]}", 0, NULL, NULL, "minimum" },
};

static void
test_params(void)
{
	struct json_object *schema, *p, *v;
	struct decide_rng g;
	char err[200], verr[200];
	const char *got;
	size_t r;
	int seed, good, shown;

	for (r = 0; r < sizeof param_rows / sizeof *param_rows; r++) {
		schema = param_rows[r].schema ? json_tokener_parse(param_rows[r].schema) : NULL;
		if (param_rows[r].schema != NULL && schema == NULL) {
			ok(0, "params: %s: the test's schema parses", param_rows[r].desc);
			continue;
		}
		good = 1;
		shown = 0;
		for (seed = 1; seed <= 25 && good; seed++) {
			decide_rng_seed(&g, (uint64_t)seed);
			err[0] = '\0';
			p = decide_params(schema, NULL, &g, err, sizeof err);
			if (!param_rows[r].ok) {
				good = p == NULL && err[0] != '\0' &&
				    strstr(err, param_rows[r].errsub) != NULL;
				if (!shown++)
					diag("%s: %s", param_rows[r].desc, err);
				json_object_put(p);
				continue;
			}
			if (p == NULL || (schema != NULL &&
			    jsonschema_validate(schema, p, verr, sizeof verr) != 1)) {
				diag("%s: %s %s", param_rows[r].desc, p ? verr : "NULL:", p ? "" : err);
				good = 0;
			} else if (param_rows[r].key != NULL) {
				v = NULL;
				got = json_object_object_get_ex(p, param_rows[r].key, &v) ?
				    json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN) : ABSENT;
				if (param_rows[r].want == NULL)
					good = strcmp(got, ABSENT) != 0;
				else
					good = strcmp(got, param_rows[r].want) == 0;
				if (!shown++ || !good)
					diag("%s: %s", param_rows[r].desc,
					    json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN));
			}
			json_object_put(p);
		}
		ok(good, "params: %s", param_rows[r].desc);
		json_object_put(schema);
	}
}

/* Rewarding one enum value makes it the usual choice. */
static void
test_param_learning(void)
{
	struct json_object *schema, *stats, *p, *v, *e;
	struct decide_rng g;
	char err[200];
	int i, before = 0, after = 0, numeric = 0;

	schema = json_tokener_parse("{\"type\":\"object\",\"properties\":{"
	    "\"offer\":{\"enum\":[\"points\",\"discount\",\"gift\",\"call\"]},"
	    "\"pct\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":40}},"
	    "\"required\":[\"offer\",\"pct\"]}");
	stats = json_object_new_object();
	decide_rng_seed(&g, 5);
	for (i = 0; i < 400; i++) {	/* nothing learned yet */
		p = decide_params(schema, stats, &g, err, sizeof err);
		json_object_object_get_ex(p, "offer", &v);
		before += strcmp(json_object_get_string(v), "gift") == 0;
		json_object_put(p);
	}
	for (i = 0; i < 400; i++) {
		p = decide_params(schema, stats, &g, err, sizeof err);
		if (p == NULL)
			break;
		json_object_object_get_ex(p, "offer", &v);
		/* The world: "gift" and 20% work, the rest does not. */
		decide_param_stats_add(stats, p, strcmp(json_object_get_string(v), "gift") == 0 ? 1 : 0);
		json_object_put(p);
	}
	for (i = 0; i < 200; i++) {
		p = decide_params(schema, stats, &g, err, sizeof err);
		json_object_object_get_ex(p, "offer", &v);
		after += strcmp(json_object_get_string(v), "gift") == 0;
		json_object_object_get_ex(p, "pct", &v);
		numeric += json_object_is_type(v, json_type_int);
		json_object_put(p);
	}
	diag("learned preference: \"gift\" chosen %d of 400 before any reward, %d of 200 after "
	    "400 rewarded rounds", before, after);
	ok(before > 60 && before < 140, "param learning: no preference before rewards (%d of 400)",
	    before);
	ok(after >= 180, "param learning: the rewarded value wins far more often (%d of 200)", after);
	ok(numeric == 200, "param learning: an integer property stays an integer");
	v = e = NULL;
	json_object_object_get_ex(stats, "offer", &v);
	ok(v != NULL && json_object_object_get_ex(v, "\"gift\"", &e) &&
	    json_object_is_type(e, json_type_array) && json_object_array_length(e) == 2 &&
	    json_object_get_double(json_object_array_get_idx(e, 0)) > 0 &&
	    json_object_get_double(json_object_array_get_idx(e, 1)) == 0,
	    "param stats: {\"offer\": {\"\\\"gift\\\"\": [succ, 0]}} (%s)",
	    json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
	json_object_put(stats);

	stats = json_object_new_object();
	p = json_tokener_parse("{\"n\":3,\"s\":\"x\"}");
	decide_param_stats_add(stats, p, 1);
	decide_param_stats_add(stats, p, 0.5);
	decide_param_stats_add(stats, p, -DECIDE_REJECT_PENALTY);
	ok(strcmp(json_object_to_json_string_ext(stats, JSON_C_TO_STRING_PLAIN),
	    "{\"n\":{\"3\":[1.5,2]},\"s\":{\"\\\"x\\\"\":[1.5,2]}}") == 0,
	    "param stats: completed + partial + rejected accumulate (%s)",
	    json_object_to_json_string_ext(stats, JSON_C_TO_STRING_PLAIN));
	decide_param_stats_add(NULL, p, 1);
	ok(1, "param stats: NULL stats is ignored");
	json_object_put(p);
	json_object_put(stats);
	json_object_put(schema);
}

/* The suite's directory: $JSON_SCHEMA_TEST_SUITE, as for test_jsonschema. */
#define SUITE_DEFAULT	"/usr/share/json-schema-test-suite/tests/draft7"

static void
test_suite_schemas(void)
{
	struct json_object *doc, *group, *schema, *p;
	struct decide_rng g;
	struct stat st;
	glob_t gl;
	char pat[512], err[300], verr[300];
	const char *dir;
	size_t f, i;
	int seed, total = 0, built = 0, invalid = 0, noreason = 0;

	if ((dir = getenv("JSON_SCHEMA_TEST_SUITE")) == NULL || *dir == '\0')
		dir = SUITE_DEFAULT;
	if (stat(dir, &st) == -1 || !S_ISDIR(st.st_mode)) {
		ok(0, "JSON-Schema-Test-Suite draft7 not found at %s: install the Debian package "
		    "json-schema-test-suite or set JSON_SCHEMA_TEST_SUITE", dir);
		return;
	}
	snprintf(pat, sizeof pat, "%s/*.json", dir);
	if (glob(pat, 0, NULL, &gl) != 0) {
		ok(0, "suite schemas: no files match %s", pat);
		return;
	}
	decide_rng_seed(&g, 3);
	for (f = 0; f < gl.gl_pathc; f++) {
		if ((doc = json_object_from_file(gl.gl_pathv[f])) == NULL)
			continue;
		for (i = 0; i < json_object_array_length(doc); i++) {
			group = json_object_array_get_idx(doc, i);
			if (!json_object_object_get_ex(group, "schema", &schema))
				continue;
			for (seed = 0; seed < 5; seed++) {
				total++;
				err[0] = '\0';
				p = decide_params(schema, NULL, &g, err, sizeof err);
				if (p == NULL) {
					noreason += err[0] == '\0';
					continue;
				}
				built++;
				if (jsonschema_validate(schema, p, verr, sizeof verr) != 1) {
					invalid++;
					diag("%s: %s gave %s: %s", gl.gl_pathv[f],
					    json_object_to_json_string_ext(schema, JSON_C_TO_STRING_PLAIN),
					    json_object_to_json_string_ext(p, JSON_C_TO_STRING_PLAIN), verr);
				}
				json_object_put(p);
			}
		}
		json_object_put(doc);
	}
	globfree(&gl);
	diag("JSON-Schema-Test-Suite draft7: %d schema runs, %d gave parameters, %d a reason",
	    total, built, total - built);
	ok(total > 500 && built > total / 2, "suite schemas: parameters for most of %d runs (%d)",
	    total, built);
	ok(invalid == 0, "suite schemas: every object returned validates (%d did not)", invalid);
	ok(noreason == 0, "suite schemas: every refusal gives a reason (%d did not)", noreason);
}

int
main(void)
{
	test_params();
	test_suite_schemas();
	test_param_learning();
	return tap_done();
}
