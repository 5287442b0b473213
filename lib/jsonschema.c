/*
 * jsonschema.c — JSON Schema draft-07 validation of json-c trees.
 *
 * Validation stops at the first failure so that the message names one
 * concrete instance location.  Branches that are expected to fail (anyOf,
 * oneOf, not, if, contains, propertyNames) run "quiet" and the keyword then
 * reports a summary.  Schema checking, "$ref" resolution, the shared
 * context and number comparison live in jsonschema_check.c, regex
 * translation in jsonschema_regex.c; every validation runs the checker
 * first, so the code below may trust the type of each keyword's value.
 */
#include "config.h"

#include <sys/types.h>

#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonschema.h"
#include "jsonschema_int.h"

typedef struct json_object jobj;

static int	v_schema(struct js_ctx *, const jobj *, const jobj *);

/* An instance failure: returns 0, reported only outside quiet branches. */
__attribute__((format(printf, 2, 3)))
static int
fail(struct js_ctx *c, const char *fmt, ...)
{
	va_list ap;

	if (c->quiet == 0) {
		va_start(ap, fmt);
		js_vseterr(c, fmt, ap);
		va_end(ap);
	}
	return 0;
}

/* An instance failure at member key of the current location. */
__attribute__((format(printf, 3, 4)))
static int
fail_at(struct js_ctx *c, const char *key, const char *fmt, ...)
{
	va_list ap;
	size_t old;

	old = js_push(c, key);
	if (c->quiet == 0) {
		va_start(ap, fmt);
		js_vseterr(c, fmt, ap);
		va_end(ap);
	}
	js_pop(c, old);
	return 0;
}

/* The shortest "%g" that reads back as the same double, for messages. */
static const char *
fmtnum(const jobj *o, char *buf, size_t len)
{
	struct js_num n;
	int prec;

	js_getnum(o, &n);
	if (n.kind == JS_INT)
		snprintf(buf, len, "%" PRId64, n.i);
	else if (n.kind == JS_UINT)
		snprintf(buf, len, "%" PRIu64, n.u);
	else
		for (prec = 1; prec <= 17; prec++) {
			snprintf(buf, len, "%.*g", prec, n.d);
			if (strtod(buf, NULL) == n.d)
				break;
		}
	return buf;
}

static int
is_multiple(const struct js_num *x, const struct js_num *m)
{
	uint64_t ax, am;
	double q;

	if (x->kind != JS_DBL && m->kind != JS_DBL) {
		ax = x->kind == JS_UINT ? x->u : x->i < 0 ?
		    0 - (uint64_t)x->i : (uint64_t)x->i;
		am = m->kind == JS_UINT ? m->u : (uint64_t)m->i;
		return am != 0 && ax % am == 0;
	}
	/*
	 * x and m are each within half an ulp of the decimals they were
	 * parsed from, so q is within ~1.5 ulp of the true quotient: a
	 * 16-ulp tolerance accepts 0.0075/0.0001 and still rejects 75.1 or
	 * 1e-20/1.  An overflowing quotient (1e308/0.123456789) gives
	 * inf - inf = NaN, i.e. not a multiple.
	 */
	q = x->d / m->d;
	return fabs(q - round(q)) <= 16 * DBL_EPSILON * fabs(q);
}

/* Deep JSON equality: 1 == 1.0, but true != 1 and false != 0. */
static int
jequal(const jobj *a, const jobj *b)
{
	struct json_object_iter it;
	struct js_num na, nb;
	size_t i, n;
	jobj *bv;

	if (js_getnum(a, &na) && js_getnum(b, &nb))
		return js_num_cmp(&na, &nb) == 0;
	if (json_object_get_type(a) != json_object_get_type(b))
		return 0;
	switch (json_object_get_type(a)) {
	case json_type_null:
		return 1;
	case json_type_boolean:
		return !json_object_get_boolean(a) ==
		    !json_object_get_boolean(b);
	case json_type_string:
		return json_object_get_string_len(a) ==
		    json_object_get_string_len(b) && memcmp(js_str(a),
		    js_str(b), json_object_get_string_len(a)) == 0;
	case json_type_array:
		if ((n = json_object_array_length(a)) !=
		    json_object_array_length(b))
			return 0;
		for (i = 0; i < n; i++)
			if (!jequal(json_object_array_get_idx(a, i),
			    json_object_array_get_idx(b, i)))
				return 0;
		return 1;
	case json_type_object:
		if (json_object_object_length(a) !=
		    json_object_object_length(b))
			return 0;
		json_object_object_foreachC(a, it)
			if (!json_object_object_get_ex(b, it.key, &bv) ||
			    !jequal(it.val, bv))
				return 0;
		return 1;
	default:
		return 0;
	}
}

