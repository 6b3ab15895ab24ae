/*
 * test_wsd_queue.c — station-wsd's refcounted messages and bounded per-client queues:
 * an idle queue holds no ring, the ring grows while messages pile up and is given back
 * when they drain, a full queue refuses instead of growing past its limit, order is kept
 * across the ring's wrap and its growth, and a message shared by several queues lives
 * exactly as long as its last holder (the sanitizer build checks the frees).
 */
#include <stdbool.h>
#include <stdlib.h>

#include "queue.h"
#include "tap.h"

int main(void)
{
	struct ws_msg *m = ws_msg_new("{\"type\":\"x\"}", 12);
	ok(m->refs == 1 && m->len == 12, "a new message has one reference and its length");
	is_str((const char *)ws_msg_payload(m), "{\"type\":\"x\"}", "the payload is copied and NUL-terminated");
	ok(ws_msg_payload(m) - m->bytes == WS_MSG_PRE, "the payload follows LWS_PRE bytes of headroom");

	/* ok() evaluates its condition twice: every call with an effect is made outside it. */
	struct ws_queue q;
	ws_queue_init(&q, 3);
	ok(q.limit == 3 && q.ring.count == 0 && q.ring.slots == NULL, "a queue of limit 3 starts empty, with no ring");
	ok(ws_queue_peek(&q) == NULL, "an empty queue has nothing to peek");
	bool pushed = ws_queue_push(&q, m);
	pushed = ws_queue_push(&q, m) && pushed;
	pushed = ws_queue_push(&q, m) && pushed;
	ok(pushed, "three pushes fit");
	ok(m->refs == 4, "each queued copy holds a reference (4)");
	pushed = ws_queue_push(&q, m);
	ok(!pushed, "a fourth push is refused");
	ok(q.ring.count == 3 && m->refs == 4, "a refused push changes nothing");

	struct ws_msg *a = ws_msg_new("a", 1), *b = ws_msg_new("b", 1);
	ws_queue_clear(&q);
	ok(q.ring.count == 0 && m->refs == 1, "clear drops every queued reference");
	ws_queue_push(&q, a);
	ws_queue_push(&q, b);
	ws_queue_pop(&q);
	ws_queue_push(&q, m);
	ws_queue_push(&q, a); /* wraps around the end of the ring */
	ok(q.ring.count == 3, "pushes after a pop fill the ring again");
	ok(ws_queue_peek(&q) == b, "the oldest message comes first (b)");
	ws_queue_pop(&q);
	ok(ws_queue_peek(&q) == m, "then m");
	ws_queue_pop(&q);
	ok(ws_queue_peek(&q) == a, "then a, across the wrap");
	ws_queue_pop(&q);
	ok(ws_queue_peek(&q) == NULL && q.ring.count == 0, "then nothing");
	ws_queue_pop(&q);
	ok(q.ring.count == 0, "popping an empty queue is harmless");

	/* One message, two queues: the last holder frees it. */
	struct ws_queue r;
	ws_queue_init(&r, 1);
	struct ws_msg *shared = ws_msg_new("shared", 6);
	ws_queue_push(&q, shared);
	ws_queue_push(&r, shared);
	ws_msg_unref(shared); /* the broadcaster lets go */
	ok(shared->refs == 2, "a shared message is held by both queues");
	ws_queue_pop(&q);
	ok(shared->refs == 1 && ws_queue_peek(&r) == shared, "still alive in the other queue");
	ws_queue_free(&r); /* frees it */
	ok(r.ring.slots == NULL && r.ring.cap == 0 && r.limit == 0, "a freed queue has no ring and no room");
	pushed = ws_queue_push(&r, m);
	ok(!pushed, "a freed queue accepts nothing");

	ws_queue_free(&q);
	ws_msg_unref(a);
	ws_msg_unref(b);
	ws_msg_unref(m);
	ws_msg_unref(NULL);
	ok(1, "unref of NULL is ignored");

	struct ws_queue z;
	ws_queue_init(&z, 0);
	a = ws_msg_new("z", 1);
	pushed = ws_queue_push(&z, a);
	ok(!pushed && a->refs == 1, "a queue of limit 0 holds nothing");
	ws_queue_free(&z);

	/* Growth: a ring of WS_QUEUE_FIRST_SLOTS, wrapped, then doubled up to the limit. */
	struct ws_queue g;
	enum { LIMIT = 10 };
	struct ws_msg *msgs[LIMIT + 1];
	for (int i = 0; i <= LIMIT; i++)
		msgs[i] = ws_msg_new("g", 1);
	ws_queue_init(&g, LIMIT);
	ws_queue_push(&g, a);
	ws_queue_push(&g, a);
	ws_queue_pop(&g);
	ws_queue_pop(&g);
	ok(g.ring.cap == WS_QUEUE_FIRST_SLOTS && g.ring.slots != NULL, "a queue that keeps up keeps its first small ring");
	bool all = true;
	for (int i = 0; i < LIMIT; i++) /* starts at head 2: the first growth unrolls a wrapped ring */
		all = ws_queue_push(&g, msgs[i]) && all;
	ok(all && g.ring.count == LIMIT && g.ring.cap == LIMIT, "the ring grows as messages pile up, to the limit (10)");
	pushed = ws_queue_push(&g, msgs[LIMIT]);
	ok(!pushed && msgs[LIMIT]->refs == 1, "past the limit a push is refused");
	bool in_order = true;
	for (int i = 0; i < LIMIT; i++) {
		in_order = in_order && ws_queue_peek(&g) == msgs[i];
		ws_queue_pop(&g);
	}
	ok(in_order, "growth keeps the order of a wrapped ring");
	ok(g.ring.slots == NULL && g.ring.cap == 0 && g.ring.count == 0, "a grown ring is given back once drained");
	pushed = ws_queue_push(&g, a);
	ok(pushed && g.ring.cap == WS_QUEUE_FIRST_SLOTS, "the next push takes a first small ring again");
	ws_queue_free(&g);
	for (int i = 0; i <= LIMIT; i++)
		ws_msg_unref(msgs[i]);
	ws_msg_unref(a);
	return done();
}
