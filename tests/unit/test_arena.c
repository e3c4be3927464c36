/*
 * core/arena.c: the per-request bump allocator, its deferred cleanups and
 * the arena-backed byte buffer. ASan's leak check at exit is part of every
 * test here: whatever an arena hands out must come back at reset or free.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdalign.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "core/arena.h"

static int setup_small(void **state)
{
	*state = arena_new(64);
	return 0;
}

static int teardown(void **state)
{
	arena_free(*state);
	return 0;
}

static bool aligned(const void *p)
{
	return (uintptr_t)p % alignof(max_align_t) == 0;
}

/* ---- allocation ---------------------------------------------------------- */

static void test_arena_allocations_are_max_aligned(void **state)
{
	struct arena *arena = *state;
	size_t size;

	for (size = 1; size < 200; size += 7) {
		void *p = arena_alloc(arena, size);

		if (!aligned(p))
			fail_msg("arena_alloc(%zu) = %p is not aligned", size, p);
	}
	assert_true(aligned(arena_strdup(arena, "x")));
	assert_true(aligned(arena_calloc(arena, 3, 5)));
}

static void test_arena_allocations_do_not_overlap(void **state)
{
	struct arena *arena = *state;
	unsigned char *blocks[100];
	size_t i, j;

	for (i = 0; i < 100; i++) {
		blocks[i] = arena_alloc(arena, i + 1);
		memset(blocks[i], (int)i, i + 1);
	}
	for (i = 0; i < 100; i++)
		for (j = 0; j <= i; j++)
			if (blocks[i][j] != (unsigned char)i)
				fail_msg("allocation %zu was overwritten at byte %zu", i, j);
}

static void test_arena_grows_past_the_first_block(void **state)
{
	struct arena *arena = *state; /* 64-byte first block */
	char *strings[50];
	int i;

	for (i = 0; i < 50; i++)
		strings[i] = arena_printf(arena, "string number %d, long enough to need room", i);
	for (i = 0; i < 50; i++) {
		char expected[64];

		snprintf(expected, sizeof(expected), "string number %d, long enough to need room",
			 i);
		assert_string_equal(strings[i], expected);
	}
}

static void test_arena_allocation_larger_than_a_doubled_block_fits(void **state)
{
	struct arena *arena = *state;
	char *big = arena_alloc(arena, 100000);
	char *small = arena_alloc(arena, 10);

	memset(big, 'b', 100000);
	memset(small, 's', 10);
	assert_int_equal(big[0], 'b');
	assert_int_equal(big[99999], 'b');
	assert_true(aligned(big));
	assert_true(aligned(small));
}

static void test_arena_default_first_block_size_works(void **state)
{
	struct arena *arena = arena_new(0);
	char *p;

	(void)state;
	p = arena_alloc(arena, 5000);
	memset(p, 1, 5000);
	assert_string_equal(arena_strdup(arena, "after"), "after");
	arena_free(arena);
}

static void test_arena_reset_keeps_working(void **state)
{
	struct arena *arena = *state;
	int round;

	for (round = 0; round < 20; round++) {
		int i;
		char *s;

		/* Grow well past the first block, then give it all back. */
		for (i = 0; i < 30; i++)
			memset(arena_alloc(arena, 1000), round, 1000);
		s = arena_printf(arena, "round %d", round);
		assert_non_null(s);
		arena_reset(arena);
		s = arena_strdup(arena, "fresh");
		assert_string_equal(s, "fresh");
		assert_true(aligned(s));
	}
}

static void test_arena_reset_reuses_the_first_block(void **state)
{
	struct arena *arena = *state;
	void *first = arena_alloc(arena, 8);
	void *again;

	arena_alloc(arena, 10000); /* a second block */
	arena_reset(arena);
	again = arena_alloc(arena, 8);
	assert_ptr_equal(first, again);
}

static void test_arena_free_of_null_is_harmless(void **state)
{
	(void)state;
	arena_free(NULL);
}

static void test_arena_calloc_zeroes(void **state)
{
	struct arena *arena = *state;
	unsigned char *p;
	size_t i;

	/* Dirty the memory first so zeroes are not luck. */
	memset(arena_alloc(arena, 48), 0xAA, 48);
	arena_reset(arena);
	p = arena_calloc(arena, 12, 4);
	for (i = 0; i < 48; i++)
		assert_int_equal(p[i], 0);
}

static void test_arena_strdup_and_strndup_copy(void **state)
{
	struct arena *arena = *state;
	char src[] = "hello world";
	char *a = arena_strdup(arena, src);
	char *b = arena_strndup(arena, src, 5);
	char *c = arena_strndup(arena, "ab\0cd", 5);

	src[0] = 'J';
	assert_string_equal(a, "hello world");
	assert_string_equal(b, "hello");
	assert_memory_equal(c, "ab\0cd", 6);
	assert_null(arena_strdup(arena, NULL));
	assert_string_equal(arena_strndup(arena, "xyz", 0), "");
}

static void test_arena_printf_formats_long_output(void **state)
{
	struct arena *arena = *state;
	char *s = arena_printf(arena, "%d-%s-%05.1f", 42, "x", 3.14159);
	char *long_s;
	size_t i;

	assert_string_equal(s, "42-x-003.1");
	long_s = arena_printf(arena, "%3000s|", "end");
	assert_int_equal(strlen(long_s), 3001);
	for (i = 0; i < 2997; i++)
		assert_int_equal(long_s[i], ' ');
	assert_string_equal(long_s + 2997, "end|");
}

