/* response.c — see response.h. */
#include "domain/response.h"

#include "core/bus.h"
#include "core/jv.h"
#include "core/util.h"
#include "domain/calendar.h"
#include "domain/epi.h"
#include "domain/lockdown.h"
#include "domain/people.h"
#include "domain/tree.h"

#include <stdlib.h>
#include <string.h>

static const char *const contact_kinds[] = {"household", "work",   "meal",  "transport",
                                            "medical",   "social", "other", NULL};

/* The tasks a confirmation creates, with their deadlines. */
static const struct {
	const char *kind, *title;
	int due_minutes;
	bool done; /* carried out by the confirmation itself */
} case_tasks[] = {
    {"contacts_observation", "密接人员落实隔离观察 / close contacts to observation", 120, false},
    {"disinfection", "楼栋楼道及公共区域消杀 / disinfect the building's corridors and common areas", 240, false},
    {"building_notice", "通知并排查本楼栋居民 / notify and check the building's residents", 360, false},
    {"lockdown", "楼栋封控等级提升 / the building's lockdown level raised", 0, true},
};

static const char *task_title(const char *kind)
{
	for (size_t i = 0; i < sizeof case_tasks / sizeof case_tasks[0]; i++)
		if (!strcmp(case_tasks[i].kind, kind))
			return case_tasks[i].title;
	return kind;
}

/* Set a unit's level inside the caller's transaction (0 lifts it), with its history. */
static werr lockdown_write(const actor *ac, int64_t unit_id, int level, const char *reason, int64_t case_id)
{
	(void)case_id;
	db_stmt *s = db_get(ac->d, SQL_LOCK_GET);
	db_bind_int(s, 1, unit_id);
	int64_t old = 0;
	werr e;
	if ((e = db_scalar(s, &old)))
		return e;
	if (old == level)
		return WG_OK;
	int64_t now = now_s();
	if (level == 0) {
		s = db_get(ac->d, SQL_LOCK_DELETE);
		db_bind_int(s, 1, unit_id);
	} else {
		s = db_get(ac->d, SQL_LOCK_SET);
		db_bind_int(s, 1, unit_id);
		db_bind_int(s, 2, level);
		db_bind_int(s, 3, now);
		db_bind_text(s, 4, reason);
		if (ac->user_id)
			db_bind_int(s, 5, ac->user_id);
	}
	if ((e = db_run(s, NULL)))
		return e;
	s = db_get(ac->d, SQL_LOCK_HISTORY_INSERT);
	db_bind_int(s, 1, unit_id);
	db_bind_int(s, 2, now);
	if (ac->user_id)
		db_bind_int(s, 3, ac->user_id);
	db_bind_int(s, 4, old);
	db_bind_int(s, 5, level);
	db_bind_text(s, 6, reason);
	if ((e = db_run(s, NULL)))
		return e;
	return audit(ac, "update", "lockdown", unit_id, arena_printf(ac->a, "level:%s", lockdown_name(level)), "ok");
}

werr lockdown_get(const actor *ac, const char *code, json_t **out)
{
	unit_row u;
	werr e = unit_find(ac, code, &u);
	if (e)
		return e;
	json_t *own = NULL, *below = NULL;
	if ((e = lockdown_json(ac->d, u.id, &own)) || (e = lockdowns_below(ac->d, ac->a, u.path, &below))) {
		json_decref(own);
		return e;
	}
	*out =
	    json_pack("{s:s,s:s,s:o,s:o}", "unit", u.code, "name", u.name, "lockdown", own, "below", below);
	return WG_OK;
}

werr lockdown_set(const actor *ac, const char *code, json_t *body, json_t **out)
{
	static const char *const allowed[] = {"level", "reason", NULL};
	const char *level, *reason;
	werr e;
	if ((e = jv_only(body, allowed)) || (e = jv_str(body, "level", true, 20, &level)) ||
	    (e = jv_str(body, "reason", true, 200, &reason)))
		return e;
	int lv = lockdown_level_parse(level);
	if (lv < 0)
		return w_fail(W_EINVAL, "invalid_level", "level", "level: none compound building unit");
	unit_row u;
	if ((e = unit_find(ac, code, &u)))
		return e;
	if ((e = db_begin(ac->d)))
		return e;
	if ((e = lockdown_write(ac, u.id, lv, reason, 0)) || (e = db_commit(ac->d))) {
		db_rollback(ac->d);
		return e;
	}
	bus_publish_json(u.path, "lockdown",
	                 json_pack("{s:s,s:s,s:s}", "unit", u.code, "name", u.name, "level", level));
	return lockdown_get(ac, code, out);
}

