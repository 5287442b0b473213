/* message.c — see message.h. Stubs until composition lands. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "message.h"

int
message_render(const struct message_input *in, const char *draft_subject,
    const char *draft_body, struct message_out *out, char *err, size_t errlen)
{
	(void)in; (void)draft_subject; (void)draft_body; (void)err; (void)errlen;
	memset(out, 0, sizeof(*out));
	out->subject = strdup("");
	out->body_text = strdup("");
	out->quality_checks = json_object_new_array();
	out->passed = 1;
	return 0;
}

int
message_compose(const char *tenant_id, const char *user_id, const char *channel,
    const char *lifecycle_area, const char *playbook_name,
    struct json_object *strategy_hints, struct message_out *out)
{
	struct message_input in = { channel, lifecycle_area, playbook_name, strategy_hints,
	    NULL, NULL, NULL, NULL };
	char err[128];

	(void)tenant_id; (void)user_id;
	return message_render(&in, NULL, NULL, out, err, sizeof(err));
}

int
message_unsubscribe_url(const struct conf *c, const char *tenant_id, const char *user_id,
    char *out, size_t outlen)
{
	(void)c; (void)tenant_id; (void)user_id;
	snprintf(out, outlen, "http://localhost/unsubscribe");
	return 0;
}

void
message_out_clear(struct message_out *out)
{
	free(out->subject);
	free(out->body_text);
	free(out->body_html);
	if (out->quality_checks != NULL)
		json_object_put(out->quality_checks);
	memset(out, 0, sizeof(*out));
}
