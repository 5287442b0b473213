/*
 * test_message.c — the pure half of message composition: message_render()
 * (hints templates, built-in templates per area, the unsubscribe footer,
 * HTML bodies, one-line subjects, quality checks and the flag reason) and
 * llm_parse_reply() (what counts as a usable LLM draft).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "llm.h"
#include "message.h"
#include "tap.h"
#include "unsubscribe.h"

#define T1 "0b7c3a52-5d2e-4b8e-9a51-6f0e2f3c4d5e"
#define U "https://retivo.example/unsubscribe?token=v1.abc.def"

static const char *user_json =
    "{\"user_id\": \"u1\", \"email\": \"ada@example.com\", \"name\": \"Ada Lovelace\","
    " \"first_name\": \"Ada\", \"plan\": \"pro\", \"stage\": \"at_risk\", \"risk_level\": \"high\","
    " \"traits\": {\"seats\": 9, \"company_size\": \"<50\"}}";
static const char *scores_json = "{\"activation\": 0.5, \"engagement\": 0.25, \"expansion\": 0.8}";
static const char *brand_json =
    "{\"company_name\": \"Acme\", \"product_name\": \"Rocket\", \"tone\": \"warm\","
    " \"signature\": \"The Acme crew\", \"things_to_avoid\": [\"discount\"]}";

/* A check's passed flag in out, -1 when absent. */
static int
check_of(const struct message_out *out, const char *name)
{
	struct json_object *item, *v;
	size_t i;

	for (i = 0; i < json_object_array_length(out->quality_checks); i++) {
		item = json_object_array_get_idx(out->quality_checks, i);
		json_object_object_get_ex(item, "check", &v);
		if (strcmp(json_object_get_string(v), name) == 0) {
			json_object_object_get_ex(item, "passed", &v);
			return json_object_get_boolean(v);
		}
	}
	return -1;
}

static const struct {
	const char	*desc;
	const char	*channel;
	const char	*area;
	const char	*hints;		/* JSON or NULL */
	int		 brand;
	const char	*url;
	const char	*subject;	/* expected, or NULL: not checked */
	const char	*body_has;	/* substring of the text body */
	const char	*html_has;	/* substring of the HTML body, or NULL: no HTML body */
	int		 passed;
	const char	*flag;		/* prefix of the flag reason */
} cases[] = {
	{ "hints templates with the user's traits", "email", "upsell",
	  "{\"tone\": \"confident\", \"subject\": \"{{user.first_name}}, {{user.traits.seats}} seats\","
	  " \"template\": \"Hi {{user.first_name}} on {{user.plan}}.\\nStop: {{unsubscribe_url}}\"}",
	  1, U, "Ada, 9 seats", "Hi Ada on pro.\nStop: " U, "<a href=\"" U "\">", 1, NULL },
	{ "the footer is added when the template has no link", "email", "retention",
	  "{\"tone\": \"calm\", \"subject\": \"Hi\", \"template\": \"Hello {{user.first_name}}\"}", 1, U,
	  "Hi", "Hello Ada\n\nUnsubscribe: " U, U, 1, NULL },
	{ "an html_template is escaped and gets the link", "email", "retention",
	  "{\"tone\": \"calm\", \"subject\": \"Hi\", \"template\": \"x\","
	  " \"html_template\": \"<p>{{user.traits.company_size}}</p>\"}", 1, U,
	  "Hi", "x", "<p>&lt;50</p>\n<p><a href=\"" U "\">", 1, NULL },
	{ "a built-in template per area", "email", "winback", NULL, 1, U,
	  "Your Rocket account is waiting", "Hi Ada,\n\nEverything you set up in Rocket", "Ada", 1,
	  NULL },
	{ "built-in templates sign with the brand", "email", "onboarding", NULL, 1, U,
	  "Getting started with Rocket", "The Acme crew", NULL, 1, NULL },
	{ "without a brand the defaults fill in", "email", "churn_prevention", NULL, 0, U,
	  "Can we help with our product?", "The product team", NULL, 1, NULL },
	{ "a manual intervention", "email", NULL, NULL, 1, U, "A note from Acme", "check in", NULL,
	  1, NULL },
	{ "an escalation is a note for the team", "escalation", "churn_prevention",
	  "{\"goal\": \"call them\"}", 1, NULL, NULL, "Ada Lovelace (u1) needs a person: stage at_risk,"
	  " risk high, engagement 0.25. Goal: call them.", NULL, 1, NULL },
	{ "a webhook has no HTML and no footer", "webhook", "retention",
	  "{\"tone\": \"x\", \"template\": \"{{scores.expansion}}\"}", 1, NULL, NULL, "0.8", NULL, 1,
	  NULL },
	{ "an unknown variable flags it", "email", "retention",
	  "{\"tone\": \"x\", \"subject\": \"s\", \"template\": \"Hi {{user.nickname}} {{unsubscribe_url}}\"}",
	  1, U, "s", "{{user.nickname}}", U, 0, "placeholders: " },
	{ "a thing to avoid flags it", "email", "upsell",
	  "{\"tone\": \"x\", \"subject\": \"A DISCOUNT for you\", \"template\": \"t\"}", 1, U,
	  NULL, "t", U, 0, "things_to_avoid: " },
	{ "no tone on a custom template flags it", "webhook", "upsell",
	  "{\"template\": \"t\"}", 0, NULL, NULL, "t", NULL, 0, "tone: " },
	{ "the brand's tone serves", "webhook", "upsell", "{\"template\": \"t\"}", 1, NULL, NULL, "t",
	  NULL, 1, NULL },
	{ "no URL: the unsubscribe check fails", "email", "upsell", NULL, 1, NULL, NULL, "Rocket",
	  "Rocket", 0, "unsubscribe_link: " },
	{ "a subject is one line", "email", "upsell",
	  "{\"tone\": \"x\", \"subject\": \"a\\r\\nBcc: x@y\", \"template\": \"t\"}", 1, U,
	  "a  Bcc: x@y", "t", U, 1, NULL },
	{ "a long email subject flags it", "email", "upsell",
	  "{\"tone\": \"x\", \"subject\": \"{{user.name}}{{user.name}}{{user.name}}{{user.name}}"
	  "{{user.name}}{{user.name}}{{user.name}}{{user.name}}{{user.name}}{{user.name}}"
	  "{{user.name}}{{user.name}}{{user.name}}\", \"template\": \"t\"}", 1, U, NULL, "t", U, 0,
	  "length: " },
};

