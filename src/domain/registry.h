/* registry.h — households and residents: registration, moves, occupancy evidence, search,
 * bulk import and export.  Every read, search, export and change of a person is audited;
 * ID numbers and phones leave here masked unless the actor's role needs them. */
#ifndef WG_REGISTRY_H
#define WG_REGISTRY_H
#include <jansson.h>
#include <stdio.h>

#include "core/csv.h"
#include "domain/actor.h"
#include "domain/import.h"

/* Flags a resident can carry (bits of residents.flags).  "elderly" (60+) is derived from
 * the birth date, not stored. */
enum {
	FLAG_LIVES_ALONE = 1 << 0,
	FLAG_DISABLED = 1 << 1,
	FLAG_CHRONIC = 1 << 2,
	FLAG_NO_SMARTPHONE = 1 << 3,
	FLAG_PREGNANT = 1 << 4,
	FLAG_REGULAR_MEDICINE = 1 << 5,
};

werr hh_list(const actor *ac, const char *unit_code, int64_t limit, int64_t offset,
             bool retired, json_t **out);
werr hh_get(const actor *ac, int64_t id, json_t **out); /* with residents and evidence */
werr hh_create(const actor *ac, json_t *body, json_t **out);
werr hh_update(const actor *ac, int64_t id, json_t *body, json_t **out);
werr hh_add_evidence(const actor *ac, int64_t id, json_t *body, json_t **out);

werr res_get(const actor *ac, int64_t id, json_t **out);
werr res_create(const actor *ac, json_t *body, json_t **out);
werr res_update(const actor *ac, int64_t id, json_t *body, json_t **out);
/* Search (q may be NULL: list) within unit_code (NULL: the actor's own unit) and the nalso
 * subtrees at the paths also (a gate's served compounds: gate_served_paths; checked by the
 * caller). */
werr res_search(const actor *ac, const char *q, const char *unit_code, const char *const *also, int nalso,
                int64_t limit, int64_t offset, json_t **out);

/* A residents sheet, committed every 5,000 rows so a serving store's other writers get
 * their turn between batches (the API's import). */
werr res_import(const actor *ac, csv_reader *r, import_report *rep);
/* The whole sheet in one transaction — all or nothing, and each index page written once
 * (the command line's import).  With reindex the five search indexes are dropped inside
 * it and built again after the load, a sort instead of a million random inserts: for a
 * sheet as large as the store or larger. */
/* per_row: every row by the per-row rules even on PostgreSQL, without the staging table (the
 * slow path, kept to compare the two: tests/api/test_import_paths.py). */
werr res_import_whole(const actor *ac, csv_reader *r, bool reindex, bool per_row, import_report *rep);
/* The search indexes of residents (name, pinyin, initials, phone and ID tails): dropped
 * before a bulk load and built after it. */
werr res_search_indexes_drop(db *d);
werr res_search_indexes_build(db *d);
typedef enum { EXPORT_CSV, EXPORT_XLSX } export_format;
/* Residents of the subtree at unit_code to path (CSV or XLSX), in the import's columns with
 * Chinese headers; values masked per role.  *count receives the number of rows. */
werr res_export(const actor *ac, const char *unit_code, export_format fmt, const char *path,
                size_t *count);

/* The duplicate-ID review (身份证号重复待核实, docs/api.md 5.x): registrations whose ID number
 * is registered outside the registering account's scope are held for a community account
 * over their household, which merges, returns (to the worker, with a note) or keeps them.
 * Other registry roles see only the items returned to them, and correct the number. */
werr idr_list(const actor *ac, const char *unit_code, const char *state, int64_t limit, int64_t offset, json_t **out);
werr idr_get(const actor *ac, int64_t id, json_t **out);
werr idr_decide(const actor *ac, int64_t id, json_t *body, json_t **out);
werr idr_correct(const actor *ac, int64_t id, json_t *body, json_t **out);
#endif
