/* staff.c — staffing the grids; see staff.h.
 *
 * Vacancies are computed on read from the records as they are (assignments in force
 * today, pairs, lockdowns, rosters, and each staff member's epidemic status and isolation),
 * in a handful of set queries over the unit's subtree, so nothing has to be kept in step
 * when the spine changes a status.  Settings (the settings table, `wangge config`):
 * staff.households_per_worker (default 300) and staff.rest_hours (default 12, the rest
 * after a night shift before the next shift, and before a night shift after another). */
#include "domain/staff.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/bus.h"
#include "core/jv.h"
#include "core/ident.h"
#include "core/qr.h"
#include "core/util.h"
#include "domain/people.h"
#include "domain/tree.h"
#include "domain/calendar.h"
#include "domain/help.h"
#include "domain/lockdown.h"
#include "domain/readings.h"
#include "domain/response.h"
#include "domain/rollcall.h"
#include "domain/units.h"

/* ---- tables ---- */

static const struct {
	const char *kind, *zh, *en;
} kinds[] = {
    {"grid_leader", "网格长", "grid leader"},
    {"grid_worker", "网格员", "grid worker"},
    {"cadre", "下沉干部", "cadre"},
    {"volunteer", "志愿者", "volunteer"},
    {"building_leader", "楼栋长", "building leader"},
};
static const char *const kind_names[] = {"grid_leader", "grid_worker", "cadre", "volunteer", "building_leader", NULL};
static const char *const skill_names[] = {"medical", "driver", "language", "psychology", NULL};
static const char *const states[] = {"active", "pending", "retired", NULL};
static const char *const targets[] = {"grid", "building", "checkpoint", NULL};
static const char *const shift_kinds[] = {"checkpoint", "patrol", NULL};
/* the five-person team of a locked-down building */
static const struct {
	const char *position;
	int need;
} team_slots[] = {{"grid_worker", 1}, {"cadre", 1}, {"volunteer", 3}};

enum { TEAM_SLOTS = 3 };

static const char *kind_zh(const char *k)
{
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (k && !strcmp(kinds[i].kind, k))
			return kinds[i].zh;
	return k ? k : "";
}

static int64_t setting_int(db *d, const char *key, int64_t def, int64_t min, int64_t max)
{
	db_stmt *s = db_get(d, SQL_SETTING_GET);
	db_bind_text(s, 1, key);
	werr e;
	int64_t v = def;
	if (db_step(s, &e) == DB_ROW && db_text(s, 0)) {
		char *end;
		long long x = strtoll(db_text(s, 0), &end, 10);
		if (!*end && x >= min && x <= max)
			v = x;
	}
	db_done(s);
	return v;
}

static int64_t per_worker(db *d)
{
	return setting_int(d, "staff.households_per_worker", 300, 1, 100000);
}

static int64_t rest_hours(db *d)
{
	return setting_int(d, "staff.rest_hours", 12, 0, 48);
}

static werr day_field(json_t *body, const char *key, bool required, char out[11])
{
	const char *v;
	werr e = jv_str(body, key, required, 10, &v);
	if (e)
		return e;
	if (!v) {
		out[0] = 0;
		return WG_OK;
	}
	int y, m, d;
	if (strlen(v) != 10 || !parse_date(v, &y, &m, &d))
		return w_fail(W_EINVAL, "invalid_day", key, "%s：日期格式应为 YYYY-MM-DD / %s must be YYYY-MM-DD", key, key);
	memcpy(out, v, 11);
	return WG_OK;
}

static bool hhmm_parse(const char *s, int64_t *out)
{
	int h, m, n = 0;
	if (!s || sscanf(s, "%2d:%2d%n", &h, &m, &n) != 2 || s[n] || strlen(s) != 5 || h < 0 || h > 23 || m < 0 || m > 59)
		return false;
	*out = h * 60 + m;
	return true;
}

static const char *hhmm(arena *a, int64_t m)
{
	return arena_printf(a, "%02d:%02d", (int)(m / 60 % 24), (int)(m % 60));
}

/* ---- staff rows ---- */

typedef struct {
	int64_t id, unit_id, user_id, resident_id, created_at;
	bool party, off;
	const char *kind, *name, *phone, *employer, *sent_from, *sent_to, *skills, *availability, *state, *source;
	const char *unit_code, *unit_name, *path, *username, *off_reason;
} staff_row;

/* text of a NOT NULL column (never NULL, for the analyser too) */
static const char *nn(arena *a, const char *v)
{
	const char *c = v ? arena_strdup(a, v) : NULL;
	return c ? c : "";
}

static void staff_from(arena *a, db_stmt *s, staff_row *r)
{
#define T(i) (db_null(s, i) ? NULL : arena_strdup(a, db_text(s, i)))
	r->id = db_int(s, 0);
	r->unit_id = db_int(s, 1);
	r->kind = nn(a, db_text(s, 2));
	r->name = nn(a, db_text(s, 3));
	r->phone = T(4);
	r->employer = T(5);
	r->sent_from = T(6);
	r->sent_to = T(7);
	r->skills = T(8);
	r->availability = T(9);
	r->party = db_int(s, 10) != 0;
	r->user_id = db_null(s, 11) ? 0 : db_int(s, 11);
	r->resident_id = db_null(s, 12) ? 0 : db_int(s, 12);
	r->state = nn(a, db_text(s, 13));
	r->source = nn(a, db_text(s, 14));
	r->created_at = db_int(s, 15);
	r->unit_code = nn(a, db_text(s, 16));
	r->unit_name = nn(a, db_text(s, 17));
	r->path = nn(a, db_text(s, 18));
	r->username = T(19);
	r->off = db_int(s, 20) != 0;
	r->off_reason = T(21);
#undef T
}

static werr staff_load(const actor *ac, int64_t id, const char *field, staff_row *r)
{
	*r = (staff_row){0};
	db_stmt *s = db_get(ac->d, SQL_STAFF_GET);
	db_bind_int(s, 1, id);
	werr e = WG_OK;
	int rc = db_step(s, &e);
	if (rc == DB_ROW)
		staff_from(ac->a, s, r);
	db_done(s);
	if (rc < 0 && e)
		return e;
	if (rc != DB_ROW || !actor_in_scope(ac, r->path))
		return w_fail(W_ENOTFOUND, "staff_not_found", field, "没有这名工作人员 / no such staff member");
	return WG_OK;
}

static json_t *skills_json(const char *csv)
{
	json_t *arr = json_array();
	for (const char *p = csv; p && *p;) {
		const char *c = strchr(p, ',');
		size_t n = c ? (size_t)(c - p) : strlen(p);
		if (n)
			json_array_append_new(arr, json_stringn(p, n));
		p = c ? c + 1 : p + n;
	}
	return arr;
}

static json_t *assign_json(db_stmt *s)
{
	return json_pack("{s:I,s:s,s:s,s:s,s:s,s:o,s:o,s:s,s:o}", "id", (json_int_t)db_int(s, 0), "target", db_text(s, 2),
	                 "position", db_text(s, 3), "unit", db_text(s, 8), "unit_name", db_text(s, 9), "gate",
	                 jv_text(db_text(s, 10)), "gate_id", db_null(s, 5) ? json_null() : json_integer(db_int(s, 5)), "from",
	                 db_text(s, 6), "to", jv_text(db_text(s, 7)));
}

static json_t *staff_json(const actor *ac, const staff_row *r, bool with_assignments)
{
	const char *phone = r->phone ? actor_show_phone(ac, r->phone) : NULL;
	json_t *o = json_pack("{s:I,s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:b,s:o,s:o,s:s,s:s,s:s,s:s,s:b}", "id",
	                      (json_int_t)r->id, "kind", r->kind, "kind_zh", kind_zh(r->kind), "name", r->name, "phone",
	                      jv_text(phone), "employer", jv_text(r->employer), "sent_from", jv_text(r->sent_from), "sent_to",
	                      jv_text(r->sent_to), "skills", skills_json(r->skills), "availability", jv_text(r->availability),
	                      "party_member", r->party, "username", jv_text(r->username), "resident_id",
	                      r->resident_id ? json_integer(r->resident_id) : json_null(), "state", r->state, "source", r->source,
	                      "unit", r->unit_code, "unit_name", r->unit_name, "off_duty", r->off);
	json_object_set_new(o, "off_reason", jv_text(r->off_reason));
	if (with_assignments) {
		char today[11];
		today_str(today);
		json_t *arr = json_array();
		db_stmt *s = db_get(ac->d, SQL_ASSIGN_OF_STAFF);
		db_bind_int(s, 1, r->id);
		db_bind_text(s, 2, today);
		werr e;
		while (db_step(s, &e) == DB_ROW)
			json_array_append_new(arr, assign_json(s));
		db_done(s);
		json_object_set_new(o, "assignments", arr);
	}
	return o;
}

werr staff_list(const actor *ac, const char *unit_code, const char *kind, const char *state, int64_t limit,
                int64_t offset, json_t **out)
{
	if (kind && *kind && !str_in_list(kind, kind_names))
		return w_fail(W_EINVAL, "invalid_kind", "kind", "kind: grid_leader grid_worker cadre volunteer building_leader");
	if (state && *state && !str_in_list(state, states))
		return w_fail(W_EINVAL, "invalid_state", "state", "state: active pending retired");
	unit_row u;
	werr e = unit_scope(ac, unit_code, &u);
	if (e)
		return e;
	db_stmt *s = db_get(ac->d, SQL_STAFF_LIST);
	db_bind_text(s, 1, u.path);
	db_bind_text(s, 2, scope_upper(ac->a, u.path));
	db_bind_text(s, 3, kind ? kind : "");
	db_bind_text(s, 4, state ? state : "");
	db_bind_int(s, 5, limit);
	db_bind_int(s, 6, offset);
	staff_row *rows = NULL;
	size_t n = 0, cap = 0;
	int rc;
	while ((rc = db_step(s, &e)) == DB_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			staff_row *nr = arena_alloc(ac->a, cap * sizeof *nr);
			if (n)
				memcpy(nr, rows, n * sizeof *nr);
			rows = nr;
		}
		staff_from(ac->a, s, &rows[n++]);
	}
	db_done(s);
	if (rc < 0)
		return e;
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, staff_json(ac, &rows[i], true));
	if ((e = audit(ac, "list", "staff", 0, arena_printf(ac->a, "unit:%s", u.code), "ok"))) {
		json_decref(items);
		return e;
	}
	int64_t total = 0;
	s = db_get(ac->d, SQL_STAFF_LIST_COUNT);
	db_bind_text(s, 1, u.path);
	db_bind_text(s, 2, scope_upper(ac->a, u.path));
	db_bind_text(s, 3, kind ? kind : "");
	db_bind_text(s, 4, state ? state : "");
	if ((e = db_scalar(s, &total))) {
		json_decref(items);
		return e;
	}
	*out = json_pack("{s:s,s:s,s:I,s:o}", "unit", u.code, "unit_name", u.name, "total", (json_int_t)total, "items", items);
	return WG_OK;
}

/* The fields of a staff body over r (create: r zeroed with defaults). */
static werr staff_fields(const actor *ac, json_t *body, staff_row *r, bool create)
{
	const char *code, *kind, *name, *phone, *employer, *availability, *username, *state;
	char from[11], to[11];
	werr e;
	if ((e = jv_str(body, "unit", create, 64, &code)) || (e = jv_str(body, "kind", create, 20, &kind)) ||
	    (e = jv_str(body, "name", create, 40, &name)) || (e = jv_str(body, "phone", false, 20, &phone)) ||
	    (e = jv_str(body, "employer", false, 80, &employer)) || (e = jv_str(body, "availability", false, 200, &availability)) ||
	    (e = jv_str(body, "username", false, 64, &username)) || (e = jv_str(body, "state", false, 10, &state)) ||
	    (e = day_field(body, "sent_from", false, from)) || (e = day_field(body, "sent_to", false, to)))
		return e;
	if (kind && !str_in_list(kind, kind_names))
		return w_fail(W_EINVAL, "invalid_kind", "kind",
		              "身份应为网格长、网格员、下沉干部、志愿者或楼栋长 / kind: grid_leader grid_worker cadre volunteer building_leader");
	if (state && !str_in_list(state, states))
		return w_fail(W_EINVAL, "invalid_state", "state", "state: active pending retired");
	if (code) {
		unit_row u;
		if ((e = unit_find(ac, code, &u)))
			return w_fail(W_EINVAL, "unit_not_found", "unit", "没有这个单位 / no such unit: %s", code);
		r->unit_id = u.id;
		r->path = u.path;
	}
	if (kind)
		r->kind = kind;
	if (name)
		r->name = name;
	if (state)
		r->state = state;
	if (json_object_get(body, "phone")) {
		if (phone) {
			char norm[32];
			if (!phone_normalize(phone, norm, sizeof norm))
				return w_fail(W_EINVAL, "invalid_phone", "phone", "电话号码格式不对 / phone number not valid");
			r->phone = arena_strdup(ac->a, norm);
		} else {
			r->phone = NULL;
		}
	}
	if (json_object_get(body, "employer"))
		r->employer = employer;
	if (json_object_get(body, "availability"))
		r->availability = availability;
	if (json_object_get(body, "sent_from"))
		r->sent_from = from[0] ? arena_strdup(ac->a, from) : NULL;
	if (json_object_get(body, "sent_to"))
		r->sent_to = to[0] ? arena_strdup(ac->a, to) : NULL;
	if (r->sent_from && r->sent_to && strcmp(r->sent_from, r->sent_to) > 0)
		return w_fail(W_EINVAL, "invalid_range", "sent_to", "下沉结束日期早于开始日期 / sent_to is before sent_from");
	if (!strcmp(r->kind, "cadre") && !r->employer)
		return w_fail(W_EINVAL, "required", "employer", "下沉干部须填原单位 / a cadre's home employer is required");
	json_t *sk = json_object_get(body, "skills");
	if (sk && !json_is_null(sk)) {
		if (!json_is_array(sk) || json_array_size(sk) > 4)
			return w_fail(W_EINVAL, "invalid_skills", "skills", "skills: up to 4 of medical driver language psychology");
		const char *csv = "";
		size_t i;
		json_t *x;
		json_array_foreach(sk, i, x) {
			const char *v = json_string_value(x);
			if (!v || !str_in_list(v, skill_names))
				return w_fail(W_EINVAL, "invalid_skills", "skills",
				              "技能应为医疗、驾驶、语言或心理 / skills: medical driver language psychology");
			csv = *csv ? arena_printf(ac->a, "%s,%s", csv, v) : v;
		}
		r->skills = arena_strdup(ac->a, csv);
	} else if (sk) {
		r->skills = "";
	}
	bool party, has_party;
	if ((e = jv_bool(body, "party_member", &party, &has_party)))
		return e;
	if (has_party)
		r->party = party;
	if (json_object_get(body, "username")) {
		r->user_id = 0;
		if (username) {
			db_stmt *s = db_get(ac->d, SQL_STAFF_USER_ID);
			db_bind_text(s, 1, username);
			int64_t uid = 0;
			if ((e = db_scalar(s, &uid)))
				return e;
			if (!uid)
				return w_fail(W_EINVAL, "user_not_found", "username", "没有这个账号 / no such account");
			r->user_id = uid;
		}
	}
	int64_t rid = 0;
	bool has_rid;
	if ((e = jv_int(body, "resident_id", false, 1, INT64_MAX, &rid, &has_rid)))
		return e;
	if (json_object_get(body, "resident_id")) {
		r->resident_id = 0;
		if (has_rid) {
			db_stmt *s = db_get(ac->d, SQL_STAFF_RESIDENT_PATH);
			db_bind_int(s, 1, rid);
			int rc = db_step(s, &e);
			const char *p = rc == DB_ROW ? arena_strdup(ac->a, db_text(s, 0)) : NULL;
			db_done(s);
			if (rc < 0)
				return e;
			if (!p || !actor_in_scope(ac, p))
				return w_fail(W_EINVAL, "resident_not_found", "resident_id", "没有这位居民 / no such resident");
			r->resident_id = rid;
		}
	}
	return WG_OK;
}

static void staff_bind(db_stmt *s, const staff_row *r, int first)
{
	int i = first;
	db_bind_int(s, i++, r->unit_id);
	db_bind_text(s, i++, r->kind);
	db_bind_text(s, i++, r->name);
	db_bind_text(s, i++, r->phone);
	db_bind_text(s, i++, r->employer);
	db_bind_text(s, i++, r->sent_from);
	db_bind_text(s, i++, r->sent_to);
	db_bind_text(s, i++, r->skills ? r->skills : "");
	db_bind_text(s, i++, r->availability);
	db_bind_int(s, i++, r->party);
	if (r->user_id)
		db_bind_int(s, i, r->user_id);
	i++;
	if (r->resident_id)
		db_bind_int(s, i, r->resident_id);
}

