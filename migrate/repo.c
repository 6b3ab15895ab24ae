/*
 * repo.c — station-migrate's SQL (see repo.h). Migration files themselves are run as
 * they are, each inside its own transaction, by station-migrate.c.
 */
#include "repo.h"

/* Any constant shared by every station-migrate: two concurrent runs serialise on it. */
static struct db_stmt lock_migrations = DB_STMT(0, "SELECT pg_advisory_lock(7215001)");

static struct db_stmt create_ledger = DB_STMT(0,
	"CREATE TABLE IF NOT EXISTS schema_migrations ("
	" version text PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,"
	" applied_at timestamptz NOT NULL DEFAULT now())");

static struct db_stmt applied_checksum = DB_STMT(1,
	"SELECT checksum FROM schema_migrations WHERE version = $1");

static struct db_stmt record_migration = DB_STMT(3,
	"INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)");

static struct db_stmt ensure_station = DB_STMT(0,
	"WITH created AS (INSERT INTO station (name) SELECT 'Smart Station'"
	"  WHERE NOT EXISTS (SELECT 1 FROM station) RETURNING id)"
	" SELECT id FROM created UNION ALL SELECT id FROM station LIMIT 1");

enum db_status migrate_repo_lock(struct db *db, struct arena *arena)
{
	return db_exec(db, arena, &lock_migrations, NULL, NULL);
}

enum db_status migrate_repo_ensure_ledger(struct db *db, struct arena *arena)
{
	return db_exec(db, arena, &create_ledger, NULL, NULL);
}

enum db_status migrate_repo_applied_checksum(struct db *db, struct arena *arena, const char *version,
					     const char **checksum)
{
	const char *params[] = { version };
	PGresult *res;
	enum db_status st = db_exec(db, arena, &applied_checksum, params, &res);
	*checksum = st == DB_OK && PQntuples(res) > 0 ? db_value(res, 0, 0) : NULL;
	return st;
}

enum db_status migrate_repo_record(struct db *db, struct arena *arena, const char *version,
				   const char *name, const char *checksum)
{
	const char *params[] = { version, name, checksum };
	return db_exec(db, arena, &record_migration, params, NULL);
}

enum db_status migrate_repo_ensure_station(struct db *db, struct arena *arena, const char **station_id)
{
	PGresult *res;
	enum db_status st = db_exec(db, arena, &ensure_station, NULL, &res);
	*station_id = st == DB_OK && PQntuples(res) > 0 ? db_value(res, 0, 0) : NULL;
	return st;
}
