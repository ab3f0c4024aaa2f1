/* test_calendar.c — the roll-call's day: today in China time (UTC+8, so 16:00 UTC is
 * already tomorrow), and which days a reading may be for: a real date, not in the future,
 * at most 30 days back — checked with a moved clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "core/util.h"
#include "domain/calendar.h"

/* The China day of t as YYYY-MM-DD. */
static void china_day(int64_t t, char out[11])
{
	time_t x = (time_t)(t + 8 * 3600);
	struct tm tm;
	gmtime_r(&x, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

static void test_today_is_china_time(void **state)
{
	(void)state;
	/* move the clock to 15:59:30 UTC today, then past 16:00: the China day turns */
	int64_t now = now_s(), midnight_utc = now - now % 86400;
	int64_t to = midnight_utc + 16 * 3600 - 30;
	clock_shift(to - now);
	char t[11], want[11];
	today_str(t);
	china_day(now_s(), want);
	assert_string_equal(t, want);
	clock_shift(60);
	char t2[11];
	today_str(t2);
	china_day(now_s(), want);
	assert_string_equal(t2, want);
	assert_true(strcmp(t2, t) > 0); /* the next day in China, the same day in UTC */
	clock_shift(-(to - now) - 60);
}

static void test_days_a_reading_may_be_for(void **state)
{
	(void)state;
	char d[11];
	int64_t now = now_s();
	today_str(d);
	assert_int_equal(day_valid(d, "day"), WG_OK);
	china_day(now - 30 * 86400 + 3600, d);
	assert_int_equal(day_valid(d, "day"), WG_OK);
	china_day(now - 31 * 86400 - 3600, d);
	assert_int_equal(day_valid(d, "day"), W_EINVAL);
	assert_string_equal(w_last()->code, "day_too_old");
	assert_string_equal(w_last()->field, "day");
	china_day(now + 86400 + 3600, d);
	assert_int_equal(day_valid(d, "for_day"), W_EINVAL);
	assert_string_equal(w_last()->code, "future_day");
	assert_string_equal(w_last()->field, "for_day");
	static const char *const bad[] = {"2026-02-30", "2026-13-01", "2026-1-01", "20260101", "", "2026-01-01x"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(day_valid(bad[i], "day"), W_EINVAL);
		assert_string_equal(w_last()->code, "invalid_day");
	}
	assert_int_equal(day_valid(NULL, "day"), W_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_today_is_china_time),
	    cmocka_unit_test(test_days_a_reading_may_be_for),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
