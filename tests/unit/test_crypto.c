/*
 * test_crypto.c — unit tests for lib/crypto.c: digests and MACs against
 * published vectors (FIPS 180-2 examples, RFC 4231), the base64 and hex
 * codecs against RFC 4648 and malformed input, and the AES-256-GCM seal
 * against tampering, wrong keys and truncation.  Tables carry a
 * description per row so a failure names the case.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "tap.h"

struct sha_case {
	const char *desc;
	const char *input;
	const char *hex;
};

static const struct sha_case sha_cases[] = {
	{ "SHA-256 of empty string", "",
	  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
	{ "SHA-256 of \"abc\"", "abc",
	  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
	{ "SHA-256 of the 448-bit NIST message",
	  "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
};

struct hmac_case {
	const char *desc;
	const char *key_hex;
	const char *data_hex;
	const char *mac_hex;
};

/* RFC 4231 section 4; keys and data in hex so binary cases fit the table. */
static const struct hmac_case hmac_cases[] = {
	{ "RFC 4231 test case 1",
	  "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b",
	  "4869205468657265",
	  "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7" },
	{ "RFC 4231 test case 2 (short key)",
	  "4a656665",
	  "7768617420646f2079612077616e7420666f72206e6f7468696e673f",
	  "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" },
	{ "RFC 4231 test case 3 (0xdd data)",
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	  "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd"
	  "dddddddddddddddddddddddddddddddddddd",
	  "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe" },
	{ "RFC 4231 test case 4 (25-byte key)",
	  "0102030405060708090a0b0c0d0e0f10111213141516171819",
	  "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd"
	  "cdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcdcd",
	  "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b" },
	{ "RFC 4231 test case 6 (131-byte key, hashed first)",
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaa",
	  "54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a"
	  "65204b6579202d2048617368204b6579204669727374",
	  "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54" },
};

struct b64_case {
	const char *desc;
	const char *plain;
	const char *encoded;
};

static const struct b64_case b64_cases[] = {
	{ "RFC 4648 BASE64(\"\")", "", "" },
	{ "RFC 4648 BASE64(\"f\")", "f", "Zg==" },
	{ "RFC 4648 BASE64(\"fo\")", "fo", "Zm8=" },
	{ "RFC 4648 BASE64(\"foo\")", "foo", "Zm9v" },
	{ "RFC 4648 BASE64(\"foob\")", "foob", "Zm9vYg==" },
	{ "RFC 4648 BASE64(\"fooba\")", "fooba", "Zm9vYmE=" },
	{ "RFC 4648 BASE64(\"foobar\")", "foobar", "Zm9vYmFy" },
};

struct b64_unpadded_case {
	const char *desc;
	const char *encoded;
	const char *plain;
};

static const struct b64_unpadded_case b64_unpadded_cases[] = {
	{ "unpadded \"Zg\" decodes to \"f\"", "Zg", "f" },
	{ "unpadded \"Zm8\" decodes to \"fo\"", "Zm8", "fo" },
	{ "unpadded \"Zm9vYg\" decodes to \"foob\"", "Zm9vYg", "foob" },
	{ "unpadded \"Zm9vYmE\" decodes to \"fooba\"", "Zm9vYmE", "fooba" },
};

struct bad_case {
	const char *desc;
	const char *input;
};

static const struct bad_case b64_bad_cases[] = {
	{ "rejects a single leftover character", "Zm9vY" },
	{ "rejects a lone character", "Z" },
	{ "rejects incomplete padding", "Zg=" },
	{ "rejects excess padding", "Zg===" },
	{ "rejects padding on a full quantum", "Zm9v====" },
	{ "rejects padding in the middle", "Zg==Zm9v" },
	{ "rejects '=' inside a quantum", "Z=9v" },
	{ "rejects an embedded space", "Zm9 v" },
	{ "rejects a trailing newline", "Zm9v\n" },
	{ "rejects the URL-safe '-'", "Zm-v" },
	{ "rejects the URL-safe '_'", "Zm_v" },
	{ "rejects non-zero unused bits (Zh==)", "Zh==" },
	{ "rejects non-zero unused bits (Zm9=)", "Zm9=" },
	{ "rejects only padding", "==" },
	{ "rejects a non-ASCII byte", "Zm9\xc3" },
};

