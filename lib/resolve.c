/*
 * resolve.c — target and attribute resolution for activities (see
 * resolve.h). Pure: contacts, criteria, policies and attributes come in as
 * JSON, and event data through the caller's lookup function.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "resolve.h"
#include "timeutil.h"

const char *const resolve_channels[] = { "SALESMAN", "CALLCENTER", "WHATSAPP", "EMAIL", "SMS",
	"PUSH", NULL };

int
resolve_channel_valid(const char *name)
{
	size_t i;

	for (i = 0; name != NULL && resolve_channels[i] != NULL; i++)
		if (strcasecmp(name, resolve_channels[i]) == 0)
			return 1;
	return 0;
}

/* String member key of o, or NULL. */
static const char *
rs_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static int
rs_bool(struct json_object *o, const char *key)
{
	struct json_object *v;

	return o != NULL && json_object_object_get_ex(o, key, &v) &&
	    json_object_is_type(v, json_type_boolean) && json_object_get_boolean(v);
}

/* The address contact c needs for channel; NULL when it has none; "" for
 * SALESMAN, which needs none. */
static const char *
rs_address(struct json_object *c, const char *channel)
{
	struct json_object *ch = NULL;
	const char *a;

	json_object_object_get_ex(c, "channels", &ch);
	if (strcasecmp(channel, "SALESMAN") == 0)
		return "";
	if (strcasecmp(channel, "CALLCENTER") == 0 || strcasecmp(channel, "SMS") == 0)
		return rs_str(ch, "phone");
	if (strcasecmp(channel, "WHATSAPP") == 0)
		return (a = rs_str(ch, "whatsapp")) != NULL ? a : rs_str(ch, "phone");
	if (strcasecmp(channel, "EMAIL") == 0)
		return rs_str(ch, "email");
	if (strcasecmp(channel, "PUSH") == 0)
		return rs_str(ch, "push_token");
	return NULL;
}

/* When c was last contacted on channel (NULL: any channel); 0 never. */
static int64_t
rs_last(struct json_object *c, const char *channel)
{
	struct json_object *lc = NULL;
	int64_t best = 0, t;
	char lower[16];
	size_t i;

	if (!json_object_object_get_ex(c, "last_contacted_at", &lc) ||
	    !json_object_is_type(lc, json_type_object))
		return 0;
	if (channel != NULL) {
		for (i = 0; channel[i] != '\0' && i + 1 < sizeof(lower); i++)
			lower[i] = (char)(channel[i] >= 'A' && channel[i] <= 'Z' ?
			    channel[i] - 'A' + 'a' : channel[i]);
		lower[i] = '\0';
		if (rs_str(lc, lower) == NULL || time_parse_iso8601(rs_str(lc, lower), &t) != 0)
			return 0;
		return t;
	}
	json_object_object_foreach(lc, k, v) {
		(void)k;
		if (json_object_is_type(v, json_type_string) &&
		    time_parse_iso8601(json_object_get_string(v), &t) == 0 && t > best)
			best = t;
	}
	return best;
}

static void
rs_add_target(struct json_object *out, struct json_object *c, const char *channel,
    const char *rule)
{
	struct json_object *t = json_object_new_object(), *role = NULL;
	const char *addr = rs_address(c, channel);

	json_object_object_add(t, "contactId", json_object_new_string(
	    rs_str(c, "id") ? rs_str(c, "id") : ""));
	json_object_object_add(t, "name", json_object_new_string(
	    rs_str(c, "name") ? rs_str(c, "name") : ""));
	json_object_object_get_ex(c, "role", &role);
	json_object_object_add(t, "role", json_object_get(role));
	json_object_object_add(t, "rule", json_object_new_string(rule));
	json_object_object_add(t, "address", addr != NULL && addr[0] != '\0' ?
	    json_object_new_string(addr) : NULL);
	json_object_array_add(out, t);
}

/* 1 when contact c's role is one of those in config (role or roles). */
static int
rs_role_matches(struct json_object *c, struct json_object *config)
{
	struct json_object *roles;
	const char *role = rs_str(c, "role"), *want = rs_str(config, "role");
	size_t i;

	if (role == NULL)
		return 0;
	if (want != NULL && strcasecmp(want, role) == 0)
		return 1;
	if (json_object_object_get_ex(config, "roles", &roles) &&
	    json_object_is_type(roles, json_type_array))
		for (i = 0; i < json_object_array_length(roles); i++)
			if (strcasecmp(json_object_get_string(json_object_array_get_idx(roles, i)),
			    role) == 0)
				return 1;
	return 0;
}

/*
 * Applies one rule; appends its targets to out and returns how many, or
 * appends the reason it found nobody.
 */
static int
rs_apply(struct json_object *contacts, const char *channel, const char *type,
    struct json_object *config, const char *rule, struct json_object *out,
    struct json_object *reasons)
{
	struct json_object *c, *best = NULL;
	const char *lchan = NULL;
	char why[256];
	int64_t t, best_t = 0;
	size_t i, n = contacts ? json_object_array_length(contacts) : 0;
	int found = 0;

