/*
 * page.c — cursor pagination parameters and envelopes.
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
