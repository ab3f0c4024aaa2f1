/* csv.c — RFC 4180 reader for imports, and quoting/neutralising for exports.  See csv.h.
 *
 * The whole input is held in memory (after conversion to UTF-8 when it was GBK).  Fields
 * are unescaped into one growing buffer that is reused for every record, and the field
 * pointers live in one growing array, so parsing does no allocation per field or per
 * record once the buffers have reached the size of the largest record.  The input is
 * never modified, which is what lets the reader resynchronise after a malformed record. */
#include "core/csv.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unicode/ucnv.h>

#include "core/arena.h"
#include "core/utf8.h"

#define CSV_MAX_INPUT ((size_t)512 * 1024 * 1024)

struct csv_reader {
	char *data;     /* UTF-8 input, BOM stripped, NUL-terminated */
	size_t len;     /* bytes of data (excluding the NUL) */
	size_t pos;     /* next byte to parse */
	size_t line;    /* physical line of data[pos], 1-based */
	char *buf;      /* unescaped fields of the current record, each NUL-terminated */
	size_t buflen, bufcap;
	size_t *offs;   /* field start offsets into buf */
	char **fields;  /* the same as pointers, handed to the caller */
	size_t nfields, fcap;
	size_t records;                                       /* handed out so far */
	size_t hwm;                                           /* the farthest a record has ended (csv_seek) */
	void (*on_record)(void *ctx, size_t records, double frac); /* progress, or NULL */
	void *on_record_ctx;
};

/* Bytes that end a run of plain field content. */
static const unsigned char csv_special[256] = {
	[','] = 1, ['"'] = 1, ['\r'] = 1, ['\n'] = 1,
};

static void csv_reserve(csv_reader *r, size_t extra)
{
	if (r->buflen + extra <= r->bufcap)
		return;
	size_t cap = r->bufcap ? r->bufcap : 4096;
	while (cap < r->buflen + extra)
		cap *= 2;
	r->buf = xrealloc(r->buf, cap);
	r->bufcap = cap;
}

static void csv_append(csv_reader *r, const char *s, size_t n)
{
	if (!n)
		return;
	csv_reserve(r, n);
	memcpy(r->buf + r->buflen, s, n);
	r->buflen += n;
}

/* ---- opening: encoding checks and GB18030 conversion ---- */

static werr csv_bad_encoding(void)
{
	return w_fail(W_EINVAL, "bad_encoding", NULL,
	              "文件不是 UTF-8 或 GBK 编码 / file is neither UTF-8 nor GBK");
}

/*
 * Converts GB18030 (a superset of GBK and GB2312) to UTF-8 with ICU.  The callback
 * is set to STOP, so any illegal or unmappable byte sequence fails the conversion
 * instead of being replaced by U+FFFD.  Returns a malloc'd NUL-terminated buffer and
 * its length, or NULL.
 */
static char *csv_from_gb18030(const char *in, size_t len, size_t *outlen)
{
	UErrorCode st = U_ZERO_ERROR;
	UConverter *gb = ucnv_open("GB18030", &st);
	UConverter *u8 = U_SUCCESS(st) ? ucnv_open("UTF-8", &st) : NULL;
	char *out = NULL;

	if (U_FAILURE(st))
		goto done;
	ucnv_setToUCallBack(gb, UCNV_TO_U_CALLBACK_STOP, NULL, NULL, NULL, &st);
	if (U_FAILURE(st))
		goto done;

	/* A GBK character is 2 bytes → 3 in UTF-8, a 4-byte GB18030 one → at most 4. */
	size_t cap = len + len / 2 + 16;
	out = xmalloc(cap);
	char *target = out;
	const char *source = in;
	UChar pivot[4096];
	UChar *psrc = pivot, *ptgt = pivot;
	for (;;) {
		ucnv_convertEx(u8, gb, &target, out + cap - 1, &source, in + len, pivot, &psrc,
		               &ptgt, pivot + 4096, target == out && source == in, true, &st);
		if (st != U_BUFFER_OVERFLOW_ERROR)
			break;
		size_t used = (size_t)(target - out);
		cap *= 2;
		out = xrealloc(out, cap);
		target = out + used;
		st = U_ZERO_ERROR;
	}
	if (U_FAILURE(st)) {
		free(out);
		out = NULL;
		goto done;
	}
	*outlen = (size_t)(target - out);
	out[*outlen] = '\0';
done:
	if (u8)
		ucnv_close(u8);
	if (gb)
		ucnv_close(gb);
	return out;
}

/*
 * Takes ownership of data (len bytes, malloc'd with room for one more byte): checks
 * the size, refuses NUL bytes (UTF-16 or binary files), converts GBK when the bytes
 * are not UTF-8, strips a BOM and builds the reader.
 */
