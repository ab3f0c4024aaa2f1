/* epi.c — see epi.h. */
#include "domain/epi.h"

#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#include "core/bus.h"
#include "core/csv.h"

#include "core/jv.h"
#include "core/utf8.h"
#include "core/util.h"
#include "domain/alerts.h"
#include "domain/calendar.h"
#include "domain/people.h"
#include "domain/reactions.h"
#include "domain/readings.h"
#include "domain/settings.h"
#include "domain/tree.h"

static const char *const categories[] = {"confirmed",         "suspected",          "fever_unexcluded",
                                         "close_contact",     "secondary_contact",  "travel_observation",
                                         "recovered_observation", "cleared",        NULL};
enum { NCAT = 8 };

static const char *const reasons[] = {"fever_alert",       "clinic_excluded", "test_positive",   "test_negative",
                                      "hospital_diagnosis", "contact_tracing", "agency_list",     "travel_history",
                                      "symptoms",          "discharged",      "observation_complete", "correction",
                                      "other",             NULL};

/* The allowed changes: from (""  = no category) → the categories it may become. */
static const struct {
	const char *from;
	const char *to[7];
} transitions[] = {
    {"", {"confirmed", "suspected", "fever_unexcluded", "close_contact", "secondary_contact", "travel_observation", NULL}},
    {"cleared", {"confirmed", "suspected", "fever_unexcluded", "close_contact", "secondary_contact", "travel_observation", NULL}},
    {"travel_observation", {"confirmed", "suspected", "fever_unexcluded", "close_contact", "secondary_contact", "cleared", NULL}},
    {"secondary_contact", {"confirmed", "suspected", "fever_unexcluded", "close_contact", "cleared", NULL}},
    {"close_contact", {"confirmed", "suspected", "fever_unexcluded", "cleared", NULL}},
    {"fever_unexcluded", {"confirmed", "suspected", "close_contact", "cleared", NULL}},
    {"suspected", {"confirmed", "close_contact", "cleared", NULL}},
    {"confirmed", {"recovered_observation", NULL}},
    {"recovered_observation", {"confirmed", "cleared", NULL}},
};

/* The household rule: who else in the household is observed with a person of a category. */
static const struct {
	const char *category, *household;
} household_rule[] = {
    {"confirmed", "close_contact"},
    {"suspected", "close_contact"},
    {"close_contact", "secondary_contact"},
};

/* Categories whose isolation ends in `cleared` when released. */
static const char *const observation_categories[] = {"close_contact", "secondary_contact", "travel_observation",
                                                     "recovered_observation", "fever_unexcluded", NULL};

static const char *const iso_kinds[] = {"home", "centralised", "hospital", NULL};

/* Follow-up slots: due at these times of each isolated day (China time). */
static const struct {
	int hh, mm;
} slots[] = {{12, 0}, {18, 0}};
enum { NSLOTS = sizeof slots / sizeof slots[0] };

bool epi_category_valid(const char *c)
{
	return str_in_list(c, categories);
}

bool epi_in_four(const char *c)
{
	static const char *const four[] = {"confirmed", "suspected", "fever_unexcluded", "close_contact",
	                                   NULL};
	return str_in_list(c, four);
}

/* How grave a category is, for automatic changes that must never move someone down. */
static int gravity(const char *c)
{
	static const struct {
		const char *c;
		int g;
	} table[] = {{"confirmed", 6},         {"suspected", 5},          {"fever_unexcluded", 4},
	             {"close_contact", 3},     {"secondary_contact", 2},  {"travel_observation", 1},
	             {"recovered_observation", 1}};
	for (size_t i = 0; c && i < sizeof table / sizeof table[0]; i++)
		if (!strcmp(table[i].c, c))
			return table[i].g;
	return 0;
}

static bool transition_ok(const char *from, const char *to)
{
	for (size_t i = 0; i < sizeof transitions / sizeof transitions[0]; i++)
		if (!strcmp(transitions[i].from, from ? from : ""))
			return str_in_list(to, transitions[i].to);
	return false;
}

/* ---- status ---- */

werr epi_current(const actor *ac, int64_t resident_id, const char **out)
{
	db_stmt *s = db_get(ac->d, SQL_EPI_GET);
	db_bind_int(s, 1, resident_id);
	werr e = WG_OK;
	int rc = db_step(s, &e);
	*out = rc == DB_ROW ? arena_strdup(ac->a, db_text(s, 0)) : NULL;
	db_done(s);
	return rc < 0 ? e : WG_OK;
}

werr epi_change_tx(const actor *ac, int64_t resident_id, const char *to, const char *reason, const char *note,
                   const char *source, int flags, bool *changed, json_t *extra)
{
	*changed = false;
	const char *from;
	werr e0 = epi_current(ac, resident_id, &from);
	if (e0)
		return e0;
	if (from && !strcmp(from, to)) {
		if (flags & EPI_SKIP)
			return WG_OK;
		return w_fail(W_ECONFLICT, "same_category", "category", "已是该类别 / the person is already %s", to);
	}
	if ((flags & EPI_UP_ONLY) && gravity(from) >= gravity(to))
		return WG_OK;
	if (!(flags & EPI_FORCE) && !transition_ok(from, to)) {
		if (flags & EPI_SKIP)
			return WG_OK;
		return w_fail(W_ECONFLICT, "invalid_transition", "category",
		              "不能从“%s”改为“%s” / %s cannot become %s (a correction can, with a note)", from ? from : "无",
		              to, from ? from : "no category", to);
	}
	int64_t now = now_s();
	char today[11];
	today_str(today);
	db_stmt *s = db_get(ac->d, SQL_EPI_HISTORY_INSERT);
	db_bind_int(s, 1, resident_id);
	db_bind_int(s, 2, now);
	db_bind_text(s, 3, today);
	if (ac->user_id)
		db_bind_int(s, 4, ac->user_id);
	db_bind_text(s, 5, from);
	db_bind_text(s, 6, to);
	db_bind_text(s, 7, reason);
	db_bind_text(s, 8, note);
	db_bind_text(s, 9, source);
	werr e = db_run(s, NULL);
	if (e)
		return e;
	s = db_get(ac->d, SQL_EPI_UPSERT);
	db_bind_int(s, 1, resident_id);
	db_bind_text(s, 2, to);
	db_bind_int(s, 3, now);
	db_bind_text(s, 4, today);
	if ((e = db_run(s, NULL)) ||
	    (e = audit(ac, "update", "status", resident_id, arena_printf(ac->a, "category,reason%s", note ? ",note" : ""), "ok")))
		return e;
	*changed = true;
	if (extra) /* the time stored, for the answer: a second later after the commit is another */
		json_object_set_new(extra, "at", json_integer(now));
	if (!strcmp(to, "confirmed"))
		return reactions.confirmed(ac, resident_id, extra);
	return WG_OK;
}

