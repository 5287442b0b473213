/*
 * helpers.h — what many API suites share beyond client.h: null-safe
 * string checks for fields that may be absent, a create request that
 * keeps the new id, one field of a GET, a user made through POST /api/events, and jobs run at
 * a given --now with their summary line read back. Failures print a diag line, so these live with the suites
 * (client.c is also linked into the simulator, which has no TAP).
 */
#ifndef RETIVO_TEST_HELPERS_H
#define RETIVO_TEST_HELPERS_H

#include <stddef.h>
#include <stdint.h>

#include "client.h"

/* s, or "" when s is NULL (a field that may be absent, for strcmp and %s). */
const char *nz(const char *s);

/* 1 when a and b are both strings and equal. */
int streq(const char *a, const char *b);

/* The value of key in the JSON object o as text (a string as it is), or
 * NULL when o is NULL or key is absent or null. */
const char *obj_str(struct json_object *o, const char *key);

/* 1 when the string at path of r (a jstr() path) is want. */
int str_is(const struct resp *r, const char *path, const char *want);

/*
 * POSTs a JSON body (a printf format) to path with key and returns the
 * status (-1 on a transport error). The string at field (a jstr() path
 * such as "action_type.id") is copied into out (outlen bytes; out NULL:
 * not kept), "" when absent. A status other than 201 prints a diag line.
 */
long api_create(const char *path, const char *key, const char *field, char *out, size_t outlen,
    const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/*
 * GETs path with key and returns the value at field (a jstr() path) as
 * text in a static buffer (the next call overwrites it): a string as it
 * is, a number or boolean as its JSON text; "" when the GET is not a 200
 * or the field is absent or null.
 */
const char *api_get_field(const char *key, const char *path, const char *field);

/*
 * Posts one event of user with key: event at t (Unix seconds; 0 sends no
 * timestamp, so the server's clock stamps it) with properties (a JSON
 * object's text, NULL for none). A new user_id creates the user. Returns
 * 0 when accepted (2xx), else -1 with a diag line.
 */
int post_event(const char *key, const char *user, const char *event, int64_t t,
    const char *props);

/*
 * Runs retivo-NAME --now t [extra] (extra NULL: none) with job_run();
 * returns its exit status, with a diag line when it is not 0. Its output
 * stays in job_output().
 */
int job_run_at(const char *name, int64_t t, const char *extra);

/*
 * Runs n copies of retivo-NAME --now t [extra] at the same moment, each
 * through job_run_at() in a forked process (two hosts with the same
 * crontab); returns how many exited 0.
 */
int job_run_together(int n, const char *name, int64_t t, const char *extra);

/* The integer field key of the last job's JSON summary line, -1 when absent. */
long long job_out_int(const char *key);

#endif
