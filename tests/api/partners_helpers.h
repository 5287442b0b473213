/*
 * partners_helpers.h — what the two files of the partners suite
 * (test_partners.c, test_partners_share.c) share: the partner fixture,
 * the objects the first half creates for the second, and small helpers
 * over the Partner API.
 */
#ifndef RETIVO_TEST_PARTNERS_HELPERS_H
#define RETIVO_TEST_PARTNERS_HELPERS_H

#include <stddef.h>

#include "client.h"
#include "helpers.h"

struct partner {
	struct fixture	f;		/* the tenant and a full key (no partner scope) */
	char		pkey[64];	/* a partner-scoped key */
};

/* What the first half of the suite made for partner P. */
struct partner_world {
	char	i1[64], secret[80];	/* acme-loyalty: grant_points, issue_voucher */
	char	i_off[64];		/* inactive */
	char	i3[64];			/* acme-games: award_badge, "Level Up" -> level_up */
	char	c1[40], k1[64];		/* customer on the partner's plan */
	char	c2[40], k2[64];		/* customer on growth, 5000 users */
};

/* The random suffix of this run's slugs. */
extern char partners_suffix[13];

/* Creates a partner tenant with a full and a partner-scoped key: 0 or -1. */
int partner_fixture(struct partner *p, const char *plan);

/* The string at path of r into out ("" when absent). */
void copy_str(const struct resp *r, const char *path, char *out, size_t len);

/* Provisions customer "<slug>-<suffix>" with extra body fields (",\"k\":v"
 * or ""); its id and key out. Returns the HTTP status. */
long provision(const struct partner *p, const char *slug, const char *extra, char id[40],
    char key[64]);

/* Registers an integration from body; its id (and secret when not NULL)
 * out. Returns the HTTP status. */
long integrate(const struct partner *p, const char *body, char id[64], char secret[80]);

/* Shares integration with customer as key; returns the status and
 * *registered (-1 when the answer is not {shared:true, ...}). */
long share(const char *key, const char *integration, const char *customer,
    long long *registered);

/* The second half (test_partners_share.c). */
void partners_sharing(const struct partner *p, const struct partner *q,
    const struct fixture *s, const struct partner_world *w);
void partners_one_secret(const struct partner_world *w);
void partners_mappings(const struct partner *q, const struct fixture *s,
    const struct partner_world *w);
void partners_isolation(const struct partner *p, const struct partner *q,
    const struct fixture *s, const struct partner_world *w);
void partners_stats(const struct partner *p, const struct partner *q,
    const struct partner_world *w);

#endif
