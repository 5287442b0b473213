/*
 * playbook_rules.c — see playbook.h: the pure rules of playbooks besides
 * conditions: the names of areas, statuses and channels, constraints and strategy hints as a client writes them,
 * holdout membership, quiet hours in the user's zone and the uplift
 * statistics. No database; unit-tested in tests/unit/test_playbook.c.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto.h"
#include "jsonin.h"
#include "names.h"
#include "playbook.h"
#include "template.h"
#include "timeutil.h"

static const char *const area_names[PB_AREA__MAX] = {
	"onboarding", "churn_prevention", "retention", "upsell", "winback"
};
static const char *const status_names[PB_STATUS__MAX] = {
	"draft", "active", "paused", "archived"
};
static const char *const channel_names[PB_CHANNEL__MAX] = {
	"email", "webhook", "external_action", "escalation"
};

const char *
pb_area_name(enum pb_area a)
{
	return names_at(area_names, PB_AREA__MAX, (int)a);
}

const char *
pb_status_name(enum pb_status s)
{
	return names_at(status_names, PB_STATUS__MAX, (int)s);
}

const char *
pb_channel_name(enum pb_channel c)
{
	return names_at(channel_names, PB_CHANNEL__MAX, (int)c);
}

int
pb_area_parse(const char *s, enum pb_area *out)
{
	int	 i = names_index(area_names, PB_AREA__MAX, s);

	if (i < 0)
		return -1;
	*out = (enum pb_area)i;
	return 0;
}

int
pb_status_parse(const char *s, enum pb_status *out)
{
	int	 i = names_index(status_names, PB_STATUS__MAX, s);

	if (i < 0)
		return -1;
	*out = (enum pb_status)i;
	return 0;
}

int
pb_channel_parse(const char *s, enum pb_channel *out)
{
	int	 i = names_index(channel_names, PB_CHANNEL__MAX, s);

	if (i < 0)
		return -1;
	*out = (enum pb_channel)i;
	return 0;
}

/* Copies the failure of v out as field (relative) and msg (without the
 * "field: " that jsonin puts in front). */
static int
in_failure(const struct in *v, char *field, size_t fieldsz, char *msg, size_t msgsz)
{
	size_t flen = strlen(v->field);
	const char *m = v->msg;

	snprintf(field, fieldsz, "%s", v->field);
	if (strncmp(m, v->field, flen) == 0 && strncmp(m + flen, ": ", 2) == 0)
		m += flen + 2;
	snprintf(msg, msgsz, "%s", m);
	return -1;
}

/* "HH:MM" (00:00..23:59) → minutes after midnight, -1 when malformed. */
static int
parse_hhmm(const char *s)
{
	if (strlen(s) != 5 || s[2] != ':' || s[0] < '0' || s[0] > '2' || s[1] < '0' ||
	    s[1] > '9' || s[3] < '0' || s[3] > '5' || s[4] < '0' || s[4] > '9')
		return -1;
	if ((s[0] - '0') * 10 + (s[1] - '0') > 23)
		return -1;
	return ((s[0] - '0') * 10 + (s[1] - '0')) * 60 + (s[3] - '0') * 10 + (s[4] - '0');
}

int
pb_constraints_parse(struct json_object *json, enum pb_area area,
    struct pb_constraints *out, char *field, size_t fieldsz, char *msg, size_t msgsz)
{
	static const char *const fields[] = { "channel", "approval_required", "cooldown_days",
	    "frequency_cap", "quiet_hours", "winback_day_offset", "holdout_percent",
	    "action_type", "severity", NULL };
	static const char *const channels[] = { "email", "webhook", "external_action",
	    "escalation", NULL };
	static const char *const severities[] = { "low", "medium", "high", "critical", NULL };
	static const char *const cap_fields[] = { "max", "per_days", NULL };
	static const char *const quiet_fields[] = { "start", "end", NULL };
	struct json_object *o;
	struct in v, w;
	const char *s;
	int k;

