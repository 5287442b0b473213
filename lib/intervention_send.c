/*
 * intervention_send.c — see intervention_send.h: the deliver job's claim
 * and moves on table interventions. Every move names the status it
 * leaves and, for the job's own moves, the lease owner, so a row that is
 * no longer ours (recovered, or moved by someone else) is never touched.
 *
 * The history rows use this file's own INSERT (the claim needs an
 * INSERT ... SELECT over the claimed set; a per-row helper would cost one
 * round trip per row); the columns are those of intervention_history_add().
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "intervention_send.h"
#include "log.h"
#include "timeutil.h"

#define ISEND_ACTOR	"deliver"
#define ISEND_TRIES	8

static struct db_stmt is_claim = DB_STMT(
    "UPDATE interventions i SET i.status = 'sending', i.lease_owner = ?, i.lease_until = ?, "
    "  i.send_started_at = NULL, i.updated_at = ? "
    "WHERE i.status = 'approved' AND i.next_attempt_at <= ? AND i.planned_at <= ? "
    "AND (i.lease_until IS NULL OR i.lease_until < ?) "
    "AND NOT EXISTS (SELECT 1 FROM tenant_settings s WHERE s.tenant_id = i.tenant_id "
    "  AND s.kill_switch = 1) "
    "ORDER BY i.next_attempt_at, i.seq LIMIT ?");

static struct db_stmt is_read_committed = DB_STMT(
    "SET TRANSACTION ISOLATION LEVEL READ COMMITTED");

static struct db_stmt is_claim_history = DB_STMT(
    "INSERT INTO intervention_history (intervention_id, from_status, to_status, actor, reason, at) "
    "SELECT id, 'approved', 'sending', '" ISEND_ACTOR "', NULL, ? FROM interventions "
    "WHERE lease_owner = ? AND status = 'sending'");

static struct db_stmt is_claimed = DB_STMT(
    "SELECT id, tenant_id, user_id, playbook_id, channel, action_type, decision_id, subject, "
    "  message_body, message_html, parameters, reasoning, confidence, test_mode, shadow, "
    "  attempts "
    "FROM interventions WHERE lease_owner = ? AND status = 'sending' ORDER BY seq");

static struct db_stmt is_history = DB_STMT(
    "INSERT INTO intervention_history (intervention_id, from_status, to_status, actor, reason, at) "
    "VALUES (?, ?, ?, ?, ?, ?)");

static struct db_stmt is_begin = DB_STMT(
    "UPDATE interventions SET send_started_at = ?, updated_at = ? "
    "WHERE id = ? AND tenant_id = ? AND lease_owner = ? AND status = 'sending'");

static struct db_stmt is_release = DB_STMT(
    "UPDATE interventions SET status = 'approved', lease_owner = NULL, lease_until = NULL, "
    "  send_started_at = NULL, updated_at = ? "
    "WHERE id = ? AND tenant_id = ? AND lease_owner = ? AND status = 'sending'");

static struct db_stmt is_cancel = DB_STMT(
    "UPDATE interventions SET status = 'cancelled', last_error = ?, updated_at = ? "
    "WHERE id = ? AND tenant_id = ? AND status = 'approved'");

static struct db_stmt is_done = DB_STMT(
    "UPDATE interventions SET status = ?, attempts = attempts + 1, sent_at = ?, "
    "  delivered_at = ?, external_ref = ?, last_error = ?, lease_owner = NULL, "
    "  lease_until = NULL, updated_at = ? "
    "WHERE id = ? AND tenant_id = ? AND lease_owner = ? AND status = 'sending'");

static struct db_stmt is_fail = DB_STMT(
    "UPDATE interventions SET status = ?, attempts = ?, next_attempt_at = ?, failed_at = ?, "
    "  last_error = ?, lease_owner = NULL, lease_until = NULL, send_started_at = NULL, "
    "  updated_at = ? "
    "WHERE id = ? AND tenant_id = ? AND lease_owner = ? AND status = 'sending'");

/* Rows a dead job left in sending (index interventions_due). */
static struct db_stmt is_stale = DB_STMT(
    "SELECT id, tenant_id, send_started_at IS NOT NULL FROM interventions "
    "WHERE status = 'sending' AND lease_until < ? ORDER BY seq LIMIT 100");

static struct db_stmt is_recover = DB_STMT(
    "UPDATE interventions SET status = ?, failed_at = ?, last_error = ?, lease_owner = NULL, "
    "  lease_until = NULL, send_started_at = NULL, updated_at = ? "
    "WHERE id = ? AND tenant_id = ? AND status = 'sending' AND lease_until < ?");

