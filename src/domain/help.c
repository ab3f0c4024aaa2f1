/* help.c — help requests and the hotline's calls; see help.h. */
#include "domain/help.h"

#include <stdlib.h>
#include <string.h>

#include "core/bus.h"
#include "core/jv.h"
#include "core/util.h"
#include "domain/files.h"
#include "domain/people.h"
#include "domain/calendar.h"
#include "domain/tree.h"
#include "domain/rollcall.h"
#include "domain/units.h"

/* Categories with their built-in limits in minutes (urgent, normal). */
static const struct {
	const char *category;
	int urgent, normal;
} limits[] = {
    {"medical", 30, 240},       {"medicine", 120, 720},     {"supplies", 240, 1440}, {"repairs", 240, 1440},
    {"counselling", 120, 1440}, {"transport", 30, 240},     {"other", 240, 1440},
};
static const char *const urgencies[] = {"urgent", "normal", NULL};
static const char *const channels[] = {"link", "visit", "hotline", NULL};
static const char *const open_states[] = {"new", "accepted", "in_progress", NULL};

/* The steps a request may take: from → the states it may enter. */
static const struct {
	const char *from;
	const char *to[4];
} steps[] = {
    {"new", {"accepted", "referred", NULL}},
    {"accepted", {"in_progress", "done", "referred", NULL}},
    {"in_progress", {"done", "referred", NULL}},
};

bool help_category_valid(const char *c)
{
	for (size_t i = 0; c && i < sizeof limits / sizeof limits[0]; i++)
		if (!strcmp(c, limits[i].category))
			return true;
	return false;
}

bool help_urgency_valid(const char *u)
{
	return u && str_in_list(u, urgencies);
}

int help_default_minutes(const char *category, const char *urgency)
{
	for (size_t i = 0; category && urgency && i < sizeof limits / sizeof limits[0]; i++)
		if (!strcmp(category, limits[i].category))
			return !strcmp(urgency, "urgent") ? limits[i].urgent : !strcmp(urgency, "normal") ? limits[i].normal : 0;
	return 0;
}

bool help_step_allowed(const char *from, const char *to)
{
	for (size_t i = 0; from && to && i < sizeof steps / sizeof steps[0]; i++)
		if (!strcmp(from, steps[i].from))
			for (int k = 0; steps[i].to[k]; k++)
				if (!strcmp(to, steps[i].to[k]))
					return true;
	return false;
}

bool help_overdue(const char *state, int64_t due_at, int64_t now)
{
	return state && str_in_list(state, open_states) && now >= due_at;
}

int64_t help_ancestor(const actor *ac, const char *path, const char *kind, werr *sink)
{
	int64_t id = 0;
	werr e = path_ancestor(ac->d, path, kind, &id, NULL);
	if (e && !*sink)
		*sink = e;
	return id;
}

bool help_minutes_key(const char *key)
{
	if (!key || strncmp(key, "help_minutes.", 13) != 0)
		return false;
	const char *c = key + 13, *dot = strchr(c, '.');
	if (!dot || dot - c >= 20)
		return false;
	char cat[20];
	memcpy(cat, c, (size_t)(dot - c));
	cat[dot - c] = 0;
	return help_category_valid(cat) && help_urgency_valid(dot + 1);
}

int help_minutes(db *d, const char *category, const char *urgency)
{
	int m = help_default_minutes(category, urgency);
	char key[64];
	snprintf(key, sizeof key, "help_minutes.%s.%s", category, urgency);
	db_stmt *s = db_get(d, SQL_SETTING_GET);
	db_bind_text(s, 1, key);
	werr e;
	if (db_step(s, &e) == DB_ROW && db_text(s, 0)) {
		char *end;
		long v = strtol(db_text(s, 0), &end, 10);
		if (!*end && v >= 1 && v <= 10080)
			m = (int)v;
	}
	db_done(s);
	return m;
}

/* ---- households ---- */

werr help_household(const actor *ac, int64_t id, const char *field, help_hh *h)
{
	*h = (help_hh){0};
	db_stmt *s = db_get(ac->d, SQL_HH_BY_ID);
	db_bind_int(s, 1, id);
	werr e = WG_OK;
	int rc = db_step(s, &e);
	if (rc == DB_ROW) {
		h->id = db_int(s, 0);
		h->unit_id = db_int(s, 1);
		h->room = arena_strdup(ac->a, db_text(s, 2));
		h->retired_at = db_null(s, 5) ? 0 : db_int(s, 5);
		h->unit_code = arena_strdup(ac->a, db_text(s, 8));
		h->unit_kind = arena_strdup(ac->a, db_text(s, 9));
		h->unit_name = arena_strdup(ac->a, db_text(s, 10));
		h->parent_name = db_null(s, 11) ? NULL : arena_strdup(ac->a, db_text(s, 11));
		h->path = arena_strdup(ac->a, db_text(s, 12));
	}
	db_done(s);
	if (rc < 0 && e)
		return e;
	if (rc != DB_ROW || !actor_in_scope(ac, h->path))
		return w_fail(W_ENOTFOUND, "household_not_found", field, "没有这户 / no such household in your units");
	return WG_OK;
}

static const char *address(arena *a, const char *kind, const char *name, const char *parent, const char *room)
{
	if (kind && !strcmp(kind, "entrance") && parent)
		return arena_printf(a, "%s%s %s", parent, name ? name : "", room ? room : "");
	return arena_printf(a, "%s %s", name ? name : "", room ? room : "");
}

const char *help_address(arena *a, const help_hh *h)
{
	return address(a, h->unit_kind, h->unit_name, h->parent_name, h->room);
}

/* ---- requests ---- */

typedef struct {
	int64_t id, household_id, worker_id, created_at, due_at, accepted_at, closed_at, created_by, merged_into, rating,
	    rated_at, escalated_at;
	const char *category, *urgency, *text, *channel, *state, *day, *rating_note, *unit_code, *path, *room, *unit_name,
	    *parent_name, *unit_kind;
} hreq;

