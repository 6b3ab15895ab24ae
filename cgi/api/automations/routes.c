/*
 * routes.c — api-automations: automations, their publishing and their runs (SPEC §4
 * automations, docs/automations.md).
 *
 * An automation is edited as a draft: POST and PATCH keep any graph within the size
 * limits, however unfinished. Publishing checks the whole graph — lib/flow's structure
 * and the registry's devices, commands and capabilities — and answers 400 listing every
 * problem at once; station-automationd runs only published automations (it hears of
 * every change through the automations_changed NOTIFY of 015_automations.sql). A
 * published automation's flow may be replaced only by one that would publish. A manual
 * run is a row of automation_runs and a NOTIFY on automation_runs in one transaction;
 * automationd runs it and writes its steps, which GET /:id/runs pages through.
 * Automations of a kit go with their kit (DELETE here is 409 for them).
 */
#include <libpq-fe.h>
#include <string.h>

#include "api/shared/flow_devices.h"
#include "api/shared/page_cursor.h"
#include "flow.h"
#include "repo.h"
#include "runtime.h"
#include "service.h"

static const struct field flow_fields[] = { FLOW_GRAPH_FIELDS, { 0 } };

#define NAME_FIELD(req_) \
	{ "name", FIELD_STRING, .required = (req_), .min = BOUND(1), .max = BOUND(100), .check = schema_not_blank }
#define DESCRIPTION_FIELD { "description", FIELD_STRING, .nullable = true, .max = BOUND(1000) }
#define FLOW_FIELD                                                                                          \
	{ "flow", FIELD_OBJECT, .fields = flow_fields, .check = flow_size_check,                  \
	  .description = "the graph (docs/automations.md); checked in full when published" }

static const struct field automation_create_body[] = { NAME_FIELD(true), DESCRIPTION_FIELD, FLOW_FIELD, { 0 } };
static const struct field automation_patch_body[] = { NAME_FIELD(false), DESCRIPTION_FIELD, FLOW_FIELD, { 0 } };

static const struct field run_started_reply[] = {
	{ "runId", FIELD_UUID },
	{ 0 },
};

static const struct field runs_query[] = { PAGE_QUERY_FIELDS, { 0 } };

/* A run: the members of run_columns, then its steps. */
static const struct field run_steps[] = {
	{ "steps", FIELD_ARRAY, .items = &(const struct field){ "step", FIELD_OBJECT, .columns = step_columns } },
	{ 0 },
};
static const struct field runs_page_reply[] = {
	{ "items", FIELD_ARRAY,
	  .items = &(const struct field){ "run", FIELD_OBJECT, .columns = run_columns, .fields = run_steps } },
	{ "nextCursor", FIELD_STRING, .nullable = true },
	{ 0 },
};

/* The body's flow as text for a jsonb parameter, or NULL when the body has none. */
static const char *body_flow_text(struct request *req)
{
	struct json_object *flow = NULL;
	if (!json_object_object_get_ex(req->body, "flow", &flow))
		return NULL;
	return json_object_to_json_string_ext(flow, JSON_C_TO_STRING_PLAIN);
}

/* The automation of the path, locked for the route's transaction; NULL after a 404. */
static PGresult *automation_locked(struct request *req)
{
	return db_row(req, "automation not found", automations_lock, req_param(req, "id"));
}

/* GET /api/automations — every automation, by name. */
static int automation_list(struct request *req)
{
	return reply_rows(req, db_run(req, automations_list), automation_columns);
}

/* GET /api/automations/:id */
static int automation_get(struct request *req)
{
	return reply_row_or_404(req, db_run(req, automations_by_id, req_param(req, "id")), automation_columns,
				"automation not found");
}

/* POST /api/automations {name, description?, flow?} — 201, a draft. */
static int automation_create(struct request *req)
{
	const char *flow = body_flow_text(req);
	return reply_row(req,
			 db_run(req, automations_insert, body_string(req, "name"), body_string(req, "description"),
				flow ? flow : "{\"nodes\":[],\"edges\":[]}"),
			 automation_columns);
}

/* PATCH /api/automations/:id {name?, description?, flow?} — a published automation
 * stays published, so its new flow must be one that publishes (400 listing why not). */
static int automation_patch(struct request *req)
{
	PGresult *current = automation_locked(req);
	if (!current)
		return req->status;
	const char *flow = body_flow_text(req);
	if (flow && strcmp(db_value(current, 0, AUTOMATION_COL_STATUS), "published") == 0) {
		struct json_object *given = NULL;
		json_object_object_get_ex(req->body, "flow", &given);
		if (automation_publishable_or_reply(req, given))
			return req->status;
	}
	return reply_row(req,
			 db_run(req, automations_update, req_param(req, "id"), body_string(req, "name"),
				db_param_bool(body_has(req, "description")), body_string(req, "description"), flow),
			 automation_columns);
}

/* DELETE /api/automations/:id — 204; 409 for an automation of a kit (delete the kit). */
static int automation_delete(struct request *req)
{
	PGresult *current = automation_locked(req);
	if (!current)
		return req->status;
	if (!PQgetisnull(current, 0, AUTOMATION_COL_KIT_ID))
		return reply_error(req, 409, "automation belongs to kit %s: delete the kit instead",
				   db_value(current, 0, AUTOMATION_COL_KIT_ID));
	if (!db_run(req, automations_delete, req_param(req, "id")))
		return req->status;
	return reply_empty(req);
}

