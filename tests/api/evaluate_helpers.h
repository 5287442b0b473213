/*
 * evaluate_helpers.h — shared by the evaluate API suites (see
 * evaluate_helpers.c).
 */
#ifndef RETIVO_TEST_EVALUATE_HELPERS_H
#define RETIVO_TEST_EVALUATE_HELPERS_H

#include <stdint.h>

#include "client.h"
#include "helpers.h"

#define DAY 86400
#define NO_EXIT "{}"
#define ACTIVE "{\"stages\":[\"active\"]}"
#define HOLDOUT_USERS 200

extern struct fixture ev_ft;	/* the journey */
extern struct fixture ev_fg;	/* the gates */
extern struct fixture ev_fo;	/* another tenant */

/* retivo-evaluate --tenant f at t; its exit status. */
int ev_evaluate_at(const struct fixture *f, int64_t t);
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
