/*
 * dispatch.c — retivo-dispatch, the cron job that sends the delivery
 * outbox (lib/delivery.h): action dispatches, event broadcasts, pings.
 *
 *   retivo-dispatch [--now ISO-8601] [--limit N] [--lease SECONDS] [--once]
 *                   [--exit-after-claim]
 *
 * A run first turns pending custom events into deliveries
 * (broadcast_drain), then claims due deliveries in batches of up to
 * SENDER_MAX_PARALLEL under a lease, sends each batch in parallel,
 * records every attempt with the retry policy, and goes on until nothing
 * is due or --limit deliveries (default 1000) were handled; --once stops
 * after one batch. The lease (--lease, default 60 s, well above the 20 s a
 * batch can take) is what lets several hosts run the same crontab: a row
 * is sent by whoever claimed it, and a run that dies leaves its rows to
 * be claimed again once the lease has passed.
 *
 * --now (or RETIVO_NOW) fixes the clock for scheduling, leases and
 * signatures, so tests walk the retry schedule without sleeping.
 * --exit-after-claim is for tests only: it claims one batch and exits
 * without sending, as a job killed at that moment would.
 *
 * Prints one summary line of JSON on stdout; exits 0, or 1 on an error
 * (logged on stderr).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "action.h"
#include "broadcast.h"
#include "conf.h"
#include "db.h"
#include "delivery.h"
#include "endpoint.h"
#include "jobopt.h"
#include "log.h"
#include "sender.h"
#include "timeutil.h"
#include "webhook.h"

#define DISPATCH_DEFAULT_LIMIT	1000
#define DISPATCH_DEFAULT_LEASE	60
#define DISPATCH_MAX_LIMIT	1000000

struct dispatch_opts {
	int64_t		now;		/* the fixed clock when has_now */
	int		has_now;	/* else the clock is read per batch */
	long long	limit;
	long long	lease;
	int		once;
	int		exit_after_claim;
};

struct dispatch_counts {
	long long	broadcast, claimed, delivered, retried, failed, expired, errors;
};

#define DISPATCH_PROG		"retivo-dispatch"

/* 0, or -1 having printed the usage problem. */
static int
dispatch_parse(int argc, char **argv, struct dispatch_opts *o)
{
	static const char *const valued[] = { "--now", "--limit", "--lease", NULL };
	static const char *const flags[] = { "--once", "--exit-after-claim", NULL };
	int r = 0;

	memset(o, 0, sizeof(*o));
	o->limit = DISPATCH_DEFAULT_LIMIT;
	o->lease = DISPATCH_DEFAULT_LEASE;
	if (jobopt_known(argc, argv, valued, flags, DISPATCH_PROG " [--now ISO-8601] [--limit N] "
	    "[--lease SECONDS] [--once] [--exit-after-claim]") != 0 ||
	    (r = jobopt_now(DISPATCH_PROG, jobopt_value(argc, argv, "--now"), &o->now)) < 0)
		return -1;
	o->has_now = r == 1;
	o->once = jobopt_flag(argc, argv, "--once");
	o->exit_after_claim = jobopt_flag(argc, argv, "--exit-after-claim");
	/* Both read, so that both problems are told. */
	return (jobopt_int_arg(DISPATCH_PROG, argc, argv, "--limit", 1, DISPATCH_MAX_LIMIT,
	    &o->limit) | jobopt_int_arg(DISPATCH_PROG, argc, argv, "--lease", 1, 86400,
	    &o->lease)) != 0 ? -1 : 0;
}

static int64_t
dispatch_now(const struct dispatch_opts *o)
{
	return jobopt_clock(o->has_now, o->now);
}

