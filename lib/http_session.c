/*
 * http_session.c — the parts of the request cycle that concern members
 * and accountability: the session cookie as an alternative to a key, its
 * CSRF check, whether the request came over TLS, and the audit row of a
 * successful write.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <fcgiapp.h>

#include "audit.h"
#include "crypto.h"
#include "http.h"
#include "http_int.h"
#include "session.h"

const char *
http_param(struct http_req *r, const char *name)
{
	FCGX_Request *f = r->fcgi;

	return FCGX_GetParam(name, f->envp);
}

int
http_is_https(struct http_req *r)
{
	const char *https = http_param(r, "HTTPS"), *proto, *addr = r->remote_addr;

	if (https != NULL && strcasecmp(https, "on") == 0)
		return 1;
	proto = http_param(r, "HTTP_X_FORWARDED_PROTO");
	return proto != NULL && strcasecmp(proto, "https") == 0 && addr != NULL &&
	    (strcmp(addr, "127.0.0.1") == 0 || strcmp(addr, "::1") == 0);
}

/*
 * Authenticates by the session cookie (only called without an
 * Authorization header) and checks the CSRF token of a write: a browser
 * sends the cookie on a forged cross-site form post too, but cannot read
 * the token that sign-in returned. Returns 0 with r->auth filled, 0 with
 * r->auth.session unset when there is no session cookie (the caller then
 * answers 401 for a missing key), or -1 having answered.
 */
int
http_session(struct http_req *r)
{
	const char *sent;

	switch (session_authenticate(http_param(r, "HTTP_COOKIE"), r->now, &r->auth)) {
	case AUTH_OK:
		break;
	case AUTH_MISSING:
		return 0;
	case AUTH_ERROR:
		http_header(r, "Retry-After", "5");
		http_error(r, 503, "unavailable", "service temporarily unavailable");
		return -1;
	default:
		http_error(r, 401, "invalid_session",
		    "session expired or invalid: sign in again at POST /api/auth/login");
		return -1;
	}
	if (strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0)
		return 0;
	sent = http_param(r, "HTTP_X_CSRF_TOKEN");
	if (sent == NULL || strlen(sent) != strlen(r->auth.csrf) ||
	    !crypto_equal(sent, r->auth.csrf, strlen(sent))) {
		http_error(r, 403, "csrf_failed",
		    "missing or wrong X-CSRF-Token header: send the csrf_token from sign-in");
		return -1;
	}
	return 0;
}

/*
 * Records a successful write in the audit log: by the key or member, on
 * the route's pattern, with the path's first id or the id in the response.
 */
void
http_audit(struct http_req *r, const struct http_route *route)
{
	struct audit_entry e;
	char action[256];

	if (r->status < 200 || r->status >= 300 || strcmp(r->method, "GET") == 0 ||
	    strcmp(r->method, "HEAD") == 0 || r->auth.tenant_id[0] == '\0' ||
	    (route->flags & (HTTP_RATE_TRACK | HTTP_NO_AUDIT)) != 0)
		return;
	memset(&e, 0, sizeof(e));
	snprintf(action, sizeof(action), "%s %s", r->method, route->pattern);
	e.tenant_id = r->auth.tenant_id;
	e.actor_type = r->auth.session ? "member" : "api_key";
	e.actor_id = r->auth.session ? r->auth.member_id : r->auth.key_id;
	e.action = action;
	e.method = r->method;
	e.route = route->pattern;
	e.object_id = r->params[0] != NULL ? r->params[0] :
	    r->audit_object[0] != '\0' ? r->audit_object : NULL;
	e.status = r->status;
	e.remote_addr = r->remote_addr;
	e.user_agent = r->user_agent;
	e.request_id = r->request_id;
	e.now = r->now;
	audit_record(&e);
}
