/* test_writer.c — the group-commit writer's batch (app/writer.c) with jobs of its own on a
 * real store (SQLite, or PostgreSQL under make pgtest): a batch commits once for all; a
 * refusal that wrote nothing is answered without running the batch again; a job that
 * fails after writing makes the batch run again with a savepoint per job, keeping the
 * others and nothing of it; a commit that fails fails every job and keeps nothing; each
 * job's done callback is called exactly once, with its outcome; jobs written together
 * (wjob.together) are handed over once, and one of them failing afterwards runs the batch
 * again without it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include <pthread.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "app/ticker.h"
#include "app/writer.h"
#include "core/util.h"
#include "domain/accounts.h"
#include "domain/calendar.h"
#include "domain/rollcall.h"
#include "domain/stats.h"
#include "testdb.h"

typedef struct {
	int64_t v;
	int runs, dones;
	werr err;
	bool had_out;
	bool pre; /* written by together_insert */
} plan;

static werr insert(const actor *ac, const char *table, int64_t v)
{
	char sql[128];
	snprintf(sql, sizeof sql, "INSERT INTO %s(v) VALUES (%lld)", table, (long long)v);
	werr e = db_exec(ac->d, sql);
	return e ? e : audit(ac, "create", "writer_test", v, NULL, "ok");
}

/* a job's answer once its write (e) is done */
static werr answered(const plan *q, werr e, json_t **out)
{
	if (!e) {
		json_decref(*out);
		*out = json_pack("{s:I}", "v", (json_int_t)q->v);
	}
	return e;
}

static werr ok_job(const actor *ac, void *p, json_t **out)
{
	plan *q = p;
	q->runs++;
	return answered(q, insert(ac, "wt", q->v), out);
}

static werr refuse_job(const actor *ac, void *p, json_t **out)
{
	(void)ac;
	(void)out;
	((plan *)p)->runs++;
	return w_fail(W_EINVAL, "refused", "v", "refused before writing");
}

static werr fail_after_write_job(const actor *ac, void *p, json_t **out)
{
	(void)out;
	plan *q = p;
	q->runs++;
	werr e = insert(ac, "wt", q->v);
	return e ? e : w_fail(W_ECONFLICT, "late", "v", "failed after writing");
}

/* a row whose deferred foreign key is checked only at the commit, which then fails */
static werr orphan_job(const actor *ac, void *p, json_t **out)
{
	(void)out;
	plan *q = p;
	q->runs++;
	return insert(ac, "wt_child", q->v);
}

static void done(wjob *j)
{
	plan *q = j->plan;
	q->dones++;
	q->err = j->err;
	q->had_out = j->out != NULL;
	json_decref(j->out);
	j->out = NULL;
}

static int setup(void **state)
{
	actor *ac = testdb_operator("writer");
	if (!ac)
		return -1;
	if (db_exec(ac->d, "CREATE TABLE wt (v BIGINT NOT NULL)") ||
	    db_exec(ac->d, "CREATE TABLE wt_parent (v BIGINT PRIMARY KEY)") ||
	    db_exec(ac->d, "CREATE TABLE wt_child (v BIGINT REFERENCES wt_parent(v) DEFERRABLE INITIALLY DEFERRED)"))
		return -1;
	*state = ac;
	return 0;
}

static int teardown(void **state)
{
	testdb_operator_free(*state);
	return 0;
}

static int64_t count(actor *ac, const char *sql)
{
	db_stmt *s = db_prepare(ac->d, sql);
	int64_t n = -1;
	werr e;
	if (s && db_step(s, &e) == DB_ROW)
		n = db_int(s, 0);
	db_finalize(s);
	return n;
}

/* The audit log cannot be cleared (it is append-only): tests count what they add. */
static int64_t audit_before;

static int64_t audit_added(actor *ac)
{
	return count(ac, "SELECT count(*) FROM audit WHERE entity = 'writer_test'") - audit_before;
}

static void reset(actor *ac)
{
	assert_int_equal(db_exec(ac->d, "DELETE FROM wt"), WG_OK);
	audit_before = count(ac, "SELECT count(*) FROM audit WHERE entity = 'writer_test'");
}

