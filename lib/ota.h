/*
 * ota.h — what every caller of the OTA state machine shares (sql/migrations/014_ota.sql,
 * docs/ota.md): the rows its functions return, one per transition, and the `ota.progress`
 * push (SPEC §6) written from each of them.
 *
 * The transitions themselves live in the database functions only (ota_enqueue,
 * ota_dispatch, ota_report, ota_handshake, ota_time_out); api-ota and api-firmware,
 * station-mqttd and station-cron each call one and announce what it returned, in the same
 * transaction, with this map — so a push never announces a transition that was rolled back.
 */
#ifndef STATION_OTA_H
#define STATION_OTA_H

#include "db.h"

/* The select list over a call of one of the functions, aliased t; the order of the map. */
#define OTA_TRANSITION_SELECT \
	"t.ota_id, t.device_id, t.device_name, t.device_type, t.firmware_id, t.from_version, t.to_version, " \
	"t.status, t.error_message"

/* ota.progress data: {otaId,deviceId,deviceName,deviceType,firmwareId,fromVersion,toVersion,
 * status,errorMessage}. */
extern const struct db_column ota_progress_columns[];
enum { OTA_PROGRESS_COL_ID, OTA_PROGRESS_COL_DEVICE_ID, OTA_PROGRESS_COL_DEVICE_NAME, OTA_PROGRESS_COL_STATUS = 7 };

/* The ota.progress message of row `row` (without deviceName, marked truncated, when the
 * name would not fit a NOTIFY). Pure: no database. */
const char *ota_progress_payload(struct arena *arena, const PGresult *res, int row, long long now_ms);

#endif
