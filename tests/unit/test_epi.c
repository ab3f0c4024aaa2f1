/* test_epi.c — the four categories on a real store (SQLite, or PostgreSQL when
 * WANGGE_TEST_PG is set): the transition table allowed and refused, reasons required, the
 * history append-only; isolation periods with a moved clock (end days, extensions, overdue
 * and cancelled follow-ups, release clearing the category); the confirmed-case response
 * (tasks, lockdown, household); counts per unit equal a recount from the rows. */
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
#include "domain/alerts.h"
#include "domain/calendar.h"
#include "domain/demo.h"
#include "domain/epi.h"
#include "domain/registry.h"
#include "domain/response.h"
#include "domain/rollcall.h"
#include "domain/units.h"
#include "testdb.h"

static const char *const grid1 = "420107003008-G01", *community = "420107003008";
static const char *grid2; /* the community's last grid, found in setup */

static int setup(void **state)
{
	actor *ac = testdb_operator("epi");
	if (!ac)
		return -1;
	demo_opts o = {.preset = "qinghe", .households = 700, .seed = 11, .password = "wangge-demo-2026"};
	if (demo_build(ac, &o) != WG_OK)
		return -1;
	json_t *kids = NULL;
	if (unit_children(ac, community, false, &kids) != WG_OK)
		return -1;
	size_t i;
	json_t *k;
	json_array_foreach(json_object_get(kids, "items"), i, k) if (!strcmp(json_string_value(json_object_get(k, "kind")), "grid"))
	    grid2 = arena_strdup(ac->a, json_string_value(json_object_get(k, "code")));
	json_decref(kids);
	if (!grid2 || !strcmp(grid2, grid1))
		return -1;
	*state = ac;
	return 0;
}

static int teardown(void **state)
{
	if (*state)
		testdb_operator_free(*state);
	return 0;
}

static json_t *body(actor *ac, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *txt = arena_vprintf(ac->a, fmt, ap);
	va_end(ap);
	json_error_t je;
	json_t *b = json_loads(txt, 0, &je);
	assert_non_null(b);
	return b;
}

/* Set a category; returns the error (the detail's code is checked by callers). */
static werr set_status(actor *ac, int64_t rid, const char *cat, const char *reason, const char *note)
{
	json_t *b = body(ac, note ? "{\"category\":\"%s\",\"reason\":\"%s\",\"note\":\"%s\"}" : "{\"category\":\"%s\",\"reason\":\"%s\"}",
	                 cat, reason, note), *out = NULL;
	werr e = epi_status_post(ac, rid, b, &out);
	json_decref(b);
	json_decref(out);
	return e;
}

/* The living residents of a grid, in id order: at most cap ids, one per household when
 * one_per_household (so people do not pull each other in by the household rule). */
static size_t residents_of(actor *ac, const char *unit, int64_t *ids, size_t cap, bool one_per_household)
{
	json_t *list = NULL;
	assert_int_equal(hh_list(ac, unit, 500, 0, false, &list), WG_OK);
	size_t n = 0, i;
	json_t *h;
	json_array_foreach(json_object_get(list, "items"), i, h)
	{
		json_t *hh = NULL;
		assert_int_equal(hh_get(ac, json_integer_value(json_object_get(h, "id")), &hh), WG_OK);
		size_t k;
		json_t *r;
		json_array_foreach(json_object_get(hh, "residents"), k, r)
		{
			const char *res = json_string_value(json_object_get(r, "residence"));
			if (n < cap && !strcmp(res, "living")) {
				ids[n++] = json_integer_value(json_object_get(r, "id"));
				if (one_per_household)
					break;
			}
		}
		json_decref(hh);
		if (n == cap)
			break;
	}
	json_decref(list);
	return n;
}

