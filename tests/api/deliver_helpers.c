/*
 * deliver_helpers.c — see deliver_helpers.h. Ids and addresses here need
 * no SQL quoting (letters, digits, '-', '_', '@', '.').
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "deliver_helpers.h"
#include "ids.h"

const char *
dh_suffix(void)
{
	static char s[32];

	if (s[0] == '\0')
		snprintf(s, sizeof(s), "p%ld", (long)getpid());
	return s;
}

int
dh_user(const char *tenant, const char *user_id, const char *email)
{
	char em[400];

	if (email != NULL)
		snprintf(em, sizeof(em), "'%s'", email);
	else
		snprintf(em, sizeof(em), "NULL");
	return sql_query(NULL, 0, "INSERT INTO users (tenant_id, user_id, email, traits, "
	    "first_seen_at, last_activity_at, created_at, updated_at, lifecycle_stage, risk_level) "
	    "VALUES ('%s', '%s', %s, '{}', NOW(), NOW(), NOW(), NOW(), 'active', 'low');",
	    tenant, user_id, em) == 0 ? 0 : -1;
}

int
dh_int(char *id, const char *tenant, const char *user_id, const char *channel,
    const char *planned, int test_mode, int shadow)
{
	if (id_new("int", id, 48) != 0)
		return -1;
	return sql_query(NULL, 0, "INSERT INTO interventions (id, tenant_id, user_id, status, "
	    "channel, source, subject, message_body, message_html, reasoning, confidence, "
	    "test_mode, shadow, planned_at, next_attempt_at, created_at, updated_at) VALUES "
	    "('%s', '%s', '%s', 'approved', '%s', 'manual', 'Bonjour Zo\xc3\xab, a tip for you', "
	    "'Hi there,\\nhere is a tip.\\n.\\nA line with a lone dot above.', "
	    "'<p>Hi there,</p><p>here is a tip.</p>', 'test reasoning', 0.7, %d, %d, '%s', '%s', "
	    "NOW(), NOW());", id, tenant, user_id, channel, test_mode, shadow, planned,
	    planned) == 0 ? 0 : -1;
}

const char *
dh_col(const char *id, const char *col)
{
	static char out[1024];

	if (sql_query(out, sizeof(out), "SELECT IFNULL(%s, 'NULL') FROM interventions "
	    "WHERE id = '%s';", col, id) != 0)
		snprintf(out, sizeof(out), "(sql failed)");
	return out;
}

long long
dh_moves(const char *id, const char *from, const char *to)
{
	if (from[0] == '\0')
		return sql_int("SELECT COUNT(*) FROM intervention_history WHERE intervention_id = '%s' "
		    "AND to_status = '%s';", id, to);
	return sql_int("SELECT COUNT(*) FROM intervention_history WHERE intervention_id = '%s' "
	    "AND from_status = '%s' AND to_status = '%s';", id, from, to);
}

long
dh_kill(const char *key, int on)
{
	struct resp r;
	long status;

	api(&r, "PUT", "/api/settings/kill-switch", key, "{\"active\":%s}", on ? "true" : "false");
	status = r.status;
	resp_free(&r);
	return status;
}
