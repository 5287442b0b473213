/*
 * client.c — libcurl, popen(retivo-admin) and popen(RETIVO_SQL) for the API
 * tests. Every request the tests send, whatever it carries (key, session
 * cookie, extra headers), is set up by client_setup(): one request at a
 * time on the shared handle, or a batch at once over curl multi.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>

#include "client.h"
#include "crypto.h"

static CURL *client_curl;
static const char *client_base;
static const char *client_admin;

int
client_init(void)
{
	client_base = getenv("RETIVO_BASE_URL");
	client_admin = getenv("RETIVO_ADMIN");
	if (client_base == NULL || client_admin == NULL) {
		fprintf(stderr, "RETIVO_BASE_URL and RETIVO_ADMIN must be set\n");
		return -1;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0 || (client_curl = curl_easy_init()) == NULL)
		return -1;
	return 0;
}

void
client_cleanup(void)
{
	curl_easy_cleanup(client_curl);
	curl_global_cleanup();
}

struct buf {
	char	*p;
	size_t	 len;
};

static size_t
client_sink(char *data, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;
	char *np;

	if ((np = realloc(b->p, b->len + size * n + 1)) == NULL)
		return 0;
	b->p = np;
	memcpy(b->p + b->len, data, size * n);
	b->len += size * n;
	b->p[b->len] = '\0';
	return size * n;
}

/*
 * Sets e up for method path: the response body into b and its header
 * block into hb (hb NULL: not kept), each line of headers (separated by
 * '\n') sent, and body of len bytes (NULL: none) with a Content-Type line
 * when content_type is not NULL. The header list goes into *h for the
 * caller to free after the transfer.
 */
static void
client_setup(CURL *e, const char *method, const char *path, const char *headers,
    const char *content_type, const char *body, size_t len, struct buf *b, struct buf *hb,
    struct curl_slist **h)
{
	char url[2048], line[512];
	const char *p, *nl = NULL;

	snprintf(url, sizeof(url), "%s%s", client_base, path);
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, client_sink);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, b);
	if (hb != NULL) {
		curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, client_sink);
		curl_easy_setopt(e, CURLOPT_HEADERDATA, hb);
	}
	curl_easy_setopt(e, CURLOPT_TIMEOUT, 30L);
	*h = NULL;
	for (p = headers; p != NULL && *p != '\0'; p = nl ? nl + 1 : NULL) {
		nl = strchr(p, '\n');
		snprintf(line, sizeof(line), "%.*s", nl ? (int)(nl - p) : (int)strlen(p), p);
		*h = curl_slist_append(*h, line);
	}
	if (body != NULL) {
		if (content_type != NULL) {
			snprintf(line, sizeof(line), "Content-Type: %s", content_type);
			*h = curl_slist_append(*h, line);
		}
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	}
	*h = curl_slist_append(*h, "Expect:");
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, *h);
}

int
api_request(struct resp *r, const char *method, const char *path, const char *headers,
    const char *content_type, const char *body, size_t len)
{
	struct curl_slist *h = NULL;
	struct buf b = { NULL, 0 }, hb = { NULL, 0 };
	CURLcode cc;

	memset(r, 0, sizeof(*r));
	curl_easy_reset(client_curl);
	client_setup(client_curl, method, path, headers, content_type, body, len, &b, &hb, &h);
	cc = curl_easy_perform(client_curl);
	curl_slist_free_all(h);
	if (cc != CURLE_OK) {
		fprintf(stderr, "# %s %s: %s\n", method, path, curl_easy_strerror(cc));
		free(b.p);
		free(hb.p);
		return -1;
	}
	curl_easy_getinfo(client_curl, CURLINFO_RESPONSE_CODE, &r->status);
	r->body = b.p ? b.p : strdup("");
	r->len = b.len;
	r->headers = hb.p ? hb.p : strdup("");
	r->hlen = hb.len;
	r->json = json_tokener_parse(r->body);
	return 0;
}

int
api_raw(struct resp *r, const char *method, const char *path, const char *key,
    const char *content_type, const char *body, size_t len)
{
	char auth[256];

	if (key != NULL)
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", key);
	return api_request(r, method, path, key != NULL ? auth : NULL, content_type, body, len);
}

