/*
 * customers_helpers.c — what the customers suite's two files share
 * (test_customers.c and test_unsubscribe.c): users made and read directly
 * in the database through RETIVO_SQL, and small readers of API answers.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "client.h"
#include "customers_helpers.h"

/* Makes a tracked user with the given stage and risk (ids here need no quoting). */
int
add_user(const char *tenant, const char *user_id, const char *stage, const char *risk)
{
	return sql_query(NULL, 0, "INSERT INTO users (tenant_id, user_id, traits, first_seen_at, "
	    "last_activity_at, created_at, updated_at, lifecycle_stage, risk_level) VALUES "
	    "('%s', '%s', '{}', NOW(), NOW(), NOW(), NOW(), '%s', '%s');",
	    tenant, user_id, stage, risk);
}

/* One column of one user's row, as text ("NULL" for NULL). */
const char *
user_col(const char *tenant, const char *user_id, const char *col)
{
	static char out[256];

	if (sql_query(out, sizeof(out), "SELECT IFNULL(%s, 'NULL') FROM users "
	    "WHERE tenant_id = '%s' AND user_id = '%s';", col, tenant, user_id) != 0)
		snprintf(out, sizeof(out), "(sql failed)");
	return out;
}

/* Percent-encodes everything but RFC 3986's unreserved characters. */
const char *
enc(const char *s)
{
	static char out[1024];
	size_t o = 0;

	for (; *s && o + 4 < sizeof(out); s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~')
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, sizeof(out) - o, "%%%02X", c);
	}
	out[o] = '\0';
	return out;
}

/* Checks one validation failure: 400 with "field" naming it and the message starting so. */
int
names_field(const struct resp *r, const char *field)
{
	const char *f = jstr(r, "field"), *e = jstr(r, "error");

	return r->status == 400 && f != NULL && strcmp(f, field) == 0 && e != NULL &&
	    strncmp(e, field, strlen(field)) == 0;
}
