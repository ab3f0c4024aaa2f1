/* registry.c — households and residents; see registry.h. */
#include "domain/registry.h"

#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#include "core/ident.h"
#include "core/jv.h"
#include "core/pinyin.h"
#include "core/utf8.h"
#include "core/util.h"
#include "domain/epi.h"
#include "domain/import.h"
#include "domain/lockdown.h"
#include "domain/stats.h"
#include "domain/tree.h"

static const struct {
	int bit;
	const char *name, *zh;
} flag_table[] = {
    {FLAG_LIVES_ALONE, "lives_alone", "独居"},
    {FLAG_DISABLED, "disabled", "残疾"},
    {FLAG_CHRONIC, "chronic", "慢性病"},
    {FLAG_NO_SMARTPHONE, "no_smartphone", "无智能手机"},
    {FLAG_PREGNANT, "pregnant", "孕妇"},
    {FLAG_REGULAR_MEDICINE, "regular_medicine", "长期用药"},
};
enum { NFLAGS = sizeof flag_table / sizeof flag_table[0] };

static const char *const occupancies[] = {"occupied", "vacant", "unknown", NULL};
static const char *const residences[] = {"living", "registered_only", "temporary", "away", NULL};
static const char *const evidence_kinds[] = {"meter", "lights", "neighbour", "visit", "census", "other", NULL};
static const char *const id_types[] = {"id_card", "passport", "other", NULL};

/* Parse one flag name (English, Chinese, or the import's elderly_alone / elderly).
 * Returns the bit, 0 for the derived "elderly", -1 when unknown. */
static int flag_parse(const char *s)
{
	if (strcmp(s, "elderly_alone") == 0 || strcmp(s, "独居老人") == 0)
		return FLAG_LIVES_ALONE;
	if (strcmp(s, "elderly") == 0 || strcmp(s, "老人") == 0 || strcmp(s, "60岁以上") == 0)
		return 0;
	for (int i = 0; i < NFLAGS; i++)
		if (strcmp(s, flag_table[i].name) == 0 || strcmp(s, flag_table[i].zh) == 0)
			return flag_table[i].bit;
	return -1;
}

static json_t *flags_json(int64_t flags, int age)
{
	json_t *a = json_array();
	bool elderly = age >= 60;
	if (elderly)
		json_array_append_new(a, json_string("elderly"));
	for (int i = 0; i < NFLAGS; i++)
		if (flags & flag_table[i].bit)
			json_array_append_new(a, json_string(elderly && flag_table[i].bit == FLAG_LIVES_ALONE
			                                         ? "elderly_alone"
			                                         : flag_table[i].name));
	return a;
}

/* ---- households ---- */

typedef struct {
	int64_t id, unit_id, retired_at, created_at, updated_at, residents;
	const char *room, *occupancy, *note, *unit_code, *unit_kind, *unit_name, *parent_name, *path;
} hh_row;

static void hh_from(arena *a, db_stmt *s, hh_row *h)
{
	h->id = db_int(s, 0);
	h->unit_id = db_int(s, 1);
	h->room = arena_strdup(a, db_text(s, 2));
	h->occupancy = arena_strdup(a, db_text(s, 3));
	h->note = arena_strdup(a, db_text(s, 4));
	h->retired_at = db_null(s, 5) ? 0 : db_int(s, 5);
	h->created_at = db_int(s, 6);
	h->updated_at = db_int(s, 7);
	h->unit_code = arena_strdup(a, db_text(s, 8));
	h->unit_kind = arena_strdup(a, db_text(s, 9));
	h->unit_name = arena_strdup(a, db_text(s, 10));
	h->parent_name = arena_strdup(a, db_text(s, 11));
	h->path = arena_strdup(a, db_text(s, 12));
	h->residents = db_int(s, 13);
}

static json_t *hh_json(const hh_row *h)
{
	// NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker): set by the look-up that succeeded above (the analyzer cannot see db_step set its error)
	bool ent = strcmp(h->unit_kind, "entrance") == 0;
	char created[32], updated[32];
	fmt_time(h->created_at, created);
	fmt_time(h->updated_at, updated);
	return json_pack("{s:I,s:s,s:o,s:o,s:s,s:s,s:o,s:I,s:b,s:s,s:s}", "id", (json_int_t)h->id,
	                 "unit_code", h->unit_code, "building",
	                 jv_text(ent ? h->parent_name : h->unit_name), "entrance",
	                 jv_text(ent ? h->unit_name : NULL), "room", h->room, "occupancy", h->occupancy,
	                 "note", jv_text(h->note), "resident_count", (json_int_t)h->residents,
	                 "retired", h->retired_at != 0, "created_at", created, "updated_at", updated);
}

static werr hh_load(const actor *ac, int64_t id, hh_row *h)
{
	*h = (hh_row){0};
	db_stmt *s = db_get(ac->d, SQL_HH_BY_ID);
	db_bind_int(s, 1, id);
	werr e = WG_OK;
	int rc = db_step(s, &e);
	if (rc == DB_ROW)
		hh_from(ac->a, s, h);
	db_done(s);
	if (rc < 0)
		return e;
	if (rc != DB_ROW || !actor_in_scope(ac, h->path)) {
		if (rc == DB_ROW)
			audit(ac, "read", "household", id, NULL, "denied");
		return w_fail(W_ENOTFOUND, "household_not_found", "household_id", "没有这户 / no such household");
	}
	return WG_OK;
}

/* A unit that can hold households: a building or an entrance in scope. */
static werr household_unit(const actor *ac, const char *code, const char *field, unit_row *u)
{
	*u = (unit_row){0};
	if (!code)
		return w_fail(W_EINVAL, "required", field, "%s is required", field);
	if (unit_find(ac, code, u))
		return w_fail(W_ENOTFOUND, "unit_not_found", field, "没有这个楼栋或单元 / no building or entrance %s", code);
	if (strcmp(u->kind, "building") != 0 && strcmp(u->kind, "entrance") != 0)
		return w_fail(W_EINVAL, "not_a_building", field,
		              "住户必须挂在楼栋或单元下 / households belong to a building or an entrance, not a %s", u->kind);
	if (u->retired_at)
		return w_fail(W_EINVAL, "unit_retired", field, "该楼栋已撤销 / the building is retired");
	return WG_OK;
}

static werr room_valid(const char *room)
{
	if (!room || !*room || utf8_len(room) > 20)
		return w_fail(W_EINVAL, "invalid_room", "room", "房号 1–20 字 / room: 1–20 characters");
	return WG_OK;
}

werr hh_list(const actor *ac, const char *unit_code, int64_t limit, int64_t offset, bool retired,
             json_t **out)
{
	unit_row u;
	werr e;
	if ((e = unit_scope(ac, unit_code, &u)))
		return e;
	const char *upper = scope_upper(ac->a, u.path);
	db_stmt *s = db_get(ac->d, SQL_HH_COUNT);
	db_bind_text(s, 1, u.path);
	db_bind_text(s, 2, upper);
	db_bind_int(s, 3, retired);
	int64_t total = 0;
	if ((e = db_scalar(s, &total)))
		return e;
	int rc;
	json_t *items = json_array();
	s = db_get(ac->d, SQL_HH_LIST);
	db_bind_text(s, 1, u.path);
	db_bind_text(s, 2, upper);
	db_bind_int(s, 3, limit);
	db_bind_int(s, 4, offset);
	db_bind_int(s, 5, retired);
	while ((rc = db_step(s, &e)) == DB_ROW) {
		hh_row h;
		hh_from(ac->a, s, &h);
		json_array_append_new(items, hh_json(&h));
	}
	db_done(s);
	if (rc < 0) {
		json_decref(items);
		return e;
	}
	*out = jv_page(items, total, limit, offset);
	return WG_OK;
}

/* ---- residents: rows and masking ---- */

typedef struct {
	int64_t id, household_id, flags, moved_out_at, created_at, updated_at, merged_into;
	const char *name, *sex, *birth_date, *id_type, *id_number, *phone, *relation, *residence,
	    *note, *unit_code, *unit_kind, *unit_name, *parent_name, *room, *path;
	const char *id_held; /* a number held for the duplicate-ID review (id_number is NULL) */
} res_row;

/* The document number a resident is registered with: its own, or the one held for review
 * (shown the same way: nothing in a view tells a held registration from another). */
static const char *res_number(const res_row *r)
{
	return r->id_number ? r->id_number : r->id_held;
}

static void res_from(arena *a, db_stmt *s, res_row *r)
{
	r->id = db_int(s, 0);
	r->household_id = db_int(s, 1);
	const char **txt[] = {&r->name, &r->sex, &r->birth_date, &r->id_type, &r->id_number, &r->phone,
	                      &r->relation};
	for (int i = 0; i < 7; i++)
		*txt[i] = arena_strdup(a, db_text(s, 2 + i));
	r->flags = db_int(s, 9);
	r->residence = arena_strdup(a, db_text(s, 10));
	r->note = arena_strdup(a, db_text(s, 11));
	r->moved_out_at = db_null(s, 12) ? 0 : db_int(s, 12);
	r->created_at = db_int(s, 13);
	r->updated_at = db_int(s, 14);
	r->unit_code = arena_strdup(a, db_text(s, 15));
	r->unit_kind = arena_strdup(a, db_text(s, 16));
	r->unit_name = arena_strdup(a, db_text(s, 17));
	r->parent_name = arena_strdup(a, db_text(s, 18));
	r->room = arena_strdup(a, db_text(s, 19));
	r->path = arena_strdup(a, db_text(s, 20));
	r->id_held = arena_strdup(a, db_text(s, 21));
	r->merged_into = db_null(s, 22) ? 0 : db_int(s, 22);
}

static json_t *res_json(const actor *ac, const res_row *r)
{
	bool ent = r->unit_kind && strcmp(r->unit_kind, "entrance") == 0;
	int age = actor_show_age(ac, r->birth_date);
	char updated[32];
	fmt_time(r->updated_at, updated);
	json_t *o = json_pack(
	    "{s:I,s:I,s:s,s:o,s:o,s:o,s:s,s:o,s:o,s:o,s:o,s:s,s:o,s:s,s:o,s:o,s:s,s:b,s:o,s:s}", "id",
	    (json_int_t)r->id, "household_id", (json_int_t)r->household_id, "name", r->name, "sex",
	    jv_text(r->sex), "birth_date", jv_text(actor_show_birth(ac, r->birth_date)), "age",
	    age >= 0 ? json_integer(age) : json_null(), "id_type", r->id_type, "id_number",
	    jv_text(actor_show_id(ac, res_number(r))), "phone", jv_text(actor_show_phone(ac, r->phone)), "relation",
	    jv_text(r->relation), "flags", flags_json(r->flags, age), "residence", r->residence, "note",
	    jv_text(r->note), "unit_code", r->unit_code, "building",
	    jv_text(ent ? r->parent_name : r->unit_name), "entrance", jv_text(ent ? r->unit_name : NULL),
	    "room", r->room, "moved_out", r->moved_out_at != 0, "merged_into",
	    r->merged_into ? json_integer(r->merged_into) : json_null(), "updated_at", updated);
	return o;
}

static werr res_load(const actor *ac, int64_t id, res_row *r)
{
	*r = (res_row){0};
	int64_t district; /* named, so that the look-up is routed to one shard on Citus */
	werr e = resident_district(ac, id, 0, &district);
	if (e)
		return e;
	db_stmt *s = db_get(ac->d, SQL_RES_BY_ID_IN);
	db_bind_int(s, 1, id);
	db_bind_int(s, 2, district);
	int rc = db_step(s, &e);
	if (rc == DB_ROW)
		res_from(ac->a, s, r);
	db_done(s);
	if (rc < 0)
		return e;
	if (rc != DB_ROW || !actor_in_scope(ac, r->path)) {
		if (rc == DB_ROW)
			audit(ac, "read", "resident", id, NULL, "denied");
		return w_fail(W_ENOTFOUND, "resident_not_found", "resident_id", "没有这个居民 / no such resident");
	}
	return WG_OK;
}

/* Fields of the person the actor was shown, for the audit row. */
static const char *shown_fields(const actor *ac)
{
	if (role_full_id(ac->role) && role_full_phone(ac->role) && role_birth_date(ac->role))
		return "name,birth_date,id_number,phone,flags";
	return arena_printf(ac->a, "name,%s%s%s,flags", role_birth_date(ac->role) ? "birth_date" : "age",
	                    role_sees_ids(ac->role) ? (role_full_id(ac->role) ? ",id_number" : ",id_number(masked)") : "",
	                    role_sees_phones(ac->role) ? (role_full_phone(ac->role) ? ",phone" : ",phone(masked)") : "");
}

werr hh_get(const actor *ac, int64_t id, json_t **out)
{
	hh_row h;
	werr e = hh_load(ac, id, &h);
	if (e)
		return e;
	json_t *o = hh_json(&h), *res = json_array(), *ev = json_array();
	db_stmt *s = db_get(ac->d, SQL_RES_OF_HH);
	db_bind_int(s, 1, id);
	int rc;
	while ((rc = db_step(s, &e)) == DB_ROW) {
		res_row r;
		res_from(ac->a, s, &r);
		json_array_append_new(res, res_json(ac, &r));
	}
	db_done(s);
	if (rc >= 0) {
		s = db_get(ac->d, SQL_EVIDENCE_LIST);
		db_bind_int(s, 1, id);
		while ((rc = db_step(s, &e)) == DB_ROW) {
			char at[32];
			fmt_time(db_int(s, 3), at);
			json_array_append_new(ev, json_pack("{s:I,s:s,s:o,s:s,s:o,s:o}", "id", (json_int_t)db_int(s, 0),
			                                    "kind", db_text(s, 1), "note", jv_text(db_text(s, 2)),
			                                    "recorded_at", at, "recorded_by", jv_text(db_text(s, 4)),
			                                    "recorded_by_name", jv_text(db_text(s, 5))));
		}
		db_done(s);
	}
	json_object_set_new(o, "residents", res);
	json_object_set_new(o, "evidence", ev);
	/* a household in isolation shows as such to everyone who comes to its door; who is in
	 * which category only to the roles that work with it */
	bool isolated = false;
	int64_t level = 0;
	if (rc >= 0 && ((e = household_isolated(ac->d, id, 0, &isolated)) ||
	                (e = lockdown_level_at(ac->d, h.path, &level))))
		rc = -1;
	json_object_set_new(o, "isolation", json_boolean(isolated));
	json_object_set_new(o, "lockdown", level ? json_string(lockdown_name(level)) : json_null());
	bool epi = actor_may(ac, ROLES_EPI);
	if (epi && rc >= 0) {
		size_t i;
		json_t *r;
		json_array_foreach(res, i, r)
		{
			int64_t rid = json_integer_value(json_object_get(r, "id"));
			const char *cat;
			json_t *iso;
			if ((e = epi_current(ac, rid, &cat)) || (e = epi_isolation_brief(ac->d, rid, &iso))) {
				json_decref(o);
				return e;
			}
			json_object_set_new(r, "category", jv_text(cat));
			json_object_set_new(r, "isolation", iso);
		}
	}
	if (rc < 0 || (e = audit(ac, "read", "household", id,
	                         epi ? arena_printf(ac->a, "%s,category", shown_fields(ac)) : shown_fields(ac), "ok"))) {
		json_decref(o);
		return e;
	}
	*out = o;
	return WG_OK;
}

