/* stats.c — see stats.h. */
#include "domain/stats.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
 * (unit, day) once before its commit, instead of once per check-in and ancestor. */
enum { ACC_SLOTS = 4096 };
typedef struct {
	int64_t unit;
	char day[11];
	day_delta dd;
	bool used;
} acc_slot;
static _Thread_local acc_slot *acc;
static _Thread_local size_t acc_used;
static _Thread_local bool acc_on; /* a batch is summing here (between its begin and its flush) */

/* The deltas of the job (one request) in progress: they join the batch only when the job
 * succeeds (stats_job_end), so a refused job leaves no trace in the counters. */
enum { JOB_MAX = 64 };
static _Thread_local struct {
	int64_t unit;
	char day[11];
	day_delta dd;
} job[JOB_MAX];
static _Thread_local int job_n;

/* The table (~300 KB) is the thread's for its life, emptied by each flush as it reads it:
 * allocated and zeroed afresh for every batch it was ~1 % of the writer's time (perf, the
 * morning rush); freed when the thread ends. */
static pthread_key_t acc_key;
static pthread_once_t acc_once = PTHREAD_ONCE_INIT;

static void acc_key_make(void)
{
	pthread_key_create(&acc_key, free);
}

void stats_batch_begin(void)
{
	if (!acc) {
		acc = xcalloc(ACC_SLOTS, sizeof *acc);
		pthread_once(&acc_once, acc_key_make);
		pthread_setspecific(acc_key, acc);
	} else if (acc_used) { /* a batch neither flushed nor discarded: nothing of it is kept */
		memset(acc, 0, ACC_SLOTS * sizeof *acc);
	}
	acc_on = true;
	acc_used = 0;
	job_n = 0;
}

/* Add to the batch table; false when it is full (the caller writes directly). */
static bool batch_add(int64_t unit, const char *day, const day_delta *dd)
{
	if (!acc_on || acc_used > ACC_SLOTS * 3 / 4)
		return false;
	unsigned h = (unsigned)(unit * 2654435761u) ^ (unsigned)(day[8] * 31 + day[9]);
	for (unsigned i = h % ACC_SLOTS;; i = (i + 1) % ACC_SLOTS) {
		acc_slot *s = &acc[i];
		if (!s->used) {
			s->used = true;
			s->unit = unit;
			memcpy(s->day, day, 11);
			s->dd = *dd;
			acc_used++;
			return true;
		}
		if (s->unit == unit && !strcmp(s->day, day)) {
			s->dd.reached += dd->reached;
			s->dd.accounted += dd->accounted;
			s->dd.reported += dd->reported;
			s->dd.fevers += dd->fevers;
			s->dd.symptomatic += dd->symptomatic;
			return true;
		}
	}
}

static bool acc_add(int64_t unit, const char *day, const day_delta *dd)
{
	if (!acc_on || job_n == JOB_MAX)
		return false;
	job[job_n].unit = unit;
	memcpy(job[job_n].day, day, 11);
	job[job_n++].dd = *dd;
	return true;
}

static werr day_upsert(db *d, int64_t id, const char *day, const day_delta *dd);

werr stats_job_end(db *d, bool keep)
{
	werr e = WG_OK;
	for (int i = 0; keep && i < job_n && !e; i++)
		if (!batch_add(job[i].unit, job[i].day, &job[i].dd))
			e = day_upsert(d, job[i].unit, job[i].day, &job[i].dd);
	job_n = 0;
	return e;
}

static werr day_upsert(db *d, int64_t id, const char *day, const day_delta *dd)
{
	db_stmt *s = db_get(d, SQL_DAY_ADD);
	db_bind_int(s, 1, id);
	db_bind_text(s, 2, day);
	db_bind_int(s, 3, dd->reached);
	db_bind_int(s, 4, dd->accounted);
	db_bind_int(s, 5, dd->reported);
	db_bind_int(s, 6, dd->fevers);
	db_bind_int(s, 7, dd->symptomatic);
	return db_run(s, NULL);
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
	werr e = WG_OK;
	buf b;
	buf_init(&b, NULL);
	size_t n = 0;
	bool remote = db_remote(d);
	for (size_t i = 0; acc && i < ACC_SLOTS; i++) {
		if (!acc[i].used)
			continue;
		acc[i].used = false; /* emptied as read (after a failure too: the batch is dropped) */
		if (e)
			continue;
		const day_delta *dd = &acc[i].dd;
		if (!remote) {
			e = day_upsert(d, acc[i].unit, acc[i].day, dd);
			continue;
		}
		buf_puts(&b, n ? "," : "[");
		/* the day was checked by day_valid(): digits and dashes only */
		buf_printf(&b, "{\"u\":%lld,\"d\":\"%s\",\"h\":%lld,\"a\":%lld,\"r\":%lld,\"f\":%lld,\"s\":%lld}",
		           (long long)acc[i].unit, acc[i].day, (long long)dd->reached, (long long)dd->accounted,
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
	if (acc && acc_used)
		memset(acc, 0, ACC_SLOTS * sizeof *acc);
	acc_on = false;
	acc_used = 0;
	job_n = 0;
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
