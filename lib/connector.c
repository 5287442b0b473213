/*
 * connector.c — maps what Segment, PostHog and Mixpanel send into Retivo
 * product events.
 *
 * Each tool has one mapper for one message; connector_map() walks the
 * shapes a tool batches them in (a JSON array, or {"batch": [...]}) and
 * keeps the running total under the caller's cap. Every field is read
 * through lib/jsonin.h, so a payload we cannot use fails with the path
 * of the field at fault ("batch[2].userId", "[0].properties.time"), and
 * names and user ids pass the same rules as POST /api/events
 * (lib/event.h). Well-formed messages that carry nothing we track
 * (Segment screen/group/alias, identity merges, Mixpanel $unset) map to
 * nothing, so the tool counts them delivered instead of retrying them.
 * Pure: no I/O and no clock.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "connector.h"
#include "event.h"
#include "jsonin.h"
#include "timeutil.h"

/* The $identify derived from a PostHog event's $set is deduplicated by
 * the event's uuid plus this suffix, and the pair must fit the dedupe key. */
#define IDENTIFY_SUFFIX		":identify"
#define POSTHOG_UUID_MAX	(EVENT_MESSAGE_ID_MAX - (sizeof(IDENTIFY_SUFFIX) - 1))

/* Mixpanel's "time" above this is milliseconds (10^11 s is year 5138). */
#define MIXPANEL_MS_ABOVE	100000000000LL

/* A mapping in progress: the events so far, where the current message
 * sits in the payload (the prefix of its error paths) and the caller's
 * error buffers. */
struct cmap {
	struct connector_event	*out;
	size_t			 max;
	size_t			 n;
	char			 at[40];	/* "", "batch[2].", "[2].", "event." */
	char			*field;
	size_t			 fieldlen;
	char			*err;
	size_t			 errlen;
};

typedef int (*cmap_one)(struct cmap *, struct json_object *);

/* Records a failure at the current message: field is at + name (name NULL:
 * the message itself). Returns -1 for the caller to pass on. */
