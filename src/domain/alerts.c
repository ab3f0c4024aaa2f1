/* alerts.c — see alerts.h. */
#include "domain/alerts.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/bus.h"
#include "core/jv.h"
#include "core/util.h"
#include "domain/calendar.h"
#include "domain/reactions.h"
#include "domain/readings.h"
#include "domain/settings.h"
#include "domain/tree.h"

static const char *const outcomes[] = {"excluded", "home_observation", "hospital", NULL};

static werr step(db *d, int64_t alert_id, int64_t by, const char *what, const char *value, const char *note)
{
	db_stmt *s = db_get(d, SQL_STEP_INSERT);
	db_bind_int(s, 1, alert_id);
	db_bind_int(s, 2, now_s());
	if (by)
		db_bind_int(s, 3, by);
	db_bind_text(s, 4, what);
	db_bind_text(s, 5, value);
	db_bind_text(s, 6, note);
	return db_run(s, NULL);
}

static const char *reading_text(arena *a, bool has_temp, double temp, unsigned symptoms)
{
	char *sym = NULL;
	if (symptoms) {
		json_t *j = symptoms_json(symptoms);
		char *t = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(6));
		sym = arena_strdup(a, t);
		free(t);
		json_decref(j);
	}
	if (has_temp)
		return sym ? arena_printf(a, "%.1f %s", temp, sym) : arena_printf(a, "%.1f", temp);
	return sym;
}

werr alert_open(const actor *ac, int64_t resident_id, int64_t household_id, int64_t district_id, int64_t checkin_id,
                const char *day, bool has_temp, double temp, unsigned symptoms, int64_t *alert_id, bool *opened)
{
	db_stmt *s = db_get(ac->d, SQL_ALERT_OPEN_OF_RES);
	db_bind_int(s, 1, resident_id);
	db_bind_int(s, 2, district_id);
	werr e = WG_OK;
	int rc = db_step(s, &e);
	int64_t id = rc == DB_ROW ? db_int(s, 0) : 0;
	db_done(s);
	if (rc < 0)
		return e;
	const char *reading = reading_text(ac->a, has_temp, temp, symptoms);
	*opened = id == 0;
	if (!id) {
		s = db_get(ac->d, SQL_ALERT_INSERT);
		db_bind_int(s, 1, resident_id);
		db_bind_int(s, 2, household_id);
		if (checkin_id) /* 0: a reading taken at a follow-up, not a check-in */
			db_bind_int(s, 3, checkin_id);
		db_bind_text(s, 4, day);
		if (has_temp)
			db_bind_double(s, 5, temp);
		db_bind_int(s, 6, symptoms);
		db_bind_int(s, 7, now_s());
		db_bind_int(s, 8, district_id);
		if ((e = db_run(s, &id)) || (e = step(ac->d, id, ac->user_id, "opened", reading, NULL)))
			return e;
	} else if ((e = step(ac->d, id, ac->user_id, "reading", reading, NULL))) {
		return e;
	}
	*alert_id = id;
	return WG_OK;
}

static json_t *alert_row_json(db_stmt *s)
{
	char opened[32], updated[32], closed[32];
	fmt_time(db_int(s, 11), opened);
	fmt_time(db_int(s, 12), updated);
	if (!db_null(s, 13))
		fmt_time(db_int(s, 13), closed);
	bool ent = !strcmp(db_text(s, 17), "entrance");
	return json_pack("{s:I,s:I,s:I,s:s,s:o,s:o,s:s,s:o,s:I,s:o,s:o,s:s,s:s,s:o,s:s,s:s,s:s,s:o,s:o}", "id",
	                 (json_int_t)db_int(s, 0), "resident_id", (json_int_t)db_int(s, 1), "household_id",
	                 (json_int_t)db_int(s, 2), "day", db_text(s, 3), "temperature",
	                 db_null(s, 4) ? json_null() : json_real(db_double(s, 4)), "symptoms",
	                 symptoms_json((unsigned)db_int(s, 5)), "state", db_text(s, 6), "outcome", jv_text(db_text(s, 7)),
	                 "level", (json_int_t)db_int(s, 8), "door_checker",
	                 db_null(s, 9) ? json_null()
	                               : json_pack("{s:s,s:s}", "username", db_text(s, 21), "name", db_text(s, 22)),
	                 "recheck_day", jv_text(db_text(s, 10)), "opened_at", opened, "updated_at", updated, "closed_at",
	                 db_null(s, 13) ? json_null() : json_string(closed), "resident_name", db_text(s, 14), "room",
	                 db_text(s, 15), "unit_code", db_text(s, 16), "building",
	                 jv_text(ent ? db_text(s, 19) : db_text(s, 18)), "entrance", jv_text(ent ? db_text(s, 18) : NULL));
}

