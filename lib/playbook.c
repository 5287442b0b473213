/*
 * playbook.c — see playbook.h: the condition language of playbooks
 * (entry and exit conditions): parsing with the clause named on error,
 * and evaluation against a user. Pure; unit-tested in
 * tests/unit/test_playbook.c.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "playbook.h"

/* ---- conditions ------------------------------------------------------ */

#define PB_MAX_RULES	20
#define PB_RULE_MAX	300
#define PB_EVENT_MAX	200
#define PB_TRAIT_MAX	64

static const char *const stage_names[] = {
	"new", "onboarding", "active", "at_risk", "churned", "recovered"
};
#define N_STAGES ((int)(sizeof(stage_names) / sizeof(stage_names[0])))
static const char *const risk_names[] = { "low", "medium", "high" };
#define N_RISKS ((int)(sizeof(risk_names) / sizeof(risk_names[0])))

enum pb_metric {
	M_ACTIVATION, M_ENGAGEMENT, M_EXPANSION, M_DAYS_INACTIVE, M_DAYS_IN_STAGE,
	M_DAYS_SEEN, M__MAX
};
static const char *const metric_names[M__MAX] = {
	"activation_score", "engagement_score", "expansion_score",
	"days_since_last_activity", "days_in_stage", "days_since_first_seen"
};

enum pb_op { OP_GE, OP_GT, OP_LE, OP_LT, OP_EQ, OP_NE, OP__MAX };
/* Two-character operators first so ">=" is not read as ">". */
static const char *const op_names[OP__MAX] = { ">=", ">", "<=", "<", "==", "!=" };

enum pb_clause_kind { CL_METRIC, CL_TRAIT, CL_DID, CL_DID_NOT };

struct pb_clause {
	enum pb_clause_kind	 kind;
	enum pb_metric		 metric;
	enum pb_op		 op;
	int			 is_num;	/* trait: compare as numbers */
	double			 num;
	char			 str[PB_RULE_MAX + 1];	/* trait value, or event name */
	char			 key[PB_TRAIT_MAX + 1];	/* trait key */
	int			 days;
	char			 text[PB_RULE_MAX + 1];	/* the clause as written */
};

struct pb_cond {
	unsigned		 stages;	/* bit per stage_names index; 0 = any */
	unsigned		 risks;		/* bit per risk_names index; 0 = any */
	int			 any;		/* rules combine by OR */
	size_t			 n;
	struct pb_clause	 rule[PB_MAX_RULES];
};

/* Splits s into at most max whitespace-separated tokens in buf; returns
 * the count, or max + 1 when there are more. */
static int
split_words(const char *s, char *buf, size_t bufsz, char **tok, int max)
{
	char *p, *save = NULL;
	int n = 0;

	snprintf(buf, bufsz, "%s", s);
	for (p = strtok_r(buf, " \t", &save); p != NULL; p = strtok_r(NULL, " \t", &save)) {
		if (n == max)
			return max + 1;
		tok[n++] = p;
	}
	return n;
}

/* Parses a whole number token into [lo, hi]: 0, or -1. */
static int
parse_whole(const char *s, long lo, long hi, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

/* Parses a finite number token: 0, or -1. */
static int
parse_number(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

/* Event names as the events API accepts them: printable, no spaces. */
static int
event_name_valid(const char *s)
{
	size_t i, len = strlen(s);

	if (len == 0 || len > PB_EVENT_MAX)
		return 0;
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] <= ' ' || s[i] == 0x7f)
			return 0;
	return 1;
}

static int
trait_key_valid(const char *s)
{
	size_t i, len = strlen(s);

	if (len == 0 || len > PB_TRAIT_MAX)
		return 0;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' && s[i] != '-')
			return 0;
	return 1;
}

