/* test_rollcall.c — the daily roll-call on a real store: a scripted day of check-ins,
 * household batches, absences and corrections on a demo community; the counters at grid,
 * community and street level equal a recount from the rows; retries are no-ops; the
 * fever alert workflow; escalation and deadline reminders with a moved clock; a batch of
 * check-ins through the server's writer, written together on PostgreSQL, answered as one
 * by one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "app/writer.h"
#include "core/util.h"
#include "domain/alerts.h"
#include "domain/calendar.h"
#include "domain/demo.h"
#include "domain/registry.h"
#include "domain/rollcall.h"
#include "domain/settings.h"
#include "domain/stats.h"
#include "domain/units.h"
#include "testdb.h"

static int setup(void **state)
{
	actor *ac = testdb_operator("rc");
	if (!ac)
		return -1;
	demo_opts o = {.preset = "qinghe", .households = 400, .seed = 5, .password = "wangge-demo-2026"};
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

static actor as(actor *root, role r, const char *code)
{
	actor a = testdb_actor(root, r, code);
	a.username = "worker";
	return a;
}

/* Ids of the residents living in household hid (registered-only people are not asked). */
static size_t living_ids(actor *w, int64_t hid, int64_t *ids, size_t cap)
{
	json_t *hh = NULL;
	assert_int_equal(hh_get(w, hid, &hh), WG_OK);
	size_t n = 0, i;
	json_t *r;
	json_array_foreach(json_object_get(hh, "residents"), i, r)
	{
		const char *res = json_string_value(json_object_get(r, "residence"));
		if (n < cap && (!strcmp(res, "living") || !strcmp(res, "temporary")))
			ids[n++] = json_integer_value(json_object_get(r, "id"));
	}
	json_decref(hh);
	return n;
}

/* The households of a unit and their residents, from the API-shaped JSON. */
static json_t *households(actor *ac, const char *unit)
{
	json_t *list = NULL;
	assert_int_equal(hh_list(ac, unit, 500, 0, false, &list), WG_OK);
	return list;
}

static json_t *post(actor *ac, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *txt = arena_vprintf(ac->a, fmt, ap);
	va_end(ap);
	json_error_t je;
	json_t *body = json_loads(txt, 0, &je), *out = NULL;
	assert_non_null(body);
	werr e = chk_submit(ac, body, &out);
	if (e)
		fprintf(stderr, "chk_submit %s: %s %s\n", txt, w_last()->field, w_last()->message);
	assert_int_equal(e, WG_OK);
	json_decref(body);
	return out;
}

static void expect_equal_counts(actor *ac, const char *unit, const char *day)
{
	json_t *c = NULL, *r = NULL;
	assert_int_equal(coverage_get(ac, unit, day, &c), WG_OK);
	assert_int_equal(coverage_recount(ac, unit, day, &r), WG_OK);
	static const char *const keys[] = {"households_total", "households_reached", "residents_total",
	                                   "residents_accounted", "residents_reported", "fevers", "symptomatic"};
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		json_int_t a = json_integer_value(json_object_get(c, keys[i])), b = json_integer_value(json_object_get(r, keys[i]));
		if (a != b)
			fprintf(stderr, "%s %s: counter %lld, recount %lld\n", unit, keys[i], (long long)a, (long long)b);
		assert_int_equal(a, b);
	}
	json_decref(c);
	json_decref(r);
}

