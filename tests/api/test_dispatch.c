/*
 * test_dispatch.c — the delivery engine end to end: actions dispatched
 * over the API, sent by retivo-dispatch (run with --now to move time) to
 * the test receiver (tests/api/receiver_client.h), which checks both
 * signatures and answers with scripted codes. Covers the signed body, the
 * whole retry schedule, 410, Retry-After on 429 and 503, a job killed
 * after claiming, the SSRF refusal in production config, test mode,
 * expiry and forward-only status moves.
 *
 * Every scenario has its own action type and receiver path, and times its
 * runs from its own action's created_at, so scenarios do not disturb one
 * another; each leaves nothing pending behind it.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "client.h"
#include "helpers.h"
#include "receiver_client.h"
#include "suites.h"
#include "timeutil.h"

#define SCHEMA "{\"type\":\"object\",\"properties\":{\"amount\":{\"type\":\"integer\"}}," \
	"\"required\":[\"amount\"]}"

static struct fixture F;

/* Registers type `name` posting to the receiver's path and tells the
 * receiver its secret. Returns 0 or -1. */
static int
hook_type(const char *name, const char *path)
{
	char secret[128];

	if (api_create("/api/external/action-types", F.key, "action_type.webhook_secret", secret,
	    sizeof(secret), "{\"name\":\"%s\",\"description\":\"d\",\"provider\":\"receiver\","
	    "\"parameters_schema\":" SCHEMA ",\"delivery_webhook\":\"%s\","
	    "\"estimated_cost_usd\":\"0.01\"}", name, receiver_url(path)) != 201 ||
	    secret[0] == '\0' || receiver_secret(path, secret) != 0) {
		diag("hook_type %s: no type or receiver secret", name);
		return -1;
	}
	return 0;
}

/* Dispatches one action of the type with key; id and created_at out. */
static int
send_action(const char *key, const char *type, char id[64], int64_t *created)
{
	struct resp r;
	int rc = -1;

	api(&r, "POST", "/api/external/actions", key,
	    "{\"action_type\":\"%s\",\"user_id\":\"user-42\",\"parameters\":{\"amount\":300},"
	    "\"reasoning\":\"quiet for 14 days\",\"confidence\":0.82}", type);
	if (r.status == 201 && jstr(&r, "action.id") != NULL && jstr(&r, "action.created_at") != NULL &&
	    time_parse_iso8601(jstr(&r, "action.created_at"), created) == 0) {
		snprintf(id, 64, "%s", jstr(&r, "action.id"));
		rc = 0;
	} else
		diag("send_action %s: %ld %s", type, r.status, r.body);
	resp_free(&r);
	return rc;
}

/* Runs retivo-dispatch at t; its exit status. */
static int
dispatch_at(int64_t t)
{
	return job_run_at("dispatch", t, NULL);
}

/* The action's field (static copy), or "" when absent. */
static const char *
action_field(const char *id, const char *field)
{
	char path[160];

	snprintf(path, sizeof(path), "/api/external/actions/%s", id);
	return api_get_field(F.key, path, field);
}
static const char *
str_of(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string) ?
	    json_object_get_string(v) : "";
}

static int
bool_of(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) && json_object_get_boolean(v);
}

