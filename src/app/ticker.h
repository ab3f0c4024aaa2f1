/* ticker.h — background work on a store connection of its own, off the requests' path:
 * every second the sessions' last uses (accounts.c) and a checkpoint of the write-ahead
 * log (then the writer is told: writer.h); every five seconds alert escalation and
 * deadline reminders (alerts.c), the coverage curve (rollcall.c), visitors' personal data
 * erased past its retention (gates.c); every two seconds help requests past their time
 * limit escalated (help.c); and the caller's own
 * hook (the server wakes its parked live feeds for their keep-alives). */
#ifndef WG_TICKER_H
#define WG_TICKER_H
#include "core/err.h"

werr ticker_start(const char *url, void (*every_tick)(void));
/* Ends the thread after a last flush of the sessions' last uses. */
void ticker_stop(void);
#endif
