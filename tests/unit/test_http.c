/* test_http.c — route matching, query decoding and the JSON body parser. */
#include "config.h"

#include <string.h>

#include "http.h"
#include "tap.h"

static const struct {
	const char *desc, *pattern, *path;
	int match;
	const char *p0, *p1;
} match_rows[] = {
	{ "literal path", "/api/keys", "/api/keys", 1, NULL, NULL },
	{ "literal mismatch", "/api/keys", "/api/key", 0, NULL, NULL },
	{ "longer path", "/api/keys", "/api/keys/x", 0, NULL, NULL },
	{ "one param", "/api/keys/:id", "/api/keys/key_abc", 1, "key_abc", NULL },
	{ "empty param segment", "/api/keys/:id", "/api/keys/", 0, NULL, NULL },
	{ "param then literal", "/api/external/actions/:id/outcome",
	    "/api/external/actions/ea_1/outcome", 1, "ea_1", NULL },
	{ "param then wrong literal", "/api/external/actions/:id/outcome",
	    "/api/external/actions/ea_1/outcomes", 0, NULL, NULL },
	{ "two params", "/api/a/:x/b/:y", "/api/a/1/b/2", 1, "1", "2" },
	{ "prefix is not a match", "/api/keysx", "/api/keys", 0, NULL, NULL },
	{ "root", "/", "/", 1, NULL, NULL },
};

static void
test_match(void)
{
	size_t i;
	const char *params[HTTP_MAX_PARAMS];
	char scratch[256];
	int m;

	for (i = 0; i < sizeof(match_rows) / sizeof(match_rows[0]); i++) {
		memset(params, 0, sizeof(params));
		m = http_match(match_rows[i].pattern, match_rows[i].path, params, scratch,
		    sizeof(scratch));
		ok(m == match_rows[i].match &&
		    (!m || !match_rows[i].p0 || strcmp(params[0], match_rows[i].p0) == 0) &&
		    (!m || !match_rows[i].p1 || strcmp(params[1], match_rows[i].p1) == 0),
		    "match: %s", match_rows[i].desc);
	}
}

static const char *
qget(struct json_object *o, const char *k)
{
	struct json_object *v;

	return json_object_object_get_ex(o, k, &v) ? json_object_get_string(v) : NULL;
}

static void
test_query(void)
{
	struct json_object *q;

	q = http_parse_query("provider=smile-io&domain=loyalty&active=true");
	ok(q && strcmp(qget(q, "provider"), "smile-io") == 0 && strcmp(qget(q, "active"), "true") == 0,
	    "query: plain pairs");
	json_object_put(q);
	q = http_parse_query("since=2026-04-25T00%3A00%3A00Z&name=a+b");
	ok(q && strcmp(qget(q, "since"), "2026-04-25T00:00:00Z") == 0 &&
	    strcmp(qget(q, "name"), "a b") == 0, "query: percent and plus decoding");
	json_object_put(q);
	q = http_parse_query("a=1&a=2");
	ok(q && strcmp(qget(q, "a"), "1") == 0, "query: first of repeated keys wins");
	json_object_put(q);
	q = http_parse_query("bad=%zz&nul=%00&ok=1");
	ok(q && qget(q, "bad") == NULL && qget(q, "nul") == NULL && qget(q, "ok") != NULL,
	    "query: bad escapes and NUL bytes are dropped");
	json_object_put(q);
	q = http_parse_query(NULL);
	ok(q && json_object_object_length(q) == 0, "query: none is an empty object");
	json_object_put(q);
	q = http_parse_query("flag");
	ok(q && qget(q, "flag") && strcmp(qget(q, "flag"), "") == 0, "query: key without value");
	json_object_put(q);
}

static const struct {
	const char *desc, *body;
	int valid;
} json_rows[] = {
	{ "object", "{\"a\":1}", 1 },
	{ "whitespace around", "  {\"a\":[1,2]}\n", 1 },
	{ "truncated", "{\"a\":1", 0 },
	{ "trailing garbage", "{\"a\":1} x", 0 },
	{ "two documents", "{}{}", 0 },
	{ "single quotes", "{'a':1}", 0 },
	{ "empty", "", 0 },
	{ "array is valid JSON", "[1]", 1 },
};

static void
test_json(void)
{
	size_t i;
	char err[160], deep[200];
	struct json_object *o;

	for (i = 0; i < sizeof(json_rows) / sizeof(json_rows[0]); i++) {
		o = http_parse_json(json_rows[i].body, strlen(json_rows[i].body), err, sizeof(err));
		ok((o != NULL || (json_rows[i].valid == 0 && strstr(err, "malformed JSON"))) &&
		    (o != NULL) == json_rows[i].valid, "json: %s", json_rows[i].desc);
		json_object_put(o);
	}
	/* 40 nested arrays pass the 32-level cap. */
	memset(deep, '[', 40);
	memset(deep + 40, ']', 40);
	deep[80] = '\0';
	o = http_parse_json(deep, strlen(deep), err, sizeof(err));
	ok(o == NULL, "json: nesting past %d levels is refused (%s)", HTTP_MAX_DEPTH, err);
	json_object_put(o);
	memset(deep, '[', 20);
	memset(deep + 20, ']', 20);
	deep[40] = '\0';
	o = http_parse_json(deep, strlen(deep), err, sizeof(err));
	ok(o != NULL, "json: 20 levels are fine");
	json_object_put(o);
}

int
main(void)
{
	test_match();
	test_query();
	test_json();
	return tap_done();
}
