/*
 * test_playbook.c — the pure rules of lib/playbook.h: the condition
 * language (what parses, what is refused and which clause the error
 * names), evaluating conditions against a user, constraints and strategy
 * hints, the holdout hash (stable, about the asked share, independent per
 * playbook), quiet hours in the user's zone and the uplift statistics.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "playbook.h"
#include "tap.h"
#include "timeutil.h"

/* ---- parsing conditions: one row per case ---------------------------- */

static const struct {
	const char	*desc, *json;
	int		 ok;
	const char	*field;		/* expected failing clause ("" = the object) */
} parse_cases[] = {
	{ "empty object", "{}", 1, NULL },
	{ "stages and risk levels", "{\"stages\":[\"active\",\"at_risk\"],\"risk_levels\":[\"high\"]}",
	  1, NULL },
	{ "score threshold", "{\"rules\":[\"expansion_score >= 0.7\"]}", 1, NULL },
	{ "no blanks around the operator", "{\"rules\":[\"engagement_score>=0.6\"]}", 1, NULL },
	{ "days metrics", "{\"rules\":[\"days_since_last_activity >= 5\",\"days_in_stage > 3\","
	  "\"days_since_first_seen < 30\"]}", 1, NULL },
	{ "did within", "{\"rules\":[\"did feature_used within 7 days\"]}", 1, NULL },
	{ "did_not within one day", "{\"rules\":[\"did_not login within 1 day\"]}", 1, NULL },
	{ "trait equals a word", "{\"rules\":[\"trait.plan == pro\"]}", 1, NULL },
	{ "trait quoted value", "{\"rules\":[\"trait.plan != \\\"pro plus\\\"\"]}", 1, NULL },
	{ "trait numeric", "{\"rules\":[\"trait.seats >= 10\"]}", 1, NULL },
	{ "match any", "{\"match\":\"any\",\"rules\":[\"activation_score < 0.2\"]}", 1, NULL },
	{ "not an object", "[]", 0, "" },
	{ "unknown member", "{\"stage\":[\"active\"]}", 0, "stage" },
	{ "unknown stage", "{\"stages\":[\"active\",\"gone\"]}", 0, "stages[1]" },
	{ "stages empty", "{\"stages\":[]}", 0, "stages" },
	{ "risk not a string", "{\"risk_levels\":[3]}", 0, "risk_levels[0]" },
	{ "bad match", "{\"match\":\"some\"}", 0, "match" },
	{ "rules not an array", "{\"rules\":\"x\"}", 0, "rules" },
	{ "second rule unknown metric", "{\"rules\":[\"expansion_score >= 0.7\","
	  "\"happiness >= 1\"]}", 0, "rules[1]" },
	{ "score out of range", "{\"rules\":[\"expansion_score >= 1.5\"]}", 0, "rules[0]" },
	{ "no operator", "{\"rules\":[\"expansion_score 0.7\"]}", 0, "rules[0]" },
	{ "operator without number", "{\"rules\":[\"expansion_score >= high\"]}", 0, "rules[0]" },
	{ "two numbers", "{\"rules\":[\"days_in_stage >= 5 6\"]}", 0, "rules[0]" },
	{ "did without window", "{\"rules\":[\"did feature_used\"]}", 0, "rules[0]" },
	{ "did with zero days", "{\"rules\":[\"did x within 0 days\"]}", 0, "rules[0]" },
	{ "did with weeks", "{\"rules\":[\"did x within 2 weeks\"]}", 0, "rules[0]" },
	{ "did window too long", "{\"rules\":[\"did x within 366 days\"]}", 0, "rules[0]" },
	{ "trait without operator", "{\"rules\":[\"trait.plan pro\"]}", 0, "rules[0]" },
	{ "trait text with >=", "{\"rules\":[\"trait.plan >= pro\"]}", 0, "rules[0]" },
	{ "trait unquoted spaces", "{\"rules\":[\"trait.plan == pro plus\"]}", 0, "rules[0]" },
	{ "trait bad key", "{\"rules\":[\"trait.p!an == pro\"]}", 0, "rules[0]" },
	{ "rule not a string", "{\"rules\":[\"trait.plan == pro\", 7]}", 0, "rules[1]" },
	{ "blank rule", "{\"rules\":[\"   \"]}", 0, "rules[0]" },
	{ "21 rules", "{\"rules\":[\"days_in_stage>1\",\"days_in_stage>1\",\"days_in_stage>1\","
	  "\"days_in_stage>1\",\"days_in_stage>1\",\"days_in_stage>1\",\"days_in_stage>1\","
	  "\"days_in_stage>1\",\"days_in_stage>1\",\"days_in_stage>1\",\"days_in_stage>1\","
	  "\"days_in_stage>1\",\"days_in_stage>1\",\"days_in_stage>1\",\"days_in_stage>1\","
	  "\"days_in_stage>1\",\"days_in_stage>1\",\"days_in_stage>1\",\"days_in_stage>1\","
	  "\"days_in_stage>1\",\"days_in_stage>1\"]}", 0, "rules" },
};

