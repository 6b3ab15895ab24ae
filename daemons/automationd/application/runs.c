/*
 * runs.c — runs and their steps: started by a trigger or by hand, advanced node by node,
 * waiting out delays, taken up again by a new runner (see automationd.h).
 *
 * Every step is a row before it has an effect, and claimed by one statement:
 *  - a condition is evaluated, then inserted finished (ON CONFLICT DO NOTHING): it has no
 *    effect, so evaluating twice is harmless and the insert is the claim;
 *  - a device command is claimed ('running'), queued in the outbox and finished in one
 *    transaction: it is queued exactly once, or not at all and retried by the next runner;
 *  - a delay is inserted 'waiting' with its due_at; when due, it leaves 'waiting' under a
 *    conditional UPDATE that only one instance can win, lateness in its output;
 *  - a webhook is claimed ('running') and committed before the request goes out, so a
 *    runner that dies while it is in flight leaves a row the next runner marks failed
 *    ("interrupted") instead of sending the request a second time.
 * A run ends when nothing runs, waits or can start: its status, the 'skipped' rows of the
 * nodes never reached, the automation's last run and automation.runCompleted go out in
 * one statement. Any database failure drops the run from memory — its rows say where it
 * stands, and the runner picks it up again once it has a connection.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "application/automationd.h"
#include "infrastructure/repo.h"
#include "json_reader.h"
#include "json_writer.h"
#include "log.h"
#include "notify.h"
#include "timeutil.h"

#define RUN_JSON_MAX_DEPTH 32
#define INTERRUPTED "interrupted: automationd stopped while the step ran"
/* A delay that ends this much after its due time says "late": true. */
#define DELAY_LATE_MS 1000

/* --- memory ---------------------------------------------------------------------------- */

static void run_unlink(struct automationd *a, struct run *r)
{
	for (struct run **p = &a->runs; *p; p = &(*p)->next)
		if (*p == r) {
			*p = r->next;
			a->nruns--;
			break;
		}
	arena_destroy(r->arena);
	free(r);
}

static struct run *run_find(const struct automationd *a, const char *run_id)
{
	for (struct run *r = a->runs; r; r = r->next)
		if (strcmp(r->id, run_id) == 0)
			return r;
	return NULL;
}

void runs_forget_all(struct automationd *a)
{
	while (a->runs)
		run_unlink(a, a->runs);
}

/* A run in memory, its flow parsed from flow_text; NULL (problem set) when refused. */
static struct run *run_new(struct automationd *a, const char *run_id, const char *automation_id, const char *name,
			   const char *flow_text, const char *trigger_text, const char **problem)
{
	struct run *r = xcalloc(1, sizeof *r);
	r->arena = arena_new();
	r->id = arena_strdup(r->arena, run_id);
	r->automation_id = arena_strdup(r->arena, automation_id);
	r->name = arena_strdup(r->arena, name ? name : "");
	r->trigger_json = arena_strdup(r->arena, trigger_text ? trigger_text : "{}");
	const char *error = NULL;
	struct json_object *root = json_parse(r->arena, flow_text, strlen(flow_text), RUN_JSON_MAX_DEPTH, &error);
	struct flow_problems problems;
	flow_problems_init(&problems, r->arena);
	if (!root || !flow_read(r->arena, root, NULL, &r->flow, &problems)) {
		*problem = arena_strdup(a->scratch, root ? (problems.count ? problems.items[0] : "flow: refused") : error);
		arena_destroy(r->arena);
		free(r);
		return NULL;
	}
	size_t n = r->flow.node_count + 1;
	r->state = arena_alloc(r->arena, n * sizeof *r->state);
	r->taken = arena_alloc(r->arena, n * sizeof *r->taken);
	r->step_id = arena_alloc(r->arena, n * sizeof *r->step_id);
	r->due_ms = arena_alloc(r->arena, n * sizeof *r->due_ms);
	r->next = a->runs;
	a->runs = r;
	a->nruns++;
	return r;
}

/* --- ending ---------------------------------------------------------------------------- */

