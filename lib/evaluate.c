/*
 * evaluate.c — see evaluate.h. The order of the gates for one playbook
 * and user is entry, exit, win-back entry, cooldown, frequency cap; the
 * first that refuses gives the verdict, so the dry-run names the one
 * reason that matters.
 *
 * Reasoning and confidence:
 *  - external_action: the decision engine proper. The playbook names one
 *    action type (constraints.action_type); its arm for the user's bucket
 *    (lib/decision.h) goes through decide_choose(), which picks the
 *    parameters from the type's parameters_schema by Thompson sampling and
 *    writes the reasoning; the decision is logged (decision_id on the
 *    intervention) so the action's outcome feeds the arm.
 *  - email, webhook, escalation: the playbook's own success rate. The
 *    confidence is the posterior mean of Beta(1 + converted, 1 + treated -
 *    converted) over the users the playbook reached (delivered) and those
 *    of them whose exit condition was later observed (playbook_conversions,
 *    refreshed at the start of each tenant's run), i.e. 0.5 until there is
 *    evidence. The reasoning says which clauses matched and that record.
 *
 * Writes: one transaction per created intervention (the win-back entry
 * marked taken and the intervention), after the message was composed (an
 * LLM draft never runs inside a transaction). The escalation channel's
 * case is opened by the deliver job, like any other channel's send. The
 * tenant is held by the job's advisory lock, so the gates read before the
 * transaction cannot be raced by another run.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "db.h"
#include "decide.h"
#include "decision.h"
#include "evaluate.h"
#include "evaluate_int.h"
#include "intervention.h"
#include "jsonout.h"
#include "log.h"
#include "message.h"
#include "playbook.h"
#include "settings.h"
#include "timeutil.h"

#define DAY 86400LL

static const char *const verdict_names[] = { "matched", "no_entry", "exited", "no_winback",
	"cooldown", "capped", "no_action" };

const char *
eval_verdict_name(enum eval_verdict v)
{
	return (unsigned)v < sizeof(verdict_names) / sizeof(verdict_names[0]) ?
	    verdict_names[v] : "unknown";
}

/* A test-mode tenant has no live key in use: nothing reaches a user. */
static struct db_stmt ev_tenant_live = DB_STMT(
    "SELECT COUNT(*) FROM api_keys WHERE tenant_id = ? AND mode = 'live' "
    "AND revoked_at IS NULL");
static struct db_stmt ev_pb_record = DB_STMT(
    "SELECT (SELECT COUNT(DISTINCT user_id) FROM interventions WHERE tenant_id = ? "
    " AND playbook_id = ? AND delivered_at IS NOT NULL AND holdout = 0), "
    "(SELECT COUNT(*) FROM playbook_conversions WHERE tenant_id = ? AND playbook_id = ? "
    " AND grp = 'treated')");
/* The user's latest intervention of the playbook, and whether one is still
 * on its way (a second would only queue behind it). */
static struct db_stmt ev_latest = DB_STMT(
    "SELECT id, status, created_at FROM interventions WHERE tenant_id = ? AND playbook_id = ? "
    "AND user_id = ? ORDER BY created_at DESC, seq DESC LIMIT 1");
static struct db_stmt ev_cap_count = DB_STMT(
    "SELECT COUNT(*) FROM interventions WHERE tenant_id = ? AND user_id = ? "
    "AND created_at > ? AND status NOT IN ('rejected', 'cancelled')");
static struct db_stmt ev_winback_due = DB_STMT(
    "SELECT churned_at, due_at FROM winback_entries WHERE tenant_id = ? AND user_id = ? "
    "AND offset_days = ? AND status = 'due' AND due_at <= ? "
    "ORDER BY churned_at DESC LIMIT 1");

void
eval_tenant_clear(struct eval_tenant *t)
{
	playbook_free_array(t->pbs, t->n);
	free(t->treated);
	free(t->converted);
	memset(t, 0, sizeof(*t));
}

