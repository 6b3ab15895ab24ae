/*
 * arena.h — region allocator: one arena per request (workers) or per message (daemons).
 *
 * Everything a request needs is carved out of its arena and released at once by
 * arena_reset(). Non-memory resources (PGresult, json-c objects, descriptors) are
 * registered with arena_on_reset() so they die with the arena. Allocation never returns
 * NULL: running out of memory aborts the process, which the supervisor replaces.
 * Nothing allocated here may be passed to free().
 */
#ifndef STATION_ARENA_H
#define STATION_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct arena;

struct arena *arena_new(void);
void arena_destroy(struct arena *arena);
/* Runs the registered cleanups (last registered first) and forgets every allocation. */
void arena_reset(struct arena *arena);

void *arena_alloc(struct arena *arena, size_t size);          /* zeroed, 16-byte aligned */
char *arena_strdup(struct arena *arena, const char *s);
char *arena_strndup(struct arena *arena, const char *s, size_t n);
char *arena_printf(struct arena *arena, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
char *arena_vprintf(struct arena *arena, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
void arena_on_reset(struct arena *arena, void (*cleanup)(void *), void *arg);

/* Memory outside any arena, for what outlives one (a daemon's connections and queues),
 * given back with free(). The arena's rule holds here too: these never return NULL,
 * running out of memory aborts the process. xcalloc's memory is zeroed. */
void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);

/* Growable byte buffer whose storage lives in an arena. */
struct buf {
	struct arena *arena;
	char *data;     /* always NUL-terminated */
	size_t len;
	size_t cap;
};

void buf_init(struct buf *b, struct arena *arena);
void buf_append(struct buf *b, const void *data, size_t len);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
/* Makes room for extra more bytes and the NUL, for a writer that fills b->data + b->len
 * itself and then advances len (the JSON writer's escaper). */
void buf_reserve(struct buf *b, size_t extra);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_reset(struct buf *b);

#endif