static void test_transitions(void **state)
{
	actor *ac = *state;
	int64_t ids[8];
	assert_int_equal(residents_of(ac, grid2, ids, 8, true), 8);
	int64_t p = ids[0];
	/* reasons: required, from the list, a note for correction and other */
	assert_int_equal(set_status(ac, p, "suspected", "because", NULL), W_EINVAL);
	assert_string_equal(w_last()->code, "invalid_reason");
	assert_int_equal(set_status(ac, p, "sick", "symptoms", NULL), W_EINVAL);
	assert_string_equal(w_last()->code, "invalid_category");
	assert_int_equal(set_status(ac, p, "suspected", "other", NULL), W_EINVAL);
	assert_string_equal(w_last()->field, "note");
	json_t *b = body(ac, "{\"category\":\"suspected\"}"), *out = NULL;
	assert_int_equal(epi_status_post(ac, p, b, &out), W_EINVAL);
	assert_string_equal(w_last()->field, "reason");
	json_decref(b);
	/* the table: allowed and refused */
	static const struct {
		const char *to, *reason;
		werr want;
	} steps[] = {
	    {"recovered_observation", "discharged", W_ECONFLICT}, /* nobody recovers without a case */
	    {"cleared", "test_negative", W_ECONFLICT},             /* nothing to clear */
	    {"travel_observation", "travel_history", WG_OK},
	    {"travel_observation", "travel_history", W_ECONFLICT}, /* same category */
	    {"fever_unexcluded", "fever_alert", WG_OK},
	    {"travel_observation", "symptoms", W_ECONFLICT},       /* not back down */
	    {"suspected", "symptoms", WG_OK},
	    {"confirmed", "test_positive", WG_OK},
	    {"cleared", "test_negative", W_ECONFLICT},             /* a case is not cleared */
	    {"recovered_observation", "discharged", WG_OK},
	    {"cleared", "observation_complete", WG_OK},
	    {"close_contact", "contact_tracing", WG_OK},           /* a new episode */
	};
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		werr e = set_status(ac, p, steps[i].to, steps[i].reason, NULL);
		if (e != steps[i].want)
			fprintf(stderr, "step %zu → %s: got %d (%s)\n", i, steps[i].to, e, e ? w_last()->code : "ok");
		assert_int_equal(e, steps[i].want);
	}
	/* a correction may make any change, with a note */
	assert_int_equal(set_status(ac, p, "travel_observation", "correction", NULL), W_EINVAL);
	assert_int_equal(set_status(ac, p, "travel_observation", "correction", "录入错误"), WG_OK);
	/* the history: every accepted change, oldest first, before/after */
	assert_int_equal(epi_status_get(ac, p, &out), WG_OK);
	json_t *h = json_object_get(out, "history");
	assert_int_equal(json_array_size(h), 8);
	assert_true(json_is_null(json_object_get(json_array_get(h, 0), "from")));
	assert_string_equal(json_string_value(json_object_get(json_array_get(h, 0), "to")), "travel_observation");
	for (size_t i = 1; i < json_array_size(h); i++)
		assert_string_equal(json_string_value(json_object_get(json_array_get(h, i), "from")),
		                    json_string_value(json_object_get(json_array_get(h, i - 1), "to")));
	assert_string_equal(json_string_value(json_object_get(out, "category")), "travel_observation");
	json_decref(out);
	/* the store refuses to rewrite it */
	assert_int_not_equal(db_exec(ac->d, "UPDATE status_history SET reason = 'other'"), WG_OK);
	assert_int_not_equal(db_exec(ac->d, "DELETE FROM status_history"), WG_OK);
	assert_int_equal(epi_status_get(ac, p, &out), WG_OK);
	assert_int_equal(json_array_size(json_object_get(out, "history")), 8);
	json_decref(out);
}

static int64_t iso_of(actor *ac, int64_t rid)
{
	json_t *b = NULL;
	assert_int_equal(epi_isolation_brief(ac->d, rid, &b), WG_OK);
	int64_t id = json_is_object(b) ? json_integer_value(json_object_get(b, "id")) : 0;
	json_decref(b);
	return id;
}

static json_t *followups(actor *ac, const char *state)
{
	json_t *out = NULL;
	assert_int_equal(fu_list(ac, grid2, state, NULL, NULL, 500, 0, &out), WG_OK);
	return out;
}

