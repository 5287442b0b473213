/*
 * decide_params.c — the parameters of a recommended action, built from
 * the action type's parameters_schema (decide.h, doc/decisions.md).
 *
 * Each property of the schema yields a short list of candidate values,
 * each checked against the property's own schema: its const or enum
 * values; otherwise its default and examples, plus for numbers a few
 * levels across [minimum, maximum] snapped to multipleOf, for booleans
 * true and false, for strings a value of an allowed length, for nested
 * objects a recursively built object. One candidate is then picked by
 * Thompson sampling on the tenant's param_stats for the bucket and action,
 * so values that earned reward for similar users win more often while the
 * others keep being tried now and then.
 *
 * Required properties always get a value. Optional ones get one only
 * when the schema itself offers a value (const, enum, default, examples,
 * a bounded range), so the policy does not invent settings nobody asked
 * for; if the result still fails the schema (minProperties, say), a
 * second pass fills every property it can. The object returned always
 * passes jsonschema_validate(); when none can be built the caller gets
 * NULL and the reason, and the arm is left out of the decision.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json_pointer.h>

#include "decide.h"
#include "jsonschema.h"

typedef struct json_object jobj;

#define MAX_CANDS	32	/* values considered per property (an enum's first 32) */
#define MAX_DEPTH	8	/* nested objects built by recursion */
#define MAX_REFS	8	/* "$ref" hops followed to find a property's schema */

/* Level positions across a bounded numeric range. */
static const double levels[] = { 0, 0.25, 0.5, 0.75, 1 };

struct cands {
	jobj	*schema;	/* the property's schema, "$ref" followed */
	jobj	*v[MAX_CANDS];	/* owned; NULL is JSON null */
	int	 n;
	int	 def;		/* index of the schema's default, -1 */
	int	 trust;		/* take() skips validation: the whole object is
				 * validated once instead (the fast path) */
	char	 err[160];	/* why the last candidate was refused */
};

static jobj *build_object(jobj *root, jobj *schema, jobj *stats, struct decide_rng *g,
    int depth, int trust, char *err, size_t errlen);

