/*
 * jsonschema_check.c — the schema side of lib/jsonschema.c: checks that a
 * schema is well-formed draft-07, translates its ECMA-262 patterns into
 * POSIX extended regular expressions, and resolves local "$ref"s.
 *
 * Validation runs the checker first, so the validator may rely on every
 * keyword it reads having the right JSON type.
 */
#include <sys/types.h>

#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JSONSCHEMA_INTERNAL
#include "jsonschema.h"

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

typedef struct json_object jobj;

static int
hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

static long
hexn(const char *s, int n)
{
	long v = 0;
	int i, h;

	for (i = 0; i < n; i++) {
		if ((h = hexval((unsigned char)s[i])) < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

/*
 * ECMA-262 -> POSIX ERE.  The output is written to a buffer the caller sized
 * at 8x the input, which bounds every expansion below ("\w" -> 13 bytes).
 */
struct rebuf {
	char	*p;
	size_t	 len, cap;
	int	 full;
};

static void
re_put(struct rebuf *b, const char *s, size_t n)
{
	if (b->len + n >= b->cap) {
		b->full = 1;
		return;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
re_puts(struct rebuf *b, const char *s)
{
	re_put(b, s, strlen(s));
}

/* Appends code point cp as UTF-8, backslashed if ERE-special outside []. */
static void
re_putcp(struct rebuf *b, long cp, int inclass)
{
	char u[4];

	if (cp < 0x80) {
		if (!inclass && strchr(".[]{}()\\*+?^$|", (int)cp) != NULL)
			re_put(b, "\\", 1);
		u[0] = (char)cp;
		re_put(b, u, 1);
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3f));
		re_put(b, u, 2);
	} else {
		u[0] = (char)(0xe0 | cp >> 12);
		u[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		re_put(b, u, 3);
	}
}

/*
 * Decodes the escape after a backslash: sets *cp to a literal code point or
 * *cls to the escape letter of a class/assertion/backreference.  Returns
 * the characters consumed, or -1 for escapes POSIX cannot express.
 */
static int
re_escape(const char *s, long *cp, int *cls)
{
	static const char simple[] = "n\nt\tr\rf\fv\v";
	size_t i;

	*cls = 0;
	*cp = -1;
	if (*s != '\0' && strchr("dDwWsSbB123456789", *s) != NULL) {
		*cls = *s;
		return 1;
	}
	for (i = 0; simple[i] != '\0'; i += 2)
		if (*s == simple[i]) {
			*cp = simple[i + 1];
			return 1;
		}
	if (*s == 'x' && (*cp = hexn(s + 1, 2)) > 0)
		return 3;
	if (*s == 'u' && (*cp = hexn(s + 1, 4)) > 0 &&
	    (*cp < 0xd800 || *cp > 0xdfff))
		return 5;
	/* Identity escapes of punctuation ("\.", "\/", "\-"). */
	if (*s != '\0' && strchr("^$\\.*+?()[]{}|/-,:;=!<>#&~'\"@%`_ ", *s)) {
		*cp = *s;
		return 1;
	}
	return -1;
}

struct reclass {
	int	 rbr, lbr, caret, dash, nitems;
};

/*
 * Parses the body of an ECMA character class at p (just past "[" or "[^").
 * POSIX gives ']', '^', '-' and '[' positional meaning, so they are only
 * flagged here and placed by the caller; everything else is appended to b
 * when b is non-NULL.  Returns characters consumed including "]", or -1.
 */
static int
re_classbody(const char *p, struct rebuf *b, struct reclass *f)
{
	static const char *const sets[] = { "0-9", "A-Za-z0-9_", "[:space:]" };
	const char *s = p;
	long lo, hi;
	int n, cls;

	memset(f, 0, sizeof(*f));
	if (*s == ']')
		return -1;	/* ECMA's empty class has no ERE spelling */
	while (*s != ']') {
		if (*s == '\0' || (unsigned char)*s >= 0x80)
			return -1;
		if (*s == '\\') {
			if ((n = re_escape(s + 1, &lo, &cls)) < 0)
				return -1;
			s += 1 + n;
			if (cls == 'b')
				lo = '\b';
			else if (cls != 0) {
				if (strchr("dws", cls) == NULL)
					return -1;
				if (b != NULL)
					re_puts(b, sets[strchr("dws", cls) -
					    "dws"]);
				f->nitems++;
				continue;
			}
		} else
			lo = (unsigned char)*s++;
		if (lo <= 0 || lo >= 0x80)
			return -1;
		if (s[0] == '-' && s[1] != ']' && s[1] != '\0') {
			s++;
			if (*s == '\\') {
				if ((n = re_escape(s + 1, &hi, &cls)) < 0 ||
				    cls != 0)
					return -1;
				s += 1 + n;
			} else
				hi = (unsigned char)*s++;
			if (hi < lo || hi >= 0x80 || strchr("]^-[", (int)lo) ||
			    strchr("]^-[", (int)hi))
				return -1;
			if (b != NULL) {
				re_putcp(b, lo, 1);
				re_put(b, "-", 1);
				re_putcp(b, hi, 1);
			}
			f->nitems++;
		} else if (lo == ']')
			f->rbr = 1;
		else if (lo == '[')
			f->lbr = 1;
		else if (lo == '^')
			f->caret = 1;
		else if (lo == '-')
			f->dash = 1;
		else {
			if (b != NULL)
				re_putcp(b, lo, 1);
			f->nitems++;
		}
	}
	return (int)(s - p) + 1;
}

static int
re_class(const char *s, struct rebuf *b)
{
	struct reclass f;
	int neg = s[1] == '^', n;

	if ((n = re_classbody(s + 1 + neg, NULL, &f)) < 0)
		return -1;
	if (!neg && f.caret && !f.rbr && !f.lbr && f.nitems == 0)
		re_puts(b, f.dash ? "[-^]" : "\\^");
	else {
		re_puts(b, neg ? "[^" : "[");
		if (f.rbr)
			re_put(b, "]", 1);
		re_classbody(s + 1 + neg, b, &f);
		/* '[' last but for ^ and -, so it never starts "[:" or "[." */
		re_puts(b, f.lbr ? "[" : "");
		re_puts(b, f.caret ? "^" : "");
		re_puts(b, f.dash ? "-]" : "]");
	}
	return 1 + neg + n;
}

/* Length of an ECMA interval "{n}", "{n,}", "{n,m}" at s, else 0. */
static size_t
re_interval(const char *s)
{
	size_t i = 1;

	if (s[i] < '0' || s[i] > '9')
		return 0;
	while (s[i] >= '0' && s[i] <= '9')
		i++;
	if (s[i] == ',')
		for (i++; s[i] >= '0' && s[i] <= '9'; i++)
			;
	return s[i] == '}' ? i + 1 : 0;
}

static int
re_translate(const char *s, struct rebuf *b)
{
	static const char *const outcls[] = { "[0-9]", "[^0-9]",
	    "[A-Za-z0-9_]", "[^A-Za-z0-9_]", "[[:space:]]", "[^[:space:]]",
	    "\\b", "\\B" };
	static const char clsnames[] = "dDwWsSbB";
	long cp;
	size_t n;
	int cls, wasquant, quant = 0, r;

	for (; *s != '\0' && !b->full; quant = wasquant) {
		wasquant = 0;
		switch (*s) {
		case '\\':
			if ((r = re_escape(s + 1, &cp, &cls)) < 0)
				return -1;
			s += 1 + r;
			if (cls >= '1' && cls <= '9')
				re_put(b, s - 2, 2);
			else if (cls != 0)
				re_puts(b, outcls[strchr(clsnames, cls) -
				    clsnames]);
			else
				re_putcp(b, cp, 0);
			break;
		case '[':
			if ((r = re_class(s, b)) < 0)
				return -1;
			s += r;
			break;
		case '(':
			/* Only "(?:" has an ERE equivalent; no look-around. */
			if (s[1] == '?' && s[2] != ':')
				return -1;
			re_put(b, "(", 1);
			s += s[1] == '?' ? 3 : 1;
			break;
		case '.':
			/* ECMA's dot stops at line terminators. */
			re_puts(b, "[^\n\r]");
			s++;
			break;
		case '{':
			if ((n = re_interval(s)) == 0) {
				re_puts(b, "\\{");
				s++;
				break;
			}
			re_put(b, s, n);
			s += n;
			wasquant = 1;
			break;
		case '}':
			re_puts(b, "\\}");
			s++;
			break;
		case '?':
			/*
			 * A '?' after a quantifier makes it lazy; whether a
			 * match exists does not depend on laziness.
			 */
			if (!quant)
				re_put(b, s, 1);
			wasquant = !quant;
			s++;
			break;
		case '*':
		case '+':
			wasquant = 1;
			/* FALLTHROUGH */
		default:
			re_put(b, s++, 1);
			break;
		}
	}
	return b->full ? -1 : 0;
}

/* Regex compilation per use is the price of keeping no state. */
int
js_re_compile(regex_t *re, const char *pat, char *why, size_t whylen)
{
	struct rebuf b;
	int rc, ret = -1;

	b.cap = strlen(pat) * 8 + 16;
	b.len = 0;
	b.full = 0;
	if ((b.p = malloc(b.cap)) == NULL) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	b.p[0] = '\0';
	if (re_translate(pat, &b) == -1) {
		snprintf(why, whylen, "ECMA-262 syntax with no POSIX "
		    "equivalent is not supported");
		goto out;
	}
	if ((rc = regcomp(re, b.p, REG_EXTENDED | REG_NOSUB)) != 0) {
		regerror(rc, re, why, whylen);
		goto out;
	}
	ret = 0;
out:
	free(b.p);
	return ret;
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
	size_t n = 0, t;
	long h;

	if (ref[0] != '#')
		return -1;
	/* RFC 6901 section 6: %-decode first, then split on '/'. */
	for (p = ref + 1; *p != '\0'; p++) {
		if (n + 1 >= sizeof(frag))
			return -1;
		if (*p == '%' && (h = hexn(p + 1, 2)) > 0) {
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
			if (t == 0 || t > 9 || strspn(tok, "0123456789") != t ||
			    (t > 1 && tok[0] == '0') ||
			    strtoul(tok, NULL, 10) >= json_object_array_length(cur))
				return -1;
			next = json_object_array_get_idx(cur,
			    strtoul(tok, NULL, 10));
		} else
			return -1;
	}
	*out = cur;
	return 0;
}

static int	ck_schema(struct js_ctx *, const jobj *);

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
ck_number(struct js_ctx *c, const jobj *v)
{
	struct js_num n;

	return js_getnum(v, &n) ? 0 : js_bad(c, "must be a number");
}

static int
ck_count(struct js_ctx *c, const jobj *v)
{
	struct js_num n, zero = { JS_INT, 0, 0, 0 };

	if (js_getnum(v, &n) && js_num_isint(&n) && js_num_cmp(&n, &zero) >= 0)
		return 0;
	return js_bad(c, "must be a non-negative integer");
}

static int
ck_positive(struct js_ctx *c, const jobj *v)
{
	struct js_num n, zero = { JS_INT, 0, 0, 0 };

	if (js_getnum(v, &n) && js_num_cmp(&n, &zero) > 0)
		return 0;
	return js_bad(c, "must be a number greater than 0");
}

static int
ck_bool(struct js_ctx *c, const jobj *v)
{
	if (json_object_is_type(v, json_type_boolean))
		return 0;
	return js_bad(c, "must be a boolean");
}

static int
ck_string(struct js_ctx *c, const jobj *v)
{
	if (json_object_is_type(v, json_type_string))
		return 0;
	return js_bad(c, "must be a string");
}

static int
ck_array(struct js_ctx *c, const jobj *v)
{
	if (json_object_is_type(v, json_type_array))
		return 0;
	return js_bad(c, "must be an array");
}

/* An array of unique strings ("required", "dependencies" lists). */
static int
ck_strings(struct js_ctx *c, const jobj *v)
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
	size_t i;

	if (!json_object_is_type(v, json_type_string))
		return 0;
	for (i = 0; i < NITEMS(names); i++)
		if (strcmp(js_str(v), names[i]) == 0)
			return 1;
	return 0;
}

static int
ck_type(struct js_ctx *c, const jobj *v)
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
	if (ck_strings(c, v) == -1)
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
ck_pattern(struct js_ctx *c, const jobj *v)
{
	if (!json_object_is_type(v, json_type_string))
		return js_bad(c, "must be a string");
	return ck_regex(c, js_str(v));
}

/* A non-empty array of schemas (allOf, anyOf, oneOf). */
static int
ck_schemas(struct js_ctx *c, const jobj *v)
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
ck_items(struct js_ctx *c, const jobj *v)
{
	if (json_object_is_type(v, json_type_array) &&
	    json_object_array_length(v) > 0)
		return ck_schemas(c, v);
	return ck_schema(c, v);
}

/*
 * An object whose values are schemas ("properties", "definitions") or,
 * with flags, whose keys are patterns or whose values may be string lists.
 */
#define MAP_PATTERNS	0x1
#define MAP_DEPS	0x2
static int
ck_map_flags(struct js_ctx *c, const jobj *v, int flags)
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
			r = ck_strings(c, it.val);
		else if (r == 0)
			r = ck_schema(c, it.val);
		js_pop(c, old);
		if (r != 0)
			return r;
	}
	return 0;
}

static int
ck_map(struct js_ctx *c, const jobj *v)
{
	return ck_map_flags(c, v, 0);
}

static int
ck_patmap(struct js_ctx *c, const jobj *v)
{
	return ck_map_flags(c, v, MAP_PATTERNS);
}

static int
ck_deps(struct js_ctx *c, const jobj *v)
{
	return ck_map_flags(c, v, MAP_DEPS);
}

static int
ck_ref(struct js_ctx *c, const jobj *v)
{
	const jobj *t;

	if (!json_object_is_type(v, json_type_string))
		return js_bad(c, "must be a string");
	if (js_is_metaschema(js_str(v)))
		return 0;
	if (js_str(v)[0] != '#')
		return js_bad(c, "\"%s\" is not supported: only \"#...\" "
		    "references within the same schema are", js_str(v));
	if (js_resolve_ref(c->root, js_str(v), &t) == -1)
		return js_bad(c, "\"%s\" does not resolve within this schema",
		    js_str(v));
	if (!json_object_is_type(t, json_type_object) &&
	    !json_object_is_type(t, json_type_boolean))
		return js_bad(c, "\"%s\" does not point at a schema",
		    js_str(v));
	return 0;
}

/* Every keyword with a constrained value; "const" and "default" take any. */
static const struct {
	const char	*name;
	int		(*fn)(struct js_ctx *, const jobj *);
} keywords[] = {
	{ "$id", ck_string },		{ "$schema", ck_string },
	{ "$ref", ck_ref },		{ "$comment", ck_string },
	{ "title", ck_string },		{ "description", ck_string },
	{ "readOnly", ck_bool },	{ "examples", ck_array },
	{ "multipleOf", ck_positive },	{ "maximum", ck_number },
	{ "exclusiveMaximum", ck_number }, { "minimum", ck_number },
	{ "exclusiveMinimum", ck_number }, { "maxLength", ck_count },
	{ "minLength", ck_count },	{ "pattern", ck_pattern },
	{ "additionalItems", ck_schema }, { "items", ck_items },
	{ "maxItems", ck_count },	{ "minItems", ck_count },
	{ "uniqueItems", ck_bool },	{ "contains", ck_schema },
	{ "maxProperties", ck_count },	{ "minProperties", ck_count },
	{ "required", ck_strings },	{ "additionalProperties", ck_schema },
	{ "definitions", ck_map },	{ "properties", ck_map },
	{ "patternProperties", ck_patmap }, { "dependencies", ck_deps },
	{ "propertyNames", ck_schema },	{ "enum", ck_array },
	{ "type", ck_type },		{ "format", ck_string },
	{ "contentMediaType", ck_string }, { "contentEncoding", ck_string },
	{ "if", ck_schema },		{ "then", ck_schema },
	{ "else", ck_schema },		{ "allOf", ck_schemas },
	{ "anyOf", ck_schemas },	{ "oneOf", ck_schemas },
	{ "not", ck_schema },
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
		r = keywords[i].fn(c, v);
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
