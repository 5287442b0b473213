/*
 * message.c — see message.h.
 *
 * message_render() is the pure half: variables in, rendered subject and
 * bodies and their quality checks out. message_compose() adds the I/O: the
 * user's row, the tenant's brand, the signed unsubscribe URL and the
 * optional LLM draft (llm.h), falling back to the template on any failure.
 * Built-in templates per lifecycle area cover playbooks whose hints name
 * none and manual interventions.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "db.h"
#include "llm.h"
#include "log.h"
#include "message.h"
#include "quality.h"
#include "settings.h"
#include "template.h"
#include "unsubscribe.h"

#define HI "Hi {{user.first_name|default:\"there\"}},\n\n"
#define PRODUCT "{{brand.product_name|default:\"our product\"}}"
#define SIGN "\n\n{{#if brand.signature}}{{brand.signature}}{{else}}" \
	"The {{brand.company_name|default:\"product\"}} team{{/if}}"

/* The built-in templates, written in a friendly tone. */
#define DEFAULT_TONE "friendly"

static const struct {
	const char	*area;		/* NULL: a manual intervention */
	const char	*subject;
	const char	*body;
} defaults[] = {
	{ "onboarding", "Getting started with " PRODUCT,
	  HI "You are a few steps away from getting real value out of " PRODUCT
	  ". Pick up where you left off: it only takes a couple of minutes." SIGN },
	{ "churn_prevention", "Can we help with " PRODUCT "?",
	  HI "We noticed you have not been around for a few days. Is anything in the way? "
	  "Reply to this message and a person will help." SIGN },
	{ "retention", "Getting more out of " PRODUCT,
	  HI "Here is a feature of " PRODUCT " teams like yours rely on, in case you "
	  "have not tried it yet." SIGN },
	{ "upsell", "Room to grow with " PRODUCT,
	  HI "You are getting a lot out of " PRODUCT
	  " lately. A bigger plan would keep your team moving without limits." SIGN },
	{ "winback", "Your " PRODUCT " account is waiting",
	  HI "Everything you set up in " PRODUCT " is still there. Come back any time: "
	  "it picks up where you left off." SIGN },
	{ NULL, "A note from {{brand.company_name|default:\"us\"}}",
	  HI "We wanted to check in and see how " PRODUCT " is working for you." SIGN },
};

/* An escalation is a note to the team, not to the user. */
static const char escalation_body[] =
    "{{user.name|default:\"A user\"}} ({{user.user_id}}) needs a person: stage "
    "{{user.stage}}, risk {{user.risk_level}}, engagement {{scores.engagement}}."
    "{{#if hints.goal}} Goal: {{hints.goal}}.{{/if}}";

static const char email_footer_text[] = "\n\nUnsubscribe: ";

/* A string member of o, or NULL (also for "" ). */
static const char *
str_of(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string) || json_object_get_string_len(v) == 0)
		return NULL;
	return json_object_get_string(v);
}

static size_t
default_index(const char *area)
{
	size_t i, n = sizeof(defaults) / sizeof(defaults[0]);

	for (i = 0; area != NULL && i + 1 < n; i++)
		if (strcmp(defaults[i].area, area) == 0)
			return i;
	return n - 1;
}

/* Adds a borrowed object under key (a new reference), or null. */
static void
add_ref(struct json_object *o, const char *key, struct json_object *v)
{
	json_object_object_add(o, key, v != NULL ? json_object_get(v) : NULL);
}

static struct json_object *
make_vars(const struct message_input *in, const char *tone)
{
	struct json_object *vars, *pb;

	if ((vars = json_object_new_object()) == NULL)
		return NULL;
	add_ref(vars, "user", in->user);
	add_ref(vars, "scores", in->scores);
	add_ref(vars, "brand", in->brand);
	add_ref(vars, "hints", in->strategy_hints);
	pb = json_object_new_object();
	json_object_object_add(pb, "name", in->playbook_name ?
	    json_object_new_string(in->playbook_name) : NULL);
	json_object_object_add(pb, "lifecycle_area", in->lifecycle_area ?
	    json_object_new_string(in->lifecycle_area) : NULL);
	json_object_object_add(vars, "playbook", pb);
	json_object_object_add(vars, "tone", tone ? json_object_new_string(tone) : NULL);
	json_object_object_add(vars, "unsubscribe_url", in->unsubscribe_url ?
	    json_object_new_string(in->unsubscribe_url) : NULL);
	return vars;
}

/* A subject is one header line: control characters become spaces. */
static void
flatten_subject(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = ' ';
}

/* Appends a to *s (realloc). 0, or -1 out of memory (*s unchanged). */
static int
append(char **s, const char *a, const char *b)
{
	size_t n = strlen(*s), na = strlen(a), nb = b ? strlen(b) : 0;
	char *p;

	if ((p = realloc(*s, n + na + nb + 1)) == NULL)
		return -1;
	memcpy(p + n, a, na);
	if (nb)
		memcpy(p + n + na, b, nb);
	p[n + na + nb] = '\0';
	*s = p;
	return 0;
}

