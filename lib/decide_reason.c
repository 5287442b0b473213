/*
 * decide_reason.c — the reasoning sentence of a decision (decide.h).
 *
 * Two sentences, every clause from a fact the caller passed in: first the
 * user (days since the last activity, the stage and when it changed, the
 * engagement trend), then the action (its success rate in the user's
 * bucket with the counts behind it, or that data is still thin and the
 * policy is trying it to learn, and how it compares with the runner-up or
 * the leader it was preferred to). Nothing here is a canned sentence: a
 * reader can check each number against the decision log.
 */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "decide.h"

/* Fewer outcomes than this (own plus the weighted pooled prior) and the
 * estimate is called thin: the sentence says the policy is learning. */
#define THIN_OUTCOMES	10

#define DAY	86400

/* An appender that never overruns: text past len is cut. */
struct sbuf {
	char	*p;
	size_t	 len, used;
};

__attribute__((format(printf, 2, 3)))
static void
put(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->used + 1 >= b->len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->used, b->len - b->used, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->used += (size_t)n < b->len - b->used ? (size_t)n : b->len - b->used - 1;
}

/* Whole days from then to now, 0 for a future time. */
static long long
days_since(int64_t then, int64_t now)
{
	return now > then ? (long long)((now - then) / DAY) : 0;
}

/* An outcome count: "34", or "33.5" when partial outcomes made it
 * fractional. */
static void
fmt_count(double x, char *out, size_t len)
{
	if (fabs(x - round(x)) < 0.05)
		snprintf(out, len, "%.0f", x);
	else
		snprintf(out, len, "%.1f", x);
}

static int
pct(double x)
{
	return (int)lround(100 * (x < 0 ? 0 : x > 1 ? 1 : x));
}

/* "today", "yesterday", "3 days ago". */
static void
fmt_ago(long long days, char *out, size_t len)
{
	if (days == 0)
		snprintf(out, len, "today");
	else if (days == 1)
		snprintf(out, len, "yesterday");
	else
		snprintf(out, len, "%lld days ago", days);
}

/* First sentence: the facts about the user. */
static void
user_sentence(struct sbuf *b, const struct decide_user *u, int64_t now)
{
	long long d;
	char ago[32];
	double diff;

	if (u->last_activity_at <= 0)
		put(b, "This user has no recorded activity");
	else if ((d = days_since(u->last_activity_at, now)) == 0)
		put(b, "This user was active today");
	else if (d == 1)
		put(b, "This user was last active yesterday");
	else
		put(b, "This user hasn't been active for %lld days", d);

	if (u->stage != NULL && u->stage_changed_at > 0) {
		d = days_since(u->stage_changed_at, now);
		fmt_ago(d, ago, sizeof ago);
		if (u->prev_stage != NULL && strcmp(u->prev_stage, u->stage) != 0)
			put(b, ", moved from %s to %s %s", u->prev_stage, u->stage, ago);
		else if (d < 2)
			put(b, ", entered the %s stage %s", u->stage, ago);
		else
			put(b, ", has been in the %s stage for %lld days", u->stage, d);
	} else if (u->stage != NULL) {
		put(b, ", is in the %s stage", u->stage);
	}

	if (u->has_engagement_prev && isfinite(u->engagement_prev)) {
		diff = u->engagement - u->engagement_prev;
		if (fabs(diff) < 0.005)
			put(b, ", and engagement held at %.2f", u->engagement);
		else
			put(b, ", and engagement %s from %.2f to %.2f", diff < 0 ? "fell" : "rose",
			    u->engagement_prev, u->engagement);
	} else if (isfinite(u->engagement)) {
		put(b, ", and engagement is %.2f", u->engagement);
	}
	put(b, ". ");
}

/* The other usable arm the sentence compares with: the one of highest
 * mean besides the chosen (the runner-up when the chosen arm leads, the
 * leader when it does not); -1 when the chosen arm is alone. The server
 * also explains alternatives by passing a result whose chosen is one of
 * them, so nothing here assumes order[0] is the chosen arm. */