static const char *run_completed_payload(struct arena *arena, const struct run *r, const char *status, bool named)
{
	struct station_event ev;
	struct jw *w = station_event_begin(&ev, arena, "automation.runCompleted");
	jw_member_string(w, "automationId", r->automation_id);
	jw_member_string(w, "automationName", named ? r->name : NULL);
	jw_member_string(w, "runId", r->id);
	jw_member_string(w, "status", status);
	return station_event_end(&ev, arena, time_now_ms(), !named);
}

/* Ends the run with status; error NULL or why it failed. Frees it. */
static void run_end(struct automationd *a, struct run *r, const char *status, const char *error)
{
	struct jw_text skipped;
	struct jw *w = jw_text_begin(&skipped, a->scratch);
	jw_array_begin(w);
	for (size_t i = 0; i < r->flow.node_count; i++)
		if (r->state[i] == STEP_NONE && r->flow.nodes[i].type != FLOW_TRIGGER) {
			jw_object_begin(w);
			jw_member_string(w, "node_id", r->flow.nodes[i].id);
			jw_member_string(w, "kind", r->flow.nodes[i].kind_name);
			jw_object_end(w);
		}
	jw_array_end(w);
	const char *payload = run_completed_payload(a->scratch, r, status, true);
	if (!payload)
		payload = run_completed_payload(a->scratch, r, status, false);
	bool ended = false;
	enum db_status st = repo_run_finish(a->db, a->scratch, r->id, status, error, skipped.b.data, payload, &ended);
	if (st != DB_OK)
		automationd_db_failed(a, st);
	else if (ended)
		log_fields(strcmp(status, "success") == 0 ? LOG_INFO : LOG_WARN, "run completed", "runId", r->id,
			   "automationId", r->automation_id, "status", status, "error", error, NULL);
	run_unlink(a, r);
}

/* A run whose flow cannot be read any more (edited by hand) fails as a whole. */
static void run_refuse(struct automationd *a, const char *run_id, const char *automation_id, const char *name,
		       const char *problem)
{
	struct run stub = { .id = (char *)run_id, .automation_id = (char *)automation_id, .name = (char *)name };
	const char *payload = run_completed_payload(a->scratch, &stub, "failed", true);
	if (!payload)
		payload = run_completed_payload(a->scratch, &stub, "failed", false);
	bool ended = false;
	enum db_status st = repo_run_finish(a->db, a->scratch, run_id, "failed", problem, "[]", payload, &ended);
	if (st != DB_OK)
		automationd_db_failed(a, st);
	else
		log_fields(LOG_WARN, "run failed: its flow is refused", "runId", run_id, "problem", problem, NULL);
}

/* --- steps ----------------------------------------------------------------------------- */

enum step_start { STEP_STARTED, STEP_LOST };

/* After a claiming statement: the step is this run's (its row id and state kept), or lost
 * (someone else's, or the database failed). */
static enum step_start step_claimed(struct automationd *a, struct run *r, size_t i, enum db_status st, const char *id,
				    enum step_state state)
{
	if (st != DB_OK)
		automationd_db_failed(a, st);
	if (st != DB_OK || !id)
		return STEP_LOST;
	r->step_id[i] = arena_strdup(r->arena, id);
	r->state[i] = state;
	return STEP_STARTED;
}

/* Records a finished step claimed by its insert (conditions, refusals). */
static enum step_start step_done(struct automationd *a, struct run *r, size_t i, bool ok, const char *output,
				 const char *error)
{
	const struct flow_node *node = &r->flow.nodes[i];
	const char *id = NULL;
	enum db_status st = repo_step_done(a->db, a->scratch, r->id, node->id, node->kind_name, ok ? "success" : "failed",
					   output, error, &id);
	return step_claimed(a, r, i, st, id, ok ? STEP_SUCCESS : STEP_FAILED);
}

