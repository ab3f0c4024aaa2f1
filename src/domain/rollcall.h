/* rollcall.h — the daily roll-call (打卡): check-ins from every channel, one current
 * reading per resident per day (a later one corrects it and the old one is kept),
 * idempotent retries by client id, counters kept in the same transaction, coverage at
 * every level, the missing list and the call list. */
#ifndef WG_ROLLCALL_H
#define WG_ROLLCALL_H
#include <jansson.h>
#include <stdbool.h>

#include "domain/actor.h"

/* One input of a check-in, already validated. */
typedef struct {
	const char *day;
	const char *status;   /* reported away hospital isolated */
	bool has_temp;
	double temp;
	unsigned symptoms;    /* SYM_* (core/chain.h) */
	const char *symptom_note;
	const char *channel;  /* self wechat phone visit checkpoint */
	const char *client_id;
	const char *source_line;
	/* An explicit correction of the day's current reading (a mistyped fever, the wrong
	 * person): its reason (CHK_CORRECTIONS) and note.  Without it a later reading is a
	 * re-check: what the day had (a fever, symptoms) stays on the day's record. */
	const char *correction;
	const char *correction_note;
	/* "everyone else normal": written only if the resident has no reading on the day yet */
	bool fill_only;
	/* the resident's district when the caller knows it (a household's batch), else 0: the
	 * actor's district is tried first (docs/SCALING.md, "Citus") */
	int64_t district;
	/* the household a batch's reading is for, else 0: a database server writes the
	 * reading in its look-up's exchange only if the resident is of it (chk_execute refuses
	 * the batch otherwise) */
	int64_t household;
} chk_in;

typedef struct {
	int64_t id;
	bool duplicate, corrected, fever;
	bool day_fever;       /* the resident had a fever on the day (this reading or an earlier) */
	bool kept;            /* fill_only and a reading existed: nothing written, id is that reading */
	int64_t alert_id;     /* an alert this check-in opened (or added to) */
	bool household_reached;
	const char *path;     /* the household's unit path (actor's arena) */
	int64_t district_id;  /* the resident's district (the alert's) */
	int64_t household_id; /* the resident's household, as found under its lock */
} chk_out;

/* Record one resident's check-in inside the caller's transaction. */
werr chk_record(const actor *ac, int64_t resident_id, const chk_in *in, chk_out *out);
/* After commit: publish the live events of these results. */
void chk_publish(const actor *ac, int64_t resident_id, const chk_in *in, const chk_out *out);

/* POST /checkins: one check-in or a household's batch, in its own transaction. */
werr chk_submit(const actor *ac, json_t *body, json_t **out);
/* The same in three steps, so the server can write many requests in one transaction
 * (group commit): validate (reads only), write inside the caller's transaction, then —
 * after the commit — publish the live events. */
typedef struct chk_plan chk_plan;
werr chk_prepare(const actor *ac, json_t *body, chk_plan **plan);
/* out NULL: no answer built (the server builds it after the commit, chk_answer) */
werr chk_execute(const actor *ac, chk_plan *plan, json_t **out);
/* The check-ins of n plans about to be executed in d's transaction written together, in one
 * exchange, before each plan's chk_execute (plain PostgreSQL; elsewhere nothing is done):
 * wrote[i] is set for each plan written so, whose chk_execute then only counts and audits
 * it; the others' chk_execute write them one by one, as ever.  acs[i] asked for plans[i].
 * An error leaves the transaction unusable (run it again without this).  d NULL: forget
 * what an earlier call left in the plans (their transaction was rolled back). */
werr chk_write_many(db *d, const actor *const *acs, chk_plan *const *plans, bool *wrote, size_t n);
/* The answer of a plan chk_execute wrote, from its results (any thread, no store). */
json_t *chk_answer(const chk_plan *plan);
void chk_publish_plan(const actor *ac, chk_plan *plan);
werr chk_list(const actor *ac, int64_t resident_id, int64_t household_id, const char *day, json_t **out);
/* The resident's health record (健康档案): every reading, the alerts with their steps. */
werr health_record(const actor *ac, int64_t resident_id, json_t **out);

werr coverage_get(const actor *ac, const char *unit_code, const char *day, json_t **out);
/* The same numbers counted from the rows, for checking the counters. */
werr coverage_recount(const actor *ac, const char *unit_code, const char *day, json_t **out);
/* The check-in curve of a unit for a day and the day before: cumulative counts every ten
 * minutes — copied by curve_tick for units above the grids, counted from the check-ins
 * for grids and below. */
werr coverage_curve(const actor *ac, const char *unit_code, const char *day, json_t **out);
/* Periodic (the server's ticker): copy the counters of every unit above the grids, once
 * per ten-minute step (the first call copies at once).  Returns the rows written. */
int curve_tick(db *d, int64_t now);
werr coverage_missing(const actor *ac, const char *unit_code, const char *day, int64_t limit,
                      int64_t offset, json_t **out);
werr calllist_get(const actor *ac, const char *unit_code, const char *day, int64_t limit,
                  int64_t offset, json_t **out);

#endif
