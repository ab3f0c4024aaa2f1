/* leads.c — leads (线索) about a household or a described person; see help.h.
 * Resolved like an agency list's rows (agency.c): matched to a resident, then confirmed
 * (which starts observation in the lead's category), rejected with a note, or registered
 * as a new resident.  Until then a lead is open and counted as unresolved. */
#include <string.h>

#include "core/jv.h"
#include "core/util.h"
#include "domain/epi.h"
#include "domain/people.h"
#include "domain/calendar.h"
#include "domain/tree.h"
#include "domain/help.h"
#include "domain/registry.h"
#include "domain/rollcall.h"
#include "domain/units.h"

static const char *const sources[] = {"worker", "hotline", NULL};
static const char *const lead_states[] = {"open", "matched", "confirmed", "rejected", "registered", "unresolved", NULL};
/* the categories a lead may start observation in */
static const char *const lead_categories[] = {"suspected", "fever_unexcluded", "close_contact", "secondary_contact",
                                              "travel_observation", NULL};

typedef struct {
	int64_t id, household_id, resident_id, reported_by, isolation_id, created_at, resolved_at, resolved_by;
	const char *described, *text, *source, *state, *category, *outcome, *day, *unit_code, *unit_name, *path, *room;
} lead_row;

static void lead_from(arena *a, db_stmt *s, lead_row *l)
{
#define T(i) (db_null(s, i) ? NULL : arena_strdup(a, db_text(s, i)))
#define I(i) (db_null(s, i) ? 0 : db_int(s, i))
	*l = (lead_row){.id = I(0), .household_id = I(1), .resident_id = I(2), .described = T(3), .text = T(4),
	                .source = T(5), .reported_by = I(6), .state = T(7), .category = T(8), .outcome = T(9),
	                .isolation_id = I(10), .day = T(11), .created_at = I(12), .resolved_at = I(13),
	                .resolved_by = I(14), .unit_code = T(15), .unit_name = T(16), .path = T(17), .room = T(18)};
#undef T
#undef I
}

static json_t *at_json(int64_t t)
{
	if (!t)
		return json_null();
	char b[32];
	fmt_time(t, b);
	return json_string(b);
}

static json_t *resident_brief(const actor *ac, int64_t id, werr *sink)
{
	if (!id)
		return json_null();
	person p;
	werr e = person_load(ac, id, false, &p);
	if (e) {
		if (e != W_ENOTFOUND && !*sink) /* a resident since removed is null; a failed read is not */
			*sink = e;
		else
			w_clear();
		return json_null();
	}
	return json_pack("{s:I,s:s,s:I}", "id", (json_int_t)id, "name", p.name, "household_id", (json_int_t)p.household_id);
}

static json_t *lead_json(const actor *ac, const lead_row *l, werr *sink)
{
	return json_pack("{s:I,s:s,s:s,s:o,s:o,s:o,s:s,s:s,s:o,s:s,s:o,s:o,s:o,s:s,s:o,s:o,s:o,s:b}", "id",
	                 (json_int_t)l->id, "unit", l->unit_code, "unit_name", l->unit_name, "household_id",
	                 l->household_id ? json_integer(l->household_id) : json_null(), "room", jv_text(l->room),
	                 "described", jv_text(l->described), "text", l->text, "source", l->source, "reported_by",
	                 user_brief(ac->d, l->reported_by, sink), "state", l->state, "category", jv_text(l->category),
	                 "resident", resident_brief(ac, l->resident_id, sink), "outcome", jv_text(l->outcome), "day", l->day,
	                 "created_at", at_json(l->created_at), "resolved_at", at_json(l->resolved_at), "resolved_by",
	                 user_brief(ac->d, l->resolved_by, sink), "open",
	                 !strcmp(l->state, "open") || !strcmp(l->state, "matched"));
}

static werr lead_load(const actor *ac, int64_t id, lead_row *l)
{
	db_stmt *s = db_get(ac->d, SQL_LEAD_GET);
	db_bind_int(s, 1, id);
	werr e = WG_OK;
	int rc = db_step(s, &e);
	if (rc == DB_ROW)
		lead_from(ac->a, s, l);
	db_done(s);
	if (rc < 0 && e)
		return e;
	if (rc != DB_ROW || !actor_in_scope(ac, l->path))
		return w_fail(W_ENOTFOUND, "lead_not_found", "id", "没有这条线索 / no such lead in your units");
	return WG_OK;
}

static werr lead_answer(const actor *ac, int64_t id, json_t **out)
{
	lead_row l;
	werr e = lead_load(ac, id, &l);
	if (e)
		return e;
	*out = lead_json(ac, &l, &e);
	if (e) {
		json_decref(*out);
		*out = NULL;
	}
	return e;
}

