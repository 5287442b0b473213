/*
 * broadcast.h — seed 000's "broadcast to webhook subscribers": the events
 * of each accepted batch wait in event_outbox (written in the batch's own
 * transaction, lib/event.c); the dispatch job drains that outbox at the
 * start of every run, turning each custom event into one delivery per
 * active endpoint subscribed to its type (lib/endpoint.h). The deliveries
 * then go out through the one delivery outbox, with its retries and
 * signatures (lib/delivery.h).
 */
#ifndef RETIVO_BROADCAST_H
#define RETIVO_BROADCAST_H

#include <stdint.h>

/*
 * Claims up to `limit` outbox rows (oldest first; rows another job host
 * holds are skipped, not waited for), queues a delivery due at `now` for
 * every (custom event, subscribed active endpoint) pair, and deletes the
 * rows — all in one transaction, so a job killed half-way leaves the rows
 * for the next run and no delivery behind. Product events, and batches of
 * tenants without a subscribed endpoint, are dropped from the outbox
 * without a delivery. Returns the number of deliveries queued, or -1
 * (logged; nothing changed).
 *
 * Each delivery's body is {"type", "event_id", "user_id", "data",
 * "timestamp" (when the event occurred), "tenant_id", "test_mode"}; its
 * webhook-id is "msg_<event id hex>_<endpoint seq hex>", the same for
 * every attempt, so a receiver can drop duplicates.
 */
int broadcast_drain(int64_t now, int limit);

#endif
