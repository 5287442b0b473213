/*
 * test_partners_share.c — the second half of the partners suite (see
 * test_partners.c): sharing integrations with customers, one secret for
 * every customer's dispatches, event mappings on ingestion, the data
 * isolation between partner, customers and other tenants, and stats.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "partners_helpers.h"
#include "receiver_client.h"
#include "suites.h"
#include "timeutil.h"

void
partners_sharing(const struct partner *p, const struct partner *q, const struct fixture *s,
    const struct partner_world *w)
{
	struct resp r;
	char i4[64], qi[64], path[160];
	long long n;

	ok(share(p->pkey, w->i_off, w->c1, &n) == 409,
	    "share: an inactive integration is 409");
	ok(share(p->pkey, w->i3, w->c1, &n) == 200 && n == 0,
	    "share: an integration shared at provisioning again registers nothing");
	ok(integrate(p, "{\"provider\":\"acme-referrals\",\"display_name\":\"Referrals\","
	    "\"action_type_templates\":[{\"name\":\"send_referral\",\"description\":\"Send a "
	    "referral link\",\"parameters_schema\":{},\"delivery_webhook\":\"https://h.example/r\"}]}",
	    i4, NULL) == 201, "share: an integration registered after the customers");
	ok(sql_int("SELECT COUNT(*) FROM action_types WHERE tenant_id = '%s' AND name = "
	    "'send_referral'", w->c1) == 0, "share: existing customers do not get it by themselves");
	ok(share(p->pkey, i4, w->c1, &n) == 200 && n == 1,
	    "share: with an existing customer registers its one action type");
	ok(share(p->pkey, i4, w->c1, &n) == 200 && n == 0,
	    "share: twice registers nothing new (the (integration, customer) row exists)");
	ok(sql_int("SELECT COUNT(*) FROM action_types WHERE tenant_id = '%s' AND name = "
	    "'send_referral' AND provider = 'acme-referrals' AND active = 1", w->c1) == 1,
	    "share: exactly one send_referral in the customer");

	api(&r, "POST", "/api/external/action-types", w->k2, "{\"name\":\"send_referral\","
	    "\"description\":\"Our own\",\"provider\":\"in-house\",\"parameters_schema\":{},"
	    "\"delivery_webhook\":\"https://own.example/\"}");
	ok(r.status == 201, "share: the second customer registers its own send_referral");
	resp_free(&r);
	snprintf(path, sizeof(path), "/api/partners/integrations/%s/share", i4);
	api(&r, "POST", path, p->pkey, "{\"customer_tenant_id\":\"%s\"}", w->c2);
	ok(r.status == 409 && strcmp(jstr(&r, "code"), "action_type_conflict") == 0 &&
	    strstr(r.body, "send_referral") != NULL,
	    "share: a name the customer already has is 409 naming it (%s)", r.body);
	resp_free(&r);
	ok(sql_int("SELECT COUNT(*) FROM partner_shares WHERE integration_id = '%s' AND "
	    "customer_tenant_id = '%s'", i4, w->c2) == 0 &&
	    sql_int("SELECT COUNT(*) FROM action_types WHERE tenant_id = '%s' AND name = "
	    "'send_referral' AND provider = 'in-house'", w->c2) == 1,
	    "share: a conflict shares nothing and leaves the customer's type alone");

	ok(share(q->pkey, i4, w->c1, &n) == 404,
	    "share: another partner's integration is 404 (even with the right customer)");
	ok(integrate(q, "{\"provider\":\"q-two\",\"display_name\":\"Q2\"}", qi, NULL) == 201 &&
	    share(q->pkey, qi, w->c1, &n) == 404,
	    "share: another partner's customer is 404");
	ok(share(p->pkey, i4, s->tenant_id, &n) == 404,
	    "share: a standalone tenant is not a customer: 404");
	ok(share(p->pkey, i4, p->f.tenant_id, &n) == 404, "share: the partner itself: 404");
	ok(share(p->pkey, "pi_000000000000000000000000", w->c1, &n) == 404 &&
	    share(p->pkey, "nonsense", w->c1, &n) == 404 &&
	    share(p->pkey, i4, "not-a-uuid", &n) == 404, "share: unknown ids are 404");
	api(&r, "POST", path, p->pkey, "{}");
	ok(r.status == 400 && strcmp(jstr(&r, "field"), "customer_tenant_id") == 0,
	    "share: without customer_tenant_id is 400 naming it");
	resp_free(&r);
	api(&r, "POST", path, p->pkey, "{\"customer_tenant_id\":\"%s\",\"force\":true}", w->c1);
	ok(r.status == 400 && strcmp(jstr(&r, "field"), "force") == 0,
	    "share: an unknown field is 400");
	resp_free(&r);
}

/* Sends grant_points for user with key; 0 and the action's created_at, or -1. */
static int
grant(const char *key, int64_t *created)
{
	struct resp r;
	int rc = -1;

	api(&r, "POST", "/api/external/actions", key, "{\"action_type\":\"grant_points\","
	    "\"user_id\":\"shopper-1\",\"parameters\":{\"points\":100},\"reasoning\":\"loyal\"}");
	if (r.status == 201 && jstr(&r, "action.created_at") &&
	    time_parse_iso8601(jstr(&r, "action.created_at"), created) == 0)
		rc = 0;
	else
		diag("grant: %ld %s", r.status, r.body);
	resp_free(&r);
	return rc;
}