werr hh_create(const actor *ac, json_t *body, json_t **out)
{
	static const char *const allowed[] = {"unit_code", "room", "occupancy", "note", NULL};
	const char *code, *room, *occ, *note;
	unit_row u;
	werr e;
	if ((e = jv_only(body, allowed)) || (e = jv_str(body, "unit_code", true, 64, &code)) ||
	    (e = jv_str(body, "room", true, 20, &room)) || (e = jv_str(body, "occupancy", false, 16, &occ)) ||
	    (e = jv_str(body, "note", false, 500, &note)) || (e = room_valid(room)) ||
	    (e = household_unit(ac, code, "unit_code", &u)))
		return e;
	if (occ && !str_in_list(occ, occupancies))
		return w_fail(W_EINVAL, "invalid_occupancy", "occupancy",
		              "occupancy: occupied, vacant or unknown");
	if ((e = db_begin(ac->d)))
		return e;
	db_stmt *s = db_get(ac->d, SQL_HH_INSERT);
	db_bind_int(s, 1, u.id);
	db_bind_text(s, 2, room);
	db_bind_text(s, 3, occ ? occ : "unknown");
	db_bind_text(s, 4, note);
	db_bind_int(s, 5, now_s());
	int64_t id = 0;
	if ((e = db_run(s, &id))) {
		db_rollback(ac->d);
		if (e == W_ECONFLICT)
			return w_fail(e, "duplicate_room", "room", "该楼栋已有这个房号 / this room is already registered in %s", u.name);
		return e;
	}
	if ((e = audit(ac, "create", "household", id, "unit_code,room,occupancy,note", "ok")) ||
	    (e = db_commit(ac->d))) {
		db_rollback(ac->d);
		return e;
	}
	hh_row h;
	if ((e = hh_load(ac, id, &h)))
		return e;
	*out = hh_json(&h);
	return WG_OK;
}

/* A household moved to another building: its people, their check-ins, alerts, isolations
 * with their follow-ups and the contacts of their cases carry the district key of where it
 * is now (docs/SCALING.md). */
static werr hh_redistrict(const actor *ac, int64_t id)
{
	static const sql_id steps[] = {SQL_RES_REDISTRICT_HH,   SQL_CHK_REDISTRICT_HH, SQL_ALERT_REDISTRICT_HH,
	                               SQL_ISO_REDISTRICT_HH,   SQL_FU_REDISTRICT_HH,  SQL_CONTACT_REDISTRICT_HH};
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		db_stmt *s = db_get(ac->d, steps[i]);
		db_bind_int(s, 1, id);
		werr e = db_run(s, NULL);
		if (e)
			return e;
	}
	return WG_OK;
}

werr hh_update(const actor *ac, int64_t id, json_t *body, json_t **out)
{
	static const char *const allowed[] = {"unit_code", "room", "occupancy", "note", "retired", NULL};
	const char *code, *room, *occ, *note;
	bool retired = false, has_retired;
	hh_row h;
	unit_row u;
	werr e;
	if ((e = hh_load(ac, id, &h)) || (e = jv_only(body, allowed)) ||
	    (e = jv_str(body, "unit_code", false, 64, &code)) || (e = jv_str(body, "room", false, 20, &room)) ||
	    (e = jv_str(body, "occupancy", false, 16, &occ)) || (e = jv_str(body, "note", false, 500, &note)) ||
	    (e = jv_bool(body, "retired", &retired, &has_retired)) || (room && (e = room_valid(room))))
		return e;
	if (occ && !str_in_list(occ, occupancies))
		return w_fail(W_EINVAL, "invalid_occupancy", "occupancy",
		              "occupancy: occupied, vacant or unknown");
	int64_t unit_id = h.unit_id;
	if (code) {
		if ((e = household_unit(ac, code, "unit_code", &u)))
			return e;
		unit_id = u.id;
	}
	if ((e = db_begin(ac->d)))
		return e;
	if (has_retired && retired && !h.retired_at) {
		db_stmt *c = db_get(ac->d, SQL_HH_ACTIVE_RESIDENTS);
		db_bind_int(c, 1, id);
		int rc = db_step(c, &e);
		int64_t n = rc == DB_ROW ? db_int(c, 0) : 0;
		db_done(c);
		if (rc < 0 || n > 0) {
			db_rollback(ac->d);
			return rc < 0 ? e : w_fail(W_ECONFLICT, "household_not_empty", "retired",
			                         "这户还有 %lld 名居民,请先迁出 / move its %lld residents out first",
			                         (long long)n, (long long)n);
		}
	}
	hh_snap before, after;
	if ((e = stats_snap(ac->d, ac->a, id, &before))) {
		db_rollback(ac->d);
		return e;
	}
	db_stmt *s = db_get(ac->d, SQL_HH_UPDATE);
	db_bind_int(s, 1, id);
	db_bind_int(s, 2, unit_id);
	db_bind_text(s, 3, room ? room : h.room);
	db_bind_text(s, 4, occ ? occ : h.occupancy);
	db_bind_text(s, 5, json_object_get(body, "note") ? note : h.note);
	if (has_retired ? retired : h.retired_at != 0)
		db_bind_int(s, 6, h.retired_at ? h.retired_at : now_s());
	db_bind_int(s, 7, now_s());
	if ((e = db_run(s, NULL)) || (unit_id != h.unit_id && (e = hh_redistrict(ac, id))) ||
	    (e = stats_snap(ac->d, ac->a, id, &after)) || (e = stats_apply(ac->d, &before, &after))) {
		db_rollback(ac->d);
		if (e == W_ECONFLICT)
			return w_fail(e, "duplicate_room", "room", "该楼栋已有这个房号 / this room is already registered");
		return e;
	}
	if ((e = audit(ac, "update", "household", id, audit_fields(ac->a, body), "ok")) || (e = db_commit(ac->d))) {
		db_rollback(ac->d);
		return e;
	}
	return hh_get(ac, id, out);
}

werr hh_add_evidence(const actor *ac, int64_t id, json_t *body, json_t **out)
{
	static const char *const allowed[] = {"kind", "note", NULL};
	const char *kind, *note;
	hh_row h;
	werr e;
	if ((e = hh_load(ac, id, &h)) || (e = jv_only(body, allowed)) ||
	    (e = jv_str(body, "kind", true, 16, &kind)) || (e = jv_str(body, "note", false, 500, &note)))
		return e;
	if (!str_in_list(kind, evidence_kinds))
		return w_fail(W_EINVAL, "invalid_kind", "kind",
		              "kind: meter, lights, neighbour, visit, census or other");
	if ((e = db_begin(ac->d)))
		return e;
	db_stmt *s = db_get(ac->d, SQL_EVIDENCE_INSERT);
	db_bind_int(s, 1, id);
	db_bind_text(s, 2, kind);
	db_bind_text(s, 3, note);
	if (ac->user_id)
		db_bind_int(s, 4, ac->user_id);
	db_bind_int(s, 5, now_s());
	int64_t eid = 0;
	if ((e = db_run(s, &eid)) || (e = audit(ac, "create", "occupancy_evidence", id, "kind,note", "ok")) ||
	    (e = db_commit(ac->d))) {
		db_rollback(ac->d);
		return e;
	}
	return hh_get(ac, id, out);
}

/* ---- residents: validation shared by the API and the import ---- */

static bool same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}


typedef struct {
	const char *name, *sex, *birth_date, *id_type, *id_number, *phone, *relation, *residence, *note;
	int64_t flags;
	const char *id_held; /* written by res_write's caller (hold_open); res_write keeps its tail */
} res_fields;

/* Validate and normalise f in place (arena copies); fails naming the field. */
static werr res_validate(const actor *ac, res_fields *f)
{
	if (!f->name || !*f->name || utf8_len(f->name) > 50 || !utf8_no_controls(f->name))
		return w_fail(W_EINVAL, "invalid_name", "name", "姓名 1–50 字 / name: 1–50 characters");
	if (!f->id_type || !*f->id_type)
		f->id_type = "id_card";
	if (!str_in_list(f->id_type, id_types))
		return w_fail(W_EINVAL, "invalid_id_type", "id_type", "id_type: id_card, passport or other");
	if (f->id_number && !*f->id_number)
		f->id_number = NULL;
	if (f->sex && !*f->sex)
		f->sex = NULL;
	if (f->birth_date && !*f->birth_date)
		f->birth_date = NULL;
	if (f->id_number) {
		char *num = arena_strdup(ac->a, f->id_number);
		if (strcmp(f->id_type, "id_card") == 0) {
			char birth[11];
			id_result r = id_validate(num, birth);
			if (r != ID_OK)
				return w_fail(W_EINVAL, "invalid_id_number", "id_number", "%s", id_result_message(r));
			for (char *p = num; *p; p++)
				if (*p == 'x')
					*p = 'X';
			if (f->birth_date && strcmp(f->birth_date, birth) != 0)
				return w_fail(W_EINVAL, "birth_date_mismatch", "birth_date",
				              "出生日期与身份证号不符 / birth_date does not match the ID number");
			if (!f->birth_date)
				f->birth_date = arena_strdup(ac->a, birth);
			char sx[2] = {id_sex(num), 0};
			if (f->sex && strcmp(f->sex, sx) != 0)
				return w_fail(W_EINVAL, "sex_mismatch", "sex", "性别与身份证号不符 / sex does not match the ID number");
			if (!f->sex)
				f->sex = arena_strdup(ac->a, sx);
		} else if (!doc_number_valid(num)) {
			return w_fail(W_EINVAL, "invalid_id_number", "id_number",
			              "证件号码应为 5–20 位字母或数字 / document number: 5–20 letters or digits");
		}
		f->id_number = num;
	}
	if (f->sex && strcmp(f->sex, "M") != 0 && strcmp(f->sex, "F") != 0)
		return w_fail(W_EINVAL, "invalid_sex", "sex", "性别应为 M(男)或 F(女) / sex: M or F");
	int y, m, d;
	if (f->birth_date && (!parse_date(f->birth_date, &y, &m, &d) || age_years(f->birth_date) < 0))
		return w_fail(W_EINVAL, "invalid_birth_date", "birth_date",
		              "出生日期格式应为 YYYY-MM-DD 且不晚于今天 / birth_date: YYYY-MM-DD, not in the future");
	if (f->phone && *f->phone) {
		char norm[32];
		if (!phone_normalize(f->phone, norm, sizeof norm))
			return w_fail(W_EINVAL, "invalid_phone", "phone", "电话号码格式不对 / not a valid mobile or landline number");
		f->phone = arena_strdup(ac->a, norm);
	} else {
		f->phone = NULL;
	}
	if (f->relation && (utf8_len(f->relation) > 20 || !utf8_no_controls(f->relation)))
		return w_fail(W_EINVAL, "invalid_relation", "relation", "relation: at most 20 characters");
	if (f->relation && !*f->relation)
		f->relation = NULL;
	if (!f->residence || !*f->residence)
		f->residence = "living";
	if (!str_in_list(f->residence, residences))
		return w_fail(W_EINVAL, "invalid_residence", "residence",
		              "residence: living, registered_only, temporary or away");
	return WG_OK;
}

/* Flags from a JSON array of names. */
static werr flags_from_json(json_t *a, int64_t *out)
{
	if (!json_is_array(a))
		return w_fail(W_EINVAL, "wrong_type", "flags", "flags must be an array of names");
	int64_t f = 0;
	size_t i;
	json_t *v;
	json_array_foreach(a, i, v)
	{
		int bit = json_is_string(v) ? flag_parse(json_string_value(v)) : -1;
		if (bit < 0)
			return w_fail(W_EINVAL, "invalid_flag", "flags",
			              "unknown flag; use lives_alone elderly_alone disabled chronic no_smartphone pregnant regular_medicine");
		f |= bit;
	}
	*out = f;
	return WG_OK;
}

/* What a resident's row stores besides its fields: the name's pinyin and initials (search)
 * and the last four characters of the document (or held) number and of the phone. */
typedef struct {
	char full[256], init[64];
	const char *id_tail, *ph_tail; /* into f's strings */
} res_derived;

static void res_derive(const res_fields *f, res_derived *x)
{
	pinyin_of(f->name, x->full, sizeof x->full, x->init, sizeof x->init);
	const char *num = f->id_number ? f->id_number : f->id_held;
	x->id_tail = num && strlen(num) >= 4 ? num + strlen(num) - 4 : NULL;
	x->ph_tail = f->phone && strlen(f->phone) >= 4 ? f->phone + strlen(f->phone) - 4 : NULL;
}

/* Insert or update (id != 0) a resident from validated fields, inside a transaction. */
static werr res_write(const actor *ac, int64_t id, int64_t household_id, const res_fields *f,
                      int64_t moved_out_at, int64_t *id_out)
{
	res_derived x;
	res_derive(f, &x);
	db_stmt *s = db_get(ac->d, id ? SQL_RES_UPDATE : SQL_RES_INSERT);
	int k = 1;
	if (id)
		db_bind_int(s, k++, id);
	db_bind_int(s, k++, household_id);
	db_bind_text(s, k++, f->name);
	db_bind_text(s, k++, x.full);
	db_bind_text(s, k++, x.init);
	db_bind_text(s, k++, f->sex);
	db_bind_text(s, k++, f->birth_date);
	db_bind_text(s, k++, f->id_type);
	db_bind_text(s, k++, f->id_number);
	db_bind_text(s, k++, x.id_tail);
	db_bind_text(s, k++, f->phone);
	db_bind_text(s, k++, x.ph_tail);
	db_bind_text(s, k++, f->relation);
	db_bind_int(s, k++, f->flags);
	db_bind_text(s, k++, f->residence);
	db_bind_text(s, k++, f->note);
	if (id) {
		if (moved_out_at)
			db_bind_int(s, k, moved_out_at);
		k++;
	}
	db_bind_int(s, k, now_s());
	werr e = db_run(s, id ? NULL : id_out);
	if (e == W_ECONFLICT)
		return w_fail(e, "duplicate_id_number", "id_number", "该证件号码已登记 / this document number is already registered");
	/* moved to another district: the check-ins, alerts, isolations with their follow-ups and the
	 * contacts of their case follow the person (each a no-op within a district) */
	static const sql_id follow[] = {SQL_CHK_REDISTRICT_RES, SQL_ALERT_REDISTRICT_RES, SQL_ISO_REDISTRICT_RES,
	                                SQL_FU_REDISTRICT_RES, SQL_CONTACT_REDISTRICT_RES};
	for (size_t i = 0; !e && id && i < sizeof follow / sizeof follow[0]; i++) {
		s = db_get(ac->d, follow[i]);
		db_bind_int(s, 1, id);
		e = db_run(s, NULL);
	}
	if (id && id_out)
		*id_out = id;
	return e;
}

static werr record_move(const actor *ac, int64_t rid, int64_t from, int64_t to, const char *note)
{
	db_stmt *s = db_get(ac->d, SQL_RES_MOVE_INSERT);
	db_bind_int(s, 1, rid);
	if (from)
		db_bind_int(s, 2, from);
	if (to)
		db_bind_int(s, 3, to);
	db_bind_int(s, 4, now_s());
	if (ac->user_id)
		db_bind_int(s, 5, ac->user_id);
	db_bind_text(s, 6, note);
	return db_run(s, NULL);
}

werr res_get(const actor *ac, int64_t id, json_t **out)
{
	res_row r;
	werr e = res_load(ac, id, &r);
	if (e)
		return e;
	json_t *o = res_json(ac, &r), *moves = json_array();
	db_stmt *s = db_get(ac->d, SQL_RES_MOVES);
	db_bind_int(s, 1, id);
	int rc;
	while ((rc = db_step(s, &e)) == DB_ROW) {
		char at[32];
		fmt_time(db_int(s, 0), at);
		json_array_append_new(moves, json_pack("{s:s,s:o,s:o,s:o,s:o}", "at", at, "from_household",
		                                       db_null(s, 1) ? json_null() : json_integer(db_int(s, 1)),
		                                       "to_household", db_null(s, 2) ? json_null() : json_integer(db_int(s, 2)),
		                                       "note", jv_text(db_text(s, 3)), "by", jv_text(db_text(s, 4))));
	}
	db_done(s);
	json_object_set_new(o, "moves", moves);
	/* the epidemic category only for the roles that work with named people in it */
	bool epi = actor_may(ac, ROLES_EPI);
	if (epi) {
		const char *cat;
		json_t *iso;
		if ((e = epi_current(ac, id, &cat)) || (e = epi_isolation_brief(ac->d, id, &iso))) {
			json_decref(o);
			return e;
		}
		json_object_set_new(o, "category", jv_text(cat));
		json_object_set_new(o, "isolation", iso);
	}
	if (rc < 0 || (e = audit(ac, "read", "resident", id,
	                         epi ? arena_printf(ac->a, "%s,category", shown_fields(ac)) : shown_fields(ac), "ok"))) {
		json_decref(o);
		return e;
	}
	*out = o;
	return WG_OK;
}

