/*
 * repo.c — the SQL of station-automationd (see repo.h).
 *
 * Parameters only; no JSON is built in SQL (outputs, trigger data and payloads arrive
 * as jsonb/text parameters written in C). Each claim is a single statement, so two
 * instances — or a restart racing the process it replaces — can never both win one.
 */
#include "infrastructure/repo.h"

#include <stdlib.h>

#include "statement.h"

const char *const repo_listen_channels[] = { "station_events", "automation_events", "automations_changed",
					     "automation_runs", NULL };

/* "STAU" and 1: the key of the runner lock (station-cron's keys are "STCR"…). */
STATEMENT_LOCAL(ad_runner_lock, 0, "SELECT pg_try_advisory_lock(1398030677, 1)");

STATEMENT_LOCAL(ad_published, 0,
	"SELECT id, name, flow::text FROM automations WHERE status = 'published' ORDER BY id");

STATEMENT_LOCAL(ad_published_one, 1,
	"SELECT id, name, flow::text FROM automations WHERE id = $1::uuid AND status = 'published'");

STATEMENT_LOCAL(ad_timezone, 0, "SELECT timezone FROM station_settings LIMIT 1");

STATEMENT_LOCAL(ad_device_states, 1,
	"SELECT id, state::text FROM devices "
	"WHERE id IN (SELECT jsonb_array_elements_text($1::jsonb)::uuid)");

STATEMENT_LOCAL(ad_device_state, 1, "SELECT state::text FROM devices WHERE id = $1::uuid");

/* Data-modifying CTEs run whether or not the final SELECT reads them. */
STATEMENT_LOCAL(ad_run_start, 5,
	"WITH run AS (INSERT INTO automation_runs (automation_id, trigger) VALUES ($1::uuid, $2::jsonb) "
	"             RETURNING id, started_at), "
	"step AS (INSERT INTO automation_steps (run_id, node_id, kind, status, output, finished_at) "
	"         SELECT run.id, $3, $4, 'success', $5::jsonb, now() FROM run), "
	"last AS (UPDATE automations a SET last_run_at = run.started_at, last_run_status = 'running' "
	"         FROM run WHERE a.id = $1::uuid) "
	"SELECT run.id, (extract(epoch FROM run.started_at) * 1000)::bigint FROM run");

#define RUN_SELECT \
	"SELECT r.id, r.automation_id, a.name, a.flow::text, r.trigger::text " \
	"FROM automation_runs r JOIN automations a ON a.id = r.automation_id "

STATEMENT_LOCAL(ad_runs_going, 2,
	RUN_SELECT "WHERE r.status = 'running' "
	"AND r.id NOT IN (SELECT jsonb_array_elements_text($1::jsonb)::uuid) "
	"ORDER BY r.started_at, r.id LIMIT $2::integer");

STATEMENT_LOCAL(ad_run_going, 1, RUN_SELECT "WHERE r.id = $1::uuid AND r.status = 'running'");

STATEMENT_LOCAL(ad_run_steps, 1,
	"SELECT id, node_id, status, output->'result', (extract(epoch FROM due_at) * 1000)::bigint "
	"FROM automation_steps WHERE run_id = $1::uuid ORDER BY started_at, id");

STATEMENT_LOCAL(ad_step_done, 6,
	"INSERT INTO automation_steps (run_id, node_id, kind, status, output, error, finished_at) "
	"VALUES ($1::uuid, $2, $3, $4, $5::jsonb, $6, now()) "
	"ON CONFLICT (run_id, node_id) DO NOTHING RETURNING id");

STATEMENT_LOCAL(ad_step_running, 3,
	"INSERT INTO automation_steps (run_id, node_id, kind, status) VALUES ($1::uuid, $2, $3, 'running') "
	"ON CONFLICT (run_id, node_id) DO NOTHING RETURNING id");

STATEMENT_LOCAL(ad_step_waiting, 4,
	"INSERT INTO automation_steps (run_id, node_id, kind, status, due_at) "
	"VALUES ($1::uuid, $2, $3, 'waiting', now() + make_interval(secs => $4::integer)) "
	"ON CONFLICT (run_id, node_id) DO NOTHING "
	"RETURNING id, (extract(epoch FROM due_at) * 1000)::bigint");

