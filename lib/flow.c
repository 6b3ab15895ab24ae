/*
 * flow.c — reading and checking an automation's graph (flow.h; docs/automations.md).
 *
 * One pass reads nodes and their configs, one reads edges into successor lists, then the
 * whole graph is checked: at least one trigger, no cycle, every node reachable from a
 * trigger, triggers first, conditions' edges labelled. Every check appends to the problem
 * list and carries on, so the caller can show the whole list at once. Pure: no I/O.
 */
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "cron_expr.h"
#include "flow.h"
#include "uuid.h"

#define NO_NODE ((size_t)-1)

void flow_problems_init(struct flow_problems *problems, struct arena *arena)
{
	memset(problems, 0, sizeof *problems);
	problems->arena = arena;
}

void flow_problem(struct flow_problems *problems, const char *fmt, ...)
{
	if (problems->count == problems->cap) {
		size_t cap = problems->cap ? problems->cap * 2 : 8;
		const char **items = arena_alloc(problems->arena, cap * sizeof *items);
		if (problems->count)
			memcpy(items, problems->items, problems->count * sizeof *items);
		problems->items = items;
		problems->cap = cap;
	}
	va_list ap;
	va_start(ap, fmt);
	problems->items[problems->count++] = arena_vprintf(problems->arena, fmt, ap);
	va_end(ap);
}

/* A schedule's cron is checked by lib/cron_expr, the station's one parser of 5-field cron
 * expressions: NULL when acceptable, else its reason ("hour: 24 is out of range 0-23"),
 * in the arena. */
static const char *cron_problem(struct arena *arena, const char *expr)
{
	struct cron_expr parsed;
	char error[CRON_ERROR_SIZE];
	return cron_parse(expr, &parsed, error) ? NULL : arena_strdup(arena, error);
}

struct reader {
	struct arena *arena;
	const struct flow_options *opts;
	struct flow_problems *problems;
	const char *path;
};

static const char *const operator_names[] = { "", "eq", "ne", "gt", "gte", "lt", "lte" };

const char *flow_operator_name(enum flow_operator op)
{
	return operator_names[op];
}

int flow_parse_hhmm(const char *s)
{
	if (!s || strlen(s) != 5 || s[2] != ':')
		return -1;
	for (int i = 0; i < 5; i++)
		if (i != 2 && (s[i] < '0' || s[i] > '9'))
			return -1;
	int h = (s[0] - '0') * 10 + (s[1] - '0');
	int m = (s[3] - '0') * 10 + (s[4] - '0');
	if (h > 23 || m > 59)
		return -1;
	return h * 60 + m;
}

static const char *base_path(const struct flow_options *opts)
{
	return opts && opts->path ? opts->path : "flow";
}

const char *flow_config_place(struct arena *arena, const struct flow_options *opts, size_t node, const char *member)
{
	return arena_printf(arena, "%s.nodes[%zu].data.config.%s", base_path(opts), node, member);
}

const char *flow_node_device(const struct flow_node *node)
{
	switch (node->kind) {
	case FLOW_DEVICE_EVENT_RECEIVED: return node->cfg.event.device_id;
	case FLOW_DEVICE_STATE_CHANGED:
	case FLOW_STATE_COMPARE: return node->cfg.state.device_id;
	case FLOW_DEVICE_STATUS_CHANGED: return node->cfg.status.device_id;
	case FLOW_DEVICE_COMMAND: return node->cfg.command.device_id;
	default: return NULL;
	}
}

