/*
 * test_playbooks.c — /api/playbooks (SPEC.md, issue 7): CRUD with every
 * validation error naming its clause, PUT/PATCH merged and re-validated
 * as a whole, archive on DELETE, list filters and cursor, scopes and
 * roles (a viewer may read but not write), another tenant's ids; the
 * starter set over the five areas (idempotent, win-back offsets from the
 * tenant's winback_days, also through retivo-admin); and the uplift
 * report over interventions written straight into the database: treated
 * and control groups, conversions observed from the exit condition,
 * success_rate, the difference and its interval.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "helpers.h"
#include "session_client.h"
#include "suites.h"

#define PB "/api/playbooks"

#define UPSELL "{\"name\":\"Plan Limit Approaching\",\"lifecycle_area\":\"upsell\"," \
	"\"entry_conditions\":{\"stages\":[\"active\"],\"rules\":[\"expansion_score >= 0.7\"," \
	"\"engagement_score >= 0.6\"]}," \
	"\"exit_conditions\":{\"rules\":[\"did plan_upgraded within 30 days\"]}," \
	"\"constraints\":{\"channel\":\"email\",\"approval_required\":true,\"cooldown_days\":30," \
	"\"frequency_cap\":{\"max\":3,\"per_days\":7}}," \
	"\"strategy_hints\":{\"tone\":\"confident\",\"subject\":\"Near your limit\"," \
	"\"template\":\"Hi {{user.name|default:\\\"there\\\"}}\"}}"

/* Creates a playbook from body; its id into id. Returns the status. */
static long
pb_create(const char *key, const char *body, char *id, size_t idlen)
{
	struct resp r;
	long status;

	api(&r, "POST", PB, key, "%s", body);
	status = r.status;
	snprintf(id, idlen, "%s", nz(jstr(&r, "playbook.id")));
	resp_free(&r);
	return status;
}

static const struct {
	const char *desc, *field, *body;
} invalid[] = {
	{ "no name", "name", "{\"lifecycle_area\":\"upsell\"}" },
	{ "no lifecycle_area", "lifecycle_area", "{\"name\":\"x\"}" },
	{ "unknown area", "lifecycle_area", "{\"name\":\"x\",\"lifecycle_area\":\"growth\"}" },
	{ "unknown status", "status",
	    "{\"name\":\"x\",\"lifecycle_area\":\"upsell\",\"status\":\"live\"}" },
	{ "an unknown field", "priority",
	    "{\"name\":\"x\",\"lifecycle_area\":\"upsell\",\"priority\":1}" },
	{ "name too long", "name", "{\"name\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\","
	    "\"lifecycle_area\":\"upsell\"}" },
	{ "entry_conditions not an object", "entry_conditions",
	    "{\"name\":\"x\",\"lifecycle_area\":\"upsell\",\"entry_conditions\":[1]}" },
	{ "the second entry rule", "entry_conditions.rules[1]",
	    "{\"name\":\"x\",\"lifecycle_area\":\"upsell\",\"entry_conditions\":{\"rules\":"
	    "[\"expansion_score >= 0.7\",\"expansion_score >= lots\"]}}" },
	{ "an unknown stage", "entry_conditions.stages[0]",
	    "{\"name\":\"x\",\"lifecycle_area\":\"upsell\",\"entry_conditions\":{\"stages\":"
	    "[\"happy\"]}}" },
	{ "a did clause without window", "exit_conditions.rules[0]",
	    "{\"name\":\"x\",\"lifecycle_area\":\"upsell\",\"exit_conditions\":{\"rules\":"
	    "[\"did plan_upgraded\"]}}" },
	{ "an unknown condition member", "exit_conditions.when",
	    "{\"name\":\"x\",\"lifecycle_area\":\"upsell\",\"exit_conditions\":{\"when\":1}}" },
	{ "a frequency cap of zero", "constraints.frequency_cap.max",
	    "{\"name\":\"x\",\"lifecycle_area\":\"upsell\",\"constraints\":{\"frequency_cap\":"
	    "{\"max\":0,\"per_days\":7}}}" },
	{ "quiet hours malformed", "constraints.quiet_hours.end",
	    "{\"name\":\"x\",\"lifecycle_area\":\"upsell\",\"constraints\":{\"quiet_hours\":"
	    "{\"start\":\"22:00\",\"end\":\"7am\"}}}" },
	{ "win-back without its day offset", "constraints.winback_day_offset",
	    "{\"name\":\"x\",\"lifecycle_area\":\"winback\"}" },
	{ "a day offset outside win-back", "constraints.winback_day_offset",
	    "{\"name\":\"x\",\"lifecycle_area\":\"upsell\",\"constraints\":"
	    "{\"winback_day_offset\":30}}" },
	{ "an unknown channel", "constraints.channel",
	    "{\"name\":\"x\",\"lifecycle_area\":\"upsell\",\"constraints\":{\"channel\":\"sms\"}}" },
	{ "external action without its type", "constraints.action_type",
	    "{\"name\":\"x\",\"lifecycle_area\":\"upsell\",\"constraints\":"
	    "{\"channel\":\"external_action\"}}" },
	{ "a template that does not close", "strategy_hints.template",
	    "{\"name\":\"x\",\"lifecycle_area\":\"upsell\",\"strategy_hints\":"
	    "{\"template\":\"Hi {{user.name\"}}" },
	{ "an unknown hint", "strategy_hints.colour",
	    "{\"name\":\"x\",\"lifecycle_area\":\"upsell\",\"strategy_hints\":{\"colour\":\"red\"}}" },
};

