/* aid.c — the hardship fund and the merchants; see aid.h.  Money in fen; a markup is
 * checked in integers (price × 100 > reference × (100 + cap) is a breach). */
#include "domain/aid.h"

#include <stdlib.h>
#include <string.h>

#include "core/jv.h"
#include "core/util.h"
#include "domain/units.h"

static const char *const fund_unit_kinds[] = {"community", "grid", "compound", "street", NULL};

static bool kind_ok(const char *k)
{
	for (const char *const *l = fund_unit_kinds; k && *l; l++)
		if (!strcmp(k, *l))
			return true;
	return false;
}

static const char *yuan(arena *a, int64_t fen)
{
	return arena_printf(a, "¥%lld.%02lld", (long long)(fen / 100), (long long)(fen % 100));
}

static bool under(const char *path, const char *top)
{
	return path && top && strncmp(path, top, strlen(top)) == 0;
}

static bool visible(const actor *ac, const char *path)
{
	return actor_in_scope(ac, path) || under(ac->unit_path, path);
}

static json_t *time_json(int64_t t)
{
	char s[32];
	fmt_time(t, s);
	return json_string(s);
}

/* ---- the hardship fund ---- */

static werr fund_json(const actor *ac, int64_t id, const char *field, bool grants, const char *subtree, json_t **out)
{
	db_stmt *s = db_get(ac->d, SQL_AID_FUND_GET);
	db_bind_int(s, 1, id);
	werr e = WG_OK;
	int rc = db_step(s, &e);
	json_t *j = NULL;
	const char *path = NULL;
	if (rc == DB_ROW) {
		path = arena_strdup(ac->a, db_text(s, 4));
		int64_t budget = db_int(s, 2), spent = db_int(s, 5);
		j = json_pack("{s:I,s:s,s:s,s:I,s:I,s:I,s:s,s:I}", "id", (json_int_t)id, "name", db_text(s, 1), "unit",
		              db_text(s, 3), "budget_fen", (json_int_t)budget, "granted_fen", (json_int_t)spent, "left_fen",
		              (json_int_t)(budget - spent), "left", yuan(ac->a, budget - spent), "households",
		              (json_int_t)db_int(s, 6));
	}
	db_done(s);
	if (rc < 0)
		return e;
	if (!j || !visible(ac, path)) {
		json_decref(j);
		return w_fail(W_ENOTFOUND, "fund_not_found", field, "没有这个救助资金 / no such fund");
	}
	if (grants) {
		const char *top = subtree ? subtree : actor_in_scope(ac, path) ? path : ac->unit_path;
		json_t *arr = json_array();
		s = db_get(ac->d, SQL_AID_GRANTS);
		db_bind_int(s, 1, id);
		db_bind_text(s, 2, top);
		db_bind_text(s, 3, scope_upper(ac->a, top));
		while (db_step(s, &e) == DB_ROW)
			json_array_append_new(arr, json_pack("{s:I,s:I,s:s,s:s,s:o,s:I,s:s,s:o}", "id", (json_int_t)db_int(s, 0),
			                                     "household_id", (json_int_t)db_int(s, 1), "room", db_text(s, 2),
			                                     "unit_name", db_text(s, 3), "building", jv_text(db_text(s, 4)),
			                                     "amount_fen", (json_int_t)db_int(s, 5), "what", db_text(s, 6), "at",
			                                     time_json(db_int(s, 7))));
		db_done(s);
		json_object_set_new(j, "grants", arr);
	}
	*out = j;
	return WG_OK;
}

