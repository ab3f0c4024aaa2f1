/* test_csv.c — the CSV reader (BOM, quoting, line numbers, GBK, errors and resync) and
 * the export helpers csv_quote / cell_neutralise. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/csv.h"

static csv_reader *open_str(const char *s, bool *converted)
{
	csv_reader *r = NULL;
	bool conv = true;
	assert_int_equal(csv_open_mem(s, strlen(s), &r, &conv), WG_OK);
	assert_non_null(r);
	if (converted)
		*converted = conv;
	else
		assert_false(conv);
	return r;
}

/* Reads the next record and checks its line and fields (NULL-terminated list). */
static void expect_rec(csv_reader *r, size_t want_line, ...)
{
	char **f;
	size_t n, line;
	va_list ap;

	assert_int_equal(csv_next(r, &f, &n, &line), 1);
	assert_int_equal(line, want_line);
	va_start(ap, want_line);
	size_t i = 0;
	for (const char *w; (w = va_arg(ap, const char *)); i++) {
		if (i >= n)
			fail_msg("line %zu: only %zu fields, wanted more", line, n);
		assert_string_equal(f[i], w);
	}
	va_end(ap);
	assert_int_equal(n, i);
}

static void expect_end(csv_reader *r)
{
	char **f;
	size_t n, line;
	assert_int_equal(csv_next(r, &f, &n, &line), 0);
	assert_int_equal(csv_next(r, &f, &n, &line), 0);
}

static void expect_error(csv_reader *r, size_t want_line)
{
	char **f;
	size_t n, line = 0;
	char want[32];

	w_clear();
	assert_int_equal(csv_next(r, &f, &n, &line), -1);
	assert_int_equal(line, want_line);
	assert_int_equal(w_last()->err, W_EINVAL);
	assert_string_equal(w_last()->code, "bad_csv");
	snprintf(want, sizeof want, "line %zu: ", want_line);
	assert_true(strncmp(w_last()->message, want, strlen(want)) == 0);
}

static void test_basic(void **state)
{
	(void)state;
	csv_reader *r = open_str("姓名,身份证号,电话\n梁秀琴,11010519491231002X,13800138000\n", NULL);
	expect_rec(r, 1, "姓名", "身份证号", "电话", NULL);
	expect_rec(r, 2, "梁秀琴", "11010519491231002X", "13800138000", NULL);
	expect_end(r);
	csv_close(r);

	/* no trailing newline, empty fields, blanks trimmed around unquoted fields */
	r = open_str("a,,c\n, ,\n  x  ,\t y\t,z", NULL);
	expect_rec(r, 1, "a", "", "c", NULL);
	expect_rec(r, 2, "", "", "", NULL);
	expect_rec(r, 3, "x", "y", "z", NULL);
	expect_end(r);
	csv_close(r);

	/* empty input, only a BOM, only blank lines */
	r = open_str("", NULL);
	expect_end(r);
	csv_close(r);
	r = open_str("\xEF\xBB\xBF", NULL);
	expect_end(r);
	csv_close(r);
	r = open_str("\n\r\n   \n\n", NULL);
	expect_end(r);
	csv_close(r);
	csv_close(NULL);
}

static void test_bom_crlf_blank(void **state)
{
	(void)state;
	csv_reader *r = open_str("\xEF\xBB\xBF"
	                         "名,号\r\n\r\n张三,1\r\n\r\n   \r\n李四,2\r\n",
	                         NULL);
	expect_rec(r, 1, "名", "号", NULL);
	expect_rec(r, 3, "张三", "1", NULL);
	expect_rec(r, 6, "李四", "2", NULL);
	expect_end(r);
	csv_close(r);

	/* a BOM only counts at the very start */
	r = open_str("a\n\xEF\xBB\xBF"
	             "b\n",
	             NULL);
	expect_rec(r, 1, "a", NULL);
	expect_rec(r, 2, "\xEF\xBB\xBF"
	                 "b",
	           NULL);
	csv_close(r);

	/* lone CR line ends (old Mac exports) */
	r = open_str("a,b\rc,d\r", NULL);
	expect_rec(r, 1, "a", "b", NULL);
	expect_rec(r, 2, "c", "d", NULL);
	expect_end(r);
	csv_close(r);
}