static void test_isolation_with_clock(void **state)
{
	actor *ac = *state;
	int64_t ids[12];
	assert_int_equal(residents_of(ac, grid2, ids, 12, true), 12);
	int64_t p = ids[9];
	/* no category, no isolation */
	json_t *b = body(ac, "{\"resident_id\":%lld,\"kind\":\"home\"}", (long long)p), *out = NULL;
	assert_int_equal(iso_post(ac, b, &out), W_ECONFLICT);
	assert_string_equal(w_last()->code, "no_category");
	json_decref(b);
	assert_int_equal(set_status(ac, p, "travel_observation", "travel_history", NULL), WG_OK);
	b = body(ac, "{\"resident_id\":%lld,\"kind\":\"centralised\"}", (long long)p);
	assert_int_equal(iso_post(ac, b, &out), W_EINVAL);
	assert_string_equal(w_last()->field, "site");
	json_decref(b);
	/* the configured length: end = start + days − 1 */
	assert_int_equal(db_exec(ac->d, "INSERT INTO settings(key, value) VALUES ('isolation_days.travel_observation', '10')"),
	                 WG_OK);
	char today[11], end[11];
	today_str(today);
	b = body(ac, "{\"resident_id\":%lld,\"kind\":\"home\",\"notice_signed\":true}", (long long)p);
	assert_int_equal(iso_post(ac, b, &out), WG_OK);
	json_decref(b);
	day_add(today, 9, end);
	assert_string_equal(json_string_value(json_object_get(out, "end_day")), end);
	assert_false(json_is_null(json_object_get(out, "notice_signed_at")));
	int64_t iso = json_integer_value(json_object_get(out, "id"));
	int64_t total = json_integer_value(json_object_get(json_object_get(out, "followups"), "total"));
	/* two a day, from now on: 18 slots for the 9 later days, plus today's still ahead */
	assert_true(total >= 18 && total <= 20);
	json_decref(out);
	b = body(ac, "{\"resident_id\":%lld,\"kind\":\"home\"}", (long long)p);
	assert_int_equal(iso_post(ac, b, &out), W_ECONFLICT);
	assert_string_equal(w_last()->code, "already_isolated");
	json_decref(b);
	/* extension: reason required, the end moves, slots are added */
	b = body(ac, "{\"action\":\"extend\",\"days\":7}");
	assert_int_equal(iso_action(ac, iso, b, &out), W_EINVAL);
	assert_string_equal(w_last()->field, "reason");
	json_decref(b);
	b = body(ac, "{\"action\":\"extend\",\"days\":7,\"reason\":\"同住人转为密接\"}");
	assert_int_equal(iso_action(ac, iso, b, &out), WG_OK);
	json_decref(b);
	day_add(today, 16, end);
	assert_string_equal(json_string_value(json_object_get(out, "end_day")), end);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(out, "followups"), "total")), total + 14);
	json_decref(out);
	/* a day later nothing was recorded: yesterday's slots (and today's morning) are overdue */
	json_t *ov = followups(ac, "overdue");
	assert_int_equal(json_integer_value(json_object_get(ov, "total")), 0);
	json_decref(ov);
	clock_shift(86400 + 13 * 3600);
	ov = followups(ac, "overdue");
	int64_t overdue = json_integer_value(json_object_get(ov, "total"));
	assert_true(overdue >= 2);
	json_t *first = json_array_get(json_object_get(ov, "items"), 0);
	assert_string_equal(json_string_value(json_object_get(first, "state")), "overdue");
	int64_t fid = json_integer_value(json_object_get(first, "id"));
	json_decref(ov);
	b = body(ac, "{\"temperature\":36.6,\"needs\":\"降压药\"}");
	assert_int_equal(fu_record(ac, fid, b, &out), WG_OK);
	assert_string_equal(json_string_value(json_object_get(out, "state")), "done");
	json_decref(out);
	assert_int_equal(fu_record(ac, fid, b, &out), W_ECONFLICT);
	assert_string_equal(w_last()->code, "already_done");
	json_decref(b);
	b = body(ac, "{\"temperature\":45}");
	assert_int_equal(fu_record(ac, fid + 1, b, &out), W_EINVAL);
	json_decref(b);
	ov = followups(ac, "overdue");
	assert_int_equal(json_integer_value(json_object_get(ov, "total")), overdue - 1);
	/* a fever at a follow-up opens a roll-call alert */
	int64_t fid2 = 0;
	size_t k;
	json_t *it;
	json_array_foreach(json_object_get(ov, "items"), k, it) if (!fid2 && json_integer_value(json_object_get(it, "resident_id")) == p)
	    fid2 = json_integer_value(json_object_get(it, "id"));
	json_decref(ov);
	assert_true(fid2 > 0);
	b = body(ac, "{\"temperature\":38.4,\"symptoms\":[\"cough\"]}");
	assert_int_equal(fu_record(ac, fid2, b, &out), WG_OK);
	json_decref(b);
	assert_true(json_is_true(json_object_get(out, "fever")));
	int64_t alert = json_integer_value(json_object_get(out, "alert_id"));
	assert_true(alert > 0);
	json_decref(out);
	json_t *al = NULL;
	assert_int_equal(alert_get(ac, alert, &al), WG_OK);
	assert_int_equal(json_integer_value(json_object_get(al, "resident_id")), p);
	assert_string_equal(json_string_value(json_object_get(al, "state")), "open");
	json_decref(al);
	overdue--;
	json_t *counts = NULL;
	assert_int_equal(epi_counts(ac, grid2, &counts), WG_OK);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(counts, "total"), "overdue_followups")),
	                 overdue - 1);
	json_decref(counts);
	/* release before the end needs a note; it cancels what is left and clears the person */
	b = body(ac, "{\"action\":\"release\"}");
	assert_int_equal(iso_action(ac, iso, b, &out), W_EINVAL);
	assert_string_equal(w_last()->field, "note");
	json_decref(b);
	b = body(ac, "{\"action\":\"release\",\"note\":\"核酸两次阴性\"}");
	assert_int_equal(iso_action(ac, iso, b, &out), WG_OK);
	assert_string_equal(json_string_value(json_object_get(out, "state")), "released");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(out, "followups"), "due")), 0);
	json_decref(out);
	assert_int_equal(iso_action(ac, iso, b, &out), W_ECONFLICT);
	assert_string_equal(w_last()->code, "isolation_released");
	json_decref(b);
	const char *cat;
	assert_int_equal(epi_current(ac, p, &cat), WG_OK);
	assert_string_equal(cat, "cleared");
	assert_int_equal(iso_of(ac, p), 0);
	clock_shift(-(86400 + 13 * 3600));
}

