/* gates.c — closed compounds: gates, the rules of passage, passages, passes; see gates.h.
 *
 * A passage is written like a check-in: validated in the request's thread, then its rules
 * computed and its rows written (the passage, its visitor, its counters, the household's
 * outing, who is outside, an alert, the audit row) inside the server's group-commit
 * transaction, answered after that commit (passage_prepare / _execute / _after). */
#include "domain/gates.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/bus.h"
#include "core/ident.h"
#include "core/jv.h"
#include "core/qr.h"
#include "core/util.h"
#include "domain/alerts.h"
#include "domain/calendar.h"
#include "domain/lockdown.h"
#include "domain/people.h"
#include "domain/readings.h"
#include "domain/settings.h"
#include "domain/tree.h"

/* Units that may have gates: the compound itself, or a community or grid run as one. */
static const char *const gate_unit_kinds[] = {"community", "grid", "compound", NULL};
static const char *const gate_states[] = {"open", "closed", "merged", NULL};
static const char *const visitor_kinds[] = {"visitor", "courier", "supplier", "medical", "utility", NULL};
/* essential staff (medical, supply, utilities): at a closed compound they come in on a
 * named staff pass, not as visitors */
static const char *const essential_kinds[] = {"supplier", "medical", "utility", NULL};
static const char *const purposes[] = {"medical", "work", "supplies", "other", NULL};
/* out of a closed compound only for these */
static const char *const closed_purposes[] = {"medical", "work", "supplies", NULL};
static const char *const health_codes[] = {"green", "yellow", "red", NULL};
static const char *const test_results[] = {"negative", "positive", NULL};

typedef struct {
	int64_t id, unit_id, opens, closes, merged_into, created_at, updated_at;
	bool hours, people, vehicles, goods;
	const char *name, *state, *merged_name, *unit_code, *unit_name, *path;
} gate_row;

typedef struct {
	int64_t quota_outings, quota_days, test_max_hours, outing_minutes;
} rules;

/* ---- small helpers ---- */

/* The minute of the day, China time, of moment t. */
static int minute_of(int64_t t)
{
	return (int)(((t + 8 * 3600) % 86400) / 60);
}

static int minute_now(void)
{
	return minute_of(now_s());
}

/* The day (China time) of moment t. */
static void day_of(int64_t t, char out[11])
{
	char t32[32];
	fmt_time(t, t32);
	memcpy(out, t32, 10);
	out[10] = 0;
}

static const char *hhmm(arena *a, int64_t m)
{
	return arena_printf(a, "%02d:%02d", (int)(m / 60), (int)(m % 60));
}

static bool hours_parse(const char *s, int64_t *opens, int64_t *closes)
{
	int h1, m1, h2, m2, n = 0;
	if (!s || sscanf(s, "%2d:%2d-%2d:%2d%n", &h1, &m1, &h2, &m2, &n) != 4 || s[n] || strlen(s) != 11)
		return false;
	if (h1 < 0 || h1 > 24 || h2 < 0 || h2 > 24 || m1 < 0 || m1 > 59 || m2 < 0 || m2 > 59)
		return false;
	*opens = h1 * 60 + m1;
	*closes = h2 * 60 + m2;
	return *opens <= 1440 && *closes <= 1440 && *opens != *closes;
}

static bool gate_open_at(const gate_row *g, int m)
{
	if (!g->hours)
		return true;
	if (g->opens < g->closes)
		return m >= g->opens && m < g->closes;
	return m >= g->opens || m < g->closes; /* a window past midnight */
}

/* A household's unit path lies in the compound at cpath. */
static bool in_compound(const char *path, const char *cpath)
{
	return path && cpath && strncmp(path, cpath, strlen(cpath)) == 0;
}

/* The neighbouring compounds gate id serves (same unit above, their gates merged into it),
 * at most GATE_SERVED_MAX: their unit ids and paths. */
typedef struct {
	int n;
	int64_t id[GATE_SERVED_MAX];
	const char *path[GATE_SERVED_MAX];
} served_set;

static werr served_load(const actor *ac, int64_t gate_id, served_set *sv)
{
	sv->n = 0;
	db_stmt *s = db_get(ac->d, SQL_GATE_SERVES);
	db_bind_int(s, 1, gate_id);
	werr e = WG_OK;
	int rc;
	while ((rc = db_step(s, &e)) == DB_ROW && sv->n < GATE_SERVED_MAX) {
		sv->id[sv->n] = db_int(s, 0);
		sv->path[sv->n++] = arena_strdup(ac->a, db_text(s, 1));
	}
	db_done(s);
	return rc < 0 ? e : WG_OK;
}

/* The compound a gate serves a resident of: its own, or a neighbouring compound (same
 * unit above) whose gate is merged into it — 前进巷 made 8 checkpoints of 11 compounds'
 * 17 gates.  *unit_id, *upath: that compound; false when the gate serves no compound of
 * the person's. */
static werr serving_compound(const actor *ac, const gate_row *g, const char *ppath, int64_t *unit_id,
                             const char **upath, bool *found)
{
	*found = false;
	if (in_compound(ppath, g->path)) {
		*found = true;
		*unit_id = g->unit_id;
		*upath = g->path;
		return WG_OK;
	}
	served_set sv;
	werr e = served_load(ac, g->id, &sv);
	for (int i = 0; !e && i < sv.n && !*found; i++)
		if (in_compound(ppath, sv.path[i])) {
			*found = true;
			*unit_id = sv.id[i];
			*upath = sv.path[i];
		}
	return e;
}

/* Whether a household's or a resident's unit at path is the guard's at gate g: in the
 * guard's part of the tree, or in a compound the gate serves — a guard bound to 一号院 keeps
 * 一号院北门, which serves 二号院 too once 二号院东门 is merged into it, and scans 二号院's
 * passes and registers its residents there (the gate itself is in the guard's scope:
 * gate_load). */
static werr gate_serves(const actor *ac, const gate_row *g, const char *path, bool *yes)
{
	*yes = actor_in_scope(ac, path);
	if (*yes || !path)
		return WG_OK;
	int64_t unit_id;
	const char *upath;
	return serving_compound(ac, g, path, &unit_id, &upath, yes);
}

/* A compound's rules, the defaults where none were set; a failed read is an error. */
static werr rules_load(db *d, int64_t unit_id, rules *r)
{
	*r = (rules){0, 1, 48, 0};
	db_stmt *s = db_get(d, SQL_RULES_GET);
	db_bind_int(s, 1, unit_id);
	werr e = WG_OK;
	int rc = db_step(s, &e);
	if (rc == DB_ROW)
		*r = (rules){db_int(s, 0), db_int(s, 1), db_int(s, 2), db_int(s, 3)};
	db_done(s);
	return rc < 0 ? e : WG_OK;
}

static json_t *rules_json(const rules *r)
{
	return json_pack("{s:I,s:I,s:I,s:I}", "quota_outings", (json_int_t)r->quota_outings, "quota_days",
	                 (json_int_t)r->quota_days, "test_max_hours", (json_int_t)r->test_max_hours, "outing_minutes",
	                 (json_int_t)r->outing_minutes);
}

static werr day_param(const char *day, char out[11])
{
	if (!day) {
		today_str(out);
		return WG_OK;
	}
	int y, m, dd;
	if (strlen(day) != 10 || !parse_date(day, &y, &m, &dd))
		return w_fail(W_EINVAL, "invalid_day", "day", "日期格式应为 YYYY-MM-DD / day must be YYYY-MM-DD");
	memcpy(out, day, 11);
	return WG_OK;
}

/* ---- gates ---- */

static void gate_from(arena *a, db_stmt *s, gate_row *g)
{
	g->id = db_int(s, 0);
	g->unit_id = db_int(s, 1);
	g->name = arena_strdup(a, db_text(s, 2));
	g->people = db_int(s, 3) != 0;
	g->vehicles = db_int(s, 4) != 0;
	g->goods = db_int(s, 5) != 0;
	g->hours = !db_null(s, 6) && !db_null(s, 7);
	g->opens = db_int(s, 6);
	g->closes = db_int(s, 7);
	g->state = arena_strdup(a, db_text(s, 8));
	g->merged_into = db_null(s, 9) ? 0 : db_int(s, 9);
	g->merged_name = db_null(s, 10) ? NULL : arena_strdup(a, db_text(s, 10));
	g->created_at = db_int(s, 11);
	g->updated_at = db_int(s, 12);
	g->unit_code = arena_strdup(a, db_text(s, 13));
	g->unit_name = arena_strdup(a, db_text(s, 14));
	g->path = arena_strdup(a, db_text(s, 15));
}

static werr gate_load(const actor *ac, int64_t id, const char *field, gate_row *g)
{
	*g = (gate_row){0};
	db_stmt *s = db_get(ac->d, SQL_GATE_GET);
	db_bind_int(s, 1, id);
	werr e = WG_OK;
	int rc = db_step(s, &e);
	if (rc == DB_ROW)
		gate_from(ac->a, s, g);
	db_done(s);
	if (rc < 0)
		return e;
	if (rc != DB_ROW || !actor_in_scope(ac, g->path))
		return w_fail(W_ENOTFOUND, "gate_not_found", field, "没有这个门 / no such gate");
	return WG_OK;
}

static json_t *gate_json(arena *a, const gate_row *g)
{
	json_t *kinds = json_array();
	if (g->people)
		json_array_append_new(kinds, json_string("people"));
	if (g->vehicles)
		json_array_append_new(kinds, json_string("vehicles"));
	if (g->goods)
		json_array_append_new(kinds, json_string("goods"));
	const char *hours = g->hours ? arena_printf(a, "%s-%s", hhmm(a, g->opens), hhmm(a, g->closes)) : NULL;
	return json_pack("{s:I,s:s,s:s,s:s,s:o,s:o,s:s,s:o,s:b}", "id", (json_int_t)g->id, "name", g->name, "unit",
	                 g->unit_code, "unit_name", g->unit_name, "kinds", kinds, "hours", jv_text(hours), "state",
	                 g->state, "merged_into",
	                 g->merged_into ? json_pack("{s:I,s:s}", "id", (json_int_t)g->merged_into, "name", g->merged_name)
	                                : json_null(),
	                 "open_now", !strcmp(g->state, "open") && gate_open_at(g, minute_now()));
}

static json_t *gate_history_json(db *d, int64_t id)
{
	json_t *arr = json_array();
	db_stmt *s = db_get(d, SQL_GATE_HISTORY);
	db_bind_int(s, 1, id);
	werr e;
	while (db_step(s, &e) == DB_ROW) {
		char at[32];
		fmt_time(db_int(s, 0), at);
		json_array_append_new(arr, json_pack("{s:s,s:s,s:o,s:o,s:o,s:o}", "at", at, "state", db_text(s, 1),
		                                     "merged_into", jv_text(db_text(s, 2)), "reason", jv_text(db_text(s, 3)),
		                                     "by", jv_text(db_text(s, 4)), "by_name", jv_text(db_text(s, 5))));
	}
	db_done(s);
	return arr;
}

werr gate_served_paths(const actor *ac, int64_t gate_id, const char ***paths, int *n)
{
	gate_row g;
	served_set sv;
	werr e = gate_load(ac, gate_id, "gate_id", &g);
	*n = 0;
	*paths = arena_alloc(ac->a, GATE_SERVED_MAX * sizeof **paths);
	if (e || (e = served_load(ac, g.id, &sv)))
		return e;
	for (int i = 0; i < sv.n; i++)
		if (!actor_in_scope(ac, sv.path[i]))
			(*paths)[(*n)++] = sv.path[i];
	return WG_OK;
}

werr gate_list(const actor *ac, const char *unit_code, json_t **out)
{
	unit_row u;
	werr e = unit_scope(ac, unit_code, &u);
	if (e)
		return e;
	db_stmt *s = db_get(ac->d, SQL_GATE_LIST);
	db_bind_text(s, 1, u.path);
	db_bind_text(s, 2, scope_upper(ac->a, u.path));
	json_t *items = json_array();
	int rc;
	while ((rc = db_step(s, &e)) == DB_ROW) {
		gate_row g;
		gate_from(ac->a, s, &g);
		json_array_append_new(items, gate_json(ac->a, &g));
	}
	db_done(s);
	if (rc < 0) {
		json_decref(items);
		return e;
	}
	*out = json_pack("{s:s,s:o}", "unit", u.code, "items", items);
	return WG_OK;
}

static werr history_add(const actor *ac, int64_t gate_id, const char *state, int64_t into, const char *reason)
{
	db_stmt *s = db_get(ac->d, SQL_GATE_HISTORY_INSERT);
	db_bind_int(s, 1, gate_id);
	db_bind_int(s, 2, now_s());
	if (ac->user_id)
		db_bind_int(s, 3, ac->user_id);
	db_bind_text(s, 4, state);
	if (into)
		db_bind_int(s, 5, into);
	db_bind_text(s, 6, reason);
	return db_run(s, NULL);
}

static werr gate_answer(const actor *ac, int64_t id, json_t **out)
{
	gate_row g;
	werr e = gate_load(ac, id, "gate_id", &g);
	if (e)
		return e;
	*out = gate_json(ac->a, &g);
	json_object_set_new(*out, "history", gate_history_json(ac->d, id));
	return WG_OK;
}

/* How many gates are merged into gate id. */
static werr merged_from(const actor *ac, int64_t id, int64_t *n)
{
	db_stmt *s = db_get(ac->d, SQL_GATE_MERGED_FROM);
	db_bind_int(s, 1, id);
	return db_scalar(s, n);
}

/* kinds: 1–3 of people vehicles goods, over g's (absent or null: g's stay). */
static werr kinds_field(json_t *body, gate_row *g)
{
	json_t *kinds = json_object_get(body, "kinds");
	if (!kinds || json_is_null(kinds))
		return WG_OK;
	if (!json_is_array(kinds) || json_array_size(kinds) == 0 || json_array_size(kinds) > 3)
		return w_fail(W_EINVAL, "invalid_kinds", "kinds", "kinds: 1–3 of people vehicles goods");
	static const char *const names[] = {"people", "vehicles", "goods"};
	bool *flags[] = {&g->people, &g->vehicles, &g->goods};
	bool on[3] = {false, false, false};
	size_t i;
	json_t *k;
	json_array_foreach(kinds, i, k) {
		const char *v = json_string_value(k);
		int j = 0;
		while (j < 3 && !(v && !strcmp(v, names[j])))
			j++;
		if (j == 3)
			return w_fail(W_EINVAL, "invalid_kinds", "kinds", "kinds: 1–3 of people vehicles goods");
		on[j] = true;
	}
	for (int j = 0; j < 3; j++)
		*flags[j] = on[j];
	return WG_OK;
}

