/*
 * interventions.c — /api/interventions (seed 001; the dry-run is served by
 * fcgi/decisions.c) and /api/escalations (SPEC.md).
 *
 * Interventions: list with filters and cursor, get, manual create, and
 * the verbs approve, pause, reject (reason required), rollback (reason
 * optional; of a delivered intervention) and flag (reason). The state
 * machine is lib/intervention.c's; an illegal move answers 409
 * invalid_transition naming the current status. Scopes: reads take read,
 * manage or full; writes manage or full, so a viewer's session (read) gets
 * 403 and editors and admins may approve and reject (seed 003).
 *
 * A manual intervention is composed like a playbook's (lib/message.h:
 * the playbook's strategy_hints when one is named, the user's traits and
 * scores, the brand) and starts as shadow in shadow mode, else
 * pending_approval unless its playbook says no approval is needed; its
 * planned_at is now, moved out of the playbook's quiet hours in the user's
 * zone. It is a person's decision, so the playbook's entry conditions,
 * cooldown and frequency cap are not applied (the evaluate job counts it
 * towards the cap of later runs). A
 * test key's interventions are marked test_mode: the deliver job records
 * them but sends nothing; so are those of a tenant without a live key and
 * of a user known only through test keys, as the evaluate job decides.
 * Escalation routes are in escalation_routes.c.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "action.h"
#include "db.h"
#include "escalation.h"
#include "event.h"
#include "http.h"
#include "ids.h"
#include "intervention.h"
#include "interventions_routes.h"
#include "jsonin.h"
#include "jsonschema.h"
#include "log.h"
#include "message.h"
#include "page.h"
#include "playbook.h"
#include "reply.h"
#include "settings.h"
#include "timeutil.h"

static void iv_list(struct http_req *);
static void iv_get(struct http_req *);
static void iv_create(struct http_req *);
static void iv_approve(struct http_req *);
static void iv_pause(struct http_req *);
static void iv_reject(struct http_req *);
static void iv_rollback(struct http_req *);
static void iv_flag(struct http_req *);

enum route {
	ROUTE_IV_LIST,
	ROUTE_IV_CREATE,
	ROUTE_IV_GET,
	ROUTE_IV_APPROVE,
	ROUTE_IV_PAUSE,
	ROUTE_IV_REJECT,
	ROUTE_IV_ROLLBACK,
	ROUTE_IV_FLAG,
	ROUTE_ESC_LIST,
	ROUTE_ESC_CREATE,
	ROUTE_ESC_GET,
	ROUTE_ESC_HANDLE,
	ROUTE_ESC_DELEGATE,
	ROUTE__MAX
};

#define MANAGE (SCOPE_MANAGE | SCOPE_FULL)
#define READ (SCOPE_READ | SCOPE_MANAGE | SCOPE_FULL)

static const struct http_route routes[ROUTE__MAX] = {
	[ROUTE_IV_LIST] = { "GET", "/api/interventions", READ, iv_list, 0 },
	[ROUTE_IV_CREATE] = { "POST", "/api/interventions", MANAGE, iv_create, 0 },
	[ROUTE_IV_GET] = { "GET", "/api/interventions/:id", READ, iv_get, 0 },
	[ROUTE_IV_APPROVE] = { "PUT", "/api/interventions/:id/approve", MANAGE, iv_approve, 0 },
	[ROUTE_IV_PAUSE] = { "PUT", "/api/interventions/:id/pause", MANAGE, iv_pause, 0 },
	[ROUTE_IV_REJECT] = { "PUT", "/api/interventions/:id/reject", MANAGE, iv_reject, 0 },
	[ROUTE_IV_ROLLBACK] = { "PUT", "/api/interventions/:id/rollback", MANAGE, iv_rollback,
	    0 },
	[ROUTE_IV_FLAG] = { "PUT", "/api/interventions/:id/flag", MANAGE, iv_flag, 0 },
	[ROUTE_ESC_LIST] = { "GET", "/api/escalations", READ, esc_list, 0 },
	[ROUTE_ESC_CREATE] = { "POST", "/api/escalations", MANAGE, esc_create, 0 },
	[ROUTE_ESC_GET] = { "GET", "/api/escalations/:id", READ, esc_get, 0 },
	[ROUTE_ESC_HANDLE] = { "PUT", "/api/escalations/:id/handle", MANAGE, esc_handle, 0 },
	[ROUTE_ESC_DELEGATE] = { "PUT", "/api/escalations/:id/delegate", MANAGE, esc_delegate,
	    0 },
};

static const char *const list_fields[] = { "status", "user_id", "playbook_id", "channel",
	"flagged", "since", "limit", "cursor", NULL };
static const char *const create_fields[] = { "user_id", "playbook_id", "channel",
	"action_type", "parameters", NULL };
static const char *const reason_fields[] = { "reason", NULL };

const char *
routes_actor(const struct http_req *r, char *buf, size_t len)
{
	if (r->auth.session)
		snprintf(buf, len, "member:%s", r->auth.member_id);
	else
		snprintf(buf, len, "key:%s", r->auth.key_id);
	return buf;
}

const char *
routes_user_id(struct in *v)
{
	const char *u = in_str(v, "user_id", IN_REQUIRED, 1, INTERVENTION_USER_ID_MAX);

	in_require(v, "user_id", u != NULL);
	if (u != NULL && !event_user_id_valid(u))
		in_fail(v, "user_id", "invalid_field", "must not contain control characters");
	return u;
}

int
routes_user_state(struct http_req *r, const char *user_id, int *opted_out, int *paused)
{
	int rc = intervention_user_state(r->auth.tenant_id, user_id, opted_out, paused);

	if (rc < 0) {
		http_internal(r);
		return -1;
	}
	if (rc == 1) {
		http_error(r, 404, "user_not_found", "no user %s: send an event or $identify "
		    "first", user_id);
		return -1;
	}
	return 0;
}

static void
iv_list(struct http_req *r)
{
	struct intervention_filter f;
	struct json_object *arr;
	struct in v;
	const char *cursor;
	int status, channel, limit, has_more, bad_cursor;

	memset(&f, 0, sizeof(f));
	in_init(&v, r->query, NULL);
	in_only(&v, list_fields);
	status = in_enum(&v, "status", IN_QUERY, intervention_statuses);
	f.user_id = in_str(&v, "user_id", IN_QUERY, 1, INTERVENTION_USER_ID_MAX);
	f.playbook_id = in_str(&v, "playbook_id", IN_QUERY, 1, 40);
	channel = in_enum(&v, "channel", IN_QUERY, intervention_channels);
	f.flagged = in_has(&v, "flagged") ? in_bool(&v, "flagged", IN_QUERY, 0) : -1;
	f.since = in_time(&v, "since", IN_QUERY, &f.has_since);
	page_params(&v, &limit, &cursor);
	if (in_reject(&v, r))
		return;
	f.status = status >= 0 ? intervention_statuses[status] : NULL;
	f.channel = channel >= 0 ? intervention_channels[channel] : NULL;
	arr = intervention_list(r->auth.tenant_id, &f, limit, cursor, &has_more, &bad_cursor);
	reply_page(r, "interventions", "an intervention", arr, has_more, bad_cursor);
}

static void
iv_get(struct http_req *r)
{
	reply_get(r, "int", NULL, "intervention", intervention_get_json);
}

/* What a manual creation resolved besides the body. */
struct iv_plan {
	struct playbook		 pb;
	int			 has_pb;
	struct action_target	 t;
	const char		*channel;
	const char		*action_type;
	char			*params_text;
};