static void test_scripted_day(void **state)
{
	actor *ac = *state;
	const char *grid = "420107003008-G01", *community = "420107003008", *street = "420107003";
	actor w = as(ac, ROLE_GRID_WORKER, grid);
	char day[11];
	today_str(day);
	json_t *hl = households(&w, grid), *items = json_object_get(hl, "items");
	size_t nh = json_array_size(items);
	assert_true(nh > 10);
	int64_t reached = 0, reported = 0, fevers = 0, fever_resident = 0;
	for (size_t i = 0; i < nh; i++) {
		json_t *h = json_array_get(items, i);
		int64_t hid = json_integer_value(json_object_get(h, "id"));
		int64_t ids[16];
		int64_t n = (int64_t)living_ids(&w, hid, ids, 16);
		if (n == 0 || i % 4 == 3)
			continue; /* not reached today */
		json_t *out;
		if (i % 4 == 0) { /* a visit: everyone normal */
			out = post(&w, "{\"household_id\":%lld,\"all_normal\":true,\"channel\":\"visit\",\"client_id\":\"v%zu\"}",
			           (long long)hid, i);
			reported += n;
		} else { /* one person read by phone, one fever in some; the others away */
			bool fever = i % 7 == 1;
			out = post(&w, "{\"resident_id\":%lld,\"temperature\":%s,\"channel\":\"phone\",\"client_id\":\"p%zu\"}",
			           (long long)ids[0], fever ? "38.1" : "36.6", i);
			reported++;
			fevers += fever;
			if (fever) {
				assert_true(json_integer_value(json_object_get(out, "alert_id")) > 0);
				if (!fever_resident)
					fever_resident = ids[0];
			}
			json_decref(out);
			for (int64_t k = 1; k < n; k++) {
				out = post(&w, "{\"resident_id\":%lld,\"status\":\"away\",\"channel\":\"visit\"}", (long long)ids[k]);
				json_decref(out);
			}
			out = NULL;
		}
		json_decref(out);
		reached++;
	}
	int64_t occupied = 0;
	for (size_t i = 0; i < nh; i++) {
		int64_t ids[16];
		occupied += living_ids(&w, json_integer_value(json_object_get(json_array_get(items, i), "id")), ids, 16) > 0;
	}
	json_t *c = NULL;
	assert_int_equal(coverage_get(&w, grid, day, &c), WG_OK);
	assert_int_equal(json_integer_value(json_object_get(c, "households_reached")), reached);
	assert_int_equal(json_integer_value(json_object_get(c, "residents_reported")), reported);
	assert_int_equal(json_integer_value(json_object_get(c, "fevers")), fevers);
	json_decref(c);
	expect_equal_counts(ac, grid, day);
	expect_equal_counts(ac, community, day);
	expect_equal_counts(ac, street, day);

	/* a retry of a stored check-in changes nothing */
	json_t *h0 = json_array_get(items, 0);
	json_t *again = post(&w, "{\"household_id\":%lld,\"all_normal\":true,\"channel\":\"visit\",\"client_id\":\"v0\"}",
	                     (long long)json_integer_value(json_object_get(h0, "id")));
	assert_true(json_is_true(json_object_get(json_array_get(json_object_get(again, "results"), 0), "duplicate")));
	json_decref(again);
	expect_equal_counts(ac, grid, day);

	/* a normal re-check of a fever: the fever stays on the day, the old row stays */
	int64_t rid = fever_resident;
	assert_true(rid > 0);
	json_t *corr = post(&w, "{\"resident_id\":%lld,\"temperature\":36.5,\"channel\":\"phone\"}", (long long)rid);
	assert_true(json_is_true(json_object_get(corr, "corrected")));
	assert_true(json_is_true(json_object_get(corr, "day_fever")));
	json_decref(corr);
	json_t *hist = NULL;
	assert_int_equal(chk_list(&w, rid, 0, day, &hist), WG_OK);
	assert_int_equal(json_integer_value(json_object_get(hist, "total")), 2);
	json_decref(hist);
	assert_int_equal(coverage_get(&w, grid, day, &c), WG_OK);
	assert_int_equal(json_integer_value(json_object_get(c, "fevers")), fevers);
	json_decref(c);
	expect_equal_counts(ac, grid, day);
	/* an explicit correction with a reason: the fever leaves the counters */
	corr = post(&w, "{\"resident_id\":%lld,\"temperature\":36.5,\"channel\":\"phone\","
	               "\"correction\":{\"reason\":\"typo\",\"note\":\"录入错误\"}}",
	            (long long)rid);
	assert_false(json_is_true(json_object_get(corr, "day_fever")));
	json_decref(corr);
	assert_int_equal(coverage_get(&w, grid, day, &c), WG_OK);
	assert_int_equal(json_integer_value(json_object_get(c, "fevers")), fevers - 1);
	json_decref(c);
	expect_equal_counts(ac, grid, day);
	expect_equal_counts(ac, community, day);

	/* the missing list holds exactly the households not reached */
	json_t *miss = NULL;
	assert_int_equal(coverage_missing(&w, grid, day, 500, 0, &miss), WG_OK);
	assert_int_equal(json_integer_value(json_object_get(miss, "total")), occupied - reached);
	json_t *first = json_array_get(json_object_get(miss, "items"), 0);
	assert_true(json_array_size(json_object_get(first, "people_missing")) > 0);
	assert_true(json_array_size(json_object_get(first, "responsible")) > 0);
	json_decref(miss);
	json_decref(hl);

	/* bad input names the field */
	json_t *body = json_pack("{s:I,s:f,s:s}", "resident_id", (json_int_t)rid, "temperature", 45.0, "channel", "phone"),
	       *out = NULL;
	assert_int_equal(chk_submit(&w, body, &out), W_EINVAL);
	assert_string_equal(w_last()->field, "temperature");
	json_decref(body);
	body = json_pack("{s:I,s:s,s:s}", "resident_id", (json_int_t)rid, "day", "2999-01-01", "channel", "phone");
	assert_int_equal(chk_submit(&w, body, &out), W_EINVAL);
	assert_string_equal(w_last()->field, "day");
	json_decref(body);
	/* a worker of another grid cannot report for this resident */
	actor other = as(ac, ROLE_GRID_WORKER, "420107003008-G02");
	body = json_pack("{s:I,s:s}", "resident_id", (json_int_t)rid, "channel", "phone");
	assert_int_equal(chk_submit(&other, body, &out), W_ENOTFOUND);
	json_decref(body);
}

