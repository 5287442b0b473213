/*
 * db.h — the one MariaDB connection of a process and its prepared
 * statements.
 *
 * Every module declares its SQL as static `struct db_stmt` slots; a slot is
 * prepared on first use and again after a reconnect (the connection carries
 * a generation number, so stale handles are never reused). Values are bound
 * with one helper whose type string must match the statement's parameter
 * count, and rows come back as NUL-terminated strings. There is no function
 * that takes SQL text from a caller at run time except the migration
 * runner, which reads the files in schema/.
 */
#ifndef RETIVO_DB_H
#define RETIVO_DB_H

#include <stddef.h>

#include <mysql.h>

struct conf;

struct db_stmt {
	const char	*sql;		/* static text, never built from input */
	MYSQL_STMT	*st;
	unsigned	 gen;		/* connection generation it was prepared on */
	/* result of the last db_exec() */
	unsigned	 ncols;
	MYSQL_BIND	*rbind;
	char		**rbuf;
	unsigned long	*rlen;
	my_bool		*rnull;
	unsigned long	*rcap;
	int		 has_result;
	unsigned long long affected;
	unsigned long long insert_id;
};

#define DB_STMT(text) { .sql = (text) }

/* Connects (once) using c. Returns 0, or -1 having logged the reason. */
int db_open(const struct conf *c);

/* Closes the connection and every prepared statement. */
void db_close(void);

/*
 * Executes a prepared statement. `types` has one letter per placeholder:
 *   s  const char *       (NULL binds SQL NULL)
 *   i  long long
 *   n  const long long *  (NULL binds SQL NULL)
 *   d  double
 * A mismatch between strlen(types) and the statement's placeholders is a
 * programming error: logged, -1. On a lost connection outside a
 * transaction the statement is retried once on a fresh connection.
 * Returns 0 on success, -1 on error; the MariaDB error number is then
 * available from db_errno() (1062 for a duplicate key). Rows, if any, are
 * read with db_fetch(); always finish with db_done().
 */
int db_exec(struct db_stmt *s, const char *types, ...);

/*
 * Executes a prepared INSERT/UPDATE once for nrows rows in one round trip
 * (MariaDB bulk execution; row by row on servers without it). `types` is
 * as for db_exec() but each vararg is a column array of nrows values:
 *   s  const char *const *   (NULL entries bind SQL NULL)
 *   i  const long long *
 * Returns 0 and the summed affected rows via db_affected(), or -1.
 */
int db_exec_bulk(struct db_stmt *s, unsigned nrows, const char *types, ...);

/* Moves to the next row: 1 row ready, 0 no more rows, -1 error. */
int db_fetch(struct db_stmt *s);

/* Column i of the current row, or NULL for SQL NULL. Valid until next fetch. */
const char *db_col(const struct db_stmt *s, unsigned i);

/* Column i into dst as a string of at most len - 1 bytes ("" for NULL). */
void db_col_copy(const struct db_stmt *s, unsigned i, char *dst, size_t len);

/* Column i as an integer (0 for NULL). */
long long db_col_int(const struct db_stmt *s, unsigned i);

/* Column i as a double (0 for NULL). */
double db_col_double(const struct db_stmt *s, unsigned i);

/*
 * Runs s with the two string placeholders a and b and says whether it gave
 * a row, finishing it: 1 a row, 0 none, -1 on error (an existence or
 * ownership check).
 */
int db_exists(struct db_stmt *s, const char *a, const char *b);

/* Frees the result of the last db_exec(); safe to call twice. */
void db_done(struct db_stmt *s);

/* Rows changed by the last statement, and the auto-increment value. */
unsigned long long db_affected(const struct db_stmt *s);
unsigned long long db_insert_id(const struct db_stmt *s);

/* MariaDB error number of the last failed call, 0 if none. */
unsigned db_errno(void);

#define DB_ER_DUP_ENTRY 1062
#define DB_ER_LOCK_DEADLOCK 1213
#define DB_ER_LOCK_WAIT_TIMEOUT 1205

/*
 * 1 when err (a db_errno() value) says InnoDB chose us as a deadlock
 * victim or a lock wait timed out: the statement, or the transaction, was
 * undone whole and may be tried again. Else 0.
 */
int db_err_retryable(unsigned err);

/*
 * The pause between tries of a deadlocked statement: sleeps (attempt + 1)
 * x (base_ms + a random 0..spread_ms-1) milliseconds, jittered so that two
 * retrying clients do not collide again in lockstep. spread_ms is 1..256.
 */
void db_backoff(int attempt, unsigned base_ms, unsigned spread_ms);

/*
 * Named advisory locks (GET_LOCK), held by this connection until released
 * or the connection ends: how cron jobs keep a second host from running
 * the same duty at once. db_lock() waits up to wait_seconds (0: not at
 * all); returns 1 taken, 0 held elsewhere, -1 error. db_unlock() releases.
 */
int db_lock(const char *name, int wait_seconds);
void db_unlock(const char *name);

/* Transactions: 0 or -1. A failed commit leaves nothing applied. */
int db_begin(void);
int db_commit(void);
int db_rollback(void);

/*
 * Runs a multi-statement script (a schema migration file) as it is.
 * Only the migration runner calls this. Returns 0 or -1 (logged, and the
 * message copied to err).
 */
int db_run_script(const char *sql, char *err, size_t errlen);

#endif
