/*
 * client.h — a tiny HTTP client for the black-box API tests: libcurl to
 * the running stack at RETIVO_BASE_URL, one request at a time or a batch
 * at the same moment, JSON in and out, plus fixtures that create fresh
 * tenants and keys with retivo-admin and a way to the database through
 * RETIVO_SQL. Helpers that report through the TAP output live in
 * helpers.h (this file is also linked into the simulator).
 */
#ifndef RETIVO_TEST_CLIENT_H
#define RETIVO_TEST_CLIENT_H

#include <stdarg.h>
#include <stddef.h>

#include <json-c/json.h>

struct resp {
	long			 status;
	char			*body;
	size_t			 len;
	struct json_object	*json;
	char			*headers;
	size_t			 hlen;
};

/* Connects the client; reads RETIVO_BASE_URL and RETIVO_ADMIN. */
int client_init(void);
void client_cleanup(void);

/*
 * Sends method path with the Bearer key (NULL: no Authorization) and a JSON
 * body given as printf format (NULL: no body). Fills r (free with
 * resp_free). Returns 0, -1 on a transport error.
 */
int api(struct resp *r, const char *method, const char *path, const char *key,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/*
 * The request every helper goes through: method path with extra header
 * lines (headers: separated by '\n', NULL for none, e.g. an Authorization
 * or Cookie line) and body of len bytes (NULL: no body) sent with a
 * Content-Type line when content_type is not NULL. Fills r (free with
 * resp_free). Returns 0, -1 on a transport error.
 */
int api_request(struct resp *r, const char *method, const char *path, const char *headers,
    const char *content_type, const char *body, size_t len);

/* As api() with header lines (as api_request()) instead of a key, and the
 * body's format arguments as a va_list. */
int api_vjson(struct resp *r, const char *method, const char *path, const char *headers,
    const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));

/* As api() with an explicit content type and raw body bytes. */
int api_raw(struct resp *r, const char *method, const char *path, const char *key,
    const char *content_type, const char *body, size_t len);

void resp_free(struct resp *r);

/* One request of a batch sent with api_together(). */
struct api_call {
	const char	*path;
	const char	*body;	/* JSON text, NULL for none */
};

/*
 * Sends n requests at the same moment, each on its own connection (curl
 * multi), for the tests of races: request i is method with the Bearer key
 * to calls[i % ncalls] (so one call repeated n times, or n different
 * ones). Writes each response's status into status[i] (0 when none came).
 * Returns 0, -1 when the batch could not be set up or driven.
 */
int api_together(long *status, int n, const char *method, const char *key,
    const struct api_call *calls, int ncalls);

/* How many of the n statuses equal want. */
int status_count(const long *status, int n, long want);

/* Header value (case-insensitive name) copied into a static buffer, or NULL. */
const char *resp_header(const struct resp *r, const char *name);

/* String at a dotted path ("action_type.id", "keys.0.id") of r->json, or NULL. */
const char *jstr(const struct resp *r, const char *path);
/* The JSON value at a dotted path, or NULL. */
struct json_object *jget(const struct resp *r, const char *path);
/* Integer at a dotted path, or -999999 when absent. */
long long jint(const struct resp *r, const char *path);
/* Length of the array at a dotted path, or (size_t)-1 when it is absent or
 * not an array (so that no expected count matches). */
size_t jlen(const struct resp *r, const char *path);
/* Number (integer or not) at a dotted path, or -999 when absent or not a
 * number. */
double jnum(const struct resp *r, const char *path);
/* Boolean at a dotted path: 1, 0, or -1 when absent or not a boolean. */
int jbool(const struct resp *r, const char *path);

/* An error body {"error", "code"} whose error mentions needle. */
int is_error(const struct resp *r, long status, const char *needle);

struct fixture {
	char tenant_id[40];
	char key[64];		/* full-scope live key */
};

/* Creates a tenant (plan, role) with a full live key via retivo-admin. */
int fixture_tenant(struct fixture *f, const char *plan, const char *role);

/* Creates another key for tenant with scopes (comma list) and mode. */
int fixture_key(const char *tenant_id, const char *mode, const char *scopes, char *key_out,
    size_t keylen);

/* Runs retivo-admin with args (a printf format); returns its exit status. */
int admin_run(char *out, size_t outlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * Runs the job binary retivo-NAME (found next to RETIVO_ADMIN) with args
 * (a printf format, passed through the shell; NULL for none) in the
 * test's environment, so setenv() before the call reaches the job.
 * Returns its exit status (-1 when it could not run or was killed); its
 * stdout, the summary line, is kept for job_output().
 */
int job_run(const char *name, const char *args_fmt, ...) __attribute__((format(printf, 2, 3)));

/* The stdout of the last job_run() (static buffer). */
const char *job_output(void);


/*
 * Runs SQL (a printf format) through the RETIVO_SQL command, fed on stdin so
 * that no shell quoting is involved. The output (tab-separated, no header,
 * trailing newlines removed) goes into out, or is discarded when out is
 * NULL. Returns the command's wait status (0 when it succeeded), or -1 when
 * RETIVO_SQL is unset or the command could not run.
 */
int sql_query(char *out, size_t outlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int sql_vquery(char *out, size_t outlen, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

/* The query's first value as an integer; -1 when there is none (or no
 * RETIVO_SQL). */
long long sql_int(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
