/*
 * ota_repo.c — SQL of OTA updates (ota_repo.h). OTA_LOG_SELECT and ota_log_columns are
 * one pair: change them together.
 */
#include "ota_repo.h"

#define OTA_LOG_SELECT \
	"o.id, o.device_id, d.name, o.firmware_id, o.from_version, o.to_version, o.status, o.error_message, " \
	"o.created_at, o.sent_at, o.finished_at"

const struct db_column ota_log_columns[] = {
	{ "id", DBK_STRING }, { "deviceId", DBK_STRING }, { "deviceName", DBK_STRING },
	{ "firmwareId", DBK_STRING }, { "fromVersion", DBK_STRING }, { "toVersion", DBK_STRING },
	{ "status", DBK_STRING }, { "errorMessage", DBK_STRING }, { "createdAt", DBK_TIME },
	{ "sentAt", DBK_TIME }, { "finishedAt", DBK_TIME }, { 0 },
};

STATEMENT(ota_enqueue_call,
	  "SELECT " OTA_TRANSITION_SELECT " FROM ota_enqueue($1::uuid, "
	  /* a list given, even empty, is the devices chosen; only no list means "all on another version" */
	  "CASE WHEN $2::jsonb IS NOT NULL THEN COALESCE((SELECT array_agg(x::uuid) FROM jsonb_array_elements_text($2::jsonb) x), '{}') END, "
	  "$3, $4::integer) t");

STATEMENT(ota_report_call,
	  "SELECT " OTA_TRANSITION_SELECT " FROM ota_report($1::uuid, $2::uuid, $3::boolean, $4, $5::integer) t",
	  .invalid = "firmwareId: not a firmware image");

STATEMENT(ota_logs_by_ids,
	  "SELECT " OTA_LOG_SELECT " FROM ota_logs o JOIN devices d ON d.id = o.device_id "
	  "WHERE o.id IN (SELECT x::uuid FROM jsonb_array_elements_text($1::jsonb) x) ORDER BY d.name, d.id");

STATEMENT(ota_logs_page,
	  "SELECT " OTA_LOG_SELECT ", (extract(epoch FROM o.created_at) * 1000000)::bigint "
	  "FROM ota_logs o JOIN devices d ON d.id = o.device_id "
	  "WHERE ($1::timestamptz IS NULL OR (o.created_at, o.id) < ($1::timestamptz, $2::uuid)) "
	  "ORDER BY o.created_at DESC, o.id DESC LIMIT $3::integer");

STATEMENT(ota_firmware, "SELECT f.device_type, f.version FROM firmwares f WHERE f.id = $1::uuid");

STATEMENT(ota_devices_not_of_type,
	  "SELECT n - 1, x FROM jsonb_array_elements_text($1::jsonb) WITH ORDINALITY AS a(x, n) "
	  "WHERE NOT EXISTS (SELECT 1 FROM devices d WHERE d.id = a.x::uuid AND d.type = $2) ORDER BY n");
