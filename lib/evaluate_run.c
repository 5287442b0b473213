/*
 * evaluate_run.c — the users of a tenant, the writes of a match and the
 * dry-run report (evaluate.h); the gates and decisions of one playbook
 * are in evaluate.c.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "evaluate.h"
#include "evaluate_int.h"
#include "intervention.h"
#include "jsonout.h"
#include "log.h"
#include "message.h"
#include "playbook.h"
#include "timeutil.h"

/* Users to evaluate, by seq: paused and opted-out users never come back. */
static struct db_stmt er_users = DB_STMT(
    "SELECT seq, user_id FROM users WHERE tenant_id = ? AND seq > ? AND opted_out = 0 "
    "AND paused = 0 ORDER BY seq LIMIT ?");
static struct db_stmt er_user_flags = DB_STMT(
    "SELECT opted_out, paused FROM users WHERE tenant_id = ? AND user_id = ?");
/* A test user is known only through test keys: a test event and no live
 * one (a user without any stored event is not presumed to be test data). */
static struct db_stmt er_user_live = DB_STMT(
    "SELECT EXISTS (SELECT 1 FROM events WHERE tenant_id = ? AND user_id = ? "
    "AND test_mode = 0), EXISTS (SELECT 1 FROM events WHERE tenant_id = ? AND user_id = ? "
    "AND test_mode = 1)");
static struct db_stmt er_winback_take = DB_STMT(
    "UPDATE winback_entries SET status = 'taken', updated_at = ? WHERE tenant_id = ? "
    "AND user_id = ? AND churned_at = ? AND offset_days = ? AND status = 'due'");

/* 1 when whatever is created for the user must never reach them (a test
 * tenant, or a user known only through test keys), 0, -1 on error. */
static int
user_test_mode(const struct eval_tenant *t, const char *user_id)
{
	int live = 0, test = 0;

	if (t->test_tenant)
		return 1;
	if (db_exec(&er_user_live, "ssss", t->tenant_id, user_id, t->tenant_id, user_id) != 0)
		return -1;
	if (db_fetch(&er_user_live) == 1) {
		live = db_col_int(&er_user_live, 0) != 0;
		test = db_col_int(&er_user_live, 1) != 0;
	}
	db_done(&er_user_live);
	return test && !live;
}

/* Counts a created intervention by its status. */
static void
count_created(struct eval_counts *k, const char *status)
{
	k->created++;
	if (strcmp(status, "control") == 0)
		k->control++;
	else if (strcmp(status, "shadow") == 0)
		k->shadow++;
	else if (strcmp(status, "pending_approval") == 0)
		k->pending++;
	else
		k->approved++;
}

/*
 * Creates the matched playbook's intervention: composes the message
 * (outside any transaction: it may ask the LLM), then in one transaction
 * takes the win-back entry and stores the intervention, flagged when a
 * quality check failed. An escalation-channel intervention carries the
 * playbook's severity in parameters ({"severity": "high"}); the deliver
 * job opens the escalation itself once it is approved (so approval, the
 * kill switch and test mode apply to escalations as to messages). Returns
 * 0 (m->intervention_id set), 1 when the win-back entry was taken
 * meanwhile (nothing written), -1 on error (nothing written).
 */
static int
write_match(const struct eval_tenant *t, const struct playbook *p, const char *user_id,
    int64_t now, struct eval_match *m, const struct eval_plan *plan)
{
	struct intervention_new n;
	struct message_out msg;
	long long offset = p->constraints.winback_day_offset;
	char nows[TIME_SQL_SIZE], sev[48];
	int test, rc = -1, in_tx = 0;

	memset(&msg, 0, sizeof(msg));
	memset(&n, 0, sizeof(n));
	time_format_sql(now, nows);
	if ((test = user_test_mode(t, user_id)) < 0)
		return -1;
	if (message_compose(t->tenant_id, user_id, m->channel, m->lifecycle_area, m->name,
	    p->hints, &msg) != 0)
		goto out;
	n.tenant_id = t->tenant_id;
	n.user_id = user_id;
	n.playbook_id = p->id;
	n.status = m->status;
	n.channel = m->channel;
	n.source = plan->winback ? "winback" : "playbook";
	n.subject = msg.subject != NULL && msg.subject[0] != '\0' ? msg.subject : NULL;
	n.message_body = msg.body_text;
	n.message_html = msg.body_html;
	if (p->constraints.channel == PB_CHANNEL_EXTERNAL_ACTION) {
		n.action_type = p->constraints.action_type;
		n.parameters = plan->parameters != NULL ? json_object_to_json_string_ext(
		    plan->parameters, JSON_C_TO_STRING_PLAIN) : NULL;
	} else if (p->constraints.channel == PB_CHANNEL_ESCALATION) {
		snprintf(sev, sizeof(sev), "{\"severity\":\"%.16s\"}",
		    p->constraints.severity[0] != '\0' ? p->constraints.severity : "medium");
		n.parameters = sev;
	}
	n.reasoning = plan->reasoning;
	n.has_confidence = 1;
	n.confidence = m->confidence;
	n.decision_id = plan->decision_id[0] != '\0' ? plan->decision_id : NULL;
	n.quality_checks = msg.quality_checks != NULL ? json_object_to_json_string_ext(
	    msg.quality_checks, JSON_C_TO_STRING_PLAIN) : NULL;
	n.test_mode = test;
	n.shadow = strcmp(m->status, "shadow") == 0;
	n.holdout = strcmp(m->status, "control") == 0;
	n.winback_offset = plan->winback ? &offset : NULL;
	n.planned_at = m->planned_at;
	if (!msg.passed)
		n.flag_reason = msg.flag_reason[0] != '\0' ? msg.flag_reason :
		    "a quality check failed";
	n.actor = "evaluate";
	if (db_begin() != 0)
		goto out;
	in_tx = 1;
	if (plan->winback) {
		if (db_exec(&er_winback_take, "ssssi", nows, t->tenant_id, user_id,
		    plan->churned_at, offset) != 0)
			goto out;
		if (db_affected(&er_winback_take) != 1) {
			db_done(&er_winback_take);
			rc = 1;
			goto out;
		}
		db_done(&er_winback_take);
	}
	if (intervention_create(&n, now, m->intervention_id) != 0)
		goto out;
	if (db_commit() != 0)
		goto out;
	in_tx = 0;
	rc = 0;
out:
	if (in_tx)
		db_rollback();
	if (rc != 0)
		m->intervention_id[0] = '\0';
	message_out_clear(&msg);
	return rc;
}

