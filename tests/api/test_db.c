/* test_db.c — the FastCGI programs survive the database dropping them. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "suites.h"

/* Kills every connection of the retivo user; returns how many. */
static int
kill_app_connections(const char *sql)
{
	char cmd[1024], line[64];
	long ids[256];
	int n = 0, i;
	FILE *p;

	snprintf(cmd, sizeof(cmd),
	    "%s -e \"SELECT id FROM information_schema.processlist WHERE user = 'retivo'\"", sql);
	if ((p = popen(cmd, "r")) == NULL)
		return -1;
	while (n < 256 && fgets(line, sizeof(line), p) != NULL)
		ids[n++] = strtol(line, NULL, 10);
	pclose(p);
	for (i = 0; i < n; i++) {
		snprintf(cmd, sizeof(cmd), "%s -e 'KILL %ld' 2>/dev/null", sql, ids[i]);
		if (system(cmd) == -1)
			return -1;
	}
	return n;
}

void
suite_db(void)
{
	const char *sql = getenv("RETIVO_SQL");
	struct fixture f;
	struct resp r;
	int i, served = 0, killed;

	if (sql == NULL) {
		diag("skipped: the reconnect test needs RETIVO_SQL (database command)");
		return;
	}
	if (!ok(fixture_tenant(&f, "growth", "standalone") == 0, "db: fixture tenant"))
		return;
	/* Warm every FastCGI process so each holds a connection and statements. */
	for (i = 0; i < 20; i++) {
		api(&r, "GET", "/api/external/action-types", f.key, NULL);
		resp_free(&r);
	}
	killed = kill_app_connections(sql);
	ok(killed > 0, "killed %d application connections", killed);
	for (i = 0; i < 20; i++) {
		api(&r, "GET", "/api/external/action-types", f.key, NULL);
		if (r.status == 200)
			served++;
		resp_free(&r);
	}
	ok(served == 20, "after the connections were killed, %d/20 requests were served "
	    "(reconnect and re-prepare)", served);
	api(&r, "POST", "/api/keys", f.key, "{\"mode\":\"live\",\"scopes\":[\"read\"]}");
	ok(r.status == 201, "writes work after a reconnect too");
	resp_free(&r);
}