static const struct {
	const char	*desc;
	const char	*reply;
	const char	*subject;	/* expected, NULL: none */
	const char	*body;		/* expected, NULL: must fail */
	const char	*reason;	/* substring of the failure */
} replies[] = {
	{ "a good reply", "{\"choices\": [{\"message\": {\"role\": \"assistant\", \"content\":"
	  " \"{\\\"subject\\\": \\\"S\\\", \\\"body\\\": \\\"B\\\"}\"}}]}\n", "S", "B", NULL },
	{ "no subject is fine", "{\"choices\": [{\"message\": {\"content\": \"{\\\"body\\\": \\\"B\\\"}\"}}]}",
	  NULL, "B", NULL },
	{ "a fenced JSON content", "{\"choices\": [{\"message\": {\"content\":"
	  " \"```json\\n{\\\"body\\\": \\\"B\\\"}\\n```\"}}]}", NULL, "B", NULL },
	{ "not JSON", "<html>502 Bad Gateway</html>", NULL, NULL, "not JSON" },
	{ "truncated JSON", "{\"choices\": [", NULL, NULL, "not JSON" },
	{ "JSON then garbage", "{\"choices\": []} trailing", NULL, NULL, "not JSON" },
	{ "an array", "[1, 2]", NULL, NULL, "not JSON" },
	{ "no choices", "{\"error\": {\"message\": \"quota\"}}", NULL, NULL, "choices" },
	{ "empty choices", "{\"choices\": []}", NULL, NULL, "choices" },
	{ "content is null", "{\"choices\": [{\"message\": {\"content\": null}}]}", NULL, NULL,
	  "choices" },
	{ "content is prose", "{\"choices\": [{\"message\": {\"content\": \"Sure! Here it is\"}}]}",
	  NULL, NULL, "not a JSON object" },
	{ "content without a body", "{\"choices\": [{\"message\": {\"content\": \"{\\\"subject\\\":"
	  " \\\"S\\\"}\"}}]}", NULL, NULL, "no body" },
	{ "an empty body", "{\"choices\": [{\"message\": {\"content\": \"{\\\"body\\\": \\\"\\\"}\"}}]}",
	  NULL, NULL, "no body" },
	{ "a body that is not a string", "{\"choices\": [{\"message\": {\"content\":"
	  " \"{\\\"body\\\": 5}\"}}]}", NULL, NULL, "no body" },
};

