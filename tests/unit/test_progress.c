/* test_progress.c — the progress line of long work: what it says while running, that a
 * non-terminal gets only the final line, and that the final line counts what was done. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/progress.h"

static void line_with_total(void **state)
{
	(void)state;
	progress p;
	progress_start(&p, NULL, false, "导入居民 importing residents", "行 rows", 2000000);
	progress_set(&p, 500000, -1);
	char buf[256];
	progress_line(&p, p.t0 + 10, buf, sizeof buf); /* 10 s in, a quarter done */
	assert_string_equal(buf, "导入居民 importing residents: 500,000 / 2,000,000 行 rows · 50000/s · 25% · 剩余 left 0:30");
}

static void line_with_a_share_from_bytes(void **state)
{
	(void)state;
	progress p;
	progress_start(&p, NULL, false, "导入 importing", "行 rows", 0);
	progress_set(&p, 1234, 0.5); /* rows counted, half the file's bytes read */
	char buf[256];
	progress_line(&p, p.t0 + 4000, buf, sizeof buf);
	assert_string_equal(buf, "导入 importing: 1,234 行 rows · 0/s · 50% · 剩余 left 1:06:40");
	progress_start(&p, NULL, false, "x", "rows", 0); /* nothing known: no share, no time left */
	progress_set(&p, 7, -1);
	progress_line(&p, p.t0 + 1, buf, sizeof buf);
	assert_string_equal(buf, "x: 7 rows · 7/s");
}

static void not_a_terminal_gets_one_line(void **state)
{
	(void)state;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	assert_non_null(f);
	progress p;
	progress_start(&p, f, false, "备份 backup", "MB", 100);
	for (int i = 1; i <= 100000; i++)
		progress_set(&p, i / 1000, -1);
	progress_end(&p, NULL);
	fclose(f);
	assert_non_null(strstr(text, "备份 backup: 100 MB in "));
	assert_null(strchr(text, '\r'));
	assert_int_equal(strchr(text, '\n') - text + 1, (long)len); /* exactly one line */
	free(text);
}

static void a_terminal_line_is_redrawn_then_blanked(void **state)
{
	(void)state;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	assert_non_null(f);
	progress p;
	progress_start(&p, f, true, "w", "rows", 10);
	p.shown = -1e9; /* the first call draws */
	progress_set(&p, 3, -1);
	progress_end(&p, "stopped at row 4");
	fclose(f);
	assert_true(len > 0 && text[0] == '\r');
	assert_non_null(strstr(text, "w: 3 / 10 rows"));
	assert_non_null(strstr(text, "w: 3 rows in "));
	assert_non_null(strstr(text, " — stopped at row 4\n"));
	free(text);
}

/* Bytes (a backup, a restore): sizes in MB while it runs, the exact count at the end. */
static void bytes_in_megabytes_and_the_exact_count_at_the_end(void **state)
{
	(void)state;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	assert_non_null(f);
	progress p;
	progress_start_bytes(&p, f, false, "备份 backing up", 0);
	progress_set(&p, 52428800, -1); /* 50 MB, the total not known yet */
	char buf[256];
	progress_line(&p, p.t0 + 2, buf, sizeof buf);
	assert_string_equal(buf, "备份 backing up: 50.0 MB · 25.0 MB/s");
	p.total = 209715200; /* 200 MB in all */
	progress_line(&p, p.t0 + 2, buf, sizeof buf);
	assert_string_equal(buf, "备份 backing up: 50.0 MB / 200.0 MB · 25.0 MB/s · 25% · 剩余 left 0:06");
	progress_set(&p, 16106127360, -1); /* 15 GB */
	progress_line(&p, p.t0 + 100, buf, sizeof buf);
	assert_string_equal(buf, "备份 backing up: 15.0 GB / 200.0 MB · 153.6 MB/s · 100% · 剩余 left 0:00");
	progress_set(&p, 327614464, -1);
	progress_end(&p, NULL);
	fclose(f);
	assert_non_null(strstr(text, "备份 backing up: 312.4 MB (327,614,464 字节 bytes) in "));
	assert_int_equal(strchr(text, '\n') - text + 1, (long)len); /* one line, and only at the end */
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(line_with_total),
	    cmocka_unit_test(line_with_a_share_from_bytes),
	    cmocka_unit_test(not_a_terminal_gets_one_line),
	    cmocka_unit_test(a_terminal_line_is_redrawn_then_blanked),
	    cmocka_unit_test(bytes_in_megabytes_and_the_exact_count_at_the_end),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
