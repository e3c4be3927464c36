/*
 * Per-request memory: everything a request allocates comes from its arena and
 * is released in one call when the response has been written, so handlers
 * never free and cannot leak.
 */
#ifndef CANSD_ARENA_H
#define CANSD_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct arena;

struct arena *arena_new(size_t first_block_size);
void arena_free(struct arena *arena);
/* Keeps the first block so a worker reuses it request after request. */
void arena_reset(struct arena *arena);

void *arena_alloc(struct arena *arena, size_t size);
/*
 * Runs fn(ptr) at the next reset or free, newest first: how a request hands
 * libpq results and jansson values to its arena instead of freeing by hand.
 */
void arena_defer(struct arena *arena, void (*fn)(void *), void *ptr);
void *arena_calloc(struct arena *arena, size_t count, size_t size);
char *arena_strdup(struct arena *arena, const char *s);
char *arena_strndup(struct arena *arena, const char *s, size_t n);
char *arena_printf(struct arena *arena, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *arena_vprintf(struct arena *arena, const char *fmt, va_list ap);

/* A growable byte buffer whose storage lives in an arena. */
struct buf {
	struct arena *arena;
	char *data; /* always NUL-terminated when len > 0 */
	size_t len;
	size_t cap;
};

void buf_init(struct buf *b, struct arena *arena);
void buf_append(struct buf *b, const char *data, size_t len);
void buf_puts(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