/* A delivered, signed request with the seed-000 body. */
static void
scenario_signed(void)
{
	struct json_object *log, *req, *body = NULL, *v;
	char id[64], iso[TIME_ISO8601_SIZE], ts[32];
	int64_t t0;

	if (!ok(hook_type("hook_ok", "/d-ok") == 0 && send_action(F.key, "hook_ok", id, &t0) == 0,
	    "signed: an action for the receiver"))
		return;
	ok(dispatch_at(t0 + 1) == 0, "signed: retivo-dispatch exits 0 (%s)", job_output());
	log = receiver_log("/d-ok");
	req = log != NULL ? json_object_array_get_idx(log, 0) : NULL;
	ok(log != NULL && json_object_array_length(log) == 1 && req != NULL,
	    "signed: the receiver got one request");
	if (req == NULL) {
		json_object_put(log);
		return;
	}
	time_format_iso8601(t0 + 1, iso);
	snprintf(ts, sizeof(ts), "%lld", (long long)(t0 + 1));
	ok(bool_of(req, "signature_ok"), "signed: X-Retivo-Signature verifies with the webhook_secret");
	ok(bool_of(req, "standard_signature_ok"),
	    "signed: webhook-signature verifies as Standard Webhooks with the same secret");
	ok(strcmp(str_of(req, "action_id"), id) == 0 && strcmp(str_of(req, "msg_id"), id) == 0,
	    "signed: X-Retivo-Action-Id and webhook-id are the action id");
	ok(strcmp(str_of(req, "retivo_timestamp"), iso) == 0 &&
	    strcmp(str_of(req, "webhook_timestamp"), ts) == 0,
	    "signed: the timestamps are the send time (%s, %s)", str_of(req, "retivo_timestamp"),
	    str_of(req, "webhook_timestamp"));
	body = json_tokener_parse(str_of(req, "body"));
	time_format_iso8601(t0, iso);
	ok(body != NULL && strcmp(str_of(body, "action_id"), id) == 0 &&
	    strcmp(str_of(body, "action_type"), "hook_ok") == 0 &&
	    strcmp(str_of(body, "user_id"), "user-42") == 0 &&
	    json_object_object_get_ex(body, "parameters", &v) &&
	    json_object_object_get_ex(v, "amount", &v) && json_object_get_int(v) == 300 &&
	    strcmp(str_of(body, "reasoning"), "quiet for 14 days") == 0 &&
	    strcmp(str_of(body, "confidence"), "0.82") == 0 &&
	    strcmp(str_of(body, "tenant_id"), F.tenant_id) == 0 &&
	    strcmp(str_of(body, "timestamp"), iso) == 0 &&
	    json_object_object_get_ex(body, "test_mode", &v) &&
	    json_object_is_type(v, json_type_boolean) && !json_object_get_boolean(v),
	    "signed: the body has the seed-000 fields, confidence as a string (%s)",
	    str_of(req, "body"));
	json_object_put(body);
	json_object_put(log);
	ok(strcmp(action_field(id, "action.status"), "delivered") == 0 &&
	    strcmp(action_field(id, "action.attempts"), "1") == 0 &&
	    action_field(id, "action.delivered_at")[0] != '\0' &&
	    action_field(id, "action.dispatched_at")[0] != '\0',
	    "signed: the action is delivered after 1 attempt");
	ok(sql_int("SELECT COUNT(*) FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id "
	    "WHERE d.action_id = '%s' AND a.attempt = 1 AND a.status_code = 200 AND a.error IS NULL",
	    id) == 1, "signed: the attempt is recorded with its status code");
	dispatch_at(t0 + 3600);
	ok(receiver_count("/d-ok") == 1, "signed: a delivered action is never sent again");
}

#define PAR_ACTIONS	20
#define PAR_JOBS	3

/* Three job hosts at once, each taking up to 7: every action sent once. */
static void
scenario_parallel_jobs(void)
{
	struct json_object *log, *req;
	char ids[PAR_ACTIONS][64], dir[1024], cmd[1400], iso[TIME_ISO8601_SIZE], line[512], *slash;
	const char *aid;
	FILE *p[PAR_JOBS];
	int64_t t, last = 0;
	int i, j, seen, once = 0, exits = 0, status;

	if (!ok(hook_type("hook_par", "/d-par") == 0, "parallel jobs: a type"))
		return;
	for (i = 0; i < PAR_ACTIONS; i++) {
		if (send_action(F.key, "hook_par", ids[i], &t) != 0) {
			ok(0, "parallel jobs: %d actions", PAR_ACTIONS);
			return;
		}
		last = t > last ? t : last;
	}
	snprintf(dir, sizeof(dir), "%s", getenv("RETIVO_ADMIN"));
	if ((slash = strrchr(dir, '/')) != NULL)
		*slash = '\0';
	time_format_iso8601(last + 1, iso);
	snprintf(cmd, sizeof(cmd), "%s/retivo-dispatch --now %s --limit 7", dir, iso);
	fflush(stdout);
	for (j = 0; j < PAR_JOBS; j++)
		p[j] = popen(cmd, "r");
	for (j = 0; j < PAR_JOBS; j++) {
		if (p[j] == NULL)
			continue;
		while (fgets(line, sizeof(line), p[j]) != NULL)
			;
		status = pclose(p[j]);
		exits += WIFEXITED(status) && WEXITSTATUS(status) == 0;
	}
	ok(exits == PAR_JOBS, "parallel jobs: %d runs at once all exit 0", PAR_JOBS);
	log = receiver_log("/d-par");
	for (i = 0; log != NULL && i < PAR_ACTIONS; i++) {
		seen = 0;
		for (j = 0; j < (int)json_object_array_length(log); j++) {
			req = json_object_array_get_idx(log, (size_t)j);
			aid = str_of(req, "action_id");
			seen += strcmp(aid, ids[i]) == 0;
		}
		once += seen == 1;
	}
	ok(log != NULL && json_object_array_length(log) == PAR_ACTIONS && once == PAR_ACTIONS,
	    "parallel jobs: each of the %d actions was sent exactly once (%d requests)", PAR_ACTIONS,
	    log != NULL ? (int)json_object_array_length(log) : -1);
	json_object_put(log);
}

