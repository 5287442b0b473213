/*
 * apikey.c — keys as stored rows. Reads always carry tenant_id = ?, so one
 * tenant can never name another's key.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "apikey.h"
#include "crypto.h"
#include "db.h"
#include "ids.h"
#include "jsonout.h"
#include "log.h"
#include "page.h"
#include "timeutil.h"

#define APIKEY_COLS "id, label, mode, scopes, prefix, created_at, last_used_at, revoked_at"

static struct db_stmt apikey_insert = DB_STMT(
    "INSERT INTO api_keys (id, tenant_id, label, mode, scopes, prefix, key_hash, created_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");

static struct db_stmt apikey_select = DB_STMT(
    "SELECT " APIKEY_COLS " FROM api_keys WHERE tenant_id = ? AND id = ?");

static struct db_stmt apikey_page = DB_STMT(
    "SELECT " APIKEY_COLS " FROM api_keys WHERE tenant_id = ? "
    "AND (? IS NULL OR seq < "
    "  (SELECT c.seq FROM api_keys c WHERE c.tenant_id = ? AND c.id = ?)) "
    "ORDER BY seq DESC LIMIT ?");

static struct db_stmt apikey_revoke_stmt = DB_STMT(
    "UPDATE api_keys SET revoked_at = IFNULL(revoked_at, ?) WHERE tenant_id = ? AND id = ?");

static struct json_object *
apikey_row_json(const struct db_stmt *s)
{
	struct json_object *o = json_object_new_object(), *scopes;
	char buf[200], *p, *save = NULL;

	jo_str(o, "id", db_col(s, 0));
	jo_str(o, "label", db_col(s, 1));
	jo_str(o, "mode", db_col(s, 2));
	scopes = json_object_new_array();
	snprintf(buf, sizeof(buf), "%s", db_col(s, 3) ? db_col(s, 3) : "");
	for (p = strtok_r(buf, ",", &save); p != NULL; p = strtok_r(NULL, ",", &save))
		json_object_array_add(scopes, json_object_new_string(p));
	json_object_object_add(o, "scopes", scopes);
	jo_str(o, "prefix", db_col(s, 4));
	jo_time(o, "created_at", db_col(s, 5));
	jo_time(o, "last_used_at", db_col(s, 6));
	jo_time(o, "revoked_at", db_col(s, 7));
	return o;
}

int
apikey_create(const char *tenant_id, const char *label, int test_mode, unsigned scopes,
    int64_t now, char *key_out, struct json_object **json_out)
{
	char id[48], hash[65], prefix[AUTH_PREFIX_LEN + 1], ts[20], csv[96];
	int rc = -1;

	*json_out = NULL;
	if (id_new("key", id, sizeof(id)) != 0 || auth_key_generate(test_mode, key_out) != 0)
		return -1;
	crypto_sha256_hex(key_out, strlen(key_out), hash);
	memcpy(prefix, key_out, AUTH_PREFIX_LEN);
	prefix[AUTH_PREFIX_LEN] = '\0';
	time_format_sql(now, ts);
	auth_scopes_format(scopes, csv, sizeof(csv));
	if (db_exec(&apikey_insert, "ssssssss", id, tenant_id, label ? label : "",
	    test_mode ? "test" : "live", csv, prefix, hash, ts) != 0)
		return -1;
	db_done(&apikey_insert);
	if (db_exec(&apikey_select, "ss", tenant_id, id) != 0)
		return -1;
	if (db_fetch(&apikey_select) == 1) {
		*json_out = apikey_row_json(&apikey_select);
		rc = 0;
	}
	db_done(&apikey_select);
	return rc;
}

struct json_object *
apikey_list(const char *tenant_id, int limit, const char *cursor, int *has_more)
{
	return page_list(&apikey_page, tenant_id, cursor, limit, has_more, apikey_row_json);
}

struct json_object *
apikey_revoke(const char *tenant_id, const char *id, int64_t now, int *found)
{
	char ts[20];
	struct json_object *o = NULL;

	*found = 1;
	time_format_sql(now, ts);
	if (db_exec(&apikey_revoke_stmt, "sss", ts, tenant_id, id) != 0)
		return NULL;
	db_done(&apikey_revoke_stmt);
	if (db_exec(&apikey_select, "ss", tenant_id, id) != 0)
		return NULL;
	if (db_fetch(&apikey_select) == 1)
		o = apikey_row_json(&apikey_select);
	else
		*found = 0;
	db_done(&apikey_select);
	return o;
}
