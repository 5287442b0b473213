/*
 * userscore.c — aggregating score inputs for batches of users with
 * set-based SQL, and writing scores, stages and transitions back in bulk
 * (see userscore.h). The batch's ids go into a MEMORY temporary table of
 * this connection, and the tenant's configured event names (milestones,
 * expansion signals) into another, so that three static statements joined
 * on them do the work of what would otherwise be one query per user or
 * per event. Every statement that reads tenant data names tenant_id = ?.
 */
#include "config.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "db.h"
#include "decision.h"
#include "lifecycle.h"
#include "log.h"
#include "scoring.h"
#include "settings.h"
#include "timeutil.h"
#include "userscore.h"

#define US_NAMES_MAX	(2 * SETTINGS_MAX_ITEMS * 10 + SETTINGS_MAX_ITEMS)
#define US_DEADLOCK_TRIES 3

static struct db_stmt us_batch_create = DB_STMT(
    "CREATE TEMPORARY TABLE IF NOT EXISTS score_batch ("
    " tenant_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,"
    " user_id VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,"
    " PRIMARY KEY (tenant_id, user_id) USING BTREE) ENGINE=MEMORY");
static struct db_stmt us_names_create = DB_STMT(
    "CREATE TEMPORARY TABLE IF NOT EXISTS score_names ("
    " tenant_id CHAR(36) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,"
    " name VARCHAR(200) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,"
    " PRIMARY KEY (tenant_id, name) USING BTREE) ENGINE=MEMORY");
static struct db_stmt us_batch_clear = DB_STMT("DELETE FROM score_batch");
static struct db_stmt us_names_clear = DB_STMT("DELETE FROM score_names");
static struct db_stmt us_batch_add = DB_STMT(
    "INSERT INTO score_batch (tenant_id, user_id) VALUES (?, ?)");
static struct db_stmt us_names_add = DB_STMT(
    "INSERT INTO score_names (tenant_id, name) VALUES (?, ?)");

/* Written as a GROUP BY so MariaDB jumps through events_name (a loose index
 * scan: one lookup per distinct name) instead of reading every entry. */
static struct db_stmt us_types_total = DB_STMT(
    "SELECT COUNT(*) FROM (SELECT name FROM events FORCE INDEX (events_name) "
    "WHERE tenant_id = ? GROUP BY tenant_id, name) t");

/* The users' rows and their last event at or before now (index events_user). */
static struct db_stmt us_users = DB_STMT(
    "SELECT STRAIGHT_JOIN u.user_id, u.lifecycle_stage, u.stage_changed_at, u.first_seen_at, "
    " u.activation_score, u.engagement_score, u.expansion_score, u.risk_level, u.scored_at, "
    " u.traits, (SELECT e.occurred_at FROM events e FORCE INDEX (events_user) "
    "  WHERE e.tenant_id = u.tenant_id "
    "  AND e.user_id = u.user_id AND e.occurred_at <= ? ORDER BY e.occurred_at DESC LIMIT 1) "
    "FROM score_batch b JOIN users u ON u.tenant_id = b.tenant_id AND u.user_id = b.user_id "
    "WHERE b.tenant_id = ?");

/* The window's counts, grouped by user (a range of events_user per user). */
static struct db_stmt us_window = DB_STMT(
    "SELECT STRAIGHT_JOIN e.user_id, COUNT(*), COUNT(DISTINCT DATE(e.occurred_at)), "
    " COUNT(DISTINCT e.name) "
    "FROM score_batch b JOIN events e FORCE INDEX (events_user) "
    " ON e.tenant_id = b.tenant_id AND e.user_id = b.user_id "
    "WHERE b.tenant_id = ? AND e.occurred_at > ? AND e.occurred_at <= ? GROUP BY e.user_id");

