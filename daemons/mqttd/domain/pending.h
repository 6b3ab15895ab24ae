/*
 * pending.h — the telemetry waiting to be written: a bounded FIFO of device messages.
 *
 * State, event and heartbeat messages are queued here as they arrive and written in
 * batches (at most one per mqtt.batch_interval_ms, or mqtt.batch_max messages at once).
 * While the database is away the queue keeps them, up to a count and a byte bound; a
 * message that does not fit is refused, never one already queued. A message keeps its
 * raw, already validated payload: it is parsed (not validated) again when its batch is written, which
 * costs less memory than keeping json-c trees. Pure: no I/O.
 */
#ifndef MQTTD_DOMAIN_PENDING_H
#define MQTTD_DOMAIN_PENDING_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "domain/device_apply.h"
#include "ring.h"

/* The ring's size when it is first needed; it doubles up to max_count. */
#define PENDING_FIRST_SLOTS 64

struct pending_message {
	enum device_report_kind kind;
	long long received_us; /* wall clock, epoch microseconds */
	size_t bytes;          /* what it costs against the byte bound */
	size_t payload_len;
	char *payload;         /* NUL-terminated copy of the validated payload */
	bool done;             /* written (or given up on): pending_compact removes it */
	char external_id[];    /* flexible member: the device's external id */
};

struct pending {
	struct ring ring; /* of struct pending_message *, oldest first; ring.count is how many */
	size_t bytes;
	size_t max_count, max_bytes;
};

void pending_init(struct pending *q, size_t max_count, size_t max_bytes);
void pending_free(struct pending *q);

/* Copies the message in; false (nothing queued) when a bound would be exceeded. */
bool pending_push(struct pending *q, enum device_report_kind kind, const char *external_id,
		  long long received_us, const char *payload, size_t payload_len);
struct pending_message *pending_at(const struct pending *q, size_t i);
/* Frees the n oldest messages. */
void pending_drop(struct pending *q, size_t n);
/* True when a message of that device is queued. */
bool pending_has_device(const struct pending *q, const char *external_id);
/* Frees every message marked done, keeping the others in order. */
void pending_compact(struct pending *q);

/* The messages of one device among a run of the queue, in arrival order. */
struct pending_group {
	const char *external_id;
	size_t n;
	struct pending_message **messages; /* in the arena */
};

/* The oldest messages of the queue grouped by device, devices in order of first
 * appearance, with a lookup by external id. Lives in the arena and borrows the
 * messages: valid until the queue changes. */
struct pending_batch {
	size_t ngroups;
	struct pending_group *groups;
	size_t slots;
	size_t *table; /* group index + 1 by hash of the external id; 0 = empty */
};

void pending_batch_oldest(struct arena *arena, const struct pending *q, size_t n, struct pending_batch *out);
/* The group of that device, or NULL. */
struct pending_group *pending_batch_find(const struct pending_batch *batch, const char *external_id);
/* Marks every message of the group done. */
void pending_group_done(struct pending_group *g);

#endif
