/*
 * settings_rules.c — the rules of a tenant's settings and brand objects:
 * defaults, validation, merging and the API shape. Pure functions over
 * json-c objects with no I/O, so the API, the jobs and the unit tests share
 * them; lib/settings.c holds the tenant_settings row that stores them.
 *
 * Each top-level key has a reader in a table: it checks the patch's value
 * through the jsonin accessors (so messages and codes match every other
 * endpoint) and returns a normalized copy. A patch is checked whole before
 * anything is merged, which is what keeps a failed patch from leaving half
 * its keys applied. Stored JSON is merged over the defaults on every load
 * (settings_overlay()), so a tenant without a row, or a row written before
 * a key existed, reads complete settings.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "jsonin.h"
#include "log.h"
#include "settings.h"
#include "settings_int.h"
#include "timeutil.h"
#include "url.h"

#define SETTINGS_DEFAULT_JSON "{\"shadow_mode\":false,\"winback_days\":[7,30,60]," \
	"\"engagement_window_days\":14,\"onboarding_milestones\":[]," \
	"\"retention_milestones\":[],\"expansion_signals\":[],\"timezone_default\":\"UTC\"," \
	"\"lifecycle_thresholds\":{\"onboarding_activation\":0,\"active_activation\":0.6," \
	"\"active_engagement\":0.3,\"at_risk_engagement\":0.15,\"at_risk_days\":7," \
	"\"churn_days\":30,\"recovered_days\":14}}"
#define BRAND_DEFAULT_JSON "{\"company_name\":null,\"product_name\":null,\"voice\":null," \
	"\"tone\":null,\"things_to_avoid\":[],\"sender_name\":null,\"sender_email\":null," \
	"\"website\":null,\"signature\":null}"

/* Field names of array items: "onboarding_milestones[19].events[9]" fits. */
#define SETTINGS_FIELD_MAX 128

struct json_object *
settings_defaults(void)
{
	struct json_object *o = json_tokener_parse(SETTINGS_DEFAULT_JSON);

	if (o == NULL)
		log_err("settings: out of memory");
	return o;
}

/* 1 when s is snake_case: a lowercase letter, then letters, digits and
 * single inner underscores; at most 64 bytes. */
static int
settings_key_valid(const char *s)
{
	size_t i, len = strlen(s);

	if (len == 0 || len > 64 || !(s[0] >= 'a' && s[0] <= 'z') || s[len - 1] == '_')
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] == '_') {
			if (s[i + 1] == '_')
				return 0;
		} else if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9')))
			return 0;
	}
	return 1;
}

/* 1 for local@domain.tld: no spaces or control characters, one '@', a
 * dotted domain of letters, digits and inner hyphens. Deliverability is
 * the mail server's business. */
static int
settings_email_valid(const char *s)
{
	const char *at = strchr(s, '@'), *d;
	size_t i;

	if (at == NULL || at == s || at - s > 64 || strchr(at + 1, '@') != NULL)
		return 0;
	for (i = 0; s + i < at; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f)
			return 0;
	d = at + 1;
	if (d[0] == '\0' || d[0] == '.' || d[0] == '-' || strchr(d, '.') == NULL ||
	    d[strlen(d) - 1] == '.' || d[strlen(d) - 1] == '-' || strstr(d, "..") != NULL)
		return 0;
	for (i = 0; d[i] != '\0'; i++)
		if (!((d[i] >= 'a' && d[i] <= 'z') || (d[i] >= 'A' && d[i] <= 'Z') ||
		    (d[i] >= '0' && d[i] <= '9') || d[i] == '.' || d[i] == '-'))
			return 0;
	return 1;
}

/* Copies a nested reader's failure (its field already carries the full
 * path) into the outer one, unless that has failed already. */
static void
settings_in_take(struct in *v, const struct in *item)
{
	if (v->failed || !item->failed)
		return;
	v->failed = 1;
	memcpy(v->field, item->field, sizeof(v->field));
	memcpy(v->code, item->code, sizeof(v->code));
	memcpy(v->msg, item->msg, sizeof(v->msg));
}

/* A JSON number (integer or not) within [min, max]; dflt when absent. */
static double
settings_number(struct in *v, const char *field, int flags, double min, double max,
    double dflt)
{
	struct json_object *o = NULL;
	double d;

	if (v->failed || v->obj == NULL)
		return dflt;
	if (!json_object_object_get_ex(v->obj, field, &o)) {
		if (flags & IN_REQUIRED)
			in_fail(v, field, "missing_field", "is required");
		return dflt;
	}
	if (!json_object_is_type(o, json_type_int) && !json_object_is_type(o, json_type_double)) {
		in_fail(v, field, "invalid_field", "must be a number");
		return dflt;
	}
	d = json_object_get_double(o);
	if (!(d >= min && d <= max)) {
		in_fail(v, field, "invalid_field", "must be between %g and %g", min, max);
		return dflt;
	}
	return d;
}

