/*
 * ring.h — a FIFO of pointers, in a ring that grows by doubling and never past a bound.
 *
 * The one ring of the station: mqttd's telemetry queue (daemons/mqttd/domain/pending.h)
 * and every wsd client's send queue (daemons/wsd/queue.h) hold their messages in one. The
 * slots are allocated on the first push, and growing moves the entries, oldest first, to
 * the start of the new slots, so the order survives a wrap. The ring owns its slots, never
 * what they point to; what to do when memory runs out is the caller's (ring_push says).
 * Pure: no I/O.
 */
#ifndef STATION_RING_H
#define STATION_RING_H

#include <stdbool.h>
#include <stddef.h>

struct ring {
	void **slots; /* NULL until the first push, and after ring_release() */
	size_t cap;   /* slots allocated */
	size_t head;  /* index of the oldest entry */
	size_t count;
};

/* The i-th oldest entry; i < count. */
static inline void *ring_at(const struct ring *r, size_t i)
{
	return r->slots[(r->head + i) % r->cap];
}

/* Puts p in the place of the i-th oldest entry; i < count. */
static inline void ring_set(struct ring *r, size_t i, void *p)
{
	r->slots[(r->head + i) % r->cap] = p;
}

/* Appends p. A full ring grows first: to `first` slots, then to twice its size, never to
 * more than max. False, and nothing changed, when it holds max entries already or
 * memory ran out. */
bool ring_push(struct ring *r, void *p, size_t first, size_t max);
/* Removes the oldest entry and returns it; NULL when the ring is empty. */
void *ring_shift(struct ring *r);
/* Keeps the n oldest entries (n <= count): what ring_set() compacted to the front. */
void ring_truncate(struct ring *r, size_t n);
/* Frees the slots; the ring is then empty, with none allocated. */
void ring_release(struct ring *r);

#endif
