/* pace_sqlite.c — a checkpoint's writes go to disk as they are made, not all at its fsync.
 *
 * A checkpoint copies the WAL's pages into the store file (pwrite into the kernel's page
 * cache) and then fsyncs the store file.  Under a rush one checkpoint (the ticker's, once a
 * second) rewrites tens of MB of scattered pages; at the fsync the disk's queue gets all
 * of them at once, and the writer's next commit — a small WAL write and its fdatasync —
 * waits behind them (issue 21: check-in and missing-list p99 of ~1 s on ten million
 * residents; this machine's disk writes ~100 MB/s).  So the store file's writes go through
 * this thin VFS: after every PACE_BYTES written it waits for the previous PACE_BYTES to
 * reach the disk and starts writing out the new ones (sync_file_range), so at most about
 * two steps are ever queued ahead of a commit, and the checkpoint — in the ticker's thread
 * — goes at the disk's pace.  Durability is unchanged: sync_file_range is only an early
 * start of the writeback; SQLite's own fsync still ends every checkpoint, and nothing
 * else is changed (the locks and the shared memory pass straight through).
 *
 * The log's writes are held and written at once, just before its sync: see wal_flush. */
#include "db/pace_sqlite.h"

#ifdef __linux__
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { PACE_BYTES = 1 << 20, WAL_BUF = 1 << 20, WAL_WRITE = 64 << 10, WAL_FRAME_HEADER = 24 };

static sqlite3_vfs *real_vfs;

/* Our descriptor on a store file, one per file for the whole process, kept while any
 * connection of the process has the file open.  Closing a descriptor drops every POSIX
 * lock the process holds on the file, whichever descriptor took it: a connection closed
 * while others stay open (a thread's own connection, a build's) took the others' locks
 * with it, and another process then found the store unlocked — it checkpointed, deleted
 * the log and left the server's connections a "disk image malformed" (tests/unit/test_pace.c
 * test_a_closed_connection_keeps_the_others_locks).  SQLite's own unix VFS shares its
 * descriptors per file for that reason; ours do the same. */
typedef struct store_fd {
	dev_t dev;
	ino_t ino;
	int fd, refs;
	struct store_fd *next;
} store_fd;
static store_fd *store_fds;
static pthread_mutex_t store_fds_mu = PTHREAD_MUTEX_INITIALIZER;

static int store_fd_get(const char *name)
{
	struct stat st;
	if (stat(name, &st))
		return -1;
	pthread_mutex_lock(&store_fds_mu);
	store_fd *f = store_fds;
	while (f && !(f->dev == st.st_dev && f->ino == st.st_ino))
		f = f->next;
	if (!f) {
		int fd = open(name, O_RDONLY | O_CLOEXEC);
		f = fd >= 0 ? calloc(1, sizeof *f) : NULL;
		if (f) {
			*f = (store_fd){.dev = st.st_dev, .ino = st.st_ino, .fd = fd, .next = store_fds};
			store_fds = f;
		} else if (fd >= 0) {
			close(fd); /* a new file's: nobody holds a lock on it through us yet */
		}
	}
	if (f)
		f->refs++;
	int fd = f ? f->fd : -1;
	pthread_mutex_unlock(&store_fds_mu);
	return fd;
}

/* After the connection's own close: the last one of the file closes the descriptor. */
static void store_fd_put(int fd)
{
	pthread_mutex_lock(&store_fds_mu);
	for (store_fd **pp = &store_fds; *pp; pp = &(*pp)->next) {
		if ((*pp)->fd != fd)
			continue;
		store_fd *f = *pp;
		if (--f->refs == 0) {
			*pp = f->next;
			close(f->fd);
			free(f);
		}
		break;
	}
	pthread_mutex_unlock(&store_fds_mu);
}

typedef struct {
	sqlite3_file base;
	sqlite3_file *real;
	int fd;                 /* our own descriptor on a store file, -1 for any other file */
	int off;                /* pacing turned off (PACE_FCNTL_SET) */
	sqlite3_int64 written;  /* bytes written since the last flush */
	/* a log's appends, held until its commit's last frame (or any other call on it) and
	 * written at once: a commit wrote each frame as two writes (its header, its page) —
	 * ~100 system calls for a rush's batch, a tenth of the writer's time with the kernel's
	 * share; now one write per 64 KiB */
	bool wal;
	bool commit_frame; /* the header just held is a commit's: its page ends the commit */
	unsigned char *buf;
	size_t len;
	sqlite3_int64 at; /* the file offset of buf[0] */
} pfile;

#define REAL(f) (((pfile *)(f))->real)

/* What the log's writes hold goes to the file (one write per WAL_WRITE), when the frame
 * that ends a commit has been written (its header's "size after commit" is not zero: the
 * WAL format) — before SQLite syncs the log, if it does, and before it puts the commit in
 * the shared index where another connection reads — and before anything else is done with
 * the file: a read, a sync, its size, a truncation, a file control, its close.  Their
 * error, if any, is the commit frame's write's, and the commit fails as it would have. */