static void test_alert_workflow(void **state)
{
	actor *ac = *state;
	/* at 10:00 China time today: run at 23:30 the clock moved on below would be tomorrow,
	 * and the next-day re-check already due */
	char today[11];
	today_str(today);
	int64_t pin = day_at(today, 10, 0) - now_s();
	clock_shift(pin);
	actor w = as(ac, ROLE_GRID_WORKER, "420107003008-G02"), com = as(ac, ROLE_COMMUNITY, "420107003008");
	json_t *hl = households(&w, "420107003008-G02");
	int64_t hid = json_integer_value(json_object_get(json_array_get(json_object_get(hl, "items"), 5), "id"));
	json_decref(hl);
	int64_t ids[16];
	assert_true(living_ids(&w, hid, ids, 16) > 0);
	int64_t rid = ids[0];
	json_t *out = post(&w, "{\"resident_id\":%lld,\"temperature\":36.9,\"symptoms\":[\"cough\"],\"channel\":\"phone\"}",
	                   (long long)rid);
	int64_t aid = json_integer_value(json_object_get(out, "alert_id"));
	assert_true(aid > 0); /* a symptom alone opens an alert */
	json_decref(out);

	/* nobody acknowledges: after 31 minutes it goes one level up */
	rc_config.deadline_minutes = 24 * 60; /* no reminders in this part */
	rollcall_tick(ac->d, ac->a, now_s(), tick_commit_here); /* alerts of the scripted day may escalate */
	json_t *a = NULL;
	assert_int_equal(alert_get(&com, aid, &a), WG_OK);
	assert_int_equal(json_integer_value(json_object_get(a, "level")), 0);
	json_decref(a);
	clock_shift(31 * 60);
	assert_true(rollcall_tick(ac->d, ac->a, now_s(), tick_commit_here) >= 1);
	assert_int_equal(alert_get(&com, aid, &a), WG_OK);
	assert_int_equal(json_integer_value(json_object_get(a, "level")), 1);
	json_decref(a);

	static const char *const steps[] = {
	    "{\"step\":\"outcome\",\"outcome\":\"nonsense\"}",
	    "{\"step\":\"acknowledged\",\"note\":\"已电话联系\"}",
	    "{\"step\":\"acknowledged\"}",
	    "{\"step\":\"assign\",\"door_checker\":\"gw02\"}",
	    "{\"step\":\"clinic_check\",\"note\":\"社区卫生服务站\"}",
	    "{\"step\":\"outcome\",\"outcome\":\"home_observation\"}",
	    "{\"step\":\"door_reading\",\"temperature\":37.0}",
	    "{\"step\":\"close\"}",
	    "{\"step\":\"door_reading\",\"temperature\":36.8}",
	};
	static const werr expect[] = {W_EINVAL, WG_OK, W_ECONFLICT, WG_OK, WG_OK, WG_OK, WG_OK, WG_OK, W_ECONFLICT};
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		json_t *b = json_loads(steps[i], 0, NULL);
		out = NULL;
		werr e = alert_step(&com, aid, b, &out);
		if (e != expect[i])
			fprintf(stderr, "step %zu: %s\n", i, w_last()->message);
		assert_int_equal(e, expect[i]);
		json_decref(b);
		json_decref(out);
	}
	assert_int_equal(alert_get(&com, aid, &a), WG_OK);
	assert_string_equal(json_string_value(json_object_get(a, "state")), "closed");
	assert_string_equal(json_string_value(json_object_get(a, "outcome")), "home_observation");
	assert_non_null(json_string_value(json_object_get(a, "recheck_day")));
	assert_string_equal(json_string_value(json_object_get(json_object_get(a, "door_checker"), "username")), "gw02");
	/* one door reading today; closed, so none is due; the re-check is tomorrow */
	assert_int_equal(json_integer_value(json_object_get(a, "door_readings_today")), 1);
	assert_int_equal(json_integer_value(json_object_get(a, "door_readings_due_today")), 0);
	assert_false(json_is_true(json_object_get(a, "recheck_due")));
	/* opened, escalated, acknowledged, assign, clinic_check, outcome, door_reading, close */
	assert_int_equal(json_array_size(json_object_get(a, "steps")), 8);
	json_decref(a);
	json_t *rec = NULL;
	assert_int_equal(health_record(&com, rid, &rec), WG_OK);
	assert_true(json_is_true(json_object_get(rec, "ever_alerted")));
	json_decref(rec);
	/* outside the community's sight: another grid worker gets 404 */
	actor other = as(ac, ROLE_GRID_WORKER, "420107003008-G01");
	assert_int_equal(alert_get(&other, aid, &a), W_ENOTFOUND);
	clock_shift(-pin - 31 * 60);
}

