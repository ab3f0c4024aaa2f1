/* test_bus.c — the live feed's ring: it keeps every event of the time it is told to keep
 * (growing past its first size), and a reader that fell behind what it holds, or names an
 * id this process never gave, gets a `reset` event first — never a silent jump. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/bus.h"

/* Count "event: TYPE" blocks in text; *first_id: the id of the first block. */
static int count_events(const char *text, const char *type, unsigned long long *first_id)
{
	char pat[64];
	snprintf(pat, sizeof pat, "event: %s\n", type);
	int n = 0;
	for (const char *p = text; (p = strstr(p, pat)); p += strlen(pat))
		n++;
	if (first_id)
		*first_id = strncmp(text, "id: ", 4) == 0 ? strtoull(text + 4, NULL, 10) : 0;
	return n;
}

/* Everything after *after, in one buffer. */
static char *read_all(uint64_t *after, const char *scope)
{
	buf b;
	buf_init(&b, NULL);
	while (bus_read(after, scope, &b, 1000) > 0)
		;
	buf_putc(&b, 0);
	return b.p;
}

static void test_time_not_count(void **state)
{
	(void)state;
	bus_keep(3600);
	uint64_t start = bus_last();
	for (int i = 0; i < 5 * BUS_MIN; i++)
		bus_publish("/1/2/", "checkin", "{}");
	/* five times the first size, all within the hour kept: all still there */
	assert_true(bus_capacity() >= 5 * BUS_MIN);
	uint64_t after = start;
	char *all = read_all(&after, "/1/");
	assert_int_equal(count_events(all, "reset", NULL), 0);
	assert_int_equal(count_events(all, "checkin", NULL), 5 * BUS_MIN);
	assert_int_equal(after, bus_last());
	free(all);
	/* and the scope filter still holds */
	after = start;
	all = read_all(&after, "/9/");
	assert_int_equal(count_events(all, "checkin", NULL), 0);
	free(all);
}

static void test_reader_behind_the_ring_is_told(void **state)
{
	(void)state;
	bus_keep(3600);
	uint64_t start = bus_last();
	/* more than the ring may ever hold: the first ones are gone */
	for (int i = 0; i < BUS_MAX + 10; i++)
		bus_publish("/1/", "checkin", "{}");
	assert_int_equal(bus_capacity(), BUS_MAX);
	uint64_t after = start;
	buf b;
	buf_init(&b, NULL);
	assert_true(bus_read(&after, "/1/", &b, 5) > 0);
	buf_putc(&b, 0);
	unsigned long long id = 0;
	assert_int_equal(count_events(b.p, "reset", &id), 1);
	assert_non_null(strstr(b.p, "\"missed\":10,"));
	/* the reset's id is the one before the oldest held, and reading goes on from there */
	assert_int_equal(id, bus_last() - BUS_MAX);
	assert_non_null(strstr(b.p, "event: checkin"));
	buf_release(&b);
}

static void test_an_id_from_another_process_is_a_reset(void **state)
{
	(void)state;
	uint64_t after = bus_last() + 1000;
	buf b;
	buf_init(&b, NULL);
	assert_int_equal(bus_read(&after, "/", &b, 50), 1);
	buf_putc(&b, 0);
	assert_int_equal(count_events(b.p, "reset", NULL), 1);
	assert_int_equal(after, bus_last());
	buf_release(&b);
	/* a reader that is up to date gets nothing */
	buf_init(&b, NULL);
	assert_int_equal(bus_read(&after, "/", &b, 50), 0);
	buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_time_not_count),
	    cmocka_unit_test(test_reader_behind_the_ring_is_told),
	    cmocka_unit_test(test_an_id_from_another_process_is_a_reset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