/* A snake_case key, required. Borrowed, NULL on failure. */
static const char *
settings_item_key(struct in *v)
{
	const char *key = in_str(v, "key", IN_REQUIRED, 1, 64);

	if (key != NULL && !settings_key_valid(key)) {
		in_fail(v, "key", "invalid_field",
		    "must be snake_case (lowercase letters, digits and single underscores, "
		    "starting with a letter), e.g. first_report");
		return NULL;
	}
	return key;
}

/* Fails on items[i].key equal to an earlier item's key in out. */
static void
settings_key_unique(struct in *v, const char *field, size_t i, struct json_object *out,
    const char *key)
{
	struct json_object *k;
	size_t j;
	char name[SETTINGS_FIELD_MAX];

	for (j = 0; j < json_object_array_length(out); j++) {
		json_object_object_get_ex(json_object_array_get_idx(out, j), "key", &k);
		if (strcmp(json_object_get_string(k), key) == 0) {
			snprintf(name, sizeof(name), "%s[%zu].key", field, i);
			in_fail(v, name, "invalid_field", "\"%s\" is already used by %s[%zu]", key,
			    field, j);
			return;
		}
	}
}

/*
 * Checks that arr holds strings of 1..maxlen bytes, naming a bad item
 * "field[i]". Returns a new array of copies, NULL on failure.
 */
static struct json_object *
settings_string_list(struct in *v, const char *field, struct json_object *arr, size_t maxlen)
{
	struct json_object *out, *item;
	char name[SETTINGS_FIELD_MAX];
	size_t i, len;

	if (arr == NULL || v->failed)
		return NULL;
	out = json_object_new_array();
	for (i = 0; i < json_object_array_length(arr); i++) {
		item = json_object_array_get_idx(arr, i);
		snprintf(name, sizeof(name), "%s[%zu]", field, i);
		if (!json_object_is_type(item, json_type_string)) {
			in_fail(v, name, "invalid_field", "must be a string");
			break;
		}
		len = (size_t)json_object_get_string_len(item);
		if (len == 0 || len > maxlen ||
		    memchr(json_object_get_string(item), '\0', len) != NULL) {
			in_fail(v, name, "invalid_field", "must be 1 to %zu characters", maxlen);
			break;
		}
		json_object_array_add(out, json_object_new_string(json_object_get_string(item)));
	}
	if (v->failed) {
		json_object_put(out);
		return NULL;
	}
	return out;
}

/*
 * The readers of the top-level keys: each checks v's value of field (at
 * most maxlen bytes where that applies) and returns a new normalized value.
 * A failure is in v (the return is then NULL); a brand key cleared with
 * null returns NULL too, or [] for a list.
 */
typedef struct json_object *(*settings_reader)(struct in *, const char *, size_t);

/* One item of a list of objects, read through its own struct in. */
typedef struct json_object *(*settings_item_reader)(struct in *);

struct settings_field {
	const char	*name;
	settings_reader	 read;
	size_t		 maxlen;
};

static struct json_object *
settings_read_bool(struct in *v, const char *field, size_t maxlen)
{
	int b = in_bool(v, field, 0, 0);

	(void)maxlen;
	return v->failed ? NULL : json_object_new_boolean(b);
}

static struct json_object *
settings_read_window(struct in *v, const char *field, size_t maxlen)
{
	long long n = in_int(v, field, 0, 1, 90, 14);

	(void)maxlen;
	return v->failed ? NULL : json_object_new_int64(n);
}

static struct json_object *
settings_read_timezone(struct in *v, const char *field, size_t maxlen)
{
	const char *s = in_str(v, field, 0, 1, maxlen);

	if (s != NULL && !time_zone_name_valid(s))
		in_fail(v, field, "invalid_field", "must be a time zone name such as "
		    "\"UTC\" or \"Europe/Paris\"");
	return v->failed || s == NULL ? NULL : json_object_new_string(s);
}