/* 500 every time: 30 s, 2 min, 10 min, 30 min, 2 h, then failed. */
static void
scenario_schedule(void)
{
	static const long long delays[] = { 30, 120, 600, 1800, 7200 };
	char id[64];
	int64_t t0, at;
	size_t i;

	if (!ok(hook_type("hook_retry", "/d-retry") == 0 &&
	    receiver_script("/d-retry", "[{\"status\":500},{\"status\":500},{\"status\":500},"
	    "{\"status\":500},{\"status\":500},{\"status\":500}]") == 0 &&
	    send_action(F.key, "hook_retry", id, &t0) == 0, "schedule: an action for a failing receiver"))
		return;
	at = t0 + 1;
	dispatch_at(at);
	ok(receiver_count("/d-retry") == 1 && strcmp(action_field(id, "action.status"), "dispatched") == 0,
	    "schedule: attempt 1 answered 500; the action is dispatched");
	for (i = 0; i < sizeof(delays) / sizeof(delays[0]); i++) {
		dispatch_at(at + delays[i] - 1);
		ok(receiver_count("/d-retry") == (int)i + 1, "schedule: no retry %zu at +%llds", i + 1,
		    delays[i] - 1);
		at += delays[i];
		dispatch_at(at);
		ok(receiver_count("/d-retry") == (int)i + 2, "schedule: retry %zu at +%llds", i + 1, delays[i]);
	}
	dispatch_at(at + 7200);
	dispatch_at(t0 + 20 * 3600);
	ok(receiver_count("/d-retry") == 6, "schedule: no sixth retry, even hours later");
	ok(strcmp(action_field(id, "action.status"), "failed") == 0 &&
	    strcmp(action_field(id, "action.attempts"), "6") == 0,
	    "schedule: the action failed after 6 attempts");
	ok(sql_int("SELECT COUNT(*) FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id "
	    "WHERE d.action_id = '%s' AND a.status_code = 500 AND a.error = 'HTTP 500'", id) == 6 &&
	    sql_int("SELECT COUNT(*) FROM deliveries WHERE action_id = '%s' AND state = 'failed' "
	    "AND lease_owner IS NULL", id) == 1,
	    "schedule: six attempts recorded with status and error; the delivery failed");
}

/* 410: failed at once. */
static void
scenario_gone(void)
{
	char id[64];
	int64_t t0;

	if (!ok(hook_type("hook_gone", "/d-gone") == 0 &&
	    receiver_script("/d-gone", "[{\"status\":410}]") == 0 &&
	    send_action(F.key, "hook_gone", id, &t0) == 0, "410: an action"))
		return;
	dispatch_at(t0 + 1);
	dispatch_at(t0 + 40);
	dispatch_at(t0 + 10 * 3600);
	ok(receiver_count("/d-gone") == 1 && strcmp(action_field(id, "action.status"), "failed") == 0 &&
	    strcmp(action_field(id, "action.attempts"), "1") == 0,
	    "410: failed after one attempt, no retry");
}

/* code with Retry-After ra: the retry comes at max(ra, 30 s). */
static void
scenario_retry_after(const char *name, const char *path, int code, long long ra)
{
	char id[64], script[128];
	long long wait = ra > 30 ? ra : 30;
	int64_t t0;

	snprintf(script, sizeof(script), "[{\"status\":%d,\"retry_after\":\"%lld\"}]", code, ra);
	if (!ok(hook_type(name, path) == 0 && receiver_script(path, script) == 0 &&
	    send_action(F.key, name, id, &t0) == 0, "%d Retry-After %lld: an action", code, ra))
		return;
	dispatch_at(t0 + 1);
	if (ra > 30) {
		dispatch_at(t0 + 1 + 30);
		ok(receiver_count(path) == 1, "%d Retry-After %lld: no retry at the schedule's +30s", code, ra);
	} else {
		dispatch_at(t0 + 1 + ra);
		ok(receiver_count(path) == 1, "%d Retry-After %lld: no retry at +%llds, the schedule wins",
		    code, ra, ra);
	}
	dispatch_at(t0 + 1 + wait - 1);
	ok(receiver_count(path) == 1, "%d Retry-After %lld: no retry at +%llds", code, ra, wait - 1);
	dispatch_at(t0 + 1 + wait);
	ok(receiver_count(path) == 2 && strcmp(action_field(id, "action.status"), "delivered") == 0,
	    "%d Retry-After %lld: retried and delivered at +%llds", code, ra, wait);
}

