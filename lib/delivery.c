/*
 * delivery.c — the deliveries and delivery_attempts tables: queueing,
 * claiming under a lease, and recording attempts with the retry policy of
 * lib/webhook.c. Sending is lib/sender.c's; this file does no network I/O.
 *
 * Lock order: a transaction that touches an action and its deliveries
 * locks the actions row first (here and in action_expire()), so the
 * dispatcher and the expire job cannot deadlock on each other.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "action.h"
#include "activity.h"
#include "crypto.h"
#include "db.h"
#include "delivery.h"
#include "intervention_send.h"
#include "log.h"
#include "timeutil.h"
#include "webhook.h"

#define DELIVERY_OWNER_MAX	64
#define DELIVERY_TX_TRIES	3

static struct db_stmt dl_insert = DB_STMT(
    "INSERT INTO deliveries (msg_id, tenant_id, kind, action_id, endpoint_id, url, secret_enc, "
    "  body, state, attempts, next_attempt_at, created_at, updated_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?)");

/* The claim: one statement, so concurrent claimers serialize on row locks
 * and each row gets exactly one owner (index deliveries_due). */
static struct db_stmt dl_claim = DB_STMT(
    "UPDATE deliveries SET lease_owner = ?, lease_until = ?, updated_at = ? "
    "WHERE state = 'pending' AND next_attempt_at <= ? "
    "AND (lease_until IS NULL OR lease_until < ?) "
    "ORDER BY next_attempt_at, id LIMIT ?");

/* The claimed rows (index deliveries_lease), with the action's expiry. */
static struct db_stmt dl_claimed = DB_STMT(
    "SELECT d.id, d.tenant_id, d.kind, d.msg_id, d.action_id, d.endpoint_id, d.url, "
    "  d.secret_enc, d.body, d.attempts, a.expires_at < ? "
    "FROM deliveries d LEFT JOIN actions a ON a.id = d.action_id AND a.tenant_id = d.tenant_id "
    "WHERE d.lease_owner = ? AND d.state = 'pending' ORDER BY d.next_attempt_at, d.id");

static struct db_stmt dl_attempt = DB_STMT(
    "INSERT INTO delivery_attempts (delivery_id, tenant_id, attempt, attempted_at, "
    "  status_code, latency_ms, error) VALUES (?, ?, ?, ?, ?, ?, ?)");

static struct db_stmt dl_result = DB_STMT(
    "UPDATE deliveries SET state = ?, attempts = ?, next_attempt_at = ?, lease_owner = NULL, "
    "  lease_until = NULL, last_status = ?, last_error = ?, updated_at = ? "
    "WHERE id = ? AND lease_owner = ? AND state = 'pending'");

static struct db_stmt dl_fail_action = DB_STMT(
    "UPDATE deliveries SET state = 'failed', last_error = ?, lease_owner = NULL, "
    "  lease_until = NULL, updated_at = ? "
    "WHERE tenant_id = ? AND action_id = ? AND state = 'pending'");

int
delivery_enqueue(const char *tenant_id, const char *kind, const char *action_id,
    const char *endpoint_id, const char *msg_id, const char *url, const char *secret_sealed,
    const char *body, int64_t due, int64_t now)
{
	char duesql[TIME_SQL_SIZE], nowsql[TIME_SQL_SIZE];

	time_format_sql(due, duesql);
	time_format_sql(now, nowsql);
	if (db_exec(&dl_insert, "sssssssssss", msg_id, tenant_id, kind, action_id, endpoint_id,
	    url, secret_sealed, body, duesql, nowsql, nowsql) != 0) {
		log_err("delivery: cannot queue %s %s for tenant %s", kind, msg_id, tenant_id);
		return -1;
	}
	db_done(&dl_insert);
	return 0;
}

int
delivery_owner(char *out, size_t outlen)
{
	char host[33] = "", rnd[9];

	if (gethostname(host, sizeof(host) - 1) != 0 || host[0] == '\0')
		snprintf(host, sizeof(host), "unknown");
	host[sizeof(host) - 1] = '\0';
	if (crypto_random_hex(rnd, 4) != 0)
		return -1;
	if (outlen > DELIVERY_OWNER_MAX + 1)
		outlen = DELIVERY_OWNER_MAX + 1;
	snprintf(out, outlen, "%s:%ld:%s", host, (long)getpid(), rnd);
	return 0;
}

void
delivery_free(struct delivery *d, size_t n)
{
	size_t i;

	if (d == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(d[i].url);
		free(d[i].secret_sealed);
		free(d[i].body);
	}
	free(d);
}

