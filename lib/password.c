/*
 * password.c — PBKDF2-HMAC-SHA256 hashing and verification of member
 * passwords (see password.h for the stored format).
 *
 * PBKDF2 rather than scrypt: it is FIPS-approved, in every OpenSSL, and
 * its cost is a single number in the stored string. The derived keys are
 * compared with crypto_equal() so a timing probe learns nothing.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "crypto.h"
#include "log.h"
#include "password.h"

#define PASSWORD_SCHEME "pbkdf2-sha256"

int
password_pbkdf2(const char *pw, size_t pwlen, const unsigned char *salt, size_t saltlen,
    unsigned iterations, unsigned char *out, size_t outlen)
{
	if (pwlen > PASSWORD_MAX_LEN || iterations == 0)
		return -1;
	if (PKCS5_PBKDF2_HMAC(pw, (int)pwlen, salt, (int)saltlen, (int)iterations, EVP_sha256(),
	    (int)outlen, out) != 1) {
		log_err("password: PKCS5_PBKDF2_HMAC failed");
		return -1;
	}
	return 0;
}

int
password_hash(const char *pw, unsigned iterations, char out[PASSWORD_HASH_MAX])
{
	unsigned char salt[PASSWORD_SALT_LEN], dk[PASSWORD_DK_LEN];
	char salt64[CRYPTO_BASE64_LEN(PASSWORD_SALT_LEN) + 1], dk64[CRYPTO_BASE64_LEN(PASSWORD_DK_LEN) + 1];
	int rc = -1, n;

	out[0] = '\0';
	if (crypto_random(salt, sizeof(salt)) != 0 ||
	    password_pbkdf2(pw, strlen(pw), salt, sizeof(salt), iterations, dk, sizeof(dk)) != 0)
		goto out;
	crypto_base64_encode(salt, sizeof(salt), salt64, sizeof(salt64));
	crypto_base64_encode(dk, sizeof(dk), dk64, sizeof(dk64));
	n = snprintf(out, PASSWORD_HASH_MAX, PASSWORD_SCHEME "$%u$%s$%s", iterations, salt64, dk64);
	if (n < 0 || n >= PASSWORD_HASH_MAX) {
		out[0] = '\0';
		goto out;
	}
	rc = 0;
out:
	OPENSSL_cleanse(dk, sizeof(dk));
	return rc;
}

/*
 * Splits an encoded hash into its iterations, salt and derived key.
 * Returns 0, or -1 when it is not in the format password_hash() writes.
 */
static int
password_parse(const char *encoded, unsigned *iterations, unsigned char *salt, size_t *saltlen,
    unsigned char *dk, size_t *dklen)
{
	const char *p, *d1, *d2;
	char *end;
	unsigned long it;
	ssize_t n;

	if (encoded == NULL || strncmp(encoded, PASSWORD_SCHEME "$", sizeof(PASSWORD_SCHEME)) != 0)
		return -1;
	p = encoded + sizeof(PASSWORD_SCHEME);
	it = strtoul(p, &end, 10);
	if (end == p || *end != '$' || it < PASSWORD_MIN_ITERATIONS || it > 100000000UL)
		return -1;
	d1 = end + 1;
	if ((d2 = strchr(d1, '$')) == NULL)
		return -1;
	if ((n = crypto_base64_decode(d1, (size_t)(d2 - d1), salt, *saltlen)) < 8)
		return -1;
	*saltlen = (size_t)n;
	if ((n = crypto_base64_decode(d2 + 1, strlen(d2 + 1), dk, *dklen)) != PASSWORD_DK_LEN)
		return -1;
	*dklen = (size_t)n;
	*iterations = (unsigned)it;
	return 0;
}

int
password_verify(const char *pw, const char *encoded)
{
	unsigned char salt[64], dk[64], got[PASSWORD_DK_LEN];
	size_t saltlen = sizeof(salt), dklen = sizeof(dk);
	unsigned iterations;
	int rc;

	if (password_parse(encoded, &iterations, salt, &saltlen, dk, &dklen) != 0)
		return -1;
	if (pw == NULL || strlen(pw) > PASSWORD_MAX_LEN)
		return 0;
	if (password_pbkdf2(pw, strlen(pw), salt, saltlen, iterations, got, sizeof(got)) != 0)
		return -1;
	rc = crypto_equal(got, dk, PASSWORD_DK_LEN);
	OPENSSL_cleanse(got, sizeof(got));
	return rc;
}

int
password_needs_rehash(const char *encoded)
{
	unsigned char salt[64], dk[64];
	size_t saltlen = sizeof(salt), dklen = sizeof(dk);
	unsigned iterations;

	if (password_parse(encoded, &iterations, salt, &saltlen, dk, &dklen) != 0)
		return 1;
	return iterations < PASSWORD_ITERATIONS;
}

const char *
password_policy(const char *pw)
{
	size_t i, chars = 0;

	if (pw == NULL)
		return "password is required";
	if (strlen(pw) > PASSWORD_MAX_LEN)
		return "password must be at most 1024 bytes";
	/* Count code points, not bytes: continuation bytes are 10xxxxxx. */
	for (i = 0; pw[i] != '\0'; i++)
		if (((unsigned char)pw[i] & 0xC0) != 0x80)
			chars++;
	if (chars < PASSWORD_MIN_LEN)
		return "password must be at least 12 characters";
	return NULL;
}