werr aid_fund_create(const actor *ac, json_t *body, json_t **out)
{
	static const char *const allowed[] = {"unit", "name", "budget_fen", NULL};
	const char *code, *name;
	int64_t budget;
	unit_row u = {0};
	werr e;
	if ((e = jv_only(body, allowed)) || (e = jv_str(body, "unit", true, 64, &code)) ||
	    (e = jv_str(body, "name", true, 60, &name)) ||
	    (e = jv_int(body, "budget_fen", true, 1, 100000000000, &budget, NULL)) || (e = unit_find(ac, code, &u)))
		return e;
	if (!kind_ok(u.kind))
		return w_fail(W_EINVAL, "not_a_community", "unit", "救助资金设在街道、社区、网格或小区 / a fund belongs to a street, community, grid or compound");
	if ((e = db_begin(ac->d)))
		return e;
	db_stmt *s = db_get(ac->d, SQL_AID_FUND_INSERT);
	db_bind_int(s, 1, u.id);
	db_bind_text(s, 2, name);
	db_bind_int(s, 3, budget);
	db_bind_int(s, 4, now_s());
	int64_t id = 0;
	if ((e = db_run(s, &id)) == W_ECONFLICT)
		e = w_fail(e, "duplicate_fund", "name", "已有同名的救助资金 / a fund of this name exists");
	if (!e)
		e = audit(ac, "create", "aid_fund", id, "unit,name,budget_fen", "ok");
	if ((e = db_end(ac->d, e)))
		return e;
	return fund_json(ac, id, "id", true, NULL, out);
}

werr aid_list(const actor *ac, const char *unit_code, json_t **out)
{
	unit_row u = {0};
	werr e = unit_scope(ac, unit_code, &u);
	if (e)
		return e;
	db_stmt *s = db_get(ac->d, SQL_AID_FUND_LIST);
	db_bind_text(s, 1, u.path);
	db_bind_text(s, 2, scope_upper(ac->a, u.path));
	int64_t ids[64];
	size_t n = 0;
	while (db_step(s, &e) == DB_ROW && n < 64)
		ids[n++] = db_int(s, 0);
	db_done(s);
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *f;
		if (!fund_json(ac, ids[i], "id", true, u.path, &f))
			json_array_append_new(items, f);
	}
	*out = json_pack("{s:s,s:o}", "unit", u.code, "items", items);
	return audit(ac, "read", "aid_grant", u.id, arena_printf(ac->a, "unit:%s", u.code), "ok");
}

werr aid_grant(const actor *ac, int64_t fund_id, json_t *body, json_t **out)
{
	static const char *const allowed[] = {"household_id", "amount_fen", "what", NULL};
	const char *what;
	int64_t hid, amount;
	werr e;
	json_t *f = NULL;
	if ((e = jv_only(body, allowed)) || (e = jv_int(body, "household_id", true, 1, INT64_MAX, &hid, NULL)) ||
	    (e = jv_int(body, "amount_fen", true, 1, 100000000, &amount, NULL)) ||
	    (e = jv_str(body, "what", true, 200, &what)) || (e = fund_json(ac, fund_id, "fund_id", false, NULL, &f)))
		return e;
	json_decref(f);
	db_stmt *s = db_get(ac->d, SQL_HH_BY_ID);
	db_bind_int(s, 1, hid);
	int rc = db_step(s, &e);
	const char *path = rc == DB_ROW ? arena_strdup(ac->a, db_text(s, 12)) : NULL;
	bool retired = rc == DB_ROW && !db_null(s, 5);
	db_done(s);
	if (rc < 0)
		return e;
	if (!path || retired || !actor_in_scope(ac, path))
		return w_fail(W_ENOTFOUND, "household_not_found", "household_id", "没有这一户 / no such household");
	if ((e = db_begin(ac->d)))
		return e;
	s = db_get(ac->d, SQL_AID_FUND_LOCK);
	db_bind_int(s, 1, fund_id);
	int64_t x = 0, spent = 0, budget = 0;
	if (!(e = db_scalar(s, &x))) {
		s = db_get(ac->d, SQL_AID_FUND_SPENT);
		db_bind_int(s, 1, fund_id);
		e = db_scalar(s, &spent);
	}
	if (!e) {
		s = db_get(ac->d, SQL_AID_FUND_GET);
		db_bind_int(s, 1, fund_id);
		if (db_step(s, &e) == DB_ROW)
			budget = db_int(s, 2);
		db_done(s);
	}
	if (!e && spent + amount > budget)
		e = w_fail(W_ECONFLICT, "over_budget", "amount_fen", "超出预算：只剩%s，不能再发%s / over the budget: %s is left, %s cannot be granted",
		           yuan(ac->a, budget - spent), yuan(ac->a, amount), yuan(ac->a, budget - spent), yuan(ac->a, amount));
	if (!e) {
		s = db_get(ac->d, SQL_AID_GRANT_INSERT);
		db_bind_int(s, 1, fund_id);
		db_bind_int(s, 2, hid);
		db_bind_text(s, 3, path);
		db_bind_int(s, 4, amount);
		db_bind_text(s, 5, what);
		db_bind_int(s, 6, now_s());
		if (ac->user_id)
			db_bind_int(s, 7, ac->user_id);
		e = db_run(s, NULL);
	}
	if (!e)
		e = audit(ac, "create", "aid_grant", hid, arena_printf(ac->a, "fund:%lld amount_fen,what", (long long)fund_id), "ok");
	if ((e = db_end(ac->d, e)))
		return e;
	return fund_json(ac, fund_id, "fund_id", true, NULL, out);
}

