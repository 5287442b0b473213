/*
 * deliver_send.c — see deliver_send.h: the per-row checks made just
 * before a send, and the four channels. Every outcome ends in one move of
 * lib/intervention_send.h, guarded by our lease.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "action.h"
#include "conf.h"
#include "crypto.h"
#include "db.h"
#include "deliver_send.h"
#include "delivery.h"
#include "endpoint.h"
#include "escalation.h"
#include "intervention.h"
#include "intervention_send.h"
#include "log.h"
#include "settings.h"
#include "smtp.h"
#include "timeutil.h"
#include "unsubscribe.h"

#define DELIVER_WEBHOOK_EVENT	"intervention.delivered"
#define DELIVER_MAX_ENDPOINTS	64

static struct db_stmt ds_user = DB_STMT(
    "SELECT email, opted_out, paused FROM users WHERE tenant_id = ? AND user_id = ?");

static struct db_stmt ds_endpoints = DB_STMT(
    "SELECT id, seq, url, subscribed_events, secret_enc FROM webhook_endpoints "
    "WHERE tenant_id = ? AND active = 1 ORDER BY seq");

/* The user as the send needs it. */
struct ds_user {
	int	found;
	int	opted_out;
	int	paused;
	char	email[330];	/* "" when none */
};

static int
ds_user_load(const struct isend *v, struct ds_user *u)
{
	memset(u, 0, sizeof(*u));
	if (db_exec(&ds_user, "ss", v->tenant_id, v->user_id) != 0)
		return -1;
	if (db_fetch(&ds_user) == 1) {
		u->found = 1;
		snprintf(u->email, sizeof(u->email), "%s",
		    db_col(&ds_user, 0) ? db_col(&ds_user, 0) : "");
		u->opted_out = db_col_int(&ds_user, 1) != 0;
		u->paused = db_col_int(&ds_user, 2) != 0;
	}
	db_done(&ds_user);
	return 0;
}

/* A failed attempt: counted as retried or failed. 0 or -1. */
static int
ds_failed(const struct isend *v, const char *owner, const char *error, int permanent,
    int64_t now, struct deliver_counts *k)
{
	int final = 0, rc;

	rc = isend_failed(v, owner, error, permanent, now, &final);
	if (rc == 0) {
		if (final)
			k->failed++;
		else
			k->retried++;
		log_info("deliver: intervention %s %s: %s", v->id,
		    final ? "failed" : "will be retried", error);
	}
	return rc < 0 ? -1 : 0;
}

/* Appends "\n\nUnsubscribe: url" (text) or a link paragraph (HTML) unless
 * the body already carries url. malloc'd, NULL when out of memory. */
static char *
ds_with_link(const char *body, const char *url, int html)
{
	size_t len;
	char *out;

	if (strstr(body, url) != NULL)
		return strdup(body);
	len = strlen(body) + strlen(url) + 128;
	if ((out = malloc(len)) == NULL)
		return NULL;
	if (html)
		snprintf(out, len, "%s\n<p style=\"font-size:12px;color:#666\">"
		    "<a href=\"%s\">Unsubscribe</a></p>\n", body, url);
	else
		snprintf(out, len, "%s\n\n--\nUnsubscribe: %s\n", body, url);
	return out;
}

/* The unsubscribe URL of the user into out; 0 or -1. */
static int
ds_unsubscribe_url(const struct conf *c, const struct isend *v, char *out, size_t outlen)
{
	char token[UNSUBSCRIBE_TOKEN_MAX + 1];
	size_t n = strlen(c->public_url);

	if (unsubscribe_token_make(c->master_key, v->tenant_id, v->user_id, token,
	    sizeof(token)) != 0)
		return -1;
	while (n > 0 && c->public_url[n - 1] == '/')
		n--;
	/* The token's alphabet (A-Z a-z 0-9 - _ .) needs no escaping. */
	if ((size_t)snprintf(out, outlen, "%.*s/unsubscribe?token=%s", (int)n, c->public_url,
	    token) >= outlen)
		return -1;
	return 0;
}

/* Why email cannot go out with this configuration, NULL when it can. */
static const char *
ds_email_unconfigured(const struct conf *c)
{
	char addr[300];

	if (c->smtp_url[0] == '\0')
		return "email not configured: smtp_url";
	if (smtp_address(c->mail_from, addr, sizeof(addr)) != 0)
		return "email not configured: mail_from";
	if (c->public_url[0] == '\0')
		return "email not configured: public_url (the unsubscribe link)";
	if (!c->have_master_key)
		return "email not configured: master_key (the unsubscribe token)";
	return NULL;
}

