/* rollcall.c — see rollcall.h. */
#include "domain/rollcall.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/bus.h"
#include "core/chain.h"
#include "core/ident.h"
#include "core/jv.h"
#include "core/util.h"
#include "domain/alerts.h"
#include "domain/calendar.h"
#include "domain/epi.h"
#include "domain/lockdown.h"
#include "domain/readings.h"
#include "domain/stats.h"
#include "domain/tree.h"

static const char *const statuses[] = {"reported", "away", "hospital", "isolated", NULL};
static const char *const channels[] = {"self", "wechat", "phone", "visit", "checkpoint", NULL};

/* ---- the write path ---- */

typedef struct {
	int64_t id, household_id, district_id;
	const char *path;
	bool living;
} chk_resident;

/* What the day had before a check-in: the resident's current reading (cur_id 0: none) and
 * the household's living people and how many of them had a reading. */
typedef struct {
	int64_t cur_id, cur_fever, living, acc;
	unsigned cur_sym;
	bool cur_reported;
} chk_before;

/* The check-in written in one exchange (PostgreSQL): CHK_WRITE bound with everything it
 * needs besides the district, which chk_try binds. */
static db_stmt *write_stmt(const actor *ac, int64_t resident_id, const chk_in *in)
{
	db_stmt *s = db_get(ac->d, SQL_CHK_WRITE);
	db_bind_int(s, 1, resident_id);
	db_bind_text(s, 3, in->day);
	db_bind_text(s, 4, in->status);
	if (in->has_temp)
		db_bind_double(s, 5, in->temp);
	db_bind_int(s, 6, in->symptoms);
	db_bind_text(s, 7, in->symptom_note);
	db_bind_int(s, 8, reading_fever(in->has_temp, in->temp, in->symptoms));
	db_bind_text(s, 9, in->channel);
	if (ac->user_id)
		db_bind_int(s, 10, ac->user_id);
	db_bind_int(s, 11, now_s());
	db_bind_text(s, 12, in->client_id);
	db_bind_text(s, 13, in->source_line);
	db_bind_text(s, 14, in->correction);
	db_bind_text(s, 15, in->correction_note);
	db_bind_int(s, 16, in->fill_only);
	db_bind_text(s, 17, ac->unit_path);
	db_bind_int(s, 18, in->household);
	return s;
}

/* One try in a district: the resident's look-up with the household's lock, and — when in
 * is given (a database server) — the check-in's write sent with it in the same exchange,
 * which writes only if the per-statement path below would (sql.def, CHK_WRITE): *wrote
 * then holds the new id and what the day had before.  District 0: the look-up by id alone,
 * without the lock when in is NULL (in-process, load_resident), with it and the write,
 * both taking the district from the resident's row, when in is given (plain PostgreSQL).
 * Returns the look-up's row (DB_ROW), none there (DB_DONE), or an error (-1). */
static int chk_try(const actor *ac, int64_t id, int64_t district, const chk_in *in, chk_resident *r,
                   int64_t *new_id, chk_before *b, werr *e)
{
	db_stmt *s = db_get(ac->d, district ? SQL_RES_FOR_CHK_LOCK
	                           : in     ? SQL_RES_FOR_CHK_LOCK_ANY
	                                    : SQL_RES_FOR_CHK);
	db_bind_int(s, 1, id);
	if (district)
		db_bind_int(s, 2, district);
	db_stmt *w = NULL;
	if (in) {
		w = write_stmt(ac, id, in);
		db_bind_int(w, 2, district);
		if ((*e = db_send(ac->d, (db_stmt *const[]){s, w}, 2))) {
			db_done(s);
			db_done(w);
			if (*e == W_ECONFLICT) /* as CHK_INSERT's below */
				*e = w_fail(*e, "client_id_reused", "client_id", "client_id already used");
			return -1;
		}
	}
	int rc = db_step(s, e);
	if (rc == DB_ROW) {
		r->id = id;
		r->household_id = db_int(s, 1);
		r->path = arena_strdup(ac->a, db_text(s, 2));
		r->district_id = db_int(s, 7);
		const char *res = db_text(s, 4);
		r->living = db_null(s, 3) && db_null(s, 6) && res && (!strcmp(res, "living") || !strcmp(res, "temporary"));
	}
	db_done(s);
	if (w && rc >= 0) {
		int wrc = db_step(w, e);
		if (wrc == DB_ROW) {
			*new_id = db_int(w, 0);
			b->cur_id = db_null(w, 1) ? 0 : db_int(w, 1);
			b->cur_reported = b->cur_id && !strcmp(db_text(w, 2), "reported");
			b->cur_sym = b->cur_id ? (unsigned)db_int(w, 3) : 0;
			b->cur_fever = b->cur_id ? db_int(w, 4) != 0 : 0;
			b->living = db_int(w, 5);
			b->acc = db_int(w, 6);
		}
		if (wrc < 0)
			rc = -1;
	}
	if (w)
		db_done(w);
	return rc;
}

/* The district to try first for the actor's check-ins, most of the time without a query:
 * the one every row below the actor's unit lies in (a grid worker's, a community's), or -1
 * where the unit spans several districts or none is known (a city's account, the operator:
 * the resident's district looked up by id at once, not after a probe that misses).  Kept a
 * minute per thread (the writers'): a hint only — a stale one costs a look-up, never a
 * wrong answer (load_resident). */
enum { HINTS = 16, HINT_TTL = 60 };
static _Thread_local struct {
	const db *d;
	int64_t unit, district, at;
} hints[HINTS];

static int64_t chk_hint(const actor *ac)
{
	if (!ac->unit_id)
		return -1;
	int64_t now = now_s();
	unsigned slot = (unsigned)ac->unit_id % HINTS;
	if (hints[slot].d == ac->d && hints[slot].unit == ac->unit_id && now - hints[slot].at < HINT_TTL)
		return hints[slot].district;
	unit_row u = {.id = ac->unit_id, .path = ac->unit_path};
	int64_t d = 0;
	if (unit_sole_district(ac, &u, &d)) {
		w_clear();
		return -1; /* not kept: the look-up by id follows */
	}
	if (!d)
		d = -1;
	hints[slot].d = ac->d;
	hints[slot].unit = ac->unit_id;
	hints[slot].district = d;
	hints[slot].at = now;
	return d;
}

/* The resident about to be checked in, their household's row lock taken (PostgreSQL), and
 * on a database server the check-in written in the same exchange when it is to be (*new_id
 * not 0).  In-process (SQLite) the store is one and a resident's row is found by its id:
 * one statement, whoever asks (for an account above a district the district's look-up
 * first was a fifth of the look-up's time, issue 21).  On a database server every
 * statement names the district, so that Citus routes it to one shard: the caller's or
 * the actor's district first; the look-up of the resident's district by id only when the
 * resident is not there (an actor above a district, a resident of another district: not
 * found below), then the try in that district.  Plain PostgreSQL (db_cte_writes) needs no
 * district named: there the try by id alone, its lock and write taking the district from
 * the resident's row, replaces both — one exchange for an account above a district (the
 * look-up first was a second round trip per check-in, in the writer every one waits for). */
