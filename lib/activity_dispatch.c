/*
 * activity_dispatch.c — the dispatch of due activities to the tenant's
 * provider (see activity.h): the claim, the dispatch-time resolution, the
 * hand-over to the delivery outbox, and the FAILED move when the outbox
 * finally gives up.
 *
 * The claim stamps rows with an owner and a lease in one guarded UPDATE,
 * so two job hosts never take the same row; a run that dies leaves its
 * rows to be claimed again once the lease has passed. Each activity is
 * then settled in its own transaction that re-reads the row FOR UPDATE
 * (still ours, still READY or UNRESOLVED: a cancel in between wins), and
 * queues its deliveries and its status move together: an activity is
 * DISPATCHED exactly when its deliveries exist.
 *
 * Lock order: the activities row before its deliveries, here and in
 * lib/delivery.c (which calls activity_delivery_failed() first).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "activity.h"
#include "activity_int.h"
#include "commerce.h"
#include "db.h"
#include "delivery.h"
#include "ids.h"
#include "log.h"
#include "timeutil.h"

static struct db_stmt ad_claim = DB_STMT(
    "UPDATE activities SET claim_owner = ?, claim_until = ? "
    "WHERE (claim_until IS NULL OR claim_until < ?) "
    "AND ((status = 'READY' AND scheduled_at <= ?) "
    "  OR (status = 'UNRESOLVED' AND updated_at <= ?)) "
    "ORDER BY scheduled_at, seq LIMIT ?");

static struct db_stmt ad_claimed = DB_STMT(
    "SELECT tenant_id, id FROM activities WHERE claim_owner = ? "
    "AND status IN ('READY', 'UNRESOLVED') ORDER BY scheduled_at, seq");

static struct db_stmt ad_lock = DB_STMT(
    "SELECT " ACT_COLS "FROM activities WHERE tenant_id = ? AND id = ? AND claim_owner = ? "
    "AND status IN ('READY', 'UNRESOLVED') FOR UPDATE");

static struct db_stmt ad_endpoint = DB_STMT(
    "SELECT url, secret_enc FROM webhook_endpoints WHERE tenant_id = ? AND id = ? "
    "AND active = 1");

static struct db_stmt ad_dispatched = DB_STMT(
    "UPDATE activities SET status = 'DISPATCHED', targets = ?, attributes = ?, "
    "  unresolved = NULL, targets_resolved = 1, dispatched_at = ?, updated_at = ?, "
    "  claim_owner = NULL, claim_until = NULL WHERE tenant_id = ? AND id = ?");

static struct db_stmt ad_ready = DB_STMT(
    "UPDATE activities SET status = 'READY', targets = ?, attributes = ?, unresolved = NULL, "
    "  updated_at = ?, claim_owner = NULL, claim_until = NULL WHERE tenant_id = ? AND id = ?");

static struct db_stmt ad_unresolved = DB_STMT(
    "UPDATE activities SET status = 'UNRESOLVED', targets = ?, attributes = ?, "
    "  unresolved = ?, updated_at = ?, claim_owner = NULL, claim_until = NULL "
    "WHERE tenant_id = ? AND id = ?");

static struct db_stmt ad_failed = DB_STMT(
    "UPDATE activities SET status = 'FAILED', finished_at = ?, updated_at = ? "
    "WHERE tenant_id = ? AND id = ? AND status = 'DISPATCHED' AND NOT EXISTS ("
    "  SELECT 1 FROM deliveries WHERE tenant_id = ? AND kind = 'activity' "
    "  AND action_id = ? AND id <> ? AND state IN ('pending', 'succeeded'))");

long long
activity_claim(const char *owner, int64_t now, long long lease, int limit)
{
	char nowsql[TIME_SQL_SIZE], until[TIME_SQL_SIZE], retry[TIME_SQL_SIZE];
	long long n;
	int attempt;

	time_format_sql(now, nowsql);
	time_format_sql(now + lease, until);
	time_format_sql(now - ACTIVITY_RETRY_SECONDS, retry);
	/*
	 * Concurrent claimers can deadlock on the due index; InnoDB then rolls
	 * the whole UPDATE back (nothing half-claimed), so trying again after a
	 * jittered pause is safe (as delivery_claim does).
	 */
	for (attempt = 0;; attempt++) {
		if (db_exec(&ad_claim, "sssssi", owner, until, nowsql, nowsql, retry,
		    (long long)limit) == 0)
			break;
		if (attempt >= 8 || !db_err_retryable(db_errno()))
			return -1;
		db_backoff(attempt, 2, 8);
	}
	n = (long long)db_affected(&ad_claim);
	db_done(&ad_claim);
	return n;
}

static char *
ad_text(struct json_object *o)
{
	return strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE));
}

