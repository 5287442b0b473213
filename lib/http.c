/*
 * http.c — the request cycle of every FastCGI program.
 *
 * Order matters and is cheapest first: route and method (no I/O), body
 * size from CONTENT_LENGTH before reading a byte (413), content type and
 * JSON parse with a depth cap (415/400), then the key or, without an
 * Authorization header, a member's session cookie (401) and its CSRF token
 * on writes (403), the tenant's hourly quota (429) and the route's scope
 * (403), and only then the handler. After a successful write the request
 * is recorded in the audit log.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "audit.h"
#include "conf.h"
#include "crypto.h"
#include "db.h"
#include "http.h"
#include "http_int.h"
#include "log.h"
#include "ratelimit.h"
#include "timeutil.h"

static const char *
http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 402: return "Payment Required";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Payload Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Entity";
	case 429: return "Too Many Requests";
	case 503: return "Service Unavailable";
	default: return status >= 500 ? "Internal Server Error" : "Error";
	}
}

void
http_header(struct http_req *r, const char *name, const char *value)
{
	int n;

	n = snprintf(r->headers + r->headers_len, sizeof(r->headers) - r->headers_len,
	    "%s: %s\r\n", name, value);
	if (n < 0 || (size_t)n >= sizeof(r->headers) - r->headers_len) {
		log_err("http: response headers full, dropped %s", name);
		r->headers[r->headers_len] = '\0';
		return;
	}
	r->headers_len += (size_t)n;
}

static void
http_write(struct http_req *r, int status, const char *body, size_t len)
{
	FCGX_Request *f = r->fcgi;
	char head[2048];
	int n;

	if (r->responded) {
		log_err("http: second response for %s %s ignored", r->method, r->path);
		return;
	}
	r->responded = 1;
	r->status = status;
	/* libfcgi's own printf lacks %zu and %lld: format here, then write. */
	n = snprintf(head, sizeof(head), "Status: %d %s\r\nContent-Type: %s\r\n"
	    "Cache-Control: no-store\r\nX-Request-Id: %s\r\n",
	    status, http_reason(status), r->content_type ? r->content_type : "application/json",
	    r->request_id);
	if (r->rl.set)
		n += snprintf(head + n, sizeof(head) - (size_t)n,
		    "X-RateLimit-Limit: %lld\r\nX-RateLimit-Remaining: %lld\r\n"
		    "X-RateLimit-Reset: %lld\r\n", r->rl.limit, r->rl.remaining,
		    (long long)r->rl.reset);
	n += snprintf(head + n, sizeof(head) - (size_t)n, "%.*s", (int)r->headers_len, r->headers);
	n += snprintf(head + n, sizeof(head) - (size_t)n, "Content-Length: %zu\r\n\r\n", len);
	FCGX_PutStr(head, n, f->out);
	if (len > 0)
		FCGX_PutStr(body, (int)len, f->out);
}

void
http_html(struct http_req *r, int status, const char *html)
{
	/* The only non-JSON answers are small pages for people (unsubscribe). */
	http_header(r, "Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'");
	r->content_type = "text/html; charset=utf-8";
	http_write(r, status, html, strlen(html));
}

void
http_json(struct http_req *r, int status, struct json_object *obj)
{
	const char *text;
	size_t len;

	if (obj == NULL) {
		log_err("http: no response object for %s %s", r->method, r->path);
		http_internal(r);
		return;
	}
	/* The object a write created or changed, for the audit log. */
	if (status >= 200 && status < 300 && r->method != NULL && strcmp(r->method, "GET") != 0)
		audit_object_of_response(obj, r->audit_object, sizeof(r->audit_object));
	text = json_object_to_json_string_length(obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	http_write(r, status, text, len);
	json_object_put(obj);
}

void
http_error_field(struct http_req *r, int status, const char *code,
    const char *field, const char *message)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "error", json_object_new_string(message));
	json_object_object_add(o, "code", json_object_new_string(code));
	if (field != NULL)
		json_object_object_add(o, "field", json_object_new_string(field));
	http_json(r, status, o);
}

void
http_error(struct http_req *r, int status, const char *code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	http_error_field(r, status, code, NULL, msg);
}

