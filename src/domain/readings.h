/* readings.h — what a reading says: the names of the symptoms, and the one fever rule of
 * every channel (roll-call, chain, self-report, follow-up, gate).  Below the roll-call,
 * the alerts and the four categories, which all judge readings by it. */
#ifndef WG_READINGS_H
#define WG_READINGS_H
#include "core/err.h"

#include <jansson.h>
#include <stdbool.h>

/* The one fever rule of every channel (roll-call, chain, self-report, follow-up, gate):
 * a temperature at or above the threshold, or the symptom `fever`.  A reading opens an
 * alert when it is a fever or has any symptom (reading_alerts). */
bool reading_fever(bool has_temp, double temp, unsigned symptoms);
bool reading_alerts(bool has_temp, double temp, unsigned symptoms);

/* Symptom names ↔ bits, for JSON in and out. */
werr symptoms_from_json(json_t *a, unsigned *out);
json_t *symptoms_json(unsigned bits);
#endif
