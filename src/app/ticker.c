/* ticker.c — see ticker.h. */
#include "app/ticker.h"

#include <pthread.h>
#include <stdatomic.h>
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
	            .run = touch_run, .plan = t, .done = touch_done};
	atomic_store(&touch_queued, true);
	if (writer_push(j))
		return;
	atomic_store(&touch_queued, false);
	free(j);
	werr e = db_begin(d);
	if (!e)
		e = acct_touch_write(d, t);
	if (e || db_commit(d)) {
		db_rollback(d);
		w_clear(); /* the last uses are dropped: the next ones will be written */
	}
	acct_touch_free(t);
}

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

static void escalate(db *d, arena *a, int64_t now)
{
	rollcall_tick(d, a, now);
}

static void curve(db *d, arena *a, int64_t now)
{
	(void)a;
	curve_tick(d, now);
}

/* visitors' personal data past its retention (gates.c, issue 16) */
static void visitors(db *d, arena *a, int64_t now)
{
	gates_tick(d, a, now);
}

/* help requests past their time limit, escalated once each with a live `escalated` event
 * (help.c, issue 18) */
static void help_requests(db *d, arena *a, int64_t now)
{
	help_tick(d, a, now);
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

/* The periodic tasks, in order, with their period in seconds.  A task that may write
 * ("writes") first looks on the ticker's connection, which refuses to begin a write
 * (db_look_only); if it wanted to, it runs again on the writer's connection between two
 * batches (writer_call).  On SQLite a commit by any connection but the writer's throws the
 * writer's page cache and map away (db_stats), so while the server serves, the writer's
 * is the only one that commits; the looking — the due lists, mostly empty — stays here,
 * off the thread every check-in waits for.  The checkpoint copies the log back without
 * committing, and the touch queues a job of its own. */
static const struct {
	void (*fn)(db *d, arena *a, int64_t now);
	int every;
	bool writes;
} tasks[] = {
    {touch, 1, false},   {checkpoint, 1, false},    {escalate, 5, true}, {curve, 5, true},
    {visitors, 5, true}, {help_requests, 2, true}, {staff, 5, true},    {call_hook, 5, false},
};

typedef struct {
	void (*fn)(db *d, arena *a, int64_t now);
	arena *a;
	int64_t now;
} task_call;

static void task_on_writer(db *d, void *arg)
{
	task_call *c = arg;
	c->fn(d, c->a, c->now);
}

static void run_task(size_t i, db *d, arena *a, int64_t now)
{
	if (!tasks[i].writes) {
		tasks[i].fn(d, a, now);
		return;
	}
	db_look_only(d, true);
	tasks[i].fn(d, a, now);
	db_look_only(d, false);
	if (!db_write_wanted(d))
		return;
	w_clear();
	task_call c = {tasks[i].fn, a, now};
	if (!writer_call(task_on_writer, &c))
		tasks[i].fn(d, a, now); /* the writer takes no job now: here, as before */
}

static atomic_bool stopping;
static pthread_t thread;
static bool running;
static char *store_url;

static void *ticker(void *arg)
{
	(void)arg;
	db *d = NULL;
	int64_t last[sizeof tasks / sizeof tasks[0]] = {0};
	while (!atomic_load(&stopping)) {
		usleep(250 * 1000);
		if (!d && db_open(store_url, false, &d) != WG_OK) {
			w_clear();
			d = NULL;
			continue;
		}
		int64_t now = now_s();
		arena *a = arena_new();
		for (size_t i = 0; i < sizeof tasks / sizeof tasks[0] && !atomic_load(&stopping); i++)
			if (now - last[i] >= tasks[i].every) {
				last[i] = now;
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