/* The fields of a gate's body over g (create: name required; update: any given, a name not
 * empty; "hours": null or "" makes the gate open all day). */
static werr gate_fields(json_t *body, bool create, gate_row *g)
{
	const char *name, *hours;
	werr e;
	if ((e = jv_str(body, "name", create || json_object_get(body, "name"), 40, &name)) ||
	    (e = kinds_field(body, g)) || (e = jv_str(body, "hours", false, 11, &hours)))
		return e;
	if (name)
		g->name = name;
	if (hours && *hours && !hours_parse(hours, &g->opens, &g->closes))
		return w_fail(W_EINVAL, "invalid_hours", "hours", "开放时间应为 06:00-22:00 这样 / hours must look like 06:00-22:00");
	if (json_object_get(body, "hours"))
		g->hours = hours && *hours;
	return WG_OK;
}

/* Bind a gate's name, kinds and hours at $2…$7 of GATE_INSERT or GATE_UPDATE. */
static void gate_bind(db_stmt *s, const gate_row *g)
{
	db_bind_text(s, 2, g->name);
	db_bind_int(s, 3, g->people);
	db_bind_int(s, 4, g->vehicles);
	db_bind_int(s, 5, g->goods);
	if (g->hours) {
		db_bind_int(s, 6, g->opens);
		db_bind_int(s, 7, g->closes);
	}
}

static werr gate_duplicate(werr e)
{
	return e == W_ECONFLICT ? w_fail(e, "duplicate_gate", "name", "这个小区已有同名的门 / the compound has a gate of this name") : e;
}

werr gate_create(const actor *ac, json_t *body, json_t **out)
{
	static const char *const allowed[] = {"unit", "name", "kinds", "hours", "reason", NULL};
	const char *code, *reason;
	gate_row g = {.people = true};
	werr e;
	if ((e = jv_only(body, allowed)) || (e = jv_str(body, "unit", true, 64, &code)) ||
	    (e = gate_fields(body, true, &g)) || (e = jv_str(body, "reason", false, 200, &reason)))
		return e;
	unit_row u;
	if ((e = unit_find(ac, code, &u)))
		return e;
	if (!str_in_list(u.kind, gate_unit_kinds))
		return w_fail(W_EINVAL, "not_a_compound", "unit", "门只能设在小区、社区或网格上 / gates belong to a compound, community or grid");
	if ((e = db_begin(ac->d)))
		return e;
	db_stmt *s = db_get(ac->d, SQL_GATE_INSERT);
	db_bind_int(s, 1, u.id);
	gate_bind(s, &g);
	db_bind_int(s, 8, now_s());
	int64_t id = 0;
	if ((e = db_run(s, &id))) {
		db_rollback(ac->d);
		return gate_duplicate(e);
	}
	if ((e = history_add(ac, id, "open", 0, reason ? reason : "设立")) ||
	    (e = audit(ac, "create", "gate", id, "unit,name,kinds,hours", "ok")) || (e = db_commit(ac->d))) {
		db_rollback(ac->d);
		return e;
	}
	return gate_answer(ac, id, out);
}

/* A gate others are merged into carries their people: it keeps "people" among its kinds. */
static werr gate_keeps_merged(const actor *ac, const gate_row *g)
{
	if (g->people)
		return WG_OK;
	int64_t n = 0;
	werr e = merged_from(ac, g->id, &n);
	if (e)
		return e;
	if (n > 0)
		return w_fail(W_ECONFLICT, "gate_has_merged", "kinds",
		              "有%lld个门并入了此门，它须保留行人通行 / %lld gates are merged into this one: it keeps people among its kinds",
		              (long long)n, (long long)n);
	return WG_OK;
}

werr gate_update(const actor *ac, int64_t id, json_t *body, json_t **out)
{
	static const char *const allowed[] = {"name", "kinds", "hours", NULL};
	gate_row g;
	werr e;
	if ((e = jv_only(body, allowed)) || (e = gate_load(ac, id, "gate_id", &g)) || (e = gate_fields(body, false, &g)) ||
	    (e = gate_keeps_merged(ac, &g)) || (e = db_begin(ac->d)))
		return e;
	db_stmt *s = db_get(ac->d, SQL_GATE_UPDATE);
	db_bind_int(s, 1, id);
	gate_bind(s, &g);
	db_bind_int(s, 8, now_s());
	if (!(e = gate_duplicate(db_run(s, NULL))))
		e = audit(ac, "update", "gate", id, audit_fields(ac->a, body), "ok");
	if ((e = db_end(ac->d, e)))
		return e;
	return gate_answer(ac, id, out);
}

werr gate_state(const actor *ac, int64_t id, json_t *body, json_t **out)
{
	static const char *const allowed[] = {"state", "into", "reason", NULL};
	const char *state, *reason;
	int64_t into = 0;
	bool has_into = false;
	werr e;
	if ((e = jv_only(body, allowed)) || (e = jv_str(body, "state", true, 10, &state)) ||
	    (e = jv_str(body, "reason", true, 200, &reason)) ||
	    (e = jv_int(body, "into", false, 1, INT64_MAX, &into, &has_into)))
		return e;
	if (!str_in_list(state, gate_states))
		return w_fail(W_EINVAL, "invalid_state", "state", "state: open closed merged");
	if (!strcmp(state, "merged") != has_into)
		return w_fail(W_EINVAL, has_into ? "into_without_merge" : "required", "into",
		              "并入时须指明并入哪个门 / into names the gate a merged gate is merged into (only)");
	gate_row g, t;
	if ((e = gate_load(ac, id, "gate_id", &g)))
		return e;
	if (has_into) {
		if ((e = gate_load(ac, into, "into", &t)))
			return e;
		if (t.id == g.id || (t.unit_id != g.unit_id && path_id(t.path, 1) != path_id(g.path, 1)))
			return w_fail(W_EINVAL, "invalid_into", "into",
			              "只能并入本小区或相邻小区（同一上级）的另一个门 / merge into another gate of this compound or of a neighbouring one (the same unit above)");
		if (!t.state || strcmp(t.state, "open") != 0)
			return w_fail(W_ECONFLICT, "into_not_open", "into", "要并入的门没有开放 / the gate to merge into is not open");
	}
	if (strcmp(state, "open") != 0) {
		int64_t n = 0;
		if ((e = merged_from(ac, id, &n)))
			return e;
		if (n > 0)
			return w_fail(W_ECONFLICT, "gate_has_merged", "state",
			              "有%lld个门并入了此门，请先改动那些门 / %lld gates are merged into this one: change them first",
			              (long long)n, (long long)n);
	}
	if ((e = db_begin(ac->d)))
		return e;
	db_stmt *s = db_get(ac->d, SQL_GATE_SET_STATE);
	db_bind_int(s, 1, id);
	db_bind_text(s, 2, state);
	if (has_into)
		db_bind_int(s, 3, into);
	db_bind_int(s, 4, now_s());
	if ((e = db_run(s, NULL)) || (e = history_add(ac, id, state, into, reason)) ||
	    (e = audit(ac, "update", "gate", id, arena_printf(ac->a, "state:%s", state), "ok")) || (e = db_commit(ac->d))) {
		db_rollback(ac->d);
		return e;
	}
	return gate_answer(ac, id, out);
}

werr compound_rules_set(const actor *ac, const char *code, json_t *body, json_t **out)
{
	static const char *const allowed[] = {"quota_outings", "quota_days", "test_max_hours", "outing_minutes", NULL};
	unit_row u;
	werr e;
	if ((e = jv_only(body, allowed)) || (e = unit_find(ac, code, &u)))
		return e;
	if (!str_in_list(u.kind, gate_unit_kinds))
		return w_fail(W_EINVAL, "not_a_compound", "unit", "规则只能设在小区、社区或网格上 / rules belong to a compound, community or grid");
	rules r;
	if ((e = rules_load(ac->d, u.id, &r)) || (e = jv_int(body, "quota_outings", false, 0, 50, &r.quota_outings, NULL)) ||
	    (e = jv_int(body, "quota_days", false, 1, 30, &r.quota_days, NULL)) ||
	    (e = jv_int(body, "test_max_hours", false, 1, 720, &r.test_max_hours, NULL)) ||
	    (e = jv_int(body, "outing_minutes", false, 0, 1440, &r.outing_minutes, NULL)))
		return e;
	if ((e = db_begin(ac->d)))
		return e;
	db_stmt *s = db_get(ac->d, SQL_RULES_SET);
	db_bind_int(s, 1, u.id);
	db_bind_int(s, 2, r.quota_outings);
	db_bind_int(s, 3, r.quota_days);
	db_bind_int(s, 4, r.test_max_hours);
	db_bind_int(s, 5, r.outing_minutes);
	db_bind_int(s, 6, now_s());
	if (ac->user_id)
		db_bind_int(s, 7, ac->user_id);
	if ((e = db_run(s, NULL)) ||
	    (e = audit(ac, "update", "compound_rules", u.id, "quota_outings,quota_days,test_max_hours,outing_minutes", "ok")) ||
	    (e = db_commit(ac->d))) {
		db_rollback(ac->d);
		return e;
	}
	*out = json_pack("{s:s,s:s,s:o}", "unit", u.code, "name", u.name, "rules", rules_json(&r));
	return WG_OK;
}

/* ---- the rules of passage ---- */

/* A refusal's reasons: code, what the guard says (Chinese), and English beside it. */
static void why(json_t *arr, const char *code, const char *zh, const char *en)
{
	json_array_append_new(arr, json_pack("{s:s,s:s,s:s}", "code", code, "message", zh, "en", en));
}

static void check_gate(arena *a, const gate_row *g, int minute, bool people, bool vehicle, bool goods, json_t *r)
{
	const char *state = g->state ? g->state : "closed";
	if (!strcmp(state, "closed"))
		why(r, "gate_closed", "此门已关闭，请走其他门。", "This gate is closed: use another gate.");
	else if (!strcmp(state, "merged"))
		why(r, "gate_merged", arena_printf(a, "此门已并入%s，请走%s。", g->merged_name, g->merged_name),
		    arena_printf(a, "This gate is merged into %s: go there.", g->merged_name));
	else if (!gate_open_at(g, minute))
		why(r, "gate_hours", arena_printf(a, "此门开放时间为%s至%s。", hhmm(a, g->opens), hhmm(a, g->closes)),
		    arena_printf(a, "This gate is open %s to %s.", hhmm(a, g->opens), hhmm(a, g->closes)));
	if (people && !g->people)
		why(r, "gate_no_people", "此门不走人。", "This gate takes no people.");
	if (vehicle && !g->vehicles)
		why(r, "gate_no_vehicles", "此门不走车辆。", "This gate takes no vehicles.");
	if (goods && !g->goods && !g->people)
		why(r, "gate_no_goods", "此门不收货物。", "This gate takes no goods.");
}

static void check_fever(arena *a, bool has_temp, double temp, json_t *r)
{
	if (reading_fever(has_temp, temp, 0))
		why(r, "fever",
		    arena_printf(a, "体温%.1f℃，达到%.1f℃，请原地等候，已通知社区。", temp, rc_config.fever_threshold),
		    arena_printf(a, "Temperature %.1f °C is at or above %.1f °C: wait here, the community has been told.", temp,
		                 rc_config.fever_threshold));
}

/* The windows set on the nearest unit of a path that has any (a building, or an entrance):
 * "HH:MM-HH:MM、…" into out; *n: how many; *inside: minute m lies in one of them. */
static werr windows_of(const actor *ac, const char *path, int m, const char **unit_name, const char **text, int *n,
                       bool *inside)
{
	*n = 0;
	*inside = false;
	*text = "";
	*unit_name = "";
	for (int k = 0;; k++) {
		int64_t id = path_id(path, k);
		if (!id)
			return WG_OK;
		db_stmt *s = db_get(ac->d, SQL_WINDOWS_OF_UNIT);
		db_bind_int(s, 1, id);
		werr e = WG_OK;
		int rc;
		while ((rc = db_step(s, &e)) == DB_ROW) {
			gate_row w = {.hours = true, .opens = db_int(s, 0), .closes = db_int(s, 1)};
			*inside |= gate_open_at(&w, m);
			*text = arena_printf(ac->a, "%s%s%s-%s", *text, (*n)++ ? "、" : "", hhmm(ac->a, w.opens), hhmm(ac->a, w.closes));
			*unit_name = arena_strdup(ac->a, db_text(s, 2));
		}
		db_done(s);
		if (rc < 0)
			return e;
		if (*n)
			return WG_OK;
	}
}

static werr check_window(const actor *ac, const char *path, int m, json_t *r)
{
	const char *name, *text;
	int n;
	bool inside;
	werr e = windows_of(ac, path, m, &name, &text, &n, &inside);
	if (e || !n || inside)
		return e;
	why(r, "building_window", arena_printf(ac->a, "%s的外出时段为%s，现在不在时段内（就医除外）。", name, text),
	    arena_printf(ac->a, "%s goes out in the windows %s, not now (medical care excepted).", name, text));
	return WG_OK;
}

werr windows_set(const actor *ac, const char *code, json_t *body, json_t **out)
{
	static const char *const allowed[] = {"windows", NULL};
	werr e;
	unit_row u;
	if ((e = jv_only(body, allowed)) || (e = unit_find(ac, code, &u)))
		return e;
	if (strcmp(u.kind, "building") != 0 && strcmp(u.kind, "entrance") != 0)
		return w_fail(W_EINVAL, "not_a_building", "unit", "外出时段只能设在楼栋或单元上 / windows belong to a building or an entrance");
	json_t *ws = json_object_get(body, "windows");
	if (!json_is_array(ws) || json_array_size(ws) > 8)
		return w_fail(W_EINVAL, "invalid_windows", "windows", "windows: 0–8 of \"08:00-10:00\" (an empty list lifts them)");
	int64_t op[8] = {0}, cl[8] = {0};
	size_t i, n = json_array_size(ws);
	json_t *w;
	json_array_foreach(ws, i, w) {
		if (!hours_parse(json_string_value(w), &op[i], &cl[i]))
			return w_fail(W_EINVAL, "invalid_windows", arena_printf(ac->a, "windows[%zu]", i),
			              "时段应为 08:00-10:00 这样 / a window looks like 08:00-10:00");
	}
	if ((e = db_begin(ac->d)))
		return e;
	db_stmt *s = db_get(ac->d, SQL_WINDOWS_CLEAR);
	db_bind_int(s, 1, u.id);
	if ((e = db_run(s, NULL)))
		goto fail;
	for (i = 0; i < n; i++) {
		s = db_get(ac->d, SQL_WINDOWS_ADD);
		db_bind_int(s, 1, u.id);
		db_bind_int(s, 2, op[i]);
		db_bind_int(s, 3, cl[i]);
		db_bind_int(s, 4, now_s());
		if (ac->user_id)
			db_bind_int(s, 5, ac->user_id);
		if ((e = db_run(s, NULL)))
			goto fail;
	}
	if ((e = audit(ac, "update", "building_windows", u.id, "windows", "ok")) || (e = db_commit(ac->d)))
		goto fail;
	const char *name, *text;
	int k;
	bool inside;
	if ((e = windows_of(ac, u.path, minute_now(), &name, &text, &k, &inside)))
		return e;
	json_t *arr = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(arr, json_string(arena_printf(ac->a, "%s-%s", hhmm(ac->a, op[i]), hhmm(ac->a, cl[i]))));
	*out = json_pack("{s:s,s:s,s:o,s:b}", "unit", u.code, "name", u.name, "windows", arr, "open_now", n == 0 || inside);
	return WG_OK;
fail:
	db_rollback(ac->d);
	return e;
}

