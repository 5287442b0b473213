/*
 * admin.c — retivo-admin, the operator's command line:
 *
 *   retivo-admin migrate
 *   retivo-admin tenant create --name N --slug S [--plan P] [--role R] [--parent ID]
 *   retivo-admin tenant plan --tenant ID --plan P
 *   retivo-admin key create --tenant ID --mode live|test --scopes a,b [--label L]
 *   retivo-admin member create --tenant ID --email E --role admin|editor|viewer
 *                              [--name N] --password-stdin
 *   retivo-admin gc [--now ISO-8601]      (rate counters, expired sessions)
 *   retivo-admin playbooks seed --tenant ID [--activate]   (the starter set)
 *
 * Every command prints one JSON object on stdout and exits 0, or prints
 * {"error": ...} and exits 1, so scripts (run.sh among them) can parse it.
 */
#include "config.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "apikey.h"
#include "auth.h"
#include "conf.h"
#include "db.h"
#include "jobopt.h"
#include "log.h"
#include "member.h"
#include "password.h"
#include "playbook.h"
#include "session.h"
#include "tenant.h"
#include "timeutil.h"

static int admin_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
admin_fail(const char *fmt, ...)
{
	struct json_object *o = json_object_new_object();
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_object_object_add(o, "error", json_object_new_string(msg));
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return 1;
}

static int
admin_print(struct json_object *o)
{
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return 0;
}

static int64_t
admin_now(int argc, char **argv)
{
	const char *s = jobopt_value(argc, argv, "--now");
	int64_t t;

	if (s != NULL && time_parse_iso8601(s, &t) == 0)
		return t;
	return time_now();
}

static struct db_stmt mig_create = DB_STMT(
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "  version INT UNSIGNED NOT NULL PRIMARY KEY,"
    "  name VARCHAR(200) NOT NULL,"
    "  applied_at DATETIME NOT NULL"
    ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4");
static struct db_stmt mig_applied = DB_STMT(
    "SELECT COUNT(*) FROM schema_migrations WHERE version = ?");
static struct db_stmt mig_record = DB_STMT(
    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)");

static int
mig_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *
admin_read_file(const char *path)
{
	FILE *f;
	long len;
	char *buf = NULL;

	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = calloc(1, (size_t)len + 1)) != NULL &&
	    fread(buf, 1, (size_t)len, f) != (size_t)len) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* Applies schema/NNN_name.sql files not yet recorded, in order, under a lock. */
