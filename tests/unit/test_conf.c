/* test_conf.c — the configuration parser. */
#include "config.h"

#include <string.h>

#include "conf.h"
#include "tap.h"

int
main(void)
{
	struct conf c;
	char err[256];

	conf_defaults(&c);
	ok(strcmp(c.env, "production") == 0 && c.allow_private_targets == 0,
	    "defaults: production, no private targets");
	ok(conf_parse(&c, "# comment\n\ndb_socket = /tmp/x.sock\ndb_port=3307\n"
	    "env = test\nallow_private_targets = yes\n"
	    "master_key = 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n",
	    err, sizeof(err)) == 0, "parse: valid file");
	ok(strcmp(c.db_socket, "/tmp/x.sock") == 0 && c.db_port == 3307, "parse: values set");
	ok(c.have_master_key && c.master_key[31] == 0x1f, "parse: master key decoded");
	ok(strcmp(c.env, "test") == 0 && c.allow_private_targets == 1, "parse: env and flag");
	ok(conf_parse(&c, "db_host = a\nbogus = 1\n", err, sizeof(err)) == -1 &&
	    strstr(err, "line 2") && strstr(err, "bogus"), "parse: unknown key named with line: %s",
	    err);
	ok(conf_parse(&c, "db_port = 99999\n", err, sizeof(err)) == -1 && strstr(err, "db_port"),
	    "parse: bad port: %s", err);
	ok(conf_parse(&c, "master_key = abc\n", err, sizeof(err)) == -1 && strstr(err, "master_key"),
	    "parse: short master key: %s", err);
	ok(conf_parse(&c, "just words\n", err, sizeof(err)) == -1 && strstr(err, "line 1"),
	    "parse: line without '=': %s", err);
	ok(conf_set(&c, "env", "staging", err, sizeof(err)) == -1, "set: unknown env refused");
	conf_defaults(&c);
	ok(c.llm_url[0] == '\0' && strcmp(c.llm_model, "gpt-4o-mini") == 0 &&
	    c.llm_timeout_ms == 8000, "defaults: no LLM, model gpt-4o-mini, 8000 ms");
	ok(conf_parse(&c, "llm_url = http://127.0.0.1:9/v1/chat/completions\nllm_api_key = sk-x\n"
	    "llm_model = m\nllm_timeout_ms = 250\n", err, sizeof(err)) == 0 &&
	    strcmp(c.llm_url, "http://127.0.0.1:9/v1/chat/completions") == 0 &&
	    strcmp(c.llm_api_key, "sk-x") == 0 && strcmp(c.llm_model, "m") == 0 &&
	    c.llm_timeout_ms == 250, "parse: the llm_* keys");
	ok(conf_set(&c, "llm_timeout_ms", "0", err, sizeof(err)) == -1 &&
	    conf_set(&c, "llm_timeout_ms", "120001", err, sizeof(err)) == -1 &&
	    conf_set(&c, "llm_timeout_ms", "5s", err, sizeof(err)) == -1 &&
	    strstr(err, "llm_timeout_ms") && c.llm_timeout_ms == 250,
	    "set: llm_timeout_ms outside 1..120000 refused: %s", err);
	return tap_done();
}
