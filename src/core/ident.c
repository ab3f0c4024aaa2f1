/* ident.c — resident ID numbers (GB 11643-1999), other document numbers, phone numbers,
 * and their masking for display.  See ident.h. */
#include "core/ident.h"

#include <stdbool.h>
#include <string.h>
#include <time.h>

static const int id_weights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
static const char id_check_chars[11] = "10X98765432";

/* Province-level region codes (first two digits of an ID number). */
static const int id_provinces[] = {
	11, 12, 13, 14, 15,             /* 京 津 冀 晋 蒙 */
	21, 22, 23,                     /* 辽 吉 黑 */
	31, 32, 33, 34, 35, 36, 37,     /* 沪 苏 浙 皖 闽 赣 鲁 */
	41, 42, 43, 44, 45, 46,         /* 豫 鄂 湘 粤 桂 琼 */
	50, 51, 52, 53, 54,             /* 渝 川 贵 云 藏 */
	61, 62, 63, 64, 65,             /* 陕 甘 青 宁 新 */
	71, 81, 82,                     /* 台 港 澳 */
};

static bool id_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool id_region_ok(const char *s)
{
	int code = (s[0] - '0') * 10 + (s[1] - '0');

	for (size_t i = 0; i < sizeof id_provinces / sizeof id_provinces[0]; i++)
		if (id_provinces[i] == code)
			return true;
	return false;
}

static bool id_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/*
 * True when the eight digits at s are a real calendar date YYYYMMDD between
 * 1900-01-01 and today (UTC).
 */
static bool id_birth_ok(const char *s)
{
	static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y = 0, m, d;

	for (int i = 0; i < 4; i++)
		y = y * 10 + (s[i] - '0');
	m = (s[4] - '0') * 10 + (s[5] - '0');
	d = (s[6] - '0') * 10 + (s[7] - '0');
	if (y < 1900 || m < 1 || m > 12 || d < 1)
		return false;
	if (d > mdays[m - 1] + (m == 2 && id_leap(y)))
		return false;

	time_t now = time(NULL);
	struct tm tm;
	if (!gmtime_r(&now, &tm))
		return false;
	long today = (tm.tm_year + 1900L) * 10000 + (tm.tm_mon + 1) * 100 + tm.tm_mday;
	return y * 10000L + m * 100 + d <= today;
}

/*
 * MOD 11-2: the weighted sum of the first 17 digits selects the check character.
 * Returns '\0' when first17 is NULL or any of its 17 characters is not a digit.
 */
char id_check_char(const char *first17)
{
	int sum = 0;

	if (!first17)
		return '\0';
	for (int i = 0; i < 17; i++) {
		if (!id_is_digit(first17[i]))
			return '\0';
		sum += (first17[i] - '0') * id_weights[i];
	}
	return id_check_chars[sum % 11];
}

/*
 * Checks length, characters, region, birth date and check digit, in that order, so
 * the reason reported is the first thing wrong with the number.
 */
id_result id_validate(const char *s, char birth[11])
{
	if (!s || strlen(s) != 18)
		return ID_BAD_LENGTH;
	for (int i = 0; i < 17; i++)
		if (!id_is_digit(s[i]))
			return ID_BAD_CHAR;
	char last = s[17] == 'x' ? 'X' : s[17];
	if (!id_is_digit(last) && last != 'X')
		return ID_BAD_CHAR;
	if (!id_region_ok(s))
		return ID_BAD_REGION;
	if (!id_birth_ok(s + 6))
		return ID_BAD_BIRTH;
	if (id_check_char(s) != last)
		return ID_BAD_CHECK;
	if (birth) {
		memcpy(birth, s + 6, 4);
		birth[4] = '-';
		memcpy(birth + 5, s + 10, 2);
		birth[7] = '-';
		memcpy(birth + 8, s + 12, 2);
		birth[10] = '\0';
	}
	return ID_OK;
}

