/*
 * test_template.c — the template engine (lib/template.h): variables with
 * dotted paths and defaults, sections, HTML escaping, the visible marker of
 * an unfilled variable, syntax errors with their offsets, the output cap,
 * and the plain-text to HTML conversion used for email bodies.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "template.h"

static const char *vars_json =
    "{\"user\": {\"name\": \"Ada <Lovelace>\", \"first_name\": \"Ada\", \"email\": null,"
    " \"traits\": {\"plan\": \"pro\", \"seats\": 12, \"trial\": false, \"tags\": [\"a\", \"b\"],"
    " \"empty\": \"\"}},"
    " \"scores\": {\"engagement\": 0.72, \"activation\": 1, \"expansion\": 0.0},"
    " \"brand\": {\"name\": \"Acme & Co\"},"
    " \"unsubscribe_url\": \"https://r.example/unsubscribe?token=abc\"}";

static const struct {
	const char	*desc;
	const char	*tpl;
	enum tpl_mode	 mode;
	const char	*want;	/* NULL: must fail */
} cases[] = {
	{ "plain text passes through", "Hello world", TPL_TEXT, "Hello world" },
	{ "empty template", "", TPL_TEXT, "" },
	{ "a top-level variable", "{{unsubscribe_url}}", TPL_TEXT,
	  "https://r.example/unsubscribe?token=abc" },
	{ "a dotted path", "Hi {{user.first_name}}", TPL_TEXT, "Hi Ada" },
	{ "spaces inside the braces", "Hi {{ user.first_name }}!", TPL_TEXT, "Hi Ada!" },
	{ "three levels deep", "plan={{user.traits.plan}}", TPL_TEXT, "plan=pro" },
	{ "an integer trait", "{{user.traits.seats}} seats", TPL_TEXT, "12 seats" },
	{ "a score as a short number", "{{scores.engagement}}", TPL_TEXT, "0.72" },
	{ "a boolean", "{{user.traits.trial}}", TPL_TEXT, "false" },
	{ "an array index", "{{user.traits.tags.1}}", TPL_TEXT, "b" },
	{ "text mode does not escape", "{{user.name}}", TPL_TEXT, "Ada <Lovelace>" },
	{ "html mode escapes the value", "<b>{{user.name}}</b>", TPL_HTML,
	  "<b>Ada &lt;Lovelace&gt;</b>" },
	{ "html mode escapes ampersands", "{{brand.name}}", TPL_HTML, "Acme &amp; Co" },
	{ "html mode leaves the template's own markup", "<a href=\"{{unsubscribe_url}}\">x</a>",
	  TPL_HTML, "<a href=\"https://r.example/unsubscribe?token=abc\">x</a>" },
	{ "a missing variable stays visible", "Hi {{user.nickname}},", TPL_TEXT,
	  "Hi {{user.nickname}}," },
	{ "a null variable stays visible", "to {{user.email}}", TPL_TEXT, "to {{user.email}}" },
	{ "an object is not a value", "{{user.traits}}", TPL_TEXT, "{{user.traits}}" },
	{ "the marker is normalised", "{{  user.nickname }}", TPL_TEXT, "{{user.nickname}}" },
	{ "a default for a missing variable", "Hi {{user.nickname|default:\"there\"}}", TPL_TEXT,
	  "Hi there" },
	{ "a default with spaces around", "Hi {{ user.nickname | default: \"there\" }}", TPL_TEXT,
	  "Hi there" },
	{ "a default for a null variable", "{{user.email|default:\"-\"}}", TPL_TEXT, "-" },
	{ "a default for an empty string", "[{{user.traits.empty|default:\"none\"}}]", TPL_TEXT,
	  "[none]" },
	{ "a default is not used when there is a value", "{{user.first_name|default:\"there\"}}",
	  TPL_TEXT, "Ada" },
	{ "a default may hold braces", "{{x|default:\"}}\"}}", TPL_TEXT, "}}" },
	{ "a default is escaped in html", "{{x|default:\"<i>\"}}", TPL_HTML, "&lt;i&gt;" },
	{ "a true section", "{{#if user.traits.plan}}pro!{{/if}}", TPL_TEXT, "pro!" },
	{ "a false section", "a{{#if user.traits.trial}}trial{{/if}}b", TPL_TEXT, "ab" },
	{ "else of a false section", "{{#if user.traits.trial}}T{{else}}F{{/if}}", TPL_TEXT, "F" },
	{ "else of a true section", "{{#if user.first_name}}T{{else}}F{{/if}}", TPL_TEXT, "T" },
	{ "missing is false", "{{#if nope.nope}}X{{/if}}", TPL_TEXT, "" },
	{ "zero is false", "{{#if scores.expansion}}X{{else}}0{{/if}}", TPL_TEXT, "0" },
	{ "empty string is false", "{{#if user.traits.empty}}X{{else}}E{{/if}}", TPL_TEXT, "E" },
	{ "a non-empty array is true", "{{#if user.traits.tags}}T{{/if}}", TPL_TEXT, "T" },
	{ "nested sections", "{{#if user.first_name}}1{{#if user.traits.trial}}2{{else}}3{{/if}}4"
	  "{{/if}}", TPL_TEXT, "134" },
	{ "inside a false section nothing renders", "{{#if user.traits.trial}}{{#if user.first_name}}"
	  "x{{else}}y{{/if}}{{/if}}", TPL_TEXT, "" },
	{ "a missing variable inside a false section leaves no marker",
	  "{{#if user.traits.trial}}{{nope}}{{/if}}", TPL_TEXT, "" },
	{ "a comment is dropped", "a{{! note to self }}b", TPL_TEXT, "ab" },
	{ "single braces are text", "{ x } {y}", TPL_TEXT, "{ x } {y}" },
	{ "closing braces alone are text", "a }} b", TPL_TEXT, "a }} b" },
	{ "unicode passes through", "Grüße, {{user.first_name}} ✓", TPL_TEXT, "Grüße, Ada ✓" },
	{ "an unclosed tag fails", "Hi {{user.name", TPL_TEXT, NULL },
	{ "an empty tag fails", "{{}}", TPL_TEXT, NULL },
	{ "a bad name fails", "{{user name}}", TPL_TEXT, NULL },
	{ "a trailing dot fails", "{{user.}}", TPL_TEXT, NULL },
	{ "a leading dot fails", "{{.user}}", TPL_TEXT, NULL },
	{ "an unknown filter fails", "{{user.name|upper}}", TPL_TEXT, NULL },
	{ "an unquoted default fails", "{{user.name|default:there}}", TPL_TEXT, NULL },
	{ "an unclosed section fails", "{{#if user.name}}x", TPL_TEXT, NULL },
	{ "a stray /if fails", "x{{/if}}", TPL_TEXT, NULL },
	{ "a stray else fails", "x{{else}}y", TPL_TEXT, NULL },
	{ "two elses fail", "{{#if a}}1{{else}}2{{else}}3{{/if}}", TPL_TEXT, NULL },
	{ "#if without a name fails", "{{#if}}x{{/if}}", TPL_TEXT, NULL },
	{ "an unknown section fails", "{{#each items}}x{{/each}}", TPL_TEXT, NULL },
	{ "a partial fails", "{{> footer}}", TPL_TEXT, NULL },
	{ "triple braces fail", "{{{user.name}}}", TPL_TEXT, NULL },
};

