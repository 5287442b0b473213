/*
 * test_webhook.c — the delivery signatures against published vectors and
 * the retry policy of seed 000, row by row.
 *
 * The Standard Webhooks vector (secret, id, timestamp, body, signature) is
 * the one the reference libraries test their sign() with, e.g.
 * standard-webhooks/standard-webhooks libraries/python/tests/
 * test_webhooks.py test_sign_function; reproducing it is what says the
 * official libraries will verify our deliveries. The hex HMAC vector is
 * RFC 4231 test case 2.
 */
#include "config.h"

#include <string.h>

#include "tap.h"
#include "webhook.h"

#define SPEC_SECRET	"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
#define SPEC_ID		"msg_p5jXN8AQM9LWM0D4loKWxJek"
#define SPEC_TS		1614265330
#define SPEC_BODY	"{\"test\": 2432232314}"
#define SPEC_SIG	"v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
/* A secret as Retivo issues it: 64 hex chars, itself valid base64. */
#define HEX_SECRET	"5f2b5f2b5f2b5f2b5f2b5f2b5f2b5f2b5f2b5f2b5f2b5f2b5f2b5f2b5f2b5f2b"

static const struct {
	const char *desc, *secret, *body, *hex;
} hex_rows[] = {
	{ "RFC 4231 case 2", "Jefe", "what do ya want for nothing?",
	  "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" },
	{ "keyed by the secret string as shown, prefix and all", SPEC_SECRET, SPEC_BODY,
	  "80ec8a89ce3cd22133a1066caecb4d04fea7467657c8514d717ec42c38a5c94c" },
	{ "empty body", HEX_SECRET, "",
	  "8d200b99535267b92cbdf69173ca4bc3f54df493d58f8ba908c7dddbe2b59bd7" },
};

static const struct {
	const char *desc, *secret, *id;
	long long ts;
	const char *body, *sig;	/* sig NULL: signing must fail */
} std_rows[] = {
	{ "spec vector", SPEC_SECRET, SPEC_ID, SPEC_TS, SPEC_BODY, SPEC_SIG },
	{ "spec vector without whsec_", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", SPEC_ID, SPEC_TS,
	  SPEC_BODY, SPEC_SIG },
	{ "a Retivo hex secret decodes as base64", HEX_SECRET, "ea_1", 1700000000, "{\"a\":1}",
	  "v1,qJ5OS4x+vZR9SVd3nkboHz54Amixf4m4XCp5p7h1riA=" },
	{ "secret not base64", "not base64!", SPEC_ID, SPEC_TS, SPEC_BODY, NULL },
	{ "prefix only", "whsec_", SPEC_ID, SPEC_TS, SPEC_BODY, NULL },
	{ "empty secret", "", SPEC_ID, SPEC_TS, SPEC_BODY, NULL },
	{ "non-canonical padding bits", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS=", SPEC_ID, SPEC_TS,
	  SPEC_BODY, NULL },
};

static const struct {
	const char *desc, *id;
	long long ts;
	const char *body, *header;
	int valid;
} verify_rows[] = {
	{ "exact", SPEC_ID, SPEC_TS, SPEC_BODY, SPEC_SIG, 1 },
	{ "among others", SPEC_ID, SPEC_TS, SPEC_BODY,
	  "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= " SPEC_SIG " v1,bm9wZQ==", 1 },
	{ "extra spaces", SPEC_ID, SPEC_TS, SPEC_BODY, "  " SPEC_SIG "  ", 1 },
	{ "last char changed", SPEC_ID, SPEC_TS, SPEC_BODY,
	  "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA=", 0 },
	{ "right bytes, version v2", SPEC_ID, SPEC_TS, SPEC_BODY,
	  "v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", 0 },
	{ "no version", SPEC_ID, SPEC_TS, SPEC_BODY, "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", 0 },
	{ "other timestamp (replay)", SPEC_ID, SPEC_TS + 1, SPEC_BODY, SPEC_SIG, 0 },
	{ "other id", "msg_other", SPEC_TS, SPEC_BODY, SPEC_SIG, 0 },
	{ "body changed", SPEC_ID, SPEC_TS, "{\"test\": 2432232315}", SPEC_SIG, 0 },
	{ "body with a trailing newline", SPEC_ID, SPEC_TS, SPEC_BODY "\n", SPEC_SIG, 0 },
	{ "empty header", SPEC_ID, SPEC_TS, SPEC_BODY, "", 0 },
	{ "NULL header", SPEC_ID, SPEC_TS, SPEC_BODY, NULL, 0 },
	{ "truncated signature", SPEC_ID, SPEC_TS, SPEC_BODY, "v1,g0hM9SsE+OTPJTGt", 0 },
};