static werr load_resident(const actor *ac, int64_t id, const chk_in *in, chk_resident *r, int64_t *new_id,
                          chk_before *b)
{
	werr e = WG_OK;
	int rc;
	if (!db_remote(ac->d)) {
		rc = chk_try(ac, id, 0, NULL, r, new_id, b, &e);
	} else {
		int64_t hint = in->district;
		const chk_in *wr = db_cte_writes(ac->d) ? in : NULL;
		if (!hint)
			hint = chk_hint(ac);
		rc = hint > 0 ? chk_try(ac, id, hint, wr, r, new_id, b, &e) : DB_DONE;
		if (rc == DB_DONE && wr) {
			rc = chk_try(ac, id, 0, wr, r, new_id, b, &e);
		} else if (rc == DB_DONE) {
			int64_t d = 0;
			if ((e = resident_district(ac, id, -1, &d)))
				return e;
			rc = d && d != hint ? chk_try(ac, id, d, wr, r, new_id, b, &e) : DB_DONE;
		}
	}
	if (rc < 0)
		return e;
	/* (CHK_WRITE wrote nothing in these cases: it asks the same of the resident) */
	if (rc != DB_ROW || !actor_in_scope(ac, r->path))
		return w_fail(W_ENOTFOUND, "resident_not_found", "resident_id", "没有这个居民 / no such resident");
	if (!r->living)
		return w_fail(W_EINVAL, "resident_not_living", "resident_id",
		              "该居民不在此居住(已迁出或仅户籍在此) / the resident does not live here");
	return WG_OK;
}

/* A household's living people and how many of them have a check-in on the day. */
static werr hh_tally(const actor *ac, int64_t household_id, int64_t district, const char *day, int64_t *living,
                     int64_t *accounted)
{
	db_stmt *s = db_get(ac->d, SQL_HH_TALLY);
	db_bind_int(s, 1, household_id);
	db_bind_text(s, 2, day);
	db_bind_int(s, 3, district);
	werr e = WG_OK;
	int rc = db_step(s, &e);
	*living = rc == DB_ROW ? db_int(s, 0) : 0;
	*accounted = rc == DB_ROW ? db_int(s, 1) : 0;
	db_done(s);
	return rc < 0 ? e : WG_OK;
}

/* What a new reading adds to the day's counters, and the answer's fields that follow from
 * the day before it (b) — the same whichever path writes it. */
static void chk_counts(const chk_in *in, const chk_before *b, day_delta *dd, chk_out *out)
{
	bool reported = !strcmp(in->status, "reported");
	bool fever = reading_fever(in->has_temp, in->temp, in->symptoms);
	/* what the day had before this reading: a re-check keeps it; an explicit correction
	 * says the day's earlier readings were wrong, and the day keeps this reading's only */
	bool before_fever = !in->correction && b->cur_fever != 0;
	unsigned before_sym = in->correction ? 0 : b->cur_sym;
	bool day_fever = fever || before_fever;
	unsigned day_sym = in->symptoms | before_sym;
	int64_t acc = b->acc, living = b->living;
	*dd = (day_delta){0};
	dd->reported = (int64_t)reported - (int64_t)b->cur_reported;
	dd->fevers = (int64_t)day_fever - b->cur_fever;
	dd->symptomatic = (int64_t)(day_sym != 0) - (int64_t)(b->cur_sym != 0);
	if (!b->cur_id) {
		acc++; /* the resident is one of the living (load_resident), now with a reading */
		dd->accounted = 1;
		/* this household became reached with this very check-in */
		if (living > 0 && acc >= living && acc - 1 < living)
			dd->reached = 1;
	}
	out->household_reached = acc >= living;
	out->corrected = b->cur_id != 0;
	out->fever = fever;
	out->day_fever = day_fever;
}

/* After the new reading is stored (out->id): its counters (added now, or deferred by the
 * writer when the stored reading says so), the alert of a fever. */
static werr chk_written(const actor *ac, const chk_resident *r, int64_t resident_id, const chk_in *in,
                        const day_delta *dd, bool deferred, chk_out *out)
{
	werr e = deferred ? stats_day_defer(ac->d, r->path, in->day, dd, out->id)
	                  : stats_day_add(ac->d, r->path, r->district_id, in->day, dd);
	if (e)
		return e;
	if (reading_alerts(in->has_temp, in->temp, in->symptoms)) {
		bool opened;
		if ((e = alert_open(ac, resident_id, r->household_id, r->district_id, out->id, in->day, in->has_temp, in->temp,
		                    in->symptoms, &out->alert_id, &opened)))
			return e;
	}
	return WG_OK;
}

/* A check-in chk_write_many wrote with others of its batch: what chk_record's look-up and
 * write would have found. */
typedef struct {
	int64_t id;
	chk_resident r;
	chk_before b;
} chk_pre;

/* chk_record; pre: what chk_write_many wrote of it, if it did (else NULL) */
static werr chk_record_pre(const actor *ac, int64_t resident_id, const chk_in *in, const chk_pre *pre,
                           chk_out *out)
{
	memset(out, 0, sizeof *out);
	chk_resident r = {0};
	chk_before b = {0};
	int64_t new_id = 0;
	werr e = WG_OK;
	if (pre) {
		r = pre->r;
		b = pre->b;
		new_id = pre->id;
	} else if ((e = load_resident(ac, resident_id, in, &r, &new_id, &b))) {
		return e;
	}
	out->path = r.path;
	out->district_id = r.district_id;
	out->household_id = r.household_id;
	day_delta dd;
	if (new_id) { /* written in the look-up's exchange (a database server) */
		out->id = new_id;
		chk_counts(in, &b, &dd, out);
		return chk_written(ac, &r, resident_id, in, &dd, false, out);
	}
	/* in-process, or a check-in that was not to be written as it came (a retry, a reading
	 * kept, nothing to correct): statement by statement */
	db_stmt *s;
	int rc;
	if (in->client_id) { /* a retry of something already stored is a no-op */
		s = db_get(ac->d, SQL_CHK_BY_CLIENT);
		db_bind_text(s, 1, in->client_id);
		db_bind_int(s, 2, r.district_id);
		rc = db_step(s, &e);
		if (rc == DB_ROW) {
			out->id = db_int(s, 0);
			out->duplicate = true;
			out->fever = db_int(s, 8) != 0;
			out->day_fever = db_int(s, 15) != 0;
			bool same = db_int(s, 2) == resident_id && !strcmp(db_text(s, 1), in->day);
			db_done(s);
			if (!same)
				return w_fail(W_ECONFLICT, "client_id_reused", "client_id",
				              "client_id was already used for another check-in");
			/* answer as the first time did: the household's state, the alert */
			int64_t living, acc;
			if ((e = hh_tally(ac, r.household_id, r.district_id, in->day, &living, &acc)))
				return e;
			out->household_reached = acc >= living;
			if (out->fever || out->day_fever) {
				db_stmt *q = db_get(ac->d, SQL_ALERT_OPEN_OF_RES);
				db_bind_int(q, 1, resident_id);
				db_bind_int(q, 2, r.district_id);
				if (db_step(q, &e) == DB_ROW)
					out->alert_id = db_int(q, 0);
				db_done(q);
			}
			return WG_OK;
		}
		db_done(s);
		if (rc < 0)
			return e;
	}
	/* the current check-in of the day, if any, is corrected; the household's tally before
	 * this check-in (the household's lock, taken above, keeps it so until the commit);
	 * in-process in one pass over the household, no district named (sql.def) */
	bool one = !db_remote(ac->d);
	s = db_get(ac->d, one ? SQL_CHK_BEFORE_ONE : SQL_CHK_BEFORE);
	db_bind_int(s, 1, resident_id);
	db_bind_text(s, 2, in->day);
	db_bind_int(s, 3, r.household_id);
	if (!one)
		db_bind_int(s, 4, r.district_id);
	rc = db_step(s, &e);
	if (rc == DB_ROW) {
		if (!db_null(s, 0)) {
			b.cur_id = db_int(s, 0);
			b.cur_reported = !strcmp(db_text(s, 1), "reported");
			b.cur_sym = (unsigned)db_int(s, 2);
			b.cur_fever = db_int(s, 3) != 0;
		}
		b.living = db_int(s, 4);
		b.acc = db_int(s, 5);
	}
	db_done(s);
	if (rc < 0)
		return e;
	if (b.cur_id && in->fill_only) { /* "everyone else normal" never replaces a reading */
		out->id = b.cur_id;
		out->kept = true;
		out->fever = out->day_fever = b.cur_fever != 0;
		out->household_reached = b.living > 0 && b.acc >= b.living;
		return WG_OK;
	}
	if (in->correction && !b.cur_id)
		return w_fail(W_ECONFLICT, "nothing_to_correct", "correction",
		              "今天还没有这个人的记录，无需更正 / there is no reading of this person on the day to correct");
	chk_counts(in, &b, &dd, out); /* out->fever, out->day_fever: the row's */
	unsigned day_sym = in->symptoms | (in->correction ? 0 : b.cur_sym);
	int64_t code = 0;
	bool deferred = stats_day_can_defer(ac->d, r.path, &dd, &code);
	if (b.cur_id) {
		s = db_get(ac->d, SQL_CHK_SUPERSEDE);
		db_bind_int(s, 1, b.cur_id);
		db_bind_int(s, 2, -b.cur_id); /* not current (0), and unique, until the new row exists */
		db_bind_int(s, 3, r.district_id);
		if ((e = db_run(s, NULL)))
			return e;
	}
	s = db_get(ac->d, SQL_CHK_INSERT);
	db_bind_text(s, 1, in->day);
	db_bind_int(s, 2, resident_id);
	db_bind_int(s, 3, r.household_id);
	db_bind_text(s, 4, in->status);
	if (in->has_temp)
		db_bind_double(s, 5, in->temp);
	db_bind_int(s, 6, in->symptoms);
	db_bind_text(s, 7, in->symptom_note);
	db_bind_int(s, 8, out->fever);
	db_bind_text(s, 9, in->channel);
	if (ac->user_id)
		db_bind_int(s, 10, ac->user_id);
	db_bind_int(s, 11, now_s());
	db_bind_text(s, 12, in->client_id);
	db_bind_text(s, 13, in->source_line);
	db_bind_int(s, 14, r.district_id);
	db_bind_int(s, 15, out->day_fever);
	db_bind_int(s, 16, day_sym);
	db_bind_text(s, 17, in->correction);
	db_bind_text(s, 18, in->correction_note);
	if (deferred)
		db_bind_int(s, 19, code);
	if ((e = db_run(s, &out->id)))
		return e == W_ECONFLICT ? w_fail(e, "client_id_reused", "client_id", "client_id already used") : e;
	if (b.cur_id) {
		s = db_get(ac->d, SQL_CHK_SUPERSEDE);
		db_bind_int(s, 1, b.cur_id);
		db_bind_int(s, 2, out->id);
		db_bind_int(s, 3, r.district_id);
		if ((e = db_run(s, NULL)))
			return e;
	}
	return chk_written(ac, &r, resident_id, in, &dd, deferred, out);
}