static struct db_stmt is_delivered = DB_STMT(
    "UPDATE interventions SET status = 'delivered', delivered_at = ?, updated_at = ? "
    "WHERE tenant_id = ? AND id = ? AND status = 'sent'");

/* Failed once no other delivery of it can still succeed or has. */
static struct db_stmt is_wh_failed = DB_STMT(
    "UPDATE interventions SET status = 'failed', failed_at = ?, "
    "  last_error = 'webhook delivery failed', updated_at = ? "
    "WHERE tenant_id = ? AND id = ? AND status = 'sent' AND NOT EXISTS ("
    "  SELECT 1 FROM deliveries d WHERE d.tenant_id = ? AND d.action_id = ? "
    "  AND d.kind = 'intervention' AND d.id <> ? AND d.state IN ('pending', 'succeeded'))");

static struct db_stmt is_act_failed = DB_STMT(
    "UPDATE interventions SET status = 'failed', failed_at = ?, "
    "  last_error = 'the action could not be delivered to the platform', updated_at = ? "
    "WHERE tenant_id = ? AND id = ? AND status = 'sent'");

static struct db_stmt is_by_ref = DB_STMT(
    "SELECT id FROM interventions WHERE tenant_id = ? AND external_ref = ? "
    "AND channel = 'external_action' AND status = 'sent' LIMIT 1");

long long
isend_backoff(unsigned attempts)
{
	static const long long waits[] = { 60, 300, 1800, 7200 };

	if (attempts == 0 || attempts >= ISEND_MAX_ATTEMPTS)
		return -1;
	return waits[attempts - 1];
}

static int
isend_history(const char *id, const char *from, const char *to, const char *actor,
    const char *reason, const char *nowsql)
{
	if (db_exec(&is_history, "ssssss", id, from, to, actor, reason, nowsql) != 0) {
		log_err("intervention %s: cannot record %s -> %s", id, from, to);
		return -1;
	}
	db_done(&is_history);
	return 0;
}

/* Runs a prepared guarded UPDATE's result: 1 when it moved a row. */
static int
isend_moved(struct db_stmt *s)
{
	int moved = db_affected(s) > 0;

	db_done(s);
	return moved;
}

void
isend_free(struct isend *v, size_t n)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++) {
		free(v[i].subject);
		free(v[i].body);
		free(v[i].html);
		free(v[i].parameters);
		free(v[i].reasoning);
	}
	free(v);
}

static char *
isend_dup(const char *s, int *oom)
{
	char *d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		*oom = 1;
	return d;
}

/*
 * Rolls back after a failed statement: -2 when InnoDB chose us as a
 * deadlock victim or a lock wait timed out (the whole transaction is
 * undone, so trying again is safe), else -1.
 */
static int
isend_abort(void)
{
	unsigned e = db_errno();

	db_rollback();
	return db_err_retryable(e) ? -2 : -1;
}

/* Runs call until it does not answer -2 (a deadlock), ISEND_TRIES at most. */
#define ISEND_RETRY(rc, call) do {					\
	int try_;							\
	for (try_ = 0;; try_++) {					\
		(rc) = (call);						\
		if ((rc) != -2 || try_ >= ISEND_TRIES)			\
			break;						\
		db_backoff(try_, 2, 8);					\
	}								\
	if ((rc) == -2)							\
		(rc) = -1;						\
} while (0)

/* The claim's transaction: 0, -1, -2 to retry (deadlock). READ COMMITTED
 * so the claim locks the rows it takes, not the gaps of the due index
 * that other runs' moves write into. */
static int
isend_claim_tx(const char *owner, const char *nowsql, const char *leasesql, int limit)
{
	if (db_exec(&is_read_committed, "") != 0)
		return -1;
	db_done(&is_read_committed);
	if (db_begin() != 0)
		return -1;
	if (db_exec(&is_claim, "ssssssi", owner, leasesql, nowsql, nowsql, nowsql, nowsql,
	    (long long)limit) != 0)
		goto fail;
	db_done(&is_claim);
	if (db_exec(&is_claim_history, "ss", nowsql, owner) != 0)
		goto fail;
	db_done(&is_claim_history);
	return db_commit() == 0 ? 0 : -1;
fail:
	return isend_abort();
}

int
isend_claim(const char *owner, int64_t now, long long lease_seconds, int limit,
    struct isend **out, size_t *n)
{
	struct isend *v = NULL, *nv;
	size_t cap = 0, i = 0;
	char nowsql[TIME_SQL_SIZE], leasesql[TIME_SQL_SIZE];
	int rc, oom = 0;