	memset(out, 0, sizeof(*out));
	out->channel = PB_CHANNEL_EMAIL;
	out->approval_required = 1;
	out->cooldown_days = 7;
	out->quiet_start_min = out->quiet_end_min = -1;
	out->winback_day_offset = -1;
	out->holdout_percent = 10;
	snprintf(out->severity, sizeof(out->severity), "medium");
	if (json == NULL)
		goto area;
	if (!json_object_is_type(json, json_type_object)) {
		snprintf(field, fieldsz, "%s", "");
		snprintf(msg, msgsz, "must be an object");
		return -1;
	}
	in_init(&v, json, NULL);
	in_only(&v, fields);
	if ((k = in_enum(&v, "channel", 0, channels)) >= 0)
		out->channel = (enum pb_channel)k;
	out->approval_required = in_bool(&v, "approval_required", 0, 1);
	out->cooldown_days = (int)in_int(&v, "cooldown_days", 0, 0, 365, 7);
	if ((o = in_obj(&v, "frequency_cap", 0)) != NULL && !v.failed) {
		in_init(&w, o, "frequency_cap.");
		in_only(&w, cap_fields);
		out->cap_max = (int)in_int(&w, "max", IN_REQUIRED, 1, 100, 0);
		out->cap_per_days = (int)in_int(&w, "per_days", IN_REQUIRED, 1, 365, 0);
		if (w.failed)
			return in_failure(&w, field, fieldsz, msg, msgsz);
	}
	if ((o = in_obj(&v, "quiet_hours", 0)) != NULL && !v.failed) {
		in_init(&w, o, "quiet_hours.");
		in_only(&w, quiet_fields);
		if ((s = in_str(&w, "start", IN_REQUIRED, 5, 5)) != NULL &&
		    (out->quiet_start_min = parse_hhmm(s)) < 0)
			in_fail(&w, "start", "invalid_field", "must be a time HH:MM (00:00-23:59)");
		if ((s = in_str(&w, "end", IN_REQUIRED, 5, 5)) != NULL &&
		    (out->quiet_end_min = parse_hhmm(s)) < 0)
			in_fail(&w, "end", "invalid_field", "must be a time HH:MM (00:00-23:59)");
		if (!w.failed && out->quiet_start_min == out->quiet_end_min)
			in_fail(&w, "end", "invalid_field", "must differ from start");
		if (w.failed)
			return in_failure(&w, field, fieldsz, msg, msgsz);
	}
	out->winback_day_offset = (int)in_int(&v, "winback_day_offset", 0, 1, 365, -1);
	out->holdout_percent = (int)in_int(&v, "holdout_percent", 0, 0, 50, 10);
	if ((s = in_str(&v, "action_type", 0, 1, 64)) != NULL)
		snprintf(out->action_type, sizeof(out->action_type), "%s", s);
	if ((k = in_enum(&v, "severity", 0, severities)) >= 0)
		snprintf(out->severity, sizeof(out->severity), "%s", severities[k]);
	if (v.failed)
		return in_failure(&v, field, fieldsz, msg, msgsz);
area:
	/* Cross-field rules, after each field was valid on its own. */
	if (area == PB_AREA_WINBACK && out->winback_day_offset < 0) {
		snprintf(field, fieldsz, "winback_day_offset");
		snprintf(msg, msgsz, "is required for a winback playbook (days after churn: "
		    "one of the tenant's winback_days, default 7, 30 or 60)");
		return -1;
	}
	if (area != PB_AREA_WINBACK && out->winback_day_offset >= 0) {
		snprintf(field, fieldsz, "winback_day_offset");
		snprintf(msg, msgsz, "applies only to winback playbooks");
		return -1;
	}
	if (out->channel == PB_CHANNEL_EXTERNAL_ACTION && out->action_type[0] == '\0') {
		snprintf(field, fieldsz, "action_type");
		snprintf(msg, msgsz, "is required for the external_action channel "
		    "(the name of one of the tenant's action types)");
		return -1;
	}
	if (out->channel != PB_CHANNEL_EXTERNAL_ACTION && out->action_type[0] != '\0') {
		snprintf(field, fieldsz, "action_type");
		snprintf(msg, msgsz, "applies only to the external_action channel");
		return -1;
	}
	return 0;
}

int
pb_hints_validate(struct json_object *json, char *field, size_t fieldsz,
    char *msg, size_t msgsz)
{
	static const char *const fields[] = { "tone", "subject", "template", "html_template",
	    "goal", "cta_url", "offer", "prompt", "use_llm", NULL };
	static const char *const templates[] = { "subject", "template", "html_template" };
	struct in v;
	const char *t;
	char err[200];
	size_t i;

	if (json == NULL)
		return 0;
	if (!json_object_is_type(json, json_type_object)) {
		snprintf(field, fieldsz, "%s", "");
		snprintf(msg, msgsz, "must be an object");
		return -1;
	}
	in_init(&v, json, NULL);
	in_only(&v, fields);
	(void)in_str(&v, "tone", 0, 1, 100);
	(void)in_str(&v, "subject", 0, 1, 150);
	(void)in_str(&v, "template", 0, 1, 20000);
	(void)in_str(&v, "html_template", 0, 1, 50000);
	(void)in_str(&v, "goal", 0, 1, 500);
	(void)in_str(&v, "cta_url", 0, 1, 2048);
	(void)in_str(&v, "offer", 0, 1, 500);
	(void)in_str(&v, "prompt", 0, 1, 2000);
	(void)in_bool(&v, "use_llm", 0, 1);
	/* Templates are checked when saved, so evaluation never meets a
	 * syntax error (template.h). */
	for (i = 0; !v.failed && i < sizeof(templates) / sizeof(templates[0]); i++)
		if ((t = in_str(&v, templates[i], 0, 1, 50000)) != NULL &&
		    template_check(t, err, sizeof(err)) != 0)
			in_fail(&v, templates[i], "invalid_field", "template error at %s", err);
	if (v.failed)
		return in_failure(&v, field, fieldsz, msg, msgsz);
	return 0;
}

