/*
 * sim.c — retivo-sim, the decision engine's measured quality (issue 6): a
 * synthetic population with hidden true response rates, fed through the
 * real API for N rounds, and the report the issue asks for in one run.
 *
 *   retivo-sim [--rounds N] [--users N] [--seed S] [--window W]
 *   retivo-sim --selftest
 *   retivo-sim --warm N --key KEY --user-prefix P --user-count U --actions a,b,c
 *
 * Needs RETIVO_BASE_URL, RETIVO_ADMIN and RETIVO_SQL as the API tests do
 * (tests/sim/run.sh sets them for a throwaway stack of its own).
 *
 * What it does:
 *   1. a fresh tenant on the scale plan (growth's 10,000 requests/hour are
 *      too few), the five action types of sim_model.c with their
 *      parameters_schemas, registered through the API;
 *   2. --users users (default 600) created through POST /api/events, then
 *      PINNED to one of four hidden contexts by setting lifecycle_stage,
 *      risk_level and the scores straight in MariaDB. This pins hidden
 *      contexts on purpose: how synthetic histories would be scored is not
 *      what is measured here (tests/bench/scores.sh is for that), the
 *      policy's learning per bucket is;
 *   3. for each round: a user drawn with a seeded generator, POST
 *      /api/decisions/recommend with all five actions, the outcome drawn
 *      from the hidden rate of the recommended action in the user's
 *      context (completed, else ignored), POST /api/decisions/{id}/outcome;
 *   4. the report: cumulative reward of our policy (realized, and expected
 *      from the hidden rates of what it chose), of uniform random choice,
 *      of the best fixed action and of the oracle, computed as expected
 *      rewards on the same user sequence; our share of the oracle and the
 *      margin over the best fixed action; the same per window of rounds;
 *   5. the offline evaluation: the whole decision log read back through
 *      GET /api/decisions (paged), and the IPS and self-normalized IPS
 *      estimates of three target policies from the logged propensities,
 *      next to their true values from the hidden rates.
 * Exit status: 0 when the run completed, 1 on setup failure, 2 when some
 * API answers were wrong (the figures are then not valid).
 *
 * --warm is for tests/bench/recommend.sh: recommend + outcome rounds for
 * existing users of an existing tenant, so the arms have data.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "../api/client.h"
#include "jsonschema.h"
#include "sim.h"

#define SIM_MAX_ERRORS	50	/* wrong answers before a run gives up */

struct sim_opts {
	int		 rounds, users, window, selftest;
	uint64_t	 seed;
	/* --warm */
	int		 warm, user_count;
	const char	*key, *user_prefix, *actions;
};

static struct json_object *sim_schemas[SIM_ACT];
static int sim_errors;

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Counts a wrong answer and says what it was; the caller carries on. */
static void
sim_error(const char *what, const struct resp *r)
{
	sim_errors++;
	if (sim_errors <= 10)
		fprintf(stderr, "sim: %s: %ld %.300s\n", what, r->status, r->body ? r->body : "");
}

static int
action_index(const char *name)
{
	int a;

	for (a = 0; name != NULL && a < SIM_ACT; a++)
		if (strcmp(name, sim_actions[a].name) == 0)
			return a;
	return -1;
}

/* Registers the action types; 0 or -1. */
static int
setup_actions(const char *key)
{
	struct resp r;
	int a;

	for (a = 0; a < SIM_ACT; a++) {
		if ((sim_schemas[a] = json_tokener_parse(sim_actions[a].schema)) == NULL)
			return -1;
		api(&r, "POST", "/api/external/action-types", key,
		    "{\"name\":\"%s\",\"description\":\"retivo-sim\",\"provider\":\"sim\","
		    "\"parameters_schema\":%s,\"delivery_webhook\":\"https://hooks.example.com/sim\"}",
		    sim_actions[a].name, sim_actions[a].schema);
		if (r.status != 201) {
			fprintf(stderr, "sim: registering %s: %ld %s\n", sim_actions[a].name, r.status,
			    r.body);
			resp_free(&r);
			return -1;
		}
		resp_free(&r);
	}
	return 0;
}

/* User i of context i % SIM_CTX. */
static void
user_id(int i, char *out, size_t len)
{
	snprintf(out, len, "sim-c%d-u%04d", i % SIM_CTX, i);
}

