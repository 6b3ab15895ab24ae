/*
 * flow_devices.c — checking an automation graph against the device type registry (see
 * flow_devices.h). Messages name the place as lib/flow does:
 * "flow.nodes[1].data.config.command: not a command of light".
 */
#include "flow_devices.h"

#include <string.h>

#include "api/shared/command_params.h"
#include "json_reader.h"

static const struct field any_members[] = { { 0 } };
const struct field flow_node_item = { "node", FIELD_OBJECT, .fields = any_members,
				      .description = "{id,type,data:{kind,config}}" };
const struct field flow_edge_item = { "edge", FIELD_OBJECT, .fields = any_members,
				      .description = "{id,source,target,sourceHandle?}" };

const char *flow_device_refs(struct arena *arena, const struct flow *flow)
{
	struct buf b;
	buf_init(&b, arena);
	buf_putc(&b, '{');
	for (size_t i = 0; i < flow->node_count; i++) {
		const char *ref = flow_node_device(&flow->nodes[i]);
		bool seen = false;
		for (size_t k = 0; ref && k < i; k++) {
			const char *other = flow_node_device(&flow->nodes[k]);
			seen = seen || (other && strcmp(other, ref) == 0);
		}
		if (!ref || seen)
			continue;
		if (b.len > 1)
			buf_putc(&b, ',');
		buf_puts(&b, ref); /* a UUID or "$<roleKey>": nothing to quote */
	}
	buf_putc(&b, '}');
	return b.data;
}

struct flow_target *flow_targets_read(struct request *req, const PGresult *res, size_t *count)
{
	*count = (size_t)PQntuples(res);
	struct flow_target *t = arena_alloc(req->arena, (*count + 1) * sizeof *t);
	for (size_t i = 0; i < *count; i++)
		t[i] = (struct flow_target){
			.ref = db_value(res, (int)i, FLOW_TARGET_COL_REF),
			.type = db_value(res, (int)i, FLOW_TARGET_COL_TYPE),
			.capabilities = db_value_json(req, res, (int)i, FLOW_TARGET_COL_CAPABILITIES),
			.commands = db_value_json(req, res, (int)i, FLOW_TARGET_COL_COMMANDS),
			.events = db_value_json(req, res, (int)i, FLOW_TARGET_COL_EVENTS),
		};
	return t;
}

struct checker {
	struct arena *arena;
	const struct flow_options *opts;
	struct flow_problems *problems;
};

static const char *place(struct checker *c, size_t node, const char *member)
{
	return flow_config_place(c->arena, c->opts, node, member);
}

/* A comparison's value against the capability: its kind, its range, and for a boolean
 * only eq/ne. */
static void check_value(struct checker *c, size_t i, const struct flow_node *n, struct json_object *cap,
			const char *type_id)
{
	struct json_object *v = n->cfg.state.value;
	if (!v)
		return;
	const char *kind = json_get_string(cap, "type");
	if (kind && strcmp(kind, "boolean") == 0) {
		if (!json_object_is_type(v, json_type_boolean))
			flow_problem(c->problems, "%s: must be a boolean (%s of %s)", place(c, i, "value"),
				     n->cfg.state.capability, type_id);
		else if (n->cfg.state.op != FLOW_OP_EQ && n->cfg.state.op != FLOW_OP_NE)
			flow_problem(c->problems, "%s: must be eq or ne for a boolean", place(c, i, "operator"));
		return;
	}
	struct field range = { .name = "value", .type = FIELD_NUMBER };
	range.min.set = json_get_number(cap, "min", &range.min.value);
	range.max.set = json_get_number(cap, "max", &range.max.value);
	bool number = json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double);
	if (!number || !schema_in_range(&range, json_object_get_double(v)))
		flow_problem(c->problems, "%s: must be %s (%s of %s)", place(c, i, "value"),
			     schema_expected_value(c->arena, &range, "a number"), n->cfg.state.capability, type_id);
}

/* A command's params against its declaration, as POST /api/devices/:id/command checks them. */
static void check_params(struct checker *c, size_t i, const struct flow_node *n, struct json_object *declared,
			 const struct flow_target *t)
{
	size_t count;
	const struct field *fields = command_params_fields(c->arena, declared, t->capabilities, &count);
	struct json_object *given = n->cfg.command.params;
	const char *error;
	if (!given)
		given = json_parse(c->arena, "{}", 2, 2, &error); /* no params: each declared one is missing */
	const char *problem = schema_validate_object(c->arena, given, fields, NULL, NULL);
	if (problem)
		flow_problem(c->problems, "%s.%s", place(c, i, "params"), problem);
}

/* The entry of the type's list (capabilities or commands) whose `key` is `value`, or NULL
 * after the problem "<field>: not a <field> of <type>". */
static struct json_object *type_entry(struct checker *c, size_t i, const struct flow_target *t,
				      struct json_object *list, const char *key, const char *value,
				      const char *field)
{
	struct json_object *entry = json_array_find(list, key, value);
	if (!entry)
		flow_problem(c->problems, "%s: not a %s of %s", place(c, i, field), field, t->type);
	return entry;
}

static void check_node(struct checker *c, size_t i, const struct flow_node *n, const struct flow_target *t)
{
	struct json_object *found;
	switch (n->kind) {
	case FLOW_DEVICE_EVENT_RECEIVED:
		if (n->cfg.event.event_action && !json_array_has_string(t->events, n->cfg.event.event_action))
			flow_problem(c->problems, "%s: not an event of %s", place(c, i, "eventAction"), t->type);
		break;
	case FLOW_DEVICE_STATE_CHANGED:
	case FLOW_STATE_COMPARE:
		if (n->cfg.state.capability &&
		    (found = type_entry(c, i, t, t->capabilities, "key", n->cfg.state.capability, "capability")))
			check_value(c, i, n, found, t->type);
		break;
	case FLOW_DEVICE_COMMAND:
		if (n->cfg.command.command &&
		    (found = type_entry(c, i, t, t->commands, "action", n->cfg.command.command, "command")))
			check_params(c, i, n, found, t);
		break;
	default:
		break;
	}
}

void flow_check_targets(struct arena *arena, const struct flow *flow, const struct flow_options *opts,
			const struct flow_target *targets, size_t count, const char *missing_what,
			struct flow_problems *problems)
{
	struct checker c = { arena, opts, problems };
	for (size_t i = 0; i < flow->node_count; i++) {
		const struct flow_node *n = &flow->nodes[i];
		const char *ref = flow_node_device(n);
		if (!ref)
			continue;
		const struct flow_target *t = NULL;
		for (size_t k = 0; k < count && !t; k++)
			if (strcmp(targets[k].ref, ref) == 0)
				t = &targets[k];
		if (!t)
			flow_problem(problems, "%s: %s %s", place(&c, i, "deviceId"), missing_what, ref);
		else
			check_node(&c, i, n, t);
	}
}

int flow_problems_reply(struct request *req, const struct flow_problems *problems)
{
	struct buf b;
	buf_init(&b, req->arena);
	for (size_t i = 0; i < problems->count; i++) {
		if (i)
			buf_puts(&b, "; ");
		buf_puts(&b, problems->items[i]);
	}
	return reply_error(req, 400, "%s", b.data);
}

const char *flow_size_check(const struct field_check_input *in, int *status)
{
	(void)status;
	const char *text = json_object_to_json_string_ext(in->value, JSON_C_TO_STRING_PLAIN);
	if (strlen(text) > FLOW_MAX_BYTES)
		return arena_printf(in->arena, "%s: must be at most %d bytes of JSON", in->path, FLOW_MAX_BYTES);
	return NULL;
}