static const struct {
	unsigned n;
	long long delay;
} delay_rows[] = {
	{ 0, -1 }, { 1, 30 }, { 2, 120 }, { 3, 600 }, { 4, 1800 }, { 5, 7200 }, { 6, -1 },
	{ 100, -1 },
};

#define NOW	1700000000LL

static const struct {
	const char *desc;
	long status;
	unsigned attempts;
	long long retry_after;
	enum webhook_verdict verdict;
	long long wait;	/* next_at - NOW, for WEBHOOK_RETRY */
} judge_rows[] = {
	{ "200 on the first attempt", 200, 1, -1, WEBHOOK_DELIVERED, 0 },
	{ "204 on the third", 204, 3, -1, WEBHOOK_DELIVERED, 0 },
	{ "299 on the last", 299, 6, -1, WEBHOOK_DELIVERED, 0 },
	{ "2xx ignores Retry-After", 200, 1, 3600, WEBHOOK_DELIVERED, 0 },
	{ "300 is not success", 300, 1, -1, WEBHOOK_RETRY, 30 },
	{ "410 stops at once", 410, 1, -1, WEBHOOK_FAILED, 0 },
	{ "410 with Retry-After still stops", 410, 2, 60, WEBHOOK_FAILED, 0 },
	{ "404 is retried", 404, 1, -1, WEBHOOK_RETRY, 30 },
	{ "500 after attempt 1: 30 s", 500, 1, -1, WEBHOOK_RETRY, 30 },
	{ "500 after attempt 2: 2 min", 500, 2, -1, WEBHOOK_RETRY, 120 },
	{ "500 after attempt 3: 10 min", 500, 3, -1, WEBHOOK_RETRY, 600 },
	{ "500 after attempt 4: 30 min", 500, 4, -1, WEBHOOK_RETRY, 1800 },
	{ "500 after attempt 5: 2 h", 500, 5, -1, WEBHOOK_RETRY, 7200 },
	{ "500 after attempt 6: failed", 500, 6, -1, WEBHOOK_FAILED, 0 },
	{ "500 after attempt 7: failed", 500, 7, -1, WEBHOOK_FAILED, 0 },
	{ "500 ignores Retry-After", 500, 1, 3600, WEBHOOK_RETRY, 30 },
	{ "transport error after attempt 1", 0, 1, -1, WEBHOOK_RETRY, 30 },
	{ "transport error after attempt 3", 0, 3, -1, WEBHOOK_RETRY, 600 },
	{ "transport error after attempt 5", 0, 5, -1, WEBHOOK_RETRY, 7200 },
	{ "transport error after attempt 6", 0, 6, -1, WEBHOOK_FAILED, 0 },
	{ "429 without Retry-After", 429, 1, -1, WEBHOOK_RETRY, 30 },
	{ "429 with a longer Retry-After", 429, 1, 120, WEBHOOK_RETRY, 120 },
	{ "429 with a shorter Retry-After", 429, 2, 10, WEBHOOK_RETRY, 120 },
	{ "429 Retry-After 0", 429, 1, 0, WEBHOOK_RETRY, 30 },
	{ "429 Retry-After at attempt 5 below 2 h", 429, 5, 60, WEBHOOK_RETRY, 7200 },
	{ "429 Retry-After at attempt 5 above 2 h", 429, 5, 10800, WEBHOOK_RETRY, 10800 },
	{ "429 after attempt 6: failed", 429, 6, 60, WEBHOOK_FAILED, 0 },
	{ "503 without Retry-After", 503, 2, -1, WEBHOOK_RETRY, 120 },
	{ "503 with a longer Retry-After", 503, 2, 3600, WEBHOOK_RETRY, 3600 },
	{ "503 after attempt 6: failed", 503, 6, 3600, WEBHOOK_FAILED, 0 },
	{ "502 ignores Retry-After", 502, 2, 3600, WEBHOOK_RETRY, 120 },
	{ "Retry-After capped at ten years", 429, 1, 999999999999LL, WEBHOOK_RETRY,
	  315360000 },
	{ "attempts 0 read as 1", 500, 0, -1, WEBHOOK_RETRY, 30 },
};