static const char *const res_allowed[] = {"household_id", "name", "sex", "birth_date", "id_type",
                                           "id_number", "phone", "relation", "flags", "residence",
                                           "note", "moved_out", NULL};

/* Read the resident fields present in body over f. */
static werr res_fields_from_json(json_t *body, res_fields *f)
{
	static const struct {
		const char *key;
		size_t off, max;
	} keys[] = {
	    {"name", offsetof(res_fields, name), 50},
	    {"sex", offsetof(res_fields, sex), 1},
	    {"birth_date", offsetof(res_fields, birth_date), 10},
	    {"id_type", offsetof(res_fields, id_type), 16},
	    {"id_number", offsetof(res_fields, id_number), 20},
	    {"phone", offsetof(res_fields, phone), 24},
	    {"relation", offsetof(res_fields, relation), 20},
	    {"residence", offsetof(res_fields, residence), 20},
	    {"note", offsetof(res_fields, note), 500},
	};
	werr e;
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		json_t *v = json_object_get(body, keys[i].key);
		if (!v)
			continue;
		const char *s;
		if ((e = jv_str(body, keys[i].key, false, keys[i].max, &s)))
			return e;
		*(const char **)((char *)f + keys[i].off) = s;
	}
	json_t *fl = json_object_get(body, "flags");
	if (fl && (e = flags_from_json(fl, &f->flags)))
		return e;
	return WG_OK;
}

/* ---- a document number already registered (docs/api.md 1.8, "duplicate ID numbers") ----
 *
 * A registration with a number someone else holds is answered by where that someone is:
 * inside the caller's scope (it sees that person anyway) a 409 naming them, masked as the
 * role sees them, so nobody is registered twice; outside it — where "already registered"
 * would confirm a number the caller sees masked, and reveal a registration it may not see —
 * exactly as a fresh registration, and the new row holds its number aside (id_held, out
 * of the unique index) as a duplicate-ID review item (身份证号重复待核实) for a community
 * account over the new household: merge, return to the worker, or keep both. */

typedef struct {
	int64_t reg;    /* the registration holding the number (unique index), 0 if none */
	bool reg_in_scope;
	int64_t held;   /* a registration in scope holding it for review, 0 if none */
} doc_owner;

/* Who holds type/num besides resident self: both looks run on every registration with a
 * number, hit or miss, so the answers take the same path. */
static werr doc_lookup(const actor *ac, const char *type, const char *num, int64_t self, doc_owner *o)
{
	*o = (doc_owner){0};
	werr e = WG_OK;
	db_stmt *s = db_get(ac->d, SQL_RES_BY_DOC);
	db_bind_text(s, 1, type);
	db_bind_text(s, 2, num);
	int rc = db_step(s, &e);
	if (rc == DB_ROW && db_int(s, 0) != self) {
		o->reg = db_int(s, 0);
		o->reg_in_scope = actor_in_scope(ac, db_text(s, 1));
	}
	db_done(s);
	if (rc < 0)
		return e;
	s = db_get(ac->d, SQL_RES_BY_HELD);
	db_bind_text(s, 1, type);
	db_bind_text(s, 2, num);
	while ((rc = db_step(s, &e)) == DB_ROW)
		if (!o->held && db_int(s, 0) != self && actor_in_scope(ac, db_text(s, 1)))
			o->held = db_int(s, 0);
	db_done(s);
	return rc < 0 ? e : WG_OK;
}

/* 409 naming the registration the caller already sees; *out receives {"existing": …}
 * (the error body carries it). */
static werr dup_in_scope(const actor *ac, int64_t rid, json_t **out)
{
	res_row r;
	werr e = res_load(ac, rid, &r);
	if (e)
		return e;
	if (out)
		*out = json_pack("{s:o}", "existing", res_json(ac, &r));
	bool ent = r.unit_kind && strcmp(r.unit_kind, "entrance") == 0;
	const char *place = arena_printf(ac->a, "%s%s%s", ent ? r.parent_name : r.unit_name, ent ? r.unit_name : "", r.room);
	return w_fail(W_ECONFLICT, "duplicate_id_number", "id_number",
	              "该证件号码已登记：%s（%s）/ this document number is already registered: %s (%s)", r.name, place, r.name,
	              place);
}

/* Hold resident rid's number for review: id_held (and its tail), the review item, its audit
 * row — inside the caller's transaction. */
static werr hold_open(const actor *ac, int64_t rid, const char *type, const char *num, int64_t existing,
                      const char *source)
{
	db_stmt *s = db_get(ac->d, SQL_RES_HOLD_SET);
	db_bind_int(s, 1, rid);
	db_bind_text(s, 2, num);
	db_bind_text(s, 3, strlen(num) >= 4 ? num + strlen(num) - 4 : NULL);
	werr e = db_run(s, NULL);
	if (e)
		return e;
	s = db_get(ac->d, SQL_IDR_INSERT);
	db_bind_int(s, 1, rid);
	db_bind_int(s, 2, existing);
	db_bind_text(s, 3, type);
	db_bind_text(s, 4, num);
	db_bind_text(s, 5, source);
	if (ac->user_id)
		db_bind_int(s, 6, ac->user_id);
	db_bind_int(s, 7, now_s());
	int64_t id = 0;
	if ((e = db_run(s, &id)))
		return e;
	return audit(ac, "create", "id_review", id,
	             arena_printf(ac->a, "resident:%lld existing:%lld source:%s", (long long)rid, (long long)existing, source),
	             "ok");
}

/* A resident's number changed some other way: its open or returned reviews are over, and
 * the number it held goes (keep_held: a new hold follows). */
static werr hold_settle(const actor *ac, int64_t rid, bool keep_held)
{
	db_stmt *s = db_get(ac->d, SQL_IDR_SUPERSEDE);
	db_bind_int(s, 1, rid);
	if (ac->user_id)
		db_bind_int(s, 2, ac->user_id);
	db_bind_int(s, 3, now_s());
	werr e = db_run(s, NULL);
	if (e || keep_held)
		return e;
	s = db_get(ac->d, SQL_RES_HOLD_CLEAR);
	db_bind_int(s, 1, rid);
	db_bind_int(s, 2, now_s());
	return db_run(s, NULL);
}

/* The number a returned registration held goes (the reviewer found it wrong). */
static werr hold_settle_clear(const actor *ac, int64_t rid)
{
	db_stmt *s = db_get(ac->d, SQL_RES_HOLD_CLEAR);
	db_bind_int(s, 1, rid);
	db_bind_int(s, 2, now_s());
	return db_run(s, NULL);
}

/* Decide how f's number may be written for resident self (0: a new one): a 409 naming a
 * registration in scope, or — registered outside the scope — moved to f->id_held, with
 * *existing the registration that holds it.  Call inside the write's transaction. */
static werr doc_place(const actor *ac, res_fields *f, int64_t self, int64_t *existing, json_t **out)
{
	*existing = 0;
	if (!f->id_number)
		return WG_OK;
	doc_owner o;
	werr e = doc_lookup(ac, f->id_type, f->id_number, self, &o);
	if (e)
		return e;
	if (o.reg && o.reg_in_scope)
		return dup_in_scope(ac, o.reg, out);
	if (o.held)
		return dup_in_scope(ac, o.held, out);
	if (o.reg) {
		*existing = o.reg;
		f->id_held = f->id_number;
		f->id_number = NULL;
	}
	return WG_OK;
}

werr res_create(const actor *ac, json_t *body, json_t **out)
{
	res_fields f = {0};
	int64_t hid = 0;
	hh_row h;
	werr e;
	if ((e = jv_only(body, res_allowed)) || (e = jv_int(body, "household_id", true, 1, INT64_MAX, &hid, NULL)) ||
	    (e = res_fields_from_json(body, &f)) || (e = hh_load(ac, hid, &h)) || (e = res_validate(ac, &f)))
		return e;
	if (json_object_get(body, "moved_out"))
		return w_fail(W_EINVAL, "unknown_field", "moved_out", "moved_out is set by PATCH");
	if (h.retired_at)
		return w_fail(W_EINVAL, "household_retired", "household_id", "这户已注销 / the household is retired");
	if ((e = db_begin(ac->d)))
		return e;
	int64_t id = 0, existing = 0;
	hh_snap before, after;
	if ((e = doc_place(ac, &f, 0, &existing, out)) || (e = stats_snap(ac->d, ac->a, hid, &before)) ||
	    (e = res_write(ac, 0, hid, &f, 0, &id)) ||
	    (existing && (e = hold_open(ac, id, f.id_type, f.id_held, existing, "register"))) ||
	    (e = stats_snap(ac->d, ac->a, hid, &after)) || (e = stats_apply(ac->d, &before, &after)) ||
	    (e = record_move(ac, id, 0, hid, "registered")) ||
	    (e = audit(ac, "create", "resident", id, "name,sex,birth_date,id_type,id_number,phone,relation,flags,residence", "ok")) ||
	    (e = db_commit(ac->d))) {
		bool dup = e == W_ECONFLICT && strcmp(w_last()->code, "duplicate_id_number") == 0;
		db_rollback(ac->d);
		/* "already registered" in the caller's scope: the auditor sees every such answer */
		if (dup)
			audit(ac, "create", "resident", 0, "id_number:duplicate", "failed");
		return e;
	}
	res_row r;
	if ((e = res_load(ac, id, &r)))
		return e;
	*out = res_json(ac, &r);
	return WG_OK;
}

werr res_update(const actor *ac, int64_t id, json_t *body, json_t **out)
{
	res_row r;
	werr e;
	if ((e = res_load(ac, id, &r)) || (e = jv_only(body, res_allowed)))
		return e;
	res_fields f = {r.name, r.sex, r.birth_date, r.id_type, r.id_number, r.phone,
	                r.relation, r.residence, r.note, r.flags, r.id_held};
	/* A masked value sent back unchanged must not overwrite the real one: the client
	 * can only replace what it was allowed to see. */
	if (json_object_get(body, "id_number") && !role_full_id(ac->role))
		return w_fail(W_EFORBIDDEN, "forbidden", "id_number", "你的角色不能修改证件号码 / your role cannot change ID numbers");
	if (json_object_get(body, "phone") && !role_full_phone(ac->role))
		return w_fail(W_EFORBIDDEN, "forbidden", "phone", "你的角色不能修改电话 / your role cannot change phone numbers");
	/* a birth date the role is not shown: a mismatch with the ID number would tell it */
	if (json_object_get(body, "birth_date") && !role_birth_date(ac->role))
		return w_fail(W_EFORBIDDEN, "forbidden", "birth_date", "你的角色不能修改出生日期 / your role cannot change birth dates");
	int64_t hid = r.household_id;
	bool moved_out = r.moved_out_at != 0, has_moved;
	if ((e = jv_int(body, "household_id", false, 1, INT64_MAX, &hid, NULL)) ||
	    (e = jv_bool(body, "moved_out", &moved_out, &has_moved)) || (e = res_fields_from_json(body, &f)))
		return e;
	/* birth date and sex follow the ID number when it changes */
	if (json_object_get(body, "id_number") && !json_object_get(body, "birth_date"))
		f.birth_date = NULL;
	if (json_object_get(body, "id_number") && !json_object_get(body, "sex"))
		f.sex = NULL;
	if ((e = res_validate(ac, &f)))
		return e;
	hh_row h;
	if (hid != r.household_id && (e = hh_load(ac, hid, &h)))
		return e;
	if (hid != r.household_id && h.retired_at)
		return w_fail(W_EINVAL, "household_retired", "household_id", "这户已注销 / the household is retired");
	if ((e = db_begin(ac->d)))
		return e;
	int64_t mo = moved_out ? (r.moved_out_at ? r.moved_out_at : now_s()) : 0;
	hh_snap b_old, b_new, a_old, a_new;
	/* a new number (full-ID roles only): named if registered in scope, held for review if
	 * registered outside it (the answer as for any other number) */
	bool renumber = json_object_get(body, "id_number") &&
	                (!same(res_number(&r), f.id_number) || !same(f.id_type, r.id_type));
	int64_t existing = 0;
	if (renumber)
		f.id_held = NULL;
	if (renumber && (e = doc_place(ac, &f, id, &existing, out)))
		goto fail;
	if (!renumber) /* unchanged (sent again or not at all): as it is registered or held */
		f.id_number = r.id_number, f.id_held = r.id_held;
	if ((e = stats_snap(ac->d, ac->a, r.household_id, &b_old)) || (e = stats_snap(ac->d, ac->a, hid, &b_new)) ||
	    (e = res_write(ac, id, hid, &f, mo, NULL)) ||
	    (renumber && r.id_held && (e = hold_settle(ac, id, existing != 0))) ||
	    (existing && (e = hold_open(ac, id, f.id_type, f.id_held, existing, "update"))) ||
	    (e = stats_snap(ac->d, ac->a, r.household_id, &a_old)) || (e = stats_apply(ac->d, &b_old, &a_old)))
		goto fail;
	if (hid != r.household_id &&
	    ((e = stats_snap(ac->d, ac->a, hid, &a_new)) || (e = stats_apply(ac->d, &b_new, &a_new))))
		goto fail;
	if (hid != r.household_id && (e = record_move(ac, id, r.household_id, hid, "moved")))
		goto fail;
	if (has_moved && moved_out != (r.moved_out_at != 0) &&
	    (e = record_move(ac, id, moved_out ? hid : 0, moved_out ? 0 : hid, moved_out ? "moved out" : "moved back")))
		goto fail;
	if ((e = audit(ac, "update", "resident", id, audit_fields(ac->a, body), "ok")) || (e = db_commit(ac->d)))
		goto fail;
	if ((e = res_load(ac, id, &r)))
		return e;
	*out = res_json(ac, &r);
	return WG_OK;
fail: {
	bool dup = e == W_ECONFLICT && strcmp(w_last()->code, "duplicate_id_number") == 0;
	db_rollback(ac->d);
	if (dup)
		audit(ac, "update", "resident", id, "id_number:duplicate", "failed");
	return e;
}
}

/* ---- search ---- */

/* Parse "3栋1504", "3-1504", "3号楼2单元301", "5-2-301" into building, entrance, room. */
static bool parse_room_query(arena *a, const char *q, const char **b, const char **ent, const char **room)
{
	const char *p = q;
	size_t n = strspn(p, "0123456789");
	if (n == 0 || n > 4)
		return false;
	*b = arena_strndup(a, p, n);
	p += n;
	static const char *const bsep[] = {"栋", "号楼", "幢", "-", "#", NULL};
	static const char *const esep[] = {"单元", "-", NULL};
	bool sep = false;
	for (int i = 0; bsep[i]; i++)
		if (strncmp(p, bsep[i], strlen(bsep[i])) == 0) {
			p += strlen(bsep[i]);
			sep = true;
			break;
		}
	if (!sep)
		return false;
	while (*p == ' ')
		p++;
	n = strspn(p, "0123456789");
	if (n == 0)
		return false;
	const char *second = arena_strndup(a, p, n);
	p += n;
	*ent = NULL;
	*room = second;
	for (int i = 0; esep[i]; i++)
		if (strncmp(p, esep[i], strlen(esep[i])) == 0) {
			p += strlen(esep[i]);
			n = strspn(p, "0123456789");
			if (n == 0)
				return false;
			*ent = second;
			*room = arena_strndup(a, p, n);
			p += n;
			break;
		}
	if (strncmp(p, "室", 3) == 0 || strncmp(p, "号", 3) == 0)
		p += 3;
	return *p == 0;
}

static char *like_escape(arena *a, const char *s)
{
	buf b;
	buf_init(&b, a);
	for (; *s; s++) {
		if (*s == '%' || *s == '_' || *s == '\\')
			buf_putc(&b, '\\');
		buf_putc(&b, *s);
	}
	buf_putc(&b, '%');
	return b.p;
}