static void test_confirmed_response(void **state)
{
	actor *ac = *state;
	int64_t ids[64];
	size_t n = residents_of(ac, grid1, ids, 64, false);
	assert_true(n > 10);
	/* someone sharing a household with others */
	int64_t p = 0, hid = 0;
	for (size_t i = 0; i + 1 < n && !p; i++) {
		json_t *a = NULL, *b = NULL;
		assert_int_equal(res_get(ac, ids[i], &a), WG_OK);
		assert_int_equal(res_get(ac, ids[i + 1], &b), WG_OK);
		if (json_equal(json_object_get(a, "household_id"), json_object_get(b, "household_id"))) {
			p = ids[i];
			hid = json_integer_value(json_object_get(a, "household_id"));
		}
		json_decref(a);
		json_decref(b);
	}
	assert_true(p != 0);
	/* suspected, in hospital: not admitted drops to zero for them */
	assert_int_equal(set_status(ac, p, "suspected", "symptoms", NULL), WG_OK);
	json_t *b = body(ac, "{\"resident_id\":%lld,\"kind\":\"hospital\",\"site\":\"金银潭医院\"}", (long long)p), *out = NULL;
	assert_int_equal(iso_post(ac, b, &out), WG_OK);
	json_decref(b);
	assert_true(json_array_size(json_object_get(out, "household")) >= 1); /* the household rule */
	json_decref(out);
	json_t *st = NULL;
	assert_int_equal(epi_status_post(ac, p, b = body(ac, "{\"category\":\"confirmed\",\"reason\":\"test_positive\"}"), &st),
	                 WG_OK);
	json_decref(b);
	json_t *tasks = json_object_get(st, "tasks");
	assert_int_equal(json_array_size(tasks), 4);
	const char *kinds[4];
	for (size_t i = 0; i < 4; i++)
		kinds[i] = json_string_value(json_object_get(json_array_get(tasks, i), "kind"));
	assert_string_equal(kinds[1], "disinfection");
	assert_string_equal(json_string_value(json_object_get(json_array_get(tasks, 3), "state")), "done");
	int64_t disinfect = json_integer_value(json_object_get(json_array_get(tasks, 1), "id"));
	json_decref(st);
	/* every other member of the household is a close contact under observation */
	json_t *hh = NULL;
	assert_int_equal(hh_get(ac, hid, &hh), WG_OK);
	size_t i;
	json_t *r;
	json_array_foreach(json_object_get(hh, "residents"), i, r)
	{
		int64_t id = json_integer_value(json_object_get(r, "id"));
		if (id == p || strcmp(json_string_value(json_object_get(r, "residence")), "living") != 0)
			continue;
		const char *cat;
		assert_int_equal(epi_current(ac, id, &cat), WG_OK);
		assert_string_equal(cat, "close_contact");
		assert_true(iso_of(ac, id) != 0);
	}
	json_decref(hh);
	/* the building is locked down, and it shows in coverage */
	json_t *cov = NULL;
	assert_int_equal(coverage_get(ac, grid1, NULL, &cov), WG_OK);
	json_t *locks = json_object_get(cov, "lockdowns");
	assert_true(json_array_size(locks) >= 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(locks, 0), "level")), "building");
	json_decref(cov);
	/* disinfection is done with its place, team and photo note */
	b = body(ac, "{\"action\":\"done\"}");
	assert_int_equal(task_action(ac, disinfect, b, &out), W_EINVAL);
	assert_string_equal(w_last()->field, "team");
	json_decref(b);
	b = body(ac, "{\"action\":\"done\",\"team\":\"街道消杀队\",\"photo_note\":\"1单元楼道喷洒,照片已存\"}");
	assert_int_equal(task_action(ac, disinfect, b, &out), WG_OK);
	assert_string_equal(json_string_value(json_object_get(out, "state")), "done");
	json_decref(out);
	assert_int_equal(task_action(ac, disinfect, b, &out), W_ECONFLICT);
	json_decref(b);
	/* late tasks: three hours on, the close-contact task (2 h) is late, the notice (6 h) is not */
	clock_shift(3 * 3600);
	json_t *tl = NULL;
	assert_int_equal(task_list(ac, grid1, "late", 100, 0, &tl), WG_OK);
	assert_int_equal(json_integer_value(json_object_get(tl, "total")), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(tl, "items"), 0), "kind")),
	                    "contacts_observation");
	json_decref(tl);
	clock_shift(-3 * 3600);
	/* a confirmed case cannot simply be released */
	b = body(ac, "{\"action\":\"release\",\"note\":\"x\"}");
	assert_int_equal(iso_action(ac, iso_of(ac, p), b, &out), W_ECONFLICT);
	assert_string_equal(w_last()->code, "still_a_case");
	json_decref(b);
}