/* ---- arena_defer ------------------------------------------------------- */

static int calls[16];
static int n_calls;

static void record(void *p)
{
	if (n_calls < 16)
		calls[n_calls] = *(int *)p;
	n_calls++;
}

static void test_arena_defer_runs_newest_first_at_reset(void **state)
{
	struct arena *arena = *state;
	static int one = 1, two = 2, three = 3;

	n_calls = 0;
	arena_defer(arena, record, &one);
	arena_defer(arena, record, &two);
	arena_alloc(arena, 5000); /* the third record lands in a later block */
	arena_defer(arena, record, &three);
	assert_int_equal(n_calls, 0);
	arena_reset(arena);
	assert_int_equal(n_calls, 3);
	assert_int_equal(calls[0], 3);
	assert_int_equal(calls[1], 2);
	assert_int_equal(calls[2], 1);
}

static void test_arena_defer_runs_once(void **state)
{
	struct arena *arena = *state;
	static int seven = 7;

	n_calls = 0;
	arena_defer(arena, record, &seven);
	arena_reset(arena);
	arena_reset(arena);
	assert_int_equal(n_calls, 1);
	arena_defer(arena, record, &seven);
	arena_reset(arena);
	assert_int_equal(n_calls, 2);
}

static void test_arena_free_runs_deferred_callbacks(void **state)
{
	struct arena *arena = arena_new(32);
	static int five = 5;

	(void)state;
	n_calls = 0;
	arena_defer(arena, record, &five);
	arena_free(arena);
	assert_int_equal(n_calls, 1);
	assert_int_equal(calls[0], 5);
}

static void decref(void *p)
{
	json_decref(p);
}

static void test_arena_defer_releases_foreign_memory(void **state)
{
	struct arena *arena = *state;
	int i;

	/* Without the deferred free, ASan reports these as leaks at exit. */
	for (i = 0; i < 10; i++) {
		arena_defer(arena, free, malloc(100));
		arena_defer(arena, decref, json_pack("{s:i}", "i", i));
	}
	arena_reset(arena);
}

/* ---- buf ---------------------------------------------------------------- */

static void test_buf_starts_empty(void **state)
{
	struct buf b;

	buf_init(&b, *state);
	assert_ptr_equal(b.arena, *state);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
}

static void test_buf_append_puts_and_printf_concatenate(void **state)
{
	struct buf b;

	buf_init(&b, *state);
	buf_append(&b, "abcdef", 3);
	buf_puts(&b, "-");
	buf_printf(&b, "%d/%s", 12, "x");
	assert_int_equal(b.len, 8);
	assert_string_equal(b.data, "abc-12/x");
}

static void test_buf_is_nul_terminated_after_every_write(void **state)
{
	struct buf b;

	buf_init(&b, *state);
	buf_append(&b, "", 0);
	assert_non_null(b.data);
	assert_string_equal(b.data, "");
	buf_puts(&b, "a");
	assert_int_equal(b.data[b.len], '\0');
	buf_printf(&b, "%s", "");
	assert_int_equal(b.len, 1);
	assert_string_equal(b.data, "a");
}

static void test_buf_keeps_embedded_nul_bytes(void **state)
{
	struct buf b;

	buf_init(&b, *state);
	buf_append(&b, "a\0b", 3);
	assert_int_equal(b.len, 3);
	assert_memory_equal(b.data, "a\0b", 4);
}

static void test_buf_grows_through_many_blocks(void **state)
{
	struct buf b;
	size_t i;

	buf_init(&b, *state); /* the arena's first block is 64 bytes */
	for (i = 0; i < 20000; i++)
		buf_printf(&b, "%05zu", i);
	assert_int_equal(b.len, 100000);
	assert_memory_equal(b.data, "0000000001", 10);
	assert_memory_equal(b.data + 99995, "19999", 5);
	assert_int_equal(b.data[b.len], '\0');
	buf_append(&b, "tail", 4);
	assert_string_equal(b.data + 100000, "tail");
}

static void test_buf_printf_longer_than_capacity(void **state)
{
	struct buf b;

	buf_init(&b, *state);
	buf_puts(&b, "x");
	buf_printf(&b, "%1000d", 7);
	assert_int_equal(b.len, 1001);
	assert_int_equal(b.data[1000], '7');
	assert_int_equal(b.data[1001], '\0');
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup_small, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_arena_allocations_are_max_aligned),
		T(test_arena_allocations_do_not_overlap),
		T(test_arena_grows_past_the_first_block),
		T(test_arena_allocation_larger_than_a_doubled_block_fits),
		T(test_arena_default_first_block_size_works),
		T(test_arena_reset_keeps_working),
		T(test_arena_reset_reuses_the_first_block),
		T(test_arena_free_of_null_is_harmless),
		T(test_arena_calloc_zeroes),
		T(test_arena_strdup_and_strndup_copy),
		T(test_arena_printf_formats_long_output),
		T(test_arena_defer_runs_newest_first_at_reset),
		T(test_arena_defer_runs_once),
		T(test_arena_free_runs_deferred_callbacks),
		T(test_arena_defer_releases_foreign_memory),
		T(test_buf_starts_empty),
		T(test_buf_append_puts_and_printf_concatenate),
		T(test_buf_is_nul_terminated_after_every_write),
		T(test_buf_keeps_embedded_nul_bytes),
		T(test_buf_grows_through_many_blocks),
		T(test_buf_printf_longer_than_capacity),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