static const jobj *
kw(const jobj *s, const char *key)
{
	jobj *v;

	return json_object_object_get_ex(s, key, &v) ? v : NULL;
}

static int
isfalse(const jobj *s)
{
	return json_object_is_type(s, json_type_boolean) &&
	    !json_object_get_boolean(s);
}

/* A count keyword ("minLength", ...) as uint64; absent means no limit. */
static int
kwcount(const jobj *s, const char *key, uint64_t *out)
{
	struct js_num n;
	jobj *v;

	if (!json_object_object_get_ex(s, key, &v) || !js_getnum(v, &n))
		return 0;
	if (n.kind == JS_DBL)
		*out = n.d >= 18446744073709551615.0 ? UINT64_MAX :
		    (uint64_t)n.d;
	else
		*out = n.kind == JS_UINT ? n.u : (uint64_t)n.i;
	return 1;
}

/* Validates x against s with x's location pushed as key (or index). */
static int
v_child(struct js_ctx *c, const jobj *s, const jobj *x, const char *key,
    size_t idx)
{
	size_t old;
	int r;

	old = key != NULL ? js_push(c, key) : js_pushidx(c, idx);
	r = v_schema(c, s, x);
	js_pop(c, old);
	return r;
}

static int
type_is(const char *name, const jobj *x)
{
	struct js_num n;

	if (strcmp(name, "number") == 0)
		return js_getnum(x, &n);
	if (strcmp(name, "integer") == 0)
		return js_getnum(x, &n) && js_num_isint(&n);
	return strcmp(name, json_type_to_name(json_object_get_type(x))) == 0;
}

static int
v_generic(struct js_ctx *c, const jobj *s, const jobj *x)
{
	const jobj *t, *e;
	char names[96];
	size_t i, n, len;

	if ((t = kw(s, "type")) != NULL && json_object_is_type(t,
	    json_type_string) && !type_is(js_str(t), x))
		return fail(c, "must be of type %s (type)", js_str(t));
	if (t != NULL && json_object_is_type(t, json_type_array)) {
		n = json_object_array_length(t);
		for (i = 0, len = 0, names[0] = '\0'; i < n; i++) {
			e = json_object_array_get_idx(t, i);
			if (type_is(js_str(e), x))
				break;
			/* Seven names of at most 7 letters always fit. */
			len += snprintf(names + len, sizeof(names) - len,
			    "%s%s", i > 0 ? " or " : "", js_str(e));
		}
		if (i == n)
			return fail(c, "must be of type %s (type)", names);
	}
	if ((e = kw(s, "enum")) != NULL) {
		n = json_object_array_length(e);
		for (i = 0; i < n; i++)
			if (jequal(json_object_array_get_idx(e, i), x))
				break;
		if (i == n)
			return fail(c, "must be one of the allowed values "
			    "(enum)");
	}
	if (json_object_object_get_ex(s, "const", NULL) &&
	    !jequal(kw(s, "const"), x))
		return fail(c, "must equal the constant value (const)");
	return 1;
}

static int
v_number(struct js_ctx *c, const jobj *s, const jobj *x)
{
	static const struct {
		const char	*name, *op;
		int		 lo, hi;	/* allowed range of cmp(x, v) */
	} limits[] = {
		{ "maximum", "<=", -1, 0 },
		{ "exclusiveMaximum", "<", -1, -1 },
		{ "minimum", ">=", 0, 1 },
		{ "exclusiveMinimum", ">", 1, 1 },
	};
	struct js_num nx, nv;
	const jobj *v;
	char buf[32];
	size_t i;
	int cmp;

	if (!js_getnum(x, &nx))
		return 1;
	if ((v = kw(s, "multipleOf")) != NULL && js_getnum(v, &nv) &&
	    !is_multiple(&nx, &nv))
		return fail(c, "must be a multiple of %s (multipleOf)",
		    fmtnum(v, buf, sizeof(buf)));
	for (i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		if ((v = kw(s, limits[i].name)) == NULL || !js_getnum(v, &nv))
			continue;
		cmp = js_num_cmp(&nx, &nv);
		if (cmp < limits[i].lo || cmp > limits[i].hi)
			return fail(c, "must be %s %s (%s)", limits[i].op,
			    fmtnum(v, buf, sizeof(buf)), limits[i].name);
	}
	return 1;
}