werr epi_status_post(const actor *ac, int64_t resident_id, json_t *body, json_t **out)
{
	static const char *const allowed[] = {"category", "reason", "note", NULL};
	const char *cat, *reason, *note;
	werr e;
	if ((e = jv_only(body, allowed)) || (e = jv_str(body, "category", true, 30, &cat)) ||
	    (e = jv_str(body, "reason", true, 30, &reason)) || (e = jv_str(body, "note", false, 500, &note)))
		return e;
	if (!epi_category_valid(cat))
		return w_fail(
		    W_EINVAL, "invalid_category", "category",
		    "category: confirmed suspected fever_unexcluded close_contact secondary_contact "
		    "travel_observation recovered_observation cleared");
	if (!str_in_list(reason, reasons))
		return w_fail(
		    W_EINVAL, "invalid_reason", "reason",
		    "reason: fever_alert clinic_excluded test_positive test_negative hospital_diagnosis "
		    "contact_tracing agency_list travel_history symptoms discharged observation_complete "
		    "correction other");
	if ((!strcmp(reason, "correction") || !strcmp(reason, "other")) && !note)
		return w_fail(W_EINVAL, "required", "note", "更正或其他原因须写明 / a correction or other reason needs a note");
	person p;
	if ((e = person_load(ac, resident_id, true, &p)))
		return e;
	if (p.moved_out)
		return w_fail(W_ECONFLICT, "moved_out", "resident_id", "此人已迁出 / the person has moved out");
	const char *prev;
	if ((e = epi_current(ac, resident_id, &prev)))
		return e;
	json_t *extra = json_pack("{s:[],s:[]}", "household_observed", "tasks");
	bool changed;
	if ((e = db_begin(ac->d))) {
		json_decref(extra);
		return e;
	}
	if ((e = epi_change_tx(ac, resident_id, cat, reason, note, NULL, !strcmp(reason, "correction") ? EPI_FORCE : 0,
	                       &changed, extra)) ||
	    (e = db_commit(ac->d))) {
		db_rollback(ac->d);
		json_decref(extra);
		return e;
	}
	/* the feeds carry no one: every role that reads the feed in the unit gets the event,
	 * commands included, who are promised counts — so no resident id either */
	bus_publish_json(p.path, "category",
	                 json_pack("{s:s,s:s,s:s,s:o,s:I}", "unit_code", p.unit_code, "building",
	                           p.building ? p.building : "", "category", cat, "previous", jv_text(prev),
	                           "tasks", (json_int_t)json_array_size(json_object_get(extra, "tasks"))));
	char since[32];
	fmt_time(json_integer_value(json_object_get(extra, "at")), since);
	*out = json_pack("{s:I,s:s,s:o,s:s,s:s,s:o,s:o,s:O,s:O}", "resident_id", (json_int_t)resident_id, "category", cat,
	                 "previous", jv_text(prev), "since", since, "reason", reason, "note", jv_text(note), "by",
	                 jv_text(ac->username), "household_observed", json_object_get(extra, "household_observed"),
	                 "tasks", json_object_get(extra, "tasks"));
	json_decref(extra);
	return WG_OK;
}

werr epi_status_get(const actor *ac, int64_t resident_id, json_t **out)
{
	person p;
	werr e = person_load(ac, resident_id, true, &p);
	if (e)
		return e;
	const char *cat = NULL;
	char since[32] = "";
	db_stmt *s = db_get(ac->d, SQL_EPI_GET);
	db_bind_int(s, 1, resident_id);
	int rc = db_step(s, &e);
	if (rc == DB_ROW) {
		cat = arena_strdup(ac->a, db_text(s, 0));
		fmt_time(db_int(s, 1), since);
	}
	db_done(s);
	if (rc < 0) /* not "no category" */
		return e;
	json_t *hist = json_array();
	s = db_get(ac->d, SQL_EPI_HISTORY);
	db_bind_int(s, 1, resident_id);
	while ((rc = db_step(s, &e)) == DB_ROW) {
		char at[32];
		fmt_time(db_int(s, 1), at);
		json_array_append_new(hist, json_pack("{s:I,s:s,s:s,s:o,s:s,s:s,s:o,s:o,s:o,s:o}", "id", (json_int_t)db_int(s, 0),
		                                      "at", at, "day", db_text(s, 2), "from", jv_text(db_text(s, 3)), "to",
		                                      db_text(s, 4), "reason", db_text(s, 5), "note", jv_text(db_text(s, 6)),
		                                      "source", jv_text(db_text(s, 7)), "by", jv_text(db_text(s, 8)),
		                                      "by_name", jv_text(db_text(s, 9))));
	}
	db_done(s);
	json_t *iso = NULL;
	if (rc < 0 || (e = epi_isolation_brief(ac->d, resident_id, &iso)) ||
	    (e = audit(ac, "read", "status", resident_id, "category,history", "ok"))) {
		json_decref(hist);
		json_decref(iso);
		return e;
	}
	*out = json_pack("{s:I,s:s,s:o,s:o,s:o,s:o}", "resident_id", (json_int_t)resident_id, "name", p.name,
	                 "category", jv_text(cat), "since", cat ? json_string(since) : json_null(),
	                 "isolation", iso, "history", hist);
	return WG_OK;
}

werr epi_from_alert_tx(const actor *ac, int64_t resident_id, int64_t alert_id, const char *outcome)
{
	const char *src = arena_printf(ac->a, "alert:%lld", (long long)alert_id);
	bool changed;
	if (!strcmp(outcome, "hospital"))
		return epi_change_tx(ac, resident_id, "suspected", "fever_alert", NULL, src, EPI_SKIP | EPI_UP_ONLY, &changed, NULL);
	if (!strcmp(outcome, "home_observation"))
		return epi_change_tx(ac, resident_id, "fever_unexcluded", "fever_alert", NULL, src, EPI_SKIP | EPI_UP_ONLY, &changed,
		                     NULL);
	const char *cur;
	werr e = epi_current(ac, resident_id, &cur);
	if (e)
		return e;
	if (!strcmp(outcome, "excluded") && cur && !strcmp(cur, "fever_unexcluded"))
		return epi_change_tx(ac, resident_id, "cleared", "clinic_excluded", NULL, src, EPI_SKIP, &changed, NULL);
	return WG_OK;
}

/* ---- counts ---- */

/* One row of the counts table (the unit, or one child) being summed. */
typedef struct {
	const char *path;
	json_t *row, *counts, *iso;
	int64_t four, new_today, released, overdue, not_admitted;
} count_acc;

static count_acc *acc_for(count_acc *acc, size_t n, const char *path)
{
	for (size_t i = 1; i < n; i++) /* a child whose subtree holds path */
		if (!strncmp(path, acc[i].path, strlen(acc[i].path)))
			return &acc[i];
	return NULL;
}

static void acc_add(count_acc *acc, size_t n, const char *path, int what, const char *key, int64_t v, int64_t v2)
{
	count_acc *targets[2] = {&acc[0], acc_for(acc, n, path)};
	for (int t = 0; t < 2; t++) {
		count_acc *c = targets[t];
		if (!c)
			continue;
		switch (what) {
		case 0:
			json_object_set_new(c->counts, key, json_integer(json_integer_value(json_object_get(c->counts, key)) + v));
			if (epi_in_four(key))
				c->four += v;
			if (strcmp(key, "cleared") != 0)
				c->new_today += v2;
			break;
		case 1:
			json_object_set_new(c->iso, key, json_integer(json_integer_value(json_object_get(c->iso, key)) + v));
			break;
		case 2:
			c->released += v;
			break;
		case 3:
			c->overdue += v;
			break;
		default:
			c->not_admitted += v;
			break;
		}
	}
}

/* Whether the people in a category of u's subtree are found faster from its households
 * (a community, a grid) than from everyone in a category (a city, a district): reading a
 * resident of the subtree costs about a ninth of following a person in a category out to
 * their unit (measured on 1 M residents: a grid 0.5 ms against 79 ms, a community 4.9 ms
 * against 77, a district 107 against 85). */
