/* test_ratelimit.c — plan limits, windows and the assessment (pure parts). */
#include "config.h"

#include "ratelimit.h"
#include "tap.h"

int
main(void)
{
	struct rl_result r;
	int64_t start, reset;

	ok(ratelimit_plan_limit("starter", RL_API) == 1000, "starter: 1,000 requests/h");
	ok(ratelimit_plan_limit("growth", RL_API) == 10000, "growth: 10,000 requests/h");
	ok(ratelimit_plan_limit("scale", RL_API) == 100000, "scale: 100,000 requests/h");
	ok(ratelimit_plan_limit("starter", RL_TRACK) == 1000, "starter: 1,000 events/h");
	ok(ratelimit_plan_limit("scale", RL_TRACK) == 100000, "scale: 100,000 events/h");
	ok(ratelimit_plan_limit("gold", RL_API) == -1, "unknown plan");

	ratelimit_window(1743926399, &start, &reset);
	ok(start == 1743922800 && reset == 1743926400, "window: last second of an hour");
	ratelimit_window(1743926400, &start, &reset);
	ok(start == 1743926400 && reset == 1743930000, "window: first second of the next");

	ratelimit_assess(153, 1000, 1743926000, &r);
	ok(r.remaining == 847 && !r.over && r.reset == 1743926400, "assess: under the limit");
	ratelimit_assess(1000, 1000, 1743926000, &r);
	ok(r.remaining == 0 && !r.over, "assess: the 1,000th request is allowed");
	ratelimit_assess(1001, 1000, 1743926000, &r);
	ok(r.over && r.remaining == 0 && r.retry_after == 400, "assess: the 1,001st is refused, retry in 400 s");
	ratelimit_assess(1001, 1000, 1743926399, &r);
	ok(r.retry_after == 1, "assess: retry-after at least 1 s");
	return tap_done();
}
