/* test_gates.c — visitors' personal data at the gates is erased by the ticker after the
 * retention period (setting visitor_retention_days, default 28), with a moved clock: the
 * passage, its kind and the gate's counters stay; each erasure is audited; a visitor
 * younger than the period is kept.  A staff pass (通行证) is good through its last day and
 * refused the day after, by the same moved clock. */
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
#include "domain/calendar.h"
#include "domain/demo.h"
#include "domain/gates.h"

static int setup(void **state)
{
	actor *ac = testdb_operator("gates");
	if (!ac)
		return -1;
	demo_opts o = {.preset = "qinghe", .households = 100, .seed = 3, .password = "wangge-demo-2026"};
	if (demo_build(ac, &o) != WG_OK)
		return -1;
	*state = ac;
	return 0;
}

static int teardown(void **state)
{
	testdb_operator_free(*state);
	return 0;
}

/* A courier handing goods over at the open 东区1号门: the passage's id. */
static int64_t courier(actor *ac, int64_t gate, const char *name)
{
	char test_at[11], body[600];
	char t32[32];
	fmt_time(now_s() - 3600, t32);
	memcpy(test_at, t32, 10);
	test_at[10] = 0;
	snprintf(body, sizeof body,
	         "{\"gate_id\": %lld, \"direction\": \"in\", \"temperature\": 36.5, \"visitor\": {\"kind\": \"courier\","
	         " \"name\": \"%s\", \"phone\": \"13907130001\", \"id_number\": \"420107198001010011\","
	         " \"company\": \"顺丰速运\", \"plate\": \"鄂A12345\", \"health_code\": \"green\", \"test_at\": \"%s\","
	         " \"test_result\": \"negative\", \"goods_only\": true}}",
	         (long long)gate, name, test_at);
	json_t *b = json_loads(body, 0, NULL), *out = NULL;
	assert_non_null(b);
	werr pe = passage_record(ac, b, &out);
	if (pe)
		fprintf(stderr, "passage: %s %s %s\n", w_last()->code, w_last()->field, w_last()->message);
	assert_int_equal(pe, WG_OK);
	json_decref(b);
	int64_t id = json_integer_value(json_object_get(out, "id"));
	assert_true(json_is_true(json_object_get(out, "allowed")));
	json_decref(out);
	return id;
}

static const char *visitor_name(actor *ac, int64_t passage_id, bool *phone_null, bool *erased)
{
	db_stmt *s = db_prepare(ac->d, "SELECT v.name, CASE WHEN v.phone IS NULL THEN 1 ELSE 0 END,"
	                               " CASE WHEN v.erased_at IS NULL THEN 0 ELSE 1 END FROM passages p"
	                               " JOIN visitors v ON v.id = p.visitor_id WHERE p.id = $1");
	assert_non_null(s);
	db_bind_int(s, 1, passage_id);
	werr e;
	assert_int_equal(db_step(s, &e), DB_ROW);
	const char *name = arena_strdup(ac->a, db_text(s, 0));
	*phone_null = db_int(s, 1) != 0;
	*erased = db_int(s, 2) != 0;
	db_finalize(s);
	return name;
}

static int64_t scalar(actor *ac, const char *sql)
{
	db_stmt *s = db_prepare(ac->d, sql);
	assert_non_null(s);
	werr e;
	int64_t v = db_step(s, &e) == DB_ROW ? db_int(s, 0) : -1;
	db_finalize(s);
	return v;
}

