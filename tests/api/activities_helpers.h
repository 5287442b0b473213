/*
 * activities_helpers.h — what the commerces and activities suites share:
 * requests carrying an x-tenant-id header and a commerce fixture.
 */
#ifndef RETIVO_TEST_ACTIVITIES_HELPERS_H
#define RETIVO_TEST_ACTIVITIES_HELPERS_H

#include "client.h"

/* As api() with an "x-tenant-id: tenant" header. Returns 0 or -1. */
int api_tenant(struct resp *r, const char *method, const char *path, const char *key,
    const char *tenant, const char *body);

/* Creates a commerce from the JSON body; its id into id. Returns 0 or -1. */
int commerce_fixture(const char *key, const char *body, char id[64]);

/* The dispatch half of the activities suite (test_activities_dispatch.c). */
void activities_dispatch_checks(const struct fixture *f, const struct fixture *g);

#endif
