/*
 * scores.c — retivo-scores, the cron job that recomputes users' scores,
 * risk levels and lifecycle stages (lib/scoring, lib/lifecycle) through
 * lib/userscore.
 *
 *   retivo-scores [--now ISO-8601] [--full] [--batch N]
 *
 * Incremental runs score the users with events newer than the watermark
 * (job_cursors 'scores'.last_event_id), walking event ids in steps of
 * SCORES_ID_STEP so memory stays bounded; the first run of each UTC day
 * (a --now on another day than the last full pass, or --full) scores every
 * user instead, walking users by key in batches, because the window moves
 * even when nothing happens. Every batch (--batch users of one tenant,
 * default and most USERSCORE_BATCH_MAX) is its own short transaction, and
 * the watermark moves only after a step's batches committed, so a killed
 * run resumes where it stopped; scoring is idempotent (a user whose values
 * do not change is not written), so redoing a step counts nothing twice.
 * An event committed late with an id below the watermark is picked up by
 * the next daily pass.
 *
 * Two hosts running the same crontab: the run takes the advisory lock
 * GET_LOCK('retivo_scores', 0); a second run finds it held, says "another
 * scores run is in progress" and exits 0, so neither waits on nor
 * deadlocks the other. The lock dies with the connection.
 *
 * Prints one summary line of JSON on stdout; exits 0, or 1 on an error.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "db.h"
#include "jobopt.h"
#include "log.h"
#include "timeutil.h"
#include "userscore.h"

#define SCORES_ID_STEP	50000
#define SCORES_LOCK	"retivo_scores"
#define SCORES_CURSOR	"scores"

static struct db_stmt sc_cursor_get = DB_STMT(
    "SELECT last_event_id, last_full_run FROM job_cursors WHERE name = ?");
static struct db_stmt sc_cursor_set = DB_STMT(
    "INSERT INTO job_cursors (name, last_event_id, last_full_run, updated_at) "
    "VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE last_event_id = VALUES(last_event_id), "
    "last_full_run = IFNULL(VALUES(last_full_run), last_full_run), "
    "updated_at = VALUES(updated_at)");
static struct db_stmt sc_max_event = DB_STMT("SELECT IFNULL(MAX(id), 0) FROM events");
/* A range of the primary key; which tenants' users it names does not
 * matter here, each batch is then scored with tenant_id = ?. */
static struct db_stmt sc_changed = DB_STMT(
    "SELECT DISTINCT tenant_id, user_id FROM events WHERE id > ? AND id <= ?");
static struct db_stmt sc_tenants = DB_STMT("SELECT id FROM tenants ORDER BY id");
static struct db_stmt sc_users_after = DB_STMT(
    "SELECT user_id FROM users WHERE tenant_id = ? AND user_id > ? ORDER BY user_id LIMIT ?");

/* (tenant, user) pairs owned here. */
struct pair {
	char	*tenant_id;
	char	*user_id;
};

static int
pair_cmp(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;
	int c = strcmp(x->tenant_id, y->tenant_id);

	return c != 0 ? c : strcmp(x->user_id, y->user_id);
}

static void
pairs_free(struct pair *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(p[i].tenant_id);
		free(p[i].user_id);
	}
	free(p);
}

/* The watermark; *full_run -1 when never. 0 or -1. */
static int
scores_cursor(long long *last_id, int64_t *full_run)
{
	int rc;

	*last_id = 0;
	*full_run = -1;
	if (db_exec(&sc_cursor_get, "s", SCORES_CURSOR) != 0)
		return -1;
	if ((rc = db_fetch(&sc_cursor_get)) == 1) {
		*last_id = db_col_int(&sc_cursor_get, 0);
		if (db_col(&sc_cursor_get, 1) == NULL ||
		    time_parse_sql(db_col(&sc_cursor_get, 1), full_run) != 0)
			*full_run = -1;
	}
	db_done(&sc_cursor_get);
	return rc < 0 ? -1 : 0;
}