static bool from_unit_by(const actor *ac, const unit_row *u, sql_id total, int64_t factor)
{
	int64_t people = 0, residents = 0;
	db_stmt *s = db_get(ac->d, total);
	if (db_scalar(s, &people) != WG_OK) { /* either order answers the same: keep the first */
		w_clear();
		return false;
	}
	s = db_get(ac->d, SQL_STATS_GET);
	db_bind_int(s, 1, u->id);
	werr e;
	if (db_step(s, &e) == DB_ROW)
		residents = db_int(s, 1);
	db_done(s);
	w_clear();
	return residents < factor * people;
}

static bool from_unit(const actor *ac, const unit_row *u)
{
	return from_unit_by(ac, u, SQL_EPI_TOTAL, 8);
}

/* The counts of the unit (acc[0]) and its children (acc[1..n)), each query run once over
 * the whole subtree, grouped by the household's unit and summed here by path prefix. */
static werr count_rows(const actor *ac, count_acc *acc, size_t n, const char *today, bool by_unit)
{
	static const sql_id people_first[] = {SQL_EPI_COUNTS, SQL_ISO_COUNTS, SQL_ISO_RELEASED_ON, SQL_FU_OVERDUE_COUNT},
	                    unit_first[] = {SQL_EPI_COUNTS_UNIT, SQL_ISO_COUNTS_UNIT, SQL_ISO_RELEASED_ON,
	                                    SQL_FU_OVERDUE_COUNT_UNIT};
	const sql_id *queries = by_unit ? unit_first : people_first;
	const char *up = scope_upper(ac->a, acc[0].path);
	int64_t now = now_s();
	werr e = WG_OK;
	for (int q = 0; q < 4; q++) {
		db_stmt *s = db_get(ac->d, queries[q]);
		db_bind_text(s, 1, acc[0].path);
		db_bind_text(s, 2, up);
		if (q == 0 || q == 2)
			db_bind_text(s, 3, today);
		else if (q == 3)
			db_bind_int(s, 3, now);
		int rc;
		while ((rc = db_step(s, &e)) == DB_ROW) {
			const char *path = db_text(s, 0);
			if (q == 0 && db_int(s, 4) > 0) /* not yet taken in */
				acc_add(acc, n, path, 4, NULL, db_int(s, 4), 0);
			if (q <= 1)
				acc_add(acc, n, path, q, db_text(s, 1), db_int(s, 2), q == 0 ? db_int(s, 3) : 0);
			else
				acc_add(acc, n, path, q, NULL, db_int(s, 1), 0);
		}
		db_done(s);
		if (rc < 0)
			return e;
	}
	for (size_t i = 0; i < n; i++) {
		count_acc *c = &acc[i];
		json_object_set_new(c->row, "four_categories", json_integer(c->four));
		json_object_set_new(c->row, "new_today", json_integer(c->new_today));
		json_object_set_new(c->row, "released_today", json_integer(c->released));
		json_object_set_new(c->row, "overdue_followups", json_integer(c->overdue));
		json_object_set_new(c->row, "not_admitted", json_integer(c->not_admitted));
		json_object_set(c->row, "isolated", c->iso); /* last, as the documented order */
	}
	return WG_OK;
}

static void acc_init(count_acc *c, arena *a, const char *code, const char *name, const char *kind, const char *path)
{
	memset(c, 0, sizeof *c);
	c->path = arena_strdup(a, path);
	c->row = json_pack("{s:s,s:s,s:s}", "unit", code, "name", name, "kind", kind);
	c->counts = json_object();
	for (int i = 0; i < NCAT; i++)
		json_object_set_new(c->counts, categories[i], json_integer(0));
	c->iso = json_pack("{s:i,s:i,s:i}", "home", 0, "centralised", 0, "hospital", 0);
	/* the row owns both; the pointers stay valid while it lives */
	json_object_set_new(c->row, "counts", c->counts);
	json_object_set_new(c->row, "isolated", c->iso);
}

werr epi_counts(const actor *ac, const char *unit_code, json_t **out)
{
	unit_row u;
	werr e = unit_scope(ac, unit_code, &u);
	if (e)
		return e;
	char today[11];
	today_str(today);
	db_stmt *s = db_get(ac->d, SQL_UNIT_CHILDREN);
	db_bind_int(s, 1, u.id);
	db_bind_int(s, 2, 0);
	size_t cap = 64, n = 1;
	count_acc *acc = arena_alloc(ac->a, cap * sizeof *acc);
	acc_init(&acc[0], ac->a, u.code, u.name, u.kind, u.path);
	while (db_step(s, &e) == DB_ROW) {
		if (n == cap) {
			count_acc *bigger = arena_alloc(ac->a, 2 * cap * sizeof *acc);
			memcpy(bigger, acc, n * sizeof *acc);
			acc = bigger;
			cap *= 2;
		}
		acc_init(&acc[n++], ac->a, db_text(s, 1), db_text(s, 2), db_text(s, 3), db_text(s, 4));
	}
	db_done(s);
	if ((e = db_begin_read(ac->d)) == WG_OK) {
		e = count_rows(ac, acc, n, today, from_unit(ac, &u));
		db_commit(ac->d);
	}
	json_t *children = json_array();
	for (size_t i = 1; i < n; i++)
		json_array_append_new(children, acc[i].row);
	json_t *total = acc[0].row;
	if (e || (e = audit(ac, "read", "categories", u.id, arena_printf(ac->a, "counts unit:%s", u.code), "ok"))) {
		json_decref(total);
		json_decref(children);
		return e;
	}
	*out = json_pack("{s:s,s:s,s:s,s:o,s:o}", "unit", u.code, "name", u.name, "day", today, "total", total, "children",
	                 children);
	return WG_OK;
}

static werr people_query(const actor *ac, const unit_row *u, const char *category, int64_t limit, int64_t offset,
                         bool masked, json_t **items, int64_t *total)
{
	const char *up = scope_upper(ac->a, u->path);
	const char *cat = category ? category : "";
	bool by_unit = from_unit(ac, u);
	db_stmt *s = db_get(ac->d, by_unit ? SQL_EPI_PEOPLE_COUNT_UNIT : SQL_EPI_PEOPLE_COUNT);
	db_bind_text(s, 1, u->path);
	db_bind_text(s, 2, up);
	db_bind_text(s, 3, cat);
	werr e = db_scalar(s, total);
	if (e)
		return e;
	*items = json_array();
	s = db_get(ac->d, by_unit ? SQL_EPI_PEOPLE_UNIT : SQL_EPI_PEOPLE);
	db_bind_text(s, 1, u->path);
	db_bind_text(s, 2, up);
	db_bind_text(s, 3, cat);
	db_bind_int(s, 4, limit);
	db_bind_int(s, 5, offset);
	int rc;
	while ((rc = db_step(s, &e)) == DB_ROW) {
		char since[32];
		fmt_time(db_int(s, 3), since);
		bool ent = !strcmp(db_text(s, 7), "entrance");
		json_t *iso = db_null(s, 10) ? json_null()
		                             : json_pack("{s:I,s:s,s:s}", "id", (json_int_t)db_int(s, 10), "kind", db_text(s, 11),
		                                         "end_day", db_text(s, 12));
		json_t *o = json_pack("{s:I,s:s,s:s,s:s,s:I,s:s,s:o,s:s,s:o}", "resident_id", (json_int_t)db_int(s, 0), "name",
		                      db_text(s, 1), "category", db_text(s, 2), "since", since, "household_id",
		                      (json_int_t)db_int(s, 4), "room", db_text(s, 5), "building",
		                      jv_text(ent ? db_text(s, 9) : db_text(s, 8)), "unit_code", db_text(s, 6), "isolation", iso);
		if (!masked) {
			json_object_set_new(o, "id_number", jv_text(actor_show_id(ac, db_text(s, 13))));
			json_object_set_new(o, "phone", jv_text(actor_show_phone(ac, db_text(s, 14))));
		}
		json_array_append_new(*items, o);
	}
	db_done(s);
	if (rc < 0) {
		json_decref(*items);
		return e;
	}
	return WG_OK;
}

