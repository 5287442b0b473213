/*
 * broadcast.c — draining event_outbox into deliveries (broadcast.h).
 *
 * One transaction per call. It runs at READ COMMITTED: at the default
 * REPEATABLE READ, "SELECT … ORDER BY id LIMIT n FOR UPDATE" on a short
 * outbox also locks the gap after its last row, and every event ingestion
 * (which appends an outbox row) would wait for the broadcast to commit.
 * SKIP LOCKED (MariaDB 10.6) lets several job hosts drain side by side:
 * each takes rows the others do not hold, and rows of a batch still being
 * ingested are locked by that batch's transaction, so they wait for the
 * next run rather than being read half-written.
 *
 * Claimed rows are processed grouped by tenant, so a tenant's endpoints
 * (their URLs, sealed secrets and parsed patterns) are read once per call.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broadcast.h"
#include "db.h"
#include "delivery.h"
#include "endpoint.h"
#include "jsonout.h"
#include "log.h"
#include "timeutil.h"

#define BROADCAST_MAX_LIMIT	1000

static struct db_stmt bc_read_committed = DB_STMT(
    "SET TRANSACTION ISOLATION LEVEL READ COMMITTED");

static struct db_stmt bc_claim = DB_STMT(
    "SELECT id, tenant_id, test_mode FROM event_outbox ORDER BY id LIMIT ? "
    "FOR UPDATE SKIP LOCKED");

static struct db_stmt bc_endpoints = DB_STMT(
    "SELECT id, seq, url, subscribed_events, secret_enc FROM webhook_endpoints "
    "WHERE tenant_id = ? AND active = 1 ORDER BY seq");

static struct db_stmt bc_events = DB_STMT(
    "SELECT id, user_id, name, properties, occurred_at FROM events "
    "WHERE tenant_id = ? AND outbox_id = ? AND kind = 'custom' ORDER BY id");

static struct db_stmt bc_delete = DB_STMT("DELETE FROM event_outbox WHERE id = ?");

struct bc_row {
	long long	id;
	char		tenant_id[40];
	int		test_mode;
};

struct bc_endpoint {
	char			 id[48];
	long long		 seq;
	char			*url;
	char			*secret;
	struct json_object	*patterns;
};

/* The endpoints of one tenant, reloaded when the tenant changes. */
struct bc_tenant {
	char			 tenant_id[40];
	struct bc_endpoint	*ep;
	size_t			 n;
};

static int
bc_row_cmp(const void *a, const void *b)
{
	const struct bc_row *x = a, *y = b;
	int c = strcmp(x->tenant_id, y->tenant_id);

	if (c != 0)
		return c;
	return x->id < y->id ? -1 : x->id > y->id;
}

static void
bc_tenant_clear(struct bc_tenant *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		free(t->ep[i].url);
		free(t->ep[i].secret);
		json_object_put(t->ep[i].patterns);
	}
	free(t->ep);
	memset(t, 0, sizeof(*t));
}

/* Loads the tenant's active endpoints into t. Returns 0 or -1. */
static int
bc_tenant_load(struct bc_tenant *t, const char *tenant_id)
{
	struct db_stmt *s = &bc_endpoints;
	struct bc_endpoint *ep, *grown;
	size_t cap = 0;
	int rc = -1;

	bc_tenant_clear(t);
	snprintf(t->tenant_id, sizeof(t->tenant_id), "%s", tenant_id);
	if (db_exec(s, "s", tenant_id) != 0)
		return -1;
	while (db_fetch(s) == 1) {
		if (t->n == cap) {
			cap = cap ? cap * 2 : 8;
			if ((grown = realloc(t->ep, cap * sizeof(*grown))) == NULL)
				goto out;
			t->ep = grown;
		}
		ep = &t->ep[t->n];
		memset(ep, 0, sizeof(*ep));
		snprintf(ep->id, sizeof(ep->id), "%s", db_col(s, 0));
		ep->seq = db_col_int(s, 1);
		ep->url = strdup(db_col(s, 2));
		ep->patterns = json_tokener_parse(db_col(s, 3));
		ep->secret = strdup(db_col(s, 4));
		t->n++;
		if (ep->url == NULL || ep->secret == NULL)
			goto out;
		if (ep->patterns == NULL)
			log_err("broadcast: endpoint %s: stored subscribed_events do not parse",
			    ep->id);
	}
	rc = 0;
out:
	if (rc != 0)
		log_err("broadcast: out of memory loading endpoints");
	db_done(s);
	return rc;
}

