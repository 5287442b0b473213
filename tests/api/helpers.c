/*
 * helpers.c — see helpers.h.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "client.h"
#include "helpers.h"
#include "suites.h"
#include "timeutil.h"

const char *
nz(const char *s)
{
	return s != NULL ? s : "";
}

int
streq(const char *a, const char *b)
{
	return a != NULL && b != NULL && strcmp(a, b) == 0;
}

const char *
obj_str(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) || v == NULL)
		return NULL;
	return json_object_get_string(v);
}

int
str_is(const struct resp *r, const char *path, const char *want)
{
	return streq(jstr(r, path), want);
}

long
api_create(const char *path, const char *key, const char *field, char *out, size_t outlen,
    const char *fmt, ...)
{
	struct resp r;
	char *body = NULL;
	va_list ap;
	long status;
	int n;

	if (out != NULL && outlen > 0)
		out[0] = '\0';
	va_start(ap, fmt);
	n = vasprintf(&body, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	if (api_raw(&r, "POST", path, key, "application/json", body, (size_t)n) != 0) {
		free(body);
		return -1;
	}
	status = r.status;
	if (out != NULL && outlen > 0)
		snprintf(out, outlen, "%s", nz(jstr(&r, field)));
	if (status != 201)
		diag("POST %s: %ld %s", path, status, nz(r.body));
	free(body);
	resp_free(&r);
	return status;
}

const char *
api_get_field(const char *key, const char *path, const char *field)
{
	static char out[512];
	struct json_object *v;
	struct resp r;

	out[0] = '\0';
	if (api(&r, "GET", path, key, NULL) == 0 && r.status == 200 &&
	    (v = jget(&r, field)) != NULL)
		snprintf(out, sizeof(out), "%s", json_object_get_string(v));
	resp_free(&r);
	return out;
}

int
post_event(const char *key, const char *user, const char *event, int64_t t, const char *props)
{
	char iso[TIME_ISO8601_SIZE], stamp[TIME_ISO8601_SIZE + 20] = "";
	struct resp r;
	int rc;

	if (t != 0) {
		time_format_iso8601(t, iso);
		snprintf(stamp, sizeof(stamp), ",\"timestamp\":\"%s\"", iso);
	}
	api(&r, "POST", "/api/events", key, "{\"user_id\":\"%s\",\"event\":\"%s\"%s%s%s}", user,
	    event, stamp, props != NULL ? ",\"properties\":" : "", props != NULL ? props : "");
	rc = r.status >= 200 && r.status < 300 ? 0 : -1;
	if (rc != 0)
		diag("POST /api/events %s %s: %ld %s", user, event, r.status, nz(r.body));
	resp_free(&r);
	return rc;
}

int
job_run_at(const char *name, int64_t t, const char *extra)
{
	char iso[TIME_ISO8601_SIZE];
	int rc;

	time_format_iso8601(t, iso);
	rc = job_run(name, "--now %s %s", iso, nz(extra));
	if (rc != 0)
		diag("retivo-%s --now %s %s exited %d: %s", name, iso, nz(extra), rc, job_output());
	return rc;
}

int
job_run_together(int n, const char *name, int64_t t, const char *extra)
{
	pid_t *pid = calloc((size_t)(n > 0 ? n : 1), sizeof(*pid));
	int i, status, fine = 0;

	if (pid == NULL)
		return 0;
	fflush(NULL);
	for (i = 0; i < n; i++)
		if ((pid[i] = fork()) == 0)	/* _exit: not the parent's atexit handlers */
			_exit(job_run_at(name, t, extra) == 0 ? 0 : 1);
	for (i = 0; i < n; i++)
		if (pid[i] > 0 && waitpid(pid[i], &status, 0) == pid[i] && WIFEXITED(status) &&
		    WEXITSTATUS(status) == 0)
			fine++;
	free(pid);
	return fine;
}

long long
job_out_int(const char *key)
{
	char needle[64];
	const char *p;

	snprintf(needle, sizeof(needle), "\"%s\":", key);
	if ((p = strstr(job_output(), needle)) == NULL)
		return -1;
	return strtoll(p + strlen(needle), NULL, 10);
}
