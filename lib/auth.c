/*
 * auth.c — key shapes, scopes, and the lookup of a presented key.
 *
 * Keys carry 32 base62 characters (~190 bits), so a plain SHA-256 is the
 * right hash: there is nothing to brute-force, and a slow hash would put a
 * KDF on every request.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth.h"
#include "crypto.h"
#include "db.h"
#include "log.h"
#include "ratelimit.h"
#include "timeutil.h"

static const struct {
	const char *name;
	unsigned bit;
} auth_scope_names[] = {
	{ "full", SCOPE_FULL },
	{ "manage", SCOPE_MANAGE },
	{ "ingest", SCOPE_INGEST },
	{ "decide", SCOPE_DECIDE },
	{ "read", SCOPE_READ },
	{ "partner", SCOPE_PARTNER },
};

#define AUTH_NSCOPES (sizeof(auth_scope_names) / sizeof(auth_scope_names[0]))

unsigned
auth_scope_bit(const char *name)
{
	size_t i;

	for (i = 0; i < AUTH_NSCOPES; i++)
		if (strcmp(auth_scope_names[i].name, name) == 0)
			return auth_scope_names[i].bit;
	return 0;
}

int
auth_scopes_parse(const char *csv, unsigned *out, int *bad)
{
	char name[32];
	const char *p = csv, *comma;
	size_t len;
	unsigned bit, bits = 0;
	int idx = 0;

	while (*p != '\0') {
		comma = strchr(p, ',');
		len = comma ? (size_t)(comma - p) : strlen(p);
		if (len == 0 || len >= sizeof(name))
			goto fail;
		memcpy(name, p, len);
		name[len] = '\0';
		if ((bit = auth_scope_bit(name)) == 0)
			goto fail;
		bits |= bit;
		idx++;
		p += len;
		if (*p == ',')
			p++;
	}
	*out = bits;
	return 0;
fail:
	if (bad != NULL)
		*bad = idx;
	return -1;
}

void
auth_scopes_format(unsigned scopes, char *buf, size_t len)
{
	size_t i, used = 0;
	int n;

	if (len == 0)
		return;
	buf[0] = '\0';
	for (i = 0; i < AUTH_NSCOPES; i++) {
		if (!(scopes & auth_scope_names[i].bit))
			continue;
		n = snprintf(buf + used, len - used, "%s%s", used ? "," : "",
		    auth_scope_names[i].name);
		if (n < 0 || (size_t)n >= len - used)
			return;
		used += (size_t)n;
	}
}

static int
auth_is_base62(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

int
auth_key_wellformed(const char *key, int *test_mode)
{
	size_t i;

	if (key == NULL || strlen(key) != AUTH_KEY_LEN)
		return 0;
	if (strncmp(key, "rt_live_", 8) == 0)
		*test_mode = 0;
	else if (strncmp(key, "rt_test_", 8) == 0)
		*test_mode = 1;
	else
		return 0;
	for (i = 8; i < AUTH_KEY_LEN; i++)
		if (!auth_is_base62(key[i]))
			return 0;
	return 1;
}

int
auth_key_generate(int test_mode, char *out)
{
	memcpy(out, test_mode ? "rt_test_" : "rt_live_", 8);
	return crypto_random_base62(out + 8, AUTH_KEY_RANDOM_LEN);
}

static struct db_stmt auth_lookup = DB_STMT(
    "SELECT k.id, k.tenant_id, k.scopes, k.mode, k.revoked_at IS NOT NULL, "
    "  k.last_used_at IS NULL OR k.last_used_at < ? - INTERVAL 60 SECOND, "
    "  t.role, IFNULL(t.parent_tenant_id, ''), t.plan_tier, "
    "  t.api_limit_override, t.track_limit_override "
    "FROM api_keys k JOIN tenants t ON t.id = k.tenant_id "
    "WHERE k.key_hash = ?");

static struct db_stmt auth_touch = DB_STMT(
    "UPDATE api_keys SET last_used_at = ? WHERE id = ?");

void
auth_set_limits(struct auth *out, const char *api_override, const char *track_override)
{
	out->api_limit = api_override ? strtoll(api_override, NULL, 10) :
	    ratelimit_plan_limit(out->plan, RL_API);
	out->track_limit = track_override ? strtoll(track_override, NULL, 10) :
	    ratelimit_plan_limit(out->plan, RL_TRACK);
	if (out->api_limit < 0)
		out->api_limit = ratelimit_plan_limit("starter", RL_API);
	if (out->track_limit < 0)
		out->track_limit = ratelimit_plan_limit("starter", RL_TRACK);
}

enum auth_result
auth_authenticate(const char *authorization, int64_t now, struct auth *out)
{
	char hash[65], nowsql[20];
	const char *key;
	int test_mode, stale;
	enum auth_result rc = AUTH_ERROR;
	const struct db_stmt *s = &auth_lookup;

	memset(out, 0, sizeof(*out));
	if (authorization == NULL || strncasecmp(authorization, "Bearer ", 7) != 0)
		return AUTH_MISSING;
	key = authorization + 7;
	while (*key == ' ')
		key++;
	if (!auth_key_wellformed(key, &test_mode))
		return AUTH_MALFORMED;
	crypto_sha256_hex(key, strlen(key), hash);
	time_format_sql(now, nowsql);
	if (db_exec(&auth_lookup, "ss", nowsql, hash) != 0)
		return AUTH_ERROR;
	switch (db_fetch(&auth_lookup)) {
	case 0:
		rc = AUTH_UNKNOWN;
		goto out;
	case -1:
		goto out;
	}
	if (db_col_int(s, 4)) {
		rc = AUTH_REVOKED;
		goto out;
	}
	db_col_copy(s, 0, out->key_id, sizeof(out->key_id));
	db_col_copy(s, 1, out->tenant_id, sizeof(out->tenant_id));
	if (auth_scopes_parse(db_col(s, 2), &out->scopes, NULL) != 0) {
		log_err("auth: key %s has unknown scopes", out->key_id);
		goto out;
	}
	out->test_mode = strcmp(db_col(s, 3), "test") == 0;
	stale = (int)db_col_int(s, 5);
	db_col_copy(s, 6, out->tenant_role, sizeof(out->tenant_role));
	db_col_copy(s, 7, out->parent_tenant_id, sizeof(out->parent_tenant_id));
	db_col_copy(s, 8, out->plan, sizeof(out->plan));
	auth_set_limits(out, db_col(s, 9), db_col(s, 10));
	db_done(&auth_lookup);
	if (stale && db_exec(&auth_touch, "ss", nowsql, out->key_id) == 0)
		db_done(&auth_touch);
	return AUTH_OK;
out:
	db_done(&auth_lookup);
	return rc;
}
