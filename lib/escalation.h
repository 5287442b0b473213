/*
 * escalation.h — escalations (SPEC.md, /api/escalations): a case handed to
 * a human instead of a message, opened by a playbook whose channel is
 * "escalation" (the evaluate job) or by hand, then handled or delegated.
 *
 * Statuses: open -> handled (action_taken recorded) | delegated (to a
 * member id or an email); delegated -> handled. A handled escalation is
 * final. Each move is a guarded UPDATE naming the statuses it may leave.
 */
#ifndef RETIVO_ESCALATION_H
#define RETIVO_ESCALATION_H

#include <stdint.h>

#include <json-c/json.h>

#define ESCALATION_REASON_MAX	2000

extern const char *const escalation_severities[];	/* low, medium, high, critical */
extern const char *const escalation_statuses[];		/* open, handled, delegated */

/* A new escalation; pointers borrowed, NULL = SQL NULL. */
struct escalation_new {
	const char	*tenant_id;
	const char	*user_id;
	const char	*playbook_id;
	const char	*intervention_id;
	const char	*severity;	/* escalation_severities */
	const char	*reason;
};

/*
 * Stores an open escalation (id "esc_…" into id_out). Opens no
 * transaction: usable inside the caller's (the evaluate job). Returns 0
 * or -1 (logged).
 */
int escalation_create(const struct escalation_new *n, int64_t now, char id_out[48]);

/* The tenant's escalation as JSON (new object), NULL when absent or on
 * error (*found tells which). */
struct json_object *escalation_get_json(const char *tenant_id, const char *id, int *found);

/* Lists newest first after the id cursor, status NULL = any; as action_list(). */
struct json_object *escalation_list(const char *tenant_id, const char *status,
    int limit, const char *cursor, int *has_more, int *bad_cursor);

#define ESCALATION_OK		0
#define ESCALATION_NOT_FOUND	1
#define ESCALATION_INVALID	2	/* already handled: current status in *current */

/*
 * handle: open|delegated -> handled with action_taken.
 * delegate: open|delegated -> delegated to `to` with an optional note.
 * current (>= 16 bytes) receives the status before the move. Returns
 * ESCALATION_*, or -1 (logged).
 */
int escalation_handle(const char *tenant_id, const char *id, const char *action_taken,
    int64_t now, char current[16]);
int escalation_delegate(const char *tenant_id, const char *id, const char *to,
    const char *note, int64_t now, char current[16]);

#endif
