/* chain.c — the WeChat 接龙 parser.  See chain.h.
 *
 * Each line goes through the same steps:
 *   1. the original bytes are trimmed and kept (controls shown as spaces) for `text`;
 *   2. traditional characters become simplified through ICU's Traditional-Simplified
 *      transform (one transliterator per thread, opened lazily, closed at thread exit);
 *   3. normalisation to an array of code points: full-width ASCII → ASCII, every kind of
 *      space → ' ', dashes → '-', zero-width characters dropped;
 *   4. a numbered prefix ("1. ", "2、", "3)", "(4)", "5，") is stripped, then everything
 *      but letters, digits, Han and the few signs the grammar needs becomes one space;
 *   5. passes over the array, each marking what it consumed so later passes skip it:
 *      @mentions, the address (not looked for on a "例：…" / "格式：…" example line),
 *      temperatures, the head count, the vocabulary (normal statements, symptoms with
 *      their negations, non-name words), and finally names, which are the Han runs
 *      left over that look like a personal name (2–4 characters, a known surname).
 * Only the first CH_WORK code points of a line are parsed; a chain line is short. */
#include "core/chain.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <uchar.h>
#include <unicode/uchar.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>
#include <unicode/utrans.h>

#include "core/arena.h"
#include "core/err.h"
#include "core/utf8.h"

#define CH_TRANSFORM "Traditional-Simplified"

enum {
	CH_WORK = 512,               /* code points of a line that are parsed */
	CH_U16CAP = CH_WORK * 2 * 3, /* UTF-16 room for the transliteration */
	CH_MAX_PEOPLE = 99,
};

static const char CH_NO_ADDRESS[] = "找不到楼栋和房号 / no building and room found";
static const char CH_NO_ROOM[] = "找不到房号 / no room number found";
static const char CH_EXAMPLE[] = "示例或说明行 / an example or instruction line";

/* ---- the per-thread Traditional-Simplified transliterator ---- */

static _Thread_local UTransliterator *ch_trans;
static _Thread_local bool ch_broken; /* opening failed once: do not retry on every line */
static pthread_once_t ch_once = PTHREAD_ONCE_INIT;
static pthread_key_t ch_key;
static bool ch_key_ok;

static void ch_destroy(void *t)
{
	utrans_close(t);
}

static void ch_key_init(void)
{
	ch_key_ok = pthread_key_create(&ch_key, ch_destroy) == 0;
}

/*
 * The calling thread's transliterator, opened on first use; the pthread key only
 * closes it when the thread exits.  NULL when ICU cannot build the transform (the
 * parser then works on the text as written).
 */
static UTransliterator *ch_get_trans(void)
{
	UErrorCode st = U_ZERO_ERROR;
	UChar id[sizeof CH_TRANSFORM];

	if (ch_trans)
		return ch_trans;
	if (ch_broken)
		return NULL;
	pthread_once(&ch_once, ch_key_init);
	u_charsToUChars(CH_TRANSFORM, id, (int32_t)sizeof CH_TRANSFORM);
	UTransliterator *t = utrans_openU(id, -1, UTRANS_FORWARD, NULL, 0, NULL, &st);
	if (U_FAILURE(st) || !t) {
		if (t)
			utrans_close(t);
		ch_broken = true;
		return NULL;
	}
	ch_trans = t;
	if (ch_key_ok)
		pthread_setspecific(ch_key, t);
	return t;
}

/* ---- character classes ---- */

static bool ch_digit(UChar32 c)
{
	return c >= '0' && c <= '9';
}

static bool ch_alpha(UChar32 c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool ch_han(UChar32 c)
{
	return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0xF900 && c <= 0xFAFF) ||
	       (c >= 0x20000 && c <= 0x323AF);
}

/* Characters trimmed from both ends of a line: controls, spaces, BOM, zero widths. */
static bool ch_blank(UChar32 c)
{
	return c <= 0x20 || c == 0x7F || c == 0xFEFF || (c >= 0x200B && c <= 0x200D) || c == 0x2060 ||
	       u_isUWhiteSpace(c);
}

/*
 * The normalised form of one code point, or -1 to drop it: full-width ASCII to ASCII,
 * spaces and controls to ' ', dashes to '-', zero widths and variation selectors away.
 */
static UChar32 ch_norm(UChar32 c)
{
	if (c >= 0xFF01 && c <= 0xFF5E)
		return c - 0xFEE0;
	if (c < 0x20 || c == 0x7F || c == 0x3000)
		return ' ';
	if (c < 0x7F)
		return c;
	if (c == 0xFEFF || (c >= 0x200B && c <= 0x200D) || c == 0x2060 || (c >= 0xFE00 && c <= 0xFE0F))
		return -1;
	if ((c >= 0x2010 && c <= 0x2015) || c == 0x2212 || c == 0xFE63)
		return '-';
	if (u_isUWhiteSpace(c))
		return ' ';
	return c;
}

/* What survives step 4: everything else is a separator. */
static bool ch_keep(UChar32 c)
{
	return ch_digit(c) || ch_alpha(c) || ch_han(c) || c == '.' || c == '-' || c == '#' || c == '/' ||
	       c == '@' || c == 0x2103 /* ℃ */ || c == 0xB0 /* ° */;
}

/* Decodes one code point of valid UTF-8 at s[*i] (the whole text was checked). */
static UChar32 ch_decode(const unsigned char *s, size_t *i)
{
	unsigned char c = s[*i];
	UChar32 cp;
	size_t len;

	if (c < 0x80) {
		(*i)++;
		return c;
	}
	if (c < 0xE0) {
		cp = c & 0x1F;
		len = 2;
	} else if (c < 0xF0) {
		cp = c & 0x0F;
		len = 3;
	} else {
		cp = c & 0x07;
		len = 4;
	}
	for (size_t k = 1; k < len; k++)
		cp = (cp << 6) | (s[*i + k] & 0x3F);
	*i += len;
	return cp;
}

/* ---- the working line ---- */

typedef struct {
	UChar32 w[CH_WORK];
	unsigned char used[CH_WORK];
	int n;
} ch_work;

static UChar32 ch_at(const ch_work *k, int i)
{
	return i >= 0 && i < k->n ? k->w[i] : 0;
}