static void
playbooks_crud(const struct fixture *f, const struct fixture *g)
{
	struct resp r;
	struct session viewer, editor;
	char id[64], id2[64], path[160], read_key[64], ingest_key[64], cursor[64];
	size_t i;

	if (!ok(fixture_key(f->tenant_id, "live", "read", read_key, sizeof(read_key)) == 0 &&
	    fixture_key(f->tenant_id, "live", "ingest", ingest_key, sizeof(ingest_key)) == 0,
	    "playbooks: scoped keys"))
		return;

	api(&r, "POST", PB, f->key, "%s", UPSELL);
	ok(r.status == 201, "create: 201 (%.200s)", r.body);
	snprintf(id, sizeof(id), "%s", nz(jstr(&r, "playbook.id")));
	ok(strncmp(id, "pb_", 3) == 0, "create: a pb_ id (%s)", id);
	ok(jstr(&r, "playbook.name") && strcmp(jstr(&r, "playbook.name"),
	    "Plan Limit Approaching") == 0 &&
	    strcmp(jstr(&r, "playbook.lifecycle_area"), "upsell") == 0 &&
	    strcmp(jstr(&r, "playbook.status"), "draft") == 0 &&
	    strcmp(jstr(&r, "playbook.entry_conditions.rules.0"), "expansion_score >= 0.7") == 0 &&
	    strcmp(jstr(&r, "playbook.exit_conditions.rules.0"),
	    "did plan_upgraded within 30 days") == 0 &&
	    jint(&r, "playbook.constraints.frequency_cap.max") == 3 &&
	    strcmp(jstr(&r, "playbook.strategy_hints.tone"), "confident") == 0 &&
	    jstr(&r, "playbook.created_at") && jstr(&r, "playbook.updated_at"),
	    "create: the fields as sent, status draft by default");
	ok(json_object_object_get_ex(jget(&r, "playbook"), "success_rate", NULL) &&
	    jget(&r, "playbook.success_rate") == NULL,
	    "create: success_rate null before any delivery");
	resp_free(&r);

	for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		api(&r, "POST", PB, f->key, "%s", invalid[i].body);
		ok(r.status == 400 && jstr(&r, "field") &&
		    strcmp(jstr(&r, "field"), invalid[i].field) == 0 &&
		    strstr(jstr(&r, "error"), invalid[i].field) != NULL,
		    "create refuses %s: 400 naming %s (%.200s)", invalid[i].desc, invalid[i].field,
		    r.body);
		resp_free(&r);
	}
	ok(sql_int("SELECT COUNT(*) FROM playbooks WHERE tenant_id = '%s'", f->tenant_id) == 1,
	    "create: nothing stored by a refused create");

	snprintf(path, sizeof(path), PB "/%s", id);
	api(&r, "GET", path, read_key, NULL);
	ok(r.status == 200 && jstr(&r, "playbook.id") && strcmp(jstr(&r, "playbook.id"), id) == 0,
	    "get: 200 with a read key");
	resp_free(&r);
	api(&r, "GET", path, g->key, NULL);
	ok(is_error(&r, 404, NULL), "get: another tenant's playbook is 404");
	resp_free(&r);
	api(&r, "GET", PB "/pb_doesnotexist000", f->key, NULL);
	ok(is_error(&r, 404, NULL), "get: an unknown id is 404");
	resp_free(&r);
	api(&r, "GET", PB "/wh_notaplaybook", f->key, NULL);
	ok(is_error(&r, 404, NULL), "get: another kind of id is 404");
	resp_free(&r);

	/* Updates: a subset of fields, merged and validated as a whole. */
	api(&r, "PATCH", path, f->key, "{\"status\":\"active\"}");
	ok(r.status == 200 && strcmp(jstr(&r, "playbook.status"), "active") == 0 &&
	    strcmp(jstr(&r, "playbook.name"), "Plan Limit Approaching") == 0 &&
	    jint(&r, "playbook.constraints.cooldown_days") == 30,
	    "patch: status active, the rest unchanged (%.200s)", r.body);
	resp_free(&r);
	api(&r, "PUT", path, f->key, "{\"lifecycle_area\":\"winback\"}");
	ok(r.status == 400 && jstr(&r, "field") &&
	    strcmp(jstr(&r, "field"), "constraints.winback_day_offset") == 0,
	    "put: moving to winback re-checks the stored constraints (%.200s)", r.body);
	resp_free(&r);
	api(&r, "PUT", path, f->key, "{\"entry_conditions\":{\"rules\":[\"trait.plan >= pro\"]}}");
	ok(r.status == 400 && jstr(&r, "field") &&
	    strcmp(jstr(&r, "field"), "entry_conditions.rules[0]") == 0,
	    "put: a bad clause names it (%.200s)", r.body);
	resp_free(&r);
	api(&r, "PUT", path, f->key, "{\"lifecycle_area\":\"winback\",\"constraints\":"
	    "{\"winback_day_offset\":30,\"approval_required\":false}}");
	ok(r.status == 200 && strcmp(jstr(&r, "playbook.lifecycle_area"), "winback") == 0 &&
	    jint(&r, "playbook.constraints.winback_day_offset") == 30 &&
	    jget(&r, "playbook.constraints.frequency_cap") == NULL,
	    "put: a member given replaces the stored one whole (%.200s)", r.body);
	resp_free(&r);
	api(&r, "PATCH", path, f->key, "{\"name\":\"Renamed\",\"lifecycle_area\":\"upsell\","
	    "\"constraints\":null}");
	ok(r.status == 200 && strcmp(jstr(&r, "playbook.name"), "Renamed") == 0 &&
	    json_object_object_length(jget(&r, "playbook.constraints")) == 0,
	    "patch: null clears a rule member to its defaults (%.200s)", r.body);
	resp_free(&r);
	api(&r, "PATCH", path, f->key, "{\"name\":\"\"}");
	ok(is_error(&r, 400, "name"), "patch: an empty name is 400");
	resp_free(&r);
	api(&r, "PATCH", path, g->key, "{\"name\":\"stolen\"}");
	ok(is_error(&r, 404, NULL), "patch: another tenant's playbook is 404");
	resp_free(&r);
	api(&r, "PUT", path, read_key, "{\"name\":\"x\"}");
	ok(r.status == 403, "put: a read key is 403");
	resp_free(&r);
	api(&r, "POST", PB, ingest_key, "%s", UPSELL);
	ok(r.status == 403, "create: an ingest key is 403");
	resp_free(&r);
	api(&r, "GET", PB, ingest_key, NULL);
	ok(r.status == 403, "list: an ingest key is 403");
	resp_free(&r);

	/* Roles: editors write, viewers read. */
	if (ok(fixture_member(&viewer, f->tenant_id, "viewer") == 0 &&
	    fixture_member(&editor, f->tenant_id, "editor") == 0, "roles: members")) {
		api_session(&r, "GET", path, &viewer, viewer.csrf, NULL, NULL);
		ok(r.status == 200, "roles: a viewer reads a playbook");
		resp_free(&r);
		api_session(&r, "PATCH", path, &viewer, viewer.csrf, NULL, "{\"name\":\"v\"}");
		ok(r.status == 403, "roles: a viewer may not edit (%ld)", r.status);
		resp_free(&r);
		api_session(&r, "POST", PB "/starter", &viewer, viewer.csrf, NULL, "{}");
		ok(r.status == 403, "roles: a viewer may not install the starter set");
		resp_free(&r);
		api_session(&r, "PATCH", path, &editor, editor.csrf, NULL, "{\"name\":\"By editor\"}");
		ok(r.status == 200, "roles: an editor edits (%.200s)", r.body);
		resp_free(&r);
	}

	/* List: filters and cursor, newest first. */
	ok(pb_create(f->key, "{\"name\":\"Second\",\"lifecycle_area\":\"retention\","
	    "\"status\":\"paused\"}", id2, sizeof(id2)) == 201, "create: a second playbook");
	api(&r, "GET", PB "?limit=1", f->key, NULL);
	ok(r.status == 200 && json_object_array_length(jget(&r, "playbooks")) == 1 &&
	    strcmp(jstr(&r, "playbooks.0.id"), id2) == 0 &&
	    json_object_get_boolean(jget(&r, "has_more")) && jstr(&r, "next_cursor"),
	    "list: newest first, one per page");
	snprintf(cursor, sizeof(cursor), "%s", nz(jstr(&r, "next_cursor")));
	resp_free(&r);
	snprintf(path, sizeof(path), PB "?limit=1&cursor=%s", cursor);
	api(&r, "GET", path, f->key, NULL);
	ok(r.status == 200 && jstr(&r, "playbooks.0.id") && strcmp(jstr(&r, "playbooks.0.id"), id) == 0 &&
	    !json_object_get_boolean(jget(&r, "has_more")), "list: the cursor's page");
	resp_free(&r);
	api(&r, "GET", PB "?lifecycle_area=retention", f->key, NULL);
	ok(r.status == 200 && json_object_array_length(jget(&r, "playbooks")) == 1 &&
	    strcmp(jstr(&r, "playbooks.0.id"), id2) == 0, "list: by lifecycle_area");
	resp_free(&r);
	api(&r, "GET", PB "?status=active&lifecycle_area=upsell", f->key, NULL);
	ok(r.status == 200 && json_object_array_length(jget(&r, "playbooks")) == 1 &&
	    strcmp(jstr(&r, "playbooks.0.id"), id) == 0, "list: by status and area");
	resp_free(&r);
	api(&r, "GET", PB "?status=live", f->key, NULL);
	ok(is_error(&r, 400, "status"), "list: an unknown status is 400");
	resp_free(&r);
	api(&r, "GET", PB "?limit=101", f->key, NULL);
	ok(is_error(&r, 400, "limit"), "list: limit over 100 is 400");
	resp_free(&r);
	api(&r, "GET", PB, g->key, NULL);
	ok(r.status == 200 && json_object_array_length(jget(&r, "playbooks")) == 0,
	    "list: another tenant sees none of them");
	resp_free(&r);

	/* Delete archives. */
	snprintf(path, sizeof(path), PB "/%s", id2);
	api(&r, "DELETE", path, g->key, NULL);
	ok(is_error(&r, 404, NULL), "delete: another tenant's playbook is 404");
	resp_free(&r);
	api(&r, "DELETE", path, read_key, NULL);
	ok(r.status == 403, "delete: a read key is 403");
	resp_free(&r);
	api(&r, "DELETE", path, f->key, NULL);
	ok(r.status == 200 && json_object_get_boolean(jget(&r, "archived")),
	    "delete: {\"archived\": true} (%.100s)", r.body);
	resp_free(&r);
	api(&r, "GET", path, f->key, NULL);
	ok(r.status == 200 && strcmp(jstr(&r, "playbook.status"), "archived") == 0,
	    "delete: the playbook stays, archived");
	resp_free(&r);
	api(&r, "DELETE", PB "/pb_doesnotexist000", f->key, NULL);
	ok(is_error(&r, 404, NULL), "delete: an unknown id is 404");
	resp_free(&r);
}