static werr staff_answer(const actor *ac, int64_t id, json_t **out)
{
	staff_row r;
	werr e = staff_load(ac, id, "staff_id", &r);
	if (!e)
		*out = staff_json(ac, &r, true);
	return e;
}

/* ---- the counters (staff_counts) ----
 * One row a unit, never rolled up: the open grid posts of active staff on the unit (leaders,
 * workers, whatever their dates: the read takes off those not in force today and those of
 * staff off duty, both few) and the unit's own staff by kind, pending and paired.  A write
 * that changes a person takes their part of the counters before and after (cnt_snap: their
 * row and open grid posts), inside its transaction and after locking the person's row, and
 * adds the difference; STAFF_COUNTS_DIFF compares with a recount (GET /staff/counters). */

enum { C_LEADERS, C_WORKERS, C_KIND0, C_PENDING = C_KIND0 + 5, C_PAIRED_CADRE, C_PAIRED_WORKER, C_PAIRS, C_N };

typedef struct {
	int64_t unit;
	int col;
} cpart;

typedef struct {
	cpart *v;
	size_t n, cap;
} csnap;

static void cnt_add(arena *a, csnap *c, int64_t unit, int col)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 8;
		cpart *nv = arena_alloc(a, cap * sizeof *nv);
		if (c->n)
			memcpy(nv, c->v, c->n * sizeof *nv);
		c->v = nv;
		c->cap = cap;
	}
	c->v[c->n++] = (cpart){unit, col};
}

static int kind_index(const char *k)
{
	for (int i = 0; kind_names[i]; i++)
		if (k && !strcmp(kind_names[i], k))
			return i;
	return -1;
}

/* Lock the person's row (PostgreSQL; SQLite's write lock is whole) so that two writes about
 * one person take their snapshots in turn. */
static werr cnt_lock(const actor *ac, int64_t id)
{
	db_stmt *s = db_get(ac->d, SQL_STAFF_LOCK);
	db_bind_int(s, 1, id);
	werr e = WG_OK;
	int rc = db_step(s, &e);
	db_done(s);
	return rc < 0 ? e : WG_OK;
}

/* The person's part of the counters as they are now (nothing when there is no such row). */
static werr cnt_snap(const actor *ac, int64_t id, csnap *out)
{
	*out = (csnap){0};
	db_stmt *s = db_get(ac->d, SQL_STAFF_COUNT_ROW);
	db_bind_int(s, 1, id);
	werr e = WG_OK;
	int rc = db_step(s, &e);
	int64_t unit = 0;
	int kind = -1;
	bool active = false, pending = false, paired = false;
	if (rc == DB_ROW) {
		unit = db_int(s, 0);
		kind = kind_index(db_text(s, 1));
		active = db_text(s, 2) && !strcmp(db_text(s, 2), "active");
		pending = db_text(s, 2) && !strcmp(db_text(s, 2), "pending");
		paired = db_int(s, 3) != 0;
	}
	db_done(s);
	if (rc < 0)
		return e;
	if (rc != DB_ROW)
		return WG_OK;
	bool cadre = kind == 2, worker = kind == 1;
	if (active && kind >= 0)
		cnt_add(ac->a, out, unit, C_KIND0 + kind);
	if (active && paired && (cadre || worker))
		cnt_add(ac->a, out, unit, cadre ? C_PAIRED_CADRE : C_PAIRED_WORKER);
	if (pending)
		cnt_add(ac->a, out, unit, C_PENDING);
	if (cadre && paired)
		cnt_add(ac->a, out, unit, C_PAIRS);
	if (!active)
		return WG_OK;
	s = db_get(ac->d, SQL_STAFF_COUNT_POSTS);
	db_bind_int(s, 1, id);
	while ((rc = db_step(s, &e)) == DB_ROW)
		cnt_add(ac->a, out, db_int(s, 0), !strcmp(db_text(s, 1), "grid_leader") ? C_LEADERS : C_WORKERS);
	db_done(s);
	return rc < 0 ? e : WG_OK;
}

/* Add after − before to the counters, one upsert per unit whose part changed. */
static werr cnt_apply(const actor *ac, const csnap *before, const csnap *after)
{
	size_t cap = before->n + after->n, n = 0;
	if (!cap)
		return WG_OK;
	struct acc {
		int64_t unit, d[C_N];
	} *acc = arena_alloc(ac->a, cap * sizeof *acc);
	for (int side = 0; side < 2; side++) {
		const csnap *c = side ? after : before;
		for (size_t i = 0; i < c->n; i++) {
			size_t k = 0;
			while (k < n && acc[k].unit != c->v[i].unit)
				k++;
			if (k == n) {
				memset(&acc[n], 0, sizeof acc[n]);
				acc[n++].unit = c->v[i].unit;
			}
			acc[k].d[c->v[i].col] += side ? 1 : -1;
		}
	}
	for (size_t k = 0; k < n; k++) {
		bool any = false;
		for (int c = 0; c < C_N; c++)
			any |= acc[k].d[c] != 0;
		if (!any)
			continue;
		db_stmt *s = db_get(ac->d, SQL_STAFF_COUNTS_ADD);
		db_bind_int(s, 1, acc[k].unit);
		for (int c = 0; c < C_N; c++)
			db_bind_int(s, 2 + c, acc[k].d[c]);
		werr e = db_run(s, NULL);
		if (e)
			return e;
	}
	return WG_OK;
}

/* The counters counted again from the rows (the demo, after its bulk inserts). */
static werr cnt_rebuild(db *d)
{
	werr e = db_run(db_get(d, SQL_STAFF_COUNTS_CLEAR), NULL);
	return e ? e : db_run(db_get(d, SQL_STAFF_COUNTS_REBUILD), NULL);
}

werr staff_counters_check(const actor *ac, json_t **out)
{
	int64_t diff = 0;
	werr e = db_scalar(db_get(ac->d, SQL_STAFF_COUNTS_DIFF), &diff);
	if (e)
		return e;
	*out = json_pack("{s:I,s:b}", "units_differing", (json_int_t)diff, "ok", diff == 0);
	return WG_OK;
}

static const char *const staff_allowed[] = {"unit", "kind", "name", "phone", "employer", "sent_from", "sent_to", "skills",
                                            "availability", "party_member", "username", "resident_id", "state", NULL};

static werr staff_insert(const actor *ac, const staff_row *r, const char *source, int64_t *id)
{
	db_stmt *s = db_get(ac->d, SQL_STAFF_INSERT);
	staff_bind(s, r, 1);
	db_bind_text(s, 13, r->state);
	db_bind_text(s, 14, source);
	db_bind_int(s, 15, now_s());
	return db_run(s, id);
}

werr staff_create(const actor *ac, json_t *body, json_t **out)
{
	werr e;
	if ((e = jv_only(body, staff_allowed)))
		return e;
	staff_row r = {.state = "active", .skills = ""};
	if ((e = staff_fields(ac, body, &r, true)))
		return e;
	int64_t id = 0;
	if ((e = db_begin(ac->d)))
		return e;
	csnap none = {0}, after;
	if ((e = staff_insert(ac, &r, "entered", &id)) || (e = cnt_snap(ac, id, &after)) || (e = cnt_apply(ac, &none, &after)) ||
	    (e = audit(ac, "create", "staff", id, "unit,kind,name,phone,skills", "ok")) || (e = db_commit(ac->d))) {
		db_rollback(ac->d);
		return e;
	}
	return staff_answer(ac, id, out);
}

werr staff_update(const actor *ac, int64_t id, json_t *body, json_t **out)
{
	werr e;
	staff_row r;
	if ((e = jv_only(body, staff_allowed)) || (e = staff_load(ac, id, "staff_id", &r)) ||
	    (e = staff_fields(ac, body, &r, false)))
		return e;
	const char *fields = audit_fields(ac->a, body);
	if ((e = db_begin(ac->d)))
		return e;
	csnap before, after;
	if ((e = cnt_lock(ac, id)) || (e = cnt_snap(ac, id, &before))) {
		db_rollback(ac->d);
		return e;
	}
	db_stmt *s = db_get(ac->d, SQL_STAFF_UPDATE);
	db_bind_int(s, 1, id);
	staff_bind(s, &r, 2);
	db_bind_text(s, 14, r.state);
	db_bind_int(s, 15, now_s());
	if ((e = db_run(s, NULL)) || (e = cnt_snap(ac, id, &after)) || (e = cnt_apply(ac, &before, &after)) ||
	    (e = audit(ac, "update", "staff", id, fields, "ok")) || (e = db_commit(ac->d))) {
		db_rollback(ac->d);
		return e;
	}
	return staff_answer(ac, id, out);
}

/* ---- assignments ---- */

typedef struct {
	const char *target, *position;
	int64_t unit_id, gate_id;
	const char *unit_path;
	char from[11], to[11];
	const char *fills; /* the vacancy the post fills (vacancy_fills), if any */
} assignment;

/* ---- how vacancies were filled (vacancy_fills) ---- */

static werr fill_record(const actor *ac, int64_t unit_id, const char *kind, int64_t staff_id, const char *via, int64_t ref)
{
	db_stmt *s = db_get(ac->d, SQL_FILL_INSERT);
	db_bind_int(s, 1, unit_id);
	db_bind_text(s, 2, kind);
	db_bind_int(s, 3, staff_id);
	db_bind_text(s, 4, via);
	if (ref)
		db_bind_int(s, 5, ref);
	db_bind_int(s, 6, now_s());
	if (ac->user_id)
		db_bind_int(s, 7, ac->user_id);
	return db_run(s, NULL);
}

static int64_t per_worker(db *d);

/* Before a grid post is written: the vacancy it fills, when it is in force today — a grid
 * without a leader (or worker) on duty, or a grid whose workers carry too many households. */
static werr fill_grid_before(const actor *ac, const staff_row *st, assignment *a)
{
	(void)st;
	a->fills = NULL;
	char today[11];
	today_str(today);
	bool leader = !strcmp(a->position, "grid_leader"), worker = !strcmp(a->position, "grid_worker");
	if (strcmp(a->target, "grid") != 0 || (!leader && !worker) || strcmp(a->from, today) > 0 || (a->to[0] && strcmp(a->to, today) < 0))
		return WG_OK;
	db_stmt *s = db_get(ac->d, SQL_STAFF_GRID_POSTS);
	db_bind_int(s, 1, a->unit_id);
	db_bind_text(s, 2, a->position);
	db_bind_text(s, 3, today);
	int64_t have = 0, hh = 0;
	werr e = db_scalar(s, &have);
	if (e)
		return e;
	if (!have) {
		a->fills = leader ? "no_leader" : "no_worker";
		return WG_OK;
	}
	if (leader)
		return WG_OK;
	s = db_get(ac->d, SQL_STAFF_UNIT_HOUSEHOLDS);
	db_bind_int(s, 1, a->unit_id);
	if ((e = db_scalar(s, &hh)))
		return e;
	if (hh > per_worker(ac->d) * have)
		a->fills = "overloaded";
	return WG_OK;
}

static werr fill_grid_after(const actor *ac, const staff_row *st, const assignment *a, int64_t aid)
{
	return a->fills ? fill_record(ac, a->unit_id, a->fills, st->id, "assignment", aid) : WG_OK;
}

static werr assign_insert(const actor *ac, const staff_row *st, const assignment *a, int64_t *id)
{
	if (strcmp(st->state, "active") != 0)
		return w_fail(W_ECONFLICT, "staff_not_active", "staff_id",
		              "%s 尚未批准或已离岗 / %s is not active (pending approval or retired)", st->name, st->name);
	if (st->off)
		return w_fail(W_ECONFLICT, "staff_off_duty", "staff_id",
		              "%s 在四类人员或隔离中，不能上岗 / %s is in one of the four categories or isolated: off duty", st->name,
		              st->name);
	db_stmt *s = db_get(ac->d, SQL_ASSIGN_INSERT);
	db_bind_int(s, 1, st->id);
	db_bind_text(s, 2, a->target);
	db_bind_text(s, 3, a->position);
	db_bind_int(s, 4, a->unit_id);
	if (a->gate_id)
		db_bind_int(s, 5, a->gate_id);
	db_bind_text(s, 6, a->from);
	if (a->to[0])
		db_bind_text(s, 7, a->to);
	db_bind_int(s, 8, now_s());
	if (ac->user_id)
		db_bind_int(s, 9, ac->user_id);
	return db_run(s, id);
}

static werr gate_unit(const actor *ac, int64_t gate_id, const char *field, int64_t *unit_id, const char **path)
{
	db_stmt *s = db_get(ac->d, SQL_GATE_GET);
	db_bind_int(s, 1, gate_id);
	werr e = WG_OK;
	int rc = db_step(s, &e);
	if (rc == DB_ROW) {
		*unit_id = db_int(s, 1);
		*path = arena_strdup(ac->a, db_text(s, 15));
	}
	db_done(s);
	if (rc < 0)
		return e;
	if (rc != DB_ROW || !actor_in_scope(ac, *path))
		return w_fail(W_EINVAL, "gate_not_found", field, "没有这个门 / no such gate");
	return WG_OK;
}

werr staff_assign(const actor *ac, int64_t id, json_t *body, json_t **out)
{
	static const char *const allowed[] = {"target", "unit", "gate_id", "position", "from", "to", "end", NULL};
	werr e;
	staff_row st;
	if ((e = jv_only(body, allowed)) || (e = staff_load(ac, id, "staff_id", &st)))
		return e;
	int64_t end = 0;
	bool has_end;
	if ((e = jv_int(body, "end", false, 1, INT64_MAX, &end, &has_end)))
		return e;
	if (has_end) {
		if ((e = db_begin(ac->d)))
			return e;
		csnap before, after;
		if ((e = cnt_lock(ac, id)) || (e = cnt_snap(ac, id, &before))) {
			db_rollback(ac->d);
			return e;
		}
		db_stmt *s = db_get(ac->d, SQL_ASSIGN_END);
		db_bind_int(s, 1, end);
		db_bind_int(s, 2, id);
		db_bind_int(s, 3, now_s());
		if ((e = db_run(s, NULL))) {
			db_rollback(ac->d);
			return e;
		}
		if (db_changes(ac->d) != 1) {
			db_rollback(ac->d);
			return w_fail(W_ENOTFOUND, "assignment_not_found", "end", "没有这项在岗安排 / no such assignment in force");
		}
		if ((e = cnt_snap(ac, id, &after)) || (e = cnt_apply(ac, &before, &after)) ||
		    (e = audit(ac, "update", "staff_assignment", end, "ended", "ok")) || (e = db_commit(ac->d))) {
			db_rollback(ac->d);
			return e;
		}
		return staff_answer(ac, id, out);
	}
	assignment a = {0};
	const char *code;
	if ((e = jv_str(body, "target", true, 12, &a.target)) || (e = jv_str(body, "unit", false, 64, &code)) ||
	    (e = jv_str(body, "position", false, 20, &a.position)) ||
	    (e = jv_int(body, "gate_id", false, 1, INT64_MAX, &a.gate_id, NULL)) || (e = day_field(body, "from", false, a.from)) ||
	    (e = day_field(body, "to", false, a.to)))
		return e;
	if (!str_in_list(a.target, targets))
		return w_fail(W_EINVAL, "invalid_target", "target", "安排到网格、楼栋或卡口 / target: grid building checkpoint");
	if (!a.position)
		a.position = st.kind;
	if (!str_in_list(a.position, kind_names))
		return w_fail(W_EINVAL, "invalid_position", "position",
		              "岗位应为网格长、网格员、下沉干部、志愿者或楼栋长 / position: grid_leader grid_worker cadre volunteer building_leader");
	if (!a.from[0])
		today_str(a.from);
	if (a.to[0] && strcmp(a.to, a.from) < 0)
		return w_fail(W_EINVAL, "invalid_range", "to", "结束日期早于开始日期 / to is before from");
	if (!strcmp(a.target, "checkpoint")) {
		if (!a.gate_id)
			return w_fail(W_EINVAL, "required", "gate_id", "卡口须指明哪个门 / gate_id is required for a checkpoint");
		if ((e = gate_unit(ac, a.gate_id, "gate_id", &a.unit_id, &a.unit_path)))
			return e;
	} else {
		if (!code)
			return w_fail(W_EINVAL, "required", "unit", "须指明网格或楼栋 / unit is required");
		unit_row u;
		if (unit_find(ac, code, &u))
			return w_fail(W_EINVAL, "unit_not_found", "unit", "没有这个单位 / no such unit: %s", code);
		if (strcmp(u.kind, a.target) != 0)
			return w_fail(W_EINVAL, "wrong_unit_kind", "unit", "%s 不是%s / %s is not a %s", u.name,
			              !strcmp(a.target, "grid") ? "网格" : "楼栋", u.code, a.target);
		a.unit_id = u.id;
		a.unit_path = u.path;
	}
	int64_t aid = 0;
	if ((e = db_begin(ac->d)))
		return e;
	csnap before, after;
	if ((e = cnt_lock(ac, id)) || (e = cnt_snap(ac, id, &before)) || (e = fill_grid_before(ac, &st, &a)) ||
	    (e = assign_insert(ac, &st, &a, &aid)) || (e = cnt_snap(ac, id, &after)) || (e = cnt_apply(ac, &before, &after)) ||
	    (e = fill_grid_after(ac, &st, &a, aid)) ||
	    (e = audit(ac, "create", "staff_assignment", aid, arena_printf(ac->a, "staff:%lld,target,position", (long long)id), "ok")) ||
	    (e = db_commit(ac->d))) {
		db_rollback(ac->d);
		return e;
	}
	return staff_answer(ac, id, out);
}

