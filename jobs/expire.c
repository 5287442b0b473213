/*
 * expire.c — retivo-expire, the cron job that expires actions not
 * delivered within their action type's ttl_seconds.
 *
 *   retivo-expire [--now ISO-8601] [--limit N]
 *
 * Every action still pending or dispatched whose expires_at has passed
 * becomes expired, and its pending deliveries fail with last_error
 * "expired", so the dispatcher never sends it afterwards. Each action
 * moves in its own short transaction with a guarded UPDATE, so hosts
 * running the same crontab, or a dispatcher delivering at that moment,
 * never move an action twice or backwards. Works in batches of
 * EXPIRE_BATCH up to --limit (default 10000) actions per run.
 *
 * Prints one summary line of JSON on stdout; exits 0, or 1 on an error.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "action.h"
#include "conf.h"
#include "db.h"
#include "jobopt.h"
#include "log.h"
#include "timeutil.h"

#define EXPIRE_BATCH		500
#define EXPIRE_DEFAULT_LIMIT	10000

int
main(int argc, char **argv)
{
	const struct conf *c;
	const char *now_s = NULL, *limit_s = NULL;
	long long limit = EXPIRE_DEFAULT_LIMIT, total = 0, got = 0;
	int64_t now, start_ms = time_now_ms();
	int i, rc = 1, batch;

	log_init("retivo-expire");
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--now") == 0 && i + 1 < argc)
			now_s = argv[++i];
		else if (strcmp(argv[i], "--limit") == 0 && i + 1 < argc)
			limit_s = argv[++i];
		else {
			fprintf(stderr, "usage: retivo-expire [--now ISO-8601] [--limit N]\n");
			return 2;
		}
	}
	if (jobopt_int("retivo-expire", "--limit", limit_s, 1, 10000000, &limit) != 0)
		return 2;
	if (jobopt_now("retivo-expire", now_s, &now) < 0)
		return 2;
	if ((c = conf_get()) == NULL || db_open(c) != 0)
		return 1;
	while (total < limit) {
		batch = limit - total < EXPIRE_BATCH ? (int)(limit - total) : EXPIRE_BATCH;
		if ((got = action_expire_due(now, batch)) < 0)
			break;
		total += got;
		/* Fewer moved than asked: nothing more is due (or others took it). */
		if (got < batch)
			break;
	}
	printf("{\"job\":\"expire\",\"expired\":%lld,\"errors\":%d,\"seconds\":%.3f}\n", total,
	    got < 0, jobopt_seconds(start_ms));
	rc = got < 0 ? 1 : 0;
	db_close();
	return rc;
}