static werr category_filter(const char *category)
{
	if (category && *category && strcmp(category, "four") != 0 && !epi_category_valid(category))
		return w_fail(W_EINVAL, "invalid_category", "category", "category: a category code or four");
	return WG_OK;
}

werr epi_people(const actor *ac, const char *unit_code, const char *category, int64_t limit, int64_t offset,
                json_t **out)
{
	unit_row u;
	werr e;
	if ((e = category_filter(category)) || (e = unit_scope(ac, unit_code, &u)))
		return e;
	json_t *items;
	int64_t total;
	if ((e = people_query(ac, &u, category, limit, offset, true, &items, &total)))
		return e;
	if ((e = audit(ac, "read", "categories", u.id,
	               arena_printf(ac->a, "name,category list unit:%s category:%s", u.code, category ? category : "all"),
	               "ok"))) {
		json_decref(items);
		return e;
	}
	*out = jv_page(items, total, limit, offset);
	return WG_OK;
}

/* The named list, for the community's own records: every column a secretary needs to
 * ring or visit, with the purpose of the export in the audit row. */
werr epi_export(const actor *ac, const char *unit_code, const char *category, const char *purpose, bool xlsx,
                const char *path)
{
	static const struct {
		const char *key, *head;
	} cols[] = {{"name", "姓名/name"},         {"category", "类别/category"},      {"since", "起始/since"},
	            {"building", "楼栋/building"}, {"room", "房号/room"},              {"unit_code", "单元编码/unit"},
	            {"id_number", "身份证号/id_number"}, {"phone", "手机号/phone"},  {"isolation", "隔离/isolation"}};
	enum { NC = sizeof cols / sizeof cols[0] };
	if (!purpose || !*purpose)
		return w_fail(W_EINVAL, "required", "purpose", "导出名单须写明用途 / the export of named people needs a purpose");
	if (utf8_len(purpose) > 200 || !utf8_no_controls(purpose))
		return w_fail(W_EINVAL, "too_long", "purpose", "purpose: at most 200 characters of text");
	unit_row u;
	werr e;
	if ((e = category_filter(category)) || (e = unit_scope(ac, unit_code, &u)))
		return e;
	json_t *items;
	int64_t total;
	if ((e = people_query(ac, &u, category, 1000000, 0, false, &items, &total)))
		return e;
	FILE *f = NULL;
	lxw_workbook *wb = NULL;
	lxw_worksheet *ws = NULL;
	if (!xlsx) {
		if ((f = fopen(path, "wb")))
			fputs("\xEF\xBB\xBF", f);
	} else if ((wb = workbook_new(path))) {
		ws = workbook_add_worksheet(wb, "四类人员");
	}
	if (!f && !wb) {
		json_decref(items);
		return w_fail(W_EINTERNAL, "cannot_write", "out", "cannot write the export");
	}
	for (size_t k = 0; k < NC; k++) {
		if (ws)
			worksheet_write_string(ws, 0, (lxw_col_t)k, cols[k].head, NULL);
		else
			fprintf(f, "%s%c", cols[k].head, k == NC - 1 ? '\n' : ',');
	}
	size_t i;
	json_t *it;
	json_array_foreach(items, i, it)
	{
		for (size_t k = 0; k < NC; k++) {
			json_t *v = json_object_get(it, cols[k].key);
			const char *txt = json_is_string(v) ? json_string_value(v) : "";
			if (json_is_object(v))
				txt = arena_printf(ac->a, "%s → %s", json_string_value(json_object_get(v, "kind")),
				                   json_string_value(json_object_get(v, "end_day")));
			char *c = ws ? cell_neutralise(txt) : csv_quote(txt);
			if (ws)
				worksheet_write_string(ws, (lxw_row_t)(i + 1), (lxw_col_t)k, c, NULL);
			else
				fprintf(f, "%s%c", c, k == NC - 1 ? '\n' : ',');
			free(c);
		}
	}
	size_t n = json_array_size(items);
	json_decref(items);
	bool ok = f ? fclose(f) == 0 : workbook_close(wb) == LXW_NO_ERROR;
	if (!ok)
		return w_fail(W_EINTERNAL, "cannot_write", "out", "writing the export failed");
	return audit(ac, "export", "categories", u.id,
	             arena_printf(ac->a, "unit:%s category:%s rows:%zu purpose:%s", u.code, category ? category : "all", n,
	                          purpose),
	             "ok");
}

/* ---- isolations ---- */

werr household_isolated(db *d, int64_t household_id, int64_t district, bool *out)
{
	db_stmt *s = db_get(d, SQL_ISO_OF_HH_ACTIVE);
	db_bind_int(s, 1, household_id);
	db_bind_int(s, 2, district);
	int64_t n = 0;
	werr e = db_scalar(s, &n);
	*out = n > 0;
	return e;
}

werr epi_isolation_brief(db *d, int64_t resident_id, json_t **out)
{
	*out = json_null();
	db_stmt *s = db_get(d, SQL_ISO_ACTIVE_OF_RES);
	db_bind_int(s, 1, resident_id);
	werr e = WG_OK;
	int64_t id = 0;
	int rc = db_step(s, &e);
	if (rc == DB_ROW)
		id = db_int(s, 0);
	db_done(s);
	if (rc < 0 || !id)
		return rc < 0 ? e : WG_OK;
	s = db_get(d, SQL_ISO_GET);
	db_bind_int(s, 1, id);
	json_t *o = json_null();
	rc = db_step(s, &e);
	if (rc == DB_ROW)
		o = json_pack("{s:I,s:s,s:o,s:s,s:s,s:o}", "id", (json_int_t)id, "kind", db_text(s, 10),
		              "site", jv_text(db_text(s, 11)), "start_day", db_text(s, 14), "end_day",
		              db_text(s, 15), "worker",
		              db_null(s, 17) ? json_null()
		                             : json_pack("{s:s,s:s}", "username", db_text(s, 17), "name", db_text(s, 18)));
	db_done(s);
	if (rc < 0) {
		json_decref(o);
		return e;
	}
	json_decref(*out);
	*out = o;
	return WG_OK;
}

static werr iso_event(const actor *ac, int64_t iso, const char *event, const char *value, const char *note)
{
	db_stmt *s = db_get(ac->d, SQL_ISO_EVENT_INSERT);
	db_bind_int(s, 1, iso);
	db_bind_int(s, 2, now_s());
	if (ac->user_id)
		db_bind_int(s, 3, ac->user_id);
	db_bind_text(s, 4, event);
	db_bind_text(s, 5, value);
	db_bind_text(s, 6, note);
	return db_run(s, NULL);
}

