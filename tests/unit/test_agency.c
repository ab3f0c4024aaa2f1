/* test_agency.c — other agencies' lists on a real store (the qinghe demo): every row kept
 * and matched against the list's unit only — exactly by ID number (observation starts at
 * once, from the arrival day, unless the period is already over), probably by name and
 * phone or name and address (to review), else unmatched; a reviewed row confirmed (its
 * observation starts), rejected with a note, or refused when outside the list's unit or
 * already resolved; lists seen within scope only. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/csv.h"
#include "core/util.h"
#include "domain/agency.h"
#include "domain/calendar.h"
#include "domain/epi.h"
#include "testdb.h"

#define COMMUNITY "420107003008"

static int setup(void **state)
{
	actor *ac = testdb_demo("agency", 600, 7);
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

typedef struct {
	int64_t id;
	const char *name, *id_number, *phone, *room;
} who;

static who resident(const actor *ac, int64_t rid)
{
	json_t *r = NULL;
	assert_int_equal(res_get(ac, rid, &r), WG_OK);
	json_t *idn = json_object_get(r, "id_number"), *ph = json_object_get(r, "phone");
	who w = {rid, arena_strdup(ac->a, json_string_value(json_object_get(r, "name"))),
	         json_is_string(idn) ? arena_strdup(ac->a, json_string_value(idn)) : NULL,
	         json_is_string(ph) ? arena_strdup(ac->a, json_string_value(ph)) : NULL,
	         arena_strdup(ac->a, json_string_value(json_object_get(r, "room")))};
	json_decref(r);
	return w;
}

/* The first resident of an unused household of the entrance passing pred. */
static int skip_at = 0;
static who pick(const actor *ac, const char *entrance, bool (*pred)(const who *))
{
	for (;;) {
		int64_t ids[16];
		size_t n;
		assert_true(testdb_household(ac, entrance, 1, skip_at++, ids, 16, &n) > 0);
		who w = resident(ac, ids[0]);
		if (pred(&w))
			return w;
	}
}

static bool has_id(const who *w)
{
	return w->id_number && strlen(w->id_number) == 18;
}

static bool has_mobile(const who *w)
{
	return w->phone && strlen(w->phone) == 11 && w->phone[0] == '1';
}

static bool any(const who *w)
{
	(void)w;
	return true;
}

static const char *day_back(int n, char out[11])
{
	char t[32];
	fmt_time(now_s() - (int64_t)n * 86400, t);
	memcpy(out, t, 10);
	out[10] = 0;
	return out;
}

static json_t *import(const actor *ac, const char *unit, const char *csv)
{
	csv_reader *r = NULL;
	bool conv;
	assert_int_equal(csv_open_mem(csv, strlen(csv), &r, &conv), WG_OK);
	json_t *out = NULL;
	werr e = list_import(ac, unit, "公安推送", "travel_observation", r, &out);
	csv_close(r);
	assert_int_equal(e, WG_OK);
	return out;
}

