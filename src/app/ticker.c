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

static void touch(db *d, arena *a, int64_t now)
{
	(void)a;
	(void)now;
	if (acct_touch_flush(d)) /* sessions' last uses; the next second tries again */
		w_clear();
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

/* The periodic tasks, in order, with their period in seconds. */
static const struct {
	int every;
	void (*fn)(db *d, arena *a, int64_t now);
} tasks[] = {
    {1, touch}, {1, checkpoint}, {5, escalate}, {5, curve}, {5, visitors}, {2, help_requests}, {5, staff}, {5, call_hook},
};

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
				tasks[i].fn(d, a, now);
			}
		arena_free(a);
	}
	if (d)
		touch(d, NULL, 0);
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