/* Link n jobs over plans with these run functions. */
static wjob *batch_of(actor *ac, wjob *jobs, plan *plans, defer_fn const *fns, int n)
{
	for (int i = 0; i < n; i++) {
		plans[i] = (plan){.v = 100 + i};
		jobs[i] = (wjob){.ac = *ac, .run = fns[i], .plan = &plans[i], .done = done};
		jobs[i].ac.d = NULL; /* the writer gives the job its connection */
		jobs[i].next = i + 1 < n ? &jobs[i + 1] : NULL;
	}
	return jobs;
}

static void test_one_commit_for_all(void **state)
{
	actor *ac = *state;
	reset(ac);
	defer_fn fns[] = {ok_job, ok_job, ok_job};
	wjob jobs[3];
	plan plans[3];
	assert_int_equal(writer_run(ac->d, batch_of(ac, jobs, plans, fns, 3)), WG_OK);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(plans[i].err, WG_OK);
		assert_int_equal(plans[i].runs, 1);
		assert_int_equal(plans[i].dones, 1);
		assert_true(plans[i].had_out);
	}
	assert_int_equal(count(ac, "SELECT count(*) FROM wt"), 3);
	assert_int_equal(audit_added(ac), 3);
}

static void test_refusal_is_not_run_again(void **state)
{
	actor *ac = *state;
	reset(ac);
	defer_fn fns[] = {ok_job, refuse_job, ok_job};
	wjob jobs[3];
	plan plans[3];
	assert_int_equal(writer_run(ac->d, batch_of(ac, jobs, plans, fns, 3)), WG_OK);
	assert_int_equal(plans[0].err, WG_OK);
	assert_int_equal(plans[1].err, W_EINVAL);
	assert_string_equal(jobs[1].detail.code, "refused");
	assert_int_equal(plans[2].err, WG_OK);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(plans[i].runs, 1); /* no second, guarded run */
		assert_int_equal(plans[i].dones, 1);
	}
	assert_false(plans[1].had_out);
	assert_int_equal(count(ac, "SELECT count(*) FROM wt"), 2);
	assert_int_equal(audit_added(ac), 2);
}

static void test_failure_after_writing_runs_again_guarded(void **state)
{
	actor *ac = *state;
	reset(ac);
	defer_fn fns[] = {ok_job, fail_after_write_job, ok_job};
	wjob jobs[3];
	plan plans[3];
	assert_int_equal(writer_run(ac->d, batch_of(ac, jobs, plans, fns, 3)), WG_OK);
	assert_int_equal(plans[0].err, WG_OK);
	assert_int_equal(plans[1].err, W_ECONFLICT);
	assert_string_equal(jobs[1].detail.code, "late");
	assert_int_equal(plans[2].err, WG_OK);
	/* the bare run stopped at the failing job; the guarded run ran every job */
	assert_int_equal(plans[0].runs, 2);
	assert_int_equal(plans[1].runs, 2);
	assert_int_equal(plans[2].runs, 1);
	for (int i = 0; i < 3; i++)
		assert_int_equal(plans[i].dones, 1);
	/* the others' rows and audit rows kept, nothing of the failed job's */
	assert_int_equal(count(ac, "SELECT count(*) FROM wt"), 2);
	assert_int_equal(count(ac, "SELECT count(*) FROM wt WHERE v = 101"), 0);
	assert_int_equal(audit_added(ac), 2);
}

static void test_failed_commit_fails_every_job(void **state)
{
	actor *ac = *state;
	reset(ac);
	defer_fn fns[] = {ok_job, orphan_job, ok_job};
	wjob jobs[3];
	plan plans[3];
	assert_int_not_equal(writer_run(ac->d, batch_of(ac, jobs, plans, fns, 3)), WG_OK);
	for (int i = 0; i < 3; i++) {
		assert_int_not_equal(plans[i].err, WG_OK); /* none acknowledged, the ones that ran included */
		assert_int_equal(plans[i].dones, 1);
		assert_false(plans[i].had_out);
	}
	assert_int_equal(count(ac, "SELECT count(*) FROM wt"), 0);
	assert_int_equal(count(ac, "SELECT count(*) FROM wt_child"), 0);
	assert_int_equal(audit_added(ac), 0);
	/* and the connection goes on: the next batch commits */
	defer_fn again[] = {ok_job};
	assert_int_equal(writer_run(ac->d, batch_of(ac, jobs, plans, again, 1)), WG_OK);
	assert_int_equal(count(ac, "SELECT count(*) FROM wt"), 1);
}

