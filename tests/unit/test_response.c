/* test_response.c — what follows a case, on a real store (the qinghe demo): a confirmation
 * creates its four tasks on the case's building, owned by the grid's worker, due in 2, 4
 * and 6 hours (the lockdown one done), raises the building to the `building` level but
 * never lowers a higher one, and puts the household's other members under observation as
 * close contacts unless they are already graver; contacts (kinds, names, the case itself,
 * scope, following or not, linking); the chain stops at the caller's scope. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/util.h"
#include "domain/calendar.h"
#include "domain/epi.h"
#include "domain/lockdown.h"
#include "domain/people.h"
#include "domain/response.h"
#include "testdb.h"

#define COMMUNITY "420107003008"

static int setup(void **state)
{
	actor *ac = testdb_demo("response", 600, 7);
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

static json_t *js(const actor *ac, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *txt = arena_vprintf(ac->a, fmt, ap);
	va_end(ap);
	json_t *b = json_loads(txt, 0, NULL);
	assert_non_null(b);
	return b;
}

static werr status(const actor *ac, int64_t rid, const char *cat, const char *reason, json_t **out)
{
	json_t *b = js(ac, "{\"category\":\"%s\",\"reason\":\"%s\"}", cat, reason), *o = NULL;
	werr e = epi_status_post(ac, rid, b, &o);
	json_decref(b);
	if (out)
		*out = o;
	else
		json_decref(o);
	return e;
}

static const char *category(const actor *ac, int64_t rid)
{
	const char *c = NULL;
	assert_int_equal(epi_current(ac, rid, &c), WG_OK);
	return c;
}

static int64_t level_of(const actor *ac, const char *code)
{
	unit_row u;
	assert_int_equal(unit_find(ac, code, &u), WG_OK);
	json_t *j = NULL;
	assert_int_equal(lockdown_json(ac->d, u.id, &j), WG_OK);
	int64_t l = json_is_object(j) ? json_integer_value(json_object_get(j, "rank")) : 0;
	json_decref(j);
	return l;
}

static int64_t uid(const actor *ac, const char *name)
{
	int64_t id;
	assert_int_equal(user_in_scope(ac, name, "user", &id), WG_OK);
	return id;
}

static int64_t epoch_of(const char *iso) /* "YYYY-MM-DDTHH:MM:SS+08:00" */
{
	struct tm tm = {0};
	assert_non_null(strptime(iso, "%Y-%m-%dT%H:%M:%S", &tm));
	return (int64_t)timegm(&tm) - 8 * 3600;
}

static void test_confirmation(void **state)
{
	actor *root = *state;
	actor sec = testdb_actor(root, ROLE_COMMUNITY, COMMUNITY);
	sec.user_id = uid(root, "secretary");
	int64_t ids[16];
	size_t n;
	assert_true(testdb_household(root, COMMUNITY "-B01-U1", 3, 0, ids, 16, &n) > 0);
	int64_t cs = ids[0], graver = ids[1];
	assert_int_equal(level_of(root, COMMUNITY "-B01"), 0);
	assert_int_equal(status(&sec, graver, "suspected", "symptoms", NULL), WG_OK);
	assert_int_equal(status(&sec, cs, "suspected", "symptoms", NULL), WG_OK);
	int64_t before = now_s();
	json_t *out = NULL;
	assert_int_equal(status(&sec, cs, "confirmed", "test_positive", &out), WG_OK);
	/* the household: everyone else a close contact under observation, but the graver one */
	json_t *observed = json_object_get(out, "household_observed");
	assert_int_equal(json_array_size(observed), n - 2);
	for (size_t i = 2; i < n; i++) {
		assert_string_equal(category(&sec, ids[i]), "close_contact");
		bool listed = false;
		size_t k;
		json_t *v;
		json_array_foreach(observed, k, v) listed |= json_integer_value(v) == ids[i];
		assert_true(listed);
	}
	assert_string_equal(category(&sec, graver), "suspected");
	assert_string_equal(category(&sec, cs), "confirmed");
	assert_int_equal(json_array_size(json_object_get(out, "tasks")), 4);
	json_decref(out);
	/* the building raised */
	assert_int_equal(level_of(root, COMMUNITY "-B01"), 2);
	assert_int_equal(level_of(root, COMMUNITY "-B01-U1"), 0);
	assert_int_equal(level_of(root, COMMUNITY "-B02"), 0);
	/* the tasks: on the building, owned by grid 1's worker, due in order */
	json_t *tl = NULL;
	assert_int_equal(task_list(&sec, COMMUNITY "-B01", "all", 50, 0, &tl), WG_OK);
	assert_int_equal(json_integer_value(json_object_get(tl, "total")), 4);
	static const struct {
		const char *kind, *state;
		int hours;
	} want[] = {{"contacts_observation", "open", 2}, {"disinfection", "open", 4}, {"building_notice", "open", 6}, {"lockdown", "done", 0}};
	for (size_t w = 0; w < 4; w++) {
		json_t *t = NULL, *it;
		size_t i;
		json_array_foreach(json_object_get(tl, "items"), i, it) if (!strcmp(json_string_value(json_object_get(it, "kind")), want[w].kind)) t = it;
		assert_non_null(t);
		assert_string_equal(json_string_value(json_object_get(t, "state")), want[w].state);
		assert_string_equal(json_string_value(json_object_get(t, "unit_code")), COMMUNITY "-B01");
		assert_int_equal(json_integer_value(json_object_get(t, "case_id")), cs);
		assert_string_equal(json_string_value(json_object_get(json_object_get(t, "owner"), "username")), "gw01");
		int64_t due = epoch_of(json_string_value(json_object_get(t, "due_at")));
		assert_true(due >= before + want[w].hours * 3600 && due <= now_s() + want[w].hours * 3600);
	}
	json_decref(tl);
	/* 2 h 1 min on: the close-contact task is late, then the disinfection too */
	clock_shift(2 * 3600 + 60);
	assert_int_equal(task_list(&sec, COMMUNITY "-B01", "late", 50, 0, &tl), WG_OK);
	assert_int_equal(json_integer_value(json_object_get(tl, "total")), 1);
	json_decref(tl);
	clock_shift(2 * 3600);
	assert_int_equal(task_list(&sec, COMMUNITY "-B01", "late", 50, 0, &tl), WG_OK);
	assert_int_equal(json_integer_value(json_object_get(tl, "total")), 2);
	json_decref(tl);
	clock_shift(-(4 * 3600 + 60));
	/* grid 2's worker does not see grid 1's tasks */
	actor w2 = testdb_actor(root, ROLE_GRID_WORKER, COMMUNITY "-G02");
	assert_int_equal(task_list(&w2, NULL, "all", 50, 0, &tl), WG_OK);
	assert_int_equal(json_integer_value(json_object_get(tl, "total")), 0);
	json_decref(tl);
}