int
delivery_claim(const char *owner, int64_t now, long long lease_seconds, int limit,
    struct delivery **out, size_t *n)
{
	struct db_stmt *s = &dl_claimed;
	struct delivery *d;
	char nowsql[TIME_SQL_SIZE], leasesql[TIME_SQL_SIZE];
	unsigned long long claimed;
	size_t i = 0;
	int attempt;

	*out = NULL;
	*n = 0;
	if (limit <= 0)
		return 0;
	time_format_sql(now, nowsql);
	time_format_sql(now + lease_seconds, leasesql);
	/*
	 * Concurrent claimers can deadlock on the due index; InnoDB then rolls
	 * the whole UPDATE back (nothing half-claimed), so trying again after a
	 * jittered pause is safe.
	 */
	for (attempt = 0;; attempt++) {
		if (db_exec(&dl_claim, "sssssi", owner, leasesql, nowsql, nowsql, nowsql,
		    (long long)limit) == 0)
			break;
		if (attempt >= 8 || !db_err_retryable(db_errno()))
			return -1;
		db_backoff(attempt, 2, 8);
	}
	claimed = db_affected(&dl_claim);
	db_done(&dl_claim);
	if (claimed == 0)
		return 0;
	if ((d = calloc((size_t)claimed, sizeof(*d))) == NULL) {
		log_err("delivery: out of memory");
		return -1;
	}
	if (db_exec(s, "ss", nowsql, owner) != 0) {
		free(d);
		return -1;
	}
	while (i < claimed && db_fetch(s) == 1) {
		d[i].id = (unsigned long long)db_col_int(s, 0);
		db_col_copy(s, 1, d[i].tenant_id, sizeof(d[i].tenant_id));
		db_col_copy(s, 2, d[i].kind, sizeof(d[i].kind));
		db_col_copy(s, 3, d[i].msg_id, sizeof(d[i].msg_id));
		db_col_copy(s, 4, d[i].action_id, sizeof(d[i].action_id));
		db_col_copy(s, 5, d[i].endpoint_id, sizeof(d[i].endpoint_id));
		d[i].url = strdup(db_col(s, 6) ? db_col(s, 6) : "");
		d[i].secret_sealed = strdup(db_col(s, 7) ? db_col(s, 7) : "");
		d[i].body = strdup(db_col(s, 8) ? db_col(s, 8) : "");
		d[i].attempts = (unsigned)db_col_int(s, 9);
		d[i].expired = strcmp(d[i].kind, "action") == 0 && db_col_int(s, 10) == 1;
		if (d[i].url == NULL || d[i].secret_sealed == NULL || d[i].body == NULL) {
			log_err("delivery: out of memory");
			db_done(s);
			delivery_free(d, i + 1);
			return -1;
		}
		d[i].body_len = strlen(d[i].body);
		i++;
	}
	db_done(s);
	*out = d;
	*n = i;
	return 0;
}

int
delivery_carried_failed(const char *tenant_id, const char *kind, const char *object_id,
    unsigned long long delivery_id, int64_t now)
{
	if (object_id == NULL || object_id[0] == '\0')
		return 0;
	if (strcmp(kind, "activity") == 0)
		return activity_delivery_failed(tenant_id, object_id, delivery_id, now);
	if (strcmp(kind, "intervention") == 0)
		return isend_delivery_failed(tenant_id, object_id, delivery_id, now);
	return 0;
}

/* The intervention's move for this attempt (deliver job's webhook
 * channel): delivered on the first success, failed once every delivery
 * of it has failed; -1 on error. */
static int
dl_move_intervention(const struct delivery *d, enum webhook_verdict v, int64_t now)
{
	if (v == WEBHOOK_DELIVERED)
		return isend_delivery_succeeded(d->tenant_id, d->action_id, now);
	if (v == WEBHOOK_FAILED)
		return delivery_carried_failed(d->tenant_id, d->kind, d->action_id, d->id, now);
	return 0;
}

/* The action's move for this attempt; -1 on error. An action that an
 * intervention created moves that intervention with it (delivered or
 * failed). */
