/*
 * test_url_ssrf.c — the SSRF guard: which peer addresses a webhook may
 * reach (a table of IPv4 and IPv6 literals, mapped forms included), and
 * url_target_allowed() on URLs whose hosts resolve without a network
 * (literal addresses and localhost from /etc/hosts).
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "tap.h"
#include "url.h"

static const struct {
	const char *addr;
	int allowed;	/* in production, allow_private = 0 */
} addrs[] = {
	/* IPv4 */
	{ "127.0.0.1", 0 },
	{ "127.255.255.254", 0 },
	{ "10.0.0.1", 0 },
	{ "10.255.255.255", 0 },
	{ "172.16.0.1", 0 },
	{ "172.31.255.254", 0 },
	{ "172.15.255.255", 1 },
	{ "172.32.0.1", 1 },
	{ "192.168.0.1", 0 },
	{ "192.168.255.255", 0 },
	{ "192.169.0.1", 1 },
	{ "169.254.169.254", 0 },
	{ "169.254.0.1", 0 },
	{ "100.64.0.1", 0 },
	{ "100.127.255.254", 0 },
	{ "100.100.100.200", 0 },
	{ "100.63.255.255", 1 },
	{ "100.128.0.1", 1 },
	{ "0.0.0.0", 0 },
	{ "0.1.2.3", 0 },
	{ "192.0.0.192", 0 },
	{ "198.18.0.1", 0 },
	{ "224.0.0.1", 0 },
	{ "239.255.255.250", 0 },
	{ "240.0.0.1", 0 },
	{ "255.255.255.255", 0 },
	{ "8.8.8.8", 1 },
	{ "1.1.1.1", 1 },
	{ "93.184.215.14", 1 },
	{ "11.0.0.1", 1 },
	/* IPv6 */
	{ "::1", 0 },
	{ "::", 0 },
	{ "::127.0.0.1", 0 },
	{ "::8.8.8.8", 0 },
	{ "fe80::1", 0 },
	{ "febf:ffff::1", 0 },
	{ "fec0::1", 0 },
	{ "fc00::1", 0 },
	{ "fd12:3456::1", 0 },
	{ "fd00:ec2::254", 0 },
	{ "ff02::1", 0 },
	{ "100::1", 0 },
	{ "::ffff:127.0.0.1", 0 },
	{ "::ffff:10.1.2.3", 0 },
	{ "::ffff:169.254.169.254", 0 },
	{ "::ffff:0.0.0.0", 0 },
	{ "::ffff:8.8.8.8", 1 },
	{ "64:ff9b::7f00:1", 0 },
	{ "64:ff9b::808:808", 1 },
	{ "64:ff9b:1::1", 0 },
	{ "2002:7f00:1::1", 0 },
	{ "2002:c0a8:101::1", 0 },
	{ "2002:808:808::1", 1 },
	{ "2606:4700::1111", 1 },
	{ "2001:4860:4860::8888", 1 },
	{ "2a00:1450:4001:82b::200e", 1 },
};

static const struct {
	const char *desc, *url;
	int allow_private, allowed;
} targets[] = {
	{ "loopback literal", "http://127.0.0.1:9/x", 0, 0 },
	{ "loopback literal, private allowed", "http://127.0.0.1:9/x", 1, 1 },
	{ "localhost", "http://localhost/", 0, 0 },
	{ "localhost, private allowed", "http://localhost/", 1, 1 },
	{ "IPv6 loopback", "http://[::1]:8080/hook", 0, 0 },
	{ "IPv4-mapped loopback", "http://[::ffff:127.0.0.1]/hook", 0, 0 },
	{ "metadata", "http://169.254.169.254/latest/meta-data/", 0, 0 },
	{ "IPv6 metadata", "http://[fd00:ec2::254]/latest/meta-data/", 0, 0 },
	{ "decimal loopback", "http://2130706433/", 0, 0 },
	{ "hex loopback", "http://0x7f.1/", 0, 0 },
	{ "private with https", "https://10.1.2.3/hook", 0, 0 },
	{ "public IPv4 literal", "https://8.8.8.8/hook", 0, 1 },
	{ "public IPv6 literal", "https://[2606:4700::1111]/hook", 0, 1 },
	{ "not http", "ftp://8.8.8.8/x", 0, 0 },
	{ "not http, private allowed", "ftp://8.8.8.8/x", 1, 0 },
	{ "credentials", "https://u:p@8.8.8.8/x", 0, 0 },
};

/* Fills ss from a literal; the address length, or 0 when it does not parse. */
static socklen_t
sockaddr_of(const char *s, struct sockaddr_storage *ss)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, s, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		return sizeof(*sin);
	}
	if (inet_pton(AF_INET6, s, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		return sizeof(*sin6);
	}
	return 0;
}

int
main(void)
{
	struct sockaddr_storage ss;
	struct sockaddr_un sun;
	char err[256];
	size_t i;
	int got;

	for (i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		if (!ok(sockaddr_of(addrs[i].addr, &ss) != 0, "%s parses", addrs[i].addr))
			continue;
		ok(url_addr_allowed((struct sockaddr *)&ss, 0) == addrs[i].allowed, "%s %s",
		    addrs[i].addr, addrs[i].allowed ? "allowed" : "refused");
		ok(url_addr_allowed((struct sockaddr *)&ss, 1) == 1,
		    "%s allowed with allow_private", addrs[i].addr);
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	ok(url_addr_allowed((struct sockaddr *)&sun, 0) == 0, "AF_UNIX refused");
	ok(url_addr_allowed(NULL, 0) == 0, "NULL refused");

	for (i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
		err[0] = '\0';
		got = url_target_allowed(targets[i].url, targets[i].allow_private, err,
		    sizeof(err));
		ok(got == targets[i].allowed && (got || err[0] != '\0'), "target: %s%s%s",
		    targets[i].desc, got ? "" : " — ", got ? "" : err);
	}
	err[0] = '\0';
	url_target_allowed("http://127.0.0.1:9/x", 0, err, sizeof(err));
	ok(strstr(err, "127.0.0.1") != NULL && strstr(err, "loopback") != NULL,
	    "refusal names the address: %s", err);
	return tap_done();
}
