/*
 * test_timeutil.c — unit tests for lib/timeutil.c: parsing and formatting
 * of ISO-8601 and SQL DATETIME text against instants computed
 * independently (Python's calendar.timegm), calendar edge cases (leap
 * years, century rules, dates before 1970, year 9999), offsets, fractions,
 * malformed input, a day-by-day round trip over four centuries, and the
 * RETIVO_NOW override of time_now().
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timeutil.h"
#include "tap.h"

struct instant_case {
	const char *desc;
	const char *iso;	/* canonical form: formats back identically */
	const char *sql;
	int64_t t;
};

static const struct instant_case instants[] = {
	{ "the epoch", "1970-01-01T00:00:00Z", "1970-01-01 00:00:00", 0 },
	{ "one second before the epoch", "1969-12-31T23:59:59Z",
	  "1969-12-31 23:59:59", -1 },
	{ "moon landing (before 1970)", "1969-07-20T20:17:40Z",
	  "1969-07-20 20:17:40", -14182940 },
	{ "1900-01-01 (not a leap year century)", "1900-01-01T00:00:00Z",
	  "1900-01-01 00:00:00", -2208988800LL },
	{ "1600-03-01 (after a 400-year leap day)", "1600-03-01T00:00:00Z",
	  "1600-03-01 00:00:00", -11670912000LL },
	{ "year 1", "0001-01-01T00:00:00Z", "0001-01-01 00:00:00",
	  -62135596800LL },
	{ "year 0 (TIME_MIN)", "0000-01-01T00:00:00Z", "0000-01-01 00:00:00",
	  TIME_MIN },
	{ "2000-02-29 (400-year leap day)", "2000-02-29T00:00:00Z",
	  "2000-02-29 00:00:00", 951782400 },
	{ "2024-02-29 leap day midnight", "2024-02-29T00:00:00Z",
	  "2024-02-29 00:00:00", 1709164800 },
	{ "2024-02-29 leap day noon", "2024-02-29T12:00:00Z",
	  "2024-02-29 12:00:00", 1709208000 },
	{ "2026-04-26 example", "2026-04-26T10:30:00Z", "2026-04-26 10:30:00",
	  1777199400 },
	{ "2038 32-bit rollover", "2038-01-19T03:14:08Z",
	  "2038-01-19 03:14:08", 2147483648LL },
	{ "9999-12-31 (TIME_MAX)", "9999-12-31T23:59:59Z",
	  "9999-12-31 23:59:59", 253402300799LL },
};

struct parse_case {
	const char *desc;
	const char *input;
	int64_t t;
};

static const struct parse_case iso_ok[] = {
	{ "lowercase t and z", "2026-04-26t10:30:00z", 1777199400 },
	{ "fraction .123 truncated", "2026-04-26T10:30:00.123Z", 1777199400 },
	{ "fraction .999999999 truncated", "2026-04-26T10:30:00.999999999Z",
	  1777199400 },
	{ "single-digit fraction", "2026-04-26T10:30:00.5Z", 1777199400 },
	{ "+02:00 offset", "2026-04-26T12:30:00+02:00", 1777199400 },
	{ "-05:30 offset", "2026-04-26T05:00:00-05:30", 1777199400 },
	{ "+0200 offset without colon", "2026-04-26T12:30:00+0200",
	  1777199400 },
	{ "+00:00 offset", "2026-04-26T10:30:00+00:00", 1777199400 },
	{ "-00:00 offset (unknown local)", "2026-04-26T10:30:00-00:00",
	  1777199400 },
	{ "fraction and offset", "2026-04-26T12:30:00.75+02:00", 1777199400 },
	{ "offset crossing midnight backwards", "2026-04-27T01:00:00+14:30",
	  1777199400 },
	{ "offset crossing a year", "2023-12-31T23:00:00-01:00", 1704067200 },
	{ "plain date is midnight UTC", "2026-04-26", 1777161600 },
	{ "plain leap date", "2024-02-29", 1709164800 },
	{ "leap second 60 reads as 59", "2016-12-31T23:59:60Z", 1483228799 },
	{ "before 1970 with offset", "1969-12-31T19:00:00-05:00", 0 },
	{ "far future with fraction", "9999-12-31T23:59:59.9Z",
	  253402300799LL },
};