json_t *alert_event_json(db *d, arena *a, int64_t alert_id, int64_t district_id, const char **path_out)
{
	db_stmt *s = db_get(d, district_id ? SQL_ALERT_GET_IN : SQL_ALERT_GET);
	db_bind_int(s, 1, alert_id);
	if (district_id)
		db_bind_int(s, 2, district_id);
	werr e;
	json_t *o = NULL;
	if (db_step(s, &e) == DB_ROW) {
		o = alert_row_json(s);
		*path_out = arena_strdup(a, db_text(s, 20));
	}
	db_done(s);
	return o;
}

/* What is due on an open alert today: the door readings (twice a day until it is
 * closed) and the next-day re-check (a check-in on or after recheck_day). */
static werr add_due(db *d, json_t *a)
{
	const char *state = json_string_value(json_object_get(a, "state"));
	int64_t id = json_integer_value(json_object_get(a, "id"));
	char today[11];
	today_str(today);
	int64_t now = now_s(), midnight = now - ((now + 8 * 3600) % 86400); /* 00:00 China time */
	werr e = WG_OK;
	int64_t n = 0;
	db_stmt *s = db_get(d, SQL_DOOR_READINGS_SINCE);
	db_bind_int(s, 1, id);
	db_bind_int(s, 2, midnight);
	int rc = db_step(s, &e);
	if (rc == DB_ROW)
		n = db_int(s, 0);
	db_done(s);
	if (rc < 0)
		return e;
	bool open = state && strcmp(state, "closed") != 0;
	json_object_set_new(a, "door_readings_today", json_integer(n));
	json_object_set_new(a, "door_readings_due_today", json_integer(open && n < 2 ? 2 - n : 0));
	const char *recheck = json_string_value(json_object_get(a, "recheck_day"));
	bool due = false;
	if (recheck && strcmp(recheck, today) <= 0) {
		s = db_get(d, SQL_CHK_CURRENT);
		db_bind_int(s, 1, json_integer_value(json_object_get(a, "resident_id")));
		db_bind_text(s, 2, today);
		rc = db_step(s, &e);
		due = rc != DB_ROW;
		db_done(s);
		if (rc < 0)
			return e;
	}
	json_object_set_new(a, "recheck_due", json_boolean(due));
	return WG_OK;
}

static werr alert_load(const actor *ac, int64_t id, json_t **out, const char **path)
{
	db_stmt *s = db_get(ac->d, SQL_ALERT_GET);
	db_bind_int(s, 1, id);
	werr e = WG_OK;
	int rc = db_step(s, &e);
	*out = NULL;
	if (rc == DB_ROW && actor_in_scope(ac, db_text(s, 20))) {
		*out = alert_row_json(s);
		*path = arena_strdup(ac->a, db_text(s, 20));
	}
	db_done(s);
	if (rc < 0)
		return e;
	if (!*out)
		return w_fail(W_ENOTFOUND, "alert_not_found", "alert_id", "没有这条预警 / no such alert");
	return WG_OK;
}

static werr steps_json(db *d, int64_t id, json_t *into)
{
	json_t *arr = json_array();
	json_object_set_new(into, "steps", arr);
	db_stmt *s = db_get(d, SQL_ALERT_STEPS);
	db_bind_int(s, 1, id);
	werr e = WG_OK;
	int rc;
	while ((rc = db_step(s, &e)) == DB_ROW) {
		char at[32];
		fmt_time(db_int(s, 0), at);
		json_array_append_new(arr, json_pack("{s:s,s:s,s:o,s:o,s:o,s:o}", "at", at, "step", db_text(s, 1), "value",
		                                     jv_text(db_text(s, 2)), "note", jv_text(db_text(s, 3)), "by",
		                                     jv_text(db_text(s, 4)), "by_name", jv_text(db_text(s, 5))));
	}
	db_done(s);
	return rc < 0 ? e : WG_OK;
}

