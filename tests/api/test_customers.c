/*
 * test_customers.c — /api/customers, /api/users/{pause,unpause,resubscribe}
 * and the /unsubscribe link. Users are made directly in the database
 * through RETIVO_SQL (events ingestion is another suite's business), so
 * stages, risks and scores can be set to known values.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "suites.h"

/*
 * Runs the SQL (a printf format) through RETIVO_SQL, fed on stdin so that
 * no shell quoting is involved; the output (tab-separated, no header,
 * trailing newline removed) goes into out. Returns 0 when it succeeded.
 */
static int __attribute__((format(printf, 3, 4)))
sql(char *out, size_t outlen, const char *fmt, ...)
{
	const char *cmd = getenv("RETIVO_SQL");
	char path[] = "/tmp/retivo-test-customers-XXXXXX", shell[1024], scratch[64];
	FILE *f, *p;
	va_list ap;
	size_t n = 0;
	int fd, status = -1;

	if (out == NULL) {
		out = scratch;
		outlen = sizeof(scratch);
	}
	out[0] = '\0';
	if (cmd == NULL || (fd = mkstemp(path)) < 0)
		return -1;
	if ((f = fdopen(fd, "w")) == NULL) {
		close(fd);
		unlink(path);
		return -1;
	}
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fclose(f);
	snprintf(shell, sizeof(shell), "%s < %s", cmd, path);
	if ((p = popen(shell, "r")) != NULL) {
		n = fread(out, 1, outlen - 1, p);
		out[n] = '\0';
		status = pclose(p);
	}
	unlink(path);
	while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r'))
		out[--n] = '\0';
	return status;
}

/* Makes a tracked user with the given stage and risk (ids here need no quoting). */
static int
add_user(const char *tenant, const char *user_id, const char *stage, const char *risk)
{
	return sql(NULL, 0, "INSERT INTO users (tenant_id, user_id, traits, first_seen_at, "
	    "last_activity_at, created_at, updated_at, lifecycle_stage, risk_level) VALUES "
	    "('%s', '%s', '{}', NOW(), NOW(), NOW(), NOW(), '%s', '%s');",
	    tenant, user_id, stage, risk);
}

/* Stores one event of the user, with its outbox row. */
static int
add_event(const char *tenant, const char *user_id, const char *name)
{
	return sql(NULL, 0, "INSERT INTO event_outbox (tenant_id, source, event_count, test_mode, "
	    "created_at) VALUES ('%s', 'api', 1, 0, NOW());\n"
	    "INSERT INTO events (tenant_id, user_id, name, kind, source, properties, occurred_at, "
	    "received_at, outbox_id) VALUES ('%s', '%s', '%s', 'product', 'api', '{}', NOW(), "
	    "NOW(), LAST_INSERT_ID());", tenant, tenant, user_id, name);
}

/* One column of one user's row, as text ("NULL" for NULL). */
static const char *
user_col(const char *tenant, const char *user_id, const char *col)
{
	static char out[256];

	if (sql(out, sizeof(out), "SELECT IFNULL(%s, 'NULL') FROM users WHERE tenant_id = '%s' "
	    "AND user_id = '%s';", col, tenant, user_id) != 0)
		snprintf(out, sizeof(out), "(sql failed)");
	return out;
}

/* Percent-encodes everything but RFC 3986's unreserved characters. */
static const char *
enc(const char *s)
{
	static char out[1024];
	size_t o = 0;

	for (; *s && o + 4 < sizeof(out); s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~')
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, sizeof(out) - o, "%%%02X", c);
	}
	out[o] = '\0';
	return out;
}

/* The customers array's user ids joined by ",", for comparing pages. */
static const char *
ids_of(const struct resp *r, const char *key)
{
	static char out[2048];
	struct json_object *arr = jget(r, key), *uid;
	size_t i, o = 0;

	out[0] = '\0';
	for (i = 0; arr != NULL && i < json_object_array_length(arr); i++) {
		if (!json_object_object_get_ex(json_object_array_get_idx(arr, i), "user_id", &uid))
			continue;
		o += (size_t)snprintf(out + o, sizeof(out) - o, "%s%s", i ? "," : "",
		    json_object_get_string(uid));
		if (o >= sizeof(out))
			break;
	}
	return out;
}

static int
bool_at(const struct resp *r, const char *path)
{
	struct json_object *o = jget(r, path);

	return o != NULL && json_object_is_type(o, json_type_boolean) ? json_object_get_boolean(o)
	    : -1;
}

static double
num_at(const struct resp *r, const char *path)
{
	struct json_object *o = jget(r, path);

	return o != NULL && (json_object_is_type(o, json_type_double) ||
	    json_object_is_type(o, json_type_int)) ? json_object_get_double(o) : -1;
}

/* GETs the unsubscribe link of user_id with key; token into tok. Returns the status. */
static long
get_link(const char *key, const char *user_id, char *tok, size_t toklen)
{
	struct resp r;
	char path[512];
	long status;

	snprintf(path, sizeof(path), "/api/customers/%s/unsubscribe-link", enc(user_id));
	api(&r, "GET", path, key, NULL);
	status = r.status;
	snprintf(tok, toklen, "%s", jstr(&r, "token") ? jstr(&r, "token") : "");
	resp_free(&r);
	return status;
}

