/* evaluate.c — see evaluate.h. Being implemented: stubs keep the tree linking. */
#include "config.h"

#include "evaluate.h"

static const char *const verdict_names[] = { "matched", "no_entry", "exited", "no_winback",
	"cooldown", "capped" };

const char *
eval_verdict_name(enum eval_verdict v)
{
	return (unsigned)v < sizeof(verdict_names) / sizeof(verdict_names[0]) ?
	    verdict_names[v] : "unknown";
}

int
evaluate_tenant(const char *tenant_id, int64_t now, struct eval_counts *k)
{
	(void)tenant_id;
	(void)now;
	(void)k;
	return -1;
}

int
evaluate_user(const char *tenant_id, const char *user_id, int64_t now, int dry_run,
    struct eval_report *rep)
{
	(void)tenant_id;
	(void)user_id;
	(void)now;
	(void)dry_run;
	(void)rep;
	return -1;
}

struct json_object *
evaluate_report_json(const struct eval_report *rep)
{
	(void)rep;
	return json_object_new_array();
}