const char *id_result_message(id_result r)
{
	switch (r) {
	case ID_OK:
		return "身份证号有效 / ID number is valid";
	case ID_BAD_LENGTH:
		return "身份证号应为 18 位 / ID number must be 18 characters";
	case ID_BAD_CHAR:
		return "身份证号只能是 17 位数字加数字或 X / ID number must be 17 digits and a digit or X";
	case ID_BAD_REGION:
		return "地区码不是有效的省级代码 / region code is not a valid province code";
	case ID_BAD_BIRTH:
		return "出生日期无效 / birth date is not a real date between 1900-01-01 and today";
	case ID_BAD_CHECK:
		return "校验位错误 / check digit is wrong";
	}
	return "身份证号无效 / ID number is invalid";
}

/* 'M' for an odd 17th digit, 'F' for an even one; '\0' when there is no 17th digit. */
char id_sex(const char *s)
{
	if (!s)
		return '\0';
	for (int i = 0; i < 17; i++)
		if (!s[i])
			return '\0';
	if (!id_is_digit(s[16]))
		return '\0';
	return ((s[16] - '0') % 2) ? 'M' : 'F';
}

/*
 * Passports and other documents: 5..20 characters of A-Z / 0-9.  Lower-case letters
 * are accepted and upper-cased in place; s is left untouched when it is refused.
 */
bool doc_number_valid(char *s)
{
	size_t n;

	if (!s)
		return false;
	for (n = 0; s[n]; n++) {
		char c = s[n];
		if (!id_is_digit(c) && !(c >= 'A' && c <= 'Z') && !(c >= 'a' && c <= 'z'))
			return false;
		if (n >= 20)
			return false;
	}
	if (n < 5)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] >= 'a' && s[i] <= 'z')
			s[i] = (char)(s[i] - 'a' + 'A');
	return true;
}

/* ---- phone numbers ---- */

enum { PHONE_MAX_DIGITS = 20 };

static bool phone_is_mobile(const char *d, size_t n)
{
	return n == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9';
}

static bool phone_put(char *out, size_t cap, const char *s, size_t n)
{
	if (n + 1 > cap)
		return false;
	memcpy(out, s, n);
	out[n] = '\0';
	return true;
}

/*
 * Landline with area code, digits d[0..n) starting with '0'.  The area code is 3
 * digits for 010 and 02X and 4 digits otherwise (0[3-9]XX); the subscriber number
 * must then be 7 or 8 digits.  When the caller grouped the digits (first_group > 0
 * and <= 4) that group must be exactly the area code.  Writes "0AAA-NNNNNNNN".
 */
static bool phone_landline(const char *d, size_t n, size_t first_group, char *out, size_t cap)
{
	size_t area;

	if (n < 10 || n > 12 || d[0] != '0')
		return false;
	if (d[1] == '1') {
		if (d[2] != '0')
			return false;
		area = 3;
	} else if (d[1] == '2') {
		area = 3;
	} else if (d[1] >= '3' && d[1] <= '9') {
		area = 4;
	} else {
		return false;
	}
	if (n - area < 7 || n - area > 8)
		return false;
	if (first_group && first_group <= 4 && first_group != area)
		return false;
	if (n + 2 > cap)
		return false;
	memcpy(out, d, area);
	out[area] = '-';
	memcpy(out + area + 1, d + area, n - area);
	out[n + 1] = '\0';
	return true;
}

/*
 * Accepts digits separated by single or repeated spaces/dashes, an optional leading
 * '+' (which must introduce +86 and a mobile number), and recognises in turn:
 * a mobile with +86 / 86 / 0086 prefix, a bare mobile, a landline with area code,
 * and a bare 7-8 digit local number (not starting with 0 or 1).
 */
