/* test_alerts.c — fever alerts on a real store (the qinghe demo): a reading opens an alert
 * at the threshold (37.3 inclusive) or with a symptom and a second reading joins the open
 * one; the steps in their order (an outcome needs the alert acknowledged, excluding needs
 * a note, close ends only a home observation, a closed alert takes notes only), each
 * recorded in order; the outcome moves the person (hospital → suspected, home observation
 * → fever not excluded); escalation exactly after escalate_minutes × (level + 1), never
 * once acknowledged; alerts seen within the actor's subtree only. */
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
#include "domain/epi.h"
#include "domain/rollcall.h"
#include "domain/settings.h"
#include "testdb.h"

#define COMMUNITY "420107003008"

static int setup(void **state)
{
	actor *ac = testdb_demo("alerts", 600, 7);
	if (!ac)
		return -1;
	rc_config.deadline_minutes = 24 * 60; /* no deadline reminders: ticks count escalations */
	rc_config.escalate_minutes = 30;
	*state = ac;
	return 0;
}

static int teardown(void **state)
{
	testdb_operator_free(*state);
	return 0;
}

static int next_household = 0;

/* A living resident of an unused household of the entrance. */
static int64_t fresh_person(const actor *ac, const char *entrance)
{
	int64_t ids[8];
	size_t n;
	assert_true(testdb_household(ac, entrance, 1, next_household++, ids, 8, &n) > 0);
	return ids[0];
}

/* A check-in by w; the alert it opened or joined (0: none). */
static int64_t reading(const actor *w, int64_t rid, const char *extra)
{
	char *txt = arena_printf(w->a, "{\"resident_id\":%lld,\"channel\":\"phone\"%s}", (long long)rid, extra);
	json_t *b = json_loads(txt, 0, NULL), *out = NULL;
	assert_non_null(b);
	assert_int_equal(chk_submit(w, b, &out), WG_OK);
	json_t *id = json_object_get(out, "alert_id");
	int64_t aid = json_is_integer(id) ? json_integer_value(id) : 0;
	json_decref(b);
	json_decref(out);
	return aid;
}

static werr step(const actor *ac, int64_t aid, const char *txt)
{
	json_t *b = json_loads(txt, 0, NULL), *out = NULL;
	assert_non_null(b);
	werr e = alert_step(ac, aid, b, &out);
	json_decref(b);
	json_decref(out);
	return e;
}

static json_t *get(const actor *ac, int64_t aid)
{
	json_t *a = NULL;
	assert_int_equal(alert_get(ac, aid, &a), WG_OK);
	return a;
}

static const char *str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static void test_opening(void **state)
{
	actor *root = *state;
	actor w = testdb_actor(root, ROLE_GRID_WORKER, COMMUNITY "-G01");
	int64_t p = fresh_person(root, COMMUNITY "-B01-U1");
	assert_int_equal(reading(&w, p, ",\"temperature\":37.2"), 0);
	int64_t a = reading(&w, p, ",\"temperature\":37.3");
	assert_true(a > 0);
	/* a re-check the same day joins the open alert */
	assert_int_equal(reading(&w, p, ",\"temperature\":38.1"), a);
	json_t *al = get(&w, a);
	assert_string_equal(str(al, "state"), "open");
	assert_int_equal(json_integer_value(json_object_get(al, "level")), 0);
	json_decref(al);
	/* a symptom alone, at a normal temperature */
	int64_t q = fresh_person(root, COMMUNITY "-B01-U1");
	int64_t b = reading(&w, q, ",\"temperature\":36.5,\"symptoms\":[\"cough\"]");
	assert_true(b > 0 && b != a);
	/* the symptom fever without a temperature */
	int64_t r = fresh_person(root, COMMUNITY "-B01-U1");
	assert_true(reading(&w, r, ",\"symptoms\":[\"fever\"]") > 0);
}

