/*
 * decide.c — the core of the decision policy (decide.h): the seeded
 * generator, the Beta sampler, context buckets, rewards and the Thompson
 * sampling choice among candidate actions. Parameters are built in
 * decide_params.c and the reasoning sentence in decide_reason.c; each
 * arm's choice probability (p_best) is integrated, not sampled.
 *
 * Everything here is a pure function of its arguments and the caller's
 * generator: no clock, no I/O, no global state, so the unit tests replay
 * a run exactly from a seed. doc/decisions.md explains the policy.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "decide.h"
#include "names.h"

/* ------------------------------------------------------------ generator */

static uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* splitmix64: spreads one seed over the four state words, as the
 * xoshiro authors recommend (an all-zero state would be stuck). */
static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t z;

	z = (*x += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void
decide_rng_seed(struct decide_rng *g, uint64_t seed)
{
	int i;

	for (i = 0; i < 4; i++)
		g->s[i] = splitmix64(&seed);
}

static uint64_t
rng_next(struct decide_rng *g)
{
	uint64_t result, t;

	result = rotl(g->s[1] * 5, 7) * 9;
	t = g->s[1] << 17;
	g->s[2] ^= g->s[0];
	g->s[3] ^= g->s[1];
	g->s[1] ^= g->s[2];
	g->s[0] ^= g->s[3];
	g->s[2] ^= t;
	g->s[3] = rotl(g->s[3], 45);
	return result;
}

double
decide_rng_uniform(struct decide_rng *g)
{
	/* The top 53 bits, as a double in [0, 1). */
	return (double)(rng_next(g) >> 11) * 0x1.0p-53;
}

/*
 * Standard normal draws by the Marsaglia polar method, which yields them
 * in pairs: the spare lives in a struct on the caller's stack (one Beta
 * draw), never in global state; the pair halves the logs.
 */
struct normals {
	double	spare;
	int	has_spare;
};

static double
normal_sample(struct decide_rng *g, struct normals *nm)
{
	double u, v, s, f;

	if (nm->has_spare) {
		nm->has_spare = 0;
		return nm->spare;
	}
	do {
		u = 2 * decide_rng_uniform(g) - 1;
		v = 2 * decide_rng_uniform(g) - 1;
		s = u * u + v * v;
	} while (s >= 1 || s == 0);
	f = sqrt(-2 * log(s) / s);
	nm->spare = v * f;
	nm->has_spare = 1;
	return u * f;
}

/* A Gamma(a, 1) draw, a > 0 (Marsaglia and Tsang 2000; for a < 1 the
 * boost Gamma(a) = Gamma(a + 1) · U^(1/a)). */
static double
gamma_sample(struct decide_rng *g, struct normals *nm, double a)
{
	double d, c, x, v, u, boost = 1;

	if (a < 1) {
		u = decide_rng_uniform(g);
		boost = pow(u, 1 / a);
		a += 1;
	}
	d = a - 1.0 / 3;
	c = 1 / sqrt(9 * d);
	for (;;) {
		do {
			x = normal_sample(g, nm);
			v = 1 + c * x;
		} while (v <= 0);
		v = v * v * v;
		u = decide_rng_uniform(g);
		/* The squeeze accepts ~98% without a log. */
		if (u < 1 - 0.0331 * x * x * x * x)
			break;
		if (u > 0 && log(u) < 0.5 * x * x + d * (1 - v + log(v)))
			break;
	}
	return d * v * boost;
}

double
decide_beta_sample(struct decide_rng *g, double a, double b)
{
	struct normals nm = { 0, 0 };
	double x, y;

	/* Callers pass a, b >= 1; anything else (NaN, <= 0) is made the
	 * uniform prior rather than looping or returning NaN. */
	if (!(a > 0) || isinf(a))
		a = 1;
	if (!(b > 0) || isinf(b))
		b = 1;
	x = gamma_sample(g, &nm, a);
	y = gamma_sample(g, &nm, b);
	if (!(x + y > 0))	/* both underflowed: tiny a and b */
		return a / (a + b);
	return x / (x + y);
}

/* -------------------------------------------------------------- buckets */

static const char *const stages[] = {
	"new", "onboarding", "active", "at_risk", "churned", "recovered"
};
static const char *const stage_phrases[] = {
	"new users", "onboarding users", "active users", "at-risk users",
	"churned users", "recovered users"
};
static const char *const risks[] = { "low", "medium", "high" };

/* s if it is one of the n names, else "unknown": a bucket key never
 * carries free text from the users row. */
static const char *
known(const char *s, const char *const *names, size_t n)
{
	int i = names_index(names, n, s);

	return i < 0 ? "unknown" : names[i];
}

void
decide_bucket(const struct decide_user *u, char out[DECIDE_BUCKET_LEN])
{
	const char *band;

	/* NaN falls to "low", as scoring treats a missing score as 0. */
	band = u->engagement >= 0.6 ? "high" : u->engagement >= 0.3 ? "mid" : "low";
	snprintf(out, DECIDE_BUCKET_LEN, "%s/%s/eng_%s",
	    known(u->stage, stages, sizeof stages / sizeof *stages),
	    known(u->risk, risks, sizeof risks / sizeof *risks), band);
}

void
decide_bucket_label(const char *bucket, char *out, size_t len)
{
	char stage[DECIDE_BUCKET_LEN], risk[DECIDE_BUCKET_LEN], band[DECIDE_BUCKET_LEN];
	const char *who = "users";
	size_t i;

	if (len == 0)
		return;
	stage[0] = risk[0] = band[0] = '\0';
	if (bucket == NULL || sscanf(bucket, "%63[^/]/%63[^/]/eng_%63s", stage, risk, band) != 3) {
		snprintf(out, len, "users in this context");
		return;
	}
	for (i = 0; i < sizeof stages / sizeof *stages; i++)
		if (strcmp(stage, stages[i]) == 0)
			who = stage_phrases[i];
	if (strcmp(known(risk, risks, 3), "unknown") == 0)
		snprintf(out, len, "%s with %s engagement", who,
		    strcmp(band, "mid") == 0 ? "medium" : band);
	else
		snprintf(out, len, "%s with %s engagement and %s risk", who,
		    strcmp(band, "mid") == 0 ? "medium" : band, risk);
}

/* -------------------------------------------------------------- rewards */

int
decide_reward(const char *outcome_status, double *reward)
{
	static const struct {
		const char	*status;
		double		 reward;
	} rewards[] = {
		{ "completed", 1 },
		{ "partial", 0.5 },
		{ "ignored", 0 },
		{ "rejected", -DECIDE_REJECT_PENALTY },
	};
	size_t i;

	for (i = 0; outcome_status != NULL && i < sizeof rewards / sizeof *rewards; i++)
		if (strcmp(outcome_status, rewards[i].status) == 0) {
			*reward = rewards[i].reward;
			return 0;
		}
	return -1;
}

void
decide_stats_add(struct decide_stats *st, double reward)
{
	if (isnan(reward))
		return;
	if (reward > 1)
		reward = 1;
	if (reward < -DECIDE_REJECT_PENALTY)
		reward = -DECIDE_REJECT_PENALTY;
	/* r in [0, 1] is r successes and 1 - r failures; a penalty -p is
	 * 1 + p failures, so a rejection weighs more than being ignored. */
	if (reward > 0)
		st->succ += reward;
	st->fail += 1 - reward;
}

/* ------------------------------------------------------------ posterior */

/* Reward mass clamped to be usable as Beta counts (a corrupt row must not
 * make a posterior parameter negative or NaN). */
static double
mass(double x)
{
	return x > 0 && !isinf(x) ? x : 0;
}

/*
 * The Beta posterior of an arm: a uniform Beta(1, 1), plus the tenant's
 * own outcomes, plus the partner's pooled outcomes scaled down so they
 * count as at most DECIDE_PRIOR_CAP outcomes — a tenant's own data soon
 * outweighs its partner's.
 */
void
decide_posterior(const struct decide_arm *arm, double *a, double *b)
{
	double ps = mass(arm->pooled.succ), pf = mass(arm->pooled.fail), w = 1;

	if (ps + pf > DECIDE_PRIOR_CAP)
		w = DECIDE_PRIOR_CAP / (ps + pf);
	*a = 1 + mass(arm->own.succ) + w * ps;
	*b = 1 + mass(arm->own.fail) + w * pf;
}

/* ------------------------------------------- choice probabilities */

#define PBEST_SDS	10.0	/* each grid spans mean ± this many standard deviations */

/*
 * One arm's Beta(a, b), a, b >= 1, on a grid of DECIDE_PBEST_GRID
 * intervals across mean ± 10 sd (beyond it the mass is below 1e-20),
 * clipped to [0, 1]: the density at the grid points, scaled so that the
 * trapezoid rule over the grid gives 1, and the logarithm of the CDF,
 * integrated from the bottom up by the same rule, so the lower tail (the
 * factor that makes a rarely chosen arm's probability small) keeps its
 * relative precision. Lookups of the CDF interpolate its logarithm.
 */
struct beta_grid {
	double	lo, h;
	double	dens[DECIDE_PBEST_GRID + 1];
	double	logcdf[DECIDE_PBEST_GRID + 1];
};

static void
beta_grid_init(struct beta_grid *bg, double a, double b)
{
	double f[DECIDE_PBEST_GRID + 1], m, sd, hi, x, top = -INFINITY, sum = 0;
	int k;

	m = a / (a + b);
	sd = sqrt(a * b / ((a + b) * (a + b) * (a + b + 1)));
	bg->lo = m - PBEST_SDS * sd > 0 ? m - PBEST_SDS * sd : 0;
	hi = m + PBEST_SDS * sd < 1 ? m + PBEST_SDS * sd : 1;
	bg->h = (hi - bg->lo) / DECIDE_PBEST_GRID;
	for (k = 0; k <= DECIDE_PBEST_GRID; k++) {
		/* Kept inside (0, 1) so that a = 1 or b = 1 gives 0 · log, not
		 * 0 · -inf; the density up to a constant, scaled below. */
		x = bg->lo + k * bg->h;
		x = x < 1e-300 ? 1e-300 : x > 1 - 1e-16 ? 1 - 1e-16 : x;
		f[k] = (a - 1) * log(x) + (b - 1) * log1p(-x);
		top = f[k] > top ? f[k] : top;
	}
	for (k = 0; k <= DECIDE_PBEST_GRID; k++)
		f[k] = exp(f[k] - top);
	/* logcdf[k] holds the mass below grid point k until normalised. */
	bg->logcdf[0] = 0;
	for (k = 1; k <= DECIDE_PBEST_GRID; k++) {
		sum += 0.5 * (f[k] + f[k - 1]);
		bg->logcdf[k] = sum;
	}
	for (k = 0; k <= DECIDE_PBEST_GRID; k++) {
		bg->dens[k] = sum > 0 ? f[k] / sum : 0;
		bg->logcdf[k] = bg->logcdf[k] > 0 && sum > 0 ? log(bg->logcdf[k] / sum) : -INFINITY;
	}
}

/* log P(X <= x) for the arm of bg. */
static double
beta_grid_logcdf(const struct beta_grid *bg, double x)
{
	double t;
	int k;

	if (bg->h <= 0)
		return x >= bg->lo ? 0 : -INFINITY;
	t = (x - bg->lo) / bg->h;
	if (!(t > 0))
		return -INFINITY;
	if (t >= DECIDE_PBEST_GRID)
		return 0;
	k = (int)t;
	t -= k;
	if (bg->logcdf[k] == -INFINITY)	/* the first interval: linear from 0 */
		return bg->logcdf[k + 1] + log(t);
	return bg->logcdf[k] + t * (bg->logcdf[k + 1] - bg->logcdf[k]);
}

/*
 * p_best of every usable arm i: P(its draw is the highest) =
 * ∫ f_i(x) · Π_{j≠i} F_j(x) dx, by the trapezoid rule on arm i's grid,
 * the product as the exponential of a sum of interpolated log CDFs.
 * Scaled so the usable arms' values sum to 1 (the quadrature's error is
 * far below the old Monte Carlo's; the scaling only makes the sum exact).
 */
static void
choice_probabilities(struct decide_arm *arms, int n, const double *a, const double *b)
{
	struct beta_grid bg[DECIDE_MAX_ARMS];	/* 66 KB at most, on the stack */
	double x, lsum, p, total = 0;
	int i, j, k, usable = 0;

	for (i = 0; i < n; i++)
		if (arms[i].usable) {
			beta_grid_init(&bg[i], a[i], b[i]);
			usable++;
		}
	for (i = 0; i < n; i++) {
		if (!arms[i].usable)
			continue;
		for (k = 0, p = 0; k <= DECIDE_PBEST_GRID; k++) {
			x = bg[i].lo + k * bg[i].h;
			for (j = 0, lsum = 0; j < n && lsum > -INFINITY; j++)
				if (j != i && arms[j].usable)
					lsum += beta_grid_logcdf(&bg[j], x);
			if (lsum > -INFINITY)
				p += (k == 0 || k == DECIDE_PBEST_GRID ? 0.5 : 1) * bg[i].dens[k] *
				    exp(lsum);
		}
		arms[i].p_best = p;
		total += p;
	}
	for (i = 0; i < n; i++)
		if (arms[i].usable)
			arms[i].p_best = total > 0 ? arms[i].p_best / total : 1.0 / usable;
}

/* ------------------------------------------------------------- choosing */

void
decide_arms_clear(struct decide_arm *arms, int n)
{
	int i;

	for (i = 0; arms != NULL && i < n; i++) {
		json_object_put(arms[i].parameters);
		arms[i].parameters = NULL;
	}
}

/* The usable arm with the highest draw from its posterior, -1 if none;
 * each usable arm's draw is stored in draws[i] when draws is not NULL.
 * Ties (measure zero) go to the lower index. */
static int
draw_winner(const struct decide_arm *arms, int n, const double *a, const double *b,
    struct decide_rng *g, double *draws)
{
	int i, best = -1;
	double x, top = 0;

	for (i = 0; i < n; i++) {
		if (!arms[i].usable)
			continue;
		x = decide_beta_sample(g, a[i], b[i]);
		if (draws != NULL)
			draws[i] = x;
		if (best < 0 || x > top) {
			best = i;
			top = x;
		}
	}
	return best;
}

int
decide_choose(struct decide_arm *arms, int n, const struct decide_user *u, int64_t now,
    struct decide_rng *g, struct decide_result *res)
{
	double a[DECIDE_MAX_ARMS], b[DECIDE_MAX_ARMS], draws[DECIDE_MAX_ARMS];
	int i, j, k, best_mean = -1, usable = 0;
	char err[sizeof arms->why_unusable];

	if (arms == NULL || u == NULL || g == NULL || res == NULL || n < 0 ||
	    n > DECIDE_MAX_ARMS)
		return -1;
	memset(res, 0, sizeof *res);
	res->chosen = -1;

	/* Parameters first: an arm whose schema admits no value cannot be
	 * recommended, so it takes no part in the sampling. */
	for (i = 0; i < n; i++) {
		arms[i].mean = arms[i].p_best = arms[i].sample = 0;
		arms[i].why_unusable[0] = '\0';
		arms[i].parameters = decide_params(arms[i].schema, arms[i].param_stats, g,
		    err, sizeof err);
		arms[i].usable = arms[i].parameters != NULL;
		if (!arms[i].usable) {
			snprintf(arms[i].why_unusable, sizeof arms[i].why_unusable, "%s", err);
			continue;
		}
		usable++;
		decide_posterior(&arms[i], &a[i], &b[i]);
		arms[i].mean = a[i] / (a[i] + b[i]);
		if (best_mean < 0 || arms[i].mean > arms[best_mean].mean)
			best_mean = i;
	}
	if (usable == 0) {
		decide_reasoning(arms, n, res, u, now, res->reasoning, sizeof res->reasoning);
		return 0;
	}

	/* The decision: one draw per arm, the highest wins. */
	res->chosen = draw_winner(arms, n, a, b, g, draws);
	for (i = 0; i < n; i++)
		if (arms[i].usable)
			arms[i].sample = draws[i];

	/* The probability the policy gave each arm; the chosen arm's is the
	 * propensity the decision log keeps for offline evaluation. */
	j = res->chosen;
	choice_probabilities(arms, n, a, b);

	/* order: the chosen arm, then the other usable arms by mean
	 * (insertion sort, stable, so equal means keep their input order). */
	res->order[res->n++] = res->chosen;
	for (i = 0; i < n; i++) {
		if (!arms[i].usable || i == res->chosen)
			continue;
		for (k = res->n; k > 1 && arms[res->order[k - 1]].mean < arms[i].mean; k--)
			res->order[k] = res->order[k - 1];
		res->order[k] = i;
		res->n++;
	}
	res->explored = arms[j].mean < arms[best_mean].mean;
	res->confidence = arms[j].mean;
	decide_reasoning(arms, n, res, u, now, res->reasoning, sizeof res->reasoning);
	return 0;
}
