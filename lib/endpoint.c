/*
 * endpoint.c — the webhook_endpoints table, subscription matching and the
 * automatic disabling of endpoints that keep failing.
 *
 * Every statement a request reaches carries tenant_id = ?. The one that
 * does not, endpoint_record_attempt()'s, is called by the dispatch job with
 * an endpoint id taken from a delivery row it owns.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "crypto.h"
#include "db.h"
#include "delivery.h"
#include "endpoint.h"
#include "event.h"
#include "ids.h"
#include "jsonout.h"
#include "log.h"
#include "page.h"
#include "timeutil.h"

int
endpoint_pattern_valid(const char *p)
{
	char type[ENDPOINT_PATTERN_MAX + 1];
	size_t len;

	if (p == NULL || (len = strlen(p)) == 0 || len > ENDPOINT_PATTERN_MAX)
		return 0;
	if (strcmp(p, "*") == 0 || strcmp(p, "custom.*") == 0)
		return 1;
	/* Retivo's own event of the interventions' webhook channel. */
	if (strcmp(p, "intervention.delivered") == 0 || strcmp(p, "intervention.*") == 0)
		return 1;
	if (len > 2 && strcmp(p + len - 2, ".*") == 0) {
		/* "custom.reward.*": what precedes ".*" must itself be a type. */
		memcpy(type, p, len - 2);
		type[len - 2] = '\0';
		return event_custom_type_valid(type);
	}
	return event_custom_type_valid(p);
}

int
endpoint_pattern_matches(const char *p, const char *type)
{
	size_t len;

	if (p == NULL || type == NULL)
		return 0;
	if (strcmp(p, "*") == 0)
		return 1;
	len = strlen(p);
	if (len >= 2 && strcmp(p + len - 2, ".*") == 0)
		/* The prefix with its dot, and at least one segment after it. */
		return strncmp(p, type, len - 1) == 0 && type[len - 1] != '\0';
	return strcmp(p, type) == 0;
}

int
endpoint_subscribed(struct json_object *patterns, const char *type)
{
	size_t i, n;
	struct json_object *item;

	if (patterns == NULL || !json_object_is_type(patterns, json_type_array))
		return 0;
	n = json_object_array_length(patterns);
	for (i = 0; i < n; i++) {
		item = json_object_array_get_idx(patterns, i);
		if (json_object_is_type(item, json_type_string) &&
		    endpoint_pattern_matches(json_object_get_string(item), type))
			return 1;
	}
	return 0;
}

int
endpoint_secret_new(char out[ENDPOINT_SECRET_SIZE])
{
	unsigned char raw[32];
	int rc = -1;

	out[0] = '\0';
	if (crypto_random(raw, sizeof(raw)) != 0)
		goto out;
	memcpy(out, "whsec_", 6);
	if (crypto_base64_encode(raw, sizeof(raw), out + 6, ENDPOINT_SECRET_SIZE - 6) == 0) {
		out[0] = '\0';
		goto out;
	}
	rc = 0;
out:
	memset(raw, 0, sizeof(raw));
	return rc;
}

#define EP_COLS "id, url, description, subscribed_events, active, disabled_reason, " \
	"failing_since, last_success_at, created_at, updated_at"

static struct db_stmt ep_insert = DB_STMT(
    "INSERT INTO webhook_endpoints (id, tenant_id, url, description, subscribed_events, "
    "  active, secret_enc, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");

static struct db_stmt ep_select = DB_STMT(
    "SELECT " EP_COLS " FROM webhook_endpoints WHERE tenant_id = ? AND id = ?");

static struct db_stmt ep_page = DB_STMT(
    "SELECT " EP_COLS " FROM webhook_endpoints WHERE tenant_id = ? "
    "AND (? IS NULL OR seq < "
    "  (SELECT c.seq FROM webhook_endpoints c WHERE c.tenant_id = ? AND c.id = ?)) "
    "ORDER BY seq DESC LIMIT ?");

/* Only the given fields change. The re-enable clauses come before
 * `active` and read its old value (MariaDB assigns left to right). */
static struct db_stmt ep_update = DB_STMT(
    "UPDATE webhook_endpoints SET url = COALESCE(?, url), "
    "  description = IF(? = 1, ?, description), "
    "  subscribed_events = COALESCE(?, subscribed_events), "
    "  disabled_reason = IF(? = 1 AND active = 0, NULL, disabled_reason), "
    "  failing_since = IF(? = 1 AND active = 0, NULL, failing_since), "
    "  active = COALESCE(?, active), updated_at = ? "
    "WHERE tenant_id = ? AND id = ?");

static struct db_stmt ep_delete = DB_STMT(
    "DELETE FROM webhook_endpoints WHERE tenant_id = ? AND id = ?");

static struct db_stmt ep_cancel_deliveries = DB_STMT(
    "UPDATE deliveries SET state = 'failed', last_error = 'endpoint deleted', updated_at = ? "
    "WHERE tenant_id = ? AND endpoint_id = ? AND state = 'pending'");

