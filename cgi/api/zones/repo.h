/*
 * repo.h — SQL of the zones module (api-zones): zones, their order, and the devices a
 * zone holds (in the Device JSON of the devices module, ../shared/device_row.h).
 *
 * Statements are declared here with their parameters and run with db_run(). Nothing
 * here replies or decides rules.
 */
#ifndef STATION_API_ZONES_REPO_H
#define STATION_API_ZONES_REPO_H

#include "api/shared/device_row.h"
#include "statement.h"

/* The Zone JSON: {id,name,position,deviceCount,createdAt,updatedAt}; position is the
 * zone's place in the household's order, 0 first. */
extern const struct db_column zone_columns[];
/* zone.deleted's data: {zoneId,zoneName} */
extern const struct db_column zone_deleted_columns[];

/* Every zone, in the household's order (position, then name). */
STATEMENT_DECLARE(zones_list, 0);
STATEMENT_DECLARE(zones_by_id, 1);
/* $1 zone, $2 limit: its devices (device_columns), by name. */
STATEMENT_DECLARE(zones_devices, 2);
/* $1 name (trimmed) → the new zone, last in the order (409 for a taken name). */
STATEMENT_DECLARE(zones_insert, 1);
/* $1 id, $2 name (trimmed) → the zone (409 for a taken name). */
STATEMENT_DECLARE(zones_rename, 2);
/* Takes the lock every writer of devices takes first (006_device_list_version.sql), so no
 * device joins a zone between the next two statements. */
STATEMENT_DECLARE(zones_lock_devices, 0);
/* $1 zone → the devices it held, now without a zone (device_columns). */
STATEMENT_DECLARE(zones_clear_devices, 1);
/* $1 id → the deleted zone (zone_deleted_columns). */
STATEMENT_DECLARE(zones_delete, 1);
/* $1 ids (uuid[] text) → one row: ORDER_COL_UNKNOWN, the index in $1 of the first id that
 * is no zone, and ORDER_COL_MISSING, the first zone $1 leaves out (NULLs when none). */
STATEMENT_DECLARE(zones_order_problems, 1);
enum { ORDER_COL_UNKNOWN, ORDER_COL_MISSING };
/* $1 ids (uuid[] text): each zone's position becomes its index in $1 → the zones that
 * moved (zone_columns). */
STATEMENT_DECLARE(zones_reorder, 1);

#endif
