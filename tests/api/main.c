/*
 * main.c — the black-box API test runner. Each suite file covers one
 * resource family over real HTTP; all print TAP through tap.h.
 *
 *   RETIVO_BASE_URL=http://127.0.0.1:PORT RETIVO_ADMIN="retivo-admin" \
 *   RETIVO_SQL="mariadb -N ... retivo" retivo-apitest [suite ...]
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../unit/tap.h"
#include "client.h"
/* suites.h declares the suites and t_ok/t_diag, and maps ok()/diag() to
 * them; this file keeps tap.h's own macros out of its way. */
#undef ok
#undef diag
#include "suites.h"

/* Exposes tap.h's static functions to the suite files (see suites.h). */
int
t_ok(int cond, const char *file, int line, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return tap_ok(cond, file, line, "%s", msg);
}

void
t_diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("# ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	fflush(stdout);
}

static const struct {
	const char *name;
	void (*run)(void);
} suites[] = {
	{ "errors", suite_errors },
	{ "keys", suite_keys },
	{ "action_types", suite_action_types },
	{ "ratelimit", suite_ratelimit },
	{ "db", suite_db },
	{ "events", suite_events },
	{ "connectors", suite_connectors },
	{ "customers", suite_customers },
	{ "settings", suite_settings },
	{ "actions", suite_actions },
	{ "dispatch", suite_dispatch },
	{ "webhooks", suite_webhooks },
	{ "platforms", suite_platforms },
	{ "lifecycle", suite_lifecycle },
	{ "decisions", suite_decisions },
	{ "partners", suite_partners },
	{ "team", suite_team },
	{ "audit", suite_audit },
	{ "billing", suite_billing },
	{ "commerces", suite_commerces },
	{ "activities", suite_activities },
	{ "playbooks", suite_playbooks },
	{ "interventions", suite_interventions },
	{ "escalations", suite_escalations },
	{ "llm", suite_llm },
	{ "evaluate", suite_evaluate },
	{ "deliver", suite_deliver },
	{ "isolation", suite_isolation },
};

int
main(int argc, char **argv)
{
	size_t i;
	int j, want;

	if (client_init() != 0) {
		ok(0, "API test client could not start");
		return tap_done();
	}
	for (i = 0; i < sizeof(suites) / sizeof(suites[0]); i++) {
		want = argc < 2;
		for (j = 1; j < argc; j++)
			if (strcmp(argv[j], suites[i].name) == 0)
				want = 1;
		if (!want)
			continue;
		diag("suite %s", suites[i].name);
		suites[i].run();
	}
	client_cleanup();
	return tap_done();
}