static werr csv_open_owned(char *data, size_t len, csv_reader **out, bool *converted)
{
	bool conv = false;

	*out = NULL;
	if (converted)
		*converted = false;
	if (len > CSV_MAX_INPUT) {
		free(data);
		return w_fail(W_ETOOBIG, "too_large", NULL,
		              "文件超过 512 MB / file is larger than 512 MB");
	}
	if (memchr(data, '\0', len)) {
		free(data);
		return csv_bad_encoding();
	}
	data[len] = '\0';
	if (!utf8_valid(data, len)) {
		size_t n = 0;
		char *u = csv_from_gb18030(data, len, &n);
		free(data);
		if (!u)
			return csv_bad_encoding();
		data = u;
		len = n;
		conv = true;
	}
	size_t skip = 0;
	if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3))
		skip = 3;

	csv_reader *r = xcalloc(1, sizeof *r);
	r->data = data;
	r->pos = skip;
	r->len = len;
	r->line = 1;
	*out = r;
	if (converted)
		*converted = conv;
	return WG_OK;
}

werr csv_open_mem(const char *data, size_t len, csv_reader **out, bool *converted)
{
	if (!out)
		return w_fail(W_EINVAL, NULL, NULL, "csv_open_mem: out is NULL");
	*out = NULL;
	if (converted)
		*converted = false;
	if (!data && len)
		return w_fail(W_EINVAL, NULL, NULL, "csv_open_mem: data is NULL");
	if (len > CSV_MAX_INPUT)
		return w_fail(W_ETOOBIG, "too_large", NULL,
		              "文件超过 512 MB / file is larger than 512 MB");
	char *copy = xmalloc(len + 1);
	if (len)
		memcpy(copy, data, len);
	return csv_open_owned(copy, len, out, converted);
}

/* Reads the whole file (regular file or pipe), refusing more than 512 MB early. */
werr csv_open_file(const char *path, csv_reader **out, bool *converted)
{
	if (!out)
		return w_fail(W_EINVAL, NULL, NULL, "csv_open_file: out is NULL");
	*out = NULL;
	if (converted)
		*converted = false;
	FILE *f = path ? fopen(path, "rb") : NULL;
	if (!f)
		return w_fail(W_ENOTFOUND, NULL, "file", "无法读取文件 / cannot read file: %s: %s",
		              path ? path : "(null)", strerror(errno));
	struct stat st;
	if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size > CSV_MAX_INPUT) {
		fclose(f);
		return w_fail(W_ETOOBIG, "too_large", NULL,
		              "文件超过 512 MB / file is larger than 512 MB");
	}
	size_t cap = 64 * 1024, len = 0;
	char *data = xmalloc(cap + 1);
	for (;;) {
		if (len == cap) {
			if (cap > CSV_MAX_INPUT) {
				free(data);
				fclose(f);
				return w_fail(W_ETOOBIG, "too_large", NULL,
				              "文件超过 512 MB / file is larger than 512 MB");
			}
			cap = cap * 2 > CSV_MAX_INPUT ? CSV_MAX_INPUT + 1 : cap * 2;
			data = xrealloc(data, cap + 1);
		}
		size_t got = fread(data + len, 1, cap - len, f);
		len += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		int e = errno;
		free(data);
		fclose(f);
		return w_fail(W_ENOTFOUND, NULL, "file", "无法读取文件 / cannot read file: %s: %s",
		              path, strerror(e));
	}
	fclose(f);
	return csv_open_owned(data, len, out, converted);
}

void csv_close(csv_reader *r)
{
	if (!r)
		return;
	free(r->data);
	free(r->buf);
	free(r->offs);
	free(r->fields);
	free(r);
}

/* ---- parsing ---- */

static void csv_push_field(csv_reader *r, size_t start)
{
	if (r->nfields == r->fcap) {
		r->fcap = r->fcap ? r->fcap * 2 : 32;
		r->offs = xrealloc(r->offs, r->fcap * sizeof *r->offs);
		r->fields = xrealloc(r->fields, r->fcap * sizeof *r->fields);
	}
	r->offs[r->nfields++] = start;
	csv_reserve(r, 1);
	r->buf[r->buflen++] = '\0';
}

/* Counts the line breaks (LF, CRLF, lone CR) in s[0..n); next is the byte after s[n-1]. */
static size_t csv_count_lines(const char *s, size_t n, int next)
{
	size_t lines = 0;

	for (size_t i = 0; i < n; i++) {
		/* \n, \r\n and a lone \r each end a line */
		if (s[i] == '\n' || (s[i] == '\r' && (i + 1 < n ? s[i + 1] : next) != '\n'))
			lines++;
	}
	return lines;
}

/* Moves past the next line break at or after pos (or to the end). */
static void csv_skip_line(csv_reader *r, size_t pos)
{
	const char *d = r->data;

	while (pos < r->len && d[pos] != '\n' && d[pos] != '\r')
		pos++;
	if (pos < r->len) {
		if (d[pos] == '\r' && pos + 1 < r->len && d[pos + 1] == '\n')
			pos++;
		pos++;
		r->line++;
	}
	r->pos = pos;
}

/*
 * Reports a malformed record that began on line `start_line` and resynchronises:
 * after an unterminated quote (which swallowed the rest of the input) parsing resumes
 * on the line after the one where the record began; after any other error, on the line
 * after the one where the error was found.
 */
