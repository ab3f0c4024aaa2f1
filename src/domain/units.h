/* units.h — the grid tree: province … community → grid (grids may nest) → building →
 * entrance.  Units are addressed by code; each keeps its materialised path of ids so a
 * subtree is one index range.  Renames, moves and retirements are kept in unit_history. */
#ifndef WG_UNITS_H
#define WG_UNITS_H
#include "core/csv.h"
#include "domain/actor.h"
#include "domain/tree.h"

#include <jansson.h>
#include <stdio.h>

werr unit_get(const actor *ac, const char *code, json_t **out); /* with counts, history */
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