/* Sun, 06 Nov 1994 08:49:37 GMT */
#define DATE_T	784111777LL

static const struct {
	const char *desc, *value;
	long long now, secs;
} ra_rows[] = {
	{ "delta", "120", NOW, 120 },
	{ "delta 0", "0", NOW, 0 },
	{ "delta with spaces", " 45 ", NOW, 45 },
	{ "leading zeros", "007", NOW, 7 },
	{ "huge delta capped", "99999999999999999999999", NOW, 315360000 },
	{ "negative", "-5", NOW, -1 },
	{ "fraction", "1.5", NOW, -1 },
	{ "trailing junk", "12a", NOW, -1 },
	{ "empty", "", NOW, -1 },
	{ "blank", "   ", NOW, -1 },
	{ "NULL", NULL, NOW, -1 },
	{ "IMF-fixdate an hour ahead", "Sun, 06 Nov 1994 08:49:37 GMT", DATE_T - 3600, 3600 },
	{ "IMF-fixdate in the past", "Sun, 06 Nov 1994 08:49:37 GMT", DATE_T + 10, 0 },
	{ "IMF-fixdate now", "Sun, 06 Nov 1994 08:49:37 GMT", DATE_T, 0 },
	{ "RFC 850 date", "Sunday, 06-Nov-94 08:49:37 GMT", DATE_T - 90, 90 },
	{ "asctime date", "Sun Nov  6 08:49:37 1994", DATE_T - 61, 61 },
	{ "not GMT", "Sun, 06 Nov 1994 08:49:37 PST", DATE_T - 60, -1 },
	{ "no such day", "Mon, 31 Feb 1994 08:49:37 GMT", DATE_T - 60, -1 },
	{ "no such month", "Sun, 06 Nuv 1994 08:49:37 GMT", DATE_T - 60, -1 },
	{ "no such weekday", "Sxn, 06 Nov 1994 08:49:37 GMT", DATE_T - 60, -1 },
	{ "hour 25", "Sun, 06 Nov 1994 25:49:37 GMT", DATE_T - 60, -1 },
	{ "trailing text", "Sun, 06 Nov 1994 08:49:37 GMT x", DATE_T - 60, -1 },
	{ "ISO-8601 is not an HTTP-date", "1994-11-06T08:49:37Z", DATE_T - 60, -1 },
};

