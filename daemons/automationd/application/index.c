/*
 * index.c — the published automations' triggers, and what fires them (see automationd.h).
 *
 * Loaded in full when this instance becomes the runner, and one automation at a time on
 * automations_changed (payload: its id). A flow that lib/flow refuses is logged and left
 * out: the REST module refuses to publish one, so that means the row was written by
 * hand. A schedule's next instant is computed with lib/cron_expr in the station's time
 * zone; a missed instant (automationd down) is not made up for. A state trigger starts
 * from the device's state as stored when the index loads, so a change is a change from
 * what the station knew.
 */
#define _GNU_SOURCE /* setenv */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "application/automationd.h"
#include "cron_expr.h"
#include "infrastructure/repo.h"
#include "json_reader.h"
#include "json_writer.h"
#include "log.h"
#include "timeutil.h"

/* Deep enough for any flow the REST module accepts. */
#define FLOW_JSON_MAX_DEPTH 32

static void entry_free(struct indexed *e)
{
	for (size_t i = 0; e->last && i < e->flow.node_count; i++)
		if (e->last[i])
			json_object_put(e->last[i]);
	arena_destroy(e->arena);
	memset(e, 0, sizeof *e);
}

void index_clear(struct automationd *a)
{
	for (size_t i = 0; i < a->nautos; i++)
		entry_free(&a->autos[i]);
	free(a->autos);
	a->autos = NULL;
	a->nautos = 0;
}

bool index_read_zone(struct automationd *a)
{
	const char *zone = "UTC";
	if (repo_timezone(a->db, a->scratch, &zone) != DB_OK || !zone || !*zone || strlen(zone) >= sizeof a->zone)
		zone = a->zone[0] ? a->zone : "UTC";
	if (strcmp(zone, a->zone) == 0)
		return false;
	snprintf(a->zone, sizeof a->zone, "%s", zone);
	setenv("TZ", a->zone, 1);
	tzset();
	log_fields(LOG_INFO, "station time zone", "timezone", a->zone, NULL);
	return true;
}

static void schedule_next(struct automationd *a, struct indexed *e, size_t i, long long after_s)
{
	struct cron_expr expr;
	char error[CRON_ERROR_SIZE];
	long long next = 0;
	if (!cron_parse(e->flow.nodes[i].cfg.schedule.cron, &expr, error)) {
		log_fields(LOG_WARN, "schedule refused", "automationId", e->id, "nodeId", e->flow.nodes[i].id, "error",
			   error, NULL);
	} else if (!cron_next(&expr, a->zone, after_s, &next)) {
		next = 0;
	}
	e->next_fire[i] = next;
}

/* The current value of each state trigger's capability, from the stored states. */
static void states_seed(struct automationd *a, struct indexed *e)
{
	struct jw_text ids;
	struct jw *w = jw_text_begin(&ids, a->scratch);
	size_t n = 0;
	jw_array_begin(w);
	for (size_t i = 0; i < e->flow.node_count; i++)
		if (e->flow.nodes[i].kind == FLOW_DEVICE_STATE_CHANGED) {
			jw_string(w, e->flow.nodes[i].cfg.state.device_id);
			n++;
		}
	jw_array_end(w);
	PGresult *res = NULL;
	if (n == 0 || repo_device_states(a->db, a->scratch, ids.b.data, &res) != DB_OK)
		return;
	for (int row = 0; row < PQntuples(res); row++) {
		const char *text = db_value(res, row, 1), *error = NULL;
		struct json_object *state = json_parse(a->scratch, text, strlen(text), FLOW_JSON_MAX_DEPTH, &error);
		for (size_t i = 0; i < e->flow.node_count; i++) {
			const struct flow_node *node = &e->flow.nodes[i];
			struct json_object *v = NULL;
			if (node->kind == FLOW_DEVICE_STATE_CHANGED && strcmp(node->cfg.state.device_id, db_value(res, row, 0)) == 0 &&
			    json_object_object_get_ex(state, node->cfg.state.capability, &v) && v)
				e->last[i] = json_object_get(v);
		}
	}
}

