/*
 * conf.c — reading the configuration file and its environment overrides.
 * The parser is pure (text in, struct out) so it is unit-tested without
 * files; conf_get() is the only part that touches the file system.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "crypto.h"
#include "log.h"

#ifndef RETIVO_SYSCONFDIR
#define RETIVO_SYSCONFDIR "/etc"
#endif
#ifndef RETIVO_SCHEMADIR
#define RETIVO_SCHEMADIR "/usr/share/retivo/schema"
#endif

void
conf_defaults(struct conf *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->db_host, sizeof(c->db_host), "localhost");
	snprintf(c->db_user, sizeof(c->db_user), "retivo");
	snprintf(c->db_name, sizeof(c->db_name), "retivo");
	snprintf(c->env, sizeof(c->env), "production");
	snprintf(c->schema_dir, sizeof(c->schema_dir), "%s", RETIVO_SCHEMADIR);
	c->smtp_tls = CONF_SMTP_TLS_STARTTLS;
	snprintf(c->llm_model, sizeof(c->llm_model), "gpt-4o-mini");
	c->llm_timeout_ms = 8000;
}

static int
conf_copy(char *dst, size_t dstlen, const char *key, const char *value, char *err, size_t errlen)
{
	if (strlen(value) >= dstlen) {
		snprintf(err, errlen, "%s: value too long", key);
		return -1;
	}
	memcpy(dst, value, strlen(value) + 1);
	return 0;
}

int
conf_set(struct conf *c, const char *key, const char *value, char *err, size_t errlen)
{
	char *end;
	unsigned long port;

	if (strcmp(key, "db_host") == 0)
		return conf_copy(c->db_host, sizeof(c->db_host), key, value, err, errlen);
	if (strcmp(key, "db_socket") == 0)
		return conf_copy(c->db_socket, sizeof(c->db_socket), key, value, err, errlen);
	if (strcmp(key, "db_user") == 0)
		return conf_copy(c->db_user, sizeof(c->db_user), key, value, err, errlen);
	if (strcmp(key, "db_password") == 0)
		return conf_copy(c->db_password, sizeof(c->db_password), key, value, err, errlen);
	if (strcmp(key, "db_name") == 0)
		return conf_copy(c->db_name, sizeof(c->db_name), key, value, err, errlen);
	if (strcmp(key, "schema_dir") == 0)
		return conf_copy(c->schema_dir, sizeof(c->schema_dir), key, value, err, errlen);
	if (strcmp(key, "smtp_url") == 0)
		return conf_copy(c->smtp_url, sizeof(c->smtp_url), key, value, err, errlen);
	if (strcmp(key, "smtp_user") == 0)
		return conf_copy(c->smtp_user, sizeof(c->smtp_user), key, value, err, errlen);
	if (strcmp(key, "smtp_password") == 0)
		return conf_copy(c->smtp_password, sizeof(c->smtp_password), key, value, err, errlen);
	if (strcmp(key, "mail_from") == 0)
		return conf_copy(c->mail_from, sizeof(c->mail_from), key, value, err, errlen);
	if (strcmp(key, "public_url") == 0)
		return conf_copy(c->public_url, sizeof(c->public_url), key, value, err, errlen);
	if (strcmp(key, "llm_url") == 0)
		return conf_copy(c->llm_url, sizeof(c->llm_url), key, value, err, errlen);
	if (strcmp(key, "llm_api_key") == 0)
		return conf_copy(c->llm_api_key, sizeof(c->llm_api_key), key, value, err, errlen);
	if (strcmp(key, "llm_model") == 0)
		return conf_copy(c->llm_model, sizeof(c->llm_model), key, value, err, errlen);
	if (strcmp(key, "llm_timeout_ms") == 0) {
		errno = 0;
		port = strtoul(value, &end, 10);
		if (errno || *value == '\0' || *end != '\0' || port < 1 || port > 120000) {
			snprintf(err, errlen, "llm_timeout_ms: must be 1..120000");
			return -1;
		}
		c->llm_timeout_ms = (unsigned)port;
		return 0;
	}
	if (strcmp(key, "smtp_tls") == 0) {
		if (strcmp(value, "none") == 0)
			c->smtp_tls = CONF_SMTP_TLS_NONE;
		else if (strcmp(value, "starttls") == 0)
			c->smtp_tls = CONF_SMTP_TLS_STARTTLS;
		else if (strcmp(value, "tls") == 0)
			c->smtp_tls = CONF_SMTP_TLS_TLS;
		else {
			snprintf(err, errlen, "smtp_tls: must be none, starttls or tls");
			return -1;
		}
		return 0;
	}
	if (strcmp(key, "env") == 0) {
		if (strcmp(value, "production") != 0 && strcmp(value, "development") != 0 &&
		    strcmp(value, "test") != 0) {
			snprintf(err, errlen, "env: must be production, development or test");
			return -1;
		}
		return conf_copy(c->env, sizeof(c->env), key, value, err, errlen);
	}
	if (strcmp(key, "db_port") == 0) {
		errno = 0;
		port = strtoul(value, &end, 10);
		if (errno || *value == '\0' || *end != '\0' || port > 65535) {
			snprintf(err, errlen, "db_port: not a port number");
			return -1;
		}
		c->db_port = (unsigned)port;
		return 0;
	}
	if (strcmp(key, "allow_private_targets") == 0) {
		if (strcmp(value, "yes") == 0 || strcmp(value, "true") == 0 || strcmp(value, "1") == 0)
			c->allow_private_targets = 1;
		else if (strcmp(value, "no") == 0 || strcmp(value, "false") == 0 || strcmp(value, "0") == 0)
			c->allow_private_targets = 0;
		else {
			snprintf(err, errlen, "allow_private_targets: must be yes or no");
			return -1;
		}
		return 0;
	}
	if (strcmp(key, "master_key") == 0) {
		if (crypto_master_key_parse(value, c->master_key) != 0) {
			snprintf(err, errlen, "master_key: must be 64 hex characters");
			return -1;
		}
		c->have_master_key = 1;
		return 0;
	}
	snprintf(err, errlen, "%s: unknown key", key);
	return -1;
}

/* Trims ASCII space at both ends in place; returns the trimmed start. */
static char *
conf_trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

