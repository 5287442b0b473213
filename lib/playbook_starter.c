/*
 * playbook_starter.c — see playbook.h: the starter set, a playbook or more
 * for each of the five lifecycle areas (seed 003), installed by POST
 * /api/playbooks/starter, `retivo-admin playbooks seed` and the demo.
 *
 * The three win-back playbooks follow seed 003's timing with escalating
 * intensity (gentle reminder, an offer, a last chance asking for
 * feedback); their winback_day_offset is the tenant's own winback_days
 * (default 7, 30, 60), the i-th step for the i-th playbook, so they meet
 * the entries the win-back job makes. Every row goes through the same
 * parsers as a client's playbook, so a starter rule that stopped parsing
 * would fail the install (and its API test) rather than the evaluation.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "playbook.h"
#include "settings.h"

#define UNSUB "\\n\\nUnsubscribe: {{unsubscribe_url}}"
#define HI "Hi {{user.first_name|default:\\\"there\\\"}},\\n\\n"
#define PRODUCT "{{brand.product_name|default:\\\"our product\\\"}}"

struct starter {
	const char	*key;
	const char	*name;
	enum pb_area	 area;
	int		 winback_step;	/* 1-based index into winback_days, 0 none */
	const char	*entry;
	const char	*exit;
	const char	*constraints;	/* without winback_day_offset */
	const char	*hints;
};