/* ---- jobs written together (wjob.together: rollcall.c chk_write_many's contract) ---- */

static int together_calls, together_forgets;
static bool together_fails;

/* writes the row of every job given, as a kind's one exchange would, and says so; d NULL:
 * forgets (the plans' pre flags) */
static werr together_insert(db *d, const actor *const *acs, void *const *plans, bool *wrote, size_t n)
{
	if (!d) {
		together_forgets++;
		for (size_t i = 0; i < n; i++)
			((plan *)plans[i])->pre = false;
		return WG_OK;
	}
	together_calls++;
	for (size_t i = 0; i < n; i++) {
		assert_ptr_equal(acs[i]->d, d);
		char sql[128];
		snprintf(sql, sizeof sql, "INSERT INTO wt(v) VALUES (%lld)",
		         (long long)((plan *)plans[i])->v);
		werr e = db_exec(d, sql);
		if (e)
			return e;
		((plan *)plans[i])->pre = wrote[i] = true;
	}
	return together_fails ? w_fail(W_EBUSY, "busy", NULL, "the together's exchange failed") : WG_OK;
}

/* finishes what together_insert wrote, or writes it itself */
static werr pre_job(const actor *ac, void *p, json_t **out)
{
	plan *q = p;
	q->runs++;
	return answered(
	    q, q->pre ? audit(ac, "create", "writer_test", q->v, NULL, "ok") : insert(ac, "wt", q->v), out);
}

/* fails having written nothing itself: after together_insert wrote its row, a failure
 * after writing */
static werr pre_fail_job(const actor *ac, void *p, json_t **out)
{
	(void)ac;
	(void)out;
	((plan *)p)->runs++;
	return w_fail(W_ECONFLICT, "late", "v", "failed after its row was written together");
}

static wjob *together_batch(actor *ac, wjob *jobs, plan *plans, defer_fn const *fns, int n)
{
	batch_of(ac, jobs, plans, fns, n);
	for (int i = 0; i < n; i++)
		jobs[i].together = together_insert;
	together_calls = together_forgets = 0;
	return jobs;
}

/* The jobs of a kind are handed to its together function once, before they run; each then
 * finishes its own write; one commit. */
static void test_together_then_each(void **state)
{
	actor *ac = *state;
	reset(ac);
	together_fails = false;
	defer_fn fns[] = {pre_job, pre_job, ok_job, pre_job};
	wjob jobs[4];
	plan plans[4];
	together_batch(ac, jobs, plans, fns, 4);
	jobs[2].together = NULL; /* a job of no kind: runs as ever */
	assert_int_equal(writer_run(ac->d, jobs), WG_OK);
	assert_int_equal(together_calls, 1);
	assert_int_equal(together_forgets, 0);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(plans[i].err, WG_OK);
		assert_int_equal(plans[i].runs, 1);
		assert_int_equal(plans[i].dones, 1);
	}
	assert_int_equal(count(ac, "SELECT count(*) FROM wt"), 4);
	assert_int_equal(audit_added(ac), 4);
}

/* A job written together that fails afterwards failed after writing, though its own run
 * wrote nothing: the batch runs again, a savepoint per job, the together's writes
 * forgotten — nothing of the failed job kept, the others written by themselves. */
