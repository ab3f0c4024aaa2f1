/* test_utf8.c — strict UTF-8 validation, code point counting, control characters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/utf8.h"

#define V(s) utf8_valid(s, sizeof(s) - 1)

static void test_valid(void **state)
{
	(void)state;
	assert_true(utf8_valid("", 0));
	assert_true(utf8_valid(NULL, 0));
	assert_false(utf8_valid(NULL, 1));
	assert_true(V("plain ascii, long enough to take the eight-byte path"));
	assert_true(V("梁秀琴 ئەخمەت ᠪᠠᠲᠤ Müller"));
	assert_true(V("\x7f"));
	assert_true(V("\xc2\x80"));             /* U+0080 */
	assert_true(V("\xdf\xbf"));             /* U+07FF */
	assert_true(V("\xe0\xa0\x80"));         /* U+0800 */
	assert_true(V("\xed\x9f\xbf"));         /* U+D7FF */
	assert_true(V("\xee\x80\x80"));         /* U+E000 */
	assert_true(V("\xef\xbf\xbf"));         /* U+FFFF */
	assert_true(V("\xf0\x90\x80\x80"));     /* U+10000 */
	assert_true(V("\xf4\x8f\xbf\xbf"));     /* U+10FFFF */
	assert_true(V("\xf0\xa0\x80\x80"));     /* 𠀀 */
	/* embedded NUL is well-formed UTF-8 (the length is explicit) */
	assert_true(utf8_valid("a\0b", 3));
}

static void test_invalid(void **state)
{
	(void)state;
	static const char *bad[] = {
	    "\x80",                 /* lone continuation */
	    "\xbf",
	    "\xc0\x80",             /* overlong NUL */
	    "\xc1\xbf",             /* overlong */
	    "\xe0\x80\x80",         /* overlong 3-byte */
	    "\xe0\x9f\xbf",
	    "\xf0\x80\x80\x80",     /* overlong 4-byte */
	    "\xf0\x8f\xbf\xbf",
	    "\xed\xa0\x80",         /* U+D800 surrogate */
	    "\xed\xbf\xbf",         /* U+DFFF */
	    "\xf4\x90\x80\x80",     /* U+110000 */
	    "\xf5\x80\x80\x80",
	    "\xf8\x88\x80\x80\x80", /* 5-byte form */
	    "\xfe",
	    "\xff",
	    "\xc2",                 /* truncated */
	    "\xe4\xb8",
	    "\xf0\x9f\x98",
	    "\xc2\x41",             /* bad continuation */
	    "\xe4\x41\xad",
	    "\xe4\xb8\x41",
	    "\xf0\x9f\x41\x80",
	    "\xd0\xd5\xc3\xfb",     /* GBK 姓名 */
	    "abcdefgh\x80",          /* after the fast path */
	    "abcdefghijklmnop\xc3", /* truncated at the end */
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
		if (utf8_valid(bad[i], strlen(bad[i])))
			fail_msg("bad[%zu] accepted", i);
	/* the length bounds the check: a sequence cut by n is refused */
	assert_false(utf8_valid("\xe6\xa2\x81", 2));
	assert_true(utf8_valid("\xe6\xa2\x81", 3));
}

/* Every 1- and 2-byte input agrees with a straightforward decoder. */
static void test_exhaustive_short(void **state)
{
	(void)state;
	for (int a = 0; a < 256; a++) {
		char s[2] = {(char)a, 0};
		assert_int_equal(utf8_valid(s, 1), a < 0x80);
		for (int b = 0; b < 256; b++) {
			s[1] = (char)b;
			bool want = (a < 0x80 && b < 0x80) ||
			            (a >= 0xC2 && a <= 0xDF && b >= 0x80 && b <= 0xBF);
			assert_int_equal(utf8_valid(s, 2), want);
		}
	}
}

static void test_len(void **state)
{
	(void)state;
	assert_int_equal(utf8_len(""), 0);
	assert_int_equal(utf8_len(NULL), 0);
	assert_int_equal(utf8_len("abc"), 3);
	assert_int_equal(utf8_len("梁秀琴"), 3);
	assert_int_equal(utf8_len("a梁𠀀é"), 4);
	assert_int_equal(utf8_len("ئەخمەت"), 6);
}

static void test_controls(void **state)
{
	(void)state;
	assert_true(utf8_no_controls(""));
	assert_true(utf8_no_controls(NULL));
	assert_true(utf8_no_controls("梁秀琴 3-201"));
	assert_true(utf8_no_controls("~ !\"#"));
	assert_false(utf8_no_controls("a\tb"));
	assert_false(utf8_no_controls("a\nb"));
	assert_false(utf8_no_controls("a\rb"));
	assert_false(utf8_no_controls("\x1b[31m"));
	assert_false(utf8_no_controls("\x01"));
	assert_false(utf8_no_controls("\x1f"));
	assert_false(utf8_no_controls("del\x7f"));
	assert_true(utf8_no_controls("\xc2\x85")); /* C1 NEL is outside the documented set */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_valid), cmocka_unit_test(test_invalid),
	    cmocka_unit_test(test_exhaustive_short), cmocka_unit_test(test_len),
	    cmocka_unit_test(test_controls),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
