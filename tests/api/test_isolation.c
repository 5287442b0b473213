/*
 * test_isolation.c — isolation, proven over every route there is.
 *
 * The route list comes from the programs themselves (`retivo-*.fcgi
 * --routes`, lib/http.c), so a route added later cannot escape. Tenant A
 * gets one object of every family; then every route that takes an id is
 * called with A's id by tenant B's full key, by a partner key and by a
 * viewer session of B, and must answer 403 or 404 while A's object, read
 * with A's key before and after, stays byte for byte the same. Collection
 * routes read with B's credentials never show one of A's ids.
 *
 * A route with a path parameter and no entry in families[] FAILS by name:
 * add its family there (and an object of it in isolation_objects()).
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "crypto.h"
#include "helpers.h"
#include "session_client.h"
#include "suites.h"

/* The objects tenant A owns, one per family. */
enum obj {
	OBJ_ACTION_TYPE,
	OBJ_ACTION,
	OBJ_USER,
	OBJ_ENDPOINT,
	OBJ_KEY,
	OBJ_PLATFORM,
	OBJ_MEMBER,
	OBJ_INVITATION,
	OBJ_PARTNER_CUSTOMER,
	OBJ_PARTNER_INTEGRATION,
	OBJ_DECISION,
	OBJ_COMMERCE,
	OBJ_ACTIVITY,
	OBJ_PLAYBOOK,
	OBJ_INTERVENTION,
	OBJ_ESCALATION,
	OBJ__MAX
};

/*
 * THE FIXTURE TABLE. One row per family of id routes: the pattern up to
 * and including its first parameter, which of A's objects fills it, and
 * the path A reads to see that object (by_id: followed by "/" and the id;
 * otherwise a list holding it). `catalogue` marks ids
 * that name a shared catalogue entry rather than a tenant's row (platform
 * connectors): B may act on its own connection there, so only "A's object
 * is unchanged" is asserted for B's key. `partner` marks objects a partner
 * owns (seed 002): partner P reads them with its key, and the outsiders
 * are B's key, another partner's key and B's viewer.
 *
 * Other branches add: /api/decisions/:id, /api/interventions/:id,
 * /api/partners/..., /api/commerces/:id, /api/activities/:id — one row and
 * one object each, at merge time.
 */
static const struct family {
	const char	*prefix;
	enum obj	 obj;
	const char	*check;
	int		 by_id;
	int		 catalogue;
	int		 partner;
} families[] = {
	{ "/api/external/action-types/:id", OBJ_ACTION_TYPE, "/api/external/action-types", 1, 0, 0 },
	{ "/api/external/actions/:id", OBJ_ACTION, "/api/external/actions", 1, 0, 0 },
	{ "/api/customers/:user_id", OBJ_USER, "/api/customers", 1, 0, 0 },
	{ "/api/webhooks/endpoints/:id", OBJ_ENDPOINT, "/api/webhooks/endpoints", 1, 0, 0 },
	{ "/api/keys/:id", OBJ_KEY, "/api/keys", 0, 0, 0 },
	{ "/api/external/platforms/:id", OBJ_PLATFORM, "/api/external/platforms", 0, 1, 0 },
	{ "/api/team/members/:id", OBJ_MEMBER, "/api/team/members", 0, 0, 0 },
	{ "/api/team/invitations/:id", OBJ_INVITATION, "/api/team/invitations", 0, 0, 0 },
	{ "/api/partners/customers/:id", OBJ_PARTNER_CUSTOMER, "/api/partners/customers", 1, 0, 1 },
	{ "/api/partners/integrations/:id", OBJ_PARTNER_INTEGRATION, "/api/partners/integrations", 0, 0, 1 },
	{ "/api/decisions/:id", OBJ_DECISION, "/api/decisions", 1, 0, 0 },
	{ "/api/commerces/:id", OBJ_COMMERCE, "/api/commerces", 1, 0, 0 },
	{ "/api/activities/:id", OBJ_ACTIVITY, "/api/activities", 1, 0, 0 },
	{ "/api/playbooks/:id", OBJ_PLAYBOOK, "/api/playbooks", 1, 0, 0 },
	{ "/api/interventions/:id", OBJ_INTERVENTION, "/api/interventions", 1, 0, 0 },
	{ "/api/escalations/:id", OBJ_ESCALATION, "/api/escalations", 1, 0, 0 },
};