static const struct starter starters[] = {
	{ "onboarding_nudge", "Onboarding nudge", PB_AREA_ONBOARDING, 0,
	  "{\"stages\": [\"new\", \"onboarding\"], \"rules\": [\"days_since_first_seen >= 2\", "
	  "\"activation_score < 0.5\"]}",
	  "{\"rules\": [\"activation_score >= 0.8\"]}",
	  "{\"channel\": \"email\", \"approval_required\": false, \"cooldown_days\": 3, "
	  "\"frequency_cap\": {\"max\": 3, \"per_days\": 7}, "
	  "\"quiet_hours\": {\"start\": \"21:00\", \"end\": \"08:00\"}}",
	  "{\"tone\": \"friendly\", \"goal\": \"reach the first milestone\", "
	  "\"subject\": \"Getting started with " PRODUCT "\", "
	  "\"template\": \"" HI "You are a few steps away from getting real value out of "
	  PRODUCT ". Pick up where you left off: it takes two minutes." UNSUB "\"}" },
	{ "churn_save", "Churn save", PB_AREA_CHURN_PREVENTION, 0,
	  "{\"stages\": [\"at_risk\"], \"rules\": [\"days_since_last_activity >= 5\"]}",
	  "{\"stages\": [\"active\", \"recovered\"]}",
	  "{\"channel\": \"email\", \"approval_required\": true, \"cooldown_days\": 7, "
	  "\"frequency_cap\": {\"max\": 3, \"per_days\": 7}, "
	  "\"quiet_hours\": {\"start\": \"21:00\", \"end\": \"08:00\"}}",
	  "{\"tone\": \"warm\", \"goal\": \"bring the user back before they churn\", "
	  "\"subject\": \"We miss you at " PRODUCT "\", "
	  "\"template\": \"" HI "We noticed you have not been around for a few days. "
	  "Is anything in the way? Reply to this email and a person will help." UNSUB "\"}" },
	{ "churn_escalate_key_account", "Key account at risk: call", PB_AREA_CHURN_PREVENTION, 0,
	  "{\"stages\": [\"at_risk\"], \"risk_levels\": [\"high\"], "
	  "\"rules\": [\"trait.plan == enterprise\"]}",
	  "{\"stages\": [\"active\", \"recovered\"]}",
	  "{\"channel\": \"escalation\", \"severity\": \"high\", \"approval_required\": false, "
	  "\"cooldown_days\": 14}",
	  "{\"goal\": \"a customer success manager calls the account\"}" },
	{ "retention_feature_discovery", "Feature discovery", PB_AREA_RETENTION, 0,
	  "{\"stages\": [\"active\"], \"rules\": [\"engagement_score >= 0.4\", "
	  "\"did_not feature_used within 14 days\"]}",
	  "{\"rules\": [\"did feature_used within 14 days\"]}",
	  "{\"channel\": \"email\", \"approval_required\": false, \"cooldown_days\": 14, "
	  "\"frequency_cap\": {\"max\": 3, \"per_days\": 7}, "
	  "\"quiet_hours\": {\"start\": \"21:00\", \"end\": \"08:00\"}}",
	  "{\"tone\": \"helpful\", \"goal\": \"deepen engagement with a feature not yet used\", "
	  "\"subject\": \"One more thing " PRODUCT " can do for you\", "
	  "\"template\": \"" HI "Teams like yours get the most out of " PRODUCT
	  " once they try its advanced features. Here is a two-minute tour." UNSUB "\"}" },
	{ "upsell_plan_limit", "Plan Limit Approaching", PB_AREA_UPSELL, 0,
	  "{\"stages\": [\"active\"], \"rules\": [\"expansion_score >= 0.7\", "
	  "\"engagement_score >= 0.6\"]}",
	  "{\"rules\": [\"did plan_upgraded within 30 days\"]}",
	  "{\"channel\": \"email\", \"approval_required\": true, \"cooldown_days\": 30, "
	  "\"frequency_cap\": {\"max\": 3, \"per_days\": 7}, "
	  "\"quiet_hours\": {\"start\": \"21:00\", \"end\": \"08:00\"}}",
	  "{\"tone\": \"confident\", \"goal\": \"upgrade before the plan limit is hit\", "
	  "\"subject\": \"You are close to your plan limit\", "
	  "\"template\": \"" HI "You are using " PRODUCT " more than ever and are close to "
	  "your plan's limit. Upgrade now so nothing stops your team." UNSUB "\"}" },
	{ "winback_early", "Win-back: early reminder", PB_AREA_WINBACK, 1,
	  "{\"stages\": [\"churned\"]}",
	  "{\"stages\": [\"active\", \"recovered\"]}",
	  "{\"channel\": \"email\", \"approval_required\": false, \"cooldown_days\": 7, "
	  "\"quiet_hours\": {\"start\": \"21:00\", \"end\": \"08:00\"}}",
	  "{\"tone\": \"gentle\", \"goal\": \"remind of the value\", "
	  "\"subject\": \"Your " PRODUCT " account is waiting\", "
	  "\"template\": \"" HI "Everything you set up in " PRODUCT " is still there. "
	  "Come back any time: it picks up where you left off." UNSUB "\"}" },
	{ "winback_offer", "Win-back: offer", PB_AREA_WINBACK, 2,
	  "{\"stages\": [\"churned\"]}",
	  "{\"stages\": [\"active\", \"recovered\"]}",
	  "{\"channel\": \"email\", \"approval_required\": true, \"cooldown_days\": 7, "
	  "\"quiet_hours\": {\"start\": \"21:00\", \"end\": \"08:00\"}}",
	  "{\"tone\": \"enthusiastic\", \"goal\": \"an incentive and what is new\", "
	  "\"offer\": \"a month free on return\", "
	  "\"subject\": \"Come back to " PRODUCT ": a month on us\", "
	  "\"template\": \"" HI "A lot is new in " PRODUCT " since you left, and your next "
	  "month is on us if you come back this week." UNSUB "\"}" },
	{ "winback_last_chance", "Win-back: last chance", PB_AREA_WINBACK, 3,
	  "{\"stages\": [\"churned\"]}",
	  "{\"stages\": [\"active\", \"recovered\"]}",
	  "{\"channel\": \"email\", \"approval_required\": true, \"cooldown_days\": 7, "
	  "\"quiet_hours\": {\"start\": \"21:00\", \"end\": \"08:00\"}}",
	  "{\"tone\": \"sincere\", \"goal\": \"a final outreach asking for feedback\", "
	  "\"subject\": \"Before we say goodbye\", "
	  "\"template\": \"" HI "This is the last note we will send about your " PRODUCT
	  " account. What could we have done better? One line in reply helps us a lot."
	  UNSUB "\"}" },
};

