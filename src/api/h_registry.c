/* h_registry.c — households and residents over HTTP. */
#include <microhttpd.h>
#include <string.h>

#include "api/handlers.h"
#include "core/jv.h"
#include "domain/links.h"
#include "http/server.h"
#include "domain/gates.h"
#include "domain/registry.h"

werr h_household_list(req *r)
{
	int64_t limit, offset;
	werr e = req_paging(r, &limit, &offset);
	if (e)
		return e;
	const char *ret = req_query(r, "retired");
	return hh_list(&r->ac, req_query(r, "unit"), limit, offset, ret && strcmp(ret, "1") == 0, &r->json);
}

werr h_household_get(req *r)
{
	int64_t id;
	werr e = req_param_id(r, 0, "household_id", &id);
	return e ? e : hh_get(&r->ac, id, &r->json);
}

werr h_household_create(req *r)
{
	return api_body(r, hh_create);
}

werr h_household_update(req *r)
{
	return api_id_body(r, "household_id", hh_update);
}

werr h_household_evidence(req *r)
{
	werr e = api_id_body(r, "household_id", hh_add_evidence);
	if (!e)
		r->status = 201;
	return e;
}

werr h_resident_list(req *r)
{
	int64_t limit, offset;
	werr e = req_paging(r, &limit, &offset);
	const char *q = req_query(r, "q");
	if (!e && q && !strcmp(q, "\x01")) /* not UTF-8, or a control character (router.c) */
		e = w_fail(W_EINVAL, "invalid_query", "q", "查询词不是有效的文本 / q is not valid UTF-8 text");
	return e ? e : res_search(&r->ac, q, req_query(r, "unit"), NULL, 0, limit, offset, &r->json);
}

/* The same search with the term in the body, so it never appears in a URL or a log.
 * gate_id: at a gate of the guard's, the compounds it serves beyond the guard's part of the
 * tree are searched too (a neighbour's gate merged into it). */
werr h_resident_search(req *r)
{
	static const char *const allowed[] = {"q", "unit", "limit", "offset", "gate_id", NULL};
	json_t *body;
	const char *q, *unit;
	int64_t limit = 50, offset = 0, gate_id = 0;
	bool at_gate = false;
	const char **also = NULL;
	int nalso = 0;
	werr e = req_body_json(r, &body);
	if (e)
		return e;
	if (!(e = jv_only(body, allowed)) && !(e = jv_str(body, "q", false, 40, &q)) &&
	    !(e = jv_str(body, "unit", false, 64, &unit)) &&
	    !(e = jv_int(body, "limit", false, 1, 500, &limit, NULL)) &&
	    !(e = jv_int(body, "offset", false, 0, INT32_MAX, &offset, NULL)) &&
	    !(e = jv_int(body, "gate_id", false, 1, INT64_MAX, &gate_id, &at_gate)) &&
	    !(e = at_gate ? gate_served_paths(&r->ac, gate_id, &also, &nalso) : WG_OK))
		e = res_search(&r->ac, q, unit, also, nalso, limit, offset, &r->json);
	json_decref(body);
	return e;
}

werr h_resident_get(req *r)
{
	int64_t id;
	werr e = req_param_id(r, 0, "resident_id", &id);
	return e ? e : res_get(&r->ac, id, &r->json);
}

werr h_resident_create(req *r)
{
	return api_body(r, res_create);
}

werr h_resident_update(req *r)
{
	return api_id_body(r, "resident_id", res_update);
}

/* The origin the household's URL starts with, from the request's Host header. */
static const char *origin(req *r)
{
	if (server_public_url()) /* behind a TLS proxy: the address users really reach */
		return server_public_url();
	const char *host = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Host");
	if (!host || !*host || strpbrk(host, "\"<> /\\"))
		host = "127.0.0.1:8080";
	return arena_printf(r->a, "http://%s", host);
}

werr h_household_link(req *r)
{
	int64_t id;
	werr e = req_param_id(r, 0, "household_id", &id);
	if (!e && !(e = link_issue(&r->ac, id, origin(r), &r->json)))
		r->status = 201;
	return e;
}

werr h_household_link_revoke(req *r)
{
	int64_t id;
	werr e = req_param_id(r, 0, "household_id", &id);
	if (e || (e = link_revoke(&r->ac, id)))
		return e;
	r->json = json_pack("{s:I,s:b}", "household_id", (json_int_t)id, "revoked", 1);
	return WG_OK;
}

werr h_link_sheet(req *r)
{
	char *html;
	size_t len;
	werr e = link_sheet(&r->ac, r->param[0], origin(r), &html, &len);
	if (e)
		return e;
	r->raw = html;
	r->raw_len = len;
	r->ctype = "text/html; charset=utf-8";
	return WG_OK;
}

werr h_link_household(req *r)
{
	return link_household(&r->ac, r->link_household, &r->json);
}

werr h_link_checkin(req *r)
{
	json_t *body;
	werr e = req_body_json(r, &body);
	if (e)
		return e;
	e = link_checkin(&r->ac, r->link_household, body, &r->json);
	json_decref(body);
	if (!e)
		r->status = 201;
	return e;
}

/* ---- the duplicate-ID review (身份证号重复待核实) ---- */

werr h_idreview_list(req *r)
{
	int64_t limit, offset;
	werr e = req_paging(r, &limit, &offset);
	return e ? e : idr_list(&r->ac, req_query(r, "unit"), req_query(r, "state"), limit, offset, &r->json);
}

werr h_idreview_get(req *r)
{
	int64_t id;
	werr e = req_param_id(r, 0, "review_id", &id);
	return e ? e : idr_get(&r->ac, id, &r->json);
}

werr h_idreview_decide(req *r)
{
	return api_id_body(r, "review_id", idr_decide);
}

werr h_idreview_correct(req *r)
{
	return api_id_body(r, "review_id", idr_correct);
}
