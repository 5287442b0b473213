/*
 * page.h — the list convention of every collection route (SPEC.md):
 * `limit` 1–100 (default 50), newest first, `cursor` = the last id of the
 * previous page, and a response {"<items>": [...], "has_more", "next_cursor"}.
 * Also the two reads every module makes of its rows as JSON: one page of a
 * tenant's list, and one row by id.
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

/*
 * Runs s, a list statement whose placeholders are (tenant_id, cursor,
 * tenant_id, cursor, limit + 1) — the usual "cursor IS NULL OR created
 * before the cursor's row" page of one tenant — and reads it as
 * page_rows() does. Returns the array (the caller puts it), or NULL when
 * the query failed (*has_more is then 0).
 */
struct json_object *page_list(struct db_stmt *s, const char *tenant_id, const char *cursor,
    int limit, int *has_more, struct json_object *(*row)(const struct db_stmt *));

/*
 * The start of a "seq < before" page: resets *has_more and *bad_cursor,
 * then, when cursor is not NULL, runs s — (tenant_id, cursor) giving the
 * sequence number of the cursor's row — into *before (left as it is when
 * cursor is NULL). Returns 0 when the page can be read; -1 when the cursor
 * names no row of the tenant (*bad_cursor set) or the query failed.
 */
int page_cursor(struct db_stmt *s, const char *tenant_id, const char *cursor, long long *before,
    int *has_more, int *bad_cursor);

/*
 * Runs s, a statement of at most one row whose placeholders are
 * (tenant_id, id), and returns that row as row() made it, or NULL. *found
 * is 1 when the row is there and also when the query failed (so NULL with
 * *found set is an error, already logged), 0 when there is no such row.
 * Finishes the statement. The caller puts the object.
 */
struct json_object *page_row_by_id(struct db_stmt *s, const char *tenant_id, const char *id,
    int *found, struct json_object *(*row)(const struct db_stmt *));

#endif