/* Parses one row into a new entry; false (logged) when its flow is refused. */
static bool entry_make(struct automationd *a, const PGresult *res, int row, struct indexed *e)
{
	memset(e, 0, sizeof *e);
	e->arena = arena_new();
	e->id = arena_strdup(e->arena, db_value(res, row, AUTOMATION_COL_ID));
	e->name = arena_strdup(e->arena, db_value(res, row, AUTOMATION_COL_NAME));
	e->flow_text = arena_strdup(e->arena, db_value(res, row, AUTOMATION_COL_FLOW));
	const char *error = NULL;
	struct json_object *root = json_parse(e->arena, e->flow_text, strlen(e->flow_text), FLOW_JSON_MAX_DEPTH, &error);
	struct flow_problems problems;
	flow_problems_init(&problems, e->arena);
	if (!root || !flow_read(e->arena, root, NULL, &e->flow, &problems)) {
		log_fields(LOG_WARN, "published automation left out: its flow is refused", "automationId", e->id, "problem",
			   root ? (problems.count ? problems.items[0] : "?") : error, NULL);
		entry_free(e);
		return false;
	}
	size_t n = e->flow.node_count + 1;
	e->next_fire = arena_alloc(e->arena, n * sizeof *e->next_fire);
	e->last = arena_alloc(e->arena, n * sizeof *e->last);
	long long now_s = time_now();
	for (size_t i = 0; i < e->flow.node_count; i++)
		if (e->flow.nodes[i].kind == FLOW_SCHEDULE)
			schedule_next(a, e, i, now_s);
	states_seed(a, e);
	return true;
}

void index_load(struct automationd *a)
{
	index_clear(a);
	index_read_zone(a);
	PGresult *res = NULL;
	enum db_status st = repo_published(a->db, a->scratch, &res);
	if (st != DB_OK) {
		automationd_db_failed(a, st);
		return;
	}
	int rows = PQntuples(res);
	a->autos = xcalloc((size_t)rows + 1, sizeof *a->autos);
	for (int row = 0; row < rows; row++)
		if (entry_make(a, res, row, &a->autos[a->nautos]))
			a->nautos++;
	char count[24];
	snprintf(count, sizeof count, "%zu", a->nautos);
	log_fields(LOG_INFO, "published automations loaded", "count", count, NULL);
}

void index_check_zone(struct automationd *a)
{
	if (!index_read_zone(a))
		return;
	for (size_t k = 0; k < a->nautos; k++)
		for (size_t i = 0; i < a->autos[k].flow.node_count; i++)
			if (a->autos[k].flow.nodes[i].kind == FLOW_SCHEDULE)
				schedule_next(a, &a->autos[k], i, time_now());
}

void index_reload_one(struct automationd *a, const char *automation_id)
{
	index_check_zone(a);
	for (size_t i = 0; i < a->nautos; i++)
		if (strcmp(a->autos[i].id, automation_id) == 0) {
			entry_free(&a->autos[i]);
			a->autos[i] = a->autos[--a->nautos];
			break;
		}
	PGresult *res = NULL;
	enum db_status st = repo_published_one(a->db, a->scratch, automation_id, &res);
	if (st != DB_OK) {
		if (st == DB_INVALID) /* not a UUID: nobody's automation */
			return;
		automationd_db_failed(a, st);
		return;
	}
	if (PQntuples(res) == 0)
		return;
	struct indexed *grown = xcalloc(a->nautos + 1, sizeof *a->autos);
	if (a->nautos)
		memcpy(grown, a->autos, a->nautos * sizeof *a->autos);
	free(a->autos);
	a->autos = grown;
	if (entry_make(a, res, 0, &a->autos[a->nautos]))
		a->nautos++;
}

/* {"kind":…,"nodeId":…, then the members of what fired it} */
static const char *trigger_json(struct arena *arena, const struct flow_node *node, const char *device_id,
				const char *what_key, struct json_object *what)
{
	struct jw_text text;
	struct jw *w = jw_text_begin(&text, arena);
	jw_object_begin(w);
	jw_member_string(w, "kind", node->kind_name);
	jw_member_string(w, "nodeId", node->id);
	if (device_id)
		jw_member_string(w, "deviceId", device_id);
	if (what_key)
		jw_member_raw(w, what_key, what ? json_text(arena, what) : "null");
	jw_object_end(w);
	return text.b.data;
}