/* "did[_not] EVENT within N day[s]". Returns 0 or -1 with msg. */
static int
parse_did(struct pb_clause *c, char **tok, int n, char *msg, size_t msgsz)
{
	c->kind = strcmp(tok[0], "did") == 0 ? CL_DID : CL_DID_NOT;
	if (n != 5 || strcmp(tok[2], "within") != 0 ||
	    (strcmp(tok[4], "days") != 0 && strcmp(tok[4], "day") != 0)) {
		snprintf(msg, msgsz, "must read \"%s EVENT within N days\"", tok[0]);
		return -1;
	}
	if (!event_name_valid(tok[1])) {
		snprintf(msg, msgsz, "the event name must be 1-%d printable characters",
		    PB_EVENT_MAX);
		return -1;
	}
	if (parse_whole(tok[3], 1, 365, &c->days) != 0) {
		snprintf(msg, msgsz, "the window must be a whole number of days from 1 to 365");
		return -1;
	}
	snprintf(c->str, sizeof(c->str), "%s", tok[1]);
	return 0;
}

/* The operator at the start of s (advancing *len), or -1. */
static int
parse_op(const char *s, size_t *len)
{
	int i;

	for (i = 0; i < OP__MAX; i++) {
		*len = strlen(op_names[i]);
		if (strncmp(s, op_names[i], *len) == 0)
			return i;
	}
	return -1;
}

/*
 * "trait.KEY OP VALUE": VALUE a number, a "quoted string" or a bare word.
 * Strings compare only with == and !=. rest is the text after the key.
 */
static int
parse_trait(struct pb_clause *c, const char *key, const char *rest, char *msg, size_t msgsz)
{
	size_t oplen, vlen;
	int op;

	c->kind = CL_TRAIT;
	if (!trait_key_valid(key)) {
		snprintf(msg, msgsz, "trait keys are 1-%d letters, digits, '_' or '-'",
		    PB_TRAIT_MAX);
		return -1;
	}
	snprintf(c->key, sizeof(c->key), "%s", key);
	while (*rest == ' ' || *rest == '\t')
		rest++;
	if ((op = parse_op(rest, &oplen)) < 0) {
		snprintf(msg, msgsz, "expected an operator (>=, >, <=, <, ==, !=) after trait.%s",
		    key);
		return -1;
	}
	c->op = (enum pb_op)op;
	rest += oplen;
	while (*rest == ' ' || *rest == '\t')
		rest++;
	vlen = strlen(rest);
	while (vlen > 0 && (rest[vlen - 1] == ' ' || rest[vlen - 1] == '\t'))
		vlen--;
	if (vlen == 0) {
		snprintf(msg, msgsz, "expected a value after the operator");
		return -1;
	}
	if (vlen >= 2 && rest[0] == '"' && rest[vlen - 1] == '"') {
		snprintf(c->str, sizeof(c->str), "%.*s", (int)(vlen - 2), rest + 1);
		if (strchr(c->str, '"') != NULL) {
			snprintf(msg, msgsz, "a quoted value cannot contain '\"'");
			return -1;
		}
	} else {
		snprintf(c->str, sizeof(c->str), "%.*s", (int)vlen, rest);
		if (strpbrk(c->str, " \t\"") != NULL) {
			snprintf(msg, msgsz, "a value with spaces must be \"quoted\"");
			return -1;
		}
		c->is_num = parse_number(c->str, &c->num) == 0;
	}
	if (!c->is_num && c->op != OP_EQ && c->op != OP_NE) {
		snprintf(msg, msgsz, "text values compare only with == or !=");
		return -1;
	}
	return 0;
}