int
eval_tenant_load(const char *tenant_id, struct eval_tenant *t)
{
	struct tenant_settings ts;
	struct json_object *o;
	size_t i;

	memset(t, 0, sizeof(*t));
	t->tenant_id = tenant_id;
	if (settings_load(tenant_id, &ts) != 0)
		return -1;
	t->shadow = json_object_object_get_ex(ts.settings, "shadow_mode", &o) &&
	    json_object_get_boolean(o);
	snprintf(t->tz_default, sizeof(t->tz_default), "%s",
	    json_object_object_get_ex(ts.settings, "timezone_default", &o) &&
	    json_object_is_type(o, json_type_string) ? json_object_get_string(o) : "UTC");
	settings_clear(&ts);
	if (db_exec(&ev_tenant_live, "s", tenant_id) != 0)
		return -1;
	t->test_tenant = db_fetch(&ev_tenant_live) == 1 && db_col_int(&ev_tenant_live, 0) == 0;
	db_done(&ev_tenant_live);
	if (playbook_list_active(tenant_id, &t->pbs, &t->n) != 0)
		return -1;
	if (t->n > EVAL_MAX_PLAYBOOKS) {
		log_warn("evaluate: tenant %s has %zu active playbooks, trying the oldest %d",
		    tenant_id, t->n, EVAL_MAX_PLAYBOOKS);
		for (i = EVAL_MAX_PLAYBOOKS; i < t->n; i++)
			playbook_clear(&t->pbs[i]);
		t->n = EVAL_MAX_PLAYBOOKS;
	}
	t->treated = malloc((t->n + 1) * sizeof(long long));
	t->converted = malloc((t->n + 1) * sizeof(long long));
	if (t->treated == NULL || t->converted == NULL) {
		log_err("evaluate: out of memory");
		return -1;
	}
	for (i = 0; i < t->n; i++)
		t->treated[i] = t->converted[i] = -1;
	return 0;
}

/* The playbook's record (treated users, conversions), read once per run. 0 or -1. */
static int
pb_record(struct eval_tenant *t, size_t i)
{
	const char *id = t->pbs[i].id;

	if (t->treated[i] >= 0)
		return 0;
	if (db_exec(&ev_pb_record, "ssss", t->tenant_id, id, t->tenant_id, id) != 0)
		return -1;
	if (db_fetch(&ev_pb_record) == 1) {
		t->treated[i] = db_col_int(&ev_pb_record, 0);
		t->converted[i] = db_col_int(&ev_pb_record, 1);
	}
	db_done(&ev_pb_record);
	if (t->treated[i] < 0)
		t->treated[i] = t->converted[i] = 0;
	return 0;
}

/* The win-back entry a playbook would take; found 1 with churned_at (SQL
 * text). 0 or -1. */
static int
winback_find(const char *tenant_id, const char *user_id, int offset, const char *nows,
    int *found, char churned_at[TIME_SQL_SIZE])
{
	*found = 0;
	if (db_exec(&ev_winback_due, "ssis", tenant_id, user_id, (long long)offset, nows) != 0)
		return -1;
	if (db_fetch(&ev_winback_due) == 1 && db_col(&ev_winback_due, 0) != NULL) {
		snprintf(churned_at, TIME_SQL_SIZE, "%.19s", db_col(&ev_winback_due, 0));
		*found = 1;
	}
	db_done(&ev_winback_due);
	return 0;
}

/* Cooldown: writes the verdict's why and returns 1 when the playbook must
 * wait, 0 when not, -1 on error. Also holds back while an earlier
 * intervention of it is still on its way. */
static int
cooldown_holds(const char *tenant_id, const struct playbook *p, const char *user_id,
    int64_t now, char *why, size_t whylen)
{
	const char *st;
	int64_t at = 0;
	int rc = 0;

	if (db_exec(&ev_latest, "sss", tenant_id, p->id, user_id) != 0)
		return -1;
	if (db_fetch(&ev_latest) == 1 && time_parse_sql(db_col(&ev_latest, 2), &at) == 0) {
		st = db_col(&ev_latest, 1);
		if (st != NULL && (strcmp(st, "pending_approval") == 0 ||
		    strcmp(st, "approved") == 0 || strcmp(st, "paused") == 0 ||
		    strcmp(st, "sending") == 0)) {
			snprintf(why, whylen, "intervention %s of this playbook is still %s",
			    db_col(&ev_latest, 0), st);
			rc = 1;
		} else if (at >= now - p->constraints.cooldown_days * DAY) {
			/* >=: with cooldown_days 0, a rerun at the same instant still waits. */
			snprintf(why, whylen, "cooldown: the last intervention of this playbook "
			    "(%s) was %lld day(s) ago, cooldown_days is %d", db_col(&ev_latest, 0),
			    (long long)((now - at) / DAY), p->constraints.cooldown_days);
			rc = 1;
		}
	}
	db_done(&ev_latest);
	return rc;
}

