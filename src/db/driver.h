/* driver.h — what a store driver provides (private to src/db/).  db.c dispatches the
 * public db.h calls through d->drv; each driver embeds struct db / struct db_stmt first in
 * its own structures. */
#ifndef WG_DRIVER_H
#define WG_DRIVER_H
#include "db/db.h"

typedef struct db_driver {
	const char *name;
	bool remote; /* each statement is a round trip to a server */
	werr (*open)(const char *url, db **out);
	void (*close)(db *d);
	werr (*migrate)(db *d);
	werr (*exec)(db *d, const char *sql);
	werr (*begin)(db *d);
	werr (*commit)(db *d);
	void (*rollback)(db *d);
	db_stmt *(*get)(db *d, sql_id id);
	db_stmt *(*prepare)(db *d, const char *sql);
	void (*finalize)(db_stmt *s);
	void (*bind_int)(db_stmt *s, int i, int64_t v);
	void (*bind_text)(db_stmt *s, int i, const char *v);
	void (*bind_null)(db_stmt *s, int i);
	void (*bind_double)(db_stmt *s, int i, double v);
	void (*bind_blob)(db_stmt *s, int i, const void *p, size_t n);
	int (*step)(db_stmt *s, werr *err);
	void (*done)(db_stmt *s);
	int64_t (*col_int)(db_stmt *s, int col);
	double (*col_double)(db_stmt *s, int col);
	const char *(*col_text)(db_stmt *s, int col);
	const void *(*col_blob)(db_stmt *s, int col, size_t *n);
	bool (*col_null)(db_stmt *s, int col);
	int (*columns)(db_stmt *s);
	const char *(*column_name)(db_stmt *s, int col);
	int64_t (*changes)(db *d);
	werr (*backup)(db *d, const char *dest);
	werr (*restore)(db *d, const char *src);
	bool (*in_tx)(db *d);
	bool (*tx_usable)(db *d);
	werr (*tune)(db *d, db_use use);
	werr (*checkpoint)(db *d, bool *done);
	/* bulk rows (db_copy_*): NULL where the store has none */
	bool (*can_copy)(db *d);
	werr (*copy_begin)(db *d, sql_id id);
	werr (*copy_row)(db *d, const char *const *vals, int n);
	werr (*copy_end)(db *d);
	/* statements in one exchange (db_send): NULL where each simply runs at its first step */
	werr (*send)(db *d, db_stmt *const *stmts, int n);
	bool (*cte_writes)(db *d); /* db_cte_writes: NULL where there are none */
	bool (*counts_above_district)(db *d); /* db_counts_above_district: NULL means true */
} db_driver;

struct db {
	const db_driver *drv;
	char *url;
	int64_t writes; /* see db_writes() */
	int64_t exchanges; /* see db_exchanges() */
	int64_t commits;   /* see db_commits() */
	void (*on_progress)(void *ctx, int64_t done, int64_t total); /* db_on_progress */
	void *progress_ctx;
};

/* A driver's report of how far a backup or restore has got (db_on_progress). */
void db_progress(db *d, int64_t done, int64_t total);

struct db_stmt {
	db *d;
	bool cached;
};

extern const db_driver sqlite_driver;
extern const db_driver pg_driver;
/* The SQL text of a catalogue statement. */
extern const char *const sql_text[SQL__COUNT];
/* The text SQLite prepares for it (its own where it has one; "?" placeholders, no lock
 * clause, no "RETURNING id" — *rowid_ret says whether there was one); the caller frees it */
char *lite_sql_text(sql_id id, bool *rowid_ret);
/* The text PostgreSQL prepares for it: on a Citus coordinator (citus) or on one server */
const char *pg_sql_text(sql_id id, bool citus);
#endif
