/*
 * playbook.h — playbooks: which users to reach (entry and exit conditions),
 * how (constraints: channel, approval, cooldown, frequency cap, quiet hours,
 * win-back day offset, holdout) and with what message (strategy hints).
 *
 * Three layers, one header:
 *  - pure rules (playbook.c): parse and validate the JSON a client sends,
 *    evaluate conditions against a user snapshot, holdout membership,
 *    quiet hours, the uplift statistics. No I/O, unit-tested.
 *  - storage (playbook_store.c): CRUD on `playbooks`, the JSON object of
 *    the API, the active playbooks of a tenant for the evaluate job, and
 *    the conversions the uplift report and success_rate count.
 *  - the starter set (playbook_starter.c).
 *
 * Condition syntax (doc/playbooks.md has the full grammar):
 *   {"stages": ["active", "at_risk"], "risk_levels": ["high"],
 *    "match": "all" | "any",                  (how rules combine; default all)
 *    "rules": ["expansion_score >= 0.7", "days_since_last_activity >= 5",
 *              "did_not feature_used within 7 days", "trait.plan == pro"]}
 * stages and risk_levels always both hold when present; rules combine by
 * match. An empty entry condition matches everyone; an empty exit
 * condition is never met.
 */
#ifndef RETIVO_PLAYBOOK_H
#define RETIVO_PLAYBOOK_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

enum pb_area {
	PB_AREA_ONBOARDING,
	PB_AREA_CHURN_PREVENTION,
	PB_AREA_RETENTION,
	PB_AREA_UPSELL,
	PB_AREA_WINBACK,
	PB_AREA__MAX
};

enum pb_status {
	PB_STATUS_DRAFT,
	PB_STATUS_ACTIVE,
	PB_STATUS_PAUSED,
	PB_STATUS_ARCHIVED,
	PB_STATUS__MAX
};

enum pb_channel {
	PB_CHANNEL_EMAIL,
	PB_CHANNEL_WEBHOOK,
	PB_CHANNEL_EXTERNAL_ACTION,
	PB_CHANNEL_ESCALATION,
	PB_CHANNEL__MAX
};

/* Names as stored and shown ("churn_prevention"); NULL when out of range. */
const char *pb_area_name(enum pb_area a);
const char *pb_status_name(enum pb_status s);
const char *pb_channel_name(enum pb_channel c);
/* Name → value: 0 and *out set, -1 when unknown. */
int pb_area_parse(const char *s, enum pb_area *out);
int pb_status_parse(const char *s, enum pb_status *out);
int pb_channel_parse(const char *s, enum pb_channel *out);

/* ---- conditions ------------------------------------------------------ */

/* Parsed conditions; opaque. */
struct pb_cond;

/*
 * Parses and validates a conditions object (json may be NULL: the empty
 * condition). On success returns a new pb_cond (free with pb_cond_free).
 * On failure returns NULL and writes into field the path of the bad
 * clause relative to the object ("rules[1]", "stages[0]", "match") and
 * into msg a human sentence; the caller prefixes the field with the
 * member name ("entry_conditions.rules[1]").
 */
struct pb_cond *pb_cond_parse(struct json_object *json, char *field, size_t fieldsz,
    char *msg, size_t msgsz);
void pb_cond_free(struct pb_cond *c);
/* 1 when the condition has no stage, risk or rule clause at all. */
int pb_cond_empty(const struct pb_cond *c);

/*
 * The events a condition's did/did_not clauses ask about, so a caller can
 * prefetch counts: calls fn(ctx, event, within_days) once per clause.
 */
void pb_cond_events(const struct pb_cond *c,
    void (*fn)(void *ctx, const char *event, int within_days), void *ctx);

/*
 * A user as conditions see it. Strings and traits are borrowed. Days are
 * whole or fractional days; a negative value means unknown (no activity
 * yet, stage never changed) and makes every comparison on it false.
 * event_count answers "how many EVENT did the user track within the last
 * N days" (a DB query in the job, a table in the unit test); -1 is an
 * error, which makes the clause false and sets pb_eval's *error.
 */
struct pb_user {
	const char	*user_id;
	const char	*stage;			/* new|onboarding|active|at_risk|churned|recovered */
	const char	*risk_level;		/* low|medium|high */
	double		 activation_score;
	double		 engagement_score;
	double		 expansion_score;
	double		 days_since_last_activity;
	double		 days_in_stage;
	double		 days_since_first_seen;
	struct json_object *traits;		/* object or NULL */
	long long	(*event_count)(void *ctx, const char *event, int within_days);
	void		*event_ctx;
};

