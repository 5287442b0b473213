/*
 * jsonschema.h — JSON Schema (draft-07) validation over json-c trees.
 *
 * The API describes its request bodies with JSON Schema; this module lets a
 * handler reject a malformed body with a precise message ("/amount: must be
 * <= 1000 (maximum)") before any business logic runs, and lets the schema
 * loader refuse a broken schema file at start-up instead of at the first
 * request.  It covers the validation vocabulary of draft-07 (type, enum,
 * const, numeric and string limits, pattern, items, properties, the
 * combinators, if/then/else, dependencies, propertyNames, ...) plus local
 * "$ref" into the same document.  A "$ref" to the draft-07 meta-schema URI
 * means "is a schema jsonschema_check() accepts".  Other remote references
 * and "$id"-based resolution are not supported and are reported as such
 * rather than silently skipped; "format" and the content* keywords are
 * annotations only.
 *
 * Regular expressions ("pattern", "patternProperties") are ECMA-262 in the
 * standard; they are translated to POSIX extended expressions for regcomp(3).
 * Constructs without a POSIX equivalent (look-around, \p{..}, non-ASCII
 * characters inside [...]) make the schema malformed instead of matching
 * something different.  "." and "[^...]" take one whole UTF-8 character
 * whether or not the process has set a UTF-8 LC_CTYPE.
 *
 * Nothing here keeps state between calls or hands memory to the caller, so
 * one parsed schema may be shared by concurrent threads.
 */
#ifndef RETIVO_JSONSCHEMA_H
#define RETIVO_JSONSCHEMA_H

#include <json-c/json.h>
#include <stddef.h>

/*
 * Checks that `schema` is itself a well-formed draft-07 schema of the kind
 * this module supports: an object or a boolean whose known keywords carry
 * values of the right type (a valid type name, an array of unique required
 * names, a number for "minimum", a pattern that compiles, ...), recursively
 * through every subschema; local "$ref"s must resolve inside `schema`.
 * Unknown keywords are ignored, as the standard requires; schemas nested
 * more than 64 levels deep are refused.  Returns 0 when valid.  Otherwise returns -1 and writes into err (errlen
 * bytes, always NUL-terminated; err may be NULL) the JSON pointer of the
 * offending keyword and the reason, e.g.
 * "/properties/amount/minimum: must be a number".
 */
int	jsonschema_check(const struct json_object *schema, char *err,
	    size_t errlen);

/*
 * Validates `instance` (NULL is JSON null, as json-c represents it) against
 * `schema`.  Returns 1 when valid (err is set to ""), 0 when invalid, with
 * err naming the JSON pointer of the first failing instance location, the
 * reason and the keyword, e.g. "/amount: must be <= 1000 (maximum)" (the
 * root is "/"), and -1 when the schema is malformed (it is run through
 * jsonschema_check() first), uses an unsupported construct such as a remote
 * "$ref", or validation recurses deeper than 128 levels (a "$ref" cycle
 * that consumes no instance, or a hostile instance); err then says which.
 */
int	jsonschema_validate(const struct json_object *schema,
	    const struct json_object *instance, char *err, size_t errlen);

#endif
