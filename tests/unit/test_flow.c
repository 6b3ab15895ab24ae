/*
 * test_flow.c — reading and checking automation graphs (lib/flow.c): typed configs,
 * successors with their handles, and every structural problem listed at once.
 */
#include <string.h>

#include "flow.h"
#include "json_reader.h"
#include "tap.h"

#define DEV1 "11111111-1111-4111-8111-111111111111"
#define DEV2 "22222222-2222-4222-8222-222222222222"

static struct arena *a;
static struct flow_problems problems;
static struct flow flow;

/* Reads text; returns the problems joined by " | " ("" when none). */
static const char *check_with(const char *text, const struct flow_options *opts)
{
	const char *error = NULL;
	struct json_object *v = json_parse(a, text, strlen(text), 32, &error);
	if (!v)
		return error;
	flow_problems_init(&problems, a);
	bool clean = flow_read(a, v, opts, &flow, &problems);
	struct buf b;
	buf_init(&b, a);
	for (size_t i = 0; i < problems.count; i++) {
		if (i)
			buf_puts(&b, " | ");
		buf_puts(&b, problems.items[i]);
	}
	if (clean != (problems.count == 0))
		return "flow_read's verdict disagrees with its problems";
	return b.data;
}

static const char *check(const char *text)
{
	return check_with(text, NULL);
}

/* A flow of one trigger "t" leading to one more node "n" whose type/kind/config are given. */
static const char *one_after_manual(const char *type, const char *kind, const char *config)
{
	return check(arena_printf(a,
		"{\"nodes\":[{\"id\":\"t\",\"type\":\"trigger\",\"data\":{\"kind\":\"manual\",\"config\":{}}},"
		"{\"id\":\"n\",\"type\":\"%s\",\"data\":{\"kind\":\"%s\",\"config\":%s}}],"
		"\"edges\":[{\"id\":\"e1\",\"source\":\"t\",\"target\":\"n\"}]}", type, kind, config));
}

/* A trigger of the given kind/config leading to a delay. */
static const char *trigger_then_delay(const char *kind, const char *config)
{
	return check(arena_printf(a,
		"{\"nodes\":[{\"id\":\"t\",\"type\":\"trigger\",\"data\":{\"kind\":\"%s\",\"config\":%s}},"
		"{\"id\":\"d\",\"type\":\"action\",\"data\":{\"kind\":\"delay\",\"config\":{\"seconds\":5}}}],"
		"\"edges\":[{\"id\":\"e1\",\"source\":\"t\",\"target\":\"d\"}]}", kind, config));
}

