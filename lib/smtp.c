/*
 * smtp.c — see smtp.h. The message builder is a string builder over a
 * growing buffer (pure); smtp_send() is one libcurl SMTP transfer.
 *
 * Bodies go out base64-encoded in 76-character lines: SMTP's 998-byte
 * line limit, a leading dot and 8-bit text then need no further care, and
 * every reader decodes it.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "conf.h"
#include "crypto.h"
#include "log.h"
#include "smtp.h"

#define SMTP_ADDRESS_MAX	254
#define SMTP_B64_LINE		57	/* input bytes per 76-character line */

struct sb {
	char	*buf;
	size_t	 len;
	size_t	 cap;
	int	 bad;
};

/* Appends formatted text; marks sb bad on failure. */
static void sb_printf(struct sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
sb_printf(struct sb *b, const char *fmt, ...)
{
	va_list ap;
	int n;
	char *nb;
	size_t need;

	if (b->bad)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->bad = 1;
		return;
	}
	need = b->len + (size_t)n + 1;
	if (need > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;
		while (cap < need)
			cap *= 2;
		if ((nb = realloc(b->buf, cap)) == NULL) {
			b->bad = 1;
			return;
		}
		b->buf = nb;
		b->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(b->buf + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* 1 when s holds a CR or LF (a header value must not: injection). */
static int
smtp_has_eol(const char *s)
{
	return s != NULL && strpbrk(s, "\r\n") != NULL;
}

int
smtp_address(const char *from, char *out, size_t outlen)
{
	const char *a, *e, *p;
	size_t n;

	if (from == NULL || smtp_has_eol(from))
		return -1;
	if ((a = strrchr(from, '<')) != NULL) {
		a++;
		if ((e = strchr(a, '>')) == NULL)
			return -1;
	} else {
		a = from;
		while (*a == ' ' || *a == '\t')
			a++;
		e = a + strlen(a);
		while (e > a && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
	}
	n = (size_t)(e - a);
	if (n == 0 || n > SMTP_ADDRESS_MAX || n >= outlen)
		return -1;
	for (p = a; p < e; p++)
		if (*p == ' ' || *p == '\t' || *p == '<' || *p == '>' || *p == ',' ||
		    (unsigned char)*p < 0x20 || *p == 0x7f)
			return -1;
	memcpy(out, a, n);
	out[n] = '\0';
	p = strchr(out, '@');
	if (p == NULL || p == out || p[1] == '\0' || strchr(p + 1, '@') != NULL)
		return -1;
	return 0;
}

int
smtp_message_id(const char *from, char *out, size_t outlen)
{
	char addr[SMTP_ADDRESS_MAX + 1], rnd[33];
	const char *domain = "retivo.invalid";

	if (smtp_address(from, addr, sizeof(addr)) == 0)
		domain = strchr(addr, '@') + 1;
	if (crypto_random_hex(rnd, 16) != 0)
		return -1;
	if ((size_t)snprintf(out, outlen, "<%s@%s>", rnd, domain) >= outlen)
		return -1;
	return 0;
}

/* 1 when every byte of s is printable ASCII. */
static int
smtp_ascii(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return 0;
	return 1;
}

/*
 * The Subject header: as is when ASCII, else RFC 2047 base64 encoded-words
 * of at most 45 bytes of input each, cut only between UTF-8 characters.
 */
static void
smtp_subject(struct sb *b, const char *s)
{
	char enc[64];
	size_t len = strlen(s), off = 0, n;

	if (smtp_ascii(s)) {
		sb_printf(b, "Subject: %s\r\n", s);
		return;
	}
	sb_printf(b, "Subject:");
	while (off < len) {
		n = len - off > 45 ? 45 : len - off;
		while (n > 1 && off + n < len && ((unsigned char)s[off + n] & 0xc0) == 0x80)
			n--;
		crypto_base64_encode((const unsigned char *)s + off, n, enc, sizeof(enc));
		sb_printf(b, " =?UTF-8?B?%s?=%s", enc, off + n < len ? "\r\n" : "");
		off += n;
	}
	sb_printf(b, "\r\n");
}

/* One body part, base64 in 76-character lines. */
static void
smtp_part(struct sb *b, const char *boundary, const char *type, const char *body)
{
	char line[80];
	size_t len = strlen(body), off;

	sb_printf(b, "--%s\r\nContent-Type: %s; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n", boundary, type);
	for (off = 0; off < len; off += SMTP_B64_LINE) {
		crypto_base64_encode((const unsigned char *)body + off,
		    len - off > SMTP_B64_LINE ? SMTP_B64_LINE : len - off, line, sizeof(line));
		sb_printf(b, "%s\r\n", line);
	}
}

/* RFC 5322 date of t, in UTC. */
static void
smtp_date(int64_t t, char out[40])
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul",
	    "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	snprintf(out, 40, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday,
	    months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

char *
smtp_build(const struct smtp_message *m)
{
	struct sb b = { NULL, 0, 0, 0 };
	char date[40], to[SMTP_ADDRESS_MAX + 1];

	if (m->from == NULL || m->subject == NULL || m->text == NULL ||
	    m->unsubscribe_url == NULL || m->message_id == NULL || m->boundary == NULL ||
	    smtp_address(m->to, to, sizeof(to)) != 0 || smtp_has_eol(m->from) ||
	    smtp_has_eol(m->subject) || smtp_has_eol(m->unsubscribe_url) ||
	    smtp_has_eol(m->unsubscribe_mailto) || smtp_has_eol(m->message_id) ||
	    !smtp_ascii(m->from) || !smtp_ascii(m->unsubscribe_url) ||
	    !smtp_ascii(m->boundary) || strchr(m->unsubscribe_url, '>') != NULL ||
	    (m->unsubscribe_mailto != NULL && strchr(m->unsubscribe_mailto, '>') != NULL))
		return NULL;
	smtp_date(m->date, date);
	sb_printf(&b, "From: %s\r\nTo: <%s>\r\n", m->from, to);
	smtp_subject(&b, m->subject);
	sb_printf(&b, "Date: %s\r\nMessage-ID: %s\r\nMIME-Version: 1.0\r\n", date, m->message_id);
	/* RFC 2369 + RFC 8058: mail clients show an unsubscribe button, and a
	 * POST to the https link unsubscribes without a confirmation page. */
	if (m->unsubscribe_mailto != NULL && m->unsubscribe_mailto[0] != '\0')
		sb_printf(&b, "List-Unsubscribe: <%s>, <mailto:%s?subject=unsubscribe>\r\n",
		    m->unsubscribe_url, m->unsubscribe_mailto);
	else
		sb_printf(&b, "List-Unsubscribe: <%s>\r\n", m->unsubscribe_url);
	sb_printf(&b, "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n");
	sb_printf(&b, "Auto-Submitted: auto-generated\r\n");
	sb_printf(&b, "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n", m->boundary);
	sb_printf(&b, "This is a multi-part message in MIME format.\r\n");
	smtp_part(&b, m->boundary, "text/plain", m->text);
	if (m->html != NULL && m->html[0] != '\0')
		smtp_part(&b, m->boundary, "text/html", m->html);
	sb_printf(&b, "--%s--\r\n", m->boundary);
	if (b.bad) {
		free(b.buf);
		return NULL;
	}
	return b.buf;
}

struct smtp_reader {
	const char	*text;
	size_t		 len;
	size_t		 off;
};

static size_t
smtp_read(char *buf, size_t size, size_t nitems, void *arg)
{
	struct smtp_reader *r = arg;
	size_t n = size * nitems;

	if (n > r->len - r->off)
		n = r->len - r->off;
	memcpy(buf, r->text + r->off, n);
	r->off += n;
	return n;
}

/* A curl failure's class: a 5xx reply (or a refused setup) is permanent. */
static int
smtp_classify(CURLcode rc, long reply)
{
	if (reply >= 500 && reply < 600)
		return SMTP_PERMFAIL;
	switch (rc) {
	case CURLE_LOGIN_DENIED:
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
	case CURLE_USE_SSL_FAILED:
		return SMTP_PERMFAIL;
	default:
		return SMTP_TEMPFAIL;
	}
}

int
smtp_send(const struct conf *c, const char *to, const char *text, char *err, size_t errlen)
{
	CURL *e = NULL;
	struct curl_slist *rcpt = NULL;
	struct smtp_reader rd = { text, strlen(text), 0 };
	char from[SMTP_ADDRESS_MAX + 3], addr[SMTP_ADDRESS_MAX + 1], rcptbuf[SMTP_ADDRESS_MAX + 3];
	char ebuf[CURL_ERROR_SIZE] = "";
	CURLcode rc;
	long reply = 0;
	int bad = 0, result = SMTP_PERMFAIL;

	err[0] = '\0';
	if (c->smtp_url[0] == '\0') {
		snprintf(err, errlen, "smtp not configured (smtp_url)");
		return SMTP_PERMFAIL;
	}
	if (c->smtp_tls == CONF_SMTP_TLS_TLS && strncmp(c->smtp_url, "smtps://", 8) != 0) {
		/* TLS from the first byte is smtps://; smtp:// would mean STARTTLS. */
		snprintf(err, errlen, "smtp_tls = tls needs an smtps:// smtp_url");
		return SMTP_PERMFAIL;
	}
	if (smtp_address(c->mail_from, addr, sizeof(addr)) != 0) {
		snprintf(err, errlen, "mail_from is not an address");
		return SMTP_PERMFAIL;
	}
	snprintf(from, sizeof(from), "<%s>", addr);
	if (smtp_address(to, addr, sizeof(addr)) != 0) {
		snprintf(err, errlen, "recipient is not an address");
		return SMTP_PERMFAIL;
	}
	snprintf(rcptbuf, sizeof(rcptbuf), "<%s>", addr);
	if ((e = curl_easy_init()) == NULL || (rcpt = curl_slist_append(NULL, rcptbuf)) == NULL) {
		snprintf(err, errlen, "out of memory");
		result = SMTP_TEMPFAIL;
		goto out;
	}
	bad |= curl_easy_setopt(e, CURLOPT_URL, c->smtp_url) != CURLE_OK;
#if LIBCURL_VERSION_NUM >= 0x075500
	bad |= curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "smtp,smtps") != CURLE_OK;
#else
	bad |= curl_easy_setopt(e, CURLOPT_PROTOCOLS,
	    (long)(CURLPROTO_SMTP | CURLPROTO_SMTPS)) != CURLE_OK;
#endif
	/* starttls: refuse a server that cannot upgrade rather than send in clear. */
	if (c->smtp_tls != CONF_SMTP_TLS_NONE)
		bad |= curl_easy_setopt(e, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL) != CURLE_OK;
	if (c->smtp_user[0] != '\0') {
		bad |= curl_easy_setopt(e, CURLOPT_USERNAME, c->smtp_user) != CURLE_OK;
		bad |= curl_easy_setopt(e, CURLOPT_PASSWORD, c->smtp_password) != CURLE_OK;
	}
	bad |= curl_easy_setopt(e, CURLOPT_MAIL_FROM, from) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_MAIL_RCPT, rcpt) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_UPLOAD, 1L) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_READFUNCTION, smtp_read) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_READDATA, &rd) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, (curl_off_t)rd.len) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, 10L) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_TIMEOUT, (long)SMTP_TIMEOUT_SECONDS) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_ERRORBUFFER, ebuf) != CURLE_OK;
	if (bad) {
		snprintf(err, errlen, "smtp: curl setup failed");
		goto out;
	}
	rc = curl_easy_perform(e);
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &reply);
	if (rc == CURLE_OK) {
		result = SMTP_SENT;
		goto out;
	}
	result = smtp_classify(rc, reply);
	if (reply)
		snprintf(err, errlen, "smtp: %s, reply %ld",
		    ebuf[0] ? ebuf : curl_easy_strerror(rc), reply);
	else
		snprintf(err, errlen, "smtp: %s", ebuf[0] ? ebuf : curl_easy_strerror(rc));
out:
	curl_slist_free_all(rcpt);
	if (e != NULL)
		curl_easy_cleanup(e);
	return result;
}