/*
 * The external_action part of a manual creation: the action type (the
 * body's, else the playbook's) must be one of the tenant's active types
 * and the parameters (default {}) must satisfy its schema. Failures land
 * in v; -1 on error.
 */
static int
iv_check_action(struct in *v, struct http_req *r, struct iv_plan *p,
    struct json_object *params)
{
	struct json_object *schema, *empty = NULL;
	char err[300];
	int rc, ok;

	if (p->action_type == NULL && p->has_pb && p->pb.constraints.action_type[0] != '\0')
		p->action_type = p->pb.constraints.action_type;
	if (p->action_type == NULL) {
		in_fail(v, "action_type", "missing_field", "is required for the external_action "
		    "channel when the playbook names no action type");
		return 0;
	}
	if ((rc = action_target_load(r->auth.tenant_id, p->action_type, &p->t)) < 0)
		return -1;
	if (rc == 1 || !p->t.active) {
		in_fail(v, "action_type", "invalid_field", "no active action type named %s",
		    p->action_type);
		return 0;
	}
	if (params == NULL)
		params = empty = json_object_new_object();
	if ((schema = json_tokener_parse(p->t.parameters_schema)) == NULL) {
		log_err("interventions: stored parameters_schema of %s does not parse", p->t.id);
		json_object_put(empty);
		return -1;
	}
	ok = jsonschema_validate(schema, params, err, sizeof(err));
	json_object_put(schema);
	if (ok != 1)
		in_fail(v, "parameters", "invalid_field", "%s", ok == 0 ? err :
		    "cannot be checked against the action type's parameters_schema");
	else if ((p->params_text = strdup(json_object_to_json_string_ext(params,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE))) == NULL) {
		json_object_put(empty);
		return -1;
	}
	json_object_put(empty);
	return 0;
}

