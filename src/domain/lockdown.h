/* lockdown.h — reading the lockdown levels of units (0 none, 1 compound, 2 building,
 * 3 unit): a unit's own, the level that applies at a place of the tree, the locked units
 * of a subtree.  Setting a level is the response's (response.h); the roll-call, the
 * registry, the gates and the tree read it here.  Below them all. */
#ifndef WG_LOCKDOWN_H
#define WG_LOCKDOWN_H
#include "domain/actor.h"

#include <jansson.h>

const char *lockdown_name(int64_t level);
/* The level named s (none compound building unit), -1 when it is none of them. */
int lockdown_level_parse(const char *s);
/* The unit's own level as {level rank since reason}, or json null, into *out. */
werr lockdown_json(db *d, int64_t unit_id, json_t **out);
/* The locked units of the subtree at path, into *out (an array). */
werr lockdowns_below(db *d, arena *a, const char *path, json_t **out);
/* The highest level set on the unit at path or the two units above it (0 = none): the
 * level a household lives under. */
werr lockdown_level_at(db *d, const char *path, int64_t *level);
/* The same for many paths of one request: each unit's level is looked up once (a page of
 * fifty households shares a handful of buildings). */
typedef struct {
	int n;
	int64_t id[48], level[48];
} lock_memo;
werr lockdown_level_memo(db *d, const char *path, lock_memo *m, int64_t *level);
/* The highest level on any unit of the path, up to the root (a gate of a compound under a
 * locked street is closed too). */
werr lockdown_level_any(db *d, const char *path, int64_t *level);
#endif