int
conf_parse(struct conf *c, const char *text, char *err, size_t errlen)
{
	char *copy, *line, *save = NULL, *eq, *key, *value;
	char msg[256];
	int lineno = 0, rc = -1;

	if ((copy = strdup(text)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	/* strtok_r would merge empty lines and break line numbers. */
	for (line = copy; line != NULL; line = save) {
		save = strchr(line, '\n');
		if (save != NULL)
			*save++ = '\0';
		lineno++;
		key = conf_trim(line);
		if (*key == '\0' || *key == '#')
			continue;
		if ((eq = strchr(key, '=')) == NULL) {
			snprintf(err, errlen, "line %d: expected key = value", lineno);
			goto out;
		}
		*eq = '\0';
		value = conf_trim(eq + 1);
		key = conf_trim(key);
		if (conf_set(c, key, value, msg, sizeof(msg)) != 0) {
			snprintf(err, errlen, "line %d: %s", lineno, msg);
			goto out;
		}
	}
	rc = 0;
out:
	free(copy);
	return rc;
}

static struct conf conf_process;
static int conf_loaded;

static const struct {
	const char *env;
	const char *key;
} conf_env[] = {
	{ "RETIVO_DB_HOST", "db_host" },
	{ "RETIVO_DB_PORT", "db_port" },
	{ "RETIVO_DB_SOCKET", "db_socket" },
	{ "RETIVO_DB_USER", "db_user" },
	{ "RETIVO_DB_PASSWORD", "db_password" },
	{ "RETIVO_DB_NAME", "db_name" },
	{ "RETIVO_MASTER_KEY", "master_key" },
	{ "RETIVO_ENV", "env" },
	{ "RETIVO_ALLOW_PRIVATE_TARGETS", "allow_private_targets" },
	{ "RETIVO_SCHEMA_DIR", "schema_dir" },
	{ "RETIVO_SMTP_URL", "smtp_url" },
	{ "RETIVO_SMTP_TLS", "smtp_tls" },
	{ "RETIVO_SMTP_USER", "smtp_user" },
	{ "RETIVO_SMTP_PASSWORD", "smtp_password" },
	{ "RETIVO_MAIL_FROM", "mail_from" },
	{ "RETIVO_PUBLIC_URL", "public_url" },
	{ "RETIVO_LLM_URL", "llm_url" },
	{ "RETIVO_LLM_API_KEY", "llm_api_key" },
	{ "RETIVO_LLM_MODEL", "llm_model" },
	{ "RETIVO_LLM_TIMEOUT_MS", "llm_timeout_ms" },
};

const struct conf *
conf_get(void)
{
	const char *path, *v;
	char err[512], *text = NULL;
	FILE *f = NULL;
	long len;
	size_t i;
	const struct conf *rc = NULL;

	if (conf_loaded)
		return &conf_process;
	conf_defaults(&conf_process);
	if ((path = getenv("RETIVO_CONFIG")) == NULL || *path == '\0')
		path = RETIVO_SYSCONFDIR "/retivo/retivo.conf";
	if ((f = fopen(path, "r")) == NULL) {
		/* A missing file is fine when the environment says everything. */
		if (errno != ENOENT) {
			log_err("config %s: %s", path, strerror(errno));
			goto out;
		}
	} else {
		if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 ||
		    fseek(f, 0, SEEK_SET) != 0 || len > 1 << 20) {
			log_err("config %s: cannot read", path);
			goto out;
		}
		if ((text = calloc(1, (size_t)len + 1)) == NULL ||
		    fread(text, 1, (size_t)len, f) != (size_t)len) {
			log_err("config %s: cannot read", path);
			goto out;
		}
		if (conf_parse(&conf_process, text, err, sizeof(err)) != 0) {
			log_err("config %s: %s", path, err);
			goto out;
		}
	}
	for (i = 0; i < sizeof(conf_env) / sizeof(conf_env[0]); i++) {
		if ((v = getenv(conf_env[i].env)) == NULL)
			continue;
		if (conf_set(&conf_process, conf_env[i].key, v, err, sizeof(err)) != 0) {
			log_err("environment %s: %s", conf_env[i].env, err);
			goto out;
		}
	}
	conf_loaded = 1;
	rc = &conf_process;
out:
	if (f != NULL)
		fclose(f);
	free(text);
	return rc;
}
