/*
 * flow.h — an automation's graph (SPEC §4 automations), read from its flow JSON into plain C.
 *
 * A flow is {nodes:[{id,type,data:{kind,config}}], edges:[{id,source,target,sourceHandle?}]}.
 * flow_read() turns it into nodes with typed configs and the successors of each node, and
 * checks the graph's structure, collecting EVERY problem at once as a message naming its
 * place ("flow.nodes[2].data.config.seconds: must be at most 86400"): the REST module
 * lists them all when publishing, the engine refuses a flow that has any. Nothing here
 * touches the database: whether a device exists or has a command is the caller's check.
 * Everything lives in the caller's arena; config values that are JSON (a comparison's
 * value, a command's params) point into the json-c tree the caller parsed.
 */
#ifndef STATION_FLOW_H
#define STATION_FLOW_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "arena.h"

#define FLOW_MAX_NODES 100
#define FLOW_MAX_EDGES 200
#define FLOW_MAX_ID 64              /* node and edge ids */
#define FLOW_MAX_NAME 64            /* eventAction, capability, command */
#define FLOW_MAX_DELAY_S 86400
#define FLOW_MAX_WEBHOOK_TIMEOUT_MS 10000
#define FLOW_DEFAULT_WEBHOOK_TIMEOUT_MS 5000
#define FLOW_MAX_URL 2048
#define FLOW_MAX_BODY 8192
#define FLOW_MAX_CRON 128

enum flow_node_type { FLOW_TRIGGER, FLOW_CONDITION, FLOW_ACTION };

enum flow_kind {
	FLOW_KIND_UNKNOWN = 0,
	/* triggers */
	FLOW_DEVICE_EVENT_RECEIVED,
	FLOW_DEVICE_STATE_CHANGED,
	FLOW_DEVICE_STATUS_CHANGED,
	FLOW_SCHEDULE,
	FLOW_MANUAL,
	/* conditions */
	FLOW_STATE_COMPARE,
	FLOW_TIME_RANGE,
	/* actions */
	FLOW_DEVICE_COMMAND,
	FLOW_DELAY,
	FLOW_WEBHOOK,
};

/* FLOW_OP_NONE: device_state_changed without an operator fires on any change. */
enum flow_operator { FLOW_OP_NONE = 0, FLOW_OP_EQ, FLOW_OP_NE, FLOW_OP_GT, FLOW_OP_GTE, FLOW_OP_LT, FLOW_OP_LTE };

/* Which branch of a condition an edge leaves by; FLOW_HANDLE_NONE for other nodes' edges. */
enum flow_handle { FLOW_HANDLE_NONE = 0, FLOW_HANDLE_TRUE, FLOW_HANDLE_FALSE };

enum flow_method { FLOW_GET, FLOW_POST };

struct flow_next {
	size_t node;                /* index into flow.nodes */
	size_t edge;                /* index into flow.edges */
	enum flow_handle handle;
};

struct flow_node {
	const char *id;
	enum flow_node_type type;
	enum flow_kind kind;
	const char *kind_name;      /* as written: "device_command" */
	struct json_object *config; /* data.config as written (never NULL after a clean read) */
	union {
		struct { const char *device_id, *event_action; } event;                /* device_event_received */
		struct {                                                               /* device_state_changed, state_compare */
			const char *device_id, *capability;
			enum flow_operator op;
			struct json_object *value;  /* number, boolean or string; NULL with FLOW_OP_NONE */
		} state;
		struct { const char *device_id, *status; } status;                     /* device_status_changed */
		struct { const char *cron; } schedule;
		struct { int start_min, end_min; } time_range;  /* minutes after midnight; start > end wraps */
		struct {                                                               /* device_command */
			const char *device_id, *command;
			struct json_object *params;  /* an object, or NULL */
		} command;
		struct { long seconds; } delay;
		struct {
			const char *url;
			enum flow_method method;
			const char *body;            /* NULL, the string as given, or an object's JSON text */
			long timeout_ms;
		} webhook;
	} cfg;
	struct flow_next *next;     /* successors, in edge order */
	size_t next_count;
	size_t incoming;            /* number of edges that end here */
};

struct flow_edge {
	const char *id;
	size_t source, target;      /* node indexes; (size_t)-1 when the edge names no node */
	enum flow_handle handle;
};

struct flow {
	struct flow_node *nodes;
	size_t node_count;
	struct flow_edge *edges;
	size_t edge_count;
};

/* Problems found so far: messages "place: what is wrong", in the order found. */
struct flow_problems {
	struct arena *arena;
	const char **items;
	size_t count, cap;
};

void flow_problems_init(struct flow_problems *problems, struct arena *arena);
void flow_problem(struct flow_problems *problems, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

struct flow_options {
	/* Where the graph sits in the request, prefixed to every place: "flow" (the default)
	 * or "automationTemplates[0]" for a kit preset's template. */
	const char *path;
	/* A kit preset's template: a deviceId may be "$<roleKey>", a placeholder for the
	 * device that fills the role. With roles given, the key must be one of them. */
	bool placeholders;
	const char *const *roles;
	size_t role_count;
};

/*
 * Reads value (the flow object) into *out and appends every problem found to problems.
 * Returns true when it added none. opts may be NULL. On problems *out still holds what
 * could be read, so a caller may check more (devices) and list everything together.
 */
bool flow_read(struct arena *arena, struct json_object *value, const struct flow_options *opts,
	       struct flow *out, struct flow_problems *problems);

/* The place of node i's config member, for callers' own problems:
 * "flow.nodes[2].data.config.deviceId". */
const char *flow_config_place(struct arena *arena, const struct flow_options *opts, size_t node, const char *member);

/* The device a node names (deviceId of its config), or NULL for kinds that name none. */
const char *flow_node_device(const struct flow_node *node);

const char *flow_operator_name(enum flow_operator op);

/* "HH:MM" (00:00–23:59) → minutes after midnight, or -1. */
int flow_parse_hhmm(const char *s);

#endif