static void test_reminders(void **state)
{
	actor *ac = *state;
	rc_config.deadline_minutes = 0; /* past the deadline whatever the time */
	int n = rollcall_tick(ac->d, ac->a, now_s(), tick_commit_here);
	assert_true(n > 0); /* every grid still has households unreached */
	assert_int_equal(rollcall_tick(ac->d, ac->a, now_s(), tick_commit_here), 0); /* once a day per grid */
	actor com = as(ac, ROLE_COMMUNITY, "420107003008");
	json_t *out = NULL;
	assert_int_equal(reminder_list(&com, NULL, NULL, &out), WG_OK);
	assert_int_equal(json_integer_value(json_object_get(out, "total")), n);
	json_decref(out);
}

/* One check-in, one exchange with a database server (issue 21): the resident's look-up
 * with the household's lock and the write go in one pipeline — a first reading, a
 * re-check, a correction, one with a client id; in-process (SQLite) none at all.  What is
 * not written as it came (a retry, a reading kept, nothing to correct) goes statement by
 * statement and answers as before; a refusal changes nothing (db_writes), so the writer
 * need not run its batch again.  The counters equal the recount. */
static void test_one_exchange(void **state)
{
	actor *ac = *state;
	const char *grid = "420107003008-G02";
	actor w = as(ac, ROLE_GRID_WORKER, grid);
	char day[11];
	today_str(day);
	json_t *hl = households(&w, grid), *items = json_object_get(hl, "items");
	size_t nh = json_array_size(items);
	assert_true(nh > 4);
	/* the grid's last households: the tests above use its first ones */
	int64_t ids[16], other[16];
	size_t n = 0, n2 = living_ids(&w, json_integer_value(json_object_get(json_array_get(items, nh - 1), "id")), other, 16);
	for (size_t i = nh - 2; i > 0 && n < 2; i--)
		n = living_ids(&w, json_integer_value(json_object_get(json_array_get(items, i), "id")), ids, 16);
	json_decref(hl);
	assert_true(n >= 2 && n2 >= 1);
	/* (a Citus coordinator keeps the per-statement path for now: db_cte_writes) */
	bool counted = !db_remote(w.d) || db_cte_writes(w.d);
	int64_t want = db_remote(w.d) ? 1 : 0, x, writes;
	assert_int_equal(db_begin(w.d), WG_OK);
	stats_batch_begin();
	chk_in in = {.day = day, .status = "reported", .has_temp = true, .temp = 36.6, .channel = "visit"};
	chk_out out;
	/* the worker's district, kept a minute: the first check-in asks for it */
	assert_int_equal(chk_record(&w, other[0], &in, &out), WG_OK);

	x = db_exchanges(w.d);
	assert_int_equal(chk_record(&w, ids[0], &in, &out), WG_OK);
	if (counted)
		assert_int_equal(db_exchanges(w.d) - x, want);
	assert_false(out.corrected);
	assert_false(out.household_reached);
	int64_t first = out.id;

	in.temp = 36.9; /* a re-check: the day's current reading replaced */
	x = db_exchanges(w.d);
	assert_int_equal(chk_record(&w, ids[0], &in, &out), WG_OK);
	if (counted)
		assert_int_equal(db_exchanges(w.d) - x, want);
	assert_true(out.corrected);
	assert_true(out.id > first);

	in.correction = "typo"; /* an explicit correction */
	x = db_exchanges(w.d);
	assert_int_equal(chk_record(&w, ids[0], &in, &out), WG_OK);
	if (counted)
		assert_int_equal(db_exchanges(w.d) - x, want);
	assert_true(out.corrected);
	int64_t current = out.id;

	/* nothing to correct: refused, nothing written */
	writes = db_writes(w.d);
	assert_int_equal(chk_record(&w, ids[1], &in, &out), W_ECONFLICT);
	assert_string_equal(w_last()->code, "nothing_to_correct");
	assert_int_equal(db_writes(w.d), writes);
	assert_true(db_tx_usable(w.d));
	in.correction = NULL;

	/* "everyone else normal" keeps the reading there */
	in.fill_only = true;
	assert_int_equal(chk_record(&w, ids[0], &in, &out), WG_OK);
	assert_true(out.kept);
	assert_int_equal(out.id, current);
	in.fill_only = false;

	in.client_id = "one-exchange-1"; /* from the app: with its client id */
	x = db_exchanges(w.d);
	assert_int_equal(chk_record(&w, ids[1], &in, &out), WG_OK);
	if (counted)
		assert_int_equal(db_exchanges(w.d) - x, want);
	int64_t by_client = out.id;
	assert_int_equal(chk_record(&w, ids[1], &in, &out), WG_OK); /* its retry */
	assert_true(out.duplicate);
	assert_int_equal(out.id, by_client);
	assert_int_equal(chk_record(&w, ids[0], &in, &out), W_ECONFLICT); /* the id of another's */
	assert_string_equal(w_last()->code, "client_id_reused");

	assert_int_equal(stats_job_end(w.d, true), WG_OK);
	assert_int_equal(stats_batch_flush(w.d), WG_OK);
	assert_int_equal(db_commit(w.d), WG_OK);
	expect_equal_counts(ac, grid, day);
	expect_equal_counts(ac, "420107003008", day);
}