static struct json_object *
settings_read_winback(struct in *v, const char *field, size_t maxlen)
{
	struct json_object *arr, *item, *out;
	char name[SETTINGS_FIELD_MAX];
	long long day, prev = 0;
	size_t i;

	if ((arr = in_arr(v, field, 0, 1, maxlen)) == NULL)
		return NULL;
	out = json_object_new_array();
	for (i = 0; !v->failed && i < json_object_array_length(arr); i++) {
		item = json_object_array_get_idx(arr, i);
		snprintf(name, sizeof(name), "%s[%zu]", field, i);
		day = json_object_is_type(item, json_type_int) ? json_object_get_int64(item) : 0;
		if (!json_object_is_type(item, json_type_int))
			in_fail(v, name, "invalid_field", "must be an integer number of days");
		else if (day < 1 || day > 365)
			in_fail(v, name, "invalid_field", "must be between 1 and 365");
		else if (i > 0 && day <= prev)	/* each step comes after the one before */
			in_fail(v, name, "invalid_field", "must be greater than %lld", prev);
		else
			json_object_array_add(out, json_object_new_int64(day));
		prev = day;
	}
	if (v->failed) {
		json_object_put(out);
		return NULL;
	}
	return out;
}

/*
 * A list of up to SETTINGS_MAX_ITEMS objects with unique "key"s, each read
 * by read_item with its own prefix ("onboarding_milestones[2].") so that
 * errors name the item's field. shape describes an item for errors.
 */
static struct json_object *
settings_read_objects(struct in *v, const char *field, settings_item_reader read_item,
    const char *shape)
{
	struct json_object *arr, *item, *out, *o;
	struct in iv;
	char prefix[2 * SETTINGS_FIELD_MAX + 2], name[SETTINGS_FIELD_MAX];
	size_t i;

	if ((arr = in_arr(v, field, 0, 0, SETTINGS_MAX_ITEMS)) == NULL)
		return NULL;
	out = json_object_new_array();
	for (i = 0; !v->failed && i < json_object_array_length(arr); i++) {
		item = json_object_array_get_idx(arr, i);
		snprintf(name, sizeof(name), "%s[%zu]", field, i);
		if (!json_object_is_type(item, json_type_object)) {
			in_fail(v, name, "invalid_field", "must be an object %s", shape);
			break;
		}
		snprintf(prefix, sizeof(prefix), "%s%s.", v->prefix, name);
		in_init(&iv, item, prefix);
		o = read_item(&iv);
		settings_in_take(v, &iv);
		if (o == NULL)
			break;
		settings_key_unique(v, field, i, out,
		    json_object_get_string(json_object_object_get(o, "key")));
		json_object_array_add(out, o);
	}
	if (v->failed) {
		json_object_put(out);
		return NULL;
	}
	return out;
}

static const char *const milestone_fields[] = { "key", "name", "events", NULL };

static struct json_object *
settings_read_milestone(struct in *iv)
{
	struct json_object *m, *events;
	const char *key, *title;

	in_only(iv, milestone_fields);
	key = settings_item_key(iv);
	title = in_str(iv, "name", IN_REQUIRED, 1, 100);
	events = settings_string_list(iv, "events", in_arr(iv, "events", IN_REQUIRED, 1, 10), 200);
	if (events == NULL)
		return NULL;
	m = json_object_new_object();
	json_object_object_add(m, "key", json_object_new_string(key));
	json_object_object_add(m, "name", json_object_new_string(title));
	json_object_object_add(m, "events", events);
	return m;
}

/* onboarding_milestones and retention_milestones. */
static struct json_object *
settings_read_milestones(struct in *v, const char *field, size_t maxlen)
{
	(void)maxlen;
	return settings_read_objects(v, field, settings_read_milestone, "{key, name, events}");
}

static const char *const signal_fields[] = { "key", "event", "trait", "weight", "threshold",
	NULL };

static struct json_object *
settings_read_signal(struct in *iv)
{
	struct json_object *s;
	const char *key, *event, *trait;
	double weight, threshold = 0;

	in_only(iv, signal_fields);
	key = settings_item_key(iv);
	event = in_str(iv, "event", 0, 1, 200);
	trait = in_str(iv, "trait", 0, 1, 200);
	if (!iv->failed && event != NULL && trait != NULL)
		in_fail(iv, "trait", "invalid_field",
		    "cannot be combined with event: a signal counts an event or measures a trait");
	if (!iv->failed && event == NULL && trait == NULL)
		in_fail(iv, "event", "missing_field",
		    "is required (or trait with threshold, for plan-limit proximity)");
	weight = settings_number(iv, "weight", 0, 0, 1, 1);
	if (!iv->failed && event != NULL && in_has(iv, "threshold"))
		in_fail(iv, "threshold", "invalid_field", "only applies to trait signals");
	if (trait != NULL) {
		threshold = settings_number(iv, "threshold", IN_REQUIRED, 0, 1e15, 0);
		if (!iv->failed && threshold <= 0)
			in_fail(iv, "threshold", "invalid_field", "must be greater than 0");
	}
	if (iv->failed)
		return NULL;
	s = json_object_new_object();
	json_object_object_add(s, "key", json_object_new_string(key));
	if (event != NULL)
		json_object_object_add(s, "event", json_object_new_string(event));
	else {
		json_object_object_add(s, "trait", json_object_new_string(trait));
		json_object_object_add(s, "threshold", json_object_new_double(threshold));
	}
	json_object_object_add(s, "weight", json_object_new_double(weight));
	return s;
}

