/* db.h — the store interface.  Domain code talks only to this; a driver (SQLite now,
 * PostgreSQL through libpq later) implements it.  SQL is written once, in PostgreSQL's
 * placeholder style ($1, $2 …) and in the subset both engines accept (INSERT … RETURNING,
 * ON CONFLICT, CTEs); the SQLite driver rewrites placeholders when it prepares.
 *
 * Ownership: a db connection belongs to one thread at a time.  A statement handed out by
 * db_get() is owned by the connection's cache: the caller binds, steps and calls db_done();
 * one from db_prepare() is owned by the caller and freed with db_finalize().  Text returned
 * by db_text() is valid until the next db_step()/db_done() on that statement. */
#ifndef WG_DB_H
#define WG_DB_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

typedef struct db db;
typedef struct db_stmt db_stmt;

/* The statement catalogue: one enum value per SQL text, so they cannot drift. */
typedef enum {
#define STMT(name, sql) SQL_##name,
#include "db/sql.def"
#undef STMT
	SQL__COUNT
} sql_id;

enum { DB_ROW = 1, DB_DONE = 0 };

/* Open the store at url: a file path, "sqlite:PATH", or "postgres://user@host:port/db".  Runs pending migrations when
 * migrate is true (init, demo, serve do; read-only tools need not).  W_EDB on failure. */
werr db_open(const char *url, bool migrate, db **out);
void db_close(db *d);
const char *db_url(const db *d);
const char *db_kind(const db *d); /* "sqlite" or "postgresql" */

werr db_exec(db *d, const char *sql); /* no parameters, no rows (DDL, pragmas) */
werr db_begin(db *d);                 /* immediate (write) transaction */
werr db_begin_read(db *d);            /* a read-only snapshot; end it with db_commit */
werr db_commit(db *d);
void db_rollback(db *d);
/* Ends a write begun with db_begin: commits when e is WG_OK, else (or when the commit fails)
 * rolls back; returns the error that ended it. */
werr db_end(db *d, werr e);

db_stmt *db_get(db *d, sql_id id);            /* cached, reset, bindings cleared */
db_stmt *db_prepare(db *d, const char *sql); /* ad hoc (dynamic filters); NULL + detail on error */
void db_finalize(db_stmt *s);

void db_bind_int(db_stmt *s, int i, int64_t v); /* i is 1-based, as $1 */
void db_bind_text(db_stmt *s, int i, const char *v); /* NULL binds SQL NULL; copied */
void db_bind_null(db_stmt *s, int i);
void db_bind_double(db_stmt *s, int i, double v);
/* Bytes (a BLOB on SQLite, bytea on PostgreSQL); copied.  A NULL p binds SQL NULL. */
void db_bind_blob(db_stmt *s, int i, const void *p, size_t n);

/* DB_ROW, DB_DONE, or -1 with the detail set: a unique/foreign-key violation becomes
 * W_ECONFLICT (returned through *err when err != NULL), anything else W_EDB. */
int db_step(db_stmt *s, werr *err);
void db_done(db_stmt *s); /* reset a cached statement after use */

int64_t db_int(db_stmt *s, int col);
double db_double(db_stmt *s, int col);
const char *db_text(db_stmt *s, int col); /* NULL for SQL NULL */
/* A BLOB/bytea column: its bytes and length (NULL, 0 for SQL NULL), valid like db_text's. */
const void *db_blob(db_stmt *s, int col, size_t *n);
bool db_null(db_stmt *s, int col);
int db_columns(db_stmt *s);
const char *db_column_name(db_stmt *s, int col);

/* Run a cached statement to completion (for INSERT/UPDATE/DELETE without rows, or with
 * one RETURNING row whose first column is written to *ret when ret != NULL). */
werr db_run(db_stmt *s, int64_t *ret);
int64_t db_changes(db *d);
/* Step once and read column 0 as an integer (0 when there is no row); done after. */
werr db_scalar(db_stmt *s, int64_t *out);

/* Consistent online copy of the whole store to dest, made while the server keeps
 * writing (SQLite: one read transaction of the backup API; pg_dump): written as
 * dest + BACKUP_PARTIAL, checked (it opens, with this schema's tables), flushed, and only
 * then renamed to dest. */
#define BACKUP_PARTIAL ".partial"
werr db_backup(db *d, const char *dest);
/* Replace the store's contents with a backup made by db_backup (server stopped). */
werr db_restore(db *d, const char *src);
/* How far the store's long work (db_backup, db_restore) has got: fn(ctx, bytes done, bytes in
 * all — 0 while not known), called as it goes (SQLite: each step of pages; PostgreSQL: the
 * archive pg_dump has written, or pg_restore has read, a few times a second) and once at
 * its end.  NULL fn: no reports. */
void db_on_progress(db *d, void (*fn)(void *ctx, int64_t done, int64_t total), void *ctx);
bool db_in_tx(db *d); /* inside an open transaction */
/* Inside an open transaction that can go on (PostgreSQL refuses everything after a failed
 * statement until a rollback; SQLite undoes the failed statement alone). */
