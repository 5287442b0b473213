/*
 * message.h — composing an intervention's message: subject, text body, HTML
 * body and quality checks.
 *
 * Inputs are the playbook's strategy_hints, the user's row (traits and the
 * three scores), the tenant's brand context and the user's signed
 * unsubscribe URL. The strategy_hints keys read here (all optional; pb
 * validates templates with template_check()):
 *
 *   "subject"        subject template (email)        default per area
 *   "template"       text body template               default per area
 *   "html_template"  HTML body template; when absent the HTML body is the
 *                    rendered text body, escaped, in paragraphs
 *   "tone"           e.g. "friendly", "urgent" (else the brand's tone)
 *   "prompt"         extra instructions for the LLM draft
 *   "use_llm"        false to never ask the LLM for this playbook
 *
 * Other keys pb accepts ("goal", "offer", "cta_url") are not read here but
 * are template variables as hints.* and go to the LLM as context.
 *
 * Template variables (template.h): user.{user_id, email, name, first_name,
 * plan, company, stage, risk_level, traits.*}, scores.{activation,
 * engagement, expansion}, brand.{company_name, product_name, sender_name,
 * voice, tone, signature, sender_email, website}, playbook.{name,
 * lifecycle_area}, hints.* (the strategy_hints), tone, unsubscribe_url.
 *
 * Without "subject"/"template" the built-in template of the lifecycle area
 * is used (manual interventions: a generic check-in; escalations: a note
 * for the team), written in a "friendly" tone. The subject is one line
 * (control characters become spaces: it is an email header).
 *
 * Email: nothing goes out without the unsubscribe link. When the rendered
 * body does not contain the URL, a line "Unsubscribe: <url>" is appended
 * (and the link to the HTML body), so the deliver job can rely on it; the
 * "unsubscribe_link" check then fails only when no URL could be made (no
 * master key). The HTML body is html_template rendered with escaping, else
 * the text body converted (escaped, paragraphs, links clickable).
 *
 * The unsubscribe URL is <public_url>/unsubscribe?token=<signed token>
 * (lib/unsubscribe.h; config key public_url, else "http://localhost").
 *
 * When the LLM is configured (llm.h), the channel is not escalation and the
 * hints do not say "use_llm": false, the body (and subject) are drafted by
 * it from the brand, the hints and the template's rendering, and the draft
 * is rendered through the template engine and checked like a template; on
 * any failure (including a draft that fails a quality check the template
 * passes) the template's message is kept and quality_checks records
 * {"check": "llm", "passed": false, "detail": "fallback: <reason>"} (on
 * success: passed true, detail "drafted by <model>"). A failed "llm" entry
 * does not flag the intervention (quality_passed() skips it). After 3
 * endpoint failures in a row a process stops asking for 60 s ("fallback:
 * skipped: …"), so a run over many users is not held up by a dead endpoint. A stored
 * template that no longer renders falls back to the built-in one and adds
 * a failed {"check": "template"} (which flags it).
 */
#ifndef RETIVO_MESSAGE_H
#define RETIVO_MESSAGE_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

struct conf;

/* Room for <public_url>/unsubscribe?token=<token>. */
#define MESSAGE_URL_MAX	1600

/* Everything one rendering needs; no I/O happens in message_render(). */
struct message_input {
	const char		*channel;	/* email, webhook, external_action, escalation */
	const char		*lifecycle_area;	/* the playbook's, NULL for a manual one */
	const char		*playbook_name;	/* NULL for a manual one */
	struct json_object	*strategy_hints;	/* object or NULL */
	struct json_object	*user;		/* the "user" variables, or NULL */
	struct json_object	*scores;	/* the "scores" variables, or NULL */
	struct json_object	*brand;		/* the brand object, or NULL */
	const char		*unsubscribe_url;	/* NULL = none */
};

struct message_out {
	char			*subject;	/* always set; only email sends it */
	char			*body_text;
	char			*body_html;	/* email only; NULL otherwise */
	struct json_object	*quality_checks;	/* JSON array (owned) */
	int			 passed;	/* quality_passed() of the checks */
	char			 flag_reason[256];	/* first failure when !passed */
};

/*
 * Renders the message from the templates (no LLM, no I/O) and runs the
 * quality checks. When draft_body is not NULL it replaces the body
 * template (an LLM draft) and draft_subject (if not NULL) the subject one.
 * Returns 0 with out filled (caller calls message_out_clear()), or -1 with
 * a reason in err (malformed template — pb validates them, so only a
 * stored template from before validation — or out of memory).
 */
int message_render(const struct message_input *in, const char *draft_subject,
    const char *draft_body, struct message_out *out, char *err, size_t errlen);

/*
 * The whole composition for the jobs and handlers: loads the user's row
 * and scores and the tenant's brand, makes the unsubscribe URL, asks the
 * LLM when configured (falling back to the template), renders and checks.
 * lifecycle_area, playbook_name and strategy_hints may be NULL (manual
 * intervention). Usable inside a caller's transaction (plain SELECTs).
 * Returns 0 with out filled, -1 (logged) when the user does not exist or
 * the database fails.
 */
int message_compose(const char *tenant_id, const char *user_id, const char *channel,
    const char *lifecycle_area, const char *playbook_name,
    struct json_object *strategy_hints, struct message_out *out);

/*
 * Writes <public_url>/unsubscribe?token=… for the user into out. 0, or -1
 * (logged) when the master key is missing or out is too small. Shared with
 * the deliver job (List-Unsubscribe header).
 */
int message_unsubscribe_url(const struct conf *c, const char *tenant_id,
    const char *user_id, char *out, size_t outlen);

void message_out_clear(struct message_out *out);

#endif