/* A required string member of config, 1..max bytes; NULL (and a problem) otherwise. */
static const char *config_string(struct reader *r, size_t i, struct json_object *config, const char *key, size_t max)
{
	struct json_object *v = json_object_object_get(config, key);
	if (!v) {
		flow_problem(r->problems, "%s.nodes[%zu].data.config.%s: is required", r->path, i, key);
		return NULL;
	}
	if (!json_object_is_type(v, json_type_string)) {
		flow_problem(r->problems, "%s.nodes[%zu].data.config.%s: must be a string", r->path, i, key);
		return NULL;
	}
	size_t len = (size_t)json_object_get_string_len(v);
	if (len == 0) {
		flow_problem(r->problems, "%s.nodes[%zu].data.config.%s: must not be empty", r->path, i, key);
		return NULL;
	}
	if (len > max) {
		flow_problem(r->problems, "%s.nodes[%zu].data.config.%s: must be at most %zu characters", r->path, i, key, max);
		return NULL;
	}
	return arena_strdup(r->arena, json_object_get_string(v));
}

static const char *config_device(struct reader *r, size_t i, struct json_object *config)
{
	const char *id = config_string(r, i, config, "deviceId", FLOW_MAX_ID);
	if (!id)
		return NULL;
	if (r->opts && r->opts->placeholders && id[0] == '$') {
		if (!r->opts->roles)
			return id;
		for (size_t k = 0; k < r->opts->role_count; k++)
			if (strcmp(r->opts->roles[k], id + 1) == 0)
				return id;
		flow_problem(r->problems, "%s.nodes[%zu].data.config.deviceId: %s names no role of the preset", r->path, i, id);
		return NULL;
	}
	if (!uuid_is_valid(id)) {
		flow_problem(r->problems, "%s.nodes[%zu].data.config.deviceId: must be a UUID%s", r->path, i,
			     r->opts && r->opts->placeholders ? " or \"$<roleKey>\"" : "");
		return NULL;
	}
	return id;
}

/* One of names[1..count) (index 0 is "none"), or 0 with a problem. */
static int config_enum(struct reader *r, size_t i, struct json_object *config, const char *key,
		       const char *const *names, int count, const char *list)
{
	const char *s = config_string(r, i, config, key, FLOW_MAX_NAME);
	if (!s)
		return 0;
	for (int k = 1; k < count; k++)
		if (strcmp(s, names[k]) == 0)
			return k;
	flow_problem(r->problems, "%s.nodes[%zu].data.config.%s: must be one of %s", r->path, i, key, list);
	return 0;
}

/* A whole number in [min, max]; -1 with a problem otherwise (absent: *present false). */
static long config_integer(struct reader *r, size_t i, struct json_object *config, const char *key,
			   long min, long max, bool *present)
{
	struct json_object *v = json_object_object_get(config, key);
	*present = v != NULL;
	if (!v) {
		flow_problem(r->problems, "%s.nodes[%zu].data.config.%s: is required", r->path, i, key);
		return -1;
	}
	if (!json_object_is_type(v, json_type_int) &&
	    !(json_object_is_type(v, json_type_double) &&
	      json_object_get_double(v) == (double)(long long)json_object_get_double(v))) {
		flow_problem(r->problems, "%s.nodes[%zu].data.config.%s: must be a whole number", r->path, i, key);
		return -1;
	}
	double d = json_object_get_double(v);
	if (d < (double)min) {
		flow_problem(r->problems, "%s.nodes[%zu].data.config.%s: must be at least %ld", r->path, i, key, min);
		return -1;
	}
	if (d > (double)max) {
		flow_problem(r->problems, "%s.nodes[%zu].data.config.%s: must be at most %ld", r->path, i, key, max);
		return -1;
	}
	return (long)d;
}

/* A comparison's operand: a number, a boolean or a short string; a number for ordering. */
static struct json_object *config_value(struct reader *r, size_t i, struct json_object *config, enum flow_operator op)
{
	struct json_object *v = json_object_object_get(config, "value");
	if (!v) {
		flow_problem(r->problems, "%s.nodes[%zu].data.config.value: is required", r->path, i);
		return NULL;
	}
	bool number = json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double);
	bool ordered = op == FLOW_OP_GT || op == FLOW_OP_GTE || op == FLOW_OP_LT || op == FLOW_OP_LTE;
	if (ordered && !number) {
		flow_problem(r->problems, "%s.nodes[%zu].data.config.value: must be a number for %s", r->path, i,
			     flow_operator_name(op));
		return NULL;
	}
	if (!number && !json_object_is_type(v, json_type_boolean) && !json_object_is_type(v, json_type_string)) {
		flow_problem(r->problems, "%s.nodes[%zu].data.config.value: must be a number, a boolean or a string", r->path, i);
		return NULL;
	}
	if (json_object_is_type(v, json_type_string) && json_object_get_string_len(v) > FLOW_MAX_NAME) {
		flow_problem(r->problems, "%s.nodes[%zu].data.config.value: must be at most %d characters", r->path, i, FLOW_MAX_NAME);
		return NULL;
	}
	return v;
}

