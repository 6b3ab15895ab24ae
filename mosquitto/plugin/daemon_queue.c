/*
 * daemon_queue.c — the bound on an absent daemon session's queue, and its counts (see
 * daemon_queue.h). One entry per daemon client id with a persistent session: one, for
 * mqttd.
 */
#include "daemon_queue.h"

#include <stdlib.h>
#include <string.h>

struct daemon_session {
	const void *holder; /* its connection; NULL: away */
	struct daemon_absence absence;
	int64_t reported_ms;
	uint64_t reported_dropped;
};

void daemon_queue_init(struct daemon_queue *q, uint64_t max_messages, uint64_t max_bytes)
{
	strmap_init(&q->sessions);
	q->max_messages = max_messages;
	q->max_bytes = max_bytes;
}

void daemon_queue_free(struct daemon_queue *q)
{
	strmap_free(&q->sessions, free);
}

static struct daemon_session *session_of(struct daemon_queue *q, const char *client_id)
{
	struct daemon_session *s = strmap_get(&q->sessions, client_id);
	if (s)
		return s;
	if (!(s = calloc(1, sizeof *s)))
		return NULL;
	if (strmap_put(&q->sessions, client_id, s, NULL) != 0) {
		free(s);
		return NULL;
	}
	return s; /* away (a session restored at broker start has no connection yet) */
}

void daemon_queue_connected(struct daemon_queue *q, const char *client_id, const void *holder,
			    struct daemon_absence *absence)
{
	struct daemon_session *s = session_of(q, client_id);
	memset(absence, 0, sizeof *absence);
	if (!s)
		return;
	if (!s->holder)
		*absence = s->absence;
	memset(s, 0, sizeof *s);
	s->holder = holder;
}

void daemon_queue_disconnected(struct daemon_queue *q, const char *client_id, const void *holder, int64_t now_ms)
{
	struct daemon_session *s = strmap_get(&q->sessions, client_id);
	if (!s || s->holder != holder || !holder)
		return;
	memset(s, 0, sizeof *s);
	s->absence.since_ms = now_ms;
}

enum daemon_queue_verdict daemon_queue_offer(struct daemon_queue *q, const char *client_id, uint64_t payload_bytes,
					     int qos)
{
	struct daemon_session *s = session_of(q, client_id);
	if (!s || s->holder)
		return DAEMON_QUEUE_PASS;
	struct daemon_absence *a = &s->absence;
	if (qos == 0) {
		a->qos0_lost++;
		return DAEMON_QUEUE_PASS;
	}
	if (a->queued + 1 > q->max_messages || a->bytes + payload_bytes > q->max_bytes) {
		a->dropped++;
		return DAEMON_QUEUE_DROP;
	}
	a->queued++;
	a->bytes += payload_bytes;
	return DAEMON_QUEUE_KEEP;
}

void daemon_queue_sweep(struct daemon_queue *q, int64_t now_ms,
			void (*report)(const char *client_id, const struct daemon_absence *absence, void *ctx),
			void *ctx)
{
	for (size_t i = 0; i < q->sessions.capacity; i++) {
		struct strmap_slot *slot = &q->sessions.slots[i];
		if (!slot->key)
			continue;
		struct daemon_session *s = slot->value;
		if (s->holder || s->absence.dropped == s->reported_dropped)
			continue;
		if (s->reported_ms && now_ms - s->reported_ms < DAEMON_QUEUE_REPORT_MS)
			continue;
		report(slot->key, &s->absence, ctx);
		s->reported_ms = now_ms;
		s->reported_dropped = s->absence.dropped;
	}
}
