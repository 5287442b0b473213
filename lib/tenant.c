/*
 * tenant.c — the tenants table.
 */
#include "config.h"

#include <string.h>

#include "db.h"
#include "ids.h"
#include "jsonout.h"
#include "names.h"
#include "tenant.h"
#include "timeutil.h"

static const char *const tenant_plans[] = { "starter", "growth", "scale", "custom", NULL };
static const char *const tenant_roles[] = { "standalone", "partner", "customer", NULL };

static int
tenant_in(const char *s, const char *const *list)
{
	return names_find(list, s) >= 0;
}

int
tenant_plan_valid(const char *plan)
{
	return tenant_in(plan, tenant_plans);
}

int
tenant_role_valid(const char *role)
{
	return tenant_in(role, tenant_roles);
}

int
tenant_slug_valid(const char *slug)
{
	size_t i, len;

	if (slug == NULL || (len = strlen(slug)) == 0 || len > 100)
		return 0;
	if (slug[0] == '-' || slug[len - 1] == '-')
		return 0;
	for (i = 0; i < len; i++) {
		if (slug[i] == '-') {
			if (slug[i + 1] == '-')
				return 0;
		} else if (!((slug[i] >= 'a' && slug[i] <= 'z') || (slug[i] >= '0' && slug[i] <= '9')))
			return 0;
	}
	return 1;
}

static struct db_stmt tenant_insert = DB_STMT(
    "INSERT INTO tenants (id, name, slug, role, parent_tenant_id, plan_tier, "
    "  created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");

static struct db_stmt tenant_update_plan = DB_STMT(
    "UPDATE tenants SET plan_tier = ?, updated_at = ? WHERE id = ?");

static struct db_stmt tenant_select = DB_STMT(
    "SELECT id, name, slug, role, parent_tenant_id, plan_tier, plan_status, "
    "  tracked_user_limit, created_at, updated_at FROM tenants WHERE id = ?");

int
tenant_create(const char *name, const char *slug, const char *plan, const char *role,
    const char *parent, int64_t now, char id_out[37])
{
	char ts[20];

	if (id_uuid4(id_out) != 0)
		return -1;
	time_format_sql(now, ts);
	if (db_exec(&tenant_insert, "ssssssss", id_out, name, slug, role, parent, plan, ts, ts) != 0)
		return db_errno() == DB_ER_DUP_ENTRY ? 1 : -1;
	db_done(&tenant_insert);
	return 0;
}

int
tenant_set_plan(const char *id, const char *plan, int64_t now)
{
	char ts[20];
	unsigned long long n;

	time_format_sql(now, ts);
	if (db_exec(&tenant_update_plan, "sss", plan, ts, id) != 0)
		return -1;
	n = db_affected(&tenant_update_plan);
	db_done(&tenant_update_plan);
	return n == 0 ? 1 : 0;
}

struct json_object *
tenant_get_json(const char *id)
{
	struct json_object *o = NULL;
	struct db_stmt *s = &tenant_select;

	if (db_exec(s, "s", id) != 0)
		return NULL;
	if (db_fetch(s) == 1) {
		o = json_object_new_object();
		jo_str(o, "id", db_col(s, 0));
		jo_str(o, "name", db_col(s, 1));
		jo_str(o, "slug", db_col(s, 2));
		jo_str(o, "role", db_col(s, 3));
		jo_str(o, "parent_tenant_id", db_col(s, 4));
		jo_str(o, "plan_tier", db_col(s, 5));
		jo_str(o, "plan_status", db_col(s, 6));
		jo_int(o, "tracked_user_limit", db_col_int(s, 7));
		jo_time(o, "created_at", db_col(s, 8));
		jo_time(o, "updated_at", db_col(s, 9));
	}
	db_done(s);
	return o;
}