/*
 * Evaluates c for u. Returns 1 when it holds, 0 when not. When why is not
 * NULL, writes a short explanation ("stage active; expansion_score 0.82 >=
 * 0.7; did_not feature_used within 7 days (0 events)") of the clauses that
 * decided, for the dry-run. *error (if not NULL) is set to 1 when an
 * event count failed.
 */
int pb_cond_eval(const struct pb_cond *c, const struct pb_user *u, char *why, size_t whysz,
    int *error);

/* ---- constraints ----------------------------------------------------- */

/*
 * Constraints with their defaults applied. Defaults: channel email,
 * approval_required true, cooldown_days 7, no frequency cap (cap_max 0),
 * no quiet hours (quiet_start_min -1), no win-back offset (-1),
 * holdout_percent 10.
 */
struct pb_constraints {
	enum pb_channel	channel;
	int		approval_required;
	int		cooldown_days;		/* 0..365 */
	int		cap_max;		/* 0 = no cap; else 1..100 */
	int		cap_per_days;		/* 1..365 when cap_max > 0 */
	int		quiet_start_min;	/* minutes after local midnight, -1 none */
	int		quiet_end_min;		/* end is exclusive; may be < start (overnight) */
	int		winback_day_offset;	/* 1..365 or -1 */
	int		holdout_percent;	/* 0..50 */
	char		action_type[65];	/* external_action: the action type's name, else "" */
	char		severity[16];		/* escalation: low|medium|high|critical (default medium) */
};

/*
 * Parses constraints (json may be NULL: all defaults) for a playbook of
 * area. Win-back playbooks require winback_day_offset, other areas refuse
 * it; external_action requires action_type. Returns 0, or -1 with field
 * ("frequency_cap.max") and msg set as pb_cond_parse.
 */
int pb_constraints_parse(struct json_object *json, enum pb_area area,
    struct pb_constraints *out, char *field, size_t fieldsz, char *msg, size_t msgsz);

/*
 * Validates strategy_hints: an object of {"tone", "subject", "template",
 * "html_template", "goal", "cta_url", "offer", "prompt"} strings and
 * "use_llm" (bool), all optional and bounded; the three templates must
 * pass template_check() (lib/template.h; message.h reads them). Returns 0,
 * or -1 with field/msg.
 */
int pb_hints_validate(struct json_object *json, char *field, size_t fieldsz,
    char *msg, size_t msgsz);

/* ---- holdout, quiet hours, uplift ------------------------------------ */

/*
 * The user's stable bucket 0..99 for a playbook: the first 8 bytes of
 * SHA-256(playbook_id "\n" user_id), big-endian, mod 100. Stable across
 * runs and hosts, independent per playbook.
 */
int pb_holdout_bucket(const char *playbook_id, const char *user_id);
/* 1 when the user is in the playbook's control group (bucket < percent). */
int pb_in_holdout(const char *playbook_id, const char *user_id, int percent);

/*
 * The user's zone: traits.timezone when it is a valid zone name, else
 * tenant_default when valid, else "UTC". Returns a borrowed string.
 */
const char *pb_user_timezone(struct json_object *traits, const char *tenant_default);

/*
 * The first instant >= now that lies outside the constraints' quiet hours
 * in zone tz (IANA name; falls back to UTC when unknown). Returns now when
 * there are no quiet hours or now is already outside them.
 */
int64_t pb_quiet_next_allowed(const struct pb_constraints *k, const char *tz, int64_t now);

/*
 * Two-proportion comparison for the uplift report: rates, difference
 * (treated - control) and its 95% interval by the normal approximation
 * (unpooled standard error). A group with no users has rate 0 and the
 * interval is [0, 0] with *defined 0 when either group is empty.
 */
struct pb_uplift {
	double	treated_rate;
	double	control_rate;
	double	difference;
	double	ci_lo;
	double	ci_hi;
	int	defined;
};
void pb_uplift_compute(long long treated_users, long long treated_conv,
    long long control_users, long long control_conv, struct pb_uplift *out);

/* ---- storage (playbook_store.c) -------------------------------------- */

/* A stored playbook with its parsed rules, as the evaluate job uses it. */
struct playbook {
	char			 id[48];
	char			*name;
	enum pb_area		 area;
	enum pb_status		 status;
	struct pb_cond		*entry;
	struct pb_cond		*exit;
	struct pb_constraints	 constraints;
	struct json_object	*hints;		/* strategy_hints object (owned) */
	char			*starter_key;	/* NULL unless installed from the starter set */
	int64_t			 created_at;
	int64_t			 updated_at;
};

/* Frees what p holds (not p). */
void playbook_clear(struct playbook *p);

/*
 * Loads one of the tenant's playbooks: 0, 1 not found, -1 error. Stored
 * rules that no longer parse (never expected) are an error.
 */
int playbook_load(const char *tenant_id, const char *id, struct playbook *p);

