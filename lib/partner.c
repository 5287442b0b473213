/*
 * partner.c — the pure rules of the Partner API (reading an integration
 * body, event mapping names, renaming events) and the one query ingestion
 * makes for customer tenants. The partner's tables are in partner_store.c.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actiontype.h"
#include "db.h"
#include "event.h"
#include "jsonin.h"
#include "jsonschema.h"
#include "log.h"
#include "partner.h"
#include "url.h"

int
partner_mapping_name_valid(const char *name)
{
	if (!event_name_valid(name))
		return 0;
	if (strcmp(name, "$identify") == 0 || strncmp(name, "custom.", 7) == 0)
		return 0;
	return 1;
}

/* Carries the first failure of a nested reader up to the body's reader. */
static void
partner_adopt(struct in *v, const struct in *sub)
{
	if (v->failed || !sub->failed)
		return;
	v->failed = 1;
	memcpy(v->field, sub->field, sizeof(v->field));
	memcpy(v->code, sub->code, sizeof(v->code));
	memcpy(v->msg, sub->msg, sizeof(v->msg));
}

static const char *const template_fields[] = { "name", "description", "parameters_schema",
	"delivery_webhook", "estimated_cost_usd", NULL };

/* Reads template i (an element of action_type_templates) into t. */
static void
partner_template_read(struct in *v, struct json_object *item, size_t i,
    struct partner_template *t)
{
	struct json_object *schema;
	struct in sub;
	char prefix[64], err[256];

	snprintf(prefix, sizeof(prefix), "action_type_templates[%zu].", i);
	in_init(&sub, item, prefix);
	if (!json_object_is_type(item, json_type_object)) {
		prefix[strlen(prefix) - 1] = '\0';
		in_init(&sub, NULL, "");
		in_fail(&sub, prefix, "invalid_field", "must be an object");
		partner_adopt(v, &sub);
		return;
	}
	in_only(&sub, template_fields);
	t->name = in_str(&sub, "name", IN_REQUIRED, 1, 64);
	if (t->name != NULL && !actiontype_name_valid(t->name))
		in_fail(&sub, "name", "invalid_field",
		    "must be snake_case (lowercase letters, digits and single underscores, "
		    "starting with a letter), e.g. grant_points");
	t->description = in_str(&sub, "description", IN_REQUIRED, 1, 2000);
	schema = in_obj(&sub, "parameters_schema", IN_REQUIRED);
	if (schema != NULL && jsonschema_check(schema, err, sizeof(err)) != 0)
		in_fail(&sub, "parameters_schema", "invalid_field", "is not a valid JSON Schema: %s",
		    err);
	t->delivery_webhook = in_str(&sub, "delivery_webhook", IN_REQUIRED, 1, 2048);
	if (t->delivery_webhook != NULL && !url_http_valid(t->delivery_webhook, err, sizeof(err)))
		in_fail(&sub, "delivery_webhook", "invalid_field", "%s", err);
	t->estimated_cost_usd = in_str(&sub, "estimated_cost_usd", IN_NULLABLE, 1, 20);
	if (t->estimated_cost_usd != NULL && !actiontype_cost_valid(t->estimated_cost_usd))
		in_fail(&sub, "estimated_cost_usd", "invalid_field",
		    "must be a decimal string such as \"0.05\"");
	if (!sub.failed)
		t->parameters_schema = json_object_to_json_string_ext(schema,
		    JSON_C_TO_STRING_PLAIN);
	partner_adopt(v, &sub);
}

static const char *const mapping_fields[] = { "from", "to", NULL };

static void
partner_mapping_read(struct in *v, struct json_object *item, size_t i,
    struct partner_mapping *m)
{
	struct in sub;
	char prefix[64];
	const char *why = "must be a product event name (not $identify, not a custom. type, "
	    "no control characters)";

	snprintf(prefix, sizeof(prefix), "event_mappings[%zu].", i);
	in_init(&sub, item, prefix);
	if (!json_object_is_type(item, json_type_object)) {
		prefix[strlen(prefix) - 1] = '\0';
		in_init(&sub, NULL, "");
		in_fail(&sub, prefix, "invalid_field",
		    "must be an object {\"from\": \"order_completed\", \"to\": \"purchase\"}");
		partner_adopt(v, &sub);
		return;
	}
	in_only(&sub, mapping_fields);
	m->from = in_str(&sub, "from", IN_REQUIRED, 1, 200);
	if (m->from != NULL && !partner_mapping_name_valid(m->from))
		in_fail(&sub, "from", "invalid_field", "%s", why);
	m->to = in_str(&sub, "to", IN_REQUIRED, 1, 200);
	if (m->to != NULL && !partner_mapping_name_valid(m->to))
		in_fail(&sub, "to", "invalid_field", "%s", why);
	if (!sub.failed && strcmp(m->from, m->to) == 0)
		in_fail(&sub, "to", "invalid_field", "must differ from \"from\"");
	partner_adopt(v, &sub);
}

static const char *const integration_fields[] = { "provider", "display_name", "domain",
	"active", "action_type_templates", "event_mappings", NULL };

