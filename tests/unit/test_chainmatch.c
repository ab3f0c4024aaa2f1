/* test_chainmatch.c — a pasted WeChat chain matched to households on a real store (the
 * qinghe demo): "1栋<room> 两人 体温正常" reaches the household of that room in the
 * worker's unit and gives every living member a reading; a stated head count that
 * differs, a name not of the household, a room that is not there or lies in another grid
 * are left unmatched with the reason; a named reading goes to that person, a fever with
 * its symptom to the one person of the flat.  Confirming saves check-ins on the wechat
 * channel (a fever opening its alert), a retry saves nothing, and a line is refused when
 * a reading goes to another household's resident or a temperature it states is given to
 * no one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "domain/calendar.h"
#include "domain/chainmatch.h"
#include "domain/rollcall.h"
#include "testdb.h"

#define COMMUNITY "420107003008"

static int setup(void **state)
{
	actor *ac = testdb_demo("chainmatch", 600, 7);
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
	int64_t id, ids[16];
	size_t n;
	const char *room, *names[16];
} flat;

static int used[64], nused;

/* An unused household of the entrance with exactly size living people. */
static flat household(const actor *ac, const char *entrance, size_t size)
{
	flat f = {0};
	for (int k = 0;; k++) {
		f.id = testdb_household(ac, entrance, size, k, f.ids, 16, &f.n);
		assert_true(f.id > 0);
		bool seen = false;
		for (int i = 0; i < nused; i++)
			seen |= used[i] == f.id;
		if (f.n == size && !seen)
			break;
	}
	used[nused++] = (int)f.id;
	json_t *h = NULL;
	assert_int_equal(hh_get(ac, f.id, &h), WG_OK);
	f.room = arena_strdup(ac->a, json_string_value(json_object_get(h, "room")));
	size_t i;
	json_t *r;
	json_array_foreach(json_object_get(h, "residents"), i, r) for (size_t k = 0; k < f.n; k++) if (json_integer_value(json_object_get(r, "id")) == f.ids[k])
	    f.names[k] = arena_strdup(ac->a, json_string_value(json_object_get(r, "name")));
	json_decref(h);
	return f;
}

static json_t *preview(const actor *w, const char *text)
{
	json_t *b = json_pack("{s:s}", "text", text), *out = NULL;
	assert_int_equal(chain_preview(w, b, &out), WG_OK);
	json_decref(b);
	return out;
}

/* The matched or unmatched entry of a line. */
static json_t *entry(json_t *pv, const char *which, int64_t line)
{
	size_t i;
	json_t *e;
	json_array_foreach(json_object_get(pv, which), i, e) if (json_integer_value(json_object_get(e, "line")) == line) return e;
	return NULL;
}

