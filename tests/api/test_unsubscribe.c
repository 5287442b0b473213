/*
 * test_unsubscribe.c — the customers suite's unsubscribe part: GET
 * /api/customers/{id}/unsubscribe-link, the signed /unsubscribe link (GET
 * and the RFC 8058 one-click POST), forged tokens, and
 * /api/users/resubscribe. suite_customers() runs it on the users it made.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "helpers.h"
#include "customers_helpers.h"
#include "suites.h"

/* GETs the unsubscribe link of user_id with key; token into tok. Returns the status. */
static long
get_link(const char *key, const char *user_id, char *tok, size_t toklen)
{
	struct resp r;
	char path[512];
	long status;

	snprintf(path, sizeof(path), "/api/customers/%s/unsubscribe-link", enc(user_id));
	api(&r, "GET", path, key, NULL);
	status = r.status;
	snprintf(tok, toklen, "%s", nz(jstr(&r, "token")));
	resp_free(&r);
	return status;
}

/* Visits /unsubscribe with the raw query; fills r. */
static void
visit(struct resp *r, const char *method, const char *query)
{
	char path[4096];

	snprintf(path, sizeof(path), "/unsubscribe%s", query);
	if (strcmp(method, "POST") == 0)
		api(r, "POST", path, NULL, "{}");
	else
		api(r, "GET", path, NULL, NULL);
}

