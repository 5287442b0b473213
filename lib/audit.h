/*
 * audit.h — the audit log: who changed what, on which object, when and
 * from where.
 *
 * lib/http.c records one row after every successful (2xx) request that is
 * not a GET, on every authenticated route except event ingestion
 * (HTTP_RATE_TRACK) and routes that record their own events
 * (HTTP_NO_AUDIT: sign-in, sign-out, accepting an invitation). The actor is
 * the API key or the member of the session.
 */
#ifndef RETIVO_AUDIT_H
#define RETIVO_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

struct audit_entry {
	const char	*tenant_id;
	const char	*actor_type;	/* "api_key", "member" or "anonymous" */
	const char	*actor_id;	/* key_… or mem_…, NULL for anonymous */
	const char	*action;	/* "POST /api/keys" or an event such as "auth.login" */
	const char	*method;	/* NULL for events */
	const char	*route;		/* route pattern, NULL for events */
	const char	*object_id;	/* the object acted on, or NULL */
	int		 status;
	const char	*remote_addr;
	const char	*user_agent;
	const char	*request_id;
	int64_t		 now;
};

/* Appends an entry. Returns 0, or -1 having logged why. */
int audit_record(const struct audit_entry *e);

/*
 * The id of the object a response describes: its top-level "id", else the
 * "id" of its first member that is an object ({"key": {"id": …}}). Copies
 * it into out and returns 1, or returns 0. Pure.
 */
int audit_object_of_response(struct json_object *resp, char *out, size_t outlen);

/* Entries of action by actor in the tenant since (unix seconds); -1 on error. */
long long audit_count_since(const char *tenant_id, const char *actor_id, const char *action,
    int64_t since);

struct audit_filter {
	const char	*actor;		/* actor id */
	const char	*actor_type;
	const char	*action;
	const char	*method;
	const char	*object;
	const char	*since;		/* SQL DATETIME text, inclusive */
	const char	*until;		/* exclusive */
};

/* A page of the tenant's entries matching f, newest first (page.h). */
struct json_object *audit_list(const char *tenant_id, const struct audit_filter *f, int limit,
    const char *cursor, int *has_more);

#endif
