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
#endif
