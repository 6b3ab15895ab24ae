/*
 * telemetry.c — state, event and heartbeat messages, written in batches.
 *
 * Messages are queued as they arrive (domain/pending.c) and written at most once per
 * mqtt.batch_interval_ms (25 ms by default), or as soon as mqtt.batch_max have gathered:
 * a message that arrives after a quiet interval is written at once (a switch pressed
 * shows in the browser within a few milliseconds), and under a steady stream messages
 * wait at most one interval, so the transactions — and the storage's writes — stay at
 * one per interval, or one per batch_max messages when more than that arrive in one. Events and heartbeats ride in
 * the same batches as state, so their order is kept and a burst of any kind costs a few
 * transactions. One transaction per batch: lock the batch's
 * devices, apply each device's messages in arrival order (domain/device_apply.c), write
 * the devices with one UPDATE, the events with one INSERT and the notifications with one
 * SELECT pg_notify — a burst never becomes one transaction per message.
 *
 * While the database is away the queue keeps everything (bounded) and the batch is
 * retried after reconnection; nothing queued is lost. A batch the database refuses for
 * another reason is retried device by device, so one bad device cannot hold up or take
 * down the rest: the device whose own transaction fails is logged and skipped.
 */
#include <string.h>

#include "application/journal.h"
#include "application/mqttd.h"
#include "domain/announce.h"
#include "infrastructure/log_limit.h"
#include "infrastructure/repo.h"
#include "json_reader.h"
#include "log.h"
#include "timeutil.h"

void telemetry_receive(struct mqttd *m, enum device_report_kind kind, const char *external_id,
		       const char *payload, size_t len)
{
	long long now = time_monotonic_ms();
	bool was_empty = m->pending.ring.count == 0;
	/* Arrival times are strictly increasing, so rows keep the order messages came in. */
	long long received_us = mqttd_now_us();
	if (received_us <= m->last_received_us)
		received_us = m->last_received_us + 1;
	if (!pending_push(&m->pending, kind, external_id, received_us, payload, len)) {
		if (m->refused++ == 0)
			log_fields(LOG_ERROR, "telemetry queue full; refusing device messages until it drains",
				   "deviceId", external_id, NULL);
		return;
	}
	m->last_received_us = received_us;
	if (m->refused) {
		char n[24];
		snprintf(n, sizeof n, "%llu", m->refused);
		log_fields(LOG_WARN, "telemetry queue accepting messages again", "refused", n, NULL);
		m->refused = 0;
	}
	if (was_empty) {
		long long next_slot = m->last_flush_ms + m->cfg.batch_interval_ms;
		m->flush_due = now > next_slot ? now : next_slot;
	}
}

bool telemetry_due(const struct mqttd *m, long long now)
{
	return m->pending.ring.count > 0 && (m->pending.ring.count >= m->cfg.batch_max || now >= m->flush_due);
}

/* The report a queued message stands for; its JSON lives in the arena. The payload was
 * validated on arrival and is only read here; false when it no longer parses (a bug). */
static bool report_of(struct mqttd *m, struct arena *a, const struct pending_message *msg, struct device_report *r)
{
	const char *reason =
		payload_read_report(a, msg->kind, msg->payload, msg->payload_len, m->cfg.json_max_depth, r);
	r->received_us = msg->received_us;
	if (reason)
		log_fields(LOG_ERROR, "queued message no longer parses; skipped", "deviceId", msg->external_id, "reason",
			   reason, NULL);
	return reason == NULL;
}

/* A jsonb column as a json-c object, or NULL when it is not one. */
static struct json_object *column_object(struct arena *a, const char *text, int max_depth)
{
	const char *error = NULL;
	struct json_object *v = text ? json_parse(a, text, strlen(text), max_depth, &error) : NULL;
	return v && json_object_is_type(v, json_type_object) ? v : NULL;
}

/* Stored JSON is as deep as devices made it (mqtt.json_max_depth) unless someone wrote it
 * by hand: a generous bound, since a device whose state does not parse gets nothing. */
#define STORED_JSON_DEPTH 512

/* One device's messages applied and added to the statements' JSON; true when the
 * device came online. */
static bool apply_device(struct mqttd *m, struct arena *a, const PGresult *res, int row,
			 const struct pending_group *g, struct jw *updates, struct journal *j, long long now_ms)
{
	struct device_snapshot dev = {
		.id = db_value(res, row, DEVICE_COL_ID),
		.name = db_value(res, row, DEVICE_COL_NAME),
		.type = db_value(res, row, DEVICE_COL_TYPE),
		.status = db_value(res, row, DEVICE_COL_STATUS),
		.state = column_object(a, db_value(res, row, DEVICE_COL_STATE), STORED_JSON_DEPTH),
	};
	if (!dev.state) {
		/* Merging into an empty object would replace the stored state: leave it alone. */
		log_fields(LOG_ERROR, "stored state unreadable; the device's messages are dropped", "deviceId",
			   g->external_id, NULL);
		return false;
	}
	const char *caps = db_value(res, row, DEVICE_COL_CAPABILITIES);
	const char *error = NULL;
	dev.capabilities = caps ? json_parse(a, caps, strlen(caps), STORED_JSON_DEPTH, &error) : NULL;

	struct device_report *reports = arena_alloc(a, g->n * sizeof *reports);
	size_t n = 0;
	for (size_t i = 0; i < g->n; i++)
		if (report_of(m, a, g->messages[i], &reports[n]))
			n++;
	struct device_outcome out;
	device_apply(a, &dev, reports, n, m->cfg.max_payload, &out);
	if (out.rejected) {
		char count[24];
		snprintf(count, sizeof count, "%zu", out.rejected);
		log_fields(LOG_WARN, "state report dropped: the merged state would be too large", "deviceId",
			   g->external_id, "messages", count, NULL);
	}
	for (size_t i = 0; i < out.nfacts; i++)
		journal_fact(j, &dev, &out.facts[i], now_ms);
	if (out.state_changed)
		journal_announce(j, announce_state_changed(a, dev.id, dev.state, out.state_at_us / 1000, now_ms),
				 "device.stateChanged", dev.id);

	jw_object_begin(updates);
	jw_member_string(updates, "id", dev.id);
	jw_member_string(updates, "status", out.status);
	if (out.state_changed)
		jw_member_raw(updates, "state", json_text(a, dev.state));
	if (out.last_seen_us)
		jw_member_string(updates, "last_seen_at", time_rfc3339_us(a, out.last_seen_us));
	if (out.last_heartbeat_us)
		jw_member_string(updates, "last_heartbeat_at", time_rfc3339_us(a, out.last_heartbeat_us));
	jw_object_end(updates);
	return out.status_changed && strcmp(out.status, "online") == 0;
}

