/* test_links.c — household self-report links on a real store (the qinghe demo): a link
 * resolves to an actor that reaches only its household (its living members; a reading
 * for anyone else refused naming the row); a new link revokes the old one, and so does
 * revoking; issuing stays within the worker's grid; wrong tokens are throttled per client
 * address, a valid one still admitted; a building's sheet reissues every household's link. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "domain/links.h"
#include "testdb.h"

#define COMMUNITY "420107003008"
#define BASE "https://wangge.example.org"

static int setup(void **state)
{
	actor *ac = testdb_demo("links", 600, 7);
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

static const char *issue(const actor *w, int64_t hid)
{
	json_t *out = NULL;
	assert_int_equal(link_issue(w, hid, BASE, &out), WG_OK);
	const char *tok = arena_strdup(w->a, json_string_value(json_object_get(out, "token")));
	const char *url = json_string_value(json_object_get(out, "url"));
	/* the token travels in the fragment, never in the path a server logs */
	assert_string_equal(url, arena_printf(w->a, BASE "/report.html#%s", tok));
	assert_int_equal(strlen(tok), 32);
	assert_non_null(strstr(json_string_value(json_object_get(out, "svg")), "<svg"));
	json_decref(out);
	return tok;
}

static werr resolve(actor *root, const char *tok, const char *source, actor *out, int64_t *hid)
{
	return link_actor(root->d, root->a, tok, source, out, hid);
}

