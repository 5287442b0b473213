/*
 * partners.c — /api/partners (seed 002): a partner tenant provisions
 * customer tenants, registers integrations and shares them, and reads
 * stats across its customers.
 *
 * Every route needs both a key with the partner scope (the route table:
 * a full key lacks it, 403) and a tenant whose role is partner (checked
 * first in each handler, 403). The partner scope admits no other route of
 * the API, so a partner key never reads or writes a customer's data; it
 * only sees the customers' tenant records here, through partner.h, which
 * scopes every query by the partner.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "conf.h"
#include "crypto.h"
#include "http.h"
#include "ids.h"
#include "jsonin.h"
#include "jsonout.h"
#include "log.h"
#include "page.h"
#include "partner.h"
#include "reply.h"
#include "tenant.h"
#include "url.h"

static void customers_list(struct http_req *);
static void customers_create(struct http_req *);
static void customers_get(struct http_req *);
static void integrations_create(struct http_req *);
static void integrations_list(struct http_req *);
static void integrations_share(struct http_req *);
static void partner_stats(struct http_req *);

enum route {
	ROUTE_CUSTOMERS_LIST,
	ROUTE_CUSTOMERS_CREATE,
	ROUTE_CUSTOMERS_GET,
	ROUTE_INTEGRATIONS_CREATE,
	ROUTE_INTEGRATIONS_LIST,
	ROUTE_INTEGRATIONS_SHARE,
	ROUTE_STATS,
	ROUTE__MAX
};

static const struct http_route routes[ROUTE__MAX] = {
	[ROUTE_CUSTOMERS_LIST] = { "GET", "/api/partners/customers", SCOPE_PARTNER,
	    customers_list },
	[ROUTE_CUSTOMERS_CREATE] = { "POST", "/api/partners/customers", SCOPE_PARTNER,
	    customers_create },
	[ROUTE_CUSTOMERS_GET] = { "GET", "/api/partners/customers/:id", SCOPE_PARTNER,
	    customers_get },
	[ROUTE_INTEGRATIONS_CREATE] = { "POST", "/api/partners/integrations", SCOPE_PARTNER,
	    integrations_create },
	[ROUTE_INTEGRATIONS_LIST] = { "GET", "/api/partners/integrations", SCOPE_PARTNER,
	    integrations_list },
	[ROUTE_INTEGRATIONS_SHARE] = { "POST", "/api/partners/integrations/:id/share",
	    SCOPE_PARTNER, integrations_share },
	[ROUTE_STATS] = { "GET", "/api/partners/stats", SCOPE_PARTNER, partner_stats },
};

#define TRACKED_USER_LIMIT_DEFAULT	1000
#define TRACKED_USER_LIMIT_MAX		100000000LL

/* 1 when the caller's tenant is a partner; else answers 403 and returns 0. */
static int
partner_caller(struct http_req *r)
{
	if (strcmp(r->auth.tenant_role, "partner") == 0)
		return 1;
	http_error(r, 403, "not_a_partner",
	    "the Partner API is only for partner tenants (this key's tenant is %s)",
	    r->auth.tenant_role);
	return 0;
}

/* {items_key: items, has_more, next_cursor} with the cursor taken from
 * id_key of the last item (customers are named by tenant_id). */
static struct json_object *
partner_page(const char *items_key, struct json_object *items, int has_more,
    const char *id_key)
{
	struct json_object *o = json_object_new_object(), *last, *id = NULL;
	size_t n = json_object_array_length(items);

	json_object_object_add(o, items_key, items);
	json_object_object_add(o, "has_more", json_object_new_boolean(has_more));
	if (has_more && n > 0 && (last = json_object_array_get_idx(items, n - 1)) != NULL &&
	    json_object_object_get_ex(last, id_key, &id))
		json_object_object_add(o, "next_cursor", json_object_get(id));
	else
		json_object_object_add(o, "next_cursor", NULL);
	return o;
}

