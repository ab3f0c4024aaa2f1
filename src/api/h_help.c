/* h_help.c — help requests, the hotline's calls, leads and notices over HTTP (issue 18),
 * with the household link's side of each. */
#include <microhttpd.h>
#include <string.h>

#include "api/handlers.h"
#include "domain/help.h"
#include "http/server.h"

static werr body_of(req *r, json_t **body)
{
	return req_body_json(r, body);
}

/* A create that may name an earlier one by client_id: 201 when new, 200 again. */
werr h_help_create(req *r)
{
	json_t *body;
	werr e = body_of(r, &body);
	if (e)
		return e;
	bool fresh = false;
	e = help_create(&r->ac, body, &r->json, &fresh);
	json_decref(body);
	if (!e) {
		r->status = fresh ? 201 : 200;
		json_object_set_new(r->json, "duplicate", json_boolean(!fresh));
	}
	return e;
}

werr h_help_list(req *r)
{
	int64_t limit, offset, overdue, household, mine;
	werr e;
	if ((e = req_paging(r, &limit, &offset)) || (e = req_query_int(r, "overdue", 0, 0, 1, &overdue)) ||
	    (e = req_query_int(r, "household", 0, 1, INT64_MAX, &household)) ||
	    (e = req_query_int(r, "mine", 0, 0, 1, &mine)))
		return e;
	return help_list(&r->ac, req_query(r, "unit"), req_query(r, "state"), overdue, household, mine, limit, offset,
	                 &r->json);
}

werr h_help_get(req *r)
{
	int64_t id;
	werr e = req_param_id(r, 0, "id", &id);
	return e ? e : help_get(&r->ac, id, &r->json);
}

werr h_help_step(req *r)
{
	return api_id_body(r, "id", help_step);
}

werr h_help_merge(req *r)
{
	return api_id_body(r, "id", help_merge);
}

werr h_call_log(req *r)
{
	return api_body(r, call_log);
}

werr h_call_counts(req *r)
{
	return call_counts(&r->ac, req_query(r, "unit"), req_query(r, "day"), &r->json);
}

werr h_help_counts(req *r)
{
	return help_counts(&r->ac, req_query(r, "unit"), req_query(r, "day"), &r->json);
}

werr h_lead_create(req *r)
{
	return api_body(r, lead_create);
}

werr h_lead_list(req *r)
{
	int64_t limit, offset;
	werr e = req_paging(r, &limit, &offset);
	return e ? e : lead_list(&r->ac, req_query(r, "unit"), req_query(r, "state"), limit, offset, &r->json);
}

werr h_lead_resolve(req *r)
{
	return api_id_body(r, "id", lead_resolve);
}

werr h_notice_create(req *r)
{
	return api_body(r, notice_create);
}

werr h_notice_list(req *r)
{
	return notice_list(&r->ac, req_query(r, "unit"), &r->json);
}

werr h_notice_reach(req *r)
{
	int64_t id;
	werr e = req_param_id(r, 0, "id", &id);
	return e ? e : notice_reach(&r->ac, id, req_query(r, "unit"), &r->json);
}

static const char *origin(req *r)
{
	if (server_public_url())
		return server_public_url();
	const char *host = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Host");
	if (!host || !*host || strpbrk(host, "\"<> /\\"))
		host = "127.0.0.1:8080";
	return arena_printf(r->a, "http://%s", host);
}

werr h_notice_poster(req *r)
{
	int64_t id;
	werr e = req_param_id(r, 0, "id", &id);
	if (e)
		return e;
	char *html;
	size_t len;
	if ((e = notice_poster(&r->ac, id, req_query(r, "unit"), origin(r), &html, &len)))
		return e;
	r->raw = html;
	r->raw_len = len;
	r->ctype = "text/html; charset=utf-8";
	return WG_OK;
}

werr h_notice_public(req *r)
{
	return notice_public(r->d, r->a, r->param[0], &r->json);
}

/* ---- the household's link ---- */

werr h_link_requests(req *r)
{
	return help_link_list(&r->ac, r->link_household, &r->json);
}

werr h_link_request_create(req *r)
{
	json_t *body;
	werr e = body_of(r, &body);
	if (e)
		return e;
	bool fresh = false;
	e = help_link_create(&r->ac, r->link_household, body, &r->json, &fresh);
	json_decref(body);
	if (!e)
		r->status = fresh ? 201 : 200;
	return e;
}

werr h_link_request_rate(req *r)
{
	int64_t id;
	json_t *body;
	werr e = req_param_id(r, 0, "id", &id);
	if (e || (e = body_of(r, &body)))
		return e;
	e = help_link_rate(&r->ac, r->link_household, id, body, &r->json);
	json_decref(body);
	return e;
}

werr h_link_lead(req *r)
{
	json_t *body;
	werr e = body_of(r, &body);
	if (e)
		return e;
	e = lead_link_create(&r->ac, r->link_household, body, &r->json);
	json_decref(body);
	if (!e)
		r->status = 201;
	return e;
}

werr h_link_notices(req *r)
{
	return notice_link_list(&r->ac, r->link_household, &r->json);
}

werr h_link_notice_read(req *r)
{
	int64_t id;
	werr e = req_param_id(r, 0, "id", &id);
	return e ? e : notice_link_read(&r->ac, r->link_household, id, &r->json);
}
