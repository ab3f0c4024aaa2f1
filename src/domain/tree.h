/* tree.h — reading the grid tree: a unit by code or id within the actor's subtree, the
 * kinds and their order, and walking a materialised path ("/1/7/42/") up to the root.
 * Everything that asks "where is this, and may the actor see it" uses these; editing the
 * tree (create, move, retire, import) is units.h.  Below every domain module but actor. */
#ifndef WG_TREE_H
#define WG_TREE_H
#include "domain/actor.h"

#include <jansson.h>
#include <stdbool.h>

typedef struct {
	int64_t id, parent_id, depth, retired_at, created_at, updated_at;
	int64_t district_id; /* the distribution key of the rows below it (docs/SCALING.md) */
	const char *code, *name, *kind, *path, *parent_code; /* arena copies */
} unit_row;

/* Load the unit with this code if it is in the actor's subtree; W_ENOTFOUND otherwise. */
werr unit_find(const actor *ac, const char *code, unit_row *out);
werr unit_find_id(const actor *ac, int64_t id, unit_row *out);
/* The unit a list is about: code when given, else the actor's own unit (the whole tree
 * for the command-line operator). */
werr unit_scope(const actor *ac, const char *code, unit_row *out);
json_t *unit_json(const unit_row *u);
bool unit_kind_valid(const char *kind);
/* Whether a unit of kind child may sit under one of kind parent (a grid may nest). */
bool unit_kind_fits(const char *parent, const char *child);
/* Codes: 1–64 of A-Z a-z 0-9 - _ . (administrative codes, grid numbers). */
bool unit_code_valid(const char *s);
/* A unit row from a statement whose columns are those of SQL_UNIT_BY_ID. */
void unit_row_read(arena *a, db_stmt *s, unit_row *u);

/* The id of the k-th unit from the end of a path (0 = the unit itself, 0 above the root). */
int64_t path_id(const char *path, int k);
/* The path of the unit k levels above the unit at path (0: path itself), at most the
 * tree's root (an arena copy). */
const char *path_above(arena *a, const char *path, int k);
/* The nearest unit of this kind at or above the unit at path: its id into *id (0 when
 * there is none) and how many levels up it is into *up (may be NULL). */
werr path_ancestor(db *d, const char *path, const char *kind, int64_t *id, int *up);

/* The district key of a request (docs/SCALING.md, "Citus"): a statement that names the
 * district is routed to one shard on Citus, one that names a bare id asks every shard.
 * actor_district: the district key of the actor's own unit (0 for none).
 * unit_sole_district: the district every row below u lies in, 0 where u spans several.
 * resident_district / household_district: the row's district, 0 when there is no such row;
 * hint (or else, when 0, the actor's district) is tried first, with a probe routed to one
 * shard, and the look-up by id alone when it misses (at once for a negative hint). */
int64_t actor_district(const actor *ac);
werr unit_sole_district(const actor *ac, const unit_row *u, int64_t *district);
werr resident_district(const actor *ac, int64_t id, int64_t hint, int64_t *district);
werr household_district(const actor *ac, int64_t id, int64_t hint, int64_t *district);
#endif
