/* test_routes.c — the route table's own rules: no duplicates, every route authenticated
 * unless deliberately public, roles given, bodies capped and typed, all under /api/v1/. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "api/handlers.h"
#include "api/routes.h"

static void test_no_duplicates(void **state)
{
	(void)state;
	for (size_t i = 0; i < routes_count; i++)
		for (size_t j = i + 1; j < routes_count; j++)
			if (routes[i].method == routes[j].method)
				assert_string_not_equal(routes[i].pattern, routes[j].pattern);
}

static void test_every_route_has_access_rule(void **state)
{
	(void)state;
	/* a notice opened from a poster's QR code (and its attachments), a volunteer's sign-up:
	 * public on purpose */
	static const char *const public_routes[] = {"/api/v1/health",
	                                            "/api/v1/session",
	                                            "/api/v1/public-notices/{token}",
	                                            "/api/v1/public-notices/{token}/files/{file}",
	                                            "/api/v1/volunteer-signup",
	                                            NULL};
	for (size_t i = 0; i < routes_count; i++) {
		const route *r = &routes[i];
		assert_non_null(r->fn);
		assert_int_equal(strncmp(r->pattern, "/api/v1/", 8), 0);
		if (r->auth == AUTH_NONE) {
			bool listed = false;
			for (const char *const *p = public_routes; *p; p++)
				listed |= strcmp(*p, r->pattern) == 0;
			assert_true(listed); /* a new public route must be added here on purpose */
		} else if (r->auth == AUTH_LINK) {
			/* no login: only the household-link routes, and no roles */
			assert_int_equal(strncmp(r->pattern, "/api/v1/household-link", 22), 0);
			assert_int_equal(r->roles, 0);
		} else {
			assert_int_not_equal(r->roles, 0);
			assert_int_equal(r->roles & ~(unsigned)ROLES_ALL, 0);
		}
		if (r->method & (M_POST | M_PATCH | M_PUT)) {
			assert_true(r->body_max > 0);
			assert_non_null(r->ctype);
		}
	}
}

static void test_people_routes_exclude_auditor(void **state)
{
	(void)state;
	for (size_t i = 0; i < routes_count; i++)
		if (strstr(routes[i].pattern, "/residents") || strstr(routes[i].pattern, "/households"))
			assert_int_equal(routes[i].roles & R(ROLE_AUDITOR), 0);
}

/* No role may grant a role that sees or may do more than itself: every route the granted
 * role may use, the granter may use; every value it sees (in full), the granter sees (in
 * full); and what it may grant, the granter may grant.  A birth date only beside a full ID
 * number (the mask hides exactly its eight digits). */
static void test_grants_within_own_power(void **state)
{
	(void)state;
	for (role by = 0; by < ROLE__COUNT; by++) {
		assert_true(!role_birth_date(by) || role_full_id(by));
		for (role r = 0; r < ROLE__COUNT; r++) {
			if (!role_grants(by, r))
				continue;
			for (size_t i = 0; i < routes_count; i++)
				if (routes[i].roles & R(r))
					assert_true(routes[i].roles & R(by));
			assert_true(!role_full_id(r) || role_full_id(by));
			assert_true(!role_full_phone(r) || role_full_phone(by));
			assert_true(!role_sees_ids(r) || role_sees_ids(by));
			assert_true(!role_sees_phones(r) || role_sees_phones(by));
			assert_true(!role_birth_date(r) || role_birth_date(by));
			for (role x = 0; x < ROLE__COUNT; x++)
				assert_true(!role_grants(r, x) || role_grants(by, x));
		}
	}
	/* the escalation of issue 14: masked views cannot make full ones */
	assert_false(role_grants(ROLE_COMMAND, ROLE_COMMUNITY));
	assert_false(role_grants(ROLE_ADMIN, ROLE_COMMUNITY));
	assert_false(role_grants(ROLE_ADMIN, ROLE_GRID_WORKER));
	assert_true(role_grants(ROLE_COMMUNITY, ROLE_GRID_WORKER));
}

/* The gate (issue 16): no route of it for the auditor; the guard records passages and
 * reads its gates, the compound's shape (gates, their state, rules, passes) is not its work. */
static void test_gate_routes(void **state)
{
	(void)state;
	static const char *const prefixes[] = {"/api/v1/gates", "/api/v1/passages", "/api/v1/passes", "/api/v1/compounds", NULL};
	int seen = 0;
	for (size_t i = 0; i < routes_count; i++) {
		const route *r = &routes[i];
		bool gate = strstr(r->pattern, "/pass") != NULL;
		for (const char *const *p = prefixes; *p; p++)
			gate |= strncmp(r->pattern, *p, strlen(*p)) == 0;
		if (!gate)
			continue;
		seen++;
		assert_int_equal(r->auth, AUTH_SESSION);
		assert_int_equal(r->roles & R(ROLE_AUDITOR), 0);
		bool shapes = (r->method & (M_POST | M_PATCH | M_DELETE)) && strcmp(r->pattern, "/api/v1/passages") != 0 &&
		              strcmp(r->pattern, "/api/v1/passes/scan") != 0;
		if (shapes)
			assert_int_equal(r->roles & R(ROLE_CHECKPOINT), 0);
		else
			assert_int_not_equal(r->roles & R(ROLE_CHECKPOINT), 0);
	}
	assert_int_equal(seen, 12);
}

static void test_match_params(void **state)
{
	(void)state;
	req r = {.a = arena_new()};
	bool known;
	const route *rt = route_match(&api_routes, &r, M_GET, "/api/v1/households/42", &known);
	assert_non_null(rt);
	assert_string_equal(r.param[0], "42");
	assert_null(route_match(&api_routes, &r, M_DELETE, "/api/v1/households/42", &known));
	assert_true(known); /* 405, not 404 */
	assert_null(route_match(&api_routes, &r, M_GET, "/api/v1/households/42/x/y", &known));
	assert_false(known);
	assert_null(route_match(&api_routes, &r, M_GET, "/api/v1/units//children", &known));
	arena_free(r.a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_no_duplicates),
	    cmocka_unit_test(test_every_route_has_access_rule),
	    cmocka_unit_test(test_people_routes_exclude_auditor),
	    cmocka_unit_test(test_grants_within_own_power),
	    cmocka_unit_test(test_gate_routes),
	    cmocka_unit_test(test_match_params),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
