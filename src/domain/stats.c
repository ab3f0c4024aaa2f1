/* stats.c — see stats.h. */
#include "domain/stats.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"

/* Call fn for every id of path "/1/7/42/" (root first). */
#define FOR_PATH_IDS(path, id)                                                                    \
	for (const char *p_ = (path); p_ && *p_ == '/' && p_[1];)                                  \
		for (int64_t id = strtoll(p_ + 1, (char **)&p_, 10), once_ = 1; once_; once_ = 0)

/* Imports sum the totals' deltas the same way: per row (a job, dropped with its
 * savepoint), then per batch, written once per unit before each commit. */
enum { TOT_SLOTS = 8192, TOT_JOB_MAX = 128 };
typedef struct {
	int64_t unit, households, residents;
	bool used;
} tot_slot;
static _Thread_local tot_slot *tot;
static _Thread_local size_t tot_used;
static _Thread_local tot_slot tot_job[TOT_JOB_MAX];
static _Thread_local int tot_job_n;

static werr tot_write(db *d, int64_t unit, int64_t households, int64_t residents)
{
	db_stmt *s = db_get(d, SQL_STATS_ADD);
	db_bind_int(s, 1, unit);
	db_bind_int(s, 2, households);
	db_bind_int(s, 3, residents);
	return db_run(s, NULL);
}

void stats_totals_begin(void)
{
	if (!tot)
		tot = xcalloc(TOT_SLOTS, sizeof *tot);
	tot_used = 0;
	tot_job_n = 0;
}

werr stats_totals_job_end(db *d, bool keep)
{
	werr e = WG_OK;
	for (int i = 0; keep && i < tot_job_n && !e; i++) {
		tot_slot *j = &tot_job[i];
		bool added = false;
		if (tot_used < TOT_SLOTS * 3 / 4) {
			for (unsigned k = (unsigned)(j->unit * 2654435761u) % TOT_SLOTS;; k = (k + 1) % TOT_SLOTS) {
				tot_slot *t = &tot[k];
				if (!t->used) {
					*t = *j;
					t->used = true;
					tot_used++;
					added = true;
					break;
				}
				if (t->unit == j->unit) {
					t->households += j->households;
					t->residents += j->residents;
					added = true;
					break;
				}
			}
		}
		if (!added) /* the table is full: this one goes straight to the store */
			e = tot_write(d, j->unit, j->households, j->residents);
	}
	tot_job_n = 0;
	return e;
}

werr stats_totals_flush(db *d)
{
	werr e = WG_OK;
	for (size_t i = 0; tot && i < TOT_SLOTS; i++) {
		if (!tot[i].used)
			continue;
		tot[i].used = false;
		if (!e && (tot[i].households || tot[i].residents))
			e = tot_write(d, tot[i].unit, tot[i].households, tot[i].residents);
	}
	tot_used = 0;
	return e;
}

void stats_totals_end(void)
{
	free(tot);
	tot = NULL;
	tot_used = 0;
	tot_job_n = 0;
}

werr stats_add(db *d, const char *path, int64_t households, int64_t residents)
{
	if (!households && !residents)
		return WG_OK;
	FOR_PATH_IDS(path, id)
	{
		if (tot && tot_job_n < TOT_JOB_MAX) {
			tot_job[tot_job_n++] = (tot_slot){.unit = id, .households = households, .residents = residents, .used = true};
			continue;
		}
		db_stmt *s = db_get(d, SQL_STATS_ADD);
		db_bind_int(s, 1, id);
		db_bind_int(s, 2, households);
		db_bind_int(s, 3, residents);
		werr e = db_run(s, NULL);
		if (e)
			return e;
	}
	return WG_OK;
}

/* The group-commit writer sums the day deltas of a whole batch here and writes each
 * (unit, day) once before its commit, instead of once per check-in and ancestor.  A slot
 * keeps apart what is written with the batch (dd) and, on an in-process store, what the
 * batch's check-ins add that may wait (ddd: the deferred counters below), with the first
 * and last of those check-ins. */