/* The pending deliveries that carry an activity or an intervention: their
 * object must learn that this delivery will never happen. */
static struct db_stmt ep_pending_objects = DB_STMT(
    "SELECT id, kind, action_id FROM deliveries "
    "WHERE tenant_id = ? AND endpoint_id = ? AND state = 'pending' "
    "AND kind IN ('activity', 'intervention') AND action_id IS NOT NULL");

struct ep_pending {
	unsigned long long	id;
	char			kind[16];
	char			object_id[48];
};

static struct db_stmt ep_target = DB_STMT(
    "SELECT url, secret_enc FROM webhook_endpoints WHERE tenant_id = ? AND id = ?");

static struct db_stmt ep_success = DB_STMT(
    "UPDATE webhook_endpoints SET last_success_at = ?, failing_since = NULL WHERE id = ?");

static struct db_stmt ep_failure = DB_STMT(
    "UPDATE webhook_endpoints SET failing_since = COALESCE(failing_since, ?) WHERE id = ?");

static struct db_stmt ep_disable = DB_STMT(
    "UPDATE webhook_endpoints SET active = 0, disabled_reason = ?, updated_at = ? "
    "WHERE id = ? AND active = 1 AND failing_since <= ?");

static struct json_object *
ep_row_json(const struct db_stmt *s)
{
	struct json_object *o = json_object_new_object();

	jo_str(o, "id", db_col(s, 0));
	jo_str(o, "url", db_col(s, 1));
	jo_str(o, "description", db_col(s, 2));
	jo_raw(o, "subscribed_events", db_col(s, 3));
	jo_bool(o, "active", (int)db_col_int(s, 4));
	jo_str(o, "disabled_reason", db_col(s, 5));
	jo_time(o, "failing_since", db_col(s, 6));
	jo_time(o, "last_success_at", db_col(s, 7));
	jo_time(o, "created_at", db_col(s, 8));
	jo_time(o, "updated_at", db_col(s, 9));
	return o;
}

int
endpoint_insert(const char *tenant_id, const struct endpoint_input *in,
    const char *secret_sealed, int64_t now, char id_out[48])
{
	char ts[TIME_SQL_SIZE];

	if (id_new("wh", id_out, 48) != 0) {
		log_err("endpoint: cannot make an id");
		return -1;
	}
	time_format_sql(now, ts);
	if (db_exec(&ep_insert, "sssssisss", id_out, tenant_id, in->url,
	    in->set_description ? in->description : NULL, in->subscribed_events,
	    (long long)(in->active != 0), secret_sealed, ts, ts) != 0)
		return -1;
	db_done(&ep_insert);
	return 0;
}

int
endpoint_update(const char *tenant_id, const char *id, const struct endpoint_input *in,
    int64_t now)
{
	char ts[TIME_SQL_SIZE];
	long long active = in->active, reenable = in->active == 1;
	unsigned long long n;

	time_format_sql(now, ts);
	if (db_exec(&ep_update, "sissiinsss", in->url, (long long)in->set_description,
	    in->description, in->subscribed_events, reenable, reenable,
	    in->active < 0 ? NULL : &active, ts, tenant_id, id) != 0)
		return -1;
	/* CLIENT_FOUND_ROWS: matched rows, so an unchanged row still counts. */
	n = db_affected(&ep_update);
	db_done(&ep_update);
	return n == 0 ? 1 : 0;
}

struct json_object *
endpoint_get_json(const char *tenant_id, const char *id, int *found)
{
	return page_row_by_id(&ep_select, tenant_id, id, found, ep_row_json);
}

struct json_object *
endpoint_list(const char *tenant_id, int limit, const char *cursor, int *has_more)
{
	return page_list(&ep_page, tenant_id, cursor, limit, has_more, ep_row_json);
}

/*
 * Reads the pending activity and intervention deliveries of endpoint id
 * into a malloc'd array (*n entries; the caller frees it). 0 or -1.
 */
static int
ep_pending_read(const char *tenant_id, const char *id, struct ep_pending **out, size_t *n)
{
	struct ep_pending *v = NULL, *grown;
	size_t cap = 0;
	int f;

	*out = NULL;
	*n = 0;
	if (db_exec(&ep_pending_objects, "ss", tenant_id, id) != 0)
		return -1;
	while ((f = db_fetch(&ep_pending_objects)) == 1) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			if ((grown = realloc(v, cap * sizeof(*v))) == NULL) {
				log_err("endpoint: out of memory reading pending deliveries");
				f = -1;
				break;
			}
			v = grown;
		}
		v[*n].id = (unsigned long long)db_col_int(&ep_pending_objects, 0);
		db_col_copy(&ep_pending_objects, 1, v[*n].kind, sizeof(v[*n].kind));
		db_col_copy(&ep_pending_objects, 2, v[*n].object_id, sizeof(v[*n].object_id));
		(*n)++;
	}
	db_done(&ep_pending_objects);
	if (f < 0) {
		free(v);
		*n = 0;
		return -1;
	}
	*out = v;
	return 0;
}