/* Visits /unsubscribe with the raw query; fills r. */
static void
visit(struct resp *r, const char *method, const char *query)
{
	char path[4096];

	snprintf(path, sizeof(path), "/unsubscribe%s", query);
	if (strcmp(method, "POST") == 0)
		api(r, "POST", path, NULL, "{}");
	else
		api(r, "GET", path, NULL, NULL);
}

static const char *const a_users[][3] = {
	{ "u-new", "new", "low" },
	{ "u-onb", "onboarding", "low" },
	{ "u-act1", "active", "low" },
	{ "u-act2", "active", "medium" },
	{ "a@b.com", "at_risk", "high" },
	{ "u-churn", "churned", "high" },
	{ "u-rec", "recovered", "medium" },
	{ "José Müller", "active", "low" },
	{ "plus+sign", "new", "medium" },
};
#define ALL_NEWEST_FIRST "plus+sign,José Müller,u-rec,u-churn,a@b.com,u-act2,u-act1,u-onb,u-new"

static const struct {
	const char *desc, *query, *expect;
} filters[] = {
	{ "no filter, newest first", "", ALL_NEWEST_FIRST },
	{ "stage=active", "?stage=active", "José Müller,u-act2,u-act1" },
	{ "risk=high", "?risk=high", "u-churn,a@b.com" },
	{ "stage and risk combine", "?stage=active&risk=medium", "u-act2" },
	{ "nothing matches", "?stage=new&risk=high", "" },
	{ "cursor (URL-encoded user id)", "?cursor=a%40b.com", "u-act2,u-act1,u-onb,u-new" },
	{ "cursor with unicode", "?cursor=Jos%C3%A9%20M%C3%BCller",
	    "u-rec,u-churn,a@b.com,u-act2,u-act1,u-onb,u-new" },
	{ "cursor with a filter", "?stage=active&cursor=u-act2", "u-act1" },
	{ "limit=100", "?limit=100", ALL_NEWEST_FIRST },
};

static const struct {
	const char *desc, *query, *field;
} bad_filters[] = {
	{ "unknown stage", "?stage=dormant", "stage" },
	{ "empty stage", "?stage=", "stage" },
	{ "unknown risk", "?risk=extreme", "risk" },
	{ "limit 0", "?limit=0", "limit" },
	{ "limit 101", "?limit=101", "limit" },
	{ "limit not a number", "?limit=ten", "limit" },
	{ "unknown cursor", "?cursor=nobody", "cursor" },
	{ "another tenant's user as cursor", "?cursor=b-only", "cursor" },
	{ "a misspelt parameter", "?stages=active", "stages" },
};

static const struct {
	const char *desc, *body, *field;
} bad_batches[] = {
	{ "no user_ids", "{}", "user_ids" },
	{ "null user_ids", "{\"user_ids\":null}", "user_ids" },
	{ "empty list", "{\"user_ids\":[]}", "user_ids" },
	{ "a string, not a list", "{\"user_ids\":\"u-new\"}", "user_ids" },
	{ "a number in the list", "{\"user_ids\":[\"u-new\",5]}", "user_ids[1]" },
	{ "an empty id", "{\"user_ids\":[\"\"]}", "user_ids[0]" },
	{ "an unknown field", "{\"user_ids\":[\"u-new\"],\"reason\":\"x\"}", "reason" },
};

/* Checks one validation failure: 400 with "field" naming it and the message starting so. */
static int
names_field(const struct resp *r, const char *field)
{
	const char *f = jstr(r, "field"), *e = jstr(r, "error");

	return r->status == 400 && f != NULL && strcmp(f, field) == 0 && e != NULL &&
	    strncmp(e, field, strlen(field)) == 0;
}

