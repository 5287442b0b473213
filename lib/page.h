/*
 * page.h — the list convention of every collection route (SPEC.md):
 * `limit` 1–100 (default 50), newest first, `cursor` = the last id of the
 * previous page, and a response {"<items>": [...], "has_more", "next_cursor"}.
 */
#ifndef RETIVO_PAGE_H
#define RETIVO_PAGE_H

#include <json-c/json.h>

struct db_stmt;
struct in;

#define PAGE_DEFAULT_LIMIT	50
#define PAGE_MAX_LIMIT		100

/* Reads limit and cursor from a query-string `in`; failures land in v. */
void page_params(struct in *v, int *limit, const char **cursor);

/*
 * Wraps items (ownership taken) as {key: items, has_more, next_cursor},
 * the cursor being the "id" of the last item when there is more.
 */
struct json_object *page_response(const char *key, struct json_object *items, int has_more);

/*
 * Reads the rows of an executed list statement (which asked for limit + 1
 * rows) into a new array, one row() object each, at most limit; *has_more
 * says whether a further row was there. Finishes the statement with
 * db_done(). The caller puts the array.
 */
struct json_object *page_rows(struct db_stmt *s, int limit, int *has_more,
    struct json_object *(*row)(const struct db_stmt *));

#endif
