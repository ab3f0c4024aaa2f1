/* stats.h — counters that keep coverage instant for a whole city: per-unit totals
 * (households with someone living there, residents living there) and per-unit per-day
 * roll-call counts.  Every change adds its delta to the unit and all its ancestors, whose
 * ids are read off the unit path — no query to find them — inside the caller's
 * transaction.  stats_rebuild() recounts the totals from scratch (after bulk loads). */
#ifndef WG_STATS_H
#define WG_STATS_H
#include "domain/actor.h"

typedef struct {
	int64_t reached, accounted, reported, fevers, symptomatic;
} day_delta;

werr stats_add(db *d, const char *path, int64_t households, int64_t residents);
/* The day's deltas added to the unit of path and its ancestors — from the district key
 * unit `district` down only where the store sums the counters above a district at read
 * (db_counts_above_district false: Citus); every ancestor elsewhere.  district is the
 * district_id of the path's unit (the resident's, the household's). */
werr stats_day_add(db *d, const char *path, int64_t district, const char *day, const day_delta *dd);
werr stats_rebuild(db *d);
/* Group commit: between begin and flush (same thread, same transaction) day deltas are
 * summed in memory; flush writes them, discard drops them (the batch rolled back). */
void stats_batch_begin(void);
werr stats_batch_flush(db *d);
void stats_batch_discard(void);
/* End of one job inside the batch: keep its deltas (savepoint released) or drop them. */
werr stats_job_end(db *d, bool keep);
/* The batch committed (after a flush that succeeded): what it wrote leaves the writer's
 * pending counters, what it deferred joins them. */
void stats_batch_committed(void);
/* Whether the writer's thread holds counters not written yet (a batch with no job
 * writes them). */
bool stats_pending(void);

/* The writer's deferred counters (in-process store, stats.c): inside a batch a check-in's
 * deltas may wait in memory.  can_defer says whether they may, and gives the code to
 * store with the check-in (checkins.deferred: its unit and deltas); defer then adds them
 * for the check-in just stored, instead of stats_day_add.  stats_replay, at start, adds
 * those a crash left unwritten. */
bool stats_day_can_defer(db *d, const char *path, const day_delta *dd, int64_t *code);
werr stats_day_defer(db *d, const char *path, const char *day, const day_delta *dd, int64_t checkin_id);
werr stats_replay(db *d);
/* Imports: between begin and end (same thread) the totals' deltas of each row are kept
 * apart (job_end keeps or drops them with the row's savepoint), summed per unit, and
 * written by flush, which must run inside the transaction before each commit. */
void stats_totals_begin(void);
werr stats_totals_job_end(db *d, bool keep);
werr stats_totals_flush(db *d);
void stats_totals_end(void);
/* Rebuild when the totals were never computed (a store from before they existed). */
werr stats_ensure(db *d);

/* What a household adds to the counters: its unit path, its living count (retired
 * households count 0) and, for every day its living people have check-ins, what it adds to
 * that day (reached when everyone living is accounted for, and the check-ins of the
 * people living there) — all in arena a.  Taken before and after a change of who lives
 * there, the difference is what the change does to unit_stats and day_counts, exactly
 * as coverage/recount counts it. */
typedef struct {
	char day[11];
	day_delta dd;
} hh_day;
typedef struct {
	const char *path;
	int64_t district; /* the unit's district_id (stats_day_add) */
	int64_t living;
	int ndays;
	hh_day *days;
} hh_snap;
werr stats_snap(db *d, arena *a, int64_t household_id, hh_snap *out);
/* Apply the difference between two snapshots of the same household. */
werr stats_apply(db *d, const hh_snap *before, const hh_snap *after);
#endif
