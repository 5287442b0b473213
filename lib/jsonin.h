/*
 * jsonin.h — the one way handlers read input (kcgi's kvalid idea).
 *
 * A `struct in` wraps a JSON object (a request body, or the query string
 * decoded to an object of strings). Each accessor checks presence, type
 * and bounds and returns the value; the first failure is remembered with a
 * message naming the field, and later accessors become no-ops. A handler
 * reads all its fields, then calls in_reject(), which answers 400 and
 * returns 1 if anything was wrong — so a handler only ever acts on valid
 * values.
 */
#ifndef RETIVO_JSONIN_H
#define RETIVO_JSONIN_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

struct http_req;

#define IN_REQUIRED	0x01
#define IN_QUERY	0x02	/* values are strings to convert (query string) */
#define IN_NULLABLE	0x04	/* JSON null is accepted and reads as absent */

struct in {
	struct json_object	*obj;
	const char		*prefix;	/* "events[3]." for nested objects */
	int			 failed;
	char			 field[128];
	char			 code[32];
	char			 msg[512];
};

void in_init(struct in *v, struct json_object *obj, const char *prefix);

/* Records a failure for field (if none yet); for checks done by the caller. */
void in_fail(struct in *v, const char *field, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/*
 * Fails v with missing_field for a required field that was not read
 * (present 0): what a handler adds where the body may be missing
 * altogether, which in_get() lets pass as an empty one.
 */
void in_require(struct in *v, const char *field, int present);

/* 1 when the field is present (and not null). */
int in_has(struct in *v, const char *field);

/* String of minlen..maxlen bytes; NULL when absent (or failed). Borrowed. */
const char *in_str(struct in *v, const char *field, int flags, size_t minlen, size_t maxlen);

/* Integer within [min, max]; dflt when absent. */
long long in_int(struct in *v, const char *field, int flags, long long min, long long max,
    long long dflt);

/* Number (integer or fractional) within [min, max]; dflt when absent. */
double in_num(struct in *v, const char *field, int flags, double min, double max, double dflt);

/* Boolean (true/false; with IN_QUERY also "true"/"false"); dflt when absent. */
int in_bool(struct in *v, const char *field, int flags, int dflt);

/* One of the NULL-terminated values; its index, or -1 when absent. */
int in_enum(struct in *v, const char *field, int flags, const char *const *values);

/* Object / array value; NULL when absent. Borrowed. */
struct json_object *in_obj(struct in *v, const char *field, int flags);
struct json_object *in_arr(struct in *v, const char *field, int flags, size_t minlen,
    size_t maxlen);

/* ISO-8601 timestamp; 0 when absent (*present says which). */
int64_t in_time(struct in *v, const char *field, int flags, int *present);

/* Fails on any key not in the NULL-terminated list (typos are errors). */
void in_only(struct in *v, const char *const *allowed);

/* Answers 400 with the remembered failure and returns 1; else returns 0. */
int in_reject(struct in *v, struct http_req *r);

#endif