enum { ACC_SLOTS = 4096 };
typedef struct {
	int64_t unit, first_id, last_id;
	char day[11];
	day_delta dd, ddd;
	bool used;
} acc_slot;
static _Thread_local acc_slot *acc;
static _Thread_local uint16_t acc_list[ACC_SLOTS]; /* the used slots, in the order used */
static _Thread_local size_t acc_used;
static _Thread_local int64_t b_first, b_last; /* the batch's first and last deferred check-ins */
static _Thread_local bool acc_on; /* a batch is summing here (between its begin and its flush) */

/* The deltas of the job (one request) in progress: they join the batch only when the job
 * succeeds (stats_job_end), so a refused job leaves no trace in the counters.  id: the
 * check-in whose deferred counters they are (0: written with the batch). */
enum { JOB_MAX = 64 };
static _Thread_local struct {
	int64_t unit, id;
	char day[11];
	day_delta dd;
} job[JOB_MAX];
static _Thread_local int job_n, job_deferred;

/* The table (~480 KB) is the thread's for its life, its used slots (acc_list) emptied
 * after each batch: allocated and zeroed afresh for every batch it was ~1 % of the
 * writer's time (perf, the morning rush); freed when the thread ends. */
static pthread_key_t acc_key;
static pthread_once_t acc_once = PTHREAD_ONCE_INIT;

static void acc_key_make(void)
{
	pthread_key_create(&acc_key, free);
}

static bool dd_zero(const day_delta *x)
{
	return !x->reached && !x->accounted && !x->reported && !x->fevers && !x->symptomatic;
}

static void dd_add(day_delta *to, const day_delta *x)
{
	to->reached += x->reached;
	to->accounted += x->accounted;
	to->reported += x->reported;
	to->fevers += x->fevers;
	to->symptomatic += x->symptomatic;
}

static unsigned key_hash(int64_t unit, const char *day)
{
	return (unsigned)(unit * 2654435761u) ^ (unsigned)(day[5] * 961 + day[8] * 31 + day[9]);
}

/* ---- the writer's deferred counters (in-process store) ----
 * Under a rush the counters were a third of the pages each commit wrote (35 of 81 at a
 * million residents: every check-in adds to its grid's, community's, … rows) and a
 * quarter of the writer's time.  On SQLite the writer (one thread) keeps what its
 * check-ins add in memory (pend) and writes a (unit, day) row when its oldest delta is
 * DEFER_MS old (at most FLUSH_MAX rows a batch, oldest first: the ring) — but only in a
 * batch of DEFER_BATCH jobs or more (a rush: 64 clients make batches of ~30); a smaller
 * batch writes everything, and so does the writer when DEFER_MS pass without a job
 * (writer.c).  A quiet server, and every test, sees each check-in in the counters at its
 * commit; a rush sees them within about a second.
 * Durability: each such check-in stores its deltas and unit (checkins.deferred); each row
 * written records the last deferred check-in it includes (day_counts.through); the mark
 * (day_counts_mark) is an id at or below which every deferred check-in is in the
 * counters.  A start after a crash (stats_replay) adds each deferred check-in above the
 * mark to the rows that do not include it yet: the counters equal a recount again. */
enum { PEND_MIN = 1 << 12, PEND_MAX = 1 << 20, FLUSH_MAX = 256, DEFER_MS = 1000, DEFER_BATCH = 16 };
typedef struct {
	int64_t unit, first_id, last_id, since;
	char day[11];
	day_delta dd;
	bool used, pending;
} pend_slot;
/* the writer thread's (one on SQLite), freed when it ends (pend_key): pend_cap slots of
 * 88 bytes — twice the units of the tree when it was made, a power of two (at a million
 * residents 32,768: 2.9 MB; at ten million 262,144: 23 MB) */
static _Thread_local size_t pend_cap;
static _Thread_local pend_slot *pend; /* open addressing; a written row keeps its slot until compacted */
static _Thread_local uint32_t *pend_list; /* the used slots */
static _Thread_local size_t pend_used;
static _Thread_local uint32_t *ring; /* the pending rows' slots, oldest first */
static _Thread_local size_t ring_head, ring_len;
static _Thread_local const db *pend_db;  /* the store they are of */
static _Thread_local int64_t mark = -1;  /* the stored mark (-1: not read yet) */
static _Thread_local int64_t last_defer; /* the last deferred check-in committed */
static _Thread_local int batch_jobs;     /* the jobs of this batch so far */
typedef struct {                         /* what this batch's flush did, for its commit */
	bool on, full;
	size_t rows;
	int64_t mark;
} flush_done;
static _Thread_local flush_done fl;
/* For the benchmarks and the kill test: WANGGE_COUNTS_NOW=1 writes every batch's counters
 * with it (as before); WANGGE_DEFER_BATCH=n defers them from batches of n jobs on. */