/* Creates the users through the events API, then pins their contexts. */
static int
setup_users(const struct fixture *f, int users)
{
	char body[16384], uid[32], out[256];
	size_t off;
	struct resp r;
	int i, j, c;

	for (i = 0; i < users; i += 100) {
		off = (size_t)snprintf(body, sizeof(body), "{\"events\":[");
		for (j = i; j < users && j < i + 100; j++) {
			user_id(j, uid, sizeof(uid));
			off += (size_t)snprintf(body + off, sizeof(body) - off,
			    "%s{\"user_id\":\"%s\",\"event\":\"signed_up\"}", j > i ? "," : "", uid);
		}
		snprintf(body + off, sizeof(body) - off, "]}");
		api(&r, "POST", "/api/events", f->key, "%s", body);
		if (r.status != 200) {
			fprintf(stderr, "sim: creating users: %ld %s\n", r.status, r.body);
			resp_free(&r);
			return -1;
		}
		resp_free(&r);
	}
	for (c = 0; c < SIM_CTX; c++) {
		const struct sim_ctx *x = &sim_ctxs[c];

		if (sql_query(out, sizeof(out), "UPDATE users SET lifecycle_stage = '%s', "
		    "risk_level = '%s', engagement_score = %.3f, activation_score = %.3f, "
		    "expansion_score = %.3f, stage_changed_at = UTC_TIMESTAMP() - INTERVAL 20 DAY, "
		    "last_activity_at = UTC_TIMESTAMP() - INTERVAL %d DAY "
		    "WHERE tenant_id = '%s' AND user_id LIKE 'sim-c%d-%%'", x->stage, x->risk,
		    x->engagement, x->activation, x->expansion, x->idle_days, f->tenant_id, c) != 0) {
			fprintf(stderr, "sim: pinning context %s failed: %s\n", x->name, out);
			return -1;
		}
	}
	if (sql_int("SELECT COUNT(*) FROM users WHERE tenant_id = '%s' AND user_id LIKE 'sim-%%'",
	    f->tenant_id) != users) {
		fprintf(stderr, "sim: the tenant does not hold %d sim users\n", users);
		return -1;
	}
	return 0;
}

/*
 * One recommend + outcome round for uid; the outcome is completed with
 * probability rate(action). Fills *action (-1 when no answer) and *reward;
 * bucket (when not NULL) gets user_context.bucket, reasoning the
 * recommendation's sentence. Returns 0, -1 on a wrong answer (counted).
 */
static int
sim_round(const char *key, const char *uid, const char *actions_json, int round,
    const double *rate_of, struct sim_rng *g, int *action, double *reward, char *bucket,
    size_t blen, char *reasoning, size_t rlen, int *invalid_params)
{
	struct json_object *params;
	struct resp r;
	char path[160], err[256], did[64];
	const char *s;
	int a, rc = -1;

	*action = -1;
	*reward = 0;
	api(&r, "POST", "/api/decisions/recommend", key,
	    "{\"user_id\":\"%s\",\"available_actions\":%s,\"context\":{\"source\":\"retivo-sim\","
	    "\"round\":%d}}", uid, actions_json, round);
	if (r.status != 200 || (s = jstr(&r, "decision_id")) == NULL ||
	    (a = action_index(jstr(&r, "recommendation.action"))) < 0) {
		sim_error("recommend", &r);
		goto out;
	}
	snprintf(did, sizeof(did), "%s", s);
	if (bucket != NULL)
		snprintf(bucket, blen, "%s", jstr(&r, "user_context.bucket") ?
		    jstr(&r, "user_context.bucket") : "?");
	if (reasoning != NULL)
		snprintf(reasoning, rlen, "%s", jstr(&r, "recommendation.reasoning") ?
		    jstr(&r, "recommendation.reasoning") : "?");
	params = jget(&r, "recommendation.parameters");
	if (invalid_params != NULL && a < SIM_ACT && sim_schemas[a] != NULL &&
	    jsonschema_validate(sim_schemas[a], params, err, sizeof(err)) != 1) {
		if (++*invalid_params <= 3)
			fprintf(stderr, "sim: parameters of %s do not validate: %s\n",
			    sim_actions[a].name, err);
	}
	resp_free(&r);
	*action = a;
	*reward = sim_rng_uniform(g) < rate_of[a] ? 1 : 0;
	snprintf(path, sizeof(path), "/api/decisions/%s/outcome", did);
	api(&r, "POST", path, key, "{\"status\":\"%s\"}", *reward > 0 ? "completed" : "ignored");
	if (r.status != 200 || jget(&r, "recorded") == NULL) {
		sim_error("outcome", &r);
		goto out;
	}
	rc = 0;
out:
	resp_free(&r);
	return rc;
}