static void test_preview_matches(void **state)
{
	actor *root = *state;
	actor w = testdb_actor(root, ROLE_GRID_WORKER, COMMUNITY "-G01");
	flat two = household(root, COMMUNITY "-B01-U1", 2), named = household(root, COMMUNITY "-B01-U1", 2),
	     one = household(root, COMMUNITY "-B02-U1", 1), count = household(root, COMMUNITY "-B01-U1", 2),
	     stranger = household(root, COMMUNITY "-B01-U1", 1), g2 = household(root, COMMUNITY "-B03-U1", 1);
	const char *text = arena_printf(root->a,
	                                "【第一网格】健康打卡接龙\n"
	                                "1. 1栋%s 两人 体温正常\n"  /* 2 */
	                                "2、1栋%s %s 36.5\n"        /* 3 */
	                                "3. 2-%s 37.8 咳嗽\n"       /* 4 */
	                                "4. 1栋%s 三人 正常\n"      /* 5 wrong count */
	                                "5. 1栋%s 司马懿 36.4\n"    /* 6 not of the household */
	                                "6. 1栋2999 一人 正常\n"    /* 7 no such room */
	                                "7. 3栋%s 一人 正常\n",     /* 8 another grid */
	                                two.room, named.room, named.names[1], one.room, count.room, stranger.room, g2.room);
	json_t *pv = preview(&w, text);
	assert_int_equal(json_array_size(json_object_get(pv, "matched")), 3);
	json_t *m = entry(pv, "matched", 2);
	assert_non_null(m);
	assert_int_equal(json_integer_value(json_object_get(m, "household_id")), two.id);
	json_t *rd = json_object_get(m, "readings");
	assert_int_equal(json_array_size(rd), 2);
	for (size_t k = 0; k < 2; k++)
		assert_int_equal(json_integer_value(json_object_get(json_array_get(rd, k), "resident_id")), two.ids[k]);
	m = entry(pv, "matched", 3);
	assert_non_null(m);
	rd = json_object_get(m, "readings");
	assert_int_equal(json_array_size(rd), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(rd, 0), "resident_id")), named.ids[1]);
	m = entry(pv, "matched", 4);
	assert_non_null(m);
	rd = json_array_get(json_object_get(m, "readings"), 0);
	assert_int_equal(json_integer_value(json_object_get(rd, "resident_id")), one.ids[0]);
	assert_true(json_real_value(json_object_get(rd, "temperature")) > 37.79);
	assert_string_equal(json_string_value(json_array_get(json_object_get(rd, "symptoms"), 0)), "cough");
	/* the rest unmatched, each with its reason; where the household was found, its people */
	for (int64_t line = 5; line <= 8; line++) {
		json_t *u = entry(pv, "unmatched", line);
		assert_non_null(u);
		assert_true(strlen(json_string_value(json_object_get(u, "reason"))) > 0);
	}
	assert_int_equal(json_array_size(json_object_get(entry(pv, "unmatched", 5), "people")), 2);
	assert_int_equal(json_array_size(json_object_get(entry(pv, "unmatched", 6), "people")), 1);
	assert_null(json_object_get(entry(pv, "unmatched", 8), "household_id")); /* grid 2's: not found */
	json_decref(pv);
	/* the same line from the community sees grid 2's room */
	actor sec = testdb_actor(root, ROLE_COMMUNITY, COMMUNITY);
	pv = preview(&sec, arena_printf(root->a, "3栋%s 一人 正常\n", g2.room));
	assert_int_equal(json_array_size(json_object_get(pv, "matched")), 1);
	json_decref(pv);
	json_t *b = json_pack("{s:s}", "unit", COMMUNITY), *out = NULL;
	assert_int_equal(chain_preview(&w, b, &out), W_EINVAL);
	assert_string_equal(w_last()->field, "text");
	json_decref(b);
}

/* "体温正常 有点咳嗽" of a one-person flat: matched, a reading with the cough and no
 * temperature (it was left unmatched as "no reading and no 正常", which it has) */
static void test_normal_with_symptom(void **state)
{
	actor *root = *state;
	actor w = testdb_actor(root, ROLE_GRID_WORKER, COMMUNITY "-G01");
	flat one = household(root, COMMUNITY "-B02-U1", 1), two = household(root, COMMUNITY "-B01-U1", 2);
	json_t *pv = preview(&w, arena_printf(root->a, "2-%s 体温正常 有点咳嗽\n1栋%s 体温正常 咳嗽\n", one.room, two.room));
	json_t *m = entry(pv, "matched", 1);
	assert_non_null(m);
	json_t *rd = json_array_get(json_object_get(m, "readings"), 0);
	assert_int_equal(json_integer_value(json_object_get(rd, "resident_id")), one.ids[0]);
	assert_null(json_object_get(rd, "temperature"));
	assert_string_equal(json_string_value(json_array_get(json_object_get(rd, "symptoms"), 0)), "cough");
	/* two people and a cough without a name: still whose is it? */
	json_t *u = entry(pv, "unmatched", 2);
	assert_non_null(u);
	assert_non_null(strstr(json_string_value(json_object_get(u, "reason")), "a symptom without a name"));
	json_decref(pv);
}