static struct json_object *
settings_read_signals(struct in *v, const char *field, size_t maxlen)
{
	(void)maxlen;
	return settings_read_objects(v, field, settings_read_signal,
	    "{key, event, weight} or {key, trait, threshold, weight}");
}

/*
 * lifecycle_thresholds: the stage machine's thresholds (lib/lifecycle.h).
 * Missing members take the defaults, so a PATCH may send only the ones it
 * changes; scores are 0..1, days 1..365, and churn must come after risk.
 */
static struct json_object *
settings_read_thresholds(struct in *v, const char *field, size_t maxlen)
{
	static const char *const names[] = { "onboarding_activation", "active_activation",
		"active_engagement", "at_risk_engagement", "at_risk_days", "churn_days",
		"recovered_days", NULL };
	static const double dflt[] = { 0, 0.6, 0.3, 0.15, 7, 30, 14 };
	struct json_object *o, *out;
	struct in sub;
	char prefix[2 * SETTINGS_FIELD_MAX + 2];
	double val[7];
	size_t i;

	(void)maxlen;
	if ((o = in_obj(v, field, 0)) == NULL)
		return NULL;
	snprintf(prefix, sizeof(prefix), "%s%s.", v->prefix, field);
	in_init(&sub, o, prefix);
	in_only(&sub, names);
	for (i = 0; names[i] != NULL; i++)
		val[i] = i < 4 ? in_num(&sub, names[i], 0, 0, 1, dflt[i]) :
		    in_num(&sub, names[i], 0, 1, 365, dflt[i]);
	if (!sub.failed && val[5] <= val[4])
		in_fail(&sub, "churn_days", "invalid_field", "must be greater than at_risk_days");
	settings_in_take(v, &sub);
	if (v->failed)
		return NULL;
	out = json_object_new_object();
	for (i = 0; names[i] != NULL; i++)
		json_object_object_add(out, names[i], json_object_new_double(val[i]));
	return out;
}

static const struct settings_field settings_fields[] = {
	{ "shadow_mode", settings_read_bool, 0 },
	{ "winback_days", settings_read_winback, SETTINGS_MAX_WINBACK },
	{ "engagement_window_days", settings_read_window, 0 },
	{ "onboarding_milestones", settings_read_milestones, 0 },
	{ "retention_milestones", settings_read_milestones, 0 },
	{ "expansion_signals", settings_read_signals, 0 },
	{ "timezone_default", settings_read_timezone, 64 },
	{ "lifecycle_thresholds", settings_read_thresholds, 0 },
};

/* Brand strings: null clears. */
static struct json_object *
brand_read_text(struct in *v, const char *field, size_t maxlen)
{
	const char *s = in_str(v, field, IN_NULLABLE, 1, maxlen);

	return s == NULL ? NULL : json_object_new_string(s);
}

static struct json_object *
brand_read_email(struct in *v, const char *field, size_t maxlen)
{
	struct json_object *o = brand_read_text(v, field, maxlen);

	if (o != NULL && !settings_email_valid(json_object_get_string(o))) {
		in_fail(v, field, "invalid_field", "must be an e-mail address such as "
		    "hello@example.com");
		json_object_put(o);
		return NULL;
	}
	return o;
}

