/* test_pace.c — a checkpoint's writes reach the disk as they are made (src/db/pace_sqlite.c):
 * after a checkpoint that copied 8 MB into the store file, at most about one pacing step
 * of it is still dirty in the kernel's cache.  The store's own syncs are off here, so what
 * was written out was written out by the pacing alone (a checkpoint that left it all to
 * its fsync left all 8 MB dirty).  The kernel's count comes from cachestat(2) (Linux 6.5);
 * on an older kernel, another store or another system the test is skipped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testdb.h"

struct cs_range {
	uint64_t off, len;
};
struct cs {
	uint64_t cache, dirty, writeback, evicted, recently_evicted;
};

/* dirty pages of a file, or -1 when the kernel cannot say */
static long long dirty_pages(const char *path)
{
#if defined(__linux__) && defined(__x86_64__)
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	struct cs_range r = {0, 0};
	struct cs c = {0};
	long rc = syscall(451 /* cachestat */, fd, &r, &c, 0);
	close(fd);
	return rc == 0 ? (long long)c.dirty : -1;
#else
	(void)path;
	return -1;
#endif
}

/* A new SQLite store for a test: its path in path, or false on a database server (the
 * pacing is SQLite's VFS: the test is skipped). */
static bool sqlite_store(const char *tag, char *path, size_t n)
{
	const char *url = testdb_create(tag);
	if (getenv("WANGGE_TEST_PG") && *getenv("WANGGE_TEST_PG"))
		return false;
	snprintf(path, n, "%s", url);
	return true;
}

static void test_checkpoint_writes_go_out_as_they_are_made(void **state)
{
	(void)state;
	char path[600];
	if (!sqlite_store("pace", path, sizeof path)) {
		skip();
		return;
	}
	db *d;
	assert_int_equal(db_open(path, false, &d), WG_OK);
	/* no syncs of the store's own, no checkpoint until asked; 8 MB of random-ish pages */
	assert_int_equal(db_exec(d, "PRAGMA synchronous=OFF; PRAGMA wal_autocheckpoint=0;"
	                            " CREATE TABLE big(k INTEGER PRIMARY KEY, v BLOB);"
	                            " WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)"
	                            " INSERT INTO big SELECT i * 7919 % 2003, randomblob(4000) FROM n"),
	                 WG_OK);
	long long before = dirty_pages(path);
	if (before < 0) {
		db_close(d);
		unlink(path);
		skip();
		return;
	}
	bool done;
	assert_int_equal(db_checkpoint(d, &done), WG_OK);
	long long after = dirty_pages(path);
	db_close(d);
	char side[640];
	snprintf(side, sizeof side, "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", path);
	unlink(side);
	unlink(path);
	fprintf(stderr, "  store file after an 8 MB checkpoint: %lld pages dirty\n", after);
	/* one pacing step is 1 MB (256 pages of 4 KiB); 8 MB is ~2,000 */
	assert_true(after <= 512);
}

/* A checkpoint that does not reach the end of the log has no fsync of its own (the
 * ticker's, while the writer commits): its pages are nonetheless on their way to the disk
 * when it returns — none left dirty for the writer's next checkpoint to wait for in its
 * fsync, with check-ins queued behind it.  The log here is held by a reader, so the
 * checkpoint stops short of its end (the old build left the last pacing step dirty). */
static void test_short_checkpoint_leaves_nothing_dirty(void **state)
{
	(void)state;
	char path[600];
	if (!sqlite_store("pace2", path, sizeof path)) {
		skip();
		return;
	}
	db *d, *r;
	assert_int_equal(db_open(path, false, &d), WG_OK);
	assert_int_equal(db_exec(d, "PRAGMA synchronous=OFF; PRAGMA wal_autocheckpoint=0;"
	                            " CREATE TABLE big(k INTEGER PRIMARY KEY, v BLOB);"
	                            " WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)"
	                            " INSERT INTO big SELECT i * 7919 % 1009, randomblob(4000) FROM n"),
	                 WG_OK);
	/* a reader's snapshot here: what is committed after it cannot be copied back */
	assert_int_equal(db_open(path, false, &r), WG_OK);
	assert_int_equal(db_exec(r, "BEGIN; SELECT count(*) FROM big"), WG_OK);
	assert_int_equal(db_exec(d, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100)"
	                            " INSERT INTO big SELECT 5000 + i, randomblob(4000) FROM n"),
	                 WG_OK);
	long long dirty = dirty_pages(path);
	bool done;
	werr e = db_checkpoint(d, &done);
	long long after = dirty_pages(path);
	db_exec(r, "COMMIT");
	db_close(r);
	db_close(d);
	char side[640];
	snprintf(side, sizeof side, "%s-wal", path);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", path);
	unlink(side);
	unlink(path);
	if (dirty < 0) {
		skip();
		return;
	}
	assert_int_equal(e, WG_OK);
	fprintf(stderr, "  store file after a checkpoint short of the log's end: %lld pages dirty\n", after);
	assert_int_equal(after, 0);
}

