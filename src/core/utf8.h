/* utf8.h — UTF-8 checks used by every parser of client input. */
#ifndef WG_UTF8_H
#define WG_UTF8_H
#include <stdbool.h>
#include <stddef.h>

/* True when s[0..n) is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF). */
bool utf8_valid(const char *s, size_t n);
/* Number of code points in a valid UTF-8 string. */
size_t utf8_len(const char *s);
/* True when s has no control characters (U+0000–U+001F, U+007F) — for names, rooms, codes. */
bool utf8_no_controls(const char *s);
#endif
