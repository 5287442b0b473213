/*
 * endpoint.h — webhook endpoints (SPEC.md /api/webhooks/endpoints): the
 * tenant's subscriptions to pushed custom events, each with its own
 * signing secret ("whsec_" + base64 of 32 random bytes, the Standard
 * Webhooks form), stored sealed under the master key and shown only once.
 *
 * An endpoint subscribes to a list of patterns: an exact custom event type
 * ("custom.reward.redeemed"), a prefix wildcard ("custom.reward.*" — every
 * type below custom.reward), or "*" for every custom event. Product events
 * are never broadcast. Besides custom events, Retivo's own
 * "intervention.delivered" (the webhook channel of interventions, sent by
 * the deliver job to endpoints subscribed to it, "intervention.*" or "*")
 * is a valid pattern.
 *
 * An endpoint whose deliveries keep failing is disabled automatically once
 * ENDPOINT_DISABLE_AFTER seconds pass since its first failure without a
 * success in between (endpoint_record_attempt(), called by the dispatch
 * job after every attempt); the tenant re-enables it with active=true.
 */
#ifndef RETIVO_ENDPOINT_H
#define RETIVO_ENDPOINT_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#define ENDPOINT_MAX_EVENTS	100		/* patterns per endpoint */
#define ENDPOINT_PATTERN_MAX	200		/* as an event type (EVENT_NAME_MAX) */
#define ENDPOINT_SECRET_SIZE	51		/* "whsec_" + 44 base64 chars + NUL */
#define ENDPOINT_DISABLE_AFTER	(5 * 86400)	/* failing this long: disabled */
#define ENDPOINT_DISABLED_REASON "failing for 5 days without a success"

/* 1 when p is "*", a custom event type, or a custom type followed by ".*"
 * ("custom.*" included), or "intervention.delivered" / "intervention.*".
 * Pure. */
int endpoint_pattern_valid(const char *p);

/* 1 when the custom event type matches pattern p (see the file comment). Pure. */
int endpoint_pattern_matches(const char *p, const char *type);

/* 1 when any pattern of the JSON array (parsed subscribed_events) matches. Pure. */
int endpoint_subscribed(struct json_object *patterns, const char *type);

/* Writes a fresh "whsec_<base64>" secret into out. Returns 0 or -1. */
int endpoint_secret_new(char out[ENDPOINT_SECRET_SIZE]);

/* What a create sets, or an update changes (NULL / -1 / 0 flags: unchanged). */
struct endpoint_input {
	const char	*url;
	const char	*description;		/* may be NULL with set_description */
	int		 set_description;
	const char	*subscribed_events;	/* JSON array text */
	int		 active;		/* 1, 0, or -1 */
};

/* Inserts a new endpoint (id "wh_…" written to id_out) with the sealed
 * secret. Returns 0 or -1 (logged). */
int endpoint_insert(const char *tenant_id, const struct endpoint_input *in,
    const char *secret_sealed, int64_t now, char id_out[48]);

/*
 * Applies the given fields. active=1 on an inactive endpoint also clears
 * disabled_reason and failing_since (a re-enable starts a clean slate).
 * Returns 0, 1 when the tenant has no such endpoint, -1 on error.
 */
int endpoint_update(const char *tenant_id, const char *id, const struct endpoint_input *in,
    int64_t now);

/* The endpoint as JSON (new object, never the secret); NULL when absent
 * or on error (*found tells which). */
struct json_object *endpoint_get_json(const char *tenant_id, const char *id, int *found);

/* Newest first after the id cursor: a new array and *has_more, NULL on error. */
struct json_object *endpoint_list(const char *tenant_id, int limit, const char *cursor,
    int *has_more);

/*
 * Deletes the endpoint and, in the same transaction, fails its pending
 * deliveries (last_error "endpoint deleted"; *cancelled says how many),
 * moving what they carried as a final delivery failure would: an
 * activity with no other live delivery becomes FAILED, a sent webhook
 * intervention failed.
 * A delivery a dispatcher already holds under lease may still be sent
 * once. Returns 0, 1 not found, -1 on error.
 */
int endpoint_delete(const char *tenant_id, const char *id, int64_t now, long long *cancelled);

/*
 * Queues a signed {"type": "webhook.ping", ...} delivery to the endpoint,
 * due now, whether or not it is active (so a tenant can test a fix before
 * re-enabling). *delivery receives a new object describing the queued
 * delivery. Returns 0, 1 not found, -1 on error.
 */
int endpoint_ping(const char *tenant_id, const char *id, int test_mode, int64_t now,
    struct json_object **delivery);

/*
 * Records the outcome of one delivery attempt to the endpoint (called by
 * the dispatch job; unknown ids, e.g. a deleted endpoint, are ignored).
 * A success sets last_success_at and clears failing_since; a failure sets
 * failing_since if unset and, when it is ENDPOINT_DISABLE_AFTER or more
 * before now, disables the endpoint with ENDPOINT_DISABLED_REASON. Errors
 * are logged: the attempt itself is recorded elsewhere.
 */
void endpoint_record_attempt(const char *endpoint_id, int success, int64_t now);

#endif