typedef struct {
	int64_t unit_id, household_id, reported_by;
	const char *described, *text, *source, *category, *client_id;
} lead_new;

static werr lead_insert(const actor *ac, const lead_new *n, int64_t *id)
{
	*id = 0;
	werr e;
	if (n->client_id) {
		db_stmt *s = db_get(ac->d, SQL_LEAD_BY_CLIENT);
		db_bind_text(s, 1, n->client_id);
		if ((e = db_scalar(s, id)) && e != W_ENOTFOUND)
			return e;
		w_clear();
		if (*id)
			return WG_OK;
	}
	char today[11];
	today_str(today);
	if ((e = db_begin(ac->d)))
		return e;
	db_stmt *s = db_get(ac->d, SQL_LEAD_INSERT);
	db_bind_int(s, 1, n->unit_id);
	if (n->household_id)
		db_bind_int(s, 2, n->household_id);
	db_bind_text(s, 3, n->described);
	db_bind_text(s, 4, n->text);
	db_bind_text(s, 5, n->source);
	if (n->reported_by)
		db_bind_int(s, 6, n->reported_by);
	db_bind_text(s, 7, n->category);
	db_bind_text(s, 8, today);
	db_bind_int(s, 9, now_s());
	db_bind_text(s, 10, n->client_id);
	if ((e = db_run(s, id)))
		goto fail;
	if (!strcmp(n->source, "hotline")) {
		s = db_get(ac->d, SQL_CALL_INSERT);
		db_bind_int(s, 1, n->unit_id);
		if (n->household_id)
			db_bind_int(s, 2, n->household_id);
		db_bind_text(s, 3, "lead");
		db_bind_int(s, 6, *id);
		db_bind_text(s, 7, today);
		db_bind_int(s, 8, now_s());
		if (ac->user_id)
			db_bind_int(s, 9, ac->user_id);
		if ((e = db_run(s, NULL)))
			goto fail;
	}
	if ((e = audit(ac, "create", "lead", *id, n->household_id ? "household_id,text" : "unit,text", "ok")) ||
	    (e = db_commit(ac->d)))
		goto fail;
	return WG_OK;
fail:
	db_rollback(ac->d);
	return e;
}

static werr category_check(const char *c)
{
	if (c && !str_in_list(c, lead_categories))
		return w_fail(W_EINVAL, "invalid_category", "category",
		              "category: suspected fever_unexcluded close_contact secondary_contact travel_observation");
	return WG_OK;
}

werr lead_create(const actor *ac, json_t *body, json_t **out)
{
	static const char *const allowed[] = {"unit", "household_id", "described", "text", "source", "category", "client_id", NULL};
	const char *unit;
	lead_new n = {.reported_by = ac->user_id};
	werr e;
	if ((e = jv_only(body, allowed)) || (e = jv_str(body, "unit", false, 64, &unit)) ||
	    (e = jv_int(body, "household_id", false, 1, INT64_MAX, &n.household_id, NULL)) ||
	    (e = jv_str(body, "described", false, 200, &n.described)) || (e = jv_str(body, "text", true, 500, &n.text)) ||
	    (e = jv_str(body, "source", true, 10, &n.source)) || (e = jv_str(body, "category", false, 30, &n.category)) ||
	    (e = jv_str(body, "client_id", false, 64, &n.client_id)) || (e = category_check(n.category)))
		return e;
	if (!str_in_list(n.source, sources))
		return w_fail(W_EINVAL, "invalid_source", "source", "source: worker hotline(居民从自报链接提交 / residents use their link)");
	if (n.household_id) {
		help_hh h;
		if ((e = help_household(ac, n.household_id, "household_id", &h)))
			return e;
		n.unit_id = h.unit_id;
	} else {
		if (!unit)
			return w_fail(W_EINVAL, "required", "unit", "须指明户或单位 / give household_id or unit");
		unit_row u;
		if ((e = unit_find(ac, unit, &u)))
			return e;
		n.unit_id = u.id;
	}
	int64_t id;
	if ((e = lead_insert(ac, &n, &id)))
		return e;
	return lead_answer(ac, id, out);
}

