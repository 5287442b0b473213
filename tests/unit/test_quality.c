/*
 * test_quality.c — the quality checks of a rendered message
 * (lib/quality.h): one row per case, naming the check expected to fail
 * (or none), plus the phrase matcher and the flag reason.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "quality.h"
#include "tap.h"

#define U "https://r.example/unsubscribe?token=t0k"

static char long_subject[200], long_body[20200], long_hook[8100], long_sms[400];
static char utf8_subject[160 * 2 + 1];

static const char *avoid_json = "[\"discount\", \"act now\", \"ROI\"]";
static const char *markup_json = "[\"style\", \"amp\", \"href\", \"p\"]";

static const struct {
	const char	*desc;
	const char	*channel;
	const char	*subject, *text, *html, *url, *tone;
	int		 avoid;		/* things_to_avoid: 0 none, 1 avoid_json, 2 markup_json */
	const char	*fails;		/* the one check expected to fail, or NULL */
} cases[] = {
	{ "a good email", "email", "Welcome", "Hi Ada. Stop: " U, "<p>Hi <a href=\"" U "\">x</a></p>",
	  U, "friendly", 1, NULL },
	{ "an unfilled placeholder in the body", "email", "Welcome", "Hi {{user.name}}. " U, NULL, U,
	  "friendly", 0, "placeholders" },
	{ "an unfilled placeholder in the subject", "email", "For {{user.plan}}", "Hi. " U, NULL, U,
	  "friendly", 0, "placeholders" },
	{ "an unfilled placeholder in the HTML", "email", "Hi", "Hi. " U, "<p>{{x}} " U "</p>", U,
	  "friendly", 0, "placeholders" },
	{ "an email subject over 150", "email", long_subject, "Hi. " U, NULL, U, "friendly", 0,
	  "length" },
	{ "150 two-byte characters are 150", "email", utf8_subject, "Hi. " U, NULL, U, "friendly",
	  0, NULL },
	{ "an empty email subject", "email", "", "Hi. " U, NULL, U, "friendly", 0, "length" },
	{ "an email body over 20000", "email", "Hi", long_body, NULL, U, "friendly", 0, "length" },
	{ "a webhook body over 8000", "webhook", NULL, long_hook, NULL, NULL, "calm", 0, "length" },
	{ "a webhook body of 8000 is fine", "webhook", NULL, long_hook + 100, NULL, NULL, "calm", 0,
	  NULL },
	{ "an sms over 320", "sms", NULL, long_sms, NULL, NULL, "calm", 0, "length" },
	{ "an empty body", "webhook", NULL, "", NULL, NULL, "calm", 0, "length" },
	{ "an email without the link", "email", "Hi", "Hi there", NULL, U, "friendly", 0,
	  "unsubscribe_link" },
	{ "an email whose HTML lacks the link", "email", "Hi", "Hi " U, "<p>Hi</p>", U, "friendly",
	  0, "unsubscribe_link" },
	{ "an email with no URL known", "email", "Hi", "Hi", NULL, NULL, "friendly", 0,
	  "unsubscribe_link" },
	{ "a webhook needs no link", "webhook", NULL, "Hi", NULL, NULL, "calm", 0, NULL },
	{ "a thing to avoid in the body", "email", "Hi", "Get a Discount! " U, NULL, U, "friendly", 1,
	  "things_to_avoid" },
	{ "a phrase to avoid, other case", "email", "ACT NOW", "Hi " U, NULL, U, "friendly", 1,
	  "things_to_avoid" },
	{ "a word inside another word is fine", "email", "Hi", "discounted? discounts. " U, NULL, U,
	  "friendly", 1, NULL },
	{ "markup is not text: a tag name to avoid", "email", "Hi", "Hi " U,
	  "<p style=\"x\">Hi &amp; <a href=\"" U "\">" U "</a></p>", U, "friendly", 2, NULL },
	{ "text inside the HTML counts", "email", "Hi", "Hi " U,
	  "<p>Hi <b>Act now</b> <a href=\"" U "\">x</a></p>", U, "friendly", 1, "things_to_avoid" },
	{ "an acronym to avoid", "webhook", NULL, "your roi grew", NULL, NULL, "calm", 1,
	  "things_to_avoid" },
	{ "no tone", "webhook", NULL, "Hi", NULL, NULL, NULL, 0, "tone" },
	{ "an empty tone", "webhook", NULL, "Hi", NULL, NULL, "", 0, "tone" },
};

