/*
 * repo.c — SQL of the settings module (api-settings).
 *
 * The only file of this module that holds SQL; every statement is parameterized and
 * fixed. SETTINGS_SELECT and settings_columns are one pair (s: station, ss: its
 * settings row): change them together. The sealed password is never selected, only
 * whether there is one.
 */
#include "repo.h"

/* Column order must match settings_columns, then the two Wi-Fi columns. */
#define SETTINGS_SELECT \
	"s.id, s.name, ss.timezone, ss.locale, ss.temperature_unit, ss.auto_ota, ss.wifi_ssid, " \
	"ss.wifi_password_sealed IS NOT NULL"

const struct db_column settings_columns[] = {
	{ "stationId", DBK_STRING },
	{ "stationName", DBK_STRING },
	{ "timezone", DBK_STRING },
	{ "locale", DBK_STRING },
	{ "temperatureUnit", DBK_STRING },
	{ "autoOta", DBK_BOOL },
	{ 0 },
};

const struct db_column provisioning_wifi_columns[] = {
	{ "ssid", DBK_STRING },
	{ "hasPassword", DBK_BOOL },
	{ 0 },
};

STATEMENT(settings_get,
	"SELECT " SETTINGS_SELECT " FROM station s JOIN station_settings ss ON ss.station_id = s.id LIMIT 1");

/* Both rows in one statement: the name is the station's, the rest its settings'. */
STATEMENT(settings_update,
	"WITH s AS (UPDATE station s SET name = COALESCE(btrim($1::text), s.name), "
	"             updated_at = CASE WHEN $1::text IS NULL THEN s.updated_at ELSE now() END "
	"           RETURNING s.id, s.name), "
	"ss AS (UPDATE station_settings ss SET timezone = COALESCE($2::text, ss.timezone), "
	"         locale = COALESCE($3::text, ss.locale), "
	"         temperature_unit = COALESCE($4::text, ss.temperature_unit), "
	"         auto_ota = COALESCE($5::boolean, ss.auto_ota), updated_at = now() "
	"       FROM s WHERE ss.station_id = s.id RETURNING ss.*) "
	"SELECT " SETTINGS_SELECT " FROM s JOIN ss ON ss.station_id = s.id");

STATEMENT(settings_set_provisioning_wifi,
	"UPDATE station_settings SET wifi_ssid = $1::text, wifi_password_sealed = $2::text, "
	"wifi_updated_at = now(), updated_at = now() "
	"RETURNING wifi_ssid, wifi_password_sealed IS NOT NULL");