void
test_unsubscribe(const char *ta, const char *tb, const char *ka, const char *kb,
    const char *manage_key, const char *read_key)
{
	struct resp r;
	static const char *const forgeries[] = { "another user's payload under this MAC",
	    "another tenant's MAC", "the MAC altered", "the payload altered", "truncated",
	    "garbage", "overlong", "no token" };
	char tok[1100], tok2[1100], tok_b[1100], forged[8][1600], q[2500];
	const char *base = getenv("RETIVO_BASE_URL"), *ct, *dot;
	size_t i;
	int n;

	api(&r, "GET", "/api/customers/a%40b.com/unsubscribe-link", manage_key, NULL);
	snprintf(tok, sizeof(tok), "%s", nz(jstr(&r, "token")));
	snprintf(q, sizeof(q), "/unsubscribe?token=%s", tok);
	ok(r.status == 200 && strncmp(tok, "v1.", 3) == 0 && jstr(&r, "path") &&
	    strcmp(jstr(&r, "path"), q) == 0, "unsubscribe-link (manage key): token and path");
	snprintf(forged[0], sizeof(forged[0]), "%s%.*s", base, 1500, q);
	ok(jstr(&r, "url") && strcmp(jstr(&r, "url"), forged[0]) == 0,
	    "unsubscribe-link: url is this server's origin + path (%s)", jstr(&r, "url"));
	resp_free(&r);
	snprintf(q, sizeof(q), "?token=%s", tok);
	ok(get_link(read_key, "a@b.com", tok2, sizeof(tok2)) == 403,
	    "unsubscribe-link with a read key: 403");
	ok(get_link(ka, "nobody", tok2, sizeof(tok2)) == 404, "unsubscribe-link, unknown user: 404");
	ok(get_link(ka, "b-only", tok2, sizeof(tok2)) == 404,
	    "unsubscribe-link, another tenant's user: 404");
	ok(get_link(kb, "u-new", tok2, sizeof(tok2)) == 404,
	    "unsubscribe-link with another tenant's key: 404");
	ok(get_link(kb, "a@b.com", tok_b, sizeof(tok_b)) == 200 && strcmp(tok_b, tok) != 0,
	    "unsubscribe-link: the same user id in another tenant has another token");

	visit(&r, "GET", q);
	ct = resp_header(&r, "Content-Type");
	ok(r.status == 200 && ct && strncmp(ct, "text/html", 9) == 0 &&
	    strstr(r.body, "unsubscribed") != NULL, "unsubscribe: 200 HTML page, no key needed");
	resp_free(&r);
	ok(strcmp(user_col(ta, "a@b.com", "opted_out"), "1") == 0 &&
	    strcmp(user_col(ta, "a@b.com", "opted_out_at"), "NULL") != 0,
	    "unsubscribe: opted_out = 1 and opted_out_at in the database");
	api(&r, "GET", "/api/customers/a%40b.com", ka, NULL);
	ok(jbool(&r, "customer.opted_out") == 1 && jstr(&r, "customer.opted_out_at") != NULL,
	    "unsubscribe: the customer shows opted_out true");
	resp_free(&r);
	ok(strcmp(user_col(tb, "a@b.com", "opted_out"), "0") == 0,
	    "unsubscribe: the same user id in another tenant is not opted out");

	sql_query(NULL, 0, "UPDATE users SET opted_out_at = '2026-01-02 03:04:05' "
	    "WHERE tenant_id = '%s' AND user_id = 'a@b.com';", ta);
	visit(&r, "GET", q);
	ok(r.status == 200 && strstr(r.body, "already") != NULL,
	    "unsubscribe again: 200, already unsubscribed");
	resp_free(&r);
	ok(strcmp(user_col(ta, "a@b.com", "opted_out_at"), "2026-01-02 03:04:05") == 0,
	    "unsubscribe again: opted_out_at keeps the first time");
	/* Mail trackers append parameters; they do not spoil the link. */
	snprintf(forged[0], sizeof(forged[0]), "%.*s&utm_source=newsletter", 1500, q);
	visit(&r, "GET", forged[0]);
	ok(r.status == 200, "unsubscribe: extra query parameters are ignored");
	resp_free(&r);

	/* Forgeries against u-new, which must stay subscribed. */
	ok(get_link(ka, "u-new", tok2, sizeof(tok2)) == 200, "unsubscribe-link for u-new");
	dot = strrchr(tok2, '.');
	n = (int)(dot - tok2);
	snprintf(forged[0], sizeof(forged[0]), "?token=%.*s%s", n, tok2, strrchr(tok, '.'));
	snprintf(forged[1], sizeof(forged[1]), "?token=%.*s%s", n, tok2, strrchr(tok_b, '.'));
	snprintf(forged[2], sizeof(forged[2]), "?token=%s", tok2);
	n = (int)strlen(forged[2]) - 2;
	forged[2][n] = forged[2][n] == 'A' ? 'B' : 'A';
	snprintf(forged[3], sizeof(forged[3]), "?token=%s", tok2);
	forged[3][7 + 5] = forged[3][7 + 5] == 'A' ? 'B' : 'A';
	snprintf(forged[4], sizeof(forged[4]), "?token=%.*s", (int)strlen(tok2) - 5, tok2);
	snprintf(forged[5], sizeof(forged[5]), "?token=hello");
	snprintf(forged[6], sizeof(forged[6]), "?token=%01500d", 0);
	forged[7][0] = '\0';
	for (i = 0; i < sizeof(forgeries) / sizeof(forgeries[0]); i++) {
		visit(&r, "GET", forged[i]);
		ok(r.status == 400 && strstr(r.body, "invalid") != NULL &&
		    resp_header(&r, "Content-Type") &&
		    strncmp(resp_header(&r, "Content-Type"), "text/html", 9) == 0,
		    "forged token (%s): 400 HTML page", forgeries[i]);
		resp_free(&r);
	}
	ok(strcmp(user_col(ta, "u-new", "opted_out"), "0") == 0 &&
	    strcmp(user_col(ta, "u-new", "opted_out_at"), "NULL") == 0,
	    "forged tokens changed nothing in the database");

	/* A valid token whose user is gone. */
	add_user(ta, "u-gone", "new", "low");
	ok(get_link(ka, "u-gone", tok2, sizeof(tok2)) == 200, "unsubscribe-link for u-gone");
	sql_query(NULL, 0, "DELETE FROM users WHERE tenant_id = '%s' AND user_id = 'u-gone';", ta);
	snprintf(q, sizeof(q), "?token=%s", tok2);
	visit(&r, "GET", q);
	ok(r.status == 404 && strstr(r.body, "no longer valid") != NULL,
	    "a valid token of a user no longer tracked: 404 page");
	resp_free(&r);

	/* RFC 8058 one-click: a mail client POSTs a form body to the link. */
	ok(get_link(ka, "u-churn", tok2, sizeof(tok2)) == 200, "unsubscribe-link for u-churn");
	snprintf(q, sizeof(q), "/unsubscribe?token=%s", tok2);
	api_raw(&r, "POST", q, NULL, "application/x-www-form-urlencoded",
	    "List-Unsubscribe=One-Click", 26);
	ok(r.status == 200 && strcmp(user_col(ta, "u-churn", "opted_out"), "1") == 0,
	    "one-click POST (List-Unsubscribe=One-Click form body) opts out too (%ld)", r.status);
	resp_free(&r);
	api(&r, "GET", "/api/customers/stats", ka, NULL);
	ok(jint(&r, "stats.opted_out") == 2, "stats: 2 opted out");
	resp_free(&r);

	/* Only an admin (full key) reverses an opt-out. */
	api(&r, "PUT", "/api/users/resubscribe", manage_key, "{\"user_ids\":[\"a@b.com\"]}");
	ok(is_error(&r, 403, "scope"), "resubscribe with a manage key: 403");
	resp_free(&r);
	api(&r, "PUT", "/api/users/resubscribe", read_key, "{\"user_ids\":[\"a@b.com\"]}");
	ok(is_error(&r, 403, "scope"), "resubscribe with a read key: 403");
	resp_free(&r);
	api(&r, "PUT", "/api/users/resubscribe", kb, "{\"user_ids\":[\"u-churn\"]}");
	ok(r.status == 200 && jint(&r, "resubscribed") == 0 &&
	    strcmp(user_col(ta, "u-churn", "opted_out"), "1") == 0,
	    "resubscribe with another tenant's key: not found, nothing changed");
	resp_free(&r);
	api(&r, "PUT", "/api/users/resubscribe", ka, "{\"user_ids\":[\"a@b.com\",\"u-new\",\"ghost\"]}");
	ok(r.status == 200 && jint(&r, "resubscribed") == 1 && jstr(&r, "not_found.0") &&
	    strcmp(jstr(&r, "not_found.0"), "ghost") == 0 &&
	    json_object_array_length(jget(&r, "not_found")) == 1,
	    "resubscribe (full key): 1 resubscribed, ghost not found (%s)", r.body);
	resp_free(&r);
	api(&r, "GET", "/api/customers/a%40b.com", ka, NULL);
	ok(jbool(&r, "customer.opted_out") == 0 && jget(&r, "customer.opted_out_at") == NULL,
	    "resubscribe: opted_out false, opted_out_at null");
	resp_free(&r);
	api(&r, "PUT", "/api/users/resubscribe", ka, "{\"user_ids\":[1]}");
	ok(names_field(&r, "user_ids[0]"), "resubscribe, a number: 400 naming user_ids[0]");
	resp_free(&r);
	snprintf(q, sizeof(q), "?token=%s", tok);
	visit(&r, "GET", q);
	ok(r.status == 200 && strstr(r.body, "already") == NULL &&
	    strcmp(user_col(ta, "a@b.com", "opted_out"), "1") == 0,
	    "the old link opts out again after a resubscribe");
	resp_free(&r);
}
