/* writer.c — see writer.h. */
#include "app/writer.h"

#include <pthread.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/util.h"
#include "db/db.h"
#include "domain/stats.h"

/* ---- the batch's participants: what a batch keeps for its end ---- */

static void stats_begin(db *d)
{
	(void)d;
	stats_batch_begin();
}

/* the audit rows are collected only for a database server: in-process an insert per row
 * is as cheap */
static void audit_begin(db *d)
{
	audit_batch_begin(db_remote(d));
}

static werr audit_end(db *d, bool keep)
{
	(void)d;
	audit_job_end(keep);
	return WG_OK;
}

static void audit_committed(void)
{
}

static const struct {
	void (*begin)(db *d);
	werr (*job_end)(db *d, bool keep); /* after each job: keep its share or drop it */
	werr (*flush)(db *d);              /* before the commit */
	void (*discard)(void);             /* the batch is not kept */
	void (*committed)(void);           /* the batch is kept */
} parts[] = {
    {stats_begin, stats_job_end, stats_batch_flush, stats_batch_discard, stats_batch_committed},
    {audit_begin, audit_end, audit_batch_flush, audit_batch_discard, audit_committed},
};
enum { NPARTS = sizeof parts / sizeof parts[0] };

static void parts_begin(db *d)
{
	for (int i = 0; i < NPARTS; i++)
		parts[i].begin(d);
}

static werr parts_job_end(db *d, bool keep)
{
	werr e = WG_OK;
	for (int i = 0; i < NPARTS; i++) {
		werr pe = parts[i].job_end(d, keep && !e);
		if (!e)
			e = pe;
	}
	return e;
}

static void parts_discard(void)
{
	for (int i = 0; i < NPARTS; i++)
		parts[i].discard();
}

/* The audit rows first, then the counters (the caller discards them all on a failure). */
static werr parts_flush(db *d)
{
	werr e = WG_OK;
	for (int i = NPARTS - 1; i >= 0 && !e; i--)
		e = parts[i].flush(d);
	return e;
}

/* ---- one batch ---- */

static void job_fail(wjob *j, werr e)
{
	j->err = e;
	j->detail = *w_last();
	j->detail.err = e;
	json_decref(j->out);
	j->out = NULL;
}

/* The batch's jobs that write together (wjob.together), each kind in one call, before the
 * jobs run one by one; d NULL: each kind told to forget (writer.h).  Returns the first
 * error (the batch then runs again). */
static werr run_together(db *d, wjob *batch)
{
	enum { MAX = WRITE_BATCH_MAX_REMOTE };
	const actor *acs[MAX];
	void *plans[MAX];
	bool wrote[MAX];
	wjob *js[MAX];
	for (wjob *j = batch; j; j = j->next)
		j->wrote = false;
	for (wjob *first = batch; first; first = first->next) {
		together_fn fn = first->together;
		bool seen = false; /* (a kind is handled at its first job) */
		for (wjob *j = batch; fn && j != first && !seen; j = j->next)
			seen = j->together == fn;
		if (!fn || seen)
			continue;
		size_t n = 0;
		for (wjob *j = first; j && n < MAX; j = j->next)
			if (j->together == fn) {
				j->ac.d = d;
				acs[n] = &j->ac;
				plans[n] = j->plan;
				wrote[n] = false;
				js[n++] = j;
			}
		werr e = fn(d, acs, plans, wrote, n);
		for (size_t i = 0; i < n; i++) {
			js[i]->ac.d = NULL;
			js[i]->wrote = wrote[i];
		}
		if (e)
			return e;
	}
	return WG_OK;
}

/* One transaction for the jobs of a batch: each job's outcome in its state; returns the
 * transaction's error (every job without its own error then fails with it).  Unguarded
 * (no savepoint per job), a job that fails after writing, or leaving the transaction
 * unusable, sets *again: nothing of the batch is kept, it must run again guarded. */