int
api_together(long *status, int n, const char *method, const char *key,
    const struct api_call *calls, int ncalls)
{
	CURL **e = calloc((size_t)(n > 0 ? n : 1), sizeof(*e));
	struct curl_slist **h = calloc((size_t)(n > 0 ? n : 1), sizeof(*h));
	struct buf *b = calloc((size_t)(n > 0 ? n : 1), sizeof(*b));
	CURLM *m = curl_multi_init();
	const struct api_call *c;
	char auth[256];
	int i, running = 0, rc = -1;

	for (i = 0; i < n; i++)
		status[i] = 0;
	if (e == NULL || h == NULL || b == NULL || m == NULL || n < 1 || ncalls < 1)
		goto out;
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", key);
	for (i = 0; i < n; i++) {
		if ((e[i] = curl_easy_init()) == NULL)
			goto out;
		c = &calls[i % ncalls];
		client_setup(e[i], method, c->path, auth, "application/json", c->body,
		    c->body != NULL ? strlen(c->body) : 0, &b[i], NULL, &h[i]);
		curl_multi_add_handle(m, e[i]);
	}
	do {
		if (curl_multi_perform(m, &running) != CURLM_OK)
			goto out;
		if (running > 0)
			curl_multi_poll(m, NULL, 0, 1000, NULL);
	} while (running > 0);
	for (i = 0; i < n; i++)
		curl_easy_getinfo(e[i], CURLINFO_RESPONSE_CODE, &status[i]);
	rc = 0;
out:
	for (i = 0; e != NULL && h != NULL && b != NULL && i < n; i++) {
		if (e[i] != NULL) {
			curl_multi_remove_handle(m, e[i]);
			curl_easy_cleanup(e[i]);
		}
		curl_slist_free_all(h[i]);
		free(b[i].p);
	}
	if (m != NULL)
		curl_multi_cleanup(m);
	free(e);
	free(h);
	free(b);
	return rc;
}

int
status_count(const long *status, int n, long want)
{
	int i, c = 0;

	for (i = 0; i < n; i++)
		c += status[i] == want;
	return c;
}

int
api_vjson(struct resp *r, const char *method, const char *path, const char *headers,
    const char *fmt, va_list ap)
{
	char *body = NULL;
	int rc, n = 0;

	memset(r, 0, sizeof(*r));
	if (fmt != NULL && (n = vasprintf(&body, fmt, ap)) < 0)
		return -1;
	rc = api_request(r, method, path, headers, "application/json", body,
	    body != NULL ? (size_t)n : 0);
	free(body);
	return rc;
}

int
api(struct resp *r, const char *method, const char *path, const char *key, const char *fmt, ...)
{
	char auth[256];
	va_list ap;
	int rc;

	if (key != NULL)
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", key);
	va_start(ap, fmt);
	rc = api_vjson(r, method, path, key != NULL ? auth : NULL, fmt, ap);
	va_end(ap);
	return rc;
}

void
resp_free(struct resp *r)
{
	free(r->body);
	free(r->headers);
	json_object_put(r->json);
	memset(r, 0, sizeof(*r));
}

const char *
resp_header(const struct resp *r, const char *name)
{
	static char val[512];
	const char *p = r->headers, *eol;
	size_t nl = strlen(name), vl;

	while (p != NULL && *p != '\0') {
		eol = strstr(p, "\r\n");
		if (eol == NULL)
			eol = p + strlen(p);
		if (strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
			p += nl + 1;
			while (*p == ' ')
				p++;
			vl = (size_t)(eol - p);
			if (vl >= sizeof(val))
				vl = sizeof(val) - 1;
			memcpy(val, p, vl);
			val[vl] = '\0';
			return val;
		}
		p = *eol ? eol + 2 : eol;
	}
	return NULL;
}

struct json_object *
jget(const struct resp *r, const char *path)
{
	struct json_object *o = r->json;
	char copy[256], *part, *save = NULL, *end;
	long idx;

	snprintf(copy, sizeof(copy), "%s", path);
	for (part = strtok_r(copy, ".", &save); part != NULL && o != NULL;
	    part = strtok_r(NULL, ".", &save)) {
		if (json_object_is_type(o, json_type_array)) {
			idx = strtol(part, &end, 10);
			o = *end == '\0' ? json_object_array_get_idx(o, (size_t)idx) : NULL;
		} else if (!json_object_is_type(o, json_type_object) ||
		    !json_object_object_get_ex(o, part, &o))
			return NULL;
	}
	return o;
}

const char *
jstr(const struct resp *r, const char *path)
{
	struct json_object *o = jget(r, path);

	return o != NULL && json_object_is_type(o, json_type_string) ? json_object_get_string(o) : NULL;
}

long long
jint(const struct resp *r, const char *path)
{
	struct json_object *o = jget(r, path);

	return o != NULL && json_object_is_type(o, json_type_int) ? json_object_get_int64(o) : -999999;
}

size_t
jlen(const struct resp *r, const char *path)
{
	struct json_object *o = jget(r, path);

	return o != NULL && json_object_is_type(o, json_type_array) ? json_object_array_length(o) :
	    (size_t)-1;
}

double
jnum(const struct resp *r, const char *path)
{
	struct json_object *o = jget(r, path);

	return o != NULL && (json_object_is_type(o, json_type_double) ||
	    json_object_is_type(o, json_type_int)) ? json_object_get_double(o) : -999;
}

int
jbool(const struct resp *r, const char *path)
{
	struct json_object *o = jget(r, path);

	return o != NULL && json_object_is_type(o, json_type_boolean) ? json_object_get_boolean(o)
	    : -1;
}

