/* writer.h — the group-commit writer.  Writes of many requests go into one transaction:
 * a request validates in its own thread and hands a job to the writer; a writer thread
 * (one on SQLite, several on a database server, each with its own connection) takes
 * every queued job in one transaction, commits once (one fsync for all) and calls each
 * job's done callback.  An acknowledgement therefore always follows a durable commit.
 *
 * A batch runs bare at first: a job that fails having changed nothing, leaving the
 * transaction usable (a refusal: no such resident, not living there), needs no savepoint
 * to be undone — and a savepoint per job is two more statements, which on PostgreSQL are
 * two more round trips of a check-in's seven.  If a job fails after writing, or its
 * failure ended the transaction, nothing of the batch is kept and it runs again with a
 * savepoint per job.  The batch's participants (the day's counters, the audit rows) are
 * begun, ended per job and flushed before the commit (writer.c, one table). */
#ifndef WG_WRITER_H
#define WG_WRITER_H
#include "domain/actor.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* A write to run inside the batch's transaction with the writer's connection (ac->d).
 * What is to follow its commit (publishing its event) is done by whoever its done
 * callback wakes, on that thread's own connection (the HTTP thread: req.h, defer_after). */
typedef werr (*defer_fn)(const actor *ac, void *plan, json_t **out);
/* Jobs of one kind written together before the batch runs them one by one: on a database
 * server a batch's first, bare run hands every job whose together is the same function to
 * one call of it, on the writer's connection d (one exchange for all of them instead of
 * one each: rollcall.c chk_write_many).  It sets wrote[i] for each job whose write it
 * made; that job's run then finishes it (a job failing after it is a job failing after
 * writing: the batch runs again).  An error makes the batch run again; so does any job
 * failing after writing — the second run, a savepoint per job, calls it with d NULL
 * first, to forget what it left in the plans, and then not at all. */
typedef werr (*together_fn)(db *d, const actor *const *acs, void *const *plans, bool *wrote, size_t n);

typedef struct wjob {
	actor ac;        /* who asked; ac.d is the writer's connection while the job runs */
	defer_fn run;
	together_fn together; /* may be NULL */
	void *plan;
	json_t *out;     /* the answer: run may set or replace it; released when the job fails */
	werr err;        /* the outcome, set before done is called */
	bool wrote;      /* the writer's: its together call wrote for it in this run */
	wdetail detail;
	void (*done)(struct wjob *j); /* last, from the writer thread */
	struct wjob *next;            /* the writer's */
} wjob;

enum {
	WRITE_QUEUE_MAX = 20000,
	/* Jobs per commit.  A batch run again with a savepoint per job must stay under
	 * PostgreSQL's 64 subtransactions kept in shared memory: past that every snapshot of
	 * every other session looks them up on disk (pg_subtrans), which slowed the whole
	 * store ~10× under the rush. */
	WRITE_BATCH_MAX = 1000,
	WRITE_BATCH_MAX_REMOTE = 60,
	WRITERS_REMOTE = 2, /* default writers on a database server */
	WRITERS_MAX = 16,
};

/* Start n writer threads on the store at url (n is 1 for SQLite whatever is asked). */
werr writer_start(const char *url, unsigned n);
/* Queue a job; false when the queue is full (answer 503: busy). */
bool writer_push(wjob *j);
/* run(ac, plan) as a job of the writer's next batch, waited for (from a thread that may
 * wait: a hashing thread, never an HTTP thread); its outcome, with its detail (W_EBUSY when
 * the queue is full).  A login's guard is written so (h_session.c). */
werr writer_do(const actor *ac, defer_fn run, void *plan);
/* Every queued job is run and done; then the threads end. */
void writer_stop(void);
/* The ticker copied the write-ahead log back: the writer, after its next batch, copies
 * the little written since, so the next write can start the log over (writer.c). */
void writer_checkpointed(void);

/* Jobs the writer threads have run since the process started (each check-in is one). */
int64_t writer_jobs(void);

/* One batch on connection d: run bare, again guarded when needed, committed, each job's
 * done callback.  What the writer threads do with each batch; tests call it with their
 * own jobs.  Returns the transaction's error (WG_OK when it committed). */
werr writer_run(db *d, wjob *batch);
#endif
