/* csv.h — RFC 4180 CSV reader for imports.
 * Handles a UTF-8 BOM, quoted fields with commas, doubled quotes and newlines, CRLF or LF
 * line ends, and blank lines (skipped).  Input must be UTF-8: a file that is not valid UTF-8
 * but is valid GB18030/GBK is converted (csv_open_mem reports it with converted = true);
 * anything else is refused.  The reader reports the physical line number on which each
 * record starts, so import errors can name "line N". */
#ifndef WG_CSV_H
#define WG_CSV_H
#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"

typedef struct csv_reader csv_reader;

/* Takes a copy of data (len bytes).  On failure returns W_EINVAL with the detail set by
 * w_fail (code "bad_encoding" and a clear message) and *out = NULL. */
werr csv_open_mem(const char *data, size_t len, csv_reader **out, bool *converted);
/* Reads a whole file into memory then as csv_open_mem.  W_ENOTFOUND if it cannot be read. */
werr csv_open_file(const char *path, csv_reader **out, bool *converted);
void csv_close(csv_reader *r);

/* Next record.  Returns 1 with *fields / *nfields set (valid until the next call), 0 at
 * end of input, -1 on a malformed record (unterminated quote, stray quote: detail via
 * w_fail, code "bad_csv").  Fields are NUL-terminated, leading/trailing ASCII spaces of
 * unquoted fields trimmed.  *line is the 1-based line where the record began. */
int csv_next(csv_reader *r, char ***fields, size_t *nfields, size_t *line);
/* Calls fn after each record csv_next hands out, with the records so far and the share of
 * the input read (0..1): how far a long import has got (the CLI's progress line). */
void csv_on_record(csv_reader *r, void (*fn)(void *ctx, size_t records, double frac), void *ctx);

/* Where the next record starts, and going back there: an import that applies some
 * records after the others reads them again (csv_seek, then csv_next).  Reading again does
 * not count the records again, nor report them to csv_on_record's function. */
typedef struct {
	size_t pos, line;
} csv_mark;
csv_mark csv_tell(const csv_reader *r);
void csv_seek(csv_reader *r, csv_mark m);

/* One field for CSV output, malloc'd (caller frees): neutralised as cell_neutralise, then
 * quoted when it holds a comma, quote, CR or LF (quotes doubled). */
char *csv_quote(const char *field);
/* The neutralised text of a cell (malloc'd): "'" prefix when it starts with = + - @ \t \r. */
char *cell_neutralise(const char *field);
#endif
