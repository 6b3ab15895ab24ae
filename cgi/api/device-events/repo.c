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
