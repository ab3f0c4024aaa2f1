/* ticker.h — background work off the requests' path, on a store connection of its own:
 * every second the sessions' last uses (accounts.c: a job of the writer's next batch on
 * SQLite, where another connection's commit throws the writer's cache away) and a
 * checkpoint of the write-ahead
 * log (then the writer is told: writer.h); every five seconds alert escalation and
 * deadline reminders (alerts.c), the coverage curve (rollcall.c), visitors' personal data
 * erased past its retention (gates.c); every two seconds help requests past their time
 * limit escalated (help.c); and the caller's own
 * hook (the server wakes its parked live feeds for their keep-alives). */
#ifndef WG_TICKER_H
#define WG_TICKER_H
#include "core/err.h"

#include <stddef.h>
#include <stdint.h>

werr ticker_start(const char *url, void (*every_tick)(void));
/* Ends the thread after a last flush of the sessions' last uses. */
void ticker_stop(void);

/* Per task since the process started: commits on the ticker's own connection (on SQLite
 * each throws the writer's page cache away: db_stats) and jobs handed to the writer.  Up
 * to max tasks into out; returns how many.  GET /api/v1/health/store shows them. */
typedef struct {
	const char *task;
	int64_t commits, writer_jobs;
} ticker_count;
size_t ticker_counts(ticker_count *out, size_t max);
#endif