/* A building's (or entrance's) own windows, earliest first, as set; open_now as windows_set
 * answers it (no windows of its own, or now inside the nearest ones on its path). */
werr windows_get(const actor *ac, const char *code, json_t **out)
{
	unit_row u;
	werr e = unit_find(ac, code, &u);
	if (e)
		return e;
	if (strcmp(u.kind, "building") != 0 && strcmp(u.kind, "entrance") != 0)
		return w_fail(W_EINVAL, "not_a_building", "unit", "外出时段只能设在楼栋或单元上 / windows belong to a building or an entrance");
	db_stmt *s = db_get(ac->d, SQL_WINDOWS_OF_UNIT);
	db_bind_int(s, 1, u.id);
	json_t *arr = json_array();
	int rc;
	while ((rc = db_step(s, &e)) == DB_ROW)
		json_array_append_new(arr, json_string(arena_printf(ac->a, "%s-%s", hhmm(ac->a, db_int(s, 0)), hhmm(ac->a, db_int(s, 1)))));
	db_done(s);
	const char *name, *text;
	int k;
	bool inside;
	if (rc < 0 || (e = windows_of(ac, u.path, minute_now(), &name, &text, &k, &inside))) {
		json_decref(arr);
		return e;
	}
	*out = json_pack("{s:s,s:s,s:o,s:b}", "unit", u.code, "name", u.name, "windows", arr, "open_now",
	                 json_array_size(arr) == 0 || inside);
	return WG_OK;
}

/* Isolation or one of the watched categories: refused exit (a resident, or a staff pass's
 * holder who is one). */
static werr check_watch(const actor *ac, int64_t rid, json_t *r)
{
	werr e = WG_OK;
	db_stmt *s = db_get(ac->d, SQL_ISO_ACTIVE_OF_RES);
	db_bind_int(s, 1, rid);
	int rc = db_step(s, &e);
	db_done(s);
	if (rc < 0)
		return e;
	bool isolated = rc == DB_ROW;
	s = db_get(ac->d, SQL_EPI_GET);
	db_bind_int(s, 1, rid);
	rc = db_step(s, &e);
	bool watched = rc == DB_ROW && strcmp(db_text(s, 0), "cleared") != 0;
	db_done(s);
	if (rc < 0)
		return e;
	if (isolated)
		why(r, "isolated", "正在隔离观察，不得外出。", "Under isolation or observation: may not go out.");
	else if (watched)
		why(r, "category", "属于重点人员，正在观察，不得外出。", "In one of the watched categories: may not go out.");
	return WG_OK;
}

/* A resident going out: isolation and category, the building's lockdown, the closed
 * management of the compound at cpath (theirs, which the gate serves; locked as a whole,
 * only essential staff pass) and the household's quota.  *quota_counts tells whether an allowed
 * outing counts against the quota. */
static werr check_resident_out(const actor *ac, const char *cpath, const rules *ru, const person *p,
                               const char *purpose, int64_t at, json_t *r, bool *quota_counts)
{
	arena *a = ac->a;
	werr e = check_watch(ac, p->id, r);
	if (e)
		return e;
	db_stmt *s;
	int64_t home_level, compound_level;
	if ((e = lockdown_level_any(ac->d, p->path, &home_level)) || (e = lockdown_level_any(ac->d, cpath, &compound_level)))
		return e;
	if (compound_level >= 2) /* the whole compound locked: only essential staff pass */
		why(r, "essential_only", "小区封控（封楼栋），只有持通行证的医护、保供、水电气人员可以通行。",
		    "The compound is locked down: only essential staff with a pass may pass.");
	else if (home_level >= 2) {
		const char *b = p->building && *p->building ? p->building : "所在楼栋";
		why(r, "building_locked", arena_printf(a, "%s已封控（封楼栋），不得外出，生活物资由社区送到门口。", b),
		    arena_printf(a, "%s is locked down: nobody may go out; the community brings supplies to the door.",
		                 p->building && *p->building ? p->building : "The building"));
	}
	/* the building's time windows for going out (丽园), medical care excepted */
	if (strcmp(purpose, "medical") != 0 && (e = check_window(ac, p->path, minute_of(at), r)))
		return e;
	bool closed = compound_level >= 1;
	if (closed && !str_in_list(purpose, closed_purposes))
		why(r, "closed_purpose", "小区封闭管理，只有就医、必要工作和采购才能外出。",
		    "The compound is closed: out only for medical care, essential work or supplies.");
	*quota_counts = ru->quota_outings > 0 && strcmp(purpose, "medical") != 0;
	if (*quota_counts) {
		char today[11], from[11];
		day_of(at, today);
		day_add(today, -(int)ru->quota_days, from);
		s = db_get(ac->d, SQL_OUTING_SUM);
		db_bind_int(s, 1, p->household_id);
		db_bind_text(s, 2, from);
		db_bind_text(s, 3, today);
		int64_t used = 0;
		if ((e = db_scalar(s, &used)))
			return e;
		if (used >= ru->quota_outings)
			why(r, "quota_used",
			    arena_printf(a, "本户%lld天内已外出%lld次，额度已用完（就医除外）。", (long long)ru->quota_days,
			                 (long long)used),
			    arena_printf(a, "This household has gone out %lld times in %lld days: the quota is used up (medical care excepted).",
			                 (long long)used, (long long)ru->quota_days));
	}
	return WG_OK;
}

typedef struct {
	int64_t id, household_id, revoked_at, created_at;
	const char *valid_from, *valid_to, *path, *room, *building;
	bool found;  /* known and the guard's: in their part of the tree, or served by the gate */
	bool exists; /* known, whoever's */
} pass_row;

static werr pass_load(const actor *ac, db_stmt *s, pass_row *p)
{
	memset(p, 0, sizeof *p);
	werr e = WG_OK;
	int rc = db_step(s, &e);
	if (rc == DB_ROW) {
		p->found = true;
		p->id = db_int(s, 0);
		p->household_id = db_int(s, 1);
		p->valid_from = arena_strdup(ac->a, db_text(s, 2));
		p->valid_to = arena_strdup(ac->a, db_text(s, 3));
		p->created_at = db_int(s, 4);
		p->revoked_at = db_null(s, 5) ? 0 : db_int(s, 5);
		p->path = arena_strdup(ac->a, db_text(s, 6));
		p->room = arena_strdup(ac->a, db_text(s, 7));
		bool ent = !strcmp(db_text(s, 8), "entrance");
		p->building = arena_strdup(ac->a, ent ? db_text(s, 10) : db_text(s, 9));
		p->exists = true;
		p->found = actor_in_scope(ac, p->path);
	}
	db_done(s);
	return rc < 0 ? e : WG_OK;
}

static werr pass_by_token(const actor *ac, const char *token, pass_row *p)
{
	memset(p, 0, sizeof *p);
	if (!token || strlen(token) != 32 || strspn(token, "0123456789abcdef") != 32)
		return WG_OK;
	char th[65];
	hash_hex(token, th);
	db_stmt *s = db_get(ac->d, SQL_PASS_BY_HASH);
	db_bind_text(s, 1, th);
	return pass_load(ac, s, p);
}

static void check_pass(arena *a, const pass_row *p, int64_t at, json_t *r)
{
	char today[11];
	day_of(at, today);
	if (!p->found)
		why(r, "pass_unknown", "出入证无效。", "Unknown pass.");
	else if (p->revoked_at)
		why(r, "pass_revoked", "出入证已作废。", "This pass has been revoked.");
	else if (strcmp(today, p->valid_from) < 0 || strcmp(today, p->valid_to) > 0)
		why(r, "pass_expired", arena_printf(a, "出入证有效期为%s至%s，今天不能用。", p->valid_from, p->valid_to),
		    arena_printf(a, "This pass is valid %s to %s, not today.", p->valid_from, p->valid_to));
}

/* ---- named essential-staff passes (通行证) ----
 * A person — a registered resident, or an outside worker with an employer and a phone —
 * for the compounds (any unit: all its gates) and gates of its scope, a validity period
 * and a purpose.  Checked at the gate like a household pass, read afresh in the writer's
 * transaction, so that a revocation holds at the very next passage. */

static const char *const staff_kinds[] = {"medical", "supply", "utility", "other", NULL};

typedef struct {
	int64_t id, resident_id, created_at, revoked_at, uses, last_used_at;
	const char *kind, *name, *employer, *phone, *purpose, *valid_from, *valid_to, *revoke_reason, *created_by;
	bool found;
} staff_row;

static void staff_from(arena *a, db_stmt *s, staff_row *p)
{
	p->found = true;
	p->id = db_int(s, 0);
	p->kind = arena_strdup(a, db_text(s, 1));
	p->resident_id = db_null(s, 2) ? 0 : db_int(s, 2);
	p->name = arena_strdup(a, db_text(s, 3));
	p->employer = db_null(s, 4) ? NULL : arena_strdup(a, db_text(s, 4));
	p->phone = db_null(s, 5) ? NULL : arena_strdup(a, db_text(s, 5));
	p->purpose = arena_strdup(a, db_text(s, 6));
	p->valid_from = arena_strdup(a, db_text(s, 7));
	p->valid_to = arena_strdup(a, db_text(s, 8));
	p->created_at = db_int(s, 9);
	p->revoked_at = db_null(s, 10) ? 0 : db_int(s, 10);
	p->revoke_reason = db_null(s, 11) ? NULL : arena_strdup(a, db_text(s, 11));
	p->uses = db_int(s, 12);
	p->last_used_at = db_null(s, 13) ? 0 : db_int(s, 13);
	p->created_by = db_null(s, 14) ? NULL : arena_strdup(a, db_text(s, 14));
}

static werr staff_load(const actor *ac, db_stmt *s, staff_row *p)
{
	memset(p, 0, sizeof *p);
	werr e = WG_OK;
	int rc = db_step(s, &e);
	if (rc == DB_ROW)
		staff_from(ac->a, s, p);
	db_done(s);
	return rc < 0 ? e : WG_OK;
}

/* A staff pass's token: "s" and 32 hex digits (a household pass's has no letter first). */
static bool staff_token_shape(const char *t)
{
	return t && t[0] == 's' && strlen(t) == 33 && strspn(t + 1, "0123456789abcdef") == 32;
}

static werr staff_by_token(const actor *ac, const char *token, staff_row *p)
{
	memset(p, 0, sizeof *p);
	if (!staff_token_shape(token))
		return WG_OK;
	char th[65];
	hash_hex(token, th);
	db_stmt *s = db_get(ac->d, SQL_STAFF_PASS_BY_HASH);
	db_bind_text(s, 1, th);
	return staff_load(ac, s, p);
}

typedef struct {
	int n;
	int64_t unit_id[64], gate_id[64];
	const char *path[64], *name[64], *code[64];
} staff_scope;

static werr staff_scope_load(const actor *ac, int64_t pass_id, staff_scope *sc)
{
	sc->n = 0;
	db_stmt *s = db_get(ac->d, SQL_STAFF_SCOPE_OF);
	db_bind_int(s, 1, pass_id);
	werr e = WG_OK;
	int rc;
	while ((rc = db_step(s, &e)) == DB_ROW && sc->n < 64) {
		int i = sc->n++;
		sc->unit_id[i] = db_null(s, 0) ? 0 : db_int(s, 0);
		sc->gate_id[i] = db_null(s, 1) ? 0 : db_int(s, 1);
		sc->path[i] = arena_strdup(ac->a, db_text(s, 2));
		sc->name[i] = arena_strdup(ac->a, db_text(s, 3));
		sc->code[i] = arena_strdup(ac->a, db_text(s, 4));
	}
	db_done(s);
	return rc < 0 ? e : WG_OK;
}

/* Whether gate g lies in the pass's scope: the gate itself, a unit its compound lies in, or
 * a unit of a neighbouring compound whose gates were merged into it (it serves them). */
static werr staff_covers(const actor *ac, const gate_row *g, const staff_scope *sc, bool *yes)
{
	*yes = false;
	for (int i = 0; i < sc->n && !*yes; i++)
		*yes = sc->gate_id[i] ? sc->gate_id[i] == g->id : in_compound(g->path, sc->path[i]);
	if (*yes)
		return WG_OK;
	served_set sv;
	werr e = served_load(ac, g->id, &sv);
	for (int k = 0; !e && k < sv.n; k++)
		for (int i = 0; i < sc->n && !*yes; i++)
			*yes = !sc->gate_id[i] && in_compound(sv.path[k], sc->path[i]);
	return e;
}

static const char *staff_scope_text(arena *a, const staff_scope *sc)
{
	const char *t = "";
	for (int i = 0; i < sc->n; i++)
		t = arena_printf(a, "%s%s%s", t, i ? "、" : "", sc->name[i]);
	return t;
}

static const char *staff_kind_zh(const char *k)
{
	static const char *const zh[] = {"医护", "保供", "水电气", "其他必要人员"};
	for (int i = 0; staff_kinds[i]; i++)
		if (!strcmp(k, staff_kinds[i]))
			return zh[i];
	return k;
}

/* The pass's own verdict at gate g on moment at: unknown, revoked, expired (or not yet
 * valid), or not for this gate.  *sc: the pass's scope (loaded here). */
