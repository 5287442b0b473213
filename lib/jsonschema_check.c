/*
 * jsonschema_check.c — the schema side of lib/jsonschema.c: checks that a
 * schema is well-formed draft-07 and resolves local "$ref"s.  It also holds
 * what checking and validation share: the context with its JSON pointer
 * path and error reporting, and exact comparison of JSON numbers.  Patterns
 * are translated and compiled by jsonschema_regex.c.
 *
 * Validation runs the checker first, so the validator may rely on every
 * keyword it reads having the right JSON type.
 */
#include "config.h"

#include <sys/types.h>

#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonschema.h"
#include "jsonschema_int.h"
#include "names.h"

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

typedef struct json_object jobj;

/* json_object_get_string() is not const-qualified; it only reads strings. */
const char *
js_str(const jobj *o)
{
	return json_object_get_string((jobj *)(uintptr_t)o);
}

void
js_ctxinit(struct js_ctx *c, const jobj *root, char *err, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	c->root = root;
	c->err = err;
	c->errlen = errlen;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
}

/* Writes "<path>: <message>" into the caller's buffer, if there is one. */
void
js_vseterr(struct js_ctx *c, const char *fmt, va_list ap)
{
	int n;

	if (c->err == NULL || c->errlen == 0)
		return;
	n = snprintf(c->err, c->errlen, "%s: ", c->pathlen ? c->path : "/");
	if (n >= 0 && (size_t)n < c->errlen)
		vsnprintf(c->err + n, c->errlen - n, fmt, ap);
}

