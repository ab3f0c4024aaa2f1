/* pinyin.c — search keys for names through ICU's Han-Latin transform.  See pinyin.h.
 *
 * "Han-Latin; Latin-ASCII; Lower" turns 梁秀琴 into "liang xiu qin": ICU separates the
 * syllables of consecutive Han characters with spaces, which gives the initials; the
 * spaces (and punctuation such as the ·/- of transcribed minority names) are dropped
 * from the full form.  Each thread opens its own transliterator on first use. */
#include "core/pinyin.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>
#include <unicode/utrans.h>

#define PINYIN_TRANSFORM "Han-Latin; Latin-ASCII; Lower"

enum {
	PY_CHUNK_SOFT = 96,   /* after this many UChars, cut at the next separator */
	PY_CHUNK_HARD = 252,  /* never more than this many (room for a surrogate pair) */
	PY_EXPAND = 8,        /* room for "zhuang " per Han character */
	PY_TEXT_CAP = (PY_CHUNK_HARD + 4) * PY_EXPAND,
};

static _Thread_local UTransliterator *py_trans;
static _Thread_local bool py_broken; /* opening failed once: do not retry on every call */
static pthread_once_t py_once = PTHREAD_ONCE_INIT;
static pthread_key_t py_key;
static bool py_key_ok;

static void py_destroy(void *t)
{
	utrans_close(t);
}

static void py_key_init(void)
{
	py_key_ok = pthread_key_create(&py_key, py_destroy) == 0;
}

/*
 * The calling thread's transliterator, opened on first use.  A pthread key is
 * registered alongside the _Thread_local pointer only so that the transliterator is
 * closed when a thread exits.  NULL when ICU cannot build the transform.
 */
static UTransliterator *py_get(void)
{
	UErrorCode st = U_ZERO_ERROR;
	UChar id[sizeof PINYIN_TRANSFORM];

	if (py_trans)
		return py_trans;
	if (py_broken)
		return NULL;
	pthread_once(&py_once, py_key_init);
	u_charsToUChars(PINYIN_TRANSFORM, id, (int32_t)sizeof PINYIN_TRANSFORM);
	UTransliterator *t = utrans_openU(id, -1, UTRANS_FORWARD, NULL, 0, NULL, &st);
	if (U_FAILURE(st) || !t) {
		if (t)
			utrans_close(t);
		py_broken = true;
		return NULL;
	}
	py_trans = t;
	if (py_key_ok)
		pthread_setspecific(py_key, t);
	return t;
}

/* Output state carried across chunks. */
typedef struct {
	char *full;
	size_t fcap, flen;
	bool fdone;  /* full is at capacity: nothing more is appended (prefix only) */
	char *init;
	size_t icap, ilen;
	bool idone;
	bool in_word;
} py_out;

/* Letters, digits and combining marks make up words; everything else separates them. */
static bool py_is_word(UChar32 c)
{
	if (u_isalnum(c))
		return true;
	int8_t t = u_charType(c);
	return t == U_NON_SPACING_MARK || t == U_COMBINING_SPACING_MARK || t == U_ENCLOSING_MARK;
}

/*
 * Adds one transliterated code point: word characters go to full (as UTF-8) and the
 * first ASCII letter/digit of each word to initials; format characters (ZWJ, ZWNJ,
 * Mongolian vowel separator …) are dropped without splitting the word.
 */
static void py_emit(py_out *o, UChar32 c)
{
	if (!py_is_word(c)) {
		if (u_charType(c) != U_FORMAT_CHAR)
			o->in_word = false;
		return;
	}
	if (!o->in_word) {
		o->in_word = true;
		if (c < 0x80 && !o->idone) {
			if (o->ilen + 1 < o->icap) {
				o->init[o->ilen++] = (char)c;
				o->init[o->ilen] = '\0';
			} else {
				o->idone = true;
			}
		}
	}
	if (o->fdone)
		return;
	uint8_t u8[4];
	int32_t n = 0;
	UBool err = false;
	U8_APPEND(u8, n, 4, c, err);
	if (err)
		return;
	if (o->flen + (size_t)n + 1 > o->fcap) {
		o->fdone = true;
		return;
	}
	memcpy(o->full + o->flen, u8, (size_t)n);
	o->flen += (size_t)n;
	o->full[o->flen] = '\0';
}

/*
 * Transliterates text[0..len) (capacity PY_TEXT_CAP) and emits the result.  When the
 * result does not fit (it should not: PY_EXPAND is generous) the chunk is redone in a
 * heap buffer of the size ICU asked for.  Returns false on an ICU error.
 */
static bool py_chunk(UTransliterator *t, UChar *text, int32_t len, py_out *o)
{
	UChar src[PY_CHUNK_HARD + 4];
	UChar *heap = NULL;
	UChar *out = text;
	UErrorCode st = U_ZERO_ERROR;
	int32_t tlen = len, limit = len;

	memcpy(src, text, (size_t)len * sizeof(UChar));
	utrans_transUChars(t, text, &tlen, PY_TEXT_CAP, 0, &limit, &st);
	if (st == U_BUFFER_OVERFLOW_ERROR || st == U_STRING_NOT_TERMINATED_WARNING ||
	    tlen > PY_TEXT_CAP) {
		int32_t cap = tlen + 16;
		heap = malloc((size_t)cap * sizeof(UChar));
		if (!heap)
			return false;
		memcpy(heap, src, (size_t)len * sizeof(UChar));
		st = U_ZERO_ERROR;
		tlen = len;
		limit = len;
		utrans_transUChars(t, heap, &tlen, cap, 0, &limit, &st);
		out = heap;
		if (tlen > cap)
			st = U_BUFFER_OVERFLOW_ERROR;
	}
	if (U_FAILURE(st)) {
		free(heap);
		return false;
	}
	for (int32_t i = 0; i < tlen;) {
		UChar32 c;
		U16_NEXT(out, i, tlen, c);
		py_emit(o, c);
	}
	free(heap);
	return true;
}