/* The writer maps the whole store, not its first 256 MB: what it reads past the map goes
 * through the kernel's cache unmapped, which this machine's kernel drops after about a
 * minute unused (bench/README.md, the soak's tail) — a check-in then reads its index page
 * from the disk, inside the batch. */
static void test_writer_maps_the_store(void **state)
{
	(void)state;
	char url[600];
	if (!sqlite_store("pace3", url, sizeof url)) {
		skip();
		return;
	}
	db *d;
	assert_int_equal(db_open(url, false, &d), WG_OK);
	assert_int_equal(db_tune(d, DB_FOR_WRITER), WG_OK);
	db_stmt *s = db_prepare(d, "PRAGMA mmap_size");
	assert_non_null(s);
	assert_int_equal(db_step(s, NULL), DB_ROW);
	int64_t map = db_int(s, 0);
	db_finalize(s);
	db_close(d);
	/* the build's ceiling (SQLITE_MAX_MMAP_SIZE) may clamp it: at least 1 GB either way */
	assert_true(map >= (int64_t)1 << 30);
}

/* The log's writes are held until the frame that ends a commit (pace_sqlite.c): a
 * commit that is not synced (synchronous=OFF or NORMAL) is nonetheless in the file when
 * another connection sees it committed — every row it reads is there, whole. */
static void test_unsynced_commits_are_read_whole(void **state)
{
	(void)state;
	char url[600];
	if (!sqlite_store("pace3", url, sizeof url)) {
		skip();
		return;
	}
	db *w, *r;
	assert_int_equal(db_open(url, false, &w), WG_OK);
	assert_int_equal(db_open(url, false, &r), WG_OK);
	assert_int_equal(db_exec(w, "PRAGMA synchronous=OFF; CREATE TABLE t(k INTEGER PRIMARY KEY, v TEXT)"), WG_OK);
	for (int i = 1; i <= 200; i++) {
		char sql[160];
		snprintf(sql, sizeof sql, "INSERT INTO t(k, v) VALUES (%d, printf('%%.*c', %d, 'x'))", i, 50 + i * 37 % 3000);
		assert_int_equal(db_exec(w, sql), WG_OK);
		db_stmt *s = db_prepare(r, "SELECT count(*), sum(length(v)) FROM t");
		werr e;
		assert_int_equal(db_step(s, &e), DB_ROW);
		assert_int_equal(db_int(s, 0), i);
		db_finalize(s);
	}
	db_stmt *s = db_prepare(r, "PRAGMA integrity_check");
	werr e;
	assert_int_equal(db_step(s, &e), DB_ROW);
	assert_string_equal(db_text(s, 0), "ok");
	db_finalize(s);
	db_close(r);
	db_close(w);
}

/* Whether another process finds the store file's shared-lock bytes held (SQLite's unix
 * locking: a connection holds a read lock there while it has the store open in WAL mode,
 * and a process that can take them all writes to it as if alone — checkpoints and deletes
 * the log when it closes). */
static bool others_see_a_lock(const char *path)
{
	pid_t pid = fork();
	if (pid == 0) {
		int fd = open(path, O_RDWR | O_CLOEXEC);
		struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0x40000000 + 2, .l_len = 510};
		_exit(fd >= 0 && fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK ? 0 : 1);
	}
	int st = 1;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* A connection closed while another stays open leaves the other's locks held: closing a
 * descriptor drops all the process's POSIX locks on the file, and the VFS's own
 * descriptor on the store (for pacing) was closed with each connection. */
