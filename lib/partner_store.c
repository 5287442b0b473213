/*
 * partner_store.c — the partner's tables (schema/006_partners.sql): its
 * customer tenants, integrations, templates, event mappings and shares.
 * See partner.h for the contracts; every statement is scoped by the
 * partner (tenant_id or parent_tenant_id = ?), so another partner's ids
 * are simply not found.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apikey.h"
#include "auth.h"
#include "db.h"
#include "ids.h"
#include "jsonout.h"
#include "log.h"
#include "page.h"
#include "partner.h"
#include "timeutil.h"

#define CUST_COLS "id, name, slug, plan_tier, plan_status, tracked_user_limit, created_at, " \
	"updated_at, tracked_users"

static struct db_stmt pc_insert = DB_STMT(
    "INSERT INTO tenants (id, name, slug, role, parent_tenant_id, plan_tier, "
    "  tracked_user_limit, created_at, updated_at) "
    "VALUES (?, ?, ?, 'customer', ?, ?, ?, ?, ?)");

static struct db_stmt pc_config_insert = DB_STMT(
    "INSERT INTO partner_customer_configs (customer_tenant_id, tenant_id, config, created_at) "
    "VALUES (?, ?, ?, ?)");

static struct db_stmt pc_config_select = DB_STMT(
    "SELECT config FROM partner_customer_configs WHERE customer_tenant_id = ? AND tenant_id = ?");

static struct db_stmt pc_active_integrations = DB_STMT(
    "SELECT id FROM partner_integrations WHERE tenant_id = ? AND active = 1 ORDER BY seq");

static struct db_stmt pc_owns = DB_STMT(
    "SELECT 1 FROM tenants WHERE id = ? AND parent_tenant_id = ? AND role = 'customer'");

static struct db_stmt pc_owns_lock = DB_STMT(
    "SELECT 1 FROM tenants WHERE id = ? AND parent_tenant_id = ? AND role = 'customer' "
    "LOCK IN SHARE MODE");

static struct db_stmt pc_select = DB_STMT(
    "SELECT " CUST_COLS " FROM tenants "
    "WHERE id = ? AND parent_tenant_id = ? AND role = 'customer'");

static struct db_stmt pc_page = DB_STMT(
    "SELECT " CUST_COLS " FROM tenants WHERE parent_tenant_id = ? AND role = 'customer' "
    "AND (? IS NULL OR (created_at, id) < "
    "  (SELECT c.created_at, c.id FROM tenants c WHERE c.id = ? AND c.parent_tenant_id = ?)) "
    "ORDER BY created_at DESC, id DESC LIMIT ?");

static struct db_stmt pc_count = DB_STMT(
    "SELECT COUNT(*), IFNULL(SUM(tracked_users), 0) FROM tenants "
    "WHERE parent_tenant_id = ? AND role = 'customer'");

static struct db_stmt pc_shares_of = DB_STMT(
    "SELECT i.id, i.provider, i.display_name, s.action_types_registered, s.shared_at "
    "FROM partner_shares s JOIN partner_integrations i ON i.id = s.integration_id "
    "WHERE s.customer_tenant_id = ? AND s.tenant_id = ? AND i.tenant_id = ? ORDER BY s.seq");

static struct json_object *
partner_customer_row(const struct db_stmt *s)
{
	struct json_object *o = json_object_new_object();

	jo_str(o, "tenant_id", db_col(s, 0));
	jo_str(o, "name", db_col(s, 1));
	jo_str(o, "slug", db_col(s, 2));
	jo_str(o, "plan_tier", db_col(s, 3));
	jo_str(o, "plan_status", db_col(s, 4));
	jo_int(o, "tracked_user_limit", db_col_int(s, 5));
	jo_time(o, "created_at", db_col(s, 6));
	return o;
}

static int partner_share_tx(const char *partner_id, const char *integration_id,
    const char *customer_id, const char *ts, long long *registered, char conflict[65]);

int
partner_customer_create(const char *partner_id, const char *name, const char *slug,
    const char *plan, long long tracked_user_limit, const char *config, int test_mode,
    int64_t now, char id_out[37], char *key_out, long long *integrations_shared)
{
	struct json_object *key = NULL, *ids = json_object_new_array();
	char ts[TIME_SQL_SIZE], conflict[65];
	long long registered;
	size_t i;
	int rc = -1, src;

	*integrations_shared = 0;
	time_format_sql(now, ts);
	if (id_uuid4(id_out) != 0 || db_begin() != 0)
		goto out;
	if (db_exec(&pc_insert, "sssssiss", id_out, name, slug, partner_id, plan,
	    tracked_user_limit, ts, ts) != 0) {
		if (db_errno() == DB_ER_DUP_ENTRY)
			rc = 1;
		goto rollback;
	}
	db_done(&pc_insert);
	if (config != NULL) {
		if (db_exec(&pc_config_insert, "ssss", id_out, partner_id, config, ts) != 0)
			goto rollback;
		db_done(&pc_config_insert);
	}
	if (apikey_create(id_out, "provisioned by partner", test_mode, SCOPE_FULL, now, key_out,
	    &key) != 0)
		goto rollback;
	/* Read the ids first: one statement is open at a time per slot. */
	if (db_exec(&pc_active_integrations, "s", partner_id) != 0)
		goto rollback;
	while (db_fetch(&pc_active_integrations) == 1)
		json_object_array_add(ids,
		    json_object_new_string(db_col(&pc_active_integrations, 0)));
	db_done(&pc_active_integrations);
	for (i = 0; i < json_object_array_length(ids); i++) {
		src = partner_share_tx(partner_id,
		    json_object_get_string(json_object_array_get_idx(ids, i)), id_out, ts,
		    &registered, conflict);
		/* A new tenant has no types and template names are unique per
		 * partner, so nothing can conflict here; anything but OK is a fault. */
		if (src != PARTNER_SHARE_OK) {
			log_err("partner: sharing integration %s with new customer %s: %d (%s)",
			    json_object_get_string(json_object_array_get_idx(ids, i)), id_out, src,
			    conflict);
			goto rollback;
		}
		(*integrations_shared)++;
	}
	if (db_commit() != 0)
		goto out;
	rc = 0;
	goto out;
