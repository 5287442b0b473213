/*
 * reply.c — the answers shared by every resource route (see reply.h).
 * The lookups have already logged why a read failed; here only the status
 * and the client's message are chosen.
 */
#include "config.h"

#include <stdio.h>

#include "conf.h"
#include "http.h"
#include "ids.h"
#include "jsonin.h"
#include "log.h"
#include "page.h"
#include "reply.h"

int
reply_missing(struct http_req *r, const struct json_object *o, int found, const char *what)
{
	if (o != NULL)
		return 0;
	if (found)
		http_internal(r);
	else
		http_not_found(r, what);
	return 1;
}

void
reply_one(struct http_req *r, int status, const char *key, const char *what,
    struct json_object *o, int found)
{
	struct json_object *out;

	if (reply_missing(r, o, found, what))
		return;
	if (key == NULL)
		out = o;
	else {
		out = json_object_new_object();
		json_object_object_add(out, key, o);
	}
	http_json(r, status, out);
}

void
reply_by_id(struct http_req *r, int status, const char *key, const char *what,
    reply_getter get, const char *id)
{
	struct json_object *o;
	int found;

	o = get(r->auth.tenant_id, id, &found);
	reply_one(r, status, key, what, o, found);
}

void
reply_get(struct http_req *r, const char *prefix, const char *key, const char *what,
    reply_getter get)
{
	if (!id_has_prefix(r->params[0], prefix)) {
		http_not_found(r, what);
		return;
	}
	reply_by_id(r, 200, key, what, get, r->params[0]);
}

const unsigned char *
reply_master_key(struct http_req *r, const char *purpose)
{
	const struct conf *c = conf_get();

	if (c == NULL || !c->have_master_key) {
		log_err("master_key is not configured; cannot %s", purpose);
		http_internal(r);
		return NULL;
	}
	return c->master_key;
}

int
reply_page_query(struct http_req *r, int strict, int *limit, const char **cursor)
{
	static const char *const fields[] = { "limit", "cursor", NULL };
	struct in v;

	in_init(&v, r->query, NULL);
	if (strict)
		in_only(&v, fields);
	page_params(&v, limit, cursor);
	return in_reject(&v, r) ? -1 : 0;
}

void
reply_page(struct http_req *r, const char *key, const char *noun, struct json_object *items,
    int has_more, int bad_cursor)
{
	char msg[160];

	if (items != NULL) {
		http_json(r, 200, page_response(key, items, has_more));
		return;
	}
	if (!bad_cursor) {
		http_internal(r);
		return;
	}
	snprintf(msg, sizeof(msg), "cursor: does not name %s; pass the next_cursor of the "
	    "previous page", noun);
	http_error_field(r, 400, "invalid_field", "cursor", msg);
}
