/*
 * test_scoring.c — the formulas of doc/scoring.md against hand-computed
 * rows. Every row states its arithmetic; W is window_days, and the
 * engagement sum is divided by 0.85 when no retention milestone is
 * configured (its 0.15 weight shared out).
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "scoring.h"
#include "tap.h"

#define NONE	(-1.0)	/* days_since_last, limit_ratio, previous_engagement */

static const struct {
	const char		*desc;
	struct score_input	 in;
	double			 activation, engagement, expansion;
	enum risk_level		 risk;
} rows[] = {
	/* act: no milestones, no event → 0. eng: all parts 0 → 0/0.85 = 0.
	 * exp: nothing configured → 0. risk: 0 < 0.15 → high. */
	{ "no events at all, no milestones",
	  { 0, 0, 0, 14, 0, 0, 0, 10, NONE, 0, 0, NONE, 0, 0, NONE },
	  0, 0, 0, RISK_HIGH },
	/* act 0/3 = 0; eng 0; risk high. */
	{ "no events at all, three milestones",
	  { 3, 0, 0, 14, 0, 0, 0, 10, NONE, 2, 0, NONE, 0, 2, NONE },
	  0, 0, 0, RISK_HIGH },
	/* act 2/4 = 0.5. Last event 20 days ago: freq 0, breadth 0/8 = 0,
	 * recency max(0, 1 - 20/14) = 0, retention 0/2 = 0 → eng 0.
	 * exp: signals only, 0/1 → 0. risk high (0 < 0.15; drop 0.5 too). */
	{ "events only outside the window",
	  { 4, 2, 1, 14, 0, 0, 0, 8, 20, 2, 0, NONE, 0, 1, 0.5 },
	  0.5, 0, 0, RISK_HIGH },
	/* Last event exactly W ago is outside (now - W, now]: recency
	 * 1 - 14/14 = 0; eng 0; act 1 (no milestones, has an event). */
	{ "last event exactly one window ago",
	  { 0, 0, 1, 14, 0, 0, 0, 10, 14, 0, 0, NONE, 0, 0, NONE },
	  1, 0, 0, RISK_HIGH },
	/* Future-dated events reach scoring as days_since_last 0: recency 1.
	 * act 1 (no milestones, has an event). freq 1/(14*0.5) = 1/7 → 0.05;
	 * breadth 2/10 → 0.25*0.2 = 0.05; recency 1 → 0.25; sum 0.35 / 0.85
	 * = 0.411765 → low (>= 0.35, no previous). */
	{ "event just now (future events clamped to now)",
	  { 0, 0, 1, 14, 3, 1, 2, 10, 0, 0, 0, NONE, 0, 0, NONE },
	  1, 0.411765, 0, RISK_LOW },
	/* act 5/5 = 1. freq 7/7 = 1 → 0.35; breadth ref min(40, 10) = 10,
	 * 12/10 → 1 → 0.25; recency 1 - 0.5/14 = 0.964286 → 0.241071;
	 * retention 3/3 → 0.15; eng 0.991071. exp 0.5*0.8 + 0.5*(1.5/3)
	 * = 0.4 + 0.25 = 0.65. low. */
	{ "fully engaged user with retention and both signal kinds",
	  { 5, 5, 1, 14, 200, 7, 12, 40, 0.5, 3, 3, 0.8, 1.5, 3, 0.9 },
	  1, 0.991071, 0.65, RISK_LOW },
	/* 500 events on one day: freq 1/7 → 0.05; breadth 1/5 → 0.05;
	 * recency 1 - 3/14 = 11/14 → 0.196429; retention 0/2 → 0;
	 * eng 0.296429 → medium (< 0.35). act 1/2. exp: limit only,
	 * 1.3 clamped to 1 → 1. */
	{ "burst on one day counts as one active day",
	  { 2, 1, 1, 14, 500, 1, 1, 5, 3, 2, 0, 1.3, 0, 0, NONE },
	  0.5, 0.296429, 1, RISK_MEDIUM },
	/* The same without retention milestones: 0.296429 / 0.85 = 0.348739
	 * → still medium (< 0.35). */
	{ "no retention milestones: weight shared out",
	  { 2, 1, 1, 14, 500, 1, 1, 5, 3, 0, 0, 1.3, 0, 0, NONE },
	  0.5, 0.348739, 1, RISK_MEDIUM },
	/* W 7: freq 2/3.5 = 0.571429 → 0.2; breadth 3/3 → 0.25; recency
	 * 1 - 1/7 = 0.857143 → 0.214286; retention 1/2 → 0.075; eng
	 * 0.739286. drop 0.8 - 0.739286 = 0.06 → low. exp signals 2/8 = 0.25. */
	{ "seven-day window",
	  { 4, 3, 1, 7, 9, 2, 3, 3, 1, 2, 1, NONE, 2, 8, 0.8 },
	  0.75, 0.739286, 0.25, RISK_LOW },
	/* freq 7/7 → 0.35; breadth 5/10 → 0.125; recency 1 - 7/14 → 0.125;
	 * retention 1/2 → 0.075; eng 0.675. prev 0.975: drop 0.30 → high. */
	{ "drop of exactly 0.30 is high",
	  { 2, 2, 1, 14, 30, 7, 5, 10, 7, 2, 1, NONE, 0, 0, 0.975 },
	  1, 0.675, 0, RISK_HIGH },
	/* eng 0.675 as above; prev 0.965: drop 0.29 ≥ 0.15 → medium. */
	{ "drop of 0.29 is medium",
	  { 2, 2, 1, 14, 30, 7, 5, 10, 7, 2, 1, NONE, 0, 0, 0.965 },
	  1, 0.675, 0, RISK_MEDIUM },
	/* eng 0.675; prev 0.825: drop 0.15 → medium. */
	{ "drop of exactly 0.15 is medium",
	  { 2, 2, 1, 14, 30, 7, 5, 10, 7, 2, 1, NONE, 0, 0, 0.825 },
	  1, 0.675, 0, RISK_MEDIUM },
	/* eng 0.675; prev 0.815: drop 0.14 → low. */
	{ "drop of 0.14 is low",
	  { 2, 2, 1, 14, 30, 7, 5, 10, 7, 2, 1, NONE, 0, 0, 0.815 },
	  1, 0.675, 0, RISK_LOW },
	/* eng 0.675; prev 0.2: a rise is no risk → low. */
	{ "engagement rose",
	  { 2, 2, 1, 14, 30, 7, 5, 10, 7, 2, 1, NONE, 0, 0, 0.2 },
	  1, 0.675, 0, RISK_LOW },
	/* freq 1/7 → 0.05; breadth 1/10 → 0.025; recency 1 - 9.8/14 = 0.3
	 * → 0.075; retention 0/1 → 0; eng 0.15 exactly → medium, not high. */
	{ "engagement exactly 0.15 is medium",
	  { 0, 0, 1, 14, 1, 1, 1, 10, 9.8, 1, 0, NONE, 0, 0, NONE },
	  1, 0.15, 0, RISK_MEDIUM },
	/* recency 1 - 9.9/14 = 0.292857 → 0.073214; eng 0.148214 → high. */
	{ "engagement just under 0.15 is high",
	  { 0, 0, 1, 14, 1, 1, 1, 10, 9.9, 1, 0, NONE, 0, 0, NONE },
	  1, 0.148214, 0, RISK_HIGH },
	/* freq 2/7 → 0.1; breadth 2/10 → 0.05; recency 1 → 0.25;
	 * retention 0/1 → 0; eng 0.40 → low (≥ 0.35). */
	{ "engagement 0.40 is low",
	  { 0, 0, 1, 14, 4, 2, 2, 10, 0, 1, 0, NONE, 0, 0, NONE },
	  1, 0.40, 0, RISK_LOW },
	/* Inconsistent input (no event in the window, yet recent and a
	 * retention milestone): recency 13/14 → 0.232143, retention 1 → 0.15,
	 * eng 0.382143 would be low, but activation 1/2 < 1 with a silent
	 * window raises it to medium. */
	{ "not activated and silent window: at least medium",
	  { 2, 1, 1, 14, 0, 0, 0, 10, 1, 1, 1, NONE, 0, 0, NONE },
	  0.5, 0.382143, 0, RISK_MEDIUM },
	/* The same row fully activated: stays low. */
	{ "activated and silent window: low stands",
	  { 2, 2, 1, 14, 0, 0, 0, 10, 1, 1, 1, NONE, 0, 0, NONE },
	  1, 0.382143, 0, RISK_LOW },
	/* Breadth reference unknown (types_total 0): the user's own count,
	 * 3/3 → 0.25. freq 3/7 → 0.15; recency 1 - 2/14 → 0.214286;
	 * eng (0.15 + 0.25 + 0.214286) / 0.85 = 0.722689. */
	{ "breadth reference unknown",
	  { 0, 0, 1, 14, 6, 3, 3, 0, 2, 0, 0, NONE, 0, 0, NONE },
	  1, 0.722689, 0, RISK_LOW },
	/* Expansion rows: limit 0.5 alone → 0.5. */
	{ "expansion: limit proximity only",
	  { 0, 0, 1, 14, 4, 2, 2, 10, 0, 1, 0, 0.5, 0, 0, NONE },
	  1, 0.40, 0.5, RISK_LOW },
	/* limit 0.9 and signals 0/1 → 0.5*0.9 + 0.5*0 = 0.45. */
	{ "expansion: near the limit, no signal event",
	  { 0, 0, 1, 14, 4, 2, 2, 10, 0, 1, 0, 0.9, 0, 1, NONE },
	  1, 0.40, 0.45, RISK_LOW },
	/* limit 0 is present: 0.5*0 + 0.5*(1/2) = 0.25. */
	{ "expansion: zero limit ratio still counts",
	  { 0, 0, 1, 14, 4, 2, 2, 10, 0, 1, 0, 0, 1, 2, NONE },
	  1, 0.40, 0.25, RISK_LOW },
	/* Defensive: W 0 → 1; freq 1/0.5 → 1 → 0.35; breadth 1/1 → 0.25;
	 * recency NaN → 0; eng 0.6/0.85 = 0.705882. act 7/3 → 1. limit NaN
	 * and signal total NaN → nothing configured → exp 0. prev NaN: no
	 * trend → low. */
	{ "NaN and out-of-range inputs are clamped",
	  { 3, 7, 1, 0, 5, 1, 1, 0, NAN, 0, 0, NAN, 1, NAN, NAN },
	  1, 0.705882, 0, RISK_LOW },
	/* Negative signal weight done → share 0; signals over total → 1:
	 * here done -1 of 2 → 0, limit 0.4 → exp 0.2. prev 1.7 clamps to 1:
	 * drop 1 - 0.705882 = 0.294 → medium. Same engagement as above
	 * (W 1, recency 1 - 5/1 → 0). */
	{ "negative signal weight, previous above 1",
	  { 3, 1, 1, 1, 5, 1, 1, 0, 5, 0, 0, 0.4, -1, 2, 1.7 },
	  1.0 / 3, 0.705882, 0.2, RISK_MEDIUM },
	/* Signals seen exceed the total (stale settings): 5/2 → 1. */
	{ "signal weight done above total",
	  { 0, 0, 1, 14, 4, 2, 2, 10, 0, 1, 0, NONE, 5, 2, NONE },
	  1, 0.40, 1, RISK_LOW },
	/* Huge days_since_last: recency 0, freq 0, breadth 0: eng 0 → high. */
	{ "last event years ago",
	  { 1, 1, 1, 14, 0, 0, 0, 10, 1e6, 0, 0, NONE, 0, 0, 0 },
	  1, 0, 0, RISK_HIGH },
};

