/* fault_sqlite.c — fault injection for the SQLite store, in the style of SQLite's own test
 * VFS: built only into the test binary (make faulttest: -DWANGGE_FAULTS), never into the
 * one users run.  With WANGGE_FAULT_FILE set, the store's files go through a VFS that
 * reads that file's first word before each write, sync and lock:
 *   full   every write fails as a full disk does (SQLITE_FULL)
 *   fsync  every sync fails (SQLITE_IOERR_FSYNC), the failure PostgreSQL's "fsyncgate" was about
 *   nomem  SQLite's allocations fail (SQLITE_NOMEM) — checked at each lock, not each malloc
 *   read N N% of the reads from the files fail (SQLITE_IOERR_READ), at random — a read
 *          that fails in the middle of a request, after others succeeded (checked at
 *          each lock)
 * and anything else (or no file) lets everything through, so a test turns a fault on and
 * off while the server runs.  tests/crash/fault_test.py is the test.
 *
 * With WANGGE_POWER_LOSS=1 as well, the layer is the machine's page cache at a power cut:
 * what is written to the store file or its log stays in the process's memory (every
 * connection of the process reads it) until a sync of that file writes it out, so a
 * kill -9 loses exactly what no sync has made durable, as a power cut would.  A file's
 * last close writes out what it holds (the process ending normally leaves it to the
 * kernel).  Pages are read through xRead, not a memory map.  tests/crash/crash_test.py
 * --power-loss kills the server so: nothing acknowledged may be missing after. */
#include "db/fault_sqlite.h"

#ifdef WANGGE_FAULTS
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { F_NONE, F_FULL, F_FSYNC, F_NOMEM, F_READ };
static const char *fault_file;
static atomic_int fault_mode, read_percent;
static atomic_uint read_seed = 12345;
static sqlite3_vfs *real_vfs;
static sqlite3_mem_methods real_mem;

static int refresh(void)
{
	char w[16] = "";
	int fd = open(fault_file, O_RDONLY);
	if (fd >= 0) {
		ssize_t n = read(fd, w, sizeof w - 1);
		w[n > 0 ? n : 0] = 0;
		close(fd);
	}
	int m = !strncmp(w, "full", 4)    ? F_FULL
	        : !strncmp(w, "fsync", 5) ? F_FSYNC
	        : !strncmp(w, "nomem", 5) ? F_NOMEM
	        : !strncmp(w, "read", 4)  ? F_READ
	                                  : F_NONE;
	if (m == F_READ)
		atomic_store(&read_percent, atoi(w + 4) > 0 ? atoi(w + 4) : 100);
	atomic_store(&fault_mode, m);
	return m;
}

/* ---- a power cut: writes held until their file's sync ---- */
typedef struct held {
	struct held *next;
	sqlite3_int64 off;
	int n;
	unsigned char data[];
} held;

typedef struct pnode { /* one store file or log, shared by the process's handles */
	struct pnode *next;
	char *path;
	held *head, *tail;
	int refs;
} pnode;

static bool power_loss;
static pthread_mutex_t pmu = PTHREAD_MUTEX_INITIALIZER; /* every node's list, and its file's writes */
static pnode *pnodes;

/* ---- files: the real file follows the wrapper ---- */
typedef struct {
	sqlite3_file base;
	sqlite3_file *real;
	pnode *pn; /* held writes (a power cut's test); NULL: written through */
} ffile;

#define REAL(f) (((ffile *)(f))->real)
#define PN(f)   (((ffile *)(f))->pn)

/* The held writes written out, in order (pmu held). */
static int write_out(sqlite3_file *f, pnode *pn)
{
	int rc = SQLITE_OK;
	for (held *h = pn->head, *next; h; h = next) {
		next = h->next;
		if (rc == SQLITE_OK)
			rc = REAL(f)->pMethods->xWrite(REAL(f), h->data, h->n, h->off);
		free(h);
	}
	pn->head = pn->tail = NULL;
	return rc;
}

/* The file's size with what it holds (pmu held). */
static int held_size(sqlite3_file *f, pnode *pn, sqlite3_int64 *size)
{
	int rc = REAL(f)->pMethods->xFileSize(REAL(f), size);
	for (held *h = pn->head; rc == SQLITE_OK && h; h = h->next)
		if (h->off + h->n > *size)
			*size = h->off + h->n;
	return rc;
}