static void test_reaches_only_its_household(void **state)
{
	actor *root = *state;
	actor w = testdb_actor(root, ROLE_GRID_WORKER, COMMUNITY "-G01");
	int64_t ids[16], other[16];
	size_t n, m;
	int64_t h = testdb_household(root, COMMUNITY "-B01-U1", 2, 0, ids, 16, &n);
	int64_t h2 = 0;
	for (int k = 0; !h2 || h2 == h; k++)
		assert_true((h2 = testdb_household(root, COMMUNITY "-B01-U1", 1, k, other, 16, &m)) > 0);
	assert_true(h > 0);
	const char *tok = issue(&w, h);
	actor fam;
	int64_t hid = 0;
	assert_int_equal(resolve(root, tok, "10.0.0.1", &fam, &hid), WG_OK);
	assert_int_equal(hid, h);
	assert_int_equal(fam.role, ROLE_NONE);
	assert_int_not_equal(fam.role, ROLE_OPERATOR);
	json_t *page = NULL;
	assert_int_equal(link_household(&fam, hid, &page), WG_OK);
	json_t *members = json_object_get(page, "members");
	assert_int_equal(json_array_size(members), n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(json_integer_value(json_object_get(json_array_get(members, i), "id")), ids[i]);
	/* names and ages only: no ID number or phone on a page anyone with the link opens */
	char *dump = json_dumps(page, 0);
	assert_null(strstr(dump, "id_number"));
	assert_null(strstr(dump, "phone"));
	free(dump);
	json_decref(page);
	/* a reading for a neighbour's resident is refused, naming the row */
	json_t *b = json_pack("{s:[{s:I,s:f},{s:I,s:f}]}", "readings", "resident_id", (json_int_t)ids[0], "temperature", 36.5,
	                      "resident_id", (json_int_t)other[0], "temperature", 36.6),
	       *out = NULL;
	assert_int_equal(link_checkin(&fam, hid, b, &out), W_EINVAL);
	assert_string_equal(w_last()->code, "not_in_household");
	assert_string_equal(w_last()->field, "readings[1].resident_id");
	json_decref(b);
	/* the household itself: every living member reported, channel self */
	b = json_pack("{s:b}", "all_normal", 1);
	assert_int_equal(link_checkin(&fam, hid, b, &out), WG_OK);
	json_t *results = json_object_get(out, "results");
	assert_int_equal(json_array_size(results), n);
	json_decref(out);
	json_decref(b);
	/* a body naming another household is refused by shape, not obeyed */
	b = json_pack("{s:I,s:b}", "household_id", (json_int_t)h2, "all_normal", 1);
	assert_int_equal(link_checkin(&fam, hid, b, &out), W_EINVAL);
	json_decref(b);
	assert_int_equal(link_household(&fam, hid, &page), WG_OK);
	size_t i;
	json_t *mb;
	json_array_foreach(json_object_get(page, "members"), i, mb)
	    assert_string_equal(json_string_value(json_object_get(json_object_get(mb, "today"), "status")), "reported");
	json_decref(page);
}

static void test_new_link_revokes_old(void **state)
{
	actor *root = *state;
	actor w = testdb_actor(root, ROLE_GRID_WORKER, COMMUNITY "-G01");
	int64_t ids[16];
	size_t n;
	int64_t h = testdb_household(root, COMMUNITY "-B02-U1", 1, 0, ids, 16, &n);
	const char *t1 = issue(&w, h), *t2 = issue(&w, h);
	assert_string_not_equal(t1, t2);
	actor fam;
	int64_t hid;
	assert_int_equal(resolve(root, t1, "10.0.0.2", &fam, &hid), W_ENOTFOUND);
	assert_string_equal(w_last()->code, "link_not_found");
	assert_int_equal(resolve(root, t2, "10.0.0.2", &fam, &hid), WG_OK);
	assert_int_equal(link_revoke(&w, h), WG_OK);
	assert_int_equal(resolve(root, t2, "10.0.0.2", &fam, &hid), W_ENOTFOUND);
	/* grid 2's household: not the grid 1 worker's to issue or revoke */
	/* a retired household's link opens nothing (a new, empty household, retired) */
	json_t *b = json_pack("{s:s,s:s}", "unit_code", COMMUNITY "-B02-U1", "room", "9901"), *out = NULL;
	assert_int_equal(hh_create(root, b, &out), WG_OK);
	int64_t empty = json_integer_value(json_object_get(out, "id"));
	json_decref(b);
	json_decref(out);
	const char *t3 = issue(&w, empty);
	assert_int_equal(resolve(root, t3, "10.0.0.2", &fam, &hid), WG_OK);
	b = json_pack("{s:b}", "retired", 1);
	assert_int_equal(hh_update(root, empty, b, &out), WG_OK);
	json_decref(b);
	json_decref(out);
	assert_int_equal(resolve(root, t3, "10.0.0.2", &fam, &hid), W_ENOTFOUND);
	int64_t far = testdb_household(root, COMMUNITY "-B03-U1", 1, 0, ids, 16, &n);
	assert_int_equal(link_issue(&w, far, BASE, &out), W_ENOTFOUND);
	assert_int_equal(link_revoke(&w, far), W_ENOTFOUND);
}

static void test_guessing_throttled(void **state)
{
	actor *root = *state;
	actor w = testdb_actor(root, ROLE_GRID_WORKER, COMMUNITY "-G01");
	int64_t ids[16];
	size_t n;
	int64_t h = testdb_household(root, COMMUNITY "-B02-U1", 1, 1, ids, 16, &n);
	const char *good = issue(&w, h);
	actor fam;
	int64_t hid;
	int refused = 0;
	for (int i = 0; i < 25; i++) {
		char guess[33];
		snprintf(guess, sizeof guess, "%032x", i + 1);
		werr e = resolve(root, guess, "10.9.9.9", &fam, &hid);
		if (e == W_ETOOMANY)
			refused++;
		else
			assert_int_equal(e, W_ENOTFOUND);
	}
	assert_int_equal(refused, 5); /* the 21st guess on */
	assert_int_equal(resolve(root, "not-a-token", "10.9.9.9", &fam, &hid), W_ETOOMANY);
	assert_string_equal(w_last()->code, "too_many_attempts");
	/* a valid link from that address is still admitted; another address is not blocked */
	assert_int_equal(resolve(root, good, "10.9.9.9", &fam, &hid), WG_OK);
	assert_int_equal(hid, h);
	assert_int_equal(resolve(root, "00000000000000000000000000000000", "10.9.9.10", &fam, &hid), W_ENOTFOUND);
}

static void test_sheet_reissues(void **state)
{
	actor *root = *state;
	actor w = testdb_actor(root, ROLE_GRID_WORKER, COMMUNITY "-G02");
	int64_t ids[16];
	size_t n;
	int64_t h = testdb_household(root, COMMUNITY "-B03-U1", 1, 2, ids, 16, &n);
	const char *old = issue(&w, h);
	json_t *list = NULL;
	assert_int_equal(hh_list(&w, COMMUNITY "-B03", 1, 0, false, &list), WG_OK);
	int64_t total = json_integer_value(json_object_get(list, "total"));
	json_decref(list);
	char *html = NULL;
	size_t len = 0;
	assert_int_equal(link_sheet(&w, COMMUNITY "-B03", BASE, &html, &len), WG_OK);
	size_t qrs = 0;
	for (const char *p = html; (p = strstr(p, "<svg")); p++)
		qrs++;
	free(html);
	assert_true(total > 0);
	assert_int_equal(qrs, total);
	actor fam;
	int64_t hid;
	assert_int_equal(resolve(root, old, "10.0.0.3", &fam, &hid), W_ENOTFOUND);
	/* another grid's building is not this worker's to print */
	assert_int_equal(link_sheet(&w, COMMUNITY "-B01", BASE, &html, &len), W_ENOTFOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_reaches_only_its_household),
	    cmocka_unit_test(test_new_link_revokes_old),
	    cmocka_unit_test(test_guessing_throttled),
	    cmocka_unit_test(test_sheet_reissues),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
