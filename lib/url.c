/*
 * url.c — URL checks through libcurl's own parser, so what we accept is
 * exactly what the dispatcher will be able to call, and the SSRF guard:
 * which peer addresses a webhook may reach. The address rules are pure;
 * url_target_allowed() adds the DNS lookup.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "url.h"

int
url_http_valid(const char *s, char *err, size_t errlen)
{
	CURLU *u;
	char *scheme = NULL, *host = NULL, *user = NULL;
	int ok = 0;

	if (s == NULL || strlen(s) > 2048) {
		snprintf(err, errlen, "must be a URL of at most 2048 characters");
		return 0;
	}
	if ((u = curl_url()) == NULL) {
		snprintf(err, errlen, "cannot parse URL");
		return 0;
	}
	if (curl_url_set(u, CURLUPART_URL, s, 0) != CURLUE_OK) {
		snprintf(err, errlen, "must be an absolute http(s) URL");
		goto out;
	}
	if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    (strcasecmp(scheme, "http") != 0 && strcasecmp(scheme, "https") != 0)) {
		snprintf(err, errlen, "must use the http or https scheme");
		goto out;
	}
	if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || host[0] == '\0') {
		snprintf(err, errlen, "must name a host");
		goto out;
	}
	if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK) {
		snprintf(err, errlen, "must not carry credentials in the URL");
		goto out;
	}
	ok = 1;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(user);
	curl_url_cleanup(u);
	return ok;
}

/*
 * 1 when the IPv4 address (host byte order) is public: not this-network
 * 0/8, private 10/8, 172.16/12, 192.168/16, CGNAT 100.64/10, loopback
 * 127/8, link-local 169.254/16 (the cloud metadata 169.254.169.254 among
 * them), IETF 192.0.0/24, benchmarking 198.18/15, multicast 224/4 or
 * reserved 240/4 with broadcast.
 */
static int
ipv4_public(uint32_t a)
{
	static const struct {
		uint32_t net, mask;
	} refused[] = {
		{ 0x00000000, 0xff000000 },	/* 0.0.0.0/8 */
		{ 0x0a000000, 0xff000000 },	/* 10.0.0.0/8 */
		{ 0x64400000, 0xffc00000 },	/* 100.64.0.0/10 */
		{ 0x7f000000, 0xff000000 },	/* 127.0.0.0/8 */
		{ 0xa9fe0000, 0xffff0000 },	/* 169.254.0.0/16 */
		{ 0xac100000, 0xfff00000 },	/* 172.16.0.0/12 */
		{ 0xc0000000, 0xffffff00 },	/* 192.0.0.0/24 */
		{ 0xc0a80000, 0xffff0000 },	/* 192.168.0.0/16 */
		{ 0xc6120000, 0xfffe0000 },	/* 198.18.0.0/15 */
		{ 0xe0000000, 0xf0000000 },	/* 224.0.0.0/4 */
		{ 0xf0000000, 0xf0000000 },	/* 240.0.0.0/4 */
	};
	size_t i;

	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		if ((a & refused[i].mask) == refused[i].net)
			return 0;
	return 1;
}

/* The four bytes at p as a host-order IPv4 address. */
static uint32_t
ipv4_at(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/*
 * 1 when the IPv6 address is public. Forms that carry an IPv4 address a
 * host or gateway would reach (IPv4-mapped ::ffff:0:0/96, NAT64
 * 64:ff9b::/96, 6to4 2002::/16) are judged by that address; refused
 * outright: the IPv4-compatible ::/96 (with :: and ::1), local NAT64
 * 64:ff9b:1::/48, discard 100::/64, unique local fc00::/7 (the AWS
 * metadata fd00:ec2::254 among them), link-local fe80::/10, the old
 * site-local fec0::/10 and multicast ff00::/8.
 */
static int
ipv6_public(const unsigned char b[16])
{
	static const unsigned char zero[12], mapped[12] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
	}, nat64[12] = { 0x00, 0x64, 0xff, 0x9b };

	if (memcmp(b, mapped, 12) == 0 || memcmp(b, nat64, 12) == 0)
		return ipv4_public(ipv4_at(b + 12));
	if (b[0] == 0x20 && b[1] == 0x02)
		return ipv4_public(ipv4_at(b + 2));
	if (memcmp(b, zero, 12) == 0)
		return 0;
	if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b[4] == 0x00 &&
	    b[5] == 0x01)
		return 0;
	if (b[0] == 0x01 && b[1] == 0x00 && memcmp(b + 2, zero, 6) == 0)
		return 0;
	if ((b[0] & 0xfe) == 0xfc || b[0] == 0xff)
		return 0;
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)	/* fe80::/10 */
		return 0;
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0)	/* fec0::/10 */
		return 0;
	return 1;
}