int
endpoint_delete(const char *tenant_id, const char *id, int64_t now, long long *cancelled)
{
	struct ep_pending *pending = NULL;
	char ts[TIME_SQL_SIZE];
	size_t npending = 0, i;
	int rc = -1;

	*cancelled = 0;
	time_format_sql(now, ts);
	if (db_begin() != 0)
		return -1;
	if (db_exec(&ep_delete, "ss", tenant_id, id) != 0)
		goto out;
	if (db_affected(&ep_delete) == 0) {
		db_done(&ep_delete);
		rc = 1;
		goto out;
	}
	db_done(&ep_delete);
	if (ep_pending_read(tenant_id, id, &pending, &npending) != 0)
		goto out;
	if (db_exec(&ep_cancel_deliveries, "sss", ts, tenant_id, id) != 0)
		goto out;
	*cancelled = (long long)db_affected(&ep_cancel_deliveries);
	db_done(&ep_cancel_deliveries);
	/* The same moves as a delivery that finally failed, rather than
	 * leaving an activity DISPATCHED or an intervention sent for ever. */
	for (i = 0; i < npending; i++)
		if (delivery_carried_failed(tenant_id, pending[i].kind, pending[i].object_id,
		    pending[i].id, now) != 0)
			goto out;
	free(pending);
	if (db_commit() != 0)
		return -1;
	return 0;
out:
	free(pending);
	db_rollback();
	return rc;
}

int
endpoint_ping(const char *tenant_id, const char *id, int test_mode, int64_t now,
    struct json_object **delivery)
{
	const struct conf *c = conf_get();
	struct json_object *body = NULL, *d;
	char *url = NULL, *secret = NULL, msg_id[48], iso[TIME_ISO8601_SIZE];
	const char *text;
	int rc = -1;

	*delivery = NULL;
	if (c == NULL)
		return -1;
	if (db_exec(&ep_target, "ss", tenant_id, id) != 0)
		return -1;
	if (db_fetch(&ep_target) != 1) {
		db_done(&ep_target);
		return 1;
	}
	url = strdup(db_col(&ep_target, 0));
	secret = strdup(db_col(&ep_target, 1));
	db_done(&ep_target);
	if (url == NULL || secret == NULL || id_new("msg", msg_id, sizeof(msg_id)) != 0) {
		log_err("endpoint: out of memory or randomness for a ping");
		goto out;
	}
	time_format_iso8601(now, iso);
	body = json_object_new_object();
	jo_str(body, "type", "webhook.ping");
	jo_str(body, "endpoint_id", id);
	jo_str(body, "tenant_id", tenant_id);
	jo_bool(body, "test_mode", test_mode);
	jo_str(body, "timestamp", iso);
	text = json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN);
	if (delivery_enqueue(tenant_id, "ping", NULL, id, msg_id, url, secret, text, now,
	    now) != 0)
		goto out;
	d = json_object_new_object();
	jo_str(d, "msg_id", msg_id);
	jo_str(d, "kind", "ping");
	jo_str(d, "endpoint_id", id);
	jo_str(d, "url", url);
	jo_str(d, "state", "pending");
	jo_str(d, "next_attempt_at", iso);
	json_object_object_add(d, "body", json_object_get(body));
	*delivery = d;
	rc = 0;
out:
	json_object_put(body);
	free(url);
	free(secret);
	return rc;
}

void
endpoint_record_attempt(const char *endpoint_id, int success, int64_t now)
{
	char ts[TIME_SQL_SIZE], cutoff[TIME_SQL_SIZE];

	if (endpoint_id == NULL || endpoint_id[0] == '\0')
		return;
	time_format_sql(now, ts);
	if (success) {
		if (db_exec(&ep_success, "ss", ts, endpoint_id) != 0)
			log_err("endpoint %s: cannot record a success", endpoint_id);
		db_done(&ep_success);
		return;
	}
	if (db_exec(&ep_failure, "ss", ts, endpoint_id) != 0) {
		log_err("endpoint %s: cannot record a failure", endpoint_id);
		return;
	}
	db_done(&ep_failure);
	time_format_sql(now - ENDPOINT_DISABLE_AFTER, cutoff);
	if (db_exec(&ep_disable, "ssss", ENDPOINT_DISABLED_REASON, ts, endpoint_id, cutoff) != 0) {
		log_err("endpoint %s: cannot disable it", endpoint_id);
		return;
	}
	if (db_affected(&ep_disable) > 0)
		log_warn("endpoint %s: disabled, %s", endpoint_id, ENDPOINT_DISABLED_REASON);
	db_done(&ep_disable);
}
