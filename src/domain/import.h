/* import.h — the report of a bulk import: counts and every refused row with its line,
 * column and reason, so nothing is dropped silently. */
#ifndef WG_IMPORT_H
#define WG_IMPORT_H
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

typedef struct import_report {
	size_t rows, created, updated, unchanged, bad;
	size_t one_by_one; /* rows the per-row rules applied (how it went; not in the report) */
	json_t *errors; /* array of {"line","column","code","reason"}; owned by the report */
} import_report;

void import_report_init(import_report *r);
void import_report_free(import_report *r);
void import_bad(import_report *r, size_t line, const char *column, const char *code,
                const char *reason);
/* Order the errors by line (imports that apply rows out of file order). */
void import_report_sort(import_report *r);
json_t *import_report_json(const import_report *r); /* new reference */
void import_report_print(const import_report *r, FILE *out);
#endif
