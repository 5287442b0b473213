/*
 * url.h — checking URLs that we will later call (webhook targets), and
 * pointing a transfer at one.
 */
#ifndef RETIVO_URL_H
#define RETIVO_URL_H

#include <stddef.h>

#include <curl/curl.h>

/*
 * 1 when s is an absolute http:// or https:// URL with a host, no user
 * info, and at most 2048 bytes; else 0 with the reason in err. Pure (the
 * host is not resolved here).
 */
int url_http_valid(const char *s, char *err, size_t errlen);

struct sockaddr;

/*
 * 1 when a peer address may be called: always when allow_private; else
 * not for loopback, private (RFC 1918, fc00::/7), link-local (incl.
 * 169.254.169.254 metadata), unspecified, multicast, CGNAT 100.64/10,
 * or IPv4-mapped forms of those. Pure.
 */
int url_addr_allowed(const struct sockaddr *sa, int allow_private);

/*
 * Resolves the URL's host and checks every address with
 * url_addr_allowed(). 1 allowed, 0 refused or unresolvable (reason in err).
 * The sender checks again at connect time, since DNS can change.
 */
int url_target_allowed(const char *url, int allow_private, char *err, size_t errlen);

/*
 * Sets up the curl handle e to POST body (a NUL-terminated string, not
 * copied: it must outlive the transfer) to url over http or https only,
 * so that no redirect or odd scheme makes it speak another protocol.
 * Returns 0, or -1 when libcurl refused one of the options.
 */
int url_curl_post(CURL *e, const char *url, const char *body);

#endif