/* ---- the response to a confirmed case ---- */

static werr task_create(const actor *ac, int64_t case_id, int64_t unit_id, const char *kind, int64_t owner,
                        int due_minutes, bool done, const char *place, json_t *tasks)
{
	int64_t now = now_s(), id;
	db_stmt *s = db_get(ac->d, SQL_TASK_INSERT);
	db_bind_int(s, 1, case_id);
	db_bind_int(s, 2, unit_id);
	db_bind_text(s, 3, kind);
	if (owner)
		db_bind_int(s, 4, owner);
	db_bind_int(s, 5, now + (int64_t)due_minutes * 60);
	db_bind_text(s, 6, done ? "done" : "open");
	db_bind_text(s, 7, place);
	if (done) {
		db_bind_int(s, 9, now);
		if (ac->user_id)
			db_bind_int(s, 10, ac->user_id);
	}
	db_bind_int(s, 11, now);
	werr e = db_run(s, &id);
	if (!e && tasks)
		json_array_append_new(tasks, json_pack("{s:I,s:s,s:s}", "id", (json_int_t)id, "kind", kind, "state",
		                                       done ? "done" : "open"));
	return e ? e : audit(ac, "create", "task", id, arena_printf(ac->a, "kind:%s", kind), "ok");
}

static werr contact_write(const actor *ac, int64_t case_id, int64_t rid, const char *name, const char *phone,
                          const char *day, const char *place, const char *kind, const char *note, int64_t *id)
{
	db_stmt *s = db_get(ac->d, SQL_CONTACT_INSERT);
	db_bind_int(s, 1, case_id);
	if (rid)
		db_bind_int(s, 2, rid);
	db_bind_text(s, 3, name);
	db_bind_text(s, 4, phone);
	db_bind_text(s, 5, day);
	db_bind_text(s, 6, place);
	db_bind_text(s, 7, kind);
	db_bind_text(s, 8, note);
	if (ac->user_id)
		db_bind_int(s, 9, ac->user_id);
	db_bind_int(s, 10, now_s());
	werr e = db_run(s, id);
	return e ? e : audit(ac, "create", "contact", *id, "case,contact,day,place,kind", "ok");
}

/* A contact followed as a close contact: the category and a home isolation from day. */
static werr follow_contact(const actor *ac, int64_t rid, int64_t contact_id, const char *day, bool *category_set,
                           int64_t *iso_id)
{
	const char *src = arena_printf(ac->a, "contact:%lld", (long long)contact_id);
	werr e = epi_change_tx(ac, rid, "close_contact", "contact_tracing", NULL, src, EPI_SKIP | EPI_UP_ONLY, category_set, NULL);
	if (e)
		return e;
	*iso_id = 0;
	const char *cur;
	if ((e = epi_current(ac, rid, &cur)))
		return e;
	if (!cur || strcmp(cur, "close_contact") != 0)
		return WG_OK; /* a graver category is followed on its own account */
	iso_req q = {.resident_id = rid, .kind = "home", .start_day = day, .source = src, .household = -1};
	return iso_start_tx(ac, &q, true, iso_id, NULL);
}

