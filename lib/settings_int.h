/*
 * settings_int.h — the settings module's private declarations, shared by
 * lib/settings_rules.c (the pure rules) and lib/settings.c (the
 * tenant_settings row). Not part of the API: code outside the module
 * includes only settings.h.
 */
#ifndef RETIVO_SETTINGS_INT_H
#define RETIVO_SETTINGS_INT_H

#include <json-c/json.h>

/*
 * Overlays the stored JSON text on dflt: keys dflt knows whose stored value
 * has the default's type (or any value where the default is null). Keys
 * since retired are dropped. 0, or -1 (logged, naming what: "settings" or
 * "brand") when the text does not parse.
 */
int settings_overlay(struct json_object *dflt, const char *text, const char *what);

#endif
