/*
 * sender.h — sending claimed deliveries over HTTP, many at once (curl
 * multi), each signed at send time with both signature schemes of
 * lib/webhook.h. No database: lib/delivery.c claims and records.
 */
#ifndef RETIVO_SENDER_H
#define RETIVO_SENDER_H

#include <stddef.h>
#include <stdint.h>

#include "delivery.h"

#define SENDER_MAX_PARALLEL	64	/* transfers in flight at once */
#define SENDER_CONNECT_TIMEOUT	5	/* seconds */
#define SENDER_TOTAL_TIMEOUT	15	/* seconds, the whole exchange */
#define SENDER_USER_AGENT	"Retivo-Webhooks/1.0"

struct sender_conf {
	const unsigned char	*master_key;	/* opens the sealed secrets */
	int			 allow_private;	/* loopback/private peers allowed */
};

/*
 * Sends the n deliveries (n <= SENDER_MAX_PARALLEL) in parallel and fills
 * res[i] for d[i]: the HTTP status (0 when no answer), the Retry-After in
 * seconds, the latency and an error text. `now` is the signing time
 * (X-Retivo-Timestamp, webhook-timestamp). Redirects are not followed;
 * every connect address is checked with url_addr_allowed() as the socket
 * opens, so a name that resolves to a refused address gets nowhere.
 * Returns 0, or -1 when curl itself could not start (res then says so).
 */
int sender_send(const struct delivery *d, size_t n, const struct sender_conf *c, int64_t now,
    struct delivery_attempt *res);

#endif