static void test_together_then_failure_runs_again(void **state)
{
	actor *ac = *state;
	reset(ac);
	together_fails = false;
	defer_fn fns[] = {pre_job, pre_fail_job, pre_job};
	wjob jobs[3];
	plan plans[3];
	assert_int_equal(writer_run(ac->d, together_batch(ac, jobs, plans, fns, 3)), WG_OK);
	assert_int_equal(together_calls, 1);   /* the bare run only */
	assert_int_equal(together_forgets, 1); /* before the guarded one */
	assert_int_equal(plans[0].err, WG_OK);
	assert_int_equal(plans[1].err, W_ECONFLICT);
	assert_int_equal(plans[2].err, WG_OK);
	assert_int_equal(plans[0].runs, 2);
	assert_int_equal(plans[1].runs, 2);
	assert_int_equal(plans[2].runs, 1);
	assert_int_equal(count(ac, "SELECT count(*) FROM wt"), 2);
	assert_int_equal(count(ac, "SELECT count(*) FROM wt WHERE v = 101"), 0);
	assert_int_equal(audit_added(ac), 2);

	/* the together's own failure: the batch runs again without it, every job kept */
	reset(ac);
	together_fails = true;
	defer_fn fns2[] = {pre_job, pre_job};
	assert_int_equal(writer_run(ac->d, together_batch(ac, jobs, plans, fns2, 2)), WG_OK);
	together_fails = false;
	assert_int_equal(together_calls, 1);
	assert_int_equal(together_forgets, 1);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(plans[i].err, WG_OK);
		assert_int_equal(plans[i].runs, 1);
	}
	assert_int_equal(count(ac, "SELECT count(*) FROM wt"), 2);
}

/* the writer thread's own nice, read inside a job it runs */
static werr nice_job(const actor *ac, void *p, json_t **out)
{
	(void)ac;
	(void)out;
	plan *q = p;
	q->runs++;
#ifdef SYS_gettid
	q->v = getpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid));
#endif
	return WG_OK;
}

/* Every write waits for the one writer thread: where the process may raise a thread's
 * priority (root, CAP_SYS_NICE, an RLIMIT_NICE of 25), the writer runs at a nice of -5,
 * ahead of the HTTP threads and the ticker when they compete for a core (bench/README.md,
 * the soak's tail: it waited for a core 350 ms of each second at nice 0). */
static void test_writer_thread_runs_first(void **state)
{
	struct rlimit rl;
	if (geteuid() != 0 && (getrlimit(RLIMIT_NICE, &rl) != 0 || rl.rlim_cur < 25)) {
		skip();
		return;
	}
	plan q = {.v = 99};
	wjob j = {.ac = *(actor *)*state, .run = nice_job, .plan = &q, .done = done};
	assert_int_equal(writer_start(testdb_url, 1), WG_OK);
	assert_true(writer_push(&j));
	writer_stop(); /* every queued job is run and done first */
	assert_int_equal(q.runs, 1);
	assert_int_equal(q.dones, 1);
	assert_int_equal(q.v, -5);
}

/* ---- only the writer commits while the server serves (issue 22) ---- */

static werr ticked_job(const actor *ac, void *p, json_t **out)
{
	(void)out;
	((plan *)p)->runs++;
	return db_exec(ac->d, "UPDATE settings SET value = value WHERE false");
}

/* One batch through the writer thread, waited for: the writer has begun a transaction
 * since everything before it. */
static void through_writer(actor *ac)
{
	plan q = {0};
	wjob j = {.ac = *ac, .run = ticked_job, .plan = &q, .done = done};
	assert_true(writer_push(&j));
	for (int i = 0; i < 600 && !q.dones; i++)
		usleep(50 * 1000);
	assert_int_equal(q.dones, 1);
	assert_int_equal(q.err, WG_OK);
}

static int64_t scalar(actor *ac, const char *sql, const char *arg)
{
	db_stmt *s = db_prepare(ac->d, sql);
	int64_t n = -1;
	werr e;
	if (s && arg)
		db_bind_text(s, 1, arg);
	if (s && db_step(s, &e) == DB_ROW)
		n = db_int(s, 0);
	db_finalize(s);
	return n;
}

static int64_t ticker_task(const char *task, bool jobs)
{
	ticker_count tc[16];
	size_t n = ticker_counts(tc, 16);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(tc[i].task, task))
			return jobs ? tc[i].writer_jobs : tc[i].commits;
	return -1;
}