static int ch_skip_sp(const ch_work *k, int i)
{
	while (i < k->n && k->w[i] == ' ')
		i++;
	return i;
}

/* End of the run of unused ASCII digits starting at i. */
static int ch_digits_end(const ch_work *k, int i)
{
	while (i < k->n && ch_digit(k->w[i]) && !k->used[i])
		i++;
	return i;
}

/* Length of s when it is written (unused) at i, else 0. */
static int ch_match(const ch_work *k, int i, const char32_t *s)
{
	int j = 0;
	for (; s[j]; j++)
		if (ch_at(k, i + j) != (UChar32)s[j] || k->used[i + j])
			return 0;
	return j;
}

/* The first of the words (NULL-terminated list, longest first) written at i. */
static int ch_match_any(const ch_work *k, int i, const char32_t *const *words, int *which)
{
	for (int w = 0; words[w]; w++) {
		int m = ch_match(k, i, words[w]);
		if (m) {
			if (which)
				*which = w;
			return m;
		}
	}
	return 0;
}

static void ch_mark(ch_work *k, int from, int to)
{
	for (int i = from < 0 ? 0 : from; i < to && i < k->n; i++)
		k->used[i] = 1;
}

/* ---- step 2–4: from the trimmed original to the working array ---- */

/* Building markers after the digits, longest first; 号 needs a room to follow. */
static const char32_t *const ch_bmark[] = {U"号楼", U"栋", U"幢", U"楼", U"座", U"#", U"号", NULL};
enum { CH_BMARK_HAO = 6 };

/*
 * Length of a numbered prefix at the start of w: "1." or "1．" followed by something
 * other than a digit (or by a building such as "1.3栋"), "1、", "1)", "(1)" / "（1）",
 * and "1，" / "1," followed by a digit.  "12栋…" and "36.5" are not prefixes.
 */
static int ch_prefix(const ch_work *k)
{
	int i = 0;
	bool paren = ch_at(k, 0) == '(';

	if (paren)
		i++;
	int d = i;
	while (ch_digit(ch_at(k, i)))
		i++;
	if (i - d < 1 || i - d > 4)
		return 0;
	UChar32 c = ch_at(k, i), c1 = ch_at(k, i + 1);
	if (paren)
		return c == ')' ? i + 1 : 0;
	if (c == ')' || c == 0x3001 /* 、 */)
		return i + 1;
	if (c == '.' && !ch_digit(c1))
		return i + 1;
	if (c == '.') {
		int j = i + 1;
		while (ch_digit(ch_at(k, j)))
			j++;
		if (j - (i + 1) <= 3 && (ch_at(k, j) == '-' || ch_match_any(k, j, ch_bmark, NULL)))
			return i + 1;
		return 0;
	}
	if (c == ',' && ch_digit(ch_at(k, ch_skip_sp(k, i + 1))))
		return i + 1;
	return 0;
}

/*
 * Fills k from the code points of one trimmed line (UTF-8, valid): transliterates
 * when there is any Han character, normalises, strips the numbered prefix and maps
 * separators to single spaces.  Returns false when the line has neither a digit nor
 * a Han character (it is then skipped).
 */
static bool ch_load(ch_work *k, const unsigned char *s, size_t len)
{
	UChar src[CH_U16CAP], u[CH_U16CAP];
	int32_t un = 0;
	int cps = 0;
	bool han = false;

	for (size_t i = 0; i < len && cps < CH_WORK; cps++) {
		UChar32 c = ch_decode(s, &i);
		han |= ch_han(c);
		U16_APPEND_UNSAFE(src, un, c);
	}
	memcpy(u, src, (size_t)un * sizeof(UChar));
	UTransliterator *t = han ? ch_get_trans() : NULL;
	if (t) {
		UErrorCode st = U_ZERO_ERROR;
		int32_t tlen = un, limit = un;
		utrans_transUChars(t, u, &tlen, CH_U16CAP, 0, &limit, &st);
		if (U_FAILURE(st) || st == U_STRING_NOT_TERMINATED_WARNING || tlen > CH_U16CAP)
			memcpy(u, src, (size_t)un * sizeof(UChar)); /* keep the line as written */
		else
			un = tlen;
	}

	bool any = false;
	k->n = 0;
	memset(k->used, 0, sizeof k->used);
	for (int32_t i = 0; i < un && k->n < CH_WORK;) {
		UChar32 c;
		U16_NEXT(u, i, un, c);
		c = ch_norm(c);
		if (c < 0)
			continue;
		any |= ch_digit(c) || ch_han(c);
		k->w[k->n++] = c;
	}
	if (!any)
		return false;

	int p = ch_prefix(k), m = 0;
	bool sp = true; /* drops leading spaces and collapses runs */
	for (int i = p; i < k->n; i++) {
		UChar32 c = ch_keep(k->w[i]) ? k->w[i] : ' ';
		if (c == ' ') {
			if (sp)
				continue;
			sp = true;
		} else {
			sp = false;
		}
		k->w[m++] = c;
	}
	if (m && k->w[m - 1] == ' ')
		m--;
	k->n = m;
	return true;
}

/* ---- the address ---- */

typedef struct {
	int b0, b1; /* building digits [b0, b1), b0 < 0 when absent */
	int e0, e1; /* entrance digits */
	int r0, r1; /* room digits */
	int rl;     /* index of the room's trailing letter, -1 when none */
	int start, end;
} ch_addr;

/* Characters after which a number is a date, time, count or measure, not a room. */
static bool ch_not_room_after(UChar32 c)
{
	static const char32_t list[] = U"月日年点时分秒人口个岁元块度天次位周米斤栋幢楼单%℃°";
	for (const char32_t *p = list; *p; p++)
		if ((UChar32)*p == c)
			return true;
	return false;
}

/*
 * A room number at i: 3–5 digits (1–2 only with 室/房/号 after them), maybe one
 * trailing letter (1504A), maybe 室/房/号; not a decimal, not followed by "-digit" (a
 * dashed phone number) nor by a unit (月 日 人 度 …).  Fills r0/r1/rl/end.
 */
