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

static long
hexn(const char *s, int n)
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

/*
 * ECMA-262 -> POSIX ERE.  The caller sizes the output buffer at 24x the
 * input, which bounds every expansion below ("." -> 22 bytes).
 *
 * In a single-byte locale regexec() sees UTF-8 as bytes, so wherever ECMA
 * would consume one character of unknown width (".", "[^...]", "\D", a
 * quantified non-ASCII literal) the translation spells out "one ASCII byte
 * or one lead byte with its continuation bytes".  Those spellings need
 * groups that ECMA did not have, as does "(?:" -> "(", which would shift
 * the numbering of backreferences; a pattern with both is refused.
 */
#define RE_MBCHAR	"[\xc0-\xff][\x80-\xbf]*"

struct rebuf {
	char	*p;
	size_t	 len, cap;
	int	 full;
	int	 bytes;		/* single-byte locale: spell out UTF-8 */
	int	 extra;		/* added a group ECMA did not have */
	int	 backref;	/* uses \1..\9 */
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

/* Appends a literal character (n bytes of UTF-8) followed by next. */
static void
re_lit(struct rebuf *b, const char *u, size_t n, const char *next)
{
	int quantified;

	if (n == 1 && strchr(".[]{}()\\*+?^$|", *u) != NULL)
		re_put(b, "\\", 1);
	quantified = *next == '*' || *next == '+' || *next == '?' ||
	    (*next == '{' && re_interval(next) > 0);
	if (n > 1 && b->bytes && quantified) {
		re_put(b, "(", 1);
		re_put(b, u, n);
		re_put(b, ")", 1);
		b->extra = 1;
	} else
		re_put(b, u, n);
}

static size_t
utf8(long cp, char *u)
{
	if (cp < 0x80) {
		u[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	u[0] = (char)(0xe0 | cp >> 12);
	u[1] = (char)(0x80 | (cp >> 6 & 0x3f));
	u[2] = (char)(0x80 | (cp & 0x3f));
	return 3;
}

/* Opens and closes a negated set: "[^" set "]", or with UTF-8 spelled out. */
static void
re_negopen(struct rebuf *b)
{
	re_puts(b, b->bytes ? "([^" : "[^");
}

static void
re_negclose(struct rebuf *b, const char *tail)
{
	if (b->bytes)
		re_puts(b, "\x80-\xff");
	re_puts(b, tail);
	if (b->bytes) {
		re_puts(b, "|" RE_MBCHAR ")");
		b->extra = 1;
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
 * when b is non-NULL.  Only ASCII members are accepted: in a single-byte
 * locale a multibyte member would stand for its separate bytes.
 * Returns the characters consumed including "]", or -1.
 */
static int
re_classbody(const char *p, struct rebuf *b, struct reclass *f)
{
	static const char *const sets[] = { "0-9", "A-Za-z0-9_", "[:space:]" };
	const char *s = p;
	long lo, hi;
	int n, cls;
	char u;

	memset(f, 0, sizeof(*f));
	if (*s == ']')
		return -1;	/* ECMA's empty class has no ERE spelling */
	while (*s != ']') {
		if (*s == '\0')
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
				u = (char)lo;
				re_put(b, &u, 1);
				re_put(b, "-", 1);
				u = (char)hi;
				re_put(b, &u, 1);
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
			if (b != NULL) {
				u = (char)lo;
				re_put(b, &u, 1);
			}
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
	if (!neg && f.caret && !f.rbr && !f.lbr && f.nitems == 0) {
		re_puts(b, f.dash ? "[-^]" : "\\^");
		return 1 + n;
	}
	if (neg)
		re_negopen(b);
	else
		re_put(b, "[", 1);
	if (f.rbr)
		re_put(b, "]", 1);
	re_classbody(s + 1 + neg, b, &f);
	if (neg && b->bytes)
		re_puts(b, "\x80-\xff");
	/* '[' last but for ^ and -, so it never starts "[:" or "[." */
	re_puts(b, f.lbr ? "[" : "");
	re_puts(b, f.caret ? "^" : "");
	re_puts(b, f.dash ? "-]" : "]");
	if (neg && b->bytes) {
		re_puts(b, "|" RE_MBCHAR ")");
		b->extra = 1;
	}
	return 1 + neg + n;
}

static int
re_translate(const char *s, struct rebuf *b)
{
	static const char *const sets[] = { "0-9", "A-Za-z0-9_",
	    "[:space:]" };
	static const char clsnames[] = "dwsDWS";
	char u[4];
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
			if (cls >= '1' && cls <= '9') {
				re_put(b, s - 2, 2);
				b->backref = 1;
			} else if (cls == 'b' || cls == 'B')
				re_put(b, s - 2, 2);	/* a GNU extension */
			else if (cls != 0 && strchr("dws", cls) != NULL) {
				re_put(b, "[", 1);
				re_puts(b, sets[strchr(clsnames, cls) -
				    clsnames]);
				re_put(b, "]", 1);
			} else if (cls != 0) {
				re_negopen(b);
				re_puts(b, sets[strchr(clsnames, cls) -
				    clsnames - 3]);
				re_negclose(b, "]");
			} else
				re_lit(b, u, utf8(cp, u), s);
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
			b->extra |= s[1] == '?';
			s += s[1] == '?' ? 3 : 1;
			break;
		case '.':
			/* ECMA's dot stops at line terminators. */
			re_negopen(b);
			re_negclose(b, "\n\r]");
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
			re_put(b, s++, 1);
			break;
		default:
			/* A literal; a multibyte one is kept whole. */
			for (n = 1; ((unsigned char)*s & 0xc0) == 0xc0 &&
			    ((unsigned char)s[n] & 0xc0) == 0x80; n++)
				;
			if (n == 1 && strchr("^$|)", *s) != NULL)
				re_put(b, s, 1);
			else
				re_lit(b, s, n, s + n);
			s += n;
			break;
		}
	}
	if (b->extra && b->backref)
		return -1;
	return b->full ? -1 : 0;
}

/* Regex compilation per use is the price of keeping no state. */
int
js_re_compile(regex_t *re, const char *pat, char *why, size_t whylen)
{
	struct rebuf b;
	int rc, ret = -1;

	memset(&b, 0, sizeof(b));
	b.cap = strlen(pat) * 24 + 64;
	b.bytes = MB_CUR_MAX == 1;
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
	size_t n = 0, t, idx;
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
	size_t i;

	if (!json_object_is_type(v, json_type_string))
		return 0;
	for (i = 0; i < NITEMS(names); i++)
		if (strcmp(js_str(v), names[i]) == 0)
			return 1;
	return 0;
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
