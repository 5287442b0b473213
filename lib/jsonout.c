/*
 * jsonout.c — rendering database values as JSON.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "db.h"
#include "jsonout.h"
#include "log.h"

void
jo_str(struct json_object *o, const char *key, const char *val)
{
	json_object_object_add(o, key, val ? json_object_new_string(val) : NULL);
}

int
jo_iso_from_sql(const char *sqltime, char out[21])
{
	/* DATETIME text is fixed width; copy it and swap the separators. */
	if (sqltime == NULL || strlen(sqltime) < 19 || sqltime[10] != ' ')
		return -1;
	memcpy(out, sqltime, 19);
	out[10] = 'T';
	out[19] = 'Z';
	out[20] = '\0';
	return 0;
}

void
jo_time(struct json_object *o, const char *key, const char *sqltime)
{
	char iso[21];

	if (jo_iso_from_sql(sqltime, iso) != 0) {
		json_object_object_add(o, key, NULL);
		return;
	}
	json_object_object_add(o, key, json_object_new_string(iso));
}

void
jo_int(struct json_object *o, const char *key, long long val)
{
	json_object_object_add(o, key, json_object_new_int64(val));
}

void
jo_bool(struct json_object *o, const char *key, int val)
{
	json_object_object_add(o, key, json_object_new_boolean(val != 0));
}

void
jo_double(struct json_object *o, const char *key, double val)
{
	char text[32];

	/* Scores and rates: 0.1 should print as 0.1, not 0.10000000000000001. */
	snprintf(text, sizeof(text), "%.6g", val);
	json_object_object_add(o, key, json_object_new_double_s(val, text));
}

void
jo_raw(struct json_object *o, const char *key, const char *json_text)
{
	struct json_object *v = NULL;

	if (json_text != NULL && (v = json_tokener_parse(json_text)) == NULL)
		log_err("jsonout: stored JSON for %s does not parse", key);
	json_object_object_add(o, key, v);
}

void
jo_col_int(struct json_object *o, const char *key, const struct db_stmt *s, unsigned i)
{
	if (db_col(s, i) != NULL)
		jo_int(o, key, db_col_int(s, i));
	else
		json_object_object_add(o, key, NULL);
}

void
jo_col_double(struct json_object *o, const char *key, const struct db_stmt *s, unsigned i)
{
	if (db_col(s, i) != NULL)
		jo_double(o, key, db_col_double(s, i));
	else
		json_object_object_add(o, key, NULL);
}