/*
 * When the playbook has quiet hours, the first instant outside them in
 * the user's zone (traits.timezone, else the tenant's timezone_default);
 * else now. 0 or -1.
 */
static int
iv_planned_at(struct http_req *r, const struct iv_plan *p, const char *user_id,
    const char *tz_default, int64_t *planned)
{
	struct playbook_event_ctx ctx;
	struct json_object *holder = NULL;
	struct pb_user u;
	int rc;

	*planned = r->now;
	if (!p->has_pb || p->pb.constraints.quiet_start_min < 0)
		return 0;
	memset(&u, 0, sizeof(u));
	if ((rc = playbook_user_load(r->auth.tenant_id, user_id, r->now, &u, &ctx, &holder)) < 0)
		return -1;
	if (rc == 0)
		*planned = pb_quiet_next_allowed(&p->pb.constraints,
		    pb_user_timezone(u.traits, tz_default), r->now);
	json_object_put(holder);
	return 0;
}

/*
 * The first status of a manual intervention (file comment) and its
 * planned time. 0 or -1.
 */
static int
iv_first_status(struct http_req *r, const struct iv_plan *p, const char *user_id,
    const char **status, int *shadow, int64_t *planned)
{
	struct tenant_settings ts;
	struct json_object *o;
	int rc;

	memset(&ts, 0, sizeof(ts));
	if (settings_load(r->auth.tenant_id, &ts) != 0)
		return -1;
	*shadow = json_object_object_get_ex(ts.settings, "shadow_mode", &o) &&
	    json_object_get_boolean(o);
	rc = iv_planned_at(r, p, user_id, json_object_object_get_ex(ts.settings,
	    "timezone_default", &o) ? json_object_get_string(o) : NULL, planned);
	settings_clear(&ts);
	if (rc != 0)
		return -1;
	if (*shadow)
		*status = "shadow";
	else if (p->has_pb && !p->pb.constraints.approval_required)
		*status = "approved";
	else
		*status = "pending_approval";
	return 0;
}

/* Stores the intervention (and, for the escalation channel, its open
 * escalation) in one transaction. 0 or -1. */
static int
iv_store(struct http_req *r, struct intervention_new *n, const struct iv_plan *p,
    char id[48])
{
	struct escalation_new e;
	char eid[48];

	if (db_begin() != 0)
		return -1;
	if (intervention_create(n, r->now, id) != 0)
		goto fail;
	if (strcmp(p->channel, "escalation") == 0) {
		memset(&e, 0, sizeof(e));
		e.tenant_id = n->tenant_id;
		e.user_id = n->user_id;
		e.playbook_id = n->playbook_id;
		e.intervention_id = id;
		e.severity = p->has_pb && p->pb.constraints.severity[0] != '\0' ?
		    p->pb.constraints.severity : "medium";
		e.reason = n->reasoning;
		if (escalation_create(&e, r->now, eid) != 0)
			goto fail;
	}
	return db_commit();
fail:
	db_rollback();
	return -1;
}

