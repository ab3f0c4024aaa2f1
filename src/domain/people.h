/* people.h — a resident with where they live (household, building, unit path), and the
 * accounts that work for them (the responsible grid worker, a user named in a request).
 * Shared by the four categories, the response, agency lists, gates and what comes above. */
#ifndef WG_PEOPLE_H
#define WG_PEOPLE_H
#include "domain/actor.h"

#include <jansson.h>
#include <stdbool.h>

typedef struct {
	int64_t id, household_id, district_id;
	const char *name, *id_number, *phone, *residence, *unit_code, *unit_kind, *building, *room, *path;
	bool moved_out;
} person;

/* Load a resident (arena copies); with scoped, 404 outside the actor's subtree. */
werr person_load(const actor *ac, int64_t id, bool scoped, person *p);
/* The building unit the person lives in (their household's unit when there is none). */
werr person_building(const actor *ac, const person *p, int64_t *id);
/* The grid worker of the person's grid into *id (the actor when the grid has none); a
 * failed read is an error, never "the actor". */
werr responsible_worker(const actor *ac, const person *p, int64_t *id);
/* An account in the actor's subtree by username ("me" = the actor): W_EINVAL on field. */
werr user_in_scope(const actor *ac, const char *username, const char *field, int64_t *id);
/* {username, name} of an account, or null for 0; a failed read is kept in *sink (the first
 * one) for a JSON builder's caller to answer. */
json_t *user_brief(db *d, int64_t user_id, werr *sink);
#endif