/* A schema problem: returns -1 and always reports, even when quiet. */
int
js_bad(struct js_ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	js_vseterr(c, fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * Appends one escaped JSON pointer token and returns the length to pop
 * back to.  A path too long for the buffer is cut, never overflowed.
 */
size_t
js_push(struct js_ctx *c, const char *key)
{
	size_t old = c->pathlen, n = c->pathlen, need;
	const char *p, *esc;

	if (n + 2 > sizeof(c->path))
		return old;
	c->path[n++] = '/';
	for (p = key; *p != '\0'; p++) {
		esc = *p == '~' ? "~0" : *p == '/' ? "~1" : NULL;
		need = esc != NULL ? 2 : 1;
		if (n + need + 1 > sizeof(c->path))
			break;
		memcpy(c->path + n, esc != NULL ? esc : p, need);
		n += need;
	}
	c->path[n] = '\0';
	c->pathlen = n;
	return old;
}

size_t
js_pushidx(struct js_ctx *c, size_t i)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%zu", i);
	return js_push(c, buf);
}

void
js_pop(struct js_ctx *c, size_t old)
{
	c->pathlen = old;
	c->path[old] = '\0';
}

int
js_getnum(const jobj *o, struct js_num *n)
{
	switch (json_object_get_type(o)) {
	case json_type_int:
		n->kind = JS_INT;
		n->i = json_object_get_int64(o);
		n->u = 0;
		if (n->i == INT64_MAX &&
		    (n->u = json_object_get_uint64(o)) > INT64_MAX)
			n->kind = JS_UINT;
		n->d = n->kind == JS_UINT ? (double)n->u : (double)n->i;
		return 1;
	case json_type_double:
		n->kind = JS_DBL;
		n->d = json_object_get_double(o);
		return 1;
	default:
		return 0;
	}
}

/* Draft-07 counts 1.0 as an integer. */
int
js_num_isint(const struct js_num *n)
{
	return n->kind != JS_DBL || (isfinite(n->d) && n->d == trunc(n->d));
}

/* Compares integer a with double d exactly; NaN compares as unequal. */
static int
cmp_int_dbl(const struct js_num *a, double d)
{
	double t;

	if (isnan(d))
		return 1;
	if (d >= 18446744073709551616.0)
		return -1;
	if (d < -9223372036854775808.0)
		return 1;
	t = trunc(d);
	if (t < 9223372036854775808.0) {
		if (a->kind == JS_UINT)
			return 1;
		if (a->i != (int64_t)t)
			return a->i < (int64_t)t ? -1 : 1;
	} else {
		if (a->kind == JS_INT)
			return -1;
		if (a->u != (uint64_t)t)
			return a->u < (uint64_t)t ? -1 : 1;
	}
	/* Equal integer parts: the fraction of d decides. */
	return t < d ? -1 : t > d ? 1 : 0;
}

int
js_num_cmp(const struct js_num *a, const struct js_num *b)
{
	if (a->kind == JS_DBL && b->kind == JS_DBL)
		return a->d < b->d ? -1 : a->d == b->d ? 0 : 1;
	if (a->kind == JS_DBL)
		return -cmp_int_dbl(b, a->d);
	if (b->kind == JS_DBL)
		return cmp_int_dbl(a, b->d);
	if (a->kind != b->kind)
		return a->kind == JS_UINT ? 1 : -1;
	if (a->kind == JS_UINT)
		return a->u < b->u ? -1 : a->u > b->u;
	return a->i < b->i ? -1 : a->i > b->i;
}

/* The value of n hex digits at s, or -1. */
long
js_hexn(const char *s, int n)
{
	long v = 0;
	int i, ch;

	for (i = 0; i < n; i++) {
		ch = (unsigned char)s[i];
		if (ch >= '0' && ch <= '9')
			v = v * 16 + ch - '0';
		else if ((ch | 0x20) >= 'a' && (ch | 0x20) <= 'f')
			v = v * 16 + (ch | 0x20) - 'a' + 10;
		else
			return -1;
	}
	return v;
}

int
js_is_metaschema(const char *ref)
{
	return strcmp(ref, "http://json-schema.org/draft-07/schema#") == 0 ||
	    strcmp(ref, "http://json-schema.org/draft-07/schema") == 0;
}

/*
 * Resolves a local reference: "#" or a %-encoded JSON pointer fragment.
 * Plain-name fragments ("#foo") need "$id" support and do not resolve.
 */
int
js_resolve_ref(const jobj *root, const char *ref, const jobj **out)
{
	char frag[JS_PATHMAX], tok[JS_PATHMAX];
	const char *p;
	const jobj *cur = root;
	jobj *next;
	size_t n = 0, t, idx;
	long h;

	if (ref[0] != '#')
		return -1;
	/* RFC 6901 section 6: %-decode first, then split on '/'. */
	for (p = ref + 1; *p != '\0'; p++) {
		if (n + 1 >= sizeof(frag))
			return -1;
		if (*p == '%' && (h = js_hexn(p + 1, 2)) > 0) {
			frag[n++] = (char)h;
			p += 2;
		} else
			frag[n++] = *p;
	}
	frag[n] = '\0';
	if (n > 0 && frag[0] != '/')
		return -1;
	for (p = frag; *p == '/'; cur = next) {
		for (p++, t = 0; *p != '\0' && *p != '/'; t++) {
			if (*p == '~' && (p[1] == '0' || p[1] == '1')) {
				tok[t] = p[1] == '0' ? '~' : '/';
				p += 2;
			} else if (*p == '~')
				return -1;
			else
				tok[t] = *p++;
		}
		tok[t] = '\0';
		if (json_object_is_type(cur, json_type_object)) {
			if (!json_object_object_get_ex(cur, tok, &next))
				return -1;
		} else if (json_object_is_type(cur, json_type_array)) {
			/* Canonical decimal indexes only: "0", "17". */
			if (t == 0 || t > 9 || strspn(tok, "0123456789") != t ||
			    (t > 1 && tok[0] == '0') || (idx = strtoul(tok,
			    NULL, 10)) >= json_object_array_length(cur))
				return -1;
			next = json_object_array_get_idx(cur, idx);
		} else
			return -1;
	}
	*out = cur;
	return 0;
}

static int	ck_schema(struct js_ctx *, const jobj *);

/*
 * Keyword checkers take the keyword table's argument: a json_type for
 * ck_is(), a NUM_* constraint for ck_number(), MAP_* flags for ck_map().
 */
enum { NUM_ANY, NUM_COUNT, NUM_POSITIVE };
#define MAP_PATTERNS	0x1	/* keys are regular expressions */
#define MAP_DEPS	0x2	/* values may be string lists */

/* Reports msg at item i of the array being checked. */
static int
badidx(struct js_ctx *c, size_t i, const char *msg)
{
	size_t old;

	old = js_pushidx(c, i);
	js_bad(c, "%s", msg);
	js_pop(c, old);
	return -1;
}

static int
ck_sub(struct js_ctx *c, const jobj *v, int arg)
{
	return ck_schema(c, v);
}

static int
ck_is(struct js_ctx *c, const jobj *v, int type)
{
	if (json_object_is_type(v, (enum json_type)type))
		return 0;
	return js_bad(c, "must be of JSON type %s",
	    json_type_to_name((enum json_type)type));
}

static int
ck_number(struct js_ctx *c, const jobj *v, int what)
{
	struct js_num n, zero = { JS_INT, 0, 0, 0 };

	if (!js_getnum(v, &n))
		return js_bad(c, "must be a number");
	if (what == NUM_COUNT && (!js_num_isint(&n) ||
	    js_num_cmp(&n, &zero) < 0))
		return js_bad(c, "must be a non-negative integer");
	if (what == NUM_POSITIVE && js_num_cmp(&n, &zero) <= 0)
		return js_bad(c, "must be a number greater than 0");
	return 0;
}

/* An array of unique strings ("required", "dependencies" lists). */
static int
ck_strings(struct js_ctx *c, const jobj *v, int arg)
{
	const jobj *e;
	size_t i, j, n;

	if (!json_object_is_type(v, json_type_array))
		return js_bad(c, "must be an array of strings");
	n = json_object_array_length(v);
	for (i = 0; i < n; i++) {
		e = json_object_array_get_idx(v, i);
		if (!json_object_is_type(e, json_type_string))
			return badidx(c, i, "must be a string");
		for (j = 0; j < i; j++)
			if (strcmp(js_str(e), js_str(
			    json_object_array_get_idx(v, j))) == 0)
				return badidx(c, i, "repeats an earlier item");
	}
	return 0;
}

static int
typename_ok(const jobj *v)
{
	static const char *const names[] = { "array", "boolean", "integer",
	    "null", "number", "object", "string" };

	return json_object_is_type(v, json_type_string) &&
	    names_index(names, NITEMS(names), js_str(v)) >= 0;
}

static int
ck_type(struct js_ctx *c, const jobj *v, int arg)
{
	size_t i, n;

	if (json_object_is_type(v, json_type_string)) {
		if (typename_ok(v))
			return 0;
		return js_bad(c, "unknown type \"%s\"", js_str(v));
	}
	if (!json_object_is_type(v, json_type_array) ||
	    (n = json_object_array_length(v)) == 0)
		return js_bad(c, "must be a type name or a non-empty array "
		    "of them");
	if (ck_strings(c, v, 0) == -1)
		return -1;
	for (i = 0; i < n; i++)
		if (!typename_ok(json_object_array_get_idx(v, i)))
			return badidx(c, i, "unknown type name");
	return 0;
}

static int
ck_regex(struct js_ctx *c, const char *pat)
{
	regex_t re;
	char why[128];

	if (js_re_compile(&re, pat, why, sizeof(why)) == -1)
		return js_bad(c, "bad regular expression: %s", why);
	regfree(&re);
	return 0;
}

static int
ck_pattern(struct js_ctx *c, const jobj *v, int arg)
{
	if (!json_object_is_type(v, json_type_string))
		return js_bad(c, "must be a string");
	return ck_regex(c, js_str(v));
}

/* A non-empty array of schemas (allOf, anyOf, oneOf). */
static int
ck_schemas(struct js_ctx *c, const jobj *v, int arg)
{
	size_t i, n, old;
	int r = 0;

	if (!json_object_is_type(v, json_type_array) ||
	    (n = json_object_array_length(v)) == 0)
		return js_bad(c, "must be a non-empty array of schemas");
	for (i = 0; r == 0 && i < n; i++) {
		old = js_pushidx(c, i);
		r = ck_schema(c, json_object_array_get_idx(v, i));
		js_pop(c, old);
	}
	return r;
}

static int
ck_items(struct js_ctx *c, const jobj *v, int arg)
{
	if (json_object_is_type(v, json_type_array))
		return ck_schemas(c, v, 0);
	return ck_schema(c, v);
}

/* An object of schemas ("properties", "definitions", ...). */
static int
ck_map(struct js_ctx *c, const jobj *v, int flags)
{
	struct json_object_iter it;
	size_t old;
	int r = 0;

	if (!json_object_is_type(v, json_type_object))
		return js_bad(c, "must be an object");
	json_object_object_foreachC(v, it) {
		old = js_push(c, it.key);
		if (flags & MAP_PATTERNS)
			r = ck_regex(c, it.key);
		if (r == 0 && (flags & MAP_DEPS) &&
		    json_object_is_type(it.val, json_type_array))
			r = ck_strings(c, it.val, 0);
		else if (r == 0)
			r = ck_schema(c, it.val);
		js_pop(c, old);
		if (r != 0)
			return r;
	}
	return 0;
}

static int
ck_ref(struct js_ctx *c, const jobj *v, int arg)
{
	const char *ref;
	const jobj *t;

	if (!json_object_is_type(v, json_type_string))
		return js_bad(c, "must be a string");
	if (js_is_metaschema(ref = js_str(v)))
		return 0;
	if (ref[0] != '#')
		return js_bad(c, "\"%s\" is not supported: only \"#...\" "
		    "references within the same schema are", ref);
	if (js_resolve_ref(c->root, ref, &t) == -1)
		return js_bad(c, "\"%s\" does not resolve within this schema",
		    ref);
	if (!json_object_is_type(t, json_type_object) &&
	    !json_object_is_type(t, json_type_boolean))
		return js_bad(c, "\"%s\" does not point at a schema", ref);
	return 0;
}

/* Every keyword with a constrained value; "const" and "default" take any. */
static const struct {
	const char	*name;
	int		(*fn)(struct js_ctx *, const jobj *, int);
	int		 arg;
} keywords[] = {
	{ "$id", ck_is, json_type_string },
	{ "$schema", ck_is, json_type_string },
	{ "$ref", ck_ref, 0 },
	{ "$comment", ck_is, json_type_string },
	{ "title", ck_is, json_type_string },
	{ "description", ck_is, json_type_string },
	{ "readOnly", ck_is, json_type_boolean },
	{ "examples", ck_is, json_type_array },
	{ "multipleOf", ck_number, NUM_POSITIVE },
	{ "maximum", ck_number, NUM_ANY },
	{ "exclusiveMaximum", ck_number, NUM_ANY },
	{ "minimum", ck_number, NUM_ANY },
	{ "exclusiveMinimum", ck_number, NUM_ANY },
	{ "maxLength", ck_number, NUM_COUNT },
	{ "minLength", ck_number, NUM_COUNT },
	{ "pattern", ck_pattern, 0 },
	{ "additionalItems", ck_sub, 0 },
	{ "items", ck_items, 0 },
	{ "maxItems", ck_number, NUM_COUNT },
	{ "minItems", ck_number, NUM_COUNT },
	{ "uniqueItems", ck_is, json_type_boolean },
	{ "contains", ck_sub, 0 },
	{ "maxProperties", ck_number, NUM_COUNT },
	{ "minProperties", ck_number, NUM_COUNT },
	{ "required", ck_strings, 0 },
	{ "additionalProperties", ck_sub, 0 },
	{ "definitions", ck_map, 0 },
	{ "properties", ck_map, 0 },
	{ "patternProperties", ck_map, MAP_PATTERNS },
	{ "dependencies", ck_map, MAP_DEPS },
	{ "propertyNames", ck_sub, 0 },
	{ "enum", ck_is, json_type_array },
	{ "type", ck_type, 0 },
	{ "format", ck_is, json_type_string },
	{ "contentMediaType", ck_is, json_type_string },
	{ "contentEncoding", ck_is, json_type_string },
	{ "if", ck_sub, 0 },
	{ "then", ck_sub, 0 },
	{ "else", ck_sub, 0 },
	{ "allOf", ck_schemas, 0 },
	{ "anyOf", ck_schemas, 0 },
	{ "oneOf", ck_schemas, 0 },
	{ "not", ck_sub, 0 },
};

static int
ck_schema(struct js_ctx *c, const jobj *s)
{
	jobj *v;
	size_t i, old;
	int r = 0;

	if (json_object_is_type(s, json_type_boolean))
		return 0;
	if (!json_object_is_type(s, json_type_object))
		return js_bad(c, "a schema must be an object or a boolean");
	if (c->depth >= JS_MAXDEPTH)
		return js_bad(c, "schema nested deeper than %d levels",
		    JS_MAXDEPTH);
	c->depth++;
	for (i = 0; r == 0 && i < NITEMS(keywords); i++) {
		if (!json_object_object_get_ex(s, keywords[i].name, &v))
			continue;
		old = js_push(c, keywords[i].name);
		r = keywords[i].fn(c, v, keywords[i].arg);
		js_pop(c, old);
	}
	c->depth--;
	return r;
}

int
jsonschema_check(const struct json_object *schema, char *err, size_t errlen)
{
	struct js_ctx c;

	js_ctxinit(&c, schema, err, errlen);
	return ck_schema(&c, schema) == 0 ? 0 : -1;
}