static const char *check_names[] = {
	"placeholders", "length", "unsubscribe_link", "things_to_avoid", "tone"
};

static const struct {
	const char	*text, *phrase;
	int		 want;
} phrases[] = {
	{ "Free trial", "free", 1 },
	{ "freedom", "free", 0 },
	{ "a FREE gift", "free", 1 },
	{ "act now!", "act now", 1 },
	{ "act  now", "act now", 0 },
	{ "react now", "act now", 0 },
	{ "100% off", "100%", 1 },
	{ "x100% off", "100%", 0 },
	{ "email me", " email ", 1 },
	{ "anything", "", 0 },
	{ "café", "caf", 0 },
};

int
main(void)
{
	struct json_object *avoid = json_tokener_parse(avoid_json), *arr, *item, *v;
	struct json_object *markup = json_tokener_parse(markup_json);
	struct quality_input in;
	char reason[300];
	size_t i, j;
	int all;

	memset(long_subject, 'S', 151);
	memset(long_body, 'b', 20001);
	strcat(long_body, " " U);
	memset(long_hook, 'w', 8001);
	memset(long_sms, 's', 321);
	for (i = 0; i < 150; i++)
		memcpy(utf8_subject + 2 * i, "\xc3\xa9", 2);

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		in.channel = cases[i].channel;
		in.subject = cases[i].subject;
		in.body_text = cases[i].text;
		in.body_html = cases[i].html;
		in.unsubscribe_url = cases[i].url;
		in.tone = cases[i].tone;
		in.things_to_avoid = cases[i].avoid == 1 ? avoid : cases[i].avoid == 2 ? markup : NULL;
		arr = quality_run(&in, &all);
		if (!ok(arr != NULL && json_object_array_length(arr) == 5, "%s: five checks",
		    cases[i].desc))
			continue;
		for (j = 0; j < 5; j++) {
			item = json_object_array_get_idx(arr, j);
			json_object_object_get_ex(item, "check", &v);
			ok(strcmp(json_object_get_string(v), check_names[j]) == 0 &&
			    json_object_object_get_ex(item, "detail", &v) &&
			    json_object_get_string_len(v) > 0, "%s: check %zu is %s with a detail",
			    cases[i].desc, j, check_names[j]);
			json_object_object_get_ex(item, "passed", &v);
			if (cases[i].fails != NULL && strcmp(cases[i].fails, check_names[j]) == 0)
				ok(!json_object_get_boolean(v), "%s: %s fails", cases[i].desc,
				    check_names[j]);
			else
				ok(json_object_get_boolean(v), "%s: %s passes", cases[i].desc,
				    check_names[j]);
		}
		ok(all == (cases[i].fails == NULL), "%s: all_passed is %d", cases[i].desc, all);
		ok(quality_passed(arr, reason, sizeof(reason)) == (cases[i].fails == NULL) &&
		    (cases[i].fails == NULL ? reason[0] == '\0' :
		    strncmp(reason, cases[i].fails, strlen(cases[i].fails)) == 0),
		    "%s: flag reason [%s]", cases[i].desc, reason);
		json_object_put(arr);
	}

	for (i = 0; i < sizeof(phrases) / sizeof(phrases[0]); i++)
		ok(quality_contains_phrase(phrases[i].text, phrases[i].phrase) == phrases[i].want,
		    "phrase \"%s\" in \"%s\": %d", phrases[i].phrase, phrases[i].text,
		    phrases[i].want);

	/* An LLM fallback is recorded but does not flag the message. */
	arr = json_object_new_array();
	quality_add(arr, "placeholders", 1, "ok");
	quality_add(arr, "llm", 0, "fallback: timeout after 100 ms");
	ok(quality_passed(arr, reason, sizeof(reason)) == 1, "a failed llm entry does not flag");
	quality_add(arr, "tone", 0, "no tone");
	ok(quality_passed(arr, reason, sizeof(reason)) == 0 && strcmp(reason, "tone: no tone") == 0,
	    "the first real failure is the reason: %s", reason);
	json_object_put(arr);

	ok(quality_utf8_len("h\xc3\xa9llo \xe2\x9c\x93") == 7, "utf8 length counts code points");
	ok(quality_utf8_len(NULL) == 0, "utf8 length of NULL");
	json_object_put(avoid);
	json_object_put(markup);
	return tap_done();
}
