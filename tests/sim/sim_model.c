/*
 * sim_model.c — the simulator's hidden world and its arithmetic: the four
 * contexts (each a distinct decide bucket: stage × risk × engagement band),
 * the five action types with their parameters_schemas, the true success
 * rate of every (context, action) — the best action differs by context, and
 * no single action is good everywhere — the expected-reward baselines, and
 * the offline IPS/SNIPS estimators with a self-test on a log whose
 * propensities are known exactly.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>

#include "sim.h"

const struct sim_ctx sim_ctxs[SIM_CTX] = {
	/* name          stage         risk      eng   act   exp  idle days */
	{ "onboarding", "onboarding", "low", 0.45, 0.40, 0.10, 2 },
	{ "active", "active", "low", 0.80, 0.90, 0.60, 0 },
	{ "at_risk", "at_risk", "high", 0.15, 0.60, 0.10, 12 },
	{ "churned", "churned", "high", 0.05, 0.50, 0.00, 45 },
};

const struct sim_action sim_actions[SIM_ACT] = {
	{ "send_coupon", "{\"type\":\"object\",\"properties\":{\"percent\":{\"type\":\"integer\","
	    "\"minimum\":5,\"maximum\":40,\"multipleOf\":5}},\"required\":[\"percent\"]}" },
	{ "grant_points", "{\"type\":\"object\",\"properties\":{\"points\":{\"type\":\"integer\","
	    "\"minimum\":50,\"maximum\":500}},\"required\":[\"points\"]}" },
	{ "personal_email", "{\"type\":\"object\",\"properties\":{\"template\":{\"type\":\"string\","
	    "\"enum\":[\"checkin\",\"tips\",\"success_story\"]}},\"required\":[\"template\"]}" },
	{ "checkin_call", "{\"type\":\"object\",\"properties\":{\"minutes\":{\"type\":\"integer\","
	    "\"enum\":[15,30]}}}" },
	{ "feature_tour", "{\"type\":\"object\",\"properties\":{\"feature\":{\"type\":\"string\","
	    "\"enum\":[\"reports\",\"integrations\",\"automation\"]},\"steps\":{\"type\":\"integer\","
	    "\"minimum\":3,\"maximum\":8}},\"required\":[\"feature\"]}" },
};

/*
 * Rows are contexts, columns actions in sim_actions order. Each context's
 * best beats its runner-up by 0.10–0.15; the best fixed action (the
 * coupon, 0.25 on average) earns two thirds of the oracle's 0.375.
 */
const double sim_rate[SIM_CTX][SIM_ACT] = {
	/* coupon points email  call   tour */
	{ 0.20, 0.25, 0.30, 0.15, 0.45 },	/* onboarding: the feature tour */
	{ 0.25, 0.40, 0.20, 0.10, 0.20 },	/* active: points */
	{ 0.35, 0.15, 0.20, 0.25, 0.10 },	/* at risk: a coupon */
	{ 0.20, 0.10, 0.15, 0.30, 0.05 },	/* churned: a call */
};

void
sim_rng_seed(struct sim_rng *g, uint64_t seed)
{
	g->s = seed;
}

