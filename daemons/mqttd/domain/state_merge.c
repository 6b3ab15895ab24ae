/*
 * state_merge.c — key-by-key state merge with transition detection (see state_merge.h).
 *
 * json-c reference counts: the state takes its own reference on every value it adopts
 * from the delta, and the undo list holds a reference on every value it displaced until
 * the size check has passed. Nothing here outlives the caller's arena except the state
 * object, which the caller owns. No I/O.
 */
#include "domain/state_merge.h"

#include <string.h>

#include "json_reader.h"

bool capability_is_boolean(struct json_object *capabilities, const char *key)
{
	const char *type = json_get_string(json_array_find(capabilities, "key", key), "type");
	return type && strcmp(type, "boolean") == 0;
}

size_t state_json_length(struct json_object *state)
{
	size_t len = 0;
	json_object_to_json_string_length(state, JSON_C_TO_STRING_PLAIN, &len);
	return len;
}

static bool is_number(struct json_object *v)
{
	return json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double);
}

/* JSON equality, except that numbers compare by value (5 and 5.0 are the same reading,
 * as jsonb considers them). */
static bool values_equal(struct json_object *a, struct json_object *b)
{
	if (a && b && is_number(a) && is_number(b)) {
		if (json_object_is_type(a, json_type_int) && json_object_is_type(b, json_type_int))
			return json_object_get_int64(a) == json_object_get_int64(b);
		return json_object_get_double(a) == json_object_get_double(b);
	}
	return json_object_equal(a, b) != 0;
}

/* What a key held before the merge, to put it back when the result is too large. */
struct undo {
	const char *key;
	bool present;
	struct json_object *old; /* a reference of our own (NULL for a JSON null) */
};

void state_merge(struct arena *arena, struct json_object *state, struct json_object *delta,
		 struct json_object *capabilities, size_t max_bytes, struct state_merge_result *out)
{
	memset(out, 0, sizeof *out);
	size_t n = (size_t)json_object_object_length(delta);
	if (n == 0)
		return;
	struct undo *undo = arena_alloc(arena, n * sizeof *undo);
	struct state_transition *transitions = arena_alloc(arena, n * sizeof *transitions);
	size_t nundo = 0, ntransitions = 0;
	bool changed = false;

	json_object_object_foreach(delta, key, value) {
		struct json_object *old = NULL;
		bool present = json_object_object_get_ex(state, key, &old);
		if (!present || !values_equal(old, value)) {
			changed = true;
			if (present && old && value && json_object_is_type(old, json_type_boolean) &&
			    json_object_is_type(value, json_type_boolean) && capability_is_boolean(capabilities, key)) {
				transitions[ntransitions].key = key;
				transitions[ntransitions].old_value = json_object_get_boolean(old);
				transitions[ntransitions].new_value = json_object_get_boolean(value);
				ntransitions++;
			}
		}
		undo[nundo].key = key;
		undo[nundo].present = present;
		undo[nundo].old = json_object_get(old);
		nundo++;
		json_object_object_add(state, key, json_object_get(value));
	}

	if (changed && state_json_length(state) > max_bytes) {
		/* Put every key back as it was, last change first. */
		for (size_t i = nundo; i-- > 0;) {
			if (undo[i].present)
				json_object_object_add(state, undo[i].key, undo[i].old); /* gives our reference back */
			else
				json_object_object_del(state, undo[i].key);
		}
		out->rejected = true;
		return;
	}
	for (size_t i = 0; i < nundo; i++)
		json_object_put(undo[i].old);
	out->changed = changed;
	out->ntransitions = ntransitions;
	out->transitions = transitions;
}
