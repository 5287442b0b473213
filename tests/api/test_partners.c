/*
 * test_partners.c — seed 002, the Partner API: who may call it (a partner
 * tenant with a partner-scoped key, nobody else), customer provisioning
 * and its field rules, integrations and their field rules, sharing (only
 * the partner's own integrations and customers, idempotent, conflicts),
 * one webhook secret verifying every customer's dispatches, event
 * mappings renaming a customer's events on ingestion, stats, and two
 * partners never seeing each other's customers or integrations.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "crypto.h"
#include "partners_helpers.h"
#include "receiver_client.h"
#include "suites.h"

#define SCHEMA "{\"type\":\"object\",\"properties\":{\"points\":{\"type\":\"integer\"}}," \
	"\"required\":[\"points\"]}"

static const char *const partner_routes[][2] = {
	{ "GET", "/api/partners/customers" },
	{ "POST", "/api/partners/customers" },
	{ "GET", "/api/partners/customers/00000000-0000-4000-8000-000000000000" },
	{ "POST", "/api/partners/integrations" },
	{ "GET", "/api/partners/integrations" },
	{ "POST", "/api/partners/integrations/pi_x/share" },
	{ "GET", "/api/partners/stats" },
};

/* Every route: 403 for a partner's full key, a standalone tenant's keys
 * (even one with the partner scope) and a customer's key; 401 for none. */
static void
partners_access(const struct partner *p, const struct fixture *s, const char *s_pkey)
{
	struct resp r;
	size_t i;
	int full = 1, standalone = 1, spk = 1, none = 1;

	for (i = 0; i < sizeof(partner_routes) / sizeof(partner_routes[0]); i++) {
		const char *m = partner_routes[i][0], *path = partner_routes[i][1];
		const char *body = strcmp(m, "POST") == 0 ? "{}" : NULL;

		api(&r, m, path, p->f.key, body ? "%s" : NULL, body);
		full &= is_error(&r, 403, "scope");
		resp_free(&r);
		api(&r, m, path, s->key, body ? "%s" : NULL, body);
		standalone &= r.status == 403;
		resp_free(&r);
		api(&r, m, path, s_pkey, body ? "%s" : NULL, body);
		spk &= r.status == 403 && str_is(&r, "code", "not_a_partner");
		resp_free(&r);
		api(&r, m, path, NULL, body ? "%s" : NULL, body);
		none &= r.status == 401;
		resp_free(&r);
	}
	ok(full, "access: a partner tenant's full-scope key gets 403 on every partner route");
	ok(standalone, "access: a standalone tenant's full key gets 403 on every partner route");
	ok(spk, "access: a standalone tenant's partner-scoped key gets 403 not_a_partner");
	ok(none, "access: no key is 401 on every partner route");
}

/* A partner key reaches nothing but the Partner API. */
static void
partner_key_confined(const struct partner *p)
{
	static const char *const other[][2] = {
		{ "GET", "/api/customers" },
		{ "GET", "/api/customers/stats" },
		{ "GET", "/api/external/action-types" },
		{ "POST", "/api/external/action-types" },
		{ "POST", "/api/events" },
		{ "POST", "/api/external/actions" },
		{ "GET", "/api/external/actions" },
		{ "GET", "/api/keys" },
		{ "POST", "/api/keys" },
		{ "GET", "/api/settings" },
		{ "GET", "/api/external/platforms" },
		{ "GET", "/api/webhooks/endpoints" },
	};
	struct resp r;
	size_t i;
	int all = 1;

	for (i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
		api(&r, other[i][0], other[i][1], p->pkey, strcmp(other[i][0], "POST") == 0 ?
		    "{}" : NULL);
		if (r.status != 403) {
			diag("%s %s with a partner key: %ld", other[i][0], other[i][1], r.status);
			all = 0;
		}
		resp_free(&r);
	}
	ok(all, "confined: a partner key gets 403 from %zu routes outside /api/partners",
	    sizeof(other) / sizeof(other[0]));
}

