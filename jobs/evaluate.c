/*
 * evaluate.c — retivo-evaluate, the cron job that matches users to the
 * tenants' active playbooks and creates interventions (lib/evaluate.h).
 *
 *   retivo-evaluate [--now ISO-8601] [--tenant TENANT_ID]
 *
 * Tenants are those with at least one active playbook (or the one named by
 * --tenant). Each tenant is claimed with the advisory lock
 * GET_LOCK('retivo_evaluate:<tenant>', 0): a second host running the same
 * crontab finds it held and moves on to the next tenant, so two hosts
 * share the tenants and never evaluate one tenant twice at once. Within a
 * tenant each user's writes are one transaction, and a rerun at the same
 * --now creates nothing new: the cooldown, the frequency cap and the
 * win-back entries marked taken all see what the first run wrote.
 *
 * A user whose evaluation fails (logged) is counted in "errors" and the run
 * goes on with the next; the exit status is then 1.
 *
 * Prints one summary line of JSON on stdout; exits 0, or 1 on an error.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "db.h"
#include "evaluate.h"
#include "jobopt.h"
#include "log.h"
#include "timeutil.h"

#define EVALUATE_LOCK_PREFIX	"retivo_evaluate:"

static struct db_stmt ej_tenants = DB_STMT(
    "SELECT DISTINCT tenant_id FROM playbooks WHERE status = 'active' ORDER BY tenant_id");

/* Reads the tenants with an active playbook into *out (caller frees).
 * Returns the count, or -1. */
static long
tenants_load(char (**out)[40])
{
	char (*t)[40] = NULL, (*nt)[40];
	size_t n = 0, cap = 0;
	int rc;

	if (db_exec(&ej_tenants, "") != 0)
		return -1;
	while ((rc = db_fetch(&ej_tenants)) == 1) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((nt = realloc(t, cap * sizeof(*t))) == NULL) {
				log_err("evaluate: out of memory listing tenants");
				rc = -1;
				break;
			}
			t = nt;
		}
		snprintf(t[n++], sizeof(t[0]), "%s", db_col(&ej_tenants, 0));
	}
	db_done(&ej_tenants);
	if (rc < 0) {
		free(t);
		return -1;
	}
	*out = t;
	return (long)n;
}

/* Evaluates one tenant under its lock. 0 (also when another host holds
 * it: *busy is then incremented), or -1. */
static int
evaluate_locked(const char *tenant_id, int64_t now, struct eval_counts *k, long long *busy)
{
	char lock[80];
	int locked, rc;

	snprintf(lock, sizeof(lock), "%s%s", EVALUATE_LOCK_PREFIX, tenant_id);
	if ((locked = db_lock(lock, 0)) < 0)
		return -1;
	if (locked == 0) {
		log_info("evaluate: tenant %s is being evaluated by another run", tenant_id);
		(*busy)++;
		return 0;
	}
	k->tenants++;
	rc = evaluate_tenant(tenant_id, now, k);
	db_unlock(lock);
	return rc;
}

int
main(int argc, char **argv)
{
	const struct conf *c;
	const char *now_s = NULL, *tenant = NULL;
	struct eval_counts k;
	char (*tenants)[40] = NULL;
	int64_t now, start_ms = time_now_ms();
	long long busy = 0;
	long n, i;
	int rc = 1, failed = 0;

	memset(&k, 0, sizeof(k));
	log_init("retivo-evaluate");
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--now") == 0 && i + 1 < argc)
			now_s = argv[++i];
		else if (strcmp(argv[i], "--tenant") == 0 && i + 1 < argc)
			tenant = argv[++i];
		else {
			fprintf(stderr, "usage: retivo-evaluate [--now ISO-8601] [--tenant ID]\n");
			return 2;
		}
	}
	if (jobopt_now("retivo-evaluate", now_s, &now) < 0)
		return 2;
	if (tenant != NULL && (strlen(tenant) == 0 || strlen(tenant) > 36)) {
		fprintf(stderr, "retivo-evaluate: --tenant must be a tenant id\n");
		return 2;
	}
	if ((c = conf_get()) == NULL || db_open(c) != 0)
		return 1;
	if (tenant != NULL) {
		if (evaluate_locked(tenant, now, &k, &busy) != 0)
			failed = 1;
	} else {
		if ((n = tenants_load(&tenants)) < 0)
			goto out;
		/* One tenant's failure does not keep the others from their run. */
		for (i = 0; i < n; i++)
			if (evaluate_locked(tenants[i], now, &k, &busy) != 0) {
				log_err("evaluate: tenant %s failed", tenants[i]);
				failed = 1;
			}
	}
	rc = failed || k.errors > 0;
	printf("{\"job\":\"evaluate\",\"tenants\":%lld,\"tenants_busy\":%lld,\"users\":%lld,"
	    "\"created\":%lld,\"approved\":%lld,\"pending_approval\":%lld,\"control\":%lld,"
	    "\"shadow\":%lld,\"cooldown\":%lld,\"capped\":%lld,\"no_winback\":%lld,"
	    "\"errors\":%lld,\"seconds\":%.3f}\n",
	    k.tenants, busy, k.users, k.created, k.approved, k.pending, k.control, k.shadow,
	    k.cooldown, k.capped, k.no_winback, k.errors + failed,
	    jobopt_seconds(start_ms));
out:
	free(tenants);
	db_close();
	return rc;
}