/* Which configured names each user has done ever / in the window. */
static struct db_stmt us_names_done = DB_STMT(
    "SELECT b.user_id, n.name, "
    " EXISTS (SELECT 1 FROM events e FORCE INDEX (events_user_name) WHERE "
    "  e.tenant_id = b.tenant_id AND e.user_id = b.user_id "
    "  AND e.name = n.name AND e.occurred_at <= ?) AS ever, "
    " EXISTS (SELECT 1 FROM events e FORCE INDEX (events_user_name) WHERE "
    "  e.tenant_id = b.tenant_id AND e.user_id = b.user_id "
    "  AND e.name = n.name AND e.occurred_at > ? AND e.occurred_at <= ?) AS recent "
    "FROM score_batch b STRAIGHT_JOIN score_names n ON n.tenant_id = b.tenant_id "
    "WHERE b.tenant_id = ? HAVING ever = 1");

/* Guarded by the stage read, so a row never moves from a stage it left. */
/* engagement_prev keeps the score this write replaces (assignments run left
 * to right), for the decision engine's trend clause; untouched when the
 * engagement does not change. */
static struct db_stmt us_update = DB_STMT(
    "UPDATE users SET engagement_prev = IF(ABS(engagement_score - ?) > 0.0000005, "
    " engagement_score, engagement_prev), "
    " activation_score = ?, engagement_score = ?, expansion_score = ?, "
    " risk_level = ?, lifecycle_stage = ?, stage_changed_at = ?, scored_at = ? "
    "WHERE tenant_id = ? AND user_id = ? AND lifecycle_stage = ?");
static struct db_stmt us_transition = DB_STMT(
    "INSERT INTO stage_transitions (tenant_id, user_id, from_stage, to_stage, reason, "
    " transitioned_at) VALUES (?, ?, ?, ?, ?, ?)");

/* One tenant's settings, reduced to what the batch needs. */
struct us_tenant {
	char		 id[40];
	unsigned	 window_days;
	struct lifecycle_thresholds th;
	long long	 types_total;
	char		*names[US_NAMES_MAX];	/* distinct configured event names */
	unsigned	 nnames;
	/* milestone m's names: name indexes, -1 terminated */
	short		 onb[SETTINGS_MAX_ITEMS][11], ret[SETTINGS_MAX_ITEMS][11];
	unsigned	 nonb, nret;
	short		 sig_name[SETTINGS_MAX_ITEMS];	/* event signal: name index */
	double		 sig_weight[SETTINGS_MAX_ITEMS];
	unsigned	 nsig;
	const char	*trait_key[SETTINGS_MAX_ITEMS];	/* into settings */
	double		 trait_threshold[SETTINGS_MAX_ITEMS];
	unsigned	 ntrait;
	struct tenant_settings ts;
	int		 loaded;
};

static struct us_tenant us_cur;

/* One user of a batch. */
struct us_user {
	const char	*user_id;
	int		 found;
	enum stage	 stage;
	char		 changed_at[TIME_SQL_SIZE];	/* "" when NULL */
	int64_t		 since;				/* stage began (or first seen) */
	double		 old[3];
	char		 old_risk[8];
	int		 scored;
	int64_t		 last_at;			/* -1: no event at or before now */
	struct score_input in;
};

static int
us_name_index(struct us_tenant *t, const char *name)
{
	unsigned i;

	for (i = 0; i < t->nnames; i++)
		if (strcmp(t->names[i], name) == 0)
			return (int)i;
	if (t->nnames == US_NAMES_MAX)
		return -1;
	t->names[t->nnames] = (char *)name;
	return (int)t->nnames++;
}