rollback:
	db_rollback();
	*integrations_shared = 0;
out:
	json_object_put(key);
	json_object_put(ids);
	return rc;
}

int
partner_owns_customer(const char *partner_id, const char *customer_id)
{
	return db_exists(&pc_owns, customer_id, partner_id);
}

struct json_object *
partner_customer_list(const char *partner_id, int limit, const char *cursor, int *has_more,
    long long *total)
{
	struct json_object *arr;

	*has_more = 0;
	*total = 0;
	if (db_exec(&pc_page, "ssssi", partner_id, cursor, cursor, partner_id,
	    (long long)limit + 1) != 0)
		return NULL;
	arr = page_rows(&pc_page, limit, has_more, partner_customer_row);
	if (db_exec(&pc_count, "s", partner_id) != 0) {
		json_object_put(arr);
		return NULL;
	}
	if (db_fetch(&pc_count) == 1)
		*total = db_col_int(&pc_count, 0);
	db_done(&pc_count);
	return arr;
}

struct json_object *
partner_customer_json(const char *partner_id, const char *customer_id, int *found)
{
	struct json_object *o = NULL, *arr, *e;
	struct db_stmt *s = &pc_select;

	*found = 1;
	if (db_exec(s, "ss", customer_id, partner_id) != 0)
		return NULL;
	if (db_fetch(s) != 1) {
		*found = 0;
		db_done(s);
		return NULL;
	}
	o = partner_customer_row(s);
	jo_time(o, "updated_at", db_col(s, 7));
	jo_int(o, "tracked_users", db_col_int(s, 8));
	db_done(s);
	if (db_exec(&pc_config_select, "ss", customer_id, partner_id) != 0)
		goto fail;
	if (db_fetch(&pc_config_select) == 1)
		jo_raw(o, "config", db_col(&pc_config_select, 0));
	else
		json_object_object_add(o, "config", json_object_new_object());
	db_done(&pc_config_select);
	if (db_exec(&pc_shares_of, "sss", customer_id, partner_id, partner_id) != 0)
		goto fail;
	arr = json_object_new_array();
	while (db_fetch(&pc_shares_of) == 1) {
		e = json_object_new_object();
		jo_str(e, "integration_id", db_col(&pc_shares_of, 0));
		jo_str(e, "provider", db_col(&pc_shares_of, 1));
		jo_str(e, "display_name", db_col(&pc_shares_of, 2));
		jo_int(e, "action_types_registered", db_col_int(&pc_shares_of, 3));
		jo_time(e, "shared_at", db_col(&pc_shares_of, 4));
		json_object_array_add(arr, e);
	}
	db_done(&pc_shares_of);
	json_object_object_add(o, "integrations", arr);
	return o;
fail:
	json_object_put(o);
	return NULL;
}

