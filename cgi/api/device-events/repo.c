/*
 * repo.c — SQL of the device-events module (api-device-events).
 *
 * The only file of this module that holds SQL. The feed is one fixed, parameterized
 * statement: every optional filter is a parameter that may be NULL, never spliced text.
 * Paging is keyset paging on (created_at, id), the order of the device_events indexes
 * (004_device_events.sql), so that events sharing a timestamp are neither repeated nor
 * skipped across pages. The cursor column is created_at in epoch microseconds (numeric
 * arithmetic, exact), and times come in as UTC text with all six decimals (service.c),
 * so no float can shift a row from one page to the next. EVENT_SELECT and
 * device_event_columns are one pair: change them together.
 *
 * Event settings are read through the views of 012_event_settings.sql, which write the
 * rule "the device's own setting, else its type's preset, else record and notify" once,
 * for this worker and for station-mqttd alike.
 */
#include "repo.h"

/* Column order must match device_event_columns, then the cursor column. */
#define EVENT_SELECT \
	"e.id, e.device_id, d.name, d.type, e.kind, e.action, e.data, e.created_at, " \
	"(extract(epoch FROM e.created_at) * 1000000)::bigint"

const struct db_column device_event_columns[] = {
	{ "id", DBK_STRING },
	{ "deviceId", DBK_STRING },
	{ "deviceName", DBK_STRING },
	{ "deviceType", DBK_STRING },
	{ "kind", DBK_STRING },
	{ "action", DBK_STRING },
	{ "data", DBK_JSON },
	{ "createdAt", DBK_TIME },
	{ 0 },
};

/* $1 device id, $2 kind, $3 since, $4 until, $5/$6 cursor (created_at, id), $7 rows. */
STATEMENT(device_events_page,
	"SELECT " EVENT_SELECT " FROM device_events e JOIN devices d ON d.id = e.device_id "
	"WHERE ($1::uuid IS NULL OR e.device_id = $1::uuid) "
	"AND ($2::text IS NULL OR e.kind = $2::text) "
	"AND ($3::timestamptz IS NULL OR e.created_at >= $3::timestamptz) "
	"AND ($4::timestamptz IS NULL OR e.created_at < $4::timestamptz) "
	"AND ($5::timestamptz IS NULL OR (e.created_at, e.id) < ($5::timestamptz, $6::uuid)) "
	"ORDER BY e.created_at DESC, e.id DESC LIMIT $7::integer");

#define SETTING_SELECT "s.device_id, s.device_name, s.device_type, s.action, s.record, s.notify, s.custom"

const struct db_column event_setting_columns[] = {
	{ "deviceId", DBK_STRING },
	{ "deviceName", DBK_STRING },
	{ "deviceType", DBK_STRING },
	{ "action", DBK_STRING },
	{ "record", DBK_BOOL },
	{ "notify", DBK_BOOL },
	{ "custom", DBK_BOOL },
	{ 0 },
};

STATEMENT(event_settings_list,
	"SELECT " SETTING_SELECT " FROM device_event_settings s "
	"WHERE ($1::uuid IS NULL OR s.device_id = $1::uuid) "
	"ORDER BY lower(s.device_name), s.device_id, s.position");

STATEMENT(event_settings_device,
	"SELECT d.type, t.events FROM devices d JOIN device_types t ON t.id = d.type "
	"WHERE d.id = $1::uuid FOR SHARE OF d");

STATEMENT(event_settings_clear, "DELETE FROM event_settings WHERE device_id = $1::uuid");

STATEMENT(event_settings_insert,
	"INSERT INTO event_settings (device_id, action, record, notify) "
	"SELECT $1::uuid, x.action, x.record, x.notify "
	"FROM jsonb_to_recordset($2::jsonb) AS x(action text, record boolean, notify boolean)");

const struct db_column event_preset_columns[] = {
	{ "deviceType", DBK_STRING },
	{ "action", DBK_STRING },
	{ "record", DBK_BOOL },
	{ "notify", DBK_BOOL },
	{ 0 },
};

STATEMENT(event_presets_list,
	"SELECT p.device_type, p.action, p.record, p.notify FROM device_type_event_defaults p "
	"ORDER BY p.device_type COLLATE \"C\", p.position");
