/*
 * pending.c — the bounded telemetry FIFO and its grouping by device (see pending.h).
 *
 * The messages sit in a ring (lib/ring.h) that grows by doubling up to max_count slots.
 * Messages are malloc'd (they outlive any arena) and freed only by pending_drop,
 * pending_compact and pending_free. Grouping uses an open-address
 * table in the caller's arena, so a batch of n messages costs O(n). No I/O.
 */
#include "domain/pending.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void pending_init(struct pending *q, size_t max_count, size_t max_bytes)
{
	memset(q, 0, sizeof *q);
	q->max_count = max_count;
	q->max_bytes = max_bytes;
}

void pending_free(struct pending *q)
{
	pending_drop(q, q->ring.count);
	ring_release(&q->ring);
}

/* A message's memory, and its share of the byte bound. */
static void message_free(struct pending *q, struct pending_message *m)
{
	q->bytes -= m->bytes;
	free(m->payload);
	free(m);
}

bool pending_push(struct pending *q, enum device_report_kind kind, const char *external_id,
		  long long received_us, const char *payload, size_t payload_len)
{
	size_t id_len = strlen(external_id);
	size_t bytes = sizeof(struct pending_message) + id_len + 1 + payload_len + 1;
	if (q->ring.count >= q->max_count || q->bytes + bytes > q->max_bytes)
		return false;
	struct pending_message *m = malloc(sizeof *m + id_len + 1);
	char *copy = malloc(payload_len + 1);
	if (!m || !copy || !ring_push(&q->ring, m, PENDING_FIRST_SLOTS, q->max_count)) {
		free(m);
		free(copy);
		return false;
	}
	m->kind = kind;
	m->done = false;
	m->received_us = received_us;
	m->bytes = bytes;
	m->payload_len = payload_len;
	memcpy(copy, payload, payload_len);
	copy[payload_len] = '\0';
	m->payload = copy;
	memcpy(m->external_id, external_id, id_len + 1);
	q->bytes += bytes;
	return true;
}

struct pending_message *pending_at(const struct pending *q, size_t i)
{
	return i < q->ring.count ? ring_at(&q->ring, i) : NULL;
}

void pending_drop(struct pending *q, size_t n)
{
	for (size_t i = 0; i < n && q->ring.count; i++)
		message_free(q, ring_shift(&q->ring));
}

bool pending_has_device(const struct pending *q, const char *external_id)
{
	for (size_t i = 0; i < q->ring.count; i++)
		if (strcmp(pending_at(q, i)->external_id, external_id) == 0)
			return true;
	return false;
}

void pending_compact(struct pending *q)
{
	size_t kept = 0, n = q->ring.count;
	for (size_t i = 0; i < n; i++) {
		struct pending_message *m = ring_at(&q->ring, i);
		if (m->done)
			message_free(q, m);
		else
			ring_set(&q->ring, kept++, m);
	}
	ring_truncate(&q->ring, kept);
}

static uint64_t hash_text(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

/* The slot of id in the table: where it is, or the empty slot where it belongs. */
static size_t batch_slot(const struct pending_batch *b, const char *id)
{
	size_t slot = (size_t)(hash_text(id) & (b->slots - 1));
	while (b->table[slot] && strcmp(b->groups[b->table[slot] - 1].external_id, id) != 0)
		slot = (slot + 1) & (b->slots - 1);
	return slot;
}

void pending_batch_oldest(struct arena *arena, const struct pending *q, size_t n, struct pending_batch *out)
{
	if (n > q->ring.count)
		n = q->ring.count;
	memset(out, 0, sizeof *out);
	out->slots = 16;
	while (out->slots < n * 2)
		out->slots *= 2;
	out->table = arena_alloc(arena, out->slots * sizeof *out->table);
	out->groups = arena_alloc(arena, (n ? n : 1) * sizeof *out->groups);
	size_t *group_of = arena_alloc(arena, (n ? n : 1) * sizeof *group_of);

	/* First pass: the group of each message, and the group sizes. */
	for (size_t i = 0; i < n; i++) {
		const char *id = pending_at(q, i)->external_id;
		size_t slot = batch_slot(out, id);
		if (!out->table[slot]) {
			out->groups[out->ngroups].external_id = id;
			out->table[slot] = ++out->ngroups;
		}
		group_of[i] = out->table[slot] - 1;
		out->groups[group_of[i]].n++;
	}
	/* Second pass: the messages of each group, in arrival order. */
	for (size_t g = 0; g < out->ngroups; g++) {
		out->groups[g].messages = arena_alloc(arena, out->groups[g].n * sizeof *out->groups[g].messages);
		out->groups[g].n = 0;
	}
	for (size_t i = 0; i < n; i++) {
		struct pending_group *g = &out->groups[group_of[i]];
		g->messages[g->n++] = pending_at(q, i);
	}
}

struct pending_group *pending_batch_find(const struct pending_batch *batch, const char *external_id)
{
	if (!batch->slots)
		return NULL;
	size_t slot = batch_slot(batch, external_id);
	return batch->table[slot] ? &batch->groups[batch->table[slot] - 1] : NULL;
}

void pending_group_done(struct pending_group *g)
{
	for (size_t i = 0; i < g->n; i++)
		g->messages[i]->done = true;
}