__attribute__((format(printf, 3, 4)))
static int
cmap_fail(struct cmap *m, const char *name, const char *fmt, ...)
{
	va_list ap;
	size_t len;

	snprintf(m->field, m->fieldlen, "%s%s", m->at, name ? name : "");
	len = strlen(m->field);
	if (name == NULL && len > 0 && m->field[len - 1] == '.')
		m->field[len - 1] = '\0';
	va_start(ap, fmt);
	vsnprintf(m->err, m->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* Passes on the failure recorded in v, if any: returns -1 then, else 0.
 * jsonin's message reads "field: text"; the caller wants the text alone. */
static int
cmap_check(struct cmap *m, const struct in *v)
{
	size_t flen;

	if (!v->failed)
		return 0;
	snprintf(m->field, m->fieldlen, "%s", v->field);
	flen = strlen(v->field);
	snprintf(m->err, m->errlen, "%s",
	    strncmp(v->msg, v->field, flen) == 0 && strncmp(v->msg + flen, ": ", 2) == 0 ?
	    v->msg + flen + 2 : v->msg);
	return -1;
}

static void
cmap_userdata_free(struct json_object *o, void *p)
{
	(void)o;
	free(p);
}

/*
 * Appends one event; takes ownership of props (put on failure). A message
 * id for the event is mid, or, when derive is set, mid + ":identify" kept
 * as userdata of props so that it lives exactly as long as the properties
 * the caller already frees (json_object_deep_copy() of such properties
 * refuses the unknown userdata; share them with json_object_get()).
 * Returns 0, or -1 past the cap.
 */
static int
cmap_emit(struct cmap *m, const char *user, const char *name, struct json_object *props,
    int64_t ts, const char *mid, int derive)
{
	struct connector_event *ev;
	char *id = NULL;
	size_t len;

	if (props == NULL) {
		snprintf(m->field, m->fieldlen, "body");
		snprintf(m->err, m->errlen, "out of memory");
		return -1;
	}
	if (m->n >= m->max) {
		json_object_put(props);
		snprintf(m->field, m->fieldlen, "batch");
		snprintf(m->err, m->errlen, "at most %zu events", m->max);
		return -1;
	}
	if (derive && mid != NULL) {
		len = strlen(mid) + sizeof(IDENTIFY_SUFFIX);
		if ((id = malloc(len)) != NULL) {
			snprintf(id, len, "%s%s", mid, IDENTIFY_SUFFIX);
			json_object_set_userdata(props, id, cmap_userdata_free);
		}
		mid = id;	/* without memory the event goes undeduplicated */
	}
	ev = &m->out[m->n++];
	memset(ev, 0, sizeof(*ev));
	ev->user_id = user;
	snprintf(ev->name, sizeof(ev->name), "%s", name);
	ev->properties = props;
	ev->timestamp = ts;
	ev->message_id = mid;
	return 0;
}

/* A new object holding src's members (shared by reference count) except
 * the drop list; NULL only without memory. src may be NULL. */
static struct json_object *
props_copy(struct json_object *src, const char *const *drop)
{
	struct json_object *o = json_object_new_object();
	size_t i;
	int skip;

	if (o == NULL || src == NULL)
		return o;
	json_object_object_foreach(src, key, val) {
		skip = 0;
		for (i = 0; drop != NULL && drop[i] != NULL; i++)
			if (strcmp(drop[i], key) == 0)
				skip = 1;
		if (!skip)
			json_object_object_add(o, key, json_object_get(val));
	}
	return o;
}

/* Adds src's members to dst, replacing keys dst already has. */
static void
props_merge(struct json_object *dst, struct json_object *src)
{
	if (dst == NULL || src == NULL)
		return;
	json_object_object_foreach(src, key, val)
		json_object_object_add(dst, key, json_object_get(val));
}

/*
 * RFC 3339 as time_parse_iso8601 takes it, plus the forms PostHog's own
 * docs show: no zone ("2024-01-01T12:00:00", read as UTC, as PostHog does)
 * and a space for the 'T' ("2022-09-21 09:03:11.913767").
 */
static int
connector_parse_time(const char *s, int64_t *out)
{
	char buf[72];
	size_t len = strlen(s), i;

	if (time_parse_iso8601(s, out) == 0)
		return 0;
	if (len < 19 || len > 64)
		return -1;
	memcpy(buf, s, len + 1);
	if (buf[10] == ' ')
		buf[10] = 'T';
	for (i = 19; buf[i] == '.' || (buf[i] >= '0' && buf[i] <= '9'); i++)
		;
	if (buf[i] == '\0') {
		buf[i] = 'Z';
		buf[i + 1] = '\0';
	}
	return time_parse_iso8601(buf, out);
}

/* An ISO-8601 field into *ts (left alone when absent). */
static void
read_iso_time(struct in *v, const char *field, int64_t *ts)
{
	const char *s = in_str(v, field, IN_NULLABLE, 1, 64);

	if (s != NULL && connector_parse_time(s, ts) != 0)
		in_fail(v, field, "invalid_field",
		    "must be an ISO-8601 timestamp such as 2026-04-26T10:30:00Z");
}

/* Mixpanel's unix time in seconds or milliseconds into *ts (left alone
 * when absent); fractions, as the JavaScript SDK sends, are dropped. */
static void
read_unix_time(struct in *v, const char *field, int64_t *ts)
{
	struct json_object *o = NULL;
	int64_t t;

	if (v->failed || v->obj == NULL || !json_object_object_get_ex(v->obj, field, &o) ||
	    o == NULL)
		return;
	if (json_object_is_type(o, json_type_int))
		t = json_object_get_int64(o);
	else if (json_object_is_type(o, json_type_double) &&
	    json_object_get_double(o) > 0 && json_object_get_double(o) < 1e15)
		t = (int64_t)json_object_get_double(o);
	else
		t = 0;
	if (t > MIXPANEL_MS_ABOVE)
		t /= 1000;
	if (t <= 0 || t > TIME_MAX) {
		in_fail(v, field, "invalid_field", "must be a unix time in seconds or milliseconds");
		return;
	}
	*ts = t;
}

/*
 * A user id: a string, or an integer as some SDKs send (its text is kept
 * by the json object). Absent, null and "" read as NULL; *empty says the
 * field was there but "" (Mixpanel's "no user"). Fails on other types and
 * on ids event_user_id_valid() refuses.
 */
static const char *
read_user(struct in *v, const char *field, int *empty)
{
	struct json_object *o = NULL;
	const char *s;

	if (v->failed || v->obj == NULL || !json_object_object_get_ex(v->obj, field, &o) ||
	    o == NULL)
		return NULL;
	if (json_object_is_type(o, json_type_string)) {
		if (json_object_get_string_len(o) == 0) {
			if (empty != NULL)
				*empty = 1;
			return NULL;
		}
		s = json_object_get_string(o);
		if (json_object_get_string_len(o) > EVENT_USER_ID_MAX)
			in_fail(v, field, "invalid_field", "must be at most %d characters",
			    EVENT_USER_ID_MAX);
		else if (strlen(s) != (size_t)json_object_get_string_len(o) ||
		    !event_user_id_valid(s))
			in_fail(v, field, "invalid_field", "must not contain control characters");
		return v->failed ? NULL : s;
	}
	if (json_object_is_type(o, json_type_int))
		return json_object_get_string(o);
	in_fail(v, field, "invalid_field", "must be a string");
	return NULL;
}

/* An event name of 1..200 printable bytes. */
static const char *
read_name(struct in *v, const char *field)
{
	const char *s = in_str(v, field, IN_REQUIRED, 1, EVENT_NAME_MAX);

	if (s != NULL && !event_name_valid(s))
		in_fail(v, field, "invalid_field", "must not contain control characters");
	return s;
}

/* ---- Segment: the Spec's identify, track and page calls ---- */

static const char *const segment_types[] = { "identify", "track", "page", "screen", "group",
	"alias", NULL };

enum { SEGMENT_IDENTIFY, SEGMENT_TRACK, SEGMENT_PAGE };

static int
segment_one(struct cmap *m, struct json_object *msg)
{
	struct json_object *props = NULL, *traits = NULL, *o;
	const char *user, *event = NULL, *mid, *page = NULL, *category = NULL;
	int64_t ts = 0;
	struct in v;
	int type;

	in_init(&v, msg, m->at);
	type = in_enum(&v, "type", IN_REQUIRED, segment_types);
	if (cmap_check(m, &v) != 0)
		return -1;
	if (type != SEGMENT_IDENTIFY && type != SEGMENT_TRACK && type != SEGMENT_PAGE)
		return 0;
	if ((user = read_user(&v, "userId", NULL)) == NULL)
		user = read_user(&v, "anonymousId", NULL);
	if (user == NULL)
		in_fail(&v, "userId", "missing_field", "is required (or anonymousId)");
	if (type == SEGMENT_IDENTIFY)
		traits = in_obj(&v, "traits", IN_NULLABLE);
	else
		props = in_obj(&v, "properties", IN_NULLABLE);
	if (type == SEGMENT_TRACK)
		event = read_name(&v, "event");
	if (type == SEGMENT_PAGE) {
		page = in_str(&v, "name", IN_NULLABLE, 0, 1024);
		category = in_str(&v, "category", IN_NULLABLE, 0, 1024);
	}
	if (in_has(&v, "timestamp"))
		read_iso_time(&v, "timestamp", &ts);
	else
		read_iso_time(&v, "originalTimestamp", &ts);
	mid = in_str(&v, "messageId", IN_NULLABLE, 1, EVENT_MESSAGE_ID_MAX);
	if (cmap_check(m, &v) != 0)
		return -1;

	switch (type) {
	case SEGMENT_IDENTIFY:
		return cmap_emit(m, user, "$identify", props_copy(traits, NULL), ts, mid, 0);
	case SEGMENT_TRACK:
		return cmap_emit(m, user, event, props_copy(props, NULL), ts, mid, 0);
	default:
		/* The Spec: name and category are added to the properties. */
		if ((o = props_copy(props, NULL)) != NULL) {
			if (page != NULL)
				json_object_object_add(o, "name", json_object_new_string(page));
			if (category != NULL)
				json_object_object_add(o, "category",
				    json_object_new_string(category));
		}
		return cmap_emit(m, user, "page_viewed", o, ts, mid, 0);
	}
}

/* ---- PostHog: capture/batch events, and the webhook destination ---- */

/* Identity and group bookkeeping, not product activity. */
static const char *const posthog_ignored[] = { "$create_alias", "$merge_dangerously",
	"$groupidentify", NULL };
static const char *const posthog_dropped[] = { "distinct_id", "$set", "$set_once", NULL };

static int
posthog_one(struct cmap *m, struct json_object *ev)
{
	struct json_object *props, *set, *set_once, *pset, *pset_once, *traits;
	const char *name, *user, *mid;
	char pat[sizeof(m->at) + 16];
	struct in v, pv;
	int64_t ts = 0;
	size_t i;

	in_init(&v, ev, m->at);
	name = read_name(&v, "event");
	props = in_obj(&v, "properties", IN_NULLABLE);
	if (cmap_check(m, &v) != 0)
		return -1;
	snprintf(pat, sizeof(pat), "%sproperties.", m->at);
	in_init(&pv, props, pat);
	for (i = 0; posthog_ignored[i] != NULL; i++)
		if (strcmp(name, posthog_ignored[i]) == 0)
			return 0;
	/* The batch docs put distinct_id in properties; capture puts it on top. */
	if ((user = read_user(&v, "distinct_id", NULL)) == NULL && !v.failed)
		user = read_user(&pv, "distinct_id", NULL);
	if (user == NULL && !pv.failed)
		in_fail(&v, "distinct_id", "missing_field", "is required");
	set = in_obj(&v, "$set", IN_NULLABLE);
	set_once = in_obj(&v, "$set_once", IN_NULLABLE);
	pset = in_obj(&pv, "$set", IN_NULLABLE);
	pset_once = in_obj(&pv, "$set_once", IN_NULLABLE);
	read_iso_time(&v, "timestamp", &ts);
	mid = in_str(&v, "uuid", IN_NULLABLE, 1, POSTHOG_UUID_MAX);
	if (cmap_check(m, &pv) != 0 || cmap_check(m, &v) != 0)
		return -1;

	/* $set_once first so that $set wins where both name a trait. */
	if ((traits = json_object_new_object()) != NULL) {
		props_merge(traits, pset_once);
		props_merge(traits, set_once);
		props_merge(traits, pset);
		props_merge(traits, set);
	}
	if (strcmp(name, "$identify") == 0 || strcmp(name, "$set") == 0)
		return cmap_emit(m, user, "$identify", traits, ts, mid, 0);
	if (cmap_emit(m, user, strcmp(name, "$pageview") == 0 ? "page_viewed" : name,
	    props_copy(props, posthog_dropped), ts, mid, 0) != 0) {
		json_object_put(traits);
		return -1;
	}
	if (traits != NULL && json_object_object_length(traits) == 0) {
		json_object_put(traits);
		return 0;
	}
	return cmap_emit(m, user, "$identify", traits, ts, mid, 1);
}

/* PostHog's webhook destination posts {"event": {...}, "person": {...}}. */
static int
posthog_message(struct cmap *m, struct json_object *msg)
{
	struct json_object *ev;

	if (json_object_object_get_ex(msg, "event", &ev) && ev != NULL &&
	    json_object_is_type(ev, json_type_object)) {
		snprintf(m->at + strlen(m->at), sizeof(m->at) - strlen(m->at), "event.");
		return posthog_one(m, ev);
	}
	return posthog_one(m, msg);
}

/* ---- Mixpanel: /track and /import events, /engage profile updates ---- */

static const char *const mixpanel_reserved[] = { "token", "distinct_id", "$distinct_id", "time",
	"$insert_id", NULL };
static const char *const mixpanel_identity[] = { "token", "distinct_id", "$distinct_id", "time",
	"$insert_id", "$identified_id", "$anon_id", "$user_id", "$device_id", NULL };

/* {"$token", "$distinct_id", "$set": {...}} and the other /engage ops. */
static int
mixpanel_engage(struct cmap *m, struct json_object *msg)
{
	struct json_object *set, *set_once, *traits;
	const char *user;
	int64_t ts = 0;
	struct in v;

	in_init(&v, msg, m->at);
	user = read_user(&v, "$distinct_id", NULL);
	in_require(&v, "$distinct_id", user != NULL);
	set = in_obj(&v, "$set", IN_NULLABLE);
	set_once = in_obj(&v, "$set_once", IN_NULLABLE);
	read_unix_time(&v, "$time", &ts);
	if (cmap_check(m, &v) != 0)
		return -1;
	if (set == NULL && set_once == NULL)
		return 0;	/* $add, $union, $unset, $delete: not traits we keep */
	if ((traits = json_object_new_object()) != NULL) {
		props_merge(traits, set_once);
		props_merge(traits, set);
	}
	return cmap_emit(m, user, "$identify", traits, ts, NULL, 0);
}

static int
mixpanel_one(struct cmap *m, struct json_object *msg)
{
	struct json_object *props;
	const char *name, *user, *mid;
	char pat[sizeof(m->at) + 16];
	struct in v, pv;
	int64_t ts = 0;
	int empty = 0, identify;

	in_init(&v, msg, m->at);
	if (!in_has(&v, "event") && in_has(&v, "$distinct_id"))
		return mixpanel_engage(m, msg);
	name = read_name(&v, "event");
	props = in_obj(&v, "properties", IN_REQUIRED);
	if (cmap_check(m, &v) != 0)
		return -1;
	if (strcmp(name, "$create_alias") == 0 || strcmp(name, "$merge") == 0)
		return 0;	/* identity merges, not activity */
	identify = strcmp(name, "$identify") == 0;
	snprintf(pat, sizeof(pat), "%sproperties.", m->at);
	in_init(&pv, props, pat);
	/* distinct_id, or what Mixpanel derives it from: $identify's
	 * $identified_id, Simplified ID Merge's $user_id then $device_id. */
	user = read_user(&pv, "distinct_id", &empty);
	if (user == NULL)
		user = read_user(&pv, "$distinct_id", &empty);
	if (user == NULL && identify)
		user = read_user(&pv, "$identified_id", &empty);
	if (user == NULL)
		user = read_user(&pv, "$user_id", &empty);
	if (user == NULL)
		user = read_user(&pv, "$device_id", &empty);
	if (user == NULL && !empty)
		in_fail(&pv, "distinct_id", "missing_field", "is required");
	read_unix_time(&pv, "time", &ts);
	mid = in_str(&pv, "$insert_id", IN_NULLABLE, 1, EVENT_MESSAGE_ID_MAX);
	if (cmap_check(m, &pv) != 0)
		return -1;
	if (user == NULL)
		return 0;	/* distinct_id "": Mixpanel's event of no user */
	if (identify)
		return cmap_emit(m, user, "$identify", props_copy(props, mixpanel_identity), ts,
		    mid, 0);
	if (strcmp(name, "mp_page_view") == 0 || strcmp(name, "$mp_web_page_view") == 0)
		name = "page_viewed";
	return cmap_emit(m, user, name, props_copy(props, mixpanel_reserved), ts, mid, 0);
}

/* ---- the batch shapes ---- */

/* Maps each element of arr; name is the path of the list ("batch" or ""). */
static int
cmap_list(struct cmap *m, struct json_object *arr, const char *name, cmap_one one)
{
	struct json_object *el;
	size_t i, len = json_object_array_length(arr);

	if (len > m->max) {
		snprintf(m->field, m->fieldlen, "batch");
		snprintf(m->err, m->errlen, "at most %zu events", m->max);
		return -1;
	}
	for (i = 0; i < len; i++) {
		snprintf(m->at, sizeof(m->at), "%s[%zu].", name, i);
		el = json_object_array_get_idx(arr, i);
		if (el == NULL || !json_object_is_type(el, json_type_object))
			return cmap_fail(m, NULL, "must be an object");
		if (one(m, el) != 0)
			return -1;
	}
	return 0;
}

int
connector_map(enum connector_kind kind, struct json_object *payload,
    struct connector_event *out, size_t max, char *field, size_t fieldlen,
    char *err, size_t errlen)
{
	struct cmap m;
	struct json_object *batch = NULL;
	cmap_one one;
	int rc;

	memset(&m, 0, sizeof(m));
	m.out = out;
	m.max = max;
	m.field = field;
	m.fieldlen = fieldlen;
	m.err = err;
	m.errlen = errlen;
	switch (kind) {
	case CONNECTOR_SEGMENT:
		one = segment_one;
		break;
	case CONNECTOR_POSTHOG:
		one = posthog_message;
		break;
	case CONNECTOR_MIXPANEL:
		one = mixpanel_one;
		break;
	default:
		return cmap_fail(&m, "body", "unknown connector");
	}
	if (payload != NULL && json_object_is_type(payload, json_type_array))
		rc = cmap_list(&m, payload, "", one);
	else if (payload == NULL || !json_object_is_type(payload, json_type_object))
		rc = cmap_fail(&m, "body", "must be a JSON object or array");
	else if (json_object_object_get_ex(payload, "batch", &batch))
		rc = batch != NULL && json_object_is_type(batch, json_type_array) ?
		    cmap_list(&m, batch, "batch", one) : cmap_fail(&m, "batch", "must be an array");
	else
		rc = one(&m, payload);
	if (rc != 0) {
		connector_clear(out, m.n);
		return -1;
	}
	return (int)m.n;
}

void
connector_clear(struct connector_event *ev, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		json_object_put(ev[i].properties);
		ev[i].properties = NULL;
	}
}
