/* supply.c — suppliers, packages, rounds, orders, delivery states, picking lists, errands
 * and their cash ledger; see supply.h.
 *
 * Money is in fen (int64) everywhere; it becomes "¥9.00" only on a printed page.  A state
 * step is one conditional UPDATE (… WHERE state = the state read), so two phones marking
 * one order cannot both win and an order is always in exactly one state. */
#include "domain/supply.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#include "core/bus.h"
#include "core/csv.h"
#include "core/jv.h"
#include "core/util.h"
#include "domain/units.h"

static const char *const round_unit_kinds[] = {"community", "grid", "compound", NULL};
static const char *const payments[] = {"online", "cash", "aid", NULL};
static const char *const errand_kinds[] = {"medicine", "gas", "water", "meal", "other", NULL};
static const char *const ledger_kinds[] = {"received", "spent", "returned", NULL};

/* The delivery states, in order, with what a volunteer reads; cancelled is an order whose
 * household took everything out before the cut-off. */
static const struct {
	const char *name, *zh;
} states[] = {
    {"ordered", "已下单"},   {"paid", "已付款"},      {"received", "已到卡口"}, {"disinfected", "已消杀"},
    {"at_door", "已到楼下"}, {"delivered", "已送达"}, {"collected", "已自取"},  {"cancelled", "已取消"},
};
enum { NSTATES = sizeof states / sizeof states[0] };

/* The only steps there are. */
static const struct {
	const char *from, *to;
} steps[] = {
    {"ordered", "paid"},      {"paid", "received"},   {"received", "disinfected"},
    {"disinfected", "at_door"}, {"at_door", "delivered"}, {"at_door", "collected"},
};
enum { NSTEPS = sizeof steps / sizeof steps[0] };

static const char *state_zh(const char *s)
{
	for (int i = 0; i < NSTATES; i++)
		if (s && !strcmp(s, states[i].name))
			return states[i].zh;
	return s ? s : "";
}

static const char *step_from(const char *to)
{
	for (int i = 0; i < NSTEPS; i++)
		if (!strcmp(steps[i].to, to))
			return steps[i].from;
	return NULL;
}

static const char *yuan(arena *a, int64_t fen)
{
	return arena_printf(a, "%s¥%lld.%02lld", fen < 0 ? "-" : "", (long long)(llabs(fen) / 100),
	                    (long long)(llabs(fen) % 100));
}

static json_t *time_json(int64_t t)
{
	if (!t)
		return json_null();
	char s[32];
	fmt_time(t, s);
	return json_string(s);
}

/* "2026-12-06 20:00", "2026-12-06T20:00", "…:SS" and "…+08:00" too: China time. */
static bool time_parse(const char *s, int64_t *out)
{
	int y, m, d, hh, mm, ss = 0;
	if (!s || strlen(s) < 16 || (s[10] != 'T' && s[10] != ' '))
		return false;
	char day[11];
	memcpy(day, s, 10);
	day[10] = 0;
	if (!parse_date(day, &y, &m, &d) || sscanf(s + 11, "%2d:%2d", &hh, &mm) != 2 || s[13] != ':')
		return false;
	const char *rest = s + 16;
	if (rest[0] == ':') {
		if (sscanf(rest + 1, "%2d", &ss) != 1 || strlen(rest) < 3)
			return false;
		rest += 3;
	}
	if (*rest && strcmp(rest, "+08:00") != 0)
		return false;
	if (hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 59)
		return false;
	*out = day_at(day, hh, mm) + ss;
	return *out > 0;
}

static werr time_field(json_t *body, const char *key, bool required, int64_t *out, bool *present)
{
	const char *s;
	werr e = jv_str(body, key, required, 32, &s);
	if (present)
		*present = s != NULL;
	if (e || !s)
		return e;
	if (!time_parse(s, out))
		return w_fail(W_EINVAL, "invalid_time", key,
		              "时间格式应为 2026-12-06 20:00（北京时间）/ %s must look like 2026-12-06 20:00 (China time)", key);
	return WG_OK;
}

/* path lies at or under top (both unit paths). */
static bool under(const char *path, const char *top)
{
	return path && top && strncmp(path, top, strlen(top)) == 0;
}

/* A record whose unit path is in the actor's subtree, or above it (a grid worker works in
 * the community's round and sees its suppliers). */
static bool visible(const actor *ac, const char *path)
{
	return actor_in_scope(ac, path) || (path && strncmp(ac->unit_path, path, strlen(path)) == 0);
}

/* ---- suppliers and packages ---- */

/* A supplier or package the actor sees may be changed only when it lies in the actor's
 * subtree: one of a unit above (a grid's view of its community's) is refused. */
static werr changeable(const actor *ac, const char *path, const char *field)
{
	if (!actor_in_scope(ac, path))
		return w_fail(W_EFORBIDDEN, "not_yours", field, "这是上级单位设的，只能由上级修改 / it belongs to a unit above yours");
	return WG_OK;
}

/* A field named in an update's body (null included: "name": null is refused as missing). */
static bool given(json_t *body, const char *key)
{
	return json_object_get(body, key) != NULL;
}

/* A supplier's phone as a secretary types it: a mobile, a landline or a service number
 * (400…, 95…), digits with single spaces or dashes and an optional leading +, 5–15 digits. */
static bool supplier_phone_ok(const char *s)
{
	int digits = 0;
	if (*s == '+')
		s++;
	for (const char *p = s; *p; p++) {
		if (*p >= '0' && *p <= '9')
			digits++;
		else if ((*p != ' ' && *p != '-') || p == s || !p[1] || p[1] == ' ' || p[1] == '-')
			return false;
	}
	return digits >= 5 && digits <= 15;
}

/* An optional text field of an update: given (a value, or null / "" to clear it) over *cur. */
static void text_over(json_t *body, const char *key, const char *v, const char **cur)
{
	if (given(body, key))
		*cur = v && *v ? v : NULL;
}

typedef struct {
	int64_t id;
	const char *name, *contact, *phone, *note, *unit_code, *path;
} sup_row;

/* The fields of a supplier's body over r (create: all but name optional; update: any,
 * a name given must not be empty). */
static werr sup_fields(json_t *body, bool create, sup_row *r)
{
	const char *name, *contact, *phone, *note;
	werr e;
	if ((e = jv_str(body, "name", create || given(body, "name"), 40, &name)) ||
	    (e = jv_str(body, "contact", false, 40, &contact)) || (e = jv_str(body, "phone", false, 20, &phone)) ||
	    (e = jv_str(body, "note", false, 200, &note)))
		return e;
	if (phone && *phone && !supplier_phone_ok(phone))
		return w_fail(W_EINVAL, "invalid_phone", "phone",
		              "电话号码格式不对（手机、座机或400客服电话）/ phone: a mobile, landline or service number");
	if (name)
		r->name = name;
	text_over(body, "contact", contact, &r->contact);
	text_over(body, "phone", phone, &r->phone);
	text_over(body, "note", note, &r->note);
	return WG_OK;
}

/* A row of SUP_SUPPLIER_GET or _LIST (id, name, contact, phone, note, unit code, path). */
static void sup_from(arena *a, db_stmt *s, sup_row *r)
{
	*r = (sup_row){.id = db_int(s, 0)};
	const char **text[] = {&r->name, &r->contact, &r->phone, &r->note, &r->unit_code, &r->path};
	for (int i = 0; i < 6; i++)
		*text[i] = db_null(s, i + 1) ? NULL : arena_strdup(a, db_text(s, i + 1));
}

static json_t *sup_json(const sup_row *r)
{
	return json_pack("{s:I,s:s,s:o,s:o,s:o,s:s}", "id", (json_int_t)r->id, "name", r->name, "contact",
	                 jv_text(r->contact), "phone", jv_text(r->phone), "note", jv_text(r->note), "unit", r->unit_code);
}

static werr sup_duplicate(werr e)
{
	return e == W_ECONFLICT ? w_fail(e, "duplicate_supplier", "name", "已有同名的供应商 / a supplier of this name exists") : e;
}

werr supplier_list(const actor *ac, const char *unit_code, json_t **out)
{
	unit_row u = {0};
	werr e = unit_scope(ac, unit_code, &u);
	if (e)
		return e;
	db_stmt *s = db_get(ac->d, SQL_SUP_SUPPLIER_LIST);
	db_bind_text(s, 1, u.path);
	db_bind_text(s, 2, scope_upper(ac->a, u.path));
	json_t *items = json_array();
	int rc;
	while ((rc = db_step(s, &e)) == DB_ROW) {
		sup_row r = {0};
		sup_from(ac->a, s, &r);
		json_array_append_new(items, sup_json(&r));
	}
	db_done(s);
	if (rc < 0) {
		json_decref(items);
		return e;
	}
	*out = json_pack("{s:s,s:o}", "unit", u.code, "items", items);
	return WG_OK;
}

static werr round_unit(const actor *ac, const char *code, unit_row *u)
{
	werr e = unit_find(ac, code, u);
	if (e)
		return e;
	if (!str_in_list(u->kind, round_unit_kinds))
		return w_fail(W_EINVAL, "not_a_community", "unit",
		              "团购只能设在社区、网格或小区 / supplies belong to a community, grid or compound");
	return WG_OK;
}

werr supplier_create(const actor *ac, json_t *body, json_t **out)
{
	static const char *const allowed[] = {"unit", "name", "contact", "phone", "note", NULL};
	const char *code;
	werr e;
	unit_row u = {0};
	sup_row r = {0};
	if ((e = jv_only(body, allowed)) || (e = jv_str(body, "unit", true, 64, &code)) ||
	    (e = sup_fields(body, true, &r)) || (e = round_unit(ac, code, &u)))
		return e;
	if ((e = db_begin(ac->d)))
		return e;
	db_stmt *s = db_get(ac->d, SQL_SUP_SUPPLIER_INSERT);
	db_bind_int(s, 1, u.id);
	db_bind_text(s, 2, r.name);
	db_bind_text(s, 3, r.contact);
	db_bind_text(s, 4, r.phone);
	db_bind_text(s, 5, r.note);
	db_bind_int(s, 6, now_s());
	if ((e = db_run(s, &r.id))) {
		db_rollback(ac->d);
		return sup_duplicate(e);
	}
	if ((e = db_end(ac->d, audit(ac, "create", "supplier", r.id, "unit,name,contact,phone,note", "ok"))))
		return e;
	r.unit_code = u.code;
	*out = sup_json(&r);
	return WG_OK;
}

/* A supplier the actor may change: in its subtree (one of a unit above it, which it only
 * sees, is refused 403; one it cannot see at all is not found). */
static werr sup_mine(const actor *ac, int64_t id, const char *field, sup_row *r)
{
	db_stmt *s = db_get(ac->d, SQL_SUP_SUPPLIER_GET);
	db_bind_int(s, 1, id);
	werr e = WG_OK;
	int rc = db_step(s, &e);
	if (rc == DB_ROW)
		sup_from(ac->a, s, r);
	db_done(s);
	if (rc < 0)
		return e;
	if (rc != DB_ROW || !visible(ac, r->path))
		return w_fail(W_ENOTFOUND, "supplier_not_found", field, "没有这个供应商 / no such supplier");
	return changeable(ac, r->path, field);
}

werr supplier_update(const actor *ac, int64_t id, json_t *body, json_t **out)
{
	static const char *const allowed[] = {"name", "contact", "phone", "note", NULL};
	werr e;
	sup_row r = {0};
	if ((e = jv_only(body, allowed)) || (e = sup_mine(ac, id, "supplier_id", &r)) || (e = sup_fields(body, false, &r)))
		return e;
	if ((e = db_begin(ac->d)))
		return e;
	db_stmt *s = db_get(ac->d, SQL_SUP_SUPPLIER_UPDATE);
	db_bind_int(s, 1, id);
	db_bind_text(s, 2, r.name);
	db_bind_text(s, 3, r.contact);
	db_bind_text(s, 4, r.phone);
	db_bind_text(s, 5, r.note);
	if (!(e = sup_duplicate(db_run(s, NULL))))
		e = audit(ac, "update", "supplier", id, audit_fields(ac->a, body), "ok");
	if ((e = db_end(ac->d, e)))
		return e;
	*out = sup_json(&r);
	return WG_OK;
}

typedef struct {
	int64_t id, price_fen, supplier_id;
	const char *name, *contents, *supplier, *unit_code, *path;
} pkg_row;

static void pkg_from(arena *a, db_stmt *s, pkg_row *p)
{
	p->id = db_int(s, 0);
	p->name = arena_strdup(a, db_text(s, 1));
	p->contents = arena_strdup(a, db_text(s, 2));
	p->price_fen = db_int(s, 3);
	p->supplier_id = db_int(s, 4);
	p->supplier = arena_strdup(a, db_text(s, 5));
	p->unit_code = arena_strdup(a, db_text(s, 6));
	p->path = arena_strdup(a, db_text(s, 7));
}

static json_t *pkg_json(arena *a, const pkg_row *p)
{
	return json_pack("{s:I,s:s,s:o,s:I,s:s,s:I,s:s,s:s}", "id", (json_int_t)p->id, "name", p->name, "contents",
	                 jv_text(p->contents), "price_fen", (json_int_t)p->price_fen, "price", yuan(a, p->price_fen),
	                 "supplier_id", (json_int_t)p->supplier_id, "supplier", p->supplier, "unit", p->unit_code);
}

werr package_list(const actor *ac, const char *unit_code, json_t **out)
{
	unit_row u = {0};
	werr e = unit_scope(ac, unit_code, &u);
	if (e)
		return e;
	db_stmt *s = db_get(ac->d, SQL_SUP_PACKAGE_LIST);
	db_bind_text(s, 1, u.path);
	db_bind_text(s, 2, scope_upper(ac->a, u.path));
	json_t *items = json_array();
	int rc;
	while ((rc = db_step(s, &e)) == DB_ROW) {
		pkg_row p = {0};
		pkg_from(ac->a, s, &p);
		json_array_append_new(items, pkg_json(ac->a, &p));
	}
	db_done(s);
	if (rc < 0) {
		json_decref(items);
		return e;
	}
	*out = json_pack("{s:s,s:o}", "unit", u.code, "items", items);
	return WG_OK;
}

static werr pkg_load(const actor *ac, int64_t id, const char *field, pkg_row *p)
{
	db_stmt *s = db_get(ac->d, SQL_SUP_PACKAGE_GET);
	db_bind_int(s, 1, id);
	werr e = WG_OK;
	int rc = db_step(s, &e);
	if (rc == DB_ROW)
		pkg_from(ac->a, s, p);
	db_done(s);
	if (rc < 0)
		return e;
	if (rc != DB_ROW || !visible(ac, p->path))
		return w_fail(W_ENOTFOUND, "package_not_found", field, "没有这个套餐 / no such package");
	return WG_OK;
}

/* The fields of a package's body over p (create: supplier_id, name and price_fen
 * required; update: any, none of them null or empty). */
static werr pkg_fields(json_t *body, bool create, pkg_row *p)
{
	const char *name, *contents;
	int64_t supplier_id = 0, price = 0;
	bool has_supplier, has_price;
	werr e;
	if ((e = jv_int(body, "supplier_id", create || given(body, "supplier_id"), 1, INT64_MAX, &supplier_id, &has_supplier)) ||
	    (e = jv_str(body, "name", create || given(body, "name"), 40, &name)) ||
	    (e = jv_str(body, "contents", false, 400, &contents)) ||
	    (e = jv_int(body, "price_fen", create || given(body, "price_fen"), 1, 10000000, &price, &has_price)))
		return e;
	if (has_supplier)
		p->supplier_id = supplier_id;
	if (name)
		p->name = name;
	text_over(body, "contents", contents, &p->contents);
	if (has_price)
		p->price_fen = price;
	return WG_OK;
}

/* The supplier id names one the actor sees. */
static werr supplier_seen(const actor *ac, int64_t id)
{
	db_stmt *s = db_get(ac->d, SQL_SUP_SUPPLIER_GET);
	db_bind_int(s, 1, id);
	werr e = WG_OK;
	int rc = db_step(s, &e);
	bool ok = rc == DB_ROW && visible(ac, db_text(s, 6));
	db_done(s);
	if (rc < 0)
		return e;
	if (!ok)
		return w_fail(W_ENOTFOUND, "supplier_not_found", "supplier_id", "没有这个供应商 / no such supplier");
	return WG_OK;
}

static werr pkg_duplicate(werr e)
{
	return e == W_ECONFLICT ? w_fail(e, "duplicate_package", "name", "已有同名的套餐 / a package of this name exists") : e;
}

static werr pkg_answer(const actor *ac, int64_t id, json_t **out)
{
	pkg_row p = {0};
	werr e = pkg_load(ac, id, "id", &p);
	if (!e)
		*out = pkg_json(ac->a, &p);
	return e;
}

werr package_create(const actor *ac, json_t *body, json_t **out)
{
	static const char *const allowed[] = {"unit", "supplier_id", "name", "contents", "price_fen", NULL};
	const char *code;
	werr e;
	unit_row u = {0};
	pkg_row p = {0};
	if ((e = jv_only(body, allowed)) || (e = jv_str(body, "unit", true, 64, &code)) ||
	    (e = pkg_fields(body, true, &p)) || (e = round_unit(ac, code, &u)) || (e = supplier_seen(ac, p.supplier_id)))
		return e;
	if ((e = db_begin(ac->d)))
		return e;
	db_stmt *s = db_get(ac->d, SQL_SUP_PACKAGE_INSERT);
	db_bind_int(s, 1, u.id);
	db_bind_int(s, 2, p.supplier_id);
	db_bind_text(s, 3, p.name);
	db_bind_text(s, 4, p.contents);
	db_bind_int(s, 5, p.price_fen);
	db_bind_int(s, 6, now_s());
	int64_t id = 0;
	if ((e = db_run(s, &id))) {
		db_rollback(ac->d);
		return pkg_duplicate(e);
	}
	if ((e = db_end(ac->d, audit(ac, "create", "package", id, "unit,supplier_id,name,contents,price_fen", "ok"))))
		return e;
	return pkg_answer(ac, id, out);
}