static void test_quoted(void **state)
{
	(void)state;
	csv_reader *r = open_str("\"a,b\",\"say \"\"hi\"\"\",\"\"\n"
	                         "\"line1\nline2\nline3\",x\n"
	                         "after,quoted\n"
	                         "\"crlf\r\ninside\",\"\"\"\"\r\n"
	                         "  \"spaced\"  , \"q\" \n"
	                         "\"\"\n"
	                         "last,\"\"",
	                         NULL);
	expect_rec(r, 1, "a,b", "say \"hi\"", "", NULL);
	expect_rec(r, 2, "line1\nline2\nline3", "x", NULL);
	expect_rec(r, 5, "after", "quoted", NULL);
	expect_rec(r, 6, "crlf\r\ninside", "\"", NULL);
	expect_rec(r, 8, "spaced", "q", NULL);
	expect_rec(r, 9, "", NULL);
	expect_rec(r, 10, "last", "", NULL);
	expect_end(r);
	csv_close(r);

	/* a quoted field at the very end, without newline, and quoted blanks kept */
	r = open_str("x,\"  keep  \"", NULL);
	expect_rec(r, 1, "x", "  keep  ", NULL);
	expect_end(r);
	csv_close(r);
}

static void test_errors_resync(void **state)
{
	(void)state;
	/* stray quote in an unquoted field: report, skip the line, go on */
	csv_reader *r = open_str("h1,h2\nab\"c,d\nok,1\n", NULL);
	expect_rec(r, 1, "h1", "h2", NULL);
	expect_error(r, 2);
	expect_rec(r, 3, "ok", "1", NULL);
	expect_end(r);
	csv_close(r);

	/* text after a closing quote */
	r = open_str("\"a\"b,c\n\"x\"\"\"y\nfine\n", NULL);
	expect_error(r, 1);
	expect_error(r, 2);
	expect_rec(r, 3, "fine", NULL);
	expect_end(r);
	csv_close(r);

	/* an error on the last line of a multi-line record names the record's first line */
	r = open_str("\"a\nb\"x\nnext\n", NULL);
	expect_error(r, 1);
	expect_rec(r, 3, "next", NULL);
	expect_end(r);
	csv_close(r);

	/* unterminated quote at EOF: report, resume on the line after the record began */
	r = open_str("h\n1,\"open\n2,b\n3,c\n", NULL);
	expect_rec(r, 1, "h", NULL);
	expect_error(r, 2);
	expect_rec(r, 3, "2", "b", NULL);
	expect_rec(r, 4, "3", "c", NULL);
	expect_end(r);
	csv_close(r);

	r = open_str("\"", NULL);
	expect_error(r, 1);
	expect_end(r);
	csv_close(r);

	r = open_str("a\r\n\"b\r\nc", NULL);
	expect_rec(r, 1, "a", NULL);
	expect_error(r, 2);
	expect_rec(r, 3, "c", NULL);
	expect_end(r);
	csv_close(r);
}

static void test_gbk(void **state)
{
	(void)state;
	/* "姓名,电话\n张三,13800138000\n" in GBK */
	const char gbk[] = "\xd0\xd5\xc3\xfb,\xb5\xe7\xbb\xb0\n\xd5\xc5\xc8\xfd,13800138000\n";
	bool conv = false;
	csv_reader *r = open_str(gbk, &conv);
	assert_true(conv);
	expect_rec(r, 1, "姓名", "电话", NULL);
	expect_rec(r, 2, "张三", "13800138000", NULL);
	expect_end(r);
	csv_close(r);

	/* GB18030 four-byte sequences: 𠀀 (U+20000) = 95 32 82 36, ئ (U+0626) = 81 31 83 38 */
	const char gb4[] = "\xd0\xd5\xc3\xfb\n\x95\x32\x82\x36,\x81\x31\x83\x38\n";
	r = open_str(gb4, &conv);
	assert_true(conv);
	expect_rec(r, 1, "姓名", NULL);
	expect_rec(r, 2, "𠀀", "ئ", NULL);
	expect_end(r);
	csv_close(r);

	/* a GB18030 BOM (84 31 95 33) is stripped like the UTF-8 one */
	r = open_str("\x84\x31\x95\x33\xd0\xd5\xc3\xfb\n", &conv);
	assert_true(conv);
	expect_rec(r, 1, "姓名", NULL);
	expect_end(r);
	csv_close(r);

	/* UTF-8 input is not converted */
	r = open_str("姓名\n", &conv);
	assert_false(conv);
	csv_close(r);
}