/* Counts per unit equal a recount from the rows, for the community and every child. */
static void test_counts_equal_recount(void **state)
{
	actor *ac = *state;
	json_t *c = NULL;
	assert_int_equal(epi_counts(ac, community, &c), WG_OK);
	json_t *rows = json_array();
	json_array_append(rows, json_object_get(c, "total"));
	json_array_extend(rows, json_object_get(c, "children"));
	size_t i;
	json_t *row;
	int64_t sum_four = 0;
	json_array_foreach(rows, i, row)
	{
		unit_row u;
		assert_int_equal(unit_find(ac, json_string_value(json_object_get(row, "unit")), &u), WG_OK);
		const char *up = scope_upper(ac->a, u.path);
		db_stmt *s = db_prepare(ac->d, "SELECT s.category, r.id FROM epi_status s JOIN residents r ON r.id = s.resident_id"
		                                " JOIN households h ON h.id = r.household_id JOIN units u ON u.id = h.unit_id"
		                                " WHERE u.path >= $1 AND u.path < $2 AND r.moved_out_at IS NULL");
		assert_non_null(s);
		db_bind_text(s, 1, u.path);
		db_bind_text(s, 2, up);
		json_t *counts = json_object();
		int64_t four = 0, not_admitted = 0;
		werr e;
		int64_t rids[512];
		char cats[512][32];
		size_t nr = 0;
		while (db_step(s, &e) == DB_ROW && nr < 512) {
			snprintf(cats[nr], sizeof cats[nr], "%s", db_text(s, 0));
			rids[nr++] = db_int(s, 1);
		}
		db_finalize(s);
		for (size_t k = 0; k < nr; k++) {
			json_object_set_new(counts, cats[k], json_integer(json_integer_value(json_object_get(counts, cats[k])) + 1));
			if (epi_in_four(cats[k])) {
				four++;
				json_t *iso = NULL;
				assert_int_equal(epi_isolation_brief(ac->d, rids[k], &iso), WG_OK);
				const char *kind = json_is_object(iso)
				                       ? json_string_value(json_object_get(iso, "kind"))
				                       : "home";
				if (!strcmp(kind, "home"))
					not_admitted++;
				json_decref(iso);
			}
		}
		const char *key;
		json_t *v;
		json_object_foreach(json_object_get(row, "counts"), key, v)
		{
			if (json_integer_value(v) != json_integer_value(json_object_get(counts, key)))
				fprintf(stderr, "%s %s: %lld vs recount %lld\n", u.code, key, (long long)json_integer_value(v),
				        (long long)json_integer_value(json_object_get(counts, key)));
			assert_int_equal(json_integer_value(v), json_integer_value(json_object_get(counts, key)));
		}
		assert_int_equal(json_integer_value(json_object_get(row, "four_categories")), four);
		assert_int_equal(json_integer_value(json_object_get(row, "not_admitted")), not_admitted);
		if (i > 0)
			sum_four += four;
		else
			assert_true(four > 0);
		json_decref(counts);
	}
	/* the children add up to the whole (every household is under some grid) */
	assert_int_equal(sum_four, json_integer_value(json_object_get(json_object_get(c, "total"), "four_categories")));
	json_decref(rows);
	json_decref(c);
}

