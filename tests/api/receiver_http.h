/*
 * receiver_http.h — the HTTP/1.1 server under retivo-receiver (see
 * tests/api/receiver.c): listens on 127.0.0.1, runs one poll() loop over
 * up to 128 keep-alive connections, parses each request (Content-Length
 * bodies only; chunked gets a 501) and hands it to a handler, then writes
 * the answer the handler filled in. Malformed or oversized requests are
 * answered here with a 4xx/5xx JSON {"error"} and never reach the handler.
 */
#ifndef RETIVO_RECEIVER_HTTP_H
#define RETIVO_RECEIVER_HTTP_H

#include <stddef.h>
#include <stdint.h>

/* At most this many request headers a handler can ask for. */
#define RHTTP_HEADERS_MAX	16

/*
 * One complete request. Every pointer is valid only during the handler
 * call and owned by the server.
 */
struct rhttp_request {
	const char	*method;
	const char	*target;	/* as sent, query included */
	const char	*path;		/* target up to the first '?' */
	const char	*h[RHTTP_HEADERS_MAX]; /* by index into the names given to
					   rhttp_serve(), trimmed; NULL when absent */
	const char	*body;		/* exactly bodylen bytes, not NUL-terminated */
	size_t		 bodylen;
};

/*
 * The handler's answer; zeroed before the call. A status of 0 closes the
 * connection without answering. body is a JSON text the handler
 * allocates with malloc() and the server frees; NULL with a status set
 * (out of memory) also closes the connection without answering.
 */
struct rhttp_response {
	int		 status;
	char		 retry_after[32];	/* Retry-After value; "" for none */
	char		*body;
	int64_t		 delay_ms;		/* hold the answer back this long */
};

typedef void (*rhttp_handler)(const struct rhttp_request *, struct rhttp_response *);

/*
 * Listens on 127.0.0.1:port (0: any free port), prints "port N" on
 * stdout, and serves with handler until SIGTERM or SIGINT. header_names
 * (nheaders of them, at most RHTTP_HEADERS_MAX) are the request headers
 * the handler reads through rhttp_request.h. Returns 0 when stopped by a
 * signal, -1 when the socket or poll() fails (said on stderr).
 */
int rhttp_serve(int port, const char *const *header_names, size_t nheaders,
    rhttp_handler handler);

#endif