static void test_valid_flows(void)
{
	is_str(check("{\"nodes\":[{\"id\":\"t\",\"type\":\"trigger\",\"data\":{\"kind\":\"device_event_received\","
		     "\"config\":{\"deviceId\":\"" DEV1 "\",\"eventAction\":\"button_press\"}}},"
		     "{\"id\":\"a\",\"type\":\"action\",\"data\":{\"kind\":\"device_command\","
		     "\"config\":{\"deviceId\":\"" DEV2 "\",\"command\":\"toggle\"}}}],"
		     "\"edges\":[{\"id\":\"e1\",\"source\":\"t\",\"target\":\"a\"}]}"),
	       "", "the switch-light flow is clean");
	ok(flow.node_count == 2 && flow.nodes[0].kind == FLOW_DEVICE_EVENT_RECEIVED &&
	   strcmp(flow.nodes[0].cfg.event.event_action, "button_press") == 0, "the trigger's config is typed");
	ok(flow.nodes[0].next_count == 1 && flow.nodes[0].next[0].node == 1 &&
	   flow.nodes[0].next[0].handle == FLOW_HANDLE_NONE, "the trigger's successor is the action");
	ok(flow.nodes[1].kind == FLOW_DEVICE_COMMAND && strcmp(flow.nodes[1].cfg.command.command, "toggle") == 0 &&
	   strcmp(flow_node_device(&flow.nodes[1]), DEV2) == 0, "the command's device and action");

	/* a condition with both branches, a webhook, a delay */
	is_str(check("{\"nodes\":["
		     "{\"id\":\"t\",\"type\":\"trigger\",\"data\":{\"kind\":\"schedule\",\"config\":{\"cron\":\"*/5 * * * *\"}}},"
		     "{\"id\":\"c\",\"type\":\"condition\",\"data\":{\"kind\":\"state_compare\",\"config\":{\"deviceId\":\"" DEV1
		     "\",\"capability\":\"temperature\",\"operator\":\"gt\",\"value\":25.5}}},"
		     "{\"id\":\"w\",\"type\":\"action\",\"data\":{\"kind\":\"webhook\",\"config\":{\"url\":\"https://example.org/h\","
		     "\"method\":\"POST\",\"body\":{\"hot\":true},\"timeoutMs\":10000}}},"
		     "{\"id\":\"d\",\"type\":\"action\",\"data\":{\"kind\":\"delay\",\"config\":{\"seconds\":86400}}}],"
		     "\"edges\":[{\"id\":\"e1\",\"source\":\"t\",\"target\":\"c\"},"
		     "{\"id\":\"e2\",\"source\":\"c\",\"target\":\"w\",\"sourceHandle\":\"true\"},"
		     "{\"id\":\"e3\",\"source\":\"c\",\"target\":\"d\",\"sourceHandle\":\"false\"}]}"),
	       "", "a condition with both branches");
	ok(flow.nodes[1].cfg.state.op == FLOW_OP_GT && json_object_get_double(flow.nodes[1].cfg.state.value) == 25.5,
	   "the comparison's operator and value");
	ok(flow.nodes[1].next_count == 2 && flow.nodes[1].next[0].handle == FLOW_HANDLE_TRUE &&
	   flow.nodes[1].next[1].handle == FLOW_HANDLE_FALSE && flow.nodes[1].next[1].node == 3,
	   "the condition's successors carry their handles");
	ok(flow.nodes[2].cfg.webhook.method == FLOW_POST && strcmp(flow.nodes[2].cfg.webhook.body, "{\"hot\":true}") == 0 &&
	   flow.nodes[2].cfg.webhook.timeout_ms == 10000, "the webhook's method, body and timeout");
	ok(flow.nodes[3].cfg.delay.seconds == 86400, "a delay of a day is allowed");
	ok(strcmp(flow.nodes[0].cfg.schedule.cron, "*/5 * * * *") == 0, "the schedule's cron");

	is_str(one_after_manual("condition", "time_range", "{\"start\":\"22:00\",\"end\":\"06:30\"}"),
	       "flow.nodes[1]: a condition must lead to another node", "a condition leading nowhere");
	is_str(check("{\"nodes\":[{\"id\":\"t\",\"type\":\"trigger\",\"data\":{\"kind\":\"manual\"}},"
		     "{\"id\":\"c\",\"type\":\"condition\",\"data\":{\"kind\":\"time_range\",\"config\":{\"start\":\"22:00\",\"end\":\"06:30\"}}},"
		     "{\"id\":\"a\",\"type\":\"action\",\"data\":{\"kind\":\"webhook\",\"config\":{\"url\":\"http://10.0.0.2:8080/x\",\"method\":\"GET\"}}}],"
		     "\"edges\":[{\"id\":\"e1\",\"source\":\"t\",\"target\":\"c\"},{\"id\":\"e2\",\"source\":\"c\",\"target\":\"a\",\"sourceHandle\":\"true\"}]}"),
	       "", "a manual trigger without config, a time range that wraps midnight, one branch only");
	ok(flow.nodes[1].cfg.time_range.start_min == 22 * 60 && flow.nodes[1].cfg.time_range.end_min == 6 * 60 + 30,
	   "the time range in minutes");
	ok(flow.nodes[2].cfg.webhook.timeout_ms == FLOW_DEFAULT_WEBHOOK_TIMEOUT_MS && flow.nodes[2].cfg.webhook.body == NULL,
	   "a webhook's default timeout");

	is_str(trigger_then_delay("device_state_changed", "{\"deviceId\":\"" DEV1 "\",\"capability\":\"motion\"}"), "",
	       "a state change without an operator");
	ok(flow.nodes[0].cfg.state.op == FLOW_OP_NONE && flow.nodes[0].cfg.state.value == NULL, "fires on any change");
	is_str(trigger_then_delay("device_state_changed", "{\"deviceId\":\"" DEV1 "\",\"capability\":\"motion\",\"value\":true}"), "",
	       "a state change to a value");
	ok(flow.nodes[0].cfg.state.op == FLOW_OP_EQ, "a value alone compares for equality");
	is_str(trigger_then_delay("device_status_changed", "{\"deviceId\":\"" DEV1 "\",\"status\":\"offline\"}"), "",
	       "a status change");
	ok(strcmp(flow.nodes[0].cfg.status.status, "offline") == 0, "the status");
}