static void
test_list_and_stats(const char *ka, const char *kb, const char *read_key,
    const char *ingest_key)
{
	struct resp r;
	char path[256], cursor[64], seen[2048];
	size_t i;
	int pages;

	for (i = 0; i < sizeof(filters) / sizeof(filters[0]); i++) {
		snprintf(path, sizeof(path), "/api/customers%s", filters[i].query);
		api(&r, "GET", path, ka, NULL);
		ok(r.status == 200 && strcmp(ids_of(&r, "customers"), filters[i].expect) == 0 &&
		    bool_at(&r, "has_more") == 0 && jget(&r, "next_cursor") == NULL,
		    "list, %s: %s (got %s)", filters[i].desc, filters[i].expect,
		    ids_of(&r, "customers"));
		resp_free(&r);
	}
	api(&r, "GET", "/api/customers", ka, NULL);
	ok(jget(&r, "customers.0.traits") == NULL && jget(&r, "customers.0.milestones") == NULL &&
	    jget(&r, "customers.0.lifecycle_stage") != NULL &&
	    bool_at(&r, "customers.0.opted_out") == 0 && bool_at(&r, "customers.0.paused") == 0 &&
	    jget(&r, "customers.0.activation_score") != NULL,
	    "list: items carry the customer fields but not traits or milestones");
	resp_free(&r);
	api(&r, "GET", "/api/customers", kb, NULL);
	ok(r.status == 200 && strcmp(ids_of(&r, "customers"), "b-only,a@b.com") == 0,
	    "list: another tenant sees only its own (%s)", ids_of(&r, "customers"));
	resp_free(&r);

	/* Paging walks every customer once, newest first. */
	seen[0] = '\0';
	cursor[0] = '\0';
	for (pages = 0; pages < 10; pages++) {
		snprintf(path, sizeof(path), "/api/customers?limit=4%s%s", cursor[0] ? "&cursor=" : "",
		    cursor[0] ? enc(cursor) : "");
		api(&r, "GET", path, ka, NULL);
		if (r.status != 200)
			break;
		snprintf(seen + strlen(seen), sizeof(seen) - strlen(seen), "%s%s",
		    seen[0] ? "," : "", ids_of(&r, "customers"));
		if (bool_at(&r, "has_more") != 1) {
			ok(jget(&r, "next_cursor") == NULL, "paging: the last page has no next_cursor");
			resp_free(&r);
			break;
		}
		ok(jstr(&r, "next_cursor") && jstr(&r, "customers.3.user_id") &&
		    strcmp(jstr(&r, "next_cursor"), jstr(&r, "customers.3.user_id")) == 0,
		    "paging: next_cursor is the page's last user_id");
		snprintf(cursor, sizeof(cursor), "%s", jstr(&r, "next_cursor"));
		resp_free(&r);
	}
	ok(pages == 2 && strcmp(seen, ALL_NEWEST_FIRST) == 0,
	    "paging: limit=4 takes 3 pages covering all 9 once (%s)", seen);

	for (i = 0; i < sizeof(bad_filters) / sizeof(bad_filters[0]); i++) {
		snprintf(path, sizeof(path), "/api/customers%s", bad_filters[i].query);
		api(&r, "GET", path, ka, NULL);
		ok(names_field(&r, bad_filters[i].field), "list, %s: 400 naming %s (%s)",
		    bad_filters[i].desc, bad_filters[i].field, r.body);
		resp_free(&r);
	}

	api(&r, "GET", "/api/customers/stats", ka, NULL);
	ok(r.status == 200 && jint(&r, "stats.total") == 9 && jint(&r, "stats.active") == 3 &&
	    jint(&r, "stats.at_risk") == 1 && jint(&r, "stats.churned") == 1,
	    "stats: total, active, at_risk, churned (%s)", r.body);
	ok(jint(&r, "stats.by_stage.new") == 2 && jint(&r, "stats.by_stage.onboarding") == 1 &&
	    jint(&r, "stats.by_stage.active") == 3 && jint(&r, "stats.by_stage.at_risk") == 1 &&
	    jint(&r, "stats.by_stage.churned") == 1 && jint(&r, "stats.by_stage.recovered") == 1,
	    "stats: by_stage has every stage");
	ok(jint(&r, "stats.by_risk.low") == 4 && jint(&r, "stats.by_risk.medium") == 3 &&
	    jint(&r, "stats.by_risk.high") == 2, "stats: by_risk");
	ok(jint(&r, "stats.opted_out") == 0 && jint(&r, "stats.paused") == 0,
	    "stats: nobody opted out or paused yet");
	resp_free(&r);
	api(&r, "GET", "/api/customers/stats", kb, NULL);
	ok(r.status == 200 && jint(&r, "stats.total") == 2 && jint(&r, "stats.by_stage.new") == 1 &&
	    jint(&r, "stats.by_stage.churned") == 0, "stats: another tenant counts its own");
	resp_free(&r);

	api(&r, "GET", "/api/customers", read_key, NULL);
	ok(r.status == 200, "a read key may list customers");
	resp_free(&r);
	api(&r, "GET", "/api/customers/stats", read_key, NULL);
	ok(r.status == 200, "a read key may read stats");
	resp_free(&r);
	api(&r, "GET", "/api/customers", ingest_key, NULL);
	ok(is_error(&r, 403, "scope"), "an ingest key may not list customers: 403");
	resp_free(&r);
	api(&r, "GET", "/api/customers", NULL, NULL);
	ok(is_error(&r, 401, NULL), "no key: 401");
	resp_free(&r);
}