static void
customers_list(struct http_req *r)
{
	struct json_object *arr, *out;
	const char *cursor;
	long long total;
	int limit, has_more;

	if (!partner_caller(r))
		return;
	if (reply_page_query(r, 0, &limit, &cursor) != 0)
		return;
	if ((arr = partner_customer_list(r->auth.tenant_id, limit, cursor, &has_more,
	    &total)) == NULL) {
		http_internal(r);
		return;
	}
	out = partner_page("customers", arr, has_more, "tenant_id");
	jo_int(out, "total", total);
	http_json(r, 200, out);
}

static const char *const customer_fields[] = { "name", "slug", "plan_tier",
	"tracked_user_limit", "config", NULL };
static const char *const plans[] = { "starter", "growth", "scale", "custom", NULL };

static void
customers_create(struct http_req *r)
{
	const char *name, *slug, *plan;
	struct json_object *config, *customer, *out;
	char id[37], key[AUTH_KEY_LEN + 1];
	long long limit, shared;
	struct in v;
	int p, rc;

	if (!partner_caller(r))
		return;
	in_init(&v, r->body, NULL);
	in_only(&v, customer_fields);
	name = in_str(&v, "name", IN_REQUIRED, 1, 200);
	slug = in_str(&v, "slug", IN_REQUIRED, 1, 100);
	if (slug != NULL && !tenant_slug_valid(slug))
		in_fail(&v, "slug", "invalid_field",
		    "must be lowercase letters, digits and single hyphens, e.g. merchant-abc");
	p = in_enum(&v, "plan_tier", IN_NULLABLE, plans);
	limit = in_int(&v, "tracked_user_limit", IN_NULLABLE, 1, TRACKED_USER_LIMIT_MAX,
	    TRACKED_USER_LIMIT_DEFAULT);
	config = in_obj(&v, "config", IN_NULLABLE);
	if (in_reject(&v, r))
		return;
	/* The partner's own tier unless one is asked for. */
	plan = p >= 0 ? plans[p] : r->auth.plan;
	rc = partner_customer_create(r->auth.tenant_id, name, slug, plan, limit,
	    config ? json_object_to_json_string_ext(config, JSON_C_TO_STRING_PLAIN) : NULL,
	    r->auth.test_mode, r->now, id, key, &shared);
	if (rc == 1) {
		http_error_field(r, 409, "duplicate", "slug", "slug: a tenant with this slug exists");
		return;
	}
	if (rc != 0) {
		http_internal(r);
		return;
	}
	customer = json_object_new_object();
	jo_str(customer, "tenant_id", id);
	jo_str(customer, "name", name);
	jo_str(customer, "slug", slug);
	jo_str(customer, "plan_tier", plan);
	/* The customer's key is in this response and nowhere else, ever. */
	jo_str(customer, "api_key", key);
	memset(key, 0, sizeof(key));
	out = json_object_new_object();
	json_object_object_add(out, "customer", customer);
	jo_int(out, "integrations_shared", shared);
	http_json(r, 201, out);
}

static void
customers_get(struct http_req *r)
{
	if (!partner_caller(r))
		return;
	if (!id_is_uuid(r->params[0]))
		http_not_found(r, "customer");
	else
		reply_by_id(r, 200, "customer", "customer", partner_customer_json, r->params[0]);
}

/*
 * The registration half of the SSRF guard, as for action types: where
 * private targets are not allowed (production), a template webhook whose
 * host resolves to a private address is refused. Answers 400, returns 1.
 */
static int
templates_refused(struct http_req *r, const struct partner_integration *pi)
{
	const struct conf *c = conf_get();
	char err[256], field[64], msg[400];
	size_t i;

	if (c == NULL || c->allow_private_targets)
		return 0;
	for (i = 0; i < pi->ntemplates; i++) {
		if (url_target_allowed(pi->templates[i].delivery_webhook, 0, err, sizeof(err)))
			continue;
		snprintf(field, sizeof(field), "action_type_templates[%zu].delivery_webhook", i);
		snprintf(msg, sizeof(msg), "%s: %s", field, err);
		http_error_field(r, 400, "invalid_field", field, msg);
		return 1;
	}
	return 0;
}