static uint64_t
sim_rng_next(struct sim_rng *g)
{
	uint64_t z = (g->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

double
sim_rng_uniform(struct sim_rng *g)
{
	return (double)(sim_rng_next(g) >> 11) * 0x1.0p-53;
}

unsigned
sim_rng_below(struct sim_rng *g, unsigned n)
{
	return (unsigned)(sim_rng_uniform(g) * n);
}

int
sim_best_action(int c)
{
	int a, best = 0;

	for (a = 1; a < SIM_ACT; a++)
		if (sim_rate[c][a] > sim_rate[c][best])
			best = a;
	return best;
}

void
sim_baselines(const int *ctx, size_t n, struct sim_baselines *b)
{
	size_t t;
	int a;

	b->random = b->oracle = 0;
	for (a = 0; a < SIM_ACT; a++)
		b->fixed[a] = 0;
	for (t = 0; t < n; t++) {
		const double *r = sim_rate[ctx[t]];

		for (a = 0; a < SIM_ACT; a++) {
			b->fixed[a] += r[a];
			b->random += r[a] / SIM_ACT;
		}
		b->oracle += r[sim_best_action(ctx[t])];
	}
	b->best_fixed = 0;
	for (a = 1; a < SIM_ACT; a++)
		if (b->fixed[a] > b->fixed[b->best_fixed])
			b->best_fixed = a;
}

void
sim_ips_estimate(const struct sim_logged *log, size_t n, double target[SIM_CTX][SIM_ACT],
    double pmin, struct sim_ips *out)
{
	double sw = 0, sw2 = 0, swr = 0, truth = 0, p, w;
	size_t t;
	int a;

	out->n = n;
	out->matched = out->clipped = 0;
	for (t = 0; t < n; t++) {
		for (a = 0; a < SIM_ACT; a++)
			truth += target[log[t].ctx][a] * sim_rate[log[t].ctx][a];
		p = log[t].propensity;
		if (p < pmin) {
			p = pmin;
			out->clipped++;
		}
		w = target[log[t].ctx][log[t].action] / p;
		if (w > 0)
			out->matched++;
		sw += w;
		sw2 += w * w;
		swr += w * log[t].reward;
	}
	out->ips = n > 0 ? swr / (double)n : 0;
	out->snips = sw > 0 ? swr / sw : 0;
	out->truth = n > 0 ? truth / (double)n : 0;
	out->ess = sw2 > 0 ? sw * sw / sw2 : 0;
}

/* The self-test's logging policy: in every context, the oracle's action
 * with probability 0.6, each other action 0.1. */
static double
selftest_logging(int c, int a)
{
	return a == sim_best_action(c) ? 0.6 : 0.1;
}

int
sim_ips_selftest(uint64_t seed)
{
	enum { N = 40000 };
	static struct sim_logged log[N];
	double target[SIM_CTX][SIM_ACT], u, acc;
	struct sim_rng g;
	struct sim_ips e;
	int c, a, k, failed = 0;
	size_t t;

	sim_rng_seed(&g, seed);
	for (t = 0; t < N; t++) {
		c = (int)sim_rng_below(&g, SIM_CTX);
		u = sim_rng_uniform(&g);
		for (a = 0, acc = 0; a < SIM_ACT - 1; a++) {
			acc += selftest_logging(c, a);
			if (u < acc)
				break;
		}
		log[t].ctx = c;
		log[t].action = a;
		log[t].propensity = selftest_logging(c, a);
		log[t].reward = sim_rng_uniform(&g) < sim_rate[c][a] ? 1 : 0;
	}
	/* Targets: every fixed action, the oracle, uniform random. */
	for (k = 0; k < SIM_ACT + 2; k++) {
		const char *label;

		for (c = 0; c < SIM_CTX; c++)
			for (a = 0; a < SIM_ACT; a++) {
				if (k < SIM_ACT)
					target[c][a] = a == k;
				else if (k == SIM_ACT)
					target[c][a] = a == sim_best_action(c);
				else
					target[c][a] = 1.0 / SIM_ACT;
			}
		label = k < SIM_ACT ? sim_actions[k].name : k == SIM_ACT ? "oracle" : "uniform";
		sim_ips_estimate(log, N, target, 1e-6, &e);
		if (fabs(e.ips - e.truth) > 0.02 || fabs(e.snips - e.truth) > 0.02 || e.clipped != 0) {
			printf("not ok - selftest %s: ips %.4f snips %.4f truth %.4f\n", label, e.ips,
			    e.snips, e.truth);
			failed++;
		} else
			printf("ok - selftest %s: ips %.4f snips %.4f truth %.4f (ess %.0f of %zu)\n", label,
			    e.ips, e.snips, e.truth, e.ess, e.n);
	}
	return failed;
}