/*
 * Bodies that pass a route's validation, so that the answer shows the
 * ownership check rather than a 400 (routes not listed get "{}").
 * "{CUSTOMER}" stands for partner P's customer tenant id.
 */
static const struct {
	const char *route, *body;
} route_bodies[] = {
	{ "POST /api/external/actions/:id/outcome", "{\"status\":\"completed\"}" },
	{ "PUT /api/team/members/:id/role", "{\"role\":\"admin\"}" },
	{ "POST /api/external/platforms/:id/connect", "{\"credentials\":{\"api_key\":\"b\"}}" },
	{ "POST /api/activities/:id/result", "{\"result\":\"completed\"}" },
	{ "PUT /api/commerces/:id", "{\"name\":\"x\"}" },
	{ "PATCH /api/commerces/:id", "{\"name\":\"x\"}" },
	{ "PUT /api/interventions/:id/reject", "{\"reason\":\"x\"}" },
	{ "PUT /api/interventions/:id/flag", "{\"reason\":\"x\"}" },
	{ "PUT /api/escalations/:id/handle", "{\"action_taken\":\"x\"}" },
	{ "PUT /api/escalations/:id/delegate", "{\"to\":\"a@example.com\"}" },
	{ "POST /api/decisions/:id/outcome", "{\"status\":\"completed\"}" },
	{ "POST /api/partners/integrations/:id/share", "{\"customer_tenant_id\":\"{CUSTOMER}\"}" },
};

#define NFAMILIES (sizeof(families) / sizeof(families[0]))
#define MAX_ROUTES 256

struct route {
	char method[8];
	char pattern[200];
	char scopes[96];
};

struct world {
	struct fixture a, b, p, p2;
	char partner_key[64];	/* P's: owns the partner objects */
	char partner2_key[64];	/* another partner's: an outsider */
	struct session viewer;	/* a viewer of tenant B */
	char ids[OBJ__MAX][128];
};

/* Reads every program's routes into out; returns how many, -1 on error. */
static int
isolation_routes(struct route *out, int max, int *programs)
{
	const char *admin = getenv("RETIVO_ADMIN"), *libexec = getenv("RETIVO_LIBEXEC");
	char dir[1024], cmd[1400], line[512], *slash;
	struct dirent *de;
	DIR *d;
	FILE *p;
	int n = 0;

	*programs = 0;
	/* The programs of the build under test: $RETIVO_ADMIN is <build>/jobs/retivo-admin. */
	snprintf(dir, sizeof(dir), "%s", admin ? admin : "");
	if ((slash = strrchr(dir, '/')) != NULL) {
		*slash = '\0';
		if ((slash = strrchr(dir, '/')) != NULL)
			snprintf(slash, sizeof(dir) - (size_t)(slash - dir), "/fcgi");
	}
	if ((d = opendir(dir)) == NULL && libexec != NULL) {
		snprintf(dir, sizeof(dir), "%s", libexec);
		d = opendir(dir);
	}
	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);

		if (strncmp(de->d_name, "retivo-", 7) != 0 || len < 12 ||
		    strcmp(de->d_name + len - 5, ".fcgi") != 0)
			continue;
		snprintf(cmd, sizeof(cmd), "%s/%s --routes", dir, de->d_name);
		if ((p = popen(cmd, "r")) == NULL)
			continue;
		(*programs)++;
		while (n < max && fgets(line, sizeof(line), p) != NULL)
			if (sscanf(line, "%7s %199s %95s", out[n].method, out[n].pattern,
			    out[n].scopes) == 3)
				n++;
		if (pclose(p) != 0)
			ok(0, "isolation: %s --routes exits 0", de->d_name);
	}
	closedir(d);
	return n;
}

