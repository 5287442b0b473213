/*
 * crypto.c — checked wrappers over OpenSSL 3.0 libcrypto for randomness,
 * digests, codecs, constant-time comparison and AES-256-GCM sealing of
 * secrets at rest.  The codecs are written by hand rather than with
 * EVP_EncodeBlock/EVP_DecodeBlock because those accept whitespace, report
 * padded lengths and do not reject non-canonical input, and the API wants
 * one strict encoding per byte string.  No state is kept here beyond what
 * OpenSSL keeps itself.
 */
#include "crypto.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#define SEAL_PREFIX "v1:"
#define SEAL_PREFIX_LEN 3
#define SEAL_NONCE_LEN 12
#define SEAL_TAG_LEN 16

static const char hex_digits[] = "0123456789abcdef";

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static const char b62_alphabet[] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/* Value of a hex digit, or -1. */
static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Value of a standard base64 character, or -1 (including for '='). */
static int
b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int
crypto_random(unsigned char *buf, size_t n)
{
	int rc = -1;

	/* RAND_bytes takes an int, so very large requests go in pieces. */
	while (n > 0) {
		int chunk = n > INT_MAX ? INT_MAX : (int)n;

		if (RAND_bytes(buf, chunk) != 1)
			goto out;
		buf += chunk;
		n -= (size_t)chunk;
	}
	rc = 0;
out:
	return rc;
}

void
crypto_hex_encode(const unsigned char *in, size_t len, char *out)
{
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = hex_digits[in[i] >> 4];
		out[2 * i + 1] = hex_digits[in[i] & 0x0f];
	}
	out[2 * len] = '\0';
}

int
crypto_random_hex(char *out, size_t nbytes)
{
	int rc = -1;
	unsigned char buf[32];
	size_t done = 0;

	/* A fixed stack buffer avoids a malloc for what is nearly always small. */
	while (done < nbytes) {
		size_t chunk = nbytes - done;

		if (chunk > sizeof(buf))
			chunk = sizeof(buf);
		if (crypto_random(buf, chunk) != 0)
			goto out;
		crypto_hex_encode(buf, chunk, out + 2 * done);
		done += chunk;
	}
	out[2 * nbytes] = '\0';
	rc = 0;
out:
	if (rc != 0)
		out[0] = '\0';
	OPENSSL_cleanse(buf, sizeof(buf));
	return rc;
}

int
crypto_random_base62(char *out, size_t nchars)
{
	int rc = -1;
	unsigned char buf[64];
	size_t have = 0, used = 0, done = 0;

	/*
	 * 248 is the largest multiple of 62 that fits in a byte; bytes at or
	 * above it are discarded so every character is equally likely.
	 */
	while (done < nchars) {
		if (used == have) {
			if (crypto_random(buf, sizeof(buf)) != 0)
				goto out;
			have = sizeof(buf);
			used = 0;
		}
		if (buf[used] < 248)
			out[done++] = b62_alphabet[buf[used] % 62];
		used++;
	}
	out[nchars] = '\0';
	rc = 0;
out:
	if (rc != 0)
		out[0] = '\0';
	OPENSSL_cleanse(buf, sizeof(buf));
	return rc;
}

void
crypto_sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	/* EVP_Digest may dereference data even when len is 0. */
	if (data == NULL)
		data = "";
	if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != CRYPTO_SHA256_LEN) {
		out[0] = '\0';
		return;
	}
	crypto_hex_encode(md, mdlen, out);
}

int
crypto_hmac_sha256(const void *key, size_t keylen, const void *data,
    size_t len, unsigned char out[32])
{
	int rc = -1;
	unsigned int mdlen = 0;

	if (keylen > INT_MAX)
		goto out;
	/* OpenSSL 3.0's HMAC() rejects a NULL key even when keylen is 0. */
	if (key == NULL || keylen == 0)
		key = "";
	if (data == NULL)
		data = "";
	if (HMAC(EVP_sha256(), key, (int)keylen, data, len, out, &mdlen) ==
	    NULL)
		goto out;
	if (mdlen != CRYPTO_SHA256_LEN)
		goto out;
	rc = 0;
out:
	return rc;
}

int
crypto_hmac_sha256_hex(const void *key, size_t keylen, const void *data,
    size_t len, char out[65])
{
	int rc = -1;
	unsigned char mac[CRYPTO_SHA256_LEN];

	if (crypto_hmac_sha256(key, keylen, data, len, mac) != 0) {
		out[0] = '\0';
		goto out;
	}
	crypto_hex_encode(mac, sizeof(mac), out);
	rc = 0;
out:
	OPENSSL_cleanse(mac, sizeof(mac));
	return rc;
}

