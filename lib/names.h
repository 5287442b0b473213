/*
 * names.h — lookups in a table of names: the spellings of an enum
 * (indexed by its value, n entries) or a NULL-terminated list of allowed
 * words. Pure; one loop for every module that turns a name into its index
 * or checks a word against a list.
 */
#ifndef RETIVO_NAMES_H
#define RETIVO_NAMES_H

#include <stddef.h>

/* Index of s among names[0..n), or -1 when s is NULL or not one of them. */
int names_index(const char *const *names, size_t n, const char *s);

/* Index of s in the NULL-terminated list, or -1 when s is NULL or absent. */
int names_find(const char *const *list, const char *s);

/* names[v] when 0 <= v < n (an enum value's spelling), else NULL. */
const char *names_at(const char *const *names, size_t n, int v);

#endif
