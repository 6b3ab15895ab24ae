/*
 * payload.c — device payloads checked against declared fields (see payload.h).
 *
 * Each payload kind is one field table handed to schema_validate_object; what a kind
 * cannot say is a check function beside the field. Only the event's whole-payload rule
 * is code after the schema, because the schema checks members, not the object itself.
 * Reasons are the schema's or fixed strings naming a field; they never quote the
 * payload. This file does no I/O and keeps no state between calls.
 */
#include "domain/payload.h"

#include <math.h>
#include <string.h>

#include "json_reader.h"

/* Stored values: jsonb refuses U+0000 and numbers that are not finite. */
static const char *storable(struct arena *arena, struct json_object *value, const char *path)
{
	switch (json_object_get_type(value)) {
	case json_type_string: {
		/* json-c keeps the real length; strlen stops at a U+0000. */
		size_t n = (size_t)json_object_get_string_len(value);
		return strlen(json_object_get_string(value)) == n ? NULL
								  : arena_printf(arena, "%s: contains U+0000", path);
	}
	case json_type_double:
		return isfinite(json_object_get_double(value)) ? NULL
							       : arena_printf(arena, "%s: not a finite number", path);
	case json_type_array: {
		size_t n = json_object_array_length(value);
		for (size_t i = 0; i < n; i++) {
			const char *r = storable(arena, json_object_array_get_idx(value, i), path);
			if (r)
				return r;
		}
		return NULL;
	}
	case json_type_object: {
		/* Keys cannot hold U+0000: json-c ends a key at the first one. */
		json_object_object_foreach(value, key, member) {
			(void)key;
			const char *r = storable(arena, member, path);
			if (r)
				return r;
		}
		return NULL;
	}
	default: /* null, boolean, int */
		return NULL;
	}
}

const char *payload_check_storable(const struct field_check_input *in, int *status)
{
	(void)status;
	return storable(in->arena, in->value, in->path);
}

const char *payload_check_state(const struct field_check_input *in, int *status)
{
	(void)status;
	json_object_object_foreach(in->value, key, value) {
		size_t n = strlen(key);
		if (n == 0)
			return arena_printf(in->arena, "%s: keys must not be empty", in->path);
		if (n > PAYLOAD_STATE_KEY_MAX)
			return arena_printf(in->arena, "%s: keys must be at most %d bytes", in->path,
					    PAYLOAD_STATE_KEY_MAX);
		const char *r = storable(in->arena, value, in->path);
		if (r)
			return r;
	}
	return NULL;
}

/* A storable string that is one of two words: "path: must be a or b" (FIELD_ENUM would
 * say "must be one of a, b"; the reasons mqttd logs keep their wording). */
static const char *either(const struct field_check_input *in, const char *a, const char *b)
{
	const char *r = storable(in->arena, in->value, in->path);
	if (r)
		return r;
	const char *s = json_object_get_string(in->value);
	if (strcmp(s, a) == 0 || strcmp(s, b) == 0)
		return NULL;
	return arena_printf(in->arena, "%s: must be %s or %s", in->path, a, b);
}

static const char *check_heartbeat_status(const struct field_check_input *in, int *status)
{
	(void)status;
	return either(in, "online", "offline");
}

static const char *check_event_kind(const struct field_check_input *in, int *status)
{
	(void)status;
	return either(in, "user_event", "device_event");
}

const struct field handshake_report_fields[] = {
	{ "type", FIELD_STRING, .required = true, .bytes = true, .min = BOUND(1), .max = BOUND(PAYLOAD_TYPE_MAX),
	  .check = payload_check_storable },
	{ "firmwareVersion", FIELD_STRING, .required = true, .bytes = true, .min = BOUND(1),
	  .max = BOUND(PAYLOAD_VERSION_MAX), .check = payload_check_storable },
	{ "chip", FIELD_STRING, .required = true, .bytes = true, .min = BOUND(1), .max = BOUND(PAYLOAD_CHIP_MAX),
	  .check = payload_check_storable },
	{ "kit_tag", FIELD_STRING, .nullable = true, .bytes = true, .min = BOUND(1), .max = BOUND(PAYLOAD_KIT_TAG_MAX),
	  .check = payload_check_storable },
	{ 0 },
};

const struct field state_report_fields[] = {
	{ "state", FIELD_OBJECT, .required = true, .check = payload_check_state },
	{ 0 },
};

const struct field heartbeat_report_fields[] = {
	{ "status", FIELD_STRING, .required = true, .bytes = true, .min = BOUND(1), .max = BOUND(PAYLOAD_STATUS_MAX),
	  .check = check_heartbeat_status },
	{ 0 },
};

