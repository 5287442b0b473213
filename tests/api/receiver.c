/*
 * receiver.c — retivo-receiver, the webhook receiver of the API tests: a
 * small HTTP/1.1 server on 127.0.0.1 that records every delivery, checks
 * both signatures (seed 000's X-Retivo-Signature and Standard Webhooks')
 * against the secret the test gave for the path, and answers with the
 * status codes the test scripted. Tests drive it over the same port:
 *
 *   POST /_control/reset                       forget everything
 *   POST /_control/secret {"path","secret"}    secret for a path (null clears)
 *   POST /_control/script {"path","responses":[{"status":500},
 *        {"status":429,"retry_after":"120"},{"status":200,"delay_ms":3000},
 *        {"drop":true}]}                       queued answers, then 200 forever
 *   GET  /_control/log?path=/a                 {"requests":[...]} in order
 *
 * "delay_ms" holds the answer back (for timeout tests, without blocking
 * other connections); "drop" closes the connection without an answer;
 * "body" (a string) replaces the default {"received":true} answer (the
 * canned replies of a fake LLM endpoint, test_llm.c).
 * This file is what the receiver does with a request; sockets, the poll()
 * loop and HTTP framing are in receiver_http.c, which calls
 * receiver_handle() once per request. Bad input gets a 4xx and never a
 * crash. SIGTERM or SIGINT ends it.
 */
#include "config.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <json-c/json.h>

#include "crypto.h"
#include "timeutil.h"
#include "webhook.h"
#include "receiver_http.h"

#define MAX_DELAY_MS	120000

/* The request headers the receiver looks at; also the indexes of rhttp_request.h. */
enum hdr {
	H_WEBHOOK_ID, H_WEBHOOK_TS, H_WEBHOOK_SIG, H_RETIVO_SIG, H_RETIVO_TS, H_ACTION_ID,
	H_AUTHORIZATION, H__MAX
};

static const char *const hdr_names[H__MAX] = {
	"webhook-id", "webhook-timestamp", "webhook-signature",
	"X-Retivo-Signature", "X-Retivo-Timestamp", "X-Retivo-Action-Id", "Authorization",
};

/* What a test configured for one path. */
struct route {
	char			*path;
	char			*secret;
	struct json_object	*responses;	/* array, or NULL */
	size_t			 next;
};

static struct route *routes;
static size_t nroutes;
static struct json_object *log_all;	/* every recorded request, in order */

static void
routes_free(void)
{
	size_t i;

	for (i = 0; i < nroutes; i++) {
		free(routes[i].path);
		free(routes[i].secret);
		json_object_put(routes[i].responses);
	}
	free(routes);
	routes = NULL;
	nroutes = 0;
}

/* The route for path; created when create is set. NULL when absent or OOM. */
static struct route *
route_find(const char *path, int create)
{
	struct route *r;
	size_t i;

	for (i = 0; i < nroutes; i++)
		if (strcmp(routes[i].path, path) == 0)
			return &routes[i];
	if (!create || (r = realloc(routes, (nroutes + 1) * sizeof(*r))) == NULL)
		return NULL;
	routes = r;
	r = &routes[nroutes];
	memset(r, 0, sizeof(*r));
	if ((r->path = strdup(path)) == NULL)
		return NULL;
	nroutes++;
	return r;
}

/* Answers with status and a copy of body (NULL on OOM: no answer). */
static void
respond(struct rhttp_response *res, int status, const char *body)
{
	res->status = status;
	res->body = strdup(body);
}

static void
respond_json(struct rhttp_response *res, int status, struct json_object *o)
{
	respond(res, status, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
}

static void
respond_error(struct rhttp_response *res, int status, const char *msg)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "error", json_object_new_string(msg));
	respond_json(res, status, o);
}

/* Decodes %XX in place; '+' stays '+'. */
static void
url_decode(char *s)
{
	char *w = s;
	unsigned int byte;

	for (; *s != '\0'; s++, w++) {
		if (s[0] == '%' && isxdigit((unsigned char)s[1]) && isxdigit((unsigned char)s[2]) &&
		    sscanf(s + 1, "%2x", &byte) == 1) {
			*w = (char)byte;
			s += 2;
		} else
			*w = *s;
	}
	*w = '\0';
}

