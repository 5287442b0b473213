/*
 * activities_helpers.c — see activities_helpers.h.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "activities_helpers.h"

int
api_tenant(struct resp *r, const char *method, const char *path, const char *key,
    const char *tenant, const char *body)
{
	char headers[512];

	snprintf(headers, sizeof(headers), "Authorization: Bearer %s\nx-tenant-id: %s", key, tenant);
	return api_request(r, method, path, headers, "application/json", body,
	    body != NULL ? strlen(body) : 0);
}

int
commerce_fixture(const char *key, const char *body, char id[64])
{
	struct resp r;
	int rc = -1;

	api(&r, "POST", "/api/commerces", key, "%s", body);
	if (r.status == 201 && jstr(&r, "commerce.id") != NULL) {
		snprintf(id, 64, "%s", jstr(&r, "commerce.id"));
		rc = 0;
	} else
		fprintf(stderr, "# commerce_fixture: %ld %s\n", r.status, r.body ? r.body : "");
	resp_free(&r);
	return rc;
}