/* The area of each starter playbook in r's "playbooks", counted. */
static int
starter_has(const struct resp *r, const char *field, const char *value)
{
	struct json_object *arr = jget(r, "playbooks"), *v;
	size_t i;

	for (i = 0; arr != NULL && i < json_object_array_length(arr); i++)
		if (json_object_object_get_ex(json_object_array_get_idx(arr, i), field, &v) &&
		    strcmp(json_object_get_string(v), value) == 0)
			return 1;
	return 0;
}

/* The winback_day_offset of the starter playbook named name, -1 when absent. */
static int
starter_offset(const struct resp *r, const char *key)
{
	struct json_object *arr = jget(r, "playbooks"), *p, *v, *c, *o;
	size_t i;

	for (i = 0; arr != NULL && i < json_object_array_length(arr); i++) {
		p = json_object_array_get_idx(arr, i);
		if (json_object_object_get_ex(p, "starter_key", &v) &&
		    strcmp(json_object_get_string(v), key) == 0 &&
		    json_object_object_get_ex(p, "constraints", &c) &&
		    json_object_object_get_ex(c, "winback_day_offset", &o))
			return json_object_get_int(o);
	}
	return -1;
}

static void
playbooks_starter(void)
{
	struct fixture f, h, k;
	struct resp r;
	char out[512];
	const char *areas[] = { "onboarding", "churn_prevention", "retention", "upsell",
	    "winback" };
	size_t i;
	int all;

	if (!ok(fixture_tenant(&f, "growth", "standalone") == 0 &&
	    fixture_tenant(&h, "growth", "standalone") == 0 &&
	    fixture_tenant(&k, "growth", "standalone") == 0, "starter: tenants"))
		return;
	api(&r, "POST", PB "/starter", f.key, "{}");
	ok(r.status == 201 && jint(&r, "installed") == 8 &&
	    json_object_array_length(jget(&r, "playbooks")) == 8,
	    "starter: 8 playbooks installed (%.200s)", r.body);
	for (all = 1, i = 0; i < 5; i++)
		all &= starter_has(&r, "lifecycle_area", areas[i]);
	ok(all, "starter: every lifecycle area is covered");
	ok(starter_has(&r, "name", "Plan Limit Approaching"), "starter: Plan Limit Approaching");
	ok(starter_offset(&r, "winback_early") == 7 && starter_offset(&r, "winback_offer") == 30 &&
	    starter_offset(&r, "winback_last_chance") == 60,
	    "starter: three win-back playbooks at 7, 30 and 60 days");
	ok(!starter_has(&r, "status", "active"), "starter: installed as drafts by default");
	resp_free(&r);
	api(&r, "POST", PB "/starter", f.key, "{}");
	ok(r.status == 200 && jint(&r, "installed") == 0 &&
	    json_object_array_length(jget(&r, "playbooks")) == 8,
	    "starter: a second call installs nothing (%.100s)", r.body);
	resp_free(&r);
	ok(sql_int("SELECT COUNT(*) FROM playbooks WHERE tenant_id = '%s'", f.tenant_id) == 8,
	    "starter: 8 rows, no duplicates");
	api(&r, "POST", PB "/starter", f.key, "{\"activate\":\"yes\"}");
	ok(is_error(&r, 400, "activate"), "starter: activate must be a boolean");
	resp_free(&r);

	/* The tenant's own win-back days, and activation. */
	api(&r, "PATCH", "/api/settings", h.key, "{\"winback_days\":[10,40]}");
	ok(r.status == 200, "starter: winback_days [10, 40] (%.100s)", r.body);
	resp_free(&r);
	api(&r, "POST", PB "/starter", h.key, "{\"activate\":true}");
	ok(r.status == 201 && jint(&r, "installed") == 7 && starter_offset(&r, "winback_early") == 10 &&
	    starter_offset(&r, "winback_offer") == 40 &&
	    starter_offset(&r, "winback_last_chance") == -1 && !starter_has(&r, "status", "draft"),
	    "starter: two win-back steps, at the tenant's days, active (%.300s)", r.body);
	resp_free(&r);

	/* The operator's command. */
	ok(admin_run(out, sizeof(out), "playbooks seed --tenant %s --activate", k.tenant_id) == 0 &&
	    strstr(out, "\"installed\":8") != NULL, "admin: playbooks seed installs 8 (%s)", out);
	ok(admin_run(out, sizeof(out), "playbooks seed --tenant %s", k.tenant_id) == 0 &&
	    strstr(out, "\"installed\":0") != NULL, "admin: a second seed installs none (%s)", out);
	ok(sql_int("SELECT COUNT(*) FROM playbooks WHERE tenant_id = '%s' AND status = 'active'",
	    k.tenant_id) == 8, "admin: --activate makes them active");
	ok(admin_run(out, sizeof(out), "playbooks seed --tenant 00000000-0000-4000-8000-000000000000")
	    != 0, "admin: an unknown tenant fails");
}

