/* h_supply.c — supplies over HTTP (issue 17): suppliers, packages, rounds, orders and their
 * delivery states, the picking list and delivery sheet (JSON, printable HTML, XLSX),
 * errands (代购) with their cash ledger, and the household link's own order and errands. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/handlers.h"
#include "core/util.h"
#include "domain/aid.h"
#include "domain/supply.h"

static werr created(req *r, werr e)
{
	if (!e)
		r->status = 201;
	return e;
}

werr h_supplier_list(req *r)
{
	return supplier_list(&r->ac, req_query(r, "unit"), &r->json);
}

werr h_supplier_create(req *r)
{
	return api_body(r, supplier_create);
}

werr h_supplier_update(req *r)
{
	return api_id_body(r, "supplier_id", supplier_update);
}

werr h_package_list(req *r)
{
	return package_list(&r->ac, req_query(r, "unit"), &r->json);
}

werr h_package_create(req *r)
{
	return api_body(r, package_create);
}

werr h_package_update(req *r)
{
	return api_id_body(r, "package_id", package_update);
}

werr h_round_list(req *r)
{
	return round_list(&r->ac, req_query(r, "unit"), &r->json);
}

werr h_round_create(req *r)
{
	return api_body(r, round_create);
}

werr h_round_get(req *r)
{
	int64_t id;
	werr e = req_param_id(r, 0, "round_id", &id);
	return e ? e : round_get(&r->ac, id, req_query(r, "unit"), &r->json);
}

werr h_round_close(req *r)
{
	return api_id_body(r, "round_id", round_close);
}

werr h_round_advance(req *r)
{
	return api_id_body(r, "round_id", round_advance);
}

static werr order_body(req *r, int64_t round_id, int64_t link_hh)
{
	json_t *body;
	werr e = req_body_json(r, &body);
	if (e)
		return e;
	bool fresh;
	e = order_put(&r->ac, round_id, link_hh, body, &r->json, &fresh);
	json_decref(body);
	if (!e) {
		r->status = fresh ? 201 : 200;
		json_object_set_new(r->json, "created", json_boolean(fresh));
	}
	return e;
}

werr h_order_put(req *r)
{
	int64_t id;
	werr e = req_param_id(r, 0, "round_id", &id);
	return e ? e : order_body(r, id, 0);
}

werr h_order_get(req *r)
{
	int64_t id;
	werr e = req_param_id(r, 0, "order_id", &id);
	return e ? e : order_get(&r->ac, id, &r->json);
}

werr h_order_step(req *r)
{
	return api_id_body(r, "order_id", order_step);
}

static werr format_of(req *r, sup_format *f)
{
	const char *fmt = req_query(r, "format");
	*f = !fmt || !strcmp(fmt, "json") ? SUP_JSON : !strcmp(fmt, "html") ? SUP_HTML : !strcmp(fmt, "xlsx") ? SUP_XLSX : -1;
	if ((int)*f < 0)
		return w_fail(W_EINVAL, "invalid_format", "format", "format: json, html or xlsx");
	return WG_OK;
}

typedef werr (*list_fn)(req *r, int64_t id, sup_format f, const char *path, char **raw, size_t *len);

static werr list_answer(req *r, list_fn fn, const char *name)
{
	int64_t id;
	sup_format f;
	werr e;
	if ((e = req_param_id(r, 0, "round_id", &id)) || (e = format_of(r, &f)))
		return e;
	char *tmp = NULL;
	if (f == SUP_XLSX) {
		tmp = arena_strdup(r->a, "/tmp/wangge-supply-XXXXXX");
		int fd = mkstemp(tmp);
		if (fd < 0)
			return w_fail(W_EINTERNAL, "export_failed", NULL, "export failed");
		close(fd);
	}
	char *raw = NULL;
	size_t len = 0;
	e = fn(r, id, f, tmp, &raw, &len);
	if (e) {
		if (tmp)
			unlink(tmp);
		free(raw);
		return e;
	}
	if (f == SUP_XLSX) {
		raw = read_file(tmp, &len);
		unlink(tmp);
		if (!raw)
			return w_fail(W_EINTERNAL, "export_failed", NULL, "export failed");
		r->ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
		r->filename = arena_printf(r->a, "%s-%lld.xlsx", name, (long long)id);
	} else if (f == SUP_HTML) {
		r->ctype = "text/html; charset=utf-8";
	}
	if (raw) {
		r->raw = raw;
		r->raw_len = len;
		r->cache = "no-store";
	}
	return WG_OK;
}

static werr picking_fn(req *r, int64_t id, sup_format f, const char *path, char **raw, size_t *len)
{
	return round_picking(&r->ac, id, req_query(r, "unit"), f, path, &r->json, raw, len);
}

static werr sheet_fn(req *r, int64_t id, sup_format f, const char *path, char **raw, size_t *len)
{
	return round_sheet(&r->ac, id, req_query(r, "unit"), req_query(r, "state"), f, path, &r->json, raw, len);
}

werr h_round_picking(req *r)
{
	return list_answer(r, picking_fn, "picking");
}

werr h_round_sheet(req *r)
{
	return list_answer(r, sheet_fn, "delivery");
}

werr h_household_supply(req *r)
{
	int64_t id;
	werr e = req_param_id(r, 0, "household_id", &id);
	return e ? e : household_supply(&r->ac, id, &r->json);
}

static werr errand_body(req *r, int64_t link_hh)
{
	json_t *body;
	werr e = req_body_json(r, &body);
	if (e)
		return e;
	bool fresh;
	e = errand_create(&r->ac, link_hh, body, &r->json, &fresh);
	json_decref(body);
	if (!e) {
		r->status = fresh ? 201 : 200;
		json_object_set_new(r->json, "created", json_boolean(fresh));
	}
	return e;
}

werr h_errand_create(req *r)
{
	return errand_body(r, 0);
}

werr h_errand_list(req *r)
{
	int64_t limit, offset;
	werr e = req_paging(r, &limit, &offset);
	return e ? e
	         : errand_list(&r->ac, req_query(r, "unit"), req_query(r, "state"), req_query(r, "kind"), limit, offset,
	                       &r->json);
}

werr h_errand_get(req *r)
{
	int64_t id;
	werr e = req_param_id(r, 0, "errand_id", &id);
	return e ? e : errand_get(&r->ac, id, &r->json);
}

werr h_errand_ledger(req *r)
{
	return created(r, api_id_body(r, "errand_id", errand_ledger_add));
}

werr h_errand_close(req *r)
{
	return api_id_body(r, "errand_id", errand_close);
}

werr h_errand_cash(req *r)
{
	return errand_cash(&r->ac, req_query(r, "unit"), req_query(r, "user"), &r->json);
}

werr h_errand_medicine(req *r)
{
	return errand_medicine(&r->ac, req_query(r, "unit"), &r->json);
}

werr h_link_supply(req *r)
{
	return household_supply(&r->ac, r->link_household, &r->json);
}

werr h_link_order(req *r)
{
	int64_t id;
	werr e = req_param_id(r, 0, "round_id", &id);
	return e ? e : order_body(r, id, r->link_household);
}

werr h_link_errand(req *r)
{
	return errand_body(r, r->link_household);
}

/* ---- the hardship fund and the merchants (aid.c) ---- */