	*out = NULL;
	*n = 0;
	time_format_sql(now, nowsql);
	time_format_sql(now + lease_seconds, leasesql);
	/* Concurrent claimers can deadlock on the due index. */
	ISEND_RETRY(rc, isend_claim_tx(owner, nowsql, leasesql, limit));
	if (rc != 0) {
		log_err("deliver: cannot claim interventions");
		return -1;
	}
	if (db_exec(&is_claimed, "s", owner) != 0)
		return -1;
	while (db_fetch(&is_claimed) == 1) {
		if (i == cap) {
			cap = cap ? cap * 2 : 16;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL) {
				oom = 1;
				break;
			}
			v = nv;
		}
		memset(&v[i], 0, sizeof(v[i]));
		db_col_copy(&is_claimed, 0, v[i].id, sizeof(v[i].id));
		db_col_copy(&is_claimed, 1, v[i].tenant_id, sizeof(v[i].tenant_id));
		db_col_copy(&is_claimed, 2, v[i].user_id, sizeof(v[i].user_id));
		db_col_copy(&is_claimed, 3, v[i].playbook_id, sizeof(v[i].playbook_id));
		db_col_copy(&is_claimed, 4, v[i].channel, sizeof(v[i].channel));
		db_col_copy(&is_claimed, 5, v[i].action_type, sizeof(v[i].action_type));
		db_col_copy(&is_claimed, 6, v[i].decision_id, sizeof(v[i].decision_id));
		v[i].subject = isend_dup(db_col(&is_claimed, 7) ? db_col(&is_claimed, 7) : "", &oom);
		v[i].body = isend_dup(db_col(&is_claimed, 8) ? db_col(&is_claimed, 8) : "", &oom);
		v[i].html = isend_dup(db_col(&is_claimed, 9), &oom);
		v[i].parameters = isend_dup(db_col(&is_claimed, 10), &oom);
		v[i].reasoning = isend_dup(db_col(&is_claimed, 11), &oom);
		v[i].has_confidence = db_col(&is_claimed, 12) != NULL;
		v[i].confidence = db_col_double(&is_claimed, 12);
		v[i].test_mode = db_col_int(&is_claimed, 13) != 0;
		v[i].shadow = db_col_int(&is_claimed, 14) != 0;
		v[i].attempts = (unsigned)db_col_int(&is_claimed, 15);
		i++;
		if (oom)
			break;
	}
	db_done(&is_claimed);
	if (oom) {
		/* The rows stay leased; isend_recover() returns them once the
		 * lease expires (their send never started). */
		log_err("deliver: out of memory reading claimed interventions");
		isend_free(v, i);
		return -1;
	}
	*out = v;
	*n = i;
	return 0;
}

static int
isend_begin_once(const struct isend *v, const char *owner, const char *nowsql)
{
	if (db_exec(&is_begin, "sssss", nowsql, nowsql, v->id, v->tenant_id, owner) != 0)
		return db_err_retryable(db_errno()) ? -2 : -1;
	return isend_moved(&is_begin) ? 0 : 1;
}

int
isend_begin(const struct isend *v, const char *owner, int64_t now)
{
	char nowsql[TIME_SQL_SIZE];
	int rc;

	time_format_sql(now, nowsql);
	ISEND_RETRY(rc, isend_begin_once(v, owner, nowsql));
	if (rc < 0)
		log_err("deliver: cannot mark intervention %s as being sent", v->id);
	return rc;
}

/* Ends a move's transaction: commit when it moved (0), else roll back (1). */
static int
isend_finish(int moved)
{
	if (!moved) {
		db_rollback();
		return 1;
	}
	return db_commit() == 0 ? 0 : -1;
}

static int
isend_release_tx(const struct isend *v, const char *owner, const char *reason,
    const char *cancel_reason, const char *nowsql)
{
	if (db_begin() != 0)
		return -1;
	if (db_exec(&is_release, "ssss", nowsql, v->id, v->tenant_id, owner) != 0)
		goto fail;
	if (!isend_moved(&is_release))
		return isend_finish(0);
	if (isend_history(v->id, "sending", "approved", ISEND_ACTOR, reason, nowsql) != 0)
		goto fail;
	if (cancel_reason != NULL) {
		if (db_exec(&is_cancel, "ssss", cancel_reason, nowsql, v->id, v->tenant_id) != 0)
			goto fail;
		db_done(&is_cancel);
		if (isend_history(v->id, "approved", "cancelled", ISEND_ACTOR, cancel_reason,
		    nowsql) != 0)
			goto fail;
	}
	return isend_finish(1);
fail:
	return isend_abort();
}