static const struct family *
isolation_family(const char *pattern)
{
	const struct family *best = NULL;
	size_t i;

	for (i = 0; i < NFAMILIES; i++)
		if (strncmp(pattern, families[i].prefix, strlen(families[i].prefix)) == 0 &&
		    (pattern[strlen(families[i].prefix)] == '\0' ||
		    pattern[strlen(families[i].prefix)] == '/') &&
		    (best == NULL || strlen(families[i].prefix) > strlen(best->prefix)))
			best = &families[i];
	return best;
}

/* The pattern with every ":param" replaced by id. */
static void
isolation_path(const char *pattern, const char *id, char *out, size_t len)
{
	const char *p = pattern;
	size_t used = 0;
	int n;

	out[0] = '\0';
	while (*p != '\0' && used + 1 < len) {
		if (*p == ':' && (p == pattern || p[-1] == '/')) {
			n = snprintf(out + used, len - used, "%s", id);
			used += n > 0 ? (size_t)n : 0;
			while (*p != '\0' && *p != '/')
				p++;
		} else {
			out[used++] = *p++;
			out[used] = '\0';
		}
	}
}

/*
 * The JSON text of the first object in r carrying id (as "id",
 * "user_id" or, for a partner's customer, "tenant_id"), searched depth first; "" when none. Comparing that, not the
 * whole body, keeps fields of other objects (a key's last_used_at) out.
 */
