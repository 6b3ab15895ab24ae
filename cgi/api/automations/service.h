/*
 * service.h — rules of the automations module (api-automations) that a route table
 * cannot hold: what a draft's flow may be, what publishing requires (every problem of
 * the graph, lib/flow's and the registry's, listed at once), and which automations may
 * be run by hand.
 */
#ifndef STATION_API_AUTOMATIONS_SERVICE_H
#define STATION_API_AUTOMATIONS_SERVICE_H

#include "runtime.h"

/* 0 when flow (the automation's graph) may be published: lib/flow finds nothing and every
 * device it names exists and can do what its node says; else 400 listing every problem. */
int automation_publishable_or_reply(struct request *req, struct json_object *flow);

/* POST /:id/run on automation (a row of automations_lock): 0 when it is published, else
 * 409 — a draft is not run (docs/automations.md, "Manual runs"). */
int automation_runnable_or_reply(struct request *req, const PGresult *automation);

/* The runs of a page (automation_runs_page rows, at most limit) as a uuid[] literal. */
const char *automation_run_ids(struct request *req, const PGresult *runs, long limit);

#endif
