/*
 * log.h — one line per event on stderr, which lighttpd and Apache copy into
 * their error log for FastCGI programs and cron mails for jobs.
 */
#ifndef RETIVO_LOG_H
#define RETIVO_LOG_H

/* Sets the program name printed on every line; the pointer is kept. */
void log_init(const char *progname);

/* Prints "ts prog[pid] LEVEL: message" on stderr. */
void log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