/* An account that knows no district (the operator; a city's account: chk_hint -1) checks
 * in in one exchange on plain PostgreSQL too: the look-up by id with the household's lock
 * and the write, both taking the district from the resident's row, in one pipeline — not
 * the resident's district asked first (two exchanges).  Citus keeps that look-up (every
 * statement names its district); in-process there is no exchange.  The same answers: a
 * first reading, a re-check that corrects it, a client id and its retry, a resident that
 * is not there; the counters equal the recount. */
static void test_one_exchange_any_district(void **state)
{
	actor *ac = *state; /* the operator: no unit, no district */
	const char *grid = "420107003008-G02";
	actor w = as(ac, ROLE_GRID_WORKER, grid);
	char day[11];
	today_str(day);
	json_t *hl = households(&w, grid), *items = json_object_get(hl, "items");
	size_t nh = json_array_size(items);
	assert_true(nh > 12);
	int64_t ids[16], hid = 0;
	size_t n = 0;
	/* the grid's middle households: the tests above use its first and last ones */
	for (size_t i = nh / 2; i > 6 && n < 2; i--)
		n = living_ids(&w, hid = json_integer_value(json_object_get(json_array_get(items, i), "id")),
		               ids, 16);
	json_decref(hl);
	assert_true(n >= 2);
	bool counted = !db_remote(ac->d) || db_cte_writes(ac->d);
	int64_t want = db_remote(ac->d) ? 1 : 0, x, writes;
	assert_int_equal(db_begin(ac->d), WG_OK);
	stats_batch_begin();
	chk_in in = {.day = day, .status = "reported", .has_temp = true, .temp = 36.5, .channel = "phone"};
	chk_out out;
	x = db_exchanges(ac->d);
	assert_int_equal(chk_record(ac, ids[0], &in, &out), WG_OK);
	if (counted)
		assert_int_equal(db_exchanges(ac->d) - x, want);
	assert_false(out.corrected);
	assert_int_equal(out.household_id, hid);
	assert_true(out.district_id > 0);
	int64_t first = out.id;

	in.temp = 37.0; /* a re-check */
	x = db_exchanges(ac->d);
	assert_int_equal(chk_record(ac, ids[0], &in, &out), WG_OK);
	if (counted)
		assert_int_equal(db_exchanges(ac->d) - x, want);
	assert_true(out.corrected);
	assert_true(out.id > first);

	in.client_id = "one-exchange-any-1";
	x = db_exchanges(ac->d);
	assert_int_equal(chk_record(ac, ids[1], &in, &out), WG_OK);
	if (counted)
		assert_int_equal(db_exchanges(ac->d) - x, want);
	assert_false(out.duplicate);
	assert_true(out.household_reached == (n == 2));
	int64_t by_client = out.id;
	assert_int_equal(chk_record(ac, ids[1], &in, &out), WG_OK); /* its retry */
	assert_true(out.duplicate);
	assert_int_equal(out.id, by_client);
	in.client_id = NULL;

	/* no such resident: refused, nothing written */
	writes = db_writes(ac->d);
	assert_int_equal(chk_record(ac, INT64_C(900000000), &in, &out), W_ENOTFOUND);
	assert_string_equal(w_last()->code, "resident_not_found");
	assert_int_equal(db_writes(ac->d), writes);

	assert_int_equal(stats_job_end(ac->d, true), WG_OK);
	assert_int_equal(stats_batch_flush(ac->d), WG_OK);
	assert_int_equal(db_commit(ac->d), WG_OK);
	expect_equal_counts(ac, grid, day);
	expect_equal_counts(ac, "420107003008", day);
}