/* A job killed after claiming: the lease keeps others off until it expires. */
static void
scenario_killed(void)
{
	struct json_object *log, *req;
	char id[64], iso[TIME_ISO8601_SIZE];
	int64_t t0;
	size_t i;
	int ok2xx = 0;

	if (!ok(hook_type("hook_lease", "/d-lease") == 0 &&
	    send_action(F.key, "hook_lease", id, &t0) == 0, "lease: an action"))
		return;
	time_format_iso8601(t0 + 1, iso);
	ok(job_run("dispatch", "--now %s --exit-after-claim", iso) == 0 &&
	    strstr(job_output(), "\"claimed\":") != NULL && strstr(job_output(), "\"claimed\":0") == NULL,
	    "lease: a run claims and dies (%s)", job_output());
	ok(receiver_count("/d-lease") == 0 && sql_int("SELECT COUNT(*) FROM deliveries WHERE action_id = '%s' "
	    "AND lease_owner IS NOT NULL AND state = 'pending'", id) == 1,
	    "lease: nothing sent, the row is leased");
	dispatch_at(t0 + 30);
	dispatch_at(t0 + 61);
	ok(receiver_count("/d-lease") == 0, "lease: runs before the lease expires (60 s) send nothing");
	dispatch_at(t0 + 62);
	dispatch_at(t0 + 200);
	log = receiver_log("/d-lease");
	for (i = 0; log != NULL && i < json_object_array_length(log); i++) {
		req = json_object_array_get_idx(log, i);
		if (json_object_object_get_ex(req, "status_sent", &req) &&
		    json_object_get_int(req) >= 200 && json_object_get_int(req) <= 299)
			ok2xx++;
	}
	ok(log != NULL && json_object_array_length(log) == 1 && ok2xx == 1 &&
	    strcmp(action_field(id, "action.status"), "delivered") == 0,
	    "lease: a run after it expires delivers, exactly one 2xx receipt");
	json_object_put(log);
}

/* Production config: a loopback target is refused as the socket opens. */
static void
scenario_ssrf(void)
{
	char id[64];
	int64_t t0;

	if (!ok(hook_type("hook_ssrf", "/d-ssrf") == 0 &&
	    send_action(F.key, "hook_ssrf", id, &t0) == 0, "ssrf: an action to 127.0.0.1"))
		return;
	setenv("RETIVO_ENV", "production", 1);
	setenv("RETIVO_ALLOW_PRIVATE_TARGETS", "no", 1);
	dispatch_at(t0 + 1);
	unsetenv("RETIVO_ENV");
	unsetenv("RETIVO_ALLOW_PRIVATE_TARGETS");
	ok(receiver_count("/d-ssrf") == 0, "ssrf: in production config no request reaches 127.0.0.1");
	ok(sql_int("SELECT COUNT(*) FROM delivery_attempts a JOIN deliveries d ON d.id = a.delivery_id "
	    "WHERE d.action_id = '%s' AND a.status_code IS NULL AND a.error LIKE 'refused%%'", id) == 1,
	    "ssrf: the attempt records the refusal");
	dispatch_at(t0 + 31);
	ok(receiver_count("/d-ssrf") == 1, "ssrf: with loopback allowed (dev config) the retry goes out");
}

