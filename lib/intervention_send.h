/*
 * intervention_send.h — the deliver job's side of interventions: claiming
 * due approved rows under a lease, and the moves a send makes (sending ->
 * sent | delivered | approved again for a retry | failed), each a guarded
 * UPDATE plus an intervention_history row (lib/intervention.h) in one
 * transaction. Also the hooks by which the dispatch engine reports a
 * webhook or external-action hand-off as delivered (lib/delivery.c).
 *
 * Never sent twice. A row is sent only from status sending while
 * lease_owner is ours. Just before the network send, isend_begin()
 * commits send_started_at; the move after it clears the lease. A job
 * that dies leaves the row in sending; isend_recover() later returns rows
 * whose send never started to approved, and fails those whose send had
 * started ("interrupted: outcome unknown") instead of sending again: the
 * one window is a crash between the SMTP server's acceptance and the
 * UPDATE after it, and it resolves to "not sent twice" (the user may have
 * got the email although the row says failed).
 *
 * Retries (isend_backoff): 1 min, 5 min, 30 min, 2 h after the 1st..4th
 * failed attempt; the 5th failure is final.
 */
#ifndef RETIVO_INTERVENTION_SEND_H
#define RETIVO_INTERVENTION_SEND_H

#include <stddef.h>
#include <stdint.h>

#define ISEND_MAX_ATTEMPTS	5

/* A claimed intervention (strings malloc'd; isend_free()). */
struct isend {
	char		 id[48];
	char		 tenant_id[40];
	char		 user_id[256];
	char		 playbook_id[48];	/* "" when none */
	char		 channel[20];
	char		 action_type[72];	/* "" when none */
	char		 decision_id[48];	/* "" when none */
	char		*subject;		/* "" when none */
	char		*body;
	char		*html;			/* NULL when none */
	char		*parameters;		/* JSON text or NULL */
	char		*reasoning;		/* NULL when none */
	int		 has_confidence;
	double		 confidence;
	int		 test_mode;
	int		 shadow;
	unsigned	 attempts;		/* made before this claim */
};

/*
 * Seconds to wait after the attempts-th failed attempt (1-based), or -1
 * when that was the last one. Pure.
 */
long long isend_backoff(unsigned attempts);

/*
 * Rows left in sending by a job that died (lease expired): back to
 * approved when their send never started, to failed when it had. Returns
 * how many rows moved, or -1.
 */
long long isend_recover(int64_t now);

/*
 * Claims up to limit due rows (approved, planned_at and next_attempt_at
 * <= now, lease free, tenant's kill switch off) for owner until now +
 * lease_seconds: approved -> sending, with history rows; reads them back
 * into a malloc'd array (*out, *n; isend_free()). Returns 0 or -1.
 */
int isend_claim(const char *owner, int64_t now, long long lease_seconds, int limit,
    struct isend **out, size_t *n);

void isend_free(struct isend *v, size_t n);

/* Commits send_started_at for a row still ours. 0, 1 when no longer ours, -1. */
int isend_begin(const struct isend *v, const char *owner, int64_t now);

/*
 * Gives the row back unsent: sending -> approved, no attempt counted,
 * lease cleared, history reason (e.g. "kill_switch"). With cancel_reason,
 * then approved -> cancelled in the same transaction (user opted out or
 * paused). 0, 1 when no longer ours, -1.
 */
int isend_release(const struct isend *v, const char *owner, const char *reason,
    const char *cancel_reason, int64_t now);

/*
 * The send is done: sending -> to ("sent" at hand-off, "delivered" when
 * the channel accepted it: sent_at and, for delivered, delivered_at =
 * now), attempts + 1, external_ref (may be NULL), last_error = note (NULL,
 * or "test_mode" / "shadow" when nothing was sent on purpose), lease
 * cleared. 0, 1 when no longer ours, -1.
 */
int isend_done(const struct isend *v, const char *owner, const char *to,
    const char *external_ref, const char *note, int64_t now);

/* The same inside the caller's transaction (which it neither opens nor
 * ends; on 1 or -1 the caller rolls back). */
int isend_done_in(const struct isend *v, const char *owner, const char *to,
    const char *external_ref, const char *note, int64_t now);

/*
 * The attempt failed with error: retry (sending -> approved,
 * next_attempt_at = now + backoff) or, with permanent set or the attempts
 * used up, fail (sending -> failed, failed_at). *final tells which (may
 * be NULL). 0, 1 when no longer ours, -1.
 */
int isend_failed(const struct isend *v, const char *owner, const char *error, int permanent,
    int64_t now, int *final);

/*
 * The dispatch engine's report (inside its transaction, lib/delivery.c):
 * the delivery carrying the tenant's intervention (kind "intervention",
 * its id in the delivery's action_id column) or the external action
 * action_id (an intervention's external_ref) succeeded — sent ->
 * delivered — or finally failed — sent -> failed (a webhook: only once
 * no other delivery of it is pending or succeeded). Guarded: a no-op when the
 * intervention has moved on. delivery_id is the reporting delivery
 * (still pending while it reports). 0 or -1.
 */
int isend_delivery_succeeded(const char *tenant_id, const char *intervention_id, int64_t now);
int isend_delivery_failed(const char *tenant_id, const char *intervention_id,
    unsigned long long delivery_id, int64_t now);
int isend_action_delivered(const char *tenant_id, const char *action_id, int64_t now);
int isend_action_failed(const char *tenant_id, const char *action_id, int64_t now);

#endif