static void test_bad_encoding(void **state)
{
	(void)state;
	static const struct {
		const char *data;
		size_t len;
	} bad[] = {
	    {"\xff\xfe\x00\x01\x80\x80", 6},
	    {"\xff\xfe"
	     "a\0b\0",
	     6},                                    /* UTF-16 LE with BOM */
	    {"a\0b\0,\0c\0", 8},                    /* UTF-16 without BOM: NUL bytes */
	    {"name,\x80\n", 7},                     /* 0x80 is valid in neither */
	    {"\xc3\x28\xa0\xa1\xe2\x28\xa1\xf0\x28\x8c\xbc\xff", 12}, /* garbage, no NUL */
	    {"\xd0\xd5\xc3", 3},                    /* truncated GBK */
	    {"\xd0\x0a\xc3\xfb", 4},                /* GBK lead byte then LF */
	    {"\x89\x50\x4e\x47\x0d\x0a\x1a\x0a\x00\x00\x00\x0dIHDR", 16}, /* PNG */
	    {"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\xff\xff", 16}, /* xlsx */
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		csv_reader *r = (csv_reader *)1;
		bool conv = true;
		w_clear();
		assert_int_equal(csv_open_mem(bad[i].data, bad[i].len, &r, &conv), W_EINVAL);
		assert_null(r);
		assert_false(conv);
		assert_string_equal(w_last()->code, "bad_encoding");
		assert_string_equal(w_last()->message,
		                    "文件不是 UTF-8 或 GBK 编码 / file is neither UTF-8 nor GBK");
	}
}

static void test_open_file(void **state)
{
	(void)state;
	char path[] = "/tmp/wangge_test_csv_XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	/* (no <unistd.h> here: its WG_OK macro collides with err.h's WG_OK) */
	FILE *fp = fdopen(fd, "wb");
	assert_non_null(fp);
	const char body[] = "\xEF\xBB\xBFid,name\n1,\"Zhang, San\"\n";
	assert_int_equal(fwrite(body, 1, sizeof body - 1, fp), sizeof body - 1);
	fclose(fp);

	csv_reader *r = NULL;
	bool conv = true;
	assert_int_equal(csv_open_file(path, &r, &conv), WG_OK);
	assert_false(conv);
	expect_rec(r, 1, "id", "name", NULL);
	expect_rec(r, 2, "1", "Zhang, San", NULL);
	expect_end(r);
	csv_close(r);
	remove(path);

	r = (csv_reader *)1;
	assert_int_equal(csv_open_file("/nonexistent/wangge.csv", &r, NULL), W_ENOTFOUND);
	assert_null(r);
}

/* Many fields and long fields make the internal buffers grow; pointers stay valid. */
static void test_large_record(void **state)
{
	(void)state;
	size_t nf = 5000, cap = nf * 12 + 100000;
	char *s = malloc(cap), *w = s;
	for (size_t i = 0; i < nf; i++)
		w += sprintf(w, "%s%zu", i ? "," : "", i);
	*w++ = '\n';
	*w++ = '"';
	for (int i = 0; i < 90000; i++)
		*w++ = (i % 1000 == 999) ? '\n' : 'x';
	*w++ = '"';
	*w++ = '\n';
	w += sprintf(w, "end\n");
	*w = 0;

	csv_reader *r = open_str(s, NULL);
	char **f;
	size_t n, line;
	assert_int_equal(csv_next(r, &f, &n, &line), 1);
	assert_int_equal(n, nf);
	for (size_t i = 0; i < nf; i++) {
		char want[16];
		snprintf(want, sizeof want, "%zu", i);
		assert_string_equal(f[i], want);
	}
	assert_int_equal(csv_next(r, &f, &n, &line), 1);
	assert_int_equal(line, 2);
	assert_int_equal(n, 1);
	assert_int_equal(strlen(f[0]), 90000);
	expect_rec(r, 93, "end", NULL);
	expect_end(r);
	csv_close(r);
	free(s);
}

/* The progress hook sees each record handed out (blank lines skipped) and the share read. */
struct seen {
	size_t calls, last_records;
	double last_frac;
};

static void on_rec(void *ctx, size_t records, double frac)
{
	struct seen *s = ctx;
	s->calls++;
	s->last_records = records;
	assert_true(frac >= s->last_frac && frac <= 1.0); /* only forward */
	s->last_frac = frac;
}

