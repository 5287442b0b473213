/*
 * jsonschema_int.h — the JSON Schema module's private declarations, shared
 * by lib/jsonschema.c (validation), lib/jsonschema_check.c (schema checking,
 * "$ref" resolution and the helpers both sides use) and
 * lib/jsonschema_regex.c (pattern translation).  Not part of the API: code
 * outside the module includes only jsonschema.h.
 */
#ifndef RETIVO_JSONSCHEMA_INT_H
#define RETIVO_JSONSCHEMA_INT_H

#include <sys/types.h>

#include <regex.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#define JS_MAXDEPTH	64	/* schema nesting */
/*
 * Validation nesting: a recursive schema spends two or three levels per
 * level of instance (the member's schema, then the "$ref" target), and
 * json-c's parser allows 32 levels of instance by default.  Each level
 * costs under 1 KiB of stack.
 */
#define JS_MAXEVAL	128
#define JS_PATHMAX	512

struct js_ctx {
	const struct json_object *root;	/* where local "$ref"s resolve */
	char		*err;
	size_t		 errlen;
	int		 depth;
	int		 quiet;		/* >0: failures expected, keep err */
	size_t		 pathlen;
	char		 path[JS_PATHMAX];	/* JSON pointer being visited */
};

/*
 * json-c keeps integers as int64 and, for 2^63..2^64-1, uint64; comparing
 * everything as double would make 2^53+1 equal 2^53, so integers keep
 * their integer form and are compared exactly.
 */
enum js_nkind { JS_INT, JS_UINT, JS_DBL };
struct js_num {
	enum js_nkind	kind;
	int64_t		i;
	uint64_t	u;
	double		d;
};

/* jsonschema_check.c */
void		 js_ctxinit(struct js_ctx *, const struct json_object *, char *,
		    size_t);
size_t		 js_push(struct js_ctx *, const char *);
size_t		 js_pushidx(struct js_ctx *, size_t);
void		 js_pop(struct js_ctx *, size_t);
void		 js_vseterr(struct js_ctx *, const char *, va_list)
		    __attribute__((format(printf, 2, 0)));
int		 js_bad(struct js_ctx *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
const char	*js_str(const struct json_object *);
int		 js_getnum(const struct json_object *, struct js_num *);
int		 js_num_isint(const struct js_num *);
int		 js_num_cmp(const struct js_num *, const struct js_num *);
int		 js_is_metaschema(const char *);
int		 js_resolve_ref(const struct json_object *, const char *,
		    const struct json_object **);
long		 js_hexn(const char *, int);

/* jsonschema_regex.c */
int		 js_re_compile(regex_t *, const char *, char *, size_t);

#endif