/* The exact body of one broadcast delivery (new string, caller frees). */
static char *
bc_body(const struct bc_row *row, const struct db_stmt *ev)
{
	struct json_object *o = json_object_new_object(), *data;
	char event_id[32], iso[TIME_ISO8601_SIZE];
	char *text;

	snprintf(event_id, sizeof(event_id), "evt_%lld", db_col_int(ev, 0));
	if ((data = json_tokener_parse(db_col(ev, 3))) == NULL) {
		log_err("broadcast: event %s: stored data does not parse", event_id);
		data = json_object_new_object();
	}
	if (jo_iso_from_sql(db_col(ev, 4), iso) != 0)
		iso[0] = '\0';
	jo_str(o, "type", db_col(ev, 2));
	jo_str(o, "event_id", event_id);
	jo_str(o, "user_id", db_col(ev, 1));
	json_object_object_add(o, "data", data);
	jo_str(o, "timestamp", iso);
	jo_str(o, "tenant_id", row->tenant_id);
	jo_bool(o, "test_mode", row->test_mode);
	text = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return text;
}

/* Queues the deliveries of one outbox row. Returns how many, or -1. */
static long long
bc_fan_out(const struct bc_row *row, const struct bc_tenant *t, int64_t now)
{
	struct db_stmt *s = &bc_events;
	char msg_id[48], *body;
	long long queued = 0;
	size_t i;
	int rc;

	if (db_exec(s, "si", row->tenant_id, row->id) != 0)
		return -1;
	while ((rc = db_fetch(s)) == 1) {
		body = NULL;
		for (i = 0; i < t->n; i++) {
			if (!endpoint_subscribed(t->ep[i].patterns, db_col(s, 2)))
				continue;
			if (body == NULL && (body = bc_body(row, s)) == NULL) {
				log_err("broadcast: out of memory");
				goto fail;
			}
			snprintf(msg_id, sizeof(msg_id), "msg_%llx_%llx",
			    (unsigned long long)db_col_int(s, 0), (unsigned long long)t->ep[i].seq);
			if (delivery_enqueue(row->tenant_id, "event", NULL, t->ep[i].id, msg_id,
			    t->ep[i].url, t->ep[i].secret, body, now, now) != 0)
				goto fail;
			queued++;
		}
		free(body);
	}
	db_done(s);
	return rc == 0 ? queued : -1;
fail:
	free(body);
	db_done(s);
	return -1;
}

int
broadcast_drain(int64_t now, int limit)
{
	struct bc_row *rows = NULL;
	struct bc_tenant t;
	long long *ids = NULL, queued = 0, n;
	size_t nrows = 0, i;
	int rc = -1, in_tx = 0;

	memset(&t, 0, sizeof(t));
	if (limit <= 0)
		return 0;
	if (limit > BROADCAST_MAX_LIMIT)
		limit = BROADCAST_MAX_LIMIT;
	if ((rows = calloc((size_t)limit, sizeof(*rows))) == NULL ||
	    (ids = calloc((size_t)limit, sizeof(*ids))) == NULL) {
		log_err("broadcast: out of memory");
		goto out;
	}
	if (db_exec(&bc_read_committed, "") != 0)
		goto out;
	db_done(&bc_read_committed);
	if (db_begin() != 0)
		goto out;
	in_tx = 1;
	if (db_exec(&bc_claim, "i", (long long)limit) != 0)
		goto out;
	while (nrows < (size_t)limit && db_fetch(&bc_claim) == 1) {
		rows[nrows].id = db_col_int(&bc_claim, 0);
		snprintf(rows[nrows].tenant_id, sizeof(rows[nrows].tenant_id), "%s",
		    db_col(&bc_claim, 1));
		rows[nrows].test_mode = (int)db_col_int(&bc_claim, 2);
		ids[nrows] = rows[nrows].id;
		nrows++;
	}
	db_done(&bc_claim);
	qsort(rows, nrows, sizeof(*rows), bc_row_cmp);
	for (i = 0; i < nrows; i++) {
		if (strcmp(t.tenant_id, rows[i].tenant_id) != 0 &&
		    bc_tenant_load(&t, rows[i].tenant_id) != 0)
			goto out;
		if (t.n == 0)
			continue;	/* nobody listens: the row is only deleted */
		if ((n = bc_fan_out(&rows[i], &t, now)) < 0)
			goto out;
		queued += n;
	}
	if (nrows > 0 && db_exec_bulk(&bc_delete, (unsigned)nrows, "i", ids) != 0)
		goto out;
	db_done(&bc_delete);
	in_tx = 0;
	if (db_commit() != 0)
		goto out;
	if (nrows > 0)
		log_info("broadcast: %zu outbox rows, %lld deliveries queued", nrows, queued);
	rc = queued > 0x7fffffff ? 0x7fffffff : (int)queued;
out:
	if (in_tx)
		db_rollback();
	bc_tenant_clear(&t);
	free(ids);
	free(rows);
	return rc;
}
