/*
 * quality.h — quality checks of a rendered message (pure, no I/O).
 *
 * Every intervention stores the result as its quality_checks JSON: an array
 * of {"check", "passed", "detail"} objects, one per check, in this order:
 *
 *   "placeholders"     no unfilled "{{…}}" left in subject or bodies
 *   "length"           per channel: email subject <= 150 and body <= 20000
 *                      characters; webhook, external_action and escalation
 *                      body <= 8000; sms <= 320 (UTF-8 characters)
 *   "unsubscribe_link" email only: the text body (and the HTML body when
 *                      there is one) contains the unsubscribe URL; other
 *                      channels pass with detail "not applicable"
 *   "things_to_avoid"  none of the brand's things_to_avoid appears in the
 *                      subject or bodies (case-insensitive, as whole words
 *                      or phrases); detail names the first one found
 *   "tone"             a tone is set (the playbook's strategy_hints.tone or
 *                      the brand's tone); detail names it
 *
 * message.c may append {"check": "llm", "passed": false, "detail":
 * "fallback: …"} when an LLM draft was attempted and the template was used
 * instead (quality_add()).
 */
#ifndef RETIVO_QUALITY_H
#define RETIVO_QUALITY_H

#include <stddef.h>

#include <json-c/json.h>

#define QUALITY_EMAIL_SUBJECT_MAX	150
#define QUALITY_EMAIL_BODY_MAX		20000
#define QUALITY_WEBHOOK_BODY_MAX	8000
#define QUALITY_SMS_MAX			320

struct quality_input {
	const char		*channel;	/* email, webhook, external_action, escalation, sms */
	const char		*subject;	/* NULL = none */
	const char		*body_text;	/* NULL = none */
	const char		*body_html;	/* NULL = none */
	const char		*unsubscribe_url;	/* NULL or "" = none known */
	struct json_object	*things_to_avoid;	/* array of strings, or NULL */
	const char		*tone;		/* NULL or "" = none */
};

/*
 * Runs every check. Returns a new JSON array (caller puts) and sets
 * *all_passed (may be NULL) to 1 when every check passed; NULL only when
 * out of memory.
 */
struct json_object *quality_run(const struct quality_input *in, int *all_passed);

/* Appends one {"check","passed","detail"} to arr. 0, or -1 out of memory. */
int quality_add(struct json_object *arr, const char *check, int passed, const char *detail);

/*
 * Whether every entry of arr passed, ignoring "llm" (a fallback to the
 * template is not a defect of the message). When one failed and reason is
 * not NULL, writes "<check>: <detail>" of the first failure into it (the
 * intervention's flag_reason). Returns 1 or 0.
 */
int quality_passed(struct json_object *arr, char *reason, size_t reasonlen);

/*
 * Whether phrase occurs in text case-insensitively (ASCII folding) at word
 * boundaries ("free" matches "Free trial" but not "freedom"). Exposed for
 * the unit tests.
 */
int quality_contains_phrase(const char *text, const char *phrase);

/* Number of UTF-8 characters (code points) in s. */
size_t quality_utf8_len(const char *s);

#endif
