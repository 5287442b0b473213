/*
 * actiontype.c — the action_types table and its field rules.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "action.h"
#include "actiontype.h"
#include "db.h"
#include "ids.h"
#include "jsonout.h"
#include "log.h"
#include "page.h"
#include "timeutil.h"

int
actiontype_name_valid(const char *name)
{
	size_t i, len;

	if (name == NULL || (len = strlen(name)) == 0 || len > 64)
		return 0;
	if (!(name[0] >= 'a' && name[0] <= 'z') || name[len - 1] == '_')
		return 0;
	for (i = 0; i < len; i++) {
		if (name[i] == '_') {
			if (name[i + 1] == '_')
				return 0;
		} else if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9')))
			return 0;
	}
	return 1;
}

int
actiontype_provider_valid(const char *p)
{
	size_t i, len;

	if (p == NULL || (len = strlen(p)) == 0 || len > 100)
		return 0;
	for (i = 0; i < len; i++)
		if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z') ||
		    (p[i] >= '0' && p[i] <= '9') || p[i] == '-' || p[i] == '_' || p[i] == '.'))
			return 0;
	return 1;
}

int
actiontype_cost_valid(const char *c)
{
	size_t i = 0, digits = 0, decimals = 0;

	if (c == NULL || strlen(c) > 20)
		return 0;
	while (c[i] >= '0' && c[i] <= '9') {
		i++;
		digits++;
	}
	if (digits == 0)
		return 0;
	if (c[i] == '.') {
		i++;
		while (c[i] >= '0' && c[i] <= '9') {
			i++;
			decimals++;
		}
		if (decimals == 0 || decimals > 6)
			return 0;
	}
	return c[i] == '\0';
}

void
actiontype_clear(struct actiontype *a)
{
	free(a->name);
	free(a->description);
	free(a->provider);
	free(a->domain);
	free(a->parameters_schema);
	free(a->delivery_webhook);
	free(a->estimated_cost_usd);
	memset(a, 0, sizeof(*a));
}

#define AT_COLS "id, name, description, provider, domain, parameters_schema, " \
	"delivery_webhook, estimated_cost_usd, active, created_at, updated_at"

static struct db_stmt at_insert = DB_STMT(
    "INSERT INTO action_types (id, tenant_id, name, description, provider, domain, "
    "  parameters_schema, delivery_webhook, estimated_cost_usd, webhook_secret_enc, active, "
    "  created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)");

static struct db_stmt at_select = DB_STMT(
    "SELECT " AT_COLS " FROM action_types WHERE tenant_id = ? AND id = ?");

static struct db_stmt at_update = DB_STMT(
    "UPDATE action_types SET name = ?, description = ?, provider = ?, domain = ?, "
    "  parameters_schema = ?, delivery_webhook = ?, estimated_cost_usd = ?, active = ?, "
    "  updated_at = ? WHERE tenant_id = ? AND id = ?");

static struct db_stmt at_page = DB_STMT(
    "SELECT " AT_COLS " FROM action_types WHERE tenant_id = ? "
    "AND (? IS NULL OR provider = ?) AND (? IS NULL OR domain = ?) "
    "AND (? IS NULL OR active = ?) "
    "AND (? IS NULL OR seq < "
    "  (SELECT c.seq FROM action_types c WHERE c.tenant_id = ? AND c.id = ?)) "
    "ORDER BY seq DESC LIMIT ?");

/* The common first page without filters, kept apart: the generic form's
 * "? IS NULL OR" guards and cursor subquery cost the optimizer measurably
 * on every request (tests/bench/run.sh). */
static struct db_stmt at_first_page = DB_STMT(
    "SELECT " AT_COLS " FROM action_types WHERE tenant_id = ? ORDER BY seq DESC LIMIT ?");

static struct json_object *
at_row_json(const struct db_stmt *s)
{
	struct json_object *o = json_object_new_object();

	jo_str(o, "id", db_col(s, 0));
	jo_str(o, "name", db_col(s, 1));
	jo_str(o, "description", db_col(s, 2));
	jo_str(o, "provider", db_col(s, 3));
	jo_str(o, "domain", db_col(s, 4));
	jo_raw(o, "parameters_schema", db_col(s, 5));
	jo_str(o, "delivery_webhook", db_col(s, 6));
	jo_str(o, "estimated_cost_usd", db_col(s, 7));
	jo_bool(o, "active", (int)db_col_int(s, 8));
	jo_time(o, "created_at", db_col(s, 9));
	jo_time(o, "updated_at", db_col(s, 10));
	return o;
}

int
actiontype_insert(const char *tenant_id, struct actiontype *a, const char *secret_sealed,
    int64_t now)
{
	char ts[20];

	if (id_new("at", a->id, sizeof(a->id)) != 0)
		return -1;
	time_format_sql(now, ts);
	if (db_exec(&at_insert, "ssssssssssss", a->id, tenant_id, a->name, a->description,
	    a->provider, a->domain, a->parameters_schema, a->delivery_webhook,
	    a->estimated_cost_usd, secret_sealed, ts, ts) != 0)
		return db_errno() == DB_ER_DUP_ENTRY ? 1 : -1;
	db_done(&at_insert);
	a->active = 1;
	return 0;
}

static char *
at_dup(const char *s)
{
	return s ? strdup(s) : NULL;
}