/*
 * See url.h. Any family other than IPv4 and IPv6 (and a NULL address) is
 * refused unless allow_private.
 */
int
url_addr_allowed(const struct sockaddr *sa, int allow_private)
{
	const struct sockaddr_in *sin;
	const struct sockaddr_in6 *sin6;

	if (allow_private)
		return 1;
	if (sa == NULL)
		return 0;
	if (sa->sa_family == AF_INET) {
		sin = (const struct sockaddr_in *)(const void *)sa;
		return ipv4_public(ntohl(sin->sin_addr.s_addr));
	}
	if (sa->sa_family == AF_INET6) {
		sin6 = (const struct sockaddr_in6 *)(const void *)sa;
		return ipv6_public(sin6->sin6_addr.s6_addr);
	}
	return 0;
}

/*
 * See url.h. With allow_private nothing is resolved (every address would
 * pass), so the dev/test stack never depends on DNS. The host comes from
 * libcurl's parser, brackets of an IPv6 literal removed, so the name
 * checked is the one the sender will connect to.
 */
int
url_target_allowed(const char *url, int allow_private, char *err, size_t errlen)
{
	struct addrinfo hints, *res = NULL, *ai;
	char *host = NULL, name[256], shown[INET6_ADDRSTRLEN];
	CURLU *u = NULL;
	size_t len;
	int gai, ok = 0;

	if (!url_http_valid(url, err, errlen))
		return 0;
	if (allow_private)
		return 1;
	if ((u = curl_url()) == NULL || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		snprintf(err, errlen, "must be an absolute http(s) URL");
		goto out;
	}
	len = strlen(host);
	if (host[0] == '[' && len >= 2 && host[len - 1] == ']') {
		len -= 2;
		memmove(host, host + 1, len);
		host[len] = '\0';
	}
	if (len == 0 || len >= sizeof(name)) {
		snprintf(err, errlen, "must name a host");
		goto out;
	}
	memcpy(name, host, len + 1);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((gai = getaddrinfo(name, NULL, &hints, &res)) != 0) {
		snprintf(err, errlen, "host %s does not resolve", name);
		goto out;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if (!url_addr_allowed(ai->ai_addr, 0)) {
			if (getnameinfo(ai->ai_addr, ai->ai_addrlen, shown, sizeof(shown), NULL, 0,
			    NI_NUMERICHOST) != 0)
				snprintf(shown, sizeof(shown), "?");
			snprintf(err, errlen, "must not point to a loopback, private or link-local "
			    "address (%s%s%s)", strcmp(name, shown) == 0 ? "" : name,
			    strcmp(name, shown) == 0 ? "" : " resolves to ", shown);
			goto out;
		}
	}
	ok = 1;
out:
	if (res != NULL)
		freeaddrinfo(res);
	curl_free(host);
	curl_url_cleanup(u);
	return ok;
}

int
url_curl_post(CURL *e, const char *url, const char *body)
{
	int bad = 0;

	bad |= curl_easy_setopt(e, CURLOPT_URL, url) != CURLE_OK;
#if LIBCURL_VERSION_NUM >= 0x075500
	bad |= curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK;
#else
	bad |= curl_easy_setopt(e, CURLOPT_PROTOCOLS,
	    (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS)) != CURLE_OK;
#endif
	bad |= curl_easy_setopt(e, CURLOPT_POST, 1L) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_POSTFIELDS, body) != CURLE_OK;
	return bad ? -1 : 0;
}