static void test_progress_hook(void **state)
{
	(void)state;
	csv_reader *r = open_str("a,b\n\n1,\"x\ny\"\n2,z", NULL);
	struct seen s = {0, 0, 0};
	csv_on_record(r, on_rec, &s);
	expect_rec(r, 1, "a", "b", NULL);
	assert_int_equal(s.calls, 1);
	assert_true(s.last_frac > 0 && s.last_frac < 0.5);
	expect_rec(r, 3, "1", "x\ny", NULL);
	expect_rec(r, 5, "2", "z", NULL);
	expect_end(r);
	assert_int_equal(s.calls, 3);
	assert_int_equal(s.last_records, 3);
	assert_true(s.last_frac == 1.0);
	csv_close(r);
}

/* A record read again from its mark (the import on PostgreSQL applies some rows after the
 * others): the same record and line, blank lines before it skipped again, and neither
 * counted again nor reported to the progress hook. */
static void test_seek_reads_a_record_again(void **state)
{
	(void)state;
	csv_reader *r = open_str("a,b\n\n1,\"x\ny\"\n2,z\n", NULL);
	struct seen s = {0, 0, 0};
	csv_on_record(r, on_rec, &s);
	expect_rec(r, 1, "a", "b", NULL);
	csv_mark m = csv_tell(r); /* before the blank line */
	expect_rec(r, 3, "1", "x\ny", NULL);
	csv_mark m2 = csv_tell(r);
	expect_rec(r, 5, "2", "z", NULL);
	expect_end(r);
	assert_int_equal(s.calls, 3);
	csv_seek(r, m2);
	expect_rec(r, 5, "2", "z", NULL);
	csv_seek(r, m);
	expect_rec(r, 3, "1", "x\ny", NULL);
	expect_rec(r, 5, "2", "z", NULL);
	expect_end(r);
	assert_int_equal(s.calls, 3);
	assert_int_equal(s.last_records, 3);
	csv_close(r);
}

static void test_quote_neutralise(void **state)
{
	(void)state;
	static const struct {
		const char *in, *neut, *quoted;
	} cases[] = {
	    {"=1+2", "'=1+2", "'=1+2"},
	    {"-5", "'-5", "'-5"},
	    {"+8613800138000", "'+8613800138000", "'+8613800138000"},
	    {"@SUM(A1)", "'@SUM(A1)", "'@SUM(A1)"},
	    {"\tx", "'\tx", "'\tx"},
	    {"\rx", "'\rx", "\"'\rx\""},
	    {"=HYPERLINK(\"http://x\",\"y\")", "'=HYPERLINK(\"http://x\",\"y\")",
	     "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""},
	    {"plain", "plain", "plain"},
	    {"梁秀琴", "梁秀琴", "梁秀琴"},
	    {"a,b", "a,b", "\"a,b\""},
	    {"say \"hi\"", "say \"hi\"", "\"say \"\"hi\"\"\""},
	    {"two\nlines", "two\nlines", "\"two\nlines\""},
	    {"1-2", "1-2", "1-2"},
	    {"", "", ""},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char *n = cell_neutralise(cases[i].in);
		char *q = csv_quote(cases[i].in);
		assert_string_equal(n, cases[i].neut);
		assert_string_equal(q, cases[i].quoted);
		free(n);
		free(q);
	}
	char *n = cell_neutralise(NULL), *q = csv_quote(NULL);
	assert_string_equal(n, "");
	assert_string_equal(q, "");
	free(n);
	free(q);

	/* round trip: what csv_quote writes, csv_next reads back */
	const char *row[] = {"a,b", "say \"hi\"", "two\nlines", "x"};
	char out[256] = "";
	for (size_t i = 0; i < 4; i++) {
		char *f = csv_quote(row[i]);
		strcat(out, f);
		strcat(out, i < 3 ? "," : "\n");
		free(f);
	}
	csv_reader *r = open_str(out, NULL);
	expect_rec(r, 1, "a,b", "say \"hi\"", "two\nlines", "x", NULL);
	expect_end(r);
	csv_close(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_basic),         cmocka_unit_test(test_bom_crlf_blank),
	    cmocka_unit_test(test_quoted),        cmocka_unit_test(test_errors_resync),
	    cmocka_unit_test(test_gbk),           cmocka_unit_test(test_bad_encoding),
	    cmocka_unit_test(test_open_file),     cmocka_unit_test(test_large_record),
	    cmocka_unit_test(test_quote_neutralise), cmocka_unit_test(test_progress_hook),
	    cmocka_unit_test(test_seek_reads_a_record_again),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