static json_t *line(int64_t n, const char *text, int64_t hid, json_t *readings)
{
	return json_pack("{s:I,s:s,s:I,s:o}", "line", (json_int_t)n, "text", text, "household_id", (json_int_t)hid, "readings", readings);
}

static werr confirm(const actor *w, json_t *lines, json_t **out)
{
	json_t *b = json_pack("{s:o}", "lines", lines);
	werr e = chain_confirm(w, b, out);
	json_decref(b);
	return e;
}

static void test_confirm(void **state)
{
	actor *root = *state;
	actor w = testdb_actor(root, ROLE_GRID_WORKER, COMMUNITY "-G01");
	flat two = household(root, COMMUNITY "-B02-U1", 2), one = household(root, COMMUNITY "-B02-U1", 1);
	const char *t1 = arena_printf(root->a, "1栋%s 两人 体温正常", two.room), *t2 = arena_printf(root->a, "2-%s 37.3", one.room);
	json_t *lines = json_pack("[o,o]", line(1, t1, two.id, json_pack("[{s:I},{s:I}]", "resident_id", (json_int_t)two.ids[0], "resident_id", (json_int_t)two.ids[1])),
	                          line(2, t2, one.id, json_pack("[{s:I,s:f}]", "resident_id", (json_int_t)one.ids[0], "temperature", 37.3)));
	json_t *out = NULL;
	assert_int_equal(confirm(&w, json_deep_copy(lines), &out), WG_OK);
	assert_int_equal(json_integer_value(json_object_get(out, "saved")), 3);
	json_t *res = json_object_get(out, "results");
	assert_int_equal(json_array_size(res), 3);
	json_t *fever = json_array_get(res, 2);
	assert_true(json_is_true(json_object_get(fever, "fever"))); /* 37.3 is a fever */
	assert_true(json_integer_value(json_object_get(fever, "alert_id")) > 0);
	assert_true(json_is_null(json_object_get(json_array_get(res, 0), "alert_id")));
	json_decref(out);
	/* the same lines again: nothing new */
	assert_int_equal(confirm(&w, lines, &out), WG_OK);
	assert_int_equal(json_integer_value(json_object_get(out, "saved")), 0);
	assert_true(json_is_true(json_object_get(json_array_get(json_object_get(out, "results"), 0), "duplicate")));
	json_decref(out);
	/* a reading given to a resident of another household */
	flat other = household(root, COMMUNITY "-B02-U1", 1), third = household(root, COMMUNITY "-B02-U1", 1);
	lines = json_pack("[o]", line(1, arena_printf(root->a, "1栋%s 正常", other.room), other.id,
	                              json_pack("[{s:I}]", "resident_id", (json_int_t)third.ids[0])));
	assert_int_equal(confirm(&w, lines, &out), W_EINVAL);
	assert_string_equal(w_last()->code, "not_in_household");
	assert_string_equal(w_last()->field, "lines[0]");
	/* a temperature the line states given to no one */
	lines = json_pack("[o]", line(1, arena_printf(root->a, "1栋%s 38.2", other.room), other.id,
	                              json_pack("[{s:I}]", "resident_id", (json_int_t)other.ids[0])));
	assert_int_equal(confirm(&w, lines, &out), W_EINVAL);
	assert_string_equal(w_last()->code, "reading_not_given");
	/* neither refusal saved anything */
	json_t *hh = NULL;
	char today[11];
	today_str(today);
	assert_int_equal(chk_list(&w, 0, other.id, today, &hh), WG_OK);
	assert_int_equal(json_array_size(json_object_get(hh, "items")), 0);
	json_decref(hh);
	lines = json_pack("[]");
	assert_int_equal(confirm(&w, lines, &out), W_EINVAL);
	assert_string_equal(w_last()->field, "lines");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_preview_matches),
	    cmocka_unit_test(test_normal_with_symptom),
	    cmocka_unit_test(test_confirm),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