/* ---- pairs ---- */

werr pair_list(const actor *ac, const char *unit_code, json_t **out)
{
	unit_row u;
	werr e = unit_scope(ac, unit_code, &u);
	if (e)
		return e;
	db_stmt *s = db_get(ac->d, SQL_PAIR_LIST);
	db_bind_text(s, 1, u.path);
	db_bind_text(s, 2, scope_upper(ac->a, u.path));
	json_t *items = json_array();
	int rc;
	while ((rc = db_step(s, &e)) == DB_ROW)
		json_array_append_new(
		    items, json_pack("{s:I,s:{s:I,s:s,s:o,s:s},s:{s:I,s:s,s:s}}", "id", (json_int_t)db_int(s, 0), "cadre", "id",
		                     (json_int_t)db_int(s, 1), "name", db_text(s, 2), "employer", jv_text(db_text(s, 3)), "unit",
		                     db_text(s, 4), "worker", "id", (json_int_t)db_int(s, 5), "name", db_text(s, 6), "unit",
		                     db_text(s, 7)));
	db_done(s);
	if (rc < 0) {
		json_decref(items);
		return e;
	}
	*out = json_pack("{s:s,s:I,s:o}", "unit", u.code, "total", (json_int_t)json_array_size(items), "items", items);
	return WG_OK;
}

/* The other half of a pair st is in, by name (NULL when unpaired). */
static werr paired_with(const actor *ac, int64_t id, const char **partner)
{
	*partner = NULL;
	db_stmt *s = db_get(ac->d, SQL_PAIR_OF);
	db_bind_int(s, 1, id);
	werr e = WG_OK;
	int64_t other = 0;
	int rc = db_step(s, &e);
	if (rc == DB_ROW)
		other = db_int(s, 1) == id ? db_int(s, 2) : db_int(s, 1);
	db_done(s);
	if (rc < 0)
		return e;
	if (other) {
		s = db_get(ac->d, SQL_STAFF_GET);
		db_bind_int(s, 1, other);
		if (db_step(s, &e) == DB_ROW)
			*partner = arena_strdup(ac->a, db_text(s, 3));
		else
			*partner = "?";
		db_done(s);
	}
	return WG_OK;
}

werr pair_create(const actor *ac, json_t *body, json_t **out)
{
	static const char *const allowed[] = {"cadre_id", "worker_id", NULL};
	int64_t cid, wid;
	werr e;
	if ((e = jv_only(body, allowed)) || (e = jv_int(body, "cadre_id", true, 1, INT64_MAX, &cid, NULL)) ||
	    (e = jv_int(body, "worker_id", true, 1, INT64_MAX, &wid, NULL)))
		return e;
	staff_row c, w;
	if ((e = staff_load(ac, cid, "cadre_id", &c)) || (e = staff_load(ac, wid, "worker_id", &w)))
		return e;
	if (strcmp(c.kind, "cadre") != 0)
		return w_fail(W_EINVAL, "not_a_cadre", "cadre_id", "%s 不是下沉干部 / %s is not a cadre", c.name, c.name);
	if (strcmp(w.kind, "grid_worker") != 0)
		return w_fail(W_EINVAL, "not_a_grid_worker", "worker_id", "%s 不是网格员 / %s is not a grid worker", w.name, w.name);
	const char *p;
	if ((e = paired_with(ac, cid, &p)))
		return e;
	if (p)
		return w_fail(W_ECONFLICT, "cadre_already_paired", "cadre_id",
		              "%s 已与 %s 结对，一名干部只对一名网格员 / %s is already paired with %s: one cadre, one grid worker",
		              c.name, p, c.name, p);
	if ((e = paired_with(ac, wid, &p)))
		return e;
	if (p)
		return w_fail(W_ECONFLICT, "worker_already_paired", "worker_id",
		              "%s 已与 %s 结对，一名网格员只对一名干部 / %s is already paired with %s: one grid worker, one cadre",
		              w.name, p, w.name, p);
	if ((e = db_begin(ac->d)))
		return e;
	csnap b1, b2, a1, a2;
	int64_t lo = cid < wid ? cid : wid, hi = cid < wid ? wid : cid;
	if ((e = cnt_lock(ac, lo)) || (e = cnt_lock(ac, hi)) || (e = cnt_snap(ac, cid, &b1)) || (e = cnt_snap(ac, wid, &b2))) {
		db_rollback(ac->d);
		return e;
	}
	db_stmt *s = db_get(ac->d, SQL_PAIR_INSERT);
	db_bind_int(s, 1, cid);
	db_bind_int(s, 2, wid);
	db_bind_int(s, 3, now_s());
	if (ac->user_id)
		db_bind_int(s, 4, ac->user_id);
	int64_t id = 0;
	if ((e = db_run(s, &id))) {
		db_rollback(ac->d);
		return e == W_ECONFLICT ? w_fail(e, "already_paired", "cadre_id", "已有结对 / already paired") : e;
	}
	bool active = !strcmp(c.state, "active") && !strcmp(w.state, "active");
	if ((e = cnt_snap(ac, cid, &a1)) || (e = cnt_snap(ac, wid, &a2)) || (e = cnt_apply(ac, &b1, &a1)) ||
	    (e = cnt_apply(ac, &b2, &a2)) || (active && (e = fill_record(ac, c.unit_id, "unpaired_cadre", wid, "pair", id))) ||
	    (active && (e = fill_record(ac, w.unit_id, "unpaired_worker", cid, "pair", id))) ||
	    (e = audit(ac, "create", "staff_pair", id, "cadre_id,worker_id", "ok")) || (e = db_commit(ac->d))) {
		db_rollback(ac->d);
		return e;
	}
	*out = json_pack("{s:I,s:{s:I,s:s},s:{s:I,s:s}}", "id", (json_int_t)id, "cadre", "id", (json_int_t)cid, "name", c.name,
	                 "worker", "id", (json_int_t)wid, "name", w.name);
	return WG_OK;
}

werr pair_delete(const actor *ac, int64_t id, json_t **out)
{
	db_stmt *s = db_get(ac->d, SQL_PAIR_GET);
	db_bind_int(s, 1, id);
	werr e = WG_OK;
	int rc = db_step(s, &e);
	const char *path = rc == DB_ROW ? arena_strdup(ac->a, db_text(s, 3)) : NULL;
	int64_t cid = rc == DB_ROW ? db_int(s, 1) : 0, wid = rc == DB_ROW ? db_int(s, 2) : 0;
	db_done(s);
	if (rc < 0)
		return e;
	if (!path || !actor_in_scope(ac, path))
		return w_fail(W_ENOTFOUND, "pair_not_found", "pair_id", "没有这个结对 / no such pair");
	if ((e = db_begin(ac->d)))
		return e;
	csnap b1, b2, a1, a2;
	s = db_get(ac->d, SQL_PAIR_DELETE);
	db_bind_int(s, 1, id);
	if ((e = cnt_lock(ac, cid < wid ? cid : wid)) || (e = cnt_lock(ac, cid < wid ? wid : cid)) || (e = cnt_snap(ac, cid, &b1)) ||
	    (e = cnt_snap(ac, wid, &b2)) || (e = db_run(s, NULL)) || (e = cnt_snap(ac, cid, &a1)) || (e = cnt_snap(ac, wid, &a2)) ||
	    (e = cnt_apply(ac, &b1, &a1)) || (e = cnt_apply(ac, &b2, &a2)) ||
	    (e = audit(ac, "delete", "staff_pair", id, NULL, "ok")) || (e = db_commit(ac->d))) {
		db_rollback(ac->d);
		return e;
	}
	*out = json_pack("{s:I,s:b}", "id", (json_int_t)id, "deleted", 1);
	return WG_OK;
}

/* ---- what is in force: assignments of a subtree, grids, locked buildings ---- */

typedef struct {
	int64_t id, staff_id, unit_id, gate_id, staff_unit;
	bool off;
	const char *target, *position, *unit_code, *unit_name, *staff_name, *staff_kind, *why;
} arow;

typedef struct {
	arow *v;
	size_t n;
} alist;

/* A path of one id ("/1/") is a root: its subtree is the whole tree. */
static bool path_root(const char *path)
{
	return path && path[0] == '/' && strchr(path + 1, '/') == path + strlen(path) - 1;
}

/* Assignments with their person from one of ASSIGN_OFF_IN, ASSIGN_TEAMS_IN (subtree $1..$2, day $3). */
static werr assign_rows(const actor *ac, int stmt, const char *path, const char *day, alist *out)
{
	*out = (alist){0};
	size_t cap = 0;
	db_stmt *s = db_get(ac->d, stmt);
	db_bind_text(s, 1, path);
	db_bind_text(s, 2, scope_upper(ac->a, path));
	db_bind_text(s, 3, day);
	werr e = WG_OK;
	int rc;
	while ((rc = db_step(s, &e)) == DB_ROW) {
		if (out->n == cap) {
			cap = cap ? cap * 2 : 256;
			arow *nv = arena_alloc(ac->a, cap * sizeof *nv);
			if (out->n)
				memcpy(nv, out->v, out->n * sizeof *nv);
			out->v = nv;
		}
		arow *r = &out->v[out->n++];
		r->id = db_int(s, 0);
		r->staff_id = db_int(s, 1);
		r->target = arena_strdup(ac->a, db_text(s, 2));
		r->position = arena_strdup(ac->a, db_text(s, 3));
		r->unit_id = db_int(s, 4);
		r->gate_id = db_null(s, 5) ? 0 : db_int(s, 5);
		r->unit_code = arena_strdup(ac->a, db_text(s, 8));
		r->unit_name = arena_strdup(ac->a, db_text(s, 9));
		r->staff_kind = arena_strdup(ac->a, db_text(s, 11));
		r->staff_name = arena_strdup(ac->a, db_text(s, 12));
		r->staff_unit = db_int(s, 13);
		r->off = db_int(s, 14) != 0;
		r->why = db_null(s, 15) ? NULL : arena_strdup(ac->a, db_text(s, 15));
	}
	db_done(s);
	return rc < 0 ? e : WG_OK;
}

typedef struct {
	int64_t id, households, level;
	const char *code, *name, *path, *parent_name;
	int have[TEAM_SLOTS];
	json_t *members;
} building;

static werr locked_buildings(const actor *ac, const char *path, building **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	size_t cap = 0;
	db_stmt *s = db_get(ac->d, SQL_STAFF_LOCKED_BUILDINGS);
	db_bind_text(s, 1, path);
	db_bind_text(s, 2, scope_upper(ac->a, path));
	werr e = WG_OK;
	int rc;
	while ((rc = db_step(s, &e)) == DB_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			building *nv = arena_alloc(ac->a, cap * sizeof *nv);
			if (*n)
				memcpy(nv, *out, *n * sizeof *nv);
			*out = nv;
		}
		building *b = &(*out)[(*n)++];
		*b = (building){.id = db_int(s, 0), .level = db_int(s, 4)};
		b->code = arena_strdup(ac->a, db_text(s, 1));
		b->name = arena_strdup(ac->a, db_text(s, 2));
		b->path = arena_strdup(ac->a, db_text(s, 3));
		b->parent_name = db_null(s, 5) ? NULL : arena_strdup(ac->a, db_text(s, 5));
	}
	db_done(s);
	return rc < 0 ? e : WG_OK;
}

/* Count each locked building's team members (on duty) from the assignments in force. */
static void teams_fill(building *b, size_t nb, const alist *as, bool with_members)
{
	for (size_t i = 0; i < nb; i++) {
		if (with_members)
			b[i].members = json_array();
		for (size_t j = 0; j < as->n; j++) {
			const arow *r = &as->v[j];
			if (r->unit_id != b[i].id || strcmp(r->target, "building") != 0)
				continue;
			for (int k = 0; k < TEAM_SLOTS; k++)
				if (!strcmp(r->position, team_slots[k].position) && !r->off)
					b[i].have[k]++;
			if (with_members)
				json_array_append_new(b[i].members,
				                      json_pack("{s:I,s:I,s:s,s:s,s:s,s:b}", "assignment_id", (json_int_t)r->id, "staff_id",
				                                (json_int_t)r->staff_id, "name", r->staff_name, "kind", r->staff_kind,
				                                "position", r->position, "off_duty", r->off));
		}
	}
}

static json_t *team_missing(const building *b, int *total)
{
	json_t *m = json_object();
	*total = 0;
	for (int k = 0; k < TEAM_SLOTS; k++) {
		int miss = team_slots[k].need - b->have[k];
		if (miss < 0)
			miss = 0;
		*total += miss;
		json_object_set_new(m, team_slots[k].position, json_integer(miss));
	}
	return m;
}

werr team_list(const actor *ac, const char *unit_code, json_t **out)
{
	unit_row u;
	werr e = unit_scope(ac, unit_code, &u);
	if (e)
		return e;
	char today[11];
	today_str(today);
	building *b;
	size_t nb;
	alist as;
	if ((e = locked_buildings(ac, u.path, &b, &nb)) || (e = assign_rows(ac, SQL_ASSIGN_TEAMS_IN, u.path, today, &as)))
		return e;
	teams_fill(b, nb, &as, true);
	json_t *items = json_array();
	for (size_t i = 0; i < nb; i++) {
		int miss;
		json_t *m = team_missing(&b[i], &miss);
		json_array_append_new(items, json_pack("{s:s,s:s,s:o,s:s,s:o,s:o,s:b,s:i}", "building", b[i].code, "name", b[i].name,
		                                       "grid", jv_text(b[i].parent_name), "level", lockdown_name(b[i].level),
		                                       "members", b[i].members, "missing", m, "complete", miss == 0, "size", 5));
	}
	*out = json_pack("{s:s,s:o}", "unit", u.code, "items", items);
	return WG_OK;
}

werr team_add(const actor *ac, json_t *body, json_t **out)
{
	static const char *const allowed[] = {"building", "staff_id", "position", NULL};
	const char *code, *position;
	int64_t sid;
	werr e;
	if ((e = jv_only(body, allowed)) || (e = jv_str(body, "building", true, 64, &code)) ||
	    (e = jv_int(body, "staff_id", true, 1, INT64_MAX, &sid, NULL)) || (e = jv_str(body, "position", false, 20, &position)))
		return e;
	unit_row u;
	if (unit_find(ac, code, &u) || strcmp(u.kind, "building") != 0)
		return w_fail(W_EINVAL, "building_not_found", "building", "没有这栋楼 / no such building: %s", code);
	staff_row st;
	if ((e = staff_load(ac, sid, "staff_id", &st)))
		return e;
	if (!position)
		position = st.kind;
	int slot = -1;
	for (int k = 0; k < TEAM_SLOTS; k++)
		if (!strcmp(position, team_slots[k].position))
			slot = k;
	if (slot < 0)
		return w_fail(W_EINVAL, "invalid_position", "position",
		              "楼栋小组由网格员、下沉干部和志愿者组成 / a building team has a grid worker, a cadre and volunteers");
	assignment a = {.target = "building", .position = position, .unit_id = u.id, .unit_path = u.path};
	today_str(a.from);
	if ((e = db_begin(ac->d)))
		return e;
	db_stmt *s = db_get(ac->d, SQL_ASSIGN_SLOT_COUNT);
	db_bind_int(s, 1, u.id);
	db_bind_text(s, 2, position);
	db_bind_text(s, 3, a.from);
	db_bind_int(s, 4, sid);
	int64_t have = 0, aid = 0;
	if ((e = db_scalar(s, &have))) {
		db_rollback(ac->d);
		return e;
	}
	if (have >= team_slots[slot].need) {
		db_rollback(ac->d);
		return w_fail(W_ECONFLICT, "team_slot_full", "position", "%s 的小组已有%lld名%s / the team of %s already has its %s",
		              u.name, (long long)have, kind_zh(position), u.code, position);
	}
	int64_t locked = 0;
	s = db_get(ac->d, SQL_LOCK_GET);
	db_bind_int(s, 1, u.id);
	if (db_step(s, &e) == DB_ROW)
		locked = db_int(s, 0) >= 2;
	db_done(s);
	if ((e = assign_insert(ac, &st, &a, &aid)) || (locked && (e = fill_record(ac, u.id, "team_incomplete", sid, "team", aid))) ||
	    (e = audit(ac, "create", "staff_assignment", aid, arena_printf(ac->a, "team:%s,staff:%lld", u.code, (long long)sid), "ok")) ||
	    (e = db_commit(ac->d))) {
		db_rollback(ac->d);
		return e;
	}
	return team_list(ac, code, out);
}

