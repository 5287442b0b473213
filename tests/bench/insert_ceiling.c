/*
 * insert_ceiling.c — the storage ceiling for tests/bench/run.sh: how many
 * rows per second MariaDB takes into the events table when nothing but
 * plain multi-row INSERTs reach it, with no HTTP, no FastCGI, no JSON and
 * no other statement in between.
 *
 *   insert_ceiling [-S socket] [-u user] [-D database] [-c connections]
 *                  [-t seconds] [-n rows] TENANT_ID
 *
 * It inserts one event_outbox row for TENANT_ID (the events need one to
 * point at), builds one INSERT with n VALUES tuples of constant events
 * (source "bench", no dedupe key, user ids from a pool of 1,000), then
 * forks one process per connection; each runs that statement in
 * autocommit for the given time. It prints one line of key=value figures:
 *
 *   outbox_id= connections= seconds= statements= rows= rows_per_s= p50_ms= p99_ms=
 *
 * This is a benchmark tool, not product code: the statement text is built
 * from constants, and the only argument that goes into it, the tenant id,
 * must be a 36-character UUID of hex digits and dashes.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <mysql.h>

#define USER_POOL	1000
#define MAX_CONNS	64
#define MAX_ROWS	1000
#define MAX_LAT		(1u << 20)	/* latencies kept per connection */

struct opts {
	const char	*socket, *user, *database, *tenant;
	int		 conns, seconds, rows;
};

/* What one child leaves for the parent, in memory they share. */
struct child_result {
	int		 ok;
	unsigned long	 statements;
	unsigned long	 rows;
	double		 elapsed;		/* seconds, first statement to last */
	uint32_t	 lat_us[MAX_LAT];	/* per statement; the first MAX_LAT */
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* 1 when s looks like 8-4-4-4-12 hex digits: the only input in our SQL. */
static int
uuid_valid(const char *s)
{
	size_t i;

	if (strlen(s) != 36)
		return 0;
	for (i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
		    (s[i] >= 'A' && s[i] <= 'F')))
			return 0;
	}
	return 1;
}