static void
test_get(const char *ta, const char *ka, const char *kb, const char *read_key)
{
	struct resp r;
	const char *ms = "{\"onboarding_milestones\":["
	    "{\"key\":\"signup\",\"name\":\"Signed up\",\"events\":[\"signed_up\"]},"
	    "{\"key\":\"invite\",\"name\":\"Invited a teammate\","
	    "\"events\":[\"teammate_invited\",\"invite_sent\"]},"
	    "{\"key\":\"integrate\",\"name\":\"Connected\",\"events\":[\"integration_connected\"]}]}";

	api(&r, "PATCH", "/api/settings", ka, "%s", ms);
	if (r.status != 200) {
		diag("PATCH /api/settings answered %ld; milestones written through SQL", r.status);
		sql(NULL, 0, "INSERT INTO tenant_settings (tenant_id, settings, brand, kill_switch, "
		    "updated_at) VALUES ('%s', '%s', '{}', 0, NOW()) ON DUPLICATE KEY UPDATE "
		    "settings = VALUES(settings);", ta, ms);
	}
	resp_free(&r);
	add_event(ta, "a@b.com", "signed_up");
	add_event(ta, "a@b.com", "invite_sent");
	add_event(ta, "a@b.com", "page_viewed");
	add_event(ta, "u-act1", "integration_connected");	/* another user's */

	api(&r, "GET", "/api/customers/a%40b.com", ka, NULL);
	ok(r.status == 200 && jstr(&r, "customer.user_id") &&
	    strcmp(jstr(&r, "customer.user_id"), "a@b.com") == 0,
	    "get: a URL-encoded user id (a%%40b.com) (%s)", r.body);
	ok(jstr(&r, "customer.email") && strcmp(jstr(&r, "customer.email"), "a@b.com") == 0 &&
	    jstr(&r, "customer.name") && strcmp(jstr(&r, "customer.name"), "Ann") == 0 &&
	    jstr(&r, "customer.plan") && strcmp(jstr(&r, "customer.plan"), "pro") == 0 &&
	    jstr(&r, "customer.company") && strcmp(jstr(&r, "customer.company"), "Acme") == 0,
	    "get: email, name, plan, company");
	ok(jint(&r, "customer.traits.seats") == 3, "get: traits as an object");
	ok(num_at(&r, "customer.activation_score") == 0.5 &&
	    num_at(&r, "customer.engagement_score") == 0.25 &&
	    num_at(&r, "customer.expansion_score") == 0.75, "get: the three scores as numbers");
	ok(jstr(&r, "customer.lifecycle_stage") &&
	    strcmp(jstr(&r, "customer.lifecycle_stage"), "at_risk") == 0 &&
	    jstr(&r, "customer.risk_level") && strcmp(jstr(&r, "customer.risk_level"), "high") == 0 &&
	    jint(&r, "customer.event_count") == 3, "get: stage, risk, event_count");
	ok(jstr(&r, "customer.stage_changed_at") &&
	    strcmp(jstr(&r, "customer.stage_changed_at"), "2026-04-20T09:00:00Z") == 0 &&
	    jstr(&r, "customer.first_seen_at") && strlen(jstr(&r, "customer.first_seen_at")) == 20 &&
	    jget(&r, "customer.opted_out_at") == NULL && jget(&r, "customer.paused_at") == NULL &&
	    bool_at(&r, "customer.opted_out") == 0 && bool_at(&r, "customer.paused") == 0,
	    "get: ISO-8601 times, nulls for what never happened");
	ok(jint(&r, "customer.milestones.total") == 3 &&
	    json_object_array_length(jget(&r, "customer.milestones.completed")) == 2 &&
	    strcmp(jstr(&r, "customer.milestones.completed.0"), "signup") == 0 &&
	    strcmp(jstr(&r, "customer.milestones.completed.1"), "invite") == 0,
	    "get: milestones completed by any of their events, not by another user's");
	ok(num_at(&r, "customer.milestones.progress") > 0.66 &&
	    num_at(&r, "customer.milestones.progress") < 0.67, "get: milestone progress 2/3");
	resp_free(&r);
	api(&r, "GET", "/api/customers/u-new", ka, NULL);
	ok(r.status == 200 && jint(&r, "customer.milestones.total") == 3 &&
	    json_object_array_length(jget(&r, "customer.milestones.completed")) == 0 &&
	    num_at(&r, "customer.milestones.progress") == 0, "get: no milestones yet");
	resp_free(&r);

	api(&r, "GET", "/api/customers/Jos%C3%A9%20M%C3%BCller", read_key, NULL);
	ok(r.status == 200 && jstr(&r, "customer.user_id") &&
	    strcmp(jstr(&r, "customer.user_id"), "José Müller") == 0,
	    "get: a unicode id with a space, with a read key");
	resp_free(&r);
	api(&r, "GET", "/api/customers/plus%2Bsign", ka, NULL);
	ok(r.status == 200 && jstr(&r, "customer.user_id") &&
	    strcmp(jstr(&r, "customer.user_id"), "plus+sign") == 0, "get: %%2B is a plus sign");
	resp_free(&r);
	api(&r, "GET", "/api/customers/nobody", ka, NULL);
	ok(is_error(&r, 404, "customer"), "get: an unknown user is 404");
	resp_free(&r);
	api(&r, "GET", "/api/customers/b-only", ka, NULL);
	ok(is_error(&r, 404, "customer"), "get: another tenant's user is 404");
	resp_free(&r);
	api(&r, "GET", "/api/customers/u-new", kb, NULL);
	ok(is_error(&r, 404, "customer"), "get: this tenant's user with another tenant's key: 404");
	resp_free(&r);
	api(&r, "GET", "/api/customers/a%40b.com", kb, NULL);
	ok(r.status == 200 && jstr(&r, "customer.name") &&
	    strcmp(jstr(&r, "customer.name"), "Bea") == 0 &&
	    jint(&r, "customer.milestones.total") == 0,
	    "get: the same user id in another tenant is that tenant's user");
	resp_free(&r);
}

