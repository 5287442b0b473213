/*
 * timeutil.h — instants as int64_t unix seconds, and their two text forms:
 * ISO-8601/RFC 3339 UTC for the API ("2026-04-26T10:30:00Z") and the
 * MariaDB DATETIME literal for SQL ("2026-04-26 10:30:00", always UTC).
 * The conversions are pure calendar arithmetic, independent of TZ, locale
 * and libc's timegm, and time_now() is the single place the wall clock is
 * read so that tests and jobs can move time with RETIVO_NOW.
 */
#ifndef RETIVO_TIMEUTIL_H
#define RETIVO_TIMEUTIL_H

#include <stdint.h>

/* Buffer sizes including the NUL. */
#define TIME_ISO8601_SIZE 21
#define TIME_SQL_SIZE 20

/* The representable range: 0000-01-01T00:00:00Z .. 9999-12-31T23:59:59Z. */
#define TIME_MIN ((int64_t)-62167219200)
#define TIME_MAX ((int64_t)253402300799)

/*
 * Parses an RFC 3339 timestamp "YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)"
 * into unix seconds in *out.  Also accepted: lowercase 't' and 'z' (RFC 3339
 * section 5.6 allows them), "+HHMM"/"-HHMM" offsets, and a bare date
 * "YYYY-MM-DD" meaning midnight UTC.  Fractional seconds are truncated; a
 * leap second :60 is read as :59.  Every field is range-checked, including
 * the day against the month and leap years.
 * Returns 0 on success, -1 if s is malformed (*out is then untouched).
 */
int
time_parse_iso8601(const char *s, int64_t *out);

/*
 * Writes t as "YYYY-MM-DDTHH:MM:SSZ" plus NUL into out.  Instants outside
 * [TIME_MIN, TIME_MAX] are clamped to it so the output always fits.
 */
void
time_format_iso8601(int64_t t, char out[21]);

/*
 * Writes t as the DATETIME literal "YYYY-MM-DD HH:MM:SS" (UTC) plus NUL
 * into out, clamped like time_format_iso8601.
 */
void
time_format_sql(int64_t t, char out[20]);

/*
 * Parses a DATETIME as MariaDB returns it, "YYYY-MM-DD HH:MM:SS" with an
 * optional ".f" to ".ffffff" fraction (truncated), interpreting it as UTC.
 * MariaDB's zero date "0000-00-00 00:00:00" is rejected like any invalid
 * date.  Returns 0 on success, -1 if malformed (*out untouched).
 */
int
time_parse_sql(const char *s, int64_t *out);

/*
 * The current time in unix seconds.  When the environment variable
 * RETIVO_NOW holds a timestamp time_parse_iso8601 accepts, that instant is
 * returned instead, so tests and jobs can pin or move time; a malformed
 * RETIVO_NOW is ignored and the real clock used.  Returns -1 only if the
 * system clock cannot be read.
 */
int64_t
time_now(void);

/*
 * Milliseconds since the epoch from CLOCK_REALTIME, for measuring
 * latencies; deliberately not affected by RETIVO_NOW.  Returns -1 if the
 * clock cannot be read.
 */
int64_t
time_now_ms(void);

/*
 * 1 when s has the form of an IANA zone name: "UTC",
 * "America/Argentina/Buenos_Aires", "Etc/GMT+5" — at most 64 letters,
 * digits and "/_+-", no "." (so never a path out of zoneinfo), no empty
 * part. Whether the zone exists is not checked. Else 0.
 */
int
time_zone_name_valid(const char *s);

#endif