static void hreq_from(arena *a, db_stmt *s, hreq *r)
{
#define T(i) (db_null(s, i) ? NULL : arena_strdup(a, db_text(s, i)))
#define I(i) (db_null(s, i) ? 0 : db_int(s, i))
	*r = (hreq){.id = I(0), .household_id = I(1), .category = T(2), .urgency = T(3), .text = T(4), .channel = T(5),
	            .state = T(6), .worker_id = I(7), .day = T(8), .created_at = I(9), .due_at = I(10),
	            .accepted_at = I(11), .closed_at = I(12), .created_by = I(13), .merged_into = I(14), .rating = I(15),
	            .rating_note = T(16), .rated_at = I(17), .unit_code = T(18), .path = T(19), .room = T(20),
	            .unit_name = T(21), .parent_name = T(22), .unit_kind = T(23), .escalated_at = I(24)};
#undef T
#undef I
}

static json_t *time_json(int64_t t)
{
	if (!t)
		return json_null();
	char b[32];
	fmt_time(t, b);
	return json_string(b);
}

/* The account one level above the request's worker: the grid's leader, else the
 * community's account. */
static json_t *escalated_to(const actor *ac, const char *path, werr *sink)
{
	person p = {.path = path};
	static const struct {
		const char *kind, *role;
	} up[] = {{"grid", "grid_leader"}, {"community", "community"}};
	for (size_t i = 0; i < sizeof up / sizeof up[0]; i++) {
		int64_t unit = help_ancestor(ac, p.path, up[i].kind, sink);
		if (!unit)
			continue;
		db_stmt *s = db_get(ac->d, SQL_USER_OF_ROLE_AT);
		db_bind_int(s, 1, unit);
		db_bind_text(s, 2, up[i].role);
		werr e = WG_OK;
		int rc = db_step(s, &e);
		int64_t id = rc == DB_ROW ? db_int(s, 0) : 0;
		db_done(s);
		if (rc < 0 && !*sink)
			*sink = e;
		if (id) {
			json_t *o = user_brief(ac->d, id, sink);
			if (json_is_object(o))
				json_object_set_new(o, "role", json_string(up[i].role));
			return o;
		}
	}
	return json_null();
}

static json_t *steps_json(db *d, int64_t id, werr *sink)
{
	json_t *arr = json_array();
	db_stmt *s = db_get(d, SQL_HR_STEPS);
	db_bind_int(s, 1, id);
	werr e = WG_OK;
	int rc;
	while ((rc = db_step(s, &e)) == DB_ROW)
		json_array_append_new(arr, json_pack("{s:o,s:s,s:o,s:o,s:o,s:o}", "at", time_json(db_int(s, 0)), "state",
		                                     db_text(s, 1), "note", jv_text(db_text(s, 2)), "referred_to",
		                                     jv_text(db_text(s, 3)), "by", jv_text(db_text(s, 4)), "by_name",
		                                     jv_text(!db_null(s, 4)                        ? db_text(s, 5)
		                                             : !strcmp(db_text(s, 1), "escalated") ? "系统 / system"
		                                                                                   : "住户 / household")));
	db_done(s);
	if (rc < 0 && !*sink)
		*sink = e;
	return arr;
}

static json_t *hreq_json(const actor *ac, const hreq *r, int64_t now, werr *sink)
{
	bool overdue = help_overdue(r->state, r->due_at, now);
	return json_pack("{s:I,s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:s,s:o,s:o,s:b,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:I,s:o}", "id",
	                 (json_int_t)r->id, "household_id", (json_int_t)r->household_id, "unit", r->unit_code, "address",
	                 address(ac->a, r->unit_kind, r->unit_name, r->parent_name, r->room), "category", r->category,
	                 "urgency", r->urgency, "text", r->text, "channel", r->channel, "state", r->state, "worker",
	                 user_brief(ac->d, r->worker_id, sink), "day", r->day, "created_at", time_json(r->created_at), "due_at",
	                 time_json(r->due_at), "overdue", overdue, "escalated_to",
	                 overdue ? escalated_to(ac, r->path, sink) : json_null(), "accepted_at", time_json(r->accepted_at),
	                 "closed_at", time_json(r->closed_at), "merged_into",
	                 r->merged_into ? json_integer(r->merged_into) : json_null(), "rating",
	                 r->rating ? json_integer(r->rating) : json_null(), "rating_note", jv_text(r->rating_note),
	                 "rated_at", time_json(r->rated_at), "minutes_left", (json_int_t)((r->due_at - now) / 60),
	                 "escalated_at", time_json(r->escalated_at));
}

static werr hreq_load(const actor *ac, int64_t id, const char *field, hreq *r)
{
	db_stmt *s = db_get(ac->d, SQL_HR_GET);
	db_bind_int(s, 1, id);
	werr e = WG_OK;
	int rc = db_step(s, &e);
	if (rc == DB_ROW)
		hreq_from(ac->a, s, r);
	db_done(s);
	if (rc < 0 && e)
		return e;
	if (rc != DB_ROW || !actor_in_scope(ac, r->path))
		return w_fail(W_ENOTFOUND, "request_not_found", field, "没有这条求助 / no such help request in your units");
	return WG_OK;
}

static werr step_add(const actor *ac, int64_t id, const char *state, const char *note, const char *referred_to)
{
	db_stmt *s = db_get(ac->d, SQL_HR_STEP_ADD);
	db_bind_int(s, 1, id);
	db_bind_int(s, 2, now_s());
	if (ac->user_id)
		db_bind_int(s, 3, ac->user_id);
	db_bind_text(s, 4, state);
	db_bind_text(s, 5, note);
	db_bind_text(s, 6, referred_to);
	return db_run(s, NULL);
}

static werr call_insert(const actor *ac, int64_t unit_id, int64_t household, const char *kind, const char *note,
                        int64_t request_id, int64_t lead_id, const char *client_id, int64_t *id)
{
	char today[11];
	today_str(today);
	db_stmt *s = db_get(ac->d, SQL_CALL_INSERT);
	db_bind_int(s, 1, unit_id);
	if (household)
		db_bind_int(s, 2, household);
	db_bind_text(s, 3, kind);
	db_bind_text(s, 4, note);
	if (request_id)
		db_bind_int(s, 5, request_id);
	if (lead_id)
		db_bind_int(s, 6, lead_id);
	db_bind_text(s, 7, today);
	db_bind_int(s, 8, now_s());
	if (ac->user_id)
		db_bind_int(s, 9, ac->user_id);
	db_bind_text(s, 10, client_id);
	return db_run(s, id);
}

