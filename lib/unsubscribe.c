/*
 * unsubscribe.c — making and checking the signed unsubscribe token.
 *
 *   token       = "v1." payload_b64 "." mac_b64
 *   payload_b64 = base64url-no-padding(tenant_id "\n" user_id)
 *   mac_b64     = base64url-no-padding(HMAC-SHA256(tenant_key, "v1." payload_b64))
 *   tenant_key  = HMAC-SHA256(master_key, "retivo-unsubscribe-v1:" tenant_id)
 *
 * The MAC covers the exact text of the payload as sent, so no re-encoding
 * can slip through, and base64url decoding is strict (no padding, no
 * standard-alphabet characters, zero unused bits): one byte string has one
 * token. A per-tenant key means a token can only ever be checked against
 * the tenant it names, and rotating the master key invalidates every link.
 */
#include "config.h"

#include <string.h>

#include "crypto.h"
#include "ids.h"
#include "unsubscribe.h"

#define UNSUB_VERSION		"v1."
#define UNSUB_VERSION_LEN	3
#define UNSUB_KEY_LABEL		"retivo-unsubscribe-v1:"
#define UNSUB_MAC_B64_LEN	43	/* 32 bytes, base64url without padding */

/* The largest payload a token of UNSUBSCRIBE_TOKEN_MAX can carry. */
#define UNSUB_PAYLOAD_MAX	(UNSUBSCRIBE_TOKEN_MAX / 4 * 3)

/*
 * Encodes in[0..len) as base64url without padding into out (outlen
 * chars, NUL-terminated). Returns the length written, or 0 when out is
 * too small (or len is 0).
 */
static size_t
unsub_b64url_encode(const unsigned char *in, size_t len, char *out, size_t outlen)
{
	size_t n, i;

	if ((n = crypto_base64_encode(in, len, out, outlen)) == 0)
		return 0;
	while (n > 0 && out[n - 1] == '=')
		out[--n] = '\0';
	for (i = 0; i < n; i++) {
		if (out[i] == '+')
			out[i] = '-';
		else if (out[i] == '/')
			out[i] = '_';
	}
	return n;
}

/*
 * Decodes len chars of unpadded base64url at in into out (outlen bytes).
 * Returns the number of bytes, or -1 for any character outside the
 * URL-safe alphabet (so "+", "/" and "=" are refused too), a bad length,
 * non-zero unused bits or a short out.
 */
static ssize_t
unsub_b64url_decode(const char *in, size_t len, unsigned char *out, size_t outlen)
{
	char std[UNSUBSCRIBE_TOKEN_MAX];
	size_t i;
	char c;

	if (len == 0 || len > sizeof(std))
		return -1;
	for (i = 0; i < len; i++) {
		c = in[i];
		if (c == '-')
			c = '+';
		else if (c == '_')
			c = '/';
		else if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9')))
			return -1;
		std[i] = c;
	}
	return crypto_base64_decode(std, len, out, outlen);
}

/*
 * Writes the MAC of signed[0..len) under the key of tenant_id into mac.
 * Returns 0 or -1 (a libcrypto failure).
 */
static int
unsub_mac(const unsigned char master_key[32], const char *tenant_id, const char *signed_text,
    size_t len, unsigned char mac[32])
{
	char label[sizeof(UNSUB_KEY_LABEL) + ID_UUID_LEN];
	unsigned char tenant_key[32];
	int rc;

	memcpy(label, UNSUB_KEY_LABEL, sizeof(UNSUB_KEY_LABEL) - 1);
	memcpy(label + sizeof(UNSUB_KEY_LABEL) - 1, tenant_id, ID_UUID_LEN);
	rc = crypto_hmac_sha256(master_key, 32, label, sizeof(label) - 1, tenant_key);
	if (rc == 0)
		rc = crypto_hmac_sha256(tenant_key, sizeof(tenant_key), signed_text, len, mac);
	memset(tenant_key, 0, sizeof(tenant_key));
	return rc;
}

/*
 * Returns 0 and writes the token, or -1 when out is too small for it, when
 * tenant_id is not a UUID, or when user_id is empty or so long that the
 * token would pass UNSUBSCRIBE_TOKEN_MAX (a longer token would be refused
 * by unsubscribe_token_verify()). Pure.
 */
