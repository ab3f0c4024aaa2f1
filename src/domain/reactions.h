/* reactions.h — the two places where a change in one area must change another inside
 * the same transaction, against the direction the domain imports in:
 *   - an alert's outcome (alerts.c) moves the person into a category (epi.c);
 *   - a confirmation (epi.c) starts the response: the household to observation, the
 *     building's tasks and lockdown (response.c);
 * and one question the base asks the areas: is this key one of your settings
 * (settings.c, for `wangge config set`).
 * The lower module calls through this table; wire.c, above them all, fills it.  Nothing
 * else calls upwards. */
#ifndef WG_REACTIONS_H
#define WG_REACTIONS_H
#include "domain/actor.h"

#include <jansson.h>

typedef struct {
	/* inside the alert step's transaction */
	werr (*alert_outcome)(const actor *ac, int64_t resident_id, int64_t alert_id, const char *outcome);
	/* inside the status change's transaction; extra (may be NULL) gets household_observed
	 * and tasks */
	werr (*confirmed)(const actor *ac, int64_t resident_id, json_t *extra);
	/* a setting that belongs to an area above the spine (help requests' time limits):
	 * true with its range when key is one (settings.c asks before refusing a key) */
	bool (*area_setting)(const char *key, double *min, double *max);
} domain_reactions;

extern const domain_reactions reactions;
#endif
