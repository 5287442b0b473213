/*
 * interventions_routes.h — what the two source files of
 * retivo-interventions share: the escalation handlers
 * (escalation_routes.c) that fcgi/interventions.c routes, the actor
 * name both record, and the user a manual creation of either names.
 */
#ifndef RETIVO_INTERVENTIONS_ROUTES_H
#define RETIVO_INTERVENTIONS_ROUTES_H

#include <stddef.h>

struct http_req;
struct in;

/* "member:<id>" for a session, "key:<id>" for an API key, into buf. */
const char *routes_actor(const struct http_req *r, char *buf, size_t len);

/*
 * The required "user_id" of a creation body, or NULL with v failed (also
 * when the body is missing altogether, which jsonin lets pass).
 */
const char *routes_user_id(struct in *v);

/*
 * Reads the opt-out and pause of user_id in the caller's tenant. Returns
 * 0, or -1 having answered: 404 user_not_found when the tenant has no
 * such user, 500 when the read failed.
 */
int routes_user_state(struct http_req *r, const char *user_id, int *opted_out, int *paused);

void esc_list(struct http_req *r);
void esc_create(struct http_req *r);
void esc_get(struct http_req *r);
void esc_handle(struct http_req *r);
void esc_delegate(struct http_req *r);

#endif