/* ---- a batch's check-ins written together (chk_write_many; the server's writer) ---- */

typedef struct {
	chk_plan *plan;
	werr err;
	char code[48];
	json_t *answer;
} many_job;

static werr many_run(const actor *ac, void *plan, json_t **out)
{
	(void)out;
	return chk_execute(ac, plan, NULL);
}

static werr many_together(db *d, const actor *const *acs, void *const *plans, bool *wrote, size_t n)
{
	return chk_write_many(d, acs, (chk_plan *const *)plans, wrote, n);
}

static void many_done(wjob *j)
{
	json_decref(j->out);
	j->out = NULL;
}

/* Run these check-ins (JSON bodies, each with its actor) as one batch of the server's
 * writer: validated first, as the HTTP threads do, then handed over together. */
static void run_many(actor *root, actor *const *acs, const char *const *bodies, many_job *res, size_t n)
{
	wjob jobs[16];
	assert_true(n <= 16);
	for (size_t i = 0; i < n; i++) {
		json_error_t je;
		json_t *b = json_loads(bodies[i], 0, &je);
		assert_non_null(b);
		res[i] = (many_job){0};
		assert_int_equal(chk_prepare(acs[i], b, &res[i].plan), WG_OK);
		json_decref(b);
		jobs[i] = (wjob){.ac = *acs[i],
		                 .run = many_run,
		                 .together = many_together,
		                 .plan = res[i].plan,
		                 .done = many_done};
		jobs[i].ac.d = NULL;
		jobs[i].next = i + 1 < n ? &jobs[i + 1] : NULL;
	}
	assert_int_equal(writer_run(root->d, jobs), WG_OK);
	for (size_t i = 0; i < n; i++) {
		res[i].err = jobs[i].err;
		snprintf(res[i].code, sizeof res[i].code, "%s", jobs[i].err ? jobs[i].detail.code : "");
		res[i].answer = jobs[i].err ? NULL : chk_answer(res[i].plan);
	}
}

