/*
 * url.h — checking URLs that we will later call (webhook targets).
 */
#ifndef RETIVO_URL_H
#define RETIVO_URL_H

#include <stddef.h>

/*
 * 1 when s is an absolute http:// or https:// URL with a host, no user
 * info, and at most 2048 bytes; else 0 with the reason in err. Pure (the
 * host is not resolved here).
 */
int url_http_valid(const char *s, char *err, size_t errlen);

#endif
