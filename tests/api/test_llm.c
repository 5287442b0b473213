/*
 * test_llm.c — LLM drafting of intervention messages against a fake
 * OpenAI-compatible endpoint on loopback (retivo-receiver answering with
 * canned chat completions; never a real service).
 *
 * retivo-evaluate runs with RETIVO_LLM_URL/KEY/MODEL/TIMEOUT_MS in its
 * environment (job_run() passes ours on). One tenant, one active email
 * playbook whose template works on its own; each case adds a new user,
 * points the job at a path of the receiver scripted for that case and
 * reads the intervention back from GET /api/interventions:
 *
 *   a good draft           used: subject and body from the reply, the
 *                          {{unsubscribe_url}} marker filled with the
 *                          user's signed link, check "llm" passed; the
 *                          request carried the model, the Bearer key, the
 *                          brand, and no email address or user id
 *   timeout                template used, "fallback: timeout after 400
 *                          ms", and the job did not wait for the reply
 *   HTTP 500, garbage, prose content, no body, connection refused,
 *   a draft with a thing to avoid, a draft with a broken marker
 *                          template used, the reason in the detail
 *   use_llm false          no request at all, no "llm" check
 *   a dead endpoint        after three failures in a row the run stops
 *                          asking (the breaker), the rest get the template
 *
 * A fallback never flags the intervention (the template's message passed).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client.h"
#include "helpers.h"
#include "receiver_client.h"
#include "suites.h"
#include "timeutil.h"

static struct fixture fl;	/* LLM allowed */
static struct fixture fn;	/* a playbook with "use_llm": false */

#define HINTS "{\"tone\":\"friendly\",\"subject\":\"Welcome to {{brand.product_name}}\"," \
	"\"template\":\"Hi {{user.first_name|default:\\\"there\\\"}}, welcome to " \
	"{{brand.product_name}}.\\n\\nSent to {{user.email}}.\\nUnsubscribe: {{unsubscribe_url}}\"%s}"
#define TEMPLATE_BODY "Hi Ada, welcome to Rocket."

/* A chat completion whose message content is content (any text). */
static char *
completion(const char *content)
{
	struct json_object *o = json_object_new_object(), *choices = json_object_new_array();
	struct json_object *c = json_object_new_object(), *m = json_object_new_object();
	char *s;

	json_object_object_add(o, "id", json_object_new_string("chatcmpl-test"));
	json_object_object_add(o, "object", json_object_new_string("chat.completion"));
	json_object_object_add(m, "role", json_object_new_string("assistant"));
	json_object_object_add(m, "content", json_object_new_string(content));
	json_object_object_add(c, "index", json_object_new_int(0));
	json_object_object_add(c, "message", m);
	json_object_object_add(c, "finish_reason", json_object_new_string("stop"));
	json_object_array_add(choices, c);
	json_object_object_add(o, "choices", choices);
	s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return s;
}

/* Scripts path to answer once with status, body (NULL: default) after delay_ms. */
static int
script(const char *path, int status, const char *body, int delay_ms)
{
	struct json_object *a = json_object_new_array(), *e = json_object_new_object();
	int rc;

	json_object_object_add(e, "status", json_object_new_int(status));
	if (body != NULL)
		json_object_object_add(e, "body", json_object_new_string(body));
	if (delay_ms > 0)
		json_object_object_add(e, "delay_ms", json_object_new_int(delay_ms));
	json_object_array_add(a, e);
	rc = receiver_script(path, json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN));
	json_object_put(a);
	return rc;
}