/* ---- integrations ---- */

#define PI_COLS "id, provider, display_name, domain, active, created_at, updated_at"

static struct db_stmt pi_insert = DB_STMT(
    "INSERT INTO partner_integrations (id, tenant_id, provider, display_name, domain, active, "
    "  webhook_secret_enc, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");

static struct db_stmt pi_template_insert = DB_STMT(
    "INSERT INTO partner_integration_templates (integration_id, position, tenant_id, name, "
    "  description, parameters_schema, delivery_webhook, estimated_cost_usd) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");

static struct db_stmt pi_mapping_insert = DB_STMT(
    "INSERT INTO partner_event_mappings (integration_id, position, tenant_id, from_name, "
    "  to_name) VALUES (?, ?, ?, ?, ?)");

static struct db_stmt pi_select = DB_STMT(
    "SELECT " PI_COLS " FROM partner_integrations WHERE tenant_id = ? AND id = ?");

static struct db_stmt pi_page = DB_STMT(
    "SELECT " PI_COLS " FROM partner_integrations WHERE tenant_id = ? "
    "AND (? IS NULL OR seq < "
    "  (SELECT c.seq FROM partner_integrations c WHERE c.tenant_id = ? AND c.id = ?)) "
    "ORDER BY seq DESC LIMIT ?");

static struct db_stmt pi_templates = DB_STMT(
    "SELECT name, description, parameters_schema, delivery_webhook, estimated_cost_usd "
    "FROM partner_integration_templates WHERE tenant_id = ? AND integration_id = ? "
    "ORDER BY position");

static struct db_stmt pi_mappings = DB_STMT(
    "SELECT from_name, to_name FROM partner_event_mappings "
    "WHERE tenant_id = ? AND integration_id = ? ORDER BY position");

static struct db_stmt pi_share_count = DB_STMT(
    "SELECT COUNT(*) FROM partner_shares WHERE tenant_id = ? AND integration_id = ?");

