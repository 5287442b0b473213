/* template.c — see template.h. Stubs until the engine lands. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "template.h"

int
template_check(const char *tpl, char *err, size_t errlen)
{
	(void)tpl; (void)err; (void)errlen;
	return 0;
}

char *
template_render(const char *tpl, struct json_object *vars, enum tpl_mode mode, char *err,
    size_t errlen)
{
	return template_render_n(tpl, strlen(tpl), vars, mode, err, errlen);
}

char *
template_render_n(const char *tpl, size_t len, struct json_object *vars, enum tpl_mode mode,
    char *err, size_t errlen)
{
	(void)vars; (void)mode; (void)err; (void)errlen;
	return strndup(tpl, len);
}

int
template_find_unfilled(const char *text, char *marker, size_t markerlen)
{
	(void)text; (void)marker; (void)markerlen;
	return 0;
}

char *
template_text_to_html(const char *s)
{
	return strdup(s);
}
