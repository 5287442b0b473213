/*
 * intervention.h — interventions (seed 001): one message or action planned
 * for one user, by a playbook (the evaluate job), by hand (POST
 * /api/interventions) or by a win-back step, and its way through approval
 * and delivery.
 *
 * The state machine is explicit and pure: intervention_transition() maps
 * (current status, verb) to the next status or refuses. Every stored move
 * is a guarded UPDATE naming the status it leaves (so a concurrent writer
 * can never move a row twice or backwards) plus an intervention_history
 * row, in one transaction.
 *
 *   created as: pending_approval | approved (no approval needed) |
 *               shadow (shadow mode, terminal) | control (holdout, terminal)
 *   approve  : pending_approval, paused         -> approved
 *   pause    : pending_approval, approved       -> paused
 *   reject   : pending_approval, approved, paused -> rejected
 *   cancel   : pending_approval, approved, paused -> cancelled (system:
 *              the user opted out or was paused before sending)
 *   rollback : delivered                        -> rolled_back
 *   --- the deliver job (dl) ---
 *   claim    : approved                         -> sending
 *   retry    : sending                          -> approved (next_attempt_at later)
 *   sent     : sending                          -> sent
 *   deliver  : sending, sent                    -> delivered
 *   fail     : sending, sent                    -> failed
 * Flagging is not a move: any intervention may be flagged.
 *
 * The deliver job's claim-under-lease and mark functions live with the
 * deliver engineer (lib/intervention_send.c and its header); they use
 * intervention_transition() for the rules and intervention_history_add()
 * for the history row of each move.
 */
#ifndef RETIVO_INTERVENTION_H
#define RETIVO_INTERVENTION_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#define INTERVENTION_USER_ID_MAX	255
#define INTERVENTION_REASON_MAX		2000
#define INTERVENTION_STATUS_MAX		24	/* longest status + NUL fits */

/* NULL-terminated, in the order of the schema's ENUMs. */
extern const char *const intervention_statuses[];	/* pending_approval .. cancelled */
extern const char *const intervention_channels[];	/* email, webhook, external_action, escalation */
extern const char *const intervention_sources[];	/* playbook, manual, winback */
extern const char *const intervention_verbs[];		/* approve .. fail */

/* intervention_transition() refusals. */
#define INTERVENTION_BAD_VERB		(-1)	/* not a verb at all */
#define INTERVENTION_BAD_STATUS		(-2)	/* from is not a status */
#define INTERVENTION_NOT_ALLOWED	(-3)	/* legal words, illegal move */

/*
 * The state machine (file comment): for status `from` and `verb`, writes
 * the next status (a static string) into *to and returns 0, or returns one
 * of the refusals above with *to untouched. Pure.
 */
int intervention_transition(const char *from, const char *verb, const char **to);

/* 1 when s is one of the list's words (NULL-terminated list). Pure. */
int intervention_word_in(const char *const *list, const char *s);

/* A new intervention; every pointer borrowed, NULL = SQL NULL / absent. */
struct intervention_new {
	const char	*tenant_id;
	const char	*user_id;
	const char	*playbook_id;
	const char	*status;	/* pending_approval, approved, shadow or control */
	const char	*channel;	/* intervention_channels */
	const char	*source;	/* intervention_sources */
	const char	*subject;
	const char	*message_body;	/* NULL stored as "" */
	const char	*message_html;
	const char	*action_type;	/* external_action: the action type's name */
	const char	*parameters;	/* JSON text (object) or NULL */
	const char	*reasoning;
	int		 has_confidence;
	double		 confidence;	/* 0..1 */
	const char	*decision_id;
	const char	*quality_checks;	/* JSON text (array) or NULL */
	int		 test_mode;	/* test key or test-mode tenant: never reaches a user */
	int		 shadow;	/* created in shadow mode */
	int		 holdout;	/* control group member */
	const long long	*winback_offset;	/* days, NULL when not a win-back step */
	int64_t		 planned_at;	/* 0 = now */
	const char	*flag_reason;	/* not NULL: created flagged (a failed quality check) */
	const char	*actor;		/* history: "evaluate", "key:…", "member:…" */
};

