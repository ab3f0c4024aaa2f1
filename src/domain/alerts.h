/* alerts.h — fever escalation: an alert opens the moment a reading reaches the fever
 * threshold or a symptom is reported; it moves open → acknowledged → clinic → closed with
 * an outcome (excluded, home observation, hospital), each step with who, when and a note;
 * a named person takes the temperature at the door; alerts nobody acknowledged in time go
 * one level up.  Every resident who ever had one keeps a health record (健康档案). */
#ifndef WG_ALERTS_H
#define WG_ALERTS_H
#include <jansson.h>
#include <stdbool.h>

#include "domain/actor.h"

/* Inside the caller's transaction: open an alert for the resident, or add the reading to
 * the alert already open.  *alert_id receives it; *opened tells whether it is new.
 * checkin_id 0: the reading came from an isolation follow-up. */
werr alert_open(const actor *ac, int64_t resident_id, int64_t household_id, int64_t district_id, int64_t checkin_id,
                const char *day, bool has_temp, double temp, unsigned symptoms, int64_t *alert_id,
                bool *opened);
werr alert_list(const actor *ac, const char *unit_code, const char *state, int64_t limit,
                int64_t offset, json_t **out);
werr alert_get(const actor *ac, int64_t id, json_t **out);
werr alert_step(const actor *ac, int64_t id, json_t *body, json_t **out);
/* The resident's alerts with their steps, newest first (no audit: the caller's read). */
werr alert_history(const actor *ac, int64_t resident_id, json_t **out);
/* Periodic work (the server's ticker calls it every few seconds; tests with any clock):
 * escalate alerts unacknowledged past the limit, raise deadline reminders for unreached
 * grids.  What is due is read on d; the writes go to commit (actor.h; tick_commit_here: on d), the
 * live events after.  Returns the number of alerts escalated plus reminders raised. */
int rollcall_tick(db *d, arena *a, int64_t now, tick_commit commit);
werr reminder_list(const actor *ac, const char *unit_code, const char *day, json_t **out);
/* JSON of an alert for feeds and lists (no ID number or phone); district_id: the alert's
 * district when the caller knows it (one shard on Citus), else 0. */
json_t *alert_event_json(db *d, arena *a, int64_t alert_id, int64_t district_id, const char **path_out);
#endif
