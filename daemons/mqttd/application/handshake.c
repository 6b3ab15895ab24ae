/*
 * handshake.c — answering a device's handshake (SPEC §5).
 *
 * The handshake is handled at once, not batched: the device waits for its ack. When
 * telemetry of this device is still queued, the queue is written first, so that an older
 * message (its previous session's Last Will, say) cannot land after the handshake and
 * undo it; if that cannot be done, the handshake is not recorded. Then, in one
 * transaction: record firmware, chip and kit tag, make the kits the tag now completes
 * (auto-apply, SPEC §4 kits), mark the device online (a status_changed event and push
 * when it was not), commit — and only after a successful
 * commit publish {"status":"ok"}. When the database said there is no such device:
 * {"status":"unknown_device"}. When it could not be asked, or anything failed: nothing
 * at all (the firmware factory-resets after repeated rejections; the device retries).
 * The decision itself is domain/handshake.c. Never answers unknown_device unless the
 * lookup itself said so, and never acks before the commit succeeded.
 */
#include <string.h>

#include "application/journal.h"
#include "application/mqttd.h"
#include "domain/handshake.h"
#include "domain/topic.h"
#include "infrastructure/log_limit.h"
#include "infrastructure/repo.h"
#include "log.h"
#include "timeutil.h"

/* Records the handshake; what the database said. */
static enum handshake_lookup record(struct mqttd *m, const char *external_id, const struct handshake_report *report)
{
	struct arena *a = m->batch_arena;
	enum db_status st = db_begin(m->db, a);
	if (st != DB_OK) {
		mqttd_db_failed(m, st);
		return HANDSHAKE_FAILED;
	}
	PGresult *res = NULL;
	st = repo_handshake(m->db, a, external_id, report->firmware_version, report->chip, report->kit_tag, &res);
	if (st != DB_OK)
		goto failed;
	if (PQntuples(res) == 0) {
		st = db_commit(m->db, a);
		if (st != DB_OK) /* the lookup's answer stands only if the transaction ended cleanly */
			goto failed_ended;
		return HANDSHAKE_NOT_FOUND;
	}
	struct device_snapshot dev = {
		.id = db_value(res, 0, HANDSHAKE_COL_ID),
		.name = db_value(res, 0, HANDSHAKE_COL_NAME),
		.type = db_value(res, 0, HANDSHAKE_COL_TYPE),
		.status = db_value(res, 0, HANDSHAKE_COL_PREVIOUS_STATUS),
	};
	if (!handshake_type_matches(dev.type, report->type))
		log_fields(LOG_WARN, "handshake type differs from the registered type", "deviceId", external_id,
			   "registeredType", dev.type, "reportedType", report->type, NULL);
	if (report->kit_tag) { /* the kits this device completes, made in the same transaction */
		PGresult *kits = NULL;
		st = repo_kit_auto_apply(m->db, a, report->kit_tag, &kits);
		if (st != DB_OK)
			goto failed;
		for (int i = 0; i < PQntuples(kits); i++)
			log_fields(LOG_INFO, "kit made", "kitId", db_value(kits, i, 0), "kitTag", report->kit_tag, NULL);
	}
	struct journal j;
	journal_init(&j, a);
	struct device_fact fact;
	if (device_status_fact(dev.status, "online", "handshake", 0, &fact))
		journal_fact(&j, &dev, &fact, time_now_ms());
	st = journal_commit(&j, m->db);
	if (st != DB_OK)
		goto failed_ended;
	if (strcmp(dev.status, "online") != 0)
		outbox_wake(m); /* commands may be waiting for it */
	log_fields(LOG_INFO, "device handshake", "deviceId", external_id, "firmwareVersion", report->firmware_version,
		   NULL);
	return HANDSHAKE_FOUND;

failed:
	db_rollback(m->db, a);
failed_ended: /* the transaction is over already */
	mqttd_db_failed(m, st);
	return HANDSHAKE_FAILED;
}

/* Devices retry handshakes: their warnings share a budget of lines a second. */
static struct log_limit warn_limit = LOG_LIMIT(10);

static void warn_device(const char *msg, const char *external_id)
{
	unsigned long long silenced = 0;
	if (!log_limit_allow(&warn_limit, time_monotonic_ms(), &silenced))
		return;
	char more[24];
	snprintf(more, sizeof more, "%llu", silenced);
	log_fields(LOG_WARN, msg, "deviceId", external_id, silenced ? "alsoHeldBack" : NULL, more, NULL);
}

void handshake_receive(struct mqttd *m, const char *external_id, const struct handshake_report *report)
{
	enum handshake_lookup lookup = HANDSHAKE_FAILED;
	if (mqttd_db_ready(m, true)) {
		if (pending_has_device(&m->pending, external_id))
			telemetry_flush(m);
		/* Written only after everything the device sent before it; else no answer. */
		if (!pending_has_device(&m->pending, external_id))
			lookup = record(m, external_id, report);
	}
	enum handshake_reply reply = handshake_decide(lookup);
	const char *payload = handshake_ack_payload(m->batch_arena, reply);
	if (!payload) {
		warn_device("handshake not answered: the database could not be asked", external_id);
		arena_reset(m->batch_arena);
		return;
	}
	if (reply == HANDSHAKE_REPLY_UNKNOWN)
		warn_device("handshake from an unknown device", external_id);
	const char *topic = arena_printf(m->batch_arena, "%s/ack",
					 device_topic_build(m->batch_arena, m->station_id, external_id, "handshake"));
	int mid = 0;
	broker_publish(m->broker, topic, payload, strlen(payload), 1, &mid);
	arena_reset(m->batch_arena);
}
