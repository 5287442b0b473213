/*
 * events.c — ingestion: product events (POST /api/events), custom events
 * (POST /api/external/events and /emit, seed 000) and the Segment,
 * PostHog and Mixpanel connectors. Every route validates the whole batch
 * first (400 naming the index and field, nothing stored), counts the
 * events against the plan's hourly "Track Events" limit (seed 003), and
 * stores the batch in one transaction before answering.
 *
 * Ingestion routes are counted in events against the track bucket only,
 * not also as API requests: their X-RateLimit-* headers describe the track
 * bucket, and the hourly API quota is left to the rest of the API.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "connector.h"
#include "event.h"
#include "http.h"
#include "jsonin.h"
#include "log.h"
#include "partner.h"
#include "ratelimit.h"

static void events_product(struct http_req *);
static void events_custom_batch(struct http_req *);
static void events_custom_emit(struct http_req *);
static void connector_segment(struct http_req *);
static void connector_posthog(struct http_req *);
static void connector_mixpanel(struct http_req *);

enum route {
	ROUTE_EVENTS,
	ROUTE_EXTERNAL_EVENTS,
	ROUTE_EXTERNAL_EMIT,
	ROUTE_SEGMENT,
	ROUTE_POSTHOG,
	ROUTE_MIXPANEL,
	ROUTE__MAX
};

#define INGEST (SCOPE_INGEST | SCOPE_FULL)

static const struct http_route routes[ROUTE__MAX] = {
	[ROUTE_EVENTS] = { "POST", "/api/events", INGEST, events_product, HTTP_RATE_TRACK },
	[ROUTE_EXTERNAL_EVENTS] = { "POST", "/api/external/events", INGEST, events_custom_batch,
	    HTTP_RATE_TRACK },
	[ROUTE_EXTERNAL_EMIT] = { "POST", "/api/external/events/emit", INGEST, events_custom_emit,
	    HTTP_RATE_TRACK },
	[ROUTE_SEGMENT] = { "POST", "/api/connectors/segment", INGEST, connector_segment,
	    HTTP_BODY_ANY_JSON | HTTP_RATE_TRACK },
	[ROUTE_POSTHOG] = { "POST", "/api/connectors/posthog", INGEST, connector_posthog,
	    HTTP_BODY_ANY_JSON | HTTP_RATE_TRACK },
	[ROUTE_MIXPANEL] = { "POST", "/api/connectors/mixpanel", INGEST, connector_mixpanel,
	    HTTP_BODY_ANY_JSON | HTTP_RATE_TRACK },
};

static const char *
next_plan(const char *plan)
{
	if (strcmp(plan, "starter") == 0)
		return "growth";
	if (strcmp(plan, "growth") == 0)
		return "scale";
	if (strcmp(plan, "scale") == 0)
		return "custom";
	return NULL;
}

/*
 * Counts n events against the track limit, stores them and answers.
 * The events must already be valid.
 */
static void
events_ingest(struct http_req *r, const char *source, struct event_in *ev, size_t n)
{
	struct partner_mapset maps = { NULL, 0, NULL };
	struct rl_result rl;
	struct event_result res;
	struct json_object *o;
	char buf[32];
	const char *up;
	int rc;

	/* A partner's customer: the event mappings of its shared integrations
	 * rename product events before they are stored. Only customer tenants
	 * pay this one lookup. */
	if (strcmp(r->auth.tenant_role, "customer") == 0) {
		if (partner_mapset_load(r->auth.tenant_id, &maps) != 0) {
			http_internal(r);
			return;
		}
		partner_mappings_apply(maps.m, maps.n, ev, n);
	}
	if (ratelimit_hit(r->auth.tenant_id, RL_TRACK, r->auth.track_limit, (long long)n, r->now,
	    &rl) == 0) {
		http_rate_headers(r, &rl);
		if (rl.over) {
			/* Refused events do not use up the quota. */
			ratelimit_refund(r->auth.tenant_id, RL_TRACK, (long long)n, r->now);
			snprintf(buf, sizeof(buf), "%lld", rl.retry_after);
			http_header(r, "Retry-After", buf);
			http_error(r, 429, "track_limit_exceeded",
			    "the %s plan tracks %lld events per hour and this batch of %zu would pass "
			    "it; retry after %lld seconds", r->auth.plan, rl.limit, n, rl.retry_after);
			goto out;
		}
	}
	rc = event_store(r->auth.tenant_id, source, r->auth.test_mode, ev, n, r->now, &res);
	if (rc == EVENT_STORE_USER_LIMIT) {
		ratelimit_refund(r->auth.tenant_id, RL_TRACK, (long long)n, r->now);
		o = json_object_new_object();
		snprintf(buf, sizeof(buf), "%lld", res.tracked_limit);
		json_object_object_add(o, "error", json_object_new_string(
		    "tracked user limit reached: this batch would track more users than the "
		    "tenant's limit allows; nothing from it was stored"));
		json_object_object_add(o, "code", json_object_new_string("tracked_user_limit"));
		json_object_object_add(o, "current", json_object_new_int64(res.tracked_users));
		json_object_object_add(o, "limit", json_object_new_int64(res.tracked_limit));
		up = next_plan(r->auth.plan);
		json_object_object_add(o, "upgrade_to", up ? json_object_new_string(up) : NULL);
		http_json(r, 402, o);
		goto out;
	}
	if (rc != EVENT_STORE_OK) {
		http_internal(r);
		goto out;
	}
	o = json_object_new_object();
	json_object_object_add(o, "accepted", json_object_new_int64(res.accepted));
	json_object_object_add(o, "duplicates", json_object_new_int64(res.duplicates));
	http_json(r, 200, o);
out:
	partner_mapset_free(&maps);
}

