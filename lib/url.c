/*
 * url.c — URL checks through libcurl's own parser, so what we accept is
 * exactly what the dispatcher will be able to call.
 */
#include "config.h"

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
