/*
 * resolve_check.c — validation and normalization of what activities are
 * resolved from (see resolve.h): a commerce's contacts, target criteria,
 * attribute policies and the tenant's activity settings. Pure; every
 * failure names the JSON path of the offending field.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "resolve.h"
#include "timeutil.h"

static int
rc_fail(struct resolve_err *e, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
rc_fail(struct resolve_err *e, const char *field, const char *fmt, ...)
{
	va_list ap;

	snprintf(e->field, sizeof(e->field), "%s", field);
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return -1;
}

/* 1 when every key of o is in the NULL-terminated list; else the field. */
static int
rc_only(struct json_object *o, const char *const *allowed, const char *prefix,
    struct resolve_err *e)
{
	char f[128];
	size_t i;

	json_object_object_foreach(o, k, v) {
		(void)v;
		for (i = 0; allowed[i] != NULL && strcmp(allowed[i], k) != 0; i++)
			;
		if (allowed[i] == NULL) {
			snprintf(f, sizeof(f), "%s.%s", prefix, k);
			return rc_fail(e, f, "%s: unknown field", f);
		}
	}
	return 0;
}

/* Optional string member of 1..max bytes: 1 present, 0 absent or null, -1 bad. */
static int
rc_str(struct json_object *o, const char *key, size_t max, const char *prefix,
    struct resolve_err *e, const char **out)
{
	struct json_object *v;
	char f[128];
	size_t len;

	*out = NULL;
	if (!json_object_object_get_ex(o, key, &v) || v == NULL)
		return 0;
	snprintf(f, sizeof(f), "%s.%s", prefix, key);
	len = json_object_is_type(v, json_type_string) ? strlen(json_object_get_string(v)) : 0;
	if (!json_object_is_type(v, json_type_string) || len == 0 || len > max)
		return rc_fail(e, f, "%s: must be a string of 1 to %zu characters", f, max);
	*out = json_object_get_string(v);
	return 1;
}

/* Optional boolean member: its value, 0 when absent, -1 bad. */
static int
rc_bool(struct json_object *o, const char *key, const char *prefix, struct resolve_err *e)
{
	struct json_object *v;
	char f[128];

	if (!json_object_object_get_ex(o, key, &v) || v == NULL)
		return 0;
	if (!json_object_is_type(v, json_type_boolean)) {
		snprintf(f, sizeof(f), "%s.%s", prefix, key);
		return rc_fail(e, f, "%s: must be true or false", f);
	}
	return json_object_get_boolean(v);
}

