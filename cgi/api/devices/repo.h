/*
 * repo.h — SQL of the devices module (api-devices): devices, their token hashes, the
 * command outbox, and the NOTIFYs that announce changes.
 *
 * Functions return the database status and, on DB_OK, a result released with the
 * arena. Results that become JSON follow one of the column maps below; the others
 * name their columns with the enums beside them. Nothing here replies or decides rules.
 */
#ifndef STATION_API_DEVICES_REPO_H
#define STATION_API_DEVICES_REPO_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "arena.h"
#include "db.h"

/* The Device JSON of SPEC §4, shared by every route and push message. */
extern const struct db_column device_columns[];
enum { DEVICE_COL_ID, DEVICE_COL_EXTERNAL_ID, DEVICE_COL_NAME, DEVICE_COL_TYPE, DEVICE_COL_ZONE_ID,
       DEVICE_COL_STATUS, DEVICE_COL_STATE };

/* {id,deviceId,action,params,status,error,createdAt,expiresAt,sentAt} */
extern const struct db_column device_command_columns[];
/* {commandId,status,expiresAt}: the 202 of POST /api/devices/:id/command */
extern const struct db_column command_queued_columns[];

struct device_filter {
	const char *zone_id;   /* NULL: any zone */
	bool zone_none;        /* only devices without a zone */
	const char *type;      /* NULL: any */
	const char *status;    /* NULL: any */
	const char *q;         /* NULL: no search; else a case-insensitive substring */
	long limit;
};

enum db_status devices_list(struct db *db, struct arena *arena, const struct device_filter *filter,
			    PGresult **out);
enum db_status devices_get(struct db *db, struct arena *arena, const char *id, PGresult **out);

/* One row: does the type exist, does the zone exist (true when the argument is NULL). */
enum { REFS_TYPE_EXISTS, REFS_ZONE_EXISTS };
enum db_status devices_check_refs(struct db *db, struct arena *arena, const char *type, const char *zone_id,
				  PGresult **out);

/* The station's id (the MQTT topic root); no row until station-migrate has run. */
enum db_status station_id_get(struct db *db, struct arena *arena, PGresult **out);

enum db_status devices_insert(struct db *db, struct arena *arena, const char *external_id, const char *name,
			      const char *type, const char *zone_id, const char *token_hash, PGresult **out);
/* name NULL keeps the name; zone_set false keeps the zone, else zone_id (NULL clears). */
enum db_status devices_update(struct db *db, struct arena *arena, const char *id, const char *name,
			      bool zone_set, const char *zone_id, PGresult **out);

/* Deletes the device; the row (if any) has DELETED_COL_* columns. */
enum { DELETED_COL_ID, DELETED_COL_EXTERNAL_ID, DELETED_COL_NAME };
enum db_status devices_delete(struct db *db, struct arena *arena, const char *id, PGresult **out);

/* Replaces the token hash; the row (if any) holds the external id. */
enum db_status devices_set_token_hash(struct db *db, struct arena *arena, const char *id, const char *token_hash,
				      PGresult **out);

/* A device with what its type allows: the row (if any) has TARGET_COL_* columns. */
enum { TARGET_COL_ID, TARGET_COL_TYPE, TARGET_COL_STATUS, TARGET_COL_COMMANDS, TARGET_COL_CAPABILITIES };
enum db_status devices_command_target(struct db *db, struct arena *arena, const char *id, PGresult **out);

/* Queues a command and NOTIFYs device_commands with its id, in one statement. */
enum db_status device_commands_enqueue(struct db *db, struct arena *arena, const char *device_id,
				       const char *action, const char *params_json, const char *requested_by,
				       long ttl_seconds, PGresult **out);
/* The newest commands of a device; queued ones past their expiry read as expired. */
enum db_status device_commands_recent(struct db *db, struct arena *arena, const char *device_id, long limit,
				      PGresult **out);
/* One row when the device exists. */
enum db_status devices_exists(struct db *db, struct arena *arena, const char *id, PGresult **out);

#endif