void
partners_one_secret(const struct partner_world *w)
{
	struct json_object *log, *req, *v;
	char iso[TIME_ISO8601_SIZE];
	int64_t t1, t2;
	size_t i, good = 0;

	if (!ok(receiver_secret("/partner-hook", w->secret) == 0 && grant(w->k1, &t1) == 0 &&
	    grant(w->k2, &t2) == 0, "secret: both customers dispatch grant_points"))
		return;
	time_format_iso8601((t1 > t2 ? t1 : t2) + 1, iso);
	ok(job_run("dispatch", "--now %s", iso) == 0, "secret: retivo-dispatch runs (%s)",
	    job_output());
	log = receiver_log("/partner-hook");
	for (i = 0; log != NULL && i < json_object_array_length(log); i++) {
		req = json_object_array_get_idx(log, i);
		if (json_object_object_get_ex(req, "signature_ok", &v) && json_object_get_boolean(v))
			good++;
	}
	ok(log != NULL && json_object_array_length(log) == 2 && good == 2,
	    "secret: the partner's endpoint verifies both customers' dispatches with the one "
	    "integration secret (%zu of %zu)", good, log ? json_object_array_length(log) : 0);
	json_object_put(log);
}

/* Sends one product event as key; the HTTP status. */
static long
track(const char *key, const char *user, const char *event)
{
	struct resp r;
	long st;

	api(&r, "POST", "/api/events", key, "{\"user_id\":\"%s\",\"event\":\"%s\"}", user, event);
	st = r.status;
	resp_free(&r);
	return st;
}

static long long
events_named(const char *tenant, const char *name)
{
	return sql_int("SELECT COUNT(*) FROM events WHERE tenant_id = '%s' AND name = '%s'",
	    tenant, name);
}

void
partners_mappings(const struct partner *q, const struct fixture *s, const struct partner_world *w)
{
	struct resp r;
	char c3[40], k3[64];
	struct json_object *done;
	size_t i;
	int bought = 0;

	api(&r, "PATCH", "/api/settings", w->k1, "{\"onboarding_milestones\":[{\"key\":\"bought\","
	    "\"name\":\"Bought\",\"events\":[\"purchase\"]},{\"key\":\"ordered\",\"name\":\"Ordered\","
	    "\"events\":[\"order_completed\"]}]}");
	ok(r.status == 200, "mappings: the customer's milestones name the mapped event (%s)", r.body);
	resp_free(&r);
	api(&r, "POST", "/api/events", w->k1, "{\"events\":["
	    "{\"user_id\":\"shopper-1\",\"event\":\"order_completed\"},"
	    "{\"user_id\":\"shopper-1\",\"event\":\"Level Up\"},"
	    "{\"user_id\":\"shopper-1\",\"event\":\"page_viewed\"}]}");
	ok(r.status == 200 && jint(&r, "accepted") == 3, "mappings: the customer sends three events");
	resp_free(&r);
	api(&r, "GET", "/api/customers/shopper-1", w->k1, NULL);
	done = jget(&r, "customer.milestones.completed");
	for (i = 0; done != NULL && i < json_object_array_length(done); i++)
		if (strcmp(json_object_get_string(json_object_array_get_idx(done, i)), "bought") == 0)
			bought = 1;
	ok(r.status == 200 && bought && done != NULL && json_object_array_length(done) == 1,
	    "mappings: GET /api/customers/shopper-1 shows order_completed arrived as purchase "
	    "(%s)", r.body);
	resp_free(&r);
	ok(events_named(w->c1, "purchase") == 1 && events_named(w->c1, "order_completed") == 0 &&
	    events_named(w->c1, "level_up") == 1 && events_named(w->c1, "Level Up") == 0 &&
	    events_named(w->c1, "page_viewed") == 1,
	    "mappings: both shared integrations' mappings applied, other events untouched");
	ok(track(s->key, "walker", "order_completed") == 200 &&
	    events_named(s->tenant_id, "order_completed") == 1 &&
	    events_named(s->tenant_id, "purchase") == 0,
	    "mappings: a standalone tenant's events are not renamed");
	ok(provision(q, "q-shop", "", c3, k3) == 201 && track(k3, "q-user", "order_completed") == 200 &&
	    events_named(c3, "order_completed") == 1 && events_named(c3, "purchase") == 0,
	    "mappings: another partner's customer (without the integration) keeps its names");
}