static werr check_staff(const actor *ac, const gate_row *g, const staff_row *p, int64_t at, staff_scope *sc, json_t *r)
{
	arena *a = ac->a;
	sc->n = 0;
	if (!p->found) {
		why(r, "staff_pass_unknown", "通行证无效。", "Unknown pass.");
		return WG_OK;
	}
	werr e = staff_scope_load(ac, p->id, sc);
	if (e)
		return e;
	char today[11];
	day_of(at, today);
	if (p->revoked_at) {
		why(r, "staff_pass_revoked",
		    p->revoke_reason ? arena_printf(a, "通行证已作废（%s）。", p->revoke_reason) : "通行证已作废。",
		    p->revoke_reason ? arena_printf(a, "This pass has been revoked (%s).", p->revoke_reason)
		                     : "This pass has been revoked.");
		return WG_OK;
	}
	if (strcmp(today, p->valid_from) < 0 || strcmp(today, p->valid_to) > 0) {
		why(r, "staff_pass_expired", arena_printf(a, "通行证有效期为%s至%s，今天不能用。", p->valid_from, p->valid_to),
		    arena_printf(a, "This pass is valid %s to %s, not today.", p->valid_from, p->valid_to));
		return WG_OK;
	}
	bool covers;
	if ((e = staff_covers(ac, g, sc, &covers)))
		return e;
	if (!covers) {
		const char *where = staff_scope_text(a, sc);
		why(r, "staff_pass_wrong_gate", arena_printf(a, "通行证只限%s使用，不能走此门。", where),
		    arena_printf(a, "This pass is for %s only, not this gate.", where));
	}
	return WG_OK;
}

static json_t *staff_json(const actor *ac, const staff_row *p, const staff_scope *sc, const char *today)
{
	char created[32], revoked[32], used[32];
	fmt_time(p->created_at, created);
	if (p->revoked_at)
		fmt_time(p->revoked_at, revoked);
	if (p->last_used_at)
		fmt_time(p->last_used_at, used);
	const char *state = p->revoked_at ? "revoked"
	                    : strcmp(today, p->valid_to) > 0 ? "expired"
	                    : strcmp(today, p->valid_from) < 0 ? "pending"
	                                                       : "active";
	json_t *scope = json_array();
	for (int i = 0; sc && i < sc->n; i++)
		json_array_append_new(scope, sc->gate_id[i] ? json_pack("{s:I,s:s}", "gate_id", (json_int_t)sc->gate_id[i], "name", sc->name[i])
		                                            : json_pack("{s:s,s:s}", "unit", sc->code[i], "name", sc->name[i]));
	return json_pack("{s:I,s:s,s:s,s:o,s:s,s:o,s:o,s:s,s:s,s:s,s:s,s:o,s:s,s:o,s:o,s:I,s:o,s:o}", "id", (json_int_t)p->id, "kind",
	                 p->kind, "kind_zh", staff_kind_zh(p->kind), "resident_id",
	                 p->resident_id ? json_integer(p->resident_id) : json_null(), "name", p->name, "employer",
	                 jv_text(p->employer), "phone", jv_text(actor_show_phone(ac, p->phone)), "purpose", p->purpose, "valid_from",
	                 p->valid_from, "valid_to", p->valid_to, "state", state, "scope", scope, "created_at", created, "revoked_at",
	                 p->revoked_at ? json_string(revoked) : json_null(), "revoke_reason", jv_text(p->revoke_reason), "uses",
	                 (json_int_t)p->uses, "last_used_at", p->last_used_at ? json_string(used) : json_null(), "issued_by",
	                 jv_text(p->created_by));
}

static werr date_field(json_t *body, const char *key, const char *dflt, char out[11])
{
	const char *v;
	werr e = jv_str(body, key, dflt == NULL, 10, &v);
	if (e)
		return e;
	if (!v && !dflt)
		return w_fail(W_EINVAL, "required", key, "%s is required", key);
	if (!v) {
		memcpy(out, dflt, 11);
		return WG_OK;
	}
	int y, m, d;
	if (strlen(v) != 10 || !parse_date(v, &y, &m, &d))
		return w_fail(W_EINVAL, "invalid_date", key, "日期格式应为 YYYY-MM-DD / %s must be YYYY-MM-DD", key);
	memcpy(out, v, 11);
	return WG_OK;
}

werr staff_pass_issue(const actor *ac, json_t *body, json_t **out)
{
	static const char *const allowed[] = {"kind",  "resident_id", "name",      "employer", "phone", "purpose",
	                                      "valid_from", "valid_to", "compounds", "gates",   NULL};
	arena *a = ac->a;
	const char *kind, *name, *employer, *phone, *purpose;
	int64_t rid = 0;
	bool has_rid = false;
	char today[11], from[11], to[11];
	today_str(today);
	werr e;
	if ((e = jv_only(body, allowed)) || (e = jv_str(body, "kind", true, 16, &kind)) ||
	    (e = jv_int(body, "resident_id", false, 1, INT64_MAX, &rid, &has_rid)) ||
	    (e = jv_str(body, "name", false, 50, &name)) || (e = jv_str(body, "employer", false, 100, &employer)) ||
	    (e = jv_str(body, "phone", false, 20, &phone)) || (e = jv_str(body, "purpose", true, 100, &purpose)) ||
	    (e = date_field(body, "valid_from", today, from)) || (e = date_field(body, "valid_to", NULL, to)))
		return e;
	if (!str_in_list(kind, staff_kinds))
		return w_fail(W_EINVAL, "invalid_kind", "kind", "kind: medical supply utility other（医护 保供 水电气 其他）");
	if (strcmp(to, from) < 0)
		return w_fail(W_EINVAL, "invalid_period", "valid_to", "有效期的结束早于开始 / valid_to is before valid_from");
	if (strcmp(to, today) < 0)
		return w_fail(W_EINVAL, "invalid_period", "valid_to", "有效期已经过去 / valid_to is in the past");
	char limit[11];
	day_add(from, 89, limit);
	if (strcmp(to, limit) > 0)
		return w_fail(W_EINVAL, "invalid_period", "valid_to", "通行证最长90天 / a pass is valid 90 days at most");
	if (!purpose[0])
		return w_fail(W_EINVAL, "required", "purpose", "请写明事由 / say what the pass is for");
	char norm[32];
	if (has_rid) {
		if (name || employer || phone)
			return w_fail(W_EINVAL, "resident_or_worker", has_rid && name ? "name" : (employer ? "employer" : "phone"),
			              "登记居民时姓名和电话取自户籍 / a resident's name and phone come from the registry");
		person per;
		if ((e = person_load(ac, rid, true, &per)))
			return e;
		if (per.moved_out)
			return w_fail(W_EINVAL, "resident_not_living", "resident_id", "该居民已迁出 / the resident has moved out");
		name = per.name;
		phone = per.phone;
	} else {
		if (!name || !name[0])
			return w_fail(W_EINVAL, "required", "name", "请填写姓名 / name is required");
		if (!employer || !employer[0])
			return w_fail(W_EINVAL, "required", "employer", "请填写单位 / employer is required");
		if (!phone)
			return w_fail(W_EINVAL, "required", "phone", "请填写电话 / phone is required");
		if (!phone_normalize(phone, norm, sizeof norm))
			return w_fail(W_EINVAL, "invalid_phone", "phone", "电话号码不对 / not a phone number");
		phone = norm;
		name = arena_strdup(a, name);
		employer = arena_strdup(a, employer);
	}
	/* its scope: compounds (unit codes) and gates, each in the issuer's subtree */
	json_t *cs = json_object_get(body, "compounds"), *gs = json_object_get(body, "gates");
	if ((cs && !json_is_array(cs)) || (gs && !json_is_array(gs)))
		return w_fail(W_EINVAL, "wrong_type", cs && !json_is_array(cs) ? "compounds" : "gates",
		              "compounds: unit codes; gates: gate ids");
	size_t nc = cs ? json_array_size(cs) : 0, ng = gs ? json_array_size(gs) : 0;
	if (nc + ng == 0)
		return w_fail(W_EINVAL, "required", "compounds", "请指定可通行的小区或门 / name the compounds or gates it is for");
	if (nc + ng > 64)
		return w_fail(W_EINVAL, "too_many", "compounds", "最多64个小区和门 / 64 compounds and gates at most");
	int64_t units[64] = {0}, gates_in[64] = {0};
	size_t i;
	json_t *v;
	json_array_foreach(cs, i, v) {
		unit_row u;
		const char *code = json_string_value(v);
		if (!code)
			return w_fail(W_EINVAL, "wrong_type", arena_printf(a, "compounds[%zu]", i), "a unit code");
		if ((e = unit_find(ac, code, &u))) {
			wdetail d = *w_last();
			return w_fail(e, d.code, arena_printf(a, "compounds[%zu]", i), "%s", d.message);
		}
		units[i] = u.id;
	}
	json_array_foreach(gs, i, v) {
		gate_row g;
		if (!json_is_integer(v) || json_integer_value(v) < 1)
			return w_fail(W_EINVAL, "wrong_type", arena_printf(a, "gates[%zu]", i), "a gate id");
		if ((e = gate_load(ac, json_integer_value(v), arena_printf(a, "gates[%zu]", i), &g)))
			return e;
		gates_in[i] = g.id;
	}
	char token[34], th[65];
	token[0] = 's';
	random_hex(token + 1, 16);
	hash_hex(token, th);
	int64_t id = 0;
	if ((e = db_begin(ac->d)))
		return e;
	db_stmt *s = db_get(ac->d, SQL_STAFF_PASS_INSERT);
	db_bind_text(s, 1, th);
	db_bind_text(s, 2, kind);
	if (has_rid)
		db_bind_int(s, 3, rid);
	db_bind_text(s, 4, name);
	db_bind_text(s, 5, employer);
	db_bind_text(s, 6, phone);
	db_bind_text(s, 7, purpose);
	db_bind_text(s, 8, from);
	db_bind_text(s, 9, to);
	db_bind_int(s, 10, now_s());
	if (ac->user_id)
		db_bind_int(s, 11, ac->user_id);
	if ((e = db_run(s, &id)))
		goto fail;
	for (i = 0; i < nc + ng; i++) {
		s = db_get(ac->d, SQL_STAFF_SCOPE_ADD);
		db_bind_int(s, 1, id);
		if (i < nc)
			db_bind_int(s, 2, units[i]);
		else
			db_bind_int(s, 3, gates_in[i - nc]);
		if ((e = db_run(s, NULL)))
			goto fail;
	}
	if ((e = audit(ac, "create", "staff_pass", id, has_rid ? "kind,resident,purpose,valid,scope" : "kind,name,employer,phone,purpose,valid,scope",
	               "ok")) ||
	    (e = db_commit(ac->d)))
		goto fail;
	staff_row p;
	staff_scope sc;
	s = db_get(ac->d, SQL_STAFF_PASS_GET);
	db_bind_int(s, 1, id);
	if ((e = staff_load(ac, s, &p)) || (e = staff_scope_load(ac, id, &sc)))
		return e;
	*out = staff_json(ac, &p, &sc, today);
	json_object_set_new(*out, "token", json_string(token));
	char *svg = qr_svg(token, 200, NULL);
	json_object_set_new(*out, "svg", jv_text(svg));
	free(svg);
	return WG_OK;
fail:
	db_rollback(ac->d);
	return e;
}

/* The actor may change a pass when every compound and gate of it is theirs. */
static werr staff_mine(const actor *ac, int64_t id, staff_row *p, staff_scope *sc)
{
	db_stmt *s = db_get(ac->d, SQL_STAFF_PASS_GET);
	db_bind_int(s, 1, id);
	werr e;
	if ((e = staff_load(ac, s, p)) || (p->found && (e = staff_scope_load(ac, id, sc))))
		return e;
	bool mine = p->found && sc->n > 0;
	for (int i = 0; mine && i < sc->n; i++)
		mine = actor_in_scope(ac, sc->path[i]);
	if (!mine)
		return w_fail(W_ENOTFOUND, "pass_not_found", "pass_id", "没有这张通行证 / no such pass");
	return WG_OK;
}

werr staff_pass_revoke(const actor *ac, int64_t id, const char *reason, json_t **out)
{
	staff_row p;
	staff_scope sc;
	werr e;
	if (reason && strlen(reason) > 200)
		return w_fail(W_EINVAL, "too_long", "reason", "reason: 200 characters at most");
	if ((e = staff_mine(ac, id, &p, &sc)))
		return e;
	if (!p.revoked_at) {
		if ((e = db_begin(ac->d)))
			return e;
		db_stmt *s = db_get(ac->d, SQL_STAFF_PASS_REVOKE);
		db_bind_int(s, 1, id);
		db_bind_int(s, 2, now_s());
		if (ac->user_id)
			db_bind_int(s, 3, ac->user_id);
		db_bind_text(s, 4, reason && *reason ? reason : NULL);
		if ((e = db_run(s, NULL)) || (e = audit(ac, "update", "staff_pass", id, "revoked", "ok")) || (e = db_commit(ac->d))) {
			db_rollback(ac->d);
			return e;
		}
		if ((e = staff_mine(ac, id, &p, &sc)))
			return e;
	}
	char today[11];
	today_str(today);
	*out = staff_json(ac, &p, &sc, today);
	return WG_OK;
}