STATEMENT_LOCAL(ad_step_finish, 4,
	"UPDATE automation_steps SET status = $2, output = $3::jsonb, error = $4, finished_at = now() "
	"WHERE id = $1::uuid AND status = 'running' RETURNING id");

STATEMENT_LOCAL(ad_delay_claim, 2,
	"UPDATE automation_steps SET status = 'success', output = $2::jsonb, finished_at = now() "
	"WHERE id = $1::uuid AND status = 'waiting' RETURNING id");

STATEMENT_LOCAL(ad_steps_interrupted, 2,
	"UPDATE automation_steps SET status = 'failed', error = $1, finished_at = now() "
	"WHERE status = 'running' AND id NOT IN (SELECT jsonb_array_elements_text($2::jsonb)::uuid) "
	"RETURNING run_id");

STATEMENT_LOCAL(ad_command_target, 1,
	"SELECT d.id, d.type, d.status, t.commands::text "
	"FROM devices d JOIN device_types t ON t.id = d.type WHERE d.id = $1::uuid");

/* The shape of api-devices' device_commands_enqueue: the row and its NOTIFY together.
 * A SELECT-only CTE runs only when referenced: the final join makes pg_notify run. */
STATEMENT_LOCAL(ad_command_enqueue, 4,
	"WITH cmd AS (INSERT INTO device_commands (device_id, action, params, expires_at) "
	"             VALUES ($1::uuid, $2, $3::jsonb, now() + make_interval(secs => $4::integer)) "
	"             RETURNING id), "
	"notified AS (SELECT pg_notify('device_commands', cmd.id::text) FROM cmd) "
	"SELECT cmd.id FROM cmd CROSS JOIN notified");

STATEMENT_LOCAL(ad_run_finish, 5,
	"WITH run AS (UPDATE automation_runs SET status = $2, error = $3, finished_at = now() "
	"             WHERE id = $1::uuid AND status = 'running' RETURNING id, automation_id, started_at), "
	"skipped AS (INSERT INTO automation_steps (run_id, node_id, kind, status, finished_at) "
	"            SELECT run.id, x.node_id, x.kind, 'skipped', now() "
	"            FROM run, jsonb_to_recordset($4::jsonb) AS x(node_id text, kind text) "
	"            ON CONFLICT (run_id, node_id) DO NOTHING), "
	"last AS (UPDATE automations a SET last_run_at = run.started_at, last_run_status = $2 FROM run "
	"         WHERE a.id = run.automation_id AND (a.last_run_at IS NULL OR a.last_run_at <= run.started_at)), "
	"notified AS (SELECT pg_notify('station_events', $5) FROM run) "
	"SELECT run.id FROM run CROSS JOIN notified");

enum db_status repo_runner_lock(struct db *db, struct arena *arena, bool *got)
{
	PGresult *res = NULL;
	enum db_status st = statement_exec(db, arena, ad_runner_lock, &res);
	*got = st == DB_OK && PQntuples(res) == 1 && db_bool(res, 0, 0);
	return st;
}

enum db_status repo_published(struct db *db, struct arena *arena, PGresult **out)
{
	return statement_exec(db, arena, ad_published, out);
}

enum db_status repo_published_one(struct db *db, struct arena *arena, const char *id, PGresult **out)
{
	return statement_exec(db, arena, ad_published_one, out, id);
}

enum db_status repo_timezone(struct db *db, struct arena *arena, const char **zone)
{
	PGresult *res = NULL;
	enum db_status st = statement_exec(db, arena, ad_timezone, &res);
	*zone = st == DB_OK && PQntuples(res) > 0 ? db_value(res, 0, 0) : "UTC";
	return st;
}

enum db_status repo_device_states(struct db *db, struct arena *arena, const char *ids_json, PGresult **out)
{
	return statement_exec(db, arena, ad_device_states, out, ids_json);
}

enum db_status repo_device_state(struct db *db, struct arena *arena, const char *device_id, PGresult **out)
{
	return statement_exec(db, arena, ad_device_state, out, device_id);
}

enum db_status repo_run_start(struct db *db, struct arena *arena, const char *automation_id, const char *trigger_json,
			      const char *node_id, const char *kind, const char *output_json, PGresult **out)
{
	return statement_exec(db, arena, ad_run_start, out, automation_id, trigger_json, node_id, kind, output_json);
}

