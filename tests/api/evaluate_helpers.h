/*
 * evaluate_helpers.h — shared by the evaluate API suites (see
 * evaluate_helpers.c).
 */
#ifndef RETIVO_TEST_EVALUATE_HELPERS_H
#define RETIVO_TEST_EVALUATE_HELPERS_H

#include <stdint.h>

#include "client.h"

#define DAY 86400
#define NO_EXIT "{}"
#define ACTIVE "{\"stages\":[\"active\"]}"
#define HOLDOUT_USERS 200

extern struct fixture ev_ft;	/* the journey */
extern struct fixture ev_fg;	/* the gates */
extern struct fixture ev_fo;	/* another tenant */

const char *ev_nz(const char *s);
/* Posts one event of user at t with key (properties: JSON text or NULL); 0 accepted. */
int ev_post_event(const char *key, const char *user, const char *event, int64_t t,
    const char *props);
/* Runs retivo-NAME --now t [extra]; its exit status (output: job_output()). */
int ev_run_at(const char *name, int64_t t, const char *extra);
/* retivo-evaluate --tenant f at t; its exit status. */
int ev_evaluate_at(const struct fixture *f, int64_t t);
/* The last job summary's integer field, -1 when absent. */
long long ev_out_int(const char *key);
/* Creates an active playbook; its id into id, "" on failure. */
void ev_playbook(const struct fixture *f, const char *name, const char *area,
    const char *entry, const char *exit_c, const char *constraints, const char *hints,
    char id[48]);
/* Archives a playbook. */
void ev_retire(const struct fixture *f, const char *id);
/* Interventions of the tenant's user (and playbook unless NULL) in status (NULL: any). */
long long ev_count_iv(const struct fixture *f, const char *user, const char *pb,
    const char *status);
/* Sets the user's stage (since `since`) and scores as the scores job writes them. */
int ev_set_user(const struct fixture *f, const char *user, const char *stage, int64_t since,
    double engagement, double expansion);

/* test_evaluate_more.c */
void ev_test_skips_dry_run(int64_t t);
void ev_test_external_action(int64_t t);
void ev_test_concurrent(int64_t t);

#endif
