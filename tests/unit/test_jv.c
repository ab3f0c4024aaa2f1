/* test_jv.c — strict request JSON: duplicates, depth, types, unknown fields, lengths. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/jv.h"

static json_t *parse(const char *s, werr *e)
{
	json_t *j = NULL;
	*e = jv_parse(s, strlen(s), &j);
	return j;
}

static void test_parse(void **state)
{
	(void)state;
	werr e;
	json_t *j = parse("{\"a\":1}", &e);
	assert_int_equal(e, WG_OK);
	json_decref(j);
	assert_null(parse("{\"a\":1,\"a\":2}", &e));
	assert_int_equal(e, W_EBADJSON);
	assert_null(parse("[1,2]", &e));
	assert_int_equal(e, W_EBADJSON);
	assert_null(parse("{\"a\":\"\\u0000\"}", &e));
	assert_int_equal(e, W_EBADJSON);
	assert_null(parse("", &e));
	assert_int_equal(e, W_EBADJSON);
	char deep[256] = "{\"a\":";
	for (int i = 0; i < 40; i++)
		strcat(deep, "[");
	assert_null(parse(deep, &e));
	assert_int_equal(e, W_EBADJSON);
	/* brackets inside strings do not count as depth */
	j = parse("{\"a\":\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"}", &e);
	assert_int_equal(e, WG_OK);
	json_decref(j);
}

static void test_fields(void **state)
{
	(void)state;
	werr e;
	json_t *j = parse("{\"name\":\"梁秀琴\",\"n\":5,\"b\":true,\"s\":\"a\\u0007b\",\"x\":1}", &e);
	static const char *const allowed[] = {"name", "n", "b", "s", NULL};
	assert_int_equal(jv_only(j, allowed), W_EINVAL);
	assert_string_equal(w_last()->field, "x");
	assert_string_equal(w_last()->code, "unknown_field");
	const char *s;
	assert_int_equal(jv_str(j, "name", true, 3, &s), WG_OK);
	assert_string_equal(s, "梁秀琴");
	assert_int_equal(jv_str(j, "name", true, 2, &s), W_EINVAL); /* 3 characters > 2 */
	assert_string_equal(w_last()->code, "too_long");
	assert_int_equal(jv_str(j, "s", false, 10, &s), W_EINVAL); /* control character */
	assert_int_equal(jv_str(j, "n", false, 10, &s), W_EINVAL); /* wrong type */
	assert_string_equal(w_last()->field, "n");
	assert_int_equal(jv_str(j, "missing", true, 10, &s), W_EINVAL);
	assert_string_equal(w_last()->code, "required");
	int64_t n;
	bool present;
	assert_int_equal(jv_int(j, "n", true, 0, 4, &n, &present), W_EINVAL);
	assert_int_equal(jv_int(j, "n", true, 0, 5, &n, &present), WG_OK);
	assert_int_equal(n, 5);
	bool b;
	assert_int_equal(jv_bool(j, "b", &b, &present), WG_OK);
	assert_true(b && present);
	assert_int_equal(jv_bool(j, "n", &b, &present), W_EINVAL);
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse),
	    cmocka_unit_test(test_fields),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
