/* db_pg.c — the PostgreSQL driver of the store interface (libpq).
 * Catalogue statements are prepared once per connection (named "s<id>") on first use;
 * parameters travel as text and PostgreSQL infers their types from the SQL; results come
 * back as text and are converted on access (booleans 't'/'f' read as 1/0). */
#include <libpq-fe.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/util.h"
#include "db/driver.h"
#include "db/migrate.h"

enum { PG_MAXP = 32 };

/* when a statement last found a Citus worker unreachable (seconds), or 0 */
static _Atomic int64_t worker_failed_at;

typedef struct {
	struct db_stmt base;
	int id;          /* catalogue id, or -1 for an ad hoc statement */
	char *sql;       /* ad hoc text */
	int nparams;     /* highest $N in the text */
	char *vals[PG_MAXP];
	int lens[PG_MAXP]; /* a bytea's length (binary parameters only) */
	int fmts[PG_MAXP]; /* 1: binary (a bytea's bytes), 0: text */
	unsigned char *blob; /* the last bytea read (PQunescapeBytea), freed with the result */
	PGresult *res;
	int row, nrows;
	bool executed;
	bool cte_writes; /* a SELECT whose CTEs write: a write when it returns a row (db_writes) */
} pg_stmt;

typedef struct {
	struct db base;
	PGconn *c;
	bool prepared[SQL__COUNT];
	pg_stmt cache[SQL__COUNT];
	int64_t changes;
	bool citus; /* a Citus coordinator: citus_sql() may replace a statement's text */
	bool copying;  /* inside COPY … FROM STDIN (db_copy_*) */
	char *cbuf;    /* rows not yet sent */
	size_t clen, ccap;
} pg_db;

#define C(d) (((pg_db *)(d))->c)
#define PS(s) ((pg_stmt *)(s))

static int max_param(const char *sql)
{
	int max = 0;
	char quote = 0;
	for (const char *p = sql; *p; p++) {
		if (quote) {
			if (*p == quote)
				quote = 0;
		} else if (*p == '\'' || *p == '"') {
			quote = *p;
		} else if (*p == '$' && p[1] >= '0' && p[1] <= '9') {
			int n = (int)strtol(p + 1, NULL, 10);
			if (n > max)
				max = n;
		}
	}
	return max;
}

/* Does a statement write through data-modifying CTEs (WITH x AS (INSERT …))?  Its
 * command tag is the outer query's: a SELECT's says nothing of what its CTEs wrote. */
static bool cte_writes(const char *sql)
{
	if (strncmp(sql, "WITH ", 5) != 0)
		return false;
	static const char *const dml[] = {"AS (INSERT ", "AS (UPDATE ", "AS (DELETE "};
	for (size_t i = 0; i < sizeof dml / sizeof dml[0]; i++)
		if (strstr(sql, dml[i]))
			return true;
	return false;
}

static void pg_session(pg_db *p)
{
	PQclear(PQexec(p->c, "SET client_min_messages = warning"));
	if (p->citus)
		PQclear(PQexec(p->c, citus_session));
}

/* A new connection in place of a lost one: its session's settings again, and every
 * statement prepared again on first use. */
static void pg_reconnect(db *d)
{
	pg_db *p = (pg_db *)d;
	PQreset(p->c);
	memset(p->prepared, 0, sizeof p->prepared);
	if (PQstatus(p->c) == CONNECTION_OK)
		pg_session(p);
}

