/*
 * flow_devices.h — the checks of an automation graph that need the device type registry
 * (SPEC §4 automations; docs/automations.md "Publishing"): each device a node names must
 * exist, and its type must have the node's event, capability or command, with values in
 * the capability's range. lib/flow checks the structure; this adds the problems only the
 * database can tell, to the same list, so publishing lists them all at once.
 *
 * The same checks serve a kit preset's templates (api-kits), whose nodes name a role
 * ("$target") instead of a device: there the role's type is the target. No SQL here: the
 * caller reads the rows (device id or role key, type, capabilities, commands, events).
 */
#ifndef STATION_API_SHARED_FLOW_DEVICES_H
#define STATION_API_SHARED_FLOW_DEVICES_H

#include "flow.h"
#include "runtime.h"

/* The body fields of a graph's nodes and edges, checked for shape and size only (a draft
 * may be unfinished; lib/flow checks the rest when it matters). */
extern const struct field flow_node_item, flow_edge_item;
/* Largest graph accepted (a flow, or a kit preset's template), in bytes of its JSON text. */
#define FLOW_MAX_BYTES 262144

/* Body check (schema.h) of a graph: at most FLOW_MAX_BYTES of JSON. */
const char *flow_size_check(const struct field_check_input *in, int *status);

#define FLOW_GRAPH_FIELDS                                                                                   \
	{ "nodes", FIELD_ARRAY, .required = true, .max = BOUND(FLOW_MAX_NODES), .items = &flow_node_item }, \
	{ "edges", FIELD_ARRAY, .required = true, .max = BOUND(FLOW_MAX_EDGES), .items = &flow_edge_item }

/* What a node's deviceId stands for. */
struct flow_target {
	const char *ref;                    /* the deviceId as written: a UUID or "$<roleKey>" */
	const char *type;                   /* its device type's id */
	struct json_object *capabilities;   /* the type's registry arrays */
	struct json_object *commands;
	struct json_object *events;
};

/* Columns of the rows flow_targets_read() takes: ref, type, capabilities, commands, events. */
enum { FLOW_TARGET_COL_REF, FLOW_TARGET_COL_TYPE, FLOW_TARGET_COL_CAPABILITIES, FLOW_TARGET_COL_COMMANDS,
       FLOW_TARGET_COL_EVENTS };

/* The device ids (or role references) flow's nodes name, each once, as a PostgreSQL
 * text[] literal ("{a,b}"); flow_read() has checked each is a UUID or "$<roleKey>". */
const char *flow_device_refs(struct arena *arena, const struct flow *flow);

/* The targets in res (rows in FLOW_TARGET_COL_* order); *count set. */
struct flow_target *flow_targets_read(struct request *req, const PGresult *res, size_t *count);

/* Appends a problem for each node whose target is unknown (missing_what: "no device"
 * names it in the message) or whose type cannot do what the node says. */
void flow_check_targets(struct arena *arena, const struct flow *flow, const struct flow_options *opts,
			const struct flow_target *targets, size_t count, const char *missing_what,
			struct flow_problems *problems);

/* Replies 400 with every problem, joined by "; " in the order found. */
int flow_problems_reply(struct request *req, const struct flow_problems *problems);

#endif
