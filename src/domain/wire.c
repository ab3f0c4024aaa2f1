/* wire.c — the domain's reactions (reactions.h), wired in one place. */
#include "domain/epi.h"
#include "domain/help.h"
#include "domain/reactions.h"
#include "domain/response.h"

/* help_minutes.<category>.<urgency>: minutes before a help request is overdue */
static bool area_setting(const char *key, double *min, double *max)
{
	if (!help_minutes_key(key))
		return false;
	*min = 1;
	*max = 10080;
	return true;
}

const domain_reactions reactions = {
    .alert_outcome = epi_from_alert_tx,
    .confirmed = response_confirmed_tx,
    .area_setting = area_setting,
};