/* ---- vacancies ---- */

/* why a staff member is off duty (STAFF_OFF_WHY) */
static const struct {
	const char *key, *zh, *en;
} off_reasons[] = {
    {"category", "工作人员在四类人员中，已离岗", "staff member in one of the four categories: off duty"},
    {"isolation", "工作人员在隔离中，已离岗", "staff member isolated: off duty"},
    {"fever", "工作人员自报发热，已离岗", "staff member reported a fever: off duty"},
    {"missed_report", "工作人员未按时上报体温，已离岗", "staff member missed the daily temperature report: off duty"},
};

static int off_why(const char *why)
{
	for (int i = 0; i < (int)(sizeof off_reasons / sizeof off_reasons[0]); i++)
		if (why && !strcmp(why, off_reasons[i].key))
			return i;
	return 0;
}

typedef struct {
	int64_t id, households;
	const char *code, *name, *path;
	int64_t leaders, workers; /* posts in force held by staff on duty */
	bool leaf, led;
} grid;

/* open addressing: unit id → grid index */
typedef struct {
	int64_t *key;
	int32_t *val;
	size_t mask;
} idmap;

static void idmap_init(arena *a, idmap *m, size_t n)
{
	size_t cap = 16;
	while (cap < n * 2)
		cap *= 2;
	m->key = arena_alloc(a, cap * sizeof *m->key);
	m->val = arena_alloc(a, cap * sizeof *m->val);
	memset(m->key, 0, cap * sizeof *m->key);
	m->mask = cap - 1;
}

static void idmap_put(idmap *m, int64_t k, int32_t v)
{
	size_t i = (size_t)((uint64_t)k * 0x9E3779B97F4A7C15ull >> 17) & m->mask;
	while (m->key[i] && m->key[i] != k)
		i = (i + 1) & m->mask;
	m->key[i] = k;
	m->val[i] = v;
}

static int32_t idmap_get(const idmap *m, int64_t k)
{
	size_t i = (size_t)((uint64_t)k * 0x9E3779B97F4A7C15ull >> 17) & m->mask;
	while (m->key[i]) {
		if (m->key[i] == k)
			return m->val[i];
		i = (i + 1) & m->mask;
	}
	return -1;
}

static werr grids_in(const actor *ac, const char *path, grid **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	size_t cap = 0;
	db_stmt *s = db_get(ac->d, SQL_STAFF_GRIDS_IN);
	db_bind_text(s, 1, path);
	db_bind_text(s, 2, scope_upper(ac->a, path));
	werr e = WG_OK;
	int rc;
	while ((rc = db_step(s, &e)) == DB_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			grid *nv = arena_alloc(ac->a, cap * sizeof *nv);
			if (*n)
				memcpy(nv, *out, *n * sizeof *nv);
			*out = nv;
		}
		grid *g = &(*out)[(*n)++];
		*g = (grid){.id = db_int(s, 0), .households = db_int(s, 4), .leaders = db_int(s, 5), .workers = db_int(s, 6)};
		g->code = arena_strdup(ac->a, db_text(s, 1));
		g->name = arena_strdup(ac->a, db_text(s, 2));
		g->path = arena_strdup(ac->a, db_text(s, 3));
	}
	db_done(s);
	return rc < 0 ? e : WG_OK;
}

typedef struct {
	json_t *items, *counts;
	int64_t limit, total;
	const char *only;
} vacancies;

static void vac_add(vacancies *v, const char *kind, json_t *item)
{
	json_t *c = json_object_get(v->counts, kind);
	json_object_set_new(v->counts, kind, json_integer((c ? json_integer_value(c) : 0) + 1));
	v->total++;
	if ((v->only && strcmp(v->only, kind) != 0) || (int64_t)json_array_size(v->items) >= v->limit) {
		json_decref(item);
		return;
	}
	json_object_set_new(item, "kind", json_string(kind));
	json_array_append_new(v->items, item);
}

static const char *const vacancy_kinds[] = {"no_leader",       "no_worker",   "overloaded",     "unpaired_cadre", "unpaired_worker",
                                            "team_incomplete", "off_duty",    "uncovered_shift", NULL};

/* the shifts of the subtree and the people rostered on each (shift, day) in the next 48 h */
static werr shifts_vacancies(const actor *ac, const char *path, vacancies *v)
{
	char today[11], d0[11], d3[11];
	today_str(today);
	day_add(today, -1, d0);
	day_add(today, 2, d3);
	typedef struct {
		int64_t shift;
		char day[11];
		int64_t n;
	} cover;
	cover *cv = NULL;
	size_t nc = 0, cap = 0;
	db_stmt *s = db_get(ac->d, SQL_ROSTER_COVER);
	db_bind_text(s, 1, path);
	db_bind_text(s, 2, scope_upper(ac->a, path));
	db_bind_text(s, 3, d0);
	db_bind_text(s, 4, d3);
	werr e = WG_OK;
	int rc;
	while ((rc = db_step(s, &e)) == DB_ROW) {
		if (nc == cap) {
			cap = cap ? cap * 2 : 64;
			cover *nv = arena_alloc(ac->a, cap * sizeof *nv);
			if (nc)
				memcpy(nv, cv, nc * sizeof *nv);
			cv = nv;
		}
		cv[nc].shift = db_int(s, 0);
		snprintf(cv[nc].day, sizeof cv[nc].day, "%s", db_text(s, 1));
		cv[nc].n = db_int(s, 2);
		nc++;
	}
	db_done(s);
	if (rc < 0)
		return e;
	int64_t now = now_s(), until = now + 48 * 3600;
	s = db_get(ac->d, SQL_SHIFT_LIST);
	db_bind_text(s, 1, path);
	db_bind_text(s, 2, scope_upper(ac->a, path));
	while ((rc = db_step(s, &e)) == DB_ROW) {
		int64_t id = db_int(s, 0), starts = db_int(s, 5), need = db_int(s, 7);
		for (int k = -1; k <= 2; k++) {
			char day[11];
			day_add(today, k, day);
			int64_t at = day_at(day, (int)(starts / 60), (int)(starts % 60));
			if (at < now || at >= until)
				continue;
			int64_t have = 0;
			for (size_t i = 0; i < nc; i++)
				if (cv[i].shift == id && !strcmp(cv[i].day, day))
					have = cv[i].n;
			if (have >= need)
				continue;
			char at_s[32];
			fmt_time(at, at_s);
			vac_add(v, "uncovered_shift",
			        json_pack("{s:I,s:s,s:s,s:s,s:s,s:o,s:I,s:I,s:s,s:s,s:s}", "shift_id", (json_int_t)id, "shift", db_text(s, 4),
			                  "unit", db_text(s, 8), "unit_name", db_text(s, 9), "day", day, "gate", jv_text(db_text(s, 11)),
			                  "need", (json_int_t)need, "have", (json_int_t)have, "starts_at", at_s, "zh",
			                  "48小时内的班次缺人", "en", "a shift in the next 48 hours is not covered"));
		}
	}
	db_done(s);
	return rc < 0 ? e : WG_OK;
}

werr vacancy_list(const actor *ac, const char *unit_code, const char *kind, int64_t limit, json_t **out)
{
	if (kind && *kind && !str_in_list(kind, vacancy_kinds))
		return w_fail(W_EINVAL, "invalid_kind", "kind",
		              "kind: no_leader no_worker overloaded unpaired_cadre unpaired_worker team_incomplete off_duty uncovered_shift");
	unit_row u;
	werr e = unit_scope(ac, unit_code, &u);
	if (e)
		return e;
	char today[11];
	today_str(today);
	int64_t threshold = per_worker(ac->d);
	const char *upper = scope_upper(ac->a, u.path);
	grid *g;
	size_t ng;
	alist as;
	building *b;
	size_t nb;
	/* the grids with their posts from the counters; the few posts the counters hold that do
	 * not count today (not in force, or held by someone off duty) are taken off */
	if ((e = grids_in(ac, u.path, &g, &ng)) || (e = assign_rows(ac, SQL_ASSIGN_OFF_IN, u.path, today, &as)) ||
	    (e = locked_buildings(ac, u.path, &b, &nb)))
		return e;
	idmap m;
	idmap_init(ac->a, &m, ng);
	for (size_t i = 0; i < ng; i++)
		idmap_put(&m, g[i].id, (int32_t)i);
	db_stmt *s = db_get(ac->d, SQL_ASSIGN_IDLE_IN);
	db_bind_text(s, 1, u.path);
	db_bind_text(s, 2, upper);
	db_bind_text(s, 3, today);
	int rc;
	while ((rc = db_step(s, &e)) == DB_ROW) {
		int32_t gi = idmap_get(&m, db_int(s, 0));
		if (gi >= 0)
			*(!strcmp(db_text(s, 1), "grid_leader") ? &g[gi].leaders : &g[gi].workers) -= 1;
	}
	db_done(s);
	if (rc < 0)
		return e;
	vacancies v = {.items = json_array(), .counts = json_object(), .limit = limit, .only = kind && *kind ? kind : NULL};
	for (const char *const *k = vacancy_kinds; *k; k++)
		json_object_set_new(v.counts, *k, json_integer(0));
	/* staff off duty: each of their posts a vacancy, and they cover nothing */
	for (size_t j = 0; j < as.n; j++) {
		const arow *r = &as.v[j];
		int32_t gi = strcmp(r->target, "grid") == 0 ? idmap_get(&m, r->unit_id) : -1;
		int w = off_why(r->why);
		vac_add(&v, "off_duty",
		        json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:s,s:s,s:s}", "staff_id", (json_int_t)r->staff_id, "staff_name",
		                  r->staff_name, "staff_kind", r->staff_kind, "position", r->position, "target", r->target, "unit",
		                  r->unit_code, "unit_name", r->unit_name, "households", (json_int_t)(gi >= 0 ? g[gi].households : 0),
		                  "reason", off_reasons[w].key, "zh", off_reasons[w].zh, "en", off_reasons[w].en));
		if (gi >= 0 && !strcmp(r->position, "grid_leader"))
			g[gi].leaders--;
		else if (gi >= 0 && !strcmp(r->position, "grid_worker"))
			g[gi].workers--;
	}
	/* grids in path order: a leader of a grid leads the grids nested in it; workers are
	 * counted on the innermost grids, which hold the households */
	size_t *stack = arena_alloc(ac->a, (ng + 1) * sizeof *stack);
	size_t sp = 0;
	for (size_t i = 0; i < ng; i++) {
		while (sp && strncmp(g[i].path, g[stack[sp - 1]].path, strlen(g[stack[sp - 1]].path)) != 0)
			sp--;
		g[i].led = g[i].leaders > 0 || (sp && g[stack[sp - 1]].led);
		g[i].leaf = !(i + 1 < ng && !strncmp(g[i + 1].path, g[i].path, strlen(g[i].path)));
		stack[sp++] = i;
	}
	for (size_t i = 0; i < ng; i++) {
		if (!g[i].led)
			vac_add(&v, "no_leader",
			        json_pack("{s:s,s:s,s:I,s:s,s:s}", "unit", g[i].code, "unit_name", g[i].name, "households",
			                  (json_int_t)g[i].households, "zh", "网格没有网格长", "en", "the grid has no grid leader"));
		if (!g[i].leaf)
			continue;
		if (!g[i].workers)
			vac_add(&v, "no_worker",
			        json_pack("{s:s,s:s,s:I,s:s,s:s}", "unit", g[i].code, "unit_name", g[i].name, "households",
			                  (json_int_t)g[i].households, "zh", "网格没有在岗网格员", "en", "the grid has no grid worker on duty"));
		else if (g[i].households > threshold * g[i].workers)
			vac_add(&v, "overloaded",
			        json_pack("{s:s,s:s,s:I,s:i,s:I,s:I,s:s,s:s}", "unit", g[i].code, "unit_name", g[i].name, "households",
			                  (json_int_t)g[i].households, "workers", g[i].workers, "per_worker",
			                  (json_int_t)(g[i].households / g[i].workers), "threshold", (json_int_t)threshold, "zh",
			                  "每名网格员负责的户数超过上限", "en", "households per grid worker above the threshold"));
	}
	/* staff by kind, pending and paired from the counters: the unpaired counted from them,
	 * and listed (up to the room left) only when there are some */
	json_t *by_kind = json_object();
	int64_t pending = 0, pairs = 0, unpaired[2] = {0, 0};
	if (path_root(u.path)) {
		s = db_get(ac->d, SQL_STAFF_COUNT_SUM_ALL);
	} else {
		s = db_get(ac->d, SQL_STAFF_COUNT_SUM_IN);
		db_bind_text(s, 1, u.path);
		db_bind_text(s, 2, upper);
	}
	if ((rc = db_step(s, &e)) == DB_ROW) {
		for (int k = 0; k < 5; k++)
			json_object_set_new(by_kind, kind_names[k], json_integer(db_int(s, k)));
		pending = db_int(s, 5);
		unpaired[0] = db_int(s, 2) - db_int(s, 6);
		unpaired[1] = db_int(s, 1) - db_int(s, 7);
		pairs = db_int(s, 8);
	}
	db_done(s);
	if (rc < 0) {
		json_decref(by_kind);
		goto fail;
	}
	for (int w = 0; w < 2; w++) {
		const char *vk = w ? "unpaired_worker" : "unpaired_cadre";
		json_object_set_new(v.counts, vk, json_integer(unpaired[w]));
		v.total += unpaired[w];
	}
	int64_t room = v.limit - (int64_t)json_array_size(v.items);
	if (unpaired[0] + unpaired[1] > 0 && room > 0 && (!v.only || !strncmp(v.only, "unpaired_", 9))) {
		s = db_get(ac->d, SQL_STAFF_UNPAIRED);
		db_bind_text(s, 1, u.path);
		db_bind_text(s, 2, upper);
		db_bind_int(s, 3, room);
		while ((rc = db_step(s, &e)) == DB_ROW) {
			bool cadre = !strcmp(db_text(s, 1), "cadre");
			const char *vk = cadre ? "unpaired_cadre" : "unpaired_worker";
			if (v.only && strcmp(v.only, vk) != 0)
				continue;
			json_t *it = json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "staff_id", (json_int_t)db_int(s, 0), "staff_name",
			                       db_text(s, 2), "staff_kind", db_text(s, 1), "unit", db_text(s, 3), "unit_name",
			                       db_text(s, 4), "zh", cadre ? "下沉干部未与网格员结对" : "网格员未与下沉干部结对", "en",
			                       cadre ? "cadre not paired with a grid worker" : "grid worker not paired with a cadre", "kind",
			                       vk);
			json_array_append_new(v.items, it);
		}
		db_done(s);
		if (rc < 0) {
			json_decref(by_kind);
			goto fail;
		}
	}
	/* locked-down buildings without their five */
	if ((e = assign_rows(ac, SQL_ASSIGN_TEAMS_IN, u.path, today, &as))) {
		json_decref(by_kind);
		goto fail;
	}
	teams_fill(b, nb, &as, false);
	for (size_t i = 0; i < nb; i++) {
		int miss;
		json_t *mj = team_missing(&b[i], &miss);
		if (!miss) {
			json_decref(mj);
			continue;
		}
		vac_add(&v, "team_incomplete",
		        json_pack("{s:s,s:s,s:o,s:o,s:i,s:s,s:s}", "unit", b[i].code, "unit_name", b[i].name, "grid",
		                  jv_text(b[i].parent_name), "missing", mj, "missing_total", miss, "zh", "封控楼栋的五人小组不全",
		                  "en", "the locked-down building's five-person team is incomplete"));
	}
	if ((e = shifts_vacancies(ac, u.path, &v))) {
		json_decref(by_kind);
		goto fail;
	}
	*out = json_pack("{s:s,s:s,s:s,s:I,s:I,s:o,s:o,s:b,s:{s:o,s:I,s:I,s:I}}", "unit", u.code, "unit_name", u.name, "day", today,
	                 "threshold", (json_int_t)threshold, "total", (json_int_t)v.total, "counts", v.counts, "items", v.items,
	                 "truncated", (int64_t)json_array_size(v.items) < (v.only ? json_integer_value(json_object_get(v.counts, v.only)) : v.total),
	                 "staff", "by_kind", by_kind, "pending", (json_int_t)pending, "pairs", (json_int_t)pairs, "grids", (json_int_t)ng);
	return WG_OK;
