/*
 * test_smtp.c — the pure parts of email delivery: addresses, the message
 * builder (headers, RFC 2047 subject, base64 parts, refusal of header
 * injection), the retry schedule of lib/intervention_send.h and the smtp
 * configuration keys.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "crypto.h"
#include "intervention_send.h"
#include "smtp.h"
#include "tap.h"

static const struct {
	const char	*desc;
	const char	*in;
	const char	*want;		/* NULL: refused */
} addresses[] = {
	{ "bare address", "a@b.example", "a@b.example" },
	{ "bare address with spaces around", "  a@b.example ", "a@b.example" },
	{ "name and angle address", "Retivo Team <team@retivo.example>", "team@retivo.example" },
	{ "quoted name with a comma", "\"Doe, J\" <j@x.example>", "j@x.example" },
	{ "no at sign", "nobody", NULL },
	{ "two at signs", "a@b@c", NULL },
	{ "nothing before the at", "@b.example", NULL },
	{ "nothing after the at", "a@", NULL },
	{ "CR LF injection", "a@b.example\r\nBcc: x@y", NULL },
	{ "space inside", "a b@c.example", NULL },
	{ "unclosed angle", "Name <a@b.example", NULL },
	{ "empty", "", NULL },
	{ "empty angle", "Name <>", NULL },
};

/* A message with every field set; tests change one field at a time. */
static struct smtp_message
base_message(void)
{
	struct smtp_message m;

	memset(&m, 0, sizeof(m));
	m.from = "Retivo <r@retivo.example>";
	m.to = "user@example.com";
	m.subject = "A tip for you";
	m.text = "Hello\n.\nbye";
	m.html = "<p>Hello</p>";
	m.unsubscribe_url = "https://r.example/unsubscribe?token=v1.abc";
	m.message_id = "<abc@retivo.example>";
	m.boundary = "=_b1";
	m.date = 1790000000;	/* 2026-09-21T14:13:20Z, a Monday */
	return m;
}

static const struct {
	const char	*desc;
	int		 field;		/* which field gets the bad value */
	const char	*value;
} refusals[] = {
	{ "CR LF in the subject", 0, "Hi\r\nBcc: victim@example.com" },
	{ "LF in the from", 1, "r@retivo.example\nBcc: v@example.com" },
	{ "a bad recipient", 2, "not an address" },
	{ "'>' in the unsubscribe URL", 3, "https://r.example/u>x" },
	{ "CR in the Message-ID", 4, "<a@b>\r" },
	{ "no unsubscribe URL", 3, NULL },
};

static void
test_refusals(void)
{
	struct smtp_message m;
	size_t i;
	char *out;

	for (i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
		m = base_message();
		if (refusals[i].field == 0)
			m.subject = refusals[i].value;
		else if (refusals[i].field == 1)
			m.from = refusals[i].value;
		else if (refusals[i].field == 2)
			m.to = refusals[i].value;
		else if (refusals[i].field == 3)
			m.unsubscribe_url = refusals[i].value;
		else
			m.message_id = refusals[i].value;
		out = smtp_build(&m);
		ok(out == NULL, "build refuses %s", refusals[i].desc);
		free(out);
	}
}

/* The base64 body between the part's blank line and the next boundary. */
static int
part_decodes_to(const char *msg, const char *type, const char *want)
{
	const char *p = strstr(msg, type), *b, *e;
	char clean[4096], dec[4096];
	size_t n = 0;
	ssize_t got;

	if (p == NULL || (b = strstr(p, "\r\n\r\n")) == NULL || (e = strstr(b, "\r\n--=_b1")) == NULL)
		return 0;
	for (b += 4; b < e && n + 1 < sizeof(clean); b++)
		if (*b != '\r' && *b != '\n')
			clean[n++] = *b;
	got = crypto_base64_decode(clean, n, (unsigned char *)dec, sizeof(dec) - 1);
	if (got < 0)
		return 0;
	dec[got] = '\0';
	return strcmp(dec, want) == 0;
}

