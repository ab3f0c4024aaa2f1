/* h_staff.c — staffing the grids over HTTP (issue 19): staff and their assignments,
 * pairs, building teams, vacancies, workload, shifts, rosters and duty, the volunteer
 * sign-up link and its public side.  Docs: docs/api.md section 13. */
#include <microhttpd.h>
#include <string.h>

#include "api/handlers.h"
#include "domain/staff.h"
#include "http/server.h"

static werr created(req *r, werr e)
{
	if (!e)
		r->status = 201;
	return e;
}

werr h_staff_list(req *r)
{
	int64_t limit, offset;
	werr e = req_paging(r, &limit, &offset);
	return e ? e : staff_list(&r->ac, req_query(r, "unit"), req_query(r, "kind"), req_query(r, "state"), limit, offset, &r->json);
}

werr h_staff_create(req *r)
{
	return api_body(r, staff_create);
}

werr h_staff_update(req *r)
{
	return api_id_body(r, "staff_id", staff_update);
}

werr h_staff_assign(req *r)
{
	return created(r, api_id_body(r, "staff_id", staff_assign));
}

werr h_pair_list(req *r)
{
	return pair_list(&r->ac, req_query(r, "unit"), &r->json);
}

werr h_pair_create(req *r)
{
	return api_body(r, pair_create);
}

werr h_pair_delete(req *r)
{
	int64_t id;
	werr e = req_param_id(r, 0, "pair_id", &id);
	return e ? e : pair_delete(&r->ac, id, &r->json);
}

werr h_team_list(req *r)
{
	return team_list(&r->ac, req_query(r, "unit"), &r->json);
}

werr h_team_add(req *r)
{
	return api_body(r, team_add);
}

werr h_vacancy_list(req *r)
{
	int64_t limit;
	werr e = req_query_int(r, "limit", 500, 1, 20000, &limit);
	return e ? e : vacancy_list(&r->ac, req_query(r, "unit"), req_query(r, "kind"), limit, &r->json);
}

werr h_workload(req *r)
{
	return workload_list(&r->ac, req_query(r, "unit"), &r->json);
}

werr h_shift_list(req *r)
{
	return shift_list(&r->ac, req_query(r, "unit"), &r->json);
}

werr h_shift_create(req *r)
{
	return api_body(r, shift_create);
}

werr h_roster_list(req *r)
{
	return roster_list(&r->ac, req_query(r, "unit"), req_query(r, "from"), req_query(r, "to"), &r->json);
}

werr h_roster_create(req *r)
{
	return api_body(r, roster_create);
}

werr h_roster_swap(req *r)
{
	return api_id_body(r, "roster_id", roster_swap);
}

werr h_roster_duty(req *r)
{
	return api_id_body(r, "roster_id", roster_duty);
}

/* The origin the sign-up URL starts with (as the household links do). */
static const char *origin(req *r)
{
	if (server_public_url())
		return server_public_url();
	const char *host = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Host");
	if (!host || !*host || strpbrk(host, "\"<> /\\"))
		host = "127.0.0.1:8080";
	return arena_printf(r->a, "http://%s", host);
}

werr h_volunteer_link(req *r)
{
	return created(r, vlink_issue(&r->ac, r->param[0], origin(r), &r->json));
}

werr h_volunteer_signup(req *r)
{
	json_t *body;
	werr e = req_body_json(r, &body);
	if (e)
		return e;
	e = vlink_signup(r->d, r->a, r->source, body, &r->json);
	json_decref(body);
	return created(r, e);
}

/* ---- issue 19, part 2 ---- */

werr h_staff_counters(req *r)
{
	return staff_counters_check(&r->ac, &r->json);
}

werr h_staff_me(req *r)
{
	return staff_me(&r->ac, &r->json);
}

werr h_staff_health_me(req *r)
{
	json_t *body;
	werr e = req_body_json(r, &body);
	if (e)
		return e;
	e = staff_health(&r->ac, 0, body, &r->json);
	json_decref(body);
	return created(r, e);
}

werr h_staff_health(req *r)
{
	return created(r, api_id_body(r, "staff_id", staff_health));
}

werr h_staff_unreported(req *r)
{
	int64_t limit;
	werr e = req_query_int(r, "limit", 500, 1, 5000, &limit);
	return e ? e : staff_unreported(&r->ac, req_query(r, "unit"), limit, &r->json);
}

werr h_vacancy_history(req *r)
{
	int64_t limit;
	werr e = req_query_int(r, "limit", 100, 1, 1000, &limit);
	return e ? e : vacancy_history(&r->ac, req_query(r, "unit"), limit, &r->json);
}