/* Parses one rule string into c: 0, or -1 with msg. */
static int
parse_rule(struct pb_clause *c, const char *s, char *msg, size_t msgsz)
{
	char buf[PB_RULE_MAX + 1], *tok[8];
	double lo, hi;
	size_t oplen;
	int n, i, op;

	memset(c, 0, sizeof(*c));
	if (strlen(s) == 0 || strlen(s) > PB_RULE_MAX) {
		snprintf(msg, msgsz, "a rule is 1-%d characters", PB_RULE_MAX);
		return -1;
	}
	snprintf(c->text, sizeof(c->text), "%s", s);
	n = split_words(s, buf, sizeof(buf), tok, 7);
	if (n == 0) {
		snprintf(msg, msgsz, "a rule cannot be blank");
		return -1;
	}
	if (strcmp(tok[0], "did") == 0 || strcmp(tok[0], "did_not") == 0)
		return parse_did(c, tok, n, msg, msgsz);
	if (strncmp(tok[0], "trait.", 6) == 0) {
		/* The key ends at the first operator character or blank. */
		const char *k = strstr(s, "trait.") + 6;
		size_t klen = strcspn(k, " \t<>=!");
		char key[PB_RULE_MAX + 1];

		snprintf(key, sizeof(key), "%.*s", (int)klen, k);
		return parse_trait(c, key, k + klen, msg, msgsz);
	}
	/* METRIC OP NUMBER, with or without blanks around OP. */
	for (i = 0; i < M__MAX; i++)
		if (strncmp(tok[0], metric_names[i], strlen(metric_names[i])) == 0)
			break;
	if (i == M__MAX) {
		snprintf(msg, msgsz, "unknown rule: expected a score (activation_score, "
		    "engagement_score, expansion_score), days_since_last_activity, "
		    "days_in_stage, days_since_first_seen, trait.KEY, did or did_not");
		return -1;
	}
	c->kind = CL_METRIC;
	c->metric = (enum pb_metric)i;
	{
		const char *p = s + strspn(s, " \t") + strlen(metric_names[i]);

		while (*p == ' ' || *p == '\t')
			p++;
		if ((op = parse_op(p, &oplen)) < 0) {
			snprintf(msg, msgsz, "expected an operator (>=, >, <=, <, ==, !=) after %s",
			    metric_names[i]);
			return -1;
		}
		c->op = (enum pb_op)op;
		p += oplen;
		n = split_words(p, buf, sizeof(buf), tok, 1);
		if (n != 1 || parse_number(tok[0], &c->num) != 0) {
			snprintf(msg, msgsz, "expected one number after the operator");
			return -1;
		}
	}
	lo = 0;
	hi = i <= M_EXPANSION ? 1 : 36500;
	if (c->num < lo || c->num > hi) {
		snprintf(msg, msgsz, "%s compares with a number from %g to %g",
		    metric_names[i], lo, hi);
		return -1;
	}
	return 0;
}

/* Reads an array of names into a bitmask: 0, or -1 with field/msg. */
static int
parse_set(struct json_object *arr, const char *member, const char *const *names, int nnames,
    unsigned *mask, char *field, size_t fieldsz, char *msg, size_t msgsz)
{
	struct json_object *it;
	size_t i, n;
	int k;

	if (!json_object_is_type(arr, json_type_array) ||
	    (n = json_object_array_length(arr)) == 0 || n > (size_t)nnames) {
		snprintf(field, fieldsz, "%s", member);
		snprintf(msg, msgsz, "must be an array of 1 to %d names", nnames);
		return -1;
	}
	for (i = 0; i < n; i++) {
		it = json_object_array_get_idx(arr, i);
		k = json_object_is_type(it, json_type_string) ?
		    names_index(names, nnames, json_object_get_string(it)) : -1;
		if (k < 0) {
			snprintf(field, fieldsz, "%s[%zu]", member, i);
			snprintf(msg, msgsz, "unknown %s", strcmp(member, "stages") == 0 ?
			    "lifecycle stage" : "risk level");
			return -1;
		}
		*mask |= 1u << k;
	}
	return 0;
}