static void test_node_problems(void)
{
	is_str(one_after_manual("action", "delay", "{\"seconds\":86401}"),
	       "flow.nodes[1].data.config.seconds: must be at most 86400", "a delay over a day");
	is_str(one_after_manual("action", "delay", "{\"seconds\":0}"),
	       "flow.nodes[1].data.config.seconds: must be at least 1", "a delay of nothing");
	is_str(one_after_manual("action", "delay", "{\"seconds\":1.5}"),
	       "flow.nodes[1].data.config.seconds: must be a whole number", "a fractional delay");
	is_str(one_after_manual("action", "delay", "{}"),
	       "flow.nodes[1].data.config.seconds: is required", "a delay without seconds");
	is_str(one_after_manual("action", "webhook", "{\"url\":\"ftp://x/y\",\"method\":\"GET\"}"),
	       "flow.nodes[1].data.config.url: must be an http or https URL", "a webhook to ftp");
	is_str(one_after_manual("action", "webhook", "{\"url\":\"https://\",\"method\":\"GET\"}"),
	       "flow.nodes[1].data.config.url: must name a host", "a webhook URL without a host");
	is_str(one_after_manual("action", "webhook", "{\"url\":\"http://h/\",\"method\":\"PUT\",\"timeoutMs\":20000}"),
	       "flow.nodes[1].data.config.method: must be one of GET, POST | "
	       "flow.nodes[1].data.config.timeoutMs: must be at most 10000", "a webhook's method and timeout");
	is_str(one_after_manual("action", "webhook", "{\"url\":\"http://h/\",\"method\":\"GET\",\"body\":\"x\"}"),
	       "flow.nodes[1].data.config.body: only a POST carries a body", "a GET with a body");
	is_str(one_after_manual("action", "device_command", "{\"deviceId\":\"lamp\",\"params\":[]}"),
	       "flow.nodes[1].data.config.deviceId: must be a UUID | flow.nodes[1].data.config.command: is required | "
	       "flow.nodes[1].data.config.params: must be an object", "a command's device, action and params");
	is_str(one_after_manual("condition", "time_range", "{\"start\":\"24:00\",\"end\":\"7:00\"}"),
	       "flow.nodes[1].data.config.start: must be a time HH:MM | flow.nodes[1].data.config.end: must be a time HH:MM | "
	       "flow.nodes[1]: a condition must lead to another node", "bad times");
	is_str(one_after_manual("condition", "state_compare",
				"{\"deviceId\":\"" DEV1 "\",\"capability\":\"on\",\"operator\":\"gte\",\"value\":true}"),
	       "flow.nodes[1].data.config.value: must be a number for gte | flow.nodes[1]: a condition must lead to another node",
	       "ordering a boolean");
	is_str(one_after_manual("condition", "state_compare", "{\"deviceId\":\"" DEV1 "\",\"capability\":\"on\",\"operator\":\"like\"}"),
	       "flow.nodes[1].data.config.operator: must be one of eq, ne, gt, gte, lt, lte | "
	       "flow.nodes[1]: a condition must lead to another node", "an unknown operator");
	is_str(one_after_manual("action", "teleport", "{}"),
	       "flow.nodes[1].data.kind: must be one of device_command, delay, webhook", "an unknown action kind");
	is_str(one_after_manual("action", "manual", "{}"),
	       "flow.nodes[1].data.kind: must be one of device_command, delay, webhook", "a trigger kind on an action");
	is_str(one_after_manual("gadget", "delay", "{}"),
	       "flow.nodes[1].type: must be one of trigger, condition, action", "an unknown node type");
	is_str(one_after_manual("action", "delay", "[]"),
	       "flow.nodes[1].data.config: must be an object", "a config that is no object");
	is_str(trigger_then_delay("schedule", "{\"cron\":\"* * *\"}"),
	       "flow.nodes[0].data.config.cron: expected 5 fields (minute hour day-of-month month day-of-week), got 3",
	       "a cron of three fields (lib/cron_expr's words)");
	is_str(trigger_then_delay("schedule", "{\"cron\":\"0 24 * * *\"}"),
	       "flow.nodes[0].data.config.cron: hour: 24 is out of range 0-23", "an hour out of range");
	is_str(trigger_then_delay("schedule", "{\"cron\":\"@daily\"}"), "", "a shortcut");
	is_str(trigger_then_delay("schedule", "{\"cron\":\"30 6 * * mon-fri\"}"), "", "weekdays by name");
	is_str(trigger_then_delay("device_status_changed", "{\"deviceId\":\"" DEV1 "\",\"status\":\"asleep\"}"),
	       "flow.nodes[0].data.config.status: must be one of online, offline", "an unknown status");
	is_str(trigger_then_delay("device_event_received", "{\"deviceId\":\"" DEV1 "\",\"eventAction\":\"\"}"),
	       "flow.nodes[0].data.config.eventAction: must not be empty", "an empty event action");
	is_str(trigger_then_delay("device_state_changed", "{\"deviceId\":\"" DEV1 "\",\"capability\":\"x\",\"operator\":\"eq\"}"),
	       "flow.nodes[0].data.config.value: is required", "an operator without a value");
}