static enum step_start condition_output(struct automationd *a, struct run *r, size_t i, bool result,
					const char *extra_key, const char *extra_raw)
{
	struct jw_text out;
	struct jw *w = jw_text_begin(&out, a->scratch);
	jw_object_begin(w);
	jw_member_bool(w, "result", result);
	jw_member_raw(w, extra_key, extra_raw);
	jw_object_end(w);
	r->taken[i] = result;
	return step_done(a, r, i, true, out.b.data, NULL);
}

static enum step_start state_compare(struct automationd *a, struct run *r, size_t i)
{
	const struct flow_node *node = &r->flow.nodes[i];
	PGresult *res = NULL;
	enum db_status st = repo_device_state(a->db, a->scratch, node->cfg.state.device_id, &res);
	if (st != DB_OK && st != DB_INVALID) {
		automationd_db_failed(a, st);
		return STEP_LOST;
	}
	if (st == DB_INVALID || PQntuples(res) == 0)
		return step_done(a, r, i, false, NULL, "deviceId: device not found");
	const char *text = db_value(res, 0, 0), *error = NULL;
	struct json_object *state = json_parse(a->scratch, text, strlen(text), RUN_JSON_MAX_DEPTH, &error);
	struct json_object *actual = NULL;
	json_object_object_get_ex(state, node->cfg.state.capability, &actual);
	bool result = match_compare(node->cfg.state.op, actual, node->cfg.state.value);
	return condition_output(a, r, i, result, "actual", actual ? json_text(a->scratch, actual) : "null");
}

static enum step_start time_range(struct automationd *a, struct run *r, size_t i)
{
	const struct flow_node *node = &r->flow.nodes[i];
	time_t now = time(NULL);
	struct tm local;
	localtime_r(&now, &local); /* TZ is the station's zone (index_read_zone) */
	int minute = local.tm_hour * 60 + local.tm_min;
	bool result = match_time_range(node->cfg.time_range.start_min, node->cfg.time_range.end_min, minute);
	char hhmm[16];
	snprintf(hhmm, sizeof hhmm, "\"%02d:%02d\"", local.tm_hour, local.tm_min);
	return condition_output(a, r, i, result, "localTime", hhmm);
}

/* The params a command declares, taken from the node's params; NULL with *problem set
 * when one is missing. */
static const char *command_params(struct automationd *a, struct json_object *declared, struct json_object *given,
				  const char **problem)
{
	struct json_object *names = json_get_array(declared, "params");
	struct jw_text text;
	struct jw *w = jw_text_begin(&text, a->scratch);
	jw_object_begin(w);
	for (size_t k = 0; names && k < json_object_array_length(names); k++) {
		const char *name = json_object_get_string(json_object_array_get_idx(names, k));
		struct json_object *v = NULL;
		if (!name)
			continue;
		if (!json_object_object_get_ex(given, name, &v) || !v) {
			*problem = arena_printf(a->scratch, "params.%s: is required", name);
			return NULL;
		}
		jw_member_raw(w, name, json_text(a->scratch, v));
	}
	jw_object_end(w);
	return text.b.data;
}

static enum step_start device_command(struct automationd *a, struct run *r, size_t i)
{
	const struct flow_node *node = &r->flow.nodes[i];
	const char *device_id = node->cfg.command.device_id, *action = node->cfg.command.command;
	PGresult *target = NULL;
	enum db_status st = repo_command_target(a->db, a->scratch, device_id, &target);
	if (st != DB_OK && st != DB_INVALID) {
		automationd_db_failed(a, st);
		return STEP_LOST;
	}
	if (st == DB_INVALID || PQntuples(target) == 0)
		return step_done(a, r, i, false, NULL, "deviceId: device not found");
	const char *type = db_value(target, 0, TARGET_COL_TYPE);
	const char *commands_text = db_value(target, 0, TARGET_COL_COMMANDS), *error = NULL;
	struct json_object *commands = json_parse(a->scratch, commands_text, strlen(commands_text), RUN_JSON_MAX_DEPTH,
						  &error);
	struct json_object *declared = json_array_find(commands, "action", action);
	if (!declared && strcmp(action, "reboot") != 0)
		return step_done(a, r, i, false, NULL, arena_printf(a->scratch, "command: not supported by %s", type));
	if (strcmp(db_value(target, 0, TARGET_COL_STATUS), "offline") == 0)
		return step_done(a, r, i, false, NULL, "device is offline");
	const char *problem = NULL;
	const char *params = command_params(a, declared, node->cfg.command.params, &problem);
	if (!params)
		return step_done(a, r, i, false, NULL, problem);