werr res_search(const actor *ac, const char *q, const char *unit_code, const char *const *also, int nalso,
                int64_t limit, int64_t offset, json_t **out)
{
	unit_row u;
	werr e = unit_scope(ac, unit_code, &u);
	if (e)
		return e;
	if (q && (utf8_len(q) > 40 || !utf8_no_controls(q)))
		return w_fail(W_EINVAL, "invalid_query", "q", "查询词最多 40 字 / q: at most 40 characters");
	while (q && *q == ' ')
		q++;
	if (q && !*q)
		q = NULL;
	/* a search is a question about people: counted per account, so that nobody asks
	 * ten thousand of them (a list without q pages through what the role sees anyway) */
	if (q && actor_search_throttled(ac)) {
		audit(ac, "search", "resident", 0, arena_printf(ac->a, "unit:%s limit:%d/%ds", u.code, SEARCH_LIMIT, SEARCH_WINDOW_S),
		      "throttled");
		return w_fail(W_ETOOMANY, "too_many_searches", "q",
		              "查询过于频繁,请 %d 分钟后再试 / too many searches: at most %d in %d minutes", SEARCH_WINDOW_S / 60,
		              SEARCH_LIMIT, SEARCH_WINDOW_S / 60);
	}
	const char *kind = "list", *cond = "1 = 1";
	const char *p3 = NULL, *p4 = NULL, *p5 = NULL;
	const char *b, *ent, *room;
	size_t qn = q ? strlen(q) : 0;
	bool digits = q && strspn(q, "0123456789") == qn;
	bool alpha = q && strspn(q, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") == qn;
	if (q && (digits || (qn == 4 && strspn(q, "0123456789") == 3 && (q[3] == 'X' || q[3] == 'x'))) && qn == 4) {
		kind = "tail";
		char *t = arena_strdup(ac->a, q);
		if (t[3] == 'x')
			t[3] = 'X';
		p3 = t;
		cond = role_sees_phones(ac->role)
		           ? (role_sees_ids(ac->role) ? "(r.phone_tail = $3 OR r.id_tail = $3)" : "r.phone_tail = $3")
		           : (role_sees_ids(ac->role) ? "r.id_tail = $3" : "0 = 1");
	} else if (q && (qn == 11 || qn == 18) &&
	           (digits || (qn == 18 && strspn(q, "0123456789") == 17 && (q[17] == 'X' || q[17] == 'x')))) {
		/* A whole number only from a role shown it whole: to any other the answer would
		 * confirm a number it sees masked (10,000 tries rebuild a phone's middle). */
		bool ph = role_full_phone(ac->role), id = role_full_id(ac->role);
		if (!(qn == 11 ? ph : id)) {
			audit(ac, "search", "resident", 0, arena_printf(ac->a, "by:number unit:%s", u.code), "denied");
			return w_fail(W_EFORBIDDEN, "forbidden", "q",
			              "你的角色只能看到%s的后四位,请按后四位或姓名查询 / your role sees %s masked: search by the last four "
			              "digits or the name",
			              qn == 11 ? "电话" : "证件号码", qn == 11 ? "phone numbers" : "ID numbers");
		}
		kind = "number";
		char *t = arena_strdup(ac->a, q);
		if (qn == 18 && t[17] == 'x')
			t[17] = 'X';
		p3 = t;
		cond = qn == 11 ? "r.phone = $3" : "r.id_number = $3";
	} else if (q && parse_room_query(ac->a, q, &b, &ent, &room)) {
		kind = "room";
		p3 = room;
		p4 = b;
		p5 = ent;
		cond = ent ? "h.room = $3 AND u.kind = 'entrance' AND (p.name = $4 || '栋' OR p.name = $4 || '号楼' OR p.name = $4)"
		             " AND (u.name = $5 || '单元' OR u.name = $5)"
		           : "h.room = $3 AND ((u.kind = 'building' AND (u.name = $4 || '栋' OR u.name = $4 || '号楼' OR u.name = $4))"
		             " OR (u.kind = 'entrance' AND (p.name = $4 || '栋' OR p.name = $4 || '号楼' OR p.name = $4)))";
	} else if (q && alpha) {
		kind = "pinyin";
		char *lq = arena_strdup(ac->a, q);
		for (char *c = lq; *c; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c += 32;
		p3 = lq;
		p4 = arena_printf(ac->a, "%s{", lq);
		cond = "((r.name_initials >= $3 AND r.name_initials < $4) OR (r.name_pinyin >= $3 AND r.name_pinyin < $4))";
	} else if (q) {
		kind = "name";
		p3 = like_escape(ac->a, q);
		cond = "r.name LIKE $3 ESCAPE '\\'";
	}
	int np = p5 ? 5 : p4 ? 4 : p3 ? 3 : 2;
	/* the subtree, and the other parts of the tree the caller adds (a gate's served
	 * compounds), numbered after the condition's parameters */
	const char **pv = arena_alloc(ac->a, (size_t)(np + 2 * nalso) * sizeof *pv);
	const char *pq[] = {u.path, scope_upper(ac->a, u.path), p3, p4, p5};
	memcpy(pv, pq, (size_t)np * sizeof *pv);
	buf within;
	buf_init(&within, ac->a);
	buf_puts(&within, "((u.path >= $1 AND u.path < $2)");
	for (int i = 0; i < nalso; i++) {
		buf_printf(&within, " OR (u.path >= $%d AND u.path < $%d)", np + 2 * i + 1, np + 2 * i + 2);
		pv[np + 2 * i] = also[i];
		pv[np + 2 * i + 1] = scope_upper(ac->a, also[i]);
	}
	buf_puts(&within, ")");
	np += 2 * nalso;
	const char *where = arena_printf(ac->a, " WHERE %s AND r.moved_out_at IS NULL AND h.retired_at IS NULL AND %s",
	                                 within.p, cond);
	db_stmt *c = db_prepare(ac->d, arena_printf(ac->a, RES_SEARCH_COUNT "%s", where));
	if (!c)
		return w_last()->err;
	for (int i = 0; i < np; i++)
		db_bind_text(c, i + 1, pv[i]);
	int64_t total = 0;
	int rc = db_step(c, &e);
	if (rc == DB_ROW)
		total = db_int(c, 0);
	db_finalize(c);
	if (rc < 0)
		return e;
	db_stmt *s = db_prepare(ac->d, arena_printf(ac->a, RES_SEARCH_PAGE "%s" RES_SEARCH_ORDER, where, (long long)limit,
	                                            (long long)offset));
	if (!s)
		return w_last()->err;
	for (int i = 0; i < np; i++)
		db_bind_text(s, i + 1, pv[i]);
	json_t *items = json_array();
	while ((rc = db_step(s, &e)) == DB_ROW) {
		res_row r;
		res_from(ac->a, s, &r);
		json_array_append_new(items, res_json(ac, &r));
	}
	db_finalize(s);
	if (rc < 0 || (e = audit(ac, q ? "search" : "list", "resident", 0,
	                         arena_printf(ac->a, "by:%s unit:%s results:%zu", kind, u.code, json_array_size(items)),
	                         "ok"))) {
		json_decref(items);
		return e;
	}
	*out = jv_page(items, total, limit, offset);
	json_object_set_new(*out, "matched_by", json_string(kind));
	return WG_OK;
}

/* ---- bulk import ---- */

enum { COL_NAME, COL_SEX, COL_BIRTH, COL_IDTYPE, COL_IDNUM, COL_PHONE, COL_UNIT, COL_ROOM, COL_REL, COL_FLAGS, COL_RESIDENCE, NCOLS };
static const char *const col_names[NCOLS][2] = {
    {"name", "姓名"},          {"sex", "性别"},      {"birth_date", "出生日期"}, {"id_type", "证件类型"},
    {"id_number", "证件号码"}, {"phone", "联系电话"}, {"unit_code", "单位编码"},  {"room", "房号"},
    {"relation", "与户主关系"}, {"flags", "标签"},    {"residence", "居住状态"},
};

static const char *residence_code(const char *s)
{
	static const char *const zh[][2] = {{"在住", "living"}, {"户在人不在", "registered_only"},
	                                    {"暂住", "temporary"}, {"外出", "away"}};
	for (size_t i = 0; s && i < sizeof zh / sizeof zh[0]; i++)
		if (!strcmp(s, zh[i][0]))
			return zh[i][1];
	return s;
}

static const char *sex_code(const char *s)
{
	if (!s || !*s)
		return NULL;
	if (!strcmp(s, "男") || !strcmp(s, "M") || !strcmp(s, "m") || !strcmp(s, "male"))
		return "M";
	if (!strcmp(s, "女") || !strcmp(s, "F") || !strcmp(s, "f") || !strcmp(s, "female"))
		return "F";
	return s; /* refused by validation, naming the column */
}

static const char *id_type_code(const char *s)
{
	if (!s || !*s || !strcmp(s, "身份证") || !strcmp(s, "居民身份证"))
		return "id_card";
	if (!strcmp(s, "护照"))
		return "passport";
	if (!strcmp(s, "其他"))
		return "other";
	return s;
}

/* The sheet's unit codes, each looked up once: its id, or why a row naming it is refused. */
typedef struct {
	char *code; /* NULL: a free slot */
	int64_t id;
	char *path; /* NULL when refused */
	werr err;
	wdetail why;
} unit_hit;
typedef struct {
	unit_hit *v;
	size_t cap, n;
} unit_cache;

static size_t code_hash(const char *s)
{
	size_t h = 1469598103934665603u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

/* The slot of code: its entry, or the free slot where it goes. */
static unit_hit *unit_slot(unit_cache *c, const char *code)
{
	if (2 * (c->n + 1) > c->cap) {
		unit_cache g = {.cap = c->cap ? 2 * c->cap : 256};
		g.v = xcalloc(g.cap, sizeof *g.v);
		for (size_t i = 0; i < c->cap; i++)
			if (c->v[i].code) {
				size_t k = code_hash(c->v[i].code) & (g.cap - 1);
				while (g.v[k].code)
					k = (k + 1) & (g.cap - 1);
				g.v[k] = c->v[i];
			}
		g.n = c->n;
		free(c->v);
		*c = g;
	}
	size_t k = code_hash(code) & (c->cap - 1);
	while (c->v[k].code && strcmp(c->v[k].code, code) != 0)
		k = (k + 1) & (c->cap - 1);
	return &c->v[k];
}

static void unit_cache_free(unit_cache *c)
{
	for (size_t i = 0; i < c->cap; i++) {
		free(c->v[i].code);
		free(c->v[i].path);
	}
	free(c->v);
	*c = (unit_cache){0};
}

/* The units named by the rows of the import under way, each looked up once: its id and
 * path, or why a row naming it is refused (reset at the start and the end of each import;
 * the import changes no unit). */
static _Thread_local unit_cache row_units;
/* The households the rows of the import under way have named, by unit and room: a sheet of
 * a million rows names each of its ~190,000 households five times.  A household this
 * import made, joined by new people only ("known"), holds nobody but the people this
 * import wrote there: who of them lives there and their names are kept here, so a row
 * joining it asks the store for its document number only, and the newcomer changes no
 * day's tally of it (none of its people has a check-in: no stats_snap).  A person updated
 * or moved in or out makes it unknown (the store is asked again).  Emptied with the
 * transaction, and whenever a row is undone by its savepoint (it may have made the
 * household or the people). */
typedef struct {
	char *room; /* NULL: a free slot */
	int64_t unit, id;
	bool fresh;     /* made by this import, no one updated or moved in since */
	int32_t living; /* fresh: its people living there (residence living or temporary) */
	uint32_t names; /* fresh: its people's names (hashes), a list in row_hh.names; 0 ends it */
} hh_hit;
typedef struct {
	uint64_t h;
	uint32_t next;
} hh_name;
static _Thread_local struct {
	hh_hit *v;
	size_t cap, n;
	hh_name *names; /* names[0] unused: 0 ends a list */
	uint32_t nnames, capnames;
	int64_t *gone; /* ids of households a person moved out of (no longer known) */
	size_t gcap, gn;
} row_hh;

static size_t hh_hash(int64_t unit, const char *room)
{
	return (code_hash(room) ^ (size_t)unit) * 1099511628211u;
}

static void hh_map_clear(void)
{
	for (size_t i = 0; i < row_hh.cap; i++)
		free(row_hh.v[i].room);
	free(row_hh.v);
	free(row_hh.names);
	free(row_hh.gone);
	memset(&row_hh, 0, sizeof row_hh);
}

/* The slot of (unit, room): its entry, or the free slot where it goes (valid until the next
 * call). */
static hh_hit *hh_slot(int64_t unit, const char *room)
{
	if (2 * (row_hh.n + 1) > row_hh.cap) {
		size_t cap = row_hh.cap ? 2 * row_hh.cap : 1024;
		hh_hit *v = xcalloc(cap, sizeof *v);
		for (size_t i = 0; i < row_hh.cap; i++)
			if (row_hh.v[i].room) {
				size_t k = hh_hash(row_hh.v[i].unit, row_hh.v[i].room) & (cap - 1);
				while (v[k].room)
					k = (k + 1) & (cap - 1);
				v[k] = row_hh.v[i];
			}
		free(row_hh.v);
		row_hh.v = v;
		row_hh.cap = cap;
	}
	size_t k = hh_hash(unit, room) & (row_hh.cap - 1);
	while (row_hh.v[k].room && (row_hh.v[k].unit != unit || strcmp(row_hh.v[k].room, room) != 0))
		k = (k + 1) & (row_hh.cap - 1);
	return &row_hh.v[k];
}

/* The set of household ids a person moved out of: add id (add) or ask for it. */
static bool hh_gone(int64_t id, bool add)
{
	if (add && 2 * (row_hh.gn + 1) > row_hh.gcap) {
		size_t cap = row_hh.gcap ? 2 * row_hh.gcap : 256;
		int64_t *g = xcalloc(cap, sizeof *g);
		for (size_t i = 0; i < row_hh.gcap; i++)
			if (row_hh.gone[i]) {
				size_t k = (size_t)row_hh.gone[i] * 2654435761u & (cap - 1);
				while (g[k])
					k = (k + 1) & (cap - 1);
				g[k] = row_hh.gone[i];
			}
		free(row_hh.gone);
		row_hh.gone = g;
		row_hh.gcap = cap;
	}
	if (!row_hh.gcap)
		return false;
	size_t k = (size_t)id * 2654435761u & (row_hh.gcap - 1);
	for (; row_hh.gone[k]; k = (k + 1) & (row_hh.gcap - 1))
		if (row_hh.gone[k] == id)
			return true;
	if (add) {
		row_hh.gone[k] = id;
		row_hh.gn++;
	}
	return false;
}

/* Whether the import knows everyone of h (see above). */
static bool hh_known(const hh_hit *h)
{
	return h->fresh && !hh_gone(h->id, false);
}

/* Whether one of h's people has this name (by hash: a collision only asks the store). */
static bool hh_has_name(const hh_hit *h, const char *name)
{
	uint64_t x = code_hash(name);
	for (uint32_t i = h->names; i; i = row_hh.names[i].next)
		if (row_hh.names[i].h == x)
			return true;
	return false;
}

/* A new person written into the known household h. */
static void hh_add_person(hh_hit *h, const char *name, bool living)
{
	if (row_hh.nnames + 1 >= row_hh.capnames) {
		row_hh.capnames = row_hh.capnames ? 2 * row_hh.capnames : 4096;
		row_hh.names = xrealloc(row_hh.names, row_hh.capnames * sizeof *row_hh.names);
		if (!row_hh.nnames)
			row_hh.nnames = 1; /* 0 ends a list */
	}
	row_hh.names[row_hh.nnames] = (hh_name){.h = code_hash(name), .next = h->names};
	h->names = row_hh.nnames++;
	h->living += living;
}

static void row_caches_reset(void)
{
	unit_cache_free(&row_units);
	hh_map_clear();
}

/* The building or entrance that code names, as household_unit finds it; *path (may be NULL)
 * receives its path, valid until the import ends. */
static werr import_unit(const actor *ac, const char *code, int64_t *id, const char **path)
{
	if (!code) {
		unit_row none;
		return household_unit(ac, code, "unit_code", &none);
	}
	unit_hit *u = unit_slot(&row_units, code);
	if (!u->code) {
		unit_row ur;
		werr ue = household_unit(ac, code, "unit_code", &ur);
		if (ue == W_EDB || ue == W_EBUSY)
			return ue;
		*u = (unit_hit){
		    .code = xstrdup(code), .id = ur.id, .path = ue ? NULL : xstrdup(ur.path), .err = ue};
		if (ue)
			u->why = *w_last();
		row_units.n++;
	}
	if (u->err)
		return w_fail(u->err, u->why.code, u->why.field[0] ? u->why.field : NULL, "%s",
		              u->why.message);
	*id = u->id;
	if (path)
		*path = u->path;
	return WG_OK;
}

/* The household at code/room, created when missing; *path (may be NULL) receives its
 * unit's path (valid until the import ends), *hh its entry among the import's households
 * (valid until the next call). */
static werr import_household(const actor *ac, const char *code, const char *room, int64_t *hid,
                             const char **path, hh_hit **hh)
{
	int64_t unit_id = 0;
	werr e;
	if ((e = import_unit(ac, code, &unit_id, path)))
		return e;
	if ((e = room_valid(room)))
		return e;
	hh_hit *h = hh_slot(unit_id, room);
	*hh = h;
	if (!h->room) {
		bool fresh = false;
		db_stmt *s = db_get(ac->d, SQL_HH_ID_BY_ROOM); /* the id only: no count of its people */
		db_bind_int(s, 1, unit_id);
		db_bind_text(s, 2, room);
		int rc = db_step(s, &e);
		if (rc == DB_ROW)
			*hid = db_int(s, 0);
		db_done(s);
		if (rc < 0)
			return e;
		if (rc != DB_ROW) {
			s = db_get(ac->d, SQL_HH_INSERT);
			db_bind_int(s, 1, unit_id);
			db_bind_text(s, 2, room);
			db_bind_text(s, 3, "occupied");
			db_bind_int(s, 5, now_s());
			if ((e = db_run(s, hid)))
				return e;
			fresh = true;
		}
		*h = (hh_hit){.room = xstrdup(room), .unit = unit_id, .id = *hid, .fresh = fresh};
		row_hh.n++;
	}
	*hid = h->id;
	return WG_OK;
}

/* A row's fields, checked and normalised as POST /residents checks them, then its unit code
 * and room present (*keep_residence: the row names no residence). */
static werr import_fields(const actor *ac, char **v, res_fields *out, bool *keep_residence)
{
	res_fields f = {0};
	f.name = v[COL_NAME];
	f.sex = sex_code(v[COL_SEX]);
	f.birth_date = v[COL_BIRTH];
	f.id_type = id_type_code(v[COL_IDTYPE]);
	f.id_number = v[COL_IDNUM];
	f.phone = v[COL_PHONE];
	f.relation = v[COL_REL];
	f.residence = residence_code(v[COL_RESIDENCE]);
	/* no residence given: a new person lives here, a known one keeps theirs */
	*keep_residence = !f.residence || !*f.residence;
	werr e;
	if (v[COL_FLAGS] && *v[COL_FLAGS]) {
		/* full-width separators become ';' first: strtok_r splits on bytes, not characters */
		buf norm;
		buf_init(&norm, ac->a);
		for (const char *p = v[COL_FLAGS]; *p;) {
			static const char *const wide[] = {"；", "，", "、"};
			bool hit = false;
			for (int w = 0; w < 3 && !hit; w++)
				if (!strncmp(p, wide[w], 3)) {
					buf_putc(&norm, ';');
					p += 3;
					hit = true;
				}
			if (!hit)
				buf_putc(&norm, *p++);
		}
		char *list = norm.p, *save = NULL;
		for (char *t = strtok_r(list, ";,", &save); t; t = strtok_r(NULL, ";,", &save)) {
			while (*t == ' ')
				t++;
			if (!*t)
				continue;
			int bit = flag_parse(t);
			if (bit < 0)
				return w_fail(W_EINVAL, "invalid_flag", "flags", "未知标签 / unknown flag: %s", t);
			f.flags |= bit;
		}
	}
	if ((e = res_validate(ac, &f)))
		return e;
	if (!v[COL_UNIT] || !*v[COL_UNIT])
		return w_fail(W_EINVAL, "required", "unit_code", "缺少单位编码 / unit_code is required");
	if (!v[COL_ROOM] || !*v[COL_ROOM])
		return w_fail(W_EINVAL, "required", "room", "缺少房号 / room is required");
	*out = f;
	return WG_OK;
}

/* One row: validate, find the household, then match by document number, else by name in
 * the household; insert, update, or leave alone when nothing differs (*created 1 / 0 / -1).
 * Runs inside a savepoint of the batch. */
static werr import_resident_row(const actor *ac, char **v, int *created)
{
	res_fields f;
	bool keep_residence;
	werr e = import_fields(ac, v, &f, &keep_residence);
	if (e)
		return e;
	int64_t hid = 0, rid = 0, old_hid = 0;
	const char *hh_path = NULL;
	hh_hit *hh = NULL;
	if ((e = import_household(ac, v[COL_UNIT], v[COL_ROOM], &hid, &hh_path, &hh)))
		return e;
	/* the person by document number, else by name in the household; whether the household
	 * has anyone living (for its count if this is a new person) — one look-up.  In a
	 * household the import knows, without a person of that name, the last two are known
	 * here: the store is asked for the document only, when there is one. */
	bool known = hh_known(hh) && !hh_has_name(hh, f.name);
	int64_t had = 0, existing = 0;
	int rc = DB_DONE;
	db_stmt *s = NULL;
	if (!known) {
		s = db_get(ac->d, SQL_RES_IMPORT_MATCH);
		db_bind_text(s, 1, f.id_type);
		db_bind_text(s, 2, f.id_number);
		db_bind_int(s, 3, hid);
		db_bind_text(s, 4, f.name);
	} else if (f.id_number) {
		s = db_get(ac->d, SQL_RES_IMPORT_DOC);
		db_bind_text(s, 1, f.id_type);
		db_bind_text(s, 2, f.id_number);
	}
	if (s) {
		rc = db_step(s, &e);
		if (rc == DB_ROW) {
			if (f.id_number && !db_null(s, 0)) {
				if (actor_in_scope(ac, db_text(s, 1))) {
					rid = db_int(s, 0);
					old_hid = db_int(s, 2);
				} else { /* registered outside the scope: held below */
					existing = db_int(s, 0);
				}
			} else if (!known && !db_null(s, 3)) {
				rid = db_int(s, 3), old_hid = hid;
			}
			if (!known)
				had = db_int(s, 4);
		}
		db_done(s);
		if (rc < 0)
			return e;
	}
	if (known && !rid && !existing)
		had = hh->living > 0;
	if (existing) {
		/* A number registered outside the caller's units: the row goes as for a number
		 * never seen — the person held with it in scope, else the one of that name in the
		 * household, else a new one — and the number is held for review (docs/api.md 1.8).
		 * Nothing in the report tells the two apart. */
		f.id_held = f.id_number;
		f.id_number = NULL;
		s = db_get(ac->d, SQL_RES_BY_HELD);
		db_bind_text(s, 1, f.id_type);
		db_bind_text(s, 2, f.id_held);
		while ((rc = db_step(s, &e)) == DB_ROW)
			if (!rid && actor_in_scope(ac, db_text(s, 1)))
				rid = db_int(s, 0), old_hid = db_int(s, 2);
		db_done(s);
		if (rc < 0)
			return e;
		s = db_get(ac->d, SQL_RES_IMPORT_MATCH); /* by name in the household, and who lives there */
		db_bind_text(s, 1, f.id_type);
		db_bind_text(s, 2, NULL);
		db_bind_int(s, 3, hid);
		db_bind_text(s, 4, f.name);
		if ((rc = db_step(s, &e)) == DB_ROW) {
			if (!rid && !db_null(s, 3))
				rid = db_int(s, 3), old_hid = hid;
			had = db_int(s, 4);
		}
		db_done(s);
		if (rc < 0)
			return e;
	}
	*created = rid == 0 ? 1 : 0;
	const char *cur_held = NULL;
	if (rid) {
		/* the same person with the same values: nothing to write */
		res_row cur;
		if ((e = res_load(ac, rid, &cur)))
			return e;
		cur_held = cur.id_held;
		if (keep_residence)
			f.residence = cur.residence;
		if (cur.household_id == hid && !cur.moved_out_at && same(cur.name, f.name) && same(cur.sex, f.sex) &&
		    same(cur.birth_date, f.birth_date) && same(cur.id_type, f.id_type) &&
		    same(cur.id_number, f.id_number) && same(cur.id_held, f.id_held) && same(cur.phone, f.phone) &&
		    same(cur.relation, f.relation) &&
		    same(cur.residence, f.residence) && cur.flags == f.flags) {
			*created = -1;
			return WG_OK;
		}
	}
	if (!rid) {
		/* a new person: the household's counts change by this one only — no recount of a
		 * household that may hold hundreds of rows */
		bool living = !strcmp(f.residence ? f.residence : "living", "living") || !strcmp(f.residence, "temporary");
		/* but joining people who live there, it makes each day they were all accounted for
		 * a day the household is no longer (the newcomer has no check-in yet) */
		hh_snap hb = {0};
		if (living && had && !hh_known(hh) && (e = stats_snap(ac->d, ac->a, hid, &hb)))
			return e;
		if ((e = res_write(ac, 0, hid, &f, 0, &rid)) ||
		    (existing && (e = hold_open(ac, rid, f.id_type, f.id_held, existing, "import"))) ||
		    (living && (e = stats_add(ac->d, hh_path, had ? 0 : 1, 1))))
			return e;
		for (int i = 0; i < hb.ndays; i++) {
			day_delta x = {.reached = -hb.days[i].dd.reached};
			if ((e = stats_day_add(ac->d, hh_path, hb.district, hb.days[i].day, &x)))
				return e;
		}
		if (hh_known(hh))
			hh_add_person(hh, f.name, living);
		return record_move(ac, rid, 0, hid, "registered (import)");
	}
	/* a person updated here, or moved in with their check-ins, or moved out: the households
	 * are no longer known */
	hh->fresh = false;
	if (old_hid && old_hid != hid)
		hh_gone(old_hid, true);
	hh_snap b_new, b_old = {0}, a_new, a_old;
	bool moved = old_hid && old_hid != hid;
	if ((e = stats_snap(ac->d, ac->a, hid, &b_new)) || (moved && (e = stats_snap(ac->d, ac->a, old_hid, &b_old))) ||
	    (e = res_write(ac, rid, hid, &f, 0, &rid)) || (e = stats_snap(ac->d, ac->a, hid, &a_new)) ||
	    (e = stats_apply(ac->d, &b_new, &a_new)))
		return e;
	/* the number it held changed: its review is over; a number newly held opens one */
	if (cur_held && !same(cur_held, f.id_held) && (e = hold_settle(ac, rid, f.id_held != NULL)))
		return e;
	if (existing && !same(cur_held, f.id_held) && (e = hold_open(ac, rid, f.id_type, f.id_held, existing, "import")))
		return e;
	if (moved && ((e = stats_snap(ac->d, ac->a, old_hid, &a_old)) || (e = stats_apply(ac->d, &b_old, &a_old))))
		return e;
	if (old_hid != hid && (e = record_move(ac, rid, old_hid, hid, old_hid ? "moved (import)" : "registered (import)")))
		return e;
	return WG_OK;
}

static const sql_id search_index_ddl[][2] = {
    {SQL_IDX_PINYIN_DROP, SQL_IDX_PINYIN_CREATE},   {SQL_IDX_INITIALS_DROP, SQL_IDX_INITIALS_CREATE},
    {SQL_IDX_NAME_DROP, SQL_IDX_NAME_CREATE},       {SQL_IDX_PHONE_TAIL_DROP, SQL_IDX_PHONE_TAIL_CREATE},
    {SQL_IDX_ID_TAIL_DROP, SQL_IDX_ID_TAIL_CREATE},
};

static werr search_indexes(db *d, int which)
{
	werr e = WG_OK;
	for (size_t i = 0; !e && i < sizeof search_index_ddl / sizeof search_index_ddl[0]; i++)
		e = db_run(db_get(d, search_index_ddl[i][which]), NULL);
	return e;
}

werr res_search_indexes_drop(db *d)
{
	return search_indexes(d, 0);
}

werr res_search_indexes_build(db *d)
{
	return search_indexes(d, 1);
}

static werr import_run(const actor *ac, csv_reader *r, size_t batch, bool reindex, bool per_row, import_report *rep);

werr res_import(const actor *ac, csv_reader *r, import_report *rep)
{
	return import_run(ac, r, 5000, false, false, rep);
}

werr res_import_whole(const actor *ac, csv_reader *r, bool reindex, bool per_row, import_report *rep)
{
	return import_run(ac, r, 0, reindex, per_row, rep);
}

/* The header line: the column of each field (-1 when absent); the required ones present. */
static werr import_header(csv_reader *r, int col[NCOLS])
{
	char **f;
	size_t nf, line;
	int hrc = csv_next(r, &f, &nf, &line);
	if (hrc < 0)
		return w_fail(W_EINVAL, "bad_header", "file", "表头行格式错误 / the header line is malformed: %s", w_last()->message);
	if (hrc == 0)
		return w_fail(W_EINVAL, "empty_file", "file", "文件为空 / the file has no header line");
	for (int k = 0; k < NCOLS; k++) {
		col[k] = -1;
		for (size_t i = 0; i < nf; i++) {
			/* "姓名", "name", or the export's own "姓名/name" */
			const char *slash = strchr(f[i], '/');
			if (!strcmp(f[i], col_names[k][0]) || !strcmp(f[i], col_names[k][1]) ||
			    (slash && !strcmp(slash + 1, col_names[k][0]) &&
			     !strncmp(f[i], col_names[k][1], (size_t)(slash - f[i])) && strlen(col_names[k][1]) == (size_t)(slash - f[i])))
				col[k] = (int)i;
		}
	}
	static const int required[] = {COL_NAME, COL_UNIT, COL_ROOM};
	for (size_t k = 0; k < sizeof required / sizeof required[0]; k++)
		if (col[required[k]] < 0)
			return w_fail(W_EINVAL, "missing_column", col_names[required[k]][0],
			              "表头缺少列 %s(%s) / the header has no column %s", col_names[required[k]][1],
			              col_names[required[k]][0], col_names[required[k]][0]);
	return WG_OK;
}

/* A record's cells in the field order (NULL for a column the sheet lacks or the record cut short). */
static void import_cells(const int col[NCOLS], char **f, size_t nf, char *v[NCOLS])
{
	for (int k = 0; k < NCOLS; k++)
		v[k] = col[k] >= 0 && (size_t)col[k] < nf ? f[col[k]] : NULL;
}

/* Rows applied one at a time by the per-row rules, inside the caller's transaction.
 * Guarded, each row runs in its savepoint, undone when the row is refused.  Unguarded (the
 * SQLite path's first try) a row runs without one: nearly every refused row is refused by
 * its checks before it writes anything, and the savepoints cost — each row's pages copied
 * to the sub-journal, and each ROLLBACK TO after the search indexes were dropped in the
 * same transaction made SQLite re-read the schema and prepare every statement again (13%
 * of a 100,000-row sheet's instructions).  A row refused after it wrote (or leaving the
 * transaction unusable) sets redo: the caller rolls the transaction back and runs its rows
 * again, guarded — as the writer does with a batch of check-ins (app/writer.c). */
typedef struct {
	const actor *ac;
	actor row_ac;     /* ac with the row's scratch arena */
	arena *row_arena; /* dropped every thousand rows: a million-row sheet must not keep a million rows' worth of memory */
	size_t rows;
	bool guarded;
	bool sp_open; /* a savepoint is open for the next row */
	bool redo; /* unguarded, a row was refused after writing: the transaction must run again, guarded */
	import_report *rep;
} row_runner;

static void runner_init(row_runner *rr, const actor *ac, import_report *rep)
{
	*rr = (row_runner){.ac = ac, .row_ac = *ac, .rep = rep, .guarded = true};
}

static void runner_free(row_runner *rr)
{
	if (rr->row_arena)
		arena_free(rr->row_arena);
	rr->row_arena = NULL;
}

/* The actor for the next row, with a scratch arena fresh every thousand rows. */
static const actor *runner_actor(row_runner *rr)
{
	if (!rr->row_arena || rr->rows++ % 1000 == 0) {
		if (rr->row_arena)
			arena_free(rr->row_arena);
		rr->row_arena = arena_new();
	}
	rr->row_ac.a = rr->row_arena;
	return &rr->row_ac;
}

/* One record by the per-row rules — guarded, in its savepoint, taken here after a commit,
 * else left by the row before (a refused row's ROLLBACK TO keeps it; a good row releases
 * it and takes the next, on PostgreSQL in one round trip; SQLite runs its two prepared
 * statements, as compiling the text every row would cost more) — and counted in the
 * report.  Only a failure of the store is returned: the import ends. */
static werr runner_row(row_runner *rr, char **v, size_t line)
{
	db *d = rr->ac->d;
	werr e;
	if (rr->guarded && !rr->sp_open && (e = db_run(db_get(d, SQL_SAVEPOINT), NULL)))
		return e;
	rr->sp_open = rr->guarded;
	int created = 0;
	w_clear();
	rr->rep->one_by_one++;
	int64_t writes = db_writes(d);
	werr re = import_resident_row(runner_actor(rr), v, &created);
	if (re == W_EDB || re == W_EBUSY)
		return re;
	if (re) {
		if (!rr->guarded && (db_writes(d) != writes || !db_tx_usable(d))) {
			rr->redo = true;
			return WG_OK;
		}
		const wdetail *dt = w_last();
		import_bad(rr->rep, line, dt->field[0] ? dt->field : NULL, dt->code, dt->message);
		if (rr->guarded) { /* undone: the households it made with it */
			hh_map_clear();
			if ((e = db_run(db_get(d, SQL_ROLLBACK_TO), NULL)))
				return e;
		}
		return stats_totals_job_end(d, false);
	}
	if ((e = stats_totals_job_end(d, true)))
		return e;
	if (created > 0)
		rr->rep->created++;
	else if (created < 0)
		rr->rep->unchanged++;
	else
		rr->rep->updated++;
	return rr->guarded ? db_savepoint_renew(d) : WG_OK;
}

/* The end of a good import, in its transaction: the totals, the search indexes when they
 * were dropped, the audit row with the counts, the commit. */
/* A sheet that adds this many people may have changed the tables' sizes more than the
 * planner's statistics know (a first load into an empty store above all). */
enum { IMPORT_STATS_ROWS = 1000 };

static werr import_finish(const actor *ac, bool reindex, import_report *rep)
{
	werr e;
	if ((e = stats_totals_flush(ac->d)) || (reindex && (e = res_search_indexes_build(ac->d))) ||
	    (rep->created >= IMPORT_STATS_ROWS && (e = db_tune(ac->d, DB_FOR_NEW_ROWS))) ||
	    (e = audit(ac, "import", "resident", 0,
	               arena_printf(ac->a, "rows:%zu created:%zu updated:%zu bad:%zu", rep->rows, rep->created,
	                            rep->updated, rep->bad),
	               "ok")))
		return e;
	return db_commit(ac->d);
}

static werr import_bulk(const actor *ac, csv_reader *r, const int col[NCOLS], bool reindex, import_report *rep);

/* What the report said when a transaction began: a transaction run again, guarded, starts
 * from there. */
typedef struct {
	import_report counts;
	size_t errors;
} report_mark;

static report_mark report_tell(const import_report *rep)
{
	return (report_mark){.counts = *rep, .errors = json_array_size(rep->errors)};
}

static void report_seek(import_report *rep, report_mark m)
{
	while (json_array_size(rep->errors) > m.errors)
		json_array_remove(rep->errors, json_array_size(rep->errors) - 1);
	json_t *errors = rep->errors;
	*rep = m.counts;
	rep->errors = errors;
}

/* A transaction of the import begun: the search indexes dropped when they are built after
 * the load, the counters summed afresh, the caches of units and households empty. */
static werr import_tx_begin(const actor *ac, bool reindex)
{
	werr e;
	if ((e = db_begin(ac->d)))
		return e;
	if (reindex && (e = res_search_indexes_drop(ac->d))) {
		db_rollback(ac->d);
		return e;
	}
	row_caches_reset();
	stats_totals_end();
	stats_totals_begin(); /* counters summed per batch, written before each commit */
	return WG_OK;
}

/* batch: rows per transaction (0: the whole sheet in one); per_row: no staging table even
 * where the store has COPY */
static werr import_run(const actor *ac, csv_reader *r, size_t batch, bool reindex, bool per_row, import_report *rep)
{
	int col[NCOLS];
	werr e = import_header(r, col);
	if (e)
		return e;
	if (!per_row && db_can_copy(ac->d)) /* PostgreSQL: the sheet in one transaction, through COPY */
		return import_bulk(ac, r, col, reindex, rep);
	if ((e = import_tx_begin(ac, reindex)))
		return e;
	row_runner rr;
	runner_init(&rr, ac, rep);
	rr.guarded = false;
	csv_mark tx_from = csv_tell(r); /* where the transaction's rows begin, and the report then */
	report_mark tx_rep = report_tell(rep);
	size_t in_tx = 0;
	char **f;
	size_t nf, line;
	int rc;
	while ((rc = csv_next(r, &f, &nf, &line)) != 0) {
		rep->rows++;
		if (rc < 0) {
			import_bad(rep, line, NULL, "bad_csv", w_last()->message);
			continue;
		}
		char *v[NCOLS];
		import_cells(col, f, nf, v);
		if ((e = runner_row(&rr, v, line)))
			goto fail;
		/* unguarded, a row refused after writing: nothing of this transaction is kept, its
		 * rows run again, each in its savepoint */
		if (rr.redo) {
			db_rollback(ac->d);
			csv_seek(r, tx_from);
			report_seek(rep, tx_rep);
			if ((e = import_tx_begin(ac, reindex)))
				goto fail;
			rr.guarded = true;
			rr.sp_open = rr.redo = false;
			in_tx = 0;
			continue;
		}
		if (++in_tx == 5000) {
			/* the unit totals are summed in memory and written every 5,000 rows — outside
			 * the savepoint a guarded run leaves open for the next row, whose refusal would
			 * roll them back with it (a whole sheet lost 5,000 rows' worth so) */
			if (rr.sp_open && (e = db_run(db_get(ac->d, SQL_RELEASE), NULL)))
				goto fail;
			rr.sp_open = false;
			if ((e = stats_totals_flush(ac->d)) || (batch && ((e = db_commit(ac->d)) || (e = db_begin(ac->d)))))
				goto fail;
			if (batch) {
				/* between two transactions the server's writer may change the units,
				 * households and people the caches speak for */
				row_caches_reset();
				tx_from = csv_tell(r);
				tx_rep = report_tell(rep);
			}
			in_tx = 0;
		}
	}
	if ((e = import_finish(ac, reindex, rep)))
		goto fail;
	stats_totals_end();
	row_caches_reset();
	runner_free(&rr);
	w_clear();
	return WG_OK;
fail:
	db_rollback(ac->d);
	stats_totals_end();
	row_caches_reset();
	runner_free(&rr);
	return e;
}

/* ---- the import on PostgreSQL: COPY into a staging table ----
 *
 * Each record is checked in C as the per-row path checks it (the fields, the unit — looked
 * up once per code —, the room); a refused one is reported at once, the others stream into
 * the temporary table import_rows with COPY.  Then, in the same transaction, the rows that
 * cannot match anyone when they are applied — no one stored with their document number or
 * their name in their household, and no earlier row of the sheet with either — are written
 * by three statements (their new households, the people, their moves) with what they add
 * to the counters.  Of the other rows ("later"), those that meet one person stored and can
 * meet no one else, moving no one and changing no counter (a re-import: nearly all), are
 * counted unchanged or updated by set statements (bulk_matched); every other row (a person
 * moving, a row meeting another of the sheet, a number held for review) is read again from
 * the sheet and goes through the per-row rules in file order, each in its savepoint.  Such
 * a row only ever meets people of its own keys,
 * so applying the independent rows first ends in the state a row-by-row run reaches, and
 * the counters, being differences of that state, equal a recount.  The report is the same,
 * its refused rows ordered by line. */

/* The keys the staged rows have shown so far, as 64-bit hashes: a row whose document
 * number, or whose name in its household, an earlier staged row had goes through the
 * per-row rules ("later").  Two different keys of the same hash (about one sheet in ten
 * million) only send a row that would have met no one that way too — correct, as for
 * any row there. */
typedef struct {
	uint64_t *v;
	size_t *first; /* the line of the key's first row; 0 once another row had it */
	size_t cap, n;
} key_seen;
/* The lines of rows whose key a later row repeated (each first row of such a key). */
typedef struct {
	size_t *v, n, cap;
} line_list;

static uint64_t key_hash(uint64_t h, const char *s)
{
	for (; s && *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return (h ^ 0x1f) * 1099511628211u; /* the separator: ("ab","c") is not ("a","bc") */
}

/* k's table twice as large (4,096 slots at first), every key moved over. */
static void key_seen_grow(key_seen *k)
{
	key_seen g = {.cap = k->cap ? 2 * k->cap : 4096, .n = k->n};
	g.v = xcalloc(g.cap, sizeof *g.v);
	g.first = xcalloc(g.cap, sizeof *g.first);
	for (size_t i = 0; i < k->cap; i++)
		if (k->v[i]) {
			size_t j = (size_t)k->v[i] & (g.cap - 1);
			while (g.v[j])
				j = (j + 1) & (g.cap - 1);
			g.v[j] = k->v[i];
			g.first[j] = k->first[i];
		}
	free(k->v);
	free(k->first);
	*k = g;
}

/* Whether h was seen (the first row that had it then goes to *rep); it is from now on,
 * first in this line. */
static bool key_seen_add(key_seen *k, uint64_t h, size_t line, line_list *rep)
{
	h = h ? h : 1; /* 0 marks a free slot */
	if (2 * (k->n + 1) > k->cap)
		key_seen_grow(k);
	size_t j = (size_t)h & (k->cap - 1);
	for (; k->v[j]; j = (j + 1) & (k->cap - 1))
		if (k->v[j] == h) {
			if (k->first[j]) {
				if (rep->n == rep->cap) {
					rep->cap = rep->cap ? 2 * rep->cap : 256;
					rep->v = xrealloc(rep->v, rep->cap * sizeof *rep->v);
				}
				rep->v[rep->n++] = k->first[j];
				k->first[j] = 0;
			}
			return true;
		}
	k->v[j] = h;
	k->first[j] = line;
	k->n++;
	return false;
}

static void key_seen_free(key_seen *k)
{
	free(k->v);
	free(k->first);
	*k = (key_seen){0};
}

/* What the staged new people living there add to the totals, taken before they are
 * written: a household they open counts once, an existing one that had no one living
 * counts from now on, and one that had people stops being reached on each day they were
 * all accounted for (the newcomers have no check-in) — as the per-row rules count each. */
static werr bulk_totals(const actor *ac)
{
	typedef struct {
		const char *path;
		int64_t household, rooms, people;
	} part;
	arena *a = arena_new();
	part *v = NULL;
	size_t n = 0, cap = 0;
	werr e = WG_OK;
	db_stmt *s = db_get(ac->d, SQL_IMPORT_STAGE_LIVING);
	int rc;
	while ((rc = db_step(s, &e)) == DB_ROW) {
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			v = xrealloc(v, cap * sizeof *v);
		}
		v[n++] = (part){arena_strdup(a, db_text(s, 0)), db_int(s, 1), db_int(s, 2), db_int(s, 3)};
	}
	db_done(s);
	for (size_t i = 0; rc >= 0 && i < n && !e; i++) {
		if (!v[i].household) {
			e = stats_add(ac->d, v[i].path, v[i].rooms, v[i].people);
		} else {
			hh_snap hb;
			if (!(e = stats_snap(ac->d, a, v[i].household, &hb))) {
				for (int k = 0; k < hb.ndays && !e; k++) {
					day_delta x = {.reached = -hb.days[k].dd.reached};
					e = stats_day_add(ac->d, v[i].path, hb.district, hb.days[k].day, &x);
				}
				if (!e)
					e = stats_add(ac->d, v[i].path, hb.living ? 0 : 1, v[i].people);
			}
		}
		if (!e)
			e = stats_totals_job_end(ac->d, true);
	}
	free(v);
	arena_free(a);
	return e;
}

/* The staged rows that go through the per-row rules (which: the statement q): where each
 * starts in the sheet. */
static werr bulk_later(db *d, sql_id q, csv_mark **out, size_t *n)
{
	free(*out);
	*out = NULL;
	*n = 0;
	size_t cap = 0;
	werr e = WG_OK;
	db_stmt *s = db_get(d, q);
	int rc;
	while ((rc = db_step(s, &e)) == DB_ROW) {
		if (*n == cap) {
			cap = cap ? 2 * cap : 1024;
			*out = xrealloc(*out, cap * sizeof **out);
		}
		(*out)[(*n)++] = (csv_mark){.line = (size_t)db_int(s, 0), .pos = (size_t)db_int(s, 1)};
	}
	db_done(s);
	return rc < 0 ? e : WG_OK;
}

/* The later rows that meet one person stored and no one else, and change no counter
 * (IMPORT_SET_MATCH says when): those that change nothing counted (*same), the others
 * written as the per-row rules' update writes them, by one statement (*n: both).  No
 * other row can reach their people, before or after them in the sheet, so they go before
 * the rest, which the per-row rules apply in file order.  Should the update be refused
 * (a trigger, a check of the store's own), it is undone and *n is 0: every later row
 * goes through the per-row rules, which refuse the one row. */
static werr bulk_matched(const actor *ac, size_t *n, size_t *same)
{
	db *d = ac->d;
	*n = *same = 0;
	werr e;
	/* the planner's figures of the staging table after IMPORT_STAGE_LATER marked its rows
	 * (taken before it, a re-import's million later rows were thought a handful: the joins
	 * below ran as nested loops, 634 s for 100,000 rows) */
	if ((e = db_run(db_get(d, SQL_IMPORT_STAGE_ANALYZE), NULL)) ||
	    (e = db_run(db_get(d, SQL_IMPORT_SET_MATCH), NULL)))
		return e;
	int64_t all = 0, unchanged = 0;
	for (int pass = 0; pass < 2; pass++) {
		db_stmt *s = db_get(d, SQL_IMPORT_SET_COUNT);
		int rc = db_step(s, &e);
		int64_t rekeyed = rc == DB_ROW ? db_int(s, 2) : 0;
		all = rc == DB_ROW ? db_int(s, 0) : 0;
		unchanged = rc == DB_ROW ? db_int(s, 1) : 0;
		db_done(s);
		if (rc < 0)
			return e;
		if (!rekeyed || pass)
			break;
		if ((e = db_run(db_get(d, SQL_IMPORT_SET_OLD_DOC), NULL)) ||
		    (e = db_run(db_get(d, SQL_IMPORT_SET_OLD_NAME), NULL)))
			return e;
	}
	if (all > unchanged) {
		if ((e = db_run(db_get(d, SQL_SAVEPOINT), NULL)))
			return e;
		db_stmt *s = db_get(d, SQL_IMPORT_SET_UPDATE);
		db_bind_int(s, 1, now_s());
		werr ue = db_run(s, NULL);
		if (!ue && db_changes(d) != all - unchanged)
			ue = w_fail(W_EINTERNAL, "import_set_update", NULL,
			            "import: %lld rows to update, %lld updated", (long long)(all - unchanged),
			            (long long)db_changes(d));
		if (ue) { /* the rows go through the per-row rules instead */
			if ((e = db_run(db_get(d, SQL_ROLLBACK_TO), NULL)) ||
			    (e = db_run(db_get(d, SQL_RELEASE), NULL)))
				return e;
			w_clear();
			return WG_OK;
		}
		if ((e = db_run(db_get(d, SQL_RELEASE), NULL)))
			return e;
	}
	*n = (size_t)all;
	*same = (size_t)unchanged;
	return WG_OK;
}

/* What a load into a larger store keeps up row by row and a load into a smaller one makes
 * after the rows are in: {drop, make again}, made again in this order (the unique index
 * before the keys, so that a duplicate is named as one). */
static const sql_id load_keys[][2] = {
    {SQL_IMPORT_IDX_ROOM_DROP, SQL_IMPORT_IDX_ROOM_CREATE},
    {SQL_IMPORT_IDX_HH_UNIT_DROP, SQL_IMPORT_IDX_HH_UNIT_CREATE},
    {SQL_IMPORT_IDX_DOC_DROP, SQL_IMPORT_IDX_DOC_CREATE},
    {SQL_IMPORT_IDX_HOUSEHOLD_DROP, SQL_IMPORT_IDX_HOUSEHOLD_CREATE},
    {SQL_IMPORT_FK_RES_DROP, SQL_IMPORT_FK_RES_ADD},
    {SQL_IMPORT_FK_MOVES_DROP, SQL_IMPORT_FK_MOVES_ADD},
};

static werr import_bulk(const actor *ac, csv_reader *r, const int col[NCOLS], bool reindex, import_report *rep)
{
	db *d = ac->d;
	werr e;
	if ((e = db_begin(d)))
		return e;
	unit_cache units = {0};
	row_runner rr;
	runner_init(&rr, ac, rep);
	csv_mark *later = NULL;
	size_t staged = 0, nlater = 0;
	key_seen docs = {0}, names = {0};
	line_list repeated = {0};
	bool copying = false;
	row_caches_reset();
	stats_totals_begin();
	int64_t plain = 0, ignored;
	if ((e = db_scalar(db_get(d, SQL_IMPORT_STAGE_MEM), &ignored)) ||
	    (reindex && ((e = res_search_indexes_drop(d)) || (e = db_scalar(db_get(d, SQL_IMPORT_KEYS_PLAIN), &plain)))) ||
	    (e = db_run(db_get(d, SQL_IMPORT_STAGE_CREATE), NULL)))
		goto fail;
	/* a sheet larger than the store: its keys checked and its indexes built once after the
	 * load, not row by row (the residents table is locked anyway) */
	bool keys_dropped = reindex && plain == (int64_t)(sizeof load_keys / sizeof load_keys[0]);
	for (size_t k = 0; keys_dropped && k < sizeof load_keys / sizeof load_keys[0]; k++)
		if ((e = db_run(db_get(d, load_keys[k][0]), NULL)))
			goto fail;
	char **f;
	size_t nf, line;
	int rc;
	csv_mark at = csv_tell(r);
	while ((rc = csv_next(r, &f, &nf, &line)) != 0) {
		csv_mark start = at; /* read again from here if the row goes through the per-row rules */
		at = csv_tell(r);
		rep->rows++;
		if (rc < 0) {
			import_bad(rep, line, NULL, "bad_csv", w_last()->message);
			continue;
		}
		char *v[NCOLS];
		import_cells(col, f, nf, v);
		const actor *row_ac = runner_actor(&rr);
		w_clear();
		res_fields fv;
		bool keep_residence;
		werr re = import_fields(row_ac, v, &fv, &keep_residence);
		unit_hit *u = NULL;
		if (!re) {
			u = unit_slot(&units, v[COL_UNIT]);
			if (!u->code) { /* a code not seen yet: looked up outside the copy */
				unit_row ur;
				if (copying && (e = db_copy_end(d)))
					goto fail;
				copying = false;
				werr ue = household_unit(row_ac, v[COL_UNIT], "unit_code", &ur);
				if (ue == W_EDB || ue == W_EBUSY) {
					e = ue;
					goto fail;
				}
				*u = (unit_hit){.code = xstrdup(v[COL_UNIT]), .id = ur.id, .err = ue};
				if (ue)
					u->why = *w_last();
				units.n++;
			}
			if (u->err)
				re = w_fail(u->err, u->why.code, u->why.field[0] ? u->why.field : NULL, "%s", u->why.message);
			else
				re = room_valid(v[COL_ROOM]);
		}
		if (re) {
			const wdetail *dt = w_last();
			import_bad(rep, line, dt->field[0] ? dt->field : NULL, dt->code, dt->message);
			continue;
		}
		if (!copying && (e = db_copy_begin(d, SQL_IMPORT_STAGE_COPY)))
			goto fail;
		copying = true;
		res_derived x;
		res_derive(&fv, &x);
		/* an earlier staged row with its number, or its name in the same household */
		bool seen =
		    fv.id_number &&
		    key_seen_add(&docs, key_hash(key_hash(1469598103934665603u, fv.id_type), fv.id_number),
		                 line, &repeated);
		uint64_t nk = key_hash(key_hash(key_hash(1469598103934665603u, NULL), v[COL_ROOM]), fv.name);
		nk = (nk ^ (uint64_t)u->id) * 1099511628211u;
		seen = key_seen_add(&names, nk, line, &repeated) || seen;
		char sline[24], spos[24], sunit[24], sflags[24];
		snprintf(sline, sizeof sline, "%zu", line);
		snprintf(spos, sizeof spos, "%zu", start.pos);
		snprintf(sunit, sizeof sunit, "%lld", (long long)u->id);
		snprintf(sflags, sizeof sflags, "%lld", (long long)fv.flags);
		const char *row[] = {sline,
		                     spos,
		                     sunit,
		                     v[COL_ROOM],
		                     fv.name,
		                     x.full,
		                     x.init,
		                     fv.sex,
		                     fv.birth_date,
		                     fv.id_type,
		                     fv.id_number,
		                     x.id_tail,
		                     fv.phone,
		                     x.ph_tail,
		                     fv.relation,
		                     sflags,
		                     fv.residence,
		                     keep_residence ? "t" : "f",
		                     seen ? "f" : "t",
		                     seen ? "t" : "f"};
		if ((e = db_copy_row(d, row, (int)(sizeof row / sizeof row[0]))))
			goto fail;
		staged++;
	}
	if (copying && (e = db_copy_end(d)))
		goto fail;
	/* the first rows of the keys the sheet repeats: no longer alone with their keys */
	if (repeated.n) {
		buf lines;
		buf_init(&lines, ac->a);
		buf_putc(&lines, '{');
		for (size_t i = 0; i < repeated.n; i++)
			buf_printf(&lines, "%s%zu", i ? "," : "", repeated.v[i]);
		buf_putc(&lines, '}');
		db_stmt *s = db_get(d, SQL_IMPORT_STAGE_REPEATED);
		db_bind_text(s, 1, lines.p);
		if ((e = db_run(s, NULL)))
			goto fail;
	}
	size_t created = 0;
	if (staged) {
		db_stmt *s;
		if ((e = db_run(db_get(d, SQL_IMPORT_STAGE_ANALYZE), NULL)) || (e = db_run(db_get(d, SQL_IMPORT_STAGE_LATER), NULL)) ||
		    (e = bulk_totals(ac)))
			goto fail;
		s = db_get(d, SQL_IMPORT_STAGE_HOUSEHOLDS);
		db_bind_int(s, 1, now_s());
		if ((e = db_run(s, NULL)))
			goto fail;
		s = db_get(d, SQL_IMPORT_STAGE_RESIDENTS);
		db_bind_int(s, 1, now_s());
		if (ac->user_id)
			db_bind_int(s, 2, ac->user_id);
		if ((e = db_run(s, NULL)))
			goto fail;
		created = (size_t)db_changes(d);
	}
	/* the keys and indexes back (checked over the whole tables) before any row goes
	 * through the per-row rules, which look people up by them */
	for (size_t k = 0; keys_dropped && k < sizeof load_keys / sizeof load_keys[0]; k++)
		if ((e = db_run(db_get(d, load_keys[k][1]), NULL)))
			goto fail;
	if (staged) {
		/* the rows that meet someone stored and no one else: told apart and applied by set
		 * statements (a re-import: every row such) */
		size_t nset = 0, nsame = 0;
		if (created < staged && (e = bulk_matched(ac, &nset, &nsame)))
			goto fail;
		if ((e = bulk_later(d, nset ? SQL_IMPORT_SET_LATER_ROWS : SQL_IMPORT_STAGE_LATER_ROWS, &later,
		                    &nlater)))
			goto fail;
		if (created + nset + nlater != staged) {
			e = w_fail(W_EINTERNAL, "import_lost_rows", NULL,
			           "import: %zu rows staged, %zu written, %zu matched and %zu to apply",
			           staged, created, nset, nlater);
			goto fail;
		}
		rep->created += created;
		rep->unchanged += nsame;
		rep->updated += nset - nsame;
		/* the rows that may meet someone: read again, by the per-row rules, in file order */
		for (size_t i = 0; i < nlater; i++) {
			csv_seek(r, later[i]);
			size_t again;
			if (csv_next(r, &f, &nf, &again) != 1 || again != later[i].line) {
				e = w_fail(W_EINTERNAL, "import_reread", NULL, "import: line %zu cannot be read again", later[i].line);
				goto fail;
			}
			char *v[NCOLS];
			import_cells(col, f, nf, v);
			if ((e = runner_row(&rr, v, again)))
				goto fail;
		}
	}
	if ((e = import_finish(ac, reindex, rep)))
		goto fail;
	import_report_sort(rep);
	stats_totals_end();
	row_caches_reset();
	runner_free(&rr);
	unit_cache_free(&units);
	free(later);
	key_seen_free(&docs);
	key_seen_free(&names);
	free(repeated.v);
	w_clear();
	return WG_OK;
fail:
	db_rollback(d); /* abandons a copy in progress */
	stats_totals_end();
	row_caches_reset();
	runner_free(&rr);
	unit_cache_free(&units);
	free(later);
	key_seen_free(&docs);
	key_seen_free(&names);
	free(repeated.v);
	return e;
}

/* ---- export ---- */

/* The row of text cells for one resident, in col_names order; values shown per role. */
static void export_cells(const actor *ac, const res_row *r, const char *cells[NCOLS], arena *a)
{
	cells[COL_NAME] = r->name;
	cells[COL_SEX] = r->sex;
	cells[COL_BIRTH] = actor_show_birth(ac, r->birth_date);
	cells[COL_IDTYPE] = r->id_type;
	cells[COL_IDNUM] = actor_show_id(ac, res_number(r));
	cells[COL_PHONE] = actor_show_phone(ac, r->phone);
	cells[COL_UNIT] = r->unit_code;
	cells[COL_ROOM] = r->room;
	cells[COL_REL] = r->relation;
	cells[COL_RESIDENCE] = r->residence;
	buf b;
	buf_init(&b, a);
	json_t *fl = flags_json(r->flags, actor_show_age(ac, r->birth_date));
	size_t i;
	json_t *x;
	json_array_foreach(fl, i, x)
	{
		if (!strcmp(json_string_value(x), "elderly"))
			continue;
		buf_printf(&b, "%s%s", b.len ? ";" : "", json_string_value(x));
	}
	json_decref(fl);
	cells[COL_FLAGS] = b.len ? b.p : "";
}

werr res_export(const actor *ac, const char *unit_code, export_format fmt, const char *path,
                size_t *count)
{
	unit_row u;
	werr e = unit_scope(ac, unit_code, &u);
	if (e)
		return e;
	FILE *out = NULL;
	lxw_workbook *wb = NULL;
	lxw_worksheet *ws = NULL;
	if (fmt == EXPORT_CSV) {
		if (!(out = fopen(path, "wb")))
			return w_fail(W_EINVAL, "cannot_write", "out", "cannot write %s", path);
		fputs("\xEF\xBB\xBF", out); /* BOM: Excel opens UTF-8 Chinese correctly */
	} else {
		if (!(wb = workbook_new(path)))
			return w_fail(W_EINVAL, "cannot_write", "out", "cannot write %s", path);
		ws = workbook_add_worksheet(wb, "居民 residents");
	}
	for (int k = 0; k < NCOLS; k++) {
		const char *h = arena_printf(ac->a, "%s/%s", col_names[k][1], col_names[k][0]);
		if (out)
			fprintf(out, "%s%c", h, k == NCOLS - 1 ? '\n' : ',');
		else
			worksheet_write_string(ws, 0, (lxw_col_t)k, h, NULL);
	}
	db_stmt *s = db_get(ac->d, SQL_RES_EXPORT);
	db_bind_text(s, 1, u.path);
	db_bind_text(s, 2, scope_upper(ac->a, u.path));
	size_t n = 0;
	int rc;
	arena *row_arena = arena_new();
	while ((rc = db_step(s, &e)) == DB_ROW) {
		res_row r;
		actor tmp = *ac;
		tmp.a = row_arena;
		res_from(row_arena, s, &r);
		const char *cells[NCOLS];
		export_cells(&tmp, &r, cells, row_arena);
		n++;
		for (int k = 0; k < NCOLS; k++) {
			char *c = out ? csv_quote(cells[k] ? cells[k] : "") : cell_neutralise(cells[k] ? cells[k] : "");
			if (out)
				fprintf(out, "%s%c", c, k == NCOLS - 1 ? '\n' : ',');
			else
				worksheet_write_string(ws, (lxw_row_t)n, (lxw_col_t)k, c, NULL);
			free(c);
		}
		if (n % 1000 == 0) {
			arena_free(row_arena);
			row_arena = arena_new();
		}
	}
	arena_free(row_arena);
	db_done(s);
	bool io_ok = true;
	if (out)
		io_ok = fclose(out) == 0;
	else
		io_ok = workbook_close(wb) == LXW_NO_ERROR;
	if (rc < 0)
		return e;
	if (!io_ok)
		return w_fail(W_EINTERNAL, "cannot_write", "out", "writing %s failed", path);
	*count = n;
	return audit(ac, "export", "resident", u.id,
	             arena_printf(ac->a, "unit:%s rows:%zu fields:%s", u.code, n, shown_fields(ac)), "ok");
}

/* ---- the duplicate-ID review queue (身份证号重复待核实) ----
 * Reviewers are community accounts (社区: they see full ID numbers and register for the
 * whole community) whose scope covers the held registration's household; the command-line
 * operator too.  Every other registry role sees only the items returned to it to correct —
 * never an open one, which would tell it the number is registered elsewhere. */

static bool idr_reviewer(const actor *ac)
{
	return ac->role == ROLE_COMMUNITY || ac->role == ROLE_OPERATOR;
}

typedef struct {
	int64_t id, resident_id, existing_id, created_at, decided_at, corrected_at;
	const char *id_type, *id_number, *source, *state, *created_by, *decided_by, *note, *corrected_by, *path;
} idr_row;

static void idr_from(arena *a, db_stmt *s, idr_row *v)
{
	v->id = db_int(s, 0);
	v->resident_id = db_int(s, 1);
	v->existing_id = db_int(s, 2);
	v->id_type = arena_strdup(a, db_text(s, 3));
	v->id_number = arena_strdup(a, db_text(s, 4));
	v->source = arena_strdup(a, db_text(s, 5));
	v->state = arena_strdup(a, db_text(s, 6));
	v->created_at = db_int(s, 7);
	v->created_by = arena_strdup(a, db_text(s, 8));
	v->decided_at = db_null(s, 9) ? 0 : db_int(s, 9);
	v->decided_by = arena_strdup(a, db_text(s, 10));
	v->note = arena_strdup(a, db_text(s, 11));
	v->corrected_at = db_null(s, 12) ? 0 : db_int(s, 12);
	v->corrected_by = arena_strdup(a, db_text(s, 13));
	v->path = arena_strdup(a, db_text(s, 14));
}

static json_t *time_or_null(int64_t t)
{
	if (!t)
		return json_null();
	char b[32];
	fmt_time(t, b);
	return json_string(b);
}

static json_t *idr_json(const actor *ac, const idr_row *v)
{
	bool rev = idr_reviewer(ac);
	char at[32];
	fmt_time(v->created_at, at);
	return json_pack("{s:I,s:s,s:I,s:o,s:s,s:o,s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "id", (json_int_t)v->id, "state",
	                 v->state, "resident_id", (json_int_t)v->resident_id, "existing_id",
	                 rev ? json_integer(v->existing_id) : json_null(), "id_type", v->id_type, "id_number",
	                 jv_text(actor_show_id(ac, v->id_number)), "source", v->source, "created_at", at, "created_by",
	                 jv_text(v->created_by), "decided_at", time_or_null(v->decided_at), "decided_by",
	                 jv_text(v->decided_by), "note", jv_text(v->note), "corrected_at", time_or_null(v->corrected_at),
	                 "corrected_by", jv_text(v->corrected_by), "reviewer", json_boolean(rev));
}

werr idr_list(const actor *ac, const char *unit_code, const char *state, int64_t limit, int64_t offset, json_t **out)
{
	static const char *const states[] = {"open", "returned", "merged", "corrected", "kept", "all", NULL};
	unit_row u;
	werr e = unit_scope(ac, unit_code, &u);
	if (e)
		return e;
	if (state && !str_in_list(state, states))
		return w_fail(W_EINVAL, "invalid_state", "state", "state: open returned merged corrected kept all");
	if (!state)
		state = idr_reviewer(ac) ? "open" : "returned";
	if (!idr_reviewer(ac) && strcmp(state, "returned") != 0)
		state = "returned"; /* the only items other roles see */
	const char *st = strcmp(state, "all") == 0 ? "" : state;
	const char *upper = scope_upper(ac->a, u.path);
	db_stmt *s = db_get(ac->d, SQL_IDR_COUNT);
	db_bind_text(s, 1, u.path);
	db_bind_text(s, 2, upper);
	db_bind_text(s, 3, st);
	int64_t total = 0;
	if ((e = db_scalar(s, &total)))
		return e;
	s = db_get(ac->d, SQL_IDR_LIST);
	db_bind_text(s, 1, u.path);
	db_bind_text(s, 2, upper);
	db_bind_text(s, 3, st);
	db_bind_int(s, 4, limit);
	db_bind_int(s, 5, offset);
	json_t *items = json_array();
	int rc;
	while ((rc = db_step(s, &e)) == DB_ROW) {
		idr_row v = {0};
		idr_from(ac->a, s, &v);
		json_array_append_new(items, idr_json(ac, &v));
	}
	db_done(s);
	if (rc < 0) {
		json_decref(items);
		return e;
	}
	/* each item with its held registration as the caller sees it */
	size_t i;
	json_t *it;
	json_array_foreach(items, i, it)
	{
		res_row r;
		if ((e = res_load(ac, json_integer_value(json_object_get(it, "resident_id")), &r))) {
			json_decref(items);
			return e;
		}
		json_object_set_new(it, "held", res_json(ac, &r));
	}
	if ((e = audit(ac, "list", "id_review", 0,
	               arena_printf(ac->a, "unit:%s state:%s results:%zu fields:%s", u.code, state, json_array_size(items),
	                            shown_fields(ac)),
	               "ok"))) {
		json_decref(items);
		return e;
	}
	*out = jv_page(items, total, limit, offset);
	return WG_OK;
}

/* The review, when the caller may see it: in scope, and open ones to reviewers only. */
static werr idr_load(const actor *ac, int64_t id, idr_row *v)
{
	*v = (idr_row){0};
	db_stmt *s = db_get(ac->d, SQL_IDR_GET);
	db_bind_int(s, 1, id);
	werr e = WG_OK;
	int rc = db_step(s, &e);
	if (rc == DB_ROW)
		idr_from(ac->a, s, v);
	db_done(s);
	if (rc < 0)
		return e;
	if (rc != DB_ROW || !actor_in_scope(ac, v->path) ||
	    (!idr_reviewer(ac) && strcmp(v->state, "returned") != 0 && strcmp(v->state, "corrected") != 0)) {
		if (rc == DB_ROW)
			audit(ac, "read", "id_review", id, NULL, "denied");
		return w_fail(W_ENOTFOUND, "review_not_found", "review_id", "没有这条待核实记录 / no such review");
	}
	return WG_OK;
}

/* The registration holding the number, for the reviewer: in full (as its role sees it)
 * when in its scope; outside it only what the decision needs — who (name, sex, birth
 * date, the number itself), where down to the community, and whether they still live
 * there — never the room, phone, flags or epidemic category. */
static werr idr_existing(const actor *ac, int64_t rid, json_t **out)
{
	int64_t district; /* the registration may lie in another district: found first */
	werr e = resident_district(ac, rid, -1, &district);
	if (e)
		return e;
	db_stmt *s = db_get(ac->d, SQL_RES_BY_ID_IN);
	db_bind_int(s, 1, rid);
	db_bind_int(s, 2, district);
	res_row r = {0};
	int rc = db_step(s, &e);
	if (rc == DB_ROW)
		res_from(ac->a, s, &r);
	db_done(s);
	if (rc < 0)
		return e;
	if (rc != DB_ROW) {
		*out = json_null();
		return WG_OK;
	}
	if (actor_in_scope(ac, r.path)) {
		*out = res_json(ac, &r);
		json_object_set_new(*out, "outside_scope", json_false());
		return WG_OK;
	}
	int age = actor_show_age(ac, r.birth_date);
	char since[32];
	fmt_time(r.created_at, since);
	json_t *o = json_pack("{s:I,s:s,s:o,s:o,s:o,s:s,s:o,s:s,s:b,s:s,s:b}", "id", (json_int_t)r.id, "name", r.name,
	                      "sex", jv_text(r.sex), "birth_date", jv_text(actor_show_birth(ac, r.birth_date)), "age",
	                      age >= 0 ? json_integer(age) : json_null(), "id_type", r.id_type, "id_number",
	                      jv_text(actor_show_id(ac, res_number(&r))), "residence", r.residence, "moved_out",
	                      r.moved_out_at != 0, "registered_at", since, "outside_scope", true);
	s = db_get(ac->d, SQL_IDR_PLACE);
	db_bind_text(s, 1, r.path);
	while ((rc = db_step(s, &e)) == DB_ROW)
		json_object_set_new(o, db_text(s, 0), json_string(db_text(s, 1)));
	db_done(s);
	if (rc < 0) {
		json_decref(o);
		return e;
	}
	*out = o;
	return WG_OK;
}

werr idr_get(const actor *ac, int64_t id, json_t **out)
{
	idr_row v = {0};
	res_row h;
	werr e;
	if ((e = idr_load(ac, id, &v)) || (e = res_load(ac, v.resident_id, &h)))
		return e;
	json_t *o = idr_json(ac, &v), *ex = NULL;
	json_object_set_new(o, "held", res_json(ac, &h));
	if (idr_reviewer(ac)) {
		if ((e = idr_existing(ac, v.existing_id, &ex))) {
			json_decref(o);
			return e;
		}
		json_object_set_new(o, "existing", ex);
	}
	if ((e = audit(ac, "read", "id_review", id,
	               idr_reviewer(ac) ? arena_printf(ac->a, "held:%s existing:name,sex,birth_date,id_number,place", shown_fields(ac))
	                                : arena_printf(ac->a, "held:%s", shown_fields(ac)),
	               "ok"))) {
		json_decref(o);
		return e;
	}
	*out = o;
	return WG_OK;
}

/* merge: the registration holding the number moves into the held one's household, keeping
 * its history (and comes back if it had moved out); the held row is retired into it. */
static werr idr_merge(const actor *ac, const idr_row *v)
{
	int64_t district;
	werr e = resident_district(ac, v->existing_id, -1, &district);
	if (e)
		return e;
	db_stmt *s = db_get(ac->d, SQL_RES_BY_ID_IN);
	db_bind_int(s, 1, v->existing_id);
	db_bind_int(s, 2, district);
	res_row x = {0}, h;
	int rc = db_step(s, &e);
	if (rc == DB_ROW)
		res_from(ac->a, s, &x);
	db_done(s);
	if (rc < 0)
		return e;
	if (rc != DB_ROW || !x.id_number)
		return w_fail(W_ECONFLICT, "existing_gone", "action",
		              "原登记已不再持有该号码，请改为保留或退回 / the other registration no longer holds the number: keep or return");
	if ((e = res_load(ac, v->resident_id, &h)))
		return e;
	res_fields f = {x.name, x.sex, x.birth_date, x.id_type, x.id_number, x.phone, h.relation, h.residence, x.note, x.flags, NULL};
	if (!f.phone)
		f.phone = h.phone;
	int64_t now = now_s();
	hh_snap bx, bh, ax, ah;
	bool one = x.household_id == h.household_id;
	if ((e = stats_snap(ac->d, ac->a, x.household_id, &bx)) ||
	    (!one && (e = stats_snap(ac->d, ac->a, h.household_id, &bh))))
		return e;
	s = db_get(ac->d, SQL_RES_MERGED);
	db_bind_int(s, 1, h.id);
	db_bind_int(s, 2, x.id);
	db_bind_int(s, 3, now);
	if ((e = db_run(s, NULL)) || (e = res_write(ac, x.id, h.household_id, &f, 0, NULL)) ||
	    (e = stats_snap(ac->d, ac->a, x.household_id, &ax)) || (e = stats_apply(ac->d, &bx, &ax)) ||
	    (!one && ((e = stats_snap(ac->d, ac->a, h.household_id, &ah)) || (e = stats_apply(ac->d, &bh, &ah)))))
		return e;
	const char *into = arena_printf(ac->a, "merged into resident %lld (duplicate ID review)", (long long)x.id);
	if ((e = record_move(ac, h.id, h.household_id, 0, into)) ||
	    (x.household_id != h.household_id &&
	     (e = record_move(ac, x.id, x.household_id, h.household_id, "moved (duplicate ID review)"))) ||
	    (x.moved_out_at && x.household_id == h.household_id &&
	     (e = record_move(ac, x.id, 0, h.household_id, "moved back (duplicate ID review)"))))
		return e;
	return audit(ac, "update", "resident", x.id, arena_printf(ac->a, "household_id merged_from:%lld", (long long)h.id), "ok");
}

werr idr_decide(const actor *ac, int64_t id, json_t *body, json_t **out)
{
	static const char *const allowed[] = {"action", "note", NULL};
	static const char *const actions[][2] = {{"merge", "merged"}, {"return", "returned"}, {"keep", "kept"}};
	const char *action, *note;
	idr_row v = {0};
	werr e;
	if ((e = jv_only(body, allowed)) || (e = jv_str(body, "action", true, 16, &action)) ||
	    (e = jv_str(body, "note", false, 500, &note)))
		return e;
	if (!idr_reviewer(ac))
		return w_fail(W_EFORBIDDEN, "forbidden", "action", "只有社区可以核实 / only a community account reviews duplicates");
	const char *state = NULL;
	for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++)
		if (!strcmp(action, actions[i][0]))
			state = actions[i][1];
	if (!state)
		return w_fail(W_EINVAL, "invalid_action", "action", "action: merge return keep");
	if (note && (!*note || !utf8_no_controls(note)))
		note = NULL;
	if (!note && strcmp(action, "merge") != 0)
		return w_fail(W_EINVAL, "required", "note",
		              strcmp(action, "keep") == 0 ? "保留两条须写明理由 / keeping both needs a reason"
		                                          : "退回须写明要更正什么 / returning needs a note for the worker");
	if ((e = idr_load(ac, id, &v)))
		return e;
	if (!same(v.state, "open"))
		return w_fail(W_ECONFLICT, "already_resolved", "action", "这条已处理 / this review is already resolved (%s)", v.state);
	if ((e = db_begin(ac->d)))
		return e;
	if (!strcmp(action, "merge"))
		e = idr_merge(ac, &v);
	else if (!strcmp(action, "return"))
		e = hold_settle_clear(ac, v.resident_id);
	if (e)
		goto fail;
	db_stmt *s = db_get(ac->d, SQL_IDR_DECIDE);
	db_bind_int(s, 1, id);
	db_bind_text(s, 2, state);
	if (ac->user_id)
		db_bind_int(s, 3, ac->user_id);
	db_bind_int(s, 4, now_s());
	db_bind_text(s, 5, note);
	if ((e = db_run(s, NULL)))
		goto fail;
	if (db_changes(ac->d) != 1) {
		e = w_fail(W_ECONFLICT, "already_resolved", "action", "这条刚被处理 / this review was resolved meanwhile");
		goto fail;
	}
	if ((e = audit(ac, "update", "id_review", id, arena_printf(ac->a, "action:%s%s", action, note ? ",note" : ""), "ok")) ||
	    (e = db_commit(ac->d)))
		goto fail;
	return idr_get(ac, id, out);
fail:
	db_rollback(ac->d);
	return e;
}

werr idr_correct(const actor *ac, int64_t id, json_t *body, json_t **out)
{
	static const char *const allowed[] = {"id_number", NULL};
	const char *num;
	idr_row v = {0};
	res_row r;
	werr e;
	if ((e = jv_only(body, allowed)) || (e = jv_str(body, "id_number", true, 20, &num)) || (e = idr_load(ac, id, &v)) ||
	    (e = res_load(ac, v.resident_id, &r)))
		return e;
	if (!same(v.state, "returned"))
		return w_fail(W_ECONFLICT, "already_resolved", "id_number", "这条不在待更正状态 / this review is not waiting for a correction (%s)",
		              v.state);
	if (r.moved_out_at)
		return w_fail(W_EINVAL, "moved_out", "id_number", "此居民已迁出 / the resident has moved out");
	/* the corrected number is validated, and placed, as at registration; birth date and
	 * sex follow it */
	res_fields f = {r.name, NULL, NULL, r.id_type, num, r.phone, r.relation, r.residence, r.note, r.flags, NULL};
	if ((e = res_validate(ac, &f)))
		return e;
	if ((e = db_begin(ac->d)))
		return e;
	int64_t existing = 0;
	hh_snap b, a;
	if ((e = doc_place(ac, &f, r.id, &existing, out)) || (e = stats_snap(ac->d, ac->a, r.household_id, &b)) ||
	    (e = res_write(ac, r.id, r.household_id, &f, 0, NULL)) ||
	    (existing && (e = hold_open(ac, r.id, f.id_type, f.id_held, existing, "correction"))) ||
	    (e = stats_snap(ac->d, ac->a, r.household_id, &a)) || (e = stats_apply(ac->d, &b, &a)))
		goto fail;
	db_stmt *s = db_get(ac->d, SQL_IDR_CORRECTED);
	db_bind_int(s, 1, id);
	if (ac->user_id)
		db_bind_int(s, 2, ac->user_id);
	db_bind_int(s, 3, now_s());
	if ((e = db_run(s, NULL)))
		goto fail;
	if (db_changes(ac->d) != 1) {
		e = w_fail(W_ECONFLICT, "already_resolved", "id_number", "这条刚被处理 / this review was resolved meanwhile");
		goto fail;
	}
	if ((e = audit(ac, "update", "resident", r.id, "id_number,birth_date,sex (id review correction)", "ok")) ||
	    (e = audit(ac, "update", "id_review", id, "action:correct", "ok")) || (e = db_commit(ac->d)))
		goto fail;
	if ((e = res_load(ac, r.id, &r)))
		return e;
	*out = res_json(ac, &r);
	return WG_OK;
fail: {
	bool dup = e == W_ECONFLICT && strcmp(w_last()->code, "duplicate_id_number") == 0;
	db_rollback(ac->d);
	if (dup)
		audit(ac, "update", "resident", r.id, "id_number:duplicate", "failed");
	return e;
}
}