static bool same_text(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/* What a household bought stays as it was bought (docs/api.md 13.1): a package offered in
 * any round keeps its supplier (the round's cash is handed to it); its price and contents
 * do not change while a round still taking orders has a live order of it.  Orders keep the
 * price they were placed at in any case (supply_items.price_fen).  In the transaction. */
static werr pkg_unchanged_where_bought(const actor *ac, const pkg_row *was, const pkg_row *p)
{
	werr e;
	if (p->supplier_id != was->supplier_id) {
		db_stmt *s = db_get(ac->d, SQL_SUP_PACKAGE_OFFERED);
		db_bind_int(s, 1, p->id);
		int64_t n = 0;
		if ((e = db_scalar(s, &n)))
			return e;
		if (n)
			return w_fail(W_ECONFLICT, "package_in_rounds", "supplier_id",
			              "这个套餐已在%lld个团购批次中用过，不能换供应商；请为新供应商新建套餐 / the package was offered in %lld "
			              "rounds: it keeps its supplier (make a new package for the new one)",
			              (long long)n, (long long)n);
	}
	bool price = p->price_fen != was->price_fen;
	if (!price && same_text(p->contents, was->contents))
		return WG_OK;
	db_stmt *s = db_get(ac->d, SQL_SUP_PACKAGE_OPEN_ORDERS);
	db_bind_int(s, 1, p->id);
	db_bind_int(s, 2, now_s());
	int rc = db_step(s, &e);
	const char *round = rc == DB_ROW ? arena_strdup(ac->a, db_text(s, 0)) : NULL;
	int64_t n = rc == DB_ROW ? db_int(s, 1) : 0;
	db_done(s);
	if (rc < 0)
		return e;
	if (n)
		return w_fail(W_ECONFLICT, "package_ordered", price ? "price_fen" : "contents",
		              "「%s」已有%lld户订了这个套餐，截单前不能改价格或内容（已下的单按下单时的价格）；截单后再改，对下一批次生效 / "
		              "%lld households ordered this package in the round still taking orders: its price and contents "
		              "change after the cut-off, for the next round",
		              round, (long long)n, (long long)n);
	return WG_OK;
}

static werr pkg_write(const actor *ac, const pkg_row *p)
{
	db_stmt *s = db_get(ac->d, SQL_SUP_PACKAGE_UPDATE);
	db_bind_int(s, 1, p->id);
	db_bind_int(s, 2, p->supplier_id);
	db_bind_text(s, 3, p->name);
	db_bind_text(s, 4, p->contents);
	db_bind_int(s, 5, p->price_fen);
	return pkg_duplicate(db_run(s, NULL));
}

werr package_update(const actor *ac, int64_t id, json_t *body, json_t **out)
{
	static const char *const allowed[] = {"supplier_id", "name", "contents", "price_fen", NULL};
	werr e;
	pkg_row was = {0}, p;
	if ((e = jv_only(body, allowed)) || (e = pkg_load(ac, id, "package_id", &was)) ||
	    (e = changeable(ac, was.path, "package_id")))
		return e;
	p = was;
	if ((e = pkg_fields(body, false, &p)) || (p.supplier_id != was.supplier_id && (e = supplier_seen(ac, p.supplier_id))))
		return e;
	if ((e = db_begin(ac->d)))
		return e;
	if (!(e = pkg_unchanged_where_bought(ac, &was, &p)) && !(e = pkg_write(ac, &p)))
		e = audit(ac, "update", "package", id, audit_fields(ac->a, body), "ok");
	if ((e = db_end(ac->d, e)))
		return e;
	return pkg_answer(ac, id, out);
}

/* ---- rounds ---- */

typedef struct {
	int64_t id, unit_id, opens_at, cutoff_at, rest_minutes, closed_at, created_at;
	const char *name, *unit_code, *unit_name, *path;
} round_row;

static void round_from(arena *a, db_stmt *s, round_row *r)
{
	r->id = db_int(s, 0);
	r->unit_id = db_int(s, 1);
	r->name = arena_strdup(a, db_text(s, 2));
	r->opens_at = db_int(s, 3);
	r->cutoff_at = db_int(s, 4);
	r->rest_minutes = db_int(s, 5);
	r->closed_at = db_null(s, 6) ? 0 : db_int(s, 6);
	r->created_at = db_int(s, 7);
	r->unit_code = arena_strdup(a, db_text(s, 8));
	r->unit_name = arena_strdup(a, db_text(s, 9));
	r->path = arena_strdup(a, db_text(s, 10));
}

static bool round_open(const round_row *r, int64_t now)
{
	return !r->closed_at && now >= r->opens_at && now < r->cutoff_at;
}

static werr round_load(const actor *ac, int64_t id, const char *field, round_row *r)
{
	db_stmt *s = db_get(ac->d, SQL_SUP_ROUND_GET);
	db_bind_int(s, 1, id);
	werr e = WG_OK;
	int rc = db_step(s, &e);
	if (rc == DB_ROW)
		round_from(ac->a, s, r);
	db_done(s);
	if (rc < 0)
		return e;
	if (rc != DB_ROW || !visible(ac, r->path))
		return w_fail(W_ENOTFOUND, "round_not_found", field, "没有这个团购批次 / no such supply round");
	return WG_OK;
}

static json_t *round_json(const round_row *r)
{
	int64_t now = now_s();
	const char *status = r->closed_at ? "closed" : now < r->opens_at ? "not_open" : now < r->cutoff_at ? "open" : "cut_off";
	return json_pack("{s:I,s:s,s:s,s:s,s:o,s:o,s:I,s:o,s:s,s:b}", "id", (json_int_t)r->id, "name", r->name, "unit",
	                 r->unit_code, "unit_name", r->unit_name, "opens", time_json(r->opens_at), "cutoff",
	                 time_json(r->cutoff_at), "rest_minutes", (json_int_t)r->rest_minutes, "closed",
	                 time_json(r->closed_at), "status", status, "ordering", round_open(r, now));
}

static json_t *round_packages(const actor *ac, int64_t id)
{
	json_t *arr = json_array();
	db_stmt *s = db_get(ac->d, SQL_SUP_ROUND_PKGS);
	db_bind_int(s, 1, id);
	werr e;
	while (db_step(s, &e) == DB_ROW) {
		pkg_row p = {0};
		pkg_from(ac->a, s, &p);
		json_array_append_new(arr, pkg_json(ac->a, &p));
	}
	db_done(s);
	return arr;
}

/* The round's pickup slots; hh_path: only the slots of that household's building (or of a
 * unit above it), each with "full" when its capacity is taken. */
static json_t *round_slots(const actor *ac, int64_t id, const char *hh_path)
{
	json_t *arr = json_array();
	db_stmt *s = db_get(ac->d, SQL_SUP_SLOTS);
	db_bind_int(s, 1, id);
	werr e;
	while (db_step(s, &e) == DB_ROW) {
		if (hh_path && !under(hh_path, db_text(s, 6)))
			continue;
		int64_t cap = db_int(s, 3), used = db_int(s, 7);
		json_array_append_new(arr, json_pack("{s:I,s:o,s:o,s:I,s:s,s:s,s:I,s:I,s:b}", "id", (json_int_t)db_int(s, 0),
		                                     "starts", time_json(db_int(s, 1)), "ends", time_json(db_int(s, 2)),
		                                     "capacity", (json_int_t)cap, "unit", db_text(s, 4), "unit_name",
		                                     db_text(s, 5), "used", (json_int_t)used, "left",
		                                     (json_int_t)(cap > used ? cap - used : 0), "full", used >= cap));
	}
	db_done(s);
	return arr;
}

werr round_list(const actor *ac, const char *unit_code, json_t **out)
{
	unit_row u = {0};
	werr e = unit_scope(ac, unit_code, &u);
	if (e)
		return e;
	db_stmt *s = db_get(ac->d, SQL_SUP_ROUND_LIST);
	db_bind_text(s, 1, u.path);
	db_bind_text(s, 2, scope_upper(ac->a, u.path));
	json_t *items = json_array();
	int rc;
	while ((rc = db_step(s, &e)) == DB_ROW) {
		round_row r = {0};
		round_from(ac->a, s, &r);
		json_array_append_new(items, round_json(&r));
	}
	db_done(s);
	if (rc < 0) {
		json_decref(items);
		return e;
	}
	*out = json_pack("{s:s,s:o}", "unit", u.code, "items", items);
	return WG_OK;
}

static werr slots_add(const actor *ac, int64_t round_id, const char *round_path, json_t *slots)
{
	if (!slots || json_is_null(slots))
		return WG_OK;
	if (!json_is_array(slots) || json_array_size(slots) > 500)
		return w_fail(W_EINVAL, "invalid_slots", "slots", "slots: an array of at most 500 {unit, starts, ends, capacity}");
	size_t i;
	json_t *x;
	json_array_foreach(slots, i, x) {
		static const char *const allowed[] = {"unit", "starts", "ends", "capacity", NULL};
		const char *code;
		int64_t starts = 0, ends = 0, cap = 0;
		unit_row u = {0};
		werr e;
		if (!json_is_object(x))
			return w_fail(W_EINVAL, "invalid_slots", "slots", "slots: an array of {unit, starts, ends, capacity}");
		if ((e = jv_only(x, allowed)) || (e = jv_str(x, "unit", true, 64, &code)) ||
		    (e = time_field(x, "starts", true, &starts, NULL)) || (e = time_field(x, "ends", true, &ends, NULL)) ||
		    (e = jv_int(x, "capacity", true, 1, 100000, &cap, NULL)) || (e = unit_find(ac, code, &u)))
			return e;
		if (!under(u.path, round_path))
			return w_fail(W_EINVAL, "slot_outside_round", "slots", "取货时段的楼栋不在本批次范围内 / a slot's building lies outside the round's unit");
		if (ends <= starts)
			return w_fail(W_EINVAL, "invalid_slot_time", "slots", "时段结束须晚于开始 / a slot ends after it starts");
		db_stmt *s = db_get(ac->d, SQL_SUP_SLOT_INSERT);
		db_bind_int(s, 1, round_id);
		db_bind_int(s, 2, u.id);
		db_bind_int(s, 3, starts);
		db_bind_int(s, 4, ends);
		db_bind_int(s, 5, cap);
		if ((e = db_run(s, NULL)))
			return e;
	}
	return WG_OK;
}

static werr round_insert(const actor *ac, const unit_row *u, const char *name, int64_t opens, int64_t cutoff,
                         int64_t rest, json_t *pkgs, json_t *slots, int64_t *id)
{
	db_stmt *s = db_get(ac->d, SQL_SUP_ROUND_INSERT);
	db_bind_int(s, 1, u->id);
	db_bind_text(s, 2, name);
	db_bind_int(s, 3, opens);
	db_bind_int(s, 4, cutoff);
	db_bind_int(s, 5, rest);
	db_bind_int(s, 6, now_s());
	if (ac->user_id)
		db_bind_int(s, 7, ac->user_id);
	werr e = db_run(s, id);
	size_t i;
	json_t *x;
	json_array_foreach(pkgs, i, x) {
		if (e)
			break;
		s = db_get(ac->d, SQL_SUP_ROUND_PKG_ADD);
		db_bind_int(s, 1, *id);
		db_bind_int(s, 2, json_integer_value(x));
		if ((e = db_run(s, NULL)) == W_ECONFLICT)
			e = w_fail(W_EINVAL, "duplicate_package", "packages", "同一套餐列了两次 / a package is listed twice");
	}
	if (!e)
		e = slots_add(ac, *id, u->path, slots);
	return e;
}

werr round_create(const actor *ac, json_t *body, json_t **out)
{
	static const char *const allowed[] = {"unit", "name", "opens", "cutoff", "rest_minutes", "packages", "slots", NULL};
	const char *code, *name;
	int64_t opens = now_s(), cutoff = 0, rest = 120;
	werr e;
	unit_row u = {0};
	if ((e = jv_only(body, allowed)) || (e = jv_str(body, "unit", true, 64, &code)) ||
	    (e = jv_str(body, "name", true, 60, &name)) || (e = time_field(body, "opens", false, &opens, NULL)) ||
	    (e = time_field(body, "cutoff", true, &cutoff, NULL)) ||
	    (e = jv_int(body, "rest_minutes", false, 0, 1440, &rest, NULL)) || (e = round_unit(ac, code, &u)))
		return e;
	if (cutoff <= opens)
		return w_fail(W_EINVAL, "cutoff_before_opens", "cutoff", "截单时间须晚于开始时间 / the cut-off comes after the opening");
	json_t *pkgs = json_object_get(body, "packages");
	if (!json_is_array(pkgs) || json_array_size(pkgs) == 0 || json_array_size(pkgs) > 50)
		return w_fail(W_EINVAL, "required", "packages", "请选择本批次的套餐（1–50个）/ packages: 1–50 package ids on offer");
	size_t i;
	json_t *x;
	json_array_foreach(pkgs, i, x) {
		pkg_row p = {0};
		if (!json_is_integer(x))
			return w_fail(W_EINVAL, "wrong_type", "packages", "packages: package ids");
		if ((e = pkg_load(ac, json_integer_value(x), "packages", &p)))
			return e;
		if (!under(u.path, p.path))
			return w_fail(W_EINVAL, "package_outside_round", "packages", "套餐不属于本社区 / a package of another community");
	}
	if ((e = db_begin(ac->d)))
		return e;
	int64_t id = 0;
	e = round_insert(ac, &u, name, opens, cutoff, rest, pkgs, json_object_get(body, "slots"), &id);
	if (!e)
		e = audit(ac, "create", "supply_round", id, "unit,name,opens,cutoff,rest_minutes,packages,slots", "ok");
	if ((e = db_end(ac->d, e)))
		return e;
	return round_get(ac, id, NULL, out);
}

static json_t *aftersale_figures(const actor *ac, int64_t round_id, const char *path);
static int64_t late_count(const actor *ac, int64_t round_id, const char *path);

static json_t *state_counts(const actor *ac, int64_t round_id, const char *path, int64_t *total)
{
	json_t *o = json_object();
	for (int i = 0; i < NSTATES; i++)
		json_object_set_new(o, states[i].name, json_integer(0));
	db_stmt *s = db_get(ac->d, SQL_SUP_STATE_COUNTS_C);
	db_bind_int(s, 1, round_id);
	db_bind_text(s, 2, path);
	db_bind_text(s, 3, scope_upper(ac->a, path));
	werr e;
	*total = 0;
	while (db_step(s, &e) == DB_ROW) {
		json_object_set_new(o, db_text(s, 0), json_integer(db_int(s, 1)));
		*total += db_int(s, 1);
	}
	db_done(s);
	return o;
}

/* The subtree a round's figures are about: the unit asked for (within the round), else the
 * round's own unit, or the actor's when the round lies above it. */
static werr round_subtree(const actor *ac, const round_row *r, const char *unit_code, unit_row *u)
{
	werr e;
	if (unit_code) {
		if ((e = unit_find(ac, unit_code, u)))
			return e;
		if (!under(u->path, r->path))
			return w_fail(W_EINVAL, "unit_outside_round", "unit", "这个单位不在本批次范围内 / the unit lies outside the round");
		return WG_OK;
	}
	if (actor_in_scope(ac, r->path))
		return unit_find_id(ac, r->unit_id, u);
	return unit_scope(ac, NULL, u);
}

static json_t *cash_figures(arena *a, int64_t in, int64_t back, int64_t handed)
{
	return json_pack("{s:I,s:I,s:I,s:I,s:s,s:s}", "received_fen", (json_int_t)in, "returned_fen", (json_int_t)back,
	                 "handed_fen", (json_int_t)handed, "in_hand_fen", (json_int_t)(in - back - handed), "in_hand",
	                 yuan(a, in - back - handed), "handed", yuan(a, handed));
}

werr round_get(const actor *ac, int64_t id, const char *unit_code, json_t **out)
{
	round_row r = {0};
	unit_row u = {0};
	werr e;
	if ((e = round_load(ac, id, "round_id", &r)) || (e = round_subtree(ac, &r, unit_code, &u)))
		return e;
	int64_t total = 0, households = 0, cancelled;
	json_t *counts = state_counts(ac, id, u.path, &total);
	cancelled = json_integer_value(json_object_get(counts, "cancelled"));
	/* the households of the subtree with someone living there: the roll-call's counter of the
	 * unit, kept by every change of a household or resident (one row, not a count) */
	db_stmt *s = db_get(ac->d, SQL_STATS_GET);
	db_bind_int(s, 1, u.id);
	if (db_step(s, &e) == DB_ROW)
		households = db_int(s, 0);
	db_done(s);
	int64_t cash_in = 0, cash_back = 0, cash_handed = 0;
	s = db_get(ac->d, SQL_SUP_CASH_FIGURES);
	db_bind_int(s, 1, id);
	db_bind_text(s, 2, u.path);
	db_bind_text(s, 3, scope_upper(ac->a, u.path));
	if (db_step(s, &e) == DB_ROW) {
		cash_in = db_int(s, 0);
		cash_back = db_int(s, 1);
		cash_handed = db_int(s, 2);
	}
	db_done(s);
	*out = round_json(&r);
	json_object_set_new(*out, "packages", round_packages(ac, id));
	json_object_set_new(*out, "slots", round_slots(ac, id, NULL));
	json_object_set_new(*out, "figures",
	                    json_pack("{s:s,s:s,s:I,s:I,s:I,s:o}", "unit", u.code, "unit_name", u.name, "households",
	                              (json_int_t)households, "ordered", (json_int_t)(total - cancelled), "orders",
	                              (json_int_t)total, "by_state", counts));
	json_t *fig = json_object_get(*out, "figures");
	json_object_set_new(fig, "late", json_integer(late_count(ac, id, u.path)));
	json_object_set_new(fig, "aftersales", aftersale_figures(ac, id, u.path));
	/* the round's cash: received for orders paid in cash, refunds handed back from it, what was
	 * handed over to the supplier (section 13.7), and what is still in someone's hand */
	json_object_set_new(fig, "cash", cash_figures(ac->a, cash_in, cash_back, cash_handed));
	return WG_OK;
}

werr round_close(const actor *ac, int64_t id, json_t *body, json_t **out)
{
	static const char *const allowed[] = {"reason", NULL};
	const char *reason;
	round_row r = {0};
	werr e;
	if ((e = jv_only(body, allowed)) || (e = jv_str(body, "reason", false, 200, &reason)) ||
	    (e = round_load(ac, id, "round_id", &r)))
		return e;
	if (!actor_in_scope(ac, r.path))
		return w_fail(W_EFORBIDDEN, "not_your_round", "round_id", "本批次属于上级单位，不能由你截单 / the round belongs to a unit above yours");
	if (r.closed_at)
		return w_fail(W_ECONFLICT, "round_closed", "round_id", "本批次已截单 / the round is closed already");
	if ((e = db_begin(ac->d)))
		return e;
	db_stmt *s = db_get(ac->d, SQL_SUP_ROUND_CLOSE);
	db_bind_int(s, 1, id);
	db_bind_int(s, 2, now_s());
	if (!(e = db_run(s, NULL)))
		e = audit(ac, "update", "supply_round", id, "closed", "ok");
	if ((e = db_end(ac->d, e)))
		return e;
	return round_get(ac, id, NULL, out);
}

/* ---- orders ---- */

typedef struct {
	int64_t id, round_id, household_id, total_fen, slot_id, disinfected_at, state_at, created_at, updated_at;
	bool door;
	const char *path, *state, *payment, *door_reason, *client_id, *handed_to, *room, *unit_code, *unit_kind,
	    *unit_name, *parent_name;
} order_row;

static void order_from(arena *a, db_stmt *s, order_row *o)
{
	o->id = db_int(s, 0);
	o->round_id = db_int(s, 1);
	o->household_id = db_int(s, 2);
	o->path = arena_strdup(a, db_text(s, 3));
	o->state = arena_strdup(a, db_text(s, 4));
	o->payment = arena_strdup(a, db_text(s, 5));
	o->total_fen = db_int(s, 6);
	o->door = db_int(s, 7) != 0;
	o->door_reason = db_null(s, 8) ? NULL : arena_strdup(a, db_text(s, 8));
	o->slot_id = db_null(s, 9) ? 0 : db_int(s, 9);
	o->client_id = db_null(s, 10) ? NULL : arena_strdup(a, db_text(s, 10));
	o->disinfected_at = db_null(s, 11) ? 0 : db_int(s, 11);
	o->state_at = db_int(s, 12);
	o->handed_to = db_null(s, 13) ? NULL : arena_strdup(a, db_text(s, 13));
	o->created_at = db_int(s, 14);
	o->updated_at = db_int(s, 15);
	o->room = arena_strdup(a, db_text(s, 16));
	o->unit_code = arena_strdup(a, db_text(s, 17));
	o->unit_kind = arena_strdup(a, db_text(s, 18));
	o->unit_name = arena_strdup(a, db_text(s, 19));
	o->parent_name = db_null(s, 20) ? NULL : arena_strdup(a, db_text(s, 20));
}

static const char *order_building(const order_row *o)
{
	return o->unit_kind && !strcmp(o->unit_kind, "entrance") && o->parent_name ? o->parent_name : o->unit_name;
}

static const char *order_entrance(const order_row *o)
{
	return o->unit_kind && !strcmp(o->unit_kind, "entrance") ? o->unit_name : "";
}

static json_t *order_items(const actor *ac, int64_t id)
{
	json_t *arr = json_array();
	db_stmt *s = db_get(ac->d, SQL_SUP_ITEMS);
	db_bind_int(s, 1, id);
	werr e;
	while (db_step(s, &e) == DB_ROW)
		json_array_append_new(arr, json_pack("{s:I,s:s,s:I,s:I}", "package_id", (json_int_t)db_int(s, 0), "name",
		                                     db_text(s, 1), "qty", (json_int_t)db_int(s, 2), "price_fen",
		                                     (json_int_t)db_int(s, 3)));
	db_done(s);
	return arr;
}

/* ---- after-sales (售后): what is missing, damaged or wrong in a delivered order, and the
 * answer — replaced, refunded (in fen, never past what the order cost) or rejected ---- */

static const char *const aftersale_kinds[] = {"missing", "damaged", "wrong", "other", NULL};
static const char *const aftersale_answers[] = {"replaced", "refunded", "rejected", NULL};

static json_t *aftersale_json(const actor *ac, db_stmt *s)
{
	/* a household of an entrance: its building is the entrance's parent */
	bool ent = !strcmp(db_text(s, 21), "entrance") && !db_null(s, 18);
	const char *building = ent ? db_text(s, 18) : db_text(s, 17);
	json_t *j = json_pack("{s:I,s:I,s:I,s:I,s:o,s:o,s:s,s:o,s:o,s:I,s:o,s:s,s:s,s:I,s:s,s:o,s:o,s:o,s:o,s:o}", "id",
	                      (json_int_t)db_int(s, 0), "order_id", (json_int_t)db_int(s, 1), "round_id",
	                      (json_int_t)db_int(s, 2), "household_id", (json_int_t)db_int(s, 15), "room",
	                      jv_text(db_text(s, 16)), "building", jv_text(building),
	                      "kind", db_text(s, 4), "package_id", db_null(s, 5) ? json_null() : json_integer(db_int(s, 5)),
	                      "package", jv_text(db_text(s, 6)), "qty", (json_int_t)db_int(s, 7), "note",
	                      jv_text(db_text(s, 8)), "via", db_text(s, 9), "state", db_text(s, 10), "refund_fen",
	                      (json_int_t)db_int(s, 11), "refund", yuan(ac->a, db_int(s, 11)), "answer",
	                      jv_text(db_text(s, 12)), "created_at", time_json(db_int(s, 13)), "resolved_at",
	                      time_json(db_null(s, 14) ? 0 : db_int(s, 14)), "by", jv_text(db_text(s, 19)),
	                      "resolved_by", jv_text(db_text(s, 20)));
	json_object_set_new(j, "entrance", json_string(ent ? db_text(s, 17) : ""));
	/* a refund of an order paid in cash is handed back from the cash of whoever received it */
	json_object_set_new(j, "payment", json_string(db_text(s, 22)));
	json_object_set_new(j, "refund_from", db_null(s, 23) ? json_null() : json_string(db_text(s, 23)));
	return j;
}

static json_t *aftersales_of(const actor *ac, int64_t order_id)
{
	json_t *arr = json_array();
	db_stmt *s = db_get(ac->d, SQL_SUP_AS_OF_ORDER);
	db_bind_int(s, 1, order_id);
	werr e;
	while (db_step(s, &e) == DB_ROW)
		json_array_append_new(arr, aftersale_json(ac, s));
	db_done(s);
	return arr;
}

/* The order's entries in the cash ledger: the cash received when it was marked paid (payment
 * cash) and each refund handed back from it. */
static json_t *order_cash(const actor *ac, int64_t order_id)
{
	json_t *arr = json_array();
	db_stmt *s = db_get(ac->d, SQL_SUP_CASH_OF_ORDER);
	db_bind_int(s, 1, order_id);
	werr e;
	while (db_step(s, &e) == DB_ROW)
		json_array_append_new(arr, json_pack("{s:I,s:o,s:s,s:I,s:s,s:o,s:o,s:o,s:o}", "id", (json_int_t)db_int(s, 0), "at",
		                                     time_json(db_int(s, 1)), "kind", db_text(s, 2), "amount_fen",
		                                     (json_int_t)db_int(s, 3), "amount", yuan(ac->a, db_int(s, 3)), "holder",
		                                     jv_text(db_text(s, 4)), "by", jv_text(db_text(s, 5)), "aftersale_id",
		                                     db_null(s, 6) ? json_null() : json_integer(db_int(s, 6)), "note",
		                                     jv_text(db_text(s, 7))));
	db_done(s);
	return arr;
}

static json_t *order_json(const actor *ac, const order_row *o, bool with_items)
{
	json_t *j = json_pack("{s:I,s:I,s:I,s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:s,s:b,s:o,s:o,s:o,s:o,s:o}", "id",
	                      (json_int_t)o->id, "round_id", (json_int_t)o->round_id, "household_id",
	                      (json_int_t)o->household_id, "room", o->room, "building", order_building(o), "entrance",
	                      order_entrance(o), "state", o->state, "state_zh", state_zh(o->state), "payment", o->payment,
	                      "total_fen", (json_int_t)o->total_fen, "total", yuan(ac->a, o->total_fen), "door", o->door,
	                      "door_reason", jv_text(o->door_reason), "slot_id",
	                      o->slot_id ? json_integer(o->slot_id) : json_null(), "state_at", time_json(o->state_at),
	                      "handed_to", jv_text(o->handed_to), "client_id", jv_text(o->client_id));
	json_object_set_new(j, "unit", json_string(o->unit_code));
	json_object_set_new(j, "disinfected_at", time_json(o->disinfected_at));
	if (with_items) {
		json_object_set_new(j, "items", order_items(ac, o->id));
		json_object_set_new(j, "aftersales", aftersales_of(ac, o->id));
		json_object_set_new(j, "cash", order_cash(ac, o->id));
	}
	return j;
}

static werr order_load(const actor *ac, int64_t id, const char *field, order_row *o)
{
	db_stmt *s = db_get(ac->d, SQL_SUP_ORDER_GET);
	db_bind_int(s, 1, id);
	werr e = WG_OK;
	int rc = db_step(s, &e);
	if (rc == DB_ROW)
		order_from(ac->a, s, o);
	db_done(s);
	if (rc < 0)
		return e;
	if (rc != DB_ROW || !actor_in_scope(ac, o->path))
		return w_fail(W_ENOTFOUND, "order_not_found", field, "没有这个订单 / no such order");
	return WG_OK;
}

static json_t *order_history(const actor *ac, int64_t id)
{
	json_t *arr = json_array();
	db_stmt *s = db_get(ac->d, SQL_SUP_HISTORY);
	db_bind_int(s, 1, id);
	werr e;
	while (db_step(s, &e) == DB_ROW) /* recorded: when it reached the server (later for a step marked offline) */
		json_array_append_new(arr, json_pack("{s:o,s:o,s:s,s:o,s:o,s:o}", "at", time_json(db_int(s, 0)), "from",
		                                     jv_text(db_text(s, 1)), "to", db_text(s, 2), "note",
		                                     jv_text(db_text(s, 3)), "by", jv_text(db_text(s, 4)), "recorded",
		                                     time_json(db_null(s, 5) ? db_int(s, 0) : db_int(s, 5))));
	db_done(s);
	return arr;
}

werr order_get(const actor *ac, int64_t id, json_t **out)
{
	order_row o = {0};
	werr e = order_load(ac, id, "order_id", &o);
	if (e)
		return e;
	*out = order_json(ac, &o, true);
	json_object_set_new(*out, "history", order_history(ac, id));
	return audit(ac, "read", "supply_order", id, "room,items", "ok");
}

/* A history row; at: when it happened (on the phone, for a step marked offline), recorded
 * when it reached the server; client_id: the phone's id of the step (NULL: none). */
static werr history_add(const actor *ac, int64_t order_id, int64_t at, const char *from, const char *to,
                        const char *note, const char *client_id)
{
	db_stmt *s = db_get(ac->d, SQL_SUP_HISTORY_INSERT);
	db_bind_int(s, 1, order_id);
	db_bind_int(s, 2, at);
	if (ac->user_id)
		db_bind_int(s, 3, ac->user_id);
	db_bind_text(s, 4, from);
	db_bind_text(s, 5, to);
	db_bind_text(s, 6, note);
	db_bind_int(s, 7, now_s());
	db_bind_text(s, 8, client_id);
	return db_run(s, NULL);
}

/* ---- the round orders' cash (supply_cash) and its counters, in the change's transaction ---- */

/* A cash entry into its round's counters and its holder's (id 0: none was written). */
static werr cash_count(const actor *ac, int64_t cash_id)
{
	if (!cash_id)
		return WG_OK;
	db_stmt *s = db_get(ac->d, SQL_SUP_CASH_COUNT_ADD);
	db_bind_int(s, 1, cash_id);
	werr e = db_run(s, NULL);
	if (e)
		return e;
	s = db_get(ac->d, SQL_SUP_CASH_HOLDER_ADD); /* and into its holder's part of the round */
	db_bind_int(s, 1, cash_id);
	return db_run(s, NULL);
}

/* An order marked paid: paid in cash, its total is now in the hand of whoever marked it (a
 * "received" entry of the cash ledger); another payment writes nothing. */
static werr cash_received(const actor *ac, int64_t order_id, int64_t at)
{
	db_stmt *s = db_get(ac->d, SQL_SUP_CASH_RECEIVE);
	db_bind_int(s, 1, order_id);
	if (ac->user_id)
		db_bind_int(s, 2, ac->user_id);
	db_bind_int(s, 3, at);
	int64_t id = 0;
	werr e = db_run(s, &id);
	return e ? e : cash_count(ac, id);
}

/* ---- the round's counters (supply_counts, supply_state_counts), in the change's transaction ---- */

/* An order's items and its place among the orders not cancelled, added (sign 1) or taken
 * away (-1).  The unit's package-0 row comes first in every writer, so that two writers of
 * one unit's counters queue on it instead of locking its package rows in opposite orders. */
static werr counts_order(const actor *ac, int64_t order_id, int sign)
{
	db_stmt *s = db_get(ac->d, SQL_SUP_COUNTS_HH);
	db_bind_int(s, 1, order_id);
	db_bind_int(s, 2, sign);
	werr e = db_run(s, NULL);
	if (e)
		return e;
	s = db_get(ac->d, SQL_SUP_COUNTS_ITEMS);
	db_bind_int(s, 1, order_id);
	db_bind_int(s, 2, sign);
	return db_run(s, NULL);
}

/* The order's pickup slot (if any): used (orders not cancelled) and pending (not yet
 * delivered or collected) moved by these amounts. */
static werr counts_slot(const actor *ac, int64_t order_id, int used, int pending)
{
	db_stmt *s = db_get(ac->d, SQL_SUP_SLOT_COUNT_ADD);
	db_bind_int(s, 1, order_id);
	db_bind_int(s, 2, used);
	db_bind_int(s, 3, pending);
	return db_run(s, NULL);
}

static werr counts_state(const actor *ac, int64_t order_id, const char *state, int sign)
{
	db_stmt *s = db_get(ac->d, SQL_SUP_STATE_COUNT_ADD);
	db_bind_int(s, 1, order_id);
	db_bind_text(s, 2, state);
	db_bind_int(s, 3, sign);
	return db_run(s, NULL);
}

typedef struct {
	int64_t id, unit_id;
	const char *path, *room;
} hh_row;

static werr hh_load(const actor *ac, int64_t id, const char *field, hh_row *h)
{
	db_stmt *s = db_get(ac->d, SQL_HH_BY_ID);
	db_bind_int(s, 1, id);
	werr e = WG_OK;
	int rc = db_step(s, &e);
	bool retired = false;
	if (rc == DB_ROW) {
		h->id = id;
		h->unit_id = db_int(s, 1);
		h->room = arena_strdup(ac->a, db_text(s, 2));
		retired = !db_null(s, 5);
		h->path = arena_strdup(ac->a, db_text(s, 12));
	}
	db_done(s);
	if (rc < 0)
		return e;
	if (rc != DB_ROW || retired || !actor_in_scope(ac, h->path))
		return w_fail(W_ENOTFOUND, "household_not_found", field, "没有这一户 / no such household");
	return WG_OK;
}

/* Door delivery: someone living alone or disabled (immobile), or under isolation. */
static const char *door_reason(const actor *ac, int64_t hid)
{
	db_stmt *s = db_get(ac->d, SQL_SUP_HH_NEEDS);
	db_bind_int(s, 1, hid);
	werr e;
	const char *why = NULL;
	if (db_step(s, &e) == DB_ROW) {
		buf b;
		buf_init(&b, ac->a);
		if (db_int(s, 0))
			buf_puts(&b, "lives_alone");
		if (db_int(s, 1))
			buf_printf(&b, "%sdisabled", b.len ? "," : "");
		if (db_int(s, 2))
			buf_printf(&b, "%sisolated", b.len ? "," : "");
		why = b.len ? b.p : NULL;
	}
	db_done(s);
	return why;
}

typedef struct {
	int64_t package_id, qty, price_fen;
} item;

/* Write an order's row, items and first history row (inside the caller's transaction).
 * existing > 0: change that order (only while it is ordered or cancelled). */
static werr order_write(const actor *ac, int64_t round_id, const hh_row *h, int64_t existing, const item *items,
                        size_t n, const char *payment, int64_t slot_id, const char *client_id, const char *state,
                        int64_t at, int64_t *id)
{
	int64_t total = 0, qty = 0;
	for (size_t i = 0; i < n; i++) {
		total += items[i].qty * items[i].price_fen;
		qty += items[i].qty;
	}
	if (!state)
		state = qty ? "ordered" : "cancelled";
	const char *why = door_reason(ac, h->id);
	werr e;
	db_stmt *s;
	const char *old_state = "";
	if (existing) {
		/* the order's counters leave with its old items and state, and come back with the new */
		s = db_get(ac->d, SQL_SUP_ORDER_OLD);
		db_bind_int(s, 1, existing);
		int rc = db_step(s, &e);
		if (rc == DB_ROW)
			old_state = arena_strdup(ac->a, db_text(s, 0));
		db_done(s);
		if (rc < 0)
			return e;
		if (strcmp(old_state, "ordered") == 0 && ((e = counts_order(ac, existing, -1)) || (e = counts_slot(ac, existing, -1, -1))))
			return e;
		s = db_get(ac->d, SQL_SUP_ORDER_CHANGE);
		db_bind_int(s, 1, existing);
		db_bind_text(s, 2, state);
		db_bind_text(s, 3, payment);
		db_bind_int(s, 4, total);
		db_bind_int(s, 5, why != NULL);
		db_bind_text(s, 6, why);
		if (slot_id)
			db_bind_int(s, 7, slot_id);
		db_bind_int(s, 8, at);
		if ((e = db_run(s, NULL)))
			return e;
		if (db_changes(ac->d) != 1)
			return w_fail(W_ECONFLICT, "order_in_delivery", "items",
			              "订单已付款或已在配送中，不能再改 / the order is paid or on its way: it can no longer be changed");
		*id = existing;
		s = db_get(ac->d, SQL_SUP_ITEMS_CLEAR);
		db_bind_int(s, 1, existing);
		if ((e = db_run(s, NULL)))
			return e;
	} else {
		s = db_get(ac->d, SQL_SUP_ORDER_INSERT);
		db_bind_int(s, 1, round_id);
		db_bind_int(s, 2, h->id);
		db_bind_int(s, 3, h->unit_id);
		db_bind_text(s, 4, h->path);
		db_bind_text(s, 5, state);
		db_bind_text(s, 6, payment);
		db_bind_int(s, 7, total);
		db_bind_int(s, 8, why != NULL);
		db_bind_text(s, 9, why);
		if (slot_id)
			db_bind_int(s, 10, slot_id);
		db_bind_text(s, 11, client_id);
		db_bind_int(s, 12, at);
		if (ac->user_id)
			db_bind_int(s, 13, ac->user_id);
		if ((e = db_run(s, id)))
			return e == W_ECONFLICT ? w_fail(e, "duplicate_order", "household_id",
			                                 "这一户在本批次已有订单 / the household has an order in this round")
			                        : e;
	}
	for (size_t i = 0; i < n; i++) {
		if (!items[i].qty)
			continue;
		s = db_get(ac->d, SQL_SUP_ITEM_INSERT);
		db_bind_int(s, 1, *id);
		db_bind_int(s, 2, items[i].package_id);
		db_bind_int(s, 3, items[i].qty);
		db_bind_int(s, 4, items[i].price_fen);
		if ((e = db_run(s, NULL)))
			return e;
	}
	if ((e = history_add(ac, *id, at, NULL, state, existing ? "changed" : NULL, NULL)))
		return e;
	if (strcmp(state, "cancelled") != 0 &&
	    ((e = counts_order(ac, *id, 1)) ||
	     (e = counts_slot(ac, *id, 1, strcmp(state, "delivered") != 0 && strcmp(state, "collected") != 0))))
		return e;
	if (!existing && strcmp(state, "ordered") != 0 && strcmp(state, "cancelled") != 0 && (e = cash_received(ac, *id, at)))
		return e;
	if (!existing)
		return counts_state(ac, *id, state, 1);
	if (!old_state[0] || !strcmp(old_state, state))
		return WG_OK;
	/* ordered <-> cancelled: the two state rows in name order (no step touches both) */
	bool down_first = strcmp(old_state, state) < 0;
	if ((e = counts_state(ac, *id, down_first ? old_state : state, down_first ? -1 : 1)))
		return e;
	return counts_state(ac, *id, down_first ? state : old_state, down_first ? 1 : -1);
}

static werr order_answer(const actor *ac, int64_t id, json_t **out)
{
	order_row o = {0};
	werr e = order_load(ac, id, "order_id", &o);
	if (!e)
		*out = order_json(ac, &o, true);
	return e;
}

/* The live feed's `supply` event after a round's orders, states or cash changed (the round
 * and what changed; no household, no amount): the dashboard's tile reads its figures again. */
static void supply_event(const char *path, int64_t round_id, const char *what)
{
	bus_publish_json(path, "supply", json_pack("{s:I,s:s}", "round_id", (json_int_t)round_id, "what", what));
}

werr order_put(const actor *ac, int64_t round_id, int64_t link_hh, json_t *body, json_t **out, bool *created)
{
	static const char *const allowed[] = {"household_id", "items", "payment", "slot_id", "client_id", NULL};
	static const char *const link_allowed[] = {"items", "payment", "slot_id", "client_id", NULL};
	const char *payment, *client_id;
	int64_t hid = link_hh, slot_id = 0;
	werr e;
	*created = false;
	if ((e = jv_only(body, link_hh ? link_allowed : allowed)) ||
	    (!link_hh && (e = jv_int(body, "household_id", true, 1, INT64_MAX, &hid, NULL))) ||
	    (e = jv_str(body, "payment", true, 10, &payment)) || (e = jv_str(body, "client_id", false, 64, &client_id)) ||
	    (e = jv_int(body, "slot_id", false, 1, INT64_MAX, &slot_id, NULL)))
		return e;
	if (!str_in_list(payment, payments))
		return w_fail(W_EINVAL, "invalid_payment", "payment", "付款方式：online 线上、cash 现金交网格员、aid 救助 / payment: online, cash or aid");
	json_t *arr = json_object_get(body, "items");
	if (!json_is_array(arr) || json_array_size(arr) == 0 || json_array_size(arr) > 50)
		return w_fail(W_EINVAL, "required", "items", "请选择套餐和数量 / items: 1–50 {package_id, qty}");
	round_row r = {0};
	if ((e = round_load(ac, round_id, "round_id", &r)))
		return e;
	if (client_id) {
		db_stmt *s = db_get(ac->d, SQL_SUP_ORDER_BY_CLIENT);
		db_bind_text(s, 1, client_id);
		int64_t id = 0, rid = 0, h = 0;
		int rc = db_step(s, &e);
		if (rc == DB_ROW) {
			id = db_int(s, 0);
			rid = db_int(s, 1);
			h = db_int(s, 2);
		}
		db_done(s);
		if (rc < 0)
			return e;
		if (id) {
			if (rid != round_id || h != hid)
				return w_fail(W_ECONFLICT, "client_id_reused", "client_id", "client_id 已用于另一个订单 / client_id names another order");
			return order_answer(ac, id, out);
		}
	}
	hh_row h = {0};
	if ((e = hh_load(ac, hid, "household_id", &h)))
		return e;
	if (!under(h.path, r.path))
		return w_fail(W_EINVAL, "household_outside_round", "household_id", "这一户不在本批次范围内 / the household lies outside the round");
	int64_t now = now_s();
	if (r.closed_at || now >= r.cutoff_at) {
		char t[32];
		fmt_time(r.closed_at && r.closed_at < r.cutoff_at ? r.closed_at : r.cutoff_at, t);
		t[16] = 0;
		t[10] = ' ';
		return w_fail(W_ECONFLICT, "cutoff_passed", "cutoff",
		              "本批次已于%s截单，不能再下单或修改 / the round was cut off at %s: orders can no longer be placed or changed", t,
		              t);
	}
	if (now < r.opens_at)
		return w_fail(W_ECONFLICT, "round_not_open", "opens", "本批次还没开始接单 / the round does not take orders yet");
	json_t *offered = round_packages(ac, round_id);
	size_t n = json_array_size(arr);
	item *items = arena_alloc(ac->a, n * sizeof *items);
	int64_t qty = 0;
	for (size_t i = 0; i < n; i++) {
		static const char *const ia[] = {"package_id", "qty", NULL};
		json_t *x = json_array_get(arr, i);
		if (!json_is_object(x)) {
			json_decref(offered);
			return w_fail(W_EINVAL, "wrong_type", "items", "items: {package_id, qty}");
		}
		if ((e = jv_only(x, ia)) || (e = jv_int(x, "package_id", true, 1, INT64_MAX, &items[i].package_id, NULL)) ||
		    (e = jv_int(x, "qty", true, 0, 99, &items[i].qty, NULL))) {
			json_decref(offered);
			return e;
		}
		bool found = false;
		size_t k;
		json_t *p;
		json_array_foreach(offered, k, p) {
			if (json_integer_value(json_object_get(p, "id")) == items[i].package_id) {
				found = true;
				items[i].price_fen = json_integer_value(json_object_get(p, "price_fen"));
			}
		}
		for (size_t j = 0; j < i; j++)
			if (items[j].package_id == items[i].package_id)
				found = false;
		if (!found) {
			json_decref(offered);
			return w_fail(W_EINVAL, "package_not_offered", "items",
			              "套餐%lld不在本批次或重复 / package %lld is not on offer in this round, or listed twice",
			              (long long)items[i].package_id, (long long)items[i].package_id);
		}
		qty += items[i].qty;
	}
	json_decref(offered);
	db_stmt *s = db_get(ac->d, SQL_SUP_ORDER_OF_HH);
	db_bind_int(s, 1, round_id);
	db_bind_int(s, 2, hid);
	int64_t existing = 0;
	if ((e = db_scalar(s, &existing)) && e != W_ENOTFOUND)
		return e;
	if (!existing && !qty)
		return w_fail(W_EINVAL, "empty_order", "items", "每样都是0份，没有可下的单 / every quantity is 0: nothing to order");
	if (slot_id) {
		s = db_get(ac->d, SQL_SUP_SLOT_GET);
		db_bind_int(s, 1, slot_id);
		int rc = db_step(s, &e);
		bool ok = rc == DB_ROW && db_int(s, 0) == round_id && under(h.path, db_text(s, 2));
		int64_t cap = rc == DB_ROW ? db_int(s, 1) : 0;
		db_done(s);
		if (rc < 0)
			return e;
		if (!ok)
			return w_fail(W_EINVAL, "invalid_slot", "slot_id", "这个取货时段不属于本户所在楼栋 / the slot is not one of this household's building");
		s = db_get(ac->d, SQL_SUP_SLOT_USED);
		db_bind_int(s, 1, slot_id);
		db_bind_int(s, 2, existing);
		int64_t used = 0;
		if ((e = db_scalar(s, &used)))
			return e;
		if (used >= cap)
			return w_fail(W_ECONFLICT, "slot_full", "slot_id", "这个时段已满（%lld户），请选别的时段 / the slot is full (%lld households): choose another",
			              (long long)cap, (long long)cap);
	}
	if ((e = db_begin(ac->d)))
		return e;
	int64_t id = 0;
	e = order_write(ac, round_id, &h, existing, items, n, payment, slot_id, client_id, NULL, now, &id);
	if (!e)
		e = audit(ac, existing ? "update" : "create", "supply_order", id, "household_id,items,payment,slot_id", "ok");
	if ((e = db_end(ac->d, e)))
		return e;
	supply_event(h.path, round_id, "order");
	*created = !existing;
	return order_answer(ac, id, out);
}

static werr step_check(const actor *ac, const order_row *o, const char *to, int64_t rest_minutes, int64_t now)
{
	const char *from = step_from(to);
	if (!from)
		return w_fail(W_EINVAL, "invalid_state", "to", "to: paid received disinfected at_door delivered collected");
	const char *cur = o->state ? o->state : "";
	if (strcmp(from, cur) != 0) {
		const char *next = NULL;
		for (int i = 0; i < NSTEPS && !next; i++)
			if (!strcmp(steps[i].from, cur))
				next = steps[i].to;
		return w_fail(W_ECONFLICT, "state_order", "to",
		              "订单现在是「%s」，不能直接到「%s」%s%s / the order is %s: it cannot go to %s%s%s", state_zh(o->state),
		              state_zh(to), next ? "，下一步是" : "", next ? state_zh(next) : "", cur, to,
		              next ? "; the next state is " : "", next ? next : "");
	}
	if (!strcmp(to, "at_door") && now < o->disinfected_at + rest_minutes * 60) {
		int64_t left = (o->disinfected_at + rest_minutes * 60 - now + 59) / 60;
		(void)ac;
		return w_fail(W_ECONFLICT, "resting", "to",
		              "消杀后须静置%lld分钟，还差%lld分钟才能送往楼栋 / goods rest %lld minutes after disinfection: %lld minutes to go",
		              (long long)rest_minutes, (long long)left, (long long)rest_minutes, (long long)left);
	}
	return WG_OK;
}

/* One step of one order (at: when it was done); counted: the caller keeps the state
 * counters itself (a bulk step counts per unit at the end). */
static werr step_write(const actor *ac, int64_t id, const char *from, const char *to, const char *handed_to,
                       const char *note, int64_t at, const char *client_id, bool counted)
{
	db_stmt *s = db_get(ac->d, SQL_SUP_ORDER_STEP);
	db_bind_int(s, 1, id);
	db_bind_text(s, 2, from);
	db_bind_text(s, 3, to);
	db_bind_int(s, 4, at);
	db_bind_text(s, 5, handed_to);
	werr e = db_run(s, NULL);
	if (e)
		return e;
	if (db_changes(ac->d) != 1)
		return w_fail(W_ECONFLICT, "state_changed", "to", "这一单刚被别人改了状态，请刷新 / someone else changed this order just now: reload");
	if (!counted && ((e = counts_state(ac, id, from, -1)) || (e = counts_state(ac, id, to, 1))))
		return e;
	if (!strcmp(to, "paid") && (e = cash_received(ac, id, at)))
		return e;
	if ((!strcmp(to, "delivered") || !strcmp(to, "collected")) && (e = counts_slot(ac, id, 0, -1)))
		return e;
	return history_add(ac, id, at, from, to, note, client_id);
}

/* A step marked on a phone while offline and sent later: "at" says when it was done (not
 * after now, and never before the order's last step: a phone's clock may be behind). */
static werr step_time(const actor *ac, json_t *body, const order_row *o, int64_t now, int64_t *at)
{
	bool given = false;
	werr e = time_field(body, "at", false, at, &given);
	(void)ac;
	if (e)
		return e;
	if (!given) {
		*at = now;
		return WG_OK;
	}
	if (*at > now + 300)
		return w_fail(W_EINVAL, "time_in_future", "at", "完成时间不能晚于现在 / at cannot lie in the future");
	if (*at > now)
		*at = now;
	if (*at < o->state_at)
		*at = o->state_at;
	return WG_OK;
}

werr order_step(const actor *ac, int64_t id, json_t *body, json_t **out)
{
	static const char *const allowed[] = {"to", "note", "handed_to", "at", "client_id", NULL};
	const char *to, *note, *handed, *client_id;
	order_row o = {0};
	round_row r = {0};
	werr e;
	if ((e = jv_only(body, allowed)) || (e = jv_str(body, "to", true, 12, &to)) ||
	    (e = jv_str(body, "note", false, 200, &note)) || (e = jv_str(body, "handed_to", false, 40, &handed)) ||
	    (e = jv_str(body, "client_id", false, 64, &client_id)) || (e = order_load(ac, id, "order_id", &o)))
		return e;
	if (client_id) { /* a replay of a step the phone queued: stored once */
		db_stmt *s = db_get(ac->d, SQL_SUP_HISTORY_BY_CLIENT);
		db_bind_text(s, 1, client_id);
		int rc = db_step(s, &e);
		int64_t oid = rc == DB_ROW ? db_int(s, 0) : 0;
		bool same = rc == DB_ROW && !strcmp(db_text(s, 1), to);
		db_done(s);
		if (rc < 0)
			return e;
		if (oid && (oid != id || !same))
			return w_fail(W_ECONFLICT, "client_id_reused", "client_id", "client_id 已用于另一步 / client_id names another step");
		if (oid)
			return order_answer(ac, id, out);
	}
	{
		actor wide = *ac; /* the round may lie above the actor: its rest time is no secret */
		wide.unit_path = "/";
		if ((e = round_load(&wide, o.round_id, "round_id", &r)))
			return e;
	}
	int64_t now = now_s(), at;
	if ((e = step_time(ac, body, &o, now, &at)) || (e = step_check(ac, &o, to, r.rest_minutes, at)))
		return e;
	if ((e = db_begin(ac->d)))
		return e;
	e = step_write(ac, id, o.state, to, handed, note, at, client_id, false);
	if (!e)
		e = audit(ac, "update", "supply_order", id, arena_printf(ac->a, "state:%s", to), "ok");
	if ((e = db_end(ac->d, e)))
		return e;
	supply_event(o.path, o.round_id, to);
	return order_answer(ac, id, out);
}

werr round_advance(const actor *ac, int64_t round_id, json_t *body, json_t **out)
{
	static const char *const allowed[] = {"unit", "to", "note", NULL};
	const char *code, *to, *note;
	round_row r = {0};
	unit_row u = {0};
	werr e;
	if ((e = jv_only(body, allowed)) || (e = jv_str(body, "unit", true, 64, &code)) ||
	    (e = jv_str(body, "to", true, 12, &to)) || (e = jv_str(body, "note", false, 200, &note)) ||
	    (e = round_load(ac, round_id, "round_id", &r)) || (e = round_subtree(ac, &r, code, &u)))
		return e;
	const char *from = step_from(to);
	if (!from)
		return w_fail(W_EINVAL, "invalid_state", "to", "to: paid received disinfected at_door delivered collected");
	if (!strcmp(to, "delivered") || !strcmp(to, "collected"))
		return w_fail(W_EINVAL, "one_by_one", "to", "送达和自取要逐户登记 / delivered and collected are marked household by household");
	int64_t now = now_s(), cut = now - r.rest_minutes * 60;
	db_stmt *s = db_get(ac->d, SQL_SUP_ORDER_IDS_IN_STATE);
	db_bind_int(s, 1, round_id);
	db_bind_text(s, 2, u.path);
	db_bind_text(s, 3, scope_upper(ac->a, u.path));
	db_bind_text(s, 4, from);
	size_t cap = 1024, n = 0;
	int64_t *ids = xmalloc(cap * 2 * sizeof *ids), resting = 0; /* order id, its unit */
	int rc;
	while ((rc = db_step(s, &e)) == DB_ROW) {
		if (!strcmp(to, "at_door") && (db_null(s, 1) || db_int(s, 1) > cut)) {
			resting++;
			continue;
		}
		if (n == cap)
			ids = xrealloc(ids, (cap *= 2) * 2 * sizeof *ids);
		ids[2 * n] = db_int(s, 0);
		ids[2 * n + 1] = db_int(s, 2);
		n++;
	}
	db_done(s);
	if (rc < 0 || (e = db_begin(ac->d))) {
		free(ids);
		return e;
	}
	int64_t moved = 0, raced = 0, unit_moved = 0;
	/* the orders come unit by unit (ORDER BY unit_id): the counters move once per unit */
	for (size_t i = 0; i < n && !e; i++) {
		e = step_write(ac, ids[2 * i], from, to, NULL, note, now, NULL, true);
		if (e == W_ECONFLICT) { /* moved by someone else meanwhile: it is in a later state already */
			e = WG_OK;
			raced++;
		} else if (!e) {
			moved++;
			unit_moved++;
		}
		if (!e && unit_moved && (i + 1 == n || ids[2 * i + 3] != ids[2 * i + 1])) {
			for (int k = 0; k < 2 && !e; k++) {
				db_stmt *c = db_get(ac->d, SQL_SUP_STATE_COUNT_UNIT);
				db_bind_int(c, 1, round_id);
				db_bind_int(c, 2, ids[2 * i + 1]);
				db_bind_text(c, 3, k ? to : from);
				db_bind_int(c, 4, k ? unit_moved : -unit_moved);
				e = db_run(c, NULL);
			}
			unit_moved = 0;
		}
	}
	free(ids);
	if (!e)
		e = audit(ac, "update", "supply_order", round_id,
		          arena_printf(ac->a, "advance unit:%s state:%s orders:%lld", u.code, to, (long long)moved), "ok");
	if ((e = db_end(ac->d, e)))
		return e;
	if (moved)
		supply_event(u.path, round_id, to);
	int64_t total;
	*out = json_pack("{s:s,s:s,s:s,s:I,s:I,s:I,s:o}", "unit", u.code, "from", from, "to", to, "moved",
	                 (json_int_t)moved, "resting", (json_int_t)resting, "skipped", (json_int_t)raced, "by_state",
	                 state_counts(ac, round_id, u.path, &total));
	return WG_OK;
}

/* ---- after-sales: reported on an order, answered by the grid ---- */

static werr aftersale_answer(const actor *ac, int64_t id, json_t **out)
{
	db_stmt *s = db_get(ac->d, SQL_SUP_AS_GET);
	db_bind_int(s, 1, id);
	werr e = WG_OK;
	int rc = db_step(s, &e);
	const char *path = rc == DB_ROW ? arena_strdup(ac->a, db_text(s, 3)) : NULL;
	json_t *j = rc == DB_ROW ? aftersale_json(ac, s) : NULL;
	db_done(s);
	if (rc < 0)
		return e;
	if (!j || !actor_in_scope(ac, path)) {
		json_decref(j);
		return w_fail(W_ENOTFOUND, "aftersale_not_found", "aftersale_id", "没有这条售后 / no such after-sales case");
	}
	*out = j;
	return WG_OK;
}

werr aftersale_report(const actor *ac, int64_t order_id, int64_t link_hh, json_t *body, json_t **out, bool *created)
{
	static const char *const allowed[] = {"kind", "package_id", "qty", "note", "client_id", NULL};
	const char *kind, *note, *client_id;
	int64_t pkg = 0, qty = 0;
	bool has_qty = false;
	order_row o = {0};
	werr e;
	*created = false;
	if ((e = jv_only(body, allowed)) || (e = jv_str(body, "kind", true, 10, &kind)) ||
	    (e = jv_int(body, "package_id", false, 1, INT64_MAX, &pkg, NULL)) ||
	    (e = jv_int(body, "qty", false, 1, 99, &qty, &has_qty)) || (e = jv_str(body, "note", false, 200, &note)) ||
	    (e = jv_str(body, "client_id", false, 64, &client_id)))
		return e;
	if (!str_in_list(kind, aftersale_kinds))
		return w_fail(W_EINVAL, "invalid_kind", "kind", "售后类别：missing 少送、damaged 损坏、wrong 送错、other 其他 / kind: missing damaged wrong other");
	if (!strcmp(kind, "other") && !note)
		return w_fail(W_EINVAL, "required", "note", "请写明是什么问题 / note: what is wrong");
	if ((e = order_load(ac, order_id, "order_id", &o)))
		return e;
	if (link_hh && o.household_id != link_hh)
		return w_fail(W_ENOTFOUND, "order_not_found", "order_id", "没有这个订单 / no such order");
	if (client_id) {
		db_stmt *s = db_get(ac->d, SQL_SUP_AS_BY_CLIENT);
		db_bind_text(s, 1, client_id);
		int rc = db_step(s, &e);
		int64_t id = rc == DB_ROW ? db_int(s, 0) : 0, oid = rc == DB_ROW ? db_int(s, 1) : 0;
		db_done(s);
		if (rc < 0)
			return e;
		if (id && oid != order_id)
			return w_fail(W_ECONFLICT, "client_id_reused", "client_id", "client_id 已用于另一条售后 / client_id names another case");
		if (id)
			return aftersale_answer(ac, id, out);
	}
	if (!str_in_list(o.state, (const char *const[]){"at_door", "delivered", "collected", NULL}))
		return w_fail(W_ECONFLICT, "not_delivered", "order_id",
		              "订单现在是「%s」，送到后才能报售后 / the order is %s: after-sales are reported once it is delivered",
		              state_zh(o.state), o.state);
	if (pkg) { /* the package must be in the order, and no more of it than was ordered */
		json_t *items = order_items(ac, order_id), *x;
		size_t i;
		int64_t had = 0;
		json_array_foreach(items, i, x) if (json_integer_value(json_object_get(x, "package_id")) == pkg) had =
		    json_integer_value(json_object_get(x, "qty"));
		json_decref(items);
		if (!had)
			return w_fail(W_EINVAL, "package_not_in_order", "package_id", "这个订单里没有这个套餐 / the order has no such package");
		if (!has_qty)
			qty = had;
		if (qty > had)
			return w_fail(W_EINVAL, "qty_over_order", "qty", "只订了%lld份 / only %lld were ordered", (long long)had,
			              (long long)had);
	} else if (has_qty) {
		return w_fail(W_EINVAL, "required", "package_id", "写数量时请选套餐 / qty goes with a package_id");
	}
	if ((e = db_begin(ac->d)))
		return e;
	db_stmt *s = db_get(ac->d, SQL_SUP_AS_INSERT);
	db_bind_int(s, 1, order_id);
	db_bind_int(s, 2, o.round_id);
	db_bind_text(s, 3, o.path);
	db_bind_text(s, 4, kind);
	if (pkg)
		db_bind_int(s, 5, pkg);
	db_bind_int(s, 6, qty);
	db_bind_text(s, 7, note);
	db_bind_text(s, 8, link_hh ? "link" : "worker");
	db_bind_text(s, 9, client_id);
	db_bind_int(s, 10, now_s());
	if (ac->user_id)
		db_bind_int(s, 11, ac->user_id);
	int64_t id = 0;
	e = db_run(s, &id);
	if (!e)
		e = audit(ac, "create", "supply_aftersale", id, "order_id,kind,package_id,qty,note", "ok");
	if ((e = db_end(ac->d, e)))
		return e;
	*created = true;
	return aftersale_answer(ac, id, out);
}

static werr holder_round_cash(const actor *ac, int64_t round_id, int64_t holder_id, int64_t *out);

/* A refund of an order paid in cash is handed back from the cash of whoever took it, of
 * that round: never more than they still hold of it (what was handed over to the supplier
 * is gone), as a handover is never more than that — else their cash in hand went below
 * zero.  Called inside the resolve's transaction, the round row locked. */
static werr refund_cash_check(const actor *ac, const order_row *o, int64_t refund)
{
	db_stmt *s = db_get(ac->d, SQL_SUP_ORDER_CASH_HOLDER);
	db_bind_int(s, 1, o->id);
	werr e = WG_OK;
	int64_t holder_id = 0;
	const char *user = NULL, *name = NULL;
	int rc = db_step(s, &e);
	if (rc == DB_ROW) {
		holder_id = db_int(s, 0);
		user = arena_strdup(ac->a, db_text(s, 1));
		name = arena_strdup(ac->a, db_null(s, 2) ? db_text(s, 1) : db_text(s, 2));
	}
	db_done(s);
	if (rc < 0)
		return e;
	if (!holder_id) /* not paid in cash, or never marked paid: no cash moves */
		return WG_OK;
	s = db_get(ac->d, SQL_SUP_ROUND_LOCK);
	db_bind_int(s, 1, o->round_id);
	rc = db_step(s, &e);
	db_done(s);
	if (rc < 0)
		return e;
	int64_t held = 0;
	if ((e = holder_round_cash(ac, o->round_id, holder_id, &held)))
		return e;
	if (refund <= held)
		return WG_OK;
	const char *left = yuan(ac->a, held > 0 ? held : 0), *asked = yuan(ac->a, refund);
	return w_fail(W_ECONFLICT, "refund_over_cash", "refund_fen",
	              "这笔订单的现金在%s手上，本批次只剩%s（其余已交供应商），不能从中退%s / the order's cash is in %s's hand, "
	              "who holds only %s of this round's cash (the rest was handed to the supplier): %s cannot be refunded from it",
	              name, left, asked, user, left, asked);
}

werr aftersale_resolve(const actor *ac, int64_t id, json_t *body, json_t **out)
{
	static const char *const allowed[] = {"resolution", "refund_fen", "answer", NULL};
	const char *res, *answer;
	int64_t refund = 0;
	bool has_refund = false;
	werr e;
	json_t *cur = NULL;
	if ((e = jv_only(body, allowed)) || (e = jv_str(body, "resolution", true, 10, &res)) ||
	    (e = jv_int(body, "refund_fen", false, 1, 100000000, &refund, &has_refund)) ||
	    (e = jv_str(body, "answer", false, 200, &answer)))
		return e;
	if (!str_in_list(res, aftersale_answers))
		return w_fail(W_EINVAL, "invalid_resolution", "resolution", "处理结果：replaced 补发、refunded 退款、rejected 不予处理 / resolution: replaced refunded rejected");
	if (!strcmp(res, "refunded") && !has_refund)
		return w_fail(W_EINVAL, "required", "refund_fen", "退款须写金额（分）/ a refund gives refund_fen");
	if (strcmp(res, "refunded") != 0 && has_refund)
		return w_fail(W_EINVAL, "refund_not_refunded", "refund_fen", "只有退款才写金额 / refund_fen goes with refunded");
	if (!strcmp(res, "rejected") && !answer)
		return w_fail(W_EINVAL, "required", "answer", "不予处理须说明原因 / a rejection says why");
	if ((e = aftersale_answer(ac, id, &cur)))
		return e;
	int64_t order_id = json_integer_value(json_object_get(cur, "order_id"));
	bool open = !strcmp(json_string_value(json_object_get(cur, "state")), "open");
	json_decref(cur);
	if (!open)
		return w_fail(W_ECONFLICT, "aftersale_closed", "aftersale_id", "这条售后已处理 / the case is answered already");
	order_row o = {0};
	if ((e = order_load(ac, order_id, "order_id", &o)) || (e = db_begin(ac->d)))
		return e;
	int64_t refunded = 0;
	db_stmt *s = db_get(ac->d, SQL_SUP_AS_REFUNDED);
	db_bind_int(s, 1, order_id);
	if ((e = db_scalar(s, &refunded))) {
		db_rollback(ac->d);
		return e;
	}
	if (refund > o.total_fen - refunded) {
		db_rollback(ac->d);
		return w_fail(W_EINVAL, "refund_over_total", "refund_fen",
		              "退款不能超过订单金额：还可退%s / a refund cannot pass what the order cost: %s is left",
		              yuan(ac->a, o.total_fen - refunded), yuan(ac->a, o.total_fen - refunded));
	}
	if (refund && (e = refund_cash_check(ac, &o, refund))) {
		db_rollback(ac->d);
		return e;
	}
	s = db_get(ac->d, SQL_SUP_AS_RESOLVE);
	db_bind_int(s, 1, id);
	db_bind_text(s, 2, res);
	db_bind_int(s, 3, refund);
	db_bind_text(s, 4, answer);
	db_bind_int(s, 5, now_s());
	if (ac->user_id)
		db_bind_int(s, 6, ac->user_id);
	if (!(e = db_run(s, NULL)) && db_changes(ac->d) != 1)
		e = w_fail(W_ECONFLICT, "aftersale_closed", "aftersale_id", "这条售后已处理 / the case is answered already");
	if (!e && refund) { /* paid in cash: handed back from the cash of whoever received it */
		int64_t cash_id = 0;
		s = db_get(ac->d, SQL_SUP_CASH_REFUND);
		db_bind_int(s, 1, order_id);
		db_bind_int(s, 2, id);
		db_bind_int(s, 3, refund);
		if (ac->user_id)
			db_bind_int(s, 4, ac->user_id);
		db_bind_int(s, 5, now_s());
		db_bind_text(s, 6, arena_printf(ac->a, "售后#%lld退款 / refund of case %lld", (long long)id, (long long)id));
		if (!(e = db_run(s, &cash_id)))
			e = cash_count(ac, cash_id);
	}
	if (!e)
		e = audit(ac, "update", "supply_aftersale", id, arena_printf(ac->a, "resolution:%s refund_fen", res), "ok");
	if ((e = db_end(ac->d, e)))
		return e;
	return aftersale_answer(ac, id, out);
}

/* The after-sales figures of a round's subtree: cases by state and what was refunded. */
static json_t *aftersale_figures(const actor *ac, int64_t round_id, const char *path)
{
	json_t *o = json_pack("{s:i,s:i,s:i,s:i}", "open", 0, "replaced", 0, "refunded", 0, "rejected", 0);
	int64_t fen = 0;
	db_stmt *s = db_get(ac->d, SQL_SUP_AS_FIGURES);
	db_bind_int(s, 1, round_id);
	db_bind_text(s, 2, path);
	db_bind_text(s, 3, scope_upper(ac->a, path));
	werr e;
	while (db_step(s, &e) == DB_ROW) {
		json_object_set_new(o, db_text(s, 0), json_integer(db_int(s, 1)));
		fen += db_int(s, 2);
	}
	db_done(s);
	json_object_set_new(o, "refunded_fen", json_integer(fen));
	json_object_set_new(o, "refunded_total", json_string(yuan(ac->a, fen)));
	return o;
}

/* Orders past their slot's end, neither delivered nor collected: the counters of the ended
 * slots in the subtree, and a count of the orders only for a slot above it (the subtree is
 * an entrance of the slot's building). */
static int64_t late_count(const actor *ac, int64_t round_id, const char *path)
{
	int64_t n = 0, below = 0;
	for (int k = 0; k < 2; k++) {
		db_stmt *s = db_get(ac->d, k ? SQL_SUP_LATE_COUNT : SQL_SUP_LATE_SLOTS);
		db_bind_int(s, 1, round_id);
		db_bind_text(s, 2, path);
		db_bind_text(s, 3, scope_upper(ac->a, path));
		db_bind_int(s, 4, now_s());
		if (db_scalar(s, k ? &below : &n))
			return 0;
	}
	return n + below;
}

werr aftersale_list(const actor *ac, int64_t round_id, const char *unit_code, const char *state, json_t **out)
{
	if (state && strcmp(state, "open") != 0 && !str_in_list(state, aftersale_answers))
		return w_fail(W_EINVAL, "invalid_state", "state", "state: open replaced refunded rejected");
	round_row r = {0};
	unit_row u = {0};
	werr e;
	if ((e = round_load(ac, round_id, "round_id", &r)) || (e = round_subtree(ac, &r, unit_code, &u)))
		return e;
	db_stmt *s = db_get(ac->d, SQL_SUP_AS_LIST);
	db_bind_int(s, 1, round_id);
	db_bind_text(s, 2, u.path);
	db_bind_text(s, 3, scope_upper(ac->a, u.path));
	db_bind_text(s, 4, state);
	db_bind_int(s, 5, 2000);
	json_t *items = json_array();
	int rc;
	while ((rc = db_step(s, &e)) == DB_ROW)
		json_array_append_new(items, aftersale_json(ac, s));
	db_done(s);
	if (rc < 0 || (e = audit(ac, "read", "supply_aftersale", round_id,
	                         arena_printf(ac->a, "list unit:%s rows:%zu", u.code, json_array_size(items)), "ok"))) {
		json_decref(items);
		return e;
	}
	*out = json_pack("{s:s,s:s,s:o,s:o}", "unit", u.code, "unit_name", u.name, "items", items, "figures",
	                 aftersale_figures(ac, round_id, u.path));
	return WG_OK;
}

/* ---- picking list and delivery sheet ---- */

static void html_escape(buf *b, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': buf_puts(b, "&lt;"); break;
		case '>': buf_puts(b, "&gt;"); break;
		case '&': buf_puts(b, "&amp;"); break;
		case '"': buf_puts(b, "&quot;"); break;
		default: buf_putc(b, *s);
		}
	}
}