/* Evaluates one user against every playbook of t. 0, 1 no such user, -1. */
static int
eval_user(struct eval_tenant *t, const char *user_id, int64_t now, int dry_run,
    struct eval_report *rep, struct eval_counts *k)
{
	struct playbook_event_ctx ctx;
	struct json_object *holder = NULL;
	struct eval_plan plan;
	struct eval_match *m;
	struct pb_user u;
	size_t i;
	int rc, extra = 0;

	rep->first_match = -1;
	memset(&plan, 0, sizeof(plan));
	if ((rc = playbook_user_load(t->tenant_id, user_id, now, &u, &ctx, &holder)) != 0)
		return rc;
	for (i = 0; i < t->n && rep->n < EVAL_MAX_PLAYBOOKS; i++) {
		m = &rep->m[rep->n];
		if (eval_playbook(t, i, &u, now, dry_run, extra, m, &plan) != 0) {
			eval_plan_clear(&plan);
			rc = -1;
			break;
		}
		rep->n++;
		if (m->verdict == EVAL_COOLDOWN)
			k->cooldown++;
		else if (m->verdict == EVAL_CAPPED)
			k->capped++;
		else if (m->verdict == EVAL_NO_WINBACK)
			k->no_winback++;
		if (m->verdict == EVAL_MATCHED && !dry_run) {
			if ((rc = write_match(t, &t->pbs[i], user_id, now, m, &plan)) < 0) {
				eval_plan_clear(&plan);
				break;
			}
			if (rc == 1) {
				m->verdict = EVAL_NO_WINBACK;
				snprintf(m->why, sizeof(m->why), "the win-back entry was taken by "
				    "another run");
			} else
				count_created(k, m->status);
			rc = 0;
		}
		if (m->verdict == EVAL_MATCHED) {
			extra++;
			if (rep->first_match < 0) {
				rep->first_match = (int)(m - rep->m);
				snprintf(rep->reasoning, sizeof(rep->reasoning), "%s",
				    plan.reasoning);
			}
		}
		eval_plan_clear(&plan);
	}
	if (holder != NULL)
		json_object_put(holder);
	return rc;
}

int
evaluate_tenant(const char *tenant_id, int64_t now, struct eval_counts *k)
{
	struct eval_tenant t;
	struct eval_report *rep = NULL;
	char (*ids)[256] = NULL;
	long long after = 0;
	int n, i, r = 0, rc = -1;

	memset(&t, 0, sizeof(t));
	/* Conversions first: the playbooks' records below read them. */
	if (playbook_conversions_refresh(tenant_id, NULL, now) != 0)
		log_warn("evaluate: conversions of tenant %s not refreshed", tenant_id);
	if (eval_tenant_load(tenant_id, &t) != 0)
		goto out;
	if (t.n == 0) {
		rc = 0;
		goto out;
	}
	if ((rep = malloc(sizeof(*rep))) == NULL || (ids = malloc(EVAL_BATCH * sizeof(*ids))) ==
	    NULL) {
		log_err("evaluate: out of memory");
		goto out;
	}
	for (;;) {
		if (db_exec(&er_users, "sii", tenant_id, after, (long long)EVAL_BATCH) != 0)
			goto out;
		n = 0;
		while (n < EVAL_BATCH && (r = db_fetch(&er_users)) == 1) {
			after = db_col_int(&er_users, 0);
			snprintf(ids[n++], sizeof(ids[0]), "%s", db_col(&er_users, 1));
		}
		db_done(&er_users);
		if (r < 0)
			goto out;
		for (i = 0; i < n; i++) {
			memset(rep, 0, sizeof(*rep));
			if (eval_user(&t, ids[i], now, 0, rep, k) < 0) {
				log_err("evaluate: tenant %s user %s failed", tenant_id, ids[i]);
				k->errors++;
				continue;
			}
			k->users++;
		}
		if (n < EVAL_BATCH)
			break;
	}
	rc = 0;
out:
	free(ids);
	free(rep);
	eval_tenant_clear(&t);
	return rc;
}