/* Creates the tenant's brand and active playbook; 0 or -1. */
static int
setup(const struct fixture *f, const char *extra_hint)
{
	char hints[600];
	struct resp r;
	int rc = 0;

	api(&r, "PATCH", "/api/settings/brand", f->key,
	    "{\"company_name\":\"Acme\",\"product_name\":\"Rocket\",\"voice\":\"plain\","
	    "\"things_to_avoid\":[\"discount\"]}");
	if (r.status != 200) {
		diag("PATCH /api/settings/brand: %ld %s", r.status, r.body);
		rc = -1;
	}
	resp_free(&r);
	snprintf(hints, sizeof(hints), HINTS, extra_hint);
	api(&r, "POST", "/api/playbooks", f->key,
	    "{\"name\":\"Welcome\",\"lifecycle_area\":\"onboarding\",\"status\":\"active\","
	    "\"entry_conditions\":{\"stages\":[\"new\"]},\"exit_conditions\":{},"
	    "\"constraints\":{\"channel\":\"email\",\"approval_required\":false,"
	    "\"cooldown_days\":3,\"holdout_percent\":0},\"strategy_hints\":%s}", hints);
	if (r.status != 201) {
		diag("POST /api/playbooks: %ld %s", r.status, r.body);
		rc = -1;
	}
	resp_free(&r);
	return rc;
}

/* Adds user, Ada Lovelace at ada+user@example.com, with a $identify at t. */
static int
add_ada(const char *key, const char *user, int64_t t)
{
	char props[160];

	snprintf(props, sizeof(props), "{\"email\":\"ada+%s@example.com\","
	    "\"name\":\"Ada Lovelace\"}", user);
	return post_event(key, user, "$identify", t, props);
}

struct outcome {
	struct resp	 r;		/* GET /api/interventions?user_id= */
	double		 seconds;	/* the evaluate run */
	int		 ok;		/* one intervention found */
};

/*
 * Adds user (Ada Lovelace, ada+user@example.com), runs retivo-evaluate for
 * the tenant with the LLM at url (NULL: llm_url unset), timeout_ms, and
 * fetches the user's intervention into o (caller frees o->r).
 */
static void
run_case(const struct fixture *f, const char *user, const char *url, int timeout_ms,
    struct outcome *o)
{
	char iso[TIME_ISO8601_SIZE], path[128], tmo[16];
	struct timespec a, b;
	int64_t now;
	int rc;

	memset(o, 0, sizeof(*o));
	now = (int64_t)time(NULL);
	time_format_iso8601(now, iso);
	add_ada(f->key, user, now);
	if (url != NULL)
		setenv("RETIVO_LLM_URL", url, 1);
	else
		unsetenv("RETIVO_LLM_URL");
	snprintf(tmo, sizeof(tmo), "%d", timeout_ms);
	setenv("RETIVO_LLM_TIMEOUT_MS", tmo, 1);
	setenv("RETIVO_LLM_API_KEY", "sk-test-123", 1);
	setenv("RETIVO_LLM_MODEL", "fake-model-1", 1);
	clock_gettime(CLOCK_MONOTONIC, &a);
	rc = job_run("evaluate", "--now %s --tenant %s", iso, f->tenant_id);
	clock_gettime(CLOCK_MONOTONIC, &b);
	unsetenv("RETIVO_LLM_URL");
	unsetenv("RETIVO_LLM_TIMEOUT_MS");
	unsetenv("RETIVO_LLM_API_KEY");
	unsetenv("RETIVO_LLM_MODEL");
	o->seconds = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
	if (rc != 0)
		diag("retivo-evaluate exited %d: %s", rc, job_output());
	snprintf(path, sizeof(path), "/api/interventions?user_id=%s", user);
	api(&o->r, "GET", path, f->key, NULL);
	o->ok = rc == 0 && o->r.status == 200 && jstr(&o->r, "interventions.0.id") != NULL &&
	    jstr(&o->r, "interventions.1.id") == NULL;
	if (!o->ok)
		diag("GET %s: %ld %s (evaluate: %s)", path, o->r.status, o->r.body, job_output());
}

/* The detail of check name in the intervention's quality_checks, or NULL;
 * *passed set when found. */
static const char *
check_detail(const struct outcome *o, const char *name, int *passed)
{
	struct json_object *arr = jget(&o->r, "interventions.0.quality_checks"), *item, *v;
	size_t i;

	for (i = 0; arr != NULL && i < json_object_array_length(arr); i++) {
		item = json_object_array_get_idx(arr, i);
		if (!json_object_object_get_ex(item, "check", &v) ||
		    strcmp(json_object_get_string(v), name) != 0)
			continue;
		json_object_object_get_ex(item, "passed", &v);
		*passed = json_object_get_boolean(v);
		json_object_object_get_ex(item, "detail", &v);
		return json_object_get_string(v);
	}
	return NULL;
}