static void test_higher_lockdown_kept(void **state)
{
	actor *root = *state;
	actor sec = testdb_actor(root, ROLE_COMMUNITY, COMMUNITY);
	json_t *b = js(root, "{\"level\":\"unit\",\"reason\":\"先行封控\"}"), *out = NULL;
	assert_int_equal(lockdown_set(root, COMMUNITY "-B02", b, &out), WG_OK);
	json_decref(b);
	json_decref(out);
	int64_t ids[16];
	size_t n;
	assert_true(testdb_household(root, COMMUNITY "-B02-U1", 1, 0, ids, 16, &n) > 0);
	assert_int_equal(status(&sec, ids[0], "suspected", "symptoms", NULL), WG_OK);
	assert_int_equal(status(&sec, ids[0], "confirmed", "test_positive", NULL), WG_OK);
	assert_int_equal(level_of(root, COMMUNITY "-B02"), 3);
	/* grid 2: its own worker owns the tasks */
	assert_true(testdb_household(root, COMMUNITY "-B03-U1", 1, 0, ids, 16, &n) > 0);
	assert_int_equal(status(&sec, ids[0], "suspected", "symptoms", NULL), WG_OK);
	assert_int_equal(status(&sec, ids[0], "confirmed", "test_positive", NULL), WG_OK);
	assert_int_equal(level_of(root, COMMUNITY "-B03"), 2);
	json_t *tl = NULL;
	assert_int_equal(task_list(&sec, COMMUNITY "-B03", "open", 50, 0, &tl), WG_OK);
	assert_int_equal(json_integer_value(json_object_get(tl, "total")), 3);
	assert_string_equal(json_string_value(json_object_get(json_object_get(json_array_get(json_object_get(tl, "items"), 0), "owner"), "username")),
	                    "gw02");
	json_decref(tl);
}