int
is_error(const struct resp *r, long status, const char *needle)
{
	const char *e = jstr(r, "error");

	return r->status == status && e != NULL && jstr(r, "code") != NULL &&
	    (needle == NULL || strstr(e, needle) != NULL);
}

int
admin_run(char *out, size_t outlen, const char *fmt, ...)
{
	char args[1024], cmd[2048];
	FILE *p;
	size_t n;
	int status;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "%s %s", client_admin, args);
	if ((p = popen(cmd, "r")) == NULL)
		return -1;
	n = fread(out, 1, outlen - 1, p);
	out[n] = '\0';
	status = pclose(p);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static char job_out[4096];

int
job_run(const char *name, const char *args_fmt, ...)
{
	char args[1024] = "", cmd[2048], dir[1024], *slash;
	FILE *p;
	size_t n;
	int status;
	va_list ap;

	job_out[0] = '\0';
	if (args_fmt != NULL) {
		va_start(ap, args_fmt);
		vsnprintf(args, sizeof(args), args_fmt, ap);
		va_end(ap);
	}
	snprintf(dir, sizeof(dir), "%s", client_admin);
	if ((slash = strrchr(dir, '/')) != NULL)
		*slash = '\0';
	else
		snprintf(dir, sizeof(dir), ".");
	snprintf(cmd, sizeof(cmd), "%s/retivo-%s %s", dir, name, args);
	fflush(stdout);
	if ((p = popen(cmd, "r")) == NULL)
		return -1;
	n = fread(job_out, 1, sizeof(job_out) - 1, p);
	job_out[n] = '\0';
	while (n > 0 && job_out[n - 1] == '\n')
		job_out[--n] = '\0';
	status = pclose(p);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

const char *
job_output(void)
{
	return job_out;
}

static int
fixture_field(const char *json, const char *a, const char *b, char *dst, size_t len)
{
	struct json_object *o = json_tokener_parse(json), *v = NULL;
	int rc = -1;

	if (o != NULL && json_object_object_get_ex(o, a, &v) &&
	    (b == NULL || json_object_object_get_ex(v, b, &v)) &&
	    json_object_is_type(v, json_type_string)) {
		snprintf(dst, len, "%s", json_object_get_string(v));
		rc = 0;
	}
	json_object_put(o);
	return rc;
}

int
fixture_key(const char *tenant_id, const char *mode, const char *scopes, char *key_out,
    size_t keylen)
{
	char out[4096];

	if (admin_run(out, sizeof(out), "key create --tenant %s --mode %s --scopes %s --label fixture",
	    tenant_id, mode, scopes) != 0)
		return -1;
	return fixture_field(out, "api_key", NULL, key_out, keylen);
}

int
fixture_tenant(struct fixture *f, const char *plan, const char *role)
{
	char out[4096], suffix[13];

	if (crypto_random_hex(suffix, 6) != 0)
		return -1;
	if (admin_run(out, sizeof(out), "tenant create --name 'Test %s' --slug t-%s --plan %s --role %s",
	    suffix, suffix, plan, role) != 0 ||
	    fixture_field(out, "id", NULL, f->tenant_id, sizeof(f->tenant_id)) != 0) {
		fprintf(stderr, "# fixture tenant: %s\n", out);
		return -1;
	}
	return fixture_key(f->tenant_id, "live", "full", f->key, sizeof(f->key));
}

int
sql_vquery(char *out, size_t outlen, const char *fmt, va_list ap)
{
	const char *cmd = getenv("RETIVO_SQL");
	char path[] = "/tmp/retivo-apitest-sql-XXXXXX", shell[1024], scratch[64];
	FILE *f, *p;
	size_t n = 0;
	int fd, status = -1;

	if (out == NULL) {
		out = scratch;
		outlen = sizeof(scratch);
	}
	out[0] = '\0';
	if (cmd == NULL || (fd = mkstemp(path)) < 0)
		return -1;
	if ((f = fdopen(fd, "w")) == NULL) {
		close(fd);
		unlink(path);
		return -1;
	}
	vfprintf(f, fmt, ap);
	fclose(f);
	snprintf(shell, sizeof(shell), "%s < %s", cmd, path);
	if ((p = popen(shell, "r")) != NULL) {
		n = fread(out, 1, outlen - 1, p);
		out[n] = '\0';
		status = pclose(p);
	}
	unlink(path);
	while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r'))
		out[--n] = '\0';
	return status;
}

int
sql_query(char *out, size_t outlen, const char *fmt, ...)
{
	va_list ap;
	int status;

	va_start(ap, fmt);
	status = sql_vquery(out, outlen, fmt, ap);
	va_end(ap);
	return status;
}

long long
sql_int(const char *fmt, ...)
{
	char out[256];
	va_list ap;

	va_start(ap, fmt);
	sql_vquery(out, sizeof(out), fmt, ap);
	va_end(ap);
	return out[0] != '\0' ? strtoll(out, NULL, 10) : -1;
}