static int f_close(sqlite3_file *f)
{
	pnode *pn = PN(f);
	if (pn) { /* the last handle: what the file holds goes to the kernel, unsynced */
		pthread_mutex_lock(&pmu);
		if (--pn->refs == 0)
			(void)write_out(f, pn);
		pthread_mutex_unlock(&pmu);
	}
	int rc = REAL(f)->pMethods ? REAL(f)->pMethods->xClose(REAL(f)) : SQLITE_OK;
	return rc;
}
static int f_read(sqlite3_file *f, void *p, int n, sqlite3_int64 off)
{
	if (atomic_load(&fault_mode) == F_READ && refresh() == F_READ) { /* off as soon as the file says */
		/* a linear congruential step shared by the threads: enough for "some reads" */
		unsigned x = atomic_fetch_add(&read_seed, 2654435761u) * 1103515245u + 12345u;
		if ((int)((x >> 16) % 100) < atomic_load(&read_percent))
			return SQLITE_IOERR_READ;
	}
	pnode *pn = PN(f);
	if (!pn)
		return REAL(f)->pMethods->xRead(REAL(f), p, n, off);
	pthread_mutex_lock(&pmu);
	int rc = REAL(f)->pMethods->xRead(REAL(f), p, n, off); /* (zero-filled past its end) */
	sqlite3_int64 size = 0;
	if (rc == SQLITE_OK || rc == SQLITE_IOERR_SHORT_READ) {
		for (held *h = pn->head; h; h = h->next) { /* the later writes over the earlier */
			sqlite3_int64 from = h->off > off ? h->off : off,
			              to = h->off + h->n < off + n ? h->off + h->n : off + n;
			if (from < to)
				memcpy((unsigned char *)p + (from - off), h->data + (from - h->off),
				       (size_t)(to - from));
		}
		int src = held_size(f, pn, &size);
		rc = src != SQLITE_OK ? src : off + n <= size ? SQLITE_OK : SQLITE_IOERR_SHORT_READ;
	}
	pthread_mutex_unlock(&pmu);
	return rc;
}
static int f_write(sqlite3_file *f, const void *p, int n, sqlite3_int64 off)
{
	if (refresh() == F_FULL)
		return SQLITE_FULL;
	pnode *pn = PN(f);
	if (!pn)
		return REAL(f)->pMethods->xWrite(REAL(f), p, n, off);
	held *h = malloc(sizeof *h + (size_t)n);
	if (!h)
		return SQLITE_IOERR_NOMEM;
	h->next = NULL;
	h->off = off;
	h->n = n;
	memcpy(h->data, p, (size_t)n);
	pthread_mutex_lock(&pmu);
	if (pn->tail)
		pn->tail->next = h;
	else
		pn->head = h;
	pn->tail = h;
	pthread_mutex_unlock(&pmu);
	return SQLITE_OK;
}
static int f_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	pnode *pn = PN(f);
	if (!pn)
		return REAL(f)->pMethods->xTruncate(REAL(f), size);
	pthread_mutex_lock(&pmu); /* what it holds past the new end goes too (taken as durable at once) */
	held *keep = NULL, *last = NULL;
	for (held *h = pn->head, *next; h; h = next) {
		next = h->next;
		if (h->off >= size) {
			free(h);
			continue;
		}
		if (h->off + h->n > size)
			h->n = (int)(size - h->off);
		h->next = NULL;
		if (last)
			last->next = h;
		else
			keep = h;
		last = h;
	}
	pn->head = keep;
	pn->tail = last;
	int rc = REAL(f)->pMethods->xTruncate(REAL(f), size);
	pthread_mutex_unlock(&pmu);
	return rc;
}
static int f_sync(sqlite3_file *f, int flags)
{
	if (refresh() == F_FSYNC)
		return SQLITE_IOERR_FSYNC;
	pnode *pn = PN(f);
	if (pn) {
		pthread_mutex_lock(&pmu);
		int rc = write_out(f, pn);
		pthread_mutex_unlock(&pmu);
		if (rc != SQLITE_OK)
			return rc;
	}
	return REAL(f)->pMethods->xSync(REAL(f), flags);
}
static int f_size(sqlite3_file *f, sqlite3_int64 *size)
{
	pnode *pn = PN(f);
	if (!pn)
		return REAL(f)->pMethods->xFileSize(REAL(f), size);
	pthread_mutex_lock(&pmu);
	int rc = held_size(f, pn, size);
	pthread_mutex_unlock(&pmu);
	return rc;
}
static int f_lock(sqlite3_file *f, int l)
{
	refresh();
	return REAL(f)->pMethods->xLock(REAL(f), l);
}
static int f_unlock(sqlite3_file *f, int l)
{
	return REAL(f)->pMethods->xUnlock(REAL(f), l);
}
static int f_check(sqlite3_file *f, int *out)
{
	return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}
static int f_control(sqlite3_file *f, int op, void *arg)
{
	return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}
static int f_sector(sqlite3_file *f)
{
	return REAL(f)->pMethods->xSectorSize(REAL(f));
}
static int f_caps(sqlite3_file *f)
{
	return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}