static const struct {
	const char *desc, *body, *field;
	long status;
} bad_customers[] = {
	{ "no name", "{\"slug\":\"x\"}", "name", 400 },
	{ "no slug", "{\"name\":\"X\"}", "slug", 400 },
	{ "an uppercase slug", "{\"name\":\"X\",\"slug\":\"Merchant-ABC\"}", "slug", 400 },
	{ "a slug with an underscore", "{\"name\":\"X\",\"slug\":\"merchant_abc\"}", "slug", 400 },
	{ "a slug with a space", "{\"name\":\"X\",\"slug\":\"merchant abc\"}", "slug", 400 },
	{ "an unknown plan", "{\"name\":\"X\",\"slug\":\"x\",\"plan_tier\":\"gold\"}", "plan_tier",
	    400 },
	{ "a zero user limit", "{\"name\":\"X\",\"slug\":\"x\",\"tracked_user_limit\":0}",
	    "tracked_user_limit", 400 },
	{ "a string user limit", "{\"name\":\"X\",\"slug\":\"x\",\"tracked_user_limit\":\"5\"}",
	    "tracked_user_limit", 400 },
	{ "config not an object", "{\"name\":\"X\",\"slug\":\"x\",\"config\":[1]}", "config", 400 },
	{ "an unknown field", "{\"name\":\"X\",\"slug\":\"x\",\"role\":\"partner\"}", "role", 400 },
};

static const struct {
	const char *desc, *body, *field;
} bad_integrations[] = {
	{ "no provider", "{\"display_name\":\"A\"}", "provider" },
	{ "no display_name", "{\"provider\":\"a\"}", "display_name" },
	{ "an invalid schema", "{\"provider\":\"a\",\"display_name\":\"A\",\"action_type_templates\":"
	    "[{\"name\":\"a\",\"description\":\"d\",\"parameters_schema\":{\"minimum\":\"x\"},"
	    "\"delivery_webhook\":\"https://h.example/\"}]}",
	    "action_type_templates[0].parameters_schema" },
	{ "a webhook that is no URL", "{\"provider\":\"a\",\"display_name\":\"A\","
	    "\"action_type_templates\":[{\"name\":\"a\",\"description\":\"d\",\"parameters_schema\":{},"
	    "\"delivery_webhook\":\"not a url\"}]}", "action_type_templates[0].delivery_webhook" },
	{ "a mapping without from", "{\"provider\":\"a\",\"display_name\":\"A\","
	    "\"event_mappings\":[{\"to\":\"b\"}]}", "event_mappings[0].from" },
};

static void
partners_validation(const struct partner *p)
{
	struct resp r;
	size_t i;

	for (i = 0; i < sizeof(bad_customers) / sizeof(bad_customers[0]); i++) {
		api(&r, "POST", "/api/partners/customers", p->pkey, "%s", bad_customers[i].body);
		ok(r.status == bad_customers[i].status && str_is(&r, "field", bad_customers[i].field),
		    "provision with %s: %ld naming %s (%s)", bad_customers[i].desc,
		    bad_customers[i].status, bad_customers[i].field, r.body);
		resp_free(&r);
	}
	for (i = 0; i < sizeof(bad_integrations) / sizeof(bad_integrations[0]); i++) {
		api(&r, "POST", "/api/partners/integrations", p->pkey, "%s", bad_integrations[i].body);
		ok(r.status == 400 && str_is(&r, "field", bad_integrations[i].field),
		    "integration with %s: 400 naming %s (%s)", bad_integrations[i].desc,
		    bad_integrations[i].field, r.body);
		resp_free(&r);
	}
	ok(sql_int("SELECT COUNT(*) FROM tenants WHERE parent_tenant_id = '%s'", p->f.tenant_id) == 0 &&
	    sql_int("SELECT COUNT(*) FROM partner_integrations WHERE tenant_id = '%s'",
	    p->f.tenant_id) == 0, "refused requests create nothing");
}

/* Integrations of partner p: I1 (two templates to the receiver, one
 * mapping), an inactive one, I3 (one template, one mapping); the rules. */