/* A state notice whose state was left out (too big): the stored state. */
static struct json_object *notice_state(struct automationd *a, const struct device_notice *n)
{
	bool watched = false;
	for (size_t k = 0; k < a->nautos && !watched; k++)
		for (size_t i = 0; i < a->autos[k].flow.node_count && !watched; i++)
			watched = a->autos[k].flow.nodes[i].kind == FLOW_DEVICE_STATE_CHANGED && n->device_id &&
				  strcmp(a->autos[k].flow.nodes[i].cfg.state.device_id, n->device_id) == 0;
	if (n->state || !watched)
		return n->state;
	PGresult *res = NULL;
	if (repo_device_state(a->db, a->scratch, n->device_id, &res) != DB_OK || PQntuples(res) == 0)
		return NULL;
	const char *text = db_value(res, 0, 0), *error = NULL;
	return json_parse(a->scratch, text, strlen(text), FLOW_JSON_MAX_DEPTH, &error);
}

void index_on_notice(struct automationd *a, const struct device_notice *n)
{
	struct json_object *state = n->kind == NOTICE_STATE ? notice_state(a, n) : NULL;
	/* Runs may change the index (a run's statements read notifications): walk a copy of
	 * what fires first, then start the runs. */
	struct fire { size_t entry, node; const char *trigger; } *fires = NULL;
	size_t nfires = 0, cap = 0;
	for (size_t k = 0; k < a->nautos; k++) {
		struct indexed *e = &a->autos[k];
		for (size_t i = 0; i < e->flow.node_count; i++) {
			const struct flow_node *node = &e->flow.nodes[i];
			const char *trigger = NULL;
			if (node->kind == FLOW_DEVICE_STATE_CHANGED) {
				struct json_object *cur = NULL;
				if (!state || !n->device_id || strcmp(n->device_id, node->cfg.state.device_id) != 0 ||
				    !json_object_object_get_ex(state, node->cfg.state.capability, &cur) || !cur)
					continue;
				bool fires_now = match_state_fires(node->cfg.state.op, node->cfg.state.value, e->last[i], cur);
				if (e->last[i])
					json_object_put(e->last[i]);
				e->last[i] = json_object_get(cur);
				if (fires_now)
					trigger = trigger_json(a->scratch, node, n->device_id, "value", cur);
			} else if (match_trigger(node, n)) {
				trigger = trigger_json(a->scratch, node, n->device_id, NULL, NULL);
			}
			if (!trigger)
				continue;
			if (nfires == cap) {
				cap = cap ? cap * 2 : 8;
				struct fire *grown = arena_alloc(a->scratch, cap * sizeof *grown);
				if (nfires)
					memcpy(grown, fires, nfires * sizeof *grown);
				fires = grown;
			}
			fires[nfires++] = (struct fire){ k, i, trigger };
		}
	}
	const char *data_text = nfires ? json_text(a->scratch, n->data) : NULL;
	for (size_t f = 0; f < nfires && a->leader; f++)
		if (fires[f].entry < a->nautos)
			runs_start(a, &a->autos[fires[f].entry], fires[f].node, fires[f].trigger, data_text);
}

void index_run_schedules(struct automationd *a, long long now_s)
{
	for (size_t k = 0; k < a->nautos && a->leader; k++) {
		struct indexed *e = &a->autos[k];
		for (size_t i = 0; i < e->flow.node_count && a->leader; i++) {
			if (e->next_fire[i] == 0 || e->next_fire[i] > now_s)
				continue;
			long long at = e->next_fire[i];
			schedule_next(a, e, i, now_s);
			const char *when = time_rfc3339_ms(a->scratch, at * 1000);
			struct jw_text out;
			jw_object_of_strings(jw_text_begin(&out, a->scratch), "scheduledAt", when, "timezone", a->zone, NULL);
			struct jw_text trig;
			struct jw *w = jw_text_begin(&trig, a->scratch);
			jw_object_begin(w);
			jw_member_string(w, "kind", "schedule");
			jw_member_string(w, "nodeId", e->flow.nodes[i].id);
			jw_member_string(w, "scheduledAt", when);
			jw_object_end(w);
			runs_start(a, e, i, trig.b.data, out.b.data);
		}
	}
}

long long index_next_schedule(const struct automationd *a)
{
	long long next = -1;
	for (size_t k = 0; k < a->nautos; k++)
		for (size_t i = 0; i < a->autos[k].flow.node_count; i++) {
			long long t = a->autos[k].next_fire[i];
			if (t > 0 && (next < 0 || t < next))
				next = t;
		}
	return next;
}