	/* Claim, queue and finish together: the command is queued once or not at all. */
	const char *step_id = NULL, *command_id = NULL;
	bool finished = false;
	if ((st = db_begin(a->db, a->scratch)) == DB_OK &&
	    (st = repo_step_running(a->db, a->scratch, r->id, node->id, node->kind_name, &step_id)) == DB_OK && step_id &&
	    (st = repo_command_enqueue(a->db, a->scratch, device_id, action, params, a->cfg.command_ttl_s, &command_id)) ==
		    DB_OK) {
		struct jw_text out;
		jw_object_of_strings(jw_text_begin(&out, a->scratch), "commandId", command_id, "action", action, NULL);
		if ((st = repo_step_finish(a->db, a->scratch, step_id, "success", out.b.data, NULL, &finished)) == DB_OK)
			st = db_commit(a->db, a->scratch);
	}
	if (st != DB_OK || !step_id) {
		if (db_in_transaction(a->db))
			db_rollback(a->db, a->scratch);
		if (st != DB_OK)
			automationd_db_failed(a, st);
		return STEP_LOST;
	}
	r->step_id[i] = arena_strdup(r->arena, step_id);
	r->state[i] = STEP_SUCCESS;
	log_fields(LOG_INFO, "command queued", "runId", r->id, "deviceId", device_id, "action", action, "commandId",
		   command_id, NULL);
	return STEP_STARTED;
}

static enum step_start delay_start(struct automationd *a, struct run *r, size_t i)
{
	const struct flow_node *node = &r->flow.nodes[i];
	const char *id = NULL;
	long long due = 0;
	enum db_status st = repo_step_waiting(a->db, a->scratch, r->id, node->id, node->kind_name, node->cfg.delay.seconds,
					      &id, &due);
	r->due_ms[i] = due;
	return step_claimed(a, r, i, st, id, STEP_WAITING);
}

static void in_flight_add(struct automationd *a, const char *step_id)
{
	struct in_flight *f = xcalloc(1, sizeof *f);
	snprintf(f->step_id, sizeof f->step_id, "%s", step_id);
	f->next = a->in_flight;
	a->in_flight = f;
}

static void in_flight_remove(struct automationd *a, const char *step_id)
{
	for (struct in_flight **p = &a->in_flight; *p; p = &(*p)->next)
		if (strcmp((*p)->step_id, step_id) == 0) {
			struct in_flight *f = *p;
			*p = f->next;
			free(f);
			return;
		}
}

static enum step_start webhook_start(struct automationd *a, struct run *r, size_t i)
{
	const struct flow_node *node = &r->flow.nodes[i];
	const char *id = NULL;
	enum db_status st = repo_step_running(a->db, a->scratch, r->id, node->id, node->kind_name, &id);
	if (step_claimed(a, r, i, st, id, STEP_RUNNING) == STEP_LOST)
		return STEP_LOST;
	struct webhook_request req = {
		.url = node->cfg.webhook.url,
		.post = node->cfg.webhook.method == FLOW_POST,
		.body = node->cfg.webhook.body,
		.timeout_ms = node->cfg.webhook.timeout_ms > 0 ? node->cfg.webhook.timeout_ms : FLOW_DEFAULT_WEBHOOK_TIMEOUT_MS,
	};
	struct json_object *body = NULL;
	req.body_is_json = json_object_object_get_ex(node->config, "body", &body) && body &&
			   !json_object_is_type(body, json_type_string);
	snprintf(req.step_id, sizeof req.step_id, "%s", id);
	snprintf(req.run_id, sizeof req.run_id, "%s", r->id);
	if (!webhooks_submit(a->webhooks, &req)) {
		bool finished;
		st = repo_step_finish(a->db, a->scratch, id, "failed", NULL, "cannot start the request", &finished);
		if (st != DB_OK) {
			automationd_db_failed(a, st);
			return STEP_LOST;
		}
		r->state[i] = STEP_FAILED;
		return STEP_STARTED;
	}
	in_flight_add(a, id);
	return STEP_STARTED;
}