/* ---- evaluating: a fixed user, one condition per row ----------------- */

/* The user's events: feature_used twice in the last 5 days; "broken"
 * makes the count fail. */
static long long
events(void *ctx, const char *event, int within_days)
{
	(void)ctx;
	if (strcmp(event, "broken") == 0)
		return -1;
	if (strcmp(event, "feature_used") == 0)
		return within_days >= 5 ? 2 : 0;
	return 0;
}

static const struct {
	const char	*desc, *json;
	int		 holds;
	const char	*why;		/* a substring of the explanation, or NULL */
} eval_cases[] = {
	{ "empty matches everyone", "{}", 1, NULL },
	{ "stage in the list", "{\"stages\":[\"onboarding\",\"active\"]}", 1, "stage active" },
	{ "stage not in the list", "{\"stages\":[\"churned\"]}", 0, "stage active not among" },
	{ "risk level in the list", "{\"risk_levels\":[\"medium\",\"high\"]}", 1, NULL },
	{ "risk level not in the list", "{\"risk_levels\":[\"low\"]}", 0, "risk medium" },
	{ "Plan Limit Approaching holds", "{\"rules\":[\"expansion_score >= 0.7\","
	  "\"engagement_score >= 0.6\"]}", 1, "expansion_score 0.82 >= 0.7" },
	{ "threshold equal counts as >=", "{\"rules\":[\"engagement_score >= 0.65\"]}", 1, NULL },
	{ "one rule fails under all", "{\"rules\":[\"expansion_score >= 0.7\","
	  "\"activation_score > 0.9\"]}", 0, "activation_score is 0.4" },
	{ "one rule holds under any", "{\"match\":\"any\",\"rules\":[\"activation_score > 0.9\","
	  "\"expansion_score >= 0.7\"]}", 1, NULL },
	{ "none holds under any", "{\"match\":\"any\",\"rules\":[\"activation_score > 0.9\","
	  "\"expansion_score < 0.1\"]}", 0, "none of the rules held" },
	{ "stage gate applies even with match any", "{\"match\":\"any\",\"stages\":[\"new\"],"
	  "\"rules\":[\"expansion_score >= 0.7\"]}", 0, NULL },
	{ "days inactive", "{\"rules\":[\"days_since_last_activity >= 5\"]}", 1, NULL },
	{ "days inactive too few", "{\"rules\":[\"days_since_last_activity >= 7\"]}", 0, NULL },
	{ "days in stage <", "{\"rules\":[\"days_in_stage < 11\"]}", 1, NULL },
	{ "days since first seen ==", "{\"rules\":[\"days_since_first_seen == 30\"]}", 1, NULL },
	{ "!= on a score", "{\"rules\":[\"activation_score != 0.4\"]}", 0, NULL },
	{ "did within the window", "{\"rules\":[\"did feature_used within 7 days\"]}", 1,
	  "(2 events)" },
	{ "did outside the window", "{\"rules\":[\"did feature_used within 3 days\"]}", 0, NULL },
	{ "did_not an event never seen", "{\"rules\":[\"did_not export within 30 days\"]}", 1,
	  NULL },
	{ "did_not an event seen", "{\"rules\":[\"did_not feature_used within 7 days\"]}", 0,
	  NULL },
	{ "failing count is false", "{\"rules\":[\"did_not broken within 7 days\"]}", 0,
	  "unavailable" },
	{ "trait text equals", "{\"rules\":[\"trait.plan == pro\"]}", 1, NULL },
	{ "trait text differs", "{\"rules\":[\"trait.plan == enterprise\"]}", 0, NULL },
	{ "trait text !=", "{\"rules\":[\"trait.plan != enterprise\"]}", 1, NULL },
	{ "trait quoted", "{\"rules\":[\"trait.company == \\\"Acme Inc\\\"\"]}", 1, NULL },
	{ "trait number >=", "{\"rules\":[\"trait.seats >= 10\"]}", 1, NULL },
	{ "trait number <", "{\"rules\":[\"trait.seats < 10\"]}", 0, NULL },
	{ "trait numeric string", "{\"rules\":[\"trait.quota > 90\"]}", 1, NULL },
	{ "trait boolean", "{\"rules\":[\"trait.beta == true\"]}", 1, NULL },
	{ "missing trait is false, even for !=", "{\"rules\":[\"trait.region != eu\"]}", 0,
	  "trait region missing" },
	{ "case matters in trait text", "{\"rules\":[\"trait.plan == Pro\"]}", 0, NULL },
};

