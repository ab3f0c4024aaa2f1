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

/* ---- files (files.h): the bytes in the body, the name in X-File-Name ---- */

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* X-File-Name, percent-decoded (a header carries ASCII; the browser sends
 * encodeURIComponent(name)); NULL when absent.  The domain checks what it decodes to. */
static const char *file_name(req *r)
{
	const char *h = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "X-File-Name");
	if (!h || !*h)
		return NULL;
	size_t n = strlen(h);
	char *out = arena_alloc(r->a, n + 1), *o = out;
	for (const char *p = h; *p; p++) {
		if (*p == '%' && hexval(p[1]) >= 0 && hexval(p[2]) >= 0) {
			*o++ = (char)(hexval(p[1]) << 4 | hexval(p[2]));
			p += 2;
		} else {
			*o++ = *p;
		}
	}
	*o = 0;
	return out;
}

typedef werr (*file_add_fn)(req *r, int64_t id, const char *name, bool *fresh);

static werr add_file(req *r, file_add_fn fn)
{
	int64_t id;
	bool fresh = false;
	werr e = req_param_id(r, 0, "id", &id);
	if (!e)
		e = fn(r, id, file_name(r), &fresh);
	if (!e)
		r->status = fresh ? 201 : 200;
	return e;
}

/* The answer is the file itself: its type, an attachment's name, nosniff (the server's). */
static werr answer_file(req *r, werr e, file_bytes *f)
{
	if (e)
		return e;
	r->raw = f->data;
	r->raw_len = f->len;
	r->ctype = f->type;
	r->filename = f->name;
	const char *dot = strrchr(f->name, '.');
	r->filename_ascii = arena_printf(r->a, "file%s", dot ? dot : "");
	r->cache = "private, no-store";
	return WG_OK;
}

static werr notice_add(req *r, int64_t id, const char *name, bool *fresh)
{
	return notice_file_add(&r->ac, id, name, r->body, r->body_len, &r->json, fresh);
}

static werr request_add(req *r, int64_t id, const char *name, bool *fresh)
{
	return help_file_add(&r->ac, r->link_household, id, name, r->body, r->body_len, &r->json, fresh);
}

werr h_notice_file_add(req *r)
{
	return add_file(r, notice_add);
}

werr h_help_file_add(req *r)
{
	return add_file(r, request_add);
}

werr h_link_request_file_add(req *r)
{
	return add_file(r, request_add);
}

static werr two_ids(req *r, int64_t *id, int64_t *file)
{
	werr e = req_param_id(r, 0, "id", id);
	return e ? e : req_param_id(r, 1, "file", file);
}

werr h_notice_file_get(req *r)
{
	int64_t id, file;
	file_bytes f;
	werr e = two_ids(r, &id, &file);
	return e ? e : answer_file(r, notice_file_get(&r->ac, 0, id, file, &f), &f);
}

werr h_link_notice_file(req *r)
{
	int64_t id, file;
	file_bytes f;
	werr e = two_ids(r, &id, &file);
	return e ? e : answer_file(r, notice_file_get(&r->ac, r->link_household, id, file, &f), &f);
}

werr h_public_notice_file(req *r)
{
	int64_t file;
	file_bytes f;
	werr e = req_param_id(r, 1, "file", &file);
	return e ? e : answer_file(r, notice_public_file(r->d, r->a, r->param[0], file, &f), &f);
}

werr h_help_file_get(req *r)
{
	int64_t id, file;
	file_bytes f;
	werr e = two_ids(r, &id, &file);
	return e ? e : answer_file(r, help_file_get(&r->ac, r->link_household, id, file, &f), &f);
}

werr h_link_request_file_get(req *r)
{
	return h_help_file_get(r);
}
