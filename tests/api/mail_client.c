/*
 * mail_client.c — see mail_client.h. Files are named
 * "<ns>-<count>-<pid>.eml", so the name order is the arrival order.
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crypto.h"
#include "mail_client.h"

/* The file's contents (malloc'd), NULL when unreadable. */
static char *
mc_slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long len;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = calloc(1, (size_t)len + 1)) != NULL &&
	    fread(buf, 1, (size_t)len, f) != (size_t)len) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* The header block of raw, unfolded, with "\n" line ends (malloc'd). */
static char *
mc_headers(const char *raw, const char **body)
{
	const char *end = strstr(raw, "\r\n\r\n"), *p;
	size_t n;
	char *out, *o;

	if (end == NULL) {
		end = strstr(raw, "\n\n");
		*body = end ? end + 2 : raw + strlen(raw);
	} else
		*body = end + 4;
	if (end == NULL)
		end = raw + strlen(raw);
	n = (size_t)(end - raw);
	if ((out = malloc(n + 2)) == NULL)
		return NULL;
	for (p = raw, o = out; p < end; p++) {
		if (*p == '\r')
			continue;
		/* A line break followed by space or tab continues the header. */
		if (*p == '\n' && p + 1 < end && (p[1] == ' ' || p[1] == '\t'))
			continue;
		*o++ = *p;
	}
	*o++ = '\n';
	*o = '\0';
	return out;
}

/* Value of header name in an unfolded block into out; NULL when absent. */
static const char *
mc_find_header(const char *headers, const char *name, char *out, size_t outlen)
{
	const char *line = headers, *nl, *v;
	size_t nlen = strlen(name), n;

	while (line != NULL && *line) {
		nl = strchr(line, '\n');
		if (strncasecmp(line, name, nlen) == 0 && line[nlen] == ':') {
			v = line + nlen + 1;
			while (*v == ' ' || *v == '\t')
				v++;
			n = nl ? (size_t)(nl - v) : strlen(v);
			if (n >= outlen)
				n = outlen - 1;
			memcpy(out, v, n);
			out[n] = '\0';
			return out;
		}
		line = nl ? nl + 1 : NULL;
	}
	return NULL;
}

/* base64 text (with line breaks) decoded, malloc'd; "" on bad input. */
static char *
mc_b64(const char *s, size_t len)
{
	char *clean = malloc(len + 1), *out;
	size_t i, n = 0;
	ssize_t got;

	if (clean == NULL)
		return NULL;
	for (i = 0; i < len; i++)
		if (s[i] != '\r' && s[i] != '\n' && s[i] != ' ')
			clean[n++] = s[i];
	if ((out = calloc(1, n + 1)) == NULL) {
		free(clean);
		return NULL;
	}
	got = crypto_base64_decode(clean, n, (unsigned char *)out, n + 1);
	out[got > 0 ? got : 0] = '\0';
	free(clean);
	return out;
}

/* One part (headers + body between boundaries) into text or html. */
static void
mc_part(struct mail *m, const char *part, size_t len)
{
	char *copy = malloc(len + 1), *h, ct[256] = "", cte[64] = "", *dec;
	const char *body;
	char **slot;

	if (copy == NULL)
		return;
	memcpy(copy, part, len);
	copy[len] = '\0';
	if ((h = mc_headers(copy, &body)) == NULL) {
		free(copy);
		return;
	}
	mc_find_header(h, "Content-Type", ct, sizeof(ct));
	mc_find_header(h, "Content-Transfer-Encoding", cte, sizeof(cte));
	slot = strncasecmp(ct, "text/html", 9) == 0 ? &m->html : &m->text;
	if (strcasecmp(cte, "base64") == 0)
		dec = mc_b64(body, strlen(body));
	else
		dec = strdup(body);
	if (dec != NULL) {
		free(*slot);
		*slot = dec;
	}
	free(h);
	free(copy);
}

/* Splits the body on the boundary of the Content-Type header. */
static void
mc_parts(struct mail *m, const char *body)
{
	char ct[512], delim[300];
	const char *b, *e, *p, *next;

	if (mc_find_header(m->headers, "Content-Type", ct, sizeof(ct)) == NULL ||
	    (b = strstr(ct, "boundary=\"")) == NULL || (e = strchr(b + 10, '"')) == NULL) {
		free(m->text);
		m->text = strdup(body);
		return;
	}
	snprintf(delim, sizeof(delim), "--%.*s", (int)(e - b - 10), b + 10);
	for (p = strstr(body, delim); p != NULL; p = next) {
		p += strlen(delim);
		if (p[0] == '-' && p[1] == '-')
			break;
		while (*p == '\r' || *p == '\n')
			p++;
		next = strstr(p, delim);
		mc_part(m, p, next ? (size_t)(next - p) : strlen(p));
	}
}

/* Message files of the mail dir, sorted by name (arrival); NULL-ended list. */
static char **
mc_list(int *n)
{
	const char *dir = getenv("RETIVO_MAILDIR");
	DIR *d;
	struct dirent *de;
	char **v = NULL, **nv;
	int cap = 0, i, j;

	*n = 0;
	if (dir == NULL || (d = opendir(dir)) == NULL)
		return NULL;
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);

		if (de->d_name[0] == '.' || l < 5 || strcmp(de->d_name + l - 4, ".eml") != 0)
			continue;
		if (*n + 1 >= cap) {
			cap = cap ? cap * 2 : 64;
			if ((nv = realloc(v, (size_t)cap * sizeof(*v))) == NULL)
				break;
			v = nv;
		}
		if ((v[*n] = malloc(strlen(dir) + l + 2)) == NULL)
			break;
		snprintf(v[*n], strlen(dir) + l + 2, "%s/%s", dir, de->d_name);
		(*n)++;
	}
	closedir(d);
	for (i = 1; i < *n; i++)	/* insertion sort: a few hundred names */
		for (j = i; j > 0 && strcmp(v[j - 1], v[j]) > 0; j--) {
			char *t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return v;
}

