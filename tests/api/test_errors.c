/* test_errors.c — what every route does before its handler runs. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "suites.h"

void
suite_errors(void)
{
	struct fixture f;
	struct resp r;
	char *big;
	size_t n;

	if (!ok(fixture_tenant(&f, "growth", "standalone") == 0, "errors: fixture tenant"))
		return;

	api(&r, "GET", "/api/external/action-types", NULL, NULL);
	ok(is_error(&r, 401, "missing API key") && strcmp(jstr(&r, "code"), "unauthorized") == 0,
	    "401 without a key: %s", r.body);
	ok(resp_header(&r, "WWW-Authenticate") != NULL, "401 carries WWW-Authenticate");
	resp_free(&r);

	api(&r, "GET", "/api/external/action-types", "rt_live_notarealkeyatallnotarealkeyatal", NULL);
	ok(is_error(&r, 401, "invalid API key"), "401 with an unknown key: %s", r.body);
	resp_free(&r);

	api(&r, "GET", "/api/external/action-types", "sk_live_123", NULL);
	ok(is_error(&r, 401, "invalid API key"), "401 with a malformed key: %s", r.body);
	resp_free(&r);

	api_raw(&r, "POST", "/api/external/action-types", f.key, "application/json", "{\"name\":", 8);
	ok(is_error(&r, 400, "malformed JSON") && strcmp(jstr(&r, "code"), "invalid_json") == 0,
	    "malformed JSON is 400: %s", r.body);
	resp_free(&r);

	api_raw(&r, "POST", "/api/external/action-types", f.key, "application/json", "[1,2]", 5);
	ok(is_error(&r, 400, "must be a JSON object"), "a non-object body is 400: %s", r.body);
	resp_free(&r);

	api_raw(&r, "POST", "/api/external/action-types", f.key, "text/plain", "name=x", 6);
	ok(is_error(&r, 415, "application/json"), "a form body is 415: %s", r.body);
	resp_free(&r);

	n = 1024 * 1024 + 1;
	big = malloc(n);
	memset(big, ' ', n);
	big[0] = '{';
	big[n - 1] = '}';
	api_raw(&r, "POST", "/api/external/action-types", f.key, "application/json", big, n);
	ok(is_error(&r, 413, "exceeds"), "a body over 1 MiB is 413: %ld", r.status);
	resp_free(&r);
	/* Exactly 1 MiB is accepted by the size check (and then validated). */
	api_raw(&r, "POST", "/api/external/action-types", f.key, "application/json", big, n - 1 - 1);
	ok(r.status == 400, "a body of 1 MiB passes the size check: %ld", r.status);
	resp_free(&r);
	free(big);

	big = malloc(200);
	memset(big, '[', 60);
	memset(big + 60, ']', 60);
	memcpy(big, "{\"a\":", 5);
	big[119] = '}';
	api_raw(&r, "POST", "/api/external/action-types", f.key, "application/json", big, 120);
	ok(is_error(&r, 400, "malformed JSON"), "JSON nested past the cap is 400: %s", r.body);
	resp_free(&r);
	free(big);

	api(&r, "GET", "/api/no-such-thing", f.key, NULL);
	ok(is_error(&r, 404, "no such route"), "unknown route is a JSON 404: %s", r.body);
	resp_free(&r);

	api(&r, "PATCH", "/api/keys", f.key, "{}");
	ok(is_error(&r, 405, "PATCH") && resp_header(&r, "Allow") != NULL &&
	    strstr(resp_header(&r, "Allow"), "POST") != NULL, "wrong method is 405 with Allow");
	resp_free(&r);

	api(&r, "GET", "/api/external/action-types?limit=0", f.key, NULL);
	ok(is_error(&r, 400, "limit") && strcmp(jstr(&r, "field"), "limit") == 0,
	    "limit=0 is 400 naming limit: %s", r.body);
	resp_free(&r);
	api(&r, "GET", "/api/external/action-types?limit=101", f.key, NULL);
	ok(is_error(&r, 400, "between 1 and 100"), "limit=101 is 400: %s", r.body);
	resp_free(&r);
	api(&r, "GET", "/api/external/action-types?limit=abc", f.key, NULL);
	ok(is_error(&r, 400, "limit"), "limit=abc is 400: %s", r.body);
	resp_free(&r);
	api(&r, "GET", "/api/external/action-types?active=maybe", f.key, NULL);
	ok(is_error(&r, 400, "active"), "active=maybe is 400: %s", r.body);
	resp_free(&r);
}