	if (strcmp(type, "last_contacted_channel") == 0)
		lchan = rs_str(config, "channel") != NULL ? rs_str(config, "channel") : channel;
	for (i = 0; i < n; i++) {
		c = json_object_array_get_idx(contacts, i);
		if (rs_address(c, channel) == NULL)
			continue;
		if (strcmp(type, "role") == 0) {
			if (rs_role_matches(c, config)) {
				rs_add_target(out, c, channel, rule);
				found++;
			}
		} else if (strcmp(type, "last_contacted") == 0 ||
		    strcmp(type, "last_contacted_channel") == 0) {
			if ((t = rs_last(c, lchan)) > best_t) {
				best_t = t;
				best = c;
			}
		} else if ((strcmp(type, "sales_rep") == 0 && rs_bool(c, "is_sales_rep")) ||
		    (strcmp(type, "owner") == 0 && rs_bool(c, "is_owner"))) {
			best = c;
			break;
		}
	}
	if (best != NULL) {
		rs_add_target(out, best, channel, rule);
		found = 1;
	}
	if (found == 0) {
		if (strcmp(type, "role") == 0)
			snprintf(why, sizeof(why), "%s: no contact reachable on %s has role %s", rule,
			    channel, rs_str(config, "role") ? rs_str(config, "role") : "(any of roles)");
		else if (lchan != NULL)
			snprintf(why, sizeof(why), "%s: no contact reachable on %s was contacted on %s",
			    rule, channel, lchan);
		else if (strcmp(type, "last_contacted") == 0)
			snprintf(why, sizeof(why), "%s: no contact reachable on %s was ever contacted",
			    rule, channel);
		else
			snprintf(why, sizeof(why), "%s: the commerce has no %s reachable on %s", rule,
			    strcmp(type, "owner") == 0 ? "owner" : "sales rep", channel);
		json_object_array_add(reasons, json_object_new_string(why));
	}
	return found;
}

/* Priority of criterion i (its "priority", else its position). */
static long long
rs_priority(struct json_object *crit, size_t i)
{
	struct json_object *p;

	if (json_object_object_get_ex(crit, "priority", &p) && json_object_is_type(p, json_type_int))
		return json_object_get_int64(p);
	return (long long)i;
}

struct json_object *
resolve_targets(struct json_object *contacts, const char *channel,
    struct json_object *criteria, struct json_object *reasons)
{
	struct json_object *out = json_object_new_array(), *crit, *config;
	size_t n = criteria != NULL ? json_object_array_length(criteria) : 0, i, j, order[RESOLVE_MAX_CRITERIA];
	size_t tmp;

	if (n > RESOLVE_MAX_CRITERIA)
		n = RESOLVE_MAX_CRITERIA;
	for (i = 0; i < n; i++)
		order[i] = i;
	/* Stable insertion sort by priority: lists are at most 20 long. */
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && rs_priority(json_object_array_get_idx(criteria, order[j - 1]),
		    order[j - 1]) > rs_priority(json_object_array_get_idx(criteria, order[j]),
		    order[j]); j--) {
			tmp = order[j];
			order[j] = order[j - 1];
			order[j - 1] = tmp;
		}
	if (contacts == NULL || json_object_array_length(contacts) == 0) {
		json_object_array_add(reasons, json_object_new_string("the commerce has no contacts"));
		return out;
	}
	for (i = 0; i < n; i++) {
		crit = json_object_array_get_idx(criteria, order[i]);
		config = NULL;
		json_object_object_get_ex(crit, "config", &config);
		if (rs_str(crit, "type") != NULL && rs_apply(contacts, channel, rs_str(crit, "type"),
		    config, rs_str(crit, "type"), out, reasons) > 0)
			return out;
	}
	if (rs_apply(contacts, channel, "sales_rep", NULL, "fallback_sales_rep", out, reasons) > 0 ||
	    rs_apply(contacts, channel, "owner", NULL, "fallback_owner", out, reasons) > 0)
		return out;
	return out;
}

int
resolve_mark_contacted(struct json_object *contacts, struct json_object *targets,
    const char *channel, int64_t now)
{
	struct json_object *c, *lc;
	const char *cid;
	char lower[16], iso[TIME_ISO8601_SIZE];
	size_t i, j;
	int n = 0;

	for (i = 0; channel[i] != '\0' && i + 1 < sizeof(lower); i++)
		lower[i] = (char)(channel[i] >= 'A' && channel[i] <= 'Z' ?
		    channel[i] - 'A' + 'a' : channel[i]);
	lower[i] = '\0';
	time_format_iso8601(now, iso);
	for (i = 0; contacts != NULL && i < json_object_array_length(contacts); i++) {
		c = json_object_array_get_idx(contacts, i);
		for (j = 0; targets != NULL && j < json_object_array_length(targets); j++) {
			cid = rs_str(json_object_array_get_idx(targets, j), "contactId");
			if (cid == NULL || rs_str(c, "id") == NULL || strcmp(cid, rs_str(c, "id")) != 0)
				continue;
			if (!json_object_object_get_ex(c, "last_contacted_at", &lc) ||
			    !json_object_is_type(lc, json_type_object)) {
				lc = json_object_new_object();
				json_object_object_add(c, "last_contacted_at", lc);
			}
			json_object_object_add(lc, lower, json_object_new_string(iso));
			n++;
			break;
		}
	}
	return n;
}

