/*
 * activities_helpers.c — see activities_helpers.h.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "activities_helpers.h"

struct ah_buf {
	char	*p;
	size_t	 len;
};

static size_t
ah_sink(char *data, size_t size, size_t n, void *arg)
{
	struct ah_buf *b = arg;
	char *p = realloc(b->p, b->len + size * n + 1);

	if (p == NULL)
		return 0;
	b->p = p;
	memcpy(b->p + b->len, data, size * n);
	b->len += size * n;
	b->p[b->len] = '\0';
	return size * n;
}

/* A new easy handle for method path with key, extra header and body. */
static CURL *
ah_easy(const char *method, const char *path, const char *key, const char *extra,
    const char *body, struct curl_slist **h, struct ah_buf *b)
{
	CURL *e = curl_easy_init();
	char url[2048], line[256];

	if (e == NULL)
		return NULL;
	snprintf(url, sizeof(url), "%s%s", getenv("RETIVO_BASE_URL"), path);
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, ah_sink);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, b);
	curl_easy_setopt(e, CURLOPT_TIMEOUT, 30L);
	*h = NULL;
	snprintf(line, sizeof(line), "Authorization: Bearer %s", key);
	*h = curl_slist_append(*h, line);
	if (extra != NULL)
		*h = curl_slist_append(*h, extra);
	if (body != NULL) {
		*h = curl_slist_append(*h, "Content-Type: application/json");
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
	}
	*h = curl_slist_append(*h, "Expect:");
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, *h);
	return e;
}

int
api_tenant(struct resp *r, const char *method, const char *path, const char *key,
    const char *tenant, const char *body)
{
	struct curl_slist *h = NULL;
	struct ah_buf b = { NULL, 0 };
	char line[256];
	CURL *e;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	snprintf(line, sizeof(line), "x-tenant-id: %s", tenant);
	if ((e = ah_easy(method, path, key, line, body, &h, &b)) == NULL)
		return -1;
	if (curl_easy_perform(e) == CURLE_OK) {
		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &r->status);
		r->body = b.p ? b.p : strdup("");
		r->len = b.len;
		r->headers = strdup("");
		r->json = json_tokener_parse(r->body);
		b.p = NULL;
		rc = 0;
	}
	free(b.p);
	curl_slist_free_all(h);
	curl_easy_cleanup(e);
	return rc;
}

int
api_post_together(const char *path, const char *key, const char *body, int n, long *status)
{
	CURL *e[8] = { NULL };
	struct curl_slist *h[8] = { NULL };
	struct ah_buf b[8];
	CURLM *m = curl_multi_init();
	int i, running = 0, rc = -1;

	if (m == NULL || n < 1 || n > 8)
		goto out;
	memset(b, 0, sizeof(b));
	for (i = 0; i < n; i++) {
		status[i] = 0;
		if ((e[i] = ah_easy("POST", path, key, NULL, body, &h[i], &b[i])) == NULL)
			goto out;
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
	for (i = 0; i < n && i < 8; i++) {
		if (e[i] != NULL) {
			curl_multi_remove_handle(m, e[i]);
			curl_easy_cleanup(e[i]);
		}
		curl_slist_free_all(h[i]);
		free(b[i].p);
	}
	if (m != NULL)
		curl_multi_cleanup(m);
	return rc;
}

int
commerce_fixture(const char *key, const char *body, char id[64])
{
	struct resp r;
	int rc = -1;

	api(&r, "POST", "/api/commerces", key, "%s", body);
	if (r.status == 201 && jstr(&r, "commerce.id") != NULL) {
		snprintf(id, 64, "%s", jstr(&r, "commerce.id"));
		rc = 0;
	} else
		fprintf(stderr, "# commerce_fixture: %ld %s\n", r.status, r.body ? r.body : "");
	resp_free(&r);
	return rc;
}
