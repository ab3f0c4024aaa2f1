/* test_pinyin.c — pinyin search keys through ICU Han-Latin: full form, initials, other
 * scripts, truncation and use from several threads. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/pinyin.h"
#include "core/utf8.h"

static void expect(const char *name, const char *full, const char *init)
{
	char f[128], i[64];
	memset(f, 'z', sizeof f);
	memset(i, 'z', sizeof i);
	assert_int_equal(pinyin_of(name, f, sizeof f, i, sizeof i), 0);
	if (strcmp(f, full) || strcmp(i, init))
		fail_msg("%s: got %s/%s, want %s/%s", name, f, i, full, init);
}

static void test_han(void **state)
{
	(void)state;
	expect("梁秀琴", "liangxiuqin", "lxq");
	expect("崔庆华", "cuiqinghua", "cqh");
	expect("王明仁", "wangmingren", "wmr");
	expect("谢玉娇", "xieyujiao", "xyj");
	expect("欧阳娜娜", "ouyangnana", "oynn");
	expect("吕布", "lubu", "lb");     /* ü → u */
	expect("女", "nu", "n");
	expect("西安", "xian", "xa");     /* syllables stay apart for the initials */
	expect("梁 秀琴", "liangxiuqin", "lxq");
	expect("王　伟", "wangwei", "ww"); /* ideographic space */
	expect("买买提·艾力", "maimaitiaili", "mmtal");
	expect("阿依古丽-买买提", "ayigulimaimaiti", "ayglmmt");
	expect("", "", "");
}

/* 单 / 曾 / 解 have several readings; whichever ICU picks, the result is one lower-case
 * ASCII syllable. */
static void test_multi_reading(void **state)
{
	(void)state;
	const char *names[] = {"单雄信", "曾国藩", "解缙", "朴树", "区志强", "仇英"};
	for (size_t n = 0; n < sizeof names / sizeof *names; n++) {
		char f[64], i[16];
		assert_int_equal(pinyin_of(names[n], f, sizeof f, i, sizeof i), 0);
		assert_true(strlen(f) >= 4);
		assert_int_equal(utf8_len(names[n]), strlen(i));
		for (const char *p = f; *p; p++)
			assert_true(*p >= 'a' && *p <= 'z');
		assert_int_equal(f[0], i[0]);
	}
}

static void test_latin(void **state)
{
	(void)state;
	expect("Zhang Wei", "zhangwei", "zw");
	expect("Müller", "muller", "m");
	expect("José María", "josemaria", "jm");
	expect("O'Neil", "oneil", "on");
	expect("ZHANG3", "zhang3", "z");
	expect("梁Anna", "lianganna", "la");
	expect("ＡＢＣ", "abc", "a");
}

/* Scripts ICU does not romanise are kept (lower-cased) in full and skipped in initials. */
static void test_other_scripts(void **state)
{
	(void)state;
	expect("ئەخمەت", "ئەخمەت", "");
	expect("ᠪᠠᠲᠤ", "ᠪᠠᠲᠤ", "");
	expect("Иван", "иван", "");
	expect("ئەخمەت Zhang", "ئەخمەتzhang", "z");
	expect("热合曼·ئەخمەت", "rehemanئەخمەت", "rhm");

	/* Mongolian with a free variation selector and the vowel separator */
	char f[64], i[8];
	assert_int_equal(pinyin_of("ᠮᠣᠩᠭᠣᠯ\u180eᠠ", f, sizeof f, i, sizeof i), 0);
	assert_true(utf8_valid(f, strlen(f)));
	assert_string_equal(i, "");
}

static void test_truncation(void **state)
{
	(void)state;
	char f[8], i[3];
	memset(f, 'z', sizeof f);
	memset(i, 'z', sizeof i);
	assert_int_equal(pinyin_of("梁秀琴崔庆华", f, sizeof f, i, sizeof i), 0);
	assert_string_equal(f, "liangxi");
	assert_string_equal(i, "lx");

	/* a multi-byte character that does not fit is left out entirely */
	char u[12];
	assert_int_equal(pinyin_of("ئەخمەت", u, sizeof u, i, sizeof i), 0);
	assert_string_equal(u, "ئەخمە"); /* 10 bytes + NUL; the 6th letter would need 2 more */
	assert_true(utf8_valid(u, strlen(u)));

	/* Mongolian letters are 3 bytes each: a cap of 8 holds two of them */
	char mg[8];
	assert_int_equal(pinyin_of("ᠪᠠᠲᠤ", mg, sizeof mg, i, sizeof i), 0);
	assert_string_equal(mg, "ᠪᠠ");
	assert_string_equal(i, "");

	char one[1] = {'z'};
	assert_int_equal(pinyin_of("梁秀琴", one, 1, one, 1), 0);
	assert_int_equal(one[0], 0);
	assert_int_equal(pinyin_of("梁秀琴", NULL, 0, NULL, 0), 0);
	assert_int_equal(pinyin_of(NULL, f, sizeof f, i, sizeof i), 0);
	assert_string_equal(f, "");
	assert_string_equal(i, "");
}

/* Long input is processed in chunks; outputs still fill up to their capacity. */
static void test_long_and_invalid(void **state)
{
	(void)state;
	static char name[3 * 2000 + 2000 + 1];
	char *w = name;
	for (int k = 0; k < 2000; k++) {
		memcpy(w, "梁", 3);
		w += 3;
		if (k % 7 == 6)
			*w++ = ' ';
	}
	*w = 0;
	static char f[20000];
	char i[4000];
	assert_int_equal(pinyin_of(name, f, sizeof f, i, sizeof i), 0);
	assert_int_equal(strlen(f), 2000 * 5);
	assert_int_equal(strlen(i), 2000);
	for (size_t k = 0; k < 2000; k++)
		assert_int_equal(i[k], 'l');

	char small[16], si[4];
	assert_int_equal(pinyin_of(name, small, sizeof small, si, sizeof si), 0);
	assert_string_equal(small, "liangliangliang");
	assert_string_equal(si, "lll");

	/* invalid UTF-8 separates words instead of failing */
	assert_int_equal(pinyin_of("梁\xff秀\xc0琴\xe6", f, sizeof f, i, sizeof i), 0);
	assert_string_equal(f, "liangxiuqin");
	assert_string_equal(i, "lxq");
}

static void *thread_main(void *arg)
{
	(void)arg;
	for (int k = 0; k < 50; k++) {
		char f[64], i[16];
		if (pinyin_of("谢玉娇", f, sizeof f, i, sizeof i) != 0 || strcmp(f, "xieyujiao") ||
		    strcmp(i, "xyj"))
			return (void *)1;
	}
	return NULL;
}

static void test_threads(void **state)
{
	(void)state;
	pthread_t t[4];
	for (int k = 0; k < 4; k++)
		assert_int_equal(pthread_create(&t[k], NULL, thread_main, NULL), 0);
	for (int k = 0; k < 4; k++) {
		void *ret;
		assert_int_equal(pthread_join(t[k], &ret), 0);
		assert_null(ret);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_han),          cmocka_unit_test(test_multi_reading),
	    cmocka_unit_test(test_latin),        cmocka_unit_test(test_other_scripts),
	    cmocka_unit_test(test_truncation),   cmocka_unit_test(test_long_and_invalid),
	    cmocka_unit_test(test_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