int
message_render(const struct message_input *in, const char *draft_subject,
    const char *draft_body, struct message_out *out, char *err, size_t errlen)
{
	struct json_object *vars = NULL;
	struct quality_input q;
	const char *ch = in->channel ? in->channel : "email";
	const char *tone, *stpl, *btpl, *htpl = NULL, *url = in->unsubscribe_url;
	int email = strcmp(ch, "email") == 0, used_default = 0, rc = -1;
	size_t d = default_index(in->lifecycle_area);
	char *esc = NULL;

	memset(out, 0, sizeof(*out));
	if (url != NULL && *url == '\0')
		url = NULL;
	stpl = draft_subject ? draft_subject : str_of(in->strategy_hints, "subject");
	btpl = draft_body ? draft_body : str_of(in->strategy_hints, "template");
	if (!draft_body)
		htpl = str_of(in->strategy_hints, "html_template");
	if (strcmp(ch, "escalation") == 0 && btpl == NULL) {
		btpl = escalation_body;
		used_default = 1;
	}
	if (stpl == NULL)
		stpl = defaults[d].subject;
	if (btpl == NULL) {
		btpl = defaults[d].body;
		used_default = 1;
	}
	if ((tone = str_of(in->strategy_hints, "tone")) == NULL &&
	    (tone = str_of(in->brand, "tone")) == NULL && used_default)
		tone = DEFAULT_TONE;
	if ((vars = make_vars(in, tone)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if ((out->subject = template_render(stpl, vars, TPL_TEXT, err, errlen)) == NULL ||
	    (out->body_text = template_render(btpl, vars, TPL_TEXT, err, errlen)) == NULL)
		goto out;
	flatten_subject(out->subject);
	/* Nothing goes out by email without the unsubscribe link. */
	if (email && url != NULL && strstr(out->body_text, url) == NULL &&
	    append(&out->body_text, email_footer_text, url) != 0) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (email) {
		if (htpl != NULL) {
			if ((out->body_html = template_render(htpl, vars, TPL_HTML, err,
			    errlen)) == NULL)
				goto out;
			if (url != NULL && strstr(out->body_html, url) == NULL) {
				esc = template_text_to_html(url);
				if (esc == NULL || append(&out->body_html, "\n", esc) != 0) {
					snprintf(err, errlen, "out of memory");
					goto out;
				}
			}
		} else if ((out->body_html = template_text_to_html(out->body_text)) == NULL) {
			snprintf(err, errlen, "out of memory");
			goto out;
		}
	}
	q.channel = ch;
	q.subject = out->subject;
	q.body_text = out->body_text;
	q.body_html = out->body_html;
	q.unsubscribe_url = url;
	q.tone = tone;
	q.things_to_avoid = NULL;
	if (in->brand != NULL)
		json_object_object_get_ex(in->brand, "things_to_avoid", &q.things_to_avoid);
	if ((out->quality_checks = quality_run(&q, NULL)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	out->passed = quality_passed(out->quality_checks, out->flag_reason,
	    sizeof(out->flag_reason));
	rc = 0;
out:
	free(esc);
	if (vars != NULL)
		json_object_put(vars);
	if (rc != 0)
		message_out_clear(out);
	return rc;
}

void
message_out_clear(struct message_out *out)
{
	free(out->subject);
	free(out->body_text);
	free(out->body_html);
	if (out->quality_checks != NULL)
		json_object_put(out->quality_checks);
	memset(out, 0, sizeof(*out));
}

int
message_unsubscribe_url(const struct conf *c, const char *tenant_id, const char *user_id,
    char *out, size_t outlen)
{
	char token[UNSUBSCRIBE_TOKEN_MAX + 1];
	const char *base = c->public_url[0] ? c->public_url : "http://localhost";
	size_t blen = strlen(base);
	int n;

	if (!c->have_master_key) {
		log_err("master_key is not configured; cannot sign unsubscribe links");
		return -1;
	}
	if (unsubscribe_token_make(c->master_key, tenant_id, user_id, token, sizeof(token)) != 0) {
		log_err("cannot make an unsubscribe token for a user of tenant %s", tenant_id);
		return -1;
	}
	while (blen > 0 && base[blen - 1] == '/')
		blen--;
	/* The token's alphabet (A-Z a-z 0-9 - _ .) needs no escaping in a query. */
	n = snprintf(out, outlen, "%.*s/unsubscribe?token=%s", (int)blen, base, token);
	if (n < 0 || (size_t)n >= outlen) {
		log_err("unsubscribe URL longer than %zu bytes", outlen);
		return -1;
	}
	return 0;
}