void
http_not_found(struct http_req *r, const char *what)
{
	http_error(r, 404, "not_found", "%s not found", what);
}

void
http_internal(struct http_req *r)
{
	/* Never internals in the body: the cause is in the log by request id. */
	http_error(r, 500, "internal_error",
	    "internal error; quote request id %s to support", r->request_id);
}

int
http_match(const char *pattern, const char *path, const char **params,
    char *scratch, size_t scratchlen)
{
	const char *p = pattern, *s = path, *pe, *se;
	size_t np = 0, used = 0, len;

	for (;;) {
		if (*p != '/' || *s != '/')
			return *p == '\0' && *s == '\0';
		p++;
		s++;
		pe = strchr(p, '/');
		if (pe == NULL)
			pe = p + strlen(p);
		se = strchr(s, '/');
		if (se == NULL)
			se = s + strlen(s);
		len = (size_t)(se - s);
		if (*p == ':') {
			if (len == 0 || np >= HTTP_MAX_PARAMS || used + len + 1 > scratchlen)
				return 0;
			memcpy(scratch + used, s, len);
			scratch[used + len] = '\0';
			params[np++] = scratch + used;
			used += len + 1;
		} else if ((size_t)(pe - p) != len || strncmp(p, s, len) != 0)
			return 0;
		p = pe;
		s = se;
	}
}

static int
http_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Decodes %XX in place, and '+' as a space when plus_is_space (query
 * strings; in a path '+' is itself). Returns -1 on a bad escape or a NUL.
 */
static int
http_urldecode(char *s, int plus_is_space)
{
	char *w = s;
	int hi, lo;

	for (; *s != '\0'; s++) {
		if (*s == '+' && plus_is_space)
			*w++ = ' ';
		else if (*s == '%') {
			if ((hi = http_hexval(s[1])) < 0 || (lo = http_hexval(s[2])) < 0)
				return -1;
			if (hi == 0 && lo == 0)
				return -1;
			*w++ = (char)(hi * 16 + lo);
			s += 2;
		} else
			*w++ = *s;
	}
	*w = '\0';
	return 0;
}

struct json_object *
http_parse_query(const char *qs)
{
	struct json_object *o;
	char *copy, *pair, *save = NULL, *eq, *val;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	if (qs == NULL || *qs == '\0')
		return o;
	if ((copy = strdup(qs)) == NULL) {
		json_object_put(o);
		return NULL;
	}
	for (pair = strtok_r(copy, "&", &save); pair != NULL; pair = strtok_r(NULL, "&", &save)) {
		eq = strchr(pair, '=');
		val = eq ? eq + 1 : pair + strlen(pair);
		if (eq)
			*eq = '\0';
		if (http_urldecode(pair, 1) != 0 || http_urldecode(val, 1) != 0 || *pair == '\0')
			continue;
		if (!json_object_object_get_ex(o, pair, NULL))
			json_object_object_add(o, pair, json_object_new_string(val));
	}
	free(copy);
	return o;
}

/*
 * json-c's strict mode still takes 'single-quoted' strings; JSON has no
 * quote character outside a double-quoted string, so one there is an error.
 */
static int
http_has_stray_quote(const char *buf, size_t len)
{
	size_t i;
	int in_string = 0;

	for (i = 0; i < len; i++) {
		if (in_string) {
			if (buf[i] == '\\')
				i++;
			else if (buf[i] == '"')
				in_string = 0;
		} else if (buf[i] == '"')
			in_string = 1;
		else if (buf[i] == '\'')
			return 1;
	}
	return 0;
}

