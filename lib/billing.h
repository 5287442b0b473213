/*
 * billing.h — the tenant's plan, its limits and this hour's usage
 * (GET /api/billing), and moving between plans (PUT /api/billing/plan).
 *
 * There is no payment processor: billing_set_plan() is the seam where one
 * would attach (charge, then change the plan). Limits are read from the
 * tenant row on every request (lib/auth.c), so a change applies to the
 * very next request. A custom plan carries its own hourly limits in the
 * tenant's override columns; the fixed plans clear them.
 */
#ifndef RETIVO_BILLING_H
#define RETIVO_BILLING_H

#include <stdint.h>

#include <json-c/json.h>

#define BILLING_CUSTOM_MAX_LIMIT	100000000LL	/* per hour, either bucket */

/*
 * The billing object of a tenant (new JSON, caller puts), or NULL when the
 * tenant does not exist or on error.
 */
struct json_object *billing_get_json(const char *tenant_id, int64_t now);

/*
 * Moves a tenant to plan. For "custom", api_per_hour and track_per_hour
 * (> 0) become its limits; for the fixed plans they must be 0 and the
 * overrides are cleared. Returns 0, 1 when no such tenant, -1 on error.
 */
int billing_set_plan(const char *tenant_id, const char *plan, long long api_per_hour,
    long long track_per_hour, int64_t now);

#endif
