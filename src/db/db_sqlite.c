/* db_sqlite.c — the SQLite driver of the store interface (db.h, driver.h).
 * One connection per thread; WAL; synchronous=FULL so an acknowledged commit survives a
 * crash or power loss; foreign keys on; busy timeout so writers queue instead of failing. */
#include "core/arena.h"
#include "core/util.h"
#include "db/driver.h"
#include "db/fault_sqlite.h"
#include "db/migrate.h"
#include "db/pace_sqlite.h"

#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <unistd.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
	struct db_stmt base;
	sqlite3_stmt *st;
	bool rowid_ret; /* "… RETURNING id" of the catalogue: the new rowid, read after */
	bool rowid_row; /* that row is being read */
	int64_t rowid;
	int failed;     /* why it did not prepare (out of memory, I/O): its step fails so */
} lite_stmt;

typedef struct {
	struct db base;
	sqlite3 *h;
	lite_stmt cache[SQL__COUNT];
	bool writer;           /* tuned DB_FOR_WRITER: its commits and cache are counted (db_stats) */
	int64_t changes_seen;  /* sqlite3_total_changes64 at its last commit */
	sqlite3_stmt *version; /* the writer's "PRAGMA data_version" */
	int64_t version_seen;  /* its last value; -1 before the first */
} lite_db;

#define H(d)  (((lite_db *)(d))->h)
#define ST(s) (((lite_stmt *)(s))->st)

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

static werr lite_fail(db *d, const char *what)
{
	int rc = sqlite3_extended_errcode(H(d)) & 0xff;
	if (rc == SQLITE_CONSTRAINT)
		return w_fail(W_ECONFLICT, "conflict", NULL, "%s", sqlite3_errmsg(H(d)));
	if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
		return w_fail(W_EBUSY, "busy", NULL, "store busy, retry (%s)", what);
	if (rc == SQLITE_FULL)
		return w_fail(W_EDB, "disk_full", NULL, "disk full while %s", what);
	return w_fail(W_EDB, "store_error", NULL, "%s: %s", what, sqlite3_errmsg(H(d)));
}

static werr lite_exec(db *d, const char *sql)
{
	char *err = NULL;
	d->writes++; /* any of its statements may write, even when a later one fails */
	if (sqlite3_exec(H(d), sql, NULL, NULL, &err) != SQLITE_OK) {
		werr e = lite_fail(d, "executing");
		sqlite3_free(err);
		return e;
	}
	return WG_OK;
}

/* Taking turns at the write lock.  SQLite's own busy handler sleeps 1 to 100 ms between
 * tries, and a writer that begins its next batch the moment it commits the last one can
 * keep another connection (a login's guard, an import) waiting past the busy timeout.  So
 * a connection waiting for the lock says when it last asked, and a write transaction that
 * sees someone asked within the last few milliseconds steps aside for 2 ms first. */
static _Atomic int64_t lock_wanted_ms;
enum { BUSY_LIMIT_MS = 10000 };

static int lite_busy(void *arg, int tries)
{
	(void)arg;
	atomic_store(&lock_wanted_ms, mono_ms());
	if (tries >= BUSY_LIMIT_MS) /* a try a millisecond: about ten seconds */
		return 0;
	usleep(1000);
	return 1;
}

static werr lite_begin(db *d)
{
	if (mono_ms() - atomic_load(&lock_wanted_ms) < 3)
		usleep(2000);
	return lite_exec(d, "BEGIN IMMEDIATE");
}

/* ---- db_stats: who commits, and what it costs the writer's cache ---- */
static _Atomic int64_t st_writer_commits, st_other_commits, st_writer_resets, st_writer_hits,
    st_writer_misses, st_restarts_asked, st_restarts_done;

/* Every connection's commits: the writer's, or another's that changed rows (an empty
 * write transaction leaves the log as it was and costs nobody's cache). */
static int lite_commit_hook(void *arg)
{
	lite_db *l = arg;
	int64_t ch = sqlite3_total_changes64(l->h);
	if (l->writer)
		atomic_fetch_add(&st_writer_commits, 1);
	else if (ch != l->changes_seen)
		atomic_fetch_add(&st_other_commits, 1);
	l->changes_seen = ch;
	return 0;
}