static int defer_off = -1, defer_batch = DEFER_BATCH;
static pthread_key_t pend_key;
static pthread_once_t pend_once = PTHREAD_ONCE_INIT;

static void pend_free(void *p)
{
	free(p);
	free(pend_list);
	free(ring);
	pend = NULL;
	pend_list = ring = NULL;
}

static void pend_key_make(void)
{
	pthread_key_create(&pend_key, pend_free);
}

static pend_slot *ring_at(size_t i)
{
	return &pend[ring[(ring_head + i) % pend_cap]];
}

static pend_slot *pend_slot_of(int64_t unit, const char *day)
{
	for (uint32_t i = (uint32_t)(key_hash(unit, day) % pend_cap);; i = (uint32_t)((i + 1) % pend_cap)) {
		pend_slot *p = &pend[i];
		if (!p->used) {
			*p = (pend_slot){.unit = unit, .used = true};
			memcpy(p->day, day, 11);
			pend_list[pend_used++] = i;
			return p;
		}
		if (p->unit == unit && !strcmp(p->day, day))
			return p;
	}
}

static void pend_reset(void)
{
	for (size_t i = 0; i < pend_used; i++)
		pend[pend_list[i]].used = false;
	pend_used = ring_head = ring_len = 0;
}

/* The flushed rows' slots freed: the pending ones placed again, in the ring's order. */
static void pend_compact(void)
{
	size_t n = ring_len;
	pend_slot *keep = xmalloc((n ? n : 1) * sizeof *keep);
	for (size_t i = 0; i < n; i++)
		keep[i] = *ring_at(i);
	pend_reset();
	for (size_t i = 0; i < n; i++) {
		pend_slot *p = pend_slot_of(keep[i].unit, keep[i].day);
		*p = keep[i];
		ring[ring_len++] = (uint32_t)(p - pend);
	}
	free(keep);
}

/* checkins.deferred: the unit times 128 plus the deltas (reached and accounted 0 or 1,
 * the others -1, 0 or 1), and back */
static int64_t delta_code(int64_t unit, const day_delta *dd)
{
	return unit * 128 + dd->reached + 2 * dd->accounted + 4 * (dd->reported + 1) + 12 * (dd->fevers + 1) +
	       36 * (dd->symptomatic + 1);
}

static day_delta code_delta(int64_t code)
{
	int64_t c = code % 128;
	return (day_delta){c % 2, c / 2 % 2, c / 4 % 3 - 1, c / 12 % 3 - 1, c / 36 - 1};
}

bool stats_day_can_defer(db *d, const char *path, const day_delta *dd, int64_t *code)
{
	if (defer_off < 0) {
		const char *v = getenv("WANGGE_COUNTS_NOW"), *n = getenv("WANGGE_DEFER_BATCH");
		defer_off = v && *v == '1';
		if (n && atoi(n) > 0)
			defer_batch = atoi(n);
	}
	if (defer_off || !acc_on || db_remote(d) || dd_zero(dd) || !path)
		return false;
	int n = 0;
	int64_t unit = 0;
	FOR_PATH_IDS(path, id)
	{
		n++;
		unit = id;
	}
	/* room in the job, and in the batch's table whatever the job adds (a deferred delta
	 * must never be written on its own: its row would skip the check-ins before it) */
	if (!n || job_n + n > JOB_MAX || acc_used + (size_t)(job_deferred + n) > ACC_SLOTS * 7 / 8)
		return false;
	if (dd->reached < 0 || dd->reached > 1 || dd->accounted < 0 || dd->accounted > 1 || dd->reported < -1 ||
	    dd->reported > 1 || dd->fevers < -1 || dd->fevers > 1 || dd->symptomatic < -1 || dd->symptomatic > 1)
		return false;
	if (pend_db != d) { /* another store (tests): nothing of the last one may be pending */
		pend_reset();
		pend_db = d;
		mark = -1;
		last_defer = 0;
	}
	if (!pend) {
		int64_t units = 0;
		werr e = WG_OK;
		db_stmt *s = db_get(d, SQL_UNIT_ANY);
		if (db_step(s, &e) == DB_ROW)
			units = db_int(s, 0);
		db_done(s);
		if (e)
			w_clear(); /* the least table, then */
		for (pend_cap = PEND_MIN; pend_cap < (size_t)(2 * units) && pend_cap < PEND_MAX;)
			pend_cap *= 2;
		pend = xcalloc(pend_cap, sizeof *pend);
		pend_list = xcalloc(pend_cap, sizeof *pend_list);
		ring = xcalloc(pend_cap, sizeof *ring);
		pthread_once(&pend_once, pend_key_make);
		pthread_setspecific(pend_key, pend);
	}
	*code = delta_code(unit, dd);
	return true;
}

