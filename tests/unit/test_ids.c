/*
 * test_ids.c — unit tests for lib/ids.c: the shape of prefixed ids and
 * version-4 UUIDs, their version and variant bits, uniqueness over many
 * draws, buffer-size refusal, and the validators used on path parameters.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ids.h"
#include "tap.h"

#define N_UNIQUE 10000

struct valid_case {
	const char *desc;
	const char *input;
	int want;
};

static const struct valid_case uuid_cases[] = {
	{ "canonical v4", "3f2504e0-4f89-41d3-9a0c-0305e82c3301", 1 },
	{ "all zeros (nil UUID)", "00000000-0000-0000-0000-000000000000", 1 },
	{ "version 1 form", "6ba7b810-9dad-11d1-80b4-00c04fd430c8", 1 },
	{ "uppercase", "3F2504E0-4F89-41D3-9A0C-0305E82C3301", 0 },
	{ "missing a char", "3f2504e0-4f89-41d3-9a0c-0305e82c330", 0 },
	{ "one char too many", "3f2504e0-4f89-41d3-9a0c-0305e82c33011", 0 },
	{ "no hyphens", "3f2504e04f8941d39a0c0305e82c3301", 0 },
	{ "hyphen misplaced", "3f2504e04-f89-41d3-9a0c-0305e82c3301", 0 },
	{ "braces", "{3f2504e0-4f89-41d3-9a0c-0305e82c3301}", 0 },
	{ "non-hex char", "3f2504e0-4f89-41d3-9a0c-0305e82c330g", 0 },
	{ "SQL injection", "' OR 1=1 --", 0 },
	{ "empty", "", 0 },
	{ "trailing newline", "3f2504e0-4f89-41d3-9a0c-0305e82c3301\n", 0 },
};

static const struct valid_case prefix_cases[] = {
	{ "well-formed", "at_4Fh2aZ09bcDEfGhIjKlMnOpQ", 1 },
	{ "all digits", "at_012345678901234567890123", 1 },
	{ "wrong prefix", "tk_4Fh2aZ09bcDEfGhIjKlMnOpQ", 0 },
	{ "prefix is a prefix of another", "att_4Fh2aZ09bcDEfGhIjKlMnOp", 0 },
	{ "missing underscore", "at4Fh2aZ09bcDEfGhIjKlMnOpQ", 0 },
	{ "23 chars", "at_4Fh2aZ09bcDEfGhIjKlMnOp", 0 },
	{ "25 chars", "at_4Fh2aZ09bcDEfGhIjKlMnOpQr", 0 },
	{ "non-base62 char", "at_4Fh2aZ09bcDEfGhIjKlMn-pQ", 0 },
	{ "underscore in body", "at_4Fh2aZ09bcDEfGhIjKlMn_pQ", 0 },
	{ "prefix only", "at_", 0 },
	{ "prefix without underscore", "at", 0 },
	{ "empty", "", 0 },
	{ "uppercase prefix", "AT_4Fh2aZ09bcDEfGhIjKlMnOpQ", 0 },
	{ "trailing slash", "at_4Fh2aZ09bcDEfGhIjKlMnOpQ/", 0 },
	{ "path traversal", "at_../../../../etc/passwd.x", 0 },
};

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Returns 1 if any two of the n strings are equal. */
static int
has_duplicates(char **v, size_t n)
{
	size_t i;

	qsort(v, n, sizeof(*v), cmp_str);
	for (i = 1; i < n; i++)
		if (strcmp(v[i - 1], v[i]) == 0)
			return 1;
	return 0;
}

