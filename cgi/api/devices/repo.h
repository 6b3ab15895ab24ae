/*
 * repo.h — SQL of the devices module (api-devices): devices, their token hashes, the
 * command outbox, and the NOTIFYs that announce changes.
 *
 * Statements are declared here with their parameters and run with db_run(). Results
 * that become JSON follow one of the column maps below; the others name their columns
 * with the enums beside them. Nothing here replies or decides rules.
 */
#ifndef STATION_API_DEVICES_REPO_H
#define STATION_API_DEVICES_REPO_H

#include "api/shared/device_row.h" /* the Device JSON: device_columns, DEVICE_SELECT */
#include "statement.h"

/* {id,deviceId,action,params,status,error,createdAt,expiresAt,sentAt} */
extern const struct db_column device_command_columns[];
/* device.deleted's data: {deviceId,deviceName} */
extern const struct db_column device_deleted_columns[];
/* {commandId,status,expiresAt}: the 202 of POST /api/devices/:id/command */
extern const struct db_column command_queued_columns[];

/* $1 zone id, $2 only devices without a zone (bool), $3 type, $4 status, $5 search text, $6 limit;
 * NULL filters match everything. Ordered by name. Each row ends with the list's version
 * (column LIST_COL_VERSION, past device_columns: read in the same snapshot as the rows). */
STATEMENT_DECLARE(devices_list, 6);
enum { LIST_COL_VERSION = DEVICE_COLUMN_COUNT };
/* The version of the device list (list_versions, bumped with every change of devices). */
STATEMENT_DECLARE(devices_list_version, 0);
STATEMENT_DECLARE(devices_by_id, 1);
/* $1 type, $2 zone id (NULL: none) → REFS_*: do they exist, and the station's id (the MQTT
 * topic root); no row until station-migrate has run. */
STATEMENT_DECLARE(devices_create_refs, 2);
enum { REFS_TYPE_EXISTS, REFS_ZONE_EXISTS, REFS_STATION_ID };
/* $1 external id, $2 name, $3 type, $4 zone id, $5 token hash → the device (device_columns). */
STATEMENT_DECLARE(devices_insert, 5);
/* $1 id, $2 name (NULL keeps it), $3 set the zone (bool), $4 zone id (NULL clears). */
STATEMENT_DECLARE(devices_update, 4);
/* $1 id → the deleted device: device_deleted_columns, then DELETED_COL_EXTERNAL_ID. */
STATEMENT_DECLARE(devices_delete, 1);
enum { DELETED_COL_EXTERNAL_ID = 2 };
/* $1 id, $2 token hash → the external id. */
STATEMENT_DECLARE(devices_set_token_hash, 2);
/* $1 id → a device with what its type allows, TARGET_COL_* columns. */
STATEMENT_DECLARE(devices_command_target, 1);
enum { TARGET_COL_ID, TARGET_COL_TYPE, TARGET_COL_STATUS, TARGET_COL_COMMANDS, TARGET_COL_CAPABILITIES };
/* $1 device, $2 action, $3 params (JSON), $4 requested by, $5 ttl seconds: queues the
 * command and NOTIFYs device_commands with its id, in one statement (command_queued_columns). */
STATEMENT_DECLARE(device_commands_enqueue, 5);
/* $1 device, $2 limit: the newest commands; queued ones past expiry read as expired. */
STATEMENT_DECLARE(device_commands_recent, 2);
/* $1 id → one row when the device exists. */
STATEMENT_DECLARE(devices_exists, 1);

#endif
