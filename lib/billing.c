/*
 * billing.c — plan, limits and usage of a tenant (see billing.h).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "billing.h"
#include "db.h"
#include "jsonout.h"
#include "log.h"
#include "member.h"
#include "ratelimit.h"
#include "timeutil.h"

static struct db_stmt billing_tenant = DB_STMT(
    "SELECT plan_tier, plan_status, tracked_user_limit, api_limit_override, "
    "  track_limit_override, (SELECT COUNT(*) FROM users u WHERE u.tenant_id = t.id) "
    "FROM tenants t WHERE t.id = ?");

static struct db_stmt billing_update = DB_STMT(
    "UPDATE tenants SET plan_tier = ?, api_limit_override = ?, track_limit_override = ?, "
    "  updated_at = ? WHERE id = ?");

static struct db_stmt billing_exists = DB_STMT(
    "SELECT 1 FROM tenants WHERE id = ?");

struct json_object *
billing_get_json(const char *tenant_id, int64_t now)
{
	struct db_stmt *s = &billing_tenant;
	struct json_object *o = NULL, *limits, *usage;
	struct auth a;
	struct rl_result api, track;
	long long seats, seats_used, tracked_limit, tracked;
	char status[16], iso[21];

	memset(&a, 0, sizeof(a));
	if (db_exec(s, "s", tenant_id) != 0)
		return NULL;
	if (db_fetch(s) != 1) {
		db_done(s);
		return NULL;
	}
	snprintf(a.plan, sizeof(a.plan), "%s", db_col(s, 0));
	snprintf(status, sizeof(status), "%s", db_col(s, 1));
	tracked_limit = db_col_int(s, 2);
	auth_set_limits(&a, db_col(s, 3), db_col(s, 4));
	tracked = db_col_int(s, 5);
	db_done(s);
	seats = member_seat_limit(a.plan);
	if ((seats_used = member_seats_used(tenant_id, now)) < 0 ||
	    ratelimit_peek(tenant_id, RL_API, a.api_limit, now, &api) != 0 ||
	    ratelimit_peek(tenant_id, RL_TRACK, a.track_limit, now, &track) != 0)
		return NULL;
	o = json_object_new_object();
	jo_str(o, "plan_tier", a.plan);
	jo_str(o, "plan_status", status);
	limits = json_object_new_object();
	jo_int(limits, "api_per_hour", a.api_limit);
	jo_int(limits, "track_per_hour", a.track_limit);
	if (seats < 0)
		json_object_object_add(limits, "seats", NULL);	/* unlimited */
	else
		jo_int(limits, "seats", seats);
	jo_int(limits, "tracked_users", tracked_limit);
	json_object_object_add(o, "limits", limits);
	usage = json_object_new_object();
	jo_int(usage, "api_this_hour", api.count);
	jo_int(usage, "track_this_hour", track.count);
	jo_int(usage, "seats_used", seats_used);
	jo_int(usage, "tracked_users", tracked);
	json_object_object_add(o, "usage", usage);
	/* The hourly counters start again here (X-RateLimit-Reset). */
	time_format_iso8601(api.reset, iso);
	json_object_object_add(o, "usage_resets_at", json_object_new_string(iso));
	return o;
}

int
billing_set_plan(const char *tenant_id, const char *plan, long long api_per_hour,
    long long track_per_hour, int64_t now)
{
	char ts[20];
	int custom = strcmp(plan, "custom") == 0, found;

	time_format_sql(now, ts);
	if (db_exec(&billing_exists, "s", tenant_id) != 0)
		return -1;
	found = db_fetch(&billing_exists);
	db_done(&billing_exists);
	if (found != 1)
		return found == 0 ? 1 : -1;
	if (db_exec(&billing_update, "snnss", plan, custom ? &api_per_hour : NULL,
	    custom ? &track_per_hour : NULL, ts, tenant_id) != 0)
		return -1;
	db_done(&billing_update);
	return 0;
}