static enum step_start step_start(struct automationd *a, struct run *r, size_t i)
{
	switch (r->flow.nodes[i].kind) {
	case FLOW_STATE_COMPARE: return state_compare(a, r, i);
	case FLOW_TIME_RANGE: return time_range(a, r, i);
	case FLOW_DEVICE_COMMAND: return device_command(a, r, i);
	case FLOW_DELAY: return delay_start(a, r, i);
	case FLOW_WEBHOOK: return webhook_start(a, r, i);
	default: return step_done(a, r, i, false, NULL, "kind: not runnable here");
	}
}

/* The first failed step, said for the run's error. */
static const char *run_error(struct automationd *a, const struct run *r)
{
	for (size_t i = 0; i < r->flow.node_count; i++)
		if (r->state[i] == STEP_FAILED)
			return arena_printf(a->scratch, "step %s (%s) failed", r->flow.nodes[i].id, r->flow.nodes[i].kind_name);
	return NULL;
}

/* Starts what can start, until nothing can; ends the run when it is over. */
static void run_advance(struct automationd *a, struct run *r)
{
	size_t ready[FLOW_MAX_NODES];
	for (;;) {
		size_t n = runner_ready(&r->flow, r->state, r->taken, ready, FLOW_MAX_NODES);
		if (n == 0)
			break;
		for (size_t k = 0; k < n; k++)
			if (step_start(a, r, ready[k]) == STEP_LOST || !a->leader) {
				log_fields(LOG_DEBUG, "run left to its rows (claim lost or database unavailable)", "runId",
					   r->id, NULL);
				run_unlink(a, r);
				return;
			}
	}
	switch (runner_outcome(&r->flow, r->state, r->taken)) {
	case RUN_GOING: return;
	case RUN_SUCCEEDED: run_end(a, r, "success", NULL); return;
	case RUN_FAILED: run_end(a, r, "failed", run_error(a, r)); return;
	}
}

/* --- starting and taking up ------------------------------------------------------------ */

void runs_start(struct automationd *a, const struct indexed *au, size_t node, const char *trigger_json,
		const char *output_json)
{
	const struct flow_node *t = &au->flow.nodes[node];
	if (a->nruns >= a->cfg.max_active_runs) {
		log_fields(LOG_WARN, "trigger dropped: automations.max_active_runs runs are going", "automationId", au->id,
			   "nodeId", t->id, NULL);
		return;
	}
	PGresult *res = NULL;
	enum db_status st = repo_run_start(a->db, a->scratch, au->id, trigger_json, t->id, t->kind_name, output_json, &res);
	if (st != DB_OK || PQntuples(res) == 0) {
		if (st == DB_INVALID) /* the automation went away meanwhile */
			return;
		automationd_db_failed(a, st == DB_OK ? DB_ERROR : st);
		return;
	}
	const char *problem = NULL;
	struct run *r = run_new(a, db_value(res, 0, 0), au->id, au->name, au->flow_text, trigger_json, &problem);
	if (!r)
		return run_refuse(a, db_value(res, 0, 0), au->id, au->name, problem);
	r->state[node] = STEP_SUCCESS;
	log_fields(LOG_INFO, "run started", "runId", r->id, "automationId", au->id, "trigger", t->kind_name, NULL);
	run_advance(a, r);
}

