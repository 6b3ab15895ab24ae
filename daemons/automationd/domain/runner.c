/*
 * runner.c — which nodes of a run start next, and when the run is over (see runner.h).
 * Pure: it reads the flow and the states it is given and writes nothing else.
 */
#include "domain/runner.h"

#include <string.h>

static const char *const state_names[] = {
	[STEP_NONE] = "none",       [STEP_RUNNING] = "running", [STEP_WAITING] = "waiting",
	[STEP_SUCCESS] = "success", [STEP_FAILED] = "failed",   [STEP_SKIPPED] = "skipped",
};

const char *step_state_name(enum step_state s)
{
	return state_names[s];
}

bool step_state_parse(const char *text, enum step_state *out)
{
	for (int s = STEP_RUNNING; s <= STEP_SKIPPED; s++)
		if (text && strcmp(text, state_names[s]) == 0) {
			*out = (enum step_state)s;
			return true;
		}
	return false;
}

/* Whether the edge `next` of node `from` leads on now. */
static bool edge_open(const struct flow *f, size_t from, const struct flow_next *next, const enum step_state *state,
		      const bool *taken)
{
	if (state[from] != STEP_SUCCESS)
		return false;
	if (f->nodes[from].type != FLOW_CONDITION)
		return true;
	return next->handle == (taken[from] ? FLOW_HANDLE_TRUE : FLOW_HANDLE_FALSE);
}

size_t runner_ready(const struct flow *f, const enum step_state *state, const bool *taken, size_t *out, size_t cap)
{
	size_t n = 0;
	for (size_t i = 0; i < f->node_count; i++) {
		const struct flow_node *from = &f->nodes[i];
		for (size_t k = 0; k < from->next_count; k++) {
			size_t to = from->next[k].node;
			if (state[to] != STEP_NONE || f->nodes[to].type == FLOW_TRIGGER ||
			    !edge_open(f, i, &from->next[k], state, taken))
				continue;
			bool listed = false;
			for (size_t j = 0; j < n && !listed; j++)
				listed = out[j] == to;
			if (!listed && n < cap)
				out[n++] = to;
		}
	}
	/* Node order, so that a run's steps start in the order the flow lists them. */
	for (size_t a = 1; a < n; a++)
		for (size_t b = a; b > 0 && out[b - 1] > out[b]; b--) {
			size_t t = out[b];
			out[b] = out[b - 1];
			out[b - 1] = t;
		}
	return n;
}

enum run_outcome runner_outcome(const struct flow *f, const enum step_state *state, const bool *taken)
{
	bool failed = false;
	for (size_t i = 0; i < f->node_count; i++) {
		if (state[i] == STEP_RUNNING || state[i] == STEP_WAITING)
			return RUN_GOING;
		failed = failed || state[i] == STEP_FAILED;
	}
	size_t one;
	if (runner_ready(f, state, taken, &one, 1) > 0)
		return RUN_GOING;
	return failed ? RUN_FAILED : RUN_SUCCEEDED;
}

size_t runner_manual_entries(const struct flow *f, size_t *out, size_t cap)
{
	size_t n = 0;
	for (size_t i = 0; i < f->node_count && n < cap; i++)
		if (f->nodes[i].kind == FLOW_MANUAL)
			out[n++] = i;
	if (n > 0)
		return n;
	for (size_t i = 0; i < f->node_count && n < cap; i++)
		if (f->nodes[i].type == FLOW_TRIGGER)
			out[n++] = i;
	return n;
}

size_t runner_node_index(const struct flow *f, const char *node_id)
{
	for (size_t i = 0; i < f->node_count; i++)
		if (node_id && strcmp(f->nodes[i].id, node_id) == 0)
			return i;
	return (size_t)-1;
}
