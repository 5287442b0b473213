/*
 * page.c — cursor pagination parameters and envelopes, and the reads of a
 * module's rows as JSON (a page of a tenant's list, one row by id).
 */
#include "config.h"

#include <string.h>

#include "db.h"
#include "jsonin.h"
#include "page.h"

void
page_params(struct in *v, int *limit, const char **cursor)
{
	*limit = (int)in_int(v, "limit", IN_QUERY, 1, PAGE_MAX_LIMIT, PAGE_DEFAULT_LIMIT);
	*cursor = in_str(v, "cursor", IN_QUERY, 1, 64);
}

struct json_object *
page_response(const char *key, struct json_object *items, int has_more)
{
	struct json_object *o = json_object_new_object(), *last, *id = NULL;
	size_t n = json_object_array_length(items);

	json_object_object_add(o, key, items);
	json_object_object_add(o, "has_more", json_object_new_boolean(has_more));
	if (has_more && n > 0 && (last = json_object_array_get_idx(items, n - 1)) != NULL &&
	    json_object_object_get_ex(last, "id", &id))
		json_object_object_add(o, "next_cursor", json_object_get(id));
	else
		json_object_object_add(o, "next_cursor", NULL);
	return o;
}

struct json_object *
page_rows(struct db_stmt *s, int limit, int *has_more,
    struct json_object *(*row)(const struct db_stmt *))
{
	struct json_object *arr = json_object_new_array();
	int n = 0;

	*has_more = 0;
	while (db_fetch(s) == 1) {
		if (n++ == limit) {
			*has_more = 1;
			break;
		}
		json_object_array_add(arr, row(s));
	}
	db_done(s);
	return arr;
}

struct json_object *
page_list(struct db_stmt *s, const char *tenant_id, const char *cursor, int limit,
    int *has_more, struct json_object *(*row)(const struct db_stmt *))
{
	*has_more = 0;
	if (db_exec(s, "ssssi", tenant_id, cursor, tenant_id, cursor, (long long)limit + 1) != 0)
		return NULL;
	return page_rows(s, limit, has_more, row);
}

struct json_object *
page_row_by_id(struct db_stmt *s, const char *tenant_id, const char *id, int *found,
    struct json_object *(*row)(const struct db_stmt *))
{
	struct json_object *o = NULL;

	*found = 0;
	if (db_exec(s, "ss", tenant_id, id) != 0) {
		*found = 1;	/* an error, not an absence */
		return NULL;
	}
	if (db_fetch(s) == 1) {
		o = row(s);
		*found = 1;
	}
	db_done(s);
	return o;
}

int
page_cursor(struct db_stmt *s, const char *tenant_id, const char *cursor, long long *before,
    int *has_more, int *bad_cursor)
{
	*has_more = 0;
	*bad_cursor = 0;
	if (cursor == NULL)
		return 0;
	if (db_exec(s, "ss", tenant_id, cursor) != 0)
		return -1;
	if (db_fetch(s) == 1)
		*before = db_col_int(s, 0);
	else
		*bad_cursor = 1;
	db_done(s);
	return *bad_cursor ? -1 : 0;
}
