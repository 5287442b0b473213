/*
 * names.c — lookups in a table of names (see names.h).
 */
#include "config.h"

#include <string.h>

#include "names.h"

int
names_index(const char *const *names, size_t n, const char *s)
{
	size_t i;

	if (s == NULL)
		return -1;
	for (i = 0; i < n; i++)
		if (strcmp(names[i], s) == 0)
			return (int)i;
	return -1;
}

int
names_find(const char *const *list, const char *s)
{
	size_t i;

	if (s == NULL)
		return -1;
	for (i = 0; list[i] != NULL; i++)
		if (strcmp(list[i], s) == 0)
			return (int)i;
	return -1;
}

const char *
names_at(const char *const *names, size_t n, int v)
{
	return v >= 0 && (size_t)v < n ? names[v] : NULL;
}
