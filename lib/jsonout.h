/*
 * jsonout.h — small helpers for building response objects from database
 * columns, so every handler renders NULL, times and booleans the same way.
 */
#ifndef RETIVO_JSONOUT_H
#define RETIVO_JSONOUT_H

#include <json-c/json.h>

struct db_stmt;

/* Adds key: string, or null when val is NULL. */
void jo_str(struct json_object *o, const char *key, const char *val);

/* Adds key: ISO-8601 time from a DATETIME column value, or null. */
void jo_time(struct json_object *o, const char *key, const char *sqltime);

void jo_int(struct json_object *o, const char *key, long long val);
void jo_bool(struct json_object *o, const char *key, int val);
void jo_double(struct json_object *o, const char *key, double val);

/* Adds key: column i of the current row of s as an integer (a number),
 * or null when the column is SQL NULL. */
void jo_col_int(struct json_object *o, const char *key, const struct db_stmt *s, unsigned i);
void jo_col_double(struct json_object *o, const char *key, const struct db_stmt *s, unsigned i);

/* Adds key: the parsed JSON text (e.g. a stored schema), or null. */
void jo_raw(struct json_object *o, const char *key, const char *json_text);

/* Converts "YYYY-MM-DD HH:MM:SS" to "YYYY-MM-DDTHH:MM:SSZ" into out[21]. */
int jo_iso_from_sql(const char *sqltime, char out[21]);

#endif