/* An earlier request of this client id: *id, or 0; another household's is a conflict. */
static werr by_client(const actor *ac, const char *client_id, int64_t household, int64_t *id)
{
	*id = 0;
	if (!client_id)
		return WG_OK;
	db_stmt *s = db_get(ac->d, SQL_HR_BY_CLIENT);
	db_bind_text(s, 1, client_id);
	werr e = WG_OK;
	int rc = db_step(s, &e);
	int64_t hh = 0;
	if (rc == DB_ROW) {
		*id = db_int(s, 0);
		hh = db_int(s, 1);
	}
	db_done(s);
	if (rc < 0)
		return e;
	if (*id && hh != household)
		return w_fail(W_ECONFLICT, "client_id_reused", "client_id", "client_id 已用于另一户 / client_id names another household's request");
	return WG_OK;
}

typedef struct {
	const char *category, *urgency, *text, *channel, *client_id;
} hnew;

static werr hnew_check(json_t *body, bool link, int64_t *household, hnew *n)
{
	static const char *const allowed[] = {"household_id", "category", "urgency", "text", "channel", "client_id", NULL};
	static const char *const allowed_link[] = {"category", "urgency", "text", "client_id", NULL};
	werr e;
	*n = (hnew){0};
	if ((e = jv_only(body, link ? allowed_link : allowed)) ||
	    (!link && (e = jv_int(body, "household_id", true, 1, INT64_MAX, household, NULL))) ||
	    (e = jv_str(body, "category", true, 20, &n->category)) || (e = jv_str(body, "urgency", false, 10, &n->urgency)) ||
	    (e = jv_str(body, "text", true, 500, &n->text)) ||
	    (!link && (e = jv_str(body, "channel", true, 10, &n->channel))) ||
	    (e = jv_str(body, "client_id", false, 64, &n->client_id)))
		return e;
	if (!help_category_valid(n->category))
		return w_fail(W_EINVAL, "invalid_category", "category",
		              "category: medical medicine supplies repairs counselling transport other");
	if (!n->urgency)
		n->urgency = "normal";
	if (!help_urgency_valid(n->urgency))
		return w_fail(W_EINVAL, "invalid_urgency", "urgency", "urgency: urgent normal");
	if (link)
		n->channel = "link";
	else if (!str_in_list(n->channel, channels))
		return w_fail(W_EINVAL, "invalid_channel", "channel", "channel: link visit hotline");
	return WG_OK;
}

static werr hreq_answer(const actor *ac, int64_t id, json_t **out)
{
	hreq r;
	werr e = hreq_load(ac, id, "id", &r);
	if (e)
		return e;
	werr sink = WG_OK;
	*out = hreq_json(ac, &r, now_s(), &sink);
	json_object_set_new(*out, "steps", steps_json(ac->d, id, &sink));
	json_t *files = NULL;
	if ((e = files_list(ac, "help_request", id, &files)) && !sink)
		sink = e;
	json_object_set_new(*out, "files", files ? files : json_array());
	json_t *merged = json_array();
	json_object_set_new(*out, "merged", merged);
	db_stmt *s = db_get(ac->d, SQL_HR_MERGED_FROM);
	db_bind_int(s, 1, id);
	int64_t ids[64];
	size_t n = 0;
	int rc;
	while (n < 64 && (rc = db_step(s, &e)) == DB_ROW)
		ids[n++] = db_int(s, 0);
	db_done(s);
	if (rc < 0 && !sink)
		sink = e;
	for (size_t i = 0; i < n && !sink; i++) {
		hreq m;
		if ((e = hreq_load(ac, ids[i], "id", &m))) {
			if (e != W_ENOTFOUND) { /* one merged out of the caller's scope is left out */
				sink = e;
				break;
			}
			w_clear();
			continue;
		}
		json_t *o = hreq_json(ac, &m, now_s(), &sink);
		json_object_set_new(o, "steps", steps_json(ac->d, m.id, &sink));
		json_array_append_new(merged, o);
	}
	if (sink) {
		json_decref(*out);
		*out = NULL;
	}
	return sink;
}

static werr create_in(const actor *ac, const help_hh *h, const hnew *n, json_t **out, bool *fresh)
{
	int64_t id;
	werr e;
	*fresh = false;
	if ((e = by_client(ac, n->client_id, h->id, &id)))
		return e;
	if (id)
		return hreq_answer(ac, id, out);
	if (h->retired_at)
		return w_fail(W_EINVAL, "household_retired", "household_id", "这户已注销 / the household is retired");
	person p = {.path = h->path};
	int64_t worker = 0;
	if ((e = responsible_worker(ac, &p, &worker)))
		return e;
	int64_t now = now_s();
	int minutes = help_minutes(ac->d, n->category, n->urgency);
	char today[11];
	today_str(today);
	if ((e = db_begin(ac->d)))
		return e;
	db_stmt *s = db_get(ac->d, SQL_HR_INSERT);
	db_bind_int(s, 1, h->id);
	db_bind_int(s, 2, h->unit_id);
	db_bind_text(s, 3, n->category);
	db_bind_text(s, 4, n->urgency);
	db_bind_text(s, 5, n->text);
	db_bind_text(s, 6, n->channel);
	if (worker)
		db_bind_int(s, 7, worker);
	db_bind_text(s, 8, today);
	db_bind_int(s, 9, now);
	db_bind_int(s, 10, now + (int64_t)minutes * 60);
	if (ac->user_id)
		db_bind_int(s, 11, ac->user_id);
	db_bind_text(s, 12, n->client_id);
	if ((e = db_run(s, &id))) {
		db_rollback(ac->d);
		if (e == W_ECONFLICT && n->client_id) { /* the same client id, a moment earlier */
			w_clear();
			if ((e = by_client(ac, n->client_id, h->id, &id)) || !id)
				return e ? e : w_fail(W_ECONFLICT, "client_id_reused", "client_id", "client_id 已用 / client_id in use");
			return hreq_answer(ac, id, out);
		}
		return e;
	}
	if ((e = step_add(ac, id, "new", arena_printf(ac->a, "channel:%s", n->channel), NULL)) ||
	    (!strcmp(n->channel, "hotline") && (e = call_insert(ac, h->unit_id, h->id, "request", NULL, id, 0, NULL, NULL))) ||
	    (e = audit(ac, "create", "help_request", id, "household_id,category,urgency,text,channel", "ok")) ||
	    (e = db_commit(ac->d))) {
		db_rollback(ac->d);
		return e;
	}
	*fresh = true;
	bus_publish_json(h->path, "help_request",
	            json_pack("{s:I,s:s,s:s,s:s}", "id", (json_int_t)id, "category", n->category, "urgency", n->urgency,
	                      "address", help_address(ac->a, h)));
	return hreq_answer(ac, id, out);
}