static const char *cell_text(arena *a, json_t *v)
{
	if (json_is_integer(v))
		return arena_printf(a, "%lld", (long long)json_integer_value(v));
	return json_is_string(v) ? json_string_value(v) : "";
}

/* One table (headers "中文/English", rows of strings and integers) as a printable page. */
static void table_html(arena *a, const char *title, const char *sub, json_t *headers, json_t *rows, char **raw,
                       size_t *len)
{
	buf b;
	buf_init(&b, NULL);
	buf_puts(&b, "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>");
	html_escape(&b, title);
	buf_puts(&b, "</title><link rel=\"stylesheet\" href=\"/print.css\"></head><body><h1>");
	html_escape(&b, title);
	buf_puts(&b, "</h1><p>");
	html_escape(&b, sub);
	buf_puts(&b, "</p><table class=\"print-table\"><thead><tr>");
	size_t i, k;
	json_t *x, *row;
	json_array_foreach(headers, i, x) {
		buf_puts(&b, "<th>");
		html_escape(&b, json_string_value(x));
		buf_puts(&b, "</th>");
	}
	buf_puts(&b, "</tr></thead><tbody>");
	json_array_foreach(rows, k, row) {
		buf_puts(&b, "<tr>");
		json_array_foreach(row, i, x) {
			buf_puts(&b, json_is_integer(x) ? "<td class=\"num\">" : "<td>");
			html_escape(&b, cell_text(a, x));
			buf_puts(&b, "</td>");
		}
		buf_puts(&b, "</tr>");
	}
	buf_puts(&b, "</tbody></table></body></html>\n");
	*raw = b.p;
	*len = b.len;
}

