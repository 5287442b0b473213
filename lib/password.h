/*
 * password.h — member passwords: PBKDF2-HMAC-SHA256 with a per-password
 * random salt, stored as one self-describing string
 *
 *   pbkdf2-sha256$<iterations>$<base64 salt>$<base64 derived key>
 *
 * so the iteration count can grow later without invalidating stored
 * hashes (a hash with fewer iterations than PASSWORD_ITERATIONS still
 * verifies; password_needs_rehash() says when to store a fresh one).
 * Pure apart from the random salt; no I/O.
 */
#ifndef RETIVO_PASSWORD_H
#define RETIVO_PASSWORD_H

#include <stddef.h>

#define PASSWORD_ITERATIONS	100000	/* OWASP floor for PBKDF2-HMAC-SHA256 is higher;
					 * 100k keeps a sign-in near 50 ms on one core */
#define PASSWORD_MIN_ITERATIONS	1000	/* anything below is refused as corrupt */
#define PASSWORD_SALT_LEN	16
#define PASSWORD_DK_LEN		32
#define PASSWORD_MIN_LEN	12
#define PASSWORD_MAX_LEN	1024	/* bounds the work an attacker can ask for */
#define PASSWORD_HASH_MAX	128	/* buffer size for an encoded hash */

/*
 * PBKDF2-HMAC-SHA256 of pw with salt and iterations into out[outlen].
 * Returns 0, or -1 when OpenSSL fails.
 */
int password_pbkdf2(const char *pw, size_t pwlen, const unsigned char *salt, size_t saltlen,
    unsigned iterations, unsigned char *out, size_t outlen);

/*
 * Hashes pw with a fresh random salt and the given iterations into
 * out[PASSWORD_HASH_MAX]. Returns 0, or -1 (out is then "").
 */
int password_hash(const char *pw, unsigned iterations, char out[PASSWORD_HASH_MAX]);

/*
 * Checks pw against an encoded hash in time independent of where they
 * differ. Returns 1 on a match, 0 on a mismatch, -1 when the stored hash
 * is malformed (which the caller logs; the user sees a mismatch).
 */
int password_verify(const char *pw, const char *encoded);

/* 1 when the encoded hash uses fewer than PASSWORD_ITERATIONS. */
int password_needs_rehash(const char *encoded);

/*
 * The password policy: NULL when pw is acceptable, else a message for the
 * user (at least PASSWORD_MIN_LEN characters, at most PASSWORD_MAX_LEN
 * bytes). Characters are counted as UTF-8 code points.
 */
const char *password_policy(const char *pw);

#endif