static int
v_string(struct js_ctx *c, const jobj *s, const jobj *x)
{
	const unsigned char *p;
	const jobj *pat;
	uint64_t len = 0, lim;
	regex_t re;
	char why[128];
	int i, n, r;

	if (!json_object_is_type(x, json_type_string))
		return 1;
	/* Lengths are in code points: count all but UTF-8 continuations. */
	p = (const unsigned char *)js_str(x);
	n = json_object_get_string_len(x);
	for (i = 0; i < n; i++)
		len += (p[i] & 0xc0) != 0x80;
	if (kwcount(s, "maxLength", &lim) && len > lim)
		return fail(c, "must be at most %" PRIu64 " characters long "
		    "(maxLength)", lim);
	if (kwcount(s, "minLength", &lim) && len < lim)
		return fail(c, "must be at least %" PRIu64 " characters long "
		    "(minLength)", lim);
	if ((pat = kw(s, "pattern")) == NULL)
		return 1;
	if (js_re_compile(&re, js_str(pat), why, sizeof(why)) == -1)
		return js_bad(c, "pattern: %s", why);
	r = regexec(&re, js_str(x), 0, NULL, 0) == 0 ? 1 :
	    fail(c, "must match the pattern \"%s\" (pattern)", js_str(pat));
	regfree(&re);
	return r;
}

static int
v_array(struct js_ctx *c, const jobj *s, const jobj *x)
{
	const jobj *items, *more, *sub;
	uint64_t lim;
	size_t i, j, n, ni = 0;
	int r = 1;

	if (!json_object_is_type(x, json_type_array))
		return 1;
	n = json_object_array_length(x);
	if (kwcount(s, "maxItems", &lim) && n > lim)
		return fail(c, "must have at most %" PRIu64 " items (maxItems)",
		    lim);
	if (kwcount(s, "minItems", &lim) && n < lim)
		return fail(c, "must have at least %" PRIu64 " items "
		    "(minItems)", lim);
	if ((items = kw(s, "items")) != NULL &&
	    json_object_is_type(items, json_type_array)) {
		/* A tuple: "additionalItems" covers what lies past it. */
		ni = json_object_array_length(items);
		more = kw(s, "additionalItems");
		if (n > ni && isfalse(more))
			return fail(c, "must have at most %zu items "
			    "(additionalItems)", ni);
	} else
		more = items;
	for (i = 0; r == 1 && i < n; i++) {
		sub = i < ni ? json_object_array_get_idx(items, i) : more;
		if (sub != NULL)
			r = v_child(c, sub, json_object_array_get_idx(x, i),
			    NULL, i);
	}
	if (r != 1)
		return r;
	if ((sub = kw(s, "uniqueItems")) != NULL &&
	    json_object_get_boolean(sub))
		for (i = 1; i < n; i++)
			for (j = 0; j < i; j++)
				if (jequal(json_object_array_get_idx(x, i),
				    json_object_array_get_idx(x, j)))
					return fail(c, "items %zu and %zu must "
					    "not be equal (uniqueItems)", j, i);
	if ((sub = kw(s, "contains")) != NULL) {
		c->quiet++;
		for (i = 0, r = 0; r == 0 && i < n; i++)
			r = v_child(c, sub, json_object_array_get_idx(x, i),
			    NULL, i);
		c->quiet--;
		if (r == 0)
			return fail(c, "must contain a matching item "
			    "(contains)");
	}
	return r;
}

/*
 * "properties", "patternProperties" and "additionalProperties" together,
 * since the last applies only to members neither of the others matched.
 * The patterns are compiled once per object rather than once per member.
 */
