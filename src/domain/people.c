/* people.c — see people.h. */
#include "domain/people.h"

#include "domain/tree.h"

#include <string.h>

werr person_load(const actor *ac, int64_t id, bool scoped, person *p)
{
	memset(p, 0, sizeof *p);
	int64_t district; /* named, so that the look-up is routed to one shard on Citus */
	werr e = resident_district(ac, id, 0, &district);
	if (e)
		return e;
	db_stmt *s = db_get(ac->d, SQL_RES_BY_ID_IN);
	db_bind_int(s, 1, id);
	db_bind_int(s, 2, district);
	int rc = db_step(s, &e);
	if (rc == DB_ROW) {
		p->id = id;
		p->household_id = db_int(s, 1);
		p->district_id = district;
		p->name = arena_strdup(ac->a, db_text(s, 2));
		/* the number registered, or the one held for the duplicate-ID review (registry.c) */
		p->id_number = !db_null(s, 6) ? arena_strdup(ac->a, db_text(s, 6))
		               : db_null(s, 21) ? NULL
		                                : arena_strdup(ac->a, db_text(s, 21));
		p->phone = db_null(s, 7) ? NULL : arena_strdup(ac->a, db_text(s, 7));
		p->residence = arena_strdup(ac->a, db_text(s, 10));
		p->moved_out = !db_null(s, 12);
		p->unit_code = arena_strdup(ac->a, db_text(s, 15));
		p->unit_kind = arena_strdup(ac->a, db_text(s, 16));
		bool ent = !strcmp(p->unit_kind, "entrance");
		p->building = arena_strdup(ac->a, ent ? db_text(s, 18) : db_text(s, 17));
		p->room = arena_strdup(ac->a, db_text(s, 19));
		p->path = arena_strdup(ac->a, db_text(s, 20));
	}
	db_done(s);
	if (rc < 0)
		return e;
	if (rc != DB_ROW || (scoped && !actor_in_scope(ac, p->path))) {
		if (rc == DB_ROW)
			audit(ac, "read", "status", id, NULL, "denied");
		return w_fail(W_ENOTFOUND, "resident_not_found", "resident_id",
		              "没有这个居民 / no such resident");
	}
	return WG_OK;
}

werr person_building(const actor *ac, const person *p, int64_t *id)
{
	werr e = path_ancestor(ac->d, p->path, "building", id, NULL);
	if (!e && !*id)
		*id = path_id(p->path, 0);
	return e;
}

werr responsible_worker(const actor *ac, const person *p, int64_t *id)
{
	int64_t grid;
	*id = 0;
	werr pe = path_ancestor(ac->d, p->path, "grid", &grid, NULL);
	if (pe)
		return pe;
	if (grid) {
		db_stmt *s = db_get(ac->d, SQL_GRID_WORKER_OF_UNIT);
		db_bind_int(s, 1, grid);
		werr e = WG_OK;
		int rc = db_step(s, &e);
		if (rc == DB_ROW)
			*id = db_int(s, 0);
		db_done(s);
		if (rc < 0)
			return e;
	}
	if (!*id)
		*id = ac->user_id;
	return WG_OK;
}

werr user_in_scope(const actor *ac, const char *username, const char *field, int64_t *id)
{
	*id = 0;
	if (!strcmp(username, "me")) {
		*id = ac->user_id;
		return WG_OK;
	}
	db_stmt *s = db_get(ac->d, SQL_USER_ID_BY_NAME);
	db_bind_text(s, 1, username);
	werr e = WG_OK;
	int rc = db_step(s, &e);
	if (rc == DB_ROW && actor_in_scope(ac, db_text(s, 1)))
		*id = db_int(s, 0);
	db_done(s);
	if (rc < 0)
		return e;
	if (!*id)
		return w_fail(W_EINVAL, "user_not_found", field, "没有这个账号 / no such user in your units");
	return WG_OK;
}

json_t *user_brief(db *d, int64_t id, werr *sink)
{
	if (!id)
		return json_null();
	db_stmt *s = db_get(d, SQL_USER_BRIEF);
	db_bind_int(s, 1, id);
	werr e = WG_OK;
	json_t *o = json_null();
	int rc = db_step(s, &e);
	if (rc == DB_ROW)
		o = json_pack("{s:s,s:s}", "username", db_text(s, 0), "name", db_text(s, 1));
	db_done(s);
	if (rc < 0 && !*sink)
		*sink = e;
	return o;
}
