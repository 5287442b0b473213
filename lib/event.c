/*
 * event.c — validating events and storing batches of them.
 *
 * A batch costs a fixed number of round trips whatever its size: the
 * outbox row, one bulk INSERT of the events, one bulk upsert of their
 * users (sorted by user id, so concurrent batches lock users in the same
 * order and cannot deadlock each other on them), and, only when the batch
 * brings new users, one guarded UPDATE of the tenant's tracked-user count.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "event.h"
#include "jsonin.h"
#include "log.h"
#include "timeutil.h"

/* Control characters (and DEL) are refused in names and ids. */
static int
event_printable(const char *s, size_t max)
{
	size_t len;
	const unsigned char *p;

	if (s == NULL || (len = strlen(s)) == 0 || len > max)
		return 0;
	for (p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

int
event_name_valid(const char *name)
{
	return event_printable(name, EVENT_NAME_MAX);
}

int
event_user_id_valid(const char *user_id)
{
	return event_printable(user_id, EVENT_USER_ID_MAX);
}

int
event_custom_type_valid(const char *type)
{
	const char *p;
	size_t seg = 0;

	if (type == NULL || strlen(type) > EVENT_NAME_MAX || strncmp(type, "custom.", 7) != 0)
		return 0;
	/* custom(.segment)+ with segments of [a-z0-9_], none empty */
	for (p = type + 7; *p; p++) {
		if (*p == '.') {
			if (seg == 0)
				return 0;
			seg = 0;
		} else if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_')
			seg++;
		else
			return 0;
	}
	return seg > 0;
}

int
event_is_identify(const struct event_in *ev)
{
	return ev->kind == EVENT_PRODUCT && strcmp(ev->name, "$identify") == 0;
}

static const char *const product_fields[] = { "user_id", "event", "properties", "timestamp",
	"message_id", NULL };
static const char *const custom_fields[] = { "type", "user_id", "data", "timestamp",
	"message_id", NULL };

/* The parts both event shapes share; the name is read by the caller. */
static int
event_read_common(struct in *v, struct event_in *ev, const char *props_field, int64_t now)
{
	int present;

	ev->user_id = in_str(v, "user_id", IN_REQUIRED, 1, EVENT_USER_ID_MAX);
	if (ev->user_id != NULL && !event_user_id_valid(ev->user_id))
		in_fail(v, "user_id", "invalid_field", "must not contain control characters");
	ev->properties = in_obj(v, props_field, IN_NULLABLE);
	ev->occurred_at = in_time(v, "timestamp", IN_NULLABLE, &present);
	if (!present)
		ev->occurred_at = now;
	ev->message_id = in_str(v, "message_id", IN_NULLABLE, 1, EVENT_MESSAGE_ID_MAX);
	return v->failed ? -1 : 0;
}

int
event_read_product(struct in *v, struct event_in *ev, int64_t now)
{
	memset(ev, 0, sizeof(*ev));
	ev->kind = EVENT_PRODUCT;
	in_only(v, product_fields);
	ev->name = in_str(v, "event", IN_REQUIRED, 1, EVENT_NAME_MAX);
	if (ev->name != NULL && !event_name_valid(ev->name))
		in_fail(v, "event", "invalid_field", "must not contain control characters");
	return event_read_common(v, ev, "properties", now);
}

int
event_read_custom(struct in *v, struct event_in *ev, int64_t now)
{
	memset(ev, 0, sizeof(*ev));
	ev->kind = EVENT_CUSTOM;
	in_only(v, custom_fields);
	ev->name = in_str(v, "type", IN_REQUIRED, 1, EVENT_NAME_MAX);
	if (ev->name != NULL && !event_custom_type_valid(ev->name))
		in_fail(v, "type", "invalid_field",
		    "must be \"custom.\" followed by lowercase dot notation, e.g. custom.reward.redeemed");
	return event_read_common(v, ev, "data", now);
}

static struct db_stmt ev_outbox = DB_STMT(
    "INSERT INTO event_outbox (tenant_id, source, event_count, test_mode, created_at) "
    "VALUES (?, ?, ?, ?, ?)");
static struct db_stmt ev_outbox_count = DB_STMT(
    "UPDATE event_outbox SET event_count = ? WHERE id = ?");
static struct db_stmt ev_outbox_drop = DB_STMT("DELETE FROM event_outbox WHERE id = ?");

/* IGNORE only ever skips a repeated (tenant_id, dedupe_key): lengths and
 * types are validated before a batch gets here. */
static struct db_stmt ev_insert = DB_STMT(
    "INSERT IGNORE INTO events (tenant_id, user_id, name, kind, source, properties, "
    "  occurred_at, received_at, test_mode, dedupe_key, outbox_id) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");

static struct db_stmt ev_users = DB_STMT(
    "INSERT INTO users (tenant_id, user_id, email, name, plan, company, traits, event_count, "
    "  first_seen_at, last_activity_at, created_at, updated_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON DUPLICATE KEY UPDATE "
    "  email = COALESCE(VALUES(email), email), name = COALESCE(VALUES(name), name), "
    "  plan = COALESCE(VALUES(plan), plan), company = COALESCE(VALUES(company), company), "
    "  traits = IF(VALUES(traits) = '{}', traits, JSON_MERGE_PATCH(traits, VALUES(traits))), "
    "  event_count = event_count + VALUES(event_count), "
    "  first_seen_at = LEAST(first_seen_at, VALUES(first_seen_at)), "
    "  last_activity_at = GREATEST(IFNULL(last_activity_at, VALUES(last_activity_at)), "
    "    VALUES(last_activity_at)), "
    "  updated_at = VALUES(updated_at)");

static struct db_stmt ev_track_users = DB_STMT(
    "UPDATE tenants SET tracked_users = tracked_users + ? "
    "WHERE id = ? AND tracked_users + ? <= tracked_user_limit");
static struct db_stmt ev_tenant_counts = DB_STMT(
    "SELECT tracked_users, tracked_user_limit FROM tenants WHERE id = ?");

/* One user of a batch, aggregated over its events. */
struct batch_user {
	const char		*user_id;
	long long		 count;
	int64_t			 first, last;
	struct json_object	*traits;	/* merged $identify properties, or NULL */
	const char		*email, *name, *plan, *company;
	char			 first_s[20], last_s[20];
	const char		*traits_s;
};

static int
batch_user_cmp(const void *a, const void *b)
{
	return strcmp(((const struct batch_user *)a)->user_id,
	    ((const struct batch_user *)b)->user_id);
}

static const char *
trait_str(struct json_object *traits, const char *key)
{
	struct json_object *v;

	if (traits != NULL && json_object_object_get_ex(traits, key, &v) &&
	    json_object_is_type(v, json_type_string) && json_object_get_string_len(v) > 0 &&
	    json_object_get_string_len(v) <= 255)
		return json_object_get_string(v);
	return NULL;
}

/* Groups the batch by user; returns the number of users (<= n). */
static size_t
event_group_users(const struct event_in *ev, size_t n, int64_t now, struct batch_user *u)
{
	size_t nu = 0, i, j;
	int64_t t;

	for (i = 0; i < n; i++) {
		for (j = 0; j < nu; j++)
			if (strcmp(u[j].user_id, ev[i].user_id) == 0)
				break;
		/* Activity cannot be later than now, whatever the client says. */
		t = ev[i].occurred_at < now ? ev[i].occurred_at : now;
		if (j == nu) {
			memset(&u[nu], 0, sizeof(u[nu]));
			u[nu].user_id = ev[i].user_id;
			u[nu].first = u[nu].last = t;
			nu++;
		}
		u[j].count++;
		if (t < u[j].first)
			u[j].first = t;
		if (t > u[j].last)
			u[j].last = t;
		if (event_is_identify(&ev[i]) && ev[i].properties != NULL) {
			if (u[j].traits == NULL)
				u[j].traits = json_object_new_object();
			json_object_object_foreach(ev[i].properties, key, val)
				json_object_object_add(u[j].traits, key, json_object_get(val));
		}
	}
	qsort(u, nu, sizeof(u[0]), batch_user_cmp);
	for (j = 0; j < nu; j++) {
		time_format_sql(u[j].first, u[j].first_s);
		time_format_sql(u[j].last, u[j].last_s);
		u[j].traits_s = u[j].traits ?
		    json_object_to_json_string_ext(u[j].traits, JSON_C_TO_STRING_PLAIN) : "{}";
		u[j].email = trait_str(u[j].traits, "email");
		u[j].name = trait_str(u[j].traits, "name");
		u[j].plan = trait_str(u[j].traits, "plan");
		u[j].company = trait_str(u[j].traits, "company");
	}
	return nu;
}

/* Column arrays for the two bulk statements. */
struct batch_cols {
	const char	*tenant[EVENT_MAX_BATCH], *user[EVENT_MAX_BATCH], *name[EVENT_MAX_BATCH];
	const char	*kind[EVENT_MAX_BATCH], *source[EVENT_MAX_BATCH], *props[EVENT_MAX_BATCH];
	const char	*occurred[EVENT_MAX_BATCH], *received[EVENT_MAX_BATCH];
	const char	*dedupe[EVENT_MAX_BATCH];
	long long	 test[EVENT_MAX_BATCH], outbox[EVENT_MAX_BATCH];
	char		 occurred_s[EVENT_MAX_BATCH][20];
	const char	*u_user[EVENT_MAX_BATCH], *u_email[EVENT_MAX_BATCH];
	const char	*u_name[EVENT_MAX_BATCH], *u_plan[EVENT_MAX_BATCH];
	const char	*u_company[EVENT_MAX_BATCH], *u_traits[EVENT_MAX_BATCH];
	const char	*u_first[EVENT_MAX_BATCH], *u_last[EVENT_MAX_BATCH];
	long long	 u_count[EVENT_MAX_BATCH];
};

/* One attempt at the transaction; -2 asks the caller to retry (deadlock). */
static int
event_store_tx(const char *tenant_id, const char *source, int test_mode,
    const struct event_in *ev, size_t n, const struct batch_user *u, size_t nu,
    struct batch_cols *c, const char *nowsql, struct event_result *res)
{
	long long outbox_id, new_users;
	size_t i;
	int rc = EVENT_STORE_ERROR;

	if (db_begin() != 0)
		return EVENT_STORE_ERROR;
	if (db_exec(&ev_outbox, "ssiis", tenant_id, source, (long long)n, (long long)test_mode,
	    nowsql) != 0)
		goto fail;
	outbox_id = (long long)db_insert_id(&ev_outbox);
	db_done(&ev_outbox);
	for (i = 0; i < n; i++)
		c->outbox[i] = outbox_id;
	if (db_exec_bulk(&ev_insert, (unsigned)n, "ssssssssisi", c->tenant, c->user, c->name,
	    c->kind, c->source, c->props, c->occurred, c->received, c->test, c->dedupe,
	    c->outbox) != 0)
		goto fail;
	res->accepted = (long long)db_affected(&ev_insert);
	res->duplicates = (long long)n - res->accepted;
	if (res->accepted == 0) {
		/* Every event was a repeat: nothing to broadcast, no activity. */
		if (db_exec(&ev_outbox_drop, "i", outbox_id) != 0)
			goto fail;
		db_done(&ev_outbox_drop);
		return db_commit() == 0 ? EVENT_STORE_OK : EVENT_STORE_ERROR;
	}
	if (res->duplicates > 0) {
		if (db_exec(&ev_outbox_count, "ii", res->accepted, outbox_id) != 0)
			goto fail;
		db_done(&ev_outbox_count);
	}
	for (i = 0; i < nu; i++) {
		c->u_user[i] = u[i].user_id;
		c->u_email[i] = u[i].email;
		c->u_name[i] = u[i].name;
		c->u_plan[i] = u[i].plan;
		c->u_company[i] = u[i].company;
		c->u_traits[i] = u[i].traits_s;
		c->u_count[i] = u[i].count;
		c->u_first[i] = u[i].first_s;
		c->u_last[i] = u[i].last_s;
	}
	if (db_exec_bulk(&ev_users, (unsigned)nu, "sssssssissss", c->tenant, c->u_user,
	    c->u_email, c->u_name, c->u_plan, c->u_company, c->u_traits, c->u_count, c->u_first,
	    c->u_last, c->received, c->received) != 0)
		goto fail;
	/* Upsert: 1 per inserted row, 2 per updated row (event_count always moves). */
	new_users = 2 * (long long)nu - (long long)db_affected(&ev_users);
	res->new_users = new_users;
	if (new_users > 0) {
		if (db_exec(&ev_track_users, "isi", new_users, tenant_id, new_users) != 0)
			goto fail;
		if (db_affected(&ev_track_users) == 0) {
			db_done(&ev_track_users);
			if (db_exec(&ev_tenant_counts, "s", tenant_id) == 0 &&
			    db_fetch(&ev_tenant_counts) == 1) {
				res->tracked_users = db_col_int(&ev_tenant_counts, 0);
				res->tracked_limit = db_col_int(&ev_tenant_counts, 1);
			}
			db_done(&ev_tenant_counts);
			db_rollback();
			res->accepted = res->duplicates = res->new_users = 0;
			return EVENT_STORE_USER_LIMIT;
		}
		db_done(&ev_track_users);
	}
	if (db_commit() != 0)
		goto fail;
	return EVENT_STORE_OK;
fail:
	if (db_err_retryable(db_errno()))
		rc = -2;
	db_rollback();
	return rc;
}

int
event_store(const char *tenant_id, const char *source, int test_mode,
    const struct event_in *ev, size_t n, int64_t now, struct event_result *res)
{
	struct batch_user users[EVENT_MAX_BATCH];
	struct batch_cols *c;
	char nowsql[20];
	size_t nu = 0, i;
	int rc = EVENT_STORE_ERROR, attempt;

	memset(res, 0, sizeof(*res));
	if (n == 0 || n > EVENT_MAX_BATCH)
		return n == 0 ? EVENT_STORE_OK : EVENT_STORE_ERROR;
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		log_err("event: out of memory");
		return EVENT_STORE_ERROR;
	}
	time_format_sql(now, nowsql);
	for (i = 0; i < n; i++) {
		c->tenant[i] = tenant_id;
		c->user[i] = ev[i].user_id;
		c->name[i] = ev[i].name;
		c->kind[i] = ev[i].kind == EVENT_CUSTOM ? "custom" : "product";
		c->source[i] = source;
		c->props[i] = ev[i].properties ?
		    json_object_to_json_string_ext(ev[i].properties, JSON_C_TO_STRING_PLAIN) : "{}";
		time_format_sql(ev[i].occurred_at, c->occurred_s[i]);
		c->occurred[i] = c->occurred_s[i];
		c->received[i] = nowsql;
		c->test[i] = test_mode ? 1 : 0;
		c->dedupe[i] = ev[i].message_id;
	}
	nu = event_group_users(ev, n, now, users);
	for (attempt = 0; attempt < 5; attempt++) {
		memset(res, 0, sizeof(*res));
		rc = event_store_tx(tenant_id, source, test_mode, ev, n, users, nu, c, nowsql, res);
		if (rc != -2)
			break;
		log_warn("event: batch for tenant %s hit a lock conflict, retrying", tenant_id);
		/* 5-20 ms times the attempt number, jittered. */
		db_backoff(attempt, 5, 16);
	}
	if (rc == -2)
		rc = EVENT_STORE_ERROR;
	for (i = 0; i < nu; i++)
		json_object_put(users[i].traits);
	free(c);
	return rc;
}
