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
	if (!(e = stats_ensure(d)))
		e = settings_load(d);
	*writers = 1;
	if (!e && db_remote(d))
		*writers = asked ? asked : WRITERS_REMOTE;
	if (*writers > WRITERS_MAX)
		*writers = WRITERS_MAX;
	db_close(d);
	return e;
}
