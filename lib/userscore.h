/*
 * userscore.h — the database side of scoring: aggregates struct
 * score_input for a batch of users with a few set-based statements, runs
 * the pure scoring_compute() and lifecycle_next() on each, and writes the
 * changed users and their stage transitions back in bulk, in one short
 * transaction per batch. The scores job (jobs/scores.c) decides which
 * users to score and keeps its watermark.
 *
 * A batch is up to USERSCORE_BATCH_MAX users of one tenant. Per batch the
 * cost is five statements whatever the number of events: the batch's ids
 * into a temporary table, the users' rows with their last event, the
 * window's counts grouped by user, the milestone and signal events each
 * user has done (one probe of index events_user_name per user and
 * configured event name), and the bulk writes.
 */
#ifndef RETIVO_USERSCORE_H
#define RETIVO_USERSCORE_H

#include <stddef.h>
#include <stdint.h>

#define USERSCORE_BATCH_MAX	500
#define USERSCORE_REASON_MAX	300	/* stage_transitions.reason */

struct userscore_stats {
	long long	scanned;	/* users scored */
	long long	updated;	/* users whose scores, risk or stage changed */
	long long	transitions;	/* stage changes recorded */
	long long	credited;	/* decisions given a behaviour reward */
};

/*
 * Scores the n (1..USERSCORE_BATCH_MAX) users of tenant_id, sorted by
 * strcmp and unique, at now: events after now are ignored, the engagement
 * window ends at now. Users whose scores, risk or stage change are written
 * with scored_at = now, each stage change gets a stage_transitions row and
 * stage_changed_at = now, and each improving stage change gives the
 * user's recent decisions their behaviour reward (lib/decision.h), all in
 * one transaction (retried on a deadlock).
 * Ids the tenant does not track are skipped. Adds to st. Returns 0, or -1
 * (logged; nothing of the batch written).
 */
int userscore_batch(const char *tenant_id, const char *const *user_ids, size_t n, int64_t now,
    struct userscore_stats *st);

/* Frees the settings the last batch cached (at the end of a run). */
void userscore_done(void);

#endif
