/*
 * test_automationd_domain.c — automationd's pure rules: which nodes of a run start next
 * (branches of conditions, failures ending a branch, joins running once), when a run is
 * over and how it ends, manual entries, trigger matching, comparisons, state edges and
 * time ranges that wrap midnight.
 */
#include <string.h>

#include "domain/match.h"
#include "domain/runner.h"
#include "flow.h"
#include "json_reader.h"
#include "tap.h"

#define DEV "11111111-1111-4111-8111-111111111111"

static struct arena *a;

static struct json_object *json(const char *text)
{
	const char *error = NULL;
	return json_parse(a, text, strlen(text), 32, &error);
}

static struct flow read_flow(const char *text)
{
	struct flow f;
	struct flow_problems problems;
	flow_problems_init(&problems, a);
	if (!flow_read(a, json(text), NULL, &f, &problems))
		printf("# flow refused: %s\n", problems.count ? problems.items[0] : "?");
	return f;
}

/* t(manual) → c(time_range) —true→ x(delay), —false→ y(delay); x → z(delay); y → z. */
static const char *branching =
	"{\"nodes\":["
	"{\"id\":\"t\",\"type\":\"trigger\",\"data\":{\"kind\":\"manual\",\"config\":{}}},"
	"{\"id\":\"c\",\"type\":\"condition\",\"data\":{\"kind\":\"time_range\",\"config\":{\"start\":\"08:00\",\"end\":\"20:00\"}}},"
	"{\"id\":\"x\",\"type\":\"action\",\"data\":{\"kind\":\"delay\",\"config\":{\"seconds\":1}}},"
	"{\"id\":\"y\",\"type\":\"action\",\"data\":{\"kind\":\"delay\",\"config\":{\"seconds\":1}}},"
	"{\"id\":\"z\",\"type\":\"action\",\"data\":{\"kind\":\"delay\",\"config\":{\"seconds\":1}}}],"
	"\"edges\":[{\"id\":\"e1\",\"source\":\"t\",\"target\":\"c\"},"
	"{\"id\":\"e2\",\"source\":\"c\",\"target\":\"x\",\"sourceHandle\":\"true\"},"
	"{\"id\":\"e3\",\"source\":\"c\",\"target\":\"y\",\"sourceHandle\":\"false\"},"
	"{\"id\":\"e4\",\"source\":\"x\",\"target\":\"z\"},{\"id\":\"e5\",\"source\":\"y\",\"target\":\"z\"}]}";