static werr run_batch(db *d, wjob *batch, bool guarded, bool *again)
{
	*again = false;
	werr e = d ? db_begin(d) : w_fail(W_EBUSY, "store_unavailable", NULL, "store unavailable");
	if (!e)
		parts_begin(d);
	if (!e && !guarded && (e = run_together(d, batch))) {
		db_rollback(d);
		parts_discard();
		*again = true;
		return WG_OK;
	}
	for (wjob *j = batch; j; j = j->next) {
		j->err = WG_OK;
		if (e) {
			job_fail(j, e);
			continue;
		}
		actor ac = j->ac;
		ac.d = d;
		w_clear();
		int64_t writes = db_writes(d);
		werr je = guarded ? db_run(db_get(d, SQL_SAVEPOINT), NULL) : WG_OK;
		if (!je)
			je = j->run(&ac, j->plan, &j->out);
		if (!je)
			je = parts_job_end(d, true);
		else
			parts_job_end(d, false);
		if (je && !guarded && (j->wrote || db_writes(d) != writes || !db_tx_usable(d))) {
			db_rollback(d);
			parts_discard();
			*again = true;
			return WG_OK;
		}
		if (je) {
			job_fail(j, je);
			if (guarded && (db_run(db_get(d, SQL_ROLLBACK_TO), NULL) || db_run(db_get(d, SQL_RELEASE), NULL))) {
				e = je; /* the transaction is unusable: the rest fail too */
				db_rollback(d);
			}
		} else if (guarded && (je = db_run(db_get(d, SQL_RELEASE), NULL))) {
			job_fail(j, je);
		}
	}
	/* the batch's counters and audit rows, then the commit.  If the transaction did not
	 * begin, ended unusable, or the counters, audit rows or commit fail, nothing of the
	 * batch is kept: no job of it may be acknowledged, the ones that had run included. */
	if (e) {
		parts_discard();
	} else if ((e = parts_flush(d)) || (e = db_commit(d))) {
		db_rollback(d);
		parts_discard();
	} else {
		for (int i = 0; i < NPARTS; i++)
			parts[i].committed();
	}
	for (wjob *j = batch; e && j; j = j->next)
		if (!j->err)
			job_fail(j, e);
	return e;
}

werr writer_run(db *d, wjob *batch)
{
	/* the answers a first, bare run may have built are not kept if it runs again */
	json_t *first[WRITE_BATCH_MAX];
	size_t n = 0;
	for (wjob *j = batch; j && n < WRITE_BATCH_MAX; j = j->next)
		first[n++] = json_incref(j->out);
	bool again;
	werr e = run_batch(d, batch, false, &again);
	if (again) {
		size_t i = 0;
		for (wjob *j = batch; j && i < n; j = j->next, i++) {
			json_decref(j->out);
			j->out = json_incref(first[i]);
		}
		run_together(NULL, batch);
		e = run_batch(d, batch, true, &again);
	}
	for (size_t i = 0; i < n; i++)
		json_decref(first[i]);
	for (wjob *j = batch, *next; j; j = next) { /* done may free the job */
		next = j->next;
		j->done(j);
	}
	return e;
}

/* ---- the threads ---- */

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static wjob *head, *tail;
static size_t queued;
static bool exiting;
static atomic_uint ckpt_gen; /* the ticker's checkpoints so far */
static _Atomic int64_t jobs_run;
static char *store_url;
static pthread_t threads[WRITERS_MAX];
static unsigned nthreads;

bool writer_push(wjob *j)
{
	pthread_mutex_lock(&mu);
	bool ok = queued < WRITE_QUEUE_MAX && !exiting;
	if (ok) {
		j->next = NULL;
		if (tail)
			tail->next = j;
		else
			head = j;
		tail = j;
		queued++;
		pthread_cond_signal(&cv);
	}
	pthread_mutex_unlock(&mu);
	return ok;
}

int64_t writer_jobs(void)
{
	return atomic_load(&jobs_run);
}

typedef struct {
	wjob j; /* first: its done callback finds the call */
	pthread_mutex_t m;
	pthread_cond_t c;
	bool finished;
} wcall;

static void call_done(wjob *j)
{
	wcall *w = (wcall *)j;
	pthread_mutex_lock(&w->m);
	w->finished = true;
	pthread_cond_signal(&w->c);
	pthread_mutex_unlock(&w->m);
}

/* Queue the job j and wait for its done; false when it was not queued.  The call lives on
 * the heap: the queue refers to it until the writer has taken it. */
static bool call_wait(const wjob *j, werr *err, wdetail *detail)
{
	wcall *w = xcalloc(1, sizeof *w);
	w->j = *j;
	w->j.done = call_done;
	pthread_mutex_init(&w->m, NULL);
	pthread_cond_init(&w->c, NULL);
	bool ok = writer_push(&w->j);
	if (ok) {
		pthread_mutex_lock(&w->m);
		while (!w->finished)
			pthread_cond_wait(&w->c, &w->m);
		pthread_mutex_unlock(&w->m);
		*err = w->j.err;
		*detail = w->j.detail;
	}
	json_decref(w->j.out);
	pthread_cond_destroy(&w->c);
	pthread_mutex_destroy(&w->m);
	free(w);
	return ok;
}

