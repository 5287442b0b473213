/*
 * sender.c — one batch of deliveries over HTTP with curl multi.
 *
 * Each transfer is a POST of the stored body bytes with the seed-000 and
 * Standard Webhooks signature headers, computed here at send time from
 * the unsealed secret, so the timestamps say when the request really left.
 * Proxies from the environment are ignored and redirects are not followed:
 * the peer we connect to is the one the URL names, and every address curl
 * is about to connect to passes url_addr_allowed() first (the send-time
 * half of the SSRF guard; DNS may have changed since registration).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include <curl/curl.h>
#include <openssl/crypto.h>

#include "crypto.h"
#include "delivery.h"
#include "log.h"
#include "sender.h"
#include "timeutil.h"
#include "url.h"
#include "webhook.h"

struct xfer {
	CURL			*easy;
	struct curl_slist	*headers;
	struct delivery_attempt	*res;
	int			 allow_private;
	int			 refused;	/* a connect address was not allowed */
	int			 done;
	int64_t			 started_ms;
	char			 retry_after[64];
	char			 errbuf[CURL_ERROR_SIZE];
};

/* Opens the socket only for an allowed peer address. */
static curl_socket_t
sender_open_socket(void *arg, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct xfer *x = arg;
	struct sockaddr_storage ss;
	size_t len = a->addrlen < sizeof(ss) ? a->addrlen : sizeof(ss);

	memset(&ss, 0, sizeof(ss));
	memcpy(&ss, &a->addr, len);
	if (purpose != CURLSOCKTYPE_IPCXN ||
	    !url_addr_allowed((const struct sockaddr *)&ss, x->allow_private)) {
		x->refused = 1;
		return CURL_SOCKET_BAD;
	}
	return socket(a->family, a->socktype, a->protocol);
}

/* The response body does not matter; drop it. */
static size_t
sender_discard(char *data, size_t size, size_t n, void *arg)
{
	(void)data;
	(void)arg;
	return size * n;
}

/* Keeps the Retry-After header's value. */
static size_t
sender_header(char *data, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;
	size_t len = size * n, name = strlen("Retry-After:"), vlen;
	const char *v;

	if (len > name && strncasecmp(data, "Retry-After:", name) == 0) {
		v = data + name;
		vlen = len - name;
		while (vlen > 0 && (*v == ' ' || *v == '\t')) {
			v++;
			vlen--;
		}
		while (vlen > 0 && (v[vlen - 1] == '\r' || v[vlen - 1] == '\n' ||
		    v[vlen - 1] == ' '))
			vlen--;
		if (vlen >= sizeof(x->retry_after))
			vlen = sizeof(x->retry_after) - 1;
		memcpy(x->retry_after, v, vlen);
		x->retry_after[vlen] = '\0';
	}
	return len;
}

static struct curl_slist *
sender_add(struct curl_slist *h, int *ok, const char *name, const char *value)
{
	char line[512];
	struct curl_slist *n;

	snprintf(line, sizeof(line), "%s: %s", name, value);
	if ((n = curl_slist_append(h, line)) == NULL) {
		*ok = 0;
		return h;
	}
	return n;
}

/* The headers of d signed at now; NULL with res->error set on failure. */
static struct curl_slist *
sender_headers(const struct delivery *d, const struct sender_conf *c, int64_t now,
    struct delivery_attempt *res)
{
	struct curl_slist *h = NULL;
	char *secret, hex[65], standard[128], iso[TIME_ISO8601_SIZE], ts[24];
	size_t slen = 0;
	int ok = 1;

	if ((secret = crypto_open(c->master_key, d->secret_sealed, &slen)) == NULL) {
		snprintf(res->error, sizeof(res->error), "cannot open the signing secret");
		log_err("sender: delivery %llu: cannot open the signing secret", d->id);
		return NULL;
	}
	if (webhook_sign_hex(secret, d->body, d->body_len, hex) != 0 ||
	    webhook_sign_standard(secret, d->msg_id, now, d->body, d->body_len, standard,
	    sizeof(standard)) != 0) {
		snprintf(res->error, sizeof(res->error), "cannot sign the body");
		log_err("sender: delivery %llu: cannot sign the body", d->id);
		OPENSSL_cleanse(secret, slen);
		free(secret);
		return NULL;
	}
	OPENSSL_cleanse(secret, slen);
	free(secret);
	time_format_iso8601(now, iso);
	snprintf(ts, sizeof(ts), "%lld", (long long)now);
	h = sender_add(h, &ok, "Content-Type", "application/json");
	h = sender_add(h, &ok, "X-Retivo-Signature", hex);
	h = sender_add(h, &ok, "X-Retivo-Timestamp", iso);
	h = sender_add(h, &ok, "X-Retivo-Action-Id", d->msg_id);
	h = sender_add(h, &ok, "webhook-id", d->msg_id);
	h = sender_add(h, &ok, "webhook-timestamp", ts);
	h = sender_add(h, &ok, "webhook-signature", standard);
	/* No "Expect: 100-continue" round trip. */
	if (ok && (h = curl_slist_append(h, "Expect:")) == NULL)
		ok = 0;
	if (!ok) {
		curl_slist_free_all(h);
		snprintf(res->error, sizeof(res->error), "out of memory");
		return NULL;
	}
	return h;
}

