/* settings.h — what a community may tune, in one table: the fever threshold, the daily
 * deadline, the minutes before an unacknowledged alert goes up, the isolation length of
 * each category.  Stored in the settings table; the server reads the roll-call's at start
 * (settings_load), the isolation lengths when it needs them.  `wangge config set` and
 * settings_load parse a value with the same function, so what is accepted is what is read.
 * Below every other domain module but actor. */
#ifndef WG_SETTINGS_H
#define WG_SETTINGS_H
#include "domain/actor.h"

typedef struct {
	double fever_threshold; /* °C, default 37.3 */
	int deadline_minutes;   /* minutes after midnight (China time), default 11:00 = 660 */
	int escalate_minutes;   /* unacknowledged alerts go one level up after this, default 30 */
} rollcall_config;

/* Current settings (read from the settings table by settings_load). */
extern rollcall_config rc_config;
werr settings_load(db *d);

/* The categories that have an isolation length (isolation_days.<category>). */
extern const char *const isolation_categories[];
/* The isolation length of a category into *days (setting isolation_days.<category>,
 * default 14); a failed read of the setting is an error, not the default. */
werr isolation_days(db *d, const char *category, int *days);

/* A value for a key, checked as it will be read: *num gets its number (minutes after
 * midnight for the deadline).  W_EINVAL "invalid_setting" naming the key when not. */
werr setting_parse(const char *key, const char *value, double *num);
/* Check, write and audit one setting (the operator, `wangge config set`). */
werr setting_set(const actor *ac, const char *key, const char *value);
#endif