/* Stores the watermark; full_run < 0 keeps the last full pass. 0 or -1. */
static int
scores_cursor_set(long long last_id, int64_t full_run, int64_t now)
{
	char fr[TIME_SQL_SIZE], ns[TIME_SQL_SIZE];
	int rc;

	time_format_sql(full_run, fr);
	time_format_sql(now, ns);
	rc = db_exec(&sc_cursor_set, "siss", SCORES_CURSOR, last_id, full_run >= 0 ? fr : NULL,
	    ns);
	db_done(&sc_cursor_set);
	return rc;
}

/* Scores sorted pairs p[0..n) in batches of at most batch users of one
 * tenant. 0 or -1. */
static int
scores_pairs(const struct pair *p, size_t n, unsigned batch, int64_t now,
    struct userscore_stats *st)
{
	const char *ids[USERSCORE_BATCH_MAX];
	size_t i = 0, k;

	while (i < n) {
		for (k = 0; i + k < n && k < batch &&
		    strcmp(p[i + k].tenant_id, p[i].tenant_id) == 0; k++)
			ids[k] = p[i + k].user_id;
		if (userscore_batch(p[i].tenant_id, ids, k, now, st) != 0)
			return -1;
		i += k;
	}
	return 0;
}

/* The users with events in (lo, hi], sorted and unique, into *out. 0 or -1. */
static int
scores_changed(long long lo, long long hi, struct pair **out, size_t *n)
{
	struct pair *p = NULL, *np;
	size_t cap = 0;
	int rc;

	*n = 0;
	if (db_exec(&sc_changed, "ii", lo, hi) != 0)
		return -1;
	while ((rc = db_fetch(&sc_changed)) == 1) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 1024;
			if ((np = realloc(p, cap * sizeof(*p))) == NULL) {
				rc = -1;
				break;
			}
			p = np;
		}
		p[*n].tenant_id = strdup(db_col(&sc_changed, 0));
		p[*n].user_id = strdup(db_col(&sc_changed, 1));
		(*n)++;
		if (p[*n - 1].tenant_id == NULL || p[*n - 1].user_id == NULL) {
			rc = -1;
			break;
		}
	}
	db_done(&sc_changed);
	if (rc < 0) {
		log_err("scores: cannot list the users of events %lld..%lld", lo, hi);
		pairs_free(p, *n);
		*n = 0;
		return -1;
	}
	if (*n > 0)
		qsort(p, *n, sizeof(*p), pair_cmp);
	*out = p;
	return 0;
}

/* The incremental run: events after last_id up to max_id. 0 or -1. */
static int
scores_incremental(long long last_id, long long max_id, unsigned batch, int64_t now,
    struct userscore_stats *st)
{
	struct pair *p = NULL;
	long long hi;
	size_t n;
	int rc;

	for (; last_id < max_id; last_id = hi) {
		hi = max_id - last_id > SCORES_ID_STEP ? last_id + SCORES_ID_STEP : max_id;
		if (scores_changed(last_id, hi, &p, &n) != 0)
			return -1;
		rc = scores_pairs(p, n, batch, now, st);
		pairs_free(p, n);
		/* Only a committed step moves the watermark. */
		if (rc != 0 || scores_cursor_set(hi, -1, now) != 0)
			return -1;
	}
	return 0;
}

/* Every user of one tenant, by key. 0 or -1. */
static int
scores_tenant_all(const char *tenant_id, unsigned batch, int64_t now,
    struct userscore_stats *st)
{
	static char ids_buf[USERSCORE_BATCH_MAX][1024];
	const char *ids[USERSCORE_BATCH_MAX];
	char after[1024] = "";
	size_t n;
	int rc;

	do {
		if (db_exec(&sc_users_after, "ssi", tenant_id, after, (long long)batch) != 0)
			return -1;
		for (n = 0; (rc = db_fetch(&sc_users_after)) == 1 && n < batch; n++) {
			snprintf(ids_buf[n], sizeof(ids_buf[n]), "%s", db_col(&sc_users_after, 0));
			ids[n] = ids_buf[n];
		}
		db_done(&sc_users_after);
		if (rc < 0)
			return -1;
		if (n == 0)
			break;
		/* Key order is code point order, which strcmp keeps for UTF-8. */
		if (userscore_batch(tenant_id, ids, n, now, st) != 0)
			return -1;
		snprintf(after, sizeof(after), "%s", ids_buf[n - 1]);
	} while (n == batch);
	return 0;
}