/* Reads [{key, name, events: [...]}] into idx (-1 terminated), *n milestones. */
static void
us_milestones(struct us_tenant *t, const char *key, short idx[][11], unsigned *n)
{
	struct json_object *list, *m, *events;
	size_t i, j, k;
	int x;

	*n = 0;
	if (!json_object_object_get_ex(t->ts.settings, key, &list) ||
	    !json_object_is_type(list, json_type_array))
		return;
	for (i = 0; i < json_object_array_length(list) && *n < SETTINGS_MAX_ITEMS; i++) {
		m = json_object_array_get_idx(list, i);
		if (!json_object_object_get_ex(m, "events", &events) ||
		    !json_object_is_type(events, json_type_array))
			continue;
		for (j = 0, k = 0; j < json_object_array_length(events) && k < 10; j++) {
			x = us_name_index(t, json_object_get_string(
			    json_object_array_get_idx(events, j)));
			if (x >= 0)
				idx[*n][k++] = (short)x;
		}
		idx[*n][k] = -1;
		(*n)++;
	}
}

/* Expansion signals: event ones by name index, trait ones by key. */
static void
us_signals(struct us_tenant *t)
{
	struct json_object *list, *s, *v;
	double w;
	size_t i;
	int x;

	t->nsig = t->ntrait = 0;
	if (!json_object_object_get_ex(t->ts.settings, "expansion_signals", &list) ||
	    !json_object_is_type(list, json_type_array))
		return;
	for (i = 0; i < json_object_array_length(list) && i < SETTINGS_MAX_ITEMS; i++) {
		s = json_object_array_get_idx(list, i);
		w = json_object_object_get_ex(s, "weight", &v) ? json_object_get_double(v) : 1;
		if (json_object_object_get_ex(s, "event", &v)) {
			if ((x = us_name_index(t, json_object_get_string(v))) < 0)
				continue;
			t->sig_name[t->nsig] = (short)x;
			t->sig_weight[t->nsig++] = w;
		} else if (json_object_object_get_ex(s, "trait", &v)) {
			t->trait_key[t->ntrait] = json_object_get_string(v);
			t->trait_threshold[t->ntrait++] =
			    json_object_object_get_ex(s, "threshold", &v) ?
			    json_object_get_double(v) : 0;
		}
	}
}

/* Makes us_cur the tenant's (settings, names table, breadth). 0 or -1. */
/* Overlays the tenant's lifecycle_thresholds setting on the defaults. */
static void
us_thresholds(struct us_tenant *t)
{
	struct json_object *o, *v;
	static const struct {
		const char *name;
		size_t off;
	} f[] = {
		{ "onboarding_activation", offsetof(struct lifecycle_thresholds, onboarding_activation) },
		{ "active_activation", offsetof(struct lifecycle_thresholds, active_activation) },
		{ "active_engagement", offsetof(struct lifecycle_thresholds, active_engagement) },
		{ "at_risk_engagement", offsetof(struct lifecycle_thresholds, at_risk_engagement) },
		{ "at_risk_days", offsetof(struct lifecycle_thresholds, at_risk_days) },
		{ "churn_days", offsetof(struct lifecycle_thresholds, churn_days) },
		{ "recovered_days", offsetof(struct lifecycle_thresholds, recovered_days) },
	};
	size_t i;

	if (!json_object_object_get_ex(t->ts.settings, "lifecycle_thresholds", &o) ||
	    !json_object_is_type(o, json_type_object))
		return;
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (json_object_object_get_ex(o, f[i].name, &v) &&
		    (json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int)))
			*(double *)(void *)((char *)&t->th + f[i].off) = json_object_get_double(v);
}

