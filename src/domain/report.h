/* report.h — the daily report (日报) of a unit: its coverage and each child's, fevers,
 * alerts by state.  Aggregates only: no names, ID numbers or phones. */
#ifndef WG_REPORT_H
#define WG_REPORT_H
#include <jansson.h>

#include "domain/actor.h"
#include "domain/registry.h"

werr report_daily(const actor *ac, const char *unit_code, const char *day, json_t **out);
/* Write the report as CSV or XLSX (Chinese headers) to path. */
werr report_daily_file(const actor *ac, const char *unit_code, const char *day, export_format fmt,
                       const char *path);
#endif
