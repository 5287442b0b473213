/*
 * evaluate_int.h — what lib/evaluate.c (the gates and the decision for one
 * playbook and user) and lib/evaluate_run.c (users, writes, the report)
 * share. Not for other modules: lib/evaluate.h is the interface.
 */
#ifndef RETIVO_EVALUATE_INT_H
#define RETIVO_EVALUATE_INT_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "evaluate.h"
#include "playbook.h"
#include "timeutil.h"

/* What one tenant's run reads once. */
struct eval_tenant {
	const char		*tenant_id;
	struct playbook		*pbs;
	size_t			 n;
	long long		*treated, *converted;	/* per playbook, -1 until read */
	int			 shadow;		/* settings.shadow_mode */
	int			 test_tenant;		/* no live key: nothing reaches a user */
	char			 tz_default[65];	/* settings.timezone_default */
};

/* Loads settings, the active playbooks (at most EVAL_MAX_PLAYBOOKS, oldest
 * first) and the live-key check into t. 0 or -1; clear t either way. */
int eval_tenant_load(const char *tenant_id, struct eval_tenant *t);
void eval_tenant_clear(struct eval_tenant *t);

/* A matched playbook's pending write, filled by eval_playbook(). */
struct eval_plan {
	char			 reasoning[600];
	struct json_object	*parameters;	/* external_action: owned, else NULL */
	char			 decision_id[48];	/* "" when none was logged */
	int			 winback;	/* 1: take the entry churned_at / offset */
	char			 churned_at[TIME_SQL_SIZE];
};

/*
 * Runs playbook t->pbs[i]'s gates for user u at now (evaluate.c file
 * comment) and fills m; when it matched, also m->status, m->planned_at,
 * m->confidence and plan (the decision; unless dry_run, a logged decision
 * for external_action). extra: interventions already counted against the
 * cap in this evaluation but not in the table (dry-run). Returns 0 (any
 * verdict), -1 on error. Clear plan with eval_plan_clear().
 */
int eval_playbook(struct eval_tenant *t, size_t i, const struct pb_user *u, int64_t now,
    int dry_run, int extra, struct eval_match *m, struct eval_plan *plan);
void eval_plan_clear(struct eval_plan *plan);

#endif
