/*
 * escalation_routes.c — /api/escalations (SPEC.md): cases for a human.
 * List (status filter, cursor), get, create {user_id, playbook_id?,
 * severity, reason}, PUT …/{id}/handle {action_taken} and PUT
 * …/{id}/delegate {to, note?} where `to` is a team member id ("mem_…", of
 * this tenant) or an e-mail address. A handled escalation is final: a
 * further handle or delegate answers 409 invalid_transition.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "escalation.h"
#include "http.h"
#include "ids.h"
#include "interventions_routes.h"
#include "jsonin.h"
#include "log.h"
#include "member.h"
#include "page.h"
#include "playbook.h"
#include "reply.h"

static const char *const list_fields[] = { "status", "limit", "cursor", NULL };
static const char *const create_fields[] = { "user_id", "playbook_id", "severity", "reason",
	NULL };
static const char *const handle_fields[] = { "action_taken", NULL };
static const char *const delegate_fields[] = { "to", "note", NULL };

void
esc_list(struct http_req *r)
{
	struct json_object *arr;
	struct in v;
	const char *cursor;
	int status, limit, has_more, bad_cursor;

	in_init(&v, r->query, NULL);
	in_only(&v, list_fields);
	status = in_enum(&v, "status", IN_QUERY, escalation_statuses);
	page_params(&v, &limit, &cursor);
	if (in_reject(&v, r))
		return;
	arr = escalation_list(r->auth.tenant_id, status >= 0 ? escalation_statuses[status] : NULL,
	    limit, cursor, &has_more, &bad_cursor);
	reply_page(r, "escalations", "an escalation", arr, has_more, bad_cursor);
}

/* Answers {"escalation": {...}} with status, or the error. */
static void
esc_answer(struct http_req *r, int status, const char *id)
{
	reply_by_id(r, status, "escalation", "escalation", escalation_get_json, id);
}

void
esc_get(struct http_req *r)
{
	reply_get(r, "esc", "escalation", "escalation", escalation_get_json);
}

void
esc_create(struct http_req *r)
{
	struct escalation_new n;
	struct playbook pb;
	struct in v;
	char id[48];
	int sev, rc, opted_out, paused;

	memset(&n, 0, sizeof(n));
	in_init(&v, r->body, NULL);
	in_only(&v, create_fields);
	n.user_id = routes_user_id(&v);
	n.playbook_id = in_str(&v, "playbook_id", IN_NULLABLE, 1, 40);
	sev = in_enum(&v, "severity", IN_REQUIRED, escalation_severities);
	in_require(&v, "severity", sev >= 0);
	n.reason = in_str(&v, "reason", IN_REQUIRED, 1, ESCALATION_REASON_MAX);
	in_require(&v, "reason", n.reason != NULL);
	if (in_reject(&v, r))
		return;
	n.tenant_id = r->auth.tenant_id;
	n.severity = escalation_severities[sev];
	/* Opted-out and paused users may still be escalated to a human:
	 * nobody is messaged. */
	if (routes_user_state(r, n.user_id, &opted_out, &paused) != 0)
		return;
	if (n.playbook_id != NULL) {
		memset(&pb, 0, sizeof(pb));
		rc = id_has_prefix(n.playbook_id, "pb") ?
		    playbook_load(r->auth.tenant_id, n.playbook_id, &pb) : 1;
		if (rc == 0)
			playbook_clear(&pb);
		if (rc < 0) {
			http_internal(r);
			return;
		}
		if (rc == 1) {
			http_not_found(r, "playbook");
			return;
		}
	}
	if (escalation_create(&n, r->now, id) != 0) {
		http_internal(r);
		return;
	}
	esc_answer(r, 201, id);
}

/* The answer to a move of r->params[0]: the escalation when rc is
 * ESCALATION_OK, else 404, or 409 naming the current status cur. */
static void
esc_moved(struct http_req *r, int rc, const char *verb, const char *cur)
{
	if (rc == ESCALATION_OK)
		esc_answer(r, 200, r->params[0]);
	else if (rc == ESCALATION_NOT_FOUND)
		http_not_found(r, "escalation");
	else if (rc == ESCALATION_INVALID)
		http_error(r, 409, "invalid_transition", "cannot %s escalation %s: its status is "
		    "%s", verb, r->params[0], cur);
	else
		http_internal(r);
}

void
esc_handle(struct http_req *r)
{
	struct in v;
	const char *action;
	char cur[16] = "";
	int rc;

	if (!id_has_prefix(r->params[0], "esc")) {
		http_not_found(r, "escalation");
		return;
	}
	in_init(&v, r->body, NULL);
	in_only(&v, handle_fields);
	action = in_str(&v, "action_taken", IN_REQUIRED, 1, ESCALATION_REASON_MAX);
	in_require(&v, "action_taken", action != NULL);
	if (in_reject(&v, r))
		return;
	rc = escalation_handle(r->auth.tenant_id, r->params[0], action, r->now, cur);
	esc_moved(r, rc, "handle", cur);
}

/* Checks `to`: an e-mail address, or a member id of this tenant's team.
 * Failures land in v. */
static void
esc_check_to(struct in *v, struct http_req *r, const char *to)
{
	struct json_object *m;

	if (!id_has_prefix(to, "mem")) {
		if (!member_email_valid(to))
			in_fail(v, "to", "invalid_field", "must be a team member id (mem_…) or an "
			    "e-mail address");
		return;
	}
	if ((m = member_get_json(r->auth.tenant_id, to)) == NULL)
		in_fail(v, "to", "invalid_field", "no member %s in this team", to);
	json_object_put(m);
}

void
esc_delegate(struct http_req *r)
{
	struct in v;
	const char *to, *note;
	char cur[16] = "";
	int rc;

	if (!id_has_prefix(r->params[0], "esc")) {
		http_not_found(r, "escalation");
		return;
	}
	in_init(&v, r->body, NULL);
	in_only(&v, delegate_fields);
	to = in_str(&v, "to", IN_REQUIRED, 1, 254);
	in_require(&v, "to", to != NULL);
	if (to != NULL)
		esc_check_to(&v, r, to);
	note = in_str(&v, "note", IN_NULLABLE, 1, ESCALATION_REASON_MAX);
	if (in_reject(&v, r))
		return;
	rc = escalation_delegate(r->auth.tenant_id, r->params[0], to, note, r->now, cur);
	esc_moved(r, rc, "delegate", cur);
}
