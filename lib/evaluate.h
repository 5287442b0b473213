/*
 * evaluate.h — matching users to playbooks and creating interventions
 * (issue 7, "Evaluation"): the work of the retivo-evaluate job, and the
 * same evaluation without writes for POST /api/interventions/dry-run.
 *
 * For one tenant and user, every active playbook (lib/playbook.h) is
 * tried in turn (oldest playbook first) and gets a verdict:
 *
 *   no_entry      the entry conditions do not hold
 *   exited        the exit conditions hold (the user already converted)
 *   no_winback    a win-back playbook, but the user has no due
 *                 winback_entries row at its constraints.winback_day_offset
 *   cooldown      an intervention of this playbook for this user was
 *                 created less than constraints.cooldown_days ago
 *   capped        constraints.frequency_cap {max, per_days}: the user
 *                 already has max interventions of ANY playbook (any status
 *                 except rejected and cancelled, control and shadow
 *                 included) created in the last per_days days — counting
 *                 the ones this same run created for them
 *   no_action     an external_action playbook whose action type is not an
 *                 active type of the tenant, or cannot be given valid
 *                 parameters
 *   matched       an intervention is (or, in a dry-run, would be) created
 *
 * A matched playbook creates one intervention: status control when the
 * user is in the playbook's holdout (stable hash, default 10%), else
 * shadow when the tenant is in shadow mode, else pending_approval when
 * constraints.approval_required, else approved; planned_at is now moved
 * out of the user's quiet hours; reasoning and confidence come from the
 * decision engine (lib/decide.h) — for the external_action channel the
 * policy also picks the action type's parameters; for email and webhook
 * a one-arm decision over the playbook's own arm (see evaluate.c); the
 * message and its quality checks from lib/message.h. Each intervention
 * and the win-back entry it takes are written in one transaction, so a
 * rerun at the same --now finds the cooldown, the cap or the taken entry
 * and creates nothing new. A message failing a quality check is created
 * flagged (flag_reason: the first failed check).
 *
 * The intervention is test_mode (the deliver job records it and sends
 * nothing) when the tenant has no live API key, or when the user is known
 * only through test keys (a test event and no live one), seed 003's "test
 * mode ... messages generated, not delivered".
 *
 * Paused and opted-out users are never evaluated (excluded in SQL; the
 * dry-run reports them as skipped).
 */
#ifndef RETIVO_EVALUATE_H
#define RETIVO_EVALUATE_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#define EVAL_MAX_PLAYBOOKS	100	/* active playbooks tried per tenant */
#define EVAL_WHY_LEN		300
#define EVAL_BATCH		500	/* users read per query, by seq */

enum eval_verdict {
	EVAL_MATCHED,
	EVAL_NO_ENTRY,
	EVAL_EXITED,
	EVAL_NO_WINBACK,
	EVAL_COOLDOWN,
	EVAL_CAPPED,
	EVAL_NO_ACTION
};

/* The snake_case name of a verdict ("matched", "no_entry", ...). */
const char *eval_verdict_name(enum eval_verdict v);

/*
 * The status a matched playbook's intervention is created in: "control"
 * for a holdout member, else "shadow" in shadow mode, else
 * "pending_approval" when approval is required, else "approved". Pure.
 */
const char *eval_created_status(int in_holdout, int shadow_mode, int approval_required);

/*
 * The confidence of an email, webhook or escalation playbook: the
 * posterior mean of Beta(1 + converted, 1 + treated - converted), with
 * converted clamped into [0, treated] and negatives read as 0 (0.5 with
 * no evidence). Pure.
 */
double eval_message_confidence(long long treated, long long converted);

/* One playbook's verdict for one user. */
struct eval_match {
	char			 playbook_id[48];
	char			 name[201];
	char			 lifecycle_area[24];
	char			 channel[24];
	enum eval_verdict	 verdict;
	char			 why[EVAL_WHY_LEN];	/* reader's sentence: the clause that failed, ... */
	/* when matched: */
	char			 status[24];	/* control, shadow, pending_approval, approved */
	int64_t			 planned_at;
	double			 confidence;
	char			 intervention_id[48];	/* "" in a dry-run */
	char			 action_type[65];	/* external_action, else "" */
	char			 parameters[1024];	/* its parameters as JSON text, else "" */
};

/* The outcome of evaluating one user. */
struct eval_report {
	int			 skipped;	/* 1: opted out or paused, nothing tried */
	char			 skip_reason[24];	/* user_opted_out, user_paused */
	int			 n;
	struct eval_match	 m[EVAL_MAX_PLAYBOOKS];
	int			 first_match;	/* index into m, -1 when none */
	char			 reasoning[600];	/* of the first match */
};

/* What a job run did, summed over tenants. */
struct eval_counts {
	long long	tenants;
	long long	users;		/* users evaluated */
	long long	created;	/* interventions created, any status */
	long long	control;
	long long	shadow;
	long long	pending;	/* pending_approval */
	long long	approved;
	long long	cooldown, capped, no_winback;	/* matched entry but held back */
	long long	errors;
};

/*
 * Evaluates every user of tenant_id who is neither opted out nor paused,
 * in batches of EVAL_BATCH by users.seq, creating interventions. Each
 * intervention is one transaction. Returns 0, or -1 on a database error
 * (logged; what was committed stays, a rerun continues safely).
 */
int evaluate_tenant(const char *tenant_id, int64_t now, struct eval_counts *k);

/*
 * Evaluates user_id of tenant_id. With dry_run nothing is written (the
 * report says what a run at now would create); otherwise interventions
 * are created as evaluate_tenant() does. Returns 0, 1 when the tenant has
 * no such user, -1 on error (logged).
 */
int evaluate_user(const char *tenant_id, const char *user_id, int64_t now, int dry_run,
    struct eval_report *rep);

/*
 * The dry-run's "rules.playbooks" array: one {"playbook_id", "name",
 * "lifecycle_area", "channel", "matched", "verdict", "why"[, "status",
 * "planned_at", "confidence"[, "action_type", "parameters"]]} per tried
 * playbook. New array (caller puts).
 */
struct json_object *evaluate_report_json(const struct eval_report *rep);

/*
 * The dry-run's "decision" object from rep, for a user who was evaluated
 * against at least one active playbook: the first match ({"action":
 * "intervene", "action_type", "parameters", "playbook_id", "channel",
 * "confidence", "reasoning", "reason": "playbook_matched", "status",
 * "planned_at"}), or a skip with reason "no_playbook_matched". NULL when
 * the user was skipped or the tenant has no active playbook (the caller
 * answers as before playbooks). New object (caller puts).
 */
struct json_object *evaluate_decision_json(const struct eval_report *rep, const char *user_id);

/*
 * A dry-run "decision" object that sends nothing: {"action": "skip",
 * "action_type", "parameters", "playbook_id" and "channel" null,
 * "confidence": 0, "reasoning", "reason"}. New object (caller puts).
 */
struct json_object *evaluate_skip_json(const char *reasoning, const char *reason);

#endif