struct pb_cond *
pb_cond_parse(struct json_object *json, char *field, size_t fieldsz, char *msg, size_t msgsz)
{
	struct pb_cond *c;
	struct json_object *v, *it;
	size_t i, n;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		snprintf(field, fieldsz, "%s", "");
		snprintf(msg, msgsz, "out of memory");
		return NULL;
	}
	if (json == NULL)
		return c;
	if (!json_object_is_type(json, json_type_object)) {
		snprintf(field, fieldsz, "%s", "");
		snprintf(msg, msgsz, "must be an object");
		goto fail;
	}
	json_object_object_foreach(json, key, val) {
		(void)val;
		if (strcmp(key, "stages") != 0 && strcmp(key, "risk_levels") != 0 &&
		    strcmp(key, "rules") != 0 && strcmp(key, "match") != 0) {
			snprintf(field, fieldsz, "%s", key);
			snprintf(msg, msgsz, "unknown member (expected stages, risk_levels, "
			    "rules, match)");
			goto fail;
		}
	}
	if (json_object_object_get_ex(json, "stages", &v) && parse_set(v, "stages",
	    stage_names, N_STAGES, &c->stages, field, fieldsz, msg, msgsz) != 0)
		goto fail;
	if (json_object_object_get_ex(json, "risk_levels", &v) && parse_set(v, "risk_levels",
	    risk_names, N_RISKS, &c->risks, field, fieldsz, msg, msgsz) != 0)
		goto fail;
	if (json_object_object_get_ex(json, "match", &v)) {
		const char *m = json_object_is_type(v, json_type_string) ?
		    json_object_get_string(v) : "";

		if (strcmp(m, "all") != 0 && strcmp(m, "any") != 0) {
			snprintf(field, fieldsz, "match");
			snprintf(msg, msgsz, "must be \"all\" or \"any\"");
			goto fail;
		}
		c->any = strcmp(m, "any") == 0;
	}
	if (json_object_object_get_ex(json, "rules", &v)) {
		if (!json_object_is_type(v, json_type_array) ||
		    (n = json_object_array_length(v)) > PB_MAX_RULES) {
			snprintf(field, fieldsz, "rules");
			snprintf(msg, msgsz, "must be an array of at most %d rules", PB_MAX_RULES);
			goto fail;
		}
		for (i = 0; i < n; i++) {
			it = json_object_array_get_idx(v, i);
			snprintf(field, fieldsz, "rules[%zu]", i);
			if (!json_object_is_type(it, json_type_string)) {
				snprintf(msg, msgsz, "must be a string");
				goto fail;
			}
			if (parse_rule(&c->rule[i], json_object_get_string(it), msg, msgsz) != 0)
				goto fail;
		}
		c->n = n;
	}
	return c;
fail:
	free(c);
	return NULL;
}

void
pb_cond_free(struct pb_cond *c)
{
	free(c);
}

int
pb_cond_empty(const struct pb_cond *c)
{
	return c == NULL || (c->stages == 0 && c->risks == 0 && c->n == 0);
}

void
pb_cond_events(const struct pb_cond *c,
    void (*fn)(void *ctx, const char *event, int within_days), void *ctx)
{
	size_t i;

	for (i = 0; c != NULL && i < c->n; i++)
		if (c->rule[i].kind == CL_DID || c->rule[i].kind == CL_DID_NOT)
			fn(ctx, c->rule[i].str, c->rule[i].days);
}

static int
compare(double a, enum pb_op op, double b)
{
	const double eps = 1e-9;

	switch (op) {
	case OP_GE: return a >= b - eps;
	case OP_GT: return a > b + eps;
	case OP_LE: return a <= b + eps;
	case OP_LT: return a < b - eps;
	case OP_EQ: return fabs(a - b) <= eps;
	case OP_NE: return fabs(a - b) > eps;
	default: return 0;
	}
}

