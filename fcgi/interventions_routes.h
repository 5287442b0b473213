/*
 * interventions_routes.h — what the two source files of
 * retivo-interventions share: the escalation handlers
 * (escalation_routes.c) that fcgi/interventions.c routes, and the actor
 * name both record.
 */
#ifndef RETIVO_INTERVENTIONS_ROUTES_H
#define RETIVO_INTERVENTIONS_ROUTES_H

#include <stddef.h>

struct http_req;

/* "member:<id>" for a session, "key:<id>" for an API key, into buf. */
const char *routes_actor(const struct http_req *r, char *buf, size_t len);

void esc_list(struct http_req *r);
void esc_create(struct http_req *r);
void esc_get(struct http_req *r);
void esc_handle(struct http_req *r);
void esc_delegate(struct http_req *r);

#endif
