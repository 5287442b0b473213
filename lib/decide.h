/*
 * decide.h — the decision policy, pure: no I/O, no clock, no global
 * state. Given a user's context and, per candidate action, the reward
 * mass seen so far in the user's context bucket, it picks an action by
 * Thompson sampling on Beta posteriors, picks its parameters from the
 * action type's parameters_schema, estimates the probability it gave the
 * chosen action (for offline evaluation of the decision log), and writes
 * the reasoning sentence from the facts that drove the choice.
 *
 * Randomness comes only from a caller-seeded generator, so every function
 * here is deterministic for a seed (the unit tests rely on it; the server
 * seeds from the OS per request).
 *
 * Rewards (doc/decisions.md): an outcome "completed" is 1, "partial" 0.5,
 * "ignored" 0, "rejected" a penalty of -0.5; the user's stage improving
 * within the credit window after a decision adds a behaviour reward of 1.
 * A reward r in [0, 1] adds r to succ and 1 - r to fail; the penalty adds
 * 1.5 to fail.
 */
#ifndef RETIVO_DECIDE_H
#define RETIVO_DECIDE_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#define DECIDE_MAX_ARMS		32	/* available_actions cap */
#define DECIDE_BUCKET_LEN	64
#define DECIDE_REASONING_LEN	600
#define DECIDE_PRIOR_CAP	20.0	/* pooled partner prior counts as at most this many outcomes */
#define DECIDE_PBEST_GRID	128	/* quadrature intervals per arm for each arm's choice probability */
#define DECIDE_REJECT_PENALTY	0.5

/* xoshiro256** — small, fast, good enough for sampling. */
struct decide_rng {
	uint64_t s[4];
};

void decide_rng_seed(struct decide_rng *g, uint64_t seed);
/* Uniform in [0, 1). */
double decide_rng_uniform(struct decide_rng *g);
/* One draw from Beta(a, b), a > 0, b > 0 (two Gamma draws, Marsaglia-Tsang). */
double decide_beta_sample(struct decide_rng *g, double a, double b);

/* What the policy knows about the user (from the users row). Strings are
 * borrowed; times are unix seconds, 0 when unknown. */
struct decide_user {
	const char	*stage;		/* new, onboarding, active, at_risk, churned, recovered */
	const char	*risk;		/* low, medium, high */
	double		 activation, engagement, expansion;	/* 0..1 */
	int		 has_engagement_prev;
	double		 engagement_prev;	/* the engagement score before the last scoring */
	int64_t		 last_activity_at;
	int64_t		 stage_changed_at;
	const char	*prev_stage;	/* stage before the current one, NULL if none */
};

/*
 * The context bucket a user falls in: stage × risk × engagement band
 * (low < 0.3 ≤ mid < 0.6 ≤ high), e.g. "at_risk/high/eng_low". Learning is
 * per tenant, bucket and action. Writes a NUL-terminated key into out.
 */
void decide_bucket(const struct decide_user *u, char out[DECIDE_BUCKET_LEN]);

/* A reader's phrase for a bucket key ("at-risk users with low engagement
 * and high risk") into out. */
void decide_bucket_label(const char *bucket, char *out, size_t len);

/* Reward mass: succ + fail is the number of outcomes (behaviour rewards
 * included) that fed it, weighted. */
struct decide_stats {
	double succ, fail;
};

/* Maps an outcome status to its reward; 0, or -1 for an unknown status. */
int decide_reward(const char *outcome_status, double *reward);

/* Adds one reward (in [-DECIDE_REJECT_PENALTY, 1]) to stats. */
void decide_stats_add(struct decide_stats *st, double reward);

/* One candidate action. The caller fills the inputs; decide_choose()
 * fills the outputs. */
struct decide_arm {
	/* in */
	const char		*action;	/* action type name */
	struct json_object	*schema;	/* parsed parameters_schema (borrowed) */
	struct decide_stats	 own;		/* this tenant, this bucket */
	struct decide_stats	 pooled;	/* the partner's other customers, this bucket;
						 * {0, 0} for tenants without a partner */
	struct json_object	*param_stats;	/* {"param": {"<value as JSON text>": [succ, fail]}}
						 * for this tenant, bucket and action; borrowed, NULL
						 * when none */
	/* out */
	double			 mean;		/* posterior mean reward */
	double			 p_best;	/* probability this policy picks the arm */
	double			 sample;	/* the draw that ranked it */
	struct json_object	*parameters;	/* owned; valid against schema */
	int			 usable;	/* 0: no valid parameters could be built */
	char			 why_unusable[160];
};

struct decide_result {
	int	chosen;			/* index into arms, -1 when no arm is usable */
	int	order[DECIDE_MAX_ARMS];	/* usable arms: chosen first, then by mean */
	int	n;			/* entries in order */
	int	explored;		/* chosen arm is not the one of highest mean */
	double	confidence;		/* chosen arm's posterior mean, 0..1 */
	char	reasoning[DECIDE_REASONING_LEN];
};

/*
 * Chooses among n arms (n ≤ DECIDE_MAX_ARMS) for user u at time now:
 * posterior Beta(1 + own.succ + w·pooled.succ, 1 + own.fail + w·pooled.fail)
 * with w capping the pooled prior at DECIDE_PRIOR_CAP outcomes; one draw
 * per arm, the highest wins; p_best, the probability that draw picks each
 * arm, by quadrature (DECIDE_PBEST_GRID intervals per arm), summing to 1;
 * parameters by decide_params(); reasoning by decide_reasoning().
 * Returns 0 (result->chosen may be -1 when nothing is usable), -1 on bad
 * arguments. Free the arms' parameters with decide_arms_clear().
 */
int decide_choose(struct decide_arm *arms, int n, const struct decide_user *u, int64_t now,
    struct decide_rng *g, struct decide_result *res);

void decide_arms_clear(struct decide_arm *arms, int n);

/* The arm's Beta(a, b) posterior as decide_choose() samples it: 1 plus
 * own, plus pooled scaled to count as at most DECIDE_PRIOR_CAP outcomes.
 * (Addition to the contract: the server and the tests reuse it.) */
void decide_posterior(const struct decide_arm *arm, double *a, double *b);

/*
 * Builds parameters for schema: for each property, an enum value or a
 * level within numeric bounds (minimum/maximum, exclusive bounds,
 * multipleOf), chosen by Thompson sampling over param_stats (values that
 * earned reward for similar users win more often), else the schema's
 * default/examples/const; required properties always get a value.
 * Returns a new object that validates against schema, or NULL with the
 * reason in err.
 */
struct json_object *decide_params(struct json_object *schema, struct json_object *param_stats,
    struct decide_rng *g, char *err, size_t errlen);

/* Adds reward for each top-level value of params into param_stats (an
 * object, created keys as needed), the update the server applies when an
 * outcome arrives. */
void decide_param_stats_add(struct json_object *param_stats, struct json_object *params,
    double reward);

/*
 * The sentence explaining the choice of arms[res->chosen] for u: days
 * since last activity, stage and how recently it changed, the engagement
 * trend, the action's success rate in this bucket (or that data is thin
 * and the policy is exploring), and how it compares with the runner-up.
 * Never a fixed string: every clause comes from a fact. Writes into out.
 */
void decide_reasoning(const struct decide_arm *arms, int n, const struct decide_result *res,
    const struct decide_user *u, int64_t now, char *out, size_t len);

#endif
