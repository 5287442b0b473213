/*
 * webhook.h — what every outgoing delivery shares: the signatures of
 * seed 000 and of Standard Webhooks, and the retry policy. Pure: no I/O,
 * time is a parameter.
 *
 * Signatures, for a body of exact bytes B, a message id I and a send time
 * T (SPEC.md):
 *   X-Retivo-Signature: hex HMAC-SHA256(secret as shown, B)
 *   X-Retivo-Timestamp: T as ISO-8601
 *   X-Retivo-Action-Id: I
 *   webhook-id: I
 *   webhook-timestamp: T as unix seconds
 *   webhook-signature: "v1," base64 HMAC-SHA256(K, I "." T "." B), where K
 *     is base64-decode(secret without an optional "whsec_" prefix) — what
 *     the official Standard Webhooks libraries derive from the same
 *     secret string.
 *
 * Retries (seed 000): 30 s, 2 min, 10 min, 30 min, 2 h; at most 5 retries
 * (6 attempts), then failed. 2xx succeeds; 410 stops at once; a 429 or
 * 503 with Retry-After waits at least that long.
 */
#ifndef RETIVO_WEBHOOK_H
#define RETIVO_WEBHOOK_H

#include <stddef.h>
#include <stdint.h>

#define WEBHOOK_MAX_RETRIES	5

/* out: 64 hex chars + NUL. Returns 0 or -1. */
int webhook_sign_hex(const char *secret, const void *body, size_t len, char out[65]);

/* out: "v1," + base64; outlen >= 64. Returns 0, or -1 when the secret
 * does not base64-decode (after an optional whsec_ prefix). */
int webhook_sign_standard(const char *secret, const char *msg_id, int64_t ts,
    const void *body, size_t len, char *out, size_t outlen);

/* Verifies a webhook-signature header value (space-separated list of
 * "v1,<sig>" entries; any match passes). 1 valid, 0 not. For receivers
 * and tests. */
int webhook_verify_standard(const char *secret, const char *msg_id, int64_t ts,
    const void *body, size_t len, const char *header);

/* Delay before retry number n (1..5): 30, 120, 600, 1800, 7200; -1 when
 * n is outside 1..5. */
long long webhook_retry_delay(unsigned n);

enum webhook_verdict {
	WEBHOOK_DELIVERED,	/* 2xx */
	WEBHOOK_RETRY,		/* try again at *next_at */
	WEBHOOK_FAILED		/* no more attempts: 410, or retries used up */
};

/*
 * Judges one attempt. status is the HTTP status (0 when no answer came:
 * timeout, refused, DNS). attempts is the number of attempts made so far,
 * this one included (1 after the first). retry_after is the Retry-After
 * in seconds (-1 when absent); it is honoured for 429 and 503 when longer
 * than the schedule's delay.
 */
enum webhook_verdict webhook_judge(long status, unsigned attempts, long long retry_after,
    int64_t now, int64_t *next_at);

/* Parses a Retry-After value (delta seconds, or an HTTP-date) into
 * seconds from now; -1 when absent or malformed. */
long long webhook_parse_retry_after(const char *value, int64_t now);

#endif
