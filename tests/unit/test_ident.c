/* test_ident.c — ID numbers (GB 11643-1999), document numbers, phones and masking. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "core/ident.h"

static const int provinces[] = {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37,
                                41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 61, 62, 63, 64,
                                65, 71, 81, 82};

/* xorshift64*: deterministic, so a failure can be reproduced. */
static uint64_t rng_state = 0x9E3779B97F4A7C15u;

static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545F4914F6CDD1Du) >> 33) % n;
}

static int days_in(int y, int m)
{
	static const int md[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return md[m - 1] + (m == 2 && leap);
}

static void today(int *y, int *m, int *d)
{
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	*y = tm.tm_year + 1900;
	*m = tm.tm_mon + 1;
	*d = tm.tm_mday;
}

/* A random valid ID: real province, real date in [1900-01-01, today], right check. */
static void random_id(char id[19], char birth[11])
{
	int ty, tm, td, y, m, d;
	today(&ty, &tm, &td);
	do {
		y = 1900 + (int)rnd((uint32_t)(ty - 1900 + 1));
		m = 1 + (int)rnd(12);
		d = 1 + (int)rnd((uint32_t)days_in(y, m));
	} while (y * 10000 + m * 100 + d > ty * 10000 + tm * 100 + td);
	char tmp[64];
	snprintf(tmp, sizeof tmp, "%02d%04u%04d%02d%02d%03u",
	         provinces[rnd(sizeof provinces / sizeof *provinces)], rnd(10000), y, m, d, rnd(1000));
	memcpy(id, tmp, 17);
	id[17] = id_check_char(id);
	id[18] = '\0';
	snprintf(tmp, sizeof tmp, "%04d-%02d-%02d", y, m, d);
	memcpy(birth, tmp, 11);
}

static void test_id_property(void **state)
{
	(void)state;
	char id[19], birth[11], got[11];
	for (int n = 0; n < 3000; n++) {
		random_id(id, birth);
		assert_int_equal(id_validate(id, got), ID_OK);
		assert_string_equal(got, birth);
		assert_int_equal(id_validate(id, NULL), ID_OK);
		for (int pos = 0; pos < 17; pos++) {
			char orig = id[pos];
			for (char c = '0'; c <= '9'; c++) {
				if (c == orig)
					continue;
				id[pos] = c;
				if (id_validate(id, NULL) == ID_OK)
					fail_msg("%s (digit %d changed) should be invalid", id, pos);
			}
			id[pos] = orig;
		}
		char check = id[17];
		for (const char *c = "0123456789X"; *c; c++) {
			if (*c == check)
				continue;
			id[17] = *c;
			assert_int_equal(id_validate(id, NULL), ID_BAD_CHECK);
		}
		id[17] = check;
		if (check == 'X') {
			id[17] = 'x';
			assert_int_equal(id_validate(id, NULL), ID_OK);
			id[17] = 'X';
		}
	}
}

static void test_id_known(void **state)
{
	(void)state;
	char birth[11];
	assert_int_equal(id_validate("11010519491231002X", birth), ID_OK);
	assert_string_equal(birth, "1949-12-31");
	assert_int_equal(id_validate("11010519491231002x", NULL), ID_OK);
	assert_int_equal(id_check_char("11010519491231002"), 'X');
	assert_int_equal(id_sex("11010519491231002X"), 'F');
	assert_int_equal(id_validate("440524188001010014", birth), ID_BAD_BIRTH); /* 1880 */
	assert_int_equal(id_validate("110101190001010012", NULL), ID_BAD_CHECK);
	char id[19] = "11010119000101001";
	id[17] = id_check_char(id);
	id[18] = 0;
	assert_int_equal(id_validate(id, birth), ID_OK);
	assert_string_equal(birth, "1900-01-01");
	assert_int_equal(id_sex(id), 'M');
	assert_int_equal(id_check_char("1101011900010100"), '\0');
	assert_int_equal(id_check_char("1101011900010100A"), '\0');
	assert_int_equal(id_check_char(NULL), '\0');
	assert_int_equal(id_sex("123"), '\0');
	assert_int_equal(id_sex(NULL), '\0');
}

/* Build an ID with the given parts and a correct check digit. */
static void make_id(char id[19], const char *region6, const char *date8)
{
	memcpy(id, region6, 6);
	memcpy(id + 6, date8, 8);
	memcpy(id + 14, "123", 3);
	id[17] = id_check_char(id);
	id[18] = 0;
}

static void test_id_reasons(void **state)
{
	(void)state;
	char id[19];
	assert_int_equal(id_validate(NULL, NULL), ID_BAD_LENGTH);
	assert_int_equal(id_validate("", NULL), ID_BAD_LENGTH);
	assert_int_equal(id_validate("11010519491231002", NULL), ID_BAD_LENGTH);
	assert_int_equal(id_validate("11010519491231002X1", NULL), ID_BAD_LENGTH);
	assert_int_equal(id_validate("1101051949123100AX", NULL), ID_BAD_CHAR);
	assert_int_equal(id_validate("11010519491231002Y", NULL), ID_BAD_CHAR);
	assert_int_equal(id_validate(" 1010519491231002X", NULL), ID_BAD_CHAR);
	assert_int_equal(id_validate("X10105194912310021", NULL), ID_BAD_CHAR);

	static const char *bad_regions[] = {"00", "10", "16", "20", "24", "30", "38", "40",
	                                    "47", "49", "55", "60", "66", "70", "72", "80",
	                                    "83", "90", "99"};
	for (size_t i = 0; i < sizeof bad_regions / sizeof *bad_regions; i++) {
		char r6[7];
		snprintf(r6, sizeof r6, "%s0101", bad_regions[i]);
		make_id(id, r6, "19800101");
		assert_int_equal(id_validate(id, NULL), ID_BAD_REGION);
	}
	for (size_t i = 0; i < sizeof provinces / sizeof *provinces; i++) {
		char r6[7];
		snprintf(r6, sizeof r6, "%02d0101", provinces[i]);
		make_id(id, r6, "19800101");
		assert_int_equal(id_validate(id, NULL), ID_OK);
	}

	static const struct {
		const char *date;
		id_result want;
	} dates[] = {
	    {"19000101", ID_OK},       {"18991231", ID_BAD_BIRTH}, {"19000229", ID_BAD_BIRTH},
	    {"20000229", ID_OK},       {"19960229", ID_OK},        {"19970229", ID_BAD_BIRTH},
	    {"19800230", ID_BAD_BIRTH}, {"19800431", ID_BAD_BIRTH}, {"19800431", ID_BAD_BIRTH},
	    {"19801301", ID_BAD_BIRTH}, {"19800001", ID_BAD_BIRTH}, {"19800100", ID_BAD_BIRTH},
	    {"19801232", ID_BAD_BIRTH}, {"19801231", ID_OK},        {"99991231", ID_BAD_BIRTH},
	    {"00000000", ID_BAD_BIRTH},
	};
	for (size_t i = 0; i < sizeof dates / sizeof *dates; i++) {
		make_id(id, "110101", dates[i].date);
		if (id_validate(id, NULL) != dates[i].want)
			fail_msg("%s: got %d want %d", id, id_validate(id, NULL), dates[i].want);
	}

	/* today is valid, tomorrow is not */
	int y, m, d;
	char date[48];
	today(&y, &m, &d);
	snprintf(date, sizeof date, "%04d%02d%02d", y, m, d);
	make_id(id, "110101", date);
	assert_int_equal(id_validate(id, NULL), ID_OK);
	if (++d > days_in(y, m)) {
		d = 1;
		if (++m > 12)
			m = 1, y++;
	}
	snprintf(date, sizeof date, "%04d%02d%02d", y, m, d);
	make_id(id, "110101", date);
	assert_int_equal(id_validate(id, NULL), ID_BAD_BIRTH);
}

static void test_id_messages(void **state)
{
	(void)state;
	assert_string_equal(id_result_message(ID_BAD_CHECK), "校验位错误 / check digit is wrong");
	for (int r = ID_OK; r <= ID_BAD_CHECK; r++) {
		const char *m = id_result_message((id_result)r);
		assert_non_null(m);
		assert_non_null(strstr(m, " / "));
	}
	assert_non_null(id_result_message((id_result)99));
}

static void test_doc_number(void **state)
{
	(void)state;
	char a[] = "e12345678", b[] = "AB12", c[] = "A1234567890123456789", d[] = "A12345678901234567890";
	char e[] = "G1234-567", f[] = "护照12345", g[] = "12345";
	assert_true(doc_number_valid(a));
	assert_string_equal(a, "E12345678");
	assert_false(doc_number_valid(b));
	assert_true(doc_number_valid(c));
	assert_false(doc_number_valid(d));
	assert_false(doc_number_valid(e));
	assert_string_equal(e, "G1234-567");
	assert_false(doc_number_valid(f));
	assert_true(doc_number_valid(g));
	assert_false(doc_number_valid(NULL));
}

static void test_phone_valid(void **state)
{
	(void)state;
	static const struct {
		const char *in, *want;
	} ok[] = {
	    {"13800138000", "13800138000"},
	    {"+86 138 0013 8000", "13800138000"},
	    {"+8613800138000", "13800138000"},
	    {"86-13800138000", "13800138000"},
	    {"8613800138000", "13800138000"},
	    {"0086 138 0013 8000", "13800138000"},
	    {"138-0013-8000", "13800138000"},
	    {"138 0013 8000", "13800138000"},
	    {" 19912345678 ", "19912345678"},
	    {"010-12345678", "010-12345678"},
	    {"010 12345678", "010-12345678"},
	    {"01012345678", "010-12345678"},
	    {"0101234567", "010-1234567"},
	    {"021-1234567", "021-1234567"},
	    {"02087654321", "020-87654321"},
	    {"0991-2345678", "0991-2345678"},
	    {"09912345678", "0991-2345678"},
	    {"0755-88888888", "0755-88888888"},
	    {"075588888888", "0755-88888888"},
	    {"0755-8888-8888", "0755-88888888"},
	    {"2345678", "2345678"},
	    {"87654321", "87654321"},
	    {"8765-4321", "87654321"},
	};
	char out[32];
	for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
		memset(out, 'z', sizeof out);
		if (!phone_normalize(ok[i].in, out, sizeof out))
			fail_msg("refused valid phone \"%s\"", ok[i].in);
		assert_string_equal(out, ok[i].want);
	}
}

