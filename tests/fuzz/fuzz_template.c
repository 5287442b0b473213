/*
 * fuzz_template.c — a libFuzzer target for the template engine
 * (lib/template.h) and the quality checks that read its output
 * (lib/quality.h). Not part of the default build; tests/fuzz/run.sh builds
 * it with clang -fsanitize=fuzzer,address,undefined and runs it.
 *
 * The input's first byte picks the mode (text or HTML); the rest is the
 * template, NUL bytes and all. Checked beyond "no crash, no leak":
 *   - a rendering fails only with an "offset N: …" reason;
 *   - template_check() agrees with template_render() on the NUL-free text;
 *   - in HTML mode an inserted value never brings a raw '<' of its own
 *     (the variables' values all hold one, escaped or nothing).
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "quality.h"
#include "template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct json_object *vars;

static const char vars_json[] =
    "{\"user\": {\"name\": \"<b>Ada</b>\", \"first_name\": \"<i>\", \"plan\": \"pro<\","
    " \"traits\": {\"a\": \"<x>\", \"n\": 3, \"f\": 0.5, \"t\": true, \"z\": \"\","
    " \"l\": [\"<1>\", \"<2>\"], \"o\": {\"k\": \"<v>\"}}},"
    " \"scores\": {\"engagement\": 0.72}, \"brand\": {\"name\": \"A<&>B\"},"
    " \"a\": \"<\", \"b\": \"<<\", \"unsubscribe_url\": \"https://x/u?token=<t>\"}";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum tpl_mode mode;
	char err[256], err2[256], *out, *copy, *html;
	struct quality_input q;
	struct json_object *checks;
	size_t i, n;
	int all;

	if (vars == NULL && (vars = json_tokener_parse(vars_json)) == NULL)
		abort();
	if (size == 0)
		return 0;
	mode = data[0] & 1 ? TPL_HTML : TPL_TEXT;
	out = template_render_n((const char *)data + 1, size - 1, vars, mode, err, sizeof(err));
	if (out == NULL && strncmp(err, "offset ", 7) != 0)
		abort();
	/* The same template without its NUL bytes, as a C string. */
	if ((copy = malloc(size)) == NULL)
		abort();
	for (i = 1, n = 0; i < size; i++)
		if (data[i] != 0)
			copy[n++] = (char)data[i];
	copy[n] = '\0';
	if ((template_check(copy, err2, sizeof(err2)) == 0) != (out != NULL) &&
	    strstr(err, "longer than") == NULL)
		abort();
	if (out != NULL) {
		if (mode == TPL_HTML && strchr(copy, '<') == NULL && strchr(out, '<') != NULL)
			abort();
		html = template_text_to_html(out);
		q.channel = mode == TPL_HTML ? "email" : "webhook";
		q.subject = copy;
		q.body_text = out;
		q.body_html = html;
		q.unsubscribe_url = "https://x/u?token=<t>";
		q.things_to_avoid = json_object_object_get(json_object_object_get(vars, "user"),
		    "traits");
		q.things_to_avoid = json_object_object_get(q.things_to_avoid, "l");
		q.tone = "calm";
		if ((checks = quality_run(&q, &all)) == NULL)
			abort();
		json_object_put(checks);
		free(html);
	}
	free(copy);
	free(out);
	return 0;
}