static void test_graph_problems(void)
{
	is_str(check("{\"nodes\":[],\"edges\":[]}"), "flow.nodes: must contain a trigger", "an empty flow");
	is_str(check("{\"edges\":{}}"), "flow.nodes: must be an array | flow.edges: must be an array", "no arrays");
	is_str(check("[]"), "flow: must be an object", "not an object");
	is_str(check("{\"nodes\":[{\"id\":\"t\",\"type\":\"trigger\",\"data\":{\"kind\":\"manual\"}},"
		     "{\"id\":\"d\",\"type\":\"action\",\"data\":{\"kind\":\"delay\",\"config\":{\"seconds\":1}}}],"
		     "\"edges\":[{\"id\":\"e1\",\"source\":\"t\",\"target\":\"x\"}]}"),
	       "flow.edges[0].target: no node has id \"x\" | flow.nodes[0]: a trigger must lead to another node | "
	       "flow.nodes[1]: is not reachable from a trigger", "a dangling edge");
	is_str(check("{\"nodes\":[{\"id\":\"t\",\"type\":\"trigger\",\"data\":{\"kind\":\"manual\"}},"
		     "{\"id\":\"a\",\"type\":\"action\",\"data\":{\"kind\":\"delay\",\"config\":{\"seconds\":1}}},"
		     "{\"id\":\"b\",\"type\":\"action\",\"data\":{\"kind\":\"delay\",\"config\":{\"seconds\":1}}}],"
		     "\"edges\":[{\"id\":\"e1\",\"source\":\"t\",\"target\":\"a\"},{\"id\":\"e2\",\"source\":\"a\",\"target\":\"b\"},"
		     "{\"id\":\"e3\",\"source\":\"b\",\"target\":\"a\"}]}"),
	       "flow.edges[2]: closes a cycle (b → a)", "a cycle");
	is_str(check("{\"nodes\":[{\"id\":\"t\",\"type\":\"trigger\",\"data\":{\"kind\":\"manual\"}},"
		     "{\"id\":\"a\",\"type\":\"action\",\"data\":{\"kind\":\"delay\",\"config\":{\"seconds\":1}}}],"
		     "\"edges\":[{\"id\":\"e1\",\"source\":\"t\",\"target\":\"a\"},{\"id\":\"e2\",\"source\":\"a\",\"target\":\"a\"}]}"),
	       "flow.edges[1]: closes a cycle (a → a)", "a node leading to itself");
	is_str(check("{\"nodes\":[{\"id\":\"t\",\"type\":\"trigger\",\"data\":{\"kind\":\"manual\"}},"
		     "{\"id\":\"c\",\"type\":\"condition\",\"data\":{\"kind\":\"time_range\",\"config\":{\"start\":\"08:00\",\"end\":\"09:00\"}}},"
		     "{\"id\":\"a\",\"type\":\"action\",\"data\":{\"kind\":\"delay\",\"config\":{\"seconds\":1}}}],"
		     "\"edges\":[{\"id\":\"e1\",\"source\":\"t\",\"target\":\"c\",\"sourceHandle\":\"true\"},"
		     "{\"id\":\"e2\",\"source\":\"c\",\"target\":\"a\"},{\"id\":\"e2\",\"source\":\"c\",\"target\":\"a\",\"sourceHandle\":\"maybe\"}]}"),
	       "flow.edges[0].sourceHandle: only an edge leaving a condition has one | "
	       "flow.edges[1].sourceHandle: is required on an edge leaving a condition | "
	       "flow.edges[2].id: \"e2\" is also edges[1] | flow.edges[2].sourceHandle: must be \"true\" or \"false\"",
	       "handles where they belong");
	is_str(check("{\"nodes\":[{\"id\":\"t\",\"type\":\"trigger\",\"data\":{\"kind\":\"manual\"}},"
		     "{\"id\":\"t\",\"type\":\"trigger\",\"data\":{\"kind\":\"manual\"}},"
		     "{\"id\":\"a\",\"type\":\"action\",\"data\":{\"kind\":\"delay\",\"config\":{\"seconds\":1}}}],"
		     "\"edges\":[{\"id\":\"e1\",\"source\":\"t\",\"target\":\"a\"},{\"id\":\"e2\",\"source\":\"a\",\"target\":\"t\"}]}"),
	       "flow.nodes[0]: a trigger cannot follow another node | flow.nodes[1].id: \"t\" is also nodes[0] | "
	       "flow.nodes[1]: a trigger must lead to another node | flow.edges[1]: closes a cycle (a → t)",
	       "a duplicate node id, a trigger after an action");
	is_str(check("{\"nodes\":[{\"id\":\"a\",\"type\":\"action\",\"data\":{\"kind\":\"delay\",\"config\":{\"seconds\":1}}}]}"),
	       "flow.nodes: must contain a trigger", "no trigger");
	is_str(check("{\"nodes\":[7,{\"type\":\"trigger\"}]}"),
	       "flow.nodes[0]: must be an object | flow.nodes[1].id: must be a non-empty string | flow.nodes: must contain a trigger",
	       "nodes that are not nodes");

	/* Several problems of different nodes at once, in node order. */
	is_str(check("{\"nodes\":[{\"id\":\"t\",\"type\":\"trigger\",\"data\":{\"kind\":\"schedule\",\"config\":{\"cron\":\"x\"}}},"
		     "{\"id\":\"d\",\"type\":\"action\",\"data\":{\"kind\":\"delay\",\"config\":{\"seconds\":100000}}},"
		     "{\"id\":\"w\",\"type\":\"action\",\"data\":{\"kind\":\"webhook\",\"config\":{\"url\":\"file:///etc/passwd\",\"method\":\"GET\"}}}],"
		     "\"edges\":[{\"id\":\"e1\",\"source\":\"t\",\"target\":\"d\"},{\"id\":\"e2\",\"source\":\"d\",\"target\":\"w\"},"
		     "{\"id\":\"e3\",\"source\":\"w\",\"target\":\"nowhere\"}]}"),
	       "flow.nodes[0].data.config.cron: expected 5 fields (minute hour day-of-month month day-of-week), got 1 | "
	       "flow.nodes[1].data.config.seconds: must be at most 86400 | "
	       "flow.nodes[2].data.config.url: must be an http or https URL | "
	       "flow.edges[2].target: no node has id \"nowhere\"", "every problem at once");

	/* Size limits. */
	struct buf b;
	buf_init(&b, a);
	buf_puts(&b, "{\"nodes\":[");
	for (int i = 0; i <= FLOW_MAX_NODES; i++)
		buf_printf(&b, "%s{\"id\":\"n%d\",\"type\":\"trigger\",\"data\":{\"kind\":\"manual\"}}", i ? "," : "", i);
	buf_puts(&b, "]}");
	is_str(check(b.data), "flow.nodes: must have at most 100 nodes", "too many nodes");
}