/* The follow-up slots of days [from, to] that are still ahead. */
static werr slots_add(const actor *ac, int64_t iso, const char *from, const char *to)
{
	char day[11];
	snprintf(day, sizeof day, "%s", from);
	int64_t now = now_s();
	for (int guard = 0; strcmp(day, to) <= 0 && guard < 400; guard++) {
		for (int k = 0; k < NSLOTS; k++) {
			/* a slot already past when the isolation starts (or is extended) was never due */
			if (day_at(day, slots[k].hh, slots[k].mm) < now)
				continue;
			db_stmt *s = db_get(ac->d, SQL_FU_INSERT);
			db_bind_int(s, 1, iso);
			db_bind_text(s, 2, day);
			db_bind_int(s, 3, k + 1);
			db_bind_int(s, 4, day_at(day, slots[k].hh, slots[k].mm));
			werr e = db_run(s, NULL);
			if (e)
				return e;
		}
		char next[11];
		day_add(day, 1, next);
		memcpy(day, next, sizeof day);
	}
	return WG_OK;
}

static const char *rule_for(const char *category)
{
	for (size_t i = 0; i < sizeof household_rule / sizeof household_rule[0]; i++)
		if (category && !strcmp(household_rule[i].category, category))
			return household_rule[i].household;
	return NULL;
}

werr iso_start_tx(const actor *ac, const iso_req *q, bool skip_active, int64_t *iso_id, json_t *household_ids)
{
	*iso_id = 0;
	person p;
	werr e;
	if ((e = person_load(ac, q->resident_id, false, &p)))
		return e;
	db_stmt *s = db_get(ac->d, SQL_ISO_ACTIVE_OF_RES);
	db_bind_int(s, 1, q->resident_id);
	int64_t active = 0;
	if ((e = db_scalar(s, &active)))
		return e;
	if (active) {
		if (skip_active)
			return WG_OK;
		return w_fail(W_ECONFLICT, "already_isolated", "resident_id",
		              "此人已在隔离中(#%lld),可延期或转运 / already isolated (#%lld): extend or transfer it",
		              (long long)active, (long long)active);
	}
	const char *cat;
	if ((e = epi_current(ac, q->resident_id, &cat)))
		return e;
	char today[11], start[11], end[11];
	today_str(today);
	snprintf(start, sizeof start, "%s", q->start_day ? q->start_day : today);
	int days = q->days;
	if (!days && (e = isolation_days(ac->d, cat, &days)))
		return e;
	day_add(start, days - 1, end);
	int64_t worker = q->worker_id;
	if (!worker && (e = responsible_worker(ac, &p, &worker)))
		return e;
	int64_t now = now_s();
	s = db_get(ac->d, SQL_ISO_INSERT);
	db_bind_int(s, 1, q->resident_id);
	db_bind_int(s, 2, p.household_id);
	db_bind_text(s, 3, q->kind);
	db_bind_text(s, 4, q->site);
	db_bind_text(s, 5, cat);
	db_bind_text(s, 6, q->source);
	db_bind_text(s, 7, start);
	db_bind_text(s, 8, end);
	if (worker)
		db_bind_int(s, 9, worker);
	if (q->notice)
		db_bind_int(s, 10, now);
	if (ac->user_id)
		db_bind_int(s, 11, ac->user_id);
	db_bind_int(s, 12, now);
	int64_t id;
	if ((e = db_run(s, &id)) || (e = iso_event(ac, id, "start", q->kind, q->note)) ||
	    (q->notice && (e = iso_event(ac, id, "notice", NULL, NULL))) || (e = slots_add(ac, id, start, end)) ||
	    (e = audit(ac, "create", "isolation", id, "resident,kind,site,period", "ok")))
		return e;
	*iso_id = id;
	/* the household rule */
	const char *member_cat = rule_for(cat);
	bool include = q->household < 0 ? member_cat != NULL : q->household == 1;
	if (!include)
		return WG_OK;
	if (!member_cat)
		member_cat = cat && strcmp(cat, "cleared") != 0 ? cat : "secondary_contact";
	int64_t members[64];
	size_t n = 0;
	s = db_get(ac->d, SQL_RES_OF_HH);
	db_bind_int(s, 1, p.household_id);
	while (db_step(s, &e) == DB_ROW && n < 64) {
		const char *res = db_text(s, 10);
		if (db_int(s, 0) != q->resident_id && (!strcmp(res, "living") || !strcmp(res, "temporary")))
			members[n++] = db_int(s, 0);
	}
	db_done(s);
	const char *src = arena_printf(ac->a, "household:%lld", (long long)q->resident_id);
	for (size_t i = 0; i < n; i++) {
		bool changed;
		if ((e = epi_change_tx(ac, members[i], member_cat, "contact_tracing", NULL, src, EPI_SKIP | EPI_UP_ONLY, &changed,
		                       NULL)))
			return e;
		/* only those the rule placed (or already of its category) are isolated with the
		 * person: someone in a graver category is followed on their own account */
		const char *mc;
		if ((e = epi_current(ac, members[i], &mc)))
			return e;
		if (!mc || strcmp(mc, member_cat) != 0)
			continue;
		iso_req mq = {.resident_id = members[i], .kind = "home", .start_day = start, .source = src,
		              .worker_id = worker, .household = 0};
		mq.days = days;
		int64_t mid;
		if ((e = iso_start_tx(ac, &mq, true, &mid, NULL)))
			return e;
		if (mid && household_ids)
			json_array_append_new(household_ids, json_integer(mid));
	}
	return WG_OK;
}

static werr kind_site(json_t *body, const char **kind, const char **site, bool required)
{
	werr e;
	if ((e = jv_str(body, "kind", required, 20, kind)) || (e = jv_str(body, "site", false, 100, site)))
		return e;
	if (!*kind)
		return WG_OK;
	if (!str_in_list(*kind, iso_kinds))
		return w_fail(W_EINVAL, "invalid_kind", "kind", "kind: home centralised hospital");
	if (strcmp(*kind, "home") != 0 && !*site)
		return w_fail(W_EINVAL, "required", "site", "集中隔离点或医院须写明 / centralised and hospital need a site");
	return WG_OK;
}

static json_t *iso_row_json(db_stmt *s)
{
	char notice[32], released[32];
	if (!db_null(s, 19))
		fmt_time(db_int(s, 19), notice);
	if (!db_null(s, 20))
		fmt_time(db_int(s, 20), released);
	bool ent = !strcmp(db_text(s, 6), "entrance");
	return json_pack("{s:I,s:I,s:s,s:I,s:s,s:o,s:s,s:s,s:o,s:o,s:o,s:s,s:s,s:s,s:o,s:o,s:o}", "id",
	                 (json_int_t)db_int(s, 0), "resident_id", (json_int_t)db_int(s, 1), "name", db_text(s, 2),
	                 "household_id", (json_int_t)db_int(s, 3), "room", db_text(s, 4), "building",
	                 jv_text(ent ? db_text(s, 8) : db_text(s, 7)), "unit_code", db_text(s, 5), "kind", db_text(s, 10),
	                 "site", jv_text(db_text(s, 11)), "category", jv_text(db_text(s, 12)), "source",
	                 jv_text(db_text(s, 13)), "start_day", db_text(s, 14), "end_day", db_text(s, 15), "state",
	                 db_text(s, 16), "worker",
	                 db_null(s, 17) ? json_null()
	                                : json_pack("{s:s,s:s}", "username", db_text(s, 17), "name", db_text(s, 18)),
	                 "notice_signed_at", db_null(s, 19) ? json_null() : json_string(notice), "released_at",
	                 db_null(s, 20) ? json_null() : json_string(released));
}

