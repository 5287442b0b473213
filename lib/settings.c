/*
 * settings.c — the tenant_settings row that holds a tenant's settings,
 * brand and kill switch: load (defaults overlaid with what is stored),
 * save, and the locked read-modify-write that an update is. The rules the
 * values follow are in lib/settings_rules.c; this file is the only part of
 * the module that touches the database.
 */
#include "config.h"

#include <string.h>

#include "db.h"
#include "jsonout.h"
#include "settings.h"
#include "settings_int.h"
#include "timeutil.h"

#define ST_COLS "settings, brand, kill_switch, updated_at"

static struct db_stmt st_select = DB_STMT(
    "SELECT " ST_COLS " FROM tenant_settings WHERE tenant_id = ?");

static struct db_stmt st_select_locked = DB_STMT(
    "SELECT " ST_COLS " FROM tenant_settings WHERE tenant_id = ? FOR UPDATE");

/* Creates the row when missing; ON DUPLICATE KEY takes an exclusive lock on
 * an existing row at once (INSERT IGNORE would take a shared one, and two
 * writers upgrading shared locks deadlock). */
static struct db_stmt st_claim = DB_STMT(
    "INSERT INTO tenant_settings (tenant_id, settings, brand, kill_switch, updated_at) "
    "VALUES (?, '{}', '{}', 0, ?) ON DUPLICATE KEY UPDATE tenant_id = tenant_id");

static struct db_stmt st_save = DB_STMT(
    "INSERT INTO tenant_settings (tenant_id, settings, brand, kill_switch, updated_at) "
    "VALUES (?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE settings = VALUES(settings), "
    "brand = VALUES(brand), kill_switch = VALUES(kill_switch), "
    "updated_at = VALUES(updated_at)");

/* Runs s (tenant_id bound) and fills ts from its row, or defaults. */
static int
settings_read_row(struct db_stmt *s, const char *tenant_id, struct tenant_settings *ts)
{
	int rc = -1, row;

	memset(ts, 0, sizeof(*ts));
	if ((ts->settings = settings_defaults()) == NULL ||
	    (ts->brand = settings_brand_defaults()) == NULL)
		goto out;
	if (db_exec(s, "s", tenant_id) != 0 || (row = db_fetch(s)) < 0)
		goto out;
	if (row == 1) {
		if (settings_overlay(ts->settings, db_col(s, 0), "settings") != 0 ||
		    settings_overlay(ts->brand, db_col(s, 1), "brand") != 0)
			goto out;
		ts->kill_switch = db_col_int(s, 2) != 0;
		if (jo_iso_from_sql(db_col(s, 3), ts->updated_at) != 0)
			ts->updated_at[0] = '\0';
	}
	rc = 0;
out:
	db_done(s);
	if (rc != 0)
		settings_clear(ts);
	return rc;
}

int
settings_load(const char *tenant_id, struct tenant_settings *ts)
{
	return settings_read_row(&st_select, tenant_id, ts);
}

/* settings_load() inside the caller's transaction, with the row created
 * when missing and locked until commit or rollback. */
static int
settings_load_for_update(const char *tenant_id, struct tenant_settings *ts, int64_t now)
{
	char ts_sql[TIME_SQL_SIZE];

	memset(ts, 0, sizeof(*ts));
	time_format_sql(now, ts_sql);
	if (db_exec(&st_claim, "ss", tenant_id, ts_sql) != 0)
		return -1;
	db_done(&st_claim);
	return settings_read_row(&st_select_locked, tenant_id, ts);
}

int
settings_save(const char *tenant_id, const struct tenant_settings *ts, int64_t now)
{
	char ts_sql[TIME_SQL_SIZE];
	int rc;

	time_format_sql(now, ts_sql);
	rc = db_exec(&st_save, "sssis", tenant_id,
	    json_object_to_json_string_ext(ts->settings, JSON_C_TO_STRING_PLAIN),
	    json_object_to_json_string_ext(ts->brand, JSON_C_TO_STRING_PLAIN),
	    (long long)(ts->kill_switch != 0), ts_sql);
	db_done(&st_save);
	return rc;
}

int
settings_update(const char *tenant_id, struct json_object *settings_patch,
    struct json_object *brand_patch, int kill_switch, int64_t now,
    struct tenant_settings *ts)
{
	int rc = -1, in_tx = 0;

	memset(ts, 0, sizeof(*ts));
	if (db_begin() != 0)
		goto out;
	in_tx = 1;
	if (settings_load_for_update(tenant_id, ts, now) != 0)
		goto out;
	if (settings_patch != NULL)
		settings_merge(ts->settings, settings_patch);
	if (brand_patch != NULL)
		settings_merge(ts->brand, brand_patch);
	if (kill_switch >= 0)
		ts->kill_switch = kill_switch != 0;
	if (settings_save(tenant_id, ts, now) != 0)
		goto out;
	in_tx = 0;
	if (db_commit() != 0)
		goto out;
	time_format_iso8601(now, ts->updated_at);
	rc = 0;
out:
	if (in_tx)
		db_rollback();
	if (rc != 0)
		settings_clear(ts);
	return rc;
}

void
settings_clear(struct tenant_settings *ts)
{
	json_object_put(ts->settings);
	json_object_put(ts->brand);
	memset(ts, 0, sizeof(*ts));
}