size_t
crypto_base64_encode(const unsigned char *in, size_t len, char *out,
    size_t outlen)
{
	size_t rc = 0;
	size_t i, o = 0;

	/* Guard the size arithmetic before trusting CRYPTO_BASE64_LEN. */
	if (len > (SIZE_MAX - 1) / 4 * 3 - 2)
		goto out;
	if (outlen < CRYPTO_BASE64_LEN(len) + 1)
		goto out;
	for (i = 0; i + 3 <= len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 |
		    in[i + 2];

		out[o++] = b64_alphabet[(v >> 18) & 0x3f];
		out[o++] = b64_alphabet[(v >> 12) & 0x3f];
		out[o++] = b64_alphabet[(v >> 6) & 0x3f];
		out[o++] = b64_alphabet[v & 0x3f];
	}
	if (len - i == 1) {
		uint32_t v = (uint32_t)in[i] << 16;

		out[o++] = b64_alphabet[(v >> 18) & 0x3f];
		out[o++] = b64_alphabet[(v >> 12) & 0x3f];
		out[o++] = '=';
		out[o++] = '=';
	} else if (len - i == 2) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;

		out[o++] = b64_alphabet[(v >> 18) & 0x3f];
		out[o++] = b64_alphabet[(v >> 12) & 0x3f];
		out[o++] = b64_alphabet[(v >> 6) & 0x3f];
		out[o++] = '=';
	}
	out[o] = '\0';
	rc = o;
out:
	if (rc == 0 && outlen > 0)
		out[0] = '\0';
	return rc;
}

ssize_t
crypto_base64_decode(const char *in, size_t len, unsigned char *out,
    size_t outlen)
{
	ssize_t rc = -1;
	size_t pad = 0, n, tail, need, i, o = 0;

	while (pad < 2 && pad < len && in[len - 1 - pad] == '=')
		pad++;
	n = len - pad;
	tail = n % 4;
	/*
	 * A lone trailing sextet cannot encode a byte, and padding is only
	 * legal when it completes the final quantum exactly.
	 */
	if (tail == 1)
		goto out;
	if (pad > 0 && (len % 4 != 0 || tail + pad != 4))
		goto out;
	need = n / 4 * 3 + (tail == 0 ? 0 : tail - 1);
	if (need > outlen || need > SSIZE_MAX)
		goto out;
	for (i = 0; i + 4 <= n; i += 4) {
		int a = b64_value(in[i]), b = b64_value(in[i + 1]);
		int c = b64_value(in[i + 2]), d = b64_value(in[i + 3]);
		uint32_t v;

		if (a < 0 || b < 0 || c < 0 || d < 0)
			goto out;
		v = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)c << 6 |
		    (uint32_t)d;
		out[o++] = (unsigned char)(v >> 16);
		out[o++] = (unsigned char)(v >> 8);
		out[o++] = (unsigned char)v;
	}
	if (tail == 2) {
		int a = b64_value(in[i]), b = b64_value(in[i + 1]);

		/* Unused low bits must be zero, else two texts decode alike. */
		if (a < 0 || b < 0 || (b & 0x0f) != 0)
			goto out;
		out[o++] = (unsigned char)(a << 2 | b >> 4);
	} else if (tail == 3) {
		int a = b64_value(in[i]), b = b64_value(in[i + 1]);
		int c = b64_value(in[i + 2]);

		if (a < 0 || b < 0 || c < 0 || (c & 0x03) != 0)
			goto out;
		out[o++] = (unsigned char)(a << 2 | b >> 4);
		out[o++] = (unsigned char)((b & 0x0f) << 4 | c >> 2);
	}
	rc = (ssize_t)o;
out:
	return rc;
}

ssize_t
crypto_hex_decode(const char *in, size_t len, unsigned char *out,
    size_t outlen)
{
	ssize_t rc = -1;
	size_t i;

	if (len % 2 != 0 || len / 2 > outlen || len / 2 > SSIZE_MAX)
		goto out;
	for (i = 0; i < len; i += 2) {
		int hi = hex_value(in[i]), lo = hex_value(in[i + 1]);

		if (hi < 0 || lo < 0)
			goto out;
		out[i / 2] = (unsigned char)(hi << 4 | lo);
	}
	rc = (ssize_t)(len / 2);
out:
	return rc;
}

int
crypto_equal(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0;
}

