/*
 * jobopt.h — the command line of a cron job (jobs/): "--name value"
 * options and bare flags read straight from argv, the --now clock every
 * job takes, bounded integer options, and the elapsed seconds a job's
 * summary line reports. One place for them so that every job reads its
 * options, and words its usage errors, the same way:
 *   PROG: --limit must be an integer from 1 to 1000000
 *   PROG: --now must be an ISO-8601 timestamp
 * (on stderr; the job then exits 2).
 */
#ifndef RETIVO_JOBOPT_H
#define RETIVO_JOBOPT_H

#include <stdint.h>

/*
 * The word after the first "name" in argv[1..argc), or NULL when name is
 * absent or stands last. The pointer is into argv.
 */
const char *
jobopt_value(int argc, char **argv, const char *name);

/* 1 when name stands anywhere in argv[1..argc), else 0. */
int
jobopt_flag(int argc, char **argv, const char *name);

/*
 * Checks that argv[1..argc) holds only the options of valued (each
 * followed by its value) and of flags, both NULL-terminated (flags may be
 * NULL). Returns 0, or -1 having printed "usage: <usage>" on stderr.
 */
int
jobopt_known(int argc, char **argv, const char *const *valued, const char *const *flags,
    const char *usage);

/*
 * Reads the integer text s (the value of option name) into *out when it is
 * a whole decimal number in [min, max]; s NULL leaves *out as it is.
 * Returns 0, or -1 having printed "<prog>: <name> must be an integer from
 * <min> to <max>" on stderr.
 */
int
jobopt_int(const char *prog, const char *name, const char *s, long long min, long long max,
    long long *out);

/* jobopt_int on the value of name in argv (jobopt_value). */
int
jobopt_int_arg(const char *prog, int argc, char **argv, const char *name, long long min,
    long long max, long long *out);

/*
 * The job's clock from the text of --now: s parsed as ISO-8601 into *now
 * (returns 1), or, s NULL, the current time_now() (returns 0). Returns -1
 * having printed "<prog>: --now must be an ISO-8601 timestamp" (or that
 * the clock cannot be read) on stderr.
 */
int
jobopt_now(const char *prog, const char *s, int64_t *now);

/* The fixed instant when fixed is nonzero, else time_now() read afresh. */
int64_t
jobopt_clock(int fixed, int64_t now);

/* Seconds since start_ms (a time_now_ms() reading), for the summary line. */
double
jobopt_seconds(int64_t start_ms);

#endif
