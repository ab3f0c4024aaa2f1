/* h_gates.c — closed compounds over HTTP: gates and their state, the compound's rules,
 * passages, household passes, what is happening at a gate and a compound now. */
#include <string.h>

#include "api/handlers.h"
#include "domain/gates.h"

static werr created(req *r, werr e)
{
	if (!e)
		r->status = 201;
	return e;
}

werr h_gate_list(req *r)
{
	return gate_list(&r->ac, req_query(r, "unit"), &r->json);
}

werr h_gate_create(req *r)
{
	return api_body(r, gate_create);
}

werr h_gate_update(req *r)
{
	return api_id_body(r, "gate_id", gate_update);
}

werr h_gate_state(req *r)
{
	return api_id_body(r, "gate_id", gate_state);
}

werr h_gate_now(req *r)
{
	int64_t id;
	werr e = req_param_id(r, 0, "gate_id", &id);
	return e ? e : gate_now(&r->ac, id, req_query(r, "day"), &r->json);
}

werr h_compound_now(req *r)
{
	const char *people = req_query(r, "people");
	if (people && strcmp(people, "0") != 0 && strcmp(people, "1") != 0)
		return w_fail(W_EINVAL, "invalid_people", "people", "people: 0 or 1");
	return compound_now(&r->ac, r->param[0], req_query(r, "day"), !people || !strcmp(people, "1"), &r->json);
}

werr h_compound_rules(req *r)
{
	json_t *body;
	werr e = req_body_json(r, &body);
	if (e)
		return e;
	e = compound_rules_set(&r->ac, r->param[0], body, &r->json);
	json_decref(body);
	return e;
}

static werr passage_execute_cb(const actor *ac, void *plan, json_t **out)
{
	return passage_execute(ac, plan, out);
}

static void passage_after_cb(const actor *ac, void *plan)
{
	passage_after(ac, plan);
}

/* Validated here; the rules computed and the passage written by the server's writer
 * thread with the other writes of the moment, in one transaction (group commit), so that
 * a busy gate at shift change does not wait on a sync per passage.  A retry of a stored
 * client id is answered here. */
werr h_passage_create(req *r)
{
	json_t *body;
	werr e = req_body_json(r, &body);
	if (e)
		return e;
	passage_plan *plan = NULL;
	json_t *stored = NULL;
	e = passage_prepare(&r->ac, body, &plan, &stored);
	json_decref(body);
	if (e)
		return e;
	r->status = 201;
	if (stored) {
		r->json = stored;
		return WG_OK;
	}
	r->defer = passage_execute_cb;
	r->defer_after = passage_after_cb;
	r->defer_plan = plan;
	return WG_OK;
}

werr h_passage_list(req *r)
{
	int64_t gate, limit, offset;
	werr e = req_query_int(r, "gate", 0, 1, INT64_MAX, &gate);
	if (e || (e = req_paging(r, &limit, &offset)))
		return e;
	if (!gate)
		return w_fail(W_EINVAL, "required", "gate", "gate is required");
	return passage_list(&r->ac, gate, req_query(r, "day"), limit, offset, &r->json);
}

werr h_pass_issue(req *r)
{
	return created(r, api_id_body(r, "household_id", pass_issue));
}

werr h_pass_revoke(req *r)
{
	int64_t id;
	werr e = req_param_id(r, 0, "pass_id", &id);
	return e ? e : pass_revoke(&r->ac, id, &r->json);
}

werr h_pass_scan(req *r)
{
	json_t *body;
	werr e = req_body_json(r, &body);
	if (e)
		return e;
	e = pass_scan(&r->ac, body, &r->json);
	json_decref(body);
	return e;
}

werr h_building_windows(req *r)
{
	json_t *body;
	werr e = req_body_json(r, &body);
	if (e)
		return e;
	e = windows_set(&r->ac, r->param[0], body, &r->json);
	json_decref(body);
	return e;
}

werr h_building_windows_get(req *r)
{
	return windows_get(&r->ac, r->param[0], &r->json);
}

werr h_staff_pass_issue(req *r)
{
	return created(r, api_body(r, staff_pass_issue));
}

werr h_staff_pass_revoke(req *r)
{
	int64_t id;
	werr e = req_param_id(r, 0, "pass_id", &id);
	return e ? e : staff_pass_revoke(&r->ac, id, req_query(r, "reason"), &r->json);
}

werr h_staff_pass_list(req *r)
{
	int64_t limit, offset;
	werr e = req_paging(r, &limit, &offset);
	return e ? e : staff_pass_list(&r->ac, req_query(r, "unit"), req_query(r, "state"), limit, offset, &r->json);
}