static void runner_tests(void)
{
	struct flow f = read_flow(branching);
	enum { T, C, X, Y, Z };
	enum step_state s[5] = { 0 };
	bool taken[5] = { 0 };
	size_t ready[8];
	ok(runner_ready(&f, s, taken, ready, 8) == 0, "nothing starts before the trigger");
	ok(runner_outcome(&f, s, taken) == RUN_SUCCEEDED, "a run with nothing to do is over");
	s[T] = STEP_SUCCESS;
	ok(runner_ready(&f, s, taken, ready, 8) == 1 && ready[0] == C, "the trigger leads to the condition");
	ok(runner_outcome(&f, s, taken) == RUN_GOING, "going while a node may start");
	s[C] = STEP_SUCCESS;
	taken[C] = true;
	ok(runner_ready(&f, s, taken, ready, 8) == 1 && ready[0] == X, "a true condition takes the true branch only");
	taken[C] = false;
	ok(runner_ready(&f, s, taken, ready, 8) == 1 && ready[0] == Y, "a false condition takes the false branch only");
	s[Y] = STEP_WAITING;
	ok(runner_ready(&f, s, taken, ready, 8) == 0, "a waiting delay holds its successors");
	ok(runner_outcome(&f, s, taken) == RUN_GOING, "going while a delay waits");
	s[Y] = STEP_SUCCESS;
	ok(runner_ready(&f, s, taken, ready, 8) == 1 && ready[0] == Z, "the join starts after its first way in");
	s[Z] = STEP_RUNNING;
	ok(runner_ready(&f, s, taken, ready, 8) == 0, "a node with a step never starts again");
	ok(runner_outcome(&f, s, taken) == RUN_GOING, "going while a step runs");
	s[Z] = STEP_SUCCESS;
	ok(runner_outcome(&f, s, taken) == RUN_SUCCEEDED, "every step done: success (x never reached)");
	s[Z] = STEP_NONE;
	s[Y] = STEP_FAILED;
	ok(runner_ready(&f, s, taken, ready, 8) == 0, "a failed step ends its branch");
	ok(runner_outcome(&f, s, taken) == RUN_FAILED, "a failed step fails the run");

	size_t entries[4];
	ok(runner_manual_entries(&f, entries, 4) == 1 && entries[0] == T, "a manual run starts at its manual trigger");
	struct flow g = read_flow(
		"{\"nodes\":[{\"id\":\"a\",\"type\":\"trigger\",\"data\":{\"kind\":\"schedule\",\"config\":{\"cron\":\"0 7 * * *\"}}},"
		"{\"id\":\"b\",\"type\":\"trigger\",\"data\":{\"kind\":\"device_status_changed\",\"config\":{\"deviceId\":\"" DEV "\",\"status\":\"online\"}}},"
		"{\"id\":\"d\",\"type\":\"action\",\"data\":{\"kind\":\"delay\",\"config\":{\"seconds\":1}}}],"
		"\"edges\":[{\"id\":\"e1\",\"source\":\"a\",\"target\":\"d\"},{\"id\":\"e2\",\"source\":\"b\",\"target\":\"d\"}]}");
	ok(runner_manual_entries(&g, entries, 4) == 2 && entries[0] == 0 && entries[1] == 1,
	   "without a manual trigger, every trigger");
	ok(runner_node_index(&g, "d") == 2 && runner_node_index(&g, "nope") == (size_t)-1, "nodes by id");

	enum step_state parsed;
	ok(step_state_parse("waiting", &parsed) && parsed == STEP_WAITING, "status text read");
	ok(!step_state_parse("none", &parsed) && !step_state_parse("bogus", &parsed), "no other status text");
	ok(strcmp(step_state_name(STEP_SKIPPED), "skipped") == 0, "status text written");
}