werr lead_link_create(const actor *ac, int64_t household, json_t *body, json_t **out)
{
	static const char *const allowed[] = {"described", "text", "anonymous", "client_id", NULL};
	lead_new n = {.source = "resident"};
	bool anonymous = false;
	werr e;
	if ((e = jv_only(body, allowed)) || (e = jv_str(body, "described", false, 200, &n.described)) ||
	    (e = jv_str(body, "text", true, 500, &n.text)) || (e = jv_bool(body, "anonymous", &anonymous, NULL)) ||
	    (e = jv_str(body, "client_id", false, 64, &n.client_id)))
		return e;
	help_hh h;
	if ((e = help_household(ac, household, "household_id", &h)))
		return e;
	/* the lead goes to the household's community (its grid when there is none), never to
	 * its entrance: an anonymous sender is not found again from where the lead landed */
	person p = {.path = h.path};
	werr sink = WG_OK;
	n.unit_id = help_ancestor(ac, p.path, "community", &sink);
	if (!n.unit_id && !sink)
		n.unit_id = help_ancestor(ac, p.path, "grid", &sink);
	if (sink)
		return sink;
	if (!n.unit_id)
		n.unit_id = h.unit_id;
	if (!anonymous)
		n.text = arena_printf(ac->a, "%s【报告人：%s】", n.text, help_address(ac->a, &h));
	/* an anonymous lead is audited as nobody from nowhere */
	actor who = *ac;
	if (anonymous) {
		who.username = "anonymous";
		who.source = "link";
		n.client_id = NULL; /* a client id could tie two leads to one phone */
	}
	int64_t id;
	if ((e = lead_insert(&who, &n, &id)))
		return e;
	*out = json_pack("{s:I,s:s,s:b}", "id", (json_int_t)id, "state", "open", "anonymous", anonymous);
	return WG_OK;
}

werr lead_list(const actor *ac, const char *unit, const char *state, int64_t limit, int64_t offset, json_t **out)
{
	if (state && !str_in_list(state, lead_states))
		return w_fail(W_EINVAL, "invalid_state", "state", "state: open matched confirmed rejected registered unresolved");
	unit_row u;
	werr e = unit_scope(ac, unit, &u);
	if (e)
		return e;
	const char *upper = scope_upper(ac->a, u.path);
	db_stmt *s = db_get(ac->d, SQL_LEAD_COUNT);
	db_bind_text(s, 1, u.path);
	db_bind_text(s, 2, upper);
	db_bind_text(s, 3, state ? state : "");
	int64_t total = 0;
	if ((e = db_scalar(s, &total)))
		return e;
	s = db_get(ac->d, SQL_LEAD_LIST);
	db_bind_text(s, 1, u.path);
	db_bind_text(s, 2, upper);
	db_bind_text(s, 3, state ? state : "");
	db_bind_int(s, 4, limit);
	db_bind_int(s, 5, offset);
	lead_row rows[200];
	size_t n = 0;
	while (n < 200 && db_step(s, &e) == DB_ROW)
		lead_from(ac->a, s, &rows[n++]);
	db_done(s);
	if (e)
		return e;
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, lead_json(ac, &rows[i], &e));
	if (e || (e = audit(ac, "list", "lead", 0, arena_printf(ac->a, "unit:%s results:%zu", u.code, n), "ok"))) {
		json_decref(items);
		return e;
	}
	*out = json_pack("{s:o,s:I,s:I,s:I}", "items", items, "total", (json_int_t)total, "limit", (json_int_t)limit,
	                 "offset", (json_int_t)offset);
	return WG_OK;
}

/* Observation for a confirmed lead: the category when the person has none (or was
 * cleared), and a home isolation from today (agency.c's rule for a list's row). */
static werr observe(const actor *ac, int64_t lead_id, const char *category, int64_t rid, int64_t *iso, const char **note)
{
	*iso = 0;
	const char *src = arena_printf(ac->a, "lead:%lld", (long long)lead_id);
	db_stmt *s = db_get(ac->d, SQL_ISO_ACTIVE_OF_RES);
	db_bind_int(s, 1, rid);
	int64_t active = 0;
	werr e;
	if ((e = db_scalar(s, &active)))
		return e;
	if (active) {
		*note = "already_observed";
		return WG_OK;
	}
	const char *cur;
	if ((e = epi_current(ac, rid, &cur)))
		return e;
	bool changed;
	static const struct {
		const char *category, *reason;
	} why[] = {{"fever_unexcluded", "symptoms"}, {"suspected", "symptoms"}, {"travel_observation", "travel_history"},
	           {"close_contact", "contact_tracing"}, {"secondary_contact", "contact_tracing"}};
	const char *reason = "other";
	for (size_t i = 0; i < sizeof why / sizeof why[0]; i++)
		if (!strcmp(why[i].category, category))
			reason = why[i].reason;
	if ((!cur || !strcmp(cur, "cleared")) &&
	    (e = epi_change_tx(ac, rid, category, reason, NULL, src, EPI_SKIP, &changed, NULL)))
		return e;
	char today[11];
	today_str(today);
	iso_req q = {.resident_id = rid, .kind = "home", .start_day = today, .source = src, .household = -1};
	return iso_start_tx(ac, &q, true, iso, NULL);
}

