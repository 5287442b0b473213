/*
 * settings.h — per-tenant configuration (SPEC.md "settings"): onboarding
 * milestones, retention milestones, expansion signals, win-back days
 * (default 7, 30, 60), the engagement window (default 14 days), shadow
 * mode, the kill switch and the brand context.
 *
 * The validation and merge rules are pure functions over json-c objects,
 * so the API, the jobs and the unit tests share them; the load/save pair
 * is the only part that touches the database (table tenant_settings).
 *
 * The settings object (every key always present once loaded):
 *
 *   shadow_mode             bool, default false: interventions are
 *                           generated but never sent
 *   winback_days            1-5 strictly ascending integers 1..365, days
 *                           after churn of each win-back step; [7, 30, 60]
 *   engagement_window_days  integer 1..90, the engagement score's rolling
 *                           window; 14
 *   onboarding_milestones   up to 20 {"key", "name", "events"}: key is
 *                           snake_case (<= 64) and unique in the list, name
 *                           1..100 characters, events 1..10 event names of
 *                           1..200 characters; a user has completed the
 *                           milestone once they have any of those events.
 *                           Feeds the activation score. Default []
 *   retention_milestones    the same shape; part of the engagement score. []
 *   expansion_signals       up to 20 of either
 *                             {"key", "event", "weight"?}  the event counts
 *                             {"key", "trait", "threshold", "weight"?}
 *                               plan-limit proximity: the user's trait
 *                               value divided by threshold (> 0)
 *                           key snake_case and unique, weight 0..1
 *                           (default 1). Feeds the expansion score. []
 *   timezone_default        IANA-style zone name ("Europe/Paris"), <= 64
 *                           characters of letters, digits, '/', '_', '+',
 *                           '-'; "UTC"
 *
 * The brand object (what generated messages should sound like); every key
 * is optional and an explicit null clears it:
 *
 *   company_name, product_name, sender_name    <= 100 characters
 *   voice, tone                                <= 200 characters
 *   signature                                  <= 1000 characters
 *   sender_email                               an e-mail address (<= 254)
 *   website                                    an http(s) URL
 *   things_to_avoid                            <= 20 strings of <= 200; [] when cleared
 *
 * A patch replaces the top-level keys it names (arrays are replaced whole)
 * and leaves the others alone; any other key is an error.
 */
#ifndef RETIVO_SETTINGS_H
#define RETIVO_SETTINGS_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

struct in;

#define SETTINGS_MAX_ITEMS	20	/* milestones, signals, things_to_avoid */
#define SETTINGS_MAX_WINBACK	5

/* The built-in settings object (new object; caller puts). */
struct json_object *settings_defaults(void);

/* The built-in (empty) brand object (new object; caller puts): every brand
 * key is null, things_to_avoid is []. */
struct json_object *settings_brand_defaults(void);

/*
 * Validates patch (a JSON object of settings keys) and applies it to
 * settings in place. Unknown keys, wrong types and out-of-range values
 * fail: -1, with the failing field's name (e.g. "winback_days[1]") in
 * field and a message in err; settings is then unchanged. Returns 0.
 * The message starts with the field's name, as every API error does
 * ("winback_days[1]: must be greater than 30").
 */
int settings_apply(struct json_object *settings, struct json_object *patch,
    char *field, size_t fieldlen, char *err, size_t errlen);

/* The same for the brand object. */
int settings_brand_apply(struct json_object *brand, struct json_object *patch,
    char *field, size_t fieldlen, char *err, size_t errlen);

/*
 * The validating half of settings_apply(), for handlers: reads the patch
 * that v wraps through v, so a failure carries jsonin's field, code
 * ("unknown_field", "missing_field", "invalid_field") and message and the
 * handler answers with in_reject(). Returns a new object holding the
 * normalized values of the keys the patch names (caller puts), or NULL
 * when v has failed.
 */
struct json_object *settings_check(struct in *v);

/* The same for the brand object; a cleared key holds null ([] for
 * things_to_avoid). */
struct json_object *settings_brand_check(struct in *v);

/* Replaces target's top-level keys by those of checked (references are
 * taken; checked is unchanged). Pure. */
void settings_merge(struct json_object *target, struct json_object *checked);

struct tenant_settings {
	struct json_object	*settings;	/* defaults merged with what is stored */
	struct json_object	*brand;
	int			 kill_switch;
	char			 updated_at[21];	/* ISO-8601, "" when never saved */
};

/* Loads the tenant's settings (defaults when none stored). 0 or -1 (logged).
 * One primary-key SELECT: cheap enough for a job to call per tenant. */
int settings_load(const char *tenant_id, struct tenant_settings *ts);

/*
 * One read-modify-write of the tenant's row in a transaction: merges the
 * checked settings keys and brand keys (from settings_check() and
 * settings_brand_check(); either may be NULL) and sets the kill switch
 * (-1 leaves it), under the row's lock, so two concurrent updates run one
 * after the other and neither loses the other's change. Fills ts with the
 * result (caller clears). 0, or -1 (logged; nothing changed, ts empty).
 */
int settings_update(const char *tenant_id, struct json_object *settings_patch,
    struct json_object *brand_patch, int kill_switch, int64_t now,
    struct tenant_settings *ts);

/* Stores all three parts. 0 or -1 (logged). */
int settings_save(const char *tenant_id, const struct tenant_settings *ts, int64_t now);

/* Frees what settings_load() allocated. */
void settings_clear(struct tenant_settings *ts);

/*
 * The API shape: a copy of the settings object plus "kill_switch", "brand"
 * and "updated_at" (ISO-8601 or null). New object (caller puts), NULL when
 * out of memory.
 */
struct json_object *settings_to_json(const struct tenant_settings *ts);

#endif