static werr table_xlsx(arena *a, const char *path, const char *sheet, json_t *headers, json_t *rows)
{
	lxw_workbook *wb = workbook_new(path);
	if (!wb)
		return w_fail(W_EINTERNAL, "cannot_write", "format", "cannot write the workbook");
	lxw_worksheet *ws = workbook_add_worksheet(wb, sheet);
	/* money (a real in yuan) is a number the sheet can add up, shown ¥1,234.50 */
	lxw_format *money = workbook_add_format(wb);
	format_set_num_format(money, "\"¥\"#,##0.00");
	size_t i, k;
	json_t *x, *row;
	json_array_foreach(headers, i, x) worksheet_write_string(ws, 0, (lxw_col_t)i, json_string_value(x), NULL);
	json_array_foreach(rows, k, row) {
		json_array_foreach(row, i, x) {
			if (json_is_integer(x)) {
				worksheet_write_number(ws, (lxw_row_t)(k + 1), (lxw_col_t)i, (double)json_integer_value(x), NULL);
			} else if (json_is_real(x)) {
				worksheet_write_number(ws, (lxw_row_t)(k + 1), (lxw_col_t)i, json_real_value(x), money);
			} else {
				char *c = cell_neutralise(cell_text(a, x));
				worksheet_write_string(ws, (lxw_row_t)(k + 1), (lxw_col_t)i, c, NULL);
				free(c);
			}
		}
	}
	if (workbook_close(wb) != LXW_NO_ERROR)
		return w_fail(W_EINTERNAL, "cannot_write", "format", "writing the workbook failed");
	return WG_OK;
}