/* Before the writer commits, inside its transaction: did its begin find another's commit
 * and drop the cache?  "PRAGMA data_version" moves exactly then (SQLite's pager_reset), not
 * at the connection's own commits; and the page cache's hits and misses since the last. */
static void writer_note(lite_db *l)
{
	if (!l->version && sqlite3_prepare_v3(l->h, "PRAGMA data_version", -1, SQLITE_PREPARE_PERSISTENT,
	                                      &l->version, NULL) != SQLITE_OK)
		return;
	if (sqlite3_step(l->version) == SQLITE_ROW) {
		int64_t v = sqlite3_column_int64(l->version, 0);
		if (l->version_seen >= 0 && v != l->version_seen)
			atomic_fetch_add(&st_writer_resets, v > l->version_seen ? v - l->version_seen : 1);
		l->version_seen = v;
	}
	sqlite3_reset(l->version);
	int cur = 0, hi = 0;
	if (sqlite3_db_status(l->h, SQLITE_DBSTATUS_CACHE_HIT, &cur, &hi, 1) == SQLITE_OK)
		atomic_fetch_add(&st_writer_hits, cur);
	if (sqlite3_db_status(l->h, SQLITE_DBSTATUS_CACHE_MISS, &cur, &hi, 1) == SQLITE_OK)
		atomic_fetch_add(&st_writer_misses, cur);
}

void db_stats_read(db_stats *out)
{
	out->writer_commits = atomic_load(&st_writer_commits);
	out->other_commits = atomic_load(&st_other_commits);
	out->writer_resets = atomic_load(&st_writer_resets);
	out->writer_cache_hits = atomic_load(&st_writer_hits);
	out->writer_cache_misses = atomic_load(&st_writer_misses);
	out->log_restarts_asked = atomic_load(&st_restarts_asked);
	out->log_restarts_done = atomic_load(&st_restarts_done);
}

static werr lite_commit(db *d)
{
	lite_db *l = (lite_db *)d;
	if (l->writer && !sqlite3_get_autocommit(l->h))
		writer_note(l);
	return lite_exec(d, "COMMIT");
}

static void lite_rollback(db *d)
{
	if (!sqlite3_get_autocommit(H(d)))
		sqlite3_exec(H(d), "ROLLBACK", NULL, NULL, NULL);
}

static werr lite_migrate(db *d)
{
	werr e = lite_exec(d, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
	if (e)
		return e;
	int have = 0;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(H(d), "SELECT max(version) FROM schema_version", -1, &st, NULL) != SQLITE_OK)
		return lite_fail(d, "reading schema version");
	if (sqlite3_step(st) == SQLITE_ROW)
		have = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (have > migrations_sqlite_count)
		return w_fail(W_EDB, "schema_too_new", NULL,
		              "database schema %d is newer than this wangge (%d)", have,
		              migrations_sqlite_count);
	if (have == migrations_sqlite_count)
		return WG_OK;
	/* Some migrations build an index over every check-in (migration 26: ~25 s per 15
	 * million, once): its sort goes to temporary files, not memory (temp_store=MEMORY held
	 * ~1 GB for 15 million), and a store that holds data says it is being migrated. */
	int64_t t0 = mono_ms();
	if ((e = lite_exec(d, "PRAGMA temp_store=FILE")))
		return e;
	if (have > 0)
		fprintf(stderr, "wangge: 存储升级 schema %d → %d(较大的库需要几分钟,只此一次)/ migrating the store from schema %d to %d"
		                " (minutes for a large store, once)\n",
		        have, migrations_sqlite_count, have, migrations_sqlite_count);
	for (int v = have + 1; v <= migrations_sqlite_count; v++) {
		if ((e = lite_begin(d)))
			return e;
		char ins[80];
		snprintf(ins, sizeof ins, "INSERT INTO schema_version(version) VALUES (%d)", v);
		if ((e = lite_exec(d, migrations_sqlite[v - 1])) || (e = lite_exec(d, ins)) ||
		    (e = lite_commit(d))) {
			lite_rollback(d);
			return e;
		}
	}
	if (have > 0)
		fprintf(stderr, "wangge: 存储升级完成 / the store is at schema %d (%.1f s)\n", migrations_sqlite_count,
		        (double)(mono_ms() - t0) / 1000);
	return lite_exec(d, "PRAGMA temp_store=MEMORY");
}