/* The daily pass over every tenant's users. 0 or -1. */
static int
scores_full(unsigned batch, int64_t now, struct userscore_stats *st)
{
	char **tenants = NULL, **nt;
	size_t n = 0, cap = 0, i;
	int rc;

	if (db_exec(&sc_tenants, "") != 0)
		return -1;
	while ((rc = db_fetch(&sc_tenants)) == 1) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((nt = realloc(tenants, cap * sizeof(*tenants))) == NULL) {
				rc = -1;
				break;
			}
			tenants = nt;
		}
		if ((tenants[n] = strdup(db_col(&sc_tenants, 0))) == NULL) {
			rc = -1;
			break;
		}
		n++;
	}
	db_done(&sc_tenants);
	for (i = 0; rc == 0 && i < n; i++)
		if (scores_tenant_all(tenants[i], batch, now, st) != 0)
			rc = -1;
	for (i = 0; i < n; i++)
		free(tenants[i]);
	free(tenants);
	return rc;
}

int
main(int argc, char **argv)
{
	const struct conf *c;
	const char *now_s = NULL;
	struct userscore_stats st = { 0, 0, 0, 0 };
	long long last_id, max_id, b;
	int64_t now, last_full, start_ms = time_now_ms();
	unsigned batch = USERSCORE_BATCH_MAX;
	int i, full = 0, rc = 1, locked;

	log_init("retivo-scores");
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--now") == 0 && i + 1 < argc)
			now_s = argv[++i];
		else if (strcmp(argv[i], "--full") == 0)
			full = 1;
		else if (strcmp(argv[i], "--batch") == 0 && i + 1 < argc) {
			if (jobopt_int("retivo-scores", "--batch", argv[++i], 1, USERSCORE_BATCH_MAX,
			    &b) != 0)
				return 2;
			batch = (unsigned)b;
		} else {
			fprintf(stderr, "usage: retivo-scores [--now ISO-8601] [--full] "
			    "[--batch N]\n");
			return 2;
		}
	}
	if (jobopt_now("retivo-scores", now_s, &now) < 0)
		return 2;
	if ((c = conf_get()) == NULL || db_open(c) != 0)
		return 1;
	if ((locked = db_lock(SCORES_LOCK, 0)) <= 0) {
		if (locked == 0) {
			printf("{\"job\":\"scores\",\"skipped\":\"another scores run is in "
			    "progress\"}\n");
			rc = 0;
		}
		goto out;
	}
	if (scores_cursor(&last_id, &last_full) != 0 || db_exec(&sc_max_event, "") != 0)
		goto unlock;
	max_id = db_fetch(&sc_max_event) == 1 ? db_col_int(&sc_max_event, 0) : -1;
	db_done(&sc_max_event);
	if (max_id < 0)
		goto unlock;
	/* A pass a day, on UTC days; a --now before the last pass (tests) too. */
	if (last_full < 0 || last_full / 86400 != now / 86400)
		full = 1;
	if (full) {
		if (scores_full(batch, now, &st) != 0 || scores_cursor_set(max_id, now, now) != 0)
			goto unlock;
	} else if (scores_incremental(last_id, max_id, batch, now, &st) != 0)
		goto unlock;
	rc = 0;
unlock:
	db_unlock(SCORES_LOCK);
	printf("{\"job\":\"scores\",\"full\":%s,\"users_scanned\":%lld,\"users_updated\":%lld,"
	    "\"transitions\":%lld,\"decisions_credited\":%lld,\"errors\":%d,\"seconds\":%.3f}\n",
	    full ? "true" : "false", st.scanned, st.updated, st.transitions, st.credited, rc != 0,
	    jobopt_seconds(start_ms));
out:
	userscore_done();
	db_close();
	return rc;
}