werr staff_pass_list(const actor *ac, const char *code, const char *state, int64_t limit, int64_t offset, json_t **out)
{
	static const char *const states[] = {"all", "active", "pending", "expired", "revoked", NULL};
	if (!state)
		state = "all";
	if (!str_in_list(state, states))
		return w_fail(W_EINVAL, "invalid_state", "state", "state: all active pending expired revoked");
	unit_row u;
	werr e = unit_scope(ac, code, &u);
	if (e)
		return e;
	char today[11];
	today_str(today);
	const char *upper = scope_upper(ac->a, u.path);
	/* the counts: by state, and the valid ones by kind */
	json_t *by_state = json_pack("{s:i,s:i,s:i,s:i}", "active", 0, "pending", 0, "expired", 0, "revoked", 0);
	json_t *by_kind = json_object();
	int64_t total = 0;
	db_stmt *s = db_get(ac->d, SQL_STAFF_PASS_COUNTS);
	db_bind_text(s, 1, u.path);
	db_bind_text(s, 2, upper);
	db_bind_text(s, 3, today);
	int rc;
	while ((rc = db_step(s, &e)) == DB_ROW) {
		const char *st = db_text(s, 1);
		int64_t n = db_int(s, 2);
		json_object_set_new(by_state, st, json_integer(json_integer_value(json_object_get(by_state, st)) + n));
		if (!strcmp(st, "active"))
			json_object_set_new(by_kind, db_text(s, 0), json_integer(n));
		if (!strcmp(state, "all") || !strcmp(state, st))
			total += n;
	}
	db_done(s);
	json_t *items = json_array();
	if (rc < 0)
		goto fail;
	s = db_get(ac->d, SQL_STAFF_PASS_LIST);
	db_bind_text(s, 1, u.path);
	db_bind_text(s, 2, upper);
	db_bind_text(s, 3, today);
	db_bind_text(s, 4, state);
	db_bind_int(s, 5, limit);
	db_bind_int(s, 6, offset);
	staff_row *rows = arena_alloc(ac->a, (size_t)limit * sizeof *rows);
	int n = 0;
	while ((rc = db_step(s, &e)) == DB_ROW && n < limit) {
		memset(&rows[n], 0, sizeof rows[n]);
		staff_from(ac->a, s, &rows[n++]);
	}
	db_done(s);
	if (rc < 0)
		goto fail;
	for (int k = 0; k < n; k++) {
		staff_scope sc;
		if ((e = staff_scope_load(ac, rows[k].id, &sc)))
			goto fail;
		json_array_append_new(items, staff_json(ac, &rows[k], &sc, today));
	}
	if ((e = audit(ac, "read", "staff_pass", u.id, "name,employer,phone", "ok")))
		goto fail;
	*out = json_pack("{s:s,s:s,s:s,s:o,s:o,s:I,s:I,s:I,s:o}", "unit", u.code, "name", u.name, "day", today, "counts",
	                 by_state, "active_by_kind", by_kind, "total", (json_int_t)total, "limit", (json_int_t)limit, "offset",
	                 (json_int_t)offset, "items", items);
	return WG_OK;
fail:
	json_decref(by_state);
	json_decref(by_kind);
	json_decref(items);
	return e;
}

/* ---- passages ---- */

typedef struct {
	const char *kind, *name, *phone, *id_number, *company, *plate, *visiting, *health_code, *test_at, *test_result;
	bool goods_only;
	int64_t test_time;
} visitor_in;

static werr visitor_parse(arena *a, json_t *o, bool entering, visitor_in *v)
{
	static const char *const allowed[] = {"kind", "name", "phone", "id_number", "company", "plate", "visiting",
	                                      "health_code", "test_at", "test_result", "goods_only", NULL};
	memset(v, 0, sizeof *v);
	if (!json_is_object(o))
		return w_fail(W_EINVAL, "wrong_type", "visitor", "visitor must be an object");
	werr e;
	if ((e = jv_only(o, allowed)) || (e = jv_str(o, "kind", false, 16, &v->kind)) ||
	    (e = jv_str(o, "name", true, 50, &v->name)) || (e = jv_str(o, "phone", entering, 20, &v->phone)) ||
	    (e = jv_str(o, "id_number", false, 20, &v->id_number)) || (e = jv_str(o, "company", false, 100, &v->company)) ||
	    (e = jv_str(o, "plate", false, 12, &v->plate)) || (e = jv_str(o, "visiting", false, 100, &v->visiting)) ||
	    (e = jv_str(o, "health_code", entering, 8, &v->health_code)) ||
	    (e = jv_str(o, "test_at", false, 16, &v->test_at)) || (e = jv_str(o, "test_result", false, 10, &v->test_result)) ||
	    (e = jv_bool(o, "goods_only", &v->goods_only, NULL))) {
		/* name the field inside the visitor */
		wdetail d = *w_last();
		return w_fail(e, d.code, arena_printf(a, "visitor.%s", d.field), "%s", d.message);
	}
	if (!v->kind)
		v->kind = "visitor";
	if (!str_in_list(v->kind, visitor_kinds))
		return w_fail(W_EINVAL, "invalid_kind", "visitor.kind", "kind: visitor courier supplier medical utility");
	if (v->health_code && !str_in_list(v->health_code, health_codes))
		return w_fail(W_EINVAL, "invalid_health_code", "visitor.health_code", "health_code: green yellow red");
	if (v->test_result && !str_in_list(v->test_result, test_results))
		return w_fail(W_EINVAL, "invalid_test_result", "visitor.test_result", "test_result: negative positive");
	if (v->phone) {
		char norm[32];
		if (!phone_normalize(v->phone, norm, sizeof norm))
			return w_fail(W_EINVAL, "invalid_phone", "visitor.phone", "电话号码不对 / not a phone number");
		v->phone = arena_strdup(a, norm);
	}
	if (v->id_number) {
		char *idn = arena_strdup(a, v->id_number);
		if (idn[17] == 'x')
			idn[17] = 'X';
		id_result ir = id_validate(idn, NULL);
		if (ir != ID_OK)
			return w_fail(W_EINVAL, "invalid_id_number", "visitor.id_number", "%s", id_result_message(ir));
		v->id_number = idn;
	}
	if (v->test_at) {
		int y, m, d, hh = 0, mm = 0;
		char day[11];
		size_t n = strlen(v->test_at);
		bool ok = n >= 10 && (memcpy(day, v->test_at, 10), day[10] = 0, parse_date(day, &y, &m, &d));
		if (ok && n > 10)
			ok = n == 16 && v->test_at[10] == 'T' && sscanf(v->test_at + 11, "%2d:%2d", &hh, &mm) == 2 && hh < 24 &&
			     mm < 60 && hh >= 0 && mm >= 0;
		if (!ok)
			return w_fail(W_EINVAL, "invalid_test_at", "visitor.test_at",
			              "检测时间应为 YYYY-MM-DD 或 YYYY-MM-DDTHH:MM / test_at must be a date or date and time");
		v->test_time = day_at(day, hh, mm);
		if (v->test_time > now_s() + 600)
			return w_fail(W_EINVAL, "test_in_future", "visitor.test_at", "检测时间不能在将来 / test_at is in the future");
	}
	v->name = arena_strdup(a, v->name);
	v->company = arena_strdup(a, v->company);
	v->plate = arena_strdup(a, v->plate);
	v->visiting = arena_strdup(a, v->visiting);
	v->kind = arena_strdup(a, v->kind);
	v->health_code = arena_strdup(a, v->health_code);
	v->test_result = arena_strdup(a, v->test_result);
	return WG_OK;
}

static void check_visitor_in(arena *a, int64_t level, const rules *ru, const visitor_in *v, int64_t at, json_t *r)
{
	if (!strcmp(v->health_code, "red"))
		why(r, "code_red", "健康码红码，不得进入。", "Red health code: may not come in.");
	else if (!strcmp(v->health_code, "yellow"))
		why(r, "code_yellow", "健康码黄码，不得进入。", "Yellow health code: may not come in.");
	if (v->test_result && !strcmp(v->test_result, "positive"))
		why(r, "test_positive", "核酸检测阳性，不得进入，已通知社区。", "Positive nucleic-acid test: may not come in.");
	else if (!v->test_at || !v->test_result)
		why(r, "test_missing", "没有核酸检测阴性证明。", "No negative nucleic-acid test shown.");
	else if (at - v->test_time > ru->test_max_hours * 3600)
		why(r, "test_old", arena_printf(a, "核酸检测已超过%lld小时。", (long long)ru->test_max_hours),
		    arena_printf(a, "The nucleic-acid test is older than %lld hours.", (long long)ru->test_max_hours));
	/* closed: goods are handed over at the gate; essential staff come in on their named
	 * pass (a pass_token, not a visitor), a kind said at the gate is not enough */
	if (level < 1 || v->goods_only)
		return;
	if (level >= 2)
		why(r, "essential_only", "小区封控（封楼栋），只有持通行证的医护、保供、水电气人员可以通行。",
		    "The compound is locked down: only essential staff with a pass may pass.");
	else if (!strcmp(v->kind, "courier"))
		why(r, "courier_at_gate", "小区封闭管理，快递外卖请在门口交接。", "The compound is closed: couriers hand goods over at the gate.");
	else if (str_in_list(v->kind, essential_kinds))
		why(r, "staff_pass_required", "小区封闭管理，医护、保供、水电气人员凭通行证进入。",
		    "The compound is closed: medical, supply and utility staff come in on their pass.");
	else
		why(r, "closed_no_visitors", "小区封闭管理，外来人员不得进入。", "The compound is closed: no visitors.");
}

static json_t *passage_json(const actor *ac, db_stmt *s)
{
	char at[32], rec[32];
	fmt_time(db_int(s, 3), at);
	fmt_time(db_null(s, 31) ? 0 : db_int(s, 31), rec);
	json_t *reasons = json_loads(db_text(s, 13), 0, NULL);
	if (!reasons)
		reasons = json_array();
	json_t *who = json_null(), *visitor = json_null(), *staff = json_null();
	if (!db_null(s, 7)) {
		bool ent = !db_null(s, 18) && !strcmp(db_text(s, 18), "entrance");
		who = json_pack("{s:I,s:I,s:o,s:o,s:o,s:o}", "id", (json_int_t)db_int(s, 7), "household_id",
		                   (json_int_t)db_int(s, 8), "name", jv_text(db_text(s, 16)), "building",
		                   jv_text(ent ? db_text(s, 20) : db_text(s, 19)), "room", jv_text(db_text(s, 17)), "id_number",
		                   jv_text(actor_show_id(ac, db_text(s, 21))));
	} else if (!db_null(s, 32)) {
		staff = json_pack("{s:I,s:s,s:s,s:s,s:o}", "id", (json_int_t)db_int(s, 32), "name", db_text(s, 33), "kind",
		                  db_text(s, 34), "kind_zh", staff_kind_zh(db_text(s, 34)), "employer", jv_text(db_text(s, 35)));
	} else if (!db_null(s, 22)) {
		visitor = json_pack("{s:s,s:o,s:o,s:o,s:o,s:o,s:o}", "name", db_text(s, 22), "id_number",
		                    jv_text(actor_show_id(ac, db_text(s, 23))), "phone", jv_text(actor_show_phone(ac, db_text(s, 24))),
		                    "company", jv_text(db_text(s, 25)), "plate", jv_text(db_text(s, 26)), "visiting",
		                    jv_text(db_text(s, 27)), "health_code", jv_text(db_text(s, 28)));
	}
	return json_pack("{s:I,s:{s:I,s:s},s:s,s:s,s:s,s:s,s:b,s:b,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:b}", "id",
	                 (json_int_t)db_int(s, 0), "gate", "id", (json_int_t)db_int(s, 1), "name", db_text(s, 29), "day",
	                 db_text(s, 2), "at", at, "direction", db_text(s, 4), "kind", db_text(s, 5), "goods_only",
	                 db_int(s, 6) != 0, "allowed", db_int(s, 12) != 0, "reasons", reasons, "person", who, "visitor",
	                 visitor, "staff_pass", staff, "temperature", db_null(s, 10) ? json_null() : json_real(db_double(s, 10)), "purpose",
	                 jv_text(db_text(s, 11)), "alert_id", db_null(s, 14) ? json_null() : json_integer(db_int(s, 14)),
	                 "pass_id", db_null(s, 9) ? json_null() : json_integer(db_int(s, 9)), "client_id",
	                 jv_text(db_text(s, 15)), "recorded_by", jv_text(db_text(s, 30)), "recorded_at",
	                 db_null(s, 31) ? json_null() : json_string(rec), "offline", !db_null(s, 31) && db_int(s, 31) - db_int(s, 3) > 120);
}

static werr passage_answer(const actor *ac, int64_t id, json_t **out)
{
	db_stmt *s = db_get(ac->d, SQL_PASSAGE_GET);
	db_bind_int(s, 1, id);
	werr e = WG_OK;
	int rc = db_step(s, &e);
	*out = rc == DB_ROW ? passage_json(ac, s) : NULL;
	db_done(s);
	if (rc < 0)
		return e;
	if (!*out)
		return w_fail(W_ENOTFOUND, "passage_not_found", "id", "没有这次出入 / no such passage");
	return WG_OK;
}

/* A passage already stored under this client id (a retry): its answer, or 0. */
static werr by_client(const actor *ac, const char *client_id, int64_t gate_id, int64_t *id)
{
	*id = 0;
	if (!client_id)
		return WG_OK;
	db_stmt *s = db_get(ac->d, SQL_PASSAGE_BY_CLIENT);
	db_bind_text(s, 1, client_id);
	werr e = WG_OK;
	int rc = db_step(s, &e);
	int64_t gid = rc == DB_ROW ? db_int(s, 1) : 0;
	if (rc == DB_ROW)
		*id = db_int(s, 0);
	db_done(s);
	if (rc < 0)
		return e;
	if (*id && gid != gate_id)
		return w_fail(W_ECONFLICT, "client_id_reused", "client_id", "client_id was already used for another passage");
	return WG_OK;
}

static werr count_add(db *d, int64_t gate_id, const char *day, const char *key)
{
	db_stmt *s = db_get(d, SQL_GATE_COUNT_ADD);
	db_bind_int(s, 1, gate_id);
	db_bind_text(s, 2, day);
	db_bind_text(s, 3, key);
	return db_run(s, NULL);
}

/* A passage: validated by passage_prepare (the request's thread), then its rules computed
 * and written by passage_execute inside the server's group-commit transaction. */
struct passage_plan {
	gate_row g;
	const char *direction, *purpose, *client_id, *kind, *token;
	char day[11];
	int64_t at, rid, stored, id, alert, home_unit; /* home_unit: the resident's compound */
	double temp;
	bool has_rid, allowed, quota_counts, fever, duplicate;
	person p;          /* p.id != 0 for a resident */
	pass_row pass;     /* pass.id != 0 when a pass was shown and known */
	bool has_visitor;
	visitor_in v;
	const char *staff_token; /* a staff pass shown: read afresh in the writer's transaction */
	staff_row sp;
	staff_scope ssc;
	person sperson; /* its holder, when a registered resident (sperson.id != 0) */
	json_t *reasons;
};
typedef struct passage_plan passage;

/* "YYYY-MM-DDTHH:MM[:SS[.fff]]" then "Z" or "±HH:MM" (a phone's capture time). */
static bool moment_parse(const char *s, int64_t *out)
{
	int y, m, d, hh, mm, ss = 0, n = 0;
	char day[11];
	if (!s || strlen(s) < 17 || s[10] != 'T')
		return false;
	memcpy(day, s, 10);
	day[10] = 0;
	if (!parse_date(day, &y, &m, &d) || sscanf(s + 11, "%2d:%2d%n", &hh, &mm, &n) != 2 || n != 5)
		return false;
	const char *p = s + 16;
	if (*p == ':') {
		if (!(p[1] >= '0' && p[1] <= '5' && p[2] >= '0' && p[2] <= '9'))
			return false;
		ss = (p[1] - '0') * 10 + (p[2] - '0');
		p += 3;
		if (*p == '.') {
			p++;
			size_t k = strspn(p, "0123456789");
			if (k == 0 || k > 6)
				return false;
			p += k;
		}
	}
	int off = 0;
	if (*p == 'Z' && !p[1]) {
		off = 0;
	} else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
		int oh, om, k = 0;
		if (sscanf(p + 1, "%2d:%2d%n", &oh, &om, &k) != 2 || k != 5 || oh > 14 || om > 59)
			return false;
		off = (oh * 60 + om) * 60 * (*p == '-' ? -1 : 1);
	} else {
		return false;
	}
	if (hh > 23 || mm > 59 || hh < 0 || mm < 0)
		return false;
	*out = day_at(day, hh, mm) + ss + 8 * 3600 - off;
	return true;
}

