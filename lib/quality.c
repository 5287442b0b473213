/*
 * quality.c — see quality.h.
 *
 * The checks only read the rendered strings, so the same function judges a
 * template's output and an LLM draft. Details are short sentences meant for
 * the team reviewing a flagged intervention ("subject is 163 characters,
 * the limit for email is 150").
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "quality.h"
#include "template.h"

int
quality_add(struct json_object *arr, const char *check, int passed, const char *detail)
{
	struct json_object *o;

	if ((o = json_object_new_object()) == NULL)
		return -1;
	json_object_object_add(o, "check", json_object_new_string(check));
	json_object_object_add(o, "passed", json_object_new_boolean(passed));
	json_object_object_add(o, "detail", json_object_new_string(detail ? detail : ""));
	if (json_object_array_add(arr, o) != 0) {
		json_object_put(o);
		return -1;
	}
	return 0;
}

size_t
quality_utf8_len(const char *s)
{
	size_t n = 0;

	if (s == NULL)
		return 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

/* A word character for the boundaries of a phrase: ASCII alphanumerics
 * and any byte of a multi-byte UTF-8 character (letters of other scripts). */
static int
wordch(unsigned char c)
{
	return isalnum(c) || c == '_' || c >= 0x80;
}

int
quality_contains_phrase(const char *text, const char *phrase)
{
	size_t tl, pl, i, j;

	if (text == NULL || phrase == NULL)
		return 0;
	while (isspace((unsigned char)*phrase))
		phrase++;
	pl = strlen(phrase);
	while (pl > 0 && isspace((unsigned char)phrase[pl - 1]))
		pl--;
	if (pl == 0)
		return 0;
	tl = strlen(text);
	for (i = 0; i + pl <= tl; i++) {
		for (j = 0; j < pl; j++)
			if (tolower((unsigned char)text[i + j]) != tolower((unsigned char)phrase[j]))
				break;
		if (j < pl)
			continue;
		/* Boundaries only where the phrase itself starts/ends with a word character. */
		if (i > 0 && wordch((unsigned char)phrase[0]) && wordch((unsigned char)text[i - 1]))
			continue;
		if (i + pl < tl && wordch((unsigned char)phrase[pl - 1]) &&
		    wordch((unsigned char)text[i + pl]))
			continue;
		return 1;
	}
	return 0;
}

static int
check_placeholders(struct json_object *arr, const struct quality_input *in)
{
	const char *parts[3] = { in->subject, in->body_text, in->body_html };
	const char *names[3] = { "subject", "body", "HTML body" };
	char marker[64], detail[160];
	size_t i;

	for (i = 0; i < 3; i++) {
		if (template_find_unfilled(parts[i], marker, sizeof(marker))) {
			snprintf(detail, sizeof(detail), "%s has an unfilled placeholder %s", names[i],
			    marker);
			return quality_add(arr, "placeholders", 0, detail) == 0 ? 0 : -1;
		}
	}
	return quality_add(arr, "placeholders", 1, "every placeholder is filled") == 0 ? 1 : -1;
}

static int
check_length(struct json_object *arr, const struct quality_input *in)
{
	const char *ch = in->channel ? in->channel : "";
	size_t subj = quality_utf8_len(in->subject), body = quality_utf8_len(in->body_text);
	size_t html = in->body_html ? strlen(in->body_html) : 0;
	size_t max;
	char detail[160];

	if (strcmp(ch, "email") == 0) {
		if (subj == 0) {
			snprintf(detail, sizeof(detail), "email subject is empty");
			goto fail;
		}
		if (subj > QUALITY_EMAIL_SUBJECT_MAX) {
			snprintf(detail, sizeof(detail),
			    "subject is %zu characters, the limit for email is %d", subj,
			    QUALITY_EMAIL_SUBJECT_MAX);
			goto fail;
		}
		max = QUALITY_EMAIL_BODY_MAX;
		/* The HTML body carries markup: judged on the same limit, in bytes, ×2. */
		if (html > 2 * (size_t)QUALITY_EMAIL_BODY_MAX) {
			snprintf(detail, sizeof(detail),
			    "HTML body is %zu bytes, the limit for email is %d", html,
			    2 * QUALITY_EMAIL_BODY_MAX);
			goto fail;
		}
	} else if (strcmp(ch, "sms") == 0)
		max = QUALITY_SMS_MAX;
	else
		max = QUALITY_WEBHOOK_BODY_MAX;
	if (body == 0) {
		snprintf(detail, sizeof(detail), "body is empty");
		goto fail;
	}
	if (body > max) {
		snprintf(detail, sizeof(detail), "body is %zu characters, the limit for %s is %zu",
		    body, *ch ? ch : "this channel", max);
		goto fail;
	}
	snprintf(detail, sizeof(detail), "body %zu of %zu characters", body, max);
	return quality_add(arr, "length", 1, detail) == 0 ? 1 : -1;
fail:
	return quality_add(arr, "length", 0, detail) == 0 ? 0 : -1;
}