/* ["a","b",...] of all the sim's actions into out. */
static void
actions_json(char *out, size_t len)
{
	size_t off = (size_t)snprintf(out, len, "[");
	int a;

	for (a = 0; a < SIM_ACT; a++)
		off += (size_t)snprintf(out + off, len - off, "%s\"%s\"", a ? "," : "",
		    sim_actions[a].name);
	snprintf(out + off, len - off, "]");
}

/* The percent-encoding of a cursor for a query string. */
static void
url_escape(const char *in, char *out, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	for (; *in != '\0' && o + 4 < len; in++) {
		unsigned char ch = (unsigned char)*in;

		if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
		    ch == '-' || ch == '_' || ch == '.' || ch == '~')
			out[o++] = (char)ch;
		else {
			out[o++] = '%';
			out[o++] = hex[ch >> 4];
			out[o++] = hex[ch & 15];
		}
	}
	out[o] = '\0';
}

/*
 * Reads the tenant's decision log (with outcomes) through GET
 * /api/decisions into log (at most cap entries). Returns the count, -1 on
 * a wrong answer. *bad counts decisions that could not be used.
 */
static long
read_log(const char *key, struct sim_logged *log, size_t cap, size_t *bad)
{
	char path[512], cur[400];
	struct json_object *list, *d, *v;
	struct resp r;
	const char *next, *uid;
	size_t n = 0, i, len;
	int c, a, more = 1;

	*bad = 0;
	cur[0] = '\0';
	while (more) {
		snprintf(path, sizeof(path), "/api/decisions?has_outcome=true&limit=100%s%s",
		    cur[0] ? "&cursor=" : "", cur);
		api(&r, "GET", path, key, NULL);
		if (r.status != 200 || (list = jget(&r, "decisions")) == NULL ||
		    !json_object_is_type(list, json_type_array)) {
			sim_error("GET /api/decisions", &r);
			resp_free(&r);
			return -1;
		}
		len = json_object_array_length(list);
		for (i = 0; i < len; i++) {
			d = json_object_array_get_idx(list, i);
			uid = json_object_get_string(json_object_object_get(d, "user_id"));
			a = action_index(json_object_get_string(json_object_object_get(d, "action")));
			v = json_object_object_get(d, "reward");
			if (uid == NULL || sscanf(uid, "sim-c%d-", &c) != 1 || c < 0 || c >= SIM_CTX ||
			    a < 0 || v == NULL || n >= cap) {
				(*bad)++;
				continue;
			}
			log[n].ctx = c;
			log[n].action = a;
			log[n].reward = json_object_get_double(v);
			log[n].propensity = json_object_get_double(json_object_object_get(d,
			    "propensity"));
			n++;
		}
		more = json_object_get_boolean(jget(&r, "has_more"));
		next = jstr(&r, "next_cursor");
		if (more && next == NULL) {
			sim_error("GET /api/decisions: has_more without next_cursor", &r);
			more = 0;
		} else if (more)
			url_escape(next, cur, sizeof(cur));
		resp_free(&r);
	}
	return (long)n;
}