static void test_steps_in_order(void **state)
{
	actor *root = *state;
	actor w = testdb_actor(root, ROLE_GRID_WORKER, COMMUNITY "-G01");
	int64_t p = fresh_person(root, COMMUNITY "-B02-U1");
	int64_t a = reading(&w, p, ",\"temperature\":38.0");
	assert_true(a > 0);
	/* an outcome before anybody took the alert */
	assert_int_equal(step(&w, a, "{\"step\":\"outcome\",\"outcome\":\"excluded\",\"note\":\"复测正常\"}"), W_ECONFLICT);
	assert_string_equal(w_last()->code, "acknowledge_first");
	assert_int_equal(step(&w, a, "{\"step\":\"close\"}"), W_ECONFLICT);
	assert_string_equal(w_last()->code, "invalid_transition");
	assert_int_equal(step(&w, a, "{\"step\":\"acknowledged\",\"note\":\"已电话联系\"}"), WG_OK);
	assert_int_equal(step(&w, a, "{\"step\":\"acknowledged\"}"), W_ECONFLICT);
	assert_int_equal(step(&w, a, "{\"step\":\"outcome\",\"outcome\":\"recovered\"}"), W_EINVAL);
	assert_string_equal(w_last()->field, "outcome");
	/* excluding says who and how */
	assert_int_equal(step(&w, a, "{\"step\":\"outcome\",\"outcome\":\"excluded\"}"), W_EINVAL);
	assert_string_equal(w_last()->field, "note");
	assert_int_equal(step(&w, a, "{\"step\":\"outcome\",\"outcome\":\"excluded\",\"note\":\"  \"}"), W_EINVAL);
	assert_int_equal(step(&w, a, "{\"step\":\"clinic_check\"}"), WG_OK);
	assert_int_equal(step(&w, a, "{\"step\":\"outcome\",\"outcome\":\"excluded\",\"note\":\"社区医院复测 36.6\"}"), WG_OK);
	/* closed: notes only */
	assert_int_equal(step(&w, a, "{\"step\":\"door_reading\",\"temperature\":36.6}"), W_ECONFLICT);
	assert_string_equal(w_last()->code, "alert_closed");
	assert_int_equal(step(&w, a, "{\"step\":\"note\"}"), W_EINVAL);
	assert_int_equal(step(&w, a, "{\"step\":\"note\",\"note\":\"家属已知悉\"}"), WG_OK);
	json_t *al = get(&w, a);
	assert_string_equal(str(al, "state"), "closed");
	assert_string_equal(str(al, "outcome"), "excluded");
	json_t *steps = json_object_get(al, "steps");
	static const char *const order[] = {"acknowledged", "clinic_check", "outcome", "note"};
	size_t n = json_array_size(steps);
	assert_true(n >= 4);
	for (size_t i = 0; i < 4; i++)
		assert_string_equal(str(json_array_get(steps, n - 4 + i), "step"), order[i]);
	assert_string_equal(str(json_array_get(steps, n - 2), "value"), "excluded");
	json_decref(al);
	/* nobody was moved by an excluded fever that was never unexcluded */
	const char *cat = "x";
	assert_int_equal(epi_current(&w, p, &cat), WG_OK);
	assert_null(cat);
}

static void test_outcome_moves_the_person(void **state)
{
	actor *root = *state;
	actor w = testdb_actor(root, ROLE_GRID_WORKER, COMMUNITY "-G01");
	int64_t p = fresh_person(root, COMMUNITY "-B02-U1"), q = fresh_person(root, COMMUNITY "-B02-U1");
	int64_t a = reading(&w, p, ",\"temperature\":38.5"), b = reading(&w, q, ",\"temperature\":37.8");
	assert_int_equal(step(&w, a, "{\"step\":\"acknowledged\"}"), WG_OK);
	assert_int_equal(step(&w, a, "{\"step\":\"outcome\",\"outcome\":\"hospital\"}"), WG_OK);
	const char *cat = NULL;
	assert_int_equal(epi_current(&w, p, &cat), WG_OK);
	assert_string_equal(cat, "suspected");
	json_t *al = get(&w, a);
	assert_string_equal(str(al, "state"), "closed");
	json_decref(al);
	assert_int_equal(step(&w, b, "{\"step\":\"acknowledged\"}"), WG_OK);
	assert_int_equal(step(&w, b, "{\"step\":\"outcome\",\"outcome\":\"home_observation\"}"), WG_OK);
	assert_int_equal(epi_current(&w, q, &cat), WG_OK);
	assert_string_equal(cat, "fever_unexcluded");
	al = get(&w, b);
	assert_string_equal(str(al, "state"), "observation");
	json_decref(al);
	assert_int_equal(step(&w, b, "{\"step\":\"door_reading\",\"temperature\":36.7}"), WG_OK);
	assert_int_equal(step(&w, b, "{\"step\":\"close\"}"), WG_OK);
}

/* Put the alert's opening t seconds into the past of `now`. */
static void opened_ago(actor *ac, int64_t aid, int64_t now, int64_t t)
{
	char sql[128];
	snprintf(sql, sizeof sql, "UPDATE alerts SET opened_at = %lld WHERE id = %lld", (long long)(now - t), (long long)aid);
	assert_int_equal(db_exec(ac->d, sql), WG_OK);
}

static int64_t level(const actor *ac, int64_t aid)
{
	json_t *al = get(ac, aid);
	int64_t l = json_integer_value(json_object_get(al, "level"));
	json_decref(al);
	return l;
}

