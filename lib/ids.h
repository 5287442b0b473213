/*
 * ids.h — generation and validation of the public identifiers the API
 * hands out: prefixed random ids such as "at_4Fh2..." (a type prefix, an
 * underscore and 24 base62 characters, about 143 bits of randomness) and
 * RFC 4122 version-4 UUIDs.  The validators let handlers reject a
 * malformed path parameter before it ever reaches a query.
 */
#ifndef RETIVO_IDS_H
#define RETIVO_IDS_H

#include <stddef.h>

/* Random characters after "prefix_". */
#define ID_RANDOM_LEN 24

/* Length of a UUID in text form, excluding the NUL. */
#define ID_UUID_LEN 36

/*
 * Writes prefix + "_" + ID_RANDOM_LEN random base62 characters plus a NUL
 * into the caller's out buffer of outlen chars; prefix is given without the
 * underscore, e.g. id_new("at", buf, sizeof(buf)).
 * Returns 0 on success, -1 if prefix is NULL or empty, out is too small
 * (it needs strlen(prefix) + 26 chars), or the random generator failed;
 * out is then "" when outlen > 0.
 */
int
id_new(const char *prefix, char *out, size_t outlen);

/*
 * Writes a random version-4 UUID in lowercase 8-4-4-4-12 form plus a NUL
 * into out.  Returns 0 on success, -1 if the random generator failed (out
 * is then "").
 */
int
id_uuid4(char out[37]);

/*
 * Returns 1 if s is a UUID in the canonical lowercase 8-4-4-4-12 hex form
 * this module emits (any version), 0 otherwise, including for NULL.
 * Uppercase is refused so that one UUID has one spelling in URLs and keys.
 */
int
id_is_uuid(const char *s);

/*
 * Returns 1 if s is exactly prefix + "_" + ID_RANDOM_LEN base62
 * characters, as made by id_new(prefix, ...), 0 otherwise, including when
 * either argument is NULL or prefix is empty.
 */
int
id_has_prefix(const char *s, const char *prefix);

#endif