werr response_confirmed_tx(const actor *ac, int64_t resident_id, json_t *extra)
{
	person p;
	werr e = person_load(ac, resident_id, false, &p);
	if (e)
		return e;
	json_t *observed = extra ? json_object_get(extra, "household_observed") : NULL;
	json_t *tasks = extra ? json_object_get(extra, "tasks") : NULL;
	char today[11];
	today_str(today);
	/* the household: close contacts, each recorded as a contact of the case */
	int64_t members[64];
	size_t n = 0;
	db_stmt *s = db_get(ac->d, SQL_RES_OF_HH);
	db_bind_int(s, 1, p.household_id);
	while (db_step(s, &e) == DB_ROW && n < 64) {
		const char *res = db_text(s, 10);
		if (db_int(s, 0) != resident_id && (!strcmp(res, "living") || !strcmp(res, "temporary")))
			members[n++] = db_int(s, 0);
	}
	db_done(s);
	const char *src = arena_printf(ac->a, "household:%lld", (long long)resident_id);
	for (size_t i = 0; i < n; i++) {
		person m;
		int64_t cid, iso;
		bool set;
		if ((e = person_load(ac, members[i], false, &m)) ||
		    (e = contact_write(ac, resident_id, members[i], m.name, NULL, today, p.room, "household", NULL, &cid)) ||
		    (e = epi_change_tx(ac, members[i], "close_contact", "contact_tracing", NULL, src, EPI_SKIP | EPI_UP_ONLY, &set,
		                       NULL)))
			return e;
		const char *mc;
		if ((e = epi_current(ac, members[i], &mc)))
			return e;
		if (!mc || strcmp(mc, "close_contact") != 0)
			continue; /* a graver category is followed on its own account */
		/* the whole household is observed here: the rule is not applied again from each member */
		iso_req q = {.resident_id = members[i], .kind = "home", .start_day = today, .source = src, .household = 0};
		if ((e = iso_start_tx(ac, &q, true, &iso, NULL)))
			return e;
		if (observed)
			json_array_append_new(observed, json_integer(members[i]));
	}
	/* the building: lockdown raised, tasks created */
	int64_t building;
	if ((e = person_building(ac, &p, &building)))
		return e;
	s = db_get(ac->d, SQL_LOCK_GET);
	db_bind_int(s, 1, building);
	int64_t cur = 0;
	if ((e = db_scalar(s, &cur)))
		return e;
	/* the reason is read by every role at the unit (PEOPLE): it names no one, not even by id */
	if (cur < 2 && (e = lockdown_write(ac, building, 2, "确诊病例 / confirmed case", resident_id)))
		return e;
	int64_t owner;
	if ((e = responsible_worker(ac, &p, &owner)))
		return e;
	for (size_t i = 0; i < sizeof case_tasks / sizeof case_tasks[0]; i++)
		if ((e = task_create(ac, resident_id, building, case_tasks[i].kind, owner, case_tasks[i].due_minutes,
		                     case_tasks[i].done, p.building, tasks)))
			return e;
	return WG_OK;
}

/* 1 when the resident lies in the actor's subtree, 0 when outside, -1 when not found. */
static int resident_scope(const actor *ac, int64_t rid)
{
	db_stmt *s = db_get(ac->d, SQL_CHAIN_NODE);
	db_bind_int(s, 1, rid);
	werr e;
	int in = db_step(s, &e) == DB_ROW ? actor_in_scope(ac, db_text(s, 9)) : -1;
	db_done(s);
	return in;
}

/* ---- contacts ---- */

static json_t *contact_row_json(db_stmt *s)
{
	char at[32];
	fmt_time(db_int(s, 9), at);
	return json_pack("{s:I,s:I,s:o,s:s,s:s,s:o,s:s,s:o,s:s,s:o}", "id", (json_int_t)db_int(s, 0), "case_id",
	                 (json_int_t)db_int(s, 1), "resident_id", db_null(s, 2) ? json_null() : json_integer(db_int(s, 2)),
	                 "name", db_text(s, 3), "day", db_text(s, 5), "place", jv_text(db_text(s, 6)), "kind",
	                 db_text(s, 7), "note", jv_text(db_text(s, 8)), "created_at", at, "by", jv_text(db_text(s, 10)));
}

static werr contact_answer(const actor *ac, int64_t id, json_t **out)
{
	db_stmt *s = db_get(ac->d, SQL_CONTACT_GET);
	db_bind_int(s, 1, id);
	werr e = WG_OK;
	*out = db_step(s, &e) == DB_ROW ? contact_row_json(s) : NULL;
	db_done(s);
	return *out ? WG_OK : W_EDB;
}

werr contact_add(const actor *ac, int64_t case_id, json_t *body, json_t **out)
{
	static const char *const allowed[] = {"resident_id", "name", "phone", "day", "place", "kind", "note", "follow", NULL};
	const char *name, *phone, *day, *place, *kind, *note;
	int64_t rid = 0;
	bool follow = true;
	werr e;
	if ((e = jv_only(body, allowed)) || (e = jv_int(body, "resident_id", false, 1, INT64_MAX, &rid, NULL)) ||
	    (e = jv_str(body, "name", false, 50, &name)) || (e = jv_str(body, "phone", false, 24, &phone)) ||
	    (e = jv_str(body, "day", true, 10, &day)) || (e = jv_str(body, "place", false, 100, &place)) ||
	    (e = jv_str(body, "kind", true, 20, &kind)) || (e = jv_str(body, "note", false, 500, &note)) ||
	    (e = jv_bool(body, "follow", &follow, NULL)) || (e = day_valid(day, "day")))
		return e;
	if (!str_in_list(kind, contact_kinds))
		return w_fail(W_EINVAL, "invalid_kind", "kind",
		              "kind: household work meal transport medical social other");
	if (!rid && !name)
		return w_fail(W_EINVAL, "required", "name", "未登记的接触者须写姓名 / an unregistered contact needs a name");
	person c, m;
	if ((e = person_load(ac, case_id, true, &c)))
		return e;
	if (rid) {
		if (rid == case_id)
			return w_fail(W_EINVAL, "same_person", "resident_id", "接触者不能是本人 / a contact cannot be the case");
		if ((e = person_load(ac, rid, true, &m)))
			return e;
		name = m.name;
	}
	int64_t id, iso = 0;
	bool set = false;
	if ((e = db_begin(ac->d)))
		return e;
	if ((e = contact_write(ac, case_id, rid, name, phone, day, place, kind, note, &id)) ||
	    (rid && follow && (e = follow_contact(ac, rid, id, day, &set, &iso))) || (e = db_commit(ac->d))) {
		db_rollback(ac->d);
		return e;
	}
	if ((e = contact_answer(ac, id, out)))
		return e;
	json_object_set_new(*out, "category_set", json_boolean(set));
	json_object_set_new(*out, "isolation_id", iso ? json_integer(iso) : json_null());
	return WG_OK;
}