static void test_visitors_erased_after_retention(void **state)
{
	actor *ac = *state;
	int64_t gate = scalar(ac, "SELECT id FROM gates WHERE name = '东区1号门'");
	assert_true(gate > 0);
	int64_t old = courier(ac, gate, "刘师傅");
	assert_int_equal(gates_visitor_retention_days(ac->d), 28);
	/* nothing is due now, nor after 27 days */
	assert_int_equal(gates_tick(ac->d, ac->a, now_s(), tick_commit_here), 0);
	clock_shift(27 * 86400);
	int64_t young = courier(ac, gate, "王师傅"); /* comes 27 days later */
	assert_int_equal(gates_tick(ac->d, ac->a, now_s(), tick_commit_here), 0);
	/* 28 days and an hour after the first: the first is erased, the second kept */
	clock_shift(86400 + 3600);
	assert_int_equal(gates_tick(ac->d, ac->a, now_s(), tick_commit_here), 1);
	bool phone_null, erased;
	const char *name = visitor_name(ac, old, &phone_null, &erased);
	assert_string_equal(name, "（已删除）");
	assert_true(phone_null && erased);
	assert_int_equal(scalar(ac, "SELECT count(*) FROM visitors WHERE erased_at IS NOT NULL AND (id_number IS NOT NULL"
	                            " OR company IS NOT NULL OR plate IS NOT NULL)"),
	                 0);
	name = visitor_name(ac, young, &phone_null, &erased);
	assert_string_equal(name, "王师傅");
	assert_false(phone_null || erased);
	/* the passages and the counters stay: two hand-overs of goods */
	assert_int_equal(scalar(ac, "SELECT count(*) FROM passages WHERE visitor_id IS NOT NULL"), 2);
	assert_int_equal(scalar(ac, "SELECT sum(n) FROM gate_counts WHERE key = 'goods'"), 2);
	/* the erasure is audited, by the ticker */
	assert_int_equal(scalar(ac, "SELECT count(*) FROM audit WHERE action = 'erase' AND entity = 'visitor'"
	                            " AND username = 'ticker'"),
	                 1);
	assert_int_equal(gates_tick(ac->d, ac->a, now_s(), tick_commit_here), 0); /* once */
	/* a shorter period set: 14 days */
	assert_int_equal(db_exec(ac->d, "INSERT INTO settings(key, value) VALUES ('visitor_retention_days', '14')"), WG_OK);
	assert_int_equal(gates_visitor_retention_days(ac->d), 14);
	clock_shift(12 * 86400); /* the second visitor: 13 days and an hour */
	assert_int_equal(gates_tick(ac->d, ac->a, now_s(), tick_commit_here), 0);
	clock_shift(86400); /* 14 days and an hour */
	assert_int_equal(gates_tick(ac->d, ac->a, now_s(), tick_commit_here), 1);
	name = visitor_name(ac, young, &phone_null, &erased);
	assert_string_equal(name, "（已删除）");
	clock_shift(-(27 * 86400 + 86400 + 3600 + 13 * 86400));
}

/* A staff pass's passage at the gate: allowed, and the first reason's code. */
static bool staff_passage(actor *ac, int64_t gate, const char *token, const char **code)
{
	char body[300];
	snprintf(body, sizeof body, "{\"gate_id\": %lld, \"direction\": \"in\", \"temperature\": 36.5, \"pass_token\": \"%s\"}",
	         (long long)gate, token);
	json_t *b = json_loads(body, 0, NULL), *out = NULL;
	assert_non_null(b);
	assert_int_equal(passage_record(ac, b, &out), WG_OK);
	json_decref(b);
	bool ok = json_is_true(json_object_get(out, "allowed"));
	json_t *r = json_array_get(json_object_get(out, "reasons"), 0);
	*code = r ? arena_strdup(ac->a, json_string_value(json_object_get(r, "code"))) : "";
	assert_string_equal(json_string_value(json_object_get(out, "kind")), "staff");
	json_decref(out);
	return ok;
}

static void test_staff_pass_period(void **state)
{
	actor *ac = *state;
	int64_t gate = scalar(ac, "SELECT id FROM gates WHERE name = '西区5号门'");
	assert_true(gate > 0);
	char today[11], last[11], body[400];
	today_str(today);
	day_add(today, 2, last);
	snprintf(body, sizeof body,
	         "{\"kind\": \"utility\", \"name\": \"赵电工\", \"employer\": \"供电公司\", \"phone\": \"13907130003\","
	         " \"purpose\": \"抢修\", \"valid_to\": \"%s\", \"gates\": [%lld]}",
	         last, (long long)gate);
	json_t *b = json_loads(body, 0, NULL), *card = NULL;
	assert_non_null(b);
	werr e = staff_pass_issue(ac, b, &card);
	if (e)
		fprintf(stderr, "issue: %s %s %s\n", w_last()->code, w_last()->field, w_last()->message);
	assert_int_equal(e, WG_OK);
	json_decref(b);
	const char *token = arena_strdup(ac->a, json_string_value(json_object_get(card, "token")));
	json_decref(card);
	const char *code;
	assert_true(staff_passage(ac, gate, token, &code));
	clock_shift(2 * 86400); /* its last day */
	assert_true(staff_passage(ac, gate, token, &code));
	clock_shift(86400); /* the day after */
	assert_false(staff_passage(ac, gate, token, &code));
	assert_string_equal(code, "staff_pass_expired");
	clock_shift(-3 * 86400);
	assert_int_equal(scalar(ac, "SELECT uses FROM staff_passes WHERE name = '赵电工'"), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_visitors_erased_after_retention),
	    cmocka_unit_test(test_staff_pass_period),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