fail:
	json_decref(v.items);
	json_decref(v.counts);
	return e;
}

/* ---- workload ---- */

/* open help requests or tasks per account (help.c, response.c hand them over) */
typedef struct {
	arena *a;
	int64_t *user, *n;
	size_t len, cap;
} per_user;

static void per_user_add(void *arg, int64_t user_id, int64_t n)
{
	per_user *p = arg;
	if (p->len == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 32;
		int64_t *nu = arena_alloc(p->a, cap * sizeof *nu), *nn_ = arena_alloc(p->a, cap * sizeof *nn_);
		if (p->len) {
			memcpy(nu, p->user, p->len * sizeof *nu);
			memcpy(nn_, p->n, p->len * sizeof *nn_);
		}
		p->user = nu;
		p->n = nn_;
		p->cap = cap;
	}
	p->user[p->len] = user_id;
	p->n[p->len++] = n;
}

static int64_t per_user_get(const per_user *p, int64_t user_id)
{
	for (size_t i = 0; user_id && i < p->len; i++)
		if (p->user[i] == user_id)
			return p->n[i];
	return 0;
}

static void week_bounds(const char *today, int64_t *from, int64_t *to)
{
	int64_t noon = day_at(today, 12, 0) + 8 * 3600; /* China noon as a UTC clock reading */
	int wday = (int)((noon / 86400 + 4) % 7);      /* 1970-01-01 was a Thursday */
	int back = (wday + 6) % 7;                     /* days since Monday */
	char mon[11];
	day_add(today, -back, mon);
	*from = day_at(mon, 0, 0);
	*to = *from + 7 * 86400;
}

werr workload_list(const actor *ac, const char *unit_code, json_t **out)
{
	unit_row u;
	werr e = unit_scope(ac, unit_code, &u);
	if (e)
		return e;
	char today[11];
	today_str(today);
	int64_t wfrom, wto, now = now_s(), threshold = per_worker(ac->d);
	week_bounds(today, &wfrom, &wto);
	db_stmt *s = db_get(ac->d, SQL_STAFF_LIST);
	db_bind_text(s, 1, u.path);
	db_bind_text(s, 2, scope_upper(ac->a, u.path));
	db_bind_text(s, 3, "");
	db_bind_text(s, 4, "active");
	db_bind_int(s, 5, 1000);
	db_bind_int(s, 6, 0);
	staff_row *rows = NULL;
	size_t n = 0, cap = 0;
	int rc;
	while ((rc = db_step(s, &e)) == DB_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			staff_row *nr = arena_alloc(ac->a, cap * sizeof *nr);
			if (n)
				memcpy(nr, rows, n * sizeof *nr);
			rows = nr;
		}
		staff_from(ac->a, s, &rows[n++]);
	}
	db_done(s);
	if (rc < 0)
		return e;
	per_user help = {.a = ac->a}, tasks = {.a = ac->a};
	if ((e = help_open_per_worker(ac, u.path, per_user_add, &help)) || (e = task_open_per_owner(ac, u.path, per_user_add, &tasks)))
		return e;
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++) {
		int64_t hh = 0, fu = 0, planned = 0, worked = 0;
		s = db_get(ac->d, SQL_WORK_HOUSEHOLDS);
		db_bind_int(s, 1, rows[i].id);
		db_bind_text(s, 2, today);
		if ((e = db_scalar(s, &hh)))
			goto fail;
		s = db_get(ac->d, SQL_WORK_FOLLOWUPS);
		db_bind_int(s, 1, rows[i].id);
		db_bind_text(s, 2, today);
		db_bind_int(s, 3, now);
		if ((e = db_scalar(s, &fu)))
			goto fail;
		s = db_get(ac->d, SQL_WORK_HOURS);
		db_bind_int(s, 1, rows[i].id);
		db_bind_int(s, 2, wfrom);
		db_bind_int(s, 3, wto);
		if (db_step(s, &e) == DB_ROW) {
			planned = db_int(s, 0);
			worked = db_int(s, 1);
		}
		db_done(s);
		bool over = !strcmp(rows[i].kind, "grid_worker") && hh > threshold;
		json_array_append_new(items, json_pack("{s:I,s:s,s:s,s:s,s:s,s:I,s:I,s:f,s:f,s:b,s:b}", "staff_id",
		                                       (json_int_t)rows[i].id, "name", rows[i].name, "kind", rows[i].kind, "kind_zh",
		                                       kind_zh(rows[i].kind), "unit", rows[i].unit_code, "households", (json_int_t)hh,
		                                       "open_followups", (json_int_t)fu, "hours_planned", (double)planned / 3600.0,
		                                       "hours_on_duty", (double)worked / 3600.0, "overloaded", over, "off_duty",
		                                       rows[i].off));
		json_t *it = json_array_get(items, json_array_size(items) - 1);
		json_object_set_new(it, "open_requests", json_integer(per_user_get(&help, rows[i].user_id)));
		json_object_set_new(it, "open_tasks", json_integer(per_user_get(&tasks, rows[i].user_id)));
	}
	char wf[32];
	fmt_time(wfrom, wf);
	*out = json_pack("{s:s,s:s,s:I,s:o}", "unit", u.code, "week_from", wf, "threshold", (json_int_t)threshold, "items", items);
	return WG_OK;
fail:
	json_decref(items);
	return e;
}

/* ---- shifts and rosters ---- */

typedef struct {
	int64_t id, unit_id, gate_id, starts, ends, need;
	const char *kind, *name, *unit_code, *unit_name, *path, *gate_name;
} shift_row;

static void shift_from(arena *a, db_stmt *s, shift_row *r)
{
	r->id = db_int(s, 0);
	r->unit_id = db_int(s, 1);
	r->gate_id = db_null(s, 2) ? 0 : db_int(s, 2);
	r->kind = arena_strdup(a, db_text(s, 3));
	r->name = arena_strdup(a, db_text(s, 4));
	r->starts = db_int(s, 5);
	r->ends = db_int(s, 6);
	r->need = db_int(s, 7);
	r->unit_code = arena_strdup(a, db_text(s, 8));
	r->unit_name = arena_strdup(a, db_text(s, 9));
	r->path = arena_strdup(a, db_text(s, 10));
	r->gate_name = db_null(s, 11) ? NULL : arena_strdup(a, db_text(s, 11));
}

/* minutes a shift lasts (one ending at or before its start ends the next morning) */
static int64_t shift_minutes(const shift_row *r)
{
	return r->ends > r->starts ? r->ends - r->starts : r->ends + 1440 - r->starts;
}

/* A night shift has time between 22:00 and 06:00. */
static bool shift_night(const shift_row *r)
{
	int64_t a = r->starts, b = r->starts + shift_minutes(r);
	return a < 360 || b > 1320;
}

static json_t *shift_json(arena *a, const shift_row *r)
{
	return json_pack("{s:I,s:s,s:s,s:s,s:s,s:o,s:o,s:s,s:s,s:I,s:b,s:f}", "id", (json_int_t)r->id, "kind", r->kind, "name",
	                 r->name, "unit", r->unit_code, "unit_name", r->unit_name, "gate_id",
	                 r->gate_id ? json_integer(r->gate_id) : json_null(), "gate", jv_text(r->gate_name), "start",
	                 hhmm(a, r->starts), "end", hhmm(a, r->ends), "need", (json_int_t)r->need, "night", shift_night(r),
	                 "hours", (double)shift_minutes(r) / 60.0);
}

static werr shift_load(const actor *ac, int64_t id, const char *field, shift_row *r)
{
	*r = (shift_row){0};
	db_stmt *s = db_get(ac->d, SQL_SHIFT_GET);
	db_bind_int(s, 1, id);
	werr e = WG_OK;
	int rc = db_step(s, &e);
	if (rc == DB_ROW)
		shift_from(ac->a, s, r);
	db_done(s);
	if (rc < 0)
		return e;
	if (rc != DB_ROW || !actor_in_scope(ac, r->path))
		return w_fail(W_EINVAL, "shift_not_found", field, "没有这个班次 / no such shift");
	return WG_OK;
}

werr shift_list(const actor *ac, const char *unit_code, json_t **out)
{
	unit_row u;
	werr e = unit_scope(ac, unit_code, &u);
	if (e)
		return e;
	db_stmt *s = db_get(ac->d, SQL_SHIFT_LIST);
	db_bind_text(s, 1, u.path);
	db_bind_text(s, 2, scope_upper(ac->a, u.path));
	json_t *items = json_array();
	int rc;
	while ((rc = db_step(s, &e)) == DB_ROW) {
		shift_row r;
		shift_from(ac->a, s, &r);
		json_array_append_new(items, shift_json(ac->a, &r));
	}
	db_done(s);
	if (rc < 0) {
		json_decref(items);
		return e;
	}
	*out = json_pack("{s:s,s:o}", "unit", u.code, "items", items);
	return WG_OK;
}

werr shift_create(const actor *ac, json_t *body, json_t **out)
{
	static const char *const allowed[] = {"unit", "gate_id", "kind", "name", "start", "end", "need", NULL};
	const char *code, *start, *end;
	shift_row r = {.need = 1};
	werr e;
	if ((e = jv_only(body, allowed)) || (e = jv_str(body, "kind", true, 12, &r.kind)) ||
	    (e = jv_str(body, "name", true, 40, &r.name)) || (e = jv_str(body, "unit", false, 64, &code)) ||
	    (e = jv_str(body, "start", true, 5, &start)) || (e = jv_str(body, "end", true, 5, &end)) ||
	    (e = jv_int(body, "gate_id", false, 1, INT64_MAX, &r.gate_id, NULL)) ||
	    (e = jv_int(body, "need", false, 1, 50, &r.need, NULL)))
		return e;
	if (!str_in_list(r.kind, shift_kinds))
		return w_fail(W_EINVAL, "invalid_kind", "kind", "班次类别为卡口或巡逻 / kind: checkpoint patrol");
	if (!hhmm_parse(start, &r.starts))
		return w_fail(W_EINVAL, "invalid_time", "start", "开始时间应为 08:00 这样 / start must look like 08:00");
	if (!hhmm_parse(end, &r.ends))
		return w_fail(W_EINVAL, "invalid_time", "end", "结束时间应为 11:00 这样 / end must look like 11:00");
	if (r.starts == r.ends)
		return w_fail(W_EINVAL, "invalid_time", "end", "结束时间与开始时间相同 / end equals start");
	const char *path;
	if (!strcmp(r.kind, "checkpoint")) {
		if (!r.gate_id)
			return w_fail(W_EINVAL, "required", "gate_id", "卡口班次须指明哪个门 / gate_id is required for a checkpoint shift");
		if ((e = gate_unit(ac, r.gate_id, "gate_id", &r.unit_id, &path)))
			return e;
	} else {
		if (!code)
			return w_fail(W_EINVAL, "required", "unit", "巡逻班次须指明单位 / unit is required for a patrol");
		unit_row u;
		if (unit_find(ac, code, &u))
			return w_fail(W_EINVAL, "unit_not_found", "unit", "没有这个单位 / no such unit: %s", code);
		r.unit_id = u.id;
		r.gate_id = 0;
	}
	if ((e = db_begin(ac->d)))
		return e;
	db_stmt *s = db_get(ac->d, SQL_SHIFT_INSERT);
	db_bind_int(s, 1, r.unit_id);
	if (r.gate_id)
		db_bind_int(s, 2, r.gate_id);
	db_bind_text(s, 3, r.kind);
	db_bind_text(s, 4, r.name);
	db_bind_int(s, 5, r.starts);
	db_bind_int(s, 6, r.ends);
	db_bind_int(s, 7, r.need);
	db_bind_int(s, 8, now_s());
	int64_t id = 0;
	if ((e = db_run(s, &id)) || (e = audit(ac, "create", "shift", id, "unit,kind,name,start,end,need", "ok")) ||
	    (e = db_commit(ac->d))) {
		db_rollback(ac->d);
		return e;
	}
	shift_row got;
	if ((e = shift_load(ac, id, "shift_id", &got)))
		return e;
	*out = shift_json(ac->a, &got);
	return WG_OK;
}

static json_t *roster_json(const actor *ac, db_stmt *s)
{
	char a[32], b[32], ci[32], co[32];
	fmt_time(db_int(s, 4), a);
	fmt_time(db_int(s, 5), b);
	if (!db_null(s, 7))
		fmt_time(db_int(s, 7), ci);
	if (!db_null(s, 8))
		fmt_time(db_int(s, 8), co);
	(void)ac;
	return json_pack("{s:I,s:I,s:I,s:s,s:s,s:s,s:b,s:o,s:o,s:s,s:s,s:s,s:s,s:s,s:b,s:o}", "id", (json_int_t)db_int(s, 0),
	                 "shift_id", (json_int_t)db_int(s, 1), "staff_id", (json_int_t)db_int(s, 2), "day", db_text(s, 3),
	                 "starts_at", a, "ends_at", b, "night", db_int(s, 6) != 0, "checked_in_at",
	                 db_null(s, 7) ? json_null() : json_string(ci), "checked_out_at",
	                 db_null(s, 8) ? json_null() : json_string(co), "shift", db_text(s, 9), "shift_kind", db_text(s, 10),
	                 "staff_name", db_text(s, 11), "staff_kind", db_text(s, 12), "unit", db_text(s, 13), "off_duty",
	                 db_int(s, 16) != 0, "gate", jv_text(db_text(s, 17)));
}

werr roster_list(const actor *ac, const char *unit_code, const char *from, const char *to, json_t **out)
{
	char f[11], t[11];
	werr e;
	int y, m, d;
	if (from && (strlen(from) != 10 || !parse_date(from, &y, &m, &d)))
		return w_fail(W_EINVAL, "invalid_day", "from", "from：日期格式应为 YYYY-MM-DD / from must be YYYY-MM-DD");
	if (to && (strlen(to) != 10 || !parse_date(to, &y, &m, &d)))
		return w_fail(W_EINVAL, "invalid_day", "to", "to：日期格式应为 YYYY-MM-DD / to must be YYYY-MM-DD");
	if (from)
		snprintf(f, sizeof f, "%s", from);
	else
		today_str(f);
	if (to)
		snprintf(t, sizeof t, "%s", to);
	else
		day_add(f, 6, t);
	if (day_at(t, 0, 0) - day_at(f, 0, 0) > 62 * 86400)
		return w_fail(W_EINVAL, "range_too_long", "to", "最多查两个月 / at most two months at a time");
	if (strcmp(t, f) < 0)
		return w_fail(W_EINVAL, "invalid_range", "to", "结束日期早于开始日期 / to is before from");
	unit_row u;
	if ((e = unit_scope(ac, unit_code, &u)))
		return e;
	db_stmt *s = db_get(ac->d, SQL_ROSTER_LIST);
	db_bind_text(s, 1, u.path);
	db_bind_text(s, 2, scope_upper(ac->a, u.path));
	db_bind_text(s, 3, f);
	db_bind_text(s, 4, t);
	json_t *items = json_array();
	int rc;
	while ((rc = db_step(s, &e)) == DB_ROW)
		json_array_append_new(items, roster_json(ac, s));
	db_done(s);
	if (rc < 0) {
		json_decref(items);
		return e;
	}
	*out = json_pack("{s:s,s:s,s:s,s:o}", "unit", u.code, "from", f, "to", t, "items", items);
	return WG_OK;
}

/* Refuse an entry [a, b) (night or not) for the person that overlaps another or leaves
 * less than the rest after a night shift or before one: whichever of the two is the night
 * shift and whichever comes first (a day shift ending at 20:00 then a night from 20:00 is
 * 24 hours on end). */
