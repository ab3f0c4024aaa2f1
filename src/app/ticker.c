/* ticker.c — see ticker.h. */
#include "app/ticker.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "app/writer.h"
#include "core/util.h"
#include "db/db.h"
#include "domain/accounts.h"
#include "domain/alerts.h"
#include "domain/gates.h"
#include "domain/help.h"
#include "domain/rollcall.h"
#include "domain/staff.h"

/* Per task: its commits on the ticker's connection, its jobs handed to the writer
 * (ticker_counts); the task running, for ticker_job (the ticker's thread only). */
enum { TASKS_MAX = 16 };
static _Atomic int64_t task_commits[TASKS_MAX], task_jobs[TASKS_MAX];
static size_t task_now;

static void ticker_job(void)
{
	atomic_fetch_add(&task_jobs[task_now], 1);
}

/* Sessions' last uses, written inside the writer's next batch (its commit and fsync are
 * the check-ins'): one such job queued at a time; when the writer takes no job (its queue
 * full), and on a database server, on the ticker's own connection as before. */
static atomic_bool touch_queued;

static werr touch_run(const actor *ac, void *plan, json_t **out)
{
	(void)out;
	return acct_touch_write(ac->d, plan);
}

static void touch_done(wjob *j)
{
	if (j->err)
		w_clear(); /* a last use not written: harmless, the next one will be */
	acct_touch_free(j->plan);
	free(j);
	atomic_store(&touch_queued, false);
}

static void touch(db *d, arena *a, int64_t now)
{
	(void)a;
	(void)now;
	if (atomic_load(&touch_queued))
		return;
	if (db_remote(d)) {
		/* a database server keeps no cache in the process, and a writer's batch holds its
		 * row locks until its commit: sessions' rows stay out of the batches there */
		if (acct_touch_flush(d))
			w_clear();
		return;
	}
	acct_touches *t = acct_touch_take();
	if (!t)
		return;
	wjob *j = xcalloc(1, sizeof *j);
	*j = (wjob){.ac = {.username = "ticker", .role = ROLE_NONE, .unit_path = "/", .source = "ticker"},
	            .run = touch_run,
	            .plan = t,
	            .done = touch_done};
	atomic_store(&touch_queued, true);
	if (writer_push(j)) {
		ticker_job();
		return;
	}
	atomic_store(&touch_queued, false);
	free(j);
	if (acct_touch_commit(d, t))
		w_clear(); /* the last uses are dropped: the next ones will be written */
}

enum { TICK_MS = 250 };

static void checkpoint(db *d, arena *a, int64_t now)
{
	(void)a;
	(void)now;
	bool done = false;
	if (db_checkpoint(d, &done))
		w_clear();
	else if (done)
		writer_checkpointed();
}

/* How the tasks below commit what they found due (actor.h): on SQLite the writes only, as a
 * job of the writer's next batch, waited for — the reads (due lists, whom to tell, the
 * events) stay on the ticker's connection, so neither does a city-wide read run on the
 * writer's thread nor a commit here throw the writer's cache away.  On a database server,
 * here as before: it keeps no cache in the process, and a writer's batch would hold these
 * rows' locks until its commit. */
typedef struct {
	tick_write write;
	void *plan;
} via;

static werr via_run(const actor *ac, void *plan, json_t **out)
{
	(void)out;
	via *v = plan;
	return v->write(ac, v->plan);
}

static werr through_writer(const actor *ac, tick_write write, void *plan)
{
	if (db_remote(ac->d))
		return tick_commit_here(ac, write, plan);
	via v = {write, plan};
	werr e = writer_do(ac, via_run, &v); /* W_EBUSY when the queue is full: the next tick */
	ticker_job();
	return e;
}

static void escalate(db *d, arena *a, int64_t now)
{
	rollcall_tick(d, a, now, through_writer);
}

static void curve(db *d, arena *a, int64_t now)
{
	(void)a;
	curve_tick(d, now);
}

/* visitors' personal data past its retention (gates.c, issue 16) */
static void visitors(db *d, arena *a, int64_t now)
{
	gates_tick(d, a, now, through_writer);
}

/* help requests past their time limit, escalated once each with a live `escalated` event
 * (help.c, issue 18) */