/* ---- constraints ------------------------------------------------------ */

static const struct {
	const char	*desc, *json;
	enum pb_area	 area;
	int		 ok;
	const char	*field;
} cons_cases[] = {
	{ "absent: defaults", NULL, PB_AREA_RETENTION, 1, NULL },
	{ "every field", "{\"channel\":\"webhook\",\"approval_required\":false,"
	  "\"cooldown_days\":3,\"frequency_cap\":{\"max\":2,\"per_days\":7},"
	  "\"quiet_hours\":{\"start\":\"22:00\",\"end\":\"07:30\"},\"holdout_percent\":20,"
	  "\"severity\":\"high\"}", PB_AREA_UPSELL, 1, NULL },
	{ "win-back with its offset", "{\"winback_day_offset\":30}", PB_AREA_WINBACK, 1, NULL },
	{ "win-back without an offset", "{}", PB_AREA_WINBACK, 0, "winback_day_offset" },
	{ "offset outside win-back", "{\"winback_day_offset\":7}", PB_AREA_ONBOARDING, 0,
	  "winback_day_offset" },
	{ "external action with its type", "{\"channel\":\"external_action\","
	  "\"action_type\":\"grant_points\"}", PB_AREA_RETENTION, 1, NULL },
	{ "external action without a type", "{\"channel\":\"external_action\"}",
	  PB_AREA_RETENTION, 0, "action_type" },
	{ "action type on email", "{\"action_type\":\"x\"}", PB_AREA_RETENTION, 0, "action_type" },
	{ "unknown channel", "{\"channel\":\"sms\"}", PB_AREA_RETENTION, 0, "channel" },
	{ "unknown member", "{\"cooldown\":3}", PB_AREA_RETENTION, 0, "cooldown" },
	{ "cooldown too long", "{\"cooldown_days\":400}", PB_AREA_RETENTION, 0, "cooldown_days" },
	{ "cap without per_days", "{\"frequency_cap\":{\"max\":2}}", PB_AREA_RETENTION, 0,
	  "frequency_cap.per_days" },
	{ "cap of zero", "{\"frequency_cap\":{\"max\":0,\"per_days\":7}}", PB_AREA_RETENTION, 0,
	  "frequency_cap.max" },
	{ "quiet hours bad time", "{\"quiet_hours\":{\"start\":\"24:00\",\"end\":\"08:00\"}}",
	  PB_AREA_RETENTION, 0, "quiet_hours.start" },
	{ "quiet hours empty window", "{\"quiet_hours\":{\"start\":\"08:00\",\"end\":\"08:00\"}}",
	  PB_AREA_RETENTION, 0, "quiet_hours.end" },
	{ "holdout over half", "{\"holdout_percent\":60}", PB_AREA_RETENTION, 0,
	  "holdout_percent" },
	{ "approval not a bool", "{\"approval_required\":\"yes\"}", PB_AREA_RETENTION, 0,
	  "approval_required" },
	{ "severity unknown", "{\"severity\":\"urgent\"}", PB_AREA_RETENTION, 0, "severity" },
};

