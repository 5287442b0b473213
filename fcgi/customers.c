/*
 * customers.c — /api/customers (tracked users as the team sees them),
 * /api/users/{pause,unpause,resubscribe} (batch changes) and /unsubscribe
 * (the link in every email, for people, answered in HTML).
 *
 * Seed 003: viewers (read keys) may view customers; editors (manage or
 * full keys) pause and unpause; opting out is the user's own, permanent
 * choice that only an admin (a full key) reverses. Lists leave out
 * "traits" and "milestones" so a page costs one query; GET one customer
 * has both. The path /api/customers/stats shadows a user whose id is
 * "stats": such a user is reached as /api/customers/%73tats.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <fcgiapp.h>

#include "conf.h"
#include "customer.h"
#include "http.h"
#include "jsonin.h"
#include "log.h"
#include "page.h"
#include "reply.h"
#include "unsubscribe.h"

static void customers_list(struct http_req *);
static void customers_stats(struct http_req *);
static void customers_get(struct http_req *);
static void customers_unsubscribe_link(struct http_req *);
static void users_pause(struct http_req *);
static void users_unpause(struct http_req *);
static void users_resubscribe(struct http_req *);
static void unsubscribe(struct http_req *);

enum route {
	ROUTE_CUSTOMERS_LIST,
	ROUTE_CUSTOMERS_STATS,		/* before ROUTE_CUSTOMERS_GET, which would match it */
	ROUTE_CUSTOMERS_GET,
	ROUTE_CUSTOMERS_UNSUBSCRIBE_LINK,
	ROUTE_USERS_PAUSE,
	ROUTE_USERS_UNPAUSE,
	ROUTE_USERS_RESUBSCRIBE,
	ROUTE_UNSUBSCRIBE,
	ROUTE_UNSUBSCRIBE_POST,		/* RFC 8058 one-click (see unsubscribe()) */
	ROUTE__MAX
};

#define READ (SCOPE_READ | SCOPE_MANAGE | SCOPE_FULL)
#define MANAGE (SCOPE_MANAGE | SCOPE_FULL)

static const struct http_route routes[ROUTE__MAX] = {
	[ROUTE_CUSTOMERS_LIST] = { "GET", "/api/customers", READ, customers_list },
	[ROUTE_CUSTOMERS_STATS] = { "GET", "/api/customers/stats", READ, customers_stats },
	[ROUTE_CUSTOMERS_GET] = { "GET", "/api/customers/:user_id", READ, customers_get },
	[ROUTE_CUSTOMERS_UNSUBSCRIBE_LINK] = { "GET", "/api/customers/:user_id/unsubscribe-link",
	    MANAGE, customers_unsubscribe_link },
	[ROUTE_USERS_PAUSE] = { "PUT", "/api/users/pause", MANAGE, users_pause },
	[ROUTE_USERS_UNPAUSE] = { "PUT", "/api/users/unpause", MANAGE, users_unpause },
	[ROUTE_USERS_RESUBSCRIBE] = { "PUT", "/api/users/resubscribe", SCOPE_FULL,
	    users_resubscribe },
	[ROUTE_UNSUBSCRIBE] = { "GET", "/unsubscribe", 0, unsubscribe },
	[ROUTE_UNSUBSCRIBE_POST] = { "POST", "/unsubscribe", 0, unsubscribe, HTTP_BODY_FORM },
};

static const char *const list_fields[] = { "stage", "risk", "limit", "cursor", NULL };
static const char *const batch_fields[] = { "user_ids", NULL };

static void
customers_list(struct http_req *r)
{
	struct in v;
	struct json_object *arr, *out, *last = NULL, *uid = NULL;
	const char *cursor;
	int stage, risk, limit, has_more, bad_cursor;
	size_t n;

	in_init(&v, r->query, NULL);
	in_only(&v, list_fields);
	stage = in_enum(&v, "stage", IN_QUERY, customer_stages);
	risk = in_enum(&v, "risk", IN_QUERY, customer_risks);
	limit = (int)in_int(&v, "limit", IN_QUERY, 1, PAGE_MAX_LIMIT, PAGE_DEFAULT_LIMIT);
	/* Cursors are user ids here, longer than page_params() allows. */
	cursor = in_str(&v, "cursor", IN_QUERY, 1, CUSTOMER_USER_ID_MAX);
	if (in_reject(&v, r))
		return;
	arr = customer_list(r->auth.tenant_id, stage < 0 ? NULL : customer_stages[stage],
	    risk < 0 ? NULL : customer_risks[risk], limit, cursor, &has_more, &bad_cursor);
	if (arr == NULL) {
		if (bad_cursor)
			http_error_field(r, 400, "invalid_field", "cursor",
			    "cursor: does not name a customer; pass the next_cursor of the previous page");
		else
			http_internal(r);
		return;
	}
	/* page_response() takes the cursor from "id"; a customer's id is "user_id". */
	out = json_object_new_object();
	n = json_object_array_length(arr);
	if (has_more && n > 0 && (last = json_object_array_get_idx(arr, n - 1)) != NULL)
		json_object_object_get_ex(last, "user_id", &uid);
	json_object_object_add(out, "customers", arr);
	json_object_object_add(out, "has_more", json_object_new_boolean(has_more));
	json_object_object_add(out, "next_cursor", uid ? json_object_get(uid) : NULL);
	http_json(r, 200, out);
}