static const char *const iso_bad[] = {
	"",
	"2026",
	"2026-04",
	"2026-13-01T00:00:00Z",
	"2026-00-01T00:00:00Z",
	"2026-04-00T00:00:00Z",
	"2026-04-31T00:00:00Z",
	"2026-04-26T24:00:00Z",
	"2026-04-26T23:60:00Z",
	"2026-04-26T23:59:61Z",
	"2026-04-26T10:30:00",
	"2026-04-26T10:30:00Zjunk",
	"2026-04-26T10:30:00Z ",
	" 2026-04-26T10:30:00Z",
	"2026-04-26 10:30:00Z",
	"2026-04-26T10:30Z",
	"2026-04-26T10:30:00.Z",
	"2026-04-26T10:30:00+02",
	"2026-04-26T10:30:00+2:00",
	"2026-04-26T10:30:00+24:00",
	"2026-04-26T10:30:00+02:60",
	"2026-04-26T10:30:00+02:00Z",
	"2026-04-26T10:30:00UTC",
	"2026-4-26T10:30:00Z",
	"26-04-26T10:30:00Z",
	"+2026-04-26T10:30:00Z",
	"2026-04-26junk",
	"2026-04-26T",
	"2026/04/26T10:30:00Z",
	"2026-04-26T1:30:00Z",
	"2100-02-29T00:00:00Z",
	"2100-02-29",
	"1900-02-29",
	"2023-02-29T00:00:00Z",
	"2026-04-26T10:30:00.123",
	"\xef\xbc\x92\xef\xbc\x90\xef\xbc\x92\xef\xbc\x96-04-26",
};

static const struct parse_case sql_ok[] = {
	{ "SQL plain", "2026-04-26 10:30:00", 1777199400 },
	{ "SQL with microseconds", "2026-04-26 10:30:00.123456", 1777199400 },
	{ "SQL with one fraction digit", "2026-04-26 10:30:00.1", 1777199400 },
	{ "SQL before 1970", "1969-12-31 23:59:59", -1 },
};

static const char *const sql_bad[] = {
	"",
	"2026-04-26",
	"2026-04-26T10:30:00",
	"2026-04-26 10:30:00Z",
	"2026-04-26 10:30:00.",
	"2026-04-26 10:30:00.1234567",
	"2026-04-26 10:30",
	"0000-00-00 00:00:00",
	"2026-02-30 00:00:00",
	"2026-04-26 24:00:00",
	"2026-04-26  10:30:00",
	"2026-04-26 10:30:00 ",
};

static void
test_instants(void)
{
	size_t i;

	for (i = 0; i < sizeof(instants) / sizeof(instants[0]); i++) {
		const struct instant_case *c = &instants[i];
		char iso[21], sql[20];
		int64_t t = 12345, u = 12345;

		ok(time_parse_iso8601(c->iso, &t) == 0 && t == c->t,
		    "parse ISO %s", c->desc);
		time_format_iso8601(c->t, iso);
		ok(strcmp(iso, c->iso) == 0, "format ISO %s (got %s)", c->desc,
		    iso);
		ok(time_parse_sql(c->sql, &u) == 0 && u == c->t,
		    "parse SQL %s", c->desc);
		time_format_sql(c->t, sql);
		ok(strcmp(sql, c->sql) == 0, "format SQL %s (got %s)", c->desc,
		    sql);
	}
}

