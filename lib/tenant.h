/*
 * tenant.h — tenants: standalone accounts, partners, and the customer
 * tenants a partner provisions. Plans decide the rate limits (seed 003).
 */
#ifndef RETIVO_TENANT_H
#define RETIVO_TENANT_H

#include <stdint.h>

#include <json-c/json.h>

/* 1 when s is a known plan tier / tenant role. Pure. */
int tenant_plan_valid(const char *plan);
int tenant_role_valid(const char *role);

/* 1 when slug is lowercase letters, digits and single inner hyphens. Pure. */
int tenant_slug_valid(const char *slug);

/*
 * Creates a tenant and writes its UUID into id_out. parent may be NULL.
 * Returns 0, 1 when the slug is taken, -1 on error (logged).
 */
int tenant_create(const char *name, const char *slug, const char *plan, const char *role,
    const char *parent, int64_t now, char id_out[37]);

/* Moves a tenant to another plan; limits follow on the next request.
 * Returns 0, 1 when no such tenant, -1 on error. */
int tenant_set_plan(const char *id, const char *plan, int64_t now);

/* The tenant as JSON (new object; caller puts), or NULL when absent. */
struct json_object *tenant_get_json(const char *id);

#endif
