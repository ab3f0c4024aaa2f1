/* test_tree.c — reading the grid tree on a real store (the qinghe demo): a unit found only
 * within the actor's subtree (outside it answers exactly as a unit that does not exist);
 * the list's unit defaulting to the actor's own; walking the materialised path — path_id,
 * path_above and path_ancestor — on the demo's real paths; kinds and codes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "domain/tree.h"
#include "domain/units.h"
#include "testdb.h"

#define COMMUNITY "420107003008"

static int setup(void **state)
{
	actor *ac = testdb_demo("tree", 600, 7);
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

static unit_row find(actor *ac, const char *code)
{
	unit_row u;
	assert_int_equal(unit_find(ac, code, &u), WG_OK);
	return u;
}

static void test_find_within_scope(void **state)
{
	actor *root = *state;
	actor g1 = testdb_actor(root, ROLE_GRID_WORKER, COMMUNITY "-G01");
	unit_row u;
	assert_int_equal(unit_find(&g1, COMMUNITY "-B01", &u), WG_OK);
	assert_string_equal(u.kind, "building");
	assert_int_equal(unit_find(&g1, COMMUNITY "-B01-U1", &u), WG_OK);
	/* grid 2's building, the community above and a code that does not exist: one answer */
	static const char *const outside[] = {COMMUNITY "-B03", COMMUNITY, "4201", "no-such-unit"};
	for (size_t i = 0; i < sizeof outside / sizeof outside[0]; i++) {
		assert_int_equal(unit_find(&g1, outside[i], &u), W_ENOTFOUND);
		assert_string_equal(w_last()->code, "unit_not_found");
	}
	unit_row b3 = find(root, COMMUNITY "-B03");
	assert_int_equal(unit_find_id(&g1, b3.id, &u), W_ENOTFOUND);
	assert_int_equal(unit_find_id(&g1, find(root, COMMUNITY "-B02").id, &u), WG_OK);
	/* the list's unit: the actor's own when none is named, the operator's whole tree */
	assert_int_equal(unit_scope(&g1, NULL, &u), WG_OK);
	assert_string_equal(u.code, COMMUNITY "-G01");
	assert_int_equal(unit_scope(&g1, COMMUNITY "-B03", &u), W_ENOTFOUND);
	assert_int_equal(unit_scope(root, NULL, &u), WG_OK);
	assert_string_equal(u.kind, "root");
	assert_string_equal(u.path, "/");
}

static void test_walk_paths(void **state)
{
	actor *ac = *state;
	unit_row city = find(ac, "4201"), district = find(ac, "420107"), street = find(ac, "420107003"),
	         comm = find(ac, COMMUNITY), grid = find(ac, COMMUNITY "-G01"), b = find(ac, COMMUNITY "-B01"),
	         ent = find(ac, COMMUNITY "-B01-U1");
	/* path_id: k-th from the end, 0 above the root */
	assert_int_equal(path_id(ent.path, 0), ent.id);
	assert_int_equal(path_id(ent.path, 1), b.id);
	assert_int_equal(path_id(ent.path, 2), grid.id);
	assert_int_equal(path_id(comm.path, 0), comm.id);
	assert_int_equal(path_id(comm.path, 1), street.id);
	assert_int_equal(path_id(comm.path, 2), district.id);
	assert_int_equal(path_id(comm.path, 3), city.id);
	assert_int_equal(path_id(comm.path, 4), 0);
	assert_int_equal(path_id(comm.path, 40), 0);
	assert_int_equal(path_id(city.path, 0), city.id);
	assert_int_equal(path_id("/", 0), 0);
	/* path_above: the unit's path k levels up, never past the root */
	assert_string_equal(path_above(ac->a, ent.path, 0), ent.path);
	assert_string_equal(path_above(ac->a, ent.path, 1), b.path);
	assert_string_equal(path_above(ac->a, ent.path, 2), grid.path);
	assert_string_equal(path_above(ac->a, comm.path, 3), city.path);
	assert_string_equal(path_above(ac->a, comm.path, 9), city.path);
	assert_string_equal(path_above(ac->a, city.path, 1), city.path);
	/* ids with more digits than their neighbours: a path is cut at slashes, not lengths */
	assert_int_equal(path_id("/1/7/1042/", 0), 1042);
	assert_int_equal(path_id("/1/7/1042/", 1), 7);
	assert_string_equal(path_above(ac->a, "/1/7/1042/", 1), "/1/7/");
	/* path_ancestor: the nearest unit of a kind at or above, and how far up */
	int64_t id;
	int up;
	assert_int_equal(path_ancestor(ac->d, ent.path, "entrance", &id, &up), WG_OK);
	assert_int_equal(id, ent.id);
	assert_int_equal(up, 0);
	assert_int_equal(path_ancestor(ac->d, ent.path, "building", &id, &up), WG_OK);
	assert_int_equal(id, b.id);
	assert_int_equal(up, 1);
	assert_int_equal(path_ancestor(ac->d, ent.path, "grid", &id, &up), WG_OK);
	assert_int_equal(id, grid.id);
	assert_int_equal(up, 2);
	assert_int_equal(path_ancestor(ac->d, ent.path, "community", &id, &up), WG_OK);
	assert_int_equal(id, comm.id);
	assert_int_equal(up, (int)(ent.depth - comm.depth));
	assert_int_equal(path_ancestor(ac->d, ent.path, "city", &id, NULL), WG_OK);
	assert_int_equal(id, city.id);
	/* none of that kind above (a building has no entrance above it) */
	assert_int_equal(path_ancestor(ac->d, b.path, "entrance", &id, &up), WG_OK);
	assert_int_equal(id, 0);
	assert_int_equal(up, 0);
}