int
isend_release(const struct isend *v, const char *owner, const char *reason,
    const char *cancel_reason, int64_t now)
{
	char nowsql[TIME_SQL_SIZE];
	int rc;

	time_format_sql(now, nowsql);
	ISEND_RETRY(rc, isend_release_tx(v, owner, reason, cancel_reason, nowsql));
	if (rc < 0)
		log_err("deliver: cannot release intervention %s", v->id);
	return rc;
}

int
isend_done_in(const struct isend *v, const char *owner, const char *to,
    const char *external_ref, const char *note, int64_t now)
{
	char nowsql[TIME_SQL_SIZE];
	int delivered = strcmp(to, "delivered") == 0;

	time_format_sql(now, nowsql);
	if (db_exec(&is_done, "sssssssss", to, nowsql, delivered ? nowsql : NULL, external_ref,
	    note, nowsql, v->id, v->tenant_id, owner) != 0)
		goto fail;
	if (!isend_moved(&is_done))
		return 1;
	if (isend_history(v->id, "sending", to, ISEND_ACTOR, note, nowsql) != 0)
		goto fail;
	return 0;
fail:
	/* A deadlock is retried by the caller: only other failures are news. */
	if (!db_err_retryable(db_errno()))
		log_err("deliver: cannot record intervention %s as %s", v->id, to);
	return -1;
}

static int
isend_done_tx(const struct isend *v, const char *owner, const char *to,
    const char *external_ref, const char *note, int64_t now)
{
	int rc;

	if (db_begin() != 0)
		return -1;
	if ((rc = isend_done_in(v, owner, to, external_ref, note, now)) < 0)
		return isend_abort();
	return isend_finish(rc == 0);
}

int
isend_done(const struct isend *v, const char *owner, const char *to,
    const char *external_ref, const char *note, int64_t now)
{
	int rc;

	ISEND_RETRY(rc, isend_done_tx(v, owner, to, external_ref, note, now));
	if (rc < 0)
		log_err("deliver: cannot record intervention %s as %s", v->id, to);
	return rc;
}

static int
isend_failed_tx(const struct isend *v, const char *owner, const char *to, long long attempts,
    const char *nextsql, const char *failsql, const char *msg, const char *nowsql)
{
	if (db_begin() != 0)
		return -1;
	if (db_exec(&is_fail, "sisssssss", to, attempts, nextsql, failsql, msg, nowsql, v->id,
	    v->tenant_id, owner) != 0)
		goto fail;
	if (!isend_moved(&is_fail))
		return isend_finish(0);
	if (isend_history(v->id, "sending", to, ISEND_ACTOR, msg, nowsql) != 0)
		goto fail;
	return isend_finish(1);
fail:
	return isend_abort();
}

int
isend_failed(const struct isend *v, const char *owner, const char *error, int permanent,
    int64_t now, int *final)
{
	char nowsql[TIME_SQL_SIZE], nextsql[TIME_SQL_SIZE], msg[500];
	unsigned attempts = v->attempts + 1;
	long long wait = isend_backoff(attempts);
	int last = permanent || wait < 0, rc;

	if (final != NULL)
		*final = last;
	snprintf(msg, sizeof(msg), "%s", error != NULL ? error : "send failed");
	time_format_sql(now, nowsql);
	time_format_sql(last ? now : now + wait, nextsql);
	ISEND_RETRY(rc, isend_failed_tx(v, owner, last ? "failed" : "approved",
	    (long long)attempts, nextsql, last ? nowsql : NULL, msg, nowsql));
	if (rc < 0)
		log_err("deliver: cannot record the failed attempt of intervention %s", v->id);
	return rc;
}

/* Moves one stale row; 1 when it moved, 0, -1. */
static int
isend_recover_one(const char *id, const char *tenant_id, int started, const char *nowsql)
{
	static const char lost[] = "interrupted: outcome unknown (not sent again)";
	const char *to = started ? "failed" : "approved";

	if (db_begin() != 0)
		return -1;
	if (db_exec(&is_recover, "sssssss", to, started ? nowsql : NULL, started ? lost : NULL,
	    nowsql, id, tenant_id, nowsql) != 0)
		goto fail;
	if (!isend_moved(&is_recover)) {
		db_rollback();
		return 0;
	}
	if (isend_history(id, "sending", to, ISEND_ACTOR,
	    started ? lost : "lease expired before the send", nowsql) != 0)
		goto fail;
	return db_commit() == 0 ? 1 : -1;
fail:
	db_rollback();
	return -1;
}

