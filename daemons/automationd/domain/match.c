/*
 * match.c — triggers, comparisons and time ranges (see match.h for the rules).
 * Pure: no I/O, no clock.
 */
#include "domain/match.h"

#include <string.h>

#include "json_reader.h"

/* Deep enough for any message the station writes (its data is at most a few levels). */
#define NOTICE_MAX_DEPTH 16

bool notice_read(struct arena *arena, const char *payload, struct device_notice *out)
{
	memset(out, 0, sizeof *out);
	const char *error = NULL;
	struct json_object *root = payload ? json_parse(arena, payload, strlen(payload), NOTICE_MAX_DEPTH, &error) : NULL;
	out->type = json_get_string(root, "type");
	out->data = json_get_object(root, "data");
	if (!out->type || !out->data)
		return false;
	out->device_id = json_get_string(out->data, "deviceId");
	if (strcmp(out->type, "device.eventReceived") == 0) {
		out->kind = NOTICE_EVENT;
		out->action = json_get_string(json_get_object(out->data, "data"), "action");
	} else if (strcmp(out->type, "device.stateChanged") == 0) {
		out->kind = NOTICE_STATE;
		out->state = json_get_object(out->data, "state");
	} else if (strcmp(out->type, "device.statusChanged") == 0) {
		out->kind = NOTICE_STATUS;
		out->status = json_get_string(out->data, "status");
	}
	return true;
}

static bool same_text(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

bool match_trigger(const struct flow_node *t, const struct device_notice *n)
{
	switch (t->kind) {
	case FLOW_DEVICE_EVENT_RECEIVED:
		return n->kind == NOTICE_EVENT && same_text(n->device_id, t->cfg.event.device_id) &&
		       (!t->cfg.event.event_action || same_text(n->action, t->cfg.event.event_action));
	case FLOW_DEVICE_STATUS_CHANGED:
		return n->kind == NOTICE_STATUS && same_text(n->device_id, t->cfg.status.device_id) &&
		       (!t->cfg.status.status || same_text(n->status, t->cfg.status.status));
	default:
		return false;
	}
}

static bool is_number(struct json_object *v)
{
	return v && (json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double));
}

/* -1, 0, 1 for the same kind of value; 2 when they cannot be compared. */
static int order(struct json_object *a, struct json_object *b)
{
	if (is_number(a) && is_number(b)) {
		double x = json_object_get_double(a), y = json_object_get_double(b);
		return x < y ? -1 : x > y ? 1 : 0;
	}
	if (!a || !b || json_object_get_type(a) != json_object_get_type(b))
		return 2;
	if (json_object_is_type(a, json_type_boolean))
		return json_object_get_boolean(a) == json_object_get_boolean(b) ? 0 : 2;
	if (json_object_is_type(a, json_type_string))
		return strcmp(json_object_get_string(a), json_object_get_string(b)) == 0 ? 0 : 2;
	return 2;
}

bool match_compare(enum flow_operator op, struct json_object *actual, struct json_object *expected)
{
	if (!actual || json_object_is_type(actual, json_type_null))
		return false;
	int o = order(actual, expected);
	bool numbers = is_number(actual) && is_number(expected);
	switch (op) {
	case FLOW_OP_EQ: return o == 0;
	case FLOW_OP_NE: return o != 0;
	case FLOW_OP_GT: return numbers && o > 0;
	case FLOW_OP_GTE: return numbers && o >= 0;
	case FLOW_OP_LT: return numbers && o < 0;
	case FLOW_OP_LTE: return numbers && o <= 0;
	default: return false;
	}
}

bool match_state_fires(enum flow_operator op, struct json_object *expected, struct json_object *prev,
		       struct json_object *cur)
{
	if (!cur || json_object_is_type(cur, json_type_null))
		return false;
	if (op == FLOW_OP_NONE)
		return !prev || !json_object_equal(prev, cur);
	return match_compare(op, cur, expected) && !(prev && match_compare(op, prev, expected));
}

bool match_time_range(int start_min, int end_min, int minute_of_day)
{
	if (start_min <= end_min)
		return minute_of_day >= start_min && minute_of_day < end_min;
	return minute_of_day >= start_min || minute_of_day < end_min;
}