static void
integrations_create(struct http_req *r)
{
	const unsigned char *key;
	struct partner_integration *pi = NULL;
	struct json_object *o, *out;
	char id[48], conflict[65], secret[65], *sealed = NULL;
	struct in v;
	int rc, found;

	memset(secret, 0, sizeof(secret));
	if (!partner_caller(r))
		return;
	/* Some 4 KB of borrowed pointers: kept off the FastCGI stack. */
	if ((pi = calloc(1, sizeof(*pi))) == NULL) {
		log_err("partners: out of memory");
		http_internal(r);
		return;
	}
	in_init(&v, r->body, NULL);
	if (partner_integration_read(&v, pi) != 0) {
		in_reject(&v, r);
		goto out;
	}
	if (templates_refused(r, pi))
		goto out;
	if ((key = reply_master_key(r, "store webhook secrets")) == NULL)
		goto out;
	if (crypto_sealed_secret(key, secret, &sealed) != 0) {
		log_err("partners: cannot create a webhook secret");
		http_internal(r);
		goto out;
	}
	rc = partner_integration_create(r->auth.tenant_id, pi, sealed, r->now, id, conflict);
	if (rc == 1) {
		http_error_field(r, 409, "duplicate", "provider",
		    "provider: you already have an integration of this provider");
		goto out;
	}
	if (rc == 2) {
		http_error(r, 409, "duplicate",
		    "action_type_templates: the name %s is already a template of another of your "
		    "integrations", conflict);
		goto out;
	}
	if (rc != 0 || (o = partner_integration_json(r->auth.tenant_id, id, &found)) == NULL) {
		http_internal(r);
		goto out;
	}
	/* Shown once; every customer's action types of this integration sign
	 * their dispatches with it. */
	jo_str(o, "webhook_secret", secret);
	out = json_object_new_object();
	json_object_object_add(out, "integration", o);
	http_json(r, 201, out);
out:
	memset(secret, 0, sizeof(secret));
	free(sealed);
	free(pi);
}

static void
integrations_list(struct http_req *r)
{
	struct json_object *arr;
	const char *cursor;
	int limit, has_more;

	if (!partner_caller(r))
		return;
	if (reply_page_query(r, 0, &limit, &cursor) != 0)
		return;
	arr = partner_integration_list(r->auth.tenant_id, limit, cursor, &has_more);
	reply_page(r, "integrations", NULL, arr, has_more, 0);
}

static void
integrations_share(struct http_req *r)
{
	static const char *const fields[] = { "customer_tenant_id", NULL };
	struct json_object *out;
	const char *customer;
	char conflict[65];
	long long registered = 0;
	struct in v;
	int rc;

	if (!partner_caller(r))
		return;
	in_init(&v, r->body, NULL);
	in_only(&v, fields);
	customer = in_str(&v, "customer_tenant_id", IN_REQUIRED, 1, 64);
	if (in_reject(&v, r))
		return;
	if (!id_has_prefix(r->params[0], "pi")) {
		http_not_found(r, "integration");
		return;
	}
	if (!id_is_uuid(customer)) {
		http_not_found(r, "customer");
		return;
	}
	rc = partner_share(r->auth.tenant_id, r->params[0], customer, r->now, &registered,
	    conflict);
	switch (rc) {
	case PARTNER_SHARE_OK:
		break;
	case PARTNER_SHARE_NO_INTEGRATION:
		http_not_found(r, "integration");
		return;
	case PARTNER_SHARE_NO_CUSTOMER:
		http_not_found(r, "customer");
		return;
	case PARTNER_SHARE_INACTIVE:
		http_error(r, 409, "integration_inactive",
		    "the integration is not active; only active integrations are shared");
		return;
	case PARTNER_SHARE_CONFLICT:
		http_error(r, 409, "action_type_conflict",
		    "the customer already has an action type named %s; nothing was shared",
		    conflict);
		return;
	default:
		http_internal(r);
		return;
	}
	out = json_object_new_object();
	jo_bool(out, "shared", 1);
	jo_int(out, "action_types_registered", registered);
	http_json(r, 200, out);
}

static void
partner_stats(struct http_req *r)
{
	struct json_object *o;

	if (!partner_caller(r))
		return;
	if ((o = partner_stats_json(r->auth.tenant_id)) == NULL) {
		http_internal(r);
		return;
	}
	http_json(r, 200, o);
}

int
main(int argc, char **argv)
{
	return http_serve(argc, argv, "retivo-partners", routes, ROUTE__MAX);
}
