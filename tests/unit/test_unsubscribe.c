/*
 * test_unsubscribe.c — the signed unsubscribe token: round trips for many
 * kinds of user ids, an independent computation of the documented format,
 * and a table of forged, altered and malformed tokens that must all fail.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "tap.h"
#include "unsubscribe.h"

#define TENANT_A "3f2b8c1e-4d5a-4b6c-8d7e-9f0a1b2c3d4e"
#define TENANT_B "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d"

static unsigned char master[32], other_master[32];

/* A 255-byte user id, the longest the event API accepts. */
static char long_user[256];

static const struct {
	const char *desc, *user;
} round_trips[] = {
	{ "plain id", "u1" },
	{ "email", "a@b.com" },
	{ "spaces", "Jane Doe 42" },
	{ "accented", "José Müller" },
	{ "CJK", "日本語ユーザー" },
	{ "emoji", "party 🎉 user" },
	{ "one character", "x" },
	{ "URL-ish characters", "a/b?c=d&e#f+g%20" },
	{ "dots and dashes", "v1.abc.def-ghi_jkl" },
	{ "newline inside", "line\nbreak" },
	{ "255 bytes", long_user },
};

/* Encodes as base64url without padding (the test's own reading of the format). */
static void
b64url(const unsigned char *in, size_t len, char *out, size_t outlen)
{
	size_t n = crypto_base64_encode(in, len, out, outlen), i;

	while (n > 0 && out[n - 1] == '=')
		out[--n] = '\0';
	for (i = 0; i < n; i++)
		out[i] = out[i] == '+' ? '-' : out[i] == '/' ? '_' : out[i];
}

/*
 * Builds "v1." b64url(payload) "." b64url(mac) with the MAC made under the
 * key derived for key_tenant from key — i.e. what a holder of that key
 * could sign, whatever the payload says.
 */
static void
sign(const unsigned char key[32], const char *key_tenant, const void *payload, size_t plen,
    char *out, size_t outlen)
{
	unsigned char tkey[32], mac[32];
	char label[128], p64[2048], m64[64], text[2100];

	snprintf(label, sizeof(label), "retivo-unsubscribe-v1:%s", key_tenant);
	crypto_hmac_sha256(key, 32, label, strlen(label), tkey);
	b64url(payload, plen, p64, sizeof(p64));
	snprintf(text, sizeof(text), "v1.%s", p64);
	crypto_hmac_sha256(tkey, 32, text, strlen(text), mac);
	b64url(mac, sizeof(mac), m64, sizeof(m64));
	snprintf(out, outlen, "%s.%s", text, m64);
}

/* Replaces the character at i (negative: from the end) with a different one. */
static void
flip(char *s, long i)
{
	size_t at = i < 0 ? strlen(s) - (size_t)(-i) : (size_t)i;

	s[at] = s[at] == 'A' ? 'B' : 'A';
}

enum forgery {
	F_EMPTY, F_GARBAGE, F_VERSION_ONLY, F_DOTS_ONLY, F_V2, F_NO_MAC, F_EMPTY_MAC, F_EXTRA_PART,
	F_TRUNC_1, F_TRUNC_10, F_TRUNC_HALF, F_PAYLOAD_ALTERED, F_PAYLOAD_FIRST_CHAR, F_MAC_ALTERED,
	F_MAC_FIRST_CHAR, F_SWAP_TENANT, F_SWAP_USER, F_WRONG_MASTER, F_OVERLONG, F_STD_ALPHABET,
	F_PADDED_MAC, F_PADDED_PAYLOAD, F_SPACE, F_UPPER_VERSION, F_NOT_UUID_SIGNED,
	F_UPPER_UUID_SIGNED, F_EMPTY_USER_SIGNED, F_NUL_USER_SIGNED, F_NO_NEWLINE_SIGNED,
	F_OTHER_TENANT_KEY
};