/* A test key's action reaches the webhook with "test_mode": true. */
static void
scenario_test_mode(void)
{
	struct json_object *log, *req, *body = NULL, *v;
	char key[64], id[64];
	int64_t t0;

	if (!ok(fixture_key(F.tenant_id, "test", "full", key, sizeof(key)) == 0 &&
	    hook_type("hook_test", "/d-test") == 0 && send_action(key, "hook_test", id, &t0) == 0,
	    "test mode: an action from a test key"))
		return;
	dispatch_at(t0 + 1);
	log = receiver_log("/d-test");
	req = log != NULL ? json_object_array_get_idx(log, 0) : NULL;
	body = req != NULL ? json_tokener_parse(str_of(req, "body")) : NULL;
	ok(body != NULL && json_object_object_get_ex(body, "test_mode", &v) &&
	    json_object_get_boolean(v) && bool_of(req, "signature_ok"),
	    "test mode: the signed body says \"test_mode\": true");
	json_object_put(body);
	json_object_put(log);
}

/* TTL passed: the expire job (or the dispatcher) expires it; never sent. */
static void
scenario_expire(void)
{
	char id[64], id2[64], iso[TIME_ISO8601_SIZE];
	int64_t t0, t1;

	if (!ok(hook_type("hook_expire", "/d-expire") == 0 &&
	    send_action(F.key, "hook_expire", id, &t0) == 0 &&
	    send_action(F.key, "hook_expire", id2, &t1) == 0, "expire: two actions"))
		return;
	/* As if their TTL had been 10 seconds. */
	sql_query(NULL, 0, "UPDATE actions SET expires_at = created_at + INTERVAL 10 SECOND "
	    "WHERE id IN ('%s', '%s')", id, id2);
	time_format_iso8601(t0 + 11, iso);
	ok(job_run("expire", "--now %s", iso) == 0 && strstr(job_output(), "\"expired\":") != NULL,
	    "expire: retivo-expire exits 0 (%s)", job_output());
	ok(strcmp(action_field(id, "action.status"), "expired") == 0 &&
	    strcmp(action_field(id2, "action.status"), "expired") == 0 &&
	    sql_int("SELECT COUNT(*) FROM deliveries WHERE action_id IN ('%s', '%s') AND state = 'failed' "
	    "AND last_error = 'expired'", id, id2) == 2,
	    "expire: past their TTL the actions are expired and their deliveries failed");
	dispatch_at(t0 + 12);
	ok(receiver_count("/d-expire") == 0, "expire: an expired action is not sent afterwards");

	/* Expired but the expire job has not run yet: the dispatcher will not send it. */
	if (!ok(send_action(F.key, "hook_expire", id, &t0) == 0, "expire: a third action"))
		return;
	sql_query(NULL, 0, "UPDATE actions SET expires_at = created_at + INTERVAL 10 SECOND "
	    "WHERE id = '%s'", id);
	dispatch_at(t0 + 11);
	ok(receiver_count("/d-expire") == 0 && strcmp(action_field(id, "action.status"), "expired") == 0,
	    "expire: the dispatcher expires an action past its TTL instead of sending it (%d, %s, %s)",
	    receiver_count("/d-expire"), action_field(id, "action.status"), job_output());
}

/* An outcome before delivery: the later 2xx does not move it back. */
static void
scenario_forward_only(void)
{
	struct resp r;
	char id[64], path[160];
	int64_t t0;

	if (!ok(hook_type("hook_fwd", "/d-fwd") == 0 && send_action(F.key, "hook_fwd", id, &t0) == 0,
	    "forward only: an action"))
		return;
	snprintf(path, sizeof(path), "/api/external/actions/%s/outcome", id);
	api(&r, "POST", path, F.key, "{\"status\":\"ignored\"}");
	ok(r.status == 200, "forward only: an outcome before delivery is recorded");
	resp_free(&r);
	dispatch_at(t0 + 1);
	ok(receiver_count("/d-fwd") == 1 && strcmp(action_field(id, "action.status"), "completed") == 0 &&
	    action_field(id, "action.delivered_at")[0] == '\0',
	    "forward only: delivered afterwards, the action stays completed");
}

void
suite_dispatch(void)
{
	if (!ok(fixture_tenant(&F, "growth", "standalone") == 0, "dispatch: fixture tenant"))
		return;
	if (!ok(receiver_start() > 0 && receiver_reset() == 0, "dispatch: the test receiver runs"))
		return;
	scenario_signed();
	scenario_schedule();
	scenario_gone();
	scenario_retry_after("hook_429", "/d-429", 429, 600);
	scenario_retry_after("hook_503", "/d-503", 503, 5);
	scenario_killed();
	scenario_parallel_jobs();
	scenario_ssrf();
	scenario_test_mode();
	scenario_expire();
	scenario_forward_only();
}