static bool ch_room(const ch_work *k, int i, ch_addr *a)
{
	int j = ch_digits_end(k, i);
	int len = j - i, p = j, letter = -1;
	bool suffix = false;

	if (len < 1 || len > 5 || ch_digit(ch_at(k, j)))
		return false;
	if (ch_alpha(ch_at(k, p)) && !k->used[p] && !ch_alpha(ch_at(k, p + 1)) && !ch_digit(ch_at(k, p + 1)))
		letter = p++;
	UChar32 c = ch_at(k, p);
	if ((c == U'室' || c == U'房' || c == U'号') && !k->used[p] && ch_at(k, p + 1) != U'楼' &&
	    !ch_digit(ch_at(k, ch_skip_sp(k, p + 1)))) {
		suffix = true;
		p++;
	}
	if (len < 3 && !suffix)
		return false;
	c = ch_at(k, p);
	if ((c == '.' || c == '-') && ch_digit(ch_at(k, p + 1)))
		return false;
	if (!suffix && ch_not_room_after(c))
		return false;
	a->r0 = i;
	a->r1 = j;
	a->rl = letter;
	a->end = p;
	return true;
}

/* Where a building number may start: a whole digit run, not a decimal, phone or code. */
static bool ch_num_start(const ch_work *k, int i)
{
	if (!ch_digit(ch_at(k, i)) || k->used[i])
		return false;
	UChar32 p = ch_at(k, i - 1);
	return !(ch_digit(p) || ch_alpha(p) || p == '.' || p == '-' || p == '/' || p == '+');
}

enum { CH_NONE, CH_PARTIAL, CH_FULL };

/*
 * The address starting at digit run i: B-E-R, B-R, E单元R, or B + marker (栋 号楼 幢
 * 楼 座 # 号) + optional entrance (E单元 or E-) + room, spaces allowed between the parts.
 * CH_PARTIAL when only a building (and entrance) was found.
 */
static int ch_try_addr(const ch_work *k, int i, ch_addr *a)
{
	int j = ch_digits_end(k, i), len = j - i;

	*a = (ch_addr){.b0 = -1, .b1 = -1, .e0 = -1, .e1 = -1, .r0 = -1, .r1 = -1, .rl = -1, .start = i};
	if (ch_at(k, j) == '-' && ch_digit(ch_at(k, j + 1)) && !k->used[j]) {
		if (len > 3)
			return CH_NONE;
		int j2 = ch_digits_end(k, j + 1);
		if (ch_at(k, j2) == '-' && j2 - (j + 1) <= 2 && ch_digit(ch_at(k, j2 + 1)) &&
		    ch_room(k, j2 + 1, a)) {
			a->b0 = i, a->b1 = j, a->e0 = j + 1, a->e1 = j2;
			return CH_FULL;
		}
		if (ch_room(k, j + 1, a)) {
			a->b0 = i, a->b1 = j;
			return CH_FULL;
		}
		return CH_NONE;
	}

	int p = ch_skip_sp(k, j), m;
	if (len <= 2 && (m = ch_match(k, p, U"单元"))) {
		int q = ch_skip_sp(k, p + m);
		if (ch_num_start(k, q) && ch_room(k, q, a)) {
			a->e0 = i, a->e1 = j;
			return CH_FULL;
		}
		return CH_NONE;
	}

	int which = -1;
	if (len > 3 || !(m = ch_match_any(k, p, ch_bmark, &which)))
		return CH_NONE;
	a->b0 = i, a->b1 = j;
	a->end = p + m;
	int q = ch_skip_sp(k, p + m);
	if (ch_digit(ch_at(k, q)) && !k->used[q]) {
		int q2 = ch_digits_end(k, q), l2 = q2 - q;
		int r = ch_skip_sp(k, q2), mu;
		if (l2 <= 2 && (mu = ch_match(k, r, U"单元"))) {
			a->e0 = q, a->e1 = q2;
			int s = ch_skip_sp(k, r + mu);
			if (ch_num_start(k, s) && ch_room(k, s, a))
				return CH_FULL;
			a->end = r + mu;
			return CH_PARTIAL;
		}
		if (l2 <= 2 && ch_at(k, q2) == '-' && ch_digit(ch_at(k, q2 + 1)) && ch_room(k, q2 + 1, a)) {
			a->e0 = q, a->e1 = q2;
			return CH_FULL;
		}
		if (ch_room(k, q, a))
			return CH_FULL;
	}
	return which == CH_BMARK_HAO ? CH_NONE : CH_PARTIAL;
}