werr alert_get(const actor *ac, int64_t id, json_t **out)
{
	const char *path;
	werr e = alert_load(ac, id, out, &path);
	if (e)
		return e;
	if ((e = steps_json(ac->d, id, *out)) || (e = add_due(ac->d, *out))) {
		json_decref(*out);
		*out = NULL;
		return e;
	}
	return audit(ac, "read", "alert", id, "name,temperature,symptoms", "ok");
}

werr alert_list(const actor *ac, const char *unit_code, const char *state, int64_t limit, int64_t offset,
                json_t **out)
{
	unit_row u;
	werr e = unit_scope(ac, unit_code, &u);
	if (e)
		return e;
	static const char *const states[] = {"open",   "acknowledged", "clinic", "observation",
	                                     "closed", "active",       NULL};
	if (state && *state && !str_in_list(state, states))
		return w_fail(W_EINVAL, "invalid_state", "state",
		              "state: open acknowledged clinic observation closed active");
	const char *up = scope_upper(ac->a, u.path);
	int64_t district; /* a grid's or a district's list names its district: one shard on Citus */
	if ((e = unit_sole_district(ac, &u, &district)))
		return e;
	db_stmt *s = db_get(ac->d, SQL_ALERT_COUNT);
	db_bind_text(s, 1, u.path);
	db_bind_text(s, 2, up);
	db_bind_text(s, 3, state ? state : "");
	db_bind_int(s, 4, district);
	int64_t total = 0;
	if ((e = db_scalar(s, &total)))
		return e;
	int rc;
	json_t *items = json_array();
	s = db_get(ac->d, SQL_ALERT_LIST);
	db_bind_text(s, 1, u.path);
	db_bind_text(s, 2, up);
	db_bind_text(s, 3, state ? state : "");
	db_bind_int(s, 4, limit);
	db_bind_int(s, 5, offset);
	db_bind_int(s, 6, district);
	while ((rc = db_step(s, &e)) == DB_ROW)
		json_array_append_new(items, alert_row_json(s));
	db_done(s);
	size_t i;
	json_t *it;
	json_array_foreach(items, i, it)
	{
		if (rc >= 0 && (e = add_due(ac->d, it)))
			rc = -1;
	}
	if (rc < 0 ||
	    (e = audit(ac, "read", "alert", 0, arena_printf(ac->a, "list unit:%s", u.code), "ok"))) {
		json_decref(items);
		return e;
	}
	*out = jv_page(items, total, limit, offset);
	return WG_OK;
}

