/*
 * activity.h — activities (seed 004): a TASK or MESSAGE for a commerce,
 * with idempotent creation, target and attribute resolution
 * (lib/resolve.h), the lifecycle and the dispatch to the tenant's provider
 * through the delivery outbox (lib/delivery.h).
 *
 * Status: READY -> DISPATCHED -> COMPLETED | FAILED; READY <-> UNRESOLVED
 * while targets, attributes or the provider cannot be resolved (the
 * reasons are listed); CANCELED from READY or UNRESOLVED. A result
 * (completed, transferred -> COMPLETED; not_executed -> FAILED; canceled
 * -> CANCELED) is accepted once, on a DISPATCHED activity (completed and
 * transferred also stamp the targets' last_contacted_at on the channel in
 * the commerce's contacts); a delivery
 * that finally fails with no other delivery of the activity pending or
 * succeeded makes it FAILED.
 *
 * As JSON (camelCase, as the seed): {"id", "type", "channel", "status",
 * "idempotencyKey", "scheduledAt", "commerceAssignment": {"commerceId"},
 * "targets", "attributes", "unresolved"? (only while there are reasons),
 * and in the full view also "reason", "suggestedExecutionTime",
 * "userStatus", "score", "assignmentReason", "targetCriteria",
 * "attributeKeys", "result", "resultNotes", "createdAt", "updatedAt",
 * "dispatchedAt", "finishedAt"}. Times are ISO-8601 UTC with
 * milliseconds ("2025-01-16T09:00:00.000Z"), as the seed writes them.
 */
#ifndef RETIVO_ACTIVITY_H
#define RETIVO_ACTIVITY_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#define ACTIVITY_OK		0
#define ACTIVITY_NOT_FOUND	1	/* the activity, or on create the commerce */
#define ACTIVITY_DUPLICATE	2	/* idempotency_key taken */
#define ACTIVITY_BAD_STATUS	3	/* the move is not allowed from its status */

#define ACTIVITY_RETRY_SECONDS	300	/* an UNRESOLVED activity is retried this often */

extern const char *const activity_types[];	/* TASK, MESSAGE */
extern const char *const activity_statuses[];
extern const char *const activity_results[];	/* completed, not_executed, ... */

struct activity_input {
	const char		*type;
	const char		*channel;
	const char		*reason;
	const char		*commerce_id;
	const char		*idempotency_key;
	int64_t			 scheduled_at;
	int64_t			 suggested_at;
	int			 has_suggested;
	const char		*user_status;		/* may be NULL */
	long long		 score;
	int			 has_score;
	const char		*assignment_reason;	/* may be NULL */
	struct json_object	*criteria;		/* target_criteria, or NULL */
	struct json_object	*keys;			/* attribute_keys, or NULL */
	struct json_object	*caller;		/* attributes, or NULL */
};

/*
 * Creates an activity (new UUID) for a commerce of the tenant, resolving
 * what its time says now (creation-time targets, upfront attributes): it
 * is READY, or UNRESOLVED with reasons. *out receives the create view
 * (new object). ACTIVITY_OK, _NOT_FOUND (no such commerce), _DUPLICATE,
 * or -1 (logged).
 */
int activity_create(const char *tenant_id, const struct activity_input *in, int64_t now,
    struct json_object **out);

/* The full view (new), or NULL when absent or on error (*found). */
struct json_object *activity_get_json(const char *tenant_id, const char *id, int *found);

struct activity_filter {
	const char	*status, *type, *channel, *commerce_id;
	int64_t		 from, to;
	int		 has_from, has_to;
};

/* Newest first after the id cursor: a new array, NULL on error or an
 * unknown cursor (*bad_cursor). */
struct json_object *activity_list(const char *tenant_id, const struct activity_filter *f,
    int limit, const char *cursor, int *has_more, int *bad_cursor);

/* READY/UNRESOLVED -> CANCELED. ACTIVITY_OK, _NOT_FOUND, _BAD_STATUS, -1. */
int activity_cancel(const char *tenant_id, const char *id, int64_t now);

/* Records the provider's result on a DISPATCHED activity (result is one of
 * activity_results; notes may be NULL). ACTIVITY_OK, _NOT_FOUND,
 * _BAD_STATUS (not dispatched, or a result came already), -1. */
int activity_report(const char *tenant_id, const char *id, const char *result,
    const char *notes, int64_t now);

/* The tenant's activity settings, defaults filled (new), or NULL. */
struct json_object *activity_settings_load(const char *tenant_id);

/* Stores the (validated) settings. 0 or -1. */
int activity_settings_save(const char *tenant_id, struct json_object *settings, int64_t now);

/*
 * Claims up to limit activities (READY with scheduled_at <= now, and
 * UNRESOLVED ones not retried for ACTIVITY_RETRY_SECONDS) for owner until now +
 * lease seconds, in one guarded UPDATE so two job hosts never take the
 * same row. Returns how many, or -1.
 */
long long activity_claim(const char *owner, int64_t now, long long lease, int limit);

struct activity_dispatch_counts {
	long long	dispatched, ready, unresolved, deliveries, skipped, errors;
};

/*
 * Dispatches every activity claimed by owner: resolves dispatch-time
 * targets and attributes and the provider endpoints; then, in one
 * transaction per activity, queues one signed "activity.dispatched"
 * delivery per endpoint and moves it to DISPATCHED — or to UNRESOLVED
 * with the reasons. An UNRESOLVED activity not yet due is resolved as at
 * creation and, when that succeeds, goes back to READY. A row no longer ours or no longer READY/UNRESOLVED
 * (canceled meanwhile) is skipped. Returns 0 or -1.
 */
int activity_dispatch_claimed(const char *owner, int64_t now,
    struct activity_dispatch_counts *k);

/*
 * Called by lib/delivery.c, inside its recording transaction, when the
 * delivery delivery_id of an activity has finally failed: the activity
 * becomes FAILED unless another of its deliveries is pending or
 * succeeded. 0 or -1.
 */
int activity_delivery_failed(const char *tenant_id, const char *activity_id,
    unsigned long long delivery_id, int64_t now);

#endif