static int64_t num(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

/* The list's rows by line (1 = the first data row). */
static json_t *row_of(const actor *ac, int64_t list, int64_t line)
{
	json_t *rows = NULL;
	assert_int_equal(list_rows(ac, list, NULL, 100, 0, &rows), WG_OK);
	size_t i;
	json_t *r, *found = NULL;
	json_array_foreach(json_object_get(rows, "items"), i, r) if (num(r, "line") == line + 1) found = json_incref(r);
	json_decref(rows);
	assert_non_null(found);
	return found;
}

static int64_t isolation(const actor *ac, int64_t rid)
{
	json_t *b = NULL;
	assert_int_equal(epi_isolation_brief(ac->d, rid, &b), WG_OK);
	int64_t id = json_is_object(b) ? num(b, "id") : 0;
	json_decref(b);
	return id;
}

static void test_matching_and_review(void **state)
{
	actor *root = *state;
	actor sec = testdb_actor(root, ROLE_COMMUNITY, COMMUNITY);
	who exact = pick(root, COMMUNITY "-B01-U1", has_id), old = pick(root, COMMUNITY "-B01-U1", has_id),
	    byphone = pick(root, COMMUNITY "-B02-U1", has_mobile), byaddr = pick(root, COMMUNITY "-B01-U1", any),
	    far = pick(root, COMMUNITY "-B03-U1", has_id), confirm_far = pick(root, COMMUNITY "-B03-U1", any);
	char d2[11], d20[11];
	day_back(2, d2);
	day_back(20, d20);
	const char *csv = arena_printf(
	    root->a,
	    "姓名,身份证号,手机号,地址,抵达日期,来源\n"
	    "%s,%s,,,%s,武汉站\n"         /* 1 exact: observation from two days ago */
	    "%s,%s,,,%s,武汉站\n"         /* 2 exact, but 20 days ago: the period is over */
	    "%s,,%s,,%s,汉口站\n"         /* 3 name and phone: to review */
	    "%s,,,青和居1栋%s,%s,天河机场\n" /* 4 name and address: to review */
	    "%s,%s,,,%s,武昌站\n"         /* 5 grid 2's resident on a grid 1 list: unmatched */
	    "路人甲,,,,%s,武昌站\n",       /* 6 nobody */
	    exact.name, exact.id_number, d2, old.name, old.id_number, d20, byphone.name, byphone.phone, d2, byaddr.name,
	    byaddr.room, d2, far.name, far.id_number, d2, d2);
	json_t *out = import(&sec, COMMUNITY "-G01", csv);
	assert_int_equal(num(out, "rows"), 6);
	assert_int_equal(num(out, "matched"), 2);
	assert_int_equal(num(out, "to_review"), 2);
	assert_int_equal(num(out, "unmatched"), 2);
	assert_int_equal(num(out, "observation_started"), 1);
	int64_t list = num(out, "id");
	json_decref(out);
	/* the exact match is under observation from the arrival day, in the list's category */
	const char *cat = NULL;
	assert_int_equal(epi_current(&sec, exact.id, &cat), WG_OK);
	assert_string_equal(cat, "travel_observation");
	assert_true(isolation(&sec, exact.id) > 0);
	json_t *r = row_of(&sec, list, 1);
	assert_string_equal(json_string_value(json_object_get(r, "state")), "matched");
	assert_string_equal(json_string_value(json_object_get(r, "match")), "id_number");
	assert_int_equal(num(r, "resident_id"), exact.id);
	assert_true(num(r, "isolation_id") > 0);
	json_decref(r);
	/* the old arrival: matched, nothing started */
	assert_int_equal(epi_current(&sec, old.id, &cat), WG_OK);
	assert_null(cat);
	assert_int_equal(isolation(&sec, old.id), 0);
	r = row_of(&sec, list, 2);
	assert_string_equal(json_string_value(json_object_get(r, "note")), "period_over");
	json_decref(r);
	/* the probable ones wait, naming how they matched and their candidates */
	r = row_of(&sec, list, 3);
	assert_string_equal(json_string_value(json_object_get(r, "state")), "to_review");
	assert_string_equal(json_string_value(json_object_get(r, "match")), "name_phone");
	int64_t phone_row = num(r, "row");
	json_decref(r);
	r = row_of(&sec, list, 4);
	assert_string_equal(json_string_value(json_object_get(r, "state")), "to_review");
	assert_string_equal(json_string_value(json_object_get(r, "match")), "name_address");
	int64_t addr_row = num(r, "row");
	json_decref(r);
	r = row_of(&sec, list, 5);
	assert_string_equal(json_string_value(json_object_get(r, "state")), "unmatched");
	int64_t far_row = num(r, "row");
	json_decref(r);
	assert_null((epi_current(&sec, far.id, &cat), cat));
	json_t *rows = NULL;
	assert_int_equal(list_rows(&sec, list, "to_review", 100, 0, &rows), WG_OK);
	assert_int_equal(num(rows, "total"), 2);
	json_decref(rows);
	assert_int_equal(list_rows(&sec, list, "maybe", 100, 0, &rows), W_EINVAL);
	assert_string_equal(w_last()->field, "state");

	/* review: confirming starts observation; once */
	json_t *b = json_pack("{s:s,s:I}", "action", "confirm", "resident_id", (json_int_t)byphone.id);
	assert_int_equal(list_resolve(&sec, list, phone_row, b, &out), WG_OK);
	assert_string_equal(json_string_value(json_object_get(out, "state")), "confirmed");
	json_decref(out);
	assert_int_equal(epi_current(&sec, byphone.id, &cat), WG_OK);
	assert_string_equal(cat, "travel_observation");
	assert_true(isolation(&sec, byphone.id) > 0);
	assert_int_equal(list_resolve(&sec, list, phone_row, b, &out), W_ECONFLICT);
	assert_string_equal(w_last()->code, "already_resolved");
	json_decref(b);
	/* a resident outside the list's unit cannot be the one */
	b = json_pack("{s:s,s:I}", "action", "confirm", "resident_id", (json_int_t)confirm_far.id);
	assert_int_equal(list_resolve(&sec, list, far_row, b, &out), W_EINVAL);
	assert_string_equal(w_last()->code, "outside_list_unit");
	json_decref(b);
	/* rejecting says why; an unknown action is refused */
	b = json_pack("{s:s}", "action", "reject");
	assert_int_equal(list_resolve(&sec, list, addr_row, b, &out), W_EINVAL);
	assert_string_equal(w_last()->field, "note");
	json_decref(b);
	b = json_pack("{s:s}", "action", "ignore");
	assert_int_equal(list_resolve(&sec, list, addr_row, b, &out), W_EINVAL);
	assert_string_equal(w_last()->code, "invalid_action");
	json_decref(b);
	b = json_pack("{s:s,s:s}", "action", "reject", "note", "同名不同人，已电话核实");
	assert_int_equal(list_resolve(&sec, list, addr_row, b, &out), WG_OK);
	assert_string_equal(json_string_value(json_object_get(out, "state")), "rejected");
	json_decref(out);
	json_decref(b);
	assert_int_equal(epi_current(&sec, byaddr.id, &cat), WG_OK);
	assert_null(cat);
	/* a matched row is not reviewed again */
	r = row_of(&sec, list, 1);
	b = json_pack("{s:s,s:s}", "action", "reject", "note", "x");
	assert_int_equal(list_resolve(&sec, list, num(r, "row"), b, &out), W_ECONFLICT);
	json_decref(b);
	json_decref(r);
	/* the list is grid 1's: grid 2's worker does not see it */
	actor w2 = testdb_actor(root, ROLE_GRID_WORKER, COMMUNITY "-G02");
	assert_int_equal(list_get(&w2, list, &out), W_ENOTFOUND);
	assert_string_equal(w_last()->code, "list_not_found");
	actor w1 = testdb_actor(root, ROLE_GRID_WORKER, COMMUNITY "-G01");
	assert_int_equal(list_get(&w1, list, &out), WG_OK);
	assert_int_equal(num(out, "confirmed"), 1);
	assert_int_equal(num(out, "rejected"), 1);
	json_decref(out);
}

static void test_refusals(void **state)
{
	actor *root = *state;
	actor sec = testdb_actor(root, ROLE_COMMUNITY, COMMUNITY);
	static const struct {
		const char *csv, *source, *category, *code, *field;
	} bad[] = {
	    {"姓名\n张三\n", "", "travel_observation", "required", "source"},
	    {"姓名\n张三\n", "公安", "confirmed", "invalid_category", "category"},
	    {"身份证号,手机号\n1,2\n", "公安", "travel_observation", "missing_column", "name"},
	    {"", "公安", "travel_observation", "empty_file", "file"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		csv_reader *r = NULL;
		bool conv;
		assert_int_equal(csv_open_mem(bad[i].csv, strlen(bad[i].csv), &r, &conv), WG_OK);
		json_t *out = NULL;
		assert_int_equal(list_import(&sec, COMMUNITY, bad[i].source, bad[i].category, r, &out), W_EINVAL);
		assert_string_equal(w_last()->code, bad[i].code);
		assert_string_equal(w_last()->field, bad[i].field);
		csv_close(r);
	}
	/* a list for a unit beyond the actor */
	actor w2 = testdb_actor(root, ROLE_GRID_WORKER, COMMUNITY "-G02");
	csv_reader *r = NULL;
	bool conv;
	assert_int_equal(csv_open_mem("姓名\n张三\n", 10, &r, &conv), WG_OK);
	json_t *out = NULL;
	assert_int_equal(list_import(&w2, COMMUNITY "-G01", "公安", "travel_observation", r, &out), W_ENOTFOUND);
	csv_close(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_matching_and_review),
	    cmocka_unit_test(test_refusals),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
