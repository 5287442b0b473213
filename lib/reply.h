/*
 * reply.h — the answers that every resource route gives in the same way,
 * so the FastCGI programs (fcgi/) do not each spell them out: one
 * resource read by id (404 for an id the tenant does not own, 500 for a
 * failed read), one page of a list (its limit/cursor query; 400 for a
 * cursor that names nothing; page.h's envelope), and the 500 of a missing
 * master key.
 */
#ifndef RETIVO_REPLY_H
#define RETIVO_REPLY_H

#include <json-c/json.h>

struct http_req;

/*
 * For a lookup that gave o (NULL when it did not) and found (the row
 * exists, so a NULL o is a failed read, logged by the lookup): o NULL ->
 * answers 500 when found, else http_not_found(what), and returns 1; o
 * non-NULL -> answers nothing and returns 0.
 */
int reply_missing(struct http_req *r, const struct json_object *o, int found, const char *what);

/* A module's read of one resource of a tenant by id (action_get_json, …). */
typedef struct json_object *(*reply_getter)(const char *tenant_id, const char *id, int *found);

/*
 * Answers the resource id of the caller's tenant: get()'s object as
 * reply_one(r, status, key, what, …).
 */
void reply_by_id(struct http_req *r, int status, const char *key, const char *what,
    reply_getter get, const char *id);

/*
 * GET …/{id} with the id in r->params[0]: 404 what when it does not start
 * with prefix (an id of another kind never reaches the database), else
 * reply_by_id(r, 200, key, what, get, id).
 */
void reply_get(struct http_req *r, const char *prefix, const char *key, const char *what,
    reply_getter get);

/*
 * Answers one resource: o wrapped as {key: o} (o itself when key is NULL)
 * with status; o NULL answers as reply_missing. Takes ownership of o.
 */
void reply_one(struct http_req *r, int status, const char *key, const char *what,
    struct json_object *o, int found);

/*
 * The configured master key, for a handler about to seal or sign with it;
 * or NULL having logged "master_key is not configured; cannot <purpose>"
 * and answered 500.
 */
const unsigned char *reply_master_key(struct http_req *r, const char *purpose);

/*
 * Reads the query of a list route that takes nothing but limit and cursor
 * (page_params); strict also refuses any other parameter (in_only).
 * Returns 0, or -1 having answered 400.
 */
int reply_page_query(struct http_req *r, int strict, int *limit, const char **cursor);

/*
 * Answers a page of a list from what the module's *_list() gave: 200 with
 * page_response(key, items, has_more); items NULL -> 400 invalid_field
 * "cursor" when bad_cursor ("cursor: does not name <noun>; pass the
 * next_cursor of the previous page", noun such as "an action"; NULL for a
 * list whose *_list() never sets bad_cursor), else 500. Takes ownership
 * of items.
 */
void reply_page(struct http_req *r, const char *key, const char *noun, struct json_object *items,
    int has_more, int bad_cursor);

#endif
