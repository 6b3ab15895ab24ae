/*
 * ring.c — the FIFO of pointers (see ring.h). Allocates only its slots, with malloc; never
 * aborts: a failed growth is the caller's to answer.
 */
#include "ring.h"

#include <stdlib.h>

/* The slots grown to cap, the entries moved to their start in order; false when memory ran out. */
static bool ring_grow(struct ring *r, size_t cap)
{
	void **slots = malloc(cap * sizeof *slots);
	if (!slots)
		return false;
	for (size_t i = 0; i < r->count; i++)
		slots[i] = ring_at(r, i);
	free(r->slots);
	r->slots = slots;
	r->cap = cap;
	r->head = 0;
	return true;
}

bool ring_push(struct ring *r, void *p, size_t first, size_t max)
{
	if (r->count >= max)
		return false;
	if (r->count == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : first;
		if (!ring_grow(r, cap < max ? cap : max))
			return false;
	}
	r->count++;
	ring_set(r, r->count - 1, p);
	return true;
}

void *ring_shift(struct ring *r)
{
	if (!r->count)
		return NULL;
	void *p = r->slots[r->head];
	r->slots[r->head] = NULL;
	r->head = (r->head + 1) % r->cap;
	ring_truncate(r, r->count - 1);
	return p;
}

void ring_truncate(struct ring *r, size_t n)
{
	r->count = n;
	if (n == 0)
		r->head = 0;
}

void ring_release(struct ring *r)
{
	free(r->slots);
	*r = (struct ring){ 0 };
}