/* Map a failed result to the project's errors by SQLSTATE. */
static werr pg_fail(db *d, PGresult *r, const char *what)
{
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = r ? PQresultErrorMessage(r) : PQerrorMessage(C(d));
	char m[200];
	snprintf(m, sizeof m, "%s", msg ? msg : "?");
	m[strcspn(m, "\n")] = 0;
	if (state && !strncmp(state, "23", 2))
		return w_fail(W_ECONFLICT, "conflict", NULL, "%s", m);
	if (state && (!strcmp(state, "40001") || !strcmp(state, "40P01") || !strcmp(state, "55P03") ||
	              !strcmp(state, "53300")))
		return w_fail(W_EBUSY, "busy", NULL, "store busy, retry (%s)", what);
	if (state && !strcmp(state, "53100"))
		return w_fail(W_EDB, "disk_full", NULL, "disk full while %s", what);
	/* the server, or the Citus worker holding the rows, cannot be reached, is shutting
	 * down or starting up: a 503 to retry, not a failure of wangge's (a worker down stops
	 * its districts only; tests/citus/test_worker_down.py) */
	bool lost = PQstatus(C(d)) != CONNECTION_OK;
	if (lost)
		pg_reconnect(d);
	/* Citus reports a worker lost under a statement or a commit as an internal error
	 * with libpq's words for it — or, when the worker goes under a commit made in one
	 * phase (a batch of one worker's rows, citus7), with its own: the commit's outcome on
	 * that worker is not known, as when one server's connection drops under a COMMIT */
	bool worker_lost = ((pg_db *)d)->citus && state && !strcmp(state, "XX000") &&
	                   (strstr(m, "server closed the connection") || strstr(m, "connection not open") ||
	                    strstr(m, "failure on connection") || strstr(m, "could not establish any connections") ||
	                    strstr(m, "SSL SYSCALL error") || strstr(m, "could not commit transaction for shard"));
	if (lost || worker_lost ||
	    (state && (!strncmp(state, "08", 2) || !strcmp(state, "57P01") || !strcmp(state, "57P02") ||
	               !strcmp(state, "57P03")))) {
		int64_t now = now_s(), last = atomic_load(&worker_failed_at);
		if (!lost && ((pg_db *)d)->citus)
			atomic_store(&worker_failed_at, now);
		if (now - last >= 10) /* one line, not one per request of an outage */
			fprintf(stderr, "wangge: store unavailable while %s: %s%s%s\n", what, state ? state : "", state ? " " : "",
			        m);
		return w_fail(W_EBUSY, "store_unavailable", NULL,
		              "数据库暂时无法访问，请稍后重试 / the store cannot be reached just now, retry shortly");
	}
	return w_fail(W_EDB, "store_error", NULL, "%s: %s", what, m);
}

static werr pg_exec(db *d, const char *sql)
{
	PGresult *r = PQexec(C(d), sql);
	d->writes++;
	d->exchanges++;
	ExecStatusType st = PQresultStatus(r);
	werr e = (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) ? WG_OK : pg_fail(d, r, "executing");
	PQclear(r);
	return e;
}

static werr pg_begin(db *d)
{
	return pg_exec(d, "BEGIN");
}

static werr pg_commit(db *d)
{
	return pg_exec(d, "COMMIT");
}

static void copy_abandon(db *d);

static void pg_rollback(db *d)
{
	copy_abandon(d);
	if (PQtransactionStatus(C(d)) != PQTRANS_IDLE) {
		d->exchanges++;
		PQclear(PQexec(C(d), "ROLLBACK"));
	}
}

/* The statement's text: on a Citus coordinator (the schema laid out for it after the
 * migrations, layout_citus.c) some are its own; the domain does not know the difference. */
const char *pg_sql_text(sql_id id, bool citus)
{
	/* on one server the index of check-ins leads with the day (migrate_pg.c,
	 * migration 25): the statements that look a resident up across days name the days first */
	static const char *const one_server[SQL__COUNT] = {CHK_DAYS_TEXTS};
	const char *t = citus ? citus_sql(id) : one_server[id];
	return t ? t : sql_text[id];
}

static const char *stmt_text(const pg_db *p, int id)
{
	return pg_sql_text((sql_id)id, p->citus);
}

static bool pg_citus(db *d)
{
	PGresult *r = PQexec(C(d), "SELECT 1 FROM pg_extension WHERE extname = 'citus'");
	bool yes = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
	PQclear(r);
	return yes;
}

static werr pg_migrate(db *d)
{
	/* one migrator at a time across processes */
	werr e = pg_exec(d, "SELECT pg_advisory_lock(20200217)");
	if (!e)
		e = pg_exec(d, "CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL)");
	int have = 0;
	if (!e) {
		PGresult *r = PQexec(C(d), "SELECT coalesce(max(version), 0) FROM schema_version");
		if (PQresultStatus(r) == PGRES_TUPLES_OK)
			have = (int)strtol(PQgetvalue(r, 0, 0), NULL, 10);
		PQclear(r);
	}
	if (!e && have > migrations_pg_count)
		e = w_fail(W_EDB, "schema_too_new", NULL, "database schema %d is newer than this wangge (%d)", have,
		           migrations_pg_count);
	for (int v = have + 1; !e && v <= migrations_pg_count; v++) {
		char ins[80];
		snprintf(ins, sizeof ins, "INSERT INTO schema_version(version) VALUES (%d)", v);
		if ((e = pg_begin(d)) || (e = pg_exec(d, migrations_pg[v - 1])) || (e = pg_exec(d, ins)) ||
		    (e = pg_commit(d)))
			pg_rollback(d);
	}
	if (!e && pg_citus(d) && ((e = pg_begin(d)) || (e = pg_exec(d, citus_layout)) || (e = pg_commit(d))))
		pg_rollback(d);
	PQclear(PQexec(C(d), "SELECT pg_advisory_unlock(20200217)"));
	return e;
}