static void totals_add(json_t *totals, int64_t pkg, int64_t qty)
{
	char k[24];
	snprintf(k, sizeof k, "%lld", (long long)pkg);
	json_t *v = json_object_get(totals, k);
	json_object_set_new(totals, k, json_integer((v ? json_integer_value(v) : 0) + qty));
}

static json_t *find_or_add(json_t *arr, json_t *index, const char *code, json_t *(*make)(const char *, const char *),
                           const char *name)
{
	json_t *i = json_object_get(index, code);
	if (i)
		return json_array_get(arr, (size_t)json_integer_value(i));
	json_object_set_new(index, code, json_integer((json_int_t)json_array_size(arr)));
	json_t *o = make(code, name);
	json_array_append_new(arr, o);
	return o;
}

static json_t *make_group(const char *code, const char *name)
{
	return json_pack("{s:s,s:s,s:I,s:{},s:[]}", "unit", code, "name", name, "households", (json_int_t)0, "totals",
	                 "entrances");
}

werr round_picking(const actor *ac, int64_t id, const char *unit_code, sup_format f, const char *path,
                   json_t **out, char **raw, size_t *raw_len)
{
	round_row r = {0};
	unit_row u = {0};
	werr e;
	if ((e = round_load(ac, id, "round_id", &r)) || (e = round_subtree(ac, &r, unit_code, &u)))
		return e;
	json_t *pkgs = round_packages(ac, id);
	/* households per ordering unit */
	json_t *hh = json_object();
	db_stmt *s = db_get(ac->d, SQL_SUP_PICKING_HH_C);
	db_bind_int(s, 1, id);
	db_bind_text(s, 2, u.path);
	db_bind_text(s, 3, scope_upper(ac->a, u.path));
	int rc;
	while ((rc = db_step(s, &e)) == DB_ROW)
		json_object_set_new(hh, arena_printf(ac->a, "%lld", (long long)db_int(s, 0)), json_integer(db_int(s, 1)));
	db_done(s);
	json_t *buildings = json_array(), *bindex = json_object(), *total = json_object();
	int64_t households = 0;
	s = db_get(ac->d, SQL_SUP_PICKING_C);
	db_bind_int(s, 1, id);
	db_bind_text(s, 2, u.path);
	db_bind_text(s, 3, scope_upper(ac->a, u.path));
	json_t *seen = json_object();
	while (rc >= 0 && (rc = db_step(s, &e)) == DB_ROW) {
		bool ent = !strcmp(db_text(s, 2), "entrance") && !db_null(s, 4);
		const char *bcode = ent ? db_text(s, 5) : db_text(s, 1), *bname = ent ? db_text(s, 6) : db_text(s, 3);
		json_t *b = find_or_add(buildings, bindex, bcode, make_group, bname);
		int64_t pkg = db_int(s, 7), qty = db_int(s, 8);
		const char *uid = arena_printf(ac->a, "%lld", (long long)db_int(s, 0));
		int64_t nh = json_integer_value(json_object_get(hh, uid));
		bool first = !json_object_get(seen, uid);
		if (first) {
			json_object_set_new(seen, uid, json_true());
			households += nh;
			json_object_set_new(b, "households", json_integer(json_integer_value(json_object_get(b, "households")) + nh));
		}
		totals_add(json_object_get(b, "totals"), pkg, qty);
		totals_add(total, pkg, qty);
		if (ent) {
			json_t *ents = json_object_get(b, "entrances");
			json_t *last = json_array_get(ents, json_array_size(ents) - 1);
			if (first || !last) {
				last = make_group(db_text(s, 1), db_text(s, 3));
				json_object_del(last, "entrances");
				json_object_set_new(last, "households", json_integer(nh));
				json_array_append_new(ents, last);
			}
			totals_add(json_object_get(last, "totals"), pkg, qty);
		}
	}
	db_done(s);
	json_decref(seen);
	json_decref(bindex);
	json_decref(hh);
	if (rc < 0) {
		json_decref(pkgs);
		json_decref(buildings);
		json_decref(total);
		return e;
	}
	json_t *j = json_pack("{s:o,s:s,s:s,s:o,s:o,s:{s:I,s:o}}", "round", round_json(&r), "unit", u.code, "unit_name",
	                      u.name, "packages", pkgs, "buildings", buildings, "total", "households",
	                      (json_int_t)households, "totals", total);
	if ((e = audit(ac, "read", "supply_picking", id, arena_printf(ac->a, "unit:%s", u.code), "ok"))) {
		json_decref(j);
		return e;
	}
	if (f == SUP_JSON) {
		*out = j;
		return WG_OK;
	}
	/* one row per entrance (or building), then the building's and the whole list's totals */
	json_t *headers = json_pack("[s,s,s]", "楼栋/Building", "单元/Entrance", "户数/Households");
	size_t i, k, q;
	json_t *p, *b, *en;
	json_array_foreach(pkgs, i, p) json_array_append_new(
	    headers, json_sprintf("%s/%s", json_string_value(json_object_get(p, "name")), "qty"));
	json_t *rows = json_array();
	json_t *lines[3];
	json_array_foreach(buildings, k, b) {
		json_t *ents = json_object_get(b, "entrances");
		json_array_foreach(ents, q, en) {
			lines[0] = json_pack("[s,s,O]", json_string_value(json_object_get(b, "name")),
			                     json_string_value(json_object_get(en, "name")), json_object_get(en, "households"));
			json_array_foreach(pkgs, i, p) {
				json_t *v = json_object_get(json_object_get(en, "totals"),
				                            arena_printf(ac->a, "%lld", (long long)json_integer_value(json_object_get(p, "id"))));
				json_array_append_new(lines[0], json_integer(v ? json_integer_value(v) : 0));
			}
			json_array_append_new(rows, lines[0]);
		}
		lines[1] = json_pack("[s,s,O]", json_string_value(json_object_get(b, "name")), "合计/Total",
		                     json_object_get(b, "households"));
		json_array_foreach(pkgs, i, p) {
			json_t *v = json_object_get(json_object_get(b, "totals"),
			                            arena_printf(ac->a, "%lld", (long long)json_integer_value(json_object_get(p, "id"))));
			json_array_append_new(lines[1], json_integer(v ? json_integer_value(v) : 0));
		}
		json_array_append_new(rows, lines[1]);
	}
	lines[2] = json_pack("[s,s,I]", "全部/All", "", (json_int_t)households);
	json_array_foreach(pkgs, i, p) {
		json_t *v = json_object_get(total, arena_printf(ac->a, "%lld", (long long)json_integer_value(json_object_get(p, "id"))));
		json_array_append_new(lines[2], json_integer(v ? json_integer_value(v) : 0));
	}
	json_array_append_new(rows, lines[2]);
	const char *title = arena_printf(ac->a, "%s · %s 分拣单 / picking list", r.name, u.name);
	if (f == SUP_HTML) {
		/* printed for people: 2026-12-09 20:00 (China time), not 2026-12-09T20:00:00+08:00 */
		char cut[32];
		fmt_time(r.closed_at && r.closed_at < r.cutoff_at ? r.closed_at : r.cutoff_at, cut);
		cut[16] = 0;
		cut[10] = ' ';
		table_html(ac->a, title, arena_printf(ac->a, "截单 cut-off %s", cut), headers, rows, raw, raw_len);
	}
	else
		e = table_xlsx(ac->a, path, "分拣单 picking", headers, rows);
	json_decref(headers);
	json_decref(rows);
	json_decref(j);
	return e;
}