static void
isolation_find(struct json_object *o, const char *id, char *out, size_t len)
{
	struct json_object *v;
	size_t i;

	if (o == NULL || out[0] != '\0')
		return;
	if (json_object_is_type(o, json_type_array)) {
		for (i = 0; i < json_object_array_length(o) && out[0] == '\0'; i++)
			isolation_find(json_object_array_get_idx(o, i), id, out, len);
		return;
	}
	if (!json_object_is_type(o, json_type_object))
		return;
	if ((json_object_object_get_ex(o, "id", &v) || json_object_object_get_ex(o, "user_id", &v) ||
	    json_object_object_get_ex(o, "tenant_id", &v)) &&
	    json_object_is_type(v, json_type_string) && strcmp(json_object_get_string(v), id) == 0) {
		snprintf(out, len, "%s", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
		return;
	}
	json_object_object_foreach(o, k, child) {
		(void)k;
		isolation_find(child, id, out, len);
	}
}

/* A's view of its object of family f into out. */
static void
isolation_snapshot(const struct world *w, const struct family *f, char *out, size_t len)
{
	struct resp r;
	char path[512];

	out[0] = '\0';
	if (f->by_id)
		snprintf(path, sizeof(path), "%s/%s", f->check, w->ids[f->obj]);
	else
		snprintf(path, sizeof(path), "%s", f->check);
	api(&r, "GET", path, f->partner ? w->partner_key : w->a.key, NULL);
	if (r.status == 200)
		isolation_find(r.json, w->ids[f->obj], out, len);
	resp_free(&r);
}

/* Creates one object of every family in tenant A. */
static int
isolation_objects(struct world *w)
{
	struct resp r;
	struct session m;
	char rnd[13];
	int bad = 0;

	crypto_random_hex(rnd, 6);
	api(&r, "POST", "/api/external/action-types", w->a.key,
	    "{\"name\":\"iso_%s\",\"description\":\"d\",\"provider\":\"iso\",\"parameters_schema\":"
	    "{\"type\":\"object\"},\"delivery_webhook\":\"http://127.0.0.1:9/iso\"}", rnd);
	snprintf(w->ids[OBJ_ACTION_TYPE], 128, "%s", nz(jstr(&r, "action_type.id")));
	bad |= r.status != 201;
	resp_free(&r);
	snprintf(w->ids[OBJ_USER], 128, "iso-user-%s", rnd);
	api(&r, "POST", "/api/events", w->a.key, "{\"user_id\":\"%s\",\"event\":\"$identify\","
	    "\"properties\":{\"email\":\"%s@example.com\"}}", w->ids[OBJ_USER], w->ids[OBJ_USER]);
	bad |= r.status >= 300;
	resp_free(&r);
	api(&r, "POST", "/api/external/actions", w->a.key,
	    "{\"action_type\":\"iso_%s\",\"user_id\":\"%s\",\"parameters\":{}}", rnd, w->ids[OBJ_USER]);
	snprintf(w->ids[OBJ_ACTION], 128, "%s", nz(jstr(&r, "action.id")));
	bad |= r.status != 201;
	resp_free(&r);
	api(&r, "POST", "/api/decisions/recommend", w->a.key,
	    "{\"user_id\":\"%s\",\"available_actions\":[\"iso_%s\"]}", w->ids[OBJ_USER], rnd);
	snprintf(w->ids[OBJ_DECISION], 128, "%s", nz(jstr(&r, "decision_id")));
	bad |= r.status != 200 || w->ids[OBJ_DECISION][0] == '\0';
	resp_free(&r);
	api(&r, "POST", "/api/webhooks/endpoints", w->a.key,
	    "{\"url\":\"http://127.0.0.1:9/iso-ep\",\"subscribed_events\":[\"*\"]}");
	snprintf(w->ids[OBJ_ENDPOINT], 128, "%s", jstr(&r, "endpoint.id") ? jstr(&r, "endpoint.id") :
	    nz(jstr(&r, "id")));
	bad |= r.status != 201;
	resp_free(&r);
	api(&r, "POST", "/api/keys", w->a.key, "{\"label\":\"iso\",\"mode\":\"live\",\"scopes\":[\"read\"]}");
	snprintf(w->ids[OBJ_KEY], 128, "%s", nz(jstr(&r, "key.id")));
	bad |= r.status != 201;
	resp_free(&r);
	snprintf(w->ids[OBJ_PLATFORM], 128, "smile-io");
	api(&r, "POST", "/api/external/platforms/smile-io/connect", w->a.key,
	    "{\"credentials\":{\"api_key\":\"iso-secret\"}}");
	bad |= r.status >= 300;
	resp_free(&r);
	bad |= fixture_member(&m, w->a.tenant_id, "editor") != 0;
	snprintf(w->ids[OBJ_MEMBER], 128, "%s", m.member_id);
	api(&r, "POST", "/api/playbooks", w->a.key, "{\"name\":\"iso\",\"lifecycle_area\":\"upsell\"}");
	snprintf(w->ids[OBJ_PLAYBOOK], 128, "%s", nz(jstr(&r, "playbook.id")));
	bad |= r.status != 201;
	resp_free(&r);
	api(&r, "POST", "/api/interventions", w->a.key, "{\"user_id\":\"%s\"}", w->ids[OBJ_USER]);
	snprintf(w->ids[OBJ_INTERVENTION], 128, "%s", nz(jstr(&r, "id")));
	bad |= r.status != 201;
	resp_free(&r);
	api(&r, "POST", "/api/escalations", w->a.key,
	    "{\"user_id\":\"%s\",\"severity\":\"low\",\"reason\":\"r\"}", w->ids[OBJ_USER]);
	snprintf(w->ids[OBJ_ESCALATION], 128, "%s", nz(jstr(&r, "escalation.id")));
	bad |= r.status != 201;
	resp_free(&r);
	api(&r, "POST", "/api/commerces", w->a.key, "{\"name\":\"Iso %s\"}", rnd);
	snprintf(w->ids[OBJ_COMMERCE], 128, "%s", nz(jstr(&r, "commerce.id")));
	bad |= r.status != 201;
	resp_free(&r);
	api(&r, "POST", "/api/activities", w->a.key, "{\"type\":\"TASK\",\"reason\":\"iso\","
	    "\"channel\":\"SALESMAN\",\"commerce_id\":\"%s\",\"idempotency_key\":\"iso-%s\","
	    "\"scheduled_at\":\"2030-01-01T09:00:00Z\"}", w->ids[OBJ_COMMERCE], rnd);
	snprintf(w->ids[OBJ_ACTIVITY], 128, "%s", nz(jstr(&r, "id")));
	bad |= r.status != 201;
	resp_free(&r);
	api(&r, "POST", "/api/partners/customers", w->partner_key,
	    "{\"name\":\"Iso %s\",\"slug\":\"iso-%s\"}", rnd, rnd);
	snprintf(w->ids[OBJ_PARTNER_CUSTOMER], 128, "%s",
	    nz(jstr(&r, "customer.tenant_id")));
	bad |= r.status != 201;
	resp_free(&r);
	api(&r, "POST", "/api/partners/integrations", w->partner_key,
	    "{\"provider\":\"iso-%s\",\"display_name\":\"Iso\"}", rnd);
	snprintf(w->ids[OBJ_PARTNER_INTEGRATION], 128, "%s",
	    nz(jstr(&r, "integration.id")));
	bad |= r.status != 201;
	resp_free(&r);
	api(&r, "POST", "/api/team/invite", w->a.key, "{\"email\":\"iso-%s@example.com\",\"role\":\"viewer\"}", rnd);
	snprintf(w->ids[OBJ_INVITATION], 128, "%s", nz(jstr(&r, "invitation.id")));
	bad |= r.status != 201;
	resp_free(&r);
	return bad ? -1 : 0;
}

/* 1 when body names any of A's objects. */
static int
isolation_leaks(const struct world *w, const char *body, const char **which)
{
	size_t i;

	for (i = 0; i < OBJ__MAX; i++) {
		if (i == OBJ_PLATFORM || w->ids[i][0] == '\0')	/* catalogue ids are public */
			continue;
		if (strstr(body, w->ids[i]) != NULL) {
			*which = w->ids[i];
			return 1;
		}
	}
	return 0;
}

/* Calls one id route with A's id as the three outsiders. */
static void
isolation_id_route(const struct world *w, const struct route *rt, const struct family *f)
{
	struct resp r;
	char path[512], before[8192], after[8192], auth[128], bodybuf[512];
	const char *mark, *body = strcmp(rt->method, "GET") == 0 || strcmp(rt->method, "DELETE") == 0 ?
	    NULL : "{}";
	const char *who[3] = { "tenant B's full key", "another partner's key", "B's viewer session" };
	char key[256];
	size_t j;
	int i, refused;

	snprintf(key, sizeof(key), "%s %s", rt->method, rt->pattern);
	for (j = 0; body != NULL && j < sizeof(route_bodies) / sizeof(route_bodies[0]); j++)
		if (strcmp(route_bodies[j].route, key) == 0)
			body = route_bodies[j].body;
	if (body != NULL && (mark = strstr(body, "{CUSTOMER}")) != NULL) {
		snprintf(bodybuf, sizeof(bodybuf), "%.*s%s%s", (int)(mark - body), body,
		    w->ids[OBJ_PARTNER_CUSTOMER], mark + strlen("{CUSTOMER}"));
		body = bodybuf;
	}
	isolation_path(rt->pattern, w->ids[f->obj], path, sizeof(path));
	isolation_snapshot(w, f, before, sizeof(before));
	if (!ok(before[0] != '\0', "%s %s: A reads its object first", rt->method, rt->pattern))
		return;
	for (i = 0; i < 3; i++) {
		if (i == 2)
			api_session(&r, rt->method, path, &w->viewer, w->viewer.csrf, NULL,
			    body ? "%s" : NULL, body);
		else {
			snprintf(auth, sizeof(auth), "Authorization: Bearer %s",
			    i == 0 ? w->b.key : w->partner2_key);
			api_session(&r, rt->method, path, NULL, NULL, auth, body ? "%s" : NULL, body);
		}
		refused = r.status == 403 || r.status == 404;
		if (f->catalogue && i == 0)
			ok(r.status < 500, "%s %s as %s: B's own catalogue entry (%ld)", rt->method, path,
			    who[i], r.status);
		else
			ok(refused && is_error(&r, r.status, NULL), "%s %s as %s: 403/404 (%ld %.200s)",
			    rt->method, path, who[i], r.status, r.body);
		resp_free(&r);
	}
	isolation_snapshot(w, f, after, sizeof(after));
	ok(strcmp(before, after) == 0, "%s %s: A's object unchanged", rt->method, rt->pattern);
}

/* Reads a collection route as the outsiders; none may show A's ids. */
static void
isolation_collection(const struct world *w, const struct route *rt)
{
	struct resp r;
	char auth[128];
	const char *which = NULL;
	int i;

	for (i = 0; i < 3; i++) {
		if (i == 2)
			api_session(&r, "GET", rt->pattern, &w->viewer, NULL, NULL, NULL);
		else {
			snprintf(auth, sizeof(auth), "Authorization: Bearer %s",
			    i == 0 ? w->b.key : w->partner2_key);
			api_session(&r, "GET", rt->pattern, NULL, NULL, auth, NULL);
		}
		ok(r.status < 500 && !isolation_leaks(w, r.body ? r.body : "", &which),
		    "GET %s as %s: none of A's ids (%ld%s%s)", rt->pattern,
		    i == 0 ? "B's key" : i == 1 ? "another partner's key" : "B's viewer", r.status,
		    which ? ", leaked " : "", which ? which : "");
		resp_free(&r);
	}
}

void
suite_isolation(void)
{
	static struct route routes[MAX_ROUTES];
	struct world w;
	const struct family *f;
	int n, i, programs, id_routes = 0, collections = 0;

	memset(&w, 0, sizeof(w));
	if (!ok(fixture_tenant(&w.a, "growth", "standalone") == 0 &&
	    fixture_tenant(&w.b, "growth", "standalone") == 0 &&
	    fixture_tenant(&w.p, "growth", "partner") == 0 &&
	    fixture_key(w.p.tenant_id, "live", "partner", w.partner_key, sizeof(w.partner_key)) == 0 &&
	    fixture_tenant(&w.p2, "growth", "partner") == 0 &&
	    fixture_key(w.p2.tenant_id, "live", "partner", w.partner2_key, sizeof(w.partner2_key)) == 0 &&
	    fixture_member(&w.viewer, w.b.tenant_id, "viewer") == 0, "isolation: tenants A, B, partner, B's viewer"))
		return;
	if (!ok(isolation_objects(&w) == 0, "isolation: one object of every family in A"))
		return;
	n = isolation_routes(routes, MAX_ROUTES, &programs);
	if (!ok(n > 30 && programs >= 10, "isolation: routes read from the programs (%d from %d)", n, programs))
		return;
	for (i = 0; i < n; i++) {
		if (strchr(routes[i].pattern, ':') != NULL) {
			if ((f = isolation_family(routes[i].pattern)) == NULL) {
				ok(0, "%s %s: no fixture for this route: add its family to families[] in "
				    "tests/api/test_isolation.c", routes[i].method, routes[i].pattern);
				continue;
			}
			isolation_id_route(&w, &routes[i], f);
			id_routes++;
		} else if (strcmp(routes[i].method, "GET") == 0 &&
		    strcmp(routes[i].scopes, "none") != 0) {
			isolation_collection(&w, &routes[i]);
			collections++;
		}
	}
	diag("isolation: %d id routes and %d collection routes of %d programs", id_routes, collections,
	    programs);
	/* Leave nothing for a dispatcher run to send. */
	sql_query(NULL, 0, "UPDATE deliveries SET state = 'failed', last_error = 'test cleanup' "
	    "WHERE tenant_id = '%s' AND state = 'pending'", w.a.tenant_id);
}