static int
v_members(struct js_ctx *c, const jobj *s, const jobj *x)
{
	struct json_object_iter it, pit;
	const jobj *props, *pats, *more;
	jobj *sub;
	regex_t *res = NULL;
	size_t i, nre = 0;
	char why[128];
	int r = 1, matched;

	props = kw(s, "properties");
	more = kw(s, "additionalProperties");
	if ((pats = kw(s, "patternProperties")) != NULL &&
	    json_object_object_length(pats) > 0) {
		res = calloc(json_object_object_length(pats), sizeof(*res));
		if (res == NULL) {
			r = js_bad(c, "out of memory");
			goto out;
		}
		json_object_object_foreachC(pats, pit) {
			if (js_re_compile(&res[nre], pit.key, why,
			    sizeof(why)) == -1) {
				r = js_bad(c, "patternProperties: %s", why);
				goto out;
			}
			nre++;
		}
	}
	json_object_object_foreachC(x, it) {
		matched = 0;
		if (props != NULL &&
		    json_object_object_get_ex(props, it.key, &sub)) {
			matched = 1;
			r = v_child(c, sub, it.val, it.key, 0);
		}
		i = 0;
		if (nre > 0)
			json_object_object_foreachC(pats, pit) {
				if (r != 1)
					break;
				if (regexec(&res[i++], it.key, 0, NULL, 0))
					continue;
				matched = 1;
				r = v_child(c, pit.val, it.val, it.key, 0);
			}
		if (r == 1 && !matched && more != NULL) {
			if (isfalse(more))
				r = fail_at(c, it.key, "is not an allowed "
				    "property (additionalProperties)");
			else
				r = v_child(c, more, it.val, it.key, 0);
		}
		if (r != 1)
			break;
	}
out:
	for (i = 0; i < nre; i++)
		regfree(&res[i]);
	free(res);
	return r;
}

static int
v_object(struct js_ctx *c, const jobj *s, const jobj *x)
{
	struct json_object_iter it;
	const jobj *v, *name;
	uint64_t lim;
	size_t i, n;
	int r;

	if (!json_object_is_type(x, json_type_object))
		return 1;
	n = (size_t)json_object_object_length(x);
	if (kwcount(s, "maxProperties", &lim) && n > lim)
		return fail(c, "must have at most %" PRIu64 " properties "
		    "(maxProperties)", lim);
	if (kwcount(s, "minProperties", &lim) && n < lim)
		return fail(c, "must have at least %" PRIu64 " properties "
		    "(minProperties)", lim);
	if ((v = kw(s, "required")) != NULL)
		for (i = 0; i < json_object_array_length(v); i++) {
			name = json_object_array_get_idx(v, i);
			if (!json_object_object_get_ex(x, js_str(name), NULL))
				return fail_at(c, js_str(name),
				    "is a required property (required)");
		}
	if ((v = kw(s, "dependencies")) != NULL)
		json_object_object_foreachC(v, it) {
			if (!json_object_object_get_ex(x, it.key, NULL))
				continue;
			if (!json_object_is_type(it.val, json_type_array)) {
				if ((r = v_schema(c, it.val, x)) != 1)
					return r;
				continue;
			}
			for (i = 0; i < json_object_array_length(it.val); i++) {
				name = json_object_array_get_idx(it.val, i);
				if (!json_object_object_get_ex(x, js_str(name),
				    NULL))
					return fail_at(c, js_str(name), "is "
					    "required when \"%s\" is present "
					    "(dependencies)", it.key);
			}
		}
	if ((r = v_members(c, s, x)) != 1)
		return r;
	if ((v = kw(s, "propertyNames")) == NULL)
		return 1;
	json_object_object_foreachC(x, it) {
		/* Names are strings, but not json-c values; wrap each. */
		if ((name = json_object_new_string(it.key)) == NULL)
			return js_bad(c, "out of memory");
		c->quiet++;
		r = v_child(c, v, name, it.key, 0);
		c->quiet--;
		json_object_put((jobj *)(uintptr_t)name);
		if (r == 0)
			return fail(c, "property name \"%s\" is not allowed "
			    "(propertyNames)", it.key);
		if (r != 1)
			return r;
	}
	return 1;
}