static void lite_close(db *d)
{
	lite_db *l = (lite_db *)d;
	for (int i = 0; i < SQL__COUNT; i++)
		if (l->cache[i].st)
			sqlite3_finalize(l->cache[i].st);
	sqlite3_finalize(l->version);
	sqlite3_close(l->h);
	free(d->url);
	free(l);
}

/* SQLite keeps memory statistics by default, behind one mutex that every allocation of
 * every connection takes: under the rush the HTTP threads and the writer queued on it.
 * wangge never reads those statistics. */
static void lite_configure(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	fault_sqlite_install(); /* test builds only */
	pace_sqlite_install();  /* the store file flushed as a checkpoint writes it */
}

/* The collation the catalogue's lists are ordered by (sql.def, NAT): nat_cmp. */
static int lite_nat(void *unused, int na, const void *a, int nb, const void *b)
{
	(void)unused;
	return nat_cmp(a, (size_t)na, b, (size_t)nb);
}

static werr lite_open(const char *url, db **out)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, lite_configure);
	const char *path = strncmp(url, "sqlite:", 7) == 0 ? url + 7 : url;
	lite_db *l = xcalloc(1, sizeof *l);
	l->base.drv = &sqlite_driver;
	l->base.url = xstrdup(url);
	int rc = sqlite3_open_v2(path, &l->h,
	                         SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		werr e = w_fail(W_EDB, "store_open", "db", "cannot open %s: %s", path,
		                l->h ? sqlite3_errmsg(l->h) : sqlite3_errstr(rc));
		lite_close(&l->base);
		return e;
	}
	sqlite3_busy_handler(l->h, lite_busy, NULL);
	sqlite3_create_collation(l->h, "wg_nat", SQLITE_UTF8, NULL, lite_nat);
	l->version_seen = -1;
	sqlite3_commit_hook(l->h, lite_commit_hook, l);
	werr e = lite_exec(&l->base,
	                   "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
	                   " PRAGMA foreign_keys=ON; PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY");
	if (e) {
		lite_close(&l->base);
		return e;
	}
	*out = &l->base;
	return WG_OK;
}

/* The few catalogue statements whose SQLite text differs: a batch of counters from JSON
 * (PostgreSQL's jsonb_to_recordset is json_each here; "WHERE true" lets SQLite parse the
 * upsert of a SELECT).  Row locks ("… FOR UPDATE"), which SQLite has no syntax for and
 * no need of (a write transaction holds the whole store), are cut off any statement. */
static const char *const lite_sql[SQL__COUNT] = {
    [SQL_CHK_INSERT] = CHK_INSERT_COLS ", deferred)" CHK_INSERT_VALUES ", $19) RETURNING id",
    [SQL_DAY_ADD_MANY] =
        ("INSERT INTO day_counts(unit_id, day, households_reached, residents_accounted, residents_reported, fevers, symptomatic)"
        " SELECT value->>'u', value->>'d', value->>'h', value->>'a', value->>'r', value->>'f', value->>'s'"
        " FROM json_each($1) WHERE true ON CONFLICT (unit_id, day) DO UPDATE SET"
        " households_reached = day_counts.households_reached + excluded.households_reached,"
        " residents_accounted = day_counts.residents_accounted + excluded.residents_accounted,"
        " residents_reported = day_counts.residents_reported + excluded.residents_reported,"
        " fevers = day_counts.fevers + excluded.fevers, symptomatic = day_counts.symptomatic + excluded.symptomatic"),
    [SQL_AUDIT_ADD_MANY] =
        ("INSERT INTO audit(at, user_id, username, role, action, entity, entity_id, fields, source, outcome)"
        " SELECT value->>'at', value->>'user_id', value->>'username', value->>'role', value->>'action',"
        " value->>'entity', value->>'entity_id', value->>'fields', value->>'source', value->>'outcome'"
        " FROM json_each($1)"),
    /* a resident's check-ins across days: the days first (sql.def, CHK_DAYS) */
    CHK_DAYS_TEXTS,
    [SQL_MISSING_PEOPLE_MANY] =
        ("SELECT r.id, r.name, r.phone, r.flags, r.birth_date, r.household_id FROM residents r"
         " WHERE r.household_id IN (SELECT value FROM json_each($1)) AND (r.district_id = $3 OR $3 = 0)"
         " AND r.moved_out_at IS NULL AND r.residence IN ('living', 'temporary')"
         " AND NOT EXISTS (SELECT 1 FROM checkins c WHERE c.resident_id = r.id"
         " AND c.district_id = r.district_id AND c.day = $2 AND c.superseded_by = 0)"
         " ORDER BY r.household_id, r.id"),
};

