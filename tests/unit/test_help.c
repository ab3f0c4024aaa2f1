/* test_help.c — the help requests' rules without a store: categories and urgencies, the
 * built-in time limits (urgent medical in minutes), the steps a request may take, and
 * overdue exactly at the due time (the clock is an argument here: injected). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "domain/help.h"

static void test_categories(void **state)
{
	(void)state;
	static const char *const ok[] = {"medical", "medicine", "supplies", "repairs", "counselling", "transport", "other"};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		assert_true(help_category_valid(ok[i]));
		assert_true(help_default_minutes(ok[i], "urgent") > 0);
		assert_true(help_default_minutes(ok[i], "urgent") < help_default_minutes(ok[i], "normal"));
	}
	assert_false(help_category_valid("food"));
	assert_false(help_category_valid(NULL));
	assert_true(help_urgency_valid("urgent"));
	assert_true(help_urgency_valid("normal"));
	assert_false(help_urgency_valid("asap"));
	assert_int_equal(help_default_minutes("medical", "urgent"), 30);
	assert_int_equal(help_default_minutes("food", "urgent"), 0);
	assert_int_equal(help_default_minutes("medical", "asap"), 0);
}

static void test_steps(void **state)
{
	(void)state;
	static const struct {
		const char *from, *to;
		bool ok;
	} cases[] = {
	    {"new", "accepted", true},          {"new", "referred", true},         {"new", "in_progress", false},
	    {"new", "done", false},             {"accepted", "in_progress", true}, {"accepted", "done", true},
	    {"accepted", "referred", true},     {"accepted", "new", false},        {"in_progress", "done", true},
	    {"in_progress", "referred", true},  {"in_progress", "accepted", false}, {"done", "in_progress", false},
	    {"done", "referred", false},        {"referred", "done", false},       {"merged", "accepted", false},
	    {NULL, "accepted", false},          {"new", NULL, false},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		assert_int_equal(help_step_allowed(cases[i].from, cases[i].to), cases[i].ok);
}

static void test_overdue_at_the_due_time(void **state)
{
	(void)state;
	int64_t created = 1800000000, due = created + 30 * 60;
	assert_false(help_overdue("new", due, due - 1));
	assert_true(help_overdue("new", due, due));
	assert_true(help_overdue("accepted", due, due + 1));
	assert_true(help_overdue("in_progress", due, due + 86400));
	assert_false(help_overdue("done", due, due + 1));
	assert_false(help_overdue("referred", due, due + 1));
	assert_false(help_overdue("merged", due, due + 1));
	assert_false(help_overdue(NULL, due, due + 1));
}

static void test_setting_keys(void **state)
{
	(void)state;
	assert_true(help_minutes_key("help_minutes.medical.urgent"));
	assert_true(help_minutes_key("help_minutes.other.normal"));
	assert_false(help_minutes_key("help_minutes.food.urgent"));
	assert_false(help_minutes_key("help_minutes.medical.asap"));
	assert_false(help_minutes_key("help_minutes.medical"));
	assert_false(help_minutes_key("help_minutes.counselling_and_more_words.urgent"));
	assert_false(help_minutes_key("isolation_days.close_contact"));
	assert_false(help_minutes_key(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_categories),
	    cmocka_unit_test(test_steps),
	    cmocka_unit_test(test_overdue_at_the_due_time),
	    cmocka_unit_test(test_setting_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
