/* test_accounts.c — accounts on a real store (the qinghe demo): a wrong password and an
 * unknown name answer alike; LOCK_FAILURES failures of a name from one address lock it
 * there (even the right password, unchecked) and nowhere else, a success in between gives
 * the places back, the lock ends after LOCK_FOR_S (moved clock); LOCK_ACCOUNT_FAILURES from
 * every address together lock the name everywhere; locks are audited; sessions end when
 * idle, at their absolute limit, on logout and when the account is disabled; accounts are
 * created only with roles the creator may grant, in its subtree, with a strong password. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <sodium.h>

#include "core/util.h"
#include "domain/accounts.h"
#include "testdb.h"

#define COMMUNITY "420107003008"
#define PW "wangge-demo-2026"

static int setup(void **state)
{
	if (sodium_init() < 0) /* as main() does: argon2id and the token's random bytes */
		return -1;
	actor *ac = testdb_demo("accounts", 600, 7);
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

static werr login(actor *root, const char *user, const char *pw, const char *source, const char **token)
{
	json_t *u = NULL;
	const char *t = NULL;
	werr e = acct_login(root->d, root->a, user, pw, source, &t, &u);
	json_decref(u);
	if (token)
		*token = t;
	return e;
}

static int64_t audit_count(actor *root, const char *action_outcome)
{
	json_t *out = NULL;
	assert_int_equal(audit_list(root, 0, NULL, "session", 500, 0, &out), WG_OK);
	int64_t n = 0;
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(out, "items"), i, it)
	{
		char *k = arena_printf(root->a, "%s/%s", json_string_value(json_object_get(it, "action")),
		                       json_string_value(json_object_get(it, "outcome")));
		n += !strcmp(k, action_outcome);
	}
	json_decref(out);
	return n;
}

static void test_lockout_per_address(void **state)
{
	actor *root = *state;
	const char *tok;
	/* unknown name and wrong password: one answer */
	assert_int_equal(login(root, "nobody", PW, "10.1.0.1", NULL), W_EUNAUTH);
	assert_string_equal(w_last()->code, "invalid_credentials");
	assert_int_equal(login(root, "gw01", "wrong-password-1", "10.1.0.1", NULL), W_EUNAUTH);
	assert_string_equal(w_last()->code, "invalid_credentials");
	/* a success gives the places back: four more failures do not lock */
	assert_int_equal(login(root, "gw01", PW, "10.1.0.1", &tok), WG_OK);
	for (int i = 0; i < LOCK_FAILURES - 1; i++)
		assert_int_equal(login(root, "gw01", "wrong-password-1", "10.1.0.1", NULL), W_EUNAUTH);
	assert_int_equal(login(root, "gw01", PW, "10.1.0.1", &tok), WG_OK);
	/* LOCK_FAILURES in a row: the last one starts the lock */
	int64_t locks = audit_count(root, "lockout/locked");
	for (int i = 0; i < LOCK_FAILURES - 1; i++)
		assert_int_equal(login(root, "gw01", "wrong-password-1", "10.1.0.1", NULL), W_EUNAUTH);
	assert_int_equal(login(root, "gw01", "wrong-password-1", "10.1.0.1", NULL), W_ELOCKED);
	assert_string_equal(w_last()->code, "account_locked");
	assert_int_equal(audit_count(root, "lockout/locked"), locks + 1);
	/* the right password from that address: still locked; from another: in */
	assert_int_equal(login(root, "gw01", PW, "10.1.0.1", NULL), W_ELOCKED);
	assert_int_equal(login(root, "gw01", PW, "10.1.0.2", &tok), WG_OK);
	/* other names from the locked address: not affected */
	assert_int_equal(login(root, "gw02", PW, "10.1.0.1", &tok), WG_OK);
	/* 15 minutes on, the lock is over */
	clock_shift(LOCK_FOR_S - 60);
	assert_int_equal(login(root, "gw01", PW, "10.1.0.1", NULL), W_ELOCKED);
	clock_shift(61);
	assert_int_equal(login(root, "gw01", PW, "10.1.0.1", &tok), WG_OK);
	clock_shift(-LOCK_FOR_S - 1);
}

static void test_lockout_everywhere(void **state)
{
	actor *root = *state;
	/* LOCK_ACCOUNT_FAILURES failures from many addresses, none reaching its own limit */
	int per = LOCK_FAILURES - 1, addrs = (LOCK_ACCOUNT_FAILURES + per - 1) / per;
	werr last = WG_OK;
	for (int a = 0; a < addrs; a++)
		for (int i = 0; i < per; i++)
			last = login(root, "cadre01", "wrong-password-2", arena_printf(root->a, "10.2.%d.1", a), NULL);
	assert_int_equal(last, W_ELOCKED);
	/* now locked from an address never used */
	assert_int_equal(login(root, "cadre01", PW, "10.3.0.1", NULL), W_ELOCKED);
	assert_int_equal(login(root, "cadre02", PW, "10.3.0.1", NULL), WG_OK);
}