/* ---- merchants ---- */

typedef struct {
	int64_t id, unit_id;
	bool inside;
	const char *name, *phone, *address, *unit_code, *path;
} merchant_row;

static werr merchant_load(const actor *ac, int64_t id, merchant_row *m)
{
	db_stmt *s = db_get(ac->d, SQL_MERCHANT_GET);
	db_bind_int(s, 1, id);
	werr e = WG_OK;
	int rc = db_step(s, &e);
	if (rc == DB_ROW) {
		m->id = id;
		m->name = arena_strdup(ac->a, db_text(s, 1));
		m->phone = arena_strdup(ac->a, db_text(s, 2));
		m->address = db_null(s, 3) ? NULL : arena_strdup(ac->a, db_text(s, 3));
		m->inside = db_int(s, 4) != 0;
		m->unit_code = arena_strdup(ac->a, db_text(s, 5));
		m->path = arena_strdup(ac->a, db_text(s, 6));
		m->unit_id = db_int(s, 7);
	}
	db_done(s);
	if (rc < 0)
		return e;
	if (rc != DB_ROW || !visible(ac, m->path))
		return w_fail(W_ENOTFOUND, "merchant_not_found", "merchant_id", "没有这个商户 / no such merchant");
	return WG_OK;
}

static json_t *merchant_json(const actor *ac, const merchant_row *m)
{
	json_t *board = json_array(), *complaints = json_array();
	int64_t breaches = 0;
	db_stmt *s = db_get(ac->d, SQL_MERCHANT_BOARD);
	db_bind_int(s, 1, m->id);
	werr e;
	while (db_step(s, &e) == DB_ROW) {
		int64_t price = db_int(s, 2), ref = db_int(s, 3), cap = db_int(s, 5);
		bool breach = cap >= 0 && price * 100 > ref * (100 + cap);
		breaches += breach;
		json_array_append_new(board, json_pack("{s:s,s:s,s:I,s:s,s:I,s:o,s:o,s:b}", "product", db_text(s, 0), "class",
		                                       db_text(s, 1), "price_fen", (json_int_t)price, "price", yuan(ac->a, price),
		                                       "reference_fen", (json_int_t)ref, "at", time_json(db_int(s, 4)),
		                                       "max_markup_pct", cap >= 0 ? json_integer(cap) : json_null(), "breach",
		                                       breach));
	}
	db_done(s);
	s = db_get(ac->d, SQL_MERCHANT_COMPLAINTS);
	db_bind_int(s, 1, m->id);
	while (db_step(s, &e) == DB_ROW)
		json_array_append_new(complaints, json_pack("{s:I,s:s,s:o}", "id", (json_int_t)db_int(s, 0), "note",
		                                            db_text(s, 1), "at", time_json(db_int(s, 2))));
	db_done(s);
	return json_pack("{s:I,s:s,s:s,s:o,s:b,s:s,s:o,s:I,s:o}", "id", (json_int_t)m->id, "name", m->name, "phone", m->phone,
	                 "address", jv_text(m->address), "inside", m->inside, "unit", m->unit_code, "board", board,
	                 "breaches", (json_int_t)breaches, "complaints", complaints);
}

