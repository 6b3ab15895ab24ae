/*
 * device_row.h — the Device JSON of SPEC §4 (devices module), for every module that
 * answers with devices: api-devices, and api-zones (a zone with its devices).
 *
 * DEVICE_SELECT and device_columns are one pair: the SELECT list a statement uses, in the
 * column order the map follows; change them together, here only. Statements alias the
 * devices table as `d`. token_hash is never selected for output.
 */
#ifndef STATION_API_SHARED_DEVICE_ROW_H
#define STATION_API_SHARED_DEVICE_ROW_H

#include "db.h"

/* Column order must match device_columns. */
#define DEVICE_SELECT \
	"d.id, d.external_id, d.name, d.type, d.zone_id, d.status, d.state, d.firmware_version, d.chip, " \
	"d.kit_tag, d.last_heartbeat_at, d.last_seen_at, d.created_at, d.updated_at"

/* {id,externalId,name,type,zoneId,status,state,firmwareVersion,chip,kitTag,lastHeartbeatAt,
 * lastSeenAt,createdAt,updatedAt}: every route and push message that carries a device. */
extern const struct db_column device_columns[];
enum { DEVICE_COL_ID, DEVICE_COL_EXTERNAL_ID, DEVICE_COL_NAME, DEVICE_COL_TYPE, DEVICE_COL_ZONE_ID,
       DEVICE_COL_STATUS, DEVICE_COL_STATE };
/* How many columns DEVICE_SELECT has: a statement's own columns follow from here. */
enum { DEVICE_COLUMN_COUNT = 14 };

#endif