static int
admin_migrate(const struct conf *c, int64_t now)
{
	DIR *d;
	struct dirent *e;
	char *files[512], path[1024], ts[20], err[512], *sql;
	size_t n = 0, i;
	int rc = 1, locked = 0;
	long version;
	struct json_object *applied = json_object_new_array(), *out;

	if ((d = opendir(c->schema_dir)) == NULL) {
		json_object_put(applied);
		return admin_fail("cannot open schema directory %s", c->schema_dir);
	}
	while ((e = readdir(d)) != NULL && n < 512) {
		size_t len = strlen(e->d_name);

		if (len > 8 && e->d_name[0] >= '0' && e->d_name[0] <= '9' &&
		    strcmp(e->d_name + len - 4, ".sql") == 0)
			files[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(files, n, sizeof(files[0]), mig_cmp);
	time_format_sql(now, ts);
	if (db_exec(&mig_create, "") != 0) {
		admin_fail("cannot create schema_migrations");
		goto out;
	}
	db_done(&mig_create);
	if (db_lock("retivo_migrate", 60) != 1) {
		admin_fail("another migration holds the lock");
		goto out;
	}
	locked = 1;
	for (i = 0; i < n; i++) {
		version = strtol(files[i], NULL, 10);
		if (db_exec(&mig_applied, "i", (long long)version) != 0 ||
		    db_fetch(&mig_applied) != 1) {
			admin_fail("cannot read schema_migrations");
			goto out;
		}
		if (db_col_int(&mig_applied, 0) > 0) {
			db_done(&mig_applied);
			continue;
		}
		db_done(&mig_applied);
		snprintf(path, sizeof(path), "%s/%s", c->schema_dir, files[i]);
		if ((sql = admin_read_file(path)) == NULL) {
			admin_fail("cannot read %s", path);
			goto out;
		}
		if (db_run_script(sql, err, sizeof(err)) != 0) {
			free(sql);
			log_err("migration %s failed: %s", files[i], err);
			admin_fail("migration failed: %s", files[i]);
			goto out;
		}
		free(sql);
		if (db_exec(&mig_record, "iss", (long long)version, files[i], ts) != 0) {
			admin_fail("cannot record migration %s", files[i]);
			goto out;
		}
		db_done(&mig_record);
		json_object_array_add(applied, json_object_new_string(files[i]));
	}
	out = json_object_new_object();
	json_object_object_add(out, "applied", json_object_get(applied));
	json_object_object_add(out, "available", json_object_new_int((int)n));
	admin_print(out);
	rc = 0;
out:
	if (locked)
		db_unlock("retivo_migrate");
	for (i = 0; i < n; i++)
		free(files[i]);
	json_object_put(applied);
	return rc;
}

/* 1 when the tenant exists (its row reads), else 0. */
static int
admin_tenant_exists(const char *id)
{
	struct json_object *t = tenant_get_json(id);
	int found = t != NULL;

	json_object_put(t);
	return found;
}

static int
admin_tenant_create(int argc, char **argv, int64_t now)
{
	const char *name = jobopt_value(argc, argv, "--name");
	const char *slug = jobopt_value(argc, argv, "--slug");
	const char *plan = jobopt_value(argc, argv, "--plan");
	const char *role = jobopt_value(argc, argv, "--role");
	const char *parent = jobopt_value(argc, argv, "--parent");
	char id[37];
	struct json_object *t;
	int rc;

	if (plan == NULL)
		plan = "starter";
	if (role == NULL)
		role = "standalone";
	if (name == NULL || *name == '\0')
		return admin_fail("--name is required");
	if (!tenant_slug_valid(slug))
		return admin_fail("--slug must be lowercase letters, digits and hyphens: %s", slug ? slug : "");
	if (!tenant_plan_valid(plan))
		return admin_fail("--plan must be starter, growth, scale or custom: %s", plan ? plan : "");
	if (!tenant_role_valid(role))
		return admin_fail("--role must be standalone, partner or customer: %s", role);
	rc = tenant_create(name, slug, plan, role, parent, now, id);
	if (rc == 1)
		return admin_fail("slug already taken: %s", slug);
	if (rc != 0 || (t = tenant_get_json(id)) == NULL)
		return admin_fail("cannot create tenant");
	return admin_print(t);
}

static int
admin_tenant_plan(int argc, char **argv, int64_t now)
{
	const char *id = jobopt_value(argc, argv, "--tenant");
	const char *plan = jobopt_value(argc, argv, "--plan");
	struct json_object *t;
	int rc;

	if (id == NULL)
		return admin_fail("--tenant is required");
	if (!tenant_plan_valid(plan))
		return admin_fail("--plan must be starter, growth, scale or custom: %s", plan ? plan : "");
	if ((rc = tenant_set_plan(id, plan, now)) == 1)
		return admin_fail("no such tenant: %s", id);
	if (rc != 0 || (t = tenant_get_json(id)) == NULL)
		return admin_fail("cannot change plan");
	return admin_print(t);
}

static int
admin_key_create(int argc, char **argv, int64_t now)
{
	const char *tenant = jobopt_value(argc, argv, "--tenant");
	const char *mode = jobopt_value(argc, argv, "--mode");
	const char *scopes = jobopt_value(argc, argv, "--scopes");
	const char *label = jobopt_value(argc, argv, "--label");
	struct json_object *key, *out;
	char secret[AUTH_KEY_LEN + 1];
	unsigned bits;

	if (tenant == NULL)
		return admin_fail("--tenant is required");
	if (mode == NULL || (strcmp(mode, "live") != 0 && strcmp(mode, "test") != 0))
		return admin_fail("--mode must be live or test");
	if (scopes == NULL || auth_scopes_parse(scopes, &bits, NULL) != 0 || bits == 0)
		return admin_fail("--scopes must list full, manage, ingest, decide, read, partner");
	if (!admin_tenant_exists(tenant))
		return admin_fail("no such tenant: %s", tenant);
	if (apikey_create(tenant, label, strcmp(mode, "test") == 0, bits, now, secret, &key) != 0)
		return admin_fail("cannot create key");
	out = json_object_new_object();
	json_object_object_add(out, "key", key);
	json_object_object_add(out, "api_key", json_object_new_string(secret));
	json_object_object_add(out, "tenant_id", json_object_new_string(tenant));
	return admin_print(out);
}

/*
 * Creates a member with a password read from the first line of stdin (never
 * from argv, which other users of the host can read in ps): how the first
 * admin of a tenant comes to exist; later members are invited.
 */
static int
admin_member_create(int argc, char **argv, int64_t now)
{
	const char *tenant = jobopt_value(argc, argv, "--tenant");
	const char *email_in = jobopt_value(argc, argv, "--email");
	const char *role = jobopt_value(argc, argv, "--role");
	const char *name = jobopt_value(argc, argv, "--name");
	char email[MEMBER_EMAIL_MAX + 1], pw[PASSWORD_MAX_LEN + 2], hash[PASSWORD_HASH_MAX], id[48];
	const char *why;
	struct json_object *m;
	size_t len;
	int from_stdin = jobopt_flag(argc, argv, "--password-stdin"), rc;

	if (tenant == NULL)
		return admin_fail("--tenant is required");
	if (!member_email_valid(email_in))
		return admin_fail("--email must be an email address");
	if (member_role_scopes(role) == 0)
		return admin_fail("--role must be admin, editor or viewer");
	if (!from_stdin)
		return admin_fail("--password-stdin is required (the password is read from stdin)");
	if (fgets(pw, sizeof(pw), stdin) == NULL)
		return admin_fail("no password on stdin");
	len = strlen(pw);
	while (len > 0 && (pw[len - 1] == '\n' || pw[len - 1] == '\r'))
		pw[--len] = '\0';
	if ((why = password_policy(pw)) != NULL)
		return admin_fail("%s", why);
	if (!admin_tenant_exists(tenant))
		return admin_fail("no such tenant: %s", tenant);
	member_email_normalize(email_in, email, sizeof(email));
	if (password_hash(pw, PASSWORD_ITERATIONS, hash) != 0)
		return admin_fail("cannot hash the password");
	memset(pw, 0, sizeof(pw));
	if ((rc = member_create(tenant, email, name, role, hash, now, id)) == 1)
		return admin_fail("an account with this email already exists: %s", email);
	if (rc != 0 || (m = member_get_json(tenant, id)) == NULL)
		return admin_fail("cannot create member");
	return admin_print(m);
}

static struct db_stmt gc_rate = DB_STMT(
    "DELETE FROM rate_counters WHERE window_start < ? LIMIT 10000");

static struct db_stmt gc_sessions = DB_STMT(
    "DELETE FROM member_sessions WHERE expires_at <= ? OR last_seen_at <= ? "
    "LIMIT 10000");

/* Runs a batched DELETE until it deletes less than a batch; -1 on error. */
static long long
admin_gc_batches(struct db_stmt *s, const char *types, const char *a, const char *a2,
    long long b)
{
	unsigned long long total = 0, n;
	int rc;

	do {
		rc = types[0] == 'i' ? db_exec(s, types, b) : db_exec(s, types, a, a2);
		if (rc != 0)
			return -1;
		n = db_affected(s);
		db_done(s);
		total += n;
	} while (n == 10000);
	return (long long)total;
}

/*
 * Prunes rate counters of windows that ended over an hour ago, and member
 * sessions past their absolute or idle expiry (lib/session.h).
 */
static int
admin_gc(int64_t now)
{
	struct json_object *out;
	long long rates, sessions;
	char ts[20], idle[20];

	time_format_sql(now, ts);
	time_format_sql(now - SESSION_IDLE_TTL, idle);
	if ((rates = admin_gc_batches(&gc_rate, "i", NULL, NULL, (long long)(now - 7200))) < 0 ||
	    (sessions = admin_gc_batches(&gc_sessions, "ss", ts, idle, 0)) < 0)
		return admin_fail("gc failed");
	out = json_object_new_object();
	json_object_object_add(out, "rate_counters_deleted", json_object_new_int64(rates));
	json_object_object_add(out, "sessions_deleted", json_object_new_int64(sessions));
	return admin_print(out);
}

/* Installs the starter playbooks the tenant lacks (lib/playbook.h):
 * active with --activate, else draft. Idempotent. */
static int
admin_playbooks_seed(int argc, char **argv, int64_t now)
{
	const char *tenant = jobopt_value(argc, argv, "--tenant");
	struct json_object *out;
	int activate = jobopt_flag(argc, argv, "--activate"), installed;

	if (tenant == NULL)
		return admin_fail("--tenant is required");
	if (!admin_tenant_exists(tenant))
		return admin_fail("no such tenant: %s", tenant);
	if (playbook_starter_install(tenant, activate, now, &installed) != 0)
		return admin_fail("cannot install the starter playbooks");
	out = json_object_new_object();
	json_object_object_add(out, "tenant_id", json_object_new_string(tenant));
	json_object_object_add(out, "installed", json_object_new_int(installed));
	json_object_object_add(out, "activated", json_object_new_boolean(activate));
	return admin_print(out);
}

static void
admin_usage(void)
{
	fprintf(stderr,
	    "usage: retivo-admin migrate\n"
	    "       retivo-admin tenant create --name N --slug S [--plan P] [--role R] [--parent ID]\n"
	    "       retivo-admin tenant plan --tenant ID --plan P\n"
	    "       retivo-admin key create --tenant ID --mode live|test --scopes a,b [--label L]\n"
	    "       retivo-admin member create --tenant ID --email E --role R [--name N] "
	    "--password-stdin\n"
	    "       retivo-admin gc [--now ISO-8601]\n"
	    "       retivo-admin playbooks seed --tenant ID [--activate]\n");
}

int
main(int argc, char **argv)
{
	const struct conf *c;
	int64_t now;
	int rc;

	log_init("retivo-admin");
	if (argc < 2) {
		admin_usage();
		return 2;
	}
	if ((c = conf_get()) == NULL)
		return admin_fail("cannot load configuration");
	if (db_open(c) != 0)
		return admin_fail("cannot connect to the database");
	now = admin_now(argc, argv);
	if (strcmp(argv[1], "migrate") == 0)
		rc = admin_migrate(c, now);
	else if (argc >= 3 && strcmp(argv[1], "tenant") == 0 && strcmp(argv[2], "create") == 0)
		rc = admin_tenant_create(argc, argv, now);
	else if (argc >= 3 && strcmp(argv[1], "tenant") == 0 && strcmp(argv[2], "plan") == 0)
		rc = admin_tenant_plan(argc, argv, now);
	else if (argc >= 3 && strcmp(argv[1], "key") == 0 && strcmp(argv[2], "create") == 0)
		rc = admin_key_create(argc, argv, now);
	else if (argc >= 3 && strcmp(argv[1], "member") == 0 && strcmp(argv[2], "create") == 0)
		rc = admin_member_create(argc, argv, now);
	else if (strcmp(argv[1], "gc") == 0)
		rc = admin_gc(now);
	else if (argc >= 3 && strcmp(argv[1], "playbooks") == 0 && strcmp(argv[2], "seed") == 0)
		rc = admin_playbooks_seed(argc, argv, now);
	else {
		admin_usage();
		rc = 2;
	}
	db_close();
	return rc;
}
