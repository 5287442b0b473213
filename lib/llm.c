/*
 * llm.c — see llm.h.
 *
 * One blocking libcurl POST with a total timeout (connect included), no
 * redirects, no proxy from the environment, http/https only. The endpoint
 * is the operator's (config), not a tenant's, so loopback is allowed (the
 * tests' fake endpoint). Every failure comes back as a short reason for
 * the "llm" quality check; the API key never appears in a log or reason.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "conf.h"
#include "llm.h"
#include "log.h"
#include "quality.h"
#include "url.h"

#define LLM_USER_AGENT	"Retivo-LLM/1"

struct reply {
	char	*p;
	size_t	 len;
	int	 too_long;
};

static size_t
llm_write(char *data, size_t size, size_t nmemb, void *arg)
{
	struct reply *r = arg;
	size_t n = size * nmemb;
	char *p;

	if (r->len + n > LLM_MAX_REPLY) {
		r->too_long = 1;
		return 0;	/* aborts the transfer: CURLE_WRITE_ERROR */
	}
	if ((p = realloc(r->p, r->len + n + 1)) == NULL)
		return 0;
	r->p = p;
	memcpy(r->p + r->len, data, n);
	r->len += n;
	r->p[r->len] = '\0';
	return n;
}

int
llm_enabled(const struct conf *c)
{
	return c != NULL && c->llm_url[0] != '\0';
}

void
llm_draft_clear(struct llm_draft *d)
{
	free(d->subject);
	free(d->body);
	d->subject = d->body = NULL;
}

/* A string member of o, or NULL. */
static const char *
member_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