static int
us_tenant_load(const char *tenant_id)
{
	struct us_tenant *t = &us_cur;
	struct json_object *v;
	const char *tenants[US_NAMES_MAX];
	int rc;

	if (t->loaded && strcmp(t->id, tenant_id) == 0)
		return 0;
	if (t->loaded)
		settings_clear(&t->ts);
	memset(t, 0, sizeof(*t));
	if (settings_load(tenant_id, &t->ts) != 0)
		return -1;
	snprintf(t->id, sizeof(t->id), "%s", tenant_id);
	t->loaded = 1;
	t->window_days = json_object_object_get_ex(t->ts.settings, "engagement_window_days", &v) ?
	    (unsigned)json_object_get_int(v) : 14;
	if (t->window_days < 1)
		t->window_days = 14;
	lifecycle_defaults(&t->th);
	us_thresholds(t);
	us_milestones(t, "onboarding_milestones", t->onb, &t->nonb);
	us_milestones(t, "retention_milestones", t->ret, &t->nret);
	us_signals(t);

	if (db_exec(&us_types_total, "s", tenant_id) != 0)
		goto fail;
	t->types_total = db_fetch(&us_types_total) == 1 ? db_col_int(&us_types_total, 0) : 0;
	db_done(&us_types_total);
	if (db_exec(&us_names_create, "") != 0 || db_exec(&us_names_clear, "") != 0)
		goto fail;
	for (unsigned i = 0; i < t->nnames; i++)
		tenants[i] = t->id;
	rc = db_exec_bulk(&us_names_add, t->nnames, "ss", tenants, (const char *const *)t->names);
	if (rc != 0)
		goto fail;
	return 0;
fail:
	settings_clear(&t->ts);
	t->loaded = 0;
	return -1;
}

static int
us_user_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct us_user *)elem)->user_id);
}

static struct us_user *
us_find(struct us_user *u, size_t n, const char *user_id)
{
	return user_id == NULL ? NULL : bsearch(user_id, u, n, sizeof(*u), us_user_cmp);
}

/* The largest trait value / threshold over the trait signals, -1 if none. */
static double
us_limit_ratio(const struct us_tenant *t, const char *traits_text)
{
	struct json_object *traits, *v;
	double best = -1, r;
	unsigned i;

	if (t->ntrait == 0 || traits_text == NULL)
		return -1;
	if ((traits = json_tokener_parse(traits_text)) == NULL)
		return -1;
	for (i = 0; i < t->ntrait; i++) {
		if (t->trait_threshold[i] <= 0 || !json_object_object_get_ex(traits,
		    t->trait_key[i], &v) || !(json_object_is_type(v, json_type_int) ||
		    json_object_is_type(v, json_type_double)))
			continue;
		r = json_object_get_double(v) / t->trait_threshold[i];
		if (r > best)
			best = r;
	}
	json_object_put(traits);
	return best;
}

/* Fills the users' rows and last events (statement us_users). 0 or -1. */
static int
us_read_users(const struct us_tenant *t, struct us_user *u, size_t n, const char *nows)
{
	struct db_stmt *s = &us_users;
	struct us_user *x;
	int rc, st;

	if (db_exec(s, "ss", nows, t->id) != 0)
		return -1;
	while ((rc = db_fetch(s)) == 1) {
		if ((x = us_find(u, n, db_col(s, 0))) == NULL)
			continue;
		x->found = 1;
		st = lifecycle_stage_parse(db_col(s, 1));
		x->stage = st < 0 ? STAGE_NEW : (enum stage)st;
		snprintf(x->changed_at, sizeof(x->changed_at), "%s",
		    db_col(s, 2) ? db_col(s, 2) : "");
		if (time_parse_sql(x->changed_at[0] ? x->changed_at : (db_col(s, 3) ?
		    db_col(s, 3) : ""), &x->since) != 0)
			x->since = -1;
		x->old[0] = db_col_double(s, 4);
		x->old[1] = db_col_double(s, 5);
		x->old[2] = db_col_double(s, 6);
		snprintf(x->old_risk, sizeof(x->old_risk), "%s", db_col(s, 7) ? db_col(s, 7) : "");
		x->scored = db_col(s, 8) != NULL;
		x->in.limit_ratio = us_limit_ratio(t, db_col(s, 9));
		if (db_col(s, 10) == NULL || time_parse_sql(db_col(s, 10), &x->last_at) != 0)
			x->last_at = -1;
	}
	db_done(s);
	return rc < 0 ? -1 : 0;
}