werr merchant_create(const actor *ac, json_t *body, json_t **out)
{
	static const char *const allowed[] = {"unit", "name", "phone", "address", "inside", NULL};
	const char *code, *name, *phone, *address;
	bool inside = true;
	unit_row u = {0};
	werr e;
	if ((e = jv_only(body, allowed)) || (e = jv_str(body, "unit", true, 64, &code)) ||
	    (e = jv_str(body, "name", true, 60, &name)) || (e = jv_str(body, "phone", true, 20, &phone)) ||
	    (e = jv_str(body, "address", false, 100, &address)) || (e = jv_bool(body, "inside", &inside, NULL)) ||
	    (e = unit_find(ac, code, &u)))
		return e;
	if (!kind_ok(u.kind))
		return w_fail(W_EINVAL, "not_a_community", "unit", "商户登记在街道、社区、网格或小区 / merchants belong to a street, community, grid or compound");
	if ((e = db_begin(ac->d)))
		return e;
	db_stmt *s = db_get(ac->d, SQL_MERCHANT_INSERT);
	db_bind_int(s, 1, u.id);
	db_bind_text(s, 2, name);
	db_bind_text(s, 3, phone);
	db_bind_text(s, 4, address);
	db_bind_int(s, 5, inside);
	db_bind_int(s, 6, now_s());
	int64_t id = 0;
	if ((e = db_run(s, &id)) == W_ECONFLICT)
		e = w_fail(e, "duplicate_merchant", "name", "已有同名的商户 / a merchant of this name exists");
	if (!e)
		e = audit(ac, "create", "merchant", id, "unit,name,phone,address,inside", "ok");
	if ((e = db_end(ac->d, e)))
		return e;
	merchant_row m = {0};
	if ((e = merchant_load(ac, id, &m)))
		return e;
	*out = merchant_json(ac, &m);
	return WG_OK;
}

werr merchant_list(const actor *ac, const char *unit_code, json_t **out)
{
	unit_row u = {0};
	werr e = unit_scope(ac, unit_code, &u);
	if (e)
		return e;
	db_stmt *s = db_get(ac->d, SQL_MERCHANT_LIST);
	db_bind_text(s, 1, u.path);
	db_bind_text(s, 2, scope_upper(ac->a, u.path));
	int64_t ids[200];
	size_t n = 0;
	while (db_step(s, &e) == DB_ROW && n < 200)
		ids[n++] = db_int(s, 0);
	db_done(s);
	json_t *items = json_array();
	int64_t breaches = 0;
	for (size_t i = 0; i < n; i++) {
		merchant_row m = {0};
		if (merchant_load(ac, ids[i], &m))
			continue;
		json_t *j = merchant_json(ac, &m);
		breaches += json_integer_value(json_object_get(j, "breaches"));
		json_array_append_new(items, j);
	}
	*out = json_pack("{s:s,s:o,s:I}", "unit", u.code, "items", items, "breaches", (json_int_t)breaches);
	return WG_OK;
}

werr merchant_cap_set(const actor *ac, json_t *body, json_t **out)
{
	static const char *const allowed[] = {"unit", "class", "max_markup_pct", NULL};
	const char *code, *cls;
	int64_t pct;
	unit_row u = {0};
	werr e;
	if ((e = jv_only(body, allowed)) || (e = jv_str(body, "unit", true, 64, &code)) ||
	    (e = jv_str(body, "class", true, 20, &cls)) || (e = jv_int(body, "max_markup_pct", true, 0, 1000, &pct, NULL)) ||
	    (e = unit_find(ac, code, &u)))
		return e;
	if ((e = db_begin(ac->d)))
		return e;
	db_stmt *s = db_get(ac->d, SQL_MERCHANT_CAP_SET);
	db_bind_int(s, 1, u.id);
	db_bind_text(s, 2, cls);
	db_bind_int(s, 3, pct);
	if (!(e = db_run(s, NULL)))
		e = audit(ac, "update", "merchant_cap", u.id, "class,max_markup_pct", "ok");
	if ((e = db_end(ac->d, e)))
		return e;
	*out = json_pack("{s:s,s:s,s:I}", "unit", u.code, "class", cls, "max_markup_pct", (json_int_t)pct);
	return WG_OK;
}