static void
iv_create(struct http_req *r)
{
	struct intervention_new n;
	struct message_out mo;
	struct iv_plan p;
	struct in v;
	struct json_object *params, *out;
	char id[48], actor[80], reasoning[400], iso[TIME_ISO8601_SIZE];
	const char *qc = NULL;
	int chan, rc, opted_out, paused;

	memset(&n, 0, sizeof(n));
	memset(&mo, 0, sizeof(mo));
	memset(&p, 0, sizeof(p));
	in_init(&v, r->body, NULL);
	in_only(&v, create_fields);
	n.user_id = routes_user_id(&v);
	n.playbook_id = in_str(&v, "playbook_id", IN_NULLABLE, 1, 40);
	chan = in_enum(&v, "channel", IN_NULLABLE, intervention_channels);
	p.action_type = in_str(&v, "action_type", IN_NULLABLE, 1, 64);
	params = in_obj(&v, "parameters", IN_NULLABLE);
	if (in_reject(&v, r))
		return;
	if (routes_user_state(r, n.user_id, &opted_out, &paused) != 0)
		goto out;
	if (opted_out || paused) {
		http_error(r, 409, opted_out ? "user_opted_out" : "user_paused", "user %s is %s: "
		    "nothing may be sent to them", n.user_id, opted_out ? "opted out" : "paused");
		goto out;
	}
	if (n.playbook_id != NULL) {
		rc = id_has_prefix(n.playbook_id, "pb") ?
		    playbook_load(r->auth.tenant_id, n.playbook_id, &p.pb) : 1;
		if (rc < 0)
			goto internal;
		if (rc == 1) {
			http_not_found(r, "playbook");
			goto out;
		}
		p.has_pb = 1;
		if (p.pb.status == PB_STATUS_ARCHIVED) {
			http_error(r, 409, "playbook_archived", "playbook %s is archived",
			    n.playbook_id);
			goto out;
		}
	}
	p.channel = chan >= 0 ? intervention_channels[chan] :
	    p.has_pb ? pb_channel_name(p.pb.constraints.channel) : "email";
	if (strcmp(p.channel, "external_action") == 0) {
		if (iv_check_action(&v, r, &p, params) != 0)
			goto internal;
		if (in_reject(&v, r))
			goto out;
	}
	if (iv_first_status(r, &p, n.user_id, &n.status, &n.shadow, &n.planned_at) != 0)
		goto internal;
	if (message_compose(r->auth.tenant_id, n.user_id, p.channel,
	    p.has_pb ? pb_area_name(p.pb.area) : NULL, p.has_pb ? p.pb.name : NULL,
	    p.has_pb ? p.pb.hints : NULL, &mo) != 0)
		goto internal;
	if (mo.quality_checks != NULL)
		qc = json_object_to_json_string_ext(mo.quality_checks, JSON_C_TO_STRING_PLAIN |
		    JSON_C_TO_STRING_NOSLASHESCAPE);
	routes_actor(r, actor, sizeof(actor));
	snprintf(reasoning, sizeof(reasoning), "Created by hand (%s)%s%s.", actor,
	    p.has_pb ? " with playbook " : "", p.has_pb ? p.pb.name : "");
	n.tenant_id = r->auth.tenant_id;
	n.channel = p.channel;
	n.source = "manual";
	n.subject = mo.subject != NULL && mo.subject[0] != '\0' ? mo.subject : NULL;
	n.message_body = mo.body_text;
	n.message_html = mo.body_html;
	n.action_type = strcmp(p.channel, "external_action") == 0 ? p.action_type : NULL;
	n.parameters = p.params_text;
	n.reasoning = reasoning;
	n.quality_checks = qc;
	/* A test key, a test-mode tenant or a test-only user: never sent. */
	if ((n.test_mode = r->auth.test_mode) == 0 &&
	    (n.test_mode = intervention_test_data(r->auth.tenant_id, n.user_id)) < 0)
		goto internal;
	n.flag_reason = mo.passed ? NULL : mo.flag_reason;
	n.actor = actor;
	if (iv_store(r, &n, &p, id) != 0)
		goto internal;
	time_format_iso8601(n.planned_at, iso);
	out = json_object_new_object();
	json_object_object_add(out, "id", json_object_new_string(id));
	json_object_object_add(out, "status", json_object_new_string(n.status));
	json_object_object_add(out, "channel", json_object_new_string(p.channel));
	json_object_object_add(out, "planned_at", json_object_new_string(iso));
	http_json(r, 201, out);
	goto out;
internal:
	http_internal(r);
out:
	message_out_clear(&mo);
	if (p.has_pb)
		playbook_clear(&p.pb);
	action_target_clear(&p.t);
	free(p.params_text);
}