static void
partners_integrations(const struct partner *p, const struct partner *q, struct partner_world *w)
{
	char *i1 = w->i1, *secret = w->secret, *i_off = w->i_off, *i3 = w->i3;
	struct resp r;
	char body[2048], other[64];

	snprintf(body, sizeof(body), "{\"provider\":\"acme-loyalty\",\"display_name\":\"Acme "
	    "Loyalty\",\"domain\":\"loyalty\",\"action_type_templates\":["
	    "{\"name\":\"grant_points\",\"description\":\"Grant Acme points\",\"parameters_schema\":"
	    SCHEMA ",\"delivery_webhook\":\"%s\",\"estimated_cost_usd\":\"0.05\"},"
	    "{\"name\":\"issue_voucher\",\"description\":\"Issue an Acme voucher\","
	    "\"parameters_schema\":{},\"delivery_webhook\":\"%s\"}],"
	    "\"event_mappings\":[{\"from\":\"order_completed\",\"to\":\"purchase\"}]}",
	    receiver_url("/partner-hook"), receiver_url("/partner-hook"));
	api(&r, "POST", "/api/partners/integrations", p->pkey, "%s", body);
	ok(r.status == 201 && jstr(&r, "integration.id") &&
	    strncmp(jstr(&r, "integration.id"), "pi_", 3) == 0 &&
	    str_is(&r, "integration.provider", "acme-loyalty") &&
	    str_is(&r, "integration.display_name", "Acme Loyalty") &&
	    str_is(&r, "integration.domain", "loyalty") &&
	    json_object_get_boolean(jget(&r, "integration.active")) &&
	    jlen(&r, "integration.action_type_templates") == 2 &&
	    str_is(&r, "integration.action_type_templates.0.name", "grant_points") &&
	    str_is(&r, "integration.action_type_templates.0.estimated_cost_usd", "0.05") &&
	    jget(&r, "integration.action_type_templates.0.parameters_schema.required") != NULL &&
	    str_is(&r, "integration.event_mappings.0.from", "order_completed") &&
	    str_is(&r, "integration.event_mappings.0.to", "purchase") &&
	    jint(&r, "integration.customers_shared") == 0,
	    "integration: 201 with its templates and mappings (%s)", r.body);
	ok(jstr(&r, "integration.webhook_secret") && strlen(jstr(&r, "integration.webhook_secret")) == 64,
	    "integration: a webhook_secret, shown once");
	copy_str(&r, "integration.id", i1, 64);
	copy_str(&r, "integration.webhook_secret", secret, 80);
	resp_free(&r);
	ok(sql_int("SELECT COUNT(*) FROM partner_integrations WHERE id = '%s' AND "
	    "webhook_secret_enc LIKE 'v1:%%' AND webhook_secret_enc NOT LIKE '%%%s%%'", i1, secret) == 1,
	    "integration: the secret is stored sealed");

	api(&r, "POST", "/api/partners/integrations", p->pkey, "%s", body);
	ok(r.status == 409 && str_is(&r, "field", "provider"),
	    "integration: the same provider again is 409 (%s)", r.body);
	resp_free(&r);
	api(&r, "POST", "/api/partners/integrations", p->pkey, "{\"provider\":\"acme-two\","
	    "\"display_name\":\"Two\",\"action_type_templates\":[{\"name\":\"grant_points\","
	    "\"description\":\"d\",\"parameters_schema\":{},\"delivery_webhook\":\"https://h.example/\"}]}");
	ok(is_error(&r, 409, "grant_points"),
	    "integration: a template name of another integration is 409 naming it (%s)", r.body);
	resp_free(&r);
	ok(integrate(p, "{\"provider\":\"acme-draft\",\"display_name\":\"Draft\",\"active\":false,"
	    "\"action_type_templates\":[{\"name\":\"draft_thing\",\"description\":\"d\","
	    "\"parameters_schema\":{},\"delivery_webhook\":\"https://h.example/\"}]}", i_off, NULL) == 201,
	    "integration: an inactive one");
	ok(integrate(p, "{\"provider\":\"acme-games\",\"display_name\":\"Acme Games\","
	    "\"domain\":\"gamification\",\"action_type_templates\":[{\"name\":\"award_badge\","
	    "\"description\":\"Award a badge\",\"parameters_schema\":{},"
	    "\"delivery_webhook\":\"https://h.example/b\"}],"
	    "\"event_mappings\":[{\"from\":\"Level Up\",\"to\":\"level_up\"}]}", i3, NULL) == 201,
	    "integration: a third one, registered before any customer");
	/* The other partner may reuse names and providers: they are per partner. */
	ok(integrate(q, "{\"provider\":\"acme-loyalty\",\"display_name\":\"Q\","
	    "\"action_type_templates\":[{\"name\":\"grant_points\",\"description\":\"d\","
	    "\"parameters_schema\":{},\"delivery_webhook\":\"https://q.example/\"}]}", other, NULL) == 201,
	    "integration: another partner may use the same provider and template names");

	api(&r, "GET", "/api/partners/integrations", p->pkey, NULL);
	ok(r.status == 200 && jlen(&r, "integrations") == 3 &&
	    str_is(&r, "integrations.0.id", i3) && str_is(&r, "integrations.2.id", i1) &&
	    !json_object_get_boolean(jget(&r, "integrations.1.active")) &&
	    strstr(r.body, "webhook_secret") == NULL && strstr(r.body, other) == NULL &&
	    jget(&r, "has_more") != NULL,
	    "integrations: the partner's three, newest first, no secrets, not Q's (%s)", r.body);
	resp_free(&r);
	api(&r, "GET", "/api/partners/integrations?limit=1", p->pkey, NULL);
	ok(r.status == 200 && jlen(&r, "integrations") == 1 &&
	    json_object_get_boolean(jget(&r, "has_more")) && str_is(&r, "next_cursor", i3),
	    "integrations: limit=1 pages");
	resp_free(&r);
	api(&r, "GET", "/api/partners/integrations", q->pkey, NULL);
	ok(r.status == 200 && jlen(&r, "integrations") == 1 && str_is(&r, "integrations.0.id", other),
	    "integrations: the other partner sees only its own");
	resp_free(&r);
}

