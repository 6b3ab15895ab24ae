/*
 * repo.h — SQL of the device type registry (api-device-types): list, get, upsert.
 *
 * Functions return the database status and, on DB_OK, a result whose columns follow
 * device_type_columns (the Type JSON of SPEC §4). Nothing here replies or decides rules.
 */
#ifndef STATION_API_DEVICE_TYPES_REPO_H
#define STATION_API_DEVICE_TYPES_REPO_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "arena.h"
#include "db.h"

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

enum db_status device_types_list(struct db *db, struct arena *arena, PGresult **out);
enum db_status device_types_get(struct db *db, struct arena *arena, const char *id, PGresult **out);
/*
 * Inserts or replaces a type that is not built in. The result has one row (columns as
 * device_type_columns, then a boolean "inserted"), or none when the id is built in.
 */
enum db_status device_types_upsert(struct db *db, struct arena *arena, const struct device_type_row *row,
				   PGresult **out);

#endif