/* Inside the transaction: the rows and the counters of one passage.  The passage row goes
 * first, so that a client id stored meanwhile (another writer's batch, or earlier in this
 * one) is found before anything else is written: *id stays 0 then. */
static werr passage_write(const actor *ac, passage *q, int64_t *id, int64_t *alert)
{
	int64_t now = now_s(), visitor_id = 0;
	werr e;
	*alert = 0;
	*id = 0;
	char *reasons = json_dumps(q->reasons, JSON_COMPACT | JSON_ENSURE_ASCII);
	db_stmt *s = db_get(ac->d, SQL_PASSAGE_INSERT);
	db_bind_int(s, 1, q->g.id);
	db_bind_int(s, 2, q->g.unit_id);
	db_bind_text(s, 3, q->day);
	db_bind_int(s, 4, q->at);
	db_bind_text(s, 5, q->direction);
	db_bind_text(s, 6, q->kind);
	db_bind_int(s, 7, q->has_visitor && q->v.goods_only);
	if (q->p.id) {
		db_bind_int(s, 8, q->p.id);
		db_bind_int(s, 9, q->p.household_id);
	}
	if (q->pass.id)
		db_bind_int(s, 10, q->pass.id);
	db_bind_double(s, 11, q->temp);
	db_bind_text(s, 12, q->purpose);
	db_bind_int(s, 13, q->allowed);
	db_bind_text(s, 14, reasons ? reasons : "[]");
	free(reasons);
	db_bind_text(s, 15, q->client_id);
	if (ac->user_id)
		db_bind_int(s, 16, ac->user_id);
	db_bind_int(s, 17, now);
	if (q->sp.found)
		db_bind_int(s, 18, q->sp.id);
	if ((e = db_run(s, id)))
		return e;
	if (!*id)
		return WG_OK; /* the client id is stored already */
	if (q->sp.found && q->allowed) {
		s = db_get(ac->d, SQL_STAFF_PASS_USED);
		db_bind_int(s, 1, q->sp.id);
		db_bind_int(s, 2, q->at);
		if ((e = db_run(s, NULL)))
			return e;
	}
	if (q->has_visitor) {
		s = db_get(ac->d, SQL_VISITOR_INSERT);
		db_bind_text(s, 1, q->v.kind);
		db_bind_text(s, 2, q->v.name);
		db_bind_text(s, 3, q->v.phone);
		db_bind_text(s, 4, q->v.id_number);
		db_bind_text(s, 5, q->v.company);
		db_bind_text(s, 6, q->v.plate);
		db_bind_text(s, 7, q->v.visiting);
		db_bind_text(s, 8, q->v.health_code);
		if (q->v.test_at)
			db_bind_int(s, 9, q->v.test_time);
		db_bind_text(s, 10, q->v.test_result);
		db_bind_int(s, 11, now);
		if ((e = db_run(s, &visitor_id)))
			return e;
	}
	const person *fp = q->p.id ? &q->p : (q->sperson.id ? &q->sperson : NULL);
	if (q->fever && fp) {
		bool opened;
		if ((e = alert_open(ac, fp->id, fp->household_id, fp->district_id, 0, q->day, true, q->temp, 0, alert, &opened)))
			return e;
	}
	if (visitor_id || *alert) {
		s = db_get(ac->d, SQL_PASSAGE_LINK);
		db_bind_int(s, 1, *id);
		if (visitor_id)
			db_bind_int(s, 2, visitor_id);
		if (*alert)
			db_bind_int(s, 3, *alert);
		if ((e = db_run(s, NULL)))
			return e;
	}
	/* the counters, kept with the passage */
	if (!q->allowed) {
		if ((e = count_add(ac->d, q->g.id, q->day, "refused")))
			return e;
		size_t i;
		json_t *r;
		json_array_foreach(q->reasons, i, r) {
			const char *key = arena_printf(ac->a, "refused:%s", json_string_value(json_object_get(r, "code")));
			if ((e = count_add(ac->d, q->g.id, q->day, key)))
				return e;
		}
	} else {
		const char *key = q->has_visitor && q->v.goods_only ? "goods" : arena_printf(ac->a, "%s:%s", q->direction, q->kind);
		if ((e = count_add(ac->d, q->g.id, q->day, key)))
			return e;
	}
	if (q->allowed && q->p.id) {
		bool out = !strcmp(q->direction, "out");
		/* who is outside follows the latest passage: an offline one synced late does not
		 * undo a later one already stored */
		s = db_get(ac->d, out ? SQL_OUTSIDE_SET : SQL_OUTSIDE_CLEAR);
		db_bind_int(s, 1, q->p.id);
		if (out) {
			db_bind_int(s, 2, q->home_unit);
			db_bind_int(s, 3, q->g.id);
			db_bind_int(s, 4, q->p.household_id);
			db_bind_int(s, 5, q->at);
			db_bind_int(s, 6, *id);
		} else {
			db_bind_int(s, 2, q->at);
		}
		if ((e = db_run(s, NULL)))
			return e;
		if (out && q->quota_counts) {
			s = db_get(ac->d, SQL_OUTING_ADD);
			db_bind_int(s, 1, q->p.household_id);
			db_bind_text(s, 2, q->day);
			if ((e = db_run(s, NULL)))
				return e;
		}
	}
	return audit(ac, "create", "passage", *id,
	             q->p.id        ? "gate,direction,resident,temperature,purpose"
	             : q->has_visitor ? "gate,direction,visitor,temperature,purpose"
	             : q->staff_token ? "gate,direction,staff_pass,temperature,purpose"
	                              : "gate,direction,pass,temperature",
	             q->allowed ? "ok" : "refused");
}