static werr roster_check(const actor *ac, const staff_row *st, int64_t a, int64_t b, bool night, int64_t exclude,
                         const char *day)
{
	int64_t rest = rest_hours(ac->d) * 3600;
	db_stmt *s = db_get(ac->d, SQL_ROSTER_NEAR);
	db_bind_int(s, 1, st->id);
	db_bind_int(s, 2, a - rest - 86400);
	db_bind_int(s, 3, b + rest + 86400);
	db_bind_int(s, 4, exclude);
	werr e = WG_OK;
	int rc;
	const char *clash = NULL, *clash_day = NULL;
	bool overlap = false;
	while ((rc = db_step(s, &e)) == DB_ROW) {
		int64_t oa = db_int(s, 1), ob = db_int(s, 2);
		bool on = db_int(s, 3) != 0;
		bool ov = oa < b && a < ob;
		bool short_rest = (on || night) && ((ob <= a && a - ob < rest) || (b <= oa && oa - b < rest));
		if (ov || short_rest) {
			clash = arena_strdup(ac->a, db_text(s, 4));
			clash_day = arena_strdup(ac->a, db_text(s, 5));
			overlap = ov;
			break;
		}
	}
	db_done(s);
	if (rc < 0)
		return e;
	if (clash && overlap)
		return w_fail(W_ECONFLICT, "roster_conflict", "staff_id",
		              "%s 在 %s 已排「%s」，同一时间不能在两处 / %s is already on \"%s\" at that time on %s: one person, one place",
		              st->name, clash_day, clash, st->name, clash, day);
	if (clash)
		return w_fail(W_ECONFLICT, "short_rest", "staff_id",
		              "%s 与 %s 的「%s」之间休息不足%lld小时（夜班前后） / %s would rest under %lld hours between this shift and "
		              "\"%s\" (%s): a night shift needs that rest before and after",
		              st->name, clash_day, clash, (long long)(rest / 3600), st->name, (long long)(rest / 3600), clash, day);
	return WG_OK;
}

werr roster_create(const actor *ac, json_t *body, json_t **out)
{
	static const char *const allowed[] = {"shift_id", "staff_id", "day", "week", NULL};
	int64_t shid, sid;
	char day[11], week[11];
	werr e;
	if ((e = jv_only(body, allowed)) || (e = jv_int(body, "shift_id", true, 1, INT64_MAX, &shid, NULL)) ||
	    (e = jv_int(body, "staff_id", true, 1, INT64_MAX, &sid, NULL)) || (e = day_field(body, "day", false, day)) ||
	    (e = day_field(body, "week", false, week)))
		return e;
	if (!day[0] == !week[0])
		return w_fail(W_EINVAL, "required", "day", "须给出 day（一天）或 week（从该日起七天）之一 / give day (one day) or week (seven days from it)");
	shift_row sh;
	staff_row st;
	if ((e = shift_load(ac, shid, "shift_id", &sh)) || (e = staff_load(ac, sid, "staff_id", &st)))
		return e;
	if (strcmp(st.state, "active") != 0)
		return w_fail(W_ECONFLICT, "staff_not_active", "staff_id", "%s 尚未批准或已离岗 / %s is not active", st.name, st.name);
	if (st.off)
		return w_fail(W_ECONFLICT, "staff_off_duty", "staff_id",
		              "%s 在四类人员或隔离中，不能排班 / %s is in one of the four categories or isolated: off duty", st.name,
		              st.name);
	int ndays = week[0] ? 7 : 1;
	const char *first = week[0] ? week : day;
	bool night = shift_night(&sh);
	int64_t mins = shift_minutes(&sh);
	json_t *items = json_array();
	if ((e = db_begin(ac->d))) {
		json_decref(items);
		return e;
	}
	for (int k = 0; k < ndays; k++) {
		char d[11];
		day_add(first, k, d);
		int64_t a = day_at(d, (int)(sh.starts / 60), (int)(sh.starts % 60)), b = a + mins * 60;
		int64_t id = 0, have = 0, now = now_s();
		bool soon = a >= now && a < now + 48 * 3600; /* a shift the vacancies watch */
		if ((e = roster_check(ac, &st, a, b, night, 0, d)))
			goto fail;
		if (soon) {
			db_stmt *q = db_get(ac->d, SQL_ROSTER_DAY_HAVE);
			db_bind_int(q, 1, shid);
			db_bind_text(q, 2, d);
			if ((e = db_scalar(q, &have)))
				goto fail;
		}
		db_stmt *s = db_get(ac->d, SQL_ROSTER_INSERT);
		db_bind_int(s, 1, shid);
		db_bind_int(s, 2, sid);
		db_bind_text(s, 3, d);
		db_bind_int(s, 4, a);
		db_bind_int(s, 5, b);
		db_bind_int(s, 6, night);
		db_bind_int(s, 7, now_s());
		if (ac->user_id)
			db_bind_int(s, 8, ac->user_id);
		if ((e = db_run(s, &id)) || (soon && have < sh.need && (e = fill_record(ac, sh.unit_id, "uncovered_shift", sid, "roster", id))) ||
		    (e = audit(ac, "create", "roster", id, "shift_id,staff_id,day", "ok")))
			goto fail;
		s = db_get(ac->d, SQL_ROSTER_GET);
		db_bind_int(s, 1, id);
		if (db_step(s, &e) == DB_ROW)
			json_array_append_new(items, roster_json(ac, s));
		db_done(s);
	}
	if ((e = db_commit(ac->d)))
		goto fail;
	*out = json_pack("{s:o}", "items", items);
	return WG_OK;
fail:
	db_rollback(ac->d);
	json_decref(items);
	return e;
}

typedef struct {
	int64_t id, staff_id, starts_at, ends_at, user_id, in_at, out_at;
	bool night, off;
	const char *path, *day;
} roster_row;

static werr roster_load_as(const actor *ac, int64_t id, roster_row *r, bool own_ok)
{
	*r = (roster_row){0};
	db_stmt *s = db_get(ac->d, SQL_ROSTER_GET);
	db_bind_int(s, 1, id);
	werr e = WG_OK;
	int rc = db_step(s, &e);
	if (rc == DB_ROW) {
		r->id = id;
		r->staff_id = db_int(s, 2);
		r->day = arena_strdup(ac->a, db_text(s, 3));
		r->starts_at = db_int(s, 4);
		r->ends_at = db_int(s, 5);
		r->night = db_int(s, 6) != 0;
		r->in_at = db_null(s, 7) ? 0 : db_int(s, 7);
		r->out_at = db_null(s, 8) ? 0 : db_int(s, 8);
		r->path = arena_strdup(ac->a, db_text(s, 14));
		r->user_id = db_null(s, 15) ? 0 : db_int(s, 15);
		r->off = db_int(s, 16) != 0;
	}
	db_done(s);
	if (rc < 0)
		return e;
	/* the person on the roster reaches their own entry wherever its shift is */
	bool own = own_ok && rc == DB_ROW && r->user_id && r->user_id == ac->user_id;
	if (rc != DB_ROW || (!own && !actor_in_scope(ac, r->path)))
		return w_fail(W_ENOTFOUND, "roster_not_found", "roster_id", "没有这个排班 / no such roster entry");
	return WG_OK;
}

static werr roster_load(const actor *ac, int64_t id, roster_row *r)
{
	return roster_load_as(ac, id, r, false);
}

static werr roster_answer(const actor *ac, int64_t id, json_t **out)
{
	db_stmt *s = db_get(ac->d, SQL_ROSTER_GET);
	db_bind_int(s, 1, id);
	werr e = WG_OK;
	int rc = db_step(s, &e);
	if (rc == DB_ROW)
		*out = roster_json(ac, s);
	db_done(s);
	return rc == DB_ROW ? WG_OK : rc < 0 ? e : w_fail(W_ENOTFOUND, "roster_not_found", "roster_id", "no such roster entry");
}

werr roster_swap(const actor *ac, int64_t id, json_t *body, json_t **out)
{
	static const char *const allowed[] = {"staff_id", NULL};
	int64_t sid;
	werr e;
	roster_row r;
	staff_row st;
	if ((e = jv_only(body, allowed)) || (e = jv_int(body, "staff_id", true, 1, INT64_MAX, &sid, NULL)) ||
	    (e = roster_load(ac, id, &r)) || (e = staff_load(ac, sid, "staff_id", &st)))
		return e;
	if (strcmp(st.state, "active") != 0 || st.off)
		return w_fail(W_ECONFLICT, st.off ? "staff_off_duty" : "staff_not_active", "staff_id",
		              "%s 不能上岗 / %s is not on duty", st.name, st.name);
	if ((e = db_begin(ac->d)))
		return e;
	db_stmt *s = db_get(ac->d, SQL_ROSTER_SET_STAFF);
	db_bind_int(s, 1, id);
	db_bind_int(s, 2, sid);
	if ((e = roster_check(ac, &st, r.starts_at, r.ends_at, r.night, id, r.day)) || (e = db_run(s, NULL)) ||
	    (e = audit(ac, "update", "roster", id, arena_printf(ac->a, "swap:%lld>%lld", (long long)r.staff_id, (long long)sid), "ok")) ||
	    (e = db_commit(ac->d))) {
		db_rollback(ac->d);
		return e;
	}
	return roster_answer(ac, id, out);
}

werr roster_duty(const actor *ac, int64_t id, json_t *body, json_t **out)
{
	static const char *const allowed[] = {"action", NULL};
	const char *action;
	werr e;
	roster_row r;
	if ((e = jv_only(body, allowed)) || (e = jv_str(body, "action", true, 4, &action)))
		return e;
	bool in = !strcmp(action, "in");
	if (!in && strcmp(action, "out") != 0)
		return w_fail(W_EINVAL, "invalid_action", "action", "action: in（签到） out（签退）");
	if ((e = roster_load_as(ac, id, &r, true)))
		return e;
	/* the person on the roster checks in from the phone; a leader may record it for them */
	bool manager = ac->role == ROLE_OPERATOR || ac->role == ROLE_ADMIN || ac->role == ROLE_COMMAND || ac->role == ROLE_COMMUNITY ||
	               ac->role == ROLE_GRID_LEADER;
	if (!manager && (!r.user_id || r.user_id != ac->user_id))
		return w_fail(W_EFORBIDDEN, "not_your_shift", "roster_id", "这不是你的班 / this is not your shift");
	int64_t now = now_s();
	if (in && r.off)
		return w_fail(W_ECONFLICT, "staff_off_duty", "action", "在四类人员或隔离中，不能上岗 / off duty (category or isolation)");
	if (in && now < r.starts_at - 3600)
		return w_fail(W_ECONFLICT, "too_early", "action", "班前一小时内才能签到 / check in within the hour before the shift");
	if (in && r.in_at)
		return w_fail(W_ECONFLICT, "already_checked_in", "action", "已签到 / already checked in");
	if (!in && (!r.in_at || r.out_at))
		return w_fail(W_ECONFLICT, r.out_at ? "already_checked_out" : "not_checked_in", "action",
		              "未签到或已签退 / not checked in, or already checked out");
	if ((e = db_begin(ac->d)))
		return e;
	db_stmt *s = db_get(ac->d, in ? SQL_ROSTER_CHECK_IN : SQL_ROSTER_CHECK_OUT);
	db_bind_int(s, 1, id);
	db_bind_int(s, 2, now);
	if ((e = db_run(s, NULL)) || (e = audit(ac, "update", "roster", id, in ? "duty:in" : "duty:out", "ok")) ||
	    (e = db_commit(ac->d))) {
		db_rollback(ac->d);
		return e;
	}
	return roster_answer(ac, id, out);
}

/* ---- staff's own daily report (the duty check-in) ----
 * Grid workers, cadres and volunteers report their own temperature once a day, from their
 * phone (POST /staff/me/health) or recorded for them by a leader.  A fever (the one rule,
 * reading_fever) takes them off duty at once (staff.off_reason = fever): their posts and
 * shifts show as vacancies on the next read, and the community is told on its live feed.
 * Past the day's deadline (setting staff.report_hour, Beijing time, default 11) the ticker
 * takes everyone who must report and has not off duty (missed_report).  A normal report
 * puts them back — for a fever, only on a later day (the day's fever stays). */

static int64_t report_hour(db *d)
{
	return setting_int(d, "staff.report_hour", 11, 0, 23);
}

static bool must_report(const staff_row *r)
{
	return r->state && r->kind && !strcmp(r->state, "active") &&
	       (!strcmp(r->kind, "grid_worker") || !strcmp(r->kind, "cadre") || !strcmp(r->kind, "volunteer"));
}

/* today's report of a person: JSON null when none */
static werr report_today(const actor *ac, int64_t id, const char *today, json_t **out)
{
	*out = json_null();
	db_stmt *s = db_get(ac->d, SQL_STAFF_REPORT_GET);
	db_bind_int(s, 1, id);
	db_bind_text(s, 2, today);
	werr e = WG_OK;
	int rc = db_step(s, &e);
	if (rc == DB_ROW) {
		char at[32];
		fmt_time(db_int(s, 3), at);
		*out = json_pack("{s:o,s:o,s:b,s:s}", "temperature", db_null(s, 0) ? json_null() : json_real(db_double(s, 0)),
		                 "symptoms", symptoms_json((unsigned)db_int(s, 1)), "fever", db_int(s, 2) != 0, "at", at);
	}
	db_done(s);
	return rc < 0 ? e : WG_OK;
}

/* The caller's own staff record (the first active one linked to the account). */
static werr staff_mine(const actor *ac, staff_row *r)
{
	*r = (staff_row){0};
	db_stmt *s = db_get(ac->d, SQL_STAFF_OF_USER);
	db_bind_int(s, 1, ac->user_id);
	werr e = WG_OK;
	int rc = db_step(s, &e);
	if (rc == DB_ROW)
		staff_from(ac->a, s, r);
	db_done(s);
	if (rc < 0)
		return e;
	if (rc != DB_ROW)
		return w_fail(W_ENOTFOUND, "staff_not_found", NULL, "这个账号没有工作人员档案 / this account has no staff record");
	return WG_OK;
}

werr staff_me(const actor *ac, json_t **out)
{
	staff_row r;
	werr e = staff_mine(ac, &r);
	if (e)
		return e;
	char today[11];
	today_str(today);
	json_t *rep;
	if ((e = report_today(ac, r.id, today, &rep)))
		return e;
	*out = staff_json(ac, &r, true);
	json_object_set_new(*out, "report_today", rep);
	json_object_set_new(*out, "must_report", json_boolean(must_report(&r)));
	json_object_set_new(*out, "report_by", json_string(hhmm(ac->a, report_hour(ac->d) * 60)));
	json_object_set_new(*out, "day", json_string(today));
	return WG_OK;
}

/* The posts a person holds today, with the households of each grid (what going off duty frees). */
static werr posts_freed(const actor *ac, int64_t id, json_t **out, int64_t *households)
{
	char today[11];
	today_str(today);
	*out = json_array();
	*households = 0;
	db_stmt *s = db_get(ac->d, SQL_ASSIGN_OF_STAFF);
	db_bind_int(s, 1, id);
	db_bind_text(s, 2, today);
	werr e = WG_OK;
	int rc;
	typedef struct {
		int64_t unit;
		bool grid;
	} post;
	post *p = NULL;
	size_t n = 0, cap = 0;
	while ((rc = db_step(s, &e)) == DB_ROW) {
		if (strcmp(db_text(s, 6), today) > 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			post *np = arena_alloc(ac->a, cap * sizeof *np);
			if (n)
				memcpy(np, p, n * sizeof *np);
			p = np;
		}
		p[n++] = (post){db_int(s, 4), !strcmp(db_text(s, 2), "grid")};
		json_array_append_new(*out, assign_json(s));
	}
	db_done(s);
	if (rc < 0)
		return e;
	for (size_t i = 0; i < n; i++) {
		int64_t hh = 0;
		if (!p[i].grid)
			continue;
		s = db_get(ac->d, SQL_STAFF_UNIT_HOUSEHOLDS);
		db_bind_int(s, 1, p[i].unit);
		if ((e = db_scalar(s, &hh)))
			return e;
		json_object_set_new(json_array_get(*out, i), "households", json_integer(hh));
		*households += hh;
	}
	return WG_OK;
}

/* Tell the community (its live feed) that a person went off duty, with what it frees. */
static void tell_off(const actor *ac, const staff_row *r, const char *reason, json_t *posts, int64_t households)
{
	int w = off_why(reason);
	bus_publish_json(r->path, "staff_off",
	                 json_pack("{s:I,s:s,s:s,s:s,s:s,s:O,s:I,s:s,s:s}", "staff_id", (json_int_t)r->id, "name", r->name, "kind",
	                           r->kind, "unit", r->unit_code, "reason", reason, "posts", posts, "households",
	                           (json_int_t)households, "zh", off_reasons[w].zh, "en", off_reasons[w].en));
	(void)ac;
}

