/*
 * repo.h — SQL of the device type registry (api-device-types): list, get, upsert.
 *
 * Statements run with db_run(); their rows follow device_type_columns (the Type JSON of
 * SPEC §4). Nothing here replies or decides rules.
 */
#ifndef STATION_API_DEVICE_TYPES_REPO_H
#define STATION_API_DEVICE_TYPES_REPO_H

#include <stdbool.h>

#include "statement.h"

/* {id,name,category,capabilities,commands,events,periodic,builtIn,createdAt,updatedAt} */
extern const struct db_column device_type_columns[];

struct device_type_row {
	const char *id;
	const char *name;
	const char *category;
	const char *capabilities_json; /* canonical JSON arrays written by service.c */
	const char *commands_json;
	const char *events_json;
	bool periodic;
};

STATEMENT_DECLARE(device_types_list, 0);
STATEMENT_DECLARE(device_types_by_id, 1);
/*
 * $1 id … $7 periodic (a device_type_row): inserts or replaces a type that is not built
 * in. One row (device_type_columns, then a boolean: inserted), or none for a built-in id.
 */
STATEMENT_DECLARE(device_types_upsert, 7);

#endif