/* SQLite runs "INSERT … RETURNING" through a temporary table of the returned rows, opened
 * and closed at each run; the catalogue's inserts return only the new rowid, which the
 * connection knows anyway.  Strips the clause; true when it was there. */
static bool strip_returning_id(char *sql)
{
	static const char tail[] = " RETURNING id";
	size_t n = strlen(sql), t = sizeof tail - 1;
	if (n < t || strcmp(sql + n - t, tail) != 0 || strncmp(sql, "INSERT", 6) != 0)
		return false;
	sql[n - t] = 0;
	return true;
}

char *lite_sql_text(sql_id id, bool *rowid_ret)
{
	char *sql = rewrite_placeholders(lite_sql[id] ? lite_sql[id] : sql_text[id]);
	bool r = strip_returning_id(sql);
	if (rowid_ret)
		*rowid_ret = r;
	char *lock = strstr(sql, " FOR UPDATE");
	if (lock)
		*lock = 0;
	return sql;
}

static db_stmt *lite_get(db *d, sql_id id)
{
	lite_stmt *s = &((lite_db *)d)->cache[id];
	if (!s->st) {
		char *sql = lite_sql_text(id, &s->rowid_ret);
		int rc = sqlite3_prepare_v3(H(d), sql, -1, SQLITE_PREPARE_PERSISTENT, &s->st, NULL);
		free(sql);
		s->base.d = d;
		s->base.cached = true;
		if (rc != SQLITE_OK && (rc & 0xff) == SQLITE_ERROR) {
			/* A catalogue statement that does not prepare is a programming error. */
			fprintf(stderr, "wangge: BUG: statement %d does not prepare: %s\n", (int)id,
			        sqlite3_errmsg(H(d)));
			abort();
		}
		if (rc != SQLITE_OK) { /* the store's trouble (memory, disk): this request fails */
			s->st = NULL;
			s->failed = rc;
			return &s->base; /* binds on no statement are refused by SQLite, harmlessly */
		}
		s->failed = 0;
	}
	sqlite3_reset(s->st);
	sqlite3_clear_bindings(s->st);
	s->rowid_row = false;
	return &s->base;
}

static db_stmt *lite_prepare(db *d, const char *sql)
{
	char *q = rewrite_placeholders(sql);
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(H(d), q, -1, &st, NULL);
	free(q);
	if (rc != SQLITE_OK) {
		lite_fail(d, "preparing");
		return NULL;
	}
	lite_stmt *s = xcalloc(1, sizeof *s);
	s->st = st;
	s->base.d = d;
	return &s->base;
}

static void lite_finalize(db_stmt *s)
{
	if (s->cached) {
		sqlite3_reset(ST(s));
		return;
	}
	sqlite3_finalize(ST(s));
	free(s);
}

static void lite_bind_int(db_stmt *s, int i, int64_t v)
{
	sqlite3_bind_int64(ST(s), i, v);
}

