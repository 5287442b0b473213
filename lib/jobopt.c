/*
 * jobopt.c — reading a cron job's command line (see jobopt.h). Options
 * are looked up in argv where they stand rather than parsed into a table,
 * so a job asks only for what it takes; jobopt_known is the one pass that
 * refuses what no job option is.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jobopt.h"
#include "names.h"
#include "timeutil.h"

const char *
jobopt_value(int argc, char **argv, const char *name)
{
	int i;

	for (i = 1; i + 1 < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return argv[i + 1];
	return NULL;
}

int
jobopt_flag(int argc, char **argv, const char *name)
{
	int i;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return 1;
	return 0;
}

/* 1 when s is one of the NULL-terminated names (names may be NULL). */
static int
jobopt_in(const char *const *names, const char *s)
{
	return names != NULL && names_find(names, s) >= 0;
}

int
jobopt_known(int argc, char **argv, const char *const *valued, const char *const *flags,
    const char *usage)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (jobopt_in(flags, argv[i]))
			continue;
		if (jobopt_in(valued, argv[i]) && i + 1 < argc) {
			i++;
			continue;
		}
		fprintf(stderr, "usage: %s\n", usage);
		return -1;
	}
	return 0;
}

int
jobopt_int(const char *prog, const char *name, const char *s, long long min, long long max,
    long long *out)
{
	char *end;
	long long v;

	if (s == NULL)
		return 0;
	v = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v < min || v > max) {
		fprintf(stderr, "%s: %s must be an integer from %lld to %lld\n", prog, name, min,
		    max);
		return -1;
	}
	*out = v;
	return 0;
}

int
jobopt_int_arg(const char *prog, int argc, char **argv, const char *name, long long min,
    long long max, long long *out)
{
	return jobopt_int(prog, name, jobopt_value(argc, argv, name), min, max, out);
}

int
jobopt_now(const char *prog, const char *s, int64_t *now)
{
	if (s == NULL) {
		if ((*now = time_now()) < 0) {
			fprintf(stderr, "%s: cannot read the clock\n", prog);
			return -1;
		}
		return 0;
	}
	if (time_parse_iso8601(s, now) != 0) {
		fprintf(stderr, "%s: --now must be an ISO-8601 timestamp\n", prog);
		return -1;
	}
	return 1;
}

int64_t
jobopt_clock(int fixed, int64_t now)
{
	return fixed ? now : time_now();
}

double
jobopt_seconds(int64_t start_ms)
{
	return (double)(time_now_ms() - start_ms) / 1000.0;
}
