/* test_plans.c — no statement of the catalogue scans the check-ins on SQLite.
 * The check-ins' index leads with the day (migration 26), so a statement that looks a
 * resident up across days must name the days (sql.def, CHK_DAYS): SQLite's own
 * skip-scan needs statistics a store may not have, and without them it reads every
 * check-in ever stored.  Every statement that reads `checkins` is planned, as SQLite
 * runs it, on a new store (no statistics); a plan that scans the table or one of its
 * indexes whole fails the test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "db/driver.h"

/* the names the statement gives the check-ins: "checkins" and each alias after it (an
 * alias is lower case; the catalogue's keywords are upper case) */
static int names_of_checkins(const char *sql, char names[][16], int max)
{
	int n = 0;
	snprintf(names[n++], 16, "checkins");
	for (const char *p = sql; (p = strstr(p, "checkins ")) && n < max; p += 9) {
		const char *a = p + 9;
		size_t k = strspn(a, "abcdefghijklmnopqrstuvwxyz");
		if (k > 0 && k < 16) {
			memcpy(names[n], a, k);
			names[n++][k] = 0;
		}
	}
	return n;
}

static void test_no_statement_scans_the_checkins(void **state)
{
	(void)state;
	char path[64];
	snprintf(path, sizeof path, "/tmp/wangge-plans-%d.db", (int)getpid());
	unlink(path);
	db *d;
	assert_int_equal(db_open(path, true, &d), WG_OK);
	db_close(d);
	sqlite3 *h;
	assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
	/* a new store: no statistics (SQLite then assumes ten rows a day, too few to skip) */
	sqlite3_stmt *q;
	if (sqlite3_prepare_v2(h, "SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'checkins'", -1, &q, NULL) == SQLITE_OK) {
		assert_int_equal(sqlite3_step(q), SQLITE_ROW);
		assert_int_equal(sqlite3_column_int(q, 0), 0);
		sqlite3_finalize(q);
	}
	int planned = 0;
	for (int id = 0; id < SQL__COUNT; id++) {
		char *sql = lite_sql_text((sql_id)id, NULL);
		if (!strstr(sql, "checkins")) {
			free(sql);
			continue;
		}
		char names[16][16];
		int nn = names_of_checkins(sql, names, 16);
		size_t len = strlen(sql) + 32;
		char *ex = malloc(len);
		snprintf(ex, len, "EXPLAIN QUERY PLAN %s", sql);
		sqlite3_stmt *st;
		int rc = sqlite3_prepare_v2(h, ex, -1, &st, NULL);
		if (rc != SQLITE_OK) { /* PostgreSQL's texts SQLite never runs (INPROC_ are SQLite's) */
			free(ex);
			free(sql);
			continue;
		}
		planned++;
		while (sqlite3_step(st) == SQLITE_ROW) {
			const char *detail = (const char *)sqlite3_column_text(st, 3);
			if (strncmp(detail, "SCAN ", 5) != 0)
				continue;
			for (int i = 0; i < nn; i++) {
				size_t k = strlen(names[i]);
				if (!strncmp(detail + 5, names[i], k) && (detail[5 + k] == 0 || detail[5 + k] == ' ')) {
					fprintf(stderr, "statement %d scans the check-ins: %s\n  %s\n", id, detail, sql);
					fail();
				}
			}
		}
		sqlite3_finalize(st);
		free(ex);
		free(sql);
	}
	assert_true(planned > 15);
	sqlite3_close(h);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_no_statement_scans_the_checkins),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
