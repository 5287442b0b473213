/*
 * unsubscribe.h — the signed token behind every email's unsubscribe link.
 *
 * The token names a tenant and a user and carries an HMAC-SHA256 under a
 * key derived from the master key and the tenant id (the tenant's
 * unsubscribe secret), so it is verified with no database lookup and
 * cannot be altered to name another user or tenant. It is URL-safe.
 */
#ifndef RETIVO_UNSUBSCRIBE_H
#define RETIVO_UNSUBSCRIBE_H

#include <stddef.h>

#define UNSUBSCRIBE_TOKEN_MAX 1024

/* Writes the token for (tenant_id, user_id) into out (outlen bytes).
 * Returns 0, or -1 when out is too small. Pure. */
int unsubscribe_token_make(const unsigned char master_key[32], const char *tenant_id,
    const char *user_id, char *out, size_t outlen);

/* Verifies token; on success copies the tenant and user ids out and
 * returns 0; a malformed, forged or altered token returns -1. Pure. */
int unsubscribe_token_verify(const unsigned char master_key[32], const char *token,
    char *tenant_id, size_t tenantlen, char *user_id, size_t userlen);

#endif