/* Rebuilds the run of row `row` (RUN_COL_*) from its steps and advances it. */
static void run_take_up(struct automationd *a, const PGresult *runs, int row)
{
	const char *run_id = db_value(runs, row, RUN_COL_ID);
	if (run_find(a, run_id))
		return;
	const char *problem = NULL;
	struct run *r = run_new(a, run_id, db_value(runs, row, RUN_COL_AUTOMATION_ID), db_value(runs, row, RUN_COL_NAME),
				db_value(runs, row, RUN_COL_FLOW), db_value(runs, row, RUN_COL_TRIGGER), &problem);
	if (!r)
		return run_refuse(a, run_id, db_value(runs, row, RUN_COL_AUTOMATION_ID), db_value(runs, row, RUN_COL_NAME),
				  problem);
	PGresult *steps = NULL;
	enum db_status st = repo_run_steps(a->db, a->scratch, r->id, &steps);
	if (st != DB_OK) {
		automationd_db_failed(a, st);
		run_unlink(a, r);
		return;
	}
	for (int k = 0; k < PQntuples(steps); k++) {
		size_t i = runner_node_index(&r->flow, db_value(steps, k, STEP_COL_NODE));
		enum step_state s;
		if (i == (size_t)-1 || !step_state_parse(db_value(steps, k, STEP_COL_STATUS), &s))
			continue; /* a node the flow no longer has */
		r->state[i] = s;
		r->step_id[i] = arena_strdup(r->arena, db_value(steps, k, STEP_COL_ID));
		const char *result = db_value(steps, k, STEP_COL_RESULT), *due = db_value(steps, k, STEP_COL_DUE_MS);
		r->taken[i] = result && strcmp(result, "true") == 0;
		r->due_ms[i] = due ? strtoll(due, NULL, 10) : 0;
	}
	if (PQntuples(steps) == 0) {
		/* Made by hand (POST /api/automations/:id/run): its triggers' steps start it. */
		size_t entries[FLOW_MAX_NODES];
		size_t n = runner_manual_entries(&r->flow, entries, FLOW_MAX_NODES);
		for (size_t k = 0; k < n; k++)
			if (step_done(a, r, entries[k], true, r->trigger_json, NULL) == STEP_LOST) {
				run_unlink(a, r);
				return;
			}
		log_fields(LOG_INFO, "run started", "runId", r->id, "automationId", r->automation_id, "trigger", "manual",
			   NULL);
	}
	run_advance(a, r);
}

void runs_resume(struct automationd *a, const char *run_id)
{
	if (!a->leader || run_find(a, run_id))
		return;
	PGresult *res = NULL;
	enum db_status st = repo_run_going(a->db, a->scratch, run_id, &res);
	if (st == DB_INVALID)
		return; /* not a UUID */
	if (st != DB_OK) {
		automationd_db_failed(a, st);
		return;
	}
	if (PQntuples(res) == 1)
		run_take_up(a, res, 0);
}

/* A JSON array of strings. */
static const char *ids_json(struct automationd *a, bool runs)
{
	struct jw_text text;
	struct jw *w = jw_text_begin(&text, a->scratch);
	jw_array_begin(w);
	if (runs)
		for (const struct run *r = a->runs; r; r = r->next)
			jw_string(w, r->id);
	else
		for (const struct in_flight *f = a->in_flight; f; f = f->next)
			jw_string(w, f->step_id);
	jw_array_end(w);
	return text.b.data;
}

void runs_recover(struct automationd *a)
{
	PGresult *res = NULL;
	enum db_status st = repo_steps_interrupted(a->db, a->scratch, INTERRUPTED, ids_json(a, false), &res);
	if (st != DB_OK) {
		automationd_db_failed(a, st);
		return;
	}
	if (PQntuples(res) > 0) {
		char n[24];
		snprintf(n, sizeof n, "%d", PQntuples(res));
		log_fields(LOG_WARN, "steps interrupted by a stop marked failed", "steps", n, NULL);
	}
	size_t room = a->cfg.max_active_runs > a->nruns ? a->cfg.max_active_runs - a->nruns : 0;
	if (room == 0 || (st = repo_runs_going(a->db, a->scratch, ids_json(a, true), (long)room, &res)) != DB_OK) {
		if (room)
			automationd_db_failed(a, st);
		return;
	}
	int rows = PQntuples(res);
	for (int row = 0; row < rows && a->leader; row++)
		run_take_up(a, res, row);
	char n[24];
	snprintf(n, sizeof n, "%d", rows);
	log_fields(LOG_INFO, "runs taken up", "runs", n, NULL);
}