static void fu_counts(db *d, int64_t id, json_t *o)
{
	char today[11];
	today_str(today);
	db_stmt *s = db_get(d, SQL_FU_ISO_COUNTS);
	db_bind_int(s, 1, id);
	db_bind_int(s, 2, now_s());
	db_bind_text(s, 3, today);
	werr e;
	if (db_step(s, &e) == DB_ROW)
		json_object_set_new(o, "followups",
		                    json_pack("{s:I,s:I,s:I,s:I}", "done", (json_int_t)db_int(s, 0), "due",
		                              (json_int_t)db_int(s, 1), "overdue", (json_int_t)db_int(s, 2), "total",
		                              (json_int_t)db_int(s, 3)));
	db_done(s);
}

static json_t *fu_row_json(db_stmt *s, int64_t now)
{
	char due[32], done[32];
	fmt_time(db_int(s, 12), due);
	if (!db_null(s, 18))
		fmt_time(db_int(s, 18), done);
	const char *st = db_text(s, 13);
	const char *state = !strcmp(st, "open") ? (db_int(s, 12) < now ? "overdue" : "due") : st;
	bool ent = !strcmp(db_text(s, 6), "entrance");
	return json_pack("{s:I,s:I,s:I,s:s,s:s,s:o,s:s,s:s,s:s,s:I,s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "id",
	                 (json_int_t)db_int(s, 0), "isolation_id", (json_int_t)db_int(s, 1), "resident_id",
	                 (json_int_t)db_int(s, 2), "name", db_text(s, 3), "room", db_text(s, 4), "building",
	                 jv_text(ent ? db_text(s, 8) : db_text(s, 7)), "unit_code", db_text(s, 5), "kind", db_text(s, 9),
	                 "day", db_text(s, 10), "slot", (json_int_t)db_int(s, 11), "due_at", due, "state", state,
	                 "temperature", db_null(s, 14) ? json_null() : json_real(db_double(s, 14)), "symptoms",
	                 symptoms_json((unsigned)db_int(s, 15)), "needs", jv_text(db_text(s, 16)), "note",
	                 jv_text(db_text(s, 17)), "done_at", db_null(s, 18) ? json_null() : json_string(done), "done_by",
	                 jv_text(db_text(s, 19)), "worker",
	                 db_null(s, 20) ? json_null()
	                                : json_pack("{s:s,s:s}", "username", db_text(s, 20), "name", db_text(s, 21)));
}

/* The stored ids an action writes back unchanged (not in the JSON). */
typedef struct {
	int64_t worker_id, notice_at;
} iso_ids;

static werr iso_load(const actor *ac, int64_t id, json_t **out, iso_ids *ids)
{
	if (ids)
		*ids = (iso_ids){0};
	db_stmt *s = db_get(ac->d, SQL_ISO_GET);
	db_bind_int(s, 1, id);
	werr e = WG_OK;
	int rc = db_step(s, &e);
	*out = NULL;
	if (rc == DB_ROW && actor_in_scope(ac, db_text(s, 9))) {
		*out = iso_row_json(s);
		if (ids) {
			ids->worker_id = db_null(s, 21) ? 0 : db_int(s, 21);
			ids->notice_at = db_null(s, 19) ? 0 : db_int(s, 19);
		}
	}
	db_done(s);
	if (rc < 0)
		return e;
	if (!*out)
		return w_fail(W_ENOTFOUND, "isolation_not_found", "isolation_id", "没有这条隔离记录 / no such isolation");
	return WG_OK;
}

static json_t *iso_events_json(db *d, int64_t id)
{
	json_t *a = json_array();
	db_stmt *s = db_get(d, SQL_ISO_EVENTS);
	db_bind_int(s, 1, id);
	werr e;
	while (db_step(s, &e) == DB_ROW) {
		char at[32];
		fmt_time(db_int(s, 0), at);
		json_array_append_new(a, json_pack("{s:s,s:s,s:o,s:o,s:o}", "at", at, "event", db_text(s, 1), "value",
		                                   jv_text(db_text(s, 2)), "note", jv_text(db_text(s, 3)), "by",
		                                   jv_text(db_text(s, 4))));
	}
	db_done(s);
	return a;
}

static werr iso_answer(const actor *ac, int64_t id, bool slots_too, json_t **out)
{
	werr e = iso_load(ac, id, out, NULL);
	if (e)
		return e;
	json_object_set_new(*out, "events", iso_events_json(ac->d, id));
	fu_counts(ac->d, id, *out);
	if (slots_too) {
		json_t *a = json_array();
		db_stmt *s = db_get(ac->d, SQL_FU_OF_ISO);
		db_bind_int(s, 1, id);
		int64_t now = now_s();
		while (db_step(s, &e) == DB_ROW)
			json_array_append_new(a, fu_row_json(s, now));
		db_done(s);
		json_object_set_new(*out, "followups_list", a);
	}
	return WG_OK;
}

werr iso_post(const actor *ac, json_t *body, json_t **out)
{
	static const char *const allowed[] = {"resident_id", "kind", "site", "start_day", "days", "worker",
	                                      "include_household", "notice_signed", "note", NULL};
	iso_req q = {.household = -1};
	const char *worker;
	int64_t days = 0;
	bool inc = false, inc_given = false;
	werr e;
	if ((e = jv_only(body, allowed)) || (e = jv_int(body, "resident_id", true, 1, INT64_MAX, &q.resident_id, NULL)) ||
	    (e = kind_site(body, &q.kind, &q.site, true)) || (e = jv_str(body, "start_day", false, 10, &q.start_day)) ||
	    (e = jv_int(body, "days", false, 1, 60, &days, NULL)) || (e = jv_str(body, "worker", false, 32, &worker)) ||
	    (e = jv_bool(body, "include_household", &inc, &inc_given)) || (e = jv_bool(body, "notice_signed", &q.notice, NULL)) ||
	    (e = jv_str(body, "note", false, 500, &q.note)))
		return e;
	if (q.start_day && (e = day_valid(q.start_day, "start_day")))
		return e;
	q.days = (int)days;
	if (inc_given)
		q.household = inc ? 1 : 0;
	if (worker && (e = user_in_scope(ac, worker, "worker", &q.worker_id)))
		return e;
	person p;
	if ((e = person_load(ac, q.resident_id, true, &p)))
		return e;
	const char *cat;
	if ((e = epi_current(ac, q.resident_id, &cat)))
		return e;
	if (!cat || !strcmp(cat, "cleared"))
		return w_fail(W_ECONFLICT, "no_category", "resident_id",
		              "请先登记此人的类别 / set the person's category before isolating them");
	json_t *hh = json_array();
	int64_t id;
	if ((e = db_begin(ac->d))) {
		json_decref(hh);
		return e;
	}
	if ((e = iso_start_tx(ac, &q, false, &id, hh)) || (e = db_commit(ac->d))) {
		db_rollback(ac->d);
		json_decref(hh);
		return e;
	}
	if ((e = iso_answer(ac, id, false, out))) {
		json_decref(hh);
		return e;
	}
	json_object_set_new(*out, "household", hh);
	return WG_OK;
}

