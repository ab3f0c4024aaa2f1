/* db.c — the store interface (db.h), dispatching to the driver the URL names:
 * "postgres://…" / "postgresql://…" → PostgreSQL (libpq), anything else → a SQLite file. */
#include <string.h>

#include "db/driver.h"

const char *const sql_text[SQL__COUNT] = {
#define STMT(name, sql) [SQL_##name] = (sql),
#include "db/sql.def"
#undef STMT
};

werr db_open(const char *url, bool migrate, db **out)
{
	*out = NULL;
	const db_driver *drv = (!strncmp(url, "postgres://", 11) || !strncmp(url, "postgresql://", 13)) ? &pg_driver
	                                                                                                 : &sqlite_driver;
	werr e = drv->open(url, out);
	if (!e && migrate && (e = drv->migrate(*out))) {
		drv->close(*out);
		*out = NULL;
	}
	return e;
}

void db_close(db *d)
{
	if (d)
		d->drv->close(d);
}

const char *db_url(const db *d)
{
	return d->url;
}

const char *db_kind(const db *d)
{
	return d->drv->name;
}

werr db_exec(db *d, const char *sql)
{
	return d->drv->exec(d, sql);
}

werr db_begin(db *d)
{
	return d->drv->begin(d);
}

werr db_begin_read(db *d)
{
	/* SQLite: a deferred transaction reads one snapshot from its first read on */
	return db_exec(d, strcmp(d->drv->name, "sqlite") == 0 ? "BEGIN"
	                                                       : "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY");
}

werr db_commit(db *d)
{
	return d->drv->commit(d);
}

void db_rollback(db *d)
{
	d->drv->rollback(d);
}

db_stmt *db_get(db *d, sql_id id)
{
	return d->drv->get(d, id);
}

db_stmt *db_prepare(db *d, const char *sql)
{
	return d->drv->prepare(d, sql);
}

void db_finalize(db_stmt *s)
{
	if (s)
		s->d->drv->finalize(s);
}

void db_bind_int(db_stmt *s, int i, int64_t v)
{
	s->d->drv->bind_int(s, i, v);
}

void db_bind_text(db_stmt *s, int i, const char *v)
{
	s->d->drv->bind_text(s, i, v);
}

void db_bind_null(db_stmt *s, int i)
{
	s->d->drv->bind_null(s, i);
}

void db_bind_double(db_stmt *s, int i, double v)
{
	s->d->drv->bind_double(s, i, v);
}

int db_step(db_stmt *s, werr *err)
{
	return s->d->drv->step(s, err);
}

void db_done(db_stmt *s)
{
	s->d->drv->done(s);
}

int64_t db_int(db_stmt *s, int col)
{
	return s->d->drv->col_int(s, col);
}

double db_double(db_stmt *s, int col)
{
	return s->d->drv->col_double(s, col);
}

const char *db_text(db_stmt *s, int col)
{
	return s->d->drv->col_text(s, col);
}

bool db_null(db_stmt *s, int col)
{
	return s->d->drv->col_null(s, col);
}

int db_columns(db_stmt *s)
{
	return s->d->drv->columns(s);
}

const char *db_column_name(db_stmt *s, int col)
{
	return s->d->drv->column_name(s, col);
}

werr db_run(db_stmt *s, int64_t *ret)
{
	werr e = WG_OK;
	int rc = db_step(s, &e);
	if (rc < 0)
		return e;
	if (rc == DB_ROW && ret)
		*ret = db_int(s, 0);
	while (rc == DB_ROW) /* drain (RETURNING of several rows) */
		if ((rc = db_step(s, &e)) < 0)
			return e;
	if (s->cached)
		db_done(s);
	return WG_OK;
}

int64_t db_changes(db *d)
{
	return d->drv->changes(d);
}

werr db_backup(db *d, const char *dest)
{
	return d->drv->backup(d, dest);
}

werr db_restore(db *d, const char *src)
{
	return d->drv->restore(d, src);
}

bool db_remote(const db *d)
{
	return d->drv->remote;
}

bool db_tx_usable(db *d)
{
	return d->drv->tx_usable(d);
}

int64_t db_writes(const db *d)
{
	return d->writes;
}

bool db_in_tx(db *d)
{
	return d->drv->in_tx(d);
}

werr db_scalar(db_stmt *s, int64_t *out)
{
	werr e = WG_OK;
	int rc = db_step(s, &e);
	*out = rc == DB_ROW ? db_int(s, 0) : 0;
	db_done(s);
	return rc < 0 ? e : WG_OK;
}