/* Copies digits [from, to) and an optional letter (upper-cased) into dst. */
static void ch_copy_num(char *dst, size_t cap, const ch_work *k, int from, int to, int letter)
{
	size_t n = 0;
	for (int i = from; i >= 0 && i < to && n + 1 < cap; i++)
		dst[n++] = (char)k->w[i];
	if (letter >= 0 && n + 1 < cap) {
		UChar32 c = k->w[letter];
		dst[n++] = (char)(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
	}
	dst[n] = '\0';
}

/*
 * The first full address of the line; else a room number alone at the start of the
 * line ("1504 一人"); else the first building without a room (problem: no room);
 * else nothing (problem: no address).  The address is marked used.
 */
static void ch_find_address(ch_work *k, chain_line *out)
{
	ch_addr a, partial = {.start = -1};
	int found = CH_NONE;

	for (int i = 0; i < k->n;) {
		if (!ch_num_start(k, i) || ch_at(k, i - 1) == U'月') { /* 2月17号 is a date */
			i++;
			continue;
		}
		int r = ch_try_addr(k, i, &a);
		if (r == CH_FULL) {
			found = CH_FULL;
			break;
		}
		if (r == CH_PARTIAL && partial.start < 0)
			partial = a;
		i = ch_digits_end(k, i);
	}
	if (found != CH_FULL && ch_num_start(k, 0)) {
		a = (ch_addr){.b0 = -1, .b1 = -1, .e0 = -1, .e1 = -1, .start = 0};
		UChar32 c;
		if (ch_room(k, 0, &a) && a.r1 - a.r0 >= 3 &&
		    ((c = ch_at(k, a.end)) == 0 || c == ' ' || ch_han(c)))
			found = CH_FULL;
	}
	if (found != CH_FULL && partial.start >= 0) {
		a = partial;
		found = CH_PARTIAL;
	}
	if (found == CH_NONE) {
		out->problem = CH_NO_ADDRESS;
		return;
	}
	ch_copy_num(out->building, sizeof out->building, k, a.b0, a.b1, -1);
	ch_copy_num(out->entrance, sizeof out->entrance, k, a.e0, a.e1, -1);
	if (found == CH_FULL)
		ch_copy_num(out->room, sizeof out->room, k, a.r0, a.r1, a.rl);
	else
		out->problem = CH_NO_ROOM;
	ch_mark(k, a.start, a.end);
}

/* ---- temperatures ---- */

/* Length of a temperature unit at i: 度 ℃ °C ° C (a C not starting a word). */
static int ch_temp_unit(const ch_work *k, int i)
{
	UChar32 c = ch_at(k, i);
	if (i < k->n && k->used[i])
		return 0;
	if (c == U'度' || c == 0x2103)
		return 1;
	if (c == 0xB0)
		return (ch_at(k, i + 1) == 'C' || ch_at(k, i + 1) == 'c') ? 2 : 1;
	if ((c == 'C' || c == 'c') && !ch_alpha(ch_at(k, i + 1)))
		return 1;
	return 0;
}

/*
 * Readings: two integer digits and one or two decimals (36.5, 36.50), or two digits
 * with an explicit unit (37度, 37℃, and the spoken 36度5), within 34.0–43.0.  Digits
 * that belong to longer numbers (1504, 13812345678, 36.555, 1.36.5) are not readings.
 */
static void ch_find_temps(ch_work *k, chain_line *out)
{
	for (int i = 0; i < k->n;) {
		UChar32 prev = ch_at(k, i - 1);
		if (!ch_digit(k->w[i]) || k->used[i] || ch_digit(prev) || prev == '.') {
			i++;
			continue;
		}
		int j = ch_digits_end(k, i), end = -1, v100 = 0;
		if (j - i == 2 && !ch_digit(ch_at(k, j))) {
			int ip = (int)(k->w[i] - '0') * 10 + (int)(k->w[i + 1] - '0');
			if (ch_at(k, j) == '.' && ch_digit(ch_at(k, j + 1)) && !k->used[j]) {
				int f1 = ch_digits_end(k, j + 1), fl = f1 - (j + 1);
				if (fl >= 1 && fl <= 2 && !ch_digit(ch_at(k, f1)) &&
				    !(ch_at(k, f1) == '.' && ch_digit(ch_at(k, f1 + 1)))) {
					int frac = (int)(k->w[j + 1] - '0') * 10;
					if (fl == 2)
						frac += (int)(k->w[j + 2] - '0');
					v100 = ip * 100 + frac;
					end = f1 + ch_temp_unit(k, f1);
				}
			} else if (ch_at(k, j) != '.') {
				int u = ch_temp_unit(k, j);
				if (u) {
					v100 = ip * 100;
					end = j + u;
					UChar32 d = ch_at(k, end);
					if (k->w[j] == U'度' && ch_digit(d) && !k->used[end] &&
					    !ch_digit(ch_at(k, end + 1)) && ch_at(k, end + 1) != '.') {
						v100 += (int)(d - '0') * 10; /* 36度5 */
						end++;
					}
				}
			}
		}
		if (end > 0 && v100 >= 3400 && v100 <= 4300) {
			if (out->ntemps < CHAIN_MAX_TEMPS)
				out->temps[out->ntemps++] = v100 / 100.0;
			ch_mark(k, i, end);
			i = end;
			continue;
		}
		i = j > i ? j : i + 1;
	}
}

/* ---- the head count ---- */

/* Value of a Chinese numeral of 1–3 characters (一 … 九十九), or -1. */
static int ch_cn_value(const ch_work *k, int from, int to)
{
	static const char32_t digits[] = U"〇一二三四五六七八九";
	int v[3], n = 0;
	for (int i = from; i < to; i++) {
		UChar32 c = k->w[i];
		int d = -1;
		if (c == U'两' || c == U'俩')
			d = 2;
		else if (c == U'十')
			d = 10;
		for (int x = 0; d < 0 && digits[x]; x++)
			if ((UChar32)digits[x] == c)
				d = x;
		if (d < 0 || n >= 3)
			return -1;
		v[n++] = d;
	}
	if (n == 1)
		return v[0] == 0 ? -1 : v[0];
	if (n == 2 && v[0] == 10 && v[1] < 10)
		return 10 + v[1]; /* 十二 */
	if (n == 2 && v[1] == 10 && v[0] >= 2 && v[0] < 10)
		return v[0] * 10; /* 二十 */
	if (n == 3 && v[1] == 10 && v[0] >= 2 && v[0] < 10 && v[2] >= 1 && v[2] < 10)
		return v[0] * 10 + v[2];
	return -1;
}

static bool ch_cn_digit(UChar32 c)
{
	static const char32_t all[] = U"一二两俩三四五六七八九十";
	for (const char32_t *p = all; *p; p++)
		if ((UChar32)*p == c)
			return true;
	return false;
}

/*
 * A count at i: an ASCII number of 1–2 digits or a Chinese numeral, then 口人 / 个人 /
 * 口 / 人 / 位.  Returns the end of the count (and *value), or -1.
 */
static int ch_count_at(const ch_work *k, int i, int *value)
{
	static const char32_t *const units[] = {U"口人", U"个人", U"口", U"人", U"位", NULL};
	int j, v;

	if (i >= k->n || k->used[i])
		return -1;
	UChar32 prev = ch_at(k, i - 1);
	if (ch_digit(k->w[i])) {
		if (ch_digit(prev) || prev == '.' || prev == '-')
			return -1;
		j = ch_digits_end(k, i);
		if (j - i > 2 || ch_at(k, j) == '.')
			return -1;
		v = (int)(k->w[i] - '0');
		if (j - i == 2)
			v = v * 10 + (int)(k->w[i + 1] - '0');
	} else if (ch_cn_digit(k->w[i]) && !ch_cn_digit(prev)) {
		j = i;
		while (j < k->n && j - i < 4 && ch_cn_digit(k->w[j]) && !k->used[j])
			j++;
		v = ch_cn_value(k, i, j);
	} else {
		return -1;
	}
	int m = ch_match_any(k, j, units, NULL);
	if (!m || v < 1 || v > CH_MAX_PEOPLE)
		return -1;
	*value = v;
	return j + m;
}

/* "一家三口" / "全家4口" / "3口人" / "两人" …: the first count is kept, all are marked. */
static void ch_find_people(ch_work *k, chain_line *out)
{
	static const char32_t *const family[] = {U"一家", U"全家", NULL};
	for (int i = 0; i < k->n; i++) {
		int v, end = -1, m = ch_match_any(k, i, family, NULL);
		if (m)
			end = ch_count_at(k, i + m, &v);
		if (end < 0)
			end = ch_count_at(k, i, &v);
		if (end < 0)
			continue;
		if (out->people < 0)
			out->people = v;
		ch_mark(k, i, end);
		i = end - 1;
	}
}

/* ---- vocabulary: normal statements, symptoms, negations, non-name words ---- */

enum { CW_NORMAL, CW_SYM, CW_NEG, CW_CONN, CW_STOP };

typedef struct {
	const char32_t *w;
	unsigned char kind;
	unsigned char sym;
} ch_word;

/* clang-format off */
static const ch_word ch_words[] = {
    {U"体温正常", CW_NORMAL, 0},  {U"全家正常", CW_NORMAL, 0}, {U"一切正常", CW_NORMAL, 0},
    {U"全部正常", CW_NORMAL, 0},  {U"均无异常", CW_NORMAL, 0}, {U"都无异常", CW_NORMAL, 0},
    {U"没有异常", CW_NORMAL, 0},  {U"均正常", CW_NORMAL, 0},   {U"都正常", CW_NORMAL, 0},
    {U"无异常", CW_NORMAL, 0},    {U"没异常", CW_NORMAL, 0},   {U"正常", CW_NORMAL, 0},

    {U"发热", CW_SYM, SYM_FEVER},   {U"发烧", CW_SYM, SYM_FEVER},  {U"高烧", CW_SYM, SYM_FEVER},
    {U"低烧", CW_SYM, SYM_FEVER},   {U"高热", CW_SYM, SYM_FEVER},  {U"低热", CW_SYM, SYM_FEVER},
    {U"咳嗽", CW_SYM, SYM_COUGH},   {U"干咳", CW_SYM, SYM_COUGH},  {U"咳痰", CW_SYM, SYM_COUGH},
    {U"咳", CW_SYM, SYM_COUGH},     {U"乏力", CW_SYM, SYM_FATIGUE}, {U"无力", CW_SYM, SYM_FATIGUE},
    {U"没力气", CW_SYM, SYM_FATIGUE}, {U"疲乏", CW_SYM, SYM_FATIGUE}, {U"疲劳", CW_SYM, SYM_FATIGUE},
    {U"胸闷", CW_SYM, SYM_CHEST},   {U"胸痛", CW_SYM, SYM_CHEST},  {U"气短", CW_SYM, SYM_CHEST},
    {U"气促", CW_SYM, SYM_CHEST},   {U"气喘", CW_SYM, SYM_CHEST},  {U"憋气", CW_SYM, SYM_CHEST},
    {U"呼吸困难", CW_SYM, SYM_CHEST}, {U"咽痛", CW_SYM, SYM_THROAT}, {U"咽干", CW_SYM, SYM_THROAT},
    {U"咽痒", CW_SYM, SYM_THROAT},  {U"咽喉痛", CW_SYM, SYM_THROAT}, {U"咽喉疼", CW_SYM, SYM_THROAT},
    {U"嗓子疼", CW_SYM, SYM_THROAT}, {U"嗓子痛", CW_SYM, SYM_THROAT}, {U"嗓子哑", CW_SYM, SYM_THROAT},
    {U"嗓子不舒服", CW_SYM, SYM_THROAT}, {U"喉咙痛", CW_SYM, SYM_THROAT},
    {U"喉咙疼", CW_SYM, SYM_THROAT}, {U"喉咙不舒服", CW_SYM, SYM_THROAT},
    {U"腹泻", CW_SYM, SYM_DIARRHOEA}, {U"拉肚子", CW_SYM, SYM_DIARRHOEA},
    {U"拉稀", CW_SYM, SYM_DIARRHOEA}, {U"嗅觉", CW_SYM, SYM_SMELL_TASTE},
    {U"味觉", CW_SYM, SYM_SMELL_TASTE}, {U"闻不到", CW_SYM, SYM_SMELL_TASTE},
    {U"尝不出", CW_SYM, SYM_SMELL_TASTE}, {U"不舒服", CW_SYM, SYM_OTHER},
    {U"不适", CW_SYM, SYM_OTHER},   {U"头痛", CW_SYM, SYM_OTHER},  {U"头疼", CW_SYM, SYM_OTHER},
    {U"头晕", CW_SYM, SYM_OTHER},   {U"鼻塞", CW_SYM, SYM_OTHER},  {U"流涕", CW_SYM, SYM_OTHER},
    {U"流鼻涕", CW_SYM, SYM_OTHER}, {U"呕吐", CW_SYM, SYM_OTHER},  {U"恶心", CW_SYM, SYM_OTHER},
    {U"酸痛", CW_SYM, SYM_OTHER},   {U"不正常", CW_SYM, SYM_OTHER}, {U"异常", CW_SYM, SYM_OTHER},

    {U"无", CW_NEG, 0},   {U"没有", CW_NEG, 0}, {U"没", CW_NEG, 0},   {U"不", CW_NEG, 0},
    {U"未", CW_NEG, 0},   {U"否认", CW_NEG, 0}, {U"均无", CW_NEG, 0}, {U"都无", CW_NEG, 0},
    {U"暂无", CW_NEG, 0}, {U"并无", CW_NEG, 0}, {U"均没有", CW_NEG, 0}, {U"都没有", CW_NEG, 0},
    {U"和", CW_CONN, 0},  {U"及", CW_CONN, 0},  {U"或", CW_CONN, 0},  {U"与", CW_CONN, 0},
    {U"等", CW_CONN, 0},  {U"等症状", CW_CONN, 0},

    /* words that are not names (several start with a common surname) */
    {U"体温", CW_STOP, 0}, {U"测温", CW_STOP, 0}, {U"温度", CW_STOP, 0}, {U"体温计", CW_STOP, 0},
    {U"接龙", CW_STOP, 0}, {U"收到", CW_STOP, 0}, {U"谢谢", CW_STOP, 0}, {U"好的", CW_STOP, 0},
    {U"明白", CW_STOP, 0}, {U"知道", CW_STOP, 0}, {U"网格", CW_STOP, 0}, {U"网格员", CW_STOP, 0},
    {U"社区", CW_STOP, 0}, {U"小区", CW_STOP, 0}, {U"楼栋", CW_STOP, 0}, {U"单元", CW_STOP, 0},
    {U"号楼", CW_STOP, 0}, {U"房号", CW_STOP, 0}, {U"今天", CW_STOP, 0}, {U"明天", CW_STOP, 0},
    {U"昨天", CW_STOP, 0}, {U"白天", CW_STOP, 0}, {U"早上", CW_STOP, 0}, {U"上午", CW_STOP, 0},
    {U"中午", CW_STOP, 0}, {U"下午", CW_STOP, 0}, {U"晚上", CW_STOP, 0}, {U"早晚", CW_STOP, 0},
    {U"居家", CW_STOP, 0}, {U"隔离", CW_STOP, 0}, {U"在家", CW_STOP, 0}, {U"外出", CW_STOP, 0},
    {U"本人", CW_STOP, 0}, {U"自己", CW_STOP, 0}, {U"家里", CW_STOP, 0}, {U"家中", CW_STOP, 0},
    {U"家人", CW_STOP, 0}, {U"全家", CW_STOP, 0}, {U"一家", CW_STOP, 0}, {U"全家人", CW_STOP, 0},
    {U"老人", CW_STOP, 0}, {U"小孩", CW_STOP, 0}, {U"孩子", CW_STOP, 0}, {U"大人", CW_STOP, 0},
    {U"夫妻", CW_STOP, 0}, {U"老伴", CW_STOP, 0}, {U"爸爸", CW_STOP, 0}, {U"妈妈", CW_STOP, 0},
    {U"父亲", CW_STOP, 0}, {U"母亲", CW_STOP, 0}, {U"父母", CW_STOP, 0}, {U"儿子", CW_STOP, 0},
    {U"女儿", CW_STOP, 0}, {U"爷爷", CW_STOP, 0}, {U"奶奶", CW_STOP, 0}, {U"外婆", CW_STOP, 0},
    {U"外公", CW_STOP, 0}, {U"宝宝", CW_STOP, 0}, {U"其他", CW_STOP, 0}, {U"其余", CW_STOP, 0},
    {U"以上", CW_STOP, 0}, {U"同上", CW_STOP, 0}, {U"平安", CW_STOP, 0}, {U"报平安", CW_STOP, 0},
    {U"安全", CW_STOP, 0}, {U"健康", CW_STOP, 0}, {U"良好", CW_STOP, 0}, {U"症状", CW_STOP, 0},
    {U"大家", CW_STOP, 0}, {U"辛苦", CW_STOP, 0}, {U"已报", CW_STOP, 0}, {U"已接", CW_STOP, 0},
    {U"已测", CW_STOP, 0}, {U"测量", CW_STOP, 0}, {U"上报", CW_STOP, 0}, {U"报告", CW_STOP, 0},
    {U"情况", CW_STOP, 0}, {U"志愿者", CW_STOP, 0}, {U"业主", CW_STOP, 0}, {U"租户", CW_STOP, 0},
    {U"住户", CW_STOP, 0}, {U"物业", CW_STOP, 0}, {U"楼长", CW_STOP, 0}, {U"武汉", CW_STOP, 0},
    {U"加油", CW_STOP, 0}, {U"一切", CW_STOP, 0}, {U"全部", CW_STOP, 0}, {U"所有", CW_STOP, 0},
    {U"第一", CW_STOP, 0}, {U"第二", CW_STOP, 0}, {U"第三", CW_STOP, 0}, {U"万家", CW_STOP, 0},
    {U"江岸", CW_STOP, 0}, {U"汉口", CW_STOP, 0}, {U"高温", CW_STOP, 0}, {U"石门", CW_STOP, 0},
    {U"温馨提示", CW_STOP, 0}, {U"提示", CW_STOP, 0}, {U"通知", CW_STOP, 0}, {U"请", CW_STOP, 0},
    {U"孙子", CW_STOP, 0}, {U"孙女", CW_STOP, 0}, {U"外孙", CW_STOP, 0}, {U"外孙女", CW_STOP, 0},
    {U"儿媳", CW_STOP, 0}, {U"女婿", CW_STOP, 0}, {U"老公", CW_STOP, 0}, {U"老婆", CW_STOP, 0},
    {U"爱人", CW_STOP, 0}, {U"丈夫", CW_STOP, 0}, {U"妻子", CW_STOP, 0}, {U"哥哥", CW_STOP, 0},
    {U"姐姐", CW_STOP, 0}, {U"弟弟", CW_STOP, 0}, {U"妹妹", CW_STOP, 0}, {U"保姆", CW_STOP, 0},
    {U"公公", CW_STOP, 0}, {U"婆婆", CW_STOP, 0}, {U"岳父", CW_STOP, 0}, {U"岳母", CW_STOP, 0},
    {U"叔叔", CW_STOP, 0}, {U"舅舅", CW_STOP, 0}, {U"姑姑", CW_STOP, 0}, {U"阿姨", CW_STOP, 0},
};
/* clang-format on */

/* The longest vocabulary entry written (unused) at i. */
static const ch_word *ch_word_at(const ch_work *k, int i, int *len)
{
	const ch_word *best = NULL;
	int blen = 0;
	for (size_t e = 0; e < sizeof ch_words / sizeof *ch_words; e++) {
		int m = ch_match(k, i, ch_words[e].w);
		if (m > blen) {
			best = &ch_words[e];
			blen = m;
		}
	}
	*len = blen;
	return best;
}

/* True when a symptom word is written (unused) at i. */
static bool ch_symptom_at(const ch_work *k, int i)
{
	int m;
	const ch_word *e = ch_word_at(k, i, &m);
	return e && e->kind == CW_SYM;
}

/*
 * True when the sense named at i (嗅觉, 味觉) is followed, through other senses, spaces
 * and connectors, by a normal statement: "嗅觉味觉均正常" is not a complaint.
 */
static bool ch_sense_normal(const ch_work *k, int i)
{
	for (int guard = 0; guard < 8; guard++) {
		int m;
		i = ch_skip_sp(k, i);
		const ch_word *e = ch_word_at(k, i, &m);
		if (!e)
			return false;
		if (e->kind == CW_NORMAL)
			return true;
		if (!(e->kind == CW_CONN || (e->kind == CW_SYM && e->sym == SYM_SMELL_TASTE)))
			return false;
		i += m;
	}
	return false;
}

/*
 * One pass, longest match first.  A negation (无 没有 不 …) directly before a symptom
 * negates it and every symptom chained after it with spaces or 和/及/等 ("无发热、咳嗽
 * 等症状"), except a lost sense ("没有味觉"); a negation before anything else is left
 * alone (it may be part of a name).
 * all_normal: a normal statement was made and no symptom was found; said_normal: the
 * statement was made, symptoms or not.
 */
static void ch_find_words(ch_work *k, chain_line *out)
{
	bool neg = false, normal = false;

	for (int i = 0; i < k->n;) {
		if (k->used[i]) {
			neg = false;
			i++;
			continue;
		}
		if (k->w[i] == ' ') {
			i++;
			continue;
		}
		int m;
		const ch_word *e = ch_word_at(k, i, &m);
		if (!e) {
			neg = false;
			i++;
			continue;
		}
		switch (e->kind) {
		case CW_NORMAL:
			normal = true;
			neg = false;
			break;
		case CW_SYM:
			if (e->sym == SYM_SMELL_TASTE) {
				/* 嗅觉正常 is no complaint; 没有味觉 (negated sense) is one */
				if (!ch_sense_normal(k, i + m))
					out->symptoms |= e->sym;
			} else if (!neg) {
				out->symptoms |= e->sym;
			}
			break;
		case CW_NEG:
			if (!ch_symptom_at(k, ch_skip_sp(k, i + m))) {
				neg = false;
				i++;
				continue;
			}
			neg = true;
			break;
		case CW_CONN:
			if (!neg) {
				i++;
				continue;
			}
			break;
		default:
			neg = false;
			break;
		}
		ch_mark(k, i, i + m);
		i += m;
	}
	out->said_normal = normal;
	out->all_normal = normal && out->symptoms == 0;
}

/* ---- names ---- */

static const char32_t ch_surnames[] =
    U"王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖萧田董袁潘于蒋蔡余"
    U"杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙"
    U"史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔汤常温康施文牛樊葛邢齐易乔伍庞颜倪庄聂章鲁岳翟殷"
    U"詹申欧耿兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕季裴霍涂苗谷盛曲翁冉骆蓝游辛靳柴蒙鲍"
    U"喻祁蒲滕屈饶牟艾尤穆农卓吉缪简项麦褚娄窦戚岑景宫卜晏席柏瞿桂佟臧闵苟邬卞姬仇栾隋刁"
    U"荣巫寇桑郎甄丛仲虞敖巩佘迟邝谈匡鞠惠荆冀郁胥班储栗燕楚鄢劳谌奚皮粟冼蔺闻厉伊仝郜阚"
    U"帅屠豆朴练廉禹井祖漆巴丰卿狄计索宣晋芮浦戈伏鹿邸雍辜羊乌裘亓修邰赫杭况宿印逯隆茹慕"
    U"危亢嵇湛宾戎勾茅揭尉冶檀衣展阴昝智幸奉植衡富尧闭";

static const char32_t *const ch_compound[] = {
    U"欧阳", U"司马", U"诸葛", U"上官", U"东方", U"司徒", U"皇甫", U"令狐", U"慕容", U"宇文", U"长孙",
    U"尉迟", U"公孙", U"夏侯", U"西门", U"南宫", U"独孤", U"端木", U"轩辕", U"钟离", U"澹台", U"呼延",
    U"申屠", U"东郭", U"万俟", U"闻人", U"赫连", U"太史", U"拓跋", U"百里", NULL};

/* Characters that do not occur in a given name but do in chatter. */
static const char32_t ch_not_in_name[] =
    U"的了是在吗呢吧啊哦嗯们个这那楼栋幢号室点度温口人户都均已请也还和与及或等报到测网格区";

static bool ch_in(const char32_t *set, UChar32 c)
{
	for (const char32_t *p = set; *p; p++)
		if ((UChar32)*p == c)
			return true;
	return false;
}

/* True when w[a, b) looks like a personal name: surname + 1–2 (or 3) given characters. */
static bool ch_is_name(const ch_work *k, int a, int b)
{
	int len = b - a, sl = 0;
	for (int c = 0; ch_compound[c]; c++)
		if (ch_at(k, a) == (UChar32)ch_compound[c][0] &&
		    ch_at(k, a + 1) == (UChar32)ch_compound[c][1])
			sl = 2;
	if (!sl && ch_in(ch_surnames, k->w[a]))
		sl = 1;
	if (!sl || len < sl + 1 || len > 4)
		return false;
	for (int i = a + sl; i < b; i++)
		if (ch_in(ch_not_in_name, k->w[i]))
			return false;
	return true;
}

/* Writes code points [a, b) as UTF-8 into dst. */
static void ch_put_utf8(char *dst, size_t cap, const ch_work *k, int a, int b)
{
	size_t n = 0;
	for (int i = a; i < b; i++) {
		char tmp[4];
		UChar32 c = k->w[i];
		size_t l;
		if (c < 0x80) {
			tmp[0] = (char)c;
			l = 1;
		} else if (c < 0x800) {
			tmp[0] = (char)(0xC0 | (c >> 6));
			tmp[1] = (char)(0x80 | (c & 0x3F));
			l = 2;
		} else if (c < 0x10000) {
			tmp[0] = (char)(0xE0 | (c >> 12));
			tmp[1] = (char)(0x80 | ((c >> 6) & 0x3F));
			tmp[2] = (char)(0x80 | (c & 0x3F));
			l = 3;
		} else {
			tmp[0] = (char)(0xF0 | (c >> 18));
			tmp[1] = (char)(0x80 | ((c >> 12) & 0x3F));
			tmp[2] = (char)(0x80 | ((c >> 6) & 0x3F));
			tmp[3] = (char)(0x80 | (c & 0x3F));
			l = 4;
		}
		if (n + l >= cap)
			break;
		memcpy(dst + n, tmp, l);
		n += l;
	}
	dst[n] = '\0';
}

/* Names: the maximal runs of unused Han characters that pass ch_is_name. */
static void ch_find_names(ch_work *k, chain_line *out)
{
	for (int i = 0; i < k->n && out->nnames < CHAIN_MAX_NAMES;) {
		if (k->used[i] || !ch_han(k->w[i])) {
			i++;
			continue;
		}
		int j = i;
		while (j < k->n && !k->used[j] && ch_han(k->w[j]))
			j++;
		if (ch_is_name(k, i, j)) {
			ch_put_utf8(out->names[out->nnames], sizeof out->names[0], k, i, j);
			out->nnames++;
		}
		i = j;
	}
}

/* @mentions ("@谢玉娇 收到", "@3栋1504王梅") are someone else: up to the next space. */
static void ch_skip_mentions(ch_work *k)
{
	for (int i = 0; i < k->n; i++)
		if (k->w[i] == '@')
			for (; i < k->n && k->w[i] != ' '; i++)
				k->used[i] = 1;
}

/* ---- lines ---- */

/*
 * Copies the trimmed original line into dst (cap bytes), control characters shown as
 * spaces, cut at a character boundary.
 */
static void ch_copy_text(char *dst, size_t cap, const unsigned char *s, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len;) {
		size_t at = i;
		UChar32 c = ch_decode(s, &i);
		size_t l = i - at;
		if (c < 0x20 || c == 0x7F) {
			if (n + 1 >= cap)
				break;
			dst[n++] = ' ';
			continue;
		}
		if (n + l >= cap)
			break;
		memcpy(dst + n, s + at, l);
		n += l;
	}
	dst[n] = '\0';
}

