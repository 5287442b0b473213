/*
 * db.c — connection, prepared-statement slots, binding and fetching.
 *
 * Results are always bound as strings: MariaDB converts numbers and
 * DATETIME values on the client, and every caller wants text for JSON
 * anyway. Buffers are sized from the store_result() max_length of each
 * column, and a column that still does not fit is re-read whole with
 * mysql_stmt_fetch_column().
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <errmsg.h>
#include <mysqld_error.h>

#include "conf.h"
#include "crypto.h"
#include "db.h"
#include "log.h"

#define DB_MAX_PARAMS 48

static MYSQL *db_conn;
static unsigned db_generation = 1;
static unsigned db_last_errno;
static int db_in_tx;
static const struct conf *db_conf;

/* Statements prepared on the current connection, to close on reconnect. */
static struct db_stmt *db_prepared[256];
static size_t db_nprepared;

static int
db_connect(void)
{
	unsigned int timeout = 5;
	my_bool reconnect = 0;
	const struct conf *c = db_conf;

	if ((db_conn = mysql_init(NULL)) == NULL) {
		log_err("db: mysql_init: out of memory");
		return -1;
	}
	mysql_options(db_conn, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
	mysql_options(db_conn, MYSQL_OPT_RECONNECT, &reconnect);
	mysql_options(db_conn, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	/* All DATETIME columns hold UTC; the session must agree. */
	mysql_options(db_conn, MYSQL_INIT_COMMAND, "SET time_zone = '+00:00'");
	if (mysql_real_connect(db_conn, c->db_socket[0] ? NULL : c->db_host,
	    c->db_user, c->db_password[0] ? c->db_password : NULL, c->db_name,
	    c->db_port, c->db_socket[0] ? c->db_socket : NULL,
	    CLIENT_FOUND_ROWS) == NULL) {
		db_last_errno = mysql_errno(db_conn);
		log_err("db: connect to %s: %s", c->db_socket[0] ? c->db_socket : c->db_host,
		    mysql_error(db_conn));
		mysql_close(db_conn);
		db_conn = NULL;
		return -1;
	}
	db_generation++;
	return 0;
}

int
db_open(const struct conf *c)
{
	db_conf = c;
	if (db_conn != NULL)
		return 0;
	return db_connect();
}

static void
db_stmt_release(struct db_stmt *s)
{
	db_done(s);
	if (s->st != NULL)
		mysql_stmt_close(s->st);
	s->st = NULL;
	s->gen = 0;
}

void
db_close(void)
{
	size_t i;

	for (i = 0; i < db_nprepared; i++)
		db_stmt_release(db_prepared[i]);
	db_nprepared = 0;
	if (db_conn != NULL)
		mysql_close(db_conn);
	db_conn = NULL;
	db_in_tx = 0;
}

static int
db_reconnect(void)
{
	db_close();
	return db_connect();
}

static int
db_is_gone(unsigned err)
{
	return err == CR_SERVER_GONE_ERROR || err == CR_SERVER_LOST ||
	    err == ER_CONNECTION_KILLED || err == CR_CONNECTION_ERROR;
}

static int
db_prepare(struct db_stmt *s)
{
	my_bool update_max = 1;

	if (s->st != NULL && s->gen == db_generation)
		return 0;
	if (s->st != NULL)
		db_stmt_release(s);
	if (db_conn == NULL && (db_conf == NULL || db_connect() != 0))
		return -1;
	if ((s->st = mysql_stmt_init(db_conn)) == NULL) {
		log_err("db: mysql_stmt_init: %s", mysql_error(db_conn));
		return -1;
	}
	if (mysql_stmt_prepare(s->st, s->sql, strlen(s->sql)) != 0) {
		db_last_errno = mysql_stmt_errno(s->st);
		log_err("db: prepare: %s: %.120s", mysql_stmt_error(s->st), s->sql);
		mysql_stmt_close(s->st);
		s->st = NULL;
		return -1;
	}
	mysql_stmt_attr_set(s->st, STMT_ATTR_UPDATE_MAX_LENGTH, &update_max);
	s->gen = db_generation;
	if (db_nprepared < sizeof(db_prepared) / sizeof(db_prepared[0]))
		db_prepared[db_nprepared++] = s;
	return 0;
}

void
db_done(struct db_stmt *s)
{
	unsigned i;

	if (s->has_result && s->st != NULL)
		mysql_stmt_free_result(s->st);
	s->has_result = 0;
	if (s->rbuf != NULL)
		for (i = 0; i < s->ncols; i++)
			free(s->rbuf[i]);
	free(s->rbuf);
	free(s->rbind);
	free(s->rlen);
	free(s->rnull);
	free(s->rcap);
	s->rbuf = NULL;
	s->rbind = NULL;
	s->rlen = NULL;
	s->rnull = NULL;
	s->rcap = NULL;
	s->ncols = 0;
}

/* Binds every result column as a string buffer sized for the longest value. */
static int
db_bind_result(struct db_stmt *s)
{
	MYSQL_RES *meta;
	MYSQL_FIELD *f;
	unsigned i;
	unsigned long cap;
	int rc = -1;

	if ((meta = mysql_stmt_result_metadata(s->st)) == NULL)
		return 0;
	if (mysql_stmt_store_result(s->st) != 0) {
		db_last_errno = mysql_stmt_errno(s->st);
		log_err("db: store_result: %s", mysql_stmt_error(s->st));
		goto out;
	}
	s->has_result = 1;
	s->ncols = mysql_num_fields(meta);
	f = mysql_fetch_fields(meta);
	s->rbind = calloc(s->ncols, sizeof(*s->rbind));
	s->rbuf = calloc(s->ncols, sizeof(*s->rbuf));
	s->rlen = calloc(s->ncols, sizeof(*s->rlen));
	s->rnull = calloc(s->ncols, sizeof(*s->rnull));
	s->rcap = calloc(s->ncols, sizeof(*s->rcap));
	if (!s->rbind || !s->rbuf || !s->rlen || !s->rnull || !s->rcap) {
		log_err("db: out of memory");
		goto out;
	}
	for (i = 0; i < s->ncols; i++) {
		/* Numbers and dates: max_length may be their binary size. */
		cap = f[i].max_length + 1;
		if (cap < 64)
			cap = 64;
		if ((s->rbuf[i] = malloc(cap)) == NULL) {
			log_err("db: out of memory");
			goto out;
		}
		s->rcap[i] = cap;
		s->rbind[i].buffer_type = MYSQL_TYPE_STRING;
		s->rbind[i].buffer = s->rbuf[i];
		s->rbind[i].buffer_length = cap - 1;
		s->rbind[i].length = &s->rlen[i];
		s->rbind[i].is_null = &s->rnull[i];
	}
	if (mysql_stmt_bind_result(s->st, s->rbind) != 0) {
		log_err("db: bind_result: %s", mysql_stmt_error(s->st));
		goto out;
	}
	rc = 0;
out:
	mysql_free_result(meta);
	return rc;
}

static int
db_exec_once(struct db_stmt *s, MYSQL_BIND *bind, unsigned nparams)
{
	if (db_prepare(s) != 0)
		return -1;
	if (mysql_stmt_param_count(s->st) != nparams) {
		log_err("db: statement has %lu placeholders, %u values bound: %.120s",
		    mysql_stmt_param_count(s->st), nparams, s->sql);
		db_last_errno = 0;
		return -2;
	}
	if (nparams > 0 && mysql_stmt_bind_param(s->st, bind) != 0) {
		log_err("db: bind_param: %s", mysql_stmt_error(s->st));
		return -1;
	}
	if (mysql_stmt_execute(s->st) != 0) {
		db_last_errno = mysql_stmt_errno(s->st);
		if (db_last_errno != ER_DUP_ENTRY)
			log_err("db: execute: %s: %.120s", mysql_stmt_error(s->st), s->sql);
		return -1;
	}
	s->affected = mysql_stmt_affected_rows(s->st);
	s->insert_id = mysql_stmt_insert_id(s->st);
	return db_bind_result(s);
}

int
db_exec(struct db_stmt *s, const char *types, ...)
{
	MYSQL_BIND bind[DB_MAX_PARAMS];
	long long ints[DB_MAX_PARAMS];
	double dbls[DB_MAX_PARAMS];
	unsigned long lens[DB_MAX_PARAMS];
	unsigned n = (unsigned)strlen(types), i;
	const char *str;
	const long long *pint;
	va_list ap;
	int rc;

	db_done(s);
	db_last_errno = 0;
	if (n > DB_MAX_PARAMS) {
		log_err("db: too many parameters");
		return -1;
	}
	memset(bind, 0, sizeof(bind));
	va_start(ap, types);
	for (i = 0; i < n; i++) {
		switch (types[i]) {
		case 's':
			str = va_arg(ap, const char *);
			if (str == NULL) {
				bind[i].buffer_type = MYSQL_TYPE_NULL;
				break;
			}
			lens[i] = (unsigned long)strlen(str);
			bind[i].buffer_type = MYSQL_TYPE_STRING;
			bind[i].buffer = (void *)(uintptr_t)str;
			bind[i].buffer_length = lens[i];
			bind[i].length = &lens[i];
			break;
		case 'i':
			ints[i] = va_arg(ap, long long);
			bind[i].buffer_type = MYSQL_TYPE_LONGLONG;
			bind[i].buffer = &ints[i];
			break;
		case 'n':
			pint = va_arg(ap, const long long *);
			if (pint == NULL) {
				bind[i].buffer_type = MYSQL_TYPE_NULL;
				break;
			}
			ints[i] = *pint;
			bind[i].buffer_type = MYSQL_TYPE_LONGLONG;
			bind[i].buffer = &ints[i];
			break;
		case 'd':
			dbls[i] = va_arg(ap, double);
			bind[i].buffer_type = MYSQL_TYPE_DOUBLE;
			bind[i].buffer = &dbls[i];
			break;
		default:
			va_end(ap);
			log_err("db: bad type letter '%c'", types[i]);
			return -1;
		}
	}
	va_end(ap);

	rc = db_exec_once(s, bind, n);
	if (rc == -1 && !db_in_tx && db_is_gone(db_last_errno)) {
		log_warn("db: connection lost, reconnecting");
		if (db_reconnect() == 0)
			rc = db_exec_once(s, bind, n);
	}
	return rc == 0 ? 0 : -1;
}

/* 1 when the server executes arrays of parameters in one round trip. */
static int
db_has_bulk(void)
{
#ifdef MARIADB_CLIENT_STMT_BULK_OPERATIONS
	unsigned long caps = 0;

	if (db_conn != NULL && mariadb_get_infov(db_conn,
	    MARIADB_CONNECTION_EXTENDED_SERVER_CAPABILITIES, &caps) == 0)
		return (caps & (MARIADB_CLIENT_STMT_BULK_OPERATIONS >> 32)) != 0;
#endif
	return 0;
}

int
db_exec_bulk(struct db_stmt *s, unsigned nrows, const char *types, ...)
{
	MYSQL_BIND bind[DB_MAX_PARAMS];
	const void *cols[DB_MAX_PARAMS];
	char *ind[DB_MAX_PARAMS];
	unsigned n = (unsigned)strlen(types), i, row;
	unsigned long long total = 0;
	unsigned int size = nrows, none = 0;
	const char *const *strs;
	va_list ap;
	int rc = -1, bulk;

	db_done(s);
	db_last_errno = 0;
	if (n > DB_MAX_PARAMS || nrows == 0)
		return nrows == 0 ? 0 : -1;
	memset(ind, 0, sizeof(ind));
	va_start(ap, types);
	for (i = 0; i < n; i++)
		cols[i] = types[i] == 's' ? (const void *)va_arg(ap, const char *const *) :
		    (const void *)va_arg(ap, const long long *);
	va_end(ap);
	if (db_prepare(s) != 0)
		return -1;
	if (mysql_stmt_param_count(s->st) != n) {
		log_err("db: bulk statement has %lu placeholders, %u columns bound: %.120s",
		    mysql_stmt_param_count(s->st), n, s->sql);
		return -1;
	}
	bulk = db_has_bulk();
	for (row = 0; row < (bulk ? 1 : nrows); row++) {
		memset(bind, 0, sizeof(bind));
		for (i = 0; i < n; i++) {
			if (types[i] == 's') {
				strs = cols[i];
				if (bulk) {
					/* Column-wise arrays; NUL-terminated or NULL. */
					if (ind[i] == NULL && (ind[i] = malloc(nrows)) == NULL)
						goto out;
					for (unsigned k = 0; k < nrows; k++)
						ind[i][k] = strs[k] ? STMT_INDICATOR_NTS : STMT_INDICATOR_NULL;
					bind[i].buffer_type = MYSQL_TYPE_STRING;
					bind[i].buffer = (void *)(uintptr_t)strs;
					bind[i].u.indicator = ind[i];
				} else if (strs[row] == NULL) {
					bind[i].buffer_type = MYSQL_TYPE_NULL;
				} else {
					bind[i].buffer_type = MYSQL_TYPE_STRING;
					bind[i].buffer = (void *)(uintptr_t)strs[row];
					bind[i].buffer_length = (unsigned long)strlen(strs[row]);
				}
			} else if (types[i] == 'i') {
				bind[i].buffer_type = MYSQL_TYPE_LONGLONG;
				bind[i].buffer = (void *)(uintptr_t)((const long long *)cols[i] +
				    (bulk ? 0 : row));
			} else {
				log_err("db: bad bulk type letter '%c'", types[i]);
				goto out;
			}
		}
		if (mysql_stmt_attr_set(s->st, STMT_ATTR_ARRAY_SIZE, bulk ? &size : &none) != 0 ||
		    mysql_stmt_bind_param(s->st, bind) != 0) {
			log_err("db: bulk bind: %s", mysql_stmt_error(s->st));
			goto out;
		}
		if (mysql_stmt_execute(s->st) != 0) {
			db_last_errno = mysql_stmt_errno(s->st);
			if (db_last_errno != ER_DUP_ENTRY)
				log_err("db: bulk execute: %s: %.120s", mysql_stmt_error(s->st), s->sql);
			goto out;
		}
		total += mysql_stmt_affected_rows(s->st);
	}
	s->affected = total;
	s->insert_id = mysql_stmt_insert_id(s->st);
	rc = 0;
out:
	/* Later plain executions of this statement bind single values again. */
	mysql_stmt_attr_set(s->st, STMT_ATTR_ARRAY_SIZE, &none);
	for (i = 0; i < n; i++)
		free(ind[i]);
	return rc;
}

int
db_fetch(struct db_stmt *s)
{
	unsigned i;
	int r;
	char *nb;

	if (!s->has_result)
		return 0;
	r = mysql_stmt_fetch(s->st);
	if (r == MYSQL_NO_DATA)
		return 0;
	if (r == 1) {
		db_last_errno = mysql_stmt_errno(s->st);
		log_err("db: fetch: %s", mysql_stmt_error(s->st));
		return -1;
	}
	for (i = 0; i < s->ncols; i++) {
		if (s->rnull[i])
			continue;
		if (s->rlen[i] >= s->rcap[i]) {
			/* Truncated: grow and read this column again. */
			if ((nb = realloc(s->rbuf[i], s->rlen[i] + 1)) == NULL) {
				log_err("db: out of memory");
				return -1;
			}
			s->rbuf[i] = nb;
			s->rcap[i] = s->rlen[i] + 1;
			s->rbind[i].buffer = nb;
			s->rbind[i].buffer_length = s->rlen[i];
			if (mysql_stmt_fetch_column(s->st, &s->rbind[i], i, 0) != 0) {
				log_err("db: fetch_column: %s", mysql_stmt_error(s->st));
				return -1;
			}
			/* The next row must bind this bigger buffer too. */
			mysql_stmt_bind_result(s->st, s->rbind);
		}
		s->rbuf[i][s->rlen[i]] = '\0';
	}
	return 1;
}

const char *
db_col(const struct db_stmt *s, unsigned i)
{
	if (i >= s->ncols || s->rnull[i])
		return NULL;
	return s->rbuf[i];
}

long long
db_col_int(const struct db_stmt *s, unsigned i)
{
	const char *v = db_col(s, i);

	return v == NULL ? 0 : strtoll(v, NULL, 10);
}

double
db_col_double(const struct db_stmt *s, unsigned i)
{
	const char *v = db_col(s, i);

	return v == NULL ? 0 : strtod(v, NULL);
}

unsigned long long
db_affected(const struct db_stmt *s)
{
	return s->affected;
}

unsigned long long
db_insert_id(const struct db_stmt *s)
{
	return s->insert_id;
}

unsigned
db_errno(void)
{
	return db_last_errno;
}

void
db_col_copy(const struct db_stmt *s, unsigned i, char *dst, size_t len)
{
	const char *v = db_col(s, i);

	snprintf(dst, len, "%s", v != NULL ? v : "");
}

int
db_exists(struct db_stmt *s, const char *a, const char *b)
{
	int f;

	if (db_exec(s, "ss", a, b) != 0)
		return -1;
	f = db_fetch(s);
	db_done(s);
	return f;
}

int
db_err_retryable(unsigned err)
{
	return err == DB_ER_LOCK_DEADLOCK || err == DB_ER_LOCK_WAIT_TIMEOUT;
}

void
db_backoff(int attempt, unsigned base_ms, unsigned spread_ms)
{
	unsigned char jitter = 0;
	struct timespec ts;

	crypto_random(&jitter, 1);
	ts.tv_sec = 0;
	ts.tv_nsec = (long)(attempt + 1) * (long)(base_ms + jitter % spread_ms) * 1000000L;
	nanosleep(&ts, NULL);
}

static int
db_simple(const char *sql)
{
	if (db_conn == NULL && (db_conf == NULL || db_connect() != 0))
		return -1;
	if (mysql_query(db_conn, sql) != 0) {
		db_last_errno = mysql_errno(db_conn);
		log_err("db: %s: %s", sql, mysql_error(db_conn));
		return -1;
	}
	return 0;
}

static struct db_stmt db_lock_stmt = DB_STMT("SELECT GET_LOCK(?, ?)");
static struct db_stmt db_unlock_stmt = DB_STMT("SELECT RELEASE_LOCK(?)");

int
db_lock(const char *name, int wait_seconds)
{
	int rc = -1;

	if (db_exec(&db_lock_stmt, "si", name, (long long)wait_seconds) != 0)
		return -1;
	/* NULL means an error; 0 a timeout, i.e. held by another session. */
	if (db_fetch(&db_lock_stmt) == 1 && db_col(&db_lock_stmt, 0) != NULL)
		rc = db_col_int(&db_lock_stmt, 0) == 1;
	db_done(&db_lock_stmt);
	return rc;
}

void
db_unlock(const char *name)
{
	if (db_exec(&db_unlock_stmt, "s", name) == 0)
		db_done(&db_unlock_stmt);
}

int
db_begin(void)
{
	/*
	 * No ping first: that would be a round trip on every transaction. A
	 * connection lost while idle fails START TRANSACTION itself, which is
	 * safe to redo on a fresh connection since nothing has happened yet.
	 */
	if (db_simple("START TRANSACTION") != 0) {
		if (!db_is_gone(db_last_errno) || db_reconnect() != 0 ||
		    db_simple("START TRANSACTION") != 0)
			return -1;
	}
	db_in_tx = 1;
	return 0;
}

int
db_commit(void)
{
	int rc = db_simple("COMMIT");

	db_in_tx = 0;
	return rc;
}

int
db_rollback(void)
{
	int rc = db_simple("ROLLBACK");

	db_in_tx = 0;
	return rc;
}

int
db_run_script(const char *sql, char *err, size_t errlen)
{
	MYSQL_RES *res;
	int status;

	if (db_conn == NULL && (db_conf == NULL || db_connect() != 0)) {
		snprintf(err, errlen, "cannot connect to the database");
		return -1;
	}
	mysql_set_server_option(db_conn, MYSQL_OPTION_MULTI_STATEMENTS_ON);
	status = mysql_real_query(db_conn, sql, strlen(sql));
	for (;;) {
		if (status != 0) {
			db_last_errno = mysql_errno(db_conn);
			snprintf(err, errlen, "%s", mysql_error(db_conn));
			/* Drain what is left so the connection stays usable. */
			while (mysql_next_result(db_conn) == 0)
				if ((res = mysql_store_result(db_conn)) != NULL)
					mysql_free_result(res);
			mysql_set_server_option(db_conn, MYSQL_OPTION_MULTI_STATEMENTS_OFF);
			return -1;
		}
		if ((res = mysql_store_result(db_conn)) != NULL)
			mysql_free_result(res);
		status = mysql_next_result(db_conn);
		if (status == -1)
			break;
		if (status > 0)
			continue;
	}
	mysql_set_server_option(db_conn, MYSQL_OPTION_MULTI_STATEMENTS_OFF);
	return 0;
}