werr help_create(const actor *ac, json_t *body, json_t **out, bool *fresh)
{
	int64_t household = 0;
	hnew n;
	help_hh h;
	werr e;
	*fresh = false;
	if ((e = hnew_check(body, false, &household, &n)) || (e = help_household(ac, household, "household_id", &h)))
		return e;
	return create_in(ac, &h, &n, out, fresh);
}

werr help_list(const actor *ac, const char *unit, const char *state, bool overdue, int64_t household, bool mine,
               int64_t limit, int64_t offset, json_t **out)
{
	static const char *const states[] = {"new", "accepted", "in_progress", "done", "referred", "merged", "open", NULL};
	if (state && !str_in_list(state, states))
		return w_fail(W_EINVAL, "invalid_state", "state", "state: new accepted in_progress done referred merged open");
	unit_row u;
	werr e = unit_scope(ac, unit, &u);
	if (e)
		return e;
	int64_t now = now_s();
	const char *upper = scope_upper(ac->a, u.path);
	int64_t total = 0;
	for (int pass = 0; pass < 2; pass++) {
		db_stmt *s = db_get(ac->d, pass ? SQL_HR_LIST : SQL_HR_COUNT);
		db_bind_text(s, 1, u.path);
		db_bind_text(s, 2, upper);
		db_bind_text(s, 3, state ? state : "");
		db_bind_int(s, 4, overdue);
		db_bind_int(s, 5, now);
		db_bind_int(s, 6, household);
		db_bind_int(s, 7, mine ? ac->user_id : 0);
		if (!pass) {
			if ((e = db_scalar(s, &total)))
				return e;
			continue;
		}
		db_bind_int(s, 8, limit);
		db_bind_int(s, 9, offset);
		json_t *items = json_array();
		int rc;
		werr sink = WG_OK;
		while ((rc = db_step(s, &e)) == DB_ROW) {
			hreq r;
			hreq_from(ac->a, s, &r);
			json_array_append_new(items, hreq_json(ac, &r, now, &sink));
		}
		db_done(s);
		/* each request's photos (a look-up by the files' owner key) */
		size_t i;
		json_t *it;
		json_array_foreach(items, i, it)
		{
			json_t *files = NULL;
			werr fe = rc < 0 || sink ? WG_OK : files_list(ac, "help_request", json_integer_value(json_object_get(it, "id")), &files);
			if (fe && !sink)
				sink = fe;
			json_object_set_new(it, "files", files ? files : json_array());
		}
		if (rc >= 0 && sink)
			rc = -1, e = sink;
		if (rc < 0 || (e = audit(ac, "list", "help_request", 0,
		                         arena_printf(ac->a, "unit:%s results:%zu", u.code, json_array_size(items)), "ok"))) {
			json_decref(items);
			return e;
		}
		*out = json_pack("{s:o,s:I,s:I,s:I}", "items", items, "total", (json_int_t)total, "limit", (json_int_t)limit, "offset",
		                 (json_int_t)offset);
	}
	return WG_OK;
}

werr help_get(const actor *ac, int64_t id, json_t **out)
{
	werr e = hreq_answer(ac, id, out);
	if (!e && (e = audit(ac, "read", "help_request", id, "", "ok"))) {
		json_decref(*out);
		*out = NULL;
	}
	return e;
}

/* A request's state as the app names it (the Chinese half of a refusal): "done" -> 已办结. */
static const char *state_zh(const char *state)
{
	static const char *const names[][2] = {{"new", "新登记"},       {"accepted", "已接单"}, {"in_progress", "办理中"},
	                                       {"done", "已办结"},      {"referred", "已转交"}, {"merged", "已合并"}};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (!strcmp(state, names[i][0]))
			return names[i][1];
	return state;
}

werr help_step(const actor *ac, int64_t id, json_t *body, json_t **out)
{
	static const char *const allowed[] = {"state", "note", "referred_to", NULL};
	const char *state, *note, *to;
	werr e;
	if ((e = jv_only(body, allowed)) || (e = jv_str(body, "state", true, 20, &state)) ||
	    (e = jv_str(body, "note", false, 500, &note)) || (e = jv_str(body, "referred_to", false, 100, &to)))
		return e;
	static const char *const targets[] = {"accepted", "in_progress", "done", "referred", NULL};
	if (!str_in_list(state, targets))
		return w_fail(W_EINVAL, "invalid_state", "state", "state: accepted in_progress done referred");
	if (!strcmp(state, "referred") && !to)
		return w_fail(W_EINVAL, "required", "referred_to", "转交须写明转给谁 / a referral names where it went");
	if (to && strcmp(state, "referred") != 0)
		return w_fail(W_EINVAL, "unexpected", "referred_to", "referred_to 只用于转交 / referred_to goes with state referred");
	hreq r;
	if ((e = hreq_load(ac, id, "id", &r)))
		return e;
	if (!help_step_allowed(r.state, state))
		return w_fail(W_ECONFLICT, "invalid_transition", "state", "这条求助%s，不能再改为%s / a request cannot go from %s to %s",
		              state_zh(r.state), state_zh(state), r.state, state);
	int64_t now = now_s();
	bool closes = !strcmp(state, "done") || !strcmp(state, "referred");
	if ((e = db_begin(ac->d)))
		return e;
	db_stmt *s = db_get(ac->d, SQL_HR_SET_STATE);
	db_bind_int(s, 1, id);
	db_bind_text(s, 2, state);
	db_bind_text(s, 3, r.state);
	db_bind_int(s, 4, now);
	if (closes)
		db_bind_int(s, 5, now);
	if ((e = db_run(s, NULL)))
		goto fail;
	if (db_changes(ac->d) != 1) {
		e = w_fail(W_ECONFLICT, "stale_state", "state", "这条求助刚被别人处理过,请刷新 / the request changed meanwhile");
		goto fail;
	}
	if ((e = step_add(ac, id, state, note, to)) ||
	    (e = audit(ac, "update", "help_request", id, arena_printf(ac->a, "state:%s%s", state, note ? ",note" : ""), "ok")) ||
	    (e = db_commit(ac->d)))
		goto fail;
	return hreq_answer(ac, id, out);
fail:
	db_rollback(ac->d);
	return e;
}

