/* test_rules.c — field rules for tenants, action types and webhook URLs. */
#include "config.h"

#include "actiontype.h"
#include "tap.h"
#include "tenant.h"
#include "url.h"

static const struct {
	const char *desc, *s;
	int valid;
} names[] = {
	{ "seed example", "grant_points", 1 },
	{ "digits", "tier2_upgrade", 1 },
	{ "single word", "refund", 1 },
	{ "camelCase", "grantPoints", 0 },
	{ "kebab", "grant-points", 0 },
	{ "leading underscore", "_grant", 0 },
	{ "trailing underscore", "grant_", 0 },
	{ "double underscore", "grant__points", 0 },
	{ "leading digit", "2fa_reset", 0 },
	{ "empty", "", 0 },
	{ "65 chars", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 0 },
};

static const struct {
	const char *desc, *s;
	int valid;
} slugs[] = {
	{ "simple", "acme", 1 },
	{ "hyphens", "acme-shop-2", 1 },
	{ "uppercase", "Acme", 0 },
	{ "underscore", "acme_shop", 0 },
	{ "leading hyphen", "-acme", 0 },
	{ "double hyphen", "acme--shop", 0 },
	{ "space", "acme shop", 0 },
};

static const struct {
	const char *desc, *s;
	int valid;
} urls[] = {
	{ "https", "https://hooks.example.com/retivo", 1 },
	{ "http with port", "http://127.0.0.1:9000/hook", 1 },
	{ "ftp", "ftp://example.com/x", 0 },
	{ "relative", "/hook", 0 },
	{ "no scheme", "example.com/hook", 0 },
	{ "credentials", "https://user:pw@example.com/", 0 },
	{ "garbage", "http://", 0 },
};

static const struct {
	const char *desc, *s;
	int valid;
} costs[] = {
	{ "cents", "0.05", 1 },
	{ "integer", "3", 1 },
	{ "six decimals", "0.000001", 1 },
	{ "seven decimals", "0.0000001", 0 },
	{ "negative", "-1", 0 },
	{ "dot only", ".5", 0 },
	{ "trailing dot", "5.", 0 },
	{ "currency sign", "$5", 0 },
};

int
main(void)
{
	size_t i;
	char err[128];

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		ok(actiontype_name_valid(names[i].s) == names[i].valid, "name: %s", names[i].desc);
	for (i = 0; i < sizeof(slugs) / sizeof(slugs[0]); i++)
		ok(tenant_slug_valid(slugs[i].s) == slugs[i].valid, "slug: %s", slugs[i].desc);
	for (i = 0; i < sizeof(urls) / sizeof(urls[0]); i++)
		ok(url_http_valid(urls[i].s, err, sizeof(err)) == urls[i].valid, "url: %s",
		    urls[i].desc);
	for (i = 0; i < sizeof(costs) / sizeof(costs[0]); i++)
		ok(actiontype_cost_valid(costs[i].s) == costs[i].valid, "cost: %s", costs[i].desc);
	ok(actiontype_provider_valid("smile-io") && !actiontype_provider_valid("smile io"),
	    "provider characters");
	ok(tenant_plan_valid("growth") && !tenant_plan_valid("gold"), "plan tiers");
	ok(tenant_role_valid("partner") && !tenant_role_valid("admin"), "tenant roles");
	return tap_done();
}
