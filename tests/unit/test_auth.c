/* test_auth.c — key shapes and scope lists (no database). */
#include "config.h"

#include <string.h>

#include "auth.h"
#include "tap.h"

int
main(void)
{
	unsigned bits;
	int bad = -1, mode = -1;
	char buf[96], key[AUTH_KEY_LEN + 1];

	ok(auth_scopes_parse("full,read", &bits, NULL) == 0 && bits == (SCOPE_FULL | SCOPE_READ),
	    "scopes: two names");
	ok(auth_scopes_parse("read,bogus", &bits, &bad) == -1 && bad == 1, "scopes: unknown named by index");
	ok(auth_scopes_parse("read,,full", &bits, NULL) == -1, "scopes: empty name refused");
	auth_scopes_format(SCOPE_PARTNER | SCOPE_MANAGE | SCOPE_INGEST, buf, sizeof(buf));
	ok(strcmp(buf, "manage,ingest,partner") == 0, "scopes: canonical order: %s", buf);
	ok(auth_scope_bit("decide") == SCOPE_DECIDE && auth_scope_bit("admin") == 0, "scope bits");

	ok(auth_key_generate(0, key) == 0 && strlen(key) == AUTH_KEY_LEN &&
	    strncmp(key, "rt_live_", 8) == 0, "generate live key");
	ok(auth_key_wellformed(key, &mode) && mode == 0, "generated live key is well formed");
	ok(auth_key_generate(1, key) == 0 && auth_key_wellformed(key, &mode) && mode == 1,
	    "generated test key is well formed");
	ok(!auth_key_wellformed("rt_prod_abcdefghijklmnopqrstuvwxyz012345", &mode), "bad prefix");
	ok(!auth_key_wellformed("rt_live_short", &mode), "too short");
	ok(!auth_key_wellformed("rt_live_abcdefghijklmnopqrstuvwxyz01234!", &mode), "bad character");
	ok(!auth_key_wellformed(NULL, &mode), "NULL");
	return tap_done();
}
