/*
 * commerce.h — commerces (merchants, stores, accounts) that activities
 * target (SPEC.md /api/commerces): a name, the tenant's own external_id
 * (unique per tenant), contacts (lib/resolve.h has their shape) and free
 * attributes. Table commerces; ids are UUIDs.
 *
 * As JSON: {"id", "external_id", "name", "contacts": [...],
 * "sales_rep_contact_id", "owner_contact_id" (the first contact flagged
 * is_sales_rep / is_owner, or null), "attributes": {...}, "created_at",
 * "updated_at"}.
 */
#ifndef RETIVO_COMMERCE_H
#define RETIVO_COMMERCE_H

#include <stdint.h>

#include <json-c/json.h>

#define COMMERCE_OK		0
#define COMMERCE_NOT_FOUND	1
#define COMMERCE_DUPLICATE	2	/* external_id taken */
#define COMMERCE_IN_USE		3	/* activities reference it */

/* What a create or an update writes (every column; the caller merges). */
struct commerce_row {
	const char	*name;
	const char	*external_id;	/* NULL: none */
	const char	*contacts;	/* JSON array text, ids assigned */
	const char	*attributes;	/* JSON object text */
};

/* Gives every contact of the normalized array without an id a "ct_…" one.
 * Returns 0 or -1. */
int commerce_assign_contact_ids(struct json_object *contacts);

/* Inserts a commerce with a new UUID (written to id_out). COMMERCE_OK,
 * COMMERCE_DUPLICATE, or -1 (logged). */
int commerce_insert(const char *tenant_id, const struct commerce_row *c, int64_t now,
    char id_out[37]);

/* Rewrites the commerce. COMMERCE_OK, _NOT_FOUND, _DUPLICATE or -1. */
int commerce_update(const char *tenant_id, const char *id, const struct commerce_row *c,
    int64_t now);

/* Deletes it unless activities reference it. COMMERCE_OK, _NOT_FOUND,
 * _IN_USE or -1. */
int commerce_delete(const char *tenant_id, const char *id);

/* The commerce as JSON (new); NULL when absent or on error (*found). */
struct json_object *commerce_get_json(const char *tenant_id, const char *id, int *found);

/* Newest first after the id cursor, optionally only external_id; a new
 * array, NULL on error or an unknown cursor (*bad_cursor). */
struct json_object *commerce_list(const char *tenant_id, const char *external_id, int limit,
    const char *cursor, int *has_more, int *bad_cursor);

#endif
