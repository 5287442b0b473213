/*
 * deliver.c — retivo-deliver, the cron job that sends approved
 * interventions (lib/intervention_send.h) through their channel.
 *
 *   retivo-deliver [--now ISO-8601] [--limit N] [--batch N] [--lease SECONDS]
 *                  [--hold-after N --hold-file PATH]
 *                  [--exit-after-claim | --exit-after-begin]
 *
 * A run first recovers rows a dead run left in sending, then claims due
 * rows (approved, planned_at and next_attempt_at passed, lease free, the
 * tenant's kill switch off) in batches of --batch (default 10) under a
 * lease (--lease, default 600 s: a batch of SMTP sends of at most 30 s
 * each fits with room), until nothing is due or --limit rows (default
 * 1000) were handled. For each row, just before its send, it re-reads:
 *   - the tenant's settings: kill switch on -> the row goes back to
 *     approved unsent (so a switch flipped during a run stops it at once,
 *     and the row leaves once the switch is off); shadow mode on ->
 *     recorded as sent with last_error "shadow", nothing sent;
 *   - the user: opted out or paused -> cancelled; gone -> failed.
 * A test-mode intervention (test key or test data) or a shadow one is
 * recorded as sent with last_error "test_mode" / "shadow": nothing
 * reaches a user. Otherwise, by channel:
 *   email           SMTP (lib/smtp.h) to users.email from mail_from, with
 *                   List-Unsubscribe (+ one-click) and the link in the body
 *                   -> delivered when the server accepts, Message-ID in
 *                   external_ref
 *   webhook         one delivery of kind "intervention" per active endpoint
 *                   subscribed to intervention.delivered (or "*") -> sent;
 *                   the dispatch job signs and sends them, and the first
 *                   success makes the intervention delivered
 *   external_action action_create() of the intervention's action type ->
 *                   sent (ea_ id in external_ref); delivered when the
 *                   dispatch engine delivers the action
 *   escalation      an open escalation for the team -> delivered (esc_ id)
 * A failed send retries with backoff (1 m, 5 m, 30 m, 2 h, then failed);
 * a permanent failure (5xx, no address, unknown action type) fails at once.
 *
 * Test hooks: --hold-after N --hold-file PATH creates PATH after the Nth
 * send and waits (up to 60 s) until it is removed, so a test can flip the
 * kill switch in the middle of a run; --exit-after-claim and
 * --exit-after-begin exit as a job killed at that point would (rows left
 * in sending, the latter with its first send marked as started).
 *
 * Prints one summary line of JSON on stdout; exits 0, or 1 on an error.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "conf.h"
#include "db.h"
#include "delivery.h"
#include "deliver_send.h"
#include "intervention_send.h"
#include "jobopt.h"
#include "log.h"
#include "timeutil.h"

#define DELIVER_DEFAULT_LIMIT	1000
#define DELIVER_DEFAULT_BATCH	10
#define DELIVER_DEFAULT_LEASE	600
#define DELIVER_HOLD_MAX_MS	60000

struct deliver_opts {
	int64_t		 now;
	int		 has_now;
	long long	 limit;
	long long	 batch;
	long long	 lease;
	long long	 hold_after;
	const char	*hold_file;
	int		 exit_after_claim;
	int		 exit_after_begin;
};

#define DELIVER_PROG		"retivo-deliver"

/* 0, or -1 having printed the problem. Unknown words are passed over. */
static int
deliver_parse(int argc, char **argv, struct deliver_opts *o)
{
	const char *v;
	int r;

	memset(o, 0, sizeof(*o));
	o->limit = DELIVER_DEFAULT_LIMIT;
	o->batch = DELIVER_DEFAULT_BATCH;
	o->lease = DELIVER_DEFAULT_LEASE;
	if ((v = jobopt_value(argc, argv, "--now")) == NULL)
		v = getenv("RETIVO_NOW");
	if ((r = jobopt_now(DELIVER_PROG, v, &o->now)) < 0)
		return -1;
	o->has_now = r == 1;
	if (jobopt_int_arg(DELIVER_PROG, argc, argv, "--limit", 1, 1000000, &o->limit) != 0 ||
	    jobopt_int_arg(DELIVER_PROG, argc, argv, "--batch", 1, 100, &o->batch) != 0 ||
	    jobopt_int_arg(DELIVER_PROG, argc, argv, "--lease", 1, 86400, &o->lease) != 0 ||
	    jobopt_int_arg(DELIVER_PROG, argc, argv, "--hold-after", 1, 1000000,
	    &o->hold_after) != 0)
		return -1;
	o->hold_file = jobopt_value(argc, argv, "--hold-file");
	if ((o->hold_after > 0) != (o->hold_file != NULL)) {
		log_err("deliver: --hold-after and --hold-file go together");
		return -1;
	}
	o->exit_after_claim = jobopt_flag(argc, argv, "--exit-after-claim");
	o->exit_after_begin = jobopt_flag(argc, argv, "--exit-after-begin");
	return 0;
}