static int64_t ans_int(const many_job *m, const char *key)
{
	json_t *v = json_object_get(m->answer, key);
	return json_is_true(v) ? 1 : json_is_false(v) || json_is_null(v) ? 0 : json_integer_value(v);
}

/* A rush's batch of check-ins goes to the writer as the server hands it: on plain
 * PostgreSQL the plain re-checks of distinct residents, households and client ids are
 * written together in one exchange (chk_write_many), the rest one by one after them — and
 * every answer is the one the one-by-one path gives, on every store: a household's second
 * person, a resident checked twice (the second a re-check of the first), a client id
 * used twice, no such resident, a correction of nothing, a fever that opens an alert, a
 * resident outside the worker's grid; the counters equal the recount.  Then a batch of
 * plain check-ins in distinct households: on plain PostgreSQL far fewer exchanges than
 * check-ins (one each before). */
static void test_many_in_one_exchange(void **state)
{
	actor *ac = *state;
	const char *grid = "420107003008-G01", *community = "420107003008";
	actor w = as(ac, ROLE_GRID_WORKER, grid), other = as(ac, ROLE_GRID_WORKER, "420107003008-G02");
	json_t *hl = households(&w, grid), *items = json_object_get(hl, "items");
	size_t nh = json_array_size(items);
	assert_true(nh > 16);
	/* households with two living people (H1), then with at least one */
	int64_t two[2] = {0}, one[14], ids[16];
	size_t n1 = 0;
	char day[11];
	today_str(day);
	/* households no test has checked in today */
	for (size_t i = nh; i > 0 && (!two[0] || n1 < 14); i--) {
		int64_t hid = json_integer_value(json_object_get(json_array_get(items, i - 1), "id"));
		json_t *had = NULL;
		assert_int_equal(chk_list(&w, 0, hid, day, &had), WG_OK);
		json_int_t readings = json_integer_value(json_object_get(had, "total"));
		json_decref(had);
		if (readings)
			continue;
		size_t n = living_ids(&w, hid, ids, 16);
		if (n == 2 && !two[0]) {
			two[0] = ids[0];
			two[1] = ids[1];
		} else if (n >= 1 && n1 < 14) {
			one[n1++] = ids[0];
		}
	}
	json_decref(hl);
	assert_true(two[0] && n1 == 14);
	actor *as_w[16], *as_other = &other;
	for (int i = 0; i < 16; i++)
		as_w[i] = &w;
	const char *bodies[9] = {
	    arena_printf(w.a, "{\"resident_id\":%lld,\"temperature\":36.6,\"channel\":\"visit\"}",
	                 (long long)two[0]),
	    arena_printf(w.a, "{\"resident_id\":%lld,\"temperature\":37.8,\"channel\":\"visit\"}",
	                 (long long)two[1]),
	    arena_printf(
	        w.a,
	        "{\"resident_id\":%lld,\"temperature\":36.5,\"channel\":\"wechat\",\"client_id\":\"many-1\"}",
	        (long long)one[0]),
	    arena_printf(
	        w.a,
	        "{\"resident_id\":%lld,\"temperature\":36.5,\"channel\":\"wechat\",\"client_id\":\"many-1\"}",
	        (long long)one[1]),
	    arena_printf(w.a, "{\"resident_id\":%lld,\"temperature\":36.9,\"channel\":\"visit\"}",
	                 (long long)two[0]),
	    "{\"resident_id\":900000000,\"temperature\":36.5,\"channel\":\"visit\"}",
	    arena_printf(w.a,
	                 "{\"resident_id\":%lld,\"temperature\":36.5,\"channel\":\"visit\",\"correction\":{"
	                 "\"reason\":\"typo\"}}",
	                 (long long)one[2]),
	    arena_printf(w.a,
	                 "{\"resident_id\":%lld,\"temperature\":38.5,\"channel\":\"visit\",\"symptom_note\":"
	                 "\"头痛 \\\"夜里\\\" ئاغرىق\"}",
	                 (long long)one[3]),
	    arena_printf(w.a, "{\"resident_id\":%lld,\"temperature\":36.5,\"channel\":\"visit\"}",
	                 (long long)one[4]),
	};
	actor *acs[9] = {&w, &w, &w, &w, &w, &w, &w, &w, as_other};
	many_job r[9];
	run_many(ac, acs, bodies, r, 9);
	static const char *const want[9] = {"",
	                                    "",
	                                    "",
	                                    "client_id_reused",
	                                    "",
	                                    "resident_not_found",
	                                    "nothing_to_correct",
	                                    "",
	                                    "resident_not_found"};
	for (int i = 0; i < 9; i++) {
		if (strcmp(r[i].code, want[i]))
			fprintf(stderr, "check-in %d: %s, expected %s\n", i, r[i].code, want[i]);
		assert_string_equal(r[i].code, want[i]);
	}
	assert_int_equal(ans_int(&r[0], "corrected"), 0);
	assert_int_equal(ans_int(&r[0], "household_reached"), 0);
	assert_int_equal(ans_int(&r[1], "fever"), 1);
	assert_int_equal(ans_int(&r[1], "household_reached"), 1); /* the household's second person */
	assert_int_equal(ans_int(&r[1], "alert_id") > 0, 1);
	assert_int_equal(ans_int(&r[4], "corrected"), 1); /* the first one's re-check */
	assert_true(ans_int(&r[4], "checkin_id") > ans_int(&r[0], "checkin_id"));
	assert_int_equal(ans_int(&r[4], "day_fever"), 0);
	assert_int_equal(ans_int(&r[7], "fever"), 1);
	assert_true(ans_int(&r[7], "alert_id") > 0);
	/* what was written is what the one-by-one path writes: the re-check superseded the first
	 * reading, the note as given */
	json_t *list = NULL;
	assert_int_equal(chk_list(&w, two[0], 0, NULL, &list), WG_OK);
	json_t *rows = json_object_get(list, "items"), *row;
	size_t current = 0, i;
	json_array_foreach(rows, i, row)
	{
		if (json_is_true(json_object_get(row, "current"))) {
			current++;
			assert_int_equal(json_integer_value(json_object_get(row, "id")),
			                 ans_int(&r[4], "checkin_id"));
			assert_true(json_real_value(json_object_get(row, "temperature")) == 36.9);
		} else {
			assert_int_equal(json_integer_value(json_object_get(row, "superseded_by")),
			                 ans_int(&r[4], "checkin_id"));
		}
	}
	assert_int_equal(current, 1);
	assert_int_equal(json_array_size(rows), 2);
	json_decref(list);
	list = NULL;
	assert_int_equal(chk_list(&w, one[3], 0, NULL, &list), WG_OK);
	rows = json_object_get(list, "items");
	assert_string_equal(json_string_value(json_object_get(json_array_get(rows, 0), "symptom_note")),
	                    "头痛 \"夜里\" ئاغرىق");
	json_decref(list);
	for (i = 0; i < 9; i++)
		json_decref(r[i].answer);
	expect_equal_counts(ac, grid, day);
	expect_equal_counts(ac, community, day);

	/* ten plain check-ins in ten households */
	const char *b10[10];
	for (i = 0; i < 10; i++)
		b10[i] =
		    arena_printf(w.a, "{\"resident_id\":%lld,\"temperature\":36.%zu,\"channel\":\"phone\"}",
		                 (long long)one[4 + i], i);
	many_job r10[10];
	int64_t x = db_exchanges(ac->d);
	run_many(ac, as_w, b10, r10, 10);
	int64_t used = db_exchanges(ac->d) - x;
	for (i = 0; i < 10; i++) {
		assert_int_equal(r10[i].err, WG_OK);
		json_decref(r10[i].answer);
	}
	if (db_cte_writes(ac->d)) /* begin, the ten together, the counters, the audit, commit */
		assert_true(used <= 6);
	expect_equal_counts(ac, grid, day);
	expect_equal_counts(ac, community, day);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_scripted_day),
	    cmocka_unit_test(test_alert_workflow),
	    cmocka_unit_test(test_reminders),
	    cmocka_unit_test(test_one_exchange),
	    cmocka_unit_test(test_one_exchange_any_district),
	    cmocka_unit_test(test_many_in_one_exchange),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