werr chk_record(const actor *ac, int64_t resident_id, const chk_in *in, chk_out *out)
{
	return chk_record_pre(ac, resident_id, in, NULL, out);
}

void chk_publish(const actor *ac, int64_t resident_id, const chk_in *in, const chk_out *out)
{
	if (out->duplicate || out->kept)
		return;
	char *data = arena_printf(ac->a, "{\"resident_id\":%lld,\"day\":\"%s\",\"household_reached\":%s,\"fever\":%s}",
	                          (long long)resident_id, in->day, out->household_reached ? "true" : "false",
	                          out->fever ? "true" : "false");
	bus_publish(out->path, "checkin", data);
	if (out->alert_id) {
		const char *path = NULL;
		json_t *a = alert_event_json(ac->d, ac->a, out->alert_id, out->district_id, &path);
		if (a) {
			char *s = json_dumps(a, JSON_COMPACT | JSON_REAL_PRECISION(6));
			bus_publish(path, "alert", s);
			free(s);
			json_decref(a);
		}
	}
}

/* Why a reading may replace the day's earlier ones (an explicit correction). */
static const char *const corrections[] = {"typo", "wrong_person", "device", "other", NULL};

/* "correction": {"reason": …, "note": …} — absent or null: a re-check. */
static werr correction_fields(json_t *c, chk_in *in)
{
	if (!c || json_is_null(c))
		return WG_OK;
	static const char *const keys[] = {"reason", "note", NULL};
	werr e;
	if (!json_is_object(c))
		return w_fail(W_EINVAL, "wrong_type", "correction", "correction must be an object {reason, note}");
	if ((e = jv_only(c, keys)) || (e = jv_str(c, "reason", true, 16, &in->correction)) ||
	    (e = jv_str(c, "note", false, 200, &in->correction_note)))
		return w_fail(e, w_last()->code, "correction", "correction: %s", w_last()->message);
	if (!str_in_list(in->correction, corrections))
		return w_fail(W_EINVAL, "invalid_correction", "correction",
		              "更正原因：录入错误、记错了人、体温计故障或其他 / correction reason: typo, wrong_person, device or other");
	if (!strcmp(in->correction, "other") && (!in->correction_note || !in->correction_note[strspn(in->correction_note, " ")]))
		return w_fail(W_EINVAL, "required", "correction",
		              "“其他”原因须写明 / a correction for another reason needs a note");
	return WG_OK;
}