werr help_merge(const actor *ac, int64_t id, json_t *body, json_t **out)
{
	static const char *const allowed[] = {"into", "note", NULL};
	int64_t into;
	const char *note;
	werr e;
	if ((e = jv_only(body, allowed)) || (e = jv_int(body, "into", true, 1, INT64_MAX, &into, NULL)) ||
	    (e = jv_str(body, "note", false, 500, &note)))
		return e;
	if (into == id)
		return w_fail(W_EINVAL, "same_request", "into", "不能并入自己 / a request cannot merge into itself");
	hreq r, t;
	if ((e = hreq_load(ac, id, "id", &r)) || (e = hreq_load(ac, into, "into", &t)))
		return e;
	if (r.household_id != t.household_id)
		return w_fail(W_EINVAL, "other_household", "into", "只能合并同一户的求助 / only requests of the same household merge");
	if (!str_in_list(r.state, open_states))
		return w_fail(W_ECONFLICT, "closed", "id", "已办结的求助不能合并 / a closed request is not merged (%s)", r.state);
	if (!strcmp(t.state, "merged"))
		return w_fail(W_EINVAL, "merged", "into", "目标已被合并 / that request was itself merged");
	if ((e = db_begin(ac->d)))
		return e;
	db_stmt *s = db_get(ac->d, SQL_HR_MERGE);
	db_bind_int(s, 1, id);
	db_bind_int(s, 2, into);
	db_bind_int(s, 3, now_s());
	if ((e = db_run(s, NULL)))
		goto fail;
	if (db_changes(ac->d) != 1) {
		e = w_fail(W_ECONFLICT, "stale_state", "id", "这条求助刚被别人处理过 / the request changed meanwhile");
		goto fail;
	}
	if ((e = step_add(ac, id, "merged", note ? note : arena_printf(ac->a, "并入 #%lld", (long long)into), NULL)) ||
	    (e = step_add(ac, into, "merged_from", arena_printf(ac->a, "#%lld 并入本条", (long long)id), NULL)) ||
	    (e = audit(ac, "update", "help_request", id, arena_printf(ac->a, "merged_into:%lld", (long long)into), "ok")) ||
	    (e = db_commit(ac->d)))
		goto fail;
	return hreq_answer(ac, into, out);
fail:
	db_rollback(ac->d);
	return e;
}

/* ---- the household's link ---- */

static json_t *link_req_json(const actor *ac, const hreq *r, werr *sink)
{
	json_t *w = user_brief(ac->d, r->worker_id, sink);
	json_t *o = json_pack("{s:I,s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:b}", "id", (json_int_t)r->id, "category",
	                      r->category, "urgency", r->urgency, "text", r->text, "state", r->state, "worker_name",
	                      json_is_object(w) ? json_incref(json_object_get(w, "name")) : json_null(), "created_at",
	                      time_json(r->created_at), "closed_at", time_json(r->closed_at), "rating",
	                      r->rating ? json_integer(r->rating) : json_null(), "rating_note", jv_text(r->rating_note),
	                      "can_rate", (!strcmp(r->state, "done") || !strcmp(r->state, "referred")) && !r->rated_at);
	json_decref(w);
	json_t *st = steps_json(ac->d, r->id, sink);
	size_t i;
	json_t *x;
	json_array_foreach(st, i, x) json_object_del(x, "by"); /* staff usernames stay inside */
	json_object_set_new(o, "steps", st);
	json_t *files = NULL;
	werr e = files_list(ac, "help_request", r->id, &files);
	if (e && !*sink)
		*sink = e;
	if (files) /* who added a file stays inside too */
		json_array_foreach(files, i, x) json_object_del(x, "by");
	json_object_set_new(o, "files", files ? files : json_array());
	return o;
}

werr help_link_list(const actor *ac, int64_t household, json_t **out)
{
	db_stmt *s = db_get(ac->d, SQL_HR_OF_HOUSEHOLD);
	db_bind_int(s, 1, household);
	hreq rows[50];
	size_t n = 0;
	werr e = WG_OK;
	while (n < 50 && db_step(s, &e) == DB_ROW)
		hreq_from(ac->a, s, &rows[n++]);
	db_done(s);
	if (e)
		return e;
	json_t *items = json_array();
	werr sink = WG_OK;
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items, link_req_json(ac, &rows[i], &sink));
	if (sink) {
		json_decref(items);
		return sink;
	}
	*out = json_pack("{s:o}", "items", items);
	return WG_OK;
}

werr help_link_create(const actor *ac, int64_t household, json_t *body, json_t **out, bool *fresh)
{
	hnew n;
	help_hh h;
	int64_t unused = 0;
	werr e;
	*fresh = false;
	if ((e = hnew_check(body, true, &unused, &n)) || (e = help_household(ac, household, "household_id", &h)))
		return e;
	json_t *full = NULL;
	if ((e = create_in(ac, &h, &n, &full, fresh)))
		return e;
	int64_t id = json_integer_value(json_object_get(full, "id"));
	json_decref(full);
	hreq r;
	if ((e = hreq_load(ac, id, "id", &r)))
		return e;
	werr sink = WG_OK;
	*out = link_req_json(ac, &r, &sink);
	if (sink) {
		json_decref(*out);
		*out = NULL;
	}
	return sink;
}

