/* h_rollcall.c — check-ins, coverage, the missing and call lists, alerts, reminders. */
#include <string.h>

#include "api/handlers.h"
#include "core/utf8.h"
#include "domain/alerts.h"
#include "domain/chainmatch.h"
#include "domain/rollcall.h"

/* the answer is built from the plan's results in the HTTP thread (chk_answer_cb) */
static werr chk_execute_cb(const actor *ac, void *plan, json_t **out)
{
	(void)out;
	return chk_execute(ac, plan, NULL);
}

static json_t *chk_answer_cb(const actor *ac, void *plan)
{
	(void)ac;
	return chk_answer(plan);
}

/* a batch's check-ins written in one exchange (a database server) */
static werr chk_together_cb(db *d, const actor *const *acs, void *const *plans, bool *wrote, size_t n)
{
	return chk_write_many(d, acs, (chk_plan *const *)plans, wrote, n);
}

static void chk_after_cb(const actor *ac, void *plan)
{
	chk_publish_plan(ac, plan);
}

/* Validated here; written by the server's writer thread together with the other
 * check-ins of the moment, in one transaction (group commit). */
werr h_checkin_submit(req *r)
{
	json_t *body;
	chk_plan *plan;
	werr e = req_body_json(r, &body);
	if (e)
		return e;
	e = chk_prepare(&r->ac, body, &plan);
	json_decref(body);
	if (e)
		return e;
	r->defer = chk_execute_cb;
	r->defer_together = chk_together_cb;
	r->defer_after = chk_after_cb;
	r->defer_answer = chk_answer_cb;
	r->defer_plan = plan;
	r->status = 201;
	return WG_OK;
}

werr h_checkin_list(req *r)
{
	int64_t rid, hid;
	werr e;
	if ((e = req_query_int(r, "resident", 0, 0, INT64_MAX, &rid)) ||
	    (e = req_query_int(r, "household", 0, 0, INT64_MAX, &hid)))
		return e;
	if (!rid && !hid)
		return w_fail(W_EINVAL, "required", "resident", "give resident=ID or household=ID");
	return chk_list(&r->ac, rid, hid, req_query(r, "day"), &r->json);
}

werr h_coverage(req *r)
{
	return coverage_get(&r->ac, req_query(r, "unit"), req_query(r, "day"), &r->json);
}

werr h_coverage_curve(req *r)
{
	return coverage_curve(&r->ac, req_query(r, "unit"), req_query(r, "day"), &r->json);
}

werr h_coverage_recount(req *r)
{
	return coverage_recount(&r->ac, req_query(r, "unit"), req_query(r, "day"), &r->json);
}

werr h_coverage_missing(req *r)
{
	int64_t limit, offset;
	werr e = req_paging(r, &limit, &offset);
	return e ? e : coverage_missing(&r->ac, req_query(r, "unit"), req_query(r, "day"), limit, offset, &r->json);
}

werr h_calllist(req *r)
{
	int64_t limit, offset;
	werr e = req_paging(r, &limit, &offset);
	return e ? e : calllist_get(&r->ac, req_query(r, "unit"), req_query(r, "day"), limit, offset, &r->json);
}

werr h_alert_list(req *r)
{
	int64_t limit, offset;
	werr e = req_paging(r, &limit, &offset);
	return e ? e : alert_list(&r->ac, req_query(r, "unit"), req_query(r, "state"), limit, offset, &r->json);
}

werr h_alert_get(req *r)
{
	int64_t id;
	werr e = req_param_id(r, 0, "alert_id", &id);
	return e ? e : alert_get(&r->ac, id, &r->json);
}

werr h_alert_step(req *r)
{
	int64_t id;
	json_t *body;
	werr e = req_param_id(r, 0, "alert_id", &id);
	if (e || (e = req_body_json(r, &body)))
		return e;
	e = alert_step(&r->ac, id, body, &r->json);
	json_decref(body);
	if (!e)
		r->status = 201;
	return e;
}

werr h_health_record(req *r)
{
	int64_t id;
	werr e = req_param_id(r, 0, "resident_id", &id);
	return e ? e : health_record(&r->ac, id, &r->json);
}

werr h_reminders(req *r)
{
	return reminder_list(&r->ac, req_query(r, "unit"), req_query(r, "day"), &r->json);
}

werr h_events(req *r)
{
	r->sse = true; /* the server streams the bus from here */
	return WG_OK;
}

werr h_chain_preview(req *r)
{
	json_t *body;
	werr e = req_body_json(r, &body);
	if (e)
		return e;
	e = chain_preview(&r->ac, body, &r->json);
	json_decref(body);
	return e;
}

werr h_chain_confirm(req *r)
{
	return api_body(r, chain_confirm);
}
