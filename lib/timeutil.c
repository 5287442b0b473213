/*
 * timeutil.c — conversions between unix seconds and the ISO-8601 and SQL
 * DATETIME text forms, plus the one function that reads the clock.  The
 * calendar arithmetic is Howard Hinnant's days_from_civil/civil_from_days
 * (proleptic Gregorian, exact for any int64 day count we can represent),
 * used instead of timegm/gmtime_r so results never depend on TZ, locale,
 * or a libc's handling of years outside time_t's comfortable range.
 */
#include "timeutil.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SECS_PER_DAY 86400

/* Broken-down UTC (or local, before the offset is applied) time. */
struct civil {
	int year, month, day, hour, min, sec;
};

/* Days since 1970-01-01 for a proleptic Gregorian date. */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	/* Counting from March puts the leap day last in the "year". */
	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Inverse of days_from_civil. */
static void
civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int
is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
days_in_month(int y, int m)
{
	static const int mdays[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	return m == 2 && is_leap(y) ? 29 : mdays[m - 1];
}

/*
 * Reads exactly n ASCII digits at *p into *val and advances *p.  isdigit()
 * is avoided because it is locale-dependent and accepts more than 0-9.
 * Returns 0, or -1 if any of the n chars is not a digit.
 */
static int
take_digits(const char **p, int n, int *val)
{
	int rc = -1;
	int v = 0, i;

	/* Stops at the first non-digit, so a NUL is never read past. */
	for (i = 0; i < n; i++) {
		char c = (*p)[i];

		if (c < '0' || c > '9')
			goto out;
		v = v * 10 + (c - '0');
	}
	*p += n;
	*val = v;
	rc = 0;
out:
	return rc;
}

/* Consumes the char c at *p; returns 0, or -1 if it is not there. */
static int
take_char(const char **p, char c)
{
	int rc = -1;

	if (**p != c)
		goto out;
	(*p)++;
	rc = 0;
out:
	return rc;
}

/* Skips "." and one or more digits if present; -1 for "." without digits. */
static int
skip_fraction(const char **p)
{
	int rc = -1;

	if (**p == '.') {
		(*p)++;
		if (**p < '0' || **p > '9')
			goto out;
		while (**p >= '0' && **p <= '9')
			(*p)++;
	}
	rc = 0;
out:
	return rc;
}

/* Parses "YYYY-MM-DD" at *p and checks the day against the month. */
static int
take_date(const char **p, struct civil *c)
{
	int rc = -1;

	if (take_digits(p, 4, &c->year) != 0 || take_char(p, '-') != 0 ||
	    take_digits(p, 2, &c->month) != 0 || take_char(p, '-') != 0 ||
	    take_digits(p, 2, &c->day) != 0)
		goto out;
	if (c->month < 1 || c->month > 12)
		goto out;
	if (c->day < 1 || c->day > days_in_month(c->year, c->month))
		goto out;
	rc = 0;
out:
	return rc;
}

/* Parses "HH:MM:SS" at *p, folding a leap second 60 into 59. */
static int
take_clock(const char **p, struct civil *c)
{
	int rc = -1;

	if (take_digits(p, 2, &c->hour) != 0 || take_char(p, ':') != 0 ||
	    take_digits(p, 2, &c->min) != 0 || take_char(p, ':') != 0 ||
	    take_digits(p, 2, &c->sec) != 0)
		goto out;
	if (c->hour > 23 || c->min > 59 || c->sec > 60)
		goto out;
	/* Unix time has no leap seconds; :60 is the last second repeated. */
	if (c->sec == 60)
		c->sec = 59;
	rc = 0;
out:
	return rc;
}

static int64_t
civil_to_unix(const struct civil *c)
{
	return days_from_civil(c->year, c->month, c->day) * SECS_PER_DAY +
	    (int64_t)c->hour * 3600 + (int64_t)c->min * 60 + c->sec;
}

int
time_parse_iso8601(const char *s, int64_t *out)
{
	int rc = -1;
	struct civil c = { 0, 0, 0, 0, 0, 0 };
	const char *p = s;
	int64_t offset = 0;

	if (s == NULL)
		goto out;
	if (take_date(&p, &c) != 0)
		goto out;
	if (*p == '\0') {
		*out = civil_to_unix(&c);
		rc = 0;
		goto out;
	}
	if (*p != 'T' && *p != 't')
		goto out;
	p++;
	if (take_clock(&p, &c) != 0 || skip_fraction(&p) != 0)
		goto out;
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p == '-' ? -1 : 1;
		int oh, om;

		p++;
		if (take_digits(&p, 2, &oh) != 0)
			goto out;
		/* RFC 3339 wants the colon; ISO 8601 basic form omits it. */
		if (*p == ':')
			p++;
		if (take_digits(&p, 2, &om) != 0)
			goto out;
		if (oh > 23 || om > 59)
			goto out;
		offset = sign * ((int64_t)oh * 3600 + (int64_t)om * 60);
	} else {
		goto out;
	}
	if (*p != '\0')
		goto out;
	/* Local time minus its offset from UTC is UTC. */
	*out = civil_to_unix(&c) - offset;
	rc = 0;
out:
	return rc;
}

