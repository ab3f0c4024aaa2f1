/* test_lockdown.c — lockdown levels on a real store (the qinghe demo): a household lives
 * under the highest level set on its unit or the two units above it (entrance, building,
 * grid) and not under one set higher up, while a gate looks at every unit up to the root;
 * the memo gives the same answers; a unit's own level and the locked units of a subtree;
 * lifting a level. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "domain/lockdown.h"
#include "domain/response.h"
#include "testdb.h"

#define COMMUNITY "420107003008"

static int setup(void **state)
{
	actor *ac = testdb_demo("lockdown", 600, 7);
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

static void set_level(const actor *ac, const char *code, const char *level)
{
	json_t *b = json_pack("{s:s,s:s}", "level", level, "reason", "测试"), *out = NULL;
	assert_int_equal(lockdown_set(ac, code, b, &out), WG_OK);
	json_decref(b);
	json_decref(out);
}

static const char *path_of(actor *ac, const char *code)
{
	unit_row u;
	assert_int_equal(unit_find(ac, code, &u), WG_OK);
	return u.path;
}

/* level_at and level_any of a path, and level_at again through a memo. */
static void levels(actor *ac, const char *path, int64_t at, int64_t any)
{
	int64_t l = -1;
	assert_int_equal(lockdown_level_at(ac->d, path, &l), WG_OK);
	assert_int_equal(l, at);
	assert_int_equal(lockdown_level_any(ac->d, path, &l), WG_OK);
	assert_int_equal(l, any);
	lock_memo m = {0};
	assert_int_equal(lockdown_level_memo(ac->d, path, &m, &l), WG_OK);
	assert_int_equal(l, at);
	assert_int_equal(lockdown_level_memo(ac->d, path, &m, &l), WG_OK); /* from the memo */
	assert_int_equal(l, at);
}

static void test_names(void **state)
{
	(void)state;
	static const char *const names[] = {"none", "compound", "building", "unit"};
	for (int i = 0; i < 4; i++) {
		assert_int_equal(lockdown_level_parse(names[i]), i);
		assert_string_equal(lockdown_name(i), names[i]);
	}
	assert_int_equal(lockdown_level_parse("street"), -1);
	assert_int_equal(lockdown_level_parse(NULL), -1);
	assert_int_equal(lockdown_level_parse("Building"), -1);
}

static void test_household_and_above(void **state)
{
	actor *ac = *state;
	const char *e1 = path_of(ac, COMMUNITY "-B01-U1"), *e2 = path_of(ac, COMMUNITY "-B02-U1"),
	           *e3 = path_of(ac, COMMUNITY "-B03-U1");
	levels(ac, e1, 0, 0);
	/* the building: its entrance's households live under it, the next building's not */
	set_level(ac, COMMUNITY "-B01", "building");
	levels(ac, e1, 2, 2);
	levels(ac, e2, 0, 0);
	/* the grid is two above the entrance: both its buildings */
	set_level(ac, COMMUNITY "-G01", "compound");
	levels(ac, e1, 2, 2); /* the highest applies */
	levels(ac, e2, 1, 1);
	levels(ac, e3, 0, 0);
	/* the community is three above: not the level a household lives under, but a gate's */
	set_level(ac, COMMUNITY, "unit");
	levels(ac, e3, 0, 3);
	levels(ac, e2, 1, 3);
	/* the unit's own level, and the subtree's locked units */
	unit_row b1;
	assert_int_equal(unit_find(ac, COMMUNITY "-B01", &b1), WG_OK);
	json_t *own = NULL;
	assert_int_equal(lockdown_json(ac->d, b1.id, &own), WG_OK);
	assert_string_equal(json_string_value(json_object_get(own, "level")), "building");
	assert_int_equal(json_integer_value(json_object_get(own, "rank")), 2);
	assert_string_equal(json_string_value(json_object_get(own, "reason")), "测试");
	json_decref(own);
	unit_row b2;
	assert_int_equal(unit_find(ac, COMMUNITY "-B02", &b2), WG_OK);
	assert_int_equal(lockdown_json(ac->d, b2.id, &own), WG_OK);
	assert_true(json_is_null(own));
	json_t *below = NULL;
	assert_int_equal(lockdowns_below(ac->d, ac->a, path_of(ac, COMMUNITY "-G01"), &below), WG_OK);
	assert_int_equal(json_array_size(below), 1); /* B01: below the grid, not the grid itself */
	assert_string_equal(json_string_value(json_object_get(json_array_get(below, 0), "unit")), COMMUNITY "-B01");
	json_decref(below);
	assert_int_equal(lockdowns_below(ac->d, ac->a, path_of(ac, COMMUNITY), &below), WG_OK);
	assert_int_equal(json_array_size(below), 2); /* the grid and B01, not the community */
	json_decref(below);
	assert_int_equal(lockdowns_below(ac->d, ac->a, path_of(ac, COMMUNITY "-G02"), &below), WG_OK);
	assert_int_equal(json_array_size(below), 0);
	json_decref(below);
	/* lifting */
	set_level(ac, COMMUNITY, "none");
	set_level(ac, COMMUNITY "-G01", "none");
	levels(ac, e2, 0, 0);
	levels(ac, e1, 2, 2);
	set_level(ac, COMMUNITY "-B01", "none");
	levels(ac, e1, 0, 0);
	/* a bad level, and a unit outside the actor's subtree */
	json_t *b = json_pack("{s:s,s:s}", "level", "total", "reason", "x"), *out = NULL;
	assert_int_equal(lockdown_set(ac, COMMUNITY "-B01", b, &out), W_EINVAL);
	assert_string_equal(w_last()->field, "level");
	json_decref(b);
	actor g2 = testdb_actor(ac, ROLE_COMMUNITY, COMMUNITY "-G02");
	b = json_pack("{s:s,s:s}", "level", "building", "reason", "x");
	assert_int_equal(lockdown_set(&g2, COMMUNITY "-B01", b, &out), W_ENOTFOUND);
	json_decref(b);
	levels(ac, e1, 0, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_household_and_above),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