werr help_link_rate(const actor *ac, int64_t household, int64_t id, json_t *body, json_t **out)
{
	static const char *const allowed[] = {"rating", "note", "resolved", NULL};
	int64_t rating;
	const char *note;
	bool resolved = true;
	werr e;
	if ((e = jv_only(body, allowed)) || (e = jv_int(body, "rating", true, 1, 5, &rating, NULL)) ||
	    (e = jv_str(body, "note", false, 300, &note)) || (e = jv_bool(body, "resolved", &resolved, NULL)))
		return e;
	hreq r;
	/* only the household's own request: any other is "not found" to this link */
	if ((e = hreq_load(ac, id, "id", &r)) || r.household_id != household)
		return e ? e : w_fail(W_ENOTFOUND, "request_not_found", "id", "没有这条求助 / no such help request");
	if (strcmp(r.state, "done") != 0 && strcmp(r.state, "referred") != 0)
		return w_fail(W_ECONFLICT, "not_closed", "rating", "办结后才能评价 / a request is rated once it is done");
	if ((e = db_begin(ac->d)))
		return e;
	db_stmt *s = db_get(ac->d, SQL_HR_RATE);
	db_bind_int(s, 1, id);
	db_bind_int(s, 2, rating);
	db_bind_text(s, 3, note);
	db_bind_int(s, 4, now_s());
	if ((e = db_run(s, NULL)))
		goto fail;
	if (db_changes(ac->d) != 1) {
		e = w_fail(W_ECONFLICT, "already_rated", "rating", "已评价过 / already rated");
		goto fail;
	}
	if (!resolved) { /* not solved after all: back to work, on the same (past) time limit */
		s = db_get(ac->d, SQL_HR_SET_STATE);
		db_bind_int(s, 1, id);
		db_bind_text(s, 2, "in_progress");
		db_bind_text(s, 3, r.state);
		db_bind_int(s, 4, now_s());
		if ((e = db_run(s, NULL)))
			goto fail;
	}
	if ((e = step_add(ac, id, resolved ? "rated" : "reopened",
	                  arena_printf(ac->a, "%lld★%s%s", (long long)rating, note ? " " : "", note ? note : ""), NULL)) ||
	    (e = audit(ac, "update", "help_request", id, resolved ? "rating" : "rating,reopened", "ok")) ||
	    (e = db_commit(ac->d)))
		goto fail;
	if ((e = hreq_load(ac, id, "id", &r)))
		return e;
	werr sink = WG_OK;
	*out = link_req_json(ac, &r, &sink);
	if (sink) {
		json_decref(*out);
		*out = NULL;
	}
	return sink;
fail:
	db_rollback(ac->d);
	return e;
}

/* ---- the hotline ---- */

werr call_log(const actor *ac, json_t *body, json_t **out)
{
	static const char *const allowed[] = {"kind", "household_id", "note", "client_id", NULL};
	static const char *const kinds[] = {"question", "other", NULL};
	const char *kind, *note, *client_id;
	int64_t household = 0;
	werr e;
	if ((e = jv_only(body, allowed)) || (e = jv_str(body, "kind", true, 20, &kind)) ||
	    (e = jv_int(body, "household_id", false, 1, INT64_MAX, &household, NULL)) ||
	    (e = jv_str(body, "note", false, 500, &note)) || (e = jv_str(body, "client_id", false, 64, &client_id)))
		return e;
	if (!str_in_list(kind, kinds))
		return w_fail(W_EINVAL, "invalid_kind", "kind",
		              "kind: question other(求助、线索随 POST /requests、/leads 记入 / requests and leads log their own call)");
	int64_t unit = ac->unit_id;
	if (household) {
		help_hh h;
		if ((e = help_household(ac, household, "household_id", &h)))
			return e;
		unit = h.unit_id;
	}
	if (!unit)
		return w_fail(W_EINVAL, "required", "household_id", "命令行记录来电须指定户 / give household_id");
	int64_t id = 0;
	if (client_id) {
		db_stmt *s = db_get(ac->d, SQL_CALL_BY_CLIENT);
		db_bind_text(s, 1, client_id);
		if ((e = db_scalar(s, &id)) && e != W_ENOTFOUND)
			return e;
		w_clear();
	}
	if (!id) {
		if ((e = db_begin(ac->d)))
			return e;
		if ((e = call_insert(ac, unit, household, kind, note, 0, 0, client_id, &id)) ||
		    (e = audit(ac, "create", "call", id, note ? "kind,note" : "kind", "ok")) || (e = db_commit(ac->d))) {
			db_rollback(ac->d);
			return e;
		}
	}
	*out = json_pack("{s:I,s:s,s:o}", "id", (json_int_t)id, "kind", kind, "household_id",
	                 household ? json_integer(household) : json_null());
	return WG_OK;
}

static werr day_or_today(const char *day, char out[11])
{
	if (!day) {
		today_str(out);
		return WG_OK;
	}
	werr e = day_valid(day, "day");
	if (!e)
		memcpy(out, day, 11);
	return e;
}

werr call_counts(const actor *ac, const char *unit, const char *day, json_t **out)
{
	char d[11];
	unit_row u;
	werr e;
	if ((e = day_or_today(day, d)) || (e = unit_scope(ac, unit, &u)))
		return e;
	db_stmt *s = db_get(ac->d, SQL_CALL_DAY_COUNTS);
	db_bind_text(s, 1, u.path);
	db_bind_text(s, 2, scope_upper(ac->a, u.path));
	db_bind_text(s, 3, d);
	json_t *by = json_object();
	json_int_t total = 0;
	int rc;
	while ((rc = db_step(s, &e)) == DB_ROW) {
		json_object_set_new(by, db_text(s, 0), json_integer(db_int(s, 1)));
		total += db_int(s, 1);
	}
	db_done(s);
	if (rc < 0) {
		json_decref(by);
		return e;
	}
	*out = json_pack("{s:s,s:s,s:I,s:o}", "unit", u.code, "day", d, "total", total, "by_kind", by);
	return WG_OK;
}

