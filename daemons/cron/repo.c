/*
 * repo.c — SQL of station-cron (SPEC §9 maintenance jobs).
 *
 * The only file of station-cron that holds SQL; every statement is fixed and takes its
 * numbers as parameters. Each job's change is a single set-based statement whose WHERE
 * clause is the job's whole rule, so running a job again changes nothing more, and a row
 * that a concurrent writer just refreshed (a heartbeat arriving) is re-checked by
 * PostgreSQL before it is changed. Never select a token hash or any secret here.
 */
#include "repo.h"

#include <stdlib.h>

#include "ota.h"
#include "statement.h"

/* A job never waits forever: not for a row lock held by another program, not on a
 * runaway statement. SET LOCAL semantics: both end with the transaction. */
STATEMENT_LOCAL(cron_limits, 0,
	"SELECT set_config('lock_timeout', '30s', true), set_config('statement_timeout', '10min', true)");

STATEMENT_LOCAL(cron_lock, 1,
	"SELECT pg_try_advisory_xact_lock($1::bigint)");

/* The rule is devices_mark_silent_offline() (sql/migrations/005_device_liveness.sql), shared
 * with mqttd. `silent` is read twice, so PostgreSQL computes it once; a data-modifying CTE
 * (`recorded`) runs to completion whether or not the final SELECT reads it. */
STATEMENT_LOCAL(cron_silent, 1,
	"WITH silent AS ("
	"  SELECT s.id, s.name, s.type FROM devices_mark_silent_offline($1::integer) s), "
	"recorded AS ("
	"  INSERT INTO device_events (device_id, kind, action, data) "
	"  SELECT silent.id, 'status_changed', 'offline', "
	"         '{\"from\": \"online\", \"to\": \"offline\", \"reason\": \"heartbeat_timeout\"}'::jsonb "
	"  FROM silent) "
	"SELECT id, name, type FROM silent ORDER BY id");

STATEMENT_LOCAL(cron_expire, 0,
	"UPDATE device_commands SET status = 'expired' WHERE status = 'queued' AND expires_at <= now()");

/* A revoked row of a family that still has a live token is kept until it expires: it is
 * what lets auth recognise a replayed (rotated) token and revoke the family. */
STATEMENT_LOCAL(cron_dead_tokens, 1,
	"DELETE FROM refresh_tokens t "
	"WHERE t.expires_at <= now() "
	"OR (t.revoked_at < now() - make_interval(secs => $1::integer) "
	"    AND NOT EXISTS (SELECT 1 FROM refresh_tokens live "
	"                    WHERE live.family_id = t.family_id AND live.revoked_at IS NULL "
	"                    AND live.expires_at > now()))");

STATEMENT_LOCAL(cron_old_events, 1,
	"DELETE FROM device_events WHERE created_at < now() - make_interval(days => $1::integer)");

/* The OTA state machine is the database's (014_ota.sql): sent updates past the timeout
 * become timeout, and freed slots send pending ones. */
STATEMENT_LOCAL(cron_ota_timeout, 2,
	"SELECT " OTA_TRANSITION_SELECT " FROM ota_time_out($1::integer, $2::integer) t");
/* Steps go with their runs (ON DELETE CASCADE). */
STATEMENT_LOCAL(cron_old_runs, 1,
	"DELETE FROM automation_runs WHERE started_at < now() - make_interval(days => $1::integer)");

/* *changed: how many rows the statement changed. */
static enum db_status counted(enum db_status st, PGresult *res, long long *changed)
{
	if (st == DB_OK)
		*changed = strtoll(PQcmdTuples(res), NULL, 10);
	return st;
}

enum db_status cron_repo_lock(struct db *db, struct arena *arena, long long key, bool *acquired)
{
	PGresult *res;
	enum db_status st = statement_exec(db, arena, cron_limits, NULL);
	if (st == DB_OK && (st = statement_exec(db, arena, cron_lock, &res, arena_printf(arena, "%lld", key))) == DB_OK)
		*acquired = db_bool(res, 0, 0);
	return st;
}

enum db_status cron_repo_mark_silent_offline(struct db *db, struct arena *arena, long timeout_seconds,
					     PGresult **out)
{
	return statement_exec(db, arena, cron_silent, out, arena_printf(arena, "%ld", timeout_seconds));
}

enum db_status cron_repo_expire_commands(struct db *db, struct arena *arena, long long *changed)
{
	PGresult *res = NULL;
	return counted(statement_exec(db, arena, cron_expire, &res), res, changed);
}

enum db_status cron_repo_delete_dead_refresh_tokens(struct db *db, struct arena *arena, long grace_seconds,
						    long long *changed)
{
	PGresult *res = NULL;
	return counted(statement_exec(db, arena, cron_dead_tokens, &res, arena_printf(arena, "%ld", grace_seconds)), res,
		       changed);
}

enum db_status cron_repo_delete_old_device_events(struct db *db, struct arena *arena, long retention_days,
						  long long *changed)
{
	PGresult *res = NULL;
	return counted(statement_exec(db, arena, cron_old_events, &res, arena_printf(arena, "%ld", retention_days)), res,
		       changed);
}

enum db_status cron_repo_ota_time_out(struct db *db, struct arena *arena, long timeout_seconds, long max_parallel,
				      PGresult **out)
{
	return statement_exec(db, arena, cron_ota_timeout, out, arena_printf(arena, "%ld", timeout_seconds),
			      arena_printf(arena, "%ld", max_parallel));
}

enum db_status cron_repo_delete_old_automation_runs(struct db *db, struct arena *arena, long retention_days,
						    long long *changed)
{
	PGresult *res = NULL;
	return counted(statement_exec(db, arena, cron_old_runs, &res, arena_printf(arena, "%ld", retention_days)), res,
		       changed);
}
