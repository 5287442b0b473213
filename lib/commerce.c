/*
 * commerce.c — the commerces table (see commerce.h). Contacts and
 * attributes are stored as the JSON text the API validated
 * (lib/resolve_check.c); this file only moves rows.
 */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "commerce.h"
#include "db.h"
#include "ids.h"
#include "jsonout.h"
#include "log.h"
#include "page.h"
#include "timeutil.h"

#define CM_COLS "id, external_id, name, contacts, attributes, created_at, updated_at "

static struct db_stmt cm_insert = DB_STMT(
    "INSERT INTO commerces (id, tenant_id, external_id, name, contacts, attributes, "
    "  created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");

static struct db_stmt cm_update = DB_STMT(
    "UPDATE commerces SET external_id = ?, name = ?, contacts = ?, attributes = ?, "
    "  updated_at = ? WHERE tenant_id = ? AND id = ?");

static struct db_stmt cm_exists = DB_STMT(
    "SELECT 1 FROM commerces WHERE tenant_id = ? AND id = ?");

static struct db_stmt cm_get = DB_STMT(
    "SELECT " CM_COLS "FROM commerces WHERE tenant_id = ? AND id = ?");

static struct db_stmt cm_cursor = DB_STMT(
    "SELECT seq FROM commerces WHERE tenant_id = ? AND id = ?");

static struct db_stmt cm_page = DB_STMT(
    "SELECT " CM_COLS "FROM commerces WHERE tenant_id = ? "
    "AND (? IS NULL OR external_id = ?) AND seq < ? ORDER BY seq DESC LIMIT ?");

static struct db_stmt cm_used = DB_STMT(
    "SELECT 1 FROM activities WHERE tenant_id = ? AND commerce_id = ? LIMIT 1");

static struct db_stmt cm_delete = DB_STMT(
    "DELETE FROM commerces WHERE tenant_id = ? AND id = ?");

int
commerce_assign_contact_ids(struct json_object *contacts)
{
	struct json_object *c, *id;
	char buf[48];
	size_t i;

	for (i = 0; i < json_object_array_length(contacts); i++) {
		c = json_object_array_get_idx(contacts, i);
		if (json_object_object_get_ex(c, "id", &id) && json_object_get_string_len(id) > 0)
			continue;
		if (id_new("ct", buf, sizeof(buf)) != 0) {
			log_err("commerce: cannot make a contact id");
			return -1;
		}
		json_object_object_add(c, "id", json_object_new_string(buf));
	}
	return 0;
}

int
commerce_insert(const char *tenant_id, const struct commerce_row *c, int64_t now,
    char id_out[37])
{
	char ts[TIME_SQL_SIZE];

	if (id_uuid4(id_out) != 0) {
		log_err("commerce: cannot make an id");
		return -1;
	}
	time_format_sql(now, ts);
	if (db_exec(&cm_insert, "ssssssss", id_out, tenant_id, c->external_id, c->name,
	    c->contacts, c->attributes, ts, ts) != 0)
		return db_errno() == DB_ER_DUP_ENTRY ? COMMERCE_DUPLICATE : -1;
	db_done(&cm_insert);
	return COMMERCE_OK;
}

int
commerce_update(const char *tenant_id, const char *id, const struct commerce_row *c,
    int64_t now)
{
	char ts[TIME_SQL_SIZE];
	int found;

	time_format_sql(now, ts);
	if (db_exec(&cm_exists, "ss", tenant_id, id) != 0)
		return -1;
	found = db_fetch(&cm_exists) == 1;
	db_done(&cm_exists);
	if (!found)
		return COMMERCE_NOT_FOUND;
	if (db_exec(&cm_update, "sssssss", c->external_id, c->name, c->contacts, c->attributes,
	    ts, tenant_id, id) != 0)
		return db_errno() == DB_ER_DUP_ENTRY ? COMMERCE_DUPLICATE : -1;
	db_done(&cm_update);
	return COMMERCE_OK;
}

int
commerce_delete(const char *tenant_id, const char *id)
{
	unsigned long long n;
	int used, rc = -1;

	if (db_begin() != 0)
		return -1;
	if (db_exec(&cm_used, "ss", tenant_id, id) != 0)
		goto out;
	used = db_fetch(&cm_used) == 1;
	db_done(&cm_used);
	if (used) {
		rc = COMMERCE_IN_USE;
		goto out;
	}
	/* An activity created meanwhile trips the foreign key (1451). */
	if (db_exec(&cm_delete, "ss", tenant_id, id) != 0) {
		if (db_errno() == 1451)
			rc = COMMERCE_IN_USE;
		goto out;
	}
	n = db_affected(&cm_delete);
	db_done(&cm_delete);
	if (n == 0) {
		rc = COMMERCE_NOT_FOUND;
		goto out;
	}
	return db_commit() == 0 ? COMMERCE_OK : -1;
out:
	db_rollback();
	return rc;
}

/* The first contact flagged `flag`, its id, or NULL. */
static const char *
cm_flagged(struct json_object *contacts, const char *flag)
{
	struct json_object *c, *v;
	size_t i;

	for (i = 0; contacts != NULL && i < json_object_array_length(contacts); i++) {
		c = json_object_array_get_idx(contacts, i);
		if (json_object_object_get_ex(c, flag, &v) && json_object_get_boolean(v) &&
		    json_object_object_get_ex(c, "id", &v))
			return json_object_get_string(v);
	}
	return NULL;
}

static struct json_object *
cm_row_json(const struct db_stmt *s)
{
	struct json_object *o = json_object_new_object(), *contacts;

	jo_str(o, "id", db_col(s, 0));
	jo_str(o, "external_id", db_col(s, 1));
	jo_str(o, "name", db_col(s, 2));
	jo_raw(o, "contacts", db_col(s, 3));
	contacts = json_object_object_get(o, "contacts");
	jo_str(o, "sales_rep_contact_id", cm_flagged(contacts, "is_sales_rep"));
	jo_str(o, "owner_contact_id", cm_flagged(contacts, "is_owner"));
	jo_raw(o, "attributes", db_col(s, 4));
	jo_time(o, "created_at", db_col(s, 5));
	jo_time(o, "updated_at", db_col(s, 6));
	return o;
}

struct json_object *
commerce_get_json(const char *tenant_id, const char *id, int *found)
{
	*found = 0;
	if (!id_is_uuid(id))
		return NULL;
	return page_row_by_id(&cm_get, tenant_id, id, found, cm_row_json);
}

struct json_object *
commerce_list(const char *tenant_id, const char *external_id, int limit, const char *cursor,
    int *has_more, int *bad_cursor)
{
	long long before = LLONG_MAX;

	if (page_cursor(&cm_cursor, tenant_id, cursor, &before, has_more, bad_cursor) != 0)
		return NULL;
	if (db_exec(&cm_page, "sssii", tenant_id, external_id, external_id, before,
	    (long long)limit + 1) != 0)
		return NULL;
	return page_rows(&cm_page, limit, has_more, cm_row_json);
}