static int f_shm_map(sqlite3_file *f, int pg, int sz, int extend, void volatile **p)
{
	return REAL(f)->pMethods->xShmMap(REAL(f), pg, sz, extend, p);
}
static int f_shm_lock(sqlite3_file *f, int off, int n, int flags)
{
	return REAL(f)->pMethods->xShmLock(REAL(f), off, n, flags);
}
static void f_shm_barrier(sqlite3_file *f)
{
	REAL(f)->pMethods->xShmBarrier(REAL(f));
}
static int f_shm_unmap(sqlite3_file *f, int del)
{
	return REAL(f)->pMethods->xShmUnmap(REAL(f), del);
}
static int f_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **p)
{
	if (PN(f)) { /* no map: it would show the file without what is held */
		*p = NULL;
		return SQLITE_OK;
	}
	return REAL(f)->pMethods->xFetch(REAL(f), off, n, p);
}
static int f_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
	return REAL(f)->pMethods->xUnfetch(REAL(f), off, p);
}

static const sqlite3_io_methods f_methods = {
    3,        f_close,      f_read,   f_write,       f_truncate,    f_sync,   f_size,     f_lock,    f_unlock,
    f_check,  f_control,    f_sector, f_caps,        f_shm_map,     f_shm_lock, f_shm_barrier, f_shm_unmap, f_fetch,
    f_unfetch};

static int v_open(sqlite3_vfs *v, const char *name, sqlite3_file *f, int flags, int *out_flags)
{
	(void)v;
	ffile *ff = (ffile *)f;
	ff->real = (sqlite3_file *)(ff + 1);
	ff->pn = NULL;
	int rc = real_vfs->xOpen(real_vfs, name, ff->real, flags, out_flags);
	f->pMethods = rc == SQLITE_OK ? &f_methods : NULL;
	if (rc == SQLITE_OK && power_loss && name && (flags & (SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_WAL))) {
		pthread_mutex_lock(&pmu);
		pnode *pn = pnodes;
		while (pn && strcmp(pn->path, name) != 0)
			pn = pn->next;
		if (!pn && (pn = calloc(1, sizeof *pn))) { /* kept for the process's life */
			if ((pn->path = strdup(name))) {
				pn->next = pnodes;
				pnodes = pn;
			} else {
				free(pn);
				pn = NULL;
			}
		}
		if (pn) {
			pn->refs++;
			ff->pn = pn;
		}
		pthread_mutex_unlock(&pmu);
		if (!pn) {
			ff->real->pMethods->xClose(ff->real);
			f->pMethods = NULL;
			return SQLITE_IOERR_NOMEM;
		}
	}
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

static sqlite3_vfs f_vfs = {.iVersion = 2,
                            .zName = "wangge-faults",
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

/* ---- allocations ---- */
/* Out of memory until the file says otherwise: looked at again every 20 ms, since a store
 * that cannot allocate may never reach a lock, write or sync to look. */
static bool no_memory(void)
{
	if (atomic_load(&fault_mode) != F_NOMEM)
		return false;
	static atomic_llong next;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	long long now = (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
	if (now < atomic_load(&next))
		return true;
	atomic_store(&next, now + 20000000LL);
	return refresh() == F_NOMEM;
}
static void *m_malloc(int n)
{
	return no_memory() ? NULL : real_mem.xMalloc(n);
}
static void *m_realloc(void *p, int n)
{
	return no_memory() ? NULL : real_mem.xRealloc(p, n);
}
static void m_free(void *p)
{
	real_mem.xFree(p);
}
static int m_size(void *p)
{
	return real_mem.xSize(p);
}
static int m_roundup(int n)
{
	return real_mem.xRoundup(n);
}
static int m_init(void *p)
{
	return real_mem.xInit(p);
}
static void m_shutdown(void *p)
{
	real_mem.xShutdown(p);
}

void fault_sqlite_install(void)
{
	fault_file = getenv("WANGGE_FAULT_FILE");
	const char *pl = getenv("WANGGE_POWER_LOSS");
	power_loss = pl && !strcmp(pl, "1");
	if (!fault_file || !*fault_file) {
		if (!power_loss)
			return;
		fault_file = "/nonexistent/wangge-no-faults"; /* no word: no fault but the power cut */
	}
	sqlite3_config(SQLITE_CONFIG_GETMALLOC, &real_mem);
	static sqlite3_mem_methods m = {m_malloc, m_free, m_realloc, m_size, m_roundup, m_init, m_shutdown, NULL};
	m.pAppData = real_mem.pAppData;
	sqlite3_config(SQLITE_CONFIG_MALLOC, &m);
	real_vfs = sqlite3_vfs_find(NULL);
	f_vfs.szOsFile = (int)sizeof(ffile) + real_vfs->szOsFile;
	f_vfs.mxPathname = real_vfs->mxPathname;
	sqlite3_vfs_register(&f_vfs, 1);
}
#else
void fault_sqlite_install(void)
{
}
#endif