static const struct {
	enum forgery f;
	const char *desc;
} forgeries[] = {
	{ F_EMPTY, "empty token" },
	{ F_GARBAGE, "garbage" },
	{ F_VERSION_ONLY, "\"v1.\" alone" },
	{ F_DOTS_ONLY, "\"v1..\"" },
	{ F_V2, "unknown version v2" },
	{ F_NO_MAC, "no MAC part" },
	{ F_EMPTY_MAC, "empty MAC part" },
	{ F_EXTRA_PART, "an extra dotted part" },
	{ F_TRUNC_1, "truncated by one character" },
	{ F_TRUNC_10, "truncated by ten characters" },
	{ F_TRUNC_HALF, "truncated to half" },
	{ F_PAYLOAD_ALTERED, "payload altered (last character)" },
	{ F_PAYLOAD_FIRST_CHAR, "payload altered (first character)" },
	{ F_MAC_ALTERED, "MAC altered (last character)" },
	{ F_MAC_FIRST_CHAR, "MAC altered (first character)" },
	{ F_SWAP_TENANT, "tenant B's payload with tenant A's MAC" },
	{ F_SWAP_USER, "another user's payload with this user's MAC" },
	{ F_WRONG_MASTER, "made under another master key" },
	{ F_OVERLONG, "longer than UNSUBSCRIBE_TOKEN_MAX" },
	{ F_STD_ALPHABET, "standard base64 '+' in place of '-'" },
	{ F_PADDED_MAC, "'=' padding on the MAC" },
	{ F_PADDED_PAYLOAD, "'=' padding on the payload" },
	{ F_SPACE, "a trailing space" },
	{ F_UPPER_VERSION, "\"V1.\"" },
	{ F_NOT_UUID_SIGNED, "correctly signed, tenant not a UUID" },
	{ F_UPPER_UUID_SIGNED, "correctly signed, tenant UUID in uppercase" },
	{ F_EMPTY_USER_SIGNED, "correctly signed, empty user id" },
	{ F_NUL_USER_SIGNED, "correctly signed, user id containing NUL" },
	{ F_NO_NEWLINE_SIGNED, "correctly signed, no newline separator" },
	{ F_OTHER_TENANT_KEY, "tenant A's payload signed with tenant B's key" },
};

/* Writes the forged token for f into out. */
static void
forge(enum forgery f, const char *good, const char *good_b, const char *good_u2, char *out,
    size_t outlen)
{
	char tmp[4096];
	const char *dot;
	size_t n;

	snprintf(out, outlen, "%s", good);
	switch (f) {
	case F_EMPTY:
		out[0] = '\0';
		break;
	case F_GARBAGE:
		snprintf(out, outlen, "not a token at all");
		break;
	case F_VERSION_ONLY:
		snprintf(out, outlen, "v1.");
		break;
	case F_DOTS_ONLY:
		snprintf(out, outlen, "v1..");
		break;
	case F_V2:
		out[1] = '2';
		break;
	case F_NO_MAC:
		*strrchr(out, '.') = '\0';
		break;
	case F_EMPTY_MAC:
		strrchr(out, '.')[1] = '\0';
		break;
	case F_EXTRA_PART:
		snprintf(out, outlen, "%s.AAAA", good);
		break;
	case F_TRUNC_1:
		out[strlen(out) - 1] = '\0';
		break;
	case F_TRUNC_10:
		out[strlen(out) - 10] = '\0';
		break;
	case F_TRUNC_HALF:
		out[strlen(out) / 2] = '\0';
		break;
	case F_PAYLOAD_ALTERED:
		flip(out, (long)(strrchr(out, '.') - out) - 1);
		break;
	case F_PAYLOAD_FIRST_CHAR:
		flip(out, 3);
		break;
	case F_MAC_ALTERED:
		flip(out, -1);
		break;
	case F_MAC_FIRST_CHAR:
		flip(out, (long)(strrchr(out, '.') - out) + 1);
		break;
	case F_SWAP_TENANT:
	case F_SWAP_USER:
		/* the other token's "v1.payload" with this token's ".mac" */
		dot = strrchr(f == F_SWAP_TENANT ? good_b : good_u2, '.');
		n = (size_t)(dot - (f == F_SWAP_TENANT ? good_b : good_u2));
		snprintf(out, outlen, "%.*s%s", (int)n, f == F_SWAP_TENANT ? good_b : good_u2,
		    strrchr(good, '.'));
		break;
	case F_WRONG_MASTER:
		unsubscribe_token_make(other_master, TENANT_A, "u1", out, outlen);
		break;
	case F_OVERLONG:
		memset(tmp, 'A', 1100);
		tmp[1100] = '\0';
		snprintf(out, outlen, "v1.%s%s", tmp, strrchr(good, '.'));
		break;
	case F_STD_ALPHABET:
		/* Sign a payload whose encoding has a '-' or '_', then spell it standard. */
		sign(master, TENANT_A, TENANT_A "\n>>>???", strlen(TENANT_A "\n>>>???"), out, outlen);
		for (n = 3; out[n] != '.'; n++)
			if (out[n] == '-' || out[n] == '_')
				out[n] = out[n] == '-' ? '+' : '/';
		break;
	case F_PADDED_MAC:
		snprintf(out, outlen, "%s=", good);
		break;
	case F_PADDED_PAYLOAD:
		dot = strrchr(good, '.');
		snprintf(out, outlen, "%.*s=%s", (int)(dot - good), good, dot);
		break;
	case F_SPACE:
		snprintf(out, outlen, "%s ", good);
		break;
	case F_UPPER_VERSION:
		out[0] = 'V';
		break;
	case F_NOT_UUID_SIGNED:
		snprintf(tmp, sizeof(tmp), "%s\nu1", "not-a-uuid-but-thirty-six-chars-long");
		sign(master, "not-a-uuid-but-thirty-six-chars-long", tmp, strlen(tmp), out, outlen);
		break;
	case F_UPPER_UUID_SIGNED:
		snprintf(tmp, sizeof(tmp), "%s\nu1", "3F2B8C1E-4D5A-4B6C-8D7E-9F0A1B2C3D4E");
		sign(master, "3F2B8C1E-4D5A-4B6C-8D7E-9F0A1B2C3D4E", tmp, strlen(tmp), out, outlen);
		break;
	case F_EMPTY_USER_SIGNED:
		sign(master, TENANT_A, TENANT_A "\n", strlen(TENANT_A "\n"), out, outlen);
		break;
	case F_NUL_USER_SIGNED:
		memcpy(tmp, TENANT_A "\nu\0x", 36 + 4);
		sign(master, TENANT_A, tmp, 36 + 4, out, outlen);
		break;
	case F_NO_NEWLINE_SIGNED:
		sign(master, TENANT_A, TENANT_A " u1", strlen(TENANT_A " u1"), out, outlen);
		break;
	case F_OTHER_TENANT_KEY:
		sign(master, TENANT_B, TENANT_A "\nu1", strlen(TENANT_A "\nu1"), out, outlen);
		break;
	}
}

