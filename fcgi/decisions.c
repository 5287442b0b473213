/*
 * decisions.c — /api/decisions and /api/interventions/dry-run, the
 * decision engine (issue 6, seed 000 "Get Recommendation", seed 001/003
 * "Dry-run"): recommend an action for a user from the tenant's action
 * types, log the decision, learn from the outcome reported on it, list and
 * read the log, and preview a decision without writing anything.
 *
 * The policy is lib/decide.h (pure); this file validates input, reads the
 * user and the candidates through lib/decision.h, seeds the policy's
 * generator from the OS for each request, and shapes the responses.
 *
 * The dry-run also evaluates the tenant's active playbooks as the evaluate
 * job would at this instant (lib/evaluate.h, nothing written): each one's
 * verdict and why go to rules.playbooks, context.matched_playbooks counts
 * the matches, and the first matched playbook is the decision (its
 * playbook_id, channel, confidence and reasoning). When the tenant has
 * active playbooks and none matches, the decision is a skip with reason
 * no_playbook_matched (nothing would be created). A tenant without active
 * playbooks keeps the action-type recommendation of issue 6 (playbook_id
 * null, channel external_action).
 *
 * Scopes: recommend takes decide or full; an outcome decide, manage or
 * full; reading the log and the dry-run read, decide, manage or full.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "decide.h"
#include "decision.h"
#include "evaluate.h"
#include "event.h"
#include "http.h"
#include "ids.h"
#include "jsonin.h"
#include "jsonout.h"
#include "log.h"
#include "page.h"
#include "reply.h"

static void decisions_recommend(struct http_req *);
static void decisions_list(struct http_req *);
static void decisions_get(struct http_req *);
static void decisions_outcome(struct http_req *);
static void interventions_dry_run(struct http_req *);

enum route {
	ROUTE_RECOMMEND,
	ROUTE_LIST,
	ROUTE_GET,
	ROUTE_OUTCOME,
	ROUTE_DRY_RUN,
	ROUTE__MAX
};

#define DECIDE (SCOPE_DECIDE | SCOPE_FULL)
#define REPORT (SCOPE_DECIDE | SCOPE_MANAGE | SCOPE_FULL)
#define READ (SCOPE_READ | SCOPE_DECIDE | SCOPE_MANAGE | SCOPE_FULL)

static const struct http_route routes[ROUTE__MAX] = {
	[ROUTE_RECOMMEND] = { "POST", "/api/decisions/recommend", DECIDE, decisions_recommend, 0 },
	[ROUTE_LIST] = { "GET", "/api/decisions", READ, decisions_list, 0 },
	[ROUTE_GET] = { "GET", "/api/decisions/:id", READ, decisions_get, 0 },
	[ROUTE_OUTCOME] = { "POST", "/api/decisions/:id/outcome", REPORT, decisions_outcome, 0 },
	[ROUTE_DRY_RUN] = { "POST", "/api/interventions/dry-run", READ, interventions_dry_run, 0 },
};

static const char *const recommend_fields[] = { "user_id", "available_actions", "domain",
	"context", NULL };
static const char *const dry_run_fields[] = { "user_id", "available_actions", NULL };
static const char *const list_fields[] = { "user_id", "action", "since", "has_outcome",
	"limit", "cursor", NULL };
static const char *const outcome_fields[] = { "status", "result", NULL };
static const char *const outcome_statuses[] = { "completed", "partial", "ignored", "rejected",
	NULL };

/* What one request decides over: the user, the candidates and the arms. */
struct choice {
	struct decision_user	 du;
	struct decision_cands	 cs;
	char			 bucket[DECIDE_BUCKET_LEN];
	struct decide_arm	 arms[DECIDE_MAX_ARMS];
	int			 cand[DECIDE_MAX_ARMS];	/* arms[i] is cs.c[cand[i]] */
	int			 n;
	struct decide_result	 res;
};

static void
choice_clear(struct choice *ch)
{
	decide_arms_clear(ch->arms, ch->n);
	decision_cands_free(&ch->cs);
}

