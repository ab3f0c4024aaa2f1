/* response.h — what follows a case: its contacts (who, when, where, how) linked to
 * residents and followed as close contacts; the transmission chain through them as a
 * graph; the response to a confirmation (household to observation, tasks with owners and
 * deadlines — close contacts, 消杀 disinfection, notice of the building — and the
 * building's lockdown level raised); lockdown levels of units (compound → building →
 * unit), shown in coverage and the worker's app. */
#ifndef WG_RESPONSE_H
#define WG_RESPONSE_H
#include <jansson.h>

#include "domain/actor.h"

/* Inside the status change's transaction; extra (may be NULL) gets household_observed
 * and tasks. */
werr response_confirmed_tx(const actor *ac, int64_t resident_id, json_t *extra);

werr contact_add(const actor *ac, int64_t case_id, json_t *body, json_t **out);
werr contact_list(const actor *ac, int64_t resident_id, json_t **out);
werr contact_link(const actor *ac, int64_t contact_id, json_t *body, json_t **out);
werr chain_get(const actor *ac, int64_t resident_id, int64_t depth, json_t **out);

werr task_list(const actor *ac, const char *unit_code, const char *state, int64_t limit,
               int64_t offset, json_t **out);
werr task_action(const actor *ac, int64_t id, json_t *body, json_t **out);

/* Lockdown levels (lockdown.h): reading and lifting them. */
werr lockdown_get(const actor *ac, const char *code, json_t **out);
werr lockdown_set(const actor *ac, const char *code, json_t *body, json_t **out);

/* Open response tasks of the subtree at path by their owner's account: fn(arg, account id,
 * count) for each (the staff's workload, staff.c). */
werr task_open_per_owner(const actor *ac, const char *path, void (*fn)(void *arg, int64_t user_id, int64_t n), void *arg);
#endif