static void test_placeholders(void)
{
	const char *roles[] = { "trigger", "target" };
	struct flow_options opts = { .path = "automationTemplates[0]", .placeholders = true, .roles = roles, .role_count = 2 };
#define TEMPLATE(role) "{\"nodes\":[{\"id\":\"trigger\",\"type\":\"trigger\",\"data\":{\"kind\":\"device_event_received\"," \
			  "\"config\":{\"deviceId\":\"$trigger\",\"eventAction\":\"button_press\"}}}," \
			  "{\"id\":\"toggle\",\"type\":\"action\",\"data\":{\"kind\":\"device_command\"," \
			  "\"config\":{\"deviceId\":\"$" role "\",\"command\":\"toggle\"}}}]," \
			  "\"edges\":[{\"id\":\"e1\",\"source\":\"trigger\",\"target\":\"toggle\"}]}"
	is_str(check_with(TEMPLATE("target"), &opts), "", "the built-in template with its roles");
	is_str(check_with(TEMPLATE("lamp"), &opts),
	       "automationTemplates[0].nodes[1].data.config.deviceId: $lamp names no role of the preset",
	       "a placeholder naming no role");
	is_str(check(TEMPLATE("target")),
	       "flow.nodes[0].data.config.deviceId: must be a UUID | flow.nodes[1].data.config.deviceId: must be a UUID",
	       "placeholders are not device ids in an automation");
	is_str(flow_config_place(a, &opts, 3, "command"), "automationTemplates[0].nodes[3].data.config.command",
	       "the place of a config member");
}

int main(void)
{
	a = arena_new();
	ok(flow_parse_hhmm("00:00") == 0 && flow_parse_hhmm("23:59") == 1439 && flow_parse_hhmm("12:60") < 0 &&
	   flow_parse_hhmm("1:00") < 0 && flow_parse_hhmm("") < 0, "HH:MM");
	test_valid_flows();
	test_node_problems();
	test_graph_problems();
	test_placeholders();
	arena_destroy(a);
	return done();
}
