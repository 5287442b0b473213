/*
 * http_int.h — what lib/http.c's request cycle shares with
 * lib/http_session.c (members' sessions and the audit log). Not for
 * FastCGI programs; they use http.h.
 */
#ifndef RETIVO_HTTP_INT_H
#define RETIVO_HTTP_INT_H

#include "http.h"

/*
 * Authenticates by the session cookie when there is no Authorization
 * header, and checks the CSRF token of a write. Returns 0 with r->auth
 * filled (r->auth.session set), 0 with r->auth.session unset when there is
 * no session cookie, or -1 having answered (401, 403, 503).
 */
int http_session(struct http_req *r);

/* Records r in the audit log when it was a successful write (see audit.h). */
void http_audit(struct http_req *r, const struct http_route *route);

#endif
