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
 * other connections); "drop" closes the connection without an answer.
 * One process, one poll() loop, requests answered in arrival order per
 * connection; keep-alive is supported because libcurl reuses connections.
 * Bad input gets a 4xx and never a crash. SIGTERM or SIGINT ends it.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "crypto.h"
#include "timeutil.h"
#include "webhook.h"

#define MAX_CONNS	128
#define MAX_HEADER	(64 * 1024)
#define MAX_BODY	(4 * 1024 * 1024)
#define MAX_DELAY_MS	120000

struct conn {
	int		 fd;		/* -1: free slot */
	char		*in;
	size_t		 inlen, incap;
	char		*out;
	size_t		 outlen, outoff;
	int64_t		 send_at_ms;	/* hold the answer until then */
	int		 close_after;	/* close once out is flushed */
	int		 continued;	/* "100 Continue" sent for this request */
	int		 eof;		/* the peer sent all it will send */
};

/* The request headers the receiver looks at. */
enum hdr {
	H_CONTENT_LENGTH, H_TRANSFER_ENCODING, H_EXPECT, H_CONNECTION,
	H_WEBHOOK_ID, H_WEBHOOK_TS, H_WEBHOOK_SIG, H_RETIVO_SIG, H_RETIVO_TS, H_ACTION_ID,
	H__MAX
};

static const char *const hdr_names[H__MAX] = {
	"Content-Length", "Transfer-Encoding", "Expect", "Connection",
	"webhook-id", "webhook-timestamp", "webhook-signature",
	"X-Retivo-Signature", "X-Retivo-Timestamp", "X-Retivo-Action-Id",
};

/* One request as parsed; pointers into a private copy of the header. */
struct req {
	const char	*method, *target;
	const char	*h[H__MAX];	/* NULL when absent */
	const char	*body;
	size_t		 bodylen;
	int		 keep_alive;
};

/* What a test configured for one path. */
struct route {
	char			*path;
	char			*secret;
	struct json_object	*responses;	/* array, or NULL */
	size_t			 next;
};

static volatile sig_atomic_t stopping;
static struct conn conns[MAX_CONNS];
static struct route *routes;
static size_t nroutes;
static struct json_object *log_all;	/* every recorded request, in order */

static void
on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

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

/* Appends n bytes to the connection's output; -1 on OOM. */
static int
out_append(struct conn *c, const char *s, size_t n)
{
	char *p;

	if ((p = realloc(c->out, c->outlen + n + 1)) == NULL)
		return -1;
	c->out = p;
	memcpy(c->out + c->outlen, s, n);
	c->outlen += n;
	return 0;
}

/*
 * Queues a full response; retry_after may be NULL. The reason phrase is
 * left empty, which HTTP/1.1 allows and clients ignore.
 */
static void
respond(struct conn *c, int status, const char *retry_after, const char *body)
{
	char head[512];
	int n;

	n = snprintf(head, sizeof(head),
	    "HTTP/1.1 %d \r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
	    "%s%s%s%s\r\n", status, strlen(body),
	    retry_after != NULL ? "Retry-After: " : "", retry_after != NULL ? retry_after : "",
	    retry_after != NULL ? "\r\n" : "", c->close_after ? "Connection: close\r\n" : "");
	if (n < 0 || (size_t)n >= sizeof(head) || out_append(c, head, (size_t)n) != 0 ||
	    out_append(c, body, strlen(body)) != 0)
		c->close_after = 1;
}

static void
respond_json(struct conn *c, int status, struct json_object *o)
{
	respond(c, status, NULL, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
}

static void
respond_error(struct conn *c, int status, const char *msg)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "error", json_object_new_string(msg));
	respond_json(c, status, o);
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
parse_object(const struct req *q)
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
	}
	return 1;
}

/*
 * POST /_control/secret and /_control/script: {"path", "secret"} sets or
 * (null) clears the path's secret; {"path", "responses"} replaces its
 * script.
 */