struct json_object *
resolve_path(struct json_object *obj, const char *path)
{
	char seg[RESOLVE_KEY_MAX * 4];
	const char *p = path, *dot;
	size_t len;

	while (obj != NULL && p != NULL && *p != '\0') {
		dot = strchr(p, '.');
		len = dot != NULL ? (size_t)(dot - p) : strlen(p);
		if (len == 0 || len >= sizeof(seg) || !json_object_is_type(obj, json_type_object))
			return NULL;
		memcpy(seg, p, len);
		seg[len] = '\0';
		if (!json_object_object_get_ex(obj, seg, &obj))
			return NULL;
		p = dot != NULL ? dot + 1 : NULL;
	}
	return obj;
}

/* The entry of arr (objects) whose "key" is key, or NULL. */
static struct json_object *
rs_find_key(struct json_object *arr, const char *key)
{
	struct json_object *e;
	size_t i;

	for (i = 0; arr != NULL && i < json_object_array_length(arr); i++) {
		e = json_object_array_get_idx(arr, i);
		if (rs_str(e, "key") != NULL && strcmp(rs_str(e, "key"), key) == 0)
			return e;
	}
	return NULL;
}

/* Member key of o when present and not null (borrowed), else NULL. */
static struct json_object *
rs_value(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	if (o == NULL || !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

static void
rs_missing(struct json_object *missing, const char *key, const char *reason)
{
	struct json_object *m = json_object_new_object();

	json_object_object_add(m, "key", json_object_new_string(key));
	json_object_object_add(m, "reason", json_object_new_string(reason));
	json_object_array_add(missing, m);
}

/* Resolves one key; 1 resolved (or deferred), 0 missing (recorded). */
static int
rs_resolve_key(const struct resolve_attr_input *in, const char *key, struct json_object *values,
    struct json_object *missing)
{
	struct json_object *caller = rs_find_key(in->caller, key);
	struct json_object *policy = rs_find_key(in->policies, key), *v = NULL, *ev = NULL;
	const char *source = "commerce_attribute", *path = key, *when = "dispatch";
	char why[256];
	int rc = 1;

	if ((v = rs_value(caller, "value")) != NULL) {
		json_object_object_add(values, key, json_object_get(v));
		return 1;
	}
	if (policy != NULL) {
		source = rs_str(policy, "source") ? rs_str(policy, "source") : source;
		path = rs_str(policy, "path") ? rs_str(policy, "path") : key;
		when = rs_str(policy, "resolve") ? rs_str(policy, "resolve") : when;
	}
	if (in->phase == RESOLVE_CREATION && strcmp(when, "upfront") != 0)
		return 1;	/* its time is dispatch */
	if (strcmp(source, "static") == 0)
		v = rs_value(policy, "value");
	else if (strcmp(source, "event_data") == 0) {
		if (in->event_data != NULL)
			ev = in->event_data(in->event_ctx, rs_str(policy, "event"));
		v = resolve_path(ev, path);
	} else
		v = resolve_path(in->commerce_attrs, path);
	if (v == NULL)
		v = rs_value(caller, "fallback");
	if (v == NULL)
		v = rs_value(policy, "fallback");
	if (v != NULL)
		json_object_object_add(values, key, json_object_get(v));
	else {
		if (strcmp(source, "static") == 0)
			snprintf(why, sizeof(why), "the static policy has no value and no fallback");
		else if (strcmp(source, "event_data") == 0 && ev == NULL)
			snprintf(why, sizeof(why), "no event data found and there is no fallback");
		else
			snprintf(why, sizeof(why), "the %s has no value at %s and there is no fallback",
			    strcmp(source, "event_data") == 0 ? "latest event" : "commerce", path);
		rs_missing(missing, key, why);
		rc = 0;
	}
	json_object_put(ev);
	return rc;
}

int
resolve_attributes(const struct resolve_attr_input *in, struct json_object *values,
    struct json_object *missing)
{
	struct json_object *e;
	const char *key;
	size_t i;
	int nmissing = 0;

	for (i = 0; in->keys != NULL && i < json_object_array_length(in->keys); i++) {
		key = json_object_get_string(json_object_array_get_idx(in->keys, i));
		if (key != NULL && !json_object_object_get_ex(values, key, NULL))
			nmissing += !rs_resolve_key(in, key, values, missing);
	}
	for (i = 0; in->caller != NULL && i < json_object_array_length(in->caller); i++) {
		e = json_object_array_get_idx(in->caller, i);
		key = rs_str(e, "key");
		if (key != NULL && !json_object_object_get_ex(values, key, NULL))
			nmissing += !rs_resolve_key(in, key, values, missing);
	}
	return nmissing;
}