static int
run_sim(const struct sim_opts *o)
{
	struct sim_round *rr = calloc((size_t)o->rounds, sizeof(*rr));
	int *ctx = calloc((size_t)o->rounds, sizeof(*ctx));
	struct sim_logged *log = calloc((size_t)o->rounds + 1, sizeof(*log));
	char acts[512], uid[32], bucket[64], buckets[SIM_CTX][64], reasoning[SIM_CTX][640];
	int mixed[SIM_CTX] = { 0 }, t, c, u, invalid = 0, rc = 1;
	double real = 0, expd = 0, t0, t1, share;
	struct sim_baselines b;
	struct sim_rng gu, go;
	struct fixture f;
	size_t bad = 0;
	long n;

	if (rr == NULL || ctx == NULL || log == NULL)
		goto out;
	for (c = 0; c < SIM_CTX; c++) {
		snprintf(buckets[c], sizeof(buckets[c]), "-");
		snprintf(reasoning[c], sizeof(reasoning[c]), "-");
	}
	if (fixture_tenant(&f, "scale", "standalone") != 0 || setup_actions(f.key) != 0 ||
	    setup_users(&f, o->users) != 0)
		goto out;
	fprintf(stderr, "sim: tenant %s, %d users in %d contexts, %d action types; %d rounds\n",
	    f.tenant_id, o->users, SIM_CTX, SIM_ACT, o->rounds);
	actions_json(acts, sizeof(acts));
	/* Two streams: which users come, and how they respond; the user
	 * sequence is then the same whatever the policy does. */
	sim_rng_seed(&gu, o->seed);
	sim_rng_seed(&go, o->seed ^ 0x5eed0f0ccu);
	t0 = now_s();
	for (t = 0; t < o->rounds && sim_errors < SIM_MAX_ERRORS; t++) {
		u = (int)sim_rng_below(&gu, (unsigned)o->users);
		c = ctx[t] = rr[t].ctx = u % SIM_CTX;
		user_id(u, uid, sizeof(uid));
		sim_round(f.key, uid, acts, t + 1, sim_rate[c], &go, &rr[t].action, &rr[t].reward,
		    bucket, sizeof(bucket), reasoning[c], sizeof(reasoning[c]), &invalid);
		if (rr[t].action >= 0) {
			if (strcmp(buckets[c], "-") == 0)
				snprintf(buckets[c], sizeof(buckets[c]), "%s", bucket);
			else if (strcmp(buckets[c], bucket) != 0)
				mixed[c]++;
			real += rr[t].reward;
			expd += sim_rate[c][rr[t].action];
		}
		if ((t + 1) % 500 == 0)
			fprintf(stderr, "sim: %d rounds, %.1f s\n", t + 1, now_s() - t0);
	}
	t1 = now_s();
	if (t < o->rounds) {
		fprintf(stderr, "sim: %d wrong answers: stopped after %d rounds\n", sim_errors, t);
		goto out;
	}
	sim_baselines(ctx, (size_t)o->rounds, &b);
	share = b.oracle > 0 ? expd / b.oracle : 0;

	printf("Retivo decision simulator — %d rounds, %d users in %d hidden contexts, %d actions, "
	    "seed %llu\n", o->rounds, o->users, SIM_CTX, SIM_ACT, (unsigned long long)o->seed);
	printf("%d recommend + outcome round trips in %.1f s (%.0f rounds/s)\n\n", o->rounds, t1 - t0,
	    o->rounds / (t1 - t0));
	printf("Cumulative reward over %d rounds:\n", o->rounds);
	printf("  %-50s %9.1f  (%.1f%% of the oracle)\n", "our policy (realized outcomes)", real,
	    b.oracle > 0 ? 100 * real / b.oracle : 0);
	printf("  %-50s %9.1f  (%.1f%% of the oracle)\n", "our policy (expected: hidden rates of its "
	    "choices)", expd, 100 * share);
	printf("  %-50s %9.1f  (%.1f%%)\n", "uniform random choice (expected)", b.random,
	    100 * b.random / b.oracle);
	snprintf(bucket, sizeof(bucket), "best fixed action: %s (expected)",
	    sim_actions[b.best_fixed].name);
	printf("  %-50s %9.1f  (%.1f%%)\n", bucket, b.fixed[b.best_fixed],
	    100 * b.fixed[b.best_fixed] / b.oracle);
	printf("  %-50s %9.1f\n", "oracle: best action per context (expected)", b.oracle);
	printf("Share of the oracle: %.1f%% (target >= 90%%: %s); margin over the best fixed action: "
	    "%+.1f reward (%+.1f%%)\n", 100 * share, share >= 0.9 ? "MET" : "MISSED",
	    expd - b.fixed[b.best_fixed], 100 * (expd / b.fixed[b.best_fixed] - 1));
	sim_report_windows(rr, ctx, o->rounds, o->window, b.best_fixed);
	sim_report_choices(rr, o->rounds, o->window, buckets);
	for (c = 0; c < SIM_CTX; c++)
		if (mixed[c])
			printf("  WARNING: context %s answered with %d other buckets\n", sim_ctxs[c].name,
			    mixed[c]);
	printf("\nParameters that did not validate against their schema: %d\n", invalid);
	printf("Last reasoning per context:\n");
	for (c = 0; c < SIM_CTX; c++)
		printf("  %-11s %s\n", sim_ctxs[c].name, reasoning[c]);

	if ((n = read_log(f.key, log, (size_t)o->rounds + 1, &bad)) < 0)
		goto out;
	sim_report_offline(log, (size_t)n, b.best_fixed);
	if ((size_t)n + bad != (size_t)o->rounds || bad != 0)
		printf("  WARNING: the log held %ld usable decisions (+%zu unusable) for %d rounds\n", n,
		    bad, o->rounds);
	rc = 0;
out:
	if (sim_errors > 0) {
		printf("\n!!! %d wrong API answers: the figures are NOT valid\n", sim_errors);
		rc = 2;
	}
	free(rr);
	free(ctx);
	free(log);
	return rc;
}

