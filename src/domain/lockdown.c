/* lockdown.c — see lockdown.h. */
#include "domain/lockdown.h"

#include "core/jv.h"
#include "core/util.h"
#include "domain/tree.h"

#include <string.h>

static const char *const levels[] = {"none", "compound", "building", "unit", NULL};

const char *lockdown_name(int64_t level)
{
	return level >= 0 && level <= 3 ? levels[level] : "none";
}

int lockdown_level_parse(const char *s)
{
	for (int i = 0; s && levels[i]; i++)
		if (!strcmp(s, levels[i]))
			return i;
	return -1;
}

werr lockdown_json(db *d, int64_t unit_id, json_t **out)
{
	*out = json_null();
	db_stmt *s = db_get(d, SQL_LOCK_GET);
	db_bind_int(s, 1, unit_id);
	werr e = WG_OK;
	int rc = db_step(s, &e);
	if (rc == DB_ROW) {
		char since[32];
		fmt_time(db_int(s, 1), since);
		*out = json_pack("{s:s,s:I,s:s,s:o}", "level", lockdown_name(db_int(s, 0)), "rank",
		                 (json_int_t)db_int(s, 0), "since", since, "reason", jv_text(db_text(s, 2)));
	}
	db_done(s);
	return rc < 0 ? e : WG_OK;
}

/* One unit's own level, through the memo when given. */
static werr unit_level(db *d, int64_t id, lock_memo *m, int64_t *level)
{
	for (int i = 0; m && i < m->n; i++)
		if (m->id[i] == id) {
			*level = m->level[i];
			return WG_OK;
		}
	db_stmt *s = db_get(d, SQL_LOCK_GET);
	db_bind_int(s, 1, id);
	werr e = WG_OK;
	int rc = db_step(s, &e);
	*level = rc == DB_ROW ? db_int(s, 0) : 0;
	db_done(s);
	if (rc < 0)
		return e;
	if (m && m->n < (int)(sizeof m->id / sizeof m->id[0])) {
		m->id[m->n] = id;
		m->level[m->n++] = *level;
	}
	return WG_OK;
}

/* The highest level of the first `depth` units of the path, counted from its end. */
static werr highest(db *d, const char *path, int depth, lock_memo *m, int64_t *level)
{
	*level = 0;
	for (int k = 0; k < depth; k++) {
		int64_t id = path_id(path, k), l;
		if (!id)
			break;
		werr e = unit_level(d, id, m, &l);
		if (e)
			return e;
		if (l > *level)
			*level = l;
	}
	return WG_OK;
}

werr lockdown_level_memo(db *d, const char *path, lock_memo *m, int64_t *level)
{
	return highest(d, path, 3, m, level);
}

werr lockdown_level_at(db *d, const char *path, int64_t *level)
{
	return highest(d, path, 3, NULL, level);
}

werr lockdown_level_any(db *d, const char *path, int64_t *level)
{
	return highest(d, path, 64, NULL, level);
}

werr lockdowns_below(db *d, arena *a, const char *path, json_t **out)
{
	*out = json_array();
	db_stmt *s = db_get(d, SQL_LOCK_BELOW);
	db_bind_text(s, 1, path);
	db_bind_text(s, 2, scope_upper(a, path));
	werr e = WG_OK;
	int rc;
	while ((rc = db_step(s, &e)) == DB_ROW) {
		char since[32];
		fmt_time(db_int(s, 4), since);
		json_array_append_new(*out, json_pack("{s:s,s:s,s:s,s:s,s:s,s:o}", "unit", db_text(s, 0),
		                                      "name", db_text(s, 1), "kind", db_text(s, 2), "level",
		                                      lockdown_name(db_int(s, 3)), "since", since, "reason",
		                                      jv_text(db_text(s, 5))));
	}
	db_done(s);
	return rc < 0 ? e : WG_OK;
}
