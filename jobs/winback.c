/*
 * winback.c — retivo-winback, the cron job that keeps the win-back
 * sequences of churned users (seed 003) in table winback_entries.
 *
 *   retivo-winback [--now ISO-8601]
 *
 * Each run, in set-based statements (a few per tenant with churned users,
 * then three over the whole table):
 *   1. schedule: every churned user who is neither opted out nor paused
 *      gets one entry per offset of the tenant's winback_days (default 7,
 *      30, 60), keyed by the churn instant (users.stage_changed_at), so a
 *      rerun adds nothing and a second churn starts a new sequence;
 *      due_at = churn + offset days;
 *   2. cancel: scheduled or due entries of users who left that churn
 *      (recovered, or churned again later), opted out or were paused
 *      become cancelled with that reason;
 *   3. expire: entries whose band has passed undone become cancelled with
 *      reason expired. Seed 003's bands are 7-14, 30-45 and 60-75 days
 *      after churn, so an offset under 30 days stays valid 7 days after
 *      its due_at, a later one 15 (band_end_at);
 *   4. due: scheduled entries whose due_at has come, inside their band,
 *      become due: the playbook issue turns them into interventions.
 *
 * Statements are idempotent and guarded by status, and the run holds the
 * advisory lock GET_LOCK('retivo_winback', 0), so hosts running the same
 * crontab never do the work twice (the second says so and exits 0).
 *
 * Prints one summary line of JSON on stdout; exits 0, or 1 on an error.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "conf.h"
#include "db.h"
#include "jobopt.h"
#include "log.h"
#include "settings.h"
#include "timeutil.h"

#define WINBACK_LOCK		"retivo_winback"
#define WINBACK_EARLY_BAND	7	/* days after due_at, offsets < 30 */
#define WINBACK_LATE_BAND	15	/* days after due_at, offsets >= 30 */


/* Tenants with users to schedule (index users_churned). */
static struct db_stmt wb_tenants = DB_STMT(
    "SELECT tenant_id, COUNT(*) FROM users "
    "WHERE lifecycle_stage = 'churned' AND opted_out = 0 AND paused = 0 "
    "AND stage_changed_at IS NOT NULL GROUP BY tenant_id");

/* One offset for all of a tenant's churned users: offset, offset, band
 * days, now, now, tenant, now. */
static struct db_stmt wb_schedule = DB_STMT(
    "INSERT IGNORE INTO winback_entries (tenant_id, user_id, churned_at, offset_days, due_at, "
    " band_end_at, status, created_at, updated_at) "
    "SELECT tenant_id, user_id, stage_changed_at, ?, stage_changed_at + INTERVAL ? DAY, "
    " stage_changed_at + INTERVAL ? DAY, 'scheduled', ?, ? FROM users "
    "WHERE tenant_id = ? AND lifecycle_stage = 'churned' AND opted_out = 0 AND paused = 0 "
    "AND stage_changed_at IS NOT NULL AND stage_changed_at <= ?");

/* A sweep over the open entries of every tenant, joined on the user's key. */
static struct db_stmt wb_cancel = DB_STMT(
    "UPDATE winback_entries w JOIN users u ON u.tenant_id = w.tenant_id "
    " AND u.user_id = w.user_id "
    "SET w.status = 'cancelled', w.updated_at = ?, w.cancel_reason = "
    " IF(u.opted_out = 1, 'opted_out', IF(u.paused = 1, 'paused', 'recovered')) "
    "WHERE w.status IN ('scheduled', 'due') AND (u.opted_out = 1 OR u.paused = 1 "
    " OR u.lifecycle_stage <> 'churned' OR u.stage_changed_at <> w.churned_at)");

static struct db_stmt wb_expire = DB_STMT(
    "UPDATE winback_entries SET status = 'cancelled', cancel_reason = 'expired', "
    " updated_at = ? WHERE status IN ('scheduled', 'due') AND band_end_at < ?");

static struct db_stmt wb_due = DB_STMT(
    "UPDATE winback_entries SET status = 'due', updated_at = ? "
    "WHERE status = 'scheduled' AND due_at <= ? AND band_end_at >= ?");

struct wb_counts {
	long long	users;
	long long	scheduled;
	long long	due;
	long long	cancelled;
};

