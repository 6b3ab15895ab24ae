/*
 * queue.h — the messages wsd sends and the bounded queue each client keeps of them.
 *
 * A station_events notification becomes one refcounted struct ws_msg, shared by every
 * client queue it is pushed into: fan-out to 2000 clients costs 2000 pointers, not 2000
 * copies. The bytes sit after WS_MSG_PRE bytes of headroom (libwebsockets writes its
 * frame header there), so a message is written as it is stored.
 *
 * A queue is a ring of pointers (lib/ring.h) that holds at most `limit` messages. The ring is
 * allocated on the first push, grows by doubling while messages pile up (never past
 * limit) and is given back when a queue that grew drains, so an idle client costs no
 * ring at all and one that keeps up costs WS_QUEUE_FIRST_SLOTS pointers. Pushing into a
 * full queue fails — the caller drops that client — so a client that stops reading can
 * hold at most limit messages, never delay the others.
 *
 * Pure code (no libwebsockets calls, no I/O): unit-tested by tests/unit/test_wsd_queue.c.
 */
#ifndef WSD_QUEUE_H
#define WSD_QUEUE_H

#include <stdbool.h>
#include <stddef.h>

#include <libwebsockets.h>

#include "ring.h"

/* Headroom before the payload: exactly what lws_write() needs. */
#define WS_MSG_PRE LWS_PRE

struct ws_msg {
	unsigned refs;
	size_t len;
	unsigned char bytes[]; /* WS_MSG_PRE of headroom, then len bytes, then a NUL */
};

/* A message holding a copy of data[0..len), with one reference (the caller's). */
struct ws_msg *ws_msg_new(const char *data, size_t len);
/* The payload: what goes on the wire. */
static inline unsigned char *ws_msg_payload(struct ws_msg *m) { return m->bytes + WS_MSG_PRE; }
void ws_msg_ref(struct ws_msg *m);
/* Drops one reference; the last one frees the message. NULL is ignored. */
void ws_msg_unref(struct ws_msg *m);

/* The ring's size when it is first needed (a power of two). */
#define WS_QUEUE_FIRST_SLOTS 4

struct ws_queue {
	struct ring ring; /* of struct ws_msg *: no slots until the first push, nor after a grown queue drained */
	size_t limit;     /* most messages held */
};

/* An empty queue that will hold at most limit messages; allocates nothing. */
void ws_queue_init(struct ws_queue *q, size_t limit);
/* Unreferences every queued message and frees the ring; the queue is then empty and
 * accepts nothing more (its limit is 0). */
void ws_queue_free(struct ws_queue *q);
/* Appends m with a new reference; false (and nothing changes) when the queue holds its
 * limit. Out of memory ends the process, as everywhere in the station. */
bool ws_queue_push(struct ws_queue *q, struct ws_msg *m);
/* The oldest message, still queued; NULL when empty. */
struct ws_msg *ws_queue_peek(const struct ws_queue *q);
/* Removes the oldest message and drops the queue's reference to it; the last one out
 * of a ring that had grown past WS_QUEUE_FIRST_SLOTS frees the ring. */
void ws_queue_pop(struct ws_queue *q);
/* Empties the queue (every reference dropped); the limit stays. */
void ws_queue_clear(struct ws_queue *q);

#endif
