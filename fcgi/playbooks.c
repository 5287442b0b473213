/*
 * playbooks.c — /api/playbooks (SPEC.md, issue 7): CRUD of the tenant's
 * playbooks, the starter set and the uplift report of one playbook.
 *
 * Rules are validated when saved, never when they run: every write goes
 * through lib/playbook.h's parsers as a whole — an update is merged over
 * the stored playbook first, so changing lifecycle_area alone still
 * re-checks the constraints that depend on it (winback_day_offset) — and
 * a bad clause is a 400 naming it ("entry_conditions.rules[1]"). PUT and
 * PATCH both take any subset of the fields.
 *
 * Scopes: reads read|manage|full; writes manage|full (editors and admins
 * through the role mapping; viewers get 403).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "http.h"
#include "ids.h"
#include "jsonin.h"
#include "log.h"
#include "page.h"
#include "playbook.h"
#include "reply.h"

static void pb_create(struct http_req *);
static void pb_list(struct http_req *);
static void pb_get(struct http_req *);
static void pb_update(struct http_req *);
static void pb_delete(struct http_req *);
static void pb_starter(struct http_req *);
static void pb_report(struct http_req *);

enum route {
	ROUTE_PB_STARTER,
	ROUTE_PB_CREATE,
	ROUTE_PB_LIST,
	ROUTE_PB_GET,
	ROUTE_PB_PUT,
	ROUTE_PB_PATCH,
	ROUTE_PB_DELETE,
	ROUTE_PB_REPORT,
	ROUTE__MAX
};

#define MANAGE (SCOPE_MANAGE | SCOPE_FULL)
#define READ (SCOPE_READ | SCOPE_MANAGE | SCOPE_FULL)

static const struct http_route routes[ROUTE__MAX] = {
	[ROUTE_PB_STARTER] = { "POST", "/api/playbooks/starter", MANAGE, pb_starter },
	[ROUTE_PB_CREATE] = { "POST", "/api/playbooks", MANAGE, pb_create },
	[ROUTE_PB_LIST] = { "GET", "/api/playbooks", READ, pb_list },
	[ROUTE_PB_GET] = { "GET", "/api/playbooks/:id", READ, pb_get },
	[ROUTE_PB_PUT] = { "PUT", "/api/playbooks/:id", MANAGE, pb_update },
	[ROUTE_PB_PATCH] = { "PATCH", "/api/playbooks/:id", MANAGE, pb_update },
	[ROUTE_PB_DELETE] = { "DELETE", "/api/playbooks/:id", MANAGE, pb_delete },
	[ROUTE_PB_REPORT] = { "GET", "/api/playbooks/:id/report", READ, pb_report },
};

static const char *const pb_fields[] = { "name", "lifecycle_area", "status",
	"entry_conditions", "exit_conditions", "constraints", "strategy_hints", NULL };
static const char *const areas[] = { "onboarding", "churn_prevention", "retention", "upsell",
	"winback", NULL };
static const char *const statuses[] = { "draft", "active", "paused", "archived", NULL };
static const char *const rule_members[] = { "entry_conditions", "exit_conditions",
	"constraints", "strategy_hints" };

/*
 * Validates a whole playbook held in fields (every member present, the
 * four rule members as objects or null). On failure answers 400 naming
 * the clause and returns -1.
 */
static int
pb_validate(struct http_req *r, struct json_object *fields, enum pb_area area)
{
	struct pb_constraints k;
	struct pb_cond *c;
	struct json_object *v;
	char field[128], msg[300], full[300], text[700];
	int i, bad = 0;

	for (i = 0; i < 4 && !bad; i++) {
		json_object_object_get_ex(fields, rule_members[i], &v);
		field[0] = '\0';
		if (i < 2) {
			if ((c = pb_cond_parse(v, field, sizeof(field), msg, sizeof(msg))) == NULL)
				bad = 1;
			pb_cond_free(c);
		} else if (i == 2)
			bad = pb_constraints_parse(v, area, &k, field, sizeof(field), msg,
			    sizeof(msg)) != 0;
		else
			bad = pb_hints_validate(v, field, sizeof(field), msg, sizeof(msg)) != 0;
	}
	if (!bad)
		return 0;
	i--;
	snprintf(full, sizeof(full), "%s%s%s", rule_members[i], field[0] ? "." : "", field);
	snprintf(text, sizeof(text), "%s: %s", full, msg);
	http_error_field(r, 400, "invalid_field", full, text);
	return -1;
}