enum { SHEET_MAX = 100000 }; /* rows of one delivery sheet */

werr round_sheet(const actor *ac, int64_t id, const char *unit_code, const char *state, sup_format f,
                 const char *path, json_t **out, char **raw, size_t *raw_len)
{
	round_row r = {0};
	unit_row u = {0};
	werr e;
	if (state && !str_in_list(state, (const char *const[]){"ordered", "paid", "received", "disinfected", "at_door",
	                                                    "delivered", "collected", "cancelled", "late", NULL}))
		return w_fail(W_EINVAL, "invalid_state", "state", "state: ordered paid received disinfected at_door delivered collected cancelled late");
	if ((e = round_load(ac, id, "round_id", &r)) || (e = round_subtree(ac, &r, unit_code, &u)))
		return e;
	bool late = state && !strcmp(state, "late"); /* past their slot, not delivered */
	/* how many rows the sheet would have, from the round's counters: a sheet is printed per
	 * building or grid; one larger than SHEET_MAX (a whole city-sized community) is refused
	 * with its size, never cut short without a word (it took 12 s and 650 MB for 100,000 of
	 * a million-order round's orders, and said nothing of the others) */
	int64_t nrows = 0;
	if (late)
		nrows = late_count(ac, id, u.path);
	else {
		json_t *counts = state_counts(ac, id, u.path, &nrows);
		if (state)
			nrows = json_integer_value(json_object_get(counts, state));
		json_decref(counts);
	}
	if (nrows > SHEET_MAX)
		return w_fail(W_EINVAL, "sheet_too_large", "unit",
		              "%s有%lld单，配送单一次最多%d单：请按网格或楼栋查看、打印 / %s has %lld orders: a delivery sheet takes at "
		              "most %d, ask for a grid or a building",
		              u.name, (long long)nrows, SHEET_MAX, u.code, (long long)nrows, SHEET_MAX);
	db_stmt *s = db_get(ac->d, late ? SQL_SUP_LATE_LIST : SQL_SUP_ORDER_LIST);
	db_bind_int(s, 1, id);
	db_bind_text(s, 2, u.path);
	db_bind_text(s, 3, scope_upper(ac->a, u.path));
	if (late) {
		db_bind_int(s, 4, now_s());
		db_bind_int(s, 5, SHEET_MAX);
	} else {
		db_bind_text(s, 4, state);
		db_bind_int(s, 5, SHEET_MAX);
		db_bind_int(s, 6, 0);
	}
	json_t *items = json_array();
	int rc;
	while ((rc = db_step(s, &e)) == DB_ROW) {
		order_row o = {0};
		order_from(ac->a, s, &o);
		json_array_append_new(items, order_json(ac, &o, false));
	}
	db_done(s);
	if (rc < 0) {
		json_decref(items);
		return e;
	}
	size_t i;
	json_t *x;
	json_array_foreach(items, i, x) json_object_set_new(
	    x, "items", order_items(ac, json_integer_value(json_object_get(x, "id"))));
	if ((e = audit(ac, "read", "supply_sheet", id, arena_printf(ac->a, "unit:%s rows:%zu fields:room,items", u.code,
	                                                            json_array_size(items)),
	               "ok"))) {
		json_decref(items);
		return e;
	}
	if (f == SUP_JSON) {
		*out = json_pack("{s:o,s:s,s:s,s:o}", "round", round_json(&r), "unit", u.code, "unit_name", u.name, "items", items);
		return WG_OK;
	}
	json_t *headers = json_pack("[s,s,s,s,s,s,s,s,s]", "楼栋/Building", "单元/Entrance", "房号/Room", "套餐/Items",
	                            "金额/Amount", "付款/Payment", "送上门/Door", "状态/State", "签收/Signed");
	json_t *rows = json_array();
	json_array_foreach(items, i, x) {
		buf b;
		buf_init(&b, ac->a);
		size_t k;
		json_t *it;
		json_array_foreach(json_object_get(x, "items"), k, it)
		    buf_printf(&b, "%s%s×%lld", k ? "、" : "", json_string_value(json_object_get(it, "name")),
		               (long long)json_integer_value(json_object_get(it, "qty")));
		const char *pay = json_string_value(json_object_get(x, "payment"));
		/* the amount: text on the printed page, a number in the workbook (a text ¥208.30 does
		 * not add up in a SUM) */
		json_t *amount = f == SUP_HTML ? json_string(json_string_value(json_object_get(x, "total")))
		                               : json_real((double)json_integer_value(json_object_get(x, "total_fen")) / 100.0);
		json_array_append_new(
		    rows, json_pack("[s,s,s,s,o,s,s,s,s]", json_string_value(json_object_get(x, "building")),
		                    json_string_value(json_object_get(x, "entrance")), json_string_value(json_object_get(x, "room")),
		                    b.p ? b.p : "", amount,
		                    !strcmp(pay, "online") ? "线上" : !strcmp(pay, "cash") ? "现金" : "救助",
		                    json_is_true(json_object_get(x, "door")) ? "送上门" : "",
		                    json_string_value(json_object_get(x, "state_zh")), ""));
	}
	const char *title = arena_printf(ac->a, "%s · %s 配送单 / delivery sheet", r.name, u.name);
	if (f == SUP_HTML)
		table_html(ac->a, title, arena_printf(ac->a, "共%zu户 / %zu households", json_array_size(items), json_array_size(items)),
		           headers, rows, raw, raw_len);
	else
		e = table_xlsx(ac->a, path, "配送单 delivery", headers, rows);
	json_decref(headers);
	json_decref(rows);
	json_decref(items);
	return e;
}

/* ---- errands (代购) and the cash ledger ---- */

typedef struct {
	int64_t id, household_id, every_days, created_at, closed_at, balance;
	const char *path, *kind, *detail, *medicine, *dose, *hospital, *state, *client_id, *assignee, *assignee_name,
	    *room, *unit_name, *parent_name;
} errand_row;

static const char *dup(arena *a, db_stmt *s, int c)
{
	return db_null(s, c) ? NULL : arena_strdup(a, db_text(s, c));
}

static void errand_from(arena *a, db_stmt *s, errand_row *x)
{
	x->id = db_int(s, 0);
	x->household_id = db_int(s, 1);
	x->path = dup(a, s, 2);
	x->kind = dup(a, s, 3);
	x->detail = dup(a, s, 4);
	x->medicine = dup(a, s, 5);
	x->dose = dup(a, s, 6);
	x->hospital = dup(a, s, 7);
	x->every_days = db_null(s, 8) ? 0 : db_int(s, 8);
	x->state = dup(a, s, 9);
	x->client_id = dup(a, s, 10);
	x->created_at = db_int(s, 11);
	x->closed_at = db_null(s, 12) ? 0 : db_int(s, 12);
	x->assignee = dup(a, s, 13);
	x->assignee_name = dup(a, s, 14);
	x->room = dup(a, s, 15);
	x->unit_name = dup(a, s, 16);
	x->parent_name = dup(a, s, 17);
	x->balance = db_int(s, 18);
}

static json_t *errand_json(const actor *ac, const errand_row *x)
{
	json_t *j = json_pack("{s:I,s:I,s:o,s:o,s:o,s:s,s:o,s:o,s:o,s:o,s:s,s:o,s:o,s:I,s:s,s:o,s:o}", "id",
	                      (json_int_t)x->id, "household_id", (json_int_t)x->household_id, "room", jv_text(x->room),
	                      "unit_name", jv_text(x->unit_name), "building", jv_text(x->parent_name), "kind", x->kind,
	                      "detail", jv_text(x->detail), "medicine", jv_text(x->medicine), "dose", jv_text(x->dose),
	                      "hospital", jv_text(x->hospital), "state", x->state, "assignee", jv_text(x->assignee),
	                      "assignee_name", jv_text(x->assignee_name), "balance_fen", (json_int_t)x->balance, "balance",
	                      yuan(ac->a, x->balance), "created_at", time_json(x->created_at), "closed_at",
	                      time_json(x->closed_at));
	json_object_set_new(j, "every_days", x->every_days ? json_integer(x->every_days) : json_null());
	return j;
}

static werr errand_load(const actor *ac, int64_t id, errand_row *x)
{
	db_stmt *s = db_get(ac->d, SQL_ERRAND_GET);
	db_bind_int(s, 1, id);
	werr e = WG_OK;
	int rc = db_step(s, &e);
	if (rc == DB_ROW)
		errand_from(ac->a, s, x);
	db_done(s);
	if (rc < 0)
		return e;
	if (rc != DB_ROW || !actor_in_scope(ac, x->path))
		return w_fail(W_ENOTFOUND, "errand_not_found", "errand_id", "没有这个代购 / no such errand");
	return WG_OK;
}

static json_t *ledger_json(const actor *ac, int64_t id)
{
	json_t *arr = json_array();
	db_stmt *s = db_get(ac->d, SQL_LEDGER_LIST);
	db_bind_int(s, 1, id);
	werr e;
	while (db_step(s, &e) == DB_ROW)
		json_array_append_new(arr, json_pack("{s:I,s:o,s:s,s:I,s:s,s:o,s:o,s:o}", "id", (json_int_t)db_int(s, 0), "at",
		                                     time_json(db_int(s, 1)), "kind", db_text(s, 2), "amount_fen",
		                                     (json_int_t)db_int(s, 3), "amount", yuan(ac->a, db_int(s, 3)), "receipt",
		                                     jv_text(db_text(s, 4)), "note", jv_text(db_text(s, 5)), "by",
		                                     jv_text(db_text(s, 6))));
	db_done(s);
	return arr;
}

werr errand_get(const actor *ac, int64_t id, json_t **out)
{
	errand_row x = {0};
	werr e = errand_load(ac, id, &x);
	if (e)
		return e;
	*out = errand_json(ac, &x);
	json_object_set_new(*out, "ledger", ledger_json(ac, id));
	return audit(ac, "read", "errand", id, "room,detail,medicine,ledger", "ok");
}

static werr errand_insert(const actor *ac, const hh_row *h, const char *kind, const char *detail, const char *med,
                          const char *dose, const char *hosp, int64_t every, int64_t assignee, const char *client_id,
                          int64_t at, int64_t *id)
{
	db_stmt *s = db_get(ac->d, SQL_ERRAND_INSERT);
	db_bind_int(s, 1, h->id);
	db_bind_int(s, 2, h->unit_id);
	db_bind_text(s, 3, h->path);
	db_bind_text(s, 4, kind);
	db_bind_text(s, 5, detail);
	db_bind_text(s, 6, med);
	db_bind_text(s, 7, dose);
	db_bind_text(s, 8, hosp);
	if (every)
		db_bind_int(s, 9, every);
	if (assignee)
		db_bind_int(s, 10, assignee);
	db_bind_text(s, 11, client_id);
	db_bind_int(s, 12, at);
	if (ac->user_id)
		db_bind_int(s, 13, ac->user_id);
	return db_run(s, id);
}

werr errand_create(const actor *ac, int64_t link_hh, json_t *body, json_t **out, bool *created)
{
	static const char *const allowed[] = {"household_id", "kind", "detail", "medicine", "dose", "hospital",
	                                      "every_days", "assignee", "client_id", NULL};
	static const char *const link_allowed[] = {"kind", "detail", "medicine", "dose", "hospital", "every_days",
	                                           "client_id", NULL};
	const char *kind, *detail, *med, *dose, *hosp, *assignee = NULL, *client_id;
	int64_t hid = link_hh, every = 0, assignee_id = 0;
	werr e;
	*created = false;
	if ((e = jv_only(body, link_hh ? link_allowed : allowed)) ||
	    (!link_hh && (e = jv_int(body, "household_id", true, 1, INT64_MAX, &hid, NULL))) ||
	    (e = jv_str(body, "kind", true, 10, &kind)) || (e = jv_str(body, "detail", false, 200, &detail)) ||
	    (e = jv_str(body, "medicine", false, 60, &med)) || (e = jv_str(body, "dose", false, 60, &dose)) ||
	    (e = jv_str(body, "hospital", false, 60, &hosp)) || (e = jv_int(body, "every_days", false, 0, 90, &every, NULL)) ||
	    (!link_hh && (e = jv_str(body, "assignee", false, 64, &assignee))) ||
	    (e = jv_str(body, "client_id", false, 64, &client_id)))
		return e;
	if (!str_in_list(kind, errand_kinds))
		return w_fail(W_EINVAL, "invalid_kind", "kind", "代购种类：medicine 药品、gas 燃气充值、water 饮用水、meal 餐食、other 其他 / kind: medicine gas water meal other");
	if (!strcmp(kind, "medicine") && !med)
		return w_fail(W_EINVAL, "required", "medicine", "代购药品须写明药名 / a medicine errand names the medicine");
	if (!strcmp(kind, "medicine") && !dose)
		return w_fail(W_EINVAL, "required", "dose", "代购药品须写明剂量 / a medicine errand gives the dose");
	if (strcmp(kind, "medicine") != 0 && !detail)
		return w_fail(W_EINVAL, "required", "detail", "请写明要买什么 / detail: what to buy");
	if (client_id) {
		db_stmt *s = db_get(ac->d, SQL_ERRAND_BY_CLIENT);
		db_bind_text(s, 1, client_id);
		int64_t id = 0;
		if ((e = db_scalar(s, &id)) && e != W_ENOTFOUND)
			return e;
		if (id) {
			errand_row x = {0};
			if ((e = errand_load(ac, id, &x)))
				return e;
			if (x.household_id != hid)
				return w_fail(W_ECONFLICT, "client_id_reused", "client_id", "client_id 已用于另一个代购 / client_id names another errand");
			*out = errand_json(ac, &x);
			return WG_OK;
		}
	}
	hh_row h = {0};
	if ((e = hh_load(ac, hid, "household_id", &h)))
		return e;
	if (assignee) {
		db_stmt *s = db_get(ac->d, SQL_SUP_USER_BY_NAME);
		db_bind_text(s, 1, assignee);
		int rc = db_step(s, &e);
		const char *upath = rc == DB_ROW ? db_text(s, 1) : NULL;
		bool ok = under(h.path, upath);
		assignee_id = rc == DB_ROW ? db_int(s, 0) : 0;
		db_done(s);
		if (rc < 0)
			return e;
		if (!ok)
			return w_fail(W_EINVAL, "invalid_assignee", "assignee", "这个账号不负责这一户 / that account does not cover this household");
	}
	if ((e = db_begin(ac->d)))
		return e;
	int64_t id = 0;
	e = errand_insert(ac, &h, kind, detail, med, dose, hosp, every, assignee_id, client_id, now_s(), &id);
	if (!e)
		e = audit(ac, "create", "errand", id, "household_id,kind,detail,medicine,dose,hospital,assignee", "ok");
	if ((e = db_end(ac->d, e)))
		return e;
	*created = true;
	errand_row x = {0};
	if ((e = errand_load(ac, id, &x)))
		return e;
	*out = errand_json(ac, &x);
	return WG_OK;
}

werr errand_list(const actor *ac, const char *unit_code, const char *state, const char *kind, int64_t limit,
                 int64_t offset, json_t **out)
{
	if (state && strcmp(state, "open") != 0 && strcmp(state, "closed") != 0)
		return w_fail(W_EINVAL, "invalid_state", "state", "state: open or closed");
	if (kind && !str_in_list(kind, errand_kinds))
		return w_fail(W_EINVAL, "invalid_kind", "kind", "kind: medicine gas water meal other");
	unit_row u = {0};
	werr e = unit_scope(ac, unit_code, &u);
	if (e)
		return e;
	db_stmt *s = db_get(ac->d, SQL_ERRAND_LIST);
	db_bind_text(s, 1, u.path);
	db_bind_text(s, 2, scope_upper(ac->a, u.path));
	db_bind_text(s, 3, state);
	db_bind_text(s, 4, kind);
	db_bind_int(s, 5, limit);
	db_bind_int(s, 6, offset);
	json_t *items = json_array();
	int rc;
	while ((rc = db_step(s, &e)) == DB_ROW) {
		errand_row x = {0};
		errand_from(ac->a, s, &x);
		json_array_append_new(items, errand_json(ac, &x));
	}
	db_done(s);
	if (rc < 0) {
		json_decref(items);
		return e;
	}
	if ((e = audit(ac, "read", "errand", u.id, arena_printf(ac->a, "list unit:%s rows:%zu", u.code, json_array_size(items)),
	               "ok"))) {
		json_decref(items);
		return e;
	}
	*out = json_pack("{s:s,s:o}", "unit", u.code, "items", items);
	return WG_OK;
}

static werr errand_balance(db *d, int64_t id, int64_t *bal)
{
	db_stmt *s = db_get(d, SQL_ERRAND_BALANCE);
	db_bind_int(s, 1, id);
	return db_scalar(s, bal);
}

static werr ledger_write(const actor *ac, int64_t id, const char *kind, int64_t amount, const char *receipt,
                         const char *note, int64_t at)
{
	db_stmt *s = db_get(ac->d, SQL_LEDGER_INSERT);
	db_bind_int(s, 1, id);
	db_bind_int(s, 2, at);
	db_bind_text(s, 3, kind);
	db_bind_int(s, 4, amount);
	db_bind_text(s, 5, receipt);
	db_bind_text(s, 6, note);
	if (ac->user_id)
		db_bind_int(s, 7, ac->user_id);
	return db_run(s, NULL);
}

werr errand_ledger_add(const actor *ac, int64_t id, json_t *body, json_t **out)
{
	static const char *const allowed[] = {"kind", "amount_fen", "receipt", "note", NULL};
	const char *kind, *receipt, *note;
	int64_t amount;
	errand_row x = {0};
	werr e;
	if ((e = jv_only(body, allowed)) || (e = jv_str(body, "kind", true, 10, &kind)) ||
	    (e = jv_int(body, "amount_fen", true, 1, 10000000, &amount, NULL)) ||
	    (e = jv_str(body, "receipt", false, 40, &receipt)) || (e = jv_str(body, "note", false, 200, &note)))
		return e;
	if (!str_in_list(kind, ledger_kinds))
		return w_fail(W_EINVAL, "invalid_kind", "kind", "kind: received 收款、spent 支出、returned 找零退还");
	if (!strcmp(kind, "spent") && !receipt)
		return w_fail(W_EINVAL, "required", "receipt", "支出须填小票号 / a spending needs the receipt's number");
	if ((e = errand_load(ac, id, &x)))
		return e;
	if ((e = db_begin(ac->d)))
		return e;
	db_stmt *s = db_get(ac->d, SQL_ERRAND_LOCK);
	db_bind_int(s, 1, id);
	int rc = db_step(s, &e);
	bool open = rc == DB_ROW && !strcmp(db_text(s, 0), "open");
	db_done(s);
	int64_t bal = 0;
	if (rc < 0 || (e = errand_balance(ac->d, id, &bal))) {
		db_rollback(ac->d);
		return e;
	}
	if (!open) {
		db_rollback(ac->d);
		return w_fail(W_ECONFLICT, "errand_closed", "errand_id", "这个代购已结清关闭 / the errand is closed");
	}
	if (strcmp(kind, "received") != 0 && amount > bal) {
		db_rollback(ac->d);
		return w_fail(W_ECONFLICT, "over_balance", "amount_fen",
		              "手头这笔只剩%s，不能%s%s / only %s of this errand's cash is left: %s cannot be %s", yuan(ac->a, bal),
		              !strcmp(kind, "spent") ? "支出" : "退还", yuan(ac->a, amount), yuan(ac->a, bal), yuan(ac->a, amount),
		              kind);
	}
	e = ledger_write(ac, id, kind, amount, receipt, note, now_s());
	if (!e)
		e = audit(ac, "create", "errand_ledger", id, arena_printf(ac->a, "kind:%s amount_fen", kind), "ok");
	if ((e = db_end(ac->d, e)))
		return e;
	if ((e = errand_load(ac, id, &x)))
		return e;
	*out = errand_json(ac, &x);
	json_object_set_new(*out, "ledger", ledger_json(ac, id));
	return WG_OK;
}