/* ---- counts per unit and day ---- */

static int cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

static json_t *median_min(int64_t *v, size_t n)
{
	if (!n)
		return json_null();
	qsort(v, n, sizeof v[0], cmp64);
	int64_t m = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	return json_integer((json_int_t)((m + 30) / 60));
}

werr help_counts(const actor *ac, const char *unit, const char *day, json_t **out)
{
	char d[11];
	unit_row u;
	werr e;
	if ((e = day_or_today(day, d)) || (e = unit_scope(ac, unit, &u)))
		return e;
	const char *upper = scope_upper(ac->a, u.path);
	int64_t now = now_s();
	json_t *by_cat = json_object(), *by_state = json_object();
	json_int_t total = 0, overdue_today = 0;
	db_stmt *s = db_get(ac->d, SQL_HR_DAY_COUNTS);
	db_bind_text(s, 1, u.path);
	db_bind_text(s, 2, upper);
	db_bind_text(s, 3, d);
	db_bind_int(s, 4, now);
	int rc;
	while ((rc = db_step(s, &e)) == DB_ROW) {
		const char *cat = db_text(s, 0), *st = db_text(s, 1);
		json_int_t n = db_int(s, 2);
		json_t *c = json_object_get(by_cat, cat);
		if (!c) {
			c = json_object();
			json_object_set_new(by_cat, cat, c);
		}
		json_object_set_new(c, st, json_integer(n));
		json_object_set_new(by_state, st, json_integer(json_integer_value(json_object_get(by_state, st)) + n));
		total += n;
		overdue_today += db_int(s, 3);
	}
	db_done(s);
	int64_t overdue = 0, unresolved = 0;
	json_t *calls = NULL;
	json_t *leads = json_object();
	if (rc < 0)
		goto fail;
	s = db_get(ac->d, SQL_HR_OVERDUE_COUNT);
	db_bind_text(s, 1, u.path);
	db_bind_text(s, 2, upper);
	db_bind_int(s, 3, now);
	if ((e = db_scalar(s, &overdue)))
		goto fail;
	/* median minutes to accept and to close, of the day's requests */
	int64_t acc[2048], clo[2048];
	size_t na = 0, nc = 0;
	s = db_get(ac->d, SQL_HR_TIMES);
	db_bind_text(s, 1, u.path);
	db_bind_text(s, 2, upper);
	db_bind_text(s, 3, d);
	while ((rc = db_step(s, &e)) == DB_ROW) {
		if (!db_null(s, 1) && na < 2048)
			acc[na++] = db_int(s, 1) - db_int(s, 0);
		if (!db_null(s, 2) && nc < 2048)
			clo[nc++] = db_int(s, 2) - db_int(s, 0);
	}
	db_done(s);
	if (rc < 0)
		goto fail;
	s = db_get(ac->d, SQL_LEAD_DAY_COUNTS);
	db_bind_text(s, 1, u.path);
	db_bind_text(s, 2, upper);
	db_bind_text(s, 3, d);
	while ((rc = db_step(s, &e)) == DB_ROW)
		json_object_set_new(leads, db_text(s, 0), json_integer(db_int(s, 1)));
	db_done(s);
	if (rc < 0)
		goto fail;
	s = db_get(ac->d, SQL_LEAD_UNRESOLVED);
	db_bind_text(s, 1, u.path);
	db_bind_text(s, 2, upper);
	if ((e = db_scalar(s, &unresolved)) || (e = call_counts(ac, u.code, d, &calls)))
		goto fail;
	json_t *notices = NULL;
	if ((e = notice_list(ac, u.code, &notices)))
		goto fail;
	*out = json_pack("{s:s,s:s,s:{s:I,s:o,s:o,s:I,s:I,s:o,s:o},s:o,s:{s:o,s:I},s:o}", "unit", u.code, "day", d,
	                 "requests", "total", total, "by_category", by_cat, "by_state", by_state, "overdue_today",
	                 overdue_today, "overdue_open", (json_int_t)overdue, "median_accept_minutes", median_min(acc, na),
	                 "median_close_minutes", median_min(clo, nc), "calls", calls, "leads", "by_state", leads,
	                 "unresolved", (json_int_t)unresolved, "notices", json_incref(json_object_get(notices, "items")));
	json_decref(notices);
	return WG_OK;
fail:
	json_decref(by_cat);
	json_decref(by_state);
	json_decref(leads);
	json_decref(calls);
	return e;
}

/* ---- photos of a request (files.h) ---- */

static werr req_for_files(const actor *ac, int64_t household, int64_t id, hreq *r)
{
	werr e = hreq_load(ac, id, "id", r);
	if (!e && household && r->household_id != household) /* a link sees its own requests only */
		e = w_fail(W_ENOTFOUND, "request_not_found", "id", "没有这条求助 / no such help request");
	return e;
}

werr help_file_add(const actor *ac, int64_t household, int64_t id, const char *name, const void *data, size_t len,
                   json_t **out, bool *fresh)
{
	hreq r;
	werr e = req_for_files(ac, household, id, &r);
	return e ? e : files_add(ac, "help_request", id, name, data, len, out, fresh);
}

werr help_file_get(const actor *ac, int64_t household, int64_t id, int64_t file, file_bytes *f)
{
	hreq r;
	werr e = req_for_files(ac, household, id, &r);
	return e ? e : files_get(ac, "help_request", id, file, f);
}

/* ---- escalation by the ticker ---- */

/* What the ticker found past its time limit: each request as read, whom it goes to, and
 * the step's note; hr_tick_write marks the ones it escalated. */
typedef struct {
	hreq r;
	const char *to_role, *who, *note;
	bool done;
} hr_due;
typedef struct {
	int64_t now;
	hr_due *due;
	size_t n;
} hr_plan;