/* Sets up x for d; 0, or -1 with x->res->error set. */
static int
sender_prepare(struct xfer *x, const struct delivery *d, const struct sender_conf *c,
    int64_t now)
{
	CURL *e;
	int bad = 0;

	if ((x->headers = sender_headers(d, c, now, x->res)) == NULL)
		return -1;
	if ((x->easy = e = curl_easy_init()) == NULL) {
		snprintf(x->res->error, sizeof(x->res->error), "cannot start a transfer");
		return -1;
	}
	bad |= url_curl_post(e, d->url, d->body) != 0;
	bad |= curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)d->body_len) !=
	    CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->headers) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_USERAGENT, SENDER_USER_AGENT) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, (long)SENDER_CONNECT_TIMEOUT) !=
	    CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_TIMEOUT, (long)SENDER_TOTAL_TIMEOUT) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_PROXY, "") != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, sender_open_socket) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, x) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, sender_discard) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, sender_header) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_HEADERDATA, x) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_PRIVATE, x) != CURLE_OK;
	if (bad) {
		snprintf(x->res->error, sizeof(x->res->error), "cannot configure the transfer");
		log_err("sender: delivery %llu: curl_easy_setopt failed", d->id);
		return -1;
	}
	return 0;
}

/* Fills x->res from a finished transfer. */
static void
sender_finish(struct xfer *x, CURLcode cc, int64_t now)
{
	struct delivery_attempt *r = x->res;
	long status = 0;
	int64_t ms = time_now_ms();

	x->done = 1;
	r->latency_ms = ms >= x->started_ms ? ms - x->started_ms : 0;
	/* One refused address of several (say IPv6 beside IPv4) is no failure. */
	if (cc != CURLE_OK && x->refused) {
		snprintf(r->error, sizeof(r->error),
		    "refused: the target resolves to a loopback, private, link-local or "
		    "metadata address");
		return;
	}
	if (cc != CURLE_OK) {
		snprintf(r->error, sizeof(r->error), "%s",
		    x->errbuf[0] ? x->errbuf : curl_easy_strerror(cc));
		return;
	}
	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
	r->status = status;
	if (x->retry_after[0] != '\0')
		r->retry_after = webhook_parse_retry_after(x->retry_after, now);
	if (status < 200 || status > 299)
		snprintf(r->error, sizeof(r->error), "HTTP %ld", status);
}

int
sender_send(const struct delivery *d, size_t n, const struct sender_conf *c, int64_t now,
    struct delivery_attempt *res)
{
	CURLM *multi = NULL;
	struct xfer *x = NULL;
	CURLMsg *msg;
	CURLMcode mc;
	char *done;
	int running = 0, left, rc = -1;
	size_t i;

	for (i = 0; i < n; i++) {
		memset(&res[i], 0, sizeof(res[i]));
		res[i].retry_after = -1;
	}
	if (n == 0)
		return 0;
	if (n > SENDER_MAX_PARALLEL || (x = calloc(n, sizeof(*x))) == NULL ||
	    (multi = curl_multi_init()) == NULL) {
		log_err("sender: cannot start a batch of %zu", n);
		for (i = 0; i < n; i++)
			snprintf(res[i].error, sizeof(res[i].error), "cannot start the transfer");
		goto out;
	}
	for (i = 0; i < n; i++) {
		x[i].res = &res[i];
		x[i].allow_private = c->allow_private;
		x[i].started_ms = time_now_ms();
		if (sender_prepare(&x[i], &d[i], c, now) != 0 ||
		    curl_multi_add_handle(multi, x[i].easy) != CURLM_OK) {
			if (res[i].error[0] == '\0')
				snprintf(res[i].error, sizeof(res[i].error), "cannot start the transfer");
			curl_easy_cleanup(x[i].easy);
			x[i].easy = NULL;
			x[i].done = 1;
		}
	}
	do {
		if ((mc = curl_multi_perform(multi, &running)) != CURLM_OK) {
			log_err("sender: curl_multi_perform: %s", curl_multi_strerror(mc));
			break;
		}
		while ((msg = curl_multi_info_read(multi, &left)) != NULL) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			done = NULL;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &done);
			if (done != NULL)
				sender_finish((struct xfer *)(void *)done, msg->data.result, now);
		}
		if (running > 0 && (mc = curl_multi_poll(multi, NULL, 0, 1000, NULL)) != CURLM_OK) {
			log_err("sender: curl_multi_poll: %s", curl_multi_strerror(mc));
			break;
		}
	} while (running > 0);
	rc = 0;
out:
	for (i = 0; x != NULL && i < n; i++) {
		if (!x[i].done)
			snprintf(res[i].error, sizeof(res[i].error), "transfer interrupted");
		if (x[i].easy != NULL) {
			curl_multi_remove_handle(multi, x[i].easy);
			curl_easy_cleanup(x[i].easy);
		}
		curl_slist_free_all(x[i].headers);
	}
	if (multi != NULL)
		curl_multi_cleanup(multi);
	free(x);
	return rc;
}