int
llm_parse_reply(const char *body, size_t len, struct llm_draft *out, char *err, size_t errlen)
{
	struct json_tokener *tok = NULL;
	struct json_object *root = NULL, *content_obj = NULL, *v, *choice;
	const char *content, *subject, *text;
	char *inner = NULL, *end;
	size_t n;
	int rc = -1;

	out->subject = out->body = NULL;
	if ((tok = json_tokener_new()) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	root = json_tokener_parse_ex(tok, body, (int)len);
	for (n = root != NULL ? (size_t)tok->char_offset : 0; n < len &&
	    isspace((unsigned char)body[n]); n++)
		;
	if (root == NULL || json_tokener_get_error(tok) != json_tokener_success || n != len ||
	    !json_object_is_type(root, json_type_object)) {
		snprintf(err, errlen, "reply is not JSON");
		goto out;
	}
	if (!json_object_object_get_ex(root, "choices", &v) ||
	    !json_object_is_type(v, json_type_array) || json_object_array_length(v) == 0 ||
	    (choice = json_object_array_get_idx(v, 0)) == NULL ||
	    !json_object_object_get_ex(choice, "message", &v) ||
	    (content = member_str(v, "content")) == NULL) {
		snprintf(err, errlen, "reply has no choices[0].message.content");
		goto out;
	}
	/* Some models fence the JSON in ``` lines despite response_format. */
	while (isspace((unsigned char)*content))
		content++;
	if ((inner = strdup(content)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (strncmp(inner, "```", 3) == 0) {
		end = strchr(inner, '\n');
		memmove(inner, end ? end + 1 : inner + 3, strlen(end ? end + 1 : inner + 3) + 1);
		n = strlen(inner);
		while (n > 0 && isspace((unsigned char)inner[n - 1]))
			n--;
		if (n >= 3 && strncmp(inner + n - 3, "```", 3) == 0)
			n -= 3;
		inner[n] = '\0';
	}
	json_tokener_reset(tok);
	content_obj = json_tokener_parse_ex(tok, inner, (int)strlen(inner));
	if (content_obj == NULL || json_tokener_get_error(tok) != json_tokener_success ||
	    !json_object_is_type(content_obj, json_type_object)) {
		snprintf(err, errlen, "content is not a JSON object");
		goto out;
	}
	if ((text = member_str(content_obj, "body")) == NULL || *text == '\0') {
		snprintf(err, errlen, "no body in the reply");
		goto out;
	}
	if (strlen(text) > QUALITY_EMAIL_BODY_MAX) {
		snprintf(err, errlen, "body longer than %d bytes", QUALITY_EMAIL_BODY_MAX);
		goto out;
	}
	subject = member_str(content_obj, "subject");
	if ((out->body = strdup(text)) == NULL ||
	    (subject != NULL && *subject != '\0' && (out->subject = strdup(subject)) == NULL)) {
		llm_draft_clear(out);
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	rc = 0;
out:
	free(inner);
	if (content_obj != NULL)
		json_object_put(content_obj);
	if (root != NULL)
		json_object_put(root);
	if (tok != NULL)
		json_tokener_free(tok);
	return rc;
}

/* The request body: {"model", "messages", "temperature", "response_format"}. */
static char *
llm_request(const struct conf *c, const char *system_prompt, const char *user_prompt)
{
	struct json_object *o, *msgs, *m, *fmt;
	char *s = NULL;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	msgs = json_object_new_array();
	json_object_object_add(o, "model", json_object_new_string(c->llm_model));
	m = json_object_new_object();
	json_object_object_add(m, "role", json_object_new_string("system"));
	json_object_object_add(m, "content", json_object_new_string(system_prompt));
	json_object_array_add(msgs, m);
	m = json_object_new_object();
	json_object_object_add(m, "role", json_object_new_string("user"));
	json_object_object_add(m, "content", json_object_new_string(user_prompt));
	json_object_array_add(msgs, m);
	json_object_object_add(o, "messages", msgs);
	json_object_object_add(o, "temperature", json_object_new_double_s(0.4, "0.4"));
	fmt = json_object_new_object();
	json_object_object_add(fmt, "type", json_object_new_string("json_object"));
	json_object_object_add(o, "response_format", fmt);
	s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return s;
}

int
llm_draft(const struct conf *c, const char *system_prompt, const char *user_prompt,
    struct llm_draft *out, char *err, size_t errlen)
{
	struct reply r = { NULL, 0, 0 };
	struct curl_slist *headers = NULL, *h;
	char auth[300], *body = NULL;
	CURL *e = NULL;
	CURLcode cc;
	long status = 0;
	int bad = 0, rc = -1;

	out->subject = out->body = NULL;
	if (!llm_enabled(c)) {
		snprintf(err, errlen, "no llm_url configured");
		return -1;
	}
	if ((body = llm_request(c, system_prompt, user_prompt)) == NULL ||
	    (e = curl_easy_init()) == NULL) {
		snprintf(err, errlen, "cannot start a request");
		goto out;
	}
	headers = curl_slist_append(NULL, "Content-Type: application/json");
	if (headers != NULL && c->llm_api_key[0] != '\0') {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", c->llm_api_key);
		if ((h = curl_slist_append(headers, auth)) == NULL) {
			curl_slist_free_all(headers);
			headers = NULL;
		} else
			headers = h;
		/* The key stays out of core dumps of long-lived programs as far as we can. */
		memset(auth, 0, sizeof(auth));
	}
	if (headers == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	bad |= url_curl_post(e, c->llm_url, body) != 0;
	bad |= curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_USERAGENT, LLM_USER_AGENT) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)c->llm_timeout_ms) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)c->llm_timeout_ms) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_PROXY, "") != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, llm_write) != CURLE_OK;
	bad |= curl_easy_setopt(e, CURLOPT_WRITEDATA, &r) != CURLE_OK;
	if (bad) {
		snprintf(err, errlen, "cannot set up the request");
		goto out;
	}
	cc = curl_easy_perform(e);
	if (cc == CURLE_OPERATION_TIMEDOUT) {
		snprintf(err, errlen, "timeout after %u ms", c->llm_timeout_ms);
		goto out;
	}
	if (cc == CURLE_WRITE_ERROR && r.too_long) {
		snprintf(err, errlen, "reply longer than %d bytes", LLM_MAX_REPLY);
		goto out;
	}
	if (cc != CURLE_OK) {
		snprintf(err, errlen, "request failed: %s", curl_easy_strerror(cc));
		goto out;
	}
	if (curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK || status != 200) {
		snprintf(err, errlen, "HTTP %ld", status);
		goto out;
	}
	if (r.p == NULL) {
		snprintf(err, errlen, "empty reply");
		goto out;
	}
	if (llm_parse_reply(r.p, r.len, out, err, errlen) != 0)
		goto out;
	rc = 0;
out:
	if (rc != 0)
		log_warn("llm: draft failed, using the template: %s", err);
	curl_slist_free_all(headers);
	if (e != NULL)
		curl_easy_cleanup(e);
	free(body);
	free(r.p);
	return rc;
}