werr stats_day_defer(db *d, const char *path, const char *day, const day_delta *dd, int64_t checkin_id)
{
	(void)d;
	FOR_PATH_IDS(path, id)
	{
		job[job_n].unit = id;
		job[job_n].id = checkin_id;
		memcpy(job[job_n].day, day, 11);
		job[job_n++].dd = *dd;
		job_deferred++;
	}
	return WG_OK;
}

/* A (unit, day) row's deltas added: through < 0, as any write does (DAY_ADD); else with
 * the last deferred check-in they include (INPROC_DAY_ADD, in-process stores only). */
static werr day_put(db *d, int64_t unit, const char *day, const day_delta *dd, int64_t through)
{
	db_stmt *s = db_get(d, through < 0 ? SQL_DAY_ADD : SQL_INPROC_DAY_ADD);
	db_bind_int(s, 1, unit);
	db_bind_text(s, 2, day);
	db_bind_int(s, 3, dd->reached);
	db_bind_int(s, 4, dd->accounted);
	db_bind_int(s, 5, dd->reported);
	db_bind_int(s, 6, dd->fevers);
	db_bind_int(s, 7, dd->symptomatic);
	if (through >= 0)
		db_bind_int(s, 8, through);
	return db_run(s, NULL);
}

static acc_slot *acc_find(int64_t unit, const char *day)
{
	for (unsigned i = key_hash(unit, day) % ACC_SLOTS; acc[i].used; i = (i + 1) % ACC_SLOTS)
		if (acc[i].unit == unit && !strcmp(acc[i].day, day))
			return &acc[i];
	return NULL;
}

/* Before the commit: the pending rows that are due (all of them when the queue is empty
 * or the table fills), with whatever this batch adds to them, and the batch's own rows —
 * what may wait of them only when everything is written.  Nothing in memory changes
 * until the commit (stats_batch_committed): a batch that fails leaves it as it was. */
static werr deferred_flush(db *d)
{
	bool full = batch_jobs < defer_batch || pend_used + acc_used > pend_cap / 2;
	fl = (flush_done){.on = true, .full = full};
	int64_t now = mono_ms();
	if (fl.full)
		fl.rows = ring_len;
	else
		while (fl.rows < ring_len && fl.rows < FLUSH_MAX && ring_at(fl.rows)->since <= now - DEFER_MS)
			fl.rows++;
	werr e = WG_OK;
	for (size_t i = 0; i < fl.rows && !e; i++) {
		pend_slot *p = ring_at(i);
		day_delta dd = p->dd;
		int64_t through = p->last_id;
		acc_slot *a = acc_find(p->unit, p->day);
		if (a) {
			dd_add(&dd, &a->dd);
			a->dd = (day_delta){0};
			if (fl.full && a->last_id) {
				dd_add(&dd, &a->ddd);
				through = a->last_id;
				a->ddd = (day_delta){0};
				a->last_id = 0;
			}
		}
		e = day_put(d, p->unit, p->day, &dd, through);
	}
	for (size_t i = 0; i < acc_used && !e; i++) {
		acc_slot *a = &acc[acc_list[i]];
		day_delta dd = a->dd;
		int64_t through = 0;
		if (fl.full && a->last_id) {
			dd_add(&dd, &a->ddd);
			through = a->last_id;
		}
		if (!dd_zero(&dd) || through)
			e = day_put(d, a->unit, a->day, &dd, through);
		a->dd = (day_delta){0};
	}
	/* the mark: below the oldest check-in whose counters still wait after this commit */
	int64_t m = fl.rows < ring_len ? ring_at(fl.rows)->first_id - 1
	          : !fl.full && b_first ? b_first - 1
	                                : (b_last > last_defer ? b_last : last_defer);
	if (!e && mark < 0) {
		db_stmt *s = db_get(d, SQL_INPROC_DAY_MARK_GET);
		int rc = db_step(s, &e);
		if (rc == DB_ROW)
			mark = db_int(s, 0);
		db_done(s);
	}
	fl.mark = mark;
	if (!e && m > mark) {
		db_stmt *s = db_get(d, SQL_INPROC_DAY_MARK_SET);
		db_bind_int(s, 1, m);
		e = db_run(s, NULL);
		fl.mark = m;
	}
	return e;
}

