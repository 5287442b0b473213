/* llm.c — see llm.h. Stubs until the client lands. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "conf.h"
#include "llm.h"

int
llm_enabled(const struct conf *c)
{
	(void)c;
	return 0;
}

int
llm_draft(const struct conf *c, const char *system_prompt, const char *user_prompt,
    struct llm_draft *out, char *err, size_t errlen)
{
	(void)c; (void)system_prompt; (void)user_prompt;
	out->subject = out->body = NULL;
	snprintf(err, errlen, "not configured");
	return -1;
}

int
llm_parse_reply(const char *body, size_t len, struct llm_draft *out, char *err, size_t errlen)
{
	(void)body; (void)len;
	out->subject = out->body = NULL;
	snprintf(err, errlen, "not implemented");
	return -1;
}

void
llm_draft_clear(struct llm_draft *d)
{
	free(d->subject);
	free(d->body);
	d->subject = d->body = NULL;
}
