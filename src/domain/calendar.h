/* calendar.h — the roll-call's day: today in China time, and which days a reading may be
 * entered for.  Below every other domain module. */
#ifndef WG_CALENDAR_H
#define WG_CALENDAR_H
#include "core/err.h"

/* Today in China time, "YYYY-MM-DD" (11 bytes). */
void today_str(char out[11]);
/* Validate a day: a real date, not in the future, at most 30 days back. */
werr day_valid(const char *day, const char *field);
#endif