static int64_t
deliver_now(const struct deliver_opts *o)
{
	return jobopt_clock(o->has_now, o->now);
}

/* The test hook: announce the hold, wait for the file to go. */
static void
deliver_hold(const struct deliver_opts *o)
{
	FILE *f;
	struct timespec ts = { 0, 20 * 1000000L };
	int waited = 0;

	if ((f = fopen(o->hold_file, "w")) == NULL) {
		log_err("deliver: cannot create the hold file %s", o->hold_file);
		return;
	}
	fclose(f);
	while (access(o->hold_file, F_OK) == 0 && waited < DELIVER_HOLD_MAX_MS) {
		nanosleep(&ts, NULL);
		waited += 20;
	}
}

/* One batch: claims, then handles each row. Returns rows claimed or -1. */
static long long
deliver_batch(const struct deliver_opts *o, const struct conf *c, int limit,
    struct deliver_counts *k)
{
	struct isend *v = NULL;
	char owner[72];
	size_t n = 0, i;
	long long rc = -1;
	int64_t now = deliver_now(o);
	int r;

	/* A fresh owner per batch: the claim reads back exactly this batch. */
	if (delivery_owner(owner, sizeof(owner)) != 0 ||
	    isend_claim(owner, now, o->lease, limit, &v, &n) != 0)
		goto out;
	k->claimed += (long long)n;
	if (o->exit_after_claim) {
		rc = (long long)n;
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (o->exit_after_begin) {
			if (isend_begin(&v[i], owner, now) != 0)
				k->errors++;
			break;
		}
		r = deliver_one(c, &v[i], owner, deliver_now(o), k);
		if (r < 0)
			k->errors++;
		if (r == DELIVER_SENT && o->hold_after > 0 &&
		    k->sent == o->hold_after)
			deliver_hold(o);
	}
	rc = (long long)n;
out:
	isend_free(v, n);
	return rc;
}

int
main(int argc, char **argv)
{
	struct deliver_opts o;
	struct deliver_counts k;
	const struct conf *c;
	long long left, got, rec;
	int64_t start_ms = time_now_ms();
	int rc = 1;

	log_init("retivo-deliver");
	memset(&k, 0, sizeof(k));
	if (deliver_parse(argc, argv, &o) != 0)
		return 2;
	if ((c = conf_get()) == NULL || db_open(c) != 0)
		return 1;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
		log_err("deliver: curl_global_init failed");
		goto out;
	}
	if (!o.exit_after_claim && !o.exit_after_begin) {
		if ((rec = isend_recover(deliver_now(&o))) < 0)
			k.errors++;
		else
			k.recovered = rec;
	}
	for (left = o.limit; left > 0; left -= got) {
		if ((got = deliver_batch(&o, c, (int)(left < o.batch ? left : o.batch), &k)) < 0) {
			k.errors++;
			break;
		}
		if (got == 0 || o.exit_after_claim || o.exit_after_begin)
			break;
	}
	printf("{\"job\":\"deliver\",\"claimed\":%lld,\"sent\":%lld,\"emails\":%lld,"
	    "\"test_mode\":%lld,\"shadow\":%lld,\"held\":%lld,\"cancelled\":%lld,"
	    "\"retried\":%lld,\"failed\":%lld,\"recovered\":%lld,\"errors\":%lld,"
	    "\"seconds\":%.3f}\n", k.claimed, k.sent, k.emails, k.test_mode, k.shadow,
	    k.held, k.cancelled, k.retried, k.failed, k.recovered, k.errors,
	    jobopt_seconds(start_ms));
	rc = k.errors > 0 ? 1 : 0;
	curl_global_cleanup();
out:
	db_close();
	return rc;
}