static void acc_clear(void)
{
	for (size_t i = 0; i < acc_used; i++)
		acc[acc_list[i]].used = false;
	acc_used = 0;
	acc_on = false;
	job_n = job_deferred = 0;
	b_first = b_last = 0;
}

void stats_batch_committed(void)
{
	if (!fl.on) {
		acc_clear();
		return;
	}
	fl.on = false;
	int64_t now = mono_ms();
	if (fl.full) {
		pend_reset();
	} else {
		for (; fl.rows; fl.rows--, ring_len--) { /* the rows written leave the ring */
			pend_slot *p = ring_at(0);
			p->pending = false;
			p->dd = (day_delta){0};
			ring_head = (ring_head + 1) % pend_cap;
		}
		for (size_t i = 0; i < acc_used; i++) { /* what the batch's check-ins add waits */
			acc_slot *a = &acc[acc_list[i]];
			if (!a->last_id)
				continue;
			pend_slot *p = pend_slot_of(a->unit, a->day);
			if (!p->pending) {
				p->pending = true;
				p->since = now;
				p->first_id = a->first_id;
				ring[(ring_head + ring_len++) % pend_cap] = (uint32_t)(p - pend);
			}
			dd_add(&p->dd, &a->ddd);
			p->last_id = a->last_id;
		}
		if (pend_used > pend_cap / 2 && ring_len < pend_used / 2)
			pend_compact();
	}
	if (b_last > last_defer)
		last_defer = b_last;
	mark = fl.mark;
	acc_clear();
}

bool stats_pending(void)
{
	return ring_len > 0;
}

void stats_batch_begin(void)
{
	if (!acc) {
		acc = xcalloc(ACC_SLOTS, sizeof *acc);
		pthread_once(&acc_once, acc_key_make);
		pthread_setspecific(acc_key, acc);
	} else { /* a batch neither flushed nor discarded: nothing of it is kept */
		acc_clear();
	}
	acc_on = true;
	job_n = job_deferred = 0;
	b_first = b_last = 0;
	batch_jobs = 0;
	fl.on = false;
}

static acc_slot *acc_slot_of(int64_t unit, const char *day)
{
	for (unsigned i = key_hash(unit, day) % ACC_SLOTS;; i = (i + 1) % ACC_SLOTS) {
		acc_slot *s = &acc[i];
		if (!s->used) {
			*s = (acc_slot){.unit = unit, .used = true};
			memcpy(s->day, day, 11);
			acc_list[acc_used++] = (uint16_t)i;
			return s;
		}
		if (s->unit == unit && !strcmp(s->day, day))
			return s;
	}
}

/* Add to the batch table; false when it is full (the caller writes directly).  A
 * deferred delta always has room (stats_day_can_defer kept it). */
static bool batch_add(int64_t unit, const char *day, const day_delta *dd, int64_t id)
{
	if (!id && (!acc_on || acc_used > ACC_SLOTS * 3 / 4))
		return false;
	acc_slot *s = acc_slot_of(unit, day);
	if (!id) {
		dd_add(&s->dd, dd);
		return true;
	}
	dd_add(&s->ddd, dd);
	if (!s->first_id)
		s->first_id = id;
	s->last_id = id;
	if (!b_first)
		b_first = id;
	b_last = id;
	return true;
}

