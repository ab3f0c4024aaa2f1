/* pinyin.h — Han → Latin transliteration for search, through ICU's "Han-Latin" transform
 * (no hand-made table).  Thread-safe: each thread keeps its own transliterator. */
#ifndef WG_PINYIN_H
#define WG_PINYIN_H
#include <stddef.h>

/* For a UTF-8 name, write the full pinyin without tones or spaces, lower-case
 * ("梁秀琴" → "liangxiuqin") into full, and the initials ("lxq") into initials.
 * Non-Han letters are transliterated to ASCII where ICU can (Latin-ASCII), other scripts
 * (Uyghur, Mongolian …) are kept in their lower-cased form in full and skipped in
 * initials.  Both outputs are always NUL-terminated and truncated to their capacity.
 * Returns 0 on success, -1 if ICU could not open its transform. */
int pinyin_of(const char *name, char *full, size_t fullcap, char *initials, size_t initcap);
#endif