/* The case fell back: the template's message, the reason in the "llm" check. */
static void
expect_fallback(const char *desc, const char *user, const char *url, int timeout_ms,
    const char *reason)
{
	struct outcome o;
	const char *detail;
	int passed = -1;

	run_case(&fl, user, url, timeout_ms, &o);
	if (ok(o.ok, "%s: one intervention", desc)) {
		detail = check_detail(&o, "llm", &passed);
		ok(strstr(nz(jstr(&o.r, "interventions.0.message_body")), TEMPLATE_BODY) != NULL &&
		    strcmp(nz(jstr(&o.r, "interventions.0.subject")), "Welcome to Rocket") == 0,
		    "%s: the template's message is used: %s", desc,
		    nz(jstr(&o.r, "interventions.0.message_body")));
		ok(detail != NULL && passed == 0 && strncmp(detail, "fallback: ", 10) == 0 &&
		    strstr(detail, reason) != NULL, "%s: check llm failed with \"%s\": %s", desc,
		    reason, nz(detail));
		ok(jget(&o.r, "interventions.0.flagged") != NULL &&
		    !json_object_get_boolean(jget(&o.r, "interventions.0.flagged")),
		    "%s: a fallback does not flag it", desc);
	}
	resp_free(&o.r);
}

static void
test_good_draft(void)
{
	struct outcome o;
	struct json_object *log, *req, *body = NULL, *v;
	char *reply;
	const char *detail, *text, *auth, *sent;
	int passed = -1;

	reply = completion("{\"subject\": \"Ada, Rocket is ready when you are\", \"body\": "
	    "\"Hello Ada,\\n\\nYour Rocket workspace is set up.\\n\\n"
	    "Unsubscribe: {{unsubscribe_url}}\"}");
	ok(script("/llm/good", 200, reply, 0) == 0, "good: scripted");
	free(reply);
	run_case(&fl, "u-good", receiver_url("/llm/good"), 5000, &o);
	if (ok(o.ok, "good: one intervention")) {
		text = nz(jstr(&o.r, "interventions.0.message_body"));
		ok(strcmp(nz(jstr(&o.r, "interventions.0.subject")),
		    "Ada, Rocket is ready when you are") == 0, "good: the subject is the draft's: %s",
		    nz(jstr(&o.r, "interventions.0.subject")));
		ok(strncmp(text, "Hello Ada,\n\nYour Rocket workspace is set up.\n\nUnsubscribe: ",
		    59) == 0 && strstr(text, "/unsubscribe?token=v1.") != NULL &&
		    strstr(text, "{{") == NULL, "good: the body is the draft's, with the signed link: "
		    "%s", text);
		detail = check_detail(&o, "llm", &passed);
		ok(detail != NULL && passed == 1 && strcmp(detail, "drafted by fake-model-1") == 0,
		    "good: check llm passed, %s", nz(detail));
		ok(check_detail(&o, "unsubscribe_link", &passed) != NULL && passed == 1 &&
		    check_detail(&o, "placeholders", &passed) != NULL && passed == 1,
		    "good: the draft passed the other checks");
	}
	resp_free(&o.r);

	log = receiver_log("/llm/good");
	req = log != NULL && json_object_array_length(log) == 1 ?
	    json_object_array_get_idx(log, 0) : NULL;
	ok(req != NULL, "good: exactly one request reached the endpoint");
	if (req != NULL) {
		json_object_object_get_ex(req, "authorization", &v);
		auth = v != NULL ? json_object_get_string(v) : NULL;
		ok(auth != NULL && strcmp(auth, "Bearer sk-test-123") == 0,
		    "good: the key went as a Bearer token");
		json_object_object_get_ex(req, "method", &v);
		ok(strcmp(json_object_get_string(v), "POST") == 0, "good: a POST");
		json_object_object_get_ex(req, "body", &v);
		sent = json_object_get_string(v);
		body = json_tokener_parse(sent);
		ok(body != NULL && json_object_object_get_ex(body, "model", &v) &&
		    strcmp(json_object_get_string(v), "fake-model-1") == 0,
		    "good: the request names the configured model");
		ok(body != NULL && json_object_object_get_ex(body, "messages", &v) &&
		    json_object_array_length(v) == 2, "good: a system and a user message");
		ok(strstr(sent, "Rocket") != NULL && strstr(sent, "friendly") != NULL &&
		    strstr(sent, "discount") != NULL, "good: brand, tone and things to avoid sent");
		ok(strstr(sent, "example.com") == NULL && strstr(sent, "u-good") == NULL &&
		    strstr(sent, "/unsubscribe?token=") == NULL &&
		    strstr(sent, "Sent to {{user.email}}.") != NULL &&
		    strstr(sent, "{{unsubscribe_url}}") != NULL,
		    "good: the email address, user id and link left masked in the reference draft");
		json_object_put(body);
	}
	json_object_put(log);
}