/* --- delays and webhooks --------------------------------------------------------------- */

void runs_due(struct automationd *a, long long now_ms)
{
	struct run *r = a->runs;
	while (r && a->leader) {
		struct run *next = r->next; /* r may end here */
		bool moved = false, lost = false;
		for (size_t i = 0; i < r->flow.node_count && !lost; i++) {
			if (r->state[i] != STEP_WAITING || r->due_ms[i] > now_ms)
				continue;
			long long late = now_ms - r->due_ms[i];
			struct jw_text out;
			struct jw *w = jw_text_begin(&out, a->scratch);
			jw_object_begin(w);
			jw_member_int(w, "seconds", r->flow.nodes[i].cfg.delay.seconds);
			jw_member_string(w, "dueAt", time_rfc3339_ms(a->scratch, r->due_ms[i]));
			jw_member_int(w, "lateMs", late);
			jw_member_bool(w, "late", late >= DELAY_LATE_MS);
			jw_object_end(w);
			bool won = false;
			enum db_status st = repo_delay_claim(a->db, a->scratch, r->step_id[i], out.b.data, &won);
			if (st != DB_OK)
				automationd_db_failed(a, st);
			if (st != DB_OK || !won) {
				lost = true;
				break;
			}
			r->state[i] = STEP_SUCCESS;
			moved = true;
		}
		if (lost)
			run_unlink(a, r);
		else if (moved)
			run_advance(a, r);
		r = next;
	}
}

long long runs_next_due(const struct automationd *a)
{
	long long next = -1;
	for (const struct run *r = a->runs; r; r = r->next)
		for (size_t i = 0; i < r->flow.node_count; i++)
			if (r->state[i] == STEP_WAITING && (next < 0 || r->due_ms[i] < next))
				next = r->due_ms[i];
	return next;
}

void runs_webhook_done(struct automationd *a, struct webhook_result *res)
{
	in_flight_remove(a, res->step_id);
	if (!a->up)
		return; /* the row stays 'running': the next runner marks it interrupted */
	const char *error = res->error[0] ? res->error : NULL;
	if (!error && res->status >= 300 && res->status < 400)
		error = arena_printf(a->scratch, "redirect not followed (HTTP %ld)", res->status);
	else if (!error && (res->status < 200 || res->status >= 300))
		error = arena_printf(a->scratch, "HTTP %ld", res->status);
	struct jw_text out;
	struct jw *w = jw_text_begin(&out, a->scratch);
	jw_object_begin(w);
	if (res->status > 0) {
		jw_member_int(w, "status", res->status);
		/* Kept up to a NUL byte: text is what a step's output (jsonb) can hold. */
		size_t shown = strnlen(res->body, res->body_len);
		jw_key(w, "body");
		jw_string_n(w, res->body, shown);
		jw_member_bool(w, "bodyTruncated", res->body_cut || shown < res->body_len);
	}
	jw_member_int(w, "elapsedMs", res->elapsed_ms);
	jw_object_end(w);
	bool finished = false;
	enum db_status st = repo_step_finish(a->db, a->scratch, res->step_id, error ? "failed" : "success", out.b.data,
					     error, &finished);
	if (st != DB_OK) {
		automationd_db_failed(a, st);
		return;
	}
	if (!finished) {
		log_fields(LOG_WARN, "webhook result dropped: its step was no longer running", "stepId", res->step_id, NULL);
		return;
	}
	log_fields(error ? LOG_WARN : LOG_INFO, "webhook done", "runId", res->run_id, "error", error, NULL);
	struct run *r = run_find(a, res->run_id);
	if (!r) {
		runs_resume(a, res->run_id);
		return;
	}
	for (size_t i = 0; i < r->flow.node_count; i++)
		if (r->step_id[i] && strcmp(r->step_id[i], res->step_id) == 0)
			r->state[i] = error ? STEP_FAILED : STEP_SUCCESS;
	run_advance(a, r);
}