/* Reads available_actions (names, unique) into names; failures land in v. */
static int
read_names(struct in *v, struct json_object *arr, const char **names)
{
	struct json_object *e;
	const char *s;
	char field[40];
	int i, j, n;

	if (arr == NULL || v->failed)
		return 0;
	n = (int)json_object_array_length(arr);
	for (i = 0; i < n; i++) {
		snprintf(field, sizeof(field), "available_actions[%d]", i);
		e = json_object_array_get_idx(arr, (size_t)i);
		if (!json_object_is_type(e, json_type_string) ||
		    (s = json_object_get_string(e)) == NULL || *s == '\0' || strlen(s) > 64) {
			in_fail(v, field, "invalid_field", "must be an action type name (1-64 characters)");
			return 0;
		}
		for (j = 0; j < i; j++)
			if (strcmp(names[j], s) == 0) {
				in_fail(v, field, "invalid_field", "%s is listed twice", s);
				return 0;
			}
		names[i] = s;
	}
	return n;
}

/*
 * Loads the user and the candidates into ch: the listed names (each an
 * active type of the tenant, in domain when given) or, with n == 0, every
 * active type. Answers the request itself on a failure and returns -1;
 * 0 when ch is ready.
 */
static int
choice_load(struct http_req *r, struct in *v, struct choice *ch, const char *user_id,
    const char **names, int n, const char *domain)
{
	struct decision_cand *c;
	char field[40];
	int i, k, rc;

	if ((rc = decision_user_load(r->auth.tenant_id, user_id, &ch->du)) < 0) {
		http_internal(r);
		return -1;
	}
	if (rc == 1) {
		http_error(r, 404, "user_not_found", "no user %s: send an event or $identify first",
		    user_id);
		return -1;
	}
	decide_bucket(&ch->du.u, ch->bucket);
	if (decision_cands_load(r->auth.tenant_id, ch->du.partner, ch->bucket, &ch->cs) != 0) {
		http_internal(r);
		return -1;
	}
	for (i = 0; i < (n > 0 ? n : ch->cs.n) && ch->n < DECIDE_MAX_ARMS; i++) {
		snprintf(field, sizeof(field), "available_actions[%d]", i);
		k = n > 0 ? decision_cands_find(&ch->cs, names[i]) : i;
		if (k < 0 || !ch->cs.c[k].active) {
			if (n == 0)
				continue;
			in_fail(v, field, "invalid_field", "no active action type named %s; register "
			    "it with POST /api/external/action-types", names[i]);
			break;
		}
		c = &ch->cs.c[k];
		if (!decision_cand_ready(c, r->auth.tenant_id))	/* no longer parses (logged) */
			continue;
		if (domain != NULL && (c->domain == NULL || strcmp(c->domain, domain) != 0)) {
			in_fail(v, field, "invalid_field", "the action type %s is not in domain %s",
			    names[i], domain);
			break;
		}
		ch->cand[ch->n] = k;
		ch->arms[ch->n].action = c->name;
		ch->arms[ch->n].schema = c->schema;
		ch->arms[ch->n].own = c->own;
		ch->arms[ch->n].pooled = c->pooled;
		ch->arms[ch->n].param_stats = c->param_stats;
		ch->n++;
	}
	return in_reject(v, r) ? -1 : 0;
}

/* Runs the policy on ch with a generator seeded from the OS. 0 or -1 (answered). */
static int
choice_run(struct http_req *r, struct choice *ch)
{
	struct decide_rng g;
	unsigned char seed[8];
	uint64_t s = 0;
	int i;

	if (crypto_random(seed, sizeof(seed)) != 0) {
		log_err("decisions: no random seed");
		http_internal(r);
		return -1;
	}
	for (i = 0; i < 8; i++)
		s = s << 8 | seed[i];
	decide_rng_seed(&g, s);
	if (decide_choose(ch->arms, ch->n, &ch->du.u, r->now, &g, &ch->res) != 0) {
		log_err("decisions: decide_choose refused %d arms", ch->n);
		http_internal(r);
		return -1;
	}
	return 0;
}

/* The probability logged for the chosen arm: its p_best, only kept inside
 * (0, 1] (an underflowed estimate would make an inverse-propensity weight
 * infinite); small values are left as they are, offline estimators floor
 * them as they see fit. */
static double
propensity(const struct decide_arm *a)
{
	double p = a->p_best;

	return p > 1 ? 1 : p >= DECISION_PROPENSITY_MIN ? p : DECISION_PROPENSITY_MIN;
}

static struct json_object *
user_context(const struct choice *ch, int64_t now)
{
	struct json_object *o = json_object_new_object();
	long long idle = decision_days_idle(&ch->du.u, now);

	jo_str(o, "lifecycle_stage", ch->du.stage);
	jo_double(o, "activation_score", ch->du.u.activation);
	jo_double(o, "engagement_score", ch->du.u.engagement);
	jo_double(o, "expansion_score", ch->du.u.expansion);
	jo_str(o, "risk_level", ch->du.risk);
	if (idle >= 0)
		jo_int(o, "days_since_last_activity", idle);
	else
		json_object_object_add(o, "days_since_last_activity", NULL);
	return o;
}