#define N_STARTERS (sizeof(starters) / sizeof(starters[0]))

/*
 * Validates one starter through the client's parsers and, for a win-back
 * step, adds winback_day_offset. Returns new JSON texts in the json_objects
 * (caller puts), 0 or -1 (logged: a bug in the table above).
 */
static int
starter_build(const struct starter *s, int offset, struct json_object **entry,
    struct json_object **exitc, struct json_object **cons, struct json_object **hints)
{
	struct pb_constraints k;
	struct pb_cond *c;
	char field[128], msg[300];

	*entry = json_tokener_parse(s->entry);
	*exitc = json_tokener_parse(s->exit);
	*cons = json_tokener_parse(s->constraints);
	*hints = json_tokener_parse(s->hints);
	if (*entry == NULL || *exitc == NULL || *cons == NULL || *hints == NULL) {
		log_err("starter playbook %s: a JSON text does not parse", s->key);
		return -1;
	}
	if (offset > 0)
		json_object_object_add(*cons, "winback_day_offset", json_object_new_int(offset));
	if ((c = pb_cond_parse(*entry, field, sizeof(field), msg, sizeof(msg))) == NULL)
		goto bad;
	pb_cond_free(c);
	if ((c = pb_cond_parse(*exitc, field, sizeof(field), msg, sizeof(msg))) == NULL)
		goto bad;
	pb_cond_free(c);
	if (pb_constraints_parse(*cons, s->area, &k, field, sizeof(field), msg, sizeof(msg)) != 0 ||
	    pb_hints_validate(*hints, field, sizeof(field), msg, sizeof(msg)) != 0)
		goto bad;
	return 0;
bad:
	log_err("starter playbook %s: %s: %s", s->key, field, msg);
	return -1;
}

int
playbook_starter_install(const char *tenant_id, int activate, int64_t now, int *installed)
{
	struct tenant_settings ts = { 0 };
	struct json_object *days = NULL, *entry = NULL, *exitc = NULL, *cons = NULL, *hints = NULL;
	struct playbook_row r;
	size_t i;
	int offset, rc = -1, ins;

	*installed = 0;
	if (settings_load(tenant_id, &ts) != 0)
		goto out;
	json_object_object_get_ex(ts.settings, "winback_days", &days);
	for (i = 0; i < N_STARTERS; i++) {
		offset = 0;
		if (starters[i].winback_step > 0) {
			/* A tenant with fewer win-back steps gets fewer playbooks. */
			if (days == NULL || (size_t)starters[i].winback_step >
			    json_object_array_length(days))
				continue;
			offset = json_object_get_int(json_object_array_get_idx(days,
			    (size_t)starters[i].winback_step - 1));
		}
		if (starter_build(&starters[i], offset, &entry, &exitc, &cons, &hints) != 0)
			goto out;
		memset(&r, 0, sizeof(r));
		r.name = starters[i].name;
		r.area = starters[i].area;
		r.status = activate ? PB_STATUS_ACTIVE : PB_STATUS_DRAFT;
		r.entry_conditions = json_object_to_json_string_ext(entry, JSON_C_TO_STRING_PLAIN);
		r.exit_conditions = json_object_to_json_string_ext(exitc, JSON_C_TO_STRING_PLAIN);
		r.constraints = json_object_to_json_string_ext(cons, JSON_C_TO_STRING_PLAIN);
		r.strategy_hints = json_object_to_json_string_ext(hints, JSON_C_TO_STRING_PLAIN);
		r.starter_key = starters[i].key;
		/* 1: already installed (by key), possibly by a concurrent call. */
		if ((ins = playbook_insert(tenant_id, &r, now)) < 0)
			goto out;
		if (ins == 0)
			(*installed)++;
		json_object_put(entry);
		json_object_put(exitc);
		json_object_put(cons);
		json_object_put(hints);
		entry = exitc = cons = hints = NULL;
	}
	rc = 0;
out:
	json_object_put(entry);
	json_object_put(exitc);
	json_object_put(cons);
	json_object_put(hints);
	settings_clear(&ts);
	return rc;
}