static void
test_parse_variants(void)
{
	size_t i;

	for (i = 0; i < sizeof(iso_ok) / sizeof(iso_ok[0]); i++) {
		int64_t t = 12345;

		ok(time_parse_iso8601(iso_ok[i].input, &t) == 0 &&
		    t == iso_ok[i].t, "ISO accepts %s (%s)", iso_ok[i].desc,
		    iso_ok[i].input);
	}
	for (i = 0; i < sizeof(iso_bad) / sizeof(iso_bad[0]); i++) {
		int64_t t = 12345;

		ok(time_parse_iso8601(iso_bad[i], &t) == -1 && t == 12345,
		    "ISO rejects \"%s\" and leaves *out alone", iso_bad[i]);
	}
	{
		int64_t t = 12345;

		ok(time_parse_iso8601(NULL, &t) == -1, "ISO rejects NULL");
	}
	for (i = 0; i < sizeof(sql_ok) / sizeof(sql_ok[0]); i++) {
		int64_t t = 12345;

		ok(time_parse_sql(sql_ok[i].input, &t) == 0 &&
		    t == sql_ok[i].t, "%s (%s)", sql_ok[i].desc,
		    sql_ok[i].input);
	}
	for (i = 0; i < sizeof(sql_bad) / sizeof(sql_bad[0]); i++) {
		int64_t t = 12345;

		ok(time_parse_sql(sql_bad[i], &t) == -1 && t == 12345,
		    "SQL rejects \"%s\"", sql_bad[i]);
	}
}

static void
test_round_trip_days(void)
{
	int64_t t;
	int good = 1;
	char buf[21], first_bad[21] = "";

	/*
	 * Every day from 1800 to 2200 at an odd time of day: format, parse
	 * back, and check the result is exactly the same instant.
	 */
	for (t = -5364662400LL + 45296; t < 7258118400LL; t += 86400) {
		int64_t back = 0;

		time_format_iso8601(t, buf);
		if (time_parse_iso8601(buf, &back) != 0 || back != t) {
			if (good)
				memcpy(first_bad, buf, sizeof(buf));
			good = 0;
		}
	}
	ok(good, "ISO round trips every day 1800..2200%s%s",
	    good ? "" : ", first failure ", first_bad);

	/* Seconds around the epoch, both directions. */
	good = 1;
	for (t = -100000; t <= 100000; t += 7) {
		int64_t back = 0;
		char sql[20];

		time_format_sql(t, sql);
		if (time_parse_sql(sql, &back) != 0 || back != t)
			good = 0;
	}
	ok(good, "SQL round trips seconds across the epoch");
}

static void
test_clamp(void)
{
	char buf[21];

	time_format_iso8601(TIME_MAX + 1, buf);
	ok(strcmp(buf, "9999-12-31T23:59:59Z") == 0,
	    "format clamps past year 9999");
	time_format_iso8601(INT64_MAX, buf);
	ok(strcmp(buf, "9999-12-31T23:59:59Z") == 0, "format clamps INT64_MAX");
	time_format_iso8601(INT64_MIN, buf);
	ok(strcmp(buf, "0000-01-01T00:00:00Z") == 0, "format clamps INT64_MIN");
}

static void
test_now(void)
{
	int64_t a, b, ms;

	if (unsetenv("RETIVO_NOW") != 0)
		diag("unsetenv failed");
	a = time_now();
	ok(a > 1700000000, "time_now reads the real clock without RETIVO_NOW");

	if (setenv("RETIVO_NOW", "2026-04-26T10:30:00Z", 1) != 0)
		diag("setenv failed");
	ok(time_now() == 1777199400, "time_now honours RETIVO_NOW");
	if (setenv("RETIVO_NOW", "2030-01-01T00:00:00+01:00", 1) != 0)
		diag("setenv failed");
	ok(time_now() == 1893452400, "time_now honours RETIVO_NOW with offset");
	if (setenv("RETIVO_NOW", "not a time", 1) != 0)
		diag("setenv failed");
	b = time_now();
	ok(b >= a && b < a + 3600,
	    "time_now ignores a malformed RETIVO_NOW");

	ms = time_now_ms();
	ok(ms / 1000 >= a - 1 && ms / 1000 <= a + 3600,
	    "time_now_ms is milliseconds of real time despite RETIVO_NOW");
	if (unsetenv("RETIVO_NOW") != 0)
		diag("unsetenv failed");
}

int
main(void)
{
	test_instants();
	test_parse_variants();
	test_round_trip_days();
	test_clamp();
	test_now();
	return tap_done();
}