static void
test_fallbacks(void)
{
	char *reply;

	ok(script("/llm/slow", 200, NULL, 10000) == 0, "slow: scripted (answers after 10 s)");
	{
		struct outcome o;
		const char *detail;
		int passed = -1;

		run_case(&fl, "u-slow", receiver_url("/llm/slow"), 400, &o);
		if (ok(o.ok, "timeout: one intervention")) {
			detail = check_detail(&o, "llm", &passed);
			ok(detail != NULL && passed == 0 &&
			    strcmp(detail, "fallback: timeout after 400 ms") == 0,
			    "timeout: check llm says %s", nz(detail));
			ok(strstr(nz(jstr(&o.r, "interventions.0.message_body")), TEMPLATE_BODY) !=
			    NULL, "timeout: the template's message is used");
			/* Waiting for the reply would take 10 s; 8 leaves a slow or
			 * busy machine room without making this a speed test. */
			ok(o.seconds < 8.0, "timeout: the job did not wait for the slow reply "
			    "(%.2f s)", o.seconds);
		}
		resp_free(&o.r);
	}

	ok(script("/llm/500", 500, "{\"error\":{\"message\":\"overloaded\"}}", 0) == 0,
	    "500: scripted");
	expect_fallback("HTTP 500", "u-500", receiver_url("/llm/500"), 5000, "HTTP 500");

	ok(script("/llm/garbage", 200, "<html>502 Bad Gateway</html>", 0) == 0,
	    "garbage: scripted");
	expect_fallback("garbage", "u-garbage", receiver_url("/llm/garbage"), 5000,
	    "reply is not JSON");

	reply = completion("Sure! Here is a friendly email for Ada.");
	ok(script("/llm/prose", 200, reply, 0) == 0, "prose: scripted");
	free(reply);
	expect_fallback("prose content", "u-prose", receiver_url("/llm/prose"), 5000,
	    "content is not a JSON object");

	reply = completion("{\"subject\": \"Hi\"}");
	ok(script("/llm/nobody", 200, reply, 0) == 0, "no body: scripted");
	free(reply);
	expect_fallback("no body", "u-nobody", receiver_url("/llm/nobody"), 5000,
	    "no body in the reply");

	reply = completion("{\"subject\": \"A discount for you\", \"body\": \"Hello Ada, "
	    "get a DISCOUNT now.\\nUnsubscribe: {{unsubscribe_url}}\"}");
	ok(script("/llm/avoid", 200, reply, 0) == 0, "avoid: scripted");
	free(reply);
	expect_fallback("a thing to avoid", "u-avoid", receiver_url("/llm/avoid"), 5000,
	    "the draft failed the quality checks (things_to_avoid");

	reply = completion("{\"subject\": \"Hi\", \"body\": \"Hello {{user.first_name\"}");
	ok(script("/llm/broken", 200, reply, 0) == 0, "broken marker: scripted");
	free(reply);
	expect_fallback("a broken marker", "u-broken", receiver_url("/llm/broken"), 5000,
	    "the draft is not a valid template");

	/* Port 1 on loopback: nothing listens there. */
	expect_fallback("connection refused", "u-refused", "http://127.0.0.1:1/v1/chat/completions",
	    5000, "request failed");
}

