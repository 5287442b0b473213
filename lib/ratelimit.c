/*
 * ratelimit.c — hourly fixed windows counted in one table.
 *
 * One statement both increments and reads the counter: the upsert sets
 * LAST_INSERT_ID(count + n), so the new count comes back with the reply to
 * the write and there is no read-after-write race between web nodes.
 */
#include "config.h"

#include <string.h>

#include "db.h"
#include "log.h"
#include "ratelimit.h"

static const struct {
	const char *plan;
	long long api;
	long long track;
} rl_plans[] = {
	{ "starter", 1000, 1000 },
	{ "growth", 10000, 10000 },
	{ "scale", 100000, 100000 },
	/* custom plans carry their own limits on the tenant; this is the floor */
	{ "custom", 1000000, 1000000 },
};

long long
ratelimit_plan_limit(const char *plan, enum rl_bucket bucket)
{
	size_t i;

	if (plan == NULL)
		return -1;
	for (i = 0; i < sizeof(rl_plans) / sizeof(rl_plans[0]); i++)
		if (strcmp(rl_plans[i].plan, plan) == 0)
			return bucket == RL_API ? rl_plans[i].api : rl_plans[i].track;
	return -1;
}

void
ratelimit_window(int64_t now, int64_t *start, int64_t *reset)
{
	int64_t s = now - (((now % 3600) + 3600) % 3600);

	*start = s;
	*reset = s + 3600;
}

void
ratelimit_assess(long long count, long long limit, int64_t now, struct rl_result *res)
{
	int64_t start;

	ratelimit_window(now, &start, &res->reset);
	res->limit = limit;
	res->count = count;
	res->remaining = count >= limit ? 0 : limit - count;
	res->over = count > limit;
	res->retry_after = res->over ? res->reset - now : 0;
	if (res->over && res->retry_after < 1)
		res->retry_after = 1;
}

static struct db_stmt rl_upsert = DB_STMT(
    "INSERT INTO rate_counters (tenant_id, bucket, window_start, count) "
    "VALUES (?, ?, ?, LAST_INSERT_ID(?)) "
    "ON DUPLICATE KEY UPDATE count = LAST_INSERT_ID(count + VALUES(count))");

static struct db_stmt rl_select = DB_STMT(
    "SELECT count FROM rate_counters "
    "WHERE tenant_id = ? AND bucket = ? AND window_start = ?");

static struct db_stmt rl_refund = DB_STMT(
    "UPDATE rate_counters SET count = IF(count >= ?, count - ?, 0) "
    "WHERE tenant_id = ? AND bucket = ? AND window_start = ?");

static const char *const rl_bucket_names[] = { "api", "track" };

int
ratelimit_refund(const char *tenant_id, enum rl_bucket bucket, long long n, int64_t now)
{
	int64_t start, reset;

	ratelimit_window(now, &start, &reset);
	if (db_exec(&rl_refund, "iissi", n, n, tenant_id, rl_bucket_names[bucket],
	    (long long)start) != 0)
		return -1;
	db_done(&rl_refund);
	return 0;
}

int
ratelimit_hit(const char *tenant_id, enum rl_bucket bucket, long long limit,
    long long n, int64_t now, struct rl_result *res)
{
	int64_t start, reset;
	long long count;

	ratelimit_window(now, &start, &reset);
	if (db_exec(&rl_upsert, "ssii", tenant_id, rl_bucket_names[bucket],
	    (long long)start, n) != 0)
		return -1;
	/* Insert: LAST_INSERT_ID(n) in VALUES; update: LAST_INSERT_ID(count + n). */
	count = (long long)db_insert_id(&rl_upsert);
	db_done(&rl_upsert);
	ratelimit_assess(count, limit, now, res);
	return 0;
}

int
ratelimit_peek(const char *tenant_id, enum rl_bucket bucket, long long limit,
    int64_t now, struct rl_result *res)
{
	int64_t start, reset;
	long long count = 0;

	ratelimit_window(now, &start, &reset);
	if (db_exec(&rl_select, "ssi", tenant_id, rl_bucket_names[bucket], (long long)start) != 0)
		return -1;
	if (db_fetch(&rl_select) == 1)
		count = db_col_int(&rl_select, 0);
	db_done(&rl_select);
	ratelimit_assess(count, limit, now, res);
	return 0;
}