static const char *const operators_list = "eq, ne, gt, gte, lt, lte";

static void read_state(struct reader *r, size_t i, struct json_object *config, struct flow_node *n, bool required_op)
{
	n->cfg.state.device_id = config_device(r, i, config);
	n->cfg.state.capability = config_string(r, i, config, "capability", FLOW_MAX_NAME);
	bool has_op = json_object_object_get(config, "operator") != NULL;
	bool has_value = json_object_object_get(config, "value") != NULL;
	if (!required_op && !has_op && !has_value)
		return;  /* device_state_changed on any change of the capability */
	if (!required_op && !has_op) {
		n->cfg.state.op = FLOW_OP_EQ;  /* a value alone: becomes equal to it */
	} else {
		n->cfg.state.op = (enum flow_operator)config_enum(r, i, config, "operator", operator_names, 7, operators_list);
		if (!n->cfg.state.op)
			return;
	}
	n->cfg.state.value = config_value(r, i, config, n->cfg.state.op);
}

static void read_webhook(struct reader *r, size_t i, struct json_object *config, struct flow_node *n)
{
	const char *url = config_string(r, i, config, "url", FLOW_MAX_URL);
	if (url) {
		const char *rest = strncmp(url, "https://", 8) == 0 ? url + 8 : strncmp(url, "http://", 7) == 0 ? url + 7 : NULL;
		if (!rest)
			flow_problem(r->problems, "%s.nodes[%zu].data.config.url: must be an http or https URL", r->path, i);
		else if (*rest == '\0' || *rest == '/' || strpbrk(url, " \t\r\n"))
			flow_problem(r->problems, "%s.nodes[%zu].data.config.url: must name a host", r->path, i);
		else
			n->cfg.webhook.url = url;
	}
	static const char *const methods[] = { "", "GET", "POST" };
	int m = config_enum(r, i, config, "method", methods, 3, "GET, POST");
	n->cfg.webhook.method = m == 2 ? FLOW_POST : FLOW_GET;
	struct json_object *body = json_object_object_get(config, "body");
	if (body) {
		const char *text = json_object_is_type(body, json_type_string) ? json_object_get_string(body)
										   : json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN);
		if (m == 1)
			flow_problem(r->problems, "%s.nodes[%zu].data.config.body: only a POST carries a body", r->path, i);
		else if (strlen(text) > FLOW_MAX_BODY)
			flow_problem(r->problems, "%s.nodes[%zu].data.config.body: must be at most %d bytes", r->path, i, FLOW_MAX_BODY);
		else
			n->cfg.webhook.body = arena_strdup(r->arena, text);
	}
	n->cfg.webhook.timeout_ms = FLOW_DEFAULT_WEBHOOK_TIMEOUT_MS;
	if (json_object_object_get(config, "timeoutMs")) {
		bool present;
		long ms = config_integer(r, i, config, "timeoutMs", 1, FLOW_MAX_WEBHOOK_TIMEOUT_MS, &present);
		if (ms > 0)
			n->cfg.webhook.timeout_ms = ms;
	}
}