/* The contacts of one side (as the case, or as the contact) of a person; a row whose other
 * person lies outside the caller's scope says only that it continues there. */
static json_t *contact_rows(const actor *ac, int64_t resident_id, bool as_case)
{
	json_t *a = json_array();
	db_stmt *s = db_get(ac->d, as_case ? SQL_CONTACTS_OF_CASE : SQL_CONTACTS_AS_CONTACT);
	db_bind_int(s, 1, resident_id);
	werr e;
	while (db_step(s, &e) == DB_ROW) {
		json_t *o = contact_row_json(s);
		json_object_set_new(o, "_other", json_integer(as_case ? (db_null(s, 2) ? 0 : db_int(s, 2)) : db_int(s, 1)));
		json_array_append_new(a, o);
	}
	db_done(s);
	static const char *const hidden[] = {"id", "case_id", "resident_id", "name", "place", "note", "created_at", "by", NULL};
	size_t i;
	json_t *o;
	json_array_foreach(a, i, o)
	{
		int64_t other = json_integer_value(json_object_get(o, "_other"));
		json_object_del(o, "_other");
		bool out = other && resident_scope(ac, other) != 1; /* unregistered: the case's own record */
		for (const char *const *k = hidden; out && *k; k++)
			json_object_set_new(o, *k, json_null());
		json_object_set_new(o, "outside_scope", json_boolean(out));
	}
	return a;
}

werr contact_list(const actor *ac, int64_t resident_id, json_t **out)
{
	person p;
	werr e = person_load(ac, resident_id, true, &p);
	if (e)
		return e;
	json_t *as_case = contact_rows(ac, resident_id, true), *as_contact = contact_rows(ac, resident_id, false);
	if ((e = audit(ac, "read", "contact", resident_id, "name,day,place,kind", "ok"))) {
		json_decref(as_case);
		json_decref(as_contact);
		return e;
	}
	*out = json_pack("{s:I,s:o,s:o}", "resident_id", (json_int_t)resident_id, "items", as_case, "contact_of", as_contact);
	return WG_OK;
}

werr contact_link(const actor *ac, int64_t contact_id, json_t *body, json_t **out)
{
	static const char *const allowed[] = {"resident_id", NULL};
	int64_t rid;
	werr e;
	if ((e = jv_only(body, allowed)) || (e = jv_int(body, "resident_id", true, 1, INT64_MAX, &rid, NULL)))
		return e;
	db_stmt *s = db_get(ac->d, SQL_CONTACT_GET);
	db_bind_int(s, 1, contact_id);
	int64_t case_id = 0;
	bool linked = false;
	char day[11] = "";
	if (db_step(s, &e) == DB_ROW) {
		case_id = db_int(s, 1);
		linked = !db_null(s, 2);
		snprintf(day, sizeof day, "%s", db_text(s, 5));
	}
	db_done(s);
	person c, m;
	if (!case_id || person_load(ac, case_id, true, &c))
		return w_fail(W_ENOTFOUND, "contact_not_found", "contact_id", "没有这条接触记录 / no such contact");
	if (linked)
		return w_fail(W_ECONFLICT, "already_linked", "resident_id", "已关联居民 / the contact is already linked");
	if ((e = person_load(ac, rid, true, &m)))
		return e;
	int64_t iso = 0;
	bool set = false;
	if ((e = db_begin(ac->d)))
		return e;
	s = db_get(ac->d, SQL_CONTACT_LINK);
	db_bind_int(s, 1, contact_id);
	db_bind_int(s, 2, rid);
	if ((e = db_run(s, NULL)) || (e = follow_contact(ac, rid, contact_id, day, &set, &iso)) ||
	    (e = audit(ac, "update", "contact", contact_id, "resident", "ok")) || (e = db_commit(ac->d))) {
		db_rollback(ac->d);
		return e;
	}
	if ((e = contact_answer(ac, contact_id, out)))
		return e;
	json_object_set_new(*out, "category_set", json_boolean(set));
	json_object_set_new(*out, "isolation_id", iso ? json_integer(iso) : json_null());
	return WG_OK;
}

