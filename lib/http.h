/*
 * http.h — one FastCGI request: parsing, routing, authentication, rate
 * limiting and the JSON response.
 *
 * A FastCGI program is a table of routes handed to http_serve(). Before a
 * handler runs, http.c has refused a bad method or path (404/405), an
 * oversized body (413), a body that is not JSON or too deep (400, 415), a
 * missing or revoked key (401), a tenant over its hourly quota (429) and a
 * key without the route's scope (403). A handler sees a parsed body, the
 * caller's tenant and the path parameters, and answers with http_json() or
 * http_error().
 */
#ifndef RETIVO_HTTP_H
#define RETIVO_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "auth.h"

#define HTTP_MAX_BODY	(1024 * 1024)	/* 1 MiB: bigger bodies get 413 */
#define HTTP_MAX_DEPTH	32		/* JSON nesting cap */
#define HTTP_MAX_PARAMS	4

struct http_req {
	void			*fcgi;		/* FCGX_Request */
	const char		*method;
	char			 path[1024];	/* without the query string */
	struct json_object	*query;		/* object of decoded string values */
	struct json_object	*body;		/* parsed JSON object, or NULL */
	const char		*remote_addr;
	const char		*user_agent;
	const char		*params[HTTP_MAX_PARAMS];	/* ":name" path segments */
	char			 request_id[32];
	int64_t			 now;		/* the request's time, read once */
	struct auth		 auth;		/* filled when the route needs a key */
	struct ratelimit_state {
		int		set;
		long long	limit;
		long long	remaining;
		int64_t		reset;
		long long	retry_after;
	} rl;
	char			 headers[1024];	/* extra response header lines */
	size_t			 headers_len;
	const char		*content_type;	/* NULL: application/json */
	int			 responded;
	int			 status;
	char			 audit_object[256];	/* id in a write's 2xx response */
};

typedef void (*http_handler)(struct http_req *);

#define HTTP_BODY_ANY_JSON	0x01	/* the body may be a JSON array (connectors) */
#define HTTP_BODY_FORM		0x02	/* a form-encoded body is read as strings */
#define HTTP_RATE_TRACK		0x04	/* counted by the handler against the track
					 * bucket (ingestion), not the API bucket */
#define HTTP_NO_AUDIT		0x100	/* the handler records its own audit events
					 * (sign-in, sign-out, accepting an invitation) */

struct http_route {
	const char	*method;	/* "GET", "POST", ... */
	const char	*pattern;	/* "/api/keys/:id" — ":x" matches one segment */
	unsigned	 scopes;	/* any one of these scopes admits; 0 = no key needed */
	http_handler	 handler;
	unsigned	 flags;		/* HTTP_BODY_* */
};

/*
 * With "--routes" in argv, prints the route table, one "METHOD PATTERN
 * SCOPES" line per route (SCOPES a comma list, or "none" when no key is
 * needed), and returns 0 without serving: tests/api/test_isolation.c walks
 * every route of every program that way.
 *
 * Serves FastCGI requests until the web server closes the socket: on the
 * inherited socket (lighttpd's bin-path, mod_fcgid) or on the one named by
 * "--socket PATH" or "--listen HOST:PORT" in argv (mod_proxy_fcgi with a
 * process manager). Returns the process exit status.
 */
int http_serve(int argc, char **argv, const char *progname,
    const struct http_route *routes, size_t nroutes);

/*
 * 1 when the request reached us over TLS: the server's HTTPS parameter, or
 * "X-Forwarded-Proto: https" from a proxy on the loopback address (the
 * only proxy trusted; a TLS terminator on the same host).
 */
int http_is_https(struct http_req *r);

/* A request header by CGI name ("HTTP_COOKIE"), or NULL. */
const char *http_param(struct http_req *r, const char *name);

/* Answers with status and obj (ownership of obj passes to http_json). */
void http_json(struct http_req *r, int status, struct json_object *obj);

/* Answers with a small HTML page (text/html), for people rather than programs. */
void http_html(struct http_req *r, int status, const char *html);

/* Answers {"error": message, "code": code} (and "field" when not NULL). */
void http_error(struct http_req *r, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void http_error_field(struct http_req *r, int status, const char *code,
    const char *field, const char *message);

/* The common 404 for an id the tenant does not own, or that does not exist. */
void http_not_found(struct http_req *r, const char *what);

/* 500 with a generic body; the cause must already be logged. */
void http_internal(struct http_req *r);

struct rl_result;

/* Sets the X-RateLimit-* values of the response from a rate-limit result. */
void http_rate_headers(struct http_req *r, const struct rl_result *res);

/* Adds a response header before http_json()/http_error() (copied). */
void http_header(struct http_req *r, const char *name, const char *value);

/* Matches path against pattern, filling params; 1 on match. Pure. */
int http_match(const char *pattern, const char *path, const char **params,
    char *scratch, size_t scratchlen);

/* Decodes an application/x-www-form-urlencoded query into a JSON object of
 * strings (the first of repeated keys wins). Returns a new object or NULL. */
struct json_object *http_parse_query(const char *qs);

/* Parses a JSON body of len bytes with the nesting cap. Returns a new object
 * or NULL with a reason in err. Pure. */
struct json_object *http_parse_json(const char *buf, size_t len, char *err, size_t errlen);

#endif