static void
control_set(struct conn *c, const struct req *q, int script)
{
	struct json_object *o, *v = NULL;
	struct route *r;
	const char *path;

	if ((o = parse_object(q)) == NULL || (path = control_path(o)) == NULL ||
	    !json_object_object_get_ex(o, script ? "responses" : "secret", &v) ||
	    (script && (!json_object_is_type(v, json_type_array) || !script_valid(v))) ||
	    (!script && v != NULL && !json_object_is_type(v, json_type_string))) {
		respond_error(c, 400, script ? "expected {\"path\": \"/…\", \"responses\": "
		    "[{\"status\": 200..599, \"retry_after\"?, \"delay_ms\"?} or {\"drop\": true}]}" :
		    "expected {\"path\": \"/…\", \"secret\": string or null}");
	} else if ((r = route_find(path, 1)) == NULL)
		respond_error(c, 500, "out of memory");
	else if (script) {
		json_object_put(r->responses);
		r->responses = json_object_get(v);
		r->next = 0;
		respond(c, 200, NULL, "{\"ok\":true}");
	} else {
		free(r->secret);
		r->secret = v != NULL ? strdup(json_object_get_string(v)) : NULL;
		respond(c, 200, NULL, "{\"ok\":true}");
	}
	json_object_put(o);
}

static void
control_log(struct conn *c, const struct req *q)
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
	respond_json(c, 200, o);
	free(want);
}

static void
handle_control(struct conn *c, const struct req *q, const char *path)
{
	int post = strcmp(q->method, "POST") == 0;

	if (strcmp(path, "/_control/reset") == 0 && post) {
		routes_free();
		json_object_put(log_all);
		log_all = json_object_new_array();
		respond(c, 200, NULL, "{\"ok\":true}");
	} else if (strcmp(path, "/_control/secret") == 0 && post)
		control_set(c, q, 0);
	else if (strcmp(path, "/_control/script") == 0 && post)
		control_set(c, q, 1);
	else if (strcmp(path, "/_control/log") == 0 && strcmp(q->method, "GET") == 0)
		control_log(c, q);
	else
		respond_error(c, 404, "no such control route");
}

static struct json_object *
str_or_null(const char *s)
{
	return s != NULL ? json_object_new_string(s) : NULL;
}

/* seed 000's signature: hex HMAC of the body keyed by the secret string. */
static int
retivo_signature_ok(const char *secret, const struct req *q)
{
	char hex[65];

	if (secret == NULL || q->h[H_RETIVO_SIG] == NULL ||
	    webhook_sign_hex(secret, q->body, q->bodylen, hex) != 0)
		return 0;
	return strlen(q->h[H_RETIVO_SIG]) == 64 && strcasecmp(hex, q->h[H_RETIVO_SIG]) == 0;
}

/* Standard Webhooks': webhook-timestamp must be plain unix seconds. */
static int
standard_signature_ok(const char *secret, const struct req *q)
{
	const char *ts = q->h[H_WEBHOOK_TS];

	if (secret == NULL || ts == NULL || ts[0] == '\0' || strlen(ts) > 18 ||
	    strspn(ts, "0123456789") != strlen(ts))
		return 0;
	return webhook_verify_standard(secret, q->h[H_WEBHOOK_ID], strtoll(ts, NULL, 10),
	    q->body, q->bodylen, q->h[H_WEBHOOK_SIG]);
}

/* Records a delivery and answers it as scripted. */
static void
handle_delivery(struct conn *c, const struct req *q, const char *path)
{
	struct route *r = route_find(path, 0);
	struct json_object *rec, *e = NULL, *v;
	const char *secret = r != NULL ? r->secret : NULL, *retry_after = NULL;
	char when[TIME_ISO8601_SIZE], ra[32];
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
			snprintf(ra, sizeof(ra), "%s", json_object_get_string(v));
			retry_after = ra;
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
	json_object_object_add(rec, "signature_ok",
	    json_object_new_boolean(retivo_signature_ok(secret, q)));
	json_object_object_add(rec, "standard_signature_ok",
	    json_object_new_boolean(standard_signature_ok(secret, q)));
	json_object_object_add(rec, "received_at", json_object_new_string(when));
	json_object_object_add(rec, "received_at_ms", json_object_new_int64(time_now_ms()));
	json_object_array_add(log_all, rec);
	if (drop) {
		c->close_after = 1;
		c->outlen = c->outoff = 0;
		return;
	}
	respond(c, status, retry_after, "{\"received\":true}");
	if (delay > 0)
		c->send_at_ms = time_now_ms() + delay;
}

/* The value of a header line "Name: value" when its name is name. */
static const char *
header_value(char *line, const char *name)
{
	size_t n = strlen(name);
	char *v, *end;

	if (strncasecmp(line, name, n) != 0 || line[n] != ':')
		return NULL;
	for (v = line + n + 1; *v == ' ' || *v == '\t'; v++)
		continue;
	for (end = v + strlen(v); end > v && (end[-1] == ' ' || end[-1] == '\t'); end--)
		end[-1] = '\0';
	return v;
}

