/*
 * repo.c — SQL of the ota module (repo.h). Versions are ordered by their numbers
 * (ota_version_key, 014_ota.sql): 0.1.10 is newer than 0.1.9.
 */
#include "repo.h"

const struct db_column ota_device_type_columns[] = {
	{ "type", DBK_STRING }, { "deviceCount", DBK_NUMBER }, { "versions", DBK_JSON },
	{ "latestFirmware", DBK_STRING }, { 0 },
};

/* The versions of one type are a handful of strings: aggregated here, unlike rows. */
STATEMENT(ota_device_types,
	  "SELECT d.type, count(*), "
	  "COALESCE(jsonb_agg(DISTINCT d.firmware_version) FILTER (WHERE d.firmware_version IS NOT NULL), '[]'), "
	  "(SELECT f.version FROM firmwares f WHERE f.device_type = d.type "
	  " ORDER BY ota_version_key(f.version) DESC, f.created_at DESC LIMIT 1) "
	  "FROM devices d GROUP BY d.type ORDER BY d.type");

STATEMENT(ota_newer_firmware,
	  "SELECT f.id, f.version, f.sha256 FROM firmwares f "
	  "WHERE f.device_type = $1 AND ota_version_key(f.version) > ota_version_key($2) "
	  "ORDER BY ota_version_key(f.version) DESC, f.created_at DESC LIMIT 1");

STATEMENT(ota_auto_enabled, "SELECT COALESCE(bool_or(s.auto_ota), false) FROM station_settings s");

STATEMENT(ota_devices_older,
	  "SELECT COALESCE(jsonb_agg(d.id ORDER BY d.id), '[]') FROM devices d WHERE d.type = $1 "
	  "AND (d.firmware_version IS NULL OR ota_version_key(d.firmware_version) < ota_version_key($2))");
