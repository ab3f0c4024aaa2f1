/* arena.c — bump allocator in chained blocks; see arena.h. */
#include "core/arena.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct block {
	struct block *next;
	size_t used, cap;
	_Alignas(16) unsigned char data[];
};

/* An arena and its first block are one allocation: the block follows the header. */
struct arena {
	struct block *head;
	struct block *first;
	struct arena *next_spare; /* a thread's spares (below) */
	size_t spares;            /* how many, this one included, when it is the first spare */
};

enum { ARENA_BLOCK = 16 * 1024 };

/* Each thread keeps up to ARENA_SPARES of the arenas it freed (their first blocks
 * emptied) for its next arena_new: a request's arena is then neither a 16 KB malloc nor a
 * free, nor the consolidation of glibc's fast bins that an allocation that large sets off
 * each time.  Several, because an HTTP thread holds the arenas of every request it has
 * parked for the writer (16 connections each in the morning rush) and frees them after
 * the batch's commit, one after another.  Not under AddressSanitizer, which is to see each
 * arena's memory freed and a use after arena_free reported as such. */
enum { ARENA_SPARES = 32 }; /* 0.5 MB a thread at most */

#if ARENA_REUSE
static pthread_key_t spares_key; /* the thread's first spare */
static pthread_once_t spares_once = PTHREAD_ONCE_INIT;

static void spares_drop(void *p)
{
	for (arena *a = p, *n; a; a = n) { /* the thread ended: one allocation each */
		n = a->next_spare;
		free(a);
	}
}

static void spares_init(void)
{
	pthread_key_create(&spares_key, spares_drop);
}
#endif

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p) {
		fputs("wangge: out of memory\n", stderr);
		abort();
	}
	return p;
}

void *xcalloc(size_t n, size_t m)
{
	void *p = calloc(n ? n : 1, m ? m : 1);
	if (!p) {
		fputs("wangge: out of memory\n", stderr);
		abort();
	}
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p) {
		fputs("wangge: out of memory\n", stderr);
		abort();
	}
	return p;
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	return memcpy(xmalloc(n), s, n);
}

arena *arena_new(void)
{
	arena *a;
#if ARENA_REUSE
	pthread_once(&spares_once, spares_init);
	if ((a = pthread_getspecific(spares_key))) {
		if (a->next_spare)
			a->next_spare->spares = a->spares - 1;
		pthread_setspecific(spares_key, a->next_spare);
		a->next_spare = NULL;
		return a;
	}
#endif
	_Static_assert(sizeof(arena) % 16 == 0, "the first block follows the header, aligned");
	a = xmalloc(sizeof(arena) + sizeof(struct block) + ARENA_BLOCK);
	*a = (arena){.first = (struct block *)(void *)(a + 1)};
	a->first->next = NULL;
	a->first->used = 0;
	a->first->cap = ARENA_BLOCK;
	a->head = a->first;
	return a;
}

void arena_free(arena *a)
{
	if (!a)
		return;
	for (struct block *b = a->head, *n; b; b = n) {
		n = b->next;
		if (b != a->first)
			free(b);
	}
#if ARENA_REUSE
	arena *top = pthread_getspecific(spares_key);
	if (!top || top->spares < ARENA_SPARES) {
		a->first->next = NULL;
		a->first->used = 0;
		a->head = a->first;
		a->next_spare = top;
		a->spares = top ? top->spares + 1 : 1;
		pthread_setspecific(spares_key, a);
		return;
	}
#endif
	free(a);
}

void *arena_alloc(arena *a, size_t n)
{
	n = (n + 15) & ~(size_t)15;
	struct block *b = a->head;
	if (!b || b->cap - b->used < n) {
		size_t cap = n > ARENA_BLOCK / 2 ? n : ARENA_BLOCK;
		struct block *nb = xmalloc(sizeof *nb + cap);
		nb->used = 0;
		nb->cap = cap;
		if (n > ARENA_BLOCK / 2 && b) { /* big block: keep the current one on top */
			nb->next = b->next;
			b->next = nb;
		} else {
			nb->next = b;
			a->head = nb;
		}
		b = nb;
	}
	void *p = b->data + b->used;
	b->used += n;
	memset(p, 0, n);
	return p;
}

char *arena_strndup(arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = 0;
	return p;
}

char *arena_strdup(arena *a, const char *s)
{
	return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

/* Printed straight into the current block when it fits (one pass, not a measure and a
 * print), else measured and printed into an allocation of its size. */
char *arena_vprintf(arena *a, const char *fmt, va_list ap)
{
	struct block *b = a->head;
	char *p = (char *)b->data + b->used;
	size_t room = b->cap - b->used;
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(p, room, fmt, cp);
	va_end(cp);
	if (n >= 0 && (size_t)n < room) {
		size_t k = ((size_t)n + 1 + 15) & ~(size_t)15; /* as arena_alloc: rounded, the rest zeroed */
		memset(p + n + 1, 0, k - ((size_t)n + 1));
		b->used += k;
		return p;
	}
	if (n < 0)
		n = 0;
	p = arena_alloc(a, (size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *arena_printf(arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *p = arena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}

void buf_init(buf *b, arena *a)
{
	b->a = a;
	b->p = NULL;
	b->len = b->cap = 0;
}

static void buf_grow(buf *b, size_t need)
{
	if (b->len + need + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap * 2 : 256;
	while (cap < b->len + need + 1)
		cap *= 2;
	if (b->a) {
		char *p = arena_alloc(b->a, cap);
		if (b->len)
			memcpy(p, b->p, b->len);
		b->p = p;
	} else {
		b->p = xrealloc(b->p, cap);
	}
	b->cap = cap;
}

void buf_put(buf *b, const void *p, size_t n)
{
	buf_grow(b, n);
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = 0;
}

void buf_puts(buf *b, const char *s)
{
	buf_put(b, s, strlen(s));
}

void buf_putc(buf *b, char c)
{
	buf_put(b, &c, 1);
}

void buf_printf(buf *b, const char *fmt, ...)
{
	va_list ap, cp;
	va_start(ap, fmt);
	va_copy(cp, ap);
	/* into the room there is when it fits (one pass), else measured, grown and printed */
	size_t room = b->cap - b->len;
	int n = vsnprintf(b->cap ? b->p + b->len : NULL, room, fmt, cp);
	va_end(cp);
	if (n > 0 && (size_t)n >= room) {
		buf_grow(b, (size_t)n);
		vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	}
	if (n > 0)
		b->len += (size_t)n;
	else if (b->cap)
		b->p[b->len] = 0; /* an encoding error may have left a part */
	va_end(ap);
}

void buf_release(buf *b)
{
	if (!b->a)
		free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}
