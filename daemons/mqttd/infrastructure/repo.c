/*
 * repo.c — the SQL of station-mqttd (see repo.h).
 *
 * Rules kept here: parameters only; no JSON is built in SQL (jsonb parameters are only
 * unpacked); rows are locked in id order (FOR UPDATE … ORDER BY id) so two writers of
 * the same devices cannot deadlock; NOTIFY payloads are built and size-checked in C
 * before they reach pg_notify, which would otherwise fail the whole transaction.
 */
#include "infrastructure/repo.h"

#include "ota.h"
#include "statement.h"

STATEMENT_LOCAL(mqttd_station_id, 0, "SELECT id FROM station LIMIT 1");

STATEMENT_LOCAL(mqttd_handshake, 4,
	"WITH old AS (SELECT id, status FROM devices WHERE external_id = $1::text FOR UPDATE) "
	"UPDATE devices d SET firmware_version = $2::text, chip = $3::text, kit_tag = $4::text, "
	"status = 'online', last_seen_at = now(), last_heartbeat_at = now(), "
	"updated_at = CASE WHEN (d.firmware_version, d.chip, d.kit_tag) IS DISTINCT FROM ($2::text, $3::text, $4::text) "
	"                  THEN now() ELSE d.updated_at END "
	"FROM old WHERE d.id = old.id "
	"RETURNING d.id, d.name, d.type, old.status");

STATEMENT_LOCAL(mqttd_kit_auto_apply, 1, "SELECT kit_auto_apply($1::text)");

/* The OTA state machine is the database's (014_ota.sql): a handshake only calls it. */
STATEMENT_LOCAL(mqttd_ota_handshake, 3,
	"SELECT " OTA_TRANSITION_SELECT " FROM ota_handshake($1::uuid, $2::text, $3::integer) t");

STATEMENT_LOCAL(mqttd_devices_lock, 1,
	"SELECT d.id, d.external_id, d.name, d.type, d.status, d.state, t.capabilities "
	"FROM devices d JOIN device_types t ON t.id = d.type "
	"WHERE d.external_id IN (SELECT jsonb_array_elements_text($1::jsonb)) "
	"ORDER BY d.id FOR UPDATE OF d");

STATEMENT_LOCAL(mqttd_devices_update, 1,
	"UPDATE devices d SET state = COALESCE(x.state, d.state), status = x.status, "
	"last_seen_at = GREATEST(d.last_seen_at, x.last_seen_at), "
	"last_heartbeat_at = GREATEST(d.last_heartbeat_at, x.last_heartbeat_at) "
	"FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, state jsonb, status text, "
	"                                        last_seen_at timestamptz, last_heartbeat_at timestamptz) "
	"WHERE d.id = x.id");

/* Event settings (012_event_settings.sql, view device_event_settings) decide inside the
 * batch's statements: an event_received row whose event is set `record: false` is not
 * inserted, and a device.eventReceived notification of one set `notify: false` is not
 * sent on station_events — it goes to automation_events instead, which only
 * station-automationd LISTENs on, so automations still fire on events nobody is shown
 * (docs/automationd.md). The lookup is a LATERAL … LIMIT 1 so that it stays a probe of primary keys per
 * event row (the device, its type, the preset, the setting), skipped for other rows, and
 * never repeats a row; a NOT EXISTS there is planned as a hash of every device's settings. */
STATEMENT_LOCAL(mqttd_events_insert, 1,
	"INSERT INTO device_events (device_id, kind, action, data, created_at) "
	"SELECT x.device_id, x.kind, x.action, COALESCE(x.data, '{}'::jsonb), COALESCE(x.created_at, now()) "
	"FROM jsonb_to_recordset($1::jsonb) AS x(device_id uuid, kind text, action text, data jsonb, "
	"                                        created_at timestamptz) "
	"LEFT JOIN LATERAL (SELECT s.record FROM device_event_settings s WHERE x.kind = 'event_received' "
	"                   AND s.device_id = x.device_id AND s.action = x.action LIMIT 1) s ON true "
	"WHERE s.record IS NOT false");