static const struct {
	const char	*desc, *json;
	int		 ok;
	const char	*field;
} hint_cases[] = {
	{ "absent", NULL, 1, NULL },
	{ "template and tone", "{\"tone\":\"friendly\",\"subject\":\"Hi {{user.name}}\","
	  "\"template\":\"Hello {{user.name|default:\\\"there\\\"}}\"}", 1, NULL },
	{ "llm switches", "{\"prompt\":\"be brief\",\"use_llm\":false}", 1, NULL },
	{ "unknown member", "{\"voice\":\"x\"}", 0, "voice" },
	{ "tone not a string", "{\"tone\":3}", 0, "tone" },
	{ "subject too long", "{\"subject\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	  "xxxxxxxxxxxxxxxxxxxxxxx\"}", 0, "subject" },
	{ "unclosed placeholder", "{\"template\":\"Hi {{user.name\"}", 0, "template" },
	{ "unbalanced section", "{\"html_template\":\"{{#if x}}a\"}", 0, "html_template" },
};

/* ---- quiet hours ------------------------------------------------------ */

static const struct {
	const char	*desc, *tz;
	int		 start, end;	/* minutes; -1 none */
	const char	*now, *expect;
} quiet_cases[] = {
	{ "no quiet hours", "UTC", -1, -1, "2026-01-10T23:00:00Z", "2026-01-10T23:00:00Z" },
	{ "outside the window", "UTC", 21 * 60, 8 * 60, "2026-01-10T12:00:00Z",
	  "2026-01-10T12:00:00Z" },
	{ "inside an overnight window", "UTC", 21 * 60, 8 * 60, "2026-01-10T22:30:00Z",
	  "2026-01-11T08:00:00Z" },
	{ "after midnight inside it", "UTC", 21 * 60, 8 * 60, "2026-01-11T03:10:20Z",
	  "2026-01-11T08:00:00Z" },
	{ "the start minute is quiet", "UTC", 21 * 60, 8 * 60, "2026-01-10T21:00:00Z",
	  "2026-01-11T08:00:00Z" },
	{ "the end minute is not", "UTC", 21 * 60, 8 * 60, "2026-01-11T08:00:00Z",
	  "2026-01-11T08:00:00Z" },
	{ "a daytime window", "UTC", 12 * 60, 13 * 60, "2026-01-10T12:30:00Z",
	  "2026-01-10T13:00:00Z" },
	{ "Paris in winter (UTC+1)", "Europe/Paris", 21 * 60, 8 * 60, "2026-01-10T21:30:00Z",
	  "2026-01-11T07:00:00Z" },
	{ "Paris: 20:30 UTC is 21:30 local, quiet", "Europe/Paris", 21 * 60, 8 * 60,
	  "2026-01-10T20:30:00Z", "2026-01-11T07:00:00Z" },
	{ "Paris in summer (UTC+2)", "Europe/Paris", 21 * 60, 8 * 60, "2026-07-10T05:00:00Z",
	  "2026-07-10T06:00:00Z" },
	{ "New York evening is the next UTC day", "America/New_York", 21 * 60, 8 * 60,
	  "2026-01-10T03:00:00Z", "2026-01-10T13:00:00Z" },
	{ "New York afternoon is fine", "America/New_York", 21 * 60, 8 * 60,
	  "2026-01-10T18:00:00Z", "2026-01-10T18:00:00Z" },
	{ "Paris, spring forward inside the window: 03:00 CEST", "Europe/Paris", 0, 3 * 60,
	  "2026-03-29T00:30:00Z", "2026-03-29T01:00:00Z" },
	{ "Paris, fall back inside the window: 04:00 CET", "Europe/Paris", 60, 4 * 60,
	  "2026-10-24T23:30:00Z", "2026-10-25T03:00:00Z" },
	{ "a minute-precise end", "UTC", 22 * 60 + 15, 6 * 60 + 45, "2026-01-10T23:59:59Z",
	  "2026-01-11T06:45:00Z" },
	{ "unknown zone reads as UTC", "Mars/Olympus_Mons", 21 * 60, 8 * 60,
	  "2026-01-10T22:00:00Z", "2026-01-11T08:00:00Z" },
	{ "a path is not a zone", "../../etc/passwd", 21 * 60, 8 * 60,
	  "2026-01-10T22:00:00Z", "2026-01-11T08:00:00Z" },
};