static int
v_logic(struct js_ctx *c, const jobj *s, const jobj *x)
{
	const jobj *v, *branch;
	size_t i, n;
	int r, first = -1, matches = 0;

	if ((v = kw(s, "allOf")) != NULL)
		for (i = 0; i < json_object_array_length(v); i++)
			if ((r = v_schema(c, json_object_array_get_idx(v, i),
			    x)) != 1)
				return r;
	if ((v = kw(s, "anyOf")) != NULL) {
		n = json_object_array_length(v);
		c->quiet++;
		for (i = 0, r = 0; r == 0 && i < n; i++)
			r = v_schema(c, json_object_array_get_idx(v, i), x);
		c->quiet--;
		if (r != 1)
			return r == 0 ? fail(c, "must match at least one "
			    "schema (anyOf)") : r;
	}
	if ((v = kw(s, "oneOf")) != NULL) {
		n = json_object_array_length(v);
		c->quiet++;
		for (i = 0, r = 0; r != -1 && matches < 2 && i < n; i++)
			if ((r = v_schema(c, json_object_array_get_idx(v, i),
			    x)) == 1 && matches++ == 0)
				first = (int)i;
		c->quiet--;
		if (r == -1)
			return r;
		if (matches == 0)
			return fail(c, "must match exactly one schema, "
			    "matches none (oneOf)");
		if (matches > 1)
			return fail(c, "must match exactly one schema, "
			    "matches %d and %zu (oneOf)", first, i - 1);
	}
	if ((v = kw(s, "not")) != NULL) {
		c->quiet++;
		r = v_schema(c, v, x);
		c->quiet--;
		if (r != 0)
			return r == 1 ? fail(c, "must not match the schema "
			    "(not)") : r;
	}
	if ((v = kw(s, "if")) != NULL) {
		c->quiet++;
		r = v_schema(c, v, x);
		c->quiet--;
		if (r == -1)
			return r;
		branch = kw(s, r == 1 ? "then" : "else");
		if (branch != NULL)
			return v_schema(c, branch, x);
	}
	return 1;
}

static int
v_ref(struct js_ctx *c, const char *ref, const jobj *x)
{
	const jobj *target;
	char why[160];

	/* The meta-schema says what jsonschema_check() checks. */
	if (js_is_metaschema(ref))
		return jsonschema_check(x, why, sizeof(why)) == 0 ? 1 :
		    fail(c, "is not a valid draft-07 schema: %s ($ref)", why);
	if (js_resolve_ref(c->root, ref, &target) == -1)
		return js_bad(c, "$ref \"%s\" is not supported", ref);
	return v_schema(c, target, x);
}

static int
v_schema(struct js_ctx *c, const jobj *s, const jobj *x)
{
	const jobj *ref;
	int r;

	if (json_object_is_type(s, json_type_boolean))
		return json_object_get_boolean(s) ? 1 :
		    fail(c, "no value is allowed here (false schema)");
	if (!json_object_is_type(s, json_type_object))
		return js_bad(c, "a schema must be an object or a boolean");
	if (c->depth >= JS_MAXEVAL)
		return js_bad(c, "validation nested deeper than %d levels",
		    JS_MAXEVAL);
	c->depth++;
	/* In draft-07 "$ref" overrides any sibling keyword. */
	if ((ref = kw(s, "$ref")) != NULL)
		r = v_ref(c, js_str(ref), x);
	else if ((r = v_generic(c, s, x)) == 1 &&
	    (r = v_number(c, s, x)) == 1 && (r = v_string(c, s, x)) == 1 &&
	    (r = v_array(c, s, x)) == 1 && (r = v_object(c, s, x)) == 1)
		r = v_logic(c, s, x);
	c->depth--;
	return r;
}

int
jsonschema_validate(const struct json_object *schema,
    const struct json_object *instance, char *err, size_t errlen)
{
	struct js_ctx c;
	char why[256];
	int r;

	if (jsonschema_check(schema, why, sizeof(why)) == -1) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "invalid schema: %s", why);
		return -1;
	}
	js_ctxinit(&c, schema, err, errlen);
	r = v_schema(&c, schema, instance);
	if (r == 1 && err != NULL && errlen > 0)
		err[0] = '\0';
	return r;
}
