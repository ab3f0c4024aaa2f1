/* fuzz_csv.c — the CSV reader on arbitrary bytes (UTF-8, GBK, garbage).
 * Checks, beyond memory safety: the reader always terminates, every field is valid UTF-8,
 * line numbers never go backwards, and what csv_quote writes reads back as the
 * neutralised field. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/csv.h"
#include "core/utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Fields that csv_quote cannot carry through our own reader unchanged: blanks at the
 * ends of a field are trimmed when unquoted, and a leading BOM is stripped. */
static bool fz_roundtrips(char **f, size_t n)
{
	if (n == 1 && f[0][0] == '\0')
		return false; /* a blank line is skipped */
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(f[i]);
		if (len && (f[i][0] == ' ' || f[i][0] == '\t' || f[i][len - 1] == ' ' ||
		            f[i][len - 1] == '\t'))
			return false;
		if (i == 0 && !strncmp(f[i], "\xEF\xBB\xBF", 3))
			return false;
	}
	return true;
}

/* Writes the record with csv_quote and parses it again. */
static void fz_roundtrip(char **f, size_t n)
{
	buf b;
	buf_init(&b, NULL);
	for (size_t i = 0; i < n; i++) {
		char *q = csv_quote(f[i]);
		if (i)
			buf_putc(&b, ',');
		buf_puts(&b, q);
		free(q);
	}
	buf_putc(&b, '\n');

	csv_reader *r;
	bool conv;
	if (csv_open_mem(b.p, b.len, &r, &conv) != WG_OK || conv)
		abort();
	char **g;
	size_t m, line;
	if (csv_next(r, &g, &m, &line) != 1 || m != n || line != 1)
		abort();
	for (size_t i = 0; i < n; i++) {
		char *want = cell_neutralise(f[i]);
		if (strcmp(want, g[i]))
			abort();
		free(want);
	}
	if (csv_next(r, &g, &m, &line) != 0)
		abort();
	csv_close(r);
	buf_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	csv_reader *r = NULL;
	bool conv = false;

	if (csv_open_mem((const char *)data, size, &r, &conv) != WG_OK) {
		if (r)
			abort();
		return 0;
	}
	char **f;
	size_t n, line, last = 0, records = 0;
	int rc;
	while ((rc = csv_next(r, &f, &n, &line)) != 0) {
		if (line < last || line > size + 1)
			abort();
		last = line;
		if (++records > size + 1) /* each call consumes at least one byte */
			abort();
		if (rc < 0)
			continue;
		if (n == 0)
			abort();
		for (size_t i = 0; i < n; i++)
			if (!utf8_valid(f[i], strlen(f[i])))
				abort();
		if (fz_roundtrips(f, n) && n < 64)
			fz_roundtrip(f, n);
	}
	csv_close(r);
	return 0;
}
