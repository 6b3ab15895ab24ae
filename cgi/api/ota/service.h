/*
 * service.h — rules of the ota module (api-ota): who a device may speak for, and the
 * names and checksums the station-agent sends. No SQL.
 */
#ifndef STATION_API_OTA_SERVICE_H
#define STATION_API_OTA_SERVICE_H

#include "runtime.h"

/* A device token speaks for its own device only: value (the field `field`) must be the
 * caller's id or external id. 0, or 403 "<field>: not this device". */
int ota_own_device_or_reply(struct request *req, const char *field, const char *value);

/* NULL, or the 400 message for a file name of the firmware cache: a plain name (no
 * directory, so no way out of firmware.dir), letters, digits and . + _ @ -, ending in .bin. */
const char *ota_cache_name_problem(const char *file);

#endif
