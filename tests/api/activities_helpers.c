/*
 * activities_helpers.c — see activities_helpers.h.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "activities_helpers.h"
#include "helpers.h"
#include "suites.h"

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
	return api_create("/api/commerces", key, "commerce.id", id, 64, "%s", body) == 201 &&
	    id[0] != '\0' ? 0 : -1;
}

int
activity_fixture(const char *key, const char *commerce_id, const char *idem, const char *fields,
    char id[64], char status[16])
{
	struct resp r;
	int rc = -1;

	api(&r, "POST", "/api/activities", key, "{\"reason\":\"r\",\"commerce_id\":\"%s\","
	    "\"idempotency_key\":\"%s\",%s}", commerce_id, idem, fields);
	if (r.status == 201 && jstr(&r, "id") != NULL) {
		snprintf(id, 64, "%s", jstr(&r, "id"));
		if (status != NULL)
			snprintf(status, 16, "%s", nz(jstr(&r, "status")));
		rc = 0;
	} else
		diag("activity %s: %ld %s", idem, r.status, nz(r.body));
	resp_free(&r);
	return rc;
}