werr staff_health(const actor *ac, int64_t id, json_t *body, json_t **out)
{
	static const char *const allowed[] = {"temperature", "symptoms", "day", NULL};
	werr e;
	staff_row r;
	char day[11], today[11], yesterday[11];
	today_str(today);
	day_add(today, -1, yesterday);
	if ((e = jv_only(body, allowed)) || (e = day_field(body, "day", false, day)))
		return e;
	/* a report is for today, or late for yesterday (kept, changes nothing of today's duty) */
	bool late = day[0] && !strcmp(day, yesterday);
	if (day[0] && !late && strcmp(day, today) != 0)
		return w_fail(W_EINVAL, "invalid_day", "day", "只能报今天或昨天的体温 / a report is for today or yesterday");
	if (id) {
		if ((e = staff_load(ac, id, "staff_id", &r)))
			return e;
	} else if ((e = staff_mine(ac, &r))) {
		return e;
	}
	json_t *t = json_object_get(body, "temperature");
	if (!t || !json_is_number(t))
		return w_fail(W_EINVAL, t ? "wrong_type" : "required", "temperature", "请填写体温（°C） / temperature (°C) is required");
	double v = json_number_value(t);
	if (!(v >= 34.0 && v <= 43.0))
		return w_fail(W_EINVAL, "out_of_range", "temperature",
		              "体温应在 34.0–43.0 °C 之间 / temperature must be between 34.0 and 43.0 °C");
	v = (double)(int64_t)(v * 10.0 + 0.5) / 10.0;
	unsigned symptoms = 0;
	if ((e = symptoms_from_json(json_object_get(body, "symptoms"), &symptoms)))
		return e;
	if (!must_report(&r))
		return w_fail(W_EINVAL, "no_report_needed", "staff_id",
		              "只有在岗的网格员、下沉干部和志愿者每日上报体温 / only active grid workers, cadres and volunteers report daily");
	int64_t now = now_s();
	bool fever = reading_fever(true, v, symptoms), day_fever = fever;
	if ((e = db_begin(ac->d)))
		return e;
	db_stmt *s = db_get(ac->d, SQL_STAFF_REPORT_UPSERT);
	db_bind_int(s, 1, r.id);
	db_bind_text(s, 2, late ? yesterday : today);
	db_bind_double(s, 3, v);
	db_bind_int(s, 4, symptoms);
	db_bind_int(s, 5, fever);
	db_bind_int(s, 6, now);
	if (ac->user_id)
		db_bind_int(s, 7, ac->user_id);
	int rc = db_step(s, &e);
	if (rc == DB_ROW)
		day_fever = db_int(s, 0) != 0;
	db_done(s);
	if (rc < 0) {
		db_rollback(ac->d);
		return e;
	}
	/* the person's own off-duty reason: set by a fever, lifted by a normal report (a fever's
	 * only on a later day) */
	const char *was = r.off_reason, *now_why = was;
	if (late)
		; /* yesterday's report: today's duty is today's report's */
	else if (day_fever)
		now_why = "fever";
	else if (was && !strcmp(was, "missed_report"))
		now_why = NULL;
	else if (was && !strcmp(was, "fever")) {
		db_stmt *q = db_get(ac->d, SQL_STAFF_OFF_SINCE);
		db_bind_int(q, 1, r.id);
		int64_t since = 0;
		if ((e = db_scalar(q, &since))) {
			db_rollback(ac->d);
			return e;
		}
		char sd[32];
		fmt_time(since, sd);
		if (strncmp(sd, today, 10) < 0)
			now_why = NULL;
	}
	bool changed = (was == NULL) != (now_why == NULL) || (was && now_why && strcmp(was, now_why) != 0);
	if (changed) {
		s = db_get(ac->d, SQL_STAFF_SET_OFF);
		db_bind_int(s, 1, r.id);
		db_bind_text(s, 2, now_why);
		if (now_why)
			db_bind_int(s, 3, now);
		if ((e = db_run(s, NULL))) {
			db_rollback(ac->d);
			return e;
		}
	}
	if ((e = audit(ac, "create", "staff_report", r.id, day_fever ? "temperature,symptoms,fever" : "temperature,symptoms", "ok")) ||
	    (e = db_commit(ac->d))) {
		db_rollback(ac->d);
		return e;
	}
	json_t *posts;
	int64_t households;
	if ((e = posts_freed(ac, r.id, &posts, &households)))
		return e;
	if (changed && now_why)
		tell_off(ac, &r, now_why, posts, households);
	*out = json_pack("{s:I,s:s,s:s,s:f,s:b,s:b,s:o,s:o,s:I}", "staff_id", (json_int_t)r.id, "name", r.name, "day", late ? yesterday : today,
	                 "temperature", v, "fever", day_fever, "off_duty", now_why != NULL || (r.off && !r.off_reason), "off_reason",
	                 jv_text(now_why), "posts", posts, "households_freed", (json_int_t)(now_why ? households : 0));
	return WG_OK;
}

/* The ticker: past today's deadline, once per (day, deadline) in this process, everyone who
 * must report and has not goes off duty, and each community hears of its people. */
void staff_tick(db *d, arena *a, int64_t now)
{
	static char done[24];
	char today[11];
	today_str(today);
	int64_t hour = report_hour(d);
	if (now < day_at(today, (int)hour, 0))
		return;
	char key[24];
	snprintf(key, sizeof key, "%s/%02d", today, (int)hour);
	if (!strcmp(key, done))
		return;
	werr e;
	if ((e = db_begin(d)))
		goto out;
	db_stmt *s = db_get(d, SQL_STAFF_SWEEP_MISSED);
	db_bind_text(s, 1, today);
	db_bind_int(s, 2, now);
	if ((e = db_run(s, NULL))) {
		db_rollback(d);
		goto out;
	}
	int64_t n = db_changes(d);
	if ((e = db_commit(d))) {
		db_rollback(d);
		goto out;
	}
	snprintf(done, sizeof done, "%s", key);
	if (!n)
		return;
	s = db_get(d, SQL_STAFF_SWEPT);
	db_bind_int(s, 1, now);
	int w = off_why("missed_report");
	while (db_step(s, &e) == DB_ROW)
		bus_publish_json(db_text(s, 3), "staff_off",
		                 json_pack("{s:I,s:s,s:s,s:s,s:s,s:s}", "staff_id", (json_int_t)db_int(s, 0), "name", db_text(s, 1), "kind",
		                           db_text(s, 2), "reason", "missed_report", "zh", off_reasons[w].zh, "en", off_reasons[w].en));
	db_done(s);
	(void)a;
	return;
out:
	w_clear(); /* the next tick tries again */
}

werr staff_unreported(const actor *ac, const char *unit_code, int64_t limit, json_t **out)
{
	unit_row u;
	werr e = unit_scope(ac, unit_code, &u);
	if (e)
		return e;
	char today[11];
	today_str(today);
	const char *upper = scope_upper(ac->a, u.path);
	db_stmt *s = db_get(ac->d, SQL_STAFF_UNREPORTED);
	db_bind_text(s, 1, u.path);
	db_bind_text(s, 2, upper);
	db_bind_text(s, 3, today);
	db_bind_int(s, 4, limit);
	json_t *items = json_array();
	int rc;
	while ((rc = db_step(s, &e)) == DB_ROW) {
		const char *phone = db_null(s, 3) ? NULL : actor_show_phone(ac, db_text(s, 3));
		json_array_append_new(items, json_pack("{s:I,s:s,s:s,s:s,s:o,s:s,s:s,s:o}", "staff_id", (json_int_t)db_int(s, 0), "name",
		                                       db_text(s, 1), "kind", db_text(s, 2), "kind_zh", kind_zh(db_text(s, 2)), "phone",
		                                       jv_text(phone), "unit", db_text(s, 4), "unit_name", db_text(s, 5), "off_reason",
		                                       jv_text(db_text(s, 6))));
	}
	db_done(s);
	int64_t reported = 0, fevers = 0;
	if (rc >= 0) {
		s = db_get(ac->d, SQL_STAFF_REPORTED_COUNT);
		db_bind_text(s, 1, u.path);
		db_bind_text(s, 2, upper);
		db_bind_text(s, 3, today);
		if ((rc = db_step(s, &e)) == DB_ROW) {
			reported = db_int(s, 0);
			fevers = db_int(s, 1);
		}
		db_done(s);
	}
	if (rc < 0 || (e = audit(ac, "list", "staff", 0, arena_printf(ac->a, "unreported,unit:%s", u.code), "ok"))) {
		json_decref(items);
		return e;
	}
	*out = json_pack("{s:s,s:s,s:s,s:s,s:I,s:I,s:I,s:o}", "unit", u.code, "unit_name", u.name, "day", today, "report_by",
	                 hhmm(ac->a, report_hour(ac->d) * 60), "reported", (json_int_t)reported, "fevers", (json_int_t)fevers,
	                 "total", (json_int_t)json_array_size(items), "items", items);
	return WG_OK;
}

/* ---- the history of how vacancies were filled ---- */

werr vacancy_history(const actor *ac, const char *unit_code, int64_t limit, json_t **out)
{
	unit_row u;
	werr e = unit_scope(ac, unit_code, &u);
	if (e)
		return e;
	db_stmt *s = db_get(ac->d, SQL_FILL_LIST);
	db_bind_text(s, 1, u.path);
	db_bind_text(s, 2, scope_upper(ac->a, u.path));
	db_bind_int(s, 3, limit);
	json_t *items = json_array();
	int rc;
	while ((rc = db_step(s, &e)) == DB_ROW) {
		char at[32];
		fmt_time(db_int(s, 4), at);
		const char *kind = db_text(s, 9), *source = db_text(s, 10);
		/* where the person came from: a volunteer's sign-up link, the volunteer list, or the staff */
		const char *from = source && !strcmp(source, "signup") ? "signup" : kind && !strcmp(kind, "volunteer") ? "volunteer" : "staff";
		json_array_append_new(items, json_pack("{s:I,s:s,s:s,s:o,s:s,s:s,s:s,s:I,s:s,s:s,s:s,s:s,s:o}", "id", (json_int_t)db_int(s, 0),
		                                       "kind", db_text(s, 1), "via", db_text(s, 2), "ref_id",
		                                       db_null(s, 3) ? json_null() : json_integer(db_int(s, 3)), "at", at, "unit",
		                                       db_text(s, 5), "unit_name", db_text(s, 6), "staff_id", (json_int_t)db_int(s, 7),
		                                       "staff_name", db_text(s, 8), "staff_kind", kind, "staff_kind_zh", kind_zh(kind),
		                                       "from", from, "by", jv_text(db_text(s, 11))));
	}
	db_done(s);
	if (rc < 0) {
		json_decref(items);
		return e;
	}
	*out = json_pack("{s:s,s:s,s:o}", "unit", u.code, "unit_name", u.name, "items", items);
	return WG_OK;
}

/* ---- the daily report's staff counts ---- */

werr staff_report_counts(const actor *ac, const char *unit_code, json_t **out)
{
	json_t *v;
	werr e = vacancy_list(ac, unit_code, NULL, 0, &v);
	if (e)
		return e;
	/* off duty by reason: each person once, from the off-duty posts of the subtree */
	json_t *by = json_object(), *seen = json_object();
	for (size_t i = 0; i < sizeof off_reasons / sizeof off_reasons[0]; i++)
		json_object_set_new(by, off_reasons[i].key, json_integer(0));
	unit_row u;
	if ((e = unit_scope(ac, unit_code, &u)))
		goto fail;
	char today[11];
	today_str(today);
	alist as;
	if ((e = assign_rows(ac, SQL_ASSIGN_OFF_IN, u.path, today, &as)))
		goto fail;
	int64_t off = 0;
	for (size_t j = 0; j < as.n; j++) {
		char k[24];
		snprintf(k, sizeof k, "%lld", (long long)as.v[j].staff_id);
		if (json_object_get(seen, k))
			continue;
		json_object_set_new(seen, k, json_true());
		const char *why = off_reasons[off_why(as.v[j].why)].key;
		json_object_set_new(by, why, json_integer(json_integer_value(json_object_get(by, why)) + 1));
		off++;
	}
	json_t *st = json_object_get(v, "staff"), *bk = json_object_get(st, "by_kind");
	int64_t active = 0;
	const char *key;
	json_t *x;
	json_object_foreach(bk, key, x) active += json_integer_value(x);
	*out = json_pack("{s:I,s:I,s:I,s:o,s:O,s:O,s:I,s:O}", "staff", (json_int_t)active, "on_duty", (json_int_t)(active - off),
	                 "off_duty", (json_int_t)off, "off_by_reason", by, "by_kind", bk, "vacancies", json_object_get(v, "counts"),
	                 "vacancies_total", (json_int_t)json_integer_value(json_object_get(v, "total")), "pairs",
	                 json_object_get(st, "pairs"));
	json_decref(seen);
	json_decref(v);
	return WG_OK;
fail:
	json_decref(by);
	json_decref(seen);
	json_decref(v);
	return e;
}

/* ---- volunteer sign-up ---- */

enum { VG_SLOTS = 128, VG_LIMIT = 20, VG_WINDOW_S = 600 };
static struct {
	char addr[48];
	int64_t since;
	int count;
} vguesses[VG_SLOTS];
static pthread_mutex_t vguess_mu = PTHREAD_MUTEX_INITIALIZER;

static bool vguess_blocked(const char *addr, bool failed)
{
	unsigned h = 2166136261u;
	for (const char *p = addr ? addr : ""; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	unsigned i = h % VG_SLOTS;
	int64_t now = now_s();
	pthread_mutex_lock(&vguess_mu);
	if (strcmp(vguesses[i].addr, addr ? addr : "") != 0 || now - vguesses[i].since > VG_WINDOW_S) {
		snprintf(vguesses[i].addr, sizeof vguesses[i].addr, "%s", addr ? addr : "");
		vguesses[i].since = now;
		vguesses[i].count = 0;
	}
	if (failed)
		vguesses[i].count++;
	bool blocked = vguesses[i].count >= VG_LIMIT;
	pthread_mutex_unlock(&vguess_mu);
	return blocked;
}

werr vlink_issue(const actor *ac, const char *unit_code, const char *base, json_t **out)
{
	unit_row u;
	werr e;
	if ((e = unit_find(ac, unit_code, &u)))
		return e;
	if (strcmp(u.kind, "community") != 0)
		return w_fail(W_EINVAL, "not_a_community", "unit", "志愿者报名链接属于社区 / the sign-up link belongs to a community");
	char token[33], th[65];
	random_hex(token, 16);
	hash_hex(token, th);
	if ((e = db_begin(ac->d)))
		return e;
	db_stmt *s = db_get(ac->d, SQL_VLINK_SET);
	db_bind_int(s, 1, u.id);
	db_bind_text(s, 2, th);
	db_bind_int(s, 3, now_s());
	if (ac->user_id)
		db_bind_int(s, 4, ac->user_id);
	if ((e = db_run(s, NULL)) || (e = audit(ac, "create", "volunteer_link", u.id, "link", "ok")) || (e = db_commit(ac->d))) {
		db_rollback(ac->d);
		return e;
	}
	const char *url = arena_printf(ac->a, "%s/#/join/%s", base ? base : "", token);
	char *svg = qr_svg(url, 240, "志愿者报名 / volunteer sign-up");
	*out = json_pack("{s:s,s:s,s:s,s:s?}", "unit", u.code, "url", url, "token", token, "svg", svg);
	free(svg);
	return WG_OK;
}

werr vlink_signup(db *d, arena *a, const char *source, json_t *body, json_t **out)
{
	static const char *const allowed[] = {"token", "name", "phone", "skills", "availability", NULL};
	const char *token;
	werr e;
	bool blocked = vguess_blocked(source, false);
	if ((e = jv_only(body, allowed)) || (e = jv_str(body, "token", true, 64, &token)))
		return e;
	char th[65];
	hash_hex(token, th);
	db_stmt *s = db_get(d, SQL_VLINK_RESOLVE);
	db_bind_text(s, 1, th);
	int rc = db_step(s, &e);
	int64_t unit_id = rc == DB_ROW ? db_int(s, 0) : 0;
	const char *ucode = rc == DB_ROW ? arena_strdup(a, db_text(s, 1)) : NULL;
	const char *uname = rc == DB_ROW ? arena_strdup(a, db_text(s, 2)) : NULL;
	const char *upath = rc == DB_ROW ? arena_strdup(a, db_text(s, 3)) : NULL;
	db_done(s);
	if (rc < 0)
		return e;
	if (!unit_id) {
		vguess_blocked(source, true);
		if (blocked)
			return w_fail(W_ETOOMANY, "too_many_attempts", NULL, "尝试次数过多，请稍后再试 / too many attempts, try later");
		return w_fail(W_ENOTFOUND, "link_not_found", "token", "报名链接无效或已更换 / this sign-up link is not valid (any more)");
	}
	/* the link's actor reaches only its community */
	actor ac = {.d = d, .a = a, .username = "volunteer-link", .role = ROLE_NONE, .unit_path = upath, .source = source};
	staff_row r = {.kind = "volunteer", .state = "pending", .skills = "", .unit_id = unit_id};
	const char *name;
	if ((e = jv_str(body, "name", true, 40, &name)) || (e = jv_str(body, "phone", true, 20, &r.phone)))
		return e;
	r.name = name;
	/* phone, skills, availability through the same checks as the community's form */
	json_t *sub = json_object();
	json_object_set(sub, "phone", json_object_get(body, "phone"));
	if (json_object_get(body, "skills"))
		json_object_set(sub, "skills", json_object_get(body, "skills"));
	if (json_object_get(body, "availability"))
		json_object_set(sub, "availability", json_object_get(body, "availability"));
	e = staff_fields(&ac, sub, &r, false);
	json_decref(sub);
	if (e)
		return e;
	int64_t id = 0;
	if ((e = db_begin(d)))
		return e;
	csnap none = {0}, after;
	if ((e = staff_insert(&ac, &r, "signup", &id)) || (e = cnt_snap(&ac, id, &after)) || (e = cnt_apply(&ac, &none, &after)) ||
	    (e = audit(&ac, "create", "staff", id, "signup:name,phone,skills", "ok")) || (e = db_commit(d))) {
		db_rollback(d);
		return e;
	}
	*out = json_pack("{s:I,s:s,s:s,s:s,s:s}", "id", (json_int_t)id, "state", "pending", "unit", ucode, "unit_name", uname,
	                 "message", "已收到报名，社区审核后会联系你 / signed up: the community will approve and call you");
	return WG_OK;
}

/* ---- demo ---- */

static const char *const demo_sur[] = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "周", "吴", "徐", "孙", "胡", "朱", "高", "林"};
static const char *const demo_given[] = {"建国", "秀英", "志强", "丽华", "海燕", "国平", "晓东", "春梅", "卫东", "红霞",
                                         "文斌", "桂兰", "子豪", "雨涵", "德明", "静怡", "少华", "玉兰", "俊杰", "敏"};