/* JSON text of member name of fields ("{}" for null), borrowed from fields. */
static const char *
member_text(struct json_object *fields, const char *name)
{
	struct json_object *v;

	if (!json_object_object_get_ex(fields, name, &v) || v == NULL)
		return "{}";
	return json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
}

/*
 * Reads the body's fields over base (the stored playbook, or an empty
 * object on create), validates the result, and fills row from it (strings
 * borrowed from base). Returns 0, or -1 having answered 400.
 */
static int
pb_read(struct http_req *r, struct json_object *base, int creating, struct playbook_row *row)
{
	struct json_object *v;
	struct in in;
	const char *name, *area_s, *status_s;
	int area, status, i;

	in_init(&in, r->body, NULL);
	in_only(&in, pb_fields);
	name = in_str(&in, "name", creating ? IN_REQUIRED : 0, 1, 200);
	area = in_enum(&in, "lifecycle_area", creating ? IN_REQUIRED : 0, areas);
	status = in_enum(&in, "status", 0, statuses);
	for (i = 0; i < 4; i++)
		if (!in.failed && in_has(&in, rule_members[i]))
			(void)in_obj(&in, rule_members[i], IN_NULLABLE);
	if (in_reject(&in, r))
		return -1;
	if (name != NULL)
		json_object_object_add(base, "name", json_object_new_string(name));
	if (area >= 0)
		json_object_object_add(base, "lifecycle_area", json_object_new_string(areas[area]));
	if (status >= 0)
		json_object_object_add(base, "status", json_object_new_string(statuses[status]));
	else if (creating)
		json_object_object_add(base, "status", json_object_new_string("draft"));
	for (i = 0; i < 4; i++)
		if (json_object_object_get_ex(r->body, rule_members[i], &v))
			json_object_object_add(base, rule_members[i], json_object_get(v));
	json_object_object_get_ex(base, "name", &v);
	row->name = json_object_get_string(v);
	json_object_object_get_ex(base, "lifecycle_area", &v);
	area_s = json_object_get_string(v);
	json_object_object_get_ex(base, "status", &v);
	status_s = json_object_get_string(v);
	if (pb_area_parse(area_s, &row->area) != 0 || pb_status_parse(status_s, &row->status) != 0) {
		log_err("playbook: stored area or status unreadable");
		http_internal(r);
		return -1;
	}
	if (pb_validate(r, base, row->area) != 0)
		return -1;
	row->entry_conditions = member_text(base, "entry_conditions");
	row->exit_conditions = member_text(base, "exit_conditions");
	row->constraints = member_text(base, "constraints");
	row->strategy_hints = member_text(base, "strategy_hints");
	return 0;
}

/* Answers {"playbook": ...} for the id, or 404. */
static void
pb_respond(struct http_req *r, const char *id, int status)
{
	reply_by_id(r, status, "playbook", "playbook", playbook_get_json, id);
}

static void
pb_create(struct http_req *r)
{
	struct json_object *base = json_object_new_object();
	struct playbook_row row;

	memset(&row, 0, sizeof(row));
	if (pb_read(r, base, 1, &row) != 0)
		goto out;
	if (playbook_insert(r->auth.tenant_id, &row, r->now) != 0) {
		http_internal(r);
		goto out;
	}
	pb_respond(r, row.id, 201);
out:
	json_object_put(base);
}