static const struct {
	const char	*desc;
	long long	 tu, tc, cu, cc;
	int		 defined;
	double		 diff, lo, hi;
} uplift_cases[] = {
	/* p1 = .3, p0 = .2, se = sqrt(.21/1000 + .16/500) = 0.023022 */
	{ "30% vs 20%", 1000, 300, 500, 100, 1, 0.1, 0.054877, 0.145123 },
	{ "no difference", 200, 50, 100, 25, 1, 0.0, -0.103943, 0.103943 },
	{ "all converted in both: zero width", 10, 10, 10, 10, 1, 0.0, 0.0, 0.0 },
	{ "empty control: undefined", 100, 40, 0, 0, 0, 0, 0, 0 },
	{ "empty treated: undefined", 0, 0, 50, 5, 0, 0, 0, 0 },
};

static void
test_parse(void)
{
	struct json_object *j;
	struct pb_cond *c;
	char field[128], msg[300];
	size_t i;

	for (i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		j = json_tokener_parse(parse_cases[i].json);
		field[0] = msg[0] = '\0';
		c = pb_cond_parse(j, field, sizeof(field), msg, sizeof(msg));
		if (parse_cases[i].ok)
			ok(c != NULL, "parse: %s (%s)", parse_cases[i].desc, c ? "ok" : msg);
		else
			ok(c == NULL && strcmp(field, parse_cases[i].field) == 0 && msg[0] != '\0',
			    "parse refuses: %s (field \"%s\": %s)", parse_cases[i].desc, field, msg);
		pb_cond_free(c);
		json_object_put(j);
	}
	c = pb_cond_parse(NULL, field, sizeof(field), msg, sizeof(msg));
	ok(c != NULL && pb_cond_empty(c), "parse: NULL is the empty condition");
	pb_cond_free(c);
}

static void
count_event(void *ctx, const char *event, int days)
{
	char *buf = ctx;
	size_t len = strlen(buf);

	snprintf(buf + len, 200 - len, "%s/%d ", event, days);
}

static void
test_eval(void)
{
	struct json_object *traits = json_tokener_parse("{\"plan\":\"pro\",\"seats\":12,"
	    "\"quota\":\"95.5\",\"beta\":true,\"company\":\"Acme Inc\"}");
	struct pb_user u = { "u1", "active", "medium", 0.4, 0.65, 0.82, 6.2, 10, 30, NULL,
	    events, NULL };
	struct json_object *j;
	struct pb_cond *c;
	char field[128], msg[300], why[400], seen[200] = "";
	int held, err;
	size_t i;

	u.traits = traits;
	for (i = 0; i < sizeof(eval_cases) / sizeof(eval_cases[0]); i++) {
		j = json_tokener_parse(eval_cases[i].json);
		c = pb_cond_parse(j, field, sizeof(field), msg, sizeof(msg));
		if (c == NULL) {
			ok(0, "eval: %s does not parse: %s: %s", eval_cases[i].desc, field, msg);
			json_object_put(j);
			continue;
		}
		held = pb_cond_eval(c, &u, why, sizeof(why), &err);
		ok(held == eval_cases[i].holds && (eval_cases[i].why == NULL ||
		    strstr(why, eval_cases[i].why) != NULL),
		    "eval: %s (%s)", eval_cases[i].desc, why);
		pb_cond_free(c);
		json_object_put(j);
	}
	/* The error flag and the event listing. */
	j = json_tokener_parse("{\"rules\":[\"did_not broken within 7 days\","
	    "\"did feature_used within 14 days\",\"trait.plan == pro\"]}");
	c = pb_cond_parse(j, field, sizeof(field), msg, sizeof(msg));
	held = pb_cond_eval(c, &u, NULL, 0, &err);
	ok(held == 0 && err == 1, "eval: a failed event count sets the error flag");
	pb_cond_events(c, count_event, seen);
	ok(strcmp(seen, "broken/7 feature_used/14 ") == 0, "events: the did clauses are listed (%s)",
	    seen);
	pb_cond_free(c);
	json_object_put(j);
	/* Unknown days make day rules false; no traits make trait rules false. */
	u.days_since_last_activity = -1;
	u.traits = NULL;
	j = json_tokener_parse("{\"match\":\"any\",\"rules\":[\"days_since_last_activity < 100\","
	    "\"trait.plan == pro\"]}");
	c = pb_cond_parse(j, field, sizeof(field), msg, sizeof(msg));
	ok(pb_cond_eval(c, &u, why, sizeof(why), NULL) == 0,
	    "eval: unknown inactivity and absent traits hold nothing (%s)", why);
	pb_cond_free(c);
	json_object_put(j);
	json_object_put(traits);
}

