/* report.h — the daily report (日报) of a unit: its coverage and each child's, fevers,
 * alerts by state.  Aggregates only: no names, ID numbers or phones. */
#ifndef WG_REPORT_H
#define WG_REPORT_H
#include <jansson.h>

#include "domain/actor.h"
#include "domain/registry.h"

werr report_daily(const actor *ac, const char *unit_code, const char *day, json_t **out);
/* What a report file is named by (arena strings): the unit's code and name, the day. */
typedef struct {
	const char *unit, *name, *day;
} report_id;
/* Write the report as CSV or XLSX (Chinese headers) to path; id (may be NULL) gets what it
 * is the report of. */
werr report_daily_file(const actor *ac, const char *unit_code, const char *day, export_format fmt,
                       const char *path, report_id *id);
#endif