/* The writes only, inside the committer's transaction (actor.h: it may run twice). */
static werr hr_tick_write(const actor *ac, void *plan)
{
	hr_plan *p = plan;
	werr e;
	for (size_t i = 0; i < p->n; i++) {
		hr_due *u = &p->due[i];
		u->done = false;
		db_stmt *s = db_get(ac->d, SQL_HR_ESCALATE);
		db_bind_int(s, 1, u->r.id);
		db_bind_int(s, 2, p->now);
		if ((e = db_run(s, NULL)))
			return e;
		if (db_changes(ac->d) != 1)
			continue; /* closed, or escalated, since it was found */
		if ((e = step_add(ac, u->r.id, "escalated", u->note, NULL)) ||
		    (e = audit(ac, "update", "help_request", u->r.id, "escalated_at", "ok")))
			return e;
		u->done = true;
	}
	return WG_OK;
}

int help_tick(db *d, arena *a, int64_t now, tick_commit commit)
{
	actor ac = {.d = d, .a = a, .username = "ticker", .role = ROLE_NONE, .unit_path = "/", .source = "ticker"};
	int64_t ids[200];
	size_t n = 0;
	werr e = WG_OK;
	int rc = DB_DONE;
	db_stmt *s = db_get(d, SQL_HR_ESCALATE_DUE);
	db_bind_int(s, 1, now);
	while (n < 200 && (rc = db_step(s, &e)) == DB_ROW)
		ids[n++] = db_int(s, 0);
	db_done(s);
	if (rc < 0) { /* the next tick tries again */
		w_clear();
		return 0;
	}
	if (!n)
		return 0;
	/* each request and whom it goes to, read here */
	hr_plan p = {.now = now, .due = arena_alloc(a, n * sizeof *p.due)};
	for (size_t i = 0; i < n; i++) {
		hr_due *u = &p.due[p.n];
		werr sink = WG_OK;
		json_t *to = NULL;
		if (hreq_load(&ac, ids[i], "id", &u->r) ||
		    ((to = escalated_to(&ac, u->r.path, &sink)), sink)) {
			json_decref(to);
			w_clear();
			continue; /* the next tick tries again */
		}
		const char *to_role = json_string_value(json_object_get(to, "role"));
		const char *who = json_string_value(json_object_get(to, "name"));
		u->to_role = to_role ? arena_strdup(a, to_role) : NULL;
		u->who = who ? arena_strdup(a, who) : NULL;
		u->note = arena_printf(a, "超过时限未办结,已上报%s / past its time limit: escalated to %s",
		                       who ? who : "上一级", who ? who : "the level above");
		json_decref(to);
		p.n++;
	}
	/* the writes where the caller commits (the writer's batch on SQLite: ticker.c) */
	if (!p.n || commit(&ac, hr_tick_write, &p)) {
		w_clear();
		return 0;
	}
	int done = 0;
	for (size_t i = 0; i < p.n; i++) {
		const hr_due *u = &p.due[i];
		if (!u->done)
			continue;
		/* announced at the household's unit: its worker, the grid's leader, the community
		 * and command see it — each may read the request itself */
		char due[32], at[32];
		fmt_time(u->r.due_at, due);
		fmt_time(now, at);
		bus_publish_json(
		    u->r.path, "escalated",
		    json_pack(
		        "{s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o}", "id", (json_int_t)u->r.id, "category",
		        u->r.category, "urgency", u->r.urgency, "state", u->r.state, "unit", u->r.unit_code,
		        "due_at", due, "escalated_at", at, "address",
		        jv_text(address(a, u->r.unit_kind, u->r.unit_name, u->r.parent_name, u->r.room)),
		        "to",
		        u->to_role ? json_pack("{s:s,s:o}", "role", u->to_role, "name", jv_text(u->who))
		                   : json_null()));
		done++;
	}
	return done;
}

/* ---- the daily report's section ---- */

werr help_report_day(const actor *ac, const char *code, const char *day, json_t **out)
{
	unit_row u;
	werr e = unit_find(ac, code, &u);
	if (e)
		return e;
	const char *upper = scope_upper(ac->a, u.path);
	static const char *const keys[] = {"received", "done", "overdue", "escalated"};
	json_int_t sum[4] = {0};
	json_t *by = json_object();
	db_stmt *s = db_get(ac->d, SQL_HR_REPORT_DAY);
	db_bind_text(s, 1, u.path);
	db_bind_text(s, 2, upper);
	db_bind_text(s, 3, day);
	db_bind_int(s, 4, now_s());
	int rc;
	while ((rc = db_step(s, &e)) == DB_ROW) {
		json_t *c = json_object();
		for (int k = 0; k < 4; k++) {
			json_object_set_new(c, keys[k], json_integer(db_int(s, k + 1)));
			sum[k] += db_int(s, k + 1);
		}
		json_object_set_new(by, db_text(s, 0), c);
	}
	db_done(s);
	int64_t leads = 0, confirmed = 0;
	if (rc >= 0) {
		s = db_get(ac->d, SQL_LEAD_REPORT_DAY);
		db_bind_text(s, 1, u.path);
		db_bind_text(s, 2, upper);
		db_bind_text(s, 3, day);
		if ((rc = db_step(s, &e)) == DB_ROW) {
			leads = db_int(s, 0);
			confirmed = db_int(s, 1);
		}
		db_done(s);
	}
	if (rc < 0) {
		json_decref(by);
		return e;
	}
	*out = json_pack("{s:I,s:I,s:I,s:I,s:o,s:{s:I,s:I}}", keys[0], sum[0], keys[1], sum[1], keys[2], sum[2], keys[3],
	                 sum[3], "by_category", by, "leads", "reported", (json_int_t)leads, "confirmed",
	                 (json_int_t)confirmed);
	return WG_OK;
}

/* Open requests (new, accepted, in_progress) of the subtree at path by their worker's account,
 * each (account id, count) handed to fn — the staff's workload (staff.c) reads them here. */
werr help_open_per_worker(const actor *ac, const char *path, void (*fn)(void *arg, int64_t user_id, int64_t n), void *arg)
{
	db_stmt *s = db_get(ac->d, SQL_WORK_HELP_OPEN);
	db_bind_text(s, 1, path);
	db_bind_text(s, 2, scope_upper(ac->a, path));
	werr e = WG_OK;
	int rc;
	while ((rc = db_step(s, &e)) == DB_ROW)
		fn(arg, db_int(s, 0), db_int(s, 1));
	db_done(s);
	return rc < 0 ? e : WG_OK;
}