static void
test_id_new(void)
{
	char buf[64];
	char small[28];
	size_t i;
	static char pool[N_UNIQUE][32];
	static char *ptrs[N_UNIQUE];
	int all_ok = 1;

	ok(id_new("at", buf, sizeof(buf)) == 0, "id_new succeeds");
	ok(strlen(buf) == 3 + ID_RANDOM_LEN && strncmp(buf, "at_", 3) == 0,
	    "id_new gives prefix, underscore and 24 chars (%s)", buf);
	ok(strspn(buf + 3, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz") == ID_RANDOM_LEN,
	    "id_new body is base62");
	ok(id_has_prefix(buf, "at") == 1, "id_has_prefix accepts a fresh id");
	ok(id_has_prefix(buf, "tk") == 0,
	    "id_has_prefix rejects a fresh id under another prefix");

	ok(id_new("at", small, sizeof(small)) == 0 && strlen(small) == 27,
	    "id_new fits exactly in 3+24+1 chars");
	ok(id_new("at", small, sizeof(small) - 1) == -1 && small[0] == '\0',
	    "id_new refuses a buffer one char short");
	ok(id_new("at", buf, 0) == -1, "id_new refuses a zero-size buffer");
	ok(id_new("", buf, sizeof(buf)) == -1, "id_new refuses an empty prefix");
	ok(id_new(NULL, buf, sizeof(buf)) == -1, "id_new refuses a NULL prefix");

	for (i = 0; i < N_UNIQUE; i++) {
		if (id_new("usr", pool[i], sizeof(pool[i])) != 0 ||
		    !id_has_prefix(pool[i], "usr"))
			all_ok = 0;
		ptrs[i] = pool[i];
	}
	ok(all_ok, "%d id_new calls give well-formed ids", N_UNIQUE);
	ok(!has_duplicates(ptrs, N_UNIQUE), "%d id_new ids are unique",
	    N_UNIQUE);
}

static void
test_uuid4(void)
{
	char u[37];
	size_t i;
	static char pool[N_UNIQUE][37];
	static char *ptrs[N_UNIQUE];
	int all_ok = 1, version_ok = 1, variant_ok = 1;

	ok(id_uuid4(u) == 0, "id_uuid4 succeeds");
	ok(strlen(u) == ID_UUID_LEN && id_is_uuid(u),
	    "id_uuid4 gives a canonical lowercase UUID (%s)", u);

	for (i = 0; i < N_UNIQUE; i++) {
		if (id_uuid4(pool[i]) != 0 || !id_is_uuid(pool[i]))
			all_ok = 0;
		/* Octet 6's high nibble is the version: text position 14. */
		if (pool[i][14] != '4')
			version_ok = 0;
		/* Variant 10xx: text position 19 is one of 8, 9, a, b. */
		if (strchr("89ab", pool[i][19]) == NULL || pool[i][19] == '\0')
			variant_ok = 0;
		ptrs[i] = pool[i];
	}
	ok(all_ok, "%d id_uuid4 calls give valid UUIDs", N_UNIQUE);
	ok(version_ok, "every uuid4 has version nibble 4");
	ok(variant_ok, "every uuid4 has RFC 4122 variant bits 10");
	ok(!has_duplicates(ptrs, N_UNIQUE), "%d uuid4s are unique", N_UNIQUE);
}

static void
test_validators(void)
{
	size_t i;

	for (i = 0; i < sizeof(uuid_cases) / sizeof(uuid_cases[0]); i++)
		ok(id_is_uuid(uuid_cases[i].input) == uuid_cases[i].want,
		    "id_is_uuid %s: %s", uuid_cases[i].want ? "accepts" :
		    "rejects", uuid_cases[i].desc);
	ok(id_is_uuid(NULL) == 0, "id_is_uuid rejects NULL");

	for (i = 0; i < sizeof(prefix_cases) / sizeof(prefix_cases[0]); i++)
		ok(id_has_prefix(prefix_cases[i].input, "at") ==
		    prefix_cases[i].want, "id_has_prefix %s: %s",
		    prefix_cases[i].want ? "accepts" : "rejects",
		    prefix_cases[i].desc);
	ok(id_has_prefix(NULL, "at") == 0, "id_has_prefix rejects NULL id");
	ok(id_has_prefix("at_4Fh2aZ09bcDEfGhIjKlMnOpQ", NULL) == 0,
	    "id_has_prefix rejects NULL prefix");
	ok(id_has_prefix("_4Fh2aZ09bcDEfGhIjKlMnOpQ", "") == 0,
	    "id_has_prefix rejects an empty prefix");
}

int
main(void)
{
	test_id_new();
	test_uuid4();
	test_validators();
	return tap_done();
}
