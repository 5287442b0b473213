/*
 * delivery.h — the outbox of HTTP deliveries (table deliveries): action
 * dispatches, event broadcasts, test pings, rollbacks. Rows are enqueued
 * inside the caller's transaction and sent by the dispatch job, which
 * claims due rows under a lease, sends them in parallel, records every
 * attempt and applies lib/webhook.h's retry policy.
 *
 * The lease: a claim stamps due, unleased (or lease-expired) rows with an
 * owner token and lease_until in one UPDATE, so two job hosts never take
 * the same row; a job that dies leaves its rows to be claimed again once
 * lease_until has passed. Recording an attempt clears the lease, and only
 * applies while the row is still pending and still ours.
 */
#ifndef RETIVO_DELIVERY_H
#define RETIVO_DELIVERY_H

#include <stddef.h>
#include <stdint.h>

#include "webhook.h"

/*
 * Queues one delivery, due at `due`. kind is "action", "event", "ping",
 * "rollback", "activity" (action_id then holds the activity id) or
 * "intervention" (a webhook-channel intervention: its id in action_id,
 * the object the delivery carries out); action_id / endpoint_id
 * may be NULL; msg_id becomes the
 * webhook-id (and X-Retivo-Action-Id); secret_sealed is the crypto_seal()
 * token of the signing secret; body is the exact JSON text to send.
 * Returns 0, or -1 (logged). Runs in the caller's transaction if any.
 */
int delivery_enqueue(const char *tenant_id, const char *kind, const char *action_id,
    const char *endpoint_id, const char *msg_id, const char *url, const char *secret_sealed,
    const char *body, int64_t due, int64_t now);

/* A claimed row. */
struct delivery {
	unsigned long long id;
	char		 tenant_id[40];
	char		 kind[16];
	char		 msg_id[48];
	char		 action_id[48];		/* "" when none */
	char		 endpoint_id[48];	/* "" when none */
	char		*url;
	char		*secret_sealed;
	char		*body;
	size_t		 body_len;
	unsigned	 attempts;		/* made before this claim */
	int		 expired;		/* its action's TTL has passed: do not send */
};

/* What one attempt came to. */
struct delivery_attempt {
	long		 status;	/* HTTP status; 0 when no answer came */
	long long	 retry_after;	/* seconds from Retry-After, -1 when absent */
	long long	 latency_ms;
	char		 error[256];	/* "" on a 2xx */
};

/*
 * Writes a fresh lease owner token "host:pid:random" (at most 64 bytes)
 * into out. Returns 0 or -1.
 */
int delivery_owner(char *out, size_t outlen);

/*
 * Claims up to limit due rows (pending, next_attempt_at <= now, lease
 * absent or expired) for owner until now + lease_seconds, oldest due
 * first, and reads them back. *out is a malloc'd array of *n rows that the
 * caller frees with delivery_free(). Returns 0 (possibly *n = 0) or -1.
 */
int delivery_claim(const char *owner, int64_t now, long long lease_seconds, int limit,
    struct delivery **out, size_t *n);

void delivery_free(struct delivery *d, size_t n);

/*
 * Records one attempt of d (claimed by owner) made at now: the
 * delivery_attempts row, the verdict of webhook_judge() on the row
 * (succeeded, pending again at the next retry time, or failed; the lease
 * cleared) and, for an action, its status move (dispatched on a first
 * attempt, delivered, or failed), in one transaction. When the row is no
 * longer ours (lease lost, expired meanwhile) only the attempt is kept.
 * *verdict receives the verdict. Returns 0 or -1 (logged).
 */
int delivery_record(const char *owner, const struct delivery *d,
    const struct delivery_attempt *a, int64_t now, enum webhook_verdict *verdict);

/*
 * Tells the object a delivery carried that the delivery failed for good
 * (retries used up, or its endpoint deleted): an activity with no other
 * live delivery becomes FAILED, a sent webhook intervention failed; other
 * kinds need nothing. object_id is the delivery's action_id. Runs in the
 * caller's transaction. Returns 0 or -1.
 */
int delivery_carried_failed(const char *tenant_id, const char *kind, const char *object_id,
    unsigned long long delivery_id, int64_t now);

/*
 * Fails every pending delivery of the action with last_error reason.
 * Runs in the caller's transaction. Returns 0 or -1.
 */
int delivery_fail_action(const char *tenant_id, const char *action_id, const char *reason,
    int64_t now);

#endif
