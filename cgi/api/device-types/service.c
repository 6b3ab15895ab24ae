/*
 * service.c — rules of the device type registry (api-device-types).
 *
 * The route's schema has checked the shape of a PUT body; this file checks what a schema
 * cannot say (ids, names usable as MQTT payload keys, duplicates, min <= max, reserved
 * command names) and rewrites capabilities, commands and events as canonical JSON, so
 * that unknown members of the request never reach the registry. It holds no SQL and
 * never replies: callers turn a returned message into a 400.
 */
#include "service.h"

#include <stdbool.h>
#include <string.h>

#include "json_reader.h"
#include "json_writer.h"

/* Commands every device understands (SPEC §5); a type may not redeclare them. */
static const char *const builtin_commands[] = { "reboot", "factory_reset", "ota_update", "wifi_update", NULL };

bool device_type_id_is_valid(const char *id)
{
	size_t n = id ? strlen(id) : 0;
	if (n < 1 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = id[i];
		bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
		if (!alnum && (i == 0 || (c != '_' && c != '-')))
			return false;
	}
	return true;
}

/* Capability keys, actions, events and param names: letters, digits, '_' and '-'. */
static bool name_is_valid(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++) {
		char c = *s;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
		      c == '-'))
			return false;
	}
	return true;
}

#define NAME_RULE "must contain only letters, digits, _ and -"

/* True when the string member `key` of one of items[0..n) equals s (NULL key: items are strings). */
static bool seen_before(struct json_object *array, size_t n, const char *key, const char *s)
{
	for (size_t i = 0; i < n; i++) {
		struct json_object *item = json_object_array_get_idx(array, i);
		const char *other = key ? json_get_string(item, key) : json_object_get_string(item);
		if (other && strcmp(other, s) == 0)
			return true;
	}
	return false;
}

static const char *capabilities_json(struct arena *a, struct json_object *caps, const char **out)
{
	struct buf b;
	struct jw w;
	buf_init(&b, a);
	jw_init(&w, &b);
	jw_array_begin(&w);
	size_t n = caps ? json_object_array_length(caps) : 0;
	for (size_t i = 0; i < n; i++) {
		struct json_object *cap = json_object_array_get_idx(caps, i);
		const char *key = json_get_string(cap, "key");
		const char *type = json_get_string(cap, "type");
		const char *unit = json_get_string(cap, "unit");
		struct json_object *min = NULL, *max = NULL;
		json_object_object_get_ex(cap, "min", &min);
		json_object_object_get_ex(cap, "max", &max);
		if (!name_is_valid(key))
			return arena_printf(a, "capabilities[%zu].key: " NAME_RULE, i);
		if (seen_before(caps, i, "key", key))
			return arena_printf(a, "capabilities[%zu].key: already declared", i);
		if (strcmp(type, "number") != 0 && (min || max))
			return arena_printf(a, "capabilities[%zu].%s: only number capabilities have a range", i,
					    min ? "min" : "max");
		if (min && max && json_object_get_double(min) > json_object_get_double(max))
			return arena_printf(a, "capabilities[%zu].max: must not be less than min", i);
		jw_object_begin(&w);
		jw_member_string(&w, "key", key);
		jw_member_string(&w, "type", type);
		if (unit)
			jw_member_string(&w, "unit", unit);
		if (min)
			jw_member_raw(&w, "min", json_text(a, min));
		if (max)
			jw_member_raw(&w, "max", json_text(a, max));
		jw_object_end(&w);
	}
	jw_array_end(&w);
	*out = b.data;
	return NULL;
}

static const char *commands_json(struct arena *a, struct json_object *cmds, const char **out)
{
	struct buf b;
	struct jw w;
	buf_init(&b, a);
	jw_init(&w, &b);
	jw_array_begin(&w);
	size_t n = cmds ? json_object_array_length(cmds) : 0;
	for (size_t i = 0; i < n; i++) {
		struct json_object *cmd = json_object_array_get_idx(cmds, i);
		const char *action = json_get_string(cmd, "action");
		struct json_object *params = json_get_array(cmd, "params");
		if (!name_is_valid(action))
			return arena_printf(a, "commands[%zu].action: " NAME_RULE, i);
		for (int k = 0; builtin_commands[k]; k++)
			if (strcmp(action, builtin_commands[k]) == 0)
				return arena_printf(a, "commands[%zu].action: %s is a built-in command", i, action);
		if (seen_before(cmds, i, "action", action))
			return arena_printf(a, "commands[%zu].action: already declared", i);
		jw_object_begin(&w);
		jw_member_string(&w, "action", action);
		size_t np = params ? json_object_array_length(params) : 0;
		if (np > 0) {
			jw_key(&w, "params");
			jw_array_begin(&w);
			for (size_t j = 0; j < np; j++) {
				const char *p = json_object_get_string(json_object_array_get_idx(params, j));
				if (!name_is_valid(p))
					return arena_printf(a, "commands[%zu].params[%zu]: " NAME_RULE, i, j);
				if (strcmp(p, "action") == 0)
					return arena_printf(a, "commands[%zu].params[%zu]: action is reserved", i, j);
				if (seen_before(params, j, NULL, p))
					return arena_printf(a, "commands[%zu].params[%zu]: already declared", i, j);
				jw_string(&w, p);
			}
			jw_array_end(&w);
		}
		jw_object_end(&w);
	}
	jw_array_end(&w);
	*out = b.data;
	return NULL;
}

static const char *events_json(struct arena *a, struct json_object *events, const char **out)
{
	struct buf b;
	struct jw w;
	buf_init(&b, a);
	jw_init(&w, &b);
	jw_array_begin(&w);
	size_t n = events ? json_object_array_length(events) : 0;
	for (size_t i = 0; i < n; i++) {
		const char *e = json_object_get_string(json_object_array_get_idx(events, i));
		if (!name_is_valid(e))
			return arena_printf(a, "events[%zu]: " NAME_RULE, i);
		if (seen_before(events, i, NULL, e))
			return arena_printf(a, "events[%zu]: already declared", i);
		jw_string(&w, e);
	}
	jw_array_end(&w);
	*out = b.data;
	return NULL;
}

const char *device_type_from_body(struct arena *arena, const char *id, struct json_object *body,
				  struct device_type_row *row)
{
	if (!device_type_id_is_valid(id))
		return "id: must be 1 to 64 characters of a-z, 0-9, _ and -, starting with a letter or digit";
	const char *err;
	memset(row, 0, sizeof *row);
	row->id = id;
	row->name = json_get_string(body, "name");
	row->category = json_get_string(body, "category");
	if ((err = capabilities_json(arena, json_get_array(body, "capabilities"), &row->capabilities_json)))
		return err;
	if ((err = commands_json(arena, json_get_array(body, "commands"), &row->commands_json)))
		return err;
	if ((err = events_json(arena, json_get_array(body, "events"), &row->events_json)))
		return err;
	bool periodic = false;
	json_get_bool(body, "periodic", &periodic);
	row->periodic = periodic;
	return NULL;
}