/* Splits t (clamped to the 4-digit-year range) into civil fields. */
static void
unix_to_civil(int64_t t, struct civil *c)
{
	int64_t days, secs, y;

	if (t < TIME_MIN)
		t = TIME_MIN;
	if (t > TIME_MAX)
		t = TIME_MAX;
	/* Floor division, so instants before 1970 land on the right day. */
	days = t / SECS_PER_DAY;
	secs = t % SECS_PER_DAY;
	if (secs < 0) {
		secs += SECS_PER_DAY;
		days--;
	}
	civil_from_days(days, &y, &c->month, &c->day);
	c->year = (int)y;
	c->hour = (int)(secs / 3600);
	c->min = (int)(secs / 60 % 60);
	c->sec = (int)(secs % 60);
}

/* Writes v as exactly n zero-padded digits; v is known to fit. */
static char *
put_digits(char *p, int v, int n)
{
	int i;

	for (i = n - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + n;
}

/* Writes "YYYY-MM-DD<sep>HH:MM:SS" and returns the end pointer. */
static char *
put_civil(char *p, const struct civil *c, char sep)
{
	p = put_digits(p, c->year, 4);
	*p++ = '-';
	p = put_digits(p, c->month, 2);
	*p++ = '-';
	p = put_digits(p, c->day, 2);
	*p++ = sep;
	p = put_digits(p, c->hour, 2);
	*p++ = ':';
	p = put_digits(p, c->min, 2);
	*p++ = ':';
	return put_digits(p, c->sec, 2);
}

void
time_format_iso8601(int64_t t, char out[21])
{
	struct civil c;
	char *p;

	unix_to_civil(t, &c);
	p = put_civil(out, &c, 'T');
	*p++ = 'Z';
	*p = '\0';
}

void
time_format_sql(int64_t t, char out[20])
{
	struct civil c;
	char *p;

	unix_to_civil(t, &c);
	p = put_civil(out, &c, ' ');
	*p = '\0';
}

int
time_parse_sql(const char *s, int64_t *out)
{
	int rc = -1;
	struct civil c = { 0, 0, 0, 0, 0, 0 };
	const char *p = s;
	int digits = 0;

	if (s == NULL)
		goto out;
	if (take_date(&p, &c) != 0 || take_char(&p, ' ') != 0 ||
	    take_clock(&p, &c) != 0)
		goto out;
	/* DATETIME(6) is the widest fraction MariaDB will ever hand back. */
	if (*p == '.') {
		p++;
		while (*p >= '0' && *p <= '9') {
			p++;
			digits++;
		}
		if (digits < 1 || digits > 6)
			goto out;
	}
	if (*p != '\0')
		goto out;
	*out = civil_to_unix(&c);
	rc = 0;
out:
	return rc;
}

int64_t
time_now(void)
{
	int64_t rc = -1;
	const char *env = getenv("RETIVO_NOW");
	time_t now;

	if (env != NULL && *env != '\0' && time_parse_iso8601(env, &rc) == 0)
		goto out;
	now = time(NULL);
	rc = now == (time_t)-1 ? -1 : (int64_t)now;
out:
	return rc;
}

int64_t
time_now_ms(void)
{
	int64_t rc = -1;
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
		goto out;
	rc = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
out:
	return rc;
}

int
time_zone_name_valid(const char *s)
{
	size_t i, len = strlen(s);

	if (len == 0 || len > 64 || s[0] == '/' || s[len - 1] == '/' || strstr(s, "//") != NULL)
		return 0;
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || strchr("/_+-", s[i]) != NULL))
			return 0;
	return 1;
}