/* {"action", "parameters", "confidence", "reasoning"} of arm i, its
 * reasoning as if it were the one chosen. */
static struct json_object *
arm_json(const struct choice *ch, int i, int64_t now)
{
	struct json_object *o = json_object_new_object();
	struct decide_result alt;
	char why[DECIDE_REASONING_LEN];

	jo_str(o, "action", ch->arms[i].action);
	json_object_object_add(o, "parameters", json_object_get(ch->arms[i].parameters));
	jo_double(o, "confidence", ch->arms[i].mean);
	if (i == ch->res.chosen)
		jo_str(o, "reasoning", ch->res.reasoning);
	else {
		alt = ch->res;
		alt.chosen = i;
		alt.explored = 0;
		alt.confidence = ch->arms[i].mean;
		decide_reasoning(ch->arms, ch->n, &alt, &ch->du.u, now, why, sizeof(why));
		jo_str(o, "reasoning", why);
	}
	return o;
}

/* [{"action", "mean", "p_best"[, "outcomes"]}] of the usable arms, ranked. */
static struct json_object *
candidates_json(const struct choice *ch, int with_outcomes)
{
	struct json_object *a = json_object_new_array(), *o;
	int i, k;

	for (i = 0; i < ch->res.n; i++) {
		k = ch->res.order[i];
		o = json_object_new_object();
		jo_str(o, "action", ch->arms[k].action);
		jo_double(o, "mean", ch->arms[k].mean);
		jo_double(o, "p_best", ch->arms[k].p_best);
		if (with_outcomes)
			jo_int(o, "outcomes", ch->cs.c[ch->cand[k]].outcomes);
		json_object_array_add(a, o);
	}
	return a;
}

static const char *
plain(struct json_object *o)
{
	return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
}

/* The 200 for an opted-out or paused user: nothing decided, nothing logged. */
static void
recommend_none(struct http_req *r, const struct choice *ch, const char *user_id,
    const char *domain, const char *reason)
{
	struct json_object *out = json_object_new_object(), *uc;

	json_object_object_add(out, "decision_id", NULL);
	jo_str(out, "user_id", user_id);
	jo_str(out, "domain", domain);
	json_object_object_add(out, "recommendation", NULL);
	json_object_object_add(out, "alternatives", json_object_new_array());
	jo_str(out, "reason", reason);
	uc = user_context(ch, r->now);
	jo_str(uc, "bucket", ch->bucket);
	json_object_object_add(out, "user_context", uc);
	http_json(r, 200, out);
}

