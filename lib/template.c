/*
 * template.c — see template.h.
 *
 * One pass over the template: text is copied, each "{{…}}" tag is parsed
 * and acted on. Sections are a small stack of (emitting?) flags, so
 * template_check() is the same pass with no variables and the output
 * discarded — a template that checks is one that renders. Nothing here
 * allocates per tag; the output is one growing buffer capped at
 * TEMPLATE_MAX_OUTPUT so a hostile template cannot make it grow without end.
 */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "template.h"

struct buf {
	char	*p;
	size_t	 len, cap;
	int	 failed;	/* out of memory or over the cap */
};

/* Appends n bytes; on failure marks the buffer failed and drops them. */
static void
buf_add(struct buf *b, const char *s, size_t n)
{
	size_t cap;
	char *p;

	if (b->failed || n == 0)
		return;
	if (b->len + n + 1 > TEMPLATE_MAX_OUTPUT) {
		b->failed = 2;
		return;
	}
	if (b->len + n + 1 > b->cap) {
		cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		if ((p = realloc(b->p, cap)) == NULL) {
			b->failed = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
buf_str(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

/* Appends s (n bytes) HTML-escaped; NUL bytes are dropped. */
static void
buf_html(struct buf *b, const char *s, size_t n)
{
	size_t i, run = 0;
	const char *rep;

	for (i = 0; i < n; i++) {
		switch (s[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		case '\0': rep = ""; break;
		default: rep = NULL; break;
		}
		if (rep == NULL)
			continue;
		buf_add(b, s + run, i - run);
		buf_str(b, rep);
		run = i + 1;
	}
	buf_add(b, s + run, n - run);
}

/* Text of the template itself: copied as is, NUL bytes dropped. */
static void
buf_text(struct buf *b, const char *s, size_t n)
{
	const char *z;

	while (n > 0 && (z = memchr(s, '\0', n)) != NULL) {
		buf_add(b, s, (size_t)(z - s));
		n -= (size_t)(z - s) + 1;
		s = z + 1;
	}
	buf_add(b, s, n);
}

static void
tpl_err(char *err, size_t errlen, size_t off, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (err == NULL || errlen == 0)
		return;
	n = snprintf(err, errlen, "offset %zu: ", off);
	if (n < 0 || (size_t)n >= errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

/* 1 when s[0..n) is a valid dotted name. */
static int
name_valid(const char *s, size_t n)
{
	size_t i, seg = 0;

	if (n == 0 || n > TEMPLATE_MAX_NAME)
		return 0;
	for (i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (seg == 0)
				return 0;
			seg = 0;
		} else if (isalnum((unsigned char)s[i]) || s[i] == '_')
			seg++;
		else
			return 0;
	}
	return seg > 0;
}

/* Looks a valid dotted name up in vars; NULL when missing (or JSON null). */
static struct json_object *
lookup(struct json_object *vars, const char *s, size_t n)
{
	char seg[TEMPLATE_MAX_NAME + 1];
	struct json_object *cur = vars, *next;
	size_t i = 0, j;
	char *end;
	long idx;

	while (i < n && cur != NULL) {
		for (j = i; j < n && s[j] != '.'; j++)
			;
		memcpy(seg, s + i, j - i);
		seg[j - i] = '\0';
		if (json_object_is_type(cur, json_type_object)) {
			if (!json_object_object_get_ex(cur, seg, &next))
				return NULL;
		} else if (json_object_is_type(cur, json_type_array) && isdigit((unsigned char)seg[0])) {
			idx = strtol(seg, &end, 10);
			if (*end != '\0' || idx < 0 || (size_t)idx >= json_object_array_length(cur))
				return NULL;
			next = json_object_array_get_idx(cur, (size_t)idx);
		} else
			return NULL;
		cur = next;
		i = j + 1;
	}
	return cur;
}

/* Truthiness of a section's value. */
static int
truthy(struct json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null: return 0;
	case json_type_boolean: return json_object_get_boolean(v);
	case json_type_int: return json_object_get_int64(v) != 0;
	case json_type_double: return json_object_get_double(v) != 0.0;
	case json_type_string: return json_object_get_string_len(v) > 0;
	case json_type_array: return json_object_array_length(v) > 0;
	case json_type_object: return json_object_object_length(v) > 0;
	}
	return 0;
}

/*
 * The text of a scalar value into tmp (numbers, booleans) or a pointer to
 * the string; NULL for null, objects, arrays and the empty string (which
 * take the default, or leave the marker).
 */
static const char *
scalar_text(struct json_object *v, char *tmp, size_t tmplen, size_t *len)
{
	const char *s;

	switch (json_object_get_type(v)) {
	case json_type_string:
		s = json_object_get_string(v);
		*len = (size_t)json_object_get_string_len(v);
		return *len ? s : NULL;
	case json_type_int:
		snprintf(tmp, tmplen, "%lld", (long long)json_object_get_int64(v));
		break;
	case json_type_double:
		snprintf(tmp, tmplen, "%.6g", json_object_get_double(v));
		break;
	case json_type_boolean:
		snprintf(tmp, tmplen, "%s", json_object_get_boolean(v) ? "true" : "false");
		break;
	default:
		return NULL;
	}
	*len = strlen(tmp);
	return tmp;
}

/* Trims ASCII spaces of [*s, *s + *n). */
static void
trim(const char **s, size_t *n)
{
	while (*n > 0 && isspace((unsigned char)**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && isspace((unsigned char)(*s)[*n - 1]))
		(*n)--;
}

/* Finds the "}}" closing a tag that starts at p (after "{{"), skipping a
 * quoted default. Returns its offset from p or (size_t)-1. */
static size_t
tag_end(const char *p, size_t n)
{
	size_t i;
	int quoted = 0;

	for (i = 0; i < n; i++) {
		if (p[i] == '"')
			quoted = !quoted;
		else if (!quoted && p[i] == '}' && i + 1 < n && p[i + 1] == '}')
			return i;
	}
	return (size_t)-1;
}

/*
 * Renders a variable tag: "name" or "name|default:\"text\"" (spaces allowed
 * around the parts). Returns 0, or -1 with err set.
 */
static int
do_var(struct buf *b, const char *t, size_t n, size_t off, struct json_object *vars,
    enum tpl_mode mode, int emit, char *err, size_t errlen)
{
	const char *bar, *name = t, *def = NULL, *val, *q;
	size_t namelen = n, deflen = 0, len = 0, rest;
	char tmp[64];

	if ((bar = memchr(t, '|', n)) != NULL) {
		namelen = (size_t)(bar - t);
		q = bar + 1;
		rest = n - namelen - 1;
		trim(&q, &rest);
		if (rest < 8 || memcmp(q, "default:", 8) != 0) {
			tpl_err(err, errlen, off, "unknown filter (only default:\"text\")");
			return -1;
		}
		q += 8;
		rest -= 8;
		trim(&q, &rest);
		if (rest < 2 || q[0] != '"' || q[rest - 1] != '"' ||
		    memchr(q + 1, '"', rest - 2) != NULL) {
			tpl_err(err, errlen, off, "default must be a double-quoted string");
			return -1;
		}
		def = q + 1;
		deflen = rest - 2;
	}
	trim(&name, &namelen);
	if (!name_valid(name, namelen)) {
		tpl_err(err, errlen, off, "bad variable name");
		return -1;
	}
	if (!emit)
		return 0;
	val = scalar_text(lookup(vars, name, namelen), tmp, sizeof(tmp), &len);
	if (val == NULL && def != NULL) {
		val = def;
		len = deflen;
	}
	if (val == NULL) {
		/* Left visible for the quality checks (template.h). */
		buf_str(b, "{{");
		buf_add(b, name, namelen);
		buf_str(b, "}}");
	} else if (mode == TPL_HTML)
		buf_html(b, val, len);
	else
		buf_text(b, val, len);
	return 0;
}

/* The renderer proper, over n bytes without NUL bytes. */
static char *
render(const char *tpl, size_t n, struct json_object *vars, enum tpl_mode mode,
    char *err, size_t errlen)
{
	struct buf b = { NULL, 0, 0, 0 };
	/* emit[d]: whether the section at depth d emits; has_else[d]. */
	int emit[TEMPLATE_MAX_DEPTH + 1], has_else[TEMPLATE_MAX_DEPTH + 1], cond;
	int depth = 0;
	size_t i = 0, open, end, tlen, off;
	const char *t, *q;

	emit[0] = 1;
	has_else[0] = 0;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	while (i < n) {
		q = NULL;
		for (open = i; open + 1 < n; open++)
			if (tpl[open] == '{' && tpl[open + 1] == '{') {
				q = tpl + open;
				break;
			}
		if (q == NULL) {
			if (emit[depth])
				buf_text(&b, tpl + i, n - i);
			break;
		}
		if (emit[depth])
			buf_text(&b, tpl + i, open - i);
		off = open;
		if ((end = tag_end(tpl + open + 2, n - open - 2)) == (size_t)-1) {
			tpl_err(err, errlen, off, "\"{{\" is never closed by \"}}\"");
			goto fail;
		}
		t = tpl + open + 2;
		tlen = end;
		i = open + 2 + end + 2;
		trim(&t, &tlen);
		if (tlen > 0 && t[0] == '!')
			continue;
		if (tlen >= 3 && memcmp(t, "#if", 3) == 0 &&
		    (tlen == 3 || isspace((unsigned char)t[3]))) {
			t += 3;
			tlen -= 3;
			trim(&t, &tlen);
			if (!name_valid(t, tlen)) {
				tpl_err(err, errlen, off, "{{#if}} needs a variable name");
				goto fail;
			}
			if (depth == TEMPLATE_MAX_DEPTH) {
				tpl_err(err, errlen, off, "sections nested deeper than %d",
				    TEMPLATE_MAX_DEPTH);
				goto fail;
			}
			cond = emit[depth] && truthy(lookup(vars, t, tlen));
			depth++;
			emit[depth] = cond;
			has_else[depth] = 0;
			continue;
		}
		if (tlen == 4 && memcmp(t, "else", 4) == 0) {
			if (depth == 0 || has_else[depth]) {
				tpl_err(err, errlen, off, depth ? "a second {{else}}" :
				    "{{else}} outside {{#if}}");
				goto fail;
			}
			has_else[depth] = 1;
			emit[depth] = emit[depth - 1] && !emit[depth];
			continue;
		}
		if (tlen == 3 && memcmp(t, "/if", 3) == 0) {
			if (depth == 0) {
				tpl_err(err, errlen, off, "{{/if}} without {{#if}}");
				goto fail;
			}
			depth--;
			continue;
		}
		if (tlen > 0 && (t[0] == '#' || t[0] == '/' || t[0] == '^' || t[0] == '>')) {
			tpl_err(err, errlen, off, "unknown section (only #if, else, /if)");
			goto fail;
		}
		if (do_var(&b, t, tlen, off, vars, mode, emit[depth], err, errlen) != 0)
			goto fail;
	}
	if (depth > 0) {
		tpl_err(err, errlen, n, "{{#if}} is never closed by {{/if}}");
		goto fail;
	}
	if (b.failed) {
		tpl_err(err, errlen, n, b.failed == 2 ? "output longer than %d bytes" :
		    "out of memory", TEMPLATE_MAX_OUTPUT);
		goto fail;
	}
	if (b.p == NULL && (b.p = strdup("")) == NULL) {
		tpl_err(err, errlen, 0, "out of memory");
		goto fail;
	}
	return b.p;
fail:
	free(b.p);
	return NULL;
}

char *
template_render_n(const char *tpl, size_t n, struct json_object *vars, enum tpl_mode mode,
    char *err, size_t errlen)
{
	char *clean, *out;
	size_t i, m;

	if (memchr(tpl, '\0', n) == NULL)
		return render(tpl, n, vars, mode, err, errlen);
	/* NUL bytes are dropped everywhere, inside tags too. */
	if ((clean = malloc(n)) == NULL) {
		tpl_err(err, errlen, 0, "out of memory");
		return NULL;
	}
	for (i = m = 0; i < n; i++)
		if (tpl[i] != '\0')
			clean[m++] = tpl[i];
	out = render(clean, m, vars, mode, err, errlen);
	free(clean);
	return out;
}

char *
template_render(const char *tpl, struct json_object *vars, enum tpl_mode mode, char *err,
    size_t errlen)
{
	return template_render_n(tpl, strlen(tpl), vars, mode, err, errlen);
}

int
template_check(const char *tpl, char *err, size_t errlen)
{
	char *out;

	/* No variables: every section is false, so output stays tiny. */
	if ((out = template_render(tpl, NULL, TPL_TEXT, err, errlen)) == NULL)
		return -1;
	free(out);
	return 0;
}

int
template_find_unfilled(const char *text, char *marker, size_t markerlen)
{
	const char *open, *close;
	size_t n;

	if (text == NULL || (open = strstr(text, "{{")) == NULL)
		return 0;
	close = strstr(open + 2, "}}");
	n = close != NULL ? (size_t)(close + 2 - open) : strlen(open);
	if (markerlen > 0) {
		if (n >= markerlen)
			n = markerlen - 1;
		memcpy(marker, open, n);
		marker[n] = '\0';
	}
	return 1;
}

/* Length of the http(s) URL at s, or 0 when s does not start one. */
static size_t
url_len(const char *s)
{
	size_t n;

	if (strncmp(s, "https://", 8) == 0)
		n = 8;
	else if (strncmp(s, "http://", 7) == 0)
		n = 7;
	else
		return 0;
	while (s[n] != '\0' && !isspace((unsigned char)s[n]) && s[n] != '<' && s[n] != '>' &&
	    s[n] != '"' && s[n] != '\'')
		n++;
	/* A sentence's full stop or comma is not part of the link. */
	while (n > 0 && strchr(".,;:!?)", s[n - 1]) != NULL)
		n--;
	return n;
}

char *
template_text_to_html(const char *s)
{
	struct buf b = { NULL, 0, 0, 0 };
	size_t i, run, u;

	buf_str(&b, "<p>");
	for (i = 0, run = 0; s[i] != '\0'; ) {
		if (s[i] == '\n' || (s[i] == '\r' && s[i + 1] == '\n')) {
			buf_html(&b, s + run, i - run);
			i += s[i] == '\r' ? 2 : 1;
			if (s[i] == '\n' || (s[i] == '\r' && s[i + 1] == '\n')) {
				/* Blank line(s): a new paragraph. */
				while (s[i] == '\n' || s[i] == '\r')
					i++;
				if (s[i] != '\0')
					buf_str(&b, "</p>\n<p>");
			} else if (s[i] != '\0')
				buf_str(&b, "<br>\n");
			run = i;
		} else if ((i == 0 || !isalnum((unsigned char)s[i - 1])) && (u = url_len(s + i)) > 0) {
			buf_html(&b, s + run, i - run);
			buf_str(&b, "<a href=\"");
			buf_html(&b, s + i, u);
			buf_str(&b, "\">");
			buf_html(&b, s + i, u);
			buf_str(&b, "</a>");
			i += u;
			run = i;
		} else
			i++;
	}
	buf_html(&b, s + run, i - run);
	buf_str(&b, "</p>\n");
	if (b.failed) {
		free(b.p);
		return NULL;
	}
	return b.p;
}