long long
isend_recover(int64_t now)
{
	char nowsql[TIME_SQL_SIZE];
	char (*ids)[2][48] = NULL;
	int *started = NULL;
	size_t n = 0, i;
	long long moved = 0;
	int rc;

	time_format_sql(now, nowsql);
	if ((ids = calloc(100, sizeof(*ids))) == NULL || (started = calloc(100, sizeof(int))) == NULL) {
		free(ids);
		return -1;
	}
	if (db_exec(&is_stale, "s", nowsql) != 0) {
		moved = -1;
		goto out;
	}
	while (n < 100 && db_fetch(&is_stale) == 1) {
		db_col_copy(&is_stale, 0, ids[n][0], sizeof(ids[n][0]));
		db_col_copy(&is_stale, 1, ids[n][1], sizeof(ids[n][1]));
		started[n] = db_col_int(&is_stale, 2) != 0;
		n++;
	}
	db_done(&is_stale);
	for (i = 0; i < n; i++) {
		if ((rc = isend_recover_one(ids[i][0], ids[i][1], started[i], nowsql)) < 0) {
			log_err("deliver: cannot recover intervention %s", ids[i][0]);
			moved = -1;
			goto out;
		}
		if (rc == 1)
			log_warn("deliver: intervention %s left in sending by a dead job: %s",
			    ids[i][0], started[i] ? "failed (outcome unknown)" : "approved again");
		moved += rc;
	}
out:
	free(ids);
	free(started);
	return moved;
}

/* sent -> delivered with its history row, in the caller's transaction. */
static int
isend_mark_delivered(const char *tenant_id, const char *id, const char *nowsql)
{
	if (db_exec(&is_delivered, "ssss", nowsql, nowsql, tenant_id, id) != 0)
		return -1;
	if (!isend_moved(&is_delivered))
		return 0;
	return isend_history(id, "sent", "delivered", "dispatch", NULL, nowsql);
}

int
isend_delivery_succeeded(const char *tenant_id, const char *intervention_id, int64_t now)
{
	char nowsql[TIME_SQL_SIZE];

	time_format_sql(now, nowsql);
	return isend_mark_delivered(tenant_id, intervention_id, nowsql);
}

int
isend_delivery_failed(const char *tenant_id, const char *intervention_id,
    unsigned long long delivery_id, int64_t now)
{
	char nowsql[TIME_SQL_SIZE];

	time_format_sql(now, nowsql);
	if (db_exec(&is_wh_failed, "ssssssi", nowsql, nowsql, tenant_id, intervention_id,
	    tenant_id, intervention_id, (long long)delivery_id) != 0)
		return -1;
	if (!isend_moved(&is_wh_failed))
		return 0;
	return isend_history(intervention_id, "sent", "failed", "dispatch",
	    "webhook delivery failed", nowsql);
}

/* The sent external-action intervention whose action is action_id into
 * id ("" when none). 0 or -1. */
static int
isend_by_action(const char *tenant_id, const char *action_id, char id[48])
{
	id[0] = '\0';
	if (db_exec(&is_by_ref, "ss", tenant_id, action_id) != 0)
		return -1;
	if (db_fetch(&is_by_ref) == 1)
		db_col_copy(&is_by_ref, 0, id, 48);
	db_done(&is_by_ref);
	return 0;
}

int
isend_action_delivered(const char *tenant_id, const char *action_id, int64_t now)
{
	char nowsql[TIME_SQL_SIZE], id[48];

	if (isend_by_action(tenant_id, action_id, id) != 0)
		return -1;
	if (id[0] == '\0')
		return 0;
	time_format_sql(now, nowsql);
	return isend_mark_delivered(tenant_id, id, nowsql);
}

int
isend_action_failed(const char *tenant_id, const char *action_id, int64_t now)
{
	char nowsql[TIME_SQL_SIZE], id[48];

	if (isend_by_action(tenant_id, action_id, id) != 0)
		return -1;
	if (id[0] == '\0')
		return 0;
	time_format_sql(now, nowsql);
	if (db_exec(&is_act_failed, "ssss", nowsql, nowsql, tenant_id, id) != 0)
		return -1;
	if (!isend_moved(&is_act_failed))
		return 0;
	return isend_history(id, "sent", "failed", "dispatch",
	    "the action could not be delivered to the platform", nowsql);
}