/* ---- the transmission chain ---- */

enum { CHAIN_MAX = 300 };

/* The people reached, in the order found; an outside one is never walked on from. */
typedef struct {
	int64_t ids[CHAIN_MAX];
	int depth[CHAIN_MAX];
	bool outside[CHAIN_MAX];
	size_t n;
} seen_set;

/* The index of id in q, adding it (its scope looked up) when new; -1 when q is full. */
static int seen_index(const actor *ac, seen_set *q, int64_t id, int depth)
{
	for (size_t i = 0; i < q->n; i++)
		if (q->ids[i] == id)
			return (int)i;
	if (q->n >= CHAIN_MAX)
		return -1;
	q->ids[q->n] = id;
	q->depth[q->n] = depth;
	q->outside[q->n] = resident_scope(ac, id) != 1;
	return (int)q->n++;
}

/* A node's id: "r<resident id>" inside the scope; outside it "o<n>", the order in which
 * the walk met it — no resident id, so nothing to look up. */
static const char *node_id(const actor *ac, const seen_set *q, int i)
{
	return q->outside[i] ? arena_printf(ac->a, "o%d", i) : arena_printf(ac->a, "r%lld", (long long)q->ids[i]);
}

/* Outside the scope a node says only that the chain continues there. */
static json_t *outside_node(const char *id)
{
	return json_pack("{s:s,s:n,s:n,s:n,s:n,s:n,s:n,s:n,s:b,s:b}", "id", id, "resident_id", "name", "category",
	                 "household_id", "room", "building", "unit_code", "root", false, "outside_scope", true);
}

static json_t *chain_node(const actor *ac, int64_t rid, bool root, json_t *households, json_t *buildings)
{
	db_stmt *s = db_get(ac->d, SQL_CHAIN_NODE);
	db_bind_int(s, 1, rid);
	werr e;
	json_t *o = NULL;
	if (db_step(s, &e) == DB_ROW) {
		bool ent = !strcmp(db_text(s, 6), "entrance");
		const char *building = ent ? db_text(s, 8) : db_text(s, 7);
		o = json_pack("{s:s,s:I,s:s,s:o,s:I,s:s,s:o,s:s,s:b,s:b}", "id", arena_printf(ac->a, "r%lld", (long long)rid),
		              "resident_id", (json_int_t)rid, "name", db_text(s, 1), "category", jv_text(db_text(s, 2)),
		              "household_id", (json_int_t)db_int(s, 3), "room", db_text(s, 4), "building", jv_text(building),
		              "unit_code", db_text(s, 5), "root", root, "outside_scope", false);
		json_object_set_new(households, arena_printf(ac->a, "%lld", (long long)db_int(s, 3)), json_true());
		json_object_set_new(buildings, arena_printf(ac->a, "%s|%s", db_text(s, 5), building ? building : ""),
		                    json_true());
	}
	db_done(s);
	return o;
}

/* One recorded contact of a person, read before the walk looks anyone up. */
typedef struct contact_edge {
	int64_t id, other; /* other: the person at the far end, 0 for an unregistered contact */
	const char *name, *day, *place, *kind;
	bool as_case; /* the person walked from is the case */
	struct contact_edge *next;
} contact_edge;

static contact_edge *contacts_of(const actor *ac, int64_t id)
{
	contact_edge *list = NULL, **tail = &list;
	werr e;
	for (int dir = 0; dir < 2; dir++) {
		db_stmt *s = db_get(ac->d, dir == 0 ? SQL_CONTACTS_OF_CASE : SQL_CONTACTS_AS_CONTACT);
		db_bind_int(s, 1, id);
		while (db_step(s, &e) == DB_ROW) {
			contact_edge *c = arena_alloc(ac->a, sizeof *c);
			*c = (contact_edge){.id = db_int(s, 0),
			                    .other = dir == 0 ? (db_null(s, 2) ? 0 : db_int(s, 2)) : db_int(s, 1),
			                    .name = arena_strdup(ac->a, db_text(s, 3)),
			                    .day = arena_strdup(ac->a, db_text(s, 5)),
			                    .place = arena_strdup(ac->a, db_text(s, 6)),
			                    .kind = arena_strdup(ac->a, db_text(s, 7)),
			                    .as_case = dir == 0};
			*tail = c;
			tail = &c->next;
		}
		db_done(s);
	}
	return list;
}