/*
 * The tenant's active playbooks, oldest first: a new array in *out of *n
 * entries (free with playbook_free_array). Returns 0 or -1.
 */
int playbook_list_active(const char *tenant_id, struct playbook **out, size_t *n);
void playbook_free_array(struct playbook *arr, size_t n);

/*
 * "did EVENT within N days" for the evaluate job: how many events named
 * event the user tracked in (now - days, now]. -1 on error. Usable as
 * pb_user.event_count through playbook_event_ctx.
 */
long long playbook_user_event_count(const char *tenant_id, const char *user_id,
    const char *event, int64_t since, int64_t now);
struct playbook_event_ctx {
	const char	*tenant_id;
	const char	*user_id;
	int64_t		 now;
};
long long playbook_event_count_cb(void *ctx /* struct playbook_event_ctx * */,
    const char *event, int within_days);

/*
 * Fills u from the tenant's users row (strings point into storage owned
 * by *holder, freed with json_object_put; traits too), with event_count
 * wired to playbook_event_count_cb over ctx (which the caller keeps alive).
 * Returns 0, 1 user not found, -1 error.
 */
int playbook_user_load(const char *tenant_id, const char *user_id, int64_t now,
    struct pb_user *u, struct playbook_event_ctx *ctx, struct json_object **holder);

/* How long after an intervention its user's conversion still counts. */
#define PB_CONVERSION_WINDOW_DAYS 90

/*
 * Records conversions for the playbook (NULL: every non-draft playbook of
 * the tenant): each user with a delivered (treated) or control
 * intervention of it created in the last PB_CONVERSION_WINDOW_DAYS and no
 * conversion yet, whose exit condition holds at now, gets a
 * playbook_conversions row at now. Conversions are thus observed (by the
 * report and by each evaluate run), never inferred backwards. 0 or -1.
 */
int playbook_conversions_refresh(const char *tenant_id, const char *playbook_id, int64_t now);

/* The API object of a playbook (new), NULL when absent (*found 0) or on error. */
struct json_object *playbook_get_json(const char *tenant_id, const char *id, int *found);

/* ---- the API's writes and reads (playbook_store.c) ------------------- */

/*
 * A playbook as the API writes it: JSON texts already validated by the
 * pb_* parsers (the route merges a partial update over the stored row and
 * validates the whole before saving).
 */
struct playbook_row {
	char		 id[48];
	const char	*name;
	enum pb_area	 area;
	enum pb_status	 status;
	const char	*entry_conditions;	/* JSON texts */
	const char	*exit_conditions;
	const char	*constraints;
	const char	*strategy_hints;
	const char	*starter_key;		/* NULL for the client's own */
};

/* Inserts r (r->id is generated). Returns 0, 1 when starter_key is
 * already installed for the tenant, -1 on error. */
int playbook_insert(const char *tenant_id, struct playbook_row *r, int64_t now);

/* Writes every field of r (except starter_key) over the tenant's row
 * r->id: 0, 1 not found, -1 error. */
int playbook_save(const char *tenant_id, const struct playbook_row *r, int64_t now);

/*
 * Loads the stored fields as text (for merging an update): a new JSON
 * object {"name", "lifecycle_area", "status", "entry_conditions",
 * "exit_conditions", "constraints", "strategy_hints"} with the four rule
 * members parsed. NULL when absent (*found 0) or on error (*found 1).
 */
struct json_object *playbook_load_fields(const char *tenant_id, const char *id, int *found);

/* The tenant's playbooks installed from the starter set, oldest first:
 * a new array, NULL on error. */
struct json_object *playbook_list_starter_json(const char *tenant_id);

/* Sets status archived: 0, 1 not found, -1 error. */
int playbook_archive(const char *tenant_id, const char *id, int64_t now);

/*
 * Lists newest first with optional filters (area/status NULL = any),
 * after the id cursor: a new array and *has_more, NULL on error.
 */
struct json_object *playbook_list_json(const char *tenant_id, const char *area,
    const char *status, int limit, const char *cursor, int *has_more);

/*
 * The uplift report of the playbook at now (conversions refreshed first):
 * a new object {"playbook_id", "treated": {"users", "conversions", "rate"},
 * "control": {...}, "difference", "ci95": [lo, hi], "method", ...}. NULL
 * when absent (*found 0) or on error (*found 1).
 */
struct json_object *playbook_report_json(const char *tenant_id, const char *id, int64_t now,
    int *found);

/* ---- starter set (playbook_starter.c) -------------------------------- */

/*
 * Installs the starter playbooks the tenant does not have yet (by
 * starter_key), as active when activate else draft. Idempotent: *installed
 * counts the new ones. Returns 0 or -1.
 */
int playbook_starter_install(const char *tenant_id, int activate, int64_t now,
    int *installed);

#endif
