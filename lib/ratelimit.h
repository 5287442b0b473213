/*
 * ratelimit.h — per-tenant hourly quotas (seed 003): API requests and
 * tracked events, each with its own counter.
 *
 * The window is the clock hour; X-RateLimit-Reset is the start of the next
 * one. Counters live in MariaDB so any number of web nodes share them.
 */
#ifndef RETIVO_RATELIMIT_H
#define RETIVO_RATELIMIT_H

#include <stdint.h>

enum rl_bucket {
	RL_API = 0,	/* every authenticated /api/ request */
	RL_TRACK	/* every accepted event */
};

struct rl_result {
	long long	limit;
	long long	count;		/* after this hit */
	long long	remaining;
	int64_t		reset;		/* unix seconds */
	long long	retry_after;	/* seconds, when over */
	int		over;
};

/* The plan's hourly limit for a bucket; -1 for an unknown plan. Pure. */
long long ratelimit_plan_limit(const char *plan, enum rl_bucket bucket);

/* Start of the window holding now, and the start of the next. Pure. */
void ratelimit_window(int64_t now, int64_t *start, int64_t *reset);

/* Fills res from a count after a hit. Pure. */
void ratelimit_assess(long long count, long long limit, int64_t now, struct rl_result *res);

/*
 * Adds n to the tenant's counter for the bucket and the current window,
 * atomically, and assesses it. Returns 0, or -1 on a database error
 * (logged; callers let the request through rather than fail closed).
 */
int ratelimit_hit(const char *tenant_id, enum rl_bucket bucket, long long limit,
    long long n, int64_t now, struct rl_result *res);

/* Takes back n units a refused request had counted (never below 0). */
int ratelimit_refund(const char *tenant_id, enum rl_bucket bucket, long long n, int64_t now);

/* Reads the counter without adding to it. */
int ratelimit_peek(const char *tenant_id, enum rl_bucket bucket, long long limit,
    int64_t now, struct rl_result *res);

#endif
