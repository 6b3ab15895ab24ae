/*
 * repo.h — the SQL of station-automationd: the published automations, the runs and their
 * steps as rows written as they happen, the device command outbox, the runner lock.
 *
 * Every claim is one statement whose success says "this instance runs it": a step is
 * inserted with ON CONFLICT (run_id, node_id) DO NOTHING RETURNING, a due delay leaves
 * 'waiting' under WHERE status = 'waiting' RETURNING, a step that ran is finished under
 * WHERE status = 'running'. An empty result means someone else has it: the caller drops
 * it. Times come back as epoch milliseconds; JSON is built by the caller, never in SQL.
 */
#ifndef AUTOMATIOND_REPO_H
#define AUTOMATIOND_REPO_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "arena.h"
#include "db.h"

/* The channels automationd LISTENs on, on every connection its db_link makes. */
extern const char *const repo_listen_channels[];

/* *got: this session now holds the runner lock (a session advisory lock). */
enum db_status repo_runner_lock(struct db *db, struct arena *arena, bool *got);

/* Published automations: id, name, flow (text). All of them, or one by id. */
enum { AUTOMATION_COL_ID, AUTOMATION_COL_NAME, AUTOMATION_COL_FLOW };
enum db_status repo_published(struct db *db, struct arena *arena, PGresult **out);
enum db_status repo_published_one(struct db *db, struct arena *arena, const char *id, PGresult **out);

/* The station's time zone (station_settings.timezone), "UTC" when there is no row. */
enum db_status repo_timezone(struct db *db, struct arena *arena, const char **zone);

/* Devices' states: id, state (text) of the ids in a JSON array. One device's state. */
enum db_status repo_device_states(struct db *db, struct arena *arena, const char *ids_json, PGresult **out);
enum db_status repo_device_state(struct db *db, struct arena *arena, const char *device_id, PGresult **out);

/* A run fired by a trigger: the run row, its trigger's step (succeeded, output given) and
 * the automation's last run, in one statement. Row: run id, started_at (epoch ms). */
enum db_status repo_run_start(struct db *db, struct arena *arena, const char *automation_id, const char *trigger_json,
			      const char *node_id, const char *kind, const char *output_json, PGresult **out);

/* Runs still going: run id, automation id, automation name, flow text, trigger text.
 * Those not in the JSON array `except` (what this instance holds), at most limit. */
enum { RUN_COL_ID, RUN_COL_AUTOMATION_ID, RUN_COL_NAME, RUN_COL_FLOW, RUN_COL_TRIGGER };
enum db_status repo_runs_going(struct db *db, struct arena *arena, const char *except_json, long limit,
			       PGresult **out);
enum db_status repo_run_going(struct db *db, struct arena *arena, const char *run_id, PGresult **out);

/* A run's steps: id, node_id, status, the output's "result" (a condition's), due_at
 * (epoch ms, NULL unless waiting). */
enum { STEP_COL_ID, STEP_COL_NODE, STEP_COL_STATUS, STEP_COL_RESULT, STEP_COL_DUE_MS };
enum db_status repo_run_steps(struct db *db, struct arena *arena, const char *run_id, PGresult **out);

/* Claims: *claimed_id the new step's id, or NULL when the node already has a step. */
enum db_status repo_step_done(struct db *db, struct arena *arena, const char *run_id, const char *node_id,
			      const char *kind, const char *status, const char *output_json, const char *error,
			      const char **claimed_id);
enum db_status repo_step_running(struct db *db, struct arena *arena, const char *run_id, const char *node_id,
				 const char *kind, const char **claimed_id);
/* A delay: 'waiting' until now + seconds; *due_ms its due time. */
enum db_status repo_step_waiting(struct db *db, struct arena *arena, const char *run_id, const char *node_id,
				 const char *kind, long seconds, const char **claimed_id, long long *due_ms);
/* A running step ends (status success or failed); *finished false when it was no longer
 * running (marked interrupted by a runner that took over). */
enum db_status repo_step_finish(struct db *db, struct arena *arena, const char *step_id, const char *status,
				const char *output_json, const char *error, bool *finished);
/* A waiting delay that is due ends successfully; *claimed false when it was not waiting. */
enum db_status repo_delay_claim(struct db *db, struct arena *arena, const char *step_id, const char *output_json,
				bool *claimed);
/* Steps left 'running' by a runner that stopped, except the JSON array of ids this
 * instance still runs: failed with error. Rows: run id. */
enum db_status repo_steps_interrupted(struct db *db, struct arena *arena, const char *error, const char *except_json,
				      PGresult **out);

/* The device a command goes to: id, type, status, the type's commands (JSON text). */
enum { TARGET_COL_ID, TARGET_COL_TYPE, TARGET_COL_STATUS, TARGET_COL_COMMANDS };
enum db_status repo_command_target(struct db *db, struct arena *arena, const char *device_id, PGresult **out);
/* The command outbox row and its NOTIFY device_commands (as api-devices writes them). */
enum db_status repo_command_enqueue(struct db *db, struct arena *arena, const char *device_id, const char *action,
				    const char *params_json, long ttl_s, const char **command_id);

/*
 * A run ends: its status and error, 'skipped' steps for the nodes in skipped_json
 * ([{node_id, kind}]), the automation's last run, and the automation.runCompleted
 * payload on station_events — one statement. *ended false when the run had already
 * ended.
 */
enum db_status repo_run_finish(struct db *db, struct arena *arena, const char *run_id, const char *status,
			       const char *error, const char *skipped_json, const char *payload, bool *ended);

#endif
