/* test_settings.c — what a community tunes, on a real store: setting_parse accepts exactly
 * what the server reads (fever threshold 36.0–40.0, deadline HH:MM, escalate_minutes and
 * isolation_days.<category> whole numbers in range) and refuses the rest naming the key;
 * setting_set writes and audits only a valid value; settings_load and isolation_days read
 * back what was set, and a refused value leaves the stored one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "domain/settings.h"
#include "testdb.h"

static int setup(void **state)
{
	actor *ac = testdb_operator("settings");
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

static void test_parse_accepts(void **state)
{
	(void)state;
	static const struct {
		const char *key, *value;
		double num;
	} ok[] = {
	    {"fever_threshold", "37.3", 37.3},
	    {"fever_threshold", "36", 36.0},
	    {"fever_threshold", "40.0", 40.0},
	    {"deadline", "11:00", 660},
	    {"deadline", "00:00", 0},
	    {"deadline", "23:59", 23 * 60 + 59},
	    {"escalate_minutes", "1", 1},
	    {"escalate_minutes", "1440", 1440},
	    {"isolation_days.close_contact", "7", 7},
	    {"isolation_days.confirmed", "60", 60},
	    {"isolation_days.travel_observation", "1", 1},
	};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		double n = -1;
		assert_int_equal(setting_parse(ok[i].key, ok[i].value, &n), WG_OK);
		assert_true(n > ok[i].num - 1e-9 && n < ok[i].num + 1e-9);
	}
}

static void test_parse_refuses_naming_the_key(void **state)
{
	(void)state;
	static const struct {
		const char *key, *value;
	} bad[] = {
	    {"fever_threshold", "35.9"}, {"fever_threshold", "40.1"}, {"fever_threshold", "37.3x"},
	    {"fever_threshold", ""},     {"fever_threshold", NULL},   {"deadline", "24:00"},
	    {"deadline", "11:60"},       {"deadline", "1100"},        {"deadline", "11:00 "},
	    {"deadline", "-1:00"},       {"escalate_minutes", "0"},   {"escalate_minutes", "1441"},
	    {"escalate_minutes", "1.5"}, {"escalate_minutes", "ten"}, {"isolation_days.close_contact", "0"},
	    {"isolation_days.close_contact", "61"}, {"isolation_days.close_contact", "7.5"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		double n;
		assert_int_equal(setting_parse(bad[i].key, bad[i].value, &n), W_EINVAL);
		assert_string_equal(w_last()->code, "invalid_setting");
		assert_string_equal(w_last()->field, bad[i].key);
	}
	/* keys the server does not read: unknown, naming the field "key" */
	static const char *const unknown[] = {"fever", "isolation_days.", "isolation_days.healthy", "isolation_days",
	                                      "Fever_threshold", "deadline.x"};
	for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
		double n;
		assert_int_equal(setting_parse(unknown[i], "7", &n), W_EINVAL);
		assert_string_equal(w_last()->code, "unknown_setting");
		assert_string_equal(w_last()->field, "key");
	}
}

static void test_set_then_read(void **state)
{
	actor *ac = *state;
	rollcall_config before = rc_config;
	assert_int_equal(setting_set(ac, "fever_threshold", "37.5"), WG_OK);
	assert_int_equal(setting_set(ac, "deadline", "09:30"), WG_OK);
	assert_int_equal(setting_set(ac, "escalate_minutes", "45"), WG_OK);
	assert_int_equal(setting_set(ac, "isolation_days.close_contact", "10"), WG_OK);
	/* refused values write nothing */
	assert_int_equal(setting_set(ac, "escalate_minutes", "0"), W_EINVAL);
	assert_string_equal(w_last()->field, "escalate_minutes");
	assert_int_equal(setting_set(ac, "isolation_days.close_contact", "99"), W_EINVAL);
	assert_int_equal(setting_set(ac, "bogus", "1"), W_EINVAL);
	assert_int_equal(settings_load(ac->d), WG_OK);
	assert_true(rc_config.fever_threshold > 37.5 - 1e-9 && rc_config.fever_threshold < 37.5 + 1e-9);
	assert_int_equal(rc_config.deadline_minutes, 9 * 60 + 30);
	assert_int_equal(rc_config.escalate_minutes, 45);
	int days = 0;
	assert_int_equal(isolation_days(ac->d, "close_contact", &days), WG_OK);
	assert_int_equal(days, 10);
	assert_int_equal(isolation_days(ac->d, "suspected", &days), WG_OK);
	assert_int_equal(days, 14); /* unset: the default */
	/* a value stored behind the parser's back (an older build) keeps the default */
	assert_int_equal(db_exec(ac->d, "UPDATE settings SET value = '0' WHERE key = 'isolation_days.close_contact'"), WG_OK);
	assert_int_equal(isolation_days(ac->d, "close_contact", &days), WG_OK);
	assert_int_equal(days, 14);
	rc_config = before;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_accepts),
	    cmocka_unit_test(test_parse_refuses_naming_the_key),
	    cmocka_unit_test(test_set_then_read),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