static void
test_pause(const char *ta, const char *ka, const char *kb, const char *manage_key,
    const char *read_key)
{
	struct resp r;
	char *big;
	size_t i, o;

	api(&r, "PUT", "/api/users/pause", manage_key,
	    "{\"user_ids\":[\"u-new\",\"ghost\",\"u-onb\",\"u-new\",\"Jos\\u00e9 M\\u00fcller\"]}");
	ok(r.status == 200 && jint(&r, "paused") == 3 &&
	    json_object_array_length(jget(&r, "not_found")) == 1 &&
	    strcmp(jstr(&r, "not_found.0"), "ghost") == 0,
	    "pause (manage key): 3 paused, a repeat counts once, ghost not found (%s)", r.body);
	resp_free(&r);
	ok(strcmp(user_col(ta, "u-new", "paused"), "1") == 0 &&
	    strcmp(user_col(ta, "u-new", "paused_at"), "NULL") != 0 &&
	    strcmp(user_col(ta, "u-act1", "paused"), "0") == 0,
	    "pause: the database has paused = 1 and paused_at, others untouched");
	api(&r, "PUT", "/api/users/pause", ka, "{\"user_ids\":[\"u-new\",\"u-onb\",\"ghost\"]}");
	ok(r.status == 200 && jint(&r, "paused") == 0 &&
	    json_object_array_length(jget(&r, "not_found")) == 1,
	    "pause again (full key): idempotent, 0 changed (%s)", r.body);
	resp_free(&r);
	api(&r, "GET", "/api/customers/u-new", ka, NULL);
	ok(bool_at(&r, "customer.paused") == 1 && jstr(&r, "customer.paused_at") != NULL,
	    "pause: the customer shows paused and paused_at");
	resp_free(&r);
	api(&r, "GET", "/api/customers/stats", ka, NULL);
	ok(jint(&r, "stats.paused") == 3, "stats: 3 paused");
	resp_free(&r);

	api(&r, "PUT", "/api/users/unpause", manage_key,
	    "{\"user_ids\":[\"u-new\",\"u-act1\",\"ghost2\"]}");
	ok(r.status == 200 && jint(&r, "unpaused") == 1 &&
	    json_object_array_length(jget(&r, "not_found")) == 1 &&
	    strcmp(jstr(&r, "not_found.0"), "ghost2") == 0,
	    "unpause: 1 unpaused (u-act1 was not paused), ghost2 not found (%s)", r.body);
	resp_free(&r);
	api(&r, "GET", "/api/customers/u-new", ka, NULL);
	ok(bool_at(&r, "customer.paused") == 0 && jget(&r, "customer.paused_at") == NULL,
	    "unpause: paused false, paused_at null");
	resp_free(&r);
	ok(strcmp(user_col(ta, "u-onb", "paused"), "1") == 0, "unpause: others stay paused");

	api(&r, "PUT", "/api/users/pause", kb, "{\"user_ids\":[\"u-act1\"]}");
	ok(r.status == 200 && jint(&r, "paused") == 0 && jstr(&r, "not_found.0") &&
	    strcmp(jstr(&r, "not_found.0"), "u-act1") == 0,
	    "pause with another tenant's key: its users are not found");
	resp_free(&r);
	ok(strcmp(user_col(ta, "u-act1", "paused"), "0") == 0,
	    "pause with another tenant's key changed nothing");
	api(&r, "PUT", "/api/users/unpause", kb, "{\"user_ids\":[\"u-onb\"]}");
	ok(r.status == 200 && jint(&r, "unpaused") == 0 &&
	    strcmp(user_col(ta, "u-onb", "paused"), "1") == 0,
	    "unpause with another tenant's key changed nothing");
	resp_free(&r);

	api(&r, "PUT", "/api/users/pause", read_key, "{\"user_ids\":[\"u-act1\"]}");
	ok(is_error(&r, 403, "scope"), "pause with a read key: 403");
	resp_free(&r);
	api(&r, "PUT", "/api/users/unpause", read_key, "{\"user_ids\":[\"u-onb\"]}");
	ok(is_error(&r, 403, "scope"), "unpause with a read key: 403");
	resp_free(&r);
	api(&r, "PUT", "/api/users/pause", NULL, "{\"user_ids\":[\"u-act1\"]}");
	ok(is_error(&r, 401, NULL), "pause without a key: 401");
	resp_free(&r);

	for (i = 0; i < sizeof(bad_batches) / sizeof(bad_batches[0]); i++) {
		api(&r, "PUT", "/api/users/pause", ka, "%s", bad_batches[i].body);
		ok(names_field(&r, bad_batches[i].field), "pause, %s: 400 naming %s (%s)",
		    bad_batches[i].desc, bad_batches[i].field, r.body);
		resp_free(&r);
	}
	/* 1001 ids is one too many; 1000 (and a 256-byte id) are checked alike. */
	big = malloc(1001 * 12 + 300);
	o = (size_t)sprintf(big, "{\"user_ids\":[");
	for (i = 0; i < 1001; i++)
		o += (size_t)sprintf(big + o, "%s\"g%06zu\"", i ? "," : "", i);
	sprintf(big + o, "]}");
	api(&r, "PUT", "/api/users/pause", ka, "%s", big);
	ok(names_field(&r, "user_ids"), "pause, 1001 ids: 400 naming user_ids");
	resp_free(&r);
	o = (size_t)sprintf(big, "{\"user_ids\":[");
	for (i = 0; i < 1000; i++)	/* descending, so request order is not sorted order */
		o += (size_t)sprintf(big + o, "%s\"g%06zu\"", i ? "," : "", 999 - i);
	sprintf(big + o, "]}");
	api(&r, "PUT", "/api/users/pause", ka, "%s", big);
	ok(r.status == 200 && jint(&r, "paused") == 0 &&
	    json_object_array_length(jget(&r, "not_found")) == 1000 &&
	    strcmp(jstr(&r, "not_found.0"), "g000999") == 0 &&
	    strcmp(jstr(&r, "not_found.999"), "g000000") == 0,
	    "pause, 1000 unknown ids: 200, all not found, in request order");
	resp_free(&r);
	memset(big, 'x', 256);
	big[256] = '\0';
	api(&r, "PUT", "/api/users/pause", ka, "{\"user_ids\":[\"%s\"]}", big);
	ok(names_field(&r, "user_ids[0]"), "pause, a 256-byte id: 400 naming user_ids[0]");
	resp_free(&r);
	free(big);
}