static const struct field event_data_fields[] = {
	{ "action", FIELD_STRING, .required = true, .bytes = true, .min = BOUND(1), .max = BOUND(PAYLOAD_ACTION_MAX),
	  .check = payload_check_storable },
	{ 0 },
};

const struct field event_report_fields[] = {
	{ "event", FIELD_STRING, .required = true, .bytes = true, .min = BOUND(1), .max = BOUND(PAYLOAD_EVENT_MAX),
	  .check = check_event_kind },
	{ "data", FIELD_OBJECT, .required = true, .fields = event_data_fields },
	{ 0 },
};

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

/*
 * Devices write null for a value they do not have, so a required member that is null
 * is reported as missing: it is removed before validation. Only members the payload
 * cannot do without are removed, so a payload that passes keeps every byte.
 */
static void forget_required_nulls(struct json_object *obj, const struct field *fields)
{
	for (const struct field *f = fields; f->name; f++) {
		struct json_object *v = NULL;
		if (!json_object_object_get_ex(obj, f->name, &v))
			continue;
		if (!v && f->required && !f->nullable)
			json_object_object_del(obj, f->name);
		else if (v && f->fields && json_object_is_type(v, json_type_object))
			forget_required_nulls(v, f->fields);
	}
}

/* The payload parsed and validated against fields; NULL with *reason on failure. */
static struct json_object *parse_valid(struct arena *arena, const char *data, size_t len, int max_depth,
				       const struct field *fields, const char **reason)
{
	struct json_object *root = parse_object(arena, data, len, max_depth, reason);
	if (!root)
		return NULL;
	forget_required_nulls(root, fields);
	*reason = schema_validate_object(arena, root, fields, NULL, NULL);
	return *reason ? NULL : root;
}

/* Filling the structs from a payload that passed its fields. */

static void read_handshake(struct json_object *root, struct handshake_report *out)
{
	out->type = json_get_string(root, "type");
	out->firmware_version = json_get_string(root, "firmwareVersion");
	out->chip = json_get_string(root, "chip");
	out->kit_tag = json_get_string(root, "kit_tag");
}

/* out's kind's members; the rest stay zero. */
static void read_report(struct json_object *root, struct device_report *out)
{
	switch (out->kind) {
	case DEVICE_REPORT_STATE:
		out->state = json_get_object(root, "state");
		break;
	case DEVICE_REPORT_EVENT:
		out->event = json_get_string(root, "event");
		out->data = json_get_object(root, "data");
		out->action = json_get_string(out->data, "action");
		out->payload = root;
		break;
	case DEVICE_REPORT_HEARTBEAT: {
		const char *status = json_get_string(root, "status");
		out->online = status && strcmp(status, "online") == 0;
		break;
	}
	}
}

const char *payload_parse_handshake(struct arena *arena, const char *data, size_t len, int max_depth,
				    struct handshake_report *out)
{
	const char *reason = NULL;
	memset(out, 0, sizeof *out);
	struct json_object *root = parse_valid(arena, data, len, max_depth, handshake_report_fields, &reason);
	if (!root)
		return reason;
	read_handshake(root, out);
	return NULL;
}

/* The one path of payload_parse_report (validate) and payload_read_report (not again). */
static const char *report(struct arena *arena, enum device_report_kind kind, const char *data, size_t len,
			  int max_depth, bool validate, struct device_report *out)
{
	static const struct field *const fields[] = {
		[DEVICE_REPORT_STATE] = state_report_fields,
		[DEVICE_REPORT_EVENT] = event_report_fields,
		[DEVICE_REPORT_HEARTBEAT] = heartbeat_report_fields,
	};
	const char *reason = NULL;
	memset(out, 0, sizeof *out);
	out->kind = kind;
	struct json_object *root = validate ? parse_valid(arena, data, len, max_depth, fields[kind], &reason)
					    : parse_object(arena, data, len, max_depth, &reason);
	if (!root)
		return reason;
	/* The whole payload becomes the event's data: all of it, not only data, is stored. */
	if (validate && kind == DEVICE_REPORT_EVENT && (reason = storable(arena, root, "payload")))
		return reason;
	read_report(root, out);
	return NULL;
}

const char *payload_parse_report(struct arena *arena, enum device_report_kind kind, const char *data, size_t len,
				 int max_depth, struct device_report *out)
{
	return report(arena, kind, data, len, max_depth, true, out);
}

const char *payload_read_report(struct arena *arena, enum device_report_kind kind, const char *data, size_t len,
				int max_depth, struct device_report *out)
{
	return report(arena, kind, data, len, max_depth, false, out);
}