werr iso_get(const actor *ac, int64_t id, json_t **out)
{
	werr e = iso_answer(ac, id, true, out);
	if (e)
		return e;
	if ((e = audit(ac, "read", "isolation", id, "name,kind,site,period,followups", "ok"))) {
		json_decref(*out);
		*out = NULL;
	}
	return e;
}

werr iso_list(const actor *ac, const char *unit_code, const char *state, int64_t limit, int64_t offset, json_t **out)
{
	static const char *const states[] = {"active", "released", NULL};
	if (state && *state && !str_in_list(state, states))
		return w_fail(W_EINVAL, "invalid_state", "state", "state: active released");
	unit_row u;
	werr e = unit_scope(ac, unit_code, &u);
	if (e)
		return e;
	const char *up = scope_upper(ac->a, u.path);
	bool by_unit = from_unit_by(ac, &u, SQL_ISO_TOTAL, 8);
	db_stmt *s = db_get(ac->d, by_unit ? SQL_ISO_COUNT_UNIT : SQL_ISO_COUNT);
	db_bind_text(s, 1, u.path);
	db_bind_text(s, 2, up);
	db_bind_text(s, 3, state ? state : "");
	int64_t total = 0;
	if ((e = db_scalar(s, &total)))
		return e;
	json_t *items = json_array();
	s = db_get(ac->d, by_unit ? SQL_ISO_LIST_UNIT : SQL_ISO_LIST);
	db_bind_text(s, 1, u.path);
	db_bind_text(s, 2, up);
	db_bind_text(s, 3, state ? state : "");
	db_bind_int(s, 4, limit);
	db_bind_int(s, 5, offset);
	int rc;
	while ((rc = db_step(s, &e)) == DB_ROW)
		json_array_append_new(items, iso_row_json(s));
	db_done(s);
	size_t i;
	json_t *it;
	json_array_foreach(items, i, it) fu_counts(ac->d, json_integer_value(json_object_get(it, "id")), it);
	if (rc < 0 || (e = audit(ac, "read", "isolation", 0, arena_printf(ac->a, "name,kind list unit:%s", u.code), "ok"))) {
		json_decref(items);
		return e;
	}
	*out = jv_page(items, total, limit, offset);
	return WG_OK;
}

werr iso_action(const actor *ac, int64_t id, json_t *body, json_t **out)
{
	static const char *const allowed[] = {"action", "days", "reason", "kind", "site", "note", "worker", NULL};
	const char *action, *reason, *note, *worker, *kind = NULL, *site = NULL;
	int64_t days = 0;
	werr e;
	if ((e = jv_only(body, allowed)) || (e = jv_str(body, "action", true, 20, &action)) ||
	    (e = jv_str(body, "reason", false, 200, &reason)) || (e = jv_str(body, "note", false, 500, &note)) ||
	    (e = jv_str(body, "worker", false, 32, &worker)))
		return e;
	json_t *cur;
	iso_ids ids;
	if ((e = iso_load(ac, id, &cur, &ids)))
		return e;
	int64_t worker_id = ids.worker_id, notice_at = ids.notice_at;
	int64_t rid = json_integer_value(json_object_get(cur, "resident_id"));
	const char *state = arena_strdup(ac->a, json_string_value(json_object_get(cur, "state")));
	const char *ckind = arena_strdup(ac->a, json_string_value(json_object_get(cur, "kind")));
	json_t *cs = json_object_get(cur, "site");
	const char *csite = json_is_string(cs) ? arena_strdup(ac->a, json_string_value(cs)) : NULL;
	const char *end = arena_strdup(ac->a, json_string_value(json_object_get(cur, "end_day")));
	json_decref(cur);
	bool released = !strcmp(state, "released");
	if (released && strcmp(action, "notice") != 0)
		return w_fail(W_ECONFLICT, "isolation_released", "action", "隔离已解除 / the isolation was released");
	char new_end[11], today[11];
	snprintf(new_end, sizeof new_end, "%s", end);
	today_str(today);
	const char *new_state = state, *value = NULL, *clear_to = NULL;
	int64_t now = now_s(), released_at = 0;
	if (!strcmp(action, "extend")) {
		if ((e = jv_int(body, "days", true, 1, 30, &days, NULL)))
			return e;
		if (!reason)
			return w_fail(W_EINVAL, "required", "reason", "延期须写明原因 / an extension needs a reason");
		day_add(end, (int)days, new_end);
		value = arena_printf(ac->a, "%s→%s", end, new_end);
		note = reason;
	} else if (!strcmp(action, "transfer")) {
		if ((e = kind_site(body, &kind, &site, true)))
			return e;
		value = arena_printf(ac->a, "%s→%s", ckind, kind);
		ckind = kind;
		csite = site;
	} else if (!strcmp(action, "notice")) {
		notice_at = now;
	} else if (!strcmp(action, "assign")) {
		if (!worker)
			return w_fail(W_EINVAL, "required", "worker", "worker (a username) is required");
		if ((e = user_in_scope(ac, worker, "worker", &worker_id)))
			return e;
		value = worker;
	} else if (!strcmp(action, "release")) {
		const char *cat;
		if ((e = epi_current(ac, rid, &cat)))
			return e;
		if (cat && (!strcmp(cat, "confirmed") || !strcmp(cat, "suspected")))
			return w_fail(W_ECONFLICT, "still_a_case", "action",
			              "确诊或疑似病例不能解除隔离,请先变更类别或转运 / a confirmed or suspected case cannot be released: "
			              "change the category or transfer");
		if (strcmp(today, end) < 0 && !note)
			return w_fail(W_EINVAL, "required", "note", "提前解除须写明原因 / releasing before the end day needs a note");
		new_state = "released";
		released_at = now;
		if (cat && str_in_list(cat, observation_categories))
			clear_to = "cleared";
	} else {
		return w_fail(W_EINVAL, "invalid_action", "action", "action: extend transfer notice assign release");
	}
	if ((e = db_begin(ac->d)))
		return e;
	db_stmt *s = db_get(ac->d, SQL_ISO_UPDATE);
	db_bind_int(s, 1, id);
	db_bind_text(s, 2, ckind);
	db_bind_text(s, 3, csite);
	db_bind_text(s, 4, new_end);
	if (worker_id)
		db_bind_int(s, 5, worker_id);
	if (notice_at)
		db_bind_int(s, 6, notice_at);
	db_bind_text(s, 7, new_state);
	if (released_at) {
		db_bind_int(s, 8, released_at);
		db_bind_text(s, 9, today);
	}
	db_bind_int(s, 10, now);
	bool changed;
	e = db_run(s, NULL);
	if (!e)
		e = iso_event(ac, id, action, value, note);
	if (!e && !strcmp(action, "extend"))
		e = slots_add(ac, id, end, new_end);
	if (!e && released_at) {
		s = db_get(ac->d, SQL_FU_CANCEL_AFTER);
		db_bind_int(s, 1, id);
		db_bind_int(s, 2, now);
		e = db_run(s, NULL);
	}
	if (!e && clear_to)
		e = epi_change_tx(ac, rid, clear_to, "observation_complete", note,
		                  arena_printf(ac->a, "isolation:%lld", (long long)id), EPI_SKIP, &changed, NULL);
	if (!e)
		e = audit(ac, "update", "isolation", id, arena_printf(ac->a, "action:%s", action), "ok");
	if (e || (e = db_commit(ac->d))) {
		db_rollback(ac->d);
		return e;
	}
	return iso_answer(ac, id, false, out);
}

