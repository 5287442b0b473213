/*
 * conf.h — the settings every binary reads: database, master key for
 * secrets at rest, environment. A file of "key = value" lines
 * (RETIVO_CONFIG, else /etc/retivo/retivo.conf), then RETIVO_* environment
 * variables override single keys, so a container or a test can change one
 * setting without writing a file.
 */
#ifndef RETIVO_CONF_H
#define RETIVO_CONF_H

#include <stddef.h>

struct conf {
	char		db_host[256];
	unsigned	db_port;
	char		db_socket[512];
	char		db_user[128];
	char		db_password[256];
	char		db_name[128];
	unsigned char	master_key[32];
	int		have_master_key;
	char		env[32];		/* production, development or test */
	int		allow_private_targets;	/* webhooks to loopback/private addresses */
	char		schema_dir[512];
	/* Email (lib/smtp.h): empty smtp_url = email not configured. */
	char		smtp_url[512];
	int		smtp_tls;		/* CONF_SMTP_TLS_* */
	char		smtp_user[256];
	char		smtp_password[256];
	char		mail_from[320];
	char		public_url[512];	/* origin of the /unsubscribe links */
	/* LLM drafting (lib/llm.h): empty llm_url = off, templates only. */
	char		llm_url[512];
	char		llm_api_key[256];
	char		llm_model[128];
	unsigned	llm_timeout_ms;		/* 1..120000, default 8000 */
};

#define CONF_SMTP_TLS_NONE	0
#define CONF_SMTP_TLS_STARTTLS	1	/* the default */
#define CONF_SMTP_TLS_TLS	2

/*
 * Sets one key from its text value. Returns 0, or -1 with a message in err
 * naming the key (unknown key, value too long, bad master key).
 */
int conf_set(struct conf *c, const char *key, const char *value, char *err, size_t errlen);

/* Fills c with built-in defaults. */
void conf_defaults(struct conf *c);

/*
 * Parses the text of a config file into c (on top of what c holds).
 * Returns 0, or -1 with "line N: reason" in err.
 */
int conf_parse(struct conf *c, const char *text, char *err, size_t errlen);

/*
 * Loads the process configuration once (file, then environment) and
 * returns it; later calls return the same object. Returns NULL, having
 * logged why, when the file is unreadable or malformed.
 */
const struct conf *conf_get(void);

#endif