static void
customers_stats(struct http_req *r)
{
	struct json_object *o;

	if ((o = customer_stats(r->auth.tenant_id)) == NULL) {
		http_internal(r);
		return;
	}
	http_json(r, 200, o);
}

/* 1 when the path's user id could name a customer at all. */
static int
user_id_plausible(const char *user_id)
{
	size_t len = strlen(user_id);

	return len > 0 && len <= CUSTOMER_USER_ID_MAX;
}

static void
customers_get(struct http_req *r)
{
	if (!user_id_plausible(r->params[0]))
		http_not_found(r, "customer");
	else
		reply_by_id(r, 200, "customer", "customer", customer_get_json, r->params[0]);
}

/*
 * Writes "scheme://host" of the request into out, or "" when the Host
 * header is missing or holds anything but a host name, IP literal and
 * port (it is the client's text, so it is checked before being echoed).
 */
static void
request_origin(struct http_req *r, char *out, size_t outlen)
{
	FCGX_Request *f = r->fcgi;
	const char *host = FCGX_GetParam("HTTP_HOST", f->envp);
	const char *scheme = FCGX_GetParam("REQUEST_SCHEME", f->envp);
	const char *https = FCGX_GetParam("HTTPS", f->envp);
	const char *p;

	out[0] = '\0';
	if (host == NULL || *host == '\0' || strlen(host) > 255)
		return;
	for (p = host; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '.' || *p == '-' || *p == ':' ||
		    *p == '[' || *p == ']'))
			return;
	if (scheme == NULL || (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0))
		scheme = https != NULL && strcmp(https, "on") == 0 ? "https" : "http";
	snprintf(out, outlen, "%s://%s", scheme, host);
}

/*
 * {"token", "path": "/unsubscribe?token=...", "url": origin + path} for
 * integrators who send their own emails; "url" is built from the scheme
 * and Host of this request (null when the Host header is unusable), so
 * behind a proxy that rewrites Host, prefix "path" with the public origin.
 */
static void
customers_unsubscribe_link(struct http_req *r)
{
	const unsigned char *key;
	struct json_object *out;
	char token[UNSUBSCRIBE_TOKEN_MAX + 1], path[UNSUBSCRIBE_TOKEN_MAX + 32];
	char origin[300], url[sizeof(origin) + sizeof(path)];
	int rc;

	if (!user_id_plausible(r->params[0]) ||
	    (rc = customer_exists(r->auth.tenant_id, r->params[0])) == 0) {
		http_not_found(r, "customer");
		return;
	}
	if (rc < 0) {
		http_internal(r);
		return;
	}
	if ((key = reply_master_key(r, "sign unsubscribe links")) == NULL)
		return;
	if (unsubscribe_token_make(key, r->auth.tenant_id, r->params[0], token,
	    sizeof(token)) != 0) {
		log_err("cannot make an unsubscribe token for a user of tenant %s",
		    r->auth.tenant_id);
		http_internal(r);
		return;
	}
	/* The token's alphabet (A-Z a-z 0-9 - _ .) needs no escaping in a query. */
	snprintf(path, sizeof(path), "/unsubscribe?token=%s", token);
	request_origin(r, origin, sizeof(origin));
	snprintf(url, sizeof(url), "%s%s", origin, path);
	out = json_object_new_object();
	json_object_object_add(out, "token", json_object_new_string(token));
	json_object_object_add(out, "path", json_object_new_string(path));
	json_object_object_add(out, "url", origin[0] ? json_object_new_string(url) : NULL);
	http_json(r, 200, out);
}

/*
 * Reads {"user_ids": [1..CUSTOMER_BATCH_MAX strings]} into ids (which
 * holds CUSTOMER_BATCH_MAX borrowed pointers). Returns the count, or 0
 * having answered 400 naming the field ("user_ids[3]").
 */