/* Window counts and configured names done. 0 or -1. */
static int
us_read_events(const struct us_tenant *t, struct us_user *u, size_t n, const char *froms,
    const char *nows, unsigned char *ever, unsigned char *recent)
{
	struct db_stmt *s = &us_window;
	struct us_user *x;
	unsigned i;
	int rc;

	if (db_exec(s, "sss", t->id, froms, nows) != 0)
		return -1;
	while ((rc = db_fetch(s)) == 1) {
		if ((x = us_find(u, n, db_col(s, 0))) == NULL)
			continue;
		x->in.events_in_window = db_col_int(s, 1);
		x->in.active_days_in_window = (unsigned)db_col_int(s, 2);
		x->in.types_in_window = (unsigned)db_col_int(s, 3);
	}
	db_done(s);
	if (rc < 0 || t->nnames == 0)
		return rc < 0 ? -1 : 0;
	s = &us_names_done;
	if (db_exec(s, "ssss", nows, froms, nows, t->id) != 0)
		return -1;
	while ((rc = db_fetch(s)) == 1) {
		if ((x = us_find(u, n, db_col(s, 0))) == NULL || db_col(s, 1) == NULL)
			continue;
		for (i = 0; i < t->nnames; i++)
			if (strcmp(t->names[i], db_col(s, 1)) == 0)
				break;
		if (i == t->nnames)
			continue;
		ever[(size_t)(x - u) * t->nnames + i] = 1;
		recent[(size_t)(x - u) * t->nnames + i] = db_col_int(s, 3) != 0;
	}
	db_done(s);
	return rc < 0 ? -1 : 0;
}

/* How many of the n milestones have one of their names marked in done. */
static unsigned
us_count_done(short idx[][11], unsigned n, const unsigned char *done)
{
	unsigned m, k, count = 0;

	for (m = 0; m < n; m++)
		for (k = 0; idx[m][k] >= 0; k++)
			if (done[idx[m][k]]) {
				count++;
				break;
			}
	return count;
}

/* Completes x->in from the aggregates. Pure. */
static void
us_fill_input(struct us_tenant *t, struct us_user *x, const unsigned char *ever,
    const unsigned char *recent, int64_t now)
{
	struct score_input *in = &x->in;
	unsigned i;

	in->milestones_total = t->nonb;
	in->milestones_done = us_count_done(t->onb, t->nonb, ever);
	in->has_any_event = x->last_at >= 0;
	in->window_days = t->window_days;
	in->types_total = t->types_total > 0 ? (unsigned)t->types_total : 1;
	in->days_since_last = x->last_at >= 0 ? (double)(now - x->last_at) / 86400.0 : -1;
	in->retention_total = t->nret;
	in->retention_done = us_count_done(t->ret, t->nret, recent);
	in->signal_weight_done = in->signal_weight_total = 0;
	for (i = 0; i < t->nsig; i++) {
		in->signal_weight_total += t->sig_weight[i];
		if (recent[t->sig_name[i]])
			in->signal_weight_done += t->sig_weight[i];
	}
	in->previous_engagement = x->scored ? x->old[1] : -1;
}

/*
 * The rows to write: every column an array of n strings, and up to
 * US_STEPS_MAX transitions per user (one stage change can lead to another
 * on the same inputs: new → onboarding → active; each gets its row).
 */
#define US_STEPS_MAX 3

struct us_writes {
	const char	**col[10];
	char		(*num)[3][16];
	char		(*reason)[USERSCORE_REASON_MAX];
	const char	**tr[6];
	unsigned	  nw, nt;
};

static int
us_writes_alloc(struct us_writes *w, size_t n)
{
	unsigned i;

	memset(w, 0, sizeof(*w));
	for (i = 0; i < 10; i++)
		if ((w->col[i] = calloc(n, sizeof(char *))) == NULL)
			return -1;
	for (i = 0; i < 6; i++)
		if ((w->tr[i] = calloc(n * US_STEPS_MAX, sizeof(char *))) == NULL)
			return -1;
	if ((w->num = calloc(n, sizeof(*w->num))) == NULL ||
	    (w->reason = calloc(n * US_STEPS_MAX, sizeof(*w->reason))) == NULL)
		return -1;
	return 0;
}