static void test_escalation(void **state)
{
	actor *root = *state;
	actor w = testdb_actor(root, ROLE_GRID_WORKER, COMMUNITY "-G02");
	/* every alert so far was acknowledged or is open: take them out of the way */
	rollcall_tick(root->d, root->a, now_s() + 365 * 86400, tick_commit_here);
	int64_t a = reading(&w, fresh_person(root, COMMUNITY "-B03-U1"), ",\"temperature\":39.0");
	int64_t b = reading(&w, fresh_person(root, COMMUNITY "-B03-U1"), ",\"temperature\":39.0");
	int64_t now = now_s();
	opened_ago(root, a, now, 30 * 60 - 1);
	opened_ago(root, b, now, 30 * 60 - 1);
	assert_int_equal(rollcall_tick(root->d, root->a, now, tick_commit_here), 0);
	assert_int_equal(level(&w, a), 0);
	/* b is acknowledged in time: it never goes up */
	assert_int_equal(step(&w, b, "{\"step\":\"acknowledged\"}"), WG_OK);
	assert_int_equal(rollcall_tick(root->d, root->a, now + 1, tick_commit_here), 1);
	assert_int_equal(level(&w, a), 1);
	assert_int_equal(level(&w, b), 0);
	assert_int_equal(rollcall_tick(root->d, root->a, now + 1, tick_commit_here), 0); /* once per period */
	/* level 1 goes up again after twice the minutes */
	assert_int_equal(rollcall_tick(root->d, root->a, now + 30 * 60, tick_commit_here), 0);
	assert_int_equal(rollcall_tick(root->d, root->a, now + 30 * 60 + 1, tick_commit_here), 1);
	assert_int_equal(level(&w, a), 2);
	assert_int_equal(level(&w, b), 0);
	json_t *al = get(&w, a);
	json_t *steps = json_object_get(al, "steps");
	size_t n = json_array_size(steps);
	assert_string_equal(str(json_array_get(steps, n - 1), "step"), "escalated");
	assert_string_equal(str(json_array_get(steps, n - 2), "step"), "escalated");
	json_decref(al);
	/* a community's setting: 45 minutes */
	rc_config.escalate_minutes = 45;
	int64_t c = reading(&w, fresh_person(root, COMMUNITY "-B03-U1"), ",\"temperature\":39.0");
	opened_ago(root, c, now, 30 * 60 + 1);
	assert_int_equal(rollcall_tick(root->d, root->a, now, tick_commit_here), 0);
	assert_int_equal(rollcall_tick(root->d, root->a, now + 15 * 60 - 1, tick_commit_here), 1);
	assert_int_equal(level(&w, c), 1);
	rc_config.escalate_minutes = 30;
}

static void test_scope(void **state)
{
	actor *root = *state;
	actor w1 = testdb_actor(root, ROLE_GRID_WORKER, COMMUNITY "-G01"), w2 = testdb_actor(root, ROLE_GRID_WORKER, COMMUNITY "-G02"),
	      com = testdb_actor(root, ROLE_COMMUNITY, COMMUNITY);
	int64_t a = reading(&w2, fresh_person(root, COMMUNITY "-B03-U1"), ",\"temperature\":38.0");
	json_t *al = NULL;
	assert_int_equal(alert_get(&w1, a, &al), W_ENOTFOUND);
	assert_string_equal(w_last()->code, "alert_not_found");
	assert_int_equal(step(&w1, a, "{\"step\":\"acknowledged\"}"), W_ENOTFOUND);
	json_t *l1 = NULL, *l2 = NULL, *lc = NULL;
	assert_int_equal(alert_list(&w1, NULL, NULL, 500, 0, &l1), WG_OK);
	assert_int_equal(alert_list(&w2, NULL, NULL, 500, 0, &l2), WG_OK);
	assert_int_equal(alert_list(&com, NULL, NULL, 500, 0, &lc), WG_OK);
	int64_t t1 = json_integer_value(json_object_get(l1, "total")), t2 = json_integer_value(json_object_get(l2, "total")),
	        tc = json_integer_value(json_object_get(lc, "total"));
	assert_true(t1 > 0 && t2 > 0);
	assert_int_equal(t1 + t2, tc);
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(l1, "items"), i, it) assert_int_not_equal(json_integer_value(json_object_get(it, "id")), a);
	json_decref(l1);
	json_decref(l2);
	json_decref(lc);
	assert_int_equal(alert_list(&w1, COMMUNITY "-G02", NULL, 50, 0, &l1), W_ENOTFOUND);
	assert_int_equal(alert_list(&com, NULL, "pending", 50, 0, &l1), W_EINVAL);
	assert_string_equal(w_last()->field, "state");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_opening),
	    cmocka_unit_test(test_steps_in_order),
	    cmocka_unit_test(test_outcome_moves_the_person),
	    cmocka_unit_test(test_escalation),
	    cmocka_unit_test(test_scope),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