static void test_phone_invalid(void **state)
{
	(void)state;
	static const char *bad[] = {
	    "",
	    "   ",
	    "abc",
	    "1380013800a",
	    "138001380001",  /* 12-digit mobile */
	    "1380013800",    /* 10 digits */
	    "12800138000",   /* 12x is not a mobile prefix */
	    "10800138000",
	    "+86 010 12345678",
	    "+1 415 555 0100",
	    "+",
	    "++8613800138000",
	    "87-13800138000",
	    "86-138001380000",
	    "123456",        /* too short */
	    "1234567",       /* local numbers do not start with 1 */
	    "0123456",       /* nor with 0 */
	    "012-12345678",  /* 01X other than 010 */
	    "0010-12345678",
	    "010-123456",    /* subscriber number too short */
	    "010-123456789", /* too long */
	    "0991-234567",
	    "0991234567",    /* 4-digit area + 6 */
	    "01-012345678",  /* grouping contradicts the area code */
	    "09-9123456789",
	    "138.0013.8000",
	    "(010)12345678",
	    "-13800138000",
	    "13800138000-",
	    "13800138000- ",
	    "１３８００１３８０００",
	    "138001380001234567890123",
	};
	char out[32];
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		if (phone_normalize(bad[i], out, sizeof out))
			fail_msg("accepted invalid phone \"%s\" as \"%s\"", bad[i], out);
	}
	assert_false(phone_normalize(NULL, out, sizeof out));
	assert_false(phone_normalize("13800138000", NULL, 32));
	/* too small an output buffer is refused, not overflowed */
	char small[8];
	assert_false(phone_normalize("13800138000", small, sizeof small));
	assert_false(phone_normalize("010-12345678", small, sizeof small));
}

