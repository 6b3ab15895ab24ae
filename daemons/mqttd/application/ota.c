/*
 * ota.c — the handshake's part in OTA updates (SPEC §5: "a handshake … may close an OTA
 * as success"; docs/ota.md).
 *
 * A device that installed an update reboots and handshakes with its new firmwareVersion;
 * that alone closes its update as success, report or not. The rule and every transition
 * are the database's (ota_handshake, sql/migrations/014_ota.sql), which also sends the
 * next pending updates once a slot is free (their commands reach the outbox through the
 * device_commands notification). Here: the call, inside the handshake's transaction, and
 * one ota.progress push per transition in its journal, so nothing is announced unless the
 * handshake commits.
 */
#include "application/journal.h"
#include "application/mqttd.h"
#include "config.h"
#include "infrastructure/repo.h"
#include "log.h"
#include "ota.h"
#include "timeutil.h"

enum db_status ota_after_handshake(struct mqttd *m, struct journal *j, const char *device_id,
				   const char *firmware_version)
{
	if (!firmware_version)
		return DB_OK;
	PGresult *res = NULL;
	enum db_status st = repo_ota_handshake(m->db, j->arena, device_id, firmware_version,
					       cfg_int("ota.max_parallel"), &res);
	if (st != DB_OK)
		return st;
	long long now_ms = time_now_ms();
	for (int row = 0; row < PQntuples(res); row++) {
		const char *ota_device = db_value(res, row, OTA_PROGRESS_COL_DEVICE_ID);
		journal_announce(j, ota_progress_payload(j->arena, res, row, now_ms), "ota.progress", ota_device);
		log_fields(LOG_INFO, "ota update", "otaId", db_value(res, row, OTA_PROGRESS_COL_ID), "deviceId",
			   ota_device, "status", db_value(res, row, OTA_PROGRESS_COL_STATUS), NULL);
	}
	return DB_OK;
}