/* Read one check-in's fields from a JSON object (single or batch element). */
static werr chk_fields(const actor *ac, json_t *o, chk_in *in, bool batch_item)
{
	static const char *const single[] = {"resident_id", "day", "temperature", "symptoms", "symptom_note",
	                                     "status", "channel", "client_id", "correction", NULL};
	static const char *const item[] = {"resident_id", "temperature", "symptoms", "symptom_note", "status",
	                                   "correction", NULL};
	werr e;
	if ((e = jv_only(o, batch_item ? item : single)))
		return e;
	if (!batch_item) {
		if ((e = jv_str(o, "day", false, 10, &in->day)))
			return e;
		if ((e = jv_str(o, "channel", true, 16, &in->channel)))
			return e;
		if ((e = jv_str(o, "client_id", false, 64, &in->client_id)))
			return e;
	}
	if ((e = jv_str(o, "status", false, 16, &in->status)) ||
	    (e = jv_str(o, "symptom_note", false, 200, &in->symptom_note)) ||
	    (e = symptoms_from_json(json_object_get(o, "symptoms"), &in->symptoms)))
		return e;
	if (!in->status)
		in->status = "reported";
	if (!str_in_list(in->status, statuses))
		return w_fail(W_EINVAL, "invalid_status", "status",
		              "status: reported, away, hospital or isolated");
	json_t *t = json_object_get(o, "temperature");
	in->has_temp = t && !json_is_null(t);
	if (in->has_temp) {
		if (!json_is_number(t))
			return w_fail(W_EINVAL, "wrong_type", "temperature", "temperature must be a number (°C)");
		double v = json_number_value(t);
		if (!(v >= 34.0 && v <= 43.0))
			return w_fail(W_EINVAL, "out_of_range", "temperature",
			              "体温应在 34.0–43.0 °C 之间 / temperature must be between 34.0 and 43.0 °C");
		in->temp = round(v * 10.0) / 10.0;
		if (strcmp(in->status, "reported") != 0)
			return w_fail(W_EINVAL, "temperature_with_absence", "temperature",
			              "a temperature goes with status reported only");
	}
	if ((e = correction_fields(json_object_get(o, "correction"), in)))
		return e;
	/* the plan outlives the request body: keep copies in the arena */
	in->correction = arena_strdup(ac->a, in->correction);
	in->correction_note = arena_strdup(ac->a, in->correction_note);
	in->status = arena_strdup(ac->a, in->status);
	in->symptom_note = arena_strdup(ac->a, in->symptom_note);
	in->day = arena_strdup(ac->a, in->day);
	in->channel = arena_strdup(ac->a, in->channel);
	in->client_id = arena_strdup(ac->a, in->client_id);
	if (in->client_id) {
		for (const char *c = in->client_id; *c; c++)
			if (!((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || *c == '-' ||
			      *c == '_' || *c == ':' || *c == '.'))
				return w_fail(W_EINVAL, "invalid_client_id", "client_id", "client_id: 1–64 of A-Z a-z 0-9 - _ : .");
	}
	return WG_OK;
}

static json_t *result_json(int64_t rid, const chk_out *o)
{
	return json_pack("{s:I,s:I,s:b,s:b,s:b,s:b,s:b,s:o,s:b}", "resident_id", (json_int_t)rid, "checkin_id",
	                 (json_int_t)o->id, "duplicate", o->duplicate, "corrected", o->corrected, "kept", o->kept,
	                 "fever", o->fever, "day_fever", o->day_fever, "alert_id",
	                 o->alert_id ? json_integer(o->alert_id) : json_null(), "household_reached", o->household_reached);
}

/* A validated submission, ready to be written (in any transaction, any thread). */
struct chk_plan {
	bool batch;
	int64_t household_id, district_id;
	const char *day;
	size_t n;
	int64_t *ids;
	chk_in *ins;
	chk_out *outs;
	const chk_pre *pre; /* a single check-in chk_write_many wrote, until chk_execute */
};

werr chk_prepare(const actor *ac, json_t *body, chk_plan **plan)
{
	*plan = NULL;
	werr e;
	char today[11];
	today_str(today);
	chk_plan *p = arena_alloc(ac->a, sizeof *p);
	p->batch = json_object_get(body, "household_id") != NULL;
	if (!p->batch) {
		p->ids = arena_alloc(ac->a, sizeof *p->ids);
		p->ins = arena_alloc(ac->a, sizeof *p->ins);
		p->outs = arena_alloc(ac->a, sizeof *p->outs);
		p->n = 1;
		chk_in *in = &p->ins[0];
		if ((e = jv_int(body, "resident_id", true, 1, INT64_MAX, &p->ids[0], NULL)) || (e = chk_fields(ac, body, in, false)))
			return e;
		if (!in->day)
			in->day = arena_strdup(ac->a, today);
		if ((e = day_valid(in->day, "day")))
			return e;
		if (!str_in_list(in->channel, channels))
			return w_fail(W_EINVAL, "invalid_channel", "channel",
			              "channel: self, wechat, phone, visit or checkpoint");
		if (in->correction && !strcmp(in->channel, "self"))
			return w_fail(W_EFORBIDDEN, "correction_not_allowed", "correction",
			              "更正只能由网格员或社区做 / only staff can correct a reading");
		p->day = in->day;
		*plan = p;
		return WG_OK;
	}
	/* a household at once: explicit readings, and/or everyone else normal */
	static const char *const allowed[] = {"household_id", "day", "channel", "client_id", "all_normal", "readings", NULL};
	const char *day, *channel, *client_id;
	bool all_normal = false;
	if ((e = jv_only(body, allowed)) || (e = jv_int(body, "household_id", true, 1, INT64_MAX, &p->household_id, NULL)) ||
	    (e = jv_str(body, "day", false, 10, &day)) || (e = jv_str(body, "channel", true, 16, &channel)) ||
	    (e = jv_str(body, "client_id", false, 48, &client_id)) || (e = jv_bool(body, "all_normal", &all_normal, NULL)))
		return e;
	/* the plan outlives the request body: keep copies in the arena */
	day = arena_strdup(ac->a, day ? day : today);
	channel = arena_strdup(ac->a, channel);
	client_id = arena_strdup(ac->a, client_id);
	if ((e = day_valid(day, "day")))
		return e;
	if (!str_in_list(channel, channels))
		return w_fail(W_EINVAL, "invalid_channel", "channel",
		              "channel: self, wechat, phone, visit or checkpoint");
	json_t *readings = json_object_get(body, "readings");
	if (readings && !json_is_array(readings))
		return w_fail(W_EINVAL, "wrong_type", "readings", "readings must be an array");
	if (json_array_size(readings) > 50)
		return w_fail(W_EINVAL, "too_many", "readings", "at most 50 readings");
	if (!all_normal && json_array_size(readings) == 0)
		return w_fail(W_EINVAL, "required", "readings", "give readings, or all_normal: true");
	/* the household in scope, its living people */
	if ((e = household_district(ac, p->household_id, 0, &p->district_id)))
		return e;
	db_stmt *s = db_get(ac->d, SQL_HH_LIVING_IN);
	db_bind_int(s, 1, p->household_id);
	db_bind_int(s, 2, p->district_id);
	int rc = db_step(s, &e);
	const char *path = rc == DB_ROW ? arena_strdup(ac->a, db_text(s, 0)) : NULL;
	db_done(s);
	if (rc < 0)
		return e;
	if (!path || !actor_in_scope(ac, path))
		return w_fail(W_ENOTFOUND, "household_not_found", "household_id", "没有这户 / no such household");
	size_t n = json_array_size(readings), cap = n + 64, k = 0;
	p->ids = arena_alloc(ac->a, cap * sizeof *p->ids);
	p->ins = arena_alloc(ac->a, cap * sizeof *p->ins);
	for (size_t i = 0; i < n; i++) {
		json_t *it = json_array_get(readings, i);
		if (!json_is_object(it))
			return w_fail(W_EINVAL, "wrong_type", "readings", "each reading must be an object");
		chk_in in = {.day = day, .channel = channel, .district = p->district_id, .household = p->household_id};
		if ((e = jv_int(it, "resident_id", true, 1, INT64_MAX, &p->ids[k], NULL)) || (e = chk_fields(ac, it, &in, true))) {
			w_record(w_last()->err, w_last()->code, arena_printf(ac->a, "readings[%zu].%s", i, w_last()->field), "%s",
			       w_last()->message);
			return w_last()->err;
		}
		p->ins[k++] = in;
	}
	if (all_normal) {
		s = db_get(ac->d, SQL_HH_LIVING_RESIDENTS_IN);
		db_bind_int(s, 1, p->household_id);
		db_bind_int(s, 2, p->district_id);
		while ((rc = db_step(s, &e)) == DB_ROW && k < cap) {
			int64_t rid = db_int(s, 0);
			bool given = false;
			for (size_t i = 0; i < n; i++)
				given |= p->ids[i] == rid;
			if (given)
				continue;
			p->ids[k] = rid;
			p->ins[k++] = (chk_in){.day = day, .channel = channel, .status = "reported", .fill_only = true,
			                       .district = p->district_id, .household = p->household_id};
		}
		db_done(s);
		if (rc < 0)
			return e;
	}
	/* a resident's own page gives readings; it does not overrule the day's record */
	for (size_t i = 0; i < k; i++)
		if (p->ins[i].correction && !strcmp(channel, "self"))
			return w_fail(W_EFORBIDDEN, "correction_not_allowed", arena_printf(ac->a, "readings[%zu].correction", i),
			              "更正只能由网格员或社区做 / only staff can correct a reading");
	for (size_t i = 0; i < k; i++)
		if (client_id)
			p->ins[i].client_id = arena_printf(ac->a, "%s:%lld", client_id, (long long)p->ids[i]);
	p->n = k;
	p->day = day;
	p->outs = arena_alloc(ac->a, (k + 1) * sizeof *p->outs);
	*plan = p;
	return WG_OK;
}

werr chk_execute(const actor *ac, chk_plan *p, json_t **out)
{
	werr e;
	// NOLINTNEXTLINE(clang-analyzer-core.NullDereference): chk_prepare returned WG_OK, so p is set
	for (size_t i = 0; i < p->n; i++) {
		if ((e = chk_record_pre(ac, p->ids[i], &p->ins[i], i ? NULL : p->pre, &p->outs[i]))) {
			if (p->batch)
				w_record(e, w_last()->code, arena_printf(ac->a, "readings[%zu].%s", i, w_last()->field), "%s",
				       w_last()->message);
			return e;
		}
		if (!p->batch)
			continue;
		/* the people of a batch must be of its household (as chk_record found them,
		 * under the household's lock) */
		if (p->outs[i].household_id != p->household_id)
			return w_fail(W_EINVAL, "not_in_household", arena_printf(ac->a, "readings[%zu].resident_id", i),
			              "这个居民不属于这一户 / the resident is not of this household");
	}
	if (!p->batch) {
		if (!p->outs[0].duplicate &&
		    (e = audit(ac, "checkin", "resident", p->ids[0], "temperature,symptoms,status", "ok")))
			return e;
	} else if ((e = audit(ac, "checkin", "household", p->household_id,
	                      arena_printf(ac->a, "residents:%zu", p->n), "ok"))) {
		return e;
	}
	if (out)
		*out = chk_answer(p);
	return WG_OK;
}

/* One check-in of chk_write_many's statement: {"k": its number, "rid": …}, as
 * write_stmt binds CHK_WRITE's parameters (sql.def, CHK_WRITE_MANY). */
static json_t *many_item(const actor *ac, size_t k, int64_t rid, const chk_in *in)
{
	return json_pack("{s:I,s:I,s:s,s:s,s:o,s:I,s:s?,s:I,s:s,s:o,s:s?,s:s?,s:s}", "k", (json_int_t)k,
	                 "rid", (json_int_t)rid, "day", in->day, "status", in->status, "temp",
	                 in->has_temp ? json_real(in->temp) : json_null(), "sym", (json_int_t)in->symptoms,
	                 "note", in->symptom_note, "fever",
	                 (json_int_t)reading_fever(in->has_temp, in->temp, in->symptoms), "channel",
	                 in->channel, "rby", ac->user_id ? json_integer(ac->user_id) : json_null(), "cid",
	                 in->client_id, "src", in->source_line, "scope", ac->unit_path);
}

werr chk_write_many(db *d, const actor *const *acs, chk_plan *const *plans, bool *wrote, size_t n)
{
	if (!d) {
		for (size_t i = 0; i < n; i++)
			plans[i]->pre = NULL;
		return WG_OK;
	}
	if (!db_cte_writes(d))
		return WG_OK;
	/* the plain re-checks, each resident and client id once (the first of them): the
	 * statement cannot see what it writes itself; the households of every single
	 * check-in locked (the ones left to the one-by-one path too: all in one order) */
	size_t *job = xcalloc(n ? n : 1, sizeof *job), k = 0, nlock = 0;
	json_t *items = json_array();
	buf ids;
	buf_init(&ids, NULL);
	buf_putc(&ids, '{');
	for (size_t i = 0; i < n; i++) {
		const chk_plan *p = plans[i];
		const chk_in *in = &p->ins[0];
		if (!p->batch && p->n == 1)
			buf_printf(&ids, "%s%lld", nlock++ ? "," : "", (long long)p->ids[0]);
		bool take = !p->batch && p->n == 1 && !in->correction && !in->fill_only && !in->household;
		for (size_t j = 0; take && j < k; j++) {
			const chk_plan *q = plans[job[j]];
			take = q->ids[0] != p->ids[0] && !(in->client_id && q->ins[0].client_id &&
			                                   !strcmp(in->client_id, q->ins[0].client_id));
		}
		json_t *item = take ? many_item(acs[i], k, p->ids[0], in) : NULL;
		if (!item) /* (not taken, or out of memory: written one by one) */
			continue;
		json_array_append_new(items, item);
		job[k++] = i;
	}
	buf_putc(&ids, '}');
	werr e = WG_OK;
	if (k >= 2) { /* one alone: its own exchange costs the same */
		char *text = json_dumps(items, JSON_COMPACT | JSON_REAL_PRECISION(17));
		db_stmt *lock = db_get(d, SQL_CHK_LOCK_MANY), *w = db_get(d, SQL_CHK_WRITE_MANY);
		db_bind_text(lock, 1, ids.p);
		db_bind_text(w, 1, text);
		db_bind_int(w, 2, now_s());
		free(text);
		if (!(e = db_send(d, (db_stmt *const[]){lock, w}, 2))) {
			int rc;
			while ((rc = db_step(lock, &e)) == DB_ROW)
				;
			while (rc >= 0 && (rc = db_step(w, &e)) == DB_ROW) {
				int64_t at = db_int(w, 0);
				if (at < 0 || (size_t)at >= k)
					continue;
				size_t i = job[at];
				chk_pre *pre = arena_alloc(acs[i]->a, sizeof *pre);
				pre->id = db_int(w, 1);
				pre->b.cur_id = db_null(w, 2) ? 0 : db_int(w, 2);
				pre->b.cur_reported = pre->b.cur_id && !strcmp(db_text(w, 3), "reported");
				pre->b.cur_sym = pre->b.cur_id ? (unsigned)db_int(w, 4) : 0;
				pre->b.cur_fever = pre->b.cur_id ? db_int(w, 5) != 0 : 0;
				pre->b.living = db_int(w, 6);
				pre->b.acc = db_int(w, 7);
				pre->r = (chk_resident){.id = plans[i]->ids[0],
				                        .household_id = db_int(w, 8),
				                        .path = arena_strdup(acs[i]->a, db_text(w, 9)),
				                        .district_id = db_int(w, 10),
				                        .living = true};
				plans[i]->pre = pre;
				wrote[i] = true;
			}
		}
		db_done(lock);
		db_done(w);
	}
	json_decref(items);
	buf_release(&ids);
	free(job);
	return e;
}

json_t *chk_answer(const chk_plan *p)
{
	if (!p->batch)
		return result_json(p->ids[0], &p->outs[0]);
	json_t *results = json_array();
	bool reached = false;
	for (size_t i = 0; i < p->n; i++) {
		json_array_append_new(results, result_json(p->ids[i], &p->outs[i]));
		reached = p->outs[i].household_reached;
	}
	return json_pack("{s:I,s:s,s:o,s:b}", "household_id", (json_int_t)p->household_id, "day", p->day,
	                 "results", results, "household_reached", reached);
}

void chk_publish_plan(const actor *ac, chk_plan *p)
{
	for (size_t i = 0; i < p->n; i++)
		chk_publish(ac, p->ids[i], &p->ins[i], &p->outs[i]);
}

werr chk_submit(const actor *ac, json_t *body, json_t **out)
{
	chk_plan *p;
	werr e = chk_prepare(ac, body, &p);
	if (e || (e = db_begin(ac->d)))
		return e;
	if ((e = chk_execute(ac, p, out)) || (e = db_commit(ac->d))) {
		db_rollback(ac->d);
		return e;
	}
	chk_publish_plan(ac, p);
	return WG_OK;
}

static json_t *chk_json(db_stmt *s)
{
	char at[32];
	fmt_time(db_int(s, 10), at);
	json_t *o = json_pack("{s:I,s:s,s:I,s:I,s:s,s:o,s:o,s:o,s:b,s:s,s:s,s:o,s:o,s:b,s:o}", "id", (json_int_t)db_int(s, 0),
	                 "day", db_text(s, 1), "resident_id", (json_int_t)db_int(s, 2), "household_id",
	                 (json_int_t)db_int(s, 3), "status", db_text(s, 4), "temperature",
	                 db_null(s, 5) ? json_null() : json_real(db_double(s, 5)), "symptoms",
	                 symptoms_json((unsigned)db_int(s, 6)), "symptom_note", jv_text(db_text(s, 7)), "fever",
	                 db_int(s, 8) != 0, "channel", db_text(s, 9), "recorded_at", at, "client_id",
	                 jv_text(db_text(s, 11)), "source_line", jv_text(db_text(s, 12)), "current", db_int(s, 13) == 0,
	                 "recorded_by", jv_text(db_text(s, 14)));
	json_object_set_new(o, "day_fever", json_boolean(db_int(s, 15) != 0));
	json_object_set_new(o, "day_symptoms", symptoms_json((unsigned)db_int(s, 16)));
	json_object_set_new(o, "correction", db_null(s, 17) ? json_null()
	                                                    : json_pack("{s:s,s:o}", "reason", db_text(s, 17), "note",
	                                                                jv_text(db_text(s, 18))));
	json_object_set_new(o, "recorded_by_name", jv_text(db_text(s, 19)));
	json_object_set_new(o, "superseded_by", db_int(s, 13) > 0 ? json_integer(db_int(s, 13)) : json_null());
	return o;
}

werr chk_list(const actor *ac, int64_t resident_id, int64_t household_id, const char *day, json_t **out)
{
	werr e;
	db_stmt *s;
	int64_t district = 0;
	if (resident_id) {
		chk_resident r = {0};
		if ((e = resident_district(ac, resident_id, 0, &district)))
			return e;
		db_stmt *q = db_get(ac->d, SQL_RES_FOR_CHK_IN);
		db_bind_int(q, 1, resident_id);
		db_bind_int(q, 2, district);
		int rc = db_step(q, &e);
		r.path = rc == DB_ROW ? arena_strdup(ac->a, db_text(q, 2)) : NULL;
		db_done(q);
		if (!r.path || !actor_in_scope(ac, r.path))
			return w_fail(W_ENOTFOUND, "resident_not_found", "resident", "没有这个居民 / no such resident");
		s = db_get(ac->d, SQL_CHK_OF_RESIDENT);
		db_bind_int(s, 1, resident_id);
		db_bind_text(s, 2, day ? day : "");
		db_bind_int(s, 3, district);
	} else {
		if ((e = household_district(ac, household_id, 0, &district)))
			return e;
		db_stmt *q = db_get(ac->d, SQL_HH_LIVING_IN);
		db_bind_int(q, 1, household_id);
		db_bind_int(q, 2, district);
		int rc = db_step(q, &e);
		const char *path = rc == DB_ROW ? arena_strdup(ac->a, db_text(q, 0)) : NULL;
		db_done(q);
		if (!path || !actor_in_scope(ac, path))
			return w_fail(W_ENOTFOUND, "household_not_found", "household", "没有这户 / no such household");
		if (!day)
			return w_fail(W_EINVAL, "required", "day", "day is required with household");
		s = db_get(ac->d, SQL_CHK_OF_HOUSEHOLD);
		db_bind_int(s, 1, household_id);
		db_bind_text(s, 2, day);
		db_bind_int(s, 3, district);
	}
	json_t *items = json_array();
	int rc;
	while ((rc = db_step(s, &e)) == DB_ROW)
		json_array_append_new(items, chk_json(s));
	db_done(s);
	if (rc < 0 || (e = audit(ac, "read", resident_id ? "resident" : "household", resident_id ? resident_id : household_id,
	                         "checkins", "ok"))) {
		json_decref(items);
		return e;
	}
	*out = json_pack("{s:o,s:I}", "items", items, "total", (json_int_t)json_array_size(items));
	return WG_OK;
}

werr health_record(const actor *ac, int64_t resident_id, json_t **out)
{
	json_t *readings = NULL, *alerts = NULL;
	werr e = chk_list(ac, resident_id, 0, NULL, &readings);
	if (e)
		return e;
	if ((e = alert_history(ac, resident_id, &alerts))) {
		json_decref(readings);
		return e;
	}
	*out = json_pack("{s:I,s:O,s:o,s:b}", "resident_id", (json_int_t)resident_id, "readings",
	                 json_object_get(readings, "items"), "alerts", alerts, "ever_alerted",
	                 json_array_size(alerts) > 0);
	json_decref(readings);
	if ((e = audit(ac, "read", "health_record", resident_id, "temperature,symptoms,alerts", "ok"))) {
		json_decref(*out);
		*out = NULL;
	}
	return e;
}

/* ---- coverage ---- */

static json_t *cov_json(const char *code, const char *name, const char *kind, const char *day, const int64_t v[7])
{
	return json_pack("{s:s,s:s,s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "unit", code, "name", name, "kind", kind, "day",
	                 day, "households_total", (json_int_t)v[0], "households_reached", (json_int_t)v[2],
	                 "residents_total", (json_int_t)v[1], "residents_accounted", (json_int_t)v[3],
	                 "residents_reported", (json_int_t)v[4], "fevers", (json_int_t)v[5], "symptomatic",
	                 (json_int_t)v[6]);
}

static werr unit_and_day(const actor *ac, const char *unit_code, const char **day, unit_row *u)
{
	werr e = unit_code ? unit_find(ac, unit_code, u) : unit_find_id(ac, ac->unit_id, u);
	if (e)
		return e;
	if (!*day) {
		char *t = arena_alloc(ac->a, 11);
		today_str(t);
		*day = t;
		return WG_OK;
	}
	int y, m, d;
	if (!parse_date(*day, &y, &m, &d))
		return w_fail(W_EINVAL, "invalid_day", "day", "day must be YYYY-MM-DD");
	return WG_OK;
}

werr coverage_get(const actor *ac, const char *unit_code, const char *day, json_t **out)
{
	unit_row u;
	werr e = unit_and_day(ac, unit_code, &day, &u);
	if (e)
		return e;
	db_stmt *s = db_get(ac->d, SQL_DAY_GET);
	db_bind_int(s, 1, u.id);
	db_bind_text(s, 2, day);
	int64_t v[7] = {0};
	int rc = db_step(s, &e);
	if (rc == DB_ROW)
		for (int i = 0; i < 7; i++)
			v[i] = db_int(s, i);
	db_done(s);
	if (rc < 0)
		return e;
	json_t *o = cov_json(u.code, u.name, u.kind, day, v), *children = json_array();
	s = db_get(ac->d, SQL_DAY_CHILDREN);
	db_bind_int(s, 1, u.id);
	db_bind_text(s, 2, day);
	while ((rc = db_step(s, &e)) == DB_ROW) {
		int64_t c[7];
		for (int i = 0; i < 7; i++)
			c[i] = db_int(s, 3 + i);
		json_array_append_new(children, cov_json(db_text(s, 0), db_text(s, 1), db_text(s, 2), day, c));
	}
	db_done(s);
	json_object_set_new(o, "children", children);
	if (rc < 0) {
		json_decref(o);
		return e;
	}
	json_t *own = NULL, *below = NULL;
	if ((e = lockdown_json(ac->d, u.id, &own)) || (e = lockdowns_below(ac->d, ac->a, u.path, &below))) {
		json_decref(own);
		json_decref(o);
		return e;
	}
	json_object_set_new(o, "lockdown", own);
	json_object_set_new(o, "lockdowns", below);
	*out = o;
	return WG_OK;
}

werr coverage_recount(const actor *ac, const char *unit_code, const char *day, json_t **out)
{
	unit_row u;
	werr e = unit_and_day(ac, unit_code, &day, &u);
	if (e)
		return e;
	const char *up = scope_upper(ac->a, u.path);
	int64_t v[7] = {0};
	db_stmt *s = db_get(ac->d, SQL_RECOUNT_HH);
	db_bind_text(s, 1, u.path);
	db_bind_text(s, 2, up);
	db_bind_text(s, 3, day);
	int rc = db_step(s, &e);
	if (rc == DB_ROW) {
		v[0] = db_int(s, 0);
		v[1] = db_int(s, 1);
		v[2] = db_int(s, 2);
	}
	db_done(s);
	if (rc < 0)
		return e;
	s = db_get(ac->d, SQL_RECOUNT_CHK);
	db_bind_text(s, 1, u.path);
	db_bind_text(s, 2, up);
	db_bind_text(s, 3, day);
	rc = db_step(s, &e);
	if (rc == DB_ROW)
		for (int i = 0; i < 4; i++)
			v[3 + i] = db_int(s, i);
	db_done(s);
	if (rc < 0)
		return e;
	*out = cov_json(u.code, u.name, u.kind, day, v);
	return WG_OK;
}

/* The grid worker, cadre and leader answering for a unit path: the deepest unit of the
 * path that has any. */
/* The staff of the nearest unit at or above path that has any, into *out. */
static werr responsible(const actor *ac, const char *path, json_t **out)
{
	json_t *staff = json_array();
	int64_t id;
	for (int k = 0; json_array_size(staff) == 0 && (id = path_id(path ? path : "", k)) != 0; k++) {
		db_stmt *s = db_get(ac->d, SQL_STAFF_OF_UNIT);
		db_bind_int(s, 1, id);
		werr e = WG_OK;
		int rc;
		while ((rc = db_step(s, &e)) == DB_ROW)
			json_array_append_new(staff,
			                      json_pack("{s:s,s:s,s:o,s:s}", "username", db_text(s, 0),
			                                "name", db_text(s, 1), "phone",
			                                jv_text(db_text(s, 2)), "role", db_text(s, 3)));
		db_done(s);
		if (rc < 0) {
			json_decref(staff);
			return e;
		}
	}
	*out = staff;
	return WG_OK;
}

static json_t *person_json(const actor *ac, db_stmt *s)
{
	json_t *flags = json_array();
	int64_t f = db_int(s, 3);
	int age = actor_show_age(ac, db_text(s, 4));
	if (age >= 60)
		json_array_append_new(flags, json_string("elderly"));
	if (f & 1)
		json_array_append_new(flags, json_string("lives_alone"));
	if (f & 8)
		json_array_append_new(flags, json_string("no_smartphone"));
	return json_pack("{s:I,s:s,s:o,s:o,s:o}", "id", (json_int_t)db_int(s, 0), "name", db_text(s, 1), "phone",
	                 jv_text(actor_show_phone(ac, db_text(s, 2))), "age", age >= 0 ? json_integer(age) : json_null(),
	                 "flags", flags);
}

werr coverage_missing(const actor *ac, const char *unit_code, const char *day, int64_t limit, int64_t offset,
                      json_t **out)
{
	unit_row u;
	werr e = unit_and_day(ac, unit_code, &day, &u);
	if (e)
		return e;
	const char *up = scope_upper(ac->a, u.path);
	int64_t district; /* a grid's rows lie in one district: routed to one shard on Citus */
	if ((e = unit_sole_district(ac, &u, &district)))
		return e;
	/* the list with its count, and each household's people, from one snapshot, so an
	 * item never contradicts itself while check-ins are being written */
	if ((e = db_begin_read(ac->d)))
		return e;
	db_stmt *s;
	int64_t total = 0;
	int rc;
	/* rows first (one statement at a time on the connection), people after */
	typedef struct {
		int64_t id, n, a, district;
		const char *room, *code, *kind, *uname, *pname, *path;
		json_t *people; /* its missing people, filled after the rows */
	} miss;
	miss *rows = arena_alloc(ac->a, (size_t)limit * sizeof *rows);
	size_t nrows = 0;
	s = db_get(ac->d, SQL_MISSING_LIST);
	db_bind_text(s, 1, u.path);
	db_bind_text(s, 2, up);
	db_bind_text(s, 3, day);
	db_bind_int(s, 4, limit);
	db_bind_int(s, 5, offset);
	db_bind_int(s, 6, district);
	while ((rc = db_step(s, &e)) == DB_ROW && nrows < (size_t)limit) {
		miss *m = &rows[nrows++];
		m->id = db_int(s, 0);
		m->room = arena_strdup(ac->a, db_text(s, 1));
		m->code = arena_strdup(ac->a, db_text(s, 2));
		m->kind = arena_strdup(ac->a, db_text(s, 3));
		m->uname = arena_strdup(ac->a, db_text(s, 4));
		m->pname = arena_strdup(ac->a, db_text(s, 5));
		m->path = arena_strdup(ac->a, db_text(s, 6));
		m->n = db_int(s, 9); /* 7 and 8 are the grid's and building's codes, the sort keys */
		m->a = db_int(s, 10);
		m->district = db_int(s, 11);
		total = db_int(s, 12);
	}
	db_done(s);
	if (rc >= 0 && !nrows && offset > 0) { /* a page past the end: the count alone */
		s = db_get(ac->d, SQL_MISSING_COUNT);
		db_bind_text(s, 1, u.path);
		db_bind_text(s, 2, up);
		db_bind_text(s, 3, day);
		db_bind_int(s, 4, district);
		if ((e = db_scalar(s, &total)))
			rc = -1;
	}
	if (rc < 0) {
		db_rollback(ac->d);
		return e;
	}
	/* the page's missing people in one statement (each household's: one round trip each,
	 * fifty routed statements a page on Citus) */
	buf ids;
	buf_init(&ids, ac->a);
	for (size_t i = 0; i < nrows; i++) {
		rows[i].people = json_array();
		buf_printf(&ids, "%s%lld", i ? "," : "[", (long long)rows[i].id);
	}
	rc = DB_DONE;
	if (nrows) {
		buf_putc(&ids, ']');
		s = db_get(ac->d, SQL_MISSING_PEOPLE_MANY);
		db_bind_text(s, 1, ids.p);
		db_bind_text(s, 2, day);
		db_bind_int(s, 3, district);
		while ((rc = db_step(s, &e)) == DB_ROW) {
			int64_t hh = db_int(s, 5);
			for (size_t i = 0; i < nrows; i++)
				if (rows[i].id == hh) {
					json_array_append_new(rows[i].people, person_json(ac, s));
					break;
				}
		}
		db_done(s);
	}
	if (rc < 0) { /* not a list with people left out */
		for (size_t i = 0; i < nrows; i++)
			json_decref(rows[i].people);
		db_rollback(ac->d);
		return e;
	}
	json_t *items = json_array();
	const char *last_path = NULL;
	json_t *last_staff = NULL;
	lock_memo locks = {0};
	for (size_t i = 0; i < nrows; i++) {
		miss *m = &rows[i];
		bool ent = !strcmp(m->kind, "entrance");
		if (!last_path || strcmp(last_path, m->path) != 0) {
			if ((e = responsible(ac, m->path, &last_staff))) {
				for (size_t j = i; j < nrows; j++)
					json_decref(rows[j].people);
				json_decref(items);
				db_rollback(ac->d);
				return e;
			}
			last_path = m->path;
		} else {
			json_incref(last_staff);
		}
		json_array_append_new(items,
		                      json_pack("{s:I,s:s,s:o,s:o,s:s,s:I,s:I,s:o,s:o}", "household_id",
		                                (json_int_t)m->id, "unit_code", m->code, "building",
		                                jv_text(ent ? m->pname : m->uname), "entrance",
		                                jv_text(ent ? m->uname : NULL), "room", m->room, "living",
		                                (json_int_t)m->n, "accounted", (json_int_t)m->a,
		                                "people_missing", m->people, "responsible", last_staff));
		json_t *it = json_array_get(items, json_array_size(items) - 1);
		int64_t level;
		bool isolated;
		if ((e = lockdown_level_memo(ac->d, m->path, &locks, &level)) ||
		    (e = household_isolated(ac->d, m->id, m->district, &isolated))) {
			for (size_t j = i + 1; j < nrows; j++)
				json_decref(rows[j].people);
			json_decref(items);
			db_rollback(ac->d);
			return e;
		}
		json_object_set_new(it, "lockdown", level ? json_string(lockdown_name(level)) : json_null());
		json_object_set_new(it, "isolation", json_boolean(isolated));
	}
	db_rollback(ac->d); /* end the read snapshot before the audit row is written */
	if ((e = audit(ac, "read", "missing_list", u.id, "name,phone(per role)", "ok"))) {
		json_decref(items);
		return e;
	}
	*out = jv_page(items, total, limit, offset);
	json_object_set_new(*out, "unit", json_string(u.code));
	json_object_set_new(*out, "day", json_string(day));
	return WG_OK;
}

werr calllist_get(const actor *ac, const char *unit_code, const char *day, int64_t limit, int64_t offset,
                  json_t **out)
{
	unit_row u;
	werr e = unit_and_day(ac, unit_code, &day, &u);
	if (e)
		return e;
	const char *up = scope_upper(ac->a, u.path);
	int64_t district;
	if ((e = unit_sole_district(ac, &u, &district)))
		return e;
	db_stmt *s = db_get(ac->d, SQL_CALL_COUNT);
	db_bind_text(s, 1, u.path);
	db_bind_text(s, 2, up);
	db_bind_text(s, 3, day);
	db_bind_int(s, 4, district);
	int64_t total = 0;
	if ((e = db_scalar(s, &total)))
		return e;
	int rc;
	json_t *items = json_array();
	s = db_get(ac->d, SQL_CALL_LIST);
	db_bind_text(s, 1, u.path);
	db_bind_text(s, 2, up);
	db_bind_text(s, 3, day);
	db_bind_int(s, 4, limit);
	db_bind_int(s, 5, offset);
	db_bind_int(s, 6, district);
	while ((rc = db_step(s, &e)) == DB_ROW) {
		json_t *p = person_json(ac, s);
		bool ent = !strcmp(db_text(s, 8), "entrance");
		json_object_set_new(p, "household_id", json_integer(db_int(s, 5)));
		json_object_set_new(p, "room", json_string(db_text(s, 6)));
		json_object_set_new(p, "unit_code", json_string(db_text(s, 7)));
		json_object_set_new(p, "building", jv_text(ent ? db_text(s, 10) : db_text(s, 9)));
		json_object_set_new(p, "entrance", jv_text(ent ? db_text(s, 9) : NULL));
		json_array_append_new(items, p);
	}
	db_done(s);
	if (rc < 0 || (e = audit(ac, "read", "call_list", u.id, "name,phone(per role)", "ok"))) {
		json_decref(items);
		return e;
	}
	*out = jv_page(items, total, limit, offset);
	json_object_set_new(*out, "unit", json_string(u.code));
	json_object_set_new(*out, "day", json_string(day));
	return WG_OK;
}

/* ---- the check-in curve ---- */

enum { CURVE_STEP = 10 }; /* minutes */

static bool curve_kind(const char *kind)
{
	static const char *const kinds[] = {"province", "city", "district", "street", "community", NULL};
	return str_in_list(kind, kinds);
}

int curve_tick(db *d, int64_t now)
{
	static int64_t last_step = -1; /* the ticker thread only */
	int64_t step = (now + 8 * 3600) / (CURVE_STEP * 60);
	if (step == last_step)
		return 0;
	char t[32];
	fmt_time(now, t);
	t[10] = 0;
	int minute = ((t[11] - '0') * 10 + (t[12] - '0')) * 60 + (t[14] - '0') * 10 + (t[15] - '0');
	if (db_begin(d))
		return 0;
	db_stmt *s = db_get(d, SQL_CURVE_SNAPSHOT);
	db_bind_text(s, 1, t);
	db_bind_int(s, 2, minute);
	if (db_run(s, NULL) || db_commit(d)) {
		db_rollback(d);
		return 0;
	}
	last_step = step;
	return (int)db_changes(d);
}

static json_t *curve_point(int64_t minute, json_t *reached, int64_t accounted, int64_t reported)
{
	return json_pack("{s:I,s:o,s:I,s:I}", "minute", (json_int_t)minute, "households_reached", reached,
	                 "residents_accounted", (json_int_t)accounted, "residents_reported", (json_int_t)reported);
}

/* One day's points of unit u. */
static werr curve_day(const actor *ac, const unit_row *u, const char *day, bool today, json_t **out)
{
	json_t *pts = json_array();
	werr e = WG_OK;
	int rc;
	if (curve_kind(u->kind)) {
		db_stmt *s = db_get(ac->d, SQL_CURVE_POINTS);
		db_bind_int(s, 1, u->id);
		db_bind_text(s, 2, day);
		while ((rc = db_step(s, &e)) == DB_ROW)
			json_array_append_new(pts, curve_point(db_int(s, 0), json_integer(db_int(s, 1)), db_int(s, 2), db_int(s, 3)));
		db_done(s);
		if (rc < 0) {
			json_decref(pts);
			return e;
		}
		/* and where the counters stand now (today) or ended (a past day) */
		s = db_get(ac->d, SQL_DAY_GET);
		db_bind_int(s, 1, u->id);
		db_bind_text(s, 2, day);
		if (db_step(s, &e) == DB_ROW) {
			int64_t minute = 24 * 60;
			if (today) {
				char t[32];
				fmt_time(now_s(), t);
				minute = ((t[11] - '0') * 10 + (t[12] - '0')) * 60 + (t[14] - '0') * 10 + (t[15] - '0');
			}
			json_array_append_new(pts, curve_point(minute, json_integer(db_int(s, 2)), db_int(s, 3), db_int(s, 4)));
		}
		db_done(s);
		*out = pts;
		return WG_OK;
	}
	/* a grid or below: bucket its check-ins (a few hundred) by recording time */
	int64_t acc[24 * 60 / CURVE_STEP + 1] = {0}, rep[24 * 60 / CURVE_STEP + 1] = {0};
	int64_t midnight = day_at(day, 0, 0);
	db_stmt *s = db_get(ac->d, SQL_CURVE_CHECKINS);
	db_bind_text(s, 1, day);
	db_bind_text(s, 2, u->path);
	db_bind_text(s, 3, scope_upper(ac->a, u->path));
	while ((rc = db_step(s, &e)) == DB_ROW) {
		int64_t m = (db_int(s, 0) - midnight) / 60;
		size_t b = m < 0 ? 0 : m >= 24 * 60 ? 24 * 60 / CURVE_STEP : (size_t)(m / CURVE_STEP + 1);
		acc[b]++;
		if (!strcmp(db_text(s, 1), "reported"))
			rep[b]++;
	}
	db_done(s);
	if (rc < 0) {
		json_decref(pts);
		return e;
	}
	int64_t ca = 0, cr = 0;
	size_t last = 24 * 60 / CURVE_STEP;
	if (today) {
		char t[32];
		fmt_time(now_s(), t);
		int minute = ((t[11] - '0') * 10 + (t[12] - '0')) * 60 + (t[14] - '0') * 10 + (t[15] - '0');
		last = (size_t)minute / CURVE_STEP + 1;
	}
	for (size_t b = 0; b <= last && b <= 24 * 60 / CURVE_STEP; b++) {
		ca += acc[b];
		cr += rep[b];
		if (acc[b] || b == last || b == 0)
			json_array_append_new(pts, curve_point((int64_t)b * CURVE_STEP, json_null(), ca, cr));
	}
	*out = pts;
	return WG_OK;
}

werr coverage_curve(const actor *ac, const char *unit_code, const char *day, json_t **out)
{
	unit_row u;
	werr e = unit_and_day(ac, unit_code, &day, &u);
	if (e)
		return e;
	char today[11], before[11];
	today_str(today);
	day_add(day, -1, before);
	json_t *a = NULL, *b = NULL;
	if ((e = curve_day(ac, &u, day, !strcmp(day, today), &a)))
		return e;
	if ((e = curve_day(ac, &u, before, false, &b))) {
		json_decref(a);
		return e;
	}
	*out = json_pack("{s:s,s:s,s:s,s:s,s:i,s:o,s:o}", "unit", u.code, "day", day, "previous_day", before, "source",
	                 curve_kind(u.kind) ? "counters" : "checkins", "step_minutes", CURVE_STEP, "points", a,
	                 "previous_points", b);
	return WG_OK;
}
