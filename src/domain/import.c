/* import.c — see import.h. */
#include "domain/import.h"

#include <stdlib.h>
#include <string.h>

enum { IMPORT_MAX_ERRORS = 100000 };

void import_report_init(import_report *r)
{
	memset(r, 0, sizeof *r);
	r->errors = json_array();
}

void import_report_free(import_report *r)
{
	json_decref(r->errors);
	r->errors = NULL;
}

void import_bad(import_report *r, size_t line, const char *column, const char *code,
                const char *reason)
{
	r->bad++;
	if (json_array_size(r->errors) >= IMPORT_MAX_ERRORS)
		return;
	json_t *e = json_pack("{s:I,s:s?,s:s,s:s}", "line", (json_int_t)line, "column", column, "code", code, "reason",
	                      reason);
	if (!e) /* a reason quoting bad bytes of the file: keep the row, drop the quote */
		e = json_pack("{s:I,s:s?,s:s,s:s}", "line", (json_int_t)line, "column", column, "code", code ? code : "invalid",
		              "reason", "无效的内容 / invalid content");
	json_array_append_new(r->errors, e);
}

static int by_line(const void *a, const void *b)
{
	json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a, "line"));
	json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b, "line"));
	return (x > y) - (x < y);
}

void import_report_sort(import_report *r)
{
	size_t n = json_array_size(r->errors);
	if (n < 2)
		return;
	json_t **v = malloc(n * sizeof *v); // NOLINT(bugprone-sizeof-expression): an array of pointers
	for (size_t i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(r->errors, i));
	qsort(v, n, sizeof *v, by_line); // NOLINT(bugprone-sizeof-expression): one error per line, stable enough
	json_array_clear(r->errors);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(r->errors, v[i]);
	free(v);
}

json_t *import_report_json(const import_report *r)
{
	return json_pack("{s:I,s:I,s:I,s:I,s:I,s:O}", "rows", (json_int_t)r->rows, "created",
	                 (json_int_t)r->created, "updated", (json_int_t)r->updated, "unchanged",
	                 (json_int_t)r->unchanged, "bad", (json_int_t)r->bad, "errors", r->errors);
}

void import_report_print(const import_report *r, FILE *out)
{
	size_t i;
	json_t *e;
	json_array_foreach(r->errors, i, e)
	{
		const char *col = json_string_value(json_object_get(e, "column"));
		fprintf(out, "line %lld: %s: %s\n",
		        (long long)json_integer_value(json_object_get(e, "line")), col ? col : "-",
		        json_string_value(json_object_get(e, "reason")));
	}
	fprintf(out, "%zu rows: %zu created, %zu updated, %zu unchanged, %zu refused\n", r->rows,
	        r->created, r->updated, r->unchanged, r->bad);
}
