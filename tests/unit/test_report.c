/* test_report.c — the daily report on a real store (the qinghe demo) after a scripted day:
 * its numbers for the community and for each grid equal a recount from the rows and what
 * the script did (households reached, people reported, fevers at 37.3 inclusive and by
 * the fever symptom, alerts by state, the four categories); the grids add up to the
 * community; the report names no one; its CSV file carries the same numbers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "domain/alerts.h"
#include "domain/calendar.h"
#include "domain/epi.h"
#include "domain/report.h"
#include "domain/rollcall.h"
#include "testdb.h"

#define COMMUNITY "420107003008"
#define G1 COMMUNITY "-G01"
#define G2 COMMUNITY "-G02"

static int setup(void **state)
{
	actor *ac = testdb_demo("report", 600, 7);
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

static json_t *submit(const actor *w, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *txt = arena_vprintf(w->a, fmt, ap);
	va_end(ap);
	json_t *b = json_loads(txt, 0, NULL), *out = NULL;
	assert_non_null(b);
	assert_int_equal(chk_submit(w, b, &out), WG_OK);
	json_decref(b);
	return out;
}

static werr step(const actor *ac, int64_t aid, const char *txt)
{
	json_t *b = json_loads(txt, 0, NULL), *out = NULL;
	werr e = alert_step(ac, aid, b, &out);
	json_decref(b);
	json_decref(out);
	return e;
}

static int64_t num(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

static json_t *child(json_t *rep, const char *code)
{
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(rep, "children"), i, c) if (!strcmp(json_string_value(json_object_get(c, "unit")), code)) return c;
	fail_msg("no child %s", code);
	return NULL;
}

/* The report's coverage numbers of a unit equal the recount's. */
static void equals_recount(const actor *ac, json_t *row, const char *code, const char *day)
{
	static const char *const keys[] = {"households_total", "households_reached", "residents_total", "residents_accounted",
	                                   "residents_reported", "fevers", "symptomatic"};
	json_t *rc = NULL;
	assert_int_equal(coverage_recount(ac, code, day, &rc), WG_OK);
	for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
		if (num(row, keys[k]) != num(rc, keys[k]))
			fail_msg("%s %s: report %lld, recount %lld", code, keys[k], (long long)num(row, keys[k]), (long long)num(rc, keys[k]));
	}
	json_decref(rc);
}