static int
ds_email(const struct conf *c, const struct isend *v, const char *owner,
    const struct ds_user *u, int64_t now, struct deliver_counts *k)
{
	struct smtp_message m;
	char url[UNSUBSCRIBE_TOKEN_MAX + 600], msgid[SMTP_MESSAGE_ID_MAX], boundary[48];
	char addr[300], rnd[17], err[512];
	char *text = NULL, *html = NULL, *wire = NULL;
	const char *why;
	int rc = -1, r;

	if ((why = ds_email_unconfigured(c)) != NULL)
		return ds_failed(v, owner, why, 1, now, k);
	if (smtp_address(u->email, addr, sizeof(addr)) != 0)
		return ds_failed(v, owner, "the user has no usable email address", 1, now, k);
	if (ds_unsubscribe_url(c, v, url, sizeof(url)) != 0 ||
	    smtp_message_id(c->mail_from, msgid, sizeof(msgid)) != 0 ||
	    crypto_random_hex(rnd, 8) != 0) {
		log_err("deliver: cannot make the link or ids of intervention %s", v->id);
		return -1;
	}
	snprintf(boundary, sizeof(boundary), "=_retivo_%s", rnd);
	if ((text = ds_with_link(v->body, url, 0)) == NULL ||
	    (v->html != NULL && (html = ds_with_link(v->html, url, 1)) == NULL)) {
		log_err("deliver: out of memory");
		goto out;
	}
	memset(&m, 0, sizeof(m));
	m.from = c->mail_from;
	m.to = addr;
	m.subject = v->subject[0] ? v->subject : "(no subject)";
	m.text = text;
	m.html = html;
	m.unsubscribe_url = url;
	m.message_id = msgid;
	m.boundary = boundary;
	m.date = now;
	if ((wire = smtp_build(&m)) == NULL) {
		rc = ds_failed(v, owner, "the message cannot be built (a header has a line "
		    "break or the address is unusable)", 1, now, k);
		goto out;
	}
	/* From here until isend_done() commits is the crash window. */
	if ((r = isend_begin(v, owner, now)) != 0) {
		rc = r > 0 ? DELIVER_NOT_SENT : -1;
		goto out;
	}
	r = smtp_send(c, addr, wire, err, sizeof(err));
	if (r == SMTP_SENT) {
		if (isend_done(v, owner, "delivered", msgid, NULL, now) < 0) {
			log_err("deliver: intervention %s: email accepted as %s but not recorded",
			    v->id, msgid);
			goto out;
		}
		k->sent++;
		k->emails++;
		rc = DELIVER_SENT;
		goto out;
	}
	rc = ds_failed(v, owner, err, r == SMTP_PERMFAIL, now, k);
out:
	free(text);
	free(html);
	free(wire);
	return rc;
}

/* The webhook body (new JSON text, caller frees), NULL when out of memory. */
static char *
ds_webhook_body(const struct isend *v, int64_t now)
{
	struct json_object *o = json_object_new_object(), *p = NULL;
	char iso[21];
	char *out = NULL;

	if (o == NULL)
		return NULL;
	time_format_iso8601(now, iso);
	if (v->parameters != NULL)
		p = json_tokener_parse(v->parameters);
	json_object_object_add(o, "type", json_object_new_string(DELIVER_WEBHOOK_EVENT));
	json_object_object_add(o, "intervention_id", json_object_new_string(v->id));
	json_object_object_add(o, "user_id", json_object_new_string(v->user_id));
	json_object_object_add(o, "playbook_id",
	    v->playbook_id[0] ? json_object_new_string(v->playbook_id) : NULL);
	json_object_object_add(o, "channel", json_object_new_string("webhook"));
	json_object_object_add(o, "subject",
	    v->subject[0] ? json_object_new_string(v->subject) : NULL);
	json_object_object_add(o, "message", json_object_new_string(v->body));
	json_object_object_add(o, "message_html",
	    v->html != NULL ? json_object_new_string(v->html) : NULL);
	json_object_object_add(o, "parameters", p);
	json_object_object_add(o, "reasoning",
	    v->reasoning != NULL ? json_object_new_string(v->reasoning) : NULL);
	json_object_object_add(o, "confidence",
	    v->has_confidence ? json_object_new_double(v->confidence) : NULL);
	json_object_object_add(o, "tenant_id", json_object_new_string(v->tenant_id));
	json_object_object_add(o, "test_mode", json_object_new_boolean(0));
	json_object_object_add(o, "timestamp", json_object_new_string(iso));
	out = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return out;
}

