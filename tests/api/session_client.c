/*
 * session_client.c — cookie-and-CSRF requests and member fixtures for the
 * API tests (see session_client.h). Its own curl handle, so client.c's
 * requests are untouched.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <curl/curl.h>

#include "crypto.h"
#include "session_client.h"

struct sbuf {
	char	*p;
	size_t	 len;
};

static size_t
session_sink(char *data, size_t size, size_t n, void *arg)
{
	struct sbuf *b = arg;
	char *np;

	if ((np = realloc(b->p, b->len + size * n + 1)) == NULL)
		return 0;
	b->p = np;
	memcpy(b->p + b->len, data, size * n);
	b->len += size * n;
	b->p[b->len] = '\0';
	return size * n;
}

int
api_session(struct resp *r, const char *method, const char *path, const struct session *s,
    const char *csrf, const char *header, const char *fmt, ...)
{
	static CURL *curl;
	struct curl_slist *h = NULL;
	struct sbuf b = { NULL, 0 }, hb = { NULL, 0 };
	char url[2048], line[512], *body = NULL;
	const char *base = getenv("RETIVO_BASE_URL"), *p, *nl = NULL;
	va_list ap;
	CURLcode cc;
	int n = 0;

	memset(r, 0, sizeof(*r));
	if (base == NULL || (curl == NULL && (curl = curl_easy_init()) == NULL))
		return -1;
	if (fmt != NULL) {
		va_start(ap, fmt);
		n = vasprintf(&body, fmt, ap);
		va_end(ap);
		if (n < 0)
			return -1;
	}
	snprintf(url, sizeof(url), "%s%s", base, path);
	curl_easy_reset(curl);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, session_sink);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, session_sink);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, &hb);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
	if (s != NULL && s->cookie[0] != '\0') {
		snprintf(line, sizeof(line), "Cookie: %s", s->cookie);
		h = curl_slist_append(h, line);
	}
	if (csrf != NULL) {
		snprintf(line, sizeof(line), "X-CSRF-Token: %s", csrf);
		h = curl_slist_append(h, line);
	}
	/* header may hold several lines separated by '\n'. */
	for (p = header; p != NULL && *p != '\0'; p = nl ? nl + 1 : NULL) {
		nl = strchr(p, '\n');
		snprintf(line, sizeof(line), "%.*s", nl ? (int)(nl - p) : (int)strlen(p), p);
		h = curl_slist_append(h, line);
	}
	if (body != NULL) {
		h = curl_slist_append(h, "Content-Type: application/json");
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)n);
	} else if (strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0) {
		/* lighttpd answers 411 to a POST without Content-Length. */
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, "");
		curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)0);
	}
	h = curl_slist_append(h, "Expect:");
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
	cc = curl_easy_perform(curl);
	curl_slist_free_all(h);
	free(body);
	if (cc != CURLE_OK) {
		fprintf(stderr, "# %s %s: %s\n", method, path, curl_easy_strerror(cc));
		free(b.p);
		free(hb.p);
		return -1;
	}
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r->status);
	r->body = b.p ? b.p : strdup("");
	r->len = b.len;
	r->headers = hb.p ? hb.p : strdup("");
	r->hlen = hb.len;
	r->json = json_tokener_parse(r->body);
	return 0;
}

long
session_login(struct session *s, const char *email, const char *password)
{
	struct resp r;
	const char *set, *semi;
	long status;
	size_t len;

	s->cookie[0] = s->csrf[0] = '\0';
	if (email != s->email)
		snprintf(s->email, sizeof(s->email), "%s", email);
	if (api(&r, "POST", "/api/auth/login", NULL, "{\"email\":\"%s\",\"password\":\"%s\"}",
	    email, password) != 0)
		return -1;
	status = r.status;
	if (status == 200 && (set = resp_header(&r, "Set-Cookie")) != NULL) {
		semi = strchr(set, ';');
		len = semi ? (size_t)(semi - set) : strlen(set);
		if (len < sizeof(s->cookie)) {
			memcpy(s->cookie, set, len);
			s->cookie[len] = '\0';
		}
		snprintf(s->csrf, sizeof(s->csrf), "%s", jstr(&r, "csrf_token") ? jstr(&r, "csrf_token") : "");
		snprintf(s->member_id, sizeof(s->member_id), "%s",
		    jstr(&r, "member.id") ? jstr(&r, "member.id") : "");
	}
	resp_free(&r);
	return status;
}

int
fixture_member(struct session *s, const char *tenant_id, const char *role)
{
	const char *admin = getenv("RETIVO_ADMIN");
	char suffix[13], email[128], cmd[1024], out[2048];
	FILE *p;
	size_t n;
	int status;

	memset(s, 0, sizeof(*s));
	if (admin == NULL || crypto_random_hex(suffix, 6) != 0)
		return -1;
	snprintf(email, sizeof(email), "%s-%s@example.com", role, suffix);
	snprintf(cmd, sizeof(cmd), "printf '%%s\\n' '%s' | %s member create --tenant %s --email %s "
	    "--role %s --name 'Test %s' --password-stdin", TEST_PASSWORD, admin, tenant_id, email,
	    role, role);
	if ((p = popen(cmd, "r")) == NULL)
		return -1;
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	status = pclose(p);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "# fixture member: %s\n", out);
		return -1;
	}
	return session_login(s, email, TEST_PASSWORD) == 200 ? 0 : -1;
}