static struct json_object *
brand_read_url(struct in *v, const char *field, size_t maxlen)
{
	struct json_object *o = brand_read_text(v, field, maxlen);
	char err[160];

	if (o != NULL && !url_http_valid(json_object_get_string(o), err, sizeof(err))) {
		in_fail(v, field, "invalid_field", "%s", err);
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* A list of strings of at most maxlen; null clears it to []. */
static struct json_object *
brand_read_list(struct in *v, const char *field, size_t maxlen)
{
	if (!in_has(v, field))
		return json_object_new_array();
	return settings_string_list(v, field, in_arr(v, field, 0, 0, SETTINGS_MAX_ITEMS), maxlen);
}

static const struct settings_field brand_fields[] = {
	{ "company_name", brand_read_text, 100 },
	{ "product_name", brand_read_text, 100 },
	{ "voice", brand_read_text, 200 },
	{ "tone", brand_read_text, 200 },
	{ "things_to_avoid", brand_read_list, 200 },
	{ "sender_name", brand_read_text, 100 },
	{ "sender_email", brand_read_email, 254 },
	{ "website", brand_read_url, 2048 },
	{ "signature", brand_read_text, 1000 },
};

struct json_object *
settings_brand_defaults(void)
{
	struct json_object *o = json_tokener_parse(BRAND_DEFAULT_JSON);

	if (o == NULL)
		log_err("settings: out of memory");
	return o;
}

/* Reads every key of v's object through its field's reader. */
static struct json_object *
settings_check_fields(struct in *v, const struct settings_field *fields, size_t n)
{
	struct json_object *out, *val;
	size_t i;

	if (v->failed)
		return NULL;
	if (v->obj == NULL || !json_object_is_type(v->obj, json_type_object)) {
		in_fail(v, "body", "invalid_body", "must be a JSON object");
		return NULL;
	}
	out = json_object_new_object();
	json_object_object_foreach(v->obj, key, raw) {
		(void)raw;
		for (i = 0; i < n && strcmp(fields[i].name, key) != 0; i++)
			;
		if (i == n) {
			in_fail(v, key, "unknown_field", "is not a known field");
			break;
		}
		val = fields[i].read(v, key, fields[i].maxlen);
		if (v->failed)
			break;
		json_object_object_add(out, key, val);
	}
	if (v->failed) {
		json_object_put(out);
		return NULL;
	}
	return out;
}

struct json_object *
settings_check(struct in *v)
{
	return settings_check_fields(v, settings_fields,
	    sizeof(settings_fields) / sizeof(settings_fields[0]));
}

struct json_object *
settings_brand_check(struct in *v)
{
	return settings_check_fields(v, brand_fields, sizeof(brand_fields) / sizeof(brand_fields[0]));
}

void
settings_merge(struct json_object *target, struct json_object *checked)
{
	json_object_object_foreach(checked, key, val)
		json_object_object_add(target, key, json_object_get(val));
}

/* settings_apply() and settings_brand_apply() over one checker. */
static int
settings_apply_with(struct json_object *(*check)(struct in *), struct json_object *target,
    struct json_object *patch, char *field, size_t fieldlen, char *err, size_t errlen)
{
	struct json_object *checked;
	struct in v;

	in_init(&v, patch, NULL);
	if ((checked = check(&v)) == NULL) {
		snprintf(field, fieldlen, "%s", v.field);
		snprintf(err, errlen, "%s", v.msg);
		return -1;
	}
	settings_merge(target, checked);
	json_object_put(checked);
	return 0;
}

int
settings_apply(struct json_object *settings, struct json_object *patch,
    char *field, size_t fieldlen, char *err, size_t errlen)
{
	return settings_apply_with(settings_check, settings, patch, field, fieldlen, err, errlen);
}

int
settings_brand_apply(struct json_object *brand, struct json_object *patch,
    char *field, size_t fieldlen, char *err, size_t errlen)
{
	return settings_apply_with(settings_brand_check, brand, patch, field, fieldlen, err,
	    errlen);
}

struct json_object *
settings_to_json(const struct tenant_settings *ts)
{
	struct json_object *o = NULL, *brand = NULL;

	if (json_object_deep_copy(ts->settings, &o, NULL) != 0 ||
	    json_object_deep_copy(ts->brand, &brand, NULL) != 0) {
		log_err("settings: out of memory");
		json_object_put(o);
		return NULL;
	}
	json_object_object_add(o, "kill_switch", json_object_new_boolean(ts->kill_switch));
	json_object_object_add(o, "brand", brand);
	json_object_object_add(o, "updated_at",
	    ts->updated_at[0] ? json_object_new_string(ts->updated_at) : NULL);
	return o;
}

/* ---- stored JSON ---- */

/* See settings_int.h. */
int
settings_overlay(struct json_object *dflt, const char *text, const char *what)
{
	struct json_object *stored = NULL, *d;

	if (text == NULL || (stored = json_tokener_parse(text)) == NULL ||
	    !json_object_is_type(stored, json_type_object)) {
		log_err("settings: stored %s is not a JSON object", what);
		json_object_put(stored);
		return -1;
	}
	json_object_object_foreach(stored, key, val) {
		if (!json_object_object_get_ex(dflt, key, &d))
			continue;
		if (d != NULL && (val == NULL || json_object_get_type(d) != json_object_get_type(val)))
			continue;
		json_object_object_add(dflt, key, json_object_get(val));
	}
	json_object_put(stored);
	return 0;
}