char *
crypto_seal(const unsigned char key[32], const char *plaintext, size_t len)
{
	char *rc = NULL;
	EVP_CIPHER_CTX *ctx = NULL;
	unsigned char *raw = NULL;
	char *token = NULL;
	size_t rawlen, toklen;
	int outl = 0, finl = 0;

	/* EVP_EncryptUpdate takes an int length; secrets are tiny anyway. */
	if (len > INT_MAX - SEAL_NONCE_LEN - SEAL_TAG_LEN)
		goto out;
	rawlen = SEAL_NONCE_LEN + len + SEAL_TAG_LEN;
	toklen = SEAL_PREFIX_LEN + CRYPTO_BASE64_LEN(rawlen) + 1;
	raw = malloc(rawlen);
	token = malloc(toklen);
	if (raw == NULL || token == NULL)
		goto out;

	/*
	 * A fresh random 96-bit nonce per seal: GCM breaks catastrophically on
	 * nonce reuse under one key, and 2^32 seals is far beyond our volume.
	 */
	if (crypto_random(raw, SEAL_NONCE_LEN) != 0)
		goto out;
	ctx = EVP_CIPHER_CTX_new();
	if (ctx == NULL)
		goto out;
	if (EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1)
		goto out;
	if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, SEAL_NONCE_LEN,
	    NULL) != 1)
		goto out;
	if (EVP_EncryptInit_ex(ctx, NULL, NULL, key, raw) != 1)
		goto out;
	if (len > 0 && EVP_EncryptUpdate(ctx, raw + SEAL_NONCE_LEN, &outl,
	    (const unsigned char *)plaintext, (int)len) != 1)
		goto out;
	if (EVP_EncryptFinal_ex(ctx, raw + SEAL_NONCE_LEN + outl, &finl) != 1)
		goto out;
	if ((size_t)outl + (size_t)finl != len)
		goto out;
	if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, SEAL_TAG_LEN,
	    raw + SEAL_NONCE_LEN + len) != 1)
		goto out;

	memcpy(token, SEAL_PREFIX, SEAL_PREFIX_LEN);
	if (crypto_base64_encode(raw, rawlen, token + SEAL_PREFIX_LEN,
	    toklen - SEAL_PREFIX_LEN) == 0)
		goto out;
	rc = token;
	token = NULL;
out:
	EVP_CIPHER_CTX_free(ctx);
	free(raw);
	free(token);
	return rc;
}

int
crypto_sealed_secret(const unsigned char key[32], char secret[65], char **sealed)
{
	*sealed = NULL;
	if (crypto_random_hex(secret, 32) != 0 ||
	    (*sealed = crypto_seal(key, secret, strlen(secret))) == NULL)
		return -1;
	return 0;
}

char *
crypto_open(const unsigned char key[32], const char *token, size_t *outlen)
{
	char *rc = NULL;
	EVP_CIPHER_CTX *ctx = NULL;
	unsigned char *raw = NULL;
	char *pt = NULL;
	unsigned char tag[SEAL_TAG_LEN];
	size_t b64len, rawcap, ctlen = 0;
	ssize_t rawlen;
	int outl = 0, finl = 0;

	if (outlen != NULL)
		*outlen = 0;
	if (token == NULL || strncmp(token, SEAL_PREFIX, SEAL_PREFIX_LEN) != 0)
		goto out;
	b64len = strlen(token + SEAL_PREFIX_LEN);
	rawcap = b64len / 4 * 3 + 3;
	raw = malloc(rawcap);
	if (raw == NULL)
		goto out;
	rawlen = crypto_base64_decode(token + SEAL_PREFIX_LEN, b64len, raw,
	    rawcap);
	if (rawlen < SEAL_NONCE_LEN + SEAL_TAG_LEN)
		goto out;
	ctlen = (size_t)rawlen - SEAL_NONCE_LEN - SEAL_TAG_LEN;
	if (ctlen > INT_MAX)
		goto out;
	/* The ctrl below wants a mutable pointer, so the tag gets its own copy. */
	memcpy(tag, raw + SEAL_NONCE_LEN + ctlen, SEAL_TAG_LEN);
	pt = malloc(ctlen + 1);
	if (pt == NULL)
		goto out;

	ctx = EVP_CIPHER_CTX_new();
	if (ctx == NULL)
		goto out;
	if (EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1)
		goto out;
	if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, SEAL_NONCE_LEN,
	    NULL) != 1)
		goto out;
	if (EVP_DecryptInit_ex(ctx, NULL, NULL, key, raw) != 1)
		goto out;
	if (ctlen > 0 && EVP_DecryptUpdate(ctx, (unsigned char *)pt, &outl,
	    raw + SEAL_NONCE_LEN, (int)ctlen) != 1)
		goto out;
	if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, SEAL_TAG_LEN,
	    tag) != 1)
		goto out;
	/* This is where the tag is checked: tampering or a wrong key fail here. */
	if (EVP_DecryptFinal_ex(ctx, (unsigned char *)pt + outl, &finl) != 1)
		goto out;
	if ((size_t)outl + (size_t)finl != ctlen)
		goto out;
	pt[ctlen] = '\0';
	if (outlen != NULL)
		*outlen = ctlen;
	rc = pt;
	pt = NULL;
out:
	EVP_CIPHER_CTX_free(ctx);
	/* Unauthenticated plaintext must not linger in freed memory. */
	if (pt != NULL) {
		OPENSSL_cleanse(pt, ctlen + 1);
		free(pt);
	}
	free(raw);
	return rc;
}

int
crypto_master_key_parse(const char *hex, unsigned char key[32])
{
	int rc = -1;

	if (hex == NULL || strlen(hex) != 2 * CRYPTO_KEY_LEN)
		goto out;
	if (crypto_hex_decode(hex, 2 * CRYPTO_KEY_LEN, key, CRYPTO_KEY_LEN) !=
	    CRYPTO_KEY_LEN)
		goto out;
	rc = 0;
out:
	if (rc != 0)
		OPENSSL_cleanse(key, CRYPTO_KEY_LEN);
	return rc;
}