struct hex_case {
	const char *desc;
	const char *input;
	ssize_t want_len;
	const char *want;
};

static const struct hex_case hex_cases[] = {
	{ "hex decodes empty input", "", 0, "" },
	{ "hex decodes lowercase", "666f6f", 3, "foo" },
	{ "hex decodes uppercase", "666F6F", 3, "foo" },
	{ "hex decodes mixed case", "4A656665", 4, "Jefe" },
	{ "hex rejects odd length", "666", -1, NULL },
	{ "hex rejects a non-hex char", "66zz", -1, NULL },
	{ "hex rejects a space", "66 6f", -1, NULL },
	{ "hex rejects a 0x prefix", "0x66", -1, NULL },
};

static const unsigned char test_key[32] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
	0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
	0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
	0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
};

static void
test_sha256(void)
{
	size_t i;
	char out[65];

	for (i = 0; i < sizeof(sha_cases) / sizeof(sha_cases[0]); i++) {
		const struct sha_case *c = &sha_cases[i];

		crypto_sha256_hex(c->input, strlen(c->input), out);
		ok(strcmp(out, c->hex) == 0, "%s", c->desc);
	}
	crypto_sha256_hex(NULL, 0, out);
	ok(strcmp(out, sha_cases[0].hex) == 0, "SHA-256 of NULL/0 is the "
	    "empty-string digest");
}

static void
test_hmac(void)
{
	size_t i;

	for (i = 0; i < sizeof(hmac_cases) / sizeof(hmac_cases[0]); i++) {
		const struct hmac_case *c = &hmac_cases[i];
		unsigned char key[256], data[256], raw[32], want[32];
		ssize_t klen, dlen;
		char hex[65];

		klen = crypto_hex_decode(c->key_hex, strlen(c->key_hex), key,
		    sizeof(key));
		dlen = crypto_hex_decode(c->data_hex, strlen(c->data_hex),
		    data, sizeof(data));
		if (!ok(klen >= 0 && dlen >= 0, "%s: vector decodes", c->desc))
			continue;
		ok(crypto_hmac_sha256_hex(key, (size_t)klen, data,
		    (size_t)dlen, hex) == 0 && strcmp(hex, c->mac_hex) == 0,
		    "%s (hex)", c->desc);
		ok(crypto_hmac_sha256(key, (size_t)klen, data, (size_t)dlen,
		    raw) == 0 && crypto_hex_decode(c->mac_hex, 64, want,
		    sizeof(want)) == 32 && memcmp(raw, want, 32) == 0,
		    "%s (raw)", c->desc);
	}
	{
		char hex[65];

		/* Known value: HMAC-SHA256 with an empty key over "". */
		ok(crypto_hmac_sha256_hex(NULL, 0, "", 0, hex) == 0 &&
		    strcmp(hex, "b613679a0814d9ec772f95d778c35fc5ff1697c4"
		    "93715653c6c712144292c5ad") == 0,
		    "HMAC-SHA256 with empty key and data");
	}
}