static void
pb_list(struct http_req *r)
{
	static const char *const fields[] = { "lifecycle_area", "status", "limit", "cursor",
		NULL };
	struct json_object *arr;
	struct in v;
	const char *cursor;
	int limit, has_more, area, status;

	in_init(&v, r->query, NULL);
	in_only(&v, fields);
	area = in_enum(&v, "lifecycle_area", IN_QUERY, areas);
	status = in_enum(&v, "status", IN_QUERY, statuses);
	page_params(&v, &limit, &cursor);
	if (in_reject(&v, r))
		return;
	arr = playbook_list_json(r->auth.tenant_id, area >= 0 ? areas[area] : NULL,
	    status >= 0 ? statuses[status] : NULL, limit, cursor, &has_more);
	reply_page(r, "playbooks", NULL, arr, has_more, 0);
}

static void
pb_get(struct http_req *r)
{
	if (!id_has_prefix(r->params[0], "pb")) {
		http_not_found(r, "playbook");
		return;
	}
	pb_respond(r, r->params[0], 200);
}

static void
pb_update(struct http_req *r)
{
	struct json_object *base = NULL;
	struct playbook_row row;
	int found, rc;

	memset(&row, 0, sizeof(row));
	if (!id_has_prefix(r->params[0], "pb")) {
		http_not_found(r, "playbook");
		return;
	}
	base = playbook_load_fields(r->auth.tenant_id, r->params[0], &found);
	if (reply_missing(r, base, found, "playbook"))
		return;
	if (pb_read(r, base, 0, &row) != 0)
		goto out;
	snprintf(row.id, sizeof(row.id), "%s", r->params[0]);
	if ((rc = playbook_save(r->auth.tenant_id, &row, r->now)) != 0) {
		if (rc == 1)
			http_not_found(r, "playbook");
		else
			http_internal(r);
		goto out;
	}
	pb_respond(r, row.id, 200);
out:
	json_object_put(base);
}

static void
pb_delete(struct http_req *r)
{
	struct json_object *out;
	int rc;

	if (!id_has_prefix(r->params[0], "pb")) {
		http_not_found(r, "playbook");
		return;
	}
	if ((rc = playbook_archive(r->auth.tenant_id, r->params[0], r->now)) != 0) {
		if (rc == 1)
			http_not_found(r, "playbook");
		else
			http_internal(r);
		return;
	}
	out = json_object_new_object();
	json_object_object_add(out, "id", json_object_new_string(r->params[0]));
	json_object_object_add(out, "archived", json_object_new_boolean(1));
	http_json(r, 200, out);
}

static void
pb_starter(struct http_req *r)
{
	static const char *const fields[] = { "activate", NULL };
	struct json_object *arr, *out;
	struct in v;
	int activate, installed;

	in_init(&v, r->body, NULL);
	in_only(&v, fields);
	activate = in_bool(&v, "activate", 0, 0);
	if (in_reject(&v, r))
		return;
	if (playbook_starter_install(r->auth.tenant_id, activate, r->now, &installed) != 0 ||
	    (arr = playbook_list_starter_json(r->auth.tenant_id)) == NULL) {
		http_internal(r);
		return;
	}
	out = json_object_new_object();
	json_object_object_add(out, "installed", json_object_new_int(installed));
	json_object_object_add(out, "playbooks", arr);
	http_json(r, installed > 0 ? 201 : 200, out);
}

static void
pb_report(struct http_req *r)
{
	struct json_object *o;
	int found;

	if (!id_has_prefix(r->params[0], "pb")) {
		http_not_found(r, "playbook");
		return;
	}
	o = playbook_report_json(r->auth.tenant_id, r->params[0], r->now, &found);
	reply_one(r, 200, NULL, "playbook", o, found);
}

int
main(int argc, char **argv)
{
	return http_serve(argc, argv, "retivo-playbooks", routes, ROUTE__MAX);
}
