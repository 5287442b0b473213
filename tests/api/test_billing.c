/*
 * test_billing.c — GET /api/billing and PUT /api/billing/plan: the plan's
 * limits and this hour's usage, plan changes moving the rate limit of the
 * very next request and the seat limit at once, custom plans with their
 * own limits, and who may change the plan.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "session_client.h"
#include "suites.h"

/* X-RateLimit-Limit of a fresh request with key, as a number. */
static long long
billing_next_limit(const char *key)
{
	struct resp r;
	long long v = -1;
	const char *h;

	api(&r, "GET", "/api/settings", key, NULL);
	if ((h = resp_header(&r, "X-RateLimit-Limit")) != NULL)
		v = strtoll(h, NULL, 10);
	resp_free(&r);
	return v;
}

void
suite_billing(void)
{
	struct fixture f, g;
	struct session admin, ed;
	struct resp r;
	char rkey[64];

	if (!ok(fixture_tenant(&f, "starter", "standalone") == 0 &&
	    fixture_tenant(&g, "scale", "standalone") == 0 &&
	    fixture_member(&admin, f.tenant_id, "admin") == 0 &&
	    fixture_member(&ed, f.tenant_id, "editor") == 0 &&
	    fixture_key(f.tenant_id, "live", "read", rkey, sizeof(rkey)) == 0, "billing: fixtures"))
		return;
	api(&r, "POST", "/api/events", f.key, "{\"user_id\":\"bill-u1\",\"event\":\"page_viewed\"}");
	resp_free(&r);

	api(&r, "GET", "/api/billing", f.key, NULL);
	ok(r.status == 200 && jstr(&r, "plan_tier") && strcmp(jstr(&r, "plan_tier"), "starter") == 0 &&
	    jstr(&r, "plan_status") && strcmp(jstr(&r, "plan_status"), "active") == 0,
	    "get: plan_tier and plan_status (%s)", r.body);
	ok(jint(&r, "limits.api_per_hour") == 1000 && jint(&r, "limits.track_per_hour") == 1000 &&
	    jint(&r, "limits.seats") == 3 && jint(&r, "limits.tracked_users") == 1000,
	    "get: the starter plan's limits");
	ok(jint(&r, "usage.api_this_hour") >= 1 && jint(&r, "usage.track_this_hour") == 1 &&
	    jint(&r, "usage.seats_used") == 2 && jint(&r, "usage.tracked_users") == 1,
	    "get: usage this hour, seats used (2 members), tracked users (1)");
	resp_free(&r);
	api_session(&r, "GET", "/api/billing", &ed, NULL, NULL, NULL);
	ok(r.status == 200, "get: an editor may look");
	resp_free(&r);
	api(&r, "GET", "/api/billing", rkey, NULL);
	ok(r.status == 200, "get: a read key may look");
	resp_free(&r);
	api(&r, "GET", "/api/billing", g.key, NULL);
	ok(r.status == 200 && strcmp(jstr(&r, "plan_tier"), "scale") == 0 && jint(&r, "limits.seats") == 50 &&
	    jint(&r, "usage.tracked_users") == 0, "get: each tenant its own (scale, 50 seats)");
	resp_free(&r);

	/* Who may change it. */
	api_session(&r, "PUT", "/api/billing/plan", &ed, ed.csrf, NULL, "{\"plan_tier\":\"growth\"}");
	ok(is_error(&r, 403, NULL), "put: an editor may not (403)");
	resp_free(&r);
	api(&r, "PUT", "/api/billing/plan", rkey, "{\"plan_tier\":\"growth\"}");
	ok(is_error(&r, 403, "scope"), "put: a read key may not (403)");
	resp_free(&r);
	api(&r, "PUT", "/api/billing/plan", f.key, "{\"plan_tier\":\"platinum\"}");
	ok(is_error(&r, 400, NULL) && strcmp(jstr(&r, "field"), "plan_tier") == 0, "put: unknown plan 400");
	resp_free(&r);
	api(&r, "PUT", "/api/billing/plan", f.key, "{}");
	ok(is_error(&r, 400, NULL) && strcmp(jstr(&r, "field"), "plan_tier") == 0, "put: plan_tier required");
	resp_free(&r);
	api(&r, "PUT", "/api/billing/plan", f.key, "{\"plan_tier\":\"growth\",\"limits\":{\"api_per_hour\":5}}");
	ok(is_error(&r, 400, "custom") && strcmp(jstr(&r, "field"), "limits") == 0,
	    "put: a fixed plan takes no limits");
	resp_free(&r);
	api(&r, "PUT", "/api/billing/plan", f.key, "{\"plan_tier\":\"custom\"}");
	ok(is_error(&r, 400, "custom") && strcmp(jstr(&r, "field"), "limits") == 0,
	    "put: custom needs explicit limits");
	resp_free(&r);
	api(&r, "PUT", "/api/billing/plan", f.key, "{\"plan_tier\":\"custom\",\"limits\":{\"api_per_hour\":0,"
	    "\"track_per_hour\":5}}");
	ok(is_error(&r, 400, NULL) && strcmp(jstr(&r, "field"), "limits.api_per_hour") == 0,
	    "put: custom limits must be positive");
	resp_free(&r);

	/* Seats follow the plan at once. */
	api_session(&r, "POST", "/api/team/invite", &admin, admin.csrf, NULL,
	    "{\"email\":\"bill-a-%s@example.com\",\"role\":\"viewer\"}", f.tenant_id);
	ok(r.status == 201, "seats: the third starter seat");
	resp_free(&r);
	api_session(&r, "POST", "/api/team/invite", &admin, admin.csrf, NULL,
	    "{\"email\":\"bill-b-%s@example.com\",\"role\":\"viewer\"}", f.tenant_id);
	ok(r.status == 402 && jint(&r, "limit") == 3, "seats: no fourth on starter");
	resp_free(&r);

	api_session(&r, "PUT", "/api/billing/plan", &admin, admin.csrf, NULL, "{\"plan_tier\":\"growth\"}");
	ok(r.status == 200 && strcmp(jstr(&r, "plan_tier"), "growth") == 0 &&
	    jint(&r, "limits.api_per_hour") == 10000 && jint(&r, "limits.seats") == 10 &&
	    jint(&r, "usage.seats_used") == 3, "put: an admin moves to growth; the new billing object (%s)", r.body);
	resp_free(&r);
	ok(billing_next_limit(f.key) == 10000, "put: the very next request has X-RateLimit-Limit 10000");
	api_session(&r, "POST", "/api/team/invite", &admin, admin.csrf, NULL,
	    "{\"email\":\"bill-b-%s@example.com\",\"role\":\"viewer\"}", f.tenant_id);
	ok(r.status == 201, "seats: growth has a fourth seat at once");
	resp_free(&r);

	api(&r, "PUT", "/api/billing/plan", f.key, "{\"plan_tier\":\"custom\",\"limits\":{\"api_per_hour\":50000,"
	    "\"track_per_hour\":70000}}");
	ok(r.status == 200 && strcmp(jstr(&r, "plan_tier"), "custom") == 0 &&
	    jint(&r, "limits.api_per_hour") == 50000 && jint(&r, "limits.track_per_hour") == 70000 &&
	    jget(&r, "limits") && json_object_object_get_ex(jget(&r, "limits"), "seats", NULL) &&
	    jget(&r, "limits.seats") == NULL, "put: custom with its own limits, seats unlimited (null) (%s)", r.body);
	resp_free(&r);
	ok(billing_next_limit(f.key) == 50000, "custom: the next request has the custom limit");

	api(&r, "PUT", "/api/billing/plan", f.key, "{\"plan_tier\":\"scale\"}");
	ok(r.status == 200 && jint(&r, "limits.api_per_hour") == 100000, "put: scale clears the custom limits");
	resp_free(&r);
	ok(billing_next_limit(f.key) == 100000, "scale: the next request has 100000");

	api(&r, "PUT", "/api/billing/plan", f.key, "{\"plan_tier\":\"starter\"}");
	resp_free(&r);
	ok(billing_next_limit(f.key) == 1000, "starter again: 1000");
	api_session(&r, "POST", "/api/team/invite", &admin, admin.csrf, NULL,
	    "{\"email\":\"bill-c-%s@example.com\",\"role\":\"viewer\"}", f.tenant_id);
	ok(r.status == 402 && jint(&r, "current") == 4 && jint(&r, "limit") == 3,
	    "seats: back on starter, over the limit, no new invitation (402 current 4)");
	resp_free(&r);
	ok(sql_int("SELECT COUNT(*) FROM audit_logs WHERE tenant_id = '%s' AND action = 'PUT /api/billing/plan' "
	    "AND status = 200", f.tenant_id) == 4, "audit: every plan change is recorded");
	api(&r, "GET", "/api/billing", g.key, NULL);
	ok(r.status == 200 && strcmp(jstr(&r, "plan_tier"), "scale") == 0, "the other tenant's plan is untouched");
	resp_free(&r);
}
