/* test_files.c — files kept in the store (files.h): the type read from the bytes (JPEG,
 * PNG, PDF, each whole; anything else, or a cut-off one, refused), and on a real store —
 * SQLite's BLOB and PostgreSQL's bytea (make pgtest) — the same bytes back, NUL bytes and
 * every byte value included, with their SHA-256; the same bytes twice kept once; the limits
 * naming the field "file". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "domain/files.h"
#include "testdb.h"

/* A minimal JPEG: SOI, APP0, SOF0 (w×h), SOS, a byte of data, EOI. */
static size_t jpeg(unsigned char *p, unsigned w, unsigned h)
{
	static const unsigned char app0[] = {0xff, 0xe0, 0, 16, 'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0};
	size_t n = 0;
	p[n++] = 0xff, p[n++] = 0xd8;
	memcpy(p + n, app0, sizeof app0), n += sizeof app0;
	unsigned char sof[] = {0xff, 0xc0, 0, 11, 8, (unsigned char)(h >> 8), (unsigned char)h, (unsigned char)(w >> 8),
	                       (unsigned char)w, 1, 1, 0x11, 0};
	memcpy(p + n, sof, sizeof sof), n += sizeof sof;
	static const unsigned char sos[] = {0xff, 0xda, 0, 8, 1, 1, 0, 0, 0x3f, 0, 0x12, 0xff, 0xd9};
	memcpy(p + n, sos, sizeof sos), n += sizeof sos;
	return n;
}

static size_t png(unsigned char *p, unsigned w, unsigned h)
{
	static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	static const unsigned char iend[12] = {0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82};
	size_t n = 0;
	memcpy(p, sig, 8), n = 8;
	unsigned char ihdr[25] = {0, 0, 0, 13, 'I', 'H', 'D', 'R', (unsigned char)(w >> 24), (unsigned char)(w >> 16),
	                          (unsigned char)(w >> 8), (unsigned char)w, (unsigned char)(h >> 24), (unsigned char)(h >> 16),
	                          (unsigned char)(h >> 8), (unsigned char)h, 8, 2, 0, 0, 0, 0, 0, 0, 0};
	memcpy(p + n, ihdr, 25), n += 25;
	memcpy(p + n, iend, 12), n += 12;
	return n;
}

static void test_sniff(void **state)
{
	(void)state;
	unsigned char b[256];
	unsigned w, h;
	size_t n = jpeg(b, 640, 480);
	assert_string_equal(files_sniff(b, n, &w, &h), "image/jpeg");
	assert_int_equal(w, 640);
	assert_int_equal(h, 480);
	/* cut before the scan, or a frame of size 0: refused */
	assert_null(files_sniff(b, 22, &w, &h));
	n = jpeg(b, 0, 480);
	assert_null(files_sniff(b, n, &w, &h));
	n = png(b, 3, 2);
	assert_string_equal(files_sniff(b, n, &w, &h), "image/png");
	assert_int_equal(w * 10 + h, 32);
	assert_null(files_sniff(b, n - 1, &w, &h)); /* no whole IEND */
	b[12] = 'X';
	assert_null(files_sniff(b, n, &w, &h));
	static const char pdf[] = "%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";
	assert_string_equal(files_sniff((const unsigned char *)pdf, sizeof pdf - 1, &w, &h), "application/pdf");
	assert_int_equal(w + h, 0);
	static const char *const bad[] = {"<html><script>alert(1)</script></html>", "%PDF-1.7 no end of file here at all",
	                                  "GIF89a\x01\x00\x01\x00", "%PDF-x.7\n%%EOF", ""};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_null(files_sniff((const unsigned char *)bad[i], strlen(bad[i]), &w, &h));
	assert_null(files_sniff(NULL, 10, &w, &h));
}

static void test_store_round_trip(void **state)
{
	(void)state;
	actor *ac = testdb_operator("files");
	assert_non_null(ac);
	/* a PDF with every byte value in it, NUL included */
	size_t n = 64 + 256 * 40 + 8;
	unsigned char *pdf = malloc(n);
	memcpy(pdf, "%PDF-1.4\n", 9);
	size_t k = 9;
	while (k < n - 7)
		pdf[k] = (unsigned char)(k * 7), k++;
	memcpy(pdf + n - 7, "\n%%EOF\n", 7);
	json_t *f = NULL;
	bool fresh = false;
	assert_int_equal(files_add(ac, "test", 1, "信.PDF", pdf, n, &f, &fresh), WG_OK);
	assert_true(fresh);
	assert_string_equal(json_string_value(json_object_get(f, "name")), "信.pdf");
	assert_string_equal(json_string_value(json_object_get(f, "type")), "application/pdf");
	assert_int_equal(json_integer_value(json_object_get(f, "size")), (json_int_t)n);
	int64_t id = json_integer_value(json_object_get(f, "id"));
	json_decref(f);
	/* the same bytes again: the same file */
	assert_int_equal(files_add(ac, "test", 1, "again.pdf", pdf, n, &f, &fresh), WG_OK);
	assert_false(fresh);
	assert_int_equal(json_integer_value(json_object_get(f, "id")), id);
	json_decref(f);
	file_bytes b;
	assert_int_equal(files_get(ac, "test", 1, id, &b), WG_OK);
	assert_int_equal(b.len, n);
	assert_memory_equal(b.data, pdf, n);
	assert_string_equal(b.type, "application/pdf");
	assert_int_equal(strlen(b.sha256), 64);
	free(b.data);
	/* another record's file is not this one's */
	assert_int_equal(files_get(ac, "test", 2, id, &b), W_ENOTFOUND);
	assert_string_equal(w_last()->field, "file");
	assert_int_equal(files_get(ac, "other", 1, id, &b), W_ENOTFOUND);
	/* the limits name the field */
	pdf[0] = 'x';
	assert_int_equal(files_add(ac, "test", 1, NULL, pdf, n, &f, &fresh), W_EMEDIA);
	assert_string_equal(w_last()->field, "file");
	assert_int_equal(files_add(ac, "test", 1, NULL, pdf, FILES_MAX + 1, &f, &fresh), W_ETOOBIG);
	assert_string_equal(w_last()->field, "file");
	assert_int_equal(files_add(ac, "test", 1, NULL, NULL, 0, &f, &fresh), W_EINVAL);
	unsigned char img[64];
	size_t m = png(img, 10000, 10000); /* 100 megapixels */
	assert_int_equal(files_add(ac, "test", 1, NULL, img, m, &f, &fresh), W_EINVAL);
	assert_string_equal(w_last()->code, "image_too_large");
	for (unsigned i = 1; i < FILES_PER_OWNER; i++) {
		m = png(img, i, 1);
		assert_int_equal(files_add(ac, "test", 1, NULL, img, m, &f, &fresh), WG_OK);
		json_decref(f);
	}
	m = png(img, 99, 1);
	assert_int_equal(files_add(ac, "test", 1, NULL, img, m, &f, &fresh), W_ECONFLICT);
	assert_string_equal(w_last()->code, "too_many_files");
	json_t *list = NULL;
	assert_int_equal(files_list(ac, "test", 1, &list), WG_OK);
	assert_int_equal(json_array_size(list), FILES_PER_OWNER);
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 1), "name")), "图片.png");
	json_decref(list);
	free(pdf);
	testdb_operator_free(ac);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sniff),
	    cmocka_unit_test(test_store_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