bool phone_normalize(const char *in, char *out, size_t cap)
{
	char d[PHONE_MAX_DIGITS + 1];
	size_t n = 0, first_group = 0;
	bool plus = false, grouped = false;
	const char *p = in;

	if (!in || !out || cap == 0)
		return false;
	out[0] = '\0';
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '+') {
		plus = true;
		p++;
		while (*p == ' ')
			p++;
	}
	if (!id_is_digit(*p))
		return false;
	for (; *p; p++) {
		if (id_is_digit(*p)) {
			if (n == PHONE_MAX_DIGITS)
				return false;
			d[n++] = *p;
		} else if (*p == ' ' || *p == '-' || *p == '\t') {
			if (!grouped) {
				grouped = true;
				first_group = n;
			}
		} else {
			return false;
		}
	}
	/* a trailing separator is tolerated only as trailing blanks */
	while (p > in && (p[-1] == ' ' || p[-1] == '\t'))
		p--;
	if (p[-1] == '-')
		return false;
	if (grouped && first_group == n)
		first_group = 0; /* one group only: not grouped after all */
	d[n] = '\0';

	if (plus) {
		if (n == 13 && !strncmp(d, "86", 2) && phone_is_mobile(d + 2, 11))
			return phone_put(out, cap, d + 2, 11);
		return false;
	}
	if (n == 13 && !strncmp(d, "86", 2) && phone_is_mobile(d + 2, 11))
		return phone_put(out, cap, d + 2, 11);
	if (n == 15 && !strncmp(d, "0086", 4) && phone_is_mobile(d + 4, 11))
		return phone_put(out, cap, d + 4, 11);
	if (n == 11 && d[0] == '1')
		return phone_is_mobile(d, n) && phone_put(out, cap, d, n);
	if (d[0] == '0')
		return phone_landline(d, n, first_group, out, cap);
	if ((n == 7 || n == 8) && d[0] != '1')
		return phone_put(out, cap, d, n);
	return false;
}

/* ---- masking ---- */

static bool mask_is_cont(unsigned char c)
{
	return (c & 0xC0) == 0x80;
}

/*
 * Keeps the first 6 and last 4 characters of an 18-character ID; of any other
 * document the last 4 (nothing when it has 4 characters or fewer).  Works on code
 * points, so a stray multi-byte character becomes one '*' and out never overflows.
 */
void mask_id(const char *in, char *out)
{
	size_t total = 0, idx = 0;
	char *w = out;

	if (!out)
		return;
	if (!in) {
		out[0] = '\0';
		return;
	}
	for (const unsigned char *p = (const unsigned char *)in; *p; p++)
		total += !mask_is_cont(*p) || p == (const unsigned char *)in;
	for (const unsigned char *p = (const unsigned char *)in; *p; p++) {
		bool lead = !mask_is_cont(*p) || p == (const unsigned char *)in;
		size_t i = lead ? idx++ : idx - 1;
		bool keep;
		if (total == 18)
			keep = i < 6 || i >= 14;
		else
			keep = total > 4 && i >= total - 4;
		if (keep)
			*w++ = (char)*p;
		else if (lead)
			*w++ = '*';
	}
	*w = '\0';
}

static bool mask_is_sep(char c)
{
	return c == '-' || c == ' ' || c == '+' || c == '(' || c == ')';
}

/*
 * Keeps the last 4 digits and the separators (and a mobile's 86/0086 country prefix):
 * "*******5678", "+86 *** **** 5678", "***-****0275"; every other character becomes '*'.
 * The carrier prefix is not kept: with it only the four middle digits were hidden, and
 * 10,000 tries rebuild those.
 */
void mask_phone(const char *in, char *out)
{
	size_t ndig = 0, di = 0, skip = 0;
	bool mobile = false;
	char first[4] = {0};
	char *w = out;

	if (!out)
		return;
	if (!in) {
		out[0] = '\0';
		return;
	}
	for (const char *p = in; *p; p++) {
		if (id_is_digit(*p)) {
			if (ndig < 4)
				first[ndig] = *p;
			ndig++;
		}
	}
	if (ndig == 11 && first[0] == '1')
		mobile = true;
	else if (ndig == 13 && first[0] == '8' && first[1] == '6')
		mobile = true, skip = 2;
	else if (ndig == 15 && !strncmp(first, "0086", 4))
		mobile = true, skip = 4;

	for (const unsigned char *p = (const unsigned char *)in; *p; p++) {
		bool keep;
		if (id_is_digit((char)*p)) {
			size_t i = di++;
			if (mobile)
				keep = i < skip || i >= ndig - 4;
			else
				keep = ndig > 4 && i >= ndig - 4;
		} else {
			keep = mask_is_sep((char)*p);
		}
		if (keep)
			*w++ = (char)*p;
		else if (!mask_is_cont(*p) || p == (const unsigned char *)in)
			*w++ = '*';
	}
	*w = '\0';
}
