/*
 * activities.c — retivo-activities, the cron job that hands due activities
 * to the tenant's provider (lib/activity.h):
 *
 *   retivo-activities [--now ISO-8601] [--limit N] [--lease SECONDS]
 *                     [--exit-after-claim]
 *
 * A run claims due activities (READY with scheduled_at <= now) and
 * UNRESOLVED ones not retried for five minutes in batches of
 * ACTIVITIES_BATCH under a lease, resolves their dispatch-time targets
 * and attributes, and queues one signed "activity.dispatched" delivery per
 * provider endpoint (sent by retivo-dispatch, with its retries) while
 * moving each to DISPATCHED — or to UNRESOLVED with the reasons (an
 * UNRESOLVED one not yet due that now resolves goes back to READY). It goes
 * on until nothing is due or --limit activities (default 1000) were
 * claimed. The lease (default 60 s) lets several hosts run the same
 * crontab; a run that dies leaves its rows to be claimed again when the
 * lease has passed.
 *
 * --now (or RETIVO_NOW) fixes the clock; --exit-after-claim is for tests:
 * it claims one batch and exits, as a job killed at that moment would.
 *
 * Prints one summary line of JSON; exits 0, or 1 on an error (logged).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "activity.h"
#include "conf.h"
#include "db.h"
#include "delivery.h"
#include "jobopt.h"
#include "log.h"
#include "timeutil.h"

#define ACTIVITIES_BATCH	100
#define ACTIVITIES_LIMIT	1000
#define ACTIVITIES_LEASE	60

#define ACTIVITIES_PROG	"retivo-activities"

/* 0, or -1 having printed the usage problem. */
static int
act_args(int argc, char **argv, int64_t *now, long long *limit, long long *lease, int *exit_early)
{
	static const char *const valued[] = { "--now", "--limit", "--lease", NULL };
	static const char *const flags[] = { "--exit-after-claim", NULL };

	*limit = ACTIVITIES_LIMIT;
	*lease = ACTIVITIES_LEASE;
	*exit_early = jobopt_flag(argc, argv, "--exit-after-claim");
	if (jobopt_known(argc, argv, valued, flags, ACTIVITIES_PROG " [--now ISO-8601] "
	    "[--limit N] [--lease SECONDS] [--exit-after-claim]") != 0 ||
	    jobopt_now(ACTIVITIES_PROG, jobopt_value(argc, argv, "--now"), now) < 0)
		return -1;
	/* Both read, so that both problems are told. */
	return (jobopt_int_arg(ACTIVITIES_PROG, argc, argv, "--limit", 1, 1000000, limit) |
	    jobopt_int_arg(ACTIVITIES_PROG, argc, argv, "--lease", 1, 86400, lease)) != 0 ? -1 : 0;
}

int
main(int argc, char **argv)
{
	struct activity_dispatch_counts k;
	const struct conf *c;
	char owner[80];
	int64_t now, start_ms = time_now_ms();
	long long limit, lease, claimed = 0, got;
	int exit_early, rc = 1, n;

	log_init("retivo-activities");
	memset(&k, 0, sizeof(k));
	if (act_args(argc, argv, &now, &limit, &lease, &exit_early) != 0)
		return 2;
	if ((c = conf_get()) == NULL || db_open(c) != 0)
		return 1;
	while (claimed < limit) {
		n = limit - claimed < ACTIVITIES_BATCH ? (int)(limit - claimed) : ACTIVITIES_BATCH;
		/* A fresh owner per batch: the dispatch reads back exactly this batch. */
		if (delivery_owner(owner, sizeof(owner)) != 0 ||
		    (got = activity_claim(owner, now, lease, n)) < 0) {
			k.errors++;
			break;
		}
		claimed += got;
		if (got == 0 || exit_early)
			break;
		if (activity_dispatch_claimed(owner, now, &k) != 0) {
			k.errors++;
			break;
		}
	}
	printf("{\"job\":\"activities\",\"claimed\":%lld,\"dispatched\":%lld,\"deliveries\":%lld,"
	    "\"ready\":%lld,\"unresolved\":%lld,\"skipped\":%lld,\"errors\":%lld,"
	    "\"seconds\":%.3f}\n", claimed, k.dispatched, k.deliveries, k.ready, k.unresolved,
	    k.skipped, k.errors, jobopt_seconds(start_ms));
	rc = k.errors > 0 ? 1 : 0;
	db_close();
	return rc;
}
