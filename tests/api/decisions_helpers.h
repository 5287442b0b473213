/*
 * decisions_helpers.h — what the two files of API suite "decisions"
 * share: the suite's tenants, the action-type schemas, and small helpers
 * for recommending, reporting outcomes and reading responses.
 */
#ifndef RETIVO_TEST_DECISIONS_HELPERS_H
#define RETIVO_TEST_DECISIONS_HELPERS_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "client.h"
#include "helpers.h"

#define DAY 86400

/* Nothing listens on the discard port; the suite fails these deliveries. */
#define HOOK "http://127.0.0.1:9/decisions-suite"

#define SCHEMA_POINTS "{\"type\":\"object\",\"properties\":{\"amount\":{\"type\":\"integer\"," \
	"\"minimum\":50,\"maximum\":1000,\"multipleOf\":50}},\"required\":[\"amount\"]}"
#define SCHEMA_EMAIL "{\"type\":\"object\",\"properties\":{\"template\":{\"type\":\"string\"," \
	"\"enum\":[\"winback\",\"tips\",\"survey\"]}},\"required\":[\"template\"]}"
#define SCHEMA_DISCOUNT "{\"type\":\"object\",\"properties\":{\"percent\":{\"type\":\"number\"," \
	"\"minimum\":5,\"maximum\":40},\"code\":{\"type\":\"string\",\"default\":\"SAVE\"}}," \
	"\"required\":[\"percent\"]}"

extern struct fixture d_ft, d_fo;	/* the suite's tenant, another tenant */
extern int64_t d_now0;			/* the suite's start */

/* 1 when the object at parent (NULL: the root) has key with value null. */
int d_null(const struct resp *r, const char *parent, const char *key);
/* Registers an action type; the HTTP status, its id in id_out. */
long d_register_type(const char *key, const char *name, const char *domain, const char *schema,
    char *id_out, size_t idlen);
/* Creates user (one event at t) and sets its stage, risk and engagement. 0 or -1. */
int d_make_user(const struct fixture *f, const char *user, int64_t t, const char *stage,
    const char *risk, double engagement);
/* POST /api/decisions/recommend for user over actions (a JSON array's inside). */
long d_recommend(struct resp *r, const char *key, const char *user, const char *actions);
/* Reports status on decision id; the HTTP status. */
long d_outcome(const char *key, const char *id, const char *status);
/* 1 when params validates against the schema text (lib/jsonschema.h). */
int d_valid_params(struct json_object *params, const char *schema_text);
/* The schema the suite registered for action. */
const char *d_schema_of(const char *action);

/* test_decisions_learn.c */
void decisions_learning(void);
void decisions_link(void);
void decisions_concurrent_outcomes(void);
void decisions_dry_run(void);
void decisions_partner_pool(void);
void decisions_behaviour_credit(void);

#endif
