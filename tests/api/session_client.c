/*
 * session_client.c — cookie-and-CSRF requests and member fixtures for the
 * API tests (see session_client.h). Requests go through client.c's
 * api_request() with a Cookie and an X-CSRF-Token line instead of a key.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "crypto.h"
#include "helpers.h"
#include "session_client.h"

int
api_session(struct resp *r, const char *method, const char *path, const struct session *s,
    const char *csrf, const char *header, const char *fmt, ...)
{
	char cookie[600], token[600], *headers = NULL;
	va_list ap;
	int rc;

	memset(r, 0, sizeof(*r));
	cookie[0] = token[0] = '\0';
	if (s != NULL && s->cookie[0] != '\0')
		snprintf(cookie, sizeof(cookie), "Cookie: %s\n", s->cookie);
	if (csrf != NULL)
		snprintf(token, sizeof(token), "X-CSRF-Token: %s\n", csrf);
	if (asprintf(&headers, "%s%s%s", cookie, token, header != NULL ? header : "") < 0)
		return -1;
	if (fmt == NULL && (strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0))
		/* lighttpd answers 411 to a POST without Content-Length. */
		rc = api_request(r, method, path, headers, NULL, "", 0);
	else {
		va_start(ap, fmt);
		rc = api_vjson(r, method, path, headers, fmt, ap);
		va_end(ap);
	}
	free(headers);
	return rc;
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
		snprintf(s->csrf, sizeof(s->csrf), "%s", nz(jstr(&r, "csrf_token")));
		snprintf(s->member_id, sizeof(s->member_id), "%s",
		    nz(jstr(&r, "member.id")));
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