werr errand_close(const actor *ac, int64_t id, json_t *body, json_t **out)
{
	static const char *const allowed[] = {"note", NULL};
	const char *note;
	errand_row x = {0};
	werr e;
	if ((e = jv_only(body, allowed)) || (e = jv_str(body, "note", false, 200, &note)) || (e = errand_load(ac, id, &x)))
		return e;
	if ((e = db_begin(ac->d)))
		return e;
	db_stmt *s = db_get(ac->d, SQL_ERRAND_LOCK);
	db_bind_int(s, 1, id);
	int rc = db_step(s, &e);
	db_done(s);
	int64_t bal = 0;
	if (rc < 0 || (e = errand_balance(ac->d, id, &bal))) {
		db_rollback(ac->d);
		return e;
	}
	if (bal != 0) {
		db_rollback(ac->d);
		return w_fail(W_ECONFLICT, "ledger_not_balanced", "ledger",
		              "账未结平：还有%s在经手人手里，须先登记支出或退还 / the ledger does not balance: %s is still in hand; record what was spent or returned first",
		              yuan(ac->a, bal), yuan(ac->a, bal));
	}
	s = db_get(ac->d, SQL_ERRAND_CLOSE);
	db_bind_int(s, 1, id);
	db_bind_int(s, 2, now_s());
	if (!(e = db_run(s, NULL)) && db_changes(ac->d) != 1)
		e = w_fail(W_ECONFLICT, "errand_closed", "errand_id", "这个代购已结清关闭 / the errand is closed");
	if (!e)
		e = audit(ac, "update", "errand", id, "state:closed", "ok");
	if ((e = db_end(ac->d, e)))
		return e;
	return errand_get(ac, id, out);
}

/* One person's entries of the cash ledger in the subtree at path: the errands' and the round
 * orders' (received when an order paid in cash was marked paid, returned for its refunds). */
static werr cash_entries(const actor *ac, const char *path, const char *user, json_t **out)
{
	db_stmt *s = db_get(ac->d, SQL_SUP_USER_BY_NAME);
	db_bind_text(s, 1, user);
	werr e = WG_OK;
	int64_t uid = 0;
	int rc = db_step(s, &e);
	if (rc == DB_ROW)
		uid = db_int(s, 0);
	db_done(s);
	if (rc < 0)
		return e;
	if (!uid)
		return w_fail(W_ENOTFOUND, "user_not_found", "user", "没有这个账号 / no such account");
	s = db_get(ac->d, SQL_SUP_CASH_ENTRIES);
	db_bind_text(s, 1, path);
	db_bind_text(s, 2, scope_upper(ac->a, path));
	db_bind_int(s, 3, uid);
	json_t *arr = json_array();
	while ((rc = db_step(s, &e)) == DB_ROW) {
		json_t *x = json_pack("{s:o,s:s,s:I,s:s,s:o,s:o}", "at", time_json(db_int(s, 0)), "kind", db_text(s, 1), "amount_fen",
		                      (json_int_t)db_int(s, 2), "amount", yuan(ac->a, db_int(s, 2)), "receipt",
		                      jv_text(db_text(s, 6)), "note", jv_text(db_text(s, 7)));
		/* each names its errand, its order (and after-sales case), or its handover to the supplier */
		static const char *const ids[] = {"errand_id", "order_id", "aftersale_id", "handover_id", "round_id"};
		static const int cols[] = {3, 4, 5, 8, 9};
		for (int k = 0; k < 5; k++)
			json_object_set_new(x, ids[k], db_null(s, cols[k]) ? json_null() : json_integer(db_int(s, cols[k])));
		json_array_append_new(arr, x);
	}
	db_done(s);
	if (rc < 0 || (e = audit(ac, "read", "cash_ledger", uid, arena_printf(ac->a, "entries rows:%zu", json_array_size(arr)), "ok"))) {
		json_decref(arr);
		return e;
	}
	*out = arr;
	return WG_OK;
}

werr errand_cash(const actor *ac, const char *unit_code, const char *user, json_t **out)
{
	unit_row u = {0};
	werr e = unit_scope(ac, unit_code, &u);
	if (e)
		return e;
	json_t *entries = NULL;
	if (user && (e = cash_entries(ac, u.path, user, &entries)))
		return e;
	db_stmt *s = db_get(ac->d, SQL_LEDGER_CASH);
	db_bind_text(s, 1, u.path);
	db_bind_text(s, 2, scope_upper(ac->a, u.path));
	json_t *items = json_array();
	int64_t total = 0;
	int rc;
	while ((rc = db_step(s, &e)) == DB_ROW) {
		int64_t rec = db_int(s, 3), sp = db_int(s, 4), ret = db_int(s, 5), hand = rec - sp - ret;
		if (user && (!db_text(s, 1) || strcmp(db_text(s, 1), user) != 0))
			continue;
		total += hand;
		json_t *x = json_pack("{s:o,s:o,s:I,s:I,s:I,s:I,s:s}", "user", jv_text(db_text(s, 1)), "name", jv_text(db_text(s, 2)),
		                      "received_fen", (json_int_t)rec, "spent_fen", (json_int_t)sp, "returned_fen", (json_int_t)ret,
		                      "in_hand_fen", (json_int_t)hand, "in_hand", yuan(ac->a, hand));
		/* of which the round orders': cash received for orders paid in cash, refunds handed back */
		json_object_set_new(x, "orders_received_fen", json_integer(db_int(s, 6)));
		json_object_set_new(x, "refunded_fen", json_integer(db_int(s, 7)));
		/* and the part of spent_fen handed over to the rounds' suppliers */
		json_object_set_new(x, "handed_fen", json_integer(db_int(s, 8)));
		json_array_append_new(items, x);
	}
	db_done(s);
	if (rc < 0) {
		json_decref(items);
		json_decref(entries);
		return e;
	}
	*out = json_pack("{s:s,s:s,s:o,s:I,s:s}", "unit", u.code, "unit_name", u.name, "items", items, "in_hand_fen",
	                 (json_int_t)total, "in_hand", yuan(ac->a, total));
	if (entries)
		json_object_set_new(*out, "entries", entries);
	return WG_OK;
}

werr errand_medicine(const actor *ac, const char *unit_code, json_t **out)
{
	unit_row u = {0};
	werr e = unit_scope(ac, unit_code, &u);
	if (e)
		return e;
	db_stmt *s = db_get(ac->d, SQL_ERRAND_MEDICINE);
	db_bind_text(s, 1, u.path);
	db_bind_text(s, 2, scope_upper(ac->a, u.path));
	json_t *items = json_array();
	int rc;
	while ((rc = db_step(s, &e)) == DB_ROW) {
		int64_t every = db_null(s, 7) ? 0 : db_int(s, 7), last = db_int(s, 8);
		json_t *due = json_null();
		if (every) {
			char t[32];
			fmt_time(last + every * 86400, t);
			t[10] = 0;
			due = json_string(t);
		}
		json_array_append_new(items, json_pack("{s:I,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:I}", "household_id",
		                                       (json_int_t)db_int(s, 0), "room", jv_text(db_text(s, 1)), "unit_name",
		                                       jv_text(db_text(s, 2)), "building", jv_text(db_text(s, 3)), "medicine",
		                                       jv_text(db_text(s, 4)), "dose", jv_text(db_text(s, 5)), "hospital",
		                                       jv_text(db_text(s, 6)), "every_days",
		                                       every ? json_integer(every) : json_null(), "last", time_json(last),
		                                       "next_due", due, "times", (json_int_t)db_int(s, 9)));
	}
	db_done(s);
	if (rc < 0) {
		json_decref(items);
		return e;
	}
	if ((e = audit(ac, "read", "errand", u.id, arena_printf(ac->a, "medicine register unit:%s rows:%zu", u.code,
	                                                        json_array_size(items)),
	               "ok"))) {
		json_decref(items);
		return e;
	}
	*out = json_pack("{s:s,s:o}", "unit", u.code, "items", items);
	return WG_OK;
}

/* ---- the round's cash handed over to the supplier ---- */

/* The round's cash in the subtree at u: the figures (as the round's), each person's part of
 * it, and the handovers, newest first. */
static werr handover_view(const actor *ac, const round_row *r, const unit_row *u, json_t **out)
{
	const char *upper = scope_upper(ac->a, u->path);
	werr e = WG_OK;
	int64_t in = 0, back = 0, handed = 0;
	db_stmt *s = db_get(ac->d, SQL_SUP_CASH_FIGURES);
	db_bind_int(s, 1, r->id);
	db_bind_text(s, 2, u->path);
	db_bind_text(s, 3, upper);
	int rc = db_step(s, &e);
	if (rc == DB_ROW) {
		in = db_int(s, 0);
		back = db_int(s, 1);
		handed = db_int(s, 2);
	}
	db_done(s);
	if (rc < 0)
		return e;
	json_t *holders = json_array(), *items = json_array();
	s = db_get(ac->d, SQL_SUP_ROUND_HOLDERS);
	db_bind_int(s, 1, r->id);
	db_bind_text(s, 2, u->path);
	db_bind_text(s, 3, upper);
	while ((rc = db_step(s, &e)) == DB_ROW) {
		json_t *x = cash_figures(ac->a, db_int(s, 3), db_int(s, 4), db_int(s, 5));
		json_object_set_new(x, "user", jv_text(db_text(s, 1)));
		json_object_set_new(x, "name", jv_text(db_text(s, 2)));
		json_array_append_new(holders, x);
	}
	db_done(s);
	if (rc >= 0) {
		s = db_get(ac->d, SQL_SUP_HANDOVER_LIST);
		db_bind_int(s, 1, r->id);
		db_bind_text(s, 2, u->path);
		db_bind_text(s, 3, upper);
		while ((rc = db_step(s, &e)) == DB_ROW)
			json_array_append_new(
			    items, json_pack("{s:I,s:o,s:o,s:o,s:I,s:o,s:I,s:s,s:o,s:o,s:o,s:o}", "id", (json_int_t)db_int(s, 0), "at",
			                     time_json(db_int(s, 1)), "holder", jv_text(db_text(s, 2)), "holder_name",
			                     jv_text(db_text(s, 3)), "supplier_id", (json_int_t)db_int(s, 4), "supplier",
			                     jv_text(db_text(s, 5)), "amount_fen", (json_int_t)db_int(s, 6), "amount",
			                     yuan(ac->a, db_int(s, 6)), "receipt", jv_text(db_text(s, 7)), "received_by",
			                     jv_text(db_text(s, 8)), "note", jv_text(db_text(s, 9)), "by", jv_text(db_text(s, 10))));
		db_done(s);
	}
	if (rc < 0) {
		json_decref(holders);
		json_decref(items);
		return e;
	}
	*out = json_pack("{s:I,s:s,s:s,s:o,s:o,s:o}", "round_id", (json_int_t)r->id, "unit", u->code, "unit_name", u->name,
	                 "cash", cash_figures(ac->a, in, back, handed), "holders", holders, "items", items);
	return WG_OK;
}

werr handover_list(const actor *ac, int64_t id, const char *unit_code, json_t **out)
{
	round_row r = {0};
	unit_row u = {0};
	werr e;
	if ((e = round_load(ac, id, "round_id", &r)) || (e = round_subtree(ac, &r, unit_code, &u)) ||
	    (e = handover_view(ac, &r, &u, out)))
		return e;
	if ((e = audit(ac, "read", "supply_handover", id,
	               arena_printf(ac->a, "list unit:%s rows:%zu", u.code, json_array_size(json_object_get(*out, "items"))),
	               "ok"))) {
		json_decref(*out);
		*out = NULL;
	}
	return e;
}

/* What a person holds of a round's cash (received for its orders paid in cash, less refunds
 * and what was handed over), read in the handover's transaction. */
static werr holder_round_cash(const actor *ac, int64_t round_id, int64_t holder_id, int64_t *out)
{
	db_stmt *s = db_get(ac->d, SQL_SUP_HOLDER_ROUND_CASH);
	db_bind_int(s, 1, round_id);
	db_bind_int(s, 2, holder_id);
	werr e = WG_OK;
	int rc = db_step(s, &e);
	*out = rc == DB_ROW ? db_int(s, 0) : 0;
	db_done(s);
	return rc < 0 ? e : WG_OK;
}

werr handover_create(const actor *ac, int64_t id, json_t *body, json_t **out)
{
	static const char *const allowed[] = {"holder", "supplier_id", "amount_fen", "receipt", "received_by", "note", NULL};
	const char *holder, *receipt, *received_by, *note;
	int64_t supplier_id, amount;
	round_row r = {0};
	werr e;
	if ((e = jv_only(body, allowed)) || (e = jv_str(body, "holder", true, 64, &holder)) ||
	    (e = jv_int(body, "supplier_id", true, 1, INT64_MAX, &supplier_id, NULL)) ||
	    (e = jv_int(body, "amount_fen", true, 1, 100000000000LL, &amount, NULL)) ||
	    (e = jv_str(body, "receipt", true, 40, &receipt)) || (e = jv_str(body, "received_by", false, 40, &received_by)) ||
	    (e = jv_str(body, "note", false, 200, &note)) || (e = round_load(ac, id, "round_id", &r)))
		return e;
	/* the holder: an account; the handover sits at their unit when it lies in the round, else
	 * at the round's (a holder above the round) */
	db_stmt *s = db_get(ac->d, SQL_SUP_HOLDER_GET);
	db_bind_text(s, 1, holder);
	int64_t holder_id = 0, unit_id = 0;
	const char *path = NULL, *holder_name = NULL;
	int rc = db_step(s, &e);
	if (rc == DB_ROW) {
		holder_id = db_int(s, 0);
		unit_id = db_int(s, 1);
		path = arena_strdup(ac->a, db_text(s, 2));
		holder_name = arena_strdup(ac->a, db_text(s, 3));
	}
	db_done(s);
	if (rc < 0)
		return e;
	if (!holder_id)
		return w_fail(W_EINVAL, "user_not_found", "holder", "没有这个账号 / no such account");
	if (!under(path, r.path)) {
		unit_id = r.unit_id;
		path = r.path;
	}
	if (!actor_in_scope(ac, path))
		return w_fail(W_EFORBIDDEN, "not_your_round", "holder",
		              "这笔现金不在你管辖的范围内，不能由你登记交付 / this cash is held outside your unit: you cannot record its handover");
	s = db_get(ac->d, SQL_SUP_ROUND_SUPPLIER);
	db_bind_int(s, 1, id);
	db_bind_int(s, 2, supplier_id);
	const char *supplier = NULL;
	if ((rc = db_step(s, &e)) == DB_ROW)
		supplier = arena_strdup(ac->a, db_text(s, 0));
	db_done(s);
	if (rc < 0)
		return e;
	if (!supplier)
		return w_fail(W_EINVAL, "supplier_not_in_round", "supplier_id",
		              "本批次的套餐不是这个供应商供的货 / this supplier supplies none of the round's packages");
	if ((e = db_begin(ac->d)))
		return e;
	s = db_get(ac->d, SQL_SUP_ROUND_LOCK);
	db_bind_int(s, 1, id);
	rc = db_step(s, &e);
	db_done(s);
	int64_t held = 0, dup = 0;
	if (rc >= 0 && !(e = holder_round_cash(ac, id, holder_id, &held))) {
		s = db_get(ac->d, SQL_SUP_HANDOVER_BY_RECEIPT);
		db_bind_int(s, 1, id);
		db_bind_int(s, 2, supplier_id);
		db_bind_text(s, 3, receipt);
		if ((rc = db_step(s, &e)) == DB_ROW)
			dup = db_int(s, 0);
		db_done(s);
	}
	if (rc < 0 || e) {
		db_rollback(ac->d);
		return e;
	}
	if (dup) {
		db_rollback(ac->d);
		return w_fail(W_ECONFLICT, "receipt_used", "receipt",
		              "%s的收据%s已经登记过（交付#%lld）/ receipt %s of %s is recorded already (handover #%lld)", supplier,
		              receipt, (long long)dup, receipt, supplier, (long long)dup);
	}
	if (amount > held) {
		db_rollback(ac->d);
		return w_fail(W_ECONFLICT, "over_collected", "amount_fen",
		              "%s手上本批次的团购现金只有%s，不能交付%s / %s holds only %s of this round's cash: %s cannot be handed over",
		              holder_name, yuan(ac->a, held), yuan(ac->a, amount), holder, yuan(ac->a, held), yuan(ac->a, amount));
	}
	s = db_get(ac->d, SQL_SUP_HANDOVER_INSERT);
	db_bind_int(s, 1, id);
	db_bind_int(s, 2, supplier_id);
	db_bind_int(s, 3, holder_id);
	db_bind_int(s, 4, unit_id);
	db_bind_text(s, 5, path);
	db_bind_int(s, 6, amount);
	db_bind_text(s, 7, receipt);
	db_bind_text(s, 8, received_by);
	db_bind_text(s, 9, note);
	if (ac->user_id)
		db_bind_int(s, 10, ac->user_id);
	db_bind_int(s, 11, now_s());
	int64_t hid = 0;
	e = db_run(s, &hid);
	if (!e) {
		s = db_get(ac->d, SQL_SUP_HANDOVER_COUNT);
		db_bind_int(s, 1, id);
		db_bind_int(s, 2, unit_id);
		db_bind_int(s, 3, amount);
		e = db_run(s, NULL);
	}
	if (!e) {
		s = db_get(ac->d, SQL_SUP_HANDOVER_HOLDER_ADD);
		db_bind_int(s, 1, id);
		db_bind_int(s, 2, holder_id);
		db_bind_int(s, 3, unit_id);
		db_bind_int(s, 4, amount);
		e = db_run(s, NULL);
	}
	if (!e)
		e = audit(ac, "create", "supply_handover", hid, "round_id,holder,supplier_id,amount_fen,receipt", "ok");
	if ((e = db_end(ac->d, e)))
		return e;
	supply_event(path, id, "handover");
	/* the answer: the round's cash as the recorder sees it, the new handover first */
	unit_row u = {0};
	if ((e = round_subtree(ac, &r, NULL, &u)) || (e = handover_view(ac, &r, &u, out)))
		return e;
	json_object_set_new(*out, "id", json_integer(hid));
	json_object_set_new(*out, "holder_in_hand_fen", json_integer(held - amount));
	json_object_set_new(*out, "holder_in_hand", json_string(yuan(ac->a, held - amount)));
	return WG_OK;
}

/* ---- a household's page ---- */

