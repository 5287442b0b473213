/*
 * connector.h — turning Segment, PostHog and Mixpanel webhook payloads
 * into Retivo product events (SPEC.md: identify and $identify carry
 * traits, page and $pageview become page_viewed, $set and $set_once
 * update traits). Pure: JSON in, normalized events out.
 */
#ifndef RETIVO_CONNECTOR_H
#define RETIVO_CONNECTOR_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

enum connector_kind {
	CONNECTOR_SEGMENT,
	CONNECTOR_POSTHOG,
	CONNECTOR_MIXPANEL
};

#define CONNECTOR_MAX_EVENTS 100

/* One event in Retivo's own terms. Strings are borrowed from the payload
 * or from `properties`, which the caller puts (json_object_put). */
struct connector_event {
	const char		*user_id;	/* userId / distinct_id; never NULL */
	char			 name[201];	/* "$identify", "page_viewed", "Signed Up" */
	struct json_object	*properties;	/* new object: properties, or traits for $identify */
	int64_t			 timestamp;	/* unix seconds; 0 = not given (now) */
	const char		*message_id;	/* messageId / uuid / $insert_id, or NULL */
};

/*
 * Maps payload (one event, or what the tool sends as a batch) into at most
 * max events. Returns the number of events (>= 0), or -1 with the failing
 * field path in field (e.g. "userId", "batch[2].event") and a message in
 * err when the payload is not a shape the tool sends. Unsupported but
 * well-formed types (e.g. Segment "screen", "group", "alias") map to zero
 * events rather than failing, so the tool does not retry them forever.
 */
int connector_map(enum connector_kind kind, struct json_object *payload,
    struct connector_event *out, size_t max, char *field, size_t fieldlen,
    char *err, size_t errlen);

/* Releases the properties objects of n mapped events. */
void connector_clear(struct connector_event *ev, size_t n);

#endif
