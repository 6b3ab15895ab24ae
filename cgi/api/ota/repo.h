/*
 * repo.h — SQL of the ota module (api-ota) beyond what it shares with api-firmware
 * (../shared/ota_repo.h): what the station-agent is told to fetch, what a device is told
 * to install, and the autoOta setting. Nothing here replies or decides rules.
 */
#ifndef STATION_API_OTA_REPO_H
#define STATION_API_OTA_REPO_H

#include "statement.h"

/* {type,deviceCount,versions:[…],latestFirmware}: every device type that has devices. */
extern const struct db_column ota_device_type_columns[];
STATEMENT_DECLARE(ota_device_types, 0);

/* $1 type, $2 the device's version (NULL: none known) → the newest image of the type with
 * a higher version: id, version, sha256; no row: up to date. */
STATEMENT_DECLARE(ota_newer_firmware, 2);
enum { OTA_NEWER_COL_ID, OTA_NEWER_COL_VERSION, OTA_NEWER_COL_SHA256 };

/* → whether autoOta is on (the station's settings). */
STATEMENT_DECLARE(ota_auto_enabled, 0);
/* $1 type, $2 version → a JSON array of the ids of that type's devices on an older (or
 * unknown) version. */
STATEMENT_DECLARE(ota_devices_older, 2);

#endif
