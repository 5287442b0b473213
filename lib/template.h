/*
 * template.h — the message template engine (pure, no I/O).
 *
 * A playbook's strategy_hints carry templates for the subject and body of
 * its messages; this module fills them from a json-c "variables" object:
 *
 *   {{user.name}}                 a dotted path into the variables
 *                                 (user.traits.plan, scores.engagement,
 *                                 brand.company_name, unsubscribe_url)
 *   {{user.name|default:"there"}} the default when the value is missing,
 *                                 null or the empty string
 *   {{#if user.traits.plan}}…{{else}}…{{/if}}
 *                                 a section, nestable (depth <= 16); false,
 *                                 null, missing, 0, "" and [] are false
 *   {{! a comment }}              dropped
 *
 * Strings render as they are, numbers with up to 6 significant digits
 * ("0.72"), booleans as true/false. In TPL_HTML mode every inserted value is
 * HTML-escaped (& < > " '); the template's own text is not, since the author
 * wrote it as HTML. In TPL_TEXT mode nothing is escaped.
 *
 * A variable that is missing (or null, or an object/array) and has no
 * default is NOT silently dropped: it is left in the output as the visible
 * marker "{{name}}" so the quality checks (quality.h) see an unfilled
 * placeholder and the intervention is flagged instead of going out as
 * "Hi ,".
 *
 * Syntax errors (an unclosed "{{", an {{/if}} without {{#if}}, an {{#if}}
 * never closed, a bad name, a bad default) are reported by template_check()
 * with the byte offset; template_render() of a malformed template returns
 * NULL with the same message. Names are [A-Za-z0-9_] segments joined by
 * dots, at most 128 bytes.
 */
#ifndef RETIVO_TEMPLATE_H
#define RETIVO_TEMPLATE_H

#include <stddef.h>

#include <json-c/json.h>

#define TEMPLATE_MAX_DEPTH	16
#define TEMPLATE_MAX_NAME	128
#define TEMPLATE_MAX_OUTPUT	(256 * 1024)	/* rendering beyond this fails */

enum tpl_mode {
	TPL_TEXT = 0,	/* plain text: values inserted as they are */
	TPL_HTML = 1	/* HTML: values escaped */
};

/*
 * Validates a template without rendering it (for playbook validation at
 * save time). Returns 0, or -1 with "offset N: reason" in err.
 */
int template_check(const char *tpl, char *err, size_t errlen);

/*
 * Renders tpl with vars (a JSON object; NULL = no variables). Returns a new
 * NUL-terminated string (caller frees), or NULL with a reason in err when
 * the template is malformed, the output would exceed TEMPLATE_MAX_OUTPUT, or
 * memory runs out.
 */
char *template_render(const char *tpl, struct json_object *vars, enum tpl_mode mode,
    char *err, size_t errlen);

/*
 * The same over a byte buffer that need not be NUL-terminated and may hold
 * NUL bytes (they are dropped, inside tags too). The entry point
 * of the libFuzzer target (tests/fuzz/fuzz_template.c).
 */
char *template_render_n(const char *tpl, size_t len, struct json_object *vars,
    enum tpl_mode mode, char *err, size_t errlen);

/*
 * Finds the first unfilled placeholder "{{…}}" in a rendered text. Returns
 * 1 and copies it (truncated) into marker, or 0 when there is none.
 */
int template_find_unfilled(const char *text, char *marker, size_t markerlen);

/*
 * Plain text as HTML (message.c builds an email's HTML body from its text
 * body). Returns a new string (caller frees): s escaped, http(s) URLs as
 * links, newlines as <br>, blank lines as paragraph breaks, wrapped in
 * <p>…</p>; NULL when out of memory.
 */
char *template_text_to_html(const char *s);

#endif
