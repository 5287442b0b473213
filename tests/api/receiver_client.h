/*
 * receiver_client.h — the API tests' handle on retivo-receiver (see
 * tests/api/receiver.c): start one on a free loopback port, point webhook
 * URLs at it, tell it the secrets and the status codes to answer with, and
 * read back what it received, with both signatures already checked.
 *
 * One receiver per test process; every function but receiver_start()
 * needs a running one. Functions returning int give 0 on success, -1 on
 * failure (with a line on stderr saying why).
 */
#ifndef RETIVO_RECEIVER_CLIENT_H
#define RETIVO_RECEIVER_CLIENT_H

#include <json-c/json.h>

/*
 * Starts the receiver (env RETIVO_RECEIVER, else the build's
 * tests/api/retivo-receiver found from RETIVO_ADMIN) on a free port and
 * returns the port, or -1. Starting again while one runs returns its
 * port. It is stopped at exit if the test does not stop it, and dies with
 * the test process (PR_SET_PDEATHSIG).
 */
int receiver_start(void);

/* SIGTERM and waitpid (SIGKILL after 5 s). Safe to call when not running. */
void receiver_stop(void);

/* The port of the running receiver, or -1. */
int receiver_port(void);

/* Forgets every secret, script and recorded request. */
int receiver_reset(void);

/*
 * Verifies requests to path (e.g. "/a") with secret, the webhook_secret
 * exactly as the API showed it; NULL stops verifying.
 */
int receiver_secret(const char *path, const char *secret);

/*
 * Queues the answers for path, replacing an earlier script: a JSON array
 * text such as
 *   [{"status":500},{"status":429,"retry_after":"120"},{"status":200}]
 * Each entry: "status" 200..599, optional "retry_after" (string or
 * integer, sent as the Retry-After header), optional "delay_ms" (0..120000,
 * answer held back that long), optional "body" (a string sent as the
 * answer instead of {"received":true}), or {"drop":true} (connection
 * closed with no answer: a transport error for the sender). After the
 * script: 200.
 */
int receiver_script(const char *path, const char *responses_json);

/*
 * The requests received on path (NULL: on every path), oldest first, as a
 * JSON array the caller releases with json_object_put(); NULL on failure.
 * Each element: "path", "method", "status_sent" (0 for a drop),
 * "retry_after_sent" (string or null), "body" (the exact bytes), "msg_id"
 * (webhook-id), "webhook_timestamp" and "retivo_timestamp" (header
 * strings), "action_id" (X-Retivo-Action-Id), "signature_ok" and
 * "standard_signature_ok" (false when no secret is set or a header is
 * missing), "received_at" (ISO-8601, wall clock) and "received_at_ms".
 * Absent headers are JSON null.
 */
struct json_object *receiver_log(const char *path);

/* How many requests were received on path (NULL: on every path); -1 when
 * the log cannot be read. */
int receiver_count(const char *path);

/* "http://127.0.0.1:PORT" + path, in a static buffer (next call overwrites). */
const char *receiver_url(const char *path);

#endif