/* Frequency cap across every playbook; extra counts interventions this
 * evaluation would have created but did not write (a dry-run). 1 capped,
 * 0 not, -1 error. */
static int
cap_holds(const char *tenant_id, const struct pb_constraints *k, const char *user_id,
    int64_t now, int extra, char *why, size_t whylen)
{
	char since[TIME_SQL_SIZE];
	long long n = 0;

	if (k->cap_max <= 0)
		return 0;
	time_format_sql(now - k->cap_per_days * DAY, since);
	if (db_exec(&ev_cap_count, "sss", tenant_id, user_id, since) != 0)
		return -1;
	if (db_fetch(&ev_cap_count) == 1)
		n = db_col_int(&ev_cap_count, 0);
	db_done(&ev_cap_count);
	n += extra;
	if (n < k->cap_max)
		return 0;
	snprintf(why, whylen, "frequency cap: %lld intervention(s) in the last %d day(s), "
	    "frequency_cap.max is %d", n, k->cap_per_days, k->cap_max);
	return 1;
}

/* A generator seeded from the OS. 0 or -1. */
static int
rng_seed(struct decide_rng *g)
{
	unsigned char b[8];
	uint64_t s = 0;
	int i;

	if (crypto_random(b, sizeof(b)) != 0) {
		log_err("evaluate: no random seed");
		return -1;
	}
	for (i = 0; i < 8; i++)
		s = s << 8 | b[i];
	decide_rng_seed(g, s);
	return 0;
}

/* The decision for an external_action playbook. Fills the match's
 * confidence, reasoning (into rsn), *params (new, caller puts) and, unless
 * dry_run, logs the decision into dec_id. Returns 0, 1 when the action
 * type cannot be used (why written), -1 on error. */
static int
decide_action(const char *tenant_id, const struct playbook *p, const char *user_id,
    int64_t now, int dry_run, struct eval_match *m, char *rsn, size_t rsnlen,
    struct json_object **params, char dec_id[48])
{
	struct decision_user du;
	struct decision_cands cs;
	struct decision_cand *c;
	struct decide_arm arm;
	struct decide_result res;
	struct decision_new d;
	struct decide_rng g;
	struct json_object *cands = NULL, *o;
	char bucket[DECIDE_BUCKET_LEN];
	int k, rc = -1;