static void read_time_range(struct reader *r, size_t i, struct json_object *config, struct flow_node *n)
{
	const char *keys[2] = { "start", "end" };
	int *mins[2] = { &n->cfg.time_range.start_min, &n->cfg.time_range.end_min };
	for (int k = 0; k < 2; k++) {
		struct json_object *v = json_object_object_get(config, keys[k]);
		*mins[k] = v && json_object_is_type(v, json_type_string) ? flow_parse_hhmm(json_object_get_string(v)) : -1;
		if (!v)
			flow_problem(r->problems, "%s.nodes[%zu].data.config.%s: is required", r->path, i, keys[k]);
		else if (*mins[k] < 0)
			flow_problem(r->problems, "%s.nodes[%zu].data.config.%s: must be a time HH:MM", r->path, i, keys[k]);
	}
	if (n->cfg.time_range.start_min >= 0 && n->cfg.time_range.start_min == n->cfg.time_range.end_min)
		flow_problem(r->problems, "%s.nodes[%zu].data.config.end: must differ from start", r->path, i);
}

struct kind_name {
	const char *name;
	enum flow_kind kind;
	enum flow_node_type type;
};

static const struct kind_name kinds[] = {
	{ "device_event_received", FLOW_DEVICE_EVENT_RECEIVED, FLOW_TRIGGER },
	{ "device_state_changed", FLOW_DEVICE_STATE_CHANGED, FLOW_TRIGGER },
	{ "device_status_changed", FLOW_DEVICE_STATUS_CHANGED, FLOW_TRIGGER },
	{ "schedule", FLOW_SCHEDULE, FLOW_TRIGGER },
	{ "manual", FLOW_MANUAL, FLOW_TRIGGER },
	{ "state_compare", FLOW_STATE_COMPARE, FLOW_CONDITION },
	{ "time_range", FLOW_TIME_RANGE, FLOW_CONDITION },
	{ "device_command", FLOW_DEVICE_COMMAND, FLOW_ACTION },
	{ "delay", FLOW_DELAY, FLOW_ACTION },
	{ "webhook", FLOW_WEBHOOK, FLOW_ACTION },
};

static const char *const type_names[] = { "trigger", "condition", "action" };
static const char *const kinds_of_type[] = {
	"device_event_received, device_state_changed, device_status_changed, schedule, manual",
	"state_compare, time_range",
	"device_command, delay, webhook",
};

static void read_config(struct reader *r, size_t i, struct flow_node *n)
{
	struct json_object *c = n->config;
	static const char *const statuses[] = { "", "online", "offline" };
	bool present;
	switch (n->kind) {
	case FLOW_DEVICE_EVENT_RECEIVED:
		n->cfg.event.device_id = config_device(r, i, c);
		n->cfg.event.event_action = config_string(r, i, c, "eventAction", FLOW_MAX_NAME);
		break;
	case FLOW_DEVICE_STATE_CHANGED:
		read_state(r, i, c, n, false);
		break;
	case FLOW_STATE_COMPARE:
		read_state(r, i, c, n, true);
		break;
	case FLOW_DEVICE_STATUS_CHANGED:
		n->cfg.status.device_id = config_device(r, i, c);
		if (config_enum(r, i, c, "status", statuses, 3, "online, offline"))
			n->cfg.status.status = json_object_get_string(json_object_object_get(c, "status"));
		break;
	case FLOW_SCHEDULE: {
		const char *cron = config_string(r, i, c, "cron", FLOW_MAX_CRON);
		const char *why = cron ? cron_problem(r->arena, cron) : NULL;
		if (why)
			flow_problem(r->problems, "%s.nodes[%zu].data.config.cron: %s", r->path, i, why);
		else
			n->cfg.schedule.cron = cron;
		break;
	}
	case FLOW_MANUAL:
		break;
	case FLOW_TIME_RANGE:
		read_time_range(r, i, c, n);
		break;
	case FLOW_DEVICE_COMMAND: {
		n->cfg.command.device_id = config_device(r, i, c);
		n->cfg.command.command = config_string(r, i, c, "command", FLOW_MAX_NAME);
		struct json_object *params = json_object_object_get(c, "params");
		if (params && !json_object_is_type(params, json_type_object))
			flow_problem(r->problems, "%s.nodes[%zu].data.config.params: must be an object", r->path, i);
		else
			n->cfg.command.params = params;
		break;
	}
	case FLOW_DELAY:
		n->cfg.delay.seconds = config_integer(r, i, c, "seconds", 1, FLOW_MAX_DELAY_S, &present);
		break;
	case FLOW_WEBHOOK:
		read_webhook(r, i, c, n);
		break;
	case FLOW_KIND_UNKNOWN:
		break;
	}
}