/* Writes an intervention of playbook pb for user, created days ago,
 * straight into the table. */
static int
put_intervention_aged(const struct fixture *f, const char *pb, const char *user, int n,
    const char *status, int delivered, int holdout, int test_mode, int days)
{
	return sql_query(NULL, 0,
	    "INSERT INTO interventions (id, tenant_id, user_id, playbook_id, status, channel, "
	    "message_body, holdout, test_mode, planned_at, next_attempt_at, delivered_at, "
	    "created_at, updated_at) VALUES ('int_pbtest%s%d', '%s', '%s', '%s', '%s', 'email', "
	    "'body', %d, %d, UTC_TIMESTAMP() - INTERVAL %d DAY, UTC_TIMESTAMP() - INTERVAL %d DAY, "
	    "%s, UTC_TIMESTAMP() - INTERVAL %d DAY, UTC_TIMESTAMP() - INTERVAL %d DAY)",
	    pb + 3, n, f->tenant_id, user, pb, status, holdout, test_mode, days, days,
	    delivered ? "UTC_TIMESTAMP() - INTERVAL 1 HOUR" : "NULL", days, days);
}

static int
put_intervention(const struct fixture *f, const char *pb, const char *user, int n,
    const char *status, int delivered, int holdout, int test_mode)
{
	return put_intervention_aged(f, pb, user, n, status, delivered, holdout, test_mode, 1);
}