void
partners_isolation(const struct partner *p, const struct partner *q, const struct fixture *s,
    const struct partner_world *w)
{
	struct resp r;
	char path[160];

	api(&r, "GET", "/api/customers/shopper-1", p->pkey, NULL);
	ok(r.status == 403, "isolation: the partner key cannot read its customer's users");
	resp_free(&r);
	api(&r, "GET", "/api/customers/shopper-1", p->f.key, NULL);
	ok(r.status == 404, "isolation: the partner's full key sees only the partner's own data");
	resp_free(&r);
	api(&r, "GET", "/api/customers/walker", w->k1, NULL);
	ok(r.status == 404, "isolation: the customer's key cannot read another tenant's user");
	resp_free(&r);
	api(&r, "GET", "/api/customers/shopper-1", s->key, NULL);
	ok(r.status == 404, "isolation: another tenant cannot read the customer's user");
	resp_free(&r);
	api(&r, "GET", "/api/customers/shopper-1", w->k2, NULL);
	ok(r.status == 404, "isolation: a sibling customer cannot read it either");
	resp_free(&r);
	api(&r, "GET", "/api/partners/customers", w->k1, NULL);
	ok(r.status == 403, "isolation: a customer's key cannot use the Partner API");
	resp_free(&r);
	snprintf(path, sizeof(path), "/api/partners/customers/%s", w->c1);
	api(&r, "GET", path, q->pkey, NULL);
	ok(is_error(&r, 404, "customer"), "isolation: another partner's customer is 404");
	resp_free(&r);
	snprintf(path, sizeof(path), "/api/partners/customers/%s", s->tenant_id);
	api(&r, "GET", path, p->pkey, NULL);
	ok(r.status == 404, "isolation: a standalone tenant is not a customer: 404");
	resp_free(&r);
	snprintf(path, sizeof(path), "/api/partners/customers/%s", p->f.tenant_id);
	api(&r, "GET", path, p->pkey, NULL);
	ok(r.status == 404, "isolation: the partner itself is not its customer: 404");
	resp_free(&r);
	api(&r, "GET", "/api/partners/customers/x", p->pkey, NULL);
	ok(r.status == 404, "isolation: a malformed id is 404");
	resp_free(&r);
	api(&r, "GET", "/api/partners/customers", q->pkey, NULL);
	ok(r.status == 200 && jint(&r, "total") == 1 && strstr(r.body, w->c1) == NULL &&
	    strstr(r.body, w->c2) == NULL, "isolation: the other partner lists only its own");
	resp_free(&r);
}

void
partners_stats(const struct partner *p, const struct partner *q, const struct partner_world *w)
{
	struct resp r;

	api(&r, "GET", "/api/partners/stats", p->pkey, NULL);
	ok(r.status == 200 && jint(&r, "total_customers") == 2 && jlen(&r, "customers") == 2 &&
	    strstr(r.body, w->c1) && strstr(r.body, w->c2) && jstr(&r, "customers.0.tenant_id") &&
	    jstr(&r, "customers.0.name") && jstr(&r, "customers.0.plan_tier") &&
	    jint(&r, "customers.0.tracked_user_limit") > 0 && jstr(&r, "customers.0.created_at") &&
	    jint(&r, "total_tracked_users") >= 1,
	    "stats: the seed's shape over both customers, their tracked users summed (%s)", r.body);
	resp_free(&r);
	api(&r, "GET", "/api/partners/stats", q->pkey, NULL);
	ok(r.status == 200 && jint(&r, "total_customers") == 1 && strstr(r.body, w->c1) == NULL,
	    "stats: the other partner counts only its own");
	resp_free(&r);
}