/*
 * Stores the intervention (id "int_…" into id_out) and its first history
 * row (from NULL to its status). Opens NO transaction of its own: the
 * evaluate job calls it inside its transaction; a caller outside one wraps
 * it in db_begin()/db_commit() itself. Returns 0, or -1 (logged). Does not
 * validate n beyond what the schema enforces: callers validate.
 */
int intervention_create(const struct intervention_new *n, int64_t now, char id_out[48]);

/*
 * Whether the tenant has user_id and whether they opted out or are paused
 * (neither may receive a manual intervention). Returns 0, 1 when there
 * is no such user, -1 on error (logged).
 */
int intervention_user_state(const char *tenant_id, const char *user_id, int *opted_out,
    int *paused);

/*
 * 1 when what is created for the user must never reach them although the
 * request came with a live key — the rule of the evaluate job: the tenant
 * has no live key (a test-mode tenant), or the user is known only through
 * test keys (a test event and no live one). 0, or -1 on error (logged).
 */
int intervention_test_data(const char *tenant_id, const char *user_id);

/*
 * Appends one intervention_history row. from may be NULL (creation).
 * Runs in the caller's transaction if any. Returns 0 or -1 (logged).
 */
int intervention_history_add(const char *intervention_id, const char *from,
    const char *to, const char *actor, const char *reason, int64_t now);

/* The tenant's intervention as JSON (a new object, seed 001 fields plus
 * id, subject, source, test_mode, shadow, holdout, created_at, ...), or
 * NULL when absent or on error (*found tells which). */
struct json_object *intervention_get_json(const char *tenant_id, const char *id, int *found);

/* Filters of the list; NULL = any. */
struct intervention_filter {
	const char	*status;
	const char	*user_id;
	const char	*playbook_id;
	const char	*channel;
	int		 flagged;	/* -1 any, 0, 1 */
	int64_t		 since;		/* created at or after */
	int		 has_since;
};

/*
 * Lists newest first after the id cursor. Returns a new array and
 * *has_more; NULL on error or when the cursor names no intervention of
 * the tenant (*bad_cursor = 1).
 */
struct json_object *intervention_list(const char *tenant_id, const struct intervention_filter *f,
    int limit, const char *cursor, int *has_more, int *bad_cursor);

/* intervention_apply() results besides -1. */
#define INTERVENTION_OK			0
#define INTERVENTION_NOT_FOUND		1
#define INTERVENTION_INVALID		2	/* illegal move: current status in *current */

/*
 * Applies a user-facing verb (approve, pause, reject, cancel, rollback)
 * to the tenant's intervention in one transaction: reads the current
 * status (FOR UPDATE), asks intervention_transition(), moves it with a
 * guarded UPDATE (setting approved_at on approve, reject_reason on
 * reject, rollback_reason on rollback), adds the history row and, for the
 * rollback of an external_action, queues a signed "rollback" dispatch to
 * the action type's delivery_webhook (lib/delivery.h). current receives
 * the status before the move (also on INTERVENTION_INVALID), new_status
 * the status after it (either may be NULL). Returns INTERVENTION_*, or -1
 * (logged, nothing applied).
 */
int intervention_apply(const char *tenant_id, const char *id, const char *verb,
    const char *reason, const char *actor, int64_t now,
    char current[INTERVENTION_STATUS_MAX], char new_status[INTERVENTION_STATUS_MAX]);

/*
 * Flags the tenant's intervention with reason (a history-free field
 * update: flagged = 1, flag_reason). Returns INTERVENTION_OK,
 * INTERVENTION_NOT_FOUND or -1.
 */
int intervention_flag(const char *tenant_id, const char *id, const char *reason, int64_t now);

/*
 * The body of the rollback dispatch sent to an action type's webhook:
 * {"type": "rollback", "intervention_id", "action_id" (the external_ref,
 * or null), "action_type", "user_id", "reason" (or null), "timestamp"}.
 * Returns malloc'd text or NULL. Pure.
 */
char *intervention_rollback_body(const char *intervention_id, const char *action_id,
    const char *action_type, const char *user_id, const char *reason, int64_t now);

#endif