static void
playbooks_report(const struct fixture *f, const struct fixture *g)
{
	struct resp r;
	char id[64], path[160], user[32];
	struct json_object *ci;
	int i, okay = 1;

	if (!ok(pb_create(f->key, UPSELL, id, sizeof(id)) == 201, "report: a playbook"))
		return;
	/* Users t0..t5 treated (delivered), c0..c3 control, x0 test-mode
	 * control, s0 sent but never delivered: none of the last two count. */
	for (i = 0; i < 6; i++) {
		snprintf(user, sizeof(user), "t%d", i);
		api(&r, "POST", "/api/events", f->key, "{\"user_id\":\"%s\",\"event\":\"login\"}", user);
		okay &= r.status == 200 || r.status == 201 || r.status == 202;
		resp_free(&r);
		okay &= put_intervention(f, id, user, i, "delivered", 1, 0, 0) == 0;
	}
	for (i = 0; i < 4; i++) {
		snprintf(user, sizeof(user), "c%d", i);
		api(&r, "POST", "/api/events", f->key, "{\"user_id\":\"%s\",\"event\":\"login\"}", user);
		resp_free(&r);
		okay &= put_intervention(f, id, user, 10 + i, "control", 0, 1, 0) == 0;
	}
	api(&r, "POST", "/api/events", f->key, "{\"events\":[{\"user_id\":\"x0\",\"event\":"
	    "\"plan_upgraded\"},{\"user_id\":\"s0\",\"event\":\"plan_upgraded\"}]}");
	resp_free(&r);
	okay &= put_intervention(f, id, "x0", 20, "control", 0, 1, 1) == 0;
	okay &= put_intervention(f, id, "s0", 21, "sent", 0, 0, 0) == 0;
	/* A second delivered intervention for t0 counts t0 once. */
	okay &= put_intervention(f, id, "t0", 22, "delivered", 1, 0, 0) == 0;
	if (!ok(okay, "report: users and interventions written"))
		return;

	snprintf(path, sizeof(path), PB "/%s/report", id);
	api(&r, "GET", path, f->key, NULL);
	ok(r.status == 200 && jstr(&r, "playbook_id") && strcmp(jstr(&r, "playbook_id"), id) == 0 &&
	    jint(&r, "treated.users") == 6 && jint(&r, "treated.conversions") == 0 &&
	    jint(&r, "control.users") == 4 && jint(&r, "control.conversions") == 0,
	    "report: 6 treated and 4 control users, no conversion yet (%.300s)", r.body);
	ok(jstr(&r, "method") && strcmp(jstr(&r, "method"),
	    "two-proportion normal approximation") == 0, "report: the method is named");
	resp_free(&r);

	/* Three treated users and one control user upgrade: the exit condition. */
	api(&r, "POST", "/api/events", f->key, "{\"events\":["
	    "{\"user_id\":\"t0\",\"event\":\"plan_upgraded\"},"
	    "{\"user_id\":\"t1\",\"event\":\"plan_upgraded\"},"
	    "{\"user_id\":\"t2\",\"event\":\"plan_upgraded\"},"
	    "{\"user_id\":\"c0\",\"event\":\"plan_upgraded\"},"
	    "{\"user_id\":\"c1\",\"event\":\"page_viewed\"}]}");
	ok(r.status >= 200 && r.status < 300, "report: upgrades tracked (%.100s)", r.body);
	resp_free(&r);
	api(&r, "GET", path, f->key, NULL);
	ci = jget(&r, "ci95");
	ok(r.status == 200 && jint(&r, "treated.users") == 6 && jint(&r, "treated.conversions") == 3 &&
	    jint(&r, "control.users") == 4 && jint(&r, "control.conversions") == 1,
	    "report: 3 of 6 treated converted, 1 of 4 control (%.300s)", r.body);
	ok(fabs(json_object_get_double(jget(&r, "treated.rate")) - 0.5) < 1e-9 &&
	    fabs(json_object_get_double(jget(&r, "control.rate")) - 0.25) < 1e-9 &&
	    fabs(json_object_get_double(jget(&r, "difference")) - 0.25) < 1e-9,
	    "report: rates 0.5 and 0.25, difference 0.25");
	/* se = sqrt(.25/6 + .1875/4) = 0.297560; 1.959964 se = 0.583206 */
	ok(ci != NULL && json_object_array_length(ci) == 2 &&
	    fabs(json_object_get_double(json_object_array_get_idx(ci, 0)) - (0.25 - 0.583206)) < 1e-4 &&
	    fabs(json_object_get_double(json_object_array_get_idx(ci, 1)) - (0.25 + 0.583206)) < 1e-4,
	    "report: the 95%% interval of the difference");
	resp_free(&r);
	ok(sql_int("SELECT COUNT(*) FROM playbook_conversions WHERE tenant_id = '%s' AND "
	    "playbook_id = '%s'", f->tenant_id, id) == 4,
	    "report: four conversions recorded, once each");

	/* success_rate: delivered interventions whose user converted / delivered. */
	snprintf(path, sizeof(path), PB "/%s", id);
	api(&r, "GET", path, f->key, NULL);
	/* 7 delivered (t0 twice); t0 (both), t1, t2 converted: 4/7. */
	ok(r.status == 200 && fabs(json_object_get_double(jget(&r, "playbook.success_rate")) -
	    4.0 / 7.0) < 1e-5, "success_rate: 4 of 7 delivered interventions converted (%s)",
	    json_object_to_json_string(jget(&r, "playbook.success_rate")));
	resp_free(&r);

	snprintf(path, sizeof(path), PB "/%s/report", id);
	api(&r, "GET", path, g->key, NULL);
	ok(is_error(&r, 404, NULL), "report: another tenant's playbook is 404");
	resp_free(&r);
	api(&r, "GET", PB "/pb_doesnotexist000/report", f->key, NULL);
	ok(is_error(&r, 404, NULL), "report: an unknown playbook is 404");
	resp_free(&r);

	/* A playbook without a control group: no difference to report; and
	 * a conversion counts within 90 days of the intervention only. */
	if (pb_create(f->key, "{\"name\":\"No control\",\"lifecycle_area\":\"retention\","
	    "\"exit_conditions\":{\"rules\":[\"did plan_upgraded within 30 days\"]}}", id,
	    sizeof(id)) == 201) {
		put_intervention(f, id, "t3", 30, "delivered", 1, 0, 0);
		put_intervention(f, id, "t1", 31, "delivered", 1, 0, 0);
		put_intervention_aged(f, id, "t0", 32, "delivered", 1, 0, 0, 100);
		snprintf(path, sizeof(path), PB "/%s/report", id);
		api(&r, "GET", path, f->key, NULL);
		ok(r.status == 200 && jint(&r, "treated.users") == 3 &&
		    jint(&r, "control.users") == 0 && jget(&r, "control.rate") == NULL &&
		    jget(&r, "difference") == NULL && jget(&r, "ci95") == NULL,
		    "report: no control group, difference and interval null (%.300s)", r.body);
		ok(jint(&r, "treated.conversions") == 1,
		    "report: t1 converts; t0's upgrade comes 100 days after its intervention");
		resp_free(&r);
	}
}

void
suite_playbooks(void)
{
	struct fixture f, g;

	if (!ok(fixture_tenant(&f, "growth", "standalone") == 0 &&
	    fixture_tenant(&g, "growth", "standalone") == 0, "playbooks: tenants"))
		return;
	playbooks_crud(&f, &g);
	playbooks_starter();
	playbooks_report(&f, &g);
}
