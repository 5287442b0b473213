/*
 * test_password.c — the pure parts of issue 8's team module: PBKDF2 test
 * vectors and the stored format, the password policy, roles to scopes,
 * seats per plan, email checks, session cookies and the audit object of a
 * response. No database.
 */
#include "config.h"

#include <string.h>

#include <json-c/json.h>

#include "audit.h"
#include "auth.h"
#include "crypto.h"
#include "member.h"
#include "password.h"
#include "session.h"
#include "tap.h"

/* RFC 7914 section 11 and the widely published PBKDF2-HMAC-SHA256 vectors. */
static const struct {
	const char *desc, *pw, *salt;
	unsigned iterations;
	size_t dklen;
	const char *hex;
} pbkdf2_vectors[] = {
	{ "1 iteration", "password", "salt", 1, 32,
	  "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b" },
	{ "2 iterations", "password", "salt", 2, 32,
	  "ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43" },
	{ "4096 iterations", "password", "salt", 4096, 32,
	  "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a" },
	{ "RFC 7914 passwd/salt c=1 dkLen=64", "passwd", "salt", 1, 64,
	  "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
	  "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783" },
};

static const struct {
	const char *desc, *pw;
	int acceptable;
} policy_cases[] = {
	{ "NULL refused", NULL, 0 },
	{ "empty refused", "", 0 },
	{ "11 characters refused", "abcdefghijk", 0 },
	{ "12 characters accepted", "abcdefghijkl", 1 },
	{ "12 code points of 2-byte UTF-8 accepted", "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	  "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 1 },
	{ "6 code points in 12 bytes refused", "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 0 },
};

static const struct {
	const char *desc, *role;
	unsigned scopes;
} role_cases[] = {
	{ "admin: full and every scope but partner", "admin",
	  SCOPE_FULL | SCOPE_MANAGE | SCOPE_DECIDE | SCOPE_READ | SCOPE_INGEST },
	{ "editor: manage, decide, read, ingest, never full", "editor",
	  SCOPE_MANAGE | SCOPE_DECIDE | SCOPE_READ | SCOPE_INGEST },
	{ "viewer: read only", "viewer", SCOPE_READ },
	{ "unknown role: nothing", "owner", 0 },
	{ "NULL role: nothing", NULL, 0 },
};

static const struct {
	const char *plan;
	long long seats;
	const char *next;
} seat_cases[] = {
	{ "starter", 3, "growth" },
	{ "growth", 10, "scale" },
	{ "scale", 50, "custom" },
	{ "custom", -1, NULL },
};

static const struct {
	const char *desc, *email;
	int valid;
} email_cases[] = {
	{ "plain address", "alice@example.com", 1 },
	{ "subdomain and plus", "a.b+c@mail.example.co.uk", 1 },
	{ "no at", "alice.example.com", 0 },
	{ "two ats", "a@b@example.com", 0 },
	{ "no dot in domain", "alice@localhost", 0 },
	{ "space", "ali ce@example.com", 0 },
	{ "empty local part", "@example.com", 0 },
	{ "trailing dot", "alice@example.", 0 },
	{ "header injection", "a@example.com\r\nBcc: x@y.z", 0 },
	{ "NULL", NULL, 0 },
};

static const struct {
	const char *desc, *header, *want;
} cookie_cases[] = {
	{ "only cookie", "retivo_session=abc", "abc" },
	{ "among others", "theme=dark; retivo_session=xyz; lang=en", "xyz" },
	{ "prefix of another name is not it", "retivo_session_old=zzz; retivo_session=ok", "ok" },
	{ "absent", "theme=dark", NULL },
	{ "empty value", "retivo_session=", NULL },
	{ "NULL header", NULL, NULL },
};

static void
test_pbkdf2(void)
{
	unsigned char dk[64];
	char hex[129];
	size_t i;

	for (i = 0; i < sizeof(pbkdf2_vectors) / sizeof(pbkdf2_vectors[0]); i++) {
		memset(hex, 0, sizeof(hex));
		ok(password_pbkdf2(pbkdf2_vectors[i].pw, strlen(pbkdf2_vectors[i].pw),
		    (const unsigned char *)pbkdf2_vectors[i].salt, strlen(pbkdf2_vectors[i].salt),
		    pbkdf2_vectors[i].iterations, dk, pbkdf2_vectors[i].dklen) == 0 &&
		    (crypto_hex_encode(dk, pbkdf2_vectors[i].dklen, hex), 1) &&
		    strcmp(hex, pbkdf2_vectors[i].hex) == 0, "pbkdf2: %s", pbkdf2_vectors[i].desc);
	}
}

static void
test_hash_format(void)
{
	char a[PASSWORD_HASH_MAX], b[PASSWORD_HASH_MAX], tampered[PASSWORD_HASH_MAX];
	size_t n;

	ok(password_hash("correct horse battery", PASSWORD_ITERATIONS, a) == 0 &&
	    strncmp(a, "pbkdf2-sha256$100000$", 21) == 0, "hash: scheme and iterations: %s", a);
	ok(password_hash("correct horse battery", PASSWORD_ITERATIONS, b) == 0 && strcmp(a, b) != 0,
	    "hash: a fresh salt per password, so equal passwords hash differently");
	ok(password_verify("correct horse battery", a) == 1, "verify: the right password");
	ok(password_verify("correct horse batterY", a) == 0, "verify: one character off");
	ok(password_verify("", a) == 0, "verify: empty password");
	ok(password_verify(NULL, a) == 0, "verify: NULL password");
	snprintf(tampered, sizeof(tampered), "%s", a);
	n = strlen(tampered);
	/* Not the last base64 character before the padding: its low bits are
	 * padding bits a decoder may ignore, so changing them can leave the
	 * key as it was (the check then failed about one run in sixteen). */
	tampered[n - 10] = tampered[n - 10] == 'A' ? 'Q' : 'A';
	ok(password_verify("correct horse battery", tampered) == 0, "verify: a changed stored key");
	ok(password_verify("x", "md5$abc") == -1, "verify: unknown scheme is malformed");
	ok(password_verify("x", "pbkdf2-sha256$10$c2FsdHNhbHQ=$AAAA") == -1,
	    "verify: too few iterations is malformed");
	ok(password_verify("x", "pbkdf2-sha256$100000$c2FsdHNhbHQ=") == -1,
	    "verify: missing key is malformed");
	ok(password_verify("x", NULL) == -1, "verify: NULL hash is malformed");
	ok(!password_needs_rehash(a), "rehash: current iterations need none");
	ok(password_hash("correct horse battery", 2000, b) == 0 && password_needs_rehash(b) &&
	    password_verify("correct horse battery", b) == 1,
	    "rehash: an older, cheaper hash still verifies and asks for a rehash");
}

int
main(void)
{
	struct json_object *resp;
	char buf[256];
	size_t i;

	test_pbkdf2();
	test_hash_format();
	for (i = 0; i < sizeof(policy_cases) / sizeof(policy_cases[0]); i++)
		ok((password_policy(policy_cases[i].pw) == NULL) == policy_cases[i].acceptable,
		    "policy: %s", policy_cases[i].desc);
	for (i = 0; i < sizeof(role_cases) / sizeof(role_cases[0]); i++)
		ok(member_role_scopes(role_cases[i].role) == role_cases[i].scopes,
		    "role: %s", role_cases[i].desc);
	for (i = 0; i < sizeof(seat_cases) / sizeof(seat_cases[0]); i++)
		ok(member_seat_limit(seat_cases[i].plan) == seat_cases[i].seats &&
		    ((member_upgrade_to(seat_cases[i].plan) == NULL && seat_cases[i].next == NULL) ||
		    (member_upgrade_to(seat_cases[i].plan) != NULL && seat_cases[i].next != NULL &&
		    strcmp(member_upgrade_to(seat_cases[i].plan), seat_cases[i].next) == 0)),
		    "seats: %s has %lld, upgrade to %s", seat_cases[i].plan, seat_cases[i].seats,
		    seat_cases[i].next ? seat_cases[i].next : "nothing");
	ok(member_seat_limit("bogus") == 3, "seats: an unknown plan gets the smallest");
	for (i = 0; i < sizeof(email_cases) / sizeof(email_cases[0]); i++)
		ok(member_email_valid(email_cases[i].email) == email_cases[i].valid, "email: %s",
		    email_cases[i].desc);
	member_email_normalize("Alice@Example.COM", buf, sizeof(buf));
	ok(strcmp(buf, "alice@example.com") == 0, "email: normalized to lowercase");
	for (i = 0; i < sizeof(cookie_cases) / sizeof(cookie_cases[0]); i++) {
		int found = session_cookie_value(cookie_cases[i].header, SESSION_COOKIE, buf, sizeof(buf));

		ok(cookie_cases[i].want == NULL ? !found : found && strcmp(buf, cookie_cases[i].want) == 0,
		    "cookie: %s", cookie_cases[i].desc);
	}
	session_cookie_format("tok", 0, buf, sizeof(buf));
	ok(strstr(buf, "retivo_session=tok;") == buf && strstr(buf, "HttpOnly") &&
	    strstr(buf, "SameSite=Lax") && strstr(buf, "Path=/") && !strstr(buf, "Secure"),
	    "cookie: HttpOnly, SameSite=Lax, Path=/, not Secure over plain HTTP: %s", buf);
	session_cookie_format("tok", 1, buf, sizeof(buf));
	ok(strstr(buf, "; Secure") != NULL, "cookie: Secure over HTTPS");
	session_cookie_format(NULL, 0, buf, sizeof(buf));
	ok(strstr(buf, "retivo_session=;") == buf && strstr(buf, "Max-Age=0"),
	    "cookie: sign-out clears it");

	resp = json_tokener_parse("{\"key\":{\"id\":\"key_1\"},\"api_key\":\"rt\"}");
	ok(audit_object_of_response(resp, buf, sizeof(buf)) && strcmp(buf, "key_1") == 0,
	    "audit object: nested id of the created object");
	json_object_put(resp);
	resp = json_tokener_parse("{\"id\":\"wh_1\",\"secret\":{\"id\":\"x\"}}");
	ok(audit_object_of_response(resp, buf, sizeof(buf)) && strcmp(buf, "wh_1") == 0,
	    "audit object: a top-level id wins");
	json_object_put(resp);
	resp = json_tokener_parse("{\"paused\":3}");
	ok(!audit_object_of_response(resp, buf, sizeof(buf)), "audit object: none in a count");
	json_object_put(resp);
	return tap_done();
}