/* Evaluates one clause, writing what was seen into note. */
static int
clause_eval(const struct pb_clause *c, const struct pb_user *u, char *note, size_t notesz,
    int *error)
{
	struct json_object *t;
	const double vals[M__MAX] = { u->activation_score, u->engagement_score,
	    u->expansion_score, u->days_since_last_activity, u->days_in_stage,
	    u->days_since_first_seen };
	const char *s;
	long long cnt;
	double x;
	int ok;

	switch (c->kind) {
	case CL_METRIC:
		x = vals[c->metric];
		if (c->metric >= M_DAYS_INACTIVE && x < 0) {
			snprintf(note, notesz, "%s unknown (rule \"%s\")", metric_names[c->metric],
			    c->text);
			return 0;
		}
		if ((ok = compare(x, c->op, c->num)))
			snprintf(note, notesz, "%s %.3g %s %g", metric_names[c->metric], x,
			    op_names[c->op], c->num);
		else
			snprintf(note, notesz, "%s is %.3g (rule \"%s\")", metric_names[c->metric],
			    x, c->text);
		return ok;
	case CL_TRAIT:
		if (u->traits == NULL || !json_object_object_get_ex(u->traits, c->key, &t) ||
		    t == NULL) {
			snprintf(note, notesz, "trait %s missing (rule \"%s\")", c->key, c->text);
			return 0;
		}
		if (c->is_num && (json_object_is_type(t, json_type_int) ||
		    json_object_is_type(t, json_type_double)))
			ok = compare(json_object_get_double(t), c->op, c->num);
		else if (c->is_num && json_object_is_type(t, json_type_string) &&
		    parse_number(json_object_get_string(t), &x) == 0)
			ok = compare(x, c->op, c->num);
		else {
			s = json_object_is_type(t, json_type_boolean) ?
			    (json_object_get_boolean(t) ? "true" : "false") :
			    json_object_get_string(t);
			ok = (strcmp(s, c->str) == 0) == (c->op == OP_EQ);
			if (c->op != OP_EQ && c->op != OP_NE)
				ok = 0;
		}
		snprintf(note, notesz, "%s%s", ok ? "" : "failed: ", c->text);
		return ok;
	case CL_DID:
	case CL_DID_NOT:
		cnt = u->event_count != NULL ?
		    u->event_count(u->event_ctx, c->str, c->days) : -1;
		if (cnt < 0) {
			if (error != NULL)
				*error = 1;
			snprintf(note, notesz, "event count unavailable (rule \"%s\")", c->text);
			return 0;
		}
		ok = c->kind == CL_DID ? cnt > 0 : cnt == 0;
		snprintf(note, notesz, "%s (%lld event%s)", c->text, cnt, cnt == 1 ? "" : "s");
		return ok;
	}
	return 0;
}

/* Appends "; note" (or note when empty) to why, truncating quietly. */
static void
why_add(char *why, size_t whysz, const char *note)
{
	size_t len;

	if (why == NULL || whysz == 0)
		return;
	len = strlen(why);
	if (len + 1 >= whysz)
		return;
	snprintf(why + len, whysz - len, "%s%s", len ? "; " : "", note);
}

int
pb_cond_eval(const struct pb_cond *c, const struct pb_user *u, char *why, size_t whysz,
    int *error)
{
	char note[PB_RULE_MAX + 80];
	int k, held;
	size_t i;

	if (why != NULL && whysz > 0)
		why[0] = '\0';
	if (error != NULL)
		*error = 0;
	if (c == NULL)
		return 1;
	if (c->stages != 0) {
		k = names_index(stage_names, N_STAGES, u->stage);
		if (k < 0 || !(c->stages & (1u << k))) {
			snprintf(note, sizeof(note), "stage %s not among the playbook's stages",
			    u->stage ? u->stage : "unknown");
			why_add(why, whysz, note);
			return 0;
		}
		snprintf(note, sizeof(note), "stage %s", u->stage);
		why_add(why, whysz, note);
	}
	if (c->risks != 0) {
		k = names_index(risk_names, N_RISKS, u->risk_level);
		if (k < 0 || !(c->risks & (1u << k))) {
			snprintf(note, sizeof(note), "risk %s not among the playbook's risk levels",
			    u->risk_level ? u->risk_level : "unknown");
			why_add(why, whysz, note);
			return 0;
		}
		snprintf(note, sizeof(note), "risk %s", u->risk_level);
		why_add(why, whysz, note);
	}
	for (i = 0; i < c->n; i++) {
		held = clause_eval(&c->rule[i], u, note, sizeof(note), error);
		if (c->any) {
			if (held) {
				why_add(why, whysz, note);
				return 1;
			}
		} else {
			why_add(why, whysz, note);
			if (!held)
				return 0;
		}
	}
	if (c->any && c->n > 0) {
		why_add(why, whysz, "none of the rules held");
		return 0;
	}
	return 1;
}
