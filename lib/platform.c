/*
 * platform.c — the connector catalogue and the platform_connections table.
 *
 * The catalogue is data: a platform is its credentials and a list of
 * action type templates whose parameters_schema are checked like any
 * tenant's schema would be (tests: connecting every platform registers
 * every template). Names are unique across the catalogue, so a tenant can
 * connect them all at once.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "db.h"
#include "ids.h"
#include "jsonout.h"
#include "log.h"
#include "platform.h"
#include "timeutil.h"

#define OBJ(props, req) "{\"type\":\"object\",\"properties\":{" props "},\"required\":[" req \
	"],\"additionalProperties\":false}"
#define STR(name, max) "\"" name "\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":" #max "}"
#define INT(name, min, max) "\"" name "\":{\"type\":\"integer\",\"minimum\":" #min \
	",\"maximum\":" #max "}"

static const char *const smile_credentials[] = { "api_key", NULL };
static const struct platform_action smile_actions[] = {
	{ "grant_points", "Grant Smile.io loyalty points to the customer, with a reason they "
	    "see in their points history",
	    OBJ(INT("amount", 1, 100000) "," STR("reason", 200), "\"amount\",\"reason\""), "0.05" },
	{ "issue_reward", "Issue a Smile.io reward (a points redemption the customer did not "
	    "pay for), e.g. a discount code, by the reward id configured in Smile.io",
	    OBJ(STR("reward_id", 100) "," STR("reason", 200), "\"reward_id\""), "0.50" },
};

static const char *const loyaltylion_credentials[] = { "token", "secret", NULL };
static const struct platform_action loyaltylion_actions[] = {
	{ "add_points", "Add LoyaltyLion points to the customer's balance",
	    OBJ(INT("points", 1, 100000) "," STR("reason", 200), "\"points\""), "0.05" },
	{ "issue_voucher", "Issue a LoyaltyLion reward voucher to the customer by reward id",
	    OBJ(STR("reward_id", 100) "," STR("note", 200), "\"reward_id\""), "1.00" },
};

static const char *const yotpo_credentials[] = { "api_key", "guid", NULL };
static const struct platform_action yotpo_actions[] = {
	{ "adjust_points", "Adjust the customer's Yotpo Loyalty points balance up or down, "
	    "with a description shown in their history",
	    OBJ(INT("points", -100000, 100000) "," STR("description", 200),
	    "\"points\",\"description\""), "0.05" },
	{ "grant_vip_tier", "Move the customer into a Yotpo VIP tier, optionally for a "
	    "limited number of days",
	    OBJ(STR("tier_id", 100) "," INT("expires_in_days", 1, 365), "\"tier_id\""), "0.00" },
};

static const char *const gameball_credentials[] = { "api_key", "secret_key", NULL };
static const struct platform_action gameball_actions[] = {
	{ "award_badge", "Award a Gameball badge (achievement) to the player",
	    OBJ(STR("badge_id", 100) "," STR("reason", 200), "\"badge_id\""), "0.00" },
	{ "complete_challenge", "Mark a Gameball challenge as completed for the player, "
	    "granting its configured reward",
	    OBJ(STR("challenge_id", 100) "," STR("note", 200), "\"challenge_id\""), "0.10" },
};

#define NACTIONS(a) (sizeof(a) / sizeof((a)[0]))

const struct platform platform_catalogue[] = {
	{ "smile-io", "Smile.io", "loyalty",
	    "Points, VIP and referral programs for online stores",
	    "https://api.smile.io/retivo/dispatch", smile_credentials,
	    smile_actions, NACTIONS(smile_actions) },
	{ "loyaltylion", "LoyaltyLion", "loyalty",
	    "Loyalty and engagement programs for ecommerce",
	    "https://api.loyaltylion.com/retivo/dispatch", loyaltylion_credentials,
	    loyaltylion_actions, NACTIONS(loyaltylion_actions) },
	{ "yotpo", "Yotpo Loyalty & Referrals", "loyalty",
	    "Points, tiers and referrals within the Yotpo suite",
	    "https://loyalty.yotpo.com/retivo/dispatch", yotpo_credentials,
	    yotpo_actions, NACTIONS(yotpo_actions) },
	{ "gameball", "Gameball", "gamification",
	    "Gamified loyalty: badges, challenges and levels",
	    "https://api.gameball.co/retivo/dispatch", gameball_credentials,
	    gameball_actions, NACTIONS(gameball_actions) },
};

const size_t platform_catalogue_len = sizeof(platform_catalogue) / sizeof(platform_catalogue[0]);

const struct platform *
platform_find(const char *id)
{
	size_t i;

	for (i = 0; id != NULL && i < platform_catalogue_len; i++)
		if (strcmp(platform_catalogue[i].id, id) == 0)
			return &platform_catalogue[i];
	return NULL;
}

static struct db_stmt pc_select_all = DB_STMT(
    "SELECT platform_id, connected_at, disconnected_at FROM platform_connections "
    "WHERE tenant_id = ?");

static struct db_stmt pc_select_one = DB_STMT(
    "SELECT platform_id, connected_at, disconnected_at FROM platform_connections "
    "WHERE tenant_id = ? AND platform_id = ?");

static struct db_stmt pc_upsert = DB_STMT(
    "INSERT INTO platform_connections (tenant_id, platform_id, credentials_enc, connected_at, "
    "  disconnected_at) VALUES (?, ?, ?, ?, NULL) "
    "ON DUPLICATE KEY UPDATE credentials_enc = VALUES(credentials_enc), "
    "  connected_at = VALUES(connected_at), disconnected_at = NULL");

static struct db_stmt pc_disconnect = DB_STMT(
    "UPDATE platform_connections SET disconnected_at = ?, credentials_enc = '' "
    "WHERE tenant_id = ? AND platform_id = ? AND disconnected_at IS NULL");

static struct db_stmt pc_type_lookup = DB_STMT(
    "SELECT id, platform_id FROM action_types WHERE tenant_id = ? AND name = ? FOR UPDATE");

static struct db_stmt pc_type_insert = DB_STMT(
    "INSERT INTO action_types (id, tenant_id, name, description, provider, platform_id, "
    "  domain, parameters_schema, delivery_webhook, estimated_cost_usd, webhook_secret_enc, "
    "  active, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)");

static struct db_stmt pc_type_refresh = DB_STMT(
    "UPDATE action_types SET description = ?, provider = ?, domain = ?, parameters_schema = ?, "
    "  delivery_webhook = ?, estimated_cost_usd = ?, webhook_secret_enc = ?, active = 1, "
    "  updated_at = ? WHERE tenant_id = ? AND id = ?");

static struct db_stmt pc_types_deactivate = DB_STMT(
    "UPDATE action_types SET active = 0, updated_at = ? "
    "WHERE tenant_id = ? AND platform_id = ? AND active = 1");

/* The catalogue entry with the connection columns of s (or none). */
static struct json_object *
platform_entry(const struct platform *p, const struct db_stmt *s)
{
	struct json_object *o = json_object_new_object(), *names, *creds;
	size_t i;

	jo_str(o, "id", p->id);
	jo_str(o, "name", p->name);
	jo_str(o, "domain", p->domain);
	jo_str(o, "description", p->description);
	names = json_object_new_array();
	for (i = 0; i < p->nactions; i++)
		json_object_array_add(names, json_object_new_string(p->actions[i].name));
	json_object_object_add(o, "action_types", names);
	creds = json_object_new_array();
	for (i = 0; p->credentials[i] != NULL; i++)
		json_object_array_add(creds, json_object_new_string(p->credentials[i]));
	json_object_object_add(o, "credentials_required", creds);
	jo_bool(o, "connected", s != NULL && db_col(s, 2) == NULL);
	jo_time(o, "connected_at", s ? db_col(s, 1) : NULL);
	jo_time(o, "disconnected_at", s ? db_col(s, 2) : NULL);
	return o;
}