werr alert_step(const actor *ac, int64_t id, json_t *body, json_t **out)
{
	static const char *const allowed[] = {"step", "note", "outcome", "temperature", "door_checker", NULL};
	const char *what, *note, *outcome, *checker;
	werr e;
	if ((e = jv_only(body, allowed)) || (e = jv_str(body, "step", true, 20, &what)) ||
	    (e = jv_str(body, "note", false, 500, &note)) || (e = jv_str(body, "outcome", false, 20, &outcome)) ||
	    (e = jv_str(body, "door_checker", false, 32, &checker)))
		return e;
	json_t *a;
	const char *path;
	if ((e = alert_load(ac, id, &a, &path)))
		return e;
	const char *state = arena_strdup(ac->a, json_string_value(json_object_get(a, "state")));
	const char *cur_outcome = json_string_value(json_object_get(a, "outcome"));
	char *new_outcome = cur_outcome ? arena_strdup(ac->a, cur_outcome) : NULL;
	const char *day = arena_strdup(ac->a, json_string_value(json_object_get(a, "day")));
	int64_t resident_id = json_integer_value(json_object_get(a, "resident_id"));
	int64_t level = json_integer_value(json_object_get(a, "level"));
	json_t *dc = json_object_get(a, "door_checker");
	const char *old_checker = json_is_object(dc) ? arena_strdup(ac->a, json_string_value(json_object_get(dc, "username"))) : NULL;
	const char *recheck = json_string_value(json_object_get(a, "recheck_day"));
	char *new_recheck = recheck ? arena_strdup(ac->a, recheck) : NULL;
	json_decref(a);
	int64_t checker_id = 0;
	const char *new_state = state, *value = NULL;
	bool closed = !strcmp(state, "closed");
	if (closed && strcmp(what, "note") != 0)
		return w_fail(W_ECONFLICT, "alert_closed", "step", "这条预警已关闭 / the alert is closed");
	if (!strcmp(what, "acknowledged")) {
		if (strcmp(state, "open") != 0)
			return w_fail(W_ECONFLICT, "invalid_transition", "step", "这条预警已有人确认 / only an open alert can be acknowledged");
		new_state = "acknowledged";
	} else if (!strcmp(what, "clinic_check")) {
		if (strcmp(state, "open") != 0 && strcmp(state, "acknowledged") != 0)
			return w_fail(W_ECONFLICT, "invalid_transition", "step", "这条预警已有处置结果，不能再记诊所复查 / clinic_check follows open or acknowledged");
		new_state = "clinic";
	} else if (!strcmp(what, "outcome")) {
		if (!outcome || !str_in_list(outcome, outcomes))
			return w_fail(W_EINVAL, "invalid_outcome", "outcome",
			              "请选择结果：排除、居家观察或送医 / outcome: excluded, home_observation or hospital");
		/* the workflow's order: somebody has taken the alert before it has an outcome */
		if (!strcmp(state, "open"))
			return w_fail(W_ECONFLICT, "acknowledge_first", "step",
			              "请先确认收到，再记录结果 / acknowledge the alert before recording its outcome");
		/* a fever is excluded by somebody, somehow: say who and how */
		if (!strcmp(outcome, "excluded") && (!note || !note[strspn(note, " \t\r\n")]))
			return w_fail(W_EINVAL, "required", "note",
			              "排除须写明由谁、如何排除（如：社区医院复测 36.6 ℃） / excluding needs a note: who excluded it and how");
		new_outcome = arena_strdup(ac->a, outcome);
		value = outcome;
		/* home observation stays open for the door readings until it is closed */
		new_state = !strcmp(outcome, "home_observation") ? "observation" : "closed";
		if (strcmp(outcome, "hospital") != 0) {
			new_recheck = arena_alloc(ac->a, 11);
			day_add(day, 1, new_recheck);
		}
	} else if (!strcmp(what, "close")) {
		if (strcmp(state, "observation") != 0)
			return w_fail(W_ECONFLICT, "invalid_transition", "step", "只有居家观察中的预警可以结束观察，请先记录处置结果 / close ends a home observation; give an outcome first");
		new_state = "closed";
	} else if (!strcmp(what, "door_reading")) {
		json_t *t = json_object_get(body, "temperature");
		if (!t || !json_is_number(t) || json_number_value(t) < 34.0 || json_number_value(t) > 43.0)
			return w_fail(W_EINVAL, "out_of_range", "temperature", "体温应在 34.0–43.0 °C / temperature 34.0–43.0 °C");
		value = arena_printf(ac->a, "%.1f", json_number_value(t));
	} else if (!strcmp(what, "assign")) {
		if (!checker)
			return w_fail(W_EINVAL, "required", "door_checker", "请填写上门测温人的账号 / door_checker (a username) is required");
		db_stmt *s = db_get(ac->d, SQL_USER_ID_BY_NAME);
		db_bind_text(s, 1, checker);
		int rc = db_step(s, &e);
		if (rc == DB_ROW && actor_in_scope(ac, db_text(s, 1)))
			checker_id = db_int(s, 0);
		db_done(s);
		if (rc < 0)
			return e;
		if (!checker_id)
			return w_fail(W_EINVAL, "user_not_found", "door_checker", "没有这个账号 / no such user in your units");
		value = checker;
	} else if (strcmp(what, "note") != 0) {
		return w_fail(W_EINVAL, "invalid_step", "step",
		              "没有这个处置步骤 / step: acknowledged clinic_check outcome close door_reading assign note");
	}
	if (!strcmp(what, "note") && !note)
		return w_fail(W_EINVAL, "required", "note", "请填写备注 / a note step needs a note");
	if ((e = db_begin(ac->d)))
		return e;
	db_stmt *s = db_get(ac->d, SQL_ALERT_UPDATE);
	db_bind_int(s, 1, id);
	db_bind_text(s, 2, new_state);
	db_bind_text(s, 3, new_outcome);
	db_bind_int(s, 4, level);
	if (checker_id) {
		db_bind_int(s, 5, checker_id);
	} else if (old_checker) {
		db_stmt *q = db_get(ac->d, SQL_USER_ID_BY_NAME);
		db_bind_text(q, 1, old_checker);
		int qrc = db_step(q, &e);
		int64_t old = qrc == DB_ROW ? db_int(q, 0) : 0;
		db_done(q);
		if (qrc < 0) {
			db_rollback(ac->d);
			return e;
		}
		if (old)
			db_bind_int(s, 5, old);
	}
	db_bind_text(s, 6, new_recheck);
	db_bind_int(s, 7, now_s());
	if (!strcmp(new_state, "closed"))
		db_bind_int(s, 8, now_s());
	if ((e = db_run(s, NULL)) || (e = step(ac->d, id, ac->user_id, what, value, note)) ||
	    (!strcmp(what, "outcome") && (e = reactions.alert_outcome(ac, resident_id, id, outcome))) ||
	    (e = audit(ac, "update", "alert", id, arena_printf(ac->a, "step:%s", what), "ok")) ||
	    (e = db_commit(ac->d))) {
		db_rollback(ac->d);
		return e;
	}
	const char *p2;
	json_t *ev = alert_event_json(ac->d, ac->a, id, 0, &p2);
	if (ev) {
		char *txt = json_dumps(ev, JSON_COMPACT | JSON_REAL_PRECISION(6));
		bus_publish(p2, "alert", txt);
		free(txt);
		json_decref(ev);
	}
	return alert_get(ac, id, out);
}