static void test_nested_grid(void **state)
{
	/* a grid under a grid: the nearest one is the one found */
	actor *ac = *state;
	json_t *body = json_pack("{s:s,s:s,s:s,s:s}", "code", "T-SUB", "parent_code", COMMUNITY "-G01", "kind", "grid", "name", "小网格");
	json_t *out = NULL;
	assert_int_equal(unit_create(ac, body, &out), WG_OK);
	json_decref(body);
	json_decref(out);
	body = json_pack("{s:s,s:s,s:s,s:s}", "code", "T-SUB-B", "parent_code", "T-SUB", "kind", "building", "name", "新楼");
	assert_int_equal(unit_create(ac, body, &out), WG_OK);
	json_decref(body);
	json_decref(out);
	unit_row sub = find(ac, "T-SUB"), nb = find(ac, "T-SUB-B"), g1 = find(ac, COMMUNITY "-G01");
	int64_t id;
	int up;
	assert_int_equal(path_ancestor(ac->d, nb.path, "grid", &id, &up), WG_OK);
	assert_int_equal(id, sub.id);
	assert_int_equal(up, 1);
	assert_int_equal(path_ancestor(ac->d, sub.path, "grid", &id, &up), WG_OK);
	assert_int_equal(id, sub.id);
	assert_int_equal(path_id(nb.path, 2), g1.id);
}

static void test_kinds_and_codes(void **state)
{
	(void)state;
	assert_true(unit_kind_valid("entrance"));
	assert_false(unit_kind_valid("household"));
	assert_true(unit_kind_fits("grid", "grid"));
	assert_true(unit_kind_fits("grid", "building"));
	assert_true(unit_kind_fits("building", "entrance"));
	assert_false(unit_kind_fits("entrance", "building"));
	assert_false(unit_kind_fits("building", "community"));
	assert_true(unit_code_valid("420107003008-B01-U1"));
	assert_true(unit_code_valid("a.b_c"));
	assert_false(unit_code_valid(""));
	assert_false(unit_code_valid("四号楼"));
	assert_false(unit_code_valid("a b"));
	assert_false(unit_code_valid("a/b"));
	char longcode[66];
	memset(longcode, 'A', 65);
	longcode[65] = 0;
	assert_false(unit_code_valid(longcode));
	longcode[64] = 0;
	assert_true(unit_code_valid(longcode));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_find_within_scope),
	    cmocka_unit_test(test_walk_paths),
	    cmocka_unit_test(test_nested_grid),
	    cmocka_unit_test(test_kinds_and_codes),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