static void
us_writes_free(struct us_writes *w)
{
	unsigned i;

	for (i = 0; i < 10; i++)
		free(w->col[i]);
	for (i = 0; i < 6; i++)
		free(w->tr[i]);
	free(w->num);
	free(w->reason);
}

/*
 * Scores x and queues its row in w if anything changed, with a transition
 * per stage step. lifecycle_next() takes one step a call; later steps are
 * asked with days_in_stage 0 and no return, as lifecycle.c prescribes.
 */
static void
us_decide(struct us_tenant *t, struct us_user *x, int64_t now, const char *nows,
    struct us_writes *w)
{
	struct scores sc;
	enum stage cur = x->stage, next;
	const char *risk;
	double days_in_stage;
	unsigned r = w->nw, i, step;
	int returned;

	scoring_compute(&x->in, &sc);
	days_in_stage = x->since >= 0 ? (double)(now - x->since) / 86400.0 : 0;
	returned = x->last_at >= 0 && x->since >= 0 && x->last_at > x->since;
	for (step = 0; step < US_STEPS_MAX; step++) {
		char *reason = w->reason[w->nt];

		reason[0] = '\0';
		next = lifecycle_next(cur, &sc, x->in.days_since_last, days_in_stage, returned,
		    &t->th, reason, USERSCORE_REASON_MAX);
		if ((unsigned)next >= STAGE__MAX || next == cur)
			break;
		if (reason[0] == '\0')
			snprintf(reason, USERSCORE_REASON_MAX, "%s to %s",
			    lifecycle_stage_name(cur), lifecycle_stage_name(next));
		w->tr[0][w->nt] = t->id;
		w->tr[1][w->nt] = x->user_id;
		w->tr[2][w->nt] = lifecycle_stage_name(cur);
		w->tr[3][w->nt] = lifecycle_stage_name(next);
		w->tr[4][w->nt] = reason;
		w->tr[5][w->nt] = nows;
		w->nt++;
		cur = next;
		days_in_stage = 0;
		returned = 0;
	}
	risk = scoring_risk_name(sc.risk);
	snprintf(w->num[r][0], sizeof(w->num[r][0]), "%.6f", sc.activation);
	snprintf(w->num[r][1], sizeof(w->num[r][1]), "%.6f", sc.engagement);
	snprintf(w->num[r][2], sizeof(w->num[r][2]), "%.6f", sc.expansion);
	for (i = 0; i < 3; i++)
		if (fabs(strtod(w->num[r][i], NULL) - x->old[i]) > 5e-7)
			break;
	if (i == 3 && cur == x->stage && strcmp(risk, x->old_risk) == 0)
		return;
	w->col[0][r] = w->num[r][0];
	w->col[1][r] = w->num[r][1];
	w->col[2][r] = w->num[r][2];
	w->col[3][r] = risk;
	w->col[4][r] = lifecycle_stage_name(cur);
	w->col[5][r] = cur != x->stage ? nows : (x->changed_at[0] ? x->changed_at : NULL);
	w->col[6][r] = nows;
	w->col[7][r] = t->id;
	w->col[8][r] = x->user_id;
	w->col[9][r] = lifecycle_stage_name(x->stage);
	w->nw++;
}

/*
 * The behaviour credit of the batch's improving transitions (lib/decision.h),
 * inside the batch's transaction. Adds the decisions credited to *credited;
 * 0 or -1.
 */