/* 1 when the stored message's envelope recipient is exactly `to`. */
static int
mc_is_to(const char *raw, const char *to)
{
	char rcpt[512];
	const char *body;
	char *h = mc_headers(raw, &body);
	int is;

	if (h == NULL)
		return 0;
	is = mc_find_header(h, "X-Envelope-To", rcpt, sizeof(rcpt)) != NULL &&
	    strcasecmp(rcpt, to) == 0;
	free(h);
	return is;
}

int
mail_count(const char *to)
{
	int n, i, count = 0;
	char **v = mc_list(&n), *raw;

	if (v == NULL && getenv("RETIVO_MAILDIR") == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		if ((raw = mc_slurp(v[i])) != NULL && mc_is_to(raw, to))
			count++;
		free(raw);
		free(v[i]);
	}
	free(v);
	return count;
}

int
mail_find(const char *to, struct mail *m)
{
	int n, i, found = 0;
	char **v = mc_list(&n), *raw;
	const char *body;

	memset(m, 0, sizeof(*m));
	for (i = n - 1; i >= 0; i--) {
		if (!found && (raw = mc_slurp(v[i])) != NULL) {
			if (mc_is_to(raw, to)) {
				m->raw = raw;
				snprintf(m->file, sizeof(m->file), "%s", v[i]);
				found = 1;
			} else
				free(raw);
		}
		free(v[i]);
	}
	free(v);
	if (!found)
		return 0;
	if ((m->headers = mc_headers(m->raw, &body)) == NULL)
		return -1;
	mc_parts(m, body);
	if (m->text == NULL)
		m->text = strdup("");
	if (m->html == NULL)
		m->html = strdup("");
	return 1;
}

const char *
mail_header(const struct mail *m, const char *name, char *out, size_t outlen)
{
	return m->headers ? mc_find_header(m->headers, name, out, outlen) : NULL;
}

void
mail_free(struct mail *m)
{
	free(m->raw);
	free(m->headers);
	free(m->text);
	free(m->html);
	memset(m, 0, sizeof(*m));
}
