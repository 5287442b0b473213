/*
 * mail_client.h — reading the emails the loopback SMTP sink stored
 * (tests/api/smtp_sink.py writes one file per message under
 * RETIVO_MAILDIR, envelope first as X-Envelope-From / X-Envelope-To) and
 * taking them apart: headers (unfolded, case-insensitive lookup) and the
 * decoded text and HTML parts of a multipart/alternative message.
 */
#ifndef RETIVO_TEST_MAIL_CLIENT_H
#define RETIVO_TEST_MAIL_CLIENT_H

#include <stddef.h>

struct mail {
	char	*raw;		/* the file as stored */
	char	*headers;	/* the header block, unfolded, "\n"-separated */
	char	*text;		/* the decoded text/plain part, "" when none */
	char	*html;		/* the decoded text/html part, "" when none */
	char	 file[512];
};

/* How many stored messages the server was asked to deliver to `to`
 * (an exact envelope recipient); -1 when RETIVO_MAILDIR is unreadable. */
int mail_count(const char *to);

/* The newest message to `to` into m (mail_free()). 1 found, 0 none, -1. */
int mail_find(const char *to, struct mail *m);

/* A header's value (first of that name), copied into out; NULL when absent. */
const char *mail_header(const struct mail *m, const char *name, char *out, size_t outlen);

void mail_free(struct mail *m);

#endif