/* Queues the deliveries and moves the row, in one transaction. Returns
 * how many were queued, 0 when no endpoint is subscribed, -1, -2 when
 * the row is no longer ours, -3 after a deadlock (all undone: try again). */
static int
ds_webhook_tx(const struct isend *v, const char *owner, const char *body, int64_t now,
    char first_msg[64])
{
	struct json_object *pat;
	char msg[64];
	int queued = 0, bad = 0, r;

	if (db_begin() != 0)
		return -1;
	if (db_exec(&ds_endpoints, "s", v->tenant_id) != 0)
		goto fail;
	while (!bad && queued < DELIVER_MAX_ENDPOINTS && db_fetch(&ds_endpoints) == 1) {
		pat = json_tokener_parse(db_col(&ds_endpoints, 3) ? db_col(&ds_endpoints, 3) : "");
		if (pat != NULL && endpoint_subscribed(pat, DELIVER_WEBHOOK_EVENT)) {
			/* The same webhook-id on every attempt: receivers drop repeats. */
			snprintf(msg, sizeof(msg), "%s_%llx", v->id,
			    (unsigned long long)db_col_int(&ds_endpoints, 1));
			if (queued == 0)
				snprintf(first_msg, 64, "%s", msg);
			if (delivery_enqueue(v->tenant_id, "intervention", v->id,
			    db_col(&ds_endpoints, 0), msg, db_col(&ds_endpoints, 2),
			    db_col(&ds_endpoints, 4), body, now, now) != 0)
				bad = 1;
			else
				queued++;
		}
		json_object_put(pat);
	}
	db_done(&ds_endpoints);
	if (bad)
		goto fail;
	if (queued == 0) {
		db_rollback();
		return 0;
	}
	if ((r = isend_done_in(v, owner, "sent", first_msg, NULL, now)) != 0) {
		if (r > 0) {
			db_rollback();
			return -2;
		}
		goto fail;
	}
	return db_commit() == 0 ? queued : -1;
fail:
	r = db_err_retryable(db_errno());
	db_rollback();
	return r ? -3 : -1;
}

static int
ds_webhook(const struct isend *v, const char *owner, int64_t now, struct deliver_counts *k)
{
	char first[64] = "";
	char *body;
	int r, tries;

	if ((body = ds_webhook_body(v, now)) == NULL) {
		log_err("deliver: out of memory");
		return -1;
	}
	for (tries = 0; (r = ds_webhook_tx(v, owner, body, now, first)) == -3 && tries < 5; tries++)
		continue;
	free(body);
	if (r == 0)
		return ds_failed(v, owner, "no active webhook endpoint is subscribed to "
		    DELIVER_WEBHOOK_EVENT, 1, now, k);
	if (r == -2)
		return DELIVER_NOT_SENT;
	if (r < 0)
		return ds_failed(v, owner, "cannot queue the webhook deliveries", 0, now, k);
	k->sent++;
	return DELIVER_SENT;
}

static int
ds_action(const struct isend *v, const char *owner, int64_t now, struct deliver_counts *k)
{
	struct action_target t;
	struct action_new a;
	struct json_object *params = NULL;
	char id[48], err[200];
	int rc = -1, r;

	memset(&t, 0, sizeof(t));
	if (v->action_type[0] == '\0')
		return ds_failed(v, owner, "no action type", 1, now, k);
	if ((r = action_target_load(v->tenant_id, v->action_type, &t)) != 0) {
		if (r < 0)
			return ds_failed(v, owner, "cannot load the action type", 0, now, k);
		snprintf(err, sizeof(err), "no action type named %s", v->action_type);
		return ds_failed(v, owner, err, 1, now, k);
	}
	if (!t.active) {
		rc = ds_failed(v, owner, "the action type is inactive", 1, now, k);
		goto out;
	}
	params = json_tokener_parse(v->parameters != NULL ? v->parameters : "{}");
	if (params == NULL || !json_object_is_type(params, json_type_object)) {
		rc = ds_failed(v, owner, "parameters are not a JSON object", 1, now, k);
		goto out;
	}
	memset(&a, 0, sizeof(a));
	a.action_type = v->action_type;
	a.user_id = v->user_id;
	a.parameters = params;
	a.reasoning = v->reasoning;
	a.has_confidence = v->has_confidence;
	a.confidence = v->confidence;
	a.decision_id = v->decision_id[0] ? v->decision_id : NULL;
	if ((r = isend_begin(v, owner, now)) != 0) {
		rc = r > 0 ? DELIVER_NOT_SENT : -1;
		goto out;
	}
	r = action_create(v->tenant_id, &t, &a, now, id);
	if (r == ACTION_CREATE_LINK_FAILED) {
		/* The decision was linked to another action meanwhile: the
		 * intervention still goes out, unlinked. */
		a.decision_id = NULL;
		r = action_create(v->tenant_id, &t, &a, now, id);
	}
	if (r != 0) {
		rc = ds_failed(v, owner, "cannot create the action", 0, now, k);
		goto out;
	}
	if (isend_done(v, owner, "sent", id, NULL, now) < 0) {
		log_err("deliver: intervention %s: action %s created but not recorded", v->id, id);
		goto out;
	}
	k->sent++;
	rc = DELIVER_SENT;
out:
	json_object_put(params);
	action_target_clear(&t);
	return rc;
}