	memset(&cs, 0, sizeof(cs));
	memset(&arm, 0, sizeof(arm));
	if (decision_user_load(tenant_id, user_id, &du) != 0)
		return -1;
	decide_bucket(&du.u, bucket);
	if (decision_cands_load(tenant_id, du.partner, bucket, &cs) != 0)
		return -1;
	k = decision_cands_find(&cs, p->constraints.action_type);
	if (k < 0 || !cs.c[k].active || !decision_cand_ready(&cs.c[k], tenant_id)) {
		snprintf(m->why, sizeof(m->why), "the action type %s is not an active action type "
		    "of the tenant", p->constraints.action_type);
		rc = 1;
		goto out;
	}
	c = &cs.c[k];
	arm.action = c->name;
	arm.schema = c->schema;
	arm.own = c->own;
	arm.pooled = c->pooled;
	arm.param_stats = c->param_stats;
	if (rng_seed(&g) != 0 || decide_choose(&arm, 1, &du.u, now, &g, &res) != 0)
		goto out;
	if (res.chosen < 0) {
		snprintf(m->why, sizeof(m->why), "no valid parameters for %s: %s", c->name,
		    arm.why_unusable);
		rc = 1;
		goto out;
	}
	m->confidence = res.confidence;
	snprintf(rsn, rsnlen, "%s", res.reasoning);
	*params = json_object_get(arm.parameters);
	snprintf(m->action_type, sizeof(m->action_type), "%s", c->name);
	if (snprintf(m->parameters, sizeof(m->parameters), "%s", json_object_to_json_string_ext(
	    arm.parameters, JSON_C_TO_STRING_PLAIN)) >= (int)sizeof(m->parameters))
		m->parameters[0] = '\0';	/* too long to preview; stored whole */
	if (!dry_run) {
		cands = json_object_new_array();
		o = json_object_new_object();
		jo_str(o, "action", c->name);
		jo_double(o, "mean", arm.mean);
		jo_double(o, "p_best", arm.p_best);
		json_object_array_add(cands, o);
		memset(&d, 0, sizeof(d));
		d.user_id = user_id;
		d.domain = c->domain;
		d.bucket = bucket;
		d.action = c->name;
		d.parameters = json_object_to_json_string_ext(arm.parameters,
		    JSON_C_TO_STRING_PLAIN);
		d.reasoning = res.reasoning;
		d.candidates = json_object_to_json_string_ext(cands, JSON_C_TO_STRING_PLAIN);
		d.confidence = res.confidence;
		d.propensity = arm.p_best > DECISION_PROPENSITY_MIN ? arm.p_best :
		    DECISION_PROPENSITY_MIN;
		d.explored = res.explored;
		if (decision_insert(tenant_id, &d, now, dec_id) != 0)
			goto out;
	}
	rc = 0;
out:
	if (cands != NULL)
		json_object_put(cands);
	decide_arms_clear(&arm, 1);
	decision_cands_free(&cs);
	return rc;
}

double
eval_message_confidence(long long treated, long long converted)
{
	long long n = treated > 0 ? treated : 0;
	long long c = converted > 0 ? converted : 0;

	if (c > n)
		c = n;
	return (1.0 + (double)c) / (2.0 + (double)n);
}

/* Confidence and the record sentence of a message playbook (file comment). */
static void
decide_message(struct eval_tenant *t, size_t i, struct eval_match *m, char *rsn, size_t rsnlen)
{
	long long n = t->treated[i] > 0 ? t->treated[i] : 0;
	long long c = t->converted[i] > 0 ? t->converted[i] : 0;

	if (c > n)
		c = n;
	m->confidence = eval_message_confidence(n, c);
	if (n == 0)
		snprintf(rsn, rsnlen, "The playbook has not reached anyone yet, so its expected "
		    "success is the uninformed %.0f%%.", m->confidence * 100);
	else
		snprintf(rsn, rsnlen, "The playbook converted %lld of the %lld users it reached "
		    "(expected success %.0f%%).", c, n, m->confidence * 100);
}


/* m->why = prefix + why, cut to fit (a long explanation loses its tail). */
static void
set_why(struct eval_match *m, const char *prefix, const char *why)
{
	if (snprintf(m->why, sizeof(m->why), "%s%s", prefix, why) >= (int)sizeof(m->why))
		memcpy(m->why + sizeof(m->why) - 4, "...", 4);
}

void
eval_plan_clear(struct eval_plan *plan)
{
	if (plan->parameters != NULL)
		json_object_put(plan->parameters);
	memset(plan, 0, sizeof(*plan));
}

const char *
eval_created_status(int in_holdout, int shadow_mode, int approval_required)
{
	if (in_holdout)
		return "control";
	if (shadow_mode)
		return "shadow";
	return approval_required ? "pending_approval" : "approved";
}

