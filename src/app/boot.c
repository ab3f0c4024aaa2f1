/* boot.c — see boot.h. */
#include "app/boot.h"

#include "app/writer.h"
#include "db/db.h"
#include "domain/settings.h"
#include "domain/stats.h"

werr app_boot(const char *url, unsigned asked, unsigned *writers)
{
	db *d;
	werr e = db_open(url, true, &d);
	if (e)
		return e;
	/* the counters a crash left unwritten (stats.c: the writer's deferred counters) — here,
	 * before the server's writer starts, not in every command that opens the store: one
	 * run beside a serving writer would add again what that writer has yet to write */
	if (!(e = stats_ensure(d)) && !(e = stats_replay(d)))
		e = settings_load(d);
	*writers = 1;
	if (!e && db_remote(d))
		*writers = asked ? asked : WRITERS_REMOTE;
	if (*writers > WRITERS_MAX)
		*writers = WRITERS_MAX;
	db_close(d);
	return e;
}