static bool acc_add(int64_t unit, const char *day, const day_delta *dd)
{
	if (!acc_on || job_n == JOB_MAX)
		return false;
	job[job_n].unit = unit;
	job[job_n].id = 0;
	memcpy(job[job_n].day, day, 11);
	job[job_n++].dd = *dd;
	return true;
}

static werr day_upsert(db *d, int64_t id, const char *day, const day_delta *dd);

werr stats_job_end(db *d, bool keep)
{
	werr e = WG_OK;
	for (int i = 0; keep && i < job_n && !e; i++)
		if (!batch_add(job[i].unit, job[i].day, &job[i].dd, job[i].id))
			e = day_upsert(d, job[i].unit, job[i].day, &job[i].dd);
	job_n = job_deferred = 0;
	batch_jobs++;
	return e;
}

static werr day_upsert(db *d, int64_t id, const char *day, const day_delta *dd)
{
	return day_put(d, id, day, dd, -1);
}

/* The batch's counters.  To a database server, in statements of up to FLUSH_ROWS
 * (unit, day) rows each, sent as JSON: on PostgreSQL a statement per row made the day's
 * counters a third of a check-in's round trips.  In-process (SQLite), a prepared upsert
 * per row is cheaper than building and parsing the JSON (~10 µs a check-in). */
enum { FLUSH_ROWS = 512 };

static werr flush_rows(db *d, buf *b)
{
	buf_putc(b, ']');
	db_stmt *s = db_get(d, SQL_DAY_ADD_MANY);
	db_bind_text(s, 1, b->p);
	werr e = db_run(s, NULL);
	b->len = 0;
	return e;
}

werr stats_batch_flush(db *d)
{
	if (acc && pend && pend_db == d && !db_remote(d))
		return deferred_flush(d);
	werr e = WG_OK;
	buf b;
	buf_init(&b, NULL);
	size_t n = 0;
	bool remote = db_remote(d);
	for (size_t i = 0; acc && i < acc_used; i++) {
		acc_slot *a = &acc[acc_list[i]];
		a->used = false; /* emptied as read (after a failure too: the batch is dropped) */
		if (e)
			continue;
		const day_delta *dd = &a->dd;
		if (!remote) {
			e = day_upsert(d, a->unit, a->day, dd);
			continue;
		}
		buf_puts(&b, n ? "," : "[");
		/* the day was checked by day_valid(): digits and dashes only */
		buf_printf(&b, "{\"u\":%lld,\"d\":\"%s\",\"h\":%lld,\"a\":%lld,\"r\":%lld,\"f\":%lld,\"s\":%lld}",
		           (long long)a->unit, a->day, (long long)dd->reached, (long long)dd->accounted,
		           (long long)dd->reported, (long long)dd->fevers, (long long)dd->symptomatic);
		if (++n == FLUSH_ROWS) {
			e = flush_rows(d, &b);
			n = 0;
		}
	}
	if (!e && n)
		e = flush_rows(d, &b);
	buf_release(&b);
	acc_used = 0;
	acc_on = false;
	return e;
}

void stats_batch_discard(void)
{
	fl.on = false; /* the pending rows stay as they were */
	acc_clear();
}

/* A start after a crash: the deferred check-ins above the mark added to the rows that do
 * not include them yet (in the order they were written: a row's through only grows),
 * then the mark moved to the newest check-in — one transaction, before the writer starts.
 * The newest, not the last deferred one: the look-up reads every check-in above the mark,
 * and check-ins written outside the writer (a bulk load, a command run while the server
 * was stopped) are never deferred, so a mark left below them made every start read them
 * all again (13 s a start at ten million residents with five days of history). */