/* Normalizes contact c (at prefix) into a new object; NULL with e filled. */
static struct json_object *
rc_contact(struct json_object *c, const char *prefix, struct resolve_err *e)
{
	static const char *const fields[] = { "id", "name", "role", "channels", "is_sales_rep",
		"is_owner", "last_contacted_at", NULL };
	static const char *const chans[] = { "email", "phone", "whatsapp", "push_token", NULL };
	struct json_object *out = NULL, *ch = NULL, *lc = NULL, *och, *olc;
	const char *s;
	char f[192], iso[TIME_ISO8601_SIZE], lower[16];
	int64_t t;
	int sr, ow, rc;
	size_t i;

	if (!json_object_is_type(c, json_type_object)) {
		rc_fail(e, prefix, "%s: must be an object", prefix);
		return NULL;
	}
	if (rc_only(c, fields, prefix, e) != 0)
		return NULL;
	out = json_object_new_object();
	if (rc_str(c, "id", 40, prefix, e, &s) < 0)
		goto bad;
	json_object_object_add(out, "id", json_object_new_string(s ? s : ""));
	if ((rc = rc_str(c, "name", 200, prefix, e, &s)) == 0) {
		snprintf(f, sizeof(f), "%s.name", prefix);
		rc_fail(e, f, "%s: is required", f);
	}
	if (rc <= 0)
		goto bad;
	json_object_object_add(out, "name", json_object_new_string(s));
	if (rc_str(c, "role", 100, prefix, e, &s) < 0)
		goto bad;
	json_object_object_add(out, "role", s ? json_object_new_string(s) : NULL);
	och = json_object_new_object();
	json_object_object_add(out, "channels", och);
	snprintf(f, sizeof(f), "%s.channels", prefix);
	if (json_object_object_get_ex(c, "channels", &ch) && ch != NULL) {
		if (!json_object_is_type(ch, json_type_object)) {
			rc_fail(e, f, "%s: must be an object", f);
			goto bad;
		}
		if (rc_only(ch, chans, f, e) != 0)
			goto bad;
		for (i = 0; chans[i] != NULL; i++) {
			if (rc_str(ch, chans[i], 255, f, e, &s) < 0)
				goto bad;
			if (s != NULL)
				json_object_object_add(och, chans[i], json_object_new_string(s));
		}
	}
	if ((sr = rc_bool(c, "is_sales_rep", prefix, e)) < 0 ||
	    (ow = rc_bool(c, "is_owner", prefix, e)) < 0)
		goto bad;
	json_object_object_add(out, "is_sales_rep", json_object_new_boolean(sr));
	json_object_object_add(out, "is_owner", json_object_new_boolean(ow));
	olc = json_object_new_object();
	json_object_object_add(out, "last_contacted_at", olc);
	snprintf(f, sizeof(f), "%s.last_contacted_at", prefix);
	if (json_object_object_get_ex(c, "last_contacted_at", &lc) && lc != NULL) {
		if (!json_object_is_type(lc, json_type_object)) {
			rc_fail(e, f, "%s: must be an object of channel: ISO-8601 time", f);
			goto bad;
		}
		json_object_object_foreach(lc, k, v) {
			if (!resolve_channel_valid(k) || strlen(k) >= sizeof(lower)) {
				rc_fail(e, f, "%s: %s is not an activity channel", f, k);
				goto bad;
			}
			if (!json_object_is_type(v, json_type_string) ||
			    time_parse_iso8601(json_object_get_string(v), &t) != 0) {
				rc_fail(e, f, "%s.%s: must be an ISO-8601 time", f, k);
				goto bad;
			}
			for (i = 0; k[i] != '\0'; i++)
				lower[i] = (char)(k[i] >= 'A' && k[i] <= 'Z' ? k[i] - 'A' + 'a' : k[i]);
			lower[i] = '\0';
			time_format_iso8601(t, iso);
			json_object_object_add(olc, lower, json_object_new_string(iso));
		}
	}
	return out;
bad:
	json_object_put(out);
	return NULL;
}

struct json_object *
resolve_contacts_normalize(struct json_object *arr, const char *field, struct resolve_err *e)
{
	struct json_object *out, *c;
	const char *id, *other;
	char f[128];
	size_t i, j, n;

	memset(e, 0, sizeof(*e));
	if (arr == NULL)
		return json_object_new_array();
	if (!json_object_is_type(arr, json_type_array) ||
	    json_object_array_length(arr) > RESOLVE_MAX_CONTACTS) {
		rc_fail(e, field, "%s: must be an array of at most %d contacts", field,
		    RESOLVE_MAX_CONTACTS);
		return NULL;
	}
	out = json_object_new_array();
	n = json_object_array_length(arr);
	for (i = 0; i < n; i++) {
		snprintf(f, sizeof(f), "%s[%zu]", field, i);
		if ((c = rc_contact(json_object_array_get_idx(arr, i), f, e)) == NULL) {
			json_object_put(out);
			return NULL;
		}
		json_object_array_add(out, c);
		id = json_object_get_string(json_object_object_get(c, "id"));
		for (j = 0; id[0] != '\0' && j < i; j++) {
			other = json_object_get_string(json_object_object_get(
			    json_object_array_get_idx(out, j), "id"));
			if (strcmp(other, id) == 0) {
				snprintf(f, sizeof(f), "%s[%zu].id", field, i);
				rc_fail(e, f, "%s: repeats the id of %s[%zu]", f, field, j);
				json_object_put(out);
				return NULL;
			}
		}
	}
	return out;
}

