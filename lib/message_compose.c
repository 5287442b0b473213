/*
 * message_compose.c — message_compose() of message.h: the I/O around the
 * pure message_render(). Reads the user's row and the tenant's brand, signs
 * the unsubscribe URL, and, when an LLM endpoint is configured, asks it for
 * a draft, which is rendered and checked like a template; the template is
 * used whenever that fails, and the quality checks say why.
 *
 * What leaves for the LLM endpoint: the brand context, the playbook's
 * goal/offer/tone/prompt, the template's rendered draft (with the user's
 * email address, user id and unsubscribe link masked), and of the user only
 * first name, plan, stage, risk level and the three scores — never the
 * email address, the user id or the traits as such.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf.h"
#include "db.h"
#include "llm.h"
#include "log.h"
#include "message.h"
#include "quality.h"
#include "settings.h"
#include "template.h"

static struct db_stmt msg_user = DB_STMT(
    "SELECT email, name, plan, company, traits, lifecycle_stage, risk_level,"
    " activation_score, engagement_score, expansion_score"
    " FROM users WHERE tenant_id = ? AND user_id = ?");

/*
 * A breaker: after LLM_BREAKER_FAILS endpoint failures in a row this
 * process stops asking for LLM_BREAKER_SECONDS (then tries once again), so
 * an evaluate run over many users does not wait llm_timeout_ms for each
 * of them while the endpoint is down. Wall-clock by design: it is about
 * the endpoint's health now, not about the --now being evaluated.
 */
#define LLM_BREAKER_FAILS	3
#define LLM_BREAKER_SECONDS	60

static int llm_fails;
static struct timespec llm_open_until;

static int
breaker_open(void)
{
	struct timespec now;

	if (llm_fails < LLM_BREAKER_FAILS || clock_gettime(CLOCK_MONOTONIC, &now) != 0)
		return 0;
	return now.tv_sec < llm_open_until.tv_sec;
}

static void
breaker_record(int ok)
{
	if (ok) {
		llm_fails = 0;
		return;
	}
	if (++llm_fails >= LLM_BREAKER_FAILS &&
	    clock_gettime(CLOCK_MONOTONIC, &llm_open_until) == 0)
		llm_open_until.tv_sec += LLM_BREAKER_SECONDS;
}

static const char system_prompt[] =
    "You write short, honest customer retention messages on behalf of a software company. "
    "Reply with one JSON object and nothing else: {\"subject\": \"...\", \"body\": \"...\"}. "
    "The body is plain text (no HTML, no Markdown), at most %zu characters, addressed to "
    "the user by first name when one is given. Follow the brand's voice and the requested "
    "tone. Never mention anything listed in things_to_avoid. Do not invent offers, prices "
    "or features that the context does not state. %s"
    "Use the reference draft's intent; improve its wording.";

static const char email_rule[] =
    "End the body with a line \"Unsubscribe: {{unsubscribe_url}}\", written exactly so "
    "(it is replaced by the user's link). Write no other {{...}} markers. ";

