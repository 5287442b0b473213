/* partners_helpers.c — see partners_helpers.h. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "client.h"
#include "helpers.h"
#include "partners_helpers.h"
#include "suites.h"

char partners_suffix[13];

/* Copies the string at path of r into out ("" when absent). */
void
copy_str(const struct resp *r, const char *path, char *out, size_t len)
{
	snprintf(out, len, "%s", nz(jstr(r, path)));
}

int
partner_fixture(struct partner *p, const char *plan)
{
	return fixture_tenant(&p->f, plan, "partner") == 0 &&
	    fixture_key(p->f.tenant_id, "live", "partner", p->pkey, sizeof(p->pkey)) == 0 ? 0 : -1;
}

/* Provisions a customer; its tenant id and key out. Returns the status. */
long
provision(const struct partner *p, const char *slug, const char *extra, char id[40], char key[64])
{
	struct resp r;
	long st;

	api(&r, "POST", "/api/partners/customers", p->pkey, "{\"name\":\"Merchant %s\","
	    "\"slug\":\"%s-%s\"%s}", slug, slug, partners_suffix, extra);
	copy_str(&r, "customer.tenant_id", id, 40);
	copy_str(&r, "customer.api_key", key, 64);
	if (r.status != 201)
		diag("provision %s: %ld %s", slug, r.status, r.body);
	st = r.status;
	resp_free(&r);
	return st;
}

/* Registers an integration; its id (and secret, when asked) out. */
long
integrate(const struct partner *p, const char *body, char id[64], char secret[80])
{
	struct resp r;
	long st;

	api(&r, "POST", "/api/partners/integrations", p->pkey, "%s", body);
	copy_str(&r, "integration.id", id, 64);
	if (secret != NULL)
		copy_str(&r, "integration.webhook_secret", secret, 80);
	if (r.status != 201)
		diag("integrate: %ld %s", r.status, r.body);
	st = r.status;
	resp_free(&r);
	return st;
}

/* Shares; returns the status and *registered (-1 when absent). */
long
share(const char *key, const char *integration, const char *customer, long long *registered)
{
	struct resp r;
	char path[160];
	long st;

	snprintf(path, sizeof(path), "/api/partners/integrations/%s/share", integration);
	api(&r, "POST", path, key, "{\"customer_tenant_id\":\"%s\"}", customer);
	*registered = r.status == 200 && jget(&r, "shared") != NULL &&
	    json_object_get_boolean(jget(&r, "shared")) ? jint(&r, "action_types_registered") : -1;
	st = r.status;
	resp_free(&r);
	return st;
}

