/*
 * actiontype.h — action types (seed 000): what a tenant's external
 * platforms can do, with the JSON Schema of each action's parameters and
 * the webhook that receives dispatches. The webhook secret is stored sealed
 * (AES-256-GCM under the master key) and shown only at registration.
 */
#ifndef RETIVO_ACTIONTYPE_H
#define RETIVO_ACTIONTYPE_H

#include <stdint.h>

#include <json-c/json.h>

struct actiontype {
	char	 id[48];
	char	*name;
	char	*description;
	char	*provider;
	char	*domain;		/* may be NULL */
	char	*parameters_schema;	/* JSON text */
	char	*delivery_webhook;
	char	*estimated_cost_usd;	/* decimal text, may be NULL */
	int	 active;
};

/* Field rules, pure: 1 when valid. */
int actiontype_name_valid(const char *name);		/* snake_case, <= 64 */
int actiontype_provider_valid(const char *provider);	/* [A-Za-z0-9._-], <= 100 */
int actiontype_cost_valid(const char *cost);		/* "0.05": digits, up to 6 decimals */

/* Frees the strings of a (not a itself). */
void actiontype_clear(struct actiontype *a);

/*
 * Inserts a new action type (a->id is generated) with the sealed secret.
 * Returns 0, 1 when the tenant already has the name, -1 on error.
 */
int actiontype_insert(const char *tenant_id, struct actiontype *a, const char *secret_sealed,
    int64_t now);

/* Loads the tenant's action type by id: 0, 1 not found, -1 error. */
int actiontype_load(const char *tenant_id, const char *id, struct actiontype *a);

/* Writes every field of a back: 0, 1 name taken, 2 not found, -1 error. */
int actiontype_save(const char *tenant_id, const struct actiontype *a, int64_t now);

/* The tenant's action type as JSON (new object), NULL when absent or on error
 * (*found tells which). */
struct json_object *actiontype_get_json(const char *tenant_id, const char *id, int *found);

/*
 * Lists newest first with optional filters (NULL = any; active -1 = any),
 * after the id cursor. Returns a new array and *has_more, NULL on error.
 */
struct json_object *actiontype_list(const char *tenant_id, const char *provider,
    const char *domain, int active, int limit, const char *cursor, int *has_more);

/*
 * What the tenant's actions created on now's UTC day are estimated to
 * cost (each action carries its type's estimated_cost_usd as of its
 * dispatch): a new object {"date": "YYYY-MM-DD", "spent_usd": "0.15",
 * "by_action_type": {"grant_points": "0.15"}, "test_mode_spent_usd":
 * "0.05"}. Actions dispatched with test keys execute nothing billable,
 * so they are summed apart. NULL on error.
 */
struct json_object *actiontype_budget(const char *tenant_id, int64_t now);

#endif
