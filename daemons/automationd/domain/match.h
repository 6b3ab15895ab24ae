/*
 * match.h — what automationd decides from a device's news and a device's state: which
 * triggers a station_events message fires, a state comparison, a time range.
 *
 * Pure (ARCHITECTURE.md rule 7): values come in as json-c objects and numbers; the
 * notification text is parsed into the caller's arena. The rules (docs/automations.md):
 *  - device_event_received fires on device.eventReceived of its device whose
 *    data.action is its eventAction (any action when it names none);
 *  - device_status_changed fires on device.statusChanged of its device to its status
 *    (any status when it names none);
 *  - device_state_changed is edge-triggered on its capability: without an operator it
 *    fires when the value differs from the last one seen; with one, when the comparison
 *    becomes true (it was false, or the value was unknown, before);
 *  - comparisons: eq/ne between values of the same JSON kind (a number, a boolean, a
 *    string; eq is false and ne true across kinds), gt/gte/lt/lte between numbers only
 *    (false otherwise); a missing value compares false, ne included;
 *  - a time range is [start, end) in minutes after midnight, wrapping midnight when
 *    start > end.
 */
#ifndef AUTOMATIOND_MATCH_H
#define AUTOMATIOND_MATCH_H

#include <json-c/json.h>
#include <stdbool.h>

#include "arena.h"
#include "flow.h"

enum notice_kind { NOTICE_OTHER = 0, NOTICE_EVENT, NOTICE_STATE, NOTICE_STATUS };

/* A device's news, read from a station_events (or automation_events) payload. */
struct device_notice {
	enum notice_kind kind;
	const char *type;        /* "device.eventReceived", … */
	const char *device_id;
	const char *action;      /* eventReceived: data.data.action */
	const char *status;      /* statusChanged: data.status */
	struct json_object *state;  /* stateChanged: data.state (NULL when truncated) */
	struct json_object *data;   /* the message's data object, for the trigger step's output */
};

/* False when the payload is not a JSON object with a type and a data object. */
bool notice_read(struct arena *arena, const char *payload, struct device_notice *out);

/* Whether an event or status trigger fires on n (state triggers: match_state_fires). */
bool match_trigger(const struct flow_node *trigger, const struct device_notice *n);

bool match_compare(enum flow_operator op, struct json_object *actual, struct json_object *expected);

/* Whether a device_state_changed trigger fires as its value goes from prev (NULL:
 * unknown) to cur (NULL: the capability is absent, which never fires). */
bool match_state_fires(enum flow_operator op, struct json_object *expected, struct json_object *prev,
		       struct json_object *cur);

bool match_time_range(int start_min, int end_min, int minute_of_day);

#endif