/* Every row a counts or list statement answers for the subtree at path, as text, sorted
 * (the list's own order is checked as it comes: it has an ORDER BY). */
static json_t *answer(actor *ac, sql_id id, const char *path, const char *third, int64_t third_int, int list)
{
	db_stmt *s = db_get(ac->d, id);
	db_bind_text(s, 1, path);
	db_bind_text(s, 2, scope_upper(ac->a, path));
	if (list == 2) { /* a follow-up worklist: anyone's, today's and overdue ones */
		char today[11];
		today_str(today);
		db_bind_int(s, 3, 0);
		db_bind_text(s, 4, today);
		db_bind_int(s, 5, third_int);
		db_bind_text(s, 6, third);
		db_bind_int(s, 7, 1000);
		db_bind_int(s, 8, 0);
	} else {
		if (third)
			db_bind_text(s, 3, third);
		else
			db_bind_int(s, 3, third_int);
		if (list) {
			db_bind_int(s, 4, 1000);
			db_bind_int(s, 5, 0);
		}
	}
	json_t *rows = json_array();
	werr e;
	while (db_step(s, &e) == DB_ROW) {
		char line[1024] = "";
		for (int c = 0; c < db_columns(s); c++) {
			const char *t = db_text(s, c);
			size_t n = strlen(line);
			snprintf(line + n, sizeof line - n, "%s|", t ? t : "NULL");
		}
		json_array_append_new(rows, json_string(line));
	}
	db_done(s);
	if (!list) { /* grouped rows come in any order */
		size_t n = json_array_size(rows);
		for (size_t i = 1; i < n; i++)
			for (size_t j = i; j > 0 && strcmp(json_string_value(json_array_get(rows, j - 1)),
			                                   json_string_value(json_array_get(rows, j))) > 0; j--) {
				json_t *t = json_incref(json_array_get(rows, j));
				json_array_set(rows, j, json_array_get(rows, j - 1));
				json_array_set_new(rows, j - 1, t);
			}
	}
	return rows;
}

