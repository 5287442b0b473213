/*
 * tap.h — a minimal Test Anything Protocol emitter for the unit tests.
 *
 * Each check prints "ok N - description" or "not ok N - description", and
 * tap_done() prints the plan "1..N" and returns the process exit status.
 * automake's tap-driver.sh reads this output under `make check`, and
 * `./run.sh test` counts the same lines for its summary.
 */
#ifndef RETIVO_TAP_H
#define RETIVO_TAP_H

#include <stdarg.h>
#include <stdio.h>

static int tap_count;
static int tap_failed;

/* Records one test point; returns cond so callers can branch on it. */
__attribute__((format(printf, 4, 5), unused))
static int
tap_ok(int cond, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	tap_count++;
	if (!cond)
		tap_failed++;
	printf("%s %d - ", cond ? "ok" : "not ok", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond)
		printf("#   failed at %s:%d\n", file, line);
	fflush(stdout);
	return cond;
}

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

/* A diagnostic line, ignored by TAP consumers. */
#define diag(...) do { printf("# "); printf(__VA_ARGS__); printf("\n"); } while (0)

/* Prints the plan; returns 0 when every test point passed, 1 otherwise. */
__attribute__((unused))
static int
tap_done(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed ? 1 : 0;
}

#endif