werr alert_history(const actor *ac, int64_t resident_id, json_t **out)
{
	*out = json_array();
	db_stmt *s = db_get(ac->d, SQL_ALERT_OF_RES);
	db_bind_int(s, 1, resident_id);
	werr e = WG_OK;
	int rc;
	while ((rc = db_step(s, &e)) == DB_ROW)
		json_array_append_new(*out, alert_row_json(s));
	db_done(s);
	size_t i;
	json_t *it;
	json_array_foreach(*out, i, it)
	{
		if (rc >= 0 && (e = steps_json(ac->d, json_integer_value(json_object_get(it, "id")), it)))
			rc = -1;
	}
	if (rc < 0) {
		json_decref(*out);
		*out = NULL;
		return e;
	}
	return WG_OK;
}

/* What the ticker found due: alerts to escalate, at the level each was found at, and
 * grids to remind; alert_tick_write marks the escalations it made. */
typedef struct {
	int64_t id, level;
	bool done;
} esc_due;
typedef struct {
	int64_t id, missing;
	const char *path, *code, *name;
} rem_due;
typedef struct {
	int64_t now;
	char day[11];
	esc_due *esc;
	size_t nesc;
	rem_due *rem;
	size_t nrem;
} tick_plan;

/* The writes only, inside the committer's transaction (actor.h: it may run twice). */
static werr alert_tick_write(const actor *ac, void *plan)
{
	tick_plan *t = plan;
	werr e;
	for (size_t i = 0; i < t->nesc; i++) {
		t->esc[i].done = false;
		db_stmt *s = db_get(ac->d, SQL_ALERT_ESCALATE);
		db_bind_int(s, 1, t->esc[i].id);
		db_bind_int(s, 2, t->now);
		db_bind_int(s, 3, t->esc[i].level);
		if ((e = db_run(s, NULL)))
			return e;
		if (db_changes(ac->d) != 1)
			continue; /* acknowledged, or escalated, since it was found */
		if ((e = step(ac->d, t->esc[i].id, 0, "escalated", NULL,
		              "无人确认,已上报上一级 / not acknowledged: escalated one level up")))
			return e;
		t->esc[i].done = true;
	}
	for (size_t i = 0; i < t->nrem; i++) {
		db_stmt *s = db_get(ac->d, SQL_REMINDER_INSERT);
		db_bind_int(s, 1, t->rem[i].id);
		db_bind_text(s, 2, t->day);
		db_bind_int(s, 3, t->rem[i].missing);
		db_bind_int(s, 4, t->now);
		if ((e = db_run(s, NULL)))
			return e;
	}
	return WG_OK;
}