static void
test_base64(void)
{
	size_t i;
	char enc[64];
	unsigned char dec[64];

	for (i = 0; i < sizeof(b64_cases) / sizeof(b64_cases[0]); i++) {
		const struct b64_case *c = &b64_cases[i];
		size_t plen = strlen(c->plain);
		size_t n;
		ssize_t d;

		n = crypto_base64_encode((const unsigned char *)c->plain, plen,
		    enc, sizeof(enc));
		ok(n == strlen(c->encoded) && strcmp(enc, c->encoded) == 0,
		    "%s encodes", c->desc);
		d = crypto_base64_decode(c->encoded, strlen(c->encoded), dec,
		    sizeof(dec));
		ok(d == (ssize_t)plen && memcmp(dec, c->plain, plen) == 0,
		    "%s decodes", c->desc);
	}
	for (i = 0; i < sizeof(b64_unpadded_cases) /
	    sizeof(b64_unpadded_cases[0]); i++) {
		const struct b64_unpadded_case *c = &b64_unpadded_cases[i];
		size_t plen = strlen(c->plain);
		ssize_t d;

		d = crypto_base64_decode(c->encoded, strlen(c->encoded), dec,
		    sizeof(dec));
		ok(d == (ssize_t)plen && memcmp(dec, c->plain, plen) == 0,
		    "%s", c->desc);
	}
	for (i = 0; i < sizeof(b64_bad_cases) / sizeof(b64_bad_cases[0]);
	    i++) {
		const struct bad_case *c = &b64_bad_cases[i];

		ok(crypto_base64_decode(c->input, strlen(c->input), dec,
		    sizeof(dec)) == -1, "base64 %s", c->desc);
	}

	/* Output buffer bounds. */
	ok(crypto_base64_encode((const unsigned char *)"foo", 3, enc, 4) == 0 &&
	    enc[0] == '\0', "base64 encode refuses a buffer without room for NUL");
	ok(crypto_base64_encode((const unsigned char *)"foo", 3, enc, 5) == 4,
	    "base64 encode fits exactly");
	ok(crypto_base64_decode("Zm9vYmFy", 8, dec, 5) == -1,
	    "base64 decode refuses a too-small buffer");

	/* Every byte value survives a round trip, at every tail length. */
	{
		unsigned char all[256], back[256];
		char text[CRYPTO_BASE64_LEN(256) + 1];
		int good = 1;
		size_t len;

		for (i = 0; i < 256; i++)
			all[i] = (unsigned char)(255 - i);
		for (len = 0; len <= 256; len++) {
			size_t n = crypto_base64_encode(all, len, text,
			    sizeof(text));
			ssize_t d = crypto_base64_decode(text, n, back,
			    sizeof(back));

			if (n != CRYPTO_BASE64_LEN(len) || d != (ssize_t)len ||
			    memcmp(all, back, len) != 0)
				good = 0;
		}
		ok(good, "base64 round trips all byte values for lengths 0..256");
	}
}

static void
test_hex(void)
{
	size_t i;
	unsigned char out[16];
	char enc[9];

	for (i = 0; i < sizeof(hex_cases) / sizeof(hex_cases[0]); i++) {
		const struct hex_case *c = &hex_cases[i];
		ssize_t n = crypto_hex_decode(c->input, strlen(c->input), out,
		    sizeof(out));

		ok(n == c->want_len && (c->want == NULL ||
		    memcmp(out, c->want, (size_t)n) == 0), "%s", c->desc);
	}
	ok(crypto_hex_decode("00112233", 8, out, 3) == -1,
	    "hex rejects a too-small buffer");
	crypto_hex_encode((const unsigned char *)"\x00\xab\xff\x10", 4, enc);
	ok(strcmp(enc, "00abff10") == 0, "hex encode is lowercase");
}

static void
test_master_key(void)
{
	unsigned char key[32];
	const char *good =
	    "000102030405060708090a0b0c0d0e0f101112131415161718191A1B1C1D1E1F";

	ok(crypto_master_key_parse(good, key) == 0 &&
	    memcmp(key, test_key, 32) == 0, "master key parses 64 hex chars");
	ok(crypto_master_key_parse("0001", key) == -1,
	    "master key rejects short input");
	ok(crypto_master_key_parse(
	    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f00",
	    key) == -1, "master key rejects long input");
	ok(crypto_master_key_parse(
	    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1g",
	    key) == -1, "master key rejects a non-hex char");
	ok(crypto_master_key_parse(NULL, key) == -1,
	    "master key rejects NULL");
}