static struct log_limit unknown_limit = LOG_LIMIT(20);

static void unknown_device(const struct pending_group *g)
{
	unsigned long long silenced = 0;
	if (!log_limit_allow(&unknown_limit, time_monotonic_ms(), &silenced))
		return;
	char n[24], more[24];
	snprintf(n, sizeof n, "%zu", g->n);
	snprintf(more, sizeof more, "%llu", silenced);
	log_fields(LOG_WARN, "messages from an unknown device dropped", "deviceId", g->external_id, "messages", n,
		   silenced ? "alsoDroppedUnlogged" : NULL, more, NULL);
}

/*
 * Writes one transaction: every group of the batch, or only `only` when it is given.
 * On success the written groups — and those of unknown devices, which are dropped —
 * are marked done.
 */
static enum db_status write_groups(struct mqttd *m, const struct pending_batch *batch, struct pending_group *only)
{
	struct arena *a = m->batch_arena;
	long long now_ms = time_now_ms();
	size_t first = only ? (size_t)(only - batch->groups) : 0;
	size_t end = only ? first + 1 : batch->ngroups;
	struct buf ids_buf, updates_buf;
	struct jw ids, updates;
	buf_init(&ids_buf, a);
	jw_init(&ids, &ids_buf);
	jw_array_begin(&ids);
	for (size_t i = first; i < end; i++)
		jw_string(&ids, batch->groups[i].external_id);
	jw_array_end(&ids);

	enum db_status st = db_begin(m->db, a);
	if (st != DB_OK)
		return st;
	PGresult *res = NULL;
	st = repo_devices_lock(m->db, a, ids_buf.data, &res);
	if (st != DB_OK)
		goto failed;

	bool *known = arena_alloc(a, batch->ngroups * sizeof *known);
	buf_init(&updates_buf, a);
	jw_init(&updates, &updates_buf);
	jw_array_begin(&updates);
	struct journal j;
	journal_init(&j, a);
	int rows = PQntuples(res);
	bool came_online = false;
	for (int row = 0; row < rows; row++) {
		struct pending_group *g = pending_batch_find(batch, db_value(res, row, DEVICE_COL_EXTERNAL_ID));
		if (!g || (only && g != only))
			continue;
		known[g - batch->groups] = true;
		came_online |= apply_device(m, a, res, row, g, &updates, &j, now_ms);
	}
	jw_array_end(&updates);
	if (rows > 0) {
		st = repo_devices_update(m->db, a, updates_buf.data);
		if (st != DB_OK)
			goto failed;
	}
	st = journal_commit(&j, m->db);
	if (st != DB_OK)
		return st;
	if (came_online)
		outbox_wake(m); /* commands may be waiting for it */
	for (size_t i = first; i < end; i++) {
		if (!known[i])
			unknown_device(&batch->groups[i]);
		pending_group_done(&batch->groups[i]);
	}
	return DB_OK;

failed:
	db_rollback(m->db, a);
	return st;
}

/* One batch of the oldest n messages; false when the database went away (the batch stays). */
static bool flush_batch(struct mqttd *m, size_t n)
{
	struct pending_batch batch;
	pending_batch_oldest(m->batch_arena, &m->pending, n, &batch);
	enum db_status st = write_groups(m, &batch, NULL);
	if (st != DB_OK && st != DB_UNAVAILABLE) {
		/* Refused for another reason: device by device, so one device cannot block the rest. */
		log_fields(LOG_ERROR, "telemetry batch refused by the database; retrying device by device", "reason",
			   db_last_error(m->db), NULL);
		for (size_t i = 0; i < batch.ngroups && st != DB_UNAVAILABLE; i++) {
			st = write_groups(m, &batch, &batch.groups[i]);
			if (st != DB_OK && st != DB_UNAVAILABLE) {
				log_fields(LOG_ERROR, "device messages refused by the database; dropped", "deviceId",
					   batch.groups[i].external_id, "reason", db_last_error(m->db), NULL);
				pending_group_done(&batch.groups[i]);
			}
		}
	}
	pending_compact(&m->pending);
	arena_reset(m->batch_arena);
	if (st == DB_UNAVAILABLE) {
		mqttd_db_failed(m, st);
		return false;
	}
	return true;
}

void telemetry_flush(struct mqttd *m)
{
	while (m->pending.ring.count > 0) {
		if (!mqttd_db_ready(m, false))
			return;
		m->last_flush_ms = time_monotonic_ms();
		size_t n = m->pending.ring.count < m->cfg.batch_max ? m->pending.ring.count : m->cfg.batch_max;
		if (!flush_batch(m, n))
			return;
	}
}
