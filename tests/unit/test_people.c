/* test_people.c — a resident with where they live, on a real store (the qinghe demo):
 * loaded within the actor's subtree only (outside it: the answer of a resident that does
 * not exist); their building; the grid worker responsible for them (their own grid's, not
 * the actor); an account named in a request found only within the actor's units. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "domain/people.h"
#include "testdb.h"

#define COMMUNITY "420107003008"

static int setup(void **state)
{
	actor *ac = testdb_demo("people", 600, 7);
	if (!ac)
		return -1;
	*state = ac;
	return 0;
}

static int teardown(void **state)
{
	testdb_operator_free(*state);
	return 0;
}

static int64_t user_id(actor *ac, const char *name)
{
	int64_t id = 0;
	assert_int_equal(user_in_scope(ac, name, "user", &id), WG_OK);
	assert_true(id > 0);
	return id;
}

static void test_load_where_they_live(void **state)
{
	actor *root = *state;
	int64_t ids[8];
	size_t n;
	int64_t h1 = testdb_household(root, COMMUNITY "-B01-U1", 1, 0, ids, 8, &n);
	assert_true(h1 > 0);
	int64_t p1 = ids[0];
	assert_true(testdb_household(root, COMMUNITY "-B03-U1", 1, 0, ids, 8, &n) > 0);
	int64_t p3 = ids[0];
	actor g1 = testdb_actor(root, ROLE_GRID_WORKER, COMMUNITY "-G01");
	person p;
	assert_int_equal(person_load(&g1, p1, true, &p), WG_OK);
	assert_int_equal(p.id, p1);
	assert_int_equal(p.household_id, h1);
	assert_string_equal(p.unit_code, COMMUNITY "-B01-U1");
	assert_string_equal(p.unit_kind, "entrance");
	assert_string_equal(p.residence, "living");
	assert_false(p.moved_out);
	unit_row ent, b1;
	assert_int_equal(unit_find(root, COMMUNITY "-B01-U1", &ent), WG_OK);
	assert_int_equal(unit_find(root, COMMUNITY "-B01", &b1), WG_OK);
	assert_string_equal(p.path, ent.path);
	int64_t bid = 0;
	assert_int_equal(person_building(&g1, &p, &bid), WG_OK);
	assert_int_equal(bid, b1.id);
	/* grid 2's resident: not found for grid 1, whether or not scoped reads are asked */
	assert_int_equal(person_load(&g1, p3, true, &p), W_ENOTFOUND);
	assert_string_equal(w_last()->code, "resident_not_found");
	assert_int_equal(person_load(&g1, 99999999, true, &p), W_ENOTFOUND);
	assert_string_equal(w_last()->code, "resident_not_found");
	assert_int_equal(person_load(&g1, p3, false, &p), WG_OK);
}

static void test_responsible_worker(void **state)
{
	actor *root = *state;
	int64_t ids[8];
	size_t n;
	assert_true(testdb_household(root, COMMUNITY "-B02-U1", 1, 0, ids, 8, &n) > 0);
	int64_t p2 = ids[0];
	assert_true(testdb_household(root, COMMUNITY "-B03-U1", 1, 0, ids, 8, &n) > 0);
	int64_t p3 = ids[0];
	actor sec = testdb_actor(root, ROLE_COMMUNITY, COMMUNITY);
	sec.user_id = user_id(root, "secretary");
	person p;
	int64_t w = 0;
	assert_int_equal(person_load(&sec, p2, true, &p), WG_OK);
	assert_int_equal(responsible_worker(&sec, &p, &w), WG_OK);
	assert_int_equal(w, user_id(root, "gw01"));
	assert_int_equal(person_load(&sec, p3, true, &p), WG_OK);
	assert_int_equal(responsible_worker(&sec, &p, &w), WG_OK);
	assert_int_equal(w, user_id(root, "gw02"));
}

static void test_user_in_scope(void **state)
{
	actor *root = *state;
	actor g1 = testdb_actor(root, ROLE_GRID_LEADER, COMMUNITY "-G01");
	g1.user_id = user_id(root, "leader01");
	int64_t id = 0;
	assert_int_equal(user_in_scope(&g1, "me", "owner", &id), WG_OK);
	assert_int_equal(id, g1.user_id);
	assert_int_equal(user_in_scope(&g1, "gw01", "owner", &id), WG_OK);
	assert_int_equal(id, user_id(root, "gw01"));
	/* grid 2's worker, an account above and one that does not exist: one refusal */
	static const char *const outside[] = {"gw02", "secretary", "admin", "nobody-here"};
	for (size_t i = 0; i < sizeof outside / sizeof outside[0]; i++) {
		assert_int_equal(user_in_scope(&g1, outside[i], "owner", &id), W_EINVAL);
		assert_string_equal(w_last()->code, "user_not_found");
		assert_string_equal(w_last()->field, "owner");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_load_where_they_live),
	    cmocka_unit_test(test_responsible_worker),
	    cmocka_unit_test(test_user_in_scope),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