int
pb_holdout_bucket(const char *playbook_id, const char *user_id)
{
	char hex[CRYPTO_SHA256_HEX_LEN + 1];
	size_t lp = strlen(playbook_id), lu = strlen(user_id);
	unsigned long long x = 0;
	char *buf;
	int i;

	/* A newline cannot occur in a playbook id, so the pair is unambiguous. */
	if ((buf = malloc(lp + lu + 2)) == NULL)
		return 99;	/* treated: never withholds by accident */
	memcpy(buf, playbook_id, lp);
	buf[lp] = '\n';
	memcpy(buf + lp + 1, user_id, lu + 1);
	crypto_sha256_hex(buf, lp + lu + 1, hex);
	free(buf);
	if (hex[0] == '\0')
		return 99;
	/* The first 8 bytes, big-endian: 16 hex digits. */
	for (i = 0; i < 16; i++)
		x = (x << 4) | (unsigned)(hex[i] <= '9' ? hex[i] - '0' : hex[i] - 'a' + 10);
	return (int)(x % 100);
}

int
pb_in_holdout(const char *playbook_id, const char *user_id, int percent)
{
	return percent > 0 && pb_holdout_bucket(playbook_id, user_id) < percent;
}

const char *
pb_user_timezone(struct json_object *traits, const char *tenant_default)
{
	struct json_object *t;
	const char *s;

	if (traits != NULL && json_object_object_get_ex(traits, "timezone", &t) &&
	    json_object_is_type(t, json_type_string) &&
	    time_zone_name_valid(s = json_object_get_string(t)))
		return s;
	if (tenant_default != NULL && time_zone_name_valid(tenant_default))
		return tenant_default;
	return "UTC";
}

/* Switches TZ to zone (UTC when not a valid name), saving the old value. */
static void
tz_enter(const char *zone, char *saved, size_t savedsz, int *had)
{
	const char *old = getenv("TZ");

	*had = old != NULL;
	if (*had)
		snprintf(saved, savedsz, "%s", old);
	setenv("TZ", time_zone_name_valid(zone) ? zone : "UTC", 1);
	tzset();
}

static void
tz_leave(const char *saved, int had)
{
	if (had)
		setenv("TZ", saved, 1);
	else
		unsetenv("TZ");
	tzset();
}

/* 1 when minute m of the day lies in [start, end), which may wrap midnight. */
static int
in_quiet(int start, int end, int m)
{
	return start < end ? (m >= start && m < end) : (m >= start || m < end);
}

/*
 * The local wall clock of zone tz does the arithmetic: the end of the
 * window is "end o'clock" today or tomorrow, local, and mktime() turns
 * that into an instant, so a daylight-saving change inside the window is
 * handled by the zone's rules (an end time skipped by the spring change
 * reads as the hour after). TZ is switched for the call and restored:
 * jobs and FastCGI programs are single-threaded, and an unknown zone
 * reads as UTC (glibc's rule).
 */
int64_t
pb_quiet_next_allowed(const struct pb_constraints *k, const char *tz, int64_t now)
{
	char saved[256];
	time_t tt = (time_t)now, t;
	struct tm tm;
	int64_t out = now;
	int had, m;

	if (k->quiet_start_min < 0 || k->quiet_end_min < 0)
		return now;
	tz_enter(tz, saved, sizeof(saved), &had);
	if (localtime_r(&tt, &tm) == NULL)
		goto out;
	m = tm.tm_hour * 60 + tm.tm_min;
	if (!in_quiet(k->quiet_start_min, k->quiet_end_min, m))
		goto out;
	/* In an overnight window before midnight, the end is tomorrow. */
	if (k->quiet_start_min > k->quiet_end_min && m >= k->quiet_start_min)
		tm.tm_mday++;
	tm.tm_hour = k->quiet_end_min / 60;
	tm.tm_min = k->quiet_end_min % 60;
	tm.tm_sec = 0;
	tm.tm_isdst = -1;
	if ((t = mktime(&tm)) != (time_t)-1 && (int64_t)t > now)
		out = (int64_t)t;
out:
	tz_leave(saved, had);
	return out;
}

void
pb_uplift_compute(long long treated_users, long long treated_conv,
    long long control_users, long long control_conv, struct pb_uplift *out)
{
	double p1, p0, se;

	memset(out, 0, sizeof(*out));
	p1 = treated_users > 0 ? (double)treated_conv / (double)treated_users : 0;
	p0 = control_users > 0 ? (double)control_conv / (double)control_users : 0;
	out->treated_rate = p1;
	out->control_rate = p0;
	if (treated_users <= 0 || control_users <= 0)
		return;
	out->defined = 1;
	out->difference = p1 - p0;
	se = sqrt(p1 * (1 - p1) / (double)treated_users + p0 * (1 - p0) / (double)control_users);
	out->ci_lo = out->difference - 1.959964 * se;
	out->ci_hi = out->difference + 1.959964 * se;
}