/*
 * Parses the header block (a NUL-terminated private copy, edited in
 * place) into q and the body length into *clen. Returns 0, or the status
 * to refuse the request with.
 */
static int
parse_head(char *head, struct req *q, long long *clen)
{
	char *line, *next, *sp1, *sp2;
	const char *v, *te, *cl;
	size_t i;

	memset(q, 0, sizeof(*q));
	if ((next = strstr(head, "\r\n")) == NULL)
		return 400;
	*next = '\0';
	if ((sp1 = strchr(head, ' ')) == NULL || (sp2 = strchr(sp1 + 1, ' ')) == NULL)
		return 400;
	*sp1 = *sp2 = '\0';
	q->method = head;
	q->target = sp1 + 1;
	if (q->target[0] != '/' || strncmp(sp2 + 1, "HTTP/1.", 7) != 0 || head[0] == '\0')
		return 400;
	q->keep_alive = strcmp(sp2 + 1, "HTTP/1.1") == 0;
	for (line = next + 2; *line != '\0'; line = next + 2) {
		if ((next = strstr(line, "\r\n")) == NULL)
			return 400;
		*next = '\0';
		if (*line == ' ' || *line == '\t' || strchr(line, ':') == NULL)
			return 400;
		for (i = 0; i < H__MAX; i++)
			if ((v = header_value(line, hdr_names[i])) != NULL)
				q->h[i] = v;
	}
	te = q->h[H_TRANSFER_ENCODING];
	cl = q->h[H_CONTENT_LENGTH] != NULL ? q->h[H_CONTENT_LENGTH] : "0";
	if (*cl == '\0' || strspn(cl, "0123456789") != strlen(cl) || strlen(cl) > 12)
		return 400;
	if ((*clen = strtoll(cl, NULL, 10)) > MAX_BODY)
		return 413;
	if (te != NULL)
		return 501;
	if (q->h[H_CONNECTION] != NULL && strcasecmp(q->h[H_CONNECTION], "close") == 0)
		q->keep_alive = 0;
	return 0;
}

/*
 * Answers every complete request buffered on c, one at a time: stops
 * while an answer is still being sent or held back, and when the next
 * request is incomplete.
 */
static void
conn_process(struct conn *c)
{
	char *end, *head, *path, *qm;
	struct req q;
	long long clen;
	size_t hlen, total;
	int status;

	while (c->outlen == 0 && !c->close_after && c->inlen > 0) {
		c->in[c->inlen] = '\0';
		if ((end = memmem(c->in, c->inlen, "\r\n\r\n", 4)) == NULL) {
			if (c->inlen > MAX_HEADER) {
				c->close_after = 1;
				respond_error(c, 431, "header too large");
			}
			return;
		}
		hlen = (size_t)(end - c->in) + 4;
		if ((head = strndup(c->in, hlen - 2)) == NULL) {
			c->close_after = 1;
			return;
		}
		if ((status = parse_head(head, &q, &clen)) != 0) {
			c->close_after = 1;
			respond_error(c, status, status == 413 ? "body too large" :
			    status == 501 ? "chunked bodies are not supported" : "malformed request");
			free(head);
			return;
		}
		total = hlen + (size_t)clen;
		if (c->inlen < total) {
			if (q.h[H_EXPECT] != NULL && strcasecmp(q.h[H_EXPECT], "100-continue") == 0 &&
			    !c->continued) {
				c->continued = 1;
				out_append(c, "HTTP/1.1 100 Continue\r\n\r\n", 25);
			}
			free(head);
			return;
		}
		q.body = c->in + hlen;
		q.bodylen = (size_t)clen;
		c->close_after = !q.keep_alive;
		if ((path = strdup(q.target)) != NULL) {
			if ((qm = strchr(path, '?')) != NULL)
				*qm = '\0';
			if (strncmp(path, "/_control/", 10) == 0)
				handle_control(c, &q, path);
			else
				handle_delivery(c, &q, path);
			free(path);
		} else
			c->close_after = 1;
		free(head);
		memmove(c->in, c->in + total, c->inlen - total);
		c->inlen -= total;
		c->continued = 0;
	}
}