werr stats_replay(db *d)
{
	if (db_remote(d))
		return WG_OK;
	werr e = db_begin(d);
	if (e)
		return e;
	int64_t m = 0, top = 0, n = 0;
	db_stmt *s = db_get(d, SQL_INPROC_DAY_MARK_GET);
	if (db_step(s, &e) == DB_ROW)
		m = db_int(s, 0);
	db_done(s);
	s = e ? NULL : db_get(d, SQL_INPROC_DAY_DEFERRED);
	if (s) {
		db_bind_int(s, 1, m);
		while (!e && db_step(s, &e) == DB_ROW) {
			top = db_int(s, 0);
			day_delta dd = code_delta(db_int(s, 2));
			char day[11];
			snprintf(day, sizeof day, "%s", db_text(s, 1));
			FOR_PATH_IDS(db_text(s, 3), id)
			{
				if (!e)
					e = day_put(d, id, day, &dd, top);
			}
			n++;
		}
		db_done(s);
	}
	if (!e) {
		s = db_get(d, SQL_INPROC_CHK_TOP);
		if (db_step(s, &e) == DB_ROW && db_int(s, 0) > top)
			top = db_int(s, 0);
		db_done(s);
	}
	if (!e && top > m) {
		s = db_get(d, SQL_INPROC_DAY_MARK_SET);
		db_bind_int(s, 1, top);
		e = db_run(s, NULL);
	}
	if (e || (e = db_commit(d))) {
		db_rollback(d);
		return e;
	}
	if (n)
		fprintf(stderr, "wangge: the counters of %lld check-ins written before a stop added again\n", (long long)n);
	return WG_OK;
}

/* Where the counters above a district are summed at read: the path's ids from its
 * district key down (the key not in the path: every id, as before — it always is). */
static const char *from_district(db *d, const char *path, int64_t district)
{
	if (district <= 0 || !path || db_counts_above_district(d))
		return path;
	char key[24];
	int n = snprintf(key, sizeof key, "/%lld/", (long long)district);
	const char *p = strstr(path, key);
	return p && n > 0 ? p : path;
}

werr stats_day_add(db *d, const char *path, int64_t district, const char *day, const day_delta *dd)
{
	if (!dd->reached && !dd->accounted && !dd->reported && !dd->fevers && !dd->symptomatic)
		return WG_OK;
	FOR_PATH_IDS(from_district(d, path, district), id)
	{
		if (acc_add(id, day, dd))
			continue;
		werr e = day_upsert(d, id, day, dd);
		if (e)
			return e;
	}
	return WG_OK;
}

werr stats_snap(db *d, arena *a, int64_t household_id, hh_snap *out)
{
	db_stmt *s = db_get(d, SQL_HH_LIVING);
	db_bind_int(s, 1, household_id);
	werr e = WG_OK;
	int rc = db_step(s, &e);
	*out = (hh_snap){0};
	if (rc == DB_ROW) {
		out->path = arena_strdup(a, db_text(s, 0));
		out->living = db_null(s, 1) ? db_int(s, 2) : 0;
		out->district = db_int(s, 3);
	}
	db_done(s);
	if (rc < 0 || !out->living) /* a retired or empty household adds nothing to any day */
		return rc < 0 ? e : WG_OK;
	s = db_get(d, SQL_HH_DAYS);
	db_bind_int(s, 1, household_id);
	int cap = 0;
	while ((rc = db_step(s, &e)) == DB_ROW) {
		if (out->ndays == cap) {
			cap = cap ? 2 * cap : 8;
			hh_day *n = arena_alloc(a, (size_t)cap * sizeof *n);
			if (out->ndays)
				memcpy(n, out->days, (size_t)out->ndays * sizeof *n);
			out->days = n;
		}
		hh_day *dy = &out->days[out->ndays++];
		snprintf(dy->day, sizeof dy->day, "%s", db_text(s, 0));
		dy->dd = (day_delta){.accounted = db_int(s, 1), .reported = db_int(s, 2), .fevers = db_int(s, 3),
		                     .symptomatic = db_int(s, 4)};
		dy->dd.reached = dy->dd.accounted >= out->living;
	}
	db_done(s);
	return rc < 0 ? e : WG_OK;
}

static const day_delta *snap_day(const hh_snap *h, const char *day)
{
	for (int i = 0; h->days && i < h->ndays; i++)
		if (!strcmp(h->days[i].day, day))
			return &h->days[i].dd;
	return NULL;
}

/* sign * x, or the difference after - before of one day of the same unit */
static day_delta dd_diff(const day_delta *after, const day_delta *before)
{
	static const day_delta zero;
	if (!after)
		after = &zero;
	if (!before)
		before = &zero;
	return (day_delta){after->reached - before->reached, after->accounted - before->accounted,
	                   after->reported - before->reported, after->fevers - before->fevers,
	                   after->symptomatic - before->symptomatic};
}