int rollcall_tick(db *d, arena *a, int64_t now, tick_commit commit)
{
	tick_plan t = {.now = now};
	werr e;
	/* escalation: unacknowledged for escalate_minutes × (level + 1) */
	t.esc = arena_alloc(a, 1000 * sizeof *t.esc);
	db_stmt *s = db_get(d, SQL_ALERT_ESCALATE_DUE);
	db_bind_int(s, 1, now);
	db_bind_int(s, 2, rc_config.escalate_minutes);
	while (db_step(s, &e) == DB_ROW && t.nesc < 1000)
		t.esc[t.nesc++] = (esc_due){db_int(s, 0), db_int(s, 1), false};
	db_done(s);
	/* deadline reminders to grid leaders */
	char tm[32];
	fmt_time(now, tm);
	int hh = (tm[11] - '0') * 10 + (tm[12] - '0'), mm = (tm[14] - '0') * 10 + (tm[15] - '0');
	tm[10] = 0;
	memcpy(t.day, tm, sizeof t.day);
	if (hh * 60 + mm >= rc_config.deadline_minutes) {
		size_t cap = 0;
		s = db_get(d, SQL_REMINDER_DUE);
		db_bind_text(s, 1, t.day);
		while (db_step(s, &e) == DB_ROW) {
			if (t.nrem == cap) {
				cap = cap ? cap * 2 : 64;
				rem_due *nrs = arena_alloc(a, cap * sizeof *nrs);
				if (t.nrem)
					memcpy(nrs, t.rem, t.nrem * sizeof *t.rem);
				t.rem = nrs;
			}
			t.rem[t.nrem++] =
			    (rem_due){db_int(s, 0), db_int(s, 4), arena_strdup(a, db_text(s, 1)),
			              arena_strdup(a, db_text(s, 2)), arena_strdup(a, db_text(s, 3))};
		}
		db_done(s);
	}
	if (!t.nesc && !t.nrem)
		return 0;
	/* the writes where the caller commits (the writer's batch on SQLite: ticker.c); the
	 * events read back here, after the commit */
	actor ac = {
	    .d = d, .a = a, .username = "ticker", .role = ROLE_NONE, .unit_path = "/", .source = "ticker"};
	if (commit(&ac, alert_tick_write, &t)) {
		w_clear(); /* the next tick finds them again */
		return 0;
	}
	int done = 0;
	for (size_t i = 0; i < t.nesc; i++) {
		if (!t.esc[i].done)
			continue;
		const char *path;
		json_t *ev = alert_event_json(d, a, t.esc[i].id, 0, &path);
		if (ev) {
			/* the escalated alert is announced `level` units above the household's grid */
			int64_t level = json_integer_value(json_object_get(ev, "level"));
			/* up to the nearest grid (the household's unit may be a building or an entrance;
			 * the top of the tree when there is no grid), then one unit up per level; the
			 * escalation is committed, so a failed read announces it at the household */
			int64_t grid = 0;
			int up = 0;
			if (path_ancestor(d, path, "grid", &grid, &up))
				w_clear();
			else if (!grid)
				up = INT_MAX / 2;
			bus_publish_json(path_above(a, path, up + (int)level), "alert_escalated", ev);
		}
		done++;
	}
	for (size_t i = 0; i < t.nrem; i++) {
		json_t *ev = json_pack("{s:s,s:s,s:s,s:I}", "unit", t.rem[i].code, "name", t.rem[i].name,
		                       "day", t.day, "households_missing", (json_int_t)t.rem[i].missing);
		char *txt = json_dumps(ev, JSON_COMPACT | JSON_REAL_PRECISION(6));
		bus_publish(t.rem[i].path, "reminder", txt);
		free(txt);
		json_decref(ev);
	}
	return done + (int)t.nrem;
}

werr reminder_list(const actor *ac, const char *unit_code, const char *day, json_t **out)
{
	unit_row u;
	werr e = unit_scope(ac, unit_code, &u);
	if (e)
		return e;
	char today[11];
	if (!day) {
		today_str(today);
		day = today;
	}
	json_t *items = json_array();
	db_stmt *s = db_get(ac->d, SQL_REMINDER_LIST);
	db_bind_text(s, 1, u.path);
	db_bind_text(s, 2, scope_upper(ac->a, u.path));
	db_bind_text(s, 3, day);
	int rc;
	while ((rc = db_step(s, &e)) == DB_ROW) {
		char at[32];
		fmt_time(db_int(s, 3), at);
		json_array_append_new(items, json_pack("{s:s,s:s,s:I,s:s,s:I}", "unit", db_text(s, 0), "name", db_text(s, 1),
		                                       "households_missing_at_deadline", (json_int_t)db_int(s, 2), "raised_at",
		                                       at, "households_missing_now", (json_int_t)db_int(s, 4)));
	}
	db_done(s);
	if (rc < 0) {
		json_decref(items);
		return e;
	}
	*out = json_pack("{s:s,s:o,s:I}", "day", day, "items", items, "total", (json_int_t)json_array_size(items));
	return WG_OK;
}