static void
test_build(void)
{
	struct smtp_message m = base_message();
	char *out = smtp_build(&m), *p;
	char longtext[3000];
	int longest = 0, cur = 0;

	ok(out != NULL, "build: a complete message");
	if (out == NULL)
		return;
	ok(strstr(out, "From: Retivo <r@retivo.example>\r\n") != NULL, "From header");
	ok(strstr(out, "To: <user@example.com>\r\n") != NULL, "To header, bare address");
	ok(strstr(out, "Subject: A tip for you\r\n") != NULL, "ASCII subject as is");
	ok(strstr(out, "Date: Mon, 21 Sep 2026 14:13:20 +0000\r\n") != NULL, "RFC 5322 date in UTC");
	ok(strstr(out, "Message-ID: <abc@retivo.example>\r\n") != NULL, "Message-ID header");
	ok(strstr(out, "List-Unsubscribe: <https://r.example/unsubscribe?token=v1.abc>\r\n") != NULL,
	    "List-Unsubscribe with the https link");
	ok(strstr(out, "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n") != NULL,
	    "RFC 8058 one-click header");
	ok(strstr(out, "Content-Type: multipart/alternative; boundary=\"=_b1\"\r\n") != NULL,
	    "multipart/alternative with the boundary");
	ok(part_decodes_to(out, "text/plain", "Hello\n.\nbye"), "text part decodes to the text");
	ok(part_decodes_to(out, "text/html", "<p>Hello</p>"), "HTML part decodes to the HTML");
	ok(strstr(out, "--=_b1--\r\n") != NULL, "closing boundary");
	free(out);

	m.unsubscribe_mailto = "unsub@retivo.example";
	out = smtp_build(&m);
	ok(out && strstr(out, "List-Unsubscribe: <https://r.example/unsubscribe?token=v1.abc>, "
	    "<mailto:unsub@retivo.example?subject=unsubscribe>\r\n"), "List-Unsubscribe with mailto");
	free(out);

	m = base_message();
	m.html = NULL;
	out = smtp_build(&m);
	ok(out && strstr(out, "text/html") == NULL && strstr(out, "text/plain"),
	    "no HTML: a text part only");
	free(out);

	m = base_message();
	m.subject = "Bonjour Zo\xc3\xab \xe2\x80\x94 votre essai se termine bient\xc3\xb4t, "
	    "d\xc3\xa9" "couvrez les fonctions avanc\xc3\xa9" "es";
	out = smtp_build(&m);
	ok(out && strstr(out, "Subject: =?UTF-8?B?") != NULL, "non-ASCII subject: encoded-words");
	ok(out && strstr(out, "?=\r\n =?UTF-8?B?") != NULL, "a long one folds into several words");
	free(out);

	memset(longtext, 'x', sizeof(longtext) - 1);
	longtext[sizeof(longtext) - 1] = '\0';
	m = base_message();
	m.text = longtext;
	out = smtp_build(&m);
	for (p = out; p && *p; p++) {
		cur = *p == '\n' ? 0 : cur + 1;
		if (cur > longest)
			longest = cur;
	}
	ok(out && longest <= 998 && longest > 0, "a 3000-character line leaves no line over "
	    "998 octets (longest %d)", longest);
	free(out);
}

static void
test_ids_and_backoff(void)
{
	static const struct {
		unsigned	attempts;
		long long	wait;
	} waits[] = { { 0, -1 }, { 1, 60 }, { 2, 300 }, { 3, 1800 }, { 4, 7200 }, { 5, -1 },
	    { 6, -1 } };
	char id1[SMTP_MESSAGE_ID_MAX], id2[SMTP_MESSAGE_ID_MAX];
	size_t i;

	ok(smtp_message_id("Team <t@retivo.example>", id1, sizeof(id1)) == 0 &&
	    id1[0] == '<' && strstr(id1, "@retivo.example>") != NULL, "Message-ID on the "
	    "sender's domain: %s", id1);
	ok(smtp_message_id("Team <t@retivo.example>", id2, sizeof(id2)) == 0 &&
	    strcmp(id1, id2) != 0, "Message-IDs are unique");
	ok(smtp_message_id("", id2, sizeof(id2)) == 0 && strstr(id2, "@retivo.invalid>"),
	    "no sender: retivo.invalid");
	for (i = 0; i < sizeof(waits) / sizeof(waits[0]); i++)
		ok(isend_backoff(waits[i].attempts) == waits[i].wait,
		    "backoff after attempt %u: %lld", waits[i].attempts, waits[i].wait);
}

static void
test_conf_keys(void)
{
	struct conf c;
	char err[256];

	conf_defaults(&c);
	ok(c.smtp_tls == CONF_SMTP_TLS_STARTTLS && c.smtp_url[0] == '\0',
	    "defaults: no SMTP server, STARTTLS required");
	ok(conf_parse(&c, "smtp_url = smtps://mail.example:465\nsmtp_tls = tls\nsmtp_user = u\n"
	    "smtp_password = p w\nmail_from = R <r@x.example>\npublic_url = https://r.example\n",
	    err, sizeof(err)) == 0, "parse: the smtp keys");
	ok(strcmp(c.smtp_url, "smtps://mail.example:465") == 0 && c.smtp_tls == CONF_SMTP_TLS_TLS &&
	    strcmp(c.smtp_password, "p w") == 0 && strcmp(c.public_url, "https://r.example") == 0,
	    "values set");
	ok(conf_parse(&c, "smtp_tls = none\n", err, sizeof(err)) == 0 &&
	    c.smtp_tls == CONF_SMTP_TLS_NONE, "smtp_tls = none");
	ok(conf_parse(&c, "smtp_tls = maybe\n", err, sizeof(err)) == -1 && strstr(err, "smtp_tls"),
	    "smtp_tls refuses other words: %s", err);
}

int
main(void)
{
	char out[300];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(addresses) / sizeof(addresses[0]); i++) {
		rc = smtp_address(addresses[i].in, out, sizeof(out));
		if (addresses[i].want == NULL)
			ok(rc == -1, "address refused: %s", addresses[i].desc);
		else
			ok(rc == 0 && strcmp(out, addresses[i].want) == 0, "address: %s -> %s",
			    addresses[i].desc, rc == 0 ? out : "(refused)");
	}
	test_refusals();
	test_build();
	test_ids_and_backoff();
	test_conf_keys();
	return tap_done();
}
