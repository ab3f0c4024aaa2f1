/* test_arena.c — the request arena: zeroed, aligned memory, big blocks, and the arenas a
 * thread keeps for reuse (each request's arena is not a malloc and a free of 16 KB). */
#include <malloc.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/arena.h"

static size_t in_use(void)
{
	return mallinfo2().uordblks;
}

static bool all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* Zeroed and 16-byte aligned, whatever the arena held before. */
static void test_alloc(void **state)
{
	(void)state;
	for (int round = 0; round < 3; round++) {
		arena *a = arena_new();
		for (size_t n = 1; n < 3000; n = n * 2 + 1) {
			unsigned char *p = arena_alloc(a, n);
			assert_int_equal((uintptr_t)p % 16, 0);
			assert_true(all_zero(p, n));
			memset(p, 0xa5, n); /* dirt for the next round's arena */
		}
		unsigned char *big = arena_alloc(a, 40000); /* a block of its own */
		assert_true(all_zero(big, 40000));
		memset(big, 0x5a, 40000);
		char *s = arena_printf(a, "%s-%d", "x", 7);
		assert_string_equal(s, "x-7");
		unsigned char *after = arena_alloc(a, 64); /* still from the current block */
		assert_true(all_zero(after, 64));
		arena_free(a);
	}
}

/* arena_printf prints in place when the block has room, else into an allocation of its
 * size (the block's end, just short and just past); buf_printf likewise. */
static void test_printf(void **state)
{
	(void)state;
	static char long_s[20000];
	memset(long_s, 'x', sizeof long_s - 1);
	arena *a = arena_new();
	for (size_t fill = 16 * 1024 - 64; fill < 16 * 1024; fill += 16) {
		arena_free(a);
		a = arena_new();
		memset(arena_alloc(a, fill), 0xee, fill); /* leaves 0..48 bytes of the first block */
		for (int w = 0; w < 40; w += 7) {
			char *s = arena_printf(a, "%0*d|%s", w, 42, "end");
			assert_int_equal(strlen(s), (size_t)(w > 2 ? w : 2) + 4);
			assert_string_equal(s + strlen(s) - 4, "|end");
			unsigned char *next = arena_alloc(a, 16);
			assert_true(all_zero(next, 16));
		}
	}
	char *big = arena_printf(a, "<%s>", long_s);
	assert_int_equal(strlen(big), sizeof long_s + 1);
	assert_int_equal(big[sizeof long_s], '>');
	arena_free(a);

	for (int heap = 0; heap < 2; heap++) {
		a = arena_new();
		buf b;
		buf_init(&b, heap ? NULL : a);
		buf_printf(&b, "%s", "");
		assert_null(b.p);
		for (int i = 0; i < 300; i++)
			buf_printf(&b, "%d,", i);
		buf_printf(&b, "%s", long_s);
		buf_printf(&b, "!");
		assert_int_equal(b.len, strlen(b.p));
		assert_memory_equal(b.p, "0,1,2,3,", 8);
		assert_memory_equal(b.p + b.len - 5, "xxxx!", 5);
		buf_release(&b);
		arena_free(a);
	}
}

/* A freed arena stays allocated for the thread's next arena_new, its other blocks freed;
 * the next one hands out its first block again, zeroed. */
static void test_reuse(void **state)
{
	(void)state;
	if (!ARENA_REUSE)
		skip();
	arena *a = arena_new();
	unsigned char *p = arena_alloc(a, 8000);
	memset(p, 0xff, 8000);
	arena_alloc(a, 100000); /* a big block */
	arena_alloc(a, 4000);
	arena_alloc(a, 8000); /* the first block is full: a second ordinary one */
	size_t held = in_use();
	if (held < 100000) { /* mallinfo2 counts nothing: another malloc (valgrind's) */
		arena_free(a);
		skip();
	}
	arena_free(a);
	size_t kept = in_use();
	assert_true(held - kept >= 100000 + 16 * 1024);    /* the blocks past the first went */
	assert_true(held - kept < 100000 + 2 * 16 * 1024); /* the first one did not */
	arena *b = arena_new();
	assert_ptr_equal(b, a);
	assert_int_equal(in_use(), kept);
	unsigned char *q = arena_alloc(b, 8000);
	assert_ptr_equal(q, p);
	assert_true(all_zero(q, 8000));
	arena_free(b);
}

/* Spares come back last freed first (in a thread of its own: the checks are counted
 * there, asserted here), and a thread's are freed when it ends. */
static void *churn(void *arg)
{
	int *wrong = arg;
	arena *a[40];
	for (int i = 0; i < 40; i++)
		arena_alloc(a[i] = arena_new(), 100);
	for (int i = 0; i < 40; i++)
		arena_free(a[i]);
	for (int i = 0; i < 32; i++) {
		arena *b = arena_new();
		*wrong += b != a[31 - i];
		arena_free(b);
		a[31 - i] = arena_new();
		*wrong += a[31 - i] != b;
	}
	for (int i = 0; i < 32; i++)
		arena_free(a[i]);
	return NULL;
}

static void test_thread_spares(void **state)
{
	(void)state;
	if (!ARENA_REUSE)
		skip();
	size_t before = in_use();
	int wrong = 0;
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, churn, &wrong), 0);
	pthread_join(t, NULL);
	assert_int_equal(wrong, 0);
	assert_true(in_use() < before + 16 * 1024);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_alloc),
	    cmocka_unit_test(test_printf),
	    cmocka_unit_test(test_reuse),
	    cmocka_unit_test(test_thread_spares),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