static const struct {
	const char	*desc;
	const char	*text;
	const char	*want;
} html_cases[] = {
	{ "one line", "Hello", "<p>Hello</p>\n" },
	{ "escaped", "a < b & c", "<p>a &lt; b &amp; c</p>\n" },
	{ "a line break", "a\nb", "<p>a<br>\nb</p>\n" },
	{ "a blank line is a paragraph", "a\n\nb", "<p>a</p>\n<p>b</p>\n" },
	{ "CRLF", "a\r\nb", "<p>a<br>\nb</p>\n" },
	{ "a trailing newline", "a\n", "<p>a</p>\n" },
	{ "a link", "Stop: https://x.example/u?token=a-b_c.",
	  "<p>Stop: <a href=\"https://x.example/u?token=a-b_c\">https://x.example/u?token=a-b_c</a>."
	  "</p>\n" },
	{ "a link with an ampersand", "http://x/?a=1&b=2",
	  "<p><a href=\"http://x/?a=1&amp;b=2\">http://x/?a=1&amp;b=2</a></p>\n" },
	{ "not a link inside a word", "xhttp://y", "<p>xhttp://y</p>\n" },
};

int
main(void)
{
	struct json_object *vars = json_tokener_parse(vars_json);
	char err[256], marker[64], *out, *big, *bigtpl;
	size_t i;

	ok(vars != NULL, "the test variables parse");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		out = template_render(cases[i].tpl, vars, cases[i].mode, err, sizeof(err));
		if (cases[i].want == NULL) {
			ok(out == NULL && strncmp(err, "offset ", 7) == 0, "%s (%s)", cases[i].desc,
			    err);
			ok(template_check(cases[i].tpl, err, sizeof(err)) == -1,
			    "%s: template_check agrees", cases[i].desc);
		} else {
			ok(out != NULL && strcmp(out, cases[i].want) == 0, "%s: got [%s]",
			    cases[i].desc, out ? out : err);
			ok(template_check(cases[i].tpl, err, sizeof(err)) == 0,
			    "%s: template_check agrees", cases[i].desc);
		}
		free(out);
	}

	out = template_render("ab{{/if}}", vars, TPL_TEXT, err, sizeof(err));
	ok(out == NULL && strstr(err, "offset 2:") != NULL, "the error names the offset: %s", err);

	/* A NUL inside the template renders as nothing (fuzz entry point). */
	out = template_render_n("a\0b{{user.first_name}}", 22, vars, TPL_TEXT, err, sizeof(err));
	ok(out != NULL && strcmp(out, "abAda") == 0, "template_render_n drops NUL bytes");
	free(out);
	out = template_render_n("{{user.first\0_name}}", 20, vars, TPL_TEXT, err, sizeof(err));
	ok(out != NULL && strcmp(out, "Ada") == 0, "a NUL inside a tag is dropped too (fuzzer find)");
	free(out);
	out = template_render_n("{{user.first_name}}zzz", 19, vars, TPL_TEXT, err, sizeof(err));
	ok(out != NULL && strcmp(out, "Ada") == 0, "template_render_n stops at its length");
	free(out);
	out = template_render("x", NULL, TPL_TEXT, err, sizeof(err));
	ok(out != NULL && strcmp(out, "x") == 0, "no variables at all");
	free(out);

	/* The output cap: a template that doubles a long value many times. */
	big = malloc(200001);
	memset(big, 'x', 200000);
	big[200000] = '\0';
	json_object_object_add(vars, "big", json_object_new_string(big));
	bigtpl = "{{big}}{{big}}";
	out = template_render(bigtpl, vars, TPL_TEXT, err, sizeof(err));
	ok(out == NULL && strstr(err, "longer than") != NULL, "output over the cap fails: %s", err);
	free(out);
	free(big);

	ok(template_find_unfilled("Hi {{user.name}}, x", marker, sizeof(marker)) == 1 &&
	    strcmp(marker, "{{user.name}}") == 0, "find_unfilled returns the marker");
	ok(template_find_unfilled("Hi Ada", marker, sizeof(marker)) == 0,
	    "find_unfilled: none in a filled text");
	ok(template_find_unfilled("a {{ b", marker, sizeof(marker)) == 1,
	    "find_unfilled: an unclosed {{ counts");
	ok(template_find_unfilled(NULL, marker, sizeof(marker)) == 0, "find_unfilled: NULL text");

	for (i = 0; i < sizeof(html_cases) / sizeof(html_cases[0]); i++) {
		out = template_text_to_html(html_cases[i].text);
		ok(out != NULL && strcmp(out, html_cases[i].want) == 0, "text_to_html: %s: got [%s]",
		    html_cases[i].desc, out ? out : "(null)");
		free(out);
	}
	json_object_put(vars);
	return tap_done();
}
