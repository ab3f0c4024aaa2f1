/* db_sqlite.c — the SQLite driver of the store interface (db.h).
 * One connection per thread; WAL; synchronous=FULL so an acknowledged commit survives a
 * crash or power loss; foreign keys on; busy timeout so writers queue instead of failing. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "db/db.h"
#include "db/migrate.h"

struct db_stmt {
	sqlite3_stmt *st;
	db *d;
	bool cached;
};

struct db {
	sqlite3 *h;
	char *url;
	db_stmt cache[SQL__COUNT];
};

static const char *const sql_text[SQL__COUNT] = {
#define STMT(name, sql) [SQL_##name] = sql,
#include "db/sql.def"
#undef STMT
};

/* $N → ?N outside quoted literals; returns a malloc'd copy. */
static char *rewrite_placeholders(const char *sql)
{
	size_t n = strlen(sql);
	char *out = xmalloc(n + 1);
	char quote = 0;
	for (size_t i = 0; i <= n; i++) {
		char c = sql[i];
		if (quote) {
			if (c == quote)
				quote = 0;
		} else if (c == '\'' || c == '"') {
			quote = c;
		} else if (c == '$' && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
			c = '?';
		}
		out[i] = c;
	}
	return out;
}

static werr sqlite_fail(db *d, const char *what)
{
	int ext = sqlite3_extended_errcode(d->h);
	int rc = ext & 0xff;
	if (rc == SQLITE_CONSTRAINT)
		return w_fail(W_ECONFLICT, "conflict", NULL, "%s", sqlite3_errmsg(d->h));
	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		return w_fail(W_EBUSY, "busy", NULL, "store busy, retry (%s)", what);
	if (rc == SQLITE_FULL)
		return w_fail(W_EDB, "disk_full", NULL, "disk full while %s", what);
	return w_fail(W_EDB, "store_error", NULL, "%s: %s", what, sqlite3_errmsg(d->h));
}

static werr migrate(db *d)
{
	werr e = db_exec(d, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
	if (e)
		return e;
	int have = 0;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(d->h, "SELECT max(version) FROM schema_version", -1, &st, NULL) != SQLITE_OK)
		return sqlite_fail(d, "reading schema version");
	if (sqlite3_step(st) == SQLITE_ROW)
		have = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (have > migrations_sqlite_count)
		return w_fail(W_EDB, "schema_too_new", NULL,
		              "database schema %d is newer than this wangge (%d)", have,
		              migrations_sqlite_count);
	for (int v = have + 1; v <= migrations_sqlite_count; v++) {
		if ((e = db_begin(d)))
			return e;
		if ((e = db_exec(d, migrations_sqlite[v - 1]))) {
			db_rollback(d);
			return e;
		}
		char ins[80];
		snprintf(ins, sizeof ins, "INSERT INTO schema_version(version) VALUES (%d)", v);
		if ((e = db_exec(d, ins)) || (e = db_commit(d))) {
			db_rollback(d);
			return e;
		}
	}
	return WG_OK;
}

werr db_open(const char *url, bool migrate_now, db **out)
{
	*out = NULL;
	const char *path = url;
	if (strncmp(url, "sqlite:", 7) == 0)
		path = url + 7;
	if (strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0)
		return w_fail(W_EINVAL, "store_unavailable", "db",
		              "this build has no PostgreSQL store yet; use a SQLite file path");
	db *d = xcalloc(1, sizeof *d);
	d->url = xstrdup(url);
	int rc = sqlite3_open_v2(path, &d->h,
	                         SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		werr e = w_fail(W_EDB, "store_open", "db", "cannot open %s: %s", path,
		                d->h ? sqlite3_errmsg(d->h) : sqlite3_errstr(rc));
		db_close(d);
		return e;
	}
	sqlite3_busy_timeout(d->h, 10000);
	werr e = db_exec(d, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
	                    " PRAGMA foreign_keys=ON; PRAGMA cache_size=-65536;"
	                    " PRAGMA temp_store=MEMORY");
	if (!e && migrate_now)
		e = migrate(d);
	if (e) {
		db_close(d);
		return e;
	}
	*out = d;
	return WG_OK;
}

void db_close(db *d)
{
	if (!d)
		return;
	for (int i = 0; i < SQL__COUNT; i++)
		if (d->cache[i].st)
			sqlite3_finalize(d->cache[i].st);
	sqlite3_close(d->h);
	free(d->url);
	free(d);
}

const char *db_url(const db *d)
{
	return d->url;
}

werr db_exec(db *d, const char *sql)
{
	char *err = NULL;
	if (sqlite3_exec(d->h, sql, NULL, NULL, &err) != SQLITE_OK) {
		werr e = sqlite_fail(d, "executing");
		sqlite3_free(err);
		return e;
	}
	return WG_OK;
}