werr chain_get(const actor *ac, int64_t resident_id, int64_t depth, json_t **out)
{
	person p;
	werr e = person_load(ac, resident_id, true, &p);
	if (e)
		return e;
	seen_set *q = arena_alloc(ac->a, sizeof *q);
	q->n = 0;
	seen_index(ac, q, resident_id, 0);
	json_t *nodes = json_array(), *edges = json_array(), *hh = json_object(), *bl = json_object();
	bool truncated = false;
	size_t outside = 0;
	for (size_t i = 0; i < q->n; i++) {
		if (q->outside[i]) { /* met, and the chain goes on there: not walked */
			json_array_append_new(nodes, outside_node(node_id(ac, q, (int)i)));
			outside++;
			continue;
		}
		int64_t id = q->ids[i];
		json_t *node = chain_node(ac, id, i == 0, hh, bl);
		if (node)
			json_array_append_new(nodes, node);
		if (q->depth[i] >= depth)
			continue;
		const char *self = node_id(ac, q, (int)i);
		for (contact_edge *c = contacts_of(ac, id); c; c = c->next) {
			const char *to;
			bool far = false; /* the other end lies outside the scope */
			if (!c->other) { /* an unregistered contact, recorded on this (in-scope) case */
				to = arena_printf(ac->a, "c%lld", (long long)c->id);
				json_array_append_new(nodes, json_pack("{s:s,s:n,s:s,s:n,s:n,s:n,s:n,s:n,s:b,s:b}", "id", to,
				                                       "resident_id", "name", c->name, "category", "household_id",
				                                       "room", "building", "unit_code", "root", false,
				                                       "outside_scope", false));
			} else {
				int k = seen_index(ac, q, c->other, q->depth[i] + 1);
				if (k < 0) {
					truncated = true;
					continue;
				}
				to = node_id(ac, q, k);
				far = q->outside[k];
			}
			/* an edge to outside keeps its day and kind (this person's exposure), not its place */
			json_array_append_new(edges, json_pack("{s:s,s:s,s:s,s:o,s:s,s:b}", "from", c->as_case ? self : to, "to",
			                                       c->as_case ? to : self, "day", c->day, "place",
			                                       far ? json_null() : jv_text(c->place), "kind", c->kind,
			                                       "outside_scope", far));
		}
	}
	/* an edge found from both ends appears twice: keep one */
	json_t *uniq = json_array(), *keys = json_object();
	size_t k;
	json_t *ed;
	json_array_foreach(edges, k, ed)
	{
		const char *key = arena_printf(ac->a, "%s>%s@%s", json_string_value(json_object_get(ed, "from")),
		                               json_string_value(json_object_get(ed, "to")),
		                               json_string_value(json_object_get(ed, "day")));
		if (!json_object_get(keys, key)) {
			json_object_set_new(keys, key, json_true());
			json_array_append(uniq, ed);
		}
	}
	json_decref(edges);
	json_decref(keys);
	size_t nh = json_object_size(hh), nb = json_object_size(bl);
	json_decref(hh);
	json_decref(bl);
	if ((e = audit(ac, "read", "chain", resident_id, "name,category,contacts", "ok"))) {
		json_decref(nodes);
		json_decref(uniq);
		return e;
	}
	*out = json_pack("{s:I,s:I,s:o,s:o,s:I,s:I,s:I,s:b}", "root", (json_int_t)resident_id, "depth", (json_int_t)depth,
	                 "nodes", nodes, "edges", uniq, "households", (json_int_t)nh, "buildings", (json_int_t)nb,
	                 "outside", (json_int_t)outside, "truncated", truncated);
	return WG_OK;
}

/* ---- tasks ---- */

