/*
 * partner.h — partner tenants (seed 002): the customer tenants a partner
 * provisions, the integrations it registers (a webhook secret, action
 * type templates, event mappings), sharing them with its customers, and
 * the cross-customer stats.
 *
 * Every function that takes partner_id only ever reads or writes that
 * partner's rows and the customers whose parent_tenant_id is partner_id;
 * another partner's ids answer "not found", never "forbidden".
 *
 * Sharing an integration with a customer registers each template as an
 * action type of the customer (provider and domain of the integration,
 * the integration's sealed secret copied as is, so the partner's one
 * endpoint verifies every customer's dispatches with one secret), and
 * makes the integration's event mappings rename the customer's incoming
 * product events. A (integration, customer) pair is shared at most once:
 * the second share finds its row and registers nothing.
 */
#ifndef RETIVO_PARTNER_H
#define RETIVO_PARTNER_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

struct in;
struct event_in;

#define PARTNER_MAX_TEMPLATES	50
#define PARTNER_MAX_MAPPINGS	100

/* One action type template, borrowed from the request body. */
struct partner_template {
	const char	*name;
	const char	*description;
	const char	*parameters_schema;	/* JSON text (owned by the body object) */
	const char	*delivery_webhook;
	const char	*estimated_cost_usd;	/* may be NULL */
};

/* One event mapping: a product event `from` is stored as `to`. */
struct partner_mapping {
	const char	*from;
	const char	*to;
};

/* A validated POST /api/partners/integrations body; strings borrowed. */
struct partner_integration {
	const char		*provider;
	const char		*display_name;
	const char		*domain;		/* may be NULL */
	int			 active;
	struct partner_template	 templates[PARTNER_MAX_TEMPLATES];
	size_t			 ntemplates;
	struct partner_mapping	 mappings[PARTNER_MAX_MAPPINGS];
	size_t			 nmappings;
};

/*
 * 1 when name may be a side of an event mapping: a valid product event
 * name that is not "$identify" (traits are not an event to rename) and
 * not a "custom." type (custom events are never renamed). Pure.
 */
int partner_mapping_name_valid(const char *name);

/*
 * Reads and validates an integration body from v: provider (as an action
 * type's provider), display_name, domain, active, action_type_templates
 * (each validated like an action-type registration: snake_case name,
 * description, a valid JSON Schema, an http(s) webhook; names unique in
 * the body) and event_mappings (each {from, to}, both
 * partner_mapping_name_valid, from != to, each from at most once).
 * Failures land in v naming the field, e.g.
 * "action_type_templates[1].parameters_schema". Pure; returns 0 or -1.
 * The schema texts point into json-c's per-object string buffers, so the
 * body must outlive pi.
 */
int partner_integration_read(struct in *v, struct partner_integration *pi);

/*
 * Renames, in place, each product event of ev[0..n) whose name is the
 * `from` of a mapping to its `to` (the first mapping of that `from` wins;
 * renaming is one step, never chained). Returns how many were renamed.
 * The names become borrowed from m. Pure.
 */
size_t partner_mappings_apply(const struct partner_mapping *m, size_t nm,
    struct event_in *ev, size_t n);

/* The event mappings of every integration shared with a customer. */
struct partner_mapset {
	struct partner_mapping	*m;
	size_t			 n;
	char			*buf;	/* the strings m points into */
};

/*
 * Loads the mappings that apply to customer_tenant_id, in share order, into
 * ms (free with partner_mapset_free). One indexed query; call it only for
 * customer tenants. Returns 0 (possibly with n == 0) or -1 (logged).
 */
int partner_mapset_load(const char *customer_tenant_id, struct partner_mapset *ms);
void partner_mapset_free(struct partner_mapset *ms);

/*
 * Creates a customer tenant of the partner in one transaction: the tenant
 * (role customer, parent partner_id), its config (JSON text, may be NULL),
 * a full-scope API key (written to key_out, AUTH_KEY_LEN + 1 bytes) of the
 * calling key's mode (test_mode: a partner testing with rt_test_ gets an
 * rt_test_ customer key, so its test runs never hold a live credential)
 * and the share of every active integration of the partner
 * (*integrations_shared). Returns 0 with the new id in id_out, 1 when the
 * slug is taken, -1 on error (logged; nothing created).
 */
int partner_customer_create(const char *partner_id, const char *name, const char *slug,
    const char *plan, long long tracked_user_limit, const char *config, int test_mode,
    int64_t now, char id_out[37], char *key_out, long long *integrations_shared);

/* Whether customer_id is a customer of the partner: 1 yes, 0 no, -1 error. */
int partner_owns_customer(const char *partner_id, const char *customer_id);

/*
 * The partner's customers newest first, at most limit, after the customer
 * id cursor (NULL: from the newest). A new array, *has_more and *total
 * (all the partner's customers), or NULL on error.
 */
struct json_object *partner_customer_list(const char *partner_id, int limit,
    const char *cursor, int *has_more, long long *total);

/*
 * One customer of the partner in full: the list fields plus updated_at,
 * tracked_users, config and the integrations shared with it. A new object;
 * NULL with *found 0 when it is not the partner's customer, or on error
 * with *found 1.
 */
struct json_object *partner_customer_json(const char *partner_id, const char *customer_id,
    int *found);

/*
 * Stores a validated integration with its sealed secret. Returns 0 with
 * the new id in id_out; 1 when the partner already has an integration of
 * that provider; 2 when one of its template names is already a template of
 * another of the partner's integrations (the name copied to conflict);
 * -1 on error.
 */
int partner_integration_create(const char *partner_id, const struct partner_integration *pi,
    const char *secret_sealed, int64_t now, char id_out[48], char conflict[65]);

/* The partner's integration as JSON (new object); *found as above. */
struct json_object *partner_integration_json(const char *partner_id, const char *id,
    int *found);

/* The partner's integrations, newest first (as partner_customer_list). */
struct json_object *partner_integration_list(const char *partner_id, int limit,
    const char *cursor, int *has_more);

#define PARTNER_SHARE_OK		0
#define PARTNER_SHARE_NO_INTEGRATION	1	/* not the partner's integration */
#define PARTNER_SHARE_NO_CUSTOMER	2	/* not the partner's customer */
#define PARTNER_SHARE_INACTIVE		3	/* the integration is not active */
#define PARTNER_SHARE_CONFLICT		4	/* the customer has a type of that name */
#define PARTNER_SHARE_ERROR		(-1)

/*
 * Shares the partner's integration with its customer in one transaction;
 * *registered says how many action types were created (0 when it was
 * shared before). On PARTNER_SHARE_CONFLICT the name is in conflict and
 * nothing changed.
 */
int partner_share(const char *partner_id, const char *integration_id, const char *customer_id,
    int64_t now, long long *registered, char conflict[65]);

/*
 * The seed's stats: {total_customers, total_tracked_users, customers:
 * [{tenant_id, name, plan_tier, tracked_user_limit, tracked_users,
 * created_at}]} newest first, at most PARTNER_STATS_MAX customers listed
 * ("customers_truncated" says when more exist). NULL on error.
 */
#define PARTNER_STATS_MAX	1000
struct json_object *partner_stats_json(const char *partner_id);

#endif
