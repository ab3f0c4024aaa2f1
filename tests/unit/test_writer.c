/* test_writer.c — the group-commit writer's batch (app/writer.c) with jobs of its own on a
 * real store (SQLite, or PostgreSQL under make pgtest): a batch commits once for all; a
 * refusal that wrote nothing is answered without running the batch again; a job that
 * fails after writing makes the batch run again with a savepoint per job, keeping the
 * others and nothing of it; a commit that fails fails every job and keeps nothing; each
 * job's done callback is called exactly once, with its outcome. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "app/writer.h"
#include "testdb.h"

typedef struct {
	int64_t v;
	int runs, afters, dones;
	werr err;
	bool had_out;
} plan;

static werr insert(const actor *ac, const char *table, int64_t v)
{
	char sql[128];
	snprintf(sql, sizeof sql, "INSERT INTO %s(v) VALUES (%lld)", table, (long long)v);
	werr e = db_exec(ac->d, sql);
	return e ? e : audit(ac, "create", "writer_test", v, NULL, "ok");
}

static werr ok_job(const actor *ac, void *p, json_t **out)
{
	plan *q = p;
	q->runs++;
	werr e = insert(ac, "wt", q->v);
	if (!e) {
		json_decref(*out);
		*out = json_pack("{s:I}", "v", (json_int_t)q->v);
	}
	return e;
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

static void after(const actor *ac, void *p)
{
	(void)ac;
	((plan *)p)->afters++;
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
		jobs[i] = (wjob){.ac = *ac, .run = fns[i], .after = after, .plan = &plans[i], .done = done};
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
		assert_int_equal(plans[i].afters, 1);
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
	assert_int_equal(plans[1].afters, 0);
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
	assert_int_equal(plans[0].afters + plans[1].afters + plans[2].afters, 2);
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
		assert_int_equal(plans[i].afters, 0);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_one_commit_for_all),
	    cmocka_unit_test(test_refusal_is_not_run_again),
	    cmocka_unit_test(test_failure_after_writing_runs_again_guarded),
	    cmocka_unit_test(test_failed_commit_fails_every_job),
	    cmocka_unit_test(test_writer_thread_runs_first),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