werr writer_do(const actor *ac, defer_fn run, void *plan)
{
	werr e = WG_OK;
	wdetail det;
	if (!call_wait(&(wjob){.ac = *ac, .run = run, .plan = plan}, &e, &det))
		return w_fail(W_EBUSY, "busy", NULL, "服务器繁忙,请稍后重试 / server busy, retry shortly");
	if (e)
		w_record(e, det.code, det.field[0] ? det.field : NULL, "%s", det.message);
	return e;
}

void writer_checkpointed(void)
{
	atomic_fetch_add(&ckpt_gen, 1);
}

static void writer_open(db **d)
{
	if (db_open(store_url, false, d) != WG_OK) {
		*d = NULL;
		return;
	}
	if (db_tune(*d, DB_FOR_WRITER)) {
		db_close(*d);
		*d = NULL;
	}
}

/* Every write of the server waits for this thread: while it waits for a core, so does
 * every queued check-in.  In the soak on two cores shared with the HTTP threads, the
 * ticker's checkpoint and the load generator, it was runnable but not running for 350 ms
 * of each second (its schedstat), against 126 ms of running.  At a nice of -5 it gets
 * three times a nice-0 thread's share when they compete.  That needs CAP_SYS_NICE or an
 * RLIMIT_NICE of 25 (systemd: LimitNICE=25 or Nice=); without either it stays at 0. */
enum { WRITER_NICE = -5 };

static void *writer(void *arg)
{
	(void)arg;
#ifdef SYS_gettid
	(void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), WRITER_NICE);
#endif
	pthread_setname_np(pthread_self(), "wg-writer"); /* the soak reads its page faults */
	db *d = NULL;
	unsigned seen_ckpt = 0;
	writer_open(&d);
	for (;;) {
		pthread_mutex_lock(&mu);
		/* counters a rush's batches left in memory (stats.c) are written by a batch of no
		 * job when a second passes without one, and before the thread ends (if that
		 * fails, the next start adds them: stats_replay) */
		while (!head && d && stats_pending()) {
			if (!exiting) {
				struct timespec until;
				clock_gettime(CLOCK_REALTIME, &until);
				until.tv_sec += 1;
				if (!pthread_cond_timedwait(&cv, &mu, &until) || head)
					continue; /* woken: a job, or the stop */
			}
			pthread_mutex_unlock(&mu);
			werr fe = writer_run(d, NULL);
			pthread_mutex_lock(&mu);
			if (fe && exiting)
				break;
		}
		while (!head && !exiting)
			pthread_cond_wait(&cv, &mu);
		if (!head && exiting) {
			pthread_mutex_unlock(&mu);
			break;
		}
		wjob *batch = head, *last = head;
		size_t n = 1, batch_max = d && db_remote(d) ? WRITE_BATCH_MAX_REMOTE : WRITE_BATCH_MAX;
		while (last->next && n < batch_max) {
			last = last->next;
			n++;
		}
		head = last->next;
		if (!head)
			tail = NULL;
		last->next = NULL;
		queued -= n;
		pthread_mutex_unlock(&mu);

		if (!d)
			writer_open(&d);
		atomic_fetch_add(&jobs_run, (int64_t)n);
		werr e = writer_run(d, batch);
		/* The WAL starts over only when a write begins with every frame copied back and
		 * no reader behind: under a steady stream of writes the ticker's checkpoint never
		 * finds that moment, and the log (and every page look-up in it) grows for as long
		 * as the rush lasts.  So right after each of the ticker's checkpoints (which did
		 * the copying and the slow sync of the store file, off this thread), the writer —
		 * its batch answered, before its next write — copies the little written since,
		 * and the next write can restart the log. */
		unsigned gen = atomic_load(&ckpt_gen);
		if (!e && d && gen != seen_ckpt) {
			bool done;
			seen_ckpt = gen;
			if (db_checkpoint(d, &done))
				w_clear(); /* the next one will do */
		}
	}
	db_close(d);
	return NULL;
}

werr writer_start(const char *url, unsigned n)
{
	free(store_url);
	store_url = xstrdup(url);
	exiting = false;
	nthreads = 0;
	if (n < 1)
		n = 1;
	if (n > WRITERS_MAX)
		n = WRITERS_MAX;
	for (unsigned i = 0; i < n; i++) {
		if (pthread_create(&threads[i], NULL, writer, NULL)) {
			writer_stop();
			return w_fail(W_EINTERNAL, "cannot_start", NULL, "cannot start the writer threads");
		}
		nthreads++;
	}
	return WG_OK;
}

void writer_stop(void)
{
	pthread_mutex_lock(&mu);
	exiting = true;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
	for (unsigned i = 0; i < nthreads; i++)
		pthread_join(threads[i], NULL);
	nthreads = 0;
}