/* --warm: rounds for existing users, rates by action (0.1 to 0.4) so that
 * the arms hold varied data. */
static int
run_warm(const struct sim_opts *o)
{
	char acts[1024], uid[300], *list, *p;
	double rate[32], reward, t0;
	int n = 0, t, a, ok = 0;
	struct sim_rng g;
	size_t off;

	if (o->key == NULL || o->user_prefix == NULL || o->actions == NULL || o->user_count < 1) {
		fprintf(stderr, "sim: --warm needs --key, --user-prefix, --user-count, --actions\n");
		return 1;
	}
	if ((list = strdup(o->actions)) == NULL)
		return 1;
	off = (size_t)snprintf(acts, sizeof(acts), "[");
	for (p = strtok(list, ","); p != NULL && n < 32; p = strtok(NULL, ","), n++) {
		off += (size_t)snprintf(acts + off, sizeof(acts) - off, "%s\"%s\"", n ? "," : "", p);
		rate[n] = 0.1 + 0.1 * (n % 4);
	}
	snprintf(acts + off, sizeof(acts) - off, "]");
	free(list);
	sim_rng_seed(&g, o->seed);
	t0 = now_s();
	for (t = 0; t < o->warm && sim_errors < SIM_MAX_ERRORS; t++) {
		snprintf(uid, sizeof(uid), "%s%u", o->user_prefix,
		    sim_rng_below(&g, (unsigned)o->user_count));
		if (sim_round(o->key, uid, acts, t + 1, rate, &g, &a, &reward, NULL, 0, NULL, 0,
		    NULL) == 0)
			ok++;
	}
	printf("warm: %d of %d rounds recorded in %.1f s\n", ok, o->warm, now_s() - t0);
	return sim_errors > 0 ? 2 : 0;
}

static int
parse_int(const char *s, int lo, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < lo || v > 100000000)
		return -1;
	*out = (int)v;
	return 0;
}

int
main(int argc, char **argv)
{
	struct sim_opts o = { 5000, 600, 500, 0, 1, 0, 0, NULL, NULL, NULL };
	int i, rc, bad = 0;

	for (i = 1; i < argc && !bad; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(argv[i], "--selftest") == 0) {
			o.selftest = 1;
			continue;
		}
		if (v == NULL) {
			bad = 1;
			break;
		}
		i++;
		if (strcmp(argv[i - 1], "--rounds") == 0)
			bad = parse_int(v, 1, &o.rounds);
		else if (strcmp(argv[i - 1], "--users") == 0)
			bad = parse_int(v, SIM_CTX, &o.users) || o.users > 9999;
		else if (strcmp(argv[i - 1], "--window") == 0)
			bad = parse_int(v, 1, &o.window);
		else if (strcmp(argv[i - 1], "--seed") == 0)
			o.seed = strtoull(v, NULL, 10);
		else if (strcmp(argv[i - 1], "--warm") == 0)
			bad = parse_int(v, 1, &o.warm);
		else if (strcmp(argv[i - 1], "--user-count") == 0)
			bad = parse_int(v, 1, &o.user_count);
		else if (strcmp(argv[i - 1], "--key") == 0)
			o.key = v;
		else if (strcmp(argv[i - 1], "--user-prefix") == 0)
			o.user_prefix = v;
		else if (strcmp(argv[i - 1], "--actions") == 0)
			o.actions = v;
		else
			bad = 1;
	}
	if (bad) {
		fprintf(stderr, "usage: retivo-sim [--rounds N] [--users N] [--seed S] [--window W]\n"
		    "       retivo-sim --selftest\n"
		    "       retivo-sim --warm N --key KEY --user-prefix P --user-count U "
		    "--actions a,b,c [--seed S]\n");
		return 1;
	}
	if (o.selftest)
		return sim_ips_selftest(o.seed) == 0 ? 0 : 1;
	if (client_init() != 0)
		return 1;
	rc = o.warm > 0 ? run_warm(&o) : run_sim(&o);
	client_cleanup();
	return rc;
}