/* Narrows [*s, *s + *len) to the line without blanks at either end. */
static void ch_trim(const unsigned char **s, size_t *len)
{
	size_t a = 0, b = 0;
	bool seen = false;
	for (size_t i = 0; i < *len;) {
		size_t at = i;
		UChar32 c = ch_decode(*s, &i);
		if (ch_blank(c))
			continue;
		if (!seen)
			a = at;
		seen = true;
		b = i;
	}
	*s += a;
	*len = seen ? b - a : 0;
}

/* Lines that show the expected format ("例：3栋1504 一人 体温正常") are not reports. */
static bool ch_is_example(const ch_work *k)
{
	static const char32_t *const marks[] = {U"例如", U"示例", U"范例", U"格式", U"模板", U"例", NULL};
	int m = ch_match_any(k, 0, marks, NULL);
	return m && !ch_han(ch_at(k, m));
}

/* Parses one physical line; false when it is skipped. */
static bool ch_parse_line(const unsigned char *s, size_t len, size_t lineno, chain_line *out, ch_work *k)
{
	ch_trim(&s, &len);
	if (!len || !ch_load(k, s, len))
		return false;
	memset(out, 0, sizeof *out);
	out->line = lineno;
	out->people = -1;
	ch_copy_text(out->text, sizeof out->text, s, len);
	ch_skip_mentions(k);
	if (ch_is_example(k))
		out->problem = CH_EXAMPLE;
	else
		ch_find_address(k, out);
	ch_find_temps(k, out);
	ch_find_people(k, out);
	ch_find_words(k, out);
	ch_find_names(k, out);
	return true;
}