werr h_aid_list(req *r)
{
	return aid_list(&r->ac, req_query(r, "unit"), &r->json);
}

werr h_aid_fund_create(req *r)
{
	return api_body(r, aid_fund_create);
}

werr h_aid_grant(req *r)
{
	return created(r, api_id_body(r, "fund_id", aid_grant));
}

werr h_merchant_list(req *r)
{
	return merchant_list(&r->ac, req_query(r, "unit"), &r->json);
}

werr h_merchant_create(req *r)
{
	return api_body(r, merchant_create);
}

werr h_merchant_cap(req *r)
{
	json_t *body;
	werr e = req_body_json(r, &body);
	if (e)
		return e;
	e = merchant_cap_set(&r->ac, body, &r->json);
	json_decref(body);
	return e;
}

werr h_merchant_price(req *r)
{
	return created(r, api_id_body(r, "merchant_id", merchant_price));
}

werr h_merchant_complaint(req *r)
{
	return created(r, api_id_body(r, "merchant_id", merchant_complaint));
}

werr h_merchant_card(req *r)
{
	char *html = NULL;
	size_t len = 0;
	werr e = merchant_card(&r->ac, req_query(r, "unit"), &html, &len);
	if (e)
		return e;
	r->raw = html;
	r->raw_len = len;
	r->ctype = "text/html; charset=utf-8";
	r->cache = "no-store";
	return WG_OK;
}

/* ---- after-sales (售后) ---- */

static werr aftersale_body(req *r, int64_t link_hh)
{
	int64_t id;
	json_t *body;
	werr e;
	if ((e = req_param_id(r, 0, "order_id", &id)) || (e = req_body_json(r, &body)))
		return e;
	bool fresh;
	e = aftersale_report(&r->ac, id, link_hh, body, &r->json, &fresh);
	json_decref(body);
	if (!e)
		r->status = fresh ? 201 : 200;
	return e;
}

werr h_aftersale_report(req *r)
{
	return aftersale_body(r, 0);
}

werr h_link_aftersale(req *r)
{
	return aftersale_body(r, r->link_household);
}

werr h_aftersale_resolve(req *r)
{
	return api_id_body(r, "aftersale_id", aftersale_resolve);
}

werr h_aftersale_list(req *r)
{
	int64_t id;
	werr e = req_param_id(r, 0, "round_id", &id);
	return e ? e : aftersale_list(&r->ac, id, req_query(r, "unit"), req_query(r, "state"), &r->json);
}

/* the round's cash handed over to the supplier (issue 17, supply4) */
werr h_handover_list(req *r)
{
	int64_t id;
	werr e = req_param_id(r, 0, "round_id", &id);
	return e ? e : handover_list(&r->ac, id, req_query(r, "unit"), &r->json);
}

werr h_handover_create(req *r)
{
	return created(r, api_id_body(r, "round_id", handover_create));
}
