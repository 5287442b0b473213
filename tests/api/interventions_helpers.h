/*
 * interventions_helpers.h — what the two files of API suite
 * "interventions" share: its tenants and request helpers
 * (test_interventions.c) and the tests kept in test_interventions_more.c.
 */
#ifndef RETIVO_TEST_INTERVENTIONS_HELPERS_H
#define RETIVO_TEST_INTERVENTIONS_HELPERS_H

#include "client.h"
#include "helpers.h"

extern struct fixture iv_f, iv_o;	/* the suite's tenant, another tenant */

/* POST /api/interventions with body; the status, the new id in id. */
long iv_create(const char *key, char id[64], const char *body);
/* PUT /api/interventions/{id}/{verb} with body (NULL: none); r filled. */
long iv_verb(struct resp *r, const char *key, const char *id, const char *v, const char *body);
/* The intervention's field as the suite's tenant sees it (static copy),
 * "null" when null or absent, "HTTP n" when the GET fails. */
const char *iv_field(const char *id, const char *name);

/* test_interventions_more.c */
void interventions_concurrent_approve(void);
void interventions_rollback_dispatch(void);

#endif