static void clear_vals(pg_stmt *s)
{
	for (int i = 0; i < PG_MAXP; i++) {
		free(s->vals[i]);
		s->vals[i] = NULL;
		s->fmts[i] = s->lens[i] = 0;
	}
}

static void pg_done(db_stmt *st)
{
	pg_stmt *s = PS(st);
	PQclear(s->res);
	s->res = NULL;
	if (s->blob)
		PQfreemem(s->blob);
	s->blob = NULL;
	s->executed = false;
	s->row = s->nrows = 0;
}

static void pg_close(db *d)
{
	pg_db *p = (pg_db *)d;
	for (int i = 0; i < SQL__COUNT; i++) {
		pg_done(&p->cache[i].base);
		clear_vals(&p->cache[i]);
	}
	PQfinish(p->c);
	free(p->cbuf);
	free(d->url);
	free(p);
}

static werr pg_open(const char *url, db **out)
{
	pg_db *p = xcalloc(1, sizeof *p);
	p->base.drv = &pg_driver;
	p->base.url = xstrdup(url);
	p->c = PQconnectdb(url);
	if (PQstatus(p->c) != CONNECTION_OK) {
		char m[200];
		snprintf(m, sizeof m, "%s", PQerrorMessage(p->c));
		m[strcspn(m, "\n")] = 0;
		pg_close(&p->base);
		return w_fail(W_EDB, "store_open", "db", "cannot connect to PostgreSQL: %s", m);
	}
	p->citus = pg_citus(&p->base);
	pg_session(p);
	for (int i = 0; i < SQL__COUNT; i++) {
		p->cache[i].base.d = &p->base;
		p->cache[i].base.cached = true;
		p->cache[i].id = i;
		p->cache[i].nparams = max_param(stmt_text(p, i));
		p->cache[i].cte_writes = cte_writes(stmt_text(p, i));
	}
	*out = &p->base;
	return WG_OK;
}

static db_stmt *pg_get(db *d, sql_id id)
{
	pg_stmt *s = &((pg_db *)d)->cache[id];
	pg_done(&s->base);
	clear_vals(s);
	return &s->base;
}

static db_stmt *pg_prepare(db *d, const char *sql)
{
	pg_stmt *s = xcalloc(1, sizeof *s);
	s->base.d = d;
	s->id = -1;
	s->sql = xstrdup(sql);
	s->nparams = max_param(sql);
	s->cte_writes = cte_writes(sql);
	return &s->base;
}

static void pg_finalize(db_stmt *st)
{
	pg_done(st);
	if (st->cached)
		return;
	clear_vals(PS(st));
	free(PS(st)->sql);
	free(st);
}

static void set_val(db_stmt *st, int i, char *v)
{
	pg_stmt *s = PS(st);
	if (i < 1 || i > PG_MAXP) {
		free(v);
		return;
	}
	free(s->vals[i - 1]);
	s->vals[i - 1] = v;
	s->fmts[i - 1] = s->lens[i - 1] = 0;
}

static void pg_bind_int(db_stmt *s, int i, int64_t v)
{
	char b[24];
	snprintf(b, sizeof b, "%lld", (long long)v);
	set_val(s, i, xstrdup(b));
}

static void pg_bind_text(db_stmt *s, int i, const char *v)
{
	set_val(s, i, v ? xstrdup(v) : NULL);
}

static void pg_bind_null(db_stmt *s, int i)
{
	set_val(s, i, NULL);
}

static void pg_bind_double(db_stmt *s, int i, double v)
{
	char b[32];
	snprintf(b, sizeof b, "%.17g", v);
	set_val(s, i, xstrdup(b));
}