werr lead_resolve(const actor *ac, int64_t id, json_t *body, json_t **out)
{
	static const char *const allowed[] = {"action", "resident_id", "household_id", "name", "category", "note", NULL};
	const char *action, *name, *category, *note;
	int64_t rid = 0, hid = 0;
	werr e;
	if ((e = jv_only(body, allowed)) || (e = jv_str(body, "action", true, 20, &action)) ||
	    (e = jv_int(body, "resident_id", false, 1, INT64_MAX, &rid, NULL)) ||
	    (e = jv_int(body, "household_id", false, 1, INT64_MAX, &hid, NULL)) ||
	    (e = jv_str(body, "name", false, 50, &name)) || (e = jv_str(body, "category", false, 30, &category)) ||
	    (e = jv_str(body, "note", false, 500, &note)) || (e = category_check(category)))
		return e;
	lead_row l;
	if ((e = lead_load(ac, id, &l)))
		return e;
	const char *was = l.state ? l.state : "";
	if (strcmp(was, "open") != 0 && strcmp(was, "matched") != 0)
		return w_fail(W_ECONFLICT, "already_resolved", "action", "这条线索已处理 / this lead is already resolved (%s)", was);
	const char *new_state;
	if (!category)
		category = l.category;
	if (!strcmp(action, "match") || !strcmp(action, "confirm")) {
		if (!rid)
			rid = l.resident_id;
		if (!rid)
			return w_fail(W_EINVAL, "required", "resident_id", "须选择居民 / choose the resident (resident_id)");
		person p;
		if ((e = person_load(ac, rid, true, &p)))
			return e;
		new_state = !strcmp(action, "match") ? "matched" : "confirmed";
		if (!strcmp(new_state, "confirmed") && !category)
			return w_fail(W_EINVAL, "required", "category", "确认须选择观察类别 / confirm needs the category to observe in");
	} else if (!strcmp(action, "reject")) {
		if (!note)
			return w_fail(W_EINVAL, "required", "note", "排除须写明原因 / a rejection needs a note");
		new_state = "rejected";
		rid = 0;
	} else if (!strcmp(action, "register")) {
		if (!hid)
			return w_fail(W_EINVAL, "required", "household_id", "登记须选择户 / register needs household_id");
		if (!name)
			return w_fail(W_EINVAL, "required", "name", "登记须写姓名 / register needs the name");
		json_t *rb = json_pack("{s:I,s:s,s:s}", "household_id", (json_int_t)hid, "name", name, "residence", "living");
		json_t *created = NULL;
		e = res_create(ac, rb, &created);
		json_decref(rb);
		if (e)
			return e;
		rid = json_integer_value(json_object_get(created, "id"));
		json_decref(created);
		new_state = "registered";
	} else {
		return w_fail(W_EINVAL, "invalid_action", "action", "action: match confirm reject register");
	}
	int64_t iso = 0;
	const char *onote = NULL;
	if ((e = db_begin(ac->d)))
		return e;
	if (category && rid && strcmp(new_state, "matched") != 0 && (e = observe(ac, id, category, rid, &iso, &onote)))
		goto fail;
	db_stmt *s = db_get(ac->d, SQL_LEAD_RESOLVE);
	db_bind_int(s, 1, id);
	db_bind_text(s, 2, new_state);
	if (rid)
		db_bind_int(s, 3, rid);
	db_bind_text(s, 4, note ? note : onote);
	if (iso)
		db_bind_int(s, 5, iso);
	db_bind_text(s, 6, category);
	if (strcmp(new_state, "matched") != 0)
		db_bind_int(s, 7, now_s());
	if (ac->user_id && strcmp(new_state, "matched") != 0)
		db_bind_int(s, 8, ac->user_id);
	if ((e = db_run(s, NULL)))
		goto fail;
	if (db_changes(ac->d) != 1) {
		e = w_fail(W_ECONFLICT, "already_resolved", "action", "这条线索刚被处理 / the lead was resolved meanwhile");
		goto fail;
	}
	if ((e = audit(ac, "update", "lead", id, arena_printf(ac->a, "action:%s%s", action, rid ? ",resident_id" : ""), "ok")) ||
	    (e = db_commit(ac->d)))
		goto fail;
	if ((e = lead_answer(ac, id, out)))
		return e;
	json_object_set_new(*out, "isolation_id", iso ? json_integer(iso) : json_null());
	return WG_OK;
fail:
	db_rollback(ac->d);
	return e;
}
