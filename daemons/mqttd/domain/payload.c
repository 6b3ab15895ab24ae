/*
 * payload.c — strict parsing of device payloads (see payload.h).
 *
 * Reasons are fixed strings or arena strings naming a field; they never quote the
 * payload. This file does no I/O and keeps no state between calls.
 */
#include "domain/payload.h"

#include <math.h>
#include <string.h>

#include "json_reader.h"

/* Parses data as one JSON object; NULL with *reason on failure. */
static struct json_object *parse_object(struct arena *arena, const char *data, size_t len, int max_depth,
					const char **reason)
{
	const char *error = NULL;
	struct json_object *root = json_parse(arena, data, len, max_depth, &error);
	if (!root) {
		*reason = error ? error : "invalid JSON";
		return NULL;
	}
	if (!json_object_is_type(root, json_type_object)) {
		*reason = "not a JSON object";
		return NULL;
	}
	return root;
}

/* True when the string value holds no U+0000 (json-c keeps its real length). */
static bool string_without_nul(struct json_object *s)
{
	const char *text = json_object_get_string(s);
	return strlen(text) == (size_t)json_object_get_string_len(s);
}

const char *payload_check_storable(struct arena *arena, struct json_object *value, const char *field)
{
	switch (json_object_get_type(value)) {
	case json_type_string:
		return string_without_nul(value) ? NULL : arena_printf(arena, "%s: contains U+0000", field);
	case json_type_double:
		return isfinite(json_object_get_double(value)) ? NULL
							       : arena_printf(arena, "%s: not a finite number", field);
	case json_type_array: {
		size_t n = json_object_array_length(value);
		for (size_t i = 0; i < n; i++) {
			const char *r = payload_check_storable(arena, json_object_array_get_idx(value, i), field);
			if (r)
				return r;
		}
		return NULL;
	}
	case json_type_object: {
		json_object_object_foreach(value, key, member) {
			(void)key;
			const char *r = payload_check_storable(arena, member, field);
			if (r)
				return r;
		}
		return NULL;
	}
	default: /* null, boolean, int */
		return NULL;
	}
}

/*
 * A required (or optional) string member of 1..max bytes without U+0000; NULL with
 * *reason when it does not fit (an absent optional member is NULL without a reason).
 */
static const char *text_member(struct arena *arena, struct json_object *obj, const char *key, size_t max,
			       bool required, const char **reason)
{
	struct json_object *v = NULL;
	if (!json_object_object_get_ex(obj, key, &v) || v == NULL) {
		if (required)
			*reason = arena_printf(arena, "%s: is required", key);
		return NULL;
	}
	if (!json_object_is_type(v, json_type_string)) {
		*reason = arena_printf(arena, "%s: must be a string", key);
		return NULL;
	}
	size_t n = (size_t)json_object_get_string_len(v);
	if (n == 0) {
		*reason = arena_printf(arena, "%s: must not be empty", key);
		return NULL;
	}
	if (n > max) {
		*reason = arena_printf(arena, "%s: must be at most %zu bytes", key, max);
		return NULL;
	}
	if (!string_without_nul(v)) {
		*reason = arena_printf(arena, "%s: contains U+0000", key);
		return NULL;
	}
	return json_object_get_string(v);
}

const char *payload_parse_handshake(struct arena *arena, const char *data, size_t len, int max_depth,
				    struct handshake_report *out)
{
	const char *reason = NULL;
	struct json_object *root = parse_object(arena, data, len, max_depth, &reason);
	if (!root)
		return reason;
	memset(out, 0, sizeof *out);
	out->type = text_member(arena, root, "type", PAYLOAD_TYPE_MAX, true, &reason);
	if (reason)
		return reason;
	out->firmware_version = text_member(arena, root, "firmwareVersion", PAYLOAD_VERSION_MAX, true, &reason);
	if (reason)
		return reason;
	out->chip = text_member(arena, root, "chip", PAYLOAD_CHIP_MAX, true, &reason);
	if (reason)
		return reason;
	out->kit_tag = text_member(arena, root, "kit_tag", PAYLOAD_KIT_TAG_MAX, false, &reason);
	return reason;
}

const char *payload_parse_state(struct arena *arena, const char *data, size_t len, int max_depth,
				struct state_report *out)
{
	const char *reason = NULL;
	struct json_object *root = parse_object(arena, data, len, max_depth, &reason);
	if (!root)
		return reason;
	struct json_object *state = NULL;
	if (!json_object_object_get_ex(root, "state", &state) || state == NULL)
		return "state: is required";
	if (!json_object_is_type(state, json_type_object))
		return "state: must be an object";
	json_object_object_foreach(state, key, value) {
		size_t n = strlen(key);
		if (n == 0)
			return "state: keys must not be empty";
		if (n > PAYLOAD_STATE_KEY_MAX)
			return arena_printf(arena, "state: keys must be at most %d bytes", PAYLOAD_STATE_KEY_MAX);
		reason = payload_check_storable(arena, value, "state");
		if (reason)
			return reason;
	}
	out->state = state;
	return NULL;
}

const char *payload_parse_heartbeat(struct arena *arena, const char *data, size_t len, int max_depth,
				    struct heartbeat_report *out)
{
	const char *reason = NULL;
	struct json_object *root = parse_object(arena, data, len, max_depth, &reason);
	if (!root)
		return reason;
	const char *status = text_member(arena, root, "status", 16, true, &reason);
	if (reason)
		return reason;
	if (strcmp(status, "online") == 0)
		out->online = true;
	else if (strcmp(status, "offline") == 0)
		out->online = false;
	else
		return "status: must be online or offline";
	return NULL;
}

const char *payload_parse_event(struct arena *arena, const char *data, size_t len, int max_depth,
				struct event_report *out)
{
	const char *reason = NULL;
	struct json_object *root = parse_object(arena, data, len, max_depth, &reason);
	if (!root)
		return reason;
	memset(out, 0, sizeof *out);
	out->event = text_member(arena, root, "event", 32, true, &reason);
	if (reason)
		return reason;
	if (strcmp(out->event, "user_event") != 0 && strcmp(out->event, "device_event") != 0)
		return "event: must be user_event or device_event";
	struct json_object *event_data = NULL;
	if (!json_object_object_get_ex(root, "data", &event_data) || event_data == NULL)
		return "data: is required";
	if (!json_object_is_type(event_data, json_type_object))
		return "data: must be an object";
	out->action = text_member(arena, event_data, "action", PAYLOAD_ACTION_MAX, true, &reason);
	if (reason)
		return arena_printf(arena, "data.%s", reason);
	reason = payload_check_storable(arena, root, "payload");
	if (reason)
		return reason;
	out->data = event_data;
	out->payload = root;
	return NULL;
}
