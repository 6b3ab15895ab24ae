/*
 * ota.c — the ota.progress push of an OTA transition (ota.h).
 */
#include "ota.h"

#include "notify.h"

const struct db_column ota_progress_columns[] = {
	{ "otaId", DBK_STRING }, { "deviceId", DBK_STRING }, { "deviceName", DBK_STRING },
	{ "deviceType", DBK_STRING }, { "firmwareId", DBK_STRING }, { "fromVersion", DBK_STRING },
	{ "toVersion", DBK_STRING }, { "status", DBK_STRING }, { "errorMessage", DBK_STRING }, { 0 },
};

const char *ota_progress_payload(struct arena *arena, const PGresult *res, int row, long long now_ms)
{
	return station_event_from_row(arena, "ota.progress", res, row, ota_progress_columns,
				      OTA_PROGRESS_COL_DEVICE_NAME, now_ms);
}
