/* settings.c — see settings.h. */
#include "domain/settings.h"

#include "core/util.h"
#include "domain/reactions.h"

#include <stdio.h>
#include <string.h>

rollcall_config rc_config = {37.3, 11 * 60, 30};

const char *const isolation_categories[] = {
    "confirmed",         "suspected",          "fever_unexcluded",      "close_contact",
    "secondary_contact", "travel_observation", "recovered_observation", NULL};

enum kind { NUMBER, WHOLE, HHMM };
static const struct {
	const char *key; /* a key ending in '.' is a prefix: isolation_days.<category> */
	enum kind kind;
	double min, max;
} table[] = {
    {"fever_threshold", NUMBER, 36.0, 40.0},
    {"deadline", HHMM, 0, 24 * 60 - 1},
    {"escalate_minutes", WHOLE, 1, 1440},
    {"isolation_days.", WHOLE, 1, 60},
};

werr setting_parse(const char *key, const char *value, double *num)
{
	*num = 0;
	for (size_t i = 0; key && i < sizeof table / sizeof table[0]; i++) {
		size_t n = strlen(table[i].key);
		bool prefix = table[i].key[n - 1] == '.';
		if (prefix ? strncmp(key, table[i].key, n) != 0 || !str_in_list(key + n, isolation_categories)
		           : strcmp(key, table[i].key) != 0)
			continue;
		double v = 0;
		int hh = -1, mm = -1, used = 0;
		bool ok = false;
		if (table[i].kind == HHMM) {
			ok = value && sscanf(value, "%2d:%2d%n", &hh, &mm, &used) == 2 && !value[used] &&
			     hh >= 0 && hh < 24 && mm >= 0 && mm < 60;
			v = hh * 60 + mm;
		} else {
			ok = value && parse_num(value, &v) &&
			     (table[i].kind == NUMBER || v == (double)(int64_t)v);
		}
		if (!ok || v < table[i].min || v > table[i].max)
			return w_fail(W_EINVAL, "invalid_setting", key,
			              "设置值无效 / %s: fever_threshold 36.0–40.0, deadline HH:MM, "
			              "escalate_minutes 1–1440, "
			              "isolation_days.<category> 1–60",
			              key);
		*num = v;
		return WG_OK;
	}
	double lo, hi, v = 0;
	if (reactions.area_setting(key, &lo, &hi)) { /* an area's: whole numbers in its range */
		if (!value || !parse_num(value, &v) || v != (double)(int64_t)v || v < lo || v > hi)
			return w_fail(W_EINVAL, "invalid_setting", key, "设置值无效 / %s: a whole number %g–%g", key, lo, hi);
		*num = v;
		return WG_OK;
	}
	return w_fail(W_EINVAL, "unknown_setting", "key",
	              "没有这个设置 / no such setting; use fever_threshold, deadline, escalate_minutes, "
	              "isolation_days.<category>, help_minutes.<category>.<urgency>");
}

/* The stored value of key into out (*found false when unset). */
static werr stored(db *d, const char *key, char *out, size_t cap, bool *found)
{
	db_stmt *s = db_get(d, SQL_SETTING_GET);
	db_bind_text(s, 1, key);
	werr e = WG_OK;
	int rc = db_step(s, &e);
	*found = rc == DB_ROW;
	if (*found)
		snprintf(out, cap, "%s", db_text(s, 0));
	db_done(s);
	return rc < 0 ? e : WG_OK;
}

werr settings_load(db *d)
{
	static const char *const keys[] = {"fever_threshold", "deadline", "escalate_minutes"};
	for (int i = 0; i < 3; i++) {
		char v[64];
		bool found;
		double n;
		werr e = stored(d, keys[i], v, sizeof v, &found);
		if (e)
			return e;
		/* a value stored by an older build that does not parse keeps the default */
		if (!found || setting_parse(keys[i], v, &n)) {
			w_clear();
			continue;
		}
		if (i == 0)
			rc_config.fever_threshold = n;
		else if (i == 1)
			rc_config.deadline_minutes = (int)n;
		else
			rc_config.escalate_minutes = (int)n;
	}
	return WG_OK;
}

werr isolation_days(db *d, const char *category, int *days)
{
	*days = 14;
	if (!category)
		return WG_OK;
	char key[64], v[64];
	snprintf(key, sizeof key, "isolation_days.%s", category);
	bool found;
	double n;
	werr e = stored(d, key, v, sizeof v, &found);
	if (e)
		return e;
	if (found && !setting_parse(key, v, &n))
		*days = (int)n;
	else if (found)
		w_clear(); /* stored by an older build and not valid now: the default */
	return WG_OK;
}

werr setting_set(const actor *ac, const char *key, const char *value)
{
	double n;
	werr e = setting_parse(key, value, &n);
	if (e)
		return e;
	if ((e = db_begin(ac->d)))
		return e;
	db_stmt *s = db_get(ac->d, SQL_SETTING_SET);
	db_bind_text(s, 1, key);
	db_bind_text(s, 2, value);
	if ((e = db_run(s, NULL)) || (e = audit(ac, "update", "settings", 0, key, "ok")) ||
	    (e = db_commit(ac->d))) {
		db_rollback(ac->d);
		return e;
	}
	return WG_OK;
}