static int
us_credit(const struct us_writes *w, int64_t now, long long *credited)
{
	long long n;
	unsigned i;

	for (i = 0; i < w->nt; i++) {
		if (!decision_stage_improved(w->tr[2][i], w->tr[3][i]))
			continue;
		if ((n = decision_behaviour_credit(w->tr[0][i], w->tr[1][i], now)) < 0)
			return -1;
		*credited += n;
	}
	return 0;
}

/* The bulk writes in one transaction, retried on a deadlock. 0 or -1. */
static int
us_write(const struct us_writes *w, int64_t now, long long *credited)
{
	unsigned err;
	long long got;
	int try;

	for (try = 1; ; try++) {
		got = 0;
		if (db_begin() != 0)
			return -1;
		if (db_exec_bulk(&us_update, w->nw, "sssssssssss", w->col[1], w->col[0], w->col[1],
		    w->col[2], w->col[3], w->col[4], w->col[5], w->col[6], w->col[7], w->col[8],
		    w->col[9]) == 0 && db_exec_bulk(&us_transition, w->nt, "ssssss", w->tr[0],
		    w->tr[1], w->tr[2], w->tr[3], w->tr[4], w->tr[5]) == 0 &&
		    us_credit(w, now, &got) == 0 && db_commit() == 0) {
			*credited += got;
			return 0;
		}
		err = db_errno();
		db_rollback();
		if (!db_err_retryable(err) ||
		    try == US_DEADLOCK_TRIES)
			return -1;
		log_warn("userscore: deadlock writing a batch, retrying");
	}
}

int
userscore_batch(const char *tenant_id, const char *const *user_ids, size_t n, int64_t now,
    struct userscore_stats *st)
{
	struct us_tenant *t = &us_cur;
	struct us_user *u = NULL;
	unsigned char *ever = NULL, *recent = NULL;
	const char **tenants = NULL;
	struct us_writes w;
	char nows[TIME_SQL_SIZE], froms[TIME_SQL_SIZE];
	size_t i, nn;
	int rc = -1;

	memset(&w, 0, sizeof(w));
	if (n == 0 || n > USERSCORE_BATCH_MAX)
		return n == 0 ? 0 : -1;
	if (us_tenant_load(tenant_id) != 0)
		return -1;
	nn = t->nnames ? t->nnames : 1;
	if ((u = calloc(n, sizeof(*u))) == NULL || (tenants = calloc(n, sizeof(char *))) == NULL ||
	    (ever = calloc(n, nn)) == NULL || (recent = calloc(n, nn)) == NULL ||
	    us_writes_alloc(&w, n) != 0) {
		log_err("userscore: out of memory for a batch of %zu", n);
		goto out;
	}
	for (i = 0; i < n; i++) {
		u[i].user_id = user_ids[i];
		u[i].last_at = -1;
		tenants[i] = t->id;
	}
	time_format_sql(now, nows);
	time_format_sql(now - (int64_t)t->window_days * 86400, froms);
	if (db_exec(&us_batch_create, "") != 0 || db_exec(&us_batch_clear, "") != 0 ||
	    db_exec_bulk(&us_batch_add, (unsigned)n, "ss", tenants, user_ids) != 0)
		goto out;
	if (us_read_users(t, u, n, nows) != 0 ||
	    us_read_events(t, u, n, froms, nows, ever, recent) != 0)
		goto out;
	for (i = 0; i < n; i++) {
		if (!u[i].found)
			continue;
		st->scanned++;
		us_fill_input(t, &u[i], ever + i * nn, recent + i * nn, now);
		us_decide(t, &u[i], now, nows, &w);
	}
	if (w.nw > 0 && us_write(&w, now, &st->credited) != 0)
		goto out;
	st->updated += w.nw;
	st->transitions += w.nt;
	rc = 0;
out:
	us_writes_free(&w);
	free(recent);
	free(ever);
	free(tenants);
	free(u);
	return rc;
}

void
userscore_done(void)
{
	if (us_cur.loaded)
		settings_clear(&us_cur.ts);
	memset(&us_cur, 0, sizeof(us_cur));
}
