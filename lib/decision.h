/*
 * decision.h — the database side of the decision engine (issue 6): what
 * the policy (lib/decide.h, pure) needs read from the users, action_types,
 * decision_arms and decision_pool tables, the decision log, and the
 * learning writes an outcome or a behaviour reward makes.
 *
 * The recommend path is three round trips: one SELECT of the user's
 * context (with the previous stage and the tenant's partner in
 * subqueries), one SELECT of the tenant's action types joined with their
 * arms and the partner pool for the user's bucket, and one INSERT of the
 * decision. Arms are only ever written when a reward arrives: an outcome
 * adds to the arm's succ/fail (decide_stats_add), its param_stats
 * (decide_param_stats_add) and, for a partner's customer, the partner
 * pool, in the transaction that records the outcome. A customer's pooled
 * prior is the pool minus its own arm, so no other tenant's row or id is
 * ever read.
 */
#ifndef RETIVO_DECISION_H
#define RETIVO_DECISION_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "decide.h"

#define DECISION_USER_ID_MAX		255
#define DECISION_CONTEXT_MAX		8192	/* context object, serialized */
#define DECISION_CREDIT_DAYS		14	/* behaviour reward window */
#define DECISION_PROPENSITY_MIN		1e-9	/* a logged propensity is never 0 */

/* The user's row as the policy sees it. du.u points into the strings. */
struct decision_user {
	struct decide_user	 u;
	char			 stage[16], risk[8], prev_stage[16];
	char			 partner[40];	/* the tenant's parent_tenant_id, "" when none */
	int			 opted_out, paused;
};

/*
 * Loads user_id of tenant_id into du. Returns 0, 1 when the tenant has no
 * such user, -1 on error (logged).
 */
int decision_user_load(const char *tenant_id, const char *user_id, struct decision_user *du);

/* Days since the user's last activity (floor), -1 when never active. Pure. */
long long decision_days_idle(const struct decide_user *u, int64_t now);

/* One of the tenant's action types with its learning state for a bucket. */
struct decision_cand {
	char			 name[65];
	char			*domain;	/* NULL when the type has none */
	int			 active;
	struct json_object	*schema;	/* parsed parameters_schema, NULL if it does not
						 * parse; set by decision_cand_ready() */
	struct decide_stats	 own, pooled;
	long long		 outcomes;	/* own arm's n */
	struct json_object	*param_stats;	/* NULL when none; set by decision_cand_ready() */
	char			*schema_text;	/* as stored, parsed only when the type is used */
	char			*param_stats_text;
	int			 parsed;
};

struct decision_cands {
	struct decision_cand	*c;
	int			 n;
};

/*
 * Loads every action type of tenant_id (list order) with its arm in
 * bucket and, when partner is not empty, the pool minus the own arm.
 * Returns 0 or -1 (logged). Free with decision_cands_free().
 */
int decision_cands_load(const char *tenant_id, const char *partner, const char *bucket,
    struct decision_cands *out);

/*
 * Parses c's parameters_schema and param_stats the first time c is used,
 * so a request pays for the types it offers, not for every type of the
 * tenant. Returns 1 when the schema is usable (c->schema set), 0 when the
 * stored schema does not parse (logged; the type cannot be recommended).
 */
int decision_cand_ready(struct decision_cand *c, const char *tenant_id);
void decision_cands_free(struct decision_cands *cs);

/* The index of the candidate named name, -1 when none. */
int decision_cands_find(const struct decision_cands *cs, const char *name);

/* A decision to log; strings borrowed, JSON as text. */
struct decision_new {
	const char	*user_id;
	const char	*domain;	/* NULL when absent */
	const char	*bucket;
	const char	*action;
	const char	*parameters;
	const char	*reasoning;
	const char	*candidates;
	const char	*context;	/* NULL when absent */
	double		 confidence, propensity;
	int		 explored;
};

/* Inserts the decision; id_out gets its "dec_" id. 0 or -1 (logged). */
int decision_insert(const char *tenant_id, const struct decision_new *d, int64_t now,
    char id_out[48]);

/* The tenant's decision as the API object (new), NULL when absent or on
 * error (*found tells which). */
struct json_object *decision_get_json(const char *tenant_id, const char *id, int *found);

/* Filters of the list; NULL / 0 = any. */
struct decision_filter {
	const char	*user_id;
	const char	*action;
	int64_t		 since;
	int		 has_since;
	int		 has_outcome;	/* -1 any, 0 without, 1 with */
};

/* Lists newest first after the id cursor; as action_list(). */
struct json_object *decision_list(const char *tenant_id, const struct decision_filter *f,
    int limit, const char *cursor, int *has_more, int *bad_cursor);

#define DECISION_OUTCOME_OK		0
#define DECISION_OUTCOME_NOT_FOUND	1
#define DECISION_OUTCOME_DUPLICATE	2

/*
 * Records the outcome of decision id (status completed, partial, ignored
 * or rejected; result JSON text or NULL) and feeds it to the arm, its
 * param_stats and the partner pool, in one transaction (retried on a
 * deadlock). *reward gets the outcome's reward. Returns DECISION_OUTCOME_*
 * or -1 (logged).
 */
int decision_outcome_record(const char *tenant_id, const char *id, const char *status,
    const char *result, int64_t now, double *reward);

/*
 * The action hook, run inside the caller's transaction: when a decision of
 * the tenant is linked to action_id and has no outcome yet, records the
 * action's outcome on it as decision_outcome_record() does. 0 (also when
 * there is none) or -1.
 */
int decision_outcome_from_action(const char *tenant_id, const char *action_id,
    const char *status, const char *result, int64_t now);

#define DECISION_LINK_OK		0
#define DECISION_LINK_NOT_FOUND		1	/* not the tenant's decision for that user */
#define DECISION_LINK_TAKEN		2	/* already linked to another action */

/*
 * Checks that decision_id is the tenant's decision for user_id and not yet
 * linked (outside a transaction, for the error message). Returns
 * DECISION_LINK_* or -1.
 */
int decision_link_check(const char *tenant_id, const char *decision_id, const char *user_id);

/*
 * Links the decision to action_id, inside the caller's transaction,
 * guarded as decision_link_check() checks. Returns DECISION_LINK_* or -1.
 */
int decision_link(const char *tenant_id, const char *decision_id, const char *user_id,
    const char *action_id);

/* 1 when a move from stage `from` to `to` is an improvement that earns a
 * behaviour reward (at_risk→active, churned→recovered, onboarding→active,
 * new→onboarding). Pure. */
int decision_stage_improved(const char *from, const char *to);

/*
 * The behaviour credit, inside the caller's transaction (the scores job's
 * batch write): every decision of the user created in the
 * DECISION_CREDIT_DAYS before now whose behaviour_reward is NULL gets 1,
 * and its arm (and the partner pool) a reward of 1. Returns how many
 * decisions were credited, or -1.
 */
long long decision_behaviour_credit(const char *tenant_id, const char *user_id, int64_t now);

#endif