/* Reads nodes[i]; false when it is too broken to take part in the graph. */
static bool read_node(struct reader *r, size_t i, struct json_object *v, struct flow_node *n)
{
	if (!json_object_is_type(v, json_type_object)) {
		flow_problem(r->problems, "%s.nodes[%zu]: must be an object", r->path, i);
		return false;
	}
	struct json_object *id = json_object_object_get(v, "id");
	if (!id || !json_object_is_type(id, json_type_string) || json_object_get_string_len(id) == 0) {
		flow_problem(r->problems, "%s.nodes[%zu].id: must be a non-empty string", r->path, i);
		return false;
	}
	if (json_object_get_string_len(id) > FLOW_MAX_ID) {
		flow_problem(r->problems, "%s.nodes[%zu].id: must be at most %d characters", r->path, i, FLOW_MAX_ID);
		return false;
	}
	n->id = arena_strdup(r->arena, json_object_get_string(id));

	struct json_object *type = json_object_object_get(v, "type");
	const char *type_name = type && json_object_is_type(type, json_type_string) ? json_object_get_string(type) : "";
	int t = -1;
	for (int k = 0; k < 3; k++)
		if (strcmp(type_name, type_names[k]) == 0)
			t = k;
	if (t < 0) {
		flow_problem(r->problems, "%s.nodes[%zu].type: must be one of trigger, condition, action", r->path, i);
		return false;
	}
	n->type = (enum flow_node_type)t;

	struct json_object *data = json_object_object_get(v, "data");
	if (!data || !json_object_is_type(data, json_type_object)) {
		flow_problem(r->problems, "%s.nodes[%zu].data: must be an object", r->path, i);
		return true;
	}
	struct json_object *kind = json_object_object_get(data, "kind");
	const char *kind_name = kind && json_object_is_type(kind, json_type_string) ? json_object_get_string(kind) : NULL;
	for (size_t k = 0; kind_name && k < sizeof kinds / sizeof kinds[0]; k++)
		if (strcmp(kind_name, kinds[k].name) == 0 && kinds[k].type == n->type)
			n->kind = kinds[k].kind;
	if (!n->kind) {
		flow_problem(r->problems, "%s.nodes[%zu].data.kind: must be one of %s", r->path, i, kinds_of_type[t]);
		return true;
	}
	n->kind_name = arena_strdup(r->arena, kind_name);

	n->config = json_object_object_get(data, "config");
	if (!n->config && n->kind == FLOW_MANUAL)
		return true;
	if (!n->config || !json_object_is_type(n->config, json_type_object)) {
		flow_problem(r->problems, "%s.nodes[%zu].data.config: must be an object", r->path, i);
		n->config = NULL;
		return true;
	}
	read_config(r, i, n);
	return true;
}

static size_t node_by_id(const struct flow *f, const char *id)
{
	for (size_t i = 0; i < f->node_count; i++)
		if (f->nodes[i].id && strcmp(f->nodes[i].id, id) == 0)
			return i;
	return NO_NODE;
}

/* An edge's source or target; NO_NODE with a problem when it names no node. */
static size_t edge_end(struct reader *r, const struct flow *f, size_t e, struct json_object *v, const char *key)
{
	struct json_object *s = json_object_object_get(v, key);
	if (!s || !json_object_is_type(s, json_type_string) || json_object_get_string_len(s) == 0) {
		flow_problem(r->problems, "%s.edges[%zu].%s: must be a non-empty string", r->path, e, key);
		return NO_NODE;
	}
	size_t n = node_by_id(f, json_object_get_string(s));
	if (n == NO_NODE)
		flow_problem(r->problems, "%s.edges[%zu].%s: no node has id \"%.64s\"", r->path, e, key, json_object_get_string(s));
	return n;
}

