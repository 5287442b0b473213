/*
 * settings.h — per-tenant configuration (SPEC.md "settings"): onboarding
 * milestones, retention milestones, expansion signals, win-back days
 * (default 7, 30, 60), the engagement window (default 14 days), shadow
 * mode, the kill switch and the brand context.
 *
 * The validation and merge rules are pure functions over json-c objects,
 * so the API, the jobs and the unit tests share them; the load/save pair
 * is the only part that touches the database (table tenant_settings).
 */
#ifndef RETIVO_SETTINGS_H
#define RETIVO_SETTINGS_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

/* The built-in settings object (new object; caller puts). */
struct json_object *settings_defaults(void);

/* The built-in (empty) brand object (new object; caller puts). */
struct json_object *settings_brand_defaults(void);

/*
 * Validates patch (a JSON object of settings keys) and applies it to
 * settings in place. Unknown keys, wrong types and out-of-range values
 * fail: -1, with the failing field's name (e.g. "winback_days[1]") in
 * field and a message in err; settings is then unchanged. Returns 0.
 */
int settings_apply(struct json_object *settings, struct json_object *patch,
    char *field, size_t fieldlen, char *err, size_t errlen);

/* The same for the brand object. */
int settings_brand_apply(struct json_object *brand, struct json_object *patch,
    char *field, size_t fieldlen, char *err, size_t errlen);

struct tenant_settings {
	struct json_object	*settings;	/* defaults merged with what is stored */
	struct json_object	*brand;
	int			 kill_switch;
	char			 updated_at[21];	/* ISO-8601, "" when never saved */
};

/* Loads the tenant's settings (defaults when none stored). 0 or -1 (logged). */
int settings_load(const char *tenant_id, struct tenant_settings *ts);

/* Stores all three parts. 0 or -1 (logged). */
int settings_save(const char *tenant_id, const struct tenant_settings *ts, int64_t now);

/* Frees what settings_load() allocated. */
void settings_clear(struct tenant_settings *ts);

#endif