/* Four new users in one run against an endpoint that always fails: three
 * requests, then the breaker skips the fourth. */
static void
test_breaker(void)
{
	char iso[TIME_ISO8601_SIZE], user[16];
	struct json_object *log;
	int64_t now;
	int i, rc;

	now = (int64_t)time(NULL);
	time_format_iso8601(now, iso);
	for (i = 1; i <= 4; i++) {
		snprintf(user, sizeof(user), "u-down-%d", i);
		add_ada(fl.key, user, now);
	}
	setenv("RETIVO_LLM_URL", receiver_url("/llm/down"), 1);
	rc = job_run("evaluate", "--now %s --tenant %s", iso, fl.tenant_id);
	unsetenv("RETIVO_LLM_URL");
	ok(rc == 0, "breaker: one run over four new users: %s", job_output());
	log = receiver_log("/llm/down");
	ok(log != NULL && json_object_array_length(log) == 3,
	    "breaker: three requests reached the failing endpoint (%zu)",
	    log != NULL ? json_object_array_length(log) : 0);
	json_object_put(log);
	ok(sql_int("SELECT COUNT(*) FROM interventions WHERE tenant_id = '%s' AND user_id LIKE "
	    "'u-down-%%' AND quality_checks LIKE '%%fallback: reply has no choices%%'",
	    fl.tenant_id) == 3 &&
	    sql_int("SELECT COUNT(*) FROM interventions WHERE tenant_id = '%s' AND user_id LIKE "
	    "'u-down-%%' AND quality_checks LIKE '%%fallback: skipped: the endpoint failed 3 times "
	    "in a row%%' AND flagged = 0 AND message_body LIKE 'Hi Ada, welcome to Rocket.%%'",
	    fl.tenant_id) == 1,
	    "breaker: three failed, the fourth was skipped and got the template");
}

static void
test_opt_out(void)
{
	struct outcome o;
	struct json_object *log;
	int passed = -1;

	ok(script("/llm/never", 200, NULL, 0) == 0, "use_llm false: scripted");
	run_case(&fn, "u-never", receiver_url("/llm/never"), 5000, &o);
	if (ok(o.ok, "use_llm false: one intervention")) {
		ok(check_detail(&o, "llm", &passed) == NULL, "use_llm false: no llm check");
		ok(strstr(nz(jstr(&o.r, "interventions.0.message_body")), TEMPLATE_BODY) != NULL,
		    "use_llm false: the template's message");
	}
	resp_free(&o.r);
	log = receiver_log("/llm/never");
	ok(log != NULL && json_object_array_length(log) == 0,
	    "use_llm false: no request reached the endpoint");
	json_object_put(log);

	run_case(&fl, "u-unset", NULL, 5000, &o);
	if (ok(o.ok, "no llm_url: one intervention"))
		ok(check_detail(&o, "llm", &passed) == NULL &&
		    strstr(nz(jstr(&o.r, "interventions.0.message_body")), TEMPLATE_BODY) != NULL,
		    "no llm_url: the template, no llm check");
	resp_free(&o.r);
}

void
suite_llm(void)
{
	if (receiver_start() < 0 || receiver_reset() != 0) {
		ok(0, "retivo-receiver started");
		return;
	}
	if (!ok(fixture_tenant(&fl, "growth", "standalone") == 0 &&
	    fixture_tenant(&fn, "growth", "standalone") == 0, "two tenants") ||
	    !ok(setup(&fl, "") == 0 && setup(&fn, ",\"use_llm\":false") == 0,
	    "brands and playbooks set up"))
		return;
	test_good_draft();
	test_fallbacks();
	test_breaker();
	test_opt_out();
}
