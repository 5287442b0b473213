/*
 * ids.c — prefixed random ids and version-4 UUIDs, drawn from the OpenSSL
 * CSPRNG through crypto.c, and strict validators for both.  Ids are
 * unguessable on purpose: they appear in URLs, so knowing one must not
 * help anyone guess another.
 */
#include "ids.h"

#include <string.h>

#include <openssl/crypto.h>

#include "crypto.h"

static int
is_base62(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
	    (c >= 'a' && c <= 'z');
}

static int
is_lower_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

int
id_new(const char *prefix, char *out, size_t outlen)
{
	int rc = -1;
	size_t plen;

	if (prefix == NULL || *prefix == '\0')
		goto out;
	plen = strlen(prefix);
	if (outlen < plen + 1 + ID_RANDOM_LEN + 1)
		goto out;
	memcpy(out, prefix, plen);
	out[plen] = '_';
	if (crypto_random_base62(out + plen + 1, ID_RANDOM_LEN) != 0)
		goto out;
	rc = 0;
out:
	if (rc != 0 && outlen > 0)
		out[0] = '\0';
	return rc;
}

int
id_uuid4(char out[37])
{
	static const char hex[] = "0123456789abcdef";
	int rc = -1;
	unsigned char b[16];
	size_t i, o = 0;

	if (crypto_random(b, sizeof(b)) != 0) {
		out[0] = '\0';
		goto out;
	}
	/* RFC 4122 4.4: version 4 in the high nibble of octet 6, variant 10xx. */
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	for (i = 0; i < sizeof(b); i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[b[i] >> 4];
		out[o++] = hex[b[i] & 0x0f];
	}
	out[o] = '\0';
	rc = 0;
out:
	OPENSSL_cleanse(b, sizeof(b));
	return rc;
}

int
id_is_uuid(const char *s)
{
	int rc = 0;
	size_t i;

	if (s == NULL)
		goto out;
	for (i = 0; i < ID_UUID_LEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				goto out;
		} else if (!is_lower_hex(s[i])) {
			/* Also stops at an early NUL, so no overread. */
			goto out;
		}
	}
	rc = s[ID_UUID_LEN] == '\0';
out:
	return rc;
}

int
id_has_prefix(const char *s, const char *prefix)
{
	int rc = 0;
	size_t plen, i;

	if (s == NULL || prefix == NULL || *prefix == '\0')
		goto out;
	plen = strlen(prefix);
	/* strncmp stops at a short s's NUL, so s[plen] is in bounds after. */
	if (strncmp(s, prefix, plen) != 0 || s[plen] != '_')
		goto out;
	s += plen + 1;
	for (i = 0; i < ID_RANDOM_LEN; i++)
		if (!is_base62(s[i]))
			goto out;
	rc = s[ID_RANDOM_LEN] == '\0';
out:
	return rc;
}