int
resolve_criteria_check(struct json_object *arr, const char *field, struct resolve_err *e)
{
	static const char *const fields[] = { "type", "config", "priority", NULL };
	static const char *const types[] = { "role", "last_contacted", "last_contacted_channel",
		"sales_rep", "owner", NULL };
	struct json_object *c, *config = NULL, *p, *roles;
	const char *type, *s;
	char f[128], cf[160], chf[200];
	size_t i, j;

	memset(e, 0, sizeof(*e));
	if (!json_object_is_type(arr, json_type_array) ||
	    json_object_array_length(arr) > RESOLVE_MAX_CRITERIA)
		return rc_fail(e, field, "%s: must be an array of at most %d criteria", field,
		    RESOLVE_MAX_CRITERIA);
	for (i = 0; i < json_object_array_length(arr); i++) {
		c = json_object_array_get_idx(arr, i);
		snprintf(f, sizeof(f), "%s[%zu]", field, i);
		if (!json_object_is_type(c, json_type_object))
			return rc_fail(e, f, "%s: must be an object with type, config, priority", f);
		if (rc_only(c, fields, f, e) != 0)
			return -1;
		if (rc_str(c, "type", 64, f, e, &type) <= 0) {
			snprintf(cf, sizeof(cf), "%s.type", f);
			return rc_fail(e, cf, "%s: is required: one of role, last_contacted, "
			    "last_contacted_channel, sales_rep, owner", cf);
		}
		for (j = 0; types[j] != NULL && strcmp(types[j], type) != 0; j++)
			;
		snprintf(cf, sizeof(cf), "%s.type", f);
		if (types[j] == NULL)
			return rc_fail(e, cf, "%s: must be one of role, last_contacted, "
			    "last_contacted_channel, sales_rep, owner", cf);
		if (json_object_object_get_ex(c, "priority", &p) && p != NULL &&
		    (!json_object_is_type(p, json_type_int) || json_object_get_int64(p) < 0 ||
		    json_object_get_int64(p) > 1000)) {
			snprintf(cf, sizeof(cf), "%s.priority", f);
			return rc_fail(e, cf, "%s: must be an integer from 0 to 1000", cf);
		}
		config = NULL;
		snprintf(cf, sizeof(cf), "%s.config", f);
		if (json_object_object_get_ex(c, "config", &config) && config != NULL &&
		    !json_object_is_type(config, json_type_object))
			return rc_fail(e, cf, "%s: must be an object", cf);
		if (strcmp(type, "role") == 0) {
			roles = NULL;
			if (config != NULL)
				json_object_object_get_ex(config, "roles", &roles);
			if (config == NULL || rc_str(config, "role", 100, cf, e, &s) < 0)
				return config == NULL ? rc_fail(e, cf, "%s: role needs config.role "
				    "or config.roles", cf) : -1;
			if (s == NULL && (roles == NULL || !json_object_is_type(roles, json_type_array) ||
			    json_object_array_length(roles) == 0))
				return rc_fail(e, cf, "%s: role needs config.role or a non-empty "
				    "config.roles", cf);
			for (j = 0; roles != NULL && j < json_object_array_length(roles); j++)
				if (!json_object_is_type(json_object_array_get_idx(roles, j),
				    json_type_string))
					return rc_fail(e, cf, "%s.roles: must be strings", cf);
		}
		if (strcmp(type, "last_contacted_channel") == 0 && config != NULL) {
			if (rc_str(config, "channel", 16, cf, e, &s) < 0)
				return -1;
			if (s != NULL && !resolve_channel_valid(s)) {
				snprintf(chf, sizeof(chf), "%s.channel", cf);
				return rc_fail(e, chf, "%s: must be an activity channel", chf);
			}
		}
	}
	return 0;
}

int
resolve_policies_check(struct json_object *arr, const char *field, struct resolve_err *e)
{
	static const char *const fields[] = { "key", "source", "path", "event", "value",
		"fallback", "resolve", NULL };
	struct json_object *p, *v;
	const char *key, *source, *s, *other;
	char f[128], cf[160];
	size_t i, j;

	memset(e, 0, sizeof(*e));
	if (!json_object_is_type(arr, json_type_array) ||
	    json_object_array_length(arr) > RESOLVE_MAX_POLICIES)
		return rc_fail(e, field, "%s: must be an array of at most %d policies", field,
		    RESOLVE_MAX_POLICIES);
	for (i = 0; i < json_object_array_length(arr); i++) {
		p = json_object_array_get_idx(arr, i);
		snprintf(f, sizeof(f), "%s[%zu]", field, i);
		if (!json_object_is_type(p, json_type_object))
			return rc_fail(e, f, "%s: must be an object", f);
		if (rc_only(p, fields, f, e) != 0)
			return -1;
		snprintf(cf, sizeof(cf), "%s.key", f);
		if (rc_str(p, "key", RESOLVE_KEY_MAX, f, e, &key) <= 0)
			return rc_fail(e, cf, "%s: is required (1 to %d characters)", cf,
			    RESOLVE_KEY_MAX);
		for (j = 0; j < i; j++) {
			other = json_object_get_string(json_object_object_get(
			    json_object_array_get_idx(arr, j), "key"));
			if (other != NULL && strcmp(other, key) == 0)
				return rc_fail(e, cf, "%s: %s has a policy already", cf, key);
		}
		snprintf(cf, sizeof(cf), "%s.source", f);
		if (rc_str(p, "source", 32, f, e, &source) <= 0 ||
		    (strcmp(source, "commerce_attribute") != 0 && strcmp(source, "event_data") != 0 &&
		    strcmp(source, "static") != 0))
			return rc_fail(e, cf, "%s: must be commerce_attribute, event_data or static", cf);
		snprintf(cf, sizeof(cf), "%s.path", f);
		if (rc_str(p, "path", 255, f, e, &s) < 0)
			return -1;
		if (strcmp(source, "static") != 0 && s == NULL)
			return rc_fail(e, cf, "%s: is required for source %s", cf, source);
		if (rc_str(p, "event", 200, f, e, &s) < 0)
			return -1;
		snprintf(cf, sizeof(cf), "%s.value", f);
		if (strcmp(source, "static") == 0 &&
		    (!json_object_object_get_ex(p, "value", &v) || v == NULL))
			return rc_fail(e, cf, "%s: is required for source static", cf);
		snprintf(cf, sizeof(cf), "%s.resolve", f);
		if (rc_str(p, "resolve", 16, f, e, &s) < 0 ||
		    (s != NULL && strcmp(s, "upfront") != 0 && strcmp(s, "dispatch") != 0))
			return rc_fail(e, cf, "%s: must be upfront or dispatch", cf);
	}
	return 0;
}