static json_t *task_row_json(db_stmt *s, int64_t now)
{
	char due[32], done[32], created[32];
	fmt_time(db_int(s, 8), due);
	fmt_time(db_int(s, 16), created);
	if (!db_null(s, 10))
		fmt_time(db_int(s, 10), done);
	bool open = !strcmp(db_text(s, 9), "open");
	bool ent = !strcmp(db_text(s, 5), "entrance");
	return json_pack("{s:I,s:s,s:s,s:o,s:s,s:s,s:o,s:s,s:s,s:b,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:s}", "id",
	                 (json_int_t)db_int(s, 0), "kind", db_text(s, 1), "title", task_title(db_text(s, 1)), "case_id",
	                 db_null(s, 2) ? json_null() : json_integer(db_int(s, 2)), "unit_code", db_text(s, 3), "building",
	                 ent ? db_text(s, 18) : db_text(s, 4), "owner",
	                 db_null(s, 6) ? json_null()
	                               : json_pack("{s:s,s:s}", "username", db_text(s, 6), "name", db_text(s, 7)),
	                 "due_at", due, "state", db_text(s, 9), "late", open && db_int(s, 8) < now, "done_at",
	                 db_null(s, 10) ? json_null() : json_string(done), "done_by", jv_text(db_text(s, 11)),
	                 "done_by_name", jv_text(db_text(s, 21)), "place",
	                 jv_text(db_text(s, 12)), "team", jv_text(db_text(s, 13)), "photo_note", jv_text(db_text(s, 14)),
	                 "note", jv_text(db_text(s, 15)), "created_at", created);
}

werr task_list(const actor *ac, const char *unit_code, const char *state, int64_t limit, int64_t offset, json_t **out)
{
	static const char *const states[] = {"open", "done", "late", "all", NULL};
	if (state && *state && !str_in_list(state, states))
		return w_fail(W_EINVAL, "invalid_state", "state", "state: open done late all");
	unit_row u;
	werr e = unit_scope(ac, unit_code, &u);
	if (e)
		return e;
	const char *up = scope_upper(ac->a, u.path), *mode = state && *state ? state : "all";
	int64_t now = now_s(), total = 0, late = 0;
	db_stmt *s = db_get(ac->d, SQL_TASK_COUNT);
	db_bind_text(s, 1, u.path);
	db_bind_text(s, 2, up);
	db_bind_text(s, 3, mode);
	db_bind_int(s, 4, now);
	if (db_step(s, &e) == DB_ROW) {
		total = db_int(s, 0);
		late = db_int(s, 1);
	}
	db_done(s);
	json_t *items = json_array();
	s = db_get(ac->d, SQL_TASK_LIST);
	db_bind_text(s, 1, u.path);
	db_bind_text(s, 2, up);
	db_bind_text(s, 3, mode);
	db_bind_int(s, 4, now);
	db_bind_int(s, 5, limit);
	db_bind_int(s, 6, offset);
	int rc;
	/* a role promised counts (command) gets tasks that name no one: no case (its id is
	 * a person's, one GET /residents/{id} away) and none of the free text written on them */
	bool named = actor_may(ac, ROLES_EPI);
	static const char *const unnamed[] = {"case_id", "place", "photo_note", "note", NULL};
	while ((rc = db_step(s, &e)) == DB_ROW) {
		json_t *t = task_row_json(s, now);
		for (const char *const *k = unnamed; !named && *k; k++)
			json_object_del(t, *k);
		json_array_append_new(items, t);
	}
	db_done(s);
	if (rc < 0 || (e = audit(ac, "read", "task", 0, arena_printf(ac->a, "list unit:%s", u.code), "ok"))) {
		json_decref(items);
		return e;
	}
	*out = jv_page(items, total, limit, offset);
	json_object_set_new(*out, "late", json_integer(late));
	return WG_OK;
}