static void read_edge(struct reader *r, struct flow *f, size_t e, struct json_object *v)
{
	struct flow_edge *edge = &f->edges[e];
	edge->source = edge->target = NO_NODE;
	if (!json_object_is_type(v, json_type_object)) {
		flow_problem(r->problems, "%s.edges[%zu]: must be an object", r->path, e);
		return;
	}
	struct json_object *id = json_object_object_get(v, "id");
	if (!id || !json_object_is_type(id, json_type_string) || json_object_get_string_len(id) == 0)
		flow_problem(r->problems, "%s.edges[%zu].id: must be a non-empty string", r->path, e);
	else if (json_object_get_string_len(id) > FLOW_MAX_ID)
		flow_problem(r->problems, "%s.edges[%zu].id: must be at most %d characters", r->path, e, FLOW_MAX_ID);
	else
		edge->id = arena_strdup(r->arena, json_object_get_string(id));
	for (size_t k = 0; edge->id && k < e; k++)
		if (f->edges[k].id && strcmp(f->edges[k].id, edge->id) == 0) {
			flow_problem(r->problems, "%s.edges[%zu].id: \"%s\" is also edges[%zu]", r->path, e, edge->id, k);
			break;
		}
	edge->source = edge_end(r, f, e, v, "source");
	edge->target = edge_end(r, f, e, v, "target");

	struct json_object *h = json_object_object_get(v, "sourceHandle");
	bool has_handle = h && !json_object_is_type(h, json_type_null);
	if (has_handle) {
		const char *s = json_object_is_type(h, json_type_string) ? json_object_get_string(h) : "";
		if (strcmp(s, "true") == 0)
			edge->handle = FLOW_HANDLE_TRUE;
		else if (strcmp(s, "false") == 0)
			edge->handle = FLOW_HANDLE_FALSE;
		else
			flow_problem(r->problems, "%s.edges[%zu].sourceHandle: must be \"true\" or \"false\"", r->path, e);
	}
	if (edge->source == NO_NODE)
		return;
	struct flow_node *src = &f->nodes[edge->source];
	if (src->type == FLOW_CONDITION && !has_handle)
		flow_problem(r->problems, "%s.edges[%zu].sourceHandle: is required on an edge leaving a condition", r->path, e);
	else if (src->type != FLOW_CONDITION && has_handle)
		flow_problem(r->problems, "%s.edges[%zu].sourceHandle: only an edge leaving a condition has one", r->path, e);
}

/* Depth-first walk: an edge back to a node still on the path closes a cycle. */
static void find_cycles(struct reader *r, struct flow *f, size_t node, unsigned char *colour)
{
	colour[node] = 1;
	struct flow_node *n = &f->nodes[node];
	for (size_t k = 0; k < n->next_count; k++) {
		size_t next = n->next[k].node;
		if (colour[next] == 1)
			flow_problem(r->problems, "%s.edges[%zu]: closes a cycle (%s → %s)", r->path, n->next[k].edge,
				     n->id, f->nodes[next].id);
		else if (colour[next] == 0)
			find_cycles(r, f, next, colour);
	}
	colour[node] = 2;
}

static void mark_reachable(struct flow *f, size_t node, unsigned char *seen)
{
	if (seen[node])
		return;
	seen[node] = 1;
	for (size_t k = 0; k < f->nodes[node].next_count; k++)
		mark_reachable(f, f->nodes[node].next[k].node, seen);
}

