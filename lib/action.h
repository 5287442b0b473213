/*
 * action.h — external actions (seed 000 "Actions (Dispatch Log)"): one
 * row per action dispatched to a tenant's platform, the outcome the
 * platform reports back, and the status moves the delivery engine and the
 * expire job make.
 *
 * Statuses only move forward (SPEC.md): pending -> dispatched (first
 * attempt made) -> delivered (a 2xx came back) -> completed (an outcome
 * was reported, whatever its status), or to failed (the webhook gave up:
 * 410 or retries used up) or expired (not delivered within the type's
 * ttl_seconds). Every move is a guarded UPDATE naming the statuses it may
 * leave, so a late or concurrent writer can never move one back.
 */
#ifndef RETIVO_ACTION_H
#define RETIVO_ACTION_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#define ACTION_USER_ID_MAX	255
#define ACTION_REASONING_MAX	4000

/* NULL-terminated, in the order of the schema's ENUMs. */
extern const char *const action_statuses[];		/* pending .. expired */
extern const char *const action_outcome_statuses[];	/* completed, ignored, rejected, partial */

/* What a dispatch needs from the tenant's action type of that name. */
struct action_target {
	char	 id[48];
	char	*provider;
	char	*parameters_schema;	/* JSON text */
	char	*delivery_webhook;
	char	*secret_sealed;		/* webhook_secret_enc, passed on as stored */
	char	*estimated_cost_usd;	/* decimal text or NULL */
	long long ttl_seconds;
	int	 active;
};

/* Frees the strings of t (not t itself). */
void action_target_clear(struct action_target *t);

/*
 * Loads the tenant's action type named name into t. Returns 0, 1 when the
 * tenant has no type of that name, -1 on error (logged). On 0 the caller
 * clears t.
 */
int action_target_load(const char *tenant_id, const char *name, struct action_target *t);

/* A validated dispatch request; strings and parameters are borrowed. */
struct action_new {
	const char		*action_type;	/* the type's name */
	const char		*user_id;
	struct json_object	*parameters;	/* object */
	const char		*reasoning;	/* NULL when absent */
	int			 has_confidence;
	double			 confidence;	/* 0..1 */
	int			 test_mode;
	const char		*decision_id;	/* the decision it carries out, NULL when none */
};

/*
 * Formats a decimal for the API: at least two decimals, trailing zeros
 * beyond them dropped ("0.050000" -> "0.05", "1" -> "1.00", "0.001200"
 * -> "0.0012"). Writes into out (outlen >= 32). Pure.
 */
void action_decimal_format(const char *in, char *out, size_t outlen);

/*
 * The exact body POSTed to the type's delivery_webhook (seed 000 "Webhook
 * Dispatch Format", plus "test_mode"): confidence as a string ("0.82") or
 * null, the timestamp as ISO-8601. Returns malloc'd text the caller frees,
 * or NULL when out of memory. Pure.
 */
char *action_dispatch_body(const char *action_id, const struct action_new *a,
    const char *tenant_id, int64_t now);

/*
 * Creates the action (status pending, expiring ttl_seconds after now,
 * the type's estimated cost copied) and queues its delivery to the type's
 * webhook, due now, in one transaction; with a decision_id, links that
 * decision to the action in the same transaction (lib/decision.h). id_out
 * receives the "ea_" id. Returns 0, ACTION_CREATE_LINK_FAILED when the
 * decision could not be linked (it is not the tenant's decision for the
 * user, or was linked meanwhile; nothing stored), or -1 (logged; nothing
 * stored).
 */
#define ACTION_CREATE_LINK_FAILED	1

int action_create(const char *tenant_id, const struct action_target *t,
    const struct action_new *a, int64_t now, char id_out[48]);

/* The tenant's action as JSON (new object), NULL when absent or on error
 * (*found tells which). */
struct json_object *action_get_json(const char *tenant_id, const char *id, int *found);

/* Filters of the list; NULL / 0 = any. */
struct action_filter {
	const char	*status;
	const char	*provider;
	const char	*user_id;
	int64_t		 since;		/* created at or after; 0 = any */
	int		 has_since;
};

/*
 * Lists newest first after the id cursor. Returns a new array and
 * *has_more; NULL on error or when the cursor names no action of the
 * tenant (*bad_cursor = 1).
 */
struct json_object *action_list(const char *tenant_id, const struct action_filter *f,
    int limit, const char *cursor, int *has_more, int *bad_cursor);

#define ACTION_OUTCOME_OK		0
#define ACTION_OUTCOME_NOT_FOUND	1
#define ACTION_OUTCOME_DUPLICATE	2	/* an outcome exists: 409 */

/*
 * Records the outcome (status one of action_outcome_statuses, result JSON
 * text or NULL) and moves the action to completed, in one transaction,
 * which also records it on the decision linked to the action when that has
 * no outcome yet (decision_outcome_from_action()).
 * The outcome's primary key makes a second report — concurrent or not —
 * a duplicate. Returns ACTION_OUTCOME_*, or -1 on error (logged).
 */
int action_outcome_record(const char *tenant_id, const char *action_id, const char *status,
    const char *result, int64_t now);

/*
 * Moves an action for the delivery engine: dispatched on the first
 * attempt, delivered on a 2xx, failed when the webhook gave up. Each is a
 * guarded UPDATE (see the file comment); 0 or -1.
 */
int action_mark_dispatched(const char *tenant_id, const char *action_id, int64_t now);
int action_mark_delivered(const char *tenant_id, const char *action_id, int64_t now);
int action_mark_failed(const char *tenant_id, const char *action_id, int64_t now);

/*
 * Marks one action expired when still pending or dispatched, and fails
 * its pending deliveries with last_error "expired". Returns 1 when the
 * action moved, 0 when it had already moved on, -1 on error.
 */
int action_expire(const char *tenant_id, const char *action_id, int64_t now);

/*
 * Expires up to limit actions whose expires_at has passed (status pending
 * or dispatched), each with action_expire(). Returns how many moved, or -1.
 */
long long action_expire_due(int64_t now, int limit);

#endif