/* Provisioning: two customers of p (c1 default, c2 growth/5000), the rules. */
static void
partners_customers(const struct partner *p, const struct fixture *s, struct partner_world *w)
{
	const char *i1 = w->i1;
	char *c1 = w->c1, *k1 = w->k1, *c2 = w->c2, *k2 = w->k2;
	struct resp r;
	char body[256], first[40];

	api(&r, "POST", "/api/partners/customers", p->pkey, "{\"name\":\"Merchant ABC\","
	    "\"slug\":\"merchant-abc-%s\",\"config\":{\"currency\":\"EUR\",\"tier_names\":[\"gold\"]}}",
	    partners_suffix);
	ok(r.status == 201 && jstr(&r, "customer.tenant_id") &&
	    strlen(jstr(&r, "customer.tenant_id")) == 36 &&
	    str_is(&r, "customer.name", "Merchant ABC") &&
	    jstr(&r, "customer.slug") && strncmp(jstr(&r, "customer.slug"), "merchant-abc-", 13) == 0 &&
	    str_is(&r, "customer.plan_tier", "scale") &&
	    jstr(&r, "customer.api_key") && strncmp(jstr(&r, "customer.api_key"), "rt_live_", 8) == 0 &&
	    jint(&r, "integrations_shared") == 2,
	    "provision: 201, the partner's plan, a live key, the two active integrations shared "
	    "(%s)", r.body);
	copy_str(&r, "customer.tenant_id", c1, 40);
	copy_str(&r, "customer.api_key", k1, 64);
	resp_free(&r);
	ok(sql_int("SELECT COUNT(*) FROM tenants WHERE id = '%s' AND role = 'customer' AND "
	    "parent_tenant_id = '%s' AND tracked_user_limit = 1000", c1, p->f.tenant_id) == 1 &&
	    sql_int("SELECT COUNT(*) FROM api_keys WHERE tenant_id = '%s' AND scopes = 'full' AND "
	    "mode = 'live' AND revoked_at IS NULL", c1) == 1,
	    "provision: role customer, parented to the partner, limit 1000, one full live key");
	{
		char tid[40], tkey[64], slug[120];

		ok(provision(p, "merchant-abc", "", tid, tkey) == 409, "provision: a taken slug is 409");
		if (sql_query(slug, sizeof(slug), "SELECT slug FROM tenants WHERE id = '%s'",
		    s->tenant_id) == 0 && slug[0] != '\0') {
			api(&r, "POST", "/api/partners/customers", p->pkey,
			    "{\"name\":\"X\",\"slug\":\"%s\"}", slug);
			ok(r.status == 409 && str_is(&r, "field", "slug") &&
			    str_is(&r, "code", "duplicate"),
			    "provision: another tenant's slug is 409 naming slug (%s)", r.body);
			resp_free(&r);
		} else
			diag("skipped: the slug of another tenant needs RETIVO_SQL");
	}
	ok(provision(p, "merchant-two", ",\"plan_tier\":\"growth\",\"tracked_user_limit\":5000", c2,
	    k2) == 201, "provision: a second customer on growth with 5000 users");
	{
		struct fixture tp;
		char tkey[64];

		/* A partner testing with its rt_test_ key gets a test-mode customer
		 * key (another partner, so this one's counts stay as they are). */
		if (fixture_tenant(&tp, "growth", "partner") == 0 &&
		    fixture_key(tp.tenant_id, "test", "partner", tkey, sizeof(tkey)) == 0) {
			api(&r, "POST", "/api/partners/customers", tkey,
			    "{\"name\":\"Test merchant\",\"slug\":\"merchant-test-%s\"}", partners_suffix);
			ok(r.status == 201 && jstr(&r, "customer.api_key") &&
			    strncmp(jstr(&r, "customer.api_key"), "rt_test_", 8) == 0,
			    "provision: a partner test key gets an rt_test_ customer key (%s)", r.body);
			resp_free(&r);
		} else
			ok(0, "provision: a partner test key");
	}

	api(&r, "GET", "/api/external/action-types", k1, NULL);
	ok(r.status == 200 && jlen(&r, "action_types") == 3 &&
	    strstr(r.body, "\"grant_points\"") && strstr(r.body, "\"issue_voucher\"") &&
	    strstr(r.body, "\"award_badge\"") && strstr(r.body, "draft_thing") == NULL &&
	    strstr(r.body, "\"provider\":\"acme-loyalty\"") && strstr(r.body, "\"domain\":\"loyalty\""),
	    "provision: the active integrations' templates are the customer's action types (%s)",
	    r.body);
	resp_free(&r);

	snprintf(body, sizeof(body), "/api/partners/customers/%s", c1);
	api(&r, "GET", body, p->pkey, NULL);
	ok(r.status == 200 && str_is(&r, "customer.tenant_id", c1) &&
	    str_is(&r, "customer.plan_status", "active") &&
	    jint(&r, "customer.tracked_user_limit") == 1000 &&
	    str_is(&r, "customer.config.currency", "EUR") &&
	    jlen(&r, "customer.integrations") == 2 &&
	    str_is(&r, "customer.integrations.0.integration_id", i1) &&
	    jint(&r, "customer.integrations.0.action_types_registered") == 2 &&
	    jstr(&r, "customer.created_at") != NULL && strstr(r.body, k1) == NULL,
	    "get: the customer in full, its integrations, never its key (%s)", r.body);
	resp_free(&r);
	snprintf(body, sizeof(body), "/api/partners/customers/%s", c2);
	api(&r, "GET", body, p->pkey, NULL);
	ok(r.status == 200 && str_is(&r, "customer.plan_tier", "growth") &&
	    jint(&r, "customer.tracked_user_limit") == 5000 &&
	    jget(&r, "customer.config") != NULL &&
	    json_object_object_length(jget(&r, "customer.config")) == 0,
	    "get: the second customer's plan and limit, an empty config");
	resp_free(&r);

	api(&r, "GET", "/api/partners/customers", p->pkey, NULL);
	ok(r.status == 200 && jint(&r, "total") == 2 && jlen(&r, "customers") == 2 &&
	    strstr(r.body, c1) && strstr(r.body, c2) && jstr(&r, "customers.0.slug") &&
	    jstr(&r, "customers.0.plan_status") && jint(&r, "customers.0.tracked_user_limit") > 0 &&
	    jstr(&r, "customers.0.created_at") && strstr(r.body, "api_key") == NULL,
	    "list: both customers with the seed's fields, total 2 (%s)", r.body);
	resp_free(&r);
	api(&r, "GET", "/api/partners/customers?limit=1", p->pkey, NULL);
	ok(r.status == 200 && jlen(&r, "customers") == 1 && jint(&r, "total") == 2 &&
	    json_object_get_boolean(jget(&r, "has_more")) && jstr(&r, "next_cursor"),
	    "list: limit=1 gives one and a cursor");
	copy_str(&r, "next_cursor", first, sizeof(first));
	resp_free(&r);
	snprintf(body, sizeof(body), "/api/partners/customers?limit=1&cursor=%s", first);
	api(&r, "GET", body, p->pkey, NULL);
	ok(r.status == 200 && jlen(&r, "customers") == 1 &&
	    !json_object_get_boolean(jget(&r, "has_more")) && jstr(&r, "customers.0.tenant_id") &&
	    strcmp(jstr(&r, "customers.0.tenant_id"), first) != 0,
	    "list: the cursor gives the other one, and no more");
	resp_free(&r);
}

void
suite_partners(void)
{
	static struct partner_world w;
	struct partner p, q;
	struct fixture s;
	char s_pkey[64];

	if (!ok(crypto_random_hex(partners_suffix, 6) == 0 && partner_fixture(&p, "scale") == 0 &&
	    partner_fixture(&q, "growth") == 0 && fixture_tenant(&s, "growth", "standalone") == 0 &&
	    fixture_key(s.tenant_id, "live", "partner", s_pkey, sizeof(s_pkey)) == 0,
	    "partners: two partners, a standalone tenant, their keys"))
		return;
	if (!ok(receiver_start() > 0, "partners: the test receiver runs"))
		return;
	partners_access(&p, &s, s_pkey);
	partner_key_confined(&p);
	partners_validation(&p);
	partners_integrations(&p, &q, &w);
	partners_customers(&p, &s, &w);
	partners_sharing(&p, &q, &s, &w);
	partners_one_secret(&w);
	partners_mappings(&q, &s, &w);
	partners_isolation(&p, &q, &s, &w);
	partners_stats(&p, &q, &w);
}
