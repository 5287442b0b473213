/*
 * team.h — the handlers of retivo-team.fcgi, split over two files:
 * fcgi/team.c (team, audit log, billing, the route table) and
 * fcgi/team_auth.c (sign-in, sign-out, who am I, accepting an invitation).
 */
#ifndef RETIVO_FCGI_TEAM_H
#define RETIVO_FCGI_TEAM_H

struct http_req;

void auth_login(struct http_req *);
void auth_logout(struct http_req *);
void auth_me(struct http_req *);
void team_accept(struct http_req *);

/* Records an event (auth.login, …) of actor in tenant for request r. */
void team_audit_event(struct http_req *r, const char *tenant_id, const char *actor_type,
    const char *actor_id, const char *action, int status);

#endif