/* A string member of o, or NULL. */
static const char *
str_member(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* Adds key: a string of the user row column, or null. */
static void
add_col(struct json_object *o, const char *key, const char *val)
{
	json_object_object_add(o, key, val ? json_object_new_string(val) : NULL);
}

/* The first word of a name ("Ada" of "Ada Lovelace"), or NULL. */
static struct json_object *
first_name(const char *name)
{
	size_t n;

	if (name == NULL)
		return NULL;
	while (isspace((unsigned char)*name))
		name++;
	for (n = 0; name[n] && !isspace((unsigned char)name[n]); n++)
		;
	return n ? json_object_new_string_len(name, (int)n) : NULL;
}

/*
 * Loads the "user" and "scores" variables. Returns 1 found, 0 no such
 * user, -1 database error (logged).
 */
static int
load_user(const char *tenant_id, const char *user_id, struct json_object **user,
    struct json_object **scores)
{
	struct json_object *traits;
	int rc;

	*user = *scores = NULL;
	if (db_exec(&msg_user, "ss", tenant_id, user_id) != 0) {
		log_err("message: cannot read a user of tenant %s", tenant_id);
		return -1;
	}
	if ((rc = db_fetch(&msg_user)) == 1) {
		*user = json_object_new_object();
		add_col(*user, "user_id", user_id);
		add_col(*user, "email", db_col(&msg_user, 0));
		add_col(*user, "name", db_col(&msg_user, 1));
		json_object_object_add(*user, "first_name", first_name(db_col(&msg_user, 1)));
		add_col(*user, "plan", db_col(&msg_user, 2));
		add_col(*user, "company", db_col(&msg_user, 3));
		traits = db_col(&msg_user, 4) ? json_tokener_parse(db_col(&msg_user, 4)) : NULL;
		if (traits != NULL && !json_object_is_type(traits, json_type_object)) {
			json_object_put(traits);
			traits = NULL;
		}
		json_object_object_add(*user, "traits", traits ? traits : json_object_new_object());
		add_col(*user, "stage", db_col(&msg_user, 5));
		add_col(*user, "risk_level", db_col(&msg_user, 6));
		*scores = json_object_new_object();
		json_object_object_add(*scores, "activation",
		    json_object_new_double(db_col_double(&msg_user, 7)));
		json_object_object_add(*scores, "engagement",
		    json_object_new_double(db_col_double(&msg_user, 8)));
		json_object_object_add(*scores, "expansion",
		    json_object_new_double(db_col_double(&msg_user, 9)));
	} else if (rc < 0)
		log_err("message: cannot read a user of tenant %s", tenant_id);
	db_done(&msg_user);
	return rc;
}

/* Copies key of from (if set) into to. */
static void
copy_key(struct json_object *to, struct json_object *from, const char *key)
{
	struct json_object *v;

	if (from != NULL && json_object_object_get_ex(from, key, &v) && v != NULL)
		json_object_object_add(to, key, json_object_get(v));
}

/* Replaces every needle in *s by rep (realloc'd). 0, or -1 out of memory. */
static int
replace_all(char **s, const char *needle, const char *rep)
{
	size_t nl = strlen(needle), rl = strlen(rep), off = 0, len;
	char *p, *t;

	while ((p = strstr(*s + off, needle)) != NULL) {
		len = strlen(*s);
		if ((t = malloc(len - nl + rl + 1)) == NULL)
			return -1;
		off = (size_t)(p - *s);
		memcpy(t, *s, off);
		memcpy(t + off, rep, rl);
		memcpy(t + off + rl, p + nl, len - off - nl + 1);
		free(*s);
		*s = t;
		off += rl;
	}
	return 0;
}

/*
 * text as a JSON string with the user's unsubscribe link, email address
 * and user id (when 4+ bytes, so a short id does not mangle the text)
 * replaced by their markers: the reference draft goes to the LLM, and a
 * template may well print them. NULL (JSON null) when out of memory.
 */
static struct json_object *
masked(const char *text, const struct message_input *in)
{
	const char *email = str_member(in->user, "email"), *uid = str_member(in->user, "user_id");
	struct json_object *o = NULL;
	char *s;

	if (text == NULL || (s = strdup(text)) == NULL)
		return NULL;
	if ((in->unsubscribe_url == NULL || *in->unsubscribe_url == '\0' ||
	    replace_all(&s, in->unsubscribe_url, "{{unsubscribe_url}}") == 0) &&
	    (email == NULL || *email == '\0' || replace_all(&s, email, "{{user.email}}") == 0) &&
	    (uid == NULL || strlen(uid) < 4 || replace_all(&s, uid, "{{user.user_id}}") == 0))
		o = json_object_new_string(s);
	free(s);
	return o;
}

/* The user prompt: the context as one JSON document. New string or NULL. */
static char *
user_prompt(const struct message_input *in, const struct message_out *ref)
{
	static const char *brand_keys[] = { "company_name", "product_name", "sender_name",
	    "voice", "tone", "signature", "website", "things_to_avoid" };
	static const char *hint_keys[] = { "goal", "offer", "tone", "prompt", "cta_url" };
	static const char *user_keys[] = { "first_name", "plan", "stage", "risk_level" };
	struct json_object *o, *b, *h, *u, *r;
	char *s;
	size_t i;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	json_object_object_add(o, "channel", json_object_new_string(in->channel));
	add_col(o, "lifecycle_area", in->lifecycle_area);
	add_col(o, "playbook", in->playbook_name);
	b = json_object_new_object();
	for (i = 0; i < sizeof(brand_keys) / sizeof(brand_keys[0]); i++)
		copy_key(b, in->brand, brand_keys[i]);
	json_object_object_add(o, "brand", b);
	h = json_object_new_object();
	for (i = 0; i < sizeof(hint_keys) / sizeof(hint_keys[0]); i++)
		copy_key(h, in->strategy_hints, hint_keys[i]);
	json_object_object_add(o, "playbook_hints", h);
	u = json_object_new_object();
	for (i = 0; i < sizeof(user_keys) / sizeof(user_keys[0]); i++)
		copy_key(u, in->user, user_keys[i]);
	json_object_object_add(o, "user", u);
	if (in->scores != NULL)
		json_object_object_add(o, "scores", json_object_get(in->scores));
	r = json_object_new_object();
	json_object_object_add(r, "subject", masked(ref->subject, in));
	json_object_object_add(r, "body", masked(ref->body_text, in));
	json_object_object_add(o, "reference_draft", r);
	s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
	    JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return s;
}

/*
 * Tries the LLM. Returns 0 with *out replaced by the rendered draft, or -1
 * with the reason in why (out untouched).
 */
static int
try_llm(const struct conf *c, const struct message_input *in, struct message_out *out,
    char *why, size_t whylen)
{
	struct message_out lo;
	struct llm_draft d = { NULL, NULL };
	char sys[sizeof(system_prompt) + sizeof(email_rule) + 32], *up, err[256];
	size_t max;
	int email = strcmp(in->channel, "email") == 0, rc = -1;

	max = email ? QUALITY_EMAIL_BODY_MAX / 10 : strcmp(in->channel, "sms") == 0 ?
	    QUALITY_SMS_MAX : QUALITY_WEBHOOK_BODY_MAX / 4;
	snprintf(sys, sizeof(sys), system_prompt, max, email ? email_rule : "");
	if ((up = user_prompt(in, out)) == NULL) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	if (breaker_open()) {
		snprintf(why, whylen, "skipped: the endpoint failed %d times in a row "
		    "(tried again after %d s)", llm_fails, LLM_BREAKER_SECONDS);
		goto out;
	}
	if (llm_draft(c, sys, up, &d, why, whylen) != 0) {
		breaker_record(0);
		goto out;
	}
	breaker_record(1);
	/* Rendered as a template: the link marker is filled, any other one shows. */
	if (message_render(in, d.subject ? d.subject : out->subject, d.body, &lo, err,
	    sizeof(err)) != 0) {
		snprintf(why, whylen, "the draft is not a valid template (%s)", err);
		goto out;
	}
	/* A draft worse than the template is a failure too. */
	if (!lo.passed && out->passed) {
		snprintf(why, whylen, "the draft failed the quality checks (%s)", lo.flag_reason);
		message_out_clear(&lo);
		goto out;
	}
	message_out_clear(out);
	*out = lo;
	rc = 0;
out:
	llm_draft_clear(&d);
	free(up);
	return rc;
}

int
message_compose(const char *tenant_id, const char *user_id, const char *channel,
    const char *lifecycle_area, const char *playbook_name,
    struct json_object *strategy_hints, struct message_out *out)
{
	const struct conf *c = conf_get();
	struct tenant_settings ts;
	struct message_input in;
	struct json_object *user = NULL, *scores = NULL, *v;
	char url[MESSAGE_URL_MAX], err[256], why[300], detail[400];
	int have_ts = 0, rc = -1, found, bad_template = 0;

	memset(out, 0, sizeof(*out));
	if (c == NULL)
		return -1;
	if ((found = load_user(tenant_id, user_id, &user, &scores)) <= 0) {
		if (found == 0)
			log_err("message: no user %s in tenant %s", user_id, tenant_id);
		goto out;
	}
	if (settings_load(tenant_id, &ts) != 0)
		goto out;
	have_ts = 1;
	url[0] = '\0';
	if (strcmp(channel, "email") == 0 &&
	    message_unsubscribe_url(c, tenant_id, user_id, url, sizeof(url)) != 0)
		url[0] = '\0';	/* the unsubscribe_link check fails and flags it */
	in.channel = channel;
	in.lifecycle_area = lifecycle_area;
	in.playbook_name = playbook_name;
	in.strategy_hints = json_object_is_type(strategy_hints, json_type_object) ?
	    strategy_hints : NULL;
	in.user = user;
	in.scores = scores;
	in.brand = ts.brand;
	in.unsubscribe_url = url[0] ? url : NULL;
	if (message_render(&in, NULL, NULL, out, err, sizeof(err)) != 0) {
		/* A stored template from before validation: the built-in one, flagged. */
		log_warn("message: a template of tenant %s does not render: %s", tenant_id, err);
		snprintf(detail, sizeof(detail), "the playbook's template does not render: %s", err);
		bad_template = 1;
		in.strategy_hints = NULL;
		if (message_render(&in, NULL, NULL, out, err, sizeof(err)) != 0) {
			log_err("message: the built-in template does not render: %s", err);
			goto out;
		}
	}
	if (llm_enabled(c) && strcmp(channel, "escalation") != 0 && !bad_template &&
	    !(in.strategy_hints != NULL &&
	    json_object_object_get_ex(in.strategy_hints, "use_llm", &v) &&
	    json_object_is_type(v, json_type_boolean) && !json_object_get_boolean(v))) {
		if (try_llm(c, &in, out, why, sizeof(why)) == 0) {
			snprintf(detail, sizeof(detail), "drafted by %s", c->llm_model);
			quality_add(out->quality_checks, "llm", 1, detail);
		} else {
			snprintf(detail, sizeof(detail), "fallback: %s", why);
			quality_add(out->quality_checks, "llm", 0, detail);
		}
	}
	if (bad_template)
		quality_add(out->quality_checks, "template", 0, detail);
	out->passed = quality_passed(out->quality_checks, out->flag_reason,
	    sizeof(out->flag_reason));
	rc = 0;
out:
	if (have_ts)
		settings_clear(&ts);
	if (user != NULL)
		json_object_put(user);
	if (scores != NULL)
		json_object_put(scores);
	return rc;
}
