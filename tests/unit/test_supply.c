/* test_supply.c — supplies on a real store (SQLite, or PostgreSQL when WANGGE_TEST_PG is
 * set), with the injectable clock (clock_shift): the resting time after disinfection holds
 * an order back until exactly rest_minutes have passed, a round refuses orders once the
 * clock passes its cut-off, and the states move one step at a time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/util.h"
#include "testdb.h"
#include "domain/demo.h"
#include "domain/supply.h"

static const char *const community = "420107003008";

static int setup(void **state)
{
	actor *ac = testdb_operator("supply");
	if (!ac)
		return -1;
	demo_opts o = {.preset = "qinghe", .households = 200, .seed = 5, .password = "wangge-demo-2026"};
	if (demo_build(ac, &o) != WG_OK)
		return -1;
	*state = ac;
	return 0;
}

static int teardown(void **state)
{
	if (*state)
		testdb_operator_free(*state);
	return 0;
}

static json_t *body(actor *ac, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *txt = arena_vprintf(ac->a, fmt, ap);
	va_end(ap);
	json_error_t je;
	json_t *b = json_loads(txt, 0, &je);
	assert_non_null(b);
	return b;
}

static const char *china_time(actor *ac, int64_t t)
{
	char s[32];
	fmt_time(t, s);
	s[16] = 0;
	s[10] = ' ';
	return arena_strdup(ac->a, s);
}

/* A new round of the demo's packages, cut off at now + cutoff_s. */
static int64_t new_round(actor *ac, int64_t rest, int64_t cutoff_s)
{
	json_t *pk = NULL, *out = NULL;
	assert_int_equal(package_list(ac, community, &pk), WG_OK);
	int64_t p = json_integer_value(json_object_get(json_array_get(json_object_get(pk, "items"), 1), "id"));
	json_decref(pk);
	json_t *b = body(ac, "{\"unit\":\"%s\",\"name\":\"clock\",\"opens\":\"%s\",\"cutoff\":\"%s\",\"rest_minutes\":%lld,\"packages\":[%lld]}",
	                 community, china_time(ac, now_s() - 3600), china_time(ac, now_s() + cutoff_s), (long long)rest,
	                 (long long)p);
	assert_int_equal(round_create(ac, b, &out), WG_OK);
	json_decref(b);
	int64_t id = json_integer_value(json_object_get(out, "id"));
	json_decref(out);
	return id * 1000000 + p; /* both, packed */
}

static werr order(actor *ac, int64_t rp, int64_t hid, int64_t *oid)
{
	json_t *b = body(ac, "{\"household_id\":%lld,\"items\":[{\"package_id\":%lld,\"qty\":1}],\"payment\":\"cash\"}",
	                 (long long)hid, (long long)(rp % 1000000)),
	       *out = NULL;
	bool created;
	werr e = order_put(ac, rp / 1000000, 0, b, &out, &created);
	json_decref(b);
	if (!e && oid)
		*oid = json_integer_value(json_object_get(out, "id"));
	json_decref(out);
	return e;
}

static werr step(actor *ac, int64_t oid, const char *to)
{
	json_t *b = body(ac, "{\"to\":\"%s\"}", to), *out = NULL;
	werr e = order_step(ac, oid, b, &out);
	json_decref(b);
	json_decref(out);
	return e;
}

static void test_resting_timer_with_clock(void **state)
{
	actor *ac = *state;
	int64_t rp = new_round(ac, 120, 6 * 3600), oid = 0;
	assert_int_equal(order(ac, rp, 1, &oid), WG_OK);
	assert_int_equal(step(ac, oid, "received"), W_ECONFLICT); /* paid comes first */
	assert_int_equal(step(ac, oid, "paid"), WG_OK);
	assert_int_equal(step(ac, oid, "received"), WG_OK);
	assert_int_equal(step(ac, oid, "disinfected"), WG_OK);
	assert_int_equal(step(ac, oid, "at_door"), W_ECONFLICT);
	assert_string_equal(w_last()->code, "resting");
	clock_shift(119 * 60);
	assert_int_equal(step(ac, oid, "at_door"), W_ECONFLICT);
	assert_string_equal(w_last()->code, "resting");
	clock_shift(60);
	assert_int_equal(step(ac, oid, "at_door"), WG_OK);
	assert_int_equal(step(ac, oid, "collected"), WG_OK);
	assert_int_equal(step(ac, oid, "delivered"), W_ECONFLICT);
	clock_shift(-120 * 60);
}

static void test_cutoff_with_clock(void **state)
{
	actor *ac = *state;
	int64_t rp = new_round(ac, 120, 3600);
	assert_int_equal(order(ac, rp, 2, NULL), WG_OK);
	clock_shift(3600);
	assert_int_equal(order(ac, rp, 3, NULL), W_ECONFLICT);
	assert_string_equal(w_last()->code, "cutoff_passed");
	assert_string_equal(w_last()->field, "cutoff");
	assert_int_equal(order(ac, rp, 2, NULL), W_ECONFLICT); /* no change after it either */
	clock_shift(-3600);
	assert_int_equal(order(ac, rp, 3, NULL), WG_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_resting_timer_with_clock),
	    cmocka_unit_test(test_cutoff_with_clock),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
