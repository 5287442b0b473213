/* test_ratelimit.c — seed 003 rate limits: headers, 429, plan changes. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client.h"
#include "suites.h"

static long long
hdr_int(const struct resp *r, const char *name)
{
	const char *v = resp_header(r, name);

	return v ? strtoll(v, NULL, 10) : -1;
}

void
suite_ratelimit(void)
{
	struct fixture f, g;
	struct resp r;
	long long remaining, reset, first_429 = 0;
	int i, statuses_ok = 1;
	char out[4096];

	if (!ok(fixture_tenant(&f, "starter", "standalone") == 0 &&
	    fixture_tenant(&g, "starter", "standalone") == 0, "rate limit: fixtures"))
		return;

	api(&r, "GET", "/api/external/action-types", f.key, NULL);
	ok(hdr_int(&r, "X-RateLimit-Limit") == 1000, "starter: X-RateLimit-Limit 1000");
	remaining = hdr_int(&r, "X-RateLimit-Remaining");
	ok(remaining == 999, "first request leaves 999 (%lld)", remaining);
	reset = hdr_int(&r, "X-RateLimit-Reset");
	ok(reset > time(NULL) && reset <= time(NULL) + 3600 && reset % 3600 == 0,
	    "X-RateLimit-Reset is the next hour in unix seconds (%lld)", reset);
	resp_free(&r);

	api(&r, "POST", "/api/external/action-types", f.key, "{}");
	ok(r.status == 400 && hdr_int(&r, "X-RateLimit-Remaining") == 998,
	    "a 400 also carries the headers and counts");
	resp_free(&r);

	for (i = 3; i <= 1001; i++) {
		api(&r, "GET", "/api/keys?limit=1", f.key, NULL);
		if (i <= 1000 && r.status != 200)
			statuses_ok = 0;
		if (i == 1001)
			first_429 = r.status;
		if (i == 1000)
			ok(hdr_int(&r, "X-RateLimit-Remaining") == 0, "the 1,000th request is allowed, 0 left");
		if (i < 1001)
			resp_free(&r);
	}
	ok(statuses_ok, "requests 1..1000 are served");
	ok(first_429 == 429 && is_error(&r, 429, "rate limit"), "request 1,001 is 429 (%s)", r.body);
	ok(hdr_int(&r, "Retry-After") >= 1 && hdr_int(&r, "Retry-After") <= 3600,
	    "429 carries Retry-After (%lld)", hdr_int(&r, "Retry-After"));
	ok(hdr_int(&r, "X-RateLimit-Remaining") == 0 && hdr_int(&r, "X-RateLimit-Limit") == 1000,
	    "429 carries the rate-limit headers");
	resp_free(&r);

	api(&r, "GET", "/api/keys", g.key, NULL);
	ok(r.status == 200 && hdr_int(&r, "X-RateLimit-Remaining") == 999,
	    "another tenant's quota is its own");
	resp_free(&r);

	ok(admin_run(out, sizeof(out), "tenant plan --tenant %s --plan growth", f.tenant_id) == 0,
	    "plan change to growth");
	api(&r, "GET", "/api/keys", f.key, NULL);
	ok(r.status == 200 && hdr_int(&r, "X-RateLimit-Limit") == 10000 &&
	    hdr_int(&r, "X-RateLimit-Remaining") == 10000 - 1002,
	    "after the upgrade the limit moves at once (limit %lld, remaining %lld)",
	    hdr_int(&r, "X-RateLimit-Limit"), hdr_int(&r, "X-RateLimit-Remaining"));
	resp_free(&r);
	ok(admin_run(out, sizeof(out), "tenant plan --tenant %s --plan starter", f.tenant_id) == 0,
	    "plan change back to starter");
	api(&r, "GET", "/api/keys", f.key, NULL);
	ok(r.status == 429, "after the downgrade the tenant is over again");
	resp_free(&r);
}