struct json_object *
platform_list_json(const char *tenant_id)
{
	struct json_object *arr, *seen[16] = { NULL };
	const struct platform *p;
	size_t i;

	if (platform_catalogue_len > sizeof(seen) / sizeof(seen[0])) {
		log_err("platform: catalogue larger than the listing buffer");
		return NULL;
	}
	if (db_exec(&pc_select_all, "s", tenant_id) != 0)
		return NULL;
	while (db_fetch(&pc_select_all) == 1) {
		if ((p = platform_find(db_col(&pc_select_all, 0))) != NULL)
			seen[p - platform_catalogue] = platform_entry(p, &pc_select_all);
	}
	db_done(&pc_select_all);
	arr = json_object_new_array();
	for (i = 0; i < platform_catalogue_len; i++)
		json_object_array_add(arr, seen[i] ? seen[i] :
		    platform_entry(&platform_catalogue[i], NULL));
	return arr;
}

struct json_object *
platform_json(const char *tenant_id, const struct platform *p)
{
	struct json_object *o;

	if (db_exec(&pc_select_one, "ss", tenant_id, p->id) != 0)
		return NULL;
	o = platform_entry(p, db_fetch(&pc_select_one) == 1 ? &pc_select_one : NULL);
	db_done(&pc_select_one);
	return o;
}

