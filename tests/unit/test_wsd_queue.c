/*
 * test_wsd_queue.c — station-wsd's refcounted messages and bounded per-client queues:
 * a full queue refuses instead of growing, order is kept across the ring's wrap, and a
 * message shared by several queues lives exactly as long as its last holder (the
 * sanitizer build checks the frees).
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
	int rc = ws_queue_init(&q, 3);
	ok(rc == 0 && q.cap == 3 && q.count == 0, "a queue of capacity 3 starts empty");
	ok(ws_queue_peek(&q) == NULL, "an empty queue has nothing to peek");
	bool pushed = ws_queue_push(&q, m);
	pushed = ws_queue_push(&q, m) && pushed;
	pushed = ws_queue_push(&q, m) && pushed;
	ok(pushed, "three pushes fit");
	ok(m->refs == 4, "each queued copy holds a reference (4)");
	pushed = ws_queue_push(&q, m);
	ok(!pushed, "a fourth push is refused");
	ok(q.count == 3 && m->refs == 4, "a refused push changes nothing");

	struct ws_msg *a = ws_msg_new("a", 1), *b = ws_msg_new("b", 1);
	ws_queue_clear(&q);
	ok(q.count == 0 && m->refs == 1, "clear drops every queued reference");
	ws_queue_push(&q, a);
	ws_queue_push(&q, b);
	ws_queue_pop(&q);
	ws_queue_push(&q, m);
	ws_queue_push(&q, a); /* wraps around the end of the ring */
	ok(q.count == 3, "pushes after a pop fill the ring again");
	ok(ws_queue_peek(&q) == b, "the oldest message comes first (b)");
	ws_queue_pop(&q);
	ok(ws_queue_peek(&q) == m, "then m");
	ws_queue_pop(&q);
	ok(ws_queue_peek(&q) == a, "then a, across the wrap");
	ws_queue_pop(&q);
	ok(ws_queue_peek(&q) == NULL && q.count == 0, "then nothing");
	ws_queue_pop(&q);
	ok(q.count == 0, "popping an empty queue is harmless");

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
	ok(r.slots == NULL && r.cap == 0, "a freed queue has no ring");
	pushed = ws_queue_push(&r, m);
	ok(!pushed, "a freed queue accepts nothing");

	ws_queue_free(&q);
	ws_msg_unref(a);
	ws_msg_unref(b);
	ws_msg_unref(m);
	ws_msg_unref(NULL);
	ok(1, "unref of NULL is ignored");

	struct ws_queue z;
	rc = ws_queue_init(&z, 0);
	a = ws_msg_new("z", 1);
	pushed = ws_queue_push(&z, a);
	ok(rc == -1 && !pushed && a->refs == 1, "a queue of capacity 0 holds nothing");
	ws_msg_unref(a);
	ws_queue_free(&z);
	return done();
}