static void check_graph(struct reader *r, struct flow *f, const bool *usable)
{
	size_t triggers = 0;
	for (size_t i = 0; i < f->node_count; i++) {
		struct flow_node *n = &f->nodes[i];
		if (!usable[i])
			continue;
		for (size_t k = 0; k < i; k++)
			if (usable[k] && strcmp(f->nodes[k].id, n->id) == 0) {
				flow_problem(r->problems, "%s.nodes[%zu].id: \"%s\" is also nodes[%zu]", r->path, i, n->id, k);
				break;
			}
		if (n->type == FLOW_TRIGGER) {
			triggers++;
			if (n->incoming)
				flow_problem(r->problems, "%s.nodes[%zu]: a trigger cannot follow another node", r->path, i);
		}
		if (n->type != FLOW_ACTION && n->next_count == 0)
			flow_problem(r->problems, "%s.nodes[%zu]: a %s must lead to another node", r->path, i, type_names[n->type]);
	}
	if (triggers == 0) {
		flow_problem(r->problems, "%s.nodes: must contain a trigger", r->path);
		return;
	}
	unsigned char *colour = arena_alloc(r->arena, f->node_count + 1);
	for (size_t i = 0; i < f->node_count; i++)
		if (usable[i] && colour[i] == 0)
			find_cycles(r, f, i, colour);
	unsigned char *seen = arena_alloc(r->arena, f->node_count + 1);
	for (size_t i = 0; i < f->node_count; i++)
		if (usable[i] && f->nodes[i].type == FLOW_TRIGGER)
			mark_reachable(f, i, seen);
	for (size_t i = 0; i < f->node_count; i++)
		if (usable[i] && !seen[i])
			flow_problem(r->problems, "%s.nodes[%zu]: is not reachable from a trigger", r->path, i);
}

bool flow_read(struct arena *arena, struct json_object *value, const struct flow_options *opts,
	       struct flow *out, struct flow_problems *problems)
{
	struct reader r = { arena, opts, problems, base_path(opts) };
	size_t before = problems->count;
	memset(out, 0, sizeof *out);
	if (!value || !json_object_is_type(value, json_type_object)) {
		flow_problem(problems, "%s: must be an object", r.path);
		return false;
	}
	struct json_object *nodes = json_object_object_get(value, "nodes");
	struct json_object *edges = json_object_object_get(value, "edges");
	if (!nodes || !json_object_is_type(nodes, json_type_array))
		flow_problem(problems, "%s.nodes: must be an array", r.path);
	if (edges && !json_object_is_type(edges, json_type_array))
		flow_problem(problems, "%s.edges: must be an array", r.path);
	if (problems->count > before)
		return false;
	size_t node_count = json_object_array_length(nodes);
	size_t edge_count = edges ? json_object_array_length(edges) : 0;
	if (node_count > FLOW_MAX_NODES)
		flow_problem(problems, "%s.nodes: must have at most %d nodes", r.path, FLOW_MAX_NODES);
	if (edge_count > FLOW_MAX_EDGES)
		flow_problem(problems, "%s.edges: must have at most %d edges", r.path, FLOW_MAX_EDGES);
	if (problems->count > before)
		return false;

	out->node_count = node_count;
	out->nodes = arena_alloc(arena, (node_count + 1) * sizeof *out->nodes);
	bool *usable = arena_alloc(arena, (node_count + 1) * sizeof *usable);
	for (size_t i = 0; i < node_count; i++)
		usable[i] = read_node(&r, i, json_object_array_get_idx(nodes, i), &out->nodes[i]);

	out->edge_count = edge_count;
	out->edges = arena_alloc(arena, (edge_count + 1) * sizeof *out->edges);
	for (size_t e = 0; e < edge_count; e++) {
		read_edge(&r, out, e, json_object_array_get_idx(edges, e));
		struct flow_edge *edge = &out->edges[e];
		if (edge->source == NO_NODE || edge->target == NO_NODE)
			continue;
		struct flow_node *src = &out->nodes[edge->source];
		if (!src->next)
			src->next = arena_alloc(arena, (edge_count + 1) * sizeof *src->next);
		src->next[src->next_count++] = (struct flow_next){ edge->target, e, edge->handle };
		out->nodes[edge->target].incoming++;
	}
	check_graph(&r, out, usable);
	return problems->count == before;
}