struct json_object *
http_parse_json(const char *buf, size_t len, char *err, size_t errlen)
{
	struct json_tokener *tok;
	struct json_object *o = NULL;
	enum json_tokener_error jerr;

	if (http_has_stray_quote(buf, len)) {
		snprintf(err, errlen, "malformed JSON: strings must use double quotes");
		return NULL;
	}
	if ((tok = json_tokener_new_ex(HTTP_MAX_DEPTH)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tok, buf, (int)len);
	jerr = json_tokener_get_error(tok);
	if (jerr == json_tokener_continue) {
		snprintf(err, errlen, "malformed JSON: unexpected end of input");
		json_object_put(o);
		o = NULL;
	} else if (jerr != json_tokener_success) {
		snprintf(err, errlen, "malformed JSON: %s", json_tokener_error_desc(jerr));
		json_object_put(o);
		o = NULL;
	} else if (json_tokener_get_parse_end(tok) < len) {
		/* Trailing bytes other than whitespace mean two documents. */
		size_t i;

		for (i = json_tokener_get_parse_end(tok); i < len; i++)
			if (!isspace((unsigned char)buf[i])) {
				snprintf(err, errlen, "malformed JSON: trailing data");
				json_object_put(o);
				o = NULL;
				break;
			}
	}
	json_tokener_free(tok);
	return o;
}

/* Reads a form-encoded body into r->body as an object of strings. */
static int
http_read_form(struct http_req *r, size_t len)
{
	FCGX_Request *f = r->fcgi;
	char *buf;
	int rc = -1;

	if ((buf = malloc(len + 1)) == NULL) {
		http_internal(r);
		return -1;
	}
	if (FCGX_GetStr(buf, (int)len, f->in) != (int)len) {
		http_error(r, 400, "bad_request", "request body shorter than Content-Length");
		goto out;
	}
	buf[len] = '\0';
	if ((r->body = http_parse_query(buf)) == NULL) {
		http_internal(r);
		goto out;
	}
	rc = 0;
out:
	free(buf);
	return rc;
}

/* Reads and parses the body; answers the error itself and returns -1. */
static int
http_read_body(struct http_req *r, unsigned flags)
{
	FCGX_Request *f = r->fcgi;
	const char *cl = FCGX_GetParam("CONTENT_LENGTH", f->envp);
	const char *ct = FCGX_GetParam("CONTENT_TYPE", f->envp);
	char *buf = NULL, err[160];
	long long len = 0;
	int got, rc = -1;

	if (cl != NULL && *cl != '\0') {
		char *end;

		errno = 0;
		len = strtoll(cl, &end, 10);
		if (errno || *end != '\0' || len < 0) {
			http_error(r, 400, "bad_request", "invalid Content-Length");
			return -1;
		}
	}
	if (len > HTTP_MAX_BODY) {
		http_error(r, 413, "body_too_large", "request body exceeds %d bytes",
		    HTTP_MAX_BODY);
		return -1;
	}
	if (len == 0)
		return 0;
	if ((flags & HTTP_BODY_FORM) && ct != NULL &&
	    strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0)
		return http_read_form(r, (size_t)len);
	if (ct == NULL || strncasecmp(ct, "application/json", 16) != 0 ||
	    (ct[16] != '\0' && ct[16] != ';' && ct[16] != ' ')) {
		http_error(r, 415, "unsupported_media_type",
		    "Content-Type must be application/json");
		return -1;
	}
	if ((buf = malloc((size_t)len + 1)) == NULL) {
		log_err("http: out of memory for %lld byte body", len);
		http_internal(r);
		return -1;
	}
	got = FCGX_GetStr(buf, (int)len, f->in);
	if (got != (int)len) {
		http_error(r, 400, "bad_request", "request body shorter than Content-Length");
		goto out;
	}
	buf[len] = '\0';
	if ((r->body = http_parse_json(buf, (size_t)len, err, sizeof(err))) == NULL) {
		http_error(r, 400, "invalid_json", "%s", err);
		goto out;
	}
	if (!json_object_is_type(r->body, json_type_object) &&
	    !((flags & HTTP_BODY_ANY_JSON) && json_object_is_type(r->body, json_type_array))) {
		http_error(r, 400, "invalid_json", "request body must be a JSON object");
		goto out;
	}
	rc = 0;
out:
	free(buf);
	return rc;
}

void
http_rate_headers(struct http_req *r, const struct rl_result *res)
{
	r->rl.set = 1;
	r->rl.limit = res->limit;
	r->rl.remaining = res->remaining;
	r->rl.reset = res->reset;
	r->rl.retry_after = res->retry_after;
}

/* Authenticates, counts the request and checks scope; -1 when answered. */
static int
http_authorize(struct http_req *r, unsigned scopes, unsigned flags)
{
	FCGX_Request *f = r->fcgi;
	struct rl_result res;
	char retry[32];

	const char *authz = FCGX_GetParam("HTTP_AUTHORIZATION", f->envp);

	/* A Bearer key wins; a session cookie stands in only when it is absent. */
	if (authz == NULL && FCGX_GetParam("HTTP_COOKIE", f->envp) != NULL &&
	    http_session(r) != 0)
		return -1;
	switch (r->auth.session ? AUTH_OK : auth_authenticate(authz, r->now, &r->auth)) {
	case AUTH_OK:
		break;
	case AUTH_MISSING:
		http_header(r, "WWW-Authenticate", "Bearer");
		http_error(r, 401, "unauthorized",
		    "missing API key: send Authorization: Bearer rt_live_... or rt_test_...");
		return -1;
	case AUTH_REVOKED:
		http_header(r, "WWW-Authenticate", "Bearer error=\"invalid_token\"");
		http_error(r, 401, "key_revoked", "API key has been revoked");
		return -1;
	case AUTH_MALFORMED:
	case AUTH_UNKNOWN:
		http_header(r, "WWW-Authenticate", "Bearer error=\"invalid_token\"");
		http_error(r, 401, "invalid_api_key", "invalid API key");
		return -1;
	case AUTH_ERROR:
		http_header(r, "Retry-After", "5");
		http_error(r, 503, "unavailable", "service temporarily unavailable");
		return -1;
	}
	if ((flags & HTTP_RATE_TRACK) == 0 &&
	    ratelimit_hit(r->auth.tenant_id, RL_API, r->auth.api_limit, 1, r->now, &res) == 0) {
		http_rate_headers(r, &res);
		if (res.over) {
			snprintf(retry, sizeof(retry), "%lld", res.retry_after);
			http_header(r, "Retry-After", retry);
			http_error(r, 429, "rate_limited",
			    "rate limit of %lld requests per hour exceeded for the %s plan; "
			    "retry after %lld seconds", res.limit, r->auth.plan, res.retry_after);
			return -1;
		}
	}
	if ((r->auth.scopes & scopes) == 0 && r->auth.session) {
		http_error(r, 403, "insufficient_role",
		    "the %s role may not do this (seed 003: it needs %s)", r->auth.member_role,
		    (scopes & (SCOPE_MANAGE | SCOPE_DECIDE)) ? "an editor or admin" : "an admin");
		return -1;
	}
	if ((r->auth.scopes & scopes) == 0) {
		char need[96];

		auth_scopes_format(scopes, need, sizeof(need));
		http_error(r, 403, "insufficient_scope",
		    "this API key lacks the scope for this route (needs one of: %s)", need);
		return -1;
	}
	return 0;
}

static void
http_handle(struct http_req *r, const struct http_route *routes, size_t nroutes)
{
	FCGX_Request *f = r->fcgi;
	const char *uri, *q;
	char scratch[1024], allow[64] = "";
	const struct http_route *route = NULL;
	size_t i, len;
	unsigned char rnd[8];

	r->method = FCGX_GetParam("REQUEST_METHOD", f->envp);
	r->remote_addr = FCGX_GetParam("REMOTE_ADDR", f->envp);
	r->user_agent = FCGX_GetParam("HTTP_USER_AGENT", f->envp);
	r->now = time_now();
	if (crypto_random(rnd, sizeof(rnd)) == 0)
		for (i = 0; i < sizeof(rnd); i++)
			snprintf(r->request_id + 2 * i, 3, "%02x", rnd[i]);
	if (r->method == NULL)
		r->method = "GET";
	uri = FCGX_GetParam("REQUEST_URI", f->envp);
	if (uri == NULL)
		uri = "/";
	q = strchr(uri, '?');
	len = q ? (size_t)(q - uri) : strlen(uri);
	if (len >= sizeof(r->path)) {
		http_error(r, 414, "uri_too_long", "request path too long");
		return;
	}
	memcpy(r->path, uri, len);
	r->path[len] = '\0';
	/* A trailing slash names the same resource. */
	if (len > 1 && r->path[len - 1] == '/')
		r->path[len - 1] = '\0';
	if ((r->query = http_parse_query(q ? q + 1 : NULL)) == NULL) {
		http_internal(r);
		return;
	}

	for (i = 0; i < nroutes; i++) {
		memset(r->params, 0, sizeof(r->params));
		if (!http_match(routes[i].pattern, r->path, r->params, scratch, sizeof(scratch)))
			continue;
		if (strcmp(routes[i].method, r->method) == 0) {
			route = &routes[i];
			break;
		}
		if (strlen(allow) + strlen(routes[i].method) + 3 < sizeof(allow)) {
			if (allow[0] != '\0')
				strcat(allow, ", ");
			strcat(allow, routes[i].method);
		}
	}
	if (route == NULL) {
		if (allow[0] != '\0') {
			http_header(r, "Allow", allow);
			http_error(r, 405, "method_not_allowed", "%s is not allowed on %s; allowed: %s",
			    r->method, r->path, allow);
		} else
			http_error(r, 404, "not_found", "no such route: %s %s", r->method, r->path);
		return;
	}
	/* r->params point into scratch, which lives until the handler returns.
	 * Ids such as user ids may arrive percent-encoded ("a%40b.com"). */
	for (i = 0; i < HTTP_MAX_PARAMS && r->params[i] != NULL; i++)
		if (http_urldecode((char *)(uintptr_t)r->params[i], 0) != 0) {
			http_error(r, 404, "not_found", "malformed path segment");
			return;
		}
	if (strcmp(r->method, "POST") == 0 || strcmp(r->method, "PUT") == 0 ||
	    strcmp(r->method, "PATCH") == 0) {
		if (http_read_body(r, route->flags) != 0)
			return;
	}
	if (r->body == NULL)
		r->body = json_object_new_object();
	if (route->scopes != 0 && http_authorize(r, route->scopes, route->flags) != 0)
		return;
	route->handler(r);
	if (!r->responded) {
		log_err("http: handler for %s %s sent no response", r->method, route->pattern);
		http_internal(r);
	}
	/* r->params still point into scratch, which is in scope here. */
	if (route->scopes != 0)
		http_audit(r, route);
}

static int
http_listen_socket(int argc, char **argv)
{
	int i;

	for (i = 1; i + 1 < argc; i++) {
		if (strcmp(argv[i], "--socket") == 0 || strcmp(argv[i], "--listen") == 0)
			return FCGX_OpenSocket(argv[i + 1], 128);
	}
	return 0;	/* the socket the web server handed us as stdin */
}

/* The route table as "METHOD PATTERN SCOPES" lines (see http.h). */
static int
http_print_routes(const struct http_route *routes, size_t nroutes)
{
	char scopes[96];
	size_t i;

	for (i = 0; i < nroutes; i++) {
		auth_scopes_format(routes[i].scopes, scopes, sizeof(scopes));
		printf("%s %s %s\n", routes[i].method, routes[i].pattern,
		    routes[i].scopes != 0 ? scopes : "none");
	}
	return fflush(stdout) == 0 ? 0 : 1;
}

int
http_serve(int argc, char **argv, const char *progname,
    const struct http_route *routes, size_t nroutes)
{
	FCGX_Request fr;
	struct http_req r;
	const struct conf *c;
	int sock, i;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--routes") == 0)
			return http_print_routes(routes, nroutes);
	log_init(progname);
	signal(SIGPIPE, SIG_IGN);
	if ((c = conf_get()) == NULL)
		return 1;
	if (FCGX_Init() != 0) {
		log_err("FCGX_Init failed");
		return 1;
	}
	if ((sock = http_listen_socket(argc, argv)) < 0) {
		log_err("cannot open the FastCGI listen socket");
		return 1;
	}
	if (FCGX_InitRequest(&fr, sock, 0) != 0) {
		log_err("FCGX_InitRequest failed");
		return 1;
	}
	/* A failure here is retried per request; the web tier stays up. */
	db_open(c);
	while (FCGX_Accept_r(&fr) >= 0) {
		memset(&r, 0, sizeof(r));
		r.fcgi = &fr;
		http_handle(&r, routes, nroutes);
		json_object_put(r.body);
		json_object_put(r.query);
		FCGX_Finish_r(&fr);
	}
	db_close();
	return 0;
}