static int wal_flush(pfile *p)
{
	int rc = SQLITE_OK;
	/* in writes of at most WAL_WRITE bytes: the unix VFS writes less than 128 KiB at a time
	 * (it masks the length: a longer write came back short, as SQLITE_FULL) */
	for (size_t k = 0; k < p->len && rc == SQLITE_OK; k += WAL_WRITE) {
		size_t n = p->len - k < WAL_WRITE ? p->len - k : WAL_WRITE;
		rc = p->real->pMethods->xWrite(p->real, p->buf + k, (int)n, p->at + (sqlite3_int64)k);
	}
	p->len = 0;
	return rc;
}

static int p_close(sqlite3_file *f)
{
	pfile *p = (pfile *)f;
	(void)wal_flush(p);
	free(p->buf);
	p->buf = NULL;
	int rc = REAL(f)->pMethods ? REAL(f)->pMethods->xClose(REAL(f)) : SQLITE_OK;
	if (p->fd >= 0)
		store_fd_put(p->fd);
	p->fd = -1;
	return rc;
}
static int p_read(sqlite3_file *f, void *b, int n, sqlite3_int64 off)
{
	int rc = wal_flush((pfile *)f);
	return rc ? rc : REAL(f)->pMethods->xRead(REAL(f), b, n, off);
}
static int p_write(sqlite3_file *f, const void *b, int n, sqlite3_int64 off)
{
	pfile *p = (pfile *)f;
	if (p->wal && n > 0 && (size_t)n <= WAL_BUF / 2) {
		if (p->len && off >= p->at && off + n <= p->at + (sqlite3_int64)p->len) { /* a frame written again */
			memcpy(p->buf + (off - p->at), b, (size_t)n);
			return SQLITE_OK;
		}
		if (p->len && (off != p->at + (sqlite3_int64)p->len || p->len + (size_t)n > WAL_BUF)) {
			int rc = wal_flush(p);
			if (rc)
				return rc;
		}
		if (!p->buf && !(p->buf = malloc(WAL_BUF)))
			return REAL(f)->pMethods->xWrite(REAL(f), b, n, off);
		if (!p->len)
			p->at = off;
		memcpy(p->buf + p->len, b, (size_t)n);
		p->len += (size_t)n;
		if (p->commit_frame) { /* the commit's last page: all of it to the file now */
			p->commit_frame = false;
			return wal_flush(p);
		}
		const unsigned char *h = b;
		p->commit_frame = n == WAL_FRAME_HEADER && (h[4] | h[5] | h[6] | h[7]);
		return SQLITE_OK;
	}
	int rc = wal_flush(p);
	if (rc)
		return rc;
	rc = REAL(f)->pMethods->xWrite(REAL(f), b, n, off);
	if (rc == SQLITE_OK && p->fd >= 0 && !p->off && (p->written += n) >= PACE_BYTES) {
		p->written = 0;
		/* the whole file's range: what is under writeback is waited for, what is dirty
		 * is started — at most the step before this one and this one are queued */
		(void)sync_file_range(p->fd, 0, 0, SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE);
	}
	return rc;
}
static int p_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	int rc = wal_flush((pfile *)f);
	return rc ? rc : REAL(f)->pMethods->xTruncate(REAL(f), size);
}
static int p_sync(sqlite3_file *f, int flags)
{
	((pfile *)f)->written = 0;
	int rc = wal_flush((pfile *)f);
	return rc ? rc : REAL(f)->pMethods->xSync(REAL(f), flags);
}
static int p_size(sqlite3_file *f, sqlite3_int64 *size)
{
	int rc = wal_flush((pfile *)f);
	return rc ? rc : REAL(f)->pMethods->xFileSize(REAL(f), size);
}
static int p_lock(sqlite3_file *f, int l)
{
	return REAL(f)->pMethods->xLock(REAL(f), l);
}
static int p_unlock(sqlite3_file *f, int l)
{
	return REAL(f)->pMethods->xUnlock(REAL(f), l);
}
static int p_check(sqlite3_file *f, int *out)
{
	return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}
static int p_control(sqlite3_file *f, int op, void *arg)
{
	pfile *p = (pfile *)f;
	if (op == PACE_FCNTL_SET) {
		p->off = !*(int *)arg;
		return SQLITE_OK;
	}
	int rc = wal_flush(p);
	if (rc)
		return rc;
	rc = REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
	/* A checkpoint has copied its pages: they are written out now, in the thread that
	 * checkpoints.  A checkpoint that does not reach the end of the log (the ticker's,
	 * while the writer goes on committing) has no fsync of its own; the writer's next one
	 * would otherwise wait in its fsync for everything the ticker's left behind. */
	if (op == SQLITE_FCNTL_CKPT_DONE && p->fd >= 0 && !p->off) {
		p->written = 0;
		(void)sync_file_range(p->fd, 0, 0,
		                      SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER);
	}
	return rc;
}
static int p_sector(sqlite3_file *f)
{
	return REAL(f)->pMethods->xSectorSize(REAL(f));
}
static int p_caps(sqlite3_file *f)
{
	return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}