static void match_tests(void)
{
	struct device_notice n;
	ok(notice_read(a,
		       "{\"type\":\"device.eventReceived\",\"data\":{\"deviceId\":\"" DEV "\",\"deviceName\":\"S\","
		       "\"deviceType\":\"switch-pir\",\"event\":\"user_event\",\"data\":{\"action\":\"button_press\"}},\"ts\":\"x\"}",
		       &n) &&
		   n.kind == NOTICE_EVENT && strcmp(n.action, "button_press") == 0 && strcmp(n.device_id, DEV) == 0,
	   "an event's action and device");
	struct flow f = read_flow(
		"{\"nodes\":[{\"id\":\"t\",\"type\":\"trigger\",\"data\":{\"kind\":\"device_event_received\","
		"\"config\":{\"deviceId\":\"" DEV "\",\"eventAction\":\"button_press\"}}},"
		"{\"id\":\"s\",\"type\":\"trigger\",\"data\":{\"kind\":\"device_status_changed\",\"config\":{\"deviceId\":\"" DEV "\",\"status\":\"offline\"}}},"
		"{\"id\":\"d\",\"type\":\"action\",\"data\":{\"kind\":\"delay\",\"config\":{\"seconds\":1}}}],"
		"\"edges\":[{\"id\":\"e1\",\"source\":\"t\",\"target\":\"d\"},{\"id\":\"e2\",\"source\":\"s\",\"target\":\"d\"}]}");
	ok(match_trigger(&f.nodes[0], &n), "the event fires its trigger");
	ok(!match_trigger(&f.nodes[1], &n), "not a status trigger");
	n.action = "motion_detected";
	ok(!match_trigger(&f.nodes[0], &n), "another action does not fire");
	n.action = "button_press";
	n.device_id = "22222222-2222-4222-8222-222222222222";
	ok(!match_trigger(&f.nodes[0], &n), "another device does not fire");
	ok(notice_read(a, "{\"type\":\"device.statusChanged\",\"data\":{\"deviceId\":\"" DEV "\",\"status\":\"offline\"}}", &n) &&
		   n.kind == NOTICE_STATUS && match_trigger(&f.nodes[1], &n),
	   "a status change fires its trigger");
	n.status = "online";
	ok(!match_trigger(&f.nodes[1], &n), "another status does not");
	ok(notice_read(a, "{\"type\":\"automation.runCompleted\",\"data\":{}}", &n) && n.kind == NOTICE_OTHER,
	   "other messages are read, and ignored");
	ok(!notice_read(a, "{\"data\":{}}", &n) && !notice_read(a, "nope", &n), "no type, or no JSON: refused");

	ok(match_compare(FLOW_OP_EQ, json("21.5"), json("21.5")), "eq numbers");
	ok(match_compare(FLOW_OP_EQ, json("2"), json("2.0")), "eq int and double");
	ok(match_compare(FLOW_OP_GT, json("22"), json("21.5")) && !match_compare(FLOW_OP_GT, json("21"), json("21.5")), "gt");
	ok(match_compare(FLOW_OP_GTE, json("21.5"), json("21.5")) && match_compare(FLOW_OP_LTE, json("21.5"), json("21.5")),
	   "gte, lte");
	ok(match_compare(FLOW_OP_LT, json("3"), json("4")), "lt");
	ok(match_compare(FLOW_OP_EQ, json("true"), json("true")) && !match_compare(FLOW_OP_EQ, json("true"), json("false")),
	   "eq booleans");
	ok(match_compare(FLOW_OP_NE, json("true"), json("false")), "ne booleans");
	ok(!match_compare(FLOW_OP_EQ, json("\"1\""), json("1")) && match_compare(FLOW_OP_NE, json("\"1\""), json("1")),
	   "across kinds: never equal");
	ok(!match_compare(FLOW_OP_GT, json("\"b\""), json("\"a\"")), "gt between strings: false");
	ok(!match_compare(FLOW_OP_NE, NULL, json("1")) && !match_compare(FLOW_OP_EQ, json("null"), json("1")),
	   "a missing value compares false, ne included");

	ok(match_state_fires(FLOW_OP_NONE, NULL, json("false"), json("true")), "no operator: a change fires");
	ok(!match_state_fires(FLOW_OP_NONE, NULL, json("true"), json("true")), "no operator: the same value does not");
	ok(match_state_fires(FLOW_OP_NONE, NULL, NULL, json("1")), "no operator: a first value fires");
	ok(!match_state_fires(FLOW_OP_NONE, NULL, json("1"), NULL), "an absent capability never fires");
	ok(match_state_fires(FLOW_OP_GT, json("25"), json("24"), json("26")), "gt: becoming true fires");
	ok(!match_state_fires(FLOW_OP_GT, json("25"), json("26"), json("27")), "gt: staying true does not");
	ok(!match_state_fires(FLOW_OP_GT, json("25"), json("26"), json("20")), "gt: becoming false does not");
	ok(match_state_fires(FLOW_OP_EQ, json("true"), NULL, json("true")), "eq: true from unknown fires");

	ok(match_time_range(8 * 60, 20 * 60, 8 * 60), "start is inside");
	ok(!match_time_range(8 * 60, 20 * 60, 20 * 60), "end is outside");
	ok(!match_time_range(8 * 60, 20 * 60, 7 * 60 + 59), "before start is outside");
	ok(match_time_range(22 * 60, 6 * 60, 23 * 60) && match_time_range(22 * 60, 6 * 60, 0) &&
		   match_time_range(22 * 60, 6 * 60, 5 * 60 + 59),
	   "a range wrapping midnight holds the night");
	ok(!match_time_range(22 * 60, 6 * 60, 6 * 60) && !match_time_range(22 * 60, 6 * 60, 12 * 60),
	   "and not the day");
}

int main(void)
{
	a = arena_new();
	runner_tests();
	match_tests();
	arena_destroy(a);
	return done();
}