/* Schedules the tenant's churned users at each of its winback_days. 0 or -1. */
static int
winback_schedule_tenant(const char *tenant_id, const char *nows, struct wb_counts *k)
{
	struct tenant_settings ts;
	struct json_object *days;
	long long off, band;
	size_t i, n;
	int rc = 0;

	if (settings_load(tenant_id, &ts) != 0)
		return -1;
	n = json_object_object_get_ex(ts.settings, "winback_days", &days) &&
	    json_object_is_type(days, json_type_array) ? json_object_array_length(days) : 0;
	for (i = 0; rc == 0 && i < n; i++) {
		off = json_object_get_int64(json_object_array_get_idx(days, i));
		if (off < 1)
			continue;
		band = off + (off < 30 ? WINBACK_EARLY_BAND : WINBACK_LATE_BAND);
		rc = db_exec(&wb_schedule, "iiissss", off, off, band, nows, nows, tenant_id, nows);
		if (rc == 0)
			k->scheduled += (long long)db_affected(&wb_schedule);
		db_done(&wb_schedule);
	}
	settings_clear(&ts);
	return rc;
}

/* Step 1 over every tenant with churned users. 0 or -1. */
static int
winback_schedule(const char *nows, struct wb_counts *k)
{
	char (*tenants)[40] = NULL, (*nt)[40];
	size_t n = 0, cap = 0, i;
	int rc;

	if (db_exec(&wb_tenants, "") != 0)
		return -1;
	while ((rc = db_fetch(&wb_tenants)) == 1) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((nt = realloc(tenants, cap * sizeof(*tenants))) == NULL) {
				rc = -1;
				break;
			}
			tenants = nt;
		}
		snprintf(tenants[n++], sizeof(tenants[0]), "%s", db_col(&wb_tenants, 0));
		k->users += db_col_int(&wb_tenants, 1);
	}
	db_done(&wb_tenants);
	for (i = 0; rc == 0 && i < n; i++)
		if (winback_schedule_tenant(tenants[i], nows, k) != 0)
			rc = -1;
	free(tenants);
	return rc;
}

/* Runs one of the sweeps (binding now types.length times), adding the rows
 * it changed to *count. 0 or -1. */
static int
winback_sweep(struct db_stmt *s, const char *types, const char *nows, long long *count)
{
	int rc;

	if (strlen(types) == 3)
		rc = db_exec(s, types, nows, nows, nows);
	else if (strlen(types) == 2)
		rc = db_exec(s, types, nows, nows);
	else
		rc = db_exec(s, types, nows);
	if (rc == 0)
		*count += (long long)db_affected(s);
	db_done(s);
	return rc;
}

int
main(int argc, char **argv)
{
	const struct conf *c;
	const char *now_s = NULL;
	struct wb_counts k = { 0, 0, 0, 0 };
	int64_t now, start_ms = time_now_ms();
	char nows[TIME_SQL_SIZE];
	int i, rc = 1, locked;

	log_init("retivo-winback");
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--now") == 0 && i + 1 < argc)
			now_s = argv[++i];
		else {
			fprintf(stderr, "usage: retivo-winback [--now ISO-8601]\n");
			return 2;
		}
	}
	if (jobopt_now("retivo-winback", now_s, &now) < 0)
		return 2;
	time_format_sql(now, nows);
	if ((c = conf_get()) == NULL || db_open(c) != 0)
		return 1;
	if ((locked = db_lock(WINBACK_LOCK, 0)) <= 0) {
		if (locked == 0) {
			printf("{\"job\":\"winback\",\"skipped\":\"another winback run is in "
			    "progress\"}\n");
			rc = 0;
		}
		goto out;
	}
	if (winback_schedule(nows, &k) == 0 &&
	    winback_sweep(&wb_cancel, "s", nows, &k.cancelled) == 0 &&
	    winback_sweep(&wb_expire, "ss", nows, &k.cancelled) == 0 &&
	    winback_sweep(&wb_due, "sss", nows, &k.due) == 0)
		rc = 0;
	db_unlock(WINBACK_LOCK);
	printf("{\"job\":\"winback\",\"users_scanned\":%lld,\"entries_scheduled\":%lld,"
	    "\"entries_due\":%lld,\"entries_cancelled\":%lld,\"errors\":%d,\"seconds\":%.3f}\n",
	    k.users, k.scheduled, k.due, k.cancelled, rc != 0,
	    jobopt_seconds(start_ms));
out:
	db_close();
	return rc;
}