static const char *const demo_employers[] = {"武汉市税务局", "江岸区教育局", "武汉市城管局", "江岸区财政局", "武汉市统计局", "国网武汉供电公司"};

typedef struct {
	const actor *ac;
	uint64_t r;
	int64_t now;
	char today[11], since[11];
} sgen;

static unsigned snext(sgen *g)
{
	g->r = g->r * 6364136223846793005ull + 1442695040888963407ull;
	return (unsigned)(g->r >> 33);
}

static werr demo_staff(sgen *g, int64_t unit_id, const char *kind, const char *username, const char *skills,
                       int64_t *id)
{
	const actor *ac = g->ac;
	staff_row r = {.unit_id = unit_id, .kind = kind, .state = "active", .skills = skills ? skills : ""};
	r.name = arena_printf(ac->a, "%s%s", demo_sur[snext(g) % 16], demo_given[snext(g) % 20]);
	r.phone = arena_printf(ac->a, "13%09u", snext(g) % 1000000000u);
	r.party = snext(g) % 4 == 0;
	if (!strcmp(kind, "cadre")) {
		r.employer = demo_employers[snext(g) % 6];
		r.sent_from = g->since;
	}
	if (username) {
		db_stmt *s = db_get(ac->d, SQL_STAFF_USER_ID);
		db_bind_text(s, 1, username);
		werr e = db_scalar(s, &r.user_id);
		if (e)
			return e;
		if (r.user_id) { /* the account's own name */
			s = db_get(ac->d, SQL_USER_BRIEF);
			db_bind_int(s, 1, r.user_id);
			if (db_step(s, &e) == DB_ROW)
				r.name = arena_strdup(ac->a, db_text(s, 1));
			db_done(s);
		}
	}
	return staff_insert(ac, &r, "entered", id);
}

static werr demo_assign(sgen *g, int64_t sid, const char *target, const char *position, int64_t unit_id, int64_t gate_id)
{
	db_stmt *s = db_get(g->ac->d, SQL_ASSIGN_INSERT);
	db_bind_int(s, 1, sid);
	db_bind_text(s, 2, target);
	db_bind_text(s, 3, position);
	db_bind_int(s, 4, unit_id);
	if (gate_id)
		db_bind_int(s, 5, gate_id);
	db_bind_text(s, 6, g->since);
	db_bind_int(s, 8, g->now);
	return db_run(s, NULL);
}

static werr demo_pair(sgen *g, int64_t cadre, int64_t worker)
{
	db_stmt *s = db_get(g->ac->d, SQL_PAIR_INSERT);
	db_bind_int(s, 1, cadre);
	db_bind_int(s, 2, worker);
	db_bind_int(s, 3, g->now);
	return db_run(s, NULL);
}

static werr demo_roster(sgen *g, int64_t shift, int64_t sid, const char *day, int64_t starts, int64_t ends)
{
	int64_t a = day_at(day, (int)(starts / 60), (int)(starts % 60));
	int64_t mins = ends > starts ? ends - starts : ends + 1440 - starts;
	db_stmt *s = db_get(g->ac->d, SQL_ROSTER_INSERT);
	db_bind_int(s, 1, shift);
	db_bind_int(s, 2, sid);
	db_bind_text(s, 3, day);
	db_bind_int(s, 4, a);
	db_bind_int(s, 5, a + mins * 60);
	db_bind_int(s, 6, starts < 360 || starts + mins > 1320);
	db_bind_int(s, 7, g->now);
	return db_run(s, NULL);
}

static werr demo_shift(sgen *g, int64_t unit_id, int64_t gate_id, const char *kind, const char *name, int64_t starts,
                       int64_t ends, int64_t *id)
{
	db_stmt *s = db_get(g->ac->d, SQL_SHIFT_INSERT);
	db_bind_int(s, 1, unit_id);
	if (gate_id)
		db_bind_int(s, 2, gate_id);
	db_bind_text(s, 3, kind);
	db_bind_text(s, 4, name);
	db_bind_int(s, 5, starts);
	db_bind_int(s, 6, ends);
	db_bind_int(s, 7, 1);
	db_bind_int(s, 8, g->now);
	return db_run(s, id);
}

/* 青和居's extras: accounts linked, twelve volunteers (前进巷 signed up twelve in a day),
 * building 3 locked down with its team one volunteer short, the gate's three-hour shifts
 * and a night patrol rostered for the next two days. */
static werr demo_qinghe(sgen *g, const char *root_path, const grid *gr, const int64_t *workers, const int64_t *cadres, size_t ng)
{
	const actor *ac = g->ac;
	werr e;
	int64_t community = path_id(root_path, 0); /* the root is the community */
	if (!community)
		return WG_OK;
	unit_row cu;
	if ((e = unit_find_id(ac, community, &cu)))
		return e;
	static const char *const vskills[] = {"medical", "driver", "language", "psychology", "driver,medical", "", "language",
	                                      "", "medical", "driver", "", "psychology"};
	int64_t vol[12];
	for (int i = 0; i < 12; i++) {
		const char *user = i < 2 ? arena_printf(ac->a, "vol%02d", i + 1) : NULL;
		if ((e = demo_staff(g, cu.id, "volunteer", user, vskills[i], &vol[i])))
			return e;
	}
	/* building 3 (in grid 2): locked down, team: grid 2's worker and cadre, two volunteers */
	unit_row b3;
	if (unit_find(ac, arena_printf(ac->a, "%s-B03", cu.code), &b3))
		return WG_OK;
	size_t gi = ng;
	for (size_t i = 0; i < ng; i++)
		if (gr[i].id == b3.parent_id)
			gi = i;
	if (gi == ng)
		return WG_OK;
	db_stmt *s = db_get(ac->d, SQL_LOCK_SET);
	db_bind_int(s, 1, b3.id);
	db_bind_int(s, 2, 2);
	db_bind_int(s, 3, g->now);
	db_bind_text(s, 4, "演示：楼内有确诊病例 / demo: a confirmed case in the building");
	if ((e = db_run(s, NULL)))
		return e;
	s = db_get(ac->d, SQL_LOCK_HISTORY_INSERT);
	db_bind_int(s, 1, b3.id);
	db_bind_int(s, 2, g->now);
	db_bind_int(s, 4, 0);
	db_bind_int(s, 5, 2);
	db_bind_text(s, 6, "演示 / demo");
	if ((e = db_run(s, NULL)) || (e = demo_assign(g, workers[gi], "building", "grid_worker", b3.id, 0)) ||
	    (e = demo_assign(g, cadres[gi], "building", "cadre", b3.id, 0)) ||
	    (e = demo_assign(g, vol[0], "building", "volunteer", b3.id, 0)) ||
	    (e = demo_assign(g, vol[1], "building", "volunteer", b3.id, 0)))
		return e;
	/* the gate 西区5号门: four three-hour shifts in the day, and a night patrol */
	int64_t gate = 0;
	s = db_get(ac->d, SQL_GATE_LIST);
	db_bind_text(s, 1, cu.path);
	db_bind_text(s, 2, scope_upper(ac->a, cu.path));
	while (db_step(s, &e) == DB_ROW)
		if (!gate && !strcmp(db_text(s, 2), "西区5号门"))
			gate = db_int(s, 0);
	db_done(s);
	if (!gate)
		return WG_OK;
	static const int64_t starts[] = {8 * 60, 11 * 60, 14 * 60, 17 * 60};
	int64_t sh[5];
	for (int i = 0; i < 4; i++)
		if ((e = demo_shift(g, cu.id, gate, "checkpoint",
		                    arena_printf(ac->a, "西区5号门 %02d:00–%02d:00", (int)(starts[i] / 60), (int)(starts[i] / 60 + 3)),
		                    starts[i], starts[i] + 180, &sh[i])))
			return e;
	if ((e = demo_shift(g, cu.id, 0, "patrol", "夜间巡逻", 22 * 60, 6 * 60, &sh[4])))
		return e;
	for (int k = -1; k <= 2; k++) {
		char day[11];
		day_add(g->today, k, day);
		for (int i = 0; i < 4; i++)
			if ((e = demo_roster(g, sh[i], vol[2 + i], day, starts[i], starts[i] + 180)))
				return e;
		if ((e = demo_roster(g, sh[4], vol[6], day, 22 * 60, 6 * 60)))
			return e;
	}
	return WG_OK;
}

/* After the demo's inserts: the counters counted from the rows, and today's reports of everyone
 * who must report (normal), so that nobody is off duty for a missed report on the demo's day. */
static werr demo_done(sgen *g)
{
	db_stmt *s = db_get(g->ac->d, SQL_STAFF_DEMO_REPORTS);
	db_bind_text(s, 1, g->today);
	db_bind_int(s, 2, g->now);
	werr e = db_run(s, NULL);
	return e ? e : cnt_rebuild(g->ac->d);
}

werr staff_demo(const actor *ac, const char *root_path, int64_t short_num, int64_t short_den, int qinghe)
{
	sgen g = {.ac = ac, .r = 0x5747414646ull, .now = now_s()};
	today_str(g.today);
	day_add(g.today, -14, g.since);
	grid *gr;
	size_t ng;
	werr e;
	if ((e = grids_in(ac, root_path, &gr, &ng)))
		return e;
	int64_t per = per_worker(ac->d);
	int64_t *first_worker = arena_alloc(ac->a, (ng + 1) * sizeof(int64_t));
	int64_t *first_cadre = arena_alloc(ac->a, (ng + 1) * sizeof(int64_t));
	for (size_t i = 0; i < ng; i++) {
		/* 青和居's grid number from its code (…-G07): the accounts gw07, cadre07 */
		const char *gp = strrchr(gr[i].code, 'G');
		int gno = gp && gp > gr[i].code && gp[-1] == '-' ? atoi(gp + 1) : 0;
		/* Wuhan: 1,573 of 13,001 grids short of staff — here short of a leader, spread evenly */
		bool short_ = short_den && (int64_t)((uint64_t)i * (uint64_t)short_num % (uint64_t)short_den) < short_num;
		if (qinghe > 0) /* 青和居's grid 7 */
			short_ = strlen(gr[i].code) > 4 && !strcmp(gr[i].code + strlen(gr[i].code) - 4, "-G07");
		int64_t sid;
		if (!short_) {
			if ((e = demo_staff(&g, gr[i].id, "grid_leader", qinghe > 0 && gno == 1 ? "leader01" : NULL, NULL, &sid)) ||
			    (e = demo_assign(&g, sid, "grid", "grid_leader", gr[i].id, 0)))
				return e;
		}
		int64_t w = gr[i].households ? (gr[i].households + per - 1) / per : 1;
		for (int64_t k = 0; k < w; k++) {
			int64_t wid, cid;
			const char *wu = qinghe && k == 0 && gno ? arena_printf(ac->a, "gw%02d", gno) : NULL;
			const char *cuser = qinghe && k == 0 && gno && gno <= 10 ? arena_printf(ac->a, "cadre%02d", gno) : NULL;
			if ((e = demo_staff(&g, gr[i].id, "grid_worker", wu, NULL, &wid)) ||
			    (e = demo_assign(&g, wid, "grid", "grid_worker", gr[i].id, 0)) ||
			    (e = demo_staff(&g, gr[i].id, "cadre", cuser, NULL, &cid)) ||
			    (e = demo_assign(&g, cid, "grid", "cadre", gr[i].id, 0)) || (e = demo_pair(&g, cid, wid)))
				return e;
			if (k == 0) {
				first_worker[i] = wid;
				first_cadre[i] = cid;
			}
		}
	}
	if (qinghe == 2 && (e = demo_qinghe(&g, root_path, gr, first_worker, first_cadre, ng)))
		return e;
	return demo_done(&g);
}

/* 前进巷: 17 gates merged into 8 checkpoints run day and night by 43 staff.  Each open
 * checkpoint gets a duty team of five — its account's holder (kkNN) and four more, two of
 * them cadres, twelve of the volunteers signed up through the link in a day — with a day
 * shift (08:00–20:00) and a night shift (20:00–08:00) of two each, rostered from yesterday
 * for a week; three cadres lead the temporary party branches on the community. */
werr staff_demo_qianjinxiang(const actor *ac, const char *community_path)
{
	sgen g = {.ac = ac, .r = 0x514A58ull, .now = now_s()};
	today_str(g.today);
	day_add(g.today, -14, g.since);
	int64_t community = path_id(community_path, 0);
	int64_t gate[8], gunit[8];
	const char *gname[8];
	int ng = 0;
	werr e = WG_OK;
	db_stmt *s = db_get(ac->d, SQL_GATE_LIST);
	db_bind_text(s, 1, community_path);
	db_bind_text(s, 2, scope_upper(ac->a, community_path));
	int rc;
	while ((rc = db_step(s, &e)) == DB_ROW)
		if (ng < 8 && db_text(s, 8) && !strcmp(db_text(s, 8), "open")) {
			gate[ng] = db_int(s, 0);
			gunit[ng] = db_int(s, 1);
			gname[ng++] = arena_strdup(ac->a, db_text(s, 2));
		}
	db_done(s);
	if (rc < 0)
		return e;
	int signed_up = 0;
	for (int k = 0; k < ng; k++) {
		int64_t id[5], day_sh, night_sh;
		for (int m = 0; m < 5; m++) {
			const char *kind = m == 1 || m == 3 ? "cadre" : "volunteer";
			const char *user = m == 0 ? arena_printf(ac->a, "kk%02d", k + 1) : NULL;
			if ((e = demo_staff(&g, community, kind, user, NULL, &id[m])))
				return e;
			if (!strcmp(kind, "volunteer") && m && signed_up < 12) { /* 前进巷 signed up 12 volunteers in a day */
				s = db_get(ac->d, SQL_STAFF_DEMO_SIGNUP);
				db_bind_int(s, 1, id[m]);
				if ((e = db_run(s, NULL)))
					return e;
				signed_up++;
			}
			if ((e = demo_assign(&g, id[m], "checkpoint", kind, gunit[k], gate[k])))
				return e;
		}
		if ((e = demo_shift(&g, gunit[k], gate[k], "checkpoint", arena_printf(ac->a, "%s 白班", gname[k]), 8 * 60, 20 * 60, &day_sh)) ||
		    (e = demo_shift(&g, gunit[k], gate[k], "checkpoint", arena_printf(ac->a, "%s 夜班", gname[k]), 20 * 60, 8 * 60, &night_sh)))
			return e;
		for (int d = -1; d <= 6; d++) {
			char day[11];
			day_add(g.today, d, day);
			if ((e = demo_roster(&g, day_sh, id[0], day, 8 * 60, 20 * 60)) || (e = demo_roster(&g, day_sh, id[1], day, 8 * 60, 20 * 60)) ||
			    (e = demo_roster(&g, night_sh, id[2], day, 20 * 60, 8 * 60)) ||
			    (e = demo_roster(&g, night_sh, id[3], day, 20 * 60, 8 * 60)))
				return e;
		}
	}
	/* the temporary party branches: three cadres, party members, on the community */
	for (int k = 0; k < 3; k++) {
		int64_t id;
		if ((e = demo_staff(&g, community, "cadre", NULL, NULL, &id)))
			return e;
		s = db_get(ac->d, SQL_STAFF_DEMO_PARTY);
		db_bind_int(s, 1, id);
		if ((e = db_run(s, NULL)))
			return e;
	}
	return demo_done(&g);
}
