/*
 * customers_helpers.h — helpers shared by the customers suite's files,
 * test_customers.c (list, stats, get, pause) and test_unsubscribe.c (the
 * unsubscribe link, opt-out and resubscribe).
 */
#ifndef RETIVO_TEST_CUSTOMERS_HELPERS_H
#define RETIVO_TEST_CUSTOMERS_HELPERS_H

#include "client.h"

/* Makes a tracked user with the given stage and risk (ids here need no
 * quoting). 0 when the SQL succeeded. */
int add_user(const char *tenant, const char *user_id, const char *stage, const char *risk);

/* One column of one user's row, as text ("NULL" for NULL); static. */
const char *user_col(const char *tenant, const char *user_id, const char *col);

/* Percent-encodes everything but RFC 3986's unreserved characters; static. */
const char *enc(const char *s);

/* Checks one validation failure: 400 with "field" naming it and the message
 * starting so. */
int names_field(const struct resp *r, const char *field);

/*
 * The unsubscribe part of the customers suite (test_unsubscribe.c), run on
 * the users suite_customers() made: tenant ta (key ka, and its manage and
 * read keys) and tenant tb (key kb).
 */
void test_unsubscribe(const char *ta, const char *tb, const char *ka, const char *kb,
    const char *manage_key, const char *read_key);

#endif