/* 1 when every character is URL-safe without escaping. */
static int
url_safe(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		    (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' || *s == '.'))
			return 0;
	return 1;
}

int
main(void)
{
	char tok[UNSUBSCRIBE_TOKEN_MAX + 1], tok_b[UNSUBSCRIBE_TOKEN_MAX + 1];
	char tok_u2[UNSUBSCRIBE_TOKEN_MAX + 1], expect[4096], forged[4096];
	char tenant[64], user[1024], huge[900];
	size_t i;
	int rc;

	for (i = 0; i < 32; i++) {
		master[i] = (unsigned char)(i * 7 + 1);
		other_master[i] = (unsigned char)(i * 7 + 2);
	}
	memset(long_user, 'z', 255);
	long_user[255] = '\0';

	for (i = 0; i < sizeof(round_trips) / sizeof(round_trips[0]); i++) {
		rc = unsubscribe_token_make(master, TENANT_A, round_trips[i].user, tok, sizeof(tok));
		ok(rc == 0 && url_safe(tok) && strncmp(tok, "v1.", 3) == 0,
		    "make, %s: URL-safe v1 token", round_trips[i].desc);
		rc = unsubscribe_token_verify(master, tok, tenant, sizeof(tenant), user, sizeof(user));
		ok(rc == 0 && strcmp(tenant, TENANT_A) == 0 && strcmp(user, round_trips[i].user) == 0,
		    "round trip, %s: tenant and user come back", round_trips[i].desc);
	}

	/* The documented format, computed independently. */
	unsubscribe_token_make(master, TENANT_A, "a@b.com", tok, sizeof(tok));
	sign(master, TENANT_A, TENANT_A "\na@b.com", strlen(TENANT_A "\na@b.com"), expect,
	    sizeof(expect));
	ok(strcmp(tok, expect) == 0, "format: v1.b64url(tenant\\nuser).b64url(HMAC(tenant key))");
	unsubscribe_token_make(master, TENANT_A, "a@b.com", tok_b, sizeof(tok_b));
	ok(strcmp(tok, tok_b) == 0, "make is deterministic");
	unsubscribe_token_make(master, TENANT_B, "a@b.com", tok_b, sizeof(tok_b));
	ok(strcmp(tok, tok_b) != 0, "the same user id in another tenant gets another token");

	/* Forgeries, each against a fresh valid token of tenant A, user u1. */
	unsubscribe_token_make(master, TENANT_A, "u1", tok, sizeof(tok));
	unsubscribe_token_make(master, TENANT_B, "u1", tok_b, sizeof(tok_b));
	unsubscribe_token_make(master, TENANT_A, "u2", tok_u2, sizeof(tok_u2));
	ok(unsubscribe_token_verify(master, tok, tenant, sizeof(tenant), user, sizeof(user)) == 0,
	    "the base token for the forgeries verifies");
	for (i = 0; i < sizeof(forgeries) / sizeof(forgeries[0]); i++) {
		forge(forgeries[i].f, tok, tok_b, tok_u2, forged, sizeof(forged));
		strcpy(tenant, "unchanged");
		strcpy(user, "unchanged");
		rc = unsubscribe_token_verify(master, forged, tenant, sizeof(tenant), user,
		    sizeof(user));
		ok(rc == -1 && tenant[0] == '\0' && user[0] == '\0', "reject: %s", forgeries[i].desc);
	}
	ok(unsubscribe_token_verify(master, NULL, tenant, sizeof(tenant), user, sizeof(user)) == -1,
	    "reject: NULL token");
	ok(unsubscribe_token_verify(other_master, tok, tenant, sizeof(tenant), user,
	    sizeof(user)) == -1, "reject: checked under another master key");

	/* Output buffers. */
	ok(unsubscribe_token_verify(master, tok, tenant, 36, user, sizeof(user)) == -1,
	    "verify: a tenant buffer without room for the NUL fails");
	ok(unsubscribe_token_verify(master, tok, tenant, sizeof(tenant), user, 2) == -1,
	    "verify: a user buffer without room for the NUL fails");
	ok(unsubscribe_token_verify(master, tok, tenant, sizeof(tenant), user, 3) == 0 &&
	    strcmp(user, "u1") == 0, "verify: a user buffer of exactly the size works");
	ok(unsubscribe_token_make(master, TENANT_A, "u1", forged, strlen(tok)) == -1 &&
	    forged[0] == '\0', "make: an out buffer one short fails");
	ok(unsubscribe_token_make(master, TENANT_A, "u1", forged, strlen(tok) + 1) == 0 &&
	    strcmp(forged, tok) == 0, "make: an out buffer of exactly the size works");

	/* Inputs make refuses. */
	ok(unsubscribe_token_make(master, "not-a-uuid", "u1", forged, sizeof(forged)) == -1,
	    "make: a tenant that is not a UUID fails");
	ok(unsubscribe_token_make(master, "3F2B8C1E-4D5A-4B6C-8D7E-9F0A1B2C3D4E", "u1", forged,
	    sizeof(forged)) == -1, "make: an uppercase UUID fails");
	ok(unsubscribe_token_make(master, TENANT_A, "", forged, sizeof(forged)) == -1,
	    "make: an empty user id fails");
	ok(unsubscribe_token_make(master, TENANT_A, NULL, forged, sizeof(forged)) == -1,
	    "make: a NULL user id fails");
	memset(huge, 'q', sizeof(huge) - 1);
	huge[sizeof(huge) - 1] = '\0';
	ok(unsubscribe_token_make(master, TENANT_A, huge, forged, sizeof(forged)) == -1,
	    "make: a user id too long for UNSUBSCRIBE_TOKEN_MAX fails");
	huge[690] = '\0';
	rc = unsubscribe_token_make(master, TENANT_A, huge, forged, sizeof(forged));
	ok(rc == 0 && strlen(forged) <= UNSUBSCRIBE_TOKEN_MAX &&
	    unsubscribe_token_verify(master, forged, tenant, sizeof(tenant), user, sizeof(user)) == 0
	    && strcmp(user, huge) == 0, "make: a 690-byte user id still fits and verifies");
	return tap_done();
}