struct json_object *
resolve_settings_default(void)
{
	struct json_object *o = json_object_new_object(), *prov = json_object_new_object();

	json_object_object_add(o, "target_criteria", json_object_new_array());
	json_object_object_add(o, "resolution_time", json_object_new_string("dispatch"));
	json_object_object_add(o, "attribute_policies", json_object_new_array());
	json_object_object_add(prov, "endpoint_ids", json_object_new_array());
	json_object_object_add(o, "provider", prov);
	return o;
}

/* Checks the provider object; 0 or -1. */
static int
rc_provider(struct json_object *p, struct resolve_err *e)
{
	static const char *const fields[] = { "endpoint_ids", NULL };
	struct json_object *ids;
	size_t i;

	if (!json_object_is_type(p, json_type_object))
		return rc_fail(e, "provider", "provider: must be an object {\"endpoint_ids\": [...]}");
	if (rc_only(p, fields, "provider", e) != 0)
		return -1;
	if (!json_object_object_get_ex(p, "endpoint_ids", &ids) ||
	    !json_object_is_type(ids, json_type_array) ||
	    json_object_array_length(ids) > RESOLVE_MAX_ENDPOINTS)
		return rc_fail(e, "provider.endpoint_ids", "provider.endpoint_ids: must be an "
		    "array of at most %d webhook endpoint ids", RESOLVE_MAX_ENDPOINTS);
	for (i = 0; i < json_object_array_length(ids); i++)
		if (!json_object_is_type(json_object_array_get_idx(ids, i), json_type_string) ||
		    json_object_get_string_len(json_object_array_get_idx(ids, i)) > 40)
			return rc_fail(e, "provider.endpoint_ids", "provider.endpoint_ids: must be "
			    "webhook endpoint ids (wh_…)");
	return 0;
}

struct json_object *
resolve_settings_merge(struct json_object *current, struct json_object *patch,
    struct resolve_err *e)
{
	struct json_object *out;
	const char *s;

	memset(e, 0, sizeof(*e));
	out = current != NULL ? NULL : resolve_settings_default();
	if (out == NULL && json_object_deep_copy(current, &out, NULL) != 0)
		return NULL;
	json_object_object_foreach(patch, k, v) {
		if (strcmp(k, "target_criteria") == 0) {
			if (resolve_criteria_check(v, k, e) != 0)
				goto bad;
		} else if (strcmp(k, "resolution_time") == 0) {
			s = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
			if (strcmp(s, "dispatch") != 0 && strcmp(s, "creation") != 0) {
				rc_fail(e, k, "resolution_time: must be dispatch or creation");
				goto bad;
			}
		} else if (strcmp(k, "attribute_policies") == 0) {
			if (resolve_policies_check(v, k, e) != 0)
				goto bad;
		} else if (strcmp(k, "provider") == 0) {
			if (rc_provider(v, e) != 0)
				goto bad;
		} else {
			rc_fail(e, k, "%s: unknown setting; known are target_criteria, "
			    "resolution_time, attribute_policies, provider", k);
			goto bad;
		}
		json_object_object_add(out, k, json_object_get(v));
	}
	return out;
bad:
	json_object_put(out);
	return NULL;
}