static void
test_signatures(void)
{
	char hex[65], sig[64], tiny[16];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(hex_rows) / sizeof(hex_rows[0]); i++) {
		rc = webhook_sign_hex(hex_rows[i].secret, hex_rows[i].body,
		    strlen(hex_rows[i].body), hex);
		ok(rc == 0 && strcmp(hex, hex_rows[i].hex) == 0, "hex: %s", hex_rows[i].desc);
	}
	for (i = 0; i < sizeof(std_rows) / sizeof(std_rows[0]); i++) {
		rc = webhook_sign_standard(std_rows[i].secret, std_rows[i].id, std_rows[i].ts,
		    std_rows[i].body, strlen(std_rows[i].body), sig, sizeof(sig));
		if (std_rows[i].sig != NULL)
			ok(rc == 0 && strcmp(sig, std_rows[i].sig) == 0, "standard: %s (got %s)",
			    std_rows[i].desc, sig);
		else
			ok(rc == -1 && sig[0] == '\0', "standard: %s fails", std_rows[i].desc);
	}
	ok(webhook_sign_standard(SPEC_SECRET, SPEC_ID, SPEC_TS, SPEC_BODY, strlen(SPEC_BODY),
	    tiny, sizeof(tiny)) == -1, "standard: a buffer too small fails");
	for (i = 0; i < sizeof(verify_rows) / sizeof(verify_rows[0]); i++)
		ok(webhook_verify_standard(SPEC_SECRET, verify_rows[i].id, verify_rows[i].ts,
		    verify_rows[i].body, strlen(verify_rows[i].body), verify_rows[i].header) ==
		    verify_rows[i].valid, "verify: %s", verify_rows[i].desc);
	ok(webhook_verify_standard("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", SPEC_ID, SPEC_TS,
	    SPEC_BODY, strlen(SPEC_BODY), SPEC_SIG) == 1, "verify: secret without prefix");
	ok(webhook_verify_standard("whsec_bm9wZQ==", SPEC_ID, SPEC_TS, SPEC_BODY,
	    strlen(SPEC_BODY), SPEC_SIG) == 0, "verify: wrong secret");
	ok(webhook_verify_standard("not base64!", SPEC_ID, SPEC_TS, SPEC_BODY,
	    strlen(SPEC_BODY), SPEC_SIG) == 0, "verify: undecodable secret");
	/* Round trip on a body with a NUL byte: the exact bytes are signed. */
	ok(webhook_sign_standard(HEX_SECRET, "ea_2", 5, "a\0b", 3, sig, sizeof(sig)) == 0 &&
	    webhook_verify_standard(HEX_SECRET, "ea_2", 5, "a\0b", 3, sig) == 1 &&
	    webhook_verify_standard(HEX_SECRET, "ea_2", 5, "a\0c", 3, sig) == 0,
	    "round trip over binary bytes");
}

static void
test_policy(void)
{
	enum webhook_verdict v;
	int64_t next;
	size_t i;
	long long got;

	for (i = 0; i < sizeof(delay_rows) / sizeof(delay_rows[0]); i++)
		ok(webhook_retry_delay(delay_rows[i].n) == delay_rows[i].delay,
		    "retry delay %u is %lld", delay_rows[i].n, delay_rows[i].delay);
	for (i = 0; i < sizeof(judge_rows) / sizeof(judge_rows[0]); i++) {
		next = -1;
		v = webhook_judge(judge_rows[i].status, judge_rows[i].attempts,
		    judge_rows[i].retry_after, NOW, &next);
		if (judge_rows[i].verdict == WEBHOOK_RETRY)
			ok(v == WEBHOOK_RETRY && next == NOW + judge_rows[i].wait,
			    "judge: %s (wait %lld)", judge_rows[i].desc,
			    v == WEBHOOK_RETRY ? (long long)(next - NOW) : -1LL);
		else
			ok(v == judge_rows[i].verdict && next == -1, "judge: %s",
			    judge_rows[i].desc);
	}
	ok(webhook_judge(500, 1, -1, NOW, NULL) == WEBHOOK_RETRY, "judge: next_at may be NULL");
	for (i = 0; i < sizeof(ra_rows) / sizeof(ra_rows[0]); i++) {
		got = webhook_parse_retry_after(ra_rows[i].value, ra_rows[i].now);
		ok(got == ra_rows[i].secs, "Retry-After: %s (got %lld)", ra_rows[i].desc, got);
	}
}

/* The whole schedule as the dispatcher lives it: five retries, then no more. */
static void
test_schedule_walk(void)
{
	static const long long expect[] = { 30, 120, 600, 1800, 7200 };
	int64_t now = NOW, next = 0;
	unsigned attempt;
	int in_order = 1;

	for (attempt = 1; attempt <= WEBHOOK_MAX_RETRIES; attempt++) {
		if (webhook_judge(503, attempt, -1, now, &next) != WEBHOOK_RETRY ||
		    next - now != expect[attempt - 1])
			in_order = 0;
		now = next;
	}
	ok(in_order, "walk: five retries at 30 s, 2 m, 10 m, 30 m, 2 h");
	ok(now == NOW + 30 + 120 + 600 + 1800 + 7200, "walk: last retry 10 h 25 m 30 s in");
	ok(webhook_judge(503, attempt, -1, now, &next) == WEBHOOK_FAILED,
	    "walk: the sixth failure is final");
}

int
main(void)
{
	test_signatures();
	test_policy();
	test_schedule_walk();
	return tap_done();
}