/*
 * Queues one delivery per active provider endpoint; returns how many
 * (0: none configured or active), or -1.
 */
static int
ad_enqueue(const char *tenant_id, const char *activity_id, struct json_object *settings,
    struct json_object *view, struct json_object *commerce, int64_t now)
{
	struct json_object *ids = NULL, *body, *data, *c;
	char msg[48], iso[TIME_ISO8601_SIZE], *url = NULL, *secret = NULL;
	const char *eid, *text;
	size_t i;
	int n = 0;

	json_object_object_get_ex(json_object_object_get(settings, "provider"), "endpoint_ids", &ids);
	time_format_iso8601(now, iso);
	for (i = 0; ids != NULL && i < json_object_array_length(ids); i++) {
		eid = json_object_get_string(json_object_array_get_idx(ids, i));
		if (db_exec(&ad_endpoint, "ss", tenant_id, eid) != 0)
			return -1;
		if (db_fetch(&ad_endpoint) == 1) {
			url = strdup(db_col(&ad_endpoint, 0));
			secret = strdup(db_col(&ad_endpoint, 1));
		}
		db_done(&ad_endpoint);
		if (url == NULL || secret == NULL) {
			free(url);
			free(secret);
			url = secret = NULL;
			continue;	/* deleted or inactive: not a provider now */
		}
		if (id_new("msg", msg, sizeof(msg)) != 0)
			goto fail;
		body = json_object_new_object();
		json_object_object_add(body, "id", json_object_new_string(msg));
		json_object_object_add(body, "type", json_object_new_string("activity.dispatched"));
		json_object_object_add(body, "created_at", json_object_new_string(iso));
		data = NULL;	/* json_object_deep_copy() wants an empty destination */
		if (json_object_deep_copy(view, &data, NULL) != 0) {
			json_object_put(body);
			goto fail;
		}
		c = json_object_new_object();
		json_object_object_add(c, "id", json_object_get(json_object_object_get(commerce, "id")));
		json_object_object_add(c, "external_id",
		    json_object_get(json_object_object_get(commerce, "external_id")));
		json_object_object_add(c, "name", json_object_get(json_object_object_get(commerce, "name")));
		json_object_object_add(data, "commerce", c);
		json_object_object_add(body, "data", data);
		text = json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN |
		    JSON_C_TO_STRING_NOSLASHESCAPE);
		if (delivery_enqueue(tenant_id, "activity", activity_id, eid, msg, url, secret, text,
		    now, now) != 0) {
			json_object_put(body);
			goto fail;
		}
		json_object_put(body);
		free(url);
		free(secret);
		url = secret = NULL;
		n++;
	}
	return n;
fail:
	free(url);
	free(secret);
	return -1;
}

/* Settles one claimed activity in its own transaction. 0, 1 skipped, -1. */
static int
ad_settle(const char *owner, const char *tenant_id, const char *id, int64_t now,
    struct activity_dispatch_counts *k)
{
	struct act_resolution res;
	struct json_object *row = NULL, *commerce = NULL, *settings = NULL, *caller = NULL;
	char ts[TIME_SQL_SIZE], *t_targets = NULL, *t_attrs = NULL, *t_unres = NULL;
	const char *commerce_id, *rt;
	int64_t sched = 0;
	int found, n, rc = -1, got, due;

