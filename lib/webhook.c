/*
 * webhook.c — the signatures every delivery carries and the retry policy
 * that decides what happens after an attempt (see webhook.h for the
 * formats). Everything here is pure: no I/O, no clock; the dispatcher,
 * the test receiver and the unit tests share it, so a signature the
 * dispatcher makes is checked by the very same code the tests trust.
 */
#include "config.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "timeutil.h"
#include "webhook.h"

#define WHSEC_PREFIX	"whsec_"
/* A Retry-After beyond ten years is a broken server, not a plan. */
#define RETRY_AFTER_MAX	((long long)10 * 365 * 86400)

static const long long retry_delays[WEBHOOK_MAX_RETRIES] = { 30, 120, 600, 1800, 7200 };

/*
 * Signs the exact body bytes with the secret string itself as the key
 * (seed 000). Returns 0, or -1 with out set to "".
 */
int
webhook_sign_hex(const char *secret, const void *body, size_t len, char out[65])
{
	out[0] = '\0';
	if (secret == NULL || (body == NULL && len > 0))
		return -1;
	return crypto_hmac_sha256_hex(secret, strlen(secret), body, len, out);
}

/*
 * Derives the Standard Webhooks key: the secret without an optional
 * "whsec_" prefix, base64-decoded. Returns a malloc'd key the caller
 * frees (length in *keylen), or NULL when the secret does not decode.
 */
static unsigned char *
standard_key(const char *secret, size_t *keylen)
{
	unsigned char *key;
	size_t slen, cap;
	ssize_t n;

	if (secret == NULL)
		return NULL;
	if (strncmp(secret, WHSEC_PREFIX, strlen(WHSEC_PREFIX)) == 0)
		secret += strlen(WHSEC_PREFIX);
	slen = strlen(secret);
	if (slen == 0)
		return NULL;
	cap = slen / 4 * 3 + 3;
	if ((key = malloc(cap)) == NULL)
		return NULL;
	if ((n = crypto_base64_decode(secret, slen, key, cap)) <= 0) {
		free(key);
		return NULL;
	}
	*keylen = (size_t)n;
	return key;
}

/*
 * Raw HMAC-SHA256(key, msg_id "." ts "." body) into mac. Returns 0 or -1.
 */
static int
standard_mac(const unsigned char *key, size_t keylen, const char *msg_id, int64_t ts,
    const void *body, size_t len, unsigned char mac[32])
{
	char prefix[64];
	size_t idlen, plen, total;
	unsigned char *msg;
	int n, rc = -1;

	if (msg_id == NULL || (body == NULL && len > 0))
		return -1;
	n = snprintf(prefix, sizeof(prefix), ".%" PRId64 ".", ts);
	if (n < 0 || (size_t)n >= sizeof(prefix))
		return -1;
	plen = (size_t)n;
	idlen = strlen(msg_id);
	if (len > SIZE_MAX - idlen - plen)
		return -1;
	total = idlen + plen + len;
	if ((msg = malloc(total > 0 ? total : 1)) == NULL)
		return -1;
	memcpy(msg, msg_id, idlen);
	memcpy(msg + idlen, prefix, plen);
	if (len > 0)
		memcpy(msg + idlen + plen, body, len);
	rc = crypto_hmac_sha256(key, keylen, msg, total, mac);
	free(msg);
	return rc;
}

/*
 * Writes "v1," + base64 HMAC into out (outlen >= 64 is plenty: 47 chars
 * and a NUL). Returns 0, or -1 with out set to "" when outlen > 0.
 */
int
webhook_sign_standard(const char *secret, const char *msg_id, int64_t ts,
    const void *body, size_t len, char *out, size_t outlen)
{
	unsigned char *key = NULL, mac[32];
	size_t keylen = 0;
	int rc = -1;

	if (out == NULL || outlen == 0)
		return -1;
	out[0] = '\0';
	if (outlen < 3 + CRYPTO_BASE64_LEN(sizeof(mac)) + 1)
		goto out;
	if ((key = standard_key(secret, &keylen)) == NULL)
		goto out;
	if (standard_mac(key, keylen, msg_id, ts, body, len, mac) != 0)
		goto out;
	memcpy(out, "v1,", 3);
	if (crypto_base64_encode(mac, sizeof(mac), out + 3, outlen - 3) == 0) {
		out[0] = '\0';
		goto out;
	}
	rc = 0;
out:
	if (key != NULL) {
		memset(key, 0, keylen);
		free(key);
	}
	return rc;
}

/*
 * Checks every space-separated "v1,<base64>" entry of header against the
 * expected signature in constant time per entry; entries of other
 * versions are skipped, as the Standard Webhooks libraries do. Returns 1
 * when one matches, else 0 (also for a secret that does not decode).
 */
int
webhook_verify_standard(const char *secret, const char *msg_id, int64_t ts,
    const void *body, size_t len, const char *header)
{
	char expected[64];
	const char *p, *end;
	size_t elen, tlen;
	int valid = 0;

	if (header == NULL)
		return 0;
	if (webhook_sign_standard(secret, msg_id, ts, body, len, expected, sizeof(expected)) != 0)
		return 0;
	elen = strlen(expected);
	for (p = header; *p != '\0'; p = end) {
		while (*p == ' ')
			p++;
		for (end = p; *end != '\0' && *end != ' '; end++)
			continue;
		tlen = (size_t)(end - p);
		if (tlen == elen && strncmp(p, "v1,", 3) == 0 && crypto_equal(p, expected, elen))
			valid = 1;
	}
	return valid;
}

