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
#include "log.h"
#include "timeutil.h"

#define ACTIVITIES_BATCH	100
#define ACTIVITIES_LIMIT	1000
#define ACTIVITIES_LEASE	60

/* Value of "--name value" in argv, or NULL. */
static const char *
act_opt(int argc, char **argv, const char *name)
{
	int i;

	for (i = 1; i + 1 < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return argv[i + 1];
	return NULL;
}

/* --name as an integer in [1, max]; dflt when absent, -1 when bad. */
static long long
act_num(int argc, char **argv, const char *name, long long max, long long dflt)
{
	const char *s = act_opt(argc, argv, name);
	char *end;
	long long v;

	if (s == NULL)
		return dflt;
	v = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v < 1 || v > max) {
		fprintf(stderr, "retivo-activities: %s must be an integer from 1 to %lld\n", name,
		    max);
		return -1;
	}
	return v;
}

/* 0, or -1 having printed the usage problem. */
static int
act_args(int argc, char **argv, int64_t *now, long long *limit, long long *lease, int *exit_early)
{
	int i;

	*exit_early = 0;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--exit-after-claim") == 0)
			*exit_early = 1;
		else if ((strcmp(argv[i], "--now") == 0 || strcmp(argv[i], "--limit") == 0 ||
		    strcmp(argv[i], "--lease") == 0) && i + 1 < argc)
			i++;
		else {
			fprintf(stderr, "usage: retivo-activities [--now ISO-8601] [--limit N] "
			    "[--lease SECONDS] [--exit-after-claim]\n");
			return -1;
		}
	}
	if (act_opt(argc, argv, "--now") != NULL) {
		if (time_parse_iso8601(act_opt(argc, argv, "--now"), now) != 0) {
			fprintf(stderr, "retivo-activities: --now must be an ISO-8601 timestamp\n");
			return -1;
		}
	} else if ((*now = time_now()) < 0) {
		fprintf(stderr, "retivo-activities: cannot read the clock\n");
		return -1;
	}
	*limit = act_num(argc, argv, "--limit", 1000000, ACTIVITIES_LIMIT);
	*lease = act_num(argc, argv, "--lease", 86400, ACTIVITIES_LEASE);
	return *limit < 0 || *lease < 0 ? -1 : 0;
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
	    k.skipped, k.errors,
	    (double)(time_now_ms() - start_ms) / 1000.0);
	rc = k.errors > 0 ? 1 : 0;
	db_close();
	return rc;
}