/* ---- follow-ups ---- */

werr fu_list(const actor *ac, const char *unit_code, const char *state, const char *worker, const char *day,
             int64_t limit, int64_t offset, json_t **out)
{
	static const char *const states[] = {"due", "overdue", "done", "all", NULL};
	if (state && *state && !str_in_list(state, states))
		return w_fail(W_EINVAL, "invalid_state", "state", "state: due overdue done all");
	char today[11];
	today_str(today);
	werr e;
	int y, m, d;
	/* any day: a past one for what was done, a later one for the plan */
	if (day && !parse_date(day, &y, &m, &d))
		return w_fail(W_EINVAL, "invalid_day", "day", "日期格式应为 YYYY-MM-DD / day must be YYYY-MM-DD");
	unit_row u;
	if ((e = unit_scope(ac, unit_code, &u)))
		return e;
	int64_t wid = 0;
	if (worker && *worker && (e = user_in_scope(ac, worker, "worker", &wid)))
		return e;
	const char *up = scope_upper(ac->a, u.path);
	const char *mode = state && *state ? state : "all";
	int64_t now = now_s();
	/* an isolation has about 28 follow-up slots: its worklist is found from the unit's
	 * households unless the subtree holds most of the city */
	bool by_unit = from_unit_by(ac, &u, SQL_ISO_TOTAL, 30);
	db_stmt *s = db_get(ac->d, by_unit ? SQL_FU_COUNT_UNIT : SQL_FU_COUNT);
	db_bind_text(s, 1, u.path);
	db_bind_text(s, 2, up);
	db_bind_int(s, 3, wid);
	db_bind_text(s, 4, day ? day : today);
	db_bind_int(s, 5, now);
	db_bind_text(s, 6, mode);
	int64_t total = 0, overdue = 0;
	if (db_step(s, &e) == DB_ROW) {
		total = db_int(s, 0);
		overdue = db_int(s, 1);
	}
	db_done(s);
	json_t *items = json_array();
	s = db_get(ac->d, by_unit ? SQL_FU_LIST_UNIT : SQL_FU_LIST);
	db_bind_text(s, 1, u.path);
	db_bind_text(s, 2, up);
	db_bind_int(s, 3, wid);
	db_bind_text(s, 4, day ? day : today);
	db_bind_int(s, 5, now);
	db_bind_text(s, 6, mode);
	db_bind_int(s, 7, limit);
	db_bind_int(s, 8, offset);
	int rc;
	while ((rc = db_step(s, &e)) == DB_ROW)
		json_array_append_new(items, fu_row_json(s, now));
	db_done(s);
	if (rc < 0 || (e = audit(ac, "read", "followup", 0, arena_printf(ac->a, "name,temperature list unit:%s", u.code), "ok"))) {
		json_decref(items);
		return e;
	}
	*out = jv_page(items, total, limit, offset);
	json_object_set_new(*out, "overdue", json_integer(overdue));
	json_object_set_new(*out, "day", json_string(day ? day : today));
	return WG_OK;
}

werr fu_record(const actor *ac, int64_t id, json_t *body, json_t **out)
{
	static const char *const allowed[] = {"temperature", "symptoms", "needs", "note", NULL};
	const char *needs, *note;
	werr e;
	if ((e = jv_only(body, allowed)) || (e = jv_str(body, "needs", false, 500, &needs)) ||
	    (e = jv_str(body, "note", false, 500, &note)))
		return e;
	json_t *t = json_object_get(body, "temperature");
	if (!t || json_is_null(t))
		return w_fail(W_EINVAL, "required", "temperature", "缺少体温 / temperature is required");
	if (!json_is_number(t))
		return w_fail(W_EINVAL, "wrong_type", "temperature", "temperature must be a number");
	if (json_number_value(t) < 34.0 || json_number_value(t) > 43.0)
		return w_fail(W_EINVAL, "out_of_range", "temperature", "体温应在 34.0–43.0 °C / temperature 34.0–43.0 °C");
	unsigned sym = 0;
	json_t *sj = json_object_get(body, "symptoms");
	if (sj && !json_is_null(sj) && (e = symptoms_from_json(sj, &sym)))
		return e;
	db_stmt *s = db_get(ac->d, SQL_FU_GET);
	db_bind_int(s, 1, id);
	int rc = db_step(s, &e);
	bool found = rc == DB_ROW && actor_in_scope(ac, db_text(s, 22));
	const char *st = found ? arena_strdup(ac->a, db_text(s, 13)) : NULL;
	const char *slot_day = found ? arena_strdup(ac->a, db_text(s, 10)) : NULL;
	int64_t rid = found ? db_int(s, 2) : 0;
	db_done(s);
	if (rc < 0)
		return e;
	if (!found)
		return w_fail(W_ENOTFOUND, "followup_not_found", "followup_id", "没有这次随访 / no such follow-up");
	if (!strcmp(st, "done"))
		return w_fail(W_ECONFLICT, "already_done", "followup_id", "这次随访已记录 / this follow-up is already done");
	if (!strcmp(st, "cancelled"))
		return w_fail(W_ECONFLICT, "followup_cancelled", "followup_id", "隔离已解除,无需随访 / the isolation was released");
	char today[11];
	today_str(today);
	/* a reading belongs to the day it was taken: tomorrow's slot waits for tomorrow */
	if (strcmp(slot_day, today) > 0)
		return w_fail(W_ECONFLICT, "not_yet_due", "followup_id", "这次随访在 %s,还没到时间 / this follow-up is planned for %s",
		              slot_day, slot_day);
	double temp = json_number_value(t);
	bool fever = reading_fever(true, temp, sym), alerts = reading_alerts(true, temp, sym);
	person p = {0};
	if (alerts && (e = person_load(ac, rid, false, &p)))
		return e;
	int64_t alert = 0;
	bool opened = false;
	if ((e = db_begin(ac->d)))
		return e;
	/* a fever found at a follow-up travels up like one found at the roll-call */
	if (alerts && (e = alert_open(ac, rid, p.household_id, p.district_id, 0, today, true, temp, sym, &alert, &opened))) {
		db_rollback(ac->d);
		return e;
	}
	s = db_get(ac->d, SQL_FU_DONE);
	db_bind_int(s, 1, id);
	db_bind_double(s, 2, temp);
	db_bind_int(s, 3, sym);
	db_bind_text(s, 4, needs);
	db_bind_text(s, 5, note);
	db_bind_int(s, 6, now_s());
	if (ac->user_id)
		db_bind_int(s, 7, ac->user_id);
	if ((e = db_run(s, NULL)) || (e = audit(ac, "update", "followup", id, "temperature,symptoms,needs", "ok")) ||
	    (e = db_commit(ac->d))) {
		db_rollback(ac->d);
		return e;
	}
	s = db_get(ac->d, SQL_FU_GET);
	db_bind_int(s, 1, id);
	*out = NULL;
	if (db_step(s, &e) == DB_ROW)
		*out = fu_row_json(s, now_s());
	db_done(s);
	if (!*out)
		return W_EDB;
	json_object_set_new(*out, "fever", json_boolean(fever));
	json_object_set_new(*out, "alert_id", alert ? json_integer(alert) : json_null());
	if (alert) {
		const char *path;
		json_t *ev = alert_event_json(ac->d, ac->a, alert, p.district_id, &path);
		if (ev)
			bus_publish_json(path, "alert", ev);
	}
	return WG_OK;
}