werr household_supply(const actor *ac, int64_t hid, json_t **out)
{
	hh_row h = {0};
	werr e = hh_load(ac, hid, "household_id", &h);
	if (e)
		return e;
	int64_t now = now_s();
	json_t *rounds = json_array(), *orders = json_array(), *errands = json_array();
	db_stmt *s = db_get(ac->d, SQL_SUP_ROUND_LIST);
	db_bind_text(s, 1, h.path);
	db_bind_text(s, 2, scope_upper(ac->a, h.path));
	int rc;
	round_row list[8];
	size_t n = 0;
	while ((rc = db_step(s, &e)) == DB_ROW) {
		round_row r = {0};
		round_from(ac->a, s, &r);
		if (round_open(&r, now) && n < 8)
			list[n++] = r;
	}
	db_done(s);
	for (size_t i = 0; i < n; i++) {
		json_t *j = round_json(&list[i]);
		json_object_set_new(j, "packages", round_packages(ac, list[i].id));
		json_object_set_new(j, "slots", round_slots(ac, list[i].id, h.path));
		json_array_append_new(rounds, j);
	}
	s = db_get(ac->d, SQL_SUP_HH_ORDERS);
	db_bind_int(s, 1, hid);
	order_row ol[20];
	n = 0;
	while (rc >= 0 && (rc = db_step(s, &e)) == DB_ROW && n < 20)
		order_from(ac->a, s, &ol[n++]);
	db_done(s);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(orders, order_json(ac, &ol[i], true));
	s = db_get(ac->d, SQL_ERRAND_OF_HH);
	db_bind_int(s, 1, hid);
	while (rc >= 0 && (rc = db_step(s, &e)) == DB_ROW) {
		errand_row x = {0};
		errand_from(ac->a, s, &x);
		json_array_append_new(errands, errand_json(ac, &x));
	}
	db_done(s);
	size_t i;
	json_t *x;
	json_array_foreach(errands, i, x) json_object_set_new(
	    x, "ledger", ledger_json(ac, json_integer_value(json_object_get(x, "id"))));
	*out = json_pack("{s:I,s:s,s:o,s:o,s:o,s:o}", "household_id", (json_int_t)hid, "room", h.room, "door_reason",
	                 jv_text(door_reason(ac, hid)), "rounds", rounds, "orders", orders, "errands", errands);
	if (rc < 0) {
		json_decref(*out);
		return e;
	}
	if ((e = audit(ac, "read", "household_supply", hid, "orders,errands", "ok"))) {
		json_decref(*out);
		return e;
	}
	return WG_OK;
}

/* ---- the qinghe demo ---- */

static uint64_t demo_rand(uint64_t *st)
{
	*st ^= *st << 13;
	*st ^= *st >> 7;
	*st ^= *st << 17;
	return *st;
}

werr supply_demo_qinghe(const actor *ac, int64_t community_id)
{
	unit_row u = {0};
	werr e = unit_find_id(ac, community_id, &u);
	if (e)
		return e;
	int64_t now = now_s(), sup[2] = {0, 0}, pkg[3] = {0, 0, 0};
	static const char *const sup_names[2][3] = {{"武商量贩青山店", "刘经理", "02786001234"},
	                                            {"中百仓储红卫路店", "陈店长", "02786005678"}};
	for (int i = 0; i < 2 && !e; i++) {
		db_stmt *s = db_get(ac->d, SQL_SUP_SUPPLIER_INSERT);
		db_bind_int(s, 1, u.id);
		db_bind_text(s, 2, sup_names[i][0]);
		db_bind_text(s, 3, sup_names[i][1]);
		db_bind_text(s, 4, sup_names[i][2]);
		db_bind_text(s, 5, "团购群：青和居保供群");
		db_bind_int(s, 6, now);
		e = db_run(s, &sup[i]);
	}
	static const struct {
		int sup;
		const char *name, *contents;
		int64_t fen;
	} pk[3] = {
	    {0, "粮油冻品套餐", "大米10斤、菜籽油5升、速冻饺子2袋、冻鸡腿2斤", 12800},
	    {1, "蔬菜套餐", "胡萝卜3斤（¥9）、白菜1棵、土豆3斤、洋葱2斤、青椒1斤", 3900},
	    {1, "水果套餐", "苹果3斤、橙子3斤、香蕉2斤", 3500},
	};
	for (int i = 0; i < 3 && !e; i++) {
		db_stmt *s = db_get(ac->d, SQL_SUP_PACKAGE_INSERT);
		db_bind_int(s, 1, u.id);
		db_bind_int(s, 2, sup[pk[i].sup]);
		db_bind_text(s, 3, pk[i].name);
		db_bind_text(s, 4, pk[i].contents);
		db_bind_int(s, 5, pk[i].fen);
		db_bind_int(s, 6, now);
		e = db_run(s, &pkg[i]);
	}
	if (e)
		return e;
	json_t *pkgs = json_pack("[I,I,I]", (json_int_t)pkg[0], (json_int_t)pkg[1], (json_int_t)pkg[2]);
	int64_t r1 = 0, r2 = 0;
	char today[32], yday[11], tomorrow[11];
	fmt_time(now, today);
	today[10] = 0;
	day_add(today, -1, yday);
	day_add(today, 1, tomorrow);
	/* yesterday's round: cut off at 20:00, goods came this morning; today's: open till tomorrow 20:00 */
	e = round_insert(ac, &u, arena_printf(ac->a, "%s 团购（第1批）", yday + 5), day_at(yday, 7, 0), day_at(yday, 20, 0),
	                 120, pkgs, NULL, &r1);
	/* today's round: households collect in batches, two morning slots per building the day
	 * after the cut-off (30 households each, so that a building's slots can fill) */
	json_t *slots = json_array();
	if (!e) {
		db_stmt *us = db_get(ac->d, SQL_UNIT_SUBTREE);
		db_bind_text(us, 1, u.path);
		db_bind_text(us, 2, scope_upper(ac->a, u.path));
		char after[11];
		day_add(tomorrow, 1, after);
		while (db_step(us, &e) == DB_ROW && json_array_size(slots) < 400) {
			if (strcmp(db_text(us, 2), "building") != 0 || !db_null(us, 4))
				continue;
			for (int k = 0; k < 2; k++)
				json_array_append_new(slots, json_pack("{s:s,s:s,s:s,s:i}", "unit", db_text(us, 0), "starts",
				                                       arena_printf(ac->a, "%s %02d:00", after, 9 + k), "ends",
				                                       arena_printf(ac->a, "%s %02d:00", after, 10 + k), "capacity", 30));
		}
		db_done(us);
	}
	/* open since 07:00 — or, for a demo made before 07:00 (China time), since a moment ago:
	 * a round that opens later in the day left the demo with none open to order in */
	int64_t opens = day_at(today, 7, 0);
	if (opens > now - 60)
		opens = now - 60;
	if (!e)
		e = round_insert(ac, &u, arena_printf(ac->a, "%s 团购（第2批）", tomorrow + 5), opens, day_at(tomorrow, 20, 0),
		                 120, pkgs, slots, &r2);
	json_decref(slots);
	json_decref(pkgs);
	if (e)
		return e;
	/* 931 of the households (all of a smaller demo), spread over every building */
	db_stmt *s = db_get(ac->d, SQL_HH_LIST);
	db_bind_text(s, 1, u.path);
	db_bind_text(s, 2, scope_upper(ac->a, u.path));
	db_bind_int(s, 3, 1000000);
	db_bind_int(s, 4, 0);
	db_bind_int(s, 5, 0);
	size_t cap = 8192, n = 0;
	hh_row *hs = xmalloc(cap * sizeof *hs);
	int rc;
	while ((rc = db_step(s, &e)) == DB_ROW) {
		if (n == cap)
			hs = xrealloc(hs, (cap *= 2) * sizeof *hs);
		hs[n++] = (hh_row){db_int(s, 0), db_int(s, 1), arena_strdup(ac->a, db_text(s, 12)), NULL};
	}
	db_done(s);
	if (rc < 0) {
		free(hs);
		return e;
	}
	/* gw01 took the phone orders and holds the cash of those paid in cash, and runs the errands */
	int64_t worker = 0;
	s = db_get(ac->d, SQL_SUP_USER_BY_NAME);
	db_bind_text(s, 1, "gw01");
	if (db_step(s, &e) == DB_ROW)
		worker = db_int(s, 0);
	db_done(s);
	actor w = *ac;
	w.user_id = worker;
	uint64_t st = 0x9E3779B97F4A7C15ull;
	size_t want = n < 931 ? n : 931, made = 0;
	int64_t at = day_at(yday, 9, 0);
	for (size_t i = 0; i < n && !e && made < want; i++) {
		if ((i + 1) * want / n == i * want / n)
			continue;
		item items[3];
		size_t k = 0;
		for (int p = 0; p < 3; p++) {
			int64_t q = (int64_t)(demo_rand(&st) % 3);
			if (p == 1 && q == 0)
				q = 1; /* everyone takes vegetables */
			items[k++] = (item){pkg[p], q, pk[p].fen};
		}
		uint64_t roll = demo_rand(&st) % 100;
		const char *state = roll < 45 ? "delivered" : roll < 60 ? "collected" : roll < 80 ? "at_door" : roll < 92 ? "disinfected" : "paid";
		const char *pay = roll % 7 == 0 ? "cash" : roll % 31 == 0 ? "aid" : "online";
		int64_t id = 0;
		e = order_write(&w, r1, &hs[i], 0, items, k, pay, 0, NULL, state, at + (int64_t)made * 20, &id);
		made++;
	}
	/* today's round: the first few households have ordered already */
	for (size_t i = 0; i < n && i < 40 && !e; i++) {
		item items[2] = {{pkg[1], 1, pk[1].fen}, {pkg[2], (int64_t)(i % 2), pk[2].fen}};
		int64_t id = 0;
		e = order_write(ac, r2, &hs[n - 1 - i], 0, items, 2, "online", 0, NULL, NULL, now - 3600 + (int64_t)i * 30, &id);
	}
	/* the disinfected of round 1 went through the disinfection at 10:00 (rested by now only if it is past 12:00) */
	if (!e) {
		s = db_get(ac->d, SQL_SUP_DEMO_DISINFECTED);
		db_bind_int(s, 1, r1);
		e = db_run(s, NULL);
	}
	/* errands: a chronic-medicine register (160 residents in the full demo) and a few open ones */
	static const char *const meds[][3] = {{"硝苯地平缓释片", "每日2次，每次1片", "武汉市第九医院"},
	                                      {"二甲双胍片", "每日3次，每次0.5克", "青山区人民医院"},
	                                      {"阿托伐他汀钙片", "每晚1片", "武汉市第九医院"},
	                                      {"胰岛素注射液", "每日早晚各8单位", "武钢二医院"}};
	size_t nmed = n < 640 ? n / 4 : 160;
	for (size_t i = 0; i < nmed && !e; i++) {
		hh_row *h = &hs[(i * 7919) % n];
		int64_t id = 0, t = now - (int64_t)(i % 13) * 86400 - 3600, price = 2000 + (int64_t)(demo_rand(&st) % 15000);
		const char *const *m = meds[i % 4];
		bool open = i % 20 == 0;
		e = errand_insert(&w, h, "medicine", NULL, m[0], m[1], m[2], i % 3 == 0 ? 30 : 14, worker, NULL, t, &id);
		if (!e)
			e = ledger_write(&w, id, "received", (price + 9999) / 10000 * 10000, NULL, "住户交现金", t + 60);
		if (!e && !open) {
			e = ledger_write(&w, id, "spent", price, arena_printf(ac->a, "YF%06zu", i + 1), "药店小票已拍照", t + 7200);
			if (!e && (price + 9999) / 10000 * 10000 - price > 0)
				e = ledger_write(&w, id, "returned", (price + 9999) / 10000 * 10000 - price, NULL, "找零已交还住户", t + 9000);
			if (!e) {
				db_stmt *c = db_get(ac->d, SQL_ERRAND_CLOSE);
				db_bind_int(c, 1, id);
				db_bind_int(c, 2, t + 9000);
				e = db_run(c, NULL);
			}
		}
	}
	static const char *const other[][2] = {{"gas", "燃气卡充值200元"}, {"water", "桶装水2桶"}, {"meal", "独居老人午餐，每日送"}};
	for (size_t i = 0; i < 3 && i < n && !e; i++) {
		int64_t id = 0;
		e = errand_insert(&w, &hs[(i * 131 + 17) % n], other[i][0], other[i][1], NULL, NULL, NULL, i == 2 ? 1 : 0, worker,
		                  NULL, now - 1800, &id);
		if (!e && i == 0)
			e = ledger_write(&w, id, "received", 20000, NULL, "住户交现金", now - 1700);
	}
	free(hs);
	return e;
}

/* ---- a city-sized round for the picking bench ---- */

werr supply_demo_round(const actor *ac, const char *unit_code, int64_t *round_id, int64_t *made)
{
	unit_row u = {0};
	werr e = unit_find(ac, unit_code, &u);
	*made = 0;
	if (e)
		return e;
	/* the community's first three packages, the demo's */
	int64_t pkg[3] = {0, 0, 0}, price[3] = {0, 0, 0};
	int np = 0;
	db_stmt *s = db_get(ac->d, SQL_SUP_PACKAGE_LIST);
	db_bind_text(s, 1, u.path);
	db_bind_text(s, 2, scope_upper(ac->a, u.path));
	while (db_step(s, &e) == DB_ROW && np < 3) {
		pkg[np] = db_int(s, 0);
		price[np++] = db_int(s, 3);
	}
	db_done(s);
	if (np < 3)
		return w_fail(W_EINVAL, "no_packages", "unit", "这个社区没有三个套餐 / the community has fewer than three packages");
	int64_t worker = 0, now = now_s(), rid = 0;
	s = db_get(ac->d, SQL_SUP_USER_BY_NAME);
	db_bind_text(s, 1, "gw01");
	if (db_step(s, &e) == DB_ROW)
		worker = db_int(s, 0);
	db_done(s);
	json_t *pkgs = json_pack("[I,I,I]", (json_int_t)pkg[0], (json_int_t)pkg[1], (json_int_t)pkg[2]);
	if (!(e = db_begin(ac->d)))
		e = db_end(ac->d, round_insert(ac, &u, "全体住户团购（压测）", now - 86400, now - 3600, 120, pkgs, NULL, &rid));
	json_decref(pkgs);
	if (e)
		return e;
	*round_id = rid;
	s = db_get(ac->d, SQL_SUP_DEMO_LIVING_HH);
	db_bind_text(s, 1, u.path);
	db_bind_text(s, 2, scope_upper(ac->a, u.path));
	size_t cap = 8192, n = 0;
	hh_row *hs = xmalloc(cap * sizeof *hs);
	int rc;
	while ((rc = db_step(s, &e)) == DB_ROW) {
		if (n == cap)
			hs = xrealloc(hs, (cap *= 2) * sizeof *hs);
		hs[n++] = (hh_row){db_int(s, 0), db_int(s, 1), arena_strdup(ac->a, db_text(s, 2)), NULL};
	}
	db_done(s);
	/* every household with someone living there orders (quantities 0-2, vegetables at least 1), every seventh pays its
	 * grid worker in cash; written 20,000 orders a transaction through order_write, so the
	 * round's counters and cash ledger are the server's own */
	for (size_t i = 0; rc >= 0 && i < n && !e;) {
		actor w = *ac;
		w.user_id = worker;
		w.a = arena_new();
		if (!(e = db_begin(ac->d))) {
			for (size_t end = i + 20000 < n ? i + 20000 : n; i < end && !e; i++) {
				item items[3];
				for (int k = 0; k < 3; k++)
					items[k] = (item){pkg[k], k == 1 ? 1 + (int64_t)(hs[i].id % 2) : (hs[i].id + k) % 3, price[k]};
				int64_t id = 0;
				e = order_write(&w, rid, &hs[i], 0, items, 3, i % 7 == 0 ? "cash" : "online", 0, NULL, "paid",
				                now - 7200 + (int64_t)(i % 3600), &id);
			}
			e = db_end(ac->d, e);
		}
		arena_free(w.a);
		if (!e)
			*made = (int64_t)i;
	}
	free(hs);
	return e;
}

/* ---- the liyuan demo: 12 merchants inside the compound, free meals for five elders ---- */

werr supply_demo_liyuan(const actor *ac, int64_t community_id)
{
	unit_row u = {0};
	werr e = unit_find_id(ac, community_id, &u);
	if (e)
		return e;
	int64_t now = now_s();
	static const char *const names[12] = {"丽园便民超市", "老王蔬菜店", "清真牛羊肉店", "丽园药店", "馕坑", "粮油店",
	                                      "水果店", "早餐铺", "桶装水站", "燃气服务点", "日杂店", "面包房"};
	static const char *const caps[][2] = {{"蔬菜", "15"}, {"肉类", "10"}, {"粮油", "10"}, {"药品", "0"}};
	for (int i = 0; i < 4 && !e; i++) {
		db_stmt *s = db_get(ac->d, SQL_MERCHANT_CAP_SET);
		db_bind_int(s, 1, u.id);
		db_bind_text(s, 2, caps[i][0]);
		db_bind_int(s, 3, atoi(caps[i][1]));
		e = db_run(s, NULL);
	}
	for (int i = 0; i < 12 && !e; i++) {
		db_stmt *s = db_get(ac->d, SQL_MERCHANT_INSERT);
		db_bind_int(s, 1, u.id);
		db_bind_text(s, 2, names[i]);
		db_bind_text(s, 3, arena_printf(ac->a, "0902%07d", 2231100 + i * 17));
		db_bind_text(s, 4, arena_printf(ac->a, "丽园小区%d号商铺", i + 1));
		db_bind_int(s, 5, 1);
		db_bind_int(s, 6, now);
		int64_t id = 0;
		if ((e = db_run(s, &id)) || i > 2)
			continue;
		/* the first three post prices; the vegetable shop's cabbage is 20% over its reference */
		static const struct {
			const char *product, *cls;
			int64_t price, ref;
		} board[3] = {{"大白菜（斤）", "蔬菜", 180, 150}, {"土豆（斤）", "蔬菜", 160, 150}, {"羊肉（斤）", "肉类", 4200, 4000}};
		for (int k = 0; k < 3 && !e; k++) {
			db_stmt *p = db_get(ac->d, SQL_MERCHANT_PRICE_INSERT);
			db_bind_int(p, 1, id);
			db_bind_text(p, 2, board[k].product);
			db_bind_text(p, 3, board[k].cls);
			db_bind_int(p, 4, i == 1 || k > 0 ? board[k].price : board[k].ref);
			db_bind_int(p, 5, board[k].ref);
			db_bind_int(p, 6, now);
			e = db_run(p, NULL);
		}
	}
	char today[32], old[11];
	fmt_time(now, today);
	today[10] = 0;
	day_add(today, -60 * 365, old); /* born 60 years ago or earlier (close enough for a demo) */
	db_stmt *s = db_get(ac->d, SQL_SUP_DEMO_ALONE);
	db_bind_text(s, 1, u.path);
	db_bind_text(s, 2, scope_upper(ac->a, u.path));
	db_bind_text(s, 3, old);
	hh_row hs[5];
	size_t n = 0;
	while (!e && db_step(s, &e) == DB_ROW && n < 5)
		hs[n++] = (hh_row){db_int(s, 0), db_int(s, 1), arena_strdup(ac->a, db_text(s, 2)), NULL};
	db_done(s);
	for (size_t i = 0; i < n && !e; i++) {
		int64_t id = 0;
		e = errand_insert(ac, &hs[i], "meal", "独居老人免费午餐，每天送到家", NULL, NULL, NULL, 1, 0, NULL, now, &id);
	}
	return e;
}
