/*
 * llm.h — optional drafting of a message by an OpenAI-compatible chat
 * completions endpoint, with a strict timeout; the caller falls back to the
 * template on any failure.
 *
 * Configuration (lib/conf.h; RETIVO_LLM_* environment overrides):
 *   llm_url         the full endpoint, e.g.
 *                   https://api.openai.com/v1/chat/completions; empty = off
 *   llm_api_key     sent as "Authorization: Bearer …" (may be empty for a
 *                   local endpoint)
 *   llm_model       the "model" field (default "gpt-4o-mini")
 *   llm_timeout_ms  the whole request, connect included (default 8000,
 *                   1..120000)
 *
 * One POST {"model", "messages": [system, user], "temperature": 0.4,
 * "response_format": {"type": "json_object"}}; the reply's
 * choices[0].message.content must itself be a JSON object
 * {"subject": "…", "body": "…"} with a non-empty body (≤ 20000 bytes) —
 * anything else (HTTP error, timeout, not JSON, missing fields) is a
 * failure with a short reason ("timeout after 8000 ms", "HTTP 500",
 * "reply is not JSON", "no body in the reply"). The reply is never trusted
 * as more than text: message.c renders it through the template engine
 * (so "{{unsubscribe_url}}" in the draft is filled) and the quality checks
 * run on the result as on a template's.
 */
#ifndef RETIVO_LLM_H
#define RETIVO_LLM_H

#include <stddef.h>

struct conf;

#define LLM_MAX_REPLY	(256 * 1024)	/* bytes of HTTP reply read at most */

struct llm_draft {
	char	*subject;	/* may be NULL when the reply had none */
	char	*body;		/* plain text */
};

/* 1 when an endpoint is configured (llm_url not empty). */
int llm_enabled(const struct conf *c);

/*
 * Asks the endpoint for a draft. Returns 0 with out filled (caller calls
 * llm_draft_clear()), or -1 with the reason in err (logged as a warning)
 * and out empty. Blocks at most llm_timeout_ms.
 */
int llm_draft(const struct conf *c, const char *system_prompt, const char *user_prompt,
    struct llm_draft *out, char *err, size_t errlen);

/*
 * Parses the HTTP body of a chat completions reply into out (pure; for the
 * unit tests and llm_draft()). 0, or -1 with the reason in err.
 */
int llm_parse_reply(const char *body, size_t len, struct llm_draft *out, char *err,
    size_t errlen);

void llm_draft_clear(struct llm_draft *d);

#endif