/* The schedule of seed 000; -1 outside retries 1..5. */
long long
webhook_retry_delay(unsigned n)
{
	if (n < 1 || n > WEBHOOK_MAX_RETRIES)
		return -1;
	return retry_delays[n - 1];
}

/*
 * Judges one attempt (see webhook.h). *next_at (when next_at is not NULL)
 * is written only for WEBHOOK_RETRY. attempts == 0 is read as 1, so a
 * caller's off-by-one can never skip the schedule's first step.
 */
enum webhook_verdict
webhook_judge(long status, unsigned attempts, long long retry_after, int64_t now,
    int64_t *next_at)
{
	long long delay;

	if (status >= 200 && status <= 299)
		return WEBHOOK_DELIVERED;
	if (status == 410)
		return WEBHOOK_FAILED;
	if (attempts == 0)
		attempts = 1;
	if (attempts > WEBHOOK_MAX_RETRIES)
		return WEBHOOK_FAILED;
	delay = webhook_retry_delay(attempts);
	if ((status == 429 || status == 503) && retry_after > delay)
		delay = retry_after > RETRY_AFTER_MAX ? RETRY_AFTER_MAX : retry_after;
	if (next_at != NULL)
		*next_at = now + delay;
	return WEBHOOK_RETRY;
}

/* Month abbreviation ("Jan") to 1..12, or 0. */
static int
month_number(const char *m)
{
	static const char names[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	int i;

	if (strlen(m) != 3)
		return 0;
	for (i = 0; i < 12; i++)
		if (strncmp(names + 3 * i, m, 3) == 0)
			return i + 1;
	return 0;
}

/* A weekday name, short ("Sun") or long ("Sunday"). */
static int
weekday_valid(const char *w, int longform)
{
	static const char *const days[] = {
		"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"
	};
	size_t i;

	for (i = 0; i < sizeof(days) / sizeof(days[0]); i++) {
		if (longform ? strcmp(w, days[i]) == 0 :
		    (strlen(w) == 3 && strncmp(w, days[i], 3) == 0))
			return 1;
	}
	return 0;
}

/*
 * Parses the three HTTP-date forms RFC 9110 §5.6.7 says a recipient must
 * accept: IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT", RFC 850
 * "Sunday, 06-Nov-94 08:49:37 GMT" and asctime "Sun Nov  6 08:49:37 1994".
 * The calendar checks are time_parse_iso8601's. Returns 0 and *out, or -1.
 */
static int
http_date_parse(const char *s, int64_t *out)
{
	char wd[16], mon[8], zone[8], iso[32];
	int d, y, hh, mm, ss, m, n = 0;

	if (sscanf(s, "%3s, %2d %3s %4d %2d:%2d:%2d %3s%n", wd, &d, mon, &y, &hh, &mm, &ss,
	    zone, &n) == 8 && s[n] == '\0' && weekday_valid(wd, 0) && strcmp(zone, "GMT") == 0) {
		/* IMF-fixdate */
	} else if (sscanf(s, "%15[A-Za-z], %2d-%3s-%2d %2d:%2d:%2d %3s%n", wd, &d, mon, &y,
	    &hh, &mm, &ss, zone, &n) == 8 && s[n] == '\0' && weekday_valid(wd, 1) &&
	    strcmp(zone, "GMT") == 0) {
		/* RFC 850: two-digit years; RFC 9110 says read ones more than
		 * 50 years ahead as the past century; for a retry hint the
		 * simple 1970–2069 window is that rule for decades to come. */
		y += y < 70 ? 2000 : 1900;
	} else if (sscanf(s, "%3s %3s %2d %2d:%2d:%2d %4d%n", wd, mon, &d, &hh, &mm, &ss, &y,
	    &n) == 7 && s[n] == '\0' && weekday_valid(wd, 0)) {
		/* asctime */
	} else
		return -1;
	if ((m = month_number(mon)) == 0 || y < 1000 || y > 9999)
		return -1;
	snprintf(iso, sizeof(iso), "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d, hh, mm, ss);
	return time_parse_iso8601(iso, out);
}

/*
 * Retry-After (RFC 9110 §10.2.3): delta-seconds, or an HTTP-date turned
 * into seconds from now (0 when it is already past). Surrounding spaces
 * are allowed; -1 when value is NULL, empty or malformed. Very large
 * deltas are capped at ten years so callers can add them to a time.
 */
long long
webhook_parse_retry_after(const char *value, int64_t now)
{
	char buf[64];
	size_t len;
	long long secs = 0;
	int64_t when;
	const char *p;

	if (value == NULL)
		return -1;
	while (*value == ' ' || *value == '\t')
		value++;
	len = strlen(value);
	while (len > 0 && (value[len - 1] == ' ' || value[len - 1] == '\t' ||
	    value[len - 1] == '\r' || value[len - 1] == '\n'))
		len--;
	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, value, len);
	buf[len] = '\0';
	if (isdigit((unsigned char)buf[0])) {
		for (p = buf; *p != '\0'; p++) {
			if (!isdigit((unsigned char)*p))
				return -1;
			if (secs < RETRY_AFTER_MAX)
				secs = secs * 10 + (*p - '0');
		}
		return secs > RETRY_AFTER_MAX ? RETRY_AFTER_MAX : secs;
	}
	if (http_date_parse(buf, &when) != 0)
		return -1;
	if (when <= now)
		return 0;
	return when - now > RETRY_AFTER_MAX ? RETRY_AFTER_MAX : (long long)(when - now);
}
