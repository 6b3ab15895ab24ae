/*
 * runner.h — the graph runner of automationd: given an automation's flow and the state
 * of each node's step in one run, which nodes start next and whether the run is over.
 *
 * Pure (ARCHITECTURE.md rule 7): no I/O, no clock. The application layer keeps one
 * `enum step_state` per node, mirrored from the automation_steps rows, and asks here
 * after every step that ends. A node starts when one of its incoming edges comes from
 * a node whose step succeeded — for a condition, only by the edge of the branch it
 * took — and it has no step yet (a node runs at most once per run: the rows are UNIQUE
 * (run_id, node_id)). A failed step ends its branch; the run goes on elsewhere and ends
 * failed. A run is over when nothing runs, nothing waits and nothing can start.
 */
#ifndef AUTOMATIOND_RUNNER_H
#define AUTOMATIOND_RUNNER_H

#include <stdbool.h>
#include <stddef.h>

#include "flow.h"

enum step_state {
	STEP_NONE = 0, /* no row: not reached (yet) */
	STEP_RUNNING,
	STEP_WAITING,  /* a delay until its due_at */
	STEP_SUCCESS,
	STEP_FAILED,
	STEP_SKIPPED,  /* not reached by the time the run ended */
};

enum run_outcome { RUN_GOING, RUN_SUCCEEDED, RUN_FAILED };

/* "running", "waiting", … as the automation_steps.status column says it. */
const char *step_state_name(enum step_state s);
/* The state of a status text; false for anything else. */
bool step_state_parse(const char *text, enum step_state *out);

/*
 * The nodes that may start now, in node order, into out (at most cap); their count.
 * state[i] and taken[i] (a succeeded condition's result) describe node i.
 */
size_t runner_ready(const struct flow *f, const enum step_state *state, const bool *taken, size_t *out,
		    size_t cap);

/* Going while a step runs or waits or a node may start; else failed when a step failed. */
enum run_outcome runner_outcome(const struct flow *f, const enum step_state *state, const bool *taken);

/*
 * The triggers a manual run starts from: its `manual` triggers, or every trigger when it
 * has none (running an automation by hand runs what follows its triggers). Their count.
 */
size_t runner_manual_entries(const struct flow *f, size_t *out, size_t cap);

/* Node index of a node id, or (size_t)-1. */
size_t runner_node_index(const struct flow *f, const char *node_id);

#endif
