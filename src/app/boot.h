/* boot.h — a store made ready for serving, before any thread starts: migrations run, the
 * counters' tables ensured, the settings read; and how many writer threads it takes. */
#ifndef WG_BOOT_H
#define WG_BOOT_H
#include "core/err.h"

/* *writers: 1 on SQLite (one writer at a time; a second would only wait for the lock);
 * on a database server `asked`, or WRITERS_REMOTE — one batch's statements run while
 * another's commit is flushed and the network carries a third's (bench/README.md). */
werr app_boot(const char *url, unsigned asked, unsigned *writers);
#endif
