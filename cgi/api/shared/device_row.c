/*
 * device_row.c — the column map of the Device JSON (device_row.h), shared by the modules
 * that answer with devices. Only the map lives here; each module keeps its own SQL.
 */
#include "device_row.h"

const struct db_column device_columns[] = {
	{ "id", DBK_STRING },
	{ "externalId", DBK_STRING },
	{ "name", DBK_STRING },
	{ "type", DBK_STRING },
	{ "zoneId", DBK_STRING },
	{ "status", DBK_STRING },
	{ "state", DBK_JSON },
	{ "firmwareVersion", DBK_STRING },
	{ "chip", DBK_STRING },
	{ "kitTag", DBK_STRING },
	{ "lastHeartbeatAt", DBK_TIME },
	{ "lastSeenAt", DBK_TIME },
	{ "createdAt", DBK_TIME },
	{ "updatedAt", DBK_TIME },
	{ 0 },
};

_Static_assert(sizeof device_columns / sizeof device_columns[0] == DEVICE_COLUMN_COUNT + 1,
	       "DEVICE_COLUMN_COUNT counts device_columns");