/* Number of lines: a final line without a terminator counts, a final terminator adds none. */
static size_t ch_count_lines(const char *t, size_t len)
{
	size_t lines = 0;
	for (size_t i = 0; i < len; i++) {
		if (t[i] == '\n' || (t[i] == '\r' && (i + 1 >= len || t[i + 1] != '\n')))
			lines++;
	}
	if (len && t[len - 1] != '\n' && t[len - 1] != '\r')
		lines++;
	return lines;
}

/*
 * Validates the whole paste, then parses it line by line (LF, CRLF or lone CR).  The
 * result array is allocated with the number of physical lines and trimmed afterwards.
 */
int chain_parse(const char *text, size_t len, chain_line **out, size_t *n)
{
	if (out)
		*out = NULL;
	if (n)
		*n = 0;
	if (!out || !n) {
		w_record(W_EINVAL, NULL, "text", "chain_parse: out is NULL");
		return -1;
	}
	if (!text && len) {
		w_record(W_EINVAL, NULL, "text", "chain_parse: text is NULL");
		return -1;
	}
	if (!utf8_valid(text, len)) {
		w_record(W_EINVAL, "bad_encoding", "text", "接龙文本不是 UTF-8 / the chain text is not UTF-8");
		return -1;
	}
	size_t lines = ch_count_lines(text, len);
	if (lines > CHAIN_MAX_LINES) {
		w_record(W_ETOOBIG, "too_large", "text", "接龙超过 %d 行 / the chain has more than %d lines",
		       CHAIN_MAX_LINES, CHAIN_MAX_LINES);
		return -1;
	}
	if (!lines)
		return 0;

	chain_line *res = xcalloc(lines, sizeof *res);
	ch_work *k = xmalloc(sizeof *k);
	const unsigned char *s = (const unsigned char *)text;
	size_t got = 0, lineno = 0, i = 0;
	if (len >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3))
		i = 3;
	while (i < len) {
		size_t start = i;
		while (i < len && s[i] != '\n' && s[i] != '\r')
			i++;
		size_t end = i;
		if (i < len && s[i] == '\r')
			i++;
		if (i < len && s[i] == '\n' && (i == end || s[i - 1] == '\r'))
			i++;
		lineno++;
		if (ch_parse_line(s + start, end - start, lineno, &res[got], k))
			got++;
	}
	free(k);
	if (!got) {
		free(res);
		return 0;
	}
	*out = xrealloc(res, got * sizeof *res);
	*n = got;
	return 0;
}
