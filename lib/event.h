/*
 * event.h — the event store: product events (POST /api/events and the
 * connectors) and custom events (POST /api/external/events) land in one
 * table that scoring, decisions and playbooks read.
 *
 * A batch is validated whole by the caller (event_read_*), then stored by
 * event_store() in one transaction: one outbox row for the broadcaster,
 * the events in one bulk INSERT, their users upserted in one bulk
 * statement, and the tenant's tracked-user count checked against its
 * limit — all or nothing.
 */
#ifndef RETIVO_EVENT_H
#define RETIVO_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

struct in;

#define EVENT_MAX_BATCH		100
#define EVENT_NAME_MAX		200
#define EVENT_USER_ID_MAX	255
#define EVENT_MESSAGE_ID_MAX	100

enum event_kind {
	EVENT_PRODUCT,
	EVENT_CUSTOM
};

/* One validated event; strings and properties are borrowed. */
struct event_in {
	const char		*user_id;
	const char		*name;		/* event name, or the custom type */
	enum event_kind		 kind;
	struct json_object	*properties;	/* object; for $identify: the traits */
	int64_t			 occurred_at;	/* unix seconds */
	const char		*message_id;	/* dedupe key or NULL */
};

/* "custom." followed by lowercase dot notation, at most 200 bytes. Pure. */
int event_custom_type_valid(const char *type);

/* 1..200 bytes of UTF-8 without control characters. Pure. */
int event_name_valid(const char *name);

/* 1..255 bytes without control characters. Pure. */
int event_user_id_valid(const char *user_id);

/* 1 when the event carries traits ("$identify"). Pure. */
int event_is_identify(const struct event_in *ev);

/*
 * Reads one product event {user_id, event, properties?, timestamp?,
 * message_id?} or one custom event {type, user_id, data?, timestamp?,
 * message_id?} from v (its prefix names the batch index in errors). A
 * missing timestamp means now. Failures land in v; returns 0 or -1.
 */
int event_read_product(struct in *v, struct event_in *ev, int64_t now);
int event_read_custom(struct in *v, struct event_in *ev, int64_t now);

struct event_result {
	long long	accepted;	/* events stored */
	long long	duplicates;	/* events whose message_id was stored before */
	long long	new_users;	/* users created by this batch */
	long long	tracked_users;	/* the tenant's count (after, or at refusal) */
	long long	tracked_limit;
};

#define EVENT_STORE_OK		0
#define EVENT_STORE_USER_LIMIT	1	/* the batch would pass tracked_user_limit */
#define EVENT_STORE_ERROR	(-1)

/*
 * Stores n events for the tenant atomically (see the file comment).
 * source names the route ("api", "external", "segment", ...). Returns
 * EVENT_STORE_OK, EVENT_STORE_USER_LIMIT (nothing stored; res says the
 * count and limit) or EVENT_STORE_ERROR (logged; nothing stored).
 */
int event_store(const char *tenant_id, const char *source, int test_mode,
    const struct event_in *ev, size_t n, int64_t now, struct event_result *res);

#endif