int
main(void)
{
	struct json_object *user = json_tokener_parse(user_json);
	struct json_object *scores = json_tokener_parse(scores_json);
	struct json_object *brand = json_tokener_parse(brand_json), *hints;
	struct message_input in;
	struct message_out out;
	struct llm_draft d;
	char err[256];
	size_t i;
	int rc;

	ok(user && scores && brand, "fixtures parse");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		hints = cases[i].hints ? json_tokener_parse(cases[i].hints) : NULL;
		ok(cases[i].hints == NULL || hints != NULL, "%s: hints parse", cases[i].desc);
		in.channel = cases[i].channel;
		in.lifecycle_area = cases[i].area;
		in.playbook_name = "P";
		in.strategy_hints = hints;
		in.user = user;
		in.scores = scores;
		in.brand = cases[i].brand ? brand : NULL;
		in.unsubscribe_url = cases[i].url;
		rc = message_render(&in, NULL, NULL, &out, err, sizeof(err));
		if (!ok(rc == 0, "%s: renders (%s)", cases[i].desc, rc ? err : "ok")) {
			json_object_put(hints);
			continue;
		}
		if (cases[i].subject != NULL)
			ok(strcmp(out.subject, cases[i].subject) == 0, "%s: subject [%s]",
			    cases[i].desc, out.subject);
		ok(strstr(out.body_text, cases[i].body_has) != NULL, "%s: body [%s]", cases[i].desc,
		    out.body_text);
		if (cases[i].html_has != NULL)
			ok(out.body_html != NULL && strstr(out.body_html, cases[i].html_has) != NULL,
			    "%s: html [%s]", cases[i].desc, out.body_html ? out.body_html : "(none)");
		else if (strcmp(cases[i].channel, "email") != 0)
			ok(out.body_html == NULL, "%s: no HTML body", cases[i].desc);
		ok(out.passed == cases[i].passed && json_object_array_length(out.quality_checks) == 5,
		    "%s: passed %d, five checks", cases[i].desc, out.passed);
		if (cases[i].flag != NULL)
			ok(strncmp(out.flag_reason, cases[i].flag, strlen(cases[i].flag)) == 0,
			    "%s: flag reason [%s]", cases[i].desc, out.flag_reason);
		else
			ok(out.flag_reason[0] == '\0', "%s: no flag reason", cases[i].desc);
		if (strcmp(cases[i].channel, "email") == 0 && cases[i].url != NULL)
			ok(check_of(&out, "unsubscribe_link") == 1, "%s: the link check passes",
			    cases[i].desc);
		message_out_clear(&out);
		json_object_put(hints);
	}

	/* A draft replaces the templates and is rendered like one. */
	hints = json_tokener_parse("{\"tone\": \"warm\", \"subject\": \"T\", \"template\": \"T\"}");
	in.channel = "email";
	in.lifecycle_area = "winback";
	in.strategy_hints = hints;
	in.brand = brand;
	in.unsubscribe_url = U;
	rc = message_render(&in, "Back, {{user.first_name}}?", "Dear {{user.first_name}}.\n"
	    "Unsubscribe: {{unsubscribe_url}}", &out, err, sizeof(err));
	ok(rc == 0 && strcmp(out.subject, "Back, Ada?") == 0 &&
	    strcmp(out.body_text, "Dear Ada.\nUnsubscribe: " U) == 0 && out.passed,
	    "a draft is rendered and passes");
	if (rc == 0)
		message_out_clear(&out);
	rc = message_render(&in, NULL, "Dear {{user.first_name", &out, err, sizeof(err));
	ok(rc == -1 && strstr(err, "never closed") != NULL, "a malformed draft fails: %s", err);
	json_object_put(hints);

	for (i = 0; i < sizeof(replies) / sizeof(replies[0]); i++) {
		rc = llm_parse_reply(replies[i].reply, strlen(replies[i].reply), &d, err, sizeof(err));
		if (replies[i].body != NULL)
			ok(rc == 0 && strcmp(d.body, replies[i].body) == 0 &&
			    (replies[i].subject == NULL ? d.subject == NULL :
			    d.subject != NULL && strcmp(d.subject, replies[i].subject) == 0),
			    "llm reply: %s", replies[i].desc);
		else
			ok(rc == -1 && d.body == NULL && strstr(err, replies[i].reason) != NULL,
			    "llm reply: %s fails: %s", replies[i].desc, err);
		llm_draft_clear(&d);
	}

	/* The unsubscribe URL: public_url (trailing slashes dropped) + signed token. */
	{
		struct conf c;
		char url[MESSAGE_URL_MAX], tid[64], uid[64];
		const char *tok;

		conf_defaults(&c);
		ok(message_unsubscribe_url(&c, T1, "u1", url, sizeof(url)) == -1,
		    "unsubscribe URL: refused without a master key");
		memset(c.master_key, 7, sizeof(c.master_key));
		c.have_master_key = 1;
		ok(message_unsubscribe_url(&c, T1, "u1", url, sizeof(url)) == 0 &&
		    strncmp(url, "http://localhost/unsubscribe?token=", 35) == 0,
		    "unsubscribe URL: http://localhost without public_url: %s", url);
		snprintf(c.public_url, sizeof(c.public_url), "https://r.example//");
		ok(message_unsubscribe_url(&c, T1, "u1", url, sizeof(url)) == 0 &&
		    strncmp(url, "https://r.example/unsubscribe?token=", 36) == 0,
		    "unsubscribe URL: on public_url, trailing slashes dropped: %s", url);
		tok = strstr(url, "token=") + 6;
		ok(unsubscribe_token_verify(c.master_key, tok, tid, sizeof(tid), uid,
		    sizeof(uid)) == 0 && strcmp(tid, T1) == 0 && strcmp(uid, "u1") == 0,
		    "unsubscribe URL: its token names the tenant and the user");
		ok(message_unsubscribe_url(&c, T1, "u1", url, 40) == -1,
		    "unsubscribe URL: too small a buffer fails");
	}

	json_object_put(user);
	json_object_put(scores);
	json_object_put(brand);
	return tap_done();
}
