/*
 * jsonin.c — typed, bounded reads of JSON input with errors that name the
 * field. Messages read "name: must be ..." so an integrator sees at once
 * which field to fix; the code is "missing_field" or "invalid_field".
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "jsonin.h"
#include "names.h"
#include "timeutil.h"

void
in_init(struct in *v, struct json_object *obj, const char *prefix)
{
	memset(v, 0, sizeof(*v));
	v->obj = obj;
	v->prefix = prefix ? prefix : "";
}

void
in_fail(struct in *v, const char *field, const char *code, const char *fmt, ...)
{
	va_list ap;
	char msg[300];

	if (v->failed)
		return;
	v->failed = 1;
	snprintf(v->field, sizeof(v->field), "%s%s", v->prefix, field);
	snprintf(v->code, sizeof(v->code), "%s", code);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(v->msg, sizeof(v->msg), "%s: %s", v->field, msg);
}

void
in_require(struct in *v, const char *field, int present)
{
	if (!present)
		in_fail(v, field, "missing_field", "is required");
}

/* The field's value, or NULL when absent; fails when required and absent. */
static struct json_object *
in_get(struct in *v, const char *field, int flags)
{
	struct json_object *o = NULL;
	int present;

	if (v->failed || v->obj == NULL)
		return NULL;
	present = json_object_object_get_ex(v->obj, field, &o);
	if (present && o == NULL && !(flags & IN_NULLABLE)) {
		in_fail(v, field, "invalid_field", "must not be null");
		return NULL;
	}
	if (o == NULL && (flags & IN_REQUIRED))
		in_fail(v, field, "missing_field", "is required");
	return o;
}

int
in_has(struct in *v, const char *field)
{
	struct json_object *o = NULL;

	return v->obj != NULL && json_object_object_get_ex(v->obj, field, &o) && o != NULL;
}

const char *
in_str(struct in *v, const char *field, int flags, size_t minlen, size_t maxlen)
{
	struct json_object *o = in_get(v, field, flags);
	size_t len;

	if (o == NULL)
		return NULL;
	if (!json_object_is_type(o, json_type_string)) {
		in_fail(v, field, "invalid_field", "must be a string");
		return NULL;
	}
	len = (size_t)json_object_get_string_len(o);
	if (len < minlen) {
		in_fail(v, field, "invalid_field", minlen == 1 ? "must not be empty" :
		    "must be at least %zu characters", minlen);
		return NULL;
	}
	if (len > maxlen) {
		in_fail(v, field, "invalid_field", "must be at most %zu characters", maxlen);
		return NULL;
	}
	if (memchr(json_object_get_string(o), '\0', len) != NULL) {
		in_fail(v, field, "invalid_field", "must not contain NUL characters");
		return NULL;
	}
	return json_object_get_string(o);
}

long long
in_int(struct in *v, const char *field, int flags, long long min, long long max, long long dflt)
{
	struct json_object *o = in_get(v, field, flags);
	long long n;
	char *end;
	const char *s;

	if (o == NULL)
		return dflt;
	if ((flags & IN_QUERY) && json_object_is_type(o, json_type_string)) {
		s = json_object_get_string(o);
		errno = 0;
		n = strtoll(s, &end, 10);
		if (errno || *s == '\0' || *end != '\0') {
			in_fail(v, field, "invalid_field", "must be an integer");
			return dflt;
		}
	} else if (json_object_is_type(o, json_type_int)) {
		n = json_object_get_int64(o);
	} else {
		in_fail(v, field, "invalid_field", "must be an integer");
		return dflt;
	}
	if (n < min || n > max) {
		in_fail(v, field, "invalid_field", "must be between %lld and %lld", min, max);
		return dflt;
	}
	return n;
}

double
in_num(struct in *v, const char *field, int flags, double min, double max, double dflt)
{
	struct json_object *o = in_get(v, field, flags);
	double d;

	if (o == NULL)
		return dflt;
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

int
in_bool(struct in *v, const char *field, int flags, int dflt)
{
	struct json_object *o = in_get(v, field, flags);
	const char *s;

	if (o == NULL)
		return dflt;
	if (json_object_is_type(o, json_type_boolean))
		return json_object_get_boolean(o) ? 1 : 0;
	if ((flags & IN_QUERY) && json_object_is_type(o, json_type_string)) {
		s = json_object_get_string(o);
		if (strcmp(s, "true") == 0 || strcmp(s, "1") == 0)
			return 1;
		if (strcmp(s, "false") == 0 || strcmp(s, "0") == 0)
			return 0;
	}
	in_fail(v, field, "invalid_field", "must be true or false");
	return dflt;
}

int
in_enum(struct in *v, const char *field, int flags, const char *const *values)
{
	const char *s = in_str(v, field, flags, 0, 256);
	char list[256] = "";
	size_t used = 0;
	int i, n;

	if (s == NULL)
		return -1;
	if ((i = names_find(values, s)) >= 0)
		return i;
	for (i = 0; values[i] != NULL; i++) {
		n = snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "", values[i]);
		if (n < 0 || (size_t)n >= sizeof(list) - used)
			break;
		used += (size_t)n;
	}
	in_fail(v, field, "invalid_field", "must be one of: %s", list);
	return -1;
}

struct json_object *
in_obj(struct in *v, const char *field, int flags)
{
	struct json_object *o = in_get(v, field, flags);

	if (o != NULL && !json_object_is_type(o, json_type_object)) {
		in_fail(v, field, "invalid_field", "must be an object");
		return NULL;
	}
	return o;
}

struct json_object *
in_arr(struct in *v, const char *field, int flags, size_t minlen, size_t maxlen)
{
	struct json_object *o = in_get(v, field, flags);
	size_t n;

	if (o == NULL)
		return NULL;
	if (!json_object_is_type(o, json_type_array)) {
		in_fail(v, field, "invalid_field", "must be an array");
		return NULL;
	}
	n = json_object_array_length(o);
	if (n < minlen) {
		in_fail(v, field, "invalid_field", "must have at least %zu item%s", minlen,
		    minlen == 1 ? "" : "s");
		return NULL;
	}
	if (n > maxlen) {
		in_fail(v, field, "invalid_field", "must have at most %zu items", maxlen);
		return NULL;
	}
	return o;
}

int64_t
in_time(struct in *v, const char *field, int flags, int *present)
{
	const char *s = in_str(v, field, flags, 1, 64);
	int64_t t;

	if (present != NULL)
		*present = 0;
	if (s == NULL)
		return 0;
	if (time_parse_iso8601(s, &t) != 0) {
		in_fail(v, field, "invalid_field",
		    "must be an ISO-8601 timestamp such as 2026-04-26T10:30:00Z");
		return 0;
	}
	if (present != NULL)
		*present = 1;
	return t;
}

void
in_only(struct in *v, const char *const *allowed)
{
	size_t i;
	int known;

	if (v->failed || v->obj == NULL)
		return;
	json_object_object_foreach(v->obj, key, val) {
		(void)val;
		known = 0;
		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(allowed[i], key) == 0)
				known = 1;
		if (!known) {
			in_fail(v, key, "unknown_field", "is not a known field");
			return;
		}
	}
}

int
in_reject(struct in *v, struct http_req *r)
{
	if (!v->failed)
		return 0;
	http_error_field(r, 400, v->code, v->field, v->msg);
	return 1;
}