static void
conn_close(struct conn *c)
{
	close(c->fd);
	free(c->in);
	free(c->out);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

/*
 * Reads what is there. Returns 0, 1 at end of input (what came is still
 * answered), or -1 when the connection should go at once.
 */
static int
conn_read(struct conn *c)
{
	ssize_t n;
	char *p;

	for (;;) {
		if (c->incap - c->inlen < 4096 + 1) {
			if (c->incap > MAX_HEADER + MAX_BODY)
				return -1;
			if ((p = realloc(c->in, c->incap * 2 + 8192)) == NULL)
				return -1;
			c->in = p;
			c->incap = c->incap * 2 + 8192;
		}
		n = recv(c->fd, c->in + c->inlen, c->incap - c->inlen - 1, 0);
		if (n > 0) {
			c->inlen += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		return n == 0 ? 1 : -1;
	}
}

/* Sends what is pending; returns -1 when the connection should go. */
static int
conn_write(struct conn *c)
{
	ssize_t n;

	while (c->outoff < c->outlen) {
		n = send(c->fd, c->out + c->outoff, c->outlen - c->outoff, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n <= 0)
			return -1;
		c->outoff += (size_t)n;
	}
	c->outlen = c->outoff = 0;
	c->send_at_ms = 0;
	return c->close_after ? -1 : 0;
}

static int
listen_on(int port)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd, one = 1;

	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0 || listen(fd, 128) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) != 0) {
		perror("retivo-receiver: listen");
		close(fd);
		return -1;
	}
	printf("port %d\n", ntohs(sin.sin_port));
	fflush(stdout);
	return fd;
}

static void
accept_all(int lfd)
{
	size_t i;
	int fd;

	for (;;) {
		for (i = 0; i < MAX_CONNS && conns[i].fd != -1; i++)
			continue;
		if (i == MAX_CONNS)
			return;
		if ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) < 0)
			return;
		conns[i].fd = fd;
	}
}

/* One poll round: what each connection waits for, and how long at most. */
static int
poll_round(int lfd)
{
	struct pollfd pfd[MAX_CONNS + 1];
	size_t idx[MAX_CONNS + 1], n = 0, i;
	int64_t now = time_now_ms(), wait_ms = 1000;
	struct conn *c;
	int r;

	pfd[n].fd = lfd;
	pfd[n++].events = POLLIN;
	for (i = 0; i < MAX_CONNS; i++) {
		c = &conns[i];
		if (c->fd == -1)
			continue;
		pfd[n].fd = c->fd;
		pfd[n].events = c->eof ? 0 : POLLIN;
		if (c->outlen > 0 && c->send_at_ms <= now)
			pfd[n].events |= POLLOUT;
		else if (c->outlen > 0 && c->send_at_ms - now < wait_ms)
			wait_ms = c->send_at_ms - now;
		idx[n++] = i;
	}
	if ((r = poll(pfd, n, (int)wait_ms)) < 0)
		return errno == EINTR ? 0 : -1;
	if (pfd[0].revents & POLLIN)
		accept_all(lfd);
	for (i = 1; i < n; i++) {
		c = &conns[idx[i]];
		if (!c->eof && (pfd[i].revents & (POLLIN | POLLHUP | POLLERR))) {
			if ((r = conn_read(c)) < 0) {
				conn_close(c);
				continue;
			}
			c->eof = r;
		} else if (c->eof && (pfd[i].revents & (POLLHUP | POLLERR))) {
			conn_close(c);	/* gone entirely: nobody to answer */
			continue;
		}
		if ((pfd[i].revents & POLLOUT) && conn_write(c) != 0) {
			conn_close(c);
			continue;
		}
		conn_process(c);
		/* An answer that need not wait goes out at once. */
		if (c->outlen > 0 && c->send_at_ms <= time_now_ms() && conn_write(c) != 0)
			conn_close(c);
		else if (c->outlen == 0 && (c->close_after || c->eof))
			conn_close(c);
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	struct sigaction sa;
	int lfd, port = 0, rc = 1;
	size_t i;
	char *end;

	if (argc == 3 && strcmp(argv[1], "--port") == 0)
		port = (int)strtol(argv[2], &end, 10);
	if (!(argc == 1 || (argc == 3 && strcmp(argv[1], "--port") == 0 && port >= 0 &&
	    port <= 65535 && *end == '\0' && argv[2][0] != '\0'))) {
		fprintf(stderr, "usage: retivo-receiver [--port P]\n");
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < MAX_CONNS; i++)
		conns[i].fd = -1;
	log_all = json_object_new_array();
	if ((lfd = listen_on(port)) < 0)
		goto out;
	while (!stopping)
		if (poll_round(lfd) != 0) {
			perror("retivo-receiver: poll");
			goto out;
		}
	rc = 0;
out:
	for (i = 0; i < MAX_CONNS; i++)
		if (conns[i].fd != -1)
			conn_close(&conns[i]);
	if (lfd >= 0)
		close(lfd);
	routes_free();
	json_object_put(log_all);
	return rc;
}