int
evaluate_user(const char *tenant_id, const char *user_id, int64_t now, int dry_run,
    struct eval_report *rep)
{
	struct eval_tenant t;
	struct eval_counts k;
	int rc = -1, found = 0, opted = 0, paused = 0;

	memset(rep, 0, sizeof(*rep));
	memset(&k, 0, sizeof(k));
	memset(&t, 0, sizeof(t));
	rep->first_match = -1;
	if (db_exec(&er_user_flags, "ss", tenant_id, user_id) != 0)
		return -1;
	if (db_fetch(&er_user_flags) == 1) {
		found = 1;
		opted = db_col_int(&er_user_flags, 0) != 0;
		paused = db_col_int(&er_user_flags, 1) != 0;
	}
	db_done(&er_user_flags);
	if (!found)
		return 1;
	if (opted || paused) {
		rep->skipped = 1;
		snprintf(rep->skip_reason, sizeof(rep->skip_reason), "%s",
		    opted ? "user_opted_out" : "user_paused");
		return 0;
	}
	if (eval_tenant_load(tenant_id, &t) == 0)
		rc = eval_user(&t, user_id, now, dry_run, rep, &k);
	eval_tenant_clear(&t);
	return rc;
}

struct json_object *
evaluate_report_json(const struct eval_report *rep)
{
	struct json_object *a = json_object_new_array(), *o;
	const struct eval_match *m;
	char iso[TIME_ISO8601_SIZE];
	int i;

	for (i = 0; rep != NULL && i < rep->n; i++) {
		m = &rep->m[i];
		o = json_object_new_object();
		jo_str(o, "playbook_id", m->playbook_id);
		jo_str(o, "name", m->name);
		jo_str(o, "lifecycle_area", m->lifecycle_area);
		jo_str(o, "channel", m->channel);
		jo_bool(o, "matched", m->verdict == EVAL_MATCHED);
		jo_str(o, "verdict", eval_verdict_name(m->verdict));
		jo_str(o, "why", m->why);
		if (m->verdict == EVAL_MATCHED) {
			jo_str(o, "status", m->status);
			time_format_iso8601(m->planned_at, iso);
			jo_str(o, "planned_at", iso);
			jo_double(o, "confidence", m->confidence);
			if (m->action_type[0] != '\0') {
				jo_str(o, "action_type", m->action_type);
				jo_raw(o, "parameters", m->parameters[0] != '\0' ? m->parameters :
				    NULL);
			}
		}
		json_object_array_add(a, o);
	}
	return a;
}

struct json_object *
evaluate_skip_json(const char *reasoning, const char *reason)
{
	struct json_object *o = json_object_new_object();

	jo_str(o, "action", "skip");
	json_object_object_add(o, "action_type", NULL);
	json_object_object_add(o, "parameters", NULL);
	json_object_object_add(o, "playbook_id", NULL);
	json_object_object_add(o, "channel", NULL);
	jo_double(o, "confidence", 0);
	jo_str(o, "reasoning", reasoning);
	jo_str(o, "reason", reason);
	return o;
}

struct json_object *
evaluate_decision_json(const struct eval_report *rep, const char *user_id)
{
	const struct eval_match *m;
	struct json_object *o;
	char iso[TIME_ISO8601_SIZE], why[600];

	if (rep == NULL || rep->skipped || rep->n == 0)
		return NULL;
	if (rep->first_match < 0) {
		snprintf(why, sizeof(why), "None of the %d active playbooks would create an "
		    "intervention for user %.255s now; rules.playbooks gives each one's verdict "
		    "and why.", rep->n, user_id);
		return evaluate_skip_json(why, "no_playbook_matched");
	}
	o = json_object_new_object();
	m = &rep->m[rep->first_match];
	jo_str(o, "action", "intervene");
	if (m->action_type[0] != '\0') {
		jo_str(o, "action_type", m->action_type);
		jo_raw(o, "parameters", m->parameters[0] != '\0' ? m->parameters : NULL);
	} else {
		json_object_object_add(o, "action_type", NULL);
		json_object_object_add(o, "parameters", NULL);
	}
	jo_str(o, "playbook_id", m->playbook_id);
	jo_str(o, "channel", m->channel);
	jo_double(o, "confidence", m->confidence);
	jo_str(o, "reasoning", rep->reasoning);
	jo_str(o, "reason", "playbook_matched");
	jo_str(o, "status", m->status);
	time_format_iso8601(m->planned_at, iso);
	jo_str(o, "planned_at", iso);
	return o;
}