static int
dl_move_action(const struct delivery *d, enum webhook_verdict v, int64_t now)
{
	/* An activity's dispatch finally failing fails the activity (lib/activity.h). */
	if (strcmp(d->kind, "activity") == 0 && d->action_id[0] != '\0')
		return v == WEBHOOK_FAILED ?
		    delivery_carried_failed(d->tenant_id, d->kind, d->action_id, d->id, now) : 0;
	if (strcmp(d->kind, "intervention") == 0 && d->action_id[0] != '\0')
		return dl_move_intervention(d, v, now);
	if (strcmp(d->kind, "action") != 0 || d->action_id[0] == '\0')
		return 0;
	if (d->attempts == 0 && action_mark_dispatched(d->tenant_id, d->action_id, now) != 0)
		return -1;
	if (v == WEBHOOK_DELIVERED)
		return action_mark_delivered(d->tenant_id, d->action_id, now) != 0 ||
		    isend_action_delivered(d->tenant_id, d->action_id, now) != 0 ? -1 : 0;
	if (v == WEBHOOK_FAILED)
		return action_mark_failed(d->tenant_id, d->action_id, now) != 0 ||
		    isend_action_failed(d->tenant_id, d->action_id, now) != 0 ? -1 : 0;
	return 0;
}

static int
dl_insert_attempt(const struct delivery *d, const struct delivery_attempt *a,
    const char *nowsql)
{
	long long status = a->status;

	if (db_exec(&dl_attempt, "isisnis", (long long)d->id, d->tenant_id,
	    (long long)d->attempts + 1, nowsql, a->status > 0 ? &status : NULL,
	    a->latency_ms < 0 ? 0LL : a->latency_ms, a->error[0] ? a->error : NULL) != 0)
		return -1;
	db_done(&dl_attempt);
	return 0;
}

/* One try of the recording transaction: 0, 1 row no longer ours, -1, -2 retry. */
static int
dl_record_tx(const char *owner, const struct delivery *d, const struct delivery_attempt *a,
    enum webhook_verdict v, int64_t next_at, const char *nowsql, int64_t now)
{
	static const char *const states[] = {
		[WEBHOOK_DELIVERED] = "succeeded",
		[WEBHOOK_RETRY] = "pending",
		[WEBHOOK_FAILED] = "failed",
	};
	char nextsql[TIME_SQL_SIZE];
	long long status = a->status;
	int ours;

	time_format_sql(v == WEBHOOK_RETRY ? next_at : now, nextsql);
	if (db_begin() != 0)
		return -1;
	if (dl_move_action(d, v, now) != 0 || dl_insert_attempt(d, a, nowsql) != 0)
		goto fail;
	if (db_exec(&dl_result, "sisnssis", states[v], (long long)d->attempts + 1, nextsql,
	    a->status > 0 ? &status : NULL, a->error[0] ? a->error : NULL, nowsql,
	    (long long)d->id, owner) != 0)
		goto fail;
	ours = db_affected(&dl_result) > 0;
	db_done(&dl_result);
	if (!ours) {
		/* Someone else holds the row now (or it expired): keep only the
		 * attempt, which did happen, and leave the rest to them. */
		db_rollback();
		if (dl_insert_attempt(d, a, nowsql) != 0)
			return -1;
		return 1;
	}
	return db_commit() == 0 ? 0 : -1;
fail:
	db_rollback();
	if (db_err_retryable(db_errno()))
		return -2;
	return -1;
}

int
delivery_record(const char *owner, const struct delivery *d,
    const struct delivery_attempt *a, int64_t now, enum webhook_verdict *verdict)
{
	char nowsql[TIME_SQL_SIZE];
	int64_t next_at = now;
	int tries, rc = -1;

	*verdict = webhook_judge(a->status, d->attempts + 1, a->retry_after, now, &next_at);
	time_format_sql(now, nowsql);
	for (tries = 0; tries < DELIVERY_TX_TRIES; tries++) {
		rc = dl_record_tx(owner, d, a, *verdict, next_at, nowsql, now);
		if (rc != -2)
			break;
		log_warn("delivery: lock conflict recording delivery %llu, retrying", d->id);
	}
	if (rc == 1)
		log_warn("delivery: %llu was no longer leased to %s; attempt kept, result not applied",
		    d->id, owner);
	if (rc < 0)
		log_err("delivery: cannot record attempt %u of delivery %llu", d->attempts + 1, d->id);
	return rc < 0 ? -1 : 0;
}

int
delivery_fail_action(const char *tenant_id, const char *action_id, const char *reason,
    int64_t now)
{
	char nowsql[TIME_SQL_SIZE];

	time_format_sql(now, nowsql);
	if (db_exec(&dl_fail_action, "ssss", reason, nowsql, tenant_id, action_id) != 0)
		return -1;
	db_done(&dl_fail_action);
	return 0;
}