static jobj *
get(jobj *o, const char *key)
{
	jobj *v;

	if (!json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

/* 1 when key is present (even with a null value). */
static int
has(jobj *o, const char *key)
{
	return json_object_is_type(o, json_type_object) && json_object_object_get_ex(o, key, NULL);
}

static int
get_num(jobj *o, const char *key, double *out)
{
	jobj *v = get(o, key);

	if (!json_object_is_type(v, json_type_int) && !json_object_is_type(v, json_type_double))
		return 0;
	*out = json_object_get_double(v);
	return isfinite(*out);
}

/* The schema a "$ref" of the root document points at ("#/definitions/x"),
 * followed a few hops; s itself when it has none or it does not resolve
 * (the final validation then reports the problem). */
static jobj *
deref(jobj *root, jobj *s)
{
	jobj *ref, *to;
	int hops;

	for (hops = 0; hops < MAX_REFS; hops++) {
		ref = get(s, "$ref");
		if (!json_object_is_type(ref, json_type_string))
			break;
		if (strcmp(json_object_get_string(ref), "#") == 0)
			to = root;
		else if (strncmp(json_object_get_string(ref), "#/", 2) != 0 ||
		    json_pointer_get(root, json_object_get_string(ref) + 1, &to) != 0)
			break;
		s = to;
	}
	return s;
}

/* A string member's text, "" for anything else. The schema is not
 * checked before parameters are built (the final validation does that,
 * once), so no keyword's value may be trusted to have its type. */
static const char *
str(jobj *v)
{
	return json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
}

/* 1 when the property schema names type t (or names no type at all and
 * t is the type its keywords imply). */
static int
allows(jobj *s, const char *t)
{
	jobj *type = get(s, "type");
	size_t i;

	if (json_object_is_type(type, json_type_string))
		return strcmp(json_object_get_string(type), t) == 0;
	if (json_object_is_type(type, json_type_array)) {
		for (i = 0; i < json_object_array_length(type); i++)
			if (strcmp(str(json_object_array_get_idx(type, i)), t) == 0)
				return 1;
		return 0;
	}
	/* No "type": infer it from the keywords only that type uses. */
	if (strcmp(t, "number") == 0)
		return has(s, "minimum") || has(s, "maximum") || has(s, "exclusiveMinimum") ||
		    has(s, "exclusiveMaximum") || has(s, "multipleOf");
	if (strcmp(t, "string") == 0)
		return has(s, "minLength") || has(s, "maxLength") || has(s, "pattern");
	if (strcmp(t, "object") == 0)
		return has(s, "properties") || has(s, "required");
	if (strcmp(t, "array") == 0)
		return has(s, "items") || has(s, "minItems");
	return 0;
}

/* Adds v (owned; NULL is JSON null) to c unless it is already there or c
 * is full; returns its index, -1 when dropped. Candidates are validated
 * only when picked (take()), and only when the fast path failed. */
static int
add_cand(struct cands *c, jobj *v)
{
	int i;

	if (c->n >= MAX_CANDS)
		goto drop;
	for (i = 0; i < c->n; i++)
		if (json_object_equal(c->v[i], v))
			goto drop;
	c->v[c->n++] = v;
	return c->n - 1;
drop:
	json_object_put(v);
	return -1;
}

/* A number as JSON: an integer when it is one, else the shortest text
 * that reads back as the same double (0.15, not 0.1499999999999999944). */
static jobj *
num_json(double x)
{
	char buf[32];
	int prec;

	if (x == floor(x) && fabs(x) < 9e15)
		return json_object_new_int64((int64_t)x);
	for (prec = 1; prec <= 17; prec++) {
		snprintf(buf, sizeof buf, "%.*g", prec, x);
		if (strtod(buf, NULL) == x)
			break;
	}
	return json_object_new_double_s(x, buf);
}

/*
 * Numeric levels: five points across [minimum, maximum] when both are
 * known, else (only when synth) the one bound and steps of 1 and 10
 * units inward, or 0 without any bound, each snapped to multipleOf
 * (and to integers for "integer") and pushed back inside an exclusive
 * bound. Out-of-range leftovers are refused when validated in take().
 */
static void
numeric_levels(struct cands *c, jobj *s, int integer, int synth)
{
	double lo = 0, hi = 0, x, unit = 0, m;
	int has_lo = 0, has_hi = 0, lo_ex = 0, hi_ex = 0;
	double xs[sizeof levels / sizeof *levels];
	char buf[32];
	size_t i, nx = 0;

	if (get_num(s, "minimum", &x))
		has_lo = 1, lo = x;
	if (get_num(s, "exclusiveMinimum", &x) && (!has_lo || x >= lo))
		has_lo = 1, lo = x, lo_ex = 1;
	if (get_num(s, "maximum", &x))
		has_hi = 1, hi = x;
	if (get_num(s, "exclusiveMaximum", &x) && (!has_hi || x <= hi))
		has_hi = 1, hi = x, hi_ex = 1;
	if (get_num(s, "multipleOf", &m) && m > 0)
		unit = m;
	else if (integer)
		unit = 1;

	/* An optional number is set only inside a range the author bounded
	 * on both sides; one bound says what is allowed, not what is wise. */
	if (!synth && !(has_lo && has_hi))
		return;
	if (has_lo && has_hi) {
		for (i = 0; i < sizeof levels / sizeof *levels; i++)
			xs[nx++] = lo + levels[i] * (hi - lo);
	} else if (has_lo) {
		xs[nx++] = lo;
		xs[nx++] = lo + (unit > 0 ? unit : 1);
		xs[nx++] = lo + 10 * (unit > 0 ? unit : 1);
	} else if (has_hi) {
		xs[nx++] = hi;
		xs[nx++] = hi - (unit > 0 ? unit : 1);
		xs[nx++] = hi - 10 * (unit > 0 ? unit : 1);
	} else if (synth) {
		xs[nx++] = 0;
	}
	for (i = 0; i < nx; i++) {
		x = xs[i];
		if (unit > 0)
			x = round(x / unit) * unit;
		if (has_lo && (x < lo || (lo_ex && x <= lo)))
			x = unit > 0 ? (floor(lo / unit) + 1) * unit :
			    has_hi ? lo + (hi - lo) / 100 : lo + 1;
		if (has_hi && (x > hi || (hi_ex && x >= hi)))
			x = unit > 0 ? (ceil(hi / unit) - 1) * unit :
			    has_lo ? hi - (hi - lo) / 100 : hi - 1;
		if (unit > 0 && unit != floor(unit)) {
			/* 3 × 0.1 is 0.30000000000000004: 12 digits give 0.3 */
			snprintf(buf, sizeof buf, "%.12g", x);
			x = strtod(buf, NULL);
		}
		/* num_json() writes an integral value as an integer (and one
		 * beyond int64 as a double, which draft-07 still counts as an
		 * integer); an "integer" level is integral by the snapping. */
		if (isfinite(x))
			add_cand(c, num_json(x));
	}
}

/* A deep copy of a schema value (the schema is shared, borrowed). */
static jobj *
copy(jobj *v)
{
	jobj *out = NULL;

	if (v == NULL || json_object_deep_copy(v, &out, NULL) != 0)
		return NULL;
	return out;
}

/* A string of the allowed length: "" when that is allowed, and the
 * property's name cut or padded to fit when "" is not or a pattern may
 * refuse it (validation in take() keeps what fits). */
static void
string_value(struct cands *c, jobj *s, const char *name)
{
	char buf[64];
	double min = 0, max = sizeof buf - 1;
	size_t len;

	get_num(s, "minLength", &min);
	get_num(s, "maxLength", &max);
	if (min <= 0) {
		add_cand(c, json_object_new_string(""));
		if (!has(s, "pattern"))
			return;
	}
	if (min > sizeof buf - 1 || max < min)
		return;
	snprintf(buf, sizeof buf, "%s", name);
	len = strlen(buf);
	if (len > max)
		len = (size_t)max;
	while (len < min)
		buf[len++] = 'x';
	buf[len] = '\0';
	add_cand(c, json_object_new_string(buf));
}

static void gen_cands(struct cands *c, jobj *root, jobj *s, const char *name, int synth,
    int depth, struct decide_rng *g);

/* An array of minItems values drawn from the candidates of "items". */
static void
array_value(struct cands *c, jobj *root, jobj *s, const char *name, int depth,
    struct decide_rng *g)
{
	struct cands it;
	double min = 0;
	jobj *arr;
	int i;

	get_num(s, "minItems", &min);
	arr = json_object_new_array();
	if (min > 0 && min <= MAX_CANDS) {
		memset(&it, 0, sizeof it);
		gen_cands(&it, root, get(s, "items"), name, 1, depth + 1, g);
		for (i = 0; i < (int)min && it.n > 0; i++)
			json_object_array_add(arr, copy(it.v[i % it.n]));
		for (i = 0; i < it.n; i++)
			json_object_put(it.v[i]);
	}
	add_cand(c, arr);
}

/*
 * The candidate values of property name with schema s: const or enum
 * values alone when present; else default, examples and, when synth
 * (the property is required, or the schema needs more properties), or
 * the schema bounds a number, values made from the type's keywords.
 */
static void
gen_cands(struct cands *c, jobj *root, jobj *s, const char *name, int synth, int depth,
    struct decide_rng *g)
{
	jobj *v, *branches;
	char err[sizeof c->err];
	size_t i;
	int k;

	c->def = -1;
	s = deref(root, s);
	c->schema = s;
	if (json_object_is_type(s, json_type_boolean)) {
		if (json_object_get_boolean(s) && synth)
			add_cand(c, NULL);
		return;
	}
	if (!json_object_is_type(s, json_type_object)) {	/* absent: anything goes */
		if (synth)
			add_cand(c, NULL);
		return;
	}
	if (has(s, "const")) {
		add_cand(c, copy(get(s, "const")));
		return;
	}
	if (json_object_is_type(v = get(s, "enum"), json_type_array)) {
		for (i = 0; i < json_object_array_length(v); i++)
			add_cand(c, copy(json_object_array_get_idx(v, i)));
		return;
	}
	if (has(s, "default"))
		c->def = add_cand(c, copy(get(s, "default")));
	if (json_object_is_type(v = get(s, "examples"), json_type_array))
		for (i = 0; i < json_object_array_length(v); i++)
			add_cand(c, copy(json_object_array_get_idx(v, i)));

	if (allows(s, "integer"))
		numeric_levels(c, s, 1, synth);
	else if (allows(s, "number"))
		numeric_levels(c, s, 0, synth);
	if (!synth)
		return;
	if (allows(s, "boolean")) {
		add_cand(c, json_object_new_boolean(0));
		add_cand(c, json_object_new_boolean(1));
	}
	if (c->n == 0 && allows(s, "string"))
		string_value(c, s, name);
	if (c->n == 0 && allows(s, "object") && depth < MAX_DEPTH &&
	    (v = build_object(root, s, NULL, g, depth + 1, c->trust, err, sizeof err)) != NULL)
		add_cand(c, v);
	if (c->n == 0 && allows(s, "array") && depth < MAX_DEPTH)
		array_value(c, root, s, name, depth, g);
	if (c->n == 0 && allows(s, "null"))
		add_cand(c, NULL);
	/* anyOf / oneOf: the values of every branch, each validated against
	 * the whole property schema when picked. */
	for (k = 0; k < 2 && c->n == 0 && depth < MAX_DEPTH; k++) {
		branches = get(s, k == 0 ? "anyOf" : "oneOf");
		for (i = 0; json_object_is_type(branches, json_type_array) &&
		    i < json_object_array_length(branches); i++) {
			struct cands b;
			int j;

			memset(&b, 0, sizeof b);
			gen_cands(&b, root, json_object_array_get_idx(branches, i), name, 1,
			    depth + 1, g);
			for (j = 0; j < b.n; j++)
				add_cand(c, b.v[j]);
			c->schema = s;	/* validated against the whole anyOf/oneOf */
		}
	}
	/* No type keyword at all: null is as neutral as a value gets. */
	if (c->n == 0 && !has(s, "type"))
		add_cand(c, NULL);
}

/*
 * The candidate picked by Thompson sampling: each value draws from
 * Beta(1 + succ, 1 + fail) of its param_stats entry (the schema default
 * starts with one success, a nudge toward what the author suggested) and
 * the highest draw wins.
 */
static int
pick(const struct cands *c, jobj *stats, struct decide_rng *g)
{
	jobj *e;
	double a, b, x, top = -1;
	int i, best = 0;

	if (c->n <= 1)
		return 0;
	for (i = 0; i < c->n; i++) {
		a = b = 1;
		e = get(stats, json_object_to_json_string_ext(c->v[i], JSON_C_TO_STRING_PLAIN));
		if (json_object_is_type(e, json_type_array) && json_object_array_length(e) == 2) {
			x = json_object_get_double(json_object_array_get_idx(e, 0));
			a += x > 0 && isfinite(x) ? x : 0;
			x = json_object_get_double(json_object_array_get_idx(e, 1));
			b += x > 0 && isfinite(x) ? x : 0;
		}
		if (i == c->def)
			a += 1;
		x = decide_beta_sample(g, a, b);
		if (x > top) {
			top = x;
			best = i;
		}
	}
	return best;
}

static int
is_required(jobj *req, const char *name)
{
	size_t i;

	for (i = 0; json_object_is_type(req, json_type_array) && i < json_object_array_length(req); i++)
		if (strcmp(str(json_object_array_get_idx(req, i)), name) == 0)
			return 1;
	return 0;
}

/*
 * Picks a candidate of c (Thompson sampling), validates it against the
 * property's schema and, when it fails, drops it and picks again; adds
 * the first that passes to obj under name and frees the rest. Returns 0,
 * or -1 when no candidate passes (c->err says why the last one failed).
 * A schema the validator cannot judge on its own (a "$ref" into the
 * root) admits the value: the whole object is validated at the end.
 */
static int
take(jobj *obj, const char *name, struct cands *c, jobj *stats, struct decide_rng *g)
{
	int i, k, found = -1;

	while (c->n > 0 && found < 0) {
		k = pick(c, get(stats, name), g);
		if (c->schema == NULL || c->trust ||
		    jsonschema_validate(c->schema, c->v[k], c->err, sizeof c->err) != 0) {
			found = k;
			break;
		}
		json_object_put(c->v[k]);
		for (i = k; i + 1 < c->n; i++)
			c->v[i] = c->v[i + 1];
		c->n--;
		if (c->def == k)
			c->def = -1;
		else if (c->def > k)
			c->def--;
	}
	if (found >= 0)
		json_object_object_add(obj, name, c->v[found]);
	for (i = 0; i < c->n; i++)
		if (i != found)
			json_object_put(c->v[i]);
	c->n = 0;
	return found >= 0 ? 0 : -1;
}

/*
 * One object for schema (an object schema of the document root), in up
 * to three attempts: the values picked without validating each (trust;
 * one validation of the whole object is the common, fast case); then
 * each value validated against its property schema and re-picked when
 * it fails; then, when the object still fails (minProperties, say),
 * every property filled that can be. Pass 0 fills the required
 * properties and the optional ones the schema offers a value for. At
 * depth 0 the result is validated against the root; a nested object is
 * validated as its parent's candidate.
 */
static jobj *
build_object(jobj *root, jobj *schema, jobj *stats, struct decide_rng *g, int depth,
    int trust, char *err, size_t errlen)
{
	struct cands c;
	struct json_object_iter it;
	jobj *obj = NULL, *props, *req, *extra, *sub;
	char verr[200];
	size_t i;
	int attempt, pass, rc, required;
	const char *name;

	schema = deref(root, schema);
	if (json_object_is_type(schema, json_type_boolean)) {
		if (json_object_get_boolean(schema))
			return json_object_new_object();
		snprintf(err, errlen, "the parameters schema is false and accepts nothing");
		return NULL;
	}
	if (!json_object_is_type(schema, json_type_object)) {
		snprintf(err, errlen, "the parameters schema is not a JSON object");
		return NULL;
	}
	if (has(schema, "type") && !allows(schema, "object")) {
		snprintf(err, errlen, "the parameters schema does not describe an object (type %s)",
		    json_object_to_json_string_ext(get(schema, "type"), JSON_C_TO_STRING_PLAIN));
		return NULL;
	}
	props = get(schema, "properties");
	req = get(schema, "required");
	extra = get(schema, "additionalProperties");
	for (attempt = 0; attempt < 3; attempt++) {
		pass = attempt == 2;
		if (attempt > 0)
			trust = 0;
		json_object_put(obj);
		obj = json_object_new_object();
		if (json_object_is_type(props, json_type_object))
			json_object_object_foreachC(props, it) {
				required = is_required(req, it.key);
				memset(&c, 0, sizeof c);
				c.trust = trust;
				gen_cands(&c, root, it.val, it.key, required || pass == 1, depth, g);
				if (take(obj, it.key, &c, stats, g) != 0 && required) {
					snprintf(err, errlen, "no value of required parameter \"%s\" "
					    "satisfies its schema%s%s", it.key, c.err[0] ? ": " : "",
					    c.err);
					goto fail;
				}
			}
		/* Required names "properties" does not describe. */
		for (i = 0; json_object_is_type(req, json_type_array) &&
		    i < json_object_array_length(req); i++) {
			/* A name that is not a string reads "": left to the
			 * validation to report the schema malformed. */
			name = str(json_object_array_get_idx(req, i));
			if (*name == '\0' || has(obj, name))
				continue;
			if (json_object_is_type(extra, json_type_boolean) &&
			    !json_object_get_boolean(extra)) {
				snprintf(err, errlen, "required parameter \"%s\" is not in properties "
				    "and additionalProperties is false", name);
				goto fail;
			}
			sub = json_object_is_type(extra, json_type_object) ? extra : NULL;
			memset(&c, 0, sizeof c);
			c.trust = trust;
			gen_cands(&c, root, sub, name, 1, depth, g);
			if (take(obj, name, &c, stats, g) != 0) {
				snprintf(err, errlen, "no value of required parameter \"%s\" "
				    "satisfies its schema%s%s", name, c.err[0] ? ": " : "", c.err);
				goto fail;
			}
		}
		if (depth > 0)
			return obj;
		rc = jsonschema_validate(root, obj, verr, sizeof verr);
		if (rc == 1)
			return obj;
		if (rc < 0) {
			snprintf(err, errlen, "the parameters schema is malformed or unsupported: %s", verr);
			goto fail;
		}
	}
	snprintf(err, errlen, "no parameters satisfy the schema: %s", verr);
fail:
	json_object_put(obj);
	return NULL;
}

struct json_object *
decide_params(struct json_object *schema, struct json_object *param_stats,
    struct decide_rng *g, char *err, size_t errlen)
{
	char cerr[200];

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (err == NULL || errlen == 0) {	/* the reason is required of the callee, not the caller */
		err = cerr;
		errlen = sizeof cerr;
	}
	/* No jsonschema_check() here: the final jsonschema_validate() runs it
	 * and reports a malformed schema (decisions are latency-bound). */
	if (schema == NULL)	/* an action type without a schema takes no parameters */
		return json_object_new_object();
	return build_object(schema, schema, param_stats, g, 0, 1, err, errlen);
}

void
decide_param_stats_add(struct json_object *param_stats, struct json_object *params,
    double reward)
{
	struct json_object_iter it;
	struct decide_stats st;
	jobj *per, *e;
	const char *key;

	if (!json_object_is_type(param_stats, json_type_object) ||
	    !json_object_is_type(params, json_type_object))
		return;
	json_object_object_foreachC(params, it) {
		per = get(param_stats, it.key);
		if (!json_object_is_type(per, json_type_object)) {
			per = json_object_new_object();
			json_object_object_add(param_stats, it.key, per);
		}
		key = json_object_to_json_string_ext(it.val, JSON_C_TO_STRING_PLAIN);
		st.succ = st.fail = 0;
		e = get(per, key);
		if (json_object_is_type(e, json_type_array) && json_object_array_length(e) == 2) {
			st.succ = json_object_get_double(json_object_array_get_idx(e, 0));
			st.fail = json_object_get_double(json_object_array_get_idx(e, 1));
		}
		decide_stats_add(&st, reward);
		e = json_object_new_array_ext(2);
		json_object_array_add(e, num_json(st.succ));
		json_object_array_add(e, num_json(st.fail));
		json_object_object_add(per, key, e);
	}
}