static void
decisions_recommend(struct http_req *r)
{
	struct choice ch;
	struct decision_new d;
	struct json_object *avail, *context, *out = NULL, *alts, *cands = NULL, *uc;
	const char *names[DECIDE_MAX_ARMS], *user_id, *domain;
	char id[48];
	struct in v;
	int n, i, c;

	memset(&ch, 0, sizeof(ch));
	memset(&d, 0, sizeof(d));
	in_init(&v, r->body, NULL);
	in_only(&v, recommend_fields);
	user_id = in_str(&v, "user_id", IN_REQUIRED, 1, DECISION_USER_ID_MAX);
	if (user_id != NULL && !event_user_id_valid(user_id))
		in_fail(&v, "user_id", "invalid_field", "must not contain control characters");
	avail = in_arr(&v, "available_actions", IN_REQUIRED, 1, DECIDE_MAX_ARMS);
	domain = in_str(&v, "domain", IN_NULLABLE, 1, 100);
	context = in_obj(&v, "context", IN_NULLABLE);
	if (context != NULL && strlen(plain(context)) > DECISION_CONTEXT_MAX)
		in_fail(&v, "context", "invalid_field", "must serialize to at most %d bytes",
		    DECISION_CONTEXT_MAX);
	n = read_names(&v, avail, names);
	if (in_reject(&v, r))
		return;
	if (choice_load(r, &v, &ch, user_id, names, n, domain) != 0)
		goto out;
	if (ch.du.opted_out || ch.du.paused) {
		recommend_none(r, &ch, user_id, domain, ch.du.opted_out ? "user_opted_out" :
		    "user_paused");
		goto out;
	}
	if (ch.n == 0) {
		http_error(r, 422, "no_usable_action", "no listed action type has a usable "
		    "parameters_schema");
		goto out;
	}
	if (choice_run(r, &ch) != 0)
		goto out;
	if ((c = ch.res.chosen) < 0) {
		http_error(r, 422, "no_usable_action", "no listed action type can be given "
		    "parameters valid against its parameters_schema (%s: %s)", ch.arms[0].action,
		    ch.arms[0].why_unusable);
		goto out;
	}
	cands = candidates_json(&ch, 0);
	d.user_id = user_id;
	d.domain = domain;
	d.bucket = ch.bucket;
	d.action = ch.arms[c].action;
	d.parameters = plain(ch.arms[c].parameters);
	d.reasoning = ch.res.reasoning;
	d.candidates = plain(cands);
	d.context = context != NULL ? plain(context) : NULL;
	d.confidence = ch.res.confidence;
	d.propensity = propensity(&ch.arms[c]);
	d.explored = ch.res.explored;
	if (decision_insert(r->auth.tenant_id, &d, r->now, id) != 0) {
		http_internal(r);
		goto out;
	}
	out = json_object_new_object();
	jo_str(out, "decision_id", id);
	jo_str(out, "user_id", user_id);
	jo_str(out, "domain", domain);
	json_object_object_add(out, "recommendation", arm_json(&ch, c, r->now));
	alts = json_object_new_array();
	for (i = 1; i < ch.res.n; i++)
		json_object_array_add(alts, arm_json(&ch, ch.res.order[i], r->now));
	json_object_object_add(out, "alternatives", alts);
	uc = user_context(&ch, r->now);
	jo_str(uc, "bucket", ch.bucket);
	json_object_object_add(out, "user_context", uc);
	http_json(r, 200, out);
out:
	if (cands != NULL)
		json_object_put(cands);
	choice_clear(&ch);
}

static void
decisions_list(struct http_req *r)
{
	struct decision_filter f;
	struct json_object *arr;
	const char *cursor;
	struct in v;
	int limit, has_more, bad_cursor;

	memset(&f, 0, sizeof(f));
	in_init(&v, r->query, NULL);
	in_only(&v, list_fields);
	f.user_id = in_str(&v, "user_id", IN_QUERY, 1, DECISION_USER_ID_MAX);
	f.action = in_str(&v, "action", IN_QUERY, 1, 64);
	f.since = in_time(&v, "since", IN_QUERY, &f.has_since);
	f.has_outcome = in_has(&v, "has_outcome") ? in_bool(&v, "has_outcome", IN_QUERY, 0) : -1;
	page_params(&v, &limit, &cursor);
	if (in_reject(&v, r))
		return;
	arr = decision_list(r->auth.tenant_id, &f, limit, cursor, &has_more, &bad_cursor);
	reply_page(r, "decisions", "a decision", arr, has_more, bad_cursor);
}

static void
decisions_get(struct http_req *r)
{
	reply_get(r, "dec", "decision", "decision", decision_get_json);
}

static void
decisions_outcome(struct http_req *r)
{
	struct json_object *result, *out;
	const char *text = NULL;
	struct in v;
	double reward = 0;
	int status, rc;

	if (!id_has_prefix(r->params[0], "dec")) {
		http_not_found(r, "decision");
		return;
	}
	in_init(&v, r->body, NULL);
	in_only(&v, outcome_fields);
	status = in_enum(&v, "status", IN_REQUIRED, outcome_statuses);
	result = in_obj(&v, "result", IN_NULLABLE);
	if (in_reject(&v, r))
		return;
	if (result != NULL)
		text = plain(result);
	rc = decision_outcome_record(r->auth.tenant_id, r->params[0], outcome_statuses[status],
	    text, r->now, &reward);
	if (rc == DECISION_OUTCOME_NOT_FOUND) {
		http_not_found(r, "decision");
		return;
	}
	if (rc == DECISION_OUTCOME_DUPLICATE) {
		http_error(r, 409, "outcome_exists",
		    "an outcome was already reported for decision %s", r->params[0]);
		return;
	}
	if (rc != DECISION_OUTCOME_OK) {
		http_internal(r);
		return;
	}
	out = json_object_new_object();
	json_object_object_add(out, "recorded", json_object_new_boolean(1));
	jo_str(out, "decision_id", r->params[0]);
	jo_str(out, "outcome_status", outcome_statuses[status]);
	jo_double(out, "reward", reward);
	http_json(r, 200, out);
}