int
unsubscribe_token_make(const unsigned char master_key[32], const char *tenant_id,
    const char *user_id, char *out, size_t outlen)
{
	unsigned char payload[UNSUB_PAYLOAD_MAX], mac[32];
	char buf[UNSUBSCRIBE_TOKEN_MAX + 4];
	size_t ulen, plen, n, m;
	int rc = -1;

	if (outlen > 0)
		out[0] = '\0';
	if (!id_is_uuid(tenant_id) || user_id == NULL || (ulen = strlen(user_id)) == 0 ||
	    ID_UUID_LEN + 1 + ulen > sizeof(payload))
		goto out;
	memcpy(payload, tenant_id, ID_UUID_LEN);
	payload[ID_UUID_LEN] = '\n';
	memcpy(payload + ID_UUID_LEN + 1, user_id, ulen);
	plen = ID_UUID_LEN + 1 + ulen;

	memcpy(buf, UNSUB_VERSION, UNSUB_VERSION_LEN);
	n = unsub_b64url_encode(payload, plen, buf + UNSUB_VERSION_LEN,
	    sizeof(buf) - UNSUB_VERSION_LEN);
	if (n == 0)
		goto out;
	n += UNSUB_VERSION_LEN;
	if (unsub_mac(master_key, tenant_id, buf, n, mac) != 0 || n + 1 >= sizeof(buf))
		goto out;
	buf[n++] = '.';
	if ((m = unsub_b64url_encode(mac, sizeof(mac), buf + n, sizeof(buf) - n)) == 0)
		goto out;
	n += m;
	if (n > UNSUBSCRIBE_TOKEN_MAX || n + 1 > outlen)
		goto out;
	memcpy(out, buf, n + 1);
	rc = 0;
out:
	return rc;
}

/*
 * Returns 0 with the tenant id (a UUID; tenantlen >= 37) and the user id
 * (1 or more bytes, no NUL) copied out, or -1 for a token that is empty,
 * longer than UNSUBSCRIBE_TOKEN_MAX, not of version 1, missing a part,
 * badly encoded, signed by another key or naming another tenant than the
 * one its MAC was made for — and also when an output buffer is too small.
 * The MAC is compared in constant time. Pure.
 */
int
unsubscribe_token_verify(const unsigned char master_key[32], const char *token,
    char *tenant_id, size_t tenantlen, char *user_id, size_t userlen)
{
	unsigned char payload[UNSUB_PAYLOAD_MAX], mac[32], want[32];
	const char *p64, *dot;
	char tenant[ID_UUID_LEN + 1];
	size_t len, p64len, ulen;
	ssize_t plen;
	int rc = -1;

	if (tenantlen > 0)
		tenant_id[0] = '\0';
	if (userlen > 0)
		user_id[0] = '\0';
	if (token == NULL || (len = strnlen(token, UNSUBSCRIBE_TOKEN_MAX + 1)) == 0 ||
	    len > UNSUBSCRIBE_TOKEN_MAX || strncmp(token, UNSUB_VERSION, UNSUB_VERSION_LEN) != 0)
		goto out;
	p64 = token + UNSUB_VERSION_LEN;
	if ((dot = strchr(p64, '.')) == NULL || strlen(dot + 1) != UNSUB_MAC_B64_LEN)
		goto out;
	p64len = (size_t)(dot - p64);
	if (unsub_b64url_decode(dot + 1, UNSUB_MAC_B64_LEN, mac, sizeof(mac)) != sizeof(mac))
		goto out;
	if ((plen = unsub_b64url_decode(p64, p64len, payload, sizeof(payload))) < 0 ||
	    (size_t)plen < ID_UUID_LEN + 2 || payload[ID_UUID_LEN] != '\n')
		goto out;
	memcpy(tenant, payload, ID_UUID_LEN);
	tenant[ID_UUID_LEN] = '\0';
	if (!id_is_uuid(tenant))
		goto out;
	/* The MAC is over the payload's text as it arrived. */
	if (unsub_mac(master_key, tenant, token, (size_t)(dot - token), want) != 0 ||
	    !crypto_equal(mac, want, sizeof(mac)))
		goto out;
	ulen = (size_t)plen - ID_UUID_LEN - 1;
	if (memchr(payload + ID_UUID_LEN + 1, '\0', ulen) != NULL || tenantlen < sizeof(tenant) ||
	    userlen < ulen + 1)
		goto out;
	memcpy(tenant_id, tenant, sizeof(tenant));
	memcpy(user_id, payload + ID_UUID_LEN + 1, ulen);
	user_id[ulen] = '\0';
	rc = 0;
out:
	return rc;
}