static size_t
read_user_ids(struct http_req *r, const char **ids)
{
	struct in v;
	struct json_object *arr, *item;
	char field[32];
	size_t i, n = 0, len;

	in_init(&v, r->body, NULL);
	in_only(&v, batch_fields);
	arr = in_arr(&v, "user_ids", IN_REQUIRED, 1, CUSTOMER_BATCH_MAX);
	for (i = 0; !v.failed && arr != NULL && i < json_object_array_length(arr); i++) {
		item = json_object_array_get_idx(arr, i);
		snprintf(field, sizeof(field), "user_ids[%zu]", i);
		if (!json_object_is_type(item, json_type_string)) {
			in_fail(&v, field, "invalid_field", "must be a string");
			break;
		}
		len = (size_t)json_object_get_string_len(item);
		if (len == 0 || len > CUSTOMER_USER_ID_MAX ||
		    memchr(json_object_get_string(item), '\0', len) != NULL) {
			in_fail(&v, field, "invalid_field",
			    "must be a user id of 1 to %d bytes", CUSTOMER_USER_ID_MAX);
			break;
		}
		ids[n++] = json_object_get_string(item);
	}
	if (in_reject(&v, r))
		return 0;
	return n;
}

/* Applies op to the body's user ids and answers {count_key: n, "not_found": [...]}. */
static void
users_change(struct http_req *r, enum customer_change op, const char *count_key)
{
	const char *ids[CUSTOMER_BATCH_MAX];
	struct json_object *not_found, *out;
	long long changed;
	size_t n;

	if ((n = read_user_ids(r, ids)) == 0)
		return;
	if (customer_change_batch(r->auth.tenant_id, op, ids, n, r->now, &changed,
	    &not_found) != 0) {
		http_internal(r);
		return;
	}
	out = json_object_new_object();
	json_object_object_add(out, count_key, json_object_new_int64(changed));
	json_object_object_add(out, "not_found", not_found);
	http_json(r, 200, out);
}

static void
users_pause(struct http_req *r)
{
	users_change(r, CUSTOMER_PAUSE, "paused");
}

static void
users_unpause(struct http_req *r)
{
	users_change(r, CUSTOMER_UNPAUSE, "unpaused");
}

static void
users_resubscribe(struct http_req *r)
{
	users_change(r, CUSTOMER_RESUBSCRIBE, "resubscribed");
}

/* Answers a small page for the person who followed the link. */
static void
unsubscribe_page(struct http_req *r, int status, const char *title, const char *message)
{
	char html[1024];

	snprintf(html, sizeof(html),
	    "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
	    "<meta name=\"robots\" content=\"noindex\"><title>%s</title>"
	    "<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;"
	    "padding:0 1rem;color:#222;line-height:1.5}</style></head>"
	    "<body><h1>%s</h1><p>%s</p></body></html>\n", title, title, message);
	http_html(r, status, html);
}

/*
 * GET (and POST, for RFC 8058 one-click) /unsubscribe?token=...: no key;
 * the signed token names tenant and user, so it is checked without a
 * query and a forged one changes nothing. Idempotent: a second visit
 * says the user is already unsubscribed and keeps the first opted_out_at.
 * Other query parameters (mail trackers add some) are ignored. Note that
 * http.c answers 415 to a POST whose body is not JSON, which one-click
 * mail clients send ("List-Unsubscribe=One-Click", form-encoded).
 */
static void
unsubscribe(struct http_req *r)
{
	const struct conf *c = conf_get();
	struct in v;
	const char *token;
	char tenant_id[64], user_id[UNSUBSCRIBE_TOKEN_MAX];

	if (!c->have_master_key) {
		log_err("master_key is not configured; cannot check unsubscribe links");
		unsubscribe_page(r, 500, "Something went wrong",
		    "We could not record your request. Please try the link again later.");
		return;
	}
	in_init(&v, r->query, NULL);
	token = in_str(&v, "token", IN_QUERY | IN_REQUIRED, 1, UNSUBSCRIBE_TOKEN_MAX);
	if (v.failed || unsubscribe_token_verify(c->master_key, token, tenant_id,
	    sizeof(tenant_id), user_id, sizeof(user_id)) != 0) {
		unsubscribe_page(r, 400, "This unsubscribe link is invalid",
		    "The link may have been cut short or changed. Please open the complete "
		    "link from the email, or reply to the email and ask to be removed.");
		return;
	}
	switch (customer_opt_out(tenant_id, user_id, r->now)) {
	case CUSTOMER_OPTED_OUT:
		log_info("unsubscribe: a user of tenant %s opted out", tenant_id);
		unsubscribe_page(r, 200, "You have been unsubscribed",
		    "You will no longer receive these emails.");
		break;
	case CUSTOMER_ALREADY:
		unsubscribe_page(r, 200, "You are already unsubscribed",
		    "You will not receive these emails. There is nothing more to do.");
		break;
	case CUSTOMER_UNKNOWN:
		unsubscribe_page(r, 404, "This link is no longer valid",
		    "We could not find the subscription this link belongs to.");
		break;
	default:
		unsubscribe_page(r, 500, "Something went wrong",
		    "We could not record your request. Please try the link again in a few "
		    "minutes.");
		break;
	}
}

int
main(int argc, char **argv)
{
	return http_serve(argc, argv, "retivo-customers", routes, ROUTE__MAX);
}
