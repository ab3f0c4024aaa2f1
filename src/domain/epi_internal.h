/* epi_internal.h — what epi.c, agency.c and response.c share: a person with where they
 * live, the units above them, and the accounts that work for them. */
#ifndef WG_EPI_INTERNAL_H
#define WG_EPI_INTERNAL_H
#include <jansson.h>
#include <stdbool.h>

#include "domain/actor.h"

typedef struct {
	int64_t id, household_id;
	const char *name, *id_number, *phone, *residence, *unit_code, *unit_kind, *building, *room, *path;
	bool moved_out;
} person;

bool epi_in_list(const char *s, const char *const *l);
/* Load a resident (arena copies); with scoped, 404 outside the actor's subtree. */
werr person_load(const actor *ac, int64_t id, bool scoped, person *p);
/* The id of the k-th unit from the end of a unit path (0 = the unit itself). */
int64_t path_id(const char *path, int k);
/* The nearest unit of this kind at or above the person's household (0 if none). */
int64_t person_ancestor(const actor *ac, const person *p, const char *kind);
int64_t person_building(const actor *ac, const person *p);
/* The grid worker of the person's grid, else the actor. */
/* The grid worker of the person's grid into *id (the actor when the grid has none); a
 * failed read is an error, never "the actor". */
werr responsible_worker(const actor *ac, const person *p, int64_t *id);
json_t *user_brief(db *d, int64_t user_id); /* {username, name} or null */
/* An account in the actor's subtree by username ("me" = the actor): W_EINVAL on field. */
werr user_in_scope(const actor *ac, const char *username, const char *field, int64_t *id);
/* After a commit: an event for the live feeds of the units above path (takes o). */
void epi_publish(const char *path, const char *type, json_t *o);
#endif
