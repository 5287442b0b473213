/*
 * customer.h — tracked users as the customers API shows them.
 *
 * Rows of table `users` are created by event ingestion (lib/event.c) and
 * scored by the scoring job; this module reads them for the API (list,
 * stats, one customer with milestone progress) and applies the few changes
 * people make to them: pause and unpause (the team), opt-out (the user,
 * through the signed unsubscribe link) and its reversal (an admin).
 */
#ifndef RETIVO_CUSTOMER_H
#define RETIVO_CUSTOMER_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

/* The lifecycle stages and risk levels, in the schema's order; NULL-terminated. */
extern const char *const customer_stages[];
extern const char *const customer_risks[];

#define CUSTOMER_USER_ID_MAX	255	/* bytes, as the event API accepts them */
#define CUSTOMER_BATCH_MAX	1000	/* user ids per pause/unpause/resubscribe */
#define CUSTOMER_MILESTONES_MAX	20	/* onboarding milestones considered */

/*
 * One page of the tenant's customers, newest first (users.seq DESC),
 * optionally only one stage and/or one risk level (NULL: any), after the
 * customer whose user_id is cursor (NULL: from the start). List items
 * leave out "traits" and "milestones". Returns a new array (caller puts)
 * with *has_more set, or NULL: *bad_cursor is then 1 when the cursor names
 * no customer of the tenant, else the error is logged.
 */
struct json_object *customer_list(const char *tenant_id, const char *stage, const char *risk,
    int limit, const char *cursor, int *has_more, int *bad_cursor);

/*
 * The tenant's counts {"total", "active", "at_risk", "churned",
 * "by_stage": {every stage}, "by_risk": {every level}, "opted_out",
 * "paused"} from one GROUP BY query. New object, or NULL (logged).
 */
struct json_object *customer_stats(const char *tenant_id);

/*
 * The full customer object (with "traits" and "milestones") of the
 * tenant's user_id. New object (caller puts), or NULL with *found = 0 when
 * there is no such customer, *found = 1 on an error (logged).
 */
struct json_object *customer_get_json(const char *tenant_id, const char *user_id, int *found);

/* 1 when the tenant tracks user_id, 0 when not, -1 on error (logged). */
int customer_exists(const char *tenant_id, const char *user_id);

/*
 * The milestone progress {"completed": [keys], "total", "progress"} of
 * settings' "onboarding_milestones" ([{"key", "name", "events": [...]}];
 * malformed entries are skipped, at most CUSTOMER_MILESTONES_MAX count). A
 * milestone is completed when has_event(arg, name) returns 1 for any of
 * its events; it returns 0 for no, -1 on error. settings may be NULL (no
 * milestones). Returns a new object, or NULL when has_event failed. Pure
 * apart from what has_event does.
 */
struct json_object *customer_milestones(struct json_object *settings,
    int (*has_event)(void *arg, const char *name), void *arg);

enum customer_change {
	CUSTOMER_PAUSE,
	CUSTOMER_UNPAUSE,
	CUSTOMER_RESUBSCRIBE,	/* clears opted_out: an admin's reversal */
	CUSTOMER_CHANGE__MAX
};

/*
 * Applies op to each of the n user ids (duplicates count once) in one
 * transaction, one static UPDATE per user, in sorted order so concurrent
 * batches lock rows alike (a deadlock is retried). *changed counts the
 * users whose state changed (already paused users are not counted again),
 * *not_found gets a new array of the ids the tenant does not track, in
 * request order. Returns 0, or -1 (logged; nothing changed).
 */
int customer_change_batch(const char *tenant_id, enum customer_change op,
    const char *const *user_ids, size_t n, int64_t now, long long *changed,
    struct json_object **not_found);

#define CUSTOMER_OPTED_OUT	0	/* the user is now opted out */
#define CUSTOMER_ALREADY	1	/* was opted out before (opted_out_at kept) */
#define CUSTOMER_UNKNOWN	2	/* the tenant tracks no such user */

/* Opts user_id out at now. Returns one of the above, or -1 (logged). */
int customer_opt_out(const char *tenant_id, const char *user_id, int64_t now);

#endif
