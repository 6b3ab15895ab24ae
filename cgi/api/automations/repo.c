/*
 * repo.c — SQL of the automations module (api-automations).
 *
 * The only file of this module that holds SQL; every statement is parameterized and
 * fixed. AUTOMATION_SELECT and automation_columns are one pair, as are RUN_SELECT and
 * run_columns, STEP_SELECT and step_columns: change them together. Runs are paged by
 * (started_at, id), the order of automation_runs_by_automation (015_automations.sql),
 * with the cursor of ../shared/page_cursor.h. Every write to automations fires the
 * automations_changed NOTIFY of 015, which station-automationd reloads on.
 */
#include "repo.h"

/* Column order must match automation_columns; statements alias automations as a. */
#define AUTOMATION_SELECT \
	"a.id, a.name, a.description, a.status, a.flow, a.kit_id, a.last_run_at, a.last_run_status, " \
	"a.created_at, a.updated_at"

const struct db_column automation_columns[] = {
	{ "id", DBK_STRING },
	{ "name", DBK_STRING },
	{ "description", DBK_STRING },
	{ "status", DBK_STRING },
	{ "flow", DBK_JSON },
	{ "kitId", DBK_STRING },
	{ "lastRunAt", DBK_TIME },
	{ "lastRunStatus", DBK_STRING },
	{ "createdAt", DBK_TIME },
	{ "updatedAt", DBK_TIME },
	{ 0 },
};

#define RUN_SELECT \
	"r.id, r.automation_id, r.status, r.trigger, r.error, r.started_at, r.finished_at, " \
	"(extract(epoch FROM r.started_at) * 1000000)::bigint"

const struct db_column run_columns[] = {
	{ "id", DBK_STRING },
	{ "automationId", DBK_STRING },
	{ "status", DBK_STRING },
	{ "trigger", DBK_JSON },
	{ "error", DBK_STRING },
	{ "startedAt", DBK_TIME },
	{ "finishedAt", DBK_TIME },
	{ 0 },
};

#define STEP_SELECT "s.node_id, s.kind, s.status, s.output, s.error, s.started_at, s.finished_at, s.run_id"

const struct db_column step_columns[] = {
	{ "nodeId", DBK_STRING },
	{ "kind", DBK_STRING },
	{ "status", DBK_STRING },
	{ "output", DBK_JSON },
	{ "error", DBK_STRING },
	{ "startedAt", DBK_TIME },
	{ "finishedAt", DBK_TIME },
	{ 0 },
};

STATEMENT(automations_list,
	"SELECT " AUTOMATION_SELECT " FROM automations a ORDER BY lower(a.name), a.name, a.created_at, a.id");

STATEMENT(automations_by_id, "SELECT " AUTOMATION_SELECT " FROM automations a WHERE a.id = $1::uuid");

STATEMENT(automations_lock, "SELECT " AUTOMATION_SELECT " FROM automations a WHERE a.id = $1::uuid FOR UPDATE");

STATEMENT(automations_insert,
	"INSERT INTO automations AS a (name, description, flow) VALUES (btrim($1::text), $2::text, $3::jsonb) "
	"RETURNING " AUTOMATION_SELECT);

STATEMENT(automations_update,
	"UPDATE automations AS a SET name = COALESCE(btrim($2::text), a.name), "
	"description = CASE WHEN $3::boolean THEN $4::text ELSE a.description END, "
	"flow = COALESCE($5::jsonb, a.flow), updated_at = now() "
	"WHERE a.id = $1::uuid RETURNING " AUTOMATION_SELECT);

STATEMENT(automations_set_status,
	"UPDATE automations AS a SET status = $2::text, "
	"published_at = CASE WHEN $2::text = 'published' THEN now() ELSE NULL END, updated_at = now() "
	"WHERE a.id = $1::uuid RETURNING " AUTOMATION_SELECT);

STATEMENT(automations_delete, "DELETE FROM automations a WHERE a.id = $1::uuid AND a.kit_id IS NULL");

/* As station-automationd starts a run: lastRunAt/lastRunStatus say "running" from now on. */
STATEMENT(automation_run_insert,
	"WITH run AS (INSERT INTO automation_runs (automation_id, trigger) VALUES ($1::uuid, $2::jsonb) "
	"             RETURNING id, started_at), "
	"last AS (UPDATE automations a SET last_run_at = run.started_at, last_run_status = 'running' "
	"         FROM run WHERE a.id = $1::uuid) "
	"SELECT run.id FROM run");

STATEMENT(automation_runs_page,
	"SELECT " RUN_SELECT " FROM automation_runs r WHERE r.automation_id = $1::uuid "
	"AND ($2::timestamptz IS NULL OR (r.started_at, r.id) < ($2::timestamptz, $3::uuid)) "
	"ORDER BY r.started_at DESC, r.id DESC LIMIT $4::integer");

STATEMENT(automation_steps_of_runs,
	"SELECT " STEP_SELECT " FROM automation_steps s WHERE s.run_id = ANY ($1::uuid[]) "
	"ORDER BY s.run_id, s.started_at, s.id");

STATEMENT(automation_devices,
	"SELECT g.ref, d.type, t.capabilities, t.commands, t.events "
	"FROM unnest($1::text[]) AS g(ref) JOIN devices d ON d.id = g.ref::uuid JOIN device_types t ON t.id = d.type");