static int
ds_escalation(const struct isend *v, const char *owner, int64_t now,
    struct deliver_counts *k)
{
	struct escalation_new e;
	struct json_object *params = NULL, *sev;
	char id[48], severity[16] = "medium";
	int r;

	/* The evaluate job passes the playbook's severity in parameters. */
	if (v->parameters != NULL && (params = json_tokener_parse(v->parameters)) != NULL &&
	    json_object_object_get_ex(params, "severity", &sev) &&
	    json_object_is_type(sev, json_type_string) &&
	    intervention_word_in(escalation_severities, json_object_get_string(sev)))
		snprintf(severity, sizeof(severity), "%s", json_object_get_string(sev));
	json_object_put(params);
	memset(&e, 0, sizeof(e));
	e.tenant_id = v->tenant_id;
	e.user_id = v->user_id;
	e.playbook_id = v->playbook_id[0] ? v->playbook_id : NULL;
	e.intervention_id = v->id;
	e.severity = severity;
	e.reason = v->reasoning != NULL && v->reasoning[0] ? v->reasoning :
	    v->subject[0] ? v->subject : "escalated by a playbook";
	if (db_begin() != 0)
		return -1;
	if (escalation_create(&e, now, id) != 0) {
		db_rollback();
		return ds_failed(v, owner, "cannot open the escalation", 0, now, k);
	}
	if ((r = isend_done_in(v, owner, "delivered", id, NULL, now)) != 0) {
		db_rollback();
		return r > 0 ? DELIVER_NOT_SENT : -1;
	}
	if (db_commit() != 0)
		return -1;
	k->sent++;
	return DELIVER_SENT;
}

/* Records a row as sent with nothing sent (test mode, shadow). */
static int
ds_dry(const struct isend *v, const char *owner, const char *why, int64_t now, long long *count)
{
	int r = isend_done(v, owner, "sent", NULL, why, now);

	if (r == 0)
		(*count)++;
	return r < 0 ? -1 : DELIVER_NOT_SENT;
}

int
deliver_one(const struct conf *c, const struct isend *v, const char *owner, int64_t now,
    struct deliver_counts *k)
{
	struct tenant_settings ts;
	struct json_object *sm;
	struct ds_user u;
	int kill, shadow_mode, r;

	/* Re-read for this very send: a switch flipped during the run counts. */
	if (settings_load(v->tenant_id, &ts) != 0)
		return -1;
	kill = ts.kill_switch;
	shadow_mode = json_object_object_get_ex(ts.settings, "shadow_mode", &sm) &&
	    json_object_get_boolean(sm);
	settings_clear(&ts);
	if (kill) {
		r = isend_release(v, owner, "kill_switch", NULL, now);
		if (r == 0)
			k->held++;
		return r < 0 ? -1 : DELIVER_NOT_SENT;
	}
	if (ds_user_load(v, &u) != 0)
		return -1;
	if (!u.found)
		return ds_failed(v, owner, "the user no longer exists", 1, now, k);
	if (u.opted_out || u.paused) {
		r = isend_release(v, owner, u.opted_out ? "user opted out" : "user paused",
		    u.opted_out ? "user opted out" : "user paused", now);
		if (r == 0)
			k->cancelled++;
		return r < 0 ? -1 : DELIVER_NOT_SENT;
	}
	if (v->test_mode)
		return ds_dry(v, owner, "test_mode", now, &k->test_mode);
	if (v->shadow || shadow_mode)
		return ds_dry(v, owner, "shadow", now, &k->shadow);
	if (strcmp(v->channel, "email") == 0)
		return ds_email(c, v, owner, &u, now, k);
	if (strcmp(v->channel, "webhook") == 0)
		return ds_webhook(v, owner, now, k);
	if (strcmp(v->channel, "external_action") == 0)
		return ds_action(v, owner, now, k);
	if (strcmp(v->channel, "escalation") == 0)
		return ds_escalation(v, owner, now, k);
	return ds_failed(v, owner, "unknown channel", 1, now, k);
}