static int
rival(const struct decide_arm *arms, const struct decide_result *res)
{
	int i, k, best = -1;

	for (i = 0; i < res->n; i++) {
		k = res->order[i];
		if (k == res->chosen || !arms[k].usable)
			continue;
		if (best < 0 || arms[k].mean > arms[best].mean)
			best = k;
	}
	return best;
}

/* Second sentence: the chosen action's record in this bucket. */
static void
action_sentence(struct sbuf *b, const struct decide_arm *arms, int n,
    const struct decide_result *res, const struct decide_user *u)
{
	const struct decide_arm *c;
	char bucket[DECIDE_BUCKET_LEN], label[128], s[32], t[32];
	double own, pooled, a, bb, w;
	int r, i;

	if (res->chosen < 0 || res->chosen >= n) {
		for (i = 0; i < n && arms[i].usable; i++)
			;
		if (i < n)
			put(b, "No candidate action can be recommended (%s: %s).", arms[i].action,
			    arms[i].why_unusable);
		else
			put(b, "No candidate action was offered.");
		return;
	}
	c = &arms[res->chosen];
	decide_bucket(u, bucket);
	decide_bucket_label(bucket, label, sizeof label);
	own = c->own.succ + c->own.fail;
	pooled = c->pooled.succ + c->pooled.fail;
	decide_posterior(c, &a, &bb);
	w = a + bb - 2 - own;	/* the pooled prior's weight, after the cap */
	r = rival(arms, res);

	if (!(own + w >= THIN_OUTCOMES)) {
		fmt_count(own, s, sizeof s);
		if (own < 0.05)
			put(b, "There are no outcomes yet for %s among %s", c->action, label);
		else
			put(b, "Only %s outcome%s so far for %s among %s", s,
			    fabs(own - 1) < 0.05 ? "" : "s", c->action, label);
		if (pooled > 0) {
			fmt_count(pooled, t, sizeof t);
			put(b, " (similar customers add %s at %d%%)", t,
			    pct(c->pooled.succ / pooled));
		}
		put(b, "; trying it to learn");
		if (r >= 0 && arms[r].mean > c->mean)
			put(b, " while %s leads with an expected %d%%", arms[r].action,
			    pct(arms[r].mean));
		put(b, ".");
		return;
	}

	if (own >= 0.05) {
		fmt_count(c->own.succ, s, sizeof s);
		fmt_count(own, t, sizeof t);
		put(b, "%s worked for %s of %s %s (%d%%)", c->action, s, t, label,
		    pct(c->own.succ / own));
	} else {
		put(b, "%s has no outcomes of its own yet among %s", c->action, label);
	}
	if (pooled > 0) {
		fmt_count(pooled, t, sizeof t);
		put(b, ", and %d%% over %s outcomes at similar customers",
		    pct(c->pooled.succ / pooled), t);
	}
	if (r < 0)
		put(b, "; it is the only candidate.");
	else if (c->mean >= arms[r].mean)
		put(b, ", ahead of %s (expected %d%% vs %d%%).", arms[r].action, pct(c->mean),
		    pct(arms[r].mean));
	else if (res->explored)
		put(b, "; %s has the higher estimate (%d%% vs %d%%), but %s is still "
		    "uncertain enough to be worth exploring.", arms[r].action,
		    pct(arms[r].mean), pct(c->mean), c->action);
	else	/* an alternative the server explains */
		put(b, ", behind %s (expected %d%% vs %d%%).", arms[r].action, pct(c->mean),
		    pct(arms[r].mean));
}

void
decide_reasoning(const struct decide_arm *arms, int n, const struct decide_result *res,
    const struct decide_user *u, int64_t now, char *out, size_t len)
{
	struct sbuf b = { out, len, 0 };

	if (out == NULL || len == 0)
		return;
	out[0] = '\0';
	if (arms == NULL || res == NULL || u == NULL)
		return;
	user_sentence(&b, u, now);
	action_sentence(&b, arms, n, res, u);
}
