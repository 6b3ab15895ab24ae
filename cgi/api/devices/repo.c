/*
 * repo.c — SQL of the devices module (api-devices).
 *
 * The only file of this module that holds SQL; every statement is parameterized and
 * fixed (optional filters are NULL parameters, never spliced text). DEVICE_SELECT and
 * device_columns, the Device JSON, live in ../shared/device_row.h (api-zones answers with
 * devices too). The command outbox row and its NOTIFY go out in a single statement, so a
 * listener never hears of a command that is not there.
 */
#include "repo.h"

const struct db_column device_command_columns[] = {
	{ "id", DBK_STRING },
	{ "deviceId", DBK_STRING },
	{ "action", DBK_STRING },
	{ "params", DBK_JSON },
	{ "status", DBK_STRING },
	{ "error", DBK_STRING },
	{ "createdAt", DBK_TIME },
	{ "expiresAt", DBK_TIME },
	{ "sentAt", DBK_TIME },
	{ 0 },
};

const struct db_column device_deleted_columns[] = {
	{ "deviceId", DBK_STRING },
	{ "deviceName", DBK_STRING },
	{ 0 },
};

const struct db_column command_queued_columns[] = {
	{ "commandId", DBK_STRING },
	{ "status", DBK_STRING },
	{ "expiresAt", DBK_TIME },
	{ 0 },
};

/* $1 zone id, $2 only devices without a zone, $3 type, $4 status, $5 search text, $6 limit;
 * the list's version last (device_columns stops before it). */
STATEMENT(devices_list,
	"SELECT " DEVICE_SELECT ", (SELECT version FROM list_versions WHERE name = 'devices') FROM devices d "
	"WHERE ($1::uuid IS NULL OR d.zone_id = $1::uuid) "
	"AND (NOT $2::boolean OR d.zone_id IS NULL) "
	"AND ($3::text IS NULL OR d.type = $3::text) "
	"AND ($4::text IS NULL OR d.status = $4::text) "
	"AND ($5::text IS NULL OR strpos(lower(d.name), lower($5::text)) > 0 "
	"     OR strpos(lower(d.external_id), lower($5::text)) > 0) "
	"ORDER BY lower(d.name), d.name, d.id LIMIT $6::integer");

STATEMENT(devices_list_version, "SELECT version FROM list_versions WHERE name = 'devices'");

STATEMENT(devices_by_id,
	"SELECT " DEVICE_SELECT " FROM devices d WHERE d.id = $1::uuid");

/* The station row is station-migrate's: without it, no row at all. */
STATEMENT(devices_create_refs,
	"SELECT EXISTS (SELECT 1 FROM device_types WHERE id = $1::text), "
	"($2::uuid IS NULL OR EXISTS (SELECT 1 FROM zones WHERE id = $2::uuid)), s.id "
	"FROM station s LIMIT 1");

STATEMENT(devices_insert,
	"INSERT INTO devices AS d (external_id, name, type, zone_id, token_hash) "
	"VALUES ($1, $2, $3, $4::uuid, $5) RETURNING " DEVICE_SELECT,
	.conflict = "externalId: already registered");

STATEMENT(devices_update,
	"UPDATE devices AS d SET name = COALESCE($2::text, d.name), "
	"zone_id = CASE WHEN $3::boolean THEN $4::uuid ELSE d.zone_id END, updated_at = now() "
	"WHERE d.id = $1::uuid RETURNING " DEVICE_SELECT,
	.invalid = "zoneId: zone not found"); /* the only reference an update can break */

/* Column order must match device_deleted_columns; the external id follows. */
STATEMENT(devices_delete,
	"DELETE FROM devices AS d WHERE d.id = $1::uuid RETURNING d.id, d.name, d.external_id");

STATEMENT(devices_set_token_hash,
	"UPDATE devices AS d SET token_hash = $2 WHERE d.id = $1::uuid RETURNING d.external_id");

STATEMENT(devices_command_target,
	"SELECT d.id, d.type, d.status, t.commands, t.capabilities "
	"FROM devices d JOIN device_types t ON t.id = d.type WHERE d.id = $1::uuid");

/* A SELECT-only CTE runs only when referenced: the final join makes pg_notify run. */
STATEMENT(device_commands_enqueue,
	"WITH cmd AS (INSERT INTO device_commands (device_id, action, params, requested_by, expires_at) "
	"             VALUES ($1::uuid, $2, $3::jsonb, $4::uuid, now() + make_interval(secs => $5::integer)) "
	"             RETURNING id, status, expires_at), "
	"notified AS (SELECT pg_notify('device_commands', cmd.id::text) FROM cmd) "
	"SELECT cmd.id, cmd.status, cmd.expires_at FROM cmd CROSS JOIN notified");

STATEMENT(device_commands_recent,
	"SELECT c.id, c.device_id, c.action, c.params, "
	"CASE WHEN c.status = 'queued' AND c.expires_at <= now() THEN 'expired' ELSE c.status END, "
	"c.error, c.created_at, c.expires_at, c.sent_at "
	"FROM device_commands c WHERE c.device_id = $1::uuid "
	"ORDER BY c.created_at DESC, c.id DESC LIMIT $2::integer");

STATEMENT(devices_exists,
	"SELECT 1 FROM devices WHERE id = $1::uuid");
