/*
 * jsonschema_regex.c — compiles the ECMA-262 regular expressions of
 * "pattern" and "patternProperties" for regcomp(3) by translating them to
 * POSIX extended expressions.  Constructs without a POSIX equivalent are
 * refused, so a schema never silently matches something different.
 */
#include "config.h"

#include <sys/types.h>

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonschema.h"
#include "jsonschema_int.h"

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
	if (*s == 'x' && (*cp = js_hexn(s + 1, 2)) > 0)
		return 3;
	if (*s == 'u' && (*cp = js_hexn(s + 1, 4)) > 0 &&
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