static void test_sessions(void **state)
{
	actor *root = *state;
	const char *tok;
	assert_int_equal(login(root, "gw02", PW, "10.4.0.1", &tok), WG_OK);
	tok = arena_strdup(root->a, tok);
	assert_int_equal(strlen(tok), 64);
	actor me;
	assert_int_equal(acct_session(root->d, root->a, tok, "10.4.0.1", &me), WG_OK);
	assert_string_equal(me.username, "gw02");
	assert_int_equal(me.role, ROLE_GRID_WORKER);
	unit_row g2;
	assert_int_equal(unit_find(root, COMMUNITY "-G02", &g2), WG_OK);
	assert_string_equal(me.unit_path, g2.path);
	/* idle for longer than SESSION_IDLE_S: over */
	clock_shift(SESSION_IDLE_S + 1);
	acct_cache_invalidate();
	assert_int_equal(acct_session(root->d, root->a, tok, "10.4.0.1", &me), W_EUNAUTH);
	assert_string_equal(w_last()->code, "session_expired");
	clock_shift(-SESSION_IDLE_S - 1);
	/* logout */
	assert_int_equal(login(root, "gw02", PW, "10.4.0.1", &tok), WG_OK);
	tok = arena_strdup(root->a, tok);
	assert_int_equal(acct_logout(root->d, tok), WG_OK);
	acct_cache_invalidate();
	assert_int_equal(acct_session(root->d, root->a, tok, "10.4.0.1", &me), W_EUNAUTH);
	/* a disabled account: its session ends, its password no longer lets it in */
	assert_int_equal(login(root, "vol02", PW, "10.4.0.1", &tok), WG_OK);
	tok = arena_strdup(root->a, tok);
	assert_int_equal(acct_disable(root, "vol02", true), WG_OK);
	acct_cache_invalidate();
	assert_int_equal(acct_session(root->d, root->a, tok, "10.4.0.1", &me), W_EUNAUTH);
	assert_int_equal(login(root, "vol02", PW, "10.4.0.1", NULL), W_EUNAUTH);
	assert_string_equal(w_last()->code, "invalid_credentials");
	assert_int_equal(audit_count(root, "login/disabled"), 1);
	/* garbage tokens */
	assert_int_equal(acct_session(root->d, root->a, "abc", "10.4.0.1", &me), W_EUNAUTH);
	assert_int_equal(acct_session(root->d, root->a, NULL, "10.4.0.1", &me), W_EUNAUTH);
}

static werr add(const actor *by, const char *user, const char *rolename, const char *unit, const char *pw)
{
	json_t *b = json_pack("{s:s,s:s,s:s,s:s}", "username", user, "password", pw, "role", rolename, "unit_code", unit), *out = NULL;
	werr e = acct_add(by, b, &out);
	json_decref(b);
	json_decref(out);
	return e;
}

static void test_creating_accounts(void **state)
{
	actor *root = *state;
	actor sec = testdb_actor(root, ROLE_COMMUNITY, COMMUNITY);
	assert_int_equal(add(&sec, "gw09", "grid_worker", COMMUNITY "-G01", "a-good-long-pass"), WG_OK);
	assert_int_equal(add(&sec, "boss", "admin", COMMUNITY, "a-good-long-pass"), W_EFORBIDDEN);
	assert_string_equal(w_last()->field, "role");
	assert_int_equal(add(&sec, "far", "grid_worker", "420107", "a-good-long-pass"), W_ENOTFOUND);
	assert_int_equal(add(&sec, "short", "grid_worker", COMMUNITY "-G01", "short"), W_EINVAL);
	assert_string_equal(w_last()->code, "weak_password");
	assert_int_equal(add(&sec, "Bad Name", "grid_worker", COMMUNITY "-G01", "a-good-long-pass"), W_EINVAL);
	assert_string_equal(w_last()->code, "invalid_username");
	assert_int_equal(add(&sec, "gw09", "grid_worker", COMMUNITY "-G01", "a-good-long-pass"), W_ECONFLICT);
	assert_string_equal(w_last()->code, "duplicate_username");
	assert_int_equal(add(&sec, "who", "wizard", COMMUNITY "-G01", "a-good-long-pass"), W_EINVAL);
	assert_string_equal(w_last()->code, "invalid_role");
	/* the new account logs in; a grid worker cannot reset the secretary */
	assert_int_equal(login(root, "gw09", "a-good-long-pass", "10.5.0.1", NULL), WG_OK);
	actor w = testdb_actor(root, ROLE_GRID_WORKER, COMMUNITY "-G01");
	assert_int_not_equal(acct_passwd(&w, "secretary", "another-long-pass"), WG_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lockout_per_address),
	    cmocka_unit_test(test_lockout_everywhere),
	    cmocka_unit_test(test_sessions),
	    cmocka_unit_test(test_creating_accounts),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
