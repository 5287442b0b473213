/*
 * platform.h — pre-built platform connectors (seed 000): a built-in
 * catalogue of loyalty and gamification platforms, each a template of
 * action types, and the tenant's connections to them.
 *
 * Connecting stores the platform credentials sealed (AES-256-GCM under the
 * master key, never returned) and registers the template's action types
 * for the tenant, with provider = the platform id and platform_id set, so
 * they are listed, dispatched and budgeted like any other action type.
 * Retivo delivers actions to webhooks: the types registered here send to
 * the delivery_webhook the tenant gives at connect time (its bridge to the
 * platform). A tenant that gives none gets the platform's placeholder URL,
 * which stands for a hosted bridge this build does not ship — nothing in
 * this module calls the platform's own API.
 */
#ifndef RETIVO_PLATFORM_H
#define RETIVO_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

/* One action type of a platform's template. */
struct platform_action {
	const char	*name;			/* snake_case, unique across the catalogue */
	const char	*description;
	const char	*parameters_schema;	/* JSON Schema text, draft-07 */
	const char	*estimated_cost_usd;	/* decimal text */
};

struct platform {
	const char			*id;		/* "smile-io" */
	const char			*name;		/* "Smile.io" */
	const char			*domain;	/* loyalty, gamification */
	const char			*description;
	const char			*default_webhook;
	const char *const		*credentials;	/* required fields, NULL-terminated */
	const struct platform_action	*actions;
	size_t				 nactions;
};

/* The catalogue, in listing order. */
extern const struct platform platform_catalogue[];
extern const size_t platform_catalogue_len;

/* The platform with this id, or NULL. Pure. */
const struct platform *platform_find(const char *id);

/*
 * Every catalogue entry as JSON {id, name, domain, description,
 * action_types: [names], credentials_required, connected, connected_at,
 * disconnected_at} with the tenant's connection status. A new array, or
 * NULL on error.
 */
struct json_object *platform_list_json(const char *tenant_id);

/* One entry as above (new object), or NULL on error. */
struct json_object *platform_json(const char *tenant_id, const struct platform *p);

/*
 * Connects (or reconnects) the tenant to p in one transaction: stores the
 * sealed credentials, and registers each template action type — a new row,
 * or the tenant's existing row of that name when it already belongs to
 * this platform (updated from the template and reactivated). Every type
 * gets a fresh webhook secret (64 hex characters, sealed with master_key);
 * *registered receives a new array [{id, name, webhook_secret}] — the only
 * place those secrets are ever shown.
 * Returns 0; 1 when a type of that name exists and is not this platform's
 * (its name copied to conflict, nothing changed); -1 on error (logged).
 */
int platform_connect(const char *tenant_id, const struct platform *p,
    const char *credentials_sealed, const char *delivery_webhook,
    const unsigned char master_key[32], int64_t now, struct json_object **registered,
    char conflict[65]);

/*
 * Disconnects: deactivates the platform's action types (*deactivated says
 * how many), marks the connection disconnected and forgets its
 * credentials. Returns 0, 1 when the tenant is not connected, -1 on error.
 */
int platform_disconnect(const char *tenant_id, const struct platform *p, int64_t now,
    long long *deactivated);

#endif