/* Answers a validation failure with the track bucket's headers (nothing counted). */
static void
events_reject(struct http_req *r, struct in *v)
{
	struct rl_result rl;

	if (ratelimit_peek(r->auth.tenant_id, RL_TRACK, r->auth.track_limit, r->now, &rl) == 0)
		http_rate_headers(r, &rl);
	in_reject(v, r);
}

/* Reads {"events": [...]} (1..100 objects) or, when allow_single, one event. */
static void
events_read_and_ingest(struct http_req *r, int custom, int allow_single, const char *source)
{
	static const char *const batch_fields[] = { "events", NULL };
	struct event_in ev[EVENT_MAX_BATCH];
	struct json_object *arr, *item;
	struct in v;
	char prefix[32];
	size_t n = 0, i;

	in_init(&v, r->body, NULL);
	if (allow_single && !in_has(&v, "events")) {
		if ((custom ? event_read_custom : event_read_product)(&v, &ev[0], r->now) != 0) {
			events_reject(r, &v);
			return;
		}
		events_ingest(r, source, ev, 1);
		return;
	}
	in_only(&v, batch_fields);
	arr = in_arr(&v, "events", IN_REQUIRED, 1, EVENT_MAX_BATCH);
	if (v.failed) {
		events_reject(r, &v);
		return;
	}
	n = json_object_array_length(arr);
	for (i = 0; i < n; i++) {
		snprintf(prefix, sizeof(prefix), "events[%zu].", i);
		item = json_object_array_get_idx(arr, i);
		if (!json_object_is_type(item, json_type_object)) {
			snprintf(prefix, sizeof(prefix), "events[%zu]", i);
			http_error_field(r, 400, "invalid_field", prefix,
			    "each event must be an object");
			return;
		}
		in_init(&v, item, prefix);
		if ((custom ? event_read_custom : event_read_product)(&v, &ev[i], r->now) != 0) {
			events_reject(r, &v);
			return;
		}
	}
	events_ingest(r, source, ev, n);
}

static void
events_product(struct http_req *r)
{
	events_read_and_ingest(r, 0, 1, "api");
}

static void
events_custom_batch(struct http_req *r)
{
	events_read_and_ingest(r, 1, 0, "external");
}

static void
events_custom_emit(struct http_req *r)
{
	struct event_in ev;
	struct in v;

	in_init(&v, r->body, NULL);
	if (event_read_custom(&v, &ev, r->now) != 0) {
		events_reject(r, &v);
		return;
	}
	events_ingest(r, "external", &ev, 1);
}

static void
connector_ingest(struct http_req *r, enum connector_kind kind, const char *source)
{
	struct connector_event mapped[CONNECTOR_MAX_EVENTS];
	struct event_in ev[CONNECTOR_MAX_EVENTS];
	char field[128], err[256];
	int n, i;

	n = connector_map(kind, r->body, mapped, CONNECTOR_MAX_EVENTS, field, sizeof(field),
	    err, sizeof(err));
	if (n < 0) {
		char msg[400];

		snprintf(msg, sizeof(msg), "%s: %s", field, err);
		http_error_field(r, 400, "invalid_field", field, msg);
		return;
	}
	for (i = 0; i < n; i++) {
		memset(&ev[i], 0, sizeof(ev[i]));
		ev[i].kind = EVENT_PRODUCT;
		ev[i].user_id = mapped[i].user_id;
		ev[i].name = mapped[i].name;
		ev[i].properties = mapped[i].properties;
		ev[i].occurred_at = mapped[i].timestamp ? mapped[i].timestamp : r->now;
		ev[i].message_id = mapped[i].message_id;
	}
	if (n == 0) {
		/* Well-formed but nothing we track (e.g. a Segment "screen"). */
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "accepted", json_object_new_int(0));
		json_object_object_add(o, "duplicates", json_object_new_int(0));
		http_json(r, 200, o);
	} else
		events_ingest(r, source, ev, (size_t)n);
	connector_clear(mapped, (size_t)n);
}

static void
connector_segment(struct http_req *r)
{
	connector_ingest(r, CONNECTOR_SEGMENT, "segment");
}

static void
connector_posthog(struct http_req *r)
{
	connector_ingest(r, CONNECTOR_POSTHOG, "posthog");
}

static void
connector_mixpanel(struct http_req *r)
{
	connector_ingest(r, CONNECTOR_MIXPANEL, "mixpanel");
}

int
main(int argc, char **argv)
{
	return http_serve(argc, argv, "retivo-events", routes, ROUTE__MAX);
}