werr stats_apply(db *d, const hh_snap *before, const hh_snap *after)
{
	bool moved = before->path && after->path && strcmp(before->path, after->path) != 0;
	werr e = WG_OK;
	if (moved || before->living != after->living) {
		if (before->path && before->living)
			e = stats_add(d, before->path, -1, -before->living);
		if (!e && after->path && after->living)
			e = stats_add(d, after->path, 1, after->living);
	}
	const char *bp = before->path ? before->path : after->path;
	const char *ap = after->path ? after->path : bp;
	int64_t bdist = before->path ? before->district : after->district; /* bp's district */
	int64_t adist = after->path ? after->district : before->district;  /* ap's */
	if (!bp || !ap)
		return e;
	const hh_day *bd = before->days, *ad = after->days;
	int bn = bd ? before->ndays : 0, an = ad ? after->ndays : 0;
	if (!moved) { /* one unit: each day's difference */
		for (int i = 0; i < an && !e; i++) {
			day_delta x = dd_diff(&ad[i].dd, snap_day(before, ad[i].day));
			e = stats_day_add(d, ap, adist, ad[i].day, &x);
		}
		for (int i = 0; i < bn && !e; i++) {
			if (snap_day(after, bd[i].day))
				continue; /* done above */
			day_delta x = dd_diff(NULL, &bd[i].dd);
			e = stats_day_add(d, bp, bdist, bd[i].day, &x);
		}
		return e;
	}
	for (int i = 0; i < bn && !e; i++) {
		day_delta x = dd_diff(NULL, &bd[i].dd);
		e = stats_day_add(d, bp, bdist, bd[i].day, &x);
	}
	for (int i = 0; i < an && !e; i++)
		e = stats_day_add(d, ap, adist, ad[i].day, &ad[i].dd);
	return e;
}

werr stats_rebuild(db *d)
{
	/* units by id (ids are dense), then the leaves' counts added up every path */
	db_stmt *s = db_get(d, SQL_STATS_ALL_UNITS);
	werr e = WG_OK;
	size_t cap = 1024, max = 0;
	char **paths = xcalloc(cap, sizeof *paths);
	int rc;
	while ((rc = db_step(s, &e)) == DB_ROW) {
		size_t id = (size_t)db_int(s, 0);
		while (id >= cap) {
			paths = xrealloc(paths, 2 * cap * sizeof *paths); /* aborts on exhaustion */
			memset(paths + cap, 0, cap * sizeof *paths);
			cap *= 2;
		}
		paths[id] = xstrdup(db_text(s, 1));
		if (id > max)
			max = id;
	}
	db_done(s);
	int64_t *hh = xcalloc(max + 1, sizeof *hh), *res = xcalloc(max + 1, sizeof *res);
	if (rc >= 0) {
		s = db_get(d, SQL_STATS_LEAVES);
		while ((rc = db_step(s, &e)) == DB_ROW) {
			size_t leaf = (size_t)db_int(s, 0);
			if (leaf > max || !paths[leaf])
				continue;
			int64_t h = db_int(s, 1), r = db_int(s, 2);
			FOR_PATH_IDS(paths[leaf], id)
			{
				if ((size_t)id <= max) {
					hh[id] += h;
					res[id] += r;
				}
			}
		}
		db_done(s);
	}
	if (rc >= 0 && !(e = db_run(db_get(d, SQL_STATS_CLEAR), NULL))) {
		for (size_t id = 1; id <= max && !e; id++) {
			if (!paths[id])
				continue;
			s = db_get(d, SQL_STATS_SET);
			db_bind_int(s, 1, (int64_t)id);
			db_bind_int(s, 2, hh[id]);
			db_bind_int(s, 3, res[id]);
			e = db_run(s, NULL);
		}
	}
	for (size_t i = 0; i < cap; i++)
		free(paths[i]);
	free(paths);
	free(hh);
	free(res);
	return e;
}

werr stats_ensure(db *d)
{
	db_stmt *s = db_get(d, SQL_STATS_EMPTY);
	werr e = WG_OK;
	bool need = db_step(s, &e) == DB_ROW && db_int(s, 0);
	db_done(s);
	if (!need)
		return e;
	if ((e = db_begin(d)) || (e = stats_rebuild(d)) || (e = db_commit(d)))
		db_rollback(d);
	return e;
}