static void
test_unsubscribe(const char *ta, const char *tb, const char *ka, const char *kb,
    const char *manage_key, const char *read_key)
{
	struct resp r;
	static const char *const forgeries[] = { "another user's payload under this MAC",
	    "another tenant's MAC", "the MAC altered", "the payload altered", "truncated",
	    "garbage", "overlong", "no token" };
	char tok[1100], tok2[1100], tok_b[1100], forged[8][1600], q[2500];
	const char *base = getenv("RETIVO_BASE_URL"), *ct, *dot;
	size_t i;
	int n;

	api(&r, "GET", "/api/customers/a%40b.com/unsubscribe-link", manage_key, NULL);
	snprintf(tok, sizeof(tok), "%s", jstr(&r, "token") ? jstr(&r, "token") : "");
	snprintf(q, sizeof(q), "/unsubscribe?token=%s", tok);
	ok(r.status == 200 && strncmp(tok, "v1.", 3) == 0 && jstr(&r, "path") &&
	    strcmp(jstr(&r, "path"), q) == 0, "unsubscribe-link (manage key): token and path");
	snprintf(forged[0], sizeof(forged[0]), "%s%.*s", base, 1500, q);
	ok(jstr(&r, "url") && strcmp(jstr(&r, "url"), forged[0]) == 0,
	    "unsubscribe-link: url is this server's origin + path (%s)", jstr(&r, "url"));
	resp_free(&r);
	snprintf(q, sizeof(q), "?token=%s", tok);
	ok(get_link(read_key, "a@b.com", tok2, sizeof(tok2)) == 403,
	    "unsubscribe-link with a read key: 403");
	ok(get_link(ka, "nobody", tok2, sizeof(tok2)) == 404, "unsubscribe-link, unknown user: 404");
	ok(get_link(ka, "b-only", tok2, sizeof(tok2)) == 404,
	    "unsubscribe-link, another tenant's user: 404");
	ok(get_link(kb, "u-new", tok2, sizeof(tok2)) == 404,
	    "unsubscribe-link with another tenant's key: 404");
	ok(get_link(kb, "a@b.com", tok_b, sizeof(tok_b)) == 200 && strcmp(tok_b, tok) != 0,
	    "unsubscribe-link: the same user id in another tenant has another token");

	visit(&r, "GET", q);
	ct = resp_header(&r, "Content-Type");
	ok(r.status == 200 && ct && strncmp(ct, "text/html", 9) == 0 &&
	    strstr(r.body, "unsubscribed") != NULL, "unsubscribe: 200 HTML page, no key needed");
	resp_free(&r);
	ok(strcmp(user_col(ta, "a@b.com", "opted_out"), "1") == 0 &&
	    strcmp(user_col(ta, "a@b.com", "opted_out_at"), "NULL") != 0,
	    "unsubscribe: opted_out = 1 and opted_out_at in the database");
	api(&r, "GET", "/api/customers/a%40b.com", ka, NULL);
	ok(bool_at(&r, "customer.opted_out") == 1 && jstr(&r, "customer.opted_out_at") != NULL,
	    "unsubscribe: the customer shows opted_out true");
	resp_free(&r);
	ok(strcmp(user_col(tb, "a@b.com", "opted_out"), "0") == 0,
	    "unsubscribe: the same user id in another tenant is not opted out");

	sql(NULL, 0, "UPDATE users SET opted_out_at = '2026-01-02 03:04:05' WHERE tenant_id = '%s' "
	    "AND user_id = 'a@b.com';", ta);
	visit(&r, "GET", q);
	ok(r.status == 200 && strstr(r.body, "already") != NULL,
	    "unsubscribe again: 200, already unsubscribed");
	resp_free(&r);
	ok(strcmp(user_col(ta, "a@b.com", "opted_out_at"), "2026-01-02 03:04:05") == 0,
	    "unsubscribe again: opted_out_at keeps the first time");
	/* Mail trackers append parameters; they do not spoil the link. */
	snprintf(forged[0], sizeof(forged[0]), "%.*s&utm_source=newsletter", 1500, q);
	visit(&r, "GET", forged[0]);
	ok(r.status == 200, "unsubscribe: extra query parameters are ignored");
	resp_free(&r);

	/* Forgeries against u-new, which must stay subscribed. */
	ok(get_link(ka, "u-new", tok2, sizeof(tok2)) == 200, "unsubscribe-link for u-new");
	dot = strrchr(tok2, '.');
	n = (int)(dot - tok2);
	snprintf(forged[0], sizeof(forged[0]), "?token=%.*s%s", n, tok2, strrchr(tok, '.'));
	snprintf(forged[1], sizeof(forged[1]), "?token=%.*s%s", n, tok2, strrchr(tok_b, '.'));
	snprintf(forged[2], sizeof(forged[2]), "?token=%s", tok2);
	n = (int)strlen(forged[2]) - 2;
	forged[2][n] = forged[2][n] == 'A' ? 'B' : 'A';
	snprintf(forged[3], sizeof(forged[3]), "?token=%s", tok2);
	forged[3][7 + 5] = forged[3][7 + 5] == 'A' ? 'B' : 'A';
	snprintf(forged[4], sizeof(forged[4]), "?token=%.*s", (int)strlen(tok2) - 5, tok2);
	snprintf(forged[5], sizeof(forged[5]), "?token=hello");
	snprintf(forged[6], sizeof(forged[6]), "?token=%01500d", 0);
	forged[7][0] = '\0';
	for (i = 0; i < sizeof(forgeries) / sizeof(forgeries[0]); i++) {
		visit(&r, "GET", forged[i]);
		ok(r.status == 400 && strstr(r.body, "invalid") != NULL &&
		    resp_header(&r, "Content-Type") &&
		    strncmp(resp_header(&r, "Content-Type"), "text/html", 9) == 0,
		    "forged token (%s): 400 HTML page", forgeries[i]);
		resp_free(&r);
	}
	ok(strcmp(user_col(ta, "u-new", "opted_out"), "0") == 0 &&
	    strcmp(user_col(ta, "u-new", "opted_out_at"), "NULL") == 0,
	    "forged tokens changed nothing in the database");

	/* A valid token whose user is gone. */
	add_user(ta, "u-gone", "new", "low");
	ok(get_link(ka, "u-gone", tok2, sizeof(tok2)) == 200, "unsubscribe-link for u-gone");
	sql(NULL, 0, "DELETE FROM users WHERE tenant_id = '%s' AND user_id = 'u-gone';", ta);
	snprintf(q, sizeof(q), "?token=%s", tok2);
	visit(&r, "GET", q);
	ok(r.status == 404 && strstr(r.body, "no longer valid") != NULL,
	    "a valid token of a user no longer tracked: 404 page");
	resp_free(&r);

	/* RFC 8058 one-click: a mail client POSTs a form body to the link. */
	ok(get_link(ka, "u-churn", tok2, sizeof(tok2)) == 200, "unsubscribe-link for u-churn");
	snprintf(q, sizeof(q), "/unsubscribe?token=%s", tok2);
	api_raw(&r, "POST", q, NULL, "application/x-www-form-urlencoded",
	    "List-Unsubscribe=One-Click", 26);
	ok(r.status == 200 && strcmp(user_col(ta, "u-churn", "opted_out"), "1") == 0,
	    "one-click POST (List-Unsubscribe=One-Click form body) opts out too (%ld)", r.status);
	resp_free(&r);
	api(&r, "GET", "/api/customers/stats", ka, NULL);
	ok(jint(&r, "stats.opted_out") == 2, "stats: 2 opted out");
	resp_free(&r);

	/* Only an admin (full key) reverses an opt-out. */
	api(&r, "PUT", "/api/users/resubscribe", manage_key, "{\"user_ids\":[\"a@b.com\"]}");
	ok(is_error(&r, 403, "scope"), "resubscribe with a manage key: 403");
	resp_free(&r);
	api(&r, "PUT", "/api/users/resubscribe", read_key, "{\"user_ids\":[\"a@b.com\"]}");
	ok(is_error(&r, 403, "scope"), "resubscribe with a read key: 403");
	resp_free(&r);
	api(&r, "PUT", "/api/users/resubscribe", kb, "{\"user_ids\":[\"u-churn\"]}");
	ok(r.status == 200 && jint(&r, "resubscribed") == 0 &&
	    strcmp(user_col(ta, "u-churn", "opted_out"), "1") == 0,
	    "resubscribe with another tenant's key: not found, nothing changed");
	resp_free(&r);
	api(&r, "PUT", "/api/users/resubscribe", ka, "{\"user_ids\":[\"a@b.com\",\"u-new\",\"ghost\"]}");
	ok(r.status == 200 && jint(&r, "resubscribed") == 1 && jstr(&r, "not_found.0") &&
	    strcmp(jstr(&r, "not_found.0"), "ghost") == 0 &&
	    json_object_array_length(jget(&r, "not_found")) == 1,
	    "resubscribe (full key): 1 resubscribed, ghost not found (%s)", r.body);
	resp_free(&r);
	api(&r, "GET", "/api/customers/a%40b.com", ka, NULL);
	ok(bool_at(&r, "customer.opted_out") == 0 && jget(&r, "customer.opted_out_at") == NULL,
	    "resubscribe: opted_out false, opted_out_at null");
	resp_free(&r);
	api(&r, "PUT", "/api/users/resubscribe", ka, "{\"user_ids\":[1]}");
	ok(names_field(&r, "user_ids[0]"), "resubscribe, a number: 400 naming user_ids[0]");
	resp_free(&r);
	snprintf(q, sizeof(q), "?token=%s", tok);
	visit(&r, "GET", q);
	ok(r.status == 200 && strstr(r.body, "already") == NULL &&
	    strcmp(user_col(ta, "a@b.com", "opted_out"), "1") == 0,
	    "the old link opts out again after a resubscribe");
	resp_free(&r);
}