/* A connection to the bench database, or NULL (the error printed). */
static MYSQL *
connect_db(const struct opts *o)
{
	MYSQL *m;

	if ((m = mysql_init(NULL)) == NULL) {
		fprintf(stderr, "insert_ceiling: mysql_init: out of memory\n");
		return NULL;
	}
	mysql_options(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	mysql_options(m, MYSQL_INIT_COMMAND, "SET time_zone = '+00:00'");
	if (mysql_real_connect(m, NULL, o->user, NULL, o->database, 0, o->socket, 0) == NULL) {
		fprintf(stderr, "insert_ceiling: connect to %s: %s\n",
		    o->socket ? o->socket : "(default socket)", mysql_error(m));
		mysql_close(m);
		return NULL;
	}
	return m;
}

/*
 * The INSERT of o->rows events for outbox_id, in a buffer the caller
 * frees; NULL when out of memory.
 */
static char *
build_insert(const struct opts *o, unsigned long long outbox_id, const char *when)
{
	static const char head[] = "INSERT INTO events (tenant_id, user_id, name, kind, source, "
	    "properties, occurred_at, received_at, test_mode, dedupe_key, outbox_id) VALUES ";
	size_t cap = sizeof(head) + (size_t)o->rows * 256, len;
	char *sql;
	int i, n;

	if ((sql = malloc(cap)) == NULL)
		return NULL;
	len = (size_t)snprintf(sql, cap, "%s", head);
	for (i = 0; i < o->rows; i++) {
		/* Spread over the pool like traffic: 37 is prime to 1,000. */
		n = snprintf(sql + len, cap - len,
		    "%s('%s','u-%d','custom.bench.tick','custom','bench','{\"n\":1}','%s','%s',0,"
		    "NULL,%llu)", i ? "," : "", o->tenant, (i * 37) % USER_POOL, when, when,
		    outbox_id);
		if (n < 0 || (size_t)n >= cap - len) {
			free(sql);
			return NULL;
		}
		len += (size_t)n;
	}
	return sql;
}

/* One connection's run: waits on go_fd, then inserts until the deadline. */
static void
child_run(const struct opts *o, const char *sql, int go_fd, struct child_result *res)
{
	unsigned long sql_len = (unsigned long)strlen(sql);
	double start, t0, t1, deadline;
	MYSQL *m;
	char c;

	if ((m = connect_db(o)) == NULL)
		return;
	/* All children start together when the parent closes the pipe. */
	if (read(go_fd, &c, 1) < 0) {
		fprintf(stderr, "insert_ceiling: read: %s\n", strerror(errno));
		goto out;
	}
	start = t1 = now_s();
	deadline = start + o->seconds;
	while (t1 < deadline) {
		t0 = t1;
		if (mysql_real_query(m, sql, sql_len) != 0) {
			fprintf(stderr, "insert_ceiling: insert: %s\n", mysql_error(m));
			goto out;
		}
		if (mysql_affected_rows(m) != (my_ulonglong)o->rows) {
			fprintf(stderr, "insert_ceiling: insert stored %llu rows, not %d\n",
			    (unsigned long long)mysql_affected_rows(m), o->rows);
			goto out;
		}
		t1 = now_s();
		if (res->statements < MAX_LAT)
			res->lat_us[res->statements] = (uint32_t)((t1 - t0) * 1e6);
		res->statements++;
		res->rows += (unsigned long)o->rows;
	}
	res->elapsed = t1 - start;
	res->ok = 1;
out:
	mysql_close(m);
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The p-th percentile (0..100) of n sorted latencies, in milliseconds. */
static double
percentile_ms(const uint32_t *lat, size_t n, double p)
{
	size_t i;

	if (n == 0)
		return 0;
	i = (size_t)(p / 100.0 * (double)(n - 1) + 0.5);
	return lat[i] / 1000.0;
}

static int
usage(void)
{
	fprintf(stderr, "usage: insert_ceiling [-S socket] [-u user] [-D database] "
	    "[-c connections] [-t seconds] [-n rows] TENANT_ID\n");
	return 2;
}

/* Inserts the outbox row the events point at, with bound values. 0 or -1. */
static int
outbox_insert(MYSQL *m, const char *tenant, const char *when, unsigned long long *id)
{
	static const char sql[] = "INSERT INTO event_outbox (tenant_id, source, event_count, "
	    "test_mode, created_at) VALUES (?, 'bench', 0, 0, ?)";
	MYSQL_STMT *st;
	MYSQL_BIND b[2];
	unsigned long len[2] = { strlen(tenant), strlen(when) };
	int rc = -1;

	if ((st = mysql_stmt_init(m)) == NULL)
		return -1;
	memset(b, 0, sizeof(b));
	b[0].buffer_type = b[1].buffer_type = MYSQL_TYPE_STRING;
	b[0].buffer = (void *)(uintptr_t)tenant;
	b[0].length = &len[0];
	b[1].buffer = (void *)(uintptr_t)when;
	b[1].length = &len[1];
	if (mysql_stmt_prepare(st, sql, sizeof(sql) - 1) != 0 || mysql_stmt_bind_param(st, b) != 0 ||
	    mysql_stmt_execute(st) != 0)
		fprintf(stderr, "insert_ceiling: outbox row: %s\n", mysql_stmt_error(st));
	else {
		*id = (unsigned long long)mysql_stmt_insert_id(st);
		rc = 0;
	}
	mysql_stmt_close(st);
	return rc;
}

int
main(int argc, char **argv)
{
	struct opts o = { getenv("MYSQL_UNIX_PORT"), "root", "retivo", NULL, 4, 10, 100 };
	struct child_result *res = MAP_FAILED;
	size_t map_len = 0, nlat = 0, k;
	unsigned long statements = 0, rows = 0;
	unsigned long long outbox_id;
	uint32_t *lat = NULL;
	pid_t pids[MAX_CONNS];
	int go[2] = { -1, -1 }, ch, i, status, started = 0, rc = 1;
	double elapsed = 0;
	char when[32], *sql = NULL;
	time_t t = time(NULL);
	struct tm tm;
	MYSQL *m = NULL;

	while ((ch = getopt(argc, argv, "S:u:D:c:t:n:")) != -1) {
		switch (ch) {
		case 'S': o.socket = optarg; break;
		case 'u': o.user = optarg; break;
		case 'D': o.database = optarg; break;
		case 'c': o.conns = atoi(optarg); break;
		case 't': o.seconds = atoi(optarg); break;
		case 'n': o.rows = atoi(optarg); break;
		default: return usage();
		}
	}
	if (optind + 1 != argc || o.conns < 1 || o.conns > MAX_CONNS || o.seconds < 1 ||
	    o.rows < 1 || o.rows > MAX_ROWS)
		return usage();
	o.tenant = argv[optind];
	if (!uuid_valid(o.tenant)) {
		fprintf(stderr, "insert_ceiling: TENANT_ID must be a UUID: %s\n", o.tenant);
		return 2;
	}
	if (mysql_library_init(0, NULL, NULL) != 0) {
		fprintf(stderr, "insert_ceiling: mysql_library_init failed\n");
		return 1;
	}

	/* The outbox row every inserted event points at. */
	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	if ((m = connect_db(&o)) == NULL)
		goto out;
	if (outbox_insert(m, o.tenant, when, &outbox_id) != 0)
		goto out;
	mysql_close(m);
	m = NULL;
	if ((sql = build_insert(&o, outbox_id, when)) == NULL) {
		fprintf(stderr, "insert_ceiling: out of memory\n");
		goto out;
	}

	map_len = sizeof(*res) * (size_t)o.conns;
	res = mmap(NULL, map_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (res == MAP_FAILED || pipe(go) != 0) {
		fprintf(stderr, "insert_ceiling: mmap or pipe: %s\n", strerror(errno));
		goto out;
	}
	fflush(NULL);
	for (i = 0; i < o.conns; i++) {
		if ((pids[i] = fork()) < 0) {
			fprintf(stderr, "insert_ceiling: fork: %s\n", strerror(errno));
			break;
		}
		if (pids[i] == 0) {
			close(go[1]);
			child_run(&o, sql, go[0], &res[i]);
			_exit(res[i].ok ? 0 : 1);
		}
		started++;
	}
	/* Give the children time to connect, then start them all at once. */
	close(go[0]);
	go[0] = -1;
	usleep(300000);
	close(go[1]);
	go[1] = -1;
	for (i = 0; i < started; i++)
		waitpid(pids[i], &status, 0);
	if (started != o.conns)
		goto out;
	for (i = 0; i < o.conns; i++) {
		if (!res[i].ok) {
			fprintf(stderr, "insert_ceiling: connection %d failed\n", i);
			goto out;
		}
		statements += res[i].statements;
		rows += res[i].rows;
		nlat += res[i].statements < MAX_LAT ? res[i].statements : MAX_LAT;
		if (res[i].elapsed > elapsed)
			elapsed = res[i].elapsed;
	}
	if ((lat = malloc((nlat ? nlat : 1) * sizeof(*lat))) == NULL) {
		fprintf(stderr, "insert_ceiling: out of memory\n");
		goto out;
	}
	for (i = 0, k = 0; i < o.conns; i++) {
		size_t n = res[i].statements < MAX_LAT ? res[i].statements : MAX_LAT;

		memcpy(lat + k, res[i].lat_us, n * sizeof(*lat));
		k += n;
	}
	qsort(lat, nlat, sizeof(*lat), cmp_u32);
	printf("outbox_id=%llu connections=%d seconds=%.2f statements=%lu rows=%lu "
	    "rows_per_s=%.0f p50_ms=%.2f p99_ms=%.2f\n", outbox_id, o.conns, elapsed, statements,
	    rows, elapsed > 0 ? (double)rows / elapsed : 0.0, percentile_ms(lat, nlat, 50),
	    percentile_ms(lat, nlat, 99));
	rc = 0;
out:
	free(lat);
	if (go[0] >= 0)
		close(go[0]);
	if (go[1] >= 0)
		close(go[1]);
	if (res != MAP_FAILED)
		munmap(res, map_len);
	free(sql);
	if (m != NULL)
		mysql_close(m);
	mysql_library_end();
	return rc;
}
