/*
 * outbox.c — delivering device commands (the device_commands outbox, ARCHITECTURE.md).
 *
 * api-devices inserts a queued row and NOTIFYs device_commands with its id. mqttd drains
 * the outbox on start, on every notification, after every reconnection (broker or
 * database), whenever a device comes online, and every OUTBOX_SWEEP_MS as a safety net:
 * it selects queued rows that have not expired, of devices that are online and have been
 * heard from (a command for a device that went away waits for it until it expires,
 * instead of being published to nobody; a row set online by hand, never seen, gets
 * nothing), oldest first, a bounded batch, excluding those already in flight, and
 * publishes each at QoS 1 on station/<id>/device/<externalId>/command as
 * {"action":…, …params}. Only when the broker acknowledges a publish (PUBACK, through
 * on_publish with its mid) is the row marked sent, with a command_sent event and a
 * device.commandSent push, in one transaction for all acknowledgements at hand.
 *
 * An expired command is never published: expiry is checked by the query right before
 * the publish, and a publish the broker did not acknowledge before a disconnect is
 * dropped with its libmosquitto client (see broker.h) and chosen again — or not, once
 * expired — after reconnection. While the broker is down nothing is selected: commands
 * wait in the table. Delivery is at least once: a PUBACK lost with the connection
 * means the command is sent again.
 */
#include <string.h>

#include "application/journal.h"
#include "application/mqttd.h"
#include "domain/announce.h"
#include "domain/command.h"
#include "domain/topic.h"
#include "infrastructure/repo.h"
#include "json_reader.h"
#include "log.h"
#include "timeutil.h"

/* Command params are at most 4096 bytes of JSON (docs/devices.md); any depth jsonb holds. */
#define PARAMS_JSON_DEPTH 64

void outbox_wake(struct mqttd *m)
{
	m->outbox_wanted = true;
}

bool outbox_has_acks(const struct mqttd *m)
{
	for (size_t i = 0; i < m->noutbox; i++)
		if (m->outbox[i].acked)
			return true;
	return false;
}

/* The ids in flight, as a JSON array. */
static const char *in_flight_ids(struct mqttd *m, struct arena *a)
{
	struct buf b;
	struct jw w;
	buf_init(&b, a);
	jw_init(&w, &b);
	jw_array_begin(&w);
	for (size_t i = 0; i < m->noutbox; i++)
		jw_string(&w, m->outbox[i].id);
	jw_array_end(&w);
	return b.data;
}

/* Publishes one command row; false when the broker would not take it. */
static bool publish_command(struct mqttd *m, struct arena *a, const PGresult *res, int row)
{
	const char *id = db_value(res, row, COMMAND_COL_ID);
	const char *external_id = db_value(res, row, COMMAND_COL_EXTERNAL_ID);
	const char *action = db_value(res, row, COMMAND_COL_ACTION);
	const char *params_text = db_value(res, row, COMMAND_COL_PARAMS);
	const char *error = NULL;
	struct json_object *params =
		params_text ? json_parse(a, params_text, strlen(params_text), PARAMS_JSON_DEPTH, &error) : NULL;
	const char *payload = command_payload(a, action, params);
	if (!payload) {
		/* Cannot happen with rows api-devices wrote; do not retry it forever. */
		log_fields(LOG_ERROR, "command not publishable (params not an object); skipped", "commandId", id, NULL);
		struct outbox_entry *e = &m->outbox[m->noutbox++];
		memset(e, 0, sizeof *e);
		snprintf(e->id, sizeof e->id, "%s", id);
		e->mid = -1; /* never acknowledged: excluded until restart, then expired */
		return true;
	}
	const char *topic = device_topic_build(a, m->station_id, external_id, "command");
	int mid = 0;
	if (broker_publish(m->broker, topic, payload, strlen(payload), 1, &mid) != 0)
		return false;
	struct outbox_entry *e = &m->outbox[m->noutbox++];
	memset(e, 0, sizeof *e);
	snprintf(e->id, sizeof e->id, "%s", id);
	e->mid = mid;
	log_fields(LOG_INFO, "command published", "deviceId", external_id, "commandId", id, "action", action, NULL);
	return true;
}