static void test_contacts(void **state)
{
	actor *root = *state;
	actor w1 = testdb_actor(root, ROLE_GRID_WORKER, COMMUNITY "-G01");
	int64_t ids[16];
	size_t n;
	assert_true(testdb_household(root, COMMUNITY "-B02-U1", 1, 3, ids, 16, &n) > 0);
	int64_t cs = ids[0];
	assert_true(testdb_household(root, COMMUNITY "-B02-U1", 1, 4, ids, 16, &n) > 0);
	int64_t mate = ids[0];
	assert_true(testdb_household(root, COMMUNITY "-B02-U1", 1, 5, ids, 16, &n) > 0);
	int64_t quiet = ids[0];
	assert_true(testdb_household(root, COMMUNITY "-B03-U1", 1, 6, ids, 16, &n) > 0);
	int64_t far = ids[0];
	char today[11];
	today_str(today);
	static const struct {
		const char *body, *code, *field;
	} bad[] = {
	    {"{\"name\":\"王五\",\"day\":\"%s\",\"kind\":\"party\"}", "invalid_kind", "kind"},
	    {"{\"day\":\"%s\",\"kind\":\"meal\"}", "required", "name"},
	    {"{\"name\":\"王五\",\"day\":\"2099-01-01\",\"kind\":\"meal\",\"x\":\"%s\"}", NULL, NULL},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		json_t *b = js(root, bad[i].body, today), *out = NULL;
		assert_int_equal(contact_add(&w1, cs, b, &out), W_EINVAL);
		if (bad[i].code) {
			assert_string_equal(w_last()->code, bad[i].code);
			assert_string_equal(w_last()->field, bad[i].field);
		}
		json_decref(b);
	}
	json_t *b = js(root, "{\"resident_id\":%lld,\"day\":\"%s\",\"kind\":\"meal\"}", (long long)cs, today), *out = NULL;
	assert_int_equal(contact_add(&w1, cs, b, &out), W_EINVAL);
	assert_string_equal(w_last()->code, "same_person");
	json_decref(b);
	/* a resident beyond the worker's grid: as if there were none */
	b = js(root, "{\"resident_id\":%lld,\"day\":\"%s\",\"kind\":\"meal\"}", (long long)far, today);
	assert_int_equal(contact_add(&w1, cs, b, &out), W_ENOTFOUND);
	json_decref(b);
	/* followed: a close contact under home isolation; not followed: nothing changes */
	b = js(root, "{\"resident_id\":%lld,\"day\":\"%s\",\"kind\":\"work\",\"place\":\"单位食堂\"}", (long long)mate, today);
	assert_int_equal(contact_add(&w1, cs, b, &out), WG_OK);
	assert_true(json_is_true(json_object_get(out, "category_set")));
	assert_true(json_integer_value(json_object_get(out, "isolation_id")) > 0);
	json_decref(b);
	json_decref(out);
	assert_string_equal(category(&w1, mate), "close_contact");
	b = js(root, "{\"resident_id\":%lld,\"day\":\"%s\",\"kind\":\"social\",\"follow\":false}", (long long)quiet, today);
	assert_int_equal(contact_add(&w1, cs, b, &out), WG_OK);
	assert_false(json_is_true(json_object_get(out, "category_set")));
	assert_true(json_is_null(json_object_get(out, "isolation_id")));
	json_decref(b);
	json_decref(out);
	assert_null(category(&w1, quiet));
	/* an unregistered contact, linked later (once) */
	b = js(root, "{\"name\":\"外卖员\",\"phone\":\"13800000000\",\"day\":\"%s\",\"kind\":\"other\"}", today);
	assert_int_equal(contact_add(&w1, cs, b, &out), WG_OK);
	int64_t cid = json_integer_value(json_object_get(out, "id"));
	assert_true(json_is_null(json_object_get(out, "resident_id")));
	json_decref(b);
	json_decref(out);
	b = js(root, "{\"resident_id\":%lld}", (long long)quiet);
	assert_int_equal(contact_link(&w1, cid, b, &out), WG_OK);
	json_decref(out);
	assert_int_equal(contact_link(&w1, cid, b, &out), W_ECONFLICT);
	assert_string_equal(w_last()->code, "already_linked");
	json_decref(b);
	json_t *cl = NULL;
	assert_int_equal(contact_list(&w1, cs, &cl), WG_OK);
	char *dump = json_dumps(cl, 0);
	assert_non_null(strstr(dump, "单位食堂"));
	free(dump);
	json_decref(cl);
	/* the chain, seen from grid 2, stops at its border: it says it continues, names no one */
	actor sec = testdb_actor(root, ROLE_COMMUNITY, COMMUNITY);
	b = js(root, "{\"resident_id\":%lld,\"day\":\"%s\",\"kind\":\"transport\"}", (long long)far, today);
	assert_int_equal(contact_add(&sec, cs, b, &out), WG_OK);
	json_decref(b);
	json_decref(out);
	actor w2 = testdb_actor(root, ROLE_GRID_WORKER, COMMUNITY "-G02");
	json_t *ch = NULL;
	assert_int_equal(chain_get(&w2, far, 3, &ch), WG_OK);
	size_t i, outside = 0;
	json_t *node;
	json_array_foreach(json_object_get(ch, "nodes"), i, node)
	{
		if (json_is_true(json_object_get(node, "outside_scope"))) {
			outside++;
			assert_true(json_is_null(json_object_get(node, "name")));
			assert_true(json_is_null(json_object_get(node, "resident_id")));
		}
	}
	assert_int_equal(outside, 1);
	json_decref(ch);
	assert_int_equal(chain_get(&w2, cs, 3, &ch), W_ENOTFOUND);
	assert_int_equal(chain_get(&sec, far, 3, &ch), WG_OK);
	outside = 0;
	json_array_foreach(json_object_get(ch, "nodes"), i, node) outside += json_is_true(json_object_get(node, "outside_scope"));
	assert_int_equal(outside, 0);
	assert_true(json_array_size(json_object_get(ch, "nodes")) >= 4);
	json_decref(ch);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_confirmation),
	    cmocka_unit_test(test_higher_lockdown_kept),
	    cmocka_unit_test(test_contacts),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
