/* tree.c — see tree.h. */
#include "domain/tree.h"

#include "core/jv.h"
#include "core/util.h"

#include <stdlib.h>
#include <string.h>

/* Kinds from the top of the tree down; a child must rank below its parent, except that a
 * grid may sit under a grid (big → medium → small grids).  A compound (小区/院落, the
 * area behind one set of gates) sits under a community or a grid and above buildings; a
 * community or grid that is one compound has its gates itself (gates.c). */
static const char *const kinds[] = {"province", "city",     "district", "street",  "community",
                                    "grid",     "compound", "building", "entrance"};
enum { NKINDS = sizeof kinds / sizeof kinds[0] };

static int kind_rank(const char *k)
{
	for (int i = 0; k && i < NKINDS; i++)
		if (strcmp(k, kinds[i]) == 0)
			return i;
	return -1;
}

bool unit_kind_valid(const char *kind)
{
	return kind_rank(kind) >= 0;
}

bool unit_kind_fits(const char *parent, const char *child)
{
	int p = kind_rank(parent), c = kind_rank(child);
	return c > p || (c == p && strcmp(child, "grid") == 0);
}

/* Codes: 1–64 of A-Z a-z 0-9 - _ . (administrative codes, grid numbers). */
bool unit_code_valid(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 64)
		return false;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		      *s == '-' || *s == '_' || *s == '.'))
			return false;
	return true;
}

void unit_row_read(arena *a, db_stmt *s, unit_row *u)
{
	u->id = db_int(s, 0);
	u->code = arena_strdup(a, db_text(s, 1));
	u->name = arena_strdup(a, db_text(s, 2));
	u->kind = arena_strdup(a, db_text(s, 3));
	u->path = arena_strdup(a, db_text(s, 4));
	u->depth = db_int(s, 5);
	u->parent_id = db_null(s, 6) ? 0 : db_int(s, 6);
	u->retired_at = db_null(s, 7) ? 0 : db_int(s, 7);
	u->created_at = db_int(s, 8);
	u->updated_at = db_int(s, 9);
	u->parent_code = arena_strdup(a, db_text(s, 10));
	u->district_id = db_int(s, 11);
}

static werr load(const actor *ac, db_stmt *s, unit_row *out, const char *what)
{
	*out = (unit_row){0};
	werr e = WG_OK;
	int rc = db_step(s, &e);
	if (rc < 0)
		return e;
	if (rc == DB_ROW)
		unit_row_read(ac->a, s, out);
	db_done(s);
	if (rc != DB_ROW || !actor_in_scope(ac, out->path))
		return w_fail(W_ENOTFOUND, "unit_not_found", "unit", "没有这个单位 / no unit %s", what);
	return WG_OK;
}

werr unit_find(const actor *ac, const char *code, unit_row *out)
{
	*out = (unit_row){0};
	if (!code || !unit_code_valid(code))
		return w_fail(W_ENOTFOUND, "unit_not_found", "unit", "没有这个单位 / no such unit");
	db_stmt *s = db_get(ac->d, SQL_UNIT_BY_CODE);
	db_bind_text(s, 1, code);
	return load(ac, s, out, code);
}

werr unit_scope(const actor *ac, const char *code, unit_row *out)
{
	if (code)
		return unit_find(ac, code, out);
	if (ac->role == ROLE_OPERATOR) { /* the operator on the command line: the whole tree */
		*out = (unit_row){.path = "/", .code = "*", .name = "全部 / all", .kind = "root"};
		return WG_OK;
	}
	return unit_find_id(ac, ac->unit_id, out);
}

werr unit_find_id(const actor *ac, int64_t id, unit_row *out)
{
	db_stmt *s = db_get(ac->d, SQL_UNIT_BY_ID);
	db_bind_int(s, 1, id);
	return load(ac, s, out, "");
}

json_t *unit_json(const unit_row *u)
{
	char created[32], updated[32], retired[32];
	fmt_time(u->created_at, created);
	fmt_time(u->updated_at, updated);
	if (u->retired_at)
		fmt_time(u->retired_at, retired);
	return json_pack("{s:I,s:s,s:s,s:s,s:o,s:I,s:b,s:o,s:s,s:s}", "id", (json_int_t)u->id, "code",
	                 u->code, "name", u->name, "kind", u->kind, "parent_code", jv_text(u->parent_code),
	                 "depth", (json_int_t)u->depth, "retired", u->retired_at != 0, "retired_at",
	                 u->retired_at ? json_string(retired) : json_null(), "created_at", created,
	                 "updated_at", updated);
}

