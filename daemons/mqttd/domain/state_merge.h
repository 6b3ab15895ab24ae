/*
 * state_merge.h — merging a partial state report into a device's stored state (SPEC §5).
 *
 * A state report is partial: each of its keys replaces the stored value of that key,
 * other keys keep theirs (a JSON null is stored as null, not removed). A key the device
 * type declares as a boolean capability whose stored and reported values are both
 * booleans and differ is a transition (a state_transition event). Pure: no I/O.
 */
#ifndef MQTTD_DOMAIN_STATE_MERGE_H
#define MQTTD_DOMAIN_STATE_MERGE_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>

#include "arena.h"

struct state_transition {
	const char *key; /* lives as long as the delta it came from */
	bool old_value;
	bool new_value;
};

struct state_merge_result {
	bool changed;    /* some stored value differs now */
	bool rejected;   /* the merged state would exceed max_bytes: nothing was changed */
	size_t ntransitions;
	struct state_transition *transitions; /* in the arena, in the delta's key order */
};

/* True when capabilities (a device type's array) declares key with type "boolean". */
bool capability_is_boolean(struct json_object *capabilities, const char *key);

/* Compact JSON length of a state object. */
size_t state_json_length(struct json_object *state);

/*
 * Merges delta into state (both objects; state is modified in place). When the merged
 * state's compact JSON would be longer than max_bytes, state is restored exactly and
 * the result is rejected. capabilities may be NULL (no boolean capabilities).
 */
void state_merge(struct arena *arena, struct json_object *state, struct json_object *delta,
		 struct json_object *capabilities, size_t max_bytes, struct state_merge_result *out);

#endif