int
actiontype_load(const char *tenant_id, const char *id, struct actiontype *a)
{
	struct db_stmt *s = &at_select;
	int rc = 1;

	memset(a, 0, sizeof(*a));
	if (db_exec(s, "ss", tenant_id, id) != 0)
		return -1;
	if (db_fetch(s) == 1) {
		snprintf(a->id, sizeof(a->id), "%s", db_col(s, 0));
		a->name = at_dup(db_col(s, 1));
		a->description = at_dup(db_col(s, 2));
		a->provider = at_dup(db_col(s, 3));
		a->domain = at_dup(db_col(s, 4));
		a->parameters_schema = at_dup(db_col(s, 5));
		a->delivery_webhook = at_dup(db_col(s, 6));
		a->estimated_cost_usd = at_dup(db_col(s, 7));
		a->active = (int)db_col_int(s, 8);
		rc = 0;
		if (!a->name || !a->description || !a->provider || !a->parameters_schema ||
		    !a->delivery_webhook) {
			log_err("actiontype: out of memory");
			actiontype_clear(a);
			rc = -1;
		}
	}
	db_done(s);
	return rc;
}

int
actiontype_save(const char *tenant_id, const struct actiontype *a, int64_t now)
{
	char ts[20];
	unsigned long long n;

	time_format_sql(now, ts);
	if (db_exec(&at_update, "sssssssisss", a->name, a->description, a->provider, a->domain,
	    a->parameters_schema, a->delivery_webhook, a->estimated_cost_usd,
	    (long long)a->active, ts, tenant_id, a->id) != 0)
		return db_errno() == DB_ER_DUP_ENTRY ? 1 : -1;
	/* CLIENT_FOUND_ROWS: matched rows, so an unchanged row still counts. */
	n = db_affected(&at_update);
	db_done(&at_update);
	return n == 0 ? 2 : 0;
}

struct json_object *
actiontype_get_json(const char *tenant_id, const char *id, int *found)
{
	return page_row_by_id(&at_select, tenant_id, id, found, at_row_json);
}

struct json_object *
actiontype_list(const char *tenant_id, const char *provider, const char *domain, int active,
    int limit, const char *cursor, int *has_more)
{
	struct db_stmt *s = &at_page;
	long long act = active;
	int rc;

	*has_more = 0;
	if (provider == NULL && domain == NULL && active < 0 && cursor == NULL) {
		s = &at_first_page;
		rc = db_exec(s, "si", tenant_id, (long long)limit + 1);
	} else
		rc = db_exec(s, "sssssnnsssi", tenant_id, provider, provider, domain, domain,
		    active < 0 ? NULL : &act, active < 0 ? NULL : &act, cursor, tenant_id, cursor,
		    (long long)limit + 1);
	if (rc != 0)
		return NULL;
	return page_rows(s, limit, has_more, at_row_json);
}

/* One GROUP BY over the day's rows of index actions_cost (tenant_id, created_at). */
static struct db_stmt at_budget = DB_STMT(
    "SELECT action_type, test_mode, SUM(estimated_cost_usd) FROM actions "
    "WHERE tenant_id = ? AND created_at >= ? AND created_at < ? "
    "AND estimated_cost_usd IS NOT NULL GROUP BY action_type, test_mode ORDER BY NULL");

/* "12.345600" (a DECIMAL with up to 6 decimals) in millionths. */
static long long
at_micros(const char *s)
{
	long long v = 0, frac = 0;
	int digits = 0;

	if (s == NULL)
		return 0;
	while (*s >= '0' && *s <= '9')
		v = v * 10 + (*s++ - '0');
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9' && digits < 6; s++, digits++)
			frac = frac * 10 + (*s - '0');
	for (; digits < 6; digits++)
		frac *= 10;
	return v * 1000000 + frac;
}

static struct json_object *
at_usd(long long micros)
{
	char raw[40], out[40];

	snprintf(raw, sizeof(raw), "%lld.%06lld", micros / 1000000, micros % 1000000);
	action_decimal_format(raw, out, sizeof(out));
	return json_object_new_string(out);
}

struct json_object *
actiontype_budget(const char *tenant_id, int64_t now)
{
	struct db_stmt *s = &at_budget;
	struct json_object *o, *by;
	char from[20], to[20], iso[21];
	int64_t day = now - ((now % 86400) + 86400) % 86400;
	long long live = 0, test = 0, m;

	time_format_sql(day, from);
	time_format_sql(day + 86400, to);
	if (db_exec(s, "sss", tenant_id, from, to) != 0)
		return NULL;
	o = json_object_new_object();
	by = json_object_new_object();
	while (db_fetch(s) == 1) {
		m = at_micros(db_col(s, 2));
		if (db_col_int(s, 1) != 0) {
			test += m;
			continue;
		}
		live += m;
		json_object_object_add(by, db_col(s, 0), at_usd(m));
	}
	db_done(s);
	time_format_iso8601(day, iso);
	iso[10] = '\0';
	json_object_object_add(o, "date", json_object_new_string(iso));
	json_object_object_add(o, "spent_usd", at_usd(live));
	json_object_object_add(o, "by_action_type", by);
	json_object_object_add(o, "test_mode_spent_usd", at_usd(test));
	return o;
}
