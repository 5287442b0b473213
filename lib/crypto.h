/*
 * crypto.h — the small set of cryptographic primitives the API needs:
 * random bytes and tokens, SHA-256 and HMAC-SHA256 digests, base64 and hex
 * codecs, constant-time comparison, and sealing of secrets at rest with
 * AES-256-GCM under a master key.  Everything is a thin, checked wrapper
 * over OpenSSL 3.0 libcrypto so that callers never touch the EVP API
 * directly and cannot forget a return check or a tag verification.
 */
#ifndef RETIVO_CRYPTO_H
#define RETIVO_CRYPTO_H

#include <stddef.h>
#include <sys/types.h>

/* Sizes of the fixed-length outputs, for callers sizing buffers. */
#define CRYPTO_SHA256_LEN 32
#define CRYPTO_SHA256_HEX_LEN 64
#define CRYPTO_KEY_LEN 32

/* Base64 text length (without NUL) for n input bytes, padding included. */
#define CRYPTO_BASE64_LEN(n) ((((n) + 2) / 3) * 4)

/*
 * Fills buf with n bytes from the OpenSSL CSPRNG.
 * Returns 0 on success, -1 if the generator failed (buf is then undefined).
 */
int
crypto_random(unsigned char *buf, size_t n);

/*
 * Writes 2*nbytes lowercase hex characters of fresh randomness plus a NUL
 * into out, which the caller provides and must hold 2*nbytes+1 chars.
 * Returns 0 on success, -1 on generator failure (out is then "").
 */
int
crypto_random_hex(char *out, size_t nbytes);

/*
 * Writes nchars uniformly distributed characters from [0-9A-Za-z] plus a
 * NUL into out, which must hold nchars+1 chars.  Uniform because bytes that
 * would bias the modulo are rejected and redrawn.
 * Returns 0 on success, -1 on generator failure (out is then "").
 */
int
crypto_random_base62(char *out, size_t nchars);

/*
 * Writes the SHA-256 of data[0..len) as 64 lowercase hex chars plus NUL
 * into out.  On the (practically impossible) failure of the digest, out is
 * set to "" so that it can never compare equal to a real digest.
 */
void
crypto_sha256_hex(const void *data, size_t len, char out[65]);

/*
 * Computes HMAC-SHA256(key, data) into out (32 raw bytes).  key may be
 * NULL when keylen is 0.  Returns 0 on success, -1 on failure.
 */
int
crypto_hmac_sha256(const void *key, size_t keylen, const void *data,
    size_t len, unsigned char out[32]);

/*
 * As crypto_hmac_sha256, but writes 64 lowercase hex chars plus NUL.
 * Returns 0 on success, -1 on failure (out is then "").
 */
int
crypto_hmac_sha256_hex(const void *key, size_t keylen, const void *data,
    size_t len, char out[65]);

/*
 * Encodes in[0..len) as standard base64 (RFC 4648 alphabet, '=' padding)
 * into the caller's out buffer of outlen chars, NUL-terminated.
 * Returns the number of chars written excluding the NUL, or 0 if out cannot
 * hold CRYPTO_BASE64_LEN(len)+1 chars (out is then "" when outlen > 0).
 * Note an empty input also returns 0 and writes "".
 */
size_t
crypto_base64_encode(const unsigned char *in, size_t len, char *out,
    size_t outlen);

/*
 * Decodes in[0..len) as strict standard base64 into the caller's out
 * buffer of outlen bytes.  Padding is optional, but if present it must be
 * complete; whitespace, URL-safe characters, misplaced '=' and non-zero
 * unused bits are all rejected so each byte string has one encoding.
 * Returns the number of bytes written, or -1 on bad input or when out is
 * too small.
 */
ssize_t
crypto_base64_decode(const char *in, size_t len, unsigned char *out,
    size_t outlen);

/*
 * Writes the 2*len lowercase hex chars of in plus a NUL into out, which
 * must hold 2*len+1 chars.
 */
void
crypto_hex_encode(const unsigned char *in, size_t len, char *out);

/*
 * Decodes in[0..len) hex chars (either case) into the caller's out buffer
 * of outlen bytes.  Returns the number of bytes written (len/2), or -1 if
 * len is odd, a char is not hex, or out is too small.
 */
ssize_t
crypto_hex_decode(const char *in, size_t len, unsigned char *out,
    size_t outlen);

/*
 * Compares a and b over n bytes in time independent of their contents.
 * Returns 1 if equal, 0 otherwise.
 */
int
crypto_equal(const void *a, const void *b, size_t n);

/*
 * Encrypts plaintext[0..len) with AES-256-GCM under key and a fresh random
 * 96-bit nonce.  Returns a malloc'd NUL-terminated token
 * "v1:" base64(nonce || ciphertext || tag) that the caller frees, or NULL
 * on failure.
 */
char *
crypto_seal(const unsigned char key[32], const char *plaintext, size_t len);

/*
 * A new signing secret for a webhook: 64 random hex characters (and a
 * NUL) into secret, and that secret sealed under key (crypto_seal) into
 * *sealed, which the caller frees. Returns 0, or -1 with *sealed NULL.
 */
int
crypto_sealed_secret(const unsigned char key[32], char secret[65], char **sealed);

/*
 * Reverses crypto_seal.  Returns a malloc'd buffer holding the plaintext
 * followed by a NUL (the plaintext itself may contain NULs; its length is
 * stored in *outlen when outlen is not NULL).  The caller frees it, ideally
 * after clearing it.  Returns NULL when the token is malformed, truncated,
 * of an unknown version, or fails authentication (tampered or wrong key).
 */
char *
crypto_open(const unsigned char key[32], const char *token, size_t *outlen);

/*
 * Parses exactly 64 hex chars (either case, nothing else) into a 32-byte
 * key.  Returns 0 on success, -1 otherwise (key is then zeroed).
 */
int
crypto_master_key_parse(const char *hex, unsigned char key[32]);

#endif
