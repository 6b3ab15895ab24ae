/*
 * ota_repo.h — SQL of OTA updates for api-ota and api-firmware: calls of the state
 * machine's functions (sql/migrations/014_ota.sql; their rows are lib/ota.h's transitions)
 * and reads of the OTA log. Nothing here replies or decides rules.
 */
#ifndef STATION_API_SHARED_OTA_REPO_H
#define STATION_API_SHARED_OTA_REPO_H

#include "ota.h"
#include "statement.h"

/* An OTA log row: {id,deviceId,deviceName,firmwareId,fromVersion,toVersion,status,
 * errorMessage,createdAt,sentAt,finishedAt}; a page row adds OTA_LOG_COL_CURSOR_US. */
extern const struct db_column ota_log_columns[];
enum { OTA_LOG_COL_ID, OTA_LOG_COL_DEVICE_ID, OTA_LOG_COL_CURSOR_US = 11 };

/* $1 firmware id, $2 device ids (JSON array, NULL: the default choice), $3 download URL,
 * $4 ota.max_parallel → transitions (pending ones, then those sent at once). */
STATEMENT_DECLARE(ota_enqueue_call, 4);
/* $1 device id, $2 firmware id, $3 success, $4 error, $5 ota.max_parallel → transitions. */
STATEMENT_DECLARE(ota_report_call, 5);
/* $1 JSON array of log ids → their rows (ota_log_columns), by device name. */
STATEMENT_DECLARE(ota_logs_by_ids, 1);
/* $1/$2 cursor (created_at, id) or NULL, $3 rows → newest first, with the cursor column. */
STATEMENT_DECLARE(ota_logs_page, 3);
/* $1 firmware id → its type and version; no row: unknown. */
STATEMENT_DECLARE(ota_firmware, 1);
enum { OTA_FIRMWARE_COL_TYPE, OTA_FIRMWARE_COL_VERSION };
/* $1 JSON array of device ids, $2 type → (index in the array, id) of those that are not
 * devices of that type. */
STATEMENT_DECLARE(ota_devices_not_of_type, 2);

#endif