static void test_daily_report(void **state)
{
	actor *root = *state;
	actor w1 = testdb_actor(root, ROLE_GRID_WORKER, G1), w2 = testdb_actor(root, ROLE_GRID_WORKER, G2),
	      sec = testdb_actor(root, ROLE_COMMUNITY, COMMUNITY);
	char today[11];
	today_str(today);
	/* whole households reported normal: 6 in grid 1, 4 in grid 2 */
	int64_t reported = 0, ids[16];
	size_t n;
	for (int k = 0; k < 10; k++) {
		int64_t h = testdb_household(root, k < 6 ? COMMUNITY "-B01-U1" : COMMUNITY "-B03-U1", 1, k < 6 ? k : k - 6, ids, 16, &n);
		assert_true(h > 0);
		json_decref(submit(k < 6 ? &w1 : &w2, "{\"household_id\":%lld,\"all_normal\":true,\"channel\":\"visit\"}", (long long)h));
		reported += (int64_t)n;
	}
	/* four single readings in households of two or more (not reached): fevers at 37.3 and
	 * 38.0 and by the symptom, and a cough at 36.6 */
	static const char *const extra[] = {"\"temperature\":37.3", "\"temperature\":38.0", "\"symptoms\":[\"fever\"]",
	                                    "\"temperature\":36.6,\"symptoms\":[\"cough\"]"};
	int64_t alert[4], who[4];
	for (int k = 0; k < 4; k++) {
		const actor *w = k < 2 ? &w1 : &w2;
		int64_t h = testdb_household(root, k < 2 ? COMMUNITY "-B02-U1" : COMMUNITY "-B03-U1", 2, 10 + k, ids, 16, &n);
		assert_true(h > 0);
		who[k] = ids[0];
		json_t *out = submit(w, "{\"resident_id\":%lld,\"channel\":\"phone\",%s}", (long long)ids[0], extra[k]);
		alert[k] = num(out, "alert_id");
		assert_true(alert[k] > 0);
		json_decref(out);
		reported++;
	}
	/* alerts: one acknowledged, one excluded (closed), two left open */
	assert_int_equal(step(&w1, alert[0], "{\"step\":\"acknowledged\"}"), WG_OK);
	assert_int_equal(step(&w1, alert[1], "{\"step\":\"acknowledged\"}"), WG_OK);
	assert_int_equal(step(&w1, alert[1], "{\"step\":\"outcome\",\"outcome\":\"excluded\",\"note\":\"复测 36.5\"}"), WG_OK);
	/* one suspected case in grid 2 */
	json_t *b = json_pack("{s:s,s:s}", "category", "suspected", "reason", "symptoms"), *out = NULL;
	assert_int_equal(epi_status_post(&sec, who[3], b, &out), WG_OK);
	json_decref(b);
	json_decref(out);

	json_t *rep = NULL;
	assert_int_equal(report_daily(&sec, COMMUNITY, today, &rep), WG_OK);
	assert_string_equal(json_string_value(json_object_get(rep, "day")), today);
	equals_recount(root, rep, COMMUNITY, today);
	equals_recount(root, child(rep, G1), G1, today);
	equals_recount(root, child(rep, G2), G2, today);
	/* what the script did */
	assert_int_equal(num(rep, "households_reached"), 10);
	assert_int_equal(num(child(rep, G1), "households_reached"), 6);
	assert_int_equal(num(rep, "residents_reported"), reported);
	assert_int_equal(num(rep, "fevers"), 3);
	assert_int_equal(num(child(rep, G1), "fevers"), 2);
	assert_int_equal(num(rep, "symptomatic"), 2); /* the fever symptom and the cough */
	json_t *al = json_object_get(rep, "alerts");
	assert_int_equal(num(al, "open"), 2);
	assert_int_equal(num(al, "acknowledged"), 1);
	assert_int_equal(num(al, "closed"), 1);
	assert_int_equal(num(json_object_get(child(rep, G2), "alerts"), "open"), 2);
	assert_int_equal(num(json_object_get(child(rep, G1), "alerts"), "open"), 0);
	assert_int_equal(num(json_object_get(child(rep, G1), "alerts"), "acknowledged"), 1);
	assert_int_equal(num(json_object_get(child(rep, G1), "alerts"), "closed"), 1);
	assert_int_equal(num(json_object_get(json_object_get(rep, "categories"), "counts"), "suspected"), 1);
	assert_int_equal(num(json_object_get(json_object_get(child(rep, G2), "categories"), "counts"), "suspected"), 1);
	assert_int_equal(num(json_object_get(json_object_get(child(rep, G1), "categories"), "counts"), "suspected"), 0);
	double pct = json_real_value(json_object_get(rep, "household_coverage_pct"));
	double want = 100.0 * 10 / (double)num(rep, "households_total");
	assert_true(pct > want - 1e-9 && pct < want + 1e-9);
	/* the grids add up to the community */
	static const char *const sums[] = {"households_total", "households_reached", "residents_total", "residents_reported", "fevers"};
	for (size_t k = 0; k < sizeof sums / sizeof sums[0]; k++) {
		int64_t s = 0;
		size_t i;
		json_t *c;
		json_array_foreach(json_object_get(rep, "children"), i, c) s += num(c, sums[k]);
		assert_int_equal(s, num(rep, sums[k]));
	}
	/* aggregates only: nobody's name */
	char *dump = json_dumps(rep, 0);
	for (int k = 0; k < 4; k++) {
		json_t *r = NULL;
		assert_int_equal(res_get(root, who[k], &r), WG_OK);
		assert_null(strstr(dump, json_string_value(json_object_get(r, "name"))));
		json_decref(r);
	}
	free(dump);
	/* the CSV file: the community's row carries the same numbers */
	char path[64];
	snprintf(path, sizeof path, "/tmp/wangge-report-%d.csv", (int)getpid());
	report_id id;
	assert_int_equal(report_daily_file(&sec, COMMUNITY, today, EXPORT_CSV, path, &id), WG_OK);
	assert_string_equal(id.unit, COMMUNITY);
	assert_string_equal(id.day, today);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char line[2048];
	bool found = false;
	while (fgets(line, sizeof line, f))
		if (!strncmp(line, COMMUNITY ",", strlen(COMMUNITY) + 1)) {
			found = true;
			char want_csv[64];
			snprintf(want_csv, sizeof want_csv, ",%lld,10,", (long long)num(rep, "households_total"));
			assert_non_null(strstr(line, want_csv)); /* 应报户数, 已报户数 */
		}
	fclose(f);
	unlink(path);
	assert_true(found);
	json_decref(rep);
	/* a grid worker's report of the other grid: as if it did not exist */
	assert_int_equal(report_daily(&w1, G2, today, &rep), W_ENOTFOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_daily_report),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
