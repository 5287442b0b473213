/*
 * sim_report.c — the tables retivo-sim prints: reward per window of rounds
 * against the baselines, which action the policy chose per context, and
 * the offline IPS/SNIPS estimates of three target policies from the
 * decision log next to their true values.
 */
#include "config.h"

#include <stdio.h>

#include "sim.h"

void
sim_report_offline(const struct sim_logged *log, size_t n, int best_fixed)
{
	double target[SIM_CTX][SIM_ACT], pmin = 1;
	size_t t, small = 0;
	struct sim_ips e;
	char label[64];
	int k, c, a;

	for (t = 0; t < n; t++) {
		if (log[t].propensity < pmin)
			pmin = log[t].propensity;
		if (log[t].propensity < 1.0 / 256)
			small++;
	}
	printf("\nOffline evaluation from the decision log (GET /api/decisions, %zu decisions with "
	    "outcomes;\n  propensity = the logged probability of the chosen action: smallest %.2g, "
	    "%zu below 1/256):\n", n, pmin, small);
	printf("  %-30s %8s %8s %8s %8s %8s %8s\n", "target policy", "IPS", "SNIPS", "true",
	    "IPS err", "matched", "ESS");
	for (k = 0; k < 3; k++) {
		for (c = 0; c < SIM_CTX; c++)
			for (a = 0; a < SIM_ACT; a++)
				target[c][a] = k == 0 ? (a == best_fixed) :
				    k == 1 ? (a == sim_best_action(c)) : 1.0 / SIM_ACT;
		if (k == 0)
			snprintf(label, sizeof(label), "best fixed (%s)", sim_actions[best_fixed].name);
		else
			snprintf(label, sizeof(label), "%s", k == 1 ? "oracle's per-context best" :
			    "uniform random");
		sim_ips_estimate(log, n, target, SIM_PMIN, &e);
		printf("  %-30s %8.4f %8.4f %8.4f %+8.4f %8zu %8.0f", label, e.ips, e.snips, e.truth,
		    e.ips - e.truth, e.matched, e.ess);
		if (e.clipped)
			printf("  (%zu propensities under %g counted as %g)", e.clipped, SIM_PMIN, SIM_PMIN);
		printf("\n");
	}
	printf("  (values are mean reward per decision; true = from the hidden rates on the same "
	    "users;\n   matched: decisions the target would also take; ESS: effective sample size of "
	    "the weights)\n");
}

void
sim_report_windows(const struct sim_round *rr, const int *ctx, int rounds, int window, int best_fixed)
{
	struct sim_baselines b;
	double real, expd;
	int w, t, n;

	printf("\nReward per window of %d rounds (mean per round; ours realized and expected):\n",
	    window);
	printf("  %-13s %8s %8s %8s %8s %8s %8s\n", "rounds", "ours", "ours-exp", "oracle",
	    "fixed", "random", "share");
	for (w = 0; w < rounds; w += window) {
		n = w + window <= rounds ? window : rounds - w;
		real = expd = 0;
		for (t = w; t < w + n; t++) {
			real += rr[t].reward;
			expd += rr[t].action >= 0 ? sim_rate[rr[t].ctx][rr[t].action] : 0;
		}
		sim_baselines(ctx + w, (size_t)n, &b);
		printf("  %5d-%-7d %8.3f %8.3f %8.3f %8.3f %8.3f %7.1f%%\n", w + 1, w + n, real / n,
		    expd / n, b.oracle / n, b.fixed[best_fixed] / n, b.random / n,
		    b.oracle > 0 ? 100 * expd / b.oracle : 0);
	}
}

void
sim_report_choices(const struct sim_round *rr, int rounds, int window, char buckets[SIM_CTX][64])
{
	int cnt[SIM_CTX][SIM_ACT] = { { 0 } }, tot[SIM_CTX] = { 0 }, t, c, a;

	for (t = rounds > window ? rounds - window : 0; t < rounds; t++)
		if (rr[t].action >= 0) {
			cnt[rr[t].ctx][rr[t].action]++;
			tot[rr[t].ctx]++;
		}
	printf("\nChoices in the last %d rounds (share per context; * marks the oracle's action):\n",
	    window);
	printf("  %-11s %-26s", "context", "bucket (from the API)");
	for (a = 0; a < SIM_ACT; a++)
		printf(" %15s", sim_actions[a].name);
	printf("\n");
	for (c = 0; c < SIM_CTX; c++) {
		printf("  %-11s %-26s", sim_ctxs[c].name, buckets[c]);
		for (a = 0; a < SIM_ACT; a++)
			printf(" %4.2f/%4.0f%%%s", sim_rate[c][a],
			    tot[c] ? 100.0 * cnt[c][a] / tot[c] : 0, a == sim_best_action(c) ? "*" : " ");
		printf("\n");
	}
	printf("  (each cell: hidden rate / share of the policy's choices)\n");
}
