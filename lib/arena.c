/*
 * arena.c — region allocator and arena-backed buffers (see arena.h).
 *
 * Blocks are chained; the first block is kept across resets so a worker that serves
 * small requests never returns to malloc. Large requests get a block of their own.
 */
#include "arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_BLOCK_SIZE (16 * 1024)
#define ARENA_ALIGN 16

struct arena_block {
	struct arena_block *next;
	size_t size;
	size_t used;
	_Alignas(ARENA_ALIGN) unsigned char data[];
};

struct arena_cleanup {
	struct arena_cleanup *next;
	void (*fn)(void *);
	void *arg;
};

struct arena {
	struct arena_block *head;      /* current block; the first one is kept on reset */
	struct arena_block *first;
	struct arena_cleanup *cleanups;
};

/* The one place the station meets the end of memory: it says so, and aborts. */
static void *out_of_memory_unless(void *p)
{
	if (!p) {
		fputs("{\"level\":\"fatal\",\"msg\":\"out of memory\"}\n", stderr);
		abort();
	}
	return p;
}

void *xmalloc(size_t size)
{
	return out_of_memory_unless(malloc(size));
}

void *xcalloc(size_t count, size_t size)
{
	return out_of_memory_unless(calloc(count, size));
}

static struct arena_block *block_new(size_t size)
{
	struct arena_block *b = xmalloc(sizeof *b + size);
	b->next = NULL;
	b->size = size;
	b->used = 0;
	return b;
}

struct arena *arena_new(void)
{
	struct arena *a = xmalloc(sizeof *a);
	a->first = a->head = block_new(ARENA_BLOCK_SIZE);
	a->cleanups = NULL;
	return a;
}

void arena_reset(struct arena *a)
{
	while (a->cleanups) {
		struct arena_cleanup *c = a->cleanups;
		a->cleanups = c->next;
		c->fn(c->arg);
	}
	struct arena_block *b = a->head;
	while (b != a->first) {
		struct arena_block *next = b->next;
		free(b);
		b = next;
	}
	a->head = a->first;
	a->first->used = 0;
	a->first->next = NULL;
}

void arena_destroy(struct arena *a)
{
	if (!a)
		return;
	arena_reset(a);
	free(a->first);
	free(a);
}

void *arena_alloc(struct arena *a, size_t size)
{
	size = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (size == 0)
		size = ARENA_ALIGN;
	if (a->head->used + size > a->head->size) {
		size_t want = size > ARENA_BLOCK_SIZE ? size : ARENA_BLOCK_SIZE;
		struct arena_block *b = block_new(want);
		b->next = a->head;
		a->head = b;
	}
	void *p = a->head->data + a->head->used;
	a->head->used += size;
	memset(p, 0, size);
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

char *arena_vprintf(struct arena *a, const char *fmt, va_list ap)
{
	va_list copy;
	va_copy(copy, ap);
	int n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n < 0)
		n = 0;
	char *p = arena_alloc(a, (size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *p = arena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}

void arena_on_reset(struct arena *a, void (*fn)(void *), void *arg)
{
	struct arena_cleanup *c = arena_alloc(a, sizeof *c);
	c->fn = fn;
	c->arg = arg;
	c->next = a->cleanups;
	a->cleanups = c;
}

void buf_init(struct buf *b, struct arena *arena)
{
	b->arena = arena;
	b->cap = 256;
	b->data = arena_alloc(arena, b->cap);
	b->len = 0;
}

void buf_reserve(struct buf *b, size_t extra)
{
	if (b->len + extra + 1 <= b->cap)
		return;
	size_t cap = b->cap * 2;
	while (cap < b->len + extra + 1)
		cap *= 2;
	char *data = arena_alloc(b->arena, cap);
	memcpy(data, b->data, b->len);
	b->data = data;
	b->cap = cap;
}

void buf_append(struct buf *b, const void *data, size_t len)
{
	buf_reserve(b, len);
	memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void buf_puts(struct buf *b, const char *s)
{
	buf_append(b, s, strlen(s));
}

void buf_putc(struct buf *b, char c)
{
	buf_reserve(b, 1);
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n <= 0)
		return;
	buf_reserve(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	b->data[0] = '\0';
}
