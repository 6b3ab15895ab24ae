/*
 * firmware_repo.h — SQL of the firmware store, for api-firmware and api-ota: the firmwares table, one row per
 * image file in the firmware directory. Nothing here touches files or decides rules.
 */
#ifndef STATION_API_SHARED_FIRMWARE_REPO_H
#define STATION_API_SHARED_FIRMWARE_REPO_H

#include "statement.h"

/* Firmware JSON: {id,deviceType,version,fileName,size,sha256,source,createdAt} */
extern const struct db_column firmware_columns[];
enum { FIRMWARE_COL_ID, FIRMWARE_COL_DEVICE_TYPE, FIRMWARE_COL_VERSION, FIRMWARE_COL_FILE_NAME,
       FIRMWARE_COL_SIZE, FIRMWARE_COL_SHA256 };

/* Every image, by type then newest first. */
STATEMENT_DECLARE(firmwares_list, 0);
STATEMENT_DECLARE(firmwares_by_id, 1);
/* $1 type, $2 version, $3 file name, $4 size, $5 sha256, $6 source → the new row, or no
 * row when that type already has that version. */
STATEMENT_DECLARE(firmwares_insert, 6);
/* $1 type, $2 version → the image of that version. */
STATEMENT_DECLARE(firmwares_by_version, 2);
/* $1 id → the deleted row. (A race with a new OTA update of it is refused by ota_logs'
 * check: the statement's `invalid` message.) */
STATEMENT_DECLARE(firmwares_delete, 1);
/* $1 id → a row when a pending or sent OTA update uses the image. */
STATEMENT_DECLARE(firmwares_in_use, 1);
/* $1 device id → its type and firmware version. */
STATEMENT_DECLARE(firmware_device, 1);
enum { FIRMWARE_DEVICE_COL_TYPE, FIRMWARE_DEVICE_COL_VERSION };

#endif
