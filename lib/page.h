/*
 * page.h — the list convention of every collection route (SPEC.md):
 * `limit` 1–100 (default 50), newest first, `cursor` = the last id of the
 * previous page, and a response {"<items>": [...], "has_more", "next_cursor"}.
 */
#ifndef RETIVO_PAGE_H
#define RETIVO_PAGE_H

#include <json-c/json.h>

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

#endif
