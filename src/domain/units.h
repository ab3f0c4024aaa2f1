/* units.h — the grid tree: province … community → grid (grids may nest) → building →
 * entrance.  Units are addressed by code; each keeps its materialised path of ids so a
 * subtree is one index range.  Renames, moves and retirements are kept in unit_history. */
#ifndef WG_UNITS_H
#define WG_UNITS_H
#include <jansson.h>
#include <stdio.h>

#include "core/csv.h"
#include "domain/actor.h"

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

werr unit_get(const actor *ac, const char *code, json_t **out);      /* with counts, history */
werr unit_children(const actor *ac, const char *code, bool retired, json_t **out);
werr unit_create(const actor *ac, json_t *body, json_t **out);
werr unit_update(const actor *ac, const char *code, json_t *body, json_t **out);

/* Bulk: code,parent_code,kind,name.  Existing codes are updated (name, parent, kind), so a
 * re-import changes nothing.  Bad rows are collected in report (see import.h). */
struct import_report;
werr unit_import(const actor *ac, csv_reader *r, struct import_report *rep);
/* CSV with the import header, pre-order, for the subtree at code. */
werr unit_export_csv(const actor *ac, const char *code, FILE *out);
#endif
