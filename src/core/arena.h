/* arena.h — per-request (or per-command) bump allocator.
 * Everything allocated from an arena lives until arena_free(); callers never free
 * individual blocks.  Allocation failure aborts the process (as Redis' zmalloc does),
 * so callers do not check for NULL. */
#ifndef WG_ARENA_H
#define WG_ARENA_H
#include <stdarg.h>
#include <stddef.h>

typedef struct arena arena;

/* 1 where a thread keeps the arenas it frees for its next arena_new (arena.c); 0 under
 * AddressSanitizer, which is to see each arena's memory freed. */
#if defined(__SANITIZE_ADDRESS__)
#define ARENA_REUSE 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ARENA_REUSE 0
#endif
#endif
#ifndef ARENA_REUSE
#define ARENA_REUSE 1
#endif

arena *arena_new(void);
void arena_free(arena *a);
void *arena_alloc(arena *a, size_t n);   /* zeroed, 16-byte aligned */
char *arena_strdup(arena *a, const char *s);
char *arena_strndup(arena *a, const char *s, size_t n);
char *arena_printf(arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *arena_vprintf(arena *a, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* Growable byte buffer whose storage comes from an arena (or the heap when a == NULL,
 * then buf_release() frees it). Always NUL-terminated. */
typedef struct {
	arena *a;
	char *p;
	size_t len, cap;
} buf;

void buf_init(buf *b, arena *a);
void buf_put(buf *b, const void *p, size_t n);
void buf_puts(buf *b, const char *s);
void buf_putc(buf *b, char c);
void buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_release(buf *b);

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
#endif
