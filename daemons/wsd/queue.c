/*
 * queue.c — refcounted messages and the bounded per-client ring (see queue.h).
 *
 * Single-threaded by design (wsd has one event loop), so references are plain counters.
 * Must never hold more than a queue's limit, and never free a message another queue
 * still holds.
 */
#include "queue.h"

#include <stdlib.h>
#include <string.h>

struct ws_msg *ws_msg_new(const char *data, size_t len)
{
	struct ws_msg *m = malloc(sizeof *m + WS_MSG_PRE + len + 1);
	if (!m)
		abort(); /* as the arena does: out of memory ends the process, the supervisor restarts it */
	m->refs = 1;
	m->len = len;
	memset(m->bytes, 0, WS_MSG_PRE);
	memcpy(m->bytes + WS_MSG_PRE, data, len);
	m->bytes[WS_MSG_PRE + len] = '\0';
	return m;
}

void ws_msg_ref(struct ws_msg *m)
{
	m->refs++;
}

void ws_msg_unref(struct ws_msg *m)
{
	if (m && --m->refs == 0)
		free(m);
}

void ws_queue_init(struct ws_queue *q, size_t limit)
{
	*q = (struct ws_queue){ .limit = limit };
}

static void release_ring(struct ws_queue *q)
{
	free(q->slots);
	q->slots = NULL;
	q->cap = 0;
	q->head = 0;
}

void ws_queue_clear(struct ws_queue *q)
{
	while (q->count)
		ws_queue_pop(q);
	q->head = 0;
}

void ws_queue_free(struct ws_queue *q)
{
	ws_queue_clear(q);
	release_ring(q);
	q->limit = 0;
}

/* A ring twice as large (at most limit), the messages moved to its start in order. */
static void grow(struct ws_queue *q)
{
	size_t cap = q->cap ? q->cap * 2 : WS_QUEUE_FIRST_SLOTS;
	if (cap > q->limit)
		cap = q->limit;
	struct ws_msg **slots = malloc(cap * sizeof *slots);
	if (!slots)
		abort(); /* as the arena does: out of memory ends the process, the supervisor restarts it */
	for (size_t i = 0; i < q->count; i++)
		slots[i] = q->slots[(q->head + i) % q->cap];
	free(q->slots);
	q->slots = slots;
	q->cap = cap;
	q->head = 0;
}

bool ws_queue_push(struct ws_queue *q, struct ws_msg *m)
{
	if (q->count >= q->limit)
		return false;
	if (q->count == q->cap)
		grow(q);
	q->slots[(q->head + q->count) % q->cap] = m;
	q->count++;
	ws_msg_ref(m);
	return true;
}

struct ws_msg *ws_queue_peek(const struct ws_queue *q)
{
	return q->count ? q->slots[q->head] : NULL;
}

void ws_queue_pop(struct ws_queue *q)
{
	if (!q->count)
		return;
	struct ws_msg *m = q->slots[q->head];
	q->slots[q->head] = NULL;
	q->head = (q->head + 1) % q->cap;
	q->count--;
	if (q->count == 0 && q->cap > WS_QUEUE_FIRST_SLOTS)
		release_ring(q);
	ws_msg_unref(m);
}