bool db_tx_usable(db *d);
/* A count that grows with every statement that may have changed the store (SQLite: a
 * completed statement that is not read-only, and every db_exec; PostgreSQL: every command
 * but a SELECT, and a SELECT with data-modifying CTEs that returns a row — its command tag
 * cannot say whether it wrote, so such a catalogue statement returns a row exactly when
 * it did).  Unchanged across a failed call means the call changed nothing. */
int64_t db_writes(const db *d);
/* Each statement is a round trip to a database server (PostgreSQL): worth sending many
 * rows in one statement.  In-process (SQLite), a prepared statement per row is cheaper. */
bool db_remote(const db *d);
/* Statements sent together, in one exchange with a database server (PostgreSQL: libpq's
 * pipeline mode; each statement still runs on its own, in order, with its own snapshot —
 * one that waited for a row lock sees what was committed meanwhile).  Bind them first;
 * afterwards read each one's rows with db_step as usual and db_done it.  The first
 * failure is returned (the statements after it did not run: none of them has rows).
 * In-process (SQLite) nothing is sent: each statement runs at its first db_step. */
werr db_send(db *d, db_stmt *const *stmts, int n);
/* A statement may write through data-modifying CTEs (WITH x AS (INSERT …)) and run as one
 * statement: PostgreSQL.  Not SQLite (it has none), nor a Citus coordinator for now (it
 * plans such a statement in pieces and refuses some of its joins). */
bool db_cte_writes(db *d);
/* Whether the store keeps the day's counters of units above a district (those with a
 * district-key unit below them: a city, a province) written by every check-in — true on
 * SQLite and PostgreSQL, where that is a few cheap row updates.  False on a Citus
 * coordinator: a check-in writes its counters from its district's key unit down only
 * (stats_day_add), and the statements that read a unit's counters sum the key units'
 * rows below it (layout_citus.c), so no check-in writes a row shared by districts. */
bool db_counts_above_district(db *d);
/* How many exchanges this connection has had with a database server (a statement, a
 * db_send, a transaction's begin or end: each one round trip); always 0 in-process. */
int64_t db_exchanges(const db *d);

/* What a connection is for: the store tunes itself (SQLite: pragmas; a database server
 * keeps its own settings), so code above src/db/ never writes store-specific SQL. */
typedef enum {
	DB_FOR_WRITER,     /* the server's group-commit writer: the ticker checkpoints, small cache, mmap */
	DB_FOR_BULK,       /* a one-off load (demo presets): no fsync until DB_FOR_BULK_DONE */
	DB_FOR_BULK_DONE,  /* after it: durable again, the log folded back, statistics gathered */
	DB_FOR_BIG_IMPORT, /* a one-off import of a large sheet: a page cache the size of the store */
	DB_FOR_NEW_ROWS,   /* inside a transaction that added many rows (a demo, a big sheet): the
	                    * planner's statistics gathered again before it commits */
} db_use;
werr db_tune(db *d, db_use use);
/* Copy the write-ahead log back into the store without waiting for readers (SQLite);
 * false into *done for a store without one (a database server). */
werr db_checkpoint(db *d, bool *done);
/* Transactions this connection has committed (db_commit that succeeded); 0 for NULL.  The
 * ticker counts its tasks' commits so (ticker.h). */
int64_t db_commits(const db *d);

/* What the server's store connections did to the writer's cache, since the process
 * started (SQLite; all zero on a database server, which keeps no cache in the process).
 * SQLite in WAL mode drops a connection's whole page cache — and unmaps its memory map of
 * the store — when it begins a transaction and finds that another connection (or
 * process) committed since its last one; on a grown store the writer then re-reads, page
 * fault by page fault, everything its next batches touch (bench/README.md, issue 22).
 * So the writer's connection is the only one that commits while the server serves
 * (docs/ARCHITECTURE.md), and these say whether it stays so. */
typedef struct {
	int64_t writer_commits; /* transactions committed by a DB_FOR_WRITER connection */
	int64_t other_commits;  /* transactions that changed rows, committed by any other connection of the
	                           process */
	int64_t writer_resets;  /* the writer found another's commit and dropped its cache and map */
	int64_t writer_cache_hits,
	    writer_cache_misses; /* the writer's page look-ups (not those of the map) */
	int64_t log_restarts_asked, /* the writer's checkpoints that asked the log to start over */
	    log_restarts_done;      /* and those that had it so before their wait ran out */
} db_stats;
void db_stats_read(db_stats *out);

/* Release the open savepoint and open the next, in one exchange (an import's rows). */
werr db_savepoint_renew(db *d);

/* Rows streamed into a table in one exchange (PostgreSQL: COPY … FROM STDIN, text format),
 * for bulk loads into a staging table.  db_can_copy says whether the store has it (SQLite
 * does not need it: a prepared insert per row costs no round trip; nor does a Citus
 * coordinator here).  db_copy_begin starts the catalogue statement id ("COPY t(cols) FROM
 * STDIN"); each db_copy_row sends n values in the statement's column order (NULL for SQL
 * NULL; the driver escapes); db_copy_end finishes it and returns the copy's error, if
 * any.  Between begin and end no other statement may run on the connection; a
 * db_rollback abandons a copy in progress. */
bool db_can_copy(db *d);
werr db_copy_begin(db *d, sql_id id);
werr db_copy_row(db *d, const char *const *vals, int n);
werr db_copy_end(db *d);
#endif