/*
 * One verb of the state machine on the id of the path; reason is read
 * from the body (required for reject, optional for rollback, refused
 * otherwise). Answers {id, status} or 404 / 409 invalid_transition.
 */
static void
iv_verb(struct http_req *r, const char *verb, int reason_flags)
{
	static const char *const none[] = { NULL };
	struct json_object *out;
	struct in v;
	const char *reason = NULL;
	char actor[80], cur[INTERVENTION_STATUS_MAX], to[INTERVENTION_STATUS_MAX];
	int rc;

	if (!id_has_prefix(r->params[0], "int")) {
		http_not_found(r, "intervention");
		return;
	}
	in_init(&v, r->body, NULL);
	in_only(&v, reason_flags >= 0 ? reason_fields : none);
	if (reason_flags >= 0)
		reason = in_str(&v, "reason", reason_flags, 1, INTERVENTION_REASON_MAX);
	if (reason_flags == IN_REQUIRED)
		in_require(&v, "reason", reason != NULL);
	if (in_reject(&v, r))
		return;
	rc = intervention_apply(r->auth.tenant_id, r->params[0], verb, reason,
	    routes_actor(r, actor, sizeof(actor)), r->now, cur, to);
	if (rc == INTERVENTION_NOT_FOUND) {
		http_not_found(r, "intervention");
		return;
	}
	if (rc == INTERVENTION_INVALID) {
		http_error(r, 409, "invalid_transition", "cannot %s intervention %s: its status "
		    "is %s", verb, r->params[0], cur);
		return;
	}
	if (rc != INTERVENTION_OK) {
		http_internal(r);
		return;
	}
	out = json_object_new_object();
	json_object_object_add(out, "id", json_object_new_string(r->params[0]));
	json_object_object_add(out, "status", json_object_new_string(to));
	http_json(r, 200, out);
}

static void
iv_approve(struct http_req *r)
{
	iv_verb(r, "approve", -1);
}

static void
iv_pause(struct http_req *r)
{
	iv_verb(r, "pause", -1);
}

static void
iv_reject(struct http_req *r)
{
	iv_verb(r, "reject", IN_REQUIRED);
}

static void
iv_rollback(struct http_req *r)
{
	iv_verb(r, "rollback", IN_NULLABLE);
}

static void
iv_flag(struct http_req *r)
{
	struct json_object *out;
	struct in v;
	const char *reason;
	int rc;

	if (!id_has_prefix(r->params[0], "int")) {
		http_not_found(r, "intervention");
		return;
	}
	in_init(&v, r->body, NULL);
	in_only(&v, reason_fields);
	reason = in_str(&v, "reason", IN_REQUIRED, 1, INTERVENTION_REASON_MAX);
	if (in_reject(&v, r))
		return;
	rc = intervention_flag(r->auth.tenant_id, r->params[0], reason, r->now);
	if (rc == INTERVENTION_NOT_FOUND) {
		http_not_found(r, "intervention");
		return;
	}
	if (rc != INTERVENTION_OK) {
		http_internal(r);
		return;
	}
	out = json_object_new_object();
	json_object_object_add(out, "id", json_object_new_string(r->params[0]));
	json_object_object_add(out, "flagged", json_object_new_boolean(1));
	http_json(r, 200, out);
}

int
main(int argc, char **argv)
{
	return http_serve(argc, argv, "retivo-interventions", routes, ROUTE__MAX);
}