int
eval_playbook(struct eval_tenant *t, size_t i, const struct pb_user *u, int64_t now,
    int dry_run, int extra, struct eval_match *m, struct eval_plan *plan)
{
	const struct playbook *p = &t->pbs[i];
	char why[EVAL_WHY_LEN], nows[TIME_SQL_SIZE], rsn[DECIDE_REASONING_LEN];
	const char *tz;
	size_t len;
	int err = 0, rc, found;

	memset(m, 0, sizeof(*m));
	memset(plan, 0, sizeof(*plan));
	snprintf(m->playbook_id, sizeof(m->playbook_id), "%s", p->id);
	snprintf(m->name, sizeof(m->name), "%s", p->name != NULL ? p->name : "");
	snprintf(m->lifecycle_area, sizeof(m->lifecycle_area), "%s", pb_area_name(p->area));
	snprintf(m->channel, sizeof(m->channel), "%s", pb_channel_name(p->constraints.channel));
	time_format_sql(now, nows);

	why[0] = '\0';
	if (!pb_cond_eval(p->entry, u, why, sizeof(why), &err)) {
		if (err)
			return -1;
		m->verdict = EVAL_NO_ENTRY;
		set_why(m, "entry conditions not met: ", why);
		return 0;
	}
	snprintf(m->why, sizeof(m->why), "%s", why[0] != '\0' ? why : "no entry condition");
	why[0] = '\0';
	if (!pb_cond_empty(p->exit) && pb_cond_eval(p->exit, u, why, sizeof(why), &err)) {
		m->verdict = EVAL_EXITED;
		set_why(m, "exit conditions met: ", why);
		return 0;
	}
	if (err)
		return -1;
	if (p->area == PB_AREA_WINBACK) {
		if (winback_find(t->tenant_id, u->user_id, p->constraints.winback_day_offset, nows,
		    &found, plan->churned_at) != 0)
			return -1;
		if (!found) {
			m->verdict = EVAL_NO_WINBACK;
			snprintf(m->why, sizeof(m->why), "no due win-back entry at %d days after "
			    "churn", p->constraints.winback_day_offset);
			return 0;
		}
		plan->winback = 1;
		len = strlen(m->why);
		snprintf(m->why + len, sizeof(m->why) - len, "; win-back step due %d days after "
		    "the churn of %.10s", p->constraints.winback_day_offset, plan->churned_at);
	}
	if ((rc = cooldown_holds(t->tenant_id, p, u->user_id, now, why, sizeof(why))) != 0) {
		if (rc < 0)
			return -1;
		m->verdict = EVAL_COOLDOWN;
		snprintf(m->why, sizeof(m->why), "%s", why);
		return 0;
	}
	if ((rc = cap_holds(t->tenant_id, &p->constraints, u->user_id, now, extra, why,
	    sizeof(why))) != 0) {
		if (rc < 0)
			return -1;
		m->verdict = EVAL_CAPPED;
		snprintf(m->why, sizeof(m->why), "%s", why);
		return 0;
	}

	rsn[0] = '\0';
	if (p->constraints.channel == PB_CHANNEL_EXTERNAL_ACTION) {
		rc = decide_action(t->tenant_id, p, u->user_id, now, dry_run, m, rsn, sizeof(rsn),
		    &plan->parameters, plan->decision_id);
		if (rc < 0)
			return -1;
		if (rc == 1) {
			m->verdict = EVAL_NO_ACTION;
			return 0;
		}
	} else {
		if (pb_record(t, i) != 0)
			return -1;
		decide_message(t, i, m, rsn, sizeof(rsn));
	}
	m->verdict = EVAL_MATCHED;
	snprintf(m->status, sizeof(m->status), "%s", eval_created_status(pb_in_holdout(p->id,
	    u->user_id, p->constraints.holdout_percent), t->shadow,
	    p->constraints.approval_required));
	tz = pb_user_timezone(u->traits, t->tz_default);
	m->planned_at = pb_quiet_next_allowed(&p->constraints, tz, now);
	if (snprintf(plan->reasoning, sizeof(plan->reasoning), "%s playbook \"%s\" matched: "
	    "%s. %s%s", m->lifecycle_area, m->name, m->why, rsn, m->planned_at > now ?
	    " Planned after the quiet hours in the user's time zone." : "") >=
	    (int)sizeof(plan->reasoning))
		log_info("evaluate: reasoning for %s cut at %zu bytes", p->id,
		    sizeof(plan->reasoning) - 1);
	return 0;
}