static void lite_bind_text(db_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(ST(s), i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(ST(s), i);
}

static void lite_bind_null(db_stmt *s, int i)
{
	sqlite3_bind_null(ST(s), i);
}

static void lite_bind_double(db_stmt *s, int i, double v)
{
	sqlite3_bind_double(ST(s), i, v);
}

static void lite_bind_blob(db_stmt *s, int i, const void *p, size_t n)
{
	if (p)
		sqlite3_bind_blob64(ST(s), i, n ? p : "", (sqlite3_uint64)n, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(ST(s), i);
}

static int lite_step(db_stmt *s, werr *err)
{
	lite_stmt *ls = (lite_stmt *)s;
	if (!ls->st) {
		werr e = (ls->failed & 0xff) == SQLITE_NOMEM
		             ? w_fail(W_EDB, "out_of_memory", NULL, "out of memory preparing a statement")
		             : w_fail(W_EDB, "store_error", NULL, "preparing a statement: %s", sqlite3_errstr(ls->failed));
		if (err)
			*err = e;
		return -1;
	}
	if (ls->rowid_row) { /* after the one row of the new rowid */
		ls->rowid_row = false;
		return DB_DONE;
	}
	int rc = sqlite3_step(ST(s));
	if ((rc == SQLITE_ROW || rc == SQLITE_DONE) && !sqlite3_stmt_readonly(ST(s)))
		s->d->writes++;
	if (rc == SQLITE_DONE && ls->rowid_ret && sqlite3_changes64(H(s->d)) > 0) {
		ls->rowid = sqlite3_last_insert_rowid(H(s->d));
		ls->rowid_row = true;
		return DB_ROW;
	}
	if (rc == SQLITE_ROW)
		return DB_ROW;
	if (rc == SQLITE_DONE)
		return DB_DONE;
	werr e = lite_fail(s->d, "running a statement");
	sqlite3_reset(ST(s));
	if (err)
		*err = e;
	return -1;
}

static void lite_done(db_stmt *s)
{
	((lite_stmt *)s)->rowid_row = false;
	sqlite3_reset(ST(s));
}

static int64_t lite_int(db_stmt *s, int col)
{
	if (((lite_stmt *)s)->rowid_row)
		return col == 0 ? ((lite_stmt *)s)->rowid : 0;
	return sqlite3_column_int64(ST(s), col);
}

static double lite_double(db_stmt *s, int col)
{
	return sqlite3_column_double(ST(s), col);
}

static const char *lite_text(db_stmt *s, int col)
{
	return (const char *)sqlite3_column_text(ST(s), col);
}

static const void *lite_blob(db_stmt *s, int col, size_t *n)
{
	const void *p = sqlite3_column_blob(ST(s), col);
	*n = p ? (size_t)sqlite3_column_bytes(ST(s), col) : 0;
	return p;
}

static bool lite_null(db_stmt *s, int col)
{
	return sqlite3_column_type(ST(s), col) == SQLITE_NULL;
}

static int lite_columns(db_stmt *s)
{
	return sqlite3_column_count(ST(s));
}

static const char *lite_column_name(db_stmt *s, int col)
{
	return sqlite3_column_name(ST(s), col);
}

static int64_t lite_changes(db *d)
{
	return sqlite3_changes64(H(d));
}

/* Pages copied per step of the backup (4 MB of 4 KiB pages): between steps the copy's
 * written pages are flushed to disk, so the kernel never holds hundreds of MB of them
 * dirty to write all at once — a commit's fsync on the same disk would queue behind them
 * (bench/README.md, the soak's backup window). */
enum { BACKUP_STEP_PAGES = 1024 };

/* Start writing out what the copy has written so far and wait for the previous round:
 * at most about one step of its pages is ever dirty, written at the copy's pace. */
static void backup_flush_behind(int fd)
{
#ifdef __linux__
	if (fd >= 0)
		sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE);
#else
	(void)fd;
#endif
}

/* The whole store as ONE snapshot: one read transaction on the source, held across the
 * steps of the backup API.  A copy made a few pages at a time in read transactions of
 * its own restarts at every commit of the server (every few ms under a rush); inside one
 * held transaction the source's pages never change under it, and WAL lets the server go
 * on writing meanwhile.  The copy is written without a journal or syncs of its own (it is
 * a temporary file until checked and renamed by db_backup()), its pages flushed behind
 * each step; it is then made a plain rollback-journal file (one file, nothing beside it),
 * checked, and dropped from the kernel's cache. */
/* The page size of a connection's main database (bytes), 0 when it cannot be read. */
static int64_t page_size(sqlite3 *h)
{
	sqlite3_stmt *st = NULL;
	int64_t n = 0;
	if (sqlite3_prepare_v2(h, "PRAGMA page_size", -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* How far a copy of pages has got, in bytes (db_on_progress). */
static void pages_done(db *d, sqlite3_backup *b, int64_t page)
{
	int64_t all = sqlite3_backup_pagecount(b);
	db_progress(d, (all - sqlite3_backup_remaining(b)) * page, all * page);
}

static werr lite_backup(db *d, const char *dest)
{
	sqlite3 *to;
	if (sqlite3_open_v2(dest, &to, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		sqlite3_close(to);
		return w_fail(W_EINVAL, "backup_target", "out", "cannot create %s", dest);
	}
	sqlite3_busy_timeout(to, 10000);
	if (sqlite3_exec(to, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF", NULL, NULL, NULL) != SQLITE_OK) {
		werr e = w_fail(W_EDB, "backup_failed", NULL, "%s", sqlite3_errmsg(to));
		sqlite3_close(to);
		return e;
	}
	/* the snapshot: a read transaction begins at the first read */
	werr e = lite_exec(d, "BEGIN; SELECT count(*) FROM sqlite_schema");
	if (e) {
		lite_rollback(d);
		sqlite3_close(to);
		return e;
	}
	sqlite3_backup *b = sqlite3_backup_init(to, "main", H(d), "main");
	if (!b) {
		e = w_fail(W_EDB, "backup_failed", NULL, "%s", sqlite3_errmsg(to));
		lite_rollback(d);
		sqlite3_close(to);
		return e;
	}
	int fd = open(dest, O_RDONLY | O_CLOEXEC);
	int64_t page = page_size(H(d));
	int rc;
	while ((rc = sqlite3_backup_step(b, BACKUP_STEP_PAGES)) == SQLITE_OK || rc == SQLITE_BUSY ||
	       rc == SQLITE_LOCKED) {
		if (rc != SQLITE_OK) {
			sqlite3_sleep(20); /* the copy is locked a moment: the step is tried again */
		} else {
			backup_flush_behind(fd);
			pages_done(d, b, page);
		}
	}
	if (rc == SQLITE_DONE)
		pages_done(d, b, page);
	sqlite3_backup_finish(b);
	lite_rollback(d); /* the snapshot is no longer needed: the log may restart */
	e = rc == SQLITE_DONE ? WG_OK : w_fail(W_EDB, "backup_failed", NULL, "%s", sqlite3_errstr(rc));
	sqlite3_stmt *st = NULL;
	if (!e && sqlite3_exec(to, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL) != SQLITE_OK)
		e = w_fail(W_EDB, "backup_failed", NULL, "%s", sqlite3_errmsg(to));
	/* it opens, its pages and indexes agree, and it has this schema */
	if (!e && (sqlite3_prepare_v2(to, "PRAGMA quick_check", -1, &st, NULL) != SQLITE_OK ||
	           sqlite3_step(st) != SQLITE_ROW || strcmp((const char *)sqlite3_column_text(st, 0), "ok") != 0))
		e = w_fail(W_EDB, "backup_failed", NULL, "the copy fails its check: %s",
		           st && sqlite3_column_text(st, 0) ? (const char *)sqlite3_column_text(st, 0) : sqlite3_errmsg(to));
	sqlite3_finalize(st);
	st = NULL;
	if (!e && (sqlite3_prepare_v2(to, "SELECT max(version) FROM schema_version", -1, &st, NULL) != SQLITE_OK ||
	           sqlite3_step(st) != SQLITE_ROW || sqlite3_column_int(st, 0) != migrations_sqlite_count))
		e = w_fail(W_EDB, "backup_failed", NULL, "the copy does not have schema %d", migrations_sqlite_count);
	sqlite3_finalize(st);
	sqlite3_close(to);
	if (fd >= 0) {
		/* written out (db_backup's fsync then has little left) and out of the cache: a
		 * backup is not read again soon, the server's pages are */
		backup_flush_behind(fd);
		fdatasync(fd);
		posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
		close(fd);
	}
	return e;
}

/* Copy the backup file over the open store, page by page (the backup API in reverse). */
static werr lite_restore(db *d, const char *src)
{
	sqlite3 *from;
	if (sqlite3_open_v2(src, &from, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		sqlite3_close(from);
		return w_fail(W_EINVAL, "restore_source", "from", "cannot open %s", src);
	}
	sqlite3_stmt *st;
	bool ok = sqlite3_prepare_v2(from, "SELECT count(*) FROM schema_version", -1, &st, NULL) == SQLITE_OK;
	sqlite3_finalize(st);
	if (!ok) {
		sqlite3_close(from);
		return w_fail(W_EINVAL, "restore_source", "from", "%s is not a wangge backup", src);
	}
	sqlite3_backup *b = sqlite3_backup_init(H(d), "main", from, "main");
	if (!b) {
		werr e = w_fail(W_EDB, "restore_failed", NULL, "%s", sqlite3_errmsg(H(d)));
		sqlite3_close(from);
		return e;
	}
	int64_t page = page_size(from);
	int rc;
	while ((rc = sqlite3_backup_step(b, 1024)) == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
		if (rc == SQLITE_OK)
			pages_done(d, b, page);
		sqlite3_sleep(rc == SQLITE_OK ? 0 : 20);
	}
	if (rc == SQLITE_DONE)
		pages_done(d, b, page);
	sqlite3_backup_finish(b);
	sqlite3_close(from);
	return rc == SQLITE_DONE ? WG_OK : w_fail(W_EDB, "restore_failed", NULL, "%s", sqlite3_errstr(rc));
}

static bool lite_in_tx(db *d)
{
	return !sqlite3_get_autocommit(H(d));
}

static werr lite_tune(db *d, db_use use)
{
	static const char *const pragmas[] = {
	    /* The ticker checkpoints the WAL, so a commit never waits for one.  The writer
	     * reads the store through a memory map and keeps a small page cache: SQLite
	     * (3.40) scans the whole cache's hash at every commit once a b-tree balance has
	     * moved a page through the locking page's number — with a 256 MB cache that
	     * scan was a fifth of the writer's time (bench/README.md).  The map covers the
	     * store up to 2 GB (SQLite's own ceiling).  It was 256 MB: the store outgrows that
	     * within minutes of a rush (check-ins and their index appended at its end), and
	     * the kernel drops unmapped cached pages it sees unused — this machine's after
	     * about a minute (its DAMON pageout scheme; a kernel short of memory reclaims them
	     * sooner than mapped ones), so an index page a check-in inserts into was read from
	     * the disk inside the batch.  The pages it has touched count in the server's RSS as
	     * file pages shared with the kernel's cache, not as its own memory (RssAnon):
	     * 2 GB of them on the ten-million city preset (8,137 vs 8,205 check-ins/s with
	     * 256 MB). */
	    [DB_FOR_WRITER] = ("PRAGMA wal_autocheckpoint=0; PRAGMA journal_size_limit=67108864;"
	                       " PRAGMA cache_size=-16384; PRAGMA mmap_size=2147483648"),
	    [DB_FOR_BULK] = "PRAGMA synchronous=OFF",
	    [DB_FOR_BULK_DONE] = "PRAGMA synchronous=FULL; PRAGMA wal_checkpoint(TRUNCATE); ANALYZE",
	    /* a big sheet inserts into every index of residents at random places: with the
	     * page cache of a server connection (64 MB) a million rows spend their time
	     * re-reading pages; a one-off connection may hold the working set (up to 2 GB) */
	    [DB_FOR_BIG_IMPORT] = "PRAGMA cache_size=-2097152; PRAGMA mmap_size=2147483648",
	    /* SQLite plans well without statistics; it refreshes the ones it has and uses */
	    [DB_FOR_NEW_ROWS] = "PRAGMA optimize",
	};
	/* a bulk load writes without syncs: its checkpoints' pages stay in the kernel's cache
	 * until the end (pace_sqlite.c paces only what a sync will wait for) */
	int pace = use != DB_FOR_BULK;
	if (use == DB_FOR_WRITER)
		((lite_db *)d)->writer = true;
	sqlite3_file_control(H(d), "main", PACE_FCNTL_SET, &pace);
	return lite_exec(d, pragmas[use]);
}

/* The ticker's checkpoint, in passes: the first copies the second's log (and waits for its
 * pages to reach the disk: pace_sqlite.c), the next what the writer committed meanwhile,
 * until a pass copies less than CKPT_SMALL frames.  The writer then copies back the little
 * left, before its next write, so that write can start the log over (writer.c): what it
 * copies and syncs in its own thread — check-ins waiting — is a pass's worth of frames, not
 * everything written since the ticker's one pass began (in the soak ~1,900 frames at the
 * 90th percentile, up to 7,300, and that pass's whole writeback in its fsync). */
enum { CKPT_PASSES = 4, CKPT_SMALL = 256 /* frames: ~1 MB */ };

/* The log starts over only at a write that finds every frame copied back and no reader
 * still reading an earlier snapshot from the log; a passive checkpoint cannot copy the
 * frames a reader's snapshot ends before either.  Dashboards polling without a pause are
 * always mid-read, so under a rush the log never started over: it grew by ~150 MB a second
 * (2 GB in 14 s with seven such clients; check-in p99 265 ms: bench/README.md).  So when
 * the log is past RESTART_FRAMES the writer's own checkpoint asks for the restart
 * (SQLITE_CHECKPOINT_RESTART: the frames copied, then the readers still reading from the
 * log waited for — new ones read the store — so that the writer's next write starts it
 * over), waiting at most RESTART_WAIT_MS; if a long read holds it, the next one tries. */
enum { RESTART_FRAMES = 8192 /* 32 MB of 4 KB pages */, RESTART_WAIT_MS = 20 };

static int restart_busy(void *arg, int tries)
{
	(void)arg;
	if (tries >= RESTART_WAIT_MS)
		return 0;
	usleep(1000);
	return 1;
}

static werr lite_checkpoint(db *d, bool *done)
{
	*done = true;
	int last = 0, log = 0;
	for (int pass = 0; pass < CKPT_PASSES; pass++) {
		int ck = 0;
		int rc = sqlite3_wal_checkpoint_v2(H(d), NULL, SQLITE_CHECKPOINT_PASSIVE, &log, &ck);
		if (rc == SQLITE_BUSY) /* another connection is checkpointing */
			return WG_OK;
		if (rc != SQLITE_OK)
			return lite_fail(d, "checkpointing");
		/* the frames this pass copied (the log may have started over since the last) */
		int copied = ck >= last ? ck - last : ck;
		last = ck;
		if (pass > 0 && copied < CKPT_SMALL)
			break;
	}
	if (((lite_db *)d)->writer && log > RESTART_FRAMES) {
		atomic_fetch_add(&st_restarts_asked, 1);
		sqlite3_busy_handler(H(d), restart_busy, NULL);
		int rc = sqlite3_wal_checkpoint_v2(H(d), NULL, SQLITE_CHECKPOINT_RESTART, NULL, NULL);
		sqlite3_busy_handler(H(d), lite_busy, NULL);
		if (rc == SQLITE_OK)
			atomic_fetch_add(&st_restarts_done, 1);
		else if (rc != SQLITE_BUSY)
			return lite_fail(d, "checkpointing");
	}
	return WG_OK;
}

const db_driver sqlite_driver = {
    .name = "sqlite",
    .open = lite_open,
    .close = lite_close,
    .migrate = lite_migrate,
    .exec = lite_exec,
    .begin = lite_begin,
    .commit = lite_commit,
    .rollback = lite_rollback,
    .get = lite_get,
    .prepare = lite_prepare,
    .finalize = lite_finalize,
    .bind_int = lite_bind_int,
    .bind_text = lite_bind_text,
    .bind_null = lite_bind_null,
    .bind_double = lite_bind_double,
    .bind_blob = lite_bind_blob,
    .step = lite_step,
    .done = lite_done,
    .col_int = lite_int,
    .col_double = lite_double,
    .col_text = lite_text,
    .col_blob = lite_blob,
    .col_null = lite_null,
    .columns = lite_columns,
    .column_name = lite_column_name,
    .changes = lite_changes,
    .backup = lite_backup,
    .restore = lite_restore,
    .in_tx = lite_in_tx,
    /* a failed statement undoes itself alone; an I/O or memory error that ends the
     * transaction leaves the connection out of it */
    .tx_usable = lite_in_tx,
    .tune = lite_tune,
    .checkpoint = lite_checkpoint,
};
