/*
 * smtp.h — email for the deliver job: building the RFC 5322 message
 * (multipart/alternative text + HTML, List-Unsubscribe and RFC 8058
 * one-click headers, a Message-ID) and handing it to an SMTP server with
 * libcurl.
 *
 * Configuration (lib/conf.h, conf/retivo.conf.example):
 *   smtp_url       smtp://host:port (plain or STARTTLS) or smtps://host:port
 *                  (TLS from the first byte); empty = email is not configured
 *   smtp_tls       none | starttls | tls (default starttls: required, so a
 *                  server without STARTTLS is refused; tls needs smtps://;
 *                  "none" only for a loopback test sink)
 *   smtp_user, smtp_password   AUTH credentials; empty = no AUTH
 *   mail_from      the envelope and From address, "Name <addr>" or "addr"
 *   public_url     the public origin of this Retivo (https://retivo.example),
 *                  prefix of the /unsubscribe links in emails
 *
 * The builder is pure (unit-tested); only smtp_send() does I/O.
 */
#ifndef RETIVO_SMTP_H
#define RETIVO_SMTP_H

#include <stddef.h>
#include <stdint.h>

struct conf;

#define SMTP_MESSAGE_ID_MAX	128
#define SMTP_TIMEOUT_SECONDS	30

/* What one email is made of; every string borrowed. */
struct smtp_message {
	const char	*from;		/* "Name <addr>" or "addr" */
	const char	*to;		/* one address */
	const char	*subject;	/* UTF-8; encoded (RFC 2047) when not ASCII */
	const char	*text;		/* the text/plain part */
	const char	*html;		/* the text/html part, NULL for text only */
	const char	*unsubscribe_url;	/* https://…/unsubscribe?token=… */
	const char	*unsubscribe_mailto;	/* mailto: address, NULL when none */
	const char	*message_id;	/* "<…@…>", from smtp_message_id() */
	const char	*boundary;	/* the MIME boundary: random, no message text */
	int64_t		 date;		/* the Date header */
};

/*
 * Writes a fresh Message-ID "<hex@domain>" into out (SMTP_MESSAGE_ID_MAX
 * bytes), domain taken from the from address (else "retivo.invalid").
 * Returns 0 or -1.
 */
int smtp_message_id(const char *from, char *out, size_t outlen);

/* The bare address of "Name <addr>" or "addr" into out; 0, or -1 when it
 * is not a plausible address (no '@', CR/LF, too long). Pure. */
int smtp_address(const char *from, char *out, size_t outlen);

/*
 * The whole message as CRLF text (headers, blank line, body; lines dot-
 * safe is curl's job). A header value with CR or LF is refused (header
 * injection). Returns malloc'd text (caller frees), NULL when a field is
 * unusable or out of memory. Pure.
 */
char *smtp_build(const struct smtp_message *m);

/* What one send came to. */
#define SMTP_SENT	0	/* the server accepted the message */
#define SMTP_TEMPFAIL	1	/* connection, timeout or 4xx: retry later */
#define SMTP_PERMFAIL	2	/* 5xx or unusable config/address: give up */

/*
 * Sends the message text (from smtp_build()) from c->mail_from to `to`
 * over c->smtp_url with c's TLS mode and credentials, within
 * SMTP_TIMEOUT_SECONDS. Returns SMTP_SENT / SMTP_TEMPFAIL / SMTP_PERMFAIL,
 * with a reason (no secrets) in err on failure.
 */
int smtp_send(const struct conf *c, const char *to, const char *text, char *err,
    size_t errlen);

#endif
