/*
 * activities_helpers.h — what the commerces and activities suites share:
 * requests carrying an x-tenant-id header, a commerce and an activity
 * fixture.
 */
#ifndef RETIVO_TEST_ACTIVITIES_HELPERS_H
#define RETIVO_TEST_ACTIVITIES_HELPERS_H

#include "client.h"

/* As api() with an "x-tenant-id: tenant" header. Returns 0 or -1. */
int api_tenant(struct resp *r, const char *method, const char *path, const char *key,
    const char *tenant, const char *body);

/* Creates a commerce from the JSON body; its id into id. Returns 0 or -1. */
int commerce_fixture(const char *key, const char *body, char id[64]);

/*
 * Creates an activity on commerce_id with idempotency key idem and the
 * other fields (a JSON fragment such as "\"type\":\"TASK\",..."); its id
 * into id and, when status is not NULL, its status. Returns 0, or -1 with a
 * diag line.
 */
int activity_fixture(const char *key, const char *commerce_id, const char *idem,
    const char *fields, char id[64], char status[16]);

/* The dispatch half of the activities suite (test_activities_dispatch.c). */
void activities_dispatch_checks(const struct fixture *f, const struct fixture *g);

#endif
