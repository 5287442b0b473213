/*
 * sim.h — the hidden world of the decision-engine simulator (tests/sim):
 * the synthetic contexts, the action types and their true success rates
 * per (context, action), a seeded generator, the baselines computed from
 * the rates and the offline inverse-propensity estimators, all pure
 * (sim_model.c); then the report tables (sim_report.c, on stdout). sim.c
 * drives the real API with them.
 */
#ifndef RETIVO_SIM_H
#define RETIVO_SIM_H

#include <stddef.h>
#include <stdint.h>

#define SIM_CTX		4	/* hidden contexts, one decide bucket each */
#define SIM_ACT		5	/* action types */

/* A context: how its users are pinned in the users table. */
struct sim_ctx {
	const char	*name;		/* short label for the report */
	const char	*stage;		/* users.lifecycle_stage */
	const char	*risk;		/* users.risk_level */
	double		 engagement;	/* users.engagement_score: picks the band */
	double		 activation, expansion;
	int		 idle_days;	/* days since last activity at pinning */
};

struct sim_action {
	const char	*name;
	const char	*schema;	/* parameters_schema, JSON text */
};

extern const struct sim_ctx sim_ctxs[SIM_CTX];
extern const struct sim_action sim_actions[SIM_ACT];
/* The hidden truth: probability that the action is "completed" (reward 1,
 * else "ignored", reward 0) for a user of the context. */
extern const double sim_rate[SIM_CTX][SIM_ACT];

/* splitmix64: small, seeded, reproducible. */
struct sim_rng {
	uint64_t s;
};

void sim_rng_seed(struct sim_rng *g, uint64_t seed);
/* Uniform in [0, 1). */
double sim_rng_uniform(struct sim_rng *g);
/* Uniform integer in [0, n). */
unsigned sim_rng_below(struct sim_rng *g, unsigned n);

/* The action of highest rate in context c (the oracle's choice). */
int sim_best_action(int c);

/*
 * Expected rewards on a sequence of contexts ctx[0..n): uniform random
 * choice, every fixed action (fixed[a]) and the oracle. fixed has SIM_ACT
 * entries.
 */
struct sim_baselines {
	double	random, oracle;
	double	fixed[SIM_ACT];
	int	best_fixed;	/* index of the largest fixed[a] */
};

void sim_baselines(const int *ctx, size_t n, struct sim_baselines *b);

/* One logged decision as the offline estimators see it. */
struct sim_logged {
	int	ctx;
	int	action;
	double	propensity;	/* the logging policy's probability of action */
	double	reward;
};

/* A target policy: target[c][a] is the probability it takes a in c. */
struct sim_ips {
	double	ips;		/* (1/n) sum w r, w = target / propensity */
	double	snips;		/* sum w r / sum w */
	double	truth;		/* (1/n) sum_t sum_a target[c_t][a] rate[c_t][a] */
	double	ess;		/* effective sample size (sum w)^2 / sum w^2 */
	size_t	n;		/* decisions used */
	size_t	matched;	/* decisions with target weight > 0 */
	size_t	clipped;	/* propensities raised to pmin */
};

/*
 * Estimates the value of target from log[0..n) by IPS and self-normalized
 * IPS; propensities below pmin (> 0) count as pmin (and are counted in
 * clipped), since a Monte Carlo propensity can be 0 for an arm that was
 * nevertheless drawn. Also fills the true value from the hidden rates.
 */
void sim_ips_estimate(const struct sim_logged *log, size_t n,
    double target[SIM_CTX][SIM_ACT], double pmin, struct sim_ips *out);

/*
 * Checks the estimators on a synthetic log whose propensities are known
 * exactly (a fixed stochastic logging policy, rewards drawn from the
 * hidden rates): for deterministic and uniform targets the IPS and SNIPS
 * estimates must lie within 0.02 of the truth. Prints one line per check
 * to stdout; returns the number of failed checks.
 */
int sim_ips_selftest(uint64_t seed);

/* Floor of a logged propensity: only a guard against 0. The policy's
 * propensity of the chosen arm resolves values far below 1/256 (its Monte
 * Carlo draws are Rao-Blackwellised), and a higher floor biases IPS down. */
#define SIM_PMIN	1e-6

/* The outcome of one simulated round, as the report needs it. */
struct sim_round {
	int	ctx, action;	/* action -1: the round failed */
	double	reward;		/* realized */
};

/* sim_report.c: the tables on stdout. rr and ctx have rounds entries;
 * best_fixed is sim_baselines()' best_fixed over the whole run. */
void sim_report_windows(const struct sim_round *rr, const int *ctx, int rounds, int window,
    int best_fixed);
/* Which action the policy chose per context over the last window rounds;
 * buckets are the bucket keys the API answered per context. */
void sim_report_choices(const struct sim_round *rr, int rounds, int window,
    char buckets[SIM_CTX][64]);
/* IPS and SNIPS of three targets (the best fixed action, the oracle's
 * per-context best, uniform random) from log[0..n). */
void sim_report_offline(const struct sim_logged *log, size_t n, int best_fixed);

#endif
