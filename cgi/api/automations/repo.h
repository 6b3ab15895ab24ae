/*
 * repo.h — SQL of the automations module (api-automations): automations, their runs and
 * steps (015_automations.sql), and the devices their graphs name.
 *
 * Statements are declared here with their parameters and run with db_run(). Nothing
 * here replies or decides rules.
 */
#ifndef STATION_API_AUTOMATIONS_REPO_H
#define STATION_API_AUTOMATIONS_REPO_H

#include "statement.h"

/* The Automation JSON (SPEC §4): {id,name,description,status,flow,kitId,lastRunAt,
 * lastRunStatus,createdAt,updatedAt}. */
extern const struct db_column automation_columns[];
enum { AUTOMATION_COL_ID, AUTOMATION_COL_NAME, AUTOMATION_COL_DESCRIPTION, AUTOMATION_COL_STATUS,
       AUTOMATION_COL_FLOW, AUTOMATION_COL_KIT_ID };
/* A run without its steps: {id,automationId,status,trigger,error,startedAt,finishedAt};
 * the page's cursor columns follow (RUN_COL_CURSOR_US, RUN_COL_ID). */
extern const struct db_column run_columns[];
enum { RUN_COL_ID, RUN_COL_CURSOR_US = 7 };
/* A step: {nodeId,kind,status,output,error,startedAt,finishedAt}; its run's id follows
 * (STEP_COL_RUN_ID). */
extern const struct db_column step_columns[];
enum { STEP_COL_RUN_ID = 7 };

/* Every automation, by name. */
STATEMENT_DECLARE(automations_list, 0);
STATEMENT_DECLARE(automations_by_id, 1);
/* $1 id → the automation, its row locked for the rest of the transaction. */
STATEMENT_DECLARE(automations_lock, 1);
/* $1 name, $2 description, $3 flow (jsonb text) → the new draft. */
STATEMENT_DECLARE(automations_insert, 3);
/* $1 id, $2 name or NULL (kept), $3 whether description is given, $4 description,
 * $5 flow or NULL (kept) → the automation. */
STATEMENT_DECLARE(automations_update, 5);
/* $1 id, $2 'draft' | 'published' → the automation. */
STATEMENT_DECLARE(automations_set_status, 2);
/* $1 id (not kit-owned: the caller checked, under the row lock). */
STATEMENT_DECLARE(automations_delete, 1);
/* $1 automation, $2 trigger (jsonb text) → the new run's id: a row in 'running' that
 * station-automationd takes up when told on automation_runs. */
STATEMENT_DECLARE(automation_run_insert, 2);
/* $1 automation, $2/$3 cursor (started_at, id) or NULLs, $4 rows → runs (run_columns +
 * cursor), newest first. */
STATEMENT_DECLARE(automation_runs_page, 4);
/* $1 run ids (uuid[] text) → their steps (step_columns + run id), each run's in the
 * order they started. */
STATEMENT_DECLARE(automation_steps_of_runs, 1);
/* $1 device ids (text[], as the graph wrote them) → the existing ones with their type
 * (FLOW_TARGET_COL_*, api/shared/flow_devices.h). */
STATEMENT_DECLARE(automation_devices, 1);

#endif
