/*
 * llm.h — optional OpenAI-compatible drafting with a strict timeout and template fallback.
 *
 * Placeholder: filled in by the issue that owns it.
 */
#ifndef RETIVO_LLM_H
#define RETIVO_LLM_H

int llm_placeholder(void);

#endif
