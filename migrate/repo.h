/*
 * repo.h — station-migrate's own SQL: the migration ledger, the lock, the station row.
 */
#ifndef STATION_MIGRATE_REPO_H
#define STATION_MIGRATE_REPO_H

#include <stdbool.h>

#include "db.h"

enum db_status migrate_repo_lock(struct db *db, struct arena *arena);
enum db_status migrate_repo_ensure_ledger(struct db *db, struct arena *arena);
/* The checksum recorded for version, or NULL when it was never applied. */
enum db_status migrate_repo_applied_checksum(struct db *db, struct arena *arena, const char *version,
					     const char **checksum);
enum db_status migrate_repo_record(struct db *db, struct arena *arena, const char *version,
				   const char *name, const char *checksum);
/* Creates the single station row when missing; returns its id. */
enum db_status migrate_repo_ensure_station(struct db *db, struct arena *arena, const char **station_id);
/* Creates the station's settings row (station_settings, with its defaults) when missing. */
enum db_status migrate_repo_ensure_settings(struct db *db, struct arena *arena);

#endif
