/* test_plans.c — no statement of the catalogue scans the check-ins, on SQLite and on
 * PostgreSQL (when WANGGE_TEST_PG names a server: make pgtest).
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
#include <jansson.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include "db/driver.h"
#include "testdb.h"

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

/* ---- PostgreSQL (one server; a Citus coordinator plans on its workers) ----
 * On one server the check-ins' index leads with the day too (migrate_pg.c, migration
 * 25), and PostgreSQL 15 has no skip-scan: a condition on the resident alone is checked
 * against every entry of the index, one for each check-in ever stored — an "Index Cond"
 * that does not name the index's first column.  Every statement that reads `checkins` is
 * prepared as the driver prepares it and its generic plan (the one a prepared statement
 * settles on) explained, with sequential scans priced out so that the planner shows what
 * an index can do for it on a store of any size; a scan of the table, or of an index
 * without a condition on its first column, fails the test. */

static PGresult *pg_ok(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
		fprintf(stderr, "%s: %s", sql, PQerrorMessage(c));
		fail();
	}
	return r;
}

typedef struct {
	char index[64][64], lead[64][64]; /* the check-ins' indexes and their first columns */
	int n;
	int checked; /* plan nodes on the check-ins */
} pg_indexes;

static const char *lead_of(const pg_indexes *ix, const char *index)
{
	for (int i = 0; i < ix->n; i++)
		if (!strcmp(ix->index[i], index))
			return ix->lead[i];
	return NULL;
}

/* the plan node p and those under it: false at a scan of the check-ins the test refuses */
static bool plan_ok(pg_indexes *ix, json_t *p, const char **why)
{
	const char *type = json_string_value(json_object_get(p, "Node Type"));
	const char *rel = json_string_value(json_object_get(p, "Relation Name"));
	const char *index = json_string_value(json_object_get(p, "Index Name"));
	const char *cond = json_string_value(json_object_get(p, "Index Cond"));
	const char *lead = index ? lead_of(ix, index) : NULL;
	if (type && rel && !strcmp(rel, "checkins") && !strcmp(type, "Seq Scan")) {
		*why = "a sequential scan of the check-ins";
		return false;
	}
	if (lead) {
		ix->checked++;
		char want[80];
		snprintf(want, sizeof want, "(%s ", lead);
		if (!cond || !strstr(cond, want)) {
			fprintf(stderr, "%s %s: %s\n", type, index, cond ? cond : "(no condition)");
			*why = "an index of the check-ins searched without its first column";
			return false;
		}
	}
	json_t *kids = json_object_get(p, "Plans");
	size_t i;
	json_t *k;
	json_array_foreach(kids, i, k)
	{
		if (!plan_ok(ix, k, why))
			return false;
	}
	return true;
}

static void test_no_statement_scans_the_checkins_pg(void **state)
{
	(void)state;
	const char *pg = getenv("WANGGE_TEST_PG"), *citus = getenv("WANGGE_TEST_CITUS");
	if (!pg || !*pg || (citus && *citus))
		skip();
	/* a community with a hundred days of history (~1,100 residents, ~110,000 check-ins)
	 * and its statistics: the planner then weighs an index's search as on a real store */
	actor *ac = testdb_demo("plans", 400, 5);
	assert_non_null(ac);
	PGconn *c = PQconnectdb(testdb_url);
	assert_int_equal(PQstatus(c), CONNECTION_OK);
	PQclear(pg_ok(c, "INSERT INTO checkins(day, resident_id, household_id, status, temperature, channel, recorded_at,"
	                 " superseded_by, district_id) SELECT to_char(DATE '2026-01-01' + g, 'YYYY-MM-DD'), r.id,"
	                 " r.household_id, 'reported', 36.5, 'phone', 0, 0, r.district_id FROM residents r"
	                 " CROSS JOIN generate_series(0, 99) g"));
	PQclear(pg_ok(c, "ANALYZE"));
	PQclear(pg_ok(c, "SET plan_cache_mode = force_generic_plan"));
	PQclear(pg_ok(c, "SET enable_seqscan = off"));
	pg_indexes ix = {.n = 0};
	PGresult *r = pg_ok(c, "SELECT i.relname, a.attname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid"
	                       " JOIN pg_class t ON t.oid = x.indrelid JOIN pg_attribute a ON a.attrelid = t.oid"
	                       " AND a.attnum = x.indkey[0] WHERE t.relname = 'checkins'");
	for (int i = 0; i < PQntuples(r) && ix.n < 64; i++, ix.n++) {
		snprintf(ix.index[ix.n], sizeof ix.index[0], "%s", PQgetvalue(r, i, 0));
		snprintf(ix.lead[ix.n], sizeof ix.lead[0], "%s", PQgetvalue(r, i, 1));
	}
	PQclear(r);
	assert_true(ix.n >= 3); /* its key, the day's readings, the client ids */
	assert_string_equal(lead_of(&ix, "checkins_resident"), "day");
	int planned = 0;
	for (int id = 0; id < SQL__COUNT; id++) {
		const char *sql = pg_sql_text((sql_id)id, false);
		if (!strstr(sql, "checkins"))
			continue;
		r = PQprepare(c, "p", sql, 0, NULL);
		bool prepared = PQresultStatus(r) == PGRES_COMMAND_OK;
		PQclear(r);
		if (!prepared) /* SQLite's own (INPROC_…, on columns PostgreSQL's schema has not); a
		                * PostgreSQL text that does not prepare fails the store tests before this */
			continue;
		r = PQdescribePrepared(c, "p"); /* its parameters, as PostgreSQL counted them */
		int np = PQnparams(r);
		PQclear(r);
		char ex[600];
		int n = snprintf(ex, sizeof ex, "EXPLAIN (FORMAT JSON) EXECUTE p");
		for (int k = 1; k <= np && n < (int)sizeof ex - 8; k++)
			n += snprintf(ex + n, sizeof ex - (size_t)n, "%sNULL", k == 1 ? "(" : ", ");
		if (np)
			snprintf(ex + n, sizeof ex - (size_t)n, ")");
		r = PQexec(c, ex);
		if (PQresultStatus(r) == PGRES_TUPLES_OK) {
			planned++;
			json_t *plan = json_loads(PQgetvalue(r, 0, 0), 0, NULL);
			const char *why = NULL;
			if (!plan || !plan_ok(&ix, json_object_get(json_array_get(plan, 0), "Plan"), &why)) {
				fprintf(stderr, "statement %d: %s\n  %s\n%s\n", id, why ? why : "no plan", sql, PQgetvalue(r, 0, 0));
				fail();
			}
			json_decref(plan);
		}
		PQclear(r);
		PQclear(PQexec(c, "DEALLOCATE p"));
	}
	assert_true(planned > 15);
	assert_true(ix.checked > 15);
	PQfinish(c);
	testdb_operator_free(ac);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_no_statement_scans_the_checkins),
	    cmocka_unit_test(test_no_statement_scans_the_checkins_pg),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