static void help_requests(db *d, arena *a, int64_t now)
{
	help_tick(d, a, now, through_writer);
}

/* staff who missed their daily report, past its deadline (staff.c, issue 19) */
static void staff(db *d, arena *a, int64_t now)
{
	staff_tick(d, a, now);
}

static void (*hook)(void);

static void call_hook(db *d, arena *a, int64_t now)
{
	(void)d;
	(void)a;
	(void)now;
	if (hook)
		hook();
}

/* The periodic tasks, in order, with their period in milliseconds (a tick is TICK_MS).
 * Each looks for what is due on the ticker's own connection.  The sessions' last uses are written by the writer (a
 * job of its next batch); the other tasks commit here, each commit throwing the writer's
 * page cache and map away on SQLite (db_stats) — so each is counted (ticker_counts,
 * GET /api/v1/health/store, the soak's end line) to show which ones commit how often. */
static const struct {
	const char *name;
	void (*fn)(db *d, arena *a, int64_t now);
	int every_ms;
} tasks[] = {
    /* the checkpoint at every tick: the writer copies back what came since each one, with
     * check-ins waiting, and its next write starts the log over — a quarter of a second's
     * log instead of a second's: the rush's check-in p99 27 → 7 ms, the writer's CPU per
     * check-in −8–10 % (shorter logs to look pages up in), a fifth more bytes written
     * (bench/README.md) */
    {"touch", touch, 1000},     {"checkpoint", checkpoint, TICK_MS},
    {"escalate", escalate, 5000}, {"curve", curve, 5000},
    {"visitors", visitors, 5000}, {"help_requests", help_requests, 2000},
    {"staff", staff, 5000},     {"hook", call_hook, 5000},
};
enum { NTASKS = sizeof tasks / sizeof tasks[0] };
_Static_assert((int)NTASKS <= (int)TASKS_MAX, "TASKS_MAX: one count per task");

static void run_task(size_t i, db *d, arena *a, int64_t now)
{
	int64_t before = db_commits(d);
	task_now = i;
	tasks[i].fn(d, a, now);
	atomic_fetch_add(&task_commits[i], db_commits(d) - before);
}

size_t ticker_counts(ticker_count *out, size_t max)
{
	size_t n = 0;
	for (; n < NTASKS && n < max; n++)
		out[n] =
		    (ticker_count){tasks[n].name, atomic_load(&task_commits[n]), atomic_load(&task_jobs[n])};
	return n;
}

static atomic_bool stopping;
static pthread_t thread;
static bool running;
static char *store_url;

static void *ticker(void *arg)
{
	(void)arg;
	db *d = NULL;
	int64_t last[NTASKS] = {0};
	for (size_t i = 0; i < NTASKS; i++)
		last[i] = INT64_MIN / 2; /* each runs at the first tick */
	while (!atomic_load(&stopping)) {
		usleep(TICK_MS * 1000);
		if (!d && db_open(store_url, false, &d) != WG_OK) {
			w_clear();
			d = NULL;
			continue;
		}
		int64_t now = now_s(), at = mono_ms();
		arena *a = arena_new();
		for (size_t i = 0; i < NTASKS && !atomic_load(&stopping); i++)
			if (at - last[i] >= tasks[i].every_ms - TICK_MS / 2) { /* due within this tick */
				last[i] = at;
				run_task(i, d, a, now);
			}
		arena_free(a);
	}
	/* the last uses left, here: the server no longer serves (a job still queued is run by
	 * writer_stop) */
	if (d && acct_touch_flush(d))
		w_clear();
	db_close(d);
	return NULL;
}

werr ticker_start(const char *url, void (*every_tick)(void))
{
	free(store_url);
	store_url = xstrdup(url);
	hook = every_tick;
	atomic_store(&stopping, false);
	acct_touch_later(true); /* sessions' last uses are queued for the ticker from now on */
	if (pthread_create(&thread, NULL, ticker, NULL))
		return w_fail(W_EINTERNAL, "cannot_start", NULL, "cannot start the ticker");
	running = true;
	return WG_OK;
}

void ticker_stop(void)
{
	atomic_store(&stopping, true);
	if (running)
		pthread_join(thread, NULL);
	running = false;
}