werr task_action(const actor *ac, int64_t id, json_t *body, json_t **out)
{
	static const char *const allowed[] = {"action", "owner", "place", "team", "photo_note", "note", NULL};
	const char *action, *owner, *place, *team, *photo, *note;
	werr e;
	if ((e = jv_only(body, allowed)) || (e = jv_str(body, "action", true, 20, &action)) ||
	    (e = jv_str(body, "owner", false, 32, &owner)) || (e = jv_str(body, "place", false, 100, &place)) ||
	    (e = jv_str(body, "team", false, 100, &team)) || (e = jv_str(body, "photo_note", false, 500, &photo)) ||
	    (e = jv_str(body, "note", false, 500, &note)))
		return e;
	db_stmt *s = db_get(ac->d, SQL_TASK_GET);
	db_bind_int(s, 1, id);
	int rc = db_step(s, &e);
	bool found = rc == DB_ROW && actor_in_scope(ac, db_text(s, 17));
	const char *kind = NULL, *state = NULL, *cplace = NULL, *cteam = NULL, *cphoto = NULL, *cnote = NULL;
	int64_t owner_id = 0, done_at = 0, done_by = 0;
	if (found) {
		owner_id = db_null(s, 19) ? 0 : db_int(s, 19);
		done_at = db_null(s, 10) ? 0 : db_int(s, 10);
		done_by = db_null(s, 20) ? 0 : db_int(s, 20);
		kind = arena_strdup(ac->a, db_text(s, 1));
		state = arena_strdup(ac->a, db_text(s, 9));
		cplace = db_null(s, 12) ? NULL : arena_strdup(ac->a, db_text(s, 12));
		cteam = db_null(s, 13) ? NULL : arena_strdup(ac->a, db_text(s, 13));
		cphoto = db_null(s, 14) ? NULL : arena_strdup(ac->a, db_text(s, 14));
		cnote = db_null(s, 15) ? NULL : arena_strdup(ac->a, db_text(s, 15));
	}
	db_done(s);
	if (rc < 0)
		return e;
	if (!found)
		return w_fail(W_ENOTFOUND, "task_not_found", "task_id", "没有这项任务 / no such task");
	const char *new_state = state;
	if (!strcmp(action, "done")) {
		if (!strcmp(state, "done"))
			return w_fail(W_ECONFLICT, "task_done", "action", "任务已完成 / the task is already done");
		if (!strcmp(kind, "disinfection")) {
			if (!place && !cplace)
				return w_fail(W_EINVAL, "required", "place", "消杀须写明地点 / disinfection needs the place");
			if (!team)
				return w_fail(W_EINVAL, "required", "team", "消杀须写明队伍 / disinfection needs the team");
			if (!photo)
				return w_fail(W_EINVAL, "required", "photo_note", "消杀须有照片说明 / disinfection needs a photo note");
		}
		new_state = "done";
		done_at = now_s();
		done_by = ac->user_id;
	} else if (!strcmp(action, "assign")) {
		if (!owner)
			return w_fail(W_EINVAL, "required", "owner", "owner (a username) is required");
		if ((e = user_in_scope(ac, owner, "owner", &owner_id)))
			return e;
	} else if (!strcmp(action, "note")) {
		if (!note)
			return w_fail(W_EINVAL, "required", "note", "a note is required");
	} else {
		return w_fail(W_EINVAL, "invalid_action", "action", "action: done assign note");
	}
	if ((e = db_begin(ac->d)))
		return e;
	s = db_get(ac->d, SQL_TASK_UPDATE);
	db_bind_int(s, 1, id);
	if (owner_id)
		db_bind_int(s, 2, owner_id);
	db_bind_text(s, 3, new_state);
	db_bind_text(s, 4, place ? place : cplace);
	db_bind_text(s, 5, team ? team : cteam);
	db_bind_text(s, 6, photo ? photo : cphoto);
	db_bind_text(s, 7, note ? note : cnote);
	if (done_at)
		db_bind_int(s, 8, done_at);
	if (done_by)
		db_bind_int(s, 9, done_by);
	db_bind_int(s, 10, now_s());
	if ((e = db_run(s, NULL)) || (e = audit(ac, "update", "task", id, arena_printf(ac->a, "action:%s", action), "ok")) ||
	    (e = db_commit(ac->d))) {
		db_rollback(ac->d);
		return e;
	}
	s = db_get(ac->d, SQL_TASK_GET);
	db_bind_int(s, 1, id);
	const char *path = NULL;
	*out = NULL;
	if (db_step(s, &e) == DB_ROW) {
		*out = task_row_json(s, now_s());
		path = arena_strdup(ac->a, db_text(s, 17));
	}
	db_done(s);
	if (!*out)
		return W_EDB;
	bus_publish_json(path, "task",
	                 json_pack("{s:I,s:s,s:O,s:O,s:O}", "id", (json_int_t)id, "kind", kind, "state",
	                           json_object_get(*out, "state"), "unit_code",
	                           json_object_get(*out, "unit_code"), "building",
	                           json_object_get(*out, "building")));
	return WG_OK;
}

/* Open response tasks of the subtree at path by their owner's account, each (account id,
 * count) handed to fn — the staff's workload (staff.c, above the spine) reads them here. */
werr task_open_per_owner(const actor *ac, const char *path, void (*fn)(void *arg, int64_t user_id, int64_t n), void *arg)
{
	db_stmt *s = db_get(ac->d, SQL_WORK_TASKS_OPEN);
	db_bind_text(s, 1, path);
	db_bind_text(s, 2, scope_upper(ac->a, path));
	werr e = WG_OK;
	int rc;
	while ((rc = db_step(s, &e)) == DB_ROW)
		fn(arg, db_int(s, 0), db_int(s, 1));
	db_done(s);
	return rc < 0 ? e : WG_OK;
}
