/* pinyin.c — search keys for names through ICU's Han-Latin transform.  See pinyin.h.
 *
 * "Han-Latin; Latin-ASCII; Lower" turns 梁秀琴 into "liang xiu qin": ICU separates the
 * syllables of consecutive Han characters with spaces, which gives the initials; the
 * spaces (and punctuation such as the ·/- of transcribed minority names) are dropped
 * from the full form.  Each thread opens its own transliterator on first use. */
#include "core/pinyin.h"

#include <pthread.h>
#include <stdbool.h>
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
int pinyin_of(const char *name, char *full, size_t fullcap, char *initials, size_t initcap)
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