/* The two orders of each query over the people in a category (from the people, from the
 * unit's households: epi.c picks by the subtree's size) answer exactly the same. */
static void both_orders_agree(actor *ac, const char *path)
{
	char today[11];
	today_str(today);
	static const struct {
		sql_id people, unit;
		int third; /* 0 today, 1 now, 2 filter '' (a list's count), 3 a list, 4 a worklist's count, 5 a worklist */
	} pairs[] = {{SQL_EPI_COUNTS, SQL_EPI_COUNTS_UNIT, 0},
	             {SQL_ISO_COUNTS, SQL_ISO_COUNTS_UNIT, 0},
	             {SQL_FU_OVERDUE_COUNT, SQL_FU_OVERDUE_COUNT_UNIT, 1},
	             {SQL_EPI_PEOPLE_COUNT, SQL_EPI_PEOPLE_COUNT_UNIT, 2},
	             {SQL_EPI_PEOPLE, SQL_EPI_PEOPLE_UNIT, 3},
	             {SQL_ISO_COUNT, SQL_ISO_COUNT_UNIT, 2},
	             {SQL_ISO_LIST, SQL_ISO_LIST_UNIT, 3},
	             {SQL_FU_COUNT, SQL_FU_COUNT_UNIT, 4},
	             {SQL_FU_LIST, SQL_FU_LIST_UNIT, 5}};
	for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
		int k = pairs[i].third;
		const char *third = k == 0 ? today : k == 1 ? NULL : k >= 4 ? "all" : "";
		int list = k == 3 ? 1 : k >= 4 ? 2 : 0;
		json_t *a = answer(ac, pairs[i].people, path, third, now_s() + 86400, list);
		json_t *b = answer(ac, pairs[i].unit, path, third, now_s() + 86400, list);
		if (!json_equal(a, b))
			fprintf(stderr, "query pair %zu differs at %s: %zu vs %zu rows\n", i, path, json_array_size(a),
			        json_array_size(b));
		assert_true(json_equal(a, b));
		assert_true(json_array_size(a) > 0);
		json_decref(a);
		json_decref(b);
	}
}

/* The demo's day of the four categories runs through and adds up. */
static void test_demo_outbreak(void **state)
{
	actor *ac = *state;
	demo_outbreak_summary sum;
	werr e = demo_outbreak(ac, community, &sum);
	if (e)
		fprintf(stderr, "demo_outbreak: %s %s\n", w_last()->code, w_last()->message);
	assert_int_equal(e, WG_OK);
	assert_int_equal(sum.list_rows, 50);
	assert_int_equal(sum.matched + sum.to_review + sum.unmatched, 50);
	assert_true(sum.matched >= 38 && sum.to_review >= 5 && sum.unmatched >= 4);
	assert_int_equal(sum.tasks, 4);
	assert_int_equal(sum.contacts, 3);
	assert_int_equal(sum.followups_overdue, 2);
	json_t *c = NULL;
	assert_int_equal(epi_counts(ac, community, &c), WG_OK);
	json_t *t = json_object_get(c, "total");
	assert_true(json_integer_value(json_object_get(json_object_get(t, "counts"), "confirmed")) >= 1);
	assert_true(json_integer_value(json_object_get(json_object_get(t, "counts"), "travel_observation")) >= 30);
	assert_true(json_integer_value(json_object_get(t, "overdue_followups")) >= 2);
	json_decref(c);
	unit_row u;
	assert_int_equal(unit_find(ac, community, &u), WG_OK);
	both_orders_agree(ac, u.path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_transitions),
	    cmocka_unit_test(test_isolation_with_clock),
	    cmocka_unit_test(test_confirmed_response),
	    cmocka_unit_test(test_counts_equal_recount),
	    cmocka_unit_test(test_demo_outbreak),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