static int
check_unsubscribe(struct json_object *arr, const struct quality_input *in)
{
	const char *u = in->unsubscribe_url;

	if (in->channel == NULL || strcmp(in->channel, "email") != 0)
		return quality_add(arr, "unsubscribe_link", 1, "not applicable") == 0 ? 1 : -1;
	if (u == NULL || *u == '\0')
		return quality_add(arr, "unsubscribe_link", 0, "no unsubscribe URL is known") == 0 ?
		    0 : -1;
	if (in->body_text == NULL || strstr(in->body_text, u) == NULL)
		return quality_add(arr, "unsubscribe_link", 0,
		    "the body does not include the unsubscribe link") == 0 ? 0 : -1;
	if (in->body_html != NULL && strstr(in->body_html, u) == NULL)
		return quality_add(arr, "unsubscribe_link", 0,
		    "the HTML body does not include the unsubscribe link") == 0 ? 0 : -1;
	return quality_add(arr, "unsubscribe_link", 1, "the unsubscribe link is included") == 0 ?
	    1 : -1;
}

/*
 * The visible text of an HTML body: tags dropped and entities (&amp; …)
 * made spaces, so a thing to avoid such as "style" or "amp" is not found
 * in the markup. New string, or NULL (none, or out of memory: the markup
 * is then searched as it is).
 */
static char *
html_visible(const char *html)
{
	char *out, *w;
	const char *semi;

	if (html == NULL || (out = malloc(strlen(html) + 1)) == NULL)
		return NULL;
	for (w = out; *html; html++) {
		if (*html == '<') {
			while (*html && *html != '>')
				html++;
			*w++ = ' ';
			if (!*html)
				break;
		} else if (*html == '&' && (semi = strchr(html, ';')) != NULL && semi - html <= 10) {
			*w++ = ' ';
			html = semi;
		} else
			*w++ = *html;
	}
	*w = '\0';
	return out;
}

static int
check_avoid(struct json_object *arr, const struct quality_input *in)
{
	char *visible = html_visible(in->body_html);
	const char *parts[3] = { in->subject, in->body_text, visible ? visible : in->body_html };
	int rc;
	struct json_object *item;
	const char *phrase;
	char detail[300];
	size_t i, j, n;

	n = json_object_is_type(in->things_to_avoid, json_type_array) ?
	    json_object_array_length(in->things_to_avoid) : 0;
	for (i = 0; i < n; i++) {
		item = json_object_array_get_idx(in->things_to_avoid, i);
		if (!json_object_is_type(item, json_type_string))
			continue;
		phrase = json_object_get_string(item);
		for (j = 0; j < 3; j++) {
			if (quality_contains_phrase(parts[j], phrase)) {
				snprintf(detail, sizeof(detail), "mentions \"%.200s\"", phrase);
				rc = quality_add(arr, "things_to_avoid", 0, detail) == 0 ? 0 : -1;
				goto out;
			}
		}
	}
	snprintf(detail, sizeof(detail), n ? "none of %zu things to avoid" :
	    "no things to avoid are set", n);
	rc = quality_add(arr, "things_to_avoid", 1, detail) == 0 ? 1 : -1;
out:
	free(visible);
	return rc;
}

static int
check_tone(struct json_object *arr, const struct quality_input *in)
{
	char detail[260];

	if (in->tone == NULL || *in->tone == '\0')
		return quality_add(arr, "tone", 0,
		    "no tone is set (strategy_hints.tone or the brand's tone)") == 0 ? 0 : -1;
	snprintf(detail, sizeof(detail), "tone: %.200s", in->tone);
	return quality_add(arr, "tone", 1, detail) == 0 ? 1 : -1;
}

struct json_object *
quality_run(const struct quality_input *in, int *all_passed)
{
	int (*checks[])(struct json_object *, const struct quality_input *) = {
		check_placeholders, check_length, check_unsubscribe, check_avoid, check_tone
	};
	struct json_object *arr;
	size_t i;
	int rc, all = 1;

	if ((arr = json_object_new_array()) == NULL)
		return NULL;
	for (i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
		if ((rc = checks[i](arr, in)) < 0) {
			json_object_put(arr);
			return NULL;
		}
		all &= rc;
	}
	if (all_passed != NULL)
		*all_passed = all;
	return arr;
}

int
quality_passed(struct json_object *arr, char *reason, size_t reasonlen)
{
	struct json_object *item, *v;
	const char *check, *detail;
	size_t i, n;

	n = json_object_is_type(arr, json_type_array) ? json_object_array_length(arr) : 0;
	for (i = 0; i < n; i++) {
		item = json_object_array_get_idx(arr, i);
		check = json_object_object_get_ex(item, "check", &v) ? json_object_get_string(v) : "";
		if (check == NULL || strcmp(check, "llm") == 0)
			continue;
		if (json_object_object_get_ex(item, "passed", &v) && json_object_get_boolean(v))
			continue;
		detail = json_object_object_get_ex(item, "detail", &v) ?
		    json_object_get_string(v) : "";
		if (reason != NULL && reasonlen > 0)
			snprintf(reason, reasonlen, "%s: %s", check, detail ? detail : "");
		return 0;
	}
	if (reason != NULL && reasonlen > 0)
		reason[0] = '\0';
	return 1;
}