static int csv_error(csv_reader *r, size_t start_line, size_t start_pos, size_t err_pos,
                     bool unterminated, const char *what)
{
	if (unterminated) {
		r->line = start_line;
		csv_skip_line(r, start_pos);
	} else {
		csv_skip_line(r, err_pos);
	}
	w_record(W_EINVAL, "bad_csv", NULL, "line %zu: %s", start_line, what);
	return -1;
}

static bool csv_is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * One record: fields separated by commas up to an unquoted line break or the end.
 * Quoted fields may hold commas, line breaks and doubled quotes, and may be surrounded
 * by blanks; unquoted fields are trimmed of blanks and must not contain a quote.  A
 * record made of one empty unquoted field (a blank line) is skipped.
 */
int csv_next(csv_reader *r, char ***fields, size_t *nfields, size_t *line)
{
	if (!r)
		return 0;
	const char *d = r->data;
	const char *end = d + r->len;

	for (;;) {
		if (r->pos >= r->len)
			return 0;
		size_t start_line = r->line, start_pos = r->pos;
		const char *p = d + r->pos;
		bool any_quoted = false;
		r->nfields = 0;
		r->buflen = 0;
		if (line)
			*line = start_line;

		for (;;) {
			size_t fstart = r->buflen;
			const char *q = p;
			while (q < end && csv_is_blank(*q))
				q++;
			if (q < end && *q == '"') {
				any_quoted = true;
				p = q + 1;
				for (;;) {
					const char *qq = memchr(p, '"', (size_t)(end - p));
					if (!qq)
						return csv_error(r, start_line, start_pos, r->len, true,
						                 "引号未闭合 / unterminated quoted field");
					r->line += csv_count_lines(p, (size_t)(qq - p), '"');
					csv_append(r, p, (size_t)(qq - p));
					p = qq + 1;
					if (p < end && *p == '"') {
						csv_append(r, "\"", 1);
						p++;
						continue;
					}
					break;
				}
				while (p < end && csv_is_blank(*p))
					p++;
				if (p < end && (*p == '"' || !csv_special[(unsigned char)*p]))
					return csv_error(r, start_line, start_pos, (size_t)(p - d), false,
					                 "引号后有多余字符 / unexpected character after closing quote");
			} else {
				const char *s = q;
				p = q;
				while (p < end && !csv_special[(unsigned char)*p])
					p++;
				if (p < end && *p == '"')
					return csv_error(r, start_line, start_pos, (size_t)(p - d), false,
					                 "未加引号的字段中有引号 / stray quote in unquoted field");
				const char *e = p;
				while (e > s && csv_is_blank(e[-1]))
					e--;
				csv_append(r, s, (size_t)(e - s));
			}
			csv_push_field(r, fstart);
			if (p < end && *p == ',') {
				p++;
				continue;
			}
			if (p < end) { /* line break */
				if (*p == '\r' && p + 1 < end && p[1] == '\n')
					p++;
				p++;
				r->line++;
			}
			break;
		}
		r->pos = (size_t)(p - d);
		if (r->nfields == 1 && !any_quoted && r->buf[0] == '\0')
			continue;
		for (size_t i = 0; i < r->nfields; i++)
			r->fields[i] = r->buf + r->offs[i];
		if (fields)
			*fields = r->fields;
		if (nfields)
			*nfields = r->nfields;
		if (r->pos <= r->hwm) /* read again after a csv_seek */
			return 1;
		r->hwm = r->pos;
		r->records++;
		if (r->on_record)
			r->on_record(r->on_record_ctx, r->records, r->len ? (double)r->pos / (double)r->len : 1.0);
		return 1;
	}
}

void csv_on_record(csv_reader *r, void (*fn)(void *ctx, size_t records, double frac), void *ctx)
{
	if (!r)
		return;
	r->on_record = fn;
	r->on_record_ctx = ctx;
}

csv_mark csv_tell(const csv_reader *r)
{
	return (csv_mark){.pos = r->pos, .line = r->line};
}

void csv_seek(csv_reader *r, csv_mark m)
{
	if (m.pos > r->len)
		m.pos = r->len;
	r->pos = m.pos;
	r->line = m.line;
}

/* ---- output ---- */

/* Spreadsheet formula injection: a leading = + - @ TAB or CR makes a cell a formula. */
char *cell_neutralise(const char *field)
{
	if (!field)
		return xstrdup("");
	size_t n = strlen(field);
	bool risky = n && strchr("=+-@\t\r", field[0]);
	char *out = xmalloc(n + 1 + risky);
	if (risky)
		out[0] = '\'';
	memcpy(out + risky, field, n + 1);
	return out;
}

/* Neutralises, then quotes (doubling quotes) when the text holds , " CR or LF. */
char *csv_quote(const char *field)
{
	char *s = cell_neutralise(field);
	if (!strpbrk(s, ",\"\r\n"))
		return s;
	size_t n = strlen(s), quotes = 0;
	for (size_t i = 0; i < n; i++)
		quotes += s[i] == '"';
	char *out = xmalloc(n + quotes + 3), *w = out;
	*w++ = '"';
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			*w++ = '"';
		*w++ = s[i];
	}
	*w++ = '"';
	*w = '\0';
	free(s);
	return out;
}
