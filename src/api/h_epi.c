/* h_epi.c — the four categories over HTTP: status and its history, counts, isolations and
 * follow-ups, lists from other agencies, contacts and chains, tasks, lockdown levels. */
#include <string.h>

#include "api/handlers.h"
#include "core/csv.h"
#include "domain/agency.h"
#include "domain/epi.h"
#include "domain/response.h"

/* A POST with {id} and a JSON body that creates or records something: 201. */
static werr id_body(req *r, const char *field, api_id_body_fn fn)
{
	werr e = api_id_body(r, field, fn);
	if (!e)
		r->status = 201;
	return e;
}

werr h_status_post(req *r)
{
	return id_body(r, "resident_id", epi_status_post);
}

werr h_status_get(req *r)
{
	int64_t id;
	werr e = req_param_id(r, 0, "resident_id", &id);
	return e ? e : epi_status_get(&r->ac, id, &r->json);
}

werr h_categories(req *r)
{
	return epi_counts(&r->ac, req_query(r, "unit"), &r->json);
}

werr h_category_people(req *r)
{
	int64_t limit, offset;
	werr e = req_paging(r, &limit, &offset);
	return e ? e : epi_people(&r->ac, req_query(r, "unit"), req_query(r, "category"), limit, offset, &r->json);
}

werr h_isolation_create(req *r)
{
	return api_body(r, iso_post);
}

werr h_isolation_list(req *r)
{
	int64_t limit, offset;
	werr e = req_paging(r, &limit, &offset);
	return e ? e : iso_list(&r->ac, req_query(r, "unit"), req_query(r, "state"), limit, offset, &r->json);
}

werr h_isolation_get(req *r)
{
	int64_t id;
	werr e = req_param_id(r, 0, "isolation_id", &id);
	return e ? e : iso_get(&r->ac, id, &r->json);
}

werr h_isolation_action(req *r)
{
	return id_body(r, "isolation_id", iso_action);
}

werr h_followup_list(req *r)
{
	int64_t limit, offset;
	werr e = req_paging(r, &limit, &offset);
	return e ? e
	         : fu_list(&r->ac, req_query(r, "unit"), req_query(r, "state"), req_query(r, "worker"), req_query(r, "day"),
	                   limit, offset, &r->json);
}

werr h_followup_record(req *r)
{
	return id_body(r, "followup_id", fu_record);
}

werr h_list_import(req *r)
{
	csv_reader *cr;
	bool converted = false;
	werr e = csv_open_mem(r->body ? r->body : "", r->body_len, &cr, &converted);
	if (e)
		return e;
	e = list_import(&r->ac, req_query(r, "unit"), req_query(r, "source"), req_query(r, "category"), cr, &r->json);
	csv_close(cr);
	if (!e) {
		json_object_set_new(r->json, "converted_from_gbk", json_boolean(converted));
		r->status = 201;
	}
	return e;
}

werr h_list_index(req *r)
{
	int64_t limit, offset;
	werr e = req_paging(r, &limit, &offset);
	return e ? e : list_index(&r->ac, req_query(r, "unit"), limit, offset, &r->json);
}

werr h_list_get(req *r)
{
	int64_t id;
	werr e = req_param_id(r, 0, "list_id", &id);
	return e ? e : list_get(&r->ac, id, &r->json);
}

werr h_list_rows(req *r)
{
	int64_t id, limit, offset;
	werr e = req_param_id(r, 0, "list_id", &id);
	if (e || (e = req_paging(r, &limit, &offset)))
		return e;
	return list_rows(&r->ac, id, req_query(r, "state"), limit, offset, &r->json);
}

werr h_list_resolve(req *r)
{
	int64_t id, row;
	json_t *body;
	werr e = req_param_id(r, 0, "list_id", &id);
	if (e || (e = req_param_id(r, 1, "row", &row)) || (e = req_body_json(r, &body)))
		return e;
	e = list_resolve(&r->ac, id, row, body, &r->json);
	json_decref(body);
	if (!e)
		r->status = 201;
	return e;
}

werr h_contact_add(req *r)
{
	return id_body(r, "resident_id", contact_add);
}

werr h_contact_list(req *r)
{
	int64_t id;
	werr e = req_param_id(r, 0, "resident_id", &id);
	return e ? e : contact_list(&r->ac, id, &r->json);
}

werr h_contact_link(req *r)
{
	return id_body(r, "contact_id", contact_link);
}

werr h_chain_graph(req *r)
{
	int64_t id, depth;
	werr e = req_param_id(r, 0, "resident_id", &id);
	if (e || (e = req_query_int(r, "depth", 3, 1, 5, &depth)))
		return e;
	return chain_get(&r->ac, id, depth, &r->json);
}

werr h_task_list(req *r)
{
	int64_t limit, offset;
	werr e = req_paging(r, &limit, &offset);
	return e ? e : task_list(&r->ac, req_query(r, "unit"), req_query(r, "state"), limit, offset, &r->json);
}

werr h_task_action(req *r)
{
	return id_body(r, "task_id", task_action);
}

werr h_lockdown_get(req *r)
{
	return lockdown_get(&r->ac, r->param[0], &r->json);
}

werr h_lockdown_set(req *r)
{
	json_t *body;
	werr e = req_body_json(r, &body);
	if (e)
		return e;
	e = lockdown_set(&r->ac, r->param[0], body, &r->json);
	json_decref(body);
	if (!e)
		r->status = 201;
	return e;
}