/* Bytes travel as a binary parameter: bytea's binary form is the bytes themselves. */
static void pg_bind_blob(db_stmt *st, int i, const void *p, size_t n)
{
	if (!p || n > INT32_MAX) {
		set_val(st, i, NULL);
		return;
	}
	char *v = xmalloc(n ? n : 1);
	if (n)
		memcpy(v, p, n);
	set_val(st, i, v);
	if (i >= 1 && i <= PG_MAXP) {
		PS(st)->fmts[i - 1] = 1;
		PS(st)->lens[i - 1] = (int)n;
	}
}

/* A statement's result, kept for its steps; or its failure (the result freed). */
static werr take_result(pg_stmt *s, PGresult *r)
{
	db *d = s->base.d;
	ExecStatusType rs = PQresultStatus(r);
	if (rs != PGRES_TUPLES_OK && rs != PGRES_COMMAND_OK) {
		werr e = pg_fail(d, r, "running a statement");
		PQclear(r);
		return e;
	}
	s->res = r;
	s->executed = true;
	s->row = -1;
	s->nrows = rs == PGRES_TUPLES_OK ? PQntuples(r) : 0;
	/* SELECT … FOR UPDATE only locks */
	if (strncmp(PQcmdStatus(r), "SELECT", 6) != 0 || (s->cte_writes && s->nrows > 0))
		d->writes++;
	const char *ct = PQcmdTuples(r);
	((pg_db *)d)->changes = ct && *ct ? strtoll(ct, NULL, 10) : 0;
	return WG_OK;
}

static int pg_step(db_stmt *st, werr *err)
{
	pg_stmt *s = PS(st);
	db *d = st->d;
	pg_db *p = (pg_db *)d;
	if (!s->executed) {
		PGresult *r;
		d->exchanges++;
		if (s->id >= 0) {
			char name[16];
			snprintf(name, sizeof name, "s%d", s->id);
			if (!p->prepared[s->id]) {
				d->exchanges++;
				PGresult *pr = PQprepare(C(d), name, stmt_text(p, s->id), 0, NULL);
				if (PQresultStatus(pr) != PGRES_COMMAND_OK) {
					werr e = pg_fail(d, pr, "preparing");
					fprintf(stderr, "wangge: statement %d does not prepare on PostgreSQL: %s\n", s->id,
					        w_last()->message);
					PQclear(pr);
					if (err)
						*err = e;
					return -1;
				}
				PQclear(pr);
				p->prepared[s->id] = true;
			}
			r = PQexecPrepared(C(d), name, s->nparams, (const char *const *)s->vals, s->lens, s->fmts, 0);
		} else {
			r = PQexecParams(C(d), s->sql, s->nparams, NULL, (const char *const *)s->vals, s->lens, s->fmts, 0);
		}
		werr e = take_result(s, r);
		if (e) {
			if (err)
				*err = e;
			return -1;
		}
	}
	if (s->row + 1 < s->nrows) {
		s->row++;
		return DB_ROW;
	}
	s->row = s->nrows;
	return DB_DONE;
}

/* ---- db_send: statements in one exchange (libpq's pipeline mode) ---- */

enum { SEND_MAX = 8 };

/* Send the statements (each catalogue statement not yet prepared on this connection
 * prepared in the same pipeline), then one sync; their results in order into res (a
 * prepare's before its statement's).  false when the exchange itself failed. */
static bool pipe_exchange(pg_db *p, db_stmt *const *stmts, int n, const bool *preparing, PGresult **res, int nres)
{
	PGconn *c = p->c;
	if (PQenterPipelineMode(c) != 1)
		return false;
	bool sent = true;
	for (int i = 0; i < n && sent; i++) {
		pg_stmt *s = PS(stmts[i]);
		const char *const *vals = (const char *const *)s->vals;
		if (s->id < 0) {
			sent = PQsendQueryParams(c, s->sql, s->nparams, NULL, vals, s->lens, s->fmts, 0) == 1;
			continue;
		}
		char name[16];
		snprintf(name, sizeof name, "s%d", s->id);
		if (preparing[i])
			sent = PQsendPrepare(c, name, stmt_text(p, s->id), 0, NULL) == 1;
		sent = sent && PQsendQueryPrepared(c, name, s->nparams, vals, s->lens, s->fmts, 0) == 1;
	}
	bool synced = false;
	if (sent && PQpipelineSync(c) == 1) {
		/* each query's result is followed by a NULL; the sync's result ends the exchange */
		int k = 0, nulls = 0;
		for (;;) {
			PGresult *r = PQgetResult(c);
			if (!r) {
				if (++nulls > 1 || PQstatus(c) != CONNECTION_OK)
					break;
				continue;
			}
			nulls = 0;
			if (PQresultStatus(r) == PGRES_PIPELINE_SYNC) {
				PQclear(r);
				synced = true;
				break;
			}
			if (k < nres)
				res[k++] = r;
			else
				PQclear(r);
		}
	}
	return PQexitPipelineMode(c) == 1 && synced;
}