static int p_shm_map(sqlite3_file *f, int pg, int sz, int extend, void volatile **out)
{
	return REAL(f)->pMethods->xShmMap(REAL(f), pg, sz, extend, out);
}
static int p_shm_lock(sqlite3_file *f, int off, int n, int flags)
{
	return REAL(f)->pMethods->xShmLock(REAL(f), off, n, flags);
}
static void p_shm_barrier(sqlite3_file *f)
{
	REAL(f)->pMethods->xShmBarrier(REAL(f));
}
static int p_shm_unmap(sqlite3_file *f, int del)
{
	return REAL(f)->pMethods->xShmUnmap(REAL(f), del);
}
static int p_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **out)
{
	return REAL(f)->pMethods->xFetch(REAL(f), off, n, out);
}
static int p_unfetch(sqlite3_file *f, sqlite3_int64 off, void *b)
{
	return REAL(f)->pMethods->xUnfetch(REAL(f), off, b);
}

static const sqlite3_io_methods p_methods = {
    3,       p_close,   p_read,   p_write,   p_truncate, p_sync,     p_size,        p_lock,      p_unlock,
    p_check, p_control, p_sector, p_caps,    p_shm_map,  p_shm_lock, p_shm_barrier, p_shm_unmap, p_fetch,
    p_unfetch};

static int v_open(sqlite3_vfs *v, const char *name, sqlite3_file *f, int flags, int *out_flags)
{
	(void)v;
	pfile *p = (pfile *)f;
	p->real = (sqlite3_file *)(p + 1);
	p->fd = -1;
	p->off = 0;
	p->written = 0;
	p->wal = (flags & SQLITE_OPEN_WAL) != 0;
	p->commit_frame = false;
	p->buf = NULL;
	p->len = 0;
	int rc = real_vfs->xOpen(real_vfs, name, p->real, flags, out_flags);
	f->pMethods = p->real->pMethods ? &p_methods : NULL;
	if (rc == SQLITE_OK && name && (flags & SQLITE_OPEN_MAIN_DB))
		p->fd = store_fd_get(name); /* none: the writes go unpaced */
	return rc;
}
static int v_delete(sqlite3_vfs *v, const char *name, int sync)
{
	(void)v;
	return real_vfs->xDelete(real_vfs, name, sync);
}
static int v_access(sqlite3_vfs *v, const char *name, int flags, int *out)
{
	(void)v;
	return real_vfs->xAccess(real_vfs, name, flags, out);
}
static int v_fullname(sqlite3_vfs *v, const char *name, int n, char *out)
{
	(void)v;
	return real_vfs->xFullPathname(real_vfs, name, n, out);
}
static int v_random(sqlite3_vfs *v, int n, char *out)
{
	(void)v;
	return real_vfs->xRandomness(real_vfs, n, out);
}
static int v_sleep(sqlite3_vfs *v, int us)
{
	(void)v;
	return real_vfs->xSleep(real_vfs, us);
}
static int v_time(sqlite3_vfs *v, double *out)
{
	(void)v;
	return real_vfs->xCurrentTime(real_vfs, out);
}
static int v_error(sqlite3_vfs *v, int n, char *out)
{
	(void)v;
	return real_vfs->xGetLastError(real_vfs, n, out);
}
static int v_time64(sqlite3_vfs *v, sqlite3_int64 *out)
{
	(void)v;
	return real_vfs->xCurrentTimeInt64(real_vfs, out);
}

static sqlite3_vfs p_vfs = {.iVersion = 2,
                            .zName = "wangge-paced",
                            .xOpen = v_open,
                            .xDelete = v_delete,
                            .xAccess = v_access,
                            .xFullPathname = v_fullname,
                            .xDlOpen = NULL,
                            .xRandomness = v_random,
                            .xSleep = v_sleep,
                            .xCurrentTime = v_time,
                            .xGetLastError = v_error,
                            .xCurrentTimeInt64 = v_time64};

void pace_sqlite_install(void)
{
	real_vfs = sqlite3_vfs_find(NULL);
	if (!real_vfs)
		return;
	p_vfs.szOsFile = (int)sizeof(pfile) + real_vfs->szOsFile;
	p_vfs.mxPathname = real_vfs->mxPathname;
	sqlite3_vfs_register(&p_vfs, 1);
}
#else
void pace_sqlite_install(void)
{
}
#endif