__attribute__((format(printf, 2, 3))) static void sql(actor *ac, const char *fmt, ...)
{
	char q[600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(q, sizeof q, fmt, ap);
	va_end(ap);
	assert_int_equal(db_exec(ac->d, q), WG_OK);
}

__attribute__((format(printf, 2, 3))) static int64_t countf(actor *ac, const char *fmt, ...)
{
	char q[600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(q, sizeof q, fmt, ap);
	va_end(ap);
	return scalar(ac, q, NULL);
}

/* The ticker's writes below are all in the store. */
static bool ticker_wrote(actor *ac, int64_t seen, int64_t escalated)
{
	return countf(ac,
	              "SELECT (SELECT count(*) FROM sessions WHERE last_seen > %lld) > 0"
	              " AND (SELECT count(*) FROM alerts WHERE level = 1) = 1"
	              " AND (SELECT count(*) FROM help_requests WHERE escalated_at IS NOT NULL) = %lld"
	              " AND (SELECT count(*) FROM visitors WHERE erased_at IS NOT NULL) = 1"
	              " AND (SELECT count(*) FROM curve_points) > 0",
	              (long long)seen, (long long)escalated) == 1;
}

/* On SQLite a commit by any other connection makes the writer's next transaction throw
 * its page cache and memory map of the store away (SQLite's pager_reset and unmap): on a
 * grown store it then faults back in everything its batches touch.  With the server's
 * writer and ticker running — a session's last use due to be written, an alert past its
 * escalation time, a help request past its time limit, a visitor past retention — the
 * ticker reads what is due on its own connection and hands only the writes to the
 * writer: no other connection commits but for the coverage curve's snapshot (every ten
 * minutes, on the ticker's connection: one reset), and the writes are made all the same. */
static void test_only_the_writer_commits(void **state)
{
	actor *ac = *state;
	const char *token = NULL;
	json_t *u = NULL;
	int64_t now = now_s();
	assert_int_equal(acct_login(ac->d, ac->a, "admin", "wangge-demo-2026", "test", &token, &u), WG_OK);
	json_decref(u);
	/* the session last used two minutes ago: the next request queues its last use */
	assert_int_equal(db_exec(ac->d, "UPDATE sessions SET last_seen = last_seen - 120"), WG_OK);
	acct_cache_invalidate();
	int64_t seen = scalar(ac, "SELECT max(last_seen) FROM sessions", NULL);
	/* an alert unacknowledged for 31 minutes; one help request past its time limit (the
	 * others not); a visitor's data past its retention (28 days) */
	sql(ac,
	    "INSERT INTO alerts(resident_id, household_id, day, state, level, opened_at, updated_at, district_id)"
	    " SELECT id, household_id, '2026-01-01', 'open', 0, %lld, %lld, district_id FROM residents ORDER BY id LIMIT 1",
	    (long long)(now - 31 * 60), (long long)(now - 31 * 60));
	sql(ac, "UPDATE help_requests SET due_at = %lld WHERE escalated_at IS NULL", (long long)(now + 86400));
	sql(ac,
	    "UPDATE help_requests SET due_at = %lld WHERE id = (SELECT min(id) FROM help_requests WHERE escalated_at IS NULL"
	    " AND state IN ('new', 'accepted', 'in_progress'))",
	    (long long)(now - 60));
	sql(ac, "INSERT INTO visitors(kind, name, phone, created_at) VALUES ('courier', '快递员', '13800000000', %lld)",
	    (long long)(now - 40 * 86400));
	int64_t escalated = scalar(ac, "SELECT count(*) FROM help_requests WHERE escalated_at IS NOT NULL", NULL);
	assert_int_equal(writer_start(testdb_url, 1), WG_OK);
	through_writer(ac); /* the writer has seen this connection's commits above */
	db_stats before, after;
	db_stats_read(&before);
	int64_t curve0 = ticker_task("curve", false);
	static const char *const routed[] = {"touch", "escalate", "help_requests", "visitors"};
	int64_t c0[4], j0[4];
	for (int i = 0; i < 4; i++) {
		c0[i] = ticker_task(routed[i], false);
		j0[i] = ticker_task(routed[i], true);
	}
	assert_int_equal(ticker_start(testdb_url, NULL), WG_OK);
	actor who;
	assert_int_equal(acct_session(ac->d, ac->a, token, "test", &who), WG_OK);
	/* the ticker's writes, waited for (up to a minute; no timing asserted) */
	for (int i = 0; i < 1200 && !ticker_wrote(ac, seen, escalated + 1); i++)
		usleep(50 * 1000);
	assert_true(ticker_wrote(ac, seen, escalated + 1));
	/* the escalations' steps and audit rows came with them */
	assert_int_equal(scalar(ac, "SELECT count(*) FROM alert_steps WHERE step = 'escalated'", NULL), 1);
	assert_int_equal(scalar(ac, "SELECT count(*) FROM audit WHERE username = 'ticker' AND entity = $1", "help_request"), 1);
	assert_int_equal(scalar(ac, "SELECT count(*) FROM audit WHERE username = 'ticker' AND entity = $1", "visitor"), 1);
	through_writer(ac); /* a batch after the ticker's writes and checkpoints */
	ticker_stop();
	writer_stop();
	db_stats_read(&after);
	int64_t curve = ticker_task("curve", false) - curve0;
	assert_true(curve >= 1); /* the curve's first snapshot: on the ticker's own connection */
	if (strcmp(db_kind(ac->d), "sqlite") != 0)
		return; /* a database server: the tasks commit on the ticker's connection (no cache to keep) */
	for (int i = 0; i < 4; i++) {
		assert_int_equal(ticker_task(routed[i], false) - c0[i], 0); /* no commit of its own */
		assert_true(ticker_task(routed[i], true) - j0[i] >= 1);     /* its writes went to the writer */
	}
	assert_int_equal(after.other_commits - before.other_commits, curve);
	assert_true(after.writer_resets - before.writer_resets <= curve);
	assert_true(after.writer_commits - before.writer_commits >= 3);
}

/* A batch sums its day deltas in a table the writer's thread keeps between batches
 * (stats.c); after the batch's flush, a write of the same thread outside any batch (a
 * command, a test) is no batch's: its deltas go straight to the store, not into the kept
 * table where nobody would write them. */
static void test_counters_after_a_batch(void **state)
{
	actor *ac = *state;
	plan q = {0};
	wjob j = {.ac = *ac, .run = ticked_job, .plan = &q, .done = done};
	j.ac.d = NULL;
	assert_int_equal(writer_run(ac->d, &j), WG_OK);
	assert_int_equal(q.err, WG_OK);
	db_stmt *s = db_prepare(
	    ac->d, "SELECT id, path, district_id FROM units WHERE kind = 'grid' ORDER BY id LIMIT 1");
	werr e;
	assert_non_null(s);
	assert_int_equal(db_step(s, &e), DB_ROW);
	int64_t unit = db_int(s, 0), district = db_int(s, 2);
	char path[256];
	snprintf(path, sizeof path, "%s", db_text(s, 1));
	db_finalize(s);
	day_delta dd = {.accounted = 1, .reported = 1};
	assert_int_equal(db_begin(ac->d), WG_OK);
	assert_int_equal(stats_day_add(ac->d, path, district, "2020-01-02", &dd), WG_OK);
	assert_int_equal(db_commit(ac->d), WG_OK);
	char q2[160];
	snprintf(q2, sizeof q2,
	         "SELECT residents_accounted FROM day_counts WHERE unit_id = %lld AND day = $1",
	         (long long)unit);
	assert_int_equal(scalar(ac, q2, "2020-01-02"), 1);
}

/* ---- the writer's deferred counters (stats.c; in-process store) ---- */

typedef struct {
	int64_t rid;
	const char *day;
	double temp;
	const char *correction;
	werr err;
	int dones;
} chk_plan_t;

static char today[11], yesterday[11];

static werr chk_job(const actor *ac, void *p, json_t **out)
{
	(void)out;
	chk_plan_t *q = p;
	chk_in in = {.day = q->day, .status = "reported", .has_temp = true, .temp = q->temp, .channel = "phone",
	             .correction = q->correction};
	chk_out o;
	return chk_record(ac, q->rid, &in, &o);
}

static void chk_done(wjob *j)
{
	chk_plan_t *q = j->plan;
	q->err = j->err;
	q->dones++;
	json_decref(j->out);
	j->out = NULL;
}

enum { RUSH = 20 }; /* jobs in a batch: a rush's size (stats.c DEFER_BATCH) */

typedef struct {
	const int64_t *rids; /* RUSH residents */
	double temp;
	const char *correction;
	int after_ms;  /* after the batch before */
	int yesterday; /* its first jobs are yesterday's readings of the other set's people */
} rush_batch;

typedef struct {
	actor *ac;
	const int64_t *other;
	rush_batch b[3];
	bool quiet_after; /* then a batch with no job, as the writer's loop runs when none comes */
} rush_arg;

/* Batches of RUSH check-ins in a thread of their own, as the server's writer runs them;
 * the thread then ends — what it held in memory goes with it, as in a crash. */
static void *rush_thread(void *p)
{
	rush_arg *r = p;
	for (int b = 0; b < 3 && r->b[b].rids; b++) {
		usleep((useconds_t)r->b[b].after_ms * 1000);
		chk_plan_t plans[RUSH];
		wjob jobs[RUSH];
		for (int i = 0; i < RUSH; i++) {
			plans[i] = (chk_plan_t){.rid = r->b[b].rids[i], .day = today, .temp = r->b[b].temp,
			                        .correction = r->b[b].correction};
			if (i < r->b[b].yesterday)
				plans[i] = (chk_plan_t){.rid = r->other[i], .day = yesterday, .temp = 36.6};
			jobs[i] = (wjob){.ac = *r->ac, .run = chk_job, .plan = &plans[i], .done = chk_done};
			jobs[i].ac.d = NULL;
			jobs[i].next = i + 1 < RUSH ? &jobs[i + 1] : NULL;
		}
		assert_int_equal(writer_run(r->ac->d, jobs), WG_OK);
		for (int i = 0; i < RUSH; i++) {
			assert_int_equal(plans[i].err, WG_OK);
			assert_int_equal(plans[i].dones, 1);
		}
	}
	if (r->quiet_after)
		assert_int_equal(writer_run(r->ac->d, NULL), WG_OK);
	return NULL;
}

static void rush(rush_arg *r)
{
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, rush_thread, r), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
}

/* The city's counters of today against a recount from the rows: true when equal. */
static bool counters_true(actor *ac, const char *root)
{
	static const char *const keys[] = {"households_reached", "residents_accounted", "residents_reported", "fevers",
	                                   "symptomatic"};
	json_t *c = NULL, *r = NULL;
	assert_int_equal(coverage_get(ac, root, today, &c), WG_OK);
	assert_int_equal(coverage_recount(ac, root, today, &r), WG_OK);
	bool eq = true;
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (json_integer_value(json_object_get(c, keys[i])) != json_integer_value(json_object_get(r, keys[i])))
			eq = false;
	json_decref(c);
	json_decref(r);
	return eq;
}

/* A rush's batches keep their check-ins' counters in the writer's memory (each check-in
 * records them); a quiet moment writes them; a crash before that loses none of them: the
 * next start adds them (stats_replay), once — whether none, some or all of the rows had
 * been written before the crash. */
static void test_deferred_counters_survive_a_crash(void **state)
{
	actor *ac = *state;
	if (db_remote(ac->d))
		skip(); /* a database server's writers write their counters with each batch */
	today_str(today);
	int y, m, dd;
	assert_int_equal(sscanf(today, "%d-%d-%d", &y, &m, &dd), 3);
	time_t t = timegm(&(struct tm){.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = dd - 1, .tm_hour = 12});
	strftime(yesterday, sizeof yesterday, "%Y-%m-%d", gmtime(&t));
	char root[64];
	db_stmt *s = db_prepare(ac->d, "SELECT code FROM units WHERE parent_id IS NULL ORDER BY id LIMIT 1");
	werr e;
	assert_int_equal(db_step(s, &e), DB_ROW);
	snprintf(root, sizeof root, "%s", db_text(s, 0));
	db_finalize(s);
	int64_t rids[2 * RUSH]; /* two sets: the first households' people, the last ones' */
	int n = 0;
	for (int k = 0; k < 2; k++) {
		s = db_prepare(ac->d, k ? "SELECT r.id FROM residents r WHERE r.moved_out_at IS NULL AND r.residence = 'living'"
		                          " ORDER BY r.household_id DESC, r.id LIMIT 20"
		                        : "SELECT r.id FROM residents r WHERE r.moved_out_at IS NULL AND r.residence = 'living'"
		                          " ORDER BY r.household_id, r.id LIMIT 20");
		while (n < (k + 1) * RUSH && db_step(s, &e) == DB_ROW)
			rids[n++] = db_int(s, 0);
		db_finalize(s);
	}
	assert_int_equal(n, 2 * RUSH);
	const int64_t *a = rids, *b = rids + RUSH;
	assert_true(counters_true(ac, root));
	int64_t deferred0 = count(ac, "SELECT count(*) FROM checkins WHERE deferred IS NOT NULL");

	/* a rush's batch, then a crash: its check-ins are stored, their counters were not */
	rush(&(rush_arg){.ac = ac, .b = {{a, 36.4, NULL, 0}}});
	assert_int_equal(count(ac, "SELECT count(*) FROM checkins WHERE deferred IS NOT NULL") - deferred0, RUSH);
	assert_false(counters_true(ac, root));
	assert_int_equal(stats_replay(ac->d), WG_OK);
	assert_true(counters_true(ac, root));
	assert_int_equal(stats_replay(ac->d), WG_OK); /* a second start adds nothing again */
	assert_true(counters_true(ac, root));

	/* a rush's batch of fevers, then a quiet moment: written, and not added again */
	rush(&(rush_arg){.ac = ac, .b = {{a, 38.4, NULL, 0}}, .quiet_after = true});
	assert_true(counters_true(ac, root));
	assert_int_equal(stats_replay(ac->d), WG_OK);
	assert_true(counters_true(ac, root));

	/* three batches: the third, a second after the first, writes the rows the first made
	 * wait, with what the second added to them (its last jobs' re-checks), and keeps the
	 * rows only the second touched (its first jobs, yesterday's) and its own; a crash: the
	 * start adds the second's and the third's check-ins, but not to the rows that include
	 * them already */
	rush(&(rush_arg){.ac = ac, .other = b, .b = {{a, 36.5, "typo", 0, 0}, {a, 38.6, NULL, 500, 8}, {a, 38.7, NULL, 600, 0}}});
	assert_true(count(ac, "SELECT count(*) FROM day_counts WHERE through > (SELECT checkin_id FROM day_counts_mark)") > 0);
	assert_false(counters_true(ac, root));
	assert_int_equal(stats_replay(ac->d), WG_OK);
	assert_true(counters_true(ac, root));

	/* a check-in written outside the writer (a bulk load, a command while the server was
	 * stopped) is never deferred; the start after it moves the mark past it, so the next
	 * start does not read it again (nor the millions a bulk load wrote) */
	assert_int_equal(db_exec(ac->d, "INSERT INTO checkins(day, resident_id, household_id, status, channel, recorded_at,"
	                                 " superseded_by, district_id) SELECT '2000-01-01', resident_id, household_id, status,"
	                                 " channel, recorded_at, 0, district_id FROM checkins ORDER BY id DESC LIMIT 1"),
	                 WG_OK);
	assert_int_equal(stats_replay(ac->d), WG_OK);
	assert_int_equal(count(ac, "SELECT checkin_id FROM day_counts_mark"), count(ac, "SELECT max(id) FROM checkins"));
	assert_true(counters_true(ac, root));
}

static int demo_setup(void **state)
{
	actor *ac = testdb_demo("writer_tick", 32, 5);
	if (!ac)
		return -1;
	*state = ac;
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_one_commit_for_all),
	    cmocka_unit_test(test_refusal_is_not_run_again),
	    cmocka_unit_test(test_failure_after_writing_runs_again_guarded),
	    cmocka_unit_test(test_failed_commit_fails_every_job),
	    cmocka_unit_test(test_together_then_each),
	    cmocka_unit_test(test_together_then_failure_runs_again),
	    cmocka_unit_test(test_writer_thread_runs_first),
	};
	const struct CMUnitTest served[] = {
	    cmocka_unit_test(test_only_the_writer_commits),
	    cmocka_unit_test(test_counters_after_a_batch),
	    cmocka_unit_test(test_deferred_counters_survive_a_crash),
	};
	int failed = cmocka_run_group_tests(tests, setup, teardown);
	return failed + cmocka_run_group_tests(served, demo_setup, teardown);
}
