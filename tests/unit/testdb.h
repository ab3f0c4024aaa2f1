/* testdb.h — the store a domain test runs on: a fresh SQLite file, or, when
 * WANGGE_TEST_PG holds a PostgreSQL URL (make test starts a throwaway cluster), a fresh
 * database created on that server — so the same tests cover both stores.  On a Citus
 * cluster (make citustest) WANGGE_TEST_CITUS names scripts/citus-db.sh, which creates
 * and drops the database on every node. */
#ifndef WG_TESTDB_H
#define WG_TESTDB_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db/db.h"
#include "domain/actor.h"
#include "domain/demo.h"
#include "domain/registry.h"
#include "domain/tree.h"

static char testdb_url[512], testdb_admin[512], testdb_name[64];

/* scripts/citus-db.sh create|drop on the test server */
static int testdb_citus(const char *script, const char *what)
{
	char cmd[1400];
	snprintf(cmd, sizeof cmd, "'%s' %s '%s' %s", script, what, testdb_admin, testdb_name);
	return system(cmd);
}

/* A URL for a new, empty store (static buffer). */
static const char *testdb_create(const char *tag)
{
	const char *pg = getenv("WANGGE_TEST_PG");
	if (!pg || !*pg) {
		snprintf(testdb_url, sizeof testdb_url, "/tmp/wangge-%s-%d.db", tag, (int)getpid());
		unlink(testdb_url);
		return testdb_url;
	}
	snprintf(testdb_admin, sizeof testdb_admin, "%s", pg);
	snprintf(testdb_name, sizeof testdb_name, "t_%s_%d", tag, (int)getpid());
	const char *citus = getenv("WANGGE_TEST_CITUS");
	if (citus && *citus && testdb_citus(citus, "create") != 0)
		return NULL;
	db *d;
	if (db_open(pg, false, &d) != WG_OK)
		return NULL;
	char sql[128];
	snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s", testdb_name);
	werr e = WG_OK;
	if (!citus || !*citus) {
		db_exec(d, sql);
		snprintf(sql, sizeof sql, "CREATE DATABASE %s", testdb_name);
		e = db_exec(d, sql);
	}
	db_close(d);
	if (e)
		return NULL;
	/* the same server, the new database: replace the path of the URL */
	const char *slash = strrchr(pg, '/');
	snprintf(testdb_url, sizeof testdb_url, "%.*s/%s", (int)(slash - pg), pg, testdb_name);
	return testdb_url;
}

static void testdb_drop(void)
{
	if (!testdb_name[0]) {
		char p[600];
		unlink(testdb_url);
		snprintf(p, sizeof p, "%s-wal", testdb_url);
		unlink(p);
		snprintf(p, sizeof p, "%s-shm", testdb_url);
		unlink(p);
		return;
	}
	const char *citus = getenv("WANGGE_TEST_CITUS");
	if (citus && *citus) {
		testdb_citus(citus, "drop");
		return;
	}
	db *d;
	if (db_open(testdb_admin, false, &d) == WG_OK) {
		char sql[128];
		snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s", testdb_name);
		db_exec(d, sql);
		db_close(d);
	}
}

/* The command-line operator (whole tree, full values) on a fresh store; NULL on failure. */
static actor *testdb_operator(const char *tag)
{
	const char *url = testdb_create(tag);
	actor *ac = calloc(1, sizeof *ac);
	if (!url || db_open(url, true, &ac->d) != WG_OK) {
		free(ac);
		return NULL;
	}
	ac->a = arena_new();
	ac->role = ROLE_OPERATOR;
	ac->unit_path = "/";
	ac->source = "test";
	ac->username = "tester";
	return ac;
}

static void testdb_operator_free(actor *ac)
{
	db_close(ac->d);
	arena_free(ac->a);
	free(ac);
	testdb_drop();
}

/* The operator on a fresh store holding the qinghe demo community (households, seed): the
 * tree city 4201 → … → community 420107003008 → grids -G01… → buildings -B01… → entrances
 * -B01-U1…, households in the entrances, accounts for every role.  NULL on failure. */
static inline actor *testdb_demo(const char *tag, int64_t households, uint64_t seed)
{
	actor *ac = testdb_operator(tag);
	if (!ac)
		return NULL;
	demo_opts o = {.preset = "qinghe", .households = households, .seed = seed, .password = "wangge-demo-2026"};
	if (demo_build(ac, &o) != WG_OK) {
		testdb_operator_free(ac);
		return NULL;
	}
	return ac;
}

/* The one actor factory of the C tests: an account of role r bound to unit_code, on the
 * operator's store and arena — what a signed-in user of that role in that unit is given
 * (its subtree, its masks; not the operator's full values).  Exits when the unit is not
 * in the tree, since every test after it would be meaningless. */
static inline actor testdb_actor(const actor *root, role r, const char *unit_code)
{
	unit_row u;
	if (unit_find(root, unit_code, &u) != WG_OK) {
		fprintf(stderr, "testdb_actor: no unit %s\n", unit_code);
		exit(1);
	}
	actor a = *root;
	a.role = r;
	a.unit_id = u.id;
	a.unit_path = u.path;
	a.username = role_name(r);
	a.source = "127.0.0.1";
	return a;
}

/* Up to cap ids of the residents living (or temporary) in household hid, in the order the
 * household answers them; the count. */
static inline size_t testdb_living(const actor *ac, int64_t hid, int64_t *ids, size_t cap)
{
	json_t *hh = NULL;
	if (hh_get(ac, hid, &hh) != WG_OK)
		return 0;
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

/* The skip-th household (in list order) of unit_code with at least min living residents:
 * its id (0 when there is none), its living ids into ids (cap), their count into *n. */
static inline int64_t testdb_household(const actor *ac, const char *unit_code, size_t min, int skip,
                                       int64_t *ids, size_t cap, size_t *n)
{
	json_t *list = NULL;
	*n = 0;
	if (hh_list(ac, unit_code, 500, 0, false, &list) != WG_OK)
		return 0;
	size_t i;
	json_t *h;
	int64_t found = 0;
	json_array_foreach(json_object_get(list, "items"), i, h)
	{
		int64_t hid = json_integer_value(json_object_get(h, "id"));
		size_t k = testdb_living(ac, hid, ids, cap);
		if (k >= min && skip-- == 0) {
			found = hid;
			*n = k;
			break;
		}
	}
	json_decref(list);
	return found;
}
#endif