static void test_mask(void **state)
{
	(void)state;
	static const struct {
		const char *in, *want;
	} ids[] = {
	    {"110101199003071234", "110101********1234"},
	    {"11010519491231002X", "110105********002X"},
	    {"E12345678", "*****5678"},
	    {"G1234", "*1234"},
	    {"1234", "****"},
	    {"12", "**"},
	    {"", ""},
	};
	static const struct {
		const char *in, *want;
	} phones[] = {
	    {"13812345678", "*******5678"},
	    {"010-12345678", "***-****5678"},
	    {"0991-2345678", "****-***5678"},
	    {"87654321", "****4321"},
	    {"+86 138 1234 5678", "+86 *** **** 5678"},
	    {"138-1234-5678", "***-****-5678"},
	    {"1234", "****"},
	    {"", ""},
	};
	char out[64];
	for (size_t i = 0; i < sizeof ids / sizeof *ids; i++) {
		mask_id(ids[i].in, out);
		assert_string_equal(out, ids[i].want);
	}
	for (size_t i = 0; i < sizeof phones / sizeof *phones; i++) {
		mask_phone(phones[i].in, out);
		assert_string_equal(out, phones[i].want);
	}
	/* multi-byte input never makes the output longer than the input */
	const char *odd[] = {"护照号码一二三四五六", "\x80\x80\x80\x80\x80\x80", "号", "电话：138"};
	for (size_t i = 0; i < sizeof odd / sizeof *odd; i++) {
		char exact[64];
		mask_id(odd[i], exact);
		assert_true(strlen(exact) <= strlen(odd[i]));
		mask_phone(odd[i], exact);
		assert_true(strlen(exact) <= strlen(odd[i]));
	}
	mask_id("护照号码一二三四五六", out);
	assert_string_equal(out, "******三四五六");
	mask_id(NULL, out);
	assert_string_equal(out, "");
	mask_phone(NULL, out);
	assert_string_equal(out, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_id_property),  cmocka_unit_test(test_id_known),
	    cmocka_unit_test(test_id_reasons),   cmocka_unit_test(test_id_messages),
	    cmocka_unit_test(test_doc_number),   cmocka_unit_test(test_phone_valid),
	    cmocka_unit_test(test_phone_invalid), cmocka_unit_test(test_mask),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