static void
test_constraints(void)
{
	struct pb_constraints k;
	struct json_object *j;
	char field[128], msg[300];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(cons_cases) / sizeof(cons_cases[0]); i++) {
		j = cons_cases[i].json ? json_tokener_parse(cons_cases[i].json) : NULL;
		field[0] = msg[0] = '\0';
		rc = pb_constraints_parse(j, cons_cases[i].area, &k, field, sizeof(field), msg,
		    sizeof(msg));
		if (cons_cases[i].ok)
			ok(rc == 0, "constraints: %s (%s)", cons_cases[i].desc, msg);
		else
			ok(rc == -1 && strcmp(field, cons_cases[i].field) == 0 && msg[0] != '\0' &&
			    strncmp(msg, field, strlen(field)) != 0,
			    "constraints refuse: %s (field \"%s\": %s)", cons_cases[i].desc, field,
			    msg);
		json_object_put(j);
	}
	pb_constraints_parse(NULL, PB_AREA_RETENTION, &k, field, sizeof(field), msg, sizeof(msg));
	ok(k.channel == PB_CHANNEL_EMAIL && k.approval_required == 1 && k.cooldown_days == 7 &&
	    k.cap_max == 0 && k.quiet_start_min == -1 && k.winback_day_offset == -1 &&
	    k.holdout_percent == 10 && strcmp(k.severity, "medium") == 0,
	    "constraints: the documented defaults");
	j = json_tokener_parse(cons_cases[1].json);
	pb_constraints_parse(j, PB_AREA_UPSELL, &k, field, sizeof(field), msg, sizeof(msg));
	ok(k.channel == PB_CHANNEL_WEBHOOK && k.approval_required == 0 && k.cooldown_days == 3 &&
	    k.cap_max == 2 && k.cap_per_days == 7 && k.quiet_start_min == 22 * 60 &&
	    k.quiet_end_min == 7 * 60 + 30 && k.holdout_percent == 20 &&
	    strcmp(k.severity, "high") == 0, "constraints: every field read back");
	json_object_put(j);
}

static void
test_hints(void)
{
	struct json_object *j;
	char field[128], msg[300];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(hint_cases) / sizeof(hint_cases[0]); i++) {
		j = hint_cases[i].json ? json_tokener_parse(hint_cases[i].json) : NULL;
		field[0] = msg[0] = '\0';
		rc = pb_hints_validate(j, field, sizeof(field), msg, sizeof(msg));
		if (hint_cases[i].ok)
			ok(rc == 0, "hints: %s (%s)", hint_cases[i].desc, msg);
		else
			ok(rc == -1 && strcmp(field, hint_cases[i].field) == 0,
			    "hints refuse: %s (field \"%s\": %s)", hint_cases[i].desc, field, msg);
		json_object_put(j);
	}
}

static void
test_holdout(void)
{
	char uid[32];
	int i, in10 = 0, in10b = 0, both = 0, stable = 1, range = 1, b;

	for (i = 0; i < 10000; i++) {
		snprintf(uid, sizeof(uid), "user-%d", i);
		b = pb_holdout_bucket("pb_alpha", uid);
		if (b < 0 || b > 99)
			range = 0;
		if (b != pb_holdout_bucket("pb_alpha", uid))
			stable = 0;
		if (pb_in_holdout("pb_alpha", uid, 10))
			in10++;
		if (pb_in_holdout("pb_beta", uid, 10)) {
			in10b++;
			if (pb_in_holdout("pb_alpha", uid, 10))
				both++;
		}
	}
	ok(range, "holdout: buckets lie in 0..99");
	ok(stable, "holdout: the same pair always gets the same bucket");
	/* 10% of 10,000: sd 30, so 880..1120 is four standard deviations. */
	ok(in10 > 880 && in10 < 1120, "holdout: about 10%% of 10,000 users (%d)", in10);
	ok(in10b > 880 && in10b < 1120, "holdout: about 10%% for another playbook (%d)", in10b);
	/* Independent: about 1% are in both (100, sd ~10). */
	ok(both > 60 && both < 140, "holdout: independent per playbook (%d in both)", both);
	ok(!pb_in_holdout("pb_alpha", "user-1", 0), "holdout: 0%% holds nobody out");
	ok(pb_holdout_bucket("pb_a", "bc") != pb_holdout_bucket("pb_ab", "c") ||
	    pb_holdout_bucket("pb_a", "x") != pb_holdout_bucket("pb_ab", "x"),
	    "holdout: the pair is separated (pb_a+bc is not pb_ab+c)");
}

