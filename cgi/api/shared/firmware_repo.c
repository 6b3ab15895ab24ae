/*
 * firmware_repo.c — SQL of the firmware store (firmware_repo.h): the Firmware JSON map beside its SELECT.
 */
#include "firmware_repo.h"

#define FIRMWARE_SELECT "f.id, f.device_type, f.version, f.file_name, f.size, f.sha256, f.source, f.created_at"

const struct db_column firmware_columns[] = {
	{ "id", DBK_STRING }, { "deviceType", DBK_STRING }, { "version", DBK_STRING },
	{ "fileName", DBK_STRING }, { "size", DBK_NUMBER }, { "sha256", DBK_STRING },
	{ "source", DBK_STRING }, { "createdAt", DBK_TIME }, { 0 },
};

STATEMENT(firmwares_list, "SELECT " FIRMWARE_SELECT " FROM firmwares f ORDER BY f.device_type, f.created_at DESC");
STATEMENT(firmwares_by_id, "SELECT " FIRMWARE_SELECT " FROM firmwares f WHERE f.id = $1::uuid");
STATEMENT(firmwares_insert,
	  "INSERT INTO firmwares AS f (device_type, version, file_name, size, sha256, source) "
	  "VALUES ($1, $2, $3, $4::bigint, $5, $6) ON CONFLICT (device_type, version) DO NOTHING "
	  "RETURNING " FIRMWARE_SELECT,
	  .conflict = "fileName: another image has this file name");
STATEMENT(firmwares_by_version,
	  "SELECT " FIRMWARE_SELECT " FROM firmwares f WHERE f.device_type = $1 AND f.version = $2");
STATEMENT(firmwares_delete, "DELETE FROM firmwares f WHERE f.id = $1::uuid RETURNING " FIRMWARE_SELECT,
	  .invalid = "firmware: in use by an ota update");
STATEMENT(firmwares_in_use,
	  "SELECT 1 FROM firmwares f WHERE f.id = $1::uuid "
	  "AND EXISTS (SELECT 1 FROM ota_logs o WHERE o.firmware_id = f.id AND o.status IN ('pending', 'sent'))");
STATEMENT(firmware_device, "SELECT d.type, d.firmware_version FROM devices d WHERE d.id = $1::uuid");