/* The id of the k-th unit from the end of a path ("/1/7/42/": k=0 → 42, k=1 → 7). */
int64_t path_id(const char *path, int k)
{
	size_t len = strlen(path);
	if (len < 2)
		return 0;
	const char *end = path + len - 1; /* the final '/' */
	for (;;) {
		const char *start = end - 1;
		while (start > path && *start != '/')
			start--;
		if (k == 0)
			return strtoll(start + 1, NULL, 10);
		if (start == path)
			return 0;
		end = start;
		k--;
	}
}

const char *path_above(arena *a, const char *path, int k)
{
	char *p = arena_strdup(a, path);
	for (; k > 0; k--) {
		size_t len = strlen(p);
		if (len < 2)
			break;
		char *slash = p + len - 2;
		while (slash > p && *slash != '/')
			slash--;
		if (slash == p) /* the root's own path */
			break;
		slash[1] = 0;
	}
	return p;
}

werr path_ancestor(db *d, const char *path, const char *kind, int64_t *id, int *up)
{
	*id = 0;
	if (up)
		*up = 0;
	for (int k = 0; path; k++) {
		int64_t uid = path_id(path, k);
		if (!uid)
			return WG_OK;
		db_stmt *s = db_get(d, SQL_UNIT_BY_ID);
		db_bind_int(s, 1, uid);
		werr e = WG_OK;
		int rc = db_step(s, &e);
		bool hit = rc == DB_ROW && !strcmp(db_text(s, 3), kind);
		db_done(s);
		if (rc < 0)
			return e;
		if (hit) {
			*id = uid;
			if (up)
				*up = k;
			return WG_OK;
		}
	}
	return WG_OK;
}

/* ---- the district key of a request ---- */

int64_t actor_district(const actor *ac)
{
	if (!ac->unit_id)
		return 0;
	db_stmt *s = db_get(ac->d, SQL_UNIT_DISTRICT);
	db_bind_int(s, 1, ac->unit_id);
	int64_t d = 0;
	if (db_scalar(s, &d))
		return 0; /* a hint only: the look-up by id follows */
	return d;
}

werr unit_sole_district(const actor *ac, const unit_row *u, int64_t *district)
{
	*district = 0;
	if (!u->id) /* the operator's whole tree */
		return WG_OK;
	db_stmt *s = db_get(ac->d, SQL_UNIT_SOLE_DISTRICT);
	db_bind_int(s, 1, u->id);
	db_bind_text(s, 2, scope_upper(ac->a, u->path));
	return db_scalar(s, district);
}

static werr district_of(const actor *ac, sql_id probe, sql_id lookup, int64_t id, int64_t hint, int64_t *district)
{
	*district = 0;
	if (!hint)
		hint = actor_district(ac);
	werr e = WG_OK;
	if (hint > 0) { /* a negative hint: the look-up by id alone */
		db_stmt *s = db_get(ac->d, probe);
		db_bind_int(s, 1, id);
		db_bind_int(s, 2, hint);
		int rc = db_step(s, &e);
		db_done(s);
		if (rc < 0)
			return e;
		if (rc == DB_ROW) {
			*district = hint;
			return WG_OK;
		}
	}
	db_stmt *s = db_get(ac->d, lookup);
	db_bind_int(s, 1, id);
	int rc = db_step(s, &e);
	if (rc == DB_ROW)
		*district = db_int(s, 0);
	db_done(s);
	return rc < 0 ? e : WG_OK;
}

werr resident_district(const actor *ac, int64_t id, int64_t hint, int64_t *district)
{
	return district_of(ac, SQL_RES_IN_DISTRICT, SQL_RES_DISTRICT, id, hint, district);
}

werr household_district(const actor *ac, int64_t id, int64_t hint, int64_t *district)
{
	return district_of(ac, SQL_HH_IN_DISTRICT, SQL_HH_DISTRICT, id, hint, district);
}