static werr pg_send(db *d, db_stmt *const *stmts, int n)
{
	pg_db *p = (pg_db *)d;
	if (n < 1 || n > SEND_MAX)
		return w_fail(W_EINTERNAL, "send_size", NULL, "db_send: 1 to %d statements", SEND_MAX);
	bool preparing[SEND_MAX] = {false};
	PGresult *res[2 * SEND_MAX] = {NULL};
	int nres = 0;
	for (int i = 0; i < n; i++) {
		pg_stmt *s = PS(stmts[i]);
		PQclear(s->res);
		s->res = NULL;
		s->executed = false;
		preparing[i] = s->id >= 0 && !p->prepared[s->id];
		for (int j = 0; j < i && preparing[i]; j++)
			preparing[i] = PS(stmts[j])->id != s->id; /* prepared once */
		nres += preparing[i] ? 2 : 1;
	}
	d->exchanges++;
	werr e = WG_OK;
	if (!pipe_exchange(p, stmts, n, preparing, res, nres)) {
		e = pg_fail(d, NULL, "sending statements");
		if (PQpipelineStatus(p->c) != PQ_PIPELINE_OFF) /* stuck in the pipeline: start afresh */
			pg_reconnect(d);
	}
	/* every statement done with (no rows) unless its result is taken below */
	for (int i = 0, k = 0; i < n; i++) {
		pg_stmt *s = PS(stmts[i]);
		s->executed = true;
		s->row = -1;
		s->nrows = 0;
		if (preparing[i]) {
			PGresult *pr = res[k++];
			if (PQresultStatus(pr) == PGRES_COMMAND_OK) {
				p->prepared[s->id] = true;
			} else if (!e) {
				e = pg_fail(d, pr, "preparing");
				fprintf(stderr, "wangge: statement %d does not prepare on PostgreSQL: %s\n", s->id, w_last()->message);
			}
			PQclear(pr);
		}
		PGresult *r = res[k++];
		if (!e && r)
			e = take_result(s, r);
		else
			PQclear(r);
	}
	return e;
}

static const char *pg_text(db_stmt *st, int col)
{
	pg_stmt *s = PS(st);
	if (!s->res || s->row < 0 || s->row >= s->nrows || PQgetisnull(s->res, s->row, col))
		return NULL;
	return PQgetvalue(s->res, s->row, col);
}

static int64_t pg_int(db_stmt *st, int col)
{
	const char *v = pg_text(st, col);
	if (!v)
		return 0;
	if (*v == 't')
		return 1;
	if (*v == 'f')
		return 0;
	return strtoll(v, NULL, 10);
}

static double pg_double(db_stmt *st, int col)
{
	const char *v = pg_text(st, col);
	return v ? strtod(v, NULL) : 0.0;
}

/* A bytea comes back as text in the hex form (\\x…): decoded here, kept until the next step. */
static const void *pg_blob(db_stmt *st, int col, size_t *n)
{
	pg_stmt *s = PS(st);
	*n = 0;
	const char *v = pg_text(st, col);
	if (!v)
		return NULL;
	if (s->blob)
		PQfreemem(s->blob);
	s->blob = PQunescapeBytea((const unsigned char *)v, n);
	if (!s->blob)
		*n = 0;
	return s->blob;
}

static bool pg_null(db_stmt *st, int col)
{
	pg_stmt *s = PS(st);
	return !s->res || s->row < 0 || s->row >= s->nrows || PQgetisnull(s->res, s->row, col);
}

static int pg_columns(db_stmt *st)
{
	return PS(st)->res ? PQnfields(PS(st)->res) : 0;
}

static const char *pg_column_name(db_stmt *st, int col)
{
	return PS(st)->res ? PQfname(PS(st)->res, col) : NULL;
}

static int64_t pg_changes(db *d)
{
	return ((pg_db *)d)->changes;
}