int
partner_integration_read(struct in *v, struct partner_integration *pi)
{
	struct json_object *templates, *mappings;
	char field[64];
	size_t i, j;

	memset(pi, 0, sizeof(*pi));
	in_only(v, integration_fields);
	pi->provider = in_str(v, "provider", IN_REQUIRED, 1, 100);
	if (pi->provider != NULL && !actiontype_provider_valid(pi->provider))
		in_fail(v, "provider", "invalid_field",
		    "must be letters, digits, '-', '_' or '.', e.g. acme-loyalty");
	pi->display_name = in_str(v, "display_name", IN_REQUIRED, 1, 200);
	pi->domain = in_str(v, "domain", IN_NULLABLE, 1, 100);
	pi->active = in_bool(v, "active", IN_NULLABLE, 1);
	templates = in_arr(v, "action_type_templates", IN_NULLABLE, 0, PARTNER_MAX_TEMPLATES);
	mappings = in_arr(v, "event_mappings", IN_NULLABLE, 0, PARTNER_MAX_MAPPINGS);
	if (v->failed)
		return -1;
	pi->ntemplates = templates ? json_object_array_length(templates) : 0;
	for (i = 0; i < pi->ntemplates && !v->failed; i++) {
		partner_template_read(v, json_object_array_get_idx(templates, i), i,
		    &pi->templates[i]);
		for (j = 0; j < i && !v->failed; j++)
			if (strcmp(pi->templates[j].name, pi->templates[i].name) == 0) {
				snprintf(field, sizeof(field), "action_type_templates[%zu].name", i);
				in_fail(v, field, "invalid_field",
				    "repeats the name of action_type_templates[%zu]", j);
			}
	}
	pi->nmappings = mappings ? json_object_array_length(mappings) : 0;
	for (i = 0; i < pi->nmappings && !v->failed; i++) {
		partner_mapping_read(v, json_object_array_get_idx(mappings, i), i,
		    &pi->mappings[i]);
		for (j = 0; j < i && !v->failed; j++)
			if (strcmp(pi->mappings[j].from, pi->mappings[i].from) == 0) {
				snprintf(field, sizeof(field), "event_mappings[%zu].from", i);
				in_fail(v, field, "invalid_field",
				    "maps the same event as event_mappings[%zu]", j);
			}
	}
	return v->failed ? -1 : 0;
}

size_t
partner_mappings_apply(const struct partner_mapping *m, size_t nm, struct event_in *ev,
    size_t n)
{
	size_t i, j, renamed = 0;

	for (i = 0; i < n; i++) {
		if (ev[i].kind != EVENT_PRODUCT)
			continue;
		for (j = 0; j < nm; j++)
			if (strcmp(ev[i].name, m[j].from) == 0) {
				ev[i].name = m[j].to;
				renamed++;
				break;
			}
	}
	return renamed;
}

/* Share order, then the integration's own order: the first `from` wins. */
static struct db_stmt pm_load = DB_STMT(
    "SELECT m.from_name, m.to_name FROM partner_shares s "
    "JOIN partner_event_mappings m ON m.integration_id = s.integration_id "
    "WHERE s.customer_tenant_id = ? ORDER BY s.seq, m.position");

int
partner_mapset_load(const char *customer_tenant_id, struct partner_mapset *ms)
{
	struct db_stmt *s = &pm_load;
	size_t cap = 0, used = 0, len, have = 0, i, off;
	char *buf = NULL, *nb;
	struct partner_mapping *m = NULL, *nm;
	size_t *offs = NULL, *no;
	int rc = -1, f;

	memset(ms, 0, sizeof(*ms));
	if (db_exec(s, "s", customer_tenant_id) != 0)
		return -1;
	/* Strings go into one buffer as offsets first: it may move as it grows. */
	while ((f = db_fetch(s)) == 1) {
		for (i = 0; i < 2; i++) {
			len = strlen(db_col(s, i)) + 1;
			if (used + len > cap) {
				cap = (used + len) * 2 + 256;
				if ((nb = realloc(buf, cap)) == NULL)
					goto oom;
				buf = nb;
			}
			memcpy(buf + used, db_col(s, i), len);
			if ((no = realloc(offs, (have + 1) * sizeof(*offs))) == NULL)
				goto oom;
			offs = no;
			offs[have++] = used;
			used += len;
		}
	}
	if (f < 0)
		goto out;
	if (have > 0) {
		if ((nm = calloc(have / 2, sizeof(*nm))) == NULL)
			goto oom;
		m = nm;
		for (i = 0, off = 0; i < have / 2; i++, off += 2) {
			m[i].from = buf + offs[off];
			m[i].to = buf + offs[off + 1];
		}
	}
	ms->m = m;
	ms->n = have / 2;
	ms->buf = buf;
	m = NULL;
	buf = NULL;
	rc = 0;
	goto out;
oom:
	log_err("partner: out of memory loading event mappings");
out:
	db_done(s);
	free(offs);
	free(m);
	free(buf);
	return rc;
}

void
partner_mapset_free(struct partner_mapset *ms)
{
	free(ms->m);
	free(ms->buf);
	memset(ms, 0, sizeof(*ms));
}
