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

/* A job never waits forever: not for a row lock held by another program, not on a
 * runaway statement. SET LOCAL semantics: both end with the transaction. */
static struct db_stmt limits_stmt = DB_STMT(0,
	"SELECT set_config('lock_timeout', '30s', true), set_config('statement_timeout', '10min', true)");

static struct db_stmt lock_stmt = DB_STMT(1,
	"SELECT pg_try_advisory_xact_lock($1::bigint)");

/* The rule is devices_mark_silent_offline() (sql/migrations/005_device_liveness.sql), shared
 * with mqttd. `silent` is read twice, so PostgreSQL computes it once; a data-modifying CTE
 * (`recorded`) runs to completion whether or not the final SELECT reads it. */
static struct db_stmt silent_stmt = DB_STMT(1,
	"WITH silent AS ("
	"  SELECT s.id, s.name, s.type FROM devices_mark_silent_offline($1::integer) s), "
	"recorded AS ("
	"  INSERT INTO device_events (device_id, kind, action, data) "
	"  SELECT silent.id, 'status_changed', 'offline', "
	"         '{\"from\": \"online\", \"to\": \"offline\", \"reason\": \"heartbeat_timeout\"}'::jsonb "
	"  FROM silent) "
	"SELECT id, name, type FROM silent ORDER BY id");

static struct db_stmt expire_stmt = DB_STMT(0,
	"UPDATE device_commands SET status = 'expired' WHERE status = 'queued' AND expires_at <= now()");

/* A revoked row of a family that still has a live token is kept until it expires: it is
 * what lets auth recognise a replayed (rotated) token and revoke the family. */
static struct db_stmt tokens_stmt = DB_STMT(1,
	"DELETE FROM refresh_tokens t "
	"WHERE t.expires_at <= now() "
	"OR (t.revoked_at < now() - make_interval(secs => $1::integer) "
	"    AND NOT EXISTS (SELECT 1 FROM refresh_tokens live "
	"                    WHERE live.family_id = t.family_id AND live.revoked_at IS NULL "
	"                    AND live.expires_at > now()))");

static struct db_stmt events_stmt = DB_STMT(1,
	"DELETE FROM device_events WHERE created_at < now() - make_interval(days => $1::integer)");

/* Runs a statement that changes rows; *changed is how many. */
static enum db_status exec_counting(struct db *db, struct arena *arena, struct db_stmt *stmt,
				    const char *const *params, long long *changed)
{
	PGresult *res;
	enum db_status st = db_exec(db, arena, stmt, params, &res);
	if (st == DB_OK)
		*changed = strtoll(PQcmdTuples(res), NULL, 10);
	return st;
}

enum db_status cron_repo_lock(struct db *db, struct arena *arena, long long key, bool *acquired)
{
	PGresult *res;
	enum db_status st = db_exec(db, arena, &limits_stmt, NULL, NULL);
	if (st != DB_OK)
		return st;
	const char *params[] = { arena_printf(arena, "%lld", key) };
	st = db_exec(db, arena, &lock_stmt, params, &res);
	if (st == DB_OK)
		*acquired = db_bool(res, 0, 0);
	return st;
}

enum db_status cron_repo_mark_silent_offline(struct db *db, struct arena *arena, long timeout_seconds,
					     PGresult **out)
{
	const char *params[] = { arena_printf(arena, "%ld", timeout_seconds) };
	return db_exec(db, arena, &silent_stmt, params, out);
}

enum db_status cron_repo_expire_commands(struct db *db, struct arena *arena, long long *changed)
{
	return exec_counting(db, arena, &expire_stmt, NULL, changed);
}

enum db_status cron_repo_delete_dead_refresh_tokens(struct db *db, struct arena *arena, long grace_seconds,
						    long long *changed)
{
	const char *params[] = { arena_printf(arena, "%ld", grace_seconds) };
	return exec_counting(db, arena, &tokens_stmt, params, changed);
}

enum db_status cron_repo_delete_old_device_events(struct db *db, struct arena *arena, long retention_days,
						  long long *changed)
{
	const char *params[] = { arena_printf(arena, "%ld", retention_days) };
	return exec_counting(db, arena, &events_stmt, params, changed);
}
