/* quality.c — see quality.h. Stubs until the checks land. */
#include "config.h"

#include "quality.h"

struct json_object *
quality_run(const struct quality_input *in, int *all_passed)
{
	(void)in;
	if (all_passed)
		*all_passed = 1;
	return json_object_new_array();
}

int
quality_add(struct json_object *arr, const char *check, int passed, const char *detail)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "check", json_object_new_string(check));
	json_object_object_add(o, "passed", json_object_new_boolean(passed));
	json_object_object_add(o, "detail", json_object_new_string(detail));
	return json_object_array_add(arr, o);
}

int
quality_passed(struct json_object *arr, char *reason, size_t reasonlen)
{
	(void)arr; (void)reason; (void)reasonlen;
	return 1;
}

int
quality_contains_phrase(const char *text, const char *phrase)
{
	(void)text; (void)phrase;
	return 0;
}

size_t
quality_utf8_len(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}