werr db_begin(db *d)
{
	return db_exec(d, "BEGIN IMMEDIATE");
}

werr db_commit(db *d)
{
	return db_exec(d, "COMMIT");
}

void db_rollback(db *d)
{
	if (!sqlite3_get_autocommit(d->h))
		sqlite3_exec(d->h, "ROLLBACK", NULL, NULL, NULL);
}

db_stmt *db_get(db *d, sql_id id)
{
	db_stmt *s = &d->cache[id];
	if (!s->st) {
		char *sql = rewrite_placeholders(sql_text[id]);
		int rc = sqlite3_prepare_v3(d->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->st, NULL);
		free(sql);
		if (rc != SQLITE_OK) {
			/* A catalogue statement that does not prepare is a programming error. */
			fprintf(stderr, "wangge: BUG: statement %d does not prepare: %s\n", (int)id,
			        sqlite3_errmsg(d->h));
			abort();
		}
		s->d = d;
		s->cached = true;
	}
	sqlite3_reset(s->st);
	sqlite3_clear_bindings(s->st);
	return s;
}

db_stmt *db_prepare(db *d, const char *sql)
{
	char *q = rewrite_placeholders(sql);
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(d->h, q, -1, &st, NULL);
	free(q);
	if (rc != SQLITE_OK) {
		sqlite_fail(d, "preparing");
		return NULL;
	}
	db_stmt *s = xcalloc(1, sizeof *s);
	s->st = st;
	s->d = d;
	return s;
}

void db_finalize(db_stmt *s)
{
	if (!s)
		return;
	if (s->cached) {
		sqlite3_reset(s->st);
		return;
	}
	sqlite3_finalize(s->st);
	free(s);
}

void db_bind_int(db_stmt *s, int i, int64_t v)
{
	sqlite3_bind_int64(s->st, i, v);
}

void db_bind_text(db_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s->st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s->st, i);
}

void db_bind_null(db_stmt *s, int i)
{
	sqlite3_bind_null(s->st, i);
}

void db_bind_double(db_stmt *s, int i, double v)
{
	sqlite3_bind_double(s->st, i, v);
}

int db_step(db_stmt *s, werr *err)
{
	int rc = sqlite3_step(s->st);
	if (rc == SQLITE_ROW)
		return DB_ROW;
	if (rc == SQLITE_DONE)
		return DB_DONE;
	werr e = sqlite_fail(s->d, "running a statement");
	sqlite3_reset(s->st);
	if (err)
		*err = e;
	return -1;
}

void db_done(db_stmt *s)
{
	sqlite3_reset(s->st);
}

int64_t db_int(db_stmt *s, int col)
{
	return sqlite3_column_int64(s->st, col);
}

double db_double(db_stmt *s, int col)
{
	return sqlite3_column_double(s->st, col);
}

const char *db_text(db_stmt *s, int col)
{
	return (const char *)sqlite3_column_text(s->st, col);
}

bool db_null(db_stmt *s, int col)
{
	return sqlite3_column_type(s->st, col) == SQLITE_NULL;
}

int db_columns(db_stmt *s)
{
	return sqlite3_column_count(s->st);
}

const char *db_column_name(db_stmt *s, int col)
{
	return sqlite3_column_name(s->st, col);
}

werr db_run(db_stmt *s, int64_t *ret)
{
	werr e = WG_OK;
	int rc = db_step(s, &e);
	if (rc < 0)
		return e;
	if (rc == DB_ROW && ret)
		*ret = db_int(s, 0);
	/* drain (RETURNING of several rows) */
	while (rc == DB_ROW)
		if ((rc = db_step(s, &e)) < 0)
			return e;
	if (s->cached)
		sqlite3_reset(s->st);
	return WG_OK;
}

int64_t db_changes(db *d)
{
	return sqlite3_changes64(d->h);
}

werr db_backup(db *d, const char *dest)
{
	sqlite3 *to;
	if (sqlite3_open(dest, &to) != SQLITE_OK) {
		sqlite3_close(to);
		return w_fail(W_EINVAL, "backup_target", "out", "cannot create %s", dest);
	}
	sqlite3_backup *b = sqlite3_backup_init(to, "main", d->h, "main");
	if (!b) {
		werr e = w_fail(W_EDB, "backup_failed", NULL, "%s", sqlite3_errmsg(to));
		sqlite3_close(to);
		return e;
	}
	int rc;
	while ((rc = sqlite3_backup_step(b, 1024)) == SQLITE_OK || rc == SQLITE_BUSY ||
	       rc == SQLITE_LOCKED)
		sqlite3_sleep(rc == SQLITE_OK ? 0 : 20);
	sqlite3_backup_finish(b);
	werr e = rc == SQLITE_DONE ? WG_OK : w_fail(W_EDB, "backup_failed", NULL, "%s", sqlite3_errstr(rc));
	sqlite3_close(to);
	return e;
}
