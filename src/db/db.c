/* db.c — the store interface (db.h), dispatching to the driver the URL names:
 * "postgres://…" / "postgresql://…" → PostgreSQL (libpq), anything else → a SQLite file. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/arena.h"
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
	werr e = d->drv->commit(d);
	if (!e)
		d->commits++;
	return e;
}

int64_t db_commits(const db *d)
{
	return d ? d->commits : 0;
}

void db_rollback(db *d)
{
	d->drv->rollback(d);
}

werr db_end(db *d, werr e)
{
	if (!e)
		e = db_commit(d);
	if (e)
		db_rollback(d);
	return e;
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

void db_bind_blob(db_stmt *s, int i, const void *p, size_t n)
{
	s->d->drv->bind_blob(s, i, p, n);
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

const void *db_blob(db_stmt *s, int col, size_t *n)
{
	return s->d->drv->col_blob(s, col, n);
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

/* fsync a file or folder by name (0, or -1 with errno). */
static int sync_path(const char *path, bool dir)
{
	int fd = open(path, (dir ? O_DIRECTORY : 0) | O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	int saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

/* The driver writes and verifies the copy under a name that is not the backup's
 * ("FILE.partial"); only a complete, verified, flushed copy is renamed to FILE, so a
 * backup killed or failed half-way never leaves a file that looks like one. */
werr db_backup(db *d, const char *dest)
{
	size_t n = strlen(dest);
	char *tmp = xmalloc(n + sizeof BACKUP_PARTIAL);
	memcpy(tmp, dest, n);
	memcpy(tmp + n, BACKUP_PARTIAL, sizeof BACKUP_PARTIAL);
	unlink(tmp); /* what a killed backup left */
	werr e = d->drv->backup(d, tmp);
	if (!e && sync_path(tmp, false) != 0)
		e = w_fail(W_EDB, "backup_failed", "out", "cannot flush %s: %s", tmp, strerror(errno));
	if (!e && rename(tmp, dest) != 0)
		e = w_fail(W_EINVAL, "backup_target", "out", "cannot write %s: %s", dest, strerror(errno));
	if (e) {
		unlink(tmp);
	} else {
		/* the rename itself survives a power cut once the folder is flushed */
		char *slash = strrchr(tmp, '/');
		if (slash == tmp)
			slash[1] = 0;
		else if (slash)
			*slash = 0;
		sync_path(slash ? tmp : ".", true);
	}
	free(tmp);
	return e;
}

werr db_restore(db *d, const char *src)
{
	size_t n = strlen(src), k = strlen(BACKUP_PARTIAL);
	if (n >= k && !strcmp(src + n - k, BACKUP_PARTIAL))
		return w_fail(W_EINVAL, "restore_source", "from", "%s is an unfinished backup", src);
	return d->drv->restore(d, src);
}

void db_on_progress(db *d, void (*fn)(void *ctx, int64_t done, int64_t total), void *ctx)
{
	d->on_progress = fn;
	d->progress_ctx = ctx;
}

void db_progress(db *d, int64_t done, int64_t total)
{
	if (d->on_progress)
		d->on_progress(d->progress_ctx, done, total);
}

bool db_remote(const db *d)
{
	return d->drv->remote;
}

werr db_tune(db *d, db_use use)
{
	return d->drv->tune(d, use);
}

werr db_checkpoint(db *d, bool *done)
{
	return d->drv->checkpoint(d, done);
}

werr db_savepoint_renew(db *d)
{
	werr e;
	/* on a database server one round trip instead of two */
	if (db_remote(d))
		return db_exec(d, "RELEASE SAVEPOINT row_sp; SAVEPOINT row_sp");
	if ((e = db_run(db_get(d, SQL_RELEASE), NULL)))
		return e;
	return db_run(db_get(d, SQL_SAVEPOINT), NULL);
}

bool db_tx_usable(db *d)
{
	return d->drv->tx_usable(d);
}

int64_t db_writes(const db *d)
{
	return d->writes;
}

werr db_send(db *d, db_stmt *const *stmts, int n)
{
	return d->drv->send ? d->drv->send(d, stmts, n) : WG_OK;
}

bool db_cte_writes(db *d)
{
	return d->drv->cte_writes && d->drv->cte_writes(d);
}

bool db_counts_above_district(db *d)
{
	return !d->drv->counts_above_district || d->drv->counts_above_district(d);
}

int64_t db_exchanges(const db *d)
{
	return d->exchanges;
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

bool db_can_copy(db *d)
{
	return d->drv->can_copy && d->drv->can_copy(d);
}

werr db_copy_begin(db *d, sql_id id)
{
	if (!db_can_copy(d))
		return w_fail(W_EINTERNAL, "no_copy", NULL, "this store has no COPY");
	d->writes++;
	return d->drv->copy_begin(d, id);
}

werr db_copy_row(db *d, const char *const *vals, int n)
{
	return d->drv->copy_row(d, vals, n);
}

werr db_copy_end(db *d)
{
	return d->drv->copy_end(d);
}