int
partner_integration_create(const char *partner_id, const struct partner_integration *pi,
    const char *secret_sealed, int64_t now, char id_out[48], char conflict[65])
{
	const struct partner_template *t;
	char ts[TIME_SQL_SIZE];
	size_t i;
	int rc = -1;

	conflict[0] = '\0';
	time_format_sql(now, ts);
	if (id_new("pi", id_out, 48) != 0 || db_begin() != 0)
		return -1;
	if (db_exec(&pi_insert, "sssssisss", id_out, partner_id, pi->provider, pi->display_name,
	    pi->domain, (long long)pi->active, secret_sealed, ts, ts) != 0) {
		if (db_errno() == DB_ER_DUP_ENTRY)
			rc = 1;
		goto rollback;
	}
	db_done(&pi_insert);
	for (i = 0; i < pi->ntemplates; i++) {
		t = &pi->templates[i];
		if (db_exec(&pi_template_insert, "sissssss", id_out, (long long)i, partner_id,
		    t->name, t->description, t->parameters_schema, t->delivery_webhook,
		    t->estimated_cost_usd) != 0) {
			if (db_errno() == DB_ER_DUP_ENTRY) {
				snprintf(conflict, 65, "%s", t->name);
				rc = 2;
			}
			goto rollback;
		}
		db_done(&pi_template_insert);
	}
	for (i = 0; i < pi->nmappings; i++) {
		if (db_exec(&pi_mapping_insert, "sisss", id_out, (long long)i, partner_id,
		    pi->mappings[i].from, pi->mappings[i].to) != 0)
			goto rollback;
		db_done(&pi_mapping_insert);
	}
	if (db_commit() != 0)
		return -1;
	return 0;
rollback:
	db_rollback();
	return rc;
}

static struct json_object *
partner_integration_row(const struct db_stmt *s)
{
	struct json_object *o = json_object_new_object();

	jo_str(o, "id", db_col(s, 0));
	jo_str(o, "provider", db_col(s, 1));
	jo_str(o, "display_name", db_col(s, 2));
	jo_str(o, "domain", db_col(s, 3));
	jo_bool(o, "active", (int)db_col_int(s, 4));
	jo_time(o, "created_at", db_col(s, 5));
	jo_time(o, "updated_at", db_col(s, 6));
	return o;
}

/* Adds action_type_templates, event_mappings and customers_shared to o. */
static int
partner_integration_details(const char *partner_id, const char *id, struct json_object *o)
{
	struct json_object *arr, *e;
	struct db_stmt *s;

	s = &pi_templates;
	if (db_exec(s, "ss", partner_id, id) != 0)
		return -1;
	arr = json_object_new_array();
	while (db_fetch(s) == 1) {
		e = json_object_new_object();
		jo_str(e, "name", db_col(s, 0));
		jo_str(e, "description", db_col(s, 1));
		jo_raw(e, "parameters_schema", db_col(s, 2));
		jo_str(e, "delivery_webhook", db_col(s, 3));
		jo_str(e, "estimated_cost_usd", db_col(s, 4));
		json_object_array_add(arr, e);
	}
	db_done(s);
	json_object_object_add(o, "action_type_templates", arr);
	s = &pi_mappings;
	if (db_exec(s, "ss", partner_id, id) != 0)
		return -1;
	arr = json_object_new_array();
	while (db_fetch(s) == 1) {
		e = json_object_new_object();
		jo_str(e, "from", db_col(s, 0));
		jo_str(e, "to", db_col(s, 1));
		json_object_array_add(arr, e);
	}
	db_done(s);
	json_object_object_add(o, "event_mappings", arr);
	s = &pi_share_count;
	if (db_exec(s, "ss", partner_id, id) != 0)
		return -1;
	jo_int(o, "customers_shared", db_fetch(s) == 1 ? db_col_int(s, 0) : 0);
	db_done(s);
	return 0;
}