/* What a running client program has got through, for db_on_progress: bytes done and in
 * all (0: not known). */
typedef void (*tool_watch)(db *d, pid_t pid, const char *path);

/* Run argv (a client program of PostgreSQL) and wait: its exit status, or -1.  While it
 * runs, watch (when not NULL) is called about four times a second. */
static int run_tool(db *d, char *const argv[], tool_watch watch, const char *path)
{
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		execvp(argv[0], argv);
		_exit(127);
	}
	int status = 0;
	for (;;) {
		pid_t w = waitpid(pid, &status, watch ? WNOHANG : 0);
		if (w < 0)
			return -1;
		if (w == pid)
			break;
		if (watch)
			watch(d, pid, path);
		usleep(250 * 1000);
	}
	if (!WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* pg_dump: the archive's size so far (how much there will be is not known). */
static void dump_watch(db *d, pid_t pid, const char *path)
{
	(void)pid;
	struct stat st;
	if (stat(path, &st) == 0)
		db_progress(d, (int64_t)st.st_size, 0);
}

/* pg_restore: where it is reading the archive (its descriptor's offset, from /proc), of the
 * archive's size. */
static void restore_watch(db *d, pid_t pid, const char *path)
{
	struct stat want;
	if (stat(path, &want) != 0)
		return;
	char dir[64];
	snprintf(dir, sizeof dir, "/proc/%d/fd", (int)pid);
	DIR *fds = opendir(dir);
	if (!fds)
		return;
	struct dirent *de;
	while ((de = readdir(fds))) {
		char name[320];
		struct stat st;
		snprintf(name, sizeof name, "%s/%s", dir, de->d_name);
		if (de->d_name[0] == '.' || stat(name, &st) != 0 || st.st_dev != want.st_dev || st.st_ino != want.st_ino)
			continue;
		snprintf(name, sizeof name, "/proc/%d/fdinfo/%s", (int)pid, de->d_name);
		FILE *f = fopen(name, "r");
		long long pos;
		if (f && fscanf(f, "pos: %lld", &pos) == 1)
			db_progress(d, pos < (long long)want.st_size ? (int64_t)pos : (int64_t)want.st_size, (int64_t)want.st_size);
		if (f)
			fclose(f);
		break;
	}
	closedir(fds);
}

/* pg_dump in its custom format: one repeatable-read snapshot, so it finishes while the
 * server keeps committing.  Then checked: pg_restore can read the archive's table of
 * contents and it holds the data of the tables every store has. */
static werr pg_backup(db *d, const char *dest)
{
	/* pg_dump of a Citus coordinator holds the reference tables and the distributed tables'
	 * definitions, not the workers' shards: an archive that looks like a backup and lacks
	 * every resident.  Refused, naming what backs a cluster up */
	if (((pg_db *)d)->citus)
		return w_fail(W_EINVAL, "backup_citus", "db",
		              "Citus 集群上的 wangge backup 不含工作节点的分片：请用 pg_basebackup 备份每个节点 / on Citus, "
		              "wangge backup would miss the workers' shards: back up every node with pg_basebackup");
	int rc = run_tool(d, (char *[]){"pg_dump", "--format=custom", "--file", (char *)dest, "--dbname", d->url, NULL},
	                  dump_watch, dest);
	if (rc != 0)
		return w_fail(W_EDB, "backup_failed", "out", "pg_dump failed (exit %d)", rc);
	dump_watch(d, 0, dest); /* all of it */
	char *list = xmalloc(strlen(dest) + 6);
	sprintf(list, "%s.list", dest);
	rc = run_tool(d, (char *[]){"pg_restore", "--list", "--file", list, (char *)dest, NULL}, NULL, NULL);
	werr e = rc == 0 ? WG_OK : w_fail(W_EDB, "backup_failed", "out", "pg_restore cannot read the archive (exit %d)", rc);
	static const char *const need[] = {"TABLE DATA public schema_version ", "TABLE DATA public units ",
	                                   "TABLE DATA public residents ", "TABLE DATA public checkins "};
	FILE *f = e ? NULL : fopen(list, "r");
	if (!e) {
		unsigned found = 0;
		char line[1024];
		while (f && fgets(line, sizeof line, f))
			for (unsigned k = 0; k < sizeof need / sizeof need[0]; k++)
				if (strstr(line, need[k]))
					found |= 1u << k;
		if (found != (1u << (sizeof need / sizeof need[0])) - 1)
			e = w_fail(W_EDB, "backup_failed", "out", "the archive lacks the store's tables");
	}
	if (f)
		fclose(f);
	unlink(list);
	free(list);
	return e;
}

/* pg_restore of a pg_dump custom archive, replacing what exists. */
static werr pg_restore(db *d, const char *src)
{
	if (((pg_db *)d)->citus) /* an archive of one server would replace the cluster's layout */
		return w_fail(W_EINVAL, "restore_citus", "db",
		              "wangge restore 不能恢复 Citus 集群：请从各节点的基础备份恢复 / wangge restore cannot restore a "
		              "Citus cluster: restore every node from its base backup");
	int rc = run_tool(d, (char *[]){"pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
	                                "--dbname", d->url, (char *)src, NULL},
	                  restore_watch, src);
	if (rc != 0)
		return w_fail(W_EDB, "restore_failed", "from", "pg_restore failed (exit %d)", rc);
	struct stat st;
	if (stat(src, &st) == 0)
		db_progress(d, (int64_t)st.st_size, (int64_t)st.st_size);
	return WG_OK;
}

static bool pg_in_tx(db *d)
{
	return PQtransactionStatus(C(d)) != PQTRANS_IDLE;
}

static bool pg_tx_usable(db *d)
{
	return PQtransactionStatus(C(d)) == PQTRANS_INTRANS;
}

/* The server keeps its own settings; after a bulk load its planner needs statistics.
 * Without them it takes a table of tens of thousands of rows for a handful, and plans a
 * community's list of residents as nested loops: 25 s for the first page after a 20,000-
 * household load, until autovacuum's analyze came round a minute later.  ANALYZE runs
 * inside the loading transaction and counts its own rows. */
static werr pg_tune(db *d, db_use use)
{
	return use == DB_FOR_BULK_DONE || use == DB_FOR_NEW_ROWS ? pg_exec(d, "ANALYZE") : WG_OK;
}

/* The server checkpoints on its own.  On Citus, for a few minutes after a worker could
 * not be reached, each call (the ticker's, every second) also resolves the two-phase
 * commits left in doubt on it: a worker stopped between its PREPARE and the coordinator's
 * COMMIT PREPARED keeps the prepared transaction's row locks when it is back (the
 * household's, under a check-in) until the coordinator's maintenance daemon recovers it,
 * once a minute by default — a minute in which that household's check-ins would wait. */
static werr pg_checkpoint(db *d, bool *done)
{
	*done = false;
	int64_t failed = atomic_load(&worker_failed_at);
	if (!((pg_db *)d)->citus || !failed || now_s() - failed > 300)
		return WG_OK;
	return pg_exec(d, "SELECT recover_prepared_transactions()");
}

/* ---- COPY … FROM STDIN (db_copy_*): rows in the text format, sent 64 KB at a time ---- */

enum { COPY_CHUNK = 64 * 1024 };

static bool pg_can_copy(db *d)
{
	return !((pg_db *)d)->citus; /* a coordinator keeps the import's per-row path for now */
}

/* db_cte_writes: a Citus coordinator plans a statement of data-modifying CTEs as several
 * and refuses some of its joins ("complex joins are only supported when …"): it keeps the
 * check-in's per-statement path for now. */
static bool pg_cte_writes(db *d)
{
	return !((pg_db *)d)->citus;
}

/* db_counts_above_district: on a Citus coordinator the counters of a city or a province
 * are summed from its districts' rows when read (docs/SCALING.md) */
static bool pg_counts_above_district(db *d)
{
	return !((pg_db *)d)->citus;
}

static werr pg_copy_begin(db *d, sql_id id)
{
	pg_db *p = (pg_db *)d;
	d->exchanges++;
	PGresult *r = PQexec(p->c, stmt_text(p, (int)id));
	if (PQresultStatus(r) != PGRES_COPY_IN) {
		werr e = pg_fail(d, r, "starting a copy");
		PQclear(r);
		return e;
	}
	PQclear(r);
	p->copying = true;
	p->clen = 0;
	return WG_OK;
}

static void copy_put(pg_db *p, const char *s, size_t n)
{
	if (p->clen + n > p->ccap) {
		size_t cap = p->ccap ? p->ccap : 2 * COPY_CHUNK;
		while (cap < p->clen + n)
			cap *= 2;
		p->cbuf = xrealloc(p->cbuf, cap);
		p->ccap = cap;
	}
	memcpy(p->cbuf + p->clen, s, n);
	p->clen += n;
}

static werr copy_flush(db *d)
{
	pg_db *p = (pg_db *)d;
	if (p->clen && PQputCopyData(p->c, p->cbuf, (int)p->clen) != 1)
		return pg_fail(d, NULL, "sending rows");
	p->clen = 0;
	return WG_OK;
}

static werr pg_copy_row(db *d, const char *const *vals, int n)
{
	pg_db *p = (pg_db *)d;
	if (!p->copying)
		return w_fail(W_EINTERNAL, "no_copy", NULL, "no copy in progress");
	for (int i = 0; i < n; i++) {
		if (i)
			copy_put(p, "\t", 1);
		const char *v = vals[i];
		if (!v) {
			copy_put(p, "\\N", 2);
			continue;
		}
		/* the text format's escapes: backslash, and the delimiter and line ends */
		const char *run = v;
		for (; *v; v++) {
			const char *esc = *v == '\\' ? "\\\\" : *v == '\t' ? "\\t" : *v == '\n' ? "\\n" : *v == '\r' ? "\\r" : NULL;
			if (!esc)
				continue;
			copy_put(p, run, (size_t)(v - run));
			copy_put(p, esc, 2);
			run = v + 1;
		}
		copy_put(p, run, (size_t)(v - run));
	}
	copy_put(p, "\n", 1);
	return p->clen >= COPY_CHUNK ? copy_flush(d) : WG_OK;
}

/* The copy's outcome: the results that follow its end. */
static werr copy_results(db *d)
{
	werr e = WG_OK;
	PGresult *r;
	while ((r = PQgetResult(C(d)))) {
		if (!e && PQresultStatus(r) != PGRES_COMMAND_OK)
			e = pg_fail(d, r, "copying rows");
		if (!e) {
			const char *ct = PQcmdTuples(r);
			((pg_db *)d)->changes = ct && *ct ? strtoll(ct, NULL, 10) : 0;
		}
		PQclear(r);
	}
	return e;
}

static werr pg_copy_end(db *d)
{
	pg_db *p = (pg_db *)d;
	if (!p->copying)
		return w_fail(W_EINTERNAL, "no_copy", NULL, "no copy in progress");
	werr e = copy_flush(d);
	d->exchanges++;
	p->copying = false;
	p->clen = 0;
	if (PQputCopyEnd(p->c, e ? "abandoned" : NULL) != 1 && !e)
		e = pg_fail(d, NULL, "ending a copy");
	werr e2 = copy_results(d);
	return e ? e : e2;
}

/* A rollback in the middle of a copy: the server is told to abandon it first. */
static void copy_abandon(db *d)
{
	pg_db *p = (pg_db *)d;
	if (!p->copying)
		return;
	p->copying = false;
	p->clen = 0;
	if (PQputCopyEnd(p->c, "abandoned") == 1)
		(void)copy_results(d);
}

const db_driver pg_driver = {
    .name = "postgresql",
    .remote = true,
    .open = pg_open,
    .close = pg_close,
    .migrate = pg_migrate,
    .exec = pg_exec,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .get = pg_get,
    .prepare = pg_prepare,
    .finalize = pg_finalize,
    .bind_int = pg_bind_int,
    .bind_text = pg_bind_text,
    .bind_null = pg_bind_null,
    .bind_double = pg_bind_double,
    .bind_blob = pg_bind_blob,
    .step = pg_step,
    .done = pg_done,
    .col_int = pg_int,
    .col_double = pg_double,
    .col_text = pg_text,
    .col_blob = pg_blob,
    .col_null = pg_null,
    .columns = pg_columns,
    .column_name = pg_column_name,
    .changes = pg_changes,
    .backup = pg_backup,
    .restore = pg_restore,
    .in_tx = pg_in_tx,
    .tx_usable = pg_tx_usable,
    .tune = pg_tune,
    .checkpoint = pg_checkpoint,
    .can_copy = pg_can_copy,
    .copy_begin = pg_copy_begin,
    .copy_row = pg_copy_row,
    .copy_end = pg_copy_end,
    .send = pg_send,
    .cte_writes = pg_cte_writes,
    .counts_above_district = pg_counts_above_district,
};
