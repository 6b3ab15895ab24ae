/*
 * repo.c — SQL of the zones module (api-zones).
 *
 * The only file of this module that holds SQL; every statement is parameterized and
 * fixed. ZONE_SELECT and zone_columns are one pair: change them together. A zone's
 * deviceCount is counted where it is read (devices_zone indexes it), so it is never stale.
 */
#include "repo.h"

/* Column order must match zone_columns; statements alias zones as z. */
#define ZONE_SELECT \
	"z.id, z.name, z.position, (SELECT count(*) FROM devices d WHERE d.zone_id = z.id), z.created_at, z.updated_at"
#define ZONE_ORDER "z.position, lower(z.name), z.name, z.id"

const struct db_column zone_columns[] = {
	{ "id", DBK_STRING },
	{ "name", DBK_STRING },
	{ "position", DBK_NUMBER },
	{ "deviceCount", DBK_NUMBER },
	{ "createdAt", DBK_TIME },
	{ "updatedAt", DBK_TIME },
	{ 0 },
};

const struct db_column zone_deleted_columns[] = {
	{ "zoneId", DBK_STRING },
	{ "zoneName", DBK_STRING },
	{ 0 },
};

STATEMENT(zones_list, "SELECT " ZONE_SELECT " FROM zones z ORDER BY " ZONE_ORDER);

STATEMENT(zones_by_id, "SELECT " ZONE_SELECT " FROM zones z WHERE z.id = $1::uuid");

STATEMENT(zones_devices,
	"SELECT " DEVICE_SELECT " FROM devices d WHERE d.zone_id = $1::uuid "
	"ORDER BY lower(d.name), d.name, d.id LIMIT $2::integer");

STATEMENT(zones_insert,
	"INSERT INTO zones AS z (name, position) "
	"VALUES (btrim($1::text), (SELECT COALESCE(max(position) + 1, 0) FROM zones)) RETURNING " ZONE_SELECT,
	.conflict = "name: a zone with this name exists");

STATEMENT(zones_rename,
	"UPDATE zones AS z SET name = btrim($2::text), updated_at = now() WHERE z.id = $1::uuid RETURNING " ZONE_SELECT,
	.conflict = "name: a zone with this name exists");

STATEMENT(zones_lock_devices, "SELECT 1 FROM list_versions WHERE name = 'devices' FOR UPDATE");

STATEMENT(zones_clear_devices,
	"UPDATE devices AS d SET zone_id = NULL, updated_at = now() WHERE d.zone_id = $1::uuid "
	"RETURNING " DEVICE_SELECT);

STATEMENT(zones_delete, "DELETE FROM zones AS z WHERE z.id = $1::uuid RETURNING z.id, z.name");

STATEMENT(zones_order_problems,
	"WITH given AS (SELECT g.id, g.ord FROM unnest($1::uuid[]) WITH ORDINALITY AS g(id, ord)) "
	"SELECT (SELECT g.ord - 1 FROM given g WHERE NOT EXISTS (SELECT 1 FROM zones z WHERE z.id = g.id) "
	"        ORDER BY g.ord LIMIT 1), "
	"       (SELECT z.id FROM zones z WHERE NOT EXISTS (SELECT 1 FROM given g WHERE g.id = z.id) "
	"        ORDER BY " ZONE_ORDER " LIMIT 1)");

STATEMENT(zones_reorder,
	"UPDATE zones AS z SET position = g.ord - 1, updated_at = now() "
	"FROM unnest($1::uuid[]) WITH ORDINALITY AS g(id, ord) "
	"WHERE z.id = g.id AND z.position <> g.ord - 1 RETURNING " ZONE_SELECT);
