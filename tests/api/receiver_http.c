/*
 * receiver_http.c — the HTTP/1.1 server of retivo-receiver: a listening
 * socket on 127.0.0.1, one poll() loop, a buffer in and out per
 * connection, the request parser and the response writer. What a request
 * means is the handler's business (tests/api/receiver.c); this file only
 * frames bytes. Requests on a connection are answered in arrival order,
 * one at a time; keep-alive is supported because libcurl reuses
 * connections, and an answer the handler holds back (delay_ms) waits
 * without blocking the other connections. Bad input gets a 4xx and never
 * a crash.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "timeutil.h"
#include "receiver_http.h"

#define MAX_CONNS	128
#define MAX_HEADER	(64 * 1024)
#define MAX_BODY	(4 * 1024 * 1024)

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

/* The request headers the server itself reads to frame a request. */
enum frame {
	F_CONTENT_LENGTH, F_TRANSFER_ENCODING, F_EXPECT, F_CONNECTION,
	F__MAX
};

static const char *const frame_names[F__MAX] = {
	"Content-Length", "Transfer-Encoding", "Expect", "Connection",
};

/* A parsed header block; pointers into a private copy of it. */
struct head {
	struct rhttp_request	 q;
	const char		*f[F__MAX];	/* NULL when absent */
	long long		 clen;
	int			 keep_alive;
};

static volatile sig_atomic_t stopping;
static struct conn conns[MAX_CONNS];
static rhttp_handler handler;
static const char *const *header_names;
static size_t nheaders;

static void
on_signal(int sig)
{
	(void)sig;
	stopping = 1;
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

/* Refuses the request on c with status and closes after the answer. */
static void
refuse(struct conn *c, int status)
{
	c->close_after = 1;
	respond(c, status, NULL, status == 431 ? "{\"error\":\"header too large\"}" :
	    status == 413 ? "{\"error\":\"body too large\"}" :
	    status == 501 ? "{\"error\":\"chunked bodies are not supported\"}" :
	    "{\"error\":\"malformed request\"}");
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
 * place) into hd; the body and path are left for the caller. Returns 0,
 * or the status to refuse the request with.
 */
static int
parse_head(char *head, struct head *hd)
{
	char *line, *next, *sp1, *sp2;
	const char *v, *te, *cl;
	size_t i;

	memset(hd, 0, sizeof(*hd));
	if ((next = strstr(head, "\r\n")) == NULL)
		return 400;
	*next = '\0';
	if ((sp1 = strchr(head, ' ')) == NULL || (sp2 = strchr(sp1 + 1, ' ')) == NULL)
		return 400;
	*sp1 = *sp2 = '\0';
	hd->q.method = head;
	hd->q.target = sp1 + 1;
	if (hd->q.target[0] != '/' || strncmp(sp2 + 1, "HTTP/1.", 7) != 0 || head[0] == '\0')
		return 400;
	hd->keep_alive = strcmp(sp2 + 1, "HTTP/1.1") == 0;
	for (line = next + 2; *line != '\0'; line = next + 2) {
		if ((next = strstr(line, "\r\n")) == NULL)
			return 400;
		*next = '\0';
		if (*line == ' ' || *line == '\t' || strchr(line, ':') == NULL)
			return 400;
		for (i = 0; i < F__MAX; i++)
			if ((v = header_value(line, frame_names[i])) != NULL)
				hd->f[i] = v;
		for (i = 0; i < nheaders; i++)
			if ((v = header_value(line, header_names[i])) != NULL)
				hd->q.h[i] = v;
	}
	te = hd->f[F_TRANSFER_ENCODING];
	cl = hd->f[F_CONTENT_LENGTH] != NULL ? hd->f[F_CONTENT_LENGTH] : "0";
	if (*cl == '\0' || strspn(cl, "0123456789") != strlen(cl) || strlen(cl) > 12)
		return 400;
	if ((hd->clen = strtoll(cl, NULL, 10)) > MAX_BODY)
		return 413;
	if (te != NULL)
		return 501;
	if (hd->f[F_CONNECTION] != NULL && strcasecmp(hd->f[F_CONNECTION], "close") == 0)
		hd->keep_alive = 0;
	return 0;
}

/*
 * Hands one complete request to the handler and queues its answer, or
 * marks c to close unanswered (a drop, or out of memory).
 */
static void
conn_dispatch(struct conn *c, struct rhttp_request *q)
{
	struct rhttp_response res;
	char *path, *qm;

	if ((path = strdup(q->target)) == NULL) {
		c->close_after = 1;
		return;
	}
	if ((qm = strchr(path, '?')) != NULL)
		*qm = '\0';
	q->path = path;
	memset(&res, 0, sizeof(res));
	handler(q, &res);
	if (res.status == 0 || res.body == NULL) {
		c->close_after = 1;
		c->outlen = c->outoff = 0;
	} else {
		respond(c, res.status, res.retry_after[0] != '\0' ? res.retry_after : NULL,
		    res.body);
		if (res.delay_ms > 0)
			c->send_at_ms = time_now_ms() + res.delay_ms;
	}
	free(res.body);
	free(path);
}

/*
 * Answers every complete request buffered on c, one at a time: stops
 * while an answer is still being sent or held back, and when the next
 * request is incomplete.
 */
static void
conn_process(struct conn *c)
{
	struct head hd;
	char *end, *head;
	size_t hlen, total;
	int status;

	while (c->outlen == 0 && !c->close_after && c->inlen > 0) {
		c->in[c->inlen] = '\0';
		if ((end = memmem(c->in, c->inlen, "\r\n\r\n", 4)) == NULL) {
			if (c->inlen > MAX_HEADER)
				refuse(c, 431);
			return;
		}
		hlen = (size_t)(end - c->in) + 4;
		if ((head = strndup(c->in, hlen - 2)) == NULL) {
			c->close_after = 1;
			return;
		}
		if ((status = parse_head(head, &hd)) != 0) {
			refuse(c, status);
			free(head);
			return;
		}
		total = hlen + (size_t)hd.clen;
		if (c->inlen < total) {
			if (hd.f[F_EXPECT] != NULL && strcasecmp(hd.f[F_EXPECT], "100-continue") == 0 &&
			    !c->continued) {
				c->continued = 1;
				out_append(c, "HTTP/1.1 100 Continue\r\n\r\n", 25);
			}
			free(head);
			return;
		}
		hd.q.body = c->in + hlen;
		hd.q.bodylen = (size_t)hd.clen;
		c->close_after = !hd.keep_alive;
		conn_dispatch(c, &hd.q);
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
rhttp_serve(int port, const char *const *names, size_t nnames, rhttp_handler h)
{
	struct sigaction sa;
	int lfd, rc = -1;
	size_t i;

	if (nnames > RHTTP_HEADERS_MAX) {
		fprintf(stderr, "retivo-receiver: %zu headers asked for, at most %d\n",
		    nnames, RHTTP_HEADERS_MAX);
		return -1;
	}
	handler = h;
	header_names = names;
	nheaders = nnames;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < MAX_CONNS; i++)
		conns[i].fd = -1;
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
	return rc;
}
