/*
 * resolve.h — the pure rules of activities (seed 004): the shape of a
 * commerce's contacts, who at a commerce carries an activity out (target
 * resolution), the values of its attributes (attribute resolution) and the
 * tenant's activity settings. No I/O: the API, the job and the unit tests
 * (tests/unit/test_resolve.c) share these functions.
 *
 * A contact (stored normalized, every key present):
 *   {"id": "ct_…", "name", "role": string|null,
 *    "channels": {"email"?, "phone"?, "whatsapp"?, "push_token"?},
 *    "is_sales_rep": bool, "is_owner": bool,
 *    "last_contacted_at": {"<channel>": ISO-8601, …}}
 * where <channel> is an activity channel in lower case (salesman,
 * callcenter, whatsapp, email, sms, push).
 *
 * A contact can carry an activity on a channel when it has the address the
 * channel needs: SALESMAN none, CALLCENTER and SMS a phone, WHATSAPP a
 * whatsapp number (or else a phone), EMAIL an email, PUSH a push_token.
 *
 * Target criteria: [{"type", "config"?, "priority"?}], tried in ascending
 * priority (ties in list order); the first that yields a contact wins:
 *   role                    config {"role": "manager"} or {"roles": [...]}:
 *                           every reachable contact with that role (case
 *                           does not matter)
 *   last_contacted          the reachable contact contacted most recently
 *                           on any channel
 *   last_contacted_channel  … on config {"channel"} (default: the
 *                           activity's own channel)
 *   sales_rep, owner        the reachable contact so flagged
 * After them the commerce's sales rep, then its owner, are the fallback
 * (rules "fallback_sales_rep", "fallback_owner"). Each target records the
 * rule that chose it.
 *
 * Settings (every key present once normalized):
 *   target_criteria     the default criteria when an activity has none; []
 *   resolution_time     "dispatch" (default) or "creation": when targets
 *                       are resolved
 *   attribute_policies  [{"key", "source": commerce_attribute|event_data|
 *                       static, "path" (dotted, for the first two),
 *                       "event"? (event_data: only events of that name),
 *                       "value" (static), "fallback"?, "resolve":
 *                       "upfront"|"dispatch" (default)}]; keys unique
 *   provider            {"endpoint_ids": ["wh_…", …]}: the webhook
 *                       endpoints that receive activity.dispatched
 */
#ifndef RETIVO_RESOLVE_H
#define RETIVO_RESOLVE_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#define RESOLVE_MAX_CONTACTS	100
#define RESOLVE_MAX_CRITERIA	20
#define RESOLVE_MAX_POLICIES	50
#define RESOLVE_MAX_KEYS	50
#define RESOLVE_MAX_ENDPOINTS	10
#define RESOLVE_KEY_MAX		64

/* A validation failure: the field (JSON path) and a message. */
struct resolve_err {
	char	field[128];
	char	msg[256];
};

enum resolve_phase {
	RESOLVE_CREATION,	/* only upfront attribute policies run */
	RESOLVE_DISPATCH	/* everything still missing runs */
};

/* Activity channels in API spelling, NULL-terminated. */
extern const char *const resolve_channels[];

/* 1 when name is an activity channel (upper or lower case). */
int resolve_channel_valid(const char *name);

/*
 * Checks and normalizes a contacts array (field name `field`): returns a
 * new array of normalized contacts, ids kept where given and "" where
 * absent (the caller assigns them), or NULL with e filled. Pure.
 */
struct json_object *resolve_contacts_normalize(struct json_object *arr, const char *field,
    struct resolve_err *e);

/* Checks target criteria (field name `field`); 0, or -1 with e filled. */
int resolve_criteria_check(struct json_object *arr, const char *field, struct resolve_err *e);

/* Checks attribute policies; 0, or -1 with e filled. */
int resolve_policies_check(struct json_object *arr, const char *field, struct resolve_err *e);

/* The default settings object (new). */
struct json_object *resolve_settings_default(void);

/*
 * Returns a new settings object: current (or the defaults when NULL) with
 * the top-level keys of patch replaced, each checked; NULL with e filled
 * (an unknown key is an error). Pure.
 */
struct json_object *resolve_settings_merge(struct json_object *current,
    struct json_object *patch, struct resolve_err *e);

/*
 * Resolves targets among contacts (normalized) for channel with criteria
 * (NULL or [] = only the fallbacks). Returns a new array of targets
 * {"contactId", "name", "role", "rule", "address"} — empty when nobody
 * fits, in which case one reason string per rule tried is appended to
 * reasons. Pure.
 */
struct json_object *resolve_targets(struct json_object *contacts, const char *channel,
    struct json_object *criteria, struct json_object *reasons);

/*
 * Records that the targets (as resolve_targets() made them) were reached
 * on channel at now: sets last_contacted_at.<channel> of each target's
 * contact in contacts (normalized, changed in place). Returns how many
 * contacts changed. Pure.
 */
int resolve_mark_contacted(struct json_object *contacts, struct json_object *targets,
    const char *channel, int64_t now);

/* The latest event data for event name (NULL: any event), new or NULL. */
typedef struct json_object *(*resolve_event_fn)(void *ctx, const char *event);

struct resolve_attr_input {
	struct json_object	*keys;		/* attribute_keys array, or NULL */
	struct json_object	*caller;	/* [{key, value?, fallback?}], or NULL */
	struct json_object	*policies;	/* the tenant's, or NULL */
	struct json_object	*commerce_attrs;	/* object, or NULL */
	resolve_event_fn	 event_data;	/* NULL: no event data */
	void			*event_ctx;
	enum resolve_phase	 phase;
};

/*
 * Resolves the keys named by in->keys and in->caller that values (an
 * object) does not hold yet, adding them to values. A caller value (not
 * null) wins; otherwise the key's policy (without one: commerce_attribute
 * at path = key, at dispatch) runs when its time has come, then the
 * caller's fallback, then the policy's. At RESOLVE_CREATION dispatch-time
 * keys are left for later. Each key that cannot be resolved is appended
 * to missing as {"key", "reason"}. Returns how many were missing.
 */
int resolve_attributes(const struct resolve_attr_input *in, struct json_object *values,
    struct json_object *missing);

/* The value at a dotted path ("store.address.city") of obj, borrowed, or NULL. */
struct json_object *resolve_path(struct json_object *obj, const char *path);

#endif
