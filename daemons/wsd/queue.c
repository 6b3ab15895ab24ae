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

#include "arena.h"

struct ws_msg *ws_msg_new(const char *data, size_t len)
{
	struct ws_msg *m = xmalloc(sizeof *m + WS_MSG_PRE + len + 1);
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

void ws_queue_clear(struct ws_queue *q)
{
	while (q->ring.count)
		ws_queue_pop(q);
}

void ws_queue_free(struct ws_queue *q)
{
	ws_queue_clear(q);
	ring_release(&q->ring);
	q->limit = 0;
}

bool ws_queue_push(struct ws_queue *q, struct ws_msg *m)
{
	if (q->ring.count >= q->limit)
		return false;
	if (!ring_push(&q->ring, m, WS_QUEUE_FIRST_SLOTS, q->limit))
		abort(); /* out of memory ends the process, as everywhere in the station */
	ws_msg_ref(m);
	return true;
}

struct ws_msg *ws_queue_peek(const struct ws_queue *q)
{
	return q->ring.count ? ring_at(&q->ring, 0) : NULL;
}

void ws_queue_pop(struct ws_queue *q)
{
	struct ws_msg *m = ring_shift(&q->ring);
	if (q->ring.count == 0 && q->ring.cap > WS_QUEUE_FIRST_SLOTS)
		ring_release(&q->ring);
	ws_msg_unref(m);
}
