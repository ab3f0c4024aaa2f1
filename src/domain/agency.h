/* agency.h — lists from other agencies (police, transport, employers, other cities):
 * a CSV of people (name, ID number, phone, address, arrival date, source) matched against
 * the registry of a unit — exactly by ID number, probably by name + phone or address —
 * with every row kept: exact matches start observation at once, the rest wait in a
 * review queue until someone confirms, rejects or registers them. */
#ifndef WG_AGENCY_H
#define WG_AGENCY_H
#include <jansson.h>

#include "core/csv.h"
#include "domain/actor.h"

werr list_import(const actor *ac, const char *unit_code, const char *source, const char *category,
                 csv_reader *r, json_t **out);
werr list_index(const actor *ac, const char *unit_code, int64_t limit, int64_t offset, json_t **out);
werr list_get(const actor *ac, int64_t id, json_t **out);
werr list_rows(const actor *ac, int64_t id, const char *state, int64_t limit, int64_t offset,
               json_t **out);
werr list_resolve(const actor *ac, int64_t id, int64_t row, json_t *body, json_t **out);
#endif