struct json_object *
partner_integration_json(const char *partner_id, const char *id, int *found)
{
	struct json_object *o;

	if ((o = page_row_by_id(&pi_select, partner_id, id, found,
	    partner_integration_row)) == NULL)
		return NULL;
	if (partner_integration_details(partner_id, id, o) != 0) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

struct json_object *
partner_integration_list(const char *partner_id, int limit, const char *cursor, int *has_more)
{
	struct json_object *arr, *e, *idv;
	size_t i;

	if ((arr = page_list(&pi_page, partner_id, cursor, limit, has_more,
	    partner_integration_row)) == NULL)
		return NULL;
	for (i = 0; i < json_object_array_length(arr); i++) {
		e = json_object_array_get_idx(arr, i);
		if (!json_object_object_get_ex(e, "id", &idv) ||
		    partner_integration_details(partner_id, json_object_get_string(idv), e) != 0) {
			json_object_put(arr);
			return NULL;
		}
	}
	return arr;
}

/* ---- sharing ---- */

static struct db_stmt ps_integration = DB_STMT(
    "SELECT active, provider, domain, webhook_secret_enc FROM partner_integrations "
    "WHERE tenant_id = ? AND id = ? LOCK IN SHARE MODE");

static struct db_stmt ps_insert = DB_STMT(
    "INSERT IGNORE INTO partner_shares (integration_id, customer_tenant_id, tenant_id, "
    "  action_types_registered, shared_at) VALUES (?, ?, ?, 0, ?)");

static struct db_stmt ps_set_count = DB_STMT(
    "UPDATE partner_shares SET action_types_registered = ? "
    "WHERE tenant_id = ? AND integration_id = ? AND customer_tenant_id = ?");

/* One of the customer's action types, made from a template row of the
 * partner (tenant_id = ?) by INSERT ... SELECT, so the template text never
 * travels through this process. */
static struct db_stmt ps_type_from_template = DB_STMT(
    "INSERT INTO action_types (id, tenant_id, name, description, provider, domain, "
    "  parameters_schema, delivery_webhook, estimated_cost_usd, webhook_secret_enc, active, "
    "  created_at, updated_at) "
    "SELECT ?, ?, t.name, t.description, ?, ?, t.parameters_schema, t.delivery_webhook, "
    "  t.estimated_cost_usd, ?, 1, ?, ? FROM partner_integration_templates t "
    "WHERE t.tenant_id = ? AND t.integration_id = ? AND t.position = ?");

static struct db_stmt ps_template_names = DB_STMT(
    "SELECT position, name FROM partner_integration_templates "
    "WHERE tenant_id = ? AND integration_id = ? ORDER BY position");

/*
 * The share inside the caller's transaction (see partner_share). On a
 * non-OK result the caller rolls back.
 */
static int
partner_share_tx(const char *partner_id, const char *integration_id, const char *customer_id,
    const char *ts, long long *registered, char conflict[65])
{
	char provider[101], domain[101], sealed[256], atid[48];
	struct json_object *names = NULL;
	int has_domain, active, f, rc = PARTNER_SHARE_ERROR;
	size_t i;

	*registered = 0;
	conflict[0] = '\0';
	if (db_exec(&ps_integration, "ss", partner_id, integration_id) != 0)
		return PARTNER_SHARE_ERROR;
	if ((f = db_fetch(&ps_integration)) != 1) {
		db_done(&ps_integration);
		return f == 0 ? PARTNER_SHARE_NO_INTEGRATION : PARTNER_SHARE_ERROR;
	}
	active = (int)db_col_int(&ps_integration, 0);
	snprintf(provider, sizeof(provider), "%s", db_col(&ps_integration, 1));
	has_domain = db_col(&ps_integration, 2) != NULL;
	snprintf(domain, sizeof(domain), "%s", has_domain ? db_col(&ps_integration, 2) : "");
	snprintf(sealed, sizeof(sealed), "%s", db_col(&ps_integration, 3));
	db_done(&ps_integration);
	/* The customer row is held shared so it cannot change hands mid-share. */
	if ((f = db_exists(&pc_owns_lock, customer_id, partner_id)) != 1)
		return f == 0 ? PARTNER_SHARE_NO_CUSTOMER : PARTNER_SHARE_ERROR;
	if (!active)
		return PARTNER_SHARE_INACTIVE;
	/* The primary key (integration, customer) is the idempotence: a second
	 * share (even a concurrent one, which waits on the row lock) inserts
	 * nothing and so registers nothing. */
	if (db_exec(&ps_insert, "ssss", integration_id, customer_id, partner_id, ts) != 0)
		return PARTNER_SHARE_ERROR;
	f = db_affected(&ps_insert) == 1;
	db_done(&ps_insert);
	if (!f)
		return PARTNER_SHARE_OK;
	if (db_exec(&ps_template_names, "ss", partner_id, integration_id) != 0)
		return PARTNER_SHARE_ERROR;
	names = json_object_new_array();
	while (db_fetch(&ps_template_names) == 1) {
		json_object_array_add(names, json_object_new_int64(db_col_int(&ps_template_names, 0)));
		json_object_array_add(names, json_object_new_string(db_col(&ps_template_names, 1)));
	}
	db_done(&ps_template_names);
	for (i = 0; i + 1 < json_object_array_length(names); i += 2) {
		if (id_new("at", atid, sizeof(atid)) != 0)
			goto out;
		if (db_exec(&ps_type_from_template, "sssssssssi", atid, customer_id, provider,
		    has_domain ? domain : NULL, sealed, ts, ts, partner_id, integration_id,
		    (long long)json_object_get_int64(json_object_array_get_idx(names, i))) != 0) {
			if (db_errno() == DB_ER_DUP_ENTRY) {
				snprintf(conflict, 65, "%s", json_object_get_string(
				    json_object_array_get_idx(names, i + 1)));
				rc = PARTNER_SHARE_CONFLICT;
			}
			goto out;
		}
		*registered += (long long)db_affected(&ps_type_from_template);
		db_done(&ps_type_from_template);
	}
	if (db_exec(&ps_set_count, "isss", *registered, partner_id, integration_id,
	    customer_id) != 0)
		goto out;
	db_done(&ps_set_count);
	rc = PARTNER_SHARE_OK;
out:
	json_object_put(names);
	return rc;
}

int
partner_share(const char *partner_id, const char *integration_id, const char *customer_id,
    int64_t now, long long *registered, char conflict[65])
{
	char ts[TIME_SQL_SIZE];
	int rc;

	time_format_sql(now, ts);
	if (db_begin() != 0)
		return PARTNER_SHARE_ERROR;
	rc = partner_share_tx(partner_id, integration_id, customer_id, ts, registered, conflict);
	if (rc != PARTNER_SHARE_OK) {
		db_rollback();
		*registered = 0;
		return rc;
	}
	if (db_commit() != 0)
		return PARTNER_SHARE_ERROR;
	return rc;
}

/* ---- stats ---- */

static struct db_stmt pst_list = DB_STMT(
    "SELECT id, name, plan_tier, tracked_user_limit, tracked_users, created_at FROM tenants "
    "WHERE parent_tenant_id = ? AND role = 'customer' ORDER BY created_at DESC, id DESC LIMIT ?");

struct json_object *
partner_stats_json(const char *partner_id)
{
	struct json_object *o, *arr, *e;
	struct db_stmt *s = &pst_list;
	long long total = 0, tracked = 0;
	int n = 0;

	if (db_exec(&pc_count, "s", partner_id) != 0)
		return NULL;
	if (db_fetch(&pc_count) == 1) {
		total = db_col_int(&pc_count, 0);
		tracked = db_col_int(&pc_count, 1);
	}
	db_done(&pc_count);
	if (db_exec(s, "si", partner_id, (long long)PARTNER_STATS_MAX) != 0)
		return NULL;
	arr = json_object_new_array();
	while (db_fetch(s) == 1) {
		e = json_object_new_object();
		jo_str(e, "tenant_id", db_col(s, 0));
		jo_str(e, "name", db_col(s, 1));
		jo_str(e, "plan_tier", db_col(s, 2));
		jo_int(e, "tracked_user_limit", db_col_int(s, 3));
		jo_int(e, "tracked_users", db_col_int(s, 4));
		jo_time(e, "created_at", db_col(s, 5));
		json_object_array_add(arr, e);
		n++;
	}
	db_done(s);
	o = json_object_new_object();
	jo_int(o, "total_customers", total);
	jo_int(o, "total_tracked_users", tracked);
	json_object_object_add(o, "customers", arr);
	jo_bool(o, "customers_truncated", total > n);
	return o;
}