/*
 * Decodes the name chunk by chunk (cutting at separators where possible so that ICU
 * sees whole words, which matters for multi-character readings such as 重庆), and
 * stops early once both outputs are full.  Invalid UTF-8 acts as a separator.
 */
static int pinyin_compute(const char *name, char *full, size_t fullcap, char *initials, size_t initcap)
{
	py_out o = {
		.full = full,
		.fcap = full ? fullcap : 0,
		.init = initials,
		.icap = initials ? initcap : 0,
	};
	UChar text[PY_TEXT_CAP];

	if (o.fcap)
		full[0] = '\0';
	else
		o.fdone = true;
	if (o.icap)
		initials[0] = '\0';
	else
		o.idone = true;

	UTransliterator *t = py_get();
	if (!t)
		return -1;
	if (!name)
		return 0;

	const uint8_t *s = (const uint8_t *)name;
	int32_t i = 0, n = 0;
	size_t total = strlen(name);
	if (total > INT32_MAX)
		total = INT32_MAX;
	while (i < (int32_t)total && !(o.fdone && o.idone)) {
		UChar32 c;
		U8_NEXT(s, i, (int32_t)total, c);
		if (c < 0)
			c = ' ';
		U16_APPEND_UNSAFE(text, n, c);
		bool sep = !py_is_word(c);
		if (n >= PY_CHUNK_HARD || (n >= PY_CHUNK_SOFT && sep)) {
			if (!py_chunk(t, text, n, &o))
				return -1;
			n = 0;
		}
	}
	if (n > 0 && !(o.fdone && o.idone) && !py_chunk(t, text, n, &o))
		return -1;
	return 0;
}

/* A per-thread cache of syllables in front of ICU.  Han-Latin reads each Han
 * character on its own, so a name of common ideographs (U+4E00–U+9FFF) is the
 * concatenation of its characters' syllables; each character is transliterated once per
 * thread.  A transliteration costs tens of microseconds, which dominated bulk imports and
 * demo builds.  Names with anything else go to ICU whole. */
enum { PY_FIRST = 0x4E00, PY_LAST = 0x9FFF, PY_SYL = 8 };
typedef struct {
	char syl[PY_SYL]; /* "" = not yet known; "\x01" = not a plain syllable */
} py_char;
static _Thread_local py_char *py_cache;
static pthread_key_t py_cache_key;
static pthread_once_t py_cache_once = PTHREAD_ONCE_INIT;

static void py_cache_free(void *p)
{
	free(p);
}

static void py_cache_key_init(void)
{
	pthread_key_create(&py_cache_key, py_cache_free);
}

/* The syllable of one common ideograph (3 UTF-8 bytes at s), or NULL. */
static const char *py_syllable(const char *s)
{
	unsigned cp = ((unsigned)(s[0] & 0x0F) << 12) | ((unsigned)(s[1] & 0x3F) << 6) | (unsigned)(s[2] & 0x3F);
	py_char *c = &py_cache[cp - PY_FIRST];
	if (!c->syl[0]) {
		char one[4] = {s[0], s[1], s[2], 0}, full[32], init[8];
		bool plain = pinyin_compute(one, full, sizeof full, init, sizeof init) == 0 && full[0] &&
		             strlen(full) < PY_SYL && strspn(full, "abcdefghijklmnopqrstuvwxyz") == strlen(full);
		if (plain)
			memcpy(c->syl, full, strlen(full) + 1); /* plain: shorter than PY_SYL */
		else
			c->syl[0] = 1, c->syl[1] = 0;
	}
	return c->syl[0] == 1 ? NULL : c->syl;
}

int pinyin_of(const char *name, char *full, size_t fullcap, char *initials, size_t initcap)
{
	size_t n = name ? strlen(name) : 0;
	bool han = n > 0 && n % 3 == 0 && n <= 60 && full && initials && fullcap >= 8 * (n / 3) + 1 &&
	           initcap >= n / 3 + 1;
	for (size_t i = 0; han && i < n; i += 3) {
		const unsigned char *u = (const unsigned char *)name + i;
		unsigned cp = ((unsigned)(u[0] & 0x0F) << 12) | ((unsigned)(u[1] & 0x3F) << 6) | (unsigned)(u[2] & 0x3F);
		han = (u[0] & 0xF0) == 0xE0 && (u[1] & 0xC0) == 0x80 && (u[2] & 0xC0) == 0x80 && cp >= PY_FIRST && cp <= PY_LAST;
	}
	if (han && !py_cache) {
		pthread_once(&py_cache_once, py_cache_key_init);
		py_cache = calloc(PY_LAST - PY_FIRST + 1, sizeof *py_cache);
		if (py_cache)
			pthread_setspecific(py_cache_key, py_cache); /* freed when the thread ends */
		else
			han = false;
	}
	if (!han)
		return pinyin_compute(name, full, fullcap, initials, initcap);
	size_t fl = 0, il = 0;
	for (size_t i = 0; i < n; i += 3) {
		const char *syl = py_syllable(name + i);
		if (!syl)
			return pinyin_compute(name, full, fullcap, initials, initcap);
		size_t k = strlen(syl);
		memcpy(full + fl, syl, k);
		fl += k;
		initials[il++] = syl[0];
	}
	full[fl] = 0;
	initials[il] = 0;
	return 0;
}