/* Is x within 1e-6 of want (the rows are rounded to six places)? */
static int
near(double x, double want)
{
	return fabs(x - want) < 1e-6;
}

/* A deterministic stream of awkward doubles: NaN, infinities, negatives. */
static double
awkward(unsigned *seed)
{
	static const double specials[] = { NAN, INFINITY, -INFINITY, -1, 0, 1, 1e300, -1e-300 };

	*seed = *seed * 1103515245u + 12345u;
	if ((*seed >> 16) % 4 == 0)
		return specials[(*seed >> 8) % 8];
	return ((double)(*seed >> 8) / (1u << 24)) * 40 - 10;
}

/* Every output of many awkward inputs is a number in 0..1 and a valid risk. */
static int
always_in_range(void)
{
	struct score_input in;
	struct scores s;
	unsigned seed = 42, i;

	for (i = 0; i < 20000; i++) {
		memset(&in, 0, sizeof(in));
		in.milestones_total = seed % 5;
		in.milestones_done = (seed >> 3) % 9;
		in.has_any_event = (seed >> 5) & 1;
		in.window_days = (seed >> 7) % 30;
		in.events_in_window = (long long)((seed >> 19) % 7) - 2;
		in.active_days_in_window = (seed >> 9) % 40;
		in.types_in_window = (seed >> 11) % 20;
		in.types_total = (seed >> 13) % 15;
		in.days_since_last = awkward(&seed);
		in.retention_total = (seed >> 15) % 4;
		in.retention_done = (seed >> 17) % 6;
		in.limit_ratio = awkward(&seed);
		in.signal_weight_done = awkward(&seed);
		in.signal_weight_total = awkward(&seed);
		in.previous_engagement = awkward(&seed);
		scoring_compute(&in, &s);
		if (!(s.activation >= 0 && s.activation <= 1) ||
		    !(s.engagement >= 0 && s.engagement <= 1) ||
		    !(s.expansion >= 0 && s.expansion <= 1) ||
		    (s.risk != RISK_LOW && s.risk != RISK_MEDIUM && s.risk != RISK_HIGH)) {
			diag("case %u out of range: %g %g %g %d", i, s.activation, s.engagement,
			    s.expansion, (int)s.risk);
			return 0;
		}
	}
	return 1;
}

int
main(void)
{
	struct scores s;
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		memset(&s, 0, sizeof(s));
		scoring_compute(&rows[i].in, &s);
		ok(near(s.activation, rows[i].activation), "%s: activation %.6f", rows[i].desc,
		    s.activation);
		ok(near(s.engagement, rows[i].engagement), "%s: engagement %.6f", rows[i].desc,
		    s.engagement);
		ok(near(s.expansion, rows[i].expansion), "%s: expansion %.6f", rows[i].desc,
		    s.expansion);
		ok(s.risk == rows[i].risk, "%s: risk %s", rows[i].desc, scoring_risk_name(s.risk));
	}
	ok(strcmp(scoring_risk_name(RISK_LOW), "low") == 0 &&
	    strcmp(scoring_risk_name(RISK_MEDIUM), "medium") == 0 &&
	    strcmp(scoring_risk_name(RISK_HIGH), "high") == 0, "risk names");
	ok(always_in_range(), "20000 awkward inputs: every score in 0..1, risk valid");
	return tap_done();
}