/* A control JSON body as an object, or NULL. */
static struct json_object *
parse_object(const struct rhttp_request *q)
{
	struct json_tokener *tok;
	struct json_object *o = NULL;

	if (q->bodylen == 0 || q->bodylen > 1024 * 1024 || (tok = json_tokener_new()) == NULL)
		return NULL;
	o = json_tokener_parse_ex(tok, q->body, (int)q->bodylen);
	if (json_tokener_get_error(tok) != json_tokener_success ||
	    !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
}

/* A "path" member that names a recordable path, or NULL. */
static const char *
control_path(struct json_object *o)
{
	struct json_object *p;
	const char *s;

	if (!json_object_object_get_ex(o, "path", &p) || !json_object_is_type(p, json_type_string))
		return NULL;
	s = json_object_get_string(p);
	if (s[0] != '/' || strncmp(s, "/_control", 9) == 0 || strlen(s) > 2000)
		return NULL;
	return s;
}

/* 1 when every scripted answer is well formed. */
static int
script_valid(struct json_object *a)
{
	struct json_object *e, *v;
	size_t i;
	int64_t n;

	for (i = 0; i < json_object_array_length(a); i++) {
		e = json_object_array_get_idx(a, i);
		if (!json_object_is_type(e, json_type_object))
			return 0;
		if (json_object_object_get_ex(e, "drop", &v) && json_object_get_boolean(v))
			continue;
		if (!json_object_object_get_ex(e, "status", &v) ||
		    !json_object_is_type(v, json_type_int) ||
		    (n = json_object_get_int64(v)) < 200 || n > 599)
			return 0;
		if (json_object_object_get_ex(e, "retry_after", &v) &&
		    ((!json_object_is_type(v, json_type_string) &&
		    !json_object_is_type(v, json_type_int)) ||
		    strlen(json_object_get_string(v)) > 30 ||
		    strpbrk(json_object_get_string(v), "\r\n") != NULL))
			return 0;
		if (json_object_object_get_ex(e, "delay_ms", &v) &&
		    (!json_object_is_type(v, json_type_int) || (n = json_object_get_int64(v)) < 0 ||
		    n > MAX_DELAY_MS))
			return 0;
		if (json_object_object_get_ex(e, "body", &v) &&
		    (!json_object_is_type(v, json_type_string) ||
		    json_object_get_string_len(v) > 256 * 1024))
			return 0;
	}
	return 1;
}

/*
 * POST /_control/secret and /_control/script: {"path", "secret"} sets or
 * (null) clears the path's secret; {"path", "responses"} replaces its
 * script.
 */
static void
control_set(struct rhttp_response *res, const struct rhttp_request *q, int script)
{
	struct json_object *o, *v = NULL;
	struct route *r;
	const char *path;

	if ((o = parse_object(q)) == NULL || (path = control_path(o)) == NULL ||
	    !json_object_object_get_ex(o, script ? "responses" : "secret", &v) ||
	    (script && (!json_object_is_type(v, json_type_array) || !script_valid(v))) ||
	    (!script && v != NULL && !json_object_is_type(v, json_type_string))) {
		respond_error(res, 400, script ? "expected {\"path\": \"/…\", \"responses\": "
		    "[{\"status\": 200..599, \"retry_after\"?, \"delay_ms\"?} or {\"drop\": true}]}" :
		    "expected {\"path\": \"/…\", \"secret\": string or null}");
	} else if ((r = route_find(path, 1)) == NULL)
		respond_error(res, 500, "out of memory");
	else if (script) {
		json_object_put(r->responses);
		r->responses = json_object_get(v);
		r->next = 0;
		respond(res, 200, "{\"ok\":true}");
	} else {
		free(r->secret);
		r->secret = v != NULL ? strdup(json_object_get_string(v)) : NULL;
		respond(res, 200, "{\"ok\":true}");
	}
	json_object_put(o);
}

static void
control_log(struct rhttp_response *res, const struct rhttp_request *q)
{
	struct json_object *o, *a, *e, *p;
	const char *query = strstr(q->target, "?path=");
	char *want = NULL;
	size_t i;

	/* The only parameter there is; the client sends it alone. */
	if (query != NULL && (want = strdup(query + 6)) != NULL)
		url_decode(want);
	a = json_object_new_array();
	for (i = 0; i < json_object_array_length(log_all); i++) {
		e = json_object_array_get_idx(log_all, i);
		if (want != NULL && (!json_object_object_get_ex(e, "path", &p) ||
		    strcmp(json_object_get_string(p), want) != 0))
			continue;
		json_object_array_add(a, json_object_get(e));
	}
	o = json_object_new_object();
	json_object_object_add(o, "requests", a);
	respond_json(res, 200, o);
	free(want);
}

static void
handle_control(struct rhttp_response *res, const struct rhttp_request *q)
{
	const char *path = q->path;
	int post = strcmp(q->method, "POST") == 0;

	if (strcmp(path, "/_control/reset") == 0 && post) {
		routes_free();
		json_object_put(log_all);
		log_all = json_object_new_array();
		respond(res, 200, "{\"ok\":true}");
	} else if (strcmp(path, "/_control/secret") == 0 && post)
		control_set(res, q, 0);
	else if (strcmp(path, "/_control/script") == 0 && post)
		control_set(res, q, 1);
	else if (strcmp(path, "/_control/log") == 0 && strcmp(q->method, "GET") == 0)
		control_log(res, q);
	else
		respond_error(res, 404, "no such control route");
}

static struct json_object *
str_or_null(const char *s)
{
	return s != NULL ? json_object_new_string(s) : NULL;
}

/* seed 000's signature: hex HMAC of the body keyed by the secret string. */
static int
retivo_signature_ok(const char *secret, const struct rhttp_request *q)
{
	char hex[65];

	if (secret == NULL || q->h[H_RETIVO_SIG] == NULL ||
	    webhook_sign_hex(secret, q->body, q->bodylen, hex) != 0)
		return 0;
	return strlen(q->h[H_RETIVO_SIG]) == 64 && strcasecmp(hex, q->h[H_RETIVO_SIG]) == 0;
}

/* Standard Webhooks': webhook-timestamp must be plain unix seconds. */
static int
standard_signature_ok(const char *secret, const struct rhttp_request *q)
{
	const char *ts = q->h[H_WEBHOOK_TS];

	if (secret == NULL || ts == NULL || ts[0] == '\0' || strlen(ts) > 18 ||
	    strspn(ts, "0123456789") != strlen(ts))
		return 0;
	return webhook_verify_standard(secret, q->h[H_WEBHOOK_ID], strtoll(ts, NULL, 10),
	    q->body, q->bodylen, q->h[H_WEBHOOK_SIG]);
}

/*
 * Records a delivery and answers it as scripted; a scripted drop leaves
 * res->status 0, so the connection closes unanswered.
 */
static void
handle_delivery(struct rhttp_response *res, const struct rhttp_request *q)
{
	const char *path = q->path;
	struct route *r = route_find(path, 0);
	struct json_object *rec, *e = NULL, *v;
	const char *secret = r != NULL ? r->secret : NULL, *retry_after = NULL;
	char when[TIME_ISO8601_SIZE];
	int status = 200, drop = 0;
	int64_t delay = 0;

	if (r != NULL && r->responses != NULL && r->next < json_object_array_length(r->responses))
		e = json_object_array_get_idx(r->responses, r->next++);
	if (e != NULL) {
		if (json_object_object_get_ex(e, "drop", &v) && json_object_get_boolean(v))
			drop = 1;
		else if (json_object_object_get_ex(e, "status", &v))
			status = json_object_get_int(v);
		if (json_object_object_get_ex(e, "retry_after", &v)) {
			snprintf(res->retry_after, sizeof(res->retry_after), "%s",
			    json_object_get_string(v));
			retry_after = res->retry_after;
		}
		if (json_object_object_get_ex(e, "delay_ms", &v))
			delay = json_object_get_int64(v);
	}
	time_format_iso8601((int64_t)time(NULL), when);
	rec = json_object_new_object();
	json_object_object_add(rec, "path", json_object_new_string(path));
	json_object_object_add(rec, "method", json_object_new_string(q->method));
	json_object_object_add(rec, "status_sent", json_object_new_int(drop ? 0 : status));
	json_object_object_add(rec, "retry_after_sent", str_or_null(drop ? NULL : retry_after));
	json_object_object_add(rec, "body", json_object_new_string_len(q->body, (int)q->bodylen));
	json_object_object_add(rec, "msg_id", str_or_null(q->h[H_WEBHOOK_ID]));
	json_object_object_add(rec, "webhook_timestamp", str_or_null(q->h[H_WEBHOOK_TS]));
	json_object_object_add(rec, "retivo_timestamp", str_or_null(q->h[H_RETIVO_TS]));
	json_object_object_add(rec, "action_id", str_or_null(q->h[H_ACTION_ID]));
	json_object_object_add(rec, "authorization", str_or_null(q->h[H_AUTHORIZATION]));
	json_object_object_add(rec, "signature_ok",
	    json_object_new_boolean(retivo_signature_ok(secret, q)));
	json_object_object_add(rec, "standard_signature_ok",
	    json_object_new_boolean(standard_signature_ok(secret, q)));
	json_object_object_add(rec, "received_at", json_object_new_string(when));
	json_object_object_add(rec, "received_at_ms", json_object_new_int64(time_now_ms()));
	json_object_array_add(log_all, rec);
	if (drop)
		return;
	if (e != NULL && json_object_object_get_ex(e, "body", &v))
		respond(res, status, json_object_get_string(v));
	else
		respond(res, status, "{\"received\":true}");
	res->delay_ms = delay;
}

/*
 * The rhttp_handler: control routes under /_control/, everything else a
 * delivery to record.
 */
static void
receiver_handle(const struct rhttp_request *q, struct rhttp_response *res)
{
	if (strncmp(q->path, "/_control/", 10) == 0)
		handle_control(res, q);
	else
		handle_delivery(res, q);
}

int
main(int argc, char *argv[])
{
	int port = 0, rc = 1;
	char *end;

	if (argc == 3 && strcmp(argv[1], "--port") == 0)
		port = (int)strtol(argv[2], &end, 10);
	if (!(argc == 1 || (argc == 3 && strcmp(argv[1], "--port") == 0 && port >= 0 &&
	    port <= 65535 && *end == '\0' && argv[2][0] != '\0'))) {
		fprintf(stderr, "usage: retivo-receiver [--port P]\n");
		return 2;
	}
	log_all = json_object_new_array();
	if (rhttp_serve(port, hdr_names, H__MAX, receiver_handle) == 0)
		rc = 0;
	routes_free();
	json_object_put(log_all);
	return rc;
}