static void
test_seal(void)
{
	const char *secret = "sk_live_correct horse battery staple";
	unsigned char wrong[32];
	char *t1 = NULL, *t2 = NULL, *p = NULL, *mut = NULL;
	size_t plen = 99, i;

	t1 = crypto_seal(test_key, secret, strlen(secret));
	t2 = crypto_seal(test_key, secret, strlen(secret));
	if (!ok(t1 != NULL && t2 != NULL, "seal succeeds"))
		goto out;
	ok(strncmp(t1, "v1:", 3) == 0, "sealed token starts with v1:");
	ok(strlen(t1) == 3 + CRYPTO_BASE64_LEN(12 + strlen(secret) + 16),
	    "sealed token has nonce, ciphertext and tag");
	ok(strcmp(t1, t2) != 0, "two seals of the same plaintext differ");

	p = crypto_open(test_key, t1, &plen);
	ok(p != NULL && plen == strlen(secret) && strcmp(p, secret) == 0,
	    "open recovers the plaintext");
	free(p);
	p = crypto_open(test_key, t2, NULL);
	ok(p != NULL && strcmp(p, secret) == 0,
	    "open recovers the second seal, outlen optional");
	free(p);
	p = NULL;

	memcpy(wrong, test_key, 32);
	wrong[31] ^= 0x01;
	p = crypto_open(wrong, t1, &plen);
	ok(p == NULL && plen == 0, "open fails with the wrong key");
	free(p);
	p = NULL;

	/*
	 * Flip one bit in the base64 text at positions covering the nonce,
	 * the ciphertext and the tag; each must be caught.  The last char
	 * carries padding bits, so flipping it may make the text invalid
	 * instead, which must fail too.
	 */
	mut = strdup(t1);
	if (mut == NULL)
		goto out;
	{
		size_t len = strlen(mut);
		int all_fail = 1;

		for (i = 3; i < len; i++) {
			char orig = mut[i];
			char *r;

			/* Swap to a different valid base64 character. */
			mut[i] = orig == 'A' ? 'B' : 'A';
			r = crypto_open(test_key, mut, NULL);
			if (r != NULL) {
				all_fail = 0;
				free(r);
			}
			mut[i] = orig;
		}
		ok(all_fail, "open fails after changing any one character of "
		    "the token");
	}
	{
		/* Flip a single bit in a decoded ciphertext byte and re-encode. */
		unsigned char raw[256];
		char retok[400];
		ssize_t n = crypto_base64_decode(t1 + 3, strlen(t1 + 3), raw,
		    sizeof(raw));

		if (ok(n > 28, "token body decodes")) {
			raw[12] ^= 0x01;
			memcpy(retok, "v1:", 3);
			crypto_base64_encode(raw, (size_t)n, retok + 3,
			    sizeof(retok) - 3);
			p = crypto_open(test_key, retok, NULL);
			ok(p == NULL, "open fails after flipping one ciphertext "
			    "bit");
			free(p);
			p = NULL;
			raw[12] ^= 0x01;
			raw[(size_t)n - 1] ^= 0x80;
			crypto_base64_encode(raw, (size_t)n, retok + 3,
			    sizeof(retok) - 3);
			p = crypto_open(test_key, retok, NULL);
			ok(p == NULL, "open fails after flipping one tag bit");
			free(p);
			p = NULL;
		}
	}

	/*
	 * Truncations at every length must fail, never crash.  Dropping only
	 * the '=' padding is not a truncation, since unpadded input is legal.
	 */
	{
		size_t len = strlen(t1);
		int all_fail = 1;

		while (len > 0 && t1[len - 1] == '=')
			len--;
		for (i = 0; i < len; i++) {
			char *r;

			mut[i] = '\0';
			r = crypto_open(test_key, mut, NULL);
			if (r != NULL) {
				all_fail = 0;
				free(r);
			}
			mut[i] = t1[i];
		}
		ok(all_fail, "open fails for every truncation of the token");
	}

	{
		static const struct bad_case garbage[] = {
			{ "empty token", "" },
			{ "missing version", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" },
			{ "unknown version", "v2:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" },
			{ "version only", "v1:" },
			{ "body too short for nonce and tag", "v1:AAAAAAAA" },
			{ "exactly nonce+tag of zeros",
			  "v1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==" },
			{ "not base64", "v1:!!!!not*base64!!!!!!!!!!!!!!!!!!!!!!!!" },
			{ "whitespace in body", "v1:AAAA AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" },
		};

		for (i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++) {
			p = crypto_open(test_key, garbage[i].input, NULL);
			ok(p == NULL, "open rejects %s", garbage[i].desc);
			free(p);
			p = NULL;
		}
		p = crypto_open(test_key, NULL, NULL);
		ok(p == NULL, "open rejects NULL");
	}

	/* Empty and binary plaintexts. */
	free(t2);
	t2 = crypto_seal(test_key, "", 0);
	p = t2 ? crypto_open(test_key, t2, &plen) : NULL;
	ok(p != NULL && plen == 0 && p[0] == '\0',
	    "seal/open round trips an empty plaintext");
	free(p);
	free(t2);
	t2 = crypto_seal(test_key, "a\0b", 3);
	p = t2 ? crypto_open(test_key, t2, &plen) : NULL;
	ok(p != NULL && plen == 3 && memcmp(p, "a\0b", 4) == 0,
	    "seal/open round trips embedded NUL bytes");
	free(p);
	p = NULL;
out:
	free(mut);
	free(t1);
	free(t2);
}

static void
test_random(void)
{
	char b62[129], b62b[129], hex[65];
	unsigned char buf[32], zero[32] = { 0 };
	size_t i;
	int alpha_ok = 1;
	int seen[256] = { 0 };
	int distinct = 0;

	ok(crypto_random(buf, sizeof(buf)) == 0 &&
	    memcmp(buf, zero, sizeof(buf)) != 0, "random fills a buffer");
	ok(crypto_random(buf, 0) == 0, "random of zero bytes succeeds");

	ok(crypto_random_hex(hex, 32) == 0 && strlen(hex) == 64 &&
	    strspn(hex, "0123456789abcdef") == 64,
	    "random_hex gives 2n lowercase hex chars");
	ok(crypto_random_hex(hex, 0) == 0 && hex[0] == '\0',
	    "random_hex of zero bytes is empty");

	ok(crypto_random_base62(b62, 128) == 0 && strlen(b62) == 128,
	    "random_base62 gives the requested length");
	ok(strspn(b62, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz") == 128,
	    "random_base62 uses only the base62 alphabet");
	ok(crypto_random_base62(b62b, 128) == 0 && strcmp(b62, b62b) != 0,
	    "two random_base62 strings differ");
	ok(crypto_random_base62(b62, 0) == 0 && b62[0] == '\0',
	    "random_base62 of zero chars is empty");

	/* Over many draws every one of the 62 characters should appear. */
	for (i = 0; i < 100; i++) {
		size_t j;

		if (crypto_random_base62(b62, 128) != 0) {
			alpha_ok = 0;
			break;
		}
		for (j = 0; j < 128; j++)
			seen[(unsigned char)b62[j]]++;
	}
	for (i = 0; i < 256; i++)
		if (seen[i] > 0)
			distinct++;
	ok(alpha_ok && distinct == 62,
	    "random_base62 covers all 62 characters (saw %d)", distinct);
}

static void
test_equal(void)
{
	ok(crypto_equal("abcdef", "abcdef", 6) == 1, "equal on equal buffers");
	ok(crypto_equal("abcdef", "abcdeg", 6) == 0,
	    "not equal on last-byte difference");
	ok(crypto_equal("xbcdef", "abcdef", 6) == 0,
	    "not equal on first-byte difference");
	ok(crypto_equal("abc", "xyz", 0) == 1, "equal over zero bytes");
}

int
main(void)
{
	test_sha256();
	test_hmac();
	test_base64();
	test_hex();
	test_master_key();
	test_seal();
	test_random();
	test_equal();
	return tap_done();
}
