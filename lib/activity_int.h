/*
 * activity_int.h — what lib/activity.c shares with lib/activity_dispatch.c:
 * the row columns, the JSON views and one resolution pass.
 */
#ifndef RETIVO_ACTIVITY_INT_H
#define RETIVO_ACTIVITY_INT_H

#include <json-c/json.h>

#include "resolve.h"

struct db_stmt;

/* The columns every activity read selects, in this order. */
#define ACT_COLS "id, type, channel, status, idempotency_key, scheduled_at, commerce_id, " \
	"reason, suggested_execution_time, user_status, score, assignment_reason, " \
	"target_criteria, attribute_keys, caller_attributes, targets, attributes, unresolved, " \
	"result, result_notes, created_at, updated_at, dispatched_at, finished_at, " \
	"targets_resolved, tenant_id "

enum { AC_ID, AC_TYPE, AC_CHANNEL, AC_STATUS, AC_IDEM, AC_SCHEDULED, AC_COMMERCE, AC_REASON,
	AC_SUGGESTED, AC_USER_STATUS, AC_SCORE, AC_ASSIGN, AC_CRITERIA, AC_KEYS, AC_CALLER,
	AC_TARGETS, AC_ATTRS, AC_UNRESOLVED, AC_RESULT, AC_NOTES, AC_CREATED, AC_UPDATED,
	AC_DISPATCHED, AC_FINISHED, AC_TARGETS_RESOLVED, AC_TENANT };

/* The full view of the current row (new object). */
struct json_object *act_row_json(const struct db_stmt *s);

/* One resolution pass over an activity. */
struct act_resolution {
	/* in */
	const char		*tenant_id;
	struct json_object	*commerce;	/* commerce_get_json() */
	struct json_object	*settings;	/* activity_settings_load() */
	const char		*channel;
	struct json_object	*criteria;	/* NULL: the tenant's default */
	struct json_object	*keys, *caller;
	enum resolve_phase	 phase;
	int			 resolve_targets;	/* run target resolution now */
	/* in/out: targets (array, replaced when resolved), values (object) */
	struct json_object	*targets;
	struct json_object	*values;
	/* out: reasons [{kind, key?, reason}] (new array, empty when none) */
	struct json_object	*unresolved;
};

/* Runs the pass; fills r->unresolved (new) and may replace r->targets.
 * Returns 0, or -1 on a database error (logged). */
int act_resolve(struct act_resolution *r);

/* Appends {"kind", "reason"} to arr. */
void act_reason(struct json_object *arr, const char *kind, const char *reason);

#endif