/* POST /api/automations/:id/publish — the automation, published; 400 listing every
 * problem of its graph. */
static int automation_publish(struct request *req)
{
	PGresult *current = automation_locked(req);
	if (!current || automation_publishable_or_reply(req, db_value_json(req, current, 0, AUTOMATION_COL_FLOW)))
		return req->status;
	return reply_row(req, db_run(req, automations_set_status, req_param(req, "id"), "published"), automation_columns);
}

/* POST /api/automations/:id/unpublish — back to a draft; automationd stops running it. */
static int automation_unpublish(struct request *req)
{
	return reply_row_or_404(req, db_run(req, automations_set_status, req_param(req, "id"), "draft"),
				automation_columns, "automation not found");
}

/* POST /api/automations/:id/run — 202 {runId}: the run is a row, automationd is told. */
static int automation_run(struct request *req)
{
	const char *id = req_param(req, "id");
	PGresult *current = automation_locked(req), *run;
	if (!current || automation_runnable_or_reply(req, current))
		return req->status;
	struct jw_text trigger;
	jw_object_of_strings(jw_text_begin(&trigger, req->arena), "kind", "manual", "userId", req->caller.user_id, NULL);
	if (!(run = db_run(req, automation_run_insert, id, trigger.b.data)) ||
	    notify_or_reply(req, "automation_runs", db_value(run, 0, 0)))
		return req->status;
	struct jw *w = reply_json(req);
	jw_object_of_strings(w, "runId", db_value(run, 0, 0), NULL);
	return reply_ok(req);
}

/* GET /api/automations/:id/runs?limit&before — {items:[run with steps…],nextCursor},
 * newest first, each run's steps in the order they started. */
static int automation_runs(struct request *req)
{
	const char *id = req_param(req, "id");
	struct page page;
	PGresult *runs, *steps;
	if (page_or_reply(req, PAGE_MAX, PAGE_DEFAULT, &page) || !db_row(req, "automation not found", automations_by_id, id) ||
	    !(runs = db_run(req, automation_runs_page, id, page.before, page.before_id, page.fetch)) ||
	    !(steps = db_run(req, automation_steps_of_runs, automation_run_ids(req, runs, page.limit))))
		return req->status;
	struct jw *w = reply_json(req);
	jw_object_begin(w);
	jw_key(w, "items");
	jw_array_begin(w);
	for (int i = 0; i < PQntuples(runs) && i < page.limit; i++) {
		jw_object_begin(w);
		db_write_members(w, runs, i, run_columns);
		jw_key(w, "steps");
		jw_array_begin(w);
		for (int s = 0; s < PQntuples(steps); s++)
			if (strcmp(db_value(steps, s, STEP_COL_RUN_ID), db_value(runs, i, RUN_COL_ID)) == 0)
				db_write_row(w, steps, s, step_columns);
		jw_array_end(w);
		jw_object_end(w);
	}
	jw_array_end(w);
	jw_member_string(w, "nextCursor", page_next_cursor(req, runs, page.limit, RUN_COL_CURSOR_US, RUN_COL_ID));
	jw_object_end(w);
	return reply_ok(req);
}

static const struct route routes[] = {
	{ "GET", "/api/automations", automation_list, WHO_MEMBER, .reply = REPLY_ROWS(automation_columns),
	  .summary = "Automations, by name" },
	{ "POST", "/api/automations", automation_create, WHO_ADMIN, .body = automation_create_body, .tx = TX_WRITE,
	  .status = 201, .reply = REPLY_ROW(automation_columns), .summary = "Add an automation, as a draft" },
	{ "GET", "/api/automations/:id", automation_get, WHO_MEMBER, .reply = REPLY_ROW(automation_columns),
	  .summary = "One automation" },
	{ "PATCH", "/api/automations/:id", automation_patch, WHO_ADMIN, .body = automation_patch_body, .tx = TX_WRITE,
	  .reply = REPLY_ROW(automation_columns), .errors = ERR_400,
	  .summary = "Change an automation; a published one's flow must still publish" },
	{ "DELETE", "/api/automations/:id", automation_delete, WHO_ADMIN, .tx = TX_WRITE, .reply = REPLY_NONE,
	  .errors = ERR_409, .summary = "Delete an automation (not one of a kit: 409)" },
	{ "POST", "/api/automations/:id/publish", automation_publish, WHO_ADMIN, .tx = TX_WRITE,
	  .reply = REPLY_ROW(automation_columns), .errors = ERR_400,
	  .summary = "Publish: 400 lists every problem of the graph" },
	{ "POST", "/api/automations/:id/unpublish", automation_unpublish, WHO_ADMIN, .tx = TX_WRITE,
	  .reply = REPLY_ROW(automation_columns), .summary = "Back to a draft" },
	{ "POST", "/api/automations/:id/run", automation_run, WHO_ADMIN, .tx = TX_WRITE, .status = 202,
	  .reply = REPLY_OBJECT(run_started_reply), .errors = ERR_409,
	  .summary = "Run a published automation now: 202 {runId}" },
	{ "GET", "/api/automations/:id/runs", automation_runs, WHO_MEMBER, .query = runs_query, .tx = TX_READ,
	  .reply = REPLY_OBJECT(runs_page_reply), .summary = "Runs with their steps, newest first, paged" },
	{ 0 },
};

WORKER_MAIN("automations", routes, NULL);