/* A user made by POST /api/events, when that route serves (another issue's). */
static void
test_via_events(const char *ka, const char *ingest_key)
{
	struct resp r;

	api(&r, "POST", "/api/events", ingest_key, "{\"user_id\":\"via-events\",\"event\":\"signed_up\"}");
	if (r.status != 200) {
		diag("skipped: POST /api/events answered %ld; the user-from-events check needs it",
		    r.status);
		resp_free(&r);
		return;
	}
	resp_free(&r);
	api(&r, "GET", "/api/customers/via-events", ka, NULL);
	ok(r.status == 200 && jstr(&r, "customer.lifecycle_stage") &&
	    strcmp(jstr(&r, "customer.lifecycle_stage"), "new") == 0 &&
	    jstr(&r, "customer.milestones.completed.0") &&
	    strcmp(jstr(&r, "customer.milestones.completed.0"), "signup") == 0,
	    "a user created by an event is a customer with its milestone (%s)", r.body);
	resp_free(&r);
}

void
suite_customers(void)
{
	struct fixture a, b;
	char read_key[64], manage_key[64], ingest_key[64];
	size_t i;
	int rc = 0;

	if (getenv("RETIVO_SQL") == NULL) {
		diag("skipped: the customers suite makes users through RETIVO_SQL, which is unset");
		return;
	}
	if (!ok(fixture_tenant(&a, "growth", "standalone") == 0 &&
	    fixture_tenant(&b, "growth", "standalone") == 0 &&
	    fixture_key(a.tenant_id, "live", "read", read_key, sizeof(read_key)) == 0 &&
	    fixture_key(a.tenant_id, "live", "manage", manage_key, sizeof(manage_key)) == 0 &&
	    fixture_key(a.tenant_id, "live", "ingest", ingest_key, sizeof(ingest_key)) == 0,
	    "customers: fixtures"))
		return;
	for (i = 0; i < sizeof(a_users) / sizeof(a_users[0]); i++)
		rc |= add_user(a.tenant_id, a_users[i][0], a_users[i][1], a_users[i][2]);
	rc |= sql(NULL, 0, "UPDATE users SET email = 'a@b.com', name = 'Ann', plan = 'pro', "
	    "company = 'Acme', traits = '{\"email\":\"a@b.com\",\"seats\":3}', "
	    "activation_score = 0.5, engagement_score = 0.25, expansion_score = 0.75, "
	    "event_count = 3, stage_changed_at = '2026-04-20 09:00:00' "
	    "WHERE tenant_id = '%s' AND user_id = 'a@b.com';", a.tenant_id);
	rc |= add_user(b.tenant_id, "a@b.com", "active", "low");
	rc |= sql(NULL, 0, "UPDATE users SET name = 'Bea' WHERE tenant_id = '%s';", b.tenant_id);
	rc |= add_user(b.tenant_id, "b-only", "new", "low");
	rc |= add_event(b.tenant_id, "a@b.com", "integration_connected");
	if (!ok(rc == 0, "customers: users made through RETIVO_SQL"))
		return;

	test_list_and_stats(a.key, b.key, read_key, ingest_key);
	test_get(a.tenant_id, a.key, b.key, read_key);
	test_pause(a.tenant_id, a.key, b.key, manage_key, read_key);
	test_unsubscribe(a.tenant_id, b.tenant_id, a.key, b.key, manage_key, read_key);
	test_via_events(a.key, ingest_key);
}