/* Records one batch's attempts; counts go to k. */
static void
dispatch_record(const char *owner, const struct delivery *d, const struct delivery_attempt *a,
    size_t n, int64_t now, struct dispatch_counts *k)
{
	enum webhook_verdict v;
	size_t i;

	for (i = 0; i < n; i++) {
		if (delivery_record(owner, &d[i], &a[i], now, &v) != 0) {
			k->errors++;
			continue;
		}
		if (d[i].endpoint_id[0] != '\0')
			endpoint_record_attempt(d[i].endpoint_id, v == WEBHOOK_DELIVERED, now);
		if (v == WEBHOOK_DELIVERED)
			k->delivered++;
		else if (v == WEBHOOK_RETRY)
			k->retried++;
		else
			k->failed++;
	}
}

/* One batch: claim, send, record. Returns the rows claimed, or -1. */
static long long
dispatch_batch(const struct dispatch_opts *o, const struct sender_conf *sc, int limit,
    struct dispatch_counts *k)
{
	struct delivery *d = NULL, tmp;
	struct delivery_attempt *a = NULL;
	char owner[80];
	int64_t now = dispatch_now(o);
	size_t n = 0, m = 0, i;
	long long rc = -1;

	/* A fresh owner per batch: the claim reads back exactly this batch. */
	if (delivery_owner(owner, sizeof(owner)) != 0 ||
	    delivery_claim(owner, now, o->lease, limit, &d, &n) != 0)
		goto out;
	k->claimed += (long long)n;
	if (n == 0 || o->exit_after_claim) {
		rc = (long long)n;
		goto out;
	}
	/* An action past its TTL is expired, not sent (its delivery fails);
	 * the rows to send are moved to the front, d[0..m). */
	for (i = 0; i < n; i++) {
		if (!d[i].expired) {
			if (i != m) {
				tmp = d[m];
				d[m] = d[i];
				d[i] = tmp;
			}
			m++;
		} else if (action_expire(d[i].tenant_id, d[i].action_id, now) < 0)
			k->errors++;
		else
			k->expired++;
	}
	if ((a = calloc(n, sizeof(*a))) == NULL) {
		log_err("dispatch: out of memory");
		goto out;
	}
	/* A row that cannot be sent still gets its attempt recorded (status 0). */
	sender_send(d, m, sc, now, a);
	dispatch_record(owner, d, a, m, now, k);
	rc = (long long)n;
out:
	free(a);
	delivery_free(d, n);
	return rc;
}

int
main(int argc, char **argv)
{
	struct dispatch_opts o;
	struct dispatch_counts k;
	struct sender_conf sc;
	const struct conf *c;
	long long left, got;
	int64_t start_ms = time_now_ms();
	int rc = 1, n;

	log_init("retivo-dispatch");
	memset(&k, 0, sizeof(k));
	if (dispatch_parse(argc, argv, &o) != 0)
		return 2;
	if ((c = conf_get()) == NULL || db_open(c) != 0)
		return 1;
	if (!c->have_master_key) {
		log_err("master_key is not configured; cannot open signing secrets");
		goto out;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
		log_err("dispatch: curl_global_init failed");
		goto out;
	}
	sc.master_key = c->master_key;
	sc.allow_private = c->allow_private_targets;
	if (!o.exit_after_claim) {
		n = broadcast_drain(dispatch_now(&o), (int)(o.limit < 1000 ? o.limit : 1000));
		if (n < 0)
			k.errors++;
		else
			k.broadcast = n;
	}
	for (left = o.limit; left > 0; left -= got) {
		n = left < SENDER_MAX_PARALLEL ? (int)left : SENDER_MAX_PARALLEL;
		if ((got = dispatch_batch(&o, &sc, n, &k)) < 0) {
			k.errors++;
			break;
		}
		if (got == 0 || o.once || o.exit_after_claim)
			break;
	}
	printf("{\"job\":\"dispatch\",\"broadcast\":%lld,\"claimed\":%lld,\"delivered\":%lld,"
	    "\"retried\":%lld,\"failed\":%lld,\"expired\":%lld,\"errors\":%lld,"
	    "\"seconds\":%.3f}\n", k.broadcast, k.claimed, k.delivered, k.retried, k.failed,
	    k.expired, k.errors, jobopt_seconds(start_ms));
	rc = k.errors > 0 ? 1 : 0;
	curl_global_cleanup();
out:
	db_close();
	return rc;
}