	memset(&res, 0, sizeof(res));
	time_format_sql(now, ts);
	if (db_begin() != 0)
		return -1;
	if (db_exec(&ad_lock, "sss", tenant_id, id, owner) != 0)
		goto out;
	got = db_fetch(&ad_lock) == 1;
	if (got) {
		row = act_row_json(&ad_lock);
		if (db_col(&ad_lock, AC_CALLER) != NULL)
			caller = json_tokener_parse(db_col(&ad_lock, AC_CALLER));
	}
	db_done(&ad_lock);
	if (!got) {
		rc = 1;		/* canceled meanwhile, or no longer ours */
		goto out;
	}
	commerce_id = json_object_get_string(json_object_object_get(
	    json_object_object_get(row, "commerceAssignment"), "commerceId"));
	if ((commerce = commerce_get_json(tenant_id, commerce_id, &found)) == NULL ||
	    (settings = activity_settings_load(tenant_id)) == NULL)
		goto out;
	res.tenant_id = tenant_id;
	res.commerce = commerce;
	res.settings = settings;
	res.channel = json_object_get_string(json_object_object_get(row, "channel"));
	res.criteria = json_object_object_get(row, "targetCriteria");
	res.keys = json_object_object_get(row, "attributeKeys");
	res.caller = caller;
	/*
	 * A due activity resolves everything (targets resolved at creation
	 * stand). An UNRESOLVED one not yet due is retried as at creation,
	 * so dispatch-time values are still read at dispatch.
	 */
	due = time_parse_iso8601(json_object_get_string(json_object_object_get(row,
	    "scheduledAt")), &sched) == 0 && sched <= now;
	rt = json_object_get_string(json_object_object_get(settings, "resolution_time"));
	res.phase = due ? RESOLVE_DISPATCH : RESOLVE_CREATION;
	res.targets = json_object_get(json_object_object_get(row, "targets"));
	res.resolve_targets = (res.targets == NULL || json_object_array_length(res.targets) == 0) &&
	    (due || (rt != NULL && strcmp(rt, "creation") == 0));
	json_object_deep_copy(json_object_object_get(row, "attributes"), &res.values, NULL);
	if (res.values == NULL)
		res.values = json_object_new_object();
	if (act_resolve(&res) != 0)
		goto out;
	n = 0;
	if (!due && json_object_array_length(res.unresolved) == 0)
		n = -1;		/* back to READY, to be dispatched when due */
	else if (json_object_array_length(res.unresolved) == 0) {
		json_object_object_add(row, "status", json_object_new_string("DISPATCHED"));
		json_object_object_add(row, "targets", json_object_get(res.targets));
		json_object_object_add(row, "attributes", json_object_get(res.values));
		json_object_object_del(row, "unresolved");
		if ((n = ad_enqueue(tenant_id, id, settings, row, commerce, now)) < 0)
			goto out;
		if (n == 0)
			act_reason(res.unresolved, "provider", "no active webhook endpoint is "
			    "configured as the provider (settings provider.endpoint_ids)");
	}
	if ((t_targets = ad_text(res.targets)) == NULL || (t_attrs = ad_text(res.values)) == NULL ||
	    (t_unres = ad_text(res.unresolved)) == NULL)
		goto out;
	if (n < 0) {
		if (db_exec(&ad_ready, "sssss", t_targets, t_attrs, ts, tenant_id, id) != 0)
			goto out;
		db_done(&ad_ready);
		k->ready++;
	} else if (n > 0) {
		if (db_exec(&ad_dispatched, "ssssss", t_targets, t_attrs, ts, ts, tenant_id, id) != 0)
			goto out;
		db_done(&ad_dispatched);
		k->dispatched++;
		k->deliveries += n;
	} else {
		if (db_exec(&ad_unresolved, "ssssss", t_targets, t_attrs, t_unres, ts, tenant_id,
		    id) != 0)
			goto out;
		db_done(&ad_unresolved);
		k->unresolved++;
	}
	if (db_commit() != 0)
		goto done;
	rc = 0;
	goto done;
out:
	db_rollback();
done:
	free(t_targets);
	free(t_attrs);
	free(t_unres);
	json_object_put(caller);
	json_object_put(res.targets);
	json_object_put(res.values);
	json_object_put(res.unresolved);
	json_object_put(settings);
	json_object_put(commerce);
	json_object_put(row);
	return rc;
}

int
activity_dispatch_claimed(const char *owner, int64_t now, struct activity_dispatch_counts *k)
{
	char (*ids)[2][40] = NULL;
	size_t n = 0, cap = 0, i;
	void *grown;
	int rc = -1, r;

	/* Read the claimed ids first: settling runs other statements. */
	if (db_exec(&ad_claimed, "s", owner) != 0)
		return -1;
	while (db_fetch(&ad_claimed) == 1) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((grown = realloc(ids, cap * sizeof(*ids))) == NULL) {
				log_err("activity: out of memory");
				db_done(&ad_claimed);
				goto out;
			}
			ids = grown;
		}
		snprintf(ids[n][0], sizeof(ids[n][0]), "%s", db_col(&ad_claimed, 0));
		snprintf(ids[n][1], sizeof(ids[n][1]), "%s", db_col(&ad_claimed, 1));
		n++;
	}
	db_done(&ad_claimed);
	for (i = 0; i < n; i++) {
		if ((r = ad_settle(owner, ids[i][0], ids[i][1], now, k)) < 0) {
			log_err("activity: cannot dispatch %s of tenant %s; its claim will lapse",
			    ids[i][1], ids[i][0]);
			k->errors++;
		} else if (r == 1)
			k->skipped++;
	}
	rc = 0;
out:
	free(ids);
	return rc;
}

int
activity_delivery_failed(const char *tenant_id, const char *activity_id,
    unsigned long long delivery_id, int64_t now)
{
	char ts[TIME_SQL_SIZE];

	time_format_sql(now, ts);
	if (db_exec(&ad_failed, "ssssssi", ts, ts, tenant_id, activity_id, tenant_id, activity_id,
	    (long long)delivery_id) != 0) {
		log_err("activity: cannot mark %s of tenant %s failed", activity_id, tenant_id);
		return -1;
	}
	db_done(&ad_failed);
	return 0;
}