static void
test_quiet(void)
{
	struct pb_constraints k;
	struct json_object *t;
	char got[TIME_ISO8601_SIZE];
	int64_t now;
	size_t i;

	memset(&k, 0, sizeof(k));
	for (i = 0; i < sizeof(quiet_cases) / sizeof(quiet_cases[0]); i++) {
		k.quiet_start_min = quiet_cases[i].start;
		k.quiet_end_min = quiet_cases[i].end;
		time_parse_iso8601(quiet_cases[i].now, &now);
		time_format_iso8601(pb_quiet_next_allowed(&k, quiet_cases[i].tz, now), got);
		ok(strcmp(got, quiet_cases[i].expect) == 0, "quiet hours: %s (%s)",
		    quiet_cases[i].desc, got);
	}
	t = json_tokener_parse("{\"timezone\":\"Asia/Tokyo\"}");
	ok(strcmp(pb_user_timezone(t, "Europe/Paris"), "Asia/Tokyo") == 0,
	    "zone: the user's trait first");
	json_object_put(t);
	t = json_tokener_parse("{\"timezone\":\"../etc\"}");
	ok(strcmp(pb_user_timezone(t, "Europe/Paris"), "Europe/Paris") == 0,
	    "zone: an invalid trait falls back to the tenant's default");
	json_object_put(t);
	ok(strcmp(pb_user_timezone(NULL, NULL), "UTC") == 0, "zone: else UTC");
	ok(getenv("TZ") == NULL, "quiet hours leave TZ as they found it");
}

static void
test_uplift(void)
{
	struct pb_uplift u;
	size_t i;

	for (i = 0; i < sizeof(uplift_cases) / sizeof(uplift_cases[0]); i++) {
		pb_uplift_compute(uplift_cases[i].tu, uplift_cases[i].tc, uplift_cases[i].cu,
		    uplift_cases[i].cc, &u);
		ok(u.defined == uplift_cases[i].defined &&
		    fabs(u.difference - uplift_cases[i].diff) < 1e-5 &&
		    fabs(u.ci_lo - uplift_cases[i].lo) < 1e-5 &&
		    fabs(u.ci_hi - uplift_cases[i].hi) < 1e-5,
		    "uplift: %s (%.6f [%.6f, %.6f])", uplift_cases[i].desc, u.difference, u.ci_lo,
		    u.ci_hi);
	}
}

static void
test_names(void)
{
	enum pb_area a;
	enum pb_status s;
	enum pb_channel c;

	ok(pb_area_parse("churn_prevention", &a) == 0 && a == PB_AREA_CHURN_PREVENTION &&
	    strcmp(pb_area_name(a), "churn_prevention") == 0, "names: area round trip");
	ok(pb_area_parse("Winback", &a) == -1 && pb_area_parse(NULL, &a) == -1,
	    "names: unknown area");
	ok(pb_status_parse("archived", &s) == 0 && s == PB_STATUS_ARCHIVED, "names: status");
	ok(pb_channel_parse("external_action", &c) == 0 && c == PB_CHANNEL_EXTERNAL_ACTION &&
	    pb_channel_name(PB_CHANNEL__MAX) == NULL, "names: channel");
}

int
main(void)
{
	unsetenv("TZ");
	test_names();
	test_parse();
	test_eval();
	test_constraints();
	test_hints();
	test_holdout();
	test_quiet();
	test_uplift();
	return tap_done();
}