enum db_status repo_runs_going(struct db *db, struct arena *arena, const char *except_json, long limit,
			       PGresult **out)
{
	return statement_exec(db, arena, ad_runs_going, out, except_json, arena_printf(arena, "%ld", limit));
}

enum db_status repo_run_going(struct db *db, struct arena *arena, const char *run_id, PGresult **out)
{
	return statement_exec(db, arena, ad_run_going, out, run_id);
}

enum db_status repo_run_steps(struct db *db, struct arena *arena, const char *run_id, PGresult **out)
{
	return statement_exec(db, arena, ad_run_steps, out, run_id);
}

/* The id a claiming statement returned, or NULL when it returned no row. */
static const char *claimed(enum db_status st, PGresult *res)
{
	return st == DB_OK && PQntuples(res) > 0 ? db_value(res, 0, 0) : NULL;
}

enum db_status repo_step_done(struct db *db, struct arena *arena, const char *run_id, const char *node_id,
			      const char *kind, const char *status, const char *output_json, const char *error,
			      const char **claimed_id)
{
	PGresult *res = NULL;
	enum db_status st = statement_exec(db, arena, ad_step_done, &res, run_id, node_id, kind, status, output_json, error);
	*claimed_id = claimed(st, res);
	return st;
}

enum db_status repo_step_running(struct db *db, struct arena *arena, const char *run_id, const char *node_id,
				 const char *kind, const char **claimed_id)
{
	PGresult *res = NULL;
	enum db_status st = statement_exec(db, arena, ad_step_running, &res, run_id, node_id, kind);
	*claimed_id = claimed(st, res);
	return st;
}

enum db_status repo_step_waiting(struct db *db, struct arena *arena, const char *run_id, const char *node_id,
				 const char *kind, long seconds, const char **claimed_id, long long *due_ms)
{
	PGresult *res = NULL;
	enum db_status st = statement_exec(db, arena, ad_step_waiting, &res, run_id, node_id, kind,
					   arena_printf(arena, "%ld", seconds));
	*claimed_id = claimed(st, res);
	if (*claimed_id)
		*due_ms = strtoll(db_value(res, 0, 1), NULL, 10);
	return st;
}

enum db_status repo_step_finish(struct db *db, struct arena *arena, const char *step_id, const char *status,
				const char *output_json, const char *error, bool *finished)
{
	PGresult *res = NULL;
	enum db_status st = statement_exec(db, arena, ad_step_finish, &res, step_id, status, output_json, error);
	*finished = claimed(st, res) != NULL;
	return st;
}

enum db_status repo_delay_claim(struct db *db, struct arena *arena, const char *step_id, const char *output_json,
				bool *won)
{
	PGresult *res = NULL;
	enum db_status st = statement_exec(db, arena, ad_delay_claim, &res, step_id, output_json);
	*won = claimed(st, res) != NULL;
	return st;
}

enum db_status repo_steps_interrupted(struct db *db, struct arena *arena, const char *error, const char *except_json,
				      PGresult **out)
{
	return statement_exec(db, arena, ad_steps_interrupted, out, error, except_json);
}

enum db_status repo_command_target(struct db *db, struct arena *arena, const char *device_id, PGresult **out)
{
	return statement_exec(db, arena, ad_command_target, out, device_id);
}

enum db_status repo_command_enqueue(struct db *db, struct arena *arena, const char *device_id, const char *action,
				    const char *params_json, long ttl_s, const char **command_id)
{
	PGresult *res = NULL;
	enum db_status st = statement_exec(db, arena, ad_command_enqueue, &res, device_id, action, params_json,
					   arena_printf(arena, "%ld", ttl_s));
	*command_id = claimed(st, res);
	return st;
}

enum db_status repo_run_finish(struct db *db, struct arena *arena, const char *run_id, const char *status,
			       const char *error, const char *skipped_json, const char *payload, bool *ended)
{
	PGresult *res = NULL;
	enum db_status st = statement_exec(db, arena, ad_run_finish, &res, run_id, status, error, skipped_json, payload);
	*ended = claimed(st, res) != NULL;
	return st;
}