void outbox_drain(struct mqttd *m, long long now)
{
	if (!m->outbox_wanted && now < m->outbox_sweep)
		return;
	if (!broker_connected(m->broker) || !mqttd_db_ready(m, false))
		return; /* still wanted: the reconnection wakes it */
	m->outbox_wanted = false;
	m->outbox_sweep = now + OUTBOX_SWEEP_MS;
	size_t room = OUTBOX_INFLIGHT_MAX - m->noutbox;
	if (room == 0)
		return; /* recording acknowledgements makes room and wakes it */
	long limit = (long)(room < OUTBOX_BATCH ? room : OUTBOX_BATCH);
	struct arena *a = m->batch_arena;
	PGresult *res = NULL;
	enum db_status st = repo_commands_due(m->db, a, in_flight_ids(m, a), limit, &res);
	if (st != DB_OK) {
		/* Unavailable: the reconnection wakes the outbox. Another error: the sweep retries. */
		mqttd_db_failed(m, st);
		m->outbox_wanted = st == DB_UNAVAILABLE;
		arena_reset(a);
		return;
	}
	int rows = PQntuples(res);
	for (int row = 0; row < rows; row++) {
		if (!publish_command(m, a, res, row)) {
			m->outbox_wanted = true;
			break;
		}
	}
	if (rows == limit)
		m->outbox_wanted = true; /* there may be more */
	arena_reset(a);
}

void outbox_acknowledged(struct mqttd *m, int mid)
{
	for (size_t i = 0; i < m->noutbox; i++) {
		struct outbox_entry *e = &m->outbox[i];
		if (!e->acked && e->mid == mid) {
			e->acked = true;
			e->acked_ms = time_now_ms();
			return;
		}
	}
	/* Not a command: a handshake ack. */
}

/* Removes the entries whose acked flag equals `acked`, keeping the order of the others. */
static void outbox_remove(struct mqttd *m, bool acked)
{
	size_t kept = 0;
	for (size_t i = 0; i < m->noutbox; i++)
		if (m->outbox[i].acked != acked)
			m->outbox[kept++] = m->outbox[i];
	m->noutbox = kept;
}

void outbox_record(struct mqttd *m)
{
	if (!outbox_has_acks(m) || !mqttd_db_ready(m, false))
		return;
	struct arena *a = m->batch_arena;
	long long now_ms = time_now_ms();
	struct buf rows_buf;
	struct jw rows;
	buf_init(&rows_buf, a);
	jw_init(&rows, &rows_buf);
	jw_array_begin(&rows);
	for (size_t i = 0; i < m->noutbox; i++) {
		if (!m->outbox[i].acked)
			continue;
		jw_object_begin(&rows);
		jw_member_string(&rows, "id", m->outbox[i].id);
		jw_member_string(&rows, "sent_at", time_rfc3339_ms(a, m->outbox[i].acked_ms));
		jw_object_end(&rows);
	}
	jw_array_end(&rows);

	PGresult *res = NULL;
	enum db_status st = db_begin(m->db, a);
	if (st == DB_OK)
		st = repo_commands_mark_sent(m->db, a, rows_buf.data, &res);
	if (st == DB_OK) {
		struct journal j;
		journal_init(&j, a);
		for (int row = 0; row < PQntuples(res); row++) {
			const char *id = db_value(res, row, COMMAND_COL_ID);
			const char *device_id = db_value(res, row, COMMAND_COL_DEVICE_ID);
			const char *action = db_value(res, row, COMMAND_COL_ACTION);
			journal_event(&j, device_id, "command_sent", action,
				      event_data_command(a, id, db_value(res, row, COMMAND_COL_PARAMS)), 0);
			journal_announce(&j, announce_command_sent(a, device_id, id, action, now_ms), "device.commandSent",
					 device_id);
		}
		st = journal_commit(&j, m->db);
	} else if (db_in_transaction(m->db)) {
		db_rollback(m->db, a);
	}
	arena_reset(a);
	if (st == DB_UNAVAILABLE) {
		mqttd_db_failed(m, st);
		return; /* kept: recorded after reconnection, and excluded from drains meanwhile */
	}
	if (st != DB_OK)
		log_fields(LOG_ERROR, "could not record sent commands; they may be sent again", "reason",
			   db_last_error(m->db), NULL);
	outbox_remove(m, true);
	outbox_wake(m);
}

void outbox_session_lost(struct mqttd *m)
{
	/* Publishes not acknowledged are gone with the client: choose again after reconnection. */
	outbox_remove(m, false);
	outbox_wake(m);
}
