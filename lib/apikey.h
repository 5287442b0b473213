/*
 * apikey.h — the api_keys table: create (the secret is returned once and
 * only its hash kept), list, revoke.
 */
#ifndef RETIVO_APIKEY_H
#define RETIVO_APIKEY_H

#include <stdint.h>

#include <json-c/json.h>

#include "auth.h"

/*
 * Creates a key for the tenant. key_out receives the full secret
 * (AUTH_KEY_LEN + 1 bytes) and *json_out a new object describing the key
 * (caller puts). Returns 0 or -1 (logged).
 */
int apikey_create(const char *tenant_id, const char *label, int test_mode, unsigned scopes,
    int64_t now, char *key_out, struct json_object **json_out);

/*
 * Lists the tenant's keys, newest first, at most limit, after the key id
 * `cursor` (NULL for the first page). Returns a new array (caller puts)
 * and sets *has_more, or NULL on error.
 */
struct json_object *apikey_list(const char *tenant_id, int limit, const char *cursor,
    int *has_more);

/* Revokes the tenant's key id. Returns the key as a new object, or NULL with
 * *found 0 when the tenant has no such key (or *found 1 on a db error). */
struct json_object *apikey_revoke(const char *tenant_id, const char *id, int64_t now, int *found);

#endif