werr passage_prepare(const actor *ac, json_t *body, passage_plan **plan, json_t **stored_answer)
{
	static const char *const allowed[] = {"gate_id", "direction", "resident_id", "pass_token", "visitor",
	                                      "temperature", "purpose", "client_id", "captured_at", NULL};
	arena *a = ac->a;
	*plan = NULL;
	*stored_answer = NULL;
	passage *q = arena_alloc(a, sizeof *q);
	memset(q, 0, sizeof *q);
	int64_t gate_id;
	const char *token, *captured;
	werr e;
	if ((e = jv_only(body, allowed)) || (e = jv_int(body, "gate_id", true, 1, INT64_MAX, &gate_id, NULL)) ||
	    (e = jv_str(body, "direction", true, 3, &q->direction)) ||
	    (e = jv_int(body, "resident_id", false, 1, INT64_MAX, &q->rid, &q->has_rid)) ||
	    (e = jv_str(body, "pass_token", false, 64, &token)) || (e = jv_str(body, "purpose", false, 10, &q->purpose)) ||
	    (e = jv_str(body, "client_id", false, 64, &q->client_id)) ||
	    (e = jv_str(body, "captured_at", false, 40, &captured)))
		return e;
	if (strcmp(q->direction, "in") != 0 && strcmp(q->direction, "out") != 0)
		return w_fail(W_EINVAL, "invalid_direction", "direction", "direction: in or out");
	q->direction = arena_strdup(a, q->direction);
	if (q->client_id) {
		if (strspn(q->client_id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_:.") != strlen(q->client_id))
			return w_fail(W_EINVAL, "invalid_client_id", "client_id", "client_id: 1–64 of A-Z a-z 0-9 - _ : .");
		q->client_id = arena_strdup(a, q->client_id);
	}
	/* the moment of the passage: now, or when a phone that was offline took it down */
	int64_t now = now_s();
	q->at = now;
	if (captured) {
		if (!moment_parse(captured, &q->at))
			return w_fail(W_EINVAL, "invalid_captured_at", "captured_at",
			              "记录时间应为 ISO 8601，如 2026-12-06T08:30:00+08:00 / captured_at must be ISO 8601 with a zone");
		if (q->at > now + 600)
			return w_fail(W_EINVAL, "captured_in_future", "captured_at", "记录时间不能在将来 / captured_at is in the future");
		if (q->at < now - 72 * 3600)
			return w_fail(W_EINVAL, "captured_too_old", "captured_at",
			              "离线记录超过72小时，请改为手工登记 / an offline passage older than 72 hours cannot be synced");
		if (q->at > now)
			q->at = now;
	}
	day_of(q->at, q->day);
	if (!q->purpose)
		q->purpose = "other";
	if (!str_in_list(q->purpose, purposes))
		return w_fail(W_EINVAL, "invalid_purpose", "purpose", "purpose: medical work supplies other");
	q->purpose = arena_strdup(a, q->purpose);
	json_t *t = json_object_get(body, "temperature");
	if (!t || json_is_null(t))
		return w_fail(W_EINVAL, "required", "temperature", "出入一律测体温 / everyone in or out has a temperature taken");
	if (!json_is_number(t))
		return w_fail(W_EINVAL, "wrong_type", "temperature", "temperature must be a number (°C)");
	q->temp = json_number_value(t);
	if (!(q->temp >= 34.0 && q->temp <= 43.0))
		return w_fail(W_EINVAL, "out_of_range", "temperature", "体温应在 34.0–43.0 °C 之间 / temperature must be between 34.0 and 43.0 °C");
	q->temp = round(q->temp * 10.0) / 10.0;
	json_t *vj = json_object_get(body, "visitor");
	q->has_visitor = vj && !json_is_null(vj);
	int who = (q->has_rid || token) + q->has_visitor;
	if (token && token[0] == 's' && q->has_rid)
		who = 2;
	if (who != 1)
		return w_fail(W_EINVAL, who ? "one_person" : "required", "resident_id",
		              "一次登记一个人：居民（resident_id 或 pass_token）或访客（visitor） / one person: a resident or a visitor");
	if (q->has_visitor && (e = visitor_parse(a, vj, !strcmp(q->direction, "in"), &q->v)))
		return e;
	if ((e = gate_load(ac, gate_id, "gate_id", &q->g)))
		return e;
	/* a retry of a passage stored already is answered here, without the writer */
	if ((e = by_client(ac, q->client_id, gate_id, &q->stored)))
		return e;
	if (q->stored) {
		if ((e = passage_answer(ac, q->stored, stored_answer)))
			return e;
		json_object_set_new(*stored_answer, "duplicate", json_true());
		return WG_OK;
	}
	if (token && token[0] == 's') { /* a staff pass: checked in the writer's transaction */
		if (q->has_rid)
			return w_fail(W_EINVAL, "one_person", "resident_id",
			              "通行证登记持证人本人，不用选居民 / a staff pass names its holder: no resident_id");
		q->staff_token = arena_strdup(a, token);
		*plan = q;
		return WG_OK;
	}
	if (token) {
		q->token = arena_strdup(a, token);
		if ((e = pass_by_token(ac, q->token, &q->pass)) ||
		    (q->pass.exists && !q->pass.found && (e = gate_serves(ac, &q->g, q->pass.path, &q->pass.found))))
			return e;
		if (q->pass.found && !q->has_rid) { /* a household of one needs no choosing */
			db_stmt *s = db_get(ac->d, SQL_HH_LIVING_RESIDENTS);
			db_bind_int(s, 1, q->pass.household_id);
			int n = 0, rc;
			while ((rc = db_step(s, &e)) == DB_ROW)
				if (n++ == 0)
					q->rid = db_int(s, 0);
			db_done(s);
			if (rc < 0)
				return e;
			if (n != 1)
				return w_fail(W_EINVAL, "required", "resident_id", "请选择是这户的哪个人 / say which of the household passes");
			q->has_rid = true;
		}
		if (!q->pass.found)
			q->pass.id = 0;
	}
	if (q->has_rid) {
		bool served;
		if ((e = person_load(ac, q->rid, false, &q->p)) || (e = gate_serves(ac, &q->g, q->p.path, &served)))
			return e;
		if (!served) {
			audit(ac, "read", "status", q->rid, NULL, "denied");
			return w_fail(W_ENOTFOUND, "resident_not_found", "resident_id", "没有这个居民 / no such resident");
		}
	}
	*plan = q;
	return WG_OK;
}

werr passage_execute(const actor *ac, passage_plan *q, json_t **out)
{
	arena *a = ac->a;
	werr e;
	int64_t lock;
	if ((e = db_scalar(db_get(ac->d, SQL_PASSAGE_LOCK), &lock)))
		return e;
	/* the gate as it is now (its state may have changed since the request came in) */
	if ((e = gate_load(ac, q->g.id, "gate_id", &q->g)))
		return e;
	int64_t gate_level;
	if ((e = lockdown_level_any(ac->d, q->g.path, &gate_level)))
		return e;
	rules ru;
	if ((e = rules_load(ac->d, q->g.unit_id, &ru)))
		return e;
	q->reasons = json_array();
	if (q->staff_token) {
		if ((e = staff_by_token(ac, q->staff_token, &q->sp)) ||
		    (e = check_staff(ac, &q->g, &q->sp, q->at, &q->ssc, q->reasons)))
			goto out;
		if (q->sp.found && q->sp.resident_id && (e = person_load(ac, q->sp.resident_id, false, &q->sperson)))
			goto out;
	}
	if (q->token)
		check_pass(a, &q->pass, q->at, q->reasons);
	if (q->pass.found && q->p.id && q->pass.household_id != q->p.household_id)
		why(q->reasons, "pass_other_household", "出入证不是这户的。", "The pass belongs to another household.");
	/* the rules read what the passage will change (the household's outings, who is
	 * outside): the household locked for them until the batch commits */
	if (q->p.id) {
		db_stmt *s = db_get(ac->d, SQL_HH_LOCK_FOR_PASSAGE);
		db_bind_int(s, 1, q->p.household_id);
		int64_t locked;
		if ((e = db_scalar(s, &locked)))
			goto out;
	}
	q->kind = q->has_visitor ? q->v.kind : (q->staff_token ? "staff" : "resident");
	check_gate(a, &q->g, minute_of(q->at), true, q->has_visitor && q->v.plate, q->has_visitor && q->v.goods_only,
	           q->reasons);
	check_fever(a, true, q->temp, q->reasons);
	q->fever = reading_fever(true, q->temp, 0); /* the roll-call's one fever rule */
	bool served = false;
	const char *home_path = q->g.path;
	q->home_unit = q->g.unit_id;
	if (q->p.id && (e = serving_compound(ac, &q->g, q->p.path, &q->home_unit, &home_path, &served)))
		goto out;
	if (served && q->home_unit != q->g.unit_id && /* a neighbour's resident: their compound's rules */
	    (e = rules_load(ac->d, q->home_unit, &ru)))
		goto out;
	if (q->p.id) {
		if (q->p.moved_out || !served)
			why(q->reasons, "not_resident_here", "不是本小区居民，请按访客登记。",
			    "Not a resident of this compound: register as a visitor.");
		else if (!strcmp(q->direction, "out") &&
		         (e = check_resident_out(ac, home_path, &ru, &q->p, q->purpose, q->at, q->reasons, &q->quota_counts)))
			goto out;
	} else if (q->has_visitor && !strcmp(q->direction, "in")) {
		check_visitor_in(a, gate_level, &ru, &q->v, q->at, q->reasons);
	} else if (q->sperson.id && !strcmp(q->direction, "out") && (e = check_watch(ac, q->sperson.id, q->reasons))) {
		goto out; /* a holder under isolation or observation stays in, pass or not */
	}
	q->allowed = json_array_size(q->reasons) == 0 && (q->p.id || q->has_visitor || q->sp.found);
	if ((e = passage_write(ac, q, &q->id, &q->alert)))
		goto out;
	if (!q->id) { /* the same client id, stored meanwhile: its answer */
		q->duplicate = true;
		int64_t stored;
		if ((e = by_client(ac, q->client_id, q->g.id, &stored)))
			goto out;
		if (!stored) {
			e = w_fail(W_EBUSY, "retry", "client_id", "请重试 / try again");
			goto out;
		}
		q->id = stored;
	}
	if ((e = passage_answer(ac, q->id, out)))
		goto out;
	json_object_set_new(*out, "duplicate", json_boolean(q->duplicate));
out:
	json_decref(q->reasons);
	q->reasons = NULL;
	return e;
}

void passage_after(const actor *ac, passage_plan *q)
{
	if (q->duplicate || !q->id)
		return;
	/* the dashboards' live tile: which gate, which way, allowed or not — no person */
	bus_publish_json(q->g.path, "passage",
	            json_pack("{s:I,s:s,s:s,s:s,s:s,s:b}", "gate_id", (json_int_t)q->g.id, "gate", q->g.name, "unit",
	                      q->g.unit_code, "direction", q->direction, "kind", q->kind ? q->kind : "resident", "allowed",
	                      q->allowed));
	if (q->alert) {
		const char *path;
		json_t *ev = alert_event_json(ac->d, ac->a, q->alert, 0, &path);
		if (ev)
			bus_publish_json(path, "alert", ev);
	}
}

werr passage_record(const actor *ac, json_t *body, json_t **out)
{
	passage_plan *q;
	werr e = passage_prepare(ac, body, &q, out);
	if (e || *out)
		return e;
	if ((e = db_begin(ac->d)))
		return e;
	if ((e = passage_execute(ac, q, out)) || (e = db_commit(ac->d))) {
		json_decref(*out);
		*out = NULL;
		db_rollback(ac->d);
		return e;
	}
	passage_after(ac, q);
	return WG_OK;
}

werr passage_list(const actor *ac, int64_t gate_id, const char *day_in, int64_t limit, int64_t offset, json_t **out)
{
	char day[11];
	gate_row g;
	werr e;
	if ((e = day_param(day_in, day)) || (e = gate_load(ac, gate_id, "gate", &g)))
		return e;
	db_stmt *s = db_get(ac->d, SQL_PASSAGE_COUNT);
	db_bind_int(s, 1, gate_id);
	db_bind_text(s, 2, day);
	int64_t total = 0;
	if ((e = db_scalar(s, &total)))
		return e;
	s = db_get(ac->d, SQL_PASSAGE_LIST);
	db_bind_int(s, 1, gate_id);
	db_bind_text(s, 2, day);
	db_bind_int(s, 3, limit);
	db_bind_int(s, 4, offset);
	json_t *items = json_array();
	int rc;
	while ((rc = db_step(s, &e)) == DB_ROW)
		json_array_append_new(items, passage_json(ac, s));
	db_done(s);
	if (rc < 0 || (e = audit(ac, "read", "passage", gate_id, arena_printf(ac->a, "name,room,id_number day:%s", day), "ok"))) {
		json_decref(items);
		return e;
	}
	*out = json_pack("{s:o,s:s,s:I,s:o}", "gate", gate_json(ac->a, &g), "day", day, "total", (json_int_t)total, "items",
	                 items);
	return WG_OK;
}

/* ---- what is happening now ---- */

/* A gate's counters of a day: {key: n}; adds them to sum when given. */
static json_t *gate_counts_json(db *d, int64_t gate_id, const char *day, json_t *sum)
{
	json_t *o = json_object();
	db_stmt *s = db_get(d, SQL_GATE_COUNTS);
	db_bind_int(s, 1, gate_id);
	db_bind_text(s, 2, day);
	werr e;
	while (db_step(s, &e) == DB_ROW) {
		const char *k = db_text(s, 0);
		json_int_t n = (json_int_t)db_int(s, 1);
		json_object_set_new(o, k, json_integer(n));
		if (sum)
			json_object_set_new(sum, k, json_integer(json_integer_value(json_object_get(sum, k)) + n));
	}
	db_done(s);
	return o;
}

werr gate_now(const actor *ac, int64_t id, const char *day_in, json_t **out)
{
	char day[11];
	gate_row g;
	werr e;
	if ((e = day_param(day_in, day)) || (e = gate_load(ac, id, "gate_id", &g)))
		return e;
	db_stmt *s = db_get(ac->d, SQL_OUTSIDE_COUNT_GATE);
	db_bind_int(s, 1, g.id);
	int64_t outside = 0;
	if ((e = db_scalar(s, &outside)))
		return e;
	*out = json_pack("{s:o,s:s,s:o,s:I,s:o}", "gate", gate_json(ac->a, &g), "day", day, "counts",
	                 gate_counts_json(ac->d, g.id, day, NULL), "outside", (json_int_t)outside, "history",
	                 gate_history_json(ac->d, g.id));
	return WG_OK;
}

werr compound_now(const actor *ac, const char *code, const char *day_in, bool people_too, json_t **out)
{
	char day[11];
	unit_row u;
	werr e;
	if ((e = day_param(day_in, day)) || (e = unit_find(ac, code, &u)))
		return e;
	rules ru;
	if ((e = rules_load(ac->d, u.id, &ru)))
		return e;
	json_t *gates = json_array(), *sum = json_object();
	db_stmt *s = db_get(ac->d, SQL_GATE_LIST);
	/* this unit's own gates: the range of its path alone would take the units below too */
	db_bind_text(s, 1, u.path);
	db_bind_text(s, 2, scope_upper(ac->a, u.path));
	gate_row rows[64];
	int n = 0, rc;
	while ((rc = db_step(s, &e)) == DB_ROW && n < 64) {
		gate_row g;
		gate_from(ac->a, s, &g);
		if (g.unit_id == u.id)
			rows[n++] = g;
	}
	db_done(s);
	if (rc < 0)
		goto fail;
	for (int i = 0; i < n; i++) {
		json_t *gj = gate_json(ac->a, &rows[i]);
		json_object_set_new(gj, "counts", gate_counts_json(ac->d, rows[i].id, day, sum));
		json_array_append_new(gates, gj);
	}
	s = db_get(ac->d, SQL_OUTSIDE_COUNT);
	db_bind_int(s, 1, u.id);
	int64_t outside = 0;
	if ((e = db_scalar(s, &outside)))
		goto fail;
	json_t *people = json_array();
	int64_t now = now_s(), overdue = 0;
	s = db_get(ac->d, SQL_OUTSIDE_LIST);
	db_bind_int(s, 1, u.id);
	while (people_too && (rc = db_step(s, &e)) == DB_ROW) {
		char since[32];
		fmt_time(db_int(s, 1), since);
		bool late = ru.outing_minutes > 0 && now - db_int(s, 1) > ru.outing_minutes * 60;
		overdue += late;
		bool ent = !strcmp(db_text(s, 5), "entrance");
		json_array_append_new(people, json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:b}", "resident_id", (json_int_t)db_int(s, 0),
		                                        "since", since, "gate", db_text(s, 2), "name", db_text(s, 3), "building",
		                                        ent ? db_text(s, 7) : db_text(s, 6), "room", db_text(s, 4), "overdue", late));
	}
	db_done(s);
	if (rc < 0 || (people_too && (e = audit(ac, "read", "outside", u.id, "name,room", "ok")))) {
		json_decref(people);
		goto fail;
	}
	int64_t level;
	if ((e = lockdown_level_any(ac->d, u.path, &level))) {
		json_decref(people);
		goto fail;
	}
	*out = json_pack("{s:s,s:s,s:s,s:s,s:o,s:I,s:o,s:o,s:{s:I,s:I,s:o}}", "unit", u.code, "name", u.name, "kind", u.kind,
	                 "day", day, "rules", rules_json(&ru), "lockdown_level", (json_int_t)level, "gates", gates, "counts",
	                 sum, "outside", "count", (json_int_t)outside, "overdue", (json_int_t)overdue, "people", people);
	return WG_OK;
fail:
	json_decref(gates);
	json_decref(sum);
	return e;
}

/* ---- household passes ---- */

static json_t *pass_json(const pass_row *p)
{
	char created[32], revoked[32];
	fmt_time(p->created_at, created);
	if (p->revoked_at)
		fmt_time(p->revoked_at, revoked);
	return json_pack("{s:I,s:I,s:s,s:s,s:s,s:o,s:s,s:s}", "id", (json_int_t)p->id, "household_id",
	                 (json_int_t)p->household_id, "valid_from", p->valid_from, "valid_to", p->valid_to, "created_at",
	                 created, "revoked_at", p->revoked_at ? json_string(revoked) : json_null(), "building",
	                 p->building ? p->building : "", "room", p->room ? p->room : "");
}

werr pass_issue(const actor *ac, int64_t hid, json_t *body, json_t **out)
{
	static const char *const allowed[] = {"days", NULL};
	int64_t days = 14;
	werr e;
	if ((e = jv_only(body, allowed)) || (e = jv_int(body, "days", false, 1, 90, &days, NULL)))
		return e;
	db_stmt *s = db_get(ac->d, SQL_HH_LIVING);
	db_bind_int(s, 1, hid);
	int rc = db_step(s, &e);
	const char *path = rc == DB_ROW && db_null(s, 1) ? arena_strdup(ac->a, db_text(s, 0)) : NULL;
	db_done(s);
	if (rc < 0)
		return e;
	if (!path || !actor_in_scope(ac, path))
		return w_fail(W_ENOTFOUND, "household_not_found", "household_id", "没有这户 / no such household");
	char token[33], th[65], from[11], to[11];
	random_hex(token, 16);
	hash_hex(token, th);
	today_str(from);
	day_add(from, (int)days - 1, to);
	int64_t now = now_s(), id = 0;
	if ((e = db_begin(ac->d)))
		return e;
	s = db_get(ac->d, SQL_PASS_REVOKE_HH); /* one pass per household: a new card voids the old */
	db_bind_int(s, 1, hid);
	db_bind_int(s, 2, now);
	if (ac->user_id)
		db_bind_int(s, 3, ac->user_id);
	if ((e = db_run(s, NULL)))
		goto fail;
	s = db_get(ac->d, SQL_PASS_INSERT);
	db_bind_text(s, 1, th);
	db_bind_int(s, 2, hid);
	db_bind_text(s, 3, from);
	db_bind_text(s, 4, to);
	db_bind_int(s, 5, now);
	if (ac->user_id)
		db_bind_int(s, 6, ac->user_id);
	if ((e = db_run(s, &id)) || (e = audit(ac, "create", "household_pass", id, "household,valid", "ok")) ||
	    (e = db_commit(ac->d)))
		goto fail;
	pass_row p;
	s = db_get(ac->d, SQL_PASS_GET);
	db_bind_int(s, 1, id);
	if ((e = pass_load(ac, s, &p)))
		return e;
	*out = pass_json(&p);
	json_object_set_new(*out, "token", json_string(token));
	char *svg = qr_svg(token, 200, NULL);
	json_object_set_new(*out, "svg", jv_text(svg));
	free(svg);
	return WG_OK;
fail:
	db_rollback(ac->d);
	return e;
}

werr pass_revoke(const actor *ac, int64_t pass_id, json_t **out)
{
	pass_row p;
	db_stmt *s = db_get(ac->d, SQL_PASS_GET);
	db_bind_int(s, 1, pass_id);
	werr e = pass_load(ac, s, &p);
	if (e)
		return e;
	if (!p.found)
		return w_fail(W_ENOTFOUND, "pass_not_found", "pass_id", "没有这张出入证 / no such pass");
	if (!p.revoked_at) {
		if ((e = db_begin(ac->d)))
			return e;
		s = db_get(ac->d, SQL_PASS_REVOKE);
		db_bind_int(s, 1, pass_id);
		db_bind_int(s, 2, now_s());
		if (ac->user_id)
			db_bind_int(s, 3, ac->user_id);
		if ((e = db_run(s, NULL)) || (e = audit(ac, "update", "household_pass", pass_id, "revoked", "ok")) ||
		    (e = db_commit(ac->d))) {
			db_rollback(ac->d);
			return e;
		}
		s = db_get(ac->d, SQL_PASS_GET);
		db_bind_int(s, 1, pass_id);
		if ((e = pass_load(ac, s, &p)))
			return e;
	}
	*out = pass_json(&p);
	return WG_OK;
}

/* A scanned staff pass at gate g: the pass as the guard may see it and its verdict here
 * (the holder's isolation, a fever and the gate's own state are checked on the passage). */
static werr staff_scan(const actor *ac, const gate_row *g, const char *token, json_t **out)
{
	staff_row p;
	staff_scope sc;
	json_t *r = json_array();
	werr e;
	if ((e = staff_by_token(ac, token, &p)) || (e = check_staff(ac, g, &p, now_s(), &sc, r))) {
		json_decref(r);
		return e;
	}
	char today[11];
	today_str(today);
	if ((e = audit(ac, "read", "staff_pass", p.found ? p.id : 0, "name,employer,phone", p.found ? "ok" : "unknown"))) {
		json_decref(r);
		return e;
	}
	*out = json_pack("{s:n,s:o,s:o,s:b,s:o}", "pass", "staff_pass", p.found ? staff_json(ac, &p, &sc, today) : json_null(),
	                 "reasons", r, "valid", json_array_size(r) == 0, "people", json_array());
	return WG_OK;
}