werr merchant_price(const actor *ac, int64_t id, json_t *body, json_t **out)
{
	static const char *const allowed[] = {"product", "class", "price_fen", "reference_fen", NULL};
	const char *product, *cls;
	int64_t price, ref;
	merchant_row m = {0};
	werr e;
	if ((e = jv_only(body, allowed)) || (e = jv_str(body, "product", true, 40, &product)) ||
	    (e = jv_str(body, "class", true, 20, &cls)) || (e = jv_int(body, "price_fen", true, 1, 10000000, &price, NULL)) ||
	    (e = jv_int(body, "reference_fen", true, 1, 10000000, &ref, NULL)) || (e = merchant_load(ac, id, &m)))
		return e;
	if ((e = db_begin(ac->d)))
		return e;
	db_stmt *s = db_get(ac->d, SQL_MERCHANT_PRICE_INSERT);
	db_bind_int(s, 1, id);
	db_bind_text(s, 2, product);
	db_bind_text(s, 3, cls);
	db_bind_int(s, 4, price);
	db_bind_int(s, 5, ref);
	db_bind_int(s, 6, now_s());
	if (ac->user_id)
		db_bind_int(s, 7, ac->user_id);
	if (!(e = db_run(s, NULL)))
		e = audit(ac, "create", "merchant_price", id, "product,class,price_fen,reference_fen", "ok");
	if ((e = db_end(ac->d, e)))
		return e;
	*out = merchant_json(ac, &m);
	return WG_OK;
}

werr merchant_complaint(const actor *ac, int64_t id, json_t *body, json_t **out)
{
	static const char *const allowed[] = {"note", NULL};
	const char *note;
	merchant_row m = {0};
	werr e;
	if ((e = jv_only(body, allowed)) || (e = jv_str(body, "note", true, 400, &note)) || (e = merchant_load(ac, id, &m)))
		return e;
	if ((e = db_begin(ac->d)))
		return e;
	db_stmt *s = db_get(ac->d, SQL_MERCHANT_COMPLAINT_INSERT);
	db_bind_int(s, 1, id);
	db_bind_text(s, 2, note);
	db_bind_int(s, 3, now_s());
	if (ac->user_id)
		db_bind_int(s, 4, ac->user_id);
	if (!(e = db_run(s, NULL)))
		e = audit(ac, "create", "merchant_complaint", id, "note", "ok");
	if ((e = db_end(ac->d, e)))
		return e;
	*out = merchant_json(ac, &m);
	return WG_OK;
}

static void esc(buf *b, const char *s)
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

werr merchant_card(const actor *ac, const char *unit_code, char **html, size_t *len)
{
	json_t *list;
	werr e = merchant_list(ac, unit_code, &list);
	if (e)
		return e;
	buf b;
	buf_init(&b, NULL);
	/* Chinese only: the card is for elders of the compound */
	buf_puts(&b, "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>附近商户电话卡</title>"
	             "<link rel=\"stylesheet\" href=\"/print.css\"><style>body{font-size:22pt}td{padding:6pt 12pt}</style>"
	             "</head><body><h1>附近商户电话卡</h1><table class=\"print-table\"><tbody>");
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(list, "items"), i, m) {
		buf_puts(&b, "<tr><td>");
		esc(&b, json_string_value(json_object_get(m, "name")));
		buf_puts(&b, "</td><td>");
		esc(&b, json_string_value(json_object_get(m, "phone")));
		buf_puts(&b, "</td><td>");
		esc(&b, json_string_value(json_object_get(m, "address")));
		buf_puts(&b, "</td></tr>");
	}
	buf_puts(&b, "</tbody></table></body></html>\n");
	json_decref(list);
	*html = b.p;
	*len = b.len;
	return WG_OK;
}
