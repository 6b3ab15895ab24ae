/*
 * repo.c — station-migrate's SQL (see repo.h). Migration files themselves are run as
 * they are, each inside its own transaction, by station-migrate.c.
 */
#include "repo.h"

#include "statement.h"

/* Any constant shared by every station-migrate: two concurrent runs serialise on it. */
STATEMENT_LOCAL(migrations_lock, 0, "SELECT pg_advisory_lock(7215001)");

STATEMENT_LOCAL(migrations_ledger, 0,
	"CREATE TABLE IF NOT EXISTS schema_migrations ("
	" version text PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,"
	" applied_at timestamptz NOT NULL DEFAULT now())");

STATEMENT_LOCAL(migrations_applied_checksum, 1,
	"SELECT checksum FROM schema_migrations WHERE version = $1");

STATEMENT_LOCAL(migrations_record, 3,
	"INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)");

STATEMENT_LOCAL(migrations_ensure_station, 0,
	"WITH created AS (INSERT INTO station (name) SELECT 'Smart Station'"
	"  WHERE NOT EXISTS (SELECT 1 FROM station) RETURNING id)"
	" SELECT id FROM created UNION ALL SELECT id FROM station LIMIT 1");

/* The settings row of SPEC §4 settings, with the defaults of its table (010). */
STATEMENT_LOCAL(migrations_ensure_settings, 0,
	"INSERT INTO station_settings (station_id) SELECT id FROM station ON CONFLICT (station_id) DO NOTHING");

/* The first cell of a result, or NULL when it has no row. */
static const char *first_value(enum db_status st, PGresult *res)
{
	return st == DB_OK && PQntuples(res) > 0 ? db_value(res, 0, 0) : NULL;
}

enum db_status migrate_repo_lock(struct db *db, struct arena *arena)
{
	return statement_exec(db, arena, migrations_lock, NULL);
}

enum db_status migrate_repo_ensure_ledger(struct db *db, struct arena *arena)
{
	return statement_exec(db, arena, migrations_ledger, NULL);
}

enum db_status migrate_repo_applied_checksum(struct db *db, struct arena *arena, const char *version,
					     const char **checksum)
{
	PGresult *res = NULL;
	enum db_status st = statement_exec(db, arena, migrations_applied_checksum, &res, version);
	*checksum = first_value(st, res);
	return st;
}

enum db_status migrate_repo_record(struct db *db, struct arena *arena, const char *version,
				   const char *name, const char *checksum)
{
	return statement_exec(db, arena, migrations_record, NULL, version, name, checksum);
}

enum db_status migrate_repo_ensure_station(struct db *db, struct arena *arena, const char **station_id)
{
	PGresult *res = NULL;
	enum db_status st = statement_exec(db, arena, migrations_ensure_station, &res);
	*station_id = first_value(st, res);
	return st;
}

enum db_status migrate_repo_ensure_settings(struct db *db, struct arena *arena)
{
	return statement_exec(db, arena, migrations_ensure_settings, NULL);
}