STATEMENT_LOCAL(mqttd_announce, 1,
	"SELECT pg_notify(CASE WHEN s.notify IS false THEN 'automation_events' ELSE 'station_events' END, p.payload) "
	"FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (payload text, device_id uuid, event_action text)) "
	"     WITH ORDINALITY AS p(payload, device_id, event_action, n) "
	"LEFT JOIN LATERAL (SELECT s.notify FROM device_event_settings s WHERE p.event_action IS NOT NULL "
	"                   AND s.device_id = p.device_id AND s.action = p.event_action LIMIT 1) s ON true "
	"ORDER BY p.n");

/* The rule is devices_mark_silent_offline() (sql/migrations/005_device_liveness.sql), shared
 * with station-cron. */
STATEMENT_LOCAL(mqttd_devices_time_out, 1,
	"SELECT s.id, s.name, s.type, s.silent_since FROM devices_mark_silent_offline($1::integer) s");

STATEMENT_LOCAL(mqttd_commands_due, 2,
	"SELECT c.id, c.device_id, d.external_id, c.action, c.params "
	"FROM device_commands c JOIN devices d ON d.id = c.device_id "
	"WHERE c.status = 'queued' AND c.expires_at > now() "
	"AND d.status = 'online' AND d.last_seen_at IS NOT NULL "
	"AND c.id NOT IN (SELECT jsonb_array_elements_text($1::jsonb)::uuid) "
	"ORDER BY c.created_at, c.id LIMIT $2::integer");

/* A command the broker took just as it expired was still sent: 'expired' may become 'sent'. */
STATEMENT_LOCAL(mqttd_commands_sent, 1,
	"UPDATE device_commands c SET status = 'sent', sent_at = x.sent_at "
	"FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, sent_at timestamptz) "
	"WHERE c.id = x.id AND c.status IN ('queued', 'expired') "
	"RETURNING c.id, c.device_id, NULL::text, c.action, c.params");

enum db_status repo_station_id(struct db *db, struct arena *arena, const char **station_id)
{
	PGresult *res = NULL;
	enum db_status st = statement_exec(db, arena, mqttd_station_id, &res);
	*station_id = st == DB_OK && PQntuples(res) > 0 ? db_value(res, 0, 0) : NULL;
	return st;
}

const char *const repo_listen_channels[] = { "device_commands", NULL };

enum db_status repo_handshake(struct db *db, struct arena *arena, const char *external_id, const char *firmware_version,
			      const char *chip, const char *kit_tag, PGresult **out)
{
	return statement_exec(db, arena, mqttd_handshake, out, external_id, firmware_version, chip, kit_tag);
}

enum db_status repo_kit_auto_apply(struct db *db, struct arena *arena, const char *kit_tag, PGresult **out)
{
	return statement_exec(db, arena, mqttd_kit_auto_apply, out, kit_tag);
}

enum db_status repo_ota_handshake(struct db *db, struct arena *arena, const char *device_id,
				  const char *firmware_version, long max_parallel, PGresult **out)
{
	return statement_exec(db, arena, mqttd_ota_handshake, out, device_id, firmware_version,
			      arena_printf(arena, "%ld", max_parallel));
}

enum db_status repo_devices_lock(struct db *db, struct arena *arena, const char *external_ids_json, PGresult **out)
{
	return statement_exec(db, arena, mqttd_devices_lock, out, external_ids_json);
}

enum db_status repo_devices_update(struct db *db, struct arena *arena, const char *rows_json)
{
	return statement_exec(db, arena, mqttd_devices_update, NULL, rows_json);
}

enum db_status repo_events_insert(struct db *db, struct arena *arena, const char *rows_json)
{
	return statement_exec(db, arena, mqttd_events_insert, NULL, rows_json);
}

enum db_status repo_announce(struct db *db, struct arena *arena, const char *payloads_json)
{
	return statement_exec(db, arena, mqttd_announce, NULL, payloads_json);
}

enum db_status repo_devices_time_out(struct db *db, struct arena *arena, long timeout_s, PGresult **out)
{
	return statement_exec(db, arena, mqttd_devices_time_out, out, arena_printf(arena, "%ld", timeout_s));
}

enum db_status repo_commands_due(struct db *db, struct arena *arena, const char *exclude_json, long limit,
				 PGresult **out)
{
	return statement_exec(db, arena, mqttd_commands_due, out, exclude_json, arena_printf(arena, "%ld", limit));
}

enum db_status repo_commands_mark_sent(struct db *db, struct arena *arena, const char *rows_json, PGresult **out)
{
	return statement_exec(db, arena, mqttd_commands_sent, out, rows_json);
}