/*
 * Registers or refreshes one template type inside the connect
 * transaction; adds {id, name, webhook_secret} to out. Returns 0, 1 on a
 * name owned by something else, -1 on error.
 */
static int
platform_register(const char *tenant_id, const struct platform *p,
    const struct platform_action *a, const char *hook, const unsigned char key[32],
    const char *ts, struct json_object *out)
{
	char id[48], secret[65], *sealed = NULL;
	struct json_object *o;
	int found = 0, rc = -1;

	if (crypto_sealed_secret(key, secret, &sealed) != 0) {
		log_err("platform: cannot make a webhook secret");
		goto out;
	}
	if (db_exec(&pc_type_lookup, "ss", tenant_id, a->name) != 0)
		goto out;
	if (db_fetch(&pc_type_lookup) == 1) {
		found = 1;
		snprintf(id, sizeof(id), "%s", db_col(&pc_type_lookup, 0));
		if (db_col(&pc_type_lookup, 1) == NULL ||
		    strcmp(db_col(&pc_type_lookup, 1), p->id) != 0)
			rc = 1;
	}
	db_done(&pc_type_lookup);
	if (rc == 1)
		goto out;
	if (found) {
		if (db_exec(&pc_type_refresh, "ssssssssss", a->description, p->id, p->domain,
		    a->parameters_schema, hook, a->estimated_cost_usd, sealed, ts, tenant_id,
		    id) != 0)
			goto out;
		db_done(&pc_type_refresh);
	} else {
		if (id_new("at", id, sizeof(id)) != 0)
			goto out;
		if (db_exec(&pc_type_insert, "sssssssssssss", id, tenant_id, a->name,
		    a->description, p->id, p->id, p->domain, a->parameters_schema, hook,
		    a->estimated_cost_usd, sealed, ts, ts) != 0) {
			/* A concurrent registration took the name after our lookup. */
			if (db_errno() == DB_ER_DUP_ENTRY)
				rc = 1;
			goto out;
		}
		db_done(&pc_type_insert);
	}
	o = json_object_new_object();
	jo_str(o, "id", id);
	jo_str(o, "name", a->name);
	jo_str(o, "webhook_secret", secret);
	json_object_array_add(out, o);
	rc = 0;
out:
	memset(secret, 0, sizeof(secret));
	free(sealed);
	return rc;
}

int
platform_connect(const char *tenant_id, const struct platform *p,
    const char *credentials_sealed, const char *delivery_webhook,
    const unsigned char master_key[32], int64_t now, struct json_object **registered,
    char conflict[65])
{
	struct json_object *out = json_object_new_array();
	const char *hook = delivery_webhook ? delivery_webhook : p->default_webhook;
	char ts[TIME_SQL_SIZE];
	size_t i;
	int rc = -1;

	*registered = NULL;
	conflict[0] = '\0';
	time_format_sql(now, ts);
	if (db_begin() != 0)
		goto out;
	for (i = 0; i < p->nactions; i++) {
		rc = platform_register(tenant_id, p, &p->actions[i], hook, master_key, ts, out);
		if (rc == 1)
			snprintf(conflict, 65, "%s", p->actions[i].name);
		if (rc != 0)
			goto rollback;
	}
	rc = -1;
	if (db_exec(&pc_upsert, "ssss", tenant_id, p->id, credentials_sealed, ts) != 0)
		goto rollback;
	db_done(&pc_upsert);
	if (db_commit() != 0)
		goto out;
	*registered = out;
	out = NULL;
	rc = 0;
	goto out;
rollback:
	db_rollback();
out:
	json_object_put(out);
	return rc;
}

int
platform_disconnect(const char *tenant_id, const struct platform *p, int64_t now,
    long long *deactivated)
{
	char ts[TIME_SQL_SIZE];
	int rc = -1;

	*deactivated = 0;
	time_format_sql(now, ts);
	if (db_begin() != 0)
		return -1;
	if (db_exec(&pc_disconnect, "sss", ts, tenant_id, p->id) != 0)
		goto rollback;
	if (db_affected(&pc_disconnect) == 0) {
		db_done(&pc_disconnect);
		rc = 1;
		goto rollback;
	}
	db_done(&pc_disconnect);
	if (db_exec(&pc_types_deactivate, "sss", ts, tenant_id, p->id) != 0)
		goto rollback;
	*deactivated = (long long)db_affected(&pc_types_deactivate);
	db_done(&pc_types_deactivate);
	if (db_commit() != 0)
		return -1;
	return 0;
rollback:
	db_rollback();
	return rc;
}