/* The dry-run's "decision" object. */
static struct json_object *
dry_decision(const struct choice *ch, const char *user_id)
{
	struct json_object *o;
	const char *reason = NULL;
	char why[DECIDE_REASONING_LEN];
	int c = ch->res.chosen;

	if (ch->du.opted_out)
		reason = "user_opted_out";
	else if (ch->du.paused)
		reason = "user_paused";
	else if (ch->n == 0)
		reason = "no_active_action_types";
	else if (c < 0)
		reason = "no_valid_parameters";
	if (reason != NULL) {
		if (ch->du.opted_out || ch->du.paused)
			snprintf(why, sizeof(why), "User %s is %s, so no intervention would be "
			    "sent.", user_id, ch->du.opted_out ? "opted out" : "paused");
		else if (ch->n == 0)
			snprintf(why, sizeof(why), "The tenant has no active action type to offer "
			    "user %s (%s).", user_id, ch->bucket);
		else
			snprintf(why, sizeof(why), "No action type could be given valid parameters "
			    "for user %s (%s: %s).", user_id, ch->arms[0].action,
			    ch->arms[0].why_unusable);
		return evaluate_skip_json(why, reason);
	}
	o = json_object_new_object();
	jo_str(o, "action", "intervene");
	jo_str(o, "action_type", ch->arms[c].action);
	json_object_object_add(o, "parameters", json_object_get(ch->arms[c].parameters));
	json_object_object_add(o, "playbook_id", NULL);
	jo_str(o, "channel", "external_action");
	jo_double(o, "confidence", ch->res.confidence);
	jo_str(o, "reasoning", ch->res.reasoning);
	jo_str(o, "reason", ch->res.explored ? "exploring_uncertain_action" :
	    "best_expected_reward");
	return o;
}

static void
interventions_dry_run(struct http_req *r)
{
	struct choice ch;
	struct eval_report *rep = NULL;
	struct json_object *avail, *out, *rules, *ctx, *dec;
	const char *names[DECIDE_MAX_ARMS], *user_id;
	struct in v;
	int n, i, matched = 0;

	memset(&ch, 0, sizeof(ch));
	ch.res.chosen = -1;
	in_init(&v, r->body, NULL);
	in_only(&v, dry_run_fields);
	user_id = in_str(&v, "user_id", IN_REQUIRED, 1, DECISION_USER_ID_MAX);
	if (user_id != NULL && !event_user_id_valid(user_id))
		in_fail(&v, "user_id", "invalid_field", "must not contain control characters");
	avail = in_arr(&v, "available_actions", IN_NULLABLE, 1, DECIDE_MAX_ARMS);
	n = read_names(&v, avail, names);
	if (in_reject(&v, r))
		return;
	if (choice_load(r, &v, &ch, user_id, names, n, NULL) != 0)
		goto out;
	if ((rep = malloc(sizeof(*rep))) == NULL) {
		log_err("dry-run: out of memory");
		http_internal(r);
		goto out;
	}
	/* The user exists (choice_load); 1 would be a race with a delete: no playbook. */
	if (evaluate_user(r->auth.tenant_id, user_id, r->now, 1, rep) < 0) {
		http_internal(r);
		goto out;
	}
	for (i = 0; i < rep->n; i++)
		matched += rep->m[i].verdict == EVAL_MATCHED;
	if (rep->n == 0 && ch.n > 0 && choice_run(r, &ch) != 0)
		goto out;
	out = json_object_new_object();
	json_object_object_add(out, "dry_run", json_object_new_boolean(1));
	if ((dec = evaluate_decision_json(rep, user_id)) == NULL)
		dec = dry_decision(&ch, user_id);
	json_object_object_add(out, "decision", dec);
	rules = json_object_new_object();
	jo_str(rules, "lifecycle_stage", ch.du.stage);
	jo_str(rules, "bucket", ch.bucket);
	jo_bool(rules, "opted_out", ch.du.opted_out);
	jo_bool(rules, "paused", ch.du.paused);
	json_object_object_add(rules, "candidates", candidates_json(&ch, 1));
	json_object_object_add(rules, "playbooks", evaluate_report_json(rep));
	json_object_object_add(out, "rules", rules);
	ctx = user_context(&ch, r->now);
	jo_int(ctx, "matched_playbooks", matched);
	json_object_object_add(out, "context", ctx);
	http_json(r, 200, out);
out:
	free(rep);
	choice_clear(&ch);
}

int
main(int argc, char **argv)
{
	return http_serve(argc, argv, "retivo-decisions", routes, ROUTE__MAX);
}
