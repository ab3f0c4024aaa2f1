/* wire.c — the domain's reactions (reactions.h), wired in one place. */
#include <string.h>

#include "domain/epi.h"
#include "domain/help.h"
#include "domain/reactions.h"
#include "domain/response.h"

/* The areas' settings: help_minutes.<category>.<urgency> (minutes before a help request
 * is overdue, help.c), staffing's (staff.c) and the gates' visitor retention (gates.c) —
 * each read when it is needed. */
static bool area_setting(const char *key, double *min, double *max)
{
	static const struct {
		const char *key;
		double min, max;
	} staff[] = {{"staff.households_per_worker", 1, 100000}, {"staff.rest_hours", 0, 48}, {"staff.report_hour", 0, 23},
	             {"visitor_retention_days", 1, 365}}; /* gates.c */
	if (help_minutes_key(key)) {
		*min = 1;
		*max = 10080;
		return true;
	}
	for (size_t i = 0; i < sizeof staff / sizeof staff[0]; i++)
		if (!strcmp(key, staff[i].key)) {
			*min = staff[i].min;
			*max = staff[i].max;
			return true;
		}
	return false;
}

const domain_reactions reactions = {
    .alert_outcome = epi_from_alert_tx,
    .confirmed = response_confirmed_tx,
    .area_setting = area_setting,
};