werr pass_scan(const actor *ac, json_t *body, json_t **out)
{
	static const char *const allowed[] = {"token", "gate_id", NULL};
	const char *token;
	int64_t gate_id;
	werr e;
	if ((e = jv_only(body, allowed)) || (e = jv_str(body, "token", true, 64, &token)) ||
	    (e = jv_int(body, "gate_id", true, 1, INT64_MAX, &gate_id, NULL)))
		return e;
	gate_row g;
	pass_row p;
	if ((e = gate_load(ac, gate_id, "gate_id", &g)))
		return e;
	if (token[0] == 's')
		return staff_scan(ac, &g, token, out);
	if ((e = pass_by_token(ac, token, &p)) || (p.exists && !p.found && (e = gate_serves(ac, &g, p.path, &p.found))))
		return e;
	json_t *pr = json_array();
	check_pass(ac->a, &p, now_s(), pr);
	if (!p.found) {
		*out = json_pack("{s:n,s:o,s:b,s:o}", "pass", "reasons", pr, "valid", false, "people", json_array());
		return audit(ac, "read", "household_pass", 0, "token", "unknown");
	}
	rules ru;
	if ((e = rules_load(ac->d, g.unit_id, &ru))) {
		json_decref(pr);
		return e;
	}
	json_t *people = json_array();
	db_stmt *s = db_get(ac->d, SQL_HH_LIVING_RESIDENTS);
	db_bind_int(s, 1, p.household_id);
	int64_t ids[32];
	int n = 0, rc;
	while ((rc = db_step(s, &e)) == DB_ROW && n < 32)
		ids[n++] = db_int(s, 0);
	db_done(s);
	for (int i = 0; rc >= 0 && i < n; i++) {
		person per;
		json_t *r = json_array();
		bool counts;
		bool served = false;
		int64_t hu;
		const char *hp;
		e = person_load(ac, ids[i], false, &per); /* of the pass's household, the guard's (above) */
		if (!e)
			e = serving_compound(ac, &g, per.path, &hu, &hp, &served);
		if (!e && !served)
			why(r, "not_resident_here", "不是本小区居民，请按访客登记。", "Not a resident of this compound: register as a visitor.");
		else if (!e)
			e = check_resident_out(ac, hp, &ru, &per, "supplies", now_s(), r, &counts);
		if (e) {
			json_decref(r);
			json_decref(people);
			json_decref(pr);
			return e;
		}
		db_stmt *o = db_get(ac->d, SQL_OUTSIDE_OF_RES);
		db_bind_int(o, 1, per.id);
		bool outside = db_step(o, &e) == DB_ROW;
		db_done(o);
		json_array_append_new(people, json_pack("{s:I,s:s,s:o,s:b,s:b,s:o}", "id", (json_int_t)per.id, "name", per.name,
		                                        "id_number", jv_text(actor_show_id(ac, per.id_number)), "outside",
		                                        outside, "may_go_out", json_array_size(r) == 0 && json_array_size(pr) == 0,
		                                        "reasons", r));
	}
	if (rc < 0 || (e = audit(ac, "read", "household_pass", p.id, "name,id_number", "ok"))) {
		json_decref(people);
		json_decref(pr);
		return e;
	}
	*out = json_pack("{s:o,s:o,s:b,s:o}", "pass", pass_json(&p), "reasons", pr, "valid", json_array_size(pr) == 0,
	                 "people", people);
	return WG_OK;
}

/* ---- the demo ---- */

werr gates_demo_qinghe(const actor *ac, int64_t unit_id)
{
	/* 青和居: the east and west parts had 5 gates; under closed management one stays open
	 * in each (west gate 5 is the one in the report), the others are merged or closed. */
	static const struct {
		const char *name;
		bool vehicles, goods;
		int into; /* 1-based index of the gate merged into; -1 closed; 0 open */
		const char *reason;
	} gates[] = {
	    {"东区1号门", true, true, 0, NULL},
	    {"东区2号门", false, false, 1, "封闭管理，东区只留1号门"},
	    {"西区3号门", true, false, -1, "封闭管理，水马封闭"},
	    {"西区4号门", false, false, 5, "封闭管理，西区只留5号门"},
	    {"西区5号门", false, true, 0, NULL},
	};
	int64_t ids[5] = {0}, now = now_s();
	werr e;
	for (int i = 0; i < 5; i++) {
		db_stmt *s = db_get(ac->d, SQL_GATE_INSERT);
		db_bind_int(s, 1, unit_id);
		db_bind_text(s, 2, gates[i].name);
		db_bind_int(s, 3, 1);
		db_bind_int(s, 4, gates[i].vehicles);
		db_bind_int(s, 5, gates[i].goods);
		db_bind_int(s, 8, now);
		if ((e = db_run(s, &ids[i])) || (e = history_add(ac, ids[i], "open", 0, "设立")))
			return e;
	}
	for (int i = 0; i < 5; i++) {
		if (!gates[i].into)
			continue;
		int64_t into = gates[i].into > 0 ? ids[gates[i].into - 1] : 0;
		const char *state = into ? "merged" : "closed";
		db_stmt *s = db_get(ac->d, SQL_GATE_SET_STATE);
		db_bind_int(s, 1, ids[i]);
		db_bind_text(s, 2, state);
		if (into)
			db_bind_int(s, 3, into);
		db_bind_int(s, 4, now);
		if ((e = db_run(s, NULL)) || (e = history_add(ac, ids[i], state, into, gates[i].reason)))
			return e;
	}
	/* Wuhan, 19 March 2020: one person of a household out a day, at most two hours */
	db_stmt *s = db_get(ac->d, SQL_RULES_SET);
	db_bind_int(s, 1, unit_id);
	db_bind_int(s, 2, 1);
	db_bind_int(s, 3, 1);
	db_bind_int(s, 4, 48);
	db_bind_int(s, 5, 120);
	db_bind_int(s, 6, now);
	return db_run(s, NULL);
}

werr gates_demo_qianjinxiang(const actor *ac, int64_t community, const char *cpath)
{
	static const char *const compounds[] = {"一号院", "二号院", "三号院", "四号院", "五号院", "六号院",
	                                        "七号院", "八号院", "九号院", "十号院", "十一号院"};
	/* 17 gates of 11 compounds into 8 checkpoints: each compound is served by an open gate
	 * of its own or by a neighbour's its gate was merged into */
	static const struct {
		int compound;
		const char *name;
		bool vehicles, goods;
		int into; /* 1-based gate merged into; -1 closed; 0 open (a checkpoint) */
	} gates[] = {
	    {0, "北门", true, true, 0},   {0, "南门", false, false, -1}, {1, "东门", false, false, 1},
	    {1, "西门", false, false, -1}, {2, "北门", true, true, 0},   {2, "南门", false, false, 5},
	    {3, "正门", true, true, 0},   {3, "侧门", false, false, -1}, {4, "东门", false, false, 7},
	    {4, "西门", false, false, -1}, {5, "北门", false, true, 0},  {5, "南门", false, false, 11},
	    {6, "大门", false, true, 0},  {7, "大门", true, true, 0},   {8, "大门", false, false, 14},
	    {9, "大门", false, true, 0},  {10, "大门", true, true, 0},
	};
	enum { NG = (int)(sizeof gates / sizeof gates[0]) };
	int64_t unit[11] = {0}, ids[NG] = {0}, now = now_s();
	werr e = WG_OK;
	/* the community's grids are its compounds */
	db_stmt *s = db_get(ac->d, SQL_UNIT_CHILDREN);
	db_bind_int(s, 1, community);
	db_bind_int(s, 2, 0);
	int n = 0, rc;
	while ((rc = db_step(s, &e)) == DB_ROW)
		if (n < 11 && !strcmp(db_text(s, 3), "grid"))
			unit[n++] = db_int(s, 0);
	db_done(s);
	if (rc < 0)
		return e;
	if (n < 11)
		return w_fail(W_EINTERNAL, "internal", NULL, "the qianjinxiang demo needs its 11 compounds");
	for (int i = 0; i < 11; i++) {
		s = db_get(ac->d, SQL_UNIT_RENAME);
		db_bind_int(s, 1, unit[i]);
		db_bind_text(s, 2, arena_printf(ac->a, "%s（第%d网格）", compounds[i], i + 1));
		db_bind_int(s, 3, now);
		if ((e = db_run(s, NULL)))
			return e;
	}
	for (int i = 0; i < NG; i++) {
		s = db_get(ac->d, SQL_GATE_INSERT);
		db_bind_int(s, 1, unit[gates[i].compound]);
		db_bind_text(s, 2, arena_printf(ac->a, "%s%s", compounds[gates[i].compound], gates[i].name));
		db_bind_int(s, 3, 1);
		db_bind_int(s, 4, gates[i].vehicles);
		db_bind_int(s, 5, gates[i].goods);
		db_bind_int(s, 8, now);
		if ((e = db_run(s, &ids[i])) || (e = history_add(ac, ids[i], "open", 0, "设立")))
			return e;
	}
	for (int i = 0; i < NG; i++) {
		if (!gates[i].into)
			continue;
		int64_t into = gates[i].into > 0 ? ids[gates[i].into - 1] : 0;
		const char *state = into ? "merged" : "closed";
		s = db_get(ac->d, SQL_GATE_SET_STATE);
		db_bind_int(s, 1, ids[i]);
		db_bind_text(s, 2, state);
		if (into)
			db_bind_int(s, 3, into);
		db_bind_int(s, 4, now);
		if ((e = db_run(s, NULL)) ||
		    (e = history_add(ac, ids[i], state, into, into ? "17个大门整合为8个卡口" : "17个大门整合为8个卡口，此门封闭")))
			return e;
	}
	/* closed management: out only for medical care, work or supplies; one outing of a
	 * household every two days; couriers show a health code and a negative test (48 h) */
	s = db_get(ac->d, SQL_LOCK_SET);
	db_bind_int(s, 1, community);
	db_bind_int(s, 2, 1);
	db_bind_int(s, 3, now);
	db_bind_text(s, 4, "封闭管理");
	if ((e = db_run(s, NULL)))
		return e;
	s = db_get(ac->d, SQL_LOCK_HISTORY_INSERT);
	db_bind_int(s, 1, community);
	db_bind_int(s, 2, now);
	db_bind_int(s, 4, 0);
	db_bind_int(s, 5, 1);
	db_bind_text(s, 6, "封闭管理");
	if ((e = db_run(s, NULL)))
		return e;
	for (int i = 0; i < 11; i++) {
		s = db_get(ac->d, SQL_RULES_SET);
		db_bind_int(s, 1, unit[i]);
		db_bind_int(s, 2, 1);
		db_bind_int(s, 3, 2);
		db_bind_int(s, 4, 48);
		db_bind_int(s, 5, 0);
		db_bind_int(s, 6, now);
		if ((e = db_run(s, NULL)))
			return e;
	}
	/* a pass for every household (the token is never kept: cards are printed by issuing
	 * again from the household's page, which voids this one) */
	char from[11], to[11];
	today_str(from);
	day_add(from, 13, to);
	int64_t hids_n = 0;
	s = db_get(ac->d, SQL_GATE_DEMO_HOUSEHOLDS);
	db_bind_text(s, 1, cpath);
	db_bind_text(s, 2, scope_upper(ac->a, cpath));
	int64_t cap = 2000000, *hids = arena_alloc(ac->a, (size_t)cap * sizeof *hids);
	while ((rc = db_step(s, &e)) == DB_ROW)
		if (hids_n < cap)
			hids[hids_n++] = db_int(s, 0);
	db_done(s);
	if (rc < 0)
		return e;
	for (int64_t i = 0; i < hids_n; i++) {
		char token[33], th[65];
		random_hex(token, 16);
		hash_hex(token, th);
		s = db_get(ac->d, SQL_PASS_INSERT);
		db_bind_text(s, 1, th);
		db_bind_int(s, 2, hids[i]);
		db_bind_text(s, 3, from);
		db_bind_text(s, 4, to);
		db_bind_int(s, 5, now);
		if ((e = db_run(s, NULL)))
			return e;
	}
	return WG_OK;
}

/* ---- visitors' personal data, kept only as long as the setting says ---- */

int gates_visitor_retention_days(db *d)
{
	int days = 28;
	db_stmt *s = db_get(d, SQL_SETTING_GET);
	db_bind_text(s, 1, "visitor_retention_days");
	werr e;
	if (db_step(s, &e) == DB_ROW) {
		double v;
		if (parse_num(db_text(s, 0), &v) && v >= 1 && v <= 365)
			days = (int)v;
	}
	db_done(s);
	return days;
}

/* The visitors found past their retention, erased inside the committer's transaction. */
typedef struct {
	int64_t now, ids[500];
	int n;
} erase_plan;

static werr erase_write(const actor *ac, void *plan)
{
	const erase_plan *p = plan;
	werr e;
	for (int i = 0; i < p->n; i++) {
		db_stmt *s = db_get(ac->d, SQL_VISITOR_ERASE);
		db_bind_int(s, 1, p->ids[i]);
		db_bind_int(s, 2, p->now);
		if ((e = db_run(s, NULL)) || (e = audit(ac, "erase", "visitor", p->ids[i],
		                                        "name,phone,id_number,company,plate,visiting", "ok")))
			return e;
	}
	return WG_OK;
}

int gates_tick(db *d, arena *a, int64_t now, tick_commit commit)
{
	int64_t before = now - (int64_t)gates_visitor_retention_days(d) * 86400;
	actor ac = {.d = d, .a = a, .username = "ticker", .role = ROLE_NONE, .unit_path = "/", .source = "ticker"};
	erase_plan *p = arena_alloc(a, sizeof *p);
	p->now = now;
	p->n = 0;
	int rc;
	werr e;
	db_stmt *s = db_get(d, SQL_VISITORS_DUE);
	db_bind_int(s, 1, before);
	while ((rc = db_step(s, &e)) == DB_ROW && p->n < 500)
		p->ids[p->n++] = db_int(s, 0);
	db_done(s);
	if (rc < 0 || p->n == 0)
		return 0;
	/* the writes where the caller commits (the writer's batch on SQLite: ticker.c) */
	if (commit(&ac, erase_write, p)) {
		w_clear();
		return 0;
	}
	return p->n;
}