static void test_a_closed_connection_keeps_the_others_locks(void **state)
{
	(void)state;
	char path[600];
	if (!sqlite_store("pacelock", path, sizeof path)) {
		skip();
		return;
	}
	db *a, *b;
	assert_int_equal(db_open(path, false, &a), WG_OK);
	assert_int_equal(db_exec(a, "CREATE TABLE t(x); INSERT INTO t VALUES (1)"), WG_OK);
	assert_true(others_see_a_lock(path));
	assert_int_equal(db_open(path, false, &b), WG_OK);
	assert_int_equal(db_exec(b, "SELECT count(*) FROM t"), WG_OK);
	db_close(b);
	assert_true(others_see_a_lock(path)); /* a's still held */
	db_close(a);
	assert_false(others_see_a_lock(path));
	unlink(path);
}

/* A reader that is always mid-read, as a dashboard polling without a pause. */
typedef struct {
	const char *url;
	atomic_bool stop;
	int reads;
} busy_reader;

static void *read_loop(void *arg)
{
	busy_reader *b = arg;
	db *r;
	if (db_open(b->url, false, &r))
		return NULL;
	while (!atomic_load(&b->stop)) {
		if (db_exec(r, "BEGIN; SELECT max(k) FROM t; COMMIT")) /* a short read, as a dashboard's */
			break;
		b->reads++;
	}
	db_close(r);
	return NULL;
}

/* Frames in the log: a passive checkpoint's count, on a connection of its own. */
static int64_t log_frames(const char *url)
{
	db *c;
	if (db_open(url, false, &c))
		return -1;
	db_stmt *s = db_prepare(c, "PRAGMA wal_checkpoint(PASSIVE)");
	werr e;
	int64_t n = s && db_step(s, &e) == DB_ROW ? db_int(s, 1) : -1;
	db_finalize(s);
	db_close(c);
	return n;
}

/* With a reader always mid-read the log started over at no write, and grew as long as the
 * rush lasted; past its threshold the writer's checkpoint waits for the readers to leave
 * the log, and its next write starts it over. */
static void test_the_log_starts_over_under_busy_readers(void **state)
{
	(void)state;
	char path[600];
	if (!sqlite_store("pacerestart", path, sizeof path)) {
		skip();
		return;
	}
	db *w;
	assert_int_equal(db_open(path, false, &w), WG_OK);
	assert_int_equal(db_tune(w, DB_FOR_WRITER), WG_OK);
	assert_int_equal(db_exec(w, "PRAGMA synchronous=OFF; CREATE TABLE t(k INTEGER PRIMARY KEY, v BLOB)"), WG_OK);
	busy_reader b = {.url = path};
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, read_loop, &b), 0);
	/* ~40 MB of log: over the 8,192 frames past which the writer asks for the restart */
	for (int i = 0; i < 10000; i++) {
		char sql[96];
		snprintf(sql, sizeof sql, "INSERT INTO t(k, v) VALUES (%d, randomblob(4000))", i + 1);
		assert_int_equal(db_exec(w, sql), WG_OK);
	}
	/* the writer's checkpoint, then its next write; a reader descheduled mid-read past the
	 * 20 ms wait (a busy machine) leaves it for the next checkpoint, as in the server */
	int64_t frames = -1;
	for (int tries = 0; tries < 10 && !(frames >= 0 && frames < 100); tries++) {
		bool done;
		assert_int_equal(db_checkpoint(w, &done), WG_OK);
		assert_int_equal(db_exec(w, "INSERT INTO t(v) VALUES (x'00')"), WG_OK);
		frames = log_frames(path);
	}
	atomic_store(&b.stop, true);
	pthread_join(th, NULL);
	db_stats st;
	db_stats_read(&st);
	assert_true(b.reads > 100);
	assert_true(frames >= 0 && frames < 100); /* the last write started the log over */
	assert_true(st.log_restarts_done > 0);
	db_close(w);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_checkpoint_writes_go_out_as_they_are_made),
	    cmocka_unit_test(test_short_checkpoint_leaves_nothing_dirty),
	    cmocka_unit_test(test_unsynced_commits_are_read_whole),
	    cmocka_unit_test(test_writer_maps_the_store),
	    cmocka_unit_test(test_a_closed_connection_keeps_the_others_locks),
	    cmocka_unit_test(test_the_log_starts_over_under_busy_readers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
